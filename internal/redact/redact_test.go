package redact

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestText(t *testing.T) {
	Secret("s3cr3t-token")
	for _, tc := range []struct{ in, want string }{
		{"login user:pw1234@localhost:5001: unauthorized", "login xxxxx@localhost:5001: unauthorized"},
		{"user:pw1234@reg.io/org/app:1.0", "xxxxx@reg.io/org/app:1.0"},
		{`pull "oci://u:p4ss@reg.io/org/app": not found`, `pull "oci://xxxxx@reg.io/org/app": not found`},
		{"git clone https://ghp_abc@github.com/org/repo.git failed", "git clone https://xxxxx@github.com/org/repo.git failed"},
		{"https://u:p@[::1]:5000/v2/", "https://xxxxx@[::1]:5000/v2/"},
		{"the token s3cr3t-token leaked", "the token xxxxx leaked"},
		{"tag 1.0.0-\x1b]0;pwned\x07\x1b[31mred\u009b", "tag 1.0.0-]0;pwned[31mred"},
		{"right\u202eleft", "rightleft"},
		{"two\nlines\tkept", "two\nlines\tkept"},
		// Not credentials: references with ports, tags and digests, ssh git URLs, e-mail-like text.
		{"localhost:5001/test/app:0.1.0@sha256:abcd", "localhost:5001/test/app:0.1.0@sha256:abcd"},
		{"git@github.com:org/repo.git", "git@github.com:org/repo.git"},
		{"kcl.mod:3:5: invalid version", "kcl.mod:3:5: invalid version"},
	} {
		assert.Equal(t, tc.want, Text(tc.in), tc.in)
	}
}
