package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/kpm-dev/kpm/kcl"
	"github.com/kpm-dev/kpm/kcl/check"
	"github.com/kpm-dev/kpm/kcl/modules"
	"github.com/kpm-dev/kpm/registry"
	"github.com/kpm-dev/kpm/workspace"
)

// RunOptions configures Run.
type RunOptions struct {
	// Settings locates the package cache and the default registry. Nil means
	// workspace.LoadSettings() when a registry or the cache is needed.
	Settings              *workspace.Settings
	InsecureSkipTLSVerify bool
	Progress              Progress
	// Source is a package directory, a .k file, an oci:// URL or name[:version]. Empty means the
	// working directory. More .k files may follow in Files. A file may start with
	// `${KCL_MOD}` (the main package root) or `${name:KCL_MOD}` (the root of package name: the
	// file then resolves its imports in that package).
	Source string
	// Stdout receives print() output as the program runs; nil collects it in RunResult.Printed.
	Stdout io.Writer
	// Files are extra .k files evaluated with Source (`kpm run a.k b.k`).
	Files []string
	// Tag is the tag of an oci:// source.
	Tag string
	// Args are -D key=value options; they override [profile].arguments.
	Args map[string]string
	// Format is "yaml" (default) or "json".
	Format string
	// Selectors print only the named variables (-S).
	Selectors   []string
	SortKeys    bool
	DisableNone bool
	// ShowHidden prints private (`_`) variables and attributes too.
	ShowHidden bool
	// ExternalPackages maps an import name to a package directory (`-E name=path`); they win
	// over the dependencies of kcl.mod.
	ExternalPackages map[string]string
	// StrictRangeCheck makes arithmetic results that do not fit in 32 bits an error (-r).
	StrictRangeCheck bool
	// Offline forbids network access while resolving dependencies.
	Offline bool
	// Overrides are kcl's -O specs (path=value, path-), applied to the main package.
	Overrides []string
	// Vendor copies the dependencies into vendor/ inside the package and runs with those copies.
	Vendor bool
	// NoSumCheck checks no checksum and leaves kcl.mod.lock alone (upstream's --no_sum_check).
	NoSumCheck bool
	// WorkDir resolves relative paths; "" means the process working directory.
	WorkDir string
	// NoStaticCheck evaluates without type-checking the program first (the language server,
	// which publishes the checker's findings itself).
	NoStaticCheck bool
}

// RunResult is the evaluated output.
type RunResult struct {
	// Output is the YAML (or JSON) text.
	Output string
	// Printed is what the program wrote with print().
	Printed string
	// PackageDir is the package that was evaluated.
	PackageDir string
}

