package kcl

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const billionLaughs = `import yaml
doc = """
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""
x = yaml.decode(doc)
`

// Hostile programs stop with an error naming the expression, within the memory budget.
func TestBudgetStopsHostilePrograms(t *testing.T) {
	const budget = 64 << 20
	tests := []struct {
		name, src string
		line, col int // col 0: not checked
		msg       string
	}{
		{"string repeat", "a = \"a\" * 10 ** 10\n", 1, 5, "memory budget"},
		{"list repeat", "a = [1] * 10 ** 10\n", 1, 5, "memory budget"},
		{"range", "a = range(0, 10 ** 18)\n", 1, 5, "memory budget"},
		{"range in a comprehension", "a = [x for x in range(0, 10 ** 18)]\n", 1, 17, "memory budget"},
		{"format width", "a = '{:>10000000000}'.format(1)\n", 1, 5, "memory budget"},
		{"replace", "s = 'a' * 1000000\na = s.replace('', s)\n", 2, 5, "memory budget"},
		{"doubling concatenation", "f = lambda s, n {\n    f(s + s, n - 1) if n > 0 else s\n}\na = f('ab', 64)\n", 2, 7, "memory budget"},
		{"gradual growth", "a = [[i for i in range(100000)] for _ in range(100000)]\n", 1, 0, "memory budget"}, // col: wherever the poll falls
		{"repetition deep-copies its items", "a = [1] * 100000\nb = [a] * 100000\n", 2, 5, "memory budget"},
		{"shared values written out", "a = [1] * 100000\nb = [a for _ in range(100000)]\n", 2, 1, "memory budget"},
		{"billion laughs", billionLaughs, 13, 1, "too many values through its aliases"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "main.k")
			require.NoError(t, os.WriteFile(file, []byte(tt.src), 0o644))
			_, err := Run(context.Background(), Options{Dir: dir, MaxMemory: budget})
			var ke *Error
			require.ErrorAs(t, err, &ke)
			assert.Equal(t, KindEvaluation, ke.Kind)
			assert.Contains(t, ke.Msg, tt.msg)
			assert.Equal(t, file, ke.File)
			assert.Equal(t, tt.line, ke.Line, "line")
			if tt.col > 0 {
				assert.Equal(t, tt.col, ke.Col, "col")
			}
		})
	}
}

// A program within the budget is unaffected by it.
func TestBudgetAllowsOrdinaryPrograms(t *testing.T) {
	dir := t.TempDir()
	src := "a = len('x' * 100000 + '{:>1000}'.format('y'))\nb = len([i for i in range(100000)])\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.k"), []byte(src), 0o644))
	res, err := Run(context.Background(), Options{Dir: dir, MaxMemory: 64 << 20})
	require.NoError(t, err)
	assert.Equal(t, "a: 101000\nb: 100000\n", res.Output)
}

// Cancelling the context stops a running evaluation (the evaluator polls it), wherever it loops.
func TestRunStopsWhenCancelled(t *testing.T) {
	programs := map[string]string{
		"comprehension": "a = [[i for i in range(1000)] for _ in range(10000000)]\n",
		"recursion":     "f = lambda n { [f(n - 1), f(n - 1)] if n > 0 else 0 }\na = f(60)\n",
	}
	for name, src := range programs {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "main.k"), []byte(src), 0o644))
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(200*time.Millisecond, cancel)
			_, err := Run(ctx, Options{Dir: dir})
			var ke *Error
			require.ErrorAs(t, err, &ke)
			assert.Equal(t, "evaluation cancelled: context canceled", ke.Msg)
			assert.Positive(t, ke.Line)
			assert.True(t, strings.HasSuffix(ke.File, "main.k"))
		})
	}
}

// cancelledAfter is a context whose Err reports cancellation from its (after+1)-th call: it
// cancels at a known poll, not at a time.
type cancelledAfter struct {
	context.Context
	calls, after int
}

func (c *cancelledAfter) Err() error {
	if c.calls++; c.calls > c.after {
		return context.Canceled
	}
	return nil
}

// TestRunStopsWhileParsing: parsing a large main package polls the context too (Ctrl-C during
// the seconds a file of millions of statements takes to parse): the run stops at the first poll,
// before any statement has run, naming where the parse was.
func TestRunStopsWhileParsing(t *testing.T) {
	var b strings.Builder
	b.WriteString("a = print(\"started\")\n")
	for i := range 3 * pollEvery {
		fmt.Fprintf(&b, "b%d = %d\n", i, i)
	}
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.k"), []byte(b.String()), 0o644))
	var printed strings.Builder
	// the first call is Run's own look before it starts; the second the parse's first poll
	_, err := Run(&cancelledAfter{Context: context.Background(), after: 1}, Options{Dir: dir, Stdout: &printed})
	var ke *Error
	require.ErrorAs(t, err, &ke)
	assert.Equal(t, "evaluation cancelled: context canceled", ke.Msg)
	assert.Equal(t, pollEvery, ke.Line, "the statement the parse had reached")
	assert.True(t, strings.HasSuffix(ke.File, "main.k"))
	assert.Empty(t, printed.String(), "no statement ran")
}
