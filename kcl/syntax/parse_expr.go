package syntax

import "strings"

// Expression parsing. Precedence, lowest first:
//
//	x if c else y
//	x as T
//	or
//	and
//	in, not in, is, is not, <, <=, >, >=, !=, ==   (chained)
//	|
//	^
//	&
//	<<, >>
//	+, -
//	*, /, //, %
//	**                                             (left-assoc, as the toolchain's)
//	+x, -x, ~x, not x                              (the operand is a primary: not a == b is (not a) == b)
//	primary: x.y  x?.y  x[i]  x?[i]  f(...)  Name {...}  lambda {...}

func (p *parser) bad(from Pos) *BadExpr {
	return &BadExpr{Span: p.span(from)}
}

// broken reports whether a token on a new line must end the current
// expression (inside config and list entries, where a line break separates
// entries).
func (p *parser) broken() bool { return p.stopNL && p.tok.nl || p.resynced }

// parseTest parses a full expression: ternary or lambda.
func (p *parser) parseTest() Expr {
	if !p.enter() {
		return p.bad(p.tok.pos)
	}
	defer p.leave()
	from := p.tok.pos
	x := p.parseOrTest()
	for p.tok.kind == AS && !p.broken() {
		// `x as T`: below `or`, above the conditional expression
		asPos := p.tok.pos
		p.next()
		t := p.parseType()
		x = &AsExpr{Span: p.span(from), X: x, AsPos: asPos, Type: t}
	}
	if p.tok.kind == IF && !p.broken() {
		p.next()
		cond := p.parseOrTest()
		if p.tok.kind != ELSE {
			p.errorExpectedOneOf("else")
			return &IfExpr{Span: p.span(from), Body: x, Cond: cond, Orelse: p.bad(p.tok.pos)}
		}
		p.next()
		orelse := p.parseTest()
		return &IfExpr{Span: p.span(from), Body: x, Cond: cond, Orelse: orelse}
	}
	return x
}

// parseOrTest parses `or` and everything tighter (no ternary).
func (p *parser) parseOrTest() Expr {
	return p.parseBoolChain(KW_OR, p.parseAndTest)
}

func (p *parser) parseAndTest() Expr {
	return p.parseBoolChain(KW_AND, p.parseComparison)
}

// parseBoolChain parses `x op y op z` (left-associative) for the boolean
// operator op, with operand parsing the tighter level.
func (p *parser) parseBoolChain(op Token, operand func() Expr) Expr {
	from := p.tok.pos
	x := operand()
	for p.tok.kind == op && !p.broken() {
		opPos := p.tok.pos
		p.next()
		y := operand()
		x = &BinaryExpr{Span: p.span(from), X: x, Op: op, OpPos: opPos, Y: y}
	}
	return x
}

func (p *parser) compareOp() (Token, bool) {
	if p.broken() {
		return ILLEGAL, false
	}
	switch k := p.tok.kind; k {
	case LT, GT, LE, GE, EQ, NE, IN:
		p.next()
		return k, true
	case IS:
		p.next()
		if p.got(KW_NOT) {
			return IS_NOT, true
		}
		return IS, true
	case KW_NOT:
		if p.peek().kind == IN {
			p.next()
			p.next()
			return NOT_IN, true
		}
	}
	return ILLEGAL, false
}

func (p *parser) parseComparison() Expr {
	from := p.tok.pos
	x := p.parseBinary(1)
	var c *CompareExpr
	for {
		op, ok := p.compareOp()
		if !ok {
			break
		}
		y := p.parseBinary(1)
		if c == nil {
			c = &CompareExpr{Left: x}
		}
		c.Ops = append(c.Ops, op)
		c.Comparators = append(c.Comparators, y)
	}
	if c == nil {
		return x
	}
	c.Span = p.span(from)
	return c
}

func binaryPrec(k Token) int {
	switch k {
	case OR:
		return 1
	case XOR:
		return 2
	case AND:
		return 3
	case SHL, SHR:
		return 4
	case ADD, SUB:
		return 5
	case MUL, DIV, FLOORDIV, MOD:
		return 6
	case POW:
		// the toolchain's `**` is left-associative and binds looser than unary minus:
		// 2 ** 3 ** 2 is 64 and -2 ** 2 is 4
		return 7
	}
	return 0
}

// parseBinary parses left-associative binary operators of precedence >= min.
func (p *parser) parseBinary(min int) Expr {
	if !p.enter() {
		return p.bad(p.tok.pos)
	}
	defer p.leave()
	from := p.tok.pos
	x := p.parseUnary()
	for {
		prec := binaryPrec(p.tok.kind)
		if prec < min || prec == 0 || p.broken() {
			return x
		}
		op, opPos := p.tok.kind, p.tok.pos
		p.next()
		y := p.parseBinary(prec + 1)
		x = &BinaryExpr{Span: p.span(from), X: x, Op: op, OpPos: opPos, Y: y}
	}
}

// parseUnary parses a unary operator and its operand, which is a primary expression as in the
// toolchain: `- -x` and `not not x` are errors (there `not` after an operator is a name).
func (p *parser) parseUnary() Expr {
	switch k := p.tok.kind; k {
	case ADD, SUB, INVERT, KW_NOT:
		from := p.tok.pos
		p.next()
		x := p.parsePrimary()
		return &UnaryExpr{Span: p.span(from), Op: k, X: x}
	}
	return p.parsePrimary()
}

