package kcl

// Operators: arithmetic with the runtime's overflow checks, comparisons, membership.

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"

	"github.com/kpm-dev/kpm/kcl/syntax"
)

func (e *evaluator) unaryOp(op syntax.Token, v Value) Value {
	if isNoneOrUndef(v) && op != syntax.KW_NOT {
		e.throw(KindEvaluation, "bad operand type for unary %s: '%s'", op, typeName(v))
	}
	switch op {
	case syntax.KW_NOT:
		return !truthy(v)
	case syntax.SUB:
		switch x := v.(type) {
		case int64:
			return -x
		case float64:
			return 0 - x // -0.0 is 0.0, as in the reference
		case bool:
			return -b2i(x)
		}
		e.throw(KindType, "bad operand type for unary -: '%s'", typeName(v))
	case syntax.ADD:
		switch x := v.(type) {
		case int64, float64:
			return x
		case bool:
			return b2i(x)
		}
		e.throw(KindType, "bad operand type for unary +: '%s'", typeName(v))
	case syntax.INVERT:
		switch x := v.(type) {
		case int64:
			return ^x
		case bool:
			return ^b2i(x)
		}
		e.throw(KindType, "bad operand type for unary ~: '%s'", typeName(v))
	}
	e.throw(KindCompile, "unsupported unary operator %s", op)
	return nil
}

func opSymbol(op syntax.Token) string { return op.String() }

func (e *evaluator) binaryOp(op syntax.Token, l, r Value) Value {
	v := e.binaryOp0(op, l, r)
	if e.opts.StrictRangeCheck {
		e.strictRange(op, l, r, v)
	}
	return v
}

// strictRange is `kcl run -r`: the results of + - * ** << >> must fit in 32 bits (the
// reference checks no division or modulo).
func (e *evaluator) strictRange(op syntax.Token, l, r, v Value) {
	switch op {
	case syntax.ADD, syntax.SUB, syntax.MUL, syntax.POW, syntax.SHL, syntax.SHR:
	default:
		return
	}
	_, lOK := toNumber(l)
	_, rOK := toNumber(r)
	if !lOK || !rOK {
		return
	}
	switch x := v.(type) {
	case int64:
		if x > math.MaxInt32 || x < math.MinInt32 {
			e.throw(KindEvaluation, "%d: A 32 bit integer overflow", x)
		}
	case float64:
		if math.IsInf(x, 0) {
			// the reference's own spelling for an infinite result
			name := "inf"
			if x < 0 {
				name = "-inf"
			}
			e.throw(KindEvaluation, "%s: A 32-bit floating point numbe+r overflow", name)
		}
		if !math.IsNaN(x) && math.Abs(x) > math.MaxFloat32 {
			e.throw(KindEvaluation, "%s: A 32-bit floating point number overflow", strconv.FormatFloat(x, 'g', -1, 64)) // 6e+38, as the reference
		}
	}
}

