package lsp

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	protocol "github.com/tliron/glsp/protocol_3_16"
)

// docKind is the kind of file a document is, by its name.
type docKind int

const (
	kindOther   docKind = iota
	kindMod             // kcl.mod
	kindLock            // kcl.mod.lock
	kindKpmJSON         // kpm.json
	kindKCL             // *.k
)

func kindOf(path string) docKind {
	switch base := filepath.Base(path); {
	case base == "kcl.mod":
		return kindMod
	case base == "kcl.mod.lock":
		return kindLock
	case base == "kpm.json":
		return kindKpmJSON
	case base == "config.json" && filepath.Base(filepath.Dir(path)) == ".kpm":
		return kindKpmJSON // the legacy location of kpm.json ($KCL_PKG_PATH/.kpm/config.json)
	case strings.HasSuffix(base, ".k"):
		return kindKCL
	}
	return kindOther
}

// document is an immutable snapshot of one open file: edits replace it.
type document struct {
	uri     string
	path    string
	kind    docKind
	version int32
	text    string
	lines   []int // byte offset of each line start

	analysisOnce sync.Once
	analysis     any // per-kind parse result, computed lazily (see analysis.go)
}

func newDocument(uri string, version int32, text string) *document {
	path := uriToPath(uri)
	return &document{uri: uri, path: path, kind: kindOf(path), version: version, text: text, lines: lineStarts(text)}
}

func lineStarts(text string) []int {
	lines := make([]int, 1, strings.Count(text, "\n")+1)
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			lines = append(lines, i+1)
		}
	}
	return lines
}

// offset converts an LSP position (UTF-16 code units) to a byte offset, clamped to the text.
func (d *document) offset(p protocol.Position) int {
	return offsetIn(d.text, d.lines, p)
}

func offsetIn(text string, lines []int, p protocol.Position) int {
	line := int(p.Line)
	if line >= len(lines) {
		return len(text)
	}
	off := lines[line]
	end := len(text)
	if line+1 < len(lines) {
		end = lines[line+1] - 1
	}
	units := int(p.Character)
	for off < end && units > 0 {
		r, size := utf8.DecodeRuneInString(text[off:])
		if r >= 0x10000 {
			units -= 2
		} else {
			units--
		}
		off += size
	}
	return off
}

// position converts a byte offset to an LSP position.
func (d *document) position(off int) protocol.Position {
	return positionIn(d.text, d.lines, off)
}

