package lsp

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/sourcegraph/jsonrpc2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpm-dev/kpm/internal/devregistry"
	"github.com/kpm-dev/kpm/kcl/syntax"
	"github.com/kpm-dev/kpm/workspace"
)

// TestWarmStartAfterRestart: a real `kpm lsp` learns the registry's tags, exits; a second
// `kpm lsp`, offline, starts from the cache it left under KCL_PKG_PATH: the newer-tag hint and
// the tag completion are there without a single registry request.
func TestWarmStartAfterRestart(t *testing.T) {
	e := newEnv(t)
	c1, cmd1, _ := stdioServer(t, filepath.Join(t.TempDir(), "lsp1.log"))
	c1.initialize(t.TempDir(), map[string]any{"window": map[string]any{"workDoneProgress": true}})
	require.NoError(t, execCmd(c1, "kpm.login", map[string]any{"registry": e.host, "username": "test", "password": testPassword}, nil))
	publish(t, c1, "warm", "1.0.0", nil)
	publish(t, c1, "warm", "1.1.0", nil)
	var tags map[string][]string
	require.NoError(t, execCmd(c1, "kpm.tags", map[string]any{"source": "warm"}, &tags))
	require.Equal(t, []string{"1.1.0", "1.0.0"}, tags["tags"])
	c1.shutdown()
	require.NoError(t, cmd1.Wait())
	_, err := os.Stat(filepath.Join(e.home, ".kpm", "lsp-cache.json"))
	require.NoError(t, err, "the first server saved its cache on exit")

	e.reg.ResetRequests()
	c2, cmd2, _ := stdioServer(t, filepath.Join(t.TempDir(), "lsp2.log"))
	work := t.TempDir()
	var res map[string]any
	c2.mustCall("initialize", map[string]any{"rootUri": pathToURI(work), "capabilities": map[string]any{},
		"initializationOptions": map[string]any{"kpm": map[string]any{"offline": true}}}, &res)
	c2.notify("initialized", map[string]any{})
	text := "[package]\nname = \"app\"\nversion = \"0.0.1\"\n\n[dependencies]\nwarm = \"1.0.0\"\n"
	m := c2.mark()
	uri := c2.open(filepath.Join(work, "kcl.mod"), text)
	p := c2.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return hasCode(p, codeNewerTag) })
	assert.Equal(t, "warm 1.1.0 is available (minor upgrade)", diagByCode(p, codeNewerTag).Message)
	var l completionList
	c2.mustCall("textDocument/completion", docParams(uri, positionOf(t, text, `"1.0.0"`, 1)), &l)
	assert.Equal(t, []string{"1.1.0", "1.0.0"}, l.labels())
	time.Sleep(300 * time.Millisecond)
	assert.Zero(t, e.reg.Requests(), "warm and offline: no registry request (%v)", e.reg.RequestsByKind())
	c2.shutdown()
	require.NoError(t, cmd2.Wait())
}

// TestDiagnosticsDoNotWaitForTheRegistry: with a registry that takes 5 s to list tags, the
// diagnostics of a freshly opened kcl.mod come at once (without registry data), a completion
// answers at once, and the diagnostics are published again when the tags arrive.
func TestDiagnosticsDoNotWaitForTheRegistry(t *testing.T) {
	e, c, work := slowTagsServer(t, "slow", []string{"1.0.0", "2.0.0"}, 5000)
	text := "[package]\nname = \"app\"\nversion = \"0.0.1\"\n\n[dependencies]\nslow = \"1.0.0\"\n"
	m := c.mark()
	opened := time.Now()
	uri := c.open(filepath.Join(work, "kcl.mod"), text)
	first := c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return true })
	// Bounds far from the registry's 5 s, so a loaded 2-core machine does not blur them.
	assert.Less(t, time.Since(opened), 2500*time.Millisecond, "first diagnostics without waiting for the registry")
	assert.True(t, hasCode(first, codeNotDownloaded))
	assert.False(t, hasCode(first, codeNewerTag), "no registry data yet")

	start := time.Now()
	var l completionList
	c.mustCall("textDocument/completion", docParams(uri, positionOf(t, text, `"1.0.0"`, 1)), &l)
	assert.Less(t, time.Since(start), 2500*time.Millisecond, "completion answers from the cache")
	assert.Empty(t, l.Items)
	assert.True(t, l.IsIncomplete, "the lookup is running: the client must ask again")

	p := c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return hasCode(p, codeNewerTag) })
	assert.Greater(t, time.Since(opened), 4*time.Second, "the hint came with the slow answer")
	assert.Equal(t, "slow 2.0.0 is available (major upgrade)", diagByCode(p, codeNewerTag).Message)
	l = completionList{}
	c.mustCall("textDocument/completion", docParams(uri, positionOf(t, text, `"1.0.0"`, 1)), &l)
	assert.Equal(t, []string{"2.0.0", "1.0.0"}, l.labels())
	assert.False(t, l.IsIncomplete)
	assert.Positive(t, e.reg.RequestsByKind()[devregistry.KindTags])
}

