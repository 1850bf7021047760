package lsp

import (
	"context"
	"encoding/json"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/kpm-dev/kpm/kcl/check"
)

// The semantic token legend: the names the checker resolved (keywords, strings and numbers
// are left to the editor's grammar).
var (
	semanticTypes     = []string{"namespace", "class", "property", "parameter", "variable", "function", "type"}
	semanticModifiers = []string{"declaration", "defaultLibrary", "readonly"}
)

func semanticTokensOptions() protocol.SemanticTokensOptions {
	return protocol.SemanticTokensOptions{
		Legend: protocol.SemanticTokensLegend{TokenTypes: semanticTypes, TokenModifiers: semanticModifiers},
		Full:   true,
	}
}

// semanticTokensFull classifies every name of a KCL file by what it denotes.
func (s *Server) semanticTokensFull(ctx context.Context, params json.RawMessage) (any, error) {
	p, err := decodeDocumentParams(params)
	if err != nil {
		return nil, err
	}
	d := s.docs.get(p.TextDocument.URI)
	res := protocol.SemanticTokens{Data: []protocol.UInteger{}}
	if d == nil || d.kind != kindKCL {
		return res, nil
	}
	c, info := s.kclCheck(d)
	c.With(func() {
		var line, char protocol.UInteger
		for _, r := range info.Refs {
			typ, mods := semanticClass(r)
			if typ < 0 || r.Span.From.Line != r.Span.To.Line || int(r.Span.To.Offset) > len(d.text) {
				continue
			}
			start, end := d.position(int(r.Span.From.Offset)), d.position(int(r.Span.To.Offset))
			dl, dc := start.Line-line, start.Character
			if dl == 0 {
				dc = start.Character - char
			}
			res.Data = append(res.Data, dl, dc, end.Character-start.Character, protocol.UInteger(typ), mods)
			line, char = start.Line, start.Character
		}
	})
	return res, nil
}

func semanticClass(r check.Ref) (int, protocol.UInteger) {
	var mods protocol.UInteger
	if r.Def {
		mods |= 1
	}
	o := r.Obj
	if o.Pkg() != nil && o.Pkg().ReadOnly {
		mods |= 4
	}
	switch o.Kind {
	case check.ImportObj:
		return 0, mods
	case check.SchemaObj, check.RuleObj:
		return 1, mods
	case check.AttrObj:
		return 2, mods
	case check.ParamObj:
		return 3, mods
	case check.VarObj:
		return 4, mods
	case check.BuiltinObj, check.MemberObj:
		return 5, mods | 2
	case check.TypeAliasObj:
		return 6, mods
	}
	return -1, 0
}
