package check

import (
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The expected errors are what kcl-lib 0.13.2 reports for the same packages (its first error,
// and the later ones it lists).
func TestCheckImmutableAsTheReference(t *testing.T) {
	const (
		changed = "ImmutableError: Can not change the value of "
		aug     = "ImmutableError: Immutable variable "
	)
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"reassignment", map[string]string{"main.k": "a = 1\na = 2\n"},
			[]string{"main.k:2:1: " + changed + "'a', because it was declared immutable"}},
		{"both branches of a top-level if", map[string]string{"main.k": "x = 0\nif x > 3:\n    r = 1\nelif x > 1:\n    r = 2\nelse:\n    r = 3\n"},
			[]string{"main.k:5:5: " + changed + "'r', because it was declared immutable", "main.k:7:5: " + changed + "'r', because it was declared immutable"}},
		{"private names change", map[string]string{"main.k": "_a = 1\n_a = 2\nif True:\n    _a = 3\n_a += 1\n"}, nil},
		{"one statement with two targets", map[string]string{"main.k": "a = a = 1\n"},
			[]string{"main.k:1:5: " + changed + "'a', because it was declared immutable"}},
		{"a dotted target assigns its first name", map[string]string{"main.k": "a = {}\na.b = 1\n"},
			[]string{"main.k:2:1: " + changed + "'a', because it was declared immutable"}},
		{"schema names are bound first", map[string]string{"main.k": "A = 1\nschema A:\n    x: int = 1\n"},
			[]string{"main.k:1:1: " + changed + "'A', because it was declared immutable"}},
		{"unification binds without being checked", map[string]string{"main.k": "schema S:\n    x?: int\na: S {}\na: S {x = 1}\nb = S {}\nb: S {x = 1}\nc: S {}\nc = S {}\n"},
			[]string{"main.k:8:1: " + changed + "'c', because it was declared immutable"}},
		{"loop variables are not top-level names", map[string]string{"main.k": "a = [1]\nb = [a for a in [1]]\n"}, nil},
		{"augmented assignment", map[string]string{"main.k": "a = [1]\na += [2]\n"},
			[]string{"main.k:2:1: " + aug + "'a' is modified during compiling"}},
		{"augmented assignment in a schema body", map[string]string{"main.k": "a = [1]\nschema S:\n    a: [int] = []\n    a += [1]\ns = S {}\n"},
			[]string{"main.k:4:5: " + aug + "'a' is modified during compiling"}},
		{"augmented assignment in a lambda", map[string]string{"main.k": "a = [1]\nf = lambda {\n    a += [2]\n    a\n}\n"},
			[]string{"main.k:3:5: " + aug + "'a' is modified during compiling"}},
		{"augmented assignment before the assignment", map[string]string{"main.k": "a += [1]\na = [2]\n"}, nil},
		{"names of other files", map[string]string{"a.k": "x = 1\ny = [1]\n", "b.k": "x = 2\ny += [2]\n"},
			[]string{"b.k:1:1: " + changed + "'x', because it was declared immutable", "b.k:2:1: " + aug + "'y' is modified during compiling"}},
		{"augmented assignment in an earlier file", map[string]string{"a.k": "schema S:\n    x: [int] = []\n    x += [1]\n", "b.k": "x = [1]\ns = S {}\n"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, tc.files)
			c := New(Config{Resolver: NewResolver(dir, nil, nil)})
			var names []string
			for name := range tc.files {
				names = append(names, name)
			}
			sort.Strings(names)
			var got []string
			for _, name := range names {
				info := c.Check(filepath.Join(dir, name))
				require.Empty(t, info.Syntax)
				for _, e := range errorLines(info) {
					got = append(got, name+":"+e)
				}
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

// An immutability error names where the variable was bound first (the editor shows it as
// related information), as the reference's second message does.
func TestCheckImmutableNamesTheFirstBinding(t *testing.T) {
	dir := writeFiles(t, map[string]string{"a.k": "x = 1\ny = [1]\n", "b.k": "x = 2\ny += [2]\n"})
	c := New(Config{Resolver: NewResolver(dir, nil, nil)})
	info := c.Check(filepath.Join(dir, "b.k"))
	require.Len(t, info.Errors, 2)
	for i, want := range []string{"The variable 'x' is declared here", "The variable 'y' is declared here firstly"} {
		require.Len(t, info.Errors[i].Related, 1)
		r := info.Errors[i].Related[0]
		assert.Equal(t, filepath.Join(dir, "a.k"), r.File)
		assert.Equal(t, i+1, int(r.Span.From.Line))
		assert.Equal(t, want, r.Msg)
	}
}
