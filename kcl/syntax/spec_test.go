package syntax

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSpecProductions walks the productions of the KCL language
// specification's grammar (lexical rules, statements, schema, rule, types,
// expressions) and parses one or more examples of each.
func TestSpecProductions(t *testing.T) {
	checkParses(t, []parseCase{
		// start: (NEWLINE | statement)*
		{"start: blank lines only", "\n\n\n", ""},
		{"start: statements between blank lines", "\na = 1\n\n\nb = 2\n\n", "(= a 1)\n(= b 2)"},
		// import_stmt: IMPORT dot_name (AS NAME)?
		{"import_stmt", "import a", "(import a)"},
		{"import_stmt: dotted with alias", "import a.b.c as d", "(import a.b.c as d)"},
		{"import_stmt: leading dots", "import .a\nimport ..a.b\nimport ...a", "(import .a)\n(import ..a.b)\n(import ...a)"},
		// assert_stmt: ASSERT simple_expr (IF simple_expr)? (COMMA test)?
		{"assert_stmt", "assert a", "(assert a _ _)"},
		{"assert_stmt: if", "assert a if b", "(assert a b _)"},
		{"assert_stmt: message", "assert a, \"m\"", "(assert a _ \"m\")"},
		{"assert_stmt: message is a test", "assert a if b, \"x\" if c else \"y\"", "(assert a b (? c \"x\" \"y\"))"},
		// if_stmt and execution_block / if_simple_stmt
		{"if_stmt: simple statements", "if a: b = 1\nelif c: d: S {}\nelse: assert e",
			"(if a {(= b 1)} else {(if c {(unify d (new S {}))} else {(assert e _ _)})})"},
		{"if_stmt: nested blocks", "if a:\n    if b:\n        c = 1\n    elif d:\n        c = 2\nelse:\n    c = 3",
			"(if a {(if b {(= c 1)} else {(if d {(= c 2)})})} else {(= c 3)})"},
		// assign_stmt
		{"assign_stmt: chain", "a = b = c = 1", "(= a b c 1)"},
		{"assign_stmt: typed chain", "a: int = b = 1", "(= a b :int 1)"},
		{"assign_stmt: every augmented operator", "a += 1\na -= 1\na *= 1\na **= 1\na /= 1\na //= 1\na %= 1\na &= 1\na |= 1\na ^= 1\na <<= 1\na >>= 1",
			"(+= a 1)\n(-= a 1)\n(*= a 1)\n(**= a 1)\n(/= a 1)\n(//= a 1)\n(%= a 1)\n(&= a 1)\n(|= a 1)\n(^= a 1)\n(<<= a 1)\n(>>= a 1)"},
		// unification_stmt: identifier COLON schema_expr
		{"unification_stmt", "a: S {}", "(unify a (new S {}))"},
		{"unification_stmt: dotted target and arguments", "a.b: pkg.S(1, x=2) {c = 3}", "(unify a.b (new pkg.S (1 x=2) {c = 3}))"},
		// schema_stmt
		{"schema_stmt: every header part", "@d\nschema A[x: int = 1, y](pkg.B) for P:\n    a: int",
			"(schema A @d [x:int=1, y] (pkg.B) for P (attr a int))"},
		{"schema_stmt: mixin and protocol", "mixin M for P:\n    a: int\nprotocol P:\n    a: int",
			"(mixin M for P (attr a int))\n(protocol P (attr a int))"},
		{"schema_stmt: empty header parameters", "schema A[]:\n    a: int", "(schema A (attr a int))"},
		// schema_body: (string NEWLINE)* [mixin_stmt] (...)* [check_block]
		{"schema_body: every part", "schema A:\n    \"\"\"doc\"\"\"\n    mixin [M]\n    a: int\n    [k: str]: int\n    b = 1\n    if a: c = 2\n    assert a\n    check:\n        a > 0",
			"(schema A doc=\"doc\" mixin=M (index k:str int) (attr a int) (= b 1) (if a {(= c 2)}) (assert a _ _) (check (cmp a > 0) _ _))"},
		{"schema_body: two leading strings", "schema A:\n    \"doc\"\n    \"more\"\n    a: int", "(schema A doc=\"doc\" (expr \"more\") (attr a int))"},
		// mixin_stmt with multiline_mixins
		{"mixin_stmt: multiline", "schema A:\n    mixin [\n        M1,\n        pkg.M2,\n    ]", "(schema A mixin=M1 mixin=pkg.M2)"},
		// attribute_stmt: [decorators] (identifier | STRING) [QUESTION] COLON type [(ASSIGN|COMP_OR) test]
		{"attribute_stmt: every form", "schema A:\n    a: int\n    b?: str = \"x\"\n    c: {str:} |= {}\n    @deprecated\n    \"d-e\"?: [int]",
			"(schema A (attr a int) (attr b? str = \"x\") (attr c {str:} |= {}) (attr @deprecated \"d-e\"? [int]))"},
		// schema_index_signature: LEFT_BRACKETS [NAME COLON] [ELLIPSIS] basic_type RIGHT_BRACKETS COLON type [ASSIGN test]
		{"schema_index_signature: every form", "schema A:\n    [...str]: int", "(schema A (index ...str int))"},
		{"schema_index_signature: name, default", "schema A:\n    [name: str]: {str:int} = {}", "(schema A (index name:str {str:int} = {}))"},
		// rule_stmt
		{"rule_stmt: every header part", "@d\nrule R[x](A, pkg.B) for P:\n    \"doc\"\n    x > 0\n    a if b, \"m\"",
			"(rule R @d [x] (A) (pkg.B) for P doc=\"doc\" (check (cmp x > 0) _ _) (check a b \"m\"))"},
		// decorators: (AT decorator_expr NEWLINE)+
		{"decorators: call suffix with keywords", "@a.b(1, k=2)\n@c()\nschema A:\n    x: int", "(schema A @a.b(1 k=2) @c() (attr x int))"},
		// type
		{"type: union of every element", "a: int | float | str | bool | any | S | pkg.S | [int] | {str:int} | \"x\" | 1 | 1.5 | True | False | (int) -> str = 1",
			"(= a :(int|float|str|bool|any|S|pkg.S|[int]|{str:int}|lit:\"x\"|lit:1|lit:1.5|lit:True|lit:False|((int)->str)) 1)"},
		{"type: function types", "a: () -> int = f\nb: (int, str) -> [str] = g", "(= a :(()->int) f)\n(= b :((int,str)->[str]) g)"},
		{"type: a function type's result is a whole type, as in the KCL implementation", "a: (int) -> str | None = f\nb: ((int) -> str) | None = g",
			"(= a :((int)->(str|lit:None)) f)\n(= b :(((int)->str)|lit:None) g)"},
		{"type: nested compound types", "a: [{str:[int | str]}] = []", "(= a :[{str:[(int|str)]}] [])"},
		{"type: list and dict with omitted types", "a: [] = []\nb: {:} = {}\nc: {str:} = {}\nd: {:int} = {}",
			"(= a :[] [])\n(= b :{:} {})\n(= c :{str:} {})\n(= d :{:int} {})"},
		// type_alias_stmt: TYPE NAME ASSIGN type
		{"type_alias_stmt", "type A = \"a\" | \"b\"", "(type A (lit:\"a\"|lit:\"b\"))"},
		// check_block / check_expr: simple_expr [IF simple_expr] [COMMA primary_expr]
		{"check_expr: every form", "schema A:\n    check:\n        a\n        a if b\n        a, \"m\"\n        a if b, \"m ${a}\"",
			"(schema A (check a _ _) (check a b _) (check a _ \"m\") (check a b (str \"m \" ${a})))"},
		// expr_stmt: one expression (the toolchain refuses `a, b`)
		{"expr_stmt: one expression", "b if c else d", "(expr (? c b d))"},
		// unary and binary operators, precedence
		{"un_op: every unary operator", "x = [not a, +a, -a, ~a]", "(= x [(not a) (+ a) (- a) (~ a)])"},
		{"bin_op: precedence table, highest to lowest", "x = a or b and not c == d | e ^ f & g << h + i * j ** k",
			"(= x (or a (and b (cmp (not c) == (| d (^ e (& f (<< g (+ h (* i (** j k)))))))))))"},
		{"bin_op: comparisons", "x = a in b not in c is d is not e < f <= g > h >= i != j == k",
			"(= x (cmp a in b not in c is d is not e < f <= g > h >= i != j == k))"},
		// bin_op includes AS, the lowest binary precedence
		{"bin_op: as", "x = y as Foo\nz = (a or b) as pkg.Bar if c else None", "(= x (as y Foo))\n(= z (? c (as (paren (or a b)) pkg.Bar) None))"},
		// primary_expr and suffixes
		{"primary_expr: call, select, slice suffixes", "x = a.b(c)?.d[0]?[1:2]?.e(f=1)",
			"(= x (call (?. (?[] ([] (?. (call a.b c) d) 0) 1:2:_) e) f=1))"},
		{"argument: every form", "x = f(a, *b, **c, d=e)", "(= x (call f a *b **c d=e))"},
		// operand
		{"operand: constants", "x = [True, False, None, Undefined]", "(= x [True False None Undefined])"},
		{"operand: parenthesized test", "x = (a if b else c)", "(= x (paren (? b a c)))"},
		// quant_expr
		{"quant_expr: every operator", "x = [all a in b { a }, any a in b { a }, map a in b { a }, filter a in b { a }]",
			"(= x [(all a in b a) (any a in b a) (map a in b a) (filter a in b a)])"},
		{"quant_expr: two variables and if, multiline", "x = map k, v in {a = 1} {\n    v if k\n}", "(= x (map k,v in {a = 1} v if k))"},
		{"quant_target: string, list comp, dict comp", "x = [all c in \"ab\" { c }, all a in [b for b in c] { a }, all k in {k: v for k, v in d} { k }]",
			"(= x [(all c in \"ab\" c) (all a in [b for b in c] a) (all k in {k : v for k,v in d} k)])"},
		// list_expr, list_items, list_comp, if_item
		{"list_expr: commas and newlines mixed", "x = [\n    1, 2\n    3,\n    *a\n]", "(= x [1 2 3 *a])"},
		{"list_comp: several clauses", "x = [a + b for a in c if a for b in d if b and a]", "(= x [(+ a b) for a in c if a for b in d if (and b a)])"},
		{"if_item: block form", "x = [\n    if a:\n        1\n        *b\n    elif c:\n        2\n    else:\n        3\n]",
			"(= x [(if a 1 *b else (if c 2 else [3]))])"},
		// dict_comp, config_expr, config_entry, if_entry
		{"dict_comp: every entry operator", "x = {k: v for k in a}\ny = {k = v for k in a}\nz = {k += v for k in a}",
			"(= x {k : v for k in a})\n(= y {k = v for k in a})\n(= z {k += v for k in a})"},
		{"config_entry: every form", "x = {a: 1, b = 2, c += [3], **d, if e: f = 4}", "(= x {a : 1, b = 2, c += [3], **d, (if e f = 4)})"},
		{"if_entry: block form with every entry kind", "x = {\n    if a:\n        b = 1\n        **c\n        if d: e = 2\n    elif f:\n        g: 3\n    else:\n        h += [4]\n}",
			"(= x {(if a b = 1, **c, (if d e = 2) else (if f g : 3 else {h += [4]}))})"},
		// schema_expr
		{"schema_expr: every form", "x = [S {}, pkg.S {}, S(1) {}, pkg.S(a, b=1) {c = 2}]",
			"(= x [(new S {}) (new pkg.S {}) (new S (1) {}) (new pkg.S (a b=1) {c = 2})])"},
		// lambda_expr
		{"lambda_expr: every form", "f = lambda { 1 }\ng = lambda x, y: int = 1 -> int {\n    z = x + y\n    z\n}",
			"(= f (lambda [] {(expr 1)}))\n(= g (lambda [x, y:int=1] -> int {(= z (+ x y)); (expr z)}))"},
		// number and multiplier
		{"number: every base and multiplier", "x = [0, 10, 0x1F, 0o17, 017, 0b101, 1.5, 0.5, 1e3, 1.5e-3, 1., 1_000, 1n, 1u, 1m, 1k, 1K, 1M, 1G, 1T, 1P, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi]",
			"(= x [0 10 0x1F 0o17 017 0b101 1.5 0.5 1e3 1.5e-3 1. 1_000 1n 1u 1m 1k 1K 1M 1G 1T 1P 1Ki 1Mi 1Gi 1Ti 1Pi])"},
		// string: STRING | LONG_STRING, raw and interpolated
		{"string: every form", "x = ['a', \"b\", '''c''', \"\"\"d\"\"\", r'\\e', R\"\\f\", r'''\\g''', \"${h}\"]",
			"(= x [\"a\" \"b\" \"c\" \"d\" \"\\\\e\" \"\\\\f\" \"\\\\g\" (str ${h})])"},
		{"string: interpolation format specs, any case", "x = \"${a    : #JSON} ${b:#Yaml}\"", "(= x (str ${a:#JSON} \" \" ${b:#Yaml}))"},
		{"string: interpolation format specs", "x = \"${a: #json}${b:#yaml}${ e['c'] }${d[1:2]}\"",
			"(= x (str ${a:#json} ${b:#yaml} ${([] e \"c\")} ${([] d 1:2:_)}))"},
		// "Multiple adjacent string literals ... are allowed, and their
		// meaning is the same as their concatenation"; in a list or config
		// a literal on a new line is a new entry
		{"string: adjacent literals", "x = \"a\" 'b' r'\\c' '''d'''\ny = (\"a\"\n    \"b\")\nz = [\"a\" \"b\"\n    \"c\"]",
			"(= x \"ab\\\\cd\")\n(= y (paren \"ab\"))\n(= z [\"ab\" \"c\"])"},
		{"string: adjacent literals with interpolation", "x = \"a${b}\" 'c' \"${d}\"", "(= x (str \"a\" ${b} \"c\" ${d}))"},
		// NAME: /\$?[a-zA-Z_]\w*/
		{"NAME: $-escaped keywords and reserved words", "$schema = $final = _a1", "(= schema final _a1)"},
		// line joining
		{"explicit and implicit line joining", "x = 1 + \\\n    2\ny = f(\n    1,\n)", "(= x (+ 1 2))\n(= y (call f 1))"},
	})
}

