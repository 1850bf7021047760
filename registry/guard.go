package registry

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// DefaultTimeout is how long a registry may stay silent: before its answer starts, and between
// two reads of a body (in either direction) once it has. A slow transfer that keeps moving is
// never cut.
const DefaultTimeout = 30 * time.Second

// EnvTimeout names the environment variable that overrides DefaultTimeout (a Go duration such as
// "2m"); kpm.json's "RegistryTimeout" sets it too. Both are read by package workspace.
const EnvTimeout = "KPM_REGISTRY_TIMEOUT"

// stallError reports a registry that stopped answering. It is deliberately not a net.Error, so
// neither the HTTP retry layer nor the transfer retries wait for it a second time.
type stallError struct {
	timeout time.Duration
	body    bool
}

func (e *stallError) Error() string {
	if e.body {
		return fmt.Sprintf("no data for %s", e.timeout)
	}
	return fmt.Sprintf("no answer within %s", e.timeout)
}

// guardTransport bounds the silences of a registry (see DefaultTimeout) and refuses a tag-list
// page that links back to one already read.
type guardTransport struct {
	base    http.RoundTripper
	timeout time.Duration
}

func (g *guardTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancel(req.Context())
	w := &watchdog{timeout: g.timeout, cancel: cancel}
	w.timer = time.AfterFunc(g.timeout, w.fire)
	req = req.WithContext(ctx)
	if req.Body != nil && req.Body != http.NoBody {
		// An upload is progress too: the wait for the answer starts when the body is sent.
		req.Body = &watchedBody{rc: req.Body, w: w}
	}
	resp, err := g.base.RoundTrip(req)
	if err != nil {
		w.stop()
		if w.fired() {
			return nil, &stallError{timeout: g.timeout}
		}
		return nil, err
	}
	if pages := tagPagesFrom(req.Context()); pages != nil && resp.StatusCode == http.StatusOK && strings.HasSuffix(req.URL.Path, "/tags/list") {
		if err := pages.visit(req.URL.String()); err != nil {
			resp.Body.Close()
			w.stop()
			return nil, err
		}
	}
	w.kick()
	resp.Body = &watchedBody{rc: resp.Body, w: w, body: true}
	return resp, nil
}

// watchdog cancels a request after timeout without progress.
type watchdog struct {
	timeout time.Duration
	cancel  context.CancelFunc
	timer   *time.Timer
	mu      sync.Mutex
	expired bool
	done    bool
}

func (w *watchdog) fire() {
	w.mu.Lock()
	if !w.done {
		w.expired = true
	}
	w.mu.Unlock()
	w.cancel()
}

func (w *watchdog) fired() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.expired
}

// kick restarts the silence count.
func (w *watchdog) kick() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done && !w.expired {
		w.timer.Reset(w.timeout)
	}
}

// stop ends the watch and releases the request's context.
func (w *watchdog) stop() {
	w.mu.Lock()
	w.done = true
	w.mu.Unlock()
	w.timer.Stop()
	w.cancel()
}

// watchedBody kicks the watchdog on every read that moved data; a response body stops it when
// it is closed.
type watchedBody struct {
	rc   io.ReadCloser
	w    *watchdog
	body bool // a response body (the request's last phase)
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 {
		b.w.kick()
	}
	if err == io.EOF && b.body {
		b.w.stop()
	}
	if err != nil && err != io.EOF && b.w.fired() {
		return n, &stallError{timeout: b.w.timeout, body: b.body}
	}
	return n, err
}

func (b *watchedBody) Close() error {
	err := b.rc.Close()
	if b.body {
		b.w.stop()
	}
	return err
}

// Bounds of a tag listing: a registry that pages forever, or returns a huge list, fails the
// listing instead of filling memory.
const (
	maxTagPages = 1000
	maxTags     = 100000
)

// tagPages records the tag-list pages read by one listing.
type tagPages struct {
	mu   sync.Mutex
	seen map[string]bool
}

type tagPagesKey struct{}

func withTagPages(ctx context.Context) context.Context {
	return context.WithValue(ctx, tagPagesKey{}, &tagPages{seen: map[string]bool{}})
}

func tagPagesFrom(ctx context.Context) *tagPages {
	p, _ := ctx.Value(tagPagesKey{}).(*tagPages)
	return p
}

// errTagLinkLoop is returned when a tag-list page's Link leads back to a page already read.
type errTagLinkLoop struct{ url string }

func (e *errTagLinkLoop) Error() string { return "tag list links back to a page already read" }

func (p *tagPages) visit(url string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.seen[url] {
		return &errTagLinkLoop{url: url}
	}
	p.seen[url] = true
	return nil
}
