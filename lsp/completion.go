package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/kpm-dev/kpm/workspace"
)

type positionParams struct {
	TextDocument struct {
		URI string `json:"uri"`
	} `json:"textDocument"`
	Position protocol.Position `json:"position"`
}

// docAt decodes textDocument/position params: the open document (nil if the client has not
// opened it) and the byte offset of the position in it.
func (s *Server) docAt(params json.RawMessage) (*document, int, error) {
	var p positionParams
	if err := json.Unmarshal(params, &p); err != nil {
		return nil, 0, err
	}
	d := s.docs.get(p.TextDocument.URI)
	if d == nil {
		return nil, 0, nil
	}
	return d, d.offset(p.Position), nil
}

// completion answers from the open document and the registry cache only.
func (s *Server) completion(ctx context.Context, params json.RawMessage) (any, error) {
	d, off, err := s.docAt(params)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return []protocol.CompletionItem{}, nil
	}
	var items []protocol.CompletionItem
	incomplete := false
	switch d.kind {
	case kindMod:
		items, incomplete = s.modCompletion(d, off)
	case kindKpmJSON:
		items = s.kpmJSONCompletion(d, off)
	case kindKCL:
		items = s.kclCompletion(d, off)
		if items == nil {
			items = s.kclCodeCompletion(d, off)
			sortItems(items)
		}
	}
	if items == nil {
		items = []protocol.CompletionItem{}
	}
	// Incomplete while a registry lookup the answer depends on is still running: the client
	// asks again as the user types, and gets the tags once they are known.
	return protocol.CompletionList{IsIncomplete: incomplete, Items: items}, nil
}

// Key documentation for kcl.mod, per table.
var modKeyDocs = map[string][][2]string{
	"package": {
		{"name", "The package name: lowercase letters, digits, `_` and `-` (`^[a-z][a-z0-9_]*(-[a-z0-9_]+)*$`). Also the last element of its OCI repository."},
		{"edition", "The KCL language edition the package is written for, e.g. `v0.11.0` or `*`."},
		{"version", "The package version, a semantic version like `0.1.0`. `kpm push` uses it as the OCI tag."},
		{"description", "A one-line description, stored in the `org.kcllang.package.description` annotation when pushed."},
		{"include", "Glob patterns of files to put in the pushed package (default: everything)."},
		{"exclude", "Glob patterns of files to leave out of the pushed package."},
	},
	"dependencies": {
		{"oci", "An OCI repository URL: `oci://host/repo/name`. Use with `tag`."},
		{"tag", "The OCI tag (for `oci`) or the git tag (for `git`)."},
		{"path", "A local directory holding the dependency's kcl.mod, relative to this package."},
		{"git", "A git repository URL. Use with one of `tag`, `commit` or `branch`."},
		{"commit", "The git commit to use."},
		{"branch", "The git branch to use."},
		{"version", "The version of the dependency."},
		{"package", "The real package name when the key is an alias."},
	},
	"profile": {
		{"entries", "The KCL files `kpm run` evaluates, in order (default: every .k file of the package root)."},
		{"disable_none", "Leave out attributes whose value is None."},
		{"sort_keys", "Sort the keys of the output."},
		{"selectors", "Path selectors of the output."},
		{"overrides", "Overrides (`path=value`) applied before evaluation."},
		{"arguments", "Top-level arguments, like `-D key=value`."},
	},
}

var sectionDocs = map[string]string{
	"package":      "The package: name, edition, version, description, include, exclude.",
	"dependencies": "The dependencies: `name = \"version\"` (default registry), `{ oci = \"oci://…\", tag = \"…\" }`, `{ path = \"…\" }` or `{ git = \"…\", tag = \"…\" }`.",
	"profile":      "How `kpm run` evaluates the package: entries, disable_none, sort_keys, selectors, overrides, arguments.",
}

func keyDoc(table, key string) string {
	for _, kd := range modKeyDocs[table] {
		if kd[0] == key {
			return kd[1]
		}
	}
	return ""
}

// tomlLineContext describes the cursor position in a kcl.mod.
type tomlLineContext struct {
	table     string // first element of the enclosing table header ("dependencies")
	subtable  string // second element ("dependencies.foo" → "foo")
	inHeader  bool   // the cursor is inside "[...]"
	before    string // the line up to the cursor
	key       string // the key of "key = value" when the cursor is after '='
	inlineKey string // the key inside an inline table when the cursor is after "k ="
	inString  bool   // the cursor is inside a string
	strStart  int    // offset of the first character of that string's content
	lineStart int
}

