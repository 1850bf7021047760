package workspace

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// ModFileName and LockFileName are the manifest and lock file names in a package root.
const (
	ModFileName  = "kcl.mod"
	LockFileName = "kcl.mod.lock"
)

// PackageNameRule is the rule a package name must follow (shown in error messages).
const PackageNameRule = `^[a-z][a-z0-9_]*(-[a-z0-9_]+)*$`

var packageNameRE = regexp.MustCompile(PackageNameRule)

// ValidPackageName reports whether name follows PackageNameRule.
func ValidPackageName(name string) bool { return packageNameRE.MatchString(name) }

// ImportName is the name KCL code imports a dependency by: the key with '-' replaced by '_'.
func ImportName(name string) string { return strings.ReplaceAll(name, "-", "_") }

// StrValue is a string value of kcl.mod with its position (the quotes included). Set is false
// when the key is absent.
type StrValue struct {
	Value string
	Set   bool
	Range Range // the value, quotes included
	Key   Range // the key in front of it
}

// BoolValue is a boolean value of kcl.mod with its position.
type BoolValue struct {
	Value bool
	Set   bool
	Range Range
	Key   Range
}

// ModFile is a parsed kcl.mod. Every table, key and value carries its position in Src.
type ModFile struct {
	Filename string
	Src      []byte

	// Package is the [package] table; nil when the file has none.
	Package *Package
	// Dependencies are the entries of [dependencies] in file order.
	Dependencies []*Dependency
	// DependenciesHeader is the range of the "[dependencies]" header (invalid when absent).
	DependenciesHeader Range
	// Profile is the [profile] table; nil when absent.
	Profile *Profile
	// Tables lists every table header in file order (including unknown ones).
	Tables []Table
	// Findings are the findings ParseModFile returned with this file.
	Findings []Finding

	lines       *lineIndex
	depsInsert  int  // offset where a new "[dependencies]" entry line goes
	depsHasBody bool // [dependencies] header exists (explicitly)
}

// Table is one "[a.b]" header of the file.
type Table struct {
	Path  []string
	Range Range // the header, brackets included
	// Body is the range from the header to the end of its last key/value line.
	Body Range
}

// Package is the [package] table.
type Package struct {
	Range       Range // the "[package]" header
	Name        StrValue
	Edition     StrValue
	Version     StrValue
	Description StrValue
	Include     []StrValue
	Exclude     []StrValue
}

// Profile is the [profile] table.
type Profile struct {
	Range       Range
	Entries     []StrValue
	DisableNone BoolValue
	SortKeys    BoolValue
	Selectors   []StrValue
	Overrides   []StrValue
	Arguments   []StrValue
}

// SourceKind says where a dependency comes from.
type SourceKind int

// Dependency sources.
const (
	SourceInvalid  SourceKind = iota
	SourceRegistry            // name = "1.2.3": default registry and repository
	SourceOCI                 // { oci = "oci://…", tag = "…" }
	SourcePath                // { path = "../dir" }
	SourceGit                 // { git = "https://…", tag|commit|branch = "…" }
)

func (k SourceKind) String() string {
	switch k {
	case SourceRegistry:
		return "registry"
	case SourceOCI:
		return "oci"
	case SourcePath:
		return "path"
	case SourceGit:
		return "git"
	}
	return "invalid"
}

// Dependency is one entry of [dependencies].
type Dependency struct {
	// Name is the key as written (the alias when Package is set).
	Name string
	// KeyRange is the key; EntryRange the whole "key = value" (or the whole [dependencies.name]
	// table when written that way); ValueRange the value.
	KeyRange   Range
	ValueRange Range
	EntryRange Range
	// TableForm is true for a dependency written as a [dependencies.name] table.
	TableForm bool
	// Inline is true for a dependency written as an inline table { ... }.
	Inline bool

	Version StrValue // the string form, or the "version" key
	OCI     StrValue
	Tag     StrValue // OCI tag, or git tag
	Path    StrValue
	Git     StrValue
	Commit  StrValue
	Branch  StrValue
	Package StrValue // the real package name when the key is an alias
}

// ImportName is the name KCL code imports the dependency by.
func (d *Dependency) ImportName() string { return ImportName(d.Name) }

// PackageName is the name of the package depended on (Package when set, else the key).
func (d *Dependency) PackageName() string {
	if d.Package.Set && d.Package.Value != "" {
		return d.Package.Value
	}
	return d.Name
}

