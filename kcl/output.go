package kcl

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// planOptions controls how a value is turned into printable data.
type planOptions struct {
	SortKeys    bool
	DisableNone bool
	// HidePrivate drops every key starting with `_`, as the program output does (schema
	// instances never show theirs unless ShowHidden).
	HidePrivate bool
	// ShowHidden keeps the `_` keys of schema instances too, __settings__ included
	// (kcl run --show-hidden).
	ShowHidden bool
}

// plan turns a value into printable data: Undefined, functions, schema types and modules are
// dropped, schema instances become dicts without private attributes, None is dropped with
// DisableNone. The result contains only nil (None), bool, int64, float64, string, Unit, []any and *Dict.
func plan(v Value, o planOptions) (any, bool) {
	switch x := v.(type) {
	case nil, NoneValue:
		if o.DisableNone {
			return nil, false
		}
		return nil, true
	case UndefinedValue, *Func, *SchemaType, *Module, TypeValue:
		return nil, false
	case Unit:
		return x.Val, true // printed and encoded as a float (1Ki is 1024.0), as the reference does
	case bool, int64, float64, string:
		return x, true
	case *List:
		out := make([]any, 0, len(x.Items))
		for _, it := range x.Items {
			if p, ok := plan(it, o); ok {
				out = append(out, p)
			}
		}
		return out, true
	case *Dict:
		return planDict(x, o, false), true
	case *Schema:
		// __settings__ (output_type) is private and, as in current KCL, does not move the
		// instance out of its place; --show-hidden prints it as any other attribute
		return planDict(x.Attrs, o, true), true
	}
	return nil, false
}

func planDict(d *Dict, o planOptions, schema bool) *Dict {
	if !o.SortKeys && plansToItself(d, o, schema) {
		// planned data is only read: a dict of plain scalars is shared, not copied (most of a
		// large configuration's dicts)
		return d
	}
	n := newDictCap(d.Len())
	keys := d.keys
	if o.SortKeys {
		keys = sortedKeys(d)
	}
	for _, k := range keys {
		if planHides(k, o, schema) {
			continue
		}
		if p, ok := plan(d.val(k), o); ok {
			n.add(k, p)
		}
	}
	return n
}

// planInPlace is planDict(d, o, false) for a dict nothing else reads: its values are replaced
// by their plans and its hidden keys removed, instead of a copy being made.
func planInPlace(d *Dict, o planOptions) *Dict {
	if o.SortKeys {
		return planDict(d, o, false)
	}
	d.filter(func(k string, v Value) (Value, bool) {
		if planHides(k, o, false) {
			return nil, false
		}
		return plan(v, o)
	})
	return d
}

// planHides reports whether key k of a dict (or a schema instance's attributes) is left out.
func planHides(k string, o planOptions, schema bool) bool {
	return (schema && !o.ShowHidden || o.HidePrivate) && strings.HasPrefix(k, "_")
}

// plansToItself reports whether planDict would copy d unchanged: every key kept and every value
// a scalar that plans to itself.
func plansToItself(d *Dict, o planOptions, schema bool) bool {
	for i, k := range d.keys {
		if planHides(k, o, schema) {
			return false
		}
		switch d.valAt(i).(type) {
		case bool, int64, float64, string:
		default:
			return false
		}
	}
	return true
}

// ---------------------------------------------------------------- YAML

type yamlWriter struct {
	b strings.Builder
}

// encodeYAML renders planned data as KCL prints YAML (libyaml block style, 2-space indent,
// sequences not indented under their key).
func encodeYAML(v any) string {
	w := &yamlWriter{}
	w.node(v, 0, ctxTop)
	return w.b.String()
}

const (
	ctxTop = iota
	ctxMapValue
	ctxSeqItem
)

