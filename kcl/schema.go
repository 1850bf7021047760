package kcl

import (
	"fmt"
	"strings"

	"github.com/kpm-dev/kpm/kcl/syntax"
)

// SchemaType is a schema, mixin, protocol or rule definition.
type SchemaType struct {
	Name     string
	pkgPath  string
	stmt     *syntax.SchemaStmt
	rule     *syntax.RuleStmt
	parent   *SchemaType
	parents  []*SchemaType // rules: parent rules
	mixins   []*SchemaType
	scope    *scope
	file     string
	order    []string
	attrSet  map[string]bool
	declared map[string]*attrDecl
	index    *syntax.IndexSignature
	indexSc  *scope
	indexF   string
}

type attrDecl struct {
	name     string
	typ      syntax.TypeExpr
	optional bool
	sc       *scope
	file     string
	decos    []*syntax.Decorator
}

func (st *SchemaType) isSubOf(o *SchemaType) bool {
	for c := st; c != nil; c = c.parent {
		if c == o {
			return true
		}
	}
	return false
}

func (e *evaluator) resolveSchemaRef(sc *scope, id *syntax.Ident) *SchemaType {
	v := e.evalIdent(sc, id)
	st, ok := v.(*SchemaType)
	if !ok {
		e.throw(KindType, "'%s' is not a schema", id.Name())
	}
	return st
}

func (e *evaluator) defineSchema(sc *scope, s *syntax.SchemaStmt) *SchemaType {
	st := &SchemaType{Name: s.Name.Names[0], stmt: s, scope: sc, file: e.file,
		attrSet: map[string]bool{}, declared: map[string]*attrDecl{}}
	if sc.pkg != nil {
		st.pkgPath = sc.pkg.path
	}
	add := func(n string) {
		if !st.attrSet[n] {
			st.attrSet[n] = true
			st.order = append(st.order, n)
		}
	}
	if s.Parent != nil {
		e.defining = append(e.defining, st.Name)
		defer func() { e.defining = e.defining[:len(e.defining)-1] }()
		st.parent = e.resolveSchemaRef(sc, s.Parent)
		if p := st.parent.stmt; p != nil && (p.Kind == syntax.KindMixin || strings.HasSuffix(st.parent.Name, "Mixin")) {
			e.throwAt(posOf(e.file, s.Parent), "IllegalInheritError", "invalid schema inherit object type, expect schema, got '%s'", st.parent.Name)
		}
		for _, n := range st.parent.order {
			add(n)
		}
		for k, d := range st.parent.declared {
			st.declared[k] = d
		}
		st.index, st.indexSc, st.indexF = st.parent.index, st.parent.indexSc, st.parent.indexF
	}
	for _, b := range s.Body {
		for _, n := range assignedNames(b, nil) {
			add(n)
		}
		collectDecls(b, st, sc, e.file)
	}
	for _, m := range s.Mixins {
		mt := e.resolveSchemaRef(sc, m)
		st.mixins = append(st.mixins, mt)
		for _, n := range mt.order {
			add(n)
		}
		for k, d := range mt.declared {
			if _, ok := st.declared[k]; !ok {
				st.declared[k] = d
			}
		}
	}
	if s.IndexSignature != nil {
		st.index, st.indexSc, st.indexF = s.IndexSignature, sc, e.file
	}
	return st
}

func collectDecls(b syntax.Stmt, st *SchemaType, sc *scope, file string) {
	switch a := b.(type) {
	case *syntax.SchemaAttr:
		st.declared[a.Name.Names[0]] = &attrDecl{name: a.Name.Names[0], typ: a.Type, optional: a.Optional, sc: sc, file: file, decos: a.Decorators}
	case *syntax.IfStmt:
		for _, x := range a.Body {
			collectDecls(x, st, sc, file)
		}
		for _, x := range a.Else {
			collectDecls(x, st, sc, file)
		}
	}
}

func (e *evaluator) defineRule(sc *scope, s *syntax.RuleStmt) *SchemaType {
	st := &SchemaType{Name: s.Name.Names[0], rule: s, scope: sc, file: e.file,
		attrSet: map[string]bool{}, declared: map[string]*attrDecl{}}
	for _, p := range s.ParentRules {
		st.parents = append(st.parents, e.resolveSchemaRef(sc, p))
	}
	return st
}

// instCtx is the state of one schema instantiation.
type instCtx struct {
	st      *SchemaType
	cfg     *Dict
	body    map[string]Value
	final   map[string]Value
	setters map[string][]*bodyStmt
	stmts   []*bodyStmt
	scopes  map[*SchemaType]*scope
	known   map[string]bool
	cfgNode *syntax.ConfigExpr
	cfgFile string
}

// cfgKeyPos finds where key is written in the config literal of an instantiation.
func cfgKeyPos(n *syntax.ConfigExpr, file, key string) (srcPos, bool) {
	if n == nil {
		return srcPos{}, false
	}
	var find func(entries []*syntax.ConfigEntry) (srcPos, bool)
	find = func(entries []*syntax.ConfigEntry) (srcPos, bool) {
		for _, en := range entries {
			switch k := en.Key.(type) {
			case *syntax.Ident:
				if k.Names[0] == key {
					return posOf(file, en), true
				}
			case *syntax.StringLit:
				if k.Value == key {
					return posOf(file, en), true
				}
			case nil:
				if ie, ok := en.Value.(*syntax.ConfigIfEntry); ok {
					if p, ok := find(ie.Entries); ok {
						return p, true
					}
				}
			}
		}
		return srcPos{}, false
	}
	return find(n.Entries)
}

