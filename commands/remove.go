package commands

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/kpm-dev/kpm/workspace"
)

// RemoveOptions configures Remove.
type RemoveOptions struct {
	Settings              *workspace.Settings
	InsecureSkipTLSVerify bool
	Progress              Progress
	// Dir is the package root ("" = the current directory).
	Dir string
	// Name is the dependency's key in kcl.mod (or its import name, with '_' for '-').
	Name string
}

// RemoveResult says what Remove did.
type RemoveResult struct {
	Name string // the key removed from kcl.mod
	// Changes lists the lock entries removed (the dependency, and transitive ones nothing else
	// needs) or moved to another version.
	Changes []workspace.LockChange
	// LockChanged says kcl.mod.lock was rewritten.
	LockChanged bool
	// Dependencies is the number of dependencies left, transitive ones included.
	Dependencies int
}

// Remove deletes a dependency from kcl.mod (its whole entry, editing the file in place) and
// rewrites kcl.mod.lock without it. The remaining dependencies are resolved first, so a failure
// leaves both files untouched. The package cache is left alone (other packages may use it).
func Remove(ctx context.Context, opts RemoveOptions) (RemoveResult, error) {
	p := progressOrDiscard(opts.Progress)
	if opts.Settings == nil {
		return RemoveResult{}, errors.New("remove: no settings given")
	}
	if opts.Name == "" {
		return RemoveResult{}, errors.New("remove: want a dependency name")
	}
	dir, err := packageDir(opts.Dir)
	if err != nil {
		return RemoveResult{}, err
	}
	// kcl.mod and kcl.mod.lock are read, then rewritten: a concurrent add, remove or update of
	// the same package waits, then works on the files this one wrote.
	unlock, err := workspace.LockPackage(ctx, opts.Settings, dir, p.Message)
	if err != nil {
		return RemoveResult{}, err
	}
	defer unlock()
	mf, err := workspace.LoadModFile(dir)
	if err != nil {
		return RemoveResult{}, err
	}
	reportWarnings(p, mf)
	name := opts.Name
	if mf.Dependency(name) == nil {
		for _, d := range mf.Dependencies {
			if d.ImportName() == workspace.ImportName(name) {
				name = d.Name
				break
			}
		}
	}
	edit, ok := mf.RemoveDependency(name)
	if !ok {
		return RemoveResult{}, fmt.Errorf("remove: no dependency %q in %s", opts.Name, mf.Filename)
	}
	res, changed, err := applyDependencyEdit(ctx, dir, mf, edit, opts.Settings, opts.InsecureSkipTLSVerify, p, "removing "+name, false)
	if err != nil {
		return RemoveResult{}, err
	}
	return RemoveResult{Name: name, Changes: res.Changes, LockChanged: changed, Dependencies: len(res.Deps)}, nil
}

// applyDependencyEdit checks kcl.mod with edit applied, resolves the dependencies it then
// has (after telling p msg) and only then writes kcl.mod and kcl.mod.lock, so a failed
// resolution changes nothing. It returns the resolution and whether the lock file changed.
func applyDependencyEdit(ctx context.Context, dir string, mf *workspace.ModFile, edit workspace.TextEdit, s *workspace.Settings, insecure bool, p Progress, msg string, noLock bool) (*workspace.Resolution, bool, error) {
	newMod, findings := workspace.ParseModFile(mf.Filename, workspace.ApplyEdits(mf.Src, edit))
	if err := workspace.RefuseFindings(findings); err != nil {
		return nil, false, err
	}
	p.Message(msg)
	res, err := workspace.Resolve(ctx, dir, workspace.ResolveOptions{
		Settings:              s,
		ModFile:               newMod,
		InsecureSkipTLSVerify: insecure,
		Progress:              p.Message,
	})
	if err != nil {
		return nil, false, err
	}
	if err := workspace.UpdateModFile(mf.Filename, mf.Src, edit); err != nil {
		return nil, false, err
	}
	if noLock {
		return res, false, nil
	}
	changed, err := workspace.WriteLockFile(filepath.Join(dir, workspace.LockFileName), res.Lock)
	if err != nil {
		return nil, false, err
	}
	return res, changed, nil
}
