package lsp

import (
	"context"
	"encoding/json"
	"errors"
)


func (s *Server) cmdAdd(ctx context.Context, token, arg json.RawMessage) (any, error) {
	return nil, s.commandError(errors.New("kpm.add: not available yet"))
}

func (s *Server) cmdUpdate(ctx context.Context, token, arg json.RawMessage) (any, error) {
	return nil, s.commandError(errors.New("kpm.update: not available yet"))
}


