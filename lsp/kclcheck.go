package lsp

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/kpm-dev/kpm/kcl/check"
	"github.com/kpm-dev/kpm/kcl/syntax"
	"github.com/kpm-dev/kpm/workspace"
)

// checkers keeps one static checker per KCL package root (the directory of its kcl.mod),
// rebuilt when the package's dependencies change. A checker keeps its results per package
// content, so an edit re-checks the edited package and the packages importing it; packages
// in the package cache are declared once.
type checkers struct {
	mu sync.Mutex
	by map[string]*checkerEntry
}

type checkerEntry struct {
	deps    string // the dependencies it resolves against, as a key
	checker *check.Checker
}

// kclCheck checks the package of a KCL document and returns the checker (read its results
// inside checker.With) and the document's Info.
func (s *Server) kclCheck(d *document) (*check.Checker, *check.Info) {
	c := s.checkerFor(d.path)
	return c, c.Check(d.path)
}

// checkerFor returns the checker of the package holding path.
func (s *Server) checkerFor(path string) *check.Checker {
	root, mf := s.kclPackage(path)
	var deps []check.Dep
	if mf != nil {
		pc := s.pkgContext(filepath.Join(root, workspace.ModFileName), mf)
		for _, t := range pc.targets {
			if t.dir == "" || !t.downloaded() {
				continue
			}
			deps = append(deps, check.Dep{Name: t.dep.ImportName(), Dir: t.dir, Version: t.tag, ReadOnly: t.isOCI()})
		}
	}
	sort.Slice(deps, func(i, j int) bool { return deps[i].Name < deps[j].Name })
	var key strings.Builder
	for _, d := range deps {
		key.WriteString(d.Name + "=" + d.Dir + "@" + d.Version + ";")
	}
	s.checks.mu.Lock()
	defer s.checks.mu.Unlock()
	if s.checks.by == nil {
		s.checks.by = map[string]*checkerEntry{}
	}
	if e := s.checks.by[root]; e != nil && e.deps == key.String() {
		return e.checker
	}
	c := check.New(check.Config{
		Resolver: check.NewResolver(root, deps, nil),
		ReadFile: func(p string) ([]byte, error) {
			b, ok := s.readFile(p)
			switch {
			case !ok:
				return nil, os.ErrNotExist
			case len(b) > maxAnalysedDocument:
				return nil, fmt.Errorf("%s: file too large for the editor's analysis", p)
			}
			return b, nil
		},
		ParseFile: func(p string, src []byte) (*syntax.File, []syntax.Error) {
			if d := s.docs.byPath(p); d != nil && d.text == string(src) {
				a := kclAnalysisOf(d)
				return a.file, a.errs
			}
			return syntax.ParseFile(p, src)
		},
	})
	s.checks.by[root] = &checkerEntry{deps: key.String(), checker: c}
	return c
}

// allCheckers lists the checkers of every package seen.
func (s *Server) allCheckers() []*check.Checker {
	s.checks.mu.Lock()
	defer s.checks.mu.Unlock()
	var out []*check.Checker
	for _, e := range s.checks.by {
		out = append(out, e.checker)
	}
	return out
}

// invalidateKCL forgets what the checkers know of a file changed on disk.
func (s *Server) invalidateKCL(path string) {
	for _, c := range s.allCheckers() {
		c.Invalidate(path)
	}
}

// checkDiagnostics converts the checker's findings (syntax errors and import errors are
// reported by kclDiagnostics, with their quick fixes).
func (s *Server) checkDiagnostics(d *document) []protocol.Diagnostic {
	c, info := s.kclCheck(d)
	var diags []protocol.Diagnostic
	c.With(func() {
		if len(info.Syntax) > 0 {
			return
		}
		for _, e := range info.Errors {
			if e.Kind == check.KindImport {
				continue
			}
			diag := newDiagnostic(d.rangeOf(int(e.Span.From.Offset), int(e.Span.To.Offset)), protocol.DiagnosticSeverityError, e.Kind, e.Msg, nil)
			for _, r := range e.Related {
				diag.RelatedInformation = append(diag.RelatedInformation, protocol.DiagnosticRelatedInformation{
					Location: protocol.Location{URI: pathToURI(r.File), Range: s.fileRange(r.File, int(r.Span.From.Offset), int(r.Span.To.Offset))},
					Message:  r.Msg,
				})
			}
			diags = append(diags, diag)
		}
	})
	return diags
}

// fileRange converts a byte span of any file (open or on disk) to an LSP range.
func (s *Server) fileRange(path string, from, to int) protocol.Range {
	if d := s.docs.byPath(path); d != nil {
		return d.rangeOf(from, to)
	}
	src, ok := s.readFile(path)
	if !ok {
		return protocol.Range{}
	}
	text := string(src)
	lines := lineStarts(text)
	return protocol.Range{Start: positionIn(text, lines, from), End: positionIn(text, lines, to)}
}

// location is the LSP location of an object's declaration (nil for builtins).
func (s *Server) location(o *check.Object) *protocol.Location {
	if o == nil || o.File() == "" {
		return nil
	}
	return &protocol.Location{URI: pathToURI(o.File()), Range: s.fileRange(o.File(), int(o.Span.From.Offset), int(o.Span.To.Offset))}
}

// refAt is the recorded name under the cursor.
func refAt(info *check.Info, off int) *check.Ref {
	if info == nil {
		return nil
	}
	return info.RefAt(off)
}

var errReadOnly = errors.New("the name is declared in a dependency from the package cache, which is read-only")
