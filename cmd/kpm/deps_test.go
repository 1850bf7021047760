package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWarmDependenciesNeedNoRegistry checks at the CLI level what the resolver tests prove for
// workspace.Resolve: with a complete lock and cache, kpm run and kpm metadata make zero registry
// requests, and keep working with the registry stopped; a cold cache offline is a one-line error
// naming the dependency and the registry, with nothing written.
func TestWarmDependenciesNeedNoRegistry(t *testing.T) {
	r := privateRegistry(t)
	home := setupKpmHome(t)
	t.Setenv("KPM_REG", r.Host())
	t.Setenv("KPM_REPO", "test")
	kpmRun(t, t.TempDir(), "login", "-u", "test", "-p", "1234", r.Host())
	kpmRun(t, writePackage(t, "warm_dep", "0.1.0"), "push")

	app := t.TempDir()
	mod := "[package]\nname = \"app\"\nedition = \"v0.11.0\"\nversion = \"0.0.1\"\n\n[dependencies]\nwarm_dep = \"0.1.0\"\n"
	require.NoError(t, os.WriteFile(filepath.Join(app, "kcl.mod"), []byte(mod), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(app, "main.k"), []byte("import warm_dep\nb = warm_dep.a\n"), 0o644))

	// Cold and offline: nothing is contacted, nothing written.
	r.ResetRequests()
	stderr := kpmFail(t, app, "run", "--offline")
	assert.Regexp(t, `^kpm: dependency warm_dep: 127\.0\.0\.1:\d+/test/warm_dep:0\.1\.0 is not in the package cache and kpm is offline \(registry 127\.0\.0\.1:\d+ not contacted\)`, stderr)
	stderr = kpmFail(t, app, "metadata")
	assert.Contains(t, stderr, "is not in the package cache and kpm is offline")
	assert.Contains(t, stderr, "run 'kpm metadata --update' to download it")
	assert.Equal(t, int64(0), r.Requests(), "kpm metadata without --update never touches the network")
	assert.NoFileExists(t, filepath.Join(app, "kcl.mod.lock"))
	assert.Empty(t, dirEntries(t, home))

	// Cold: downloaded once.
	assert.Equal(t, "b: 1\n", kpmRun(t, app, "-q", "run"))
	lock, err := os.ReadFile(filepath.Join(app, "kcl.mod.lock"))
	require.NoError(t, err)

	// Warm: zero requests, for several resolvers at once too; the lock is left byte for byte.
	r.ResetRequests()
	assert.Equal(t, "b: 1\n", kpmRun(t, app, "-q", "run"))
	assert.Contains(t, kpmRun(t, app, "metadata"), `"warm_dep":{"name":"warm_dep","manifest_path":"`+filepath.Join(home, "warm_dep_0.1.0")+`"}`)
	assert.Equal(t, int64(0), r.Requests(), "a warm run makes no registry request")
	again, err := os.ReadFile(filepath.Join(app, "kcl.mod.lock"))
	require.NoError(t, err)
	assert.Equal(t, string(lock), string(again))

	// Registry stopped: still works.
	require.NoError(t, r.Stop())
	assert.Equal(t, "b: 1\n", kpmRun(t, app, "-q", "run"))
	assert.Equal(t, "b: 1\n", kpmRun(t, app, "-q", "run", "--offline"))
	require.NoError(t, r.Restart())
}