// saveFlags resets the line-sensitivity flags inside explicit delimiters and
// returns a function restoring them.
func (p *parser) nest(stopNL bool) func() {
	s1, s2 := p.stopNL, p.noBrace
	p.stopNL, p.noBrace = stopNL, false
	return func() { p.stopNL, p.noBrace = s1, s2 }
}

func (p *parser) parsePrimary() Expr {
	if !p.enter() {
		return p.bad(p.tok.pos)
	}
	defer p.leave()
	x := p.parseOperand()
	return p.parsePostfix(x)
}

func (p *parser) parsePostfix(x Expr) Expr {
	from := x.Pos()
	for !p.broken() {
		switch p.tok.kind {
		case DOT:
			p.next()
			if p.tok.kind.IsKeyword() {
				p.tok.kind = IDENT // any keyword is a plain attribute name after '.'
			}
			if p.tok.kind != IDENT {
				p.errorExpected("a name after '.'")
				return x
			}
			if id, ok := x.(*Ident); ok {
				sp := Span{From: p.tok.pos, To: p.tok.end}
				id.Names = append(id.Names, identName(p.tok.lit))
				id.NameSpans = append(id.NameSpans, sp)
				id.Span.To = sp.To
				p.next()
				continue
			}
			n := p.ident()
			x = &SelectorExpr{Span: p.span(from), X: x, Attr: n}
		case QUESTION:
			pk := p.peek()
			switch pk.kind {
			case DOT:
				p.next()
				p.next()
				if p.tok.kind.IsKeyword() {
					p.tok.kind = IDENT
				}
				if p.tok.kind != IDENT {
					p.errorExpected("a name after '?.'")
					return x
				}
				n := p.ident()
				x = &SelectorExpr{Span: p.span(from), X: x, Attr: n, HasQuestion: true}
			case LBRACK:
				p.next()
				x = p.parseSubscript(x, true)
			default:
				return x
			}
		case LBRACK:
			x = p.parseSubscript(x, false)
		case LPAREN:
			lp, mark, nerr := p.tok.pos, len(p.lineStarts), len(p.errs)
			p.next()
			restore := p.nest(false)
			args, kws := p.parseArgs(RPAREN, lp)
			restore()
			rp := p.tok.pos
			if p.tok.kind != RPAREN {
				p.errorAt(p.tok.pos, p.tok.end, "expected ')' to close the call opened at %s, found %s", lp, describe(p.tok))
				if p.restartUnclosed(lp, mark, nerr) {
					return &CallExpr{Span: p.span(from), Func: x, Args: args, Keywords: kws, Lparen: lp, Rparen: p.prev.end}
				}
			}
			p.got(RPAREN)
			x = &CallExpr{Span: p.span(from), Func: x, Args: args, Keywords: kws, Lparen: lp, Rparen: rp}
		case LBRACE:
			if p.noBrace {
				return x
			}
			switch f := x.(type) {
			case *Ident:
				cfg := p.parseConfigOrComp()
				x = &SchemaExpr{Span: p.span(from), Name: f, Config: cfg}
			case *CallExpr:
				id, ok := f.Func.(*Ident)
				if !ok {
					return x
				}
				cfg := p.parseConfigOrComp()
				x = &SchemaExpr{Span: p.span(from), Name: id, Args: f.Args, Kwargs: f.Keywords, Config: cfg}
			default:
				return x
			}
		default:
			return x
		}
	}
	return x
}

// parseSubscript parses `[index]` or `[lower:upper:step]`; the current token is '['.
func (p *parser) parseSubscript(x Expr, question bool) Expr {
	from := x.Pos()
	open, mark, nerr := p.tok.pos, len(p.lineStarts), len(p.errs)
	p.next() // [
	restore := p.nest(false)
	defer restore()
	s := &SubscriptExpr{X: x, HasQuestion: question}
	var first Expr
	if p.tok.kind != COLON {
		if p.tok.kind == RBRACK {
			p.errorExpected("an index or slice")
		} else {
			first = p.parseTest()
		}
	}
	if p.tok.kind == COLON {
		s.IsSlice = true
		s.Lower = first
		p.next()
		if p.tok.kind != COLON && p.tok.kind != RBRACK {
			s.Upper = p.parseTest()
		}
		if p.got(COLON) {
			if p.tok.kind != RBRACK {
				s.Step = p.parseTest()
			}
		}
	} else {
		s.Index = first
	}
	if p.tok.kind != RBRACK {
		p.errorAt(p.tok.pos, p.tok.end, "expected ']' to close the subscript opened at %s, found %s", open, describe(p.tok))
		p.restartUnclosed(open, mark, nerr)
	}
	p.got(RBRACK)
	s.Span = p.span(from)
	return s
}

