//go:build unix

// Package cputime reads this process's CPU time, for benchmarks and tests that compare work done
// rather than wall-clock time (steadier on a loaded machine).
package cputime

import (
	"syscall"
	"time"
)

// Process returns the user+system CPU time this process has used so far.
func Process() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
