package kcl

// Config literals and unification: `:` unions, `=` overrides, `+=` inserts (also at a list index),
// top-level unification of a variable set several times.

import (
	"fmt"
	"strings"

	"github.com/kpm-dev/kpm/kcl/syntax"
)

// configKey is the key a config literal or a dict comprehension makes of a computed value: a
// string is itself, anything else the empty string, as the reference makes it at run time.
func configKey(k Value) string {
	s, _ := k.(string)
	return s
}

func (e *evaluator) keyString(k Value) string {
	switch x := k.(type) {
	case string:
		return x
	case NoneValue, UndefinedValue:
		return "" // the runtime's key of a None or Undefined value
	}
	return toStr(k)
}

// configEntries evaluates config entries into d.
func (e *evaluator) configEntries(s *scope, entries []*syntax.ConfigEntry, d *Dict) {
	for _, en := range entries {
		switch v := en.Value.(type) {
		case *syntax.ConfigIfEntry:
			if en.Key == nil {
				e.configIf(s, v, d)
				continue
			}
		case *syntax.DoubleStarredExpr:
			if en.Key == nil {
				val := e.eval(s, v.X)
				e.pos = posOf(e.file, v)
				switch vv := val.(type) {
				case *Dict:
					for _, k := range vv.keys {
						e.dictInsert(d, k, unpacked(vv.val(k)), vv.GetOp(k), nil)
					}
				case *Schema:
					for _, k := range vv.Attrs.keys {
						e.dictInsert(d, k, unpacked(vv.Attrs.val(k)), OpUnion, nil)
					}
				case NoneValue, UndefinedValue:
				default:
					e.throw(KindType, "'%s' object is not a mapping", typeName(val))
				}
				continue
			}
		}
		val := e.eval(s, en.Value)
		op := Op(en.Op)
		var insIdx Value
		if en.InsertIndex != nil {
			insIdx = e.eval(s, en.InsertIndex)
		}
		e.pos = posOf(e.file, en)
		switch k := en.Key.(type) {
		case *syntax.Ident:
			names := k.Names
			if len(names) == 1 {
				e.noteKeyPos(names[0], e.pos)
			}
			if lv, ok := localVar(s, names[0]); ok {
				// a loop variable used as a key gives its value, in a schema's config too
				names = append([]string{configKey(lv)}, names[1:]...)
				e.noteDynamicKey(s, names[0])
			}
			if len(names) > 1 && insIdx != nil {
				// the reference applies `a.b[i] op v` to a itself
				e.dictInsert(d, names[0], val, op, insIdx)
				continue
			}
			if len(names) > 1 {
				e.nestedKeys = k
				e.dictInsertPath(d, names, val, op, insIdx)
				e.nestedKeys = nil
				continue
			}
			e.dictInsert(d, names[0], val, op, insIdx)
		case *syntax.SubscriptExpr:
			// `name[i] = v` replaces one element of a list entry
			if id, ok := k.X.(*syntax.Ident); ok && !k.IsSlice {
				idx := e.eval(s, k.Index)
				e.pos = posOf(e.file, en)
				// the reference applies `a.b[i] op v` to a itself
				e.dictInsert(d, id.Names[0], val, op, idx)
				continue
			}
			kv := e.eval(s, en.Key)
			e.dictInsert(d, configKey(kv), val, op, insIdx)
		case *syntax.StringLit:
			if strings.Contains(k.Value, ".") && false {
				e.dictInsertPath(d, strings.Split(k.Value, "."), val, op, insIdx)
				continue
			}
			e.noteKeyPos(k.Value, e.pos)
			e.dictInsert(d, k.Value, val, op, insIdx)
		default:
			kv := e.eval(s, en.Key)
			key := configKey(kv)
			if isLiteral(en.Key) {
				// a literal that is not a string is a static error for the reference
				key = e.keyString(kv)
			}
			e.noteDynamicKey(s, key)
			e.dictInsert(d, key, val, op, insIdx)
		}
	}
}

// unpacked is a value taken by `**x`: a list or dict is copied, so a later `+=` or `:` of the same
// key (which changes it in place) leaves x alone, as in the toolchain.
func unpacked(v Value) Value {
	switch x := v.(type) {
	case *List:
		return &List{Items: append([]Value(nil), x.Items...)}
	case *Dict:
		return x.Copy()
	}
	return v
}

