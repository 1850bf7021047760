// Package syntax is the front end of kpm's KCL engine: a scanner, a parser
// and the syntax tree for the whole KCL language. It only turns bytes into a
// tree (or into positioned errors); it never resolves names, imports or
// types, never evaluates, never touches the file system and never prints.
//
// Entry point: ParseFile(filename, src) (*File, []Error).
//
// Every node embeds a Span (From, To positions with line, column and byte
// offset). Statements implement Stmt, expressions Expr, type annotations
// TypeExpr. Optional children are nil when absent.
package syntax

// Node is any syntax tree node.
type Node interface {
	Pos() Pos // first byte of the node
	End() Pos // position just after the node
	span() Span
}

// Stmt is a statement node.
type Stmt interface {
	Node
	stmtNode()
}

// Expr is an expression node.
type Expr interface {
	Node
	exprNode()
}

// TypeExpr is a type annotation node (`int`, `[str]`, `{str:int}`, `A | B`,
// `"a" | "b"`, `(int) -> str`, ...).
type TypeExpr interface {
	Node
	typeNode()
}

// ---------------------------------------------------------------------------
// File, comments

// File is one parsed KCL source file (a module).
//   - Filename: the name given to ParseFile, used in positions and errors.
//   - Doc: the module docstring (a leading string literal statement), or nil.
//     When present it is not repeated in Body.
//   - Body: the top-level statements in source order.
//   - Comments: every `#` comment in the file, in source order (for tools:
//     formatters, hover); the parser does not attach them to nodes.
type File struct {
	Span
	Filename string
	Doc      *StringLit
	Body     []Stmt
	Comments []*Comment

	lazy *lazyBody // with ParseFileFunc: what parses released statements again
}

// Comment is a `# ...` line comment. Text includes the leading '#'.
type Comment struct {
	Span
	Text string
}

// ---------------------------------------------------------------------------
// Statements

// ImportStmt is `import a.b.c`, `import a.b as c` or a relative import
// `import .a`, `import ..a.b`.
//   - Path: the dotted path as written, including leading dots ("..a.b").
//   - PathSpan: where the path is written.
//   - Level: number of leading dots (0 for absolute imports).
//   - AsName: the `as` alias, or nil.
//   - Name: the name the import binds in the module: AsName when present,
//     otherwise the last path component.
type ImportStmt struct {
	Span
	Path     string
	PathSpan Span
	Level    int
	AsName   *Ident
	Name     string
}

// AssignStmt is `a = 1`, `a = b = 1`, `a: int = 1`, `a.b.c = 1`, `a[0] = 1`.
//   - Targets: one per `=`, left to right. Each is an *Ident (possibly
//     dotted: `a.b.c`), *SelectorExpr or *SubscriptExpr.
//   - Type: the annotation after `:` (only with a single target), or nil.
//   - Value: the assigned expression.
type AssignStmt struct {
	Span
	Targets []Expr
	Type    TypeExpr
	Value   Expr
}

// AugAssignStmt is `a += 1` and friends.
//   - Target: *Ident, *SelectorExpr or *SubscriptExpr.
//   - Op: the assignment token (ADD_ASSIGN, OR_ASSIGN, ...); Op.BinaryOf()
//     gives the binary operator.
//   - Value: right-hand side.
type AugAssignStmt struct {
	Span
	Target Expr
	Op     Token
	OpPos  Pos
	Value  Expr
}

// UnificationStmt is `a: Schema {…}` (declare and unify with a schema
// instance). Target is the (possibly dotted) name; Value the schema
// expression, whose Name is the schema type.
type UnificationStmt struct {
	Span
	Target *Ident
	Value  *SchemaExpr
}

// ExprStmt is an expression on its own line (e.g. a call, or a bare schema
// instance). X is the expression (one: the toolchain refuses `a, b`).
type ExprStmt struct {
	Span
	X Expr
}

// IfStmt is `if Cond: Body [elif ...] [else: Else]`.
//   - Cond: the condition.
//   - Body: statements of the `if` branch.
//   - Else: statements of the `else` branch; an `elif` is represented as
//     a single nested *IfStmt in Else with IsElif set. Nil when absent.
//   - IsElif: true when this IfStmt came from an `elif` clause.
type IfStmt struct {
	Span
	Cond   Expr
	Body   []Stmt
	Else   []Stmt
	IsElif bool
}

