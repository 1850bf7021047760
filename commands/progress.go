// Package commands holds one function per user operation (init, login, push, pull, run, ...).
// The CLI (cmd/kpm) and the language server (lsp) both call these functions; neither front end
// contains logic the other lacks. Functions here never print: they report through a Progress
// and return a result or an error.
package commands

// Progress receives what a long operation is doing. The CLI renders it on stderr (a bar on a
// terminal, plain lines otherwise, nothing with -q); the language server renders it as $/progress.
type Progress interface {
	// Message reports a one-line status, such as "pulling helloworld:0.1.4".
	Message(msg string)
	// Start begins a task with a title and a total size in bytes (0 when unknown).
	Start(title string, total int64) Task
}

// Task is one unit of work started on a Progress.
type Task interface {
	// Add records n more bytes (or items) done.
	Add(n int64)
	// End finishes the task; it is safe to call more than once.
	End()
}

// Discard is a Progress that drops everything.
var Discard Progress = discard{}

type discard struct{}

func (discard) Message(string)           {}
func (discard) Start(string, int64) Task { return discard{} }
func (discard) Add(int64)                {}
func (discard) End()                     {}

// progressOrDiscard lets options structs leave Progress nil.
func progressOrDiscard(p Progress) Progress {
	if p == nil {
		return Discard
	}
	return p
}
