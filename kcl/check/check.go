// Package check is kpm's static checker for KCL: it resolves names and imports, infers
// types, and reports what the reference toolchain reports before evaluating (unknown names,
// unknown attributes of strict schemas and modules, type mismatches where the type is known,
// wrong argument counts), with the reference's kinds and positions.
//
// It records, per file, an Info: where every name is defined and used and the type of the
// expressions it checked, so editor features are lookups. Packages are checked once per
// content: imported packages (dependencies from the cache) are only declared, and their
// schemas resolved on first use, so a large dependency costs what is looked at.
//
// It never evaluates, prints or touches the network; module resolution comes from a
// Resolver, the rule kpm run uses.
package check

import (
	"context"
	"crypto/sha256"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/kpm-dev/kpm/kcl/syntax"
)

// Config configures a Checker.
type Config struct {
	Resolver Resolver
	// ReadFile reads a source file; nil means os.ReadFile. The language server passes one
	// that answers open documents from the editor's text.
	ReadFile func(path string) ([]byte, error)
	// ParseFile parses a source file; nil means syntax.ParseFile. The language server passes
	// one that answers an open document with the tree it already holds (one tree, not two).
	// The checker only reads the trees.
	ParseFile func(path string, src []byte) (*syntax.File, []syntax.Error)
	// NoRefs leaves Info.Refs empty: a program checked before it runs needs the errors only,
	// and a large program's references cost half as much memory as its syntax trees.
	NoRefs bool
	// Context, when set, stops the check of a package's statements once it is done (Ctrl-C
	// during kpm run's check of a large program); the results are then incomplete.
	Context context.Context
}

// Checker checks packages and keeps their results until their sources change. Its methods
// are safe for concurrent use; Info values and the objects they reach must only be read
// inside With (types are resolved lazily).
type Checker struct {
	cfg    Config
	mu     sync.Mutex
	pkgs   map[string]*Package // by module directory (or file)
	parsed map[string]*parsedFile
}

type parsedFile struct {
	hash [32]byte
	file *syntax.File
	errs []syntax.Error
}

// New returns a checker.
func New(cfg Config) *Checker {
	if cfg.ReadFile == nil {
		cfg.ReadFile = os.ReadFile
	}
	return &Checker{cfg: cfg, pkgs: map[string]*Package{}, parsed: map[string]*parsedFile{}}
}

// Package is a KCL package (a directory of .k files, or one file) as the checker knows it.
type Package struct {
	Path     string // import path; "" for a checked package opened directly
	Dir      string
	Dep      string // the dependency holding it ("" for the main package)
	Version  string
	ReadOnly bool
	Scope    *Scope // top-level names of all its files

	key       string
	units     []*fileUnit
	hash      [32]byte
	checked   bool
	infos     map[string]*Info
	importers map[*Package]bool
	// top-level statements setting each name without an object in Scope (see settings)
	sets map[string]int
	// the last `name: S {…}` of each name set more than once (see unifiedLater)
	lastUnify map[string]unification
	named     []string // the names of the package's imports, schemas, rules and type aliases
	rebound   bool     // a name is set twice, or a top-level assignment's target is not a name (see rebinds)
	// an augmented assignment anywhere (see checkImmutable), searched for when the statements
	// are declared if they are released then (see lazy), else when the package is checked
	augAssign, augSearched bool
	usedImports            map[*Object]bool // imports whose name the importing file uses (when checked)
	imports                map[*Package]bool
	types                  map[string]Type // the variables' types, one of each shape (see widened)
	c                      *Checker
}

// Info is what the checker found in one file.
type Info struct {
	Path      string
	File      *syntax.File // nil when the file could not be read
	Pkg       *Package
	Syntax    []syntax.Error
	Errors    []Error
	Refs      []Ref    // every definition and use of a name, by position
	Scopes    []*Scope // local scopes (schema bodies, lambdas, comprehensions)
	FileScope *Scope
	Types     map[syntax.Node]Type
}

// Ref is a name at a position and the object it denotes.
type Ref struct {
	Span syntax.Span
	Obj  *Object
	Def  bool // the declaration itself
}

