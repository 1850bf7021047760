// Command pushpull is kpm's push/pull benchmark (issue 2): it pushes and
// pulls a 50 MiB package with the kpm binary and with the plain oras-go
// baseline program (bench/baseline) against one in-process registry, in one
// run, and prints per tool the median and minimum wall time, the median CPU
// time (user+system of the process), and the ratios kpm/baseline.
//
//	go run ./bench/pushpull -kpm KPM -baseline BASELINE [-size 50] [-rounds 9]
//
// Contestants: kpm; "oras-go", the baseline with the standard library's
// gzip (what a plain program uses); "oras-go+kz", the same program with
// klauspost/compress's gzip (kpm's compressor), which isolates kpm's own
// overhead. Every round pushes the package to a fresh repository with each
// contestant, then pulls each back into a fresh directory next to the
// others' (removed after the measurement); the order rotates every round;
// round 0 only warms up.
package main

import (
	"flag"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/kpm-dev/kpm/internal/devregistry"
)

func main() {
	kpm := flag.String("kpm", "bin/kpm", "kpm binary")
	baseline := flag.String("baseline", "bin/baseline", "baseline binary (bench/baseline)")
	sizeMB := flag.Int("size", 50, "package size in MiB")
	rounds := flag.Int("rounds", 9, "measured rounds (after one warm-up round)")
	flag.Parse()
	if err := bench(*kpm, *baseline, *sizeMB, *rounds); err != nil {
		fmt.Fprintln(os.Stderr, "pushpull:", err)
		os.Exit(1)
	}
}

// sample is one measured process.
type sample struct{ wall, cpu time.Duration }

var contestants = []string{"kpm", "oras-go", "oras-go+kz"}

func bench(kpm, baseline string, sizeMB, rounds int) error {
	if rounds < 1 {
		return fmt.Errorf("-rounds must be at least 1")
	}
	for _, p := range []*string{&kpm, &baseline} {
		abs, err := filepath.Abs(*p)
		if err != nil {
			return err
		}
		*p = abs
	}
	tmp, err := os.MkdirTemp("", "kpm-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	reg, err := devregistry.Start(devregistry.Options{Users: map[string]string{"test": "1234"}, Dir: filepath.Join(tmp, "registry")})
	if err != nil {
		return err
	}
	defer reg.Close()
	host := reg.Host()

	pkg := filepath.Join(tmp, "bench_pkg")
	if err := makePackage(pkg, sizeMB); err != nil {
		return err
	}
	home := filepath.Join(tmp, "kpm-home")
	env := append(os.Environ(),
		"KCL_PKG_PATH="+home,
		"DOCKER_CONFIG="+filepath.Join(tmp, "docker"),
		"KPM_REG=", "KPM_REPO=", "OCI_REG_PLAIN_HTTP=", "KPM_NO_SUM=",
		"BASELINE_USER=test", "BASELINE_PASSWORD=1234",
	)
	run := func(dir, stdin, name string, args ...string) (sample, error) {
		cmd := exec.Command(name, args...)
		cmd.Dir, cmd.Env = dir, env
		cmd.Stdin = strings.NewReader(stdin)
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		start := time.Now()
		err := cmd.Run()
		s := sample{wall: time.Since(start)}
		if err != nil {
			return s, fmt.Errorf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out.String())
		}
		s.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		return s, nil
	}
	if _, err := run(tmp, "1234\n", kpm, "-q", "login", "-u", "test", "--password-stdin", host); err != nil {
		return err
	}

	repo := func(who string, i int) string {
		return fmt.Sprintf("%s/bench/%s_%d", host, strings.NewReplacer("-", "", "+", "_").Replace(who), i)
	}
	push := func(who string, i int) (sample, error) {
		switch who {
		case "kpm":
			return run(pkg, "", kpm, "-q", "push", "oci://"+repo(who, i))
		case "oras-go":
			return run(tmp, "", baseline, "-gzip", "std", "push", pkg, repo(who, i)+":1.0.0")
		default:
			return run(tmp, "", baseline, "-gzip", "kz", "push", pkg, repo(who, i)+":1.0.0")
		}
	}
	pull := func(who string, i int) (sample, error) {
		var s sample
		var err error
		var dest string
		switch who {
		case "kpm":
			s, err = run(tmp, "", kpm, "-q", "pull", "--tag", "1.0.0", "oci://"+repo(who, i))
			dest = filepath.Join(home, filepath.Base(repo(who, i))+"_1.0.0")
		default:
			// Next to kpm's: same parent directory, same file system state.
			dest = filepath.Join(home, filepath.Base(repo(who, i))+"_1.0.0")
			gz := map[string]string{"oras-go": "std", "oras-go+kz": "kz"}[who]
			s, err = run(tmp, "", baseline, "-gzip", gz, "pull", repo(who, i)+":1.0.0", dest)
		}
		if err != nil {
			return s, err
		}
		if _, err := os.Stat(filepath.Join(dest, "data")); err != nil {
			return s, fmt.Errorf("%s pull: package not unpacked: %w", who, err)
		}
		// Every contestant unpacks into the same parent directory and its
		// tree is removed at once, so all of them see the same file system
		// state (ext4 without a journal, for one, makes file creation
		// slower next to recently deleted files; a growing page cache
		// makes writes slower on some virtual machines).
		return s, os.RemoveAll(dest)
	}

	load0 := loadAvg()
	times := map[string][]sample{}
	for i := 0; i <= rounds; i++ {
		k := i % len(contestants)
		order := append(slices.Clone(contestants[k:]), contestants[:k]...)
		for _, op := range []struct {
			name string
			fn   func(string, int) (sample, error)
		}{{"push", push}, {"pull", pull}} {
			for _, who := range order {
				s, err := op.fn(who, i)
				if err != nil {
					return err
				}
				if i > 0 {
					times[op.name+" "+who] = append(times[op.name+" "+who], s)
				}
			}
		}
	}
	load1 := loadAvg()

	fmt.Printf("package: %d MiB in %d files (half random, half KCL-like text); %d rounds + 1 warm-up; registry %s (in-process Distribution, htpasswd)\n",
		sizeMB, sizeMB+2, rounds, host)
	fmt.Printf("machine: %d CPUs; load average before %s, after %s\n\n", runtime.NumCPU(), load0, load1)
	fmt.Println("| operation | tool | wall median (min) | CPU median | kpm/tool: wall medians (paired) | CPU |")
	fmt.Println("| --- | --- | --- | --- | --- | --- |")
	ms := func(d time.Duration) string { return fmt.Sprintf("%d ms", d.Round(time.Millisecond).Milliseconds()) }
	for _, op := range []string{"push", "pull"} {
		k := times[op+" kpm"]
		for _, who := range contestants {
			s := times[op+" "+who]
			row := fmt.Sprintf("| %s | %s | %s (%s) | %s |", op, who, ms(median(s, wall)), ms(minimum(s, wall)), ms(median(s, cpu)))
			if who == "kpm" {
				fmt.Println(row + " | |")
				continue
			}
			// Contestants of one round run back to back: the median of the
			// per-round ratios is the figure least moved by other load.
			paired := make([]float64, len(s))
			for j := range s {
				paired[j] = float64(k[j].wall) / float64(s[j].wall)
			}
			slices.Sort(paired)
			fmt.Printf("%s %.2f (%.2f) | %.2f |\n", row,
				float64(median(k, wall))/float64(median(s, wall)), paired[len(paired)/2],
				float64(median(k, cpu))/float64(median(s, cpu)))
		}
	}
	return nil
}

