package gen

import (
	"fmt"
	"path"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"
)

// schemaDef is one KCL schema being generated.
type schemaDef struct {
	name        string
	description string
	attrs       []attrDef
	checks      []string
	imports     map[string]bool
}

type attrDef struct {
	name, typ, def, doc string
	required            bool
}

// jsonSchemaGen converts a JSON Schema document into KCL schemas, in the order they are met
// (the root first, then nested objects and definitions).
type jsonSchemaGen struct {
	root    *yaml.Node
	schemas []*schemaDef
	byRef   map[string]string // "#/definitions/X" -> schema name
	used    map[string]bool
}

// FromJSONSchema writes KCL schemas for a JSON Schema (draft 4 to 2020-12: type, properties,
// required, items, enum, const, default, description, $ref to definitions/$defs, allOf,
// anyOf/oneOf as unions, additionalProperties as a dict type, and numeric, length, item-count
// and pattern constraints as check expressions). fallbackName names the root schema when the
// document has no title and no $id.
func FromJSONSchema(src []byte, fallbackName string) (string, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return "", err
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return "", fmt.Errorf("a JSON Schema must be an object")
	}
	g := &jsonSchemaGen{root: root, byRef: map[string]string{}, used: map[string]bool{}}
	name := str(get(root, "title"))
	if name == "" {
		if id := str(get(root, "$id")); id != "" {
			name = strings.TrimSuffix(path.Base(id), path.Ext(id))
		}
	}
	if name == "" {
		name = fallbackName
	}
	if _, err := g.object(root, pascal(name)); err != nil {
		return "", err
	}
	for _, defs := range []string{"definitions", "$defs"} {
		d := get(root, defs)
		if d == nil || d.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i+1 < len(d.Content); i += 2 {
			if _, err := g.ref("#/" + defs + "/" + d.Content[i].Value); err != nil {
				return "", err
			}
		}
	}
	var b strings.Builder
	b.WriteString(Header)
	imports := map[string]bool{}
	for _, s := range g.schemas {
		for m := range s.imports {
			imports[m] = true
		}
	}
	for _, m := range []string{"regex"} {
		if imports[m] {
			b.WriteString("import " + m + "\n\n")
		}
	}
	for _, s := range g.schemas {
		writeSchema(&b, s)
	}
	return b.String(), nil
}

// object generates the schema for an object node and returns its name.
func (g *jsonSchemaGen) object(n *yaml.Node, name string) (string, error) {
	name = g.unique(name)
	s := &schemaDef{name: name, description: str(get(n, "description")), imports: map[string]bool{}}
	g.schemas = append(g.schemas, s)
	required := map[string]bool{}
	if err := g.addProperties(s, n, required); err != nil {
		return "", err
	}
	return name, nil
}

// addProperties adds n's properties (and those of its allOf parts) to s.
func (g *jsonSchemaGen) addProperties(s *schemaDef, n *yaml.Node, required map[string]bool) error {
	if r := get(n, "required"); r != nil {
		for _, x := range r.Content {
			required[x.Value] = true
		}
	}
	if all := get(n, "allOf"); all != nil {
		for _, part := range all.Content {
			if ref := str(get(part, "$ref")); ref != "" {
				target, err := g.resolve(ref)
				if err != nil {
					return err
				}
				part = target
			}
			if err := g.addProperties(s, part, required); err != nil {
				return err
			}
		}
	}
	props := get(n, "properties")
	if props == nil || props.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(props.Content); i += 2 {
		key, p := props.Content[i].Value, props.Content[i+1]
		typ, err := g.typeOf(p, key)
		if err != nil {
			return fmt.Errorf("property %q: %w", key, err)
		}
		a := attrDef{name: FormatName(key), typ: typ, required: required[key], doc: str(get(p, "description"))}
		if d := get(p, "default"); d != nil {
			if a.def, err = inline(d); err != nil {
				return fmt.Errorf("property %q: default: %w", key, err)
			}
		}
		replaced := false
		for j := range s.attrs {
			if s.attrs[j].name == a.name {
				s.attrs[j], replaced = a, true
			}
		}
		if !replaced {
			s.attrs = append(s.attrs, a)
		}
		s.checks = append(s.checks, constraints(s, a, p)...)
	}
	for j := range s.attrs {
		s.attrs[j].required = s.attrs[j].required || required[unquoteName(s.attrs[j].name)]
	}
	return nil
}

