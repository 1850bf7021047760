package check

import "strings"

// SchemaSummary is the first paragraph of a schema docstring (before its Attributes section).
func SchemaSummary(doc string) string {
	doc = strings.TrimSpace(doc)
	if i := strings.Index(doc, "\n\n"); i >= 0 {
		doc = doc[:i]
	}
	if i := strings.Index(doc, "\nAttributes\n"); i >= 0 {
		doc = doc[:i]
	}
	return strings.TrimSpace(doc)
}

// AttrDoc finds an attribute's description in a schema docstring written as the KCL
// packages write them (numpy style):
//
//	Attributes
//	----------
//	name : str, default is Undefined, optional
//	    The description.
func AttrDoc(schemaDoc, name string) string {
	lines := strings.Split(schemaDoc, "\n")
	for i, l := range lines {
		t := strings.TrimSpace(l)
		head, _, ok := strings.Cut(t, ":")
		if !ok || strings.TrimSpace(head) != name || indentOf(l) > indentOf(lines[max(i-1, 0)]) && i > 0 && strings.TrimSpace(lines[i-1]) != "" && !isAttrHead(lines[i-1]) && !strings.HasPrefix(strings.TrimSpace(lines[i-1]), "---") {
			continue
		}
		base := indentOf(l)
		var out []string
		for _, d := range lines[i+1:] {
			if strings.TrimSpace(d) == "" {
				break
			}
			if indentOf(d) <= base {
				break
			}
			out = append(out, strings.TrimSpace(d))
		}
		return strings.Join(out, "\n")
	}
	return ""
}

func isAttrHead(l string) bool {
	head, rest, ok := strings.Cut(strings.TrimSpace(l), " : ")
	return ok && head != "" && !strings.Contains(head, " ") && rest != ""
}

func indentOf(l string) int { return len(l) - len(strings.TrimLeft(l, " \t")) }
