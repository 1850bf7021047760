package kcl

import (
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

func (e *evaluator) stdModule(name string) *Module {
	m := &Module{Name: name, Path: name, Members: NewDict()}
	add := func(n string, f builtinFn) { m.Members.Set(n, &Func{Name: name + "." + n, Builtin: f}) }
	switch name {
	case "math":
		mathModule(add, m)
	case "regex":
		regexModule(add)
	case "base32":
		add("encode", func(e *evaluator, a []Value, kw *Dict) Value {
			s, _ := strArg(e, a, kw, 0, "value", "")
			return base32.StdEncoding.EncodeToString([]byte(s))
		})
		add("decode", func(e *evaluator, a []Value, kw *Dict) Value {
			// as the reference: any letter case, padding optional, and its odd answers to bad
			// input (an error naming a missing argument; None for bytes that are not UTF-8)
			s, _ := strArg(e, a, kw, 0, "value", "")
			b, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.TrimRight(strings.ToUpper(s), "="))
			if err != nil {
				e.throw(KindValue, "decode() missing 1 required positional argument: 'value'")
			}
			if !utf8.Valid(b) {
				return none
			}
			return string(b)
		})
	case "base64":
		add("encode", func(e *evaluator, a []Value, kw *Dict) Value {
			s, _ := strArg(e, a, kw, 0, "value", "")
			return base64.StdEncoding.EncodeToString([]byte(s))
		})
		add("decode", func(e *evaluator, a []Value, kw *Dict) Value {
			s, _ := strArg(e, a, kw, 0, "value", "")
			b, msg := decodeBase64(s)
			if msg != "" {
				e.throw(KindValue, "called `Result::unwrap()` on an `Err` value: %s", msg)
			}
			return string(b)
		})
	case "json":
		add("encode", func(e *evaluator, a []Value, kw *Dict) Value {
			p := planFor(e, a, kw)
			indent := arg(a, kw, 2, "indent", none)
			if n, ok := asIntStrict(indent); ok && n > 0 {
				return encodeJSON(p, strings.Repeat(" ", int(n)))
			}
			return encodeJSONCompact(p)
		})
		add("decode", func(e *evaluator, a []Value, kw *Dict) Value {
			s, _ := strArg(e, a, kw, 0, "value", "")
			v, err := jsonDecode(s)
			if err != nil {
				if msg := serdeJSONError(s); msg != "" {
					e.throw(KindValue, "%s", msg)
				}
				e.throw(KindValue, "json.decode: %v", err)
			}
			return v
		})
		add("validate", func(e *evaluator, a []Value, kw *Dict) Value {
			s, _ := strArg(e, a, kw, 0, "value", "")
			_, err := jsonDecode(s)
			return err == nil
		})
		add("dump_to_file", func(e *evaluator, a []Value, kw *Dict) Value {
			e.throw(KindEvaluation, "json.dump_to_file is not allowed: kpm never writes files while evaluating")
			return nil
		})
		add("merge", func(e *evaluator, a []Value, kw *Dict) Value {
			return jsonMergePatch(arg(a, kw, 0, "src", none), arg(a, kw, 1, "patch", none))
		})
	case "yaml":
		add("encode", func(e *evaluator, a []Value, kw *Dict) Value { return encodeYAML(planFor(e, a, kw)) })
		add("encode_all", func(e *evaluator, a []Value, kw *Dict) Value {
			l, _ := arg(a, kw, 0, "data", &List{}).(*List)
			var docs []string
			for _, it := range l.Items {
				docs = append(docs, encodeYAML(planFor(e, []Value{it}, kw)))
			}
			return strings.Join(docs, "\n---\n")
		})
		add("decode", func(e *evaluator, a []Value, kw *Dict) Value {
			s, _ := strArg(e, a, kw, 0, "value", "")
			docs, err := yamlDecodeAll(e, s)
			if err != nil {
				e.throw(KindValue, "yaml.decode: %v", err)
			}
			if len(docs) == 0 {
				return none
			}
			return docs[0]
		})
		add("decode_all", func(e *evaluator, a []Value, kw *Dict) Value {
			s, _ := strArg(e, a, kw, 0, "value", "")
			docs, err := yamlDecodeAll(e, s)
			if err != nil {
				e.throw(KindValue, "yaml.decode_all: %v", err)
			}
			return &List{Items: docs}
		})
		add("validate", func(e *evaluator, a []Value, kw *Dict) Value {
			s, _ := strArg(e, a, kw, 0, "value", "")
			_, err := yamlDecodeAll(e, s)
			return err == nil
		})
		add("dump_to_file", func(e *evaluator, a []Value, kw *Dict) Value {
			e.throw(KindEvaluation, "yaml.dump_to_file is not allowed: kpm never writes files while evaluating")
			return nil
		})
	case "manifests":
		add("yaml_stream", func(e *evaluator, a []Value, kw *Dict) Value {
			l, _ := arg(a, kw, 0, "values", &List{}).(*List)
			po := planOptions{SortKeys: e.opts.SortKeys, DisableNone: e.opts.DisableNone, ShowHidden: true}
			privateOff := false
			sep := "---"
			if o, ok := arg(a, kw, 1, "opts", none).(*Dict); ok {
				if v, ok := o.Get("sort_keys"); ok {
					po.SortKeys = truthy(v)
				}
				if v, ok := o.Get("ignore_none"); ok {
					po.DisableNone = truthy(v)
				}
				if v, ok := o.Get("sep"); ok {
					sep = toStr(v)
				}
				if v, ok := o.Get("ignore_private"); ok && truthy(v) {
					privateOff = true
				}
			}
			var docs []string
			if l != nil {
				for _, it := range l.Items {
					p, ok := plan(it, po)
					if !ok {
						continue
					}
					if privateOff {
						p = dropPrivate(p)
					}
					docs = append(docs, strings.TrimSuffix(encodeYAML(p), "\n"))
				}
			}
			out := strings.Join(docs, "\n"+sep+"\n")
			if out != "" {
				out += "\n"
			}
			e.stream = &out
			return none
		})
	case "units":
		// no to_k: the toolchain has only to_K
		for _, u := range []string{"n", "u", "m", "K", "M", "G", "T", "P", "Ki", "Mi", "Gi", "Ti", "Pi"} {
			suffix := u
			add("to_"+u, func(e *evaluator, a []Value, kw *Dict) Value {
				f, ok := toNumber(arg(a, kw, 0, "num", int64(0)))
				if !ok {
					e.throw(KindType, "units.to_%s expects a number", suffix)
				}
				return strconv.FormatInt(int64(f/unitMultiplier(suffix)), 10) + suffix
			})
		}
		for _, u := range []string{"n", "u", "m", "k", "K", "M", "G", "T", "P", "Ki", "Mi", "Gi", "Ti", "Pi"} {
			n := u
			m.Members.Set(n, int64(unitMultiplier(u)))
			if unitMultiplier(u) < 1 {
				m.Members.Set(n, unitMultiplier(u))
			}
		}
	case "datetime":
		add("today", func(e *evaluator, a []Value, kw *Dict) Value {
			return time.Now().Format("2006-01-02 15:04:05.000000")
		})
		add("now", func(e *evaluator, a []Value, kw *Dict) Value {
			t := time.Now()
			if ticks, ok := toNumber(arg(a, kw, 1, "ticks", none)); ok {
				// a given epoch in seconds instead of the current time
				t = time.Unix(0, int64(ticks*1e9))
			}
			f, ok := strArg(e, a, kw, 0, "format", none)
			if !ok {
				return t.Format("Mon Jan _2 15:04:05 2006")
			}
			return strftime(t, f)
		})
		add("ticks", func(e *evaluator, a []Value, kw *Dict) Value { return float64(time.Now().UnixNano()) / 1e9 })
		add("date", func(e *evaluator, a []Value, kw *Dict) Value { return time.Now().Format("2006-01-02 15:04:05") })
		add("validate", func(e *evaluator, a []Value, kw *Dict) Value {
			s, _ := strArg(e, a, kw, 0, "date", "")
			f, _ := strArg(e, a, kw, 1, "format", "")
			_, err := time.Parse(goLayout(f), s)
			return err == nil
		})
	case "net":
		netModule(add)
	case "file":
		e.fileModule(add)
	case "crypto":
		e.cryptoModule(add)
	case "collection":
		add("union_all", func(e *evaluator, a []Value, kw *Dict) Value {
			// declared for the checker but missing from the reference's runtime
			e.throw(KindEvaluation, "unknown kcl_collection_union_all")
			return nil
		})
	case "template":
		templateModule(add)
	case "runtime":
		add("catch", func(e *evaluator, a []Value, kw *Dict) Value {
			fn := arg(a, kw, 0, "func", none)
			return e.catch(fn)
		})
	}
	return m
}

