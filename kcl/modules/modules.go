// Package modules decides what a KCL import statement names, with the rules of the KCL
// toolchain (kcl-lib 0.13): the evaluator, the static checker and the language server all ask
// it, so `kpm run` and the editor never disagree about an import.
//
// Every file belongs to a package: the main package (Name "__main__") or an external one (a
// kcl.mod dependency, an `-E name=path` package, a package_maps entry or a package vendored
// under KCL_PKG_PATH). An import is resolved in this order:
//
//  1. a standard library module (`import math`) or a `kcl_plugin.` module;
//  2. a relative import (`.x`, `..x`) is first rewritten to an absolute one, from the
//     importing file's directory, relative to its package root;
//  3. an absolute import `a.b.c` is looked up in the importing file's own package root
//     (`<root>/a/b/c` as a directory or `<root>/a/b/c.k`) and as an external package `a`
//     (`<external root>/b/c`); found in both is an error, found in neither is "not found".
//
// A module found inside a package other than the main one is named with that package's name
// first, as the toolchain names it: `import api.core.v1` inside package k8s is k8s.api.core.v1,
// the same module as `import k8s.api.core.v1` from the main package.
package modules

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// MainName is the name of the main package.
const MainName = "__main__"

// Package is a KCL package: its name (MainName for the main package) and its root directory.
type Package struct {
	Name string
	Root string
}

// Kind says what an import names.
type Kind int

const (
	// Source is a module of .k files in a package.
	Source Kind = iota
	// Stdlib is a standard library module (math, json, ...).
	Stdlib
	// Plugin is a `kcl_plugin.` module.
	Plugin
)

// Module is what an import statement names.
type Module struct {
	Kind Kind
	// PkgPath is the toolchain's name of the module: the import path with the package name
	// first for modules of external packages (`k8s.api.core.v1`), the import path itself for
	// modules of the main package, stdlib and plugin modules.
	PkgPath string
	// Package is the package the module belongs to (Source only).
	Package Package
	// Path is the directory of the module, or its .k file (Source only).
	Path string
	// Files are the module's .k files, sorted, without *_test.k and _-prefixed files (Source only).
	Files []string
}

// Resolver resolves imports for one program. The zero value knows only the stdlib.
type Resolver struct {
	// External maps a package name to its root directory: kcl.mod dependencies, `-E`
	// externals and settings package_maps.
	External map[string]string
	// VendorDirs are searched, in order, for `<dir>/<name>/kcl.mod` when an import's first
	// segment is not in External (KCL_PKG_PATH).
	VendorDirs []string
}

