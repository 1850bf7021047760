package registry

import (
	"archive/tar"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpm-dev/kpm/internal/testpkg"
)

func TestSafeName(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{in: "a/b.k", want: "a/b.k"},
		{in: "./a/./b.k", want: "a/b.k"},
		{in: "./", want: "."},
		{in: "dir/", want: "dir"},
		{in: "a..b", want: "a..b"},
		{in: "", err: "empty name"},
		{in: "../x", err: "escapes"},
		{in: "a/../../x", err: "escapes"},
		{in: `..\x`, err: "escapes"},
		{in: "/etc/passwd", err: "absolute path"},
		{in: `C:\x`, err: "absolute path"},
		{in: "a\x00b", err: "NUL"},
	}
	for _, tt := range tests {
		got, err := safeName(tt.in)
		if tt.err != "" {
			require.ErrorIs(t, err, ErrUnsafeArchive, tt.in)
			assert.Contains(t, err.Error(), tt.err)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got)
	}
}

func TestWalkCompareMatchesFilepathWalk(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"a", "a.b/x", "a-b", "ab/c", "ab/c.d", "ab/c-d/e", "B", "b/a/c", "ba", "z"} {
		testpkg.WriteTree(t, dir, map[string]string{f: f})
	}
	var walked []string
	require.NoError(t, filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if info.Mode().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			walked = append(walked, filepath.ToSlash(rel))
		}
		return err
	}))
	for i := 1; i < len(walked); i++ {
		assert.Negative(t, walkCompare(walked[i-1], walked[i]), "%s before %s", walked[i-1], walked[i])
	}
}

// FuzzUnpack feeds arbitrary bytes to the extractor: it may fail, but it
// must never write outside its directory or create anything but regular
// files and directories.
func FuzzUnpack(f *testing.F) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	_ = tw.WriteHeader(&tar.Header{Name: "a/", Typeflag: tar.TypeDir, Mode: 0o755})
	_ = tw.WriteHeader(&tar.Header{Name: "a/b.k", Typeflag: tar.TypeReg, Mode: 0o644, Size: 3})
	_, _ = tw.Write([]byte("x=1"))
	_ = tw.WriteHeader(&tar.Header{Name: "../evil", Typeflag: tar.TypeReg, Size: 1})
	_, _ = tw.Write([]byte("e"))
	_ = tw.Close()
	f.Add(buf.Bytes())
	f.Add([]byte{0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff})
	f.Add([]byte("not a tar"))
	f.Fuzz(func(t *testing.T, data []byte) {
		root := t.TempDir()
		dir := filepath.Join(root, "pkg")
		require.NoError(t, os.Mkdir(dir, 0o755))
		_, _ = unpack(bytes.NewReader(data), dir, unpackLimits{maxSize: 1 << 20, maxEntries: 1000})
		entries, err := os.ReadDir(root)
		require.NoError(t, err)
		require.Len(t, entries, 1, "nothing written next to the package directory")
		require.NoError(t, filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			if !info.Mode().IsRegular() && !info.IsDir() {
				t.Fatalf("%s: unexpected file type %v", p, info.Mode())
			}
			return nil
		}))
	})
}

func TestUnpackStreamedSumMatchesSum(t *testing.T) {
	big := string(bytes.Repeat([]byte("0123456789abcdef"), (5<<20)/16+3)) // spans every hash block
	reg := func(name, body string) entry { return entry{Name: name, Type: tar.TypeReg, Body: body} }
	dir := func(name string) entry { return entry{Name: name, Type: tar.TypeDir} }
	tests := []struct {
		name    string
		entries []entry
		ordered bool // the checksum could be taken while extracting
	}{
		{name: "empty", entries: nil, ordered: true},
		{name: "walk order", ordered: true, entries: []entry{
			dir("a/"), dir("a/b/"), reg("a/b/y.k", "aby"), reg("a/x.k", "ax"), reg("a.k", "a"), reg("kcl.mod", "m"), reg("main.k", "k"),
		}},
		{name: "walk order: a/ before a-b", ordered: true, entries: []entry{
			reg("a/c", "2"), reg("a-b", "1"), reg("a0", "3"),
		}},
		{name: "walk order with skipped .git and .tar anywhere", ordered: true, entries: []entry{
			reg("z.tar", "skipped"), reg("a.k", "a"), reg(".git/HEAD", "skipped"), reg("b.k", "b"), reg("a.gitignore", "skipped"),
		}},
		{name: "big file and empty files", ordered: true, entries: []entry{
			reg("a/big", big), reg("a/empty", ""), reg("b", "tail"), reg("c", ""),
		}},
		{name: "many small files", ordered: true, entries: func() []entry {
			var es []entry
			for i := range 300 {
				es = append(es, reg(fmt.Sprintf("d/f%04d", i), strings.Repeat("x", i)))
			}
			return es
		}()},
		{name: "out of order", ordered: false, entries: []entry{
			reg("main.k", "k"), reg("kcl.mod", "m"), reg("a/x.k", "ax"),
		}},
		{name: "directory contents after a later sibling", ordered: false, entries: []entry{
			reg("a-b", "1"), reg("a/c", "2"),
		}},
		{name: "out of order after a big file", ordered: false, entries: []entry{
			reg("b", big), reg("a", "first"), reg("c", "last"),
		}},
		{name: "same file twice", ordered: false, entries: []entry{
			reg("a", "one"), reg("b", "two"), reg("b", "three"),
		}},
		{name: "unclean names", ordered: true, entries: []entry{
			reg("./a", "1"), reg("b/./c", "2"), reg("b//d", "3"),
		}},
	}
	for _, tt := range tests {
		for _, gz := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s gzip=%v", tt.name, gz), func(t *testing.T) {
				out := t.TempDir()
				res, err := unpack(bytes.NewReader(testpkg.Tar(t, gz, tt.entries...)), out, unpackLimits{maxSize: 1 << 30, maxEntries: 1000, sum: true})
				require.NoError(t, err)
				want, err := Sum(out)
				require.NoError(t, err)
				assert.Equal(t, tt.ordered, res.ordered)
				if res.ordered {
					assert.Equal(t, want, res.sum)
				}
			})
		}
	}
	requireNoOwnGoroutines(t)
}

func TestUnpackWithoutSum(t *testing.T) {
	out := t.TempDir()
	res, err := unpack(bytes.NewReader(testpkg.Tar(t, true, entry{Name: "a", Type: tar.TypeReg, Body: "a"})), out, unpackLimits{maxSize: 1 << 20, maxEntries: 10})
	require.NoError(t, err)
	assert.False(t, res.ordered, "no checksum asked for, none computed")
	assert.FileExists(t, filepath.Join(out, "a"))
}
