package check

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/kpm-dev/kpm/kcl/syntax"
)

type stmtCtx int

const (
	ctxTop    stmtCtx = iota // module level: names are package variables
	ctxSchema                // a schema body: names are attributes
	ctxLocal                 // a lambda body: names are local variables
)

// fileChecker checks the statements and expressions of one file.
type fileChecker struct {
	unit     *fileUnit
	info     *Info
	report   bool
	noRefs   bool             // Config.NoRefs
	lenient  int              // inside mixins and protocols: names may come from the host schema
	inSchema int              // inside schema and rule bodies, where schema literals are checked as they run
	merged   bool             // checking the value of a variable the package sets more than once
	silent   int              // resolving names whose type the reference does not know yet: nothing is reported
	again    int              // resolving names a second time: their uses are recorded already
	refined  map[*Object]Type // variables first set to None: the type of their next value
	last     *Object          // the object the last resolved name denoted
}

func (c *fileChecker) ref(sp syntax.Span, o *Object, def bool) {
	if o != nil && c.report && !c.noRefs && c.again == 0 {
		c.info.Refs = append(c.info.Refs, Ref{Span: sp, Obj: o, Def: def})
	}
}

// addScope records a local scope for the editor's lookups at a position (not with NoRefs: a
// large program has many lambdas and comprehensions, and kpm run looks nothing up).
func (c *fileChecker) addScope(s *Scope) {
	if !c.noRefs {
		c.info.Scopes = append(c.info.Scopes, s)
	}
}

func (c *fileChecker) stmts(s *Scope, list []syntax.Stmt, ctx stmtCtx) {
	for _, st := range list {
		c.stmt(s, st, ctx)
	}
}

func (c *fileChecker) stmt(s *Scope, st syntax.Stmt, ctx stmtCtx) {
	switch st := st.(type) {
	case *syntax.ImportStmt:
		o := s.Lookup(st.Name)
		if o != nil && o.Kind == ImportObj {
			c.ref(o.Span, o, true)
			if _, err := c.unit.pkg.c.importModule(c.unit, st); err != nil {
				c.errorAt(st.PathSpan, KindImport, "%s", err.Error())
			}
		}
	case *syntax.AssignStmt:
		var declared Type
		if st.Type != nil {
			declared = c.typeExpr(s, st.Type)
		}
		var target, fresh, refine *Object
		decl := c.declaring(st.Type, st.Targets, ctx)
		for _, t := range st.Targets {
			if id, ok := t.(*syntax.Ident); ok {
				target = c.assignTarget(s, id, ctx)
				if target != nil && target != decl {
					target.Type()
				}
				if declared == nil && target != nil && target.Kind == AttrObj && target.Typed() {
					declared = target.Type()
				}
				if declared == nil && target != nil {
					declared = c.firstType(s, target, id)
				}
				if declared == nil && target != nil && c.noneFirst(target, id) {
					// a variable first set to None takes the type of its next value
					if t, seen := c.refined[target]; seen {
						declared = t
					} else {
						refine = target
					}
				}
				if ctx == ctxLocal && target != nil && target.typ == nil && target.resolver() == nil {
					fresh = target
				}
			} else {
				c.expr(s, t, nil)
			}
		}
		if id, ok := st.Targets[0].(*syntax.Ident); ok && ctx == ctxTop {
			c.merged = c.unit.pkg.settings(id.Names[0]) > 1
		}
		vt := c.declValue(s, decl, st.Value, declared, c.unit.pkg.widened)
		c.merged = false
		if fresh != nil {
			fresh.typ = widen(vt)
		}
		if refine != nil {
			if c.refined == nil {
				c.refined = map[*Object]Type{}
			}
			c.refined[refine] = nil // an unknown next value: nothing more is checked
			if t := widen(vt); certain(t) {
				c.refined[refine] = t
			}
		}
		if declared != nil && len(st.Targets) > 0 && !assignable(vt, declared) {
			e := c.errorf(st.Targets[0], KindType, "expected %s, got %s", declared, vt)
			if e != nil && target != nil && target.Kind == AttrObj && target.File() != "" {
				e.Related = append(e.Related, Related{File: target.File(), Span: target.Span,
					Msg: fmt.Sprintf("variable is defined here, its type is %s, but got %s", declared, vt)})
			}
		}
	case *syntax.AugAssignStmt:
		var tt Type
		if id, ok := st.Target.(*syntax.Ident); ok {
			if o := c.assignTarget(s, id, ctx); o != nil {
				tt = o.Type()
			}
		} else {
			tt = c.expr(s, st.Target, nil)
		}
		vt := c.expr(s, st.Value, nil)
		if tt != nil {
			c.binaryOp(st, st.Op.BinaryOf(), tt, vt)
		}
	case *syntax.UnificationStmt:
		decl := c.declaring(nil, []syntax.Expr{st.Target}, ctx)
		if o := c.assignTarget(s, st.Target, ctx); o != nil && o != decl {
			o.Type()
		}
		c.merged = ctx == ctxTop && c.unit.pkg.settings(st.Target.Names[0]) > 1
		// the reference checks little of a unification a later one repeats (its names are not
		// even resolved; only the last one runs): nothing is reported about it
		later := ctx == ctxTop && c.unit.pkg.unifiedLater(c.unit, st)
		if later {
			c.silent++
		}
		c.declValue(s, decl, st.Value, nil, func(t Type) Type { return t })
		if later {
			c.silent--
		}
		c.merged = false
	case *syntax.ExprStmt:
		c.expr(s, st.X, nil)
	case *syntax.IfStmt:
		c.expr(s, st.Cond, nil)
		c.stmts(s, st.Body, ctx)
		c.stmts(s, st.Else, ctx)
	case *syntax.AssertStmt:
		c.expr(s, st.Test, nil)
		c.optExpr(s, st.If)
		c.optExpr(s, st.Msg)
	case *syntax.TypeAliasStmt:
		if o := s.Lookup(st.Name.Name()); o != nil {
			c.ref(st.Name.Span, o, true)
		}
		c.typeExpr(s, st.Type)
	case *syntax.SchemaStmt:
		c.schemaStmt(s, st)
	case *syntax.RuleStmt:
		c.ruleStmt(s, st)
	case *syntax.SchemaAttr:
		c.schemaAttr(s, st)
	}
}

