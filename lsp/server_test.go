package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/sourcegraph/jsonrpc2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A test-only request that blocks until cancelled, registered for the in-process tests.
func init() {
	requestHandlers["kpm/testBlock"] = func(s *Server, ctx context.Context, params json.RawMessage) (any, error) {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(30 * time.Second):
			return "not cancelled", nil
		}
	}
}

func TestInitializeCapabilities(t *testing.T) {
	t.Setenv("KCL_PKG_PATH", t.TempDir())
	c, done := pipeServer(t, nil)
	res := c.initialize(t.TempDir(), map[string]any{})
	caps := res["capabilities"].(map[string]any)
	cmds := caps["executeCommandProvider"].(map[string]any)["commands"].([]any)
	assert.ElementsMatch(t, []any{"kpm.init", "kpm.login", "kpm.logout", "kpm.push", "kpm.pull", "kpm.run", "kpm.add", "kpm.update", "kpm.checkUpdates", "kpm.tags", "kpm.status"}, cmds)
	sync := caps["textDocumentSync"].(map[string]any)
	assert.EqualValues(t, 2, sync["change"], "incremental sync")
	assert.Equal(t, true, caps["hoverProvider"])
	assert.Equal(t, true, caps["definitionProvider"])
	assert.NotNil(t, caps["completionProvider"])
	assert.NotNil(t, caps["codeLensProvider"])
	assert.Equal(t, "kpm", res["serverInfo"].(map[string]any)["name"])

	c.shutdown()
	select {
	case err := <-done:
		assert.NoError(t, err, "orderly shutdown+exit")
	case <-time.After(10 * time.Second):
		t.Fatal("server did not exit")
	}
}

func TestRequestsBeforeInitializeAndAfterShutdown(t *testing.T) {
	t.Setenv("KCL_PKG_PATH", t.TempDir())
	c, done := pipeServer(t, nil)
	err := c.call("textDocument/hover", docParams("file:///x/kcl.mod", lspPos{}), nil)
	var rerr *jsonrpc2.Error
	require.ErrorAs(t, err, &rerr)
	assert.EqualValues(t, codeServerNotInitialized, rerr.Code)

	c.initialize(t.TempDir(), nil)
	err = c.call("kpm/unknownMethod", nil, nil)
	require.ErrorAs(t, err, &rerr)
	assert.EqualValues(t, jsonrpc2.CodeMethodNotFound, rerr.Code)

	c.mustCall("shutdown", nil, nil)
	err = c.call("textDocument/hover", docParams("file:///x/kcl.mod", lspPos{}), nil)
	require.ErrorAs(t, err, &rerr)
	assert.EqualValues(t, jsonrpc2.CodeInvalidRequest, rerr.Code)
	c.notify("exit", nil)
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("server did not exit")
	}
}

func TestExitWithoutShutdownIsAnError(t *testing.T) {
	t.Setenv("KCL_PKG_PATH", t.TempDir())
	c, done := pipeServer(t, nil)
	c.initialize(t.TempDir(), nil)
	c.notify("exit", nil)
	select {
	case err := <-done:
		assert.Error(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("server did not exit")
	}
}

func TestCancelRequest(t *testing.T) {
	t.Setenv("KCL_PKG_PATH", t.TempDir())
	c, _ := pipeServer(t, nil)
	c.initialize(t.TempDir(), nil)

	errc := make(chan error, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	w, err := c.conn.DispatchCall(ctx, "kpm/testBlock", nil, jsonrpc2.PickID(jsonrpc2.ID{Num: 4242}))
	require.NoError(t, err)
	go func() { errc <- w.Wait(ctx, nil) }()

	// Other requests answer while the first one is blocked.
	var hover any
	c.mustCall("textDocument/hover", docParams("file:///nowhere/kcl.mod", lspPos{}), &hover)
	select {
	case err := <-errc:
		t.Fatalf("the blocked request ended (%v) before the cancellation", err)
	default:
	}

	c.notify("$/cancelRequest", map[string]any{"id": 4242})
	select {
	case err := <-errc:
		var rerr *jsonrpc2.Error
		require.True(t, errors.As(err, &rerr), "got %v", err)
		assert.EqualValues(t, codeRequestCancelled, rerr.Code)
	case <-time.After(10 * time.Second):
		t.Fatal("cancelled request did not answer")
	}
}

func TestIncrementalSyncAndKpmJSONDiagnostics(t *testing.T) {
	t.Setenv("KCL_PKG_PATH", t.TempDir())
	c, _ := pipeServer(t, nil)
	dir := t.TempDir()
	c.initialize(dir, nil)
	path := filepath.Join(dir, "kpm.json")
	text := "{\"DefaultOciRegistry\": \"ghcr.io\", \"DefaultOciRepo\": \"kcl-lang\"}"
	m := c.mark()
	uri := c.open(path, text)
	c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return len(p.Diagnostics) == 0 })

	// Replace "ghcr.io" by "https://x.io" with a ranged change.
	m = c.mark()
	start := positionOf(t, text, "ghcr.io", 0)
	end := positionOf(t, text, "ghcr.io", len("ghcr.io"))
	c.notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": uri, "version": 2},
		"contentChanges": []any{map[string]any{"range": lspRange{start, end}, "text": "https://x.io"}},
	})
	p := c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return len(p.Diagnostics) > 0 })
	require.Len(t, p.Diagnostics, 1)
	d := p.Diagnostics[0]
	assert.Equal(t, "invalid-registry", d.Code)
	assert.Contains(t, d.Message, "scheme: write x.io")
	// The range covers the value, quotes included.
	assert.Equal(t, lspRange{Start: lspPos{Line: 0, Character: start.Character - 1}, End: lspPos{Line: 0, Character: start.Character + len(`https://x.io"`)}}, d.Range)
	assert.Equal(t, 2, *p.Version)

	// Closing clears the diagnostics.
	m = c.mark()
	c.notify("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": uri}})
	c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return len(p.Diagnostics) == 0 })
}

func TestConfigurationPulledFromClient(t *testing.T) {
	home := t.TempDir()
	t.Setenv("KCL_PKG_PATH", home)
	c, _ := pipeServer(t, nil)
	other := t.TempDir()
	c.config = map[string]any{"pkgPath": other, "offline": true, "registryCheckInterval": 5}
	c.initialize(t.TempDir(), map[string]any{"workspace": map[string]any{"configuration": true}})
	require.Eventually(t, func() bool {
		return c.srvSettingsOffline()
	}, 10*time.Second, 20*time.Millisecond)
	var status map[string]any
	c.mustCall("workspace/executeCommand", map[string]any{"command": "kpm.status", "arguments": []any{map[string]any{}}}, &status)
	assert.Equal(t, other, status["pkgPath"])
	assert.Equal(t, true, status["offline"])

	// didChangeConfiguration with the settings pushed.
	c.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"kpm": map[string]any{"offline": false, "pkgPath": other}}})
	require.Eventually(t, func() bool {
		var st map[string]any
		_ = c.call("workspace/executeCommand", map[string]any{"command": "kpm.status", "arguments": []any{map[string]any{}}}, &st)
		return st["offline"] == false
	}, 10*time.Second, 20*time.Millisecond)
}

// srvSettingsOffline asks the server (through kpm.status) whether it is offline.
func (c *testClient) srvSettingsOffline() bool {
	var st map[string]any
	if err := c.call("workspace/executeCommand", map[string]any{"command": "kpm.status", "arguments": []any{map[string]any{}}}, &st); err != nil {
		return false
	}
	return st["offline"] == true
}
