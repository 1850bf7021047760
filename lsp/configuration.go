package lsp

import (
	"context"
	"encoding/json"
	"os"
	"time"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/kpm-dev/kpm/workspace"
)

// Settings is the client-side configuration, section "kpm".
type Settings struct {
	// PkgPath overrides KCL_PKG_PATH (the package home) for this server.
	PkgPath string `json:"pkgPath"`
	// Offline stops every background registry lookup (tags, catalog, manifests).
	Offline bool `json:"offline"`
	// RegistryCheckInterval is how long, in seconds, cached registry answers stay fresh.
	RegistryCheckInterval float64 `json:"registryCheckInterval"`
	// EvalOnSave evaluates a package when one of its .k files is saved and shows the
	// evaluation errors as diagnostics until the next edit.
	EvalOnSave bool `json:"evalOnSave"`
}

func defaultSettings() Settings {
	return Settings{RegistryCheckInterval: 3600}
}

// merge overlays the fields present in raw (either the "kpm" section itself or an object
// holding it under "kpm").
func (st *Settings) merge(raw json.RawMessage) {
	var outer map[string]json.RawMessage
	if json.Unmarshal(raw, &outer) != nil {
		return
	}
	if inner, ok := outer["kpm"]; ok {
		if json.Unmarshal(inner, &outer) != nil {
			return
		}
	}
	if v, ok := outer["pkgPath"]; ok {
		_ = json.Unmarshal(v, &st.PkgPath)
	}
	if v, ok := outer["offline"]; ok {
		_ = json.Unmarshal(v, &st.Offline)
	}
	if v, ok := outer["evalOnSave"]; ok {
		_ = json.Unmarshal(v, &st.EvalOnSave)
	}
	if v, ok := outer["registryCheckInterval"]; ok {
		var secs float64
		if json.Unmarshal(v, &secs) == nil && secs >= 0 {
			st.RegistryCheckInterval = secs
		}
	}
}

func (st Settings) ttl() time.Duration {
	return time.Duration(st.RegistryCheckInterval * float64(time.Second))
}

func (s *Server) currentSettings() Settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.settings
}

// applySettings makes new settings effective: the package home, then a refresh of every
// open document (registry lookups restart or stop with the offline flag).
func (s *Server) applySettings(st Settings) {
	// workspace.LoadSettings reads KCL_PKG_PATH from the environment; the server is the
	// only user of its process environment. An empty pkgPath (the setting cleared) goes back
	// to the environment the server started with.
	switch {
	case st.PkgPath != "":
		_ = os.Setenv(workspace.EnvPkgPath, st.PkgPath)
	case s.startPkgPathSet:
		_ = os.Setenv(workspace.EnvPkgPath, s.startPkgPath)
	default:
		_ = os.Unsetenv(workspace.EnvPkgPath)
	}
	s.cache.configure(st)
	for _, d := range s.docs.all() {
		s.diags.schedule(d.uri)
	}
}

// fetchConfiguration asks the client for section "kpm" (workspace/configuration). It runs on
// a background goroutine, never on the reading one.
func (s *Server) fetchConfiguration() {
	if !s.capabilities().Workspace.Configuration {
		s.applySettings(s.currentSettings())
		return
	}
	var result []json.RawMessage
	ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
	defer cancel()
	err := s.call(ctx, "workspace/configuration", map[string]any{
		"items": []map[string]string{{"section": "kpm"}},
	}, &result)
	if err != nil {
		s.log.Printf("workspace/configuration: %v", err)
		return
	}
	s.mu.Lock()
	if len(result) > 0 && string(result[0]) != "null" {
		s.settings.merge(result[0])
	}
	st := s.settings
	s.mu.Unlock()
	s.log.Printf("settings: pkgPath=%q offline=%v registryCheckInterval=%v", st.PkgPath, st.Offline, st.RegistryCheckInterval)
	s.applySettings(st)
}

func (s *Server) didChangeConfiguration(params json.RawMessage) {
	var p struct {
		Settings json.RawMessage `json:"settings"`
	}
	_ = json.Unmarshal(params, &p)
	var probe map[string]json.RawMessage
	if len(p.Settings) > 0 && json.Unmarshal(p.Settings, &probe) == nil && probe["kpm"] != nil {
		s.mu.Lock()
		s.settings.merge(p.Settings)
		st := s.settings
		s.mu.Unlock()
		s.goBackground(func() { s.applySettings(st) })
		return
	}
	// The pull model: the notification only says "something changed".
	s.goBackground(s.fetchConfiguration)
}

// loadSettings reads kpm's effective settings (kpm.json + environment) for one operation.
func (s *Server) loadSettings() (*workspace.Settings, error) {
	st, err := workspace.LoadSettings()
	if err == nil {
		if w := st.CredentialsWarning(); w != "" && s.credsWarned.CompareAndSwap(false, true) {
			s.showMessage(protocol.MessageTypeWarning, "kpm: "+w)
		}
	}
	return st, err
}
