package lsp

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sourcegraph/jsonrpc2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpm-dev/kpm/internal/devregistry"
)

const testPassword = "s3cret-Pa55word"

// slowUploads, when set, delays every blob upload request by that many milliseconds: a
// fault injector in front of the real registry, used to make a push slow.
var slowUploads atomic.Int64

// slowTags, when set, delays every tag list request by that many milliseconds.
var slowTags atomic.Int64

// env is a fresh kpm home, a real registry with a user, and settings pointing at it.
type env struct {
	home string
	reg  *devregistry.Registry
	host string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	home := t.TempDir()
	t.Setenv("KCL_PKG_PATH", home)
	t.Setenv("HOME", t.TempDir())
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	t.Setenv("OCI_REG_PLAIN_HTTP", "")
	t.Setenv("KPM_NO_SUM", "")
	reg, err := devregistry.Start(devregistry.Options{
		Addr:  "127.0.0.1:0",
		Users: map[string]string{"test": testPassword},
		Dir:   t.TempDir(),
		Middleware: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				delay := time.Duration(0)
				if ms := slowUploads.Load(); ms > 0 && strings.Contains(r.URL.Path, "/blobs/uploads") && r.Method != http.MethodPost {
					delay = time.Duration(ms) * time.Millisecond
				}
				if ms := slowTags.Load(); ms > 0 && strings.HasSuffix(r.URL.Path, "/tags/list") {
					delay = time.Duration(ms) * time.Millisecond
				}
				if delay > 0 {
					select {
					case <-time.After(delay):
					case <-r.Context().Done():
						// The client gave up (a cancelled push): do not touch the storage
						// afterwards, it may be being removed by the test's cleanup.
						return
					}
				}
				next.ServeHTTP(w, r)
			})
		},
	})
	require.NoError(t, err)
	t.Cleanup(func() { reg.Close() })
	t.Setenv("KPM_REG", reg.Host())
	t.Setenv("KPM_REPO", "test")
	return &env{home: home, reg: reg, host: reg.Host()}
}

func execCmd(c *testClient, name string, arg any, result any) error {
	return c.call("workspace/executeCommand", map[string]any{"command": name, "arguments": []any{arg}}, result)
}

// publish creates package name at version in a temp dir (kpm.init) and pushes it (kpm.push).
func publish(t *testing.T, c *testClient, name, version string, files map[string]string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	var initRes map[string]any
	require.NoError(t, execCmd(c, "kpm.init", map[string]any{"path": dir, "name": name, "version": version}, &initRes))
	writeFiles(t, dir, files)
	var pushRes map[string]any
	require.NoError(t, execCmd(c, "kpm.push", map[string]any{"path": dir}, &pushRes))
	require.Contains(t, pushRes["digest"], "sha256:")
}

