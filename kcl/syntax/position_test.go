package syntax

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPositions(t *testing.T) {
	src := "import a.b as c\n" + // line 1
		"x = foo.bar(1, k=2)\n" + // line 2
		"schema S:\n" + // line 3
		"    name?: str = \"n\"\n" + // line 4
		"s = '''\n" + // line 5
		"  hi ${name}'''\n" + // line 6
		"\xef\xbc\xa1 = 1\n" // line 7: a full-width letter (3 bytes)
	f := parseOK(t, src)
	require.Len(t, f.Body, 5)

	imp := f.Body[0].(*ImportStmt)
	assert.Equal(t, Pos{Offset: 0, Line: 1, Col: 1}, imp.Pos())
	assert.Equal(t, Pos{Offset: 15, Line: 1, Col: 16}, imp.End())
	assert.Equal(t, Span{Pos{7, 1, 8}, Pos{10, 1, 11}}, imp.PathSpan)
	assert.Equal(t, Span{Pos{14, 1, 15}, Pos{15, 1, 16}}, imp.AsName.Span)

	as := f.Body[1].(*AssignStmt)
	call := as.Value.(*CallExpr)
	fn := call.Func.(*Ident)
	assert.Equal(t, []string{"foo", "bar"}, fn.Names)
	assert.Equal(t, Span{Pos{20, 2, 5}, Pos{27, 2, 12}}, fn.Span)
	assert.Equal(t, []Span{{Pos{20, 2, 5}, Pos{23, 2, 8}}, {Pos{24, 2, 9}, Pos{27, 2, 12}}}, fn.NameSpans)
	assert.Equal(t, Pos{27, 2, 12}, call.Lparen)
	assert.Equal(t, Pos{34, 2, 19}, call.Rparen)
	assert.Equal(t, Span{Pos{31, 2, 16}, Pos{34, 2, 19}}, call.Keywords[0].Span)
	assert.Equal(t, Pos{35, 2, 20}, as.End())

	sc := f.Body[2].(*SchemaStmt)
	attr := sc.Body[0].(*SchemaAttr)
	assert.Equal(t, Pos{Offset: 50, Line: 4, Col: 5}, attr.Pos())
	assert.Equal(t, Pos{Offset: 66, Line: 4, Col: 21}, attr.End())
	assert.Equal(t, attr.End(), sc.End(), "a schema ends with its last token, not the next line")

	js := f.Body[3].(*AssignStmt).Value.(*JoinedString)
	require.Len(t, js.Parts, 2)
	lit := js.Parts[0].(*StringLit)
	assert.Equal(t, "\n  hi ", lit.Value)
	fv := js.Parts[1].(*FormattedValue)
	assert.Equal(t, Pos{Offset: 80, Line: 6, Col: 6}, fv.Pos())
	assert.Equal(t, Span{Pos{82, 6, 8}, Pos{86, 6, 12}}, fv.Value.(*Ident).Span)

	wide := f.Body[4].(*AssignStmt)
	assert.Equal(t, Pos{Offset: 91, Line: 7, Col: 1}, wide.Pos())
	assert.Equal(t, Pos{Offset: 97, Line: 7, Col: 7}, wide.Value.Pos(), "columns count bytes")
}

func TestComments(t *testing.T) {
	f := parseOK(t, "# head\na = 1  # tail\nif a:\n    # inner\n    b = 2\n")
	require.Len(t, f.Comments, 3)
	assert.Equal(t, "# head", f.Comments[0].Text)
	assert.Equal(t, Span{Pos{0, 1, 1}, Pos{6, 1, 7}}, f.Comments[0].Span)
	assert.Equal(t, "# tail", f.Comments[1].Text)
	assert.Equal(t, Pos{14, 2, 8}, f.Comments[1].Pos())
	assert.Equal(t, "# inner", f.Comments[2].Text)
}

func TestWalkVisitsEveryNodeInOrder(t *testing.T) {
	f := parseOK(t, "a = [1, {b = f(2)}]\n")
	var kinds []string
	Inspect(f, func(n Node) bool {
		if n != nil {
			kinds = append(kinds, sx(n))
		}
		return true
	})
	assert.Equal(t, []string{
		"(= a [1 {b = (call f 2)}])", "a", "[1 {b = (call f 2)}]", "1", "{b = (call f 2)}",
		"b = (call f 2)", "b", "(call f 2)", "f", "2",
	}, kinds[1:])
	// returning false prunes the subtree
	count := 0
	Inspect(f, func(n Node) bool {
		if n != nil {
			count++
		}
		_, isList := n.(*ListExpr)
		return !isList
	})
	assert.Equal(t, 4, count) // File, AssignStmt, Ident, ListExpr; the list's children are skipped
}
