package kcl

import (
	"errors"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

type builtinFn = func(e *evaluator, args []Value, kw *Dict) Value

var builtinFuncs map[string]*Func

func init() {
	fns := map[string]builtinFn{
		"print":      biPrint,
		"option":     biOption,
		"len":        biLen,
		"str":        biStr,
		"int":        biInt,
		"float":      biFloat,
		"bool":       biBool,
		"list":       biList,
		"dict":       biDict,
		"range":      biRange,
		"min":        func(e *evaluator, a []Value, kw *Dict) Value { return biMinMax(e, a, -1) },
		"max":        func(e *evaluator, a []Value, kw *Dict) Value { return biMinMax(e, a, 1) },
		"sum":        biSum,
		"abs":        biAbs,
		"all":        biAll,
		"any":        biAny,
		"sorted":     biSorted,
		"zip":        biZip,
		"isunique":   biIsUnique,
		"multiplyof": biMultiplyOf,
		"ord":        biOrd,
		"round":      biRound,
		"typeof":     biTypeof,
		"hex":        func(e *evaluator, a []Value, kw *Dict) Value { return biRadix(e, a, 16, "0x") },
		"oct":        func(e *evaluator, a []Value, kw *Dict) Value { return biRadix(e, a, 8, "0o") },
		"bin":        func(e *evaluator, a []Value, kw *Dict) Value { return biRadix(e, a, 2, "0b") },
		"pow":        biPow,
		"isnullish":  func(e *evaluator, a []Value, kw *Dict) Value { return len(a) > 0 && isNoneOrUndef(a[0]) },
		"reduce":     biReduce,
		"all_true":   biAll,
		"any_true":   biAny,
	}
	// these give Undefined when an argument is None or Undefined, as the runtime does
	for _, n := range []string{"bin", "oct", "hex", "ord", "pow", "range", "multiplyof"} {
		f := fns[n]
		fns[n] = func(e *evaluator, a []Value, kw *Dict) Value {
			for _, v := range a {
				if isNoneOrUndef(v) {
					return undef
				}
			}
			return f(e, a, kw)
		}
	}
	builtinFuncs = map[string]*Func{}
	for n, f := range fns {
		builtinFuncs[n] = &Func{Name: n, Builtin: f}
	}
}

// arg returns positional argument i or keyword name, or def.
func arg(args []Value, kw *Dict, i int, name string, def Value) Value {
	if i >= 0 && i < len(args) {
		return args[i]
	}
	if kw != nil {
		if v, ok := kw.Get(name); ok {
			return v
		}
	}
	return def
}

func biPrint(e *evaluator, args []Value, kw *Dict) Value {
	// the reference honours end= but ignores sep=
	end := toStr(arg(nil, kw, -1, "end", "\n"))
	var line strings.Builder
	for i, a := range args {
		if i > 0 {
			line.WriteByte(' ')
		}
		line.WriteString(toStr(a))
	}
	line.WriteString(end)
	if _, err := io.WriteString(e.stdout, line.String()); err != nil {
		e.throw(KindEvaluation, "print: %v", err)
	}
	return none
}

// parseArgValue turns a -D value into a KCL value the way the toolchain does: JSON when it parses,
// otherwise the raw string.
// parseArgValue reads a -D value as the runtime does: JSON when it parses, else the text.
func parseArgValue(s string) Value {
	if v, err := jsonDecode(s); err == nil {
		return v
	}
	return s
}

func biOption(e *evaluator, args []Value, kw *Dict) Value {
	key := toStr(arg(args, kw, 0, "key", ""))
	typ := toStr(arg(args, kw, 1, "type", ""))
	if raw, ok := e.opts.Args[key]; ok {
		return e.optionAs(parseArgValue(raw), typ)
	}
	if def, ok := optArg(args, kw, 3, "default"); ok {
		return e.optionAs(def, typ)
	}
	if truthy(arg(args, kw, 2, "required", false)) {
		e.throw(KindEvaluation, "option('%s') must be initialized, try '-D %s=?' argument", key, key)
	}
	return none
}

// optArg is an argument given by position or keyword, and whether it was given.
func optArg(args []Value, kw *Dict, i int, name string) (Value, bool) {
	if i < len(args) {
		return args[i], true
	}
	if kw != nil {
		if v, ok := kw.Get(name); ok {
			return v, true
		}
	}
	return nil, false
}

// optionAs converts an option value to the type named by option(type=...).
func (e *evaluator) optionAs(v Value, typ string) Value {
	cannot := func() Value {
		e.throw(KindEvaluation, "cannot use '%s' as type '%s'", toStr(v), typ)
		return nil
	}
	switch typ {
	case "":
		return v
	case "bool":
		switch x := v.(type) {
		case bool, int64, float64:
			return truthy(x)
		case string:
			return x == "True" || x == "true"
		}
		return undef
	case "int":
		switch x := v.(type) {
		case bool:
			return b2i(x)
		case int64:
			return x
		case float64:
			return int64(x)
		case string:
			n, err := strconv.ParseInt(x, 10, 64)
			if err != nil {
				return cannot()
			}
			return n
		}
		return cannot()
	case "float":
		switch x := v.(type) {
		case bool:
			return float64(b2i(x))
		case int64:
			return float64(x)
		case float64:
			return x
		case string:
			f, err := strconv.ParseFloat(x, 64)
			if err != nil {
				return 0.0
			}
			return f
		}
		return cannot()
	case "str":
		switch x := v.(type) {
		case bool:
			return strconv.FormatBool(x)
		case int64:
			return strconv.FormatInt(x, 10)
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64)
		case string:
			return x
		}
		return cannot()
	case "list":
		if _, ok := v.(*List); ok {
			return v
		}
		return cannot()
	case "dict":
		if _, ok := v.(*Dict); ok {
			return v
		}
		return cannot()
	}
	e.throw(KindEvaluation, "unknown type '%s'", typ)
	return nil
}

