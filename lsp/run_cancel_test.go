package lsp

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sourcegraph/jsonrpc2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpm-dev/kpm/internal/cputime"
)

// $/cancelRequest stops a KCL evaluation that would run for ages: the request is answered as
// cancelled and the evaluation stops using the CPU.
func TestRunCancelRequestStopsEvaluation(t *testing.T) {
	t.Setenv("KCL_PKG_PATH", t.TempDir())
	c, _ := pipeServer(t, nil)
	work := t.TempDir()
	c.initialize(work, map[string]any{"window": map[string]any{"workDoneProgress": true}})
	pkg := filepath.Join(work, "app")
	require.NoError(t, execCmd(c, "kpm.init", map[string]any{"path": pkg}, nil))
	// exponential time, constant memory
	src := "f = lambda n { f(n - 1) + f(n - 1) if n > 0 else 1 }\na = f(60)\n"
	require.NoError(t, os.WriteFile(filepath.Join(pkg, "main.k"), []byte(src), 0o644))

	m := c.mark()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	w, err := c.conn.DispatchCall(ctx, "workspace/executeCommand", map[string]any{
		"command": "kpm.run", "arguments": []any{map[string]any{"path": pkg}}, "workDoneToken": "run-1",
	}, jsonrpc2.PickID(jsonrpc2.ID{Num: 7001}))
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- w.Wait(ctx, nil) }()
	waitProgressBegin(t, c, m, "run-1")
	time.Sleep(300 * time.Millisecond) // evaluating by now

	c.notify("$/cancelRequest", map[string]any{"id": 7001})
	requireCancelled(t, done)
	before := cputime.Process()
	time.Sleep(time.Second)
	used := cputime.Process() - before
	assert.Less(t, used, 500*time.Millisecond, "the cancelled evaluation still uses the CPU")
}
