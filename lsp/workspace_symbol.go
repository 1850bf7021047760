package lsp

import (
	"context"
	"encoding/json"
	"sort"
	"strings"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/kpm-dev/kpm/kcl/check"
)

// maxWorkspaceSymbols bounds the answer of workspace/symbol.
const maxWorkspaceSymbols = 200

// workspaceSymbol finds schemas, rules and top-level variables by name in the packages of the
// open documents and the others the server has checked (and the dependencies they import),
// case-insensitively.
func (s *Server) workspaceSymbol(ctx context.Context, params json.RawMessage) (any, error) {
	var p struct {
		Query string `json:"query"`
	}
	if err := json.Unmarshal(params, &p); err != nil {
		return nil, err
	}
	q := strings.ToLower(p.Query)
	// the open KCL documents are checked first (their analysis may still be on its way after
	// didOpen), so their packages are searched too
	for _, d := range s.docs.all() {
		if d.kind == kindKCL && ctx.Err() == nil {
			s.kclCheck(d)
		}
	}
	out := []protocol.SymbolInformation{}
	for _, c := range s.allCheckers() {
		c.With(func() {
			for _, pkg := range c.AllPackages() {
				for _, o := range pkg.Scope.Names {
					if len(out) >= maxWorkspaceSymbols || ctx.Err() != nil {
						return
					}
					if o.File() == "" || o.Kind == check.ImportObj || !strings.Contains(strings.ToLower(o.Name), q) {
						continue
					}
					kind := protocol.SymbolKindVariable
					switch o.Kind {
					case check.SchemaObj:
						kind = protocol.SymbolKindStruct
					case check.RuleObj:
						kind = protocol.SymbolKindInterface
					case check.TypeAliasObj:
						kind = protocol.SymbolKindTypeParameter
					}
					container := pkg.Path
					if pkg.Dep != "" && !strings.HasPrefix(container, pkg.Dep) {
						container = pkg.Dep + "." + container
					}
					loc := s.location(o)
					out = append(out, protocol.SymbolInformation{Name: o.Name, Kind: kind, Location: *loc, ContainerName: &container})
				}
			}
		})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