// AssertStmt is `assert Test [if If] [, Msg]`.
type AssertStmt struct {
	Span
	Test Expr
	If   Expr // nil when absent
	Msg  Expr // nil when absent
}

// TypeAliasStmt is `type Name = Type`.
type TypeAliasStmt struct {
	Span
	Name *Ident
	Type TypeExpr
}

// SchemaKind distinguishes `schema`, `mixin` and `protocol` statements.
type SchemaKind int

// Schema kinds.
const (
	KindSchema SchemaKind = iota
	KindMixin
	KindProtocol
)

func (k SchemaKind) String() string {
	switch k {
	case KindMixin:
		return "mixin"
	case KindProtocol:
		return "protocol"
	}
	return "schema"
}

// SchemaStmt is a `schema`, `mixin` or `protocol` definition:
//
//		@decorator(...)
//		schema Name[params](Parent) for Protocol:
//		    """Doc"""
//		    mixin [AMixin, pkg.BMixin]
//		    attr?: type = default
//		    [key: str]: type = default
//		    ordinary statements (assignments, if, assert, ...)
//		    check:
//		        test if cond, "msg"
//
//	  - Kind: schema, mixin (`mixin XMixin for P:`) or protocol.
//	  - Doc / DocLit: the docstring value and literal (DocLit nil when absent).
//	  - Name: the schema name (single, undotted *Ident).
//	  - Params: parameters from `[...]`, nil when absent.
//	  - Parent: the base schema from `(Base)`, or nil.
//	  - ForHost: the protocol from `for P`, or nil.
//	  - Mixins: names listed in the `mixin [...]` statement.
//	  - Decorators: `@...` lines before the header.
//	  - Body: attributes (*SchemaAttr) and ordinary statements in order.
//	  - IndexSignature: the `[k: K]: V` declaration, or nil.
//	  - Checks: expressions of the `check:` block.
type SchemaStmt struct {
	Span
	Kind           SchemaKind
	Doc            string
	DocLit         *StringLit
	Name           *Ident
	Params         []*Param
	Parent         *Ident
	ForHost        *Ident
	Mixins         []*Ident
	Decorators     []*Decorator
	Body           []Stmt
	IndexSignature *IndexSignature
	Checks         []*CheckExpr
}

// SchemaAttr declares a schema attribute: `[@decorators] name[?]: Type [= Default]`.
//   - Doc / DocLit: the docstring: a string statement directly after the
//     attribute (DocLit nil when absent). That statement also stays in the
//     schema's Body, where it is an ordinary *ExprStmt, and Walk visits it
//     there (not from the attribute, whose span ends before it).
//   - Name: attribute name (single *Ident; for a quoted name such as
//     "content-type" or "a.b", Names[0] is the string's value, the span is
//     the string literal's, and IsStringName is set).
//   - Optional: the `?` marker.
//   - Type: the declared type (never nil for a valid attribute).
//   - Op: ASSIGN (`=`) or an augmented assignment (usually OR_ASSIGN `|=`;
//     the grammar allows any, e.g. `+=`) when Default is present, else ILLEGAL.
//   - Default: the default value, or nil.
//   - Decorators: `@...` lines before the attribute.
type SchemaAttr struct {
	Span
	Doc          string
	DocLit       *StringLit
	Name         *Ident
	IsStringName bool
	Optional     bool
	Type         TypeExpr
	Op           Token
	Default      Expr
	Decorators   []*Decorator
}

// IndexSignature is `[KeyName: KeyType]: ValueType [= Value]` in a schema,
// or `[...KeyType]: ValueType` with AnyOther (`...`) set.
//   - KeyName: the bound key variable, or nil.
//   - KeyType, ValueType: the types.
//   - Value: default value expression, or nil.
//   - AnyOther: the `...` marker (other attributes are allowed too).
type IndexSignature struct {
	Span
	KeyName   *Ident
	KeyType   TypeExpr
	ValueType TypeExpr
	Value     Expr
	AnyOther  bool
}

