package syntax

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// token is one scanned token.
type token struct {
	kind Token
	pos  Pos    // first byte
	end  Pos    // just after the last byte
	lit  string // source text (for IDENT, INT, FLOAT, STRING, COMMENT, ILLEGAL)
	// nl is set when at least one line break separates this token from
	// the previous one inside brackets (where no NEWLINE token is emitted).
	nl bool
}

// scanCtx is one level of the bracket/block stack.
//
// The bottom level is the file: a block where NEWLINE, INDENT and DEDENT are
// emitted. Every open bracket pushes a level where line breaks are not
// tokens (they only set token.nl). A lambda body `{ ... }` is turned into a
// block level by the parser (markBlock), so statements inside it are
// separated by NEWLINE and nested `if` bodies get INDENT/DEDENT.
type scanCtx struct {
	closer  byte // ')', ']', '}' or 0 for the file
	block   bool
	baseSet bool     // block indentation base known (lambda bodies)
	indents []string // indentation stack of a block level
}

// scanner turns source bytes into tokens. It never fails: invalid input
// becomes ILLEGAL tokens plus an error.
type scanner struct {
	filename string
	src      []byte
	off      int // current read offset
	line     int // current line (1-based)
	lineOff  int // offset of the start of the current line

	ctx         []scanCtx
	pending     []token
	atLineStart bool
	lastKind    Token // kind of the last token handed out
	sawNL       bool  // a line break was skipped inside brackets
	eofDone     bool

	comments  []*Comment
	errs      []Error              // errors of the tokens
	parseErrs []Error              // errors the toolchain's parser reports
	names     map[string]nameEntry // interned identifier spellings and their token kind
}

func newScanner(filename string, src []byte) *scanner {
	s := &scanner{
		filename:    filename,
		src:         src,
		line:        1,
		atLineStart: true,
		lastKind:    NEWLINE,
	}
	if len(src) >= 3 && src[0] == 0xEF && src[1] == 0xBB && src[2] == 0xBF {
		s.off = 3
		s.lineOff = 3
	}
	s.ctx = []scanCtx{{block: true, baseSet: true, indents: []string{""}}}
	s.names = make(map[string]nameEntry)
	return s
}

func (s *scanner) pos() Pos {
	return Pos{Offset: int32(s.off), Line: int32(s.line), Col: int32(s.off - s.lineOff + 1)}
}

func (s *scanner) posAt(off int) Pos {
	// Only valid for offsets on the current line.
	return Pos{Offset: int32(off), Line: int32(s.line), Col: int32(off - s.lineOff + 1)}
}

func (s *scanner) errorf(p Pos, format string, args ...any) {
	if n := len(s.errs); n > 0 && s.errs[n-1].Pos.Line == p.Line {
		return // one error per line is enough
	}
	s.errs = append(s.errs, Error{Filename: s.filename, Pos: p, End: p, Msg: fmt.Sprintf(format, args...)})
}

// parseErrorf reports an error the toolchain's parser finds (indentation, a `$` without a name):
// in order with the parse errors, not before them as the errors of the tokens.
func (s *scanner) parseErrorf(p Pos, format string, args ...any) {
	s.parseErrs = append(s.parseErrs, Error{Filename: s.filename, Pos: p, End: p, Msg: fmt.Sprintf(format, args...)})
}

func (s *scanner) peekByte(i int) byte {
	if s.off+i < len(s.src) {
		return s.src[s.off+i]
	}
	return 0
}

// newline consumes a line break at s.off (\n, \r\n or \r).
func (s *scanner) newline() {
	if s.src[s.off] == '\r' && s.off+1 < len(s.src) && s.src[s.off+1] == '\n' {
		s.off++
	}
	s.off++
	s.line++
	s.lineOff = s.off
}

func (s *scanner) top() *scanCtx { return &s.ctx[len(s.ctx)-1] }

// markBlock turns the bracket level just opened (by the '{' the parser
// holds as its current token) into a statement block.
func (s *scanner) markBlock() {
	if len(s.ctx) > 1 {
		t := s.top()
		if t.closer == '}' {
			t.block = true
			t.baseSet = false
			t.indents = nil
		}
	}
}

