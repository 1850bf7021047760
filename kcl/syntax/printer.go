package syntax

import (
	"strconv"
	"strings"
)

// Print renders a node as KCL source in a canonical layout (4-space
// indentation, one config entry per line, strings and numbers as written).
// Comments are not kept. Parsing the output of Print gives the same tree
// (up to positions); it is meant for debugging, tests and tools.
func Print(n Node) string {
	var pr printer
	switch n := n.(type) {
	case *File:
		pr.file(n)
	case Stmt:
		pr.stmt(n)
	case Expr:
		pr.expr(n)
	case TypeExpr:
		pr.typ(n)
	}
	return pr.b.String()
}

type printer struct {
	b      strings.Builder
	indent int
	fmt    *formatState // set by Format: keep comments, blank lines and one-line layouts
}

func (pr *printer) w(s string) { pr.b.WriteString(s) }

func (pr *printer) nl() {
	pr.b.WriteByte('\n')
	for i := 0; i < pr.indent; i++ {
		pr.b.WriteString("    ")
	}
}

func (pr *printer) file(f *File) {
	if pr.fmt != nil {
		pr.fmtFile(f)
		return
	}
	if f.Doc != nil {
		pr.w(f.Doc.Raw)
		pr.b.WriteByte('\n')
	}
	for _, s := range f.Body {
		pr.stmt(s)
		pr.b.WriteByte('\n')
	}
}

// block prints statements on their own lines, one level deeper.
func (pr *printer) block(list []Stmt) {
	pr.indent++
	if pr.fmt != nil {
		pr.fmtStmts(list)
		pr.indent--
		return
	}
	for _, s := range list {
		pr.nl()
		pr.stmt(s)
	}
	pr.indent--
}

func (pr *printer) stmt(s Stmt) {
	switch s := s.(type) {
	case *ImportStmt:
		pr.w("import ")
		path := strings.TrimLeft(s.Path, ".")
		pr.w(s.Path[:len(s.Path)-len(path)])
		for i, n := range strings.Split(path, ".") {
			if i > 0 {
				pr.w(".")
			}
			if Lookup(n) != IDENT {
				pr.w("$")
			}
			pr.w(n)
		}
		if s.AsName != nil {
			pr.w(" as ")
			pr.ident(s.AsName)
		}
	case *AssignStmt:
		for i, t := range s.Targets {
			pr.expr(t)
			if i == 0 && s.Type != nil {
				pr.w(": ")
				pr.typ(s.Type)
			}
			pr.w(" = ")
		}
		pr.expr(s.Value)
	case *AugAssignStmt:
		pr.expr(s.Target)
		pr.w(" " + s.Op.String() + " ")
		pr.expr(s.Value)
	case *UnificationStmt:
		pr.ident(s.Target)
		pr.w(": ")
		pr.expr(s.Value)
	case *ExprStmt:
		pr.expr(s.X)
	case *IfStmt:
		pr.ifStmt(s, "if ")
	case *AssertStmt:
		pr.w("assert ")
		pr.expr(s.Test)
		if s.If != nil {
			pr.w(" if ")
			pr.expr(s.If)
		}
		if s.Msg != nil {
			pr.w(", ")
			pr.expr(s.Msg)
		}
	case *TypeAliasStmt:
		pr.w("type ")
		pr.ident(s.Name)
		pr.w(" = ")
		pr.typ(s.Type)
	case *SchemaStmt:
		pr.schema(s)
	case *SchemaAttr:
		pr.decorators(s.Decorators)
		if s.IsStringName {
			pr.w(strconv.Quote(s.Name.Name()))
		} else {
			pr.ident(s.Name)
		}
		if s.Optional {
			pr.w("?")
		}
		pr.w(": ")
		pr.typ(s.Type)
		if s.Default != nil {
			pr.w(" " + s.Op.String() + " ")
			pr.expr(s.Default)
		}
	case *RuleStmt:
		pr.declHead(s.Decorators, "rule", s.Name, s.Params)
		if len(s.ParentRules) > 0 {
			pr.w("(")
			pr.idents(s.ParentRules)
			pr.w(")")
		}
		pr.forHost(s.ForHost)
		pr.w(":")
		pr.indent++
		pr.doc(s.DocLit, len(s.Checks) > 0 && isBareString(s.Checks[0]))
		for _, c := range s.Checks {
			pr.nl()
			pr.check(c)
		}
		pr.indent--
	case *BadStmt:
		pr.w("<bad statement>")
	}
}

func (pr *printer) ifStmt(s *IfStmt, kw string) {
	pr.w(kw)
	pr.expr(s.Cond)
	pr.w(":")
	pr.block(s.Body)
	if len(s.Else) == 1 {
		if e, ok := s.Else[0].(*IfStmt); ok && e.IsElif {
			pr.nl()
			pr.ifStmt(e, "elif ")
			return
		}
	}
	if s.Else != nil {
		pr.nl()
		pr.w("else:")
		pr.block(s.Else)
	}
}

