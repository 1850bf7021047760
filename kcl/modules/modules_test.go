package modules

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpm-dev/kpm/internal/testpkg"
)

func TestResolve(t *testing.T) {
	base := t.TempDir()
	testpkg.WriteTree(t, base, map[string]string{
		"app/kcl.mod":             "[package]\nname = \"app\"\n",
		"app/main.k":              "",
		"app/models/m.k":          "",
		"app/models/_hidden.k":    "",
		"app/models/m_test.k":     "",
		"app/models/kube/k.k":     "",
		"app/one.k":               "",
		"app/both/x.k":            "",
		"dep/kcl.mod":             "[package]\nname = \"dep\"\n",
		"dep/sub/s.k":             "",
		"dep/api/a.k":             "",
		"dep/both/x.k":            "",
		"vendor/kcl4/kcl.mod":     "",
		"vendor/kcl4/v.k":         "",
		"vendor/nomod/n.k":        "",
		"both/kcl.mod":            "",
		"both/x.k":                "",
		"app/models/kube/rel.k":   "",
		"app/models/kube/sib/s.k": "",
		"outside/o.k":             "",
		"outside/near/n.k":        "",
	})
	app := filepath.Join(base, "app")
	dep := filepath.Join(base, "dep")
	r := &Resolver{
		External:   map[string]string{"dep": dep, "both": filepath.Join(base, "both")},
		VendorDirs: []string{filepath.Join(base, "vendor")},
	}
	main := Package{Name: MainName, Root: app}
	depPkg := Package{Name: "dep", Root: dep}
	tests := []struct {
		name    string
		from    Package
		file    string
		path    string
		kind    Kind
		pkgPath string
		pkg     Package
		files   []string // relative to base
		err     string
	}{
		{name: "stdlib", from: main, file: "app/main.k", path: "math", kind: Stdlib, pkgPath: "math"},
		{name: "plugin", from: main, file: "app/main.k", path: "kcl_plugin.hello", kind: Plugin, pkgPath: "kcl_plugin.hello"},
		{name: "local directory without tests and _ files", from: main, file: "app/main.k", path: "models", pkgPath: "models", pkg: main, files: []string{"app/models/m.k"}},
		{name: "local file", from: main, file: "app/main.k", path: "one", pkgPath: "one", pkg: main, files: []string{"app/one.k"}},
		{name: "keyword segment", from: main, file: "app/main.k", path: "models.kube", pkgPath: "models.kube", pkg: main, files: []string{"app/models/kube/k.k", "app/models/kube/rel.k"}},
		{name: "external", from: main, file: "app/main.k", path: "dep.api", pkgPath: "dep.api", pkg: depPkg, files: []string{"dep/api/a.k"}},
		{name: "external root", from: main, file: "app/main.k", path: "kcl4", pkgPath: "kcl4", pkg: Package{Name: "kcl4", Root: filepath.Join(base, "vendor", "kcl4")}, files: []string{"vendor/kcl4/v.k"}},
		{name: "absolute import inside a dependency uses its root", from: depPkg, file: "dep/api/a.k", path: "sub", pkgPath: "dep.sub", pkg: depPkg, files: []string{"dep/sub/s.k"}},
		{name: "dependency imports its dependency", from: depPkg, file: "dep/api/a.k", path: "kcl4", pkgPath: "kcl4", pkg: Package{Name: "kcl4", Root: filepath.Join(base, "vendor", "kcl4")}, files: []string{"vendor/kcl4/v.k"}},
		{name: "relative sibling", from: main, file: "app/models/kube/k.k", path: ".sib", pkgPath: "models.kube.sib", pkg: main, files: []string{"app/models/kube/sib/s.k"}},
		{name: "relative parent", from: main, file: "app/models/kube/k.k", path: "..m", pkgPath: "models.m", pkg: main, files: []string{"app/models/m.k"}},
		{name: "relative grandparent", from: main, file: "app/models/kube/k.k", path: "...one", pkgPath: "one", pkg: main, files: []string{"app/one.k"}},
		{name: "relative in a dependency", from: depPkg, file: "dep/api/a.k", path: "..sub", pkgPath: "dep.sub", pkg: depPkg, files: []string{"dep/sub/s.k"}},
		{name: "relative above the root", from: main, file: "app/main.k", path: "..x", err: "pkgpath x not found in the program"},
		{name: "relative in a file outside the root", from: main, file: "outside/o.k", path: ".near", pkgPath: "near", pkg: main, files: []string{"outside/near/n.k"}},
		{name: "internal and external", from: main, file: "app/main.k", path: "both", err: "the `both` is found multiple times in the current package and vendor package"},
		{name: "vendored without kcl.mod", from: main, file: "app/main.k", path: "nomod", err: "pkgpath nomod not found in the program"},
		{name: "missing", from: main, file: "app/main.k", path: "nothere.x", err: "pkgpath nothere.x not found in the program"},
		{name: "main root is not the dependency's", from: depPkg, file: "dep/api/a.k", path: "models", err: "pkgpath models not found in the program"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := r.Resolve(tt.from, filepath.Join(base, tt.file), tt.path)
			if tt.err != "" {
				var me *Error
				require.ErrorAs(t, err, &me)
				assert.Equal(t, tt.err, me.Msg)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.kind, m.Kind)
			assert.Equal(t, tt.pkgPath, m.PkgPath)
			assert.Equal(t, tt.pkg, m.Package)
			var want []string
			for _, f := range tt.files {
				want = append(want, filepath.Join(base, f))
			}
			assert.Equal(t, want, m.Files)
		})
	}
}

func TestFindRoot(t *testing.T) {
	base := t.TempDir()
	testpkg.WriteTree(t, base, map[string]string{"p/kcl.mod": "", "p/a/b/c.k": ""})
	assert.Equal(t, filepath.Join(base, "p"), FindRoot(filepath.Join(base, "p", "a", "b")))
	assert.Equal(t, "", FindRoot(base))
}
