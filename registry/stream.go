package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	orasreg "oras.land/oras-go/v2/registry"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
)

// streamUpload uploads a blob while it is being produced: POST opens an
// upload session, one PATCH streams the bytes (chunked transfer encoding)
// as they are written, and finish completes it with PUT ?digest=. It is an
// io.Writer that never fails: a failed stream is reported by finish, and
// the caller falls back to a monolithic upload of the archive file.
type streamUpload struct {
	pw   *io.PipeWriter
	done chan struct{}
	// set by the PATCH goroutine
	location *url.URL
	err      error
	client   remote.Client
	once     sync.Once
	failed   bool
}

func startStreamUpload(ctx context.Context, repo *remote.Repository, ref Reference) *streamUpload {
	pr, pw := io.Pipe()
	s := &streamUpload{pw: pw, done: make(chan struct{}), client: repo.Client}
	scheme := "https"
	if repo.PlainHTTP {
		scheme = "http"
	}
	ctx = auth.AppendRepositoryScope(ctx, orasreg.Reference{Registry: ref.Registry, Repository: ref.Repository}, auth.ActionPull, auth.ActionPush)
	go func() {
		defer close(s.done)
		s.location, s.err = s.run(ctx, scheme, ref, pr)
		// Unblock the writer if the request stopped reading.
		pr.CloseWithError(errStreamDone)
	}()
	return s
}

var errStreamDone = errors.New("stream upload ended")

func (s *streamUpload) run(ctx context.Context, scheme string, ref Reference, body io.Reader) (*url.URL, error) {
	start := &url.URL{Scheme: scheme, Host: ref.Registry, Path: "/v2/" + ref.Repository + "/blobs/uploads/"}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, start.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		return nil, fmt.Errorf("start upload: status %d", resp.StatusCode)
	}
	loc, err := location(resp, start)
	if err != nil {
		return nil, err
	}
	req, err = http.NewRequestWithContext(ctx, http.MethodPatch, loc.String(), body)
	if err != nil {
		return nil, err
	}
	req.ContentLength = -1 // streamed
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err = s.client.Do(req)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		return nil, fmt.Errorf("upload: status %d", resp.StatusCode)
	}
	return location(resp, loc)
}

// location resolves the Location header against base and keeps it on the
// same host and scheme (credentials must not leak elsewhere).
func location(resp *http.Response, base *url.URL) (*url.URL, error) {
	l := resp.Header.Get("Location")
	if l == "" {
		return nil, errors.New("upload: no Location")
	}
	u, err := base.Parse(l)
	if err != nil {
		return nil, err
	}
	if u.Host != base.Host || u.Scheme != base.Scheme {
		return nil, errors.New("upload: Location on another host")
	}
	return u, nil
}

// Write forwards p to the stream; after a failure it drops the data.
func (s *streamUpload) Write(p []byte) (int, error) {
	if !s.failed {
		if _, err := s.pw.Write(p); err != nil {
			s.failed = true
		}
	}
	return len(p), nil
}

// finish ends the stream and completes the upload with the blob's digest;
// any error means the blob was not stored.
func (s *streamUpload) finish(ctx context.Context, desc ocispec.Descriptor) error {
	s.pw.Close()
	<-s.done
	if s.err != nil {
		return s.err
	}
	if s.failed {
		return errors.New("upload stream failed")
	}
	u := *s.location
	q := u.Query()
	q.Set("digest", desc.Digest.String())
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u.String(), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("complete upload: status %d", resp.StatusCode)
	}
	return nil
}

// abort stops a stream that was not finished (packing failed).
func (s *streamUpload) abort() {
	s.once.Do(func() {
		s.pw.CloseWithError(errors.New("push aborted"))
		<-s.done
	})
}

// readAhead reads src on its own goroutine into a few large blocks ahead of
// the consumer. On pull, src is the network stream behind the layer digest
// check: the reads and the digest then overlap with decompression, disk
// writes and the package checksum.
//
// It cannot deadlock: the reading goroutine waits only for a free block
// (and every block comes back, since the consumer returns a block before
// waiting for the next) or for src; stop ends it at once, calling interrupt
// to end a read blocked on the network (for an HTTP body: cancelling the
// request's context, which unlike closing the body is safe while another
// goroutine reads it).
type readAhead struct {
	src       io.Reader
	interrupt func() // may be nil
	full      chan []byte
	free      chan []byte
	quit      chan struct{}
	done      chan struct{}
	once      sync.Once
	// Set by the reading goroutine before full is closed.
	err         error // io.EOF at the end of src
	interrupted bool  // stopped by stop, not by the end of src or an error
	cur         []byte
	off         int
}

var errReadAheadStopped = errors.New("read stopped")

func newReadAhead(src io.Reader, interrupt func(), size, count int) *readAhead {
	r := &readAhead{
		src: src, interrupt: interrupt,
		// Room for every block: sends never wait.
		full: make(chan []byte, count), free: make(chan []byte, count),
		quit: make(chan struct{}), done: make(chan struct{}),
	}
	for range count {
		r.free <- make([]byte, size)
	}
	go r.run()
	return r
}

func (r *readAhead) run() {
	defer close(r.done)
	defer close(r.full)
	for {
		var b []byte
		select {
		case b = <-r.free:
		case <-r.quit:
			r.err, r.interrupted = errReadAheadStopped, true
			return
		}
		b = b[:cap(b)]
		n := 0
		var err error
		for n < len(b) && err == nil {
			var k int
			k, err = r.src.Read(b[n:])
			n += k
		}
		if n > 0 {
			r.full <- b[:n]
		}
		if err != nil {
			select {
			case <-r.quit: // the read failed because stop interrupted it
				r.err, r.interrupted = errReadAheadStopped, true
			default:
				r.err = err
			}
			return
		}
	}
}

// Read returns the data of src in order, then src's error (io.EOF at the
// end).
func (r *readAhead) Read(p []byte) (int, error) {
	for r.off == len(r.cur) {
		if r.cur != nil {
			r.free <- r.cur
			r.cur, r.off = nil, 0
		}
		b, ok := <-r.full
		if !ok {
			return 0, r.err
		}
		r.cur, r.off = b, 0
	}
	n := copy(p, r.cur[r.off:])
	r.off += n
	return n, nil
}

// stop ends the reading goroutine and waits for it (idempotent). It
// reports whether it interrupted it: if not, src had ended (or failed) on
// its own and every error src returned is real.
func (r *readAhead) stop() (interrupted bool) {
	r.once.Do(func() {
		close(r.quit)
		if r.interrupt != nil {
			r.interrupt()
		}
	})
	<-r.done
	return r.interrupted
}
