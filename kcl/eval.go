package kcl

import (
	"context"
	"io"
	"slices"
	"sort"
	"strings"
	"unsafe"

	"github.com/kpm-dev/kpm/kcl/modules"
	"github.com/kpm-dev/kpm/kcl/syntax"
)

// evaluator holds the state of one Run.
type evaluator struct {
	// unionPath is the keys (and list[i] indexes) under which a union is merging values.
	unionPath []string
	// nestedKeys is the dotted key `a.b.c` being inserted into a config, and keyPos the
	// latest position of each inner name of such keys (for "Cannot add member").
	nestedKeys *syntax.Ident
	keyPos     map[string]srcPos

	ctx      context.Context
	heapBase int64 // live heap once the main package is parsed: the memory budget counts from there
	opts     *Options
	pkgs     map[string]*pkgState // by import path ("" for main)
	pos      srcPos
	file     string          // file of the node being evaluated
	printed  strings.Builder // print() output when Options.Stdout is nil
	stdout   io.Writer       // where print() writes
	depth    int
	steps    int
	instList []*Schema // every schema instance, in creation order
	root     string
	resolver *modules.Resolver
	parsed   map[string]*syntax.File // every file parsed in this run, by path
	stream   *string
	binL     syntax.Expr // operands of the binary expression being evaluated (for messages)
	binR     syntax.Expr
	stmtPos  srcPos // the statement being executed
	lastPos  srcPos // the line of the statement or expression started last (run-time errors are reported there)
	// lazy package variables (lazy.go): the variables being assigned (innermost last), the
	// setters being run by backtracking and the statement being executed
	targets    []string
	backtracks []*backtrack
	curStmt    syntax.Stmt
	lastStmt   syntax.Stmt          // the statement started last (not restored)
	readRuns   map[*stmtRef]bool    // statements being run because a read needed them
	ranAgain   map[syntax.Stmt]bool // statements a read ran again while they ran
	rerunning  int                  // statements being run again (lazy.go): a public variable may be set again
	converting int                  // instances being made by converting a dict to a schema type
	convertPos srcPos               // where the outermost of them started
	instPos    srcPos               // the line of the schema instantiation being made
	exprDepth  int                  // schema expressions being evaluated
	// mergingDecls: the configs of `name: Schema {…}` declarations are being merged (as one
	// literal, as the toolchain does)
	mergingDecls bool
	inConfigIf   int                // entries of an `if` inside a config being added (configIf)
	instDepth    int                // schema instances being made
	asserting    bool               // an `as` conversion: its errors are the type checker's
	dynamicKeys  map[string]bool    // keys of schema configs computed at run time (config.go)
	defining     []string           // schemas whose parents are being resolved (cycle detection)
	cfgNode      *syntax.ConfigExpr // config literal of the schema expression being instantiated
	// cfgLiteral: that instance is made from the schema expression itself (not a unification of
	// several declarations)
	cfgLiteral bool
	cfgFile    string
	mainPkg    *pkgState
	scalars    []scalarOut // values of top-level expression statements of the main package
}

// scalarOut is the value of a top-level expression statement (not a call) of the main package:
// when there are any, they (unified, then unified with the public variables) are the output.
type scalarOut struct {
	v   Value
	pos srcPos
}

// pkgState is one loaded package: its files, global scope and lazy statements.
type pkgState struct {
	path string // the toolchain's pkgpath ("__main__" for the main package)
	dir  string
	pkg  modules.Package // the package the module belongs to: absolute imports resolve in its root
	// filePkgs overrides pkg for files of the main module that belong to another package
	filePkgs map[string]modules.Package
	files    []*syntax.File
	globals  *Dict
	scope    *scope
	// refs are the top-level statements, in order. The slot of a variable in globals notes its
	// setters (setterIdx): the index in refs of its only setter, or -1-i for multiSetters[i]
	// when several statements set it. Most variables have one setter, and a slice each, or a
	// map beside globals, would be most of a large package's index.
	refs         []stmtRef
	fileStart    []int32 // the number of the first statement of each file
	vars         int     // the number of variables statements set
	multiSetters [][]int32
	lazy         map[string]*lazyVar // variables with the toolchain's backtracking rules (lazy.go)
	order        []string
	hasIf        bool // a top-level if statement: its variables follow the backtracking rules (lazy.go)
	done         bool
	running      bool
	module       *Module
}

// stmtRef is the state of a top-level statement: one byte, as a large package has millions. Its
// number in the package is its place in p.refs (number).
type stmtRef struct {
	state int8 // 0 pending, 1 running, 2 done
}

// number is the number of statement r in its package: its place in p.refs, which does not move
// once the package is indexed (a byte each, the offset is the place).
func (p *pkgState) number(r *stmtRef) int32 {
	return int32(uintptr(unsafe.Pointer(r)) - uintptr(unsafe.Pointer(unsafe.SliceData(p.refs))))
}

// stmtRef is one byte: number counts in bytes.
var _ = [1]struct{}{}[unsafe.Sizeof(stmtRef{})-1]

// locate returns the file (index in p.files) of statement r and its index in that file's body.
func (p *pkgState) locate(r *stmtRef) (int, int) {
	i := p.number(r)
	f := sort.Search(len(p.fileStart), func(k int) bool { return p.fileStart[k] > i }) - 1
	return f, int(i - p.fileStart[f])
}

// stmt is statement r. In the main package, parsed by parseMain, a statement whose tree was let
// go is parsed again and kept until runPackage lets it go again (doneWith).
func (p *pkgState) stmt(r *stmtRef) syntax.Stmt {
	f, j := p.locate(r)
	return p.files[f].Stmt(j)
}

// peekStmt is statement r for a look that keeps nothing: a statement whose tree was let go is
// parsed again for the caller alone (see peek).
func (p *pkgState) peekStmt(r *stmtRef) syntax.Stmt {
	f, j := p.locate(r)
	return peek(p.files[f], j)
}

// peek returns statement j of file f without keeping it in f: a released statement (see
// syntax.ParseFileFunc) is parsed again and stays released, so a walk over a whole large file
// holds one statement's tree at a time. Its pointer is not the one runPackage runs: peek serves
// lookups by content (names, kinds), never identity.
func peek(f *syntax.File, j int) syntax.Stmt {
	if st := f.Body[j]; st != nil {
		return st
	}
	st := f.Stmt(j)
	f.Release(j)
	return st
}

// fileOf is the name of the file of statement r.
func (p *pkgState) fileOf(r *stmtRef) string {
	f, _ := p.locate(r)
	return p.files[f].Filename
}