// TestHoverManifestAfterTagIsPushed: hovering a dependency whose tag is not in the registry
// yet remembers the failed lookup; once the tag is pushed and the tags are listed again, the
// hover shows the manifest's digest and size.
func TestHoverManifestAfterTagIsPushed(t *testing.T) {
	e := newEnv(t)
	c, _ := pipeServer(t, nil)
	work := t.TempDir()
	c.initialize(work, nil)
	require.NoError(t, execCmd(c, "kpm.login", map[string]any{"registry": e.host, "username": "test", "password": testPassword}, nil))
	publish(t, c, "later", "0.1.0", nil)

	text := "[package]\nname = \"app\"\nversion = \"0.0.1\"\n\n[dependencies]\nlater = \"0.2.0\"\n"
	uri := c.open(filepath.Join(work, "kcl.mod"), text)
	hover := func() string { return c.hoverText(uri, positionOf(t, text, "later =", 1)) }
	e.reg.ResetRequests()
	assert.NotContains(t, hover(), "digest")
	require.Eventually(t, func() bool { return e.reg.RequestsByKind()[devregistry.KindManifest] > 0 }, 10*time.Second, 20*time.Millisecond)
	time.Sleep(300 * time.Millisecond) // the failed lookup is stored
	assert.NotContains(t, hover(), "digest")

	publish(t, c, "later", "0.2.0", nil)
	var tags map[string][]string
	require.NoError(t, execCmd(c, "kpm.tags", map[string]any{"source": "later"}, &tags))
	require.Equal(t, []string{"0.2.0", "0.1.0"}, tags["tags"])
	require.Eventually(t, func() bool {
		h := hover()
		return strings.Contains(h, "digest: `sha256:") && strings.Contains(h, "size:")
	}, 10*time.Second, 50*time.Millisecond, "hover after the tag was pushed: %s", hover())
}

// TestKCLSyntaxDiagnosticUTF16: a syntax error after non-ASCII text on the same line is
// reported at the parser's position converted to UTF-16 code units.
func TestKCLSyntaxDiagnosticUTF16(t *testing.T) {
	t.Setenv("KCL_PKG_PATH", t.TempDir())
	c, _ := pipeServer(t, nil)
	work := t.TempDir()
	c.initialize(work, nil)
	writeFiles(t, work, map[string]string{"kcl.mod": "[package]\nname = \"app\"\nversion = \"0.0.1\"\n"})
	text := "a = 1\ns = \"é😀\" + + )\n"
	_, errs := syntax.ParseFile("main.k", []byte(text))
	require.NotEmpty(t, errs)
	want := utf16Pos(text, int(errs[0].Pos.Offset))

	m := c.mark()
	uri := c.open(filepath.Join(work, "main.k"), text)
	p := c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return hasCode(p, codeKCLSyntax) })
	d := diagByCode(p, codeKCLSyntax)
	assert.Equal(t, 1, d.Severity)
	assert.Equal(t, errs[0].Msg, d.Message)
	assert.Equal(t, want, d.Range.Start)
	assert.Equal(t, 1, want.Line)
	assert.Less(t, want.Character, int(errs[0].Pos.Offset)-len("a = 1\n"), "UTF-16 units, not bytes")
}

// utf16Pos is the LSP position of a byte offset, computed independently of the server.
func utf16Pos(text string, off int) lspPos {
	line := strings.Count(text[:off], "\n")
	start := strings.LastIndex(text[:off], "\n") + 1
	return lspPos{Line: line, Character: len(utf16.Encode([]rune(text[start:off])))}
}

// TestKpmJSONDiagnostics: every kind of kpm.json finding, with its severity and exact range.
func TestKpmJSONDiagnostics(t *testing.T) {
	t.Setenv("KCL_PKG_PATH", t.TempDir())
	c, _ := pipeServer(t, nil)
	work := t.TempDir()
	c.initialize(work, nil)
	tests := []struct {
		name, text, code, at string
		sev                  int
	}{
		{name: "syntax", text: `{"DefaultOciRegistry": "ghcr.io",}`, code: workspace.CodeJSONSyntax, sev: 1},
		{name: "unknown key", text: `{"DefaultOciRegistri": "ghcr.io"}`, code: workspace.CodeUnknownKey, at: `"DefaultOciRegistri"`, sev: 2},
		{name: "wrong type", text: `{"DefaultOciPlainHttp": "yes"}`, code: workspace.CodeWrongType, at: `"yes"`, sev: 1},
		{name: "malformed host", text: `{"DefaultOciRegistry": "ghcr.io:99999"}`, code: workspace.CodeInvalidRegistry, at: `"ghcr.io:99999"`, sev: 1},
		{name: "plain http remote", text: `{"DefaultOciRegistry": "ghcr.io", "DefaultOciPlainHttp": true}`, code: workspace.CodePlainHTTPRemote, at: `true`, sev: 2},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := c.mark()
			uri := c.open(filepath.Join(work, string(rune('a'+i)), "kpm.json"), tt.text)
			p := c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return len(p.Diagnostics) > 0 })
			require.Len(t, p.Diagnostics, 1, "%+v", p.Diagnostics)
			d := p.Diagnostics[0]
			assert.Equal(t, tt.code, d.Code)
			assert.Equal(t, tt.sev, d.Severity)
			if tt.at != "" {
				assert.Equal(t, lspRange{Start: positionOf(t, tt.text, tt.at, 0), End: positionOf(t, tt.text, tt.at, len(tt.at))}, d.Range)
			}
		})
	}
	// A local registry over plain HTTP is fine.
	m := c.mark()
	uri := c.open(filepath.Join(work, "ok", "kpm.json"), `{"DefaultOciRegistry": "localhost:5001", "DefaultOciPlainHttp": true}`)
	c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return len(p.Diagnostics) == 0 })
}

