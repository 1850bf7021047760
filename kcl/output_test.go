package kcl

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpm-dev/kpm/internal/testpkg"
)

func TestYAMLScalarString(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"hello", "hello"},
		{"", "''"},
		{"1", "'1'"},
		{"1.5", "'1.5'"},
		{"-1", "'-1'"},
		{"0x1F", "'0x1F'"},
		{"0o17", "'0o17'"},
		{"1e3", "'1e3'"},
		{"007", "'007'"},
		{"true", "'true'"},
		{"False", "'False'"},
		{"null", "'null'"},
		{"~", "'~'"},
		{".inf", "'.inf'"},
		{"a: b", "'a: b'"},
		{"a:b", "a:b"},
		{"key:", "'key:'"},
		{"- x", "'- x'"},
		{"-x", "'-x'"},
		{"+x", "'+x'"},
		{".x", "'.x'"},
		{"7 days", "'7 days'"},
		{"10.0.0.1", "'10.0.0.1'"},
		{"y", "'y'"},
		{"N", "'N'"},
		{"yEs", "'yEs'"},
		{"Off", "'Off'"},
		{"nIl", "'nIl'"},
		{"NaN", "'NaN'"},
		{"nULL", "'nULL'"},
		{"inf", "inf"},
		{"none", "none"},
		{"e5", "e5"},
		{"500m", "'500m'"},
		{"1:30", "'1:30'"},
		{".git", "'.git'"},
		{"on", "'on'"},
		{"Y", "'Y'"},
		{"nO", "'nO'"},
		{"yes please", "yes please"},
		{"# c", "'# c'"},
		{"a #c", "'a #c'"},
		{"a#c", "a#c"},
		{"it's", "it's"},
		{"'q'", "'''q'''"},
		{" lead", "' lead'"},
		{"trail ", "'trail '"},
		{"tab\tin", `"tab\tin"`},
		{"---", "'---'"},
		{"[x]", "'[x]'"},
		{"{x}", "'{x}'"},
		{"a,b", "a,b"},
		{"*a", "'*a'"},
		{"&a", "'&a'"},
		{"!a", "'!a'"},
		{"%a", "'%a'"},
		{"@a", "'@a'"},
		{"`a", "'`a'"},
		{"?", "'?'"},
		{"? x", "'? x'"},
		{"héllo", "héllo"},
		{"nginx:1.14.2", "nginx:1.14.2"},
		{"http://x.io/a?b=c", "http://x.io/a?b=c"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, yamlScalarString(tt.in, 2, false))
		})
	}
}