// Error is an import that cannot be resolved. Msg is the toolchain's message.
type Error struct {
	Path string
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// stdlib lists the standard library modules.
var stdlib = map[string]bool{
	"base32": true, "base64": true, "collection": true, "crypto": true, "datetime": true, "file": true,
	"json": true, "manifests": true, "math": true, "net": true, "os": true, "regex": true,
	"runtime": true, "template": true, "units": true, "yaml": true,
}

// IsStdlib reports whether path is a standard library module.
func IsStdlib(path string) bool { return stdlib[path] }

// StdlibNames lists the standard library modules, sorted.
func StdlibNames() []string {
	names := make([]string, 0, len(stdlib))
	for n := range stdlib {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// PluginPrefix starts the path of a plugin module.
const PluginPrefix = "kcl_plugin."

// Resolve answers what `import path` (as written, leading dots included) means in file, a
// file of package from. The error is an *Error.
func (r *Resolver) Resolve(from Package, file, path string) (Module, error) {
	abs := path
	if strings.HasPrefix(path, ".") {
		rel, inside := relativeToRoot(from.Root, filepath.Dir(file))
		if !inside {
			return resolveOutside(from, filepath.Dir(file), path)
		}
		abs = absolutePath(rel, path)
		if abs == "" {
			return Module{}, &Error{Path: path, Msg: fmt.Sprintf("pkgpath %s not found in the program", strings.TrimLeft(path, "."))}
		}
	}
	if strings.HasPrefix(abs, PluginPrefix) {
		return Module{Kind: Plugin, PkgPath: abs}, nil
	}
	if stdlib[abs] {
		return Module{Kind: Stdlib, PkgPath: abs}, nil
	}
	internal, inOK := moduleIn(from.Root, abs)
	var external Module
	exOK := false
	name, rest, _ := strings.Cut(abs, ".")
	if root := r.externalRoot(name, abs); root != "" {
		if p, ok := moduleIn(root, rest); ok {
			external = Module{Kind: Source, PkgPath: abs, Package: Package{Name: name, Root: root}, Path: p, Files: moduleFiles(p)}
			exOK = true
		}
	}
	switch {
	case inOK && exOK:
		return Module{}, &Error{Path: abs, Msg: fmt.Sprintf("the `%s` is found multiple times in the current package and vendor package", abs)}
	case inOK:
		pkgPath := abs
		if from.Name != MainName && from.Name != "" {
			pkgPath = from.Name + "." + abs
		}
		return Module{Kind: Source, PkgPath: pkgPath, Package: from, Path: internal, Files: moduleFiles(internal)}, nil
	case exOK:
		return external, nil
	}
	return Module{}, &Error{Path: abs, Msg: fmt.Sprintf("pkgpath %s not found in the program", abs)}
}

// PackageNamed returns the root of the external package name ("" when unknown): an External
// entry, else a vendored package.
func (r *Resolver) PackageNamed(name string) string {
	return r.externalRoot(name, name)
}

// externalRoot is the root of external package name, found for import path: an External
// entry, else the first vendor dir holding the import path and `<name>/kcl.mod`.
func (r *Resolver) externalRoot(name, path string) string {
	if root, ok := r.External[name]; ok {
		return root
	}
	for _, v := range r.VendorDirs {
		if _, ok := moduleIn(v, path); ok {
			if root := filepath.Join(v, name); isFile(filepath.Join(root, "kcl.mod")) {
				return root
			}
			return ""
		}
	}
	return ""
}

// relativeToRoot splits dir below root into its segments; inside is false when dir is not
// under root.
func relativeToRoot(root, dir string) (segs []string, inside bool) {
	rel, err := filepath.Rel(root, dir)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return nil, false
	}
	if rel == "." {
		return nil, true
	}
	return strings.Split(filepath.ToSlash(rel), "/"), true
}

// absolutePath rewrites a relative import of a file in the directory whose segments below
// the package root are segs to an absolute import path, as the toolchain does: ".sub" in a/b
// is "a.b.sub", "..sub" is "a.sub". It is "" when the dots climb above the root.
func absolutePath(segs []string, path string) string {
	dots := len(path) - len(strings.TrimLeft(path, "."))
	rest := path[dots:]
	if dots-1 > len(segs) {
		return ""
	}
	out := append([]string(nil), segs[:len(segs)-(dots-1)]...)
	if rest != "" {
		out = append(out, rest)
	}
	return strings.Join(out, ".")
}

// resolveOutside resolves a relative import of a file outside its package root (a later
// entry of a settings file): against the file's own directory.
func resolveOutside(from Package, dir, path string) (Module, error) {
	dots := len(path) - len(strings.TrimLeft(path, "."))
	rest := path[dots:]
	base := dir
	for i := 1; i < dots; i++ {
		base = filepath.Dir(base)
	}
	p, ok := moduleIn(base, rest)
	if !ok {
		return Module{}, &Error{Path: path, Msg: fmt.Sprintf("pkgpath %s not found in the program", rest)}
	}
	return Module{Kind: Source, PkgPath: rest, Package: from, Path: p, Files: moduleFiles(p)}, nil
}

// moduleIn returns the module import path names under root: the directory root/a/b/c or the
// file root/a/b/c.k. An empty path is root itself.
func moduleIn(root, path string) (string, bool) {
	p := root
	if path != "" {
		p = filepath.Join(append([]string{root}, strings.Split(path, ".")...)...)
	}
	if fi, err := os.Stat(p); err == nil && fi.IsDir() {
		return p, true
	}
	if isFile(p + ".k") {
		return p + ".k", true
	}
	return "", false
}

// ModuleFiles lists the files of the module at p (a directory or a .k file), as Resolve does.
func ModuleFiles(p string) []string { return moduleFiles(p) }

// moduleFiles lists the files of a module: its .k file, or the .k files of its directory
// without tests and _-prefixed files, sorted.
func moduleFiles(p string) []string {
	if strings.HasSuffix(p, ".k") && isFile(p) {
		return []string{p}
	}
	ents, err := os.ReadDir(p)
	if err != nil {
		return nil
	}
	var out []string
	for _, en := range ents {
		n := en.Name()
		if en.IsDir() || !strings.HasSuffix(n, ".k") || strings.HasSuffix(n, "_test.k") || strings.HasPrefix(n, "_") {
			continue
		}
		out = append(out, filepath.Join(p, n))
	}
	return out
}

// FindRoot returns the nearest directory at or above dir holding a kcl.mod, or "" when none does.
func FindRoot(dir string) string {
	for d := dir; ; {
		if isFile(filepath.Join(d, "kcl.mod")) {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}
