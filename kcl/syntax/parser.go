package syntax

import (
	"fmt"
	"math"
	"strings"
	"unsafe"
)

// maxDepth bounds the nesting of expressions, types and blocks. Deeper
// input is reported as an error instead of exhausting the stack.
const maxDepth = 500

// MaxSource is the largest source file the parser takes: positions hold 32-bit byte offsets,
// lines and columns, which keeps every syntax node small.
const MaxSource = math.MaxInt32

// ParseFile parses one KCL source file. It always returns a File (possibly
// partial, with Bad* nodes where parsing failed) and the syntax errors, at
// most one per line: as the toolchain orders them, those of the tokens
// (characters, numbers, strings) first, then the others, each by position.
// The parser never panics and always terminates.
func ParseFile(filename string, src []byte) (*File, []Error) {
	return parse(filename, src, nil)
}

func parse(filename string, src []byte, visit func(i int, st Stmt) bool) (*File, []Error) {
	if len(src) > MaxSource {
		start := Pos{Line: 1, Col: 1}
		return &File{Filename: filename, Span: Span{start, start}}, []Error{{Filename: filename, Pos: start, End: start,
			Msg: fmt.Sprintf("the file is %d bytes, more than the limit of %d (2 GiB)", len(src), MaxSource)}}
	}
	p := newParser(filename, src, newScanner(filename, src))
	p.visit = visit
	f := p.parseFile()
	return f, tokensFirst(sortErrors(p.s.errs), sortErrors(append(p.s.parseErrs, p.errs...)))
}

type parser struct {
	filename string
	src      []byte
	s        *scanner

	tok     token  // current token
	prev    token  // last consumed token other than NEWLINE, INDENT, DEDENT
	peeked  *token // one token of lookahead, when requested (&peekBuf)
	peekBuf token
	errs    []Error
	quiet   bool // an error was reported in the current statement: stay quiet until the next one
	depth   int
	tooDeep bool

	stopNL      bool // inside config/list entries: a token on a new line ends the expression
	noBrace     bool // `Name {` is not a schema expression (quantifier targets, lambda defaults)
	lambdaDepth int
	strayIndent bool    // inside a block reported as an unexpected indentation
	resynced    bool    // unclosed brackets were dropped: unwind to the statement level
	suppressed  int     // errors not reported because of quiet
	blockDepth  int     // scanner depth of the innermost lambda body being parsed
	lineStarts  []token // tokens that start a line inside brackets, since the current top-level statement

	visit func(i int, st Stmt) bool // ParseFileFunc's
	lazy  *lazyBody                 // where released statements start, with ParseFileFunc
}

func newParser(filename string, src []byte, s *scanner) *parser {
	p := &parser{filename: filename, src: src, s: s}
	p.next()
	return p
}

// ---------------------------------------------------------------------------
// token handling and errors

func (p *parser) next() {
	switch p.tok.kind {
	case NEWLINE, INDENT, DEDENT, EOF:
	default:
		p.prev = p.tok
	}
	if p.peeked != nil {
		p.tok = *p.peeked
		p.peeked = nil
		if p.tok.nl {
			p.lineStarts = append(p.lineStarts, p.tok)
		}
		return
	}
	p.tok = p.s.next()
	if p.tok.kind == ILLEGAL {
		// the scanner reported it; do not pile a parse error on top
		p.quiet = true
	}
	if p.tok.nl {
		p.lineStarts = append(p.lineStarts, p.tok)
	}
}

func (p *parser) peek() token {
	if p.peeked == nil {
		p.peekBuf = p.s.next()
		p.peeked = &p.peekBuf
	}
	return *p.peeked
}

func (p *parser) got(k Token) bool {
	if p.tok.kind == k {
		p.next()
		return true
	}
	return false
}

func (p *parser) errorAt(pos, end Pos, format string, args ...any) {
	if p.quiet {
		p.suppressed++
		return
	}
	p.quiet = true
	p.errs = append(p.errs, Error{Filename: p.filename, Pos: pos, End: end, Msg: fmt.Sprintf(format, args...)})
}

// compileErrorAt reports an error the toolchain's parser accepts but its
// compiler rejects (kind CompileError).
func (p *parser) compileErrorAt(pos, end Pos, format string, args ...any) {
	if p.quiet {
		p.suppressed++
		return
	}
	p.quiet = true
	p.errs = append(p.errs, Error{Filename: p.filename, Pos: pos, End: end, Msg: fmt.Sprintf(format, args...), Kind: "CompileError"})
}

// errorExpected reports "expected WHAT, found TOKEN" at the current token.
func (p *parser) errorExpected(what string) {
	p.errorAt(p.tok.pos, p.tok.end, "expected %s, found %s", what, describe(p.tok))
}

// expect consumes a token of kind k or reports "expected 'k' CONTEXT, found X".
func (p *parser) expect(k Token, context string) Pos {
	pos := p.tok.pos
	if p.tok.kind == k {
		p.next()
		return pos
	}
	what := "'" + k.String() + "'"
	if k == NEWLINE {
		what = "a new line"
	}
	if context != "" {
		what += " " + context
	}
	p.errorExpected(what)
	return pos
}

// errorExpectedOneOf reports the toolchain's `expected one of ["a", "b"] got X` at the
// current token, for the errors where kpm matches the toolchain's message.
func (p *parser) errorExpectedOneOf(want ...string) {
	var b strings.Builder
	for i, w := range want {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", w)
	}
	p.errorAt(p.tok.pos, p.tok.end, "expected one of [%s] got %s", b.String(), refToken(p.tok))
}

// refToken renders a token as the toolchain's messages do: a literal by its text, a name or
// keyword as "identifier", punctuation by itself.
func refToken(t token) string {
	switch t.kind {
	case EOF:
		return "eof"
	case NEWLINE:
		return "newline"
	case INDENT:
		return "indent"
	case DEDENT:
		return "dedent"
	case IDENT:
		return "identifier"
	case INT, FLOAT, STRING, ILLEGAL:
		return t.lit
	}
	if t.kind.IsKeyword() {
		return "identifier"
	}
	return t.kind.String()
}

