package kclfuzz

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/kpm-dev/kpm/internal/kcloracle"
	"github.com/kpm-dev/kpm/kcl"
	"github.com/kpm-dev/kpm/kcl/check"
)

// Outcome is what one engine did with a program: its printed output, or its first error.
type Outcome struct {
	Output string
	Err    *kcloracle.Error // File relative to the program's directory
}

// RunKPM evaluates the program in dir as kpm run does: the static checker first, then the engine.
func RunKPM(ctx context.Context, dir string) Outcome {
	res, err := kcl.Run(ctx, kcl.Options{Dir: dir, Check: check.Program})
	if err == nil {
		return Outcome{Output: res.Printed + res.Output}
	}
	var ke *kcl.Error
	var kes kcl.Errors
	switch {
	case errors.As(err, &kes) && len(kes) > 0:
		ke = kes[0]
	case errors.As(err, &ke):
	default:
		return Outcome{Err: &kcloracle.Error{Location: kcloracle.Location{Message: err.Error()}}}
	}
	return Outcome{Err: &kcloracle.Error{Kind: ke.Kind, Location: kcloracle.Location{
		File: relTo(dir, ke.File), Line: ke.Line, Col: ke.Col, Message: ke.Msg}}}
}

// RunReference evaluates the program in dir with the reference implementation.
func RunReference(ctx context.Context, o *kcloracle.Oracle, dir string) (Outcome, error) {
	res, err := o.Run(ctx, kcloracle.Request{WorkDir: dir, Dir: dir})
	if err != nil {
		return Outcome{}, err
	}
	if res.Err != nil {
		e := *res.Err
		e.File = relTo(dir, e.File)
		return Outcome{Output: res.Printed, Err: &e}, nil
	}
	return Outcome{Output: res.Printed + res.Output}, nil
}

func relTo(dir, file string) string {
	if rel, err := filepath.Rel(dir, file); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return file
}

// Category names the kind of a divergence so that programs diverging the same way count once:
// which side fails, the error kind and the message with names and values blotted out, or the
// shape of the first output line that differs. Empty means the engines agree.
func Category(ref, kpm Outcome) string {
	switch {
	case ref.Err == nil && kpm.Err == nil:
		if ref.Output == kpm.Output {
			return ""
		}
		r, k := firstDifference(ref.Output, kpm.Output)
		return "output: " + shape(r) + " | kpm: " + shape(k)
	case ref.Err != nil && kpm.Err == nil:
		return "kpm accepts: " + ref.Err.Kind + ": " + template(ref.Err.Message)
	case ref.Err == nil && kpm.Err != nil:
		return "kpm rejects: " + kpm.Err.Kind + ": " + template(kpm.Err.Message)
	case ref.Err.Kind != kpm.Err.Kind:
		// kpm's message is left out: what it reports instead follows from the program
		return fmt.Sprintf("error kind: %s: %s | kpm: %s", ref.Err.Kind, template(ref.Err.Message), kpm.Err.Kind)
	case ref.Err.File != kpm.Err.File || ref.Err.Line != kpm.Err.Line:
		return fmt.Sprintf("error line: %s: %s", ref.Err.Kind, template(ref.Err.Message))
	case strings.TrimSpace(ref.Err.Message) != strings.TrimSpace(kpm.Err.Message):
		// compared as the golden check compares them: the reference's rendering drops the
		// spaces around an assert message
		return fmt.Sprintf("error message: %s: %s | kpm: %s", ref.Err.Kind, template(ref.Err.Message), template(kpm.Err.Message))
	}
	return ""
}

func firstDifference(a, b string) (string, string) {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		} else {
			x = "<end>"
		}
		if i < len(bl) {
			y = bl[i]
		} else {
			y = "<end>"
		}
		if x != y {
			return x, y
		}
	}
	return "", ""
}

var (
	generatedName = regexp.MustCompile(`\b(?:_p|v|cfg|S|a|f|P|k|x|M|extraM)\d+(?:Mixin)?\b`) // the generator's names
	quoted        = regexp.MustCompile(`'[^'\n]*'|"[^"\n]*"`)
	number        = regexp.MustCompile(`\d+(\.\d+)?([eE][-+]?\d+)?`)
	spaces        = regexp.MustCompile(`\s+`)
)

// template keeps a message's words and blots out names, quoted text and numbers.
func template(msg string) string {
	msg = strings.SplitN(msg, "\n", 2)[0]
	msg = quoted.ReplaceAllString(msg, "'_'")
	msg = generatedName.ReplaceAllString(msg, "X")
	msg = number.ReplaceAllString(msg, "N")
	return truncate(spaces.ReplaceAllString(strings.TrimSpace(msg), " "), 90)
}

// shape is an output line with names and numbers blotted out but its punctuation and quoting kept.
func shape(line string) string {
	indent := len(line) - len(strings.TrimLeft(line, " "))
	line = generatedName.ReplaceAllString(line, "X")
	line = number.ReplaceAllString(line, "N")
	return truncate(strings.Repeat(" ", min(indent, 2))+strings.TrimSpace(line), 60)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
