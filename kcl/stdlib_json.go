package kcl

import (
	"fmt"
	"strconv"
)

// serdeJSONError returns the error the reference's JSON parser (serde_json) reports for text,
// with its line and column ("EOF while parsing a list at line 1 column 5"), or "" when it finds
// none. Errors at a character give that character's column; errors at the end the column of the
// last character read.
func serdeJSONError(text string) string {
	p := &serdeScan{s: text, line: 1}
	if msg := p.value(); msg != "" {
		return msg
	}
	p.skipSpace()
	if p.i < len(p.s) {
		return p.peekErr("trailing characters")
	}
	return ""
}

type serdeScan struct {
	s         string
	i         int
	line, col int
}

func (p *serdeScan) next() byte {
	c := p.s[p.i]
	p.i++
	if c == '\n' {
		p.line, p.col = p.line+1, 0
	} else {
		p.col++
	}
	return c
}

func (p *serdeScan) skipSpace() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.next()
		default:
			return
		}
	}
}

// err is an error after the characters read so far; peekErr one at the next character.
func (p *serdeScan) err(msg string) string {
	return fmt.Sprintf("%s at line %d column %d", msg, p.line, p.col)
}

func (p *serdeScan) peekErr(msg string) string {
	p.next()
	return p.err(msg)
}

func (p *serdeScan) value() string {
	p.skipSpace()
	if p.i >= len(p.s) {
		return p.err("EOF while parsing a value")
	}
	switch c := p.s[p.i]; {
	case c == 'n':
		return p.ident("null")
	case c == 't':
		return p.ident("true")
	case c == 'f':
		return p.ident("false")
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case c == '"':
		p.next()
		return p.str()
	case c == '[':
		p.next()
		return p.list()
	case c == '{':
		p.next()
		return p.object()
	}
	return p.peekErr("expected value")
}

func (p *serdeScan) ident(word string) string {
	for k := 0; k < len(word); k++ {
		if p.i >= len(p.s) {
			return p.err("EOF while parsing a value")
		}
		if p.next() != word[k] {
			return p.err("expected ident")
		}
	}
	return ""
}

func (p *serdeScan) digits() bool {
	n := 0
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.next()
		n++
	}
	return n > 0
}

func (p *serdeScan) number() string {
	start := p.i
	if p.s[p.i] == '-' {
		p.next()
	}
	if p.i >= len(p.s) {
		return p.err("EOF while parsing a value")
	}
	switch c := p.s[p.i]; {
	case c == '0':
		p.next()
		if p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			return p.peekErr("invalid number")
		}
	case c >= '1' && c <= '9':
		p.digits()
	default:
		return p.peekErr("invalid number")
	}
	float := false
	if p.i < len(p.s) && p.s[p.i] == '.' {
		float = true
		p.next()
		if p.i >= len(p.s) {
			return p.err("EOF while parsing a value")
		}
		if !p.digits() {
			return p.peekErr("invalid number")
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		float = true
		p.next()
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.next()
		}
		if p.i >= len(p.s) {
			return p.err("EOF while parsing a value")
		}
		if !p.digits() {
			return p.peekErr("invalid number")
		}
	}
	if float {
		if _, err := strconv.ParseFloat(p.s[start:p.i], 64); err != nil {
			return p.err("number out of range")
		}
	}
	return ""
}

func (p *serdeScan) str() string {
	for {
		if p.i >= len(p.s) {
			return p.err("EOF while parsing a string")
		}
		switch c := p.next(); {
		case c == '"':
			return ""
		case c == '\\':
			if p.i >= len(p.s) {
				return p.err("EOF while parsing a string")
			}
			switch p.next() {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				// four characters are read before any is checked
				if len(p.s)-p.i < 4 {
					for p.i < len(p.s) {
						p.next()
					}
					return p.err("EOF while parsing a string")
				}
				hex := p.s[p.i : p.i+4]
				for k := 0; k < 4; k++ {
					p.next()
				}
				if _, err := strconv.ParseUint(hex, 16, 16); err != nil {
					return p.err("invalid escape")
				}
			default:
				return p.err("invalid escape")
			}
		case c < 0x20:
			return p.err("control character (\\u0000-\\u001F) found while parsing a string")
		}
	}
}

func (p *serdeScan) list() string {
	if done, msg := p.emptyBody(']', "a list"); done {
		return msg
	}
	for {
		if msg := p.value(); msg != "" {
			return msg
		}
		if done, msg := p.itemEnd(']', "a list"); done {
			return msg
		}
	}
}

func (p *serdeScan) object() string {
	if done, msg := p.emptyBody('}', "an object"); done {
		return msg
	}
	for {
		p.skipSpace()
		if p.i >= len(p.s) {
			return p.err("EOF while parsing a value")
		}
		if p.s[p.i] != '"' {
			return p.peekErr("key must be a string")
		}
		p.next()
		if msg := p.str(); msg != "" {
			return msg
		}
		p.skipSpace()
		if p.i >= len(p.s) {
			return p.err("EOF while parsing an object")
		}
		if p.s[p.i] != ':' {
			return p.peekErr("expected `:`")
		}
		p.next()
		if msg := p.value(); msg != "" {
			return msg
		}
		if done, msg := p.itemEnd('}', "an object"); done {
			return msg
		}
	}
}

// emptyBody reads what follows the opening bracket of a list or an object: its closing bracket
// (done: an empty one), or the start of its first item.
func (p *serdeScan) emptyBody(closing byte, what string) (done bool, msg string) {
	p.skipSpace()
	if p.i >= len(p.s) {
		return true, p.err("EOF while parsing " + what)
	}
	if p.s[p.i] == closing {
		p.next()
		return true, ""
	}
	return false, ""
}

// itemEnd reads what follows an item of a list or an object: its closing bracket (done), or a
// comma before the next item.
func (p *serdeScan) itemEnd(closing byte, what string) (done bool, msg string) {
	p.skipSpace()
	if p.i >= len(p.s) {
		return true, p.err("EOF while parsing " + what)
	}
	switch p.s[p.i] {
	case closing:
		p.next()
		return true, ""
	case ',':
		p.next()
		p.skipSpace()
		if p.i < len(p.s) && p.s[p.i] == closing {
			return true, p.peekErr("trailing comma")
		}
		return false, ""
	}
	return true, p.peekErr("expected `,` or `" + string(closing) + "`")
}
