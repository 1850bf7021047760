// Command k8srun measures `kpm run` of a Deployment + Service + ConfigMap program against a
// generated Kubernetes-shaped package (internal/k8sgen) beside the reference implementation
// (kcl-lib 0.13.2, the same program through its exec_program API) in the same run: whole
// processes, wall time and peak memory (max RSS), rounds alternating, after one warm-up round.
// Both outputs are compared first. Run by bench/k8s.sh.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/kpm-dev/kpm/internal/k8sgen"
	"github.com/kpm-dev/kpm/internal/kclbench"
	"github.com/kpm-dev/kpm/internal/kcloracle"
)

// referenceScript runs main.k in the working directory with the package as an external one.
const referenceScript = `import sys, kcl_lib.api as api
a = api.ExecProgramArgs(k_filename_list=["main.k"], work_dir=".")
a.external_pkgs.append(api.ExternalPkg(pkg_name="k8s", pkg_path=sys.argv[1]))
r = api.API().exec_program(a)
if r.err_message:
    sys.exit(r.err_message)
sys.stdout.write(r.yaml_result + "\n")
`

func main() {
	kpm := flag.String("kpm", "bin/kpm", "the kpm binary")
	rounds := flag.Int("rounds", 9, "measured rounds")
	groups := flag.Int("groups", 0, "synthetic API groups of the package (k8sgen default when 0)")
	program := flag.String("program", "", "a .k program to run instead of k8sgen.Program (it imports k8s)")
	pkg := flag.String("pkg", "", "an existing package directory instead of a generated one")
	flag.Parse()
	if err := run(*kpm, *rounds, *groups, *program, *pkg); err != nil {
		fmt.Fprintln(os.Stderr, "k8srun:", err)
		os.Exit(1)
	}
}

func run(kpm string, rounds, groups int, program, pkg string) error {
	kpm, err := filepath.Abs(kpm)
	if err != nil {
		return err
	}
	python, err := kcloracle.Install(context.Background())
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "k8srun")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if pkg == "" {
		pkg = filepath.Join(dir, "k8s")
		st, err := k8sgen.Write(pkg, k8sgen.Options{Groups: groups})
		if err != nil {
			return err
		}
		fmt.Printf("package: %d schemas in %d modules (generated)\n", st.Schemas, st.Modules)
	}
	src := []byte(k8sgen.Program)
	if program != "" {
		if src, err = os.ReadFile(program); err != nil {
			return err
		}
	}
	app := filepath.Join(dir, "app")
	if err := os.MkdirAll(app, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(app, "main.k"), src, 0o644); err != nil {
		return err
	}
	contestants := []struct {
		name string
		argv []string
	}{
		{"kpm", []string{kpm, "run", "-E", "k8s=" + pkg, "main.k"}},
		{"reference", []string{python, "-c", referenceScript, pkg}},
	}
	// warm-up, and both must print the same
	var outs []string
	for _, c := range contestants {
		out, _, err := measure(app, c.argv)
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		outs = append(outs, strings.TrimRight(out, "\n"))
	}
	if outs[0] != outs[1] {
		return fmt.Errorf("outputs differ:\n--- kpm\n%s\n--- reference\n%s", outs[0], outs[1])
	}
	samples := make([][]kclbench.Sample, len(contestants))
	for r := 0; r < rounds; r++ {
		for i := range contestants {
			c := contestants[(i+r)%len(contestants)]
			_, s, err := measure(app, c.argv)
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			idx := (i + r) % len(contestants)
			samples[idx] = append(samples[idx], s)
		}
	}
	k, ref := summary(samples[0]), summary(samples[1])
	fmt.Printf("%-10s wall median %6.1f ms  min %6.1f ms  max RSS median %6.1f MiB\n", "kpm", ms(k.wall), ms(k.minWall), float64(k.rss)/(1<<20))
	fmt.Printf("%-10s wall median %6.1f ms  min %6.1f ms  max RSS median %6.1f MiB\n", "reference", ms(ref.wall), ms(ref.minWall), float64(ref.rss)/(1<<20))
	fmt.Printf("ratio kpm/reference: time %.2f  memory %.2f  (%d rounds)\n", ms(k.wall)/ms(ref.wall), float64(k.rss)/float64(ref.rss), rounds)
	return nil
}

type stats struct {
	wall, minWall time.Duration
	rss           int64 // bytes
}

func summary(ss []kclbench.Sample) stats {
	minWall := ss[0].Wall
	for _, s := range ss {
		minWall = min(minWall, s.Wall)
	}
	return stats{wall: time.Duration(kclbench.Median(ss, kclbench.Wall)), minWall: minWall, rss: kclbench.Median(ss, kclbench.RSS)}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// measure runs argv in dir and returns its stdout, wall time and peak RSS.
func measure(dir string, argv []string) (string, kclbench.Sample, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	out, s, err := kclbench.Measure(cmd)
	return string(out), s, err
}
