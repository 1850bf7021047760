package lsp

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
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

// maxMessage bounds one incoming message (a didOpen of a 50 MB file fits).
const maxMessage = 256 << 20

// ReadObject implements jsonrpc2.ObjectStream. A message that is not JSON, or not a JSON-RPC
// message (an id that is an object, a batch), is answered with the JSON-RPC error (-32700 or
// -32600, id null) and skipped: one bad message must not end the session. Only broken framing
// ends it, since the next message cannot be found.
func (s *frameStream) ReadObject(v any) error {
	for {
		body, err := s.readFrame()
		if err != nil {
			return err
		}
		switch {
		case body == nil:
			s.replyError(jsonrpc2.CodeInvalidRequest, fmt.Sprintf("message larger than %d bytes", maxMessage))
		case !json.Valid(body):
			s.replyError(jsonrpc2.CodeParseError, "message is not valid JSON")
		default:
			if err := json.Unmarshal(body, v); err != nil {
				s.replyError(jsonrpc2.CodeInvalidRequest, "not a JSON-RPC message: "+err.Error())
				continue
			}
			return nil
		}
	}
}

// readFrame reads one Content-Length framed body; nil (and no error) for a body over maxMessage,
// which is skipped.
func (s *frameStream) readFrame() ([]byte, error) {
	length := int64(-1)
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			if length, err = strconv.ParseInt(strings.TrimSpace(value), 10, 64); err != nil || length < 0 {
				return nil, fmt.Errorf("bad Content-Length %q", value)
			}
		}
	}
	if length < 0 {
		return nil, errors.New("message without Content-Length")
	}
	if length > maxMessage {
		_, err := io.CopyN(io.Discard, s.r, length)
		return nil, err
	}
	body := make([]byte, length)
	_, err := io.ReadFull(s.r, body)
	return body, err
}

// replyError answers a message that could not be read, with id null as JSON-RPC says.
func (s *frameStream) replyError(code int64, msg string) {
	data, _ := json.Marshal(struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      *jsonrpc2.ID    `json:"id"`
		Error   *jsonrpc2.Error `json:"error"`
	}{"2.0", nil, &jsonrpc2.Error{Code: code, Message: msg}})
	_ = s.writeFrame(data)
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
