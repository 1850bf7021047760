// Package devregistry runs a real OCI registry (the CNCF Distribution v3
// reference implementation) in-process, for kpm's tests, benchmarks and demo.
//
// It owns: building the Distribution configuration, an htpasswd file for the
// given users, filesystem storage in a given directory, a request counter and
// a fault injector placed in front of the real registry handler. It must not
// be used by kpm itself (only tests, benchmarks and dev tools), and it never
// prints: Distribution's logrus output is discarded.
package devregistry

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/distribution/distribution/v3/configuration"
	"github.com/distribution/distribution/v3/registry/handlers"
	"github.com/sirupsen/logrus"
	"golang.org/x/crypto/bcrypt"

	// Auth and storage drivers are registered by import.
	_ "github.com/distribution/distribution/v3/registry/auth/htpasswd"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/filesystem"
)

// Options configures Start.
type Options struct {
	// Addr is the listen address; "" means "127.0.0.1:0" (a free port).
	Addr string
	// Users maps user names to passwords. Empty means no authentication.
	Users map[string]string
	// Dir holds the registry storage and the htpasswd file. "" means a
	// temporary directory removed by Close.
	Dir string
	// Middleware, when set, wraps the registry handler (inside the request
	// counter and the fault injector).
	Middleware func(http.Handler) http.Handler
	// TLS serves HTTPS with a self-signed certificate for 127.0.0.1, ::1
	// and localhost (see CertPEM) instead of plain HTTP.
	TLS bool
}

// Kind classifies a registry request by its path.
type Kind string

// Request kinds counted by Registry.
const (
	KindBase     Kind = "base"     // GET /v2/
	KindManifest Kind = "manifest" // /v2/<name>/manifests/<ref>
	KindBlob     Kind = "blob"     // /v2/<name>/blobs/<digest>
	KindUpload   Kind = "upload"   // /v2/<name>/blobs/uploads/...
	KindTags     Kind = "tags"     // /v2/<name>/tags/list
	KindCatalog  Kind = "catalog"  // /v2/_catalog
	KindOther    Kind = "other"
)

// Fault describes requests the fault injector tampers with before (or
// while) the real registry answers them.
type Fault struct {
	// Kind restricts the fault to one kind of request; "" matches all.
	Kind Kind
	// Method restricts the fault to one HTTP method; "" matches all.
	Method string
	// Status, when non-zero, answers the request with this status and an
	// empty body; the registry never sees it.
	Status int
	// CutAfter, when Status is zero and CutAfter > 0, lets the registry
	// answer but drops the connection after CutAfter bytes of the body.
	CutAfter int64
	// Reset, when Status is zero and CutAfter is zero, drops the connection
	// without answering (a connection reset as seen by the client).
	Reset bool
	// Times is how many matching requests are affected; <= 0 means forever
	// (until ClearFaults).
	Times int
}

// Registry is a running in-process registry.
type Registry struct {
	opts    Options
	dir     string
	tempDir bool
	handler http.Handler
	app     *handlers.App

	mu       sync.Mutex
	ln       net.Listener
	srv      *http.Server
	addr     string
	faults   []*Fault
	counts   map[Kind]int64
	total    atomic.Int64
	closed   bool
	serveErr chan error
	inflight atomic.Int64 // handlers running, waited for by Stop
	tlsCfg   *tls.Config
	certPEM  []byte
}

var silenceOnce sync.Once

func silenceLogs() {
	silenceOnce.Do(func() {
		logrus.SetOutput(io.Discard)
		logrus.SetLevel(logrus.PanicLevel)
	})
}

// Start starts a registry and returns once it accepts connections.
func Start(opts Options) (*Registry, error) {
	silenceLogs()
	r := &Registry{opts: opts, counts: map[Kind]int64{}}
	if opts.Dir == "" {
		d, err := os.MkdirTemp("", "devregistry-")
		if err != nil {
			return nil, fmt.Errorf("devregistry: %w", err)
		}
		r.dir, r.tempDir = d, true
	} else {
		if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
			return nil, fmt.Errorf("devregistry: %w", err)
		}
		d, err := filepath.Abs(opts.Dir)
		if err != nil {
			return nil, fmt.Errorf("devregistry: %w", err)
		}
		r.dir = d
	}
	cfg, err := r.config()
	if err != nil {
		r.cleanup()
		return nil, err
	}
	app, err := newApp(cfg)
	if err != nil {
		r.cleanup()
		return nil, err
	}
	r.app = app
	var h http.Handler = app
	if opts.Middleware != nil {
		h = opts.Middleware(h)
	}
	r.handler = r.wrap(h)
	if opts.TLS {
		cert, pemBytes, err := selfSigned()
		if err != nil {
			_ = app.Shutdown()
			r.cleanup()
			return nil, fmt.Errorf("devregistry: certificate: %w", err)
		}
		r.tlsCfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		r.certPEM = pemBytes
	}
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if err := r.listen(addr); err != nil {
		_ = app.Shutdown()
		r.cleanup()
		return nil, err
	}
	return r, nil
}

