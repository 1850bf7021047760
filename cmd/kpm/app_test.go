package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpm-dev/kpm/registry"
	"github.com/kpm-dev/kpm/workspace"
)

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		want     int
		stderrRE string
	}{
		{"help", []string{"--help"}, exitOK, ""},
		{"unknown command", []string{"bogus"}, exitUsage, `^kpm: unknown command "bogus" for "kpm"\n$`},
		{"unknown flag", []string{"init", "--bogus"}, exitUsage, `^kpm: unknown flag: --bogus\n$`},
		{"too many args", []string{"init", "a", "b"}, exitUsage, `^kpm: init: want at most 1 argument\(s\), got 2; usage: kpm init \[NAME\] \[flags\]\n$`},
		{"missing arg", []string{"logout"}, exitUsage, `^kpm: logout: want 1 argument\(s\), got 0`},
		{"bad argument", []string{"init", "Bad"}, exitUsage, `^kpm: init: invalid package name "Bad"`},
		{"operation error", []string{"run", "missing.k"}, exitError, `^kpm: run missing.k: no such file or directory\n$`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			t.Setenv("KCL_PKG_PATH", t.TempDir())
			var stdout, stderr bytes.Buffer
			got := run(tt.args, strings.NewReader(""), &stdout, &stderr)
			assert.Equal(t, tt.want, got, "stderr: %s", stderr.String())
			if tt.stderrRE != "" {
				assert.Regexp(t, tt.stderrRE, stderr.String())
			} else {
				assert.Empty(t, stderr.String())
			}
		})
	}
}

func TestRenderError(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"one line", usagef("first line\nsecond   line\n"), "first line second line"},
		{"interrupted", fmt.Errorf("pull x: %w", context.Canceled), "interrupted"},
		{"hint kept", &registry.Error{Kind: registry.ErrUnauthorized, Msg: "h:1/a/b:1: unauthorized; run 'kpm login h:1'"},
			"h:1/a/b:1: unauthorized; run 'kpm login h:1'"},
		{"hint added", &registry.Error{Kind: registry.ErrUnauthorized, Msg: "ghcr.io/a/b:1: denied"},
			"ghcr.io/a/b:1: denied; run 'kpm login ghcr.io'"},
		{"login failure has no hint", &registry.Error{Kind: registry.ErrUnauthorized, Msg: "login h:1: unauthorized: wrong username or password"},
			"login h:1: unauthorized: wrong username or password"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, renderError(tt.err), tt.name)
	}
}

func TestPrintErrorFindings(t *testing.T) {
	wd, err := os.Getwd()
	require.NoError(t, err)
	inWd := filepath.Join(wd, "app", "kcl.mod")
	at := func(file string, line, col int, msg string) workspace.Finding {
		return workspace.Finding{File: file, Severity: workspace.SeverityError, Message: msg,
			Range: workspace.Range{Start: workspace.Pos{Offset: 100 * line, Line: line, Col: col}, End: workspace.Pos{Offset: 100*line + 1, Line: line, Col: col + 1}}}
	}
	f := func(line, col int, msg string) workspace.Finding { return at(inWd, line, col, msg) }
	two := &workspace.FindingsError{Findings: []workspace.Finding{f(2, 8, "bad name"), f(4, 11, "bad version")}}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"one finding, one line, the path relative to the working directory", &workspace.FindingsError{Findings: []workspace.Finding{f(2, 8, "bad name")}},
			"kpm: app/kcl.mod:2:8: bad name\n"},
		{"outside the working directory: the absolute path", &workspace.FindingsError{Findings: []workspace.Finding{at("/elsewhere/kcl.mod", 2, 8, "bad name")}},
			"kpm: /elsewhere/kcl.mod:2:8: bad name\n"},
		{"every finding, then a summary", two,
			"app/kcl.mod:2:8: bad name\napp/kcl.mod:4:11: bad version\nkpm: app/kcl.mod: 2 errors\n"},
		{"warnings are listed with the error, in file order", &workspace.FindingsError{
			Findings: []workspace.Finding{f(4, 11, "bad version")},
			Warnings: []workspace.Finding{{File: inWd, Severity: workspace.SeverityWarning, Message: "unknown key",
				Range: workspace.Range{Start: workspace.Pos{Offset: 300, Line: 3, Col: 1}, End: workspace.Pos{Offset: 301, Line: 3, Col: 2}}}},
		}, "app/kcl.mod:3:1: warning: unknown key\napp/kcl.mod:4:11: bad version\nkpm: app/kcl.mod: 1 error\n"},
		{"the context of a wrapped error is kept", fmt.Errorf("dependency sub: %w", two),
			"app/kcl.mod:2:8: bad name\napp/kcl.mod:4:11: bad version\nkpm: dependency sub: app/kcl.mod: 2 errors\n"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		printError(&buf, tt.err)
		assert.Equal(t, tt.want, buf.String(), tt.name)
	}
}

func TestDisplayPlain(t *testing.T) {
	var buf bytes.Buffer
	d := newDisplay(&buf, false)
	d.Message("pulling app:0.1.0")
	tk := d.Start("download", 2048)
	tk.Add(1024)
	tk.Add(1024)
	tk.End()
	tk.End()
	assert.Equal(t, "pulling app:0.1.0\ndownload: 2.0 KiB\n", buf.String())
}

func TestDisplayTerminal(t *testing.T) {
	var buf bytes.Buffer
	d := newDisplay(&buf, true)
	tk := d.Start("upload", 100)
	tk.Add(50)
	d.Message("hello")
	tk.End()
	out := buf.String()
	assert.Contains(t, out, "upload [")
	assert.Contains(t, out, "\r\x1b[Khello\n")
	assert.True(t, strings.HasSuffix(out, "upload [===============>              ] 50 B/100 B\n"), "%q", out)
}

func TestSecretGuard(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "out")
	require.NoError(t, err)
	defer f.Close()
	g := &secretGuard{f: f}
	_, _ = g.Write([]byte("harmless 1234 text; s3cr"))
	assert.False(t, g.leaked)
	_, _ = g.Write([]byte("3t-Pa55 split across writes"))
	assert.True(t, g.leaked, "a secret split across two writes is caught")
}