type fileUnit struct {
	path    string
	pkg     *Package
	file    *syntax.File
	errs    []syntax.Error
	scope   *Scope
	aliases []namedSpan // its top-level type aliases (see checkImmutable)
	next    int         // the index of the top-level statement the check of the file comes to next
}

// siblingImport is the import named name in another file of the unit's package: the toolchain
// lets a file use the modules its package's other files import (kcl-lang/modules'
// kcl-abstraction-example uses `manifests` imported by a sibling file).
func (u *fileUnit) siblingImport(name string) *Object {
	for _, other := range u.pkg.units {
		if other == u || other.scope == nil {
			continue
		}
		if o := other.scope.Names[name]; o != nil && o.Kind == ImportObj {
			return o
		}
	}
	return nil
}

// With runs f with the checker locked: read Infos and objects inside it.
func (c *Checker) With(f func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f()
}

// Check checks the package of a file (the .k files of its directory, and the file itself
// when it is a test) and returns the file's Info. Results are kept until a file of the
// package, or of a package it imports, changes.
func (c *Checker) Check(path string) *Info {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.checkLocked(path)
}

func (c *Checker) checkLocked(path string) *Info {
	dir := filepath.Dir(path)
	files := KCLFiles(dir)
	if i := sort.SearchStrings(files, path); i == len(files) || files[i] != path {
		files = append(files, path)
		sort.Strings(files)
	}
	key := dir
	if strings.HasSuffix(path, "_test.k") {
		key = path
	}
	p := c.load(key, ModuleRef{Dir: dir, Files: files}, true)
	if info := p.infos[path]; info != nil {
		return info
	}
	return &Info{Path: path, Pkg: p}
}

// Invalidate forgets what the checker knows of the package holding path and of the packages
// importing it (a file changed on disk).
func (c *Checker) Invalidate(path string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for key, p := range c.pkgs {
		for _, u := range p.units {
			if u.path == path || p.Dir == path {
				c.drop(key, p)
				break
			}
		}
	}
}

func (c *Checker) drop(key string, p *Package) {
	if c.pkgs[key] != p {
		return
	}
	delete(c.pkgs, key)
	for imp := range p.importers {
		c.drop(imp.key, imp)
	}
}

// load returns the package of a module, declared, and checked when check is set; it is
// rebuilt when the content of one of its files changed.
func (c *Checker) load(key string, ref ModuleRef, check bool) *Package {
	p := c.pkgs[key]
	if p != nil && !p.ReadOnly && (c.changed(p, ref.Files) || c.importsChanged(p, map[*Package]bool{})) {
		c.drop(key, p)
		p = c.pkgs[key]
	}
	if p != nil {
		if check && !p.checked {
			c.checkBodies(p)
		}
		return p
	}
	p = &Package{Path: ref.Path, Dir: ref.Dir, Dep: ref.Dep, Version: ref.Version, ReadOnly: ref.ReadOnly, key: key,
		importers: map[*Package]bool{}, imports: map[*Package]bool{}, infos: map[string]*Info{}, c: c}
	p.Scope = newScope(universe)
	p.augSearched = c.lazy()
	h := sha256.New()
	for _, f := range ref.Files {
		u := &fileUnit{path: f, pkg: p, scope: newScope(p.Scope)}
		p.units = append(p.units, u)
		pf, declared := c.parse(f, u.declareTop)
		u.file, u.errs = pf.file, pf.errs
		if !declared {
			u.declareAll()
		}
		h.Write([]byte(f))
		h.Write(pf.hash[:])
	}
	copy(p.hash[:], h.Sum(nil))
	c.pkgs[key] = p
	if check {
		c.checkBodies(p)
	}
	return p
}