func (e *evaluator) catch(fn Value) (res Value) {
	savePos, saveFile, saveDepth := e.pos, e.file, e.depth
	defer func() {
		if r := recover(); r != nil {
			p, ok := r.(panicErr)
			if !ok {
				panic(r)
			}
			e.pos, e.file, e.depth = savePos, saveFile, saveDepth
			res = p.err.Msg
		}
	}()
	e.callValue(fn, nil, nil)
	return none
}

func planFor(e *evaluator, a []Value, kw *Dict) any {
	v := arg(a, kw, 0, "data", none)
	// the encoders keep a schema's private attributes and __settings__ unless ignore_private
	po := planOptions{SortKeys: truthy(arg(a, kw, 1, "sort_keys", false)), ShowHidden: true}
	if truthy(arg(nil, kw, -1, "ignore_none", false)) {
		po.DisableNone = true
	}
	p, ok := plan(v, po)
	if !ok {
		return nil
	}
	if truthy(arg(nil, kw, -1, "ignore_private", false)) {
		p = dropPrivate(p)
	}
	return p
}

func dropPrivate(p any) any {
	switch x := p.(type) {
	case *Dict:
		n := NewDict()
		for _, k := range x.keys {
			if strings.HasPrefix(k, "_") {
				continue
			}
			n.Set(k, dropPrivate(x.val(k)))
		}
		return n
	case []any:
		out := make([]any, len(x))
		for i, it := range x {
			out[i] = dropPrivate(it)
		}
		return out
	}
	return p
}