var inlineKeyRE = regexp.MustCompile(`([A-Za-z0-9_-]+)\s*=\s*"?[^"=,{]*$`)

func modLineContext(text string, off int) tomlLineContext {
	var c tomlLineContext
	c.lineStart = strings.LastIndexByte(text[:off], '\n') + 1
	c.before = text[c.lineStart:off]
	// enclosing table: the last header line before this one
	for pos := c.lineStart; pos > 0; {
		prev := strings.LastIndexByte(text[:pos-1], '\n') + 1
		line := strings.TrimSpace(text[prev : pos-1])
		if strings.HasPrefix(line, "[") {
			h := strings.Trim(line, "[] \t")
			if i := strings.IndexByte(h, ']'); i >= 0 {
				h = h[:i]
			}
			parts := strings.SplitN(h, ".", 2)
			c.table = strings.TrimSpace(parts[0])
			if len(parts) > 1 {
				c.subtable = strings.Trim(strings.TrimSpace(parts[1]), `"`)
			}
			break
		}
		pos = prev
	}
	trimmed := strings.TrimLeft(c.before, " \t")
	if strings.HasPrefix(trimmed, "[") && !strings.Contains(trimmed, "]") {
		c.inHeader = true
		return c
	}
	// quote parity up to the cursor
	quotes := strings.Count(c.before, `"`)
	if quotes%2 == 1 {
		c.inString = true
		c.strStart = c.lineStart + strings.LastIndexByte(c.before, '"') + 1
	}
	if i := strings.IndexByte(c.before, '='); i >= 0 {
		c.key = strings.Trim(strings.TrimSpace(c.before[:i]), `"`)
		rest := c.before[i+1:]
		if j := strings.LastIndexByte(rest, '{'); j >= 0 {
			if m := inlineKeyRE.FindStringSubmatch(rest[j+1:]); m != nil {
				c.inlineKey = m[1]
			} else {
				c.inlineKey = "?" // in an inline table, at a key position
			}
		}
	}
	return c
}

func (s *Server) modCompletion(d *document, off int) ([]protocol.CompletionItem, bool) {
	c := modLineContext(d.text, off)
	if tagsOf := s.tagsCompleted(d, c); tagsOf != "" {
		return s.tagCompletion(d, c, tagsOf)
	}
	return s.modKeyCompletion(d, c), false
}

// tagsCompleted names the repository whose tags complete the cursor's position ("" when the
// position is not a tag).
func (s *Server) tagsCompleted(d *document, c tomlLineContext) string {
	switch {
	case c.inHeader:
		return ""
	case c.table == "dependencies" && c.subtable == "" && c.key != "" && c.inlineKey == "":
		// name = "<cursor>": the registry form, tags of <default registry>/<repo>/<name>
		st, _ := s.loadSettings()
		if st == nil {
			return ""
		}
		return defaultRepoKey(st, c.key)
	case c.table == "dependencies" && (c.inlineKey == "tag" || c.subtable != "" && c.key == "tag"):
		line := d.text[c.lineStart:]
		if c.subtable != "" {
			line = tableText(d.text, c.lineStart)
		}
		return ociRepoIn(line)
	}
	return ""
}

// modKeyCompletion completes everything in kcl.mod but tags.
func (s *Server) modKeyCompletion(d *document, c tomlLineContext) []protocol.CompletionItem {
	if c.inHeader {
		var items []protocol.CompletionItem
		for _, name := range []string{"package", "dependencies", "profile"} {
			items = append(items, completionItem(name, protocol.CompletionItemKindModule, "", sectionDocs[name]))
		}
		return items
	}
	st, _ := s.loadSettings()
	switch {
	case c.table == "dependencies" && c.subtable == "" && c.key == "":
		return s.depNameCompletion(st)
	case c.table == "dependencies" && c.subtable == "" && c.inlineKey == "?":
		return keyCompletion("dependencies", " = ")
	case c.table == "dependencies" && (c.inlineKey == "oci" || c.subtable != "" && c.key == "oci"):
		if st == nil {
			return nil
		}
		name := c.key
		if c.subtable != "" {
			name = c.subtable
		}
		url := "oci://" + defaultRepoKey(st, name)
		return []protocol.CompletionItem{valueItem(d, c, url, "OCI repository in the default registry")}
	case c.table == "dependencies" && c.subtable != "" && c.key == "":
		return keyCompletion("dependencies", " = ")
	case c.key == "" && (c.table == "package" || c.table == "profile"):
		return keyCompletion(c.table, " = ")
	case c.table == "package" && c.key == "edition":
		return []protocol.CompletionItem{valueItem(d, c, "v0.11.0", "current KCL edition"), valueItem(d, c, "*", "any edition")}
	}
	return nil
}

