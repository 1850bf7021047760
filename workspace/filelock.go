package workspace

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/kpm-dev/kpm/internal/redact"
)

// lockWaitNotice is how long a lock is waited for before the wait is reported.
var lockWaitNotice = time.Second

// lockFile takes an exclusive flock on path (created if needed), waiting until it is free or ctx
// is done. Once it has waited lockWaitNotice it calls onWait (if set) once with the holder, as
// recorded in the file by the process holding it: "PID 1234 (kpm pull app)". The holder
// records itself in the file once it has the lock. Goroutines of this process queue on a
// channel first (cancellable, no polling); only one of them at a time competes for the flock.
func lockFile(ctx context.Context, path, what string, onWait func(holder string)) (func(), error) {
	sem := processLock(path)
	start := time.Now()
	notified := false
	notice := time.NewTimer(lockWaitNotice)
	defer notice.Stop()
	for queued := false; !queued; {
		select {
		case sem <- struct{}{}:
			queued = true
		case <-ctx.Done():
			return nil, fmt.Errorf("lock %s: %w", what, ctx.Err())
		case <-notice.C:
			// Held by a goroutine of this process (the language server runs several commands).
			if onWait != nil {
				onWait(fmt.Sprintf("PID %d (%s)", os.Getpid(), commandLine()))
			}
			notified = true
		}
	}
	release := func() { <-sem }
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		release()
		return nil, fmt.Errorf("lock %s: %w", what, pathErr(err))
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		release()
		return nil, fmt.Errorf("lock %s: %w", what, pathErr(err))
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
			return nil, fmt.Errorf("lock %s: %w", what, err)
		}
		if !notified && onWait != nil && time.Since(start) >= lockWaitNotice {
			onWait(lockHolder(path))
			notified = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			release()
			return nil, fmt.Errorf("lock %s: %w", what, ctx.Err())
		case <-time.After(wait):
		}
		if wait < 20*time.Millisecond {
			wait *= 2
		}
	}
	// Say who holds it, for processes that will wait (best effort).
	if f.Truncate(0) == nil {
		_, _ = f.WriteAt([]byte(fmt.Sprintf("%d %s\n", os.Getpid(), commandLine())), 0)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			_ = f.Truncate(0)
			syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
			f.Close()
			release()
		})
	}, nil
}

// lockHolder describes the process recorded in a lock file.
func lockHolder(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "another process"
	}
	pid, cmd, _ := strings.Cut(strings.TrimSpace(string(data)), " ")
	if _, err := strconv.Atoi(pid); err != nil {
		return "another process"
	}
	return fmt.Sprintf("PID %s (%s)", pid, cmd)
}

// commandLine is this process's command line as recorded in lock files: "kpm pull app:0.1.0".
func commandLine() string {
	args := append([]string{filepath.Base(os.Args[0])}, os.Args[1:]...)
	line := redact.Text(strings.Join(args, " "))
	if len(line) > 200 {
		line = line[:200] + "…"
	}
	return line
}

// LockPackage takes the exclusive lock on the package in dir (its kcl.mod and kcl.mod.lock) for
// a read-modify-write of those files: kpm add, remove and update, and resolutions that write
// the lock file. A second command waits; after a second it is told who holds the lock through
// onWait. The lock file lives under the package home, named after the package's path, so the
// package itself gets no extra file.
func LockPackage(ctx context.Context, s *Settings, dir string, onWait func(msg string)) (func(), error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256([]byte(abs))
	path := filepath.Join(s.PkgPath, ".kpm", "locks", hex.EncodeToString(h[:12]))
	mod := filepath.Join(abs, ModFileName)
	return lockFile(ctx, path, mod, func(holder string) {
		if onWait != nil {
			onWait(fmt.Sprintf("waiting for %s, locked by %s", mod, holder))
		}
	})
}
