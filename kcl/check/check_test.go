package check

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpm-dev/kpm/internal/k8sgen"
)

// writeFiles writes a file tree ("path": "text") under a temporary directory.
func writeFiles(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	}
	return dir
}

func errorLines(info *Info) []string {
	var out []string
	for _, e := range info.Errors {
		out = append(out, fmt.Sprintf("%d:%d: %s: %s", e.Span.From.Line, e.Span.From.Col, e.Kind, e.Msg))
	}
	return out
}

// The expected findings are what kcl-lib 0.13.2 reports for the same programs (kinds,
// messages and positions).
func TestCheckReportsAsTheReference(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		want []string
	}{
		{"unknown name", "x = y + 1\n", []string{"1:5: CompileError: name 'y' is not defined"}},
		{"unknown member with suggestion", "schema Person:\n    name: str\n    age?: int\n\np = Person {\n    nam: \"x\"\n}\n",
			[]string{"5:12: CompileError: attribute 'name' of Person is required and can't be None or Undefined",
				`6:5: CompileError: Cannot add member 'nam' to schema 'Person', did you mean '["name"]'?`}},
		{"unknown member without suggestion", "schema Strict:\n    a: int\n\ns = Strict {a = 1, b = 2}\n",
			[]string{"4:20: CompileError: Cannot add member 'b' to schema 'Strict'"}},
		{"attribute type", "schema Person:\n    name: str\n    age?: int\n\np = Person {\n    name: \"x\"\n    age: \"y\"\n}\n",
			[]string{"7:5: TypeError: expected int, got str(y)"}},
		{"nested attributes", `schema Spec:
    replicas: int
    labels: {str:str}
    ports: [int]
    kind: "A" | "B"
schema D:
    spec: Spec
d = D {
    spec: {
        replicas: "x"
        labels: {a: 1}
        ports: ["p"]
        kind: "C"
        extra: 1
    }
}
`, []string{
			"10:9: TypeError: expected int, got str(x)",
			"11:18: TypeError: expected str, got int(1)",
			"11:9: TypeError: expected {str:str}, got {str(a):int(1)}",
			"12:9: TypeError: expected [int], got [str(p)]",
			"13:9: TypeError: expected str(A) | str(B), got str(C)",
			"14:9: CompileError: Cannot add member 'extra' to schema 'Spec'",
		}},
		{"annotation", "a: int = \"s\"\n", []string{"1:1: TypeError: expected int, got str(s)"}},
		{"number multiplier", "z: int = 1Ki\n", []string{"1:1: TypeError: expected int, got number_multiplier(1Ki)"}},
		{"instance attribute", "schema Server:\n    host: str\ns = Server {host = \"a\"}\nh = s.hots\n",
			[]string{`4:5: TypeError: attribute 'hots' not found in 'Server', did you mean '["host"]'?`}},
		{"lambda arguments", "f = lambda a: int, b: str { a }\nx = f()\ny = f(1, \"a\", 3)\n", []string{
			"2:5: CompileError: expected 2 positional arguments, found 0",
			`3:15: CompileError: "f" takes 2 positional arguments but 3 were given`,
		}},
		{"builtin arguments", "y = len([1], 2)\n", []string{`1:14: CompileError: "len" takes 1 positional argument but 2 were given`}},
		{"module members", "import math\nz = math.foo(1)\nw = math.sqrt()\n", []string{
			"2:5: TypeError: attribute 'foo' not found in 'module 'math''",
			"3:5: CompileError: expected 1 positional argument, found 0",
		}},
		{"schema arguments", "schema P[a: int]:\n    n: int = a\nx = P(1, 2) {}\nschema Plain:\n    a?: int\ny = Plain(1) {}\n", []string{
			`3:10: CompileError: "P" takes 1 positional argument but 2 were given`,
			`6:11: CompileError: "Plain" takes 0 positional argument but 1 were given`,
		}},
		{"schema keyword arguments", "schema Sized[size: int]:\n    n: int = size\ns = Sized(sise=1) {}\n", []string{
			`3:11: CompileError: "Sized" got an unexpected keyword argument 'sise', did you mean 'size'?`,
			"3:5: CompileError: expected 1 positional argument, found 0",
		}},
		{"unknown name in a check", "schema A:\n    x: [str]\n    check:\n        all n in x { regex.match(n, \"a\") }\n",
			[]string{"4:22: CompileError: name 'regex' is not defined"}},
		{"unknown name in a default", "schema P:\n    name: str = undefined_helper()\n",
			[]string{"2:17: CompileError: name 'undefined_helper' is not defined"}},
		{"unknown module", "import not_a_real_module\n", []string{"1:8: CannotFindModule: pkgpath not_a_real_module not found in the program"}},
		{"operators outside the reference's tables", "a = \"a\" < \"b\"\nb = 1Ki + 1\nc = \"a\" + 1\nd = 1 / 0\n", []string{
			"1:5: TypeError: unsupported operand type(s) for <: 'str(a)' and 'str(b)'",
			"2:5: TypeError: unsupported operand type(s) for +: 'number_multiplier(1Ki)' and 'int(1)'",
			"3:5: TypeError: unsupported operand type(s) for +: 'str(a)' and 'int(1)'",
			"4:5: TypeError: integer division or modulo by zero"}},
		{"a variable used before its declaration: annotation and parameters known",
			"x = f(1, 2)\nz = y < \"a\"\nf = lambda a { a }\ny: int = 1\n", []string{
				"1:10: CompileError: \"f\" takes 1 positional argument but 2 were given",
				"2:5: TypeError: unsupported operand type(s) for <: 'int' and 'str(a)'"}},
		{"a schema unified before its declaration", "_p = 1\n_p = cfg.a\ncfg: S {a = 1.5}\nschema S:\n    a: float\n",
			[]string{"2:1: TypeError: expected int, got float"}},
		{"a variable first set to None takes its next value's type", "_x = None\nif True:\n    _x = 1\n_y = _x < \"a\"\n_x = \"s\"\n",
			[]string{"4:6: TypeError: unsupported operand type(s) for <: 'int' and 'str(a)'", "5:1: TypeError: expected int, got str(s)"}},
		{"a lambda's result against its return type", "f = lambda x: str -> int { x }\ng = lambda -> int { \"not an int\" }\n",
			[]string{"1:28: TypeError: expected int, got str"}},
		{"a recursive lambda's calls (its value is walked again once its type is known)", "f = lambda x {\n    f(x, 1)\n}\n",
			[]string{"2:10: CompileError: \"f\" takes 1 positional argument but 2 were given"}},
		{"a schema with an index signature has no required attributes, also when first used before its declaration",
			"cfg: S {a = 1}\nschema S:\n    a: int\n    b: int\n    [k: str]: int\n", nil},
		{"a variable keeps its first type", "_x = 1\nif True:\n    _x = 1.5\n", []string{"3:5: TypeError: expected int, got float(1.5)"}},
		{"argument types", "a = len(1)\nb = \"-\".join(\"abc\")\n", []string{
			"1:9: TypeError: expected str | {any:any} | [any], got int(1)", "2:14: TypeError: expected [any], got str(abc)"}},
		{"attribute of a list", "x = [1]\na = x.len\n", []string{"2:5: TypeError: attribute 'len' not found in '[int]'"}},
		{"required attribute in code never run", "schema S:\n    a: str\nf = lambda { S {} }\n",
			[]string{"3:16: CompileError: attribute 'a' of S is required and can't be None or Undefined"}},
		{"rule members", "rule R:\n    True\nr = R {a = 1}\n", []string{"3:8: CompileError: Cannot add member 'a' to schema 'R'"}},
		// What the reference accepts.
		{"config keys are names", "d = {\n    name = \"web\"\n    image = name + \":latest\"\n    labels = {app = name}\n}\n", nil},
		{"schema config keys are names", "schema Svc:\n    name: str\n    host: str\ns = Svc {\n    name = \"api\"\n    host = name + \".svc\"\n}\n", nil},
		{"index signature", "schema M:\n    [str]: int\n    a: int\nm = M {a: 1, b: 2}\n", nil},
		{"index signature with dotted keys", "schema Spec:\n    full: str\nschema SpecMap:\n    [key: str]: Spec = Spec {}\nteams = SpecMap {\n    x.full = \"X-ray\"\n}\n", nil},
		{"attributes assigned in the body", "schema App:\n    env: str\n    if env == \"prod\":\n        replicas = 3\n    else:\n        replicas = 1\np = App {env = \"prod\"}\n", nil},
		{"inheritance and mixins", `schema Base:
    name: str
mixin LabelMixin:
    labels: {str:str} = {app = name}
schema App(Base):
    mixin [LabelMixin]
    port: int = 80
a = App {name = "a", labels = {x = "y"}, port = 8080}
n = a.name
`, nil},
		{"attribute named like a module", "import math\nschema S:\n    math?: str\n    v: float = math.sqrt(4)\n", nil},
		{"lambdas and comprehensions", "add = lambda x: int, y: int = 1 -> int { z = x + y\n z }\nv = add(1)\nl = [add(i) for i in range(3) if i > 0]\nd = {k: v for k, v in {a = 1}}\nq = all x in l { x > 0 }\n", nil},
		{"string methods", "s = \"a,b\".split(\",\")\nu = \"x\".upper()\n", nil},
		{"union with None", "schema P:\n    a?: int\np = P {a = None}\n", nil},
		{"operators on a union of numbers", "x: int | float = 1\ny = x + 1\nz = x < 2\n", nil},
		{"a first value of unknown type", "_x = []\n_x = [\"a\"]\n_x = [1]\n_y = None\n_y = \"a\"\n", nil},
		{"keys of a config literal", "d = {a = 1, b = {c = 2}}\nc = d[\"b\"][\"c\"] + d.b.c\n", nil},
		{"required attributes left to evaluation", "schema P:\n    x: int = 1\nschema S(P):\n    a: str\nf = lambda { S {} }\n" +
			"schema T:\n    a: str\n    b: int = 1\nx: T {a = \"x\"}\nx: T {b = 2}\n", nil},
		{"as narrows", "schema B:\n    a: int = 1\nschema C(B):\n    b: int = 2\nx: B = C {}\ny = x as C\nz: int | str = 1\nw = z as int\n", nil},
		{"a variable used before its declaration is not known yet", "x = w < \"a\"\n_p = v\n_p = -3.75\nf = lambda { w < \"b\" }\nw = \"s\"\nv = 1\n", nil},
		{"union members a wider member covers", "x: str = \"a\"\ny = (x if True else \"b\")[0]\n", nil},
		{"a unification a later one repeats", "schema S:\n    a: int = 1\ncfg: S {a = nope}\ncfg: S {a = 1}\n", nil},
		{"a bool for a number parameter", "import math\na = math.ceil(True)\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"main.k": tc.src})
			c := New(Config{Resolver: NewResolver(dir, nil, nil)})
			info := c.Check(filepath.Join(dir, "main.k"))
			require.Empty(t, info.Syntax)
			assert.Equal(t, tc.want, errorLines(info))
		})
	}
}

