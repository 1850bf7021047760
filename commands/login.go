package commands

import (
	"context"

	"github.com/kpm-dev/kpm/registry"
	"github.com/kpm-dev/kpm/workspace"
)

// LoginOptions configures Login.
type LoginOptions struct {
	Settings              *workspace.Settings
	InsecureSkipTLSVerify bool
	Progress              Progress
	Registry              string // host[:port]
	Username              string
	Password              string
}

// LoginResult says what Login did.
type LoginResult struct {
	Registry string
	Message  string // "Login succeeded"
}

// Login checks the credentials against the registry and, only when it accepts them, stores them
// in the credentials file (mode 0600). A wrong password stores nothing.
func Login(ctx context.Context, opts LoginOptions) (LoginResult, error) {
	ropts, err := registryOptions(opts.Settings, opts.InsecureSkipTLSVerify)
	if err != nil {
		return LoginResult{}, err
	}
	progressOrDiscard(opts.Progress).Message("logging in to " + opts.Registry)
	if err := registry.Login(ctx, opts.Registry, opts.Username, opts.Password, ropts); err != nil {
		return LoginResult{}, err
	}
	return LoginResult{Registry: opts.Registry, Message: "Login succeeded"}, nil
}
