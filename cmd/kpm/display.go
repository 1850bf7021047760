package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/kpm-dev/kpm/commands"
	"github.com/kpm-dev/kpm/internal/redact"
)

// display renders commands.Progress on stderr: a redrawn bar per task on a terminal, plain lines
// otherwise. It is safe for concurrent use.
type display struct {
	mu  sync.Mutex
	w   io.Writer
	tty bool
	// active is the task whose bar is on the last line (terminal only).
	active *task
}

func newDisplay(w io.Writer, tty bool) *display {
	return &display{w: w, tty: tty}
}

func (d *display) Message(msg string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.clearBar()
	fmt.Fprintln(d.w, redact.Text(msg))
	d.redraw()
}

func (d *display) Start(title string, total int64) commands.Task {
	d.mu.Lock()
	defer d.mu.Unlock()
	t := &task{d: d, title: redact.Text(title), total: total, start: time.Now()}
	if d.tty {
		d.clearBar()
		d.active = t
		d.redraw()
	}
	return t
}

// clearBar erases the bar line so a message can be printed in its place.
func (d *display) clearBar() {
	if d.tty && d.active != nil {
		fmt.Fprint(d.w, "\r\x1b[K")
	}
}

func (d *display) redraw() {
	if d.tty && d.active != nil {
		fmt.Fprint(d.w, "\r\x1b[K"+d.active.bar())
		d.active.drawn = time.Now()
	}
}

type task struct {
	d     *display
	title string
	total int64
	done  int64
	start time.Time
	drawn time.Time
	ended bool
}

func (t *task) Add(n int64) {
	d := t.d
	d.mu.Lock()
	defer d.mu.Unlock()
	t.done += n
	if d.tty && d.active == t && time.Since(t.drawn) >= 100*time.Millisecond {
		d.redraw()
	}
}

func (t *task) End() {
	d := t.d
	d.mu.Lock()
	defer d.mu.Unlock()
	if t.ended {
		return
	}
	t.ended = true
	if d.tty && d.active == t {
		fmt.Fprint(d.w, "\r\x1b[K"+t.bar()+"\n")
		d.active = nil
		return
	}
	// Plain output: one line per finished task.
	if t.done > 0 {
		fmt.Fprintf(d.w, "%s: %s\n", t.title, humanBytes(t.done))
	} else {
		fmt.Fprintf(d.w, "%s: done\n", t.title)
	}
}

const barWidth = 30

// bar renders "title [=====>     ] 12.3 MB/50.0 MB".
func (t *task) bar() string {
	if t.total <= 0 {
		return fmt.Sprintf("%s %s", t.title, humanBytes(t.done))
	}
	frac := float64(t.done) / float64(t.total)
	if frac > 1 {
		frac = 1
	}
	fill := int(frac * barWidth)
	b := strings.Repeat("=", fill)
	if fill < barWidth {
		b += ">" + strings.Repeat(" ", barWidth-fill-1)
	}
	return fmt.Sprintf("%s [%s] %s/%s", t.title, b, humanBytes(t.done), humanBytes(t.total))
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	default:
		return fmt.Sprintf("%d B", n)
	}
}
