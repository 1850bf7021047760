package commands

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kpm-dev/kpm/registry"
	"github.com/kpm-dev/kpm/workspace"
)

// PushOptions configures Push.
type PushOptions struct {
	Settings              *workspace.Settings
	InsecureSkipTLSVerify bool
	Progress              Progress
	Dir                   string // package root; "" = current directory
	Source                string // oci://host/repo/name; "" = oci://<DefaultOciRegistry>/<DefaultOciRepo>/<name>
	Force                 bool   // replace an existing tag
	// TarPath pushes a package archive (as `kpm pkg` writes) instead of the directory Dir.
	TarPath string
	// Vendor copies the dependencies into vendor/ first, so that the pushed package carries them.
	Vendor bool
}

// PushResult says what was pushed.
type PushResult struct {
	Reference string // host/repo/name:tag
	Digest    string // manifest digest
	Name      string
	Version   string
	Sum       string // package checksum
	Size      int64  // archive size in bytes
}

// Push packs the package in Dir (its kcl.mod gives name, version, description, include and
// exclude) and pushes it tagged with its version. An existing tag is refused unless Force.
func Push(ctx context.Context, opts PushOptions) (PushResult, error) {
	p := progressOrDiscard(opts.Progress)
	ropts, err := registryOptions(opts.Settings, opts.InsecureSkipTLSVerify)
	if err != nil {
		return PushResult{}, err
	}
	dir := opts.Dir
	if dir == "" {
		dir = "."
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return PushResult{}, fmt.Errorf("push: %w", err)
	}
	if opts.TarPath != "" {
		tmp, err := os.MkdirTemp("", "kpm-push-*")
		if err != nil {
			return PushResult{}, fmt.Errorf("push: %w", err)
		}
		defer os.RemoveAll(tmp)
		dir = filepath.Join(tmp, "pkg")
		if err := registry.UnpackFile(opts.TarPath, dir); err != nil {
			return PushResult{}, fmt.Errorf("push --tar_path: %w", err)
		}
	}
	if opts.Vendor {
		if err := vendorPackage(ctx, dir, opts.Settings, opts.InsecureSkipTLSVerify, p); err != nil {
			return PushResult{}, err
		}
	}
	mod, err := loadPackage(dir)
	if err != nil {
		return PushResult{}, err
	}
	if err := refusePathDeps(dir); err != nil {
		return PushResult{}, err
	}
	pkg := registry.Package{
		Dir:         dir,
		Name:        mod.Name.Value,
		Version:     mod.Version.Value,
		Description: mod.Description.Value,
		Include:     values(mod.Include),
		Exclude:     values(mod.Exclude),
		// Never packed, whatever include says: the package home (credentials, cache) and
		// Docker's configuration, when a CI layout puts them under the package.
		Private: []string{opts.Settings.PkgPath, opts.Settings.CredentialsFile(), os.Getenv("DOCKER_CONFIG")},
	}
	for _, x := range pkg.Private {
		if x != "" && isUnder(x, dir) {
			p.Message("leaving out " + x + " (kpm's package home and credentials are never packed)")
			break
		}
	}

	var ref registry.Reference
	if opts.Source == "" {
		ref, err = registry.ParseNameVersion(pkg.Name, opts.Settings.DefaultOciRegistry, opts.Settings.DefaultOciRepo)
	} else {
		ref, err = registry.ParseOCI(opts.Source, "")
	}
	if err != nil {
		return PushResult{}, err
	}
	if ref.Tag != "" && ref.Tag != pkg.Version {
		return PushResult{}, fmt.Errorf("push %s: the tag is the package version %q from kcl.mod; drop the tag from the URL or change the version", ref, pkg.Version)
	}
	ref.Tag = pkg.Version

	p.Message(fmt.Sprintf("pushing %s %s to %s", pkg.Name, pkg.Version, ref))
	fn, end := transferProgress(p, "uploading "+pkg.Name+"_"+pkg.Version+".tgz")
	res, err := registry.Push(ctx, ref, pkg, registry.PushOptions{Options: ropts, Force: opts.Force, Progress: fn})
	end()
	if err != nil {
		return PushResult{}, err
	}
	return PushResult{
		Reference: res.Reference.String(),
		Digest:    res.Digest,
		Name:      pkg.Name,
		Version:   pkg.Version,
		Sum:       res.Sum,
		Size:      res.Size,
	}, nil
}

// refusePathDeps refuses a package with path dependencies, as upstream does: whoever pulls it
// would not have the directories they point to.
func refusePathDeps(dir string) error {
	mf, err := workspace.LoadModFile(dir)
	if err != nil {
		return err
	}
	for _, d := range mf.Dependencies {
		if d.Source() == workspace.SourcePath {
			return fmt.Errorf("push: dependency %s is a local path (%s): a pushed package cannot use it; publish %s and depend on it by version", d.Name, d.Path.Value, d.Name)
		}
	}
	return nil
}