func (s *scanner) emit(t token) token {
	s.lastKind = t.kind
	return t
}

// next returns the next token.
func (s *scanner) next() token {
	if len(s.pending) > 0 {
		t := s.pending[0]
		s.pending = s.pending[1:]
		return s.emit(t)
	}
	for {
		top := s.top()
		if s.atLineStart && top.block {
			s.atLineStart = false
			if s.indentation() {
				if len(s.pending) > 0 {
					t := s.pending[0]
					s.pending = s.pending[1:]
					return s.emit(t)
				}
				continue
			}
			top = s.top()
		}
		// skip blanks
		for s.off < len(s.src) {
			c := s.src[s.off]
			if c == ' ' || c == '\t' || c == '\f' {
				s.off++
				continue
			}
			if c == '\\' && s.off+1 < len(s.src) && (s.src[s.off+1] == '\n' || s.src[s.off+1] == '\r') {
				s.off++
				s.newline()
				continue
			}
			break
		}
		if s.off >= len(s.src) {
			return s.eof()
		}
		c := s.src[s.off]
		if c == '#' {
			s.comment()
			continue
		}
		if c == '\n' || c == '\r' {
			p := s.pos()
			s.newline()
			if top.block {
				s.atLineStart = true
				if s.lastKind != NEWLINE && s.lastKind != INDENT && s.lastKind != DEDENT && !(s.lastKind == LBRACE && len(s.ctx) > 1) {
					return s.emit(token{kind: NEWLINE, pos: p, end: s.pos()})
				}
				continue
			}
			s.sawNL = true
			continue
		}
		t := s.scanToken()
		t.nl = s.sawNL
		s.sawNL = false
		if len(s.pending) > 0 {
			// closing a block: NEWLINE/DEDENTs queued before the bracket
			s.pending = append(s.pending, t)
			t = s.pending[0]
			s.pending = s.pending[1:]
		}
		return s.emit(t)
	}
}

// indentation handles the start of a logical line in a block level. It
// returns true when the line was blank (or comment-only) and consumed, or
// when indentation tokens were queued.
func (s *scanner) indentation() bool {
	start := s.off
	for s.off < len(s.src) && (s.src[s.off] == ' ' || s.src[s.off] == '\t' || s.src[s.off] == '\f') {
		s.off++
	}
	indb := s.src[start:s.off]
	if s.off >= len(s.src) {
		return false
	}
	switch c := s.src[s.off]; c {
	case '\n', '\r':
		s.newline()
		s.atLineStart = true
		return true
	case '#':
		s.comment()
		if s.off < len(s.src) {
			s.newline()
			s.atLineStart = true
		}
		return true
	case '\\':
		if s.off+1 < len(s.src) && (s.src[s.off+1] == '\n' || s.src[s.off+1] == '\r') {
			// a continuation line starting a logical line: treat as blank
			return false
		}
	case ')', ']', '}':
		if len(s.ctx) > 1 {
			return false // closing bracket: handled when the bracket is scanned
		}
	}
	t := s.top()
	p := s.pos()
	if t.baseSet && string(indb) == t.indents[len(t.indents)-1] {
		return false // same indentation as before: the common case, no allocation
	}
	// A line indented less than the body of the lambda it is in: the
	// lambda's '}' is missing. Close the body (the parser reports the
	// missing '}') and measure the line against the enclosing levels.
	for len(s.ctx) > 1 && t.block && t.baseSet && len(indb) < len(t.indents[0]) {
		for len(t.indents) > 1 {
			t.indents = t.indents[:len(t.indents)-1]
			s.pending = append(s.pending, token{kind: DEDENT, pos: p, end: p})
		}
		s.ctx = s.ctx[:len(s.ctx)-1]
		t = s.top()
		if !t.block {
			return len(s.pending) > 0
		}
		if t.baseSet && string(indb) == t.indents[len(t.indents)-1] {
			return len(s.pending) > 0
		}
	}
	ind := string(indb)
	if !t.baseSet {
		t.baseSet = true
		t.indents = []string{ind}
		return false
	}
	cur := t.indents[len(t.indents)-1]
	if ind == cur {
		return false
	}
	if strings.HasPrefix(ind, cur) {
		t.indents = append(t.indents, ind)
		s.pending = append(s.pending, token{kind: INDENT, pos: posCol(p, start, s.lineOff), end: p})
		return true
	}
	if strings.HasPrefix(cur, ind) {
		for len(t.indents) > 1 && len(t.indents[len(t.indents)-1]) > len(ind) {
			t.indents = t.indents[:len(t.indents)-1]
			s.pending = append(s.pending, token{kind: DEDENT, pos: p, end: p})
		}
		if t.indents[len(t.indents)-1] != ind {
			s.parseErrorf(p, "unindent does not match any outer indentation level")
		}
		return len(s.pending) > 0
	}
	s.parseErrorf(posCol(p, start, s.lineOff), "inconsistent use of tabs and spaces in indentation")
	// recover by comparing widths
	w := indentWidth(ind)
	switch cw := indentWidth(cur); {
	case w > cw:
		t.indents = append(t.indents, ind)
		s.pending = append(s.pending, token{kind: INDENT, pos: p, end: p})
	case w < cw:
		for len(t.indents) > 1 && indentWidth(t.indents[len(t.indents)-1]) > w {
			t.indents = t.indents[:len(t.indents)-1]
			s.pending = append(s.pending, token{kind: DEDENT, pos: p, end: p})
		}
	default:
		t.indents[len(t.indents)-1] = ind
	}
	return len(s.pending) > 0
}