// Run evaluates a KCL package (local, from an OCI registry, or from the default registry)
// after resolving its dependencies, and returns the rendered result.
func Run(ctx context.Context, opts RunOptions) (RunResult, error) {
	p := progressOrDiscard(opts.Progress)
	wd := opts.WorkDir
	if wd == "" {
		var err error
		if wd, err = os.Getwd(); err != nil {
			return RunResult{}, err
		}
	}
	var overrides []kcl.Override
	for _, spec := range opts.Overrides {
		o, err := kcl.ParseOverride(spec)
		if err != nil {
			return RunResult{}, err
		}
		overrides = append(overrides, o)
	}
	settings := func() (*workspace.Settings, error) {
		if opts.Settings == nil {
			s, err := workspace.LoadSettings()
			if err != nil {
				return nil, err
			}
			opts.Settings = s
		}
		if opts.NoSumCheck {
			return noSumCheck(opts.Settings), nil
		}
		return opts.Settings, nil
	}

	src := opts.Source
	if src == "" {
		src = "."
	}
	var files []string
	var pkgDir string
	local := filepath.Join(wd, src)
	if filepath.IsAbs(src) {
		local = src
	}
	_, statErr := os.Stat(local)
	switch {
	case strings.HasPrefix(src, "${"):
		files = append(files, src)
		pkgDir = wd
		for _, f := range opts.Files {
			files = append(files, absUnlessModPath(wd, f))
		}
	case statErr == nil && !strings.HasPrefix(src, "oci://"):
		st, _ := os.Stat(local)
		switch {
		case st.IsDir():
			pkgDir = local
			if len(opts.Files) > 0 {
				// several entries: the directory is one of them (its .k files)
				files = append(files, local)
			}
		case isArchive(local):
			// a package archive (kpm pkg), as upstream's kpm run accepts: unpacked safely first
			tmp, err := os.MkdirTemp("", "kpm-run-*")
			if err != nil {
				return RunResult{}, err
			}
			defer os.RemoveAll(tmp)
			pkgDir = filepath.Join(tmp, "pkg")
			if err := registry.UnpackFile(local, pkgDir); err != nil {
				return RunResult{}, fmt.Errorf("run %s: %w", src, err)
			}
		default:
			files = append(files, local)
			pkgDir = filepath.Dir(local)
		}
		for _, f := range opts.Files {
			files = append(files, absUnlessModPath(wd, f))
		}
	case isGitURL(src):
		// upstream's kpm run treats http(s)://, git:// and ssh:// sources as git repositories
		if opts.Offline {
			return RunResult{}, fmt.Errorf("run %s: a git repository cannot be fetched offline", src)
		}
		u, err := url.Parse(src)
		if err != nil {
			return RunResult{}, fmt.Errorf("run %s: %w", src, err)
		}
		q := u.Query()
		tag := opts.Tag
		if tag == "" {
			tag = q.Get("tag")
		}
		u.RawQuery = ""
		tmp, err := os.MkdirTemp("", "kpm-run-*")
		if err != nil {
			return RunResult{}, err
		}
		defer os.RemoveAll(tmp)
		pkgDir = filepath.Join(tmp, "pkg")
		p.Message("cloning " + u.String())
		if err := workspace.CloneGit(ctx, u.String(), tag, q.Get("commit"), q.Get("branch"), pkgDir); err != nil {
			return RunResult{}, fmt.Errorf("run %s: %w", src, err)
		}
	case strings.HasPrefix(src, "oci://") || looksLikePackageRef(src):
		s, err := settings()
		if err != nil {
			return RunResult{}, err
		}
		// a tagged reference already in the cache needs no network
		if ref, err := registry.ParseReference(src, opts.Tag, s.DefaultOciRegistry, s.DefaultOciRepo); err == nil && ref.Tag != "" {
			dir := s.CacheDir(ref.Name(), ref.Tag)
			if _, err := os.Stat(filepath.Join(dir, workspace.ModFileName)); err == nil && (opts.Offline || !tagMoved(ctx, s, opts.InsecureSkipTLSVerify, ref, dir, p)) {
				pkgDir = dir
			}
		}
		if pkgDir == "" {
			pr, err := Pull(ctx, PullOptions{Settings: s, InsecureSkipTLSVerify: opts.InsecureSkipTLSVerify,
				Progress: p, Source: src, Tag: opts.Tag})
			if err != nil {
				return RunResult{}, err
			}
			pkgDir = pr.Path
		}
	default:
		return RunResult{}, fmt.Errorf("run %s: no such file or directory", src)
	}

	s, err := settings()
	if err != nil {
		return RunResult{}, err
	}
	kopts := kcl.Options{
		MaxMemory:        s.EvalMemory,
		Stdout:           opts.Stdout,
		Dir:              pkgDir,
		Root:             pkgDir,
		Args:             map[string]string{},
		Format:           opts.Format,
		PathSelectors:    opts.Selectors,
		SortKeys:         opts.SortKeys,
		DisableNone:      opts.DisableNone,
		ShowHidden:       opts.ShowHidden,
		StrictRangeCheck: opts.StrictRangeCheck,
		WorkDir:          wd,
		Overrides:        overrides,
	}
	var entries []string // may start with ${KCL_MOD} or ${name:KCL_MOD}
	entries = append(entries, files...)
	modDir := findModDir(pkgDir)
	if modDir == "" {
		// without a kcl.mod the toolchain finds packages vendored under KCL_PKG_PATH
		home := ""
		if opts.Settings != nil {
			home = opts.Settings.PkgPath
		} else if h, err := workspace.PackageHome(); err == nil {
			home = h
		}
		if home != "" {
			kopts.VendorDirs = []string{home}
		}
	}
	if modDir != "" && unnamedWithoutDeps(modDir) {
		// the toolchain runs a package whose kcl.mod is empty or has no [package] name; with no
		// dependencies there is nothing to resolve
		kopts.Root = modDir
		modDir = ""
	}
	if modDir != "" {
		s, err := settings()
		if err != nil {
			return RunResult{}, err
		}
		if opts.Vendor {
			if err := seedCacheFromVendor(ctx, modDir, s); err != nil {
				return RunResult{}, err
			}
		}
		res, err := workspace.Resolve(ctx, modDir, workspace.ResolveOptions{
			Settings:              s,
			Offline:               opts.Offline,
			WriteLock:             !workspace.InPackageHome(s, modDir) && !opts.NoSumCheck,
			InsecureSkipTLSVerify: opts.InsecureSkipTLSVerify,
			Progress:              p.Message,
		})
		if err != nil {
			return RunResult{}, err
		}
		if opts.Vendor {
			if err := vendorDeps(ctx, modDir, res, p); err != nil {
				return RunResult{}, err
			}
		}
		kopts.Deps = res.ExternalPackages()
		kopts.Root = modDir
		if prof := res.Mod.Profile; prof != nil {
			if len(files) == 0 && len(prof.Entries) > 0 && pkgDir == modDir {
				remote := workspace.InPackageHome(s, modDir)
				for _, en := range prof.Entries {
					f := absUnlessModPath(modDir, en.Value)
					if remote && (strings.HasPrefix(f, "${") || !isUnder(filepath.Clean(f), modDir)) {
						return RunResult{}, fmt.Errorf("%s: [profile] entries %q refused: a package from a registry or git may not read outside itself", filepath.Join(modDir, workspace.ModFileName), en.Value)
					}
					entries = append(entries, f)
				}
			}
			if len(opts.Overrides) == 0 {
				for _, spec := range prof.Overrides {
					o, err := kcl.ParseOverride(spec.Value)
					if err != nil {
						return RunResult{}, fmt.Errorf("%s: [profile] overrides: %w", filepath.Join(modDir, workspace.ModFileName), err)
					}
					kopts.Overrides = append(kopts.Overrides, o)
				}
			}
			if prof.SortKeys.Set && !opts.SortKeys {
				kopts.SortKeys = prof.SortKeys.Value
			}
			if prof.DisableNone.Set && !opts.DisableNone {
				kopts.DisableNone = prof.DisableNone.Value
			}
			if len(opts.Selectors) == 0 {
				for _, s := range prof.Selectors {
					kopts.PathSelectors = append(kopts.PathSelectors, s.Value)
				}
			}
			for _, a := range prof.Arguments {
				if k, v, ok := strings.Cut(a.Value, "="); ok {
					kopts.Args[k] = v
				}
			}
		}
	}
	for k, v := range opts.Args {
		kopts.Args[k] = v
	}
	if len(opts.ExternalPackages) > 0 {
		deps := map[string]string{}
		for k, v := range kopts.Deps {
			deps[k] = v
		}
		for k, v := range opts.ExternalPackages {
			if !filepath.IsAbs(v) {
				v = filepath.Join(wd, v)
			}
			deps[k] = v
		}
		kopts.Deps = deps
	}
	mainRoot := kopts.Root
	for _, en := range entries {
		f, pkg, err := expandModPath(en, mainRoot, kopts.Deps)
		if err != nil {
			return RunResult{}, err
		}
		kopts.Files = append(kopts.Files, f)
		if pkg != nil {
			if kopts.FilePackages == nil {
				kopts.FilePackages = map[string]modules.Package{}
			}
			kopts.FilePackages[f] = *pkg
		}
	}
	if !opts.NoStaticCheck {
		// the toolchain type-checks the whole program before evaluating anything
		kopts.Check = check.Program
	}
	out, err := kcl.Run(ctx, kopts)
	if err != nil {
		return RunResult{}, err
	}
	return RunResult{Output: out.Output, Printed: out.Printed, PackageDir: pkgDir}, nil
}

