package registry

import (
	"hash"
	"io"
	"sync"
)

// Two hashers that run a hash on their own goroutine, so the checksum of a
// package costs no time on the goroutine that packs or unpacks it when a
// core is free.
//
// Both follow the same rules, which keep them free of deadlocks: the hashing
// goroutine only ever waits for work; it never waits for the writer (every
// channel it sends on has room for everything it can send); and it stops
// when Close is called, whatever state the writer is in, so a writer that
// fails half-way just calls Close (usually deferred) and nothing is left
// running.

// parallelHash hashes a buffer while the caller writes the same buffer
// elsewhere (tee), without copying it. Used by push, where the writes are
// the 1 MB flushes of a bufio.Writer.
type parallelHash struct {
	h    hash.Hash
	in   chan []byte   // buffer to hash; unbuffered: the writer waits for the pick-up
	out  chan struct{} // one token per buffer hashed; room for it, so the hasher never waits
	done chan struct{}
	once sync.Once
	sum  []byte
}

func newParallelHash(h hash.Hash) *parallelHash {
	p := &parallelHash{h: h, in: make(chan []byte), out: make(chan struct{}, 1), done: make(chan struct{})}
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
	if len(b) == 0 {
		return 0, nil
	}
	p.in <- b
	<-p.out
	return len(b), nil
}

// tee returns a writer that writes to w and to the hash at the same time.
// Its Write returns once both are done with the buffer.
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
	// Wait for the hasher even if w panics: b belongs to the caller.
	defer func() { <-t.p.out }()
	return t.w.Write(b)
}

// Sum stops the hasher and returns the digest; no Write may follow.
func (p *parallelHash) Sum() []byte {
	p.Close()
	if p.sum == nil {
		p.sum = p.h.Sum(nil)
	}
	return p.sum
}

// Close stops the hasher and waits for it (idempotent). Between writes the
// hasher is always idle, so this returns at once.
func (p *parallelHash) Close() {
	p.once.Do(func() { close(p.in) })
	<-p.done
}

// blockHash hashes the content of a few large blocks the writer fills in
// place: the writer asks for space (next), reads data into it, uses it
// (writes it to a file) and commits it; full blocks go to the hashing
// goroutine and come back once hashed. Nothing is copied, and small files
// share blocks (the hash covers the concatenation). Used by pull, where the
// data come from a decompressor in small reads.
type blockHash struct {
	h     hash.Hash
	work  chan []byte // filled blocks, in order
	free  chan []byte // hashed blocks, for reuse
	quit  chan struct{}
	done  chan struct{}
	once  sync.Once
	cur   []byte // block being filled: len = committed bytes
	made  int    // blocks allocated (at most blockCount)
	size  int
	count int
}

const (
	hashBlockSize  = 1 << 20
	hashBlockCount = 4
)

func newBlockHash(h hash.Hash) *blockHash {
	return newBlockHashSize(h, hashBlockSize, hashBlockCount)
}

func newBlockHashSize(h hash.Hash, size, count int) *blockHash {
	b := &blockHash{
		h: h, size: size, count: count,
		// Room for every block: sends never wait.
		work: make(chan []byte, count), free: make(chan []byte, count),
		quit: make(chan struct{}), done: make(chan struct{}),
	}
	go func() {
		defer close(b.done)
		for {
			select {
			case blk, ok := <-b.work:
				if !ok {
					return
				}
				b.h.Write(blk)
				b.free <- blk[:0]
			case <-b.quit:
				return
			}
		}
	}()
	return b
}

// next returns free space (never empty) to read data into; commit(n) then
// marks the first n bytes of it as data to hash. No other method may be
// called in between.
func (b *blockHash) next() []byte {
	if b.cur != nil && len(b.cur) == cap(b.cur) {
		b.work <- b.cur
		b.cur = nil
	}
	if b.cur == nil {
		if b.made < b.count {
			select {
			case b.cur = <-b.free:
			default:
				b.cur = make([]byte, 0, b.size)
				b.made++
			}
		} else {
			// Every block is queued or being hashed: the hasher hands
			// one back once it is done with it (unless it was stopped,
			// which is a misuse; then the data are simply not hashed).
			select {
			case b.cur = <-b.free:
			case <-b.done:
				b.cur = make([]byte, 0, b.size)
			}
		}
	}
	return b.cur[len(b.cur):cap(b.cur)]
}

// commit adds the first n bytes of the space returned by next to the hash.
func (b *blockHash) commit(n int) { b.cur = b.cur[:len(b.cur)+n] }

// Sum hashes what is left, stops the hasher and returns the digest; no
// other call may follow.
func (b *blockHash) Sum() []byte {
	if len(b.cur) > 0 {
		b.work <- b.cur
		b.cur = nil
	}
	b.once.Do(func() { close(b.work) })
	<-b.done
	return b.h.Sum(nil)
}

// Close abandons the hash: the hasher stops without hashing what is
// queued (idempotent; a no-op after Sum).
func (b *blockHash) Close() {
	b.once.Do(func() { close(b.quit) })
	<-b.done
}