type bodyStmt struct {
	stmt  syntax.Stmt
	owner *SchemaType
	state int
}

func (e *evaluator) instLookup(c *instCtx, name string) (Value, bool) {
	if !c.known[name] {
		if _, ok := c.cfg.Get(name); !ok {
			return nil, false
		}
	}
	return e.finalValue(c, name), true
}

func (e *evaluator) finalValue(c *instCtx, name string) Value {
	if v, ok := c.final[name]; ok {
		return v
	}
	for _, bs := range c.setters[name] {
		if bs.state == 1 {
			// read from inside one of its own setters (`x += [1]`): only the statements
			// before it count, so augmented assignments apply in order
			break
		}
		if bs.state == 0 {
			e.execBodyStmt(c, bs)
		}
	}
	if v, ok := c.final[name]; ok {
		return v
	}
	bv, hasBody := c.body[name]
	cv, hasCfg := c.cfg.Get(name)
	if !hasBody && hasCfg && !c.known[name] && c.st.index != nil && c.st.index.Value != nil {
		// index signature default, with the key bound to the signature's key name
		sc := &scope{parent: c.st.indexSc, vars: map[string]Value{}, pkg: c.st.indexSc.pkg, file: c.st.indexF}
		if c.st.index.KeyName != nil {
			sc.vars[c.st.index.KeyName.Names[0]] = name
		}
		save := e.file
		e.file = c.st.indexF
		bv, hasBody = e.evalDeferred(sc, c.st.index.Value), true
		e.file = save
	}
	if p, ok := bv.(*pendingSchema); ok {
		// a schema default unified with the config before it is instantiated
		switch {
		case hasCfg && c.cfg.GetOp(name) == OpUnion && attrsOf(cv) != nil:
			merged := e.unionDict(p.cfg.Copy(), cfgOfValue(cv), false)
			bv, cv, hasCfg = e.newInstance(p.st, merged, p.args, p.kwargs), nil, false
		case hasCfg && c.cfg.GetOp(name) == OpOverride:
			bv = none
		default:
			bv = e.materialize(p)
		}
	}
	var v Value
	switch {
	case !hasCfg && !hasBody:
		v = undef
	case !hasCfg:
		v = bv
	case !hasBody || isNoneOrUndef(bv):
		v = cv
	default:
		bl, isList := bv.(*List)
		switch op := c.cfg.GetOp(name); {
		case op == OpOverride:
			v = cv
		case op == OpInsert:
			cl, ok2 := cv.(*List)
			if isList && ok2 {
				v = &List{Items: append(append([]Value(nil), bl.Items...), cl.Items...)}
			} else {
				v = cv
			}
		default:
			v = e.unionAt(name, bv, cv, false, name, true)
		}
	}
	if d, ok := c.st.declared[name]; ok && d.typ != nil && !isNoneOrUndef(v) {
		save, savePos := e.file, e.pos
		if hasCfg {
			if p, ok := cfgKeyPos(c.cfgNode, c.cfgFile, name); ok {
				e.pos = p
			}
		}
		defer func() { e.pos = savePos }()
		e.file = d.file
		v = e.convertTypeNamed(v, d.typ, d.sc, name, c.st)
		e.file = save
	} else if !ok && c.st.index != nil && !c.known[name] && !isNoneOrUndef(v) {
		save, savePos := e.file, e.pos
		if p, ok := cfgKeyPos(c.cfgNode, c.cfgFile, name); ok {
			e.pos = p
		}
		defer func() { e.pos = savePos }()
		e.file = c.st.indexF
		v = e.convertTypeNamed(v, c.st.index.ValueType, c.st.indexSc, name, c.st)
		e.file = save
	}
	running := false
	for _, bs := range c.setters[name] {
		if bs.state == 1 {
			running = true
		}
	}
	if !running {
		c.final[name] = v
	}
	return v
}

func (e *evaluator) instAssign(c *instCtx, name string, v Value, op Op) {
	if op == OpUnion {
		if old, ok := c.body[name]; ok {
			po, oldPending := old.(*pendingSchema)
			pv, newPending := v.(*pendingSchema)
			switch {
			case oldPending && newPending:
				st := po.st
				if pv.st.isSubOf(st) {
					st = pv.st
				}
				v = &pendingSchema{st: st, cfg: e.unionDict(po.cfg.Copy(), pv.cfg, true), args: pv.args, kwargs: pv.kwargs}
			case oldPending:
				v = e.unionAt(name, e.materialize(po), v, true, name, true)
			case newPending:
				v = e.unionAt(name, old, e.materialize(pv), true, name, true)
			default:
				v = e.unionAt(name, old, v, true, name, true)
			}
		}
	}
	c.body[name] = v
	delete(c.final, name)
}

func (e *evaluator) execBodyStmt(c *instCtx, bs *bodyStmt) {
	if bs.state != 0 {
		return
	}
	bs.state = 1
	if name, ok := singleTarget(bs.stmt); ok {
		if _, set := c.cfg.Get(name); set && c.cfg.GetOp(name) == OpOverride {
			// the config replaces this value: the default is never evaluated
			bs.state = 2
			return
		}
	}
	save := e.file
	e.file = bs.owner.file
	fr := &frame{kind: frameSchema, inst: c, scope: c.scopes[bs.owner], pkg: c.scopes[bs.owner].pkg}
	e.execStmt(fr, bs.stmt)
	e.file = save
	bs.state = 2
}