// setterIdx is the only setter of variable name (its index in refs), or -1-i for
// multiSetters[i]; ok is false when no statement sets it.
func (p *pkgState) setterIdx(name string) (i int32, ok bool) {
	switch s := p.globals.idx[name]; {
	case s.note > 0:
		return s.note - 1, true
	case s.note < 0:
		return s.note, true
	}
	return 0, false
}

// setSetterIdx notes the setters of variable name (see setterIdx).
func (p *pkgState) setSetterIdx(name string, i int32) {
	s := p.globals.idx[name]
	if s.note = i; i >= 0 {
		s.note = i + 1
	}
	p.globals.idx[name] = s
}

// setters lists the top-level statements that set a package variable, in order (nil: none).
func (p *pkgState) setters(name string) []*stmtRef {
	i, ok := p.setterIdx(name)
	switch {
	case !ok:
		return nil
	case i >= 0:
		return []*stmtRef{&p.refs[i]}
	}
	refs := make([]*stmtRef, len(p.multiSetters[-1-i]))
	for k, j := range p.multiSetters[-1-i] {
		refs[k] = &p.refs[j]
	}
	return refs
}

// scope is a lexical scope. A scope with an owner resolves names through it (package globals,
// schema attributes) before going to its parent.
type scope struct {
	parent    *scope
	vars      map[string]Value
	pkg       *pkgState
	inst      *instCtx
	file      string
	cfg       *Dict // a config literal being built: its keys are visible as names
	schemaCfg bool  // the config literal of a schema expression: keys are attribute names
	bodyVars  bool  // variables assigned in a lambda body: never used as config keys
	params    bool  // a lambda's parameters: never used as config keys either
}

func newScope(parent *scope) *scope {
	s := &scope{parent: parent, vars: map[string]Value{}}
	if parent != nil {
		s.pkg = parent.pkg
		s.file = parent.file
	}
	return s
}

func (e *evaluator) lookup(s *scope, name string) (Value, bool) {
	inSchema := false
	for c := s; c != nil; c = c.parent {
		if v, ok := c.vars[name]; ok {
			return v, true
		}
		if c.cfg != nil {
			if v, ok := c.cfg.Get(name); ok {
				return v, true
			}
		}
		if c.inst != nil {
			if v, ok := e.instLookup(c.inst, name); ok {
				return v, true
			}
		}
		if c.inst != nil {
			inSchema = true
		}
		if c.parent == nil && c.pkg != nil {
			if v, ok := e.lazyRead(c.pkg, name, inSchema); ok {
				return v, true
			}
			if v, ok := e.globalLookup(c.pkg, name); ok {
				return v, true
			}
		}
	}
	if f, ok := builtinFuncs[name]; ok {
		return f, true
	}
	return nil, false
}

func (e *evaluator) globalLookup(p *pkgState, name string) (Value, bool) {
	if v, ok := p.globals.Get(name); ok {
		return v, true
	}
	if refs := p.setters(name); refs != nil {
		if n := len(e.targets); n > 0 && e.targets[n-1] == name && isSetter(p.stmt(refs[0])) {
			return undef, true // the variable being set reads as its value so far (none yet)
		}
		setter := isSetter(p.stmt(refs[0]))
		for _, r := range refs {
			if r.state == 0 {
				e.runForRead(p, r)
			}
		}
		if v, ok := p.globals.Get(name); ok {
			return v, true
		}
		if !setter {
			return nil, false
		}
		// read while its statement runs: the toolchain runs that statement again, once, when
		// it was running in order (not for a read); a read deeper than that is Undefined
		for _, r := range refs {
			if r.state == 1 && !e.readRuns[r] {
				if e.ranAgain == nil {
					e.ranAgain = map[syntax.Stmt]bool{}
				}
				e.ranAgain[p.stmt(r)] = true // its own assignment then sets the variable again
				r.state = 0
				e.rerunning++
				e.runForRead(p, r)
				e.rerunning--
				r.state = 1
			}
		}
		if v, ok := p.globals.Get(name); ok {
			return v, true
		}
		return undef, true
	}
	return nil, false
}

// runForRead runs statement r because a read needs its variable, marking it as run for a read
// while it runs.
func (e *evaluator) runForRead(p *pkgState, r *stmtRef) {
	if e.readRuns == nil {
		e.readRuns = map[*stmtRef]bool{}
	}
	was := e.readRuns[r]
	e.readRuns[r] = true
	defer func() {
		if !was {
			delete(e.readRuns, r)
		}
	}()
	e.execTopStmt(p, r)
}

// assignedNames lists the names a top-level or schema-body statement assigns.
func assignedNames(st syntax.Stmt, out []string) []string {
	switch s := st.(type) {
	case *syntax.AssignStmt:
		for _, t := range s.Targets {
			if n := targetRoot(t); n != "" {
				out = append(out, n)
			}
		}
	case *syntax.AugAssignStmt:
		if n := targetRoot(s.Target); n != "" {
			out = append(out, n)
		}
	case *syntax.UnificationStmt:
		out = append(out, s.Target.Names[0])
	case *syntax.SchemaAttr:
		out = append(out, s.Name.Names[0])
	case *syntax.IfStmt:
		for _, b := range s.Body {
			out = assignedNames(b, out)
		}
		for _, b := range s.Else {
			out = assignedNames(b, out)
		}
	case *syntax.SchemaStmt:
		out = append(out, s.Name.Names[0])
	case *syntax.RuleStmt:
		out = append(out, s.Name.Names[0])
	case *syntax.TypeAliasStmt:
		out = append(out, s.Name.Names[0])
	}
	return out
}

func targetRoot(t syntax.Expr) string {
	switch x := t.(type) {
	case *syntax.Ident:
		return x.Names[0]
	case *syntax.SelectorExpr:
		return targetRoot(x.X)
	case *syntax.SubscriptExpr:
		return targetRoot(x.X)
	case *syntax.ParenExpr:
		return targetRoot(x.X)
	}
	return ""
}

// indexPackage indexes the statements of a package parsed whole, for lazy evaluation (the main
// package is indexed as it is parsed: parseMain).
func (e *evaluator) indexPackage(p *pkgState) {
	// sized from the statement count: a package of 2M assignments grows no maps or slices
	stmts := 0
	for _, f := range p.files {
		stmts += len(f.Body)
	}
	p.startIndex(stmts)
	var names []string
	for _, f := range p.files {
		p.fileStart = append(p.fileStart, int32(len(p.refs)))
		for _, st := range f.Body {
			names = p.indexStmt(st, names)
		}
	}
	p.finishIndex()
}

