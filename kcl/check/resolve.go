package check

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/kpm-dev/kpm/kcl"
	"github.com/kpm-dev/kpm/kcl/syntax"
)

// ModuleRef is what an import statement names.
type ModuleRef struct {
	Path     string   // the import path without leading dots ("k8s.api.apps.v1")
	Dir      string   // the module's directory, or its file for a one-file module
	Files    []string // its .k files (not tests), sorted
	Std      bool     // a standard library module (Dir and Files empty)
	Dep      string   // the dependency holding it; "" in the main package
	Version  string   // the dependency's version
	ReadOnly bool     // in the package cache: it does not change while a checker lives
}

// Resolver maps an import of a file to a module. It is the one resolution rule of kpm run,
// shared by the checker and the language server.
type Resolver interface {
	Resolve(fromFile string, imp *syntax.ImportStmt) (ModuleRef, error)
}

// Dep is a dependency of the main package, at its directory.
type Dep struct {
	Name     string // the import name
	Dir      string
	Version  string
	ReadOnly bool
}

// DirResolver resolves imports as kpm run does: standard modules first; a relative import
// against the importing file's directory; an absolute import against the root of the package
// holding the importing file (the main package's Root or a dependency's Dir), then against a
// dependency named by its first segment.
type DirResolver struct {
	Root string
	Deps []Dep
}

// ErrModuleNotFound is returned (wrapped) for an import that names nothing.
type ErrModuleNotFound struct{ Path string }

func (e *ErrModuleNotFound) Error() string {
	return fmt.Sprintf("pkgpath %s not found in the program", e.Path)
}

// Resolve implements Resolver.
func (r *DirResolver) Resolve(fromFile string, imp *syntax.ImportStmt) (ModuleRef, error) {
	path := strings.TrimLeft(imp.Path, ".")
	if imp.Level == 0 && kcl.IsStdModule(path) {
		return ModuleRef{Path: path, Std: true}, nil
	}
	parts := strings.Split(path, ".")
	owner := r.owner(fromFile)
	if imp.Level > 0 {
		base := filepath.Dir(fromFile)
		for i := 1; i < imp.Level; i++ {
			base = filepath.Dir(base)
		}
		if ref, ok := moduleAt(filepath.Join(append([]string{base}, parts...)...)); ok {
			ref.Path, ref.Dep, ref.Version, ref.ReadOnly = path, owner.Name, owner.Version, owner.ReadOnly
			return ref, nil
		}
		return ModuleRef{}, &ErrModuleNotFound{path}
	}
	if ref, ok := moduleAt(filepath.Join(append([]string{owner.Dir}, parts...)...)); ok {
		ref.Path, ref.Dep, ref.Version, ref.ReadOnly = path, owner.Name, owner.Version, owner.ReadOnly
		return ref, nil
	}
	for _, d := range r.Deps {
		if d.Name != parts[0] {
			continue
		}
		if ref, ok := moduleAt(filepath.Join(append([]string{d.Dir}, parts[1:]...)...)); ok {
			ref.Path, ref.Dep, ref.Version, ref.ReadOnly = path, d.Name, d.Version, d.ReadOnly
			return ref, nil
		}
	}
	return ModuleRef{}, &ErrModuleNotFound{path}
}

// owner is the package holding a file: the dependency whose directory contains it (the
// deepest), else the main package.
func (r *DirResolver) owner(file string) Dep {
	best, found := Dep{Dir: r.Root}, false
	for _, d := range r.Deps {
		if within(file, d.Dir) && (!found || len(d.Dir) > len(best.Dir)) {
			best, found = d, true
		}
	}
	if found && within(file, r.Root) && len(r.Root) > len(best.Dir) {
		return Dep{Dir: r.Root}
	}
	return best
}

func within(file, dir string) bool {
	rel, err := filepath.Rel(dir, file)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// moduleAt finds the module at p: a directory with .k files, or p.k.
func moduleAt(p string) (ModuleRef, bool) {
	if fi, err := os.Stat(p); err == nil && fi.IsDir() {
		files := KCLFiles(p)
		if len(files) > 0 {
			return ModuleRef{Dir: p, Files: files}, true
		}
		return ModuleRef{}, false
	}
	if fi, err := os.Stat(p + ".k"); err == nil && !fi.IsDir() {
		return ModuleRef{Dir: p + ".k", Files: []string{p + ".k"}}, true
	}
	return ModuleRef{}, false
}

// KCLFiles lists the .k files of a directory that form its package (not tests), sorted.
func KCLFiles(dir string) []string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, en := range ents {
		n := en.Name()
		if en.IsDir() || !strings.HasSuffix(n, ".k") || strings.HasSuffix(n, "_test.k") {
			continue
		}
		out = append(out, filepath.Join(dir, n))
	}
	sort.Strings(out)
	return out
}
