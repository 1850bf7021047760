package syntax

import (
	"math/rand"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMutatedCorpus complements the fuzz targets with structure-aware
// mutations: corpus files with brackets, keywords, indentation, quotes and
// interpolations inserted, deleted or overwritten (fixed seed, so the run
// is reproducible). Every mutant must parse without panicking, with
// consistent positions; error-free mutants must survive a print/parse
// round trip.
func TestMutatedCorpus(t *testing.T) {
	var seeds [][]byte
	for _, name := range corpusFiles(t) {
		src, err := os.ReadFile(name)
		require.NoError(t, err)
		seeds = append(seeds, src)
	}
	frags := []string{
		"(", ")", "[", "]", "{", "}", ":", "\n", "    ", "\t", "if ", "else", "elif ", "lambda ", "lambda {",
		"for ", " in ", "'", "\"", "'''", "${", "}", "\\", "**", "*", ",", "=", "@", "?", ".", "...", "all ",
		"rule ", "mixin ", "schema ", "check:", "1Ki", "#", "not ", "-", "|", "+=", "$", "\r\n", "\n    x = 1\n",
		"\n        y\n", "lambda x {\n", "\n}\n",
	}
	seed := int64(20261126)
	if s := os.Getenv("KCL_MUTATION_SEED"); s != "" { // explore other seeds locally
		v, err := strconv.ParseInt(s, 10, 64)
		require.NoError(t, err)
		seed = v
	}
	r := rand.New(rand.NewSource(seed))
	n := 10000
	if testing.Short() {
		n = 2000
	}
	valid := 0
	for i := 0; i < n; i++ {
		src := append([]byte(nil), seeds[r.Intn(len(seeds))]...)
		for k := r.Intn(4) + 1; k > 0 && len(src) > 0; k-- {
			at := r.Intn(len(src))
			switch r.Intn(3) {
			case 0:
				f := frags[r.Intn(len(frags))]
				src = append(src[:at], append([]byte(f), src[at:]...)...)
			case 1:
				end := min(len(src), at+r.Intn(12))
				src = append(src[:at], src[end:]...)
			default:
				src[at] = byte(32 + r.Intn(95))
			}
		}
		f, errs := ParseFile("m.k", src)
		if err := checkTree(src, f, errs); err != nil {
			t.Fatalf("mutant %d: %v\n%s", i, err, src)
		}
		if len(errs) > 0 {
			continue
		}
		valid++
		out := Print(f)
		g, errs2 := ParseFile("printed.k", []byte(out))
		if len(errs2) > 0 || sx(f) != sx(g) {
			t.Fatalf("mutant %d does not survive a round trip (%v):\n%s\nprinted:\n%s", i, errs2, src, out)
		}
	}
	t.Logf("%d mutants, %d without errors", n, valid)
	require.Greater(t, valid, n/20, "the mutation mix should keep some programs valid")
}