func unquoteName(n string) string {
	return strings.TrimPrefix(strings.Trim(n, `"`), "$")
}

// typeOf returns the KCL type of a property schema; objects with properties become schemas
// named after the property.
func (g *jsonSchemaGen) typeOf(p *yaml.Node, key string) (string, error) {
	if p.Kind == yaml.ScalarNode { // `true` / `false` schemas
		return "any", nil
	}
	if ref := str(get(p, "$ref")); ref != "" {
		return g.ref(ref)
	}
	if e := get(p, "enum"); e != nil && len(e.Content) > 0 {
		var lits []string
		for _, v := range e.Content {
			s, err := inline(v)
			if err != nil {
				return "", err
			}
			lits = append(lits, s)
		}
		return strings.Join(lits, " | "), nil
	}
	if c := get(p, "const"); c != nil {
		return inline(c)
	}
	for _, k := range []string{"anyOf", "oneOf"} {
		if alts := get(p, k); alts != nil && len(alts.Content) > 0 {
			var ts []string
			for _, alt := range alts.Content {
				t, err := g.typeOf(alt, key)
				if err != nil {
					return "", err
				}
				ts = appendUnique(ts, t)
			}
			return strings.Join(ts, " | "), nil
		}
	}
	t := get(p, "type")
	var kinds []string
	switch {
	case t == nil:
		if get(p, "properties") != nil || get(p, "allOf") != nil {
			kinds = []string{"object"}
		}
	case t.Kind == yaml.SequenceNode:
		for _, x := range t.Content {
			kinds = append(kinds, x.Value)
		}
	default:
		kinds = []string{t.Value}
	}
	if len(kinds) == 0 {
		return "any", nil
	}
	var ts []string
	for _, k := range kinds {
		var typ string
		switch k {
		case "string":
			typ = "str"
		case "integer":
			typ = "int"
		case "number":
			typ = "float"
		case "boolean":
			typ = "bool"
		case "null":
			typ = "None"
		case "array":
			typ = "[any]"
			if items := get(p, "items"); items != nil && items.Kind == yaml.MappingNode {
				it, err := g.typeOf(items, key+"Item")
				if err != nil {
					return "", err
				}
				typ = "[" + it + "]"
			}
		case "object":
			if get(p, "properties") != nil || get(p, "allOf") != nil {
				name := str(get(p, "title"))
				if name == "" {
					name = key
				}
				n, err := g.object(p, pascal(name))
				if err != nil {
					return "", err
				}
				typ = n
			} else if ap := get(p, "additionalProperties"); ap != nil && ap.Kind == yaml.MappingNode {
				vt, err := g.typeOf(ap, key+"Value")
				if err != nil {
					return "", err
				}
				typ = "{str:" + vt + "}"
			} else {
				typ = "{str:any}"
			}
		default:
			return "", fmt.Errorf("unknown type %q", k)
		}
		ts = appendUnique(ts, typ)
	}
	return strings.Join(ts, " | "), nil
}

// ref returns the schema name for a local reference, generating the schema on first use.
func (g *jsonSchemaGen) ref(ref string) (string, error) {
	if name, ok := g.byRef[ref]; ok {
		return name, nil
	}
	target, err := g.resolve(ref)
	if err != nil {
		return "", err
	}
	name := str(get(target, "title"))
	if name == "" {
		name = path.Base(ref)
	}
	if get(target, "properties") == nil && get(target, "allOf") == nil {
		// not an object: the reference stands for its type
		g.byRef[ref] = "any"
		t, err := g.typeOf(target, name)
		if err != nil {
			return "", err
		}
		g.byRef[ref] = t
		return t, nil
	}
	name = g.unique(pascal(name))
	g.byRef[ref] = name
	g.used[name] = false // object() claims it again
	if _, err := g.object(target, name); err != nil {
		return "", err
	}
	return name, nil
}

