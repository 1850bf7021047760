package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"

	"github.com/sourcegraph/jsonrpc2"
	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/kpm-dev/kpm/kcl/check"
)

var kclIdentRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// rename renames a name of the package everywhere it is declared and used. Names declared
// in a dependency from the package cache, builtins and standard-module members are refused.
func (s *Server) rename(ctx context.Context, params json.RawMessage) (any, error) {
	var p struct {
		NewName string `json:"newName"`
	}
	if err := json.Unmarshal(params, &p); err != nil {
		return nil, err
	}
	d, off, err := s.docAt(params)
	if d == nil || err != nil || d.kind != kindKCL {
		return nil, err
	}
	if !kclIdentRE.MatchString(p.NewName) || isKeyword(p.NewName) {
		return nil, &jsonrpc2.Error{Code: jsonrpc2.CodeInvalidParams, Message: fmt.Sprintf("rename: %q is not a valid KCL name", p.NewName)}
	}
	c, info := s.kclCheck(d)
	s.checkPackageTree(ctx, c, d.path)
	var edit *protocol.WorkspaceEdit
	var rerr error
	c.With(func() {
		r := refAt(info, off)
		if r == nil {
			rerr = &jsonrpc2.Error{Code: jsonrpc2.CodeInvalidParams, Message: "rename: no name at this position"}
			return
		}
		if err := renamable(r.Obj); err != nil {
			rerr = &jsonrpc2.Error{Code: jsonrpc2.CodeInvalidParams, Message: "rename " + r.Obj.Name + ": " + err.Error()}
			return
		}
		changes := map[protocol.DocumentUri][]protocol.TextEdit{}
		declared := false
		for _, fr := range s.refsTo(c, r.Obj) {
			declared = declared || fr.ref.Def
			uri := pathToURI(fr.file)
			changes[uri] = append(changes[uri], protocol.TextEdit{Range: s.fileRange(fr.file, int(fr.ref.Span.From.Offset), int(fr.ref.Span.To.Offset)), NewText: p.NewName})
		}
		if !declared && r.Obj.File() != "" {
			uri := pathToURI(r.Obj.File())
			changes[uri] = append(changes[uri], protocol.TextEdit{Range: s.fileRange(r.Obj.File(), int(r.Obj.Span.From.Offset), int(r.Obj.Span.To.Offset)), NewText: p.NewName})
		}
		edit = &protocol.WorkspaceEdit{Changes: changes}
	})
	return edit, rerr
}

func renamable(o *check.Object) error {
	switch {
	case o.File() == "":
		return fmt.Errorf("builtins and standard modules cannot be renamed")
	case o.Pkg() != nil && o.Pkg().ReadOnly:
		return errReadOnly
	case o.Kind == check.ImportObj:
		return fmt.Errorf("rename the module's directory instead, or give the import an alias")
	}
	return nil
}
