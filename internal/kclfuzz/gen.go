package kclfuzz

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
)

// Types the generator tracks: scalars, lists, configs and schema names.
const (
	tInt     = "int"
	tFloat   = "float"
	tStr     = "str"
	tBool    = "bool"
	tInts    = "[int]"
	tStrs    = "[str]"
	tDict    = "{str:int}"
	tAnyDict = "dict" // a config of mixed values
)

var scalarTypes = []string{tInt, tInt, tFloat, tStr, tStr, tBool, tInts, tStrs, tDict, tAnyDict}

type variable struct {
	name, typ string
}

type attr struct {
	name, typ  string
	optional   bool
	hasDefault bool
}

type schemaDef struct {
	name     string
	attrs    []attr // including inherited ones
	indexSig bool   // [key: str]: int, extra int keys allowed
	pkg      bool   // defined in the sibling package
}

type lambdaDef struct {
	name   string
	params []string // types
	ret    string
}

// generator builds one program.
type generator struct {
	r       *rand.Rand
	vars    []variable // visible top-level values (and lambda parameters while in a body)
	schemas []*schemaDef
	lambdas []lambdaDef
	imports map[string]bool // standard modules the current file uses
	usesPkg bool
	next    int
	// loopVars are comprehension and quantifier variables in scope, by type.
	loopVars []variable
}

