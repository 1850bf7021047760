package lsp

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The checker analyses an open document from the syntax tree the server already holds for it
// (one tree in memory, not two); a file that is not open is parsed by the checker itself.
func TestCheckerSharesTheDocumentTree(t *testing.T) {
	t.Setenv("KCL_PKG_PATH", t.TempDir())
	work := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(work, "kcl.mod"), []byte("[package]\nname = \"app\"\nversion = \"0.0.1\"\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(work, "other.k"), []byte("b = 2\n"), 0o644))
	s := NewServer(Options{})
	d := newDocument(pathToURI(filepath.Join(work, "main.k")), 1, "a = b + 1\n")
	s.docs.put(d)

	c, info := s.kclCheck(d)
	c.With(func() {
		require.NotNil(t, info.File)
		assert.Same(t, kclAnalysisOf(d).file, info.File)
		assert.Empty(t, info.Errors)
		assert.Equal(t, "b", info.Refs[len(info.Refs)-1].Obj.Name) // b resolved in other.k
	})
}
