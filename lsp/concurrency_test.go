package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sourcegraph/jsonrpc2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pushAsync starts kpm.push with a client token and request id; the returned channel gets
// the outcome.
func pushAsync(t *testing.T, c *testClient, dir, token string, id uint64) <-chan error {
	t.Helper()
	// New content every time, so the layer is a new blob and its upload goes through the
	// slow proxy (an existing blob would be skipped).
	writeFiles(t, dir, map[string]string{"data.k": "token = '" + token + time.Now().String() + "'\n"})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	w, err := c.conn.DispatchCall(ctx, "workspace/executeCommand", map[string]any{
		"command": "kpm.push", "arguments": []any{map[string]any{"path": dir, "force": true}}, "workDoneToken": token,
	}, jsonrpc2.PickID(jsonrpc2.ID{Num: id}))
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		defer cancel()
		var res map[string]any
		done <- w.Wait(ctx, &res)
	}()
	return done
}

func waitProgressBegin(t *testing.T, c *testClient, from int, token string) {
	t.Helper()
	_, ok := c.waitFor(from, 20*time.Second, func(n notification) bool {
		return n.Method == "$/progress" && strings.Contains(string(n.Params), `"token":"`+token+`"`) && strings.Contains(string(n.Params), `"begin"`)
	})
	require.True(t, ok, "no $/progress begin for %s", token)
}

// requireCancelled waits for the answer of a cancelled push: the request-cancelled error.
func requireCancelled(t *testing.T, done <-chan error) {
	t.Helper()
	select {
	case err := <-done:
		var rerr *jsonrpc2.Error
		require.True(t, errors.As(err, &rerr), "%v", err)
		assert.EqualValues(t, codeRequestCancelled, rerr.Code)
	case <-time.After(20 * time.Second):
		t.Fatal("cancelled push did not answer")
	}
}

func TestSlowPushDoesNotDelayCompletionAndCancels(t *testing.T) {
	e := newEnv(t)
	defer slowUploads.Store(0)
	c, _ := pipeServer(t, nil)
	work := t.TempDir()
	c.initialize(work, map[string]any{"window": map[string]any{"workDoneProgress": true}})
	require.NoError(t, execCmd(c, "kpm.login", map[string]any{"registry": e.host, "username": "test", "password": testPassword}, nil))
	publish(t, c, "dep", "1.0.0", nil)
	var tags map[string][]string
	require.NoError(t, execCmd(c, "kpm.tags", map[string]any{"source": "dep"}, &tags))

	pkg := filepath.Join(work, "big")
	require.NoError(t, execCmd(c, "kpm.init", map[string]any{"path": pkg, "name": "big", "version": "0.0.1"}, nil))
	modText := "[package]\nname = \"big\"\nversion = \"0.0.1\"\n\n[dependencies]\ndep = \"1.0.0\"\n"
	modURI := c.open(filepath.Join(pkg, "kcl.mod"), modText)

	// 1. A slow push (every upload request delayed by the proxy) while completions answer.
	slowUploads.Store(2500)
	m := c.mark()
	done := pushAsync(t, c, pkg, "push-1", 9001)
	waitProgressBegin(t, c, m, "push-1")
	for i := 0; i < 10; i++ {
		var list struct {
			Items []struct{ Label string } `json:"items"`
		}
		c.mustCall("textDocument/completion", docParams(modURI, positionOf(t, modText, `"1.0.0"`, 2)), &list)
		require.Len(t, list.Items, 1)
		assert.Equal(t, "1.0.0", list.Items[0].Label)
	}
	select {
	case err := <-done:
		t.Fatalf("push finished during the completions (%v): the test did not overlap", err)
	default:
	}
	require.NoError(t, <-done)

	// 2. Cancel a push through window/workDoneProgress/cancel.
	slowUploads.Store(3000)
	m = c.mark()
	done = pushAsync(t, c, pkg, "push-2", 9002)
	waitProgressBegin(t, c, m, "push-2")
	c.notify("window/workDoneProgress/cancel", map[string]any{"token": "push-2"})
	requireCancelled(t, done)
	_, ok := c.waitFor(m, 20*time.Second, func(n notification) bool {
		return n.Method == "$/progress" && strings.Contains(string(n.Params), `"push-2"`) && strings.Contains(string(n.Params), `"cancelled"`)
	})
	assert.True(t, ok, "progress ends with 'cancelled'")

	// 3. Cancel a push through $/cancelRequest.
	m = c.mark()
	done = pushAsync(t, c, pkg, "push-3", 9003)
	waitProgressBegin(t, c, m, "push-3")
	c.notify("$/cancelRequest", map[string]any{"id": 9003})
	requireCancelled(t, done)
}

