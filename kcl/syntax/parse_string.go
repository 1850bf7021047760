package syntax

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

func parseInt(raw string) (int64, error) {
	base := 10
	digits := raw
	if len(raw) > 1 && raw[0] == '0' {
		switch raw[1] {
		case 'x':
			base, digits = 16, raw[2:]
		case 'o':
			base, digits = 8, raw[2:]
		case 'b':
			base, digits = 2, raw[2:]
		case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			base, digits = 8, raw[1:] // 017: octal, as in C and Go
		}
	}
	digits = strings.ReplaceAll(digits, "_", "")
	v, err := strconv.ParseUint(digits, base, 64)
	if err != nil || v > 1<<63-1 {
		return 0, fmt.Errorf("integer literal %s is too large (integers are 64-bit)", raw)
	}
	return int64(v), nil
}

func parseFloat(raw string) (float64, error) {
	v, err := strconv.ParseFloat(strings.ReplaceAll(raw, "_", ""), 64)
	if err != nil {
		return v, fmt.Errorf("float literal %s is out of range", raw)
	}
	return v, nil
}

// posAfter returns the position of byte offset off, which lies after from
// (a position in the same source), counting the line breaks in between.
func (p *parser) posAfter(from Pos, off int) Pos {
	line, col := from.Line, from.Col
	if off > len(p.src) {
		off = len(p.src)
	}
	for i := int(from.Offset); i < off; i++ {
		c := p.src[i]
		if c == '\n' || c == '\r' && (i+1 >= len(p.src) || p.src[i+1] != '\n') {
			line++
			col = 1
			continue
		}
		col++
	}
	return Pos{Offset: int32(off), Line: line, Col: col}
}

// parseStringTok turns a STRING token into a *StringLit, or a
// *JoinedString when it contains ${...} interpolation. It does not advance.
func (p *parser) parseStringTok(t token) Expr {
	lit := t.lit
	i := 0
	raw := false
	if lit != "" && (lit[0] == 'r' || lit[0] == 'R') {
		raw, i = true, 1
	}
	if len(lit) < i+2 {
		return &BadExpr{Span: Span{t.pos, t.end}}
	}
	q := lit[i]
	long := len(lit)-i >= 6 && lit[i+1] == q && lit[i+2] == q
	qn := 1
	if long {
		qn = 3
	}
	body := lit[i+qn : len(lit)-qn]
	bodyOff := int(t.pos.Offset) + i + qn
	sp := Span{From: t.pos, To: t.end}
	if raw || strings.IndexByte(body, '\\') < 0 && strings.IndexByte(body, '$') < 0 {
		// nothing to decode
		return &StringLit{Span: sp, Value: body, Raw: lit, IsLong: long, IsRaw: raw, Quote: q}
	}

	var parts []Expr
	var b strings.Builder
	cur := t.pos // running position: offsets are requested in increasing order
	at := func(off int) Pos {
		if off < int(cur.Offset) {
			cur = t.pos
		}
		cur = p.posAfter(cur, off)
		return cur
	}
	segStart := 0    // body offset where the current literal segment starts
	plainUntil := -1 // `\${…}` is text up to its '}', as in the toolchain
	flush := func(end int) {
		if b.Len() > 0 {
			from := at(bodyOff + segStart)
			to := at(bodyOff + end)
			parts = append(parts, &StringLit{Span: Span{from, to}, Value: b.String(), IsLong: long, Quote: q})
			b.Reset()
		}
	}
	for j := 0; j < len(body); {
		c := body[j]
		switch {
		case c == '\\' && j+2 < len(body) && body[j+1] == '$' && body[j+2] == '{' && j > plainUntil:
			// `\${a}` is the text ${a}
			plainUntil = len(body)
			if k := strings.IndexByte(body[j+3:], '}'); k >= 0 {
				plainUntil = j + 3 + k
			}
			b.WriteByte('$')
			j += 2
			continue
		case c == '\\' && j+1 < len(body):
			n := p.escape(body, j, &b, at, bodyOff)
			j += n
			continue
		case c == '$' && j+1 < len(body) && body[j+1] == '{' && j > plainUntil:
			end, colon := interpolationEnd(body, j+2)
			if end < 0 {
				pos := at(bodyOff + j)
				if sameQuoteInside(body[j+2:], t, p.src) {
					p.errorAt(pos, pos, "unterminated string interpolation: the string ends at the %c inside '${…}'; a string in an interpolation must use the other quote character, as in %s", q, otherQuoteExample(q))
				} else {
					p.errorAt(pos, pos, "unterminated string interpolation: '${' has no matching '}'")
				}
				b.WriteString(body[j:])
				j = len(body)
				continue
			}
			flush(j)
			exprEnd := end
			spec := ""
			if colon >= 0 {
				exprEnd = colon
				spec = strings.TrimSpace(body[colon+1 : end])
			}
			from := at(bodyOff + j)
			x := p.parseInterpolation(from, bodyOff+j+2, bodyOff+exprEnd)
			if colon >= 0 {
				// KCL format specs are `#json` and `#yaml` (any case)
				pos := at(bodyOff + colon + 1)
				switch ls := strings.ToLower(spec); {
				case !strings.HasPrefix(spec, "#"):
					p.errorAt(pos, pos, "invalid format spec %q in string interpolation: it starts with '#', as in ${x: #json} or ${x: #yaml}", spec)
				case ls != "#json" && ls != "#yaml":
					p.errorAt(pos, pos, "invalid format spec %q in string interpolation: want #json or #yaml", spec)
				}
			}
			to := at(bodyOff + end + 1)
			parts = append(parts, &FormattedValue{Span: Span{from, to}, Value: x, FormatSpec: spec})
			j = end + 1
			segStart = j
			continue
		}
		b.WriteByte(c)
		j++
	}
	if parts == nil {
		return &StringLit{Span: sp, Value: b.String(), Raw: lit, IsLong: long, Quote: q}
	}
	flush(len(body))
	return &JoinedString{Span: sp, Parts: parts, Raw: lit, IsLong: long, Quote: q}
}