// noteDynamicKey remembers a key of a schema's config computed at run time: the static checker
// does not see it, so one the schema does not have is the runtime's error (No attribute named).
func (e *evaluator) noteDynamicKey(s *scope, k string) {
	if !s.schemaCfg {
		return
	}
	if e.dynamicKeys == nil {
		e.dynamicKeys = map[string]bool{}
	}
	e.dynamicKeys[k] = true
}

// configIf adds the entries of an `if` inside a config. The toolchain makes them a config of
// their own and merges it, so a list or dict they set is a copy (a later `+=` or `:` of the key
// changes that copy, not the variable it came from).
func (e *evaluator) configIf(s *scope, x *syntax.ConfigIfEntry, d *Dict) {
	e.inConfigIf++
	defer func() { e.inConfigIf-- }()
	e.configIfEntries(s, x, d)
}

func (e *evaluator) configIfEntries(s *scope, x *syntax.ConfigIfEntry, d *Dict) {
	if truthy(e.eval(s, x.Cond)) {
		e.configEntries(s, x.Entries, d)
		return
	}
	switch o := x.Orelse.(type) {
	case nil:
	case *syntax.ConfigIfEntry:
		e.configIfEntries(s, o, d)
	case *syntax.ConfigExpr:
		e.configEntries(s, o.Entries, d)
	}
}

// dictInsertPath handles `a.b.c: v` which means `a: {b: {c: v}}`.
// noteKeyPos remembers where a config literal last wrote key k, for a later
// "Cannot add member" error when the dict becomes a schema instance.
func (e *evaluator) noteKeyPos(k string, p srcPos) {
	if e.keyPos == nil {
		e.keyPos = map[string]srcPos{}
	}
	e.keyPos[k] = p
}

func (e *evaluator) dictInsertPath(d *Dict, names []string, v Value, op Op, idx Value) {
	for i := len(names) - 1; i >= 1; i-- {
		nd := NewDict()
		if id := e.nestedKeys; id != nil && len(id.NameSpans) == len(names) {
			// remember where `a.b.c` names each inner key, for errors about it later
			if e.keyPos == nil {
				e.keyPos = map[string]srcPos{}
			}
			e.keyPos[names[i]] = srcPos{file: e.file, line: int(id.NameSpans[i].From.Line), col: int(id.NameSpans[i].From.Col)}
		}
		nd.Set(names[i], v)
		nd.SetOp(names[i], op)
		v = nd
		op = OpUnion
		if i != len(names)-1 {
			continue
		}
	}
	e.dictInsert(d, names[0], v, OpUnion, idx)
}

// dictInsert adds key k with value v and operation op to a config being built.
func (e *evaluator) dictInsert(d *Dict, k string, v Value, op Op, idx Value) {
	if e.inConfigIf > 0 {
		v = unpacked(v)
	}
	old, exists := d.Get(k)
	switch op {
	case OpOverride:
		if idx != nil {
			i, _ := asIntStrict(idx)
			l, ok := old.(*List)
			if !ok {
				e.throw(KindEvaluation, "only list attribute can be override value with the index %d", i)
			}
			d.Set(k, e.listAt(l, v, OpOverride, i))
			return
		}
		d.Set(k, v)
		d.SetOp(k, OpOverride)
	case OpInsert:
		if exists && !isNoneOrUndef(old) {
			ol, ok1 := old.(*List)
			nl, ok2 := v.(*List)
			if !ok1 {
				// the reference's runtime fails so on `+=` to a value that is not a list
				e.throw(KindEvaluation, "RefCell already mutably borrowed")
			}
			if !ok2 {
				e.throw(KindType, "can only concatenate list (not \"%s\") to list", typeName(v))
			}
			if idx != nil {
				i, _ := asIntStrict(idx)
				d.Set(k, e.listAt(ol, nl, OpInsert, i))
			} else {
				// in place, as the toolchain does: a list the key was set to from a variable
				// (`x = base, x += [2]`) grows too
				ol.Items = append(ol.Items, nl.Items...)
			}
			// the latest operation of a key wins, as in the runtime's union
			d.SetOp(k, OpInsert)
			return
		}
		if idx != nil {
			// the runtime inserts into an empty list when the key is missing
			i, _ := asIntStrict(idx)
			v = e.listAt(&List{}, v, OpInsert, i)
		}
		d.Set(k, v)
		d.SetOp(k, OpInsert)
	default:
		if exists {
			u := e.unionAt(k, old, v, true, k, true)
			if od, ok := old.(*Dict); ok {
				if ud, ok := u.(*Dict); ok && ud != od {
					// in place, as the toolchain does: a dict the key was set to from a
					// variable (`a = base, a: {x = 1}`) gets the keys too
					od.becomes(ud)
					u = od
				}
			}
			d.Set(k, u)
			d.SetOp(k, OpUnion) // the latest operation of a key wins: `a = x, a: y` unifies with the default
			return
		}
		d.Set(k, v)
	}
}

