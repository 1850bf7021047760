package check

import "sort"

// RefAt is the name recorded at a byte offset (nil when none).
func (info *Info) RefAt(off int) *Ref {
	i := sort.Search(len(info.Refs), func(i int) bool { return info.Refs[i].Span.To.Offset >= off })
	for ; i < len(info.Refs) && info.Refs[i].Span.From.Offset <= off; i++ {
		if off <= info.Refs[i].Span.To.Offset {
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
