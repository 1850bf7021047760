package lsp

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	protocol "github.com/tliron/glsp/protocol_3_16"
)

// warmCache writes a registry cache file as a previous session would have left it.
func warmCache(t testing.TB, home string, repos map[string][]string, catalog map[string][]string) {
	t.Helper()
	data := cacheData{Repos: map[string]*repoEntry{}, Catalogs: map[string]*catalogEntry{}}
	for repo, tags := range repos {
		data.Repos[repo] = &repoEntry{Tags: sortTagsNewestFirst(tags), Fetched: time.Now()}
	}
	for key, names := range catalog {
		data.Catalogs[key] = &catalogEntry{Names: names, Fetched: time.Now()}
	}
	b, err := json.Marshal(data)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(home, ".kpm"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(home, ".kpm", "lsp-cache.json"), b, 0o644))
}

// offlineServer starts a server on a fresh home with kpm.json pointing at example.test and a
// warm registry cache, in offline mode (no lookup may happen).
func offlineServer(t *testing.T) (*testClient, string, string) {
	home := t.TempDir()
	t.Setenv("KCL_PKG_PATH", home)
	t.Setenv("KPM_REG", "example.test")
	t.Setenv("KPM_REPO", "kcl")
	warmCache(t, home, map[string][]string{
		"example.test/kcl/k8s":        {"1.27", "1.28", "1.29", "latest"},
		"example.test/kcl/helloworld": {"0.1.0", "0.1.4", "0.2.0"},
		"other.test/team/app":         {"2.0.0", "2.1.0", "10.0.0"},
	}, map[string][]string{"example.test/kcl": {"helloworld", "k8s"}})
	c, _ := pipeServer(t, nil)
	work := t.TempDir()
	c.initialize(work, map[string]any{"textDocument": map[string]any{"completion": map[string]any{"completionItem": map[string]any{"snippetSupport": true}}}})
	c.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"kpm": map[string]any{"offline": true}}})
	require.Eventually(t, c.srvSettingsOffline, 20*time.Second, 10*time.Millisecond)
	return c, home, work
}

type completionList struct {
	IsIncomplete bool `json:"isIncomplete"`
	Items        []struct {
		Label      string `json:"label"`
		InsertText string `json:"insertText"`
		Detail     string `json:"detail"`
		TextEdit   *struct {
			NewText string `json:"newText"`
		} `json:"textEdit"`
	} `json:"items"`
}

func (l completionList) labels() []string {
	out := []string{}
	for _, it := range l.Items {
		out = append(out, it.Label)
	}
	return out
}

