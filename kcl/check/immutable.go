package check

import (
	"sort"
	"strings"

	"github.com/kpm-dev/kpm/kcl/syntax"
)

// KindImmutable is the kind of the errors of checkImmutable.
const KindImmutable = "ImmutableError"

// immutability reports the assignments the toolchain refuses before running a package, in
// its order: a public top-level name is bound once in the package. The check of a package's
// bodies hands it each top-level statement after checking it (one walk of a large file).
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
type immutability struct {
	p *Package
	// one entry per top-level name: a large program has one per statement, so the map is made
	// only when a name may be bound twice
	bound  map[string]binding
	byFile map[string][]Error
	aug    *augWalker // nil without an augmented assignment in the package
}

// newImmutability starts the check of a package's assignments; nil when there is nothing to
// check.
func newImmutability(p *Package) *immutability {
	im := &immutability{p: p, byFile: map[string][]Error{}}
	if rebinds(p) {
		im.bound = map[string]binding{}
		for _, u := range p.units {
			if u.file == nil {
				continue
			}
			// imports, schemas and rules are never released (syntax.ParseFileFunc): a nil
			// statement is none of them
			for _, st := range u.file.Body {
				switch st := st.(type) {
				case *syntax.ImportStmt:
					im.bind(u, st.Name, spanOf(st))
				case *syntax.SchemaStmt:
					im.bind(u, st.Name.Name(), spanOf(st.Name))
				case *syntax.RuleStmt:
					im.bind(u, st.Name.Name(), spanOf(st.Name))
				}
			}
		}
	}
	if !p.augSearched {
		p.augSearched = true
		for _, u := range p.units {
			for i := 0; u.file != nil && i < len(u.file.Body) && !p.augAssign; i++ {
				p.augAssign = hasAugAssign(u.stmt(i))
				u.release(i)
			}
		}
	}
	if p.augAssign {
		im.aug = &augWalker{global: map[string]binding{}, errs: map[string][]Error{}}
	}
	if im.bound == nil && im.aug == nil {
		return nil
	}
	return im
}

func (im *immutability) bind(u *fileUnit, name string, sp syntax.Span) {
	if _, ok := im.bound[name]; !ok && name != "" {
		im.bound[name] = binding{u.path, sp}
	}
}

// unit starts the top-level statements of a file.
func (im *immutability) unit(u *fileUnit) {
	if im == nil {
		return
	}
	if im.bound != nil {
		for _, a := range u.aliases {
			im.bind(u, a.name, a.span)
		}
	}
	if im.aug != nil {
		im.aug.path = u.path
	}
}

// stmt checks a top-level statement of the file started last.
func (im *immutability) stmt(u *fileUnit, st syntax.Stmt) {
	if im == nil {
		return
	}
	if im.bound != nil {
		im.assigns(u, st)
	}
	if im.aug != nil {
		syntax.Walk(im.aug, st)
	}
}

func (im *immutability) assigns(u *fileUnit, st syntax.Stmt) {
	switch st := st.(type) {
	case *syntax.AssignStmt:
		for _, t := range st.Targets {
			name := rootName(t)
			if first, ok := im.bound[name]; ok && !strings.HasPrefix(name, "_") {
				im.byFile[u.path] = append(im.byFile[u.path], Error{Kind: KindImmutable, File: u.path, Span: spanOf(t),
					Msg:     "Can not change the value of '" + name + "', because it was declared immutable",
					Related: []Related{{File: first.file, Span: first.span, Msg: "The variable '" + name + "' is declared here"}}})
			}
			im.bind(u, name, spanOf(t))
		}
	case *syntax.UnificationStmt:
		if len(st.Target.Names) > 0 {
			im.bind(u, st.Target.Names[0], spanOf(st.Target))
		}
	case *syntax.IfStmt:
		for _, list := range [][]syntax.Stmt{st.Body, st.Else} {
			for _, inner := range list {
				im.assigns(u, inner)
			}
		}
	}
}

// finish puts the errors found before the others of their files.
func (im *immutability) finish() {
	if im == nil {
		return
	}
	var aug map[string][]Error
	if im.aug != nil {
		aug = im.aug.errs
	}
	for _, u := range im.p.units {
		info := im.p.infos[u.path]
		if info == nil || len(im.byFile[u.path])+len(aug[u.path]) == 0 {
			continue
		}
		rest := info.Errors
		for _, e := range aug[u.path] {
			i := sort.Search(len(rest), func(i int) bool { return rest[i].Span.From.Offset > e.Span.From.Offset })
			rest = append(rest[:i:i], append([]Error{e}, rest[i:]...)...)
		}
		info.Errors = append(im.byFile[u.path], rest...)
	}
}

// rebinds reports whether a top-level name of the package may be bound twice (by two
// assignments or unifications, or by one and an import, schema, rule or type alias); an
// assignment to something else than a name counts as such.
func rebinds(p *Package) bool {
	if p.rebound {
		return true
	}
	for _, name := range p.named {
		if p.settings(name) > 0 {
			return true
		}
	}
	return false
}

// namedSpan is a name declared at a span.
type namedSpan struct {
	name string
	span syntax.Span
}

// binding is where a name was bound first.
type binding struct {
	file string
	span syntax.Span
}

// hasAugAssign reports whether a statement has an augmented assignment anywhere: without one in
// a package the walk binding every top-level name is spared.
func hasAugAssign(st syntax.Stmt) bool {
	var f augFinder
	syntax.Walk(&f, st)
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