func (e *evaluator) execSchemaAttr(fr *frame, s *syntax.SchemaAttr) {
	if fr.inst == nil {
		return
	}
	name := s.Name.Names[0]
	if s.Default == nil {
		// a single literal type is its own default: `apiVersion: "apps/v1"`
		if lt, ok := s.Type.(*syntax.LiteralType); ok {
			if c, isConst := lt.Value.(*syntax.NameConstant); !isConst || c.Value == syntax.ConstTrue || c.Value == syntax.ConstFalse {
				e.instAssign(fr.inst, name, e.eval(fr.scope, lt.Value), OpOverride)
			}
		}
		return
	}
	v := e.evalDeferred(fr.scope, s.Default)
	op := OpOverride
	if s.Op == syntax.OR_ASSIGN {
		op = OpUnion
	}
	if se, ok := s.Default.(*syntax.SchemaExpr); ok && s.Type != nil && se.Pos() == s.Type.Pos() {
		op = OpUnion // `attr: S {…}` unifies with other declarations of attr
	}
	e.instAssign(fr.inst, name, v, op)
}

// closed reports whether instances of st have only their declared
// attributes: a schema (not a protocol) without an index signature in its
// chain.
func (st *SchemaType) closed() bool {
	for _, t := range st.chain() {
		if t.stmt == nil || t.index != nil || t.stmt.Kind == syntax.KindProtocol {
			return false
		}
	}
	return true
}

// hasAttr reports whether name is an attribute declared by st's chain.
func (st *SchemaType) hasAttr(name string) bool {
	for _, t := range st.chain() {
		if t.attrSet[name] {
			return true
		}
	}
	return false
}

// chain returns the schema types whose bodies run for an instance of st, in order.
func (st *SchemaType) chain() []*SchemaType {
	var out []*SchemaType
	if st.parent != nil {
		out = append(out, st.parent.chain()...)
	}
	out = append(out, st)
	for _, m := range st.mixins {
		out = append(out, m.chain()...)
	}
	return out
}

func (e *evaluator) evalSchemaExpr(s *scope, n *syntax.SchemaExpr) Value {
	e.exprDepth++
	defer func() { e.exprDepth-- }()
	e.pos = posOf(e.file, n.Name)
	v := e.evalIdent(s, n.Name)
	var cfg *Dict
	if n.Config != nil {
		cv := e.evalSchemaConfig(s, n.Config)
		switch c := cv.(type) {
		case *Dict:
			cfg = c
		case *Schema:
			cfg = c.Attrs
		default:
			cfg = NewDict()
		}
	} else {
		cfg = NewDict()
	}
	args, kwargs := e.callArgs(s, n.Args, n.Kwargs)
	e.pos = posOf(e.file, n.Name)
	switch st := v.(type) {
	case *SchemaType:
		e.cfgNode, _ = n.Config.(*syntax.ConfigExpr)
		e.cfgFile = e.file
		// the reference checks the schema literals of a schema body only when it is instantiated
		e.cfgLiteral = !inSchemaBody(s)
		return e.newInstance(st, cfg, args, kwargs)
	case *Dict, *Schema:
		// `base {…}` unify an existing config
		return e.union(st, cfg, false, "")
	}
	e.throw(KindType, "'%s' is not a schema", n.Name.Name())
	return nil
}

