package workspace

import (
	"context"
	"os"
	"path/filepath"
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
	unlock, err := LockCache(context.Background(), s)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = LockCache(ctx, s)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "lock package cache")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	unlock()
	unlock() // idempotent
	again, err := LockCache(context.Background(), s)
	require.NoError(t, err)
	again()
	assert.FileExists(t, s.CacheLockFile())
}
