package kcl

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kpm-dev/kpm/kcl/syntax"
)

var (
	addTok = syntax.ADD
	powTok = syntax.POW
	modTok = syntax.MOD
)

func strArg(e *evaluator, args []Value, kw *Dict, i int, name string, def Value) (string, bool) {
	v := arg(args, kw, i, name, def)
	if isNoneOrUndef(v) {
		return "", false
	}
	s, ok := v.(string)
	if !ok {
		e.throw(KindType, "expected str argument, got %s", typeName(v))
	}
	return s, true
}

// searchArg is the string a search method (count, find, startswith ...) looks for: None or
// Undefined there is a run-time error.
func searchArg(e *evaluator, args []Value, kw *Dict, name, method string) string {
	sub, ok := strArg(e, args, kw, 0, name, none)
	if !ok {
		e.throw(KindEvaluation, "Invalid str object in str_%s", method)
	}
	return sub
}

// substrRange is s[start:end] for the optional start/end arguments at position from, in bytes
// as the runtime counts them; ok is false when the range is empty the wrong way round
// (start past end), where searches find nothing.
func substrRange(e *evaluator, s string, args []Value, kw *Dict, from int) (sub string, start int, ok bool) {
	n := len(s)
	lo, hi := 0, n
	if v := arg(args, kw, from, "start", none); !isNoneOrUndef(v) {
		i, _ := asInt(v)
		lo = int(i)
	}
	if v := arg(args, kw, from+1, "end", none); !isNoneOrUndef(v) {
		i, _ := asInt(v)
		hi = int(i)
	}
	if hi > n {
		hi = n
	} else if hi < 0 {
		hi = max(hi+n, 0)
	}
	if lo < 0 {
		lo = max(lo+n, 0)
	}
	if lo > hi {
		return "", lo, false
	}
	return s[lo:hi], lo, true
}

func runeIndex(s string, byteIdx int) int64 {
	if byteIdx < 0 {
		return -1
	}
	return int64(utf8.RuneCountInString(s[:byteIdx]))
}

