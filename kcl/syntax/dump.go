package syntax

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// Dump renders a node and its children as an indented tree, one field per
// line, with each node's span as @line:col-line:col. Nil and zero-valued
// fields are omitted. It is meant for debugging and golden tests.
func Dump(n Node) string {
	var b strings.Builder
	if n == nil {
		return "nil\n"
	}
	dumpValue(&b, reflect.ValueOf(n), 0)
	b.WriteByte('\n')
	return b.String()
}

// String renders the file's tree (see Dump).
func (f *File) String() string { return Dump(f) }

var (
	spanType  = reflect.TypeOf(Span{})
	posType   = reflect.TypeOf(Pos{})
	tokenType = reflect.TypeOf(Token(0))
)

func dumpValue(b *strings.Builder, v reflect.Value, indent int) {
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		dumpValue(b, v.Elem(), indent)
		return
	case reflect.Struct:
		t := v.Type()
		if t == posType {
			p := v.Interface().(Pos)
			b.WriteString(p.String())
			return
		}
		b.WriteString(t.Name())
		if sp := v.FieldByName("Span"); sp.IsValid() && sp.Type() == spanType {
			s := sp.Interface().(Span)
			fmt.Fprintf(b, " @%s-%s", s.From, s.To)
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if f.Name == "Span" || !f.IsExported() || f.Name == "Comments" || f.Name == "NameSpans" {
				continue
			}
			fv := v.Field(i)
			if fv.IsZero() {
				continue
			}
			b.WriteByte('\n')
			b.WriteString(strings.Repeat("  ", indent+1))
			b.WriteString(f.Name)
			b.WriteString(": ")
			dumpValue(b, fv, indent+1)
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.String {
			parts := make([]string, v.Len())
			for i := range parts {
				parts[i] = strconv.Quote(v.Index(i).String())
			}
			b.WriteString("[" + strings.Join(parts, " ") + "]")
			return
		}
		b.WriteString("[")
		for i := 0; i < v.Len(); i++ {
			b.WriteByte('\n')
			b.WriteString(strings.Repeat("  ", indent+1))
			dumpValue(b, v.Index(i), indent+1)
		}
		b.WriteString("]")
	case reflect.String:
		b.WriteString(strconv.Quote(v.String()))
	case reflect.Uint8:
		b.WriteString(strconv.QuoteRune(rune(v.Uint())))
	default:
		if v.Type() == tokenType || v.Type().Implements(reflect.TypeOf((*fmt.Stringer)(nil)).Elem()) {
			fmt.Fprintf(b, "%s", v.Interface())
			return
		}
		fmt.Fprintf(b, "%v", v.Interface())
	}
}
