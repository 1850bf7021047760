package check

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpm-dev/kpm/kcl"
)

// Program reports what kcl-lib 0.13.2 reports before evaluating the same programs, and says
// nothing where the evaluator reports first (syntax errors, imports that name nothing).
func TestProgram(t *testing.T) {
	for _, tc := range []struct {
		name    string
		files   map[string]string
		entries []string
		overlay map[string]string
		want    []string // errors as "file:line:col: Kind: message", file relative
	}{
		{name: "clean program", files: map[string]string{"main.k": "schema A:\n    x: int\na = A {x = 1}\n"}},
		{name: "every error of the main package",
			files: map[string]string{"main.k": "a: int = \"s\"\nb = undefined_x\n"},
			want: []string{"main.k:1:1: TypeError: expected int, got str(s)",
				"main.k:2:5: CompileError: name 'undefined_x' is not defined"}},
		{name: "imported modules first, in import order",
			files: map[string]string{"kcl.mod": "[package]\nname = \"p\"\n", "sub/m.k": "a: int = \"x\"\n", "sub2/n.k": "x: int = \"y\"\n",
				"main.k": "import sub2\nimport sub\nb: str = 1\nc = sub.a\nd = sub2.x\n"},
			want: []string{"sub2/n.k:1:1: TypeError: expected int, got str(y)", "sub/m.k:1:1: TypeError: expected int, got str(x)",
				"main.k:3:1: TypeError: expected str, got int(1)"}},
		{name: "a module imported but not used is not compiled",
			files: map[string]string{"kcl.mod": "[package]\nname = \"p\"\n", "sub/m.k": "a = undefined_x\n", "used/n.k": "x = undefined_y\n",
				"main.k": "import sub\nimport used\nf = lambda { used.x }\n"},
			want: []string{"used/n.k:1:5: CompileError: name 'undefined_y' is not defined"}},
		{name: "only the entry files form the main package",
			files:   map[string]string{"main.k": "a = 1\n", "other.k": "b = undefined_x\n"},
			entries: []string{"main.k"}},
		{name: "the overlay is what is checked",
			files:   map[string]string{"main.k": "a = 1\n"},
			overlay: map[string]string{"main.k": "a: str = 1\n"},
			want:    []string{"main.k:1:1: TypeError: expected str, got int(1)"}},
		{name: "a syntax error is left to the evaluator",
			files: map[string]string{"main.k": "a = undefined_x\nb = (\n"}},
		{name: "an import that names nothing is left to the evaluator",
			files: map[string]string{"main.k": "import nowhere\na = undefined_x\n"}},
		{name: "plugin modules have any member",
			files: map[string]string{"main.k": "import kcl_plugin.greeter as greeter\nout = greeter.hi(\"x\")\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, tc.files)
			entries := tc.entries
			if entries == nil {
				entries = []string{"main.k"}
			}
			p := kcl.Program{Root: dir, Overlay: map[string][]byte{}}
			for _, e := range entries {
				p.Files = append(p.Files, filepath.Join(dir, e))
			}
			for f, src := range tc.overlay {
				p.Overlay[filepath.Join(dir, f)] = []byte(src)
			}
			err := Program(context.Background(), p)
			if tc.want == nil {
				assert.NoError(t, err)
				return
			}
			var errs kcl.Errors
			require.ErrorAs(t, err, &errs)
			var got []string
			for _, e := range errs {
				got = append(got, strings.TrimPrefix(e.Error(), dir+string(filepath.Separator)))
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestProgramCancelled: the check of a large program stops once its context is done (Ctrl-C
// during kpm run): a cancelled check reports the cancellation, and its walk has stopped before
// the last statement, whose error a whole check finds.
func TestProgramCancelled(t *testing.T) {
	var b strings.Builder
	for i := range 5 * pollEvery {
		fmt.Fprintf(&b, "a%d = %d\n", i, i)
	}
	b.WriteString("last: int = \"s\"\n")
	path := filepath.Join(t.TempDir(), "main.k")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	p := kcl.Program{Files: []string{path}, Root: filepath.Dir(path)}

	cfg := programConfig(p)
	cfg.Context = context.Background()
	assert.Len(t, New(cfg).program(p), 1, "the whole check finds the last statement's error")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cfg.Context = ctx
	assert.Empty(t, New(cfg).program(p), "the cancelled check stopped before the last statement")
	err := Program(ctx, p)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "evaluation cancelled")
}