func posCol(p Pos, off, lineOff int) Pos {
	return Pos{Offset: int32(off), Line: p.Line, Col: int32(off - lineOff + 1)}
}

func indentWidth(s string) int {
	w := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\t' {
			w = w/8*8 + 8
		} else {
			w++
		}
	}
	return w
}

func (s *scanner) comment() {
	p := s.pos()
	start := s.off
	for s.off < len(s.src) && s.src[s.off] != '\n' && s.src[s.off] != '\r' {
		s.off++
	}
	s.comments = append(s.comments, &Comment{Span: Span{From: p, To: s.pos()}, Text: string(s.src[start:s.off])})
}

// eof returns the end-of-file sequence: NEWLINE (if a line is open), the
// DEDENTs closing every open block, then EOF forever.
func (s *scanner) eof() token {
	p := s.pos()
	if !s.eofDone {
		s.eofDone = true
		if s.lastKind != NEWLINE && s.lastKind != INDENT && s.lastKind != DEDENT && s.top().block {
			s.pending = append(s.pending, token{kind: NEWLINE, pos: p, end: p})
		}
		for i := len(s.ctx) - 1; i >= 0; i-- {
			c := &s.ctx[i]
			if !c.block {
				continue
			}
			for len(c.indents) > 1 {
				c.indents = c.indents[:len(c.indents)-1]
				s.pending = append(s.pending, token{kind: DEDENT, pos: p, end: p})
			}
		}
		if len(s.pending) > 0 {
			t := s.pending[0]
			s.pending = s.pending[1:]
			return s.emit(t)
		}
	}
	return s.emit(token{kind: EOF, pos: p, end: p})
}

func isIdentStart(r rune) bool {
	return r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= 0x80 && unicode.IsLetter(r)
}

