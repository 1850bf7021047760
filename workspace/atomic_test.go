package workspace

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAtomicWrites(t *testing.T) {
	tests := []struct {
		name        string
		existing    string // "" = no file before
		create      bool   // CreateFileAtomic instead of WriteFileAtomic
		perm        os.FileMode
		wantContent string
		wantCreated bool
	}{
		{"write a new file", "", false, 0o644, "new", true},
		{"write replaces", "old", false, 0o644, "new", true},
		{"write with mode 0600", "", false, 0o600, "new", true},
		{"create a new file", "", true, 0o600, "new", true},
		{"create keeps an existing file", "old", true, 0o600, "old", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "f")
			if tt.existing != "" {
				require.NoError(t, os.WriteFile(path, []byte(tt.existing), 0o600))
			}
			if tt.create {
				created, err := CreateFileAtomic(path, []byte("new"), tt.perm)
				require.NoError(t, err)
				assert.Equal(t, tt.wantCreated, created)
			} else {
				require.NoError(t, WriteFileAtomic(path, []byte("new"), tt.perm))
			}
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, tt.wantContent, string(data))
			if tt.wantCreated {
				fi, err := os.Stat(path)
				require.NoError(t, err)
				assert.Equal(t, tt.perm, fi.Mode().Perm())
			}
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			assert.Len(t, entries, 1, "no temporary file left")
		})
	}

	missing := filepath.Join(t.TempDir(), "missing", "f")
	_, err := CreateFileAtomic(missing, nil, 0o644)
	require.Error(t, err)
	assert.Contains(t, err.Error(), missing)
	err = WriteFileAtomic(missing, nil, 0o644)
	require.Error(t, err)
	assert.Contains(t, err.Error(), missing)
	assert.NoDirExists(t, filepath.Dir(missing))
}
