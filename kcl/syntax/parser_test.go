package syntax

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// parseOK parses src and fails the test on any error.
func parseOK(t *testing.T, src string) *File {
	t.Helper()
	f, errs := ParseFile("main.k", []byte(src))
	require.Empty(t, errs, "source:\n%s", src)
	require.NotNil(t, f)
	return f
}

// assignedValue parses "x = src" without errors and returns the file and the value assigned.
func assignedValue(t *testing.T, src string) (*File, Expr) {
	t.Helper()
	f := parseOK(t, "x = "+src+"\n")
	require.Len(t, f.Body, 1)
	as, ok := f.Body[0].(*AssignStmt)
	require.True(t, ok, "got %T", f.Body[0])
	return f, as.Value
}

// parseCase is a source and the s-expression of the tree it parses to.
type parseCase struct{ name, src, want string }

// checkParses parses every case without errors, compares its tree and checks that the
// printed tree parses back to the same one.
func checkParses(t *testing.T, tests []parseCase) {
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := parseOK(t, tt.src)
			assert.Equal(t, tt.want, sx(f))
			roundTrip(t, f)
		})
	}
}

// errorTexts returns the errors ParseFile reports for src as main.k.
func errorTexts(src string) []string {
	_, errs := ParseFile("main.k", []byte(src))
	got := make([]string, len(errs))
	for i, e := range errs {
		got[i] = e.Error()
	}
	return got
}