func TestModCompletion(t *testing.T) {
	c, _, work := offlineServer(t)
	tests := []struct {
		name   string
		text   string // | marks the cursor
		labels []string
		check  func(t *testing.T, l completionList)
	}{
		{name: "section names", text: "[|", labels: []string{"package", "dependencies", "profile"}},
		{name: "package keys", text: "[package]\nname = \"a\"\n|", labels: []string{"name", "edition", "version", "description", "include", "exclude"}},
		{name: "profile keys", text: "[profile]\n|", labels: []string{"entries", "disable_none", "sort_keys", "selectors", "overrides", "arguments"}},
		{
			name: "dependency names from the catalog", text: "[dependencies]\n|",
			labels: []string{"helloworld", "k8s", "oci dependency", "path dependency"},
			check: func(t *testing.T, l completionList) {
				assert.Equal(t, `helloworld = "0.2.0"`, l.Items[0].InsertText)
				assert.Equal(t, `k8s = "1.29"`, l.Items[1].InsertText)
				assert.Equal(t, `${1:name} = { oci = "oci://example.test/kcl/${1:name}", tag = "${2:0.1.0}" }`, l.Items[2].InsertText)
			},
		},
		{name: "registry tags newest first", text: "[dependencies]\nk8s = \"1.|\"\n", labels: []string{"1.29", "1.28", "1.27", "latest"}},
		{name: "tags without quotes", text: "[dependencies]\nhelloworld = |", labels: []string{"0.2.0", "0.1.4", "0.1.0"},
			check: func(t *testing.T, l completionList) { assert.Equal(t, `"0.2.0"`, l.Items[0].InsertText) }},
		{name: "oci tags in an inline table", text: "[dependencies]\napp = { oci = \"oci://other.test/team/app\", tag = \"|\" }\n", labels: []string{"10.0.0", "2.1.0", "2.0.0"}},
		{name: "oci tags in a dependency table", text: "[dependencies.app]\noci = \"oci://other.test/team/app\"\ntag = \"|\"\n", labels: []string{"10.0.0", "2.1.0", "2.0.0"}},
		{name: "oci url snippet", text: "[dependencies]\nhelloworld = { oci = \"|\" }\n", labels: []string{"oci://example.test/kcl/helloworld"}},
		{name: "inline table keys", text: "[dependencies]\nx = { |", labels: []string{"oci", "tag", "path", "git", "commit", "branch", "version", "package"}},
		{name: "edition values", text: "[package]\nedition = \"|\"", labels: []string{"v0.11.0", "*"}},
		{name: "unknown repository has no tags", text: "[dependencies]\nnope = \"|\"", labels: []string{}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := strings.Replace(tt.text, "|", "", 1)
			uri := c.open(filepath.Join(work, "p"+string(rune('a'+i)), "kcl.mod"), text)
			var l completionList
			c.mustCall("textDocument/completion", docParams(uri, positionOf(t, tt.text, "|", 0)), &l)
			assert.Equal(t, tt.labels, l.labels())
			if tt.check != nil {
				tt.check(t, l)
			}
		})
	}
}

func TestKpmJSONCompletionAndHover(t *testing.T) {
	c, _, work := offlineServer(t)
	path := filepath.Join(work, "kpm.json")
	text := "{\n  \"DefaultOciRegistry\": \"\",\n  \n}"
	uri := c.open(path, text)
	var l completionList
	c.mustCall("textDocument/completion", docParams(uri, lspPos{2, 2}), &l)
	assert.Equal(t, []string{"DefaultOciRepo", "DefaultOciPlainHttp", "RegistryTimeout"}, l.labels(), "keys not yet present")
	assert.Equal(t, `"DefaultOciRepo": ""`, l.Items[0].InsertText)
	c.mustCall("textDocument/completion", docParams(uri, lspPos{1, 25}), &l)
	assert.Equal(t, []string{"ghcr.io", "docker.io", "localhost:5001"}, l.labels())
	require.NotNil(t, l.Items[0].TextEdit)

	var h struct {
		Contents struct{ Value string } `json:"contents"`
		Range    lspRange               `json:"range"`
	}
	c.mustCall("textDocument/hover", docParams(uri, lspPos{1, 5}), &h)
	assert.Contains(t, h.Contents.Value, "**DefaultOciRegistry** (string)")
	assert.Contains(t, h.Contents.Value, "KPM_REG")
	assert.Equal(t, lspRange{Start: lspPos{1, 2}, End: lspPos{1, 22}}, h.Range)
}

func TestModHoverOnKeys(t *testing.T) {
	c, home, work := offlineServer(t)
	text := "[package]\nname = \"app\"\nversion = \"0.0.1\"\n\n[dependencies]\nhelloworld = \"0.1.4\"\napp = { oci = \"oci://other.test/team/app\", tag = \"2.0.0\" }\n"
	uri := c.open(filepath.Join(work, "kcl.mod"), text)
	tests := []struct {
		at   string
		want []string
	}{
		{at: "name =", want: []string{"**name**", "lowercase letters"}},
		{at: "version =", want: []string{"**version**", "OCI tag"}},
		{at: "[dependencies]", want: []string{"**[dependencies]**"}},
		{at: "helloworld", want: []string{"**helloworld**", "`example.test/kcl/helloworld:0.1.4`", "not downloaded (`" + filepath.Join(home, "helloworld_0.1.4") + "`)", "newest tag: 0.2.0"}},
		{at: "tag =", want: []string{"**tag**", "OCI tag"}},
		{at: "app =", want: []string{"`other.test/team/app:2.0.0`", "newest tag: 10.0.0"}},
	}
	for _, tt := range tests {
		t.Run(tt.at, func(t *testing.T) {
			h := c.hoverText(uri, positionOf(t, text, tt.at, 1))
			for _, w := range tt.want {
				assert.Contains(t, h, w)
			}
		})
	}
}

