package lsp

import (
	"context"
	"encoding/json"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/kpm-dev/kpm/kcl/syntax"
)

// documentSymbol lists the schemas (with their attributes), rules, type aliases and
// top-level variables of a KCL file.
func (s *Server) documentSymbol(ctx context.Context, params json.RawMessage) (any, error) {
	p, err := decodeDocumentParams(params)
	if err != nil {
		return nil, err
	}
	d := s.docs.get(p.TextDocument.URI)
	syms := []protocol.DocumentSymbol{}
	if d == nil || d.kind != kindKCL {
		return syms, nil
	}
	a := kclAnalysisOf(d)
	if a.file == nil {
		return syms, nil
	}
	seen := map[string]bool{}
	var walk func([]syntax.Stmt)
	walk = func(body []syntax.Stmt) {
		for _, st := range body {
			switch st := st.(type) {
			case *syntax.SchemaStmt:
				sym := symbol(d, st.Name.Name(), st.Kind.String(), protocol.SymbolKindStruct, st, st.Name)
				for _, b := range st.Body {
					if at, ok := b.(*syntax.SchemaAttr); ok {
						sym.Children = append(sym.Children, symbol(d, at.Name.Name(), syntax.Print(at.Type), protocol.SymbolKindField, at, at.Name))
					}
				}
				syms = append(syms, sym)
			case *syntax.RuleStmt:
				syms = append(syms, symbol(d, st.Name.Name(), "rule", protocol.SymbolKindInterface, st, st.Name))
			case *syntax.TypeAliasStmt:
				syms = append(syms, symbol(d, st.Name.Name(), syntax.Print(st.Type), protocol.SymbolKindTypeParameter, st, st.Name))
			case *syntax.AssignStmt:
				for _, t := range st.Targets {
					if id, ok := t.(*syntax.Ident); ok && len(id.Names) == 1 && !seen[id.Names[0]] {
						seen[id.Names[0]] = true
						syms = append(syms, symbol(d, id.Names[0], "", protocol.SymbolKindVariable, st, id))
					}
				}
			case *syntax.UnificationStmt:
				if len(st.Target.Names) == 1 && !seen[st.Target.Names[0]] {
					seen[st.Target.Names[0]] = true
					syms = append(syms, symbol(d, st.Target.Names[0], st.Value.Name.Name(), protocol.SymbolKindVariable, st, st.Target))
				}
			case *syntax.IfStmt:
				walk(st.Body)
				walk(st.Else)
			}
		}
	}
	walk(a.file.Body)
	return syms, nil
}

func symbol(d *document, name, detail string, kind protocol.SymbolKind, whole, sel syntax.Node) protocol.DocumentSymbol {
	sym := protocol.DocumentSymbol{
		Name:           name,
		Kind:           kind,
		Range:          d.rangeOf(int(whole.Pos().Offset), int(whole.End().Offset)),
		SelectionRange: d.rangeOf(int(sel.Pos().Offset), int(sel.End().Offset)),
	}
	if detail != "" {
		sym.Detail = &detail
	}
	return sym
}
