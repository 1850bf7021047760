package registry

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
		writeTree(t, dir, map[string]string{f: f})
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

func TestAsyncHashMatchesSHA256(t *testing.T) {
	for _, size := range []int{0, 1, 32 << 10, asyncChunk - 1, asyncChunk, 7*asyncChunk + 3, 20 * asyncChunk} {
		data := bytes.Repeat([]byte("kpm!"), size/4+1)[:size]
		want := sha256.Sum256(data)
		a := newAsyncHash(sha256.New())
		for off := 0; off < len(data); off += 32 << 10 {
			_, _ = a.Write(data[off:min(off+32<<10, len(data))])
		}
		assert.Equal(t, want[:], a.Sum(), "size %d", size)
		a.Close()

		p := newParallelHash(sha256.New())
		var buf bytes.Buffer
		_, _ = p.tee(&buf).Write(data)
		assert.Equal(t, want[:], p.Sum(), "size %d", size)
		assert.Equal(t, string(data), buf.String())
	}
}