func (e *evaluator) newInstance(st *SchemaType, cfg *Dict, args []Value, kwargs *Dict) Value {
	// the toolchain restores its error position (lastPos) after the body of an instance, but
	// not after its check block
	lastPos, saveInst := e.lastPos, e.instPos
	restored := false
	e.depth++
	e.instDepth++
	defer func() {
		e.depth--
		e.instDepth--
		e.instPos = saveInst
		if !restored {
			e.lastPos = lastPos
		}
	}()
	if e.depth > 500 {
		e.throw(KindRecursion, "maximum recursion depth exceeded")
	}
	if st.rule != nil {
		attrs := NewDict()
		for _, k := range cfg.keys {
			attrs.Set(k, cfg.val(k))
		}
		e.runRule(st, attrs, args, kwargs, e.pos)
		return &Schema{Type: st, Attrs: attrs, cfg: cfg}
	}
	callPos := e.pos
	e.instPos = srcPos{callPos.file, callPos.line, 1}
	cfgNode, cfgFile := e.cfgNode, e.cfgFile
	// a schema literal whose keys are all written out is checked for required attributes before
	// evaluation by the reference (a CompileError at its config), others when they are made; the
	// reference leaves a schema with a parent, mixins or an index signature to evaluation
	literal := e.cfgLiteral && cfgNode != nil && plainConfig(cfgNode) && st.parent == nil && len(st.mixins) == 0 && st.index == nil
	e.cfgNode, e.cfgLiteral = nil, false
	c := &instCtx{st: st, cfg: cfg, cfgNode: cfgNode, cfgFile: cfgFile, body: map[string]Value{}, final: map[string]Value{},
		setters: map[string][]*bodyStmt{}, scopes: map[*SchemaType]*scope{}, known: st.attrSet}
	chain := st.chain()
	for _, t := range chain {
		// a mixin listed twice runs twice (in one scope)
		if _, ok := c.scopes[t]; !ok {
			sc := &scope{parent: t.scope, vars: map[string]Value{}, inst: c, pkg: t.scope.pkg, file: t.file}
			c.scopes[t] = sc
			e.bindParams(t, sc, args, kwargs, t == st)
		}
		for _, b := range t.stmt.Body {
			bs := &bodyStmt{stmt: b, owner: t}
			c.stmts = append(c.stmts, bs)
			for _, n := range assignedNames(b, nil) {
				c.setters[n] = append(c.setters[n], bs)
			}
		}
	}
	// decorators on the schema itself
	for _, t := range chain {
		e.applyDecorators(t.stmt.Decorators, t.Name, t.scope, t.file, true)
	}
	for _, bs := range c.stmts {
		e.execBodyStmt(c, bs)
	}
	e.pos = callPos
	attrs := newDictCap(len(st.order) + cfg.Len())
	for _, n := range st.order {
		attrs.add(n, e.finalValue(c, n))
	}
	for _, k := range cfg.keys {
		if st.attrSet[k] {
			continue
		}
		if st.index == nil {
			e.pos = callPos
			p, literal := cfgKeyPos(cfgNode, cfgFile, k)
			if literal {
				e.pos = p
			} else if p, ok := e.keyPos[k]; ok && cfgNode == nil {
				e.pos = p
			}
			if !literal && e.dynamicKeys[k] {
				e.throwAt(srcPos{callPos.file, callPos.line, 1}, KindEvaluation, "No attribute named '%s' in the schema '%s'", k, st.Name)
			}
			e.throw(KindCannotAddMember, "Cannot add member '%s' to schema '%s'", k, st.Name)
		}
		attrs.add(k, e.finalValue(c, k))
	}
	if st.index != nil && st.index.KeyName != nil && attrs.Len()-len(st.order) > 1 {
		// with a named key (`[key: str]: T`) the reference puts the last key the signature
		// holds before the others
		attrs.moveLast(len(st.order))
	}
	if st.index != nil && st.index.KeyType != nil {
		for _, k := range attrs.keys {
			if st.attrSet[k] {
				continue
			}
			save := e.file
			e.file = st.indexF
			e.convertTypeNamed(k, st.index.KeyType, st.indexSc, k, st)
			e.file = save
		}
	}
	// attribute decorators (run as the attributes are set, so before any required check),
	// then required attributes
	for _, n := range st.order {
		if d, ok := st.declared[n]; ok && len(d.decos) > 0 {
			if _, set := cfg.Get(n); set {
				e.applyDecorators(d.decos, n, d.sc, d.file, false)
			}
		}
	}
	// check blocks, parents first; the key name of an index signature (`[num: str]: int`)
	// names each key the signature holds in turn, as the toolchain checks them: then before the
	// required attributes (and not at all when it holds none)
	keyName, keys := indexKeys(chain, st, attrs)
	runChecks := func() {
		for _, t := range chain {
			if len(t.stmt.Checks) == 0 {
				continue
			}
			sc := c.scopes[t]
			save := e.file
			e.file = t.file
			if keyName == "" {
				for _, chk := range t.stmt.Checks {
					e.runCheck(sc, chk, callPos)
				}
			}
			for _, k := range keys {
				ksc := newScope(sc)
				ksc.vars[keyName] = k
				for _, chk := range t.stmt.Checks {
					e.runCheck(ksc, chk, callPos)
				}
			}
			e.file = save
		}
	}
	if keyName != "" {
		runChecks()
	}
	// the toolchain checks required attributes at run time only for an instance made outside
	// any other schema expression or instantiation, and then those of the instances it holds
	top := e.exprDepth <= 1 && e.instDepth <= 1
	at := srcPos{file: callPos.file, line: callPos.line, col: 1} // the line of the schema expression
	for _, n := range st.order {
		d, ok := st.declared[n]
		if !ok {
			continue
		}
		v := attrs.val(n)
		if !d.optional && isNoneOrUndef(v) {
			// statically: no key in the literal and no value in the schema body
			if _, written := cfgKeyPos(cfgNode, cfgFile, n); literal && !written && !c.bodySets(n) {
				e.throwAt(posOf(cfgFile, cfgNode), KindCompile, "attribute '%s' of %s is required and can't be None or Undefined", n, st.Name)
			}
			if top {
				e.throwAt(at, KindEvaluation, "attribute '%s' of %s is required and can't be None or Undefined", n, st.Name)
			}
		}
	}
	if top {
		for _, k := range attrs.keys {
			e.requireNested(attrs.val(k), at)
		}
	}
	inst := &Schema{Type: st, Attrs: attrs, cfg: cfg, args: args, kw: kwargs}
	e.lastPos, restored = lastPos, true
	if keyName == "" {
		runChecks()
	}
	e.pos = callPos
	e.instList = append(e.instList, inst)
	return inst
}

// requireNested checks the required attributes of the schema instances v holds (in lists and
// dicts too), as the toolchain does for the instance that holds them.
func (e *evaluator) requireNested(v Value, at srcPos) {
	switch x := v.(type) {
	case *Schema:
		for _, n := range x.Type.order {
			if d, ok := x.Type.declared[n]; ok && !d.optional && isNoneOrUndef(x.Attrs.val(n)) {
				e.throwAt(at, KindEvaluation, "attribute '%s' of %s is required and can't be None or Undefined", n, x.Type.Name)
			}
		}
		for _, k := range x.Attrs.keys {
			e.requireNested(x.Attrs.val(k), at)
		}
	case *List:
		for _, it := range x.Items {
			e.requireNested(it, at)
		}
	case *Dict:
		for _, k := range x.keys {
			e.requireNested(x.val(k), at)
		}
	}
}

