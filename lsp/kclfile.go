package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/kpm-dev/kpm/kcl/modules"
	"github.com/kpm-dev/kpm/kcl/syntax"
	"github.com/kpm-dev/kpm/workspace"
)

type kclAnalysis struct {
	file *syntax.File
	errs []syntax.Error
}

// maxAnalysedDocument bounds the .k documents the server parses: the analysis of a document
// (its syntax tree, shared with the checker, and the checker's objects) holds about 40 times its
// source, so a 16 MB document stays within MemoryLimit. A larger document keeps its text (edits
// apply) and gets one diagnostic instead of an analysis.
const maxAnalysedDocument = 16 << 20

// MemoryLimit is the soft memory limit `kpm lsp` sets unless GOMEMLIMIT is set: the server runs
// with GOGC=400 for its CPU, and near this limit the collector works harder instead, so a large
// document's garbage does not grow the process to five times its live memory.
const MemoryLimit = 1 << 30

func kclAnalysisOf(d *document) *kclAnalysis {
	d.analysisOnce.Do(func() {
		if len(d.text) > maxAnalysedDocument {
			start := syntax.Pos{Line: 1, Col: 1}
			d.analysis = &kclAnalysis{file: &syntax.File{Filename: d.path}, errs: []syntax.Error{{
				Filename: d.path, Pos: start, End: start,
				Msg: fmt.Sprintf("file too large for the editor's analysis (%.1f MB, more than %d MB); kpm run evaluates it",
					float64(len(d.text))/(1<<20), maxAnalysedDocument>>20),
			}}}
			return
		}
		f, errs := syntax.ParseFile(d.path, []byte(d.text))
		d.analysis = &kclAnalysis{file: f, errs: errs}
	})
	return d.analysis.(*kclAnalysis)
}

// kclPackage locates the package of a .k file: the nearest directory upwards holding a
// kcl.mod, with its parsed kcl.mod (from the open document when it is open).
func (s *Server) kclPackage(path string) (root string, mf *workspace.ModFile) {
	dir := filepath.Dir(path)
	for {
		modPath := filepath.Join(dir, workspace.ModFileName)
		if src, ok := s.readFile(modPath); ok {
			if od := s.docs.byPath(modPath); od != nil {
				return dir, modAnalysisOf(od).mf
			}
			mf, _ := workspace.ParseModFile(modPath, src)
			return dir, mf
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return filepath.Dir(path), nil
		}
		dir = parent
	}
}

func importSpan(d *document, imp *syntax.ImportStmt) protocol.Range {
	return d.rangeOf(int(imp.PathSpan.From.Offset), int(imp.PathSpan.To.Offset))
}

// importTarget is what an import statement refers to.
type importTarget struct {
	kind string // "stdlib", "plugin", "local", "dependency", "unknown", "relative"
	dir  string // directory or file it names, when known
	dep  *depTarget
}

// resolveImport resolves an import of document d, a file of the package at root, with the
// evaluator's rules (kcl/modules); the dependencies of kcl.mod that are on disk are its
// external packages. A dependency declared but not downloaded yet is kind "dependency"
// without dir.
func (s *Server) resolveImport(d *document, imp *syntax.ImportStmt, root string, pc *pkgContext) importTarget {
	first, _, _ := strings.Cut(strings.TrimLeft(imp.Path, "."), ".")
	if first == "" {
		return importTarget{kind: "unknown"}
	}
	r := modules.Resolver{External: map[string]string{}}
	var dep *depTarget
	if pc != nil {
		for _, t := range pc.targets {
			if t.dir != "" {
				r.External[t.dep.ImportName()] = t.dir
			}
			if imp.Level == 0 && t.dep.ImportName() == first {
				dep = t
			}
		}
	}
	m, err := r.Resolve(modules.Package{Name: modules.MainName, Root: root}, d.path, imp.Path)
	switch {
	case err == nil && m.Kind == modules.Stdlib:
		return importTarget{kind: "stdlib"}
	case err == nil && m.Kind == modules.Plugin:
		return importTarget{kind: "plugin"}
	case err == nil && imp.Level > 0:
		return importTarget{kind: "relative", dir: m.Path}
	case err == nil && m.Package.Root == root:
		return importTarget{kind: "local", dir: m.Path}
	case err == nil:
		return importTarget{kind: "dependency", dep: dep, dir: m.Path}
	case imp.Level > 0:
		return importTarget{kind: "relative"}
	case dep != nil:
		return importTarget{kind: "dependency", dep: dep}
	}
	return importTarget{kind: "unknown"}
}

