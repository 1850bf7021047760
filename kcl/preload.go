package kcl

import (
	"strings"

	"github.com/kpm-dev/kpm/kcl/modules"
	"github.com/kpm-dev/kpm/kcl/syntax"
)

// preload parses, once, every module the main module reaches through imports, before anything
// runs, and reports what the toolchain reports before evaluation: an import that resolves to
// nothing and a reference to a private (`_`) member of an imported module. Only modules that
// are imported are read.
func (e *evaluator) preload(main *pkgState) {
	seen := map[string]bool{}
	var visit func(pkg modules.Package, filePkgs map[string]modules.Package, files []*syntax.File)
	visit = func(pkg modules.Package, filePkgs map[string]modules.Package, files []*syntax.File) {
		for _, f := range files {
			e.checkProtocolNames(f)
			fp := pkg
			if p, ok := filePkgs[f.Filename]; ok {
				fp = p
			}
			aliases := map[string]string{}
			for _, st := range f.Body { // imports are never let go (parseMain)
				imp, ok := st.(*syntax.ImportStmt)
				if !ok {
					continue
				}
				mod, err := e.resolver.Resolve(fp, f.Filename, imp.Path)
				if err != nil || mod.Kind == modules.Plugin {
					// reported where the import runs, with the plugin's own message
					continue
				}
				aliases[imp.Name] = mod.PkgPath
				if mod.Kind != modules.Source || seen[mod.Path] {
					continue
				}
				seen[mod.Path] = true
				var parsed []*syntax.File
				for _, name := range mod.Files {
					parsed = append(parsed, e.parseFile(name))
				}
				e.checkUniqueSchemas(parsed)
				visit(mod.Package, nil, parsed)
			}
			e.checkPrivateRefs(f, aliases)
		}
	}
	visit(main.pkg, main.filePkgs, main.files)
}

// checkProtocolNames reports a protocol whose name does not end with "Protocol", as the
// toolchain does before evaluation.
func (e *evaluator) checkProtocolNames(f *syntax.File) {
	for _, st := range f.Body { // nor are schemas
		if s, ok := st.(*syntax.SchemaStmt); ok && s.Kind == syntax.KindProtocol && !strings.HasSuffix(s.Name.Names[0], "Protocol") {
			e.throwAt(posOf(f.Filename, s.Name), KindCompile, "schema protocol name must end with 'Protocol'")
		}
	}
}

// checkPrivateRefs reports `m._x` where m is an imported module: its `_` names are private.
func (e *evaluator) checkPrivateRefs(f *syntax.File, aliases map[string]string) {
	if len(aliases) == 0 {
		return
	}
	// the statements of the main package parseMain let go name no private member
	syntax.Inspect(f, func(n syntax.Node) bool {
		mod, member := privateMember(n)
		if path, ok := aliases[mod]; ok && member != "" {
			e.throwAt(posOf(f.Filename, n), KindCompile, "cannot reference private member '%s' from module '%s'", member, path)
		}
		return true
	})
}

// privateMember is `name._member` in n, a dotted name or a selector on a name: a reference to a
// private member when name is an imported module; member is "" otherwise.
func privateMember(n syntax.Node) (name, member string) {
	switch x := n.(type) {
	case *syntax.Ident:
		if len(x.Names) > 1 {
			name, member = x.Names[0], x.Names[1]
		}
	case *syntax.SelectorExpr:
		if id, ok := x.X.(*syntax.Ident); ok && len(id.Names) == 1 && x.Attr != nil {
			name, member = id.Names[0], x.Attr.Names[0]
		}
	}
	if !strings.HasPrefix(member, "_") {
		return "", ""
	}
	return name, member
}

// namesPrivateMember reports whether statement st has a privateMember.
func namesPrivateMember(st syntax.Stmt) bool {
	found := false
	syntax.Inspect(st, func(n syntax.Node) bool {
		if _, member := privateMember(n); member != "" {
			found = true
		}
		return !found
	})
	return found
}

// checkUniqueSchemas reports a schema name defined twice in an imported module (in two of its
// files), as the toolchain does.
func (e *evaluator) checkUniqueSchemas(files []*syntax.File) {
	seen := map[string]bool{}
	for _, f := range files {
		for _, st := range f.Body {
			s, ok := st.(*syntax.SchemaStmt)
			if !ok {
				continue
			}
			name := s.Name.Names[0]
			if seen[name] {
				p := posOf(f.Filename, s)
				e.throwAt(srcPos{file: p.file, line: p.line, col: 1}, KindUniqueKey, "Unique key error name '%s'", name)
			}
			seen[name] = true
		}
	}
}
