package check

import (
	"sort"

	"github.com/kpm-dev/kpm/kcl/syntax"
)

// ObjKind says what a name denotes.
type ObjKind int

// Kinds of objects.
const (
	VarObj       ObjKind = iota // a variable (top-level, in a schema body, a loop variable)
	SchemaObj                   // a schema, mixin or protocol
	RuleObj                     // a rule
	ImportObj                   // the name an import binds
	TypeAliasObj                // type X = ...
	ParamObj                    // a lambda or schema parameter
	AttrObj                     // a schema attribute
	BuiltinObj                  // a builtin function
	MemberObj                   // a member of a standard module
)

var objKindNames = [...]string{"variable", "schema", "rule", "module", "type", "parameter", "attribute", "builtin", "function"}

func (k ObjKind) String() string { return objKindNames[k] }

// Object is a named entity: where it is declared, its type and documentation.
type Object struct {
	Name string
	Kind ObjKind
	File string      // declaring file; "" for builtins and standard modules
	Span syntax.Span // the name at its declaration
	Doc  string
	Pkg  *Package // declaring package; nil for builtins and standard modules

	// attributes
	Schema   *Schema // the schema declaring it (AttrObj), or the schema itself (SchemaObj)
	Default  string  // default value as written
	Optional bool
	Required bool // declared without `?` and without a default
	Typed    bool // declared with a type (`name: T`), so values given to it are checked

	busy    bool // resolve is running (the flags sit together: a large program has an object per global)
	used    bool // its type was asked while busy (see fileChecker.declValue)
	typ     Type
	resolve func() Type // computes typ on first use
	// a package variable's declaring statement (*syntax.AssignStmt or *syntax.UnificationStmt),
	// which gives its type on first use (see declType) and before its declaration (see early):
	// a statement, not two closures, for a large program's many globals
	decl syntax.Stmt
}

// Type is the object's type, computed on first use.
func (o *Object) Type() Type {
	if o.busy {
		o.used = true
	}
	if o.typ == nil && (o.resolve != nil || o.decl != nil) && !o.busy {
		o.busy = true
		if o.resolve != nil {
			o.typ = o.resolve()
		} else {
			o.typ = o.declType()
		}
		o.busy = false
	}
	if o.typ == nil {
		return Any
	}
	return o.typ
}

// Scope maps names to objects. Local scopes (schema bodies, lambdas, comprehensions) record
// the byte range of the file they cover, for lookups at a position.
type Scope struct {
	Parent   *Scope
	Names    map[string]*Object
	From, To int // byte offsets covered (local scopes)
	Schema   *Schema
	// fill enters the names on first use: a config literal's keys are objects only when a
	// name is looked up inside it (a large program has many literals whose values are constants)
	fill func(*Scope)
}

// filled runs fill, once.
func (s *Scope) filled() *Scope {
	if f := s.fill; f != nil {
		s.fill = nil
		f(s)
	}
	return s
}

func newScope(parent *Scope) *Scope { return &Scope{Parent: parent, Names: map[string]*Object{}} }

// Lookup finds a name in the scope or its parents.
func (s *Scope) Lookup(name string) *Object {
	for ; s != nil; s = s.Parent {
		if o, ok := s.filled().Names[name]; ok {
			return o
		}
		if s.Schema != nil {
			if a := s.Schema.Attr(name); a != nil {
				return a
			}
		}
	}
	return nil
}

// All lists the names visible from the scope, innermost first, each once.
func (s *Scope) All() []*Object {
	var out []*Object
	seen := map[string]bool{}
	for ; s != nil; s = s.Parent {
		var level []*Object
		for _, o := range s.filled().Names {
			level = append(level, o)
		}
		if s.Schema != nil {
			level = append(level, s.Schema.Attrs()...)
		}
		sort.Slice(level, func(i, j int) bool { return level[i].Name < level[j].Name })
		for _, o := range level {
			if !seen[o.Name] {
				seen[o.Name] = true
				out = append(out, o)
			}
		}
	}
	return out
}

func (s *Scope) insert(o *Object) *Object {
	if old, ok := s.Names[o.Name]; ok {
		return old
	}
	s.Names[o.Name] = o
	return o
}
