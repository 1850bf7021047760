package lsp

import (
	"context"
	"encoding/json"
	"errors"

	protocol "github.com/tliron/glsp/protocol_3_16"
)

func (s *Server) completion(ctx context.Context, params json.RawMessage) (any, error) {
	return []any{}, nil
}
func (s *Server) hover(ctx context.Context, params json.RawMessage) (any, error) { return nil, nil }
func (s *Server) codeAction(ctx context.Context, params json.RawMessage) (any, error) {
	return []any{}, nil
}
func (s *Server) codeLens(ctx context.Context, params json.RawMessage) (any, error) {
	return []any{}, nil
}
func (s *Server) definition(ctx context.Context, params json.RawMessage) (any, error) {
	return nil, nil
}
func (s *Server) cmdRun(ctx context.Context, token, arg json.RawMessage) (any, error) {
	return nil, s.commandError(errors.New("kpm.run: not available yet"))
}
func (s *Server) cmdAdd(ctx context.Context, token, arg json.RawMessage) (any, error) {
	return nil, s.commandError(errors.New("kpm.add: not available yet"))
}
func (s *Server) cmdUpdate(ctx context.Context, token, arg json.RawMessage) (any, error) {
	return nil, s.commandError(errors.New("kpm.update: not available yet"))
}
func (s *Server) cmdCheckUpdates(ctx context.Context, token, arg json.RawMessage) (any, error) {
	return nil, s.commandError(errors.New("kpm.checkUpdates: not available yet"))
}
func (s *Server) cmdTags(ctx context.Context, token, arg json.RawMessage) (any, error) {
	return nil, s.commandError(errors.New("kpm.tags: not available yet"))
}
func (s *Server) modDiagnostics(d *document) []protocol.Diagnostic  { return nil }
func (s *Server) lockDiagnostics(d *document) []protocol.Diagnostic { return nil }
func (s *Server) kclDiagnostics(d *document) []protocol.Diagnostic  { return nil }