func TestParseExpressions(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"int", "1", "1"},
		{"hex oct bin", "[0xFF, 0o17, 0b101]", "[0xFF 0o17 0b101]"},
		{"float", "1.5e-3", "1.5e-3"},
		{"unit suffixes", "[1Ki, 2Mi, 3Gi, 4Ti, 5Pi, 1n, 1u, 1m, 1k, 1K, 1M, 1G, 1T, 1P]", "[1Ki 2Mi 3Gi 4Ti 5Pi 1n 1u 1m 1k 1K 1M 1G 1T 1P]"},
		{"float with unit", "1.5Gi", "1.5Gi"},
		{"constants", "[True, False, None, Undefined]", "[True False None Undefined]"},
		{"add mul precedence", "1 + 2 * 3", "(+ 1 (* 2 3))"},
		{"left assoc", "1 - 2 - 3", "(- (- 1 2) 3)"},
		{"pow left assoc", "2 ** 3 ** 2", "(** (** 2 3) 2)"},
		{"unary binds tighter than pow", "-2 ** 2", "(** (- 2) 2)"},
		{"pow with unary exponent", "2 ** -1", "(** 2 (- 1))"},
		{"floor div mod", "7 // 2 % 3", "(% (// 7 2) 3)"},
		{"shift vs add", "1 << 2 + 3", "(<< 1 (+ 2 3))"},
		{"bitwise order", "a | b ^ c & d", "(| a (^ b (& c d)))"},
		{"invert", "~a", "(~ a)"},
		{"comparison below bitor", "a | b == c", "(cmp (| a b) == c)"},
		{"chained comparison", "1 < a <= 3", "(cmp 1 < a <= 3)"},
		{"in not in", "a in b and c not in d", "(and (cmp a in b) (cmp c not in d))"},
		{"is is not", "a is None or b is not None", "(or (cmp a is None) (cmp b is not None))"},
		{"not binds tighter than comparison", "not a == b", "(cmp (not a) == b)"},
		{"and binds tighter than or", "a or b and c", "(or a (and b c))"},
		{"ternary", "a if c else b", "(? c a b)"},
		{"as conversion", "_foo as Foo", "(as _foo Foo)"},
		{"as binds looser than or, tighter than if", "a or b as pkg.T | None if c else d as [int]", "(? c (as (or a b) (pkg.T|lit:None)) (as d [int]))"},
		{"nested ternary", "a if c else b if d else e", "(? c a (? d b e))"},
		{"ternary with or", "a or b if c or d else e", "(? (or c d) (or a b) e)"},
		{"dotted ident", "a.b.c", "a.b.c"},
		{"selector on call", "f().b.c", "(. (. (call f ) b) c)"},
		{"none-safe selector", "a?.b?.c", "(?. (?. a b) c)"},
		{"none-safe index", "a?[0]", "(?[] a 0)"},
		{"index", "a[0][b]", "([] ([] a 0) b)"},
		{"slices", "[a[1:2], a[::2], a[:], a[1:], a[:-1:]]", "[([] a 1:2:_) ([] a _:_:2) ([] a _:_:_) ([] a 1:_:_) ([] a _:(- 1):_)]"},
		{"call args", "f(1, *xs, k=2, **kw)", "(call f 1 *xs **kw k=2)"},
		{"call trailing comma", "f(\n  1,\n  2,\n)", "(call f 1 2)"},
		{"call arguments on one line need no comma, as in the toolchain", "f(1 not not x)", "(call f 1 (not not) x)"},
		{"list items and config entries on one line need no comma", "[1 2 {a = 1 b}]", "[1 2 {a = 1, b : b}]"},
		{"paren", "(1 + 2) * 3", "(* (paren (+ 1 2)) 3)"},
		{"list", "[1, 2, 3,]", "[1 2 3]"},
		{"empty list and config", "[[], {}]", "[[] {}]"},
		{"list newline separated", "[\n  1\n  2\n]", "[1 2]"},
		{"list unpack", "[*a, *b]", "[*a *b]"},
		{"list if item", "[1, if c: 2]", "[1 (if c 2)]"},
		{"list if elif else", "[if a: 1 elif b: 2 else: 3]", "[(if a 1 else (if b 2 else [3]))]"},
		{"list if multiline", "[\n  if a:\n    1\n    2\n  3\n]", "[(if a 1 2) 3]"},
		{"list comp", "[x * 2 for x in xs if x > 0]", "[(* x 2) for x in xs if (cmp x > 0)]"},
		{"list comp two vars and clauses", "[v for k, v in d for w in v if w and k]", "[v for k,v in d for w in v if (and w k)]"},
		{"list comp multiline", "[\n  x\n  for x in xs\n  if x\n]", "[x for x in xs if x]"},
		{"config ops", "{a: 1, b = 2, c += [3]}", "{a : 1, b = 2, c += [3]}"},
		{"config string and dotted keys", "{\"d.e\": 4, f.g.h = 5}", "{\"d.e\" : 4, f.g.h = 5}"},
		{"config newline separated", "{\n  a = 1\n  b = 2\n}", "{a = 1, b = 2}"},
		{"config unpack", "{**base, a = 1}", "{**base, a = 1}"},
		{"config shorthand", "{name, age = 18, kind\n}", "{name : name, age = 18, kind : kind}"},
		{"config if", "{if x: f = 5}", "{(if x f = 5)}"},
		{"config if elif else", "{if a: x = 1 elif b: x = 2 else: x = 3}", "{(if a x = 1 else (if b x = 2 else {x = 3}))}"},
		{"config if block", "{\n  if a:\n    x = 1\n    y = 2\n  z = 3\n}", "{(if a x = 1, y = 2), z = 3}"},
		{"config if block else", "{\n  if a:\n    x = 1\n  else:\n    x = 2\n  z = 3\n}", "{(if a x = 1 else {x = 2}), z = 3}"},
		{"config insert index", "{a[0] += [1]}", "{a[0] += [1]}"},
		{"config entry then if on next line", "{\n  a = 1\n  if c: b = 2\n}", "{a = 1, (if c b = 2)}"},
		{"config entry then unpack on next line", "{\n  a = b\n  **c\n}", "{a = b, **c}"},
		{"config value ternary", "{a = 1 if c else 2}", "{a = (? c 1 2)}"},
		{"dict comp", "{k: v for k, v in d}", "{k : v for k,v in d}"},
		{"dict comp override", "{k = v for k in d if k}", "{k = v for k in d if k}"},
		{"schema expr", "Person {name = \"a\"}", "(new Person {name = \"a\"})"},
		{"schema expr dotted", "pkg.Person {}", "(new pkg.Person {})"},
		{"schema expr args", "Person(1, x=2) {a = 1}", "(new Person (1 x=2) {a = 1})"},
		{"schema expr nested", "A {b = B {c = 1}}", "(new A {b = (new B {c = 1})})"},
		{"lambda simple", "lambda x { x + 1 }", "(lambda [x] {(expr (+ x 1))})"},
		{"lambda no params", "lambda { 1 }", "(lambda [] {(expr 1)})"},
		{"lambda typed", "lambda x: int, y: str = \"a\" -> str { y }", "(lambda [x:int, y:str=\"a\"] -> str {(expr y)})"},
		{"lambda multiline", "lambda x {\n    y = x * 2\n    if y > 3:\n        y = 3\n    y\n}", "(lambda [x] {(= y (* x 2)); (if (cmp y > 3) {(= y 3)}); (expr y)})"},
		{"lambda call", "(lambda x { x })(1)", "(call (paren (lambda [x] {(expr x)})) 1)"},
		{"lambda in config", "{\n  f = lambda x {\n    x\n  }\n  g = 1\n}", "{f = (lambda [x] {(expr x)}), g = 1}"},
		{"lambda default with brace", "lambda x = y {\n  x\n}", "(lambda [x=y] {(expr x)})"},
		{"quantifier all", "all x in xs { x > 0 }", "(all x in xs (cmp x > 0))"},
		{"quantifier any", "any x in xs { x }", "(any x in xs x)"},
		{"quantifier map two vars", "map k, v in d { v + 1 }", "(map k,v in d (+ v 1))"},
		{"quantifier filter with if", "filter x in xs { x > 0 if x }", "(filter x in xs (cmp x > 0) if x)"},
		{"quantifier target call", "all x in f(a) {\n  x\n}", "(all x in (call f a) x)"},
		{"string", "'a' + \"b\"", "(+ \"a\" \"b\")"},
		{"string escapes", `"\t\n\\\"\x41\u00e9\101\$"`, `"\t\n\\\"Aé` + "A$\""},
		{"unknown escape kept", `"\d"`, `"\\d"`},
		{"raw string", `r"\d${x}"`, `"\\d${x}"`},
		{"triple string", "'''a\nb'''", `"a\nb"`},
		{"interpolation", `"a${b}c"`, `(str "a" ${b} "c")`},
		{"interpolation expr and spec", `"${a + 1: #json}"`, `(str ${(+ a 1):#json})`},
		{"interpolation with brackets", `"${d['k']}${x[1:2]}"`, `(str ${([] d "k")} ${([] x 1:2:_)})`},
		{"dollar before an interpolation", `"$${a} $5 $$"`, `(str "$" ${a} " $5 $$")`},
		{"escaped dollar is text up to its brace, as in the KCL implementation", `"$\${a * 1}$$ ${b} $$$$$"`, `(str "$${a * 1}$$ " ${b} " $$$$$")`},
		{"dollars without interpolation are kept", `["$$", "\$5"]`, `["$$" "$5"]`},
		{"escaped keyword ident", "$if + $schema", "(+ if schema)"},
		{"soft keyword names", "protocol.rule", "protocol.rule"},
		{"keywords after dot", "a.filter.map.all.if", "a.filter.map.all.if"},
		{"keywords as config keys", "{filter = 1, map: 2, all += [3], schema = 4}", "{filter = 1, map : 2, all += [3], schema = 4}"},
		{"line continuation", "1 + \\\n  2", "(+ 1 2)"},
		{"lambda called right away", "lambda x { x * 2 }(2)", "(call (lambda [x] {(expr (* x 2))}) 2)"},
		{"lambda in parens called", "(lambda {1})()", "(call (paren (lambda [] {(expr 1)})) )"},
		{"lambda multiline called then operator", "lambda x {\n    x\n}(2) + 1", "(+ (call (lambda [x] {(expr x)}) 2) 1)"},
		{"lambda result subscript and selector", "[lambda {[1]}()[0], lambda {{a = 1}}().a]", "[([] (call (lambda [] {(expr [1])}) ) 0) (. (call (lambda [] {(expr {a = 1})}) ) a)]"},
		{"lambda in ternary", "lambda x {x} if c else None", "(? c (lambda [x] {(expr x)}) None)"},
		{"reserved word escaped", "$final + $from", "(+ final from)"},
		{"reserved words are names, as in the KCL implementation", "[final, from(1), validate.flow, a.from.final?.pass]", "[final (call from 1) validate.flow (?. a.from.final pass)]"},
		{"reserved words as config keys", "{from = 1, final: 2, class.def += [3]}", "{from = 1, final : 2, class.def += [3]}"},
		{"implicit continuation", "f(1,\n  2)", "(call f 1 2)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, value := assignedValue(t, tt.src)
			assert.Equal(t, tt.want, sx(value))
			roundTrip(t, f)
		})
	}
}

