package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/kpm-dev/kpm/workspace"
)

func (s *Server) hover(ctx context.Context, params json.RawMessage) (any, error) {
	d, off, err := s.docAt(params)
	if d == nil || err != nil {
		return nil, err
	}
	switch d.kind {
	case kindMod:
		return s.modHover(d, off), nil
	case kindKpmJSON:
		return kpmJSONHover(d, off), nil
	case kindKCL:
		return s.kclHover(d, off), nil
	}
	return nil, nil
}

func markdownHover(d *document, r workspace.Range, text string) *protocol.Hover {
	rng := findingRange(d, r)
	return &protocol.Hover{Contents: protocol.MarkupContent{Kind: protocol.MarkupKindMarkdown, Value: text}, Range: &rng}
}

func (s *Server) modHover(d *document, off int) *protocol.Hover {
	a := modAnalysisOf(d)
	mf := a.mf
	for _, dep := range mf.Dependencies {
		if dep.KeyRange.Contains(off) || dep.ValueRange.Contains(off) {
			pc := s.pkgContext(d.path, mf)
			if pc.settings == nil {
				return nil
			}
			t := pc.targetByName(dep.Name)
			r := dep.KeyRange
			if dep.ValueRange.Contains(off) {
				r = dep.ValueRange
			}
			// a key inside an inline table gets its key doc
			for _, kv := range []struct {
				name string
				v    workspace.StrValue
			}{{"oci", dep.OCI}, {"tag", dep.Tag}, {"path", dep.Path}, {"git", dep.Git}, {"commit", dep.Commit}, {"branch", dep.Branch}, {"version", dep.Version}, {"package", dep.Package}} {
				if kv.v.Set && kv.v.Key.IsValid() && kv.v.Key.Contains(off) && kv.v.Key != dep.KeyRange {
					return markdownHover(d, kv.v.Key, fmt.Sprintf("**%s**\n\n%s", kv.name, keyDoc("dependencies", kv.name)))
				}
			}
			return markdownHover(d, r, s.dependencyDoc(pc, t))
		}
	}
	if pkg := mf.Package; pkg != nil {
		for _, kv := range []struct {
			name string
			v    workspace.StrValue
		}{{"name", pkg.Name}, {"edition", pkg.Edition}, {"version", pkg.Version}, {"description", pkg.Description}} {
			if kv.v.Set && kv.v.Key.Contains(off) {
				return markdownHover(d, kv.v.Key, fmt.Sprintf("**%s**\n\n%s", kv.name, keyDoc("package", kv.name)))
			}
		}
	}
	for _, tbl := range mf.Tables {
		if tbl.Range.Contains(off) && len(tbl.Path) > 0 {
			if doc := sectionDocs[tbl.Path[0]]; doc != "" {
				return markdownHover(d, tbl.Range, fmt.Sprintf("**[%s]**\n\n%s", strings.Join(tbl.Path, "."), doc))
			}
		}
	}
	// a key of [package] or [profile] written on its own line
	lineStart := strings.LastIndexByte(d.text[:off], '\n') + 1
	line := d.text[lineStart:]
	if i := strings.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	if eq := strings.IndexByte(line, '='); eq > 0 && off-lineStart < eq {
		key := strings.TrimSpace(line[:eq])
		c := modLineContext(d.text, off)
		if doc := keyDoc(c.table, key); doc != "" {
			start := lineStart + strings.Index(line, key)
			src := []byte(d.text)
			r := workspace.Range{Start: workspace.PosAt(src, start), End: workspace.PosAt(src, start+len(key))}
			return markdownHover(d, r, fmt.Sprintf("**%s**\n\n%s", key, doc))
		}
	}
	return nil
}

// dependencyDoc renders what is known about a dependency: reference, digest, sum,
// description, size, created time, cache path.
func (s *Server) dependencyDoc(pc *pkgContext, t *depTarget) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s**", t.dep.Name)
	if t.dep.ImportName() != t.dep.Name {
		fmt.Fprintf(&b, " (import `%s`)", t.dep.ImportName())
	}
	b.WriteString("\n\n")
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "- %s: %s\n", k, v)
		}
	}
	switch t.source {
	case workspace.SourcePath:
		row("path", "`"+t.dir+"`")
		if src, err := os.ReadFile(filepath.Join(t.dir, workspace.ModFileName)); err == nil {
			mf, _ := workspace.ParseModFile(workspace.ModFileName, src)
			if mf.Package != nil {
				row("package", mf.Name()+" "+mf.Version())
				row("description", mf.Package.Description.Value)
			}
		}
		return b.String()
	case workspace.SourceGit:
		row("git", "`"+t.dep.Git.Value+"`")
		return b.String()
	case workspace.SourceInvalid:
		b.WriteString("invalid dependency\n")
		return b.String()
	}
	row("reference", "`"+t.reference()+"`")
	if t.tagFrom == "kcl.mod.lock" {
		row("tag", t.tag+" (from kcl.mod.lock)")
	}
	var m *manifestInfo
	if t.tag != "" {
		m, _ = s.cache.manifest(t.repoKey(), t.tag)
	}
	if m != nil && m.Err == "" {
		row("digest", "`"+m.Digest+"`")
	}
	if t.lock != nil {
		row("sum", "`"+t.lock.Sum+"`")
	} else if m != nil {
		row("sum", "`"+m.Sum+"`")
	}
	desc := ""
	if m != nil {
		desc = m.Description
		if m.Size > 0 {
			row("size", humanSize(m.Size))
		}
		row("created", m.Created)
	}
	if desc == "" && t.downloaded() {
		if src, err := os.ReadFile(filepath.Join(t.dir, workspace.ModFileName)); err == nil {
			mf, _ := workspace.ParseModFile(workspace.ModFileName, src)
			if mf.Package != nil {
				desc = mf.Package.Description.Value
			}
		}
	}
	row("description", desc)
	if t.dir != "" {
		if t.downloaded() {
			row("cache", "`"+t.dir+"`")
		} else {
			row("cache", "not downloaded (`"+t.dir+"`)")
		}
	}
	if tags := s.cache.peekTags(t.repoKey()); len(tags) > 0 {
		row("newest tag", workspace.HighestVersion(tags))
	}
	return b.String()
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func kpmJSONHover(d *document, off int) *protocol.Hover {
	f, _ := kpmJSONAnalysis(d)
	for _, m := range f.Members {
		if m.KeyRange.Contains(off) || m.ValueRange.Contains(off) {
			for _, k := range workspace.KpmJSONKeys {
				if k.Name == m.Key {
					return markdownHover(d, m.KeyRange, fmt.Sprintf("**%s** (%s)\n\n%s", k.Name, k.Type, k.Doc))
				}
			}
		}
	}
	return nil
}
