package syntax

import (
	"fmt"
	"sort"
)

// Error is one syntax error: where it is and what is wrong, in words a KCL
// user understands. Error() renders "file:line:col: message".
type Error struct {
	Filename string
	Pos      Pos // start of the offending text
	End      Pos // end of the offending text (may equal Pos)
	Msg      string
	// Kind is the toolchain's error kind when it is not InvalidSyntax
	// (for example "CompileError" for too many loop variables).
	Kind string
}

func (e Error) Error() string {
	if e.Filename == "" {
		return fmt.Sprintf("%d:%d: %s", e.Pos.Line, e.Pos.Col, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.Filename, e.Pos.Line, e.Pos.Col, e.Msg)
}

// tokensFirst is the token errors, then the other errors on lines without one.
func tokensFirst(tokens, others []Error) []Error {
	if len(tokens) == 0 {
		return others
	}
	lines := map[int32]bool{}
	for _, e := range tokens {
		lines[e.Pos.Line] = true
	}
	out := tokens
	for _, e := range others {
		if !lines[e.Pos.Line] {
			out = append(out, e)
		}
	}
	return out
}

// sortErrors orders errors by position and drops exact duplicates and
// errors on the same line after the first one (one mistake, one error).
func sortErrors(errs []Error) []Error {
	if len(errs) < 2 {
		return errs
	}
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Pos.Offset < errs[j].Pos.Offset })
	out := errs[:1]
	for _, e := range errs[1:] {
		last := out[len(out)-1]
		if e.Pos.Line == last.Pos.Line {
			continue
		}
		out = append(out, e)
	}
	return out
}
