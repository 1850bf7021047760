package kcl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/kpm-dev/kpm/kcl/modules"
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
	// Deps maps an external package name (kcl.mod dependencies, -E externals, package_maps)
	// to its root directory.
	Deps map[string]string
	// FilePackages names the package of entry files that belong to another package than the
	// main one (`${konfig:KCL_MOD}/render.k`): they join the main module but their imports
	// resolve in their own package.
	FilePackages map[string]modules.Package
	// VendorDirs are searched for `<dir>/<name>/kcl.mod` packages not in Deps (KCL_PKG_PATH).
	VendorDirs []string
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
	// ShowHidden prints the private (`_`) variables and attributes too.
	ShowHidden bool
	// StrictRangeCheck makes integer and float arithmetic results that do not fit in
	// 32 bits an error (`kcl run -r`).
	StrictRangeCheck bool
	// Stdout receives print() output as the program runs; nil collects it in Result.Printed.
	Stdout io.Writer
	// MaxMemory is the memory budget in bytes (0: DefaultMaxMemory): the evaluation stops with an
	// error when the heap would grow past it.
	MaxMemory int64
	// Overlay replaces the content of files (absolute paths) with unsaved editor buffers.
	Overlay map[string][]byte
	// Overrides change the main package before evaluation (`kcl run -O a.b=1`, `-O a-`).
	Overrides []Override
	// Check, when set, checks the program statically before anything is evaluated, as the
	// toolchain does; its error (an *Error or Errors) is Run's. kcl/check provides it
	// (check.Program); it cannot be called from here because the checker imports the engine.
	Check func(ctx context.Context, p Program) error
}

// Program is what Run is about to evaluate, for Options.Check.
type Program struct {
	// Files are the files of the main package, absolute, in order.
	Files []string
	// Root is the main package's root.
	Root string
	// Deps, FilePackages, VendorDirs and Overlay are those of Options.
	Deps         map[string]string
	FilePackages map[string]modules.Package
	VendorDirs   []string
	Overlay      map[string][]byte
}

// Result is the output of a run.
type Result struct {
	// Output is the YAML (or JSON) document(s), ending with a newline unless empty.
	Output string
	// YAML is the same as Output (kept for callers that expect the name).
	YAML string
	// Printed is what the program wrote with print(), in order (empty when Options.Stdout is set).
	Printed string
}

// largePackage is the statement count from which Run collects the garbage before rendering.
const largePackage = 1 << 16

