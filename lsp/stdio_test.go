package lsp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	kpmBinOnce sync.Once
	kpmBin     string
	kpmBinErr  error
	kpmBinDir  string
)

// TestMain builds the kpm binary for the stdio tests (before any test changes HOME, so the
// build cache is the user's) and removes it afterwards.
func TestMain(m *testing.M) {
	buildKpmOnce()
	code := m.Run()
	if kpmBinDir != "" {
		os.RemoveAll(kpmBinDir)
	}
	os.Exit(code)
}

// buildKpm returns the kpm binary built by TestMain.
func buildKpm(t testing.TB) string {
	t.Helper()
	buildKpmOnce()
	require.NoError(t, kpmBinErr)
	return kpmBin
}

func buildKpmOnce() {
	kpmBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kpm-lsp-test-")
		if err != nil {
			kpmBinErr = err
			return
		}
		kpmBinDir = dir
		kpmBin = filepath.Join(dir, "kpm")
		cmd := exec.Command("go", "build", "-o", kpmBin, "github.com/kpm-dev/kpm/cmd/kpm")
		out, err := cmd.CombinedOutput()
		if err != nil {
			kpmBinErr = errors.New("go build ./cmd/kpm: " + err.Error() + "\n" + string(out))
		}
	})
}

type processRWC struct {
	io.Reader
	io.WriteCloser
}

func (p processRWC) Close() error { return p.WriteCloser.Close() }

// stdioServer starts `kpm lsp --log FILE` and returns a client on its stdin/stdout.
func stdioServer(t *testing.T, logFile string) (*testClient, *exec.Cmd, *bytes.Buffer) {
	t.Helper()
	bin := buildKpm(t)
	cmd := exec.Command(bin, "lsp", "--log", logFile)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	stderr := &bytes.Buffer{}
	cmd.Stderr = stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_, _ = cmd.Process.Wait()
		}
	})
	return newTestClient(t, processRWC{stdout, stdin}), cmd, stderr
}

func TestStdioEndToEnd(t *testing.T) {
	e := newEnv(t)
	logFile := filepath.Join(t.TempDir(), "lsp.log")
	c, cmd, stderr := stdioServer(t, logFile)
	work := t.TempDir()
	res := c.initialize(work, map[string]any{"window": map[string]any{"workDoneProgress": true}, "workspace": map[string]any{"configuration": true}})
	assert.NotNil(t, res["capabilities"])

	require.NoError(t, execCmd(c, "kpm.login", map[string]any{"registry": e.host, "username": "test", "password": testPassword}, nil))
	var status map[string]any
	require.NoError(t, execCmd(c, "kpm.status", map[string]any{}, &status))
	assert.Equal(t, true, status["loggedIn"])
	publish(t, c, "hello", "0.1.0", map[string]string{"main.k": "greeting = 'hi'\n"})
	publish(t, c, "hello", "1.0.0", map[string]string{"main.k": "greeting = 'hello'\n"})
	var pull map[string]any
	require.NoError(t, execCmd(c, "kpm.pull", map[string]any{"source": "hello:0.1.0"}, &pull))
	assert.Equal(t, filepath.Join(e.home, "hello_0.1.0"), pull["path"])

	pkg := filepath.Join(work, "app")
	require.NoError(t, execCmd(c, "kpm.init", map[string]any{"path": pkg, "name": "app"}, nil))
	require.NoError(t, execCmd(c, "kpm.add", map[string]any{"path": pkg, "source": "hello:0.1.0"}, nil))
	writeFiles(t, pkg, map[string]string{"main.k": "import hello\nout = hello.greeting\n"})
	modBytes, err := os.ReadFile(filepath.Join(pkg, "kcl.mod"))
	require.NoError(t, err)
	modText := string(modBytes)

	// Diagnostics: a newer tag (after kpm.checkUpdates fills the cache), and a syntax error.
	var upd struct {
		Updates []tagUpdate `json:"updates"`
	}
	require.NoError(t, execCmd(c, "kpm.checkUpdates", map[string]any{"path": pkg}, &upd))
	assert.Equal(t, []tagUpdate{{Name: "hello", Current: "0.1.0", Latest: "1.0.0", Kind: "major"}}, upd.Updates)
	m := c.mark()
	modURI := c.open(filepath.Join(pkg, "kcl.mod"), modText)
	p := c.waitDiagnostics(m, modURI, func(p publishedDiagnostics) bool { return hasCode(p, codeNewerTag) })
	assert.Len(t, p.Diagnostics, 1, "%+v", p.Diagnostics)

	m = c.mark()
	c.notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": modURI, "version": 2},
		"contentChanges": []any{map[string]any{"range": lspRange{Start: lspPos{1, 7}, End: lspPos{1, 12}}, "text": "\"Bad Name\""}},
	})
	p = c.waitDiagnostics(m, modURI, func(p publishedDiagnostics) bool { return p.Version != nil && *p.Version == 2 })
	assert.True(t, hasCode(p, "invalid-name"), "%+v", p.Diagnostics)

	// Completion, hover, lenses, actions and definition over stdio.
	var list struct {
		Items []struct{ Label string } `json:"items"`
	}
	c.mustCall("textDocument/completion", docParams(modURI, positionOf(t, modText, `"0.1.0"`, 1)), &list)
	require.Len(t, list.Items, 2)
	assert.Equal(t, "1.0.0", list.Items[0].Label)
	hover := c.hoverText(modURI, positionOf(t, modText, "hello =", 1))
	assert.Contains(t, hover, filepath.Join(e.home, "hello_0.1.0"))
	var lenses []map[string]any
	c.mustCall("textDocument/codeLens", map[string]any{"textDocument": map[string]any{"uri": modURI}}, &lenses)
	assert.Len(t, lenses, 4)
	var actions []map[string]any
	c.codeActions(modURI, pointRange(positionOf(t, modText, "hello =", 0)), &actions)
	require.NotEmpty(t, actions)
	assert.Equal(t, "Upgrade hello to 1.0.0 (major)", actions[0]["title"])
	mainURI := c.open(filepath.Join(pkg, "main.k"), "import hello\nout = hello.greeting\n")
	assert.Equal(t, []string{pathToURI(filepath.Join(e.home, "hello_0.1.0", "main.k"))}, c.definition(mainURI, lspPos{0, 8}))

	var run map[string]any
	require.NoError(t, execCmd(c, "kpm.run", map[string]any{"path": pkg}, &run))
	assert.Equal(t, "out: hi\n", run["yaml"])
	// kpm.run of published packages: name:version and oci:// with a tag.
	require.NoError(t, execCmd(c, "kpm.run", map[string]any{"source": "hello:1.0.0"}, &run))
	assert.Equal(t, "greeting: hello\n", run["yaml"])
	require.NoError(t, execCmd(c, "kpm.run", map[string]any{"source": "oci://" + e.host + "/test/hello", "tag": "0.1.0"}, &run))
	assert.Equal(t, "greeting: hi\n", run["yaml"])

	// A slow push is cancellable while other requests answer.
	slowUploads.Store(2000)
	defer slowUploads.Store(0)
	m = c.mark()
	done := pushAsync(t, c, pkg, "e2e-push", 777)
	waitProgressBegin(t, c, m, "e2e-push")
	c.mustCall("textDocument/completion", docParams(modURI, positionOf(t, modText, `"0.1.0"`, 1)), &list)
	select {
	case err := <-done:
		t.Fatalf("the push ended (%v) before the completion answered", err)
	default:
	}
	c.notify("$/cancelRequest", map[string]any{"id": 777})
	requireCancelled(t, done)
	slowUploads.Store(0)

	require.NoError(t, execCmd(c, "kpm.logout", map[string]any{"registry": e.host}, nil))

	c.shutdown()
	waitErr := make(chan error, 1)
	go func() { waitErr <- cmd.Wait() }()
	select {
	case err := <-waitErr:
		assert.NoError(t, err, "exit code 0 after shutdown+exit; stderr: %s", stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatal("kpm lsp did not exit")
	}

	logText, err := os.ReadFile(logFile)
	require.NoError(t, err)
	assert.Contains(t, string(logText), "textDocument/completion")
	assert.NotContains(t, string(logText), testPassword)
	assert.NotContains(t, stderr.String(), testPassword)
	assert.Equal(t, 1, strings.Count(c.traffic.String(), testPassword), "only the login request carries the password")
}