// bodySets: a statement of the schema body gives attribute n a value (a default or an assignment).
func (c *instCtx) bodySets(n string) bool {
	for _, bs := range c.setters[n] {
		if a, ok := bs.stmt.(*syntax.SchemaAttr); !ok || a.Default != nil {
			return true
		}
	}
	return false
}

// plainConfig: a config literal without `**` unpacking or `if` entries.
func plainConfig(c *syntax.ConfigExpr) bool {
	for _, en := range c.Entries {
		if en.Key == nil {
			return false
		}
	}
	return true
}

// indexKeys returns the key name of the index signature of a schema chain and the keys of
// attrs it holds (those no schema of the chain declares).
func indexKeys(chain []*SchemaType, st *SchemaType, attrs *Dict) (string, []Value) {
	name := ""
	for _, t := range chain {
		if t.index != nil && t.index.KeyName != nil {
			name = t.index.KeyName.Names[0]
		}
	}
	if name == "" {
		return "", nil
	}
	var keys []Value
	for _, k := range attrs.keys {
		if _, declared := st.declared[k]; !declared {
			keys = append(keys, k)
		}
	}
	return name, keys
}

// runCheck evaluates one check condition of the instance made at inst; a failure is reported
// there ("Instance check failed"), with the condition and its message as a note, as the
// toolchain does.
func (e *evaluator) runCheck(sc *scope, chk *syntax.CheckExpr, inst srcPos) {
	e.pos = posOf(e.file, chk)
	saveStmt := e.stmtPos
	e.stmtPos = e.pos // run-time errors of the condition are reported at it
	defer func() { e.stmtPos = saveStmt }()
	if chk.IfCond != nil && !truthy(e.eval(sc, chk.IfCond)) {
		return
	}
	if truthy(e.eval(sc, chk.Test)) {
		return
	}
	msg := ""
	if chk.Msg != nil {
		msg = toStr(e.eval(sc, chk.Msg))
	}
	text := "Check failed on the condition"
	if msg != "" {
		text += ": " + msg
	}
	at := posOf(e.file, chk)
	panic(panicErr{&Error{Kind: KindSchemaCheck, File: inst.file, Line: inst.line, Col: inst.col, Msg: "Instance check failed",
		Notes: []Note{{File: at.file, Line: at.line, Col: at.col, Msg: text}}}})
}

func (e *evaluator) runRule(st *SchemaType, attrs *Dict, args []Value, kwargs *Dict, inst srcPos) {
	for _, p := range st.parents {
		e.runRule(p, attrs, args, kwargs, inst)
	}
	sc := &scope{parent: st.scope, vars: map[string]Value{}, pkg: st.scope.pkg, file: st.file, cfg: attrs}
	e.bindParams(st, sc, args, kwargs, true)
	save := e.file
	e.file = st.file
	for _, chk := range st.rule.Checks {
		e.runCheck(sc, chk, inst)
	}
	e.file = save
}

func (e *evaluator) bindParams(st *SchemaType, sc *scope, args []Value, kwargs *Dict, strict bool) {
	var params []*syntax.Param
	if st.stmt != nil {
		params = st.stmt.Params
	} else if st.rule != nil {
		params = st.rule.Params
	}
	if !strict && len(params) == 0 {
		return
	}
	if len(args) > len(params) {
		e.throw(KindCompile, "\"%s\" takes %d positional argument but %d were given", st.Name, len(params), len(args))
	}
	if kwargs != nil {
		for _, k := range kwargs.keys {
			found := false
			for _, p := range params {
				found = found || p.Name.Names[0] == k
			}
			if !found {
				e.throw(KindCompile, "\"%s\" got an unexpected keyword argument '%s'", st.Name, k)
			}
		}
	}
	required := 0
	for _, p := range params {
		if p.Default == nil {
			required++
		}
	}
	given := len(args)
	if kwargs != nil {
		given += kwargs.Len()
	}
	if given < required {
		e.throw(KindCompile, "expected %d positional argument%s, found %d", required, plural(required), given)
	}
	for i, p := range params {
		name := p.Name.Names[0]
		v, passed := paramArg(i, name, args, kwargs)
		switch {
		case passed:
		case p.Default != nil:
			v = e.eval(sc, p.Default)
		default:
			v = none
		}
		if p.Type != nil && !isNoneOrUndef(v) {
			v = e.convertType(v, p.Type, st.scope, true)
		}
		sc.vars[name] = v
	}
}

func (e *evaluator) applyDecorators(decos []*syntax.Decorator, name string, sc *scope, file string, isSchema bool) {
	for _, d := range decos {
		switch d.Name.Name() {
		case "deprecated":
			version, reason := "", ""
			strict := true
			for _, kw := range d.Keywords {
				v := e.eval(sc, kw.Value)
				switch kw.Name.Names[0] {
				case "version":
					version = toStr(v)
				case "reason":
					reason = toStr(v)
				case "strict":
					strict = truthy(v)
				}
			}
			if !strict {
				continue
			}
			msg := name + " was deprecated "
			if version != "" {
				msg += "since version " + version
			}
			if reason != "" {
				msg += ", " + reason
			}
			// reported at the statement that makes the instance
			at := e.pos
			if e.stmtPos.line > 0 && e.stmtPos.file == e.pos.file {
				at = e.stmtPos
			}
			e.throwAt(at, KindDeprecated, "%s", msg)
		case "info":
		default:
			e.throwAt(posOf(file, d.Name), KindCompile, "UnKnown decorator %s", d.Name.Name())
		}
	}
}