func (s *Server) kclDiagnostics(d *document) []protocol.Diagnostic {
	a := kclAnalysisOf(d)
	var diags []protocol.Diagnostic
	for _, e := range a.errs {
		end := e.End.Offset
		if end <= e.Pos.Offset {
			end = e.Pos.Offset
		}
		diags = append(diags, newDiagnostic(d.rangeOf(int(e.Pos.Offset), int(end)), protocol.DiagnosticSeverityError, codeKCLSyntax, e.Msg, nil))
	}
	if a.file == nil {
		return diags
	}
	if len(a.errs) == 0 {
		diags = append(diags, s.checkDiagnostics(d)...)
	}
	root, mf := s.kclPackage(d.path)
	var pc *pkgContext
	if mf != nil {
		pc = s.pkgContext(filepath.Join(root, workspace.ModFileName), mf)
	}
	for _, st := range a.file.Body {
		imp, ok := st.(*syntax.ImportStmt)
		if !ok {
			continue
		}
		t := s.resolveImport(d, imp, root, pc)
		switch t.kind {
		case "unknown":
			name := strings.SplitN(imp.Path, ".", 2)[0]
			msg := fmt.Sprintf("cannot find module %q: it is neither a directory of this package nor a dependency in kcl.mod", imp.Path)
			diags = append(diags, newDiagnostic(importSpan(d, imp), protocol.DiagnosticSeverityError, codeUnknownImport, msg,
				map[string]string{"name": name, "pkg": root}))
		case "relative":
			if t.dir == "" {
				diags = append(diags, newDiagnostic(importSpan(d, imp), protocol.DiagnosticSeverityError, codeUnknownImport,
					fmt.Sprintf("cannot find module %q", imp.Path), nil))
			}
		case "dependency":
			if t.dep.dir != "" && t.dep.downloaded() && t.dir == "" {
				diags = append(diags, newDiagnostic(importSpan(d, imp), protocol.DiagnosticSeverityError, codeUnknownImport,
					fmt.Sprintf("dependency %s has no module %q", t.dep.dep.Name, imp.Path), nil))
			}
		}
	}
	return diags
}

// kclCodeActions: "Add dependency …" for an unknown import.
func (s *Server) kclCodeActions(d *document, start, end int) []protocol.CodeAction {
	a := kclAnalysisOf(d)
	if a.file == nil {
		return nil
	}
	root, mf := s.kclPackage(d.path)
	if mf == nil {
		return nil
	}
	pc := s.pkgContext(filepath.Join(root, workspace.ModFileName), mf)
	var actions []protocol.CodeAction
	for _, st := range a.file.Body {
		imp, ok := st.(*syntax.ImportStmt)
		if !ok || imp.Level > 0 || int(imp.PathSpan.To.Offset) < start || int(imp.PathSpan.From.Offset) > end {
			continue
		}
		if t := s.resolveImport(d, imp, root, pc); t.kind != "unknown" {
			continue
		}
		name := strings.SplitN(imp.Path, ".", 2)[0]
		pkgName := strings.ReplaceAll(name, "_", "-")
		sources := []string{name}
		if pkgName != name {
			sources = append(sources, pkgName)
		}
		for _, src := range sources {
			actions = append(actions, quickFix(fmt.Sprintf("Add dependency %s", src),
				command("Add dependency", "kpm.add", map[string]string{"path": root, "source": src}), nil, src == name))
		}
	}
	return actions
}

// kclCompletion completes import paths: local modules of the package and dependencies.
func (s *Server) kclCompletion(d *document, off int) []protocol.CompletionItem {
	lineStart := strings.LastIndexByte(d.text[:off], '\n') + 1
	before := strings.TrimLeft(d.text[lineStart:off], " \t")
	rest, ok := strings.CutPrefix(before, "import ")
	if !ok {
		return nil
	}
	rest = strings.TrimLeft(rest, " ")
	root, mf := s.kclPackage(d.path)
	var items []protocol.CompletionItem
	seen := map[string]bool{}
	add := func(label, detail string, kind protocol.CompletionItemKind) {
		if seen[label] || label == "" {
			return
		}
		seen[label] = true
		items = append(items, completionItem(label, kind, detail, ""))
	}
	prefixDir := ""
	parts := strings.Split(rest, ".")
	typedPath := parts[:len(parts)-1]
	if len(typedPath) == 0 {
		if mf != nil {
			pc := s.pkgContext(filepath.Join(root, workspace.ModFileName), mf)
			for _, t := range pc.targets {
				detail := "dependency"
				if t.isOCI() {
					detail = "dependency " + t.reference()
				}
				add(t.dep.ImportName(), detail, protocol.CompletionItemKindModule)
			}
		}
		for _, n := range modules.StdlibNames() {
			add(n, "KCL standard library", protocol.CompletionItemKindModule)
		}
		prefixDir = root
	} else {
		// a.b.<cursor>: a local directory or a dependency's sub-directory
		prefixDir = filepath.Join(append([]string{root}, typedPath...)...)
		if fi, err := os.Stat(prefixDir); err != nil || !fi.IsDir() {
			prefixDir = ""
			if mf != nil {
				pc := s.pkgContext(filepath.Join(root, workspace.ModFileName), mf)
				for _, t := range pc.targets {
					if t.dep.ImportName() == typedPath[0] && t.dir != "" {
						prefixDir = filepath.Join(append([]string{t.dir}, typedPath[1:]...)...)
					}
				}
			}
		}
	}
	if prefixDir != "" {
		entries, _ := os.ReadDir(prefixDir)
		for _, e := range entries {
			name := e.Name()
			if strings.HasPrefix(name, ".") || name == "vendor" {
				continue
			}
			switch {
			case e.IsDir():
				add(name, "directory", protocol.CompletionItemKindFolder)
			case strings.HasSuffix(name, ".k") && !strings.HasSuffix(name, "_test.k") && filepath.Join(prefixDir, name) != d.path:
				add(strings.TrimSuffix(name, ".k"), "file", protocol.CompletionItemKindFile)
			}
		}
	}
	return items
}

