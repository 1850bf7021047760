package lsp

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/kpm-dev/kpm/kcl/check"
)

// kclNameHover describes the name under the cursor: its kind and type, default, docstring
// and the package (dependency name and version) declaring it.
func (s *Server) kclNameHover(d *document, off int) *protocol.Hover {
	c, info := s.kclCheck(d)
	var h *protocol.Hover
	c.With(func() {
		r := refAt(info, off)
		if r == nil {
			return
		}
		rng := d.rangeOf(int(r.Span.From.Offset), int(r.Span.To.Offset))
		h = &protocol.Hover{Contents: protocol.MarkupContent{Kind: protocol.MarkupKindMarkdown, Value: describe(r.Obj)}, Range: &rng}
	})
	return h
}

// describe renders an object for hover.
func describe(o *check.Object) string {
	var b strings.Builder
	b.WriteString("```kcl\n")
	switch o.Kind {
	case check.SchemaObj:
		sc := o.Schema()
		kw := "schema"
		if sc.Node != nil {
			kw = sc.Node.Kind.String()
		}
		fmt.Fprintf(&b, "%s %s", kw, o.Name)
		if p := sc.Parent(); p != nil {
			fmt.Fprintf(&b, "(%s)", p.Name)
		}
		b.WriteString(":\n")
		for _, a := range sc.Attrs() {
			opt := ""
			if a.Optional() {
				opt = "?"
			}
			fmt.Fprintf(&b, "    %s%s: %s", a.Name, opt, check.Display(a.Type()))
			if a.Default() != "" {
				fmt.Fprintf(&b, " = %s", a.Default())
			}
			b.WriteString("\n")
		}
	case check.RuleObj:
		fmt.Fprintf(&b, "rule %s\n", o.Name)
	case check.AttrObj:
		opt := ""
		if o.Optional() {
			opt = "?"
		}
		fmt.Fprintf(&b, "%s.%s%s: %s", o.Schema().Name, o.Name, opt, check.Display(o.Type()))
		if o.Default() != "" {
			fmt.Fprintf(&b, " = %s", o.Default())
		}
		b.WriteString("\n")
	case check.ImportObj:
		fmt.Fprintf(&b, "%s\n", o.Type())
	default:
		if f, ok := o.Type().(*check.Func); ok {
			fmt.Fprintf(&b, "%s%s\n", o.Name, f)
		} else {
			fmt.Fprintf(&b, "%s: %s\n", o.Name, check.Display(o.Type()))
		}
	}
	b.WriteString("```\n")
	if o.Kind == check.AttrObj && o.Required() {
		b.WriteString("\nrequired\n")
	}
	if doc := objectDoc(o); doc != "" {
		b.WriteString("\n" + doc + "\n")
	}
	if where := origin(o); where != "" {
		b.WriteString("\n" + where + "\n")
	}
	return b.String()
}

// origin says where an object is declared: the dependency and version, or the file.
func origin(o *check.Object) string {
	switch {
	case o.Kind == check.BuiltinObj:
		return "builtin"
	case o.Pkg() == nil:
		return ""
	case o.Pkg().Dep != "":
		// the file's path in the dependency: its module path without the dependency's name
		rel := filepath.Base(o.File())
		if !strings.HasSuffix(o.Pkg().Dir, ".k") {
			mod := strings.TrimPrefix(strings.TrimPrefix(o.Pkg().Path, o.Pkg().Dep), ".")
			if o.Pkg().Path == o.Pkg().Dep {
				mod = ""
			}
			rel = path.Join(strings.ReplaceAll(mod, ".", "/"), rel)
		}
		v := ""
		if o.Pkg().Version != "" {
			v = " " + o.Pkg().Version
		}
		return fmt.Sprintf("from `%s`%s (`%s`)", o.Pkg().Dep, v, rel)
	case o.File() != "":
		return fmt.Sprintf("in `%s`", filepath.Base(o.File()))
	}
	return ""
}