// union merges b into a. idempotent reports `:` semantics (conflicting values are errors).
func (e *evaluator) union(a, b Value, idempotent bool, key string) Value {
	return e.unionValues(a, b, idempotent, key, key != "")
}

// unionInstance is the `:` union of a schema instance with a config or another instance
// (`a | b`, a key given twice in a config): the instance is unified by its attributes, as the
// reference unifies the values: those its body set count as `=` (so `S {} | {x: 2}` conflicts
// with a default `x = 1`, and an instance on the right overrides the left's values with its
// defaults); the result is then made again from the keys of both configs, their values taken
// from the union. (Declarations `a: S {…}` merge their configs instead, see unifyTop.)
func (e *evaluator) unionInstance(x *Schema, r Value) Value {
	var delta, rcfg *Dict
	args, kw := x.args, x.kw
	switch y := r.(type) {
	case *Dict:
		delta, rcfg = y, y
	case *Schema:
		delta, rcfg = instanceEntries(y), cfgOf(y)
		if y.args != nil || y.kw != nil {
			args, kw = y.args, y.kw
		}
	}
	merged := e.unionDict(instanceEntries(x), delta, true)
	cfg := NewDict()
	for _, src := range []*Dict{cfgOf(x), rcfg} {
		for _, k := range src.keys {
			_, done := cfg.Get(k)
			if v, ok := merged.Get(k); ok && !done {
				// the union's values are final: they replace the body's
				cfg.Set(k, v)
				cfg.SetOp(k, OpOverride)
			}
		}
	}
	return e.newInstance(x.Type, cfg, args, kw)
}

// instanceEntries are the attributes of an instance as a config: those of its config with the
// config's operation (`+=` already applied, so `=`), those its body set with `=`.
func instanceEntries(s *Schema) *Dict {
	d := s.Attrs.Copy()
	cfg := cfgOf(s)
	for _, k := range d.keys {
		if _, ok := cfg.Get(k); ok && cfg.GetOp(k) == OpUnion {
			d.SetOp(k, OpUnion)
		} else {
			d.SetOp(k, OpOverride)
		}
	}
	return d
}

// unionValues merges b into a. checked says whether a and b are the values of one attribute,
// which an idempotent union compares first (a list's items are unified without that comparison,
// though their own attributes are compared, as the reference does).
func (e *evaluator) unionValues(a, b Value, idempotent bool, key string, checked bool) Value {
	if isUndef(b) {
		return a
	}
	if isNoneOrUndef(a) {
		return b
	}
	switch x := a.(type) {
	case *Dict:
		switch y := b.(type) {
		case *Dict:
			return e.unionDict(x.Copy(), y, idempotent)
		case *Schema:
			base := e.unionDict(x.Copy(), y.Attrs, idempotent)
			_ = base
			return e.unionSchemaInto(y, x, idempotent)
		}
	case *Schema:
		switch y := b.(type) {
		case *Dict:
			if idempotent {
				return e.unionInstance(x, y)
			}
			return e.schemaUnionDict(x, y, idempotent)
		case *Schema:
			if idempotent {
				return e.unionInstance(x, y)
			}
			merged := &Schema{Type: x.Type, Attrs: x.Attrs, cfg: x.cfg, args: x.args, kw: x.kw}
			if y.args != nil || y.kw != nil {
				merged.args, merged.kw = y.args, y.kw
			}
			return e.schemaUnionDict(merged, cfgOf(y), idempotent)
		}
	case *List:
		if y, ok := b.(*List); ok {
			if idempotent && checked && !subsume(y, x) {
				e.conflict(key, a, b)
			}
			// lists unify element by element; extra elements are appended
			n := &List{Items: append([]Value(nil), x.Items...)}
			for i, it := range y.Items {
				if i < len(n.Items) {
					n.Items[i] = e.unionAt(fmt.Sprintf("list[%d]", i), n.Items[i], it, idempotent, key, false)
				} else {
					n.Items = append(n.Items, it)
				}
			}
			return n
		}
	}
	if isNone(b) {
		return a
	}
	if idempotent && checked && !subsume(b, a) {
		e.conflict(key, a, b)
	}
	return b
}

