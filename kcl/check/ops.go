package check

import (
	"strconv"

	"github.com/kpm-dev/kpm/kcl/syntax"
)

// The reference's operator tables: an operator applied to operands whose types are known and
// outside its table is a TypeError before anything runs. An operand of unknown type (any,
// None, a function, a module) is never reported.

// operand is the type an operator sees: the literal members of a union are their base types
// (a single literal stays itself, as the reference prints it).
func operand(t Type) Type {
	u, ok := t.(*Union)
	if !ok {
		return t
	}
	ms := make([]Type, len(u.Types))
	for i, m := range u.Types {
		ms[i] = base(m)
	}
	return unionOf(ms...)
}

// known reports whether the kind of a value of type t is certain.
func known(t Type) bool {
	switch t := t.(type) {
	case *Literal, *List, *Dict, *Instance:
		return true
	case *Basic:
		return t == Int || t == Float || t == Str || t == Bool || t == numberMultiplier
	case *Union:
		for _, m := range t.Types {
			if !known(m) {
				return false
			}
		}
		return true
	}
	return false
}

// base is the basic type of a literal, else t.
func base(t Type) Type {
	if l, ok := t.(*Literal); ok {
		return l.Base
	}
	return t
}

// every reports whether t, or each member of a union t, satisfies p.
func every(t Type, p func(Type) bool) bool {
	if u, ok := t.(*Union); ok {
		for _, m := range u.Types {
			if !p(m) {
				return false
			}
		}
		return true
	}
	return p(t)
}

func isNumber(t Type) bool {
	return every(t, func(m Type) bool { b := base(m); return b == Int || b == Float })
}

func isNumberOrBool(t Type) bool {
	return every(t, func(m Type) bool { b := base(m); return b == Int || b == Float || b == Bool })
}

func isPrimitive(t Type) bool {
	return every(t, func(m Type) bool { b := base(m); return b == Int || b == Float || b == Bool || b == Str })
}

func isInt(t Type) bool  { return base(t) == Int }
func isStr(t Type) bool  { return base(t) == Str }
func isList(t Type) bool { _, ok := t.(*List); return ok }
func isDict(t Type) bool { _, ok := t.(*Dict); return ok }
func isInstance(t Type) bool {
	_, ok := t.(*Instance)
	return ok
}

// isRepeatable is what int * x repeats: a str or a list (or a union of them).
func isRepeatable(t Type) bool {
	return every(t, func(m Type) bool { return isStr(m) || isList(m) })
}

// numberResult is the type of arithmetic on numbers: float when either is, else int.
func numberResult(l, r Type) Type {
	if every(l, func(m Type) bool { return base(m) == Int }) && every(r, func(m Type) bool { return base(m) == Int }) {
		return Int
	}
	return Float
}

// isZero reports a literal 0 or 0.0, which a division by is reported.
func isZero(t Type) bool {
	l, ok := t.(*Literal)
	if !ok || (l.Base != Int && l.Base != Float) {
		return false
	}
	f, err := strconv.ParseFloat(l.Text, 64)
	return err == nil && f == 0
}

// binaryOp applies a binary operator to the types of its operands, reporting an operator the
// reference has no rule for (at n, the whole expression) and returning the result's type.
func (c *fileChecker) binaryOp(n syntax.Node, op syntax.Token, left, right Type) Type {
	l, r := operand(left), operand(right)
	switch op {
	case syntax.KW_AND, syntax.KW_OR:
		return unionOf(widen(l), widen(r))
	}
	if !known(l) || !known(r) {
		if op == syntax.OR && isInstance(l) {
			return l
		}
		return Any
	}
	var result Type
	switch op {
	case syntax.ADD:
		switch {
		case isNumber(l) && isNumber(r):
			result = numberResult(l, r)
		case isStr(l) && isStr(r):
			result = Str
		case isList(l) && isList(r):
			result = &List{unionOf(l.(*List).Elem, r.(*List).Elem)}
		}
	case syntax.SUB, syntax.POW:
		if isNumber(l) && isNumber(r) {
			result = numberResult(l, r)
		}
	case syntax.MUL:
		switch {
		case isNumber(l) && isNumber(r):
			result = numberResult(l, r)
		case isInt(l) && isRepeatable(r):
			result = widen(r)
		case isRepeatable(l) && isInt(r):
			result = widen(l)
		}
	case syntax.DIV, syntax.FLOORDIV, syntax.MOD:
		if isNumber(l) && isNumber(r) {
			if isZero(r) {
				c.errorf(n, KindType, "integer division or modulo by zero")
			}
			result = numberResult(l, r)
			if op == syntax.MOD {
				result = Int
			}
		}
	case syntax.SHL, syntax.SHR, syntax.XOR, syntax.AND:
		if isInt(l) && isInt(r) {
			result = Int
		}
	case syntax.OR:
		switch {
		case isInt(l) && isInt(r):
			result = Int
		case isList(l) && isList(r):
			result = &List{unionOf(l.(*List).Elem, r.(*List).Elem)}
		case isDict(l) && isDict(r):
			ld, rd := l.(*Dict), r.(*Dict)
			result = &Dict{Key: unionOf(ld.Key, rd.Key), Value: unionOf(ld.Value, rd.Value)}
		case isInstance(l) && (isInstance(r) || isDict(r)):
			result = l
		}
	default:
		return Any
	}
	if result == nil {
		c.errorf(n, KindType, "unsupported operand type(s) for %s: '%s' and '%s'", op, left, right)
		return Any
	}
	return result
}

