package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sourcegraph/jsonrpc2"
	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/kpm-dev/kpm/commands"
)

// withProgress runs fn, the body of one long operation (a commands.X call), with an LSP
// commands.Progress and a context that the client can cancel, through $/cancelRequest or
// window/workDoneProgress/cancel. token is the client's workDoneToken (nil if none): without
// one the server creates a token when the client supports window/workDoneProgress, and falls
// back to window/showMessage otherwise. Failures are also shown with window/showMessage.
// It runs on a request goroutine, never on the reading one.
func (s *Server) withProgress(ctx context.Context, token json.RawMessage, title string, fn func(ctx context.Context, p commands.Progress) (any, error)) (any, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	title = s.log.scrub(title)

	if len(token) == 0 || string(token) == "null" {
		token = nil
		if s.capabilities().Window.WorkDoneProgress {
			t, _ := json.Marshal(fmt.Sprintf("kpm-%d", s.seq.Add(1)))
			cctx, ccancel := context.WithTimeout(ctx, 5*time.Second)
			err := s.call(cctx, "window/workDoneProgress/create", map[string]json.RawMessage{"token": t}, nil)
			ccancel()
			if err != nil {
				s.log.Printf("workDoneProgress/create: %v", err)
			} else {
				token = t
			}
		}
	}

	var p *lspProgress
	if token != nil {
		key := string(token)
		s.mu.Lock()
		s.progress[key] = cancel
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			delete(s.progress, key)
			s.mu.Unlock()
		}()
		p = &lspProgress{s: s, token: token}
		p.send(protocol.WorkDoneProgressBegin{Kind: "begin", Title: title, Cancellable: boolPtr(true)})
	} else {
		s.showMessage(protocol.MessageTypeInfo, title+"…")
		p = &lspProgress{s: s}
	}

	res, err := fn(ctx, p)
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	if token != nil {
		msg := "done"
		switch {
		case errors.Is(err, context.Canceled):
			msg = "cancelled"
		case err != nil:
			msg = "failed"
		}
		p.send(protocol.WorkDoneProgressEnd{Kind: "end", Message: &msg})
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, &jsonrpc2.Error{Code: codeRequestCancelled, Message: title + ": cancelled"}
		}
		var rerr *jsonrpc2.Error
		if !errors.As(err, &rerr) {
			rerr = &jsonrpc2.Error{Code: codeRequestFailed, Message: err.Error()}
		}
		s.showMessage(protocol.MessageTypeError, rerr.Message)
		return nil, rerr
	}
	if token == nil {
		s.showMessage(protocol.MessageTypeInfo, title+": done")
	}
	return res, nil
}

// lspProgress implements commands.Progress with $/progress reports (or window/logMessage
// when there is no token). Reports are throttled to one every 100 ms per token.
type lspProgress struct {
	s     *Server
	token json.RawMessage

	mu   sync.Mutex
	last time.Time
}

func (p *lspProgress) send(value any) {
	if p.token == nil {
		return
	}
	p.s.notify("$/progress", map[string]any{"token": p.token, "value": value})
}

func (p *lspProgress) report(msg string, pct *protocol.UInteger, force bool) {
	if p.token == nil {
		if force {
			p.s.logMessage(protocol.MessageTypeInfo, msg)
		}
		return
	}
	p.mu.Lock()
	now := time.Now()
	if !force && now.Sub(p.last) < 100*time.Millisecond {
		p.mu.Unlock()
		return
	}
	p.last = now
	p.mu.Unlock()
	msg = p.s.log.scrub(msg)
	p.send(protocol.WorkDoneProgressReport{Kind: "report", Message: &msg, Percentage: pct, Cancellable: boolPtr(true)})
}

// Message implements commands.Progress.
func (p *lspProgress) Message(msg string) { p.report(msg, nil, true) }

// Start implements commands.Progress.
func (p *lspProgress) Start(title string, total int64) commands.Task {
	p.report(title, nil, true)
	return &lspTask{p: p, title: title, total: total}
}

type lspTask struct {
	p     *lspProgress
	title string
	total int64

	mu    sync.Mutex
	done  int64
	ended bool
}

func (t *lspTask) Add(n int64) {
	t.mu.Lock()
	t.done += n
	done, total, ended := t.done, t.total, t.ended
	t.mu.Unlock()
	if ended {
		return
	}
	if total > 0 {
		pct := protocol.UInteger(min(100, done*100/total))
		t.p.report(t.title, &pct, false)
	} else {
		t.p.report(t.title, nil, false)
	}
}

func (t *lspTask) End() {
	t.mu.Lock()
	already := t.ended
	t.ended = true
	t.mu.Unlock()
	if !already && t.total > 0 {
		pct := protocol.UInteger(100)
		t.p.report(t.title, &pct, true)
	}
}

func boolPtr(b bool) *bool { return &b }

func strPtr(s string) *string { return &s }
