package lsp

import (
	"context"
	"encoding/json"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/kpm-dev/kpm/kcl/check"
	"github.com/kpm-dev/kpm/kcl/syntax"
)

// inlayHint is LSP 3.17's InlayHint (glsp has 3.16 types only).
type inlayHint struct {
	Position     protocol.Position `json:"position"`
	Label        string            `json:"label"`
	Kind         int               `json:"kind,omitempty"` // 1 = type
	PaddingLeft  bool              `json:"paddingLeft,omitempty"`
	PaddingRight bool              `json:"paddingRight,omitempty"`
}

// inlayHints shows the type of top-level variables assigned without an annotation, where
// the value does not already say it (not a literal, nor a schema instance written out).
func (s *Server) inlayHints(ctx context.Context, params json.RawMessage) (any, error) {
	p, err := decodeDocumentParams(params)
	if err != nil {
		return nil, err
	}
	d := s.docs.get(p.TextDocument.URI)
	hints := []inlayHint{}
	if d == nil || d.kind != kindKCL {
		return hints, nil
	}
	from, to := d.offset(p.Range.Start), d.offset(p.Range.End)
	c, info := s.kclCheck(d)
	c.With(func() {
		if info.File == nil {
			return
		}
		for _, st := range info.File.Body {
			as, ok := st.(*syntax.AssignStmt)
			if !ok || as.Type != nil || len(as.Targets) != 1 || int(st.End().Offset) < from || int(st.Pos().Offset) > to || obvious(as.Value) {
				continue
			}
			id, ok := as.Targets[0].(*syntax.Ident)
			if !ok || len(id.Names) != 1 {
				continue
			}
			r := info.RefAt(int(id.Pos().Offset))
			if r == nil || !r.Def {
				continue
			}
			t := r.Obj.Type()
			if t == check.Any {
				continue
			}
			hints = append(hints, inlayHint{Position: d.position(int(id.End().Offset)), Label: ": " + check.Display(t), Kind: 1})
		}
	})
	return hints, nil
}

// obvious reports whether a value's type is plain from the text.
func obvious(x syntax.Expr) bool {
	switch x.(type) {
	case *syntax.NumberLit, *syntax.StringLit, *syntax.JoinedString, *syntax.NameConstant, *syntax.SchemaExpr, *syntax.LambdaExpr:
		return true
	}
	return false
}