// expectOneOf consumes a token of kind k or reports the toolchain's `expected one of ["k"] got X`.
func (p *parser) expectOneOf(k Token) Pos {
	pos := p.tok.pos
	if !p.got(k) {
		p.errorExpectedOneOf(k.String())
	}
	return pos
}

// describe renders a token for "found ..." in messages.
func describe(t token) string {
	switch t.kind {
	case EOF:
		return "end of file"
	case NEWLINE:
		return "end of line"
	case INDENT:
		return "an indented line"
	case DEDENT:
		return "end of indented block"
	case IDENT:
		return fmt.Sprintf("name '%s'", t.lit)
	case INT, FLOAT:
		return fmt.Sprintf("number %s", t.lit)
	case STRING:
		lit := t.lit
		if len(lit) > 20 {
			lit = lit[:17] + "..."
		}
		return fmt.Sprintf("string %s", lit)
	case ILLEGAL:
		return fmt.Sprintf("'%s'", t.lit)
	}
	if t.kind.IsKeyword() {
		return fmt.Sprintf("keyword '%s'", t.kind)
	}
	return fmt.Sprintf("'%s'", t.kind)
}

func (p *parser) span(from Pos) Span {
	to := p.prev.end
	if to.Offset < from.Offset || !to.IsValid() {
		to = from
	}
	return Span{From: from, To: to}
}

// enter guards recursion depth; callers must call leave when it returns true.
func (p *parser) enter() bool {
	p.depth++
	if p.depth > maxDepth {
		if !p.tooDeep {
			p.tooDeep = true
			p.quiet = false
			p.errorAt(p.tok.pos, p.tok.end, "nesting too deep (more than %d levels)", maxDepth)
		}
		p.depth--
		return false
	}
	return true
}

func (p *parser) leave() { p.depth-- }

// skipToEOL skips the rest of a broken statement: up to and including the
// next NEWLINE, or up to a DEDENT, EOF or the '}' closing the lambda body.
func (p *parser) skipToEOL() {
	for {
		switch p.tok.kind {
		case EOF, DEDENT, INDENT:
			return
		case NEWLINE:
			p.next()
			return
		case RBRACE:
			if p.lambdaDepth > 0 {
				return
			}
		}
		p.next()
	}
}

// atStmtEnd reports whether the current token ends a simple statement.
func (p *parser) atStmtEnd() bool {
	switch p.tok.kind {
	case NEWLINE, SEMI, EOF, DEDENT:
		return true
	case RBRACE:
		return p.lambdaDepth > 0
	}
	return false
}

// endStmt consumes the end of a simple statement or reports what is in the way.
func (p *parser) endStmt(what string) {
	if p.resynced {
		// an unclosed bracket was reported; the current token starts the
		// next statement
		p.resynced = false
		return
	}
	switch p.tok.kind {
	case NEWLINE, SEMI:
		p.next()
		return
	case EOF, DEDENT:
		return
	case RBRACE:
		if p.lambdaDepth > 0 {
			return
		}
	}
	switch k := p.tok.kind; {
	case startsStmt(k):
		// as in the toolchain, the next statement may start on the same line: `a = 1 b = 2`
		return
	case cannotStartStmt(k):
		// `a, b` or `a = 1, 2`: the toolchain has no tuples
		p.errorAt(p.tok.pos, p.tok.end, "unexpected token '%s'", k)
	default:
		p.errorAt(p.tok.pos, p.tok.end, "unexpected %s after %s; expected end of line", describe(p.tok), what)
	}
	p.skipToEOL()
}

// ---------------------------------------------------------------------------
// file and statements

type stmtCtx int

const (
	ctxModule stmtCtx = iota
	ctxSchema
	ctxLambda
)

func (p *parser) parseFile() *File {
	f := &File{Filename: p.filename}
	if p.visit != nil {
		p.lazy = &lazyBody{src: p.src}
		f.lazy = p.lazy
	}
	f.Body = p.parseStmtList(ctxModule, EOF)
	f.Doc, f.Body = takeDoc(f.Body)
	// the lists grew by doubling: a large file's are made exact, for what they are kept
	f.Body = exact(f.Body)
	if p.lazy != nil {
		p.lazy.starts = exact(p.lazy.starts)
	}
	f.Comments = p.s.comments
	end := Pos{Offset: int32(len(p.src)), Line: int32(p.s.line), Col: int32(len(p.src) - p.s.lineOff + 1)}
	start := Pos{Offset: 0, Line: 1, Col: 1}
	if len(p.src) >= 3 && p.src[0] == 0xEF && p.src[1] == 0xBB && p.src[2] == 0xBF {
		start.Offset = 3 // columns count from after the byte order mark
	}
	f.Span = Span{From: start, To: end}
	return f
}

// exact returns the list with a capacity of its length, copied when its spare capacity is large.
func exact[T any](list []T) []T {
	if cap(list)-len(list) <= len(list)/8 {
		return list
	}
	return append(make([]T, 0, len(list)), list...)
}

// takeDoc splits a leading docstring off a statement list.
func takeDoc(body []Stmt) (*StringLit, []Stmt) {
	if len(body) > 0 {
		if es, ok := body[0].(*ExprStmt); ok {
			if s, ok := es.X.(*StringLit); ok {
				return s, body[1:]
			}
		}
	}
	return nil, body
}