func encodeJSONCompact(v any) string { return encodeJSON(v, "") }

// jsonDecode parses JSON keeping object key order.
func jsonDecode(s string) (Value, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	v, err := jsonValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("extra data after JSON value")
	}
	return v, nil
}

func jsonValue(dec *json.Decoder) (Value, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			d := NewDict()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := jsonValue(dec)
				if err != nil {
					return nil, err
				}
				d.Set(kt.(string), v)
			}
			_, err := dec.Token()
			return d, err
		case '[':
			l := &List{Items: []Value{}}
			for dec.More() {
				v, err := jsonValue(dec)
				if err != nil {
					return nil, err
				}
				l.Items = append(l.Items, v)
			}
			_, err := dec.Token()
			return l, err
		}
	case json.Number:
		if i, err := strconv.ParseInt(string(t), 10, 64); err == nil {
			return i, nil
		}
		f, err := strconv.ParseFloat(string(t), 64)
		return f, err
	case string:
		return t, nil
	case bool:
		return t, nil
	case nil:
		return none, nil
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

// yamlAliasGrowth bounds what aliases may add: a document of n bytes decodes to at most
// yamlAliasGrowth*n+yamlAliasSlack values, so nested anchors ("billion laughs") fail at once.
const (
	yamlAliasGrowth = 100
	yamlAliasSlack  = 10000
)