// RuleStmt is a rule definition:
//
//	@decorator
//	rule Name[params](ParentRule, pkg.Other) for Protocol:
//	    """Doc"""
//	    test if cond, "msg"
//
// Fields are as for SchemaStmt; Checks holds the body expressions.
type RuleStmt struct {
	Span
	Doc         string
	DocLit      *StringLit
	Name        *Ident
	Params      []*Param
	ParentRules []*Ident
	ForHost     *Ident
	Decorators  []*Decorator
	Checks      []*CheckExpr
}

// BadStmt stands for a statement that failed to parse; an Error was
// reported for it. Evaluators should never see one (ParseFile returned errors).
type BadStmt struct {
	Span
}

func (*ImportStmt) stmtNode()      {}
func (*AssignStmt) stmtNode()      {}
func (*AugAssignStmt) stmtNode()   {}
func (*UnificationStmt) stmtNode() {}
func (*ExprStmt) stmtNode()        {}
func (*IfStmt) stmtNode()          {}
func (*AssertStmt) stmtNode()      {}
func (*TypeAliasStmt) stmtNode()   {}
func (*SchemaStmt) stmtNode()      {}
func (*SchemaAttr) stmtNode()      {}
func (*RuleStmt) stmtNode()        {}
func (*BadStmt) stmtNode()         {}

// ---------------------------------------------------------------------------
// Shared pieces

// Param is a schema, rule or lambda parameter: `name[: Type][= Default]`.
type Param struct {
	Span
	Name    *Ident
	Type    TypeExpr // nil when absent
	Default Expr     // nil when absent
}

// Decorator is `@Name` or `@Name(args, key=value)` before a schema, rule or
// attribute. Name may be dotted. HasCall reports whether parentheses were
// written.
type Decorator struct {
	Span
	Name     *Ident
	Args     []Expr
	Keywords []*Keyword
	HasCall  bool
}

// Keyword is a `name=value` call argument.
type Keyword struct {
	Span
	Name  *Ident
	Value Expr
}

// CheckExpr is one line of a `check:` block or of a rule body:
// `Test [if IfCond] [, Msg]`.
type CheckExpr struct {
	Span
	Test   Expr
	IfCond Expr // nil when absent
	Msg    Expr // nil when absent
}

// CompClause is one `for Targets in Iter [if Cond]*` clause of a
// comprehension. Targets has one or two names (`for k, v in d`).
type CompClause struct {
	Span
	Targets []*Ident
	Iter    Expr
	Ifs     []Expr
}

// ---------------------------------------------------------------------------
// Expressions

// Ident is a name or a dotted name `a.b.c` (KCL parses an undecorated chain
// of names as one identifier; the evaluator decides whether `a` is a
// package, a variable or a schema).
//   - Names: the components, without `$` escapes (`$if` gives "if").
//   - NameSpans: the span of each component.
type Ident struct {
	Span
	Names     []string
	NameSpans []Span
}

// Name returns the dotted name ("a.b.c").
func (x *Ident) Name() string {
	switch len(x.Names) {
	case 0:
		return ""
	case 1:
		return x.Names[0]
	}
	n := 0
	for _, s := range x.Names {
		n += len(s) + 1
	}
	b := make([]byte, 0, n)
	for i, s := range x.Names {
		if i > 0 {
			b = append(b, '.')
		}
		b = append(b, s...)
	}
	return string(b)
}

// NumberLit is an integer or float literal, optionally with a unit suffix.
//   - Raw: the source text without the suffix ("0x1F", "1.5").
//   - IsFloat: float literal.
//   - Int: the value of an integer literal (before applying the suffix).
//   - Float: the value of a float literal (before applying the suffix).
//   - Suffix: "" or one of n u m k K M G T P Ki Mi Gi Ti Pi.
type NumberLit struct {
	Span
	Raw     string
	IsFloat bool
	Int     int64
	Float   float64
	Suffix  string
}

// StringLit is a string literal without interpolation.
//   - Value: the decoded value (escapes processed unless raw).
//   - Raw: the source text including prefix and quotes.
//   - IsLong: triple-quoted.
//   - IsRaw: r/R prefix.
//   - Quote: '\” or '"'.
type StringLit struct {
	Span
	Value  string
	Raw    string
	IsLong bool
	IsRaw  bool
	Quote  byte
}