func TestRegistryWorkflow(t *testing.T) {
	e := newEnv(t)
	logFile := &syncBuffer{}
	c, _ := pipeServer(t, logFile)
	caps := map[string]any{"window": map[string]any{"workDoneProgress": true}}
	work := t.TempDir()
	c.initialize(work, caps)

	// Wrong password: a readable error, shown to the user, without the password.
	err := execCmd(c, "kpm.login", map[string]any{"registry": e.host, "username": "test", "password": "wrong-" + testPassword}, nil)
	var rerr *jsonrpc2.Error
	require.ErrorAs(t, err, &rerr)
	assert.EqualValues(t, codeRequestFailed, rerr.Code)
	assert.NotContains(t, rerr.Message, testPassword)

	var login map[string]any
	require.NoError(t, execCmd(c, "kpm.login", map[string]any{"registry": e.host, "username": "test", "password": testPassword}, &login))
	assert.Equal(t, "Login succeeded", login["message"])

	var status map[string]any
	require.NoError(t, execCmd(c, "kpm.status", map[string]any{}, &status))
	assert.Equal(t, e.host, status["defaultRegistry"])
	assert.Equal(t, "test", status["defaultRepo"])
	assert.Equal(t, true, status["loggedIn"])

	for _, v := range []string{"0.1.0", "0.1.1", "0.2.0"} {
		publish(t, c, "helloworld", v, map[string]string{"main.k": "hello = 'world " + v + "'\n"})
	}
	// Progress was reported with a token the server created.
	c.mu.Lock()
	created := len(c.created)
	c.mu.Unlock()
	assert.GreaterOrEqual(t, created, 3, "window/workDoneProgress/create per push")
	begins := 0
	for _, n := range c.notificationsOf("$/progress") {
		if strings.Contains(string(n.Params), `"kind":"begin"`) {
			begins++
		}
	}
	assert.GreaterOrEqual(t, begins, 3)

	var tags map[string][]string
	require.NoError(t, execCmd(c, "kpm.tags", map[string]any{"source": "helloworld"}, &tags))
	assert.Equal(t, []string{"0.2.0", "0.1.1", "0.1.0"}, tags["tags"])

	// A package depending on helloworld 0.1.0, not downloaded yet, no lock.
	pkg := filepath.Join(work, "app")
	require.NoError(t, execCmd(c, "kpm.init", map[string]any{"path": pkg, "name": "app"}, nil))
	modText := "[package]\nname = \"app\"\nedition = \"v0.11.0\"\nversion = \"0.0.1\"\n\n[dependencies]\nhelloworld = \"0.1.0\"\n"
	writeFiles(t, pkg, map[string]string{"kcl.mod": modText, "main.k": "import helloworld\nx = 1\n"})
	m := c.mark()
	modURI := c.open(filepath.Join(pkg, "kcl.mod"), modText)
	p := c.waitDiagnostics(m, modURI, func(p publishedDiagnostics) bool {
		return hasCode(p, codeNotDownloaded) && hasCode(p, codeNewerTag)
	})
	d := diagByCode(p, codeNotDownloaded)
	assert.Equal(t, 3, d.Severity)
	assert.Equal(t, lspRange{Start: lspPos{6, 0}, End: lspPos{6, 10}}, d.Range)
	assert.Contains(t, d.Message, "helloworld 0.1.0 has not been downloaded")
	newer := diagByCode(p, codeNewerTag)
	assert.Equal(t, 4, newer.Severity)
	assert.Contains(t, newer.Message, "0.2.0 is available (minor upgrade)")
	assert.True(t, hasCode(p, codeLockOutOfDate), "the empty lock does not list helloworld")

	// Tag completion: newest first, replacing the string's content.
	var list struct {
		Items []struct {
			Label    string `json:"label"`
			SortText string `json:"sortText"`
			TextEdit *struct {
				Range   lspRange `json:"range"`
				NewText string   `json:"newText"`
			} `json:"textEdit"`
		} `json:"items"`
	}
	c.mustCall("textDocument/completion", docParams(modURI, positionOf(t, modText, `"0.1.0"`, 2)), &list)
	require.Len(t, list.Items, 3)
	assert.Equal(t, "0.2.0", list.Items[0].Label)
	assert.Equal(t, "0.1.0", list.Items[2].Label)
	require.NotNil(t, list.Items[0].TextEdit)
	assert.Equal(t, lspRange{Start: lspPos{6, 14}, End: lspPos{6, 19}}, list.Items[0].TextEdit.Range)

	// Hover on the dependency: reference, digest, sum, description, size, created, cache.
	require.Eventually(t, func() bool {
		h := c.hoverText(modURI, positionOf(t, modText, "helloworld =", 3))
		return strings.Contains(h, "digest") && strings.Contains(h, "size")
	}, 10*time.Second, 50*time.Millisecond)
	hover := c.hoverText(modURI, positionOf(t, modText, "helloworld =", 3))
	assert.Contains(t, hover, "`"+e.host+"/test/helloworld:0.1.0`")
	assert.Contains(t, hover, "sha256:")
	assert.Contains(t, hover, "created")
	assert.Contains(t, hover, "not downloaded")

	// Code actions on the dependency line: download, update lock, upgrade, remove unused? (it is used).
	var actions []struct {
		Title   string `json:"title"`
		Command *struct {
			Command   string           `json:"command"`
			Arguments []map[string]any `json:"arguments"`
		} `json:"command"`
		Edit *struct {
			Changes map[string][]struct {
				Range   lspRange `json:"range"`
				NewText string   `json:"newText"`
			} `json:"changes"`
		} `json:"edit"`
	}
	c.codeActions(modURI, pointRange(lspPos{6, 0}), &actions)
	titles := []string{}
	for _, a := range actions {
		titles = append(titles, a.Title)
	}
	assert.Contains(t, titles, "Download helloworld 0.1.0")
	assert.Contains(t, titles, "Update lock file")
	assert.Contains(t, titles, "Upgrade helloworld to 0.2.0 (minor)")
	assert.NotContains(t, titles, "Remove unused dependency helloworld")
	for _, a := range actions {
		if a.Title == "Upgrade helloworld to 0.2.0 (minor)" {
			edits := a.Edit.Changes[modURI]
			require.Len(t, edits, 1)
			assert.Equal(t, `"0.2.0"`, edits[0].NewText)
			assert.Equal(t, lspRange{Start: lspPos{6, 13}, End: lspPos{6, 20}}, edits[0].Range)
		}
	}

	// Code lenses.
	var lenses []struct {
		Range   lspRange `json:"range"`
		Command struct {
			Title     string           `json:"title"`
			Command   string           `json:"command"`
			Arguments []map[string]any `json:"arguments"`
		} `json:"command"`
	}
	c.mustCall("textDocument/codeLens", map[string]any{"textDocument": map[string]any{"uri": modURI}}, &lenses)
	lensCmds := []string{}
	for _, l := range lenses {
		lensCmds = append(lensCmds, l.Command.Command)
	}
	assert.Equal(t, []string{"kpm.run", "kpm.push", "kpm.update", "kpm.checkUpdates"}, lensCmds)
	assert.Equal(t, pkg, lenses[0].Command.Arguments[0]["path"])

	// kpm.checkUpdates through the lens's arguments.
	var upd struct {
		Updates []tagUpdate `json:"updates"`
	}
	require.NoError(t, execCmd(c, "kpm.checkUpdates", lenses[3].Command.Arguments[0], &upd))
	assert.Equal(t, []tagUpdate{{Name: "helloworld", Current: "0.1.0", Latest: "0.2.0", Kind: "minor"}}, upd.Updates)

	// Download through the code action's command: the information diagnostic goes away.
	for _, a := range actions {
		if a.Command != nil && a.Command.Command == "kpm.pull" {
			m = c.mark()
			var pull map[string]any
			require.NoError(t, execCmd(c, a.Command.Command, a.Command.Arguments[0], &pull))
			assert.Equal(t, filepath.Join(e.home, "helloworld_0.1.0"), pull["path"])
			c.waitDiagnostics(m, modURI, func(p publishedDiagnostics) bool { return !hasCode(p, codeNotDownloaded) })
		}
	}

	// *.k: the import resolves to the cache; go-to-definition lands in its files.
	mainText := "import helloworld\nimport nothere\nimport math\nx = 1\n"
	m = c.mark()
	mainURI := c.open(filepath.Join(pkg, "main.k"), mainText)
	kp := c.waitDiagnostics(m, mainURI, func(p publishedDiagnostics) bool { return len(p.Diagnostics) > 0 })
	require.Len(t, kp.Diagnostics, 1, "%+v", kp.Diagnostics)
	assert.Equal(t, codeUnknownImport, kp.Diagnostics[0].Code)
	assert.Equal(t, lspRange{Start: lspPos{1, 7}, End: lspPos{1, 14}}, kp.Diagnostics[0].Range)
	assert.Equal(t, []string{pathToURI(filepath.Join(e.home, "helloworld_0.1.0", "main.k"))}, c.definition(mainURI, lspPos{0, 9}))
	// ... and from the dependency in kcl.mod to its kcl.mod in the cache.
	assert.Equal(t, []string{pathToURI(filepath.Join(e.home, "helloworld_0.1.0", "kcl.mod"))}, c.definition(modURI, positionOf(t, modText, "helloworld =", 2)))
	// Hover on imports: a dependency, the standard library, an unknown module.
	for _, tc := range []struct {
		pos  lspPos
		want string
	}{
		{lspPos{0, 9}, "`" + filepath.Join(e.home, "helloworld_0.1.0") + "`"},
		{lspPos{2, 8}, "**math**: KCL standard library module"},
		{lspPos{1, 9}, "**nothere**: not found"},
	} {
		h := c.hoverText(mainURI, tc.pos)
		assert.Contains(t, h, tc.want)
	}
	// "Add dependency nothere" on the unknown import.
	var kactions []struct {
		Title   string `json:"title"`
		Command struct {
			Command   string           `json:"command"`
			Arguments []map[string]any `json:"arguments"`
		} `json:"command"`
	}
	c.codeActions(mainURI, pointRange(lspPos{1, 8}), &kactions)
	require.NotEmpty(t, kactions)
	assert.Equal(t, "Add dependency nothere", kactions[0].Title)
	assert.Equal(t, "kpm.add", kactions[0].Command.Command)
	assert.Equal(t, map[string]any{"path": pkg, "source": "nothere"}, kactions[0].Command.Arguments[0])
	// Import completion lists the dependency and local modules.
	var klist struct {
		Items []struct{ Label string } `json:"items"`
	}
	writeFiles(t, pkg, map[string]string{"sub/a.k": "a = 1\n"})
	c.notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": mainURI, "version": 2},
		"contentChanges": []any{map[string]any{"text": "import \n"}},
	})
	c.mustCall("textDocument/completion", docParams(mainURI, lspPos{0, 7}), &klist)
	labels := []string{}
	for _, it := range klist.Items {
		labels = append(labels, it.Label)
	}
	assert.Contains(t, labels, "helloworld")
	assert.Contains(t, labels, "sub")
	assert.Contains(t, labels, "math")

	// Remove unused dependency once nothing imports it.
	require.NoError(t, os.WriteFile(filepath.Join(pkg, "main.k"), []byte("x = 1\n"), 0o644))
	c.notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": mainURI, "version": 3},
		"contentChanges": []any{map[string]any{"text": "x = 1\n"}},
	})
	c.codeActions(modURI, pointRange(lspPos{6, 0}), &actions)
	var removed bool
	for _, a := range actions {
		if a.Title == "Remove unused dependency helloworld" {
			removed = true
			edits := a.Edit.Changes[modURI]
			require.Len(t, edits, 1)
			assert.Equal(t, "", edits[0].NewText)
			assert.Equal(t, lspRange{Start: lspPos{6, 0}, End: lspPos{7, 0}}, edits[0].Range)
		}
	}
	assert.True(t, removed, "remove action offered: %v", actions)

	// Logout, then status says logged out.
	var logout map[string]any
	require.NoError(t, execCmd(c, "kpm.logout", map[string]any{"registry": e.host}, &logout))
	assert.Equal(t, "Logout succeeded", logout["message"])
	require.NoError(t, execCmd(c, "kpm.status", map[string]any{}, &status))
	assert.Equal(t, false, status["loggedIn"])

	c.shutdown()
	time.Sleep(100 * time.Millisecond)
	// The password never travelled back, nor reached the log, in any form.
	traffic := c.traffic.String()
	assert.Equal(t, 2, strings.Count(traffic, testPassword), "only the two login requests carry it")
	for _, n := range c.allNotifications() {
		assert.NotContains(t, string(n.Params), testPassword, n.Method)
	}
	assert.NotContains(t, logFile.String(), testPassword)
	assert.Contains(t, logFile.String(), "workspace/executeCommand")

	// The registry cache was persisted under KCL_PKG_PATH.
	b, err := os.ReadFile(filepath.Join(e.home, ".kpm", "lsp-cache.json"))
	require.NoError(t, err)
	assert.True(t, bytes.Contains(b, []byte(`"0.2.0"`)))
}