func yamlDecodeAll(e *evaluator, s string) ([]Value, error) {
	dec := yaml.NewDecoder(strings.NewReader(s))
	c := &yamlConverter{e: e, left: yamlAliasGrowth*int64(len(s)) + yamlAliasSlack}
	var out []Value
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		v, err := c.value(&n)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// yamlConverter turns yaml nodes into values, counting them against the alias bound and the
// evaluation budget.
type yamlConverter struct {
	e    *evaluator
	left int64
}

func (yc *yamlConverter) value(n *yaml.Node) (Value, error) {
	if yc.left--; yc.left < 0 {
		return nil, errors.New("the document expands to too many values through its aliases (nested anchors)")
	}
	yc.e.tick()
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return none, nil
		}
		return yc.value(n.Content[0])
	case yaml.AliasNode:
		return yc.value(n.Alias)
	case yaml.MappingNode:
		d := NewDict()
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Tag == "!!merge" {
				mv, err := yc.value(n.Content[i+1])
				if err != nil {
					return nil, err
				}
				if md, ok := mv.(*Dict); ok {
					for _, kk := range md.keys {
						if _, exists := d.Get(kk); !exists {
							d.Set(kk, md.val(kk))
						}
					}
				}
				continue
			}
			v, err := yc.value(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			d.Set(k.Value, v)
		}
		return d, nil
	case yaml.SequenceNode:
		l := &List{Items: []Value{}}
		for _, c := range n.Content {
			v, err := yc.value(c)
			if err != nil {
				return nil, err
			}
			l.Items = append(l.Items, v)
		}
		return l, nil
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return none, nil
		case "!!bool":
			var b bool
			if err := n.Decode(&b); err != nil {
				return nil, err
			}
			return b, nil
		case "!!int":
			var i int64
			if err := n.Decode(&i); err != nil {
				var f float64
				if err2 := n.Decode(&f); err2 != nil {
					return nil, err
				}
				return f, nil
			}
			return i, nil
		case "!!float":
			var f float64
			if err := n.Decode(&f); err != nil {
				return nil, err
			}
			return f, nil
		}
		return n.Value, nil
	}
	return none, nil
}

