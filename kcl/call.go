package kcl

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/kpm-dev/kpm/kcl/modules"
	"github.com/kpm-dev/kpm/kcl/syntax"
)

type lambdaDef struct {
	expr    *syntax.LambdaExpr
	closure *scope
	file    string
}

func (e *evaluator) callArgs(s *scope, argExprs []syntax.Expr, kws []*syntax.Keyword) ([]Value, *Dict) {
	var args []Value
	for _, a := range argExprs {
		if st, ok := a.(*syntax.StarredExpr); ok {
			v := e.eval(s, st.X)
			switch l := v.(type) {
			case *List:
				args = append(args, l.Items...)
			case *Dict:
				for _, k := range l.keys {
					args = append(args, k)
				}
			case NoneValue, UndefinedValue:
			default:
				e.throw(KindType, "'%s' object is not iterable", typeName(v))
			}
			continue
		}
		if ds, ok := a.(*syntax.DoubleStarredExpr); ok {
			_ = ds
			continue
		}
		args = append(args, e.eval(s, a))
	}
	var kwargs *Dict
	if len(kws) > 0 {
		kwargs = NewDict()
		for _, kw := range kws {
			kwargs.Set(kw.Name.Names[0], e.eval(s, kw.Value))
		}
	}
	for _, a := range argExprs {
		if ds, ok := a.(*syntax.DoubleStarredExpr); ok {
			v := e.eval(s, ds.X)
			if d, ok := v.(*Dict); ok {
				if kwargs == nil {
					kwargs = NewDict()
				}
				for _, k := range d.keys {
					kwargs.Set(k, d.val(k))
				}
			}
		}
	}
	return args, kwargs
}

func (e *evaluator) evalCall(s *scope, n *syntax.CallExpr) Value {
	fn := e.eval(s, n.Func)
	args, kwargs := e.callArgs(s, n.Args, n.Keywords)
	e.pos = posOf(e.file, n)
	return e.callValue(fn, args, kwargs)
}

func (e *evaluator) callValue(fn Value, args []Value, kwargs *Dict) Value {
	switch f := fn.(type) {
	case *Func:
		if f.Builtin != nil {
			return f.Builtin(e, args, kwargs)
		}
		return e.callLambda(f.Lambda, args, kwargs)
	case *SchemaType:
		return e.newInstance(f, NewDict(), args, kwargs)
	case NoneValue, UndefinedValue:
		e.throw(KindType, "'%s' object is not callable", typeName(fn))
	}
	e.throw(KindType, "'%s' object is not callable", typeName(fn))
	return nil
}

// paramArg returns the argument given for parameter i named name: the
// positional one, else the keyword one; false when neither was given.
func paramArg(i int, name string, args []Value, kwargs *Dict) (Value, bool) {
	if i < len(args) {
		return args[i], true
	}
	if kwargs != nil && kwargs.val(name) != nil {
		return kwargs.val(name), true
	}
	return nil, false
}

func (e *evaluator) callLambda(l *lambdaDef, args []Value, kwargs *Dict) Value {
	e.tick()
	e.depth++
	if e.depth > 500 {
		e.throw(KindRecursion, "maximum recursion depth exceeded")
	}
	defer func() { e.depth-- }() // the toolchain's error position stays in the body (no restore)
	sc := newScope(l.closure)
	sc.params = true
	params := l.expr.Params
	if len(args) > len(params) {
		e.throw(KindType, "lambda takes %d positional argument(s) but %d were given", len(params), len(args))
	}
	saveFile := e.file
	e.file = l.file
	for i, p := range params {
		name := p.Name.Names[0]
		v, passed := paramArg(i, name, args, kwargs)
		switch {
		case passed:
		case p.Default != nil:
			v = e.eval(l.closure, p.Default)
		default:
			e.throw(KindType, "lambda() missing 1 required positional argument: '%s'", name)
		}
		if p.Type != nil {
			switch p.Type.(type) {
			case *syntax.DictType, *syntax.ListType:
				// a dict or list parameter is a copy, as the toolchain passes it
				v = deepCopy(v)
			}
			v = e.convertType(v, p.Type, l.closure, true)
		}
		sc.vars[name] = v
	}
	if kwargs != nil {
		for _, k := range kwargs.keys {
			found := false
			for _, p := range params {
				if p.Name.Names[0] == k {
					found = true
				}
			}
			if !found {
				e.throw(KindType, "lambda() got an unexpected keyword argument '%s'", k)
			}
		}
	}
	body := newScope(sc)
	body.bodyVars = true
	fr := &frame{kind: frameLambda, scope: body, pkg: sc.pkg, last: none}
	for _, st := range l.expr.Body {
		fr.last = none
		e.execStmt(fr, st)
	}
	result := fr.last
	if l.expr.ReturnType != nil {
		r, ok := e.tryConvert(result, l.expr.ReturnType, l.closure)
		if n := len(l.expr.Body); !ok && n > 0 {
			// what the type checker let pass (kcl/check reports a result of a known type):
			// reported at the body's last statement
			e.throwAt(posOf(l.file, l.expr.Body[n-1]), KindEvaluation, "expect %s, got %s", typeString(l.expr.ReturnType), typeName(result))
		}
		if !ok {
			e.throw(KindType, "expected %s, got %s", typeString(l.expr.ReturnType), typeNameDetail(result))
		}
		result = r
	}
	e.file = saveFile
	return result
}

