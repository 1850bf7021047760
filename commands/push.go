package commands

import (
	"context"
	"errors"

	"github.com/kpm-dev/kpm/workspace"
)

// PushOptions configures Push.
type PushOptions struct {
	Settings              *workspace.Settings
	InsecureSkipTLSVerify bool
	Progress              Progress
	Dir                   string // package root; "" = current directory
	Source                string // oci://host/repo/name; "" = default registry/repo + package name
	Force                 bool   // replace an existing tag
}

// PushResult says what was pushed.
type PushResult struct {
	Reference string // host/repo/name:tag
	Digest    string // manifest digest
	Name      string
	Version   string
}

// Push packs the package in Dir and pushes it.
func Push(ctx context.Context, opts PushOptions) (PushResult, error) {
	return PushResult{}, errors.New("push: not implemented yet")
}