func mathModule(add func(string, builtinFn), m *Module) {
	// num is argument i as a float; a bool (or None, Undefined) is no number for the reference,
	// which then says the argument is missing
	num := func(e *evaluator, a []Value, kw *Dict, i int, fn string) float64 {
		v := arg(a, kw, i, "x", int64(0))
		if _, ok := v.(bool); ok {
			e.throw(KindEvaluation, "%s() takes exactly one argument (0 given)", fn)
		}
		f, ok := toNumber(v)
		if !ok {
			if isNoneOrUndef(v) {
				// the runtime reads a None or Undefined number as no argument
				e.throw(KindEvaluation, "%s() takes exactly one argument (0 given)", fn)
			}
			e.throw(KindType, "must be real number, not %s", typeName(v))
		}
		return f
	}
	f1 := func(n string, fn func(float64) float64) {
		add(n, func(e *evaluator, a []Value, kw *Dict) Value { return fn(num(e, a, kw, 0, n)) })
	}
	add("ceil", func(e *evaluator, a []Value, kw *Dict) Value {
		if i, ok := arg(a, kw, 0, "x", nil).(int64); ok {
			return i
		}
		return int64(math.Ceil(num(e, a, kw, 0, "ceil")))
	})
	add("floor", func(e *evaluator, a []Value, kw *Dict) Value {
		if i, ok := arg(a, kw, 0, "x", nil).(int64); ok {
			return i
		}
		return int64(math.Floor(num(e, a, kw, 0, "floor")))
	})
	f1("exp", math.Exp)
	f1("expm1", math.Expm1)
	// the reference's log1p(x) is ln(x + 2) and its log2 of an int an int
	f1("log1p", func(x float64) float64 { return math.Log1p(x + 1) })
	add("log2", func(e *evaluator, a []Value, kw *Dict) Value {
		r := math.Log2(num(e, a, kw, 0, "log2"))
		if _, ok := arg(a, kw, 0, "x", nil).(int64); ok {
			return floatToIntSat(r)
		}
		return r
	})
	f1("log10", math.Log10)
	f1("sqrt", math.Sqrt)
	add("log", func(e *evaluator, a []Value, kw *Dict) Value {
		// as the reference: only a float base counts, and the log of an int is an int
		r := math.Log(num(e, a, kw, 0, "log"))
		if b, ok := arg(a, kw, 1, "e", none).(float64); ok {
			r /= math.Log(b)
		}
		if _, ok := arg(a, kw, 0, "x", nil).(int64); ok {
			return floatToIntSat(r)
		}
		return r
	})
	add("pow", func(e *evaluator, a []Value, kw *Dict) Value {
		// two ints with a non-negative exponent give an int, wrapping as the toolchain's i64 does
		x, xInt := arg(a, kw, 0, "x", nil).(int64)
		y, yInt := arg(a, kw, 1, "y", nil).(int64)
		if xInt && yInt && y >= 0 {
			r := int64(1)
			for ; y > 0; y >>= 1 {
				if y&1 == 1 {
					r *= x
				}
				x *= x
			}
			return r
		}
		return math.Pow(num(e, a, kw, 0, "pow"), num(e, a, kw, 1, "pow"))
	})
	add("factorial", func(e *evaluator, a []Value, kw *Dict) Value {
		n, ok := asIntStrict(arg(a, kw, 0, "x", int64(0)))
		if !ok || n < 0 {
			e.throw(KindValue, "factorial() only accepts integral values")
		}
		r := int64(1)
		for i := int64(2); i <= n; i++ {
			r *= i
		}
		return r
	})
	add("gcd", func(e *evaluator, a []Value, kw *Dict) Value {
		x, _ := asIntStrict(arg(a, kw, 0, "a", int64(0)))
		y, _ := asIntStrict(arg(a, kw, 1, "b", int64(0)))
		if x < 0 {
			x = -x
		}
		if y < 0 {
			y = -y
		}
		for y != 0 {
			x, y = y, x%y
		}
		return x
	})
	add("isfinite", func(e *evaluator, a []Value, kw *Dict) Value {
		f := num(e, a, kw, 0, "isfinite")
		return !math.IsInf(f, 0) && !math.IsNaN(f)
	})
	add("isinf", func(e *evaluator, a []Value, kw *Dict) Value { return math.IsInf(num(e, a, kw, 0, "isinf"), 0) })
	add("isnan", func(e *evaluator, a []Value, kw *Dict) Value { return math.IsNaN(num(e, a, kw, 0, "isnan")) })
	add("modf", func(e *evaluator, a []Value, kw *Dict) Value {
		i, f := math.Modf(num(e, a, kw, 0, "modf"))
		return &List{Items: []Value{f, i}}
	})
}

