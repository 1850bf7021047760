package check

import (
	"github.com/kpm-dev/kpm/kcl/syntax"
)

// Schema is a schema, mixin, protocol or rule with its attributes. Attributes, parent and
// mixins are resolved on first use, so a large dependency costs only what is looked at.
type Schema struct {
	Name string
	Obj  *Object
	Node *syntax.SchemaStmt // nil for a rule
	Rule *syntax.RuleStmt
	Doc  string

	unit     *fileUnit
	built    bool
	parent   *Schema
	mixins   []*Schema
	own      map[string]*Object
	order    []string
	index    *IndexSig
	params   []Param
	assigned map[string]bool // names assigned in the body (defaults of inherited attributes)
	building bool
}

// IndexSig is a schema's `[key: K]: V` declaration.
type IndexSig struct {
	KeyName  string
	Key      Type
	Value    Type
	AnyOther bool
}

// QualifiedName is pkg.Name for schemas of imported packages, else Name.
func (s *Schema) QualifiedName() string {
	if s.unit != nil && s.unit.pkg.Path != "" {
		return s.unit.pkg.Path + "." + s.Name
	}
	return s.Name
}

func (s *Schema) build() {
	if s.built || s.building {
		return
	}
	s.building = true
	defer func() { s.building = false; s.built = true }()
	s.own = map[string]*Object{}
	s.assigned = map[string]bool{}
	if s.Rule != nil {
		s.params = s.unit.params(s.Rule.Params)
		return
	}
	n := s.Node
	if s.Cycle() == nil {
		s.parent = s.declaredParent()
	}
	for _, m := range n.Mixins {
		if t, ok := s.unit.lookupType(m).(*SchemaType); ok {
			s.mixins = append(s.mixins, t.Schema)
		}
	}
	s.params = s.unit.params(n.Params)
	if is := n.IndexSignature; is != nil {
		s.index = &IndexSig{Key: s.unit.typeOf(is.KeyType), Value: s.unit.typeOf(is.ValueType), AnyOther: is.AnyOther}
		if is.KeyName != nil {
			s.index.KeyName = is.KeyName.Name()
		}
	}
	s.collect(n.Body)
}

// collect declares the attributes of a schema body: declared ones and plain assignments
// (also inside if blocks).
func (s *Schema) collect(body []syntax.Stmt) {
	for _, st := range body {
		switch st := st.(type) {
		case *syntax.SchemaAttr:
			a := st
			more := &objectMore{doc: a.Doc, schema: s, optional: a.Optional, required: !a.Optional && a.Default == nil, typed: true,
				resolve: func() Type { return s.unit.typeOf(a.Type) }}
			if a.Default != nil {
				more.deflt = syntax.Print(a.Default)
			}
			s.add(&Object{Name: a.Name.Name(), Kind: AttrObj, unit: s.unit, Span: a.Name.Span, more: more})
		case *syntax.AssignStmt:
			for _, t := range st.Targets {
				id, ok := t.(*syntax.Ident)
				if !ok || len(id.Names) != 1 {
					continue
				}
				s.assigned[id.Names[0]] = true
				if o := s.own[id.Names[0]]; o != nil {
					o.more.required = false
					continue
				}
				if s.inheritedAttr(id.Names[0]) != nil {
					continue
				}
				v := st.Value
				ann := st.Type
				s.add(&Object{Name: id.Names[0], Kind: AttrObj, unit: s.unit, Span: id.NameSpans[0],
					more: &objectMore{schema: s, deflt: syntax.Print(v), resolve: func() Type {
						if ann != nil {
							return s.unit.typeOf(ann)
						}
						return widen(s.unit.quietType(v))
					}}})
			}
		case *syntax.UnificationStmt:
			if len(st.Target.Names) == 1 && s.own[st.Target.Names[0]] == nil && s.inheritedAttr(st.Target.Names[0]) == nil {
				v := st.Value
				s.add(&Object{Name: st.Target.Names[0], Kind: AttrObj, unit: s.unit, Span: st.Target.NameSpans[0],
					more: &objectMore{schema: s, resolve: func() Type { return widen(s.unit.quietType(v)) }}})
			}
		case *syntax.IfStmt:
			s.collect(st.Body)
			s.collect(st.Else)
		}
	}
}

func (s *Schema) add(o *Object) {
	if _, ok := s.own[o.Name]; ok {
		return
	}
	s.own[o.Name] = o
	s.order = append(s.order, o.Name)
}

func (s *Schema) inheritedAttr(name string) *Object {
	for _, m := range s.mixins {
		if a := m.Attr(name); a != nil {
			return a
		}
	}
	if s.parent != nil {
		return s.parent.Attr(name)
	}
	return nil
}