// changed reports whether the files of a package differ from when it was loaded.
func (c *Checker) changed(p *Package, files []string) bool {
	if len(files) != len(p.units) {
		return true
	}
	h := sha256.New()
	for _, f := range files {
		pf, _ := c.parse(f, nil)
		h.Write([]byte(f))
		h.Write(pf.hash[:])
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum != p.hash
}

// importsChanged reports whether a package imported (directly or not) by p, outside the
// read-only cache, changed since it was loaded.
func (c *Checker) importsChanged(p *Package, seen map[*Package]bool) bool {
	for q := range p.imports {
		if q.ReadOnly || seen[q] {
			continue
		}
		seen[q] = true
		files := []string{q.Dir}
		if strings.HasSuffix(q.Dir, ".k") {
			files = []string{q.Dir}
		} else {
			files = KCLFiles(q.Dir)
		}
		if c.changed(q, files) || c.importsChanged(q, seen) {
			return true
		}
	}
	return false
}

// lazy reports whether the checker lets go of the trees of simple statements (see parse).
func (c *Checker) lazy() bool { return c.cfg.NoRefs && c.cfg.ParseFile == nil }

// parse reads and parses a file, reusing the tree while its content is the same. With NoRefs
// (and the default ParseFile) the tree of a simple top-level statement is not kept once parsed
// (see syntax.ParseFileFunc): it is handed to declare (when not nil), and the checker parses it
// again when it needs it (see fileUnit.stmt); parse reports whether declare saw the statements.
func (c *Checker) parse(path string, declare func(i int, st syntax.Stmt)) (pf *parsedFile, declared bool) {
	src, err := c.cfg.ReadFile(path)
	if err != nil {
		return &parsedFile{hash: sha256.Sum256(nil)}, false
	}
	sum := sha256.Sum256(src)
	if pf := c.parsed[path]; pf != nil && pf.hash == sum {
		return pf, false
	}
	var f *syntax.File
	var errs []syntax.Error
	switch {
	case c.lazy():
		f, errs = syntax.ParseFileFunc(path, src, func(i int, st syntax.Stmt) bool {
			if declare != nil {
				declare(i, st)
			}
			return true
		})
		declared = declare != nil
	case c.cfg.ParseFile != nil:
		f, errs = c.cfg.ParseFile(path, src)
	default:
		f, errs = syntax.ParseFile(path, src)
	}
	pf = &parsedFile{hash: sum, file: f, errs: errs}
	c.parsed[path] = pf
	return pf, declared
}

// importModule resolves an import of a unit to its package (declared only).
func (c *Checker) importModule(u *fileUnit, imp *syntax.ImportStmt) (*Package, error) {
	if c.cfg.Resolver == nil {
		return nil, &ModuleError{"pkgpath " + strings.TrimLeft(imp.Path, ".") + " not found in the program"}
	}
	ref, err := c.cfg.Resolver.Resolve(u.path, imp)
	if err != nil {
		return nil, err
	}
	if ref.Std {
		return stdPackage(ref.Path), nil
	}
	p := c.load(ref.Dir, ref, false)
	if p != u.pkg {
		p.importers[u.pkg] = true
		u.pkg.imports[p] = true
	}
	return p, nil
}

// declareAll enters the top-level names of the unit's file (see declareTop), when its parse
// did not.
func (u *fileUnit) declareAll() {
	if u.file == nil {
		return
	}
	for i := range u.file.Body {
		u.declareTop(i, u.stmt(i))
		u.release(i)
	}
}

// declareSchema puts a schema or rule into the package scope.
func (u *fileUnit) declareSchema(s *Schema, kind ObjKind, name syntax.Span) {
	o := &Object{Name: s.Name, Kind: kind, unit: u, Span: name, more: &objectMore{doc: s.Doc, schema: s},
		typ: &SchemaType{s}}
	s.Obj = o
	u.pkg.insert(o)
	u.pkg.named = append(u.pkg.named, s.Name)
}

// declare enters the names the i-th top-level statement of the unit's file (or a statement in
// its if blocks) declares, and counts the names it sets (see Package.settings).
func (u *fileUnit) declare(i int, st syntax.Stmt) {
	p := u.pkg
	switch st := st.(type) {
	case *syntax.ImportStmt:
		imp := st
		sp := imp.PathSpan
		if imp.AsName != nil {
			sp = imp.AsName.Span
		}
		u.scope.insert(&Object{Name: imp.Name, Kind: ImportObj, unit: u, Span: sp, more: &objectMore{resolve: func() Type {
			q, err := p.c.importModule(u, imp)
			if err != nil || strings.HasPrefix(q.Path, "kcl_plugin.") {
				return Any // a plugin's functions are known only to the plugin host
			}
			return &Module{q}
		}}})
		p.named = append(p.named, imp.Name)
	case *syntax.AssignStmt:
		for _, t := range st.Targets {
			id, ok := t.(*syntax.Ident)
			if !ok {
				p.rebound = true // `x.y = 1`, `x[0] = 1`
				continue
			}
			if len(id.Names) == 1 && p.Scope.Names[id.Names[0]] == nil {
				p.insert(&Object{Name: id.Names[0], Kind: VarObj, unit: u, Span: id.NameSpans[0], decl: int32(i) + 1})
			}
			p.set(id.Names[0])
		}
	case *syntax.UnificationStmt:
		name := st.Target.Names[0]
		if len(st.Target.Names) == 1 && p.Scope.Names[name] == nil {
			p.insert(&Object{Name: name, Kind: VarObj, unit: u, Span: st.Target.NameSpans[0], decl: int32(i) + 1})
		}
		if p.settings(name) > 0 {
			// a unification of a name set before: it may be the last of several
			if p.lastUnify == nil {
				p.lastUnify = map[string]unification{}
			}
			p.lastUnify[name] = unification{u, st.Target.Pos()}
		}
		p.set(name)
	case *syntax.SchemaStmt:
		u.declareSchema(&Schema{Name: st.Name.Name(), Node: st, Doc: st.Doc, unit: u}, SchemaObj, st.Name.Span)
	case *syntax.RuleStmt:
		u.declareSchema(&Schema{Name: st.Name.Name(), Rule: st, Doc: st.Doc, unit: u}, RuleObj, st.Name.Span)
	case *syntax.TypeAliasStmt:
		t := st.Type
		p.insert(&Object{Name: st.Name.Name(), Kind: TypeAliasObj, unit: u, Span: st.Name.Span,
			more: &objectMore{resolve: func() Type { return u.typeOf(t) }}})
		p.named = append(p.named, st.Name.Name())
		u.aliases = append(u.aliases, namedSpan{st.Name.Name(), spanOf(st.Name)})
	case *syntax.IfStmt:
		for _, list := range [][]syntax.Stmt{st.Body, st.Else} {
			for _, inner := range list {
				u.declare(i, inner)
			}
		}
	}
}

// declareTop declares the i-th top-level statement of the unit's file (see declare) and
// notes whether the package has an augmented assignment anywhere (see checkImmutable).
func (u *fileUnit) declareTop(i int, st syntax.Stmt) {
	u.declare(i, st)
	if u.pkg.augSearched && !u.pkg.augAssign {
		u.pkg.augAssign = hasAugAssign(st)
	}
}

// stmt is the i-th top-level statement of the unit's file, parsed again if it was released.
func (u *fileUnit) stmt(i int) syntax.Stmt { return u.file.Stmt(i) }

// release drops the tree of the i-th top-level statement of the unit's file when it can be
// parsed again (a file kpm run checks; see syntax.ParseFileFunc).
func (u *fileUnit) release(i int) { u.file.Release(i) }

// checkBodies checks every statement of every file of a package, recording Infos, in one walk
// of each file: a statement released (see release) is parsed again and released again.
func (c *Checker) checkBodies(p *Package) {
	p.checked = true
	im := newImmutability(p)
	for _, u := range p.units {
		info := &Info{Path: u.path, File: u.file, Pkg: p, Syntax: u.errs, FileScope: u.scope, Types: map[syntax.Node]Type{}}
		p.infos[u.path] = info
		if u.file == nil {
			continue
		}
		fc := &fileChecker{unit: u, info: info, report: true, noRefs: c.cfg.NoRefs}
		im.unit(u)
		for i := range u.file.Body {
			if i%pollEvery == 0 && c.cancelled() {
				break
			}
			u.next = i
			st := u.stmt(i)
			fc.stmt(u.scope, st, ctxTop)
			im.stmt(u, st)
			if c.cfg.NoRefs {
				clear(info.Types) // (they key the statement's nodes; only the editor reads them)
			}
			u.release(i)
		}
		u.next = len(u.file.Body)
		sort.SliceStable(info.Refs, func(i, j int) bool { return info.Refs[i].Span.From.Offset < info.Refs[j].Span.From.Offset })
	}
	im.finish()
}

// pollEvery is how many top-level statements are checked between two looks at Config.Context.
const pollEvery = 1 << 10

func (c *Checker) cancelled() bool {
	return c.cfg.Context != nil && c.cfg.Context.Err() != nil
}

// quietType infers the type of an expression of the unit without reporting.
func (u *fileUnit) quietType(x syntax.Expr) Type {
	if x == nil {
		return Any
	}
	fc := &fileChecker{unit: u, info: &Info{Types: map[syntax.Node]Type{}}}
	return fc.expr(u.scope, x, nil)
}

// lookupType resolves a (possibly dotted) name used as a type or parent.
func (u *fileUnit) lookupType(id *syntax.Ident) Type {
	fc := &fileChecker{unit: u, info: &Info{Types: map[syntax.Node]Type{}}}
	return fc.ident(u.scope, id)
}

// typeOf converts a type annotation.
func (u *fileUnit) typeOf(t syntax.TypeExpr) Type {
	fc := &fileChecker{unit: u, info: &Info{Types: map[syntax.Node]Type{}}}
	return fc.typeExpr(u.scope, t)
}

func (u *fileUnit) params(ps []*syntax.Param) []Param {
	var out []Param
	for _, p := range ps {
		q := Param{Name: p.Name.Name(), Type: Any, Optional: p.Default != nil}
		if p.Type != nil {
			q.Type = u.typeOf(p.Type)
		}
		if p.Default != nil {
			q.Default = syntax.Print(p.Default)
		}
		out = append(out, q)
	}
	return out
}

// insert puts an object into the package scope, with the settings of its name counted so far.
func (p *Package) insert(o *Object) {
	if p.Scope.insert(o) == o && p.sets[o.Name] > 0 {
		o.sets = uint8(min(p.sets[o.Name], math.MaxUint8))
		delete(p.sets, o.Name)
	}
}

// set counts a top-level statement (also in if blocks) that assigns or unifies a name: on the
// name's object in the package scope (a large program sets many names, each once), else in
// Package.sets.
func (p *Package) set(name string) {
	if o := p.Scope.Names[name]; o != nil {
		if o.sets < math.MaxUint8 {
			o.sets++
		}
	} else {
		if p.sets == nil {
			p.sets = map[string]int{}
		}
		p.sets[name]++
	}
	if p.settings(name) > 1 {
		p.rebound = true
	}
}

// settings counts the top-level statements (also in if blocks) that assign or unify a name.
func (p *Package) settings(name string) int {
	if o := p.Scope.Names[name]; o != nil {
		return int(o.sets)
	}
	return p.sets[name]
}

// unification is where a unification statement is: its file and its target's position.
type unification struct {
	unit *fileUnit
	at   syntax.Pos
}

// unifiedLater reports a unification of a name that a later one (in check order) repeats.
func (p *Package) unifiedLater(u *fileUnit, st *syntax.UnificationStmt) bool {
	last, ok := p.lastUnify[st.Target.Names[0]]
	return ok && last != unification{u, st.Target.Pos()}
}

// unitIndex is the place of a file among the package's files (the order they are checked in).
func (p *Package) unitIndex(path string) int {
	for i, u := range p.units {
		if u.path == path {
			return i
		}
	}
	return len(p.units)
}

// declStmt runs f with the statement declaring a package variable (Object.decl), parsed again
// if it was released; it is released again after unless the check of its file will come to it.
func (o *Object) declStmt(f func(u *fileUnit, st syntax.Stmt)) {
	u := o.unit
	i := int(o.decl) - 1
	released := u.file.Body[i] == nil
	f(u, declaringIn(u.stmt(i), o.Span))
	if released && (i < u.next || u.pkg.ReadOnly) {
		u.release(i)
	}
}

// declaringIn finds the assignment or unification declaring the name at sp: st or one in its
// if blocks.
func declaringIn(st syntax.Stmt, sp syntax.Span) syntax.Stmt {
	switch st := st.(type) {
	case *syntax.AssignStmt:
		for _, t := range st.Targets {
			if id, ok := t.(*syntax.Ident); ok && id.NameSpans[0] == sp {
				return st
			}
		}
	case *syntax.UnificationStmt:
		if st.Target.NameSpans[0] == sp {
			return st
		}
	case *syntax.IfStmt:
		for _, list := range [][]syntax.Stmt{st.Body, st.Else} {
			for _, inner := range list {
				if d := declaringIn(inner, sp); d != nil {
					return d
				}
			}
		}
	}
	return nil
}

// declType is the type of a package variable from its declaring statement (Object.decl): its
// annotation, else its value's.
func (o *Object) declType() Type {
	var t Type = Any
	o.declStmt(func(u *fileUnit, st syntax.Stmt) {
		switch st := st.(type) {
		case *syntax.AssignStmt:
			if st.Type != nil {
				t = u.typeOf(st.Type)
			} else {
				t = u.pkg.widened(u.quietType(st.Value))
			}
		case *syntax.UnificationStmt:
			t = u.quietType(st.Value)
		}
	})
	return t
}

// early is what the reference knows of a package variable before its declaration is checked
// (Object.decl is set): see earlyType, and `x: S {…}` declares an S.
func (o *Object) early() Type {
	var t Type = Any
	o.declStmt(func(u *fileUnit, st syntax.Stmt) {
		switch st := st.(type) {
		case *syntax.AssignStmt:
			t = u.earlyType(st.Type, st.Value)
		case *syntax.UnificationStmt:
			if s, ok := u.lookupType(st.Value.Name).(*SchemaType); ok {
				t = &Instance{s.Schema}
			}
		}
	})
	return t
}

// earlyType is what the reference knows of a package variable assigned before its declaration
// is checked: its annotation, or that it is a function of so many parameters.
func (u *fileUnit) earlyType(ann syntax.TypeExpr, v syntax.Expr) Type {
	if ann != nil {
		return u.typeOf(ann)
	}
	if l, ok := v.(*syntax.LambdaExpr); ok {
		f := &Func{Result: Any}
		for _, p := range l.Params {
			f.Params = append(f.Params, Param{Name: p.Name.Name(), Type: Any, Optional: p.Default != nil})
		}
		return f
	}
	return Any
}

// widened is the type of a variable given a value of type t (see widen), shared by the
// package's variables of the same shape: a large program has many variables of few shapes
// (800000 `cI = {name = "cI", port = I}` are one {str:str | int}), which need one type, not
// one each. Types are not changed once made; only plain data types (no schema, module or
// function inside) are shared.
func (p *Package) widened(t Type) Type {
	// the key is t's with literals as their base types, which is all widen keeps of them
	var key strings.Builder
	if !writeTypeKey(&key, t) {
		return widen(t)
	}
	if s, ok := p.types[key.String()]; ok {
		return s
	}
	if p.types == nil {
		p.types = map[string]Type{}
	}
	w := widen(t)
	p.types[key.String()] = w
	return w
}

// writeTypeKey writes what identifies a plain data type once widened, and reports whether t
// is one.
func writeTypeKey(b *strings.Builder, t Type) bool {
	switch t := t.(type) {
	case *Basic:
		switch t {
		case Any, Int, Float, Str, Bool, None, Undefined:
			b.WriteString(t.Name)
			return true
		}
	case *Literal:
		return writeTypeKey(b, t.Base)
	case *List:
		b.WriteByte('[')
		ok := writeTypeKey(b, t.Elem)
		b.WriteByte(']')
		return ok
	case *Union:
		b.WriteByte('(')
		for _, m := range t.Types {
			if !writeTypeKey(b, m) {
				return false
			}
			b.WriteByte('|')
		}
		b.WriteByte(')')
		return true
	case *Dict:
		b.WriteByte('{')
		if !writeTypeKey(b, t.Key) {
			return false
		}
		b.WriteByte(':')
		if !writeTypeKey(b, t.Value) {
			return false
		}
		if t.Attrs != nil {
			b.WriteByte(';')
			names := make([]string, 0, len(t.Attrs))
			for name := range t.Attrs {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				b.WriteString(strconv.Quote(name))
				b.WriteByte('=')
				if !writeTypeKey(b, t.Attrs[name]) {
					return false
				}
				b.WriteByte(',')
			}
		}
		b.WriteByte('}')
		return true
	}
	return false
}