// declaring is the package variable a top-level statement declares when the variable's type
// is its value's (no annotation, one target) and not known yet: the statement's walk of the
// value gives it (walking a large config a second time only for its type doubles its cost).
func (c *fileChecker) declaring(ann syntax.TypeExpr, targets []syntax.Expr, ctx stmtCtx) *Object {
	if ctx != ctxTop || ann != nil || len(targets) != 1 {
		return nil
	}
	id, ok := targets[0].(*syntax.Ident)
	if !ok || len(id.Names) != 1 {
		return nil
	}
	o := c.unit.pkg.Scope.Names[id.Names[0]]
	if o == nil || o.Kind != VarObj || o.typ != nil || o.decl == 0 || o.busy || o.File() != c.unit.path || o.Span != id.NameSpans[0] {
		return nil
	}
	return o
}

// declValue checks the value of a statement declaring o (see declaring; nil for any other) and
// gives o its type, conv of the value's. A lambda using o itself (a recursive one) is walked again
// once o has its type, its first walk's errors dropped, as the reference knows a lambda's type in
// its own body; in any other value o's uses stay unknown (`b = {m = lambda { b.k + "s" }}` passes).
func (c *fileChecker) declValue(s *Scope, o *Object, x syntax.Expr, want Type, conv func(Type) Type) Type {
	if o == nil {
		return c.expr(s, x, want)
	}
	errs, scopes, refs := len(c.info.Errors), len(c.info.Scopes), len(c.info.Refs)
	o.busy, o.used = true, false
	t := c.expr(s, x, want)
	o.busy, o.typ = false, conv(t)
	if _, lambda := syntax.Unparen(x).(*syntax.LambdaExpr); o.used && lambda {
		c.info.Errors, c.info.Scopes, c.info.Refs = c.info.Errors[:errs], c.info.Scopes[:scopes], c.info.Refs[:refs]
		t = c.expr(s, x, want)
	}
	return t
}

// firstType is the type a later assignment to a variable must keep: the reference types a
// variable (and an attribute declared without a type) by its first assignment. It is nil for
// the first assignment itself, for attributes of other schemas and when the type is not
// fully known.
func (c *fileChecker) firstType(s *Scope, o *Object, id *syntax.Ident) Type {
	if len(id.Names) != 1 || o.File() == c.unit.path && o.Span == id.NameSpans[0] {
		return nil
	}
	switch o.Kind {
	case VarObj:
	case AttrObj:
		if o.Schema() == nil || o.Schema() != s.Schema {
			return nil
		}
	default:
		return nil
	}
	if t := o.Type(); certain(t) {
		return t
	}
	return nil
}

// noneFirst reports a later assignment to a variable whose first value is None.
func (c *fileChecker) noneFirst(o *Object, id *syntax.Ident) bool {
	return c.report && o.Kind == VarObj && len(id.Names) == 1 && !(o.File() == c.unit.path && o.Span == id.NameSpans[0]) &&
		o.Type() == None
}

func (c *fileChecker) optExpr(s *Scope, x syntax.Expr) {
	if x != nil {
		c.expr(s, x, nil)
	}
}

// assignTarget records the target of an assignment: its declaration, or a use of an
// existing name (and the attributes of a dotted target).
func (c *fileChecker) assignTarget(s *Scope, id *syntax.Ident, ctx stmtCtx) *Object {
	name := id.Names[0]
	var o *Object
	switch ctx {
	case ctxTop:
		o = c.unit.pkg.Scope.Names[name]
	case ctxSchema:
		o = s.Lookup(name)
	case ctxLocal:
		o = s.Names[name]
		if o == nil {
			o = &Object{Name: name, Kind: VarObj, unit: c.unit, Span: id.NameSpans[0]}
			s.insert(o)
		}
	}
	if o == nil {
		o = s.Lookup(name)
	}
	if o == nil {
		return nil
	}
	c.ref(id.NameSpans[0], o, o.File() == c.unit.path && o.Span == id.NameSpans[0])
	if len(id.Names) == 1 {
		return o // its type is the caller's to resolve (see declaring)
	}
	t := o.Type()
	for i := 1; i < len(id.Names); i++ {
		m := c.memberObj(t, id.Names[i])
		if m == nil {
			return nil
		}
		c.ref(id.NameSpans[i], m, false)
		o, t = m, m.Type()
	}
	return o
}

func (c *fileChecker) schemaStmt(s *Scope, st *syntax.SchemaStmt) {
	o := c.unit.pkg.Scope.Names[st.Name.Name()]
	if o == nil || o.Schema() == nil || o.Schema().Node != st {
		return
	}
	sc := o.Schema()
	c.ref(st.Name.Span, o, true)
	for _, d := range st.Decorators {
		c.decorator(s, d)
	}
	if st.Parent != nil {
		c.ident(s, st.Parent)
		if cycle := sc.Cycle(); len(cycle) > 1 {
			names := make([]string, len(cycle))
			for i, m := range cycle {
				names[i] = m.Name
			}
			c.errorAt(st.Name.Span, KindCompile, "There is a circular reference between schemas %s", strings.Join(names, ", "))
		}
	}
	if st.ForHost != nil {
		c.ident(s, st.ForHost)
	}
	for _, m := range st.Mixins {
		c.ident(s, m)
	}
	c.inSchema++
	defer func() { c.inSchema-- }()
	body := newScope(s)
	body.Schema = sc
	body.From, body.To = int(st.Pos().Offset), int(st.End().Offset)
	c.addScope(body)
	c.params(s, body, st.Params, sc.Params())
	if st.Kind != syntax.KindSchema {
		c.lenient++
		defer func() { c.lenient-- }()
	}
	if is := st.IndexSignature; is != nil {
		if is.KeyName != nil {
			k := &Object{Name: is.KeyName.Name(), Kind: VarObj, unit: c.unit, Span: is.KeyName.Span, typ: sc.Index().Key}
			body.insert(k)
			c.ref(is.KeyName.Span, k, true)
		}
		c.typeExpr(s, is.KeyType)
		c.typeExpr(s, is.ValueType)
		if is.Value != nil {
			c.expr(body, is.Value, sc.Index().Value)
		}
	}
	c.stmts(body, st.Body, ctxSchema)
	for _, ch := range st.Checks {
		c.expr(body, ch.Test, nil)
		c.optExpr(body, ch.IfCond)
		c.optExpr(body, ch.Msg)
	}
}

