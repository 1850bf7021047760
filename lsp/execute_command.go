package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sourcegraph/jsonrpc2"
	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/kpm-dev/kpm/commands"
	"github.com/kpm-dev/kpm/registry"
	"github.com/kpm-dev/kpm/workspace"
)

// A workspace command: decodes its one JSON object argument and returns a JSON result.
// Long ones run through withProgress (progress, cancellation, error shown to the user).
type commandFunc func(s *Server, ctx context.Context, token json.RawMessage, arg json.RawMessage) (any, error)

var workspaceCommands = map[string]commandFunc{
	"kpm.init":         (*Server).cmdInit,
	"kpm.login":        (*Server).cmdLogin,
	"kpm.logout":       (*Server).cmdLogout,
	"kpm.push":         (*Server).cmdPush,
	"kpm.pull":         (*Server).cmdPull,
	"kpm.run":          (*Server).cmdRun,
	"kpm.add":          (*Server).cmdAdd,
	"kpm.update":       (*Server).cmdUpdate,
	"kpm.checkUpdates": (*Server).cmdCheckUpdates,
	"kpm.tags":         (*Server).cmdTags,
	"kpm.status":       (*Server).cmdStatus,
}

// minSessionSecret is the length from which a kpm.login password is scrubbed from every
// message for the rest of the session (shorter ones only while their login runs).
const minSessionSecret = 8

func commandNames() []string {
	names := make([]string, 0, len(workspaceCommands))
	for n := range workspaceCommands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (s *Server) executeCommand(ctx context.Context, params json.RawMessage) (any, error) {
	var p struct {
		Command       string            `json:"command"`
		Arguments     []json.RawMessage `json:"arguments"`
		WorkDoneToken json.RawMessage   `json:"workDoneToken"`
	}
	if err := json.Unmarshal(params, &p); err != nil {
		return nil, &jsonrpc2.Error{Code: jsonrpc2.CodeInvalidParams, Message: "executeCommand: " + err.Error()}
	}
	f, ok := workspaceCommands[p.Command]
	if !ok {
		return nil, s.commandError(&jsonrpc2.Error{Code: jsonrpc2.CodeInvalidParams, Message: fmt.Sprintf("unknown command %q", p.Command)})
	}
	arg := json.RawMessage("{}")
	if len(p.Arguments) > 0 && string(p.Arguments[0]) != "null" {
		arg = p.Arguments[0]
	}
	if p.Command == "kpm.login" {
		// Register the password before anything can log or echo it.
		var a struct {
			Password string `json:"password"`
		}
		_ = json.Unmarshal(arg, &a)
		s.log.addSecret(a.Password)
		if len(a.Password) < minSessionSecret {
			// A short password ("1234", "test") would also blank out ordinary words, ports
			// and repository names in every later message: it is scrubbed while its login
			// runs (the only time the server holds it) and forgotten afterwards.
			defer s.log.removeSecret(a.Password)
		}
	}
	s.log.Printf("command %s", p.Command)
	return f(s, ctx, p.WorkDoneToken, arg)
}

// commandError shows a failure to the user and returns it as a JSON-RPC error.
func (s *Server) commandError(err error) error {
	rerr, ok := err.(*jsonrpc2.Error)
	if !ok {
		rerr = &jsonrpc2.Error{Code: codeRequestFailed, Message: oneLine(err.Error())}
	}
	rerr.Message = s.log.scrub(rerr.Message)
	s.showMessage(protocol.MessageTypeError, rerr.Message)
	return rerr
}

func oneLine(msg string) string {
	return strings.Join(strings.Fields(msg), " ")
}

// decodeArg decodes a command argument strictly enough to catch typos in key names.
func (s *Server) decodeArg(name string, arg json.RawMessage, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(arg)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return s.commandError(&jsonrpc2.Error{Code: jsonrpc2.CodeInvalidParams, Message: fmt.Sprintf("%s: invalid argument: %s", name, strings.TrimPrefix(err.Error(), "json: "))})
	}
	return nil
}

func requireField(name, field, value string) error {
	if value == "" {
		return &jsonrpc2.Error{Code: jsonrpc2.CodeInvalidParams, Message: fmt.Sprintf("%s: %q is required", name, field)}
	}
	return nil
}

// requireAbs checks a path argument: required and absolute (the server has no useful
// working directory).
func requireAbs(name, field, value string) error {
	if err := requireField(name, field, value); err != nil {
		return err
	}
	if !filepath.IsAbs(value) {
		return &jsonrpc2.Error{Code: jsonrpc2.CodeInvalidParams, Message: fmt.Sprintf("%s: %q must be an absolute path, got %q", name, field, value)}
	}
	return nil
}

// settingsForCommand loads kpm's settings for one command.
func (s *Server) settingsForCommand(name string) (*workspace.Settings, error) {
	st, err := s.loadSettings()
	if err != nil {
		return nil, s.commandError(fmt.Errorf("%s: %w", name, err))
	}
	return st, nil
}

// long runs a command body with progress; failures are shown and returned.
func (s *Server) long(ctx context.Context, token json.RawMessage, title string, fn func(ctx context.Context, p commands.Progress) (any, error)) (any, error) {
	res, err := s.withProgress(ctx, token, title, func(ctx context.Context, p commands.Progress) (any, error) {
		res, err := fn(ctx, p)
		if err != nil && ctx.Err() == nil {
			var rerr *jsonrpc2.Error
			if errors.As(err, &rerr) {
				rerr.Message = s.log.scrub(rerr.Message)
				return nil, rerr
			}
			return nil, &jsonrpc2.Error{Code: codeRequestFailed, Message: s.log.scrub(oneLine(err.Error()))}
		}
		return res, err
	})
	return res, err
}