// unaryOp checks + - ~ on an operand (not takes anything).
func (c *fileChecker) unaryOp(x *syntax.UnaryExpr, t Type) Type {
	if x.Op == syntax.KW_NOT {
		if inner, ok := x.X.(*syntax.UnaryExpr); ok && inner.Op == syntax.KW_NOT {
			// the reference's parser reads the second `not` of `not not x` as a name
			c.errorf(inner, KindCompile, "name 'not' is not defined")
		}
		return Bool
	}
	v := operand(t)
	if !known(v) {
		return widen(t)
	}
	ok := false
	switch x.Op {
	case syntax.ADD, syntax.SUB:
		ok = isNumber(v)
	case syntax.INVERT:
		ok = every(v, func(m Type) bool { b := base(m); return b == Int || b == Bool })
	}
	if !ok {
		c.errorf(x.X, KindType, "bad operand type for unary %s: '%s'", x.Op, t)
		return Any
	}
	return v // -3.75 keeps the type float(3.75), as in the reference
}

// compareOp checks one comparison of a chain.
func (c *fileChecker) compareOp(n syntax.Node, op syntax.Token, left, right Type) {
	l, r := operand(left), operand(right)
	if !known(l) || !known(r) {
		return
	}
	switch op {
	case syntax.IN, syntax.NOT_IN:
		if isUnion(r) || every(r, func(m Type) bool { return isStr(m) || isList(m) || isDict(m) || isInstance(m) }) {
			return
		}
	case syntax.EQ, syntax.NE:
		if isNumberOrBool(l) && isNumberOrBool(r) || isPrimitive(l) && isPrimitive(r) ||
			isList(l) && isList(r) || (isDict(l) || isInstance(l)) && (isDict(r) || isInstance(r)) {
			return
		}
		if isUnion(l) || isUnion(r) {
			return // a union mixing kinds: left to the evaluator
		}
	default:
		if isNumberOrBool(l) && isNumberOrBool(r) {
			return
		}
	}
	c.errorf(n, KindType, "unsupported operand type(s) for %s: '%s' and '%s'", op, l, r)
}

// conversion checks `x as T`: the reference only narrows, T must be a subtype of x's type.
func (c *fileChecker) conversion(x *syntax.AsExpr, from, to Type) {
	v := widen(from)
	if !known(v) || !certain(to) || narrows(to, v) {
		return
	}
	c.errorf(x, KindType, "Conversion of type '%s' to type '%s' may be a mistake because neither type sufficiently overlaps with the other", from, to)
}

// narrows reports whether t is a subtype of v (for a union t, one of its members is; a union v
// has t under one of its members), lenient where it is not sure.
func narrows(t, v Type) bool {
	if tu, ok := t.(*Union); ok {
		for _, m := range tu.Types {
			if narrows(m, v) {
				return true
			}
		}
		return false
	}
	if vu, ok := v.(*Union); ok {
		for _, m := range vu.Types {
			if narrows(t, m) {
				return true
			}
		}
		return false
	}
	t = base(t)
	switch v := v.(type) {
	case *Basic:
		return t == v || t == Int && v == Float
	case *Instance:
		ti, ok := t.(*Instance)
		return ok && ti.Schema.inherits(v.Schema)
	case *List:
		_, ok := t.(*List)
		return ok
	case *Dict:
		_, ok := t.(*Dict) // a dict is never narrowed to a schema
		return ok
	}
	return true
}
