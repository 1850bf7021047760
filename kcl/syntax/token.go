package syntax

import "fmt"

// Pos is a position in a source file, in 32 bits a field (files are at most MaxSource bytes:
// a syntax tree holds two positions a node). Line and Col are 1-based; Col counts
// bytes from the start of the line (add 1); Offset is the 0-based byte offset
// into the file. The zero Pos is "no position".
type Pos struct {
	Offset int32
	Line   int32
	Col    int32
}

// IsValid reports whether p holds a real position.
func (p Pos) IsValid() bool { return p.Line > 0 }

// String renders p as "line:col".
func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Before reports whether p comes strictly before q.
func (p Pos) Before(q Pos) bool { return p.Offset < q.Offset }

// Span is the source range [From, To) of a node; To is the position just
// after the node's last byte. Every AST node embeds a Span.
type Span struct {
	From Pos
	To   Pos
}

// Pos returns the start of the node.
func (s Span) Pos() Pos { return s.From }

// End returns the position just after the node.
func (s Span) End() Pos { return s.To }

func (s Span) span() Span { return s }

// Token is the kind of a lexical token.
type Token int

// Token kinds.
const (
	ILLEGAL Token = iota
	EOF
	COMMENT
	NEWLINE
	INDENT
	DEDENT

	literalBeg
	IDENT  // name, $name
	INT    // 1, 0x1F, 0o17, 0b101, 1Ki
	FLOAT  // 1.5, 1e3, 1.5M
	STRING // 'a', "a", '''a''', r"a", "a${b}"
	literalEnd

	operatorBeg
	ADD      // +
	SUB      // -
	MUL      // *
	POW      // **
	DIV      // /
	FLOORDIV // //
	MOD      // %
	SHL      // <<
	SHR      // >>
	AND      // &
	OR       // |
	XOR      // ^
	INVERT   // ~
	LT       // <
	GT       // >
	LE       // <=
	GE       // >=
	EQ       // ==
	NE       // !=
	ASSIGN   // =

	ADD_ASSIGN      // +=
	SUB_ASSIGN      // -=
	MUL_ASSIGN      // *=
	POW_ASSIGN      // **=
	DIV_ASSIGN      // /=
	FLOORDIV_ASSIGN // //=
	MOD_ASSIGN      // %=
	SHL_ASSIGN      // <<=
	SHR_ASSIGN      // >>=
	AND_ASSIGN      // &=
	OR_ASSIGN       // |=
	XOR_ASSIGN      // ^=

	LPAREN   // (
	RPAREN   // )
	LBRACK   // [
	RBRACK   // ]
	LBRACE   // {
	RBRACE   // }
	COMMA    // ,
	COLON    // :
	DOT      // .
	SEMI     // ;
	AT       // @
	ARROW    // ->
	ELLIPSIS // ...
	QUESTION // ?
	operatorEnd

	keywordBeg
	TRUE      // True
	FALSE     // False
	NONE      // None
	UNDEFINED // Undefined
	IMPORT    // import
	AS        // as
	KW_AND    // and
	KW_OR     // or
	KW_NOT    // not
	IN        // in
	IS        // is
	IF        // if
	ELIF      // elif
	ELSE      // else
	FOR       // for
	SCHEMA    // schema
	MIXIN     // mixin
	PROTOCOL  // protocol
	CHECK     // check
	ASSERT    // assert
	ALL       // all
	ANY       // any
	MAP       // map
	FILTER    // filter
	LAMBDA    // lambda
	RULE      // rule
	TYPE      // type (soft keyword: only at the start of a statement `type X = ...`)
	keywordEnd

	// Synthetic operator kinds used only in CompareExpr.Ops.
	NOT_IN // not in
	IS_NOT // is not
)