func TestOfflineDiagnosticsFromWarmCache(t *testing.T) {
	c, _, work := offlineServer(t)
	text := "[package]\nname = \"app\"\nversion = \"0.0.1\"\n\n[dependencies]\nhelloworld = \"0.1.4\"\nk8s = \"1.30\"\nwebapp = { oci = \"oci://other.test/team/app\", tag = \"2.1.0\" }\n"
	m := c.mark()
	uri := c.open(filepath.Join(work, "kcl.mod"), text)
	p := c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return hasCode(p, codeNewerTag) })
	type diag struct {
		code string
		sev  int
		line int
		msg  string
	}
	var got []diag
	for _, d := range p.Diagnostics {
		if d.Code == codeNotDownloaded || d.Code == codeLockOutOfDate {
			continue
		}
		got = append(got, diag{d.Code.(string), d.Severity, d.Range.Start.Line, d.Message})
	}
	assert.Equal(t, []diag{
		{codeNewerTag, 4, 5, "helloworld 0.2.0 is available (minor upgrade)"},
		{codeUnknownTag, 2, 6, "example.test/kcl/k8s has no tag 1.30; the newest is 1.29"},
		{codeNewerTag, 4, 7, "webapp 10.0.0 is available (major upgrade)"},
	}, got)
	assert.Equal(t, 2, countCode(p, codeNotDownloaded), "none for k8s 1.30, a tag the registry lacks")
	assert.Equal(t, 3, countCode(p, codeLockOutOfDate))

	// Quick fixes from the same cache: a tag the registry lacks, a newer tag.
	for _, tc := range []struct {
		line  int
		title string
		text  string
	}{
		{6, "Use k8s 1.29, the newest tag", `"1.29"`},
		{5, "Upgrade helloworld to 0.2.0 (minor)", `"0.2.0"`},
	} {
		var actions []struct {
			Title string `json:"title"`
			Edit  *struct {
				Changes map[string][]struct {
					NewText string `json:"newText"`
				} `json:"changes"`
			} `json:"edit"`
		}
		c.codeActions(uri, pointRange(lspPos{tc.line, 0}), &actions)
		var found bool
		for _, a := range actions {
			assert.NotEqual(t, "Download k8s 1.30", a.Title, "a tag the registry lacks cannot be downloaded")
			if a.Title == tc.title {
				found = true
				assert.Equal(t, tc.text, a.Edit.Changes[uri][0].NewText)
			}
		}
		assert.True(t, found, "%q in %+v", tc.title, actions)
	}
}

func TestDependencyNamesWithoutCatalog(t *testing.T) {
	home := t.TempDir()
	t.Setenv("KCL_PKG_PATH", home)
	t.Setenv("KPM_REG", "example.test")
	t.Setenv("KPM_REPO", "kcl")
	// No catalog (registries like ghcr.io do not list repositories): the names the cache
	// knows tags for under the default repository are offered.
	warmCache(t, home, map[string][]string{
		"example.test/kcl/k8s":     {"1.29"},
		"example.test/kcl/konfig":  {"0.1.0"},
		"example.test/other/nope":  {"1.0.0"},
		"example.test/kcl/sub/too": {"1.0.0"},
	}, map[string][]string{"example.test/kcl": nil})
	c, _ := pipeServer(t, nil)
	work := t.TempDir()
	c.initialize(work, nil)
	c.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"kpm": map[string]any{"offline": true}}})
	require.Eventually(t, c.srvSettingsOffline, 20*time.Second, 10*time.Millisecond)
	text := "[dependencies]\n"
	uri := c.open(filepath.Join(work, "kcl.mod"), text)
	var l completionList
	c.mustCall("textDocument/completion", docParams(uri, lspPos{1, 0}), &l)
	assert.Equal(t, []string{"k8s", "konfig", "oci dependency", "path dependency"}, l.labels())
}

