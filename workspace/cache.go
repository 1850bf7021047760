package workspace

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/kpm-dev/kpm/registry"
)

// LockCache takes the process-wide exclusive lock on the package cache (an flock on
// Settings.CacheLockFile), waiting until it is free or ctx is done. Every kpm process (the CLI,
// the language server) takes it before moving a package into the cache, so concurrent
// resolutions never see or leave a half-written package. The returned function releases it.
func LockCache(ctx context.Context, s *Settings) (func(), error) {
	path := s.CacheLockFile()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("lock package cache %s: %w", path, pathErr(err))
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock package cache %s: %w", path, pathErr(err))
	}
	wait := time.Millisecond
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if err != syscall.EWOULDBLOCK && err != syscall.EINTR {
			f.Close()
			return nil, fmt.Errorf("lock package cache %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("lock package cache %s: %w", path, ctx.Err())
		case <-time.After(wait):
		}
		if wait < 50*time.Millisecond {
			wait *= 2
		}
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// PackageSum computes the kpm package checksum of dir (compat §1; registry.Sum).
func PackageSum(dir string) (string, error) {
	return registry.Sum(dir)
}

// isDir reports whether path is an existing directory.
func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}
