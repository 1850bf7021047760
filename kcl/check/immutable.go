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
// Its errors go before the others of their file; the `+=` ones among them in source order.
func checkImmutable(p *Package) {
	byFile := map[string][]Error{}
	bound := map[string]bool{}
	for _, u := range p.units {
		if u.file == nil {
			continue
		}
		for _, st := range u.file.Body {
			switch st := st.(type) {
			case *syntax.ImportStmt:
				bound[st.Name] = true
			case *syntax.SchemaStmt:
				bound[st.Name.Name()] = true
			case *syntax.RuleStmt:
				bound[st.Name.Name()] = true
			}
		}
	}
	for _, u := range p.units {
		if u.file == nil {
			continue
		}
		for _, st := range u.file.Body {
			if ta, ok := st.(*syntax.TypeAliasStmt); ok {
				bound[ta.Name.Name()] = true
			}
		}
		var assigns func(body []syntax.Stmt)
		assigns = func(body []syntax.Stmt) {
			for _, st := range body {
				switch st := st.(type) {
				case *syntax.AssignStmt:
					for _, t := range st.Targets {
						name := rootName(t)
						if name == "" {
							continue
						}
						if bound[name] && !strings.HasPrefix(name, "_") {
							byFile[u.path] = append(byFile[u.path], Error{Kind: KindImmutable, File: u.path, Span: spanOf(t),
								Msg: "Can not change the value of '" + name + "', because it was declared immutable"})
						}
						bound[name] = true
					}
				case *syntax.UnificationStmt:
					if len(st.Target.Names) > 0 {
						bound[st.Target.Names[0]] = true
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
	w := &augWalker{global: map[string]bool{}, errs: aug}
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
	global map[string]bool // names bound at the top level so far
	nested []bool          // per visited node: whether it opens a schema, rule or lambda body
	depth  int             // open schema, rule and lambda bodies
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
		w.bind(n.Name.Name())
		nested = true
	case *syntax.RuleStmt:
		w.bind(n.Name.Name())
		nested = true
	case *syntax.LambdaExpr:
		nested = true
	case *syntax.AssignStmt:
		for _, t := range n.Targets {
			w.bind(rootName(t))
		}
	case *syntax.AugAssignStmt:
		name := rootName(n.Target)
		_, isConfig := n.Value.(*syntax.SchemaExpr)
		if name != "" && w.global[name] && !isConfig && !strings.HasPrefix(name, "_") {
			w.errs[w.path] = append(w.errs[w.path], Error{Kind: KindImmutable, File: w.path, Span: spanOf(n.Target),
				Msg: "Immutable variable '" + name + "' is modified during compiling"})
		} else {
			w.bind(name)
		}
	}
	w.nested = append(w.nested, nested)
	if nested {
		w.depth++
	}
	return w
}

// bind records a name bound at the top level (not inside a schema, rule or lambda body).
func (w *augWalker) bind(name string) {
	if w.depth == 0 && name != "" {
		w.global[name] = true
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
