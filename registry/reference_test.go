package registry

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseReference(t *testing.T) {
	tests := []struct {
		in, tag string
		want    Reference
		wantErr string
	}{
		{in: "oci://localhost:5001/test/app", want: Reference{"localhost:5001", "test/app", ""}},
		{in: "oci://localhost:5001/test/app", tag: "0.1.0", want: Reference{"localhost:5001", "test/app", "0.1.0"}},
		{in: "oci://localhost:5001/test/app?tag=0.2.0", want: Reference{"localhost:5001", "test/app", "0.2.0"}},
		{in: "oci://localhost:5001/test/app?tag=0.2.0", tag: "0.3.0", want: Reference{"localhost:5001", "test/app", "0.3.0"}},
		{in: "oci://ghcr.io/kcl-lang/helloworld:0.1.4", want: Reference{"ghcr.io", "kcl-lang/helloworld", "0.1.4"}},
		{in: "https://ghcr.io/kcl-lang/helloworld", want: Reference{"ghcr.io", "kcl-lang/helloworld", ""}},
		{in: "helloworld", want: Reference{"ghcr.io", "kcl-lang/helloworld", ""}},
		{in: "helloworld:0.1.4", want: Reference{"ghcr.io", "kcl-lang/helloworld", "0.1.4"}},
		{in: "k8s:1.28", want: Reference{"ghcr.io", "kcl-lang/k8s", "1.28"}},
		{in: "my-pkg", tag: "1.0.0", want: Reference{"ghcr.io", "kcl-lang/my-pkg", "1.0.0"}},
		{in: "", wantErr: `invalid reference "": empty`},
		{in: "oci://", wantErr: `invalid reference "oci://": missing registry host`},
		{in: "oci://localhost:5001", wantErr: `invalid reference "oci://localhost:5001": missing repository`},
		{in: "oci://bad host/x", wantErr: `invalid reference "oci://bad host/x"`},
		{in: "oci://:5001/x", wantErr: `invalid reference "oci://:5001/x": invalid registry host ":5001"`},
		{in: "oci://localhost:5001/Upper/App", wantErr: `invalid repository "Upper/App"`},
		{in: "oci://localhost:5001/a?tag=bad tag", wantErr: `invalid tag "bad tag"`},
		{in: "oci://user:secret@localhost:5001/a", wantErr: "credentials in URLs are not supported"},
		{in: "name:ver:x", wantErr: `invalid reference "name:ver:x": want name[:version]`},
		{in: "name:", wantErr: `invalid reference "name:": missing version after ':'`},
		{in: ":1.0", wantErr: `invalid reference ":1.0": missing package name`},
		{in: "Bad_Name", wantErr: `invalid package name "Bad_Name"`},
		{in: "ftp://host/x", wantErr: `invalid reference "ftp://host/x": want oci://host/repository`},
		{in: "app:1.0.0", tag: "2.0.0", wantErr: "version given twice"},
	}
	for _, tt := range tests {
		t.Run(tt.in+"|"+tt.tag, func(t *testing.T) {
			got, err := ParseReference(tt.in, tt.tag, "ghcr.io", "kcl-lang")
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrInvalidReference)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.NotContains(t, err.Error(), "secret")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestReferenceStrings(t *testing.T) {
	r := Reference{Registry: "localhost:5001", Repository: "test/app", Tag: "0.1.0"}
	assert.Equal(t, "localhost:5001/test/app:0.1.0", r.String())
	assert.Equal(t, "oci://localhost:5001/test/app", r.OCI())
	assert.Equal(t, "app", r.Name())
	assert.Equal(t, "localhost:5001/test/app", r.WithTag("").String())
}

func TestPlainHTTPRules(t *testing.T) {
	on, off := true, false
	tests := []struct {
		host  string
		force *bool
		want  bool
	}{
		{"localhost:5001", nil, true},
		{"LOCALHOST", nil, true},
		{"127.0.0.1:5000", nil, true},
		{"127.1.2.3", nil, true},
		{"[::1]:5000", nil, true},
		{"ghcr.io", nil, false},
		{"10.0.0.1:5000", nil, false},
		{"localhost.example.com", nil, false},
		{"ghcr.io", &on, true},
		{"localhost:5001", &off, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Options{PlainHTTP: tt.force}.PlainHTTPFor(tt.host), tt.host)
	}
}

func TestVersions(t *testing.T) {
	tags := []string{"latest", "0.1.0", "0.10.0", "0.2.0", "1.0.0-rc.1", "1.0.0", "v1.1", "main", "1.28", "01.0.0", "0.1.0-alpha", "0.1.0-alpha.2", "0.1.0-beta"}
	assert.Equal(t, []string{"1.28", "v1.1", "1.0.0", "1.0.0-rc.1", "0.10.0", "0.2.0", "0.1.0", "0.1.0-beta", "0.1.0-alpha.2", "0.1.0-alpha"}, SortVersions(tags))
	tests := []struct {
		a, b string
		want int
	}{
		{"1.0.0", "1.0.0", 0},
		{"1.0.0", "1.0.1", -1},
		{"2.0.0", "1.9.9", 1},
		{"1.0.0-alpha", "1.0.0", -1},
		{"1.0.0-alpha.1", "1.0.0-alpha.beta", -1},
		{"1.0.0+build", "1.0.0", 0},
		{"latest", "0.0.1", -1},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, CompareVersions(tt.a, tt.b), "%s vs %s", tt.a, tt.b)
	}
	assert.True(t, IsVersion("0.0.1"))
	assert.False(t, IsVersion("latest"))
}
