package commands

import (
	"context"
	"errors"

	"github.com/kpm-dev/kpm/workspace"
)

// MetadataOptions configures Metadata.
type MetadataOptions struct {
	Settings              *workspace.Settings
	InsecureSkipTLSVerify bool
	Progress              Progress
	// Dir is the package root ("" = the current directory).
	Dir string
	// Update allows downloads (and writes kcl.mod.lock when it changes). Without it Metadata
	// never touches the network or any file: a dependency missing from the cache is an error.
	Update bool
	// Vendor copies the dependencies into vendor/ inside the package and lists those copies.
	Vendor bool
}

// MetadataResult is what `kpm metadata` prints as JSON (upstream's shape).
type MetadataResult struct {
	Packages map[string]MetadataPackage `json:"packages"`
}

// MetadataPackage is one dependency: its name and the directory holding it.
type MetadataPackage struct {
	Name         string `json:"name"`
	ManifestPath string `json:"manifest_path"`
}

// Metadata lists every dependency (transitive ones included) with its local directory, keyed by
// the name the dependency is imported by (kcl.mod's key with '-' replaced by '_'), as upstream.
func Metadata(ctx context.Context, opts MetadataOptions) (MetadataResult, error) {
	p := progressOrDiscard(opts.Progress)
	if opts.Settings == nil {
		return MetadataResult{}, errors.New("metadata: no settings given")
	}
	dir, err := packageDir(opts.Dir)
	if err != nil {
		return MetadataResult{}, err
	}
	if opts.Vendor {
		if err := seedCacheFromVendor(ctx, dir, opts.Settings); err != nil {
			return MetadataResult{}, err
		}
	}
	res, err := workspace.Resolve(ctx, dir, workspace.ResolveOptions{
		Settings:              opts.Settings,
		Offline:               !opts.Update,
		WriteLock:             opts.Update,
		InsecureSkipTLSVerify: opts.InsecureSkipTLSVerify,
		Progress:              p.Message,
	})
	if err != nil {
		if errors.Is(err, workspace.ErrOffline) {
			return MetadataResult{}, errors.New(err.Error() + "; run 'kpm metadata --update' to download it")
		}
		return MetadataResult{}, err
	}
	reportWarnings(p, res.Mod)
	if opts.Vendor {
		if err := vendorDeps(ctx, dir, res, p); err != nil {
			return MetadataResult{}, err
		}
	}
	// Keyed and named by import name ('-' → '_'), as upstream prints them.
	out := MetadataResult{Packages: map[string]MetadataPackage{}}
	for _, d := range res.Deps {
		out.Packages[d.ImportName] = MetadataPackage{Name: d.ImportName, ManifestPath: d.Dir}
	}
	return out, nil
}
