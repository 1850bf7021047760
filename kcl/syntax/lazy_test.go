package syntax

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParseFileFuncReparses: every file of the parser's corpus and of the engine's cases (errors
// included), parsed with every statement released and then each parsed again by File.Stmt, is the
// tree ParseFile makes, with the same errors; released again and parsed again, still the same.
func TestParseFileFuncReparses(t *testing.T) {
	var files []string
	for _, dir := range []string{"testdata", "../testdata/eval"} {
		require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".k") {
				files = append(files, path)
			}
			return err
		}))
	}
	require.Greater(t, len(files), 500)
	released, kept := 0, 0
	for _, name := range files {
		src, err := os.ReadFile(name)
		require.NoError(t, err)
		want, wantErrs := ParseFile(name, src)
		var visited []int
		got, gotErrs := ParseFileFunc(name, src, func(i int, st Stmt) bool {
			visited = append(visited, i)
			assert.Equal(t, Dump(want.Body[i]), Dump(st), "%s: statement %d as visited", name, i)
			return true
		})
		require.Equal(t, wantErrs, gotErrs, name)
		require.Len(t, got.Body, len(want.Body), name)
		assert.Len(t, visited, len(want.Body), name)
		for i := range got.Body {
			if got.Body[i] == nil {
				released++
			} else {
				kept++
			}
		}
		for round := 0; round < 2; round++ {
			for i := range got.Body {
				got.Stmt(i)
			}
			require.Equal(t, Dump(want), Dump(got), "%s: round %d", name, round)
			for i := range got.Body {
				got.Release(i)
			}
		}
	}
	t.Logf("%d files: %d statements released, %d kept", len(files), released, kept)
	assert.Greater(t, released, 2*kept, "most top-level statements can be released")
}

// TestParseFileFuncKeeps: what can not be parsed on its own is kept, whatever the visitor says.
func TestParseFileFuncKeeps(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		kept      []int // indexes of Body kept
	}{
		{"docstring and plain", "\"\"\"doc\"\"\"\na = 1\nb = 2  # note\n", nil},
		{"shared line", "a = 1; b = 2\nc = 3\n", []int{0, 1}},
		{"same line without ;", "a = 1 b = 2\nc = 3\n", []int{0, 1}},
		{"compound statements", "import math\nschema S:\n    x: int\nif True:\n    a = 1\nb = 2\n", []int{0, 1, 2}},
		{"after an error", "a = 1\nb = (\nc = 3\n", []int{1, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := ParseFileFunc("main.k", []byte(tc.src), func(int, Stmt) bool { return true })
			var kept []int
			for i, st := range f.Body {
				if st != nil {
					kept = append(kept, i)
				}
			}
			assert.Equal(t, tc.kept, kept)
		})
	}
}

// TestParseFileFuncMemory: a file whose statements are all released keeps a few bytes per
// statement (its Body slot and where the statement starts), not the syntax tree.
func TestParseFileFuncMemory(t *testing.T) {
	const n = 20000
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "c%d = {name = \"c%d\", port = %d}\n", i, i, i)
	}
	src := []byte(b.String())
	live := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	for _, tc := range []struct {
		name    string
		release bool
		max     uint64 // bytes kept per statement
	}{
		{"ParseFile", false, 1 << 20}, // the whole tree (measured, not bounded)
		{"released", true, 28},        // a Body slot (16) and where the statement starts (8)
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := live()
			f, errs := ParseFileFunc("main.k", src, func(int, Stmt) bool { return tc.release })
			require.Empty(t, errs)
			kept := (live() - base) / n
			runtime.KeepAlive(f)
			t.Logf("%d bytes kept per statement (%d bytes of source)", kept, len(src)/n)
			assert.LessOrEqual(t, kept, tc.max)
		})
	}
}

// BenchmarkReparse: parsing a file with every statement released and then each statement again
// (what kpm run's check and evaluation do) against parsing it once (the baseline), same run.
func BenchmarkReparse(b *testing.B) {
	var sb strings.Builder
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&sb, "c%d = {name = \"c%d\", port = %d}\n", i, i, i)
	}
	src := []byte(sb.String())
	var once, twice time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		ParseFile("main.k", src)
		once += time.Since(start)
		start = time.Now()
		f, _ := ParseFileFunc("main.k", src, func(int, Stmt) bool { return true })
		for j := range f.Body {
			f.Stmt(j)
			f.Release(j)
		}
		twice += time.Since(start)
	}
	b.ReportMetric(float64(twice)/float64(once), "reparsed/once")
}
