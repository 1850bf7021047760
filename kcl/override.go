package kcl

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/kpm-dev/kpm/kcl/syntax"
)

// Override is one `-O` spec of kcl run: Path=Value sets (or adds) a variable or a nested config
// key of the main package before evaluation; Path- (Delete) removes it.
type Override struct {
	Path   []string
	Value  string
	Delete bool
}

// ParseOverride reads `a.b.c=value` or `a.b.c-`.
func ParseOverride(spec string) (Override, error) {
	var o Override
	path := spec
	if k, v, ok := strings.Cut(spec, "="); ok {
		path, o.Value = k, v
		if strings.TrimSpace(v) == "" {
			return o, fmt.Errorf("invalid override %q: empty value after '='", spec)
		}
	} else if strings.HasSuffix(spec, "-") {
		path, o.Delete = strings.TrimSuffix(spec, "-"), true
	} else {
		return o, fmt.Errorf("invalid override %q: want path=value or path-", spec)
	}
	o.Path = strings.Split(strings.TrimSpace(path), ".")
	for _, p := range o.Path {
		if !isIdent(p) {
			return o, fmt.Errorf("invalid override %q: %q is not a name", spec, p)
		}
	}
	return o, nil
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r == '$' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// edit replaces src[start:end] with text.
type edit struct {
	start, end int32 // byte offsets, as syntax.Pos holds them
	text       string
}

// ApplyOverrides rewrites the main package files (absolute paths) for the overrides, as kcl run
// -O does on the program's syntax tree: the last top-level assignment of the variable (or the
// config entry under it) gets the new value; a missing key or variable is added; Delete removes
// it. The result is an overlay: the new content of each changed file.
func ApplyOverrides(files []string, overrides []Override) (map[string][]byte, error) {
	if len(overrides) == 0 || len(files) == 0 {
		return nil, nil
	}
	srcs := map[string][]byte{}
	asts := map[string]*syntax.File{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		file, errs := syntax.ParseFile(f, src)
		if len(errs) > 0 {
			return nil, nil // the run reports the syntax error itself
		}
		srcs[f], asts[f] = src, file
	}
	edits := map[string][]edit{}
	for _, o := range overrides {
		file, stmt, value := lastAssign(files, asts, o.Path[0])
		if _, unify := stmt.(*syntax.UnificationStmt); unify && len(o.Path) == 1 && !o.Delete && !isSchemaExpr(o.Value) {
			// `x: S {…}` takes a new schema value in place; another value is a new assignment
			// (which the toolchain then refuses as a second one)
			stmt = nil
		}
		if stmt == nil {
			if o.Delete {
				continue
			}
			last := files[len(files)-1]
			text := nestedAssign(o.Path, o.Value)
			n := len(srcs[last])
			sep := "\n"
			if n == 0 || srcs[last][n-1] == '\n' {
				sep = ""
			}
			edits[last] = append(edits[last], edit{int32(n), int32(n), sep + text + "\n"})
			continue
		}
		e, ok := overrideIn(srcs[file], stmt, value, o)
		if ok {
			edits[file] = append(edits[file], e)
		}
	}
	overlay := map[string][]byte{}
	for f, es := range edits {
		sort.SliceStable(es, func(i, j int) bool { return es[i].start > es[j].start })
		src := append([]byte(nil), srcs[f]...)
		for _, e := range es {
			src = append(src[:e.start], append([]byte(e.text), src[e.end:]...)...)
		}
		overlay[f] = src
	}
	return overlay, nil
}

// lastAssign finds the last top-level `name = ...` (or `name: T = ...`, or `name: T {...}`) of
// the files, and the value it assigns. (A new `name = ...` beside a declaration would be a
// second assignment, which the toolchain refuses.)
func lastAssign(files []string, asts map[string]*syntax.File, name string) (string, syntax.Stmt, syntax.Expr) {
	var file string
	var found syntax.Stmt
	var value syntax.Expr
	for _, f := range files {
		for _, st := range asts[f].Body {
			switch a := st.(type) {
			case *syntax.AssignStmt:
				for _, t := range a.Targets {
					if id, ok := t.(*syntax.Ident); ok && id.Name() == name {
						file, found, value = f, a, a.Value
					}
				}
			case *syntax.UnificationStmt:
				if a.Target.Name() == name {
					file, found, value = f, a, a.Value
				}
			}
		}
	}
	return file, found, value
}

// overrideIn computes the edit of one override under a top-level assignment of value.
func overrideIn(src []byte, stmt syntax.Stmt, value syntax.Expr, o Override) (edit, bool) {
	if len(o.Path) == 1 {
		if o.Delete {
			end := stmt.End().Offset
			if int(end) < len(src) && src[end] == '\n' {
				end++
			}
			return edit{stmt.Pos().Offset, end, ""}, true
		}
		return edit{value.Pos().Offset, value.End().Offset, o.Value}, true
	}
	for depth := 1; depth < len(o.Path); depth++ {
		cfg := configOf(value)
		if cfg == nil {
			return edit{}, false
		}
		key := o.Path[depth]
		var entry *syntax.ConfigEntry
		for _, en := range cfg.Entries {
			if keyName(en.Key) == key {
				entry = en
			}
		}
		if entry == nil {
			if o.Delete {
				return edit{}, false
			}
			text := nestedAssign(o.Path[depth:], o.Value)
			at := cfg.End().Offset - 1 // before the closing brace
			sep := ", "
			if len(cfg.Entries) == 0 {
				sep = ""
			}
			return edit{at, at, sep + text}, true
		}
		if depth == len(o.Path)-1 {
			if o.Delete {
				return edit{entry.Pos().Offset, entry.End().Offset, ""}, true
			}
			return edit{entry.Value.Pos().Offset, entry.Value.End().Offset, o.Value}, true
		}
		value = entry.Value
	}
	return edit{}, false
}

// isSchemaExpr reports whether an override value is a schema instance `S {…}`.
func isSchemaExpr(value string) bool {
	f, errs := syntax.ParseFile("", []byte("x = "+value))
	if len(errs) > 0 || len(f.Body) != 1 {
		return false
	}
	a, ok := f.Body[0].(*syntax.AssignStmt)
	if !ok {
		return false
	}
	_, ok = a.Value.(*syntax.SchemaExpr)
	return ok
}

// nestedAssign writes `a = {b = {c = value}}` for the path a.b.c.
func nestedAssign(path []string, value string) string {
	text := path[len(path)-1] + " = " + value
	for i := len(path) - 2; i >= 0; i-- {
		text = path[i] + " = {" + text + "}"
	}
	return text
}

// configOf returns the config literal of `{...}` or `Schema {...}`.
func configOf(x syntax.Expr) *syntax.ConfigExpr {
	switch v := x.(type) {
	case *syntax.ConfigExpr:
		return v
	case *syntax.SchemaExpr:
		c, _ := v.Config.(*syntax.ConfigExpr)
		return c
	}
	return nil
}

func keyName(k syntax.Expr) string {
	switch v := k.(type) {
	case *syntax.Ident:
		return v.Name()
	case *syntax.StringLit:
		return v.Value
	}
	return ""
}

// overlayOverrides applies opts.Overrides to the entry files through opts.Overlay.
func overlayOverrides(opts *Options, files []string) error {
	var mainFiles []string
	for _, f := range files {
		if _, ok := opts.Overlay[f]; !ok {
			mainFiles = append(mainFiles, f)
		}
	}
	overlay, err := ApplyOverrides(mainFiles, opts.Overrides)
	if err != nil {
		return &Error{Kind: KindEvaluation, Msg: err.Error()}
	}
	if len(overlay) == 0 {
		return nil
	}
	merged := map[string][]byte{}
	for f, src := range opts.Overlay {
		merged[f] = src
	}
	for f, src := range overlay {
		merged[f] = src
	}
	opts.Overlay = merged
	return nil
}
