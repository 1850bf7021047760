package kclbench

import (
	"bytes"
	"fmt"
	"os/exec"
	"slices"
	"syscall"
	"time"
)

// Sample is one whole-process run of a benchmark: its wall time and peak resident set.
type Sample struct {
	Wall   time.Duration
	MaxRSS int64 // bytes
}

// Measure runs cmd to completion and returns what it printed on stdout with its wall time and
// peak resident set; a failure's error holds its stderr.
func Measure(cmd *exec.Cmd) ([]byte, Sample, error) {
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return nil, Sample{}, fmt.Errorf("%s: %v\n%s", cmd.Path, err, errb.String())
	}
	s := Sample{Wall: time.Since(start)}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		s.MaxRSS = ru.Maxrss * 1024 // Linux reports KiB
	}
	return out.Bytes(), s, nil
}

// Median is the median of f over the samples (the upper one of an even count).
func Median(ss []Sample, f func(Sample) int64) int64 {
	v := make([]int64, len(ss))
	for i, s := range ss {
		v[i] = f(s)
	}
	slices.Sort(v)
	return v[len(v)/2]
}

// Wall and RSS select a sample's figure for Median.
func Wall(s Sample) int64 { return int64(s.Wall) }

// RSS: see Wall.
func RSS(s Sample) int64 { return s.MaxRSS }
