package kcl

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files with the current output")

// StaticCheck is check.Program, which kpm run passes as Options.Check; the goldens are what kpm
// run prints, so they run with it. The checker imports the engine: only the external test
// package can reach it, and static_check_test.go sets it.
var StaticCheck func(context.Context, Program) error

// TestGolden runs every testdata/eval/<case>/main.k and compares its output with stdout.golden,
// or its error with stderr.golden. A case may hold settings.txt lines: `-D key=value`, `-S path`,
// `--format json`, `--sort-keys`, `--disable-none`, `--show-hidden`, `-f entry.k` (instead of the whole directory).
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "eval", "*"))
	require.NoError(t, err)
	require.NotEmpty(t, dirs)
	require.NotNil(t, StaticCheck, "static_check_test.go sets StaticCheck")
	for _, dir := range dirs {
		dir := dir
		t.Run(filepath.Base(dir), func(t *testing.T) {
			opts := Options{Dir: dir, Args: map[string]string{}, Check: StaticCheck}
			if b, err := os.ReadFile(filepath.Join(dir, "settings.txt")); err == nil {
				applySettings(t, &opts, string(b))
			}
			for i, f := range opts.Files {
				opts.Files[i] = filepath.Join(dir, f)
			}
			res, err := Run(context.Background(), opts)
			var got, golden string
			if err != nil {
				golden = filepath.Join(dir, "stderr.golden")
				got = relErr(err, dir) + "\n"
			} else {
				golden = filepath.Join(dir, "stdout.golden")
				got = res.Printed + res.Output
			}
			if *update {
				os.Remove(filepath.Join(dir, "stdout.golden"))
				os.Remove(filepath.Join(dir, "stderr.golden"))
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
				return
			}
			want, rerr := os.ReadFile(golden)
			if rerr != nil {
				t.Fatalf("unexpected result (no %s):\n%s", filepath.Base(golden), got)
			}
			require.Equal(t, string(want), got)
		})
	}
}

func relErr(err error, dir string) string {
	abs, _ := filepath.Abs(dir)
	s := err.Error()
	s = strings.ReplaceAll(s, abs+string(filepath.Separator), "")
	s = strings.ReplaceAll(s, dir+string(filepath.Separator), "")
	var ke *Error
	if !errors.As(err, &ke) {
		return s
	}
	return s
}

func applySettings(t *testing.T, o *Options, s string) {
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "-D":
			k, v, _ := strings.Cut(strings.Join(f[1:], " "), "=")
			o.Args[k] = v
		case "-S":
			o.PathSelectors = append(o.PathSelectors, f[1])
		case "--format":
			o.Format = f[1]
		case "--sort-keys":
			o.SortKeys = true
		case "--disable-none":
			o.DisableNone = true
		case "--show-hidden":
			o.ShowHidden = true
		case "-r":
			o.StrictRangeCheck = true
		case "-f": // entry file, relative to the case directory
			o.Files = append(o.Files, f[1])
		default:
			t.Fatalf("unknown setting %q", line)
		}
	}
}
