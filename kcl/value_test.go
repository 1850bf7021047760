package kcl

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestDictOps follows the operations of a dict's keys through SetOp, Delete and Copy, below and
// above the length at which the list of operations gets an index.
func TestDictOps(t *testing.T) {
	for _, n := range []int{1, maxOpsList, maxOpsList + 1, 3 * maxOpsList} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			d := NewDict()
			want := map[string]Op{}
			for i := 0; i < n; i++ {
				k := fmt.Sprint("k", i)
				d.Set(k, int64(i))
				op := Op(i % 3)
				d.SetOp(k, op)
				want[k] = op
			}
			// every other key: deleted, or set back to OpUnion, or changed
			for i := 0; i < n; i += 2 {
				k := fmt.Sprint("k", i)
				switch i % 3 {
				case 0:
					d.Delete(k)
					delete(want, k)
				case 1:
					d.SetOp(k, OpUnion)
					want[k] = OpUnion
				case 2:
					d.SetOp(k, OpInsert)
					want[k] = OpInsert
				}
			}
			c := d.Copy()
			d.SetOp("k1", OpInsert) // the copy is independent
			for i := 0; i < n; i++ {
				k := fmt.Sprint("k", i)
				assert.Equal(t, want[k], c.GetOp(k), k)
			}
			assert.Equal(t, OpUnion, c.GetOp("missing"))
			if n > 1 {
				assert.Equal(t, OpInsert, d.GetOp("k1"))
			}
		})
	}
}