func (c *fileChecker) ruleStmt(s *Scope, st *syntax.RuleStmt) {
	o := c.unit.pkg.Scope.Names[st.Name.Name()]
	if o == nil || o.Schema() == nil || o.Schema().Rule != st {
		return
	}
	c.ref(st.Name.Span, o, true)
	c.inSchema++
	defer func() { c.inSchema-- }()
	for _, p := range st.ParentRules {
		c.ident(s, p)
	}
	if st.ForHost != nil {
		c.ident(s, st.ForHost)
	}
	body := newScope(s)
	body.From, body.To = int(st.Pos().Offset), int(st.End().Offset)
	c.addScope(body)
	c.params(s, body, st.Params, o.Schema().Params())
	c.lenient++ // a rule's body sees the attributes of the schema it is applied for
	defer func() { c.lenient-- }()
	for _, ch := range st.Checks {
		c.expr(body, ch.Test, nil)
		c.optExpr(body, ch.IfCond)
		c.optExpr(body, ch.Msg)
	}
}

func (c *fileChecker) decorator(s *Scope, d *syntax.Decorator) {
	for _, a := range d.Args {
		c.expr(s, a, nil)
	}
	for _, k := range d.Keywords {
		c.expr(s, k.Value, nil)
	}
}

// params declares parameters in a body scope (their defaults are checked in the outer one).
func (c *fileChecker) params(outer, body *Scope, ps []*syntax.Param, typed []Param) {
	for i, p := range ps {
		var t Type = Any
		if i < len(typed) {
			t = typed[i].Type
		} else if p.Type != nil {
			t = c.typeExpr(outer, p.Type)
		}
		if p.Type != nil && i < len(typed) {
			c.typeExpr(outer, p.Type)
		}
		o := &Object{Name: p.Name.Name(), Kind: ParamObj, unit: c.unit, Span: p.Name.Span, typ: t}
		body.insert(o)
		c.ref(p.Name.Span, o, true)
		if p.Default != nil {
			c.expr(outer, p.Default, t)
		}
	}
}

func (c *fileChecker) schemaAttr(s *Scope, a *syntax.SchemaAttr) {
	o := s.Schema.Attr(a.Name.Name())
	if o != nil && o.File() == c.unit.path && o.Span == a.Name.Span {
		c.ref(a.Name.Span, o, true)
	}
	for _, d := range a.Decorators {
		c.decorator(s, d)
	}
	t := c.typeExpr(s, a.Type)
	if a.Default != nil {
		if a.Op.IsAugAssign() {
			// `name: T |= value` unions the value (a config stays a dict) with the inherited default
			c.binaryOp(a, a.Op.BinaryOf(), c.expr(s, a.Default, nil), t)
		} else if vt := c.expr(s, a.Default, t); !assignable(vt, t) {
			c.errorf(a.Name, KindType, "expected %s, got %s", t, vt)
		}
	}
}

// typeExpr converts a type annotation, recording the names it uses.
func (c *fileChecker) typeExpr(s *Scope, t syntax.TypeExpr) Type {
	switch t := t.(type) {
	case *syntax.BasicType:
		if b, ok := basicTypes[t.Name]; ok {
			return b
		}
	case *syntax.NamedType:
		s = c.unit.scope // type names are module-level: a schema attribute never shadows them
		c.last = nil
		rt := c.ident(s, t.Name)
		if st, ok := rt.(*SchemaType); ok {
			return &Instance{st.Schema}
		}
		if c.last != nil && c.last.Kind == TypeAliasObj {
			return rt
		}
	case *syntax.ListType:
		if t.Elem == nil {
			return &List{Any}
		}
		return &List{c.typeExpr(s, t.Elem)}
	case *syntax.DictType:
		d := &Dict{Key: Any, Value: Any}
		if t.Key != nil {
			d.Key = c.typeExpr(s, t.Key)
		}
		if t.Value != nil {
			d.Value = c.typeExpr(s, t.Value)
		}
		return d
	case *syntax.UnionType:
		var ts []Type
		for _, m := range t.Types {
			ts = append(ts, c.typeExpr(s, m))
		}
		return unionOf(ts...)
	case *syntax.LiteralType:
		return literalType(t.Value)
	case *syntax.FunctionType:
		f := &Func{Result: Any}
		for _, p := range t.Params {
			f.Params = append(f.Params, Param{Type: c.typeExpr(s, p)})
		}
		if t.Result != nil {
			f.Result = c.typeExpr(s, t.Result)
		}
		return f
	}
	return Any
}

