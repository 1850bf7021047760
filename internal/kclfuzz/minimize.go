package kclfuzz

// slot is one place in a program that holds a node: element i of a statement list, a body or a
// node's kids.
type slot struct {
	list      *[]*Node
	i         int
	removable bool
}

// slots lists a program's places in a fixed order (file by file, depth first).
func slots(p *Program) []slot {
	var out []slot
	var walk func(list *[]*Node, removable func(*Node) bool)
	walk = func(list *[]*Node, removable func(*Node) bool) {
		for i := range *list {
			n := (*list)[i]
			out = append(out, slot{list: list, i: i, removable: removable(n)})
			walk(&n.Kids, func(k *Node) bool { return k.Removable })
			walk(&n.Body, func(*Node) bool { return true })
		}
	}
	for _, name := range p.Names() {
		walk(&p.Files[name].Stmts, func(*Node) bool { return true })
	}
	return out
}

// Minimize shrinks a program while keep still holds for it: first whole statements (in chunks,
// then one by one), then list items and config entries, then each expression in favour of one of
// its operands of the same type or of a plain literal. It makes at most budget calls to keep.
func Minimize(p *Program, keep func(*Program) bool, budget int) *Program {
	calls := 0
	try := func(c *Program) bool {
		if calls >= budget {
			return false
		}
		calls++
		return keep(c)
	}
	// whole top-level statements, in halving chunks
	for _, name := range p.Names() {
		for chunk := len(p.Files[name].Stmts) / 2; chunk >= 1; chunk /= 2 {
			for start := 0; start < len(p.Files[name].Stmts); {
				c := p.clone()
				f := c.Files[name].Stmts
				end := min(start+chunk, len(f))
				c.Files[name].Stmts = append(f[:start:start], f[end:]...)
				if try(c) {
					p = c
					continue
				}
				start += chunk
			}
		}
	}
	for changed := true; changed && calls < budget; {
		changed = false
		n := len(slots(p))
		for j := 0; j < n && calls < budget; j++ {
			for _, mutate := range []mutation{removeSlot, replaceByKid, replaceByLiteral} {
				for alt := 0; ; alt++ {
					c := p.clone()
					ss := slots(c)
					if j >= len(ss) || !mutate(ss[j], alt) {
						break
					}
					if try(c) {
						p, changed = c, true
						n = len(slots(p))
						break
					}
				}
			}
		}
	}
	return p
}

// A mutation changes the node in a slot in its alt-th way, or reports that it has no such way.
type mutation func(s slot, alt int) bool

func removeSlot(s slot, alt int) bool {
	if !s.removable || alt > 0 {
		return false
	}
	*s.list = append((*s.list)[:s.i:s.i], (*s.list)[s.i+1:]...)
	return true
}

// replaceByKid puts the alt-th operand of the same type in the expression's place.
func replaceByKid(s slot, alt int) bool {
	n := (*s.list)[s.i]
	if !isMutable(n) {
		return false
	}
	for _, k := range n.Kids {
		if k.Typ == n.Typ {
			if alt == 0 {
				k.Removable = n.Removable
				(*s.list)[s.i] = k
				return true
			}
			alt--
		}
	}
	return false
}

var plainLiterals = map[string]string{tInt: "1", tFloat: "1.5", tStr: `"a"`, tBool: "True", tInts: "[]", tStrs: "[]", tDict: "{}", tAnyDict: "{}"}

func replaceByLiteral(s slot, alt int) bool {
	n := (*s.list)[s.i]
	lit, ok := plainLiterals[n.Typ]
	if alt > 0 || !isMutable(n) || !ok || len(n.Kids) == 0 && n.Fmt == lit {
		return false
	}
	(*s.list)[s.i] = &Node{Fmt: lit, Typ: n.Typ, Removable: n.Removable}
	return true
}

// isMutable: an expression, not a statement or a config entry.
func isMutable(n *Node) bool {
	return !n.Stmt && n.Typ != "" && n.Typ != "entry" && n.Typ != "entries"
}