// resolve follows a local JSON pointer (#/definitions/X, #/$defs/X, #/properties/a/...).
func (g *jsonSchemaGen) resolve(ref string) (*yaml.Node, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("$ref %q: only references inside the document (#/...) are supported", ref)
	}
	n := g.root
	for _, part := range strings.Split(ref[2:], "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		n = get(n, part)
		if n == nil {
			return nil, fmt.Errorf("$ref %q: not found", ref)
		}
	}
	return n, nil
}

func (g *jsonSchemaGen) unique(name string) string {
	base, n := name, 1
	for g.used[name] {
		n++
		name = fmt.Sprintf("%s%d", base, n)
	}
	g.used[name] = true
	return name
}

// constraints returns the check expressions of a property's validation keywords.
func constraints(s *schemaDef, a attrDef, p *yaml.Node) []string {
	name := a.name
	var out []string
	add := func(expr string) {
		if !a.required {
			expr += " if " + name + " != None"
		}
		out = append(out, expr)
	}
	for _, c := range []struct{ key, op string }{
		{"minimum", ">="}, {"maximum", "<="}, {"exclusiveMinimum", ">"}, {"exclusiveMaximum", "<"},
	} {
		if v := get(p, c.key); v != nil && v.Kind == yaml.ScalarNode && v.ShortTag() != "!!bool" {
			add(name + " " + c.op + " " + v.Value)
		}
	}
	for _, c := range []struct{ key, op string }{
		{"minLength", ">="}, {"maxLength", "<="}, {"minItems", ">="}, {"maxItems", "<="},
	} {
		if v := get(p, c.key); v != nil {
			add("len(" + name + ") " + c.op + " " + v.Value)
		}
	}
	if v := get(p, "pattern"); v != nil {
		s.imports["regex"] = true
		add("regex.match(" + name + ", " + Quote(v.Value) + ")")
	}
	if v := get(p, "multipleOf"); v != nil {
		add(name + " % " + v.Value + " == 0")
	}
	return out
}

func writeSchema(b *strings.Builder, s *schemaDef) {
	b.WriteString("schema " + s.name + ":\n")
	b.WriteString(indentUnit + `"""` + "\n")
	desc := s.description
	if desc == "" {
		desc = s.name
	}
	for _, line := range strings.Split(desc, "\n") {
		b.WriteString(strings.TrimRight(indentUnit+line, " ") + "\n")
	}
	if len(s.attrs) > 0 {
		b.WriteString("\n" + indentUnit + "Attributes\n" + indentUnit + "----------\n")
		for _, a := range s.attrs {
			line := a.name + " : " + a.typ + ", "
			if a.required {
				line += "required"
			} else {
				line += "optional"
			}
			if a.def != "" {
				line += ", default is " + a.def
			}
			b.WriteString(indentUnit + line + "\n")
			if a.doc != "" {
				for _, d := range strings.Split(a.doc, "\n") {
					b.WriteString(strings.TrimRight(indentUnit+indentUnit+d, " ") + "\n")
				}
			}
		}
	}
	b.WriteString(indentUnit + `"""` + "\n\n")
	for _, a := range s.attrs {
		line := a.name
		if !a.required {
			line += "?"
		}
		line += ": " + a.typ
		if a.def != "" {
			line += " = " + a.def
		}
		b.WriteString(indentUnit + line + "\n")
	}
	if len(s.checks) > 0 {
		b.WriteString("\n" + indentUnit + "check:\n")
		for _, c := range s.checks {
			b.WriteString(indentUnit + indentUnit + c + "\n")
		}
	}
	b.WriteString("\n")
}

// get returns the value of key in a mapping node, or nil.
func get(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return deref(n.Content[i+1])
		}
	}
	return nil
}

func str(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// pascal turns a name into a schema name: "book-info.v1" -> "BookInfoV1".
func pascal(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		b.WriteRune(r)
	}
	out := b.String()
	if out == "" || unicode.IsDigit(rune(out[0])) {
		out = "Schema" + out
	}
	return out
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