func literalType(x syntax.Expr) Type {
	switch x := x.(type) {
	case *syntax.StringLit:
		return &Literal{Text: x.Value, Base: Str}
	case *syntax.NumberLit:
		if x.Suffix != "" {
			return &Literal{Text: x.Raw + x.Suffix, Base: numberMultiplier}
		}
		if x.IsFloat {
			return &Literal{Text: strconv.FormatFloat(x.Float, 'f', -1, 64), Base: Float} // 2.0 is float(2)
		}
		return &Literal{Text: strconv.FormatInt(x.Int, 10), Base: Int}
	case *syntax.NameConstant:
		switch x.Value {
		case syntax.ConstTrue, syntax.ConstFalse:
			return &Literal{Text: x.Value.String(), Base: Bool}
		case syntax.ConstNone:
			return None
		}
		return Undefined
	case *syntax.UnaryExpr:
		if n, ok := x.X.(*syntax.NumberLit); ok && x.Op == syntax.SUB && n.Suffix == "" {
			if l, ok := literalType(n).(*Literal); ok {
				return &Literal{Text: "-" + l.Text, Base: l.Base}
			}
		}
	}
	return Any
}

var numberMultiplier Type = &Basic{"number_multiplier"}

// ident resolves a (possibly dotted) name in an expression and records each part.
func (c *fileChecker) ident(s *Scope, id *syntax.Ident) Type {
	if len(id.Names) == 0 {
		return Any
	}
	o := s.Lookup(id.Names[0])
	if o == nil {
		o = c.unit.siblingImport(id.Names[0])
	}
	if o == nil {
		if c.lenient == 0 {
			c.errorAt(id.NameSpans[0], KindCompile, "name '%s' is not defined", id.Names[0])
		}
		return Any
	}
	if imp := c.unit.scope.Names[id.Names[0]]; len(id.Names) > 1 && o.Kind == AttrObj && imp != nil && imp.Kind == ImportObj {
		o = imp // `math.sqrt(4)` in a schema with an attribute named math is the module's
	}
	c.ref(id.NameSpans[0], o, false)
	if o.Kind == ImportObj && c.report && o.File() == c.unit.path {
		if c.unit.pkg.usedImports == nil {
			c.unit.pkg.usedImports = map[*Object]bool{}
		}
		c.unit.pkg.usedImports[o] = true
	}
	c.last = o
	t := o.Type()
	if r := c.refined[o]; r != nil {
		t = r
	}
	forward := c.forward(o, id.Pos())
	if forward {
		c.silent++ // members are recorded for the editor, not checked
	}
	for i := 1; i < len(id.Names); i++ {
		t = c.member(t, id.Names[i], id.NameSpans[i], id.Pos())
	}
	c.info.Types[id] = t
	if forward {
		c.silent--
		if o.decl == 0 {
			return Any
		}
		// checked again from what the reference knows (the editor has the names already)
		t = o.early()
		c.again++
		for i := 1; i < len(id.Names); i++ {
			t = c.member(t, id.Names[i], id.NameSpans[i], id.Pos())
		}
		c.again--
	}
	return t
}

// forward reports a use of a package variable before the statement declaring it (in the
// order files and statements are checked): its type is not known yet to the reference, which
// checks nothing about it.
func (c *fileChecker) forward(o *Object, at syntax.Pos) bool {
	if o.Kind != VarObj || o.Pkg() != c.unit.pkg || o.Pkg().Scope.Names[o.Name] != o {
		return false
	}
	from, decl := o.Pkg().unitIndex(c.unit.path), o.Pkg().unitIndex(o.File())
	return from < decl || from == decl && at.Offset < o.Span.From.Offset
}

// member is the type of t.name, recording the member and reporting an unknown one of a
// strict schema or a module.
func (c *fileChecker) member(t Type, name string, sp syntax.Span, at syntax.Pos) Type {
	if m := c.memberObj(t, name); m != nil {
		c.ref(sp, m, false)
		c.last = m
		return m.Type()
	}
	c.last = nil
	switch t := t.(type) {
	case *Module:
		c.errorAt(syntax.Span{From: at, To: sp.To}, KindType, "attribute '%s' not found in 'module '%s''", name, t.Pkg.Path)
	case *Instance:
		if idx := t.Schema.OwnIndex(); idx != nil {
			return idx.Value
		}
		if t.Schema.Strict() {
			msg := fmt.Sprintf("attribute '%s' not found in '%s'", name, t.Schema.Name)
			if sugg := suggest(name, attrNames(t.Schema.Attrs())); len(sugg) > 0 {
				msg += fmt.Sprintf(", did you mean '%s'?", suggestionList(sugg))
			}
			c.errorAt(syntax.Span{From: at, To: sp.To}, KindType, "%s", msg)
		}
	case *Dict:
		if a, ok := t.Attrs[name]; ok {
			return a
		}
		return t.Value
	case *Basic, *Literal, *List:
		if base(t) == Str {
			if f := stringMember(name); f != nil {
				return f
			}
		}
		if known(t) && base(t) != numberMultiplier {
			c.errorAt(syntax.Span{From: at, To: sp.To}, KindType, "attribute '%s' not found in '%s'", name, t)
		}
	case *SchemaType:
		if sig, ok := schemaTypeMembers[name]; ok {
			return signatureFunc(sig)
		}
	}
	return Any
}

// memberObj finds the object t.name denotes: a module member or a schema attribute.
func (c *fileChecker) memberObj(t Type, name string) *Object {
	switch t := t.(type) {
	case *Module:
		return t.Pkg.Scope.Names[name]
	case *Instance:
		return t.Schema.Attr(name)
	}
	return nil
}

// expr infers the type of an expression; want is the type the context expects (nil when
// none), which a config literal is checked against.
func (c *fileChecker) expr(s *Scope, x syntax.Expr, want Type) Type {
	t := c.expr1(s, x, want)
	if t == nil {
		t = Any
	}
	switch x.(type) {
	case *syntax.SelectorExpr, *syntax.CallExpr, *syntax.SchemaExpr, *syntax.SubscriptExpr:
		c.info.Types[x] = t // (ident records its own)
	}
	return t
}