// parseStmtList parses statements until the token `until` (EOF, DEDENT or RBRACE).
func (p *parser) parseStmtList(ctx stmtCtx, until Token) []Stmt {
	var list []Stmt
	for p.tok.kind != until && p.tok.kind != EOF {
		if ctx == ctxLambda && len(p.s.ctx) < p.blockDepth {
			break // the scanner closed a lambda body whose '}' is missing
		}
		if p.quiet && p.tok.kind == INDENT {
			// the block of a broken statement (e.g. a bad `if` header):
			// skip it instead of reporting an unexpected indentation
			p.next()
			p.skipBlock()
			continue
		}
		switch p.tok.kind {
		case NEWLINE, SEMI:
			p.next()
			continue
		case DEDENT:
			// a stray dedent after an unexpected indent was reported
			p.next()
			continue
		case RBRACE:
			if until != RBRACE {
				p.quiet = false
				p.errorAt(p.tok.pos, p.tok.end, "unexpected '}'")
				p.next()
				continue
			}
		}
		p.quiet = false
		p.resynced = false
		if ctx != ctxLambda {
			p.lineStarts = p.lineStarts[:0]
		}
		before := p.tok.pos.Offset
		beforeKind := p.tok.kind
		if s := p.parseStmt(ctx); s != nil {
			list = append(list, s)
			if p.visit != nil && until == EOF {
				p.visited(list)
			}
		}
		if p.tok.pos.Offset == before && p.tok.kind == beforeKind && p.tok.kind != until && p.tok.kind != EOF {
			p.next() // guarantee progress
		}
	}
	return list
}

// parseBlock parses `:` followed by an indented block or a simple statement on
// the same line, as in `if c: a = 1`.
func (p *parser) parseBlock(ctx stmtCtx, what string) []Stmt {
	p.expectOneOf(COLON)
	if p.tok.kind != NEWLINE {
		if p.atStmtEnd() {
			p.errorAt(p.tok.pos, p.tok.end, "expected an indented block after %s", what)
			return nil
		}
		s := p.parseSimpleStmt(ctx)
		if s == nil {
			return nil
		}
		return []Stmt{s}
	}
	p.next()
	if p.tok.kind != INDENT {
		p.errorAt(p.tok.pos, p.tok.end, "expected an indented block after %s", what)
		return nil
	}
	p.next()
	if !p.enter() {
		p.skipBlock()
		return nil
	}
	defer p.leave()
	body := p.parseStmtList(ctx, DEDENT)
	p.got(DEDENT)
	return body
}

// skipBlock skips to the DEDENT matching an INDENT already consumed.
func (p *parser) skipBlock() {
	level := 1
	for p.tok.kind != EOF {
		switch p.tok.kind {
		case INDENT:
			level++
		case DEDENT:
			level--
			if level == 0 {
				p.next()
				return
			}
		}
		p.next()
	}
}

func (p *parser) parseStmt(ctx stmtCtx) Stmt {
	if !p.enter() {
		p.skipToEOL()
		return nil
	}
	defer p.leave()
	if p.tok.kind == IDENT && IsReserved(p.tok.lit) && p.reservedStmt() {
		from := p.tok.pos
		p.errorAt(p.tok.pos, p.tok.end, "'%s' is a reserved word in KCL, not a statement%s", p.tok.lit, reservedHint(p.tok.lit))
		p.skipToEOL()
		return &BadStmt{Span: p.span(from)}
	}
	if ctx == ctxSchema && p.keywordAttrAhead() {
		p.tok.kind = IDENT
		return p.parseSchemaAttrOrStmt(nil, p.tok.pos)
	}
	switch p.tok.kind {
	case INDENT:
		if !p.strayIndent {
			p.errorAt(p.tok.pos, p.tok.end, "unexpected indentation")
		}
		p.next()
		// parse the indented lines for their own errors, without reporting
		// the indentation of nested lines again
		save := p.strayIndent
		p.strayIndent = true
		p.parseStmtList(ctx, DEDENT)
		p.got(DEDENT)
		p.strayIndent = save
		return nil
	case IMPORT:
		s := p.parseImport()
		if ctx != ctxModule {
			p.errs = append(p.errs, Error{Filename: p.filename, Pos: s.Pos(), End: s.End(), Msg: "import statements are only allowed at the top level of a module"})
		}
		return s
	case IF:
		return p.parseIfStmt(ctx)
	case SCHEMA:
		return p.parseSchema(nil)
	case PROTOCOL, MIXIN, RULE:
		// soft keywords: `protocol = "TCP"` is an assignment
		if p.peek().kind != IDENT {
			p.tok.kind = IDENT
			break
		}
		if p.tok.kind == RULE {
			return p.parseRule(nil)
		}
		return p.parseSchema(nil)
	case AT:
		from := p.tok.pos
		decos := p.parseDecorators()
		switch p.tok.kind {
		case SCHEMA, MIXIN, PROTOCOL:
			s := p.parseSchema(decos)
			s.Span.From = from
			return s
		case RULE:
			r := p.parseRule(decos)
			r.Span.From = from
			return r
		}
		if ctx == ctxSchema && (p.tok.kind == IDENT || p.tok.kind == STRING) {
			a := p.parseSchemaAttrOrStmt(decos, from)
			return a
		}
		p.errorAt(p.tok.pos, p.tok.end, "expected 'schema', 'rule' or a schema attribute after decorator, found %s", describe(p.tok))
		p.skipToEOL()
		return &BadStmt{Span: p.span(from)}
	}
	if ctx == ctxSchema {
		if p.tok.kind == IDENT {
			return p.parseSchemaAttrOrStmt(nil, p.tok.pos)
		}
		if p.tok.kind == STRING {
			if pk := p.peek(); pk.kind == COLON || pk.kind == QUESTION {
				return p.parseSchemaAttrOrStmt(nil, p.tok.pos) // "content-type": str
			}
		}
	}
	return p.parseSimpleStmt(ctx)
}

// keywordAttrAhead reports whether the keyword at the current token names a schema attribute:
// `not?: Schema` (kcl-lang/modules' jsonschema), `in: str`. The toolchain takes every keyword so
// except those starting a statement or block: `if`, `assert` and `check`.
func (p *parser) keywordAttrAhead() bool {
	k := p.tok.kind
	if !k.IsKeyword() || k == IF || k == ASSERT || k == CHECK {
		return false
	}
	pk := p.peek()
	return !pk.nl && (pk.kind == QUESTION || pk.kind == COLON)
}