// schemaUnionDict merges a config into an instance by re-instantiating with the merged config.
func (e *evaluator) schemaUnionDict(x *Schema, d *Dict, idempotent bool) Value {
	base := x.cfg
	if base == nil {
		base = x.Attrs
	}
	cfg := e.unionDict(base.Copy(), d, idempotent)
	return e.newInstance(x.Type, cfg, x.args, x.kw)
}

func (e *evaluator) unionSchemaInto(y *Schema, x *Dict, idempotent bool) Value {
	base := y.cfg
	if base == nil {
		base = y.Attrs
	}
	cfg := e.unionDict(x.Copy(), base, idempotent)
	return e.newInstance(y.Type, cfg, y.args, y.kw)
}

// ---------------------------------------------------------------- types

func typeString(t syntax.TypeExpr) string { return typeStr(t, false) }

// runtimeTypeString renders a type as the runtime's messages do: literal types as written
// ("a", 1, True).
func runtimeTypeString(t syntax.TypeExpr) string { return typeStr(t, true) }

func typeStr(t syntax.TypeExpr, runtime bool) string {
	switch x := t.(type) {
	case nil:
		return "any"
	case *syntax.BasicType:
		return x.Name
	case *syntax.AnyType:
		return "any"
	case *syntax.NamedType:
		return x.Name.Name()
	case *syntax.ListType:
		return "[" + typeStr(x.Elem, runtime) + "]"
	case *syntax.DictType:
		if x.Key == nil && x.Value == nil {
			return "{}"
		}
		return "{" + typeStr(x.Key, runtime) + ":" + typeStr(x.Value, runtime) + "}"
	case *syntax.UnionType:
		parts := make([]string, len(x.Types))
		for i, p := range x.Types {
			parts[i] = typeStr(p, runtime)
		}
		return strings.Join(parts, " | ")
	case *syntax.LiteralType:
		switch v := x.Value.(type) {
		case *syntax.StringLit:
			if runtime {
				return `"` + v.Value + `"`
			}
			return "str(" + v.Value + ")"
		case *syntax.NumberLit:
			if runtime {
				return v.Raw
			}
			if v.IsFloat {
				return "float(" + v.Raw + ")"
			}
			return "int(" + v.Raw + ")"
		case *syntax.NameConstant:
			switch v.Value {
			case syntax.ConstTrue, syntax.ConstFalse:
				if runtime {
					return v.Value.String()
				}
				return "bool(" + v.Value.String() + ")"
			}
			return v.Value.String()
		case *syntax.UnaryExpr:
			if n, ok := v.X.(*syntax.NumberLit); ok {
				return "-" + n.Raw
			}
		}
		return "literal"
	case *syntax.FunctionType:
		parts := make([]string, len(x.Params))
		for i, p := range x.Params {
			parts[i] = typeStr(p, runtime)
		}
		return "(" + strings.Join(parts, ", ") + ") -> " + typeStr(x.Result, runtime)
	}
	return "any"
}

func (e *evaluator) convertTypeNamed(v Value, t syntax.TypeExpr, sc *scope, attr string, st *SchemaType) Value {
	r, ok := e.tryConvert(v, t, sc)
	if !ok {
		e.typeMismatch(v, t)
	}
	return r
}

// convertType checks v against t, converting dicts to schemas; raises TypeError on mismatch.
func (e *evaluator) convertType(v Value, t syntax.TypeExpr, sc *scope, convert bool) Value {
	r, ok := e.tryConvert(v, t, sc)
	if !ok {
		e.typeMismatch(v, t)
	}
	return r
}

// typeNameDetail renders the type of a value as KCL's type checker does: literal types carry
// their value (str(x), int(1)), containers their element types ([int], {str:str}).
func typeNameDetail(v Value) string {
	switch x := v.(type) {
	case string:
		return "str(" + x + ")"
	case int64:
		return "int(" + toStr(x) + ")"
	case float64:
		return "float(" + toStr(x) + ")"
	case bool:
		return "bool(" + toStr(x) + ")"
	case *List:
		return "[" + elemTypes(x.Items) + "]"
	case *Dict:
		vals := make([]Value, 0, x.Len())
		for _, k := range x.keys {
			vals = append(vals, x.val(k))
		}
		return "{str:" + elemTypes(vals) + "}"
	}
	return typeName(v)
}

func elemTypes(vals []Value) string {
	var names []string
	seen := map[string]bool{}
	for _, v := range vals {
		n := typeNameDetail(v) // literal element types, as the toolchain infers them: [str(a) | int(1)]
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return "any"
	}
	return strings.Join(names, " | ")
}

