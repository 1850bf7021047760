package commands

import (
	"context"
	"errors"

	"github.com/kpm-dev/kpm/workspace"
)

// UpdateOptions configures Update.
type UpdateOptions struct {
	Settings              *workspace.Settings
	InsecureSkipTLSVerify bool
	Progress              Progress
	// Dir is the package root ("" = the current directory).
	Dir string
	// NoSumCheck checks no checksum and leaves kcl.mod.lock alone (upstream's --no_sum_check).
	NoSumCheck bool
}

// UpdateResult says what Update did.
type UpdateResult struct {
	// Changed says kcl.mod.lock was rewritten (it is left alone when nothing changed).
	Changed bool
	// Choices are the dependencies requested in several versions, with the version chosen.
	Choices []workspace.Choice
	// Messages are human-readable notes (the choices among them).
	Messages []string
	// Changes lists the dependencies added, removed or moved to another version in the lock.
	Changes []workspace.LockChange
	// Downloaded lists the references fetched from registries.
	Downloaded []string
	// Dependencies is the number of dependencies, transitive ones included.
	Dependencies int
}

// Update re-resolves every dependency of the package (untagged oci dependencies move to their
// newest tag, sums are recomputed, missing packages are downloaded) and rewrites kcl.mod.lock
// only if its content changed.
func Update(ctx context.Context, opts UpdateOptions) (UpdateResult, error) {
	p := progressOrDiscard(opts.Progress)
	if opts.Settings == nil {
		return UpdateResult{}, errors.New("update: no settings given")
	}
	dir, err := packageDir(opts.Dir)
	if err != nil {
		return UpdateResult{}, err
	}
	s := opts.Settings
	if opts.NoSumCheck {
		s = noSumCheck(s)
	}
	res, err := workspace.Resolve(ctx, dir, workspace.ResolveOptions{
		Settings:              s,
		Update:                true,
		WriteLock:             !opts.NoSumCheck,
		InsecureSkipTLSVerify: opts.InsecureSkipTLSVerify,
		Progress:              p.Message,
	})
	if err != nil {
		return UpdateResult{}, err
	}
	reportWarnings(p, res.Mod)
	return UpdateResult{
		Changed:      res.LockWritten,
		Choices:      res.Choices,
		Messages:     res.Messages,
		Changes:      res.Changes,
		Downloaded:   res.Downloaded,
		Dependencies: len(res.Deps),
	}, nil
}
