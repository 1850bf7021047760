package lsp

import (
	"strings"

	"github.com/kpm-dev/kpm/kcl/check"
)

// Completion works on text being typed, which often does not parse: the position is read
// from the text (the brackets open at the cursor and what precedes each), and names are
// resolved with the checker's last record of the file.

type headKind int

const (
	headOther  headKind = iota
	headSchema          // `Name {` or `Name(args) {`, or `x: Name = {`: names a schema
	headKey             // `key = {`, `key: [`: a config entry's value
	headElem            // `[{` or `, {` inside a list: an element
)

// frame is a bracket open at the cursor.
type frame struct {
	open byte // '{', '[' or '('
	pos  int  // its offset
	kind headKind
	name []string // the schema name or the (dotted) key
}

// openFrames lists the brackets still open at off, outermost first, skipping strings and
// comments.
func openFrames(text string, off int) []frame {
	var stack []frame
	for i := 0; i < off && i < len(text); i++ {
		switch c := text[i]; c {
		case '#':
			for i < off && i < len(text) && text[i] != '\n' {
				i++
			}
		case '"', '\'':
			i = skipString(text, i, off)
		case '{', '[', '(':
			f := frame{open: c, pos: i}
			f.kind, f.name = headOf(text, i)
			stack = append(stack, f)
		case '}', ']', ')':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	return stack
}

// skipString returns the offset of the closing quote of the string starting at i (or limit).
func skipString(text string, i, limit int) int {
	q := text[i]
	if strings.HasPrefix(text[i:], strings.Repeat(string(q), 3)) {
		end := strings.Index(text[i+3:], strings.Repeat(string(q), 3))
		if end < 0 || i+3+end+2 >= limit {
			return limit
		}
		return i + 3 + end + 2
	}
	for j := i + 1; j < limit && j < len(text); j++ {
		switch text[j] {
		case '\\':
			j++
		case q, '\n':
			return j
		}
	}
	return limit
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// chainBefore reads a dotted name ending just before i; it returns the names and where the
// chain starts.
func chainBefore(text string, i int) ([]string, int) {
	j := i
	for j > 0 && (isIdentByte(text[j-1]) || text[j-1] == '.') {
		j--
	}
	if j == i {
		return nil, i
	}
	return strings.Split(text[j:i], "."), j
}

func skipSpacesBack(text string, i int) int {
	for i > 0 && (text[i-1] == ' ' || text[i-1] == '\t') {
		i--
	}
	return i
}

// headOf says what introduces the bracket at pos.
func headOf(text string, pos int) (headKind, []string) {
	i := skipSpacesBack(text, pos)
	if i > 0 && text[i-1] == ')' && text[pos] == '{' { // Name(args) {
		depth := 0
		for i--; i >= 0; i-- {
			if text[i] == ')' {
				depth++
			} else if text[i] == '(' {
				depth--
				if depth == 0 {
					break
				}
			}
		}
		if i < 0 {
			return headOther, nil
		}
		i = skipSpacesBack(text, i)
	}
	if i == 0 {
		return headOther, nil
	}
	switch c := text[i-1]; {
	case isIdentByte(c):
		names, start := chainBefore(text, i)
		if text[pos] == '{' && !isKeyword(names[0]) {
			return headSchema, names
		}
		_ = start
		return headOther, nil
	case c == '=' || c == ':':
		j := i - 1
		if c == '=' && j > 0 && (text[j-1] == '+' || text[j-1] == '|') {
			j--
		}
		if c == '=' && j > 0 && (text[j-1] == '=' || text[j-1] == '!' || text[j-1] == '<' || text[j-1] == '>') {
			return headOther, nil
		}
		j = skipSpacesBack(text, j)
		names, start := chainBefore(text, j)
		if names == nil {
			if j > 0 && text[j-1] == '"' { // "key": {
				k := strings.LastIndexByte(text[:j-1], '"')
				if k >= 0 {
					return headKey, []string{text[k+1 : j-1]}
				}
			}
			return headOther, nil
		}
		// `x: Type = {` (an annotated assignment or a schema attribute's default)
		if c == '=' {
			k := skipSpacesBack(text, start)
			if k > 0 && text[k-1] == ':' {
				return headSchema, names
			}
		}
		if c == ':' && len(names) == 1 && isKeyword(names[0]) {
			return headOther, nil
		}
		return headKey, names
	case c == '[' || c == ',' || c == '(':
		return headElem, nil
	}
	return headOther, nil
}

var kclKeywords = []string{"import", "as", "schema", "mixin", "protocol", "rule", "check", "for", "in", "if", "elif", "else",
	"lambda", "all", "any", "map", "filter", "and", "or", "not", "is", "assert", "type", "True", "False", "None", "Undefined"}

func isKeyword(s string) bool {
	for _, k := range kclKeywords {
		if k == s {
			return true
		}
	}
	return false
}

// frameType is the type the innermost frame holds values of: a schema instance inside
// `apps.Deployment { spec: { template: {` …, a list element inside `containers = [{`; nil
// when unknown.
func frameType(info *check.Info, frames []frame, off int) check.Type {
	var cur check.Type
	for _, f := range frames {
		switch f.kind {
		case headSchema:
			cur = nil
			if t := resolveChain(info, f.name, off); t != nil {
				if st, ok := t.(*check.SchemaType); ok {
					cur = &check.Instance{Schema: st.Schema}
				} else if in, ok := t.(*check.Instance); ok {
					cur = in
				}
			}
			if f.open != '{' {
				cur = nil
			}
		case headKey:
			if cur != nil {
				for _, n := range f.name {
					_, cur = check.MemberOf(cur, n)
				}
			}
			if f.open == '(' {
				cur = nil
			}
		case headElem:
			if l, ok := elemOf(cur); ok {
				cur = l
			} else if f.open != '{' || cur == nil {
				cur = nil
			}
		default:
			cur = nil
		}
		cur = instanceIn(cur, f.open)
	}
	return cur
}

func elemOf(t check.Type) (check.Type, bool) {
	switch t := t.(type) {
	case *check.List:
		return t.Elem, true
	case *check.Union:
		for _, m := range t.Types {
			if e, ok := elemOf(m); ok {
				return e, true
			}
		}
	}
	return nil, false
}

// instanceIn keeps a type that can hold a bracket's content: a schema (or dict) for '{', a
// list for '['.
func instanceIn(t check.Type, open byte) check.Type {
	if t == nil {
		return nil
	}
	if u, ok := t.(*check.Union); ok {
		for _, m := range u.Types {
			if r := instanceIn(m, open); r != nil {
				return r
			}
		}
		return nil
	}
	switch t.(type) {
	case *check.Instance, *check.Dict:
		if open == '{' {
			return t
		}
	case *check.List:
		if open == '[' {
			return t
		}
	}
	return nil
}

// resolveChain resolves a dotted name at an offset of a file.
func resolveChain(info *check.Info, names []string, off int) check.Type {
	if info == nil || len(names) == 0 {
		return nil
	}
	o := info.ScopeAt(off).Lookup(names[0])
	if o == nil {
		return nil
	}
	t := o.Type()
	for _, n := range names[1:] {
		_, t = check.MemberOf(t, n)
	}
	return t
}

// setKeys lists the keys already written at the top level of the config opened at open.
func setKeys(text string, open int) map[string]bool {
	keys := map[string]bool{}
	depth := 0
	lineStart := true
	for i := open + 1; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '#':
			for i < len(text) && text[i] != '\n' {
				i++
			}
			lineStart = true
			continue
		case c == '"' || c == '\'':
			i = skipString(text, i, len(text))
			lineStart = false
			continue
		case c == '{' || c == '[' || c == '(':
			depth++
		case c == '}' || c == ']' || c == ')':
			if depth == 0 {
				return keys
			}
			depth--
		case c == '\n' || c == ',':
			lineStart = true
			continue
		case c == ' ' || c == '\t':
			continue
		case depth == 0 && lineStart && isIdentByte(c):
			j := i
			for j < len(text) && isIdentByte(text[j]) {
				j++
			}
			k := j
			for k < len(text) && (text[k] == ' ' || text[k] == '\t') {
				k++
			}
			if k < len(text) && (text[k] == ':' || text[k] == '=' || text[k] == '.' || strings.HasPrefix(text[k:], "+=")) {
				keys[text[i:j]] = true
			}
			i = j - 1
		}
		lineStart = false
	}
	return keys
}
