package lsp

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A message that is not JSON, or not a JSON-RPC message, is answered with the JSON-RPC error
// (id null) and the session goes on: later requests are answered and exit is clean.
func TestStdioMalformedMessagesAreAnswered(t *testing.T) {
	bin := buildKpm(t)
	t.Setenv("KCL_PKG_PATH", t.TempDir())
	var in bytes.Buffer
	for _, msg := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}}`,
		`{"jsonrpc":"2.0","id":2,"method":"shutdown"`, // cut short
		`{"jsonrpc":"2.0","id":{"x":1},"method":"textDocument/hover","params":{}}`,
		`[{"jsonrpc":"2.0","id":3,"method":"shutdown"}]`, // a batch: LSP has none
		`not json at all`,
		`{"jsonrpc":"2.0","id":4,"method":"shutdown"}`,
		`{"jsonrpc":"2.0","method":"exit"}`,
	} {
		fmt.Fprintf(&in, "Content-Length: %d\r\n\r\n%s", len(msg), msg)
	}
	cmd := exec.Command(bin, "lsp")
	cmd.Stdin = &in
	out, err := cmd.Output()
	require.NoError(t, err, "kpm lsp must survive malformed messages and exit 0 after shutdown and exit")
	text := string(out)
	assert.Equal(t, 2, strings.Count(text, `{"jsonrpc":"2.0","id":null,"error":{"code":-32700,`), text)
	assert.Equal(t, 2, strings.Count(text, `{"jsonrpc":"2.0","id":null,"error":{"code":-32600,`), text)
	assert.Contains(t, text, `"id":1,"result":{"capabilities"`)
	assert.Contains(t, text, `"id":4,"result":null`)
	assert.NotContains(t, text, `"id":3`)
}
