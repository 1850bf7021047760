package lsp

import (
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kpm-dev/kpm/internal/k8sgen"
	"github.com/kpm-dev/kpm/kcl/syntax"
)

// The KCL benchmarks run against the default k8sgen package (a Kubernetes-shaped dependency
// of thousands of schemas) downloaded in the package cache, over the real protocol. Each
// reports the p99 latency of its operation and, as the baseline measured in the same run,
// the time to parse the same document alone (what the server did for .k files before the
// checker): ratio = p99 / parse.

const benchProgram = `import k8s.api.apps.v1 as apps
import k8s.api.core.v1 as core

deploy = apps.Deployment {
    metadata.name = "web"
    spec = {
        replicas = 2
        selector.matchLabels = {app = "web"}
        template = {
            metadata.labels = {app = "web"}
            spec.containers = [{
                name = "web"
                image = "nginx"
                ports = [{containerPort = 80}]
                
            }]
        }
    }
}
service = core.Service {
    metadata.name = "web"
    spec.ports = [{port = 80}]
}
`

func benchWorkspace(b *testing.B) (home, work string) {
	b.Helper()
	home = b.TempDir()
	dep := filepath.Join(home, "k8s_1.29")
	st, err := k8sgen.Write(dep, k8sgen.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("k8sgen: %d schemas in %d modules", st.Schemas, st.Modules)
	work = b.TempDir()
	writeFiles(b, work, map[string]string{"kcl.mod": "[package]\nname = \"app\"\nversion = \"0.0.1\"\n\n[dependencies]\nk8s = \"1.29\"\n"})
	b.Setenv("KCL_PKG_PATH", home)
	b.Setenv("KPM_REG", "example.test")
	b.Setenv("KPM_REPO", "kcl")
	warmCache(b, home, map[string][]string{"example.test/kcl/k8s": {"1.29"}}, nil)
	return home, work
}

func benchServer(b *testing.B, work string) *testClient {
	c, _ := pipeServer(b, nil)
	c.initialize(work, nil)
	c.notify("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"kpm": map[string]any{"offline": true}}})
	return c
}

// parseBaseline is the median time to parse the program alone.
func parseBaseline(text string) time.Duration {
	var ds []time.Duration
	for i := 0; i < 50; i++ {
		start := time.Now()
		syntax.ParseFile("main.k", []byte(text))
		ds = append(ds, time.Since(start))
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2]
}

func reportLatencies(b *testing.B, ds []time.Duration, base time.Duration) {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	p := func(q float64) time.Duration { return ds[min(len(ds)-1, int(q*float64(len(ds))))] }
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	b.ReportMetric(ms(p(0.5)), "p50-ms")
	b.ReportMetric(ms(p(0.99)), "p99-ms")
	b.ReportMetric(ms(base), "parse-ms")
	b.ReportMetric(float64(p(0.99))/float64(base), "p99/parse")
}

func heapMB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapInuse) / (1 << 20)
}

// BenchmarkKCLFirstDiagnostics: a fresh server opens a file importing k8s.api.apps.v1 and
// k8s.api.core.v1; one op is didOpen until its diagnostics arrive.
func BenchmarkKCLFirstDiagnostics(b *testing.B) {
	_, work := benchWorkspace(b)
	base := parseBaseline(benchProgram)
	var ds []time.Duration
	for i := 0; i < b.N; i++ {
		c := benchServer(b, work)
		m := c.mark()
		start := time.Now()
		uri := c.open(filepath.Join(work, "main.k"), benchProgram)
		c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return true })
		ds = append(ds, time.Since(start))
		c.shutdown()
	}
	reportLatencies(b, ds, base)
}

// BenchmarkKCLCompletionAtDepth: completion of Container's attributes inside
// Deployment.spec.template.spec.containers[0] (depth 5), the document opened and checked.
func BenchmarkKCLCompletionAtDepth(b *testing.B) {
	_, work := benchWorkspace(b)
	c := benchServer(b, work)
	m := c.mark()
	uri := c.open(filepath.Join(work, "main.k"), benchProgram)
	c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return true })
	at := positionOf(b, benchProgram, "containerPort = 80}]\n                ", len("containerPort = 80}]\n                "))
	base := parseBaseline(benchProgram)
	var ds []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		var l completionList
		c.mustCall("textDocument/completion", docParams(uri, at), &l)
		ds = append(ds, time.Since(start))
		if len(l.Items) == 0 || l.Items[0].Label != "args" {
			b.Fatalf("unexpected completion: %+v", l.Items)
		}
	}
	b.StopTimer()
	reportLatencies(b, ds, base)
	b.ReportMetric(heapMB(), "heap-MB")
}

// BenchmarkKCLEditDiagnostics: one op is a didChange (a value toggled between right and
// wrong) until the diagnostics of that version arrive.
func BenchmarkKCLEditDiagnostics(b *testing.B) {
	_, work := benchWorkspace(b)
	c := benchServer(b, work)
	m := c.mark()
	uri := c.open(filepath.Join(work, "main.k"), benchProgram)
	c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return true })
	base := parseBaseline(benchProgram)
	var ds []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v := i + 2
		text := strings.Replace(benchProgram, "replicas = 2", []string{"replicas = \"2\"", "replicas = 2"}[i%2], 1)
		m := c.mark()
		start := time.Now()
		c.notify("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": uri, "version": v},
			"contentChanges": []any{map[string]any{"text": text}}})
		p := c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return p.Version != nil && *p.Version == v })
		ds = append(ds, time.Since(start))
		if want := 1 - i%2; len(p.Diagnostics) != want {
			b.Fatalf("version %d: %d diagnostics, want %d: %+v", v, len(p.Diagnostics), want, p.Diagnostics)
		}
	}
	b.StopTimer()
	reportLatencies(b, ds, base)
	b.ReportMetric(heapMB(), "heap-MB")
}