func biLen(e *evaluator, args []Value, kw *Dict) Value {
	if len(args) != 1 {
		e.throw(KindType, "len() takes exactly one argument (%d given)", len(args))
	}
	switch x := args[0].(type) {
	case string:
		return int64(len(x)) // bytes, as the reference counts
	case *List:
		return int64(len(x.Items))
	case *Dict:
		return int64(x.Len())
	case *Schema:
		return int64(x.Attrs.Len())
	case NoneValue, UndefinedValue:
		e.throw(KindEvaluation, "object of type '%s' has no len()", typeName(args[0]))
	}
	e.throw(KindValue, "object of type '%s' has no len()", typeName(args[0]))
	return nil
}

func biStr(e *evaluator, args []Value, kw *Dict) Value {
	if len(args) == 0 {
		return ""
	}
	return toStr(args[0])
}

func biInt(e *evaluator, args []Value, kw *Dict) Value {
	v := arg(args, kw, 0, "number", int64(0))
	base := arg(args, kw, 1, "base", int64(10))
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return int64(x)
	case bool:
		return b2i(x)
	case Unit:
		return int64(x.Val)
	case string:
		b, _ := asIntStrict(base)
		return e.parseIntString(x, b)
	}
	kind := KindType
	if isNoneOrUndef(v) {
		kind = KindEvaluation
	}
	e.throw(kind, "int() argument must be a string or a number, not '%s'", typeName(v))
	return nil
}