// JoinedString is a string literal with `${...}` interpolation:
// "Hello ${name}, ${n: #x}".
//   - Parts: in order, *StringLit (literal text, Raw empty) and
//     *FormattedValue.
//   - Raw, IsLong, Quote: as for StringLit.
type JoinedString struct {
	Span
	Parts  []Expr
	Raw    string
	IsLong bool
	Quote  byte
}

// FormattedValue is one `${Value}` or `${Value: FormatSpec}` part of a
// JoinedString. FormatSpec is the text after the colon, trimmed of spaces
// ("" when absent), e.g. "#yaml" or "#json".
type FormattedValue struct {
	Span
	Value      Expr
	FormatSpec string
}

// ConstKind is the value of a NameConstant.
type ConstKind int

// Name constants.
const (
	ConstTrue ConstKind = iota
	ConstFalse
	ConstNone
	ConstUndefined
)

func (k ConstKind) String() string {
	switch k {
	case ConstTrue:
		return "True"
	case ConstFalse:
		return "False"
	case ConstNone:
		return "None"
	}
	return "Undefined"
}

// NameConstant is True, False, None or Undefined.
type NameConstant struct {
	Span
	Value ConstKind
}

// UnaryExpr is `Op X` with Op one of ADD (+x), SUB (-x), INVERT (~x), KW_NOT (not x).
type UnaryExpr struct {
	Span
	Op Token
	X  Expr
}

// BinaryExpr is `X Op Y`. Op is one of ADD SUB MUL DIV FLOORDIV MOD POW SHL
// SHR AND OR XOR KW_AND KW_OR. (`|` between types in a value position is OR.)
type BinaryExpr struct {
	Span
	X     Expr
	Op    Token
	OpPos Pos
	Y     Expr
}

// CompareExpr is a comparison chain `Left Ops[0] Comparators[0] Ops[1] ...`
// (`a < b <= c` means a < b and b <= c). Ops are LT GT LE GE EQ NE IN
// NOT_IN IS IS_NOT.
type CompareExpr struct {
	Span
	Left        Expr
	Ops         []Token
	Comparators []Expr
}

// IfExpr is the conditional `Body if Cond else Orelse`.
type IfExpr struct {
	Span
	Body   Expr
	Cond   Expr
	Orelse Expr
}

// AsExpr is the type conversion `X as Type`, e.g. `_foo as Foo` (KCL's
// lowest-precedence binary operator: `a or b as T` converts `a or b`; a
// conditional expression takes it whole: `x as T if c else y`).
type AsExpr struct {
	Span
	X     Expr
	AsPos Pos // position of the `as` keyword
	Type  TypeExpr
}

// CallExpr is `Func(Args..., Keywords...)`. Positional arguments may be
// *StarredExpr, keyword arguments may not repeat (not checked here).
type CallExpr struct {
	Span
	Func     Expr
	Args     []Expr
	Keywords []*Keyword
	Lparen   Pos
	Rparen   Pos
}

// SelectorExpr is `X.Attr` or `X?.Attr` where X is not a plain name chain
// (plain chains are a dotted *Ident). HasQuestion is set for `?.`.
type SelectorExpr struct {
	Span
	X           Expr
	Attr        *Ident // single name
	HasQuestion bool
}

// SubscriptExpr is `X[Index]`, a slice `X[Lower:Upper:Step]`, or the
// None-safe forms `X?[...]`.
//   - Index: set for an index expression (IsSlice false).
//   - Lower, Upper, Step: slice bounds, each nil when omitted.
//   - IsSlice: a colon was written.
//   - HasQuestion: `?[` was written.
type SubscriptExpr struct {
	Span
	X           Expr
	Index       Expr
	Lower       Expr
	Upper       Expr
	Step        Expr
	IsSlice     bool
	HasQuestion bool
}

// ParenExpr is `(X)`.
type ParenExpr struct {
	Span
	X Expr
}

// Unparen returns the expression inside any parentheses around x.
func Unparen(x Expr) Expr {
	for {
		p, ok := x.(*ParenExpr)
		if !ok {
			return x
		}
		x = p.X
	}
}

