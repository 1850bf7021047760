package workspace

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseKpmJSON(t *testing.T) {
	type want struct {
		code    string
		sev     Severity
		line    int
		col     int
		message string
	}
	tests := []struct {
		name string
		src  string
		want []want
	}{
		{name: "defaults", src: `{"DefaultOciRegistry":"ghcr.io","DefaultOciRepo":"kcl-lang"}`},
		{name: "empty file", src: "  \n"},
		{name: "local plain http", src: `{"DefaultOciRegistry":"localhost:5001","DefaultOciRepo":"test","DefaultOciPlainHttp":true}`},
		{name: "loopback ip", src: `{"DefaultOciRegistry":"127.0.0.1:5000","DefaultOciPlainHttp":true}`},
		{name: "ipv6 loopback", src: `{"DefaultOciRegistry":"[::1]:5000","DefaultOciPlainHttp":true}`},
		{
			name: "syntax error",
			src:  "{\n  \"DefaultOciRegistry\": \"ghcr.io\",\n}",
			want: []want{{CodeJSONSyntax, SeverityError, 3, 1, "invalid JSON: invalid character '}'"}},
		},
		{
			name: "not an object",
			src:  `["ghcr.io"]`,
			want: []want{{CodeWrongType, SeverityError, 1, 1, "must hold a JSON object"}},
		},
		{
			name: "unknown key",
			src:  "{\"DefaultOciRegistry\":\"ghcr.io\",\n \"Registry\":\"x\"}",
			want: []want{{CodeUnknownKey, SeverityWarning, 2, 2, `unknown key "Registry": kpm.json keys are DefaultOciPlainHttp, DefaultOciRegistry, DefaultOciRepo`}},
		},
		{
			name: "wrong case key",
			src:  `{"defaultociregistry":"ghcr.io"}`,
			want: []want{{CodeUnknownKey, SeverityWarning, 1, 2, `write it "DefaultOciRegistry"`}},
		},
		{
			name: "wrong types",
			src:  `{"DefaultOciRegistry":5,"DefaultOciPlainHttp":"yes"}`,
			want: []want{
				{CodeWrongType, SeverityError, 1, 23, "DefaultOciRegistry: want a string, got a number"},
				{CodeWrongType, SeverityError, 1, 47, "DefaultOciPlainHttp: want a boolean, got a string"},
			},
		},
		{
			name: "registry with scheme",
			src:  `{"DefaultOciRegistry":"oci://ghcr.io/kcl-lang"}`,
			want: []want{{CodeInvalidRegistry, SeverityError, 1, 23, `drop the oci:// scheme: write ghcr.io`}},
		},
		{
			name: "registry with path",
			src:  `{"DefaultOciRegistry":"ghcr.io/kcl-lang"}`,
			want: []want{{CodeInvalidRegistry, SeverityError, 1, 23, `want a host[:port]`}},
		},
		{
			name: "registry bad port",
			src:  `{"DefaultOciRegistry":"localhost:99999"}`,
			want: []want{{CodeInvalidRegistry, SeverityError, 1, 23, `invalid port "99999"`}},
		},
		{
			name: "registry bad host char",
			src:  `{"DefaultOciRegistry":"my_registry.io"}`,
			want: []want{{CodeInvalidRegistry, SeverityError, 1, 23, `invalid character '_'`}},
		},
		{
			name: "repo with slashes",
			src:  `{"DefaultOciRepo":"/kcl-lang/"}`,
			want: []want{{CodeInvalidRepo, SeverityError, 1, 19, "without leading or trailing slashes"}},
		},
		{
			name: "plain http on remote registry",
			src:  `{"DefaultOciRegistry":"ghcr.io","DefaultOciPlainHttp":true}`,
			want: []want{{CodePlainHTTPRemote, SeverityWarning, 1, 55, "ghcr.io is not a local registry"}},
		},
		{
			name: "plain http with default registry",
			src:  `{"DefaultOciPlainHttp":true}`,
			want: []want{{CodePlainHTTPRemote, SeverityWarning, 1, 24, "ghcr.io is not a local registry"}},
		},
		{
			name: "duplicate key",
			src:  `{"DefaultOciRepo":"a","DefaultOciRepo":"b"}`,
			want: []want{{CodeJSONDuplicateKey, SeverityWarning, 1, 23, `duplicate key "DefaultOciRepo"`}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, findings := ParseKpmJSON("kpm.json", []byte(tt.src))
			require.NotNil(t, f)
			require.Len(t, findings, len(tt.want), "findings: %v", findings)
			for i, w := range tt.want {
				got := findings[i]
				assert.Equal(t, w.code, got.Code)
				assert.Equal(t, w.sev, got.Severity)
				assert.Equal(t, w.line, got.Range.Start.Line, "line")
				assert.Equal(t, w.col, got.Range.Start.Col, "col")
				assert.Contains(t, got.Message, w.message)
				assert.Equal(t, "kpm.json", got.File)
			}
		})
	}
}

func TestParseKpmJSONMembers(t *testing.T) {
	src := `{"DefaultOciRegistry": "localhost:5001", "DefaultOciPlainHttp": false}`
	f, findings := ParseKpmJSON("kpm.json", []byte(src))
	require.Empty(t, findings)
	require.Len(t, f.Members, 2)
	reg := f.Member("DefaultOciRegistry")
	require.NotNil(t, reg)
	assert.Equal(t, "localhost:5001", reg.String)
	assert.Equal(t, `"DefaultOciRegistry"`, src[reg.KeyRange.Start.Offset:reg.KeyRange.End.Offset])
	assert.Equal(t, `"localhost:5001"`, src[reg.ValueRange.Start.Offset:reg.ValueRange.End.Offset])
	ph := f.Member("DefaultOciPlainHttp")
	require.NotNil(t, ph)
	assert.Equal(t, byte('f'), ph.Kind)
	assert.Nil(t, f.Member("DefaultOciRepo"))
}

// FuzzParseKpmJSON: never panics, every finding and member range lies inside the source.
func FuzzParseKpmJSON(f *testing.F) {
	f.Add(`{"DefaultOciRegistry":"ghcr.io","DefaultOciRepo":"kcl-lang"}`)
	f.Add(`{"DefaultOciRegistry":"localhost:5001","DefaultOciPlainHttp":true,}`)
	f.Add("{\n // comment\n \"x\": [1, {\"y\": null}]\n}")
	f.Add(`["a"`)
	f.Fuzz(func(t *testing.T, src string) {
		file, findings := ParseKpmJSON("kpm.json", []byte(src))
		inside := func(r Range) {
			if r.IsValid() && (r.Start.Offset < 0 || r.End.Offset > len(src) || r.Start.Offset > r.End.Offset) {
				t.Fatalf("range %+v outside [0, %d]", r, len(src))
			}
		}
		for _, fd := range findings {
			inside(fd.Range)
		}
		for _, m := range file.Members {
			inside(m.KeyRange)
			inside(m.ValueRange)
		}
	})
}
