package gen

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpm-dev/kpm/kcl/syntax"
)

func TestNamesAndStrings(t *testing.T) {
	tests := []struct {
		name, in, want string
		fn             func(string) string
	}{
		{"identifier", "app", "app", FormatName},
		{"keyword escaped", "if", "$if", FormatName},
		{"other names quoted", "a-b", `"a-b"`, FormatName},
		{"digit first quoted", "1a", `"1a"`, FormatName},
		{"escapes", "a\"b\\c\n", `"a\"b\\c\n"`, Quote},
		{"interpolation kept literal", "x ${y} z", `"x " + r"${" + "y} z"`, Quote},
		{"pascal", "book-info.v1", "BookInfoV1", pascal},
		{"pascal digit", "1st", "Schema1st", pascal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.fn(tt.in))
		})
	}
}

// Every generator's output parses as KCL.
func TestOutputParses(t *testing.T) {
	tests := []struct {
		name string
		gen  func() (string, error)
	}{
		{"yaml", func() (string, error) { return FromData([]byte("a: [1, {b: ~}]\nc: {}\nd: 1e3\n")) }},
		{"json list", func() (string, error) { return FromData([]byte(`[1, "x", true]`)) }},
		{"jsonschema", func() (string, error) {
			return FromJSONSchema([]byte(`{"type":"object","properties":{"a":{"type":["string","null"],"pattern":"^x"},"b":{"oneOf":[{"type":"integer"},{"type":"string"}]}}}`), "t")
		}},
		{"gostruct", func() (string, error) {
			return FromGoStructs("x.go", []byte("package x\ntype A struct{ B map[string][]int; C interface{} }\n"))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, err := tt.gen()
			require.NoError(t, err)
			_, errs := syntax.ParseFile("out.k", []byte(code))
			assert.Empty(t, errs, code)
		})
	}
}

func TestFromDataRefusesSeveralDocuments(t *testing.T) {
	_, err := FromData([]byte("a: 1\n---\nb: 2\n"))
	assert.EqualError(t, err, "2 YAML documents: import converts one document per file")
}
