package syntax

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTokenHelpers(t *testing.T) {
	tests := []struct {
		tok                       Token
		str                       string
		keyword, operator, augAsg bool
		binary                    Token
	}{
		{ADD_ASSIGN, "+=", false, true, true, ADD},
		{OR_ASSIGN, "|=", false, true, true, OR},
		{FLOORDIV_ASSIGN, "//=", false, true, true, FLOORDIV},
		{POW_ASSIGN, "**=", false, true, true, POW},
		{SHR_ASSIGN, ">>=", false, true, true, SHR},
		{XOR_ASSIGN, "^=", false, true, true, XOR},
		{ADD, "+", false, true, false, ILLEGAL},
		{LAMBDA, "lambda", true, false, false, ILLEGAL},
		{UNDEFINED, "Undefined", true, false, false, ILLEGAL},
		{IDENT, "identifier", false, false, false, ILLEGAL},
		{NOT_IN, "not in", false, false, false, ILLEGAL},
		{Token(9999), "token(9999)", false, false, false, ILLEGAL},
	}
	for _, tt := range tests {
		t.Run(tt.str, func(t *testing.T) {
			assert.Equal(t, tt.str, tt.tok.String())
			assert.Equal(t, tt.keyword, tt.tok.IsKeyword())
			assert.Equal(t, tt.operator, tt.tok.IsOperator())
			assert.Equal(t, tt.augAsg, tt.tok.IsAugAssign())
			assert.Equal(t, tt.binary, tt.tok.BinaryOf())
		})
	}
	assert.Equal(t, RULE, Lookup("rule"))
	assert.Equal(t, IDENT, Lookup("type"), "type is a soft keyword")
	assert.True(t, Pos{Offset: 1, Line: 1, Col: 2}.Before(Pos{Offset: 5, Line: 2, Col: 1}))
	assert.False(t, Pos{}.IsValid())
	assert.Equal(t, "3:4", Pos{Offset: 9, Line: 3, Col: 4}.String())
	assert.Equal(t, "3:4: boom", Error{Pos: Pos{Line: 3, Col: 4}, Msg: "boom"}.Error())
}

func TestFileStringIsTheDump(t *testing.T) {
	f := parseOK(t, "a = 1\n")
	assert.Equal(t, Dump(f), f.String())
	assert.Contains(t, f.String(), "AssignStmt @1:1-1:6")
	assert.Equal(t, "nil\n", Dump(nil))
	assert.Equal(t, "1", Print(f.Body[0].(*AssignStmt).Value))
	assert.Equal(t, "[int]", Print(&ListType{Elem: &BasicType{Name: "int"}}))
	assert.Equal(t, "a = 1", Print(f.Body[0]))
}
