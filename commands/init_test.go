package commands

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpm-dev/kpm/registry"
)

func TestInit(t *testing.T) {
	tests := []struct {
		name     string
		dirName  string
		opts     InitOptions
		existing map[string]string
		wantName string
		wantVer  string
		files    []string
		kept     []string
		wantErr  string
	}{
		{name: "dir name", dirName: "my_app", wantName: "my_app", wantVer: "0.0.1",
			files: []string{"kcl.mod", "kcl.mod.lock", "main.k"}},
		{name: "explicit name and version", dirName: "x", opts: InitOptions{Name: "web-app", Version: "1.2.3"},
			wantName: "web-app", wantVer: "1.2.3", files: []string{"kcl.mod", "kcl.mod.lock", "main.k"}},
		{name: "keeps existing files", dirName: "keep", existing: map[string]string{"main.k": "a = 1\n"},
			wantName: "keep", wantVer: "0.0.1", files: []string{"kcl.mod", "kcl.mod.lock"}, kept: []string{"main.k"}},
		{name: "invalid name", dirName: "ok", opts: InitOptions{Name: "Bad_Name"},
			wantErr: `invalid package name "Bad_Name": must match ^[a-z][a-z0-9_]*(-[a-z0-9_]+)*$`},
		{name: "invalid name trailing dash", dirName: "ok", opts: InitOptions{Name: "a-"},
			wantErr: `invalid package name "a-"`},
		{name: "invalid dir name", dirName: "My Dir",
			wantErr: `directory name "My Dir" is not a valid package name`},
		{name: "invalid version", dirName: "ok", opts: InitOptions{Version: "1.x"},
			wantErr: `invalid version "1.x": want a semantic version like 1.2.3`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), tt.dirName)
			require.NoError(t, os.MkdirAll(dir, 0o755))
			for f, c := range tt.existing {
				require.NoError(t, os.WriteFile(filepath.Join(dir, f), []byte(c), 0o644))
			}
			opts := tt.opts
			opts.Dir = dir
			res, err := Init(context.Background(), opts)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				entries, _ := os.ReadDir(dir)
				assert.Empty(t, entries, "nothing written on error")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, dir, res.Path)
			assert.Equal(t, tt.wantName, res.Name)
			assert.Equal(t, tt.wantVer, res.Version)
			assert.Equal(t, tt.files, res.Files)
			assert.Equal(t, tt.kept, res.Kept)
			for f, c := range tt.existing {
				got, err := os.ReadFile(filepath.Join(dir, f))
				require.NoError(t, err)
				assert.Equal(t, c, string(got), "existing %s untouched", f)
			}
			m, err := loadPackage(dir)
			require.NoError(t, err)
			assert.Equal(t, tt.wantName, m.Name.Value)
			assert.Equal(t, tt.wantVer, m.Version.Value)
			assert.Equal(t, DefaultEdition, m.Edition.Value)
			lock, err := os.ReadFile(filepath.Join(dir, "kcl.mod.lock"))
			require.NoError(t, err)
			assert.Empty(t, lock)
			if len(tt.existing) == 0 {
				mainK, err := os.ReadFile(filepath.Join(dir, "main.k"))
				require.NoError(t, err)
				assert.Equal(t, "The_first_kcl_program = 'Hello World!'\n", string(mainK))
			}
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			assert.Len(t, entries, 3, "no temporary files left")
		})
	}
}

func TestLoadPackage(t *testing.T) {
	tests := []struct {
		name    string
		src     string // "" = no kcl.mod
		want    registry.Package
		wantErr string
	}{
		{name: "ok", src: "[package]\nname = \"app\"\nversion = \"0.1.0\"\ndescription = \"d\"\ninclude = [\"*.k\"]\nexclude = [\"t/*\"]\n",
			want: registry.Package{Name: "app", Version: "0.1.0", Description: "d", Include: []string{"*.k"}, Exclude: []string{"t/*"}}},
		{name: "missing file", wantErr: "push must run in a package root"},
		{name: "syntax", src: "[package]\nname = \"app\nversion = \"0.1.0\"\n", wantErr: "kcl.mod:2:12: missing closing quote"},
		{name: "no package", src: "x = 1\n", wantErr: "kcl.mod:1:1: missing [package] section"},
		{name: "no name", src: "[package]\nversion = \"0.1.0\"\n", wantErr: "[package] has no name"},
		{name: "bad name", src: "[package]\nname = \"App\"\nversion = \"0.1.0\"\n", wantErr: `kcl.mod:2:8: invalid package name "App"`},
		{name: "no version", src: "[package]\nname = \"app\"\n", wantErr: "kcl.mod: [package] has no version"},
		{name: "bad version", src: "[package]\nname = \"app\"\nversion = \"1.0/x\"\n", wantErr: `kcl.mod:3:11: invalid version "1.0/x"`},
		{name: "wrong type", src: "[package]\nname = 3\nversion = \"0.1.0\"\n", wantErr: "kcl.mod:2:8: package.name: want a string, got an integer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.src != "" {
				require.NoError(t, os.WriteFile(filepath.Join(dir, "kcl.mod"), []byte(tt.src), 0o644))
			}
			m, err := loadPackage(dir)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			got := registry.Package{Name: m.Name.Value, Version: m.Version.Value, Description: m.Description.Value,
				Include: values(m.Include), Exclude: values(m.Exclude)}
			assert.Equal(t, tt.want, got)
		})
	}
}
