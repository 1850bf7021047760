package registry

import (
	"bytes"
	"crypto/sha256"
	"hash"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ownGoroutines returns the stacks of the goroutines this package starts
// (hashers, read-ahead, upload stream, progress watcher) that are still
// running.
func ownGoroutines() []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		for _, fn := range []string{
			"registry.newParallelHash.func", "registry.newBlockHashSize.func",
			"registry.(*readAhead).run", "registry.startStreamUpload.func", "registry.watchOffset.func",
		} {
			if strings.Contains(g, fn) {
				out = append(out, g)
				break
			}
		}
	}
	return out
}

// requireNoOwnGoroutines fails if any goroutine of this package is still
// running 20 seconds after the operations under test returned (they end at once; the margin
// is for a loaded CI machine running the race detector).
func requireNoOwnGoroutines(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		left := ownGoroutines()
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			require.Empty(t, left, "goroutines left running")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestParallelHashMatchesSHA256(t *testing.T) {
	for _, size := range []int{0, 1, 32 << 10, 1 << 20, 3<<20 + 7} {
		data := bytes.Repeat([]byte("kpm!"), size/4+1)[:size]
		want := sha256.Sum256(data)

		p := newParallelHash(sha256.New())
		var buf bytes.Buffer
		tee := p.tee(&buf)
		for off := 0; off < len(data); off += 100 << 10 {
			_, err := tee.Write(data[off:min(off+100<<10, len(data))])
			require.NoError(t, err)
		}
		assert.Equal(t, want[:], p.Sum(), "tee, size %d", size)
		assert.Equal(t, string(data), buf.String())
		p.Close() // idempotent after Sum

		p = newParallelHash(sha256.New())
		_, _ = p.Write(data)
		assert.Equal(t, want[:], p.Sum(), "write, size %d", size)
	}
	requireNoOwnGoroutines(t)
}

// slowHash makes the hashing goroutine the slow side, so the writer has to
// wait for blocks to come back.
type slowHash struct{ hash.Hash }

func (s slowHash) Write(p []byte) (int, error) {
	time.Sleep(time.Millisecond)
	return s.Hash.Write(p)
}

func TestBlockHashMatchesSHA256(t *testing.T) {
	tests := []struct {
		name        string
		size        int   // total bytes
		chunk       int   // bytes read per next/commit at most
		block, nblk int   // block size and count
		slow        bool  // slow hasher: the writer waits for free blocks
		cuts        []int // commit fewer bytes than offered, cycling through these
	}{
		{name: "empty", size: 0, chunk: 10, block: 64, nblk: 2},
		{name: "one byte", size: 1, chunk: 10, block: 64, nblk: 2},
		{name: "exact block", size: 64, chunk: 64, block: 64, nblk: 2},
		{name: "many blocks", size: 10_000, chunk: 100, block: 64, nblk: 3},
		{name: "slow hasher", size: 5_000, chunk: 1000, block: 256, nblk: 2, slow: true},
		{name: "short reads", size: 3_333, chunk: 50, block: 128, nblk: 4, cuts: []int{1, 7, 50, 3}},
		{name: "default sizes", size: 5<<20 + 3, chunk: 32 << 10, block: hashBlockSize, nblk: hashBlockCount},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := make([]byte, tt.size)
			for i := range data {
				data[i] = byte(i * 7)
			}
			want := sha256.Sum256(data)
			var h hash.Hash = sha256.New()
			if tt.slow {
				h = slowHash{h}
			}
			b := newBlockHashSize(h, tt.block, tt.nblk)
			defer b.Close()
			var got []byte // what the writer saw in its space, in order
			for off, i := 0, 0; off < len(data); i++ {
				space := b.next()
				require.NotEmpty(t, space)
				n := min(len(space), tt.chunk, len(data)-off)
				if len(tt.cuts) > 0 {
					n = min(n, tt.cuts[i%len(tt.cuts)])
				}
				copy(space, data[off:off+n])
				got = append(got, space[:n]...)
				b.commit(n)
				off += n
			}
			assert.Equal(t, want[:], b.Sum())
			assert.True(t, bytes.Equal(data, got), "the writer read back what it wrote")
		})
	}
	requireNoOwnGoroutines(t)
}

// panicWriter fails the way a bug in a writer would.
type panicWriter struct{}

func (panicWriter) Write([]byte) (int, error) { panic("boom") }

func TestHashersStopWhenAbandoned(t *testing.T) {
	// A writer that gives up half-way only calls Close (deferred): the
	// hashing goroutine must end, whatever it was doing.
	t.Run("block hash with queued blocks", func(t *testing.T) {
		b := newBlockHashSize(slowHash{sha256.New()}, 16, 3)
		for range 10 {
			space := b.next()
			b.commit(len(space))
		}
		b.Close()
		b.Close()
	})
	t.Run("block hash never used", func(t *testing.T) {
		newBlockHash(sha256.New()).Close()
	})
	t.Run("parallel hash never used", func(t *testing.T) {
		newParallelHash(sha256.New()).Close()
	})
	t.Run("parallel hash after a panicking tee", func(t *testing.T) {
		p := newParallelHash(sha256.New())
		assert.Panics(t, func() { _, _ = p.tee(panicWriter{}).Write([]byte("data")) })
		done := make(chan struct{})
		go func() { p.Close(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Close hung after a writer panicked")
		}
	})
	requireNoOwnGoroutines(t)
}