// Run evaluates a KCL package and renders its public top-level variables.
// Errors are *Error (or Errors for several syntax errors).
func Run(ctx context.Context, opts Options) (res *Result, err error) {
	if err := ctx.Err(); err != nil {
		return nil, &Error{Kind: KindEvaluation, Msg: "evaluation cancelled: " + err.Error()}
	}
	e := &evaluator{ctx: ctx, opts: &opts, pkgs: map[string]*pkgState{}}
	e.stdout = opts.Stdout
	if e.stdout == nil {
		e.stdout = &e.printed
	}
	files, err := entryFiles(&opts)
	if err != nil {
		return nil, err
	}
	if len(opts.Overrides) > 0 {
		if err := overlayOverrides(&opts, files); err != nil {
			return nil, err
		}
	}
	e.root = opts.Root
	if e.root == "" {
		e.root = modRoot(filepath.Dir(files[0]))
	}
	if opts.Check != nil {
		p := Program{Files: files, Root: e.root, Deps: opts.Deps, FilePackages: opts.FilePackages, VendorDirs: opts.VendorDirs, Overlay: opts.Overlay}
		if err := opts.Check(ctx, p); err != nil {
			return nil, err
		}
		// the checker's syntax trees and types are garbage now: collected before the evaluator
		// parses, their memory serves it instead of adding to it (a large program's peak)
		runtime.GC()
	}
	defer func() {
		if r := recover(); r != nil {
			switch p := r.(type) {
			case panicErr:
				res, err = nil, p.err
			case panicErrs:
				res, err = nil, p.errs
			default:
				// an evaluator bug must not take the caller down: report it where it happened
				res, err = nil, &Error{Kind: KindEvaluation, File: e.pos.file, Line: e.pos.line, Col: e.pos.col,
					Msg: fmt.Sprintf("internal error: %v", r)}
			}
		}
	}()
	e.resolver = &modules.Resolver{External: opts.Deps, VendorDirs: opts.VendorDirs}
	main := &pkgState{path: modules.MainName, dir: filepath.Dir(files[0]), pkg: modules.Package{Name: modules.MainName, Root: e.root},
		filePkgs: opts.FilePackages}
	e.parseMain(main, files)
	// the budget counts from here: the main package's sources and statement index
	e.heapBase, _ = heapBytes()
	e.pkgs[main.dir+"\x00main"] = main
	e.mainPkg = main
	e.preload(main)
	e.runPackage(main)
	// rendering needs the values only: the sources, what syntax trees remain and the statement
	// index can go (functions and schemas keep the nodes they use), so the output is not made on
	// top of them
	statements := len(main.refs)
	main.files, main.refs, main.multiSetters, e.parsed = nil, nil, nil, nil
	if statements >= largePackage {
		// half of a large package's heap is garbage now: collected at once, the output is made
		// in its place instead of on top of it (a third less peak memory for configs)
		runtime.GC()
	}
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

// shownVars is the dict of the variables of the main package the output shows, in order. When
// that is the package's own dict of variables, which nothing reads after the output is planned
// in place, it is that dict itself: a large package's output is not made beside a copy of it.
func (e *evaluator) shownVars(main *pkgState) *Dict {
	shown := func(name string, v Value) bool {
		if strings.HasPrefix(name, "_") && !e.opts.ShowHidden {
			return false
		}
		switch v.(type) {
		case *SchemaType, *Func, *Module, *typeAlias:
			return false
		}
		return true
	}
	g := main.globals
	if len(e.scalars) == 0 && len(e.opts.PathSelectors) == 0 && g.Len() > 0 &&
		len(main.order) == g.Len() && &main.order[0] == &g.keys[0] { // the order is g's (runOrder)
		all := true
		for i, k := range g.keys {
			if all = shown(k, g.valAt(i)); !all {
				break
			}
		}
		if all {
			return g
		}
	}
	top := newDictCap(len(main.order))
	for _, name := range main.order {
		if v, ok := g.Get(name); ok && shown(name, v) {
			top.Set(name, v)
		}
	}
	return top
}

// render prints the public top-level variables of the main package.
func (e *evaluator) render(main *pkgState) string {
	po := planOptions{SortKeys: e.opts.SortKeys, DisableNone: e.opts.DisableNone, HidePrivate: !e.opts.ShowHidden, ShowHidden: e.opts.ShowHidden}
	if e.stream != nil {
		return *e.stream
	}
	top := e.shownVars(main)
	e.reserveOutput(top)
	var p any
	switch {
	case len(e.scalars) > 0:
		p, _ = plan(e.scalarResult(top), po)
	case len(e.opts.PathSelectors) == 0:
		// top is read no more (selectors read it): planned in place, and the package's own
		// dict of variables can go, so a large package's output is not made beside two copies
		// of its variables
		main.globals = nil
		p = planInPlace(top, po)
	default:
		p, _ = plan(top, po)
	}
	// an empty result prints as {}, as the toolchain prints it
	docs := []any{p}
	switch sels := e.opts.PathSelectors; len(sels) {
	case 0:
	case 1:
		docs[0] = planSelected(e.selectPath(top, sels[0]), po)
	default:
		// several selectors print their values as documents when all are configs, else as a
		// list, where --disable-none leaves the lists alone
		vals := make([]Value, len(sels))
		configs := true
		for i, s := range sels {
			vals[i] = e.selectPath(top, s)
			switch vals[i].(type) {
			case *Dict, *Schema:
			default:
				configs = false
			}
		}
		docs = docs[:0]
		l := make([]any, 0, len(sels))
		for _, v := range vals {
			o := po
			if _, isList := v.(*List); isList {
				o.DisableNone = false
			}
			p, _ := plan(v, o)
			if configs {
				docs = append(docs, p)
			}
			l = append(l, p)
		}
		if !configs {
			docs = []any{l}
		}
	}
	var out []string
	for _, d := range docs {
		if e.opts.Format == "json" {
			out = append(out, encodeJSON(d, "    "))
		} else {
			doc := encodeYAML(d)
			if endsInBlockMapValue(d) {
				// the toolchain ends such a document with an empty line
				doc += "\n"
			}
			out = append(out, doc)
		}
	}
	if e.opts.Format == "json" {
		return strings.Join(out, "") + "\n"
	}
	return strings.Join(out, "---\n")
}

// endsInBlockMapValue reports whether the last scalar of a YAML document is a mapping value printed
// as a block scalar (`k: |`); the last item of a sequence or a top-level string does not count.
func endsInBlockMapValue(v any) bool {
	for {
		switch x := v.(type) {
		case *Dict:
			if x.Len() == 0 {
				return false
			}
			last := x.valAt(len(x.keys) - 1)
			if s, ok := last.(string); ok {
				return strings.HasPrefix(yamlScalarString(s, 0, false), "|")
			}
			v = last
		case []any:
			if len(x) == 0 {
				return false
			}
			v = x[len(x)-1]
		default:
			return false
		}
	}
}

// scalarResult unifies the top-level expression values of the main package, in order, then each
// public variable as {name: value}, as the toolchain does when a module has expression statements:
// `{a = 1}` prints `a: 1`, `1` prints `1`, and `1` next to `x = 2` is a conflict.
func (e *evaluator) scalarResult(vars *Dict) Value {
	res := e.scalars[0].v
	last := e.scalars[len(e.scalars)-1].pos
	unify := func(delta Value, at srcPos) {
		if isUndef(delta) {
			return
		}
		if isNoneOrUndef(res) {
			res = delta
			return
		}
		if !subsume(delta, res) {
			e.throwAt(at, KindEvaluation, "conflicting values between %s and %s", briefRepr(delta), briefRepr(res))
		}
		e.pos = at
		res = e.union(res, delta, true, "")
	}
	for _, s := range e.scalars[1:] {
		unify(s.v, s.pos)
	}
	for _, k := range vars.keys {
		d := NewDict()
		d.Set(k, vars.val(k))
		unify(d, last)
	}
	return res
}

// briefRepr shows a value in a conflict message: containers abbreviated.
func briefRepr(v Value) string {
	switch v.(type) {
	case *Dict, *Schema:
		return "{...}"
	case *List:
		return "[...]"
	}
	return reprValue(v, true)
}

// planSelected plans a selected value: --disable-none drops None from configs only, so a
// selected list keeps its None items and its lists are left alone, as the reference prints them.
func planSelected(v Value, po planOptions) any {
	l, ok := v.(*List)
	if !ok {
		p, _ := plan(v, po)
		return p
	}
	out := make([]any, 0, len(l.Items))
	raw := po
	raw.DisableNone = false
	for _, it := range l.Items {
		switch x := it.(type) {
		case *List:
			p, _ := plan(x, raw)
			out = append(out, p)
		default:
			if isNone(it) {
				out = append(out, nil)
			} else if p, ok := plan(it, po); ok {
				out = append(out, p)
			}
		}
	}
	return out
}

// selectPath returns the value one path selector names (`a.b.0`: the attribute b of the
// variable a, then its first item): names of public variables, then attributes of configs and
// schema instances (private ones too) or indexes of lists, as the reference selects. Anything
// else (a package, `*`, `[0]`, a missing name) is not found, reported where the program ended.
func (e *evaluator) selectPath(top *Dict, sel string) Value {
	var cur Value = top
	for _, part := range strings.Split(sel, ".") {
		var v Value
		ok := false
		switch x := cur.(type) {
		case *Dict:
			v, ok = x.Get(part)
		case *Schema:
			v, ok = x.Attrs.Get(part)
		case *List:
			if i, err := strconv.Atoi(part); err == nil && i >= 0 && i < len(x.Items) {
				v, ok = x.Items[i], true
			}
		}
		if !ok {
			e.throwAt(e.lastPos, KindEvaluation, "invalid path select operand %s, value not found", sel)
		}
		cur = v
	}
	return cur
}

// modRoot returns the nearest directory at or above dir that holds a kcl.mod, else dir.
func modRoot(dir string) string {
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, "kcl.mod")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}
