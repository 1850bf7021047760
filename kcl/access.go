package kcl

// Attribute access, indexing and slicing.

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kpm-dev/kpm/kcl/syntax"
)

func (e *evaluator) getAttr(v Value, name string) Value {
	switch x := v.(type) {
	case *Dict:
		if r, ok := x.Get(name); ok {
			return r
		}
		if m := dictMethod(e, x, name); m != nil {
			return m
		}
		return undef // a missing key is Undefined
	case *Schema:
		if r, ok := x.Attrs.Get(name); ok {
			return r
		}
		if x.Type != nil && x.Type.closed() && !x.Type.hasAttr(name) {
			e.attrNotFound(name, x.Type.Name, x.Type.order)
		}
		return none
	case *Module:
		if x.pkg != nil {
			if x.typesOnly && !declaresType(x.pkg, x.pkg.setters(name)) {
				return undef
			}
			if r, ok := e.globalLookup(x.pkg, name); ok {
				if strings.HasPrefix(name, "_") {
					e.throwAt(e.pos, KindAttribute, "module '%s' has no attribute %s", x.Name, name)
				}
				return r
			}
		} else if r, ok := x.Members.Get(name); ok {
			return r
		}
		e.throwAt(e.pos, KindAttribute, "module '%s' has no attribute %s", x.Name, name)
	case string:
		if m := strMethod(x, name); m != nil {
			return m
		}
		e.attrNotFound(name, "str", nil) // the reference suggests no str method
	case *SchemaType:
		if name == "instances" {
			st := x
			return &Func{Name: "instances", Builtin: func(e *evaluator, args []Value, kw *Dict) Value {
				// the schema's own instances, then those of its sub-schemas,
				// each in creation order
				l := &List{}
				for _, inst := range e.instList {
					if inst.Type == st {
						l.Items = append(l.Items, inst)
					}
				}
				for _, inst := range e.instList {
					if inst.Type != st && inst.Type.isSubOf(st) {
						l.Items = append(l.Items, inst)
					}
				}
				return l
			}}
		}
		e.attrNotFound(name, x.Name, []string{"instances"})
	case NoneValue, UndefinedValue, nil:
		e.throw(KindEvaluation, "invalid value '%s' to load attribute '%s'", typeName(v), name)
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
		if isNoneOrUndef(idx) {
			return undef
		}
		if r, ok := x.Get(e.keyString(idx)); ok {
			return r
		}
		return undef
	case *Schema:
		if r, ok := x.Attrs.Get(e.keyString(idx)); ok {
			return r
		}
		return none
	case NoneValue, UndefinedValue:
		e.throw(KindEvaluation, "'%s' object is not subscriptable with '%s'", typeName(v), typeName(idx))
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

// attrNotFound throws KCL's type error for a missing attribute of a value of
// type typ, suggesting the names close to name (as kcl's "did you mean").
func (e *evaluator) attrNotFound(name, typ string, names []string) {
	msg := fmt.Sprintf("attribute '%s' not found in '%s'", name, typ)
	var close []string
	for _, c := range names {
		if jaroWinkler(name, c) > 0.8 {
			close = append(close, strconv.Quote(c))
		}
	}
	if len(close) > 0 {
		msg += fmt.Sprintf(", did you mean '[%s]'?", strings.Join(close, ", "))
	}
	e.throw(KindType, "%s", msg)
}

// jaroWinkler is the Jaro-Winkler similarity of a and b (0 to 1), over runes.
func jaroWinkler(a, b string) float64 {
	s, t := []rune(a), []rune(b)
	if len(s) == 0 && len(t) == 0 {
		return 1
	}
	if len(s) == 0 || len(t) == 0 {
		return 0
	}
	window := max(len(s), len(t))/2 - 1
	window = max(window, 0)
	sm, tm := make([]bool, len(s)), make([]bool, len(t))
	matches := 0
	for i := range s {
		for j := max(0, i-window); j < min(len(t), i+window+1); j++ {
			if !tm[j] && s[i] == t[j] {
				sm[i], tm[j] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	transpositions, k := 0, 0
	for i := range s {
		if !sm[i] {
			continue
		}
		for !tm[k] {
			k++
		}
		if s[i] != t[k] {
			transpositions++
		}
		k++
	}
	m := float64(matches)
	jaro := (m/float64(len(s)) + m/float64(len(t)) + (m-float64(transpositions/2))/m) / 3
	prefix := 0
	for prefix < min(4, len(s), len(t)) && s[prefix] == t[prefix] {
		prefix++
	}
	return jaro + float64(prefix)*0.1*(1-jaro)
}

// declaresType reports whether a module name is set by a schema, rule or type alias statement.
func declaresType(p *pkgState, setters []*stmtRef) bool {
	for _, r := range setters {
		switch p.stmt(r).(type) {
		case *syntax.SchemaStmt, *syntax.RuleStmt, *syntax.TypeAliasStmt:
			return true
		}
	}
	return false
}
