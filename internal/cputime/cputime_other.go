//go:build !unix

// Package cputime reads this process's CPU time, for benchmarks and tests that compare work done
// rather than wall-clock time (steadier on a loaded machine).
package cputime

import "time"

// Process is not measured on this platform: it returns 0.
func Process() time.Duration { return 0 }