func (w *yamlWriter) node(v any, indent int, ctx int) {
	switch x := v.(type) {
	case *Dict:
		if x.Len() == 0 {
			if ctx != ctxTop {
				w.b.WriteByte(' ')
			}
			w.b.WriteString("{}\n")
			return
		}
		for i, k := range x.keys {
			if i == 0 && ctx == ctxSeqItem {
				// continue on the "- " line
			} else {
				if i == 0 && ctx == ctxMapValue {
					w.b.WriteByte('\n')
				}
				w.b.WriteString(strings.Repeat(" ", indent))
			}
			if explicitKey(k) {
				// libyaml writes a key that cannot be a simple key as "? key" then ": value",
				// the value placed as a sequence item's
				w.b.WriteString("? ")
				w.b.WriteString(yamlScalarString(k, indent+2, false))
				w.b.WriteString("\n" + strings.Repeat(" ", indent) + ":")
				w.seqItem(x.valAt(i), indent)
				continue
			}
			w.b.WriteString(yamlScalarString(k, indent, true))
			w.b.WriteByte(':')
			w.mapValue(x.valAt(i), indent)
		}
	case []any:
		if len(x) == 0 {
			if ctx != ctxTop {
				w.b.WriteByte(' ')
			}
			w.b.WriteString("[]\n")
			return
		}
		for i, it := range x {
			if i == 0 && ctx == ctxSeqItem {
			} else {
				if i == 0 && ctx == ctxMapValue {
					w.b.WriteByte('\n')
				}
				w.b.WriteString(strings.Repeat(" ", indent))
			}
			w.b.WriteString("-")
			w.seqItem(it, indent)
		}
	default:
		if ctx != ctxTop {
			w.b.WriteByte(' ')
		}
		w.b.WriteString(yamlScalar(v, indent))
		w.b.WriteByte('\n')
	}
}

// explicitKey reports whether libyaml cannot write k as a simple key: a multi-line one or one
// longer than 128 bytes.
func explicitKey(k string) bool {
	return len(k) > 128 || strings.ContainsAny(k, "\n\r") || strings.Contains(k, "\u0085") ||
		strings.Contains(k, "\u2028") || strings.Contains(k, "\u2029")
}

func (w *yamlWriter) mapValue(v any, indent int) {
	switch x := v.(type) {
	case *Dict:
		if x.Len() == 0 {
			w.b.WriteString(" {}\n")
			return
		}
		w.node(x, indent+2, ctxMapValue)
	case []any:
		if len(x) == 0 {
			w.b.WriteString(" []\n")
			return
		}
		// sequences are not indented under their key
		w.node(x, indent, ctxMapValue)
	default:
		w.b.WriteByte(' ')
		w.b.WriteString(yamlScalar(v, indent+2))
		w.b.WriteByte('\n')
	}
}

func (w *yamlWriter) seqItem(v any, indent int) {
	switch x := v.(type) {
	case *Dict:
		if x.Len() == 0 {
			w.b.WriteString(" {}\n")
			return
		}
		w.b.WriteByte(' ')
		w.node(x, indent+2, ctxSeqItem)
	case []any:
		if len(x) == 0 {
			w.b.WriteString(" []\n")
			return
		}
		w.b.WriteByte(' ')
		w.node(x, indent+2, ctxSeqItem)
	default:
		w.b.WriteByte(' ')
		w.b.WriteString(yamlScalar(v, indent+2))
		w.b.WriteByte('\n')
	}
}

// boolIntText spells a bool or an int64 as YAML, JSON and templates do
// (true/false, decimal digits).
func boolIntText(v any) string {
	switch x := v.(type) {
	case bool:
		if x {
			return "true"
		}
		return "false"
	case int64:
		return strconv.FormatInt(x, 10)
	}
	return ""
}

func yamlScalar(v any, indent int) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool, int64:
		return boolIntText(x)
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return "null" // YAML is made from JSON, which has no inf or nan
		}
		return formatFloatYAML(x)
	case Unit:
		return yamlScalarString(strconv.FormatInt(x.Raw, 10)+x.Suffix, indent, false)
	case string:
		return yamlScalarString(x, indent, false)
	}
	return "null"
}

// yamlLooksTyped reports whether the reference quotes a string that needs no quotes as far as
// YAML syntax goes: one that reads as a YAML 1.1 bool, null, nil or nan in any letter case, or that
// starts like a number (a digit, a sign or a dot), whether or not it is one.
func yamlLooksTyped(s string) bool {
	switch strings.ToLower(s) {
	case "", "~", "null", "nil", "true", "false", "y", "n", "yes", "no", "on", "off", "nan":
		return true
	}
	c := s[0]
	return c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'
}

type scalarAnalysis struct {
	multiline                            bool
	flowPlain, blockPlain, single, block bool
}

