// Package lsp is kpm's language server for kcl.mod, kcl.mod.lock, kpm.json and *.k files.
//
// It owns the JSON-RPC connection (sourcegraph/jsonrpc2; glsp only provides the protocol
// types), the store of open documents, and one file per feature. Requests run concurrently
// with their own contexts, which $/cancelRequest cancels; notifications are handled in order
// on the reading goroutine and never block it; calls to the client (workspace/configuration,
// window/workDoneProgress/create, workspace/applyEdit) are made from other goroutines only.
// Every operation goes through commands/, workspace/ and registry/: this package holds no
// package-manager logic of its own. Features never wait on the network: registry data comes
// from a cache filled in the background.
package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sourcegraph/jsonrpc2"
	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/kpm-dev/kpm/workspace"
)

// JSON-RPC and LSP error codes.
const (
	codeServerNotInitialized = -32002
	codeRequestFailed        = -32803
	codeRequestCancelled     = -32800
	codeContentModified      = -32801
)

// Options configures a server.
type Options struct {
	// Log receives a debug log (methods, timings, errors); nil means none. Parameters are
	// never logged, and known secrets are scrubbed from everything written.
	Log io.Writer
	// Version is reported in serverInfo.
	Version string
}

// Server is one language-server session.
type Server struct {
	opts   Options
	log    *logger
	conn   *jsonrpc2.Conn
	stream *frameStream
	ctx    context.Context // cancelled when the connection ends
	cancel context.CancelFunc

	docs  *documents
	diags *diagScheduler
	cache *regCache
	locks lockCache
	stats statCache
	mods  depModCache

	checks checkers    // static checkers of KCL packages
	evals  evaluations // evaluation errors of saved packages (setting evalOnSave)

	mu          sync.Mutex
	initialized bool
	shutdown    bool
	caps        clientCaps
	rootPath    string
	settings    Settings
	inflight    map[string]*inflightRequest // request id → cancel
	progress    map[string]context.CancelFunc
	exited      chan struct{}
	exitOnce    sync.Once
	seq         atomic.Int64
	bg          sync.WaitGroup
	shutdownHit bool

	// KCL_PKG_PATH when the server started (the pkgPath setting overrides it while set).
	startPkgPath    string
	startPkgPathSet bool

	// credsWarned: the warning about a credentials file readable by others was shown.
	credsWarned atomic.Bool
}

type inflightRequest struct {
	cancel          context.CancelFunc
	cancelledByPeer atomic.Bool
}

// clientCaps is the part of the client's capabilities the server looks at. glsp's
// ClientCapabilities is pointer-heavy and its IntegerOrString cannot be decoded, so the
// server decodes only what it needs.
type clientCaps struct {
	Workspace struct {
		ApplyEdit             bool `json:"applyEdit"`
		Configuration         bool `json:"configuration"`
		DidChangeWatchedFiles struct {
			DynamicRegistration bool `json:"dynamicRegistration"`
		} `json:"didChangeWatchedFiles"`
	} `json:"workspace"`
	Window struct {
		WorkDoneProgress bool `json:"workDoneProgress"`
	} `json:"window"`
	TextDocument struct {
		Completion struct {
			CompletionItem struct {
				SnippetSupport bool `json:"snippetSupport"`
			} `json:"completionItem"`
		} `json:"completion"`
	} `json:"textDocument"`
}

// Serve runs one session over rwc (stdio for `kpm lsp`) until the client sends exit or the
// stream ends. It returns nil after an orderly shutdown+exit and an error otherwise.
func Serve(ctx context.Context, rwc io.ReadWriteCloser, opts Options) error {
	s := NewServer(opts)
	return s.Run(ctx, rwc)
}

// NewServer creates a server; Run attaches it to a stream.
func NewServer(opts Options) *Server {
	s := &Server{
		opts:     opts,
		log:      newLogger(opts.Log),
		inflight: map[string]*inflightRequest{},
		progress: map[string]context.CancelFunc{},
		exited:   make(chan struct{}),
		settings: defaultSettings(),
	}
	s.startPkgPath, s.startPkgPathSet = os.LookupEnv(workspace.EnvPkgPath)
	s.docs = newDocuments()
	s.diags = newDiagScheduler(s)
	s.cache = newRegCache(s)
	return s
}

