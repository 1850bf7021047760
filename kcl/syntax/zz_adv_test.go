package syntax

import (
	"strings"
	"testing"
	"time"
)

func TestAdversarialTiming(t *testing.T) {
	n := 200000
	cases := map[string]string{
		"parens":      "a = " + strings.Repeat("(", n),
		"brackets":    "a = " + strings.Repeat("[", n),
		"braces":      "a = " + strings.Repeat("{", n),
		"lambdas":     "a = " + strings.Repeat("lambda {", n),
		"indent":      func() string { var b strings.Builder; for i := 0; i < 5000; i++ { b.WriteString(strings.Repeat(" ", i) + "if a:\n") }; return b.String() }(),
		"interp":      "a = \"" + strings.Repeat("${a}", n) + "\"",
		"interpnest":  "a = \"" + strings.Repeat("${", n) + "\"",
		"bangs":       strings.Repeat("!", n),
		"unary":       "a = " + strings.Repeat("-", n) + "1",
		"not":         "a = " + strings.Repeat("not ", n) + "1",
		"pow":         "a = " + strings.Repeat("2 ** ", n) + "1",
		"ternary":     "a = " + strings.Repeat("1 if 2 else ", n) + "1",
		"quant":       "a = " + strings.Repeat("all x in ", n),
		"listif":      "a = [" + strings.Repeat("if a: ", n),
		"configif":    "a = {" + strings.Repeat("if a: ", n),
		"dots":        "a = " + strings.Repeat("a.", n) + "b",
		"calls":       "a = f" + strings.Repeat("(", n),
		"strings":     strings.Repeat("'", n),
		"tristrings":  strings.Repeat("'''", n),
		"newlines":    strings.Repeat("\n", n),
		"commas":      "a = [" + strings.Repeat(",", n) + "]",
		"schemas":     strings.Repeat("schema A:\n", n/10),
		"decorators":  strings.Repeat("@a\n", n),
		"dedents":     func() string { var b strings.Builder; for i := 0; i < 2000; i++ { b.WriteString(strings.Repeat(" ", i) + "a = 1\n") }; return b.String() }(),
		"escapes":     "a = \"" + strings.Repeat("\\x", n) + "\"",
		"types":       "a: " + strings.Repeat("[", n),
		"uniontypes":  "a: " + strings.Repeat("int | ", n) + "int = 1",
		"subscripts":  "a = b" + strings.Repeat("[1]", n),
		"questions":   "a = b" + strings.Repeat("?", n),
		"semicolons":  strings.Repeat(";", n),
		"elifs":       "if a: b\n" + strings.Repeat("elif a: b\n", n/10),
	}
	for name, src := range cases {
		start := time.Now()
		_, errs := ParseFile("adv.k", []byte(src))
		d := time.Since(start)
		t.Logf("%-12s %8d bytes %10v errors=%d", name, len(src), d, len(errs))
	}
}
