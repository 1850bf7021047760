package kcl

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kpm-dev/kpm/internal/kcloracle"
	"github.com/stretchr/testify/require"
)

var updateFromReference = flag.Bool("update-from-reference", false,
	"rewrite the goldens that disagree with the reference with what the reference prints (TestGolden then shows the engine's differences)")

// TestGoldenMatchesReference runs every testdata/eval case through the reference implementation
// (kcl-lib, see internal/kcloracle) and requires the case's golden to be what the reference prints:
// the same output, or an error of the same kind in the same file on the same line with the same
// message (kpm's golden keeps its own column). A case where kpm differs holds divergence.txt whose
// first line says why ("on purpose: ..." or "not yet fixed: ..."); the golden must then differ from
// the reference, so a divergence that goes away is noticed. A last line "kind-line" instead
// requires kind, file and line to agree and lets only the message differ.
func TestGoldenMatchesReference(t *testing.T) {
	oracle, err := kcloracle.Start(context.Background())
	require.NoError(t, err)
	t.Cleanup(func() { oracle.Close() })
	dirs, err := filepath.Glob(filepath.Join("testdata", "eval", "*"))
	require.NoError(t, err)
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			divergence, mode := readDivergence(t, dir)
			ref, err := oracle.Run(context.Background(), caseRequest(t, dir))
			require.NoError(t, err)
			if *updateFromReference && divergence == "" {
				writeReferenceGolden(t, dir, ref)
			}
			diff := referenceDiff(t, dir, ref, mode == "kind-line")
			switch {
			case divergence == "" || mode == "kind-line":
				require.Empty(t, diff)
			default:
				require.NotEmpty(t, diff, "the golden agrees with the reference: remove divergence.txt (%s)", divergence)
			}
		})
	}
}

// readDivergence returns the reason of a case's divergence.txt and its mode line, if any.
func readDivergence(t *testing.T, dir string) (reason, mode string) {
	b, err := os.ReadFile(filepath.Join(dir, "divergence.txt"))
	if err != nil {
		return "", ""
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	reason = strings.TrimSpace(lines[0])
	require.Regexp(t, `^(on purpose|not yet fixed): \S`, reason, "divergence.txt starts with the reason")
	if len(lines) > 1 {
		mode = strings.TrimSpace(lines[len(lines)-1])
		require.Equal(t, "kind-line", mode, "divergence.txt: the only mode is kind-line")
	}
	return reason, mode
}

// caseRequest is the oracle request for a case: its settings.txt as `kcl run` flags.
func caseRequest(t *testing.T, dir string) kcloracle.Request {
	abs, err := filepath.Abs(dir)
	require.NoError(t, err)
	opts := Options{Args: map[string]string{}}
	settings, _ := os.ReadFile(filepath.Join(dir, "settings.txt"))
	applySettings(t, &opts, string(settings))
	req := kcloracle.Request{WorkDir: abs, Files: opts.Files, Selectors: opts.PathSelectors, Format: opts.Format,
		SortKeys: opts.SortKeys, DisableNone: opts.DisableNone, ShowHidden: opts.ShowHidden, StrictRangeCheck: opts.StrictRangeCheck}
	if len(req.Files) == 0 {
		req.Dir = abs
	}
	for _, line := range strings.Split(string(settings), "\n") { // -D in order: the last one wins in both
		if f := strings.Fields(line); len(f) > 0 && f[0] == "-D" {
			req.Options = append(req.Options, strings.Join(f[1:], " "))
		}
	}
	return req
}

// referenceDiff says how a case's golden differs from the reference's result; empty when it agrees.
func referenceDiff(t *testing.T, dir string, ref *kcloracle.Result, kindLineOnly bool) string {
	abs, err := filepath.Abs(dir)
	require.NoError(t, err)
	refText := ref.Printed + ref.Output
	if ref.Err != nil {
		refText = ref.Err.Text
	}
	if stdout, err := os.ReadFile(filepath.Join(dir, "stdout.golden")); err == nil {
		if ref.Err != nil || string(stdout) != refText {
			return fmt.Sprintf("golden:\n%s\nreference:\n%s", stdout, refText)
		}
		return ""
	}
	stderr, err := os.ReadFile(filepath.Join(dir, "stderr.golden"))
	require.NoError(t, err, "a case has stdout.golden or stderr.golden")
	if ref.Err == nil {
		return fmt.Sprintf("golden:\n%s\nreference:\n%s", stderr, refText)
	}
	// messages are compared without the spaces around them (the reference's rendering drops a
	// trailing one: "Person was deprecated ")
	got, want := kpmError(t, string(stderr)), refError(ref.Err, abs)
	if got.Kind != want.Kind || got.File != want.File || got.Line != want.Line || !kindLineOnly && strings.TrimSpace(got.Message) != strings.TrimSpace(want.Message) {
		return fmt.Sprintf("golden:\n%s\nreference (%s):\n%s", stderr, want.Error(), refText)
	}
	return ""
}

// refError is the reference's error with file names relative to the case directory.
func refError(e *kcloracle.Error, abs string) kcloracle.Error {
	r := *e
	r.File = strings.TrimPrefix(r.File, abs+string(filepath.Separator))
	return r
}

// kpmErrorStart is the first line of one error in a stderr.golden: file:line:col: Kind[: message]
// (the message may go on over the next lines; several errors, or an error's notes
// "file:line:col: message", follow it).
var (
	kpmErrorStart = regexp.MustCompile(`(?m)^(?:([^\s:]+):(\d+):(\d+): )?([A-Z]\w*)(?:: |$)`)
	kpmPosition   = regexp.MustCompile(`(?m)^[^\s:]+:\d+:\d+: `)
)

// kpmError is the first error of a stderr.golden.
func kpmError(t *testing.T, text string) kcloracle.Error {
	text = strings.TrimRight(text, "\n")
	starts := kpmErrorStart.FindAllStringSubmatchIndex(text, -1)
	if len(starts) == 0 || starts[0][0] != 0 {
		return kcloracle.Error{Location: kcloracle.Location{Message: text}} // an error without a kind (bad input, not a program error)
	}
	m := starts[0]
	end := len(text)
	if next := kpmPosition.FindAllStringIndex(text, 2); len(next) > 1 {
		end = next[1][0] - 1
	}
	e := kcloracle.Error{Kind: text[m[8]:m[9]]}
	if m[2] >= 0 {
		e.File = text[m[2]:m[3]]
		e.Line, _ = strconv.Atoi(text[m[4]:m[5]])
		e.Col, _ = strconv.Atoi(text[m[6]:m[7]])
	}
	if m[1] < end {
		e.Message = text[m[1]:end]
	}
	return e
}

// writeReferenceGolden replaces a case's golden with the reference's result, unless it is an error
// that already agrees (kpm's golden keeps its own column and the later errors of several).
func writeReferenceGolden(t *testing.T, dir string, ref *kcloracle.Result) {
	if referenceDiff(t, dir, ref, false) == "" {
		return
	}
	os.Remove(filepath.Join(dir, "stdout.golden"))
	os.Remove(filepath.Join(dir, "stderr.golden"))
	if ref.Err != nil {
		abs, err := filepath.Abs(dir)
		require.NoError(t, err)
		want := refError(ref.Err, abs)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "stderr.golden"), []byte(want.Error()+"\n"), 0o644))
		return
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "stdout.golden"), []byte(ref.Printed+ref.Output), 0o644))
}
