//go:build !unix

package syntax

import "time"

// cpuTime is not available here; benchmarks fall back to wall-clock time.
func cpuTime() time.Duration { return 0 }
