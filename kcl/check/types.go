package check

import (
	"slices"
	"strconv"
	"strings"
)

// Type is the static type of a value as the checker knows it. Any means unknown: nothing
// is reported about values of type Any.
type Type interface {
	String() string
}

// Basic is one of KCL's scalar types, any, None or Undefined.
type Basic struct{ Name string }

func (b *Basic) String() string { return b.Name }

// The basic types.
var (
	Any       Type = &Basic{"any"}
	Int       Type = &Basic{"int"}
	Float     Type = &Basic{"float"}
	Str       Type = &Basic{"str"}
	Bool      Type = &Basic{"bool"}
	None      Type = &Basic{"NoneType"}
	Undefined Type = &Basic{"UndefinedType"}
)

// basicTypes are the basic types a type annotation can name.
var basicTypes = map[string]Type{"int": Int, "float": Float, "str": Str, "bool": Bool}

// List is [Elem].
type List struct{ Elem Type }

func (l *List) String() string { return "[" + l.Elem.String() + "]" }

// Dict is {Key:Value}. A config literal's type also knows the type of each literal key
// (Attrs, nil otherwise), as the reference's does: `d = {a = 1, b = {c = 2}}` makes d.b a
// {str:int}, not an int | {str:int}.
type Dict struct {
	Key, Value Type
	Attrs      map[string]Type
}

func (d *Dict) String() string { return "{" + d.Key.String() + ":" + d.Value.String() + "}" }

// Union is A | B.
type Union struct{ Types []Type }

func (u *Union) String() string {
	parts := make([]string, len(u.Types))
	for i, t := range u.Types {
		parts[i] = t.String()
	}
	return strings.Join(parts, " | ")
}

// Literal is a literal type ("a", 1, True); Text is the value as the reference prints it
// (a string without quotes), Base its basic type.
type Literal struct {
	Text string
	Base Type
}

// String is the reference's spelling: str(a), int(1), bool(True).
func (l *Literal) String() string { return l.Base.String() + "(" + l.Text + ")" }

// Instance is a value of a schema.
type Instance struct{ Schema *Schema }

func (i *Instance) String() string { return i.Schema.Name }

// SchemaType is a schema used as a value: it is instantiated with `S {…}` or `S(args)`.
type SchemaType struct{ Schema *Schema }

func (s *SchemaType) String() string { return "type(" + s.Schema.Name + ")" }

// Func is a builtin, a standard-module function or a lambda.
type Func struct {
	Params   []Param
	Result   Type
	Variadic bool // takes any number of positional arguments after Params
	Doc      string
}

func (f *Func) String() string { return Display(f) }

// MinArgs is the number of parameters without a default.
func (f *Func) MinArgs() int {
	n := 0
	for _, p := range f.Params {
		if !p.Optional {
			n++
		}
	}
	return n
}

// Param is a parameter of a function or a schema.
type Param struct {
	Name     string
	Type     Type
	Optional bool
	Default  string // the default's source text, when written
}

func (p Param) String() string {
	s := p.Name
	if p.Optional && p.Default == "" {
		s += "?"
	}
	if p.Type != nil && p.Type != Any {
		s += ": " + Display(p.Type)
	}
	if p.Default != "" {
		s += " = " + p.Default
	}
	return s
}

// Display spells a type as KCL source does (`"a" | "b"`, not the reference's error-message
// spelling `str(a) | str(b)`), for editors.
func Display(t Type) string {
	switch t := t.(type) {
	case *Literal:
		if t.Base == Str {
			return strconv.Quote(t.Text)
		}
		return t.Text
	case *List:
		return "[" + Display(t.Elem) + "]"
	case *Dict:
		return "{" + Display(t.Key) + ":" + Display(t.Value) + "}"
	case *Union:
		parts := make([]string, len(t.Types))
		for i, m := range t.Types {
			parts[i] = Display(m)
		}
		return strings.Join(parts, " | ")
	case *Func:
		var b strings.Builder
		b.WriteString("(")
		for i, p := range t.Params {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(p.String())
		}
		if t.Variadic {
			if len(t.Params) > 0 {
				b.WriteString(", ")
			}
			b.WriteString("...")
		}
		b.WriteString(") -> " + Display(t.Result))
		return b.String()
	case nil:
		return "any"
	}
	return t.String()
}

// Module is an imported module (a package of the program or a standard module).
type Module struct{ Pkg *Package }

func (m *Module) String() string { return "module " + m.Pkg.Path }