func hasCode(p publishedDiagnostics, code string) bool {
	for _, d := range p.Diagnostics {
		if d.Code == code {
			return true
		}
	}
	return false
}

func diagByCode(p publishedDiagnostics, code string) struct {
	Range    lspRange `json:"range"`
	Severity int      `json:"severity"`
	Code     any      `json:"code"`
	Message  string   `json:"message"`
	Data     any      `json:"data"`
} {
	for _, d := range p.Diagnostics {
		if d.Code == code {
			return d
		}
	}
	return p.Diagnostics[0]
}

// Ensure test JSON helpers compile against real values.
var _ = json.Marshal

func TestAddAndUpdateCommands(t *testing.T) {
	e := newEnv(t)
	c, _ := pipeServer(t, nil)
	work := t.TempDir()
	c.initialize(work, map[string]any{"window": map[string]any{"workDoneProgress": true}})
	require.NoError(t, execCmd(c, "kpm.login", map[string]any{"registry": e.host, "username": "test", "password": testPassword}, nil))
	publish(t, c, "lib", "1.0.0", map[string]string{"main.k": "v = 1\n"})
	publish(t, c, "lib", "1.1.0", map[string]string{"main.k": "v = 2\n"})

	pkg := filepath.Join(work, "app")
	require.NoError(t, execCmd(c, "kpm.init", map[string]any{"path": pkg, "name": "app"}, nil))
	writeFiles(t, pkg, map[string]string{"main.k": "import lib\nout = lib.v\n"})

	// The unknown import, then its "Add dependency lib" action's command.
	mainText := "import lib\nout = lib.v\n"
	m := c.mark()
	mainURI := c.open(filepath.Join(pkg, "main.k"), mainText)
	c.waitDiagnostics(m, mainURI, func(p publishedDiagnostics) bool { return hasCode(p, codeUnknownImport) })
	var actions []struct {
		Title   string `json:"title"`
		Command struct {
			Command   string           `json:"command"`
			Arguments []map[string]any `json:"arguments"`
		} `json:"command"`
	}
	c.codeActions(mainURI, pointRange(lspPos{0, 8}), &actions)
	require.NotEmpty(t, actions)
	m = c.mark()
	var added map[string]any
	require.NoError(t, execCmd(c, actions[0].Command.Command, actions[0].Command.Arguments[0], &added))
	assert.Equal(t, "lib", added["name"])
	assert.Equal(t, "1.1.0", added["version"])
	mod, err := os.ReadFile(filepath.Join(pkg, "kcl.mod"))
	require.NoError(t, err)
	assert.Contains(t, string(mod), `lib = "1.1.0"`)
	c.waitDiagnostics(m, mainURI, func(p publishedDiagnostics) bool { return len(p.Diagnostics) == 0 })

	var run map[string]any
	require.NoError(t, execCmd(c, "kpm.run", map[string]any{"path": pkg}, &run))
	assert.Equal(t, "out: 2\n", run["yaml"])

	// Pin the older version in the editor: the lock is out of date until kpm.update.
	modText := strings.Replace(string(mod), `lib = "1.1.0"`, `lib = "1.0.0"`, 1)
	require.NoError(t, os.WriteFile(filepath.Join(pkg, "kcl.mod"), []byte(modText), 0o644))
	m = c.mark()
	modURI := c.open(filepath.Join(pkg, "kcl.mod"), modText)
	p := c.waitDiagnostics(m, modURI, func(p publishedDiagnostics) bool { return hasCode(p, codeLockOutOfDate) })
	assert.Contains(t, diagByCode(p, codeLockOutOfDate).Message, "lib is 1.1.0 there, 1.0.0 here")
	m = c.mark()
	var upd map[string]any
	require.NoError(t, execCmd(c, "kpm.update", map[string]any{"path": pkg}, &upd))
	assert.Equal(t, true, upd["changed"])
	c.waitDiagnostics(m, modURI, func(p publishedDiagnostics) bool {
		return !hasCode(p, codeLockOutOfDate) && !hasCode(p, codeNotDownloaded)
	})
	require.NoError(t, execCmd(c, "kpm.update", map[string]any{"path": pkg}, &upd))
	assert.Equal(t, false, upd["changed"])

	// The dependency is removed from kcl.mod: its lock entry is stale until kpm.update.
	noDeps := strings.Replace(modText, `lib = "1.0.0"`+"\n", "", 1)
	require.NotEqual(t, modText, noDeps)
	require.NoError(t, os.WriteFile(filepath.Join(pkg, "kcl.mod"), []byte(noDeps), 0o644))
	m = c.mark()
	c.notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": modURI, "version": 2},
		"contentChanges": []any{map[string]any{"text": noDeps}},
	})
	p = c.waitDiagnostics(m, modURI, func(p publishedDiagnostics) bool { return hasCode(p, codeLockOutOfDate) })
	d := diagByCode(p, codeLockOutOfDate)
	assert.Equal(t, "kcl.mod.lock is out of date: nothing requires lib any more", d.Message)
	var fixes []struct {
		Title   string `json:"title"`
		Command struct {
			Command   string           `json:"command"`
			Arguments []map[string]any `json:"arguments"`
		} `json:"command"`
	}
	c.codeActions(modURI, d.Range, &fixes)
	require.NotEmpty(t, fixes)
	assert.Equal(t, "Update lock file", fixes[0].Title)
	m = c.mark()
	require.NoError(t, execCmd(c, fixes[0].Command.Command, fixes[0].Command.Arguments[0], &upd))
	assert.Equal(t, true, upd["changed"])
	c.waitDiagnostics(m, modURI, func(p publishedDiagnostics) bool { return !hasCode(p, codeLockOutOfDate) })
}

