package commands

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/kpm-dev/kpm/registry"
	"github.com/kpm-dev/kpm/workspace"
)

// AddOptions configures Add. Exactly one of Source, Git and Path is set.
type AddOptions struct {
	Settings              *workspace.Settings
	InsecureSkipTLSVerify bool
	Progress              Progress
	// Dir is the package root ("" = the current directory).
	Dir string
	// Source is NAME[:VERSION] (default registry and repository) or an oci:// URL.
	Source string
	// Tag is the tag of an oci:// Source (overrides ?tag=); "" = the highest semantic version.
	Tag string
	// Path is a local package directory (absolute, or relative to the current directory).
	Path string
	// Git is a git repository URL, with exactly one of Tag, Commit and Branch.
	Git    string
	Commit string
	Branch string
	// Rename is the dependency name to write (the import name), when not the package's own.
	Rename string
	// Package names the package inside a git repository holding several (kcl.mod's `package`).
	Package string
	// NoSumCheck checks no checksum and leaves kcl.mod.lock alone (upstream's --no_sum_check).
	NoSumCheck bool
}

// AddResult says what was added.
type AddResult struct {
	Name      string // the key written in kcl.mod
	Version   string // the version (tag) added
	Reference string // host/repo:tag, or the absolute path of a path dependency
	Dir       string // where the dependency is on disk
	// Replaced is true when an existing entry of kcl.mod was replaced.
	Replaced bool
	// LockChanged says kcl.mod.lock was rewritten.
	LockChanged bool
	// Messages are the resolver's notes (version choices).
	Messages []string
}

// Add adds a dependency to the package in opts.Dir: it resolves the version (the highest
// semantic-version tag when none is given), resolves every dependency with the new one (which
// downloads it), and only then edits kcl.mod in place (keeping comments and order) and writes
// kcl.mod.lock, both atomically.
func Add(ctx context.Context, opts AddOptions) (AddResult, error) {
	p := progressOrDiscard(opts.Progress)
	s := opts.Settings
	if s == nil {
		return AddResult{}, errors.New("add: no settings given")
	}
	dir, err := packageDir(opts.Dir)
	if err != nil {
		return AddResult{}, err
	}
	// kcl.mod and kcl.mod.lock are read, then rewritten: a concurrent add, remove or update of
	// the same package waits, then works on the files this one wrote.
	unlock, err := workspace.LockPackage(ctx, s, dir, p.Message)
	if err != nil {
		return AddResult{}, err
	}
	defer unlock()
	mf, err := workspace.LoadModFile(dir)
	if err != nil {
		return AddResult{}, err
	}
	reportWarnings(p, mf)
	if opts.NoSumCheck {
		s = noSumCheck(s)
	}
	if err := classifySource(&opts); err != nil {
		return AddResult{}, err
	}
	n := 0
	for _, v := range []string{opts.Source, opts.Path, opts.Git} {
		if v != "" {
			n++
		}
	}
	if n != 1 {
		return AddResult{}, errors.New("add: give one of a package (NAME[:VERSION] or an oci:// URL), --git URL or --path DIR")
	}
	if opts.Rename != "" && !workspace.ValidPackageName(opts.Rename) {
		return AddResult{}, fmt.Errorf("add: invalid name %q for --rename: want %s", opts.Rename, workspace.PackageNameRule)
	}

	var spec workspace.DepSpec
	var reference string
	switch {
	case opts.Git != "":
		refs := 0
		for _, v := range []string{opts.Tag, opts.Commit, opts.Branch} {
			if v != "" {
				refs++
			}
		}
		if refs != 1 {
			return AddResult{}, fmt.Errorf("add --git %s: give exactly one of --tag, --commit or --branch", opts.Git)
		}
		name := strings.TrimSuffix(path.Base(strings.TrimRight(opts.Git, "/")), ".git")
		if opts.Package != "" {
			name = opts.Package
		}
		spec = workspace.DepSpec{Name: name, Git: opts.Git, Tag: opts.Tag, Commit: opts.Commit, Branch: opts.Branch, Package: opts.Package}
		reference = opts.Git + "@" + opts.Tag + opts.Commit + opts.Branch
	case opts.Path != "":
		abs, err := filepath.Abs(opts.Path)
		if err != nil {
			return AddResult{}, fmt.Errorf("add --path %s: %w", opts.Path, err)
		}
		dep, err := workspace.LoadModFile(abs)
		if err != nil {
			return AddResult{}, fmt.Errorf("add --path %s: %w", opts.Path, err)
		}
		rel, err := filepath.Rel(dir, abs)
		if err != nil {
			rel = abs
		}
		spec = workspace.DepSpec{Name: dep.Name(), Path: filepath.ToSlash(rel)}
		reference = abs
	default:
		ropts, err := registryOptions(s, opts.InsecureSkipTLSVerify)
		if err != nil {
			return AddResult{}, err
		}
		ref, err := registry.ParseReference(opts.Source, opts.Tag, s.DefaultOciRegistry, s.DefaultOciRepo)
		if err != nil {
			return AddResult{}, err
		}
		if ref.Tag == "" {
			p.Message("looking up the latest version of " + ref.String())
			tag, err := registry.LatestTag(ctx, ref, ropts)
			if err != nil {
				return AddResult{}, err
			}
			ref.Tag = tag
		}
		// In the default registry and repository, upstream writes the short form name = "version".
		inDefault := ref.Registry == s.DefaultOciRegistry && ref.Repository == strings.Trim(s.DefaultOciRepo, "/")+"/"+ref.Name()
		if !inDefault {
			spec = workspace.DepSpec{Name: ref.Name(), OCI: ref.OCI(), Tag: ref.Tag}
		} else {
			spec = workspace.DepSpec{Name: ref.Name(), Version: ref.Tag}
		}
		reference = ref.String()
	}
	if opts.Rename != "" && opts.Rename != spec.Name {
		if spec.Package == "" {
			spec.Package = spec.Name
		}
		spec.Name = opts.Rename
	}

	// The new kcl.mod, checked and resolved before anything is written.
	replaced := mf.Dependency(spec.Name) != nil
	res, changed, err := applyDependencyEdit(ctx, dir, mf, mf.SetDependency(spec), s, opts.InsecureSkipTLSVerify, p, "adding "+spec.Line(), opts.NoSumCheck)
	if err != nil {
		return AddResult{}, err
	}
	out := AddResult{Name: spec.Name, Reference: reference, Replaced: replaced, LockChanged: changed, Messages: res.Messages}
	if d := res.Deps[workspace.ImportName(spec.Name)]; d != nil {
		out.Version, out.Dir = d.Version, d.Dir
		if d.Reference != "" {
			out.Reference = d.Reference
		}
	}
	return out, nil
}

