package kcl

// The evaluation budget: a run stops with an error, never a crash, when its context is cancelled
// (Ctrl-C, an editor's $/cancelRequest) or when the heap grows past the memory budget.

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"strings"
)

// DefaultMaxMemory is the memory budget of an evaluation when Options.MaxMemory is zero.
const DefaultMaxMemory = 1 << 30

// pollEvery is how many evaluation steps pass between two looks at the context and the heap:
// a step is a statement, a loop iteration or a call, so a poll costs nothing measurable.
const pollEvery = 1 << 12

// bigAlloc is the size from which a single allocation (a repeated string or list, a range, a
// concatenation) is checked against the budget before it is made.
const bigAlloc = 1 << 20

// heapBytes reads the live heap as of the last collection and all heap objects now, live or
// not yet collected (runtime/metrics: no stop-the-world, unlike runtime.ReadMemStats).
func heapBytes() (live, all int64) {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64()), int64(s[1].Value.Uint64())
}

func (e *evaluator) maxMemory() int64 {
	if e.opts.MaxMemory > 0 {
		return e.opts.MaxMemory
	}
	return DefaultMaxMemory
}

// tick counts one evaluation step and polls every pollEvery steps.
func (e *evaluator) tick() {
	e.steps++
	if e.steps%pollEvery == 0 {
		e.poll()
	}
}

// poll stops the evaluation when its context is done or the heap is over the budget.
func (e *evaluator) poll() {
	e.stopIfCancelled(e.pos)
	e.reserve(0)
}

// stopIfCancelled stops the evaluation, reporting the position p, when its context is done.
func (e *evaluator) stopIfCancelled(p srcPos) {
	if e.ctx != nil {
		if err := e.ctx.Err(); err != nil {
			e.throwAt(p, KindEvaluation, "evaluation cancelled: %v", err)
		}
	}
}

// reserve checks that n more bytes fit in the memory budget before they are allocated. Small
// requests between polls are not checked: only the heap at a poll and big single allocations.
// The budget bounds the growth of the live heap since the evaluation started (heapBase); the
// collector lets garbage grow the heap to about twice
// that, and a collection is forced only when the heap is past twice the budget.
func (e *evaluator) reserve(n int64) {
	if n < bigAlloc && n != 0 {
		return
	}
	limit := e.maxMemory()
	if n <= limit {
		live, all := heapBytes()
		if all-e.heapBase+n > 2*limit {
			runtime.GC()
			live, _ = heapBytes()
		}
		if live-e.heapBase+n <= limit {
			return
		}
	}
	e.throwAt(e.pos, KindEvaluation, "evaluation exceeds the memory budget of %s%s; raise it with %s",
		formatBytes(limit), needed(n), EnvMaxMemory)
}

// reserveItems checks n values of size bytes each; it saturates instead of overflowing.
func (e *evaluator) reserveItems(n, size int64) {
	if n > 0 && size > 0 && n > (1<<62)/size {
		e.reserve(1 << 62)
	}
	e.reserve(n * size)
}

func needed(n int64) string {
	if n == 0 {
		return ""
	}
	return " (this expression needs " + formatBytes(n) + ")"
}

// EnvMaxMemory names the setting that raises the budget; read by package workspace.
const EnvMaxMemory = "KPM_EVAL_MEMORY"

func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// repeat is strings.Repeat within the budget; n <= 0 gives "".
func (e *evaluator) repeat(s string, n int64) string {
	if n <= 0 {
		return ""
	}
	e.reserveItems(n, int64(len(s)))
	return strings.Repeat(s, int(n))
}

// valueSize is what the budget counts for one list item or dict value: an interface and a boxed word.
const valueSize = 24

// reserveOutput checks the size of the rendered output before rendering: a value shared many
// times (`b = [a] * 1000`, a billion laughs built from lists) is small in memory but is written
// out in full.
func (e *evaluator) reserveOutput(v Value) {
	e.reserveItems(expandedSize(v), 2) // the planned copy and the text
}

// expandedSize estimates the bytes of v written out or deep-copied in full: a list or dict
// referenced twice counts twice. Each one's size is computed once, so this takes time in
// proportion to the distinct values, not to the expansion.
func expandedSize(v Value) int64 {
	seen := map[any]int64{}
	var size func(v Value) int64
	size = func(v Value) int64 {
		var key any
		switch x := v.(type) {
		case string:
			return int64(len(x)) + valueSize
		case *List:
			key = x
		case *Dict:
			key = x
		case *Schema:
			key = x.Attrs
		default:
			return valueSize
		}
		if n, ok := seen[key]; ok {
			return n
		}
		seen[key] = valueSize // a cycle counts once
		var n int64 = valueSize
		add := func(m int64) {
			if n += m; n > 1<<50 {
				n = 1 << 50
			}
		}
		switch x := key.(type) {
		case *List:
			for _, it := range x.Items {
				add(size(it))
			}
		case *Dict:
			for i, k := range x.keys {
				add(int64(len(k)) + size(x.valAt(i)))
			}
		}
		seen[key] = n
		return n
	}
	return size(v)
}
