// Package kcl evaluates KCL packages and renders their result as YAML or JSON, the way the
// KCL toolchain prints it. It owns the value model, the evaluator, the builtin functions and the
// standard modules. It never prints: print() output and results are returned to the caller.
package kcl

import (
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Value is any KCL value.
type Value interface{}

// NoneValue is KCL's None.
type NoneValue struct{}

// UndefinedValue is KCL's Undefined: attributes and variables that hold it are not printed.
type UndefinedValue struct{}

var (
	none  Value = NoneValue{}
	undef Value = UndefinedValue{}
)

// Unit is a number with a multiplier suffix such as 1Ki or 2M.
type Unit struct {
	Raw    int64
	Suffix string
	Val    float64
}

// List is a KCL list.
type List struct{ Items []Value }

// Op is how a config entry combines with an existing value.
type Op int

// Config entry operations.
const (
	OpUnion    Op = iota // key: value
	OpOverride           // key = value
	OpInsert             // key += value
)

// Dict is an insertion-ordered KCL dict: its keys, and their values in the same order. Most
// dicts (configs, schema instances) have a few keys, searched in order, and their operations are
// two bits each of a word; a map (some 300 bytes even for two keys) indexes the keys and holds
// their operations only past maxSmallDict keys. (64 bytes: a large configuration has millions.)
type Dict struct {
	keys []string
	vals []Value
	idx  map[string]dictSlot // past maxSmallDict keys (or for a package's variables): each key's slot
	ops  uint16              // without idx: the operation of keys[i] in bits 2i and 2i+1
}

// dictSlot is where a key of an indexed dict is, its operation, and what the dict's owner notes
// beside it.
type dictSlot struct {
	place int32 // (1 + the key's position in keys and vals) << 2 | its operation; 0: not a key
	// note is the owner's: the setters of a package variable (pkgState.setterIdx), 0 for none;
	// a slot outlives its key when it has a note
	note int32
}

// at is the position of the slot's key, -1 when it is not a key of the dict.
func (s dictSlot) at() int { return int(s.place>>2) - 1 }

func (s dictSlot) op() Op { return Op(s.place & 3) }

func (s *dictSlot) set(at int, op Op) { s.place = int32(at+1)<<2 | int32(op) }

// maxSmallDict is the number of keys up to which a dict has no map (ops has room for them).
const maxSmallDict = 8

// NewDict returns an empty dict.
func NewDict() *Dict { return &Dict{} }

// newDictCap returns an empty dict with room for n keys.
func newDictCap(n int) *Dict {
	d := &Dict{keys: make([]string, 0, n), vals: make([]Value, 0, n)}
	if n > maxSmallDict {
		d.idx = make(map[string]dictSlot, n)
	}
	return d
}

// Len returns the number of keys.
func (d *Dict) Len() int { return len(d.keys) }

// Keys returns the keys in insertion order.
func (d *Dict) Keys() []string { return d.keys }

// index is the position of key k, -1 when absent.
func (d *Dict) index(k string) int {
	if d.idx != nil {
		if s, ok := d.idx[k]; ok {
			return s.at()
		}
		return -1
	}
	for i, kk := range d.keys {
		if kk == k {
			return i
		}
	}
	return -1
}

// Get returns the value of key k.
func (d *Dict) Get(k string) (Value, bool) {
	if i := d.index(k); i >= 0 {
		return d.vals[i], true
	}
	return nil, false
}

// val returns the value of key k, nil when absent.
func (d *Dict) val(k string) Value {
	v, _ := d.Get(k)
	return v
}

// valAt returns the value of the i-th key.
func (d *Dict) valAt(i int) Value { return d.vals[i] }

// Set sets k, appending it to the key order when new.
func (d *Dict) Set(k string, v Value) {
	if i := d.index(k); i >= 0 {
		d.vals[i] = v
		return
	}
	d.add(k, v)
}

// add appends key k, which d does not have, with value v.
func (d *Dict) add(k string, v Value) {
	d.keys = append(d.keys, k)
	d.vals = append(d.vals, v)
	switch {
	case d.idx != nil:
		s := d.idx[k]
		s.set(len(d.keys)-1, OpUnion)
		d.idx[k] = s // a string key written again is replaced: k, not the one the note came with
	case len(d.keys) > maxSmallDict:
		d.idx = make(map[string]dictSlot, cap(d.keys))
		for i, kk := range d.keys {
			var s dictSlot
			s.set(i, d.opAt(i))
			d.idx[kk] = s
		}
		d.ops = 0
	}
}

// drop removes the slot of key k of an indexed dict, unless it has a note.
func (d *Dict) drop(k string) {
	if s := d.idx[k]; s.note != 0 {
		s.place = 0
		d.idx[k] = s
	} else {
		delete(d.idx, k)
	}
}

// renumber writes the positions of keys[from:] into the index of an indexed dict.
func (d *Dict) renumber(from int) {
	for i := from; i < len(d.keys); i++ {
		s := d.idx[d.keys[i]]
		s.set(i, s.op())
		d.idx[d.keys[i]] = s
	}
}

// opAt is the operation of keys[i] of a dict without an index.
func (d *Dict) opAt(i int) Op { return Op(d.ops >> (2 * i) & 3) }

// setOpAt sets the operation of keys[i] of a dict without an index.
func (d *Dict) setOpAt(i int, op Op) {
	d.ops = d.ops&^(3<<(2*i)) | uint16(op)<<(2*i)
}

// mapValues replaces each value v by f(v).
func (d *Dict) mapValues(f func(Value) Value) {
	for i, v := range d.vals {
		d.vals[i] = f(v)
	}
}

// filter keeps the keys for which keep returns true, with the value it returns, in order.
func (d *Dict) filter(keep func(k string, v Value) (Value, bool)) {
	n, moved := 0, len(d.keys) // moved: the first key whose position changes
	for i, k := range d.keys {
		v, ok := keep(k, d.vals[i])
		if !ok {
			if d.idx != nil {
				d.drop(k)
			}
			moved = min(moved, i)
			continue
		}
		if d.idx == nil {
			d.setOpAt(n, d.opAt(i))
		}
		d.keys[n], d.vals[n] = k, v
		n++
	}
	clear(d.keys[n:])
	clear(d.vals[n:])
	d.keys, d.vals = d.keys[:n], d.vals[:n]
	if d.idx != nil {
		d.renumber(moved)
	} else {
		d.ops &= 1<<(2*n) - 1
	}
}

// moveLast moves the last key (and its value) to position i.
func (d *Dict) moveLast(i int) {
	n := len(d.keys) - 1
	k, v := d.keys[n], d.vals[n]
	copy(d.keys[i+1:], d.keys[i:n])
	copy(d.vals[i+1:], d.vals[i:n])
	d.keys[i], d.vals[i] = k, v
	if d.idx != nil {
		d.renumber(i)
		return
	}
	op := d.opAt(n)
	for j := n; j > i; j-- {
		d.setOpAt(j, d.opAt(j-1))
	}
	d.setOpAt(i, op)
}

// SetOp records the operation of key k, a key of d.
func (d *Dict) SetOp(k string, op Op) {
	i := d.index(k)
	switch {
	case i < 0:
	case d.idx == nil:
		d.setOpAt(i, op)
	default:
		s := d.idx[k]
		s.set(i, op)
		d.idx[k] = s
	}
}

// GetOp returns the operation recorded for key k.
func (d *Dict) GetOp(k string) Op {
	switch i := d.index(k); {
	case i < 0:
		return OpUnion
	case d.idx == nil:
		return d.opAt(i)
	}
	return d.idx[k].op()
}

// Delete removes k.
func (d *Dict) Delete(k string) {
	i := d.index(k)
	if i < 0 {
		return
	}
	// copied, not shifted in place: a caller may be ranging over the old slices
	d.keys = append(d.keys[:i:i], d.keys[i+1:]...)
	d.vals = append(d.vals[:i:i], d.vals[i+1:]...)
	if d.idx != nil {
		d.drop(k)
		d.renumber(i)
	} else {
		d.ops = d.ops&(1<<(2*i)-1) | d.ops>>(2*(i+1))<<(2*i)
	}
}

// becomes makes d hold what s holds (a union made in place). An indexed dict gets its own copy:
// two dicts sharing an index that only one of their lists of keys follows would disagree.
func (d *Dict) becomes(s *Dict) {
	if s.idx != nil {
		s = s.Copy()
	}
	*d = *s
}

// Copy returns a shallow copy.
func (d *Dict) Copy() *Dict {
	n := &Dict{keys: slices.Clone(d.keys), vals: slices.Clone(d.vals), ops: d.ops}
	if d.idx != nil {
		n.idx = make(map[string]dictSlot, len(d.keys))
		for _, k := range d.keys {
			n.idx[k] = dictSlot{place: d.idx[k].place} // without the notes, which are d's owner's
		}
	}
	return n
}

// Schema is an instance of a schema.
type Schema struct {
	Type  *SchemaType
	Attrs *Dict
	cfg   *Dict // the config the instance was built from (for unification)
	args  []Value
	kw    *Dict
}

// Func is a callable: a lambda or a builtin.
type Func struct {
	Name    string
	Builtin func(e *evaluator, args []Value, kwargs *Dict) Value
	Lambda  *lambdaDef
}

// Module is an imported module (standard or user package).
type Module struct {
	Name    string
	Path    string
	Members *Dict
	pkg     *pkgState
	// typesOnly: a sibling file's import the file never uses, whose variables are Undefined
	typesOnly bool
}

// TypeValue is a type used as a value (e.g. a builtin type name passed around); rarely needed.
type TypeValue struct{ Name string }

func isNone(v Value) bool {
	_, ok := v.(NoneValue)
	return ok
}

func isUndef(v Value) bool {
	_, ok := v.(UndefinedValue)
	return ok
}

func isNoneOrUndef(v Value) bool { return v == nil || isNone(v) || isUndef(v) }

// typeName returns the KCL type name of v as used in error messages.
func typeName(v Value) string {
	switch x := v.(type) {
	case nil, NoneValue:
		return "NoneType"
	case UndefinedValue:
		return "UndefinedType"
	case bool:
		return "bool"
	case int64:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case Unit:
		return "number_multiplier"
	case *List:
		return "list"
	case *Dict:
		return "dict"
	case *Schema:
		return x.Type.Name
	case *Func:
		return "function"
	case *SchemaType:
		return "schema"
	case *Module:
		return "module"
	}
	return "unknown"
}

// truthy reports KCL truthiness.
func truthy(v Value) bool {
	switch x := v.(type) {
	case nil, NoneValue, UndefinedValue:
		return false
	case bool:
		return x
	case int64:
		return x != 0
	case float64:
		return x != 0
	case string:
		return x != ""
	case Unit:
		return x.Val != 0
	case *List:
		return len(x.Items) > 0
	case *Dict:
		return x.Len() > 0
	case *Schema:
		return true
	}
	return true
}

// formatFloatPy renders a float the way KCL's str() and string interpolation do: the shortest
// digits that read back as f, in positional notation (never an exponent), with ".0" when integral.
func formatFloatPy(f float64) string {
	if s, ok := nonFinite(f, "inf", "-inf", "nan"); ok {
		return s
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// nonFinite returns the spelling of an infinite or NaN f, and false for a
// finite f.
func nonFinite(f float64, inf, negInf, nan string) (string, bool) {
	switch {
	case math.IsInf(f, 1):
		return inf, true
	case math.IsInf(f, -1):
		return negInf, true
	case math.IsNaN(f):
		return nan, true
	}
	return "", false
}

// formatFloatYAML renders a float the way KCL's YAML/JSON output does.
func formatFloatYAML(f float64) string {
	if s, ok := nonFinite(f, ".inf", "-.inf", ".nan"); ok {
		return s
	}
	if f == 0 {
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	// shortest digits and decimal exponent
	s := strconv.FormatFloat(math.Abs(f), 'e', -1, 64)
	mant, exps, _ := strings.Cut(s, "e")
	exp, _ := strconv.Atoi(exps)
	digits := strings.Replace(mant, ".", "", 1)
	kk := exp + 1 // position of decimal point relative to digits start
	neg := ""
	if f < 0 {
		neg = "-"
	}
	n := len(digits)
	switch {
	case kk > 0 && kk <= 16:
		if n <= kk {
			return neg + digits + strings.Repeat("0", kk-n) + ".0"
		}
		return neg + digits[:kk] + "." + digits[kk:]
	case kk <= 0 && kk > -5:
		return neg + "0." + strings.Repeat("0", -kk) + digits
	default:
		m := digits[:1]
		if n > 1 {
			m += "." + digits[1:]
		}
		return neg + m + "e" + strconv.Itoa(kk-1)
	}
}

// toStr renders v as KCL's str() does.
func toStr(v Value) string {
	switch x := v.(type) {
	case string:
		return x
	}
	return reprValue(v, false)
}

// reprValue renders a value as in KCL's str() of containers (Python-like).
func reprValue(v Value, quoteStr bool) string {
	var b strings.Builder
	writeRepr(&b, v, quoteStr)
	return b.String()
}

func writeRepr(b *strings.Builder, v Value, quoteStr bool) {
	switch x := v.(type) {
	case nil, NoneValue:
		b.WriteString("None")
	case UndefinedValue:
		b.WriteString("Undefined")
	case bool:
		if x {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		b.WriteString(formatFloatPy(x))
	case string:
		if quoteStr {
			b.WriteString(reprQuote(x))
		} else {
			b.WriteString(x)
		}
	case Unit:
		b.WriteString(strconv.FormatInt(x.Raw, 10) + x.Suffix)
	case *List:
		// the reference quotes the strings of a dict, not of a list
		b.WriteByte('[')
		for i, it := range x.Items {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, it, false)
		}
		b.WriteByte(']')
	case *Dict:
		writeDictRepr(b, x)
	case *Schema:
		writeDictRepr(b, x.Attrs)
	case *Func:
		b.WriteString("<function>")
	case *SchemaType:
		b.WriteString("<schema " + x.Name + ">")
	case *Module:
		b.WriteString("<module " + x.Name + ">")
	default:
		b.WriteString("?")
	}
}

func writeDictRepr(b *strings.Builder, d *Dict) {
	b.WriteByte('{')
	first := true
	for i, k := range d.keys {
		v := d.valAt(i)
		if !first {
			b.WriteString(", ")
		}
		first = false
		b.WriteString(reprQuote(k))
		b.WriteString(": ")
		writeRepr(b, v, true)
	}
	b.WriteByte('}')
}

// reprQuote is a string inside a dict as str() shows it: between single quotes, or double quotes
// when it holds one, and nothing escaped (as the reference does).
func reprQuote(s string) string {
	if strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	return "'" + s + "'"
}

// equal reports KCL value equality (==).
func equal(a, b Value) bool {
	switch x := a.(type) {
	case nil, NoneValue:
		return isNone(b) || b == nil
	case UndefinedValue:
		return isUndef(b)
	case bool:
		y, ok := b.(bool) // a bool equals no number
		return ok && x == y
	case int64, float64, Unit:
		if _, isBool := b.(bool); isBool {
			return false
		}
		fa, okA := toNumber(a)
		fb, okB := toNumber(b)
		if !okA || !okB {
			return false
		}
		ia, aInt := asInt(a)
		ib, bInt := asInt(b)
		if aInt && bInt {
			return ia == ib
		}
		return fa == fb
	case string:
		y, ok := b.(string)
		return ok && x == y
	case *List:
		y, ok := b.(*List)
		if !ok || len(x.Items) != len(y.Items) {
			return false
		}
		for i := range x.Items {
			if !equal(x.Items[i], y.Items[i]) {
				return false
			}
		}
		return true
	case *Dict, *Schema:
		yd := attrsOf(b)
		if yd == nil {
			return false
		}
		return dictEqual(attrsOf(x), yd)
	}
	return a == b
}

func dictEqual(x, y *Dict) bool {
	if x.Len() != y.Len() {
		return false
	}
	for i, k := range x.keys {
		yv, ok := y.Get(k)
		if !ok || !equal(x.valAt(i), yv) {
			return false
		}
	}
	return true
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func toNumber(v Value) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case bool:
		return float64(b2i(x)), true
	case Unit:
		return x.Val, true
	}
	return 0, false
}

func asInt(v Value) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case bool:
		return b2i(x), true
	case Unit:
		return int64(x.Val), true
	}
	return 0, false
}

// deepCopy copies containers so later mutation of one does not affect the other.
func deepCopy(v Value) Value {
	switch x := v.(type) {
	case *List:
		n := &List{Items: make([]Value, len(x.Items))}
		for i, it := range x.Items {
			n.Items[i] = deepCopy(it)
		}
		return n
	case *Dict:
		n := x.Copy()
		n.mapValues(deepCopy)
		return n
	case *Schema:
		n := &Schema{Type: x.Type, Attrs: x.Attrs.Copy()}
		n.Attrs.mapValues(deepCopy)
		return n
	}
	return v
}

// compareValues orders two values for sorted(), min(), max() and < operators.
func compareValues(a, b Value) (int, bool) {
	if fa, ok := toNumber(a); ok {
		if fb, ok := toNumber(b); ok {
			ia, aInt := asInt(a)
			ib, bInt := asInt(b)
			if aInt && bInt {
				switch {
				case ia < ib:
					return -1, true
				case ia > ib:
					return 1, true
				}
				return 0, true
			}
			switch {
			case fa < fb:
				return -1, true
			case fa > fb:
				return 1, true
			}
			return 0, true
		}
		return 0, false
	}
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		if !ok {
			return 0, false
		}
		return strings.Compare(x, y), true
	case *List:
		y, ok := b.(*List)
		if !ok {
			return 0, false
		}
		for i := 0; i < len(x.Items) && i < len(y.Items); i++ {
			c, ok := compareValues(x.Items[i], y.Items[i])
			if !ok {
				return 0, false
			}
			if c != 0 {
				return c, true
			}
		}
		switch {
		case len(x.Items) < len(y.Items):
			return -1, true
		case len(x.Items) > len(y.Items):
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

func sortedKeys(d *Dict) []string {
	ks := append([]string(nil), d.keys...)
	sort.Strings(ks)
	return ks
}
