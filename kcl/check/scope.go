package check

import (
	"sort"

	"github.com/kpm-dev/kpm/kcl/syntax"
)

// ObjKind says what a name denotes.
type ObjKind uint8

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
//
// A large program has an object per global, so an object is small (80 bytes): what only
// attributes, schemas, imports and the like need is behind one pointer (objectMore), and a
// package variable finds its declaring statement by its index in its file, and its file and
// package through one pointer.
type Object struct {
	Name string
	Span syntax.Span // the name at its declaration
	unit *fileUnit   // the declaring file; nil for builtins and standard modules
	typ  Type
	Kind ObjKind
	busy bool  // resolve or declType is running
	used bool  // its type was asked while busy (see fileChecker.declValue)
	sets uint8 // top-level statements setting the name, for an object of a package scope (see Package.settings); saturates
	// 1 + the index in its file's Body of the top-level statement declaring a package
	// variable (an assignment or unification, or an if holding it), which gives its type on
	// first use (see declType) and before its declaration (see early); 0 for other objects
	decl int32
	more *objectMore
}

// objectMore is what objects other than plain variables may have.
type objectMore struct {
	doc      string
	schema   *Schema // the schema declaring it (AttrObj), or the schema itself (SchemaObj)
	deflt    string  // default value as written
	optional bool
	required bool        // declared without `?` and without a default
	typed    bool        // declared with a type (`name: T`), so values given to it are checked
	resolve  func() Type // computes typ on first use
}

// File is the file declaring the object; "" for builtins and standard modules.
func (o *Object) File() string {
	if o.unit == nil {
		return ""
	}
	return o.unit.path
}

// Pkg is the package declaring the object; nil for builtins and standard modules.
func (o *Object) Pkg() *Package {
	if o.unit == nil {
		return nil
	}
	return o.unit.pkg
}

// Doc is the object's documentation.
func (o *Object) Doc() string {
	if o.more == nil {
		return ""
	}
	return o.more.doc
}

// Schema is the schema declaring an attribute (AttrObj), or the schema itself (SchemaObj).
func (o *Object) Schema() *Schema {
	if o.more == nil {
		return nil
	}
	return o.more.schema
}

// Default is an attribute's default value as written.
func (o *Object) Default() string {
	if o.more == nil {
		return ""
	}
	return o.more.deflt
}

// Optional reports an attribute declared with `?`.
func (o *Object) Optional() bool { return o.more != nil && o.more.optional }

// Required reports an attribute declared without `?` and without a default.
func (o *Object) Required() bool { return o.more != nil && o.more.required }

// Typed reports an attribute declared with a type (`name: T`), so values given to it are checked.
func (o *Object) Typed() bool { return o.more != nil && o.more.typed }

func (o *Object) resolver() func() Type {
	if o.more == nil {
		return nil
	}
	return o.more.resolve
}

// Type is the object's type, computed on first use.
func (o *Object) Type() Type {
	if o.busy {
		o.used = true
	}
	if o.typ == nil && !o.busy {
		if resolve := o.resolver(); resolve != nil {
			o.busy = true
			o.typ = resolve()
			o.busy = false
		} else if o.decl != 0 {
			o.busy = true
			o.typ = o.declType()
			o.busy = false
		}
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
