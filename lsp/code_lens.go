package lsp

import (
	"context"
	"encoding/json"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/kpm-dev/kpm/workspace"
)

// codeLens: on [package] Run, Push and Update dependencies; on each registry dependency
// "Check for newer tags". Each lens carries its command, so no resolve step is needed.
func (s *Server) codeLens(ctx context.Context, params json.RawMessage) (any, error) {
	p, err := decodeDocumentParams(params)
	if err != nil {
		return nil, err
	}
	lenses := []protocol.CodeLens{}
	d := s.docs.get(p.TextDocument.URI)
	if d == nil || d.kind != kindMod {
		return lenses, nil
	}
	a := modAnalysisOf(d)
	dir := pkgDirOf(d.path)
	if pkg := a.mf.Package; pkg != nil && pkg.Range.IsValid() {
		rng := findingRange(d, pkg.Range)
		pathArg := map[string]string{"path": dir}
		lenses = append(lenses,
			protocol.CodeLens{Range: rng, Command: command("▶ Run", "kpm.run", pathArg)},
			protocol.CodeLens{Range: rng, Command: command("Push", "kpm.push", pathArg)},
		)
		if len(a.mf.Dependencies) > 0 {
			lenses = append(lenses, protocol.CodeLens{Range: rng, Command: command("Update dependencies", "kpm.update", pathArg)})
		}
	}
	for _, dep := range a.mf.Dependencies {
		src := dep.Source()
		if src != workspace.SourceRegistry && src != workspace.SourceOCI {
			continue
		}
		lenses = append(lenses, protocol.CodeLens{
			Range:   findingRange(d, dep.KeyRange),
			Command: command("Check for newer tags", "kpm.checkUpdates", map[string]string{"path": dir, "name": dep.Name}),
		})
	}
	return lenses, nil
}