// parseArgs parses call arguments up to closer (not consumed); open is the
// position of the opening bracket.
func (p *parser) parseArgs(closer Token, open Pos) ([]Expr, []*Keyword) {
	mark := len(p.lineStarts)
	var args []Expr
	var kws []*Keyword
	for p.tok.kind != closer && p.tok.kind != EOF && !p.resynced {
		from := p.tok.pos
		var a Expr
		switch p.tok.kind {
		case MUL:
			p.next()
			a = &StarredExpr{X: p.parseOrTest()}
			a.(*StarredExpr).Span = p.span(from)
		case POW:
			p.next()
			a = &DoubleStarredExpr{X: p.parseOrTest()}
			a.(*DoubleStarredExpr).Span = p.span(from)
		default:
			a = p.parseTest()
		}
		if p.tok.kind == ASSIGN {
			id, ok := a.(*Ident)
			if (!ok || len(id.Names) != 1) && p.stmtLineSince(open, mark) {
				// `f(1 +` then `b = 2`: the bracket was never closed
				p.errorAt(p.tok.pos, p.tok.end, "expected '%s' to close '%s' at %s, found %s", closer, openerOf(closer), open, describe(p.tok))
				break
			}
			if !ok || len(id.Names) != 1 {
				p.errorAt(a.Pos(), a.End(), "keyword argument name must be a plain name")
			}
			p.next()
			v := p.parseTest()
			if ok {
				kws = append(kws, &Keyword{Span: p.span(from), Name: id, Value: v})
			}
		} else {
			_, star := a.(*StarredExpr)
			_, dstar := a.(*DoubleStarredExpr)
			if len(kws) > 0 && !star && !dstar {
				p.errorAt(a.Pos(), a.End(), "positional argument follows keyword argument")
			}
			args = append(args, a)
		}
		if !p.got(COMMA) {
			if startsStmt(p.tok.kind) && !p.tok.nl && !p.resynced && p.tok.pos.Offset > from.Offset {
				// as in the toolchain, arguments on one line need no comma: max(1 2) (the
				// offset check stops at an argument that consumed nothing, too deep to parse)
				continue
			}
			if p.tok.kind != closer && !p.resynced {
				if p.outdented(p.tok, open) || p.tok.kind == EOF {
					p.errorAt(p.tok.pos, p.tok.end, "expected '%s' to close '%s' at %s, found %s", closer, openerOf(closer), open, describe(p.tok))
					break
				}
				p.errorExpected("',' or '" + closer.String() + "' in argument list")
				p.skipTo(closer, open)
			}
			break
		}
	}
	return args, kws
}

// startsStmtLine reports whether the current token starts a line that is
// not indented deeper than the line of open and is indented like a
// statement of the enclosing block: the bracket opened at open was never
// closed and that line is the next statement.
func (p *parser) startsStmtLine(t token, open Pos) bool {
	switch t.kind {
	case RPAREN, RBRACK, RBRACE, EOF:
		return false // closes an enclosing bracket
	}
	return t.nl && t.pos.Col <= p.lineIndentCol(open) && p.s.isIndentLevel(int(t.pos.Offset-(t.pos.Col-1)))
}

// outdented reports whether t starts a line not indented deeper than the
// line of open: inside an enclosing list or config, the bracket opened at
// open was left unclosed and t begins the next entry.
func (p *parser) outdented(t token, open Pos) bool {
	return t.nl && t.pos.Col <= p.lineIndentCol(open)
}

// stmtLineSince reports whether a line started since p.lineStarts[mark]
// (up to the current token) starts like a statement (see startsStmtLine).
func (p *parser) stmtLineSince(open Pos, mark int) bool {
	if mark > len(p.lineStarts) {
		mark = len(p.lineStarts)
	}
	for _, t := range p.lineStarts[mark:] {
		if t.pos.Offset <= p.tok.pos.Offset && p.startsStmtLine(t, open) {
			return true
		}
	}
	return false
}

func openerOf(closer Token) string {
	switch closer {
	case RBRACK:
		return "["
	case RBRACE:
		return "{"
	}
	return "("
}

// restartUnclosed is called when the bracket opened at open is not closed
// where expected (an error was reported). When a line since the bracket
// opened (up to the current token) starts like a statement of the
// enclosing block, parsing restarts there: errors reported after the
// first one since the bracket opened (nerr) and located on or after that
// line are dropped, and the parser continues with statements from that
// line. mark is len(p.lineStarts) when the bracket opened.
func (p *parser) restartUnclosed(open Pos, mark, nerr int) bool {
	if p.resynced {
		return true
	}
	if mark > len(p.lineStarts) {
		mark = len(p.lineStarts)
	}
	for _, t := range p.lineStarts[mark:] {
		if t.pos.Offset > p.tok.pos.Offset {
			break
		}
		if !p.startsStmtLine(t, open) {
			continue
		}
		if len(p.errs) > nerr+1 {
			keep := p.errs[:nerr+1]
			for _, e := range p.errs[nerr+1:] {
				if e.Pos.Offset < t.pos.Offset {
					keep = append(keep, e)
				}
			}
			p.errs = keep
		}
		p.quiet = true
		p.restartAt(t)
		return true
	}
	return false
}