// parseMain parses the files of the main package and indexes each statement as it is parsed,
// letting its syntax tree go (runPackage parses it again to run it): the whole tree of a large
// package is never held. A statement naming a private member (`m._x`) keeps its tree for
// checkPrivateRefs, which runs once the imports are known.
func (e *evaluator) parseMain(p *pkgState, files []string) {
	srcs := make([][]byte, len(files))
	stmts := 0
	for i, path := range files {
		if _, ok := e.parsed[path]; !ok {
			srcs[i] = e.readSource(path)
			stmts += topLevelLines(srcs[i])
		}
	}
	p.files = make([]*syntax.File, 0, len(files))
	p.startIndex(stmts)
	var names []string
	for i, path := range files {
		p.fileStart = append(p.fileStart, int32(len(p.refs)))
		f, ok := e.parsed[path]
		if ok {
			// an entry given twice: its statements are the package's twice, as with ParseFile
			for j := range f.Body {
				names = p.indexStmt(peek(f, j), names)
			}
		} else {
			start := len(p.refs)
			f = e.parseSource(path, srcs[i], func(j int, st syntax.Stmt) bool {
				if start+j != len(p.refs) {
					panic("kcl: the parser visited a statement out of order")
				}
				if j%pollEvery == pollEvery-1 {
					// parsing a large file takes seconds: Ctrl-C stops it too
					e.stopIfCancelled(srcPos{path, int(st.Pos().Line), int(st.Pos().Col)})
				}
				names = p.indexStmt(st, names)
				return !namesPrivateMember(st)
			})
			srcs[i] = nil
			e.keepParsed(f)
		}
		p.files = append(p.files, f)
	}
	p.finishIndex()
}

// topLevelLines counts the lines of src that start with a name (or a decorator): about the number
// of its top-level statements, to size the index (data at the start of lines, as in a list
// written without indentation, is not counted).
func topLevelLines(src []byte) int {
	n := 0
	for i := 0; i < len(src); i++ {
		if i == 0 || src[i-1] == '\n' {
			if c := src[i]; c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '$' || c == '@' {
				n++
			}
		}
	}
	return n
}

// startIndex prepares the index of a package of about stmts statements.
func (p *pkgState) startIndex(stmts int) {
	p.globals = &Dict{idx: make(map[string]dictSlot, stmts)}
	p.scope = &scope{vars: map[string]Value{}, pkg: p}
	p.refs = make([]stmtRef, 0, stmts)
	p.fileStart = make([]int32, 0, cap(p.files))
}

// indexStmt adds the next top-level statement of the package to its index.
func (p *pkgState) indexStmt(st syntax.Stmt, names []string) []string {
	i := int32(len(p.refs))
	p.refs = append(p.refs, stmtRef{})
	if _, ok := st.(*syntax.IfStmt); ok {
		p.hasIf = true
	}
	names = assignedNames(st, names[:0])
	for _, n := range names {
		j, seen := p.setterIdx(n)
		switch {
		case !seen:
			p.setSetterIdx(n, i)
			p.vars++
		case j >= 0:
			p.setSetterIdx(n, int32(-1-len(p.multiSetters)))
			p.multiSetters = append(p.multiSetters, []int32{j, i})
		default:
			p.multiSetters[-1-j] = append(p.multiSetters[-1-j], i)
		}
	}
	return names
}

// finishIndex completes the index once every statement is in it.
func (p *pkgState) finishIndex() {
	if len(p.multiSetters) > 0 {
		// the output lists a variable where it is set last (a variable unified across files comes
		// at its last declaration), as the reference does
		p.order = make([]string, 0, p.vars)
		var names []string
		for i := range p.refs {
			names = p.addToOrder(int32(i), names)
		}
		last := func(n string) int32 {
			i, _ := p.setterIdx(n)
			if i >= 0 {
				return i
			}
			r := p.multiSetters[-1-i]
			return r[len(r)-1]
		}
		sort.SliceStable(p.order, func(a, b int) bool { return last(p.order[a]) < last(p.order[b]) })
		p.indexLazy(p.refs)
	} else if p.hasIf {
		p.indexLazy(p.refs)
	}
	// sized now: grown as the statements run, the dict of a large package's variables would
	// leave several times its size as garbage
	p.globals.keys = make([]string, 0, p.vars)
	p.globals.vals = make([]Value, 0, p.vars)
}

// addToOrder appends to p.order the variables first set by statement i, in order.
func (p *pkgState) addToOrder(i int32, names []string) []string {
	names = assignedNames(p.peekStmt(&p.refs[i]), names[:0])
	for k, n := range names {
		first, _ := p.setterIdx(n)
		if first < 0 {
			first = p.multiSetters[-1-first][0]
		}
		if first == i && !slices.Contains(names[:k], n) {
			p.order = append(p.order, n)
		}
	}
	return names
}

func (e *evaluator) runPackage(p *pkgState) {
	if p.done || p.running {
		return
	}
	p.running = true
	i := 0
	for _, f := range p.files {
		for j := range f.Body {
			st := f.Stmt(j)
			ref := &p.refs[i]
			i++
			if ref.state == 0 && p.unifiedLater(ref) {
				continue
			}
			if u, ok := st.(*syntax.UnificationStmt); ok && ref.state == 2 {
				// made while backtracking: the toolchain runs the declaration again here, and
				// its instance then gets the required-attribute check of a top-level one
				e.requireNested(p.globals.val(u.Target.Names[0]), srcPos{f.Filename, int(u.Pos().Line), 1})
				continue
			}
			if ref.state == 2 && p.rerun(ref) {
				// run while backtracking: the toolchain runs it again in order
				ref.state = 0
				e.rerunning++
				e.execTopStmt(p, ref)
				e.rerunning--
				continue
			}
			e.execTopStmt(p, ref)
			if e.doneWith(p, ref) {
				f.Release(j)
			}
		}
	}
	if len(p.multiSetters) == 0 {
		p.order = p.runOrder()
	}
	p.running = false
	p.done = true
}