func (e *evaluator) binaryOp0(op syntax.Token, l, r Value) Value {
	unsupported := func() Value {
		if !isLiteral(e.binL) && !isLiteral(e.binR) || runtimeNone(e.binL, l) || runtimeNone(e.binR, r) {
			// only known at run time: the runtime's wording
			if op == syntax.ADD {
				switch l.(type) {
				case *List:
					e.throw(KindEvaluation, "can only concatenate list (not \"%s\") to list", typeName(r))
				case string:
					if !isNoneOrUndef(r) {
						e.throw(KindEvaluation, "can only concatenate str (not \"%s\") to str", typeName(r))
					}
				}
			}
			e.throw(KindEvaluation, "unsupported operand type(s) for %s: '%s' and '%s'", opSymbol(op), typeName(l), typeName(r))
		}
		e.throw(KindType, "unsupported operand type(s) for %s: '%s' and '%s'", opSymbol(op), operandType(e.binL, l), operandType(e.binR, r))
		return nil
	}
	if _, ok := l.(bool); ok && op != syntax.OR && op != syntax.AND && op != syntax.XOR {
		return unsupported()
	}
	if _, ok := r.(bool); ok && op != syntax.OR && op != syntax.AND && op != syntax.XOR {
		return unsupported()
	}
	// normalise units and bools to numbers
	if u, ok := l.(Unit); ok {
		l = unitNum(u)
	}
	if u, ok := r.(Unit); ok {
		r = unitNum(u)
	}
	switch op {
	case syntax.ADD:
		switch x := l.(type) {
		case string:
			if y, ok := r.(string); ok {
				e.reserve(int64(len(x)) + int64(len(y)))
				return x + y
			}
			return unsupported()
		case *List:
			if y, ok := r.(*List); ok {
				e.reserveItems(int64(len(x.Items))+int64(len(y.Items)), valueSize)
				items := make([]Value, 0, len(x.Items)+len(y.Items))
				items = append(items, x.Items...)
				items = append(items, y.Items...)
				return &List{Items: items}
			}
			return unsupported()
		}
	case syntax.MUL:
		switch x := l.(type) {
		case string:
			if n, ok := asIntStrict(r); ok {
				return e.repeat(x, n)
			}
			return unsupported()
		case *List:
			if n, ok := asIntStrict(r); ok {
				e.reserveItems(n, expandedSize(x)) // the items are deep copies
				out := &List{}
				if n > 0 {
					out.Items = make([]Value, 0, n*int64(len(x.Items)))
				}
				for i := int64(0); i < n; i++ {
					// copies, as the toolchain makes: changing one element leaves the others
					for _, it := range x.Items {
						out.Items = append(out.Items, deepCopy(it))
					}
				}
				return out
			}
			return unsupported()
		case int64, bool:
			switch y := r.(type) {
			case string:
				return e.binaryOp(op, y, x)
			case *List:
				return e.binaryOp(op, y, x)
			}
		}
	case syntax.OR:
		switch l.(type) {
		// `|` unifies as `:` does: conflicting values are errors
		case *Dict, *Schema, NoneValue, UndefinedValue, *List:
			return e.union(l, r, true, "")
		}
		switch r.(type) {
		case *Dict, *Schema, NoneValue, UndefinedValue:
			return e.union(l, r, true, "")
		}
	case syntax.MOD:
		if s, ok := l.(string); ok {
			_ = s
			return unsupported()
		}
	}
	// numeric
	li, lInt := asIntStrict(l)
	ri, rInt := asIntStrict(r)
	lf, lNum := toNumber(l)
	rf, rNum := toNumber(r)
	if !lNum || !rNum {
		return unsupported()
	}
	if _, ok := l.(Unit); ok {
		return unsupported()
	}
	bothInt := lInt && rInt
	switch op {
	case syntax.ADD:
		if bothInt {
			if r := li + ri; (r > li) == (ri > 0) {
				return r
			}
			return e.checkInt(new(big.Int).Add(big.NewInt(li), big.NewInt(ri)))
		}
		return lf + rf
	case syntax.SUB:
		if bothInt {
			if r := li - ri; (r < li) == (ri > 0) {
				return r
			}
			return e.checkInt(new(big.Int).Sub(big.NewInt(li), big.NewInt(ri)))
		}
		return lf - rf
	case syntax.MUL:
		if bothInt {
			if hi, lo := bits.Mul64(uint64(absInt(li)), uint64(absInt(ri))); hi == 0 && lo < 1<<62 {
				return li * ri
			}
			return e.checkInt(new(big.Int).Mul(big.NewInt(li), big.NewInt(ri)))
		}
		return lf * rf
	case syntax.DIV:
		if rf == 0 {
			e.throw(KindEvaluation, "division by zero")
		}
		return lf / rf
	case syntax.FLOORDIV:
		if rf == 0 {
			e.throw(KindEvaluation, "integer division or modulo by zero")
		}
		if bothInt {
			q := li / ri
			if (li%ri != 0) && ((li < 0) != (ri < 0)) {
				q--
			}
			return q
		}
		return math.Floor(lf / rf)
	case syntax.MOD:
		if rf == 0 {
			e.throw(KindEvaluation, "integer division or modulo by zero")
		}
		if bothInt {
			m := li % ri
			if m != 0 && ((m < 0) != (ri < 0)) {
				m += ri
			}
			return m
		}
		return math.Mod(lf, rf) // floats keep the sign of the dividend, as Rust's %
	case syntax.POW:
		if bothInt {
			return e.intPow(li, ri)
		}
		return math.Pow(lf, rf)
	case syntax.SHL, syntax.SHR, syntax.AND, syntax.OR, syntax.XOR:
		if !bothInt {
			return unsupported()
		}
		switch op {
		case syntax.SHL, syntax.SHR:
			return e.intShift(op, li, ri)
		case syntax.AND:
			return li & ri
		case syntax.OR:
			return li | ri
		default:
			return li ^ ri
		}
	}
	return unsupported()
}

func absInt(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// checkInt returns an integer result, or the runtime's overflow error when it does not fit
// in 64 bits.
func (e *evaluator) checkInt(v *big.Int) Value {
	if !v.IsInt64() {
		e.throw(KindEvaluation, "%s: A 64 bit integer overflow", v.String())
	}
	return v.Int64()
}

// The toolchain computes with 64-bit integers and, when a power or a shift overflows, reports the
// result as a wrapping 128-bit integer. The checks below look at the operands first, so no
// operation ever builds a huge number (7 ** 100000000 fails at once).

// intPow is a ** b: an error when b is not a 32-bit integer or the power does not fit in 64 bits.
func (e *evaluator) intPow(a, b int64) Value {
	if b >= math.MinInt32 && b <= math.MaxInt32 {
		if v, ok := checkedPow(a, uint32(b)); ok {
			return v
		}
	}
	v := new(big.Int).Exp(big.NewInt(a), big.NewInt(int64(uint32(b))), two128)
	e.throw(KindEvaluation, "%s: A 64 bit integer overflow", wrap128(v))
	return nil
}

// checkedPow is exponentiation by squaring that gives up at the first overflow.
func checkedPow(base int64, exp uint32) (int64, bool) {
	acc := int64(1)
	for exp > 0 {
		if exp&1 == 1 {
			var ok bool
			if acc, ok = checkedMul(acc, base); !ok {
				return 0, false
			}
			if exp == 1 {
				break
			}
		}
		exp >>= 1
		var ok bool
		if base, ok = checkedMul(base, base); !ok {
			return 0, false
		}
	}
	return acc, true
}

func checkedMul(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	c := a * b
	if c/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		return 0, false
	}
	return c, true
}