func TestOfflineStopsLookupsAndCatalogCompletion(t *testing.T) {
	e := newEnv(t)
	c, _ := pipeServer(t, nil)
	work := t.TempDir()
	// Offline from the start (initializationOptions).
	var res map[string]any
	c.mustCall("initialize", map[string]any{"rootUri": pathToURI(work), "capabilities": map[string]any{},
		"initializationOptions": map[string]any{"kpm": map[string]any{"offline": true}}}, &res)
	c.notify("initialized", map[string]any{})
	require.NoError(t, execCmd(c, "kpm.login", map[string]any{"registry": e.host, "username": "test", "password": testPassword}, nil))
	publish(t, c, "alpha", "1.0.0", nil)
	publish(t, c, "alpha", "1.2.0", nil)
	publish(t, c, "beta", "0.3.0", nil)
	e.reg.ResetRequests()

	text := "[package]\nname = \"app\"\nversion = \"0.0.1\"\n\n[dependencies]\nalpha = \"1.0.0\"\n"
	m := c.mark()
	uri := c.open(filepath.Join(work, "kcl.mod"), text)
	p := c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return hasCode(p, codeNotDownloaded) })
	assert.False(t, hasCode(p, codeNewerTag))
	var l completionList
	c.mustCall("textDocument/completion", docParams(uri, positionOf(t, text, `"1.0.0"`, 1)), &l)
	assert.Empty(t, l.Items)
	time.Sleep(300 * time.Millisecond)
	assert.Zero(t, e.reg.Requests(), "offline: no registry request at all (%v)", e.reg.RequestsByKind())

	// Online again: the background lookup fills the cache and the hint appears by itself.
	m = c.mark()
	c.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"kpm": map[string]any{"offline": false}}})
	p = c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return hasCode(p, codeNewerTag) })
	assert.Contains(t, diagByCode(p, codeNewerTag).Message, "alpha 1.2.0 is available (minor upgrade)")
	assert.Positive(t, e.reg.RequestsByKind()[devregistry.KindTags])

	// Dependency names come from the registry catalog of the default repository.
	depsPos := lspPos{Line: 6, Character: 0}
	require.Eventually(t, func() bool {
		var l completionList
		c.mustCall("textDocument/completion", docParams(uri, depsPos), &l)
		labels := strings.Join(l.labels(), ",")
		return strings.Contains(labels, "alpha") && strings.Contains(labels, "beta")
	}, 10*time.Second, 50*time.Millisecond)
	c.mustCall("textDocument/completion", docParams(uri, depsPos), &l)
	assert.Equal(t, []string{"alpha", "beta", "oci dependency", "path dependency"}, l.labels())
}