// conflict reports that a `:` union of b into a, under key, would change a.
func (e *evaluator) conflict(key string, a, b Value) {
	path := strings.Join(e.unionPath, ".")
	if path == "" {
		path = key
	}
	e.throw(KindEvaluation, "conflicting values on the attribute '%s' between :\n    %s\nand\n    %s\nwith union path :\n    %s\ntry operator '=' to override the attribute, like:\n    {...} | {\n            ...\n            %s = %s\n            ...\n    }",
		key, conflictRepr(a), conflictRepr(b), path, key, conflictRepr(b))
}

// unionAt unions the values under one key or list index, which the conflict message's union path names.
func (e *evaluator) unionAt(step string, a, b Value, idempotent bool, key string, checked bool) Value {
	e.unionPath = append(e.unionPath, step)
	defer func() { e.unionPath = e.unionPath[:len(e.unionPath)-1] }()
	return e.unionValues(a, b, idempotent, key, checked)
}

// conflictRepr is a value as a conflict message shows it: scalars as JSON, containers elided.
func conflictRepr(v Value) string {
	switch x := v.(type) {
	case *List:
		return "[...]"
	case *Dict, *Schema:
		return "{...}"
	case string:
		return jsonQuote(x)
	case float64, Unit:
		var b strings.Builder
		p, _ := plan(x, planOptions{})
		writeJSON(&b, p, "", 0)
		return b.String()
	case *Func:
		return "0" // as the reference writes a function
	case nil, NoneValue, UndefinedValue:
		return "null"
	case bool, int64:
		return boolIntText(x)
	}
	return toStr(v)
}

// subsume reports whether a `:` union of a into b may go ahead: scalars must be equal, lists
// of the same length subsume item by item, and two configs always do (their union then
// compares them key by key), as the reference's non-recursive check.
func subsume(a, b Value) bool {
	if isNoneOrUndef(a) || isNoneOrUndef(b) {
		return true
	}
	switch x := a.(type) {
	case *List:
		y, ok := b.(*List)
		if !ok || len(x.Items) != len(y.Items) {
			return false
		}
		for i := range x.Items {
			if !subsume(x.Items[i], y.Items[i]) {
				return false
			}
		}
		return true
	case *Dict, *Schema:
		switch b.(type) {
		case *Dict, *Schema:
			return true
		}
		return false
	}
	return equal(a, b)
}

func attrsOf(v Value) *Dict {
	switch x := v.(type) {
	case *Dict:
		return x
	case *Schema:
		return x.Attrs
	}
	return nil
}

func (e *evaluator) unionDict(a *Dict, b *Dict, idempotent bool) *Dict {
	for _, k := range b.keys {
		bv := b.val(k)
		op := b.GetOp(k)
		switch op {
		case OpOverride:
			a.Set(k, bv)
			a.SetOp(k, OpOverride)
		case OpInsert:
			if old, ok := a.Get(k); ok && !isNoneOrUndef(old) {
				ol, ok1 := old.(*List)
				nl, ok2 := bv.(*List)
				if ok1 && ok2 {
					if e.mergingDecls {
						// declarations merged into one literal: in place, as dictInsert
						ol.Items = append(ol.Items, nl.Items...)
					} else {
						a.Set(k, &List{Items: append(append([]Value(nil), ol.Items...), nl.Items...)})
					}
					a.SetOp(k, OpInsert)
					continue
				}
			}
			a.Set(k, bv)
			a.SetOp(k, OpInsert)
		default:
			if old, ok := a.Get(k); ok {
				u := e.unionAt(k, old, bv, idempotent, k, true)
				if e.mergingDecls {
					// as dictInsert: declarations are merged as one literal
					if od, ok := old.(*Dict); ok {
						if ud, ok := u.(*Dict); ok && ud != od {
							od.becomes(ud)
							u = od
						}
					}
					a.SetOp(k, OpUnion)
				}
				a.Set(k, u)
			} else {
				a.Set(k, bv)
			}
		}
	}
	return a
}