// ListExpr is `[Elts...]`. Elements may be *StarredExpr (`*x`) and
// *ListIfItem (`if c: a, b`).
type ListExpr struct {
	Span
	Elts []Expr
}

// ListIfItem is an inline conditional inside a list literal:
// `[1, if c: 2, 3 elif d: 4 else: 5]`.
//   - Cond: the condition.
//   - Exprs: elements added when Cond holds (may include *StarredExpr).
//   - Orelse: nil, a nested *ListIfItem for `elif`, or a *ListExpr holding
//     the `else` elements.
type ListIfItem struct {
	Span
	Cond   Expr
	Exprs  []Expr
	Orelse Expr
}

// ListComp is `[Elt for ... in ... if ...]`.
type ListComp struct {
	Span
	Elt        Expr
	Generators []*CompClause
}

// ConfigOp is the operation of a config entry.
type ConfigOp int

// Config entry operations.
const (
	OpUnion    ConfigOp = iota // key: value   (merge / unify)
	OpOverride                 // key = value  (replace)
	OpInsert                   // key += value (append to list)
)

func (o ConfigOp) String() string {
	switch o {
	case OpOverride:
		return "="
	case OpInsert:
		return "+="
	}
	return ":"
}

// ConfigExpr is a dict/config literal `{ a: 1, b = 2, c += [3], "d.e": 4,
// **base, if x: f = 5 }`. Entries are in source order.
type ConfigExpr struct {
	Span
	Entries []*ConfigEntry
}

// ConfigEntry is one entry of a ConfigExpr or ConfigIfEntry.
//   - Key: the key: *Ident (possibly dotted `a.b.c`, meaning nested
//     configs), *StringLit, *JoinedString, or any other expression (e.g. a
//     number or a parenthesised expression). Nil for `**x` unpacking
//     (Value is *DoubleStarredExpr) and for inline `if` entries (Value is
//     *ConfigIfEntry).
//   - Value: the value.
//   - Op: OpUnion (`:`), OpOverride (`=`) or OpInsert (`+=`).
//   - InsertIndex: for `key[i] += value`, the index expression i; else nil.
type ConfigEntry struct {
	Span
	Key         Expr
	Value       Expr
	Op          ConfigOp
	InsertIndex Expr
}

// ConfigIfEntry is an inline conditional inside a config literal:
// `{ if c: a = 1, b = 2 elif d: a = 3 else: a = 4 }`.
//   - Cond: the condition.
//   - Entries: entries added when Cond holds (may contain nested if
//     entries and `**` unpacking).
//   - Orelse: nil, a nested *ConfigIfEntry for `elif`, or a *ConfigExpr
//     holding the `else` entries.
type ConfigIfEntry struct {
	Span
	Cond    Expr
	Entries []*ConfigEntry
	Orelse  Expr
}

// DictComp is `{Key: Value for ... in ...}` (Op is the entry operation,
// usually OpUnion).
type DictComp struct {
	Span
	Key        Expr
	Value      Expr
	Op         ConfigOp
	Generators []*CompClause
}

// StarredExpr is `*X` (list unpacking, positional argument unpacking).
type StarredExpr struct {
	Span
	X Expr
}

// DoubleStarredExpr is `**X` (config unpacking).
type DoubleStarredExpr struct {
	Span
	X Expr
}

// SchemaExpr instantiates a schema: `Name {…}` or `Name(args, k=v) {…}`.
//   - Name: the schema name, possibly dotted (`pkg.Person`).
//   - Args, Kwargs: the schema arguments (nil when no parentheses).
//   - Config: the *ConfigExpr (or *DictComp) body.
type SchemaExpr struct {
	Span
	Name   *Ident
	Args   []Expr
	Kwargs []*Keyword
	Config Expr
}

// LambdaExpr is `lambda Params [-> ReturnType] { Body }`. The value of the
// last expression statement in Body is the result.
type LambdaExpr struct {
	Span
	Params     []*Param
	ReturnType TypeExpr // nil when absent
	Body       []Stmt
}

// QuantOp is the operator of a quantifier expression.
type QuantOp int