// sameQuoteInside reports whether an unterminated interpolation (rest is
// the string body after its '${') was most likely cut by a string using
// the same quote character as the enclosing string, as in "${d["k"]}": the
// interpolation has an unclosed bracket or nothing at all, and the string
// token is directly followed by more text.
func sameQuoteInside(rest string, t token, src []byte) bool {
	if int(t.end.Offset) >= len(src) {
		return false
	}
	switch src[t.end.Offset] {
	case ' ', '\t', '\r', '\n', ',', ')', ']', '}', ';', '#':
		return false
	}
	depth := 0
	for i := 0; i < len(rest); i++ {
		switch rest[i] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		}
	}
	return depth > 0 || strings.TrimSpace(rest) == ""
}

func otherQuoteExample(q byte) string {
	if q == '\'' {
		return `'${d["k"]}'`
	}
	return `"${d['k']}"`
}

// interpolationEnd finds the '}' closing an interpolation whose expression
// starts at body[start]: the first one, as in the toolchain ("${{a = 1}}" is an error), and the
// offset of a top-level ':' introducing a format spec (-1 when absent). It returns end -1 when
// there is none.
func interpolationEnd(body string, start int) (end, colon int) {
	end = strings.IndexByte(body[start:], '}')
	if end < 0 {
		return -1, -1
	}
	end += start
	depth := 0
	colon = -1
	for j := start; j < end; j++ {
		switch c := body[j]; c {
		case '(', '[':
			depth++
		case ')', ']':
			if depth > 0 {
				depth--
			}
		case ':':
			if depth == 0 && colon < 0 {
				colon = j
			}
		case '\'', '"':
			k := j + 1
			for k < len(body) && body[k] != c && body[k] != '\n' {
				if body[k] == '\\' {
					k++
				}
				k++
			}
			j = k
		}
	}
	return end, colon
}