func (e *evaluator) tryConvert(v Value, t syntax.TypeExpr, sc *scope) (Value, bool) {
	if isNoneOrUndef(v) {
		return v, true
	}
	switch x := t.(type) {
	case nil, *syntax.AnyType:
		return v, true
	case *syntax.BasicType:
		switch x.Name {
		case "int":
			switch v.(type) {
			case int64, Unit:
				return v, true
			}
		case "float":
			switch v.(type) {
			case float64, int64, Unit:
				return v, true // an int stays an int, as in the reference
			}
		case "str":
			_, ok := v.(string)
			return v, ok
		case "bool":
			_, ok := v.(bool)
			return v, ok
		}
		return v, false
	case *syntax.ListType:
		l, ok := v.(*List)
		if !ok {
			return v, false
		}
		if x.Elem == nil {
			return v, true
		}
		var out *List
		for i, it := range l.Items {
			r, ok := e.tryConvert(it, x.Elem, sc)
			if !ok {
				return v, false
			}
			if r != it && out == nil {
				out = &List{Items: append([]Value(nil), l.Items...)}
			}
			if out != nil {
				out.Items[i] = r
			}
		}
		if out != nil {
			return out, true
		}
		return v, true
	case *syntax.DictType:
		var d *Dict
		switch y := v.(type) {
		case *Dict:
			d = y
		case *Schema:
			if x.Key == nil && x.Value == nil {
				return v, true
			}
			d = y.Attrs
		default:
			return v, false
		}
		if x.Value == nil && x.Key == nil {
			return v, true
		}
		var out *Dict
		for _, k := range d.keys {
			if x.Key != nil {
				if _, ok := e.tryConvert(k, x.Key, sc); !ok {
					return v, false
				}
			}
			it := d.val(k)
			r, ok := e.tryConvert(it, x.Value, sc)
			if !ok {
				return v, false
			}
			if r != it && out == nil {
				out = d.Copy()
			}
			if out != nil {
				out.Set(k, r)
			}
		}
		if out != nil {
			return out, true
		}
		return v, true
	case *syntax.UnionType:
		if d, isDict := v.(*Dict); isDict {
			return e.convertDictToUnion(d, x, sc)
		}
		for _, m := range x.Types {
			if e.matchesExact(v, m, sc) {
				return v, true
			}
		}
		for _, m := range x.Types {
			if r, ok := e.tryConvertSafe(v, m, sc); ok {
				return r, true
			}
		}
		return v, false
	case *syntax.LiteralType:
		lit := e.eval(sc, x.Value)
		return v, equal(lit, v) && typeName(lit) == typeName(v)
	case *syntax.FunctionType:
		_, ok := v.(*Func)
		return v, ok
	case *syntax.NamedType:
		name := x.Name.Name()
		if name == "units.NumberMultiplier" || name == "NumberMultiplier" {
			_, ok := v.(Unit)
			return v, ok
		}
		tv, ok := e.lookupType(sc, x.Name)
		if !ok {
			e.throw(KindName, "name '%s' is not defined", name)
		}
		switch tt := tv.(type) {
		case *typeAlias:
			return e.tryConvert(v, tt.t, tt.sc)
		case *SchemaType:
			switch y := v.(type) {
			case *Schema:
				if y.Type.isSubOf(tt) {
					return v, true
				}
				if tt.stmt != nil && tt.stmt.Kind == syntax.KindProtocol {
					return v, true
				}
				return v, false
			case *Dict:
				return e.convertedInstance(tt, y), true
			}
			return v, false
		}
		return v, false
	}
	return v, true
}

// convertDictToUnion converts a dict to the first member of a union it fits, as the runtime does:
// a schema whose attributes (or index signature) take every key of the dict is instantiated
// from it, and an error of that instance is the error of the conversion (the next members are
// not tried).
func (e *evaluator) convertDictToUnion(d *Dict, u *syntax.UnionType, sc *scope) (Value, bool) {
	for _, m := range u.Types {
		if nt, ok := m.(*syntax.NamedType); ok {
			if tv, ok := e.lookupType(sc, nt.Name); ok {
				if st, ok := tv.(*SchemaType); ok {
					if fitsSchema(d, st) {
						return e.convertedInstance(st, d), true
					}
					continue
				}
			}
		}
		if r, ok := e.tryConvert(d, m, sc); ok {
			return r, true
		}
	}
	return d, false
}

// convertedInstance makes an instance of st from a dict being converted to a type: the static
// checker has not seen it as a config of st, so its type errors are the runtime's.
func (e *evaluator) convertedInstance(st *SchemaType, d *Dict) Value {
	e.converting++
	savePos := e.convertPos
	if e.converting == 1 {
		// the toolchain converts the values of an instance's config before its body runs: at
		// the instantiation
		e.convertPos = e.lastPos
		if e.instPos.line > 0 {
			e.convertPos = e.instPos
		}
	}
	defer func() { e.converting--; e.convertPos = savePos }()
	return e.newInstance(st, d, nil, nil)
}

// typeMismatch raises the error of v not being of type t: the runtime's EvaluationError for a
// value only known at run time, else the type checker's TypeError.
func (e *evaluator) typeMismatch(v Value, t syntax.TypeExpr) {
	if e.converting > 0 && !e.asserting {
		// reported where the conversion started
		e.throwAt(e.convertPos, KindEvaluation, "expect %s, got %s", runtimeTypeString(t), typeName(v))
	}
	e.throw(KindType, "expected %s, got %s", typeString(t), typeNameDetail(v))
}

// fitsSchema reports whether every key of d is an attribute of st (or private), or st has an
// index signature.
func fitsSchema(d *Dict, st *SchemaType) bool {
	if st.index != nil {
		return true
	}
	for _, k := range d.keys {
		if !st.hasAttr(k) && !strings.HasPrefix(k, "_") {
			return false
		}
	}
	return true
}

