package workspace

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// Pos is a position in a file. Offset is a 0-based byte offset; Line and Col are 1-based, Col
// counting bytes (as compilers print them). Use LSPPos to get the 0-based line and UTF-16
// character an LSP client expects.
type Pos struct {
	Offset int
	Line   int
	Col    int
}

// IsValid reports whether p was set (Line is 1-based, so the zero Pos is "no position").
func (p Pos) IsValid() bool { return p.Line > 0 }

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Range is a half-open byte range [Start, End) in a file.
type Range struct {
	Start Pos
	End   Pos
}

// IsValid reports whether r was set.
func (r Range) IsValid() bool { return r.Start.IsValid() }

// Contains reports whether the byte offset off lies in r (End inclusive, which is what an editor
// cursor placed just after a token expects).
func (r Range) Contains(off int) bool {
	return r.IsValid() && off >= r.Start.Offset && off <= r.End.Offset
}

// LSPPosition is a position as the Language Server Protocol counts it: 0-based line and 0-based
// character offset in UTF-16 code units.
type LSPPosition struct {
	Line      uint32
	Character uint32
}

// lineIndex maps byte offsets to lines; built once per file.
type lineIndex struct {
	src    []byte
	starts []int // byte offset of the start of each line
}

func newLineIndex(src []byte) *lineIndex {
	starts := make([]int, 1, bytes.Count(src, []byte{'\n'})+1)
	for i, c := range src {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return &lineIndex{src: src, starts: starts}
}

// pos converts a byte offset to a Pos (clamped to the file).
func (x *lineIndex) pos(off int) Pos {
	if off < 0 {
		off = 0
	}
	if off > len(x.src) {
		off = len(x.src)
	}
	lo, hi := 0, len(x.starts)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if x.starts[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return Pos{Offset: off, Line: lo + 1, Col: off - x.starts[lo] + 1}
}

func (x *lineIndex) rng(start, end int) Range {
	return Range{Start: x.pos(start), End: x.pos(end)}
}

// PosAt converts a byte offset in src into a Pos.
func PosAt(src []byte, offset int) Pos { return newLineIndex(src).pos(offset) }

// LSPPos converts p (which must belong to src) to an LSP position (UTF-16 character offset).
func LSPPos(src []byte, p Pos) LSPPosition {
	lineStart := p.Offset - (p.Col - 1)
	if lineStart < 0 || p.Offset > len(src) || lineStart > p.Offset {
		return LSPPosition{Line: uint32(max(p.Line-1, 0))}
	}
	return LSPPosition{Line: uint32(p.Line - 1), Character: uint32(utf16Len(src[lineStart:p.Offset]))}
}

// LSPRange converts r (which must belong to src) to LSP start and end positions.
func LSPRange(src []byte, r Range) (start, end LSPPosition) {
	return LSPPos(src, r.Start), LSPPos(src, r.End)
}

// OffsetAt converts an LSP position (0-based line, UTF-16 character) to a byte offset in src,
// clamped to the end of the line (and of the file).
func OffsetAt(src []byte, lp LSPPosition) int {
	line, off := uint32(0), 0
	for line < lp.Line {
		i := bytes.IndexByte(src[off:], '\n')
		if i < 0 {
			return len(src)
		}
		off += i + 1
		line++
	}
	units := uint32(0)
	for off < len(src) && src[off] != '\n' && units < lp.Character {
		r, size := utf8.DecodeRune(src[off:])
		if r >= 0x10000 {
			units += 2
		} else {
			units++
		}
		off += size
	}
	return off
}

func utf16Len(b []byte) int {
	n := 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
		b = b[size:]
	}
	return n
}