func k8sDep(t testing.TB) Dep {
	t.Helper()
	dir := t.TempDir()
	_, err := k8sgen.Write(dir, k8sgen.Options{Groups: 2, KindsPerGroup: 2})
	require.NoError(t, err)
	return Dep{Name: "k8s", Dir: dir, Version: "1.31.2", ReadOnly: true}
}

const deploymentProgram = `import k8s.api.apps.v1 as apps

d = apps.Deployment {
    metadata.name = "web"
    spec = {
        replicas = "3"
        selector.matchLabels = {app = "web"}
        template.spec.containers = [{name = "web", image = "nginx", porst = []}]
    }
}
n = d.metadata.name
`

// A dependency resolves its own absolute imports against its root, and the types of its
// schemas reach the checks of the main package at any depth.
func TestCheckAcrossDependency(t *testing.T) {
	dep := k8sDep(t)
	dir := writeFiles(t, map[string]string{"main.k": deploymentProgram, "kcl.mod": "[package]\nname = \"app\"\n"})
	c := New(Config{Resolver: NewResolver(dir, []Dep{dep}, nil)})
	info := c.Check(filepath.Join(dir, "main.k"))
	assert.Equal(t, []string{
		"6:9: TypeError: expected int, got str(3)",
		`8:69: CompileError: Cannot add member 'porst' to schema 'Container', did you mean '["ports"]'?`,
	}, errorLines(info))

	// every name of the program is recorded with its declaration
	var got []string
	c.With(func() {
		for _, r := range info.Refs {
			rel, _ := filepath.Rel(dep.Dir, r.Obj.File())
			got = append(got, fmt.Sprintf("%d:%d %s %s %s", r.Span.From.Line, r.Span.From.Col, r.Obj.Name, r.Obj.Kind, filepath.ToSlash(rel)))
		}
	})
	assert.Contains(t, got, "3:10 Deployment schema api/apps/v1/deployment.k")
	assert.Contains(t, got, "4:5 metadata attribute api/apps/v1/deployment.k")
	assert.Contains(t, got, "4:14 name attribute apimachinery/pkg/apis/meta/v1/object_meta.k")
	assert.Contains(t, got, "8:18 spec attribute api/core/v1/pod_template_spec.k")
	assert.Contains(t, got, "8:23 containers attribute api/core/v1/pod_spec.k")
	assert.Contains(t, got, "8:38 name attribute api/core/v1/container.k")
	assert.Contains(t, got, "11:16 name attribute apimachinery/pkg/apis/meta/v1/object_meta.k")
}