// Run serves rwc until exit or end of stream.
func (s *Server) Run(ctx context.Context, rwc io.ReadWriteCloser) error {
	s.ctx, s.cancel = context.WithCancel(ctx)
	defer s.cancel()
	stream := newFrameStream(rwc)
	s.mu.Lock()
	s.stream = stream
	s.conn = jsonrpc2.NewConn(s.ctx, stream, s, jsonrpc2.SetLogger(s.log))
	conn := s.conn
	s.mu.Unlock()
	select {
	case <-conn.DisconnectNotify():
	case <-s.exited:
		conn.Close()
	case <-ctx.Done():
		conn.Close()
	}
	s.cancel()
	s.diags.stop()
	s.bg.Wait()
	s.cache.close()
	s.mu.Lock()
	clean := s.shutdownHit
	s.mu.Unlock()
	s.log.Printf("session ended (shutdown requested: %v)", clean)
	if !clean {
		return errors.New("lsp: connection ended without shutdown")
	}
	return nil
}

// Handle implements jsonrpc2.Handler. It runs on the connection's reading goroutine and
// never blocks: requests are started on their own goroutines, notifications are short.
func (s *Server) Handle(ctx context.Context, conn *jsonrpc2.Conn, req *jsonrpc2.Request) {
	if req.Notif {
		start := time.Now()
		defer func() {
			if r := recover(); r != nil {
				s.log.Printf("panic in %s: %v\n%s", req.Method, r, debug.Stack())
			}
		}()
		s.handleNotification(req)
		s.log.Printf("notification %s handled in %s", req.Method, time.Since(start))
		return
	}
	id := req.ID.String()
	rctx, cancel := context.WithCancel(s.ctx)
	ir := &inflightRequest{cancel: cancel}
	s.mu.Lock()
	s.inflight[id] = ir
	s.mu.Unlock()
	answer := func() {
		defer cancel()
		start := time.Now()
		result, err := s.safeDispatch(rctx, req)
		s.mu.Lock()
		delete(s.inflight, id)
		s.mu.Unlock()
		if err == nil && rctx.Err() != nil && ir.cancelledByPeer.Load() {
			err = &jsonrpc2.Error{Code: codeRequestCancelled, Message: "request cancelled"}
		}
		if err != nil {
			rerr := toRPCError(err, rctx, ir)
			rerr.Message = s.log.scrub(rerr.Message)
			s.log.Printf("request %s #%s failed after %s: %s", req.Method, id, time.Since(start), rerr.Message)
			if werr := conn.ReplyWithError(s.ctx, req.ID, rerr); werr != nil {
				s.log.Printf("reply #%s: %v", id, werr)
			}
			return
		}
		s.log.Printf("request %s #%s answered in %s", req.Method, id, time.Since(start))
		if werr := conn.Reply(s.ctx, req.ID, result); werr != nil {
			s.log.Printf("reply #%s: %v", id, werr)
		}
	}
	switch req.Method {
	case "initialize", "shutdown":
		// Both are instant, and a client may pipeline initialized or exit right behind them:
		// answering in order keeps the session's state and the replies in step.
		answer()
	default:
		go answer()
	}
}

func toRPCError(err error, ctx context.Context, ir *inflightRequest) *jsonrpc2.Error {
	var rerr *jsonrpc2.Error
	if errors.As(err, &rerr) {
		return rerr
	}
	if ir.cancelledByPeer.Load() || errors.Is(err, context.Canceled) {
		return &jsonrpc2.Error{Code: codeRequestCancelled, Message: "request cancelled"}
	}
	return &jsonrpc2.Error{Code: codeRequestFailed, Message: err.Error()}
}

func (s *Server) safeDispatch(ctx context.Context, req *jsonrpc2.Request) (result any, err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Printf("panic in %s: %v\n%s", req.Method, r, debug.Stack())
			err = &jsonrpc2.Error{Code: jsonrpc2.CodeInternalError, Message: fmt.Sprintf("internal error in %s: %v", req.Method, r)}
		}
	}()
	return s.dispatch(ctx, req)
}

type requestHandler func(s *Server, ctx context.Context, params json.RawMessage) (any, error)

var requestHandlers = map[string]requestHandler{
	"textDocument/completion":  (*Server).completion,
	"textDocument/hover":       (*Server).hover,
	"textDocument/codeAction":  (*Server).codeAction,
	"textDocument/codeLens":    (*Server).codeLens,
	"textDocument/definition":  (*Server).definition,
	"workspace/executeCommand": (*Server).executeCommand,

	"textDocument/typeDefinition":      (*Server).typeDefinition,
	"textDocument/references":          (*Server).references,
	"textDocument/rename":              (*Server).rename,
	"textDocument/documentSymbol":      (*Server).documentSymbol,
	"workspace/symbol":                 (*Server).workspaceSymbol,
	"textDocument/signatureHelp":       (*Server).signatureHelp,
	"textDocument/formatting":          (*Server).formatting,
	"textDocument/rangeFormatting":     (*Server).rangeFormatting,
	"textDocument/semanticTokens/full": (*Server).semanticTokensFull,
	"textDocument/inlayHint":           (*Server).inlayHints,
}

