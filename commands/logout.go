package commands

import (
	"context"
	"errors"

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

// Logout removes the stored credentials of a registry.
func Logout(ctx context.Context, opts LogoutOptions) (LogoutResult, error) {
	return LogoutResult{}, errors.New("logout: not implemented yet")
}
