package workspace

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/kpm-dev/kpm/registry"
)

// ErrOffline is wrapped by Resolve's error when a dependency must come from a registry but
// ResolveOptions.Offline is set.
var ErrOffline = errors.New("offline")

type offlineError struct{ msg string }

func (e *offlineError) Error() string { return e.msg }
func (e *offlineError) Unwrap() error { return ErrOffline }

func offlinef(format string, args ...any) error {
	return &offlineError{msg: fmt.Sprintf(format, args...)}
}

// Pulled describes a package a Fetcher downloaded.
type Pulled struct {
	Digest      string // manifest digest
	Sum         string // checksum of the unpacked package (verified against ManifestSum unless noSum)
	ManifestSum string // org.kcllang.package.sum annotation ("" when absent)
}

// Fetcher is what Resolve needs from the registry layer. The default (nil in ResolveOptions)
// talks to real registries through package registry; it is created only when a download or a
// tag listing is actually needed, so a warm resolution never opens a connection.
type Fetcher interface {
	// Tags lists the tags of the repository of ref.
	Tags(ctx context.Context, ref registry.Reference) ([]string, error)
	// Pull downloads ref into dir (which must not exist; it is created complete or not at all),
	// verifying the manifest and layer digests, then the package checksum against the manifest
	// annotation unless noSum.
	Pull(ctx context.Context, ref registry.Reference, dir string, noSum bool) (Pulled, error)
	// ManifestSum returns the package checksum annotated on ref's manifest ("" when it has
	// none). kpm update uses it to notice a tag that was pushed again with other content.
	ManifestSum(ctx context.Context, ref registry.Reference) (string, error)
}

// ResolveOptions configures Resolve.
type ResolveOptions struct {
	// Settings locates the package cache and the default registry; required.
	Settings *Settings
	// Offline forbids every network access: a dependency missing from the cache is an error.
	Offline bool
	// Update ignores the versions pinned in kcl.mod.lock (an oci dependency without a tag is
	// moved to the newest tag) and repairs the cache: a cached package whose checksum does not
	// match the lock is downloaded again (verified against its manifest), and so is one whose
	// tag was pushed again with other content (one manifest request per cached oci
	// dependency). kpm update sets it.
	Update bool
	// WriteLock writes kcl.mod.lock (atomically) when the resolution changed it; the package is
	// locked (LockPackage) for the whole resolution.
	WriteLock bool
	// Parallelism bounds concurrent downloads; 0 means 8, 1 downloads one at a time.
	Parallelism int
	// ModFile, when set, is used instead of reading pkgDir/kcl.mod (an editor's unsaved buffer,
	// or kpm add checking a new dependency before it writes kcl.mod). It must have no error
	// findings.
	ModFile *ModFile
	// Fetcher overrides the registry client (tests, benchmarks); nil means the real one.
	Fetcher Fetcher
	// InsecureSkipTLSVerify is passed to the default fetcher.
	InsecureSkipTLSVerify bool
	// Progress, when set, receives one-line status messages ("downloading …"). It may be called
	// from several goroutines at once.
	Progress func(msg string)
}

// Resolution is the result of Resolve: every dependency (transitive ones included) with the
// local directory holding it. The API is stable: kpm run and the language server use it.
type Resolution struct {
	// Dir is the absolute package root; Mod its kcl.mod.
	Dir string
	Mod *ModFile
	// Deps maps each dependency's import name (the kcl.mod key with '-' → '_') to what was
	// chosen for it.
	Deps map[string]*ResolvedDep
	// Lock is the lock file matching the resolution; LockChanged says it differs from the file
	// on disk (LockWritten that Resolve wrote it, with WriteLock).
	Lock        *LockFile
	LockChanged bool
	LockWritten bool
	// Changes lists the dependencies whose locked version differs from kcl.mod.lock on disk.
	Changes []LockChange
	// Choices lists the dependencies requested in several versions and the version chosen.
	Choices []Choice
	// Messages are human-readable notes for the front end (choices, downloads).
	Messages []string
	// Downloaded lists the references fetched from a registry during this resolution.
	Downloaded []string
}