// unnamedWithoutDeps reports whether dir's kcl.mod lacks a [package] section or name, which
// the toolchain accepts and kpm's validation refuses, and declares no dependency.
func unnamedWithoutDeps(dir string) bool {
	file := filepath.Join(dir, workspace.ModFileName)
	src, err := os.ReadFile(file)
	if err != nil {
		return false
	}
	mf, findings := workspace.ParseModFile(file, src)
	if len(mf.Dependencies) > 0 {
		return false
	}
	missing := false
	for _, f := range findings {
		if f.Severity != workspace.SeverityError {
			continue
		}
		if f.Code != workspace.CodeMissingPackage {
			return false
		}
		missing = true
	}
	return missing
}

// absUnlessModPath makes p absolute from dir, unless it starts with ${...}.
func absUnlessModPath(dir, p string) string {
	if filepath.IsAbs(p) || strings.HasPrefix(p, "${") {
		return p
	}
	return filepath.Join(dir, p)
}

// expandModPath resolves an entry starting with `${KCL_MOD}` (the main package root) or
// `${name:KCL_MOD}` (the root of the external package name; pkg is then that package, whose
// root its imports resolve in).
func expandModPath(entry, mainRoot string, deps map[string]string) (path string, pkg *modules.Package, err error) {
	rest, ok := strings.CutPrefix(entry, "${")
	if !ok {
		return entry, nil, nil
	}
	name, after, ok := strings.Cut(rest, "}")
	if !ok {
		return "", nil, fmt.Errorf("run: entry %s: unclosed ${", entry)
	}
	pkgName, v, hasName := strings.Cut(name, ":")
	if !hasName {
		v = pkgName
	}
	if v != "KCL_MOD" {
		return "", nil, fmt.Errorf("run: entry %s: unknown variable ${%s} (want ${KCL_MOD} or ${name:KCL_MOD})", entry, name)
	}
	if !hasName {
		return filepath.Join(mainRoot, after), nil, nil
	}
	root, found := deps[pkgName]
	if !found {
		return "", nil, fmt.Errorf("run: entry %s: no package named %s (not a dependency in kcl.mod nor an -E external)", entry, pkgName)
	}
	return filepath.Join(root, after), &modules.Package{Name: pkgName, Root: root}, nil
}

