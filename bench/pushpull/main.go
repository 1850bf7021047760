// Command pushpull measures kpm push and kpm pull of a 50 MB package against the plain oras-go
// baseline (bench/baseline) on the same in-process registry, in one run, and prints the medians
// and the ratio kpm/baseline for each.
//
//	go run ./bench/pushpull -kpm bin/kpm -baseline bin/baseline [-size 50] [-rounds 9]
package main

import (
	"flag"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/kpm-dev/kpm/internal/devregistry"
)

func main() {
	kpm := flag.String("kpm", "bin/kpm", "kpm binary")
	baseline := flag.String("baseline", "bin/baseline", "baseline binary")
	sizeMB := flag.Int("size", 50, "package size in MiB")
	rounds := flag.Int("rounds", 9, "measured rounds per tool and operation")
	flag.Parse()
	if err := bench(*kpm, *baseline, *sizeMB, *rounds); err != nil {
		fmt.Fprintln(os.Stderr, "pushpull:", err)
		os.Exit(1)
	}
}

func bench(kpm, baseline string, sizeMB, rounds int) error {
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
	env := append(os.Environ(),
		"KCL_PKG_PATH="+filepath.Join(tmp, "kpm-home"),
		"DOCKER_CONFIG="+filepath.Join(tmp, "docker"),
		"KPM_REG=", "KPM_REPO=", "OCI_REG_PLAIN_HTTP=",
		"BASELINE_USER=test", "BASELINE_PASSWORD=1234",
	)
	runCmd := func(dir, stdin string, name string, args ...string) (time.Duration, error) {
		cmd := exec.Command(name, args...)
		cmd.Dir, cmd.Env = dir, env
		cmd.Stdin = strings.NewReader(stdin)
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		start := time.Now()
		err := cmd.Run()
		d := time.Since(start)
		if err != nil {
			return d, fmt.Errorf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out.String())
		}
		return d, nil
	}
	if _, err := runCmd(tmp, "1234\n", kpm, "-q", "login", "-u", "test", "--password-stdin", host); err != nil {
		return err
	}

	type op struct {
		name string
		run  func(i int) (time.Duration, error)
	}
	kpmPush := op{"kpm push", func(i int) (time.Duration, error) {
		return runCmd(pkg, "", kpm, "-q", "push", fmt.Sprintf("oci://%s/bench/kpm_%d", host, i))
	}}
	basePush := op{"baseline push", func(i int) (time.Duration, error) {
		return runCmd(tmp, "", baseline, "push", pkg, fmt.Sprintf("%s/bench/base_%d:1.0.0", host, i))
	}}
	kpmPull := op{"kpm pull", func(i int) (time.Duration, error) {
		return runCmd(tmp, "", kpm, "-q", "pull", "--tag", "1.0.0", fmt.Sprintf("oci://%s/bench/kpm_%d", host, i))
	}}
	basePull := op{"baseline pull", func(i int) (time.Duration, error) {
		return runCmd(tmp, "", baseline, "pull", fmt.Sprintf("%s/bench/base_%d:1.0.0", host, i), filepath.Join(tmp, fmt.Sprintf("base_%d", i)))
	}}

	times := map[string][]time.Duration{}
	// Round 0 warms caches and is not counted; the order alternates so neither tool always goes first.
	for i := 0; i <= rounds; i++ {
		pairs := [][2]op{{kpmPush, basePush}, {kpmPull, basePull}}
		for _, pair := range pairs {
			first, second := pair[0], pair[1]
			if i%2 == 1 {
				first, second = second, first
			}
			for _, o := range []op{first, second} {
				d, err := o.run(i)
				if err != nil {
					return err
				}
				if i > 0 {
					times[o.name] = append(times[o.name], d)
				}
			}
		}
	}

	fmt.Printf("package: %d MiB (%d files), %d rounds, registry %s (in-process Distribution)\n\n", sizeMB, sizeMB+2, rounds, host)
	fmt.Println("| operation | kpm median (min) | oras-go baseline median (min) | ratio kpm/baseline: medians (mins) |")
	fmt.Println("| --- | --- | --- | --- |")
	ms := func(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
	for _, name := range []string{"push", "pull"} {
		k, b := times["kpm "+name], times["baseline "+name]
		fmt.Printf("| %s | %s (%s) | %s (%s) | %.2f (%.2f) |\n", name, ms(median(k)), ms(minimum(k)), ms(median(b)), ms(minimum(b)),
			float64(median(k))/float64(median(b)), float64(minimum(k))/float64(minimum(b)))
	}
	return nil
}

func minimum(ds []time.Duration) time.Duration {
	m := ds[0]
	for _, d := range ds {
		m = min(m, d)
	}
	return m
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// makePackage writes a package of sizeMB one-MiB files: half random (incompressible), half
// KCL-like text (compressible), plus kcl.mod and main.k.
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
