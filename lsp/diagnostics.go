package lsp

import (
	"sync"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/kpm-dev/kpm/workspace"
)

// diagScheduler computes and publishes diagnostics for open documents, at most one
// computation per document at a time: an edit during a computation marks the document dirty
// and it is computed once more afterwards, so bursts of edits coalesce and results are
// never published out of order.
type diagScheduler struct {
	s       *Server
	mu      sync.Mutex
	state   map[string]*diagState
	stopped bool
}

type diagState struct {
	running bool
	dirty   bool
}

func newDiagScheduler(s *Server) *diagScheduler {
	return &diagScheduler{s: s, state: map[string]*diagState{}}
}

func (q *diagScheduler) schedule(uri string) {
	q.mu.Lock()
	if q.stopped {
		q.mu.Unlock()
		return
	}
	st := q.state[uri]
	if st == nil {
		st = &diagState{}
		q.state[uri] = st
	}
	if st.running {
		st.dirty = true
		q.mu.Unlock()
		return
	}
	st.running = true
	q.mu.Unlock()
	q.s.goBackground(func() { q.run(uri, st) })
}

func (q *diagScheduler) run(uri string, st *diagState) {
	for {
		if d := q.s.docs.get(uri); d != nil {
			diags := q.s.computeDiagnostics(d)
			if cur := q.s.docs.get(uri); cur == d {
				version := protocol.UInteger(d.version)
				q.s.notifyLarge("textDocument/publishDiagnostics", protocol.PublishDiagnosticsParams{URI: uri, Version: &version, Diagnostics: diags})
			}
		}
		q.mu.Lock()
		if st.dirty && !q.stopped {
			st.dirty = false
			q.mu.Unlock()
			continue
		}
		st.running = false
		q.mu.Unlock()
		return
	}
}

func (q *diagScheduler) forget(uri string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if st := q.state[uri]; st != nil && !st.running {
		delete(q.state, uri)
	}
}

func (q *diagScheduler) stop() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.stopped = true
}

// computeDiagnostics returns the diagnostics of one document; never touches the network.
func (s *Server) computeDiagnostics(d *document) []protocol.Diagnostic {
	diags := []protocol.Diagnostic{}
	switch d.kind {
	case kindMod:
		diags = append(diags, s.modDiagnostics(d)...)
	case kindLock:
		diags = append(diags, s.lockDiagnostics(d)...)
	case kindKpmJSON:
		_, findings := kpmJSONAnalysis(d)
		for _, f := range findings {
			diags = append(diags, findingDiagnostic(d, f))
		}
	case kindKCL:
		diags = append(diags, s.kclDiagnostics(d)...)
		diags = append(diags, s.evalDiagnostics(d)...)
	}
	return diags
}

// findingDiagnostic converts a workspace finding (byte offsets) of document d.
func findingDiagnostic(d *document, f workspace.Finding) protocol.Diagnostic {
	sev := protocol.DiagnosticSeverity(f.Severity)
	if sev == 0 {
		sev = protocol.DiagnosticSeverityError
	}
	diag := protocol.Diagnostic{
		Range:    findingRange(d, f.Range),
		Severity: &sev,
		Source:   strPtr("kpm"),
		Message:  f.Message,
	}
	if f.Code != "" {
		diag.Code = &protocol.IntegerOrString{Value: f.Code}
	}
	return diag
}

func findingRange(d *document, r workspace.Range) protocol.Range {
	if !r.IsValid() {
		return protocol.Range{}
	}
	start := r.Start.Offset
	end := r.End.Offset
	if end < start {
		end = start
	}
	return d.rangeOf(start, end)
}

// newDiagnostic builds a diagnostic with a code and optional data (used by code actions).
func newDiagnostic(rng protocol.Range, sev protocol.DiagnosticSeverity, code, msg string, data any) protocol.Diagnostic {
	return protocol.Diagnostic{
		Range:    rng,
		Severity: &sev,
		Code:     &protocol.IntegerOrString{Value: code},
		Source:   strPtr("kpm"),
		Message:  msg,
		Data:     data,
	}
}

// kpmJSONAnalysis parses a kpm.json document once per version.
func kpmJSONAnalysis(d *document) (*workspace.KpmJSONFile, []workspace.Finding) {
	type result struct {
		f        *workspace.KpmJSONFile
		findings []workspace.Finding
	}
	d.analysisOnce.Do(func() {
		f, findings := workspace.ParseKpmJSON(d.path, []byte(d.text))
		d.analysis = result{f, findings}
	})
	r := d.analysis.(result)
	return r.f, r.findings
}
