package check

import (
	"sort"
	"strings"

	"github.com/kpm-dev/kpm/kcl/syntax"
)

// KindImmutable is the kind of the errors of checkImmutable.
const KindImmutable = "ImmutableError"

// checkImmutable reports the assignments the toolchain refuses before running a package, in
// its order: a public top-level name is bound once in the package.
//
// First `=`: the imports, schemas and rules of every file are bound, then file by file its type
// aliases and its top-level assignments, those in the branches of a top-level `if` included (both
// branches bind: `if c: x = 1 else: x = 2` is refused), and a unification `x: S {}` binds without
// being checked. An assignment to a bound name that does not start with `_` is an error, whatever
// its target's path (`x.y = 1` assigns x).
//
// Then `+=` and the other augmented assignments, anywhere (schema and lambda bodies too): one to
// a public name an earlier top-level assignment, schema or rule of the package bound is an
// error, unless its value is a schema instance (`x += S {}`).
//
// Its errors go before the others of their file; the `+=` ones among them in source order. Each
// names where the variable was bound first, as the toolchain does.
func checkImmutable(p *Package) {
	byFile := map[string][]Error{}
	// one entry per top-level name: a large program has one per statement, so the map is made
	// only when a name may be bound twice
	bound := map[string]binding{}
	if !rebinds(p) {
		bound = nil
	}
	bind := func(u *fileUnit, name string, sp syntax.Span) {
		if _, ok := bound[name]; !ok && name != "" {
			bound[name] = binding{u.path, sp}
		}
	}
	for _, u := range p.units {
		if u.file == nil || bound == nil {
			continue
		}
		for _, st := range u.file.Body {
			switch st := st.(type) {
			case *syntax.ImportStmt:
				bind(u, st.Name, spanOf(st))
			case *syntax.SchemaStmt:
				bind(u, st.Name.Name(), spanOf(st.Name))
			case *syntax.RuleStmt:
				bind(u, st.Name.Name(), spanOf(st.Name))
			}
		}
	}
	for _, u := range p.units {
		if u.file == nil || bound == nil {
			continue
		}
		for _, st := range u.file.Body {
			if ta, ok := st.(*syntax.TypeAliasStmt); ok {
				bind(u, ta.Name.Name(), spanOf(ta.Name))
			}
		}
		var assigns func(body []syntax.Stmt)
		assigns = func(body []syntax.Stmt) {
			for _, st := range body {
				switch st := st.(type) {
				case *syntax.AssignStmt:
					for _, t := range st.Targets {
						name := rootName(t)
						if first, ok := bound[name]; ok && !strings.HasPrefix(name, "_") {
							byFile[u.path] = append(byFile[u.path], Error{Kind: KindImmutable, File: u.path, Span: spanOf(t),
								Msg:     "Can not change the value of '" + name + "', because it was declared immutable",
								Related: []Related{{File: first.file, Span: first.span, Msg: "The variable '" + name + "' is declared here"}}})
						}
						bind(u, name, spanOf(t))
					}
				case *syntax.UnificationStmt:
					if len(st.Target.Names) > 0 {
						bind(u, st.Target.Names[0], spanOf(st.Target))
					}
				case *syntax.IfStmt:
					assigns(st.Body)
					assigns(st.Else)
				}
			}
		}
		assigns(u.file.Body)
	}
	bound = nil
	aug := map[string][]Error{}
	if hasAugAssign(p) {
		w := &augWalker{global: map[string]binding{}, errs: aug}
		for _, u := range p.units {
			if u.file != nil {
				w.path = u.path
				syntax.Walk(w, u.file)
			}
		}
	}
	for _, u := range p.units {
		info := p.infos[u.path]
		if info == nil || len(byFile[u.path])+len(aug[u.path]) == 0 {
			continue
		}
		rest := info.Errors
		for _, e := range aug[u.path] {
			i := sort.Search(len(rest), func(i int) bool { return rest[i].Span.From.Offset > e.Span.From.Offset })
			rest = append(rest[:i:i], append([]Error{e}, rest[i:]...)...)
		}
		info.Errors = append(byFile[u.path], rest...)
	}
}