// runOrder is the order of the output of a package whose variables have one setter each: that
// of their statements (finishIndex sorts it otherwise). When the variables were set in that
// order, one per statement (no statement ran early for a read), it is the order of the dict of
// variables, shared instead of made beside it; else it is made from the statements.
func (p *pkgState) runOrder() []string {
	if p.globals.Len() == p.vars {
		prev, inOrder := int32(-1), true
		for _, k := range p.globals.keys {
			i, ok := p.setterIdx(k)
			if !ok || i <= prev {
				inOrder = false
				break
			}
			prev = i
		}
		if inOrder {
			return p.globals.keys[:len(p.globals.keys):len(p.globals.keys)]
		}
	}
	p.order = make([]string, 0, p.vars)
	var names []string
	for i := range p.refs {
		names = p.addToOrder(int32(i), names)
	}
	return p.order
}

// doneWith reports whether the syntax tree of a top-level statement that has run can go, so that
// a large generated package gives its trees back as its values are made: `name = value` or
// `name: Schema {…}` of the main package, the only setter of name, which holds its value now; in
// a package without backtracking (lazy.go), where nothing reads the statement again (a read of
// name finds its value; siblingImport looks at the other files through peek; unifyTop reads the
// declarations of names set more than once).
func (e *evaluator) doneWith(p *pkgState, ref *stmtRef) bool {
	if p != e.mainPkg || p.lazy != nil || ref.state != 2 || e.ranAgain[p.stmt(ref)] {
		return false
	}
	var name string
	switch s := p.stmt(ref).(type) {
	case *syntax.AssignStmt:
		if len(s.Targets) != 1 {
			return false
		}
		if id, ok := s.Targets[0].(*syntax.Ident); ok && len(id.Names) == 1 {
			name = id.Names[0]
		}
	case *syntax.UnificationStmt:
		if len(s.Target.Names) == 1 {
			name = s.Target.Names[0]
		}
	}
	if i, ok := p.setterIdx(name); name == "" || !ok || i < 0 {
		return false
	}
	_, set := p.globals.Get(name)
	return set
}

// unifiedLater reports whether r is a `name: Schema {…}` (or `name = Schema {…}`) declaration
// followed by another one of the same name: the toolchain merges them into the last one, so they
// are evaluated there (unifyTop takes the pending ones).
func (p *pkgState) unifiedLater(r *stmtRef) bool {
	if schemaExprOf(p.stmt(r)) == nil {
		return false
	}
	var name string
	switch s := p.stmt(r).(type) {
	case *syntax.UnificationStmt:
		name = s.Target.Names[0]
	case *syntax.AssignStmt:
		name = s.Targets[0].(*syntax.Ident).Names[0] // schemaExprOf checked it
	}
	refs := p.setters(name)
	for i := len(refs) - 1; i >= 0 && refs[i] != r; i-- {
		if schemaExprOf(p.stmt(refs[i])) != nil {
			return true
		}
	}
	return false
}

func (e *evaluator) execTopStmt(p *pkgState, r *stmtRef) {
	if r.state != 0 {
		return
	}
	r.state = 1
	saveFile := e.file
	e.file = p.fileOf(r)
	sc := e.fileScope(p, e.file)
	fr := &frame{kind: frameModule, pkg: p, scope: sc}
	e.execStmt(fr, p.stmt(r))
	e.file = saveFile
	r.state = 2
}

// fileScope returns the scope of one file of a package: imports are per file.
func (e *evaluator) fileScope(p *pkgState, file string) *scope {
	if fs, ok := p.scope.vars["\x00file:"+file]; ok {
		return fs.(*fileScopeVal).s
	}
	s := &scope{parent: nil, vars: map[string]Value{}, pkg: p, file: file}
	p.scope.vars["\x00file:"+file] = &fileScopeVal{s}
	// bind imports of this file lazily: evaluate import statements now
	for _, f := range p.files {
		if f.Filename != file {
			continue
		}
		for _, st := range f.Body { // imports are never let go (nil: a statement that was)
			if imp, ok := st.(*syntax.ImportStmt); ok {
				e.file = file
				e.pos = posOf(file, imp)
				m := e.importModule(p, imp)
				s.vars[imp.Name] = m
			}
		}
	}
	return s
}

type fileScopeVal struct{ s *scope }

// usesName reports whether an expression of the file starts with name.
func usesName(f *syntax.File, name string) bool {
	used := false
	for j := range f.Body {
		syntax.Inspect(peek(f, j), func(n syntax.Node) bool {
			switch x := n.(type) {
			case *syntax.ImportStmt:
				return false
			case *syntax.Ident:
				used = used || x.Names[0] == name
			}
			return !used
		})
		if used {
			return true
		}
	}
	return false
}

// siblingImport is the module another file of the package imports as name: the toolchain lets
// the files of the main package use each other's imports (kcl-lang/modules'
// kcl-abstraction-example); in an imported module such a name passes its checker and is Undefined.
func (e *evaluator) siblingImport(s *scope, name string) (Value, bool) {
	for s.parent != nil {
		s = s.parent
	}
	p := s.pkg
	if p == nil {
		return nil, false
	}
	for _, f := range p.files {
		if f.Filename == s.file {
			continue
		}
		for _, st := range f.Body { // imports are never let go
			if imp, ok := st.(*syntax.ImportStmt); ok && imp.Name == name {
				if p.path != "__main__" {
					return undef, true
				}
				saveFile, savePos := e.file, e.pos
				v := e.fileScope(p, f.Filename).vars[name]
				e.file, e.pos = saveFile, savePos
				if m, ok := v.(*Module); ok && !modules.IsStdlib(imp.Path) && !usesName(f, name) {
					// the variables of a package module are evaluated for the file that imports
					// it only when that file uses it; its schemas are there all the same
					typesOnly := *m
					typesOnly.typesOnly = true
					return &typesOnly, true
				}
				return v, true
			}
		}
	}
	return nil, false
}

type frameKind int

const (
	frameModule frameKind = iota
	frameSchema
	frameLambda
)

type frame struct {
	kind  frameKind
	pkg   *pkgState
	inst  *instCtx
	scope *scope
	last  Value // value of the last expression statement (lambda result)
}

func (e *evaluator) execStmts(fr *frame, stmts []syntax.Stmt) {
	for _, st := range stmts {
		e.execStmt(fr, st)
	}
}