// reservedStmt reports whether the reserved word that is the current
// token starts a statement the way it does in Python (`def f():`,
// `return x`, `from a import b`, a bare `pass`), which cannot be KCL.
// Reserved words are otherwise plain names, as in the KCL implementation
// (the Kubernetes models have a schema attribute `from`); `$` escapes
// them too.
func (p *parser) reservedStmt() bool {
	pk := p.peek()
	switch pk.kind {
	case IDENT, INT, FLOAT, STRING:
		return !pk.nl
	case NEWLINE, EOF, DEDENT, SEMI:
		return p.tok.lit == "pass" || p.tok.lit == "return"
	}
	return pk.kind.IsKeyword() && !pk.nl && pk.kind != KW_AND && pk.kind != KW_OR && pk.kind != KW_NOT &&
		pk.kind != IN && pk.kind != IS && pk.kind != IF
}

func reservedHint(word string) string {
	switch word {
	case "def":
		return "; functions are lambda expressions: f = lambda x { x * 2 }"
	case "class":
		return "; types are defined with schema"
	case "return":
		return "; a lambda's value is its last expression"
	case "pass":
		return "; KCL has no pass statement: remove it"
	case "from":
		return "; write import a.b (as c)"
	case "while":
		return "; use a comprehension or map/filter/all/any"
	case "raise":
		return "; use assert, or a check block in a schema"
	}
	return ""
}

// parseSimpleStmt parses one simple statement and its end of line.
func (p *parser) parseSimpleStmt(ctx stmtCtx) Stmt {
	from := p.tok.pos
	var s Stmt
	switch p.tok.kind {
	case ASSERT:
		s = p.parseAssert()
	case IDENT:
		if p.tok.lit == "type" {
			if pk := p.peek(); pk.kind == IDENT {
				s = p.parseTypeAlias()
				break
			}
		}
		s = p.parseExprStmt(ctx)
	case IF:
		s = p.parseIfStmt(ctx)
		return s
	default:
		if cannotStartStmt(p.tok.kind) {
			// the toolchain starts a statement only with a name, a literal, a bracket, `~` or
			// `not`: `-x` on its own line is an error
			p.errorAt(p.tok.pos, p.tok.end, "unexpected token '%s'", p.tok.kind)
			p.skipToEOL()
			return &BadStmt{Span: p.span(from)}
		}
		if p.tok.kind.IsKeyword() && !startsExpr(p.tok.kind) {
			p.errorAt(p.tok.pos, p.tok.end, "unexpected keyword '%s' at start of statement", p.tok.kind)
			p.skipToEOL()
			return &BadStmt{Span: p.span(from)}
		}
		s = p.parseExprStmt(ctx)
	}
	p.endStmt("statement")
	return s
}

// startsStmt reports whether a token can start a statement (a name or keyword, a literal, an
// opening bracket, `~`, or a decorator).
func startsStmt(k Token) bool {
	switch k {
	case IDENT, INT, FLOAT, STRING, LPAREN, LBRACK, LBRACE, INVERT, AT:
		return true
	}
	return k.IsKeyword()
}

// cannotStartStmt reports whether a token is an operator the toolchain refuses at the start of
// a statement (closers and `;` have their own messages).
func cannotStartStmt(k Token) bool {
	switch {
	case k == INVERT:
		return false
	case k >= ADD && k <= XOR_ASSIGN, k == COMMA, k == COLON, k == DOT, k == ARROW, k == ELLIPSIS, k == QUESTION:
		return true
	}
	return false
}

func startsExpr(k Token) bool {
	switch k {
	case TRUE, FALSE, NONE, UNDEFINED, KW_NOT, LAMBDA, ALL, ANY, MAP, FILTER:
		return true
	}
	return false
}

// parseExprStmt parses assignments, augmented assignments, unification and
// expression statements.
func (p *parser) parseExprStmt(ctx stmtCtx) Stmt {
	from := p.tok.pos
	x := p.parseTest()
	switch k := p.tok.kind; {
	case k == COLON:
		p.next()
		id, ok := x.(*Ident)
		if !ok {
			p.errorAt(x.Pos(), x.End(), "only a name can have a type annotation")
		}
		typ := p.parseType()
		if se := p.schemaExprAfterType(typ); se != nil && ok {
			return &UnificationStmt{Span: p.span(from), Target: id, Value: se}
		}
		if p.tok.kind != ASSIGN {
			p.errorAt(p.tok.pos, p.tok.end, "expected '=' after type annotation, found %s", describe(p.tok))
			return &AssignStmt{Span: p.span(from), Targets: []Expr{x}, Type: typ, Value: &BadExpr{Span: Span{p.tok.pos, p.tok.pos}}}
		}
		p.next()
		targets := []Expr{x}
		v := p.parseTest()
		for p.tok.kind == ASSIGN {
			// a: int = b = 1
			p.checkTarget(v)
			targets = append(targets, v)
			p.next()
			v = p.parseTest()
		}
		return &AssignStmt{Span: p.span(from), Targets: targets, Type: typ, Value: v}
	case k == ASSIGN:
		// the statement and its first target in one allocation
		a := &struct {
			st     AssignStmt
			target [1]Expr
		}{target: [1]Expr{x}}
		targets := a.target[:]
		p.checkTarget(x)
		var v Expr
		for p.tok.kind == ASSIGN {
			p.next()
			v = p.parseTest()
			if p.tok.kind == ASSIGN {
				p.checkTarget(v)
				targets = append(targets, v)
			}
		}
		a.st = AssignStmt{Span: p.span(from), Targets: targets, Value: v}
		return &a.st
	case k.IsAugAssign():
		p.checkTarget(x)
		op, opPos := k, p.tok.pos
		p.next()
		v := p.parseTest()
		return &AugAssignStmt{Span: p.span(from), Target: x, Op: op, OpPos: opPos, Value: v}
	}
	return &ExprStmt{Span: p.span(from), X: x}
}