func (c *fileChecker) expr1(s *Scope, x syntax.Expr, want Type) Type {
	switch x := x.(type) {
	case *syntax.Ident:
		return c.ident(s, x)
	case *syntax.NumberLit, *syntax.StringLit, *syntax.NameConstant:
		return literalType(x)
	case *syntax.JoinedString:
		for _, p := range x.Parts {
			if fv, ok := p.(*syntax.FormattedValue); ok {
				c.expr(s, fv.Value, nil)
			}
		}
		return Str
	case *syntax.UnaryExpr:
		return c.unaryOp(x, c.expr(s, x.X, nil))
	case *syntax.BinaryExpr:
		return c.binary(s, x)
	case *syntax.CompareExpr:
		l := c.expr(s, x.Left, nil)
		rs := make([]Type, len(x.Comparators))
		for i, y := range x.Comparators {
			rs[i] = c.expr(s, y, nil)
		}
		// the reference checks the first comparison, then the first operand against each
		// comparator but the first and the last (with the next operator)
		c.compareOp(x, x.Ops[0], l, rs[0])
		for i := 1; i < len(rs)-1; i++ {
			c.compareOp(x.Comparators[i], x.Ops[i+1], l, rs[i])
		}
		return Bool
	case *syntax.IfExpr:
		c.expr(s, x.Cond, nil)
		return unionOf(c.expr(s, x.Body, want), c.expr(s, x.Orelse, want))
	case *syntax.AsExpr:
		t := c.typeExpr(s, x.Type)
		c.conversion(x, c.expr(s, x.X, nil), t)
		return t
	case *syntax.CallExpr:
		return c.call(s, x)
	case *syntax.SelectorExpr:
		t := c.expr(s, x.X, nil)
		return c.member(t, x.Attr.Name(), x.Attr.Span, x.Pos())
	case *syntax.SubscriptExpr:
		t := c.expr(s, x.X, nil)
		for _, y := range []syntax.Expr{x.Index, x.Lower, x.Upper, x.Step} {
			c.optExpr(s, y)
		}
		if known(t) && (isUnion(t) || !isStr(t) && !isList(t) && !isDict(t) && !isInstance(t)) {
			// a union is never subscriptable for the reference, even of lists
			c.errorf(x, KindCompile, "'%s' object is not subscriptable", t)
			return Any
		}
		if x.IsSlice {
			return widen(t)
		}
		switch t := t.(type) {
		case *List:
			return t.Elem
		case *Dict:
			if k, ok := x.Index.(*syntax.StringLit); ok && t.Attrs[k.Value] != nil {
				return t.Attrs[k.Value]
			}
			return t.Value
		case *Basic, *Literal:
			if isStr(t) {
				return Str
			}
		}
		return Any
	case *syntax.ParenExpr:
		return c.expr(s, x.X, want)
	case *syntax.ListExpr:
		var elem Type
		if l, ok := want.(*List); ok {
			elem = l.Elem
		}
		var ts []Type
		for _, e := range x.Elts {
			ts = append(ts, c.listElem(s, e, elem)...)
		}
		if len(ts) == 0 {
			return &List{Any}
		}
		return &List{unionOf(ts...)}
	case *syntax.ListComp:
		inner := c.comp(s, x.Generators, int(x.Pos().Offset), int(x.End().Offset))
		return &List{widen(c.expr(inner, x.Elt, nil))}
	case *syntax.DictComp:
		inner := c.comp(s, x.Generators, int(x.Pos().Offset), int(x.End().Offset))
		k, v := c.expr(inner, x.Key, nil), c.expr(inner, x.Value, nil)
		c.keyKind(x.Key, widen(k))
		return &Dict{Key: widen(k), Value: widen(v)}
	case *syntax.ConfigExpr:
		return c.config(s, x.Entries, want)
	case *syntax.SchemaExpr:
		return c.schemaExpr(s, x)
	case *syntax.LambdaExpr:
		return c.lambda(s, x)
	case *syntax.QuantExpr:
		tt := c.expr(s, x.Target, nil)
		inner := newScope(s)
		inner.From, inner.To = int(x.Pos().Offset), int(x.End().Offset)
		c.addScope(inner)
		c.loopVars(inner, x.Vars, tt)
		c.expr(inner, x.Test, nil)
		c.optExpr(inner, x.IfCond)
		switch x.Op {
		case syntax.QuantAll, syntax.QuantAny:
			return Bool
		case syntax.QuantFilter:
			return tt
		}
		return &List{Any}
	case *syntax.StarredExpr:
		return c.expr(s, x.X, nil)
	case *syntax.DoubleStarredExpr:
		return c.expr(s, x.X, nil)
	}
	return Any
}

func (c *fileChecker) listElem(s *Scope, e syntax.Expr, elem Type) []Type {
	switch e := e.(type) {
	case *syntax.ListIfItem:
		c.expr(s, e.Cond, nil)
		var ts []Type
		for _, y := range e.Exprs {
			ts = append(ts, c.listElem(s, y, elem)...)
		}
		if e.Orelse != nil {
			if l, ok := e.Orelse.(*syntax.ListExpr); ok {
				for _, y := range l.Elts {
					ts = append(ts, c.listElem(s, y, elem)...)
				}
			} else {
				ts = append(ts, c.listElem(s, e.Orelse, elem)...)
			}
		}
		return ts
	case *syntax.StarredExpr:
		if l, ok := c.expr(s, e.X, nil).(*List); ok {
			return []Type{l.Elem}
		}
		return []Type{Any}
	}
	return []Type{c.expr(s, e, elem)}
}

func (c *fileChecker) binary(s *Scope, x *syntax.BinaryExpr) Type {
	return c.binaryOp(x, x.Op, c.expr(s, x.X, nil), c.expr(s, x.Y, nil))
}

// comp opens the scope of a comprehension and declares its loop variables.
func (c *fileChecker) comp(s *Scope, gens []*syntax.CompClause, from, to int) *Scope {
	inner := newScope(s)
	inner.From, inner.To = from, to
	c.addScope(inner)
	for _, g := range gens {
		it := c.expr(inner, g.Iter, nil)
		c.loopVars(inner, g.Targets, it)
		for _, cond := range g.Ifs {
			c.expr(inner, cond, nil)
		}
	}
	return inner
}

