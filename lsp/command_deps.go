package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kpm-dev/kpm/commands"
	"github.com/kpm-dev/kpm/workspace"
)

// unsavedModFile refuses to let a command that rewrites kcl.mod or resolves it from disk run
// while the editor holds unsaved changes to it: the command would work on the old file (and
// kpm.add would write under the editor's feet).
func (s *Server) unsavedModFile(name, dir string) error {
	modPath := filepath.Join(dir, workspace.ModFileName)
	d := s.docs.byPath(modPath)
	if d == nil {
		return nil
	}
	disk, err := os.ReadFile(modPath)
	if err != nil || string(disk) == d.text {
		return nil
	}
	return fmt.Errorf("%s: %s has unsaved changes in the editor; save it, then try again", name, modPath)
}

// kpm.add {"path": "/abs/pkg", "source": "name[:version]" | "oci://…", "tag"?, "rename"?}
// → {"name", "version", "reference"}. kcl.mod and kcl.mod.lock are edited on disk; the
// editor reloads them.
func (s *Server) cmdAdd(ctx context.Context, token, arg json.RawMessage) (any, error) {
	var a struct {
		Path   string `json:"path"`
		Source string `json:"source"`
		Tag    string `json:"tag"`
		Rename string `json:"rename"`
	}
	if err := s.decodeArg("kpm.add", arg, &a); err != nil {
		return nil, err
	}
	if err := requireAbs("kpm.add", "path", a.Path); err != nil {
		return nil, s.commandError(err)
	}
	if err := requireField("kpm.add", "source", a.Source); err != nil {
		return nil, s.commandError(err)
	}
	if err := s.unsavedModFile("kpm.add", a.Path); err != nil {
		return nil, s.commandError(err)
	}
	st, err := s.settingsForCommand("kpm.add")
	if err != nil {
		return nil, err
	}
	opts := commands.AddOptions{Settings: st, Dir: a.Path, Tag: a.Tag, Rename: a.Rename}
	if filepath.IsAbs(a.Source) {
		opts.Path = a.Source
	} else {
		opts.Source = a.Source
	}
	return s.long(ctx, token, "kpm: adding "+a.Source, func(ctx context.Context, p commands.Progress) (any, error) {
		opts.Progress = p
		res, err := commands.Add(ctx, opts)
		if err != nil {
			return nil, err
		}
		s.refreshAll()
		return map[string]any{"name": res.Name, "version": res.Version, "reference": res.Reference, "path": res.Dir, "messages": nonNil(res.Messages)}, nil
	})
}

// kpm.update {"path": "/abs/pkg"} → {"changed": bool, "messages": [...]}.
func (s *Server) cmdUpdate(ctx context.Context, token, arg json.RawMessage) (any, error) {
	var a struct {
		Path string `json:"path"`
	}
	if err := s.decodeArg("kpm.update", arg, &a); err != nil {
		return nil, err
	}
	if err := requireAbs("kpm.update", "path", a.Path); err != nil {
		return nil, s.commandError(err)
	}
	if err := s.unsavedModFile("kpm.update", a.Path); err != nil {
		return nil, s.commandError(err)
	}
	st, err := s.settingsForCommand("kpm.update")
	if err != nil {
		return nil, err
	}
	return s.long(ctx, token, "kpm: updating dependencies of "+filepath.Base(a.Path), func(ctx context.Context, p commands.Progress) (any, error) {
		res, err := commands.Update(ctx, commands.UpdateOptions{Settings: st, Progress: p, Dir: a.Path})
		if err != nil {
			return nil, err
		}
		s.refreshAll()
		return map[string]any{"changed": res.Changed, "messages": nonNil(res.Messages), "downloaded": nonNil(res.Downloaded), "dependencies": res.Dependencies}, nil
	})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
