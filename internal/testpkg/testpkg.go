// Package testpkg builds and reads package archives and directory trees for tests (registry/
// and cmd/kpm), and large generated programs (kcl, kcl/check). Only tests import it.
package testpkg

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Entry is one tar entry. A regular file's content is Body, or Size zero bytes when Size > 0
// (a large file without holding it in memory twice).
type Entry struct {
	Name     string
	Type     byte
	Body     string
	Size     int64
	Linkname string
}

// File is a regular-file Entry.
func File(name, body string) Entry { return Entry{Name: name, Type: tar.TypeReg, Body: body} }

// Dir is a directory Entry.
func Dir(name string) Entry { return Entry{Name: name, Type: tar.TypeDir} }

// Tar returns a tar archive (gzip-compressed when gz) of entries, in the order given.
func Tar(t testing.TB, gz bool, entries ...Entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.Writer = &buf
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(&buf)
		w = zw
	}
	tw := tar.NewWriter(w)
	for _, e := range entries {
		h := &tar.Header{Name: e.Name, Typeflag: e.Type, Mode: 0o644, Linkname: e.Linkname, ModTime: time.Unix(0, 0)}
		if e.Type == tar.TypeReg {
			h.Size = int64(len(e.Body))
			if e.Size > 0 {
				h.Size = e.Size
			}
		}
		if e.Type == tar.TypeDir {
			h.Mode = 0o755
		}
		require.NoError(t, tw.WriteHeader(h))
		if e.Type == tar.TypeReg {
			if e.Size > 0 {
				_, err := io.CopyN(tw, zeroReader{}, e.Size)
				require.NoError(t, err)
			} else {
				_, err := tw.Write([]byte(e.Body))
				require.NoError(t, err)
			}
		}
	}
	require.NoError(t, tw.Close())
	if zw != nil {
		require.NoError(t, zw.Close())
	}
	return buf.Bytes()
}

// Zeros returns an endless reader of zero bytes.
func Zeros() io.Reader { return zeroReader{} }

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TarNames returns the entry names of a gzip-compressed tar, in archive order.
func TarNames(t testing.TB, tgz []byte) []string {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(tgz))
	require.NoError(t, err)
	tr := tar.NewReader(gz)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		names = append(names, h.Name)
	}
	return names
}

// WriteTree creates files under dir from slash-separated name → content, with parent
// directories.
func WriteTree(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
}

// AssignStmt and ConfigStmt are the two statement shapes whose memory bench/memory.sh measures
// against the source size: `aI = I` and `cI = {name = "cI", port = I}`.
func AssignStmt(i int) string { return fmt.Sprintf("a%d = %d\n", i, i) }

// ConfigStmt: see AssignStmt.
func ConfigStmt(i int) string { return fmt.Sprintf("c%d = {name = \"c%d\", port = %d}\n", i, i, i) }

// WriteStatements writes n statements made by stmt into main.k of a new temporary directory
// and returns its path and size.
func WriteStatements(t testing.TB, n int, stmt func(i int) string) (path string, size int) {
	var b strings.Builder
	for i := range n {
		b.WriteString(stmt(i))
	}
	path = filepath.Join(t.TempDir(), "main.k")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	return path, b.Len()
}