func countCode(p publishedDiagnostics, code string) int {
	n := 0
	for _, d := range p.Diagnostics {
		if d.Code == code {
			n++
		}
	}
	return n
}

func TestUpgradeKind(t *testing.T) {
	tests := []struct{ from, to, want string }{
		{"0.1.0", "0.1.1", "patch"},
		{"0.1.0", "0.2.0", "minor"},
		{"0.1.0", "1.0.0", "major"},
		{"1.28", "1.29", "minor"},
		{"v1.2.3", "v1.2.4", "patch"},
		{"1.0.0-rc.1", "1.0.0", "patch"},
		{"weird", "1.0.0", "major"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, upgradeKind(tt.from, tt.to), "%s → %s", tt.from, tt.to)
	}
}

func TestPositionsUTF16(t *testing.T) {
	text := "a = \"é😀x\"\nb"
	d := newDocument("file:///x/kcl.mod", 1, text)
	tests := []struct {
		off  int
		line uint32
		char uint32
	}{
		{0, 0, 0},
		{5, 0, 5},             // before é
		{7, 0, 6},             // after é (2 bytes, 1 unit)
		{11, 0, 8},            // after 😀 (4 bytes, 2 units)
		{len(text) - 1, 1, 0}, // b
		{len(text), 1, 1},     // end
	}
	for _, tt := range tests {
		p := d.position(tt.off)
		assert.Equal(t, tt.line, uint32(p.Line), "line of %d", tt.off)
		assert.Equal(t, tt.char, uint32(p.Character), "char of %d", tt.off)
		assert.Equal(t, tt.off, d.offset(p), "round trip of %d", tt.off)
	}
}

func TestWatchedFilesRediagnose(t *testing.T) {
	home := t.TempDir()
	t.Setenv("KCL_PKG_PATH", home)
	t.Setenv("KPM_REG", "example.test")
	t.Setenv("KPM_REPO", "kcl")
	c, _ := pipeServer(t, nil)
	work := t.TempDir()
	c.initialize(work, map[string]any{"workspace": map[string]any{"didChangeWatchedFiles": map[string]any{"dynamicRegistration": true}}})
	require.Eventually(t, func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return len(c.registered) == 1 && strings.Contains(string(c.registered[0]), `"**/kcl.mod.lock"`)
	}, 20*time.Second, 10*time.Millisecond, "watchers registered")

	text := "[package]\nname = \"app\"\nversion = \"0.0.1\"\n\n[dependencies]\nlib = \"1.0.0\"\n"
	m := c.mark()
	uri := c.open(filepath.Join(work, "kcl.mod"), text)
	c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool {
		return hasCode(p, codeLockOutOfDate) && hasCode(p, codeNotDownloaded)
	})

	// The lock and the cache change on disk (a kpm run in a terminal): the watcher's event
	// re-diagnoses the open kcl.mod.
	writeFiles(t, work, map[string]string{"kcl.mod.lock": "[dependencies]\n  [dependencies.lib]\n    name = \"lib\"\n    full_name = \"lib_1.0.0\"\n    version = \"1.0.0\"\n    sum = \"x\"\n    reg = \"example.test\"\n    repo = \"kcl/lib\"\n    oci_tag = \"1.0.0\"\n"})
	writeFiles(t, home, map[string]string{"lib_1.0.0/kcl.mod": "[package]\nname = \"lib\"\nversion = \"1.0.0\"\n"})
	m = c.mark()
	c.notify("workspace/didChangeWatchedFiles", map[string]any{"changes": []any{map[string]any{"uri": pathToURI(filepath.Join(work, "kcl.mod.lock")), "type": 2}}})
	c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool {
		return !hasCode(p, codeLockOutOfDate) && !hasCode(p, codeNotDownloaded)
	})

	// A broken kpm.json makes the settings unloadable: said once, at the top of kcl.mod.
	writeFiles(t, home, map[string]string{".kpm/config/kpm.json": "{"})
	m = c.mark()
	c.notify("workspace/didChangeWatchedFiles", map[string]any{"changes": []any{map[string]any{"uri": pathToURI(filepath.Join(home, ".kpm", "config", "kpm.json")), "type": 2}}})
	p := c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return hasCode(p, "settings") })
	assert.Contains(t, diagByCode(p, "settings").Message, "kpm.json")

	// Fixed and saved from the editor: didSave of kpm.json re-diagnoses the other open files.
	kpmJSON := filepath.Join(home, ".kpm", "config", "kpm.json")
	fixed := `{"DefaultOciRegistry": "example.test", "DefaultOciRepo": "kcl"}`
	jsonURI := c.open(kpmJSON, "{")
	writeFiles(t, home, map[string]string{".kpm/config/kpm.json": fixed})
	c.notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": jsonURI, "version": 2},
		"contentChanges": []any{map[string]any{"text": fixed}},
	})
	m = c.mark()
	c.notify("textDocument/didSave", map[string]any{"textDocument": map[string]any{"uri": jsonURI}})
	c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return !hasCode(p, "settings") })
}