func (e *evaluator) execStmt(fr *frame, st syntax.Stmt) {
	if e.skipBacktracked() {
		return
	}
	e.tick()
	e.pos = posOf(e.file, st)
	saveStmt, saveCur, saveTargets := e.stmtPos, e.curStmt, len(e.targets)
	e.stmtPos, e.curStmt, e.lastStmt = e.pos, st, st
	e.lastPos = srcPos{e.pos.file, e.pos.line, 1}
	defer func() {
		e.stmtPos, e.curStmt, e.targets = saveStmt, saveCur, e.targets[:saveTargets]
		e.stmtDone(st)
	}()
	switch s := st.(type) {
	case *syntax.AssignStmt:
		for _, t := range s.Targets {
			e.targets = append(e.targets, targetRoot(t))
		}
	case *syntax.AugAssignStmt:
		e.targets = append(e.targets, targetRoot(s.Target))
	case *syntax.UnificationStmt:
		e.targets = append(e.targets, s.Target.Names[0])
	}
	switch s := st.(type) {
	case *syntax.ImportStmt:
		if fr.kind != frameModule {
			m := e.importModule(fr.scope.pkg, s)
			fr.scope.vars[s.Name] = m
		}
	case *syntax.AssignStmt:
		if fr.kind == frameModule && len(s.Targets) == 1 && s.Type == nil {
			if id, ok := s.Targets[0].(*syntax.Ident); ok && len(id.Names) == 1 {
				if se, ok := s.Value.(*syntax.SchemaExpr); ok {
					if _, isSchema := e.evalIdent(fr.scope, se.Name).(*SchemaType); isSchema {
						e.unifyTop(fr, id.Names[0], s)
						return
					}
				}
				if _, ok := s.Value.(*syntax.ConfigExpr); ok {
					if old, exists := fr.pkg.globals.Get(id.Names[0]); exists {
						v := e.eval(fr.scope, s.Value)
						e.pos = posOf(e.file, s)
						fr.pkg.globals.Set(id.Names[0], e.union(old, v, true, id.Names[0]))
						return
					}
				}
			}
		}
		v := e.eval(fr.scope, s.Value)
		if aliases(s.Value) {
			// the toolchain stores a copy: `_q = d` then `_q.v = 1` leaves d alone
			v = deepCopy(v)
		}
		if s.Type != nil {
			e.pos = posOf(e.file, s.Value)
			e.checkComputedDict(v, s.Value, s.Type, fr.scope)
			v = e.convertType(v, s.Type, fr.scope, true)
		}
		for _, t := range s.Targets {
			e.pos = posOf(e.file, t)
			e.assign(fr, t, v, OpOverride, s.Type)
		}
		fr.last = v // a lambda whose last statement assigns returns the value
	case *syntax.AugAssignStmt:
		rhs := e.eval(fr.scope, s.Value) // the toolchain evaluates the value first
		e.pos = posOf(e.file, s.Target)
		cur := e.eval(fr.scope, s.Target)
		e.pos = posOf(e.file, s)
		e.binL, e.binR = s.Target, s.Value
		v := e.binaryOp(s.Op.BinaryOf(), cur, rhs)
		e.binL, e.binR = nil, nil
		e.assign(fr, s.Target, v, OpInsert, nil)
		fr.last = v
	case *syntax.UnificationStmt:
		if fr.kind == frameModule && len(s.Target.Names) == 1 {
			e.unifyTop(fr, s.Target.Names[0], s)
			return
		}
		v := e.eval(fr.scope, s.Value)
		e.pos = posOf(e.file, s.Target)
		e.assign(fr, s.Target, v, OpUnion, nil)
		fr.last = v
	case *syntax.ExprStmt:
		e.pos = posOf(e.file, s.X)
		v := e.eval(fr.scope, s.X)
		// a top-level expression of the main package (other than a call) is output as a scalar
		if _, isCall := s.X.(*syntax.CallExpr); !isCall && fr.kind == frameModule && fr.pkg != nil && fr.pkg == e.mainPkg {
			e.scalars = append(e.scalars, scalarOut{v: v, pos: posOf(e.file, st)})
		}
		fr.last = v
	case *syntax.IfStmt:
		cond := truthy(e.eval(fr.scope, s.Cond))
		only := wholeStmt
		if e.lastStmt == st {
			// the toolchain runs only the branch a backtrack asked for, unless evaluating the
			// condition ran other statements
			only = e.ifBranchOnly(s)
		}
		if cond {
			if only != elseBranch {
				e.execStmts(fr, s.Body)
			}
		} else if s.Else != nil && only != thenBranch {
			e.execStmts(fr, s.Else)
		}
	case *syntax.AssertStmt:
		if s.If != nil && !truthy(e.eval(fr.scope, s.If)) {
			return
		}
		ok := truthy(e.eval(fr.scope, s.Test))
		msg := ""
		if s.Msg != nil {
			// evaluated even when the assertion holds, as the toolchain does; a message that is
			// not a string (None, Undefined) is empty
			if m, isStr := e.eval(fr.scope, s.Msg).(string); isStr {
				msg = m
			}
		}
		if !ok {
			p := posOf(e.file, s)
			if e.lastPos.file != p.file || e.lastPos.line != p.line {
				p = e.lastPos // a backtrack ran statements elsewhere (see runSetter)
			}
			e.throwAt(p, KindAssertion, "%s", msg)
		}
	case *syntax.TypeAliasStmt:
		e.bind(fr, s.Name.Names[0], &typeAlias{t: s.Type, sc: fr.scope})
	case *syntax.SchemaStmt:
		st := e.defineSchema(fr.scope, s)
		e.bind(fr, s.Name.Names[0], st)
	case *syntax.RuleStmt:
		st := e.defineRule(fr.scope, s)
		e.bind(fr, s.Name.Names[0], st)
	case *syntax.SchemaAttr:
		e.execSchemaAttr(fr, s)
	case *syntax.BadStmt:
		e.throw(KindSyntax, "invalid statement")
	}
}

// aliases reports whether an expression may yield a container another name holds.
func aliases(x syntax.Expr) bool {
	switch v := x.(type) {
	case *syntax.Ident, *syntax.SelectorExpr, *syntax.SubscriptExpr:
		return true
	case *syntax.ParenExpr:
		return aliases(v.X)
	}
	return false
}

type typeAlias struct {
	t  syntax.TypeExpr
	sc *scope
}

func (e *evaluator) bind(fr *frame, name string, v Value) {
	switch fr.kind {
	case frameModule:
		fr.pkg.globals.Set(name, v)
	default:
		fr.scope.vars[name] = v
	}
}

