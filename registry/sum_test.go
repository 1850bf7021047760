package registry

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpm-dev/kpm/internal/testpkg"
)

func TestSum(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"known value from the compat notes", map[string]string{"test": "test"}, "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="},
		{".git and .tar paths are skipped", map[string]string{"test": "test", ".git/HEAD": "x", "a.tar": "y", "sub/.gitignore": "z", "b.tar.gz": "w"}, "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="},
		{"contents concatenated in walk order", map[string]string{"b": "st", "a/x": "te"}, "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="},
		{"empty package", map[string]string{}, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			testpkg.WriteTree(t, dir, tt.files)
			got, err := Sum(dir)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	_, err := Sum(filepath.Join(t.TempDir(), "missing"))
	assert.ErrorContains(t, err, "missing")

	// A package root reached through a symlink is hashed like the real one.
	real := t.TempDir()
	testpkg.WriteTree(t, real, map[string]string{"test": "test"})
	link := filepath.Join(t.TempDir(), "link")
	require.NoError(t, os.Symlink(real, link))
	got, err := Sum(link)
	require.NoError(t, err)
	assert.Equal(t, "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=", got)
}

func TestPackSelection(t *testing.T) {
	files := map[string]string{
		"kcl.mod": "[package]", "kcl.mod.lock": "", "main.k": "a = 1", ".hidden": "h",
		".git/config": "x", "old.tar": "t", "vendor/dep/x.k": "v", "docs/readme.md": "d",
		"sub/deep/file.k": "f", "sub/notes.md": "n", "empty/.keep": "",
	}
	tests := []struct {
		name             string
		include, exclude []string
		want             []string
	}{
		{name: "default rule", want: []string{".hidden", "docs/", "docs/readme.md", "empty/", "empty/.keep", "kcl.mod", "kcl.mod.lock", "main.k", "sub/", "sub/deep/", "sub/deep/file.k", "sub/notes.md", "vendor/", "vendor/dep/", "vendor/dep/x.k"}},
		{name: "exclude globs", exclude: []string{"*.md", "vendor"}, want: []string{".hidden", "docs/", "empty/", "empty/.keep", "kcl.mod", "kcl.mod.lock", "main.k", "sub/", "sub/deep/", "sub/deep/file.k"}},
		{name: "include globs", include: []string{"kcl.mod", "**/*.k"}, want: []string{"kcl.mod", "main.k", "sub/", "sub/deep/", "sub/deep/file.k", "vendor/", "vendor/dep/", "vendor/dep/x.k"}},
		{name: "rooted glob", include: []string{"sub/*"}, exclude: []string{"sub/notes.md"}, want: []string{"sub/", "sub/deep/", "sub/deep/file.k"}},
	}
	dir := t.TempDir()
	testpkg.WriteTree(t, dir, files)
	wantSum, err := Sum(dir)
	require.NoError(t, err)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			sum, err := Pack(dir, &buf, PackOptions{Include: tt.include, Exclude: tt.exclude})
			require.NoError(t, err)
			assert.Equal(t, wantSum, sum, "the sum ignores include/exclude")
			names := testpkg.TarNames(t, buf.Bytes())
			sort.Strings(names)
			assert.Equal(t, tt.want, names)
		})
	}
}

func TestPackRefusesSymlinks(t *testing.T) {
	dir := t.TempDir()
	testpkg.WriteTree(t, dir, map[string]string{"kcl.mod": ""})
	require.NoError(t, os.Symlink("/etc/passwd", filepath.Join(dir, "link")))
	_, err := Pack(dir, io.Discard, PackOptions{})
	assert.ErrorContains(t, err, "link: only regular files and directories can be packed")
}