func TestRegistryCheckInterval(t *testing.T) {
	e := newEnv(t)
	// Publish with one server, then start fresh ones on a cache written two hours ago.
	c0, _ := pipeServer(t, nil)
	c0.initialize(t.TempDir(), nil)
	require.NoError(t, execCmd(c0, "kpm.login", map[string]any{"registry": e.host, "username": "test", "password": testPassword}, nil))
	publish(t, c0, "gamma", "1.0.0", nil)
	publish(t, c0, "gamma", "1.2.0", nil)
	c0.shutdown()

	old := cacheData{Repos: map[string]*repoEntry{e.host + "/test/gamma": {Tags: []string{"1.0.0"}, Fetched: time.Now().Add(-2 * time.Hour)}}}
	b, err := json.Marshal(old)
	require.NoError(t, err)
	text := "[package]\nname = \"app\"\nversion = \"0.0.1\"\n\n[dependencies]\ngamma = \"1.0.0\"\n"
	for _, tc := range []struct {
		interval   int
		wantLookup bool
	}{{interval: 24 * 3600, wantLookup: false}, {interval: 0, wantLookup: false}, {interval: 60, wantLookup: true}} {
		require.NoError(t, os.WriteFile(filepath.Join(e.home, ".kpm", "lsp-cache.json"), b, 0o644))
		e.reg.ResetRequests()
		c, _ := pipeServer(t, nil)
		work := t.TempDir()
		var res map[string]any
		c.mustCall("initialize", map[string]any{"rootUri": pathToURI(work), "capabilities": map[string]any{},
			"initializationOptions": map[string]any{"registryCheckInterval": tc.interval}}, &res)
		c.notify("initialized", map[string]any{})
		m := c.mark()
		uri := c.open(filepath.Join(work, "kcl.mod"), text)
		if tc.wantLookup {
			p := c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return hasCode(p, codeNewerTag) })
			assert.Contains(t, diagByCode(p, codeNewerTag).Message, "gamma 1.2.0 is available")
			assert.Positive(t, e.reg.RequestsByKind()[devregistry.KindTags])
		} else {
			p := c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return hasCode(p, codeNotDownloaded) })
			assert.False(t, hasCode(p, codeNewerTag), "the cached answer (1.0.0 only) is still fresh")
			time.Sleep(300 * time.Millisecond)
			assert.Zero(t, e.reg.RequestsByKind()[devregistry.KindTags])
		}
		c.shutdown()
	}
}