// kclHover: for an import, what it resolves to.
func (s *Server) kclHover(d *document, off int) *protocol.Hover {
	imp, t, pc := s.importAt(d, off)
	if imp == nil {
		return s.kclNameHover(d, off)
	}
	var text string
	switch t.kind {
	case "stdlib":
		text = fmt.Sprintf("**%s**: KCL standard library module", imp.Path)
	case "local", "relative":
		text = fmt.Sprintf("**%s**: `%s`", imp.Path, t.dir)
	case "dependency":
		text = s.dependencyDoc(pc, t.dep)
	default:
		text = fmt.Sprintf("**%s**: not found", imp.Path)
	}
	rng := importSpan(d, imp)
	return &protocol.Hover{Contents: protocol.MarkupContent{Kind: protocol.MarkupKindMarkdown, Value: text}, Range: &rng}
}

// importAt finds the import statement whose path spans off in a KCL document and resolves
// it, with the package context it was resolved in (nil outside a package). imp is nil when
// off is not on an import path.
func (s *Server) importAt(d *document, off int) (imp *syntax.ImportStmt, t importTarget, pc *pkgContext) {
	a := kclAnalysisOf(d)
	if a.file == nil {
		return nil, importTarget{}, nil
	}
	for _, st := range a.file.Body {
		imp, ok := st.(*syntax.ImportStmt)
		if !ok || off < int(imp.PathSpan.From.Offset) || off > int(imp.PathSpan.To.Offset) {
			continue
		}
		root, mf := s.kclPackage(d.path)
		if mf != nil {
			pc = s.pkgContext(filepath.Join(root, workspace.ModFileName), mf)
		}
		return imp, s.resolveImport(d, imp, root, pc), pc
	}
	return nil, importTarget{}, nil
}

// definition: from an import to the module's files (in the package or in the cache).
func (s *Server) definition(ctx context.Context, params json.RawMessage) (any, error) {
	d, off, err := s.docAt(params)
	if d == nil || err != nil {
		return nil, err
	}
	switch d.kind {
	case kindKCL:
	case kindMod:
		return s.modDefinition(d, off), nil
	default:
		return nil, nil
	}
	if imp, t, _ := s.importAt(d, off); imp != nil && t.dir != "" {
		return moduleLocations(t.dir), nil
	}
	c, info := s.kclCheck(d)
	var loc *protocol.Location
	c.With(func() {
		if r := refAt(info, off); r != nil {
			loc = s.location(r.Obj)
		}
	})
	if loc == nil {
		return nil, nil
	}
	return []protocol.Location{*loc}, nil
}

// modDefinition: from a dependency in kcl.mod to its kcl.mod in the cache (or path).
func (s *Server) modDefinition(d *document, off int) any {
	a := modAnalysisOf(d)
	for _, dep := range a.mf.Dependencies {
		if !dep.EntryRange.Contains(off) {
			continue
		}
		pc := s.pkgContext(d.path, a.mf)
		if pc.settings == nil {
			return nil
		}
		t := pc.targetByName(dep.Name)
		if t == nil || t.dir == "" {
			return nil
		}
		target := filepath.Join(t.dir, workspace.ModFileName)
		if _, err := os.Stat(target); err != nil {
			return nil
		}
		return []protocol.Location{{URI: pathToURI(target), Range: protocol.Range{}}}
	}
	return nil
}

// moduleLocations lists the .k files of a module (a directory) or the file itself.
func moduleLocations(p string) []protocol.Location {
	if strings.HasSuffix(p, ".k") {
		return []protocol.Location{{URI: pathToURI(p)}}
	}
	entries, _ := os.ReadDir(p)
	locs := []protocol.Location{}
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".k") && !strings.HasSuffix(e.Name(), "_test.k") {
			locs = append(locs, protocol.Location{URI: pathToURI(filepath.Join(p, e.Name()))})
		}
	}
	if len(locs) == 0 {
		if _, err := os.Stat(filepath.Join(p, workspace.ModFileName)); err == nil {
			locs = append(locs, protocol.Location{URI: pathToURI(filepath.Join(p, workspace.ModFileName))})
		}
	}
	return locs
}