func regexModule(add func(string, builtinFn)) {
	compile := func(e *evaluator, p string) *regexp.Regexp {
		re, err := regexp.Compile(p)
		if err != nil {
			if kind := fancyRegexError(err); kind != "" {
				e.throw(KindValue, "called `Result::unwrap()` on an `Err` value: %s", kind)
			}
			e.throw(KindValue, "invalid regular expression %q: %v", p, err)
		}
		return re
	}
	add("match", func(e *evaluator, a []Value, kw *Dict) Value {
		s, _ := strArg(e, a, kw, 0, "string", "")
		p, _ := strArg(e, a, kw, 1, "pattern", "")
		// a match anywhere, as the reference's regex.match
		return compile(e, p).MatchString(s)
	})
	add("search", func(e *evaluator, a []Value, kw *Dict) Value {
		s, _ := strArg(e, a, kw, 0, "string", "")
		p, _ := strArg(e, a, kw, 1, "pattern", "")
		return compile(e, p).MatchString(s)
	})
	add("compile", func(e *evaluator, a []Value, kw *Dict) Value {
		p, _ := strArg(e, a, kw, 0, "pattern", "")
		_, err := regexp.Compile(p)
		return err == nil
	})
	add("findall", func(e *evaluator, a []Value, kw *Dict) Value {
		s, _ := strArg(e, a, kw, 0, "string", "")
		p, _ := strArg(e, a, kw, 1, "pattern", "")
		re := compile(e, p)
		l := &List{Items: []Value{}}
		for _, m := range re.FindAllStringSubmatch(s, -1) {
			switch len(m) {
			case 1:
				l.Items = append(l.Items, m[0])
			case 2:
				l.Items = append(l.Items, m[1])
			default:
				t := &List{}
				for _, g := range m[1:] {
					t.Items = append(t.Items, g)
				}
				l.Items = append(l.Items, t)
			}
		}
		return l
	})
	add("replace", func(e *evaluator, a []Value, kw *Dict) Value {
		s, _ := strArg(e, a, kw, 0, "string", "")
		p, _ := strArg(e, a, kw, 1, "pattern", "")
		r, _ := strArg(e, a, kw, 2, "replace", "")
		count, _ := asIntStrict(arg(a, kw, 3, "count", int64(0)))
		re := compile(e, p)
		r = pyReplToGo(r)
		if count <= 0 {
			return re.ReplaceAllString(s, r)
		}
		n := int64(0)
		return re.ReplaceAllStringFunc(s, func(m string) string {
			if n >= count {
				return m
			}
			n++
			return re.ReplaceAllString(m, r)
		})
	})
	add("split", func(e *evaluator, a []Value, kw *Dict) Value {
		s, _ := strArg(e, a, kw, 0, "string", "")
		p, _ := strArg(e, a, kw, 1, "pattern", "")
		max, _ := asIntStrict(arg(a, kw, 2, "maxsplit", int64(0)))
		parts := compile(e, p).Split(s, -1)
		if max > 0 && int64(len(parts)) > max {
			// the reference keeps the first maxsplit parts
			parts = parts[:max]
		}
		l := &List{}
		for _, part := range parts {
			l.Items = append(l.Items, part)
		}
		return l
	})
}

func pyReplToGo(r string) string {
	var b strings.Builder
	for i := 0; i < len(r); i++ {
		if r[i] == '\\' && i+1 < len(r) && r[i+1] >= '0' && r[i+1] <= '9' {
			b.WriteString("${" + string(r[i+1]) + "}")
			i++
			continue
		}
		if r[i] == '$' {
			b.WriteString("$$")
			continue
		}
		b.WriteByte(r[i])
	}
	return b.String()
}

// readConfined reads a file inside the package root.
func (e *evaluator) readConfined(p string) []byte {
	full := e.confine(p)
	b, err := os.ReadFile(full)
	if err != nil {
		e.throw(KindEvaluation, "failed to access the file '%s': %s", p, ioErrText(err))
	}
	return b
}

// ioErrText renders a file system error as the toolchain (Rust's io::Error) does:
// "No such file or directory (os error 2)".
func ioErrText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		msg := errno.Error()
		if msg != "" {
			msg = strings.ToUpper(msg[:1]) + msg[1:]
		}
		return fmt.Sprintf("%s (os error %d)", msg, int(errno))
	}
	if u := errors.Unwrap(err); u != nil {
		return u.Error()
	}
	return err.Error()
}

// fileWriteFailure reports, with the toolchain's messages, the failures of the writing
// file functions that happen before anything is written (a missing argument, a missing
// source, an existing directory). kpm refuses the writes themselves.
func (e *evaluator) fileWriteFailure(op string, a []Value, kw *Dict) {
	switch op {
	case "write", "append":
		p, _ := strArg(e, a, kw, 0, "filepath", "")
		if p == "" {
			e.throw(KindEvaluation, "%s() requires 'filepath' argument", op)
		}
	case "cp", "mv":
		src, _ := strArg(e, a, kw, 0, "src", "")
		dest, _ := strArg(e, a, kw, 1, "dest", "")
		if _, err := os.Stat(e.confine(src)); err != nil {
			verb := map[string]string{"cp": "copy", "mv": "move"}[op]
			e.throw(KindEvaluation, "%s: failed to %s '%s' to '%s': %s", op, verb, src, dest, ioErrText(err))
		}
	case "delete":
		p, _ := strArg(e, a, kw, 0, "filepath", "")
		if _, err := os.Stat(e.confine(p)); err != nil {
			e.throw(KindEvaluation, "delete: failed to delete '%s': %s", p, ioErrText(err))
		}
	case "mkdir":
		p, _ := strArg(e, a, kw, 0, "directory", "")
		if _, err := os.Stat(e.confine(p)); err == nil {
			e.throw(KindEvaluation, "mkdir: failed to create directory '%s': %s", p, ioErrText(syscall.EEXIST))
		}
	}
}