// assign stores v into target. op is OpOverride for `=`, OpUnion for `a: S{}` and OpInsert for `+=`.
func (e *evaluator) assign(fr *frame, target syntax.Expr, v Value, op Op, typ syntax.TypeExpr) {
	switch t := target.(type) {
	case *syntax.Ident:
		name := t.Names[0]
		if len(t.Names) > 1 {
			var root Value
			ok := false
			if fr.kind == frameSchema {
				// `a.b = v` in a schema body builds on the body's own value of a; the
				// instance config is merged over it and the attribute type applied later
				root, ok = fr.inst.body[name]
				if p, pending := root.(*pendingSchema); pending {
					root = e.materialize(p)
				}
			} else {
				root, ok = e.lookupForAssign(fr, name)
			}
			if !ok || isNoneOrUndef(root) {
				root = NewDict()
			}
			if si, isSchema := root.(*Schema); isSchema && fr.kind == frameModule {
				// patching an instance re-validates it (types, required attributes, checks)
				patch := NewDict()
				var leaf Value = v
				for i := len(t.Names) - 1; i >= 1; i-- {
					d := NewDict()
					d.Set(t.Names[i], leaf)
					if i == len(t.Names)-1 {
						d.SetOp(t.Names[i], OpOverride)
					}
					leaf = d
				}
				patch = leaf.(*Dict)
				e.pos = posOf(e.file, t)
				root = e.newInstance(si.Type, e.unionDict(cfgOf(si).Copy(), patch, false), si.args, si.kw)
				e.assignName(fr, name, root, OpOverride, true)
				return
			}
			root = e.setPath(root, t.Names[1:], v, op)
			e.assignName(fr, name, root, OpOverride, true)
			return
		}
		e.assignName(fr, name, v, op, false)
	case *syntax.SelectorExpr:
		obj := e.eval(fr.scope, t.X)
		e.setMember(obj, t.Attr.Names[0], v)
	case *syntax.SubscriptExpr:
		obj := e.eval(fr.scope, t.X)
		idx := e.eval(fr.scope, t.Index)
		switch o := obj.(type) {
		case *List:
			i, ok := idx.(int64)
			if !ok {
				e.throw(KindType, "list indices must be integers, not %s", typeName(idx))
			}
			if i < 0 {
				i += int64(len(o.Items))
			}
			if i < 0 || i >= int64(len(o.Items)) {
				e.throw(KindEvaluation, "list assignment index out of range")
			}
			o.Items[i] = v
		default:
			e.setMember(obj, toStr(idx), v)
		}
	case *syntax.ParenExpr:
		e.assign(fr, t.X, v, op, typ)
	default:
		e.throw(KindCompile, "cannot assign to this expression")
	}
}

func (e *evaluator) lookupForAssign(fr *frame, name string) (Value, bool) {
	switch fr.kind {
	case frameModule:
		v, ok := fr.pkg.globals.Get(name)
		return v, ok
	case frameSchema:
		return e.instLookup(fr.inst, name)
	}
	return e.lookup(fr.scope, name)
}

func (e *evaluator) setPath(root Value, path []string, v Value, op Op) Value {
	d, ok := root.(*Dict)
	var s *Schema
	if !ok {
		if s, ok = root.(*Schema); ok {
			d = s.Attrs
		} else {
			d = NewDict()
			root = d
		}
	}
	if len(path) == 1 {
		if op == OpUnion {
			if old, ok := d.Get(path[0]); ok {
				v = e.union(old, v, true, path[0])
			}
		}
		d.Set(path[0], v)
		return root
	}
	child, _ := d.Get(path[0])
	d.Set(path[0], e.setPath(child, path[1:], v, op))
	return root
}

func (e *evaluator) setMember(obj Value, key string, v Value) {
	switch o := obj.(type) {
	case *Dict:
		o.Set(key, v)
	case *Schema:
		o.Attrs.Set(key, v)
	default:
		e.throw(KindType, "'%s' object does not support item assignment", typeName(obj))
	}
}

func (e *evaluator) assignName(fr *frame, name string, v Value, op Op, dotted bool) {
	switch fr.kind {
	case frameModule:
		g := fr.pkg.globals
		old, exists := g.Get(name)
		if exists && !dotted {
			// the checker reports reassignments first, as the toolchain does; these are for the
			// packages it does not check
			switch {
			case op == OpUnion:
				v = e.union(old, v, true, name)
			case strings.HasPrefix(name, "_") || e.rerunning > 0 || e.ranAgain[e.curStmt]:
				// private names may change; a setter run again sets its name again
			case op == OpInsert: // `+=`
				e.throw(KindImmutable, "Immutable variable '%s' is modified during compiling", name)
			default:
				e.throw(KindImmutable, "Can not change the value of '%s', because it was declared immutable", name)
			}
		}
		g.Set(name, v)
		e.noteGlobalSet(fr.pkg, name, v)
	case frameSchema:
		e.instAssign(fr.inst, name, v, op)
	default:
		// lambda / comprehension locals: assign in the nearest scope that has it, else local
		for c := fr.scope; c != nil; c = c.parent {
			if _, ok := c.vars[name]; ok {
				if op == OpUnion {
					v = e.union(c.vars[name], v, true, name)
				}
				c.vars[name] = v
				return
			}
			if c.inst != nil || c.parent == nil {
				break
			}
		}
		fr.scope.vars[name] = v
	}
}

// ---------------------------------------------------------------- expressions

func (e *evaluator) eval(s *scope, x syntax.Expr) Value {
	e.lastPos = srcPos{e.file, int(x.Pos().Line), 1}
	switch n := x.(type) {
	case *syntax.NumberLit:
		return e.number(n)
	case *syntax.StringLit:
		return n.Value
	case *syntax.NameConstant:
		switch n.Value {
		case syntax.ConstTrue:
			return true
		case syntax.ConstFalse:
			return false
		case syntax.ConstNone:
			return none
		}
		return undef
	case *syntax.JoinedString:
		var b strings.Builder
		for _, p := range n.Parts {
			switch pp := p.(type) {
			case *syntax.StringLit:
				b.WriteString(pp.Value)
			case *syntax.FormattedValue:
				v := e.eval(s, pp.Value)
				b.WriteString(e.formatInterp(v, pp.FormatSpec))
			default:
				b.WriteString(toStr(e.eval(s, p)))
			}
		}
		return b.String()
	case *syntax.FormattedValue:
		return e.formatInterp(e.eval(s, n.Value), n.FormatSpec)
	case *syntax.Ident:
		return e.evalIdent(s, n)
	case *syntax.ParenExpr:
		return e.eval(s, n.X)
	case *syntax.UnaryExpr:
		v := e.eval(s, n.X)
		e.pos = posOf(e.file, n)
		return e.unaryOp(n.Op, v)
	case *syntax.AsExpr:
		// `x as T`: the value converted to T (a dict to a schema), or a type error
		v := e.eval(s, n.X)
		e.pos = posOf(e.file, n)
		save := e.asserting
		e.asserting = true // the type checker's errors, as it sees the conversion
		defer func() { e.asserting = save }()
		return e.convertType(v, n.Type, s, true)
	case *syntax.BinaryExpr:
		switch n.Op {
		case syntax.KW_AND:
			l := e.eval(s, n.X)
			if !truthy(l) {
				return l
			}
			return e.eval(s, n.Y)
		case syntax.KW_OR:
			l := e.eval(s, n.X)
			if truthy(l) {
				return l
			}
			return e.eval(s, n.Y)
		}
		l := e.eval(s, n.X)
		r := e.eval(s, n.Y)
		e.pos = posOf(e.file, n)
		e.binL, e.binR = n.X, n.Y
		v := e.binaryOp(n.Op, l, r)
		e.binL, e.binR = nil, nil
		return v
	case *syntax.CompareExpr:
		l := e.eval(s, n.Left)
		for i, op := range n.Ops {
			r := e.eval(s, n.Comparators[i])
			e.pos = posOf(e.file, n)
			if !e.compare(op, l, r) {
				return false
			}
			l = r
		}
		return true
	case *syntax.IfExpr:
		if truthy(e.eval(s, n.Cond)) {
			return e.eval(s, n.Body)
		}
		return e.eval(s, n.Orelse)
	case *syntax.CallExpr, *syntax.SelectorExpr, *syntax.SubscriptExpr:
		return e.access(s, x)
	}
	return e.evalRest(s, x)
}

