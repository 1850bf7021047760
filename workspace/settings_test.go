package workspace

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func boolPtr(b bool) *bool { return &b }

func TestLoadSettings(t *testing.T) {
	tests := []struct {
		name    string
		kpmJSON string // written to .kpm/config/kpm.json when non-empty
		legacy  string // written to .kpm/config.json when non-empty
		env     map[string]string
		want    Settings // PkgPath and ConfigFile are filled in by the test
		legacyF bool     // the legacy file is expected as ConfigFile
		wantErr string
	}{
		{
			name: "defaults, no file",
			want: Settings{DefaultOciRegistry: "ghcr.io", DefaultOciRepo: "kcl-lang"},
		},
		{
			name:    "file values",
			kpmJSON: `{"DefaultOciRegistry":"localhost:5001","DefaultOciRepo":"test","DefaultOciPlainHttp":true}`,
			want:    Settings{DefaultOciRegistry: "localhost:5001", DefaultOciRepo: "test", PlainHTTP: boolPtr(true)},
		},
		{
			name:    "legacy fallback",
			legacy:  `{"DefaultOciRegistry":"reg.example.com","DefaultOciRepo":"legacy"}`,
			want:    Settings{DefaultOciRegistry: "reg.example.com", DefaultOciRepo: "legacy"},
			legacyF: true,
		},
		{
			name:    "new file wins over legacy",
			kpmJSON: `{"DefaultOciRegistry":"new.example.com","DefaultOciRepo":"new"}`,
			legacy:  `{"DefaultOciRegistry":"old.example.com","DefaultOciRepo":"old"}`,
			want: Settings{DefaultOciRegistry: "new.example.com", DefaultOciRepo: "new",
				Warnings: []string{"settings: using {home}/.kpm/config/kpm.json; {home}/.kpm/config.json differs and is ignored"}},
		},
		{
			name:    "both files alike: no warning",
			kpmJSON: `{"DefaultOciRegistry":"new.example.com","DefaultOciRepo":"new"}`,
			legacy:  `{"DefaultOciRegistry":"new.example.com","DefaultOciRepo":"new"}` + "\n",
			want:    Settings{DefaultOciRegistry: "new.example.com", DefaultOciRepo: "new"},
		},
		{
			name:    "unknown key warns",
			kpmJSON: `{"DefaultOciRegistry":"a.example.com","Mirror":"x"}`,
			want: Settings{DefaultOciRegistry: "a.example.com", DefaultOciRepo: "kcl-lang",
				Warnings: []string{`{home}/.kpm/config/kpm.json:1:39: warning: unknown key "Mirror": kpm.json keys are DefaultOciPlainHttp, DefaultOciRegistry, DefaultOciRepo, RegistryTimeout`}},
		},
		{
			name:    "scheme in the registry",
			legacy:  `{"DefaultOciRegistry":"oci://localhost:5001"}`,
			wantErr: `.kpm/config.json:1:23: DefaultOciRegistry "oci://localhost:5001": drop the oci:// scheme: write localhost:5001`,
		},
		{
			name:    "env overrides file",
			kpmJSON: `{"DefaultOciRegistry":"localhost:5001","DefaultOciRepo":"a","DefaultOciPlainHttp":true}`,
			env:     map[string]string{"KPM_REG": "b.example.com", "KPM_REPO": "/b/", "OCI_REG_PLAIN_HTTP": "off", "KPM_NO_SUM": "k8s, helloworld*,"},
			want: Settings{DefaultOciRegistry: "b.example.com", DefaultOciRepo: "b", PlainHTTP: boolPtr(false),
				NoSum: []string{"k8s", "helloworld*"}},
		},
		{
			name: "plain http on",
			env:  map[string]string{"OCI_REG_PLAIN_HTTP": "ON"},
			want: Settings{DefaultOciRegistry: "ghcr.io", DefaultOciRepo: "kcl-lang", PlainHTTP: boolPtr(true)},
		},
		{
			name:    "plain http bad value",
			env:     map[string]string{"OCI_REG_PLAIN_HTTP": "yes"},
			wantErr: `OCI_REG_PLAIN_HTTP="yes": want "on" or "off"`,
		},
		{
			name:    "bad no-sum glob",
			env:     map[string]string{"KPM_NO_SUM": "a["},
			wantErr: `KPM_NO_SUM: invalid pattern "a["`,
		},
		{
			name: "retry backoff",
			env:  map[string]string{"KPM_RETRY_BACKOFF": "5ms"},
			want: Settings{DefaultOciRegistry: "ghcr.io", DefaultOciRepo: "kcl-lang", RetryBackoff: 5 * time.Millisecond},
		},
		{
			name:    "retry backoff bad value",
			env:     map[string]string{"KPM_RETRY_BACKOFF": "soon"},
			wantErr: `KPM_RETRY_BACKOFF="soon": want a positive duration like 100ms`,
		},
		{
			name:    "registry timeout from kpm.json",
			kpmJSON: `{"RegistryTimeout":"2m"}`,
			want:    Settings{DefaultOciRegistry: "ghcr.io", DefaultOciRepo: "kcl-lang", RegistryTimeout: 2 * time.Minute},
		},
		{
			name:    "registry timeout env overrides kpm.json",
			kpmJSON: `{"RegistryTimeout":"2m"}`,
			env:     map[string]string{"KPM_REGISTRY_TIMEOUT": "90s"},
			want:    Settings{DefaultOciRegistry: "ghcr.io", DefaultOciRepo: "kcl-lang", RegistryTimeout: 90 * time.Second},
		},
		{
			name:    "registry timeout bad value",
			kpmJSON: `{"RegistryTimeout":"forever"}`,
			wantErr: `kpm.json:1:20: RegistryTimeout "forever": want a positive duration like 30s or 2m`,
		},
		{
			name:    "registry timeout bad env",
			env:     map[string]string{"KPM_REGISTRY_TIMEOUT": "-1s"},
			wantErr: `KPM_REGISTRY_TIMEOUT="-1s": want a positive duration like 30s or 2m`,
		},
		{
			name:    "malformed kpm.json",
			kpmJSON: "{\n  \"DefaultOciRegistry\": \"x\",\n  oops\n}",
			wantErr: "kpm.json:3:3: invalid JSON",
		},
		{
			name:    "wrong type in kpm.json",
			kpmJSON: "{\"DefaultOciPlainHttp\": \"yes\"}",
			wantErr: `kpm.json:1:25: DefaultOciPlainHttp: want a boolean, got a string`,
		},
		{
			name:    "malformed legacy file",
			legacy:  "{",
			wantErr: "config.json:1:1: invalid JSON",
		},
		{
			name:    "empty kpm.json means defaults",
			kpmJSON: "  \n",
			want:    Settings{DefaultOciRegistry: "ghcr.io", DefaultOciRepo: "kcl-lang"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			if tt.kpmJSON != "" {
				require.NoError(t, os.MkdirAll(filepath.Join(home, ".kpm", "config"), 0o755))
				require.NoError(t, os.WriteFile(KpmJSONPath(home), []byte(tt.kpmJSON), 0o644))
			}
			if tt.legacy != "" {
				require.NoError(t, os.MkdirAll(filepath.Join(home, ".kpm"), 0o755))
				require.NoError(t, os.WriteFile(LegacyConfigPath(home), []byte(tt.legacy), 0o644))
			}
			env := map[string]string{"KCL_PKG_PATH": home}
			for k, v := range tt.env {
				env[k] = v
			}
			got, err := loadSettings(envMap(env))
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			want := tt.want
			want.PkgPath = home
			want.ConfigFile = KpmJSONPath(home)
			if tt.legacyF {
				want.ConfigFile = LegacyConfigPath(home)
			}
			if tt.kpmJSON == "" && tt.legacy == "" {
				want.ConfigFile = ""
			}
			for i, w := range want.Warnings {
				want.Warnings[i] = strings.ReplaceAll(w, "{home}", home)
			}
			assert.Equal(t, &want, got)
		})
	}
}

