package registry

import (
	"hash"
	"io"
)

// parallelHash hashes on its own goroutine without copying: tee writes a
// buffer to another writer while the hash consumes the same buffer, and
// returns once both are done with it.
type parallelHash struct {
	h    hash.Hash
	in   chan []byte
	out  chan struct{}
	done chan struct{}
	sum  []byte
}

func newParallelHash(h hash.Hash) *parallelHash {
	p := &parallelHash{h: h, in: make(chan []byte), out: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		for b := range p.in {
			p.h.Write(b)
			p.out <- struct{}{}
		}
	}()
	return p
}

// Write hashes b (no other writer).
func (p *parallelHash) Write(b []byte) (int, error) {
	p.in <- b
	<-p.out
	return len(b), nil
}

// tee returns a writer that writes to w and to the hash at the same time.
func (p *parallelHash) tee(w io.Writer) io.Writer { return &teeWriter{w: w, p: p} }

type teeWriter struct {
	w io.Writer
	p *parallelHash
}

func (t *teeWriter) Write(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	t.p.in <- b
	n, err := t.w.Write(b)
	<-t.p.out
	return n, err
}

// Sum stops the hasher and returns the digest; no Write may follow.
func (p *parallelHash) Sum() []byte {
	p.Close()
	if p.sum == nil {
		p.sum = p.h.Sum(nil)
	}
	return p.sum
}

// Close stops the hasher (idempotent).
func (p *parallelHash) Close() {
	select {
	case <-p.done:
	default:
		close(p.in)
		<-p.done
	}
}

// asyncHash feeds a hash from its own goroutine through copies of the
// written buffers: better than parallelHash when writes are small (the
// 32 KB reads of a decompressor), where a hand-off per write costs more
// than the copy.
type asyncHash struct {
	h    hash.Hash
	ch   chan []byte
	free chan []byte
	done chan struct{}
	cur  []byte
}

const asyncChunk = 1 << 20

func newAsyncHash(h hash.Hash) *asyncHash {
	a := &asyncHash{h: h, ch: make(chan []byte, 4), free: make(chan []byte, 5), done: make(chan struct{})}
	go func() {
		defer close(a.done)
		for b := range a.ch {
			a.h.Write(b)
			select {
			case a.free <- b[:0]:
			default: // enough spare buffers
			}
		}
	}()
	return a
}

// Write batches p into 1 MB chunks handed to the hashing goroutine.
func (a *asyncHash) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if a.cur == nil {
			select {
			case a.cur = <-a.free:
			default:
				a.cur = make([]byte, 0, asyncChunk)
			}
		}
		k := min(len(p), asyncChunk-len(a.cur))
		a.cur = append(a.cur, p[:k]...)
		p = p[k:]
		if len(a.cur) == asyncChunk {
			a.ch <- a.cur
			a.cur = nil
		}
	}
	return n, nil
}

// Sum flushes, stops the hasher and returns the digest; no Write may follow.
func (a *asyncHash) Sum() []byte {
	if len(a.cur) > 0 {
		a.ch <- a.cur
		a.cur = nil
	}
	a.Close()
	return a.h.Sum(nil)
}

// Close stops the hasher (idempotent).
func (a *asyncHash) Close() {
	select {
	case <-a.done:
	default:
		close(a.ch)
		<-a.done
	}
}
