package registry

import (
	"net/http"
	"path/filepath"
	"sync"
	"testing"

	"github.com/kpm-dev/kpm/internal/devregistry"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTLSVerificationAndUserAgent(t *testing.T) {
	var mu sync.Mutex
	agents := map[string]bool{}
	reg, err := devregistry.Start(devregistry.Options{
		TLS:   true,
		Users: map[string]string{testUser: testPass},
		Dir:   t.TempDir(),
		Middleware: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				agents[r.UserAgent()] = true
				mu.Unlock()
				next.ServeHTTP(w, r)
			})
		},
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = reg.Close() })

	off := false
	base := anonymous(t)
	base.PlainHTTP = &off // 127.0.0.1 would be plain HTTP automatically
	host := reg.Host()

	tests := []struct {
		name     string
		insecure bool
		kind     error
		want     string
	}{
		{"verification on by default", false, ErrUnreachable, "TLS certificate of registry " + host + " not trusted (use --insecure-skip-tls-verify"},
		{"--insecure-skip-tls-verify", true, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := base
			opts.CredentialsFile = filepath.Join(t.TempDir(), "config.json")
			opts.InsecureSkipTLSVerify = tt.insecure
			err := Login(ctx(t), host, testUser, testPass, opts)
			if tt.kind != nil {
				require.ErrorIs(t, err, tt.kind)
				assert.Contains(t, err.Error(), tt.want)
				assert.NoFileExists(t, opts.CredentialsFile)
				return
			}
			require.NoError(t, err)
			ref := Reference{Registry: host, Repository: "test/tls"}
			_, err = Push(ctx(t), ref, samplePackage(t), PushOptions{Options: opts})
			require.NoError(t, err)
			_, err = Pull(ctx(t), ref, PullOptions{Options: opts, Dest: filepath.Join(t.TempDir(), "app")})
			require.NoError(t, err)
		})
	}

	// The wrong scheme either way fails with a one-line error naming the setting to change.
	on := true
	plainToTLS := anonymous(t)
	plainToTLS.PlainHTTP = &on
	tlsToPlain := anonymous(t)
	tlsToPlain.PlainHTTP = &off
	schemes := []struct {
		name string
		host string
		opts Options
		want string
	}{
		{"plain HTTP to an HTTPS registry", host, plainToTLS, "registry " + host + " rejected a plain HTTP request; it probably speaks HTTPS (set OCI_REG_PLAIN_HTTP=off"},
		{"HTTPS to a plain HTTP registry", testReg.Host(), tlsToPlain, "registry " + testReg.Host() + " speaks plain HTTP, not HTTPS (set OCI_REG_PLAIN_HTTP=on"},
	}
	for _, tt := range schemes {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Tags(ctx(t), Reference{Registry: tt.host, Repository: "test/tls"}, tt.opts)
			require.ErrorIs(t, err, ErrUnreachable)
			assert.Contains(t, err.Error(), tt.want)
			assert.Contains(t, err.Error(), "DefaultOciPlainHttp")
			assert.NotContains(t, err.Error(), "\n")
			err = Login(ctx(t), tt.host, testUser, testPass, tt.opts)
			require.ErrorIs(t, err, ErrUnreachable)
			assert.Contains(t, err.Error(), tt.want)
		})
	}

	mu.Lock()
	defer mu.Unlock()
	assert.True(t, agents["kpm/"+Version], "User-Agent kpm/<version>, got %v", agents)
}