func wall(s sample) time.Duration { return s.wall }
func cpu(s sample) time.Duration  { return s.cpu }

func median(s []sample, f func(sample) time.Duration) time.Duration {
	d := make([]time.Duration, len(s))
	for i := range s {
		d[i] = f(s[i])
	}
	slices.Sort(d)
	return d[len(d)/2]
}

func minimum(s []sample, f func(sample) time.Duration) time.Duration {
	m := f(s[0])
	for _, x := range s {
		m = min(m, f(x))
	}
	return m
}

// loadAvg returns the 1, 5 and 15 minute load averages ("?" if unknown).
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// makePackage writes a package of sizeMB one-MiB files: half random
// (incompressible), half KCL-like text (compressible), plus kcl.mod and
// main.k.
func makePackage(dir string, sizeMB int) error {
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		return err
	}
	mod := "[package]\nname = \"bench_pkg\"\nedition = \"v0.11.0\"\nversion = \"1.0.0\"\n"
	if err := os.WriteFile(filepath.Join(dir, "kcl.mod"), []byte(mod), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.k"), []byte("a = 1\n"), 0o644); err != nil {
		return err
	}
	rng := rand.New(rand.NewSource(1))
	buf := make([]byte, 1<<20)
	for i := 0; i < sizeMB; i++ {
		if i%2 == 0 {
			rng.Read(buf)
		} else {
			var sb strings.Builder
			for j := 0; sb.Len() < len(buf); j++ {
				fmt.Fprintf(&sb, "item_%d_%d = {name = \"n%d\", replicas = %d, labels = {app = \"a%d\"}}\n", i, j, rng.Intn(1000), rng.Intn(10), rng.Intn(100))
			}
			copy(buf, sb.String())
		}
		if err := os.WriteFile(filepath.Join(dir, "data", fmt.Sprintf("f%03d.k", i)), buf, 0o644); err != nil {
			return err
		}
	}
	return nil
}