// TestPkgPathSettingCleared: clearing the pkgPath setting goes back to the KCL_PKG_PATH the
// server started with.
func TestPkgPathSettingCleared(t *testing.T) {
	home := t.TempDir()
	t.Setenv("KCL_PKG_PATH", home)
	c, _ := pipeServer(t, nil)
	c.initialize(t.TempDir(), nil)
	other := t.TempDir()
	status := func() map[string]any {
		var st map[string]any
		require.NoError(t, execCmd(c, "kpm.status", map[string]any{}, &st))
		return st
	}
	c.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"kpm": map[string]any{"pkgPath": other}}})
	require.Eventually(t, func() bool { return status()["pkgPath"] == other }, 20*time.Second, 20*time.Millisecond)
	c.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"kpm": map[string]any{"pkgPath": ""}}})
	require.Eventually(t, func() bool { return status()["pkgPath"] == home }, 20*time.Second, 20*time.Millisecond)
}

type codeActionResult struct {
	Title   string `json:"title"`
	Command *struct {
		Command   string           `json:"command"`
		Arguments []map[string]any `json:"arguments"`
	} `json:"command"`
	Edit *struct {
		Changes map[string][]textEdit `json:"changes"`
	} `json:"edit"`
}

type textEdit struct {
	Range   lspRange `json:"range"`
	NewText string   `json:"newText"`
}

func codeActionsAt(t *testing.T, c *testClient, uri string, line int) map[string]codeActionResult {
	t.Helper()
	var actions []codeActionResult
	c.codeActions(uri, pointRange(lspPos{line, 0}), &actions)
	out := map[string]codeActionResult{}
	for _, a := range actions {
		out[a.Title] = a
	}
	return out
}

// applyEdits applies LSP text edits (ASCII text) the way an editor does, last first.
func applyEdits(t *testing.T, text string, edits []textEdit) string {
	t.Helper()
	d := newDocument("file:///x", 1, text)
	for i := len(edits) - 1; i >= 0; i-- {
		e := edits[i]
		start := d.offset(lspPosOf(uint16(e.Range.Start.Line), uint16(e.Range.Start.Character)))
		end := d.offset(lspPosOf(uint16(e.Range.End.Line), uint16(e.Range.End.Character)))
		text = text[:start] + e.NewText + text[end:]
	}
	return text
}

