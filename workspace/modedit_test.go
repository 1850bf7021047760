package workspace

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const editSrc = `# My package
[package]
name = "app"   # keep me
version = "0.0.1"

[dependencies]
# k8s models
k8s = "1.28"    # pinned for the cluster
helloworld = { oci = "oci://ghcr.io/kcl-lang/helloworld", tag = "0.1.4" }

[profile]
entries = ["main.k"]
`

func TestSetDependency(t *testing.T) {
	tests := []struct {
		name string
		src  string
		spec DepSpec
		want string
	}{
		{
			name: "replace version keeps comments",
			src:  editSrc,
			spec: DepSpec{Name: "k8s", Version: "1.29"},
			want: `# My package
[package]
name = "app"   # keep me
version = "0.0.1"

[dependencies]
# k8s models
k8s = "1.29"    # pinned for the cluster
helloworld = { oci = "oci://ghcr.io/kcl-lang/helloworld", tag = "0.1.4" }

[profile]
entries = ["main.k"]
`,
		},
		{
			name: "replace inline table",
			src:  editSrc,
			spec: DepSpec{Name: "helloworld", OCI: "oci://ghcr.io/kcl-lang/helloworld", Tag: "0.2.0"},
			want: `# My package
[package]
name = "app"   # keep me
version = "0.0.1"

[dependencies]
# k8s models
k8s = "1.28"    # pinned for the cluster
helloworld = { oci = "oci://ghcr.io/kcl-lang/helloworld", tag = "0.2.0" }

[profile]
entries = ["main.k"]
`,
		},
		{
			name: "add after the last entry",
			src:  editSrc,
			spec: DepSpec{Name: "sub", Path: "../sub"},
			want: `# My package
[package]
name = "app"   # keep me
version = "0.0.1"

[dependencies]
# k8s models
k8s = "1.28"    # pinned for the cluster
helloworld = { oci = "oci://ghcr.io/kcl-lang/helloworld", tag = "0.1.4" }
sub = { path = "../sub" }

[profile]
entries = ["main.k"]
`,
		},
		{
			name: "add to an empty table",
			src:  "[package]\nname = \"app\"\n[dependencies]\n[profile]\n",
			spec: DepSpec{Name: "my-dep", OCI: "oci://localhost:5001/test/real", Tag: "1.0.0", Package: "real"},
			want: "[package]\nname = \"app\"\n[dependencies]\nmy-dep = { oci = \"oci://localhost:5001/test/real\", tag = \"1.0.0\", package = \"real\" }\n[profile]\n",
		},
		{
			name: "add the table at the end",
			src:  "[package]\nname = \"app\"\n",
			spec: DepSpec{Name: "k8s", Version: "1.28"},
			want: "[package]\nname = \"app\"\n\n[dependencies]\nk8s = \"1.28\"\n",
		},
		{
			name: "add the table, no final newline",
			src:  "[package]\nname = \"app\"",
			spec: DepSpec{Name: "k8s", Version: "1.28"},
			want: "[package]\nname = \"app\"\n\n[dependencies]\nk8s = \"1.28\"\n",
		},
		{
			name: "add after a last entry without newline",
			src:  "[package]\nname = \"app\"\n[dependencies]\na = \"1\"",
			spec: DepSpec{Name: "b", Version: "2"},
			want: "[package]\nname = \"app\"\n[dependencies]\na = \"1\"\nb = \"2\"\n",
		},
		{
			name: "CRLF file keeps CRLF",
			src:  "[package]\r\nname = \"app\"\r\n[dependencies]\r\na = \"1\"\r\n[profile]\r\n",
			spec: DepSpec{Name: "b", Version: "2"},
			want: "[package]\r\nname = \"app\"\r\n[dependencies]\r\na = \"1\"\r\nb = \"2\"\r\n[profile]\r\n",
		},
		{
			name: "CRLF file, new table",
			src:  "[package]\r\nname = \"app\"\r\n",
			spec: DepSpec{Name: "b", Version: "2"},
			want: "[package]\r\nname = \"app\"\r\n\r\n[dependencies]\r\nb = \"2\"\r\n",
		},
		{
			name: "replace a table-form dependency",
			src:  "[package]\nname = \"app\"\n[dependencies.x]\noci = \"oci://h/r/x\"\ntag = \"1\"\n[profile]\n",
			spec: DepSpec{Name: "x", OCI: "oci://h/r/x", Tag: "2"},
			want: "[package]\nname = \"app\"\n[dependencies.x]\noci = \"oci://h/r/x\"\ntag = \"2\"\n[profile]\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mf, _ := ParseModFile("kcl.mod", []byte(tt.src))
			edit := mf.SetDependency(tt.spec)
			got := string(ApplyEdits([]byte(tt.src), edit))
			assert.Equal(t, tt.want, got)
			_, findings := ParseModFile("kcl.mod", []byte(got))
			assert.Empty(t, Errors(findings))
		})
	}
}

func TestRemoveDependency(t *testing.T) {
	mf, _ := ParseModFile("kcl.mod", []byte(editSrc))
	edit, ok := mf.RemoveDependency("k8s")
	require.True(t, ok)
	assert.Equal(t, `# My package
[package]
name = "app"   # keep me
version = "0.0.1"

[dependencies]
# k8s models
helloworld = { oci = "oci://ghcr.io/kcl-lang/helloworld", tag = "0.1.4" }

[profile]
entries = ["main.k"]
`, string(ApplyEdits([]byte(editSrc), edit)))
	r := edit.Range([]byte(editSrc))
	assert.Equal(t, Pos{Offset: edit.Start, Line: 8, Col: 1}, r.Start)
	assert.Equal(t, 9, r.End.Line)
	_, ok = mf.RemoveDependency("nope")
	assert.False(t, ok)
}

func TestUpdateModFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ModFileName)
	require.NoError(t, os.WriteFile(path, []byte(editSrc), 0o640))
	mf, _ := ParseModFile(path, []byte(editSrc))
	edit := mf.SetDependency(DepSpec{Name: "k8s", Version: "1.30"})
	require.NoError(t, UpdateModFile(path, mf.Src, edit))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(data), "k8s = \"1.30\"    # pinned for the cluster\n")
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o640), st.Mode().Perm())
	// A stale edit (the file changed meanwhile) is refused.
	err = UpdateModFile(path, mf.Src, edit)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "changed while kpm was editing it")
}
