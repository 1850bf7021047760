package lsp

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/kpm-dev/kpm/kcl/check"
	"github.com/kpm-dev/kpm/kcl/modules"
)

var (
	memberRE    = regexp.MustCompile(`((?:[A-Za-z_][A-Za-z0-9_]*\.)*[A-Za-z_][A-Za-z0-9_]*|"[^"\n]*"|'[^'\n]*')\.([A-Za-z_][A-Za-z0-9_]*)?$`)
	keyPrefixRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.]*$|^$`)
	decoratorRE = regexp.MustCompile(`^\s*@[A-Za-z_]*$`)
)

// kclDecorators are the decorators the engine knows.
var kclDecorators = []string{"deprecated", "info"}

// kclCodeCompletion completes KCL code: attributes of the schema being configured (at any
// depth, those not yet set, required ones first), members after `x.`, names in scope,
// keywords, standard modules and schema-instance snippets.
func (s *Server) kclCodeCompletion(d *document, off int) []protocol.CompletionItem {
	lineStart := strings.LastIndexByte(d.text[:off], '\n') + 1
	line := d.text[lineStart:off]
	if decoratorRE.MatchString(line) {
		var items []protocol.CompletionItem
		for _, n := range kclDecorators {
			items = append(items, completionItem(n, protocol.CompletionItemKindFunction, "decorator", ""))
		}
		return items
	}
	if inCommentOrString(d.text, lineStart, off) {
		return nil
	}
	c, info := s.kclCheck(d)
	var items []protocol.CompletionItem
	c.With(func() {
		frames := openFrames(d.text, off)
		if n := len(frames); n > 0 && frames[n-1].open == '{' {
			f := frames[n-1]
			key := keyText(d.text, f.pos, off)
			if keyPrefixRE.MatchString(key) {
				if t := frameType(info, frames, off); t != nil {
					if in, ok := t.(*check.Instance); ok {
						items = attributeItems(in, key, setKeys(d.text, f.pos))
						return
					}
				}
			}
		}
		if m := memberRE.FindStringSubmatch(line); m != nil {
			var t check.Type = check.Str
			if !strings.HasPrefix(m[1], `"`) && !strings.HasPrefix(m[1], `'`) {
				t = resolveChain(info, strings.Split(m[1], "."), off)
			}
			for _, o := range check.Members(t) {
				items = append(items, objectItem(o))
			}
			if st, ok := t.(*check.SchemaType); ok && st != nil {
				items = append(items, completionItem("instances", protocol.CompletionItemKindMethod, "instances(main_pkg?: bool) -> []", "The instances of the schema created so far."))
			}
			return
		}
		items = s.scopeItems(info, off)
	})
	return items
}

// keyText is the text of the entry being typed in the config opened at open.
func keyText(text string, open, off int) string {
	start := open + 1
	depth := 0
	for i := open + 1; i < off; i++ {
		switch c := text[i]; c {
		case '"', '\'':
			i = skipString(text, i, off)
		case '#':
			for i < off && text[i] != '\n' {
				i++
			}
			if depth == 0 {
				start = i + 1
			}
		case '{', '[', '(':
			depth++
		case '}', ']', ')':
			depth--
		case '\n', ',':
			if depth == 0 {
				start = i + 1
			}
		}
	}
	if start > off {
		return ""
	}
	return strings.TrimSpace(text[start:off])
}

func inCommentOrString(text string, lineStart, off int) bool {
	for i := lineStart; i < off; i++ {
		switch text[i] {
		case '#':
			return true
		case '"', '\'':
			j := skipString(text, i, off)
			if j >= off {
				return true
			}
			i = j
		}
	}
	return false
}

// attributeItems offers the attributes of a schema not yet set; for a dotted key being typed
// (`metadata.na`), the attributes of the prefix's schema.
func attributeItems(in *check.Instance, key string, set map[string]bool) []protocol.CompletionItem {
	var t check.Type = in
	if parts := strings.Split(key, "."); len(parts) > 1 {
		for _, p := range parts[:len(parts)-1] {
			_, t = check.MemberOf(t, p)
		}
		set = nil
	}
	sub, ok := instanceIn(t, '{').(*check.Instance)
	if !ok {
		return nil
	}
	var items []protocol.CompletionItem
	required := map[string]bool{}
	for _, a := range sub.Schema.Required() {
		required[a.Name] = true
	}
	for _, a := range sub.Schema.Attrs() {
		if set[a.Name] {
			continue
		}
		it := objectItem(a)
		order := "1"
		if required[a.Name] {
			order = "0"
			it.Detail = strPtr(*it.Detail + " (required)")
		}
		it.SortText = strPtr(order + a.Name)
		items = append(items, it)
	}
	return items
}