// isGitURL reports whether a run source is a git repository: http(s)://, git:// or ssh:// URLs and
// scp-like git@host:path, as upstream's kpm run reads them (OCI sources use oci://).
func isGitURL(s string) bool {
	for _, scheme := range []string{"http://", "https://", "git://", "ssh://"} {
		if strings.HasPrefix(s, scheme) {
			return true
		}
	}
	return strings.HasPrefix(s, "git@") && strings.Contains(s, ":")
}

// isArchive reports whether a file name is a package archive (.tar, .tgz, .tar.gz).
func isArchive(name string) bool {
	for _, ext := range []string{".tar", ".tgz", ".tar.gz"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

// looksLikePackageRef reports whether s reads as name[:version] rather than a path.
func looksLikePackageRef(s string) bool {
	if s == "" || strings.ContainsAny(s, `/\`) || strings.HasSuffix(s, ".k") || strings.HasPrefix(s, ".") {
		return false
	}
	name, _, _ := strings.Cut(s, ":")
	for i, r := range name {
		ok := r == '_' || r == '-' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9' && i > 0)
		if !ok {
			return false
		}
	}
	return name != ""
}

// findModDir returns dir when it holds a kcl.mod, else the nearest parent that does, else "".
func findModDir(dir string) string {
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, workspace.ModFileName)); err == nil {
			return d
		} else if !errors.Is(err, fs.ErrNotExist) {
			return ""
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

func isUnder(dir, root string) bool {
	rel, err := filepath.Rel(root, dir)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// noSumCheck returns a copy of s that checks no dependency checksum.
func noSumCheck(s *workspace.Settings) *workspace.Settings {
	c := *s
	c.NoSum = append(append([]string(nil), s.NoSum...), "*")
	return &c
}

// tagMoved reports whether ref's manifest now carries another package checksum than the cached
// copy in dir (the tag was pushed again with --force): one manifest request. When the registry
// cannot be asked, the cached copy is used and a message says so.
func tagMoved(ctx context.Context, s *workspace.Settings, insecure bool, ref registry.Reference, dir string, p Progress) bool {
	ropts, err := registryOptions(s, insecure)
	if err != nil {
		return false
	}
	info, err := registry.Info(ctx, ref, ropts)
	if err != nil {
		p.Message(fmt.Sprintf("could not check %s in the registry (%v); using the cached copy", ref, err))
		return false
	}
	cached, err := workspace.CachedSum(s, dir)
	if err != nil || info.Sum == "" || info.Sum == cached {
		return false
	}
	p.Message(ref.String() + " was pushed again; fetching it again")
	return true
}
