package syntax

// Visitor's Visit is called for each node met by Walk. If it returns a
// non-nil Visitor w, Walk visits the node's children with w and then calls
// w.Visit(nil).
type Visitor interface {
	Visit(n Node) (w Visitor)
}

// Walk traverses the tree rooted at n depth-first, visiting children in
// source order (one exception: a schema's index signature is visited before
// its body statements). Nil children are skipped.
func Walk(v Visitor, n Node) {
	if n == nil || isNilNode(n) {
		return
	}
	if v = v.Visit(n); v == nil {
		return
	}
	switch n := n.(type) {
	case *File:
		walkOpt(v, n.Doc)
		walkStmts(v, n.Body)
	case *Comment, *BadStmt, *BadExpr, *BadType, *NumberLit, *StringLit,
		*NameConstant, *Ident, *BasicType, *AnyType:
		// leaves
	case *ImportStmt:
		walkOpt(v, n.AsName)
	case *AssignStmt:
		walkExprs(v, n.Targets)
		walkType(v, n.Type)
		walkExpr(v, n.Value)
	case *AugAssignStmt:
		walkExpr(v, n.Target)
		walkExpr(v, n.Value)
	case *UnificationStmt:
		walkOpt(v, n.Target)
		walkOpt(v, n.Value)
	case *ExprStmt:
		walkExpr(v, n.X)
	case *IfStmt:
		walkExpr(v, n.Cond)
		walkStmts(v, n.Body)
		walkStmts(v, n.Else)
	case *AssertStmt:
		walkExpr(v, n.Test)
		walkExpr(v, n.If)
		walkExpr(v, n.Msg)
	case *TypeAliasStmt:
		walkOpt(v, n.Name)
		walkType(v, n.Type)
	case *SchemaStmt:
		for _, d := range n.Decorators {
			Walk(v, d)
		}
		walkOpt(v, n.Name)
		for _, p := range n.Params {
			Walk(v, p)
		}
		walkOpt(v, n.Parent)
		walkOpt(v, n.ForHost)
		walkOpt(v, n.DocLit)
		for _, m := range n.Mixins {
			Walk(v, m)
		}
		walkOpt(v, n.IndexSignature)
		walkStmts(v, n.Body)
		for _, c := range n.Checks {
			Walk(v, c)
		}
	case *SchemaAttr:
		for _, d := range n.Decorators {
			Walk(v, d)
		}
		walkOpt(v, n.Name)
		walkType(v, n.Type)
		walkExpr(v, n.Default)
	case *IndexSignature:
		walkOpt(v, n.KeyName)
		walkType(v, n.KeyType)
		walkType(v, n.ValueType)
		walkExpr(v, n.Value)
	case *RuleStmt:
		for _, d := range n.Decorators {
			Walk(v, d)
		}
		walkOpt(v, n.Name)
		for _, p := range n.Params {
			Walk(v, p)
		}
		for _, p := range n.ParentRules {
			Walk(v, p)
		}
		walkOpt(v, n.ForHost)
		walkOpt(v, n.DocLit)
		for _, c := range n.Checks {
			Walk(v, c)
		}
	case *Param:
		walkOpt(v, n.Name)
		walkType(v, n.Type)
		walkExpr(v, n.Default)
	case *Decorator:
		walkOpt(v, n.Name)
		walkExprs(v, n.Args)
		for _, k := range n.Keywords {
			Walk(v, k)
		}
	case *Keyword:
		walkOpt(v, n.Name)
		walkExpr(v, n.Value)
	case *CheckExpr:
		walkExpr(v, n.Test)
		walkExpr(v, n.IfCond)
		walkExpr(v, n.Msg)
	case *CompClause:
		for _, t := range n.Targets {
			Walk(v, t)
		}
		walkExpr(v, n.Iter)
		walkExprs(v, n.Ifs)
	case *JoinedString:
		walkExprs(v, n.Parts)
	case *FormattedValue:
		walkExpr(v, n.Value)
	case *UnaryExpr:
		walkExpr(v, n.X)
	case *BinaryExpr:
		walkExpr(v, n.X)
		walkExpr(v, n.Y)
	case *CompareExpr:
		walkExpr(v, n.Left)
		walkExprs(v, n.Comparators)
	case *AsExpr:
		walkExpr(v, n.X)
		walkType(v, n.Type)
	case *IfExpr:
		walkExpr(v, n.Body)
		walkExpr(v, n.Cond)
		walkExpr(v, n.Orelse)
	case *CallExpr:
		walkExpr(v, n.Func)
		walkExprs(v, n.Args)
		for _, k := range n.Keywords {
			Walk(v, k)
		}
	case *SelectorExpr:
		walkExpr(v, n.X)
		walkOpt(v, n.Attr)
	case *SubscriptExpr:
		walkExpr(v, n.X)
		walkExpr(v, n.Index)
		walkExpr(v, n.Lower)
		walkExpr(v, n.Upper)
		walkExpr(v, n.Step)
	case *ParenExpr:
		walkExpr(v, n.X)
	case *ListExpr:
		walkExprs(v, n.Elts)
	case *ListIfItem:
		walkExpr(v, n.Cond)
		walkExprs(v, n.Exprs)
		walkExpr(v, n.Orelse)
	case *ListComp:
		walkExpr(v, n.Elt)
		for _, g := range n.Generators {
			Walk(v, g)
		}
	case *ConfigExpr:
		for _, e := range n.Entries {
			Walk(v, e)
		}
	case *ConfigEntry:
		walkExpr(v, n.Key)
		walkExpr(v, n.InsertIndex)
		walkExpr(v, n.Value)
	case *ConfigIfEntry:
		walkExpr(v, n.Cond)
		for _, e := range n.Entries {
			Walk(v, e)
		}
		walkExpr(v, n.Orelse)
	case *DictComp:
		walkExpr(v, n.Key)
		walkExpr(v, n.Value)
		for _, g := range n.Generators {
			Walk(v, g)
		}
	case *StarredExpr:
		walkExpr(v, n.X)
	case *DoubleStarredExpr:
		walkExpr(v, n.X)
	case *SchemaExpr:
		walkOpt(v, n.Name)
		walkExprs(v, n.Args)
		for _, k := range n.Kwargs {
			Walk(v, k)
		}
		walkExpr(v, n.Config)
	case *LambdaExpr:
		for _, p := range n.Params {
			Walk(v, p)
		}
		walkType(v, n.ReturnType)
		walkStmts(v, n.Body)
	case *QuantExpr:
		for _, x := range n.Vars {
			Walk(v, x)
		}
		walkExpr(v, n.Target)
		walkExpr(v, n.Test)
		walkExpr(v, n.IfCond)
	case *NamedType:
		walkOpt(v, n.Name)
	case *ListType:
		walkType(v, n.Elem)
	case *DictType:
		walkType(v, n.Key)
		walkType(v, n.Value)
	case *UnionType:
		for _, t := range n.Types {
			walkType(v, t)
		}
	case *LiteralType:
		walkExpr(v, n.Value)
	case *FunctionType:
		for _, t := range n.Params {
			walkType(v, t)
		}
		walkType(v, n.Result)
	}
	v.Visit(nil)
}

