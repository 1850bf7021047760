package lsp

import (
	"context"
	"encoding/json"

	"github.com/sourcegraph/jsonrpc2"

	"github.com/kpm-dev/kpm/commands"
	"github.com/kpm-dev/kpm/kcl"
)

// kpm.run {"path": "/abs/pkg"} | {"source": "oci://…", "tag": "…"} | {"source": "name:version"},
// optional "options": {"key": "value"} → {"yaml": "…"}. Evaluation errors come back as a
// JSON-RPC error whose message is "file:line:col: Kind: msg" and whose data lists every error
// with its position.
func (s *Server) cmdRun(ctx context.Context, token, arg json.RawMessage) (any, error) {
	var a struct {
		Path    string            `json:"path"`
		Source  string            `json:"source"`
		Tag     string            `json:"tag"`
		Options map[string]string `json:"options"`
	}
	if err := s.decodeArg("kpm.run", arg, &a); err != nil {
		return nil, err
	}
	source := a.Source
	if a.Path != "" {
		if err := requireAbs("kpm.run", "path", a.Path); err != nil {
			return nil, s.commandError(err)
		}
		source = a.Path
	}
	if source == "" {
		return nil, s.commandError(&jsonrpc2.Error{Code: jsonrpc2.CodeInvalidParams, Message: `kpm.run: "path" or "source" is required`})
	}
	st, err := s.settingsForCommand("kpm.run")
	if err != nil {
		return nil, err
	}
	offline := s.currentSettings().Offline
	return s.long(ctx, token, "kpm: running "+source, func(ctx context.Context, p commands.Progress) (any, error) {
		res, err := commands.Run(ctx, commands.RunOptions{Settings: st, Progress: p, Source: source, Tag: a.Tag, Args: a.Options, Offline: offline})
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err() // answered as cancelled, not as a KCL error
			}
			return nil, runError(err)
		}
		return map[string]any{"yaml": res.Output, "printed": res.Printed, "path": res.PackageDir}, nil
	})
}

type runErrorData struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

// runError keeps the evaluator's positions in the JSON-RPC error's data.
func runError(err error) error {
	list := kcl.ErrorList(err)
	if list == nil {
		return err
	}
	data := make([]runErrorData, 0, len(list))
	for _, e := range list {
		data = append(data, runErrorData{File: e.File, Line: e.Line, Col: e.Col, Kind: e.Kind, Message: e.Msg})
	}
	rerr := &jsonrpc2.Error{Code: codeRequestFailed, Message: oneLine(list[0].Error())}
	if len(list) > 1 {
		rerr.Message = oneLine(list[0].Error()) + " (and more)"
	}
	rerr.SetError(map[string]any{"errors": data})
	return rerr
}