// Names returns the import names of all dependencies, sorted.
func (r *Resolution) Names() []string {
	names := make([]string, 0, len(r.Deps))
	for n := range r.Deps {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ExternalPackages maps import names ('-' read as '_', as upstream kpm names them) to
// directories: the KCL evaluator's external packages.
func (r *Resolution) ExternalPackages() map[string]string {
	m := make(map[string]string, len(r.Deps))
	for _, d := range r.Deps {
		m[d.ImportName] = d.Dir
	}
	return m
}

// ResolvedDep is one resolved dependency.
type ResolvedDep struct {
	Name       string     // key in kcl.mod (the alias, when Package is set)
	ImportName string     // Name with '-' → '_'
	Package    string     // the package's own name
	Version    string     // OCI tag (or the path package's version)
	Source     SourceKind // registry, oci, path or git
	Dir        string     // absolute local directory (cache entry or path dependency)
	Reference  string     // host/repo:tag for registry/oci, the absolute path for path deps
	Sum        string     // package checksum ("" for path deps)
	Digest     string     // manifest digest, when downloaded during this resolution
	Direct     bool       // declared in the root kcl.mod
	RequiredBy []string   // names of the packages that require it ("" = the root)
}

// LockChange is a dependency added, removed or moved to another version in the lock file.
type LockChange struct {
	Name string
	Old  string // "" when added
	New  string // "" when removed
}

func (c LockChange) String() string {
	switch {
	case c.Old == "":
		return fmt.Sprintf("added %s %s", c.Name, c.New)
	case c.New == "":
		return fmt.Sprintf("removed %s %s", c.Name, c.Old)
	}
	return fmt.Sprintf("%s %s -> %s", c.Name, c.Old, c.New)
}

// DiffLocks lists the version changes from old to new, sorted by name.
func DiffLocks(old, new *LockFile) []LockChange {
	version := func(d *LockedDep) string {
		if d.Version != "" {
			return d.Version
		}
		if d.OCITag != "" {
			return d.OCITag
		}
		return d.GitTag + d.Commit + d.Branch
	}
	var out []LockChange
	names := map[string]bool{}
	for n := range old.Dependencies {
		names[n] = true
	}
	for n := range new.Dependencies {
		names[n] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	for _, n := range sorted {
		o, nw := old.Dependencies[n], new.Dependencies[n]
		switch {
		case o == nil:
			out = append(out, LockChange{Name: n, New: version(nw)})
		case nw == nil:
			out = append(out, LockChange{Name: n, Old: version(o)})
		case version(o) != version(nw):
			out = append(out, LockChange{Name: n, Old: version(o), New: version(nw)})
		}
	}
	return out
}

// Choice records a dependency requested in more than one version.
type Choice struct {
	Name      string
	Chosen    string
	Requested []Requirement
}

// Requirement is one package asking for a dependency version.
type Requirement struct {
	By      string // requiring package name
	Version string
}

// String renders the choice: "k8s: 1.28 (app), 1.29 (sub) requested; using 1.29".
func (c Choice) String() string {
	var parts []string
	for _, r := range c.Requested {
		parts = append(parts, fmt.Sprintf("%s (%s)", r.Version, r.By))
	}
	return fmt.Sprintf("%s: %s requested; using %s", c.Name, strings.Join(parts, ", "), c.Chosen)
}

// node is one package version reached during resolution.
type node struct {
	key     string // identity: "oci:reg/repo", "path:/abs", "git:url"
	name    string // kcl.mod key
	pkgName string
	source  SourceKind
	ref     registry.Reference // registry/oci
	dir     string
	version string
	sum     string
	digest  string
	mod     *ModFile
	gitDep  *Dependency
}

// req is an edge: package `by` requires `dep`.
type req struct {
	by     string
	byDir  string
	dep    *Dependency
	direct bool
	// remote: the requiring package came from a registry or git (it lies in the package home);
	// it may not name paths outside itself.
	remote bool
}

// Resolve reads the kcl.mod (and kcl.mod.lock) of the package in pkgDir and resolves every
// dependency, transitively: a dependency requested in several versions gets the highest one
// (as Go's minimal version selection does for the versions named). Packages missing from the
// cache are downloaded in parallel, each verified (digest, then package checksum unless
// KPM_NO_SUM matches its name) before it is moved into the cache under the cache lock. When the
// lock file pins every dependency and the cache holds them all, no registry is contacted.
func Resolve(ctx context.Context, pkgDir string, opts ResolveOptions) (*Resolution, error) {
	if opts.Settings == nil {
		return nil, errors.New("resolve: no settings")
	}
	dir, err := filepath.Abs(pkgDir)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", pkgDir, err)
	}
	if opts.WriteLock {
		// kcl.mod.lock is read, then rewritten: no other kpm may change the package meanwhile.
		unlock, err := LockPackage(ctx, opts.Settings, dir, opts.Progress)
		if err != nil {
			return nil, err
		}
		defer unlock()
	}
	mf := opts.ModFile
	if mf == nil {
		if mf, err = LoadModFile(dir); err != nil {
			return nil, err
		}
	}
	lockPath := filepath.Join(dir, LockFileName)
	oldLock, err := os.ReadFile(lockPath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read %s: %w", lockPath, pathErr(err))
	}
	lock, err := ParseLockFile(lockPath, oldLock)
	if err != nil {
		return nil, err
	}
	r := &resolver{
		opts:  opts,
		lock:  lock,
		nodes: map[string]map[string]*node{},
		res:   &Resolution{Dir: dir, Mod: mf, Deps: map[string]*ResolvedDep{}},
	}
	if r.opts.Parallelism <= 0 {
		r.opts.Parallelism = 8
	}
	if err := r.run(ctx, mf, dir); err != nil {
		return nil, err
	}
	r.res.Lock = r.newLock()
	r.res.LockChanged = !bytes.Equal(r.res.Lock.Bytes(), oldLock)
	r.res.Changes = DiffLocks(lock, r.res.Lock)
	if r.res.LockChanged && opts.WriteLock {
		if _, err := WriteLockFile(lockPath, r.res.Lock); err != nil {
			return nil, err
		}
		r.res.LockWritten = true
	}
	return r.res, nil
}

// InPackageHome reports whether dir lies in the package home ($KCL_PKG_PATH): a package from a
// registry or git, which must not read outside itself.
func InPackageHome(s *Settings, dir string) bool {
	rel, err := filepath.Rel(s.PkgPath, dir)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// LoadModFile reads and validates dir/kcl.mod; error findings make it fail with a
// *FindingsError whose message is "kcl.mod:LINE:COL: message".
func LoadModFile(dir string) (*ModFile, error) {
	file := filepath.Join(dir, ModFileName)
	src, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: no kcl.mod in %s (not a KCL package; run 'kpm init')", file, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", file, pathErr(err))
	}
	mf, findings := ParseModFile(file, src)
	if err := RefuseFindings(findings); err != nil {
		return mf, err
	}
	return mf, nil
}

type resolver struct {
	opts ResolveOptions
	lock *LockFile
	res  *Resolution

	mu      sync.Mutex
	fetcher Fetcher
	// nodes[import name][version identity] = node
	nodes map[string]map[string]*node
	reqs  map[string][]reqVersion // import name → requests
	// chosen[import name] is the selected node.
	chosen map[string]*node
}

type reqVersion struct {
	by     string
	key    string // identity of the source
	vk     string // key@version of the node in nodes
	direct bool
}

func (r *resolver) progress(format string, args ...any) {
	if r.opts.Progress != nil {
		r.opts.Progress(fmt.Sprintf(format, args...))
	}
}

func (r *resolver) getFetcher() (Fetcher, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fetcher != nil {
		return r.fetcher, nil
	}
	if r.opts.Fetcher != nil {
		r.fetcher = r.opts.Fetcher
		return r.fetcher, nil
	}
	f, err := newRegistryFetcher(r.opts.Settings, r.opts.InsecureSkipTLSVerify)
	if err != nil {
		return nil, err
	}
	r.fetcher = f
	return f, nil
}

// run walks the requirement graph level by level; each level's downloads run in parallel.
func (r *resolver) run(ctx context.Context, root *ModFile, rootDir string) error {
	r.reqs = map[string][]reqVersion{}
	rootName := root.Name()
	if rootName == "" {
		rootName = filepath.Base(rootDir)
	}
	var frontier []req
	rootRemote := InPackageHome(r.opts.Settings, rootDir)
	if !rootRemote {
		if err := checkPathCycles(root, rootDir, rootName); err != nil {
			return err
		}
	}
	for _, d := range root.Dependencies {
		frontier = append(frontier, req{by: rootName, byDir: rootDir, dep: d, direct: true, remote: rootRemote})
	}
	visited := map[string]bool{} // name + identity + version
	for len(frontier) > 0 {
		// Plan this level: one node per distinct (name, identity, version).
		type job struct {
			n   *node
			req req
		}
		var jobs []job
		for _, q := range frontier {
			n, err := r.plan(q)
			if err != nil {
				return err
			}
			imp := ImportName(q.dep.Name)
			vk := n.key + "@" + n.version
			if existing := r.nodes[imp][vk]; existing != nil {
				n = existing
			} else if !visited[imp+"\x00"+vk] {
				visited[imp+"\x00"+vk] = true
				if r.nodes[imp] == nil {
					r.nodes[imp] = map[string]*node{}
				}
				r.nodes[imp][vk] = n
				jobs = append(jobs, job{n: n, req: q})
			}
			r.reqs[imp] = append(r.reqs[imp], reqVersion{by: q.by, key: n.key, vk: vk, direct: q.direct})
		}
		// Fetch (or find in the cache) every new node of the level, in parallel.
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(r.opts.Parallelism)
		for _, j := range jobs {
			g.Go(func() error { return r.materialize(gctx, j.n) })
		}
		if err := g.Wait(); err != nil {
			return err
		}
		// The next level: the new nodes' own dependencies.
		frontier = nil
		for _, j := range jobs {
			if j.n.mod == nil {
				continue
			}
			for _, d := range j.n.mod.Dependencies {
				frontier = append(frontier, req{by: j.n.pkgName, byDir: j.n.dir, dep: d, remote: j.n.source != SourcePath})
			}
		}
	}
	return r.selectVersions(root, rootDir)
}

// checkPathCycles follows the path dependencies from the root (depth first) and reports the
// first cycle: "path dependencies form a cycle: app -> lib -> app". Unreadable kcl.mod files are
// left to the resolution, which reports them.
func checkPathCycles(root *ModFile, rootDir, rootName string) error {
	onStack := map[string]int{}
	done := map[string]bool{}
	var stack []string
	var visit func(mf *ModFile, dir, name string) error
	visit = func(mf *ModFile, dir, name string) error {
		onStack[dir] = len(stack)
		stack = append(stack, name)
		for _, d := range mf.Dependencies {
			if d.Source() != SourcePath || d.Path.Value == "" {
				continue
			}
			p := d.Path.Value
			if !filepath.IsAbs(p) {
				p = filepath.Join(dir, p)
			}
			p = filepath.Clean(p)
			if i, ok := onStack[p]; ok {
				cycle := append(append([]string(nil), stack[i:]...), stack[i])
				return fmt.Errorf("%s: path dependencies form a cycle: %s", filepath.Join(dir, ModFileName), strings.Join(cycle, " -> "))
			}
			if done[p] {
				continue
			}
			dep, err := LoadModFile(p)
			if err != nil {
				continue
			}
			depName := dep.Name()
			if depName == "" {
				depName = d.Name
			}
			if err := visit(dep, p, depName); err != nil {
				return err
			}
		}
		stack = stack[:len(stack)-1]
		delete(onStack, dir)
		done[dir] = true
		return nil
	}
	return visit(root, filepath.Clean(rootDir), rootName)
}

// plan turns a requirement into a node (no I/O except for path dependencies' kcl.mod).
func (r *resolver) plan(q req) (*node, error) {
	d := q.dep
	s := r.opts.Settings
	n := &node{name: d.Name, pkgName: d.PackageName(), source: d.Source()}
	switch n.source {
	case SourceRegistry:
		n.ref = registry.Reference{Registry: s.DefaultOciRegistry, Repository: strings.Trim(s.DefaultOciRepo, "/") + "/" + d.PackageName(), Tag: d.Version.Value}
		if s.DefaultOciRepo == "" {
			n.ref.Repository = d.PackageName()
		}
	case SourceOCI:
		ref, err := parseOCIURL(d.OCI.Value)
		if err != nil {
			return nil, fmt.Errorf("dependency %s (required by %s): %v", d.Name, q.by, err)
		}
		if d.Tag.Set && d.Tag.Value != "" {
			ref.Tag = d.Tag.Value
		}
		n.ref = ref
	case SourcePath:
		p := d.Path.Value
		if q.remote {
			return nil, fmt.Errorf("dependency %s (required by %s): path %q refused: a package from a registry or git may not read outside itself", d.Name, q.by, p)
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(q.byDir, p)
		}
		n.dir = filepath.Clean(p)
		n.key = "path:" + n.dir
		return n, nil
	case SourceGit:
		n.key = "git:" + d.Git.Value + "#" + d.PackageName()
		n.gitDep = d
		_, n.version = gitRef(d)
		l := r.lock.Dependencies[d.Name]
		if l != nil && l.URL == d.Git.Value && l.GitTag == d.Tag.Value && l.Commit == d.Commit.Value && l.Branch == d.Branch.Value {
			n.sum = l.Sum
		}
		return n, nil
	default:
		return nil, fmt.Errorf("dependency %s (required by %s): want a version or a table with oci, git or path", d.Name, q.by)
	}
	n.key = "oci:" + n.ref.Registry + "/" + n.ref.Repository
	// A pin from the lock file: the tag for an untagged oci dependency, and the expected sum.
	if l := r.lock.Dependencies[d.Name]; l != nil && l.Reg == n.ref.Registry && l.Repo == n.ref.Repository {
		if n.ref.Tag == "" && !r.opts.Update {
			n.ref.Tag = l.OCITag
		}
		if n.ref.Tag == l.OCITag {
			n.sum = l.Sum
		}
	}
	n.version = n.ref.Tag
	return n, nil
}

// materialize makes the node's package available locally: path dependencies are read in
// place; registry packages come from the cache or are downloaded.
func (r *resolver) materialize(ctx context.Context, n *node) error {
	switch n.source {
	case SourcePath:
		if !isDir(n.dir) {
			return fmt.Errorf("dependency %s: path %s is not a directory", n.name, n.dir)
		}
		mf, err := LoadModFile(n.dir)
		if err != nil {
			return fmt.Errorf("dependency %s: %w", n.name, err)
		}
		n.mod = mf
		n.version = mf.Version()
		if mf.Name() != "" {
			n.pkgName = mf.Name()
		}
		return nil
	case SourceGit:
		return r.materializeGit(ctx, n)
	}
	s := r.opts.Settings
	if n.ref.Tag == "" {
		if r.opts.Offline {
			return offlinef("dependency %s: %s has no tag and no version pinned in kcl.mod.lock; the newest version cannot be looked up offline (registry %s not contacted)", n.name, n.ref, n.ref.Registry)
		}
		f, err := r.getFetcher()
		if err != nil {
			return err
		}
		tags, err := f.Tags(ctx, n.ref)
		if err != nil {
			return fmt.Errorf("dependency %s: %w", n.name, err)
		}
		n.ref.Tag = HighestVersion(tags)
		if n.ref.Tag == "" {
			return fmt.Errorf("dependency %s: %s has no tag that is a semantic version", n.name, n.ref)
		}
		n.version = n.ref.Tag
		n.sum = ""
		r.progress("%s: using the newest version %s", n.name, n.ref.Tag)
	}
	n.dir = s.CacheDir(n.ref.Name(), n.ref.Tag)
	skipSum := s.SkipSum(n.name) || s.SkipSum(n.pkgName)
	if isDir(n.dir) {
		pinned := n.sum // from kcl.mod.lock ("" when the lock has none for this version)
		err := r.checkCached(n, skipSum)
		if err == nil && r.opts.Update && !r.opts.Offline {
			// kpm update: a tag pushed again (--force) with other content is downloaded again.
			f, ferr := r.getFetcher()
			if ferr != nil {
				return ferr
			}
			remote, ferr := f.ManifestSum(ctx, n.ref)
			if ferr != nil {
				return fmt.Errorf("dependency %s: %w", n.name, ferr)
			}
			if remote != "" && remote != n.sum {
				if pinned != "" && !skipSum {
					return fmt.Errorf("dependency %s: checksum mismatch: %s changed in the registry (sum %s) but kcl.mod.lock says %s; %s", n.name, n.ref, remote, pinned, acceptHint(n.name))
				}
				r.progress("%s: %s changed in the registry (sum %s, cached %s); downloading it again", n.name, n.ref, remote, n.sum)
				n.sum = ""
				if err := r.download(ctx, n, skipSum, true); err != nil {
					return err
				}
			}
			return r.loadMod(n)
		}
		if err == nil {
			return r.loadMod(n)
		}
		if !errors.Is(err, errCacheMismatch) || !r.opts.Update || r.opts.Offline {
			return err
		}
		// kpm update: replace the damaged cache entry with a fresh download, verified against
		// its manifest and against the sum kcl.mod.lock pins (a mismatch is an error: the
		// lock is never rewritten silently).
		r.progress("%s: the cached copy does not match kcl.mod.lock; downloading it again", n.name)
		if err := r.download(ctx, n, skipSum, true); err != nil {
			return err
		}
		return r.loadMod(n)
	}
	if r.opts.Offline {
		return offlinef("dependency %s: %s is not in the package cache and kpm is offline (registry %s not contacted)", n.name, n.ref, n.ref.Registry)
	}
	if err := r.download(ctx, n, skipSum, false); err != nil {
		return err
	}
	return r.loadMod(n)
}

// materializeGit makes a git dependency available: from the cache (checked against the lock), or
// cloned with the git command. kpm update fetches a branch again (it may have moved).
func (r *resolver) materializeGit(ctx context.Context, n *node) error {
	kind, ref := gitRef(n.gitDep)
	n.dir = filepath.Join(r.opts.Settings.PkgPath, gitCacheName(n.gitDep.Git.Value, ref))
	skipSum := r.opts.Settings.SkipSum(n.name) || r.opts.Settings.SkipSum(n.pkgName)
	refresh := r.opts.Update && kind == "branch"
	if isDir(n.dir) && !refresh {
		err := r.checkCached(n, skipSum)
		if err == nil {
			return r.loadGitMod(n)
		}
		if !errors.Is(err, errCacheMismatch) || !r.opts.Update || r.opts.Offline {
			return err
		}
		refresh = true
	}
	if r.opts.Offline {
		if isDir(n.dir) {
			return r.loadGitMod(n)
		}
		return offlinef("dependency %s: %s (%s %s) is not in the package cache and kpm is offline (not cloned)", n.name, n.gitDep.Git.Value, kind, ref)
	}
	if refresh {
		n.sum = ""
	}
	if err := r.download(ctx, n, skipSum, refresh); err != nil {
		return err
	}
	return r.loadGitMod(n)
}

// loadGitMod loads a git dependency's kcl.mod: the package named by `package` when the repository
// holds several (searched below the clone), and the version from it, as upstream records it in
// kcl.mod.lock (not the tag or commit).
func (r *resolver) loadGitMod(n *node) error {
	if d := n.gitDep; d.Package.Set && d.Package.Value != "" {
		sub, err := findPackageDir(n.dir, d.Package.Value)
		if err != nil {
			return fmt.Errorf("dependency %s: %s: %w", n.name, d.Git.Value, err)
		}
		n.dir = sub
	}
	if err := r.loadMod(n); err != nil {
		return err
	}
	if n.mod != nil && n.mod.Version() != "" {
		n.version = n.mod.Version()
	}
	return nil
}

// findPackageDir finds the directory below root whose kcl.mod names the package name (the
// shallowest, then the first in lexical order).
func findPackageDir(root, name string) (string, error) {
	level := []string{root}
	for depth := 0; depth < 8 && len(level) > 0; depth++ {
		var next []string
		for _, dir := range level {
			if src, err := os.ReadFile(filepath.Join(dir, ModFileName)); err == nil {
				if mf, _ := ParseModFile(filepath.Join(dir, ModFileName), src); mf != nil && mf.Name() == name {
					return dir, nil
				}
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				continue
			}
			for _, e := range entries {
				if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
					next = append(next, filepath.Join(dir, e.Name()))
				}
			}
		}
		level = next
	}
	return "", fmt.Errorf("no package %q in the repository (no kcl.mod with name = %q)", name, name)
}