// TestLiteralValues checks the values the parser computes for number and
// string literals.
func TestLiteralValues(t *testing.T) {
	ints := []struct {
		src  string
		want int64
	}{
		{"0", 0}, {"10", 10}, {"0x1F", 31}, {"0o17", 15}, {"017", 15}, {"007", 7}, {"0b101", 5},
		{"1_000_000", 1000000}, {"0x_ff", 255}, {"0_5", 5},
	}
	for _, tt := range ints {
		t.Run(tt.src, func(t *testing.T) {
			_, value := assignedValue(t, tt.src)
			n, ok := value.(*NumberLit)
			require.True(t, ok)
			assert.False(t, n.IsFloat)
			assert.Equal(t, tt.want, n.Int)
		})
	}
	floats := []struct {
		src  string
		want float64
	}{
		{"1.5", 1.5}, {"0.5", 0.5}, {"1.", 1}, {"1e3", 1000}, {"1_0.2_5", 10.25}, {"1.5e-3", 0.0015},
	}
	for _, tt := range floats {
		t.Run(tt.src, func(t *testing.T) {
			_, value := assignedValue(t, tt.src)
			n, ok := value.(*NumberLit)
			require.True(t, ok)
			assert.True(t, n.IsFloat)
			assert.Equal(t, tt.want, n.Float)
		})
	}
	strs := []struct {
		name string
		src  string
		want string
	}{
		{"simple escapes", `"\\\'\"\a\b\f\n\r\t\v"`, "\\'\"\a\b\f\n\r\t\v"},
		{"hex escape is a code point", `"\x41\xe9\xff"`, "Aéÿ"},
		{"octal escapes up to \\777", `"\101\0\777"`, "A\x00\u01ff"},
		{"unicode escapes", `"\u00e9\U0001F600"`, "é😀"},
		{"lone surrogate becomes U+FFFD", `"\ud800"`, "\ufffd"},
		{"named characters", `"\N{EM DASH}\N{latin small letter a}\N{GRINNING FACE}\N{CJK UNIFIED IDEOGRAPH-4E00}"`, "—a😀一"},
		{"unknown escapes are kept", `"\d\w"`, `\d\w`},
		{"escaped line break", "\"a\\\nb\"", "ab"},
		{"raw strings keep escapes", `r"\n\N{EM DASH}"`, `\n\N{EM DASH}`},
		{"long string with quotes", `'''a "b" 'c' '''`, `a "b" 'c' `},
		{"double dollar without interpolation", `"$$a $$"`, "$$a $$"},
	}
	for _, tt := range strs {
		t.Run(tt.name, func(t *testing.T) {
			_, value := assignedValue(t, tt.src)
			s, ok := value.(*StringLit)
			require.True(t, ok, "got %T", value)
			assert.Equal(t, tt.want, s.Value)
		})
	}
}