func isIdentPart(r rune) bool {
	return isIdentStart(r) || r >= '0' && r <= '9' || r >= 0x80 && unicode.IsDigit(r)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// scanToken scans one token starting at s.off (not blank, not newline,
// not comment, not EOF).
func (s *scanner) scanToken() token {
	p := s.pos()
	start := s.off
	c := s.src[s.off]
	mk := func(k Token, n int) token {
		s.off += n
		t := token{kind: k, pos: p, end: s.pos()}
		if k == ILLEGAL {
			t.lit = string(s.src[start:s.off])
		}
		return t
	}
	switch {
	case c == '"' || c == '\'':
		return s.scanString(p, start, false)
	case (c == 'r' || c == 'R') && (s.peekByte(1) == '"' || s.peekByte(1) == '\''):
		s.off++
		return s.scanString(p, start, true)
	case isDigit(c):
		// `.5` is not a number in KCL
		return s.scanNumber(p, start)
	case c == '$':
		s.off++
		r, w := utf8.DecodeRune(s.src[s.off:])
		if s.off < len(s.src) && isIdentStart(r) {
			s.off += w
			s.identRest()
			return token{kind: IDENT, pos: p, end: s.pos(), lit: string(s.src[start:s.off])}
		}
		s.parseErrorf(p, "'$' must be followed by a name (as in $if)")
		return token{kind: ILLEGAL, pos: p, end: s.pos(), lit: "$"}
	}
	if c < utf8.RuneSelf {
		if isIdentStart(rune(c)) {
			s.off++
			s.identRest()
			e := s.intern(s.src[start:s.off])
			return token{kind: e.kind, pos: p, end: s.pos(), lit: e.s}
		}
	} else {
		r, w := utf8.DecodeRune(s.src[s.off:])
		if isIdentStart(r) {
			s.off += w
			s.identRest()
			lit := string(s.src[start:s.off])
			return token{kind: IDENT, pos: p, end: s.pos(), lit: lit}
		}
		s.off += w
		if r == utf8.RuneError && w == 1 {
			s.errorf(p, "invalid UTF-8 encoding")
		} else {
			s.errorf(p, "invalid character %q", r)
		}
		return token{kind: ILLEGAL, pos: p, end: s.pos(), lit: string(s.src[start:s.off])}
	}
	c1 := s.peekByte(1)
	c2 := s.peekByte(2)
	switch c {
	case '(':
		s.ctx = append(s.ctx, scanCtx{closer: ')'})
		return mk(LPAREN, 1)
	case '[':
		s.ctx = append(s.ctx, scanCtx{closer: ']'})
		return mk(LBRACK, 1)
	case '{':
		s.ctx = append(s.ctx, scanCtx{closer: '}'})
		return mk(LBRACE, 1)
	case ')', ']', '}':
		s.closeBracket(c, p)
		k := RPAREN
		if c == ']' {
			k = RBRACK
		} else if c == '}' {
			k = RBRACE
		}
		return mk(k, 1)
	case ',':
		return mk(COMMA, 1)
	case ':':
		return mk(COLON, 1)
	case ';':
		return mk(SEMI, 1)
	case '@':
		return mk(AT, 1)
	case '?':
		return mk(QUESTION, 1)
	case '~':
		return mk(INVERT, 1)
	case '.':
		if c1 == '.' && c2 == '.' {
			return mk(ELLIPSIS, 3)
		}
		return mk(DOT, 1)
	case '+':
		if c1 == '=' {
			return mk(ADD_ASSIGN, 2)
		}
		return mk(ADD, 1)
	case '-':
		if c1 == '=' {
			return mk(SUB_ASSIGN, 2)
		}
		if c1 == '>' {
			return mk(ARROW, 2)
		}
		return mk(SUB, 1)
	case '*':
		if c1 == '*' {
			if c2 == '=' {
				return mk(POW_ASSIGN, 3)
			}
			return mk(POW, 2)
		}
		if c1 == '=' {
			return mk(MUL_ASSIGN, 2)
		}
		return mk(MUL, 1)
	case '/':
		if c1 == '/' {
			if c2 == '=' {
				return mk(FLOORDIV_ASSIGN, 3)
			}
			return mk(FLOORDIV, 2)
		}
		if c1 == '=' {
			return mk(DIV_ASSIGN, 2)
		}
		return mk(DIV, 1)
	case '%':
		if c1 == '=' {
			return mk(MOD_ASSIGN, 2)
		}
		return mk(MOD, 1)
	case '<':
		if c1 == '<' {
			if c2 == '=' {
				return mk(SHL_ASSIGN, 3)
			}
			return mk(SHL, 2)
		}
		if c1 == '=' {
			return mk(LE, 2)
		}
		return mk(LT, 1)
	case '>':
		if c1 == '>' {
			if c2 == '=' {
				return mk(SHR_ASSIGN, 3)
			}
			return mk(SHR, 2)
		}
		if c1 == '=' {
			return mk(GE, 2)
		}
		return mk(GT, 1)
	case '=':
		if c1 == '=' {
			return mk(EQ, 2)
		}
		return mk(ASSIGN, 1)
	case '!':
		if c1 == '=' {
			return mk(NE, 2)
		}
		s.errorf(p, "invalid character '!' (use 'not' for negation)")
		return mk(ILLEGAL, 1)
	case '&':
		if c1 == '=' {
			return mk(AND_ASSIGN, 2)
		}
		return mk(AND, 1)
	case '|':
		if c1 == '=' {
			return mk(OR_ASSIGN, 2)
		}
		return mk(OR, 1)
	case '^':
		if c1 == '=' {
			return mk(XOR_ASSIGN, 2)
		}
		return mk(XOR, 1)
	case '\\':
		s.errorf(p, "unexpected character after line continuation character") // the toolchain's words
		return mk(ILLEGAL, 1)
	}
	if c < ' ' || c == 0x7f {
		s.errorf(p, "invalid control character %#02x", c)
	} else {
		s.errorf(p, "invalid character %q", rune(c))
	}
	return mk(ILLEGAL, 1)
}

// closeBracket pops the bracket level closed by c. A block level being
// closed first queues NEWLINE and the DEDENTs back to its base. A closer
// that matches no open bracket is left to the parser to report.
func (s *scanner) closeBracket(c byte, p Pos) {
	for i := len(s.ctx) - 1; i >= 1; i-- {
		if s.ctx[i].closer != c {
			continue
		}
		for j := len(s.ctx) - 1; j >= i; j-- {
			cx := &s.ctx[j]
			if cx.block {
				if s.lastKind != NEWLINE && s.lastKind != INDENT && s.lastKind != DEDENT && s.lastKind != LBRACE && len(s.pending) == 0 {
					s.pending = append(s.pending, token{kind: NEWLINE, pos: p, end: p})
				}
				for len(cx.indents) > 1 {
					cx.indents = cx.indents[:len(cx.indents)-1]
					s.pending = append(s.pending, token{kind: DEDENT, pos: p, end: p})
				}
			}
		}
		s.ctx = s.ctx[:i]
		return
	}
}

func (s *scanner) identRest() {
	for s.off < len(s.src) {
		c := s.src[s.off]
		if c < utf8.RuneSelf {
			if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
				s.off++
				continue
			}
			return
		}
		r, w := utf8.DecodeRune(s.src[s.off:])
		if !isIdentPart(r) {
			return
		}
		s.off += w
	}
}

