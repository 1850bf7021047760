package kcl

import (
	"strconv"
	"strings"
)

// The template module renders Handlebars templates, as the toolchain's template.execute does:
// {{path}} (HTML-escaped), {{{path}}} and {{&path}} (raw), {{#if}}/{{#unless}}/{{#each}}/{{#with}}
// blocks with {{else}}, {{!comments}}, `~` whitespace control, paths with `.`, `this`, `../` and
// @index/@key/@first/@last. A block tag alone on its line removes that line, as Handlebars does.

func templateModule(add func(string, builtinFn)) {
	add("execute", func(e *evaluator, a []Value, kw *Dict) Value {
		src, _ := strArg(e, a, kw, 0, "template", "")
		data := arg(a, kw, 1, "data", NewDict())
		nodes, err := parseTemplate(src)
		if err != "" {
			e.throw(KindEvaluation, "template.execute: %s", err)
		}
		var b strings.Builder
		renderTemplate(&b, nodes, []Value{data}, nil)
		return b.String()
	})
	add("html_escape", func(e *evaluator, a []Value, kw *Dict) Value {
		s, _ := strArg(e, a, kw, 0, "data", "")
		return htmlEscape(s)
	})
}

// htmlEscape escapes the characters Handlebars escapes.
func htmlEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&#x27;")
		case '`':
			b.WriteString("&#x60;")
		case '=':
			b.WriteString("&#x3D;")
		case '&':
			b.WriteString("&amp;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

type tmplTok struct {
	text    string // text of a text token
	tag     bool
	kind    byte   // '#', '/', 'e' (else), '!', 'v' (escaped value), 'r' (raw value)
	name    string // block name or value path
	arg     string // block argument
	trimL   bool   // {{~
	trimR   bool   // ~}}
	isBlock bool   // a tag that removes its line when it stands alone on it
}

type tmplNode struct {
	kind    byte // 't' text, 'v' value, 'r' raw value, 'b' block
	text    string
	name    string
	arg     string
	body    []*tmplNode
	inverse []*tmplNode
}

func lexTemplate(src string) ([]*tmplTok, string) {
	var toks []*tmplTok
	for len(src) > 0 {
		i := strings.Index(src, "{{")
		if i < 0 {
			toks = append(toks, &tmplTok{text: src})
			break
		}
		if i > 0 {
			toks = append(toks, &tmplTok{text: src[:i]})
		}
		src = src[i:]
		if strings.HasPrefix(src, "{{!--") {
			j := strings.Index(src, "--}}")
			if j < 0 {
				return nil, "unclosed comment"
			}
			toks = append(toks, &tmplTok{tag: true, kind: '!', isBlock: true})
			src = src[j+4:]
			continue
		}
		raw := strings.HasPrefix(src, "{{{")
		closer, open := "}}", 2
		if raw {
			closer, open = "}}}", 3
		}
		j := strings.Index(src[open:], closer)
		if j < 0 {
			return nil, "unclosed tag"
		}
		inner := src[open : open+j]
		src = src[open+j+len(closer):]
		t := &tmplTok{tag: true}
		if strings.HasPrefix(inner, "~") {
			t.trimL, inner = true, inner[1:]
		}
		if strings.HasSuffix(inner, "~") {
			t.trimR, inner = true, inner[:len(inner)-1]
		}
		inner = strings.TrimSpace(inner)
		switch {
		case raw:
			t.kind, t.name = 'r', inner
		case strings.HasPrefix(inner, "!"):
			t.kind, t.isBlock = '!', true
		case strings.HasPrefix(inner, "#"):
			f := strings.Fields(inner[1:])
			if len(f) == 0 {
				return nil, "empty block"
			}
			t.kind, t.name, t.isBlock = '#', f[0], true
			t.arg = strings.Join(f[1:], " ")
		case strings.HasPrefix(inner, "/"):
			t.kind, t.name, t.isBlock = '/', strings.TrimSpace(inner[1:]), true
		case inner == "else" || inner == "^":
			t.kind, t.isBlock = 'e', true
		case strings.HasPrefix(inner, "&"):
			t.kind, t.name = 'r', strings.TrimSpace(inner[1:])
		default:
			t.kind, t.name = 'v', inner
		}
		toks = append(toks, t)
	}
	// standalone block tags: only blanks before them since the line start (or the template
	// start) and after them up to the line end (or the template end); decided on the original
	// text, then their lines are removed
	standalone := make([]bool, len(toks))
	for i, t := range toks {
		if !t.tag || !t.isBlock {
			continue
		}
		if i > 0 {
			prev := toks[i-1]
			if prev.tag {
				continue
			}
			k := strings.LastIndex(prev.text, "\n")
			if (k < 0 && i-1 > 0) || strings.Trim(prev.text[k+1:], " \t") != "" {
				continue
			}
		}
		if i+1 < len(toks) {
			next := toks[i+1]
			if next.tag {
				continue
			}
			k := strings.Index(next.text, "\n")
			rest := next.text
			if k >= 0 {
				rest = next.text[:k]
			} else if i+2 < len(toks) {
				continue
			}
			if strings.Trim(rest, " \t\r") != "" {
				continue
			}
		}
		standalone[i] = true
	}
	for i, t := range toks {
		if !t.tag {
			continue
		}
		if standalone[i] {
			if i > 0 {
				prev := toks[i-1]
				prev.text = prev.text[:strings.LastIndex(prev.text, "\n")+1]
			}
			if i+1 < len(toks) {
				next := toks[i+1]
				if k := strings.Index(next.text, "\n"); k >= 0 {
					next.text = next.text[k+1:]
				} else {
					next.text = ""
				}
			}
		}
		if t.trimL && i > 0 && !toks[i-1].tag {
			toks[i-1].text = strings.TrimRight(toks[i-1].text, " \t\r\n")
		}
		if t.trimR && i+1 < len(toks) && !toks[i+1].tag {
			toks[i+1].text = strings.TrimLeft(toks[i+1].text, " \t\r\n")
		}
	}
	return toks, ""
}

func parseTemplate(src string) ([]*tmplNode, string) {
	toks, err := lexTemplate(src)
	if err != "" {
		return nil, err
	}
	pos := 0
	var parse func(block string) ([]*tmplNode, []*tmplNode, string)
	parse = func(block string) ([]*tmplNode, []*tmplNode, string) {
		var body, inverse []*tmplNode
		cur := &body
		for pos < len(toks) {
			t := toks[pos]
			pos++
			if !t.tag {
				if t.text != "" {
					*cur = append(*cur, &tmplNode{kind: 't', text: t.text})
				}
				continue
			}
			switch t.kind {
			case 'v', 'r':
				*cur = append(*cur, &tmplNode{kind: t.kind, name: t.name})
			case 'e':
				if block == "" {
					return nil, nil, "{{else}} outside a block"
				}
				cur = &inverse
			case '#':
				b, inv, err := parse(t.name)
				if err != "" {
					return nil, nil, err
				}
				*cur = append(*cur, &tmplNode{kind: 'b', name: t.name, arg: t.arg, body: b, inverse: inv})
			case '/':
				if t.name != block {
					return nil, nil, "unexpected {{/" + t.name + "}}"
				}
				return body, inverse, ""
			}
		}
		if block != "" {
			return nil, nil, "unclosed {{#" + block + "}}"
		}
		return body, inverse, ""
	}
	body, _, err := parse("")
	return body, err
}

type tmplVars map[string]Value

func tmplLookup(ctx []Value, vars tmplVars, path string) Value {
	path = strings.TrimSpace(path)
	if strings.HasPrefix(path, "@") {
		if v, ok := vars[path[1:]]; ok {
			return v
		}
		return none
	}
	for strings.HasPrefix(path, "../") {
		path = path[3:]
		if len(ctx) > 1 {
			ctx = ctx[:len(ctx)-1]
		}
	}
	cur := ctx[len(ctx)-1]
	if path == "this" || path == "." || path == "" {
		return cur
	}
	path = strings.TrimPrefix(strings.TrimPrefix(path, "this."), "./")
	for _, part := range strings.Split(path, ".") {
		part = strings.Trim(part, "[]")
		switch x := cur.(type) {
		case *Dict, *Schema:
			v, ok := attrsOf(x).Get(part)
			if !ok {
				return none
			}
			cur = v
		case *List:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(x.Items) {
				return none
			}
			cur = x.Items[i]
		default:
			return none
		}
	}
	return cur
}

// tmplTruthy is KCL truthiness as templates see it: NaN and a schema
// without attributes are false.
func tmplTruthy(v Value) bool {
	switch x := v.(type) {
	case float64:
		return x != 0 && x == x
	case *Schema:
		return x.Attrs.Len() > 0
	}
	return truthy(v)
}

func tmplRender(v Value) string {
	switch x := v.(type) {
	case nil, NoneValue, UndefinedValue:
		return ""
	case string:
		return x
	case bool, int64:
		return boolIntText(x)
	case float64:
		return formatFloatPy(x)
	case Unit:
		return strconv.FormatInt(int64(x.Val), 10)
	case *List:
		parts := make([]string, len(x.Items))
		for i, it := range x.Items {
			parts[i] = tmplRender(it)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return "[object]"
}

func renderTemplate(b *strings.Builder, nodes []*tmplNode, ctx []Value, vars tmplVars) {
	for _, n := range nodes {
		switch n.kind {
		case 't':
			b.WriteString(n.text)
		case 'v':
			b.WriteString(htmlEscape(tmplRender(tmplLookup(ctx, vars, n.name))))
		case 'r':
			b.WriteString(tmplRender(tmplLookup(ctx, vars, n.name)))
		case 'b':
			v := tmplLookup(ctx, vars, n.arg)
			switch n.name {
			case "each":
				rendered := false
				sub := func(item Value, nv tmplVars) {
					rendered = true
					renderTemplate(b, n.body, append(ctx[:len(ctx):len(ctx)], item), nv)
				}
				switch x := v.(type) {
				case *List:
					for i, it := range x.Items {
						sub(it, tmplVars{"index": int64(i), "first": i == 0, "last": i == len(x.Items)-1})
					}
				case *Dict, *Schema:
					d := attrsOf(x)
					for i, k := range d.keys {
						sub(d.valAt(i), tmplVars{"key": k, "index": int64(i), "first": i == 0, "last": i == len(d.keys)-1})
					}
				}
				if !rendered {
					renderTemplate(b, n.inverse, ctx, vars)
				}
			case "with":
				if tmplTruthy(v) {
					renderTemplate(b, n.body, append(ctx[:len(ctx):len(ctx)], v), vars)
				} else {
					renderTemplate(b, n.inverse, ctx, vars)
				}
			default: // if, unless and unknown helpers
				t := tmplTruthy(v)
				if n.name == "unless" {
					t = !t
				}
				if t {
					renderTemplate(b, n.body, ctx, vars)
				} else {
					renderTemplate(b, n.inverse, ctx, vars)
				}
			}
		}
	}
}