// checkComputedDict is the runtime's check of a dict that was computed (json.decode(...), a
// variable) rather than written as a config literal, assigned to a schema type: a key the
// schema does not declare means the dict is not converted, and the assignment fails with
// "expect Schema, got dict" (a literal is checked key by key instead: Cannot add member).
func (e *evaluator) checkComputedDict(v Value, x syntax.Expr, t syntax.TypeExpr, sc *scope) {
	d, ok := v.(*Dict)
	if !ok {
		return
	}
	switch x.(type) {
	case *syntax.ConfigExpr, *syntax.SchemaExpr, *syntax.ParenExpr:
		return
	}
	nt, ok := t.(*syntax.NamedType)
	if !ok {
		return
	}
	tv, ok := e.lookupType(sc, nt.Name)
	if !ok {
		return
	}
	st, ok := tv.(*SchemaType)
	if !ok || st.index != nil || (st.stmt != nil && st.stmt.Kind == syntax.KindProtocol) {
		return
	}
	var details []string
	for _, k := range d.keys {
		if !st.attrSet[k] {
			details = append(details, fmt.Sprintf("\nSchema %s does not contain attribute %s", st.Name, k))
		}
	}
	if details != nil {
		e.throw(KindEvaluation, "expect %s, got dict. For details:%s", typeString(t), strings.Join(details, ""))
	}
}

// tryConvertSafe converts but turns evaluation errors into a failed match (for unions).
func (e *evaluator) tryConvertSafe(v Value, t syntax.TypeExpr, sc *scope) (r Value, ok bool) {
	if _, isDict := v.(*Dict); !isDict {
		return e.tryConvert(v, t, sc)
	}
	savePos, saveFile, saveDepth := e.pos, e.file, e.depth
	defer func() {
		if rec := recover(); rec != nil {
			if _, isErr := rec.(panicErr); !isErr {
				panic(rec)
			}
			e.pos, e.file, e.depth = savePos, saveFile, saveDepth
			r, ok = v, false
		}
	}()
	return e.tryConvert(v, t, sc)
}

func (e *evaluator) matchesExact(v Value, t syntax.TypeExpr, sc *scope) bool {
	switch x := t.(type) {
	case *syntax.BasicType:
		switch x.Name {
		case "int":
			_, ok := v.(int64)
			return ok
		case "float":
			_, ok := v.(float64)
			return ok
		case "str":
			_, ok := v.(string)
			return ok
		case "bool":
			_, ok := v.(bool)
			return ok
		}
	case *syntax.NamedType:
		if s, ok := v.(*Schema); ok {
			tv, ok := e.lookupType(sc, x.Name)
			if st, ok2 := tv.(*SchemaType); ok && ok2 {
				return s.Type.isSubOf(st)
			}
		}
		return false
	case *syntax.LiteralType:
		_, ok := e.tryConvert(v, t, sc)
		return ok
	case *syntax.AnyType:
		return true
	}
	return false
}

func (e *evaluator) lookupType(sc *scope, id *syntax.Ident) (Value, bool) {
	v, ok := e.lookup(sc, id.Names[0])
	if !ok {
		return nil, false
	}
	for _, n := range id.Names[1:] {
		m, ok := v.(*Module)
		if !ok {
			return nil, false
		}
		v = e.getAttr(m, n)
	}
	return v, true
}

// singleTarget returns the attribute a schema-body statement assigns as a whole, if it is that simple.
func singleTarget(st syntax.Stmt) (string, bool) {
	switch s := st.(type) {
	case *syntax.SchemaAttr:
		return s.Name.Names[0], s.Default != nil
	case *syntax.AssignStmt:
		if len(s.Targets) == 1 {
			if id, ok := s.Targets[0].(*syntax.Ident); ok && len(id.Names) == 1 {
				return id.Names[0], true
			}
		}
	}
	return "", false
}

// pendingSchema is a schema expression used as an attribute default: it is instantiated only
// once it has been unified with the config that overrides it.
type pendingSchema struct {
	st     *SchemaType
	cfg    *Dict
	args   []Value
	kwargs *Dict
	node   *syntax.ConfigExpr
	file   string
}

func (e *evaluator) evalDeferred(sc *scope, x syntax.Expr) Value {
	// a schema called without a config (`S(arg)`) is deferred like `S(arg) {}`
	if ce, ok := x.(*syntax.CallExpr); ok {
		if id, ok := ce.Func.(*syntax.Ident); ok {
			if st, ok := e.evalIdent(sc, id).(*SchemaType); ok && st.rule == nil {
				args, kwargs := e.callArgs(sc, ce.Args, ce.Keywords)
				return &pendingSchema{st: st, cfg: NewDict(), args: args, kwargs: kwargs, file: e.file}
			}
		}
	}
	se, ok := x.(*syntax.SchemaExpr)
	if !ok {
		return e.eval(sc, x)
	}
	st, ok := e.evalIdent(sc, se.Name).(*SchemaType)
	if !ok || st.rule != nil {
		return e.eval(sc, x)
	}
	cfg := NewDict()
	if se.Config != nil {
		if d := attrsOf(e.evalSchemaConfig(sc, se.Config)); d != nil {
			cfg = d
		}
	}
	args, kwargs := e.callArgs(sc, se.Args, se.Kwargs)
	node, _ := se.Config.(*syntax.ConfigExpr)
	return &pendingSchema{st: st, cfg: cfg, args: args, kwargs: kwargs, node: node, file: e.file}
}

// inSchemaBody reports whether s is (inside) the scope of a schema body.
func inSchemaBody(s *scope) bool {
	for c := s; c != nil; c = c.parent {
		if c.inst != nil {
			return true
		}
	}
	return false
}

func (e *evaluator) materialize(p *pendingSchema) Value {
	e.cfgNode, e.cfgFile = p.node, p.file
	e.cfgLiteral = false // an attribute default: see inSchemaBody
	return e.newInstance(p.st, p.cfg, p.args, p.kwargs)
}

func cfgOfValue(v Value) *Dict {
	if s, ok := v.(*Schema); ok {
		return cfgOf(s)
	}
	return attrsOf(v)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
