package check

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpm-dev/kpm/internal/testpkg"
	"github.com/kpm-dev/kpm/kcl"
)

// The static check kpm run does before evaluating is the peak of a large program's run
// (issue 14, bench/memory.sh): it must stay within a few times its source. Both figures are
// exact byte counts of the runtime, the same on every run: what Program allocates in all per
// statement, and what a checker keeps per statement once it has checked the program.
func TestProgramMemory(t *testing.T) {
	const n = 20000
	for _, tc := range []struct {
		name string
		stmt func(i int) string
		// bounds per statement, bytes. Measured: 2128/186 and 4357/213 (an object and a scope entry
		// per global, the source, the file's statement list; a statement's tree is parsed again to
		// check it, which is most of what is allocated); 919/553 and 2581/1038 holding the whole
		// tree; 1703/665 and 5722/1622 before the single walk.
		alloc, kept uint64
	}{
		{"assign", testpkg.AssignStmt, 2300, 200},
		{"config", testpkg.ConfigStmt, 4600, 230},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, size := testpkg.WriteStatements(t, n, tc.stmt)

			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			require.NoError(t, Program(context.Background(), kcl.Program{Files: []string{path}, Root: filepath.Dir(path)}))
			runtime.ReadMemStats(&after)
			alloc := (after.TotalAlloc - before.TotalAlloc) / n

			runtime.GC()
			runtime.ReadMemStats(&before)
			c := New(Config{NoRefs: true})
			c.With(func() { c.load(mainKey, ModuleRef{Dir: filepath.Dir(path), Files: []string{path}}, true) })
			runtime.GC()
			runtime.ReadMemStats(&after)
			runtime.KeepAlive(c)
			kept := (after.HeapAlloc - before.HeapAlloc) / n

			t.Logf("%s: %d bytes of source, %d allocated and %d kept per statement", tc.name, size/n, alloc, kept)
			assert.LessOrEqual(t, alloc, tc.alloc, "bytes allocated per statement")
			assert.LessOrEqual(t, kept, tc.kept, "bytes kept per statement")
		})
	}
}

// A large program has an object per global: it stays in a small size class.
func TestObjectSize(t *testing.T) {
	assert.LessOrEqual(t, unsafe.Sizeof(Object{}), uintptr(80))
}
