package workspace

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// compatLock is the example of compat §5 plus a git entry, a path entry and a quoted key.
const compatLock = `[dependencies]
  [dependencies.argo-cd]
    name = "argo-cd"
    full_name = "argo-cd_0.1.1"
    version = "0.1.1"
  [dependencies.helloworld]
    name = "helloworld"
    full_name = "helloworld_0.1.4"
    version = "0.1.4"
    sum = "9J9HOMhdypaDYf0J7PqtpGTdlkbxkN0HFEYhosHhf4U="
    reg = "ghcr.io"
    repo = "kcl-lang/helloworld"
    oci_tag = "0.1.4"
  [dependencies.konfig]
    name = "konfig"
    full_name = "konfig_v0.10.0"
    version = "v0.10.0"
    sum = "lkt8r4PChFwGAugSsG2K9WiJNgzk3vfvGKK2YH7sarg="
    url = "https://github.com/kcl-lang/konfig"
    git_tag = "v0.10.0"
`

func TestLockRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		src  string
	}{
		{"compat", compatLock},
		{"empty", ""},
		{"commit", "[dependencies]\n  [dependencies.x]\n    name = \"x\"\n    url = \"https://g/x\"\n    commit = \"abc\"\n"},
		{"branch", "[dependencies]\n  [dependencies.x]\n    name = \"x\"\n    url = \"https://g/x\"\n    branch = \"main\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lf, err := ParseLockFile("kcl.mod.lock", []byte(tt.src))
			require.NoError(t, err)
			assert.Equal(t, tt.src, string(lf.Bytes()))
		})
	}
	lf, err := ParseLockFile("kcl.mod.lock", []byte(compatLock))
	require.NoError(t, err)
	hw := lf.Dependencies["helloworld"]
	assert.Equal(t, "ghcr.io/kcl-lang/helloworld:0.1.4", hw.Reference())
	assert.Equal(t, "9J9HOMhdypaDYf0J7PqtpGTdlkbxkN0HFEYhosHhf4U=", hw.Sum)
}

func TestLockSortsAndQuotes(t *testing.T) {
	lf := &LockFile{Dependencies: map[string]*LockedDep{
		"zeta":    {Name: "zeta", Version: "1.0.0"},
		"a.b":     {Name: "a\"b", Version: "1"},
		"alpha_1": {Name: "alpha_1", Sum: "s", Reg: "r", Repo: "p", OCITag: "t"},
	}}
	want := "[dependencies]\n" +
		"  [dependencies.\"a.b\"]\n    name = \"a\\\"b\"\n    version = \"1\"\n" +
		"  [dependencies.alpha_1]\n    name = \"alpha_1\"\n    sum = \"s\"\n    reg = \"r\"\n    repo = \"p\"\n    oci_tag = \"t\"\n" +
		"  [dependencies.zeta]\n    name = \"zeta\"\n    version = \"1.0.0\"\n"
	assert.Equal(t, want, string(lf.Bytes()))
	back, err := ParseLockFile("kcl.mod.lock", lf.Bytes())
	require.NoError(t, err)
	assert.Equal(t, lf, back)
}

func TestLockParseError(t *testing.T) {
	_, err := ParseLockFile("/p/kcl.mod.lock", []byte("[dependencies]\n  [dependencies.x\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "/p/kcl.mod.lock:2:")
}

func TestWriteLockFileOnlyWhenChanged(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, LockFileName)
	lf, err := ParseLockFile(path, []byte(compatLock))
	require.NoError(t, err)

	changed, err := WriteLockFile(path, lf)
	require.NoError(t, err)
	assert.True(t, changed)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, compatLock, string(data))

	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	require.NoError(t, os.Chtimes(path, old, old))
	changed, err = WriteLockFile(path, lf)
	require.NoError(t, err)
	assert.False(t, changed)
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, old, st.ModTime(), "an unchanged lock file is not rewritten")

	delete(lf.Dependencies, "konfig")
	changed, err = WriteLockFile(path, lf)
	require.NoError(t, err)
	assert.True(t, changed)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left behind")

	read, err := ReadLockFile(filepath.Join(dir, "missing.lock"))
	require.NoError(t, err)
	assert.Empty(t, read.Dependencies)
}

func TestDiffLocks(t *testing.T) {
	old := &LockFile{Dependencies: map[string]*LockedDep{
		"a":    {Name: "a", Version: "1.0.0"},
		"b":    {Name: "b", Version: "1.0.0"},
		"g":    {Name: "g", GitTag: "v1"},
		"same": {Name: "same", Version: "2"},
	}}
	new := &LockFile{Dependencies: map[string]*LockedDep{
		"a":    {Name: "a", Version: "1.1.0"},
		"c":    {Name: "c", OCITag: "0.1.0"},
		"g":    {Name: "g", GitTag: "v2"},
		"same": {Name: "same", Version: "2"},
	}}
	got := DiffLocks(old, new)
	var lines []string
	for _, c := range got {
		lines = append(lines, c.String())
	}
	assert.Equal(t, []string{"a 1.0.0 -> 1.1.0", "removed b 1.0.0", "added c 0.1.0", "g v1 -> v2"}, lines)
	assert.Empty(t, DiffLocks(new, new))
}