func TestStdioExitWithoutShutdown(t *testing.T) {
	t.Setenv("KCL_PKG_PATH", t.TempDir())
	c, cmd, _ := stdioServer(t, filepath.Join(t.TempDir(), "lsp.log"))
	c.initialize(t.TempDir(), nil)
	c.notify("exit", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	waitErr := make(chan error, 1)
	go func() { waitErr <- cmd.Wait() }()
	select {
	case err := <-waitErr:
		var ee *exec.ExitError
		require.ErrorAs(t, err, &ee)
		assert.Equal(t, 1, ee.ExitCode())
	case <-ctx.Done():
		t.Fatal("kpm lsp did not exit")
	}
}

// TestStdioPipelinedSession sends a whole session at once, as a script or a simple client may:
// initialize and shutdown must still be answered, in order, and exit must end the server cleanly.
func TestStdioPipelinedSession(t *testing.T) {
	bin := buildKpm(t)
	t.Setenv("KCL_PKG_PATH", t.TempDir())
	var in bytes.Buffer
	for _, msg := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}}`,
		`{"jsonrpc":"2.0","method":"initialized","params":{}}`,
		`{"jsonrpc":"2.0","id":2,"method":"shutdown"}`,
		`{"jsonrpc":"2.0","method":"exit"}`,
	} {
		fmt.Fprintf(&in, "Content-Length: %d\r\n\r\n%s", len(msg), msg)
	}
	cmd := exec.Command(bin, "lsp")
	cmd.Stdin = &in
	out, err := cmd.Output()
	require.NoError(t, err, "kpm lsp must exit 0 after a pipelined shutdown and exit")
	text := string(out)
	initAt := strings.Index(text, `"id":1,"result":{"capabilities"`)
	shutdownAt := strings.Index(text, `"id":2,"result":null`)
	require.GreaterOrEqual(t, initAt, 0, "initialize answered: %s", text)
	require.Greater(t, shutdownAt, initAt, "shutdown answered after initialize: %s", text)
	assert.Contains(t, text, `"kpm.run"`)
}