// listAt applies `l[i] = v` (OpOverride) or `l[i] += v` (OpInsert, v a list inserted before
// index i) to a copy of l.
func (e *evaluator) listAt(l *List, v Value, op Op, i int64) *List {
	n := int64(len(l.Items))
	raw := i
	if i < 0 {
		i += n
	}
	items := append([]Value(nil), l.Items...)
	if op == OpOverride {
		if i < 0 || i >= n {
			e.throw(KindEvaluation, "index out of bounds: the len is %d but the index is %d", n, raw)
		}
		items[i] = v
		return &List{Items: items}
	}
	nl, ok := v.(*List)
	if !ok {
		e.throw(KindType, "can only concatenate list (not \"%s\") to list", typeName(v))
	}
	if i < 0 {
		e.throw(KindEvaluation, "index out of bounds: the len is %d but the index is %d", n, raw)
	}
	if i > n {
		e.throw(KindEvaluation, "insertion index (is %d) should be <= len (is %d)", i, n)
	}
	return &List{Items: append(items[:i], append(append([]Value(nil), nl.Items...), l.Items[i:]...)...)}
}

// schemaExprOf returns the schema expression of a top-level `name: S {…}` or `name = S {…}`.
func schemaExprOf(st syntax.Stmt) *syntax.SchemaExpr {
	switch s := st.(type) {
	case *syntax.UnificationStmt:
		if len(s.Target.Names) == 1 {
			return s.Value
		}
	case *syntax.AssignStmt:
		if len(s.Targets) == 1 && s.Type == nil {
			if id, ok := s.Targets[0].(*syntax.Ident); ok && len(id.Names) == 1 {
				x, _ := s.Value.(*syntax.SchemaExpr)
				return x
			}
		}
	}
	return nil
}

// withoutOverridden is the config of a declaration without the entries whose key a later
// declaration sets with `=`: the toolchain merges the declarations' configs before evaluating
// them, so those entries are never evaluated.
func withoutOverridden(p *pkgState, x syntax.Expr, later []*stmtRef, s syntax.Stmt) syntax.Expr {
	c, ok := x.(*syntax.ConfigExpr)
	if !ok {
		return x
	}
	overridden := map[string]bool{}
	for _, r := range later {
		if u := schemaExprOf(p.stmt(r)); u != nil && (r.state == 0 || p.stmt(r) == s) {
			if lc, ok := u.Config.(*syntax.ConfigExpr); ok {
				for _, en := range lc.Entries {
					// `a = v` replaces all of a; `a.b = v` only a.b
					if id, ok := en.Key.(*syntax.Ident); ok && len(id.Names) > 1 {
						continue
					}
					if k := entryName(en); k != "" && en.Op == syntax.OpOverride {
						overridden[k] = true
					}
				}
			}
		}
	}
	if len(overridden) == 0 {
		return x
	}
	kept := make([]*syntax.ConfigEntry, 0, len(c.Entries))
	for _, en := range c.Entries {
		if !overridden[entryName(en)] {
			kept = append(kept, en)
		}
	}
	if len(kept) == len(c.Entries) {
		return x
	}
	out := *c
	out.Entries = kept
	return &out
}

// entryName is the first name of a config entry's key (`a` of `a.b = 1`), or "".
func entryName(en *syntax.ConfigEntry) string {
	switch k := en.Key.(type) {
	case *syntax.Ident:
		return k.Names[0]
	case *syntax.StringLit:
		return k.Value
	}
	return ""
}