// strMethod returns the bound string method name of s, or nil.
func strMethod(s string, name string) Value {
	var f builtinFn
	switch name {
	case "capitalize":
		f = func(e *evaluator, a []Value, kw *Dict) Value {
			if s == "" {
				return s
			}
			r, size := utf8.DecodeRuneInString(s)
			return string(unicode.ToUpper(r)) + strings.ToLower(s[size:])
		}
	case "count":
		f = func(e *evaluator, a []Value, kw *Dict) Value {
			sub := searchArg(e, a, kw, "sub", name)
			t, _, ok := substrRange(e, s, a, kw, 1)
			if !ok {
				return int64(0)
			}
			if sub == "" {
				return int64(utf8.RuneCountInString(t) + 1)
			}
			return int64(strings.Count(t, sub))
		}
	case "endswith":
		f = func(e *evaluator, a []Value, kw *Dict) Value {
			t, _, inRange := substrRange(e, s, a, kw, 1)
			if !inRange {
				return false
			}
			if l, ok := arg(a, kw, 0, "suffix", "").(*List); ok {
				for _, it := range l.Items {
					if strings.HasSuffix(t, toStr(it)) {
						return true
					}
				}
				return false
			}
			sub := searchArg(e, a, kw, "suffix", name)
			return strings.HasSuffix(t, sub)
		}
	case "startswith":
		f = func(e *evaluator, a []Value, kw *Dict) Value {
			t, _, inRange := substrRange(e, s, a, kw, 1)
			if !inRange {
				return false
			}
			if l, ok := arg(a, kw, 0, "prefix", "").(*List); ok {
				for _, it := range l.Items {
					if strings.HasPrefix(t, toStr(it)) {
						return true
					}
				}
				return false
			}
			sub := searchArg(e, a, kw, "prefix", name)
			return strings.HasPrefix(t, sub)
		}
	case "find", "index", "rfind", "rindex":
		f = func(e *evaluator, a []Value, kw *Dict) Value {
			sub := searchArg(e, a, kw, "sub", name)
			t, start, ok := substrRange(e, s, a, kw, 1)
			i := -1
			if ok {
				if strings.HasPrefix(name, "r") {
					i = strings.LastIndex(t, sub)
				} else {
					i = strings.Index(t, sub)
				}
			}
			if i < 0 {
				if strings.HasSuffix(name, "index") {
					e.throw(KindValue, "substring not found")
				}
				return int64(-1)
			}
			return int64(i + start) // byte offsets, as the runtime reports them
		}
	case "format":
		f = func(e *evaluator, a []Value, kw *Dict) Value { return pyStrFormat(e, s, a, kw) }
	case "isalnum", "isalpha", "isdigit", "isspace", "islower", "isupper", "istitle":
		f = func(e *evaluator, a []Value, kw *Dict) Value { return strPredicate(s, name) }
	case "join":
		f = func(e *evaluator, a []Value, kw *Dict) Value {
			var parts []string
			e.iterate(arg(a, kw, 0, "iter", &List{}), 1, func(x, y Value) bool {
				parts = append(parts, toStr(x)) // the runtime joins str() of each item
				return true
			})
			size := int64(len(s)) * int64(len(parts))
			for _, p := range parts {
				size += int64(len(p))
			}
			e.reserve(size)
			return strings.Join(parts, s)
		}
	case "lower":
		f = func(e *evaluator, a []Value, kw *Dict) Value { return strings.ToLower(s) }
	case "upper":
		f = func(e *evaluator, a []Value, kw *Dict) Value { return fullUpper(s) }
	case "title":
		f = func(e *evaluator, a []Value, kw *Dict) Value { return pyTitle(s) }
	case "strip", "lstrip", "rstrip":
		f = func(e *evaluator, a []Value, kw *Dict) Value {
			chars, ok := strArg(e, a, kw, 0, "chars", none)
			if !ok {
				switch name {
				case "strip":
					return strings.TrimSpace(s)
				case "lstrip":
					return strings.TrimLeftFunc(s, unicode.IsSpace)
				}
				return strings.TrimRightFunc(s, unicode.IsSpace)
			}
			switch name {
			case "strip":
				return strings.Trim(s, chars)
			case "lstrip":
				return strings.TrimLeft(s, chars)
			}
			return strings.TrimRight(s, chars)
		}
	case "removeprefix":
		f = func(e *evaluator, a []Value, kw *Dict) Value {
			p, _ := strArg(e, a, kw, 0, "prefix", "")
			return strings.TrimPrefix(s, p)
		}
	case "removesuffix":
		f = func(e *evaluator, a []Value, kw *Dict) Value {
			p, _ := strArg(e, a, kw, 0, "suffix", "")
			return strings.TrimSuffix(s, p)
		}
	case "replace":
		f = func(e *evaluator, a []Value, kw *Dict) Value {
			old, _ := strArg(e, a, kw, 0, "old", "")
			nw, _ := strArg(e, a, kw, 1, "new", "")
			n := int64(-1)
			if c, ok := asIntStrict(arg(a, kw, 2, "count", int64(-1))); ok {
				n = c
			}
			if grow := int64(len(nw) - len(old)); grow > 0 {
				count := int64(strings.Count(s, old))
				if n >= 0 && n < count {
					count = n
				}
				e.reserveItems(count, grow)
			}
			return strings.Replace(s, old, nw, int(n))
		}
	case "split", "rsplit":
		f = func(e *evaluator, a []Value, kw *Dict) Value {
			sep, hasSep := strArg(e, a, kw, 0, "sep", none)
			maxv, _ := asIntStrict(arg(a, kw, 1, "maxsplit", int64(-1)))
			var parts []string
			if !hasSep {
				parts = splitWhitespace(s, int(maxv), name == "rsplit")
			} else {
				if sep == "" {
					e.throw(KindValue, "empty separator")
				}
				if name == "rsplit" && maxv >= 0 {
					parts = rsplitN(s, sep, int(maxv))
				} else if maxv >= 0 {
					parts = strings.SplitN(s, sep, int(maxv)+1)
				} else {
					parts = strings.Split(s, sep)
				}
			}
			l := &List{Items: make([]Value, len(parts))}
			for i, p := range parts {
				l.Items[i] = p
			}
			return l
		}
	case "splitlines":
		f = func(e *evaluator, a []Value, kw *Dict) Value {
			keep := truthy(arg(a, kw, 0, "keepends", false))
			l := &List{}
			rest := s
			for rest != "" {
				i := strings.IndexAny(rest, "\n\r")
				if i < 0 {
					l.Items = append(l.Items, rest)
					break
				}
				end := i + 1
				if rest[i] == '\r' && i+1 < len(rest) && rest[i+1] == '\n' {
					end = i + 2
				}
				if keep {
					l.Items = append(l.Items, rest[:end])
				} else {
					l.Items = append(l.Items, rest[:i])
				}
				rest = rest[end:]
			}
			return l
		}
	case "chars":
		f = func(e *evaluator, a []Value, kw *Dict) Value {
			l := &List{}
			for _, r := range s {
				l.Items = append(l.Items, string(r))
			}
			return l
		}
	default:
		return nil
	}
	return &Func{Name: name, Builtin: f}
}

