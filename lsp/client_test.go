package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sourcegraph/jsonrpc2"
	"github.com/stretchr/testify/require"
)

// testClient is an LSP client over a real JSON-RPC stream (a pipe to an in-process server, or
// the stdio of a kpm lsp process). It records every byte of the session, answers the
// server's requests and collects notifications.
type testClient struct {
	t    testing.TB
	conn *jsonrpc2.Conn

	traffic *syncBuffer

	mu         sync.Mutex
	notifs     []notification
	changed    chan struct{}
	config     map[string]any // answer to workspace/configuration, section "kpm"
	created    []string       // tokens asked for by window/workDoneProgress/create
	applied    []json.RawMessage
	registered []json.RawMessage
	onCreate   func(token json.RawMessage)
}

type notification struct {
	Method string
	Params json.RawMessage
	At     time.Time
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// recordingRWC tees both directions of a stream into traffic.
type recordingRWC struct {
	r io.Reader
	w io.Writer
	c io.Closer
}

func (r recordingRWC) Read(p []byte) (int, error)  { return r.r.Read(p) }
func (r recordingRWC) Write(p []byte) (int, error) { return r.w.Write(p) }
func (r recordingRWC) Close() error                { return r.c.Close() }

func newTestClient(t testing.TB, rwc io.ReadWriteCloser) *testClient {
	c := &testClient{t: t, traffic: &syncBuffer{}, changed: make(chan struct{}, 1), config: map[string]any{}}
	rec := recordingRWC{r: io.TeeReader(rwc, c.traffic), w: io.MultiWriter(rwc, c.traffic), c: rwc}
	c.conn = jsonrpc2.NewConn(context.Background(), jsonrpc2.NewBufferedStream(rec, jsonrpc2.VSCodeObjectCodec{}),
		clientHandler{c}, jsonrpc2.SetLogger(testLogger{t}))
	t.Cleanup(func() { c.conn.Close() })
	return c
}

// clientHandler records notifications on the reading goroutine, so they are kept in the order
// the server sent them and every notification sent before a response is recorded by the time
// the call returns. Requests from the server run on their own goroutines (a test may make the
// client slow to answer them).
type clientHandler struct{ c *testClient }

func (h clientHandler) Handle(ctx context.Context, conn *jsonrpc2.Conn, req *jsonrpc2.Request) {
	if req.Notif {
		_, _ = h.c.handle(ctx, conn, req)
		return
	}
	go jsonrpc2.HandlerWithError(h.c.handle).Handle(ctx, conn, req)
}

type testLogger struct{ t testing.TB }

func (l testLogger) Printf(format string, v ...any) {}

func (c *testClient) handle(ctx context.Context, conn *jsonrpc2.Conn, req *jsonrpc2.Request) (any, error) {
	var params json.RawMessage
	if req.Params != nil {
		params = *req.Params
	}
	if req.Notif {
		c.mu.Lock()
		c.notifs = append(c.notifs, notification{Method: req.Method, Params: params, At: time.Now()})
		c.mu.Unlock()
		select {
		case c.changed <- struct{}{}:
		default:
		}
		return nil, nil
	}
	switch req.Method {
	case "workspace/configuration":
		c.mu.Lock()
		cfg := c.config
		c.mu.Unlock()
		return []any{cfg}, nil
	case "window/workDoneProgress/create":
		var p struct {
			Token json.RawMessage `json:"token"`
		}
		_ = json.Unmarshal(params, &p)
		c.mu.Lock()
		c.created = append(c.created, string(p.Token))
		f := c.onCreate
		c.mu.Unlock()
		if f != nil {
			f(p.Token)
		}
		return nil, nil
	case "client/registerCapability":
		c.mu.Lock()
		c.registered = append(c.registered, params)
		c.mu.Unlock()
		return nil, nil
	case "workspace/applyEdit":
		c.mu.Lock()
		c.applied = append(c.applied, params)
		c.mu.Unlock()
		return map[string]any{"applied": true}, nil
	}
	return nil, &jsonrpc2.Error{Code: jsonrpc2.CodeMethodNotFound, Message: req.Method}
}

func (c *testClient) call(method string, params, result any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return c.conn.Call(ctx, method, params, result)
}

func (c *testClient) mustCall(method string, params, result any) {
	c.t.Helper()
	require.NoError(c.t, c.call(method, params, result), method)
}

func (c *testClient) notify(method string, params any) {
	c.t.Helper()
	require.NoError(c.t, c.conn.Notify(context.Background(), method, params))
}

// initialize runs initialize + initialized with the given capabilities.
func (c *testClient) initialize(root string, caps map[string]any) map[string]any {
	c.t.Helper()
	var res map[string]any
	c.mustCall("initialize", map[string]any{"processId": nil, "rootUri": pathToURI(root), "capabilities": caps}, &res)
	c.notify("initialized", map[string]any{})
	return res
}

func (c *testClient) shutdown() {
	c.t.Helper()
	c.mustCall("shutdown", nil, nil)
	c.notify("exit", nil)
}

// waitFor waits until a notification after index `from` satisfies pred, returning it.
func (c *testClient) waitFor(from int, timeout time.Duration, pred func(n notification) bool) (notification, bool) {
	deadline := time.Now().Add(timeout)
	for {
		c.mu.Lock()
		for i := from; i < len(c.notifs); i++ {
			if pred(c.notifs[i]) {
				n := c.notifs[i]
				c.mu.Unlock()
				return n, true
			}
		}
		c.mu.Unlock()
		left := time.Until(deadline)
		if left <= 0 {
			return notification{}, false
		}
		select {
		case <-c.changed:
		case <-time.After(min(left, 50*time.Millisecond)):
		}
	}
}

func (c *testClient) mark() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.notifs)
}

