package lsp

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"time"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/kpm-dev/kpm/commands"
	"github.com/kpm-dev/kpm/kcl"
)

// evalTimeout bounds an evaluation started by a save.
const evalTimeout = 10 * time.Second

// evaluations runs a package when one of its .k files is saved (setting evalOnSave) and
// keeps the evaluation errors as diagnostics of the files they name, until the next edit of
// the package, which also cancels an evaluation still running.
type evaluations struct {
	mu     sync.Mutex
	cancel map[string]context.CancelFunc    // package root → the running evaluation
	diags  map[string][]protocol.Diagnostic // file path → evaluation errors
	byRoot map[string]map[string]bool       // package root → files holding its errors
}

// evalOnSave starts the evaluation of the package of a saved document.
func (s *Server) evalOnSave(d *document) {
	if d.kind != kindKCL || !s.currentSettings().EvalOnSave {
		return
	}
	root, mf := s.kclPackage(d.path)
	if mf == nil {
		return
	}
	st, err := s.loadSettings()
	if err != nil {
		return
	}
	ev := &s.evals
	ctx, cancel := context.WithTimeout(s.ctx, evalTimeout)
	ev.mu.Lock()
	if ev.cancel == nil {
		ev.cancel, ev.diags, ev.byRoot = map[string]context.CancelFunc{}, map[string][]protocol.Diagnostic{}, map[string]map[string]bool{}
	}
	if prev := ev.cancel[root]; prev != nil {
		prev()
	}
	ev.cancel[root] = cancel
	ev.mu.Unlock()
	s.goBackground(func() {
		defer cancel()
		_, err := commands.Run(ctx, commands.RunOptions{Settings: st, Source: root, Offline: true, NoStaticCheck: true})
		if ctx.Err() != nil {
			return // cancelled by an edit, or out of time
		}
		found := map[string][]protocol.Diagnostic{}
		for _, e := range kcl.ErrorList(err) {
			file := e.File
			if file != "" && !filepath.IsAbs(file) {
				file = filepath.Join(root, file)
			}
			line, col := max(e.Line-1, 0), max(e.Col-1, 0)
			pos := protocol.Position{Line: protocol.UInteger(line), Character: protocol.UInteger(col)}
			found[file] = append(found[file], newDiagnostic(protocol.Range{Start: pos, End: pos}, protocol.DiagnosticSeverityError, e.Kind, "evaluation: "+e.Msg, nil))
		}
		ev.mu.Lock()
		if ev.cancel[root] == nil || ctx.Err() != nil {
			ev.mu.Unlock()
			return
		}
		delete(ev.cancel, root)
		for f := range ev.byRoot[root] {
			delete(ev.diags, f)
		}
		ev.byRoot[root] = map[string]bool{}
		for f, ds := range found {
			ev.diags[f] = ds
			ev.byRoot[root][f] = true
		}
		ev.mu.Unlock()
		s.rediagnosePackage(root)
	})
}

// evalEdited drops the evaluation errors of a package and cancels its running evaluation:
// its text changed.
func (s *Server) evalEdited(d *document) {
	root, _ := s.kclPackage(d.path)
	ev := &s.evals
	ev.mu.Lock()
	if c := ev.cancel[root]; c != nil {
		c()
		delete(ev.cancel, root)
	}
	had := len(ev.byRoot[root]) > 0
	for f := range ev.byRoot[root] {
		delete(ev.diags, f)
	}
	delete(ev.byRoot, root)
	ev.mu.Unlock()
	if had {
		s.rediagnosePackage(root)
	}
}

// evalDiagnostics are the evaluation errors kept for a file.
func (s *Server) evalDiagnostics(d *document) []protocol.Diagnostic {
	s.evals.mu.Lock()
	defer s.evals.mu.Unlock()
	return append([]protocol.Diagnostic(nil), s.evals.diags[d.path]...)
}

// rediagnosePackage schedules diagnostics for the open .k files under root.
func (s *Server) rediagnosePackage(root string) {
	for _, o := range s.docs.all() {
		if o.kind == kindKCL && strings.HasPrefix(o.path, root+string(filepath.Separator)) {
			s.diags.schedule(o.uri)
		}
	}
}
