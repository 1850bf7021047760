package devregistry

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func get(t *testing.T, url, user, pass string) (int, error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	// A fresh connection per request: net/http silently retries a GET
	// whose reused connection was dropped, which would hide Reset faults.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func TestStartAuthenticatesAndServesV2(t *testing.T) {
	reg, err := Start(Options{Users: map[string]string{"test": "1234"}, Dir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = reg.Close() })
	base := "http://" + reg.Host() + "/v2/"

	tests := []struct {
		name       string
		user, pass string
		want       int
	}{
		{"no credentials", "", "", http.StatusUnauthorized},
		{"wrong password", "test", "wrong", http.StatusUnauthorized},
		{"unknown user", "nobody", "1234", http.StatusUnauthorized},
		{"valid credentials", "test", "1234", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, err := get(t, base, tt.user, tt.pass)
			require.NoError(t, err)
			assert.Equal(t, tt.want, code)
		})
	}
	assert.Equal(t, int64(len(tests)), reg.Requests())
	assert.Equal(t, int64(len(tests)), reg.RequestsByKind()[KindBase])
	code, err := get(t, "http://"+reg.Host()+"/v2/_catalog", "test", "1234")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, code, "catalog is served (limits parsed from YAML)")
}

func TestWithoutUsersNoAuth(t *testing.T) {
	reg, err := Start(Options{})
	require.NoError(t, err)
	dir := reg.Dir()
	code, err := get(t, "http://"+reg.Host()+"/v2/", "", "")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, code)
	require.NoError(t, reg.Close())
	assert.NoDirExists(t, dir, "temporary directory removed by Close")
}

func TestFaultsAndCounters(t *testing.T) {
	reg, err := Start(Options{Dir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = reg.Close() })
	base := "http://" + reg.Host() + "/v2/"

	reg.FailNext(2, http.StatusServiceUnavailable)
	for i, want := range []int{503, 503, 200} {
		code, err := get(t, base, "", "")
		require.NoError(t, err)
		assert.Equal(t, want, code, "request %d", i)
	}

	reg.Inject(Fault{Kind: KindTags, Status: http.StatusBadGateway, Times: 1})
	code, err := get(t, base, "", "")
	require.NoError(t, err)
	assert.Equal(t, 200, code, "a tags fault leaves /v2/ alone")
	code, err = get(t, "http://"+reg.Host()+"/v2/a/b/tags/list", "", "")
	require.NoError(t, err)
	assert.Equal(t, 502, code)

	reg.Inject(Fault{Reset: true, Times: 1})
	_, err = get(t, base, "", "")
	assert.Error(t, err, "connection dropped")

	reg.ResetRequests()
	assert.Zero(t, reg.Requests())

	require.NoError(t, reg.Stop())
	_, err = get(t, base, "", "")
	assert.Error(t, err, "stopped registry refuses connections")
	require.NoError(t, reg.Restart())
	code, err = get(t, base, "", "")
	require.NoError(t, err)
	assert.Equal(t, 200, code)
}

func TestKindOf(t *testing.T) {
	tests := []struct {
		path string
		want Kind
	}{
		{"/v2/", KindBase},
		{"/v2/_catalog", KindCatalog},
		{"/v2/test/app/manifests/0.1.0", KindManifest},
		{"/v2/test/app/blobs/sha256:abc", KindBlob},
		{"/v2/test/app/blobs/uploads/", KindUpload},
		{"/v2/test/app/blobs/uploads/123", KindUpload},
		{"/v2/test/app/tags/list", KindTags},
		{"/metrics", KindOther},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, KindOf(tt.path), tt.path)
	}
}

func TestTLS(t *testing.T) {
	reg, err := Start(Options{TLS: true, Users: map[string]string{"test": "1234"}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = reg.Close() })
	require.NotEmpty(t, reg.CertPEM())

	_, err = get(t, "https://"+reg.Host()+"/v2/", "test", "1234")
	assert.ErrorContains(t, err, "certificate", "self-signed: not trusted by default")

	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(reg.CertPEM()))
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	req, err := http.NewRequest(http.MethodGet, "https://"+reg.Host()+"/v2/", nil)
	require.NoError(t, err)
	req.SetBasicAuth("test", "1234")
	resp, err := client.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}
