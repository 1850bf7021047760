package lsp

import (
	"context"
	"encoding/json"
	"strings"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/kpm-dev/kpm/kcl/syntax"
)

// formatting formats a whole KCL file with the formatter of `kpm fmt`; a file with syntax
// errors is left alone (no edits).
func (s *Server) formatting(ctx context.Context, params json.RawMessage) (any, error) {
	d, edits := s.formatEdits(params)
	if d == nil || edits == nil {
		return []protocol.TextEdit{}, nil
	}
	return edits, nil
}

// rangeFormatting formats the top-level statements a range touches, each group as the
// file formatter would lay it out alone.
func (s *Server) rangeFormatting(ctx context.Context, params json.RawMessage) (any, error) {
	p, err := decodeDocumentParams(params)
	if err != nil {
		return nil, err
	}
	d := s.docs.get(p.TextDocument.URI)
	edits := []protocol.TextEdit{}
	if d == nil || d.kind != kindKCL {
		return edits, nil
	}
	a := kclAnalysisOf(d)
	if a.file == nil || len(a.errs) > 0 {
		return edits, nil
	}
	start, end := d.offset(p.Range.Start), d.offset(p.Range.End)
	from, to := -1, -1
	for _, st := range a.file.Body {
		if int(st.End().Offset) >= start && int(st.Pos().Offset) <= end {
			if from < 0 {
				from = lineStartOf(d.text, int(st.Pos().Offset))
			}
			to = int(st.End().Offset)
		}
	}
	if from < 0 {
		return edits, nil
	}
	// the comments at the end of the last line belong to it
	if nl := strings.IndexByte(d.text[to:], '\n'); nl >= 0 {
		to += nl
	} else {
		to = len(d.text)
	}
	out, err := syntax.Format([]byte(d.text[from:to]), d.path)
	if err != nil {
		return edits, nil
	}
	if text := strings.TrimSuffix(string(out), "\n"); text != d.text[from:to] {
		edits = append(edits, protocol.TextEdit{Range: d.rangeOf(from, to), NewText: text})
	}
	return edits, nil
}

// formatEdits formats the document of the params and returns the line edits that turn its
// text into the formatted one (nil when nothing changes or it does not parse).
func (s *Server) formatEdits(params json.RawMessage) (*document, []protocol.TextEdit) {
	p, err := decodeDocumentParams(params)
	if err != nil {
		return nil, nil
	}
	d := s.docs.get(p.TextDocument.URI)
	if d == nil || d.kind != kindKCL {
		return nil, nil
	}
	out, err := syntax.Format([]byte(d.text), d.path)
	if err != nil || string(out) == d.text {
		return d, nil
	}
	return d, lineEdits(d, string(out))
}

func lineStartOf(text string, off int) int { return strings.LastIndexByte(text[:off], '\n') + 1 }

// lineEdits is a minimal set of whole-line replacements turning d's text into text: the
// common prefix and suffix of lines are kept, and the middle is compared line by line with
// a longest-common-subsequence diff, so a cursor outside changed lines stays where it is.
func lineEdits(d *document, text string) []protocol.TextEdit {
	a := strings.SplitAfter(d.text, "\n")
	b := strings.SplitAfter(text, "\n")
	// LCS over lines, bounded: beyond that, one edit for the whole middle
	const maxCells = 4 << 20
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	am, bm := a[pre:len(a)-suf], b[pre:len(b)-suf]
	offsetOfLine := func(i int) int {
		if i >= len(d.lines) {
			return len(d.text)
		}
		return d.lines[i]
	}
	whole := func(from, to int, lines []string) protocol.TextEdit {
		return protocol.TextEdit{Range: d.rangeOf(offsetOfLine(from), offsetOfLine(to)), NewText: strings.Join(lines, "")}
	}
	if len(am)*len(bm) > maxCells {
		return []protocol.TextEdit{whole(pre, pre+len(am), bm)}
	}
	n, m := len(am), len(bm)
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if am[i] == bm[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var edits []protocol.TextEdit
	i, j := 0, 0
	for i < n || j < m {
		if i < n && j < m && am[i] == bm[j] {
			i++
			j++
			continue
		}
		si, sj := i, j
		for (i < n || j < m) && !(i < n && j < m && am[i] == bm[j]) {
			if j >= m || (i < n && lcs[i+1][j] >= lcs[i][j+1]) {
				i++
			} else {
				j++
			}
		}
		edits = append(edits, whole(pre+si, pre+i, bm[sj:j]))
	}
	return edits
}