func (s *Server) dispatch(ctx context.Context, req *jsonrpc2.Request) (any, error) {
	var params json.RawMessage
	if req.Params != nil {
		params = *req.Params
	}
	s.mu.Lock()
	initialized, shutdown := s.initialized, s.shutdown
	s.mu.Unlock()
	switch req.Method {
	case "initialize":
		return s.initialize(params)
	case "shutdown":
		s.mu.Lock()
		s.shutdown = true
		s.shutdownHit = true
		s.mu.Unlock()
		return nil, nil
	}
	if !initialized {
		return nil, &jsonrpc2.Error{Code: codeServerNotInitialized, Message: "server not initialized"}
	}
	if shutdown {
		return nil, &jsonrpc2.Error{Code: jsonrpc2.CodeInvalidRequest, Message: "server is shutting down"}
	}
	h, ok := requestHandlers[req.Method]
	if !ok {
		return nil, &jsonrpc2.Error{Code: jsonrpc2.CodeMethodNotFound, Message: "method not supported: " + req.Method}
	}
	return h(s, ctx, params)
}

func (s *Server) handleNotification(req *jsonrpc2.Request) {
	var params json.RawMessage
	if req.Params != nil {
		params = *req.Params
	}
	switch req.Method {
	case "$/cancelRequest":
		var p struct {
			ID jsonrpc2.ID `json:"id"`
		}
		if json.Unmarshal(params, &p) == nil {
			s.mu.Lock()
			ir := s.inflight[p.ID.String()]
			s.mu.Unlock()
			if ir != nil {
				ir.cancelledByPeer.Store(true)
				ir.cancel()
			}
		}
	case "window/workDoneProgress/cancel":
		var p struct {
			Token json.RawMessage `json:"token"`
		}
		if json.Unmarshal(params, &p) == nil {
			s.mu.Lock()
			cancel := s.progress[string(p.Token)]
			s.mu.Unlock()
			if cancel != nil {
				cancel()
			}
		}
	case "initialized":
		s.goBackground(func() { s.fetchConfiguration() })
		s.goBackground(s.registerFileWatchers)
	case "exit":
		s.exitOnce.Do(func() { close(s.exited) })
	case "textDocument/didOpen":
		s.didOpen(params)
	case "textDocument/didChange":
		s.didChange(params)
	case "textDocument/didClose":
		s.didClose(params)
	case "textDocument/didSave":
		s.didSave(params)
	case "workspace/didChangeWatchedFiles":
		s.didChangeWatchedFiles(params)
	case "workspace/didChangeConfiguration":
		s.didChangeConfiguration(params)
	case "$/setTrace", "$/logTrace":
	default:
		s.log.Printf("ignoring notification %s", req.Method)
	}
}

// goBackground runs f on its own goroutine, tracked so Run waits for it.
func (s *Server) goBackground(f func()) {
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		defer func() {
			if r := recover(); r != nil {
				s.log.Printf("panic in background task: %v\n%s", r, debug.Stack())
			}
		}()
		f()
	}()
}

func (s *Server) initialize(params json.RawMessage) (any, error) {
	var p struct {
		RootURI               *string         `json:"rootUri"`
		RootPath              *string         `json:"rootPath"`
		Capabilities          clientCaps      `json:"capabilities"`
		InitializationOptions json.RawMessage `json:"initializationOptions"`
	}
	if err := json.Unmarshal(params, &p); err != nil {
		return nil, &jsonrpc2.Error{Code: jsonrpc2.CodeInvalidParams, Message: "initialize: " + err.Error()}
	}
	s.mu.Lock()
	s.caps = p.Capabilities
	if p.RootURI != nil {
		s.rootPath = uriToPath(*p.RootURI)
	} else if p.RootPath != nil {
		s.rootPath = *p.RootPath
	}
	if len(p.InitializationOptions) > 0 {
		s.settings.merge(p.InitializationOptions)
	}
	s.initialized = true
	settings := s.settings
	s.mu.Unlock()
	s.applySettings(settings)
	return initializeResult(s.opts.Version), nil
}