func TestParseStatements(t *testing.T) {
	checkParses(t, []parseCase{
		{"import", "import a.b.c", "(import a.b.c)"},
		{"import as", "import a.b as c", "(import a.b as c)"},
		{"relative import", "import .a\nimport ..b.c as d", "(import .a)\n(import ..b.c as d)"},
		{"assign", "a = 1", "(= a 1)"},
		{"multi assign", "a = b = 1", "(= a b 1)"},
		{"typed assign", "a: int = 1", "(= a :int 1)"},
		{"union typed assign", "a: int | str = 1", "(= a :(int|str) 1)"},
		{"dotted assign", "a.b.c = 1", "(= a.b.c 1)"},
		{"index assign", "a[0] = 1", "(= ([] a 0) 1)"},
		{"aug assigns", "a += 1\na -= 1\na *= 1\na /= 1\na //= 1\na %= 1\na **= 1\na <<= 1\na >>= 1\na &= 1\na |= 1\na ^= 1",
			"(+= a 1)\n(-= a 1)\n(*= a 1)\n(/= a 1)\n(//= a 1)\n(%= a 1)\n(**= a 1)\n(<<= a 1)\n(>>= a 1)\n(&= a 1)\n(|= a 1)\n(^= a 1)"},
		{"unification", "a: Person {name = \"x\"}", "(unify a (new Person {name = \"x\"}))"},
		{"unification dotted", "a: pkg.Person {}", "(unify a (new pkg.Person {}))"},
		{"unification with args", "a: Server(1) {x = 1}", "(unify a (new Server (1) {x = 1}))"},
		{"unification dotted with kwargs", "a: pkg.Server(a=1, *b) {}", "(unify a (new pkg.Server (*b a=1) {}))"},
		{"unification with empty args", "a: S() {}", "(unify a (new S {}))"},
		{"dict types with omitted sides", "a: {str:} = {}\nb: {:int} = {}\nc: {:} = {}\nd: [] = []",
			"(= a :{str:} {})\n(= b :{:int} {})\n(= c :{:} {})\n(= d :[] [])"},
		{"schema attr unification with args", "schema A:\n    x: S(1, k=2) {a = 1}\n    y: pkg.S() {}",
			"(schema A (attr x S = (new S (1 k=2) {a = 1})) (attr y pkg.S = (new pkg.S {})))"},
		{"expr stmt", "print(1)", "(expr (call print 1))"},
		{"semicolons", "a = 1; b = 2", "(= a 1)\n(= b 2)"},
		{"if", "if a:\n    b = 1", "(if a {(= b 1)})"},
		{"if one line", "if a: b = 1", "(if a {(= b 1)})"},
		{"if elif else", "if a:\n    x = 1\nelif b:\n    x = 2\nelse:\n    x = 3",
			"(if a {(= x 1)} else {(if b {(= x 2)} else {(= x 3)})})"},
		{"nested if", "if a:\n    if b:\n        x = 1\n    y = 2\nz = 3", "(if a {(if b {(= x 1)}); (= y 2)})\n(= z 3)"},
		{"assert", "assert a", "(assert a _ _)"},
		{"assert if msg", "assert a > 1 if b, \"msg\"", "(assert (cmp a > 1) b \"msg\")"},
		{"type alias", "type A = int | \"a\" | 1 | True | None", "(type A (int|lit:\"a\"|lit:1|lit:True|lit:None))"},
		{"type alias complex", "type F = (int, [str]) -> {str:any}", "(type F ((int,[str])->{str:any}))"},
		{"type as name", "type = 1", "(= type 1)"},
		{"docstring", "\"\"\"doc\"\"\"\na = 1", "(doc \"doc\")\n(= a 1)"},
		{"comments", "# c\na = 1  # trailing\n# end", "(= a 1)"},
		{"blank lines and comments in blocks", "if a:\n\n    # c\n    b = 1\n\n    c = 2\n", "(if a {(= b 1); (= c 2)})"},
		{"tabs", "if a:\n\tb = 1\n\tif c:\n\t\td = 2\n", "(if a {(= b 1); (if c {(= d 2)})})"},
		{"crlf", "if a:\r\n    b = 1\r\nc = 2\r\n", "(if a {(= b 1)})\n(= c 2)"},
		{"no trailing newline", "a = 1", "(= a 1)"},
		{"empty file", "", ""},
		{"only comments", "# a\n# b\n", ""},
		{"schema minimal", "schema A:\n    a: int", "(schema A (attr a int))"},
		{"schema full header", "schema A[x: int, y = 1](B) for P:\n    a: int = x",
			"(schema A [x:int, y=1] (B) for P (attr a int = x))"},
		{"schema dotted parent", "schema A(pkg.B):\n    a?: str", "(schema A (pkg.B) (attr a? str))"},
		{"schema doc", "schema A:\n    \"\"\"Doc.\"\"\"\n    a: int", "(schema A doc=\"Doc.\" (attr a int))"},
		{"schema attr with augmented default", "schema A:\n    a: [int] += [1]", "(schema A (attr a [int] += [1]))"},
		{"schema attrs", "schema A:\n    a?: [str] = []\n    b: {str:int} |= {}\n    c: B {x = 1}\n    d = 1\n    e += [1]",
			"(schema A (attr a? [str] = []) (attr b {str:int} |= {}) (attr c B = (new B {x = 1})) (= d 1) (+= e [1]))"},
		{"schema decorated attr", "schema A:\n    @deprecated(version=\"1\")\n    @info\n    a: int",
			"(schema A (attr @deprecated(version=\"1\") @info a int))"},
		{"schema decorators", "@deprecated\n@info(\"x\")\nschema A:\n    a: int", "(schema A @deprecated @info(\"x\") (attr a int))"},
		{"schema mixin", "schema A:\n    mixin [BMixin, pkg.CMixin]\n    a: int", "(schema A mixin=BMixin mixin=pkg.CMixin (attr a int))"},
		{"schema index signature", "schema A:\n    [k: str]: int = 1", "(schema A (index k:str int = 1))"},
		{"schema index signature any other", "schema A:\n    [...str]: str", "(schema A (index ...str str))"},
		{"schema index signature no name", "schema A:\n    [str]: [int]", "(schema A (index str [int]))"},
		{"schema list expression statements are not index signatures", "schema A:\n    [a, b]\n    [str]: int\n    [\n        1  # c\n    ][0]\n    [\"x\"]",
			"(schema A (index str int) (expr [a b]) (expr ([] [1] 0)) (expr [\"x\"]))"},
		{"schema index signature named any other", "schema A:\n    [k: ...str]: str", "(schema A (index k:...str str))"},
		{"schema settings", "schema A:\n    __settings__: {str:str} = {\"output_type\": \"STANDALONE\"}",
			"(schema A (attr __settings__ {str:str} = {\"output_type\" : \"STANDALONE\"}))"},
		{"schema if and assert", "schema A:\n    a: int\n    if a > 1:\n        b = 2\n    assert a, \"m\"",
			"(schema A (attr a int) (if (cmp a > 1) {(= b 2)}) (assert a _ \"m\"))"},
		{"schema check", "schema A:\n    a: int\n    check:\n        a > 0, \"pos\"\n        a < 10 if a\n        len(a) if a, \"m\"",
			"(schema A (attr a int) (check (cmp a > 0) _ \"pos\") (check (cmp a < 10) a _) (check (call len a) a \"m\"))"},
		{"schema check exprs on one line", "schema A:\n    check:\n        a not None\n        b not None if a",
			"(schema A (check a _ _) (check (not None) _ _) (check b _ _) (check (not None) a _))"},
		{"schema check multiline expr", "schema A:\n    check:\n        all x in xs {\n            x > 0\n        }, \"m\"",
			"(schema A (check (all x in xs (cmp x > 0)) _ \"m\"))"},
		{"schema keyword-named attrs", "schema A:\n    protocol: str\n    mixin: int\n    rule?: str\n    $type: str\n    type: str",
			"(schema A (attr protocol str) (attr mixin int) (attr rule? str) (attr type str) (attr type str))"},
		{"schema attrs named like keywords", "schema A:\n    filter?: str\n    map: {str:str}\n    all: bool",
			"(schema A (attr filter? str) (attr map {str:str}) (attr all bool))"},
		{"schema empty body", "schema A:\n\nb = 1", "(schema A)\n(= b 1)"},
		{"protocol", "protocol P:\n    a: int", "(protocol P (attr a int))"},
		{"reserved words as attribute and variable names", "schema R:\n    from?: [int]\n    final: bool = True\nfrom = R {from = [1]}\nvalidate = lambda from { from }",
			"(schema R (attr from? [int]) (attr final bool = True))\n(= from (new R {from = [1]}))\n(= validate (lambda [from] {(expr from)}))"},
		{"schema quoted attribute names", "schema A:\n    \"content-type\": str\n    \"a.b\"?: int = 1\n    @deprecated\n    'x-y': [int] = []\n    \"k\": S(1) {a = 1}",
			"(schema A (attr \"content-type\" str) (attr \"a.b\"? int = 1) (attr @deprecated \"x-y\" [int] = []) (attr \"k\" S = (new S (1) {a = 1})))"},
		{"schema attribute docstrings", "schema A:\n    \"\"\"Schema doc.\"\"\"\n    a: int\n    \"\"\"Doc of a.\"\"\"\n    b?: str = \"x\"\n    'Doc of b.'\n    c = 1\n    'not a docstring'",
			"(schema A doc=\"Schema doc.\" (attr a int doc=\"Doc of a.\") (expr \"Doc of a.\") (attr b? str = \"x\" doc=\"Doc of b.\") (expr \"Doc of b.\") (= c 1) (expr \"not a docstring\"))"},
		{"mixin", "mixin AMixin for P:\n    a: int = 1", "(mixin AMixin for P (attr a int = 1))"},
		{"rule", "rule R:\n    a > 1\n    b, \"m\"", "(rule R (check (cmp a > 1) _ _) (check b _ \"m\"))"},
		{"rule full", "@info\nrule R[x: int](A, pkg.B) for P:\n    \"\"\"Doc\"\"\"\n    a > x if c, \"m\"",
			"(rule R @info [x:int] (A) (pkg.B) for P doc=\"Doc\" (check (cmp a > x) c \"m\"))"},
		{"soft keywords as names", "protocol = \"TCP\"\nrule = 1\nmixin = 2", "(= protocol \"TCP\")\n(= rule 1)\n(= mixin 2)"},
		{"schema instance stmt", "A {a = 1}", "(expr (new A {a = 1}))"},
	})
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"attr missing colon after ?", "schema A:\n    name? = 1\n", []string{"main.k:2:11: expected ':' after schema attribute name, found '='"}},
		{"attr missing colon", "schema A:\n    name str\n", []string{"main.k:2:10: expected ':' after schema attribute name, found name 'str'"}},
		{"unclosed paren", "a = (1 + \nb = 2\n", []string{`main.k:2:3: expected one of [")"] got =`}},
		{"unexpected indent", "a = 1\n  b = 2\nc = 3\n", []string{"main.k:2:1: unexpected indentation"}},
		{"bad dedent", "if a:\n    b = 1\n  c = 2\n", []string{"main.k:3:3: unindent does not match any outer indentation level"}},
		{"tabs and spaces", "if a:\n\tb = 1\n        c = 2\n", []string{"main.k:3:1: inconsistent use of tabs and spaces in indentation"}},
		{"unterminated string", "a = \"abc\nb = 1\n", []string{"main.k:1:5: string literal not terminated (missing closing \")"}},
		{"unterminated triple string", "a = '''abc\nb = 1\n", []string{"main.k:1:5: triple-quoted string literal not terminated (missing closing ''')"}},
		{"bad number suffix", "a = 1x\n", []string{`main.k:1:6: invalid suffix "x" on number 1 (units are n u m k K M G T P Ki Mi Gi Ti Pi)`}},
		{"hex without digits", "a = 0x\n", []string{"main.k:1:5: no valid digits found for number"}},
		{"exponent without digits", "a = 1e\n", []string{"main.k:1:5: exponent of 1e has no digits"}},
		{"int overflow", "a = 99999999999999999999\n", []string{"main.k:1:5: integer literal 99999999999999999999 is too large (integers are 64-bit)"}},
		{"config missing op", "a = {b = 1, c 2}\nd = 1\n", []string{`main.k:1:16: expected one of [":", "=", "+="] got }`}},
		{"config entries on one line without a comma", "a = {b = 1 c 2}\n", []string{`main.k:1:15: expected one of [":", "=", "+="] got }`}},
		{"unclosed list", "a = [1, 2\nb = 3\n", []string{"main.k:2:1: expected ']' to close the list opened at 1:5, found name 'b'"}},
		{"unclosed config at eof", "a = {\n  b = 1\n", []string{`main.k:3:1: expected one of ["}"] got eof`}},
		{"expression list statement", "a, b\nf(1), g(2), 3,\nc = 1, 2\n", []string{"main.k:1:2: unexpected token ','", "main.k:2:5: unexpected token ','", "main.k:3:6: unexpected token ','"}},
		{"expression list in a lambda body", "f = lambda { a, b }\n", []string{"main.k:1:15: unexpected token ','"}},
		{"statement starting with an operator", "-1\nf = lambda { -2 }\n", []string{"main.k:1:1: unexpected token '-'", "main.k:2:14: unexpected token '-'"}},
		{"dangling operator", "a = 1 +\nb = 2\n", []string{"main.k:1:8: expected one of [\"identifier\", \"literal\", \"(\", \"[\", \"{\"] got newline"}},
		{"empty interpolation", "x = \"${}\"\n", []string{"main.k:1:6: empty string interpolation '${}'"}},
		{"bad interpolation", "y = \"${a b}\"\n", []string{"main.k:1:10: unexpected name 'b' in string interpolation"}},
		{"unterminated interpolation", "z = \"${a\"\n", []string{"main.k:1:6: unterminated string interpolation: '${' has no matching '}'"}},
		{"bad hex escape", `a = "\xZZ"` + "\n", []string{`main.k:1:6: invalid escape \x: want 2 hexadecimal digits`}},
		{"lambda body error", "a = lambda x {\n  x +\n}\nb = 1\n", []string{"main.k:2:6: expected one of [\"identifier\", \"literal\", \"(\", \"[\", \"{\"] got newline"}},
		{"unclosed lambda", "a = lambda x {\n  x\n", []string{"main.k:3:1: expected '}' to close the lambda body opened at 1:14, found end of file"}},
		{"assign to call", "f() = 1\n", []string{"main.k:1:1: cannot assign to a function call"}},
		{"assign to literal", "1 = 2\n", []string{"main.k:1:1: cannot assign to a literal"}},
		{"ternary without else", "a = 1 if b\n", []string{`main.k:1:11: expected one of ["else"] got newline`}},
		{"schema without colon", "schema A\n    a: int\nb = 1\n", []string{"main.k:1:9: expected ':' after schema header, found end of line"}},
		{"schema without name", "schema :\n    a: int\n", []string{"main.k:1:8: expected a name after 'schema', found ':'"}},
		{"schema two parents", "schema A(B, C):\n    a: int\n", []string{"main.k:1:11: a schema can inherit from only one parent schema"}},
		{"two index signatures", "schema A:\n    [str]: int\n    [k: str]: str\n", []string{"main.k:3:5: a schema can have only one index signature"}},
		{"bang", "a = b ! c\n", []string{"main.k:1:7: invalid character '!' (use 'not' for negation)"}},
		{"annotation without value", "a: int\n", []string{"main.k:1:7: expected '=' after type annotation, found end of line"}},
		{"import without path", "import\n", []string{"main.k:1:7: expected a module name in import path, found end of line"}},
		{"import in schema", "schema A:\n    import b\n", []string{"main.k:2:5: import statements are only allowed at the top level of a module"}},
		{"stray closer", "a = }\nb = 1)\n", []string{"main.k:1:5: expected one of [\"identifier\", \"literal\", \"(\", \"[\", \"{\"] got }", "main.k:2:6: unexpected ')' after statement; expected end of line"}},
		{"missing block", "if a:\nb = 1\n", []string{"main.k:2:1: expected an indented block after if condition"}},
		{"elif without if", "elif a:\n    b = 1\n", []string{"main.k:1:1: unexpected keyword 'elif' at start of statement"}},
		{"check without block", "schema A:\n    check:\n    a: int\n", []string{"main.k:3:5: expected an indented block of checks after 'check:'"}},
		{"bad type", "a: 1 + 2 = 3\n", []string{"main.k:1:6: expected '=' after type annotation, found '+'"}},
		{"type missing", "a: = 3\n", []string{"main.k:1:4: expected a type, found '='"}},
		{"dollar alone", "a = $\n", []string{"main.k:1:5: '$' must be followed by a name (as in $if)"}},
		{"invalid char", "a = 1 ` 2\n", []string{"main.k:1:7: invalid character '`'"}},
		{"keyword arg not a name", "f(a.b = 1)\n", []string{"main.k:1:3: keyword argument name must be a plain name"}},
		{"positional after keyword", "f(a = 1, 2)\n", []string{"main.k:1:10: positional argument follows keyword argument"}},
		{"quant missing in", "a = all x xs { x }\n", []string{"main.k:1:11: expected 'in' after the loop variables of 'all', found name 'xs'"}},
		{"quant too many vars", "a = map a, b, c in d { a }\n", []string{"main.k:1:15: the number of loop variables is 3, which can only be 1 or 2"}},
		{"nesting too deep", "a = " + strings.Repeat("(", 2000) + "1" + strings.Repeat(")", 2000) + "\n", []string{"main.k:1:"}},
		{"unclosed paren whose next line continues: the rest is parsed", "a = (1 +\nb = 2\nc = [1,\nd = 4\n", []string{
			`main.k:2:3: expected one of [")"] got =`,
			"main.k:4:1: expected ']' to close the list opened at 3:5, found name 'd'"}},
		{"config typo recovers inside the config", "a = {\n  b 1\n  c = 2\n  d 3\n}\ne = 1 +\n", []string{
			`main.k:2:6: expected one of [":", "=", "+="] got newline`,
			`main.k:4:6: expected one of [":", "=", "+="] got newline`,
			"main.k:6:8: expected one of [\"identifier\", \"literal\", \"(\", \"[\", \"{\"] got newline"}},
		{"unterminated string in config", "a = {\n    b = \"x\n    c = 1\n}\n", []string{"main.k:2:9: string literal not terminated (missing closing \")"}},
		{"walrus", "a := 1\n", []string{"main.k:1:4: expected a type, found '='"}},
		{"interpolated attribute name", "schema A:\n    \"${a}\": str\n", []string{"main.k:2:5: a schema attribute name cannot contain string interpolation"}},
		{"relaxed before the schema name", "schema relaxed A:\n    a: int\nb = *\n", []string{
			"main.k:1:8: the 'relaxed' schema modifier is no longer part of KCL; remove it and declare an index signature such as [...str]: any to accept other attributes",
			"main.k:3:5: expected one of [\"identifier\", \"literal\", \"(\", \"[\", \"{\"] got *"}},
		{"relaxed after the schema name", "schema A(B) relaxed:\n    a: int\n", []string{
			"main.k:1:13: the 'relaxed' schema modifier is no longer part of KCL; remove it and declare an index signature such as [...str]: any to accept other attributes"}},
		{"reserved word starting a Python statement", "from a import b\nx = 1 +\n", []string{
			"main.k:1:1: 'from' is a reserved word in KCL, not a statement; write import a.b (as c)",
			"main.k:2:8: expected one of [\"identifier\", \"literal\", \"(\", \"[\", \"{\"] got newline"}},
		{"return in a lambda", "f = lambda x {\n    return x\n}\n", []string{"main.k:2:5: 'return' is a reserved word in KCL, not a statement; a lambda's value is its last expression"}},
		{"pass in a block", "if a:\n    pass\nelse:\n    b = 1\n", []string{"main.k:2:5: 'pass' is a reserved word in KCL, not a statement; KCL has no pass statement: remove it"}},
		{"pass in a schema", "schema A:\n    a: int\n    pass\n", []string{"main.k:3:5: 'pass' is a reserved word in KCL, not a statement; KCL has no pass statement: remove it"}},
		{"class", "class A:\n    a = 1\nb = *\n", []string{
			"main.k:1:1: 'class' is a reserved word in KCL, not a statement; types are defined with schema",
			"main.k:3:5: expected one of [\"identifier\", \"literal\", \"(\", \"[\", \"{\"] got *"}},
		{"while", "while x:\n    y = 1\n", []string{"main.k:1:1: 'while' is a reserved word in KCL, not a statement; use a comprehension or map/filter/all/any"}},
		{"raise", "raise \"x\"\n", []string{"main.k:1:1: 'raise' is a reserved word in KCL, not a statement; use assert, or a check block in a schema"}},
		{"unification args without config", "x: S(1)\ny = 2 +\n", []string{
			"main.k:1:8: expected '{' after the arguments of schema S, found end of line",
			"main.k:2:8: expected one of [\"identifier\", \"literal\", \"(\", \"[\", \"{\"] got newline"}},
		{"unclosed call whose next line continues", "a = f(1,\n  2\nb = 3\nc = 4 +\n", []string{
			"main.k:3:1: expected ')' to close '(' at 1:6, found name 'b'",
			"main.k:4:8: expected one of [\"identifier\", \"literal\", \"(\", \"[\", \"{\"] got newline"}},
		{"unclosed call after an operator", "a = f(1 +\nb = 2\nc = *\n", []string{
			"main.k:2:3: expected ')' to close '(' at 1:6, found '='",
			"main.k:3:5: expected one of [\"identifier\", \"literal\", \"(\", \"[\", \"{\"] got *"}},
		{"unclosed schema arguments", "x: S(1\ny = 2\nz = *\n", []string{
			"main.k:2:1: expected ')' to close '(' at 1:5, found name 'y'",
			"main.k:3:5: expected one of [\"identifier\", \"literal\", \"(\", \"[\", \"{\"] got *"}},
		{"unclosed subscript", "a = x[1\nb = 2\nc = *\n", []string{
			"main.k:2:1: expected ']' to close the subscript opened at 1:6, found name 'b'",
			"main.k:3:5: expected one of [\"identifier\", \"literal\", \"(\", \"[\", \"{\"] got *"}},
		{"unclosed decorator arguments", "@info(a,\nschema A:\n    a: int\nc = *\n", []string{
			"main.k:2:1: expected one of [\"identifier\", \"literal\", \"(\", \"[\", \"{\"] got identifier",
			"main.k:4:5: expected one of [\"identifier\", \"literal\", \"(\", \"[\", \"{\"] got *"}},
		{"unclosed call at the end of the file", "x = f(1, 2\n", []string{"main.k:2:1: expected ')' to close '(' at 1:6, found end of file"}},
		{"unclosed call in a config value", "x = {\n    a = f(1,\n        2\n    b = 3\n}\ny = *\n", []string{
			"main.k:4:5: expected ')' to close '(' at 2:10, found name 'b'",
			"main.k:6:5: expected one of [\"identifier\", \"literal\", \"(\", \"[\", \"{\"] got *"}},
		{"unclosed call in a list", "x = [\n    f(1,\n        2\n    3\n]\ny = *\n", []string{
			"main.k:4:5: expected ')' to close '(' at 2:6, found number 3",
			"main.k:6:5: expected one of [\"identifier\", \"literal\", \"(\", \"[\", \"{\"] got *"}},
		{"unclosed call before the list's closer", "x = [\n    f(1,\n    2\n]\ny = *\n", []string{
			"main.k:4:1: expected ')' to close '(' at 2:6, found ']'",
			"main.k:5:5: expected one of [\"identifier\", \"literal\", \"(\", \"[\", \"{\"] got *"}},
		{"unclosed paren before the list's closer", "x = [\n    (1 +\n    2\n]\nz = *\n", []string{
			"main.k:4:1: expected ')' to close '(' at 2:5, found ']'",
			"main.k:5:5: expected one of [\"identifier\", \"literal\", \"(\", \"[\", \"{\"] got *"}},
		{"unclosed call in an if block, next line dedented", "if c:\n    x = f(1,\n        2\nz = 4\nw = *\n", []string{
			"main.k:4:1: expected ')' to close '(' at 2:10, found name 'z'",
			"main.k:5:5: expected one of [\"identifier\", \"literal\", \"(\", \"[\", \"{\"] got *"}},
		{"unclosed call around a lambda", "x = f(a, lambda {\n    1\n}\ny = 2\nz = *\n", []string{
			"main.k:4:1: expected ')' to close '(' at 1:6, found name 'y'",
			"main.k:5:5: expected one of [\"identifier\", \"literal\", \"(\", \"[\", \"{\"] got *"}},
		{"unclosed paren in a config value", "x = {\n    a = (1 +\n        2\n    b = 3\n}\ny = *\n", []string{
			"main.k:4:5: expected ')' to close '(' at 2:9, found name 'b'",
			"main.k:6:5: expected one of [\"identifier\", \"literal\", \"(\", \"[\", \"{\"] got *"}},
		{"unclosed subscript in a config value", "x = {\n    a = x[1\n    b = 3\n}\ny = *\n", []string{
			"main.k:3:5: expected ']' to close the subscript opened at 2:10, found name 'b'",
			"main.k:5:5: expected one of [\"identifier\", \"literal\", \"(\", \"[\", \"{\"] got *"}},
		{"unclosed call in a schema body", "schema A:\n    a: int = f(1,\n        2\n    b: int\n    c = *\n", []string{
			"main.k:4:5: expected ')' to close '(' at 2:15, found name 'b'",
			"main.k:5:9: expected one of [\"identifier\", \"literal\", \"(\", \"[\", \"{\"] got *"}},
		{"missing comma in call", "f(a b\n  c)\n", []string{"main.k:2:3: expected ',' or ')' in argument list, found name 'c'"}},
		{"python def", "def f():\n    return 1\nx = 1\n", []string{"main.k:1:1: 'def' is a reserved word in KCL, not a statement; functions are lambda expressions: f = lambda x { x * 2 }"}},
		{"else if", "if a:\n    b = 1\nelse if c:\n    b = 2\n", []string{`main.k:3:6: expected one of [":"] got identifier`}},
		{"unclosed config before a schema", "a = {\n    b = 1\n\nschema S:\n    x: int\n\nc = 1 +\n", []string{
			"main.k:4:1: expected '}' to close the config opened at 1:5, found keyword 'schema'",
			"main.k:7:8: expected one of [\"identifier\", \"literal\", \"(\", \"[\", \"{\"] got newline"}},
		{"unclosed list in a schema body", "schema S:\n    a: [int] = [1, 2\n    b: int\n\nc = 1\n", []string{
			"main.k:3:5: expected ']' to close the list opened at 2:16, found name 'b'"}},
		{"unclosed paren then statements", "a = (1 + 2\nb = 3\nc = *\n", []string{
			"main.k:2:1: expected ')' to close '(' at 1:5, found name 'b'",
			"main.k:3:5: expected one of [\"identifier\", \"literal\", \"(\", \"[\", \"{\"] got *"}},
		{"lambda missing its closing brace", "f = lambda x {\n    y = x\n    y\ng = 1\nh = 2 +\n", []string{
			"main.k:4:1: expected '}' to close the lambda body opened at 1:14, found name 'g'",
			"main.k:5:8: expected one of [\"identifier\", \"literal\", \"(\", \"[\", \"{\"] got newline"}},
		{"garbage lines in a config give one error", "a = {\n    b = 1\n    ) ) )\n    ] ]\n    c = 2\n}\n", []string{
			"main.k:3:5: expected one of [\"identifier\", \"literal\", \"(\", \"[\", \"{\"] got )"}},
		{"errors in several statements", "a = 1 +\nb = \nc = 3\nd = *\n", []string{
			"main.k:1:8: expected one of [\"identifier\", \"literal\", \"(\", \"[\", \"{\"] got newline",
			"main.k:2:5: expected one of [\"identifier\", \"literal\", \"(\", \"[\", \"{\"] got newline",
			"main.k:4:5: expected one of [\"identifier\", \"literal\", \"(\", \"[\", \"{\"] got *"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := errorTexts(tt.src)
			if tt.name == "nesting too deep" {
				require.Len(t, got, 1)
				assert.Contains(t, got[0], "nesting too deep")
				return
			}
			assert.Equal(t, tt.want, got, "source:\n%s", tt.src)
		})
	}
}