// Source classifies the dependency.
func (d *Dependency) Source() SourceKind {
	switch {
	case d.OCI.Set && !d.Git.Set && !d.Path.Set:
		return SourceOCI
	case d.Git.Set && !d.OCI.Set && !d.Path.Set:
		return SourceGit
	case d.Path.Set && !d.OCI.Set && !d.Git.Set:
		return SourcePath
	case !d.OCI.Set && !d.Git.Set && !d.Path.Set && d.Version.Set:
		return SourceRegistry
	}
	return SourceInvalid
}

// Dependency returns the entry with the given key, or nil.
func (m *ModFile) Dependency(name string) *Dependency {
	for _, d := range m.Dependencies {
		if d.Name == name {
			return d
		}
	}
	return nil
}

// Name is the package name ("" when missing).
func (m *ModFile) Name() string {
	if m.Package == nil {
		return ""
	}
	return m.Package.Name.Value
}

// Version is the package version ("" when missing).
func (m *ModFile) Version() string {
	if m.Package == nil {
		return ""
	}
	return m.Package.Version.Value
}

// ParseModFile parses and validates kcl.mod. It always returns a ModFile (possibly partial, when
// the TOML is malformed) and the findings, errors first in file order then the rest.
func ParseModFile(filename string, src []byte) (*ModFile, []Finding) {
	p := &modParser{
		mf:      &ModFile{Filename: filename, Src: src, lines: newLineIndex(src)},
		defined: map[string]Range{},
		deps:    map[string]*Dependency{},
	}
	p.parse()
	p.validate()
	sort.SliceStable(p.findings, func(i, j int) bool {
		return p.findings[i].Range.Start.Offset < p.findings[j].Range.Start.Offset
	})
	p.mf.Findings = p.findings
	return p.mf, p.findings
}

type modParser struct {
	mf       *ModFile
	tp       unstable.Parser
	findings []Finding
	defined  map[string]Range // full dotted paths of keys and explicit tables
	deps     map[string]*Dependency

	table      []string // current table path
	tableIdx   int      // index in mf.Tables of the current table, -1 at the top
	depTable   *Dependency
	lastLineAt int
	syntaxErr  bool
}

func (p *modParser) add(sev Severity, code string, r Range, format string, args ...any) {
	p.findings = append(p.findings, Finding{
		File: p.mf.Filename, Range: r, Severity: sev, Code: code, Message: fmt.Sprintf(format, args...),
	})
}

func (p *modParser) rng(r unstable.Range) Range {
	return p.mf.lines.rng(int(r.Offset), int(r.Offset+r.Length))
}

// lineEnd returns the offset just after the end of the line containing off (after '\n').
func (p *modParser) lineEnd(off int) int {
	src := p.mf.Src
	for off < len(src) && src[off] != '\n' {
		off++
	}
	if off < len(src) {
		off++
	}
	return off
}

func (p *modParser) parse() {
	src := p.mf.Src
	p.tp.Reset(src)
	p.tableIdx = -1
	for p.tp.NextExpression() {
		e := p.tp.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			p.tableHeader(e)
		case unstable.KeyValue:
			p.keyValue(e)
		}
	}
	if err := p.tp.Error(); err != nil {
		var perr *unstable.ParserError
		off, end := len(src), len(src)
		msg := err.Error()
		if errors.As(err, &perr) {
			off, end = p.highlight(perr.Highlight)
			msg = perr.Message
		}
		p.add(SeverityError, CodeSyntax, p.mf.lines.rng(off, end), "%s", tomlSyntaxWords(msg))
		p.syntaxErr = true
	}
	p.closeTable()
	if !p.mf.depsHasBody && p.mf.depsInsert == 0 {
		p.mf.depsInsert = -1
	}
}

// tomlSyntaxWords says a TOML parser message in the words of someone editing kcl.mod.
func tomlSyntaxWords(msg string) string {
	switch msg {
	case "basic strings cannot have new lines":
		return `missing closing quote (")`
	case "literal strings cannot have new lines":
		return "missing closing quote (')"
	case "expected character =":
		return "expected '=' after the key"
	case "expected character ]":
		return "missing closing ']'"
	case "expected newline but got extra characters after the value":
		return "unexpected text after the value (one key = value per line)"
	}
	return "invalid TOML: " + msg
}

