package kcl

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kpm-dev/kpm/internal/testpkg"
)

// TestEvalMemoryPerStatement holds the memory of the evaluation phase of a large generated
// package (issue 14), measured as live heap after a collection, in the order Run goes: the main
// package is parsed and indexed statement by statement without keeping its syntax trees (the
// source and the index remain), then its statements run, each parsed again and let go once it
// has run. The peak is the largest live heap of collections made at the evaluator's polls of its
// context, every few thousand statements all along the run.
func TestEvalMemoryPerStatement(t *testing.T) {
	const n = 100000
	for _, tc := range []struct {
		name string
		stmt func(i int) string
		// live heap after parseMain over the source size: the source, the index (a map entry and
		// a byte per statement) and the room for the variables, but no syntax tree
		maxParsed float64
		// largest live heap during runPackage over the source size: 25x, 21x and 32x before the
		// statements were parsed again one by one, 9.0x, 8.1x and 12.7x now (7.9x and 7.7x for
		// 800,000 statements, whose source lines are longer)
		maxPeakRun float64
		schemas    int // schemas the package defines besides its n statements' variables
	}{
		{"assign", testpkg.AssignStmt, 9.5, 9.5, 0},
		{"config", testpkg.ConfigStmt, 4.2, 8.5, 0},
		{"schema", schemaStmt, 4, 13.5, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file, size := testpkg.WriteStatements(t, n, tc.stmt)
			source := float64(size)
			live := func() float64 {
				// the heap the collection found live, not counting what the run allocated since
				runtime.GC()
				sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
				metrics.Read(sample)
				return float64(sample[0].Value.Uint64())
			}
			base := live()
			opts := Options{Files: []string{file}}
			e := &evaluator{ctx: context.Background(), opts: &opts, pkgs: map[string]*pkgState{}}
			e.stdout = &e.printed
			main := &pkgState{path: "__main__", dir: filepath.Dir(file)}
			e.mainPkg = main
			e.parseMain(main, []string{file})
			parsed := live()

			// the evaluator polls its context every few thousand steps: each poll collects the
			// garbage and samples the live heap, between two statements; the largest is the peak
			ctx := &heapSampler{Context: context.Background(), live: live}
			e.ctx = ctx
			e.runPackage(main)
			peak, samples := ctx.peak, ctx.samples
			ran := live()
			t.Logf("after parsing %.1fx the source; peak of the run %.1fx (%d samples); after the run %.1fx",
				(parsed-base)/source, (peak-base)/source, samples, (ran-base)/source)
			assert.Greater(t, samples, 3, "too few collections during the run to see its peak")
			assert.LessOrEqual(t, (parsed-base)/source, tc.maxParsed)
			assert.LessOrEqual(t, (peak-base)/source, tc.maxPeakRun)
			assert.Equal(t, n, main.globals.Len()-tc.schemas, "every statement's variable is set")
			runtime.KeepAlive(e)
		})
	}
}

// schemaStmt is the i-th statement of a package of schema instances, after the schema.
func schemaStmt(i int) string {
	s := fmt.Sprintf("s%d: Service {name = \"s%d\", port = %d}\n", i, i, i)
	if i == 0 {
		s = "schema Service:\n    name: str\n    port: int\n\n" + s
	}
	return s
}

// heapSampler is a context whose every poll by the evaluator samples the live heap.
type heapSampler struct {
	context.Context
	live    func() float64
	peak    float64
	samples int
}

func (s *heapSampler) Err() error {
	s.samples++
	s.peak = max(s.peak, s.live())
	return s.Context.Err()
}