func (e *evaluator) confine(p string) string {
	full := p
	if !filepath.IsAbs(full) {
		full = filepath.Join(e.root, p)
	}
	full = filepath.Clean(full)
	rootAbs, _ := filepath.Abs(e.root)
	rel, err := filepath.Rel(rootAbs, full)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		e.throw(KindEvaluation, "file '%s' is outside the package root", p)
	}
	if real, err := filepath.EvalSymlinks(full); err == nil {
		rootReal, _ := filepath.EvalSymlinks(rootAbs)
		rel, err := filepath.Rel(rootReal, real)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			e.throw(KindEvaluation, "file '%s' is outside the package root", p)
		}
	}
	return full
}

func (e *evaluator) fileModule(add func(string, builtinFn)) {
	add("read", func(e *evaluator, a []Value, kw *Dict) Value {
		p, _ := strArg(e, a, kw, 0, "filepath", "")
		return string(e.readConfined(p))
	})
	add("readbase64", func(e *evaluator, a []Value, kw *Dict) Value {
		p, _ := strArg(e, a, kw, 0, "filepath", "")
		return base64.StdEncoding.EncodeToString(e.readConfined(p))
	})
	add("exists", func(e *evaluator, a []Value, kw *Dict) Value {
		p, _ := strArg(e, a, kw, 0, "filepath", "")
		_, err := os.Stat(e.confine(p))
		return err == nil
	})
	add("abs", func(e *evaluator, a []Value, kw *Dict) Value {
		p, _ := strArg(e, a, kw, 0, "filepath", "")
		return e.confine(p)
	})
	add("glob", func(e *evaluator, a []Value, kw *Dict) Value {
		p, _ := strArg(e, a, kw, 0, "pattern", "")
		full := p
		if !filepath.IsAbs(full) {
			full = filepath.Join(e.root, p)
		}
		ms, _ := filepath.Glob(full)
		l := &List{Items: []Value{}}
		for _, m := range ms {
			e.confine(m)
			l.Items = append(l.Items, m)
		}
		return l
	})
	add("size", func(e *evaluator, a []Value, kw *Dict) Value {
		p, _ := strArg(e, a, kw, 0, "filepath", "")
		st, err := os.Stat(e.confine(p))
		if err != nil {
			e.throw(KindEvaluation, "size: failed to get size of '%s': %s", p, ioErrText(err))
		}
		return st.Size()
	})
	for _, name := range []string{"write", "append", "cp", "mv", "delete", "mkdir"} {
		op := name
		add(op, func(e *evaluator, a []Value, kw *Dict) Value {
			e.fileWriteFailure(op, a, kw)
			e.throw(KindEvaluation, "file.%s is not allowed: kpm never changes files while evaluating", op)
			return nil
		})
	}
	add("modpath", func(e *evaluator, a []Value, kw *Dict) Value { return e.root })
	add("workdir", func(e *evaluator, a []Value, kw *Dict) Value {
		if e.opts.WorkDir != "" {
			return e.opts.WorkDir
		}
		wd, _ := os.Getwd()
		return wd
	})
	add("current", func(e *evaluator, a []Value, kw *Dict) Value { return e.file })
	add("read_env", func(e *evaluator, a []Value, kw *Dict) Value {
		k, _ := strArg(e, a, kw, 0, "key", "")
		if v, ok := os.LookupEnv(k); ok {
			return v
		}
		return none
	})
}