// Attr finds an attribute declared by the schema, its mixins or its parents.
func (s *Schema) Attr(name string) *Object {
	s.build()
	if a, ok := s.own[name]; ok {
		return a
	}
	return s.inheritedAttr(name)
}

// Attrs lists every attribute: the schema's own in declaration order, then its mixins', then
// its parents'.
func (s *Schema) Attrs() []*Object {
	s.build()
	var out []*Object
	seen := map[string]bool{}
	var walk func(*Schema, int)
	walk = func(s *Schema, depth int) {
		if s == nil || depth > 32 {
			return
		}
		s.build()
		for _, n := range s.order {
			if !seen[n] {
				seen[n] = true
				out = append(out, s.own[n])
			}
		}
		for _, m := range s.mixins {
			walk(m, depth+1)
		}
		walk(s.parent, depth+1)
	}
	walk(s, 0)
	return out
}

// Parent is the base schema, or nil.
func (s *Schema) Parent() *Schema { s.build(); return s.parent }

// Index is the index signature of the schema or of a parent, or nil.
func (s *Schema) Index() *IndexSig {
	for p, depth := s, 0; p != nil && depth < 32; p, depth = p.Parent(), depth+1 {
		if idx := p.OwnIndex(); idx != nil { // built first: it may be asked before anything else of p
			return idx
		}
	}
	return nil
}

// OwnIndex is the schema's own index signature, or nil: the reference's checker does not
// inherit one, so a config of a schema whose parent has one may still only set declared
// attributes.
func (s *Schema) OwnIndex() *IndexSig { s.build(); return s.index }

// Params are the schema's parameters (`schema S[a: int]`).
func (s *Schema) Params() []Param { s.build(); return s.params }

// Strict reports whether a config may only set declared attributes: a schema with no index
// signature (a mixin or protocol is never instantiated).
func (s *Schema) Strict() bool {
	if s.Rule != nil {
		return s.Rule.ForHost == nil // a rule has no attributes but its protocol's
	}
	if s.Node == nil || s.Node.Kind != syntax.KindSchema {
		return false
	}
	return s.OwnIndex() == nil
}

func (s *Schema) inherits(t *Schema) bool {
	for p, depth := s, 0; p != nil && depth < 32; p, depth = p.Parent(), depth+1 {
		if p == t || (p.Name == t.Name && p.unit != nil && t.unit != nil && p.unit.path == t.unit.path) {
			return true
		}
	}
	return false
}

// Required lists the attributes a config must set: declared without `?` and without a
// default anywhere in the schema, its mixins or parents.
func (s *Schema) Required() []*Object {
	var out []*Object
	for _, a := range s.Attrs() {
		if a.Required() && !s.defaulted(a.Name) {
			out = append(out, a)
		}
	}
	return out
}

// defaulted reports whether some schema of the chain assigns the attribute (a default or a
// body assignment overriding a parent's declaration).
func (s *Schema) defaulted(name string) bool {
	for p, depth := s, 0; p != nil && depth < 32; p, depth = p.Parent(), depth+1 {
		p.build()
		if a := p.own[name]; (a != nil && !a.Required()) || p.assigned[name] {
			return true
		}
		for _, m := range p.mixins {
			m.build()
			if a := m.own[name]; (a != nil && !a.Required()) || m.assigned[name] {
				return true
			}
		}
	}
	return false
}

// declaredParent is the schema a schema names as its parent (nil when none or unknown).
func (s *Schema) declaredParent() *Schema {
	if s.Node == nil || s.Node.Parent == nil {
		return nil
	}
	if t, ok := s.unit.lookupType(s.Node.Parent).(*SchemaType); ok {
		return t.Schema
	}
	return nil
}

// Cycle lists the schemas of a circular inheritance the schema is part of, from the one
// declared first, or nil; a schema in a cycle has no parent for the checker.
func (s *Schema) Cycle() []*Schema {
	cycle := []*Schema{s}
	for p := s.declaredParent(); p != nil && len(cycle) <= 64; p = p.declaredParent() {
		if p == s {
			first := 0
			for i, m := range cycle {
				if m.declaredBefore(cycle[first]) {
					first = i
				}
			}
			return append(cycle[first:], cycle[:first]...)
		}
		cycle = append(cycle, p)
	}
	return nil
}

func (s *Schema) declaredBefore(t *Schema) bool {
	if s.unit.path != t.unit.path {
		return s.unit.path < t.unit.path
	}
	return s.Node.Pos().Offset < t.Node.Pos().Offset
}