// TestCodeActionsApplied executes each kcl.mod quick fix as an editor would (apply the edit,
// save, run the command) and checks the file and the diagnostics that follow; the hover of a
// downloaded, locked dependency shows everything the issue lists.
func TestCodeActionsApplied(t *testing.T) {
	e := newEnv(t)
	c, _ := pipeServer(t, nil)
	work := t.TempDir()
	c.initialize(work, map[string]any{"window": map[string]any{"workDoneProgress": true}})
	require.NoError(t, execCmd(c, "kpm.login", map[string]any{"registry": e.host, "username": "test", "password": testPassword}, nil))
	libMod := func(v string) string {
		return "[package]\nname = \"lib\"\nedition = \"v0.11.0\"\nversion = \"" + v + "\"\ndescription = \"A shared library\"\n"
	}
	publish(t, c, "lib", "1.0.0", map[string]string{"kcl.mod": libMod("1.0.0"), "main.k": "v = 1\n"})
	publish(t, c, "lib", "1.1.0", map[string]string{"kcl.mod": libMod("1.1.0"), "main.k": "v = 2\n"})
	publish(t, c, "other", "0.1.0", map[string]string{"main.k": "o = 1\n"})

	pkg := filepath.Join(work, "app")
	require.NoError(t, execCmd(c, "kpm.init", map[string]any{"path": pkg, "name": "app"}, nil))
	require.NoError(t, execCmd(c, "kpm.add", map[string]any{"path": pkg, "source": "lib:1.0.0"}, nil))
	require.NoError(t, execCmd(c, "kpm.add", map[string]any{"path": pkg, "source": "oci://" + e.host + "/test/other", "tag": "0.1.0"}, nil))
	writeFiles(t, pkg, map[string]string{"main.k": "import lib\nx = lib.v\n"})
	var tags map[string][]string
	require.NoError(t, execCmd(c, "kpm.tags", map[string]any{"source": "lib"}, &tags))
	modPath := filepath.Join(pkg, "kcl.mod")
	b, err := os.ReadFile(modPath)
	require.NoError(t, err)
	text := string(b)
	require.Contains(t, text, `lib = "1.0.0"`)
	// The default registry and repository: upstream writes the short form.
	require.Contains(t, text, `other = "0.1.0"`)
	m := c.mark()
	uri := c.open(modPath, text)
	c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return hasCode(p, codeNewerTag) && !hasCode(p, codeLockOutOfDate) })

	// Hover: reference, digest, sum (from the lock), description, size, created, cache path.
	require.Eventually(t, func() bool {
		v := c.hoverText(uri, positionOf(t, text, "lib =", 1))
		return strings.Contains(v, "reference: `"+e.host+"/test/lib:1.0.0`") && strings.Contains(v, "digest: `sha256:") &&
			strings.Contains(v, "sum: `") && strings.Contains(v, "description: A shared library") &&
			strings.Contains(v, "size: ") && strings.Contains(v, "created: ") &&
			strings.Contains(v, "cache: `"+filepath.Join(e.home, "lib_1.0.0")+"`")
	}, 10*time.Second, 50*time.Millisecond)

	line := positionOf(t, text, "lib =", 0).Line
	// 1. Upgrade (minor): the edit, saved, makes the lock out of date and the new tag missing;
	//    the "Update lock file" action's command fixes both.
	acts := codeActionsAt(t, c, uri, line)
	up, ok := acts["Upgrade lib to 1.1.0 (minor)"]
	require.True(t, ok, "%v", acts)
	text = applyEdits(t, text, up.Edit.Changes[uri])
	assert.Contains(t, text, `lib = "1.1.0"`)
	require.NoError(t, os.WriteFile(modPath, []byte(text), 0o644))
	m = c.mark()
	c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": 2}, "contentChanges": []any{map[string]any{"text": text}}})
	c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool {
		return p.Version != nil && *p.Version == 2 && hasCode(p, codeLockOutOfDate) && hasCode(p, codeNotDownloaded) && !hasCode(p, codeNewerTag)
	})
	acts = codeActionsAt(t, c, uri, line)
	upd, ok := acts["Update lock file"]
	require.True(t, ok, "%v", acts)
	require.NotNil(t, upd.Command)
	m = c.mark()
	require.NoError(t, execCmd(c, upd.Command.Command, upd.Command.Arguments[0], nil))
	c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool {
		return !hasCode(p, codeLockOutOfDate) && !hasCode(p, codeNotDownloaded)
	})
	lock, err := os.ReadFile(filepath.Join(pkg, "kcl.mod.lock"))
	require.NoError(t, err)
	assert.Contains(t, string(lock), `oci_tag = "1.1.0"`)

	// 2. Remove unused dependency (nothing imports "other"; "lib" is imported, so no action).
	assert.NotContains(t, codeActionsAt(t, c, uri, line), "Remove unused dependency lib")
	otherLine := positionOf(t, text, "other =", 0).Line
	acts = codeActionsAt(t, c, uri, otherLine)
	rm, ok := acts["Remove unused dependency other"]
	require.True(t, ok, "%v", acts)
	text = applyEdits(t, text, rm.Edit.Changes[uri])
	assert.NotContains(t, text, "other")
	assert.Contains(t, text, `lib = "1.1.0"`+"\n")
	mf, findings := workspace.ParseModFile("kcl.mod", []byte(text))
	assert.Empty(t, workspace.Errors(findings))
	assert.Len(t, mf.Dependencies, 1)
	require.NoError(t, os.WriteFile(modPath, []byte(text), 0o644))
	m = c.mark()
	c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": 3}, "contentChanges": []any{map[string]any{"text": text}}})
	p := c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return p.Version != nil && *p.Version == 3 })
	assert.Equal(t, "kcl.mod.lock is out of date: nothing requires other any more", diagByCode(p, codeLockOutOfDate).Message)

	// 3. Download: a dependency in the [dependencies.name] table form, not in the cache.
	require.NoError(t, os.RemoveAll(filepath.Join(e.home, "other_0.1.0")))
	text += "\n[dependencies.other]\noci = \"oci://" + e.host + "/test/other\"\ntag = \"0.1.0\"\n"
	m = c.mark()
	c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": 4}, "contentChanges": []any{map[string]any{"text": text}}})
	c.notify("workspace/didChangeWatchedFiles", map[string]any{"changes": []any{map[string]any{"uri": pathToURI(filepath.Join(e.home, "other_0.1.0")), "type": 3}}})
	c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool {
		return p.Version != nil && *p.Version == 4 && hasCode(p, codeNotDownloaded)
	})
	acts = codeActionsAt(t, c, uri, positionOf(t, text, "[dependencies.other]", 0).Line)
	dl, ok := acts["Download other 0.1.0"]
	require.True(t, ok, "%v", acts)
	m = c.mark()
	require.NoError(t, execCmd(c, dl.Command.Command, dl.Command.Arguments[0], nil))
	c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return !hasCode(p, codeNotDownloaded) })
	assert.DirExists(t, filepath.Join(e.home, "other_0.1.0"))
	// ... and removing the table form takes the whole table.
	acts = codeActionsAt(t, c, uri, positionOf(t, text, "[dependencies.other]", 0).Line)
	rm, ok = acts["Remove unused dependency other"]
	require.True(t, ok, "%v", acts)
	after := applyEdits(t, text, rm.Edit.Changes[uri])
	assert.NotContains(t, after, "other")
	_, findings = workspace.ParseModFile("kcl.mod", []byte(after))
	assert.Empty(t, workspace.Errors(findings))
}