func defaultRepoKey(st *workspace.Settings, name string) string {
	return st.DefaultOciRegistry + "/" + path.Join(strings.Trim(st.DefaultOciRepo, "/"), name)
}

// tableText returns the text of the table enclosing the line at lineStart (for
// [dependencies.name] tables).
func tableText(text string, lineStart int) string {
	start := strings.LastIndex(text[:lineStart], "\n[")
	if start < 0 {
		start = 0
	}
	end := strings.Index(text[lineStart:], "\n[")
	if end < 0 {
		return text[start:]
	}
	return text[start : lineStart+end]
}

var jsonValueRE = regexp.MustCompile(`"([A-Za-z]+)"\s*:\s*"?[^",]*$`)

var ociValueRE = regexp.MustCompile(`oci\s*=\s*"oci://([^"?]+)`)

func ociRepoIn(text string) string {
	if m := ociValueRE.FindStringSubmatch(text); m != nil {
		return strings.TrimSuffix(m[1], "/")
	}
	return ""
}

func keyCompletion(table, suffix string) []protocol.CompletionItem {
	var items []protocol.CompletionItem
	for _, kd := range modKeyDocs[table] {
		it := completionItem(kd[0], protocol.CompletionItemKindProperty, "", kd[1])
		it.InsertText = strPtr(kd[0] + suffix)
		items = append(items, it)
	}
	return items
}