// access evaluates a call, a selector or a subscript. `x?.a` and `x?[i]` are None when x is None
// or Undefined or a dict without that key; the rest of the expression is still evaluated.
func (e *evaluator) access(s *scope, x syntax.Expr) Value {
	switch n := x.(type) {
	case *syntax.CallExpr:
		fn := e.eval(s, n.Func)
		args, kwargs := e.callArgs(s, n.Args, n.Keywords)
		if isNoneOrUndef(fn) {
			return undef // calling None or Undefined gives Undefined
		}
		e.pos = posOf(e.file, n)
		return e.callValue(fn, args, kwargs)
	case *syntax.SelectorExpr:
		v := e.eval(s, n.X)
		name := n.Attr.Names[0]
		if n.HasQuestion && isNoneOrUndef(v) {
			return none
		}
		e.pos = posOf(e.file, n)
		if str, ok := v.(string); ok && strMethod(str, name) == nil {
			// the reference names a literal receiver with its value: 'str(42)'
			e.attrNotFound(name, operandType(n.X, v), nil)
		}
		r := e.getAttr(v, name)
		if _, isDict := v.(*Dict); isDict && n.HasQuestion && isUndef(r) {
			return none // a schema's unset attribute stays Undefined
		}
		return r
	case *syntax.SubscriptExpr:
		v := e.eval(s, n.X)
		if n.HasQuestion && isNoneOrUndef(v) {
			return none
		}
		r := e.subscript(s, n, v)
		if _, isDict := v.(*Dict); isDict && n.HasQuestion && isUndef(r) {
			return none
		}
		return r
	}
	return e.eval(s, x)
}

func (e *evaluator) subscript(s *scope, n *syntax.SubscriptExpr, v Value) Value {
	{
		if n.IsSlice {
			var lo, hi, st Value = none, none, none
			if n.Lower != nil {
				lo = e.eval(s, n.Lower)
			}
			if n.Upper != nil {
				hi = e.eval(s, n.Upper)
			}
			if n.Step != nil {
				st = e.eval(s, n.Step)
			}
			e.pos = posOf(e.file, n)
			return e.slice(v, lo, hi, st)
		}
		idx := e.eval(s, n.Index)
		e.pos = posOf(e.file, n)
		return e.index(v, idx)
	}
}

func (e *evaluator) evalRest(s *scope, x syntax.Expr) Value {
	switch n := x.(type) {
	case *syntax.ListExpr:
		l := &List{Items: make([]Value, 0, len(n.Elts))}
		e.listElts(s, n.Elts, l)
		return l
	case *syntax.ListComp:
		l := &List{}
		e.comprehension(s, n.Generators, 0, func(cs *scope) {
			l.Items = append(l.Items, e.eval(cs, n.Elt))
		})
		return l
	case *syntax.DictComp:
		d := NewDict()
		e.comprehension(s, n.Generators, 0, func(cs *scope) {
			k := e.eval(cs, n.Key)
			v := e.eval(cs, n.Value)
			e.dictInsert(d, configKey(k), v, Op(n.Op), nil)
		})
		return d
	case *syntax.ConfigExpr:
		return e.evalConfig(s, n, false)
	case *syntax.SchemaExpr:
		return e.evalSchemaExpr(s, n)
	case *syntax.LambdaExpr:
		return &Func{Name: "lambda", Lambda: &lambdaDef{expr: n, closure: s, file: e.file}}
	case *syntax.QuantExpr:
		return e.quant(s, n)
	case *syntax.StarredExpr:
		e.throw(KindCompile, "can't use starred expression here")
	case *syntax.DoubleStarredExpr:
		e.throw(KindCompile, "can't use double starred expression here")
	case *syntax.ListIfItem, *syntax.ConfigIfEntry:
		e.throw(KindCompile, "invalid if item here")
	case *syntax.BadExpr:
		e.throw(KindSyntax, "invalid expression")
	}
	e.throw(KindCompile, "unsupported expression")
	return nil
}

func (e *evaluator) number(n *syntax.NumberLit) Value {
	if n.Suffix != "" {
		mul := unitMultiplier(n.Suffix)
		if n.IsFloat {
			return Unit{Raw: int64(n.Float), Suffix: n.Suffix, Val: n.Float * mul}
		}
		return Unit{Raw: n.Int, Suffix: n.Suffix, Val: float64(n.Int) * mul}
	}
	if n.IsFloat {
		return n.Float
	}
	return n.Int
}

func unitMultiplier(s string) float64 {
	switch s {
	case "n":
		return 1e-9
	case "u":
		return 1e-6
	case "m":
		return 1e-3
	case "k", "K":
		return 1e3
	case "M":
		return 1e6
	case "G":
		return 1e9
	case "T":
		return 1e12
	case "P":
		return 1e15
	case "Ki":
		return 1 << 10
	case "Mi":
		return 1 << 20
	case "Gi":
		return 1 << 30
	case "Ti":
		return 1 << 40
	case "Pi":
		return 1 << 50
	}
	return 1
}