// FuzzDocumentPositions: LSP positions (UTF-16) and byte offsets convert both ways at every
// rune boundary, and any position (even out of range) maps into the text.
func FuzzDocumentPositions(f *testing.F) {
	f.Add("a = \"é😀x\"\nb", uint16(3), uint16(40))
	f.Add("", uint16(0), uint16(0))
	f.Add("\n\n\r\n😀", uint16(2), uint16(1))
	f.Fuzz(func(t *testing.T, text string, line, char uint16) {
		d := newDocument("file:///x/kcl.mod", 1, text)
		for off := range text { // rune boundaries
			p := d.position(off)
			if got := d.offset(p); got != off {
				t.Fatalf("offset(position(%d)) = %d in %q", off, got, text)
			}
		}
		off := d.offset(lspPosOf(line, char))
		if off < 0 || off > len(text) {
			t.Fatalf("offset %d out of [0, %d]", off, len(text))
		}
	})
}

func lspPosOf(line, char uint16) protocol.Position {
	return protocol.Position{Line: protocol.UInteger(line), Character: protocol.UInteger(char)}
}

func TestKpmJSONCodeActions(t *testing.T) {
	c, _, work := offlineServer(t)
	text := "{\n  \"defaultociregistry\": \"oci://ghcr.io/kcl-lang\"\n}"
	uri := c.open(filepath.Join(work, ".kpm", "config", "kpm.json"), text)
	var actions []struct {
		Title string `json:"title"`
		Edit  struct {
			Changes map[string][]struct {
				Range   lspRange `json:"range"`
				NewText string   `json:"newText"`
			} `json:"changes"`
		} `json:"edit"`
	}
	c.codeActions(uri, pointRange(lspPos{1, 4}), &actions)
	require.Len(t, actions, 1)
	assert.Equal(t, "Rename to DefaultOciRegistry", actions[0].Title)
	assert.Equal(t, `"DefaultOciRegistry"`, actions[0].Edit.Changes[uri][0].NewText)

	text = "{\n  \"DefaultOciRegistry\": \"oci://ghcr.io/kcl-lang\"\n}"
	c.notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": uri, "version": 2},
		"contentChanges": []any{map[string]any{"text": text}},
	})
	c.codeActions(uri, pointRange(lspPos{1, 30}), &actions)
	require.Len(t, actions, 1)
	assert.Equal(t, "Use ghcr.io", actions[0].Title)
	assert.Equal(t, lspRange{Start: lspPos{1, 24}, End: lspPos{1, 48}}, actions[0].Edit.Changes[uri][0].Range)
}