func TestYAMLBlockScalars(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"strip", "a\nb", "|-\n  a\n  b"},
		{"clip", "a\nb\n", "|\n  a\n  b"},
		{"keep", "a\n\n", "|+\n  a\n"},
		{"blank line", "a\n\nb", "|-\n  a\n\n  b"},
		{"leading space", " a\nb", "|2-\n   a\n  b"},
		{"trailing space on a line", "a \nb", `"a \nb"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, yamlScalarString(tt.in, 2, false))
		})
	}
}

func TestFormatFloats(t *testing.T) {
	tests := []struct {
		in         float64
		yaml, repr string
	}{
		{1, "1.0", "1.0"},
		{0.5, "0.5", "0.5"},
		{-2.25, "-2.25", "-2.25"},
		{1e16, "1e16", "10000000000000000.0"},
		{1e15, "1000000000000000.0", "1000000000000000.0"},
		{1.5e-7, "1.5e-7", "0.00000015"},
		{123456789.123, "123456789.123", "123456789.123"},
		{0.0001, "0.0001", "0.0001"},
		{math.Nextafter(0.3, 1), "0.30000000000000004", "0.30000000000000004"},
		{0, "0.0", "0.0"},
		{math.Inf(1), ".inf", "inf"},
	}
	for _, tt := range tests {
		t.Run(tt.repr, func(t *testing.T) {
			assert.Equal(t, tt.yaml, formatFloatYAML(tt.in))
			assert.Equal(t, tt.repr, formatFloatPy(tt.in))
		})
	}
}

func TestEncodeYAMLLayout(t *testing.T) {
	d := NewDict()
	inner := NewDict()
	inner.Set("k", "v")
	d.Set("list", []any{int64(1), inner, []any{int64(2)}, []any{}, NewDict()})
	d.Set("map", inner)
	d.Set("empty", NewDict())
	d.Set("none", nil)
	want := "list:\n- 1\n- k: v\n- - 2\n- []\n- {}\nmap:\n  k: v\nempty: {}\nnone: null\n"
	assert.Equal(t, want, encodeYAML(d))
	assert.Equal(t, "- 1\n- 2\n", encodeYAML([]any{int64(1), int64(2)}))
	assert.Equal(t, "hello\n", encodeYAML("hello"))
}

// Keys that libyaml cannot write as simple keys (multi-line, or over 128 bytes) take the
// "? key" / ": value" form; the expected texts are the reference's.
func TestEncodeYAMLExplicitKeys(t *testing.T) {
	long := strings.Repeat("k", 129)
	inner := NewDict()
	inner.Set("a", int64(1))
	d := NewDict()
	d.Set("x\ny", int64(1))
	d.Set(strings.Repeat("k", 128), int64(2))
	d.Set(long, int64(3))
	d.Set("p\nq\n", inner)
	d.Set("r\n", []any{int64(1), int64(2)})
	d.Set("s\n", []any{})
	d.Set("x\ny  ", int64(4))
	d.Set(" x\ny", int64(5))
	want := "? |-\n  x\n  y\n: 1\n" + strings.Repeat("k", 128) + ": 2\n? " + long + "\n: 3\n" +
		"? |\n  p\n  q\n: a: 1\n? |\n  r\n: - 1\n  - 2\n? |\n  s\n: []\n" +
		"? \"x\\ny  \"\n: 4\n? |2-\n   x\n  y\n: 5\n"
	assert.Equal(t, want, encodeYAML(d))
	item := NewDict()
	item.Set("x\ny", int64(1))
	item.Set("b", int64(2))
	assert.Equal(t, "- ? |-\n    x\n    y\n  : 1\n  b: 2\n", encodeYAML([]any{item}))
}

// A line or paragraph separator is a line break for libyaml, followed by the scalar's
// indentation; NEL (U+0085) is not printable, so double-quoted.
func TestEncodeYAMLSeparators(t *testing.T) {
	d := NewDict()
	d.Set("a", "a\u2028b")
	d.Set("b", "a\u0085b")
	d.Set("c", "a\u2029b\n")
	d.Set("d", "a\u2028")
	assert.Equal(t, "a: 'a\u2028  b'\nb: \"a\\Nb\"\nc: |\n  a\u2029  b\nd: 'a\u2028  '\n", encodeYAML(d))
}

func TestEncodeJSON(t *testing.T) {
	d := NewDict()
	d.Set("a", []any{int64(1), "x\"y"})
	d.Set("b", NewDict())
	d.Set("c", 1.0)
	assert.Equal(t, "{\n    \"a\": [\n        1,\n        \"x\\\"y\"\n    ],\n    \"b\": {},\n    \"c\": 1.0\n}", encodeJSON(d, "    "))
	assert.Equal(t, `{"a": [1, "x\"y"], "b": {}, "c": 1.0}`, encodeJSONCompact(d))
}

func TestValueEquality(t *testing.T) {
	l1 := &List{Items: []Value{int64(1), "a"}}
	l2 := &List{Items: []Value{int64(1), "a"}}
	tests := []struct {
		name string
		a, b Value
		want bool
	}{
		{"int float", int64(1), 1.0, true},
		{"int str", int64(1), "1", false},
		{"lists", l1, l2, true},
		{"none none", none, none, true},
		{"none undefined", none, undef, false},
		{"bool int", true, int64(1), false}, // as in the reference
		{"bool bool", false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, equal(tt.a, tt.b))
		})
	}
}

func TestRunErrors(t *testing.T) {
	tests := []struct {
		name, src string
		kind, msg string
		line, col int
	}{
		{"name", "a = b\n", KindName, "name 'b' is not defined", 1, 5},
		{"assert", "assert 1 > 2, \"nope\"\n", KindAssertion, "nope", 1, 1},
		{"immutable", "a = 1\na = 2\n", KindImmutable, "Can not change the value of 'a', because it was declared immutable", 2, 1},
		{"index", "a = [1][2]\n", KindEvaluation, "list index out of range: 2", 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "main.k"), []byte(tt.src), 0o644))
			_, err := Run(context.Background(), Options{Dir: dir})
			var ke *Error
			require.ErrorAs(t, err, &ke)
			assert.Equal(t, tt.kind, ke.Kind)
			assert.Equal(t, tt.msg, ke.Msg)
			assert.Equal(t, tt.line, ke.Line)
			assert.Equal(t, tt.col, ke.Col)
			assert.Equal(t, filepath.Join(dir, "main.k"), ke.File)
		})
	}
}

func TestRunSyntaxErrorsAreAllReported(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.k"), []byte("a = (\nb = 1 +\n"), 0o644))
	_, err := Run(context.Background(), Options{Dir: dir})
	var es Errors
	require.ErrorAs(t, err, &es)
	require.NotEmpty(t, es)
	assert.Equal(t, KindSyntax, es[0].Kind)
}

func TestRunWithDependencies(t *testing.T) {
	root := t.TempDir()
	dep := filepath.Join(root, "cache", "helloworld_0.1.0")
	require.NoError(t, os.MkdirAll(filepath.Join(dep, "sub"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dep, "main.k"), []byte("The_first_kcl_program = 'Hello World!'\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dep, "sub", "s.k"), []byte("schema S:\n    v: int = 1\n"), 0o644))
	app := filepath.Join(root, "app")
	require.NoError(t, os.MkdirAll(app, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(app, "main.k"), []byte(
		"import helloworld\nimport helloworld.sub as s\na = helloworld.The_first_kcl_program\nb = s.S {}\n"), 0o644))
	res, err := Run(context.Background(), Options{Dir: app, Deps: map[string]string{"helloworld": dep}})
	require.NoError(t, err)
	assert.Equal(t, "a: Hello World!\nb:\n  v: 1\n", res.Output)

	_, err = Run(context.Background(), Options{Dir: app})
	var ke *Error
	require.ErrorAs(t, err, &ke)
	assert.Equal(t, KindImport, ke.Kind)
}

func TestFileModuleConfinedToRoot(t *testing.T) {
	dir := t.TempDir()
	pkg := filepath.Join(dir, "pkg")
	require.NoError(t, os.MkdirAll(pkg, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "secret.txt"), []byte("s"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(pkg, "main.k"), []byte("import file\na = file.read(\"../secret.txt\")\n"), 0o644))
	_, err := Run(context.Background(), Options{Dir: pkg})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "outside the package root")
}

func TestRunCancelled(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.k"), []byte("a = [i for i in range(100000)]\n"), 0o644))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Run(ctx, Options{Dir: dir})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cancelled")
}

// An absolute import inside a dependency resolves against the dependency's root.
func TestRunDependencyImportsFromItsRoot(t *testing.T) {
	root := t.TempDir()
	testpkg.WriteTree(t, root, map[string]string{
		"dep/kcl.mod":   "[package]\nname = \"dep\"\n",
		"dep/sub/s.k":   "x = 1\nschema S:\n    a: int = 1\n",
		"dep/api/a.k":   "import sub\ny = sub.x + 1\ns = sub.S {}\n",
		"app/kcl.mod":   "[package]\nname = \"app\"\n",
		"app/main.k":    "import dep.api as a\nv = a.y\nt = typeof(a.s, full_name=True)\n",
		"app/sub/own.k": "x = 100\n",
	})
	res, err := Run(context.Background(), Options{Dir: filepath.Join(root, "app"), Deps: map[string]string{"dep": filepath.Join(root, "dep")}})
	require.NoError(t, err)
	assert.Equal(t, "v: 2\nt: dep.sub.S\n", res.Output)
}
