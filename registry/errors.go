package registry

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"

	"oras.land/oras-go/v2/errdef"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/errcode"
)

// Sentinel errors; test with errors.Is.
var (
	// ErrUnauthorized: the registry refused the credentials (or none were
	// stored). The message carries a "run 'kpm login HOST'" hint.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrNotFound: the repository or the tag does not exist.
	ErrNotFound = errors.New("not found")
	// ErrTagExists: push refused because the version is already there.
	ErrTagExists = errors.New("package version already exists")
	// ErrUnreachable: unknown host, refused connection, TLS failure or a
	// connection that kept dying.
	ErrUnreachable = errors.New("registry unreachable")
	// ErrServer: the registry kept answering with a server error.
	ErrServer = errors.New("registry error")
	// ErrDigestMismatch: downloaded content does not match its digest.
	ErrDigestMismatch = errors.New("digest mismatch")
	// ErrSumMismatch: an unpacked package does not match the checksum in
	// its manifest.
	ErrSumMismatch = errors.New("checksum mismatch")
	// ErrUnsafeArchive: the package archive holds an entry kpm refuses to
	// extract (absolute path, "..", link, device, too large...).
	ErrUnsafeArchive = errors.New("unsafe archive")
	// ErrInvalidReference: a malformed package reference.
	ErrInvalidReference = errors.New("invalid reference")
	// ErrNotLoggedIn: logout of a registry without stored credentials.
	ErrNotLoggedIn = errors.New("not logged in")
	// ErrExists: the pull destination already exists (and Replace is off).
	ErrExists = errors.New("destination exists")
	// ErrInvalidArtifact: the manifest is not a package kpm can read.
	ErrInvalidArtifact = errors.New("invalid package artifact")
)

// Error is the error type returned by this package: a one-line message and
// the sentinel kind it wraps.
type Error struct {
	Kind error  // one of the Err* sentinels
	Msg  string // full one-line message
}

func (e *Error) Error() string { return e.Msg }

// Unwrap returns the sentinel kind.
func (e *Error) Unwrap() error { return e.Kind }

func newErr(kind error, format string, args ...any) error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// classify turns an oras-go / net/http error into an *Error naming subject
// (a reference or host). host is the registry host used in hints.
func classify(err error, subject, host string) error {
	if err == nil {
		return nil
	}
	var re *Error
	if errors.As(err, &re) {
		return err
	}
	var er *errcode.ErrorResponse
	if errors.As(err, &er) {
		switch {
		case er.StatusCode == http.StatusUnauthorized || er.StatusCode == http.StatusForbidden:
			return unauthorized(subject, host)
		case er.StatusCode == http.StatusNotFound:
			return newErr(ErrNotFound, "%s: not found", subject)
		case er.StatusCode == http.StatusBadRequest && len(er.Errors) == 0 && er.URL != nil && er.URL.Scheme == "http":
			// A registry answers a bad request with an error document; a bare 400 to a plain
			// HTTP request is what TLS servers (Go's, nginx) send to a client speaking HTTP.
			return newErr(ErrUnreachable, "%s: registry %s rejected a plain HTTP request; it probably speaks HTTPS (set OCI_REG_PLAIN_HTTP=off or \"DefaultOciPlainHttp\": false in kpm.json)", subject, host)
		default:
			return newErr(ErrServer, "%s: registry %s answered %d %s", subject, host, er.StatusCode, http.StatusText(er.StatusCode))
		}
	}
	var stall *stallError
	if errors.As(err, &stall) {
		return newErr(ErrUnreachable, "%s: registry %s stopped answering (%s); to wait longer set %s or \"RegistryTimeout\" in kpm.json", subject, host, stall.Error(), EnvTimeout)
	}
	var loop *errTagLinkLoop
	if errors.As(err, &loop) {
		return newErr(ErrServer, "%s: registry %s answered a tag list whose next-page link leads back to a page already read", subject, host)
	}
	if errors.Is(err, auth.ErrBasicCredentialNotFound) {
		return unauthorized(subject, host)
	}
	if errors.Is(err, errdef.ErrNotFound) {
		return newErr(ErrNotFound, "%s: not found", subject)
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return newErr(ErrUnreachable, "%s: cannot reach registry %s: unknown host", subject, host)
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return newErr(ErrUnreachable, "%s: cannot reach registry %s: connection refused", subject, host)
	}
	var certErr *x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invErr x509.CertificateInvalidError
	if errors.As(err, &certErr) || errors.As(err, &hostErr) || errors.As(err, &invErr) ||
		strings.Contains(err.Error(), "tls: failed to verify certificate") {
		return newErr(ErrUnreachable, "%s: TLS certificate of registry %s not trusted (use --insecure-skip-tls-verify to skip verification)", subject, host)
	}
	if strings.Contains(err.Error(), "server gave HTTP response to HTTPS client") {
		return newErr(ErrUnreachable, "%s: registry %s speaks plain HTTP, not HTTPS (set OCI_REG_PLAIN_HTTP=on or \"DefaultOciPlainHttp\": true in kpm.json)", subject, host)
	}
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.EPIPE) {
		return newErr(ErrUnreachable, "%s: connection to registry %s lost", subject, host)
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return newErr(ErrUnreachable, "%s: registry %s timed out", subject, host)
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return newErr(ErrUnreachable, "%s: cannot reach registry %s: %s", subject, host, opErr.Err)
	}
	return fmt.Errorf("%s: %w", subject, stripURL(err))
}

func unauthorized(subject, host string) error {
	return newErr(ErrUnauthorized, "%s: unauthorized; run 'kpm login %s'", subject, host)
}

// stripURL removes the url.Error wrapper (method and URL) from err, keeping
// the cause; URLs never carry credentials here, but the text is shorter.
func stripURL(err error) error {
	type unwrapper interface{ Unwrap() error }
	if u, ok := err.(interface {
		Timeout() bool
		unwrapper
	}); ok {
		if inner := u.Unwrap(); inner != nil {
			return inner
		}
	}
	return err
}

// transient reports whether err is worth retrying at the transfer level,
// on top of the HTTP-level retries: a connection that dropped (the HTTP
// layer does not replay those once the body started), and, when status is
// true, a 5xx/429 answer (for requests the HTTP layer cannot replay, such
// as a blob upload streamed from a file).
func transient(err error, status bool) bool {
	if err == nil {
		return false
	}
	var er *errcode.ErrorResponse
	if errors.As(err, &er) {
		return status && (er.StatusCode >= 500 || er.StatusCode == http.StatusTooManyRequests)
	}
	var re *Error
	if errors.As(err, &re) {
		return false
	}
	var ce *corruptError
	if errors.As(err, &ce) {
		return false
	}
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, io.EOF) || errors.Is(err, syscall.EPIPE)
}