// TestSpecErrors checks the messages for what the specification rules out.
func TestSpecErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"octal digit out of range", "x = 019\n", []string{"main.k:1:5: invalid digit '9' in octal literal 019 (a number starting with 0 is octal)"}},
		{"unknown character name", "x = \"a\\N{NO SUCH THING}\"\n", []string{`main.k:1:7: unknown Unicode character name "NO SUCH THING" in \N{...}`}},
		{"\\N without braces", "x = \"\\Nab\"\n", []string{`main.k:1:6: invalid escape \N: want a Unicode character name in braces, as in \N{EM DASH}`}},
		{"code point out of range", "x = \"\\U00110000\"\n", []string{`main.k:1:6: escape \U00110000 is not a valid Unicode code point`}},
		{"same quote inside an interpolation", "x = \"${a[\"k\"]}\"\ny = 1 +\n", []string{
			`main.k:1:6: unterminated string interpolation: the string ends at the " inside '${…}'; a string in an interpolation must use the other quote character, as in "${d['k']}"`,
			"main.k:2:8: expected one of [\"identifier\", \"literal\", \"(\", \"[\", \"{\"] got newline"}},
		{"format spec without #", "x = \"${a: json}\"\n", []string{`main.k:1:10: invalid format spec "json" in string interpolation: it starts with '#', as in ${x: #json} or ${x: #yaml}`}},
		{"unknown format spec", "x = \"${a: #js}\"\n", []string{`main.k:1:10: invalid format spec "#js" in string interpolation: want #json or #yaml`}},
		{"empty format spec", "x = \"${a:}\"\n", []string{`main.k:1:10: invalid format spec "" in string interpolation: it starts with '#', as in ${x: #json} or ${x: #yaml}`}},
		{"same single quote inside an interpolation", "x = '${f('a')}'\n", []string{
			`main.k:1:6: unterminated string interpolation: the string ends at the ' inside '${…}'; a string in an interpolation must use the other quote character, as in '${d["k"]}'`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, errorTexts(tt.src), "source:\n%s", tt.src)
		})
	}
}