// skipTo skips tokens up to (not including) closer, at the current bracket
// depth, stopping at end of line or file, and at a line that starts like
// a statement (see startsStmtLine) when the bracket opened at open was
// left unclosed.
func (p *parser) skipTo(closer Token, open Pos) {
	if p.resynced {
		return
	}
	depth := 0
	for {
		if open.IsValid() && depth == 0 && p.outdented(p.tok, open) {
			return
		}
		switch p.tok.kind {
		case EOF, NEWLINE, DEDENT, INDENT:
			return
		case LPAREN, LBRACK, LBRACE:
			depth++
		case RPAREN, RBRACK, RBRACE:
			if depth == 0 {
				if p.tok.kind == closer {
					return
				}
				return
			}
			depth--
		}
		p.next()
	}
}

func (p *parser) parseOperand() Expr {
	from := p.tok.pos
	switch p.tok.kind {
	case IDENT, PROTOCOL, RULE, MIXIN:
		return p.ident()
	case SCHEMA, CHECK:
		// names in expressions (`{schema: 1 for schema in s}`), but not where a line starts a
		// declaration (an unclosed bracket before `schema A:`)
		if !p.tok.nl {
			return p.ident()
		}
	case INT, FLOAT:
		return p.parseNumber()
	case STRING:
		x := p.parseStringTok(p.tok)
		p.next()
		if p.tok.kind != STRING || p.broken() {
			return x
		}
		// adjacent literals are one string: "a" 'b' is "ab"
		parts := []Expr{x}
		for p.tok.kind == STRING && !p.broken() {
			parts = append(parts, p.parseStringTok(p.tok))
			p.next()
		}
		return p.concatStrings(parts, from)
	case TRUE, FALSE, NONE, UNDEFINED:
		k := ConstTrue
		switch p.tok.kind {
		case FALSE:
			k = ConstFalse
		case NONE:
			k = ConstNone
		case UNDEFINED:
			k = ConstUndefined
		}
		p.next()
		return &NameConstant{Span: p.span(from), Value: k}
	case LPAREN:
		mark, nerr := len(p.lineStarts), len(p.errs)
		p.next()
		restore := p.nest(false)
		if p.tok.kind == RPAREN {
			p.errorAt(from, p.tok.end, "empty parentheses are not an expression")
			p.next()
			restore()
			return p.bad(from)
		}
		x := p.parseTest()
		restore()
		if p.tok.kind != RPAREN && !p.resynced && p.startsStmtLine(p.tok, from) {
			// the next line is not indented under the '(': it was never closed
			p.quiet = false
			p.errorAt(p.tok.pos, p.tok.end, "expected ')' to close '(' at %s, found %s", from, describe(p.tok))
			p.restartAt(p.tok)
			return &ParenExpr{Span: p.span(from), X: x}
		}
		if p.tok.kind != RPAREN {
			if p.tok.nl {
				p.errorAt(p.tok.pos, p.tok.end, "expected ')' to close '(' at %s, found %s", from, describe(p.tok))
			} else {
				p.errorExpectedOneOf(")") // the toolchain's words for `(a b)`
			}
			p.restartUnclosed(from, mark, nerr)
		}
		p.got(RPAREN)
		return &ParenExpr{Span: p.span(from), X: x}
	case LBRACK:
		return p.parseList()
	case LBRACE:
		return p.parseConfigOrComp()
	case LAMBDA:
		return p.parseLambda()
	case ALL, ANY, MAP, FILTER:
		return p.parseQuant()
	case ILLEGAL:
		p.next()
		return p.bad(from)
	}
	if p.tok.kind.IsKeyword() && !p.tok.nl {
		// the toolchain's keywords are names where an operand is due: `not not x` and
		// `check: a, if b` use names `not` and `if` (and fail as unknown names)
		t := p.tok
		p.next()
		return newIdent(t.kind.String(), Span{From: t.pos, To: t.end})
	}
	p.errorExpectedOneOf("identifier", "literal", "(", "[", "{")
	// leave NEWLINE/closers/EOF for the caller; skip anything else
	switch p.tok.kind {
	case NEWLINE, EOF, DEDENT, INDENT, RPAREN, RBRACK, RBRACE, COMMA, COLON:
	default:
		p.next()
	}
	return p.bad(from)
}

// concatStrings joins adjacent string literals (already parsed, in order)
// into one *StringLit, or a *JoinedString when one of them interpolates.
// Raw is the source text of all of them; IsLong, IsRaw and Quote are the
// first literal's.
func (p *parser) concatStrings(parts []Expr, from Pos) Expr {
	sp := p.span(from)
	raw := string(p.src[sp.From.Offset:sp.To.Offset])
	var b strings.Builder
	joined := false
	for _, x := range parts {
		switch x := x.(type) {
		case *StringLit:
			b.WriteString(x.Value)
		case *JoinedString:
			joined = true
		default:
			return &BadExpr{Span: sp}
		}
	}
	var first *StringLit
	switch x := parts[0].(type) {
	case *StringLit:
		first = x
	case *JoinedString:
		first = &StringLit{IsLong: x.IsLong, Quote: x.Quote}
	}
	if !joined {
		return &StringLit{Span: sp, Value: b.String(), Raw: raw, IsLong: first.IsLong, IsRaw: first.IsRaw, Quote: first.Quote}
	}
	js := &JoinedString{Span: sp, Raw: raw, IsLong: first.IsLong, Quote: first.Quote}
	for _, x := range parts {
		switch x := x.(type) {
		case *StringLit:
			if x.Value != "" {
				js.Parts = append(js.Parts, &StringLit{Span: x.Span, Value: x.Value, IsLong: x.IsLong, Quote: x.Quote})
			}
		case *JoinedString:
			js.Parts = append(js.Parts, x.Parts...)
		}
	}
	return js
}