// highlight returns the byte range of a parser error highlight (a subslice of the source).
func (p *modParser) highlight(h []byte) (int, int) {
	src := p.mf.Src
	if cap(h) == 0 || cap(h) > cap(src) {
		return len(src), len(src)
	}
	off := cap(src) - cap(h)
	if off > len(src) {
		off = len(src)
	}
	end := off + len(h)
	if end > len(src) {
		end = len(src)
	}
	return off, end
}

// keys returns the key parts and their ranges of a KeyValue or table node.
func (p *modParser) keys(e *unstable.Node) ([]string, []Range) {
	var names []string
	var ranges []Range
	it := e.Key()
	for it.Next() {
		n := it.Node()
		names = append(names, string(n.Data))
		ranges = append(ranges, p.rng(n.Raw))
	}
	return names, ranges
}

func (p *modParser) closeTable() {
	if p.tableIdx >= 0 {
		t := &p.mf.Tables[p.tableIdx]
		end := max(p.lastLineAt, t.Range.End.Offset)
		t.Body = p.mf.lines.rng(t.Range.Start.Offset, end)
		if p.depTable != nil {
			p.depTable.EntryRange = t.Body
			p.depTable.ValueRange = t.Body
		}
	}
	p.depTable = nil
}

func (p *modParser) tableHeader(e *unstable.Node) {
	p.closeTable()
	names, ranges := p.keys(e)
	src := p.mf.Src
	start := ranges[0].Start.Offset
	for start > 0 && src[start-1] != '[' {
		start--
	}
	for start > 0 && src[start-1] == '[' {
		start--
	}
	end := ranges[len(ranges)-1].End.Offset
	for end < len(src) && src[end] != ']' && src[end] != '\n' {
		end++
	}
	for end < len(src) && src[end] == ']' {
		end++
	}
	header := p.mf.lines.rng(start, end)
	p.lastLineAt = p.lineEnd(end)
	p.mf.Tables = append(p.mf.Tables, Table{Path: names, Range: header})
	p.tableIdx = len(p.mf.Tables) - 1
	p.table = names
	keyRange := Range{Start: ranges[0].Start, End: ranges[len(ranges)-1].End}

	if e.Kind == unstable.ArrayTable {
		p.add(SeverityError, CodeWrongType, header, "[[%s]]: kcl.mod has no arrays of tables", strings.Join(names, "."))
		p.table = []string{"\x00invalid"}
		return
	}
	full := strings.Join(names, "\x00")
	if prev, ok := p.defined[full]; ok {
		p.add(SeverityError, CodeDuplicateKey, keyRange, "table [%s] is already defined at line %d", strings.Join(names, "."), prev.Start.Line)
	} else {
		p.defined[full] = keyRange
	}
	switch names[0] {
	case "package":
		if len(names) != 1 {
			p.add(SeverityWarning, CodeUnknownSection, header, "unknown section [%s]", strings.Join(names, "."))
			return
		}
		if p.mf.Package == nil {
			p.mf.Package = &Package{Range: header}
		}
	case "profile":
		if len(names) != 1 {
			p.add(SeverityWarning, CodeUnknownSection, header, "unknown section [%s]", strings.Join(names, "."))
			return
		}
		if p.mf.Profile == nil {
			p.mf.Profile = &Profile{Range: header}
		}
	case "dependencies":
		switch len(names) {
		case 1:
			p.mf.DependenciesHeader = header
			p.mf.depsHasBody = true
			p.mf.depsInsert = p.lineEnd(end)
		case 2:
			d := p.dep(names[1], ranges[1])
			d.TableForm = true
			p.depTable = d
		default:
			p.add(SeverityWarning, CodeUnknownSection, header, "unknown section [%s]", strings.Join(names, "."))
		}
	default:
		p.add(SeverityWarning, CodeUnknownSection, header, "unknown section [%s]: want [package], [dependencies] or [profile]", strings.Join(names, "."))
	}
}

// dep returns the dependency with the given key, creating it in file order.
func (p *modParser) dep(name string, key Range) *Dependency {
	if d, ok := p.deps[name]; ok {
		return d
	}
	d := &Dependency{Name: name, KeyRange: key}
	p.deps[name] = d
	p.mf.Dependencies = append(p.mf.Dependencies, d)
	return d
}