type publishedDiagnostics struct {
	URI         string `json:"uri"`
	Version     *int   `json:"version"`
	Diagnostics []struct {
		Range    lspRange `json:"range"`
		Severity int      `json:"severity"`
		Code     any      `json:"code"`
		Message  string   `json:"message"`
		Data     any      `json:"data"`
	} `json:"diagnostics"`
}

type lspRange struct {
	Start lspPos `json:"start"`
	End   lspPos `json:"end"`
}

type lspPos struct {
	Line      int `json:"line"`
	Character int `json:"character"`
}

// waitDiagnostics waits for diagnostics of uri (published after `from`) matching pred.
func (c *testClient) waitDiagnostics(from int, uri string, pred func(p publishedDiagnostics) bool) publishedDiagnostics {
	c.t.Helper()
	var last publishedDiagnostics
	_, ok := c.waitFor(from, 20*time.Second, func(n notification) bool {
		if n.Method != "textDocument/publishDiagnostics" {
			return false
		}
		var p publishedDiagnostics
		if json.Unmarshal(n.Params, &p) != nil || p.URI != uri {
			return false
		}
		last = p
		return pred(p)
	})
	require.True(c.t, ok, "no matching diagnostics for %s; last: %+v", uri, last)
	return last
}

func (c *testClient) open(path, text string) string {
	c.t.Helper()
	uri := pathToURI(path)
	lang := map[docKind]string{kindMod: "toml", kindLock: "toml", kindKpmJSON: "json", kindKCL: "kcl"}[kindOf(path)]
	c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "languageId": lang, "version": 1, "text": text}})
	return uri
}

// codeActions asks for the code actions of range r in uri, with no diagnostics in the context.
func (c *testClient) codeActions(uri string, r lspRange, result any) {
	c.t.Helper()
	c.mustCall("textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": uri},
		"range":        r,
		"context":      map[string]any{"diagnostics": []any{}},
	}, result)
}

// hoverText returns the markdown of the hover at p in uri ("" when there is none).
func (c *testClient) hoverText(uri string, p lspPos) string {
	c.t.Helper()
	var h struct {
		Contents struct{ Value string } `json:"contents"`
	}
	c.mustCall("textDocument/hover", docParams(uri, p), &h)
	return h.Contents.Value
}

// definition returns the URIs of the locations textDocument/definition answers at p in uri.
func (c *testClient) definition(uri string, p lspPos) []string {
	c.t.Helper()
	var locs []struct {
		URI string `json:"uri"`
	}
	c.mustCall("textDocument/definition", docParams(uri, p), &locs)
	out := []string{}
	for _, l := range locs {
		out = append(out, l.URI)
	}
	return out
}

// pointRange is the empty range at p.
func pointRange(p lspPos) lspRange { return lspRange{Start: p, End: p} }

func (c *testClient) allNotifications() []notification {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]notification(nil), c.notifs...)
}

func (c *testClient) notificationsOf(method string) []notification {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []notification
	for _, n := range c.notifs {
		if n.Method == method {
			out = append(out, n)
		}
	}
	return out
}

// pipeServer starts an in-process server over net.Pipe and returns a client for it.
func pipeServer(t testing.TB, logw io.Writer) (*testClient, <-chan error) {
	a, b := net.Pipe()
	done := make(chan error, 1)
	stopped := make(chan struct{})
	go func() {
		err := Serve(context.Background(), a, Options{Log: logw, Version: "test"})
		close(stopped)
		done <- err
	}()
	c := newTestClient(t, b)
	t.Cleanup(func() {
		b.Close()
		select {
		case <-stopped:
		case <-time.After(10 * time.Second):
			t.Errorf("server did not stop")
		}
	})
	return c, done
}

// writeFiles creates files under dir from name → content.
func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
}

// position finds the LSP position of the n-th occurrence (0-based) of needle in text, plus
// delta characters.
func positionOf(t testing.TB, text, needle string, delta int) lspPos {
	t.Helper()
	i := strings.Index(text, needle)
	require.GreaterOrEqual(t, i, 0, "needle %q", needle)
	i += delta
	line := strings.Count(text[:i], "\n")
	col := i - (strings.LastIndex(text[:i], "\n") + 1)
	return lspPos{Line: line, Character: col}
}

func docParams(uri string, p lspPos) map[string]any {
	return map[string]any{"textDocument": map[string]any{"uri": uri}, "position": p}
}