// schemaExprAfterType parses the rest of a unification `x: T {…}` or
// `x: T(args) {…}` when typ is a schema name followed by '{' or '('. It
// returns nil (consuming nothing) otherwise.
func (p *parser) schemaExprAfterType(typ TypeExpr) *SchemaExpr {
	nt, ok := typ.(*NamedType)
	if !ok || p.tok.kind != LBRACE && p.tok.kind != LPAREN {
		return nil
	}
	se := &SchemaExpr{Name: nt.Name}
	if p.tok.kind == LPAREN {
		open, mark, nerr := p.tok.pos, len(p.lineStarts), len(p.errs)
		p.next()
		restore := p.nest(false)
		se.Args, se.Kwargs = p.parseArgs(RPAREN, open)
		restore()
		if p.tok.kind != RPAREN {
			p.errorAt(p.tok.pos, p.tok.end, "expected ')' to close the schema arguments opened at %s, found %s", open, describe(p.tok))
			if p.restartUnclosed(open, mark, nerr) {
				se.Config = &ConfigExpr{Span: Span{p.prev.end, p.prev.end}}
				se.Span = p.span(nt.Pos())
				return se
			}
		}
		p.got(RPAREN)
		if p.tok.kind != LBRACE {
			p.errorExpected("'{' after the arguments of schema " + nt.Name.Name())
			se.Config = &ConfigExpr{Span: Span{p.prev.end, p.prev.end}}
			se.Span = p.span(nt.Pos())
			return se
		}
	}
	se.Config = p.parseConfigOrComp()
	se.Span = p.span(nt.Pos())
	return se
}

func (p *parser) checkTarget(x Expr) {
	switch t := x.(type) {
	case *Ident, *BadExpr:
		return
	case *SelectorExpr:
		if !t.HasQuestion {
			return
		}
	case *SubscriptExpr:
		if !t.HasQuestion && !t.IsSlice {
			return
		}
	}
	p.errorAt(x.Pos(), x.End(), "cannot assign to %s", exprDesc(x))
}

func exprDesc(x Expr) string {
	switch x.(type) {
	case *CallExpr:
		return "a function call"
	case *NumberLit, *StringLit, *JoinedString, *NameConstant:
		return "a literal"
	case *SelectorExpr, *SubscriptExpr:
		return "a None-safe selector (?. or ?[)"
	case *ConfigExpr, *SchemaExpr, *DictComp:
		return "a config expression"
	case *ListExpr, *ListComp:
		return "a list"
	}
	return "an expression"
}

func (p *parser) parseImport() *ImportStmt {
	from := p.tok.pos
	p.next()
	s := &ImportStmt{}
	pathFrom := p.tok.pos
	var b strings.Builder
	for p.tok.kind == DOT || p.tok.kind == ELLIPSIS {
		if p.tok.kind == DOT {
			s.Level++
			b.WriteByte('.')
		} else {
			s.Level += 3
			b.WriteString("...")
		}
		p.next()
	}
	last := ""
	for {
		if !p.anyName() {
			p.errorExpected("a module name in import path")
			break
		}
		last = identName(p.tok.lit)
		b.WriteString(last)
		p.next()
		if p.tok.kind != DOT {
			break
		}
		b.WriteByte('.')
		p.next()
	}
	s.Path = b.String()
	s.PathSpan = p.span(pathFrom)
	s.Name = last
	if p.got(AS) {
		if p.anyName() {
			s.AsName = p.ident()
			s.Name = s.AsName.Names[0]
		} else {
			p.errorExpected("a name after 'as'")
		}
	}
	s.Span = p.span(from)
	p.endStmt("import statement")
	return s
}

// anyName reports whether the token is a name or any keyword: the toolchain takes keywords as
// import path segments and aliases (`import models.kube.protocol`, `import a.rule as rule`).
func (p *parser) anyName() bool {
	return p.tok.kind == IDENT || p.tok.lit != "" && keywords[p.tok.lit] == p.tok.kind
}

// softName reports whether the token is a name or a keyword the toolchain also takes as a name
// in expressions, loop variables and parameters (`all rule in rules {…}`, `lambda rule: str {…}`,
// `schema.x` for a module imported as schema).
func (p *parser) softName() bool {
	switch p.tok.kind {
	case IDENT, PROTOCOL, RULE, MIXIN, SCHEMA, CHECK:
		return true
	}
	return false
}

// identName strips the `$` keyword escape.
func identName(lit string) string {
	if strings.HasPrefix(lit, "$") {
		return lit[1:]
	}
	return lit
}

// ident consumes an IDENT token as a single-name Ident.
func (p *parser) ident() *Ident {
	t := p.tok
	p.next()
	return newIdent(identName(t.lit), Span{From: t.pos, To: t.end})
}

// identAlloc lets a single-name Ident and its Names share one allocation.
type identAlloc struct {
	id   Ident
	name [1]string
}

// newIdent makes a single-name Ident. Its one name span is its Span: NameSpans is a view of that
// field (a name more appended by the parser gets a slice of its own first, since the capacity is
// 1), which keeps the commonest node of a large file at 96 bytes instead of 112.
func newIdent(name string, sp Span) *Ident {
	a := &identAlloc{}
	a.name[0] = name
	a.id.Span = sp
	a.id.Names = a.name[:]
	a.id.NameSpans = unsafe.Slice(&a.id.Span, 1)
	return &a.id
}

// dottedIdent parses NAME ('.' NAME)*.
func (p *parser) dottedIdent(what string) *Ident {
	if !p.softName() {
		p.errorExpected(what)
		return &Ident{Span: Span{p.tok.pos, p.tok.pos}, Names: []string{""}, NameSpans: []Span{{p.tok.pos, p.tok.pos}}}
	}
	id := p.ident()
	for p.tok.kind == DOT {
		p.next()
		if p.tok.kind != IDENT {
			p.errorExpected("a name after '.'")
			break
		}
		n := p.ident()
		id.Names = append(id.Names, n.Names[0])
		id.NameSpans = append(id.NameSpans, n.Span)
		id.Span.To = n.End()
	}
	return id
}

