package commands

import (
	"context"

	"github.com/kpm-dev/kpm/registry"
	"github.com/kpm-dev/kpm/workspace"
)

// LogoutOptions configures Logout.
type LogoutOptions struct {
	Settings *workspace.Settings
	Progress Progress
	Registry string // host[:port]
}

// LogoutResult says what Logout did.
type LogoutResult struct {
	Registry string
	Message  string // "Logout succeeded"
}

// Logout removes the stored credentials of a registry; it fails when there are none.
func Logout(ctx context.Context, opts LogoutOptions) (LogoutResult, error) {
	ropts, err := registryOptions(opts.Settings, false)
	if err != nil {
		return LogoutResult{}, err
	}
	if err := registry.Logout(ctx, opts.Registry, ropts); err != nil {
		return LogoutResult{}, err
	}
	return LogoutResult{Registry: opts.Registry, Message: "Logout succeeded"}, nil
}
