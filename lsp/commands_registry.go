package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sync"

	"github.com/kpm-dev/kpm/commands"
	"github.com/kpm-dev/kpm/registry"
	"github.com/kpm-dev/kpm/workspace"
)

// kpm.tags {"source": "oci://…" | "name"} → {"tags": [newest first]}: asks the registry now
// (for editors' tag pickers) and refreshes the cache.
func (s *Server) cmdTags(ctx context.Context, token, arg json.RawMessage) (any, error) {
	var a struct {
		Source string `json:"source"`
	}
	if err := s.decodeArg("kpm.tags", arg, &a); err != nil {
		return nil, err
	}
	if err := requireField("kpm.tags", "source", a.Source); err != nil {
		return nil, s.commandError(err)
	}
	st, err := s.settingsForCommand("kpm.tags")
	if err != nil {
		return nil, err
	}
	ref, err := registry.ParseReference(a.Source, "", st.DefaultOciRegistry, st.DefaultOciRepo)
	if err != nil {
		return nil, s.commandError(fmt.Errorf("kpm.tags: %w", err))
	}
	return s.long(ctx, token, "kpm: listing tags of "+ref.Registry+"/"+ref.Repository, func(ctx context.Context, p commands.Progress) (any, error) {
		tags, err := s.cache.fetchTags(ctx, ref.Registry+"/"+ref.Repository)
		if err != nil {
			return nil, err
		}
		if tags == nil {
			tags = []string{}
		}
		s.refreshAll()
		return map[string]any{"tags": tags}, nil
	})
}

type tagUpdate struct {
	Name    string `json:"name"`
	Current string `json:"current"`
	Latest  string `json:"latest"`
	Kind    string `json:"kind"`
}

// kpm.checkUpdates {"path": "/abs/pkg", "name"?: "dep"} → {"updates": [...]}: asks the
// registry now for the tags of every registry dependency (or just "name"), refreshes the
// cache and the diagnostics.
func (s *Server) cmdCheckUpdates(ctx context.Context, token, arg json.RawMessage) (any, error) {
	var a struct {
		Path string `json:"path"`
		Name string `json:"name"`
	}
	if err := s.decodeArg("kpm.checkUpdates", arg, &a); err != nil {
		return nil, err
	}
	if err := requireAbs("kpm.checkUpdates", "path", a.Path); err != nil {
		return nil, s.commandError(err)
	}
	modPath := filepath.Join(a.Path, workspace.ModFileName)
	src, ok := s.readFile(modPath)
	if !ok {
		return nil, s.commandError(fmt.Errorf("kpm.checkUpdates: %s not found", modPath))
	}
	mf, findings := workspace.ParseModFile(modPath, src)
	if errs := workspace.Errors(findings); len(errs) > 0 {
		return nil, s.commandError(&workspace.FindingsError{Findings: errs})
	}
	pc := s.pkgContext(modPath, mf)
	if pc.settings == nil {
		return nil, s.commandError(errors.New("kpm.checkUpdates: cannot load kpm settings"))
	}
	var targets []*depTarget
	for _, t := range pc.targets {
		if t.isOCI() && (a.Name == "" || t.dep.Name == a.Name) {
			targets = append(targets, t)
		}
	}
	if a.Name != "" && len(targets) == 0 {
		return nil, s.commandError(fmt.Errorf("kpm.checkUpdates: no registry dependency %q in %s", a.Name, modPath))
	}
	return s.long(ctx, token, "kpm: checking for newer tags", func(ctx context.Context, p commands.Progress) (any, error) {
		task := p.Start("checking tags", int64(len(targets)))
		defer task.End()
		var mu sync.Mutex
		var firstErr error
		updates := []tagUpdate{}
		sem := make(chan struct{}, 8)
		var wg sync.WaitGroup
		for _, t := range targets {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				tags, err := s.cache.fetchTags(ctx, t.repoKey())
				task.Add(1)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					if firstErr == nil {
						firstErr = err
					}
					return
				}
				latest := workspace.HighestVersion(tags)
				if latest != "" && (t.tag == "" || workspace.CompareVersions(latest, t.tag) > 0) {
					updates = append(updates, tagUpdate{Name: t.dep.Name, Current: t.tag, Latest: latest, Kind: upgradeKind(t.tag, latest)})
				}
			}()
		}
		wg.Wait()
		s.refreshAll()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if firstErr != nil && len(updates) == 0 && len(targets) > 0 {
			return nil, firstErr
		}
		sortUpdates(updates)
		return map[string]any{"updates": updates}, nil
	})
}

func sortUpdates(u []tagUpdate) {
	for i := 1; i < len(u); i++ {
		for j := i; j > 0 && u[j].Name < u[j-1].Name; j-- {
			u[j], u[j-1] = u[j-1], u[j]
		}
	}
}