func (c *fileChecker) loopVars(s *Scope, vars []*syntax.Ident, iter Type) {
	types := make([]Type, len(vars))
	for i := range types {
		types[i] = Any
	}
	switch it := iter.(type) {
	case *List:
		if len(vars) == 1 {
			types[0] = it.Elem
		} else {
			types[0], types[1] = Int, it.Elem
		}
	case *Dict:
		types[0] = it.Key
		if len(vars) > 1 {
			types[1] = it.Value
		}
	}
	for i, v := range vars {
		o := &Object{Name: v.Name(), Kind: VarObj, unit: c.unit, Span: v.Span, typ: widen(types[i])}
		s.insert(o)
		c.ref(v.Span, o, true)
	}
}

func (c *fileChecker) lambda(s *Scope, x *syntax.LambdaExpr) Type {
	body := newScope(s)
	body.From, body.To = int(x.Pos().Offset), int(x.End().Offset)
	c.addScope(body)
	f := &Func{Result: Any}
	for _, p := range x.Params {
		q := Param{Name: p.Name.Name(), Type: Any, Optional: p.Default != nil}
		if p.Type != nil {
			q.Type = c.typeExpr(s, p.Type)
		}
		if p.Default != nil {
			q.Default = syntax.Print(p.Default)
			c.expr(s, p.Default, q.Type)
		}
		f.Params = append(f.Params, q)
		o := &Object{Name: q.Name, Kind: ParamObj, unit: c.unit, Span: p.Name.Span, typ: q.Type}
		body.insert(o)
		c.ref(p.Name.Span, o, true)
	}
	var ret Type
	if x.ReturnType != nil {
		ret = c.typeExpr(s, x.ReturnType)
	}
	n := len(x.Body)
	var last *syntax.ExprStmt
	if n > 0 {
		last, _ = x.Body[n-1].(*syntax.ExprStmt)
	}
	if last == nil {
		c.stmts(body, x.Body, ctxLocal)
	} else {
		c.stmts(body, x.Body[:n-1], ctxLocal)
		// the value of the last expression is the result, checked against the return type
		if vt := c.expr(body, last.X, ret); ret != nil && known(vt) && !assignable(vt, ret) {
			c.errorf(last.X, KindType, "expected %s, got %s", ret, vt)
		}
	}
	if ret != nil {
		f.Result = ret
	} else if last != nil {
		f.Result = widen(c.info.typeOf(last.X))
	}
	return f
}

func (info *Info) typeOf(x syntax.Expr) Type {
	if t, ok := info.Types[x]; ok {
		return t
	}
	return Any
}

// call checks a call: the callee, its arguments and their number.
func (c *fileChecker) call(s *Scope, x *syntax.CallExpr) Type {
	ft := c.expr(s, x.Func, nil)
	starred := false
	for _, a := range x.Args {
		if _, ok := a.(*syntax.StarredExpr); ok {
			starred = true
		}
		if _, ok := a.(*syntax.DoubleStarredExpr); ok {
			starred = true
		}
	}
	var params []Param
	variadic, sig := false, false
	var result Type = Any
	switch f := ft.(type) {
	case *Func:
		params, variadic, sig, result = f.Params, f.Variadic, true, f.Result
	case *SchemaType:
		params, sig, result = f.Schema.Params(), true, &Instance{f.Schema}
	case *Instance:
		c.errorf(x.Func, KindCompile, "schema '%s' instance is not callable", f.Schema.Name)
	default:
		if known(ft) {
			c.errorf(x.Func, KindCompile, "'%s' object is not callable", ft)
		}
	}
	for i, a := range x.Args {
		var want Type
		if i < len(params) && !starred {
			want = params[i].Type
		}
		c.argument(a, c.expr(s, a, want), want)
	}
	for _, k := range x.Keywords {
		var want Type
		for _, p := range params {
			if p.Name == k.Name.Name() {
				want = p.Type
			}
		}
		c.argument(k.Value, c.expr(s, k.Value, nil), want)
	}
	if sig && !starred {
		c.argCount(x, calleeName(x.Func), params, variadic, len(x.Args), x.Keywords)
	}
	return result
}

// argument reports an argument whose type does not fit its parameter's: a schema instance is
// no dict or list here.
func (c *fileChecker) argument(a syntax.Expr, t, want Type) {
	if want == nil || want == Any || !known(t) {
		return
	}
	ok := assignable(t, want)
	if _, inst := t.(*Instance); inst && ok {
		ok = every(want, func(m Type) bool { return !isDict(m) && !isList(m) })
	}
	if base(t) == Bool && !ok && !every(want, func(m Type) bool { return base(m) != Float }) {
		ok = true // the reference gives a bool to a float parameter (not to an int one)
	}
	if !ok {
		c.errorf(a, KindType, "expected %s, got %s", want, t)
	}
}

func calleeName(x syntax.Expr) string {
	switch x := x.(type) {
	case *syntax.Ident:
		return x.Names[len(x.Names)-1]
	case *syntax.SelectorExpr:
		return x.Attr.Name()
	}
	return "lambda"
}

// argCount reports too many or too few positional arguments as the reference does.
func (c *fileChecker) argCount(n syntax.Node, name string, params []Param, variadic bool, given int, kws []*syntax.Keyword) {
	if !variadic && given > len(params) {
		var extra syntax.Node = n
		switch x := n.(type) {
		case *syntax.CallExpr:
			extra = x.Args[len(params)]
		case *syntax.SchemaExpr:
			extra = x.Args[len(params)]
		}
		c.errorf(extra, KindCompile, "%q takes %d positional argument%s but %d were given", name, len(params), plural(len(params)), given)
		return
	}
	set := map[string]bool{}
	var names []string
	for _, p := range params {
		names = append(names, p.Name)
	}
	for _, k := range kws {
		set[k.Name.Name()] = true
		if !variadic && !slices.Contains(names, k.Name.Name()) {
			msg := fmt.Sprintf("%q got an unexpected keyword argument '%s'", name, k.Name.Name())
			if sugg := suggest(k.Name.Name(), names); len(sugg) > 0 {
				msg += fmt.Sprintf(", did you mean '%s'?", strings.Join(sugg, "', '"))
			}
			c.errorf(k, KindCompile, "%s", msg)
		}
	}
	required := 0
	for i, p := range params {
		if !p.Optional && i >= given && !set[p.Name] {
			required++
		}
	}
	if required > 0 {
		want := 0
		for _, p := range params {
			if !p.Optional {
				want++
			}
		}
		c.errorf(n, KindCompile, "expected %d positional argument%s, found %d", want, plural(want), given)
	}
}