// unitSuffixes are the number multiplier suffixes, longest first.
var unitSuffixes = []string{"Ki", "Mi", "Gi", "Ti", "Pi", "n", "u", "m", "k", "K", "M", "G", "T", "P"}

func (s *scanner) scanNumber(p Pos, start int) token {
	kind := INT
	// digits consumes digits accepted by ok and '_' separators (1_000);
	// it returns the number of digits.
	digits := func(ok func(byte) bool) int {
		n := 0
		for s.off < len(s.src) && (ok(s.src[s.off]) || s.src[s.off] == '_') {
			if s.src[s.off] != '_' {
				n++
			}
			s.off++
		}
		return n
	}
	bad := false
	if s.src[s.off] == '0' && s.off+1 < len(s.src) && strings.IndexByte("xob", s.src[s.off+1]) >= 0 {
		base := s.src[s.off+1]
		s.off += 2
		var n int
		switch base {
		case 'x':
			n = digits(func(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' })
		case 'o':
			n = digits(func(c byte) bool { return c >= '0' && c <= '7' })
		default:
			n = digits(func(c byte) bool { return c == '0' || c == '1' })
		}
		if n == 0 {
			s.errorf(p, "no valid digits found for number") // the toolchain's message
			bad = true
		}
	} else {
		digits(isDigit)
		if s.off < len(s.src) && s.src[s.off] == '.' && s.off+1 < len(s.src) && isDigit(s.src[s.off+1]) {
			kind = FLOAT
			s.off++
			digits(isDigit)
		} else if s.off < len(s.src) && s.src[s.off] == '.' && !s.dotContinues(s.off+1) {
			kind = FLOAT // `1.` is the float 1.0
			s.off++
		}
		if kind == INT && s.src[start] == '0' && s.off-start > 2 && isDigit(s.src[start+1]) &&
			!(s.off < len(s.src) && (s.src[s.off] == 'e' || s.src[s.off] == 'E')) {
			// a leading 0 makes an octal literal, as in C and Go: 017 is 15
			for i := start + 1; i < s.off; i++ {
				if c := s.src[i]; c == '8' || c == '9' {
					s.errorf(p, "invalid digit '%c' in octal literal %s (a number starting with 0 is octal)", c, string(s.src[start:s.off]))
					bad = true
					break
				}
			}
		}
		if s.off < len(s.src) && (s.src[s.off] == 'e' || s.src[s.off] == 'E') {
			save := s.off
			s.off++
			if s.off < len(s.src) && (s.src[s.off] == '+' || s.src[s.off] == '-') {
				s.off++
			}
			if digits(isDigit) == 0 {
				s.off = save
				s.off++
				s.errorf(p, "exponent of %s has no digits", string(s.src[start:s.off]))
				bad = true
			} else {
				kind = FLOAT
			}
		}
		if !bad && s.src[start] == '0' && start+1 < s.off && isDigit(s.src[start+1]) {
			// the toolchain reads 0 and the next digit as an octal prefix (like 0o) that
			// wants digits after it: 07 and 00 are errors, 007 is 7
			more := false
			for i := start + 2; i < s.off && (isDigit(s.src[i]) || s.src[i] == '_'); i++ {
				more = more || isDigit(s.src[i])
			}
			switch {
			case !more:
				s.errorf(p, "no valid digits found for number")
				bad = true
			case kind == FLOAT:
				s.errorf(p, "octal float literal is not supported")
				bad = true
			}
		}
	}
	lit := string(s.src[start:s.off])
	// unit suffix
	if !bad && s.off < len(s.src) {
		for _, suf := range unitSuffixes {
			if hasPrefixAt(s.src, s.off, suf) {
				after := s.off + len(suf)
				if after < len(s.src) {
					r, _ := utf8.DecodeRune(s.src[after:])
					if isIdentPart(r) {
						continue
					}
				}
				s.off = after
				return token{kind: kind, pos: p, end: s.pos(), lit: string(s.src[start:s.off])}
			}
		}
	}
	if s.off < len(s.src) {
		r, _ := utf8.DecodeRune(s.src[s.off:])
		if isIdentPart(r) {
			sufStart := s.off
			s.identRest()
			if !bad {
				s.errorf(s.posAt(sufStart), "invalid suffix %q on number %s (units are n u m k K M G T P Ki Mi Gi Ti Pi)", string(s.src[sufStart:s.off]), lit)
			}
			bad = true
		}
	}
	if bad {
		return token{kind: ILLEGAL, pos: p, end: s.pos(), lit: string(s.src[start:s.off])}
	}
	return token{kind: kind, pos: p, end: s.pos(), lit: lit}
}

// scanString scans a string literal whose opening quote is at s.off (after
// any r/R prefix). The token's lit is the whole source text; the parser
// decodes escapes and interpolation.
func (s *scanner) scanString(p Pos, start int, raw bool) token {
	q := s.src[s.off]
	long := s.peekByte(1) == q && s.peekByte(2) == q
	if long {
		s.off += 3
	} else {
		s.off++
	}
	for s.off < len(s.src) {
		c := s.src[s.off]
		switch {
		case c == '\\':
			s.off++
			if s.off < len(s.src) {
				if s.src[s.off] == '\n' || s.src[s.off] == '\r' {
					s.newline()
				} else {
					s.off++
				}
			}
			continue
		case c == q:
			if !long {
				s.off++
				return token{kind: STRING, pos: p, end: s.pos(), lit: string(s.src[start:s.off])}
			}
			if s.peekByte(1) == q && s.peekByte(2) == q {
				s.off += 3
				return token{kind: STRING, pos: p, end: s.pos(), lit: string(s.src[start:s.off])}
			}
		case c == '\n' || c == '\r':
			if !long {
				s.errorf(p, "string literal not terminated (missing closing %c)", q)
				return token{kind: ILLEGAL, pos: p, end: s.pos(), lit: string(s.src[start:s.off])}
			}
			s.newline()
			continue
		}
		s.off++
	}
	if long {
		s.errorf(p, "triple-quoted string literal not terminated (missing closing %c%c%c)", q, q, q)
	} else {
		s.errorf(p, "string literal not terminated (missing closing %c)", q)
	}
	return token{kind: ILLEGAL, pos: p, end: s.pos(), lit: string(s.src[start:s.off])}
}

// dotContinues reports whether the '.' before offset off belongs to what
// follows rather than to a number before it: `1.a` and `1..` are not
// floats, `1.` followed by anything else is.
func (s *scanner) dotContinues(off int) bool {
	if off >= len(s.src) {
		return false
	}
	if s.src[off] == '.' {
		return true
	}
	r, _ := utf8.DecodeRune(s.src[off:])
	return isIdentStart(r) || r == '$'
}

func hasPrefixAt(b []byte, off int, p string) bool {
	if off+len(p) > len(b) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if b[off+i] != p[i] {
			return false
		}
	}
	return true
}

type nameEntry struct {
	s    string
	kind Token
}

// maxInterned bounds the interned spellings of a file: a generated file of millions of distinct
// names (`a1 = 1`, `a2 = 2`, ...) would otherwise hold a map of them all while it is parsed (40
// bytes a name, two to three times the source); the names a file repeats come early and are
// interned.
const maxInterned = 1 << 16

// intern returns a shared string for an identifier spelling (so repeated
// names cost one allocation per file) and its token kind (IDENT or a
// keyword), with one map lookup.
func (s *scanner) intern(b []byte) nameEntry {
	if e, ok := s.names[string(b)]; ok {
		return e
	}
	v := string(b)
	e := nameEntry{s: v, kind: Lookup(v)}
	if len(s.names) < maxInterned {
		s.names[v] = e
	}
	return e
}

// resync drops the bracket levels above the innermost statement block, when
// the parser has decided that they were never closed, so that line breaks
// separate statements again.
func (s *scanner) resync() {
	for len(s.ctx) > 1 && !s.top().block {
		s.ctx = s.ctx[:len(s.ctx)-1]
	}
}

// rewind restarts scanning at the beginning of line (which starts at byte
// offset off), after dropping the unclosed bracket levels (see resync):
// what was scanned from there on is forgotten (tokens, comments, errors)
// and the line's indentation is processed again. It reports false, and
// only resyncs, when the end of the file was already reached.
func (s *scanner) rewind(off, line int) bool {
	s.resync()
	if s.eofDone || off < 0 || off > len(s.src) {
		return false
	}
	s.off, s.line, s.lineOff = off, line, off
	s.pending = s.pending[:0]
	s.atLineStart = true
	s.sawNL = false
	s.lastKind = NEWLINE
	for len(s.comments) > 0 && int(s.comments[len(s.comments)-1].From.Offset) >= off {
		s.comments = s.comments[:len(s.comments)-1]
	}
	for len(s.errs) > 0 && int(s.errs[len(s.errs)-1].Pos.Offset) >= off {
		s.errs = s.errs[:len(s.errs)-1]
	}
	for len(s.parseErrs) > 0 && int(s.parseErrs[len(s.parseErrs)-1].Pos.Offset) >= off {
		s.parseErrs = s.parseErrs[:len(s.parseErrs)-1]
	}
	return true
}

// isIndentLevel reports whether the line starting at byte offset off is
// indented exactly like one of the open levels of the innermost statement
// block (so that it can start a statement there).
func (s *scanner) isIndentLevel(off int) bool {
	end := off
	for end < len(s.src) && (s.src[end] == ' ' || s.src[end] == '\t' || s.src[end] == '\f') {
		end++
	}
	ind := string(s.src[off:end])
	for i := len(s.ctx) - 1; i >= 0; i-- {
		c := &s.ctx[i]
		if !c.block {
			continue
		}
		if !c.baseSet {
			return false
		}
		for _, lvl := range c.indents {
			if lvl == ind {
				return true
			}
		}
		return false
	}
	return false
}
