package kcloracle

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func startOracle(t *testing.T) *Oracle {
	t.Helper()
	o, err := Start(context.Background())
	require.NoError(t, err)
	t.Cleanup(func() { o.Close() })
	return o
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	}
	return dir
}

func TestRun(t *testing.T) {
	o := startOracle(t)
	dir := writeFiles(t, map[string]string{
		"main.k":        "import ext.sub\nprint(\"hi\")\nb = {z = None, y = option(\"n\") + sub.x}\na = [1.0, 1e20]\n",
		"bad_type.k":    "a = 1 + \"x\"\n",
		"bad_assert.k":  "a = \"p\\nq\"\nassert False, a\n",
		"bad_check.k":   "schema A:\n    x: int\n    check:\n        x > 1, \"x big\"\na = A {x = 0}\n",
		"bad_syntax.k":  "a = 1 +\n",
		"settings.yaml": "kcl_cli_configs:\n  files:\n    - main.k\n  sort_keys: true\nkcl_options:\n  - key: n\n    value: 2\n",
	})
	ext := "ext=" + filepath.Join(writeFiles(t, map[string]string{"sub/s.k": "x = 5\n"}))
	tests := []struct {
		name    string
		req     Request
		printed string
		output  string
		err     *Error
	}{
		{name: "yaml", req: Request{Files: []string{"main.k"}, Options: []string{"n=1"}, Externals: []string{ext}},
			printed: "hi\n", output: "b:\n  z: null\n  'y': 6\na:\n- 1.0\n- 1e20\n"},
		{name: "json flags", req: Request{Files: []string{"main.k"}, Options: []string{"n=1"}, Externals: []string{ext},
			Format: "json", SortKeys: true, DisableNone: true},
			printed: "hi\n", output: "{\n    \"a\": [\n        1.0,\n        1e+20\n    ],\n    \"b\": {\n        \"y\": 6\n    }\n}\n"},
		{name: "selector", req: Request{Files: []string{"main.k"}, Options: []string{"n=1"}, Externals: []string{ext}, Selectors: []string{"b.y"}},
			printed: "hi\n", output: "6\n"},
		{name: "settings", req: Request{Settings: []string{"settings.yaml"}, Externals: []string{ext}},
			printed: "hi\n", output: "a:\n- 1.0\n- 1e20\nb:\n  'y': 7\n  z: null\n"},
		{name: "compile error", req: Request{Files: []string{"bad_type.k"}},
			err: &Error{Kind: "TypeError", Code: "E2G22", Location: Location{Line: 1, Col: 5, Message: "unsupported operand type(s) for +: 'int(1)' and 'str(x)'"}}},
		{name: "evaluation error, message on two lines", req: Request{Files: []string{"bad_assert.k"}},
			err: &Error{Kind: "EvaluationError", Location: Location{Line: 2, Col: 1, Message: "p\nq"}}},
		{name: "check error", req: Request{Files: []string{"bad_check.k"}},
			err: &Error{Kind: "EvaluationError", Location: Location{Line: 5, Col: 5, Message: "Instance check failed"},
				Related: []Location{{Line: 4, Col: 1, Message: "Check failed on the condition: x big"}}}},
		{name: "syntax error", req: Request{Files: []string{"bad_syntax.k"}},
			err: &Error{Kind: "InvalidSyntax", Code: "E1001", Location: Location{Line: 1, Col: 7}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.WorkDir = dir
			res, err := o.Run(context.Background(), tt.req)
			require.NoError(t, err)
			if tt.err == nil {
				require.Nil(t, res.Err)
				require.Equal(t, tt.printed, res.Printed)
				require.Equal(t, tt.output, res.Output)
				return
			}
			require.NotNil(t, res.Err, "output: %s", res.Output)
			require.Equal(t, tt.err.Kind, res.Err.Kind)
			require.Equal(t, tt.err.Code, res.Err.Code)
			require.Equal(t, tt.err.Line, res.Err.Line)
			require.Equal(t, tt.err.Col, res.Err.Col)
			require.Equal(t, filepath.Join(dir, tt.req.Files[0]), res.Err.File)
			if tt.err.Message != "" {
				require.Equal(t, tt.err.Message, res.Err.Message)
			}
			require.Len(t, res.Err.Related, len(tt.err.Related))
			for i, r := range tt.err.Related {
				require.Equal(t, r.Line, res.Err.Related[i].Line)
				require.Equal(t, r.Message, res.Err.Related[i].Message)
			}
		})
	}
}

func TestConcurrentRunsAndVersion(t *testing.T) {
	o := startOracle(t)
	v, err := o.Version(context.Background())
	require.NoError(t, err)
	require.Equal(t, "0.13.2", v)
	dir := writeFiles(t, map[string]string{"main.k": "a = option(\"n\")\n"})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := o.Run(context.Background(), Request{WorkDir: dir, Files: []string{"main.k"}, Options: []string{"n=" + string(rune('a'+i))}})
			require.NoError(t, err)
			require.Equal(t, "a: "+string(rune('a'+i))+"\n", res.Output)
		}()
	}
	wg.Wait()
}

func TestCancelRestarts(t *testing.T) {
	o := startOracle(t)
	dir := writeFiles(t, map[string]string{"main.k": "a = 1\n"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := o.Run(ctx, Request{WorkDir: dir, Files: []string{"main.k"}})
	require.ErrorIs(t, err, context.Canceled)

	// a cancellation in the middle of a run kills the process; the next run starts another
	ctx, cancel = context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	o.Run(ctx, Request{WorkDir: dir, Files: []string{"main.k"}})
	res, err := o.Run(context.Background(), Request{WorkDir: dir, Files: []string{"main.k"}})
	require.NoError(t, err)
	require.Equal(t, "a: 1\n", res.Output)
}

func TestCrashRestarts(t *testing.T) {
	o := startOracle(t)
	dir := writeFiles(t, map[string]string{"main.k": "a = 1\n"})
	o.mu.Lock()
	o.cmd.Process.Kill()
	o.mu.Unlock()
	_, err := o.Run(context.Background(), Request{WorkDir: dir, Files: []string{"main.k"}})
	require.ErrorIs(t, err, ErrCrashed)
	res, err := o.Run(context.Background(), Request{WorkDir: dir, Files: []string{"main.k"}})
	require.NoError(t, err)
	require.Equal(t, "a: 1\n", res.Output)
}

func TestInstallErrorNamesTheFix(t *testing.T) {
	t.Setenv("KPM_KCL_ORACLE_VENV", filepath.Join(t.TempDir(), "venv"))
	t.Setenv("PATH", t.TempDir())
	t.Setenv("KPM_PYTHON", "")
	_, err := Install(context.Background())
	require.ErrorContains(t, err, "python3 not found on PATH")
	require.ErrorContains(t, err, "apt-get install -y python3 python3-venv python3-pip")
}
