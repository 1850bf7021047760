package kcl

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/kpm-dev/kpm/internal/kclbench"
	"github.com/stretchr/testify/require"

	"github.com/kpm-dev/kpm/internal/cputime"
)

// writeBenchPackage writes the generated service package (internal/kclbench) at the given scale.
func writeBenchPackage(tb testing.TB, dir string, scale int) {
	tb.Helper()
	require.NoError(tb, kclbench.WriteServicePackage(dir, scale))
}

// BenchmarkEval evaluates the generated package at 1x, 4x and 16x (1x = 2,000 schema instances
// and 20,000 config entries) and logs the time ratios against 1x (linear growth gives 4 and 16).
func BenchmarkEval(b *testing.B) {
	perOp := map[int]time.Duration{}
	cpuPerOp := map[int]time.Duration{}
	for _, scale := range []int{1, 4, 16} {
		dir := b.TempDir()
		writeBenchPackage(b, dir, scale)
		b.Run(fmt.Sprintf("%dx", scale), func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := cputime.Process()
			for i := 0; i < b.N; i++ {
				res, err := Run(context.Background(), Options{Dir: dir})
				if err != nil {
					b.Fatal(err)
				}
				if len(res.Output) == 0 {
					b.Fatal("empty output")
				}
			}
			perOp[scale] = b.Elapsed() / time.Duration(b.N)
			cpuPerOp[scale] = (cputime.Process() - cpu0) / time.Duration(b.N)
			b.ReportMetric(float64(cpuPerOp[scale].Milliseconds()), "cpu-ms/op")
		})
	}
	if perOp[1] > 0 && cpuPerOp[1] > 0 {
		b.Logf("ratio vs 1x: wall 4x %.2f, 16x %.2f; cpu 4x %.2f, 16x %.2f (linear: 4, 16)",
			float64(perOp[4])/float64(perOp[1]), float64(perOp[16])/float64(perOp[1]),
			float64(cpuPerOp[4])/float64(cpuPerOp[1]), float64(cpuPerOp[16])/float64(cpuPerOp[1]))
	}
}

// TestEvalScalesLinearly evaluates the benchmark package at 1x and 4x and checks that the work
// grows linearly: allocations are deterministic (time is logged; it is noisy on shared machines).
func TestEvalScalesLinearly(t *testing.T) {
	allocs := map[int]uint64{}
	times := map[int]time.Duration{}
	for _, scale := range []int{1, 4} {
		dir := t.TempDir()
		writeBenchPackage(t, dir, scale)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		res, err := Run(context.Background(), Options{Dir: dir})
		times[scale] = time.Since(start)
		runtime.ReadMemStats(&after)
		require.NoError(t, err)
		require.Contains(t, res.Output, "svc-1999")
		allocs[scale] = after.Mallocs - before.Mallocs
	}
	ratio := float64(allocs[4]) / float64(allocs[1])
	t.Logf("1x %v (%d allocs), 4x %v (%d allocs), alloc ratio %.2f", times[1], allocs[1], times[4], allocs[4], ratio)
	require.InDelta(t, 4.0, ratio, 0.6, "evaluation work grows faster than linearly")
}