func (p *parser) parseIfStmt(ctx stmtCtx) *IfStmt {
	from := p.tok.pos
	p.next() // if
	root := &IfStmt{Cond: p.parseTest()}
	root.Span.From = from
	root.Body = p.parseBlock(ctx, "if condition")
	// elif chains are built iteratively: each elif is the only statement
	// of the previous clause's Else
	chain := []*IfStmt{root}
	cur := root
	for p.tok.kind == ELIF {
		efrom := p.tok.pos
		p.next()
		e := &IfStmt{IsElif: true, Cond: p.parseTest()}
		e.Span.From = efrom
		e.Body = p.parseBlock(ctx, "elif condition")
		cur.Else = []Stmt{e}
		cur = e
		chain = append(chain, e)
	}
	if p.tok.kind == ELSE {
		p.next()
		cur.Else = p.parseBlock(ctx, "'else'")
	}
	for _, s := range chain {
		s.Span = p.span(s.Span.From)
	}
	return root
}

func (p *parser) parseAssert() *AssertStmt {
	from := p.tok.pos
	p.next()
	s := &AssertStmt{}
	s.Test, s.If, s.Msg = p.testIfMsg()
	s.Span = p.span(from)
	return s
}

func (p *parser) parseTypeAlias() *TypeAliasStmt {
	from := p.tok.pos
	p.next() // type
	s := &TypeAliasStmt{Name: p.ident()}
	p.expect(ASSIGN, "after type alias name")
	s.Type = p.parseType()
	s.Span = p.span(from)
	return s
}

func (p *parser) parseDecorators() []*Decorator {
	var list []*Decorator
	for p.tok.kind == AT {
		from := p.tok.pos
		p.next()
		d := &Decorator{Name: p.dottedIdent("a decorator name after '@'")}
		if p.tok.kind == LPAREN {
			d.HasCall = true
			open, mark, nerr := p.tok.pos, len(p.lineStarts), len(p.errs)
			p.next()
			d.Args, d.Keywords = p.parseArgs(RPAREN, open)
			if p.tok.kind != RPAREN {
				p.errorAt(p.tok.pos, p.tok.end, "expected ')' to close the decorator arguments opened at %s, found %s", open, describe(p.tok))
				if p.restartUnclosed(open, mark, nerr) {
					d.Span = p.span(from)
					list = append(list, d)
					p.resynced = false
					p.next() // the NEWLINE standing for the end of the decorator line
					continue
				}
			}
			p.got(RPAREN)
		}
		d.Span = p.span(from)
		list = append(list, d)
		if p.tok.kind != NEWLINE {
			p.errorExpected("a new line after decorator")
			p.skipToEOL()
		} else {
			p.next()
		}
	}
	return list
}

// parseParams parses schema/rule parameters after '['.
func (p *parser) parseParams(closer Token) []*Param {
	var list []*Param
	for p.tok.kind != closer && p.tok.kind != EOF && p.tok.kind != NEWLINE {
		if !p.softName() {
			p.errorExpected("a parameter name")
			break
		}
		list = append(list, p.parseParam(false))
		if !p.got(COMMA) {
			break
		}
	}
	return list
}

func (p *parser) parseParam(lambda bool) *Param {
	from := p.tok.pos
	prm := &Param{Name: p.ident()}
	if p.got(COLON) {
		prm.Type = p.parseType()
	}
	if p.got(ASSIGN) {
		save := p.noBrace
		p.noBrace = lambda
		prm.Default = p.parseTest()
		p.noBrace = save
	}
	prm.Span = p.span(from)
	return prm
}

func (p *parser) parseSchema(decos []*Decorator) *SchemaStmt {
	from := p.tok.pos
	s := &SchemaStmt{Decorators: decos}
	switch p.tok.kind {
	case MIXIN:
		s.Kind = KindMixin
	case PROTOCOL:
		s.Kind = KindProtocol
	}
	kw := p.tok.kind.String()
	p.next()
	if p.tok.kind != IDENT {
		s.Name = p.missingDeclName(kw)
		s.Span = p.span(from)
		return s
	}
	if p.tok.lit == "relaxed" && p.peek().kind == IDENT {
		p.errorRelaxed() // schema relaxed Name:
	}
	s.Name = p.ident()
	if p.got(LBRACK) {
		s.Params = p.parseParams(RBRACK)
		p.expect(RBRACK, "to close schema parameters")
	}
	if p.got(LPAREN) {
		if p.tok.kind != RPAREN {
			s.Parent = p.dottedIdent("a parent schema name")
			if p.tok.kind == COMMA {
				p.errorAt(p.tok.pos, p.tok.end, "a schema can inherit from only one parent schema")
				for p.tok.kind != RPAREN && p.tok.kind != NEWLINE && p.tok.kind != EOF {
					p.next()
				}
			}
		}
		p.expect(RPAREN, "after parent schema name")
	}
	if p.got(FOR) {
		s.ForHost = p.dottedIdent("a protocol name after 'for'")
	}
	if p.tok.kind == IDENT && p.tok.lit == "relaxed" {
		p.errorRelaxed() // schema Name relaxed:
	}
	p.expect(COLON, "after "+kw+" header")
	if p.tok.kind != NEWLINE {
		p.errorExpected("a new line after ':'")
		p.skipToEOL()
	} else {
		p.next()
	}
	if p.tok.kind == INDENT {
		p.next()
		if p.enter() {
			p.parseSchemaBody(s)
			p.leave()
		} else {
			p.skipBlock()
		}
	}
	s.Span = p.span(from)
	return s
}