func (p *parser) parseNumber() Expr {
	t := p.tok
	p.next()
	n := &NumberLit{Span: Span{From: t.pos, To: t.end}, IsFloat: t.kind == FLOAT}
	raw := t.lit
	for _, suf := range unitSuffixes {
		if len(raw) > len(suf) && raw[len(raw)-len(suf):] == suf && !isHexLit(raw) {
			n.Suffix = suf
			raw = raw[:len(raw)-len(suf)]
			break
		}
	}
	n.Raw = raw
	var err error
	if n.IsFloat {
		n.Float, err = parseFloat(raw)
	} else {
		n.Int, err = parseInt(raw)
	}
	if err != nil {
		p.errorAt(t.pos, t.end, "%s", err.Error())
	}
	return n
}

func isHexLit(s string) bool {
	return len(s) > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')
}

func (p *parser) parseLambda() Expr {
	from := p.tok.pos
	p.next() // lambda
	l := &LambdaExpr{}
	for p.softName() {
		l.Params = append(l.Params, p.parseParam(true))
		if !p.got(COMMA) {
			break
		}
	}
	if p.got(ARROW) {
		l.ReturnType = p.parseType()
	}
	if p.tok.kind != LBRACE {
		if len(l.Params) == 0 && l.ReturnType == nil {
			p.errorExpected("a parameter name or '{' after 'lambda'")
		} else {
			p.errorExpected("'{' to start the lambda body")
		}
		l.Span = p.span(from)
		return l
	}
	if p.peeked == nil {
		p.s.markBlock()
	}
	open := p.tok.pos
	blockDepth := len(p.s.ctx)
	p.next()
	restore := p.nest(false)
	p.lambdaDepth++
	saveDepth := p.blockDepth
	p.blockDepth = blockDepth
	l.Body = p.parseStmtList(ctxLambda, RBRACE)
	p.blockDepth = saveDepth
	p.lambdaDepth--
	restore()
	if p.tok.kind != RBRACE {
		p.errorAt(p.tok.pos, p.tok.end, "expected '}' to close the lambda body opened at %s, found %s", open, describe(p.tok))
		if len(p.s.ctx) < blockDepth {
			// the scanner closed the body at a line indented less than
			// it: that line starts the next statement
			p.resynced = true
		}
	} else {
		p.next()
	}
	l.Span = p.span(from)
	return l
}

func (p *parser) parseQuant() Expr {
	from := p.tok.pos
	q := &QuantExpr{}
	switch p.tok.kind {
	case ANY:
		q.Op = QuantAny
	case MAP:
		q.Op = QuantMap
	case FILTER:
		q.Op = QuantFilter
	}
	kw := p.tok.kind.String()
	p.next()
	for p.softName() {
		q.Vars = append(q.Vars, p.ident())
		if !p.got(COMMA) {
			break
		}
	}
	if len(q.Vars) == 0 {
		p.errorExpected("a loop variable after '" + kw + "'")
	} else if len(q.Vars) > 2 {
		p.compileErrorAt(q.Vars[2].Pos(), q.Vars[len(q.Vars)-1].End(), "the number of loop variables is %d, which can only be 1 or 2", len(q.Vars))
	}
	p.expect(IN, "after the loop variables of '"+kw+"'")
	saveNB := p.noBrace
	p.noBrace = true
	q.Target = p.parseOrTest()
	p.noBrace = saveNB
	open := p.tok.pos
	if p.tok.kind != LBRACE {
		p.errorExpected("'{' after the target of '" + kw + "'")
		q.Test = p.bad(p.tok.pos)
		q.Span = p.span(from)
		return q
	}
	p.next()
	restore := p.nest(false)
	q.Test = p.parseOrTest()
	if p.got(IF) {
		q.IfCond = p.parseOrTest()
	}
	restore()
	if p.tok.kind != RBRACE {
		p.errorAt(p.tok.pos, p.tok.end, "expected '}' to close the '%s' body opened at %s, found %s", kw, open, describe(p.tok))
		p.skipTo(RBRACE, Pos{})
	}
	p.got(RBRACE)
	q.Span = p.span(from)
	return q
}

// parseCompClauses parses `for ... in ... [if ...]` clauses.
func (p *parser) parseCompClauses() []*CompClause {
	var list []*CompClause
	for p.tok.kind == FOR {
		from := p.tok.pos
		p.next()
		c := &CompClause{}
		for p.softName() {
			c.Targets = append(c.Targets, p.ident())
			if !p.got(COMMA) {
				break
			}
		}
		if len(c.Targets) == 0 {
			p.errorExpected("a loop variable after 'for'")
		} else if len(c.Targets) > 2 {
			p.compileErrorAt(c.Targets[2].Pos(), c.Targets[len(c.Targets)-1].End(), "the number of loop variables is %d, which can only be 1 or 2", len(c.Targets))
		}
		p.expect(IN, "after the loop variables")
		c.Iter = p.parseOrTest()
		if p.tok.kind == IF {
			// one condition, a full expression as in the toolchain: a second `if` starts a
			// conditional expression (`if a if b` wants an `else`)
			p.next()
			c.Ifs = append(c.Ifs, p.parseTest())
		}
		c.Span = p.span(from)
		list = append(list, c)
	}
	return list
}