// TestRecoveryKeepsFollowingStatements checks that after an unclosed
// bracket the parser resumes at the next statement: the statements after
// it are in the tree.
func TestRecoveryKeepsFollowingStatements(t *testing.T) {
	f, errs := ParseFile("main.k", []byte("a = {\n    b = 1\n\nschema S:\n    x: int\n\nc = [1,\nd = 2\nf = lambda {\n    1\ng = 3\n"))
	require.Len(t, errs, 3, "%v", errs)
	var kinds []string
	for _, s := range f.Body {
		switch s := s.(type) {
		case *SchemaStmt:
			kinds = append(kinds, "schema "+s.Name.Name())
		case *AssignStmt:
			kinds = append(kinds, "assign "+sx(s.Targets[0]))
		default:
			kinds = append(kinds, sx(s))
		}
	}
	assert.Equal(t, []string{"assign a", "schema S", "assign c", "assign d", "assign f", "assign g"}, kinds)
}

// TestRecoveryAfterUnclosedCall checks that the statements and config
// entries after a call whose ')' is missing are in the tree.
func TestRecoveryAfterUnclosedCall(t *testing.T) {
	f, errs := ParseFile("main.k", []byte("a = f(1,\n    2\nb = {\n    c = g(3,\n        4\n    d = 5\n}\ne = x[1\nf = 6\n"))
	require.Len(t, errs, 3, "%v", errs)
	assert.Equal(t, "(= a (call f 1 2))\n(= b {c = (call g 3 4), d = 5})\n(= e ([] x 1))\n(= f 6)", sx(f))
}

// TestRecoveredStatementsDoNotOverlap checks that a statement broken by an
// unclosed bracket ends before the statement parsing restarts with.
func TestRecoveredStatementsDoNotOverlap(t *testing.T) {
	f, errs := ParseFile("main.k", []byte("a = {\n    b = 1\n\nschema S:\n    x: int\n"))
	require.Len(t, errs, 1)
	require.Len(t, f.Body, 2)
	assert.LessOrEqual(t, f.Body[0].End().Offset, f.Body[1].Pos().Offset)
	assert.Equal(t, Pos{Offset: 17, Line: 4, Col: 1}, f.Body[1].Pos())
}
