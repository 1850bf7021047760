package commands

import (
	"context"
	"errors"

	"github.com/kpm-dev/kpm/workspace"
)

// PullOptions configures Pull.
type PullOptions struct {
	Settings              *workspace.Settings
	InsecureSkipTLSVerify bool
	Progress              Progress
	Source                string // name[:version], oci://host/repo/name[?tag=T]
	Tag                   string // tag for an oci:// source
	Dest                  string // destination directory; "" = the package cache
}

// PullResult says what was pulled and where it is.
type PullResult struct {
	Reference string // host/repo/name:tag
	Digest    string // manifest digest
	Name      string
	Version   string
	Path      string // local directory holding the package
}

// Pull fetches a package.
func Pull(ctx context.Context, opts PullOptions) (PullResult, error) {
	return PullResult{}, errors.New("pull: not implemented yet")
}
