package syntax

import (
	"fmt"
	goparser "go/parser"
	gotoken "go/token"
	"strings"
	"testing"
	"time"
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
	for i := 0; i < b.N; i++ {
		ParseFile("bench.k", src)
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

// BenchmarkParseLinearity times 1x, 4x and 16x inputs itself and reports
// the time ratios (t4x/t1x ≈ 4 and t16x/t1x ≈ 16 mean linear growth). It
// reports; it never fails on wall-clock time.
func BenchmarkParseLinearity(b *testing.B) {
	base := genSource(256 << 10)
	x4 := genSource(4 * len(base))
	x16 := genSource(16 * len(base))
	timeIt := func(src []byte) float64 {
		best := time.Duration(1 << 62)
		for r := 0; r < 3; r++ {
			start := time.Now()
			ParseFile("bench.k", src)
			if d := time.Since(start); d < best {
				best = d
			}
		}
		return float64(best) / float64(len(src))
	}
	for i := 0; i < b.N; i++ {
		t1, t4, t16 := timeIt(base), timeIt(x4), timeIt(x16)
		// per-byte ratios times the size ratio = total time ratios
		b.ReportMetric(t4/t1*float64(len(x4))/float64(len(base)), "t4x/t1x")
		b.ReportMetric(t16/t1*float64(len(x16))/float64(len(base)), "t16x/t1x")
		b.ReportMetric(float64(len(x4))/float64(len(base)), "size4x/size1x")
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
	var kclTime, goTime time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		ParseFile("bench.k", kclSrc)
		kclTime += time.Since(start)
		start = time.Now()
		_, _ = goparser.ParseFile(gotoken.NewFileSet(), "bench.go", goSrc, goparser.ParseComments)
		goTime += time.Since(start)
	}
	kclMBs := float64(len(kclSrc)) * float64(b.N) / kclTime.Seconds() / 1e6
	goMBs := float64(len(goSrc)) * float64(b.N) / goTime.Seconds() / 1e6
	b.ReportMetric(kclMBs, "kcl-MB/s")
	b.ReportMetric(goMBs, "go-MB/s")
	b.ReportMetric(kclMBs/goMBs, "kcl/go")
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
