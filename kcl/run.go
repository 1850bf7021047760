package kcl

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Options says what to evaluate and how to print it.
type Options struct {
	// Files are the entry files (or directories) of the main package. When empty, Dir is used.
	Files []string
	// Dir is a package directory: all its .k files (not *_test.k) form the main package.
	Dir string
	// WorkDir resolves relative Files and Dir; empty means the process working directory.
	WorkDir string
	// Root is the package root: absolute imports and file.* functions resolve against it.
	// Empty means the directory of the first entry.
	Root string
	// Deps maps a dependency import name to its local directory.
	Deps map[string]string
	// Args are the -D key=value options read by option().
	Args map[string]string
	// Format is "yaml" (default) or "json".
	Format string
	// PathSelectors print only the selected variables (`-S a` or `-S a.b`).
	PathSelectors []string
	// SortKeys sorts dict keys in the output.
	SortKeys bool
	// DisableNone drops None values from the output.
	DisableNone bool
}

// Result is the output of a run.
type Result struct {
	// Output is the YAML (or JSON) document(s), ending with a newline unless empty.
	Output string
	// YAML is the same as Output (kept for callers that expect the name).
	YAML string
	// Printed is what the program wrote with print(), in order.
	Printed string
}

// Run evaluates a KCL package and renders its public top-level variables.
// Errors are *Error (or Errors for several syntax errors).
func Run(ctx context.Context, opts Options) (res *Result, err error) {
	if err := ctx.Err(); err != nil {
		return nil, &Error{Kind: KindEvaluation, Msg: "evaluation cancelled: " + err.Error()}
	}
	e := &evaluator{ctx: ctx, opts: &opts, pkgs: map[string]*pkgState{}}
	files, err := entryFiles(&opts)
	if err != nil {
		return nil, err
	}
	e.root = opts.Root
	if e.root == "" {
		e.root = filepath.Dir(files[0])
	}
	defer func() {
		if r := recover(); r != nil {
			switch p := r.(type) {
			case panicErr:
				res, err = nil, p.err
			case panicErrs:
				res, err = nil, p.errs
			default:
				panic(r)
			}
		}
	}()
	main := &pkgState{path: "__main__", dir: filepath.Dir(files[0])}
	for _, f := range files {
		main.files = append(main.files, e.parseFile(f))
	}
	e.pkgs[main.dir+"\x00main"] = main
	e.indexPackage(main)
	e.runPackage(main)
	out := e.render(main)
	return &Result{Output: out, YAML: out, Printed: e.printed.String()}, nil
}

func entryFiles(opts *Options) ([]string, error) {
	wd := opts.WorkDir
	if wd == "" {
		var err error
		if wd, err = os.Getwd(); err != nil {
			return nil, err
		}
	}
	abs := func(p string) string {
		if filepath.IsAbs(p) {
			return filepath.Clean(p)
		}
		return filepath.Join(wd, p)
	}
	var files []string
	entries := opts.Files
	if len(entries) == 0 {
		d := opts.Dir
		if d == "" {
			d = wd
		}
		entries = []string{d}
	}
	for _, en := range entries {
		p := abs(en)
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("cannot find the kcl file or directory %s", en)
		}
		if st.IsDir() {
			ks := kclFilesIn(p)
			if len(ks) == 0 {
				return nil, fmt.Errorf("no KCL files in %s", en)
			}
			files = append(files, ks...)
			continue
		}
		files = append(files, p)
	}
	if len(files) == 0 {
		return nil, errors.New("no input files")
	}
	return files, nil
}

// render prints the public top-level variables of the main package.
func (e *evaluator) render(main *pkgState) string {
	po := planOptions{SortKeys: e.opts.SortKeys, DisableNone: e.opts.DisableNone}
	if e.stream != nil {
		return *e.stream
	}
	top := NewDict()
	for _, name := range main.order {
		if strings.HasPrefix(name, "_") {
			continue
		}
		v, ok := main.globals.m[name]
		if !ok {
			continue
		}
		switch v.(type) {
		case *SchemaType, *Func, *Module, *typeAlias:
			continue
		}
		top.Set(name, v)
	}
	var data any
	if len(e.opts.PathSelectors) > 0 {
		sel := NewDict()
		var single any
		for _, s := range e.opts.PathSelectors {
			v := e.selectPath(top, s)
			p, ok := plan(v, po)
			if !ok {
				continue
			}
			single = p
			sel.Set(s, p)
		}
		if len(e.opts.PathSelectors) == 1 {
			data = single
		} else {
			data = sel
		}
		if data == nil {
			return ""
		}
	} else {
		p, _ := plan(top, po)
		data = p
		if d, ok := data.(*Dict); ok && d.Len() == 0 {
			return ""
		}
	}
	if e.opts.Format == "json" {
		return encodeJSON(data, "    ") + "\n"
	}
	return encodeYAML(data)
}

func (e *evaluator) selectPath(top *Dict, path string) Value {
	var cur Value = top
	for _, part := range strings.Split(path, ".") {
		d := attrsOf(cur)
		if d == nil {
			e.throwAt(srcPos{}, KindEvaluation, "invalid path selector '%s'", path)
		}
		v, ok := d.m[part]
		if !ok {
			e.throwAt(srcPos{}, KindEvaluation, "invalid path selector '%s': '%s' not found", path, part)
		}
		cur = v
	}
	return cur
}