// label names the node's source in messages: host/repo:tag, or url@ref for git.
func (n *node) label() string {
	if n.source == SourceGit {
		_, ref := gitRef(n.gitDep)
		return n.gitDep.Git.Value + "@" + ref
	}
	return n.ref.String()
}

func (r *resolver) loadMod(n *node) error {
	src, err := os.ReadFile(filepath.Join(n.dir, ModFileName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil // a package without kcl.mod has no dependencies
	}
	if err != nil {
		return fmt.Errorf("dependency %s: read %s: %w", n.name, filepath.Join(n.dir, ModFileName), pathErr(err))
	}
	mf, _ := ParseModFile(filepath.Join(n.dir, ModFileName), src)
	n.mod = mf
	return nil
}

// acceptHint tells how to accept a package whose checksum differs from the pinned one.
func acceptHint(name string) string {
	return fmt.Sprintf("if the new content is expected, record its sum with '%s=%s kpm update'", EnvNoSum, name)
}

// errCacheMismatch is wrapped by checkCached's error when a cache entry does not match the lock.
var errCacheMismatch = errors.New("cache checksum mismatch")

type cacheMismatchError struct{ msg string }

func (e *cacheMismatchError) Error() string { return e.msg }
func (e *cacheMismatchError) Unwrap() error { return errCacheMismatch }

// checkCached verifies a cached package against the sum pinned in the lock (or records its sum).
func (r *resolver) checkCached(n *node, skipSum bool) error {
	if skipSum && n.sum != "" && !r.opts.Update {
		return nil
	}
	sum, err := cachedSum(r.opts.Settings.PkgPath, n.dir)
	if err != nil {
		return fmt.Errorf("dependency %s: %w", n.name, err)
	}
	// kpm update with the check skipped records the sum the package has.
	if n.sum != "" && sum != n.sum && !skipSum {
		return &cacheMismatchError{fmt.Sprintf("dependency %s: checksum mismatch: the cached package %s has sum %s but kcl.mod.lock says %s (run 'kpm update' to download it again)", n.name, n.dir, sum, n.sum)}
	}
	n.sum = sum
	return nil
}

// download pulls the package into a temporary directory next to the cache, verifies it and
// renames it into place under the cache lock (replacing an existing entry when replace is set).
func (r *resolver) download(ctx context.Context, n *node, skipSum, replace bool) error {
	s := r.opts.Settings
	tmpParent, err := DownloadDir(s, filepath.Base(n.dir))
	if err != nil {
		return fmt.Errorf("dependency %s: %w", n.name, err)
	}
	defer os.RemoveAll(tmpParent)
	tmp := filepath.Join(tmpParent, "pkg")
	r.progress("downloading %s", n.label())
	var pulled Pulled
	if n.source == SourceGit {
		if err := gitFetch(ctx, n.gitDep, tmp); err != nil {
			return fmt.Errorf("dependency %s: %s: %w", n.name, n.gitDep.Git.Value, err)
		}
		if pulled.Sum, err = PackageSum(tmp); err != nil {
			return fmt.Errorf("dependency %s: %w", n.name, err)
		}
	} else {
		f, err := r.getFetcher()
		if err != nil {
			return err
		}
		if pulled, err = f.Pull(ctx, n.ref, tmp, skipSum); err != nil {
			return fmt.Errorf("dependency %s: %w", n.name, err)
		}
	}
	sum := pulled.Sum
	if !skipSum {
		if n.sum != "" && n.sum != sum {
			hint := ""
			if r.opts.Update {
				hint = "; " + acceptHint(n.name)
			}
			return fmt.Errorf("dependency %s: checksum mismatch: %s has sum %s but kcl.mod.lock says %s%s", n.name, n.label(), sum, n.sum, hint)
		}
	}
	moved, err := MoveIntoCache(ctx, s, tmp, n.dir, filepath.Join(tmpParent, "old"), replace, r.opts.Progress)
	if err != nil {
		return fmt.Errorf("dependency %s: %w", n.name, err)
	}
	if !moved {
		// Another resolver (goroutine or process) got there first: use its copy.
		return r.checkCached(n, skipSum)
	}
	rememberSum(s.PkgPath, n.dir, sum)
	n.sum = sum
	n.digest = pulled.Digest
	r.mu.Lock()
	r.res.Downloaded = append(r.res.Downloaded, n.label())
	r.mu.Unlock()
	return nil
}

// selectVersions picks one node per import name (highest version among the requests with the
// winning source) and keeps the dependencies reachable from the root through chosen nodes.
func (r *resolver) selectVersions(root *ModFile, rootDir string) error {
	chosen := map[string]*node{}
	names := make([]string, 0, len(r.reqs))
	for n := range r.reqs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, imp := range names {
		reqs := r.reqs[imp]
		// The source: the root's declaration wins, else the first request (breadth first).
		key := reqs[0].key
		for _, q := range reqs {
			if q.direct {
				key = q.key
				break
			}
		}
		var best *node
		seen := map[string]bool{}
		var requested []Requirement
		for _, q := range reqs {
			n := r.nodes[imp][q.vk]
			if q.key != key {
				r.res.Messages = append(r.res.Messages, fmt.Sprintf("%s: ignoring %s requested by %s (a different source than the one chosen)", imp, strings.TrimPrefix(q.key, "oci:"), q.by))
				continue
			}
			requested = append(requested, Requirement{By: q.by, Version: n.version})
			seen[n.version] = true
			if best == nil || CompareVersions(n.version, best.version) > 0 {
				best = n
			}
		}
		chosen[imp] = best
		if len(seen) > 1 {
			c := Choice{Name: imp, Chosen: best.version, Requested: requested}
			r.res.Choices = append(r.res.Choices, c)
			r.res.Messages = append(r.res.Messages, c.String())
		}
	}
	// Keep what is reachable from the root through chosen versions.
	var walk func(mf *ModFile, by string, direct bool)
	walk = func(mf *ModFile, by string, direct bool) {
		if mf == nil {
			return
		}
		for _, d := range mf.Dependencies {
			imp := d.ImportName()
			n := chosen[imp]
			if n == nil {
				continue
			}
			if rd, ok := r.res.Deps[imp]; ok {
				rd.Direct = rd.Direct || direct
				if !contains(rd.RequiredBy, by) {
					rd.RequiredBy = append(rd.RequiredBy, by)
				}
				continue
			}
			rd := &ResolvedDep{
				Name: n.name, ImportName: imp, Package: n.pkgName, Version: n.version, Source: n.source,
				Dir: n.dir, Sum: n.sum, Digest: n.digest, Direct: direct, RequiredBy: []string{by},
			}
			switch n.source {
			case SourcePath:
				rd.Reference = n.dir
			default:
				rd.Reference = n.label()
			}
			r.res.Deps[imp] = rd
			walk(n.mod, n.pkgName, false)
		}
	}
	rootName := root.Name()
	if rootName == "" {
		rootName = filepath.Base(rootDir)
	}
	walk(root, rootName, true)
	// Remember the node per dep for the lock.
	r.chosen = chosen
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// newLock builds the lock file of the resolution.
func (r *resolver) newLock() *LockFile {
	lf := &LockFile{Dependencies: map[string]*LockedDep{}}
	for imp, rd := range r.res.Deps {
		n := r.chosen[imp]
		// upstream names an entry after its kcl.mod key (the --rename name)
		l := &LockedDep{Name: rd.Name, Version: rd.Version}
		if rd.Version != "" {
			l.FullName = rd.Name + "_" + rd.Version
		}
		switch rd.Source {
		case SourceRegistry, SourceOCI:
			l.Sum = rd.Sum
			l.Reg, l.Repo, l.OCITag = n.ref.Registry, n.ref.Repository, n.ref.Tag
		case SourceGit:
			l.Sum = rd.Sum
			l.URL = n.gitDep.Git.Value
			l.Commit, l.GitTag, l.Branch = n.gitDep.Commit.Value, n.gitDep.Tag.Value, n.gitDep.Branch.Value
			if n.gitDep.Package.Set {
				l.Package = n.gitDep.Package.Value
			}
		}
		lf.Dependencies[rd.Name] = l
	}
	return lf
}

// parseOCIURL parses "oci://host/repo[?tag=x]" from kcl.mod into a reference.
func parseOCIURL(s string) (registry.Reference, error) {
	if err := checkOCIURL(s); err != nil {
		return registry.Reference{}, fmt.Errorf("invalid oci URL %q: %v", s, err)
	}
	return registry.ParseOCI(s, "")
}