// declHead prints the decorators, keyword, name and parameters that open a schema or rule.
func (pr *printer) declHead(decorators []*Decorator, kw string, name *Ident, params []*Param) {
	pr.decorators(decorators)
	pr.w(kw + " ")
	pr.ident(name)
	pr.params("[", params, "]")
}

// forHost prints the `for Protocol` of a schema or rule, if any.
func (pr *printer) forHost(host *Ident) {
	if host != nil {
		pr.w(" for ")
		pr.ident(host)
	}
}

// doc prints a body's docstring. Without one, a body that opens with a lone string gets an
// empty docstring first: that string alone on the first line would read back as the docstring.
func (pr *printer) doc(lit *StringLit, opensWithString bool) {
	switch {
	case lit != nil:
		pr.nl()
		pr.w(lit.Raw)
	case opensWithString:
		pr.nl()
		pr.w(`""`)
	}
}

func (pr *printer) decorators(list []*Decorator) {
	for _, d := range list {
		pr.w("@")
		pr.ident(d.Name)
		if d.HasCall {
			pr.w("(")
			pr.args(d.Args, d.Keywords)
			pr.w(")")
		}
		pr.nl()
	}
}

func (pr *printer) schema(s *SchemaStmt) {
	pr.declHead(s.Decorators, s.Kind.String(), s.Name, s.Params)
	if s.Parent != nil {
		pr.w("(")
		pr.ident(s.Parent)
		pr.w(")")
	}
	pr.forHost(s.ForHost)
	pr.w(":")
	pr.indent++
	pr.doc(s.DocLit, len(s.Mixins) == 0 && s.IndexSignature == nil && len(s.Body) > 0 && isBareStringStmt(s.Body[0]))
	if len(s.Mixins) > 0 {
		pr.nl()
		pr.w("mixin [")
		pr.idents(s.Mixins)
		pr.w("]")
	}
	if sig := s.IndexSignature; sig != nil {
		pr.nl()
		pr.w("[")
		if sig.KeyName != nil {
			pr.ident(sig.KeyName)
			pr.w(": ")
		}
		if sig.AnyOther {
			pr.w("...")
		}
		pr.typ(sig.KeyType)
		pr.w("]: ")
		pr.typ(sig.ValueType)
		if sig.Value != nil {
			pr.w(" = ")
			pr.expr(sig.Value)
		}
	}
	if pr.fmt != nil {
		pr.fmtStmts(s.Body)
	} else {
		for _, st := range s.Body {
			pr.nl()
			pr.stmt(st)
		}
	}
	if len(s.Checks) > 0 {
		if pr.fmt != nil && pr.b.Len() > 0 {
			pr.b.WriteByte('\n') // the canonical style sets the check block apart
		}
		pr.nl()
		pr.w("check:")
		pr.indent++
		for _, c := range s.Checks {
			if pr.fmt != nil {
				pr.fmtLeading(c.Pos().Offset)
			}
			pr.nl()
			pr.check(c)
			if pr.fmt != nil {
				pr.fmtTrailing(c.End())
			}
		}
		pr.indent--
	}
	pr.indent--
}

func (pr *printer) check(c *CheckExpr) {
	pr.expr(c.Test)
	if c.IfCond != nil {
		pr.w(" if ")
		pr.expr(c.IfCond)
	}
	if c.Msg != nil {
		pr.w(", ")
		pr.expr(c.Msg)
	}
}

func (pr *printer) params(open string, list []*Param, close string) {
	if list == nil {
		return
	}
	pr.w(open)
	separated(list, ", ", pr.w, func(p *Param) {
		pr.ident(p.Name)
		if p.Type != nil {
			pr.w(": ")
			pr.typ(p.Type)
		}
		if p.Default != nil {
			pr.w(" = ")
			pr.expr(p.Default)
		}
	})
	pr.w(close)
}

// ident prints a possibly dotted name, escaping keywords with '$'.
func (pr *printer) ident(id *Ident) {
	for i, n := range id.Names {
		if i > 0 {
			pr.w(".")
		}
		if Lookup(n) != IDENT {
			pr.w("$")
		}
		pr.w(n)
	}
}

func (pr *printer) args(args []Expr, kws []*Keyword) {
	pr.exprs(args)
	for i, k := range kws {
		if i > 0 || len(args) > 0 {
			pr.w(", ")
		}
		pr.ident(k.Name)
		pr.w("=")
		pr.expr(k.Value)
	}
}

func (pr *printer) exprs(list []Expr) { separated(list, ", ", pr.w, pr.expr) }

func (pr *printer) idents(list []*Ident) { separated(list, ", ", pr.w, pr.ident) }