// valueRange computes the range of the value of a KeyValue node: from after '=' to the end of
// the key/value (the parser gives no range for arrays and only '{' for inline tables).
func (p *modParser) valueRange(e *unstable.Node, lastKey Range) Range {
	src := p.mf.Src
	i := lastKey.End.Offset
	for i < len(src) && (src[i] == ' ' || src[i] == '\t') {
		i++
	}
	if i < len(src) && src[i] == '=' {
		i++
	}
	for i < len(src) && (src[i] == ' ' || src[i] == '\t') {
		i++
	}
	end := int(e.Raw.Offset + e.Raw.Length)
	return p.mf.lines.rng(i, end)
}

func (p *modParser) keyValue(e *unstable.Node) {
	names, ranges := p.keys(e)
	full := append(append([]string(nil), p.table...), names...)
	keyRange := Range{Start: ranges[0].Start, End: ranges[len(ranges)-1].End}
	entry := p.rng(e.Raw)
	p.lastLineAt = p.lineEnd(entry.End.Offset)
	if len(p.table) == 1 && p.table[0] == "dependencies" {
		p.mf.depsInsert = p.lastLineAt
	}
	fullKey := strings.Join(full, "\x00")
	if prev, ok := p.defined[fullKey]; ok {
		p.add(SeverityError, CodeDuplicateKey, keyRange, "duplicate key %q (first defined at line %d)", strings.Join(full, "."), prev.Start.Line)
		return
	}
	p.defined[fullKey] = keyRange
	val := e.Value()
	vr := p.valueRange(e, ranges[len(ranges)-1])
	dotted := strings.Join(full, ".")

	if len(full) == 1 {
		p.add(SeverityWarning, CodeUnknownKey, keyRange, "unknown key %q outside any section", full[0])
		return
	}
	switch full[0] {
	case "\x00invalid":
		return
	case "package":
		if len(full) != 2 {
			break
		}
		if p.mf.Package == nil {
			p.mf.Package = &Package{Range: keyRange}
		}
		pkg := p.mf.Package
		switch full[1] {
		case "name":
			pkg.Name = p.str(val, vr, keyRange, dotted)
		case "edition":
			pkg.Edition = p.str(val, vr, keyRange, dotted)
		case "version":
			pkg.Version = p.str(val, vr, keyRange, dotted)
		case "description":
			pkg.Description = p.str(val, vr, keyRange, dotted)
		case "include":
			pkg.Include = p.strs(val, vr, keyRange, dotted)
		case "exclude":
			pkg.Exclude = p.strs(val, vr, keyRange, dotted)
		default:
			p.add(SeverityWarning, CodeUnknownKey, keyRange, "unknown key %q in [package]: want name, edition, version, description, include or exclude", full[1])
		}
		return
	case "profile":
		if len(full) != 2 {
			break
		}
		if p.mf.Profile == nil {
			p.mf.Profile = &Profile{Range: keyRange}
		}
		prof := p.mf.Profile
		switch full[1] {
		case "entries":
			prof.Entries = p.strs(val, vr, keyRange, dotted)
		case "disable_none":
			prof.DisableNone = p.boolean(val, vr, keyRange, dotted)
		case "sort_keys":
			prof.SortKeys = p.boolean(val, vr, keyRange, dotted)
		case "selectors":
			prof.Selectors = p.strs(val, vr, keyRange, dotted)
		case "overrides":
			prof.Overrides = p.strs(val, vr, keyRange, dotted)
		case "arguments":
			prof.Arguments = p.strs(val, vr, keyRange, dotted)
		default:
			p.add(SeverityWarning, CodeUnknownKey, keyRange, "unknown key %q in [profile]: want entries, disable_none, sort_keys, selectors, overrides or arguments", full[1])
		}
		return
	case "dependencies":
		switch len(full) {
		case 2:
			d := p.dep(full[1], ranges[len(ranges)-1])
			if len(names) == 1 {
				d.KeyRange = keyRange
				d.EntryRange = entry
				d.ValueRange = vr
			}
			switch val.Kind {
			case unstable.String:
				d.Version = StrValue{Value: string(val.Data), Set: true, Range: vr, Key: keyRange}
			case unstable.InlineTable:
				d.Inline = true
				p.depTable2(d, val)
			default:
				p.add(SeverityError, CodeWrongType, vr, "dependency %s: want a version string or a table like { oci = \"oci://…\", tag = \"…\" }", full[1])
			}
			return
		case 3:
			d := p.dep(full[1], ranges[0])
			if d.EntryRange == (Range{}) {
				d.EntryRange = entry
				d.ValueRange = entry
			}
			p.depField(d, full[2], val, vr, keyRange)
			return
		}
	default:
		p.add(SeverityWarning, CodeUnknownKey, keyRange, "unknown key %q", dotted)
		return
	}
	p.add(SeverityWarning, CodeUnknownKey, keyRange, "unknown key %q", dotted)
}