// parseInterpolation parses the expression in src[start:end] (absolute offsets).
func (p *parser) parseInterpolation(dollar Pos, start, end int) Expr {
	from := p.posAfter(dollar, start)
	if strings.TrimSpace(string(p.src[start:end])) == "" {
		p.errorAt(dollar, from, "empty string interpolation '${}'")
		return &BadExpr{Span: Span{from, from}}
	}
	s := &scanner{
		filename:    p.filename,
		src:         p.src[:end],
		off:         start,
		line:        int(from.Line),
		lineOff:     start - int(from.Col-1),
		lastKind:    LPAREN,
		atLineStart: false,
		names:       p.s.names, // share interned names with the file's scanner
	}
	s.ctx = []scanCtx{{block: true, baseSet: true, indents: []string{""}}, {closer: 0}}
	sub := &parser{filename: p.filename, src: p.src, s: s, depth: p.depth + 1}
	sub.next()
	x := sub.parseTest()
	for sub.tok.kind == NEWLINE {
		sub.next()
	}
	if sub.tok.kind != EOF {
		sub.errorAt(sub.tok.pos, sub.tok.end, "unexpected %s in string interpolation", describe(sub.tok))
	}
	errs := tokensFirst(s.errs, append(s.parseErrs, sub.errs...))
	if len(errs) > 0 && !p.quiet {
		p.errs = append(p.errs, errs[0])
		p.quiet = true
	}
	return x
}

// escape decodes the escape sequence at body[j] ('\\') into b and returns
// the number of bytes consumed.
func (p *parser) escape(body string, j int, b *strings.Builder, at func(int) Pos, bodyOff int) int {
	c := body[j+1]
	switch c {
	case '\n':
		return 2
	case '\r':
		if j+2 < len(body) && body[j+2] == '\n' {
			return 3
		}
		return 2
	case '\\', '\'', '"':
		b.WriteByte(c)
	case 'a':
		b.WriteByte('\a')
	case 'b':
		b.WriteByte('\b')
	case 'f':
		b.WriteByte('\f')
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case 't':
		b.WriteByte('\t')
	case 'v':
		b.WriteByte('\v')
	case '$':
		b.WriteByte('$')
	case '0', '1', '2', '3', '4', '5', '6', '7':
		// up to three octal digits: the code point U+0000 to U+01FF
		n, v := 1, int(c-'0')
		for n < 3 && j+1+n < len(body) && body[j+1+n] >= '0' && body[j+1+n] <= '7' {
			v = v*8 + int(body[j+1+n]-'0')
			n++
		}
		b.WriteRune(rune(v))
		return 1 + n
	case 'N':
		// \N{NAME}: a Unicode character by name
		pos := at(bodyOff + j)
		end := -1
		if j+2 < len(body) && body[j+2] == '{' {
			end = strings.IndexByte(body[j+3:], '}')
		}
		if end < 0 {
			p.errorAt(pos, pos, "invalid escape \\N: want a Unicode character name in braces, as in \\N{EM DASH}")
			b.WriteString(body[j : j+2])
			return 2
		}
		name := body[j+3 : j+3+end]
		r, ok := lookupRuneName(name)
		if !ok {
			p.errorAt(pos, pos, "unknown Unicode character name %q in \\N{...}", name)
			b.WriteString(body[j : j+4+end])
		} else {
			b.WriteRune(r)
		}
		return 4 + end
	case 'x', 'u', 'U':
		want := map[byte]int{'x': 2, 'u': 4, 'U': 8}[c]
		v, ok := 0, true
		for k := 0; k < want; k++ {
			if j+2+k >= len(body) {
				ok = false
				break
			}
			h := body[j+2+k]
			d := hexVal(h)
			if d < 0 {
				ok = false
				break
			}
			v = v*16 + d
		}
		pos := at(bodyOff + j)
		if !ok {
			p.errorAt(pos, pos, "invalid escape \\%c: want %d hexadecimal digits", c, want)
			b.WriteString(body[j : j+2])
			return 2
		}
		switch {
		case v > utf8.MaxRune:
			p.errorAt(pos, pos, "escape %s is not a valid Unicode code point", body[j:j+2+want])
		case v >= 0xD800 && v < 0xE000:
			b.WriteRune(utf8.RuneError) // a lone surrogate, as KCL does
		default:
			b.WriteRune(rune(v)) // \xhh is the code point U+00hh
		}
		return 2 + want
	default:
		// unknown escapes are kept as written (\d stays \d)
		b.WriteByte('\\')
		return 1
	}
	return 2
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
