package syntax

import (
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/golden")

func corpusFiles(t testing.TB) []string {
	var files []string
	err := filepath.WalkDir("testdata/corpus", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".k") {
			files = append(files, path)
		}
		return nil
	})
	require.NoError(t, err)
	return files
}

// TestCorpus parses every .k file of the realistic corpus: zero errors,
// consistent positions, children inside parents.
func TestCorpus(t *testing.T) {
	files := corpusFiles(t)
	require.GreaterOrEqual(t, len(files), 8)
	for _, name := range files {
		t.Run(filepath.ToSlash(name), func(t *testing.T) {
			src, err := os.ReadFile(name)
			require.NoError(t, err)
			f, errs := ParseFile(name, src)
			require.Empty(t, errs)
			require.NotEmpty(t, f.Body)
			assert.NoError(t, checkTree(src, f, errs))
			for _, s := range f.Body {
				_, bad := s.(*BadStmt)
				assert.False(t, bad, "bad statement at %s", s.Pos())
			}
		})
	}
}

// TestGolden compares the Dump of each testdata/golden/*.k file with its
// .golden file. Run `go test ./kcl/syntax -run TestGolden -update` to
// rewrite them after an intended change.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*.k")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, name := range files {
		t.Run(filepath.Base(name), func(t *testing.T) {
			src, err := os.ReadFile(name)
			require.NoError(t, err)
			f, errs := ParseFile(filepath.Base(name), src)
			var b strings.Builder
			b.WriteString(Dump(f))
			for _, e := range errs {
				b.WriteString("error: " + e.Error() + "\n")
			}
			golden := strings.TrimSuffix(name, ".k") + ".golden"
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(b.String()), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run with -update to create %s", golden)
			assert.Equal(t, string(want), b.String())
			assert.NoError(t, checkTree(src, f, errs))
		})
	}
}
