package lsp

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkDiagnosticsAfterEdit: an in-process server over a pipe, a kcl.mod with 500
// dependencies and a warm cache; one op is an incremental didChange of one version until the
// publishDiagnostics of that document version arrives (bench/lspbench measures the same over
// the built binary's stdio).
func BenchmarkDiagnosticsAfterEdit(b *testing.B) {
	home := b.TempDir()
	b.Setenv("KCL_PKG_PATH", home)
	b.Setenv("KPM_REG", "r.example")
	b.Setenv("KPM_REPO", "kcl")
	repos := map[string][]string{}
	var mod, lock strings.Builder
	mod.WriteString("[package]\nname = \"bench\"\nversion = \"0.0.1\"\n\n[dependencies]\n")
	lock.WriteString("[dependencies]\n")
	for i := 0; i < 500; i++ {
		name := fmt.Sprintf("pkg%03d", i)
		var tags []string
		for t := 0; t < 20; t++ {
			tags = append(tags, fmt.Sprintf("1.%d.0", t))
		}
		repos["r.example/kcl/"+name] = tags
		fmt.Fprintf(&mod, "%s = \"1.10.0\"\n", name)
		fmt.Fprintf(&lock, "  [dependencies.%s]\n    name = %q\n    full_name = \"%s_1.10.0\"\n    version = \"1.10.0\"\n    sum = \"x\"\n    reg = \"r.example\"\n    repo = \"kcl/%s\"\n    oci_tag = \"1.10.0\"\n", name, name, name, name)
		os.MkdirAll(filepath.Join(home, name+"_1.10.0"), 0o755)
	}
	warmCache(b, home, repos, nil)
	pkg := b.TempDir()
	os.WriteFile(filepath.Join(pkg, "kcl.mod.lock"), []byte(lock.String()), 0o644)
	c, _ := pipeServer(b, nil)
	c.initialize(pkg, nil)
	m := c.mark()
	uri := c.open(filepath.Join(pkg, "kcl.mod"), mod.String())
	c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return true })
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v := i + 2
		line := 5 + i%500
		m := c.mark()
		c.notify("textDocument/didChange", map[string]any{
			"textDocument":   map[string]any{"uri": uri, "version": v},
			"contentChanges": []any{map[string]any{"range": lspRange{Start: lspPos{line, 10}, End: lspPos{line, 16}}, "text": []string{"1.11.0", "1.10.0"}[i%2]}},
		})
		_, ok := c.waitFor(m, 10*time.Second, func(n notification) bool {
			return n.Method == "textDocument/publishDiagnostics" && strings.Contains(string(n.Params), fmt.Sprintf(`"version":%d}`, v))
		})
		if !ok {
			b.Fatalf("no diagnostics for version %d", v)
		}
	}
}
