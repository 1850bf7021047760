package syntax

// parseType parses a type annotation: a union of type atoms.
func (p *parser) parseType() TypeExpr {
	if !p.enter() {
		return &BadType{Span: Span{p.tok.pos, p.tok.pos}}
	}
	defer p.leave()
	from := p.tok.pos
	t := p.parseTypeAtom()
	if p.tok.kind != OR || p.broken() {
		return t
	}
	u := &UnionType{Types: []TypeExpr{t}}
	for p.tok.kind == OR && !p.broken() {
		p.next()
		u.Types = append(u.Types, p.parseTypeAtom())
	}
	u.Span = p.span(from)
	return u
}

var basicTypes = map[string]bool{"int": true, "float": true, "str": true, "bool": true}

func (p *parser) parseTypeAtom() TypeExpr {
	from := p.tok.pos
	switch p.tok.kind {
	case IDENT, PROTOCOL, RULE, MIXIN, SCHEMA, CHECK:
		// a keyword names a module in a type (`[rule.DataQuality]` after `import x.rule`)
		id := p.dottedIdent("a type name")
		if len(id.Names) == 1 && basicTypes[id.Names[0]] && p.src[from.Offset] != '$' {
			return &BasicType{Span: id.Span, Name: id.Names[0]}
		}
		return &NamedType{Span: id.Span, Name: id}
	case ANY:
		p.next()
		return &AnyType{Span: p.span(from)}
	case LBRACK:
		p.next()
		restore := p.nest(false)
		defer restore()
		t := &ListType{}
		if p.tok.kind != RBRACK {
			t.Elem = p.parseType()
		}
		p.expectClose(RBRACK, from, "list type")
		t.Span = p.span(from)
		return t
	case LBRACE:
		p.next()
		restore := p.nest(false)
		defer restore()
		t := &DictType{}
		if p.tok.kind != RBRACE {
			// either side may be omitted: `{str:}`, `{:int}`, `{:}` (any)
			if p.tok.kind != COLON {
				t.Key = p.parseType()
			}
			p.expect(COLON, "between the key and value types of a dict type")
			if p.tok.kind != RBRACE {
				t.Value = p.parseType()
			}
		}
		p.expectClose(RBRACE, from, "dict type")
		t.Span = p.span(from)
		return t
	case LPAREN:
		p.next()
		restore := p.nest(false)
		var params []TypeExpr
		for p.tok.kind != RPAREN && p.tok.kind != EOF {
			params = append(params, p.parseType())
			if !p.got(COMMA) {
				break
			}
		}
		p.expectClose(RPAREN, from, "function type")
		restore()
		if p.got(ARROW) {
			// the result is a whole type, as in the KCL implementation:
			// `(int) -> str | None` returns str or None (the spec's
			// grammar says type_element)
			res := p.parseType()
			return &FunctionType{Span: p.span(from), Params: params, Result: res}
		}
		if len(params) == 1 {
			return params[0]
		}
		return &FunctionType{Span: p.span(from), Params: params}
	case STRING:
		x := p.parseStringTok(p.tok)
		p.next()
		if _, ok := x.(*StringLit); !ok {
			p.errorAt(x.Pos(), x.End(), "a string literal type cannot contain interpolation")
		}
		return &LiteralType{Span: p.span(from), Value: x}
	case INT, FLOAT:
		x := p.parseNumber()
		return &LiteralType{Span: p.span(from), Value: x}
	case SUB:
		p.next()
		if p.tok.kind != INT && p.tok.kind != FLOAT {
			p.errorExpected("a number after '-' in a literal type")
			return &BadType{Span: p.span(from)}
		}
		x := p.parseNumber()
		return &LiteralType{Span: p.span(from), Value: &UnaryExpr{Span: p.span(from), Op: SUB, X: x}}
	case TRUE, FALSE, NONE, UNDEFINED:
		x := p.parseOperand()
		return &LiteralType{Span: p.span(from), Value: x}
	case ILLEGAL:
		p.next()
		return &BadType{Span: p.span(from)}
	}
	p.errorExpected("a type")
	return &BadType{Span: Span{from, from}}
}
