package kcl

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kpm-dev/kpm/kcl/syntax"
)

// Error kinds, as the KCL toolchain names them.
const (
	KindSyntax          = "InvalidSyntax"
	KindType            = "TypeError"
	KindEvaluation      = "EvaluationError"
	KindSchemaCheck     = "EvaluationError"
	KindAssertion       = "EvaluationError" // the toolchain reports a failed assert as an EvaluationError
	KindCannotAddMember = "CompileError"
	KindImmutable       = "ImmutableError"
	KindName            = "CompileError"
	KindAttribute       = "EvaluationError"
	KindImport          = "CannotFindModule"
	KindCompile         = "CompileError"
	KindUniqueKey       = "UniqueKeyError"
	KindValue           = "EvaluationError"
	KindIndex           = "EvaluationError"
	KindKey             = "EvaluationError"
	KindRecursion       = "EvaluationError"
	KindDeprecated      = "EvaluationError"
	KindZeroDivision    = "EvaluationError"
)

// Error is one evaluation or compile error, positioned in a source file.
type Error struct {
	Kind string
	File string
	Line int
	Col  int
	Msg  string
	// Notes are further positions the error concerns (the failed condition of an instance check).
	Notes []Note
}

// Note is a position an error points at besides its own, with what is wrong there.
type Note struct {
	File string
	Line int
	Col  int
	Msg  string
}

// Error renders "file:line:col: Kind: message", then one "file:line:col: message" line per note.
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d:%d", e.Line, e.Col)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Kind)
	if e.Msg != "" {
		b.WriteString(": ")
		b.WriteString(e.Msg)
	}
	for _, n := range e.Notes {
		fmt.Fprintf(&b, "\n%s:%d:%d: %s", n.File, n.Line, n.Col, n.Msg)
	}
	return b.String()
}

// Errors is several errors (for example every syntax error of a package).
type Errors []*Error

func (es Errors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// panicErr is what the evaluator panics with; Run recovers it.
type panicErr struct{ err *Error }

type srcPos struct {
	file string
	line int
	col  int
}

// ErrorList returns the KCL errors in err (an *Error or Errors, possibly wrapped), or nil.
func ErrorList(err error) []*Error {
	var many Errors
	var one *Error
	switch {
	case errors.As(err, &many):
		return many
	case errors.As(err, &one):
		return []*Error{one}
	}
	return nil
}

func posOf(file string, n syntax.Node) srcPos {
	if n == nil {
		return srcPos{file: file}
	}
	p := n.Pos()
	return srcPos{file: file, line: int(p.Line), col: int(p.Col)}
}

func (e *evaluator) throwAt(p srcPos, kind, format string, args ...any) {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	panic(panicErr{&Error{Kind: kind, File: p.file, Line: p.line, Col: p.col, Msg: msg}})
}

// throw raises an error at the position of the node being evaluated; run-time errors
// (EvaluationError) are reported at the statement being executed, as the toolchain does.
func (e *evaluator) throw(kind, format string, args ...any) {
	if kind == KindEvaluation && e.lastPos.line > 0 {
		e.throwAt(e.lastPos, kind, format, args...)
	}
	e.throwAt(e.pos, kind, format, args...)
}