type progressValue struct {
	Kind        string `json:"kind"`
	Title       string `json:"title"`
	Message     string `json:"message"`
	Percentage  *int   `json:"percentage"`
	Cancellable *bool  `json:"cancellable"`
}

// progressOf returns the $/progress values sent for token (a JSON-encoded token), in order.
func progressOf(c *testClient, token string) []progressValue {
	var out []progressValue
	for _, n := range c.notificationsOf("$/progress") {
		var p struct {
			Token json.RawMessage `json:"token"`
			Value progressValue   `json:"value"`
		}
		if json.Unmarshal(n.Params, &p) == nil && string(p.Token) == token {
			out = append(out, p.Value)
		}
	}
	return out
}

// checkProgress: begin (cancellable, with a title), reports whose percentages never go down
// and reach 100, end with "done".
func checkProgress(t *testing.T, vals []progressValue) {
	t.Helper()
	require.GreaterOrEqual(t, len(vals), 3, "%+v", vals)
	assert.Equal(t, "begin", vals[0].Kind)
	assert.NotEmpty(t, vals[0].Title)
	require.NotNil(t, vals[0].Cancellable)
	assert.True(t, *vals[0].Cancellable)
	last := -1
	for _, v := range vals[1 : len(vals)-1] {
		assert.Equal(t, "report", v.Kind)
		if v.Percentage != nil {
			assert.GreaterOrEqual(t, *v.Percentage, last, "percentages never go down: %+v", vals)
			last = *v.Percentage
		}
	}
	assert.Equal(t, 100, last, "the reports reach 100%%: %+v", vals)
	assert.Equal(t, "end", vals[len(vals)-1].Kind)
	assert.Equal(t, "done", vals[len(vals)-1].Message)
}

// TestProgressKinds: a push reports $/progress on the client's workDoneToken; without one, on
// a token the server creates with window/workDoneProgress/create; with neither capability nor
// token, with window/showMessage only.
func TestProgressKinds(t *testing.T) {
	e := newEnv(t)
	pkgFor := func(c *testClient, name string) string {
		dir := filepath.Join(t.TempDir(), name)
		require.NoError(t, execCmd(c, "kpm.init", map[string]any{"path": dir, "name": name}, nil))
		writeFiles(t, dir, map[string]string{"data.k": "d = '" + strings.Repeat("x", 200000) + "'\n"})
		return dir
	}
	login := func(c *testClient) {
		require.NoError(t, execCmd(c, "kpm.login", map[string]any{"registry": e.host, "username": "test", "password": testPassword}, nil))
	}

	t.Run("client token", func(t *testing.T) {
		c, _ := pipeServer(t, nil)
		c.initialize(t.TempDir(), map[string]any{"window": map[string]any{"workDoneProgress": true}})
		login(c)
		dir := pkgFor(c, "progress-a")
		c.mu.Lock()
		c.created = nil
		c.mu.Unlock()
		var res map[string]any
		require.NoError(t, c.call("workspace/executeCommand", map[string]any{
			"command": "kpm.push", "arguments": []any{map[string]any{"path": dir}}, "workDoneToken": "tok-a",
		}, &res))
		checkProgress(t, progressOf(c, `"tok-a"`))
		c.mu.Lock()
		created := len(c.created)
		c.mu.Unlock()
		assert.Zero(t, created, "no token created when the client gave one")
	})
	t.Run("server-created token", func(t *testing.T) {
		c, _ := pipeServer(t, nil)
		c.initialize(t.TempDir(), map[string]any{"window": map[string]any{"workDoneProgress": true}})
		login(c)
		dir := pkgFor(c, "progress-b")
		c.mu.Lock()
		c.created = nil
		c.mu.Unlock()
		require.NoError(t, execCmd(c, "kpm.push", map[string]any{"path": dir}, nil))
		c.mu.Lock()
		created := append([]string(nil), c.created...)
		c.mu.Unlock()
		require.Len(t, created, 1)
		checkProgress(t, progressOf(c, created[0]))
	})
	t.Run("showMessage fallback", func(t *testing.T) {
		c, _ := pipeServer(t, nil)
		c.initialize(t.TempDir(), map[string]any{})
		login(c)
		dir := pkgFor(c, "progress-c")
		m := c.mark()
		require.NoError(t, execCmd(c, "kpm.push", map[string]any{"path": dir}, nil))
		var shown []string
		for _, n := range c.allNotifications()[m:] {
			switch n.Method {
			case "$/progress":
				t.Errorf("$/progress without a token: %s", n.Params)
			case "window/showMessage":
				var p struct{ Message string }
				require.NoError(t, json.Unmarshal(n.Params, &p))
				shown = append(shown, p.Message)
			}
		}
		assert.Equal(t, []string{"kpm: pushing progress-c…", "kpm: pushing progress-c: done"}, shown)
		c.mu.Lock()
		assert.Empty(t, c.created)
		c.mu.Unlock()
	})
}

