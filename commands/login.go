package commands

import (
	"context"
	"errors"

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

// Login checks the credentials against the registry and stores them.
func Login(ctx context.Context, opts LoginOptions) (LoginResult, error) {
	return LoginResult{}, errors.New("login: not implemented yet")
}