func biFloat(e *evaluator, args []Value, kw *Dict) Value {
	v := arg(args, kw, 0, "number", 0.0)
	var f float64
	switch x := v.(type) {
	case int64:
		f = float64(x)
	case float64:
		f = x
	case bool:
		f = float64(b2i(x))
	case Unit:
		f = x.Val
	case string:
		// Rust's f64 syntax: decimal only, no spaces or underscores; inf, infinity and nan
		// in any case
		var err error
		f, err = strconv.ParseFloat(x, 64)
		if err != nil && !math.IsInf(f, 0) || strings.ContainsAny(x, "_xXpP") && !strings.Contains(strings.ToLower(x), "inf") {
			e.throw(KindEvaluation, "invalid literal for float() with base 10: '%s'", x)
		}
		if math.IsNaN(f) {
			return f
		}
	case UndefinedValue:
		e.throw(KindEvaluation, "invalid literal for float() with base 10: 'Undefined'")
	default:
		e.throw(KindType, "float() argument must be a string or a number, not '%s'", typeName(v))
	}
	if math.IsInf(f, 0) {
		// the reference's float() refuses an infinite result (arithmetic may still make one)
		e.throw(KindEvaluation, "inf: A 64-bit floating point number overflow")
	}
	return f
}

func biBool(e *evaluator, args []Value, kw *Dict) Value {
	if len(args) == 0 {
		return false
	}
	return truthy(args[0])
}

func biList(e *evaluator, args []Value, kw *Dict) Value {
	out := &List{}
	if len(args) == 0 {
		return out
	}
	e.notIterable(args[0])
	e.iterate(args[0], 1, func(a, b Value) bool {
		out.Items = append(out.Items, a)
		return true
	})
	return out
}

// notIterable raises the runtime's error for iterating None or Undefined.
func (e *evaluator) notIterable(v Value) {
	if isNoneOrUndef(v) {
		e.throw(KindEvaluation, "'%s' object is not iterable", typeName(v))
	}
}

func biDict(e *evaluator, args []Value, kw *Dict) Value {
	out := NewDict()
	if len(args) > 0 {
		e.notIterable(args[0])
		switch x := args[0].(type) {
		case *Dict:
			for _, k := range x.keys {
				out.Set(k, x.val(k))
			}
		case *Schema:
			for _, k := range x.Attrs.keys {
				out.Set(k, x.Attrs.val(k))
			}
		case *List:
			// the reference checks that every item is a pair, then makes one entry of the first
			// two items (the first as the key, the second as the value)
			for i, it := range x.Items {
				n := -1
				switch y := it.(type) {
				case string:
					n = utf8.RuneCountInString(y)
				case *List:
					n = len(y.Items)
				case *Dict:
					n = y.Len()
				case *Schema:
					n = y.Attrs.Len()
				}
				if n < 0 {
					e.throw(KindValue, "'%s' object is not iterable", typeName(it))
				}
				if n != 2 {
					e.throw(KindValue, "dictionary update sequence element #%d has length %d; 2 is required", i, n)
				}
			}
			switch len(x.Items) {
			case 0:
			case 1:
				e.throw(KindValue, "called `Option::unwrap()` on a `None` value")
			default:
				out.Set(pairKeyText(x.Items[0]), x.Items[1])
			}
		}
	}
	if kw != nil {
		for _, k := range kw.keys {
			out.Set(k, kw.val(k))
		}
	}
	return out
}