// scopeItems offers the names visible at off, keywords, standard modules and snippets
// instantiating the schemas in scope.
func (s *Server) scopeItems(info *check.Info, off int) []protocol.CompletionItem {
	var items []protocol.CompletionItem
	if info == nil || info.FileScope == nil {
		return nil
	}
	for _, o := range info.ScopeAt(off).All() {
		items = append(items, objectItem(o))
		if o.Kind == check.SchemaObj && o.Schema().Node != nil && o.Schema().Strict() {
			items = append(items, schemaSnippet(o.Name, o))
		}
	}
	// schemas of imported modules, as `module.Schema {}` snippets
	for _, o := range info.FileScope.Names {
		if o.Kind != check.ImportObj {
			continue
		}
		if m, ok := o.Type().(*check.Module); ok && m.Pkg.Dir != "" {
			for _, mo := range check.Members(m) {
				if mo.Kind == check.SchemaObj && mo.Schema().Strict() {
					items = append(items, schemaSnippet(o.Name+"."+mo.Name, mo))
				}
			}
		}
	}
	for _, k := range kclKeywords {
		items = append(items, completionItem(k, protocol.CompletionItemKindKeyword, "keyword", ""))
	}
	imported := map[string]bool{}
	for _, o := range info.FileScope.Names {
		imported[o.Name] = true
	}
	for _, m := range modules.StdlibNames() {
		if !imported[m] {
			it := completionItem(m, protocol.CompletionItemKindModule, "standard module (adds `import "+m+"`)", "")
			it.AdditionalTextEdits = []protocol.TextEdit{{Range: protocol.Range{}, NewText: "import " + m + "\n"}}
			it.SortText = strPtr("9" + m)
			items = append(items, it)
		}
	}
	return items
}

func schemaSnippet(label string, o *check.Object) protocol.CompletionItem {
	it := completionItem(label+"{}", protocol.CompletionItemKindSnippet, "new "+label+" instance", check.SchemaSummary(o.Doc()))
	format := protocol.InsertTextFormatSnippet
	var b strings.Builder
	fmt.Fprintf(&b, "%s {\n", label)
	n := 1
	for _, a := range o.Schema().Required() {
		fmt.Fprintf(&b, "\t%s = ${%d}\n", a.Name, n)
		n++
	}
	b.WriteString("\t$0\n}")
	it.InsertText = strPtr(b.String())
	it.InsertTextFormat = &format
	it.FilterText = strPtr(label)
	it.SortText = strPtr("2" + label)
	return it
}

// objectItem is the completion item of a named object.
func objectItem(o *check.Object) protocol.CompletionItem {
	kind := protocol.CompletionItemKindVariable
	switch o.Kind {
	case check.SchemaObj, check.RuleObj:
		kind = protocol.CompletionItemKindClass
	case check.ImportObj:
		kind = protocol.CompletionItemKindModule
	case check.TypeAliasObj:
		kind = protocol.CompletionItemKindTypeParameter
	case check.AttrObj:
		kind = protocol.CompletionItemKindField
	case check.BuiltinObj, check.MemberObj:
		kind = protocol.CompletionItemKindFunction
		if _, ok := o.Type().(*check.Func); !ok {
			kind = protocol.CompletionItemKindConstant
		}
	}
	return completionItem(o.Name, kind, typeDetail(o), objectDoc(o))
}

// typeDetail is the one-line description of an object: its type, or its signature.
func typeDetail(o *check.Object) string {
	switch o.Kind {
	case check.SchemaObj:
		return "schema " + o.Schema().QualifiedName()
	case check.RuleObj:
		return "rule " + o.Name
	case check.ImportObj:
		return o.Type().String()
	}
	t := o.Type()
	if f, ok := t.(*check.Func); ok {
		return o.Name + f.String()
	}
	s := check.Display(t)
	if o.Optional() {
		return s + " (optional)"
	}
	return s
}

// objectDoc is an object's documentation: its docstring, or for an attribute, its entry in
// the schema's docstring.
func objectDoc(o *check.Object) string {
	if o.Doc() != "" {
		if o.Kind == check.SchemaObj || o.Kind == check.RuleObj {
			return check.SchemaSummary(o.Doc())
		}
		return o.Doc()
	}
	if o.Kind == check.AttrObj && o.Schema() != nil {
		return check.AttrDoc(o.Schema().Doc, o.Name)
	}
	return ""
}

// sortItems orders items by their sort text (or label), for stable answers.
func sortItems(items []protocol.CompletionItem) {
	key := func(it protocol.CompletionItem) string {
		if it.SortText != nil {
			return *it.SortText
		}
		return "5" + it.Label
	}
	sort.SliceStable(items, func(i, j int) bool { return key(items[i]) < key(items[j]) })
}
