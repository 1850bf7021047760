package kcl

// Attribute access, indexing and slicing.

import (
	"strings"
)

func (e *evaluator) getAttr(v Value, name string) Value {
	switch x := v.(type) {
	case *Dict:
		if r, ok := x.m[name]; ok {
			return r
		}
		if m := dictMethod(e, x, name); m != nil {
			return m
		}
		return none
	case *Schema:
		if r, ok := x.Attrs.m[name]; ok {
			return r
		}
		return none
	case *Module:
		if x.pkg != nil {
			if r, ok := e.globalLookup(x.pkg, name); ok {
				if strings.HasPrefix(name, "_") {
					e.throwAt(e.pos, KindAttribute, "module '%s' has no attribute %s", x.Name, name)
				}
				return r
			}
		} else if r, ok := x.Members.m[name]; ok {
			return r
		}
		e.throwAt(e.pos, KindAttribute, "module '%s' has no attribute %s", x.Name, name)
	case string:
		if m := strMethod(x, name); m != nil {
			return m
		}
		e.throw(KindAttribute, "str object has no attribute %s", name)
	case *SchemaType:
		if name == "instances" {
			st := x
			return &Func{Name: "instances", Builtin: func(e *evaluator, args []Value, kw *Dict) Value {
				l := &List{}
				for _, inst := range e.instList[st] {
					l.Items = append(l.Items, inst)
				}
				for sub, insts := range e.instList {
					if sub != st && sub.isSubOf(st) {
						for _, inst := range insts {
							l.Items = append(l.Items, inst)
						}
					}
				}
				return l
			}}
		}
		e.throw(KindAttribute, "schema '%s' has no attribute '%s'", x.Name, name)
	case NoneValue, UndefinedValue, nil:
		e.throw(KindAttribute, "'%s' object has no attribute '%s'", typeName(v), name)
	}
	e.throw(KindAttribute, "'%s' object has no attribute '%s'", typeName(v), name)
	return nil
}

func (e *evaluator) index(v Value, idx Value) Value {
	switch x := v.(type) {
	case *List:
		i, ok := asIntStrict(idx)
		if !ok {
			e.throw(KindType, "list indices must be integers, not %s", typeName(idx))
		}
		n := int64(len(x.Items))
		if i < 0 {
			i += n
		}
		if i < 0 || i >= n {
			e.throw(KindEvaluation, "list index out of range: %d", i)
		}
		return x.Items[i]
	case string:
		i, ok := asIntStrict(idx)
		if !ok {
			e.throw(KindType, "string indices must be integers")
		}
		rs := []rune(x)
		n := int64(len(rs))
		if i < 0 {
			i += n
		}
		if i < 0 || i >= n {
			e.throw(KindEvaluation, "string index out of range: %d", i)
		}
		return string(rs[i])
	case *Dict:
		if r, ok := x.m[e.keyString(idx)]; ok {
			return r
		}
		return none
	case *Schema:
		if r, ok := x.Attrs.m[e.keyString(idx)]; ok {
			return r
		}
		return none
	case NoneValue, UndefinedValue:
		e.throw(KindType, "'%s' object is not subscriptable", typeName(v))
	}
	e.throw(KindType, "'%s' object is not subscriptable", typeName(v))
	return nil
}

func asIntStrict(v Value) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case bool:
		return b2i(x), true
	}
	return 0, false
}

func sliceIndices(n int64, lo, hi, st Value) (int64, int64, int64, bool) {
	step := int64(1)
	if !isNoneOrUndef(st) {
		s, ok := asIntStrict(st)
		if !ok || s == 0 {
			return 0, 0, 0, false
		}
		step = s
	}
	var start, stop int64
	if step > 0 {
		start, stop = 0, n
	} else {
		start, stop = n-1, -n-1
	}
	norm := func(v Value, def int64) int64 {
		if isNoneOrUndef(v) {
			return def
		}
		i, _ := asIntStrict(v)
		if i < 0 {
			i += n
			if i < 0 {
				if step > 0 {
					i = 0
				} else {
					i = -1
				}
			}
		} else if i >= n {
			if step > 0 {
				i = n
			} else {
				i = n - 1
			}
		}
		return i
	}
	start = norm(lo, start)
	if isNoneOrUndef(hi) {
		if step > 0 {
			stop = n
		} else {
			stop = -1
		}
	} else {
		stop = norm(hi, stop)
	}
	return start, stop, step, true
}

func (e *evaluator) slice(v, lo, hi, st Value) Value {
	var n int64
	var rs []rune
	switch x := v.(type) {
	case *List:
		n = int64(len(x.Items))
	case string:
		rs = []rune(x)
		n = int64(len(rs))
	default:
		e.throw(KindType, "'%s' object is not subscriptable", typeName(v))
	}
	start, stop, step, ok := sliceIndices(n, lo, hi, st)
	if !ok {
		e.throw(KindValue, "slice step cannot be zero")
	}
	var idxs []int64
	if step > 0 {
		for i := start; i < stop; i += step {
			idxs = append(idxs, i)
		}
	} else {
		for i := start; i > stop; i += step {
			idxs = append(idxs, i)
		}
	}
	if l, ok := v.(*List); ok {
		out := &List{Items: make([]Value, 0, len(idxs))}
		for _, i := range idxs {
			out.Items = append(out.Items, l.Items[i])
		}
		return out
	}
	var b strings.Builder
	for _, i := range idxs {
		b.WriteRune(rs[i])
	}
	return b.String()
}