// pairKeyText is the key dict() makes of a list: its items' str() in brackets, recursively.
func pairKeyText(v Value) string {
	l, ok := v.(*List)
	if !ok {
		return toStr(v)
	}
	parts := make([]string, len(l.Items))
	for i, it := range l.Items {
		parts[i] = pairKeyText(it)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func biRange(e *evaluator, args []Value, kw *Dict) Value {
	var start, stop, step int64 = 0, 0, 1
	ints := make([]int64, len(args))
	for i, a := range args {
		n, ok := asIntStrict(a)
		if !ok {
			e.throw(KindType, "range() integer argument expected, got %s", typeName(a))
		}
		ints[i] = n
	}
	switch len(ints) {
	case 1:
		stop = ints[0]
	case 2:
		start, stop = ints[0], ints[1]
	case 3:
		start, stop, step = ints[0], ints[1], ints[2]
	default:
		e.throw(KindType, "range expected 1 to 3 arguments, got %d", len(args))
	}
	if step == 0 {
		e.throw(KindValue, "range() step argument must not be zero")
	}
	var n int64 // the length, computed without overflow
	if step > 0 && start < stop {
		n = int64((uint64(stop-start)-1)/uint64(step)) + 1
	} else if step < 0 && start > stop {
		n = int64((uint64(start-stop)-1)/uint64(-step)) + 1
	}
	e.reserveItems(n, valueSize)
	out := &List{Items: make([]Value, 0, n)}
	for i, v := int64(0), start; i < n; i, v = i+1, v+step {
		out.Items = append(out.Items, v)
	}
	return out
}

func iterItems(e *evaluator, args []Value) []Value {
	if len(args) == 1 {
		if isNoneOrUndef(args[0]) {
			e.throw(KindEvaluation, "%s object is not iterable", typeName(args[0]))
		}
		var items []Value
		e.iterate(args[0], 1, func(a, b Value) bool {
			items = append(items, a)
			return true
		})
		return items
	}
	return args
}

func biMinMax(e *evaluator, args []Value, dir int) Value {
	name, op := "max", ">"
	if dir < 0 {
		name, op = "min", "<"
	}
	items := args
	switch len(args) {
	case 0:
		e.throw(KindValue, "%s() takes exactly one argument (0 given)", name)
	case 1:
		switch x := args[0].(type) {
		case *List, string, *Dict, *Schema:
			items = iterItems(e, args)
			if len(items) == 0 {
				kind := typeName(x)
				if _, ok := x.(*Schema); ok {
					kind = "dict"
				}
				e.throw(KindValue, "arg is an empty %s", kind)
			}
		default:
			e.throw(KindValue, "%s object is not iterable", typeName(x))
		}
	}
	best := items[0]
	for _, it := range items[1:] {
		c, ok := compareValues(it, best)
		if !ok {
			// the reference names the best so far twice when it is None or Undefined
			left := typeName(it)
			if isNoneOrUndef(best) {
				left = typeName(best)
			}
			e.throw(KindEvaluation, "'%s' not supported between instances of '%s' and '%s'", op, left, typeName(best))
		}
		if c*dir > 0 {
			best = it
		}
	}
	return best
}

func biSum(e *evaluator, args []Value, kw *Dict) Value {
	var acc Value = arg(args, kw, 1, "start", int64(0))
	if len(args) == 0 {
		return acc
	}
	if isNoneOrUndef(args[0]) {
		return undef
	}
	if _, ok := acc.(string); ok {
		e.throw(KindValue, "sum() can't sum strings")
	}
	e.iterate(args[0], 1, func(a, b Value) bool {
		acc = e.binaryOp(addTok, acc, a)
		return true
	})
	return acc
}

func biAbs(e *evaluator, args []Value, kw *Dict) Value {
	switch x := arg(args, kw, 0, "x", int64(0)).(type) {
	case int64:
		if x < 0 {
			return -x
		}
		return x
	case float64:
		return math.Abs(x)
	}
	return undef // the reference's abs() of anything else (a bool too) is Undefined
}

func biAll(e *evaluator, args []Value, kw *Dict) Value {
	res := true
	if len(args) == 0 {
		return true
	}
	if isNoneOrUndef(args[0]) {
		return false
	}
	e.iterate(args[0], 1, func(a, b Value) bool {
		if !truthy(a) {
			res = false
			return false
		}
		return true
	})
	return res
}

func biAny(e *evaluator, args []Value, kw *Dict) Value {
	res := false
	if len(args) == 0 {
		return false
	}
	e.iterate(args[0], 1, func(a, b Value) bool {
		if truthy(a) {
			res = true
			return false
		}
		return true
	})
	return res
}

func biSorted(e *evaluator, args []Value, kw *Dict) Value {
	if len(args) == 0 {
		e.throw(KindType, "sorted() takes exactly one argument (0 given)")
	}
	if isNoneOrUndef(args[0]) {
		e.throw(KindEvaluation, "sorted only for str|list|dict type")
	}
	var items []Value
	e.iterate(args[0], 1, func(a, b Value) bool {
		items = append(items, a)
		return true
	})
	reverse := truthy(arg(args, kw, 1, "reverse", false))
	// the reference compares numbers with numbers and strings with strings; the first pair
	// its insertion sort meets that cannot be compared is the error
	for i := 1; i < len(items); i++ {
		if sortComparable(items[i], items[i-1]) {
			continue
		}
		sorted := append([]Value(nil), items[:i+1]...)
		for j := i; j > 0; j-- {
			if !sortComparable(sorted[j], sorted[j-1]) {
				e.throw(KindValue, "cannot compare %s and %s", sortTypeName(sorted[j]), sortTypeName(sorted[j-1]))
			}
			if c, _ := compareValues(sorted[j], sorted[j-1]); c >= 0 {
				break
			}
			sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
		}
		items = append(sorted, items[i+1:]...)
	}
	sort.SliceStable(items, func(i, j int) bool {
		c, _ := compareValues(items[i], items[j])
		if reverse {
			return c > 0
		}
		return c < 0
	})
	return &List{Items: items}
}

// sortTypeName names a value's type in sorted()'s message (a unit value with its text).
func sortTypeName(v Value) string {
	if u, ok := v.(Unit); ok {
		return "number_multiplier(" + strconv.FormatInt(u.Raw, 10) + u.Suffix + ")"
	}
	return typeName(v)
}

// sortComparable reports whether sorted() can order a and b: two numbers (not bools) or two
// strings.
func sortComparable(a, b Value) bool {
	switch a.(type) {
	case int64, float64:
		switch b.(type) {
		case int64, float64:
			return true
		}
	case string:
		_, ok := b.(string)
		return ok
	}
	return false
}

func biZip(e *evaluator, args []Value, kw *Dict) Value {
	var lists [][]Value
	for _, a := range args {
		var items []Value
		e.notIterable(a)
		e.iterate(a, 1, func(x, y Value) bool {
			items = append(items, x)
			return true
		})
		lists = append(lists, items)
	}
	out := &List{}
	if len(lists) == 0 {
		return out
	}
	n := len(lists[0])
	for _, l := range lists {
		if len(l) < n {
			n = len(l)
		}
	}
	for i := 0; i < n; i++ {
		t := &List{}
		for _, l := range lists {
			t.Items = append(t.Items, l[i])
		}
		out.Items = append(out.Items, t)
	}
	return out
}

func biIsUnique(e *evaluator, args []Value, kw *Dict) Value {
	v := arg(args, kw, 0, "inval", nil)
	l, ok := v.(*List)
	if !ok {
		return !isNoneOrUndef(v)
	}
	for i := range l.Items {
		for j := i + 1; j < len(l.Items); j++ {
			if equal(l.Items[i], l.Items[j]) {
				return false
			}
		}
	}
	return true
}

func biMultiplyOf(e *evaluator, args []Value, kw *Dict) Value {
	a, ok1 := asIntStrict(arg(args, kw, 0, "a", nil))
	b, ok2 := asIntStrict(arg(args, kw, 1, "b", nil))
	if !ok1 || !ok2 {
		e.throw(KindType, "multiplyof() takes two int arguments")
	}
	if b == 0 {
		return false
	}
	return a%b == 0
}

func biOrd(e *evaluator, args []Value, kw *Dict) Value {
	s, ok := arg(args, kw, 0, "c", nil).(string)
	if !ok {
		e.throw(KindType, "ord() expected a character")
	}
	if utf8.RuneCountInString(s) != 1 {
		e.throw(KindValue, "ord() expected string of length 1, but string of length %d found", len(s))
	}
	r, _ := utf8.DecodeRuneInString(s)
	return int64(r)
}

// roundAway rounds half away from zero, as Rust's f64::round.
func roundAway(x float64) float64 { return math.Round(x) }

// biRound follows the runtime: without ndigits the result is an int rounded half away from
// zero; with ndigits it is a float, exact halves of the scaled value rounding to even.
func biRound(e *evaluator, args []Value, kw *Dict) Value {
	v := arg(args, kw, 0, "number", nil)
	nd := arg(args, kw, 1, "ndigits", none)
	if u, ok := v.(Unit); ok {
		v = unitNum(u)
	}
	n, hasDigits := asIntStrict(nd)
	if _, isBool := nd.(bool); isBool || isNoneOrUndef(nd) {
		hasDigits = false
	}
	switch x := v.(type) {
	case int64:
		if hasDigits {
			return float64(x)
		}
		return x
	case float64:
		if !hasDigits {
			return int64(roundAway(x))
		}
		if n == 0 {
			return roundAway(x)
		}
		var y, pow1, pow2 float64
		if n >= 0 {
			pow1, pow2 = math.Pow(10, float64(n)), 1
			if n > 22 {
				pow1, pow2 = math.Pow(10, float64(n-22)), 1e22
			}
			y = x * pow1 * pow2
			if math.IsInf(y, 0) || math.IsNaN(y) {
				return x
			}
		} else {
			pow1 = math.Pow(10, float64(-n))
			y = x / pow1
		}
		z := roundAway(y)
		if math.Abs(y-z) == 0.5 {
			z = 2 * roundAway(y/2)
		}
		if n >= 0 {
			z = z / pow2 / pow1
		} else {
			z *= pow1
		}
		if math.IsInf(z, 0) || math.IsNaN(z) {
			return undef
		}
		return z
	}
	return undef
}

func biTypeof(e *evaluator, args []Value, kw *Dict) Value {
	v := arg(args, kw, 0, "x", none)
	full := truthy(arg(args, kw, 1, "full_name", false))
	switch x := v.(type) {
	case *Schema:
		if full && x.Type.pkgPath != "" && x.Type.pkgPath != "__main__" {
			return x.Type.pkgPath + "." + x.Type.Name
		}
		return x.Type.Name
	case *Func:
		return "function"
	case *Module:
		return "module"
	case Unit:
		return "number_multiplier(" + toStr(x) + ")"
	case nil, NoneValue:
		return "None"
	case *SchemaType:
		return "type"
	}
	return typeName(v)
}

func biRadix(e *evaluator, args []Value, base int, prefix string) Value {
	n, ok := asIntStrict(arg(args, nil, 0, "number", nil))
	if !ok {
		e.throw(KindType, "'%s' object cannot be interpreted as an integer", typeName(arg(args, nil, 0, "", none)))
	}
	if n < 0 {
		return "-" + prefix + strconv.FormatInt(-n, base)
	}
	return prefix + strconv.FormatInt(n, base)
}

func biPow(e *evaluator, args []Value, kw *Dict) Value {
	x := arg(args, kw, 0, "x", int64(0))
	y := arg(args, kw, 1, "y", int64(1))
	if z := arg(args, kw, 2, "z", none); !isNoneOrUndef(z) {
		return e.binaryOp(modTok, e.binaryOp(powTok, x, y), z)
	}
	xi, xInt := x.(int64)
	yi, yInt := y.(int64)
	if xInt && yInt && yi >= 0 {
		// the runtime computes in floats and truncates, without overflow errors
		return floatToIntSat(math.Pow(float64(xi), float64(yi)))
	}
	if xInt && yInt {
		return math.Pow(float64(xi), float64(yi)) // pow(2, -2) is 0.25, where 2 ** -2 overflows
	}
	return e.binaryOp(powTok, x, y)
}

// dictMethod returns a bound method of a dict, or nil.
func dictMethod(e *evaluator, d *Dict, name string) Value {
	switch name {
	case "keys":
		return &Func{Name: name, Builtin: func(e *evaluator, a []Value, kw *Dict) Value {
			l := &List{}
			for _, k := range d.keys {
				l.Items = append(l.Items, k)
			}
			return l
		}}
	case "values":
		return &Func{Name: name, Builtin: func(e *evaluator, a []Value, kw *Dict) Value {
			l := &List{}
			for _, k := range d.keys {
				l.Items = append(l.Items, d.val(k))
			}
			return l
		}}
	case "items":
		return &Func{Name: name, Builtin: func(e *evaluator, a []Value, kw *Dict) Value {
			l := &List{}
			for _, k := range d.keys {
				l.Items = append(l.Items, &List{Items: []Value{k, d.val(k)}})
			}
			return l
		}}
	case "get":
		return &Func{Name: name, Builtin: func(e *evaluator, a []Value, kw *Dict) Value {
			k := e.keyString(arg(a, kw, 0, "key", ""))
			if v, ok := d.Get(k); ok {
				return v
			}
			return arg(a, kw, 1, "default", undef)
		}}
	}
	return nil
}

// parseUnitString reads a number with a multiplier suffix ("1Ki", "2M") as an int.
// parseIntString is int(s, base) as the reference parses it: in base 10 Rust's integer syntax
// with an optional unit suffix (the number times the unit, wrapping; n, u and m give 0) and
// Rust's own messages; in the other bases an optional sign and 0x/0o/0b prefix.
func (e *evaluator) parseIntString(s string, base int64) int64 {
	if base == 10 {
		num, mul := s, int64(1)
		for _, suf := range []string{"Ki", "Mi", "Gi", "Ti", "Pi", "n", "u", "m", "k", "K", "M", "G", "T", "P"} {
			if n, ok := strings.CutSuffix(s, suf); ok {
				num, mul = n, int64(unitMultiplier(suf))
				break
			}
		}
		if num == "" {
			e.throw(KindValue, "number can't be empty")
		}
		n, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			kind := "InvalidDigit"
			if errors.Is(err, strconv.ErrRange) {
				kind = "PosOverflow"
				if num[0] == '-' {
					kind = "NegOverflow"
				}
			}
			e.throw(KindValue, "called `Result::unwrap()` on an `Err` value: ParseIntError { kind: %s }", kind)
		}
		return n * mul
	}
	if base < 2 || base > 36 {
		e.throw(KindValue, "from_ascii_bytes_radix: radix must lie in the range `[2, 36]` - found %d", base)
	}
	digits := s
	neg := false
	if rest, ok := strings.CutPrefix(digits, "-"); ok {
		neg, digits = true, rest
	} else {
		digits = strings.TrimPrefix(digits, "+")
	}
	switch base {
	case 16:
		digits = strings.TrimPrefix(strings.TrimPrefix(digits, "0x"), "0X")
	case 8:
		digits = strings.TrimPrefix(strings.TrimPrefix(digits, "0o"), "0O")
	case 2:
		digits = strings.TrimPrefix(strings.TrimPrefix(digits, "0b"), "0B")
	}
	n, err := strconv.ParseInt(digits, int(base), 64)
	if err != nil || strings.HasPrefix(digits, "+") || strings.HasPrefix(digits, "-") {
		e.throw(KindValue, "invalid literal for int() with base %d: '%s'", base, s)
	}
	if neg {
		n = -n
	}
	return n
}

// floatToIntSat converts as Rust's `as i64`: truncating, saturating, NaN to 0.
func floatToIntSat(f float64) int64 {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= math.MaxInt64:
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	}
	return int64(f)
}

// biReduce applies function(acc, item) over the items of a list, starting from initial or the
// first item.
func biReduce(e *evaluator, args []Value, kw *Dict) Value {
	fn := arg(args, kw, 0, "function", none)
	items := iterItems(e, []Value{arg(args, kw, 1, "iterable", &List{})})
	acc, ok := optArg(args, kw, 2, "initial")
	if !ok {
		if len(items) == 0 {
			return none // as the reference, where Python raises
		}
		acc, items = items[0], items[1:]
	}
	for _, it := range items {
		acc = e.callValue(fn, []Value{acc, it}, nil)
	}
	return acc
}
