package k8sgen

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpm-dev/kpm/kcl"
)

// The Deployment + Service + ConfigMap program gives, against a small generated package, what
// the reference (kcl-lib 0.13.2) printed for it (testdata/program.yaml).
func TestProgramAgainstGeneratedPackage(t *testing.T) {
	pkg, app, st, err := WriteProgram(t.TempDir(), Options{Groups: 2, KindsPerGroup: 2})
	require.NoError(t, err)
	assert.Equal(t, len(coreSchemas())+3*2*5, st.Schemas)
	res, err := kcl.Run(context.Background(), kcl.Options{Dir: app, Deps: map[string]string{"k8s": pkg}})
	require.NoError(t, err)
	want, err := os.ReadFile(filepath.Join("testdata", "program.yaml"))
	require.NoError(t, err)
	assert.Equal(t, string(want), res.Output)
}

// Every generated module loads: a program importing all of them evaluates.
func TestEveryModuleLoads(t *testing.T) {
	dir := t.TempDir()
	pkg := filepath.Join(dir, "k8s")
	_, err := Write(pkg, Options{Groups: 3, KindsPerGroup: 3})
	require.NoError(t, err)
	src := "import k8s.api.group00.v1 as g0\nimport k8s.api.group00.v1beta1 as g0b\nimport k8s.api.group02.v1 as g2\n" +
		"w = g0.Widget01 {spec = {mode = \"Active\", $import = True, ports = [{port = 80}]}, status.conditions = [{status = \"True\", $type = \"Ready\"}]}\n" +
		"l = g0b.Widget00List {items = [{metadata.name = \"a\"}]}\n" +
		"c = g2.Widget02Condition {status = \"False\", $type = \"Ready\"}\n"
	dir = filepath.Join(dir, "app")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.k"), []byte(src), 0o644))
	res, err := kcl.Run(context.Background(), kcl.Options{Files: []string{filepath.Join(dir, "main.k")}, Deps: map[string]string{"k8s": pkg}})
	require.NoError(t, err)
	assert.Contains(t, res.Output, "    kind: Widget00\n    metadata:\n      name: a\n  kind: Widget00List\n")
	assert.Contains(t, res.Output, "    import: true\n")

	_, err = kcl.Run(context.Background(), kcl.Options{Files: []string{filepath.Join(dir, "main.k")}, Deps: map[string]string{"k8s": pkg},
		Args: map[string]string{}, Overlay: map[string][]byte{filepath.Join(dir, "main.k"): []byte("import k8s.api.group00.v1 as g0\nw = g0.Widget00 {spec.mode = \"Other\"}\n")}})
	require.Error(t, err)
}

func TestSnake(t *testing.T) {
	for in, want := range map[string]string{"DeploymentSpec": "deployment_spec", "HTTPGetAction": "http_get_action", "ConfigMap": "config_map", "Widget01List": "widget01_list"} {
		assert.Equal(t, want, snake(in), in)
	}
}