// separated prints every item with print, with sep written between two items.
func separated[T any](items []T, sep string, w func(string), print func(T)) {
	for i, it := range items {
		if i > 0 {
			w(sep)
		}
		print(it)
	}
}

func (pr *printer) expr(x Expr) {
	switch x := x.(type) {
	case nil:
	case *Ident:
		pr.ident(x)
	case *NumberLit:
		pr.w(x.Raw + x.Suffix)
	case *StringLit:
		pr.w(x.Raw)
	case *JoinedString:
		pr.w(x.Raw)
	case *NameConstant:
		pr.w(x.Value.String())
	case *UnaryExpr:
		if x.Op == KW_NOT {
			pr.w("not ")
		} else {
			pr.w(x.Op.String())
		}
		pr.expr(x.X)
	case *BinaryExpr:
		pr.expr(x.X)
		pr.w(" " + x.Op.String() + " ")
		pr.expr(x.Y)
	case *CompareExpr:
		pr.expr(x.Left)
		for i, op := range x.Ops {
			pr.w(" " + op.String() + " ")
			pr.expr(x.Comparators[i])
		}
	case *AsExpr:
		pr.expr(x.X)
		pr.w(" as ")
		pr.typ(x.Type)
	case *IfExpr:
		pr.expr(x.Body)
		pr.w(" if ")
		pr.expr(x.Cond)
		pr.w(" else ")
		pr.expr(x.Orelse)
	case *CallExpr:
		pr.expr(x.Func)
		pr.w("(")
		pr.args(x.Args, x.Keywords)
		pr.w(")")
	case *SelectorExpr:
		pr.expr(x.X)
		if x.HasQuestion {
			pr.w("?")
		}
		pr.w(".")
		pr.ident(x.Attr)
	case *SubscriptExpr:
		pr.expr(x.X)
		if x.HasQuestion {
			pr.w("?")
		}
		pr.w("[")
		if x.IsSlice {
			pr.expr(x.Lower)
			pr.w(":")
			pr.expr(x.Upper)
			if x.Step != nil {
				pr.w(":")
				pr.expr(x.Step)
			}
		} else {
			pr.expr(x.Index)
		}
		pr.w("]")
	case *ParenExpr:
		pr.w("(")
		pr.expr(x.X)
		pr.w(")")
	case *ListExpr:
		if pr.fmt != nil {
			pr.fmtList(x)
			break
		}
		pr.list(x.Elts)
	case *ListIfItem:
		pr.listIf(x)
	case *ListComp:
		pr.w("[")
		pr.expr(x.Elt)
		pr.comps(x.Generators)
		pr.w("]")
	case *ConfigExpr:
		if pr.fmt != nil {
			pr.fmtConfig(x)
			break
		}
		pr.config(x.Entries)
	case *DictComp:
		pr.w("{")
		pr.expr(x.Key)
		pr.configOp(x.Op)
		pr.expr(x.Value)
		pr.comps(x.Generators)
		pr.w("}")
	case *StarredExpr:
		pr.w("*")
		pr.expr(x.X)
	case *DoubleStarredExpr:
		pr.w("**")
		pr.expr(x.X)
	case *SchemaExpr:
		pr.ident(x.Name)
		if x.Args != nil || x.Kwargs != nil {
			pr.w("(")
			pr.args(x.Args, x.Kwargs)
			pr.w(")")
		}
		pr.w(" ")
		pr.expr(x.Config)
	case *LambdaExpr:
		pr.w("lambda")
		if len(x.Params) > 0 {
			pr.w(" ")
			pr.params("", x.Params, "")
		}
		if x.ReturnType != nil {
			pr.w(" -> ")
			pr.typ(x.ReturnType)
		}
		pr.w(" {")
		pr.block(x.Body)
		pr.nl()
		pr.w("}")
	case *QuantExpr:
		pr.w(x.Op.String() + " ")
		pr.idents(x.Vars)
		pr.w(" in ")
		pr.expr(x.Target)
		pr.w(" { ")
		pr.expr(x.Test)
		if x.IfCond != nil {
			pr.w(" if ")
			pr.expr(x.IfCond)
		}
		pr.w(" }")
	case *FormattedValue:
		pr.w("${")
		pr.expr(x.Value)
		if x.FormatSpec != "" {
			pr.w(": " + x.FormatSpec)
		}
		pr.w("}")
	case *BadExpr:
		pr.w("<bad expression>")
	}
}

func (pr *printer) comps(gens []*CompClause) {
	for _, g := range gens {
		pr.w(" for ")
		pr.idents(g.Targets)
		pr.w(" in ")
		pr.expr(g.Iter)
		for _, c := range g.Ifs {
			pr.w(" if ")
			pr.expr(c)
		}
	}
}