func walkStmts(v Visitor, list []Stmt) {
	for _, s := range list {
		if s != nil {
			Walk(v, s)
		}
	}
}

func walkExprs(v Visitor, list []Expr) {
	for _, x := range list {
		walkExpr(v, x)
	}
}

func walkExpr(v Visitor, x Expr) {
	if x != nil {
		Walk(v, x)
	}
}

func walkType(v Visitor, t TypeExpr) {
	if t != nil {
		Walk(v, t)
	}
}

// walkOpt walks a possibly nil pointer node.
func walkOpt(v Visitor, n Node) {
	if n != nil && !isNilNode(n) {
		Walk(v, n)
	}
}

// isNilNode reports whether n is an interface holding a nil pointer.
func isNilNode(n Node) bool {
	switch p := n.(type) {
	case *File:
		return p == nil
	case *Ident:
		return p == nil
	case *StringLit:
		return p == nil
	case *SchemaExpr:
		return p == nil
	case *IndexSignature:
		return p == nil
	}
	return false
}

type inspector func(Node) bool

func (f inspector) Visit(n Node) Visitor {
	if f(n) {
		return f
	}
	return nil
}

// Inspect traverses the tree rooted at n in depth-first order, calling f
// for each node and then f(nil) after its children. If f returns false the
// node's children are skipped.
func Inspect(n Node, f func(Node) bool) {
	Walk(inspector(f), n)
}
