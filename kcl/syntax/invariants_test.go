package syntax

import (
	"fmt"
)

// lineIndex maps offsets to 1-based line/column the way the scanner counts
// (\n, \r\n and \r end a line; columns count bytes).
type lineIndex struct {
	src []byte
	pos []Pos // pos[i] is the position of offset i; len(src)+1 entries
}

func newLineIndex(src []byte) *lineIndex {
	li := &lineIndex{src: src, pos: make([]Pos, len(src)+1)}
	line, col := int32(1), int32(1)
	if len(src) >= 3 && src[0] == 0xEF && src[1] == 0xBB && src[2] == 0xBF {
		col = -2 // the byte order mark does not count: offset 3 is column 1
	}
	for i := 0; i <= len(src); i++ {
		li.pos[i] = Pos{Offset: int32(i), Line: line, Col: col}
		if i == len(src) {
			break
		}
		c := src[i]
		if c == '\n' || c == '\r' && (i+1 >= len(src) || src[i+1] != '\n') {
			line++
			col = 1
		} else {
			col++
		}
	}
	return li
}

func (li *lineIndex) check(p Pos) error {
	if p.Offset < 0 || int(p.Offset) > len(li.src) {
		return fmt.Errorf("offset %d outside the source (%d bytes)", p.Offset, len(li.src))
	}
	want := li.pos[p.Offset]
	if want != p {
		return fmt.Errorf("position %d:%d (offset %d) should be %d:%d", p.Line, p.Col, p.Offset, want.Line, want.Col)
	}
	return nil
}

// checkTree verifies structural invariants of a parse result: every node
// and error position is consistent with the source, spans are not
// inverted, and children lie within their parents.
func checkTree(src []byte, f *File, errs []Error) error {
	li := newLineIndex(src)
	for _, e := range errs {
		if err := li.check(e.Pos); err != nil {
			return fmt.Errorf("error %q: %v", e.Error(), err)
		}
		if e.End.Offset < e.Pos.Offset {
			return fmt.Errorf("error %q ends before it starts", e.Error())
		}
		if e.Msg == "" {
			return fmt.Errorf("error without message at %s", e.Pos)
		}
	}
	if f == nil {
		return fmt.Errorf("nil file")
	}
	// statements of every block come in source order and do not overlap
	ordered := func(list []Stmt) error {
		for i := 1; i < len(list); i++ {
			if list[i].Pos().Offset < list[i-1].End().Offset {
				return fmt.Errorf("statement %T at %s overlaps or precedes %T ending at %s", list[i], list[i].Pos(), list[i-1], list[i-1].End())
			}
		}
		return nil
	}
	if err := ordered(f.Body); err != nil {
		return err
	}
	var blockErr error
	Inspect(f, func(n Node) bool {
		var err error
		switch n := n.(type) {
		case *IfStmt:
			if err = ordered(n.Body); err == nil {
				err = ordered(n.Else)
			}
		case *SchemaStmt:
			err = ordered(n.Body)
		case *LambdaExpr:
			err = ordered(n.Body)
		}
		if err != nil && blockErr == nil {
			blockErr = err
		}
		return blockErr == nil
	})
	if blockErr != nil {
		return blockErr
	}
	var stack []Node
	var problem error
	Inspect(f, func(n Node) bool {
		if problem != nil {
			return false
		}
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		sp := n.span()
		if err := li.check(sp.From); err != nil {
			problem = fmt.Errorf("%T start: %v", n, err)
			return false
		}
		if err := li.check(sp.To); err != nil {
			problem = fmt.Errorf("%T end: %v", n, err)
			return false
		}
		if sp.To.Offset < sp.From.Offset {
			problem = fmt.Errorf("%T has inverted span %s-%s", n, sp.From, sp.To)
			return false
		}
		if len(stack) > 0 && len(errs) == 0 {
			parent := stack[len(stack)-1].span()
			if sp.From.Offset < parent.From.Offset || sp.To.Offset > parent.To.Offset {
				problem = fmt.Errorf("%T %s-%s lies outside its parent %T %s-%s", n, sp.From, sp.To, stack[len(stack)-1], parent.From, parent.To)
				return false
			}
		}
		stack = append(stack, n)
		return true
	})
	return problem
}
