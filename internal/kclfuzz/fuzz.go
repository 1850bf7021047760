package kclfuzz

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/kpm-dev/kpm/internal/kcloracle"
)

// Config is one fuzzing run.
type Config struct {
	Seed     uint64        // the first program's seed; the following ones count up
	Programs int           // stop after this many programs (0: no limit)
	Duration time.Duration // stop after this long (0: no limit)
	// Cases is the regression corpus (kcl/testdata/eval): a divergence whose category already has
	// a case there (fuzz_<hash of the category>) is counted but not saved again. Empty: only count.
	Cases string
	// Save writes each new category's minimized program to Cases, with the reference's result as
	// its golden.
	Save    bool
	Budget  int       // calls to both engines per minimization (default 300)
	Log     io.Writer // progress and findings
	Timeout time.Duration
	Scratch string // a directory for the programs (default: a temporary one)
}

// Stats is what a run found.
type Stats struct {
	Programs   int
	Diverging  int
	Crashes    int            // programs on which the reference process died
	Timeouts   int            // programs that did not finish within Config.Timeout
	ByCategory map[string]int // diverging programs per category
	New        []string       // categories without a case in the corpus, with their case directory
}

// Run generates programs until the budget is spent, compares both engines on each and shrinks
// and records every divergence of a category the corpus does not have yet.
func Run(ctx context.Context, o *kcloracle.Oracle, cfg Config) (*Stats, error) {
	if cfg.Budget == 0 {
		cfg.Budget = 300
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 20 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	scratch := cfg.Scratch
	if scratch == "" {
		d, err := os.MkdirTemp("", "kclfuzz-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(d)
		scratch = d
	}
	st := &Stats{ByCategory: map[string]int{}}
	seen := map[string]bool{}
	start := time.Now()
	for seed := cfg.Seed; ; seed++ {
		if cfg.Programs > 0 && st.Programs >= cfg.Programs || cfg.Duration > 0 && time.Since(start) >= cfg.Duration {
			break
		}
		if err := ctx.Err(); err != nil {
			return st, err
		}
		p := Generate(seed)
		cat, err := compareProgram(ctx, o, p, scratch, cfg.Timeout)
		st.Programs++
		if errors.Is(err, kcloracle.ErrCrashed) {
			st.Crashes++
			continue
		}
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			st.Timeouts++ // one program too slow (on a loaded machine): noted, not fatal
			fmt.Fprintf(cfg.Log, "seed %d: timed out after %s\n", seed, cfg.Timeout)
			continue
		}
		if err != nil {
			return st, err
		}
		if cat == "" {
			continue
		}
		st.Diverging++
		st.ByCategory[cat]++
		if seen[cat] {
			continue
		}
		seen[cat] = true
		if cfg.Cases == "" {
			continue // counting only
		}
		caseDir := filepath.Join(cfg.Cases, CaseName(cat))
		if _, err := os.Stat(caseDir); err == nil {
			continue
		}
		fmt.Fprintf(cfg.Log, "seed %d: new divergence: %s\n", seed, cat)
		small := Minimize(p, func(c *Program) bool {
			got, err := compareProgram(ctx, o, c, scratch, cfg.Timeout)
			return err == nil && got == cat
		}, cfg.Budget)
		st.New = append(st.New, cat+" ("+caseDir+")")
		if cfg.Save {
			if err := saveCase(ctx, o, small, cat, seed, caseDir); err != nil {
				return st, err
			}
			fmt.Fprintf(cfg.Log, "  saved %s (%d nodes, from %d)\n", caseDir, small.Size(), p.Size())
		} else {
			fmt.Fprintf(cfg.Log, "  minimized (%d nodes, from %d):\n%s", small.Size(), p.Size(), small.Text())
		}
	}
	return st, nil
}

// CaseName is the corpus directory of a category.
func CaseName(category string) string {
	sum := sha256.Sum256([]byte(category))
	return "fuzz_" + hex.EncodeToString(sum[:5])
}

func compareProgram(ctx context.Context, o *kcloracle.Oracle, p *Program, scratch string, timeout time.Duration) (string, error) {
	dir, err := os.MkdirTemp(scratch, "p")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	if err := p.Write(dir); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ref, err := RunReference(ctx, o, dir)
	if err != nil {
		return "", err
	}
	kpm := RunKPM(ctx, dir)
	if err := ctx.Err(); err != nil {
		return "", err
	}
	return Category(ref, kpm), nil
}

// saveCase writes the program as a corpus case whose golden is the reference's result.
func saveCase(ctx context.Context, o *kcloracle.Oracle, p *Program, cat string, seed uint64, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	first := p.Files["main.k"]
	first.Stmts = append([]*Node{{Stmt: true, Fmt: fmt.Sprintf("# fuzz seed %d: %s", seed, cat)}}, first.Stmts...)
	if err := p.Write(dir); err != nil {
		return err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	ref, err := RunReference(ctx, o, abs)
	if err != nil {
		return err
	}
	if ref.Err != nil {
		return os.WriteFile(filepath.Join(dir, "stderr.golden"), []byte(ref.Err.Error()+"\n"), 0o644)
	}
	return os.WriteFile(filepath.Join(dir, "stdout.golden"), []byte(ref.Output), 0o644)
}

// Report prints the counts per category, scaled to 10,000 programs.
func (st *Stats) Report(w io.Writer) {
	fmt.Fprintf(w, "%d programs, %d diverging (%.0f per 10,000), %d reference crashes, %d timeouts\n",
		st.Programs, st.Diverging, per10k(st.Diverging, st.Programs), st.Crashes, st.Timeouts)
	cats := make([]string, 0, len(st.ByCategory))
	for c := range st.ByCategory {
		cats = append(cats, c)
	}
	sort.Slice(cats, func(i, j int) bool {
		if st.ByCategory[cats[i]] != st.ByCategory[cats[j]] {
			return st.ByCategory[cats[i]] > st.ByCategory[cats[j]]
		}
		return cats[i] < cats[j]
	})
	for _, c := range cats {
		fmt.Fprintf(w, "%7.0f  %s\n", per10k(st.ByCategory[c], st.Programs), c)
	}
}

func per10k(n, total int) float64 {
	if total == 0 {
		return 0
	}
	return float64(n) * 10000 / float64(total)
}
