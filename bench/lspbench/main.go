// Command lspbench measures `kpm lsp` over the protocol, on its stdio: server start to the
// initialize result, diagnostics after an edit and tag completion on a kcl.mod with 500
// dependencies and a warm cache, and the server's memory (RSS) idle and after the run.
//
//	go run ./bench/lspbench -kpm bin/kpm [-deps 500] [-n 300]
//
// The package home is a temporary directory holding, as a previous session leaves them, the
// registry cache (lsp-cache.json, 20 tags per dependency), the 500 cached packages and a
// matching kcl.mod.lock; the server runs with offline=true, so no network is involved.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	kpm := flag.String("kpm", "bin/kpm", "kpm binary")
	deps := flag.Int("deps", 500, "dependencies in kcl.mod")
	n := flag.Int("n", 300, "samples per measurement")
	starts := flag.Int("starts", 20, "server starts measured")
	large := flag.String("large", "", "instead: open .k documents of these sizes in MB (\"8,24,48\") and report the server's peak memory")
	flag.Parse()
	if *large != "" {
		var sizes []int
		for _, f := range strings.Split(*large, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n <= 0 {
				fmt.Fprintln(os.Stderr, "lspbench: -large: sizes in MB, separated by commas")
				os.Exit(2)
			}
			sizes = append(sizes, n)
		}
		must(largeDocuments(*kpm, sizes))
		return
	}
	if err := run(*kpm, *deps, *n, *starts); err != nil {
		fmt.Fprintln(os.Stderr, "lspbench:", err)
		os.Exit(1)
	}
}

// client is a minimal LSP client: Content-Length framing and one json.Unmarshal per message
// into raw fields, as an editor's native JSON parser would cost (jsonrpc2's client decodes
// every message into maps and re-encodes it, which would dominate the figures).
type client struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader

	wmu sync.Mutex

	mu      sync.Mutex
	nextID  int64
	pending map[int64]chan message
	diags   map[int32]chan struct{} // version → closed when published
}

