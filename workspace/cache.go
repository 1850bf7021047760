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
	"time"

	"github.com/kpm-dev/kpm/registry"
)

// LockCache takes the process-wide exclusive lock on the package cache (an flock on
// Settings.CacheLockFile), waiting until it is free or ctx is done. Every kpm process (the CLI,
// the language server) takes it only to move a downloaded package into the cache, never during
// a transfer, so concurrent resolutions never see or leave a half-written package. A wait longer
// than a second is reported through onWait ("waiting for the package cache lock held by PID N
// (kpm pull ...)"). The returned function releases it.
func LockCache(ctx context.Context, s *Settings, onWait func(msg string)) (func(), error) {
	return lockFile(ctx, s.CacheLockFile(), "package cache "+s.CacheLockFile(), func(holder string) {
		if onWait != nil {
			onWait("waiting for the package cache lock held by " + holder)
		}
	})
}

// Ages after which what a crashed kpm left behind is removed: downloads in $KCL_PKG_PATH/.kpm/tmp
// (a live one is never that old) and .<name>_<tag>.partial-* directories in the package home
// (left by interrupted pulls of older versions, which unpacked next to the cache entry).
const (
	staleDownloadAge = 24 * time.Hour
	stalePartialAge  = time.Hour
)

// DownloadDir creates an empty directory under $KCL_PKG_PATH/.kpm/tmp for a download that will
// be moved into the cache with MoveIntoCache; the caller removes it. No lock is held while the
// package is downloaded into it. Each call first removes what crashed processes left (two
// directory listings).
func DownloadDir(s *Settings, name string) (string, error) {
	tmpRoot := filepath.Join(s.PkgPath, ".kpm", "tmp")
	if err := os.MkdirAll(tmpRoot, 0o755); err != nil {
		return "", fmt.Errorf("create %s: %w", tmpRoot, pathErr(err))
	}
	removeStale(tmpRoot, "", staleDownloadAge)
	removeStale(s.PkgPath, ".partial-", stalePartialAge)
	dir, err := os.MkdirTemp(tmpRoot, name+"-*")
	if err != nil {
		return "", fmt.Errorf("create a download directory in %s: %w", tmpRoot, pathErr(err))
	}
	return dir, nil
}

// removeStale removes the entries of dir whose name contains infix and that are older than age.
func removeStale(dir, infix string, age time.Duration) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.Contains(e.Name(), infix) || (infix != "" && !strings.HasPrefix(e.Name(), ".")) {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > age {
			_ = os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}

// MoveIntoCache renames the complete, verified package src to the cache entry dest, under the
// cache lock (held for the renames only). An existing dest is left alone and false returned
// (another process got there first), unless replace: then it is moved to trash (a path in the
// caller's download directory, removed with it).
func MoveIntoCache(ctx context.Context, s *Settings, src, dest, trash string, replace bool, onWait func(string)) (bool, error) {
	unlock, err := LockCache(ctx, s, onWait)
	if err != nil {
		return false, err
	}
	defer unlock()
	if isDir(dest) {
		if !replace {
			return false, nil
		}
		if err := os.Rename(dest, trash); err != nil {
			return false, fmt.Errorf("replace %s: %w", dest, pathErr(err))
		}
	}
	if err := os.Rename(src, dest); err != nil {
		return false, fmt.Errorf("move into the package cache %s: %w", dest, pathErr(err))
	}
	return true, nil
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
