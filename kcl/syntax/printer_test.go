package syntax

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// roundTrip prints f, reparses the output and reports a difference.
func roundTrip(t testing.TB, f *File) {
	t.Helper()
	out := Print(f)
	g, errs := ParseFile("printed.k", []byte(out))
	require.Empty(t, errs, "printed source does not parse:\n%s", out)
	assert.Equal(t, sx(f), sx(g), "printed source:\n%s", out)
}

func TestPrintRoundTripCorpus(t *testing.T) {
	files := corpusFiles(t)
	golden, err := filepath.Glob("testdata/golden/*.k")
	require.NoError(t, err)
	for _, name := range append(files, golden...) {
		src, err := os.ReadFile(name)
		require.NoError(t, err)
		f, errs := ParseFile(name, src)
		if len(errs) > 0 {
			continue // golden files with deliberate errors
		}
		t.Run(filepath.ToSlash(name), func(t *testing.T) { roundTrip(t, f) })
	}
}

func TestPrint(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"assign", "a=1+2*3", "a = 1 + 2 * 3\n"},
		{"config layout: an inline if on one line holds one entry", "a = {b = 1, if c: d = 2, e: [1, 2]}", "a = {\n    b = 1\n    if c:\n        d = 2\n    e: [1, 2]\n}\n"},
		{"config layout: entries on later lines", "a = {b = 1, if c: d = 2\n  e: [1, 2]}", "a = {\n    b = 1\n    if c:\n        d = 2\n    e: [1, 2]\n}\n"},
		{"schema", "@info\nschema A[x: int](B):\n  '''doc'''\n  a?: str = 'x'\n  [k: str]: int\n  check:\n    a, 'm'",
			"@info\nschema A[x: int](B):\n    '''doc'''\n    [k: str]: int\n    a?: str = 'x'\n    check:\n        a, 'm'\n"},
		{"lambda", "f = lambda x: int -> int { x + 1 }", "f = lambda x: int -> int {\n    x + 1\n}\n"},
		{"keywords are escaped", "$if = a.$filter", "$if = a.$filter\n"},
		{"elif", "if a:\n  b = 1\nelif c:\n  b = 2\nelse:\n  b = 3", "if a:\n    b = 1\nelif c:\n    b = 2\nelse:\n    b = 3\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := parseOK(t, tt.src)
			assert.Equal(t, tt.want, Print(f))
			roundTrip(t, f)
		})
	}
}