// depTable2 reads the fields of an inline-table dependency.
func (p *modParser) depTable2(d *Dependency, tbl *unstable.Node) {
	it := tbl.Children()
	for it.Next() {
		kv := it.Node()
		if kv.Kind != unstable.KeyValue {
			continue
		}
		names, ranges := p.keys(kv)
		keyRange := Range{Start: ranges[0].Start, End: ranges[len(ranges)-1].End}
		vr := p.valueRange(kv, ranges[len(ranges)-1])
		full := "dependencies." + d.Name + "." + strings.Join(names, ".")
		fk := "dependencies\x00" + d.Name + "\x00" + strings.Join(names, "\x00")
		if prev, ok := p.defined[fk]; ok {
			p.add(SeverityError, CodeDuplicateKey, keyRange, "duplicate key %q (first defined at line %d)", full, prev.Start.Line)
			continue
		}
		p.defined[fk] = keyRange
		if len(names) != 1 {
			p.add(SeverityWarning, CodeUnknownKey, keyRange, "unknown key %q in dependency %s", strings.Join(names, "."), d.Name)
			continue
		}
		p.depField(d, names[0], kv.Value(), vr, keyRange)
	}
}

func (p *modParser) depField(d *Dependency, key string, val *unstable.Node, vr, keyRange Range) {
	dotted := "dependencies." + d.Name + "." + key
	var dst *StrValue
	switch key {
	case "version":
		dst = &d.Version
	case "oci":
		dst = &d.OCI
	case "tag":
		dst = &d.Tag
	case "path":
		dst = &d.Path
	case "git":
		dst = &d.Git
	case "commit":
		dst = &d.Commit
	case "branch":
		dst = &d.Branch
	case "package":
		dst = &d.Package
	default:
		p.add(SeverityWarning, CodeUnknownKey, keyRange, "unknown key %q in dependency %s: want oci, tag, git, commit, branch, path, version or package", key, d.Name)
		return
	}
	*dst = p.str(val, vr, keyRange, dotted)
}

func (p *modParser) str(val *unstable.Node, vr, key Range, dotted string) StrValue {
	if val.Kind != unstable.String {
		p.add(SeverityError, CodeWrongType, vr, "%s: want a string, got %s", dotted, kindName(val.Kind))
		return StrValue{Range: vr, Key: key}
	}
	return StrValue{Value: string(val.Data), Set: true, Range: vr, Key: key}
}

func (p *modParser) boolean(val *unstable.Node, vr, key Range, dotted string) BoolValue {
	if val.Kind != unstable.Bool {
		p.add(SeverityError, CodeWrongType, vr, "%s: want true or false, got %s", dotted, kindName(val.Kind))
		return BoolValue{Range: vr, Key: key}
	}
	return BoolValue{Value: string(val.Data) == "true", Set: true, Range: vr, Key: key}
}

func (p *modParser) strs(val *unstable.Node, vr, key Range, dotted string) []StrValue {
	if val.Kind != unstable.Array {
		p.add(SeverityError, CodeWrongType, vr, "%s: want a list of strings, got %s", dotted, kindName(val.Kind))
		return nil
	}
	out := []StrValue{}
	it := val.Children()
	for it.Next() {
		n := it.Node()
		if n.Kind == unstable.Comment {
			continue
		}
		if n.Kind != unstable.String {
			r := vr
			if n.Raw.Length > 0 {
				r = p.rng(n.Raw)
			}
			p.add(SeverityError, CodeWrongType, r, "%s: want a list of strings, found %s", dotted, kindName(n.Kind))
			continue
		}
		out = append(out, StrValue{Value: string(n.Data), Set: true, Range: p.rng(n.Raw), Key: key})
	}
	return out
}

func kindName(k unstable.Kind) string {
	switch k {
	case unstable.String:
		return "a string"
	case unstable.Bool:
		return "a boolean"
	case unstable.Integer:
		return "an integer"
	case unstable.Float:
		return "a number"
	case unstable.Array:
		return "a list"
	case unstable.InlineTable:
		return "a table"
	case unstable.LocalDate, unstable.LocalTime, unstable.LocalDateTime, unstable.DateTime:
		return "a date"
	}
	return "a " + strings.ToLower(k.String())
}
