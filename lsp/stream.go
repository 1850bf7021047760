package lsp

import (
	"bufio"
	"encoding/json"
	"io"
	"strconv"
	"sync"

	"github.com/sourcegraph/jsonrpc2"
)

// frameStream is the LSP base protocol (Content-Length framing) over stdio. It differs from
// jsonrpc2's buffered VSCode stream in two ways that matter for large messages (the
// diagnostics of a 500-dependency kcl.mod are ~100 KB): a message that marshals itself is
// written as it comes, without encoding/json compacting it once more, and writeFrame lets the
// server send a pre-encoded notification. Every frame is written whole under one lock, so
// frames from the connection and from writeFrame never interleave.
type frameStream struct {
	rwc io.ReadWriteCloser
	r   *bufio.Reader

	mu  sync.Mutex
	buf []byte
}

func newFrameStream(rwc io.ReadWriteCloser) *frameStream {
	return &frameStream{rwc: rwc, r: bufio.NewReaderSize(rwc, 64<<10)}
}

// ReadObject implements jsonrpc2.ObjectStream.
func (s *frameStream) ReadObject(v any) error {
	return jsonrpc2.VSCodeObjectCodec{}.ReadObject(s.r, v)
}

// WriteObject implements jsonrpc2.ObjectStream.
func (s *frameStream) WriteObject(obj any) error {
	var data []byte
	var err error
	if m, ok := obj.(json.Marshaler); ok {
		data, err = m.MarshalJSON()
	} else {
		data, err = json.Marshal(obj)
	}
	if err != nil {
		return err
	}
	return s.writeFrame(data)
}

func (s *frameStream) writeFrame(data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf = append(s.buf[:0], "Content-Length: "...)
	s.buf = strconv.AppendInt(s.buf, int64(len(data)), 10)
	s.buf = append(s.buf, "\r\n\r\n"...)
	s.buf = append(s.buf, data...)
	_, err := s.rwc.Write(s.buf)
	if cap(s.buf) > 1<<20 {
		s.buf = nil // do not keep a huge buffer around
	}
	return err
}

// Close implements jsonrpc2.ObjectStream.
func (s *frameStream) Close() error { return s.rwc.Close() }

// notifyEncoded sends a notification whose params are encoded once, straight into the frame.
func (s *frameStream) notifyEncoded(method string, params any) error {
	p, err := json.Marshal(params)
	if err != nil {
		return err
	}
	msg := make([]byte, 0, len(p)+len(method)+48)
	msg = append(msg, `{"jsonrpc":"2.0","method":`...)
	msg = strconv.AppendQuote(msg, method)
	msg = append(msg, `,"params":`...)
	msg = append(msg, p...)
	msg = append(msg, '}')
	return s.writeFrame(msg)
}
