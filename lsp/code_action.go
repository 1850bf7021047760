package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/kpm-dev/kpm/kcl/syntax"
	"github.com/kpm-dev/kpm/workspace"
)

type codeActionParams struct {
	documentParams
	Context struct {
		Diagnostics []struct {
			Range protocol.Range  `json:"range"`
			Code  json.RawMessage `json:"code"`
			Data  json.RawMessage `json:"data"`
		} `json:"diagnostics"`
	} `json:"context"`
}

func (s *Server) codeAction(ctx context.Context, params json.RawMessage) (any, error) {
	var p codeActionParams
	if err := json.Unmarshal(params, &p); err != nil {
		return nil, err
	}
	d := s.docs.get(p.TextDocument.URI)
	actions := []protocol.CodeAction{}
	if d == nil {
		return actions, nil
	}
	start, end := d.offset(p.Range.Start), d.offset(p.Range.End)
	switch d.kind {
	case kindMod:
		actions = append(actions, s.modCodeActions(d, start, end)...)
	case kindKCL:
		actions = append(actions, s.kclCodeActions(d, start, end)...)
	case kindKpmJSON:
		actions = append(actions, kpmJSONCodeActions(d, start, end)...)
	}
	return actions, nil
}

func overlaps(r workspace.Range, start, end int) bool {
	return r.IsValid() && r.Start.Offset <= end && start <= r.End.Offset
}

func quickFix(title string, cmd *protocol.Command, edit *protocol.WorkspaceEdit, preferred bool) protocol.CodeAction {
	kind := protocol.CodeActionKindQuickFix
	a := protocol.CodeAction{Title: title, Kind: &kind, Command: cmd, Edit: edit}
	if preferred {
		a.IsPreferred = boolPtr(true)
	}
	return a
}

func command(title, name string, arg any) *protocol.Command {
	return &protocol.Command{Title: title, Command: name, Arguments: []any{arg}}
}

func singleEdit(d *document, start, end int, text string) *protocol.WorkspaceEdit {
	return &protocol.WorkspaceEdit{Changes: map[protocol.DocumentUri][]protocol.TextEdit{
		d.uri: {{Range: d.rangeOf(start, end), NewText: text}},
	}}
}

// modCodeActions: for each dependency touching the range, download it when missing, upgrade
// it to the newest cached tag, update the lock when out of date, remove it when unused.
func (s *Server) modCodeActions(d *document, start, end int) []protocol.CodeAction {
	a := modAnalysisOf(d)
	pc := s.pkgContext(d.path, a.mf)
	if pc.settings == nil {
		return nil
	}
	var actions []protocol.CodeAction
	if overlaps(a.mf.DependenciesHeader, start, end) && len(s.staleLockEntries(pc)) > 0 {
		actions = append(actions, quickFix("Update lock file",
			command("Update lock file", "kpm.update", map[string]string{"path": pc.dir}), nil, true))
	}
	var used map[string]bool
	for _, t := range pc.targets {
		dep := t.dep
		if !overlaps(dep.EntryRange, start, end) {
			continue
		}
		// No download of a tag the registry is known not to have (the tag diagnostic says so).
		if t.isOCI() && t.tag != "" && !t.downloaded() && !s.knownMissingTag(t) {
			source := "oci://" + t.repoKey()
			actions = append(actions, quickFix(fmt.Sprintf("Download %s %s", dep.Name, t.tag),
				command("Download", "kpm.pull", map[string]string{"source": source, "tag": t.tag}), nil, true))
		}
		if t.isOCI() && lockMismatch(pc, t) != "" {
			actions = append(actions, quickFix("Update lock file",
				command("Update lock file", "kpm.update", map[string]string{"path": pc.dir}), nil, false))
		}
		if t.isOCI() && t.tag != "" {
			val := t.tagValue()
			if ix := s.cache.peekIndex(t.repoKey()); ix != nil && ix.latest != "" && val.Set && val.Range.IsValid() {
				edit := singleEdit(d, val.Range.Start.Offset, val.Range.End.Offset, fmt.Sprintf("%q", ix.latest))
				if kind, older := ix.upgrade[t.tag]; older {
					actions = append(actions, quickFix(fmt.Sprintf("Upgrade %s to %s (%s)", dep.Name, ix.latest, kind), nil, edit, true))
				} else if !ix.set[t.tag] {
					actions = append(actions, quickFix(fmt.Sprintf("Use %s %s, the newest tag", dep.Name, ix.latest), nil, edit, true))
				}
			}
		}
		if used == nil {
			used = s.importedNames(pc.dir)
		}
		if !used[dep.ImportName()] {
			if edit, ok := a.mf.RemoveDependency(dep.Name); ok {
				actions = append(actions, quickFix(fmt.Sprintf("Remove unused dependency %s", dep.Name), nil,
					singleEdit(d, edit.Start, edit.End, edit.NewText), false))
			}
		}
	}
	return actions
}

// importedNames returns the first path element of every absolute import in the package's
// .k files (open documents win over the disk), walking sub-directories that are not
// packages themselves.
func (s *Server) importedNames(dir string) map[string]bool {
	used := map[string]bool{}
	_ = filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if e.IsDir() {
			if p != dir && (strings.HasPrefix(e.Name(), ".") || e.Name() == "vendor") {
				return filepath.SkipDir
			}
			if p != dir {
				if _, err := os.Stat(filepath.Join(p, workspace.ModFileName)); err == nil {
					return filepath.SkipDir
				}
			}
			return nil
		}
		if !strings.HasSuffix(p, ".k") {
			return nil
		}
		src, ok := s.readFile(p)
		if !ok {
			return nil
		}
		f, _ := syntax.ParseFile(p, src)
		if f == nil {
			return nil
		}
		for _, st := range f.Body {
			if imp, ok := st.(*syntax.ImportStmt); ok && imp.Level == 0 {
				used[strings.SplitN(imp.Path, ".", 2)[0]] = true
			}
		}
		return nil
	})
	return used
}

// kpmJSONCodeActions: respell a key written in the wrong case; drop the scheme and path of a
// registry written as a URL.
func kpmJSONCodeActions(d *document, start, end int) []protocol.CodeAction {
	f, _ := kpmJSONAnalysis(d)
	var actions []protocol.CodeAction
	for _, m := range f.Members {
		if !overlaps(m.KeyRange, start, end) && !overlaps(m.ValueRange, start, end) {
			continue
		}
		for _, k := range workspace.KpmJSONKeys {
			if m.Key != k.Name && strings.EqualFold(m.Key, k.Name) {
				actions = append(actions, quickFix(fmt.Sprintf("Rename to %s", k.Name), nil,
					singleEdit(d, m.KeyRange.Start.Offset, m.KeyRange.End.Offset, fmt.Sprintf("%q", k.Name)), true))
			}
		}
		if m.Key == "DefaultOciRegistry" && m.Kind == '"' {
			if _, rest, ok := strings.Cut(m.String, "://"); ok {
				host, _, _ := strings.Cut(rest, "/")
				if host != "" && workspace.CheckRegistryHost(host) == "" {
					actions = append(actions, quickFix(fmt.Sprintf("Use %s", host), nil,
						singleEdit(d, m.ValueRange.Start.Offset, m.ValueRange.End.Offset, fmt.Sprintf("%q", host)), true))
				}
			}
		}
	}
	return actions
}

// knownMissingTag reports whether the cached tag list of t's repository lacks t's tag.
func (s *Server) knownMissingTag(t *depTarget) bool {
	ix := s.cache.peekIndex(t.repoKey())
	return ix != nil && !ix.set[t.tag]
}