// errorRelaxed reports and skips the `relaxed` modifier of early KCL
// schemas, which the language no longer has.
func (p *parser) errorRelaxed() {
	p.errorAt(p.tok.pos, p.tok.end, "the 'relaxed' schema modifier is no longer part of KCL; remove it and declare an index signature such as [...str]: any to accept other attributes")
	p.next()
}

func (p *parser) parseSchemaBody(s *SchemaStmt) {
	first := true
	for p.tok.kind != DEDENT && p.tok.kind != EOF {
		if p.tok.kind == NEWLINE || p.tok.kind == SEMI {
			p.next()
			continue
		}
		p.quiet = false
		p.resynced = false
		p.lineStarts = p.lineStarts[:0]
		before, beforeKind := p.tok.pos.Offset, p.tok.kind
		switch p.tok.kind {
		case STRING:
			if first {
				if pk := p.peek(); pk.kind == NEWLINE || pk.kind == DEDENT || pk.kind == EOF {
					if lit, ok := p.parseStringTok(p.tok).(*StringLit); ok {
						s.Doc, s.DocLit = lit.Value, lit
					}
					p.next()
					first = false
					continue
				}
			}
		case PROTOCOL, RULE:
			p.tok.kind = IDENT
		case ALL, ANY, MAP, FILTER, SCHEMA, IMPORT, AS, IN, IS, FOR, ASSERT:
			if pk := p.peek(); pk.kind == COLON || pk.kind == QUESTION {
				p.tok.kind = IDENT // an attribute named like a keyword
			}
		case MIXIN:
			if p.peek().kind != LBRACK {
				p.tok.kind = IDENT // an attribute named mixin
				break
			}
			p.next()
			p.expect(LBRACK, "after 'mixin'")
			for p.tok.kind == IDENT {
				s.Mixins = append(s.Mixins, p.dottedIdent("a mixin name"))
				if !p.got(COMMA) {
					break
				}
			}
			p.expect(RBRACK, "to close the mixin list")
			p.endStmt("mixin list")
			first = false
			continue
		case CHECK:
			p.parseCheckBlock(s)
			first = false
			continue
		case LBRACK:
			if !p.indexSignatureAhead() {
				break // a list expression statement, as in `[a, b]`
			}
			sig := p.parseIndexSignature()
			if s.IndexSignature != nil {
				p.errorAt(sig.Pos(), sig.End(), "a schema can have only one index signature")
			} else {
				s.IndexSignature = sig
			}
			first = false
			continue
		}
		first = false
		if st := p.parseStmt(ctxSchema); st != nil {
			attachAttrDoc(s.Body, st)
			s.Body = append(s.Body, st)
		}
		if p.tok.pos.Offset == before && p.tok.kind == beforeKind && p.tok.kind != DEDENT && p.tok.kind != EOF {
			p.next()
		}
	}
	p.got(DEDENT)
}

// attachAttrDoc makes a string statement that directly follows a schema
// attribute the attribute's docstring (it also stays in the body).
func attachAttrDoc(body []Stmt, st Stmt) {
	if len(body) == 0 {
		return
	}
	a, ok := body[len(body)-1].(*SchemaAttr)
	if !ok || a.DocLit != nil {
		return
	}
	es, ok := st.(*ExprStmt)
	if !ok {
		return
	}
	if lit, ok := es.X.(*StringLit); ok {
		a.Doc, a.DocLit = lit.Value, lit
	}
}

func (p *parser) parseCheckBlock(s *SchemaStmt) {
	p.next() // check
	p.expect(COLON, "after 'check'")
	if !p.got(NEWLINE) {
		p.errorExpected("a new line after 'check:'")
		p.skipToEOL()
	}
	if p.tok.kind != INDENT {
		p.errorAt(p.tok.pos, p.tok.end, "expected an indented block of checks after 'check:'")
		return
	}
	p.next()
	s.Checks = append(s.Checks, p.parseChecks()...)
	p.got(DEDENT)
}

// parseChecks parses check expressions up to a DEDENT.
func (p *parser) parseChecks() []*CheckExpr {
	var list []*CheckExpr
	for p.tok.kind != DEDENT && p.tok.kind != EOF {
		if p.tok.kind == NEWLINE || p.tok.kind == SEMI {
			p.next()
			continue
		}
		p.quiet = false
		p.resynced = false
		before, beforeKind := p.tok.pos.Offset, p.tok.kind
		if p.tok.kind == INDENT {
			p.errorAt(p.tok.pos, p.tok.end, "unexpected indentation")
			p.next()
			continue
		}
		list = append(list, p.parseCheckExpr())
		if k := p.tok.kind; !p.resynced && p.tok.pos.Offset != before && (startsExpr(k) || k == IDENT || k == INT || k == FLOAT || k == STRING) {
			// the toolchain's parser needs no line break between check
			// expressions: `name not None` is the two checks `name` and
			// `not None`
			continue
		}
		p.endStmt("check expression")
		if p.tok.pos.Offset == before && p.tok.kind == beforeKind && p.tok.kind != DEDENT && p.tok.kind != EOF {
			p.next()
		}
	}
	return list
}

func (p *parser) parseCheckExpr() *CheckExpr {
	from := p.tok.pos
	c := &CheckExpr{}
	c.Test, c.IfCond, c.Msg = p.testIfMsg()
	c.Span = p.span(from)
	return c
}

// testIfMsg parses `test [if cond] [, msg]`, the tail shared by assert
// statements and check expressions.
func (p *parser) testIfMsg() (test, cond, msg Expr) {
	test = p.parseOrTest()
	if p.got(IF) {
		cond = p.parseOrTest()
	}
	if p.got(COMMA) {
		msg = p.parseTest()
	}
	return test, cond, msg
}