type message struct {
	ID     *int64          `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func (c *client) write(v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if _, err := fmt.Fprintf(c.in, "Content-Length: %d\r\n\r\n", len(data)); err != nil {
		return err
	}
	_, err = c.in.Write(data)
	return err
}

func (c *client) read() (message, error) {
	var n int
	for {
		line, err := c.out.ReadString('\n')
		if err != nil {
			return message{}, err
		}
		line = strings.TrimSpace(line)
		if line == "" {
			break
		}
		if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
			n, _ = strconv.Atoi(v)
		}
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(c.out, buf); err != nil {
		return message{}, err
	}
	var m message
	err := json.Unmarshal(buf, &m)
	return m, err
}

func (c *client) loop() {
	for {
		m, err := c.read()
		if err != nil {
			return
		}
		switch {
		case m.Method == "textDocument/publishDiagnostics":
			var p struct {
				Version *int32 `json:"version"`
			}
			if json.Unmarshal(m.Params, &p) == nil && p.Version != nil {
				c.mu.Lock()
				if ch, ok := c.diags[*p.Version]; ok {
					close(ch)
					delete(c.diags, *p.Version)
				}
				c.mu.Unlock()
			}
		case m.Method != "" && m.ID != nil: // a request from the server
			var result any
			if m.Method == "workspace/configuration" {
				result = []any{map[string]any{"offline": true}}
			}
			_ = c.write(map[string]any{"jsonrpc": "2.0", "id": *m.ID, "result": result})
		case m.Method == "" && m.ID != nil:
			c.mu.Lock()
			ch := c.pending[*m.ID]
			delete(c.pending, *m.ID)
			c.mu.Unlock()
			if ch != nil {
				ch <- m
			}
		}
	}
}

func (c *client) call(method string, params, result any) error {
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	ch := make(chan message, 1)
	c.pending[id] = ch
	c.mu.Unlock()
	if err := c.write(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params}); err != nil {
		return err
	}
	select {
	case m := <-ch:
		if m.Error != nil {
			return fmt.Errorf("%s: %s", method, m.Error.Message)
		}
		if result != nil && len(m.Result) > 0 {
			return json.Unmarshal(m.Result, result)
		}
		return nil
	case <-time.After(60 * time.Second):
		return fmt.Errorf("%s: no answer", method)
	}
}

func (c *client) notify(method string, params any) error {
	return c.write(map[string]any{"jsonrpc": "2.0", "method": method, "params": params})
}

func (c *client) expect(version int32) chan struct{} {
	ch := make(chan struct{})
	c.mu.Lock()
	c.diags[version] = ch
	c.mu.Unlock()
	return ch
}

func start(kpm string, env []string) (*client, error) {
	cmd := exec.Command(kpm, "lsp")
	cmd.Env = env
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &client{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 1<<20), pending: map[int64]chan message{}, diags: map[int32]chan struct{}{}}
	go c.loop()
	return c, nil
}

// startInitialized starts `kpm lsp` and initializes it on root.
func startInitialized(kpm string, env []string, root string) (*client, error) {
	c, err := start(kpm, env)
	if err != nil {
		return nil, err
	}
	if err := c.initialize(root); err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

// openAndWait opens a document and returns how long its first diagnostics took.
func (c *client) openAndWait(uri, languageID, text string, timeout time.Duration) (time.Duration, error) {
	published := c.expect(1)
	t0 := time.Now()
	must(c.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": uri, "languageId": languageID, "version": 1, "text": text}}))
	select {
	case <-published:
		return time.Since(t0), nil
	case <-time.After(timeout):
		return 0, fmt.Errorf("%s: no diagnostics after didOpen", uri)
	}
}

func (c *client) initialize(root string) error {
	var res any
	err := c.call("initialize", map[string]any{
		"processId": os.Getpid(), "rootUri": "file://" + root,
		"capabilities":          map[string]any{"workspace": map[string]any{"configuration": true}},
		"initializationOptions": map[string]any{"offline": true},
	}, &res)
	if err != nil {
		return err
	}
	return c.notify("initialized", map[string]any{})
}

func (c *client) stop() {
	_ = c.call("shutdown", nil, nil)
	_ = c.notify("exit", nil)
	done := make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = c.cmd.Process.Kill()
	}
}

func rssKiB(pid int) int { return statusKiB(pid, "VmRSS:") }

// cpuTime is the user+system CPU time the process has used (from /proc/PID/stat).
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+2:]
	}
	f := strings.Fields(s)
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.Atoi(f[11])
	st, _ := strconv.Atoi(f[12])
	return time.Duration(ut+st) * (time.Second / 100) // USER_HZ = 100
}

func percentile(d []time.Duration, p float64) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(float64(len(s)-1) * p)
	return s[i]
}

// tempHomeAndWork makes a package home and a workspace directory, removed by cleanup.
func tempHomeAndWork() (home, work string, cleanup func(), err error) {
	if home, err = os.MkdirTemp("", "lspbench-home-"); err != nil {
		return "", "", nil, err
	}
	if work, err = os.MkdirTemp("", "lspbench-work-"); err != nil {
		os.RemoveAll(home)
		return "", "", nil, err
	}
	return home, work, func() { os.RemoveAll(home); os.RemoveAll(work) }, nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

func run(kpm string, ndeps, n, nstarts int) error {
	kpm, _ = filepath.Abs(kpm)
	home, work, cleanup, err := tempHomeAndWork()
	if err != nil {
		return err
	}
	defer cleanup()

	// Warm home: kpm.json, 500 cached packages with 20 tags each, lock file, registry cache.
	reg, repo := "registry.example", "kcl"
	must(os.MkdirAll(filepath.Join(home, ".kpm", "config"), 0o755))
	must(os.WriteFile(filepath.Join(home, ".kpm", "config", "kpm.json"), []byte(`{"DefaultOciRegistry":"`+reg+`","DefaultOciRepo":"`+repo+`"}`), 0o644))
	type entry struct {
		Tags    []string  `json:"tags"`
		Fetched time.Time `json:"fetched"`
	}
	cache := map[string]map[string]entry{"repos": {}}
	var mod, lock strings.Builder
	mod.WriteString("[package]\nname = \"bench\"\nedition = \"v0.11.0\"\nversion = \"0.0.1\"\n\n[dependencies]\n")
	lock.WriteString("[dependencies]\n")
	names := make([]string, ndeps)
	for i := range names {
		names[i] = fmt.Sprintf("pkg%03d", i)
	}
	sort.Strings(names)
	for _, name := range names {
		var tags []string
		for t := 19; t >= 0; t-- {
			tags = append(tags, fmt.Sprintf("1.%d.0", t))
		}
		cache["repos"][reg+"/"+repo+"/"+name] = entry{Tags: tags, Fetched: time.Now()}
		fmt.Fprintf(&mod, "%s = \"1.10.0\"\n", name)
		fmt.Fprintf(&lock, "  [dependencies.%s]\n    name = %q\n    full_name = \"%s_1.10.0\"\n    version = \"1.10.0\"\n    sum = \"x\"\n    reg = %q\n    repo = \"%s/%s\"\n    oci_tag = \"1.10.0\"\n", name, name, name, reg, repo, name)
		dir := filepath.Join(home, name+"_1.10.0")
		must(os.MkdirAll(dir, 0o755))
		must(os.WriteFile(filepath.Join(dir, "kcl.mod"), []byte("[package]\nname = \""+name+"\"\nversion = \"1.10.0\"\n"), 0o644))
	}
	b, _ := json.Marshal(cache)
	must(os.WriteFile(filepath.Join(home, ".kpm", "lsp-cache.json"), b, 0o644))
	pkg := filepath.Join(work, "bench")
	must(os.MkdirAll(pkg, 0o755))
	modText := mod.String()
	must(os.WriteFile(filepath.Join(pkg, "kcl.mod"), []byte(modText), 0o644))
	must(os.WriteFile(filepath.Join(pkg, "kcl.mod.lock"), []byte(lock.String()), 0o644))

	env := append(os.Environ(), "KCL_PKG_PATH="+home, "KPM_REG=", "KPM_REPO=")

	// Start to initialize result.
	var startTimes []time.Duration
	for i := 0; i < nstarts; i++ {
		t0 := time.Now()
		c, err := start(kpm, env)
		if err != nil {
			return err
		}
		if err := c.initialize(work); err != nil {
			return err
		}
		startTimes = append(startTimes, time.Since(t0))
		c.stop()
	}

	c, err := startInitialized(kpm, env, work)
	if err != nil {
		return err
	}
	defer c.stop()
	uri := "file://" + filepath.Join(pkg, "kcl.mod")
	openDiag, err := c.openAndWait(uri, "toml", modText, 30*time.Second)
	if err != nil {
		return err
	}
	time.Sleep(500 * time.Millisecond)
	rssIdle := rssKiB(c.cmd.Process.Pid)

	// Diagnostics after an edit: change one dependency's version (keeping the length).
	lines := strings.Split(modText, "\n")
	firstDep := 6
	var diagTimes []time.Duration
	cpu0 := cpuTime(c.cmd.Process.Pid)
	for i := 0; i < n; i++ {
		version := int32(i + 2)
		line := firstDep + i%ndeps
		minor := []string{"1.11.0", "1.10.0"}[i%2]
		ch := c.expect(version)
		col := strings.Index(lines[line], `"`) + 1
		t0 := time.Now()
		must(c.notify("textDocument/didChange", map[string]any{
			"textDocument": map[string]any{"uri": uri, "version": version},
			"contentChanges": []any{map[string]any{
				"range": map[string]any{"start": map[string]int{"line": line, "character": col}, "end": map[string]int{"line": line, "character": col + 6}},
				"text":  minor,
			}},
		}))
		select {
		case <-ch:
		case <-time.After(30 * time.Second):
			return fmt.Errorf("no diagnostics for version %d", version)
		}
		diagTimes = append(diagTimes, time.Since(t0))
	}

	diagCPU := (cpuTime(c.cmd.Process.Pid) - cpu0) / time.Duration(n)

	// Tag completion inside a dependency's version string.
	cpu0 = cpuTime(c.cmd.Process.Pid)
	var complTimes []time.Duration
	var items int
	for i := 0; i < n; i++ {
		line := firstDep + (i*7)%ndeps
		col := strings.Index(lines[line], `"`) + 2
		var res struct {
			Items []any `json:"items"`
		}
		t0 := time.Now()
		must(c.call("textDocument/completion", map[string]any{
			"textDocument": map[string]any{"uri": uri}, "position": map[string]int{"line": line, "character": col},
		}, &res))
		complTimes = append(complTimes, time.Since(t0))
		items = len(res.Items)
	}
	complCPU := (cpuTime(c.cmd.Process.Pid) - cpu0) / time.Duration(n)

	// Baseline: the protocol floor, a request the server answers without any work (hover in a
	// document that is not open), over the same stdio in the same run.
	var floor []time.Duration
	for i := 0; i < n; i++ {
		var res any
		t0 := time.Now()
		must(c.call("textDocument/hover", map[string]any{
			"textDocument": map[string]any{"uri": "file:///not/open/kcl.mod"}, "position": map[string]int{"line": 0, "character": 0},
		}, &res))
		floor = append(floor, time.Since(t0))
	}
	rssAfter := rssKiB(c.cmd.Process.Pid)
	load, _ := os.ReadFile("/proc/loadavg")

	fmt.Printf("kcl.mod with %d dependencies, warm cache (20 tags each), offline; %d samples each\n\n", ndeps, n)
	fmt.Printf("| measurement | p50 | p90 | p99 | server CPU per op | target |\n|---|---|---|---|---|---|\n")
	row := func(name string, d []time.Duration, cpu, target string) {
		fmt.Printf("| %s | %s | %s | %s | %s | %s |\n", name, ms(percentile(d, 0.5)), ms(percentile(d, 0.9)), ms(percentile(d, 0.99)), cpu, target)
	}
	row(fmt.Sprintf("server start → initialize result (%d starts)", nstarts), startTimes, "", "< 50 ms")
	row("diagnostics after an edit (didChange → publishDiagnostics)", diagTimes, ms(diagCPU), "p99 < 20 ms")
	row(fmt.Sprintf("tag completion (%d items)", items), complTimes, ms(complCPU), "p99 < 10 ms")
	row("baseline: empty request round trip", floor, "", "")
	ratio := func(a, b time.Duration) string { return fmt.Sprintf("%.1f", float64(a)/float64(b)) }
	fmt.Printf("\nratio to the baseline (p50 / p99): diagnostics %s / %s, completion %s / %s\n",
		ratio(percentile(diagTimes, 0.5), percentile(floor, 0.5)), ratio(percentile(diagTimes, 0.99), percentile(floor, 0.99)),
		ratio(percentile(complTimes, 0.5), percentile(floor, 0.5)), ratio(percentile(complTimes, 0.99), percentile(floor, 0.99)))
	fmt.Printf("\nfirst diagnostics after didOpen: %s; RSS idle (file open): %.1f MiB; RSS after the run: %.1f MiB; load average during the run: %s\n",
		ms(openDiag), float64(rssIdle)/1024, float64(rssAfter)/1024, strings.Join(strings.Fields(string(load))[:3], " "))
	return nil
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "lspbench:", err)
		os.Exit(1)
	}
}
