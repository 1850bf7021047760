package commands

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kpm-dev/kpm/registry"
	"github.com/kpm-dev/kpm/workspace"
)

// PullOptions configures Pull.
type PullOptions struct {
	Settings              *workspace.Settings
	InsecureSkipTLSVerify bool
	Progress              Progress
	// Source is name[:version] (default registry/repo) or oci://host/repo/name[?tag=T].
	Source string
	// Tag is the tag of an oci:// source (overrides ?tag=).
	Tag string
	// Dest is the destination directory; "" means the package cache, $KCL_PKG_PATH/<name>_<tag>.
	// An existing destination is replaced once the new copy is complete and verified.
	Dest string
	// Under, when set (and Dest is not), puts the package in Under/<registry>/<repository>/<tag>,
	// the layout upstream's `kpm pull SOURCE [DIR]` writes.
	Under string
}

// PullResult says what was pulled and where it is.
type PullResult struct {
	Reference string // host/repo/name:tag
	Digest    string // manifest digest
	Name      string // package name (the repository's last element)
	Version   string // the tag pulled
	Sum       string // package checksum from the manifest ("" when it has none)
	Path      string // absolute local directory holding the package
}

// Pull fetches a package, verifies digests and checksum, and unpacks it into Dest (default: the
// package cache). Without a version it takes the highest semantic-version tag.
func Pull(ctx context.Context, opts PullOptions) (_ PullResult, err error) {
	p := progressOrDiscard(opts.Progress)
	s := opts.Settings
	ropts, err := registryOptions(s, opts.InsecureSkipTLSVerify)
	if err != nil {
		return PullResult{}, err
	}
	ref, err := registry.ParseReference(opts.Source, opts.Tag, s.DefaultOciRegistry, s.DefaultOciRepo)
	if err != nil {
		return PullResult{}, err
	}
	if ref.Tag == "" {
		p.Message("looking up the latest version of " + ref.String())
		tag, err := registry.LatestTag(ctx, ref, ropts)
		if err != nil {
			return PullResult{}, err
		}
		ref.Tag = tag
	}
	dest := opts.Dest
	if dest == "" && opts.Under != "" {
		dest = filepath.Join(opts.Under, ref.Registry, filepath.FromSlash(ref.Repository), ref.Tag)
	}
	inCache := dest == ""
	if inCache {
		dest = s.CacheDir(ref.Name(), ref.Tag)
	}
	if dest, err = filepath.Abs(dest); err != nil {
		return PullResult{}, fmt.Errorf("pull %s: %w", ref, err)
	}
	// Into the cache: download into a temporary directory without any lock, then move it into
	// place under the cache lock, so a stalled download never blocks another kpm.
	target := dest
	var tmpParent string
	if inCache {
		if tmpParent, err = workspace.DownloadDir(s, filepath.Base(dest)); err != nil {
			return PullResult{}, fmt.Errorf("pull %s: %w", ref, err)
		}
		defer os.RemoveAll(tmpParent)
		target = filepath.Join(tmpParent, "pkg")
	}
	if !inCache {
		created := missingParents(dest)
		defer func() {
			if err != nil {
				removeEmpty(created)
			}
		}()
	}
	p.Message("pulling " + ref.String())
	fn, end := transferProgress(p, "downloading "+ref.Name()+"_"+ref.Tag)
	res, err := registry.Pull(ctx, ref, registry.PullOptions{
		Options:  ropts,
		Dest:     target,
		Replace:  true,
		NoSum:    s.SkipSum(ref.Name()),
		Progress: fn,
	})
	end()
	if err != nil {
		return PullResult{}, err
	}
	if inCache {
		if _, err := workspace.MoveIntoCache(ctx, s, target, dest, filepath.Join(tmpParent, "old"), true, p.Message); err != nil {
			return PullResult{}, fmt.Errorf("pull %s: %w", ref, err)
		}
		res.Dir = dest
	}
	return PullResult{
		Reference: res.Reference.String(),
		Digest:    res.Digest,
		Name:      res.Reference.Name(),
		Version:   res.Reference.Tag,
		Sum:       res.Sum,
		Path:      res.Dir,
	}, nil
}

// missingParents lists the ancestors of dir that do not exist yet, deepest first: the directories
// a failed pull must not leave behind.
func missingParents(dir string) []string {
	var missing []string
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || filepath.Dir(d) == d {
			return missing
		}
		missing = append(missing, d)
	}
}

// removeEmpty removes the directories listed, deepest first, as long as they are empty.
func removeEmpty(dirs []string) {
	for _, d := range dirs {
		if os.Remove(d) != nil {
			return
		}
	}
}