func goLayout(f string) string {
	r := strings.NewReplacer("%Y", "2006", "%m", "01", "%d", "02", "%H", "15", "%M", "04", "%S", "05",
		"%y", "06", "%b", "Jan", "%B", "January", "%a", "Mon", "%A", "Monday", "%p", "PM", "%f", "000000", "%Z", "MST", "%z", "-0700", "%%", "%")
	return r.Replace(f)
}

func strftime(t time.Time, f string) string { return t.Format(goLayout(f)) }

// jsonMergePatch applies an RFC 7396 JSON Merge Patch: dicts merge recursively, a None or
// Undefined value removes the key, anything else replaces the target.
func jsonMergePatch(target, patch Value) Value {
	pd := attrsOf(patch)
	if pd == nil {
		return patch
	}
	out := NewDict()
	if td := attrsOf(target); td != nil {
		for _, k := range td.keys {
			out.Set(k, td.val(k))
		}
	}
	for _, k := range pd.keys {
		v := pd.val(k)
		if isNoneOrUndef(v) {
			out.Delete(k)
			continue
		}
		old, _ := out.Get(k)
		out.Set(k, jsonMergePatch(old, v))
	}
	return out
}

// decodeBase64 decodes standard base64 as the reference does (padding optional) and returns
// its error as Rust's base64 and UTF-8 checks name them: InvalidLength, InvalidByte(index,
// byte), InvalidLastSymbol(index, byte), Utf8Error {...}.
func decodeBase64(s string) ([]byte, string) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	pad := strings.IndexByte(s, '=')
	if pad < 0 {
		pad = len(s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '=' && strings.IndexByte(alphabet, s[i]) < 0 && (i < pad || len(s)%4 == 1) {
			return nil, fmt.Sprintf("InvalidByte(%d, %d)", i, s[i])
		}
	}
	if len(s)%4 == 1 {
		return nil, "InvalidLength"
	}
	if pad < len(s) && (pad%4 < 2 || strings.Trim(s[pad:], "=") != "") {
		return nil, fmt.Sprintf("InvalidByte(%d, %d)", pad, '=')
	}
	// the bits of the last symbol that no byte holds must be zero
	if n := pad % 4; n >= 2 {
		last := strings.IndexByte(alphabet, s[pad-1])
		if n == 2 && last&0x0F != 0 || n == 3 && last&0x03 != 0 {
			return nil, fmt.Sprintf("InvalidLastSymbol(%d, %d)", pad-1, s[pad-1])
		}
	}
	b, err := base64.RawStdEncoding.DecodeString(s[:pad])
	if err != nil {
		return nil, "InvalidLength"
	}
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			errLen := "Some(1)"
			if !utf8.FullRune(b[i:]) {
				errLen = "None"
			}
			return nil, fmt.Sprintf("Utf8Error { valid_up_to: %d, error_len: %s }", i, errLen)
		}
		i += size
	}
	return b, ""
}

// fancyRegexError names a pattern error as the reference's regex engine (fancy_regex) does, for
// the errors both engines see the same way; "" for the others.
func fancyRegexError(err error) string {
	var se *syntax.Error
	if !errors.As(err, &se) {
		return ""
	}
	switch se.Code {
	case syntax.ErrMissingParen:
		return "UnclosedOpenParen"
	case syntax.ErrUnexpectedParen:
		return "ParseError"
	case syntax.ErrMissingBracket:
		return "InvalidClass"
	case syntax.ErrMissingRepeatArgument, syntax.ErrInvalidRepeatOp:
		return "TargetNotRepeatable"
	case syntax.ErrTrailingBackslash:
		return "TrailingBackslash"
	case syntax.ErrInvalidEscape:
		if len(se.Expr) == 2 && se.Expr[1] >= '1' && se.Expr[1] <= '9' {
			return "InvalidBackref"
		}
	}
	return ""
}
