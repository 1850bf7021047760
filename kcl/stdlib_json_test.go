package kcl

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The expected messages are the reference's (kcl-lib 0.13.2, serde_json).
func TestSerdeJSONError(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"a": 1, "b": [true, null, "x"]}`, ""},
		{`{"a":`, "EOF while parsing a value at line 1 column 5"},
		{``, "EOF while parsing a value at line 1 column 0"},
		{`{"a": 1} x`, "trailing characters at line 1 column 10"},
		{`{a: 1}`, "key must be a string at line 1 column 2"},
		{`[1, 2`, "EOF while parsing a list at line 1 column 5"},
		{`"abc`, "EOF while parsing a string at line 1 column 4"},
		{`tru`, "EOF while parsing a value at line 1 column 3"},
		{`{"a": 1,}`, "trailing comma at line 1 column 9"},
		{`[1,]`, "trailing comma at line 1 column 4"},
		{`{"a": 1e400, "b": 1}`, "number out of range at line 1 column 11"},
		{`01`, "invalid number at line 1 column 2"},
		{`"a\u12"`, "EOF while parsing a string at line 1 column 7"},
		{`"a\u12g4"`, "invalid escape at line 1 column 8"},
		{"{\"a\":\n  [1,\n  2,\n]}", "trailing comma at line 4 column 1"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, serdeJSONError(tt.in), tt.in)
	}
}
