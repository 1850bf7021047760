// Command kclref runs the same KCL programs through kpm (`kpm run`) and through the reference
// implementation (kcl-lib from PyPI, via scripts/kcl-oracle in its `kcl run` mode) as whole
// processes, in alternating rounds, checks that both print the same, and reports the median wall
// time and peak memory (max RSS) of each with the ratios kpm/reference. Run by bench/kclref.sh.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"time"

	"github.com/kpm-dev/kpm/internal/k8sgen"
	"github.com/kpm-dev/kpm/internal/kclbench"
	"github.com/kpm-dev/kpm/internal/kcloracle"
)

type program struct {
	name string
	dir  string   // the working directory of both processes
	args []string // `kcl run` arguments, the same for both
}

func main() {
	kpm := flag.String("kpm", "bin/kpm", "the kpm binary")
	rounds := flag.Int("rounds", 5, "rounds (each runs every program once with each implementation)")
	flag.Parse()
	ctx := context.Background()
	work, err := os.MkdirTemp("", "kclref-")
	check(err)
	defer os.RemoveAll(work)

	progs := []program{
		servicePackage(work, "2,000 instances (service package 1x)", 1),
		servicePackage(work, "8,000 apps (service package 4x)", 4),
		k8sProgram(work),
	}
	kpmAbs, err := filepath.Abs(*kpm)
	check(err)
	fmt.Printf("%-40s %12s %12s %7s %12s %12s %7s\n", "program", "kpm wall", "ref wall", "ratio", "kpm RSS", "ref RSS", "ratio")
	for _, p := range progs {
		var kpmRuns, refRuns []kclbench.Sample
		var kpmOut, refOut []byte
		for r := 0; r < *rounds; r++ {
			s, out := run(exec.CommandContext(ctx, kpmAbs, append([]string{"run"}, p.args...)...), p.dir)
			kpmRuns, kpmOut = append(kpmRuns, s), out
			ref, err := kcloracle.Command(ctx, p.args...)
			check(err)
			s, out = run(ref, p.dir)
			refRuns, refOut = append(refRuns, s), out
		}
		same := "same output"
		if !bytes.Equal(kpmOut, refOut) {
			same = fmt.Sprintf("OUTPUT DIFFERS (kpm %d bytes, reference %d bytes)", len(kpmOut), len(refOut))
		}
		kw, rw := kclbench.Median(kpmRuns, kclbench.Wall), kclbench.Median(refRuns, kclbench.Wall)
		km, rm := kclbench.Median(kpmRuns, kclbench.RSS), kclbench.Median(refRuns, kclbench.RSS)
		fmt.Printf("%-40s %12s %12s %7.2f %10.1fMB %10.1fMB %7.2f  %s\n", p.name,
			time.Duration(kw).Round(time.Millisecond), time.Duration(rw).Round(time.Millisecond), float64(kw)/float64(rw),
			float64(km)/1e6, float64(rm)/1e6, float64(km)/float64(rm), same)
	}
}

func servicePackage(work, name string, scale int) program {
	dir := filepath.Join(work, fmt.Sprintf("service%dx", scale))
	check(os.MkdirAll(dir, 0o755))
	check(kclbench.WriteServicePackage(dir, scale))
	files, err := filepath.Glob(filepath.Join(dir, "*.k"))
	check(err)
	sort.Strings(files)
	args := make([]string, len(files))
	for i, f := range files {
		args[i] = filepath.Base(f)
	}
	return program{name: name, dir: dir, args: args}
}

func k8sProgram(work string) program {
	pkg, dir, st, err := k8sgen.WriteProgram(work, k8sgen.Options{})
	check(err)
	return program{name: fmt.Sprintf("k8s-shaped package (%d schemas)", st.Schemas), dir: dir,
		args: []string{"main.k", "-E", "k8s=" + pkg}}
}

// run runs one process to completion in dir and measures it; a failure ends the benchmark.
func run(cmd *exec.Cmd, dir string) (kclbench.Sample, []byte) {
	cmd.Dir = dir
	out, s, err := kclbench.Measure(cmd)
	check(err)
	return s, out
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "kclref:", err)
		os.Exit(1)
	}
}