// Quantifier operators.
const (
	QuantAll QuantOp = iota
	QuantAny
	QuantMap
	QuantFilter
)

func (q QuantOp) String() string {
	switch q {
	case QuantAny:
		return "any"
	case QuantMap:
		return "map"
	case QuantFilter:
		return "filter"
	}
	return "all"
}

// QuantExpr is `Op Vars in Target { Test [if IfCond] }`, e.g.
// `all x in xs { x > 0 }`, `map k, v in d { v }`.
//   - Vars: one or two loop variables.
//   - Target: the iterated collection.
//   - Test: the body expression.
//   - IfCond: the optional filter after `if`, or nil.
type QuantExpr struct {
	Span
	Op     QuantOp
	Vars   []*Ident
	Target Expr
	Test   Expr
	IfCond Expr
}

// BadExpr stands for an expression that failed to parse; an Error was
// reported for it.
type BadExpr struct {
	Span
}

func (*Ident) exprNode()             {}
func (*NumberLit) exprNode()         {}
func (*StringLit) exprNode()         {}
func (*JoinedString) exprNode()      {}
func (*FormattedValue) exprNode()    {}
func (*NameConstant) exprNode()      {}
func (*UnaryExpr) exprNode()         {}
func (*BinaryExpr) exprNode()        {}
func (*CompareExpr) exprNode()       {}
func (*IfExpr) exprNode()            {}
func (*AsExpr) exprNode()            {}
func (*CallExpr) exprNode()          {}
func (*SelectorExpr) exprNode()      {}
func (*SubscriptExpr) exprNode()     {}
func (*ParenExpr) exprNode()         {}
func (*ListExpr) exprNode()          {}
func (*ListIfItem) exprNode()        {}
func (*ListComp) exprNode()          {}
func (*ConfigExpr) exprNode()        {}
func (*ConfigIfEntry) exprNode()     {}
func (*DictComp) exprNode()          {}
func (*StarredExpr) exprNode()       {}
func (*DoubleStarredExpr) exprNode() {}
func (*SchemaExpr) exprNode()        {}
func (*LambdaExpr) exprNode()        {}
func (*QuantExpr) exprNode()         {}
func (*BadExpr) exprNode()           {}

// ---------------------------------------------------------------------------
// Types

// BasicType is one of the built-in scalar types: Name is "int", "float",
// "str" or "bool".
type BasicType struct {
	Span
	Name string
}

// AnyType is the `any` type.
type AnyType struct {
	Span
}

// NamedType is a schema (or type alias) name, possibly dotted: `Person`,
// `pkg.Person`.
type NamedType struct {
	Span
	Name *Ident
}

// ListType is `[Elem]`; Elem is nil for `[]` (list of any).
type ListType struct {
	Span
	Elem TypeExpr
}

// DictType is `{Key: Value}`. Key, Value or both may be nil, meaning any:
// `{}`, `{:}`, `{str:}` (KCL's spelling of {str:any}) and `{:int}`.
type DictType struct {
	Span
	Key   TypeExpr
	Value TypeExpr
}

// UnionType is `A | B | C` (at least two Types, flattened).
type UnionType struct {
	Span
	Types []TypeExpr
}

// LiteralType is a literal used as a type: `"a"`, `1`, `1.5`, `True`,
// `False`, `None`, `Undefined`. Value is a *StringLit, *NumberLit or
// *NameConstant (a negative number is a *UnaryExpr with Op SUB).
type LiteralType struct {
	Span
	Value Expr
}

// FunctionType is `(Params...) -> Result`; Result is nil when the arrow is
// omitted (`(int, str)`), meaning any.
type FunctionType struct {
	Span
	Params []TypeExpr
	Result TypeExpr
}

// BadType stands for a type annotation that failed to parse.
type BadType struct {
	Span
}

func (*BasicType) typeNode()    {}
func (*AnyType) typeNode()      {}
func (*NamedType) typeNode()    {}
func (*ListType) typeNode()     {}
func (*DictType) typeNode()     {}
func (*UnionType) typeNode()    {}
func (*LiteralType) typeNode()  {}
func (*FunctionType) typeNode() {}
func (*BadType) typeNode()      {}