func (s *Server) cmdInit(ctx context.Context, token, arg json.RawMessage) (any, error) {
	var a struct {
		Path    string `json:"path"`
		Name    string `json:"name"`
		Version string `json:"version"`
	}
	if err := s.decodeArg("kpm.init", arg, &a); err != nil {
		return nil, err
	}
	if err := requireAbs("kpm.init", "path", a.Path); err != nil {
		return nil, s.commandError(err)
	}
	res, err := commands.Init(ctx, commands.InitOptions{Dir: a.Path, Name: a.Name, Version: a.Version})
	if err != nil {
		return nil, s.commandError(err)
	}
	files := res.Files
	if files == nil {
		files = []string{}
	}
	s.refreshAll()
	return map[string]any{"path": res.Path, "name": res.Name, "version": res.Version, "files": files, "kept": res.Kept}, nil
}

func (s *Server) cmdLogin(ctx context.Context, token, arg json.RawMessage) (any, error) {
	var a struct {
		Registry string `json:"registry"`
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := s.decodeArg("kpm.login", arg, &a); err != nil {
		return nil, err
	}
	for _, f := range [][2]string{{"registry", a.Registry}, {"username", a.Username}, {"password", a.Password}} {
		if err := requireField("kpm.login", f[0], f[1]); err != nil {
			return nil, s.commandError(err)
		}
	}
	st, err := s.settingsForCommand("kpm.login")
	if err != nil {
		return nil, err
	}
	return s.long(ctx, token, "kpm: logging in to "+a.Registry, func(ctx context.Context, p commands.Progress) (any, error) {
		res, err := commands.Login(ctx, commands.LoginOptions{Settings: st, Progress: p, Registry: a.Registry, Username: a.Username, Password: a.Password})
		if err != nil {
			return nil, err
		}
		s.refreshAll()
		return map[string]any{"registry": res.Registry, "message": res.Message}, nil
	})
}

func (s *Server) cmdLogout(ctx context.Context, token, arg json.RawMessage) (any, error) {
	var a struct {
		Registry string `json:"registry"`
	}
	if err := s.decodeArg("kpm.logout", arg, &a); err != nil {
		return nil, err
	}
	if err := requireField("kpm.logout", "registry", a.Registry); err != nil {
		return nil, s.commandError(err)
	}
	st, err := s.settingsForCommand("kpm.logout")
	if err != nil {
		return nil, err
	}
	res, err := commands.Logout(ctx, commands.LogoutOptions{Settings: st, Registry: a.Registry})
	if err != nil {
		return nil, s.commandError(err)
	}
	return map[string]any{"registry": res.Registry, "message": res.Message}, nil
}

func (s *Server) cmdPush(ctx context.Context, token, arg json.RawMessage) (any, error) {
	var a struct {
		Path   string `json:"path"`
		Source string `json:"source"`
		Force  bool   `json:"force"`
	}
	if err := s.decodeArg("kpm.push", arg, &a); err != nil {
		return nil, err
	}
	if err := requireAbs("kpm.push", "path", a.Path); err != nil {
		return nil, s.commandError(err)
	}
	st, err := s.settingsForCommand("kpm.push")
	if err != nil {
		return nil, err
	}
	return s.long(ctx, token, "kpm: pushing "+filepath.Base(a.Path), func(ctx context.Context, p commands.Progress) (any, error) {
		res, err := commands.Push(ctx, commands.PushOptions{Settings: st, Progress: p, Dir: a.Path, Source: a.Source, Force: a.Force})
		if err != nil {
			return nil, err
		}
		return map[string]any{"reference": res.Reference, "digest": res.Digest, "name": res.Name, "version": res.Version}, nil
	})
}

func (s *Server) cmdPull(ctx context.Context, token, arg json.RawMessage) (any, error) {
	var a struct {
		Source string `json:"source"`
		Tag    string `json:"tag"`
	}
	if err := s.decodeArg("kpm.pull", arg, &a); err != nil {
		return nil, err
	}
	if err := requireField("kpm.pull", "source", a.Source); err != nil {
		return nil, s.commandError(err)
	}
	st, err := s.settingsForCommand("kpm.pull")
	if err != nil {
		return nil, err
	}
	return s.long(ctx, token, "kpm: pulling "+a.Source, func(ctx context.Context, p commands.Progress) (any, error) {
		res, err := commands.Pull(ctx, commands.PullOptions{Settings: st, Progress: p, Source: a.Source, Tag: a.Tag})
		if err != nil {
			return nil, err
		}
		s.refreshAll()
		return map[string]any{"reference": res.Reference, "digest": res.Digest, "name": res.Name, "version": res.Version, "path": res.Path}, nil
	})
}

func (s *Server) cmdStatus(ctx context.Context, token, arg json.RawMessage) (any, error) {
	st, err := s.settingsForCommand("kpm.status")
	if err != nil {
		return nil, err
	}
	ls := s.currentSettings()
	loggedIn := registry.LoggedIn(ctx, st.DefaultOciRegistry, registryOptions(st))
	return map[string]any{
		"defaultRegistry": st.DefaultOciRegistry,
		"defaultRepo":     st.DefaultOciRepo,
		"loggedIn":        loggedIn,
		"pkgPath":         st.PkgPath,
		"offline":         ls.Offline,
	}, nil
}

// registryOptions are the registry options for kpm's settings.
func registryOptions(st *workspace.Settings) registry.Options {
	return registry.Options{PlainHTTP: st.PlainHTTP, CredentialsFile: st.CredentialsFile()}
}

// refreshAll re-diagnoses every open document (after a command changed files or the cache).
func (s *Server) refreshAll() {
	s.stats.clear()
	s.mods.expire()
	for _, d := range s.docs.all() {
		s.diags.schedule(d.uri)
	}
}