// intShift is a << b or a >> b: an error when the shift is not in [0, 64); bits shifted out of
// a left shift are lost, as in the toolchain.
func (e *evaluator) intShift(op syntax.Token, a, b int64) Value {
	if b >= math.MinInt32 && b <= math.MaxInt32 && uint32(b) < 64 {
		if op == syntax.SHL {
			return a << uint32(b)
		}
		return a >> uint32(b)
	}
	v := big.NewInt(a)
	if op == syntax.SHL {
		v.Lsh(v, uint(uint32(b)%128))
	} else {
		v.Rsh(v, uint(uint32(b)%128))
	}
	e.throw(KindEvaluation, "%s: A 64 bit integer overflow", wrap128(v))
	return nil
}

var two128 = new(big.Int).Lsh(big.NewInt(1), 128)

// wrap128 reduces v to a signed 128-bit integer, as Rust's wrapping i128 arithmetic does.
func wrap128(v *big.Int) *big.Int {
	v.Mod(v, two128)
	if v.Bit(127) == 1 {
		v.Sub(v, two128)
	}
	return v
}

func unitNum(u Unit) Value {
	if u.Val == math.Trunc(u.Val) {
		return int64(u.Val)
	}
	return u.Val
}

func (e *evaluator) compare(op syntax.Token, l, r Value) bool {
	switch op {
	case syntax.EQ:
		return equal(l, r)
	case syntax.NE:
		return !equal(l, r)
	case syntax.IS:
		return identical(l, r)
	case syntax.IS_NOT:
		return !identical(l, r)
	case syntax.IN:
		return e.contains(r, l)
	case syntax.NOT_IN:
		return !e.contains(r, l)
	}
	c, ok := compareValues(l, r)
	if !ok {
		kind := KindType
		if isNoneOrUndef(l) || isNoneOrUndef(r) {
			kind = KindEvaluation // only known at run time
		}
		e.throw(kind, "'%s' not supported between instances of '%s' and '%s'", op, typeName(l), typeName(r))
	}
	switch op {
	case syntax.LT:
		return c < 0
	case syntax.LE:
		return c <= 0
	case syntax.GT:
		return c > 0
	case syntax.GE:
		return c >= 0
	}
	return false
}

func identical(a, b Value) bool {
	switch a.(type) {
	case NoneValue, UndefinedValue, bool, int64, float64, string:
		return equal(a, b) && typeName(a) == typeName(b)
	}
	return a == b
}

func (e *evaluator) contains(container, item Value) bool {
	switch c := container.(type) {
	case *List:
		for _, it := range c.Items {
			if equal(it, item) {
				return true
			}
		}
		return false
	case *Dict:
		k := e.keyString(item)
		_, found := c.Get(k)
		return found
	case *Schema:
		k, ok := item.(string)
		if !ok {
			return false
		}
		_, found := c.Attrs.Get(k)
		return found
	case string:
		s, ok := item.(string)
		if !ok {
			e.throw(KindType, "'in <string>' requires string as left operand, not %s", typeName(item))
		}
		return strings.Contains(c, s)
	case NoneValue, UndefinedValue:
		e.throw(KindEvaluation, "TypeError: argument of type '%s' is not iterable", typeName(container))
	}
	e.throw(KindType, "argument of type '%s' is not iterable", typeName(container))
	return false
}

// operandType names an operand's type for error messages: literals carry their value as KCL's
// type checker shows them ('int(1)', 'str(a)').
func operandType(n syntax.Expr, v Value) string {
	switch syntax.Unparen(n).(type) {
	case *syntax.NumberLit, *syntax.StringLit, *syntax.NameConstant:
		if isNoneOrUndef(v) {
			return typeName(v)
		}
		return typeNameDetail(v)
	}
	return typeName(v)
}

// runtimeNone reports whether operand n is None or Undefined that the static checker cannot see:
// a value, not the literal.
func runtimeNone(n syntax.Expr, v Value) bool {
	if !isNoneOrUndef(v) {
		return false
	}
	_, lit := syntax.Unparen(n).(*syntax.NameConstant)
	return !lit
}

func isLiteral(n syntax.Expr) bool {
	switch syntax.Unparen(n).(type) {
	case *syntax.NumberLit, *syntax.StringLit, *syntax.NameConstant, *syntax.ListExpr, *syntax.ConfigExpr:
		return true
	}
	return false
}