// parseSchemaAttrOrStmt parses a statement in a schema body that starts with
// a name: an attribute `name[?]: T [= v]` or an ordinary statement.
func (p *parser) parseSchemaAttrOrStmt(decos []*Decorator, from Pos) Stmt {
	pk := p.peek()
	if decos == nil && pk.kind != COLON && pk.kind != QUESTION {
		if pk.kind == IDENT && !pk.nl && p.tok.lit != "type" {
			// `name int`: a forgotten colon
			p.next()
			p.errorAt(p.tok.pos, p.tok.end, "expected ':' after schema attribute name, found %s", describe(p.tok))
			p.skipToEOL()
			return &BadStmt{Span: p.span(from)}
		}
		return p.parseSimpleStmt(ctxSchema)
	}
	a := &SchemaAttr{Decorators: decos}
	if p.tok.kind == STRING {
		// a quoted attribute name: "content-type": str
		t := p.tok
		x := p.parseStringTok(t)
		p.next()
		name := ""
		if lit, ok := x.(*StringLit); ok {
			name = lit.Value
		} else {
			p.errorAt(t.pos, t.end, "a schema attribute name cannot contain string interpolation")
		}
		a.Name = newIdent(name, Span{From: t.pos, To: t.end})
		a.IsStringName = true
	} else {
		a.Name = p.ident()
	}
	if p.got(QUESTION) {
		a.Optional = true
	}
	if p.tok.kind != COLON {
		p.errorAt(p.tok.pos, p.tok.end, "expected ':' after schema attribute name, found %s", describe(p.tok))
		p.skipToEOL()
		a.Span = p.span(from)
		return a
	}
	p.next()
	a.Type = p.parseType()
	switch k := p.tok.kind; {
	case k == ASSIGN || k.IsAugAssign():
		a.Op = k
		p.next()
		a.Default = p.parseTest()
	case k == LBRACE || k == LPAREN:
		if se := p.schemaExprAfterType(a.Type); se != nil {
			a.Op = ASSIGN
			a.Default = se
		}
	}
	a.Span = p.span(from)
	switch p.tok.kind {
	case NEWLINE, SEMI, EOF, DEDENT:
		p.endStmt("schema attribute")
	default:
		// The toolchain lets the next statement of the body follow on the same line: in
		// `type?: T | T[]` (kcl-lang/modules' jsonschema) the `[]` is an expression statement.
		p.resynced = false
	}
	return a
}

// indexSignatureAhead reports whether the '[' at the current token starts
// an index signature: its matching ']' is followed by ':'. Otherwise the
// line is an expression statement such as `[a, b]`.
func (p *parser) indexSignatureAhead() bool {
	depth := 0
	for i := int(p.tok.pos.Offset); i < len(p.src); i++ {
		switch c := p.src[i]; c {
		case '[', '(', '{':
			depth++
		case ')', '}':
			depth--
		case ']':
			depth--
			if depth == 0 {
				j := i + 1
				for j < len(p.src) && (p.src[j] == ' ' || p.src[j] == '\t') {
					j++
				}
				return j < len(p.src) && p.src[j] == ':'
			}
		case '#':
			for i < len(p.src) && p.src[i] != '\n' {
				i++
			}
		case '"', '\'':
			return false // a string: not a type key
		}
	}
	return true
}

func (p *parser) parseIndexSignature() *IndexSignature {
	from := p.tok.pos
	p.next() // [
	sig := &IndexSignature{}
	if p.got(ELLIPSIS) {
		sig.AnyOther = true
	}
	if p.tok.kind == IDENT {
		if pk := p.peek(); pk.kind == COLON {
			sig.KeyName = p.ident()
			p.next()
			if p.got(ELLIPSIS) {
				sig.AnyOther = true
			}
		}
	}
	sig.KeyType = p.parseType()
	p.expect(RBRACK, "to close the index signature key")
	p.expect(COLON, "after index signature key")
	sig.ValueType = p.parseType()
	if p.got(ASSIGN) {
		sig.Value = p.parseTest()
	}
	sig.Span = p.span(from)
	p.endStmt("index signature")
	return sig
}

func (p *parser) parseRule(decos []*Decorator) *RuleStmt {
	from := p.tok.pos
	p.next()
	r := &RuleStmt{Decorators: decos}
	if p.tok.kind != IDENT {
		r.Name = p.missingDeclName("rule")
		r.Span = p.span(from)
		return r
	}
	r.Name = p.ident()
	if p.got(LBRACK) {
		r.Params = p.parseParams(RBRACK)
		p.expect(RBRACK, "to close rule parameters")
	}
	if p.got(LPAREN) {
		for p.tok.kind == IDENT {
			r.ParentRules = append(r.ParentRules, p.dottedIdent("a parent rule name"))
			if !p.got(COMMA) {
				break
			}
		}
		p.expect(RPAREN, "after parent rule names")
	}
	if p.got(FOR) {
		r.ForHost = p.dottedIdent("a protocol name after 'for'")
	}
	p.expect(COLON, "after rule header")
	if !p.got(NEWLINE) {
		p.errorExpected("a new line after ':'")
		p.skipToEOL()
	}
	if p.tok.kind == INDENT {
		p.next()
		if p.tok.kind == STRING {
			if pk := p.peek(); pk.kind == NEWLINE || pk.kind == DEDENT {
				if lit, ok := p.parseStringTok(p.tok).(*StringLit); ok {
					r.Doc, r.DocLit = lit.Value, lit
				}
				p.next()
			}
		}
		if p.enter() {
			r.Checks = p.parseChecks()
			p.leave()
		} else {
			p.skipBlock()
		}
		p.got(DEDENT)
	}
	r.Span = p.span(from)
	return r
}

// missingDeclName reports a schema/protocol/mixin/rule header without a name
// after keyword kw, skips the rest of the line and the indented body, and
// returns an empty name at the end of the keyword.
func (p *parser) missingDeclName(kw string) *Ident {
	p.errorExpected("a name after '" + kw + "'")
	p.skipToEOL()
	if p.tok.kind == INDENT {
		p.next()
		p.skipBlock()
	}
	return &Ident{Span: Span{p.prev.end, p.prev.end}, Names: []string{""}, NameSpans: []Span{{p.prev.end, p.prev.end}}}
}
