package syntax

import (
	"fmt"
	goparser "go/parser"
	gotoken "go/token"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/kpm-dev/kpm/internal/cputime"
)

// genSource generates a realistic KCL module of at least size bytes: schemas
// with docstrings, attributes and checks, Kubernetes-style configs, lambdas,
// comprehensions and interpolated strings, with unique names per block.
func genSource(size int) []byte {
	var b strings.Builder
	b.Grow(size + 4096)
	b.WriteString("import units\nimport k8s.api.apps.v1 as apps\n\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, `schema App%[1]d[defaultPort: int = 8080](Base):
    """App%[1]d is a generated application.

    It has a name, a port and some labels.
    """
    name: str
    port: int = defaultPort
    replicas?: int = 1
    labels: {str:str} = {"app" = name, "index" = "%[1]d"}
    memory: units.NumberMultiplier = 256Mi
    [...str]: any

    check:
        0 < port < 65536, "port ${port} out of range"
        replicas >= 0 if replicas
        all k in labels { len(k) < 64 }

_name%[1]d = "service-%[1]d"
app%[1]d = App%[1]d {
    name = _name%[1]d
    port = 80 + %[1]d %% 1000
    labels.tier = "backend" if %[1]d %% 2 == 0 else "frontend"
}
deployment%[1]d = apps.Deployment {
    metadata = {
        name = _name%[1]d
        labels = app%[1]d.labels
    }
    spec = {
        replicas = app%[1]d.replicas * 2
        template.spec.containers = [
            {
                name = _name%[1]d
                image = "registry.example.com/app:${app%[1]d.port}"
                ports = [{containerPort = p} for p in [app%[1]d.port, 9090] if p > 0]
                env = [
                    {name = "INDEX", value = str(%[1]d)}
                    if %[1]d > 10: {name = "BIG", value = "1"}
                ]
            }
        ]
    }
}
double%[1]d = lambda x: int -> int {
    y = x * 2
    if y > 100:
        y = 100
    y
}
values%[1]d = [double%[1]d(i) ** 2 + (i << 1) for i in range(10) if i not in [3, 4]]

`, i)
	}
	return []byte(b.String())
}

// BenchmarkParse parses a generated ~5 MB module; MB/s is the throughput.
func BenchmarkParse(b *testing.B) {
	src := genSource(5 << 20)
	if _, errs := ParseFile("bench.k", src); len(errs) > 0 {
		b.Fatalf("generated source has errors: %v", errs[0])
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cputime.Process()
	for i := 0; i < b.N; i++ {
		ParseFile("bench.k", src)
	}
	if c := cputime.Process() - c0; c > 0 {
		b.ReportMetric(float64(len(src))*float64(b.N)/c.Seconds()/1e6, "MB/cpu-s")
	}
}

// BenchmarkParseScale parses 1x, 4x and 16x inputs (256 KiB base); ns/B
// should stay flat if parsing time grows linearly with input size.
func BenchmarkParseScale(b *testing.B) {
	for _, mul := range []int{1, 4, 16} {
		src := genSource(mul * 256 << 10)
		b.Run(fmt.Sprintf("%dx", mul), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for i := 0; i < b.N; i++ {
				ParseFile("bench.k", src)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(src)), "ns/B")
		})
	}
}

// measure parses src reps times and returns the smallest wall-clock and
// CPU time of one parse (CPU time is 0 where the platform has none).
func measure(reps int, f func()) (wall, cpu time.Duration) {
	wall, cpu = time.Duration(1<<62), time.Duration(1<<62)
	for r := 0; r < reps; r++ {
		runtime.GC() // start each run from the same heap
		c0, w0 := cputime.Process(), time.Now()
		f()
		w, c := time.Since(w0), cputime.Process()-c0
		wall, cpu = min(wall, w), min(cpu, c)
	}
	return wall, cpu
}

// BenchmarkParseLinearity parses 1x, 4x and 16x inputs (256 KiB base) and
// reports the time ratios: t4x/t1x ≈ 4 and t16x/t1x ≈ 16 mean linear
// growth. Ratios are given for CPU time (steady on a shared machine) and
// wall-clock time. It reports; it never fails on time.
func BenchmarkParseLinearity(b *testing.B) {
	base := genSource(256 << 10)
	x4 := genSource(4 * len(base))
	x16 := genSource(16 * len(base))
	for i := 0; i < b.N; i++ {
		w1, c1 := measure(5, func() { ParseFile("bench.k", base) })
		w4, c4 := measure(3, func() { ParseFile("bench.k", x4) })
		w16, c16 := measure(3, func() { ParseFile("bench.k", x16) })
		// the parser's own work: the same with the garbage collector off
		// during each parse (the GC's cost grows with the live heap, which
		// here includes the benchmark's inputs)
		old := debug.SetGCPercent(-1)
		_, n1 := measure(5, func() { ParseFile("bench.k", base) })
		_, n4 := measure(3, func() { ParseFile("bench.k", x4) })
		_, n16 := measure(3, func() { ParseFile("bench.k", x16) })
		debug.SetGCPercent(old)
		if n1 > 0 {
			b.ReportMetric(float64(n4)/float64(n1), "nogc-cpu-t4x/t1x")
			b.ReportMetric(float64(n16)/float64(n1), "nogc-cpu-t16x/t1x")
		}
		norm := func(t time.Duration, src []byte) float64 { return float64(t) / float64(len(src)) * float64(len(base)) }
		if c1 > 0 {
			b.ReportMetric(norm(c4, x4)/norm(c1, base)*float64(len(x4))/float64(len(base)), "cpu-t4x/t1x")
			b.ReportMetric(norm(c16, x16)/norm(c1, base)*float64(len(x16))/float64(len(base)), "cpu-t16x/t1x")
		}
		b.ReportMetric(float64(w4)/float64(w1), "wall-t4x/t1x")
		b.ReportMetric(float64(w16)/float64(w1), "wall-t16x/t1x")
		b.ReportMetric(float64(len(x16))/float64(len(base)), "size16x/size1x")
	}
}

func TestGeneratedSourceParses(t *testing.T) {
	src := genSource(64 << 10)
	f, errs := ParseFile("gen.k", src)
	if len(errs) > 0 {
		t.Fatalf("generated source: %v", errs[0])
	}
	if err := checkTree(src, f, errs); err != nil {
		t.Fatal(err)
	}
	if len(f.Body) < 50 {
		t.Fatalf("expected many statements, got %d", len(f.Body))
	}
}

// genGoSource generates Go source of at least size bytes with a shape like
// genSource (types with fields, composite literals, closures, loops), used
// as a baseline: go/parser is a mature hand-written parser of a similar
// language, run in the same process on the same machine.
func genGoSource(size int) []byte {
	var b strings.Builder
	b.Grow(size + 4096)
	b.WriteString("package bench\n\nimport \"fmt\"\n\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, `// App%[1]d is a generated application.
// It has a name, a port and some labels.
type App%[1]d struct {
	Name     string
	Port     int
	Replicas int
	Labels   map[string]string
	Memory   int64
}

func (a App%[1]d) Check() error {
	if !(0 < a.Port && a.Port < 65536) {
		return fmt.Errorf("port %%d out of range", a.Port)
	}
	for k := range a.Labels {
		if len(k) >= 64 {
			return fmt.Errorf("label too long")
		}
	}
	return nil
}

var name%[1]d = "service-%[1]d"
var app%[1]d = App%[1]d{Name: name%[1]d, Port: 80 + %[1]d%%1000, Labels: map[string]string{"app": name%[1]d, "index": "%[1]d"}}
var deployment%[1]d = map[string]any{
	"metadata": map[string]any{"name": name%[1]d, "labels": app%[1]d.Labels},
	"spec": map[string]any{
		"replicas": app%[1]d.Replicas * 2,
		"containers": []map[string]any{
			{"name": name%[1]d, "image": fmt.Sprintf("registry.example.com/app:%%d", app%[1]d.Port), "ports": []int{app%[1]d.Port, 9090}},
		},
	},
}
var double%[1]d = func(x int) int {
	y := x * 2
	if y > 100 {
		y = 100
	}
	return y
}

`, i)
	}
	return []byte(b.String())
}

// BenchmarkParseVsGoParser parses a generated ~5 MB KCL module with
// ParseFile and a generated ~5 MB Go file with go/parser in the same run,
// and reports both throughputs and their ratio (kcl/go; 1.0 = as fast as
// go/parser per byte).
func BenchmarkParseVsGoParser(b *testing.B) {
	kclSrc := genSource(5 << 20)
	goSrc := genGoSource(5 << 20)
	if _, err := goparser.ParseFile(gotoken.NewFileSet(), "bench.go", goSrc, goparser.ParseComments); err != nil {
		b.Fatal(err)
	}
	var kclWall, goWall, kclCPU, goCPU time.Duration
	for i := 0; i < b.N; i++ {
		w, c := measure(1, func() { ParseFile("bench.k", kclSrc) })
		kclWall, kclCPU = kclWall+w, kclCPU+c
		w, c = measure(1, func() {
			_, _ = goparser.ParseFile(gotoken.NewFileSet(), "bench.go", goSrc, goparser.ParseComments)
		})
		goWall, goCPU = goWall+w, goCPU+c
	}
	mbs := func(n int, d time.Duration) float64 { return float64(n) * float64(b.N) / d.Seconds() / 1e6 }
	b.ReportMetric(mbs(len(kclSrc), kclWall), "kcl-MB/s")
	b.ReportMetric(mbs(len(goSrc), goWall), "go-MB/s")
	b.ReportMetric(mbs(len(kclSrc), kclWall)/mbs(len(goSrc), goWall), "kcl/go")
	if kclCPU > 0 && goCPU > 0 {
		b.ReportMetric(mbs(len(kclSrc), kclCPU), "kcl-MB/cpu-s")
		b.ReportMetric(mbs(len(goSrc), goCPU), "go-MB/cpu-s")
		b.ReportMetric(mbs(len(kclSrc), kclCPU)/mbs(len(goSrc), goCPU), "kcl/go-cpu")
	}
}

// BenchmarkScan measures the scanner alone on the ~5 MB module.
func BenchmarkScan(b *testing.B) {
	src := genSource(5 << 20)
	b.SetBytes(int64(len(src)))
	for i := 0; i < b.N; i++ {
		s := newScanner("bench.k", src)
		for s.next().kind != EOF {
		}
	}
}
