package lsp

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A .k document over the analysis bound is kept (edits apply) but not parsed: one diagnostic
// says so, and the session goes on (hover answers).
func TestLargeDocumentIsNotAnalysed(t *testing.T) {
	t.Setenv("KCL_PKG_PATH", t.TempDir())
	c, _ := pipeServer(t, nil)
	work := t.TempDir()
	c.initialize(work, nil)
	line := "a = 1\n"
	text := strings.Repeat(line, maxAnalysedDocument/len(line)+1)
	m := c.mark()
	uri := c.open(filepath.Join(work, "big.k"), text)
	p := c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return len(p.Diagnostics) > 0 })
	require.Len(t, p.Diagnostics, 1)
	assert.Equal(t, "file too large for the editor's analysis (16.0 MB, more than 16 MB); kpm run evaluates it", p.Diagnostics[0].Message)
	assert.Equal(t, lspPos{Line: 0, Character: 0}, p.Diagnostics[0].Range.Start)
	assert.Empty(t, c.hoverText(uri, lspPos{Line: 0, Character: 0}))

	small := filepath.Join(work, "small.k")
	m = c.mark()
	uri = c.open(small, "a = 1 +\n")
	p = c.waitDiagnostics(m, uri, func(p publishedDiagnostics) bool { return len(p.Diagnostics) > 0 })
	assert.NotContains(t, p.Diagnostics[0].Message, "too large")
}