func positionIn(text string, lines []int, off int) protocol.Position {
	if off > len(text) {
		off = len(text)
	}
	if off < 0 {
		off = 0
	}
	line := sort.Search(len(lines), func(i int) bool { return lines[i] > off }) - 1
	if line < 0 {
		line = 0
	}
	start := lines[line]
	seg := text[start:off]
	units := 0
	if isASCII(seg) {
		units = len(seg)
	} else {
		for _, r := range seg {
			units += len(utf16.Encode([]rune{r}))
		}
	}
	return protocol.Position{Line: protocol.UInteger(line), Character: protocol.UInteger(units)}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// rangeOf converts a byte span to an LSP range.
func (d *document) rangeOf(start, end int) protocol.Range {
	return protocol.Range{Start: d.position(start), End: d.position(end)}
}

// documents holds the open files.
type documents struct {
	mu   sync.RWMutex
	docs map[string]*document
}

func newDocuments() *documents { return &documents{docs: map[string]*document{}} }

func (ds *documents) get(uri string) *document {
	ds.mu.RLock()
	defer ds.mu.RUnlock()
	return ds.docs[uri]
}

func (ds *documents) put(d *document) {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	ds.docs[d.uri] = d
}

func (ds *documents) remove(uri string) {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	delete(ds.docs, uri)
}

func (ds *documents) all() []*document {
	ds.mu.RLock()
	defer ds.mu.RUnlock()
	out := make([]*document, 0, len(ds.docs))
	for _, d := range ds.docs {
		out = append(out, d)
	}
	return out
}

// byPath returns the open document for a file path, if any.
func (ds *documents) byPath(path string) *document {
	ds.mu.RLock()
	defer ds.mu.RUnlock()
	for _, d := range ds.docs {
		if d.path == path {
			return d
		}
	}
	return nil
}

// readFile returns the content of path: the open document's text when it is open, the file
// on disk otherwise.
func (s *Server) readFile(path string) ([]byte, bool) {
	if d := s.docs.byPath(path); d != nil {
		return []byte(d.text), true
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	return b, true
}

func (s *Server) didOpen(params json.RawMessage) {
	var p struct {
		TextDocument struct {
			URI     string `json:"uri"`
			Version int32  `json:"version"`
			Text    string `json:"text"`
		} `json:"textDocument"`
	}
	if err := json.Unmarshal(params, &p); err != nil {
		s.log.Printf("didOpen: %v", err)
		return
	}
	d := newDocument(p.TextDocument.URI, p.TextDocument.Version, p.TextDocument.Text)
	s.docs.put(d)
	s.documentChanged(d)
}

func (s *Server) didChange(params json.RawMessage) {
	var p struct {
		TextDocument struct {
			URI     string `json:"uri"`
			Version int32  `json:"version"`
		} `json:"textDocument"`
		ContentChanges []struct {
			Range *protocol.Range `json:"range"`
			Text  string          `json:"text"`
		} `json:"contentChanges"`
	}
	if err := json.Unmarshal(params, &p); err != nil {
		s.log.Printf("didChange: %v", err)
		return
	}
	old := s.docs.get(p.TextDocument.URI)
	if old == nil {
		s.log.Printf("didChange for a document that is not open: %s", p.TextDocument.URI)
		return
	}
	text, lines := old.text, old.lines
	for _, c := range p.ContentChanges {
		if c.Range == nil {
			text = c.Text
		} else {
			start := offsetIn(text, lines, c.Range.Start)
			end := offsetIn(text, lines, c.Range.End)
			if end < start {
				end = start
			}
			text = text[:start] + c.Text + text[end:]
		}
		lines = lineStarts(text)
	}
	d := &document{uri: old.uri, path: old.path, kind: old.kind, version: p.TextDocument.Version, text: text, lines: lines}
	s.docs.put(d)
	s.evalEdited(d)
	s.documentChanged(d)
}

func (s *Server) didClose(params json.RawMessage) {
	p, err := decodeDocumentParams(params)
	if err != nil {
		return
	}
	d := s.docs.get(p.TextDocument.URI)
	s.docs.remove(p.TextDocument.URI)
	s.diags.forget(p.TextDocument.URI)
	s.notify("textDocument/publishDiagnostics", protocol.PublishDiagnosticsParams{URI: p.TextDocument.URI, Diagnostics: []protocol.Diagnostic{}})
	if d != nil {
		s.relatedChanged(d.path)
	}
}

func (s *Server) didSave(params json.RawMessage) {
	p, err := decodeDocumentParams(params)
	if err != nil {
		return
	}
	if d := s.docs.get(p.TextDocument.URI); d != nil {
		s.stats.clear()
		s.relatedChanged(d.path)
		s.evalOnSave(d)
	}
}

func (s *Server) didChangeWatchedFiles(params json.RawMessage) {
	var p struct {
		Changes []struct {
			URI  string `json:"uri"`
			Type int    `json:"type"`
		} `json:"changes"`
	}
	if err := json.Unmarshal(params, &p); err != nil {
		return
	}
	s.stats.clear()
	s.mods.expire()
	for _, c := range p.Changes {
		if path := uriToPath(c.URI); kindOf(path) == kindKCL {
			s.invalidateKCL(path)
		}
		s.relatedChanged(uriToPath(c.URI))
	}
}

// documentChanged schedules new diagnostics for d and for open files that depend on it.
func (s *Server) documentChanged(d *document) {
	s.diags.schedule(d.uri)
	if d.kind != kindKCL {
		s.relatedChanged(d.path)
		return
	}
	// other open files of the package may import the edited one: the checker re-checks
	// only those whose imports changed
	root, _ := s.kclPackage(d.path)
	for _, o := range s.docs.all() {
		if o.kind == kindKCL && o.uri != d.uri && strings.HasPrefix(o.path, root+string(filepath.Separator)) {
			s.diags.schedule(o.uri)
		}
	}
}

// relatedChanged re-diagnoses open documents whose results depend on the file at path: the
// kcl.mod, kcl.mod.lock and *.k files of the same package, and every file when kpm.json or
// the package cache changes.
func (s *Server) relatedChanged(path string) {
	dir := filepath.Dir(path)
	kind := kindOf(path)
	for _, d := range s.docs.all() {
		if d.path == path {
			continue
		}
		if kind == kindKpmJSON || kind == kindOther || filepath.Dir(d.path) == dir || strings.HasPrefix(d.path, dir+string(filepath.Separator)) {
			s.diags.schedule(d.uri)
		}
	}
}

// uriToPath converts a file:// URI to a local path; other strings are returned unchanged.
func uriToPath(uri string) string {
	if !strings.HasPrefix(uri, "file:") {
		return uri
	}
	u, err := url.Parse(uri)
	if err != nil {
		return strings.TrimPrefix(uri, "file://")
	}
	p := u.Path
	if runtime.GOOS == "windows" && len(p) > 2 && p[0] == '/' && p[2] == ':' {
		p = p[1:]
	}
	return filepath.FromSlash(p)
}

// pathToURI converts a local path to a file:// URI.
func pathToURI(path string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// pkgDirOf is the package directory of a file (the directory holding it).
func pkgDirOf(path string) string { return filepath.Dir(path) }

// documentParams are the params of requests and notifications about one document, or a range
// of it (textDocument/codeLens, documentSymbol, formatting, inlayHint, didSave, ...).
type documentParams struct {
	TextDocument struct {
		URI string `json:"uri"`
	} `json:"textDocument"`
	Range protocol.Range `json:"range"`
}

func decodeDocumentParams(params json.RawMessage) (documentParams, error) {
	var p documentParams
	err := json.Unmarshal(params, &p)
	return p, err
}