func isYAMLPrintable(r rune) bool {
	switch {
	case r == 0x0A:
		return true
	case r >= 0x20 && r <= 0x7E:
		return true
	case r >= 0xA0 && r <= 0xD7FF:
		return true
	case r >= 0xE000 && r <= 0xFFFD && r != 0xFEFF:
		return true
	case r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}

func isBreak(r rune) bool { return r == '\n' || r == '\r' || r == 0x85 || r == 0x2028 || r == 0x2029 }

// analyzeScalar mirrors libyaml's scalar analysis.
func analyzeScalar(s string) scalarAnalysis {
	a := scalarAnalysis{flowPlain: true, blockPlain: true, single: true, block: true}
	if s == "" {
		a.blockPlain, a.flowPlain = false, false
		a.block = false
		return a
	}
	if strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...") {
		a.flowPlain, a.blockPlain = false, false
	}
	rs := []rune(s)
	var flowInd, blockInd, special, lineBreaks bool
	var leadingSpace, leadingBreak, trailingSpace, trailingBreak, breakSpace, spaceBreak bool
	var prevSpace, prevBreak bool
	precededByWS := true
	for i, r := range rs {
		followedByWS := i+1 >= len(rs) || rs[i+1] == ' ' || rs[i+1] == '\t' || isBreak(rs[i+1])
		if i == 0 {
			switch r {
			case '#', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
				flowInd, blockInd = true, true
			case '?', ':':
				flowInd = true
				if followedByWS {
					blockInd = true
				}
			case '-':
				if followedByWS {
					flowInd, blockInd = true, true
				}
			}
		} else {
			switch r {
			case ',', '?', '[', ']', '{', '}':
				flowInd = true
			case ':':
				flowInd = true
				if followedByWS {
					blockInd = true
				}
			case '#':
				if precededByWS {
					flowInd, blockInd = true, true
				}
			}
		}
		if !isYAMLPrintable(r) || r == 0xFEFF {
			special = true
		}
		if isBreak(r) {
			lineBreaks = true
		}
		if r == ' ' {
			if i == 0 {
				leadingSpace = true
			}
			if i == len(rs)-1 {
				trailingSpace = true
			}
			if prevBreak {
				breakSpace = true
			}
			prevSpace, prevBreak = true, false
		} else if isBreak(r) {
			if i == 0 {
				leadingBreak = true
			}
			if i == len(rs)-1 {
				trailingBreak = true
			}
			if prevSpace {
				spaceBreak = true
			}
			prevSpace, prevBreak = false, true
		} else {
			prevSpace, prevBreak = false, false
		}
		precededByWS = r == ' ' || r == '\t' || isBreak(r)
	}
	a.multiline = lineBreaks
	if leadingSpace || leadingBreak || trailingSpace || trailingBreak {
		a.flowPlain, a.blockPlain = false, false
	}
	if trailingSpace {
		a.block = false
	}
	if breakSpace {
		a.flowPlain, a.blockPlain, a.single = false, false, false
	}
	if spaceBreak || special {
		a.flowPlain, a.blockPlain, a.single, a.block = false, false, false, false
	}
	if lineBreaks {
		a.flowPlain, a.blockPlain = false, false
	}
	if flowInd {
		a.flowPlain = false
	}
	if blockInd {
		a.blockPlain = false
	}
	return a
}

// yamlScalarString renders a string scalar. indent is the indentation of block scalar content.
func yamlScalarString(s string, indent int, key bool) string {
	a := analyzeScalar(s)
	style := "any"
	if strings.Contains(s, "\n") {
		style = "literal"
	} else if yamlLooksTyped(s) {
		style = "single"
	}
	if key && a.multiline {
		style = "double"
	}
	if style == "any" {
		style = "plain"
		if !a.blockPlain {
			style = "single"
		}
		if s == "" && key {
			style = "single"
		}
	}
	if style == "single" && !a.single {
		style = "double"
	}
	if style == "literal" && (!a.block || key) {
		style = "double"
	}
	switch style {
	case "plain":
		return s
	case "single":
		return "'" + indentAfterSeparators(strings.ReplaceAll(s, "'", "''"), indent, true) + "'"
	case "literal":
		return literalScalar(s, indent)
	}
	return doubleQuoted(s)
}

func literalScalar(s string, indent int) string {
	var b strings.Builder
	b.WriteByte('|')
	if s[0] == ' ' || isBreak(rune(s[0])) {
		b.WriteString("2")
	}
	switch {
	case !strings.HasSuffix(s, "\n"):
		b.WriteByte('-')
	case len(s) == 1 || strings.HasSuffix(s, "\n\n"):
		b.WriteByte('+')
	}
	body := strings.TrimSuffix(s, "\n")
	pad := strings.Repeat(" ", indent)
	for _, line := range strings.Split(body, "\n") {
		b.WriteByte('\n')
		if line != "" {
			b.WriteString(pad)
			b.WriteString(indentAfterSeparators(line, indent, false))
		}
	}
	return b.String()
}

