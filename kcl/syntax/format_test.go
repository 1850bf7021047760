package syntax

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFormatLayout(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"spacing, comments and blank lines",
			"import k8s.api.apps.v1 as apps\n# leading comment\nschema App:\n    \"\"\"An application.\"\"\"\n    name: str   # trailing\n    replicas?: int=1\n\n\n    labels: {str:str} = {}\n    check:\n        replicas>0, \"positive\"\napp = App {name = \"web\", labels={a=\"b\"}}\n",
			"import k8s.api.apps.v1 as apps\n\n# leading comment\nschema App:\n    \"\"\"An application.\"\"\"\n    name: str # trailing\n    replicas?: int = 1\n\n    labels: {str:str} = {}\n\n    check:\n        replicas > 0, \"positive\"\n\napp = App {name = \"web\", labels = {a = \"b\"}}\n"},
		{"one-line configs and lists stay on one line", "x = [1,2,3]\ny = {a:1,b:2}\n", "x = [1, 2, 3]\ny = {a: 1, b: 2}\n"},
		{"multi-line configs and lists get one entry per line",
			"b = {\n  a = 1, b = 2\n}\nc = [\n  1, 2,\n  3\n]\n",
			"b = {\n    a = 1\n    b = 2\n}\nc = [\n    1\n    2\n    3\n]\n"},
		{"comments inside configs", "d = {\n    # first\n    a = 1  # one\n\n    b = 2\n    # last\n}\n",
			"d = {\n    # first\n    a = 1 # one\n    b = 2\n    # last\n}\n"},
		{"blocks", "if True:\n  g = 1\nelif False:\n  g = 2\nelse:\n  g = 3\nf = lambda a:int, b=1 {\n  a+b\n}\n",
			"if True:\n    g = 1\nelif False:\n    g = 2\nelse:\n    g = 3\nf = lambda a: int, b = 1 {\n    a + b\n}\n"},
		{"comment at the end", "a = 1\n\n\n# end\n", "a = 1\n\n# end\n"},
		{"a lambda breaks up the config and list around it", "b = {k = 1, m = lambda { k }}\nl = [lambda { 1 }]\n",
			"b = {\n    k = 1\n    m = lambda {\n        k\n    }\n}\nl = [\n    lambda {\n        1\n    }\n]\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := Format([]byte(tc.src), "main.k")
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(out))
		})
	}
	_, err := Format([]byte("a = \n"), "bad.k")
	require.Error(t, err)
}

var positionRE = regexp.MustCompile(`@\d+:\d+-\d+:\d+|(\w+): \d+:\d+`)

// shape is a file's tree without positions: what formatting must keep.
func shape(f *File) string { return positionRE.ReplaceAllString(Dump(f), "$1") }

// firstDifference is the first line where two texts differ, for short failure messages.
func firstDifference(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range al {
		if i >= len(bl) || al[i] != bl[i] {
			other := "<end>"
			if i < len(bl) {
				other = bl[i]
			}
			return fmt.Sprintf("line %d: %q != %q", i+1, al[i], other)
		}
	}
	return "longer"
}

// Formatting never changes meaning (the same tree, the same comments) and is idempotent, on
// every KCL file of the repository.
func TestFormatEveryKCLFile(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	n := 0
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") && p != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".k") {
			return nil
		}
		src, err := os.ReadFile(p)
		require.NoError(t, err)
		f, errs := ParseFile(p, src)
		if len(errs) > 0 {
			return nil // files that test syntax errors
		}
		n++
		out, err := Format(src, p)
		require.NoError(t, err, p)
		g, errs := ParseFile(p, out)
		require.Empty(t, errs, "%s: formatted text does not parse:\n%s", p, out)
		if a, b := shape(f), shape(g); a != b {
			t.Errorf("%s: formatting changed the tree: %s", p, firstDifference(a, b))
		}
		again, err := Format(out, p)
		require.NoError(t, err)
		if string(out) != string(again) {
			t.Errorf("%s: formatting is not idempotent: %s", p, firstDifference(string(out), string(again)))
		}
		return nil
	})
	require.NoError(t, err)
	assert.Greater(t, n, 400, "KCL files checked")
}