func TestLoadSettingsWritesNothing(t *testing.T) {
	home := t.TempDir()
	_, err := loadSettings(envMap(map[string]string{"KCL_PKG_PATH": home}))
	require.NoError(t, err)
	entries, err := os.ReadDir(home)
	require.NoError(t, err)
	assert.Empty(t, entries, "no settings file is created")

	// The guide's file is read, and kpm.json is not created.
	home2 := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(home2, ".kpm"), 0o755))
	require.NoError(t, os.WriteFile(LegacyConfigPath(home2), []byte(`{"DefaultOciRepo":"x"}`), 0o644))
	s, err := loadSettings(envMap(map[string]string{"KCL_PKG_PATH": home2}))
	require.NoError(t, err)
	assert.Equal(t, "x", s.DefaultOciRepo)
	assert.NoFileExists(t, KpmJSONPath(home2))
}

func TestSettingsPaths(t *testing.T) {
	home := t.TempDir()
	s, err := loadSettings(envMap(map[string]string{"HOME": home}))
	require.NoError(t, err)
	pkg := filepath.Join(home, ".kcl", "kpm")
	assert.Equal(t, pkg, s.PkgPath)
	assert.Equal(t, filepath.Join(pkg, ".kpm", "config", "config.json"), s.CredentialsFile())
	assert.Equal(t, filepath.Join(pkg, ".kpm", "config", "package-cache"), s.CacheLockFile())
	assert.Equal(t, filepath.Join(pkg, "helloworld_0.1.4"), s.CacheDir("helloworld", "0.1.4"))
	assert.NoFileExists(t, KpmJSONPath(pkg))
}

func TestSkipSum(t *testing.T) {
	s := &Settings{NoSum: []string{"k8s", "hello*"}}
	tests := []struct {
		name string
		want bool
	}{
		{"k8s", true},
		{"helloworld", true},
		{"k8s-extra", false},
		{"other", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, s.SkipSum(tt.name), tt.name)
	}
}
