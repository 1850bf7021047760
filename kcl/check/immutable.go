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
	bound := map[string]syntax.Span{}
	boundIn := map[string]string{}
	bind := func(u *fileUnit, name string, sp syntax.Span) {
		if _, ok := bound[name]; !ok && name != "" {
			bound[name], boundIn[name] = sp, u.path
		}
	}
	for _, u := range p.units {
		if u.file == nil {
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
		if u.file == nil {
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
								Related: []Related{{File: boundIn[name], Span: first, Msg: "The variable '" + name + "' is declared here"}}})
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
	aug := map[string][]Error{}
	w := &augWalker{global: map[string]Related{}, errs: aug}
	for _, u := range p.units {
		if u.file != nil {
			w.path = u.path
			syntax.Walk(w, u.file)
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

// augWalker finds the augmented assignments to bound public names, in source order.
type augWalker struct {
	path   string
	global map[string]Related // names bound at the top level so far, where they were first
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
				Msg: "Immutable variable '" + name + "' is modified during compiling", Related: []Related{first}})
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
			w.global[name] = Related{File: w.path, Span: spanOf(at), Msg: "The variable '" + name + "' is declared here firstly"}
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
