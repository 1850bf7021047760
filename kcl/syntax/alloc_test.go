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
	// a one-name Ident's name span is its Span, not a third copy (a 96-byte allocation)
	assert.LessOrEqual(t, unsafe.Sizeof(identAlloc{}), uintptr(88))
}

// TestIdentNameSpans: the name spans of a one-name Ident (a view of its Span) and of a dotted
// one (a slice of their own, the Span then covering all names).
func TestIdentNameSpans(t *testing.T) {
	f, errs := ParseFile("main.k", []byte("ab = 1\nc.de = 2\n"))
	assert.Empty(t, errs)
	one := f.Body[0].(*AssignStmt).Targets[0].(*Ident)
	assert.Equal(t, []Span{one.Span}, one.NameSpans)
	assert.Equal(t, int32(2), one.NameSpans[0].To.Col-one.NameSpans[0].From.Col)
	dotted := f.Body[1].(*AssignStmt).Targets[0].(*Ident)
	assert.Equal(t, []string{"c", "de"}, dotted.Names)
	assert.Equal(t, int32(1), dotted.NameSpans[0].To.Col-dotted.NameSpans[0].From.Col)
	assert.Equal(t, int32(2), dotted.NameSpans[1].To.Col-dotted.NameSpans[1].From.Col)
	assert.Equal(t, dotted.NameSpans[0].From, dotted.Span.From)
	assert.Equal(t, dotted.NameSpans[1].To, dotted.Span.To)
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
