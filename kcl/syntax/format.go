package syntax

import (
	"errors"
	"math"
	"strings"
)

// Format renders a parsed file in KCL's canonical layout, as `kpm fmt` and the language
// server format: the layout of Print (4-space indentation, spaces around operators, one
// config entry per line), keeping every comment, at most one blank line where the source
// had some, a blank line after the imports and around schema and rule definitions, and
// configs and lists on one line when they were written on one line. It refuses a file with
// syntax errors.
func Format(src []byte, filename string) ([]byte, error) {
	f, errs := ParseFile(filename, src)
	if len(errs) > 0 {
		return nil, errors.New(errs[0].Error())
	}
	pr := printer{fmt: &formatState{comments: f.Comments}}
	pr.file(f)
	out := pr.b.String()
	if !strings.HasSuffix(out, "\n") {
		out += "\n"
	}
	return []byte(out), nil
}

type formatState struct {
	comments []*Comment
	next     int   // the first comment not yet printed
	lastLine int32 // the source line of the last statement or comment printed
}

// line starts a new line at the current indentation (nothing at the start of the output).
func (pr *printer) line() {
	if pr.b.Len() == 0 {
		return
	}
	pr.nl()
}

// blank adds an empty line before the next line; never twice (lines are started by line(),
// so output ending in a newline already has one), nor first in a block or a bracket.
func (pr *printer) blank() {
	out := strings.TrimRight(pr.b.String(), " ")
	if out == "" || strings.HasSuffix(out, "\n") {
		return
	}
	switch out[len(out)-1] {
	case ':', '{', '[', '(':
		return
	}
	pr.b.WriteByte('\n')
}

// fmtLeading prints, each on its own line, the comments before offset off; it keeps one
// blank line where the source had one before a comment.
func (pr *printer) fmtLeading(off int32) bool {
	st := pr.fmt
	printed := false
	for st.next < len(st.comments) && st.comments[st.next].From.Offset < off {
		c := st.comments[st.next]
		if st.lastLine > 0 && c.From.Line > st.lastLine+1 {
			pr.blank()
		}
		pr.line()
		pr.w(c.Text)
		st.lastLine = c.From.Line
		st.next++
		printed = true
	}
	return printed
}

// fmtTrailing prints the comments on the line where a node ends after it, and then, on
// their own lines, comments left inside the node (inside an expression the layout does not
// place them): a comment is never dropped.
func (pr *printer) fmtTrailing(end Pos) {
	st := pr.fmt
	for st.next < len(st.comments) {
		c := st.comments[st.next]
		switch {
		case c.From.Line == end.Line && c.From.Offset >= end.Offset:
			pr.w(" " + c.Text)
		case c.From.Offset < end.Offset:
			pr.line()
			pr.w(c.Text)
		default:
			if end.Line > st.lastLine {
				st.lastLine = end.Line
			}
			return
		}
		st.lastLine = c.From.Line
		st.next++
	}
	if end.Line > st.lastLine {
		st.lastLine = end.Line
	}
}

func (pr *printer) fmtFile(f *File) {
	if f.Doc != nil {
		pr.fmtLeading(f.Doc.Pos().Offset)
		pr.line()
		pr.w(f.Doc.Raw)
		pr.fmtTrailing(f.Doc.End())
	}
	pr.fmtStmts(f.Body)
	pr.fmtLeading(math.MaxInt32)
	pr.b.WriteByte('\n')
}

// fmtStmts prints statements on their own lines at the current indentation.
func (pr *printer) fmtStmts(list []Stmt) {
	st := pr.fmt
	for i, s := range list {
		start := s.Pos()
		first := start.Line
		if st.next < len(st.comments) && st.comments[st.next].From.Offset < start.Offset {
			first = st.comments[st.next].From.Line
		}
		if i > 0 && (first > st.lastLine+1 || blankBetween(list[i-1], s, pr.indent)) {
			pr.blank()
		}
		if pr.fmtLeading(start.Offset) && start.Line > st.lastLine+1 {
			pr.blank()
		}
		pr.line()
		pr.stmt(s)
		pr.fmtTrailing(s.End())
	}
}

// blankBetween reports whether the canonical layout puts a blank line between two statements:
// after the imports, after schema and rule definitions at the top level.
func blankBetween(prev, next Stmt, indent int) bool {
	_, prevImport := prev.(*ImportStmt)
	_, nextImport := next.(*ImportStmt)
	if prevImport && !nextImport {
		return true
	}
	if indent > 0 {
		return false
	}
	return isDefinition(prev)
}

func isDefinition(s Stmt) bool {
	switch s.(type) {
	case *SchemaStmt, *RuleStmt:
		return true
	}
	return false
}

// hasComments reports whether comments start inside a node.
func (pr *printer) hasComments(n Node) bool {
	st := pr.fmt
	for i := st.next; i < len(st.comments); i++ {
		c := st.comments[i]
		if c.From.Offset >= n.End().Offset {
			return false
		}
		if c.From.Offset > n.Pos().Offset {
			return true
		}
	}
	return false
}

// fmtConfig prints a config on one line when it was written on one line and holds nothing that
// prints on lines of its own, else one entry per line with its comments.
func (pr *printer) fmtConfig(x *ConfigExpr) {
	if len(x.Entries) == 0 && !pr.hasComments(x) {
		pr.w("{}")
		return
	}
	if x.From.Line == x.To.Line && !pr.hasComments(x) && !printsOnSeveralLines(x) {
		pr.w("{")
		separated(x.Entries, ", ", pr.w, pr.entry)
		pr.w("}")
		return
	}
	fmtLines(pr, "{", "}", x.Entries, pr.entry, x.End())
}

// printsOnSeveralLines: x holds something that prints on lines of its own (an if entry, a list
// if item, a lambda body), so a config or list around it cannot stay on one line (formatting
// again would then break it up: the formatter must be idempotent).
func printsOnSeveralLines(x Node) bool {
	found := false
	Inspect(x, func(n Node) bool {
		switch n.(type) {
		case *ConfigIfEntry, *ListIfItem, *LambdaExpr:
			found = true
		}
		return !found
	})
	return found
}

// fmtList prints a list on one line when it was written on one line and holds nothing that
// prints on lines of its own, else one element per line with its comments.
func (pr *printer) fmtList(x *ListExpr) {
	multi := x.From.Line != x.To.Line || pr.hasComments(x) || printsOnSeveralLines(x)
	if !multi || len(x.Elts) == 0 {
		pr.list(x.Elts)
		return
	}
	fmtLines(pr, "[", "]", x.Elts, pr.expr, x.End())
}

// fmtLines prints items between open and close, one per line with their comments; end is the
// end of the bracketed expression (comments before its closing bracket stay inside).
func fmtLines[T Node](pr *printer, open, close string, items []T, print func(T), end Pos) {
	pr.w(open)
	pr.indent++
	for _, it := range items {
		pr.fmtLeading(it.Pos().Offset)
		pr.nl()
		print(it)
		pr.fmtTrailing(it.End())
	}
	pr.fmtLeading(end.Offset - 1)
	pr.indent--
	pr.nl()
	pr.w(close)
}
