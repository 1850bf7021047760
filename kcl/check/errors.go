package check

import (
	"fmt"

	"github.com/kpm-dev/kpm/kcl/syntax"
)

// Error kinds, as the reference toolchain names them.
const (
	KindCompile = "CompileError"
	KindType    = "TypeError"
	KindImport  = "CannotFindModule"
	KindSyntax  = "InvalidSyntax"

	KindIllegalAttribute = "IllegalAttributeError"
)

// Error is one finding of the checker, at the position the reference reports it.
type Error struct {
	Kind    string
	File    string
	Span    syntax.Span
	Msg     string
	Related []Related // further positions the reference shows (e.g. where an attribute is declared)
}

// Related is a secondary position of an error.
type Related struct {
	File string
	Span syntax.Span
	Msg  string
}

// Error renders "file:line:col: Kind: message", as kpm run prints errors.
func (e Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s: %s", e.File, e.Span.From.Line, e.Span.From.Col, e.Kind, e.Msg)
}

func (c *fileChecker) errorf(n syntax.Node, kind, format string, args ...any) *Error {
	return c.errorAt(spanOf(n), kind, format, args...)
}

func (c *fileChecker) errorAt(sp syntax.Span, kind, format string, args ...any) *Error {
	if !c.report || c.silent > 0 {
		return nil
	}
	c.info.Errors = append(c.info.Errors, Error{Kind: kind, File: c.unit.path, Span: sp, Msg: fmt.Sprintf(format, args...)})
	return &c.info.Errors[len(c.info.Errors)-1]
}

func spanOf(n syntax.Node) syntax.Span { return syntax.Span{From: n.Pos(), To: n.End()} }
