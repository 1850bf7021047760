package syntax

import (
	"fmt"
	"strconv"
	"strings"
)

// sx renders a node as a compact s-expression for table-driven tests.
func sx(n Node) string {
	if n == nil || isNilNode(n) {
		return "nil"
	}
	switch n := n.(type) {
	case *File:
		parts := make([]string, 0, len(n.Body))
		if n.Doc != nil {
			parts = append(parts, "(doc "+strconv.Quote(n.Doc.Value)+")")
		}
		for _, s := range n.Body {
			parts = append(parts, sx(s))
		}
		return strings.Join(parts, "\n")
	case *ImportStmt:
		s := "(import " + n.Path
		if n.AsName != nil {
			s += " as " + n.AsName.Name()
		}
		return s + ")"
	case *AssignStmt:
		s := "(= " + sxExprs(n.Targets)
		if n.Type != nil {
			s += " :" + sx(n.Type)
		}
		return s + " " + sx(n.Value) + ")"
	case *AugAssignStmt:
		return "(" + n.Op.String() + " " + sx(n.Target) + " " + sx(n.Value) + ")"
	case *UnificationStmt:
		return "(unify " + sx(n.Target) + " " + sx(n.Value) + ")"
	case *ExprStmt:
		return "(expr " + sx(n.X) + ")"
	case *IfStmt:
		s := "(if " + sx(n.Cond) + " " + sxStmts(n.Body)
		if n.Else != nil {
			s += " else " + sxStmts(n.Else)
		}
		return s + ")"
	case *AssertStmt:
		return "(assert " + sx(n.Test) + " " + sxOpt(n.If) + " " + sxOpt(n.Msg) + ")"
	case *TypeAliasStmt:
		return "(type " + sx(n.Name) + " " + sx(n.Type) + ")"
	case *SchemaStmt:
		s := "(" + n.Kind.String() + " " + sx(n.Name)
		for _, d := range n.Decorators {
			s += " " + sx(d)
		}
		if n.Params != nil {
			s += " [" + sxParams(n.Params) + "]"
		}
		if n.Parent != nil {
			s += " (" + sx(n.Parent) + ")"
		}
		if n.ForHost != nil {
			s += " for " + sx(n.ForHost)
		}
		if n.Doc != "" {
			s += " doc=" + strconv.Quote(n.Doc)
		}
		for _, m := range n.Mixins {
			s += " mixin=" + sx(m)
		}
		if n.IndexSignature != nil {
			s += " " + sx(n.IndexSignature)
		}
		for _, b := range n.Body {
			s += " " + sx(b)
		}
		for _, c := range n.Checks {
			s += " " + sx(c)
		}
		return s + ")"
	case *SchemaAttr:
		s := "(attr "
		for _, d := range n.Decorators {
			s += sx(d) + " "
		}
		if n.IsStringName {
			s += strconv.Quote(n.Name.Name())
		} else {
			s += sx(n.Name)
		}
		if n.Optional {
			s += "?"
		}
		s += " " + sx(n.Type)
		if n.Default != nil {
			s += " " + n.Op.String() + " " + sx(n.Default)
		}
		if n.DocLit != nil {
			s += " doc=" + strconv.Quote(n.Doc)
		}
		return s + ")"
	case *IndexSignature:
		s := "(index "
		if n.KeyName != nil {
			s += sx(n.KeyName) + ":"
		}
		if n.AnyOther {
			s += "..."
		}
		s += sx(n.KeyType) + " " + sx(n.ValueType)
		if n.Value != nil {
			s += " = " + sx(n.Value)
		}
		return s + ")"
	case *RuleStmt:
		s := "(rule " + sx(n.Name)
		for _, d := range n.Decorators {
			s += " " + sx(d)
		}
		if n.Params != nil {
			s += " [" + sxParams(n.Params) + "]"
		}
		for _, r := range n.ParentRules {
			s += " (" + sx(r) + ")"
		}
		if n.ForHost != nil {
			s += " for " + sx(n.ForHost)
		}
		if n.Doc != "" {
			s += " doc=" + strconv.Quote(n.Doc)
		}
		for _, c := range n.Checks {
			s += " " + sx(c)
		}
		return s + ")"
	case *BadStmt:
		return "(badstmt)"
	case *Param:
		s := sx(n.Name)
		if n.Type != nil {
			s += ":" + sx(n.Type)
		}
		if n.Default != nil {
			s += "=" + sx(n.Default)
		}
		return s
	case *Decorator:
		s := "@" + sx(n.Name)
		if n.HasCall {
			s += "(" + sxArgs(n.Args, n.Keywords) + ")"
		}
		return s
	case *Keyword:
		return sx(n.Name) + "=" + sx(n.Value)
	case *CheckExpr:
		return "(check " + sx(n.Test) + " " + sxOpt(n.IfCond) + " " + sxOpt(n.Msg) + ")"
	case *CompClause:
		s := "for " + sxIdents(n.Targets) + " in " + sx(n.Iter)
		for _, c := range n.Ifs {
			s += " if " + sx(c)
		}
		return s
	case *Ident:
		return n.Name()
	case *NumberLit:
		return n.Raw + n.Suffix
	case *StringLit:
		return strconv.Quote(n.Value)
	case *JoinedString:
		parts := make([]string, len(n.Parts))
		for i, p := range n.Parts {
			parts[i] = sx(p)
		}
		return "(str " + strings.Join(parts, " ") + ")"
	case *FormattedValue:
		if n.FormatSpec != "" {
			return "${" + sx(n.Value) + ":" + n.FormatSpec + "}"
		}
		return "${" + sx(n.Value) + "}"
	case *NameConstant:
		return n.Value.String()
	case *UnaryExpr:
		return "(" + n.Op.String() + " " + sx(n.X) + ")"
	case *BinaryExpr:
		return "(" + n.Op.String() + " " + sx(n.X) + " " + sx(n.Y) + ")"
	case *CompareExpr:
		s := "(cmp " + sx(n.Left)
		for i, op := range n.Ops {
			s += " " + op.String() + " " + sx(n.Comparators[i])
		}
		return s + ")"
	case *AsExpr:
		return "(as " + sx(n.X) + " " + sx(n.Type) + ")"
	case *IfExpr:
		return "(? " + sx(n.Cond) + " " + sx(n.Body) + " " + sx(n.Orelse) + ")"
	case *CallExpr:
		return "(call " + sx(n.Func) + " " + sxArgs(n.Args, n.Keywords) + ")"
	case *SelectorExpr:
		if n.HasQuestion {
			return "(?. " + sx(n.X) + " " + sx(n.Attr) + ")"
		}
		return "(. " + sx(n.X) + " " + sx(n.Attr) + ")"
	case *SubscriptExpr:
		op := "[]"
		if n.HasQuestion {
			op = "?[]"
		}
		if n.IsSlice {
			return "(" + op + " " + sx(n.X) + " " + sxOpt(n.Lower) + ":" + sxOpt(n.Upper) + ":" + sxOpt(n.Step) + ")"
		}
		return "(" + op + " " + sx(n.X) + " " + sx(n.Index) + ")"
	case *ParenExpr:
		return "(paren " + sx(n.X) + ")"
	case *ListExpr:
		return "[" + sxExprs(n.Elts) + "]"
	case *ListIfItem:
		s := "(if " + sx(n.Cond) + " " + sxExprs(n.Exprs)
		if n.Orelse != nil {
			s += " else " + sx(n.Orelse)
		}
		return s + ")"
	case *ListComp:
		s := "[" + sx(n.Elt)
		for _, g := range n.Generators {
			s += " " + sx(g)
		}
		return s + "]"
	case *ConfigExpr:
		parts := make([]string, len(n.Entries))
		for i, e := range n.Entries {
			parts[i] = sx(e)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case *ConfigEntry:
		if n.Key == nil {
			return sx(n.Value)
		}
		k := sx(n.Key)
		if n.InsertIndex != nil {
			k += "[" + sx(n.InsertIndex) + "]"
		}
		return k + " " + n.Op.String() + " " + sx(n.Value)
	case *ConfigIfEntry:
		parts := make([]string, len(n.Entries))
		for i, e := range n.Entries {
			parts[i] = sx(e)
		}
		s := "(if " + sx(n.Cond) + " " + strings.Join(parts, ", ")
		if n.Orelse != nil {
			s += " else " + sx(n.Orelse)
		}
		return s + ")"
	case *DictComp:
		s := "{" + sx(n.Key) + " " + n.Op.String() + " " + sx(n.Value)
		for _, g := range n.Generators {
			s += " " + sx(g)
		}
		return s + "}"
	case *StarredExpr:
		return "*" + sx(n.X)
	case *DoubleStarredExpr:
		return "**" + sx(n.X)
	case *SchemaExpr:
		s := "(new " + sx(n.Name)
		if n.Args != nil || n.Kwargs != nil {
			s += " (" + sxArgs(n.Args, n.Kwargs) + ")"
		}
		return s + " " + sx(n.Config) + ")"
	case *LambdaExpr:
		s := "(lambda [" + sxParams(n.Params) + "]"
		if n.ReturnType != nil {
			s += " -> " + sx(n.ReturnType)
		}
		return s + " " + sxStmts(n.Body) + ")"
	case *QuantExpr:
		s := "(" + n.Op.String() + " " + sxIdents(n.Vars) + " in " + sx(n.Target) + " " + sx(n.Test)
		if n.IfCond != nil {
			s += " if " + sx(n.IfCond)
		}
		return s + ")"
	case *BadExpr:
		return "(bad)"
	case *BasicType:
		return n.Name
	case *AnyType:
		return "any"
	case *NamedType:
		return sx(n.Name)
	case *ListType:
		return "[" + sxOptT(n.Elem) + "]"
	case *DictType:
		return "{" + sxOptT(n.Key) + ":" + sxOptT(n.Value) + "}"
	case *UnionType:
		parts := make([]string, len(n.Types))
		for i, t := range n.Types {
			parts[i] = sx(t)
		}
		return "(" + strings.Join(parts, "|") + ")"
	case *LiteralType:
		return "lit:" + sx(n.Value)
	case *FunctionType:
		parts := make([]string, len(n.Params))
		for i, t := range n.Params {
			parts[i] = sx(t)
		}
		return "((" + strings.Join(parts, ",") + ")->" + sxOptT(n.Result) + ")"
	case *BadType:
		return "(badtype)"
	}
	return fmt.Sprintf("<%T>", n)
}

func sxOpt(x Expr) string {
	if x == nil {
		return "_"
	}
	return sx(x)
}

func sxOptT(x TypeExpr) string {
	if x == nil {
		return ""
	}
	return sx(x)
}

func sxExprs(list []Expr) string {
	parts := make([]string, len(list))
	for i, x := range list {
		parts[i] = sx(x)
	}
	return strings.Join(parts, " ")
}

func sxIdents(list []*Ident) string {
	parts := make([]string, len(list))
	for i, x := range list {
		parts[i] = sx(x)
	}
	return strings.Join(parts, ",")
}

func sxStmts(list []Stmt) string {
	parts := make([]string, len(list))
	for i, x := range list {
		parts[i] = sx(x)
	}
	return "{" + strings.Join(parts, "; ") + "}"
}

func sxParams(list []*Param) string {
	parts := make([]string, len(list))
	for i, x := range list {
		parts[i] = sx(x)
	}
	return strings.Join(parts, ", ")
}

func sxArgs(args []Expr, kws []*Keyword) string {
	parts := make([]string, 0, len(args)+len(kws))
	for _, a := range args {
		parts = append(parts, sx(a))
	}
	for _, k := range kws {
		parts = append(parts, sx(k))
	}
	return strings.Join(parts, " ")
}
