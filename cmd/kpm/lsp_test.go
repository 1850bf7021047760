package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLspClientFlags: language clients add flags of their own to the server's command line
// (vscode-languageclient appends --stdio, others pass --clientProcessId=N); kpm lsp must start
// and answer with any of them.
func TestLspClientFlags(t *testing.T) {
	session := frameLSP(
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}}`,
		`{"jsonrpc":"2.0","method":"initialized","params":{}}`,
		`{"jsonrpc":"2.0","id":2,"method":"shutdown"}`,
		`{"jsonrpc":"2.0","method":"exit"}`,
	)
	for _, args := range [][]string{
		{"lsp"},
		{"lsp", "--stdio"},
		{"lsp", "--clientProcessId=4242"},
		{"lsp", "--clientProcessId", "4242", "--stdio"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Setenv("KCL_PKG_PATH", t.TempDir())
			var stdout, stderr bytes.Buffer
			code := run(args, strings.NewReader(session), &stdout, &stderr)
			require.Equal(t, exitOK, code, "stderr: %s", stderr.String())
			assert.Contains(t, stdout.String(), `"id":1,"result":{"capabilities"`)
			assert.Contains(t, stdout.String(), `"id":2,"result":null`)
		})
	}
}

// frameLSP frames JSON-RPC messages with the LSP base protocol's Content-Length headers.
func frameLSP(msgs ...string) string {
	var b strings.Builder
	for _, m := range msgs {
		fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(m), m)
	}
	return b.String()
}
