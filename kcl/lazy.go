package kcl

// Lazy package variables, as the toolchain evaluates them. A variable read before the statements
// that set it have all run is computed by "backtracking": the toolchain runs only the LAST
// statement that sets it (for an `if`, only the branch that sets it, up to that assignment), and
// remembers the value it then has, Undefined when that branch is not taken. A statement that
// reads its own variable while backtracking gets the statement before, and so on. The
// remembered value is what every later read sees, even after the earlier setters ran in order.
// Variables with one plain setter behave the same under the simpler scheme of runPackage (run
// the pending setter), so only the others are tracked here.

import "github.com/kpm-dev/kpm/kcl/syntax"

// ifBranch says which part of a statement sets a variable.
type ifBranch int

const (
	wholeStmt  ifBranch = iota // an assignment
	thenBranch                 // the body of an if statement
	elseBranch                 // its else (and elif) part
)

// lazySetter is one statement that sets a package variable.
type lazySetter struct {
	ref    *stmtRef
	branch ifBranch
	stop   syntax.Stmt // the assignment inside the if statement: backtracking stops after it
}

// lazyVar is the backtracking state of a package variable with several setters or one inside
// an if statement.
type lazyVar struct {
	setters  []lazySetter
	cache    Value // the remembered value, when cached
	cached   bool
	level    int // how deep backtracking into this variable is
	calTimes int // assignments run in order (not while backtracking)
}

// backtrack is one setter being run by backtracking.
type backtrack struct {
	stmt   syntax.Stmt
	branch ifBranch
	stop   syntax.Stmt
	broken bool // the stop statement ran: the rest of the setter is skipped
}

// indexLazy finds the variables of a package that need the toolchain's backtracking rules: set
// by several statements or inside an if statement. Config unifications are merged by the
// toolchain before evaluation and are left to unifyTop.
func (p *pkgState) indexLazy(refs []stmtRef) {
	all := map[string][]lazySetter{}
	plain := map[string]bool{} // set by a schema expression, a schema, a rule or a type alias
	for i := range refs {
		r := &refs[i]
		switch s := p.peekStmt(r).(type) {
		case *syntax.AssignStmt, *syntax.AugAssignStmt, *syntax.UnificationStmt:
			if schemaExprOf(s) != nil {
				for _, n := range assignedNames(s, nil) {
					plain[n] = true
				}
				continue
			}
			for _, n := range assignedNames(s, nil) {
				all[n] = append(all[n], lazySetter{ref: r})
			}
		case *syntax.IfStmt:
			for _, b := range []struct {
				stmts  []syntax.Stmt
				branch ifBranch
			}{{s.Body, thenBranch}, {s.Else, elseBranch}} {
				for _, set := range branchSetters(b.stmts, nil) {
					all[set.name] = append(all[set.name], lazySetter{ref: r, branch: b.branch, stop: set.stmt})
				}
			}
		default:
			for _, n := range assignedNames(s, nil) {
				plain[n] = true
			}
		}
	}
	for n, ss := range all {
		if plain[n] || len(ss) == 1 && ss[0].branch == wholeStmt {
			continue
		}
		if p.lazy == nil {
			p.lazy = map[string]*lazyVar{}
		}
		p.lazy[n] = &lazyVar{setters: ss}
	}
}

type branchSetter struct {
	name string
	stmt syntax.Stmt
}

// branchSetters lists the assignments inside the statements of an if branch, nested ifs
// included, each with the innermost statement that makes it.
func branchSetters(stmts []syntax.Stmt, out []branchSetter) []branchSetter {
	for _, st := range stmts {
		switch s := st.(type) {
		case *syntax.IfStmt:
			out = branchSetters(s.Body, out)
			out = branchSetters(s.Else, out)
		case *syntax.AssignStmt, *syntax.AugAssignStmt, *syntax.UnificationStmt:
			for _, n := range assignedNames(s, nil) {
				out = append(out, branchSetter{n, s})
			}
		}
	}
	return out
}

// isSetter reports whether st is a statement the toolchain runs when backtracking (schemas,
// rules and type aliases are defined before any statement runs).
func isSetter(st syntax.Stmt) bool {
	switch st.(type) {
	case *syntax.AssignStmt, *syntax.AugAssignStmt, *syntax.UnificationStmt, *syntax.IfStmt:
		return true
	}
	return false
}

