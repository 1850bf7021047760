package check

import (
	"sort"
	"strings"
	"sync"
)

// RefAt is the name recorded at a byte offset (nil when none).
func (info *Info) RefAt(off int) *Ref {
	i := sort.Search(len(info.Refs), func(i int) bool { return int(info.Refs[i].Span.To.Offset) >= off })
	for ; i < len(info.Refs) && int(info.Refs[i].Span.From.Offset) <= off; i++ {
		if off <= int(info.Refs[i].Span.To.Offset) {
			return &info.Refs[i]
		}
	}
	return nil
}

// ScopeAt is the innermost scope at a byte offset: a local scope, else the file's.
func (info *Info) ScopeAt(off int) *Scope {
	var best *Scope
	for _, s := range info.Scopes {
		if s.From <= off && off <= s.To && (best == nil || s.To-s.From <= best.To-best.From) {
			best = s
		}
	}
	if best == nil {
		return info.FileScope
	}
	return best
}

// RefsTo lists the places of a file where an object is declared or used.
func (info *Info) RefsTo(o *Object) []Ref {
	var out []Ref
	for _, r := range info.Refs {
		if r.Obj == o {
			out = append(out, r)
		}
	}
	return out
}

// Infos returns the Infos of every checked file of the package.
func (p *Package) Infos() []*Info {
	var out []*Info
	for _, u := range p.units {
		if i := p.infos[u.path]; i != nil {
			out = append(out, i)
		}
	}
	return out
}

// Packages lists the packages the checker holds that were checked (not only declared).
func (c *Checker) Packages() []*Package {
	var out []*Package
	for _, p := range c.pkgs {
		if p.checked {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

// Lookup resolves an import of a file, for tools (completion after `import`, hover).
func (c *Checker) ImportedPackage(info *Info, name string) *Package {
	if info.FileScope == nil {
		return nil
	}
	o := info.FileScope.Names[name]
	if o == nil || o.Kind != ImportObj {
		return nil
	}
	if m, ok := o.Type().(*Module); ok {
		return m.Pkg
	}
	return nil
}

// MemberOf is the object (nil when none) and type of t.name: a module member, a schema
// attribute (or its index signature's value), a str method, a dict's value.
func MemberOf(t Type, name string) (*Object, Type) {
	switch t := t.(type) {
	case *Module:
		if o := t.Pkg.Scope.Names[name]; o != nil {
			return o, o.Type()
		}
	case *Instance:
		if o := t.Schema.Attr(name); o != nil {
			return o, o.Type()
		}
		if idx := t.Schema.Index(); idx != nil {
			return nil, idx.Value
		}
	case *Dict:
		return nil, t.Value
	case *Basic:
		if t == Str {
			if o := stringMethodObjects()[name]; o != nil {
				return o, o.Type()
			}
		}
	case *Union:
		for _, m := range t.Types {
			if o, mt := MemberOf(m, name); o != nil || mt != Any {
				return o, mt
			}
		}
	}
	return nil, Any
}

// Members lists what may follow `x.` for a value of type t: the members of a module (its
// top-level names, without private ones), the attributes of a schema instance, str methods.
func Members(t Type) []*Object {
	switch t := t.(type) {
	case *Module:
		var out []*Object
		for _, o := range t.Pkg.Scope.Names {
			if !strings.HasPrefix(o.Name, "_") {
				out = append(out, o)
			}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
		return out
	case *Instance:
		return t.Schema.Attrs()
	case *Basic:
		if t == Str {
			var out []*Object
			for _, o := range stringMethodObjects() {
				out = append(out, o)
			}
			sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
			return out
		}
	case *Union:
		for _, m := range t.Types {
			if ms := Members(m); len(ms) > 0 {
				return ms
			}
		}
	}
	return nil
}

var stringMethodObjects = sync.OnceValue(func() map[string]*Object {
	m := map[string]*Object{}
	for name, sig := range stringMethods {
		m[name] = &Object{Name: name, Kind: MemberObj, typ: signatureFunc(sig), more: &objectMore{doc: "str." + sig}}
	}
	return m
})

// Universe lists the builtin functions.
func Universe() []*Object { return universe.All() }

// AllPackages lists every package the checker holds, declared or checked.
func (c *Checker) AllPackages() []*Package {
	out := make([]*Package, 0, len(c.pkgs))
	for _, p := range c.pkgs {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}
