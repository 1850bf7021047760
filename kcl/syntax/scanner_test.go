package syntax

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// scanAll renders the token stream of src compactly: operators and
// keywords as written, IDENT/INT/FLOAT/STRING as kind(lit), layout tokens
// as NL, IN+, DE-.
func scanAll(src string) (string, []Error) {
	s := newScanner("main.k", []byte(src))
	var parts []string
	for i := 0; i < 10000; i++ {
		t := s.next()
		switch t.kind {
		case EOF:
			return strings.Join(parts, " "), append(s.errs, s.parseErrs...)
		case NEWLINE:
			parts = append(parts, "NL")
		case INDENT:
			parts = append(parts, "IN+")
		case DEDENT:
			parts = append(parts, "DE-")
		case IDENT, INT, FLOAT, STRING, ILLEGAL:
			parts = append(parts, fmt.Sprintf("%s(%s)", kindName(t.kind), t.lit))
		default:
			parts = append(parts, t.kind.String())
		}
	}
	return "runaway", append(s.errs, s.parseErrs...)
}

func kindName(k Token) string {
	switch k {
	case IDENT:
		return "id"
	case INT:
		return "int"
	case FLOAT:
		return "float"
	case STRING:
		return "str"
	}
	return "bad"
}

func TestScanner(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"simple", "a = 1", "id(a) = int(1) NL"},
		{"operators", "+ - * ** / // % << >> & | ^ ~ < > <= >= == != = -> ... ? @ ; .",
			"+ - * ** / // % << >> & | ^ ~ < > <= >= == != = -> ... ? @ ; . NL"},
		{"aug assign", "+= -= *= **= /= //= %= <<= >>= &= |= ^=", "+= -= *= **= /= //= %= <<= >>= &= |= ^= NL"},
		{"keywords", "True False None Undefined import as and or not in is if elif else for schema mixin protocol check assert all any map filter lambda rule",
			"True False None Undefined import as and or not in is if elif else for schema mixin protocol check assert all any map filter lambda rule NL"},
		{"type is a soft keyword", "type", "id(type) NL"},
		{"escaped keyword", "$if $x", "id($if) id($x) NL"},
		{"unicode ident", "名前 = 1", "id(名前) = int(1) NL"},
		{"numbers", "0 42 0x1f 0o17 0b11 1.5 .5 1e3 1.5E-2 1Ki 2M 3m 1.5Gi", "int(0) int(42) int(0x1f) int(0o17) int(0b11) float(1.5) . int(5) float(1e3) float(1.5E-2) int(1Ki) int(2M) int(3m) float(1.5Gi) NL"},
		{"int then dot", "1.a", "int(1) . id(a) NL"},
		{"strings", `'a' "b" '''c''' """d""" r'e' R"f" ""`, `str('a') str("b") str('''c''') str("""d""") str(r'e') str(R"f") str("") NL`},
		{"string with escaped quote", `"a\"b"`, `str("a\"b") NL`},
		{"multiline string", "'''a\nb'''", "str('''a\nb''') NL"},
		{"indent dedent", "if a:\n    b\n    if c:\n        d\ne", "if id(a) : NL IN+ id(b) NL if id(c) : NL IN+ id(d) NL DE- DE- id(e) NL"},
		{"dedent at eof", "if a:\n    b\n", "if id(a) : NL IN+ id(b) NL DE-"},
		{"blank and comment lines keep indentation", "if a:\n    b\n\n  # c\n    d\n", "if id(a) : NL IN+ id(b) NL id(d) NL DE-"},
		{"no layout inside brackets", "a = [\n  1,\n    2\n]\nb", "id(a) = [ int(1) , int(2) ] NL id(b) NL"},
		{"continuation", "a = 1 + \\\n  2\nb", "id(a) = int(1) + int(2) NL id(b) NL"},
		{"crlf and cr", "a\r\nb\rc", "id(a) NL id(b) NL id(c) NL"},
		{"comments", "a # x\n# y\nb", "id(a) NL id(b) NL"},
		{"tabs", "if a:\n\tb\n\tc\nd", "if id(a) : NL IN+ id(b) NL id(c) NL DE- id(d) NL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := scanAll(tt.src)
			assert.Empty(t, errs)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestScannerLambdaBlock checks that a lambda body marked as a block gets
// NEWLINE/INDENT/DEDENT while the surrounding brackets do not.
func TestScannerLambdaBlock(t *testing.T) {
	s := newScanner("main.k", []byte("f = [lambda x {\n    if x:\n        y\n    z\n}, 1]\n"))
	var parts []string
	for {
		tok := s.next()
		if tok.kind == EOF {
			break
		}
		if tok.kind == LBRACE {
			s.markBlock()
		}
		switch tok.kind {
		case NEWLINE:
			parts = append(parts, "NL")
		case INDENT:
			parts = append(parts, "IN+")
		case DEDENT:
			parts = append(parts, "DE-")
		case IDENT:
			parts = append(parts, tok.lit)
		default:
			parts = append(parts, tok.kind.String())
		}
	}
	assert.Equal(t, "f = [ lambda x { if x : NL IN+ y NL DE- z NL } , integer ] NL", strings.Join(parts, " "))
}

func TestScannerErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"bang", "!", []string{"main.k:1:1: invalid character '!' (use 'not' for negation)"}},
		{"control char", "a\x01", []string{"main.k:1:2: invalid control character 0x01"}},
		{"bad utf8", "a\xff", []string{"main.k:1:2: invalid UTF-8 encoding"}},
		{"non-letter unicode", "a ✓", []string{"main.k:1:3: invalid character '✓'"}},
		{"stray backslash", "a \\ b", []string{"main.k:1:3: unexpected character after line continuation character"}},
		{"binary without digits", "0b", []string{"main.k:1:1: no valid digits found for number"}},
		{"bad suffix", "1Kb", []string{`main.k:1:2: invalid suffix "Kb" on number 1 (units are n u m k K M G T P Ki Mi Gi Ti Pi)`}},
		{"unterminated", "'abc", []string{"main.k:1:1: string literal not terminated (missing closing ')"}},
		{"unterminated triple", "\"\"\"abc\n", []string{`main.k:1:1: triple-quoted string literal not terminated (missing closing """)`}},
		{"inconsistent tabs", "if a:\n  \tb\n\t  c\n", []string{"main.k:3:1: inconsistent use of tabs and spaces in indentation"}},
		{"unindent mismatch", "if a:\n    b\n  c\n", []string{"main.k:3:3: unindent does not match any outer indentation level"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := scanAll(tt.src)
			got := make([]string, len(errs))
			for i, e := range errs {
				got[i] = e.Error()
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestInternBounded: a file of more distinct names than maxInterned interns only that many,
// and every name, keywords included, still scans as itself.
func TestInternBounded(t *testing.T) {
	var b strings.Builder
	const n = maxInterned + 100
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "a%d = 1\n", i)
	}
	b.WriteString("if True: x = 1\n")
	s := newScanner("main.k", []byte(b.String()))
	var names []string
	kinds := map[Token]int{}
	for t := s.next(); t.kind != EOF; t = s.next() {
		kinds[t.kind]++
		if t.kind == IDENT {
			names = append(names, t.lit)
		}
	}
	assert.Len(t, s.names, maxInterned)
	assert.Len(t, names, n+1)
	assert.Equal(t, fmt.Sprintf("a%d", n-1), names[n-1])
	assert.Equal(t, "x", names[n])
	assert.Equal(t, 1, kinds[IF])
	assert.Equal(t, 1, kinds[TRUE])
}