// TestUnsavedKclModRefused: kpm.update and kpm.add work on kcl.mod on disk; while the editor
// holds unsaved changes to it they refuse with a message that says to save, and run once saved.
func TestUnsavedKclModRefused(t *testing.T) {
	t.Setenv("KCL_PKG_PATH", t.TempDir())
	c, _ := pipeServer(t, nil)
	work := t.TempDir()
	c.initialize(work, nil)
	lib := filepath.Join(work, "lib")
	pkg := filepath.Join(work, "app")
	require.NoError(t, execCmd(c, "kpm.init", map[string]any{"path": lib, "name": "lib"}, nil))
	require.NoError(t, execCmd(c, "kpm.init", map[string]any{"path": pkg, "name": "app"}, nil))
	modPath := filepath.Join(pkg, "kcl.mod")
	b, err := os.ReadFile(modPath)
	require.NoError(t, err)
	uri := c.open(modPath, string(b))
	edited := string(b) + "\n[dependencies]\nlib = { path = \"../lib\" }\n"
	c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": 2}, "contentChanges": []any{map[string]any{"text": edited}}})
	for _, tc := range []struct {
		cmd string
		arg map[string]any
	}{
		{"kpm.update", map[string]any{"path": pkg}},
		{"kpm.add", map[string]any{"path": pkg, "source": lib}},
	} {
		err := execCmd(c, tc.cmd, tc.arg, nil)
		var rerr *jsonrpc2.Error
		require.ErrorAs(t, err, &rerr, tc.cmd)
		assert.Equal(t, tc.cmd+": "+modPath+" has unsaved changes in the editor; save it, then try again", rerr.Message)
	}
	require.NoError(t, os.WriteFile(modPath, []byte(edited), 0o644))
	c.notify("textDocument/didSave", map[string]any{"textDocument": map[string]any{"uri": uri}})
	var upd map[string]any
	require.NoError(t, execCmd(c, "kpm.update", map[string]any{"path": pkg}, &upd))
	lock, err := os.ReadFile(filepath.Join(pkg, "kcl.mod.lock"))
	require.NoError(t, err)
	assert.Contains(t, string(lock), "lib")
}

// TestKCLImportsOfAPathDependency: import completion below a dependency, go-to-definition into
// its sub-module, and "Add dependency" for an unknown import offering both spellings.
func TestKCLImportsOfAPathDependency(t *testing.T) {
	t.Setenv("KCL_PKG_PATH", t.TempDir())
	c, _ := pipeServer(t, nil)
	work := t.TempDir()
	c.initialize(work, nil)
	writeFiles(t, work, map[string]string{
		"lib/kcl.mod":       "[package]\nname = \"lib\"\nversion = \"0.1.0\"\n",
		"lib/main.k":        "v = 1\n",
		"lib/models/app.k":  "schema App:\n    name: str\n",
		"lib/models/db.k":   "schema DB:\n    url: str\n",
		"lib/util.k":        "u = 1\n",
		"app/kcl.mod":       "[package]\nname = \"app\"\nversion = \"0.0.1\"\n\n[dependencies]\nlib = { path = \"../lib\" }\n",
		"app/kcl.mod.lock":  "",
		"app/local/thing.k": "t = 1\n",
	})
	text := "import lib.models\nimport local.thing\nimport my_dep\nx = 1\n"
	m := c.mark()
	uri := c.open(filepath.Join(work, "app", "main.k"), text)
	p := c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return len(p.Diagnostics) > 0 })
	require.Len(t, p.Diagnostics, 1, "%+v", p.Diagnostics)
	assert.Equal(t, codeUnknownImport, p.Diagnostics[0].Code)
	assert.Equal(t, lspRange{Start: lspPos{2, 7}, End: lspPos{2, 13}}, p.Diagnostics[0].Range)

	// go to definition: the module's files
	assert.ElementsMatch(t, []string{pathToURI(filepath.Join(work, "lib", "models", "app.k")), pathToURI(filepath.Join(work, "lib", "models", "db.k"))}, c.definition(uri, lspPos{0, 12}))
	assert.Equal(t, []string{pathToURI(filepath.Join(work, "app", "local", "thing.k"))}, c.definition(uri, lspPos{1, 10}))

	// completion below the dependency and below a local directory
	for _, tc := range []struct {
		line string
		want []string
	}{
		{"import lib.", []string{"main", "models", "util"}},
		{"import lib.models.", []string{"app", "db"}},
		{"import local.", []string{"thing"}},
	} {
		next := tc.line + "\n"
		c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": 2}, "contentChanges": []any{map[string]any{"text": next}}})
		var l completionList
		c.mustCall("textDocument/completion", docParams(uri, lspPos{0, len(tc.line)}), &l)
		assert.ElementsMatch(t, tc.want, l.labels(), tc.line)
	}

	// "Add dependency" for my_dep: the import name and the package name with a dash.
	c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": 3}, "contentChanges": []any{map[string]any{"text": text}}})
	var actions []codeActionResult
	c.codeActions(uri, pointRange(lspPos{2, 9}), &actions)
	titles := []string{}
	for _, a := range actions {
		titles = append(titles, a.Title)
		require.NotNil(t, a.Command)
		assert.Equal(t, "kpm.add", a.Command.Command)
		assert.Equal(t, filepath.Join(work, "app"), a.Command.Arguments[0]["path"])
	}
	assert.Equal(t, []string{"Add dependency my_dep", "Add dependency my-dep"}, titles)
}

