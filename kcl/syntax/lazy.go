package syntax

// Statements parsed again on demand (issue 14): kpm run on a file of millions of statements must
// not hold the whole syntax tree, which is most of its memory, while the checker declares the
// globals and the evaluator indexes them; each statement's tree is made when it is checked or run
// and let go after.

// lazyBody is what a file parsed by ParseFileFunc needs to parse a released statement again: the
// source, and where each releasable statement starts.
type lazyBody struct {
	src    []byte
	starts []lineStart
	// the scanner and parser File.Stmt uses again for each statement: a statement parsed again
	// costs its tree, not a new scanner, parser and intern map
	s scanner
	p parser
}

// lineStart is where a releasable statement starts: the offset of its line (it starts at column
// 1) and the line number; line 0 for a statement that is not releasable.
type lineStart struct{ off, line int32 }

// ParseFileFunc parses like ParseFile and hands each top-level statement of File.Body to visit as
// soon as it is parsed, with its index in Body (a leading docstring is File.Doc, not visited).
// When visit returns true and the statement can be parsed again on its own (a simple statement
// alone on its lines, starting at column 1, in a file without errors so far), its tree is not
// kept: Body holds nil in its place, and File.Stmt parses it again when asked.
func ParseFileFunc(filename string, src []byte, visit func(i int, st Stmt) (release bool)) (*File, []Error) {
	if visit == nil {
		visit = func(int, Stmt) bool { return false }
	}
	return parse(filename, src, visit)
}

// visited hands the statement just appended to the top-level list to the visitor, and releases it
// when the visitor is done with it.
func (p *parser) visited(list []Stmt) {
	i := len(list) - 1
	if doc, _ := takeDoc(list[:1]); doc != nil {
		if i == 0 {
			return // the file's docstring, File.Doc
		}
		i--
	}
	st := list[len(list)-1]
	var from lineStart
	if p.reparsable(st) {
		from = lineStart{st.Pos().Offset, st.Pos().Line}
	}
	p.lazy.starts = append(p.lazy.starts, from)
	if p.visit(i, st) && from.line > 0 {
		list[len(list)-1] = nil
	}
}

// reparsable reports whether st, just parsed, parses the same on its own: a simple statement
// starting a line and ending one, the scanner then at the top level, and no error so far (an error
// can leave the scanner inside brackets or an indented block).
func (p *parser) reparsable(st Stmt) bool {
	switch st.(type) {
	case *AssignStmt, *AugAssignStmt, *UnificationStmt, *ExprStmt, *AssertStmt, *TypeAliasStmt:
	default:
		return false
	}
	if len(p.errs) > 0 || len(p.s.errs) > 0 || len(p.s.parseErrs) > 0 || st.Pos().Col != 1 {
		return false
	}
	// nothing but blanks and a comment after it on its last line: `a = 1; b = 2` shares a line
	for off := int(st.End().Offset); off < len(p.src) && p.src[off] != '\n'; off++ {
		switch p.src[off] {
		case ' ', '\t', '\r', '\f':
			continue
		case '#':
			return true
		}
		return false
	}
	return true
}

// Stmt returns Body[i]; a statement released by ParseFileFunc or Release is parsed again from the
// source and kept in Body[i], so that its pointer is the same until it is released again. Like
// the rest of a File, it is not safe for concurrent use.
func (f *File) Stmt(i int) Stmt {
	if st := f.Body[i]; st != nil || f.lazy == nil || i >= len(f.lazy.starts) || f.lazy.starts[i].line == 0 {
		return st
	}
	l := f.lazy
	from := l.starts[i]
	names := l.s.names
	if names == nil {
		names = make(map[string]nameEntry)
	}
	clear(names)
	l.s = scanner{filename: f.Filename, src: l.src, off: int(from.off), line: int(from.line), lineOff: int(from.off),
		ctx: append(l.s.ctx[:0], scanCtx{block: true, baseSet: true, indents: []string{""}}), pending: l.s.pending[:0],
		atLineStart: true, lastKind: NEWLINE, names: names}
	l.p = parser{filename: f.Filename, src: l.src, s: &l.s, lineStarts: l.p.lineStarts[:0]}
	l.p.next()
	st := l.p.parseStmt(ctxModule)
	f.Body[i] = st
	return st
}

// Release drops the tree of Body[i] when it can be parsed again (see ParseFileFunc), and reports
// whether it did; the statements of a file parsed by ParseFile are never released.
func (f *File) Release(i int) bool {
	if f.lazy == nil || i >= len(f.lazy.starts) || f.lazy.starts[i].line == 0 {
		return false
	}
	f.Body[i] = nil
	return true
}