// newApp builds the Distribution application, turning its panics on bad
// configuration into errors.
func newApp(cfg *configuration.Configuration) (app *handlers.App, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("devregistry: %v", p)
		}
	}()
	return handlers.NewApp(context.Background(), cfg), nil
}

func (r *Registry) config() (*configuration.Configuration, error) {
	storageDir := filepath.Join(r.dir, "storage")
	var b strings.Builder
	fmt.Fprintf(&b, "version: 0.1\n")
	fmt.Fprintf(&b, "log:\n  level: error\n  accesslog:\n    disabled: true\n")
	fmt.Fprintf(&b, "storage:\n  filesystem:\n    rootdirectory: %q\n", storageDir)
	fmt.Fprintf(&b, "  delete:\n    enabled: true\n")
	fmt.Fprintf(&b, "  maintenance:\n    uploadpurging:\n      enabled: false\n")
	fmt.Fprintf(&b, "http:\n  addr: 127.0.0.1:0\n  secret: kpm-devregistry-secret\n")
	if len(r.opts.Users) > 0 {
		htpasswd := filepath.Join(r.dir, "htpasswd")
		if err := writeHtpasswd(htpasswd, r.opts.Users); err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "auth:\n  htpasswd:\n    realm: kpm-devregistry\n    path: %q\n", htpasswd)
	}
	cfg, err := configuration.Parse(strings.NewReader(b.String()))
	if err != nil {
		return nil, fmt.Errorf("devregistry: configuration: %w", err)
	}
	return cfg, nil
}

// writeHtpasswd writes bcrypt entries (minimum cost: this is a test
// registry and Distribution checks the hash on every request).
func writeHtpasswd(path string, users map[string]string) error {
	names := make([]string, 0, len(users))
	for u := range users {
		if u == "" || strings.ContainsAny(u, ":\n") {
			return fmt.Errorf("devregistry: invalid user name %q", u)
		}
		names = append(names, u)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, u := range names {
		h, err := bcrypt.GenerateFromPassword([]byte(users[u]), bcrypt.MinCost)
		if err != nil {
			return fmt.Errorf("devregistry: htpasswd for %q: %w", u, err)
		}
		fmt.Fprintf(&b, "%s:%s\n", u, h)
	}
	return os.WriteFile(path, []byte(b.String()), 0o600)
}

func (r *Registry) listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("devregistry: listen %s: %w", addr, err)
	}
	if r.tlsCfg != nil {
		ln = tls.NewListener(ln, r.tlsCfg)
	}
	srv := &http.Server{
		Handler:           r.track(r.handler),
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          nil,
	}
	srv.ErrorLog = newDiscardLogger()
	done := make(chan error, 1)
	r.mu.Lock()
	r.ln, r.srv, r.serveErr = ln, srv, done
	r.addr = ln.Addr().String()
	r.mu.Unlock()
	go func() { done <- srv.Serve(ln) }()
	return nil
}

// Host returns "127.0.0.1:PORT" (the listener's address), usable as an
// OCI registry host.
func (r *Registry) Host() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.addr
}

// CertPEM returns the PEM certificate served with Options.TLS (nil
// otherwise), for clients that want to trust it.
func (r *Registry) CertPEM() []byte { return r.certPEM }

// Dir returns the directory holding the storage and htpasswd file.
func (r *Registry) Dir() string { return r.dir }

// Stop closes the listener and every open connection but keeps the
// storage: clients see "connection refused" until Restart.
func (r *Registry) Stop() error {
	r.mu.Lock()
	srv := r.srv
	done := r.serveErr
	r.srv, r.ln = nil, nil
	r.mu.Unlock()
	if srv == nil {
		return nil
	}
	err := srv.Close()
	<-done
	// srv.Close does not wait for the handlers: one may still be writing an upload to the
	// storage, which the caller may be about to remove (a test's TempDir cleanup). Closing
	// the connections cancelled their requests, so they end soon.
	for deadline := time.Now().Add(30 * time.Second); r.inflight.Load() > 0 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	return err
}