func (e *evaluator) evalIdent(s *scope, n *syntax.Ident) Value {
	e.pos = posOf(e.file, n)
	v, ok := e.lookup(s, n.Names[0])
	if !ok {
		v, ok = e.siblingImport(s, n.Names[0])
	}
	if !ok {
		for i, d := range e.defining {
			if d == n.Names[0] {
				cycle := make([]string, 0, len(e.defining)-i)
				for _, c := range e.defining[i:] {
					cycle = append(cycle, "__main__."+c)
				}
				e.throw(KindCompile, "There is a circular reference between schema %s", strings.Join(cycle, ", "))
			}
		}
		e.throw(KindName, "name '%s' is not defined", n.Names[0])
	}
	for i, name := range n.Names[1:] {
		if isNoneOrUndef(v) {
			e.pos = srcPos{e.file, int(n.NameSpans[i+1].From.Line), int(n.NameSpans[i+1].From.Col)}
		} else {
			e.pos = posOf(e.file, n)
		}
		v = e.getAttr(v, name)
	}
	return v
}

func (e *evaluator) listElts(s *scope, elts []syntax.Expr, l *List) {
	for _, el := range elts {
		switch x := el.(type) {
		case *syntax.StarredExpr:
			v := e.eval(s, x.X)
			switch vv := v.(type) {
			case *List:
				l.Items = append(l.Items, vv.Items...)
			case *Dict:
				for _, k := range vv.keys {
					l.Items = append(l.Items, k)
				}
			case *Schema:
				for _, k := range vv.Attrs.keys {
					l.Items = append(l.Items, k)
				}
			case NoneValue, UndefinedValue:
			default:
				e.pos = posOf(e.file, x)
				e.throw(KindType, "'%s' object is not iterable", typeName(v))
			}
		case *syntax.ListIfItem:
			e.listIf(s, x, l)
		default:
			l.Items = append(l.Items, e.eval(s, el))
		}
	}
}

func (e *evaluator) listIf(s *scope, x *syntax.ListIfItem, l *List) {
	if truthy(e.eval(s, x.Cond)) {
		e.listElts(s, x.Exprs, l)
		return
	}
	switch o := x.Orelse.(type) {
	case nil:
	case *syntax.ListIfItem:
		e.listIf(s, o, l)
	case *syntax.ListExpr:
		e.listElts(s, o.Elts, l)
	default:
		l.Items = append(l.Items, e.eval(s, o))
	}
}

func (e *evaluator) comprehension(s *scope, gens []*syntax.CompClause, i int, body func(*scope)) {
	if i == len(gens) {
		body(s)
		return
	}
	g := gens[i]
	iter := e.eval(s, g.Iter)
	e.pos = posOf(e.file, g.Iter)
	if isNoneOrUndef(iter) {
		// a comprehension over None fails, as in the toolchain (builtins such as sum take it),
		// which reports the line where the iterated expression ends (kcl-lang/modules'
		// policies run without option("items"))
		end := g.Iter.End()
		e.throwAt(srcPos{e.file, int(end.Line), int(end.Col)}, KindEvaluation, "'%s' object is not iterable", typeName(iter))
	}
	e.iterate(iter, len(g.Targets), func(a, b Value) bool {
		e.tick()
		cs := newScope(s)
		cs.vars[g.Targets[0].Names[0]] = a
		if len(g.Targets) > 1 {
			cs.vars[g.Targets[1].Names[0]] = b
		}
		for _, cond := range g.Ifs {
			if !truthy(e.eval(cs, cond)) {
				return true
			}
		}
		e.comprehension(cs, gens, i+1, body)
		return true
	})
}

// iterate calls f for each element: (value) for one variable, (key/index, value) for two.
func (e *evaluator) iterate(v Value, nvars int, f func(a, b Value) bool) {
	switch x := v.(type) {
	case *List:
		for i, it := range x.Items {
			var ok bool
			if nvars > 1 {
				ok = f(int64(i), it)
			} else {
				ok = f(it, nil)
			}
			if !ok {
				return
			}
		}
	case *Dict:
		for _, k := range append([]string(nil), x.keys...) {
			if !f(k, x.val(k)) {
				return
			}
		}
	case *Schema:
		for _, k := range append([]string(nil), x.Attrs.keys...) {
			if !f(k, x.Attrs.val(k)) {
				return
			}
		}
	case string:
		i := 0
		for _, r := range x {
			var ok bool
			if nvars > 1 {
				ok = f(int64(i), string(r))
			} else {
				ok = f(string(r), nil)
			}
			i++
			if !ok {
				return
			}
		}
	case NoneValue, UndefinedValue:
	default:
		e.throw(KindType, "'%s' object is not iterable", typeName(v))
	}
}

func (e *evaluator) quant(s *scope, n *syntax.QuantExpr) Value {
	target := e.eval(s, n.Target)
	e.pos = posOf(e.file, n.Target)
	e.notIterable(target)
	var result Value
	var outList *List
	var outDict *Dict
	switch n.Op {
	case syntax.QuantAll:
		result = true
	case syntax.QuantAny:
		result = false
	case syntax.QuantMap:
		outList = &List{}
		result = outList
	case syntax.QuantFilter:
		switch target.(type) {
		case *Dict, *Schema:
			outDict = NewDict()
			result = outDict
		default:
			outList = &List{}
			result = outList
		}
	}
	_, isMap := target.(*Dict)
	if _, ok := target.(*Schema); ok {
		isMap = true
	}
	nv := len(n.Vars)
	e.iterate(target, nv, func(a, b Value) bool {
		cs := newScope(s)
		cs.vars[n.Vars[0].Names[0]] = a
		if nv > 1 {
			cs.vars[n.Vars[1].Names[0]] = b
		}
		if n.IfCond != nil && !truthy(e.eval(cs, n.IfCond)) {
			return true
		}
		t := e.eval(cs, n.Test)
		switch n.Op {
		case syntax.QuantAll:
			if !truthy(t) {
				result = false
				return false
			}
		case syntax.QuantAny:
			if truthy(t) {
				result = true
				return false
			}
		case syntax.QuantMap:
			outList.Items = append(outList.Items, t)
		case syntax.QuantFilter:
			if truthy(t) {
				if outDict != nil {
					k := a.(string)
					outDict.Set(k, b)
				} else if isMap {
					outList.Items = append(outList.Items, a)
				} else if nv > 1 {
					outList.Items = append(outList.Items, b)
				} else {
					outList.Items = append(outList.Items, a)
				}
			}
		}
		return true
	})
	return result
}