// classifySource reads a positional source the way upstream's `kpm add SOURCE` does: an existing
// directory is a path dependency; an http(s)://, git:// or ssh:// URL is a git repository, with
// ?tag=, ?commit= or ?branch= (mixing the query and --tag/--commit/--branch is refused); oci://
// URLs and NAME[:VERSION] stay registry sources.
func classifySource(opts *AddOptions) error {
	src := opts.Source
	if src == "" {
		return nil
	}
	if st, err := os.Stat(src); err == nil && st.IsDir() && !registry.IsOCIURL(src) {
		opts.Source, opts.Path = "", src
		return nil
	}
	u, err := url.Parse(src)
	if err != nil {
		return nil
	}
	switch u.Scheme {
	case "http", "https", "git", "ssh":
	default:
		return nil
	}
	q := u.Query()
	for _, k := range []struct {
		name string
		dst  *string
	}{{"tag", &opts.Tag}, {"commit", &opts.Commit}, {"branch", &opts.Branch}} {
		if v := q.Get(k.name); v != "" {
			if *k.dst != "" && *k.dst != v {
				return fmt.Errorf("add %s: %s is given twice (in the URL and as --%s)", src, k.name, k.name)
			}
			*k.dst = v
		}
	}
	if u.Scheme == "git" {
		u.Scheme = "https" // as upstream: git:// URLs are fetched over https
	}
	u.RawQuery = ""
	opts.Source, opts.Git = "", u.String()
	return nil
}

// packageDir returns the absolute package root: dir, or the current directory.
func packageDir(dir string) (string, error) {
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return "", err
		}
		return wd, nil
	}
	return filepath.Abs(dir)
}

// reportWarnings shows the non-error findings of a kcl.mod (unknown keys, ...) as messages.
func reportWarnings(p Progress, mf *workspace.ModFile) {
	if mf == nil {
		return
	}
	for _, f := range mf.Findings {
		if f.Severity != workspace.SeverityError {
			p.Message(f.String())
		}
	}
}