func TestRunCommand(t *testing.T) {
	t.Setenv("KCL_PKG_PATH", t.TempDir())
	c, _ := pipeServer(t, nil)
	work := t.TempDir()
	c.initialize(work, nil) // no workDoneProgress: progress falls back to showMessage

	pkg := filepath.Join(work, "app")
	require.NoError(t, execCmd(c, "kpm.init", map[string]any{"path": pkg}, nil))
	var res map[string]any
	require.NoError(t, execCmd(c, "kpm.run", map[string]any{"path": pkg}, &res))
	assert.Equal(t, "The_first_kcl_program: Hello World!\n", res["yaml"])
	shown := c.notificationsOf("window/showMessage")
	require.NotEmpty(t, shown)
	assert.Contains(t, string(shown[0].Params), "kpm: running "+pkg)

	writeFiles(t, pkg, map[string]string{"main.k": "name = option(\"name\")\nbad = 1 +\n"})
	m := c.mark()
	err := execCmd(c, "kpm.run", map[string]any{"path": pkg, "options": map[string]string{"name": "x"}}, &res)
	var rerr *jsonrpc2.Error
	require.ErrorAs(t, err, &rerr)
	assert.EqualValues(t, codeRequestFailed, rerr.Code)
	assert.Regexp(t, `main\.k:2:\d+: InvalidSyntax: `, rerr.Message)
	require.NotNil(t, rerr.Data)
	var data struct {
		Errors []runErrorData `json:"errors"`
	}
	require.NoError(t, json.Unmarshal(*rerr.Data, &data))
	require.NotEmpty(t, data.Errors)
	assert.Equal(t, 2, data.Errors[0].Line)
	// The failure is also shown to the user.
	_, ok := c.waitFor(m, 20*time.Second, func(n notification) bool {
		return n.Method == "window/showMessage" && strings.Contains(string(n.Params), `"type":1`) && strings.Contains(string(n.Params), "InvalidSyntax")
	})
	assert.True(t, ok)

	writeFiles(t, pkg, map[string]string{"main.k": "name = option(\"name\")\n"})
	require.NoError(t, execCmd(c, "kpm.run", map[string]any{"path": pkg, "options": map[string]string{"name": "x"}}, &res))
	assert.Equal(t, "name: x\n", res["yaml"])

	// Argument errors.
	err = execCmd(c, "kpm.run", map[string]any{"path": "relative/dir"}, &res)
	require.ErrorAs(t, err, &rerr)
	assert.EqualValues(t, jsonrpc2.CodeInvalidParams, rerr.Code)
	assert.Contains(t, rerr.Message, "must be an absolute path")
	err = execCmd(c, "kpm.run", map[string]any{"paht": pkg}, &res)
	require.ErrorAs(t, err, &rerr)
	assert.Contains(t, rerr.Message, `unknown field "paht"`)
	err = execCmd(c, "kpm.nope", map[string]any{}, &res)
	require.ErrorAs(t, err, &rerr)
	assert.Contains(t, rerr.Message, `unknown command "kpm.nope"`)
}