// registerFileWatchers asks the client to report changes to the files the diagnostics
// depend on (client/registerCapability), when it supports dynamic registration.
func (s *Server) registerFileWatchers() {
	if !s.capabilities().Workspace.DidChangeWatchedFiles.DynamicRegistration {
		return
	}
	var watchers []map[string]any
	for _, g := range []string{"**/kcl.mod", "**/kcl.mod.lock", "**/kpm.json", "**/*.k"} {
		watchers = append(watchers, map[string]any{"globPattern": g})
	}
	err := s.call(s.ctx, "client/registerCapability", map[string]any{"registrations": []any{map[string]any{
		"id": "kpm-watched-files", "method": "workspace/didChangeWatchedFiles",
		"registerOptions": map[string]any{"watchers": watchers},
	}}}, nil)
	if err != nil {
		s.log.Printf("client/registerCapability: %v", err)
	}
}

func initializeResult(version string) any {
	if version == "" {
		version = "dev"
	}
	yes := true
	syncKind := protocol.TextDocumentSyncKindIncremental
	return initializeResponse{
		Capabilities: serverCapabilities{ServerCapabilities: protocol.ServerCapabilities{
			TextDocumentSync: protocol.TextDocumentSyncOptions{
				OpenClose: &yes,
				Change:    &syncKind,
				Save:      true,
			},
			CompletionProvider: &protocol.CompletionOptions{
				TriggerCharacters: []string{"\"", "[", ".", "=", " ", ":"},
			},
			HoverProvider:                   true,
			DefinitionProvider:              true,
			TypeDefinitionProvider:          true,
			ReferencesProvider:              true,
			RenameProvider:                  true,
			DocumentSymbolProvider:          true,
			WorkspaceSymbolProvider:         true,
			SignatureHelpProvider:           &protocol.SignatureHelpOptions{TriggerCharacters: []string{"(", ","}},
			DocumentFormattingProvider:      true,
			DocumentRangeFormattingProvider: true,
			CodeActionProvider: protocol.CodeActionOptions{
				CodeActionKinds: []protocol.CodeActionKind{protocol.CodeActionKindQuickFix},
			},
			CodeLensProvider: &protocol.CodeLensOptions{},
			ExecuteCommandProvider: &protocol.ExecuteCommandOptions{
				Commands: commandNames(),
			},
			SemanticTokensProvider: semanticTokensOptions(),
		}, InlayHintProvider: true},
		ServerInfo: &protocol.InitializeResultServerInfo{Name: "kpm", Version: &version},
	}
}

// initializeResponse is protocol.InitializeResult with the 3.17 capabilities kpm serves.
type initializeResponse struct {
	Capabilities serverCapabilities                   `json:"capabilities"`
	ServerInfo   *protocol.InitializeResultServerInfo `json:"serverInfo,omitempty"`
}

type serverCapabilities struct {
	protocol.ServerCapabilities
	InlayHintProvider bool `json:"inlayHintProvider,omitempty"`
}

// notify sends a notification; errors (a closed connection) are logged.
func (s *Server) notify(method string, params any) {
	s.mu.Lock()
	conn := s.conn
	s.mu.Unlock()
	if conn == nil {
		return
	}
	if err := conn.Notify(s.ctx, method, params); err != nil {
		s.log.Printf("notify %s: %v", method, err)
	}
}

// call sends a request to the client and waits for its answer. It must never run on the
// reading goroutine (Handle); callers are request goroutines or background tasks.
func (s *Server) call(ctx context.Context, method string, params, result any) error {
	s.mu.Lock()
	conn := s.conn
	s.mu.Unlock()
	if conn == nil {
		return errors.New("no connection")
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return conn.Call(ctx, method, params, result)
}

// notifyLarge sends a notification with large params (diagnostics) encoded once.
func (s *Server) notifyLarge(method string, params any) {
	s.mu.Lock()
	stream := s.stream
	s.mu.Unlock()
	if stream == nil || s.ctx.Err() != nil {
		return
	}
	if err := stream.notifyEncoded(method, params); err != nil {
		s.log.Printf("notify %s: %v", method, err)
	}
}

func (s *Server) showMessage(typ protocol.MessageType, msg string) {
	s.notify("window/showMessage", protocol.ShowMessageParams{Type: typ, Message: s.log.scrub(msg)})
}

func (s *Server) logMessage(typ protocol.MessageType, msg string) {
	s.notify("window/logMessage", protocol.LogMessageParams{Type: typ, Message: s.log.scrub(msg)})
}

func (s *Server) capabilities() clientCaps {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.caps
}

// ensure the logger satisfies jsonrpc2's interface.
var _ jsonrpc2.Logger = (*logger)(nil)