func plural(n int) string {
	if n <= 1 {
		return ""
	}
	return "s"
}

// schemaExpr checks `S(args) {config}` against the schema.
func (c *fileChecker) schemaExpr(s *Scope, x *syntax.SchemaExpr) Type {
	t := c.ident(s, x.Name)
	st, ok := t.(*SchemaType)
	for _, a := range x.Args {
		c.expr(s, a, nil)
	}
	for _, k := range x.Kwargs {
		c.expr(s, k.Value, nil)
	}
	if !ok {
		if x.Config != nil {
			c.expr(s, x.Config, nil)
		}
		if _, isInst := t.(*Instance); isInst {
			return t
		}
		return Any
	}
	if len(x.Args) > 0 || len(x.Kwargs) > 0 {
		c.argCount(x, st.Schema.Name, st.Schema.Params(), false, len(x.Args), x.Kwargs)
	}
	inst := &Instance{st.Schema}
	if x.Config != nil {
		if cfg, ok := x.Config.(*syntax.ConfigExpr); ok {
			c.required(x, st.Schema, cfg.Entries)
			c.config(s, cfg.Entries, inst)
		} else {
			c.expr(s, x.Config, nil)
		}
	}
	return inst
}

// required reports the required attributes a schema literal leaves unset: the reference
// checks them before running (even in code that never runs), except in schema bodies, for
// schemas with a parent, mixins or an index signature, for configs with entries it cannot
// see through (`if`, `**`) and for variables set more than once (their configs are merged).
func (c *fileChecker) required(x *syntax.SchemaExpr, sc *Schema, entries []*syntax.ConfigEntry) {
	if c.inSchema > 0 || c.merged || sc.Node == nil || sc.Node.Kind != syntax.KindSchema || sc.Index() != nil ||
		sc.Parent() != nil || len(sc.mixins) > 0 {
		return
	}
	set := map[string]bool{}
	for _, e := range entries {
		switch k := e.Key.(type) {
		case *syntax.Ident:
			set[k.Names[0]] = true
		case *syntax.StringLit:
			set[k.Value] = true
		default:
			return
		}
	}
	for _, a := range sc.Required() {
		if _, lit := a.Type().(*Literal); !set[a.Name] && !lit { // `kind: "Deployment"` is its own default
			c.errorf(x.Config, KindCompile, "attribute '%s' of %s is required and can't be None or Undefined", a.Name, sc.Name)
		}
	}
}

// config checks the entries of a config literal against the type it is given (a schema
// instance or a dict) and returns the literal's type.
func (c *fileChecker) config(s *Scope, entries []*syntax.ConfigEntry, want Type) Type {
	inst, _ := want.(*Instance)
	dict, _ := want.(*Dict)
	s = c.configScope(s, entries, inst)
	var keys, vals []Type
	attrs := map[string]Type{}
	partial := false // entries whose keys or values the type does not cover
	for _, e := range entries {
		if e.Key == nil {
			partial = true
			switch v := e.Value.(type) {
			case *syntax.ConfigIfEntry:
				c.configIf(s, v, want)
			default:
				c.expr(s, e.Value, nil)
			}
			continue
		}
		if e.InsertIndex != nil {
			c.expr(s, e.InsertIndex, nil)
		}
		var attrType Type
		var attr *Object
		if inst != nil {
			attr, attrType = c.configKey(s, inst.Schema, e.Key)
		} else {
			kt := c.keyType(s, e.Key)
			c.keyKind(e.Key, kt)
			keys = append(keys, kt)
			if dict != nil {
				attrType = dict.Value
			}
		}
		vwant := attrType
		if e.Op == syntax.OpInsert {
			if l, ok := attrType.(*List); ok {
				vwant = l
			}
		}
		vt := c.expr(s, e.Value, vwant)
		vals = append(vals, vt)
		switch k := e.Key.(type) {
		case *syntax.Ident:
			if len(k.Names) == 1 {
				attrs[k.Names[0]] = vt
			} else {
				partial = true // a.b = v nests
			}
		case *syntax.StringLit:
			attrs[k.Value] = vt
		}
		if vwant == nil {
			continue
		}
		if inst != nil && !assignable(vt, vwant) {
			err := c.errorAt(spanOf(e.Key), KindType, "expected %s, got %s", vwant, vt)
			if err != nil && attr != nil && attr.File() != "" {
				err.Related = append(err.Related, Related{File: attr.File(), Span: attr.Span,
					Msg: fmt.Sprintf("variable is defined here, its type is %s, but got %s", vwant, vt)})
			}
		} else if dict != nil && !assignable(vt, vwant) {
			c.errorAt(spanOf(e.Key), KindType, "expected %s, got %s", vwant, vt)
		}
	}
	if inst != nil {
		return inst
	}
	if len(keys) == 0 || partial {
		return &Dict{Key: Any, Value: Any}
	}
	return &Dict{Key: unionOf(keys...), Value: unionOf(vals...), Attrs: attrs}
}

func (c *fileChecker) configIf(s *Scope, it *syntax.ConfigIfEntry, want Type) {
	c.expr(s, it.Cond, nil)
	c.config(s, it.Entries, want)
	switch o := it.Orelse.(type) {
	case *syntax.ConfigIfEntry:
		c.configIf(s, o, want)
	case *syntax.ConfigExpr:
		c.config(s, o.Entries, want)
	}
}