// TestShortPasswordScrubbedOnlyDuringLogin: a short password ("test", also the repository
// name here) never appears in what the login sends back or logs, and does not blank out the
// word in later messages.
func TestShortPasswordScrubbedOnlyDuringLogin(t *testing.T) {
	e := newEnv(t)
	logw := &syncBuffer{}
	c, _ := pipeServer(t, logw)
	c.initialize(t.TempDir(), map[string]any{})
	err := execCmd(c, "kpm.login", map[string]any{"registry": e.host, "username": "test", "password": "test"}, nil)
	var rerr *jsonrpc2.Error
	require.ErrorAs(t, err, &rerr)
	assert.Contains(t, rerr.Message, "unauthorized")
	assert.NotContains(t, rerr.Message, "test")

	err = execCmd(c, "kpm.pull", map[string]any{"source": "nothing:1.0.0"}, nil)
	require.ErrorAs(t, err, &rerr)
	assert.Contains(t, rerr.Message, e.host+"/test/nothing:1.0.0", "the repository name is intact")
	assert.NotContains(t, rerr.Message, "***")
}

// TestSlowClientAnswersDoNotBlockTheServer: while the client takes its time answering
// window/workDoneProgress/create and workspace/configuration, the server keeps answering other
// requests (it never waits on the client from the goroutine that reads messages).
func TestSlowClientAnswersDoNotBlockTheServer(t *testing.T) {
	t.Setenv("KCL_PKG_PATH", t.TempDir())
	c, _ := pipeServer(t, nil)
	release := make(chan struct{})
	c.onCreate = func(json.RawMessage) { <-release }
	work := t.TempDir()
	c.initialize(work, map[string]any{"window": map[string]any{"workDoneProgress": true}, "workspace": map[string]any{"configuration": true}})
	text := "[package]\nname = \"app\"\nversion = \"0.0.1\"\n"
	writeFiles(t, work, map[string]string{"app/kcl.mod": text, "app/main.k": "a = 1\n"})
	uri := c.open(filepath.Join(work, "app", "kcl.mod"), text)

	done := make(chan error, 1)
	go func() {
		var res map[string]any
		done <- execCmd(c, "kpm.run", map[string]any{"path": filepath.Join(work, "app")}, &res)
	}()
	require.Eventually(t, func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return len(c.created) == 1
	}, 20*time.Second, 10*time.Millisecond, "the server asked for a progress token")
	for i := 0; i < 5; i++ {
		start := time.Now()
		var l completionList
		c.mustCall("textDocument/completion", docParams(uri, lspPos{3, 0}), &l)
		// Well under the server's 5 s wait for the create answer: had the reading goroutine
		// waited on it, the completion would come only after that.
		assert.Less(t, time.Since(start), 2*time.Second)
		assert.Contains(t, l.labels(), "description")
	}
	select {
	case err := <-done:
		t.Fatalf("kpm.run finished (%v) before its progress token was granted", err)
	default:
	}
	close(release)
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("kpm.run did not finish after the token was granted")
	}
}