// sepOrEnd handles what follows an element of a list or config: a comma,
// the closer, or an element on a new line. It returns false when the
// sequence ends.
func (p *parser) sepOrEnd(closer Token, what string) bool {
	if p.resynced {
		return false
	}
	if p.got(COMMA) {
		return true
	}
	switch p.tok.kind {
	case closer, EOF, NEWLINE, DEDENT:
		return false
	}
	if p.tok.nl || startsStmt(p.tok.kind) {
		// a new line, or as in the toolchain an element on the same line: [1 2] is [1, 2]
		return true
	}
	p.errorExpected("',' or '" + closer.String() + "' " + what)
	// skip to the next separator at this level
	depth := 0
	for p.tok.kind != EOF {
		switch p.tok.kind {
		case LPAREN, LBRACK, LBRACE:
			depth++
		case RPAREN, RBRACK, RBRACE:
			if depth == 0 {
				return false
			}
			depth--
		case COMMA:
			if depth == 0 {
				p.next()
				return true
			}
		}
		p.next()
		if depth == 0 && p.tok.nl {
			return true
		}
	}
	return false
}

func (p *parser) parseList() Expr {
	from := p.tok.pos
	p.next() // [
	restore := p.nest(true)
	defer restore()
	var elts []Expr
	br := bracket{open: from, closer: RBRACK, what: "list"}
	for p.tok.kind != RBRACK && p.tok.kind != EOF && !p.resynced {
		el := p.elemStart(&br)
		before := p.tok.pos.Offset
		e := p.parseListElt()
		elts = append(elts, e)
		if len(elts) == 1 && (p.tok.kind == FOR || p.tok.kind == COMMA && p.peek().kind == FOR) {
			if _, ok := e.(*ListIfItem); !ok {
				p.got(COMMA) // [x, for x in l], as the toolchain takes it
				gens := p.parseCompClauses()
				p.expectClose(RBRACK, from, "list comprehension")
				return &ListComp{Span: p.span(from), Elt: e, Generators: gens}
			}
		}
		more := p.sepOrEnd(RBRACK, "in list")
		if p.elemEnd(&br, el) || !more {
			break
		}
		if p.tok.pos.Offset == before {
			p.next()
		}
	}
	p.expectClose(RBRACK, from, "list")
	return &ListExpr{Span: p.span(from), Elts: elts}
}

func (p *parser) expectClose(k Token, open Pos, what string) {
	if p.tok.kind == k {
		p.next()
		return
	}
	if p.tok.kind == EOF {
		// the end of the file or of a string interpolation: the toolchain's message
		p.errorExpectedOneOf(k.String())
		return
	}
	p.errorAt(p.tok.pos, p.tok.end, "expected '%s' to close the %s opened at %s, found %s", k, what, open, describe(p.tok))
}

func (p *parser) parseListElt() Expr {
	switch p.tok.kind {
	case IF:
		return p.parseListIf(int(p.tok.pos.Col))
	case MUL:
		from := p.tok.pos
		p.next()
		x := p.parseOrTest()
		return &StarredExpr{Span: p.span(from), X: x}
	}
	return p.parseTest()
}

// belongs reports whether the current token continues an inline `if`
// opened at column col: same line, or a new line indented further.
func (p *parser) belongs(col int) bool {
	return !p.tok.nl || int(p.tok.pos.Col) > col
}

// parseListIf parses `if c: a, b elif d: e else: f` inside a list; the
// current token is IF. elif chains are built iteratively.
func (p *parser) parseListIf(col int) Expr {
	return parseInlineIf(p, col,
		func(from Pos, cond Expr) *ListIfItem {
			it := &ListIfItem{Cond: cond, Exprs: p.listIfBody(col)}
			it.Span.From = from
			return it
		},
		func(cur *ListIfItem, orelse Expr) { cur.Orelse = orelse },
		func(from Pos) Expr {
			exprs := p.listIfBody(col)
			return &ListExpr{Span: p.span(from), Elts: exprs}
		},
		func(it *ListIfItem) *Span { return &it.Span })
}

// parseInlineIf parses the `if c: ... elif d: ... else: ...` chain shared by
// inline ifs in lists and configs; the current token is IF. clause parses
// the body of an if/elif clause (after its condition and colon) into a node,
// link sets a node's Orelse, orelse parses the body of the else clause and
// span gives a node's span (its From is set by clause, its end here).
func parseInlineIf[N Expr](p *parser, col int, clause func(from Pos, cond Expr) N,
	link func(cur N, orelse Expr), orelse func(from Pos) Expr, span func(N) *Span) Expr {
	if !p.enter() {
		return p.bad(p.tok.pos)
	}
	defer p.leave()
	parseClause := func(what string) N {
		from := p.tok.pos
		p.next()
		cond := p.parseOrTest()
		p.expectOneOf(COLON)
		return clause(from, cond)
	}
	root := parseClause("if")
	chain := []N{root}
	cur := root
	for p.clauseAt(ELIF, col) {
		e := parseClause("elif")
		link(cur, e)
		cur = e
		chain = append(chain, e)
	}
	if p.clauseAt(ELSE, col) {
		efrom := p.tok.pos
		p.next()
		p.expectOneOf(COLON)
		link(cur, orelse(efrom))
	}
	for _, it := range chain {
		sp := span(it)
		*sp = p.span(sp.From)
	}
	return root
}

