package registry

import (
	"bytes"
	"errors"
	"io"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpm-dev/kpm/internal/testpkg"
)

func TestReadAheadDeliversEverythingInOrder(t *testing.T) {
	data := make([]byte, 3<<20+17)
	for i := range data {
		data[i] = byte(i * 13)
	}
	boom := errors.New("network down")
	tests := []struct {
		name    string
		src     io.Reader
		want    []byte
		wantErr error
	}{
		{name: "empty", src: bytes.NewReader(nil), want: nil, wantErr: io.EOF},
		{name: "large reads", src: bytes.NewReader(data), want: data, wantErr: io.EOF},
		{name: "one byte reads", src: iotest.OneByteReader(bytes.NewReader(data[:5000])), want: data[:5000], wantErr: io.EOF},
		{name: "data with EOF", src: iotest.DataErrReader(bytes.NewReader(data)), want: data, wantErr: io.EOF},
		{name: "error after data", src: io.MultiReader(bytes.NewReader(data[:100_000]), iotest.ErrReader(boom)), want: data[:100_000], wantErr: boom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ra := newReadAhead(tt.src, nil, 64<<10, 3)
			defer ra.stop()
			var got bytes.Buffer
			buf := make([]byte, 10_000)
			var err error
			for err == nil {
				var n int
				n, err = ra.Read(buf)
				got.Write(buf[:n])
			}
			assert.ErrorIs(t, err, tt.wantErr)
			assert.Equal(t, len(tt.want), got.Len())
			assert.True(t, bytes.Equal(tt.want, got.Bytes()))
			assert.False(t, ra.stop(), "src had ended: not interrupted")
			_, err = ra.Read(buf)
			assert.ErrorIs(t, err, tt.wantErr, "the error stays")
		})
	}
	requireNoOwnGoroutines(t)
}

// blockingReader returns a little data, then blocks until it is closed,
// like a network stream from a registry that stopped sending.
type blockingReader struct {
	once   sync.Once
	first  bool
	closed chan struct{}
}

func newBlockingReader() *blockingReader { return &blockingReader{closed: make(chan struct{})} }

func (b *blockingReader) Read(p []byte) (int, error) {
	if !b.first {
		b.first = true
		return copy(p, "some data"), nil
	}
	<-b.closed
	return 0, errors.New("read on closed connection")
}

func (b *blockingReader) Close() error { b.once.Do(func() { close(b.closed) }); return nil }

func TestReadAheadStops(t *testing.T) {
	t.Run("while src blocks", func(t *testing.T) {
		src := newBlockingReader()
		ra := newReadAhead(src, func() { src.Close() }, 1024, 2)
		stopped := make(chan bool)
		go func() { stopped <- ra.stop() }()
		select {
		case interrupted := <-stopped:
			assert.True(t, interrupted)
		case <-time.After(5 * time.Second):
			t.Fatal("stop hung on a blocked read")
		}
		_, err := io.ReadAll(ra)
		assert.ErrorIs(t, err, errReadAheadStopped)
	})
	t.Run("while every block is full", func(t *testing.T) {
		ra := newReadAhead(testpkg.Zeros(), nil, 1024, 2)
		buf := make([]byte, 10)
		_, err := ra.Read(buf) // the consumer holds one block, the other is full
		require.NoError(t, err)
		time.Sleep(10 * time.Millisecond)
		assert.True(t, ra.stop())
		assert.True(t, ra.stop(), "idempotent")
	})
	t.Run("never read", func(t *testing.T) {
		ra := newReadAhead(bytes.NewReader(make([]byte, 100_000)), nil, 1024, 2)
		assert.True(t, ra.stop(), "src was far from its end")
	})
	requireNoOwnGoroutines(t)
}