// lazyRead reads package variable name of p from code of that package; ok is false when the
// variable does not follow the backtracking rules (see globalLookup). inSchema: the read comes
// from a schema body, which sees a variable's current value once it has one.
func (e *evaluator) lazyRead(p *pkgState, name string, inSchema bool) (Value, bool) {
	lv := p.lazy[name]
	if lv == nil {
		return nil, false
	}
	cur, has := p.globals.Get(name)
	if !has {
		cur = undef
	}
	if inSchema && has && !isUndef(cur) {
		return cur, true
	}
	if n := len(e.targets); n > 0 && e.targets[n-1] == name && (lv.level == 0 || len(lv.setters) <= 1) {
		return cur, true // `_a = _a + 1` reads the value so far
	}
	if lv.cached {
		return lv.cache, true
	}
	level := lv.level + 1
	if level > len(lv.setters) {
		return cur, true
	}
	lv.level = level
	e.runSetter(p, lv.setters[len(lv.setters)-level])
	lv.level = level - 1
	v, ok := p.globals.Get(name)
	if !ok {
		v = undef
	}
	lv.cache, lv.cached = v, true
	return v, true
}

// runSetter runs a setter while backtracking, even when it already ran (as the toolchain does).
// The toolchain does not restore its error position (lastPos) afterwards: a run-time error
// right after the read is reported at the last node evaluated here.
func (e *evaluator) runSetter(p *pkgState, s lazySetter) {
	r := s.ref
	saveFile, savePos, saveState := e.file, e.pos, r.state
	e.backtracks = append(e.backtracks, &backtrack{stmt: p.stmt(r), branch: s.branch, stop: s.stop})
	r.state = 1
	e.file = p.fileOf(r)
	sc := e.fileScope(p, e.file)
	e.rerunning++
	e.execStmt(&frame{kind: frameModule, pkg: p, scope: sc}, p.stmt(r))
	e.rerunning--
	e.backtracks = e.backtracks[:len(e.backtracks)-1]
	r.state = 2
	if saveState == 1 {
		r.state = 1 // still running further up
	}
	e.file, e.pos = saveFile, savePos
}

// noteGlobalSet records an assignment to package variable name made in order: once all its
// setters ran, or its last one did, its value is remembered.
func (e *evaluator) noteGlobalSet(p *pkgState, name string, v Value) {
	lv := p.lazy[name]
	if lv == nil || lv.level > 0 {
		return
	}
	lv.calTimes++
	last := lv.setters[len(lv.setters)-1]
	isLast := last.stop == e.curStmt || last.stop == nil && p.stmt(last.ref) == e.curStmt
	if (lv.calTimes >= len(lv.setters) || isLast) && !lv.cached {
		lv.cache, lv.cached = v, true
	}
}

// rerun reports whether a statement that already ran while backtracking runs again in order:
// the toolchain runs it again unless each variable it sets has only that setter.
func (p *pkgState) rerun(r *stmtRef) bool {
	for _, n := range assignedNames(p.stmt(r), nil) {
		if lv := p.lazy[n]; lv != nil && len(lv.setters) > 1 {
			return true
		}
	}
	return false
}

// skipBacktracked reports whether statement st is skipped because the setter being run by
// backtracking already reached its stop statement.
func (e *evaluator) skipBacktracked() bool {
	n := len(e.backtracks)
	return n > 0 && e.backtracks[n-1].broken
}

// ifBranchOnly returns which branch of if statement st alone runs: the setter being run by
// backtracking is this statement's branch.
func (e *evaluator) ifBranchOnly(st *syntax.IfStmt) ifBranch {
	n := len(e.backtracks)
	if n == 0 || e.backtracks[n-1].stmt != st {
		return wholeStmt
	}
	return e.backtracks[n-1].branch
}

// stmtDone marks the end of statement st for the setter being run by backtracking.
func (e *evaluator) stmtDone(st syntax.Stmt) {
	if n := len(e.backtracks); n > 0 && e.backtracks[n-1].stop == st {
		e.backtracks[n-1].broken = true
	}
}
