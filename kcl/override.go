package kcl

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/kpm-dev/kpm/kcl/syntax"
)

// override is one -O spec: a dotted path, an operation ("=", ":", "+=" or "-") and the
// value expression (nil for "-").
type override struct {
	spec  string
	path  []string
	op    string
	value syntax.Expr
}

var overrideSpec = regexp.MustCompile(`^([A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)*)\s*(\+=|=|:|-$)(.*)$`)

// parseOverride reads `path=value`, `path:value`, `path+=value` or `path-`.
func parseOverride(spec string) (*override, error) {
	m := overrideSpec.FindStringSubmatch(strings.TrimSpace(spec))
	if m == nil || (m[2] == "-" && m[3] != "") || (m[2] != "-" && strings.TrimSpace(m[3]) == "") {
		return nil, fmt.Errorf("Invalid spec format '%s', expected <field_path>=<filed_value>, <field_path>:<filed_value>, <field_path>+=<filed_value> or <field_path>-", spec)
	}
	o := &override{spec: spec, path: strings.Split(m[1], "."), op: m[2]}
	if o.op != "-" {
		f, errs := syntax.ParseFile("<override>", []byte("__override__ = "+m[3]+"\n"))
		if len(errs) > 0 || len(f.Body) != 1 {
			return nil, fmt.Errorf("invalid value in override '%s'", spec)
		}
		as, ok := f.Body[0].(*syntax.AssignStmt)
		if !ok {
			return nil, fmt.Errorf("invalid value in override '%s'", spec)
		}
		o.value = as.Value
	}
	return o, nil
}

// applyOverrides changes the main module's statements before it runs, as `kcl run -O` does: a
// path names a top-level variable and keys of its config (schema or dict literal); `=` replaces
// or adds, `-` deletes; a variable no statement assigns is added at the end of the last file.
func applyOverrides(files []*syntax.File, specs []string) error {
	for _, spec := range specs {
		o, err := parseOverride(spec)
		if err != nil {
			return err
		}
		found := false
		for _, f := range files {
			var body []syntax.Stmt
			for _, st := range f.Body {
				keep := true
				if value, set := assignedValue(st, o.path[0]); set != nil {
					found = true
					keep = o.apply(value, set)
				}
				if keep {
					body = append(body, st)
				}
			}
			f.Body = body
		}
		if !found && o.op != "-" && len(files) > 0 {
			last := files[len(files)-1]
			var value syntax.Expr = o.value
			for i := len(o.path) - 1; i >= 1; i-- {
				value = &syntax.ConfigExpr{Entries: []*syntax.ConfigEntry{{Key: newIdent(o.path[i : i+1]), Value: value, Op: configOp(o.op)}}}
			}
			last.Body = append(last.Body, &syntax.AssignStmt{Targets: []syntax.Expr{newIdent(o.path[:1])}, Value: value})
		}
	}
	return nil
}

// assignedValue returns the value of a top-level `name = v` or `name: S {}` statement and a
// setter of it; set is nil for other statements.
func assignedValue(st syntax.Stmt, name string) (syntax.Expr, func(syntax.Expr)) {
	switch s := st.(type) {
	case *syntax.AssignStmt:
		if len(s.Targets) == 1 {
			if id, ok := s.Targets[0].(*syntax.Ident); ok && len(id.Names) == 1 && id.Names[0] == name {
				return s.Value, func(v syntax.Expr) { s.Value = v }
			}
		}
	case *syntax.UnificationStmt:
		if s.Target.Names[0] == name {
			return s.Value, func(v syntax.Expr) {
				if se, ok := v.(*syntax.SchemaExpr); ok {
					s.Value = se
				} else if c, ok := v.(*syntax.ConfigExpr); ok {
					s.Value.Config = c
				}
			}
		}
	}
	return nil, nil
}

// apply changes the statement whose value is value; false deletes the statement.
func (o *override) apply(value syntax.Expr, set func(syntax.Expr)) bool {
	if len(o.path) == 1 {
		if o.op == "-" {
			return false
		}
		set(o.value)
		return true
	}
	if c := configOf(value); c != nil {
		o.applyConfig(c, o.path[1:])
	}
	return true
}

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

// applyConfig applies the override to keys of config c: an entry whose (dotted) key is keys is
// replaced or deleted, one that is a prefix of keys is entered, none adds an entry.
func (o *override) applyConfig(c *syntax.ConfigExpr, keys []string) {
	for i, en := range c.Entries {
		names := entryKeyNames(en.Key)
		if len(names) == 0 || len(names) > len(keys) || strings.Join(names, ".") != strings.Join(keys[:len(names)], ".") {
			continue
		}
		if len(names) == len(keys) {
			if o.op == "-" {
				c.Entries = append(c.Entries[:i:i], c.Entries[i+1:]...)
				return
			}
			en.Value = o.value
			en.Op = configOp(o.op)
			return
		}
		if inner := configOf(en.Value); inner != nil {
			o.applyConfig(inner, keys[len(names):])
			return
		}
	}
	if o.op == "-" {
		return
	}
	c.Entries = append(c.Entries, &syntax.ConfigEntry{Key: newIdent(keys), Value: o.value, Op: configOp(o.op)})
}

func entryKeyNames(k syntax.Expr) []string {
	switch x := k.(type) {
	case *syntax.Ident:
		return x.Names
	case *syntax.StringLit:
		return []string{x.Value}
	}
	return nil
}

func configOp(op string) syntax.ConfigOp {
	switch op {
	case ":":
		return syntax.OpUnion
	case "+=":
		return syntax.OpInsert
	}
	return syntax.OpOverride
}

// newIdent is a (dotted) name made by an override.
func newIdent(names []string) *syntax.Ident {
	return &syntax.Ident{Names: append([]string(nil), names...), NameSpans: make([]syntax.Span, len(names))}
}
