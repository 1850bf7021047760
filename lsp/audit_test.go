package lsp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

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

// TestDiagnosticsDoNotWaitForTheRegistry: with a registry that takes 3 s to list tags, the
// diagnostics of a freshly opened kcl.mod come at once (without registry data), a completion
// answers at once, and the diagnostics are published again when the tags arrive.
func TestDiagnosticsDoNotWaitForTheRegistry(t *testing.T) {
	e := newEnv(t)
	defer slowTags.Store(0)
	c, _ := pipeServer(t, nil)
	work := t.TempDir()
	c.initialize(work, nil)
	require.NoError(t, execCmd(c, "kpm.login", map[string]any{"registry": e.host, "username": "test", "password": testPassword}, nil))
	publish(t, c, "slow", "1.0.0", nil)
	publish(t, c, "slow", "2.0.0", nil)

	slowTags.Store(3000)
	e.reg.ResetRequests()
	text := "[package]\nname = \"app\"\nversion = \"0.0.1\"\n\n[dependencies]\nslow = \"1.0.0\"\n"
	m := c.mark()
	opened := time.Now()
	uri := c.open(filepath.Join(work, "kcl.mod"), text)
	first := c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return true })
	assert.Less(t, time.Since(opened), time.Second, "first diagnostics without waiting for the registry")
	assert.True(t, hasCode(first, codeNotDownloaded))
	assert.False(t, hasCode(first, codeNewerTag), "no registry data yet")

	start := time.Now()
	var l completionList
	c.mustCall("textDocument/completion", docParams(uri, positionOf(t, text, `"1.0.0"`, 1)), &l)
	assert.Less(t, time.Since(start), time.Second, "completion answers from the cache")
	assert.Empty(t, l.Items)

	p := c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return hasCode(p, codeNewerTag) })
	assert.Greater(t, time.Since(opened), 2*time.Second, "the hint came with the slow answer")
	assert.Equal(t, "slow 2.0.0 is available (major upgrade)", diagByCode(p, codeNewerTag).Message)
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
	hover := func() string {
		var h struct {
			Contents struct{ Value string } `json:"contents"`
		}
		c.mustCall("textDocument/hover", docParams(uri, positionOf(t, text, "later =", 1)), &h)
		return h.Contents.Value
	}
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
	want := utf16Pos(text, errs[0].Pos.Offset)

	m := c.mark()
	uri := c.open(filepath.Join(work, "main.k"), text)
	p := c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return hasCode(p, codeKCLSyntax) })
	d := diagByCode(p, codeKCLSyntax)
	assert.Equal(t, 1, d.Severity)
	assert.Equal(t, errs[0].Msg, d.Message)
	assert.Equal(t, want, d.Range.Start)
	assert.Equal(t, 1, want.Line)
	assert.Less(t, want.Character, errs[0].Pos.Offset-len("a = 1\n"), "UTF-16 units, not bytes")
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
	require.Eventually(t, func() bool { return status()["pkgPath"] == other }, 5*time.Second, 20*time.Millisecond)
	c.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"kpm": map[string]any{"pkgPath": ""}}})
	require.Eventually(t, func() bool { return status()["pkgPath"] == home }, 5*time.Second, 20*time.Millisecond)
}