// rebinds reports whether a top-level name of the package may be bound twice (by two
// assignments or unifications, or by one and an import, schema, rule or type alias); an
// assignment to something else than a name counts as such.
func rebinds(p *Package) bool {
	p.settings("")
	for _, n := range p.sets {
		if n > 1 {
			return true
		}
	}
	var other func(body []syntax.Stmt) bool
	other = func(body []syntax.Stmt) bool {
		for _, st := range body {
			switch st := st.(type) {
			case *syntax.AssignStmt:
				for _, t := range st.Targets {
					if _, ok := t.(*syntax.Ident); !ok {
						return true
					}
				}
			case *syntax.IfStmt:
				if other(st.Body) || other(st.Else) {
					return true
				}
			case *syntax.ImportStmt:
				if p.sets[st.Name] > 0 {
					return true
				}
			case *syntax.SchemaStmt:
				if p.sets[st.Name.Name()] > 0 {
					return true
				}
			case *syntax.RuleStmt:
				if p.sets[st.Name.Name()] > 0 {
					return true
				}
			case *syntax.TypeAliasStmt:
				if p.sets[st.Name.Name()] > 0 {
					return true
				}
			}
		}
		return false
	}
	for _, u := range p.units {
		if u.file != nil && other(u.file.Body) {
			return true
		}
	}
	return false
}

// binding is where a name was bound first.
type binding struct {
	file string
	span syntax.Span
}

// hasAugAssign reports whether a package has an augmented assignment anywhere: without one
// the walk binding every top-level name is spared.
func hasAugAssign(p *Package) bool {
	var f augFinder
	for _, u := range p.units {
		if u.file != nil && !f.found {
			syntax.Walk(&f, u.file)
		}
	}
	return f.found
}

type augFinder struct{ found bool }

func (f *augFinder) Visit(n syntax.Node) syntax.Visitor {
	if _, ok := n.(*syntax.AugAssignStmt); ok {
		f.found = true
	}
	if f.found {
		return nil
	}
	return f
}

// augWalker finds the augmented assignments to bound public names, in source order.
type augWalker struct {
	path   string
	global map[string]binding // names bound at the top level so far, where they were first
	nested []bool             // per visited node: whether it opens a schema, rule or lambda body
	depth  int                // open schema, rule and lambda bodies
	errs   map[string][]Error
}

func (w *augWalker) Visit(n syntax.Node) syntax.Visitor {
	if n == nil {
		if w.nested[len(w.nested)-1] {
			w.depth--
		}
		w.nested = w.nested[:len(w.nested)-1]
		return nil
	}
	nested := false
	switch n := n.(type) {
	case *syntax.SchemaStmt:
		w.bind(n.Name.Name(), n.Name)
		nested = true
	case *syntax.RuleStmt:
		w.bind(n.Name.Name(), n.Name)
		nested = true
	case *syntax.LambdaExpr:
		nested = true
	case *syntax.AssignStmt:
		for _, t := range n.Targets {
			w.bind(rootName(t), t)
		}
	case *syntax.AugAssignStmt:
		name := rootName(n.Target)
		_, isConfig := n.Value.(*syntax.SchemaExpr)
		if first, ok := w.global[name]; ok && !isConfig && !strings.HasPrefix(name, "_") {
			w.errs[w.path] = append(w.errs[w.path], Error{Kind: KindImmutable, File: w.path, Span: spanOf(n.Target),
				Msg:     "Immutable variable '" + name + "' is modified during compiling",
				Related: []Related{{File: first.file, Span: first.span, Msg: "The variable '" + name + "' is declared here firstly"}}})
		} else {
			w.bind(name, n.Target)
		}
	}
	w.nested = append(w.nested, nested)
	if nested {
		w.depth++
	}
	return w
}

// bind records a name bound at the top level (not inside a schema, rule or lambda body) by the
// node at.
func (w *augWalker) bind(name string, at syntax.Node) {
	if w.depth == 0 && name != "" {
		if _, ok := w.global[name]; !ok {
			w.global[name] = binding{w.path, spanOf(at)}
		}
	}
}

// rootName is the variable an assignment target assigns: x for x, x.y and x[0].
func rootName(t syntax.Expr) string {
	switch t := t.(type) {
	case *syntax.Ident:
		if len(t.Names) > 0 {
			return t.Names[0]
		}
	case *syntax.SelectorExpr:
		return rootName(t.X)
	case *syntax.SubscriptExpr:
		return rootName(t.X)
	}
	return ""
}
