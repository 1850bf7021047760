// Command resolve measures dependency resolution (workspace.Resolve, the code every kpm command
// uses) for a package with 20 OCI dependencies on an in-process registry:
//
//   - cold: empty package cache, no lock; parallel downloads (the default, 8 at a time) versus
//     the sequential baseline (the same code with Parallelism 1), alternated in one run;
//   - warm: lock file and cache complete; time per resolution and registry requests (must be 0).
//
// Each is measured without added latency and with -latency added to every registry request
// (what a remote registry costs), and the medians and the ratio sequential/parallel are printed.
//
//	go run ./bench/resolve [-deps 20] [-size-kb 256] [-rounds 5] [-latency 20ms]
package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	"github.com/kpm-dev/kpm/internal/devregistry"
	"github.com/kpm-dev/kpm/registry"
	"github.com/kpm-dev/kpm/workspace"
)

func main() {
	deps := flag.Int("deps", 20, "number of OCI dependencies")
	sizeKB := flag.Int("size-kb", 256, "size of each dependency package in KiB (random, incompressible)")
	rounds := flag.Int("rounds", 5, "measured cold rounds per mode")
	warmRounds := flag.Int("warm-rounds", 50, "measured warm resolutions")
	flag.IntVar(&parallelism, "parallelism", 8, "concurrent downloads of the parallel mode")
	latency := flag.Duration("latency", 20*time.Millisecond, "latency added to every registry request in the second pass (0 = skip)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "resolve:", err)
			os.Exit(1)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "resolve:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	passes := []time.Duration{0}
	if *latency > 0 {
		passes = append(passes, *latency)
	}
	for _, lat := range passes {
		if err := bench(*deps, *sizeKB, *rounds, *warmRounds, lat); err != nil {
			fmt.Fprintln(os.Stderr, "resolve:", err)
			pprof.StopCPUProfile()
			os.Exit(1)
		}
	}
}

var parallelism int

func bench(nDeps, sizeKB, rounds, warmRounds int, latency time.Duration) error {
	ctx := context.Background()
	tmp, err := os.MkdirTemp("", "kpm-bench-resolve-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	reg, err := devregistry.Start(devregistry.Options{
		Users: map[string]string{"test": "1234"},
		Dir:   filepath.Join(tmp, "registry"),
		Middleware: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if latency > 0 {
					time.Sleep(latency)
				}
				next.ServeHTTP(w, r)
			})
		},
	})
	if err != nil {
		return err
	}
	defer reg.Close()
	host := reg.Host()

	// A home to publish from, and the root package with nDeps dependencies.
	pub := newHome(tmp, "publisher", host)
	if err := login(ctx, pub, host); err != nil {
		return err
	}
	var deps strings.Builder
	for i := 0; i < nDeps; i++ {
		name := fmt.Sprintf("bench_dep%02d", i)
		dir := filepath.Join(tmp, "src", name)
		if err := writePackage(dir, name, "1.0.0", sizeKB); err != nil {
			return err
		}
		_, err := registry.Push(ctx, registry.Reference{Registry: host, Repository: "test/" + name, Tag: "1.0.0"},
			registry.Package{Dir: dir, Name: name, Version: "1.0.0"}, registry.PushOptions{Options: workspace.RegistryOptions(pub, false)})
		if err != nil {
			return err
		}
		fmt.Fprintf(&deps, "%s = \"1.0.0\"\n", name)
	}
	root := filepath.Join(tmp, "app")
	if err := os.MkdirAll(root, 0o755); err != nil {
		return err
	}
	mod := "[package]\nname = \"app\"\nedition = \"v0.11.0\"\nversion = \"0.0.1\"\n\n[dependencies]\n" + deps.String()
	if err := os.WriteFile(filepath.Join(root, "kcl.mod"), []byte(mod), 0o644); err != nil {
		return err
	}

	// Cold: alternate parallel and sequential rounds, each on a fresh cache and without a lock.
	times := map[int][]time.Duration{}
	var coldRequests int64
	for round := 0; round < rounds+1; round++ { // round 0 warms up the process and the registry
		for _, par := range []int{parallelism, 1} {
			s := newHome(tmp, fmt.Sprintf("cold-%d-%d", round, par), host)
			if err := login(ctx, s, host); err != nil {
				return err
			}
			_ = os.Remove(filepath.Join(root, "kcl.mod.lock"))
			reg.ResetRequests()
			start := time.Now()
			res, err := workspace.Resolve(ctx, root, workspace.ResolveOptions{Settings: s, Parallelism: par, WriteLock: true})
			if err != nil {
				return err
			}
			d := time.Since(start)
			if len(res.Downloaded) != nDeps {
				return fmt.Errorf("cold round downloaded %d packages, want %d", len(res.Downloaded), nDeps)
			}
			if round > 0 {
				times[par] = append(times[par], d)
				coldRequests = reg.Requests()
			}
		}
	}

	// Warm: the lock and the cache of the last round are complete.
	s := newHome(tmp, "warm", host)
	if err := login(ctx, s, host); err != nil {
		return err
	}
	if _, err := workspace.Resolve(ctx, root, workspace.ResolveOptions{Settings: s, WriteLock: true}); err != nil {
		return err
	}
	reg.ResetRequests()
	var warm []time.Duration
	for i := 0; i < warmRounds; i++ {
		start := time.Now()
		res, err := workspace.Resolve(ctx, root, workspace.ResolveOptions{Settings: s, WriteLock: true})
		if err != nil {
			return err
		}
		warm = append(warm, time.Since(start))
		if len(res.Downloaded) != 0 || res.LockChanged {
			return fmt.Errorf("warm resolution downloaded %d packages (lock changed: %v)", len(res.Downloaded), res.LockChanged)
		}
	}
	warmRequests := reg.Requests()

	par, seq := median(times[parallelism]), median(times[1])
	fmt.Printf("resolve %d OCI deps of %d KiB, added registry latency %v per request, %d rounds\n", nDeps, sizeKB, latency, rounds)
	fmt.Printf("  cold parallel (%d):        median %8.1f ms  (%d registry requests per resolution)\n", parallelism, ms(par), coldRequests)
	fmt.Printf("  cold sequential baseline: median %8.1f ms\n", ms(seq))
	fmt.Printf("  ratio sequential/parallel: %.2fx\n", float64(seq)/float64(par))
	fmt.Printf("  warm (lock + cache):      median %8.2f ms per resolution over %d, registry requests: %d\n", ms(median(warm)), warmRounds, warmRequests)
	if warmRequests != 0 {
		return fmt.Errorf("warm resolutions made %d registry requests, want 0", warmRequests)
	}
	return nil
}

func newHome(tmp, name, host string) *workspace.Settings {
	return &workspace.Settings{PkgPath: filepath.Join(tmp, "homes", name), DefaultOciRegistry: host, DefaultOciRepo: "test"}
}

func login(ctx context.Context, s *workspace.Settings, host string) error {
	opts := workspace.RegistryOptions(s, false)
	opts.NoDockerFallback = true
	return registry.Login(ctx, host, "test", "1234", opts)
}

func writePackage(dir, name, version string, sizeKB int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	mod := fmt.Sprintf("[package]\nname = %q\nedition = \"v0.11.0\"\nversion = %q\n", name, version)
	if err := os.WriteFile(filepath.Join(dir, "kcl.mod"), []byte(mod), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.k"), []byte("a = 1\n"), 0o644); err != nil {
		return err
	}
	data := make([]byte, sizeKB<<10)
	if _, err := rand.Read(data); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "data.bin"), data, 0o644)
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