// TestCommandContract runs every workspace command with the argument forms of the contract in
// docs/lsp.md and checks the result's keys and their JSON types.
func TestCommandContract(t *testing.T) {
	e := newEnv(t)
	c, _ := pipeServer(t, nil)
	work := t.TempDir()
	c.initialize(work, map[string]any{"window": map[string]any{"workDoneProgress": true}})
	type want map[string]string // key → JSON type: string, bool, number, array, object
	check := func(t *testing.T, res map[string]any, w want) {
		t.Helper()
		for k, typ := range w {
			v, ok := res[k]
			require.True(t, ok, "result lacks %q: %v", k, res)
			got := "null"
			switch v.(type) {
			case string:
				got = "string"
			case bool:
				got = "bool"
			case float64:
				got = "number"
			case []any:
				got = "array"
			case map[string]any:
				got = "object"
			}
			assert.Equal(t, typ, got, "%s = %v", k, v)
		}
	}
	run := func(t *testing.T, cmd string, arg map[string]any, w want) map[string]any {
		t.Helper()
		var res map[string]any
		require.NoError(t, execCmd(c, cmd, arg, &res), cmd)
		check(t, res, w)
		return res
	}
	pkg := filepath.Join(work, "contract")
	lib := filepath.Join(work, "lib")
	steps := []struct {
		name string
		f    func(t *testing.T)
	}{
		{"kpm.status", func(t *testing.T) {
			run(t, "kpm.status", map[string]any{}, want{"defaultRegistry": "string", "defaultRepo": "string", "loggedIn": "bool", "pkgPath": "string", "offline": "bool"})
		}},
		{"kpm.login", func(t *testing.T) {
			res := run(t, "kpm.login", map[string]any{"registry": e.host, "username": "test", "password": testPassword}, want{"registry": "string", "message": "string"})
			assert.Equal(t, "Login succeeded", res["message"])
		}},
		{"kpm.init with name and version", func(t *testing.T) {
			res := run(t, "kpm.init", map[string]any{"path": pkg, "name": "contract", "version": "0.3.0"}, want{"path": "string", "name": "string", "version": "string", "files": "array"})
			assert.Equal(t, "0.3.0", res["version"])
			run(t, "kpm.init", map[string]any{"path": lib, "name": "lib", "version": "1.2.0"}, want{"path": "string"})
			writeFiles(t, pkg, map[string]string{"main.k": "env = option(\"env\")\n"})
		}},
		{"kpm.push with an explicit source", func(t *testing.T) {
			res := run(t, "kpm.push", map[string]any{"path": lib, "source": "oci://" + e.host + "/test/custom-lib"}, want{"reference": "string", "digest": "string", "name": "string", "version": "string"})
			assert.Contains(t, res["reference"], e.host+"/test/custom-lib:1.2.0")
			run(t, "kpm.push", map[string]any{"path": lib, "source": "oci://" + e.host + "/test/custom-lib", "force": true}, want{"digest": "string"})
		}},
		{"kpm.tags", func(t *testing.T) {
			res := run(t, "kpm.tags", map[string]any{"source": "oci://" + e.host + "/test/custom-lib"}, want{"tags": "array"})
			assert.Equal(t, []any{"1.2.0"}, res["tags"])
		}},
		{"kpm.pull with tag, with ?tag=", func(t *testing.T) {
			run(t, "kpm.pull", map[string]any{"source": "oci://" + e.host + "/test/custom-lib", "tag": "1.2.0"}, want{"reference": "string", "digest": "string", "name": "string", "version": "string", "path": "string"})
			run(t, "kpm.pull", map[string]any{"source": "oci://" + e.host + "/test/custom-lib?tag=1.2.0"}, want{"path": "string"})
		}},
		{"kpm.add with rename", func(t *testing.T) {
			res := run(t, "kpm.add", map[string]any{"path": pkg, "source": "oci://" + e.host + "/test/custom-lib", "tag": "1.2.0", "rename": "mylib"}, want{"name": "string", "version": "string", "reference": "string", "path": "string", "messages": "array"})
			assert.Equal(t, "mylib", res["name"])
		}},
		{"kpm.update", func(t *testing.T) {
			run(t, "kpm.update", map[string]any{"path": pkg}, want{"changed": "bool", "messages": "array", "downloaded": "array", "dependencies": "number"})
		}},
		{"kpm.checkUpdates", func(t *testing.T) {
			res := run(t, "kpm.checkUpdates", map[string]any{"path": pkg}, want{"updates": "array"})
			assert.Empty(t, res["updates"])
		}},
		{"kpm.run with options", func(t *testing.T) {
			res := run(t, "kpm.run", map[string]any{"path": pkg, "options": map[string]string{"env": "prod"}}, want{"yaml": "string"})
			assert.Equal(t, "env: prod\n", res["yaml"])
		}},
		{"kpm.logout", func(t *testing.T) {
			res := run(t, "kpm.logout", map[string]any{"registry": e.host}, want{"registry": "string", "message": "string"})
			assert.Equal(t, "Logout succeeded", res["message"])
		}},
	}
	for _, st := range steps {
		t.Run(st.name, st.f)
	}
}

// TestCancelledLookupIsNotRemembered: a tag lookup still running when the editor quits is not
// stored as a failure in the persistent cache; the next server looks the tags up again.
func TestCancelledLookupIsNotRemembered(t *testing.T) {
	e, c, work := slowTagsServer(t, "quit", []string{"1.0.0", "1.1.0"}, 3000)
	text := "[package]\nname = \"app\"\nversion = \"0.0.1\"\n\n[dependencies]\nquit = \"1.0.0\"\n"
	c.open(filepath.Join(work, "kcl.mod"), text)
	require.Eventually(t, func() bool { return e.reg.RequestsByKind()[devregistry.KindTags] > 0 }, 20*time.Second, 10*time.Millisecond, "the lookup started")
	c.shutdown() // the editor quits while the registry has not answered
	time.Sleep(500 * time.Millisecond)
	if data, err := os.ReadFile(filepath.Join(e.home, ".kpm", "lsp-cache.json")); err == nil {
		assert.NotContains(t, string(data), "context canceled")
		assert.NotContains(t, string(data), `"error"`)
	}

	slowTags.Store(0)
	c2, _ := pipeServer(t, nil)
	c2.initialize(work, nil)
	m := c2.mark()
	uri := c2.open(filepath.Join(work, "kcl.mod"), text)
	p := c2.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return hasCode(p, codeNewerTag) })
	assert.Equal(t, "quit 1.1.0 is available (minor upgrade)", diagByCode(p, codeNewerTag).Message)
}

// slowTagsServer starts a server logged in to a fresh registry holding repo at the given tags,
// whose tag listings then take delayMS (until the test ends); the registry's request counts start
// from zero.
func slowTagsServer(t *testing.T, repo string, tags []string, delayMS int64) (*env, *testClient, string) {
	t.Helper()
	e := newEnv(t)
	t.Cleanup(func() { slowTags.Store(0) })
	c, _ := pipeServer(t, nil)
	work := t.TempDir()
	c.initialize(work, nil)
	require.NoError(t, execCmd(c, "kpm.login", map[string]any{"registry": e.host, "username": "test", "password": testPassword}, nil))
	for _, tag := range tags {
		publish(t, c, repo, tag, nil)
	}
	slowTags.Store(delayMS)
	e.reg.ResetRequests()
	return e, c, work
}
