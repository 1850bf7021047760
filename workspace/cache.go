package workspace

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
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
	// Goroutines of this process queue on a channel (cancellable, no polling); only one of them
	// at a time competes for the flock with other processes.
	sem := processLock(path)
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("lock package cache %s: %w", path, ctx.Err())
	}
	release := func() { <-sem }
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		release()
		return nil, fmt.Errorf("lock package cache %s: %w", path, pathErr(err))
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		release()
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
			release()
			return nil, fmt.Errorf("lock package cache %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			release()
			return nil, fmt.Errorf("lock package cache %s: %w", path, ctx.Err())
		case <-time.After(wait):
		}
		if wait < 20*time.Millisecond {
			wait *= 2
		}
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
			f.Close()
			release()
		})
	}, nil
}

var (
	processLocksMu sync.Mutex
	processLocks   = map[string]chan struct{}{}
)

// processLock returns the in-process semaphore guarding the lock file path.
func processLock(path string) chan struct{} {
	processLocksMu.Lock()
	defer processLocksMu.Unlock()
	sem, ok := processLocks[path]
	if !ok {
		sem = make(chan struct{}, 1)
		processLocks[path] = sem
	}
	return sem
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

// CachedSum returns the package checksum of the cache entry dir (see cachedSum).
func CachedSum(s *Settings, dir string) (string, error) { return cachedSum(s.PkgPath, dir) }

// cachedSum returns the package checksum of the cache entry dir. The checksum of an entry is
// remembered in a stamp ($KCL_PKG_PATH/.kpm/sums/<entry>) with a fingerprint of its files (names,
// sizes, modification times); while the fingerprint is unchanged the files are not read again,
// so a warm resolution of large packages costs a directory walk, not a hash of every byte.
// Any edit of a cached file changes the fingerprint and the files are hashed again.
func cachedSum(pkgPath, dir string) (string, error) {
	fp, err := fingerprint(dir)
	if err != nil {
		return "", fmt.Errorf("checksum %s: %w", dir, pathErr(err))
	}
	stamp := filepath.Join(pkgPath, ".kpm", "sums", filepath.Base(dir))
	if data, err := os.ReadFile(stamp); err == nil {
		if f, sum, ok := strings.Cut(strings.TrimSpace(string(data)), " "); ok && f == fp && sum != "" {
			return sum, nil
		}
	}
	sum, err := PackageSum(dir)
	if err != nil {
		return "", err
	}
	writeSumStamp(stamp, fp, sum)
	return sum, nil
}

// rememberSum records the verified checksum of a cache entry (best effort).
func rememberSum(pkgPath, dir, sum string) {
	if fp, err := fingerprint(dir); err == nil {
		writeSumStamp(filepath.Join(pkgPath, ".kpm", "sums", filepath.Base(dir)), fp, sum)
	}
}

// writeSumStamp replaces the stamp by a rename (readers never see half a stamp). It does not
// fsync: a stamp lost in a crash only means hashing the entry once more.
func writeSumStamp(stamp, fp, sum string) {
	if err := os.MkdirAll(filepath.Dir(stamp), 0o755); err != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(stamp), "."+filepath.Base(stamp)+"-*")
	if err != nil {
		return
	}
	_, werr := tmp.WriteString(fp + " " + sum + "\n")
	cerr := tmp.Close()
	if werr != nil || cerr != nil || os.Rename(tmp.Name(), stamp) != nil {
		_ = os.Remove(tmp.Name())
	}
}

// fingerprint hashes the relative path, size and modification time of every file under dir.
func fingerprint(dir string) (string, error) {
	h := sha256.New()
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(h, "%s\x00%d\x00%d\x00%d\n", rel, info.Mode(), info.Size(), info.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