// keyKind reports a config or dict comprehension key that is no str.
func (c *fileChecker) keyKind(k syntax.Expr, t Type) {
	if known(t) && !every(operand(t), isStr) {
		c.errorf(k, KindIllegalAttribute, "A attribute must be string type, got '%s'", t)
	}
}

func (c *fileChecker) keyType(s *Scope, k syntax.Expr) Type {
	switch k := k.(type) {
	case *syntax.Ident:
		return &Literal{Text: k.Name(), Base: Str}
	case *syntax.StringLit:
		return &Literal{Text: k.Value, Base: Str}
	}
	return c.keyExpr(s, k)
}

// keyExpr checks a computed config key; `name[i]` and `name.attr` keys name entries of the
// config itself, not variables.
func (c *fileChecker) keyExpr(s *Scope, k syntax.Expr) Type {
	switch k := k.(type) {
	case *syntax.SubscriptExpr:
		c.optExpr(s, k.Index)
		return Any
	case *syntax.SelectorExpr:
		if lit, ok := k.X.(*syntax.StringLit); ok {
			// `"a".b = 1` selects an attribute of the string, which the reference checks
			c.member(literalType(lit), k.Attr.Name(), k.Attr.Span, k.Pos())
		}
		return Any
	}
	return c.expr(s, k, nil)
}

// configScope opens the scope of a config literal: its keys are names its values may use
// (`{name = "a", host = name + ".svc"}`).
func (c *fileChecker) configScope(s *Scope, entries []*syntax.ConfigEntry, inst *Instance) *Scope {
	cs := &Scope{Parent: s}
	if len(entries) > 0 {
		cs.From, cs.To = int(entries[0].Pos().Offset), int(entries[len(entries)-1].End().Offset)
	}
	var declare func([]*syntax.ConfigEntry)
	declare = func(entries []*syntax.ConfigEntry) {
		for _, e := range entries {
			if it, ok := e.Value.(*syntax.ConfigIfEntry); ok && e.Key == nil {
				declare(it.Entries)
				continue
			}
			var id *syntax.Ident
			switch k := e.Key.(type) {
			case *syntax.Ident:
				id = k
			case *syntax.SubscriptExpr:
				id, _ = k.X.(*syntax.Ident)
			}
			if id == nil || len(id.Names) == 0 || cs.Names[id.Names[0]] != nil {
				continue
			}
			if inst != nil {
				if a := inst.Schema.Attr(id.Names[0]); a != nil {
					cs.Names[a.Name] = a
					continue
				}
			}
			cs.insert(&Object{Name: id.Names[0], Kind: VarObj, unit: c.unit, Span: id.NameSpans[0]})
		}
	}
	cs.fill = func(*Scope) {
		cs.Names = map[string]*Object{}
		declare(entries)
	}
	return cs
}

// configKey resolves a config key against a schema: each part of a dotted key is an
// attribute of the previous one's schema. It reports a member a strict schema lacks.
func (c *fileChecker) configKey(s *Scope, sc *Schema, key syntax.Expr) (*Object, Type) {
	var names []string
	var spans []syntax.Span
	switch k := key.(type) {
	case *syntax.Ident:
		names, spans = k.Names, k.NameSpans
	case *syntax.StringLit:
		names, spans = []string{k.Value}, []syntax.Span{k.Span}
	default:
		c.keyExpr(s, key)
		return nil, nil
	}
	var attr *Object
	var t Type
	for i, n := range names {
		if sc == nil {
			return nil, nil
		}
		attr = sc.Attr(n)
		if attr == nil {
			if idx := sc.OwnIndex(); idx != nil {
				t = idx.Value
				sc = nil
				if in, ok := t.(*Instance); ok {
					sc = in.Schema
				}
				continue
			}
			if sc.Strict() {
				msg := fmt.Sprintf("Cannot add member '%s' to schema '%s'", n, sc.Name)
				if sugg := suggest(n, attrNames(sc.Attrs())); len(sugg) > 0 {
					msg += fmt.Sprintf(", did you mean '%s'?", suggestionList(sugg))
				}
				c.errorAt(spans[i], KindCompile, "%s", msg)
			}
			return nil, nil
		}
		c.ref(spans[i], attr, false)
		t = attr.Type()
		sc = nil
		if in, ok := t.(*Instance); ok {
			sc = in.Schema
		}
	}
	return attr, t
}

// suggest lists names close to a misspelt one, as the reference's did-you-mean does
// (Jaro-Winkler similarity above 0.7).
func suggest(name string, candidates []string) []string {
	var out []string
	for _, n := range candidates {
		if jaroWinkler(name, n) > 0.7 {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

func attrNames(attrs []*Object) []string {
	out := make([]string, len(attrs))
	for i, a := range attrs {
		out[i] = a.Name
	}
	return out
}

func suggestionList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func jaroWinkler(a, b string) float64 {
	if a == b {
		return 1
	}
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return 0
	}
	window := max(la, lb)/2 - 1
	if window < 0 {
		window = 0
	}
	ma, mb := make([]bool, la), make([]bool, lb)
	matches := 0
	for i := 0; i < la; i++ {
		for j := max(0, i-window); j < min(lb, i+window+1); j++ {
			if !mb[j] && a[i] == b[j] {
				ma[i], mb[j] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	trans, k := 0, 0
	for i := 0; i < la; i++ {
		if !ma[i] {
			continue
		}
		for !mb[k] {
			k++
		}
		if a[i] != b[k] {
			trans++
		}
		k++
	}
	m := float64(matches)
	jaro := (m/float64(la) + m/float64(lb) + (m-float64(trans)/2)/m) / 3
	prefix := 0
	for i := 0; i < min(4, la, lb) && a[i] == b[i]; i++ {
		prefix++
	}
	return jaro + float64(prefix)*0.1*(1-jaro)
}