func splitWhitespace(s string, maxsplit int, fromRight bool) []string {
	if maxsplit < 0 {
		f := strings.Fields(s)
		if f == nil {
			return []string{}
		}
		return f
	}
	if fromRight {
		var out []string
		rest := strings.TrimRightFunc(s, unicode.IsSpace)
		for len(out) < maxsplit && rest != "" {
			i := strings.LastIndexFunc(rest, unicode.IsSpace)
			if i < 0 {
				break
			}
			out = append([]string{rest[i+1:]}, out...)
			rest = strings.TrimRightFunc(rest[:i], unicode.IsSpace)
		}
		if rest != "" {
			out = append([]string{rest}, out...)
		}
		return out
	}
	var out []string
	rest := strings.TrimLeftFunc(s, unicode.IsSpace)
	for len(out) < maxsplit && rest != "" {
		i := strings.IndexFunc(rest, unicode.IsSpace)
		if i < 0 {
			break
		}
		out = append(out, rest[:i])
		rest = strings.TrimLeftFunc(rest[i:], unicode.IsSpace)
	}
	if rest != "" {
		out = append(out, rest)
	}
	return out
}

func rsplitN(s, sep string, n int) []string {
	var out []string
	for len(out) < n {
		i := strings.LastIndex(s, sep)
		if i < 0 {
			break
		}
		out = append([]string{s[i+len(sep):]}, out...)
		s = s[:i]
	}
	return append([]string{s}, out...)
}

func strPredicate(s, name string) bool {
	if s == "" {
		return false
	}
	switch name {
	case "isalnum":
		for _, r := range s {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return false
			}
		}
	case "isalpha":
		for _, r := range s {
			if !unicode.IsLetter(r) {
				return false
			}
		}
	case "isdigit":
		// ASCII digits and the superscript digits, as the runtime accepts
		for _, r := range s {
			if !(r >= '0' && r <= '9') && !strings.ContainsRune("⁰¹²³⁴⁵⁶⁷⁸⁹", r) {
				return false
			}
		}
	case "isspace":
		for _, r := range s {
			if !unicode.IsSpace(r) {
				return false
			}
		}
	case "islower", "isupper":
		cased := false
		for _, r := range s {
			if unicode.IsUpper(r) || unicode.IsTitle(r) {
				if name == "islower" {
					return false
				}
				cased = true
			} else if unicode.IsLower(r) {
				if name == "isupper" {
					return false
				}
				cased = true
			}
		}
		return cased
	case "istitle":
		return pyTitle(s) == s && strings.IndexFunc(s, unicode.IsLetter) >= 0
	}
	return true
}

func pyTitle(s string) string {
	var b strings.Builder
	prevCased := false
	for _, r := range s {
		if unicode.IsLetter(r) {
			if prevCased {
				b.WriteRune(unicode.ToLower(r))
			} else {
				b.WriteRune(unicode.ToTitle(r))
			}
			prevCased = true
		} else {
			b.WriteRune(r)
			prevCased = false
		}
	}
	return b.String()
}

