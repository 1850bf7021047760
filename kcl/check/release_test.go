package check

import (
	"fmt"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpm-dev/kpm/kcl"
	"github.com/kpm-dev/kpm/kcl/syntax"
)

// The check of a program lets go of the trees of its simple statements and parses them again
// when it needs them (Checker.parse): it must find what a check of the whole trees finds.
func TestProgramSameErrorsWithRelease(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		dep   map[string]string // the files of a dependency named dep
		main  []string          // entry files; main.k when empty
	}{
		{name: "forward references", files: map[string]string{"main.k": "a = b + 1\nc: str = d.x\nd = {x = 1}\nb = 2\n" +
			"e = f(1, 2)\nf = lambda x { x }\ng: int = h\nh: str = \"s\"\n"}},
		{name: "use before declaration in files and if blocks", main: []string{"a.k", "b.k"}, files: map[string]string{
			"a.k": "x = y.name + 1\nif True:\n    z = w\n    w = 1\nelse:\n    w = 2\nv = u\n",
			"b.k": "y = {name = \"n\"}\nu: int = \"s\"\n"}},
		{name: "immutability", files: map[string]string{"main.k": "a = 1\na = 2\nb = {x = 1}\nb.x = 3\n" +
			"if True:\n    c = 1\nelse:\n    c = 2\nd = 1\nd += 1\ntype T = int\nT = 1\n_p = 1\n_p = 2\n" +
			"schema S:\n    n: int = 1\nS = 1\ns = S {}\ns += S {}\nf = lambda { d += 1 }\n"}},
		{name: "unifications", files: map[string]string{"main.k": "schema S:\n    x: int\n" +
			"u: S {x = 1}\nu: S {x = \"a\"}\nv: S {x = \"b\"}\nw = u.y\nt = v.x + \"a\"\nr: S {y = 1}\nr = 2\n"}},
		{name: "imports", files: map[string]string{"kcl.mod": "[package]\nname = \"p\"\n",
			"main.k":  "import sub\nimport dep\na = sub.y + 1\nb: str = sub.w\nc: str = dep.n\nd = dep.missing\ne = sub.later\n",
			"sub/s.k": "later = y + 1\ny = 1\nw = \"a\"\nw = \"b\"\nv: int = \"s\"\n"},
			dep: map[string]string{"kcl.mod": "[package]\nname = \"dep\"\n", "d.k": "m = n + 1\nn = 1\n"}},
		{name: "types and calls", files: map[string]string{"main.k": "x: str = 1\ny = 1 + \"a\"\nz = len(1, 2)\n" +
			"l = [i + 1 for i in [\"a\"]]\nk = {a = 1, b = a + \"s\"}\nassert y == 1, \"m\"\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, tc.files)
			main := tc.main
			if main == nil {
				main = []string{"main.k"}
			}
			p := kcl.Program{Root: dir, Deps: map[string]string{}}
			for _, f := range main {
				p.Files = append(p.Files, filepath.Join(dir, f))
			}
			if tc.dep != nil {
				p.Deps["dep"] = writeFiles(t, tc.dep)
			}
			cfg := programConfig(p)
			released := New(cfg)
			cfg.ParseFile = syntax.ParseFile
			whole := New(cfg)

			got, want := released.program(p), whole.program(p)
			assert.Equal(t, fmt.Sprint(want), fmt.Sprint(got), "the program's errors")
			assert.NotEmpty(t, want, "a program of errors: %v", allErrors(whole))
			assert.Equal(t, allErrors(whole), allErrors(released), "the errors of every package")
			assert.Positive(t, releasedStmts(released), "statements released")
			assert.Zero(t, releasedStmts(whole))
		})
	}
}

// allErrors lists the errors of every file a checker checked.
func allErrors(c *Checker) []string {
	var out []string
	for _, p := range c.pkgs {
		for _, info := range p.infos {
			for _, e := range info.Errors {
				out = append(out, fmt.Sprintf("%s:%d:%d: %s: %s %v", e.File, e.Span.From.Line, e.Span.From.Col, e.Kind, e.Msg, e.Related))
			}
		}
	}
	sort.Strings(out)
	return out
}

// releasedStmts counts the top-level statements whose trees a checker let go of.
func releasedStmts(c *Checker) int {
	n := 0
	for _, p := range c.pkgs {
		for _, u := range p.units {
			if u.file == nil {
				continue
			}
			for _, st := range u.file.Body {
				if st == nil {
					n++
				}
			}
		}
	}
	return n
}

func TestReleasedStatementParsedOnceForItsType(t *testing.T) {
	// a global whose type is asked after its statement was checked: parsed again, then let go
	dir := writeFiles(t, map[string]string{"main.k": "a: int = 1\nb = lambda { a }\nc = b() + 1\nx = 1\n"})
	c := New(Config{NoRefs: true})
	c.With(func() {
		p := c.load(mainKey, ModuleRef{Dir: dir, Files: []string{filepath.Join(dir, "main.k")}}, true)
		require.Equal(t, 4, releasedStmts(c))
		a := p.Scope.Names["a"]
		a.typ = nil
		assert.Equal(t, Int, a.Type())
		assert.Equal(t, 4, releasedStmts(c), "released again once its type is known")
	})
}
