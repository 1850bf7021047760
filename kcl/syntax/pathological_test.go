package syntax

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestPathologicalInputs feeds large degenerate inputs: the parser must
// finish, keep its positions consistent, and report few errors (a deep
// nesting is one mistake, not thousands). Valid-but-long constructs such as
// elif chains must not hit the nesting limit.
func TestPathologicalInputs(t *testing.T) {
	const n = 50000
	indented := func(lines int, stmt string) string {
		var b strings.Builder
		for i := 0; i < lines; i++ {
			b.WriteString(strings.Repeat(" ", i) + stmt + "\n")
		}
		return b.String()
	}
	tests := []struct {
		name    string
		src     string
		maxErrs int
		minErrs int
	}{
		{"deep parens", "a = " + strings.Repeat("(", n), 1, 1},
		{"deep lists", "a = " + strings.Repeat("[", n), 1, 1},
		{"deep configs", "a = " + strings.Repeat("{", n), 1, 1},
		{"deep lambdas", "a = " + strings.Repeat("lambda {", n), 1, 1},
		{"deep calls", "a = f" + strings.Repeat("(", n), 1, 1},
		{"deep types", "a: " + strings.Repeat("[", n), 1, 1},
		{"unary chain", "a = " + strings.Repeat("-", n) + "1", 1, 1},
		{"not chain (`not not` is not and a name, then a statement starts, as in the toolchain)", "a = " + strings.Repeat("not ", n) + "1", 0, 0},
		{"power chain (left-associative: no nesting)", "a = " + strings.Repeat("2 ** ", n) + "1", 0, 0},
		{"ternary chain", "a = " + strings.Repeat("1 if 2 else ", n) + "1", 1, 1},
		{"nested list ifs", "a = [" + strings.Repeat("if a: ", n), 1, 1},
		{"indentation staircase", indented(3000, "if a:"), 2, 1},
		{"unexpected indents", indented(3000, "a = 1"), 2, 1},
		{"long elif chain", "if a: b\n" + strings.Repeat("elif a: b\n", 5000) + "else: c\n", 0, 0},
		{"long list elif chain", "a = [if a: 1 " + strings.Repeat("elif b: 2 ", 5000) + "else: 3]\n", 0, 0},
		{"long config elif chain", "a = {if a: x = 1 " + strings.Repeat("elif b: x = 2 ", 5000) + "else: x = 3}\n", 0, 0},
		{"long dotted name", "a = " + strings.Repeat("a.", n) + "b\n", 0, 0},
		{"long subscript chain", "a = b" + strings.Repeat("[1]", n) + "\n", 0, 0},
		{"long union type", "a: " + strings.Repeat("int | ", n) + "int = 1\n", 0, 0},
		{"many interpolations", "a = \"" + strings.Repeat("${a}", n) + "\"\n", 0, 0},
		{"many unterminated interpolations", "a = \"" + strings.Repeat("${", n) + "\"\n", 1, 1},
		{"many bad escapes", "a = \"" + strings.Repeat("\\x", n) + "\"\n", 1, 1},
		{"many invalid characters", strings.Repeat("!", n), 1, 1},
		{"many quotes: adjacent empty strings", strings.Repeat("'", n), 0, 0},
		{"many quotes: the last one unterminated", strings.Repeat("'", n+1), 1, 1},
		{"many semicolons", strings.Repeat(";", n), 0, 0},
		{"many decorators", strings.Repeat("@a\n", n), 1, 1},
		{"lambda closed by dedent inside a lambda without a body line", "a = lambda { b = lambda {\n        x\n    y\n}\nc = 1\n", 2, 1},
		{"nested lambdas closed by one dedent", "a = lambda {\n    b = lambda {\n        x\nc = 1\n", 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := []byte(tt.src)
			f, errs := ParseFile("p.k", src)
			assert.LessOrEqual(t, len(errs), tt.maxErrs, "errors: %v", firstErrs(errs))
			assert.GreaterOrEqual(t, len(errs), tt.minErrs)
			assert.NoError(t, checkTree(src, f, errs))
		})
	}
}

func firstErrs(errs []Error) []Error {
	if len(errs) > 3 {
		return errs[:3]
	}
	return errs
}
