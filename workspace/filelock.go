package workspace

import (
	"context"
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
	var f *os.File
	var err error
	if st, serr := os.Stat(path); serr == nil && st.IsDir() {
		f, err = os.Open(path) // a directory is locked as it is, and records nothing
	} else {
		f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	}
	if err != nil {
		release()
		return nil, fmt.Errorf("lock %s: %w", what, pathErr(err))
	}
	st, _ := f.Stat()
	isDir := st != nil && st.IsDir()
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
	if !isDir && f.Truncate(0) == nil {
		_, _ = f.WriteAt([]byte(fmt.Sprintf("%d %s\n", os.Getpid(), commandLine())), 0)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			if !isDir {
				_ = f.Truncate(0)
			}
			syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
			f.Close()
			release()
		})
	}, nil
}

// lockHolder describes the process holding the lock on path: as it recorded itself in the lock
// file, or (a locked directory) as the kernel lists it in /proc/locks, on Linux.
func lockHolder(path string) string {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		if pid := flockHolder(path); pid > 0 {
			return fmt.Sprintf("PID %d (%s)", pid, processCommand(pid))
		}
		return "another process"
	}
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

// flockHolder returns the PID holding an flock on path according to /proc/locks (0 when
// unknown: not Linux, or no such lock).
func flockHolder(path string) int {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return 0
	}
	data, err := os.ReadFile("/proc/locks")
	if err != nil {
		return 0
	}
	ino := ":" + strconv.FormatUint(uint64(sys.Ino), 10)
	for _, line := range strings.Split(string(data), "\n") {
		// 1: FLOCK  ADVISORY  WRITE 4242 08:01:1234567 0 EOF
		f := strings.Fields(line)
		if len(f) >= 6 && f[1] == "FLOCK" && strings.HasSuffix(f[5], ino) {
			if pid, err := strconv.Atoi(f[4]); err == nil {
				return pid
			}
		}
	}
	return 0
}

// processCommand is the command line of process pid ("kpm add ..."), or "unknown command".
func processCommand(pid int) string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || len(data) == 0 {
		return "unknown command"
	}
	args := strings.Split(strings.TrimRight(string(data), "\x00"), "\x00")
	args[0] = filepath.Base(args[0])
	line := redact.Text(strings.Join(args, " "))
	if len(line) > 200 {
		line = line[:200] + "…"
	}
	return line
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
// onWait. The lock is an flock on the package directory itself (its inode survives the atomic
// replacement of the files): no lock file anywhere.
func LockPackage(ctx context.Context, s *Settings, dir string, onWait func(msg string)) (func(), error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	mod := filepath.Join(abs, ModFileName)
	return lockFile(ctx, abs, mod, func(holder string) {
		if onWait != nil {
			onWait(fmt.Sprintf("waiting for %s, locked by %s", mod, holder))
		}
	})
}
