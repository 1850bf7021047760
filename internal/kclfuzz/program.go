// Package kclfuzz generates random, mostly valid KCL programs shaped like real configuration code,
// runs them through kpm's engine and the reference implementation (internal/kcloracle), and
// shrinks the programs on which they disagree. It is a test-time tool.
package kclfuzz

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Node is one piece of a generated program: an expression (Typ set) or a statement (Stmt).
// Fmt holds one %s per kid; a statement's Body is indented under it.
type Node struct {
	Fmt  string
	Kids []*Node
	Typ  string // the KCL type an expression evaluates to ("" for other pieces)
	Stmt bool
	Body []*Node
	// Removable marks kids of list-like expressions (list items, config entries, call arguments
	// with defaults) that minimization may drop.
	Removable bool
	// Sep joins the kids instead of Fmt (list and config literals).
	Sep  string
	Open string
	Shut string
}

func (n *Node) render(b *strings.Builder, indent string) {
	if n.Stmt {
		b.WriteString(indent)
		b.WriteString(n.expr())
		b.WriteByte('\n')
		for _, s := range n.Body {
			s.render(b, indent+"    ")
		}
		return
	}
	b.WriteString(n.expr())
}

func (n *Node) expr() string {
	if n.Sep != "" || n.Open != "" {
		parts := make([]string, len(n.Kids))
		for i, k := range n.Kids {
			parts[i] = k.expr()
		}
		return n.Open + strings.Join(parts, n.Sep) + n.Shut
	}
	if len(n.Kids) == 0 {
		return n.Fmt
	}
	args := make([]any, len(n.Kids))
	for i, k := range n.Kids {
		args[i] = k.expr()
	}
	return fmt.Sprintf(n.Fmt, args...)
}

func (n *Node) clone() *Node {
	c := *n
	c.Kids = cloneAll(n.Kids)
	c.Body = cloneAll(n.Body)
	return &c
}

func cloneAll(ns []*Node) []*Node {
	if ns == nil {
		return nil
	}
	out := make([]*Node, len(ns))
	for i, n := range ns {
		out[i] = n.clone()
	}
	return out
}

// Program is a package of files: the main package's files (a.k, b.k, ...) and the files of
// sibling packages ("pkg/lib.k").
type Program struct {
	Files map[string]*File
}

// File is the statements of one file.
type File struct {
	Stmts []*Node
}

func (p *Program) clone() *Program {
	c := &Program{Files: map[string]*File{}}
	for k, v := range p.Files {
		c.Files[k] = &File{Stmts: cloneAll(v.Stmts)}
	}
	return c
}

// Names are the file names in a fixed order.
func (p *Program) Names() []string {
	names := make([]string, 0, len(p.Files))
	for k := range p.Files {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Source is the text of one file.
func (p *Program) Source(name string) string {
	var b strings.Builder
	for _, s := range p.Files[name].Stmts {
		s.render(&b, "")
	}
	return b.String()
}

// Text is every non-empty file under a "# name" line.
func (p *Program) Text() string {
	var b strings.Builder
	for _, name := range p.Names() {
		if src := p.Source(name); src != "" {
			b.WriteString("# " + name + "\n" + src)
		}
	}
	return b.String()
}

// Size counts the nodes, the measure minimization reduces.
func (p *Program) Size() int {
	n := 0
	var walk func(*Node)
	walk = func(x *Node) {
		n++
		for _, k := range x.Kids {
			walk(k)
		}
		for _, k := range x.Body {
			walk(k)
		}
	}
	for _, f := range p.Files {
		for _, s := range f.Stmts {
			walk(s)
		}
	}
	return n
}

// Write puts the program's files under dir (which must exist); empty files are left out.
func (p *Program) Write(dir string) error {
	for _, name := range p.Names() {
		src := p.Source(name)
		if src == "" && strings.Contains(name, "/") {
			continue
		}
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			return err
		}
	}
	return nil
}
