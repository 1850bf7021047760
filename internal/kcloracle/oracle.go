// Package kcloracle runs KCL programs through the reference implementation (kcl-lib from PyPI,
// pinned in scripts/kcl-oracle/requirements.txt) so tests can compare kpm's engine with it.
// It is a test-time tool: one long-lived Python process speaks the JSON line protocol of
// scripts/kcl-oracle/oracle.py and serves many programs. Nothing in kpm's binary imports it.
package kcloracle

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
)

// Request is one program with the inputs `kcl run` takes.
type Request struct {
	Files            []string `json:"files,omitempty"`     // entry files (or directories), relative to WorkDir
	Dir              string   `json:"dir,omitempty"`       // a package directory, instead of or after Files
	WorkDir          string   `json:"work_dir,omitempty"`  // empty: the oracle's working directory
	Options          []string `json:"options,omitempty"`   // -D key=value
	Selectors        []string `json:"selectors,omitempty"` // -S path
	Settings         []string `json:"settings,omitempty"`  // -Y file
	Externals        []string `json:"externals,omitempty"` // -E name=path
	SortKeys         bool     `json:"sort_keys,omitempty"`
	DisableNone      bool     `json:"disable_none,omitempty"`
	ShowHidden       bool     `json:"show_hidden,omitempty"`
	StrictRangeCheck bool     `json:"strict_range_check,omitempty"`
	Format           string   `json:"format,omitempty"` // yaml (default) or json
}

// Result is what the reference printed for a program: Output and Printed on success, Err otherwise.
type Result struct {
	Output  string // the YAML or JSON document(s) as `kcl run` prints them, ending with a newline
	Printed string // what print() wrote, in order
	Err     *Error // the program's first error; nil on success
}

// Location is one position of a diagnostic and the message shown there.
type Location struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Message string `json:"message"`
}

// Diagnostic is one of the errors the reference reported, at its first location.
type Diagnostic struct {
	Kind string `json:"kind"`
	Code string `json:"code"`
	Location
}

// Error is the reference's error for a program: the first diagnostic's kind (TypeError,
// EvaluationError, ...), code (E2G22, empty for evaluation errors), position and message.
type Error struct {
	Kind string `json:"kind"`
	Code string `json:"code"`
	Location
	Related []Location   `json:"related"` // further positions of the same diagnostic
	All     []Diagnostic `json:"all"`     // every diagnostic, in the reference's order
	Text    string       `json:"text"`    // the whole rendered error, without colours
}

// Error renders "file:line:col: Kind: message", kpm's one-line form.
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d:%d", e.Line, e.Col)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Kind)
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	return b.String()
}

// ErrCrashed is wrapped by Run's error when the reference process died on a program
// (the next Run starts a new one).
var ErrCrashed = errors.New("kcl oracle: the reference process exited")

// maxResponse bounds one response line.
const maxResponse = 512 << 20

// Oracle is one reference process; Run may be called from several goroutines (programs run one
// at a time). A crashed or cancelled process is restarted by the next Run.
type Oracle struct {
	python, script string

	mu     sync.Mutex
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	stderr *tailBuffer
	done   chan struct{} // closed when cmd has been waited for
	nextID int
}

// Start installs the reference on first use (see Install) and starts its process.
func Start(ctx context.Context) (*Oracle, error) {
	python, script, err := installed(ctx)
	if err != nil {
		return nil, err
	}
	o := &Oracle{python: python, script: script}
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := o.start(); err != nil {
		return nil, err
	}
	return o, nil
}

func (o *Oracle) start() error {
	cmd := exec.Command(o.python, "-u", o.script)
	cmd.Env = append(os.Environ(), "PYTHONIOENCODING=utf-8")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	o.stderr = &tailBuffer{max: 16 << 10}
	cmd.Stderr = o.stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("kcl oracle: start %s: %w", o.python, err)
	}
	o.cmd, o.stdin, o.stdout = cmd, stdin, bufio.NewReaderSize(stdout, 1<<20)
	done := make(chan struct{})
	o.done = done
	go func() { cmd.Wait(); close(done) }()
	return nil
}

// stop kills the process and waits for it.
func (o *Oracle) stop() {
	if o.cmd == nil {
		return
	}
	o.stdin.Close()
	o.cmd.Process.Kill()
	<-o.done
	o.cmd = nil
}

// Close ends the reference process.
func (o *Oracle) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.stop()
	return nil
}

// Version is the kcl-lib version the process runs.
func (o *Oracle) Version(ctx context.Context) (string, error) {
	var resp struct {
		Version string `json:"version"`
	}
	err := o.roundTrip(ctx, &envelope{Version: true}, &resp)
	return resp.Version, err
}

// envelope is one line sent to the process.
type envelope struct {
	ID      int  `json:"id"`
	Version bool `json:"version,omitempty"`
	*Request
}

type response struct {
	ID      int    `json:"id"`
	OK      bool   `json:"ok"`
	Output  string `json:"output"`
	Printed string `json:"printed"`
	Error   *Error `json:"error"`
	Proto   string `json:"protocol_error"`
}

// Run evaluates one program. The returned error is about the oracle (it could not be
// started, crashed, or ctx ended); the program's own error is Result.Err.
func (o *Oracle) Run(ctx context.Context, req Request) (*Result, error) {
	var resp response
	if err := o.roundTrip(ctx, &envelope{Request: &req}, &resp); err != nil {
		return nil, err
	}
	if resp.Proto != "" {
		return nil, fmt.Errorf("kcl oracle: protocol error: %s", resp.Proto)
	}
	if !resp.OK && resp.Error == nil {
		return nil, errors.New("kcl oracle: failed response without an error")
	}
	return &Result{Output: resp.Output, Printed: resp.Printed, Err: resp.Error}, nil
}

func (o *Oracle) roundTrip(ctx context.Context, req *envelope, resp any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.cmd == nil {
		if err := o.start(); err != nil {
			return err
		}
	}
	o.nextID++
	id := o.nextID
	req.ID = id
	line, err := json.Marshal(req)
	if err != nil {
		return err
	}
	line = append(line, '\n')
	type reply struct {
		data []byte
		err  error
	}
	got := make(chan reply, 1)
	go func() {
		if _, err := o.stdin.Write(line); err != nil {
			got <- reply{err: err}
			return
		}
		data, err := readLine(o.stdout, maxResponse)
		got <- reply{data, err}
	}()
	select {
	case <-ctx.Done():
		o.stop()
		<-got
		return ctx.Err()
	case r := <-got:
		if r.err != nil {
			o.stop()
			return fmt.Errorf("%w (%v): %s", ErrCrashed, r.err, strings.TrimSpace(o.stderr.String()))
		}
		var head struct {
			ID int `json:"id"`
		}
		if err := json.Unmarshal(r.data, &head); err != nil || head.ID != id {
			o.stop()
			return fmt.Errorf("kcl oracle: unexpected response %.200q", r.data)
		}
		return json.Unmarshal(r.data, resp)
	}
}

// readLine reads one line of at most max bytes.
func readLine(r *bufio.Reader, max int) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := r.ReadSlice('\n')
		buf = append(buf, chunk...)
		if err == nil {
			return buf, nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return nil, err
		}
		if len(buf) > max {
			return nil, fmt.Errorf("response longer than %d bytes", max)
		}
	}
}

// tailBuffer keeps the last max bytes written to it (the process's stderr, for crash reports).
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append([]byte(nil), t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
