package registry

import (
	"hash"
	"sync"
)

// asyncHash feeds a hash from its own goroutine, so hashing overlaps with
// compression and I/O on multi-core machines. Write copies p; Sum waits
// for every pending write.
type asyncHash struct {
	h    hash.Hash
	ch   chan []byte
	done chan struct{}
	pool sync.Pool
}

func newAsyncHash(h hash.Hash) *asyncHash {
	a := &asyncHash{h: h, ch: make(chan []byte, 8), done: make(chan struct{})}
	go func() {
		defer close(a.done)
		for b := range a.ch {
			a.h.Write(b)
			b = b[:0]
			a.pool.Put(&b)
		}
	}()
	return a
}

func (a *asyncHash) Write(p []byte) (int, error) {
	var b []byte
	if v, ok := a.pool.Get().(*[]byte); ok {
		b = *v
	}
	b = append(b[:0], p...)
	a.ch <- b
	return len(p), nil
}

// Sum stops the hasher and returns the digest; no Write may follow.
func (a *asyncHash) Sum() []byte {
	close(a.ch)
	<-a.done
	return a.h.Sum(nil)
}

// Close stops the hasher without reading the digest (error paths).
func (a *asyncHash) Close() {
	select {
	case <-a.done:
	default:
		close(a.ch)
		<-a.done
	}
}