var tokenNames = [...]string{
	ILLEGAL: "ILLEGAL",
	EOF:     "end of file",
	COMMENT: "comment",
	NEWLINE: "newline",
	INDENT:  "indent",
	DEDENT:  "dedent",

	IDENT:  "identifier",
	INT:    "integer",
	FLOAT:  "float",
	STRING: "string",

	ADD:      "+",
	SUB:      "-",
	MUL:      "*",
	POW:      "**",
	DIV:      "/",
	FLOORDIV: "//",
	MOD:      "%",
	SHL:      "<<",
	SHR:      ">>",
	AND:      "&",
	OR:       "|",
	XOR:      "^",
	INVERT:   "~",
	LT:       "<",
	GT:       ">",
	LE:       "<=",
	GE:       ">=",
	EQ:       "==",
	NE:       "!=",
	ASSIGN:   "=",

	ADD_ASSIGN:      "+=",
	SUB_ASSIGN:      "-=",
	MUL_ASSIGN:      "*=",
	POW_ASSIGN:      "**=",
	DIV_ASSIGN:      "/=",
	FLOORDIV_ASSIGN: "//=",
	MOD_ASSIGN:      "%=",
	SHL_ASSIGN:      "<<=",
	SHR_ASSIGN:      ">>=",
	AND_ASSIGN:      "&=",
	OR_ASSIGN:       "|=",
	XOR_ASSIGN:      "^=",

	LPAREN:   "(",
	RPAREN:   ")",
	LBRACK:   "[",
	RBRACK:   "]",
	LBRACE:   "{",
	RBRACE:   "}",
	COMMA:    ",",
	COLON:    ":",
	DOT:      ".",
	SEMI:     ";",
	AT:       "@",
	ARROW:    "->",
	ELLIPSIS: "...",
	QUESTION: "?",

	TRUE:      "True",
	FALSE:     "False",
	NONE:      "None",
	UNDEFINED: "Undefined",
	IMPORT:    "import",
	AS:        "as",
	KW_AND:    "and",
	KW_OR:     "or",
	KW_NOT:    "not",
	IN:        "in",
	IS:        "is",
	IF:        "if",
	ELIF:      "elif",
	ELSE:      "else",
	FOR:       "for",
	SCHEMA:    "schema",
	MIXIN:     "mixin",
	PROTOCOL:  "protocol",
	CHECK:     "check",
	ASSERT:    "assert",
	ALL:       "all",
	ANY:       "any",
	MAP:       "map",
	FILTER:    "filter",
	LAMBDA:    "lambda",
	RULE:      "rule",
	TYPE:      "type",

	NOT_IN: "not in",
	IS_NOT: "is not",
}

// String returns the source spelling of operators and keywords and a
// descriptive name for the other kinds.
func (t Token) String() string {
	if t >= 0 && int(t) < len(tokenNames) && tokenNames[t] != "" {
		return tokenNames[t]
	}
	return fmt.Sprintf("token(%d)", int(t))
}

// IsKeyword reports whether t is a keyword.
func (t Token) IsKeyword() bool { return keywordBeg < t && t < keywordEnd }

// IsOperator reports whether t is an operator or delimiter.
func (t Token) IsOperator() bool { return operatorBeg < t && t < operatorEnd }

// IsAugAssign reports whether t is an augmented assignment operator (+=, |=, ...).
func (t Token) IsAugAssign() bool { return ADD_ASSIGN <= t && t <= XOR_ASSIGN }

// BinaryOf returns the binary operator of an augmented assignment (ADD for
// ADD_ASSIGN) and ILLEGAL for any other token.
func (t Token) BinaryOf() Token {
	switch t {
	case ADD_ASSIGN:
		return ADD
	case SUB_ASSIGN:
		return SUB
	case MUL_ASSIGN:
		return MUL
	case POW_ASSIGN:
		return POW
	case DIV_ASSIGN:
		return DIV
	case FLOORDIV_ASSIGN:
		return FLOORDIV
	case MOD_ASSIGN:
		return MOD
	case SHL_ASSIGN:
		return SHL
	case SHR_ASSIGN:
		return SHR
	case AND_ASSIGN:
		return AND
	case OR_ASSIGN:
		return OR
	case XOR_ASSIGN:
		return XOR
	}
	return ILLEGAL
}

// keywords maps the spelling of each keyword to its token. `type` is not
// here: it is a soft keyword recognised by the parser.
var keywords = map[string]Token{
	"True":      TRUE,
	"False":     FALSE,
	"None":      NONE,
	"Undefined": UNDEFINED,
	"import":    IMPORT,
	"as":        AS,
	"and":       KW_AND,
	"or":        KW_OR,
	"not":       KW_NOT,
	"in":        IN,
	"is":        IS,
	"if":        IF,
	"elif":      ELIF,
	"else":      ELSE,
	"for":       FOR,
	"schema":    SCHEMA,
	"mixin":     MIXIN,
	"protocol":  PROTOCOL,
	"check":     CHECK,
	"assert":    ASSERT,
	"all":       ALL,
	"any":       ANY,
	"map":       MAP,
	"filter":    FILTER,
	"lambda":    LAMBDA,
	"rule":      RULE,
}

// Lookup returns the keyword token for name, or IDENT.
func Lookup(name string) Token {
	if t, ok := keywords[name]; ok {
		return t
	}
	return IDENT
}

// reservedWords are the words the KCL specification reserves for future
// use. They are not keywords: like the KCL implementation, the parser
// accepts them as names (the Kubernetes models have an attribute `from`),
// and reports them only where they start a statement the way they do in
// Python (`def f():`, `return x`, a bare `pass`).
var reservedWords = map[string]bool{
	"pass": true, "return": true, "validate": true, "flow": true,
	"def": true, "del": true, "raise": true, "except": true, "try": true,
	"finally": true, "while": true, "from": true, "with": true, "yield": true,
	"global": true, "nonlocal": true, "struct": true, "class": true, "final": true,
}

// IsReserved reports whether name is a word the KCL specification reserves
// (pass, return, def, from, final, ...) without being a keyword.
func IsReserved(name string) bool { return reservedWords[name] }