// Generate returns a random program for the seed.
func Generate(seed uint64) *Program {
	g := &generator{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	p := &Program{Files: map[string]*File{}}
	// the sibling package first: its values and a schema the main package imports
	pkgStmts := g.pkgFile()
	p.Files["pkg/lib.k"] = &File{Stmts: pkgStmts}
	pkgVars := g.vars
	g.vars = nil
	for _, v := range pkgVars {
		g.vars = append(g.vars, variable{"pkg." + v.name, v.typ})
	}
	unions := []*Node{}
	main := g.file(14+g.r.IntN(14), &unions, true)
	p.Files["main.k"] = &File{Stmts: main}
	if g.r.IntN(3) > 0 {
		p.Files["b.k"] = &File{Stmts: g.file(3+g.r.IntN(6), &unions, false)}
	}
	return p
}

func (g *generator) name(prefix string) string {
	g.next++
	return fmt.Sprintf("%s%d", prefix, g.next)
}

func (g *generator) pick(n int) int { return g.r.IntN(n) }

func (g *generator) chance(percent int) bool { return g.r.IntN(100) < percent }

func stmt(format string, kids ...*Node) *Node { return &Node{Fmt: format, Kids: kids, Stmt: true} }

func expr(typ, format string, kids ...*Node) *Node { return &Node{Fmt: format, Kids: kids, Typ: typ} }

func (g *generator) pkgFile() []*Node {
	g.imports = map[string]bool{}
	var out []*Node
	for i := 0; i < 2+g.pick(3); i++ {
		t := []string{tInt, tStr, tInts, tDict}[g.pick(4)]
		name := g.name("P")
		out = append(out, stmt(name+" = %s", g.gen(t, 2)))
		g.vars = append(g.vars, variable{name, t})
	}
	out = append(out, g.schemaDef(true)...)
	return append(g.importsHead(false), out...)
}

// file generates the statements of one file of the main package; unions holds the schema
// declarations (x: S {...}) that later files extend.
func (g *generator) file(n int, unions *[]*Node, first bool) []*Node {
	g.imports = map[string]bool{}
	g.usesPkg = false
	var body []*Node
	if first {
		for i := 0; i < 1+g.pick(3); i++ {
			body = append(body, g.schemaDef(false)...)
		}
	}
	for i := 0; i < n; i++ {
		body = append(body, g.statement(unions, first)...)
	}
	return append(g.importsHead(g.usesPkg), body...)
}

// importsHead is the import statements of the file generated last.
func (g *generator) importsHead(pkg bool) []*Node {
	var head []*Node
	mods := make([]string, 0, len(g.imports))
	for m := range g.imports {
		mods = append(mods, m)
	}
	sort.Strings(mods)
	if pkg {
		head = append(head, stmt("import pkg"))
	}
	for _, m := range mods {
		head = append(head, stmt("import "+m))
	}
	return head
}

func (g *generator) statement(unions *[]*Node, first bool) []*Node {
	switch k := g.pick(100); {
	case k < 8:
		return g.schemaDef(false)
	case k < 16:
		return []*Node{g.lambdaDef()}
	case k < 30 && len(g.schemas) > 0:
		// a schema instance, sometimes declared for unification across files
		s := g.schemas[g.pick(len(g.schemas))]
		name := g.name("cfg")
		if !first && len(*unions) > 0 && g.chance(60) {
			u := (*unions)[g.pick(len(*unions))]
			us := g.schemaNamed(u.Typ)
			g.schemaRef(us) // this file names the schema too
			return []*Node{stmt(u.Fmt, g.instanceBody(us, 2))}
		}
		n := stmt(name+": "+g.schemaRef(s)+" %s", g.instanceBody(s, 2))
		n.Typ = s.name
		if first {
			*unions = append(*unions, &Node{Fmt: name + ": " + g.schemaRef(s) + " %s", Typ: s.name})
		}
		g.vars = append(g.vars, variable{name, s.name})
		return []*Node{n}
	case k < 38:
		// private value refined by a top-level if, then published
		t := scalarTypes[g.pick(4)]
		p := g.name("_p")
		v := g.name("v")
		ifs := stmt("if %s:", g.gen(tBool, 2))
		ifs.Body = []*Node{stmt(p+" = %s", g.gen(t, 2))}
		if g.chance(40) {
			els := stmt("else:")
			els.Body = []*Node{stmt(p+" = %s", g.gen(t, 2))}
			defer func() { g.vars = append(g.vars, variable{v, t}) }()
			return []*Node{stmt(p+" = %s", g.gen(t, 2)), ifs, els, stmt(v + " = " + p)}
		}
		defer func() { g.vars = append(g.vars, variable{v, t}) }()
		return []*Node{stmt(p+" = %s", g.gen(t, 2)), ifs, stmt(v + " = " + p)}
	case k < 42:
		c := g.gen(tBool, 2)
		if g.chance(50) {
			c = expr(tBool, "%s or True", c)
		}
		return []*Node{stmt("assert %s, %s", c, g.gen(tStr, 1))}
	case k < 44:
		return []*Node{stmt("print(%s)", g.gen(scalarTypes[g.pick(len(scalarTypes))], 2))}
	case k < 52:
		t := scalarTypes[g.pick(len(scalarTypes))]
		name := g.name("v")
		n := stmt(name+": "+typeAnnotation(t)+" = %s", g.gen(t, 3))
		g.vars = append(g.vars, variable{name, t})
		return []*Node{n}
	default:
		t := scalarTypes[g.pick(len(scalarTypes))]
		if len(g.schemas) > 0 && g.chance(15) {
			t = g.schemas[g.pick(len(g.schemas))].name
		}
		name := g.name("v")
		n := stmt(name+" = %s", g.gen(t, 3))
		g.vars = append(g.vars, variable{name, t})
		return []*Node{n}
	}
}

func typeAnnotation(t string) string {
	if t == tAnyDict {
		return "{str:any}"
	}
	return t
}

func (g *generator) schemaNamed(name string) *schemaDef {
	for _, s := range g.schemas {
		if s.name == name {
			return s
		}
	}
	return g.schemas[0]
}

// schemaDef defines a schema: attributes with and without defaults, optional ones, maybe a
// parent, a mixin, an index signature and a check block.
func (g *generator) schemaDef(inPkg bool) []*Node {
	s := &schemaDef{name: g.name("S"), pkg: inPkg}
	header := "schema " + s.name
	var parent *schemaDef
	local := []*schemaDef{}
	for _, x := range g.schemas {
		if !x.pkg && !x.indexSig {
			local = append(local, x)
		}
	}
	if !inPkg && len(local) > 0 && g.chance(35) {
		parent = local[g.pick(len(local))]
		header += "(" + parent.name + ")"
		s.attrs = append(s.attrs, parent.attrs...)
	}
	def := stmt(header + ":")
	var body, out []*Node
	if !inPkg && g.chance(20) {
		m := g.name("M") + "Mixin"
		mix := stmt("mixin " + m + ":")
		mix.Body = []*Node{stmt("extra" + m + ": int = 1")}
		out = append(out, mix) // defined before the schema that uses it
		body = append(body, stmt("mixin ["+m+"]"))
	}
	s.indexSig = parent == nil && g.chance(15)
	nattrs := 1 + g.pick(4)
	types := []string{tInt, tStr, tBool, tInts, tStrs, tDict, tFloat}
	if s.indexSig {
		types = []string{tInt}
	}
	// attributes are visible to the defaults of the following ones
	saved := g.vars
	g.vars = nil
	for _, a := range s.attrs {
		g.vars = append(g.vars, variable{a.name, a.typ})
	}
	for i := 0; i < nattrs; i++ {
		a := attr{name: g.name("a"), typ: types[g.pick(len(types))]}
		switch g.pick(3) {
		case 0:
			a.optional = true
			body = append(body, stmt(a.name+"?: "+a.typ))
		case 1:
			a.hasDefault = true
			body = append(body, stmt(a.name+": "+a.typ+" = %s", g.gen(a.typ, 1)))
		default:
			body = append(body, stmt(a.name+": "+a.typ))
		}
		s.attrs = append(s.attrs, a)
		g.vars = append(g.vars, variable{a.name, a.typ})
	}
	if s.indexSig {
		body = append(body, stmt("[key: str]: int"))
	}
	if g.chance(50) {
		check := stmt("check:")
		for i := 0; i < 1+g.pick(2); i++ {
			c := g.gen(tBool, 1)
			if g.chance(50) { // mostly checks that pass, so evaluation goes on
				c = expr(tBool, "%s or True", c)
			}
			switch g.pick(3) {
			case 0:
				check.Body = append(check.Body, stmt("%s", c))
			case 1:
				check.Body = append(check.Body, stmt("%s, %s", c, g.gen(tStr, 1)))
			default:
				check.Body = append(check.Body, stmt("%s if %s", c, g.gen(tBool, 1)))
			}
		}
		body = append(body, check)
	}
	g.vars = saved
	def.Body = body
	g.schemas = append(g.schemas, s)
	return append(out, def)
}

// schemaRef is how the main package names a schema.
func (g *generator) schemaRef(s *schemaDef) string {
	if s.pkg {
		g.usesPkg = true
		return "pkg." + s.name
	}
	return s.name
}

// instance is a schema call with a config.
func (g *generator) instance(s *schemaDef, depth int) *Node {
	return expr(s.name, g.schemaRef(s)+" %s", g.instanceBody(s, depth))
}

func (g *generator) instanceBody(s *schemaDef, depth int) *Node {
	n := &Node{Open: "{", Shut: "}", Sep: ", ", Typ: "entries"}
	for _, a := range s.attrs {
		if (a.optional || a.hasDefault) && g.chance(50) || g.chance(2) {
			continue
		}
		op := " = "
		if a.typ == tInts || a.typ == tStrs {
			if a.hasDefault && g.chance(30) {
				op = " += "
			}
		}
		if a.typ == tDict && g.chance(30) {
			op = ": "
		}
		e := expr("entry", a.name+op+"%s", g.gen(a.typ, depth-1))
		e.Removable = true
		n.Kids = append(n.Kids, e)
	}
	if s.indexSig && g.chance(60) {
		e := expr("entry", g.name("k")+" = %s", g.gen(tInt, depth-1))
		e.Removable = true
		n.Kids = append(n.Kids, e)
	}
	return n
}

func (g *generator) lambdaDef() *Node {
	name := g.name("f")
	nparams := 1 + g.pick(2)
	var params []string
	var decl []string
	saved := g.vars
	for i := 0; i < nparams; i++ {
		t := []string{tInt, tStr, tInts}[g.pick(3)]
		p := fmt.Sprintf("x%d", i)
		params = append(params, t)
		decl = append(decl, p+": "+t)
		g.vars = append(g.vars, variable{p, t})
	}
	ret := []string{tInt, tStr, tBool, tInts}[g.pick(4)]
	var body *Node
	if g.chance(20) && ret == tInt {
		// a closure: a lambda returning a lambda that captures the parameter
		inner := "lambda y: int -> int { y + %s }"
		body = expr(tInt, "(lambda k: int -> int { ("+inner+")(k) })(%s)", g.gen(tInt, 1), g.gen(tInt, 1))
	} else {
		body = g.gen(ret, 2)
	}
	g.vars = saved
	g.lambdas = append(g.lambdas, lambdaDef{name, params, ret})
	return stmt(name+" = lambda "+strings.Join(decl, ", ")+" -> "+ret+" { %s }", body)
}

func (g *generator) varsOf(t string) []string {
	var out []string
	for _, v := range g.vars {
		if v.typ == t {
			out = append(out, v.name)
		}
	}
	for _, v := range g.loopVars {
		if v.typ == t {
			out = append(out, v.name)
		}
	}
	return out
}

func (g *generator) useVar(name string) {
	if strings.HasPrefix(name, "pkg.") {
		g.usesPkg = true
	}
}

func (g *generator) module(m string) { g.imports[m] = true }

// gen returns an expression of type t, at most depth levels deep.
func (g *generator) gen(t string, depth int) *Node {
	if vs := g.varsOf(t); len(vs) > 0 && g.chance(30) {
		v := vs[g.pick(len(vs))]
		g.useVar(v)
		return expr(t, v)
	}
	if depth <= 0 || g.chance(25) {
		return g.literal(t)
	}
	d := depth - 1
	switch t {
	case tInt:
		return g.genInt(d)
	case tFloat:
		return g.genFloat(d)
	case tStr:
		return g.genStr(d)
	case tBool:
		return g.genBool(d)
	case tInts:
		return g.genInts(d)
	case tStrs:
		return g.genStrs(d)
	case tDict, tAnyDict:
		return g.genDict(t, d)
	}
	for _, s := range g.schemas {
		if s.name == t {
			return g.instance(s, depth)
		}
	}
	return g.literal(t)
}

var words = []string{"a", "web", "prod", "nginx:1.25", "y", "on", "1Ki", "Hello World", "", "x-y", "no", "10.0.0.1", "app_1", "  pad  ", "a,b", "it's", "null", "v1.2"}

func (g *generator) literal(t string) *Node {
	switch t {
	case tInt:
		return expr(t, fmt.Sprint(g.r.IntN(24)-3))
	case tFloat:
		return expr(t, []string{"1.5", "0.25", "2.0", "-3.75", "1e3", "0.1"}[g.pick(6)])
	case tStr:
		return expr(t, fmt.Sprintf("%q", words[g.pick(len(words))]))
	case tBool:
		return expr(t, []string{"True", "False"}[g.pick(2)])
	case tInts:
		return g.list(t, tInt, 0)
	case tStrs:
		return g.list(t, tStr, 0)
	case tDict, tAnyDict:
		return expr(t, "{}")
	}
	for _, s := range g.schemas {
		if s.name == t {
			return g.instance(s, 1)
		}
	}
	return expr(t, "None")
}

func (g *generator) list(t, item string, depth int) *Node {
	n := &Node{Open: "[", Shut: "]", Sep: ", ", Typ: t}
	for i := 0; i < g.pick(4); i++ {
		k := g.gen(item, depth)
		if depth > 0 && g.chance(15) {
			k = expr(item, "if %s: %s", g.gen(tBool, depth-1), k)
		}
		k.Removable = true
		n.Kids = append(n.Kids, k)
	}
	return n
}

func (g *generator) binop(t, op string, a, b *Node) *Node {
	return expr(t, "(%s "+strings.ReplaceAll(op, "%", "%%")+" %s)", a, b)
}

func smallPositive(g *generator) *Node { return expr(tInt, fmt.Sprint(1+g.pick(5))) }

func (g *generator) withLoopVar(name, typ string, f func() *Node) *Node {
	g.loopVars = append(g.loopVars, variable{name, typ})
	defer func() { g.loopVars = g.loopVars[:len(g.loopVars)-1] }()
	return f()
}

func (g *generator) genInt(d int) *Node {
	switch g.pick(16) {
	case 0, 1:
		return g.binop(tInt, []string{"+", "-", "*"}[g.pick(3)], g.gen(tInt, d), g.gen(tInt, d))
	case 2:
		return g.binop(tInt, []string{"//", "%"}[g.pick(2)], g.gen(tInt, d), smallPositive(g))
	case 3:
		return expr(tInt, "len(%s)", g.gen([]string{tInts, tStrs, tStr, tDict}[g.pick(4)], d))
	case 4:
		return expr(tInt, "(%s if %s else %s)", g.gen(tInt, d), g.gen(tBool, d), g.gen(tInt, d))
	case 5:
		return expr(tInt, "sum(%s)", g.gen(tInts, d))
	case 6:
		return expr(tInt, []string{"max(%s, %s)", "min(%s, %s)"}[g.pick(2)], g.gen(tInt, d), g.gen(tInt, d))
	case 7:
		return expr(tInt, "abs(%s)", g.gen(tInt, d))
	case 8:
		return expr(tInt, "int(%s)", g.gen(tFloat, d))
	case 9:
		return expr(tInt, "%s[%s]", g.gen(tInts, d), expr(tInt, fmt.Sprint(g.pick(3))))
	case 10:
		g.module("math")
		return expr(tInt, []string{"math.floor(%s)", "math.ceil(%s)"}[g.pick(2)], g.gen(tFloat, d))
	case 11:
		return expr(tInt, "-(%s)", g.gen(tInt, d))
	case 12:
		return expr(tInt, "%s.count(%s)", g.gen(tStr, d), g.gen(tStr, 0))
	}
	if a := g.attrExpr(tInt, d); a != nil {
		return a
	}
	if l := g.callExpr(tInt, d); l != nil {
		return l
	}
	return g.literal(tInt)
}

func (g *generator) genFloat(d int) *Node {
	switch g.pick(6) {
	case 0:
		return g.binop(tFloat, "/", g.gen(tInt, d), smallPositive(g))
	case 1:
		return g.binop(tFloat, "*", g.gen(tFloat, d), g.gen(tInt, d))
	case 2:
		return expr(tFloat, "float(%s)", g.gen(tInt, d))
	case 3:
		g.module("math")
		return expr(tFloat, "math.sqrt(abs(%s))", g.gen(tInt, d))
	case 4:
		return g.binop(tFloat, []string{"+", "-"}[g.pick(2)], g.gen(tFloat, d), g.gen(tFloat, d))
	}
	if a := g.attrExpr(tFloat, d); a != nil {
		return a
	}
	return g.literal(tFloat)
}

func (g *generator) genStr(d int) *Node {
	switch g.pick(18) {
	case 0:
		return g.binop(tStr, "+", g.gen(tStr, d), g.gen(tStr, d))
	case 1:
		return expr(tStr, `"${%s}-x"`, g.interpolated())
	case 2:
		return expr(tStr, `"{}:{}".format(%s, %s)`, g.gen(scalarTypes[g.pick(6)], d), g.gen(scalarTypes[g.pick(6)], d))
	case 3:
		return expr(tStr, "str(%s)", g.gen(scalarTypes[g.pick(len(scalarTypes))], d))
	case 4:
		m := []string{"upper()", "lower()", "strip()", `replace("a", "b")`, "title()", "capitalize()", `lstrip("a")`, `removeprefix("a")`}[g.pick(8)]
		return expr(tStr, "%s."+m, g.gen(tStr, d))
	case 5:
		return expr(tStr, `"-".join(%s)`, g.gen(tStrs, d))
	case 6:
		return expr(tStr, "%s[%s:%s]", g.gen(tStr, d), expr(tInt, fmt.Sprint(g.pick(3))), expr(tInt, fmt.Sprint(1+g.pick(4))))
	case 7:
		return expr(tStr, "(%s * %s)", g.gen(tStr, d), expr(tInt, fmt.Sprint(g.pick(3))))
	case 8:
		g.module("json")
		return expr(tStr, "json.encode(%s)", g.gen([]string{tDict, tAnyDict, tInts, tStrs}[g.pick(4)], d))
	case 9:
		g.module("base64")
		return expr(tStr, "base64.encode(%s)", g.gen(tStr, d))
	case 10:
		return expr(tStr, "typeof(%s)", g.gen(scalarTypes[g.pick(len(scalarTypes))], d))
	case 11:
		return expr(tStr, "(%s if %s else %s)", g.gen(tStr, d), g.gen(tBool, d), g.gen(tStr, d))
	case 12:
		g.module("yaml")
		return expr(tStr, "yaml.encode(%s)", g.gen([]string{tDict, tAnyDict, tStrs}[g.pick(3)], d))
	}
	if a := g.attrExpr(tStr, d); a != nil {
		return a
	}
	if l := g.callExpr(tStr, d); l != nil {
		return l
	}
	return g.literal(tStr)
}

func (g *generator) genBool(d int) *Node {
	switch g.pick(13) {
	case 0, 1:
		return g.binop(tBool, []string{"<", "<=", ">", ">=", "==", "!="}[g.pick(6)], g.gen(tInt, d), g.gen(tInt, d))
	case 2:
		return g.binop(tBool, []string{"==", "!="}[g.pick(2)], g.gen(tStr, d), g.gen(tStr, d))
	case 3:
		return expr(tBool, "not (%s)", g.gen(tBool, d))
	case 4:
		return g.binop(tBool, []string{"and", "or"}[g.pick(2)], g.gen(tBool, d), g.gen(tBool, d))
	case 5:
		if g.chance(50) {
			return g.binop(tBool, "in", g.gen(tInt, d), g.gen(tInts, d))
		}
		return g.binop(tBool, "in", g.gen(tStr, d), g.gen([]string{tStrs, tDict}[g.pick(2)], d))
	case 6:
		return expr(tBool, "%s."+[]string{"startswith", "endswith"}[g.pick(2)]+"(%s)", g.gen(tStr, d), g.literal(tStr))
	case 7:
		q := []string{"all", "any"}[g.pick(2)]
		return expr(tBool, q+" x in %s { %s }", g.quantified(d), g.withLoopVar("x", tInt, func() *Node {
			return g.binop(tBool, []string{">", "==", "<"}[g.pick(3)], expr(tInt, "x"), g.gen(tInt, 0))
		}))
	case 8:
		return expr(tBool, "isunique(%s)", g.gen(tInts, d))
	case 9:
		g.module("regex")
		return expr(tBool, `regex.match(%s, "^[a-z]+$")`, g.gen(tStr, d))
	case 10:
		return expr(tBool, "bool(%s)", g.gen(scalarTypes[g.pick(len(scalarTypes))], d))
	}
	if a := g.attrExpr(tBool, d); a != nil {
		return a
	}
	if l := g.callExpr(tBool, d); l != nil {
		return l
	}
	return g.literal(tBool)
}

func (g *generator) genInts(d int) *Node {
	switch g.pick(11) {
	case 0, 1:
		return g.list(tInts, tInt, d)
	case 2:
		return expr(tInts, "[%s for x in %s]", g.withLoopVar("x", tInt, func() *Node { return g.binop(tInt, "*", expr(tInt, "x"), g.gen(tInt, 0)) }), g.gen(tInts, d))
	case 3:
		return expr(tInts, "[x for x in %s if %s]", g.gen(tInts, d), g.withLoopVar("x", tInt, func() *Node { return g.gen(tBool, 1) }))
	case 4:
		return g.binop(tInts, "+", g.gen(tInts, d), g.gen(tInts, d))
	case 5:
		return expr(tInts, "(%s * %s)", g.gen(tInts, d), expr(tInt, fmt.Sprint(g.pick(4))))
	case 6:
		return expr(tInts, "sorted(%s)", g.gen(tInts, d))
	case 7:
		return expr(tInts, "list(range(%s))", expr(tInt, fmt.Sprint(g.pick(6))))
	case 8:
		return expr(tInts, "%s[1:]", g.gen(tInts, d))
	case 9:
		return expr(tInts, "[v for k, v in %s]", g.gen(tDict, d))
	}
	if a := g.attrExpr(tInts, d); a != nil {
		return a
	}
	return g.list(tInts, tInt, d)
}

func (g *generator) genStrs(d int) *Node {
	switch g.pick(7) {
	case 0, 1:
		return g.list(tStrs, tStr, d)
	case 2:
		return expr(tStrs, "[s.upper() for s in %s]", g.gen(tStrs, d))
	case 3:
		return expr(tStrs, `%s.split(",")`, g.gen(tStr, d))
	case 4:
		return expr(tStrs, "sorted(%s)", g.gen(tStrs, d))
	case 5:
		return expr(tStrs, "[k for k in %s]", g.gen(tDict, d))
	}
	if a := g.attrExpr(tStrs, d); a != nil {
		return a
	}
	return g.list(tStrs, tStr, d)
}

func (g *generator) genDict(t string, d int) *Node {
	switch g.pick(6) {
	case 0:
		return g.binop(t, "|", g.gen(t, d), g.gen(t, d))
	case 1:
		return expr(t, "{k: v for k, v in %s}", g.gen(tDict, d))
	case 2:
		return expr(t, "{s: %s for s in %s}", g.gen(tInt, 0), g.gen(tStrs, d))
	}
	n := &Node{Open: "{", Shut: "}", Sep: ", ", Typ: t}
	keys := []string{"a", "b", "c", "name", "port", "y", "n", "on", "1x"}
	for i := 0; i < 1+g.pick(4); i++ {
		k := keys[g.pick(len(keys))]
		if strings.ContainsAny(k[:1], "0123456789") {
			k = fmt.Sprintf("%q", k)
		}
		vt := tInt
		if t == tAnyDict {
			vt = scalarTypes[g.pick(len(scalarTypes))]
		}
		var e *Node
		switch g.pick(10) {
		case 0:
			if t == tAnyDict {
				e = expr("entry", k+"."+keys[g.pick(3)]+" = %s", g.gen(vt, d))
				break
			}
			e = expr("entry", k+" = %s", g.gen(vt, d))
		case 1:
			e = expr("entry", "if %s: "+k+" = %s", g.gen(tBool, d), g.gen(vt, d))
		case 2:
			e = expr("entry", "**%s", g.gen(t, d))
		case 3:
			if t == tAnyDict {
				e = expr("entry", k+": %s", g.gen(tAnyDict, d))
				break
			}
			e = expr("entry", k+": %s", g.gen(vt, d))
		default:
			e = expr("entry", k+" = %s", g.gen(vt, d))
		}
		e.Removable = true
		n.Kids = append(n.Kids, e)
	}
	return n
}

// quantified is what a quantifier iterates: the reference parses only a name or a list literal there.
func (g *generator) quantified(d int) *Node {
	if vs := g.varsOf(tInts); len(vs) > 0 && g.chance(50) {
		g.useVar(vs[0])
		return expr(tInts, vs[g.pick(len(vs))])
	}
	return g.list(tInts, tInt, d)
}

// interpolated is what goes inside "${...}": a name or a number (a string literal or a config
// there would end the string).
func (g *generator) interpolated() *Node {
	var names []variable
	for _, v := range append(append([]variable{}, g.vars...), g.loopVars...) {
		if !strings.HasPrefix(v.name, "pkg.") {
			names = append(names, v)
		}
	}
	if len(names) == 0 || g.chance(20) {
		return g.literal([]string{tInt, tFloat}[g.pick(2)])
	}
	v := names[g.pick(len(names))]
	return expr(v.typ, v.name)
}

// attrExpr reads an attribute of type t from a schema value in scope, or returns nil.
func (g *generator) attrExpr(t string, d int) *Node {
	type cand struct{ v, a string }
	var cands []cand
	for _, v := range g.vars {
		for _, s := range g.schemas {
			if v.typ != s.name {
				continue
			}
			for _, a := range s.attrs {
				if a.typ == t && !a.optional {
					cands = append(cands, cand{v.name, a.name})
				}
			}
		}
	}
	if len(cands) == 0 {
		return nil
	}
	c := cands[g.pick(len(cands))]
	g.useVar(c.v)
	return expr(t, c.v+"."+c.a)
}

// callExpr calls a lambda in scope returning t, or returns nil.
func (g *generator) callExpr(t string, d int) *Node {
	var cands []lambdaDef
	for _, l := range g.lambdas {
		if l.ret == t {
			cands = append(cands, l)
		}
	}
	if len(cands) == 0 {
		return nil
	}
	l := cands[g.pick(len(cands))]
	args := make([]string, len(l.params))
	kids := make([]*Node, len(l.params))
	for i, p := range l.params {
		args[i] = "%s"
		kids[i] = g.gen(p, d)
	}
	return expr(t, l.name+"("+strings.Join(args, ", ")+")", kids...)
}
