package gen

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"strconv"
	"strings"
)

// FromGoStructs writes a KCL schema for every struct type declared in a Go source file, in file
// order. Attribute names come from a `kcl:"name=..,type=.."` tag, else the `json` tag, else the
// field name; every attribute is optional (Go fields always have a value). Embedded structs
// contribute their fields; unexported fields and `json:"-"` are skipped.
func FromGoStructs(filename string, src []byte) (string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filename, src, parser.ParseComments)
	if err != nil {
		return "", err
	}
	structs := map[string]*ast.StructType{}
	var order []*ast.TypeSpec
	docs := map[string]string{}
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, spec := range gd.Specs {
			ts := spec.(*ast.TypeSpec)
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				continue
			}
			structs[ts.Name.Name] = st
			order = append(order, ts)
			doc := ts.Doc
			if doc == nil && len(gd.Specs) == 1 {
				doc = gd.Doc
			}
			if doc != nil {
				docs[ts.Name.Name] = strings.TrimSpace(doc.Text())
			}
		}
	}
	var b strings.Builder
	b.WriteString(Header)
	for _, ts := range order {
		s := &schemaDef{name: ts.Name.Name, description: docs[ts.Name.Name]}
		if err := addGoFields(s, structs[ts.Name.Name], structs, 0); err != nil {
			return "", fmt.Errorf("%s: %w", ts.Name.Name, err)
		}
		writeSchema(&b, s)
	}
	return b.String(), nil
}

func addGoFields(s *schemaDef, st *ast.StructType, structs map[string]*ast.StructType, depth int) error {
	if depth > 16 {
		return fmt.Errorf("embedded structs nest too deeply")
	}
	for _, field := range st.Fields.List {
		tag := ""
		if field.Tag != nil {
			if t, err := strconv.Unquote(field.Tag.Value); err == nil {
				tag = t
			}
		}
		st := reflect.StructTag(tag)
		if len(field.Names) == 0 { // embedded
			if id, ok := field.Type.(*ast.Ident); ok && structs[id.Name] != nil {
				if err := addGoFields(s, structs[id.Name], structs, depth+1); err != nil {
					return err
				}
			}
			continue
		}
		for _, name := range field.Names {
			if !name.IsExported() {
				continue
			}
			attrName, typ := name.Name, ""
			if j, ok := st.Lookup("json"); ok {
				n, _, _ := strings.Cut(j, ",")
				if n == "-" {
					continue
				}
				if n != "" {
					attrName = n
				}
			}
			if k, ok := st.Lookup("kcl"); ok {
				for _, part := range strings.Split(k, ",") {
					key, val, _ := strings.Cut(part, "=")
					switch strings.TrimSpace(key) {
					case "name":
						attrName = strings.TrimSpace(val)
					case "type":
						typ = strings.TrimSpace(val)
					}
				}
			}
			if typ == "" {
				typ = goType(field.Type)
			}
			doc := ""
			if field.Doc != nil {
				doc = strings.TrimSpace(field.Doc.Text())
			} else if field.Comment != nil {
				doc = strings.TrimSpace(field.Comment.Text())
			}
			s.attrs = append(s.attrs, attrDef{name: FormatName(attrName), typ: typ, doc: doc})
		}
	}
	return nil
}

// goType maps a Go type expression to a KCL type.
func goType(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.Ident:
		switch t.Name {
		case "string", "byte", "rune":
			if t.Name == "string" {
				return "str"
			}
			return "int"
		case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr":
			return "int"
		case "float32", "float64":
			return "float"
		case "bool":
			return "bool"
		case "any":
			return "any"
		}
		return t.Name
	case *ast.StarExpr:
		return goType(t.X)
	case *ast.ArrayType:
		if id, ok := t.Elt.(*ast.Ident); ok && id.Name == "byte" {
			return "str"
		}
		return "[" + goType(t.Elt) + "]"
	case *ast.MapType:
		return "{" + goType(t.Key) + ":" + goType(t.Value) + "}"
	case *ast.InterfaceType:
		return "any"
	case *ast.SelectorExpr:
		if x, ok := t.X.(*ast.Ident); ok && x.Name == "time" && (t.Sel.Name == "Time" || t.Sel.Name == "Duration") {
			if t.Sel.Name == "Duration" {
				return "int"
			}
			return "str"
		}
		return "any"
	}
	return "any"
}
