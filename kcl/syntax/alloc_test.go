package syntax

import (
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
)

// The syntax tree of a large program is most of kpm run's memory: positions are 32-bit (a span
// is 24 bytes) and a simple statement costs a few allocations, which these tests hold.
func TestNodeSizes(t *testing.T) {
	assert.Equal(t, uintptr(24), unsafe.Sizeof(Span{}))
	assert.LessOrEqual(t, unsafe.Sizeof(Ident{}), uintptr(72))
	assert.LessOrEqual(t, unsafe.Sizeof(AssignStmt{}), uintptr(80))
}

func TestParseAllocationsPerStatement(t *testing.T) {
	const n = 2000
	for _, tc := range []struct {
		name string
		stmt func(i int) string
		max  float64 // allocations per statement
	}{
		// the statement with its target list, the name (one allocation) and its interned text,
		// the number; a little for the growth of the statement list
		{"assign", func(i int) string { return fmt.Sprintf("a%d = %d\n", i, i) }, 5.1},
		// and the config, its entry list (grown once), two entries, their keys, two values
		{"config", func(i int) string { return fmt.Sprintf("c%d = {name = \"c%d\", port = %d}\n", i, i, i) }, 14.1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			for i := 0; i < n; i++ {
				b.WriteString(tc.stmt(i))
			}
			src := []byte(b.String())
			allocs := testing.AllocsPerRun(3, func() { ParseFile("main.k", src) })
			t.Logf("%.2f allocations per statement", allocs/n)
			assert.LessOrEqual(t, allocs/n, tc.max)
		})
	}
}
