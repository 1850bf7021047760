package kcl

import (
	"fmt"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
)

// TestDictOps follows the operations of a dict's keys through SetOp, Delete, Copy, moveLast and
// filter, below and above the length at which the dict gets a map.
func TestDictOps(t *testing.T) {
	for _, n := range []int{1, maxSmallDict, maxSmallDict + 1, 3 * maxSmallDict} {
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
				want["k1"] = OpInsert
			}
			// the operations follow their keys when the keys move
			d.Set("last", int64(-1))
			d.SetOp("last", OpOverride)
			want["last"] = OpOverride
			d.moveLast(0)
			assert.Equal(t, "last", d.Keys()[0])
			d.filter(func(k string, v Value) (Value, bool) { return v, k != "k1" })
			delete(want, "k1")
			for _, k := range d.Keys() {
				assert.Equal(t, want[k], d.GetOp(k), k)
			}
			assert.Equal(t, len(want), d.Len())
		})
	}
}

// TestDictValues follows a dict's keys and values through Set, Delete, Copy, filter, moveLast
// and mapValues against a list of pairs, below and above the length at which the dict gets a map.
func TestDictValues(t *testing.T) {
	type pair struct {
		k string
		v int64
	}
	check := func(t *testing.T, d *Dict, want []pair) {
		t.Helper()
		assert.Equal(t, len(want), d.Len())
		for i, p := range want {
			assert.Equal(t, p.k, d.Keys()[i])
			assert.Equal(t, p.v, d.valAt(i), p.k)
			v, ok := d.Get(p.k)
			assert.True(t, ok, p.k)
			assert.Equal(t, p.v, v, p.k)
		}
		_, ok := d.Get("missing")
		assert.False(t, ok)
		assert.Nil(t, d.val("missing"))
	}
	for _, n := range []int{1, maxSmallDict, maxSmallDict + 1, 3 * maxSmallDict} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			d := NewDict()
			var want []pair
			for i := 0; i < n; i++ {
				k := fmt.Sprint("k", i)
				d.Set(k, int64(i))
				want = append(want, pair{k, int64(i)})
			}
			assert.Equal(t, n > maxSmallDict, d.idx != nil, "a map only past maxSmallDict keys")
			check(t, d, want)
			d.Set("k0", int64(-1)) // set again: same place
			want[0].v = -1
			check(t, d, want)
			c := d.Copy()
			d.Delete("k0")
			d.Delete("missing")
			check(t, c, want) // the copy is independent
			want = want[1:]
			check(t, d, want)
			d.Set("last", int64(100))
			want = append(want, pair{"last", 100})
			d.moveLast(0)
			want = append(want[len(want)-1:], want[:len(want)-1]...)
			check(t, d, want)
			d.mapValues(func(v Value) Value { return v.(int64) * 2 })
			for i := range want {
				want[i].v *= 2
			}
			check(t, d, want)
			var kept []pair
			for _, p := range want {
				if p.v%4 == 0 {
					kept = append(kept, pair{p.k, p.v + 1})
				}
			}
			d.filter(func(k string, v Value) (Value, bool) { return v.(int64) + 1, v.(int64)%4 == 0 })
			check(t, d, kept)
			big := newDictCap(n)
			for _, p := range kept {
				big.add(p.k, p.v)
			}
			check(t, big, kept)
			assert.True(t, dictEqual(d, big))
		})
	}
}

// TestDictBecomes: a dict made to hold another's keys in place (a union) and the other go on
// apart, with or without an index.
func TestDictBecomes(t *testing.T) {
	for _, n := range []int{2, 2 * maxSmallDict} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			src := NewDict()
			for i := 0; i < n; i++ {
				src.Set(fmt.Sprint("k", i), int64(i))
			}
			d := NewDict()
			d.becomes(src)
			d.Set("new", int64(-1))
			_, ok := src.Get("new")
			assert.False(t, ok)
			assert.Equal(t, n, src.Len())
			assert.Equal(t, n+1, d.Len())
			for i := 0; i < n; i++ {
				assert.Equal(t, int64(i), src.val(fmt.Sprint("k", i)))
				assert.Equal(t, int64(i), d.val(fmt.Sprint("k", i)))
			}
		})
	}
}

// TestValueSizes: a large configuration has millions of dicts (issue 14).
func TestValueSizes(t *testing.T) {
	assert.Equal(t, uintptr(64), unsafe.Sizeof(Dict{}), "a dict")
	assert.Equal(t, uintptr(8), unsafe.Sizeof(dictSlot{}), "a slot of an indexed dict")
}