// formatInterp renders `${v}` and `${v: #json}` / `${v: #yaml}`.
func (e *evaluator) formatInterp(v Value, spec string) string {
	switch strings.TrimSpace(spec) {
	case "":
		return toStr(v)
	case "#json":
		p, _ := plan(v, planOptions{})
		return encodeJSONCompact(p)
	case "#yaml":
		p, _ := plan(v, planOptions{})
		return encodeYAML(p)
	}
	return pyFormatValue(e, v, spec)
}

// ---------------------------------------------------------------- imports

func (e *evaluator) importModule(from *pkgState, imp *syntax.ImportStmt) Value {
	path := strings.TrimLeft(imp.Path, ".")
	file := e.file
	if file == "" && len(from.files) > 0 {
		file = from.files[0].Filename
	}
	pkg := from.pkg
	if fp, ok := from.filePkgs[file]; ok {
		pkg = fp
	}
	mod, err := e.resolver.Resolve(pkg, file, imp.Path)
	if err != nil {
		if strings.HasPrefix(path, modules.PluginPrefix) {
			e.throwAt(posOf(e.file, imp), KindImport, "the plugin package `%s` is not found, please confirm if plugin mode is enabled", path)
		}
		e.throwAt(posOf(e.file, imp), KindImport, "%s", err.Error())
	}
	switch mod.Kind {
	case modules.Stdlib:
		return e.stdModule(mod.PkgPath)
	case modules.Plugin:
		e.throwAt(posOf(e.file, imp), KindImport, "the plugin package `%s` is not found, please confirm if plugin mode is enabled", path)
	}
	key := mod.Path
	if p, ok := e.pkgs[key]; ok {
		if p.module == nil {
			p.module = &Module{Name: imp.Name, Path: p.path, pkg: p}
		}
		return p.module
	}
	if len(mod.Files) == 0 {
		e.throwAt(posOf(e.file, imp), KindImport, "pkgpath %s not found in the program", mod.PkgPath)
	}
	p := &pkgState{path: mod.PkgPath, dir: mod.Path, pkg: mod.Package}
	if strings.HasSuffix(mod.Path, ".k") {
		p.dir = filepath.Dir(mod.Path)
	}
	for _, f := range mod.Files {
		p.files = append(p.files, e.parseFile(f))
	}
	e.pkgs[key] = p
	e.indexPackage(p)
	p.module = &Module{Name: imp.Name, Path: mod.PkgPath, pkg: p}
	saveFile, savePos := e.file, e.pos
	e.runPackage(p)
	e.file, e.pos = saveFile, savePos
	return p.module
}

// kclFilesIn lists the .k files of a directory (not tests), sorted.
func kclFilesIn(dir string) []string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, en := range ents {
		n := en.Name()
		if en.IsDir() || !strings.HasSuffix(n, ".k") || strings.HasSuffix(n, "_test.k") {
			continue
		}
		out = append(out, filepath.Join(dir, n))
	}
	sort.Strings(out)
	return out
}

// parseFile parses a file once per run.
func (e *evaluator) parseFile(path string) *syntax.File {
	if f, ok := e.parsed[path]; ok {
		return f
	}
	f := e.parseSource(path, e.readSource(path), nil)
	e.keepParsed(f)
	return f
}

func (e *evaluator) keepParsed(f *syntax.File) {
	if e.parsed == nil {
		e.parsed = map[string]*syntax.File{}
	}
	e.parsed[f.Filename] = f
}

// readSource reads a file, or its unsaved buffer (Options.Overlay).
func (e *evaluator) readSource(path string) []byte {
	if src, ok := e.opts.Overlay[path]; ok {
		return src
	}
	src, err := os.ReadFile(path)
	if err != nil {
		e.throwAt(srcPos{file: path}, KindImport, "cannot read %s: %v", path, err)
	}
	return src
}

// parseSource parses src, the source of path; a non-nil visit is syntax.ParseFileFunc's.
func (e *evaluator) parseSource(path string, src []byte, visit func(i int, st syntax.Stmt) bool) *syntax.File {
	var f *syntax.File
	var errs []syntax.Error
	if visit != nil {
		f, errs = syntax.ParseFileFunc(path, src, visit)
	} else {
		f, errs = syntax.ParseFile(path, src)
	}
	if len(errs) > 0 {
		var es Errors
		for _, se := range errs {
			kind := KindSyntax
			if se.Kind != "" {
				kind = se.Kind
			}
			es = append(es, &Error{Kind: kind, File: path, Line: int(se.Pos.Line), Col: int(se.Pos.Col), Msg: se.Msg})
		}
		panic(panicErrs{es})
	}
	return f
}

type panicErrs struct{ errs Errors }