// pyStrFormat implements str.format: {} {0} {name} {name.attr} {0[key]} and format specs.
func pyStrFormat(e *evaluator, s string, args []Value, kw *Dict) string {
	var b strings.Builder
	auto := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '{' {
			if i+1 < len(s) && s[i+1] == '{' {
				b.WriteByte('{')
				i++
				continue
			}
			j := strings.IndexByte(s[i:], '}')
			if j < 0 {
				e.throw(KindValue, "Single '{' encountered in format string")
			}
			field := s[i+1 : i+j]
			i += j
			spec := ""
			if k := strings.IndexByte(field, ':'); k >= 0 {
				field, spec = field[:k], field[k+1:]
			}
			conv := ""
			if k := strings.IndexByte(field, '!'); k >= 0 {
				field, conv = field[:k], field[k+1:]
			}
			name := field
			rest := ""
			if k := strings.IndexAny(field, ".["); k >= 0 {
				name, rest = field[:k], field[k:]
			}
			var v Value
			if name == "" {
				v = arg(args, nil, auto, "", none)
				auto++
			} else if n, err := strconv.Atoi(name); err == nil {
				v = arg(args, nil, n, "", none)
			} else {
				v = arg(nil, kw, -1, name, none)
			}
			for rest != "" {
				if rest[0] == '.' {
					k := strings.IndexAny(rest[1:], ".[")
					attr := rest[1:]
					if k >= 0 {
						attr = rest[1 : k+1]
						rest = rest[k+1:]
					} else {
						rest = ""
					}
					v = e.getAttr(v, attr)
				} else {
					k := strings.IndexByte(rest, ']')
					key := rest[1:k]
					rest = rest[k+1:]
					if n, err := strconv.Atoi(key); err == nil {
						if _, isList := v.(*List); isList {
							v = e.index(v, int64(n))
							continue
						}
					}
					v = e.index(v, key)
				}
			}
			if conv == "r" {
				v = reprValue(v, false) // the reference's !r quotes nothing
			}
			b.WriteString(pyFormatValue(e, v, spec))
			continue
		}
		if c == '}' && i+1 < len(s) && s[i+1] == '}' {
			b.WriteByte('}')
			i++
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// pyFormatValue applies a Python format spec [[fill]align][sign][#][0][width][,][.precision][type].
func pyFormatValue(e *evaluator, v Value, spec string) string {
	if spec == "" {
		return toStr(v)
	}
	fill, align := " ", byte(0)
	rs := []rune(spec)
	i := 0
	if len(rs) >= 2 && strings.ContainsRune("<>^=", rs[1]) {
		fill, align = string(rs[0]), byte(rs[1])
		i = 2
	} else if len(rs) >= 1 && strings.ContainsRune("<>^=", rs[0]) {
		align = byte(rs[0])
		i = 1
	}
	sign := byte('-')
	if i < len(rs) && strings.ContainsRune("+- ", rs[i]) {
		sign = byte(rs[i])
		i++
	}
	alt := false
	if i < len(rs) && rs[i] == '#' {
		alt = true
		i++
	}
	if i < len(rs) && rs[i] == '0' {
		if align == 0 {
			fill, align = "0", '='
		}
		i++
	}
	width := 0
	for i < len(rs) && rs[i] >= '0' && rs[i] <= '9' {
		width = width*10 + int(rs[i]-'0')
		i++
	}
	comma := false
	if i < len(rs) && (rs[i] == ',' || rs[i] == '_') {
		comma = true
		i++
	}
	prec := -1
	if i < len(rs) && rs[i] == '.' {
		i++
		prec = 0
		for i < len(rs) && rs[i] >= '0' && rs[i] <= '9' {
			prec = prec*10 + int(rs[i]-'0')
			i++
		}
	}
	typ := byte(0)
	if i < len(rs) {
		typ = byte(rs[i])
	}
	var body string
	neg := false
	numeric := false
	switch x := v.(type) {
	case int64, bool, float64:
		numeric = true
		f, _ := toNumber(x)
		iv, isInt := asIntStrict(x)
		if isInt && (typ == 0 || typ == 'd' || typ == 'x' || typ == 'X' || typ == 'o' || typ == 'b' || typ == 'n' || typ == 'c') {
			if iv < 0 {
				neg, iv = true, -iv
			}
			switch typ {
			case 'x':
				body = strconv.FormatInt(iv, 16)
				if alt {
					body = "0x" + body
				}
			case 'X':
				body = strings.ToUpper(strconv.FormatInt(iv, 16))
				if alt {
					body = "0X" + body
				}
			case 'o':
				body = strconv.FormatInt(iv, 8)
				if alt {
					body = "0o" + body
				}
			case 'b':
				body = strconv.FormatInt(iv, 2)
				if alt {
					body = "0b" + body
				}
			case 'c':
				body = string(rune(iv))
			default:
				body = strconv.FormatInt(iv, 10)
				if comma {
					body = groupThousands(body)
				}
			}
		} else {
			if f < 0 || (f == 0 && math.Signbit(f)) {
				neg, f = true, -f
			}
			switch typ {
			case 'f', 'F':
				if prec < 0 {
					prec = 6
				}
				body = strconv.FormatFloat(f, 'f', prec, 64)
			case 'e', 'E':
				if prec < 0 {
					prec = 6
				}
				body = strconv.FormatFloat(f, 'e', prec, 64)
				body = fixExp(body)
				if typ == 'E' {
					body = strings.ToUpper(body)
				}
			case '%':
				if prec < 0 {
					prec = 6
				}
				body = strconv.FormatFloat(f*100, 'f', prec, 64) + "%"
			case 'g', 'G':
				if prec < 0 {
					prec = 6
				}
				if prec == 0 {
					prec = 1
				}
				body = strconv.FormatFloat(f, 'g', prec, 64)
				body = fixExp(body)
			default:
				if prec >= 0 {
					body = strconv.FormatFloat(f, 'g', prec, 64)
					body = fixExp(body)
				} else {
					body = formatFloatPy(f)
				}
			}
			if comma {
				ip, fp, hasDot := strings.Cut(body, ".")
				body = groupThousands(ip)
				if hasDot {
					body += "." + fp
				}
			}
		}
	default:
		body = toStr(v)
		if prec >= 0 && utf8.RuneCountInString(body) > prec {
			body = string([]rune(body)[:prec])
		}
	}
	signStr := ""
	if numeric {
		if neg {
			signStr = "-"
		} else if sign == '+' {
			signStr = "+"
		} else if sign == ' ' {
			signStr = " "
		}
	}
	if align == 0 {
		if numeric {
			align = '>'
		} else {
			align = '<'
		}
	}
	n := utf8.RuneCountInString(body) + len(signStr)
	if n >= width {
		return signStr + body
	}
	pad := width - n
	switch align {
	case '<':
		return signStr + body + e.repeat(fill, int64(pad))
	case '>':
		return e.repeat(fill, int64(pad)) + signStr + body
	case '^':
		l := pad / 2
		return e.repeat(fill, int64(l)) + signStr + body + e.repeat(fill, int64(pad-l))
	default:
		return signStr + e.repeat(fill, int64(pad)) + body
	}
}

func fixExp(s string) string {
	i := strings.IndexAny(s, "eE")
	if i < 0 {
		return s
	}
	mant, exp := s[:i+1], s[i+1:]
	sign := "+"
	if exp[0] == '-' || exp[0] == '+' {
		sign, exp = exp[:1], exp[1:]
	}
	if len(exp) < 2 {
		exp = "0" + exp
	}
	return mant + sign + exp
}

func groupThousands(s string) string {
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// specialUpper holds the characters whose upper case is several characters (Unicode
// SpecialCasing), which Rust's to_uppercase applies and Go's ToUpper does not.
var specialUpper = strings.NewReplacer("ß", "SS", "ﬀ", "FF", "ﬁ", "FI", "ﬂ", "FL", "ﬃ", "FFI", "ﬄ", "FFL", "ﬅ", "ST", "ﬆ", "ST", "ŉ", "ʼN")

func fullUpper(s string) string { return strings.ToUpper(specialUpper.Replace(s)) }
