package kclfuzz

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kpm-dev/kpm/internal/kcloracle"
	"github.com/stretchr/testify/require"
)

var (
	fuzzSeed     = flag.Uint64("kclfuzz.seed", 1, "seed of the first generated program")
	fuzzPrograms = flag.Int("kclfuzz.programs", 40, "programs to generate (0: until -kclfuzz.duration)")
	fuzzDuration = flag.Duration("kclfuzz.duration", 0, "stop after this long (0: after -kclfuzz.programs)")
	fuzzSave     = flag.Bool("kclfuzz.save", false, "save each new divergence, minimized, as a case in kcl/testdata/eval")
	fuzzMeasure  = flag.Bool("kclfuzz.measure", false, "only count the divergences by category (no minimizing, saving or failing)")
	fuzzCases    = flag.String("kclfuzz.cases", "", "the regression corpus (default: kcl/testdata/eval of this tree)")
	fuzzBudget   = flag.Int("kclfuzz.budget", 100, "runs of both engines per minimization")
	fuzzLenient  = flag.Bool("kclfuzz.lenient", false, "log new divergences (minimized) without failing")
)

// TestDifferential generates KCL programs, runs each through kpm's engine and the reference and
// fails on a divergence of a category the regression corpus has no case for (with -kclfuzz.save
// the minimized program is added to the corpus, with the reference's result as its golden).
// `go test` runs a short fixed-seed batch; scripts/test/kcl-oracle.sh and `make fuzz-kcl` run more.
func TestDifferential(t *testing.T) {
	o, err := kcloracle.Start(context.Background())
	require.NoError(t, err)
	t.Cleanup(func() { o.Close() })
	cases, err := filepath.Abs(filepath.Join("..", "..", "kcl", "testdata", "eval"))
	require.NoError(t, err)
	if *fuzzCases != "" {
		cases = *fuzzCases
	}
	t.Logf("seed %d", *fuzzSeed)
	cfg := Config{
		Seed: *fuzzSeed, Programs: *fuzzPrograms, Duration: *fuzzDuration,
		Cases: cases, Save: *fuzzSave, Log: testLog{t}, Scratch: t.TempDir(), Budget: *fuzzBudget,
	}
	if *fuzzMeasure {
		cfg.Cases, cfg.Save = "", false
	}
	st, err := Run(context.Background(), o, cfg)
	require.NoError(t, err)
	var b strings.Builder
	st.Report(&b)
	t.Log("\n" + b.String())
	require.Positive(t, st.Programs)
	if *fuzzMeasure {
		return
	}
	if *fuzzLenient {
		for _, c := range st.New {
			t.Logf("NEW DIVERGENCE (seed %d): %s", *fuzzSeed, c)
		}
		return
	}
	require.Empty(t, st.New, "new divergences (seed %d); rerun with -kclfuzz.save to add them to the corpus", *fuzzSeed)
}

type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func TestMinimizeKeepsTheProperty(t *testing.T) {
	p := Generate(11)
	// keep: main.k still has a statement assigning a list; the rest should go
	keep := func(c *Program) bool { return strings.Contains(c.Source("main.k"), "= [") }
	if !keep(p) {
		p.Files["main.k"].Stmts = append(p.Files["main.k"].Stmts, stmt("z = [%s]", expr(tInt, "(1 + 2)")))
	}
	small := Minimize(p, keep, 2000)
	require.True(t, keep(small))
	require.Less(t, small.Size(), p.Size())
	require.Len(t, small.Files["main.k"].Stmts, 1, small.Source("main.k"))
	require.Empty(t, small.Source("b.k")+small.Source("pkg/lib.k"))
}

func TestCategory(t *testing.T) {
	tests := []struct {
		name     string
		ref, kpm Outcome
		want     string
	}{
		{"agree", Outcome{Output: "a: 1\n"}, Outcome{Output: "a: 1\n"}, ""},
		{"output", Outcome{Output: "v12: 1\nx: 'y'\n"}, Outcome{Output: "v12: 1\nx: y\n"}, "output: x: 'y' | kpm: x: y"},
		{"kpm accepts", Outcome{Err: errOf("TypeError", 3, "attribute 'zfill' not found in 'str(42)'")}, Outcome{Output: "a: 1\n"},
			"kpm accepts: TypeError: attribute '_' not found in '_'"},
		{"kpm rejects", Outcome{Output: "a: 1\n"}, Outcome{Err: errOf("EvaluationError", 1, "v3 overflows 12")},
			"kpm rejects: EvaluationError: X overflows N"},
		{"kind", Outcome{Err: errOf("CompileError", 3, "name 'v3' is not defined")}, Outcome{Err: errOf("EvaluationError", 2, "index 3")},
			"error kind: CompileError: name '_' is not defined | kpm: EvaluationError"},
		{"line", Outcome{Err: errOf("EvaluationError", 3, "m")}, Outcome{Err: errOf("EvaluationError", 2, "m")}, "error line: EvaluationError: m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, Category(tt.ref, tt.kpm))
		})
	}
}

func errOf(kind string, line int, msg string) *kcloracle.Error {
	return &kcloracle.Error{Kind: kind, Location: kcloracle.Location{File: "main.k", Line: line, Message: msg}}
}

func TestRunFindsAndSavesADivergence(t *testing.T) {
	// the corpus is a temporary directory: every category is new there
	o, err := kcloracle.Start(context.Background())
	require.NoError(t, err)
	t.Cleanup(func() { o.Close() })
	cases := t.TempDir()
	st, err := Run(context.Background(), o, Config{Seed: 1, Programs: 15, Cases: cases, Save: true, Budget: 40, Timeout: time.Minute})
	require.NoError(t, err)
	require.Equal(t, 15, st.Programs)
	for _, c := range st.New {
		require.Contains(t, c, cases)
	}
	entries, err := os.ReadDir(cases)
	require.NoError(t, err)
	require.Len(t, entries, len(st.New))
	for _, e := range entries {
		_, errOut := os.Stat(filepath.Join(cases, e.Name(), "stdout.golden"))
		_, errErr := os.Stat(filepath.Join(cases, e.Name(), "stderr.golden"))
		require.True(t, errOut == nil || errErr == nil, "%s has a golden", e.Name())
	}
}