// clauseAt reports whether the current token is an elif/else clause of an
// inline if at column col: on the same line, or on a new line at col.
func (p *parser) clauseAt(k Token, col int) bool {
	return p.tok.kind == k && (!p.tok.nl || int(p.tok.pos.Col) == col)
}

func (p *parser) listIfBody(col int) []Expr {
	return inlineIfBody(p, col, RBRACK, p.parseListElt, "an element after ':'")
}

// inlineIfBody parses the items of one clause of an inline if in a list or
// config (closed by close): one item on the clause's line (a comma after it
// separates the list's or config's own items: `[1, if c: 2, 3]`), or items on
// following lines indented past col, separated by commas or newlines.
func inlineIfBody[T any](p *parser, col int, close Token, item func() T, what string) []T {
	var items []T
	if !p.tok.nl && p.tok.kind != close && p.tok.kind != EOF && p.tok.kind != ELIF && p.tok.kind != ELSE {
		return append(items, item())
	}
	for p.tok.kind != close && p.tok.kind != EOF && p.tok.kind != ELIF && p.tok.kind != ELSE {
		if len(items) > 0 && !p.belongs(col) {
			break
		}
		before := p.tok.pos.Offset
		items = append(items, item())
		if p.tok.kind == COMMA {
			p.next()
			if !p.belongs(col) {
				break
			}
			continue
		}
		if p.tok.kind == close || p.tok.kind == ELIF || p.tok.kind == ELSE || !p.tok.nl || !p.belongs(col) {
			break
		}
		if p.tok.pos.Offset == before {
			break
		}
	}
	if len(items) == 0 {
		p.errorExpected(what)
	}
	return items
}

// parseConfigOrComp parses `{...}`: a config or a dict comprehension.
func (p *parser) parseConfigOrComp() Expr {
	from := p.tok.pos
	p.next() // {
	restore := p.nest(true)
	defer restore()
	var entries []*ConfigEntry
	br := bracket{open: from, closer: RBRACE, what: "config"}
	for p.tok.kind != RBRACE && p.tok.kind != EOF && !p.resynced {
		el := p.elemStart(&br)
		before := p.tok.pos.Offset
		e := p.parseConfigEntry()
		entries = append(entries, e)
		if len(entries) == 1 && e.Key != nil && (p.tok.kind == FOR || p.tok.kind == COMMA && p.peek().kind == FOR) {
			// the toolchain also takes a comma before `for`: {"${e}": 1, for e in l}
			p.got(COMMA)
			gens := p.parseCompClauses()
			p.expectClose(RBRACE, from, "dict comprehension")
			return &DictComp{Span: p.span(from), Key: e.Key, Value: e.Value, Op: e.Op, Generators: gens}
		}
		more := p.sepOrEnd(RBRACE, "in config")
		if p.elemEnd(&br, el) || !more {
			break
		}
		if p.tok.pos.Offset == before {
			p.next()
		}
	}
	p.expectClose(RBRACE, from, "config")
	return &ConfigExpr{Span: p.span(from), Entries: entries}
}

func (p *parser) parseConfigEntry() *ConfigEntry {
	from := p.tok.pos
	switch p.tok.kind {
	case IF:
		x := p.parseConfigIf(int(p.tok.pos.Col))
		return &ConfigEntry{Span: p.span(from), Value: x}
	case POW:
		p.next()
		x := p.parseOrTest()
		d := &DoubleStarredExpr{Span: p.span(from), X: x}
		return &ConfigEntry{Span: p.span(from), Value: d}
	}
	e := &ConfigEntry{}
	if keywordAsName(p.tok.kind) {
		switch p.peek().kind {
		case COLON, ASSIGN, ADD_ASSIGN:
			p.tok.kind = IDENT // `{filter = 1}`: a keyword used as a key
		}
	}
	e.Key = p.parseOrTest()
	switch p.tok.kind {
	case COLON:
		e.Op = OpUnion
	case ASSIGN:
		e.Op = OpOverride
	case ADD_ASSIGN:
		e.Op = OpInsert
		if s, ok := e.Key.(*SubscriptExpr); ok && !s.IsSlice && !s.HasQuestion {
			if _, isID := s.X.(*Ident); isID {
				e.Key, e.InsertIndex = s.X, s.Index
			}
		}
	default:
		if id, ok := e.Key.(*Ident); ok && len(id.Names) == 1 && (p.tok.kind == COMMA || p.tok.kind == RBRACE || p.tok.kind == NEWLINE || startsStmt(p.tok.kind)) {
			// the ES6-style shorthand of KCL v0.13: `{name}` is `{name: name}` (and the next
			// entry may follow on the same line)
			e.Op = OpUnion
			e.Value = newIdent(id.Names[0], id.Span)
			e.Span = p.span(from)
			return e
		}
		switch _, bad := e.Key.(*BadExpr); {
		case bad:
		case p.tok.nl:
			// the toolchain finds the line break after the key
			p.errorAt(p.prev.end, p.prev.end, `expected one of [":", "=", "+="] got newline`)
		default:
			p.errorExpectedOneOf(":", "=", "+=")
		}
		e.Value = p.bad(p.tok.pos)
		e.Span = p.span(from)
		return e
	}
	p.next()
	e.Value = p.parseTest()
	e.Span = p.span(from)
	return e
}