// indentAfterSeparators indents what follows a line or paragraph separator (U+2028, U+2029)
// as libyaml does: the separator is written as a line break, then the scalar's indentation
// (at the end too when the scalar is quoted).
func indentAfterSeparators(s string, indent int, quoted bool) string {
	if !strings.ContainsAny(s, "\u2028\u2029") {
		return s
	}
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		b.WriteRune(r)
		if (r == 0x2028 || r == 0x2029) && (i+1 < len(rs) && rs[i+1] != 0x2028 && rs[i+1] != 0x2029 || i+1 == len(rs) && quoted) {
			b.WriteString(strings.Repeat(" ", indent))
		}
	}
	return b.String()
}

func doubleQuoted(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case 0:
			b.WriteString(`\0`)
		case 7:
			b.WriteString(`\a`)
		case 8:
			b.WriteString(`\b`)
		case 9:
			b.WriteString(`\t`)
		case 10:
			b.WriteString(`\n`)
		case 11:
			b.WriteString(`\v`)
		case 12:
			b.WriteString(`\f`)
		case 13:
			b.WriteString(`\r`)
		case 27:
			b.WriteString(`\e`)
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case 0x85:
			b.WriteString(`\N`)
		case 0xA0:
			b.WriteString(`\_`)
		case 0x2028:
			b.WriteString(`\L`)
		case 0x2029:
			b.WriteString(`\P`)
		default:
			if !isYAMLPrintable(r) || r == 0xFEFF {
				switch {
				case r <= 0xFF:
					b.WriteString(`\x` + hex2(int(r), 2))
				case r <= 0xFFFF:
					b.WriteString(`\u` + hex2(int(r), 4))
				default:
					b.WriteString(`\U` + hex2(int(r), 8))
				}
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

func hex2(v, width int) string {
	s := strings.ToUpper(strconv.FormatInt(int64(v), 16))
	for len(s) < width {
		s = "0" + s
	}
	return s
}

// ---------------------------------------------------------------- JSON

// encodeJSON renders planned data as KCL prints JSON (4-space indent).
func encodeJSON(v any, indent string) string {
	var b strings.Builder
	writeJSON(&b, v, indent, 0)
	return b.String()
}

func writeJSON(b *strings.Builder, v any, indent string, level int) {
	nl := func(l int) {
		if indent == "" {
			return
		}
		b.WriteByte('\n')
		b.WriteString(strings.Repeat(indent, l))
	}
	sep := ": "
	if indent == "" {
		sep = ": "
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		f := formatFloatYAML(x)
		if strings.HasPrefix(f, ".") || strings.HasPrefix(f, "-.") {
			f = "null"
		}
		// JSON writes the sign of a positive exponent (1e+20), YAML does not
		if i := strings.IndexByte(f, 'e'); i >= 0 && f[i+1] != '-' {
			f = f[:i+1] + "+" + f[i+1:]
		}
		b.WriteString(f)
	case Unit:
		b.WriteString(jsonQuote(strconv.FormatInt(x.Raw, 10) + x.Suffix))
	case string:
		b.WriteString(jsonQuote(x))
	case []any:
		if len(x) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteByte('[')
		for i, it := range x {
			if i > 0 {
				b.WriteByte(',')
				if indent == "" {
					b.WriteByte(' ')
				}
			}
			nl(level + 1)
			writeJSON(b, it, indent, level+1)
		}
		nl(level)
		b.WriteByte(']')
	case *Dict:
		if x.Len() == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteByte('{')
		for i, k := range x.keys {
			if i > 0 {
				b.WriteByte(',')
				if indent == "" {
					b.WriteByte(' ')
				}
			}
			nl(level + 1)
			b.WriteString(jsonQuote(k))
			b.WriteString(sep)
			writeJSON(b, x.valAt(i), indent, level+1)
		}
		nl(level)
		b.WriteByte('}')
	default:
		b.WriteString("null")
	}
}

func jsonQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if r < 0x20 {
				b.WriteString(`\u00` + strings.ToLower(hex2(int(r), 2)))
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