// An edit re-checks the edited package and what imports it; the dependency stays as it was.
func TestCheckIsIncremental(t *testing.T) {
	dep := k8sDep(t)
	dir := writeFiles(t, map[string]string{
		"main.k":        "import models\nm = models.Model {size = 1}\n",
		"models/a.k":    "schema Model:\n    size: int\n",
		"other/other.k": "import k8s.api.core.v1\ns = v1.Service {}\n",
	})
	overlay := map[string]string{}
	read := func(p string) ([]byte, error) {
		if s, ok := overlay[p]; ok {
			return []byte(s), nil
		}
		return os.ReadFile(p)
	}
	c := New(Config{Resolver: NewResolver(dir, []Dep{dep}, nil), ReadFile: read})
	main, other := filepath.Join(dir, "main.k"), filepath.Join(dir, "other", "other.k")
	first := c.Check(main)
	require.Empty(t, first.Errors)
	otherInfo := c.Check(other)
	assert.Same(t, first, c.Check(main), "unchanged: the same result")

	overlay[filepath.Join(dir, "models", "a.k")] = "schema Model:\n    size: str\n"
	again := c.Check(main)
	assert.NotSame(t, first, again)
	assert.Equal(t, []string{"2:19: TypeError: expected str, got int(1)"}, errorLines(again))
	assert.Same(t, otherInfo, c.Check(other), "a package that does not import the edited one is not re-checked")

	overlay[main] = "import models\nm = models.Model {size = \"1\"}\n"
	assert.Empty(t, errorLines(c.Check(main)))
}

func TestAttrDoc(t *testing.T) {
	doc := "Deployment enables updates.\n\nAttributes\n----------\nreplicas : int, default is Undefined, optional\n    Number of desired pods.\n    More text.\nselector : v1.LabelSelector, default is Undefined, required\n    Label selector.\n"
	assert.Equal(t, "Number of desired pods.\nMore text.", AttrDoc(doc, "replicas"))
	assert.Equal(t, "Label selector.", AttrDoc(doc, "selector"))
	assert.Equal(t, "", AttrDoc(doc, "missing"))
	assert.Equal(t, "Deployment enables updates.", SchemaSummary(doc))
	assert.True(t, strings.HasPrefix(SchemaSummary("A.\nB"), "A."))
}
