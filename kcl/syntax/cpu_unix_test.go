//go:build unix

package syntax

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time (user + system) used by this process so
// far; on a loaded machine it is steadier than wall-clock time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