// track counts the requests being handled, for Stop.
func (r *Registry) track(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.inflight.Add(1)
		defer r.inflight.Add(-1)
		h.ServeHTTP(w, req)
	})
}

// Restart listens again on the same address after Stop.
func (r *Registry) Restart() error {
	r.mu.Lock()
	running := r.srv != nil
	closed := r.closed
	addr := r.addr
	r.mu.Unlock()
	if closed {
		return errors.New("devregistry: restart after Close")
	}
	if running {
		return nil
	}
	return r.listen(addr)
}

// Close stops the registry and removes its directory when Start created it.
func (r *Registry) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	r.mu.Unlock()
	err := r.Stop()
	if r.app != nil {
		_ = r.app.Shutdown()
	}
	r.cleanup()
	return err
}

func (r *Registry) cleanup() {
	if r.tempDir {
		_ = os.RemoveAll(r.dir)
	}
}

// Requests returns the number of HTTP requests received (including those
// answered by the fault injector).
func (r *Registry) Requests() int64 { return r.total.Load() }

// RequestsByKind returns a copy of the per-kind request counts.
func (r *Registry) RequestsByKind() map[Kind]int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[Kind]int64, len(r.counts))
	for k, v := range r.counts {
		out[k] = v
	}
	return out
}

// ResetRequests sets every request counter back to zero.
func (r *Registry) ResetRequests() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.total.Store(0)
	r.counts = map[Kind]int64{}
}

// Inject adds a fault; faults are matched in the order they were added.
func (r *Registry) Inject(f Fault) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fc := f
	r.faults = append(r.faults, &fc)
}

// FailNext answers the next n requests (of any kind) with status.
func (r *Registry) FailNext(n int, status int) {
	if n <= 0 {
		return
	}
	r.Inject(Fault{Status: status, Times: n})
}

// ClearFaults removes every pending fault.
func (r *Registry) ClearFaults() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.faults = nil
}

// KindOf classifies a request path.
func KindOf(path string) Kind {
	switch {
	case path == "/v2/" || path == "/v2":
		return KindBase
	case path == "/v2/_catalog":
		return KindCatalog
	case !strings.HasPrefix(path, "/v2/"):
		return KindOther
	case strings.Contains(path, "/blobs/uploads"):
		return KindUpload
	case strings.Contains(path, "/blobs/"):
		return KindBlob
	case strings.Contains(path, "/manifests/"):
		return KindManifest
	case strings.HasSuffix(path, "/tags/list"):
		return KindTags
	}
	return KindOther
}

// takeFault returns the first fault matching the request and consumes one
// of its uses.
func (r *Registry) takeFault(kind Kind, method string) *Fault {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, f := range r.faults {
		if f.Kind != "" && f.Kind != kind {
			continue
		}
		if f.Method != "" && !strings.EqualFold(f.Method, method) {
			continue
		}
		out := *f
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				r.faults = append(r.faults[:i:i], r.faults[i+1:]...)
			}
		}
		return &out
	}
	return nil
}

func (r *Registry) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		kind := KindOf(req.URL.Path)
		r.total.Add(1)
		r.mu.Lock()
		r.counts[kind]++
		r.mu.Unlock()
		f := r.takeFault(kind, req.Method)
		switch {
		case f == nil:
			next.ServeHTTP(w, req)
		case f.Status != 0:
			w.Header().Set("Content-Length", "0")
			w.WriteHeader(f.Status)
		case f.CutAfter > 0:
			next.ServeHTTP(&cutWriter{ResponseWriter: w, left: f.CutAfter}, req)
			// The body was complete before the cut point: drop the
			// connection anyway so the client sees a dead registry.
			panic(http.ErrAbortHandler)
		default:
			panic(http.ErrAbortHandler)
		}
	})
}

// cutWriter forwards at most left body bytes, then aborts the connection.
type cutWriter struct {
	http.ResponseWriter
	left int64
}

func (c *cutWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > c.left {
		p = p[:c.left]
		n, _ := c.ResponseWriter.Write(p)
		c.left -= int64(n)
		if fl, ok := c.ResponseWriter.(http.Flusher); ok {
			fl.Flush()
		}
		panic(http.ErrAbortHandler)
	}
	n, err := c.ResponseWriter.Write(p)
	c.left -= int64(n)
	return n, err
}
