package check

import (
	"path/filepath"
	"strings"

	"github.com/kpm-dev/kpm/kcl/modules"
	"github.com/kpm-dev/kpm/kcl/syntax"
)

// ModuleRef is what an import statement names.
type ModuleRef struct {
	Path     string   // the toolchain's module path ("k8s.api.apps.v1")
	Dir      string   // the module's directory, or its file for a one-file module
	Files    []string // its .k files, sorted
	Std      bool     // a standard library or plugin module (Dir and Files empty)
	Dep      string   // the external package holding it; "" in the main package
	Version  string   // the external package's version
	ReadOnly bool     // in the package cache: it does not change while a checker lives
}

// Resolver maps an import of a file to a module.
type Resolver interface {
	Resolve(fromFile string, imp *syntax.ImportStmt) (ModuleRef, error)
}

// Dep is an external package of the program (a kcl.mod dependency, an -E package), at its
// root directory.
type Dep struct {
	Name     string // the import name
	Dir      string
	Version  string
	ReadOnly bool
}

// ModuleError is an import that names nothing; Msg is the toolchain's message.
type ModuleError struct{ Msg string }

func (e *ModuleError) Error() string { return e.Msg }

// NewResolver resolves imports with kcl/modules, the rule of kpm run: root is the main
// package's root, deps its external packages, vendorDirs the KCL_PKG_PATH directories
// searched for packages no kcl.mod entry names.
func NewResolver(root string, deps []Dep, vendorDirs []string) Resolver {
	r := &moduleResolver{root: root, deps: map[string]Dep{}, mods: &modules.Resolver{External: map[string]string{}, VendorDirs: vendorDirs}}
	for _, d := range deps {
		r.deps[d.Name] = d
		r.mods.External[d.Name] = d.Dir
	}
	return r
}

type moduleResolver struct {
	root string
	deps map[string]Dep
	mods *modules.Resolver
}

func (r *moduleResolver) Resolve(fromFile string, imp *syntax.ImportStmt) (ModuleRef, error) {
	from := r.packageOf(fromFile)
	m, err := r.mods.Resolve(from, fromFile, imp.Path)
	if err != nil {
		return ModuleRef{}, &ModuleError{err.Error()}
	}
	if m.Kind != modules.Source {
		return ModuleRef{Path: m.PkgPath, Std: true}, nil
	}
	ref := ModuleRef{Path: m.PkgPath, Dir: m.Path, Files: m.Files}
	if m.Package.Name != modules.MainName {
		d, ok := r.deps[m.Package.Name]
		ref.Dep, ref.Version, ref.ReadOnly = m.Package.Name, d.Version, d.ReadOnly || !ok
	}
	return ref, nil
}

// packageOf is the package holding a file: the external package whose root holds it (the
// deepest), else the main package.
func (r *moduleResolver) packageOf(file string) modules.Package {
	best := modules.Package{Name: modules.MainName, Root: r.root}
	bestLen := -1
	if within(file, r.root) {
		bestLen = len(r.root)
	}
	for name, d := range r.deps {
		if within(file, d.Dir) && len(d.Dir) > bestLen {
			best, bestLen = modules.Package{Name: name, Root: d.Dir}, len(d.Dir)
		}
	}
	return best
}

func within(file, dir string) bool {
	rel, err := filepath.Rel(dir, file)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// KCLFiles lists the .k files of a directory that form its package, sorted: what kcl/modules
// lists for a module (no tests, no _-prefixed files).
func KCLFiles(dir string) []string {
	return modules.ModuleFiles(dir)
}
