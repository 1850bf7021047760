package registry

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/retry"
)

// Version is reported in the User-Agent ("kpm/<Version>"); the kpm binary
// sets it at start-up.
var Version = "dev"

// Options configures every registry operation. The zero value is usable:
// automatic plain HTTP for loopback hosts, TLS verification on, credentials
// from Docker's config only, default retries.
type Options struct {
	// PlainHTTP forces plain HTTP on (true) or off (false); nil means
	// automatic: plain HTTP for localhost, 127.0.0.0/8 and [::1] only.
	PlainHTTP *bool
	// InsecureSkipTLSVerify disables TLS certificate verification.
	InsecureSkipTLSVerify bool
	// CredentialsFile is kpm's Docker-style credentials file
	// ($KCL_PKG_PATH/.kpm/config/config.json). "" means none: only Docker's
	// own config is read.
	CredentialsFile string
	// NoDockerFallback stops credential reads from falling back to
	// Docker's config ($DOCKER_CONFIG/config.json or ~/.docker/config.json).
	NoDockerFallback bool
	// MaxRetries bounds the retries of a transient failure (5xx, 429,
	// connection reset). 0 means 4; negative means no retry.
	MaxRetries int
	// RetryBackoff is the first retry delay, doubled on every attempt and
	// capped at 3s. 0 means 250ms.
	RetryBackoff time.Duration
	// Timeout bounds how long a registry may stay silent: before it answers, and between two
	// reads of a body once it has (a slow body that keeps moving is never cut). 0 means
	// DefaultTimeout.
	Timeout time.Duration
	// UserAgent overrides "kpm/<Version>".
	UserAgent string
	// Transport overrides the base HTTP transport (tests).
	Transport http.RoundTripper
}

func (o Options) retries() int {
	switch {
	case o.MaxRetries < 0:
		return 0
	case o.MaxRetries == 0:
		return 4
	}
	return o.MaxRetries
}

func (o Options) backoff() time.Duration {
	if o.RetryBackoff <= 0 {
		return 250 * time.Millisecond
	}
	return o.RetryBackoff
}

// retryWait returns the delay before retry number attempt (0-based).
func (o Options) retryWait(attempt int) time.Duration {
	d := o.backoff() << attempt
	if d > 3*time.Second || d <= 0 {
		d = 3 * time.Second
	}
	return d
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// IsLoopback reports whether host (host[:port]) is localhost, in
// 127.0.0.0/8 or [::1]: such registries are spoken to over plain HTTP
// unless forced otherwise.
func IsLoopback(host string) bool {
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// PlainHTTPFor tells whether host is spoken to over plain HTTP with opts.
func (o Options) PlainHTTPFor(host string) bool {
	if o.PlainHTTP != nil {
		return *o.PlainHTTP
	}
	return IsLoopback(host)
}

func (o Options) userAgent() string {
	if o.UserAgent != "" {
		return o.UserAgent
	}
	return "kpm/" + Version
}

func (o Options) timeout() time.Duration {
	if o.Timeout <= 0 {
		return DefaultTimeout
	}
	return o.Timeout
}

// baseTransports are shared by every client of the process, one with TLS verification and
// one without, so connections are reused across operations (the language server runs many)
// instead of lingering in a transport per call.
var baseTransports [2]struct {
	once sync.Once
	t    *http.Transport
}

func baseTransport(insecure bool) *http.Transport {
	i := 0
	if insecure {
		i = 1
	}
	bt := &baseTransports[i]
	bt.once.Do(func() {
		t := http.DefaultTransport.(*http.Transport).Clone()
		if insecure {
			t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // asked for by the user
		}
		bt.t = t
	})
	return bt.t
}

// httpClient builds the HTTP client: the shared base transport (TLS settings), the guard
// against silent registries and looping tag lists, retry transport with bounded exponential
// backoff.
func (o Options) httpClient() *http.Client {
	base := o.Transport
	if base == nil {
		base = baseTransport(o.InsecureSkipTLSVerify)
	}
	policy := &retry.GenericPolicy{
		Retryable: retry.DefaultPredicate,
		Backoff:   retry.ExponentialBackoff(o.backoff(), 2, 0.1),
		MinWait:   o.backoff() / 2,
		MaxWait:   3 * time.Second,
		MaxRetry:  o.retries(),
	}
	guarded := &guardTransport{base: base, timeout: o.timeout()}
	return &http.Client{Transport: &retry.Transport{Base: guarded, Policy: func() retry.Policy { return policy }}}
}

// authClient returns an oras auth client whose credentials are read from
// the stores on every challenge (so a 401 after a token expired picks up
// fresh credentials written by another process).
func (o Options) authClient() *auth.Client {
	c := &auth.Client{
		Client: o.httpClient(),
		Header: http.Header{"User-Agent": {o.userAgent()}},
		Cache:  auth.NewCache(),
		Credential: func(ctx context.Context, hostport string) (auth.Credential, error) {
			return o.credential(ctx, hostport)
		},
	}
	return c
}

// Repository returns an oras-go repository client for ref (its tag is
// ignored) configured with opts.
func Repository(ref Reference, opts Options) (*remote.Repository, error) {
	repo, err := remote.NewRepository(ref.Registry + "/" + ref.Repository)
	if err != nil {
		return nil, newErr(ErrInvalidReference, "invalid reference %q", ref.String())
	}
	repo.PlainHTTP = opts.PlainHTTPFor(ref.Registry)
	repo.Client = opts.authClient()
	return repo, nil
}

// registryClient returns an oras-go registry client for host.
func registryClient(host string, opts Options, client remote.Client) (*remote.Registry, error) {
	reg, err := remote.NewRegistry(host)
	if err != nil {
		return nil, newErr(ErrInvalidReference, "invalid registry host %q", host)
	}
	reg.PlainHTTP = opts.PlainHTTPFor(host)
	reg.Client = client
	return reg, nil
}