// list prints a list literal, one element per line when it has inline ifs
// (whose extent is decided by layout).
func (pr *printer) list(elts []Expr) {
	multi := false
	for _, e := range elts {
		if _, ok := e.(*ListIfItem); ok {
			multi = true
		}
	}
	if !multi {
		pr.w("[")
		pr.exprs(elts)
		pr.w("]")
		return
	}
	pr.w("[")
	pr.indent++
	for _, e := range elts {
		pr.nl()
		pr.expr(e)
	}
	pr.indent--
	pr.nl()
	pr.w("]")
}

func (pr *printer) listIf(it *ListIfItem) {
	pr.w("if ")
	pr.expr(it.Cond)
	pr.w(":")
	pr.listItems(it.Exprs)
	switch o := it.Orelse.(type) {
	case *ListIfItem:
		pr.nl()
		pr.w("el")
		pr.listIf(o)
	case *ListExpr:
		pr.nl()
		pr.w("else:")
		pr.listItems(o.Elts)
	}
}

func (pr *printer) listItems(list []Expr) {
	pr.indent++
	for _, e := range list {
		pr.nl()
		pr.expr(e)
	}
	pr.indent--
}

func (pr *printer) configOp(op ConfigOp) {
	if op == OpUnion {
		pr.w(": ")
		return
	}
	pr.w(" " + op.String() + " ")
}

func (pr *printer) config(entries []*ConfigEntry) {
	if len(entries) == 0 {
		pr.w("{}")
		return
	}
	pr.w("{")
	pr.entries(entries)
	pr.nl()
	pr.w("}")
}

func (pr *printer) entries(entries []*ConfigEntry) {
	pr.indent++
	for _, e := range entries {
		if pr.fmt != nil {
			pr.fmtLeading(e.Pos().Offset)
		}
		pr.nl()
		pr.entry(e)
		if pr.fmt != nil {
			pr.fmtTrailing(e.End())
		}
	}
	pr.indent--
}

func (pr *printer) entry(e *ConfigEntry) {
	if e.Key == nil {
		if it, ok := e.Value.(*ConfigIfEntry); ok {
			pr.configIf(it)
			return
		}
		pr.expr(e.Value)
		return
	}
	pr.expr(e.Key)
	if e.InsertIndex != nil {
		pr.w("[")
		pr.expr(e.InsertIndex)
		pr.w("]")
	}
	pr.configOp(e.Op)
	pr.expr(e.Value)
}

func (pr *printer) configIf(it *ConfigIfEntry) {
	pr.w("if ")
	pr.expr(it.Cond)
	pr.w(":")
	pr.entries(it.Entries)
	switch o := it.Orelse.(type) {
	case *ConfigIfEntry:
		pr.nl()
		pr.w("el")
		pr.configIf(o)
	case *ConfigExpr:
		pr.nl()
		pr.w("else:")
		pr.entries(o.Entries)
	}
}

func (pr *printer) typ(t TypeExpr) {
	switch t := t.(type) {
	case nil:
	case *BasicType:
		pr.w(t.Name)
	case *AnyType:
		pr.w("any")
	case *NamedType:
		pr.ident(t.Name)
	case *ListType:
		pr.w("[")
		pr.typ(t.Elem)
		pr.w("]")
	case *DictType:
		pr.w("{")
		if t.Key != nil || t.Value != nil {
			pr.typ(t.Key)
			pr.w(":")
			pr.typ(t.Value)
		}
		pr.w("}")
	case *UnionType:
		for i, u := range t.Types {
			if i > 0 {
				pr.w(" | ")
			}
			if ft, ok := u.(*FunctionType); ok && ft.Result != nil {
				// a function type's result would take the rest of the union
				pr.w("(")
				pr.typ(u)
				pr.w(")")
				continue
			}
			pr.typ(u)
		}
	case *LiteralType:
		pr.expr(t.Value)
	case *FunctionType:
		pr.w("(")
		separated(t.Params, ", ", pr.w, pr.typ)
		pr.w(")")
		if t.Result != nil {
			pr.w(" -> ")
			if _, union := t.Result.(*UnionType); union {
				pr.w("(")
				pr.typ(t.Result)
				pr.w(")")
			} else {
				pr.typ(t.Result)
			}
		}
	case *BadType:
		pr.w("<bad type>")
	}
}

// isBareString reports whether c is a lone string literal, which the parser takes for a
// docstring when it opens a rule body.
func isBareString(c *CheckExpr) bool {
	_, ok := c.Test.(*StringLit)
	return ok && c.IfCond == nil && c.Msg == nil
}

// isBareStringStmt reports whether st is a lone string literal statement, which
// the parser takes for a docstring when it opens a schema body.
func isBareStringStmt(st Stmt) bool {
	es, ok := st.(*ExprStmt)
	if !ok {
		return false
	}
	_, ok = es.X.(*StringLit)
	return ok
}
