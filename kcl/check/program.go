package check

import (
	"context"
	"os"
	"path/filepath"

	"github.com/kpm-dev/kpm/kcl"
	"github.com/kpm-dev/kpm/kcl/syntax"
)

// mainKey is the checker's key of the main package of a program: its files are the entry
// files, not the .k files of a directory.
const mainKey = "\x00main"

// Program checks a program as kpm run is about to evaluate it (kcl.Options.Check): the
// toolchain type-checks the whole program first and reports every error without running
// anything. It returns the errors of the main package and of the modules it imports from its
// own package as kcl.Errors, in the engine's format;
// nil when a file has a syntax error or an import fails, which the evaluator reports as
// the toolchain does.
func Program(ctx context.Context, p kcl.Program) error {
	cfg := programConfig(p)
	cfg.Context = ctx
	errs := New(cfg).program(p)
	if err := ctx.Err(); err != nil {
		return &kcl.Error{Kind: kcl.KindEvaluation, Msg: "evaluation cancelled: " + err.Error()}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// programConfig is the configuration of the checker of a program: no references, so a large
// file's statements are parsed again when checked rather than held (see Checker.parse).
func programConfig(p kcl.Program) Config {
	var deps []Dep
	for name, dir := range p.Deps {
		deps = append(deps, Dep{Name: name, Dir: dir, ReadOnly: true})
	}
	for _, pkg := range p.FilePackages {
		if _, ok := p.Deps[pkg.Name]; !ok {
			deps = append(deps, Dep{Name: pkg.Name, Dir: pkg.Root, ReadOnly: true})
		}
	}
	return Config{
		Resolver: NewResolver(p.Root, deps, p.VendorDirs),
		ReadFile: func(path string) ([]byte, error) {
			if src, ok := p.Overlay[path]; ok {
				return src, nil
			}
			return os.ReadFile(path)
		},
		NoRefs: true,
	}
}

// program checks a program (see Program) and returns its errors.
func (c *Checker) program(p kcl.Program) kcl.Errors {
	var errs kcl.Errors
	c.With(func() {
		main := c.load(mainKey, ModuleRef{Dir: filepath.Dir(p.Files[0]), Files: p.Files}, true)
		// the toolchain checks the imported modules of the program first, in the order they are
		// imported, then the main package; modules of external packages are left to the evaluator
		var order []*Package
		seen := map[*Package]bool{main: true}
		var visit func(pkg *Package)
		visit = func(pkg *Package) {
			if !pkg.checked {
				c.checkBodies(pkg)
			}
			for _, u := range pkg.units {
				if u.file == nil {
					continue
				}
				// imports are never released (syntax.ParseFileFunc): a nil statement is not one,
				// and is not parsed again to find out
				for _, st := range u.file.Body {
					imp, ok := st.(*syntax.ImportStmt)
					if !ok {
						continue
					}
					q, err := c.importModule(u, imp)
					if err != nil || q.ReadOnly || q.units == nil || seen[q] || !pkg.uses(u, imp) {
						continue // a module the file imports without using it is not compiled
					}
					seen[q] = true
					visit(q)
					order = append(order, q)
				}
			}
		}
		visit(main)
		for _, pkg := range append(order, main) {
			if !pkg.checked {
				c.checkBodies(pkg)
			}
			for _, u := range pkg.units {
				if u.file == nil || len(u.errs) > 0 {
					errs = nil
					return
				}
				for _, e := range pkg.infos[u.path].Errors {
					if e.Kind == KindImport || e.Kind == KindSyntax {
						errs = nil
						return
					}
					errs = append(errs, &kcl.Error{Kind: e.Kind, File: e.File, Line: int(e.Span.From.Line), Col: int(e.Span.From.Col), Msg: e.Msg})
				}
			}
		}
	})
	return errs
}

// uses reports whether a file uses the name an import of it binds (a sibling file's use does
// not count).
func (p *Package) uses(u *fileUnit, imp *syntax.ImportStmt) bool {
	o := u.scope.Names[imp.Name]
	return o == nil || p.usedImports[o]
}
