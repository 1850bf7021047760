package workspace

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPackageSumKnownValue(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "test"), []byte("test"), 0o644))
	sum, err := PackageSum(dir)
	require.NoError(t, err)
	assert.Equal(t, "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=", sum)
}

func TestCachedSumStamp(t *testing.T) {
	home := t.TempDir()
	dir := filepath.Join(home, "pkg_1.0.0")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "test"), []byte("test"), 0o644))
	const real = "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="

	sum, err := cachedSum(home, dir)
	require.NoError(t, err)
	assert.Equal(t, real, sum)
	stamp := filepath.Join(home, ".kpm", "sums", "pkg_1.0.0")
	data, err := os.ReadFile(stamp)
	require.NoError(t, err)
	assert.Contains(t, string(data), " "+real+"\n")

	// Unchanged files: the stamp answers (a forged sum in it proves the files were not re-read).
	fp, err := fingerprint(dir)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(stamp, []byte(fp+" forged\n"), 0o644))
	sum, err = cachedSum(home, dir)
	require.NoError(t, err)
	assert.Equal(t, "forged", sum)

	// A changed file changes the fingerprint: hashed again, stamp refreshed.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "test"), []byte("tesT"), 0o644))
	future := time.Now().Add(time.Minute)
	require.NoError(t, os.Chtimes(filepath.Join(dir, "test"), future, future))
	sum, err = cachedSum(home, dir)
	require.NoError(t, err)
	assert.NotEqual(t, "forged", sum)
	assert.NotEqual(t, real, sum)
}

func TestLockCacheCancel(t *testing.T) {
	s := &Settings{PkgPath: t.TempDir()}
	unlock, err := LockCache(context.Background(), s, nil)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = LockCache(ctx, s, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "lock package cache")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	unlock()
	unlock() // idempotent
	again, err := LockCache(context.Background(), s, nil)
	require.NoError(t, err)
	again()
	assert.FileExists(t, s.CacheLockFile())
}

// TestLockWaitNamesTheHolder: a wait longer than lockWaitNotice says which process holds the
// lock, as that process recorded itself in the lock file.
func TestLockWaitNamesTheHolder(t *testing.T) {
	defer func(d time.Duration) { lockWaitNotice = d }(lockWaitNotice)
	lockWaitNotice = 100 * time.Millisecond
	s := &Settings{PkgPath: t.TempDir()}
	// Another process holds it: an flock on its own open file, with its record.
	require.NoError(t, os.MkdirAll(filepath.Dir(s.CacheLockFile()), 0o755))
	f, err := os.OpenFile(s.CacheLockFile(), os.O_RDWR|os.O_CREATE, 0o644)
	require.NoError(t, err)
	defer f.Close()
	require.NoError(t, syscall.Flock(int(f.Fd()), syscall.LOCK_EX))
	_, err = f.WriteString("4242 kpm pull app:0.1.0\n")
	require.NoError(t, err)

	var msgs []string
	var mu sync.Mutex
	go func() {
		time.Sleep(400 * time.Millisecond)
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	}()
	unlock, err := LockCache(context.Background(), s, func(m string) { mu.Lock(); msgs = append(msgs, m); mu.Unlock() })
	require.NoError(t, err)
	mu.Lock()
	assert.Equal(t, []string{"waiting for the package cache lock held by PID 4242 (kpm pull app:0.1.0)"}, msgs)
	mu.Unlock()
	data, err := os.ReadFile(s.CacheLockFile())
	require.NoError(t, err)
	assert.Regexp(t, fmt.Sprintf("^%d ", os.Getpid()), string(data), "the new holder recorded itself")
	unlock()

	// A package is locked as a directory; the holder comes from /proc/locks.
	pkg := t.TempDir()
	d, err := os.Open(pkg)
	require.NoError(t, err)
	defer d.Close()
	require.NoError(t, syscall.Flock(int(d.Fd()), syscall.LOCK_EX))
	go func() {
		time.Sleep(400 * time.Millisecond)
		syscall.Flock(int(d.Fd()), syscall.LOCK_UN)
	}()
	msgs = nil
	unlock, err = LockPackage(context.Background(), s, pkg, func(m string) { mu.Lock(); msgs = append(msgs, m); mu.Unlock() })
	require.NoError(t, err)
	unlock()
	mu.Lock()
	require.Len(t, msgs, 1)
	assert.Regexp(t, fmt.Sprintf(`^waiting for %s, locked by PID %d \(workspace\.test.*\)$`, regexp.QuoteMeta(filepath.Join(pkg, "kcl.mod")), os.Getpid()), msgs[0])
	mu.Unlock()
	entries, err := os.ReadDir(pkg)
	require.NoError(t, err)
	assert.Empty(t, entries, "no lock file in the package")
}

// TestDownloadDirRemovesStaleLeftovers: what crashed pulls left in the package home and in
// .kpm/tmp goes once it is old; recent entries (live downloads) and cache entries stay.
func TestDownloadDirRemovesStaleLeftovers(t *testing.T) {
	s := &Settings{PkgPath: t.TempDir()}
	old := time.Now().Add(-48 * time.Hour)
	mk := func(rel string, mtime time.Time) string {
		p := filepath.Join(s.PkgPath, rel)
		require.NoError(t, os.MkdirAll(p, 0o755))
		require.NoError(t, os.Chtimes(p, mtime, mtime))
		return p
	}
	stalePartial := mk(".app_0.1.0.partial-123", old)
	livePartial := mk(".app_0.2.0.partial-456", time.Now())
	staleTmp := mk(".kpm/tmp/app_0.1.0-789", old)
	entry := mk("app_0.1.0", old)
	dir, err := DownloadDir(s, "app_0.3.0")
	require.NoError(t, err)
	assert.DirExists(t, dir)
	assert.NoDirExists(t, stalePartial)
	assert.NoDirExists(t, staleTmp)
	assert.DirExists(t, livePartial)
	assert.DirExists(t, entry)
}