func (p *parser) parseConfigIf(col int) Expr {
	return parseInlineIf(p, col,
		func(from Pos, cond Expr) *ConfigIfEntry {
			e := &ConfigIfEntry{Cond: cond, Entries: p.configIfBody(col)}
			e.Span.From = from
			return e
		},
		func(cur *ConfigIfEntry, orelse Expr) { cur.Orelse = orelse },
		func(from Pos) Expr {
			entries := p.configIfBody(col)
			return &ConfigExpr{Span: p.span(from), Entries: entries}
		},
		func(e *ConfigIfEntry) *Span { return &e.Span })
}

func (p *parser) configIfBody(col int) []*ConfigEntry {
	return inlineIfBody(p, col, RBRACE, p.parseConfigEntry, "a config entry after ':'")
}

// keywordAsName reports whether keyword k may be read as a plain name when
// followed by ':' or '=' (config keys, schema attributes). Keywords that
// start an expression or a clause keep their meaning.
func keywordAsName(k Token) bool {
	if !k.IsKeyword() {
		return false
	}
	switch k {
	case IF, ELIF, ELSE, TRUE, FALSE, NONE, UNDEFINED, KW_NOT, KW_AND, KW_OR, LAMBDA, CHECK:
		return false
	}
	return true
}

// bracket tracks error recovery across the elements of one list or config.
type bracket struct {
	open     Pos
	closer   Token
	what     string
	lastBad  bool // the previous element had an error (reported or not)
	reported bool // an error was reported inside this bracket
}

// elemState is what elemStart records about an element.
type elemState struct {
	start      token
	nerr, nsup int
}

// elemStart begins an element. An element on a new line after a clean
// element is a fresh start: its errors are reported even if an earlier
// element of the same statement had one. After a broken element the
// parser stays quiet until an element parses cleanly again, so garbage
// spanning several lines gives one error.
func (p *parser) elemStart(b *bracket) elemState {
	if p.tok.nl && !b.lastBad {
		p.quiet = false
	}
	return elemState{start: p.tok, nerr: len(p.errs), nsup: p.suppressed}
}

// elemEnd ends an element and decides whether the bracket was in fact
// never closed: the element (with its separator) is broken, starts a line
// and is not indented deeper than the line that opened the bracket. Then
// the element's errors are replaced by one "expected closer" error (or
// dropped, when the bracket already reported its first error), the
// scanner restarts at the element's line in statement mode, and elemEnd
// returns true.
func (p *parser) elemEnd(b *bracket, el elemState) bool {
	newErrs := len(p.errs) > el.nerr
	bad := newErrs || p.suppressed > el.nsup
	defer func() { b.lastBad = bad }()
	if !bad || !el.start.nl || p.resynced || el.start.pos.Col > p.lineIndentCol(b.open) ||
		!p.s.isIndentLevel(int(el.start.pos.Offset-(el.start.pos.Col-1))) {
		if newErrs {
			b.reported = true
		}
		return false
	}
	p.errs = p.errs[:el.nerr]
	if !b.reported {
		p.quiet = false
		p.errorAt(el.start.pos, el.start.end, "expected '%s' to close the %s opened at %s, found %s", b.closer, b.what, b.open, describe(el.start))
	}
	p.quiet = true
	p.restartAt(el.start)
	return true
}

// restartAt makes the parser continue with statements from the line of t
// (the first token of its line), after an unclosed bracket was reported:
// the scanner rescans that line in statement mode and the current token
// becomes a NEWLINE ending the broken statement.
func (p *parser) restartAt(t token) {
	p.resynced = true
	for n := len(p.lineStarts); n > 0 && p.lineStarts[n-1].pos.Offset >= t.pos.Offset; n-- {
		p.lineStarts = p.lineStarts[:n-1]
	}
	lineStart := t.pos.Offset - (t.pos.Col - 1)
	if p.s.rewind(int(lineStart), int(t.pos.Line)) {
		p.peeked = nil
		p.tok = token{kind: NEWLINE, pos: t.pos, end: t.pos}
		// the broken statement ends where the restarted line begins, not
		// at the tokens that were skipped while looking for the bracket
		p.prev = token{kind: ILLEGAL, pos: t.pos, end: t.pos}
	}
}

// lineIndentCol returns the column of the first non-blank character on the
// line of pos.
func (p *parser) lineIndentCol(pos Pos) int32 {
	start := int(pos.Offset - (pos.Col - 1))
	if start < 0 || start > len(p.src) {
		return 1
	}
	col := int32(1)
	for i := start; i < len(p.src) && (p.src[i] == ' ' || p.src[i] == '\t'); i++ {
		col++
	}
	return col
}
