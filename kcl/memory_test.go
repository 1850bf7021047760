package kcl

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kpm-dev/kpm/internal/testpkg"
)

// TestEvalMemoryPerStatement holds the memory of the evaluation phase of a large generated
// package (issue 14), measured as live heap after a collection, in the order Run goes: the
// statement index costs a small number of bytes per statement (a map entry and a reference,
// not a slice each), and once the statements have run, their syntax trees are gone and the
// variables' values are what remains.
func TestEvalMemoryPerStatement(t *testing.T) {
	const n = 50000
	for _, tc := range []struct {
		name       string
		stmt       func(i int) string
		maxIndex   float64 // bytes per statement added by indexPackage (204 before, 43 now)
		maxRanLive float64 // live heap after runPackage over the source size (37 and 39 before; 12, 17 now)
	}{
		{"assign", testpkg.AssignStmt, 55, 15},
		{"config", testpkg.ConfigStmt, 55, 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file, size := testpkg.WriteStatements(t, n, tc.stmt)
			source := float64(size)
			live := func() float64 {
				runtime.GC()
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				return float64(m.HeapAlloc)
			}
			base := live()
			opts := Options{Files: []string{file}}
			e := &evaluator{ctx: context.Background(), opts: &opts, pkgs: map[string]*pkgState{}}
			e.stdout = &e.printed
			main := &pkgState{path: "__main__", dir: filepath.Dir(file)}
			main.files = append(main.files, e.parseFile(file))
			e.mainPkg = main
			parsed := live()
			e.indexPackage(main)
			indexed := live()
			e.runPackage(main)
			ran := live()
			perStmt := (indexed - parsed) / n
			t.Logf("syntax trees %.1fx the source; index %.0f bytes per statement; after the run %.1fx",
				(parsed-base)/source, perStmt, (ran-base)/source)
			assert.LessOrEqual(t, perStmt, tc.maxIndex)
			assert.LessOrEqual(t, (ran-base)/source, tc.maxRanLive)
			assert.Len(t, main.globals.keys, n)
			runtime.KeepAlive(e)
		})
	}
}