// depNameCompletion offers package names from the cached catalog of the default repository,
// plus the oci and path snippets.
func (s *Server) depNameCompletion(st *workspace.Settings) []protocol.CompletionItem {
	snippet := protocol.InsertTextFormatSnippet
	snippetSupport := s.capabilities().TextDocument.Completion.CompletionItem.SnippetSupport
	var items []protocol.CompletionItem
	if st != nil {
		prefix := strings.Trim(st.DefaultOciRepo, "/")
		catalog, _ := s.cache.catalog(st.DefaultOciRegistry, prefix)
		names := append([]string(nil), catalog...) // the cache's slice is shared
		seen := map[string]bool{}
		for _, n := range names {
			seen[n] = true
		}
		for _, n := range s.cache.knownNames(st.DefaultOciRegistry, prefix) {
			if !seen[n] {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		for _, n := range names {
			it := completionItem(n, protocol.CompletionItemKindModule, st.DefaultOciRegistry+"/"+path.Join(prefix, n), "")
			repo := defaultRepoKey(st, n)
			if tags := s.cache.peekTags(repo); len(tags) > 0 {
				it.InsertText = strPtr(fmt.Sprintf("%s = %q", n, tags[0]))
				it.Detail = strPtr(repo + ":" + tags[0])
			}
			items = append(items, it)
		}
	}
	oci := "name = { oci = \"oci://registry/repo/name\", tag = \"0.1.0\" }"
	ociSnippet := "${1:name} = { oci = \"oci://${2:registry/repo}/${1:name}\", tag = \"${3:0.1.0}\" }"
	if st != nil {
		ociSnippet = fmt.Sprintf("${1:name} = { oci = \"oci://%s/${1:name}\", tag = \"${2:0.1.0}\" }", path.Join(st.DefaultOciRegistry, strings.Trim(st.DefaultOciRepo, "/")))
	}
	it := completionItem("oci dependency", protocol.CompletionItemKindSnippet, oci, "A dependency from an OCI registry.")
	if snippetSupport {
		it.InsertText = strPtr(ociSnippet)
		it.InsertTextFormat = &snippet
	} else {
		it.InsertText = strPtr(oci)
	}
	items = append(items, it)
	pathItem := completionItem("path dependency", protocol.CompletionItemKindSnippet, `name = { path = "../name" }`, "A dependency in a local directory.")
	if snippetSupport {
		pathItem.InsertText = strPtr(`${1:name} = { path = "${2:../name}" }`)
		pathItem.InsertTextFormat = &snippet
	} else {
		pathItem.InsertText = strPtr(`name = { path = "../name" }`)
	}
	return append(items, pathItem)
}

// tagCompletion lists cached tags of repo, newest first, and says whether the list is
// incomplete: nothing is known yet (a lookup is starting or running).
func (s *Server) tagCompletion(d *document, c tomlLineContext, repo string) ([]protocol.CompletionItem, bool) {
	tags, known := s.cache.tags(repo)
	items := make([]protocol.CompletionItem, 0, len(tags))
	for i, tag := range tags {
		it := valueItem(d, c, tag, repo+":"+tag)
		it.SortText = strPtr(fmt.Sprintf("%05d", i))
		if i == 0 {
			it.Preselect = boolPtr(true)
			it.Detail = strPtr(repo + ":" + tag + " (newest)")
		}
		items = append(items, it)
	}
	return items, !known
}

// valueItem completes a string value: inside quotes it replaces the string's content,
// otherwise it inserts the quoted value.
func valueItem(d *document, c tomlLineContext, value, detail string) protocol.CompletionItem {
	kind := protocol.CompletionItemKindValue
	it := protocol.CompletionItem{Label: value, Kind: &kind, Detail: strPtr(detail)}
	off := c.lineStart + len(c.before)
	if c.inString {
		end := off
		for end < len(d.text) && d.text[end] != '"' && d.text[end] != '\n' {
			end++
		}
		it.TextEdit = protocol.TextEdit{Range: d.rangeOf(c.strStart, end), NewText: value}
		it.FilterText = strPtr(value)
	} else {
		it.InsertText = strPtr(`"` + value + `"`)
	}
	return it
}

func completionItem(label string, kind protocol.CompletionItemKind, detail, doc string) protocol.CompletionItem {
	it := protocol.CompletionItem{Label: label, Kind: &kind}
	if detail != "" {
		it.Detail = strPtr(detail)
	}
	if doc != "" {
		it.Documentation = protocol.MarkupContent{Kind: protocol.MarkupKindMarkdown, Value: doc}
	}
	return it
}

// kpmJSONCompletion: keys (with a value placeholder) and values.
func (s *Server) kpmJSONCompletion(d *document, off int) []protocol.CompletionItem {
	lineStart := strings.LastIndexByte(d.text[:off], '\n') + 1
	before := d.text[lineStart:off]
	// After "Key": → values.
	if m := jsonValueRE.FindStringSubmatch(before); m != nil {
		c := tomlLineContext{before: before, lineStart: lineStart}
		if strings.Count(before, `"`)%2 == 1 {
			c.inString = true
			c.strStart = lineStart + strings.LastIndexByte(before, '"') + 1
		}
		switch m[1] {
		case "DefaultOciRegistry":
			return []protocol.CompletionItem{valueItem(d, c, "ghcr.io", "GitHub Container Registry (default)"), valueItem(d, c, "docker.io", "Docker Hub"), valueItem(d, c, "localhost:5001", "a local registry")}
		case "DefaultOciRepo":
			return []protocol.CompletionItem{valueItem(d, c, "kcl-lang", "the default repository")}
		case "DefaultOciPlainHttp":
			kind := protocol.CompletionItemKindValue
			return []protocol.CompletionItem{{Label: "true", Kind: &kind}, {Label: "false", Kind: &kind}}
		}
		return nil
	}
	f, _ := kpmJSONAnalysis(d)
	var items []protocol.CompletionItem
	inString := strings.Count(before, `"`)%2 == 1
	for _, k := range workspace.KpmJSONKeys {
		if f.Member(k.Name) != nil {
			continue
		}
		it := completionItem(k.Name, protocol.CompletionItemKindProperty, k.Type, k.Doc)
		value := `""`
		if k.Type == "boolean" {
			value = "false"
		}
		if inString {
			start := lineStart + strings.LastIndexByte(before, '"') + 1
			end := off
			for end < len(d.text) && d.text[end] != '"' && d.text[end] != '\n' {
				end++
			}
			if end < len(d.text) && d.text[end] == '"' {
				end++
			}
			it.TextEdit = protocol.TextEdit{Range: d.rangeOf(start, end), NewText: k.Name + `": ` + value}
			it.FilterText = strPtr(k.Name)
		} else {
			it.InsertText = strPtr(`"` + k.Name + `": ` + value)
		}
		items = append(items, it)
	}
	return items
}