// unifyTop evaluates every pending `name: Schema {…}` (and `name = Schema {…}`) statement of a
// package variable together: their configs are merged first and the schema is instantiated once,
// with the arguments of the last statement.
func (e *evaluator) unifyTop(fr *frame, name string, s syntax.Stmt) {
	e.exprDepth++
	defer func() { e.exprDepth-- }()
	p := fr.pkg
	cfg := NewDict()
	var st *SchemaType
	var args []Value
	var kwargs *Dict
	var cfgNode *syntax.ConfigExpr
	var cfgFile string
	saveFile, saveStmt := e.file, e.stmtPos
	merged := 0 // schema statements merged
	decls := p.setters(name)
	for i, r := range decls {
		u := schemaExprOf(p.stmt(r))
		if u == nil || (r.state != 0 && p.stmt(r) != s) {
			continue
		}
		if merged == 0 {
			// the declarations are merged where the first one is (a conflict is reported there)
			e.stmtPos = posOf(p.fileOf(r), p.stmt(r))
		}
		merged++
		r.state = 1
		e.file = p.fileOf(r)
		sc := e.fileScope(p, e.file)
		e.pos = posOf(e.file, u.Name)
		tv := e.evalIdent(sc, u.Name)
		t, ok := tv.(*SchemaType)
		if !ok {
			e.throw(KindType, "'%s' is not a schema", u.Name.Name())
		}
		if st == nil || t.isSubOf(st) {
			st = t
		}
		if u.Args != nil || u.Kwargs != nil || args == nil {
			args, kwargs = e.callArgs(sc, u.Args, u.Kwargs)
		}
		if u.Config != nil {
			c := e.evalSchemaConfig(sc, withoutOverridden(p, u.Config, decls[i+1:], s))
			if d := attrsOf(c); d != nil {
				e.pos = posOf(e.file, u)
				e.mergingDecls = true
				cfg = e.unionDict(cfg, d, true)
				e.mergingDecls = false
			}
			if cn, ok := u.Config.(*syntax.ConfigExpr); ok {
				cfgNode, cfgFile = cn, p.fileOf(r)
			}
		}
		if p.stmt(r) != s {
			r.state = 2
		}
	}
	e.file, e.stmtPos = saveFile, saveStmt
	e.pos = posOf(e.file, s)
	var v Value
	if old, ok := p.globals.Get(name); ok {
		if os, ok := old.(*Schema); ok {
			e.cfgNode, e.cfgFile = cfgNode, cfgFile
			v = e.newInstance(st, e.unionDict(cfgOf(os).Copy(), cfg, true), args, kwargs)
		} else {
			v = e.union(old, e.newInstance(st, cfg, args, kwargs), true, name)
		}
	} else {
		e.cfgNode, e.cfgFile = cfgNode, cfgFile
		e.cfgLiteral = merged == 1 // one plain `name = Schema {…}` or `name: Schema {…}` is a literal
		v = e.newInstance(st, cfg, args, kwargs)
	}
	p.globals.Set(name, v)
}

func cfgOf(s *Schema) *Dict {
	if s.cfg != nil {
		return s.cfg
	}
	return s.Attrs
}

// localVar finds name among comprehension variables: scopes below the package, schema and
// config levels, other than a lambda's parameters and locals.
func localVar(s *scope, name string) (Value, bool) {
	for c := s; c != nil && c.parent != nil && c.inst == nil; c = c.parent {
		if c.cfg != nil || c.bodyVars || c.params {
			continue
		}
		if v, ok := c.vars[name]; ok {
			return v, true
		}
	}
	return nil, false
}

// evalConfig evaluates a config literal; schemaCfg marks the body of a schema expression,
// whose identifier keys are always attribute names.
func (e *evaluator) evalConfig(s *scope, n *syntax.ConfigExpr, schemaCfg bool) *Dict {
	d := NewDict()
	cs := &scope{parent: s, cfg: d, pkg: s.pkg, file: s.file, schemaCfg: schemaCfg}
	e.configEntries(cs, n.Entries, d)
	return d
}

// evalSchemaConfig evaluates the config part of a schema expression.
func (e *evaluator) evalSchemaConfig(s *scope, x syntax.Expr) Value {
	if c, ok := x.(*syntax.ConfigExpr); ok {
		return e.evalConfig(s, c, true)
	}
	return e.eval(s, x)
}
