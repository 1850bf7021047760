package commands

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpm-dev/kpm/internal/hostilereg"
	"github.com/kpm-dev/kpm/workspace"
)

// recorder is a Progress that keeps the messages.
type recorder struct {
	mu   sync.Mutex
	msgs []string
}

func (r *recorder) Message(m string)         { r.mu.Lock(); r.msgs = append(r.msgs, m); r.mu.Unlock() }
func (r *recorder) Start(string, int64) Task { return Discard.Start("", 0) }
func (r *recorder) all() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.msgs, "\n")
}

func writePkg(t *testing.T, dir, name string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "kcl.mod"), []byte("[package]\nname = \""+name+"\"\nversion = \"0.1.0\"\n"), 0o644))
}

// TestAddWaitsForThePackageLock: a second command on a locked package waits, says so after a
// second, then applies its change to the files the first one wrote.
func TestAddWaitsForThePackageLock(t *testing.T) {
	s := &workspace.Settings{PkgPath: t.TempDir()}
	root := t.TempDir()
	app, lib := filepath.Join(root, "app"), filepath.Join(root, "lib")
	writePkg(t, app, "app")
	writePkg(t, lib, "lib")
	unlock, err := workspace.LockPackage(context.Background(), s, app, nil)
	require.NoError(t, err)
	released := make(chan struct{})
	go func() {
		time.Sleep(1500 * time.Millisecond)
		// Meanwhile the holder changed kcl.mod.
		require.NoError(t, os.WriteFile(filepath.Join(app, "kcl.mod"), []byte("[package]\nname = \"app\"\nversion = \"0.2.0\"\n"), 0o644))
		close(released)
		unlock()
	}()
	rec := &recorder{}
	res, err := Add(context.Background(), AddOptions{Settings: s, Progress: rec, Dir: app, Path: lib})
	require.NoError(t, err)
	<-released
	assert.Equal(t, "lib", res.Name)
	assert.Contains(t, rec.all(), "waiting for "+filepath.Join(app, "kcl.mod")+", locked by PID ")
	mod, err := os.ReadFile(filepath.Join(app, "kcl.mod"))
	require.NoError(t, err)
	assert.Contains(t, string(mod), `version = "0.2.0"`, "applied on the holder's file")
	assert.Contains(t, string(mod), `lib = { path = "../lib" }`)
}

// TestPullDoesNotHoldTheCacheLockWhileDownloading: while a pull is stuck in a slow transfer, the
// package cache lock is free for every other kpm.
func TestPullDoesNotHoldTheCacheLockWhileDownloading(t *testing.T) {
	srv, err := hostilereg.Start(hostilereg.Options{Delay: 200 * time.Millisecond})
	require.NoError(t, err)
	defer srv.Close()
	s := &workspace.Settings{PkgPath: t.TempDir(), RetryBackoff: time.Millisecond}
	done := make(chan error, 1)
	go func() {
		_, err := Pull(context.Background(), PullOptions{Settings: s, Source: "oci://" + srv.Host() + "/" + hostilereg.RepoSlow, Tag: "0.1.0"})
		done <- err
	}()
	// Wait until the transfer has started.
	deadline := time.Now().Add(20 * time.Second)
	for srv.Sent() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	require.NotZero(t, srv.Sent(), "the pull started")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	unlock, err := workspace.LockCache(ctx, s, nil)
	require.NoError(t, err, "the cache lock is free during the transfer")
	unlock()
	require.NoError(t, <-done)
	assert.FileExists(t, filepath.Join(s.PkgPath, hostilereg.RepoSlow+"_0.1.0", "main.k"))
	left, err := os.ReadDir(filepath.Join(s.PkgPath, ".kpm", "tmp"))
	require.NoError(t, err)
	assert.Empty(t, left, "the download directory is gone")
}