// assignable reports whether a value of type v may be given where t is declared. Unknown
// types are assignable both ways: the checker reports only what it is sure of.
func assignable(v, t Type) bool {
	if v == nil || t == nil || v == Any || t == Any || v == None || v == Undefined {
		return true
	}
	switch t := t.(type) {
	case *Union:
		for _, m := range t.Types {
			if assignable(v, m) {
				return true
			}
		}
		if vu, ok := v.(*Union); ok {
			for _, m := range vu.Types {
				if !assignable(m, t) {
					return false
				}
			}
			return true
		}
		return false
	case *Literal:
		if vl, ok := v.(*Literal); ok {
			return vl.Text == t.Text
		}
		return v == t.Base || isUnion(v)
	case *Basic:
		if vl, ok := v.(*Literal); ok {
			if vl.Base == Str && t != Str && strings.Contains(vl.Text, t.Name) {
				return true // the reference's quirk: "not an int" passes for an int (its runtime says no)
			}
			v = vl.Base
		}
		if t == Float && v == Int {
			return true
		}
		if vb, ok := v.(*Basic); ok {
			return vb == t
		}
		if _, ok := v.(*Union); ok {
			return true
		}
		return false
	case *List:
		switch v := v.(type) {
		case *List:
			return assignable(v.Elem, t.Elem)
		case *Union:
			return true
		}
		return false
	case *Dict:
		switch v := v.(type) {
		case *Dict:
			return assignable(v.Key, t.Key) && assignable(v.Value, t.Value)
		case *Instance, *Union:
			return true
		}
		return false
	case *Instance:
		switch v := v.(type) {
		case *Instance:
			return v.Schema.inherits(t.Schema)
		case *Dict, *Union:
			return true // a dict is converted to the schema (checked entry by entry where literal)
		}
		return false
	}
	return true
}

func isUnion(t Type) bool { _, ok := t.(*Union); return ok }

// unionOf joins types, dropping duplicates; one type stays itself.
func unionOf(ts ...Type) Type {
	var out []Type
	// members are told apart by their spelling; a map only for many (most unions have two or
	// three members, and a large program makes one per config literal)
	var spelt []string
	var seen map[string]bool
	add := func(t Type) {
		name := t.String()
		if seen == nil {
			if !slices.Contains(spelt, name) {
				spelt = append(spelt, name)
				out = append(out, t)
			}
			if len(spelt) > 16 {
				seen = map[string]bool{}
				for _, n := range spelt {
					seen[n] = true
				}
			}
			return
		}
		if !seen[name] {
			seen[name] = true
			out = append(out, t)
		}
	}
	for _, t := range ts {
		if t == nil {
			continue
		}
		if t == Any {
			return Any
		}
		if u, ok := t.(*Union); ok {
			for _, m := range u.Types {
				add(m)
			}
			continue
		}
		add(t)
	}
	// as the reference's sup, a member another one covers goes: str | str(a) is str
	kept := out[:0:0]
	for i, m := range out {
		covered := false
		for j, n := range out {
			if i != j && covers(n, m) {
				covered = true
				break
			}
		}
		if !covered {
			kept = append(kept, m)
		}
	}
	out = kept
	switch len(out) {
	case 0:
		return Any
	case 1:
		return out[0]
	}
	return &Union{out}
}

// covers reports whether every value of type m is one of type n, for the types a union
// merges: a literal and its base type, lists and dicts of such (m differs from n).
func covers(n, m Type) bool {
	switch m := m.(type) {
	case *Literal:
		return n == m.Base
	case *List:
		if nl, ok := n.(*List); ok {
			return covers(nl.Elem, m.Elem)
		}
	case *Dict:
		if nd, ok := n.(*Dict); ok {
			return (nd.Key.String() == m.Key.String() || covers(nd.Key, m.Key)) &&
				(nd.Value.String() == m.Value.String() || covers(nd.Value, m.Value)) &&
				nd.Key.String()+nd.Value.String() != m.Key.String()+m.Value.String()
		}
	}
	return false
}

// widen turns literal types into their base types, also inside unions, lists and dicts (the
// type of a variable assigned a literal: `x = {a = 1}` is a {str:int}).
func widen(t Type) Type {
	switch t := t.(type) {
	case *Literal:
		return t.Base
	case *Union:
		ms := make([]Type, len(t.Types))
		for i, m := range t.Types {
			ms[i] = widen(m)
		}
		return unionOf(ms...)
	case *List:
		return &List{widen(t.Elem)}
	case *Dict:
		d := &Dict{Key: widen(t.Key), Value: widen(t.Value)}
		if t.Attrs != nil {
			d.Attrs = map[string]Type{}
			for k, v := range t.Attrs {
				d.Attrs[k] = widen(v)
			}
		}
		return d
	}
	return t
}

// certain reports whether a type is fully known (no any, None or function inside): only such
// a type is what the reference would also have inferred.
func certain(t Type) bool {
	switch t := t.(type) {
	case *List:
		return certain(t.Elem)
	case *Dict:
		return certain(t.Key) && certain(t.Value)
	case *Union:
		for _, m := range t.Types {
			if !certain(m) {
				return false
			}
		}
		return true
	}
	return known(t)
}
