package workspace

import (
	"bytes"
	"fmt"
	"os"
	"sort"
	"strings"
)

// TextEdit replaces the bytes [Start, End) of a file with NewText. Edits are computed against the
// original text; the LSP converts Start/End with LSPPos(PosAt(...)) into a TextEdit range.
type TextEdit struct {
	Start, End int
	NewText    string
}

// Range returns the edit's range as positions in src.
func (e TextEdit) Range(src []byte) Range {
	x := newLineIndex(src)
	return x.rng(e.Start, e.End)
}

// ApplyEdits returns src with the non-overlapping edits applied.
func ApplyEdits(src []byte, edits ...TextEdit) []byte {
	sorted := append([]TextEdit(nil), edits...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Start < sorted[j].Start })
	var b strings.Builder
	last := 0
	for _, e := range sorted {
		if e.Start < last {
			continue // overlapping: keep the first
		}
		b.Write(src[last:e.Start])
		b.WriteString(e.NewText)
		last = e.End
	}
	b.Write(src[last:])
	return []byte(b.String())
}

// DepSpec describes a dependency to write into kcl.mod.
type DepSpec struct {
	Name    string // key (alias when Package is set)
	Version string // registry form: name = "version"; with OCI/Git, an informational version
	OCI     string // oci://host/repo/name
	Tag     string // OCI tag or git tag
	Path    string
	Git     string
	Commit  string
	Branch  string
	Package string // real package name when Name is an alias
}

// Value renders the TOML value of the spec: "1.2.3" or an inline table.
func (s DepSpec) Value() string {
	if s.OCI == "" && s.Git == "" && s.Path == "" && s.Package == "" {
		return tomlString(s.Version)
	}
	var parts []string
	addKV := func(k, v string) {
		if v != "" {
			parts = append(parts, k+" = "+tomlString(v))
		}
	}
	addKV("oci", s.OCI)
	addKV("git", s.Git)
	addKV("path", s.Path)
	addKV("tag", s.Tag)
	addKV("commit", s.Commit)
	addKV("branch", s.Branch)
	addKV("version", s.Version)
	addKV("package", s.Package)
	return "{ " + strings.Join(parts, ", ") + " }"
}

// Line renders `name = value`.
func (s DepSpec) Line() string { return tomlKey(s.Name) + " = " + s.Value() }

// SetDependency returns the edit that adds the dependency, or replaces the existing entry with the
// same name in place (keeping its position, the comments around it and the rest of the file).
func (m *ModFile) SetDependency(s DepSpec) TextEdit {
	if d := m.Dependency(s.Name); d != nil && d.EntryRange.IsValid() {
		if d.TableForm {
			var b strings.Builder
			fmt.Fprintf(&b, "[dependencies.%s]\n", tomlKey(s.Name))
			for _, kv := range [][2]string{{"oci", s.OCI}, {"git", s.Git}, {"path", s.Path}, {"tag", s.Tag}, {"commit", s.Commit}, {"branch", s.Branch}, {"version", s.Version}, {"package", s.Package}} {
				if kv[1] != "" {
					fmt.Fprintf(&b, "%s = %s\n", kv[0], tomlString(kv[1]))
				}
			}
			if s.OCI == "" && s.Git == "" && s.Path == "" && s.Package == "" {
				// registry form cannot be a table: fall back to the version key
				b.Reset()
				fmt.Fprintf(&b, "[dependencies.%s]\nversion = %s\n", tomlKey(s.Name), tomlString(s.Version))
			}
			return TextEdit{Start: d.EntryRange.Start.Offset, End: d.EntryRange.End.Offset, NewText: b.String()}
		}
		if d.ValueRange.IsValid() {
			return TextEdit{Start: d.ValueRange.Start.Offset, End: d.ValueRange.End.Offset, NewText: s.Value()}
		}
	}
	src := m.Src
	nl := "\n"
	if bytes.Contains(src, []byte("\r\n")) {
		nl = "\r\n" // keep a Windows file's line endings
	}
	line := s.Line() + nl
	if m.depsHasBody && m.depsInsert >= 0 {
		at := m.depsInsert
		if at > 0 && src[at-1] != '\n' {
			line = nl + line
		}
		return TextEdit{Start: at, End: at, NewText: line}
	}
	trimmed := bytes.TrimRight(src, "\r")
	prefix := ""
	switch {
	case len(src) == 0:
	case !bytes.HasSuffix(trimmed, []byte("\n")):
		prefix = nl + nl
	case bytes.HasSuffix(src, []byte(nl+nl)):
		prefix = ""
	default:
		prefix = nl
	}
	return TextEdit{Start: len(src), End: len(src), NewText: prefix + "[dependencies]" + nl + line}
}

// RemoveDependency returns the edit deleting the entry (its whole lines, comments on the same
// line included); ok is false when there is no such dependency.
func (m *ModFile) RemoveDependency(name string) (TextEdit, bool) {
	d := m.Dependency(name)
	if d == nil || !d.EntryRange.IsValid() {
		return TextEdit{}, false
	}
	src := m.Src
	start := d.EntryRange.Start.Offset
	for start > 0 && (src[start-1] == ' ' || src[start-1] == '\t') {
		start--
	}
	end := d.EntryRange.End.Offset
	if !d.TableForm || end == 0 || src[end-1] != '\n' {
		for end < len(src) && src[end] != '\n' {
			end++
		}
		if end < len(src) {
			end++
		}
	}
	return TextEdit{Start: start, End: end}, true
}

// UpdateModFile applies edit to the kcl.mod file at path atomically, keeping its permissions,
// provided the file still holds the bytes the edit was computed from.
func UpdateModFile(path string, from []byte, edits ...TextEdit) error {
	cur, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, pathErr(err))
	}
	if string(cur) != string(from) {
		return fmt.Errorf("%s changed while kpm was editing it; try again", path)
	}
	perm := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		perm = st.Mode().Perm()
	}
	return WriteFileAtomic(path, ApplyEdits(cur, edits...), perm)
}
