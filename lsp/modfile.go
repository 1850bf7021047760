package lsp

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/kpm-dev/kpm/registry"
	"github.com/kpm-dev/kpm/workspace"
)

// Diagnostic codes the server adds to the workspace findings; code actions key on them.
const (
	codeNotDownloaded = "not-downloaded"
	codeLockOutOfDate = "lock-out-of-date"
	codeUnknownTag    = "unknown-tag"
	codeNewerTag      = "newer-tag"
	codePathMissing   = "path-not-found"
	codeUnknownImport = "unknown-import"
	codeKCLSyntax     = "kcl-syntax"
	codeLockInvalid   = "lock-invalid"
)

type modAnalysis struct {
	mf       *workspace.ModFile
	findings []workspace.Finding
}

// modAnalysisOf parses a kcl.mod document once per version.
func modAnalysisOf(d *document) *modAnalysis {
	d.analysisOnce.Do(func() {
		mf, findings := workspace.ParseModFile(d.path, []byte(d.text))
		d.analysis = &modAnalysis{mf: mf, findings: findings}
	})
	return d.analysis.(*modAnalysis)
}

// depTarget is where a direct dependency comes from and where it lives locally.
type depTarget struct {
	dep      *workspace.Dependency
	source   workspace.SourceKind
	registry string // OCI host[:port]
	repo     string // repository path
	tag      string // "" when not pinned anywhere
	tagFrom  string // "kcl.mod" or "kcl.mod.lock"
	dir      string // cache directory or path dependency directory
	lock     *workspace.LockedDep
	stats    *statCache
}

// repoKey is host/repo, the key of the registry cache.
func (t *depTarget) repoKey() string { return t.registry + "/" + t.repo }

// reference is host/repo:tag.
func (t *depTarget) reference() string {
	if t.tag == "" {
		return t.repoKey()
	}
	return t.repoKey() + ":" + t.tag
}

// tagValue is the kcl.mod value holding the version or tag of the dependency.
func (t *depTarget) tagValue() workspace.StrValue {
	if t.source == workspace.SourceOCI {
		return t.dep.Tag
	}
	return t.dep.Version
}

// isOCI reports whether the dependency is fetched from a registry.
func (t *depTarget) isOCI() bool {
	return t.source == workspace.SourceRegistry || t.source == workspace.SourceOCI
}

// downloaded reports whether the dependency is present locally.
func (t *depTarget) downloaded() bool {
	if t.dir == "" {
		return false
	}
	if t.stats != nil {
		return t.stats.isDir(t.dir)
	}
	fi, err := os.Stat(t.dir)
	return err == nil && fi.IsDir()
}

// pkgContext is what features need about the package of a kcl.mod: its directory, kpm
// settings, the lock file and the direct dependencies' targets.
type pkgContext struct {
	dir      string
	settings *workspace.Settings
	lock     *workspace.LockFile
	lockErr  error
	hasLock  bool
	targets  []*depTarget
}

func (s *Server) pkgContext(modPath string, mf *workspace.ModFile) *pkgContext {
	pc := &pkgContext{dir: filepath.Dir(modPath)}
	st, err := s.loadSettings()
	if err != nil {
		s.log.Printf("settings: %v", err)
		return pc
	}
	pc.settings = st
	if src, ok := s.readFile(filepath.Join(pc.dir, workspace.LockFileName)); ok {
		pc.hasLock = true
		pc.lock, pc.lockErr = s.locks.parse(filepath.Join(pc.dir, workspace.LockFileName), src)
	}
	for _, dep := range mf.Dependencies {
		t := pc.target(dep)
		t.stats = &s.stats
		pc.targets = append(pc.targets, t)
	}
	return pc
}

func (pc *pkgContext) target(dep *workspace.Dependency) *depTarget {
	st := pc.settings
	t := &depTarget{dep: dep, source: dep.Source()}
	switch t.source {
	case workspace.SourceRegistry:
		t.registry = st.DefaultOciRegistry
		t.repo = path.Join(strings.Trim(st.DefaultOciRepo, "/"), dep.PackageName())
		t.tag, t.tagFrom = dep.Version.Value, "kcl.mod"
	case workspace.SourceOCI:
		ref, err := registry.ParseOCI(dep.OCI.Value, "")
		if err != nil {
			t.source = workspace.SourceInvalid
			return t
		}
		t.registry, t.repo = ref.Registry, ref.Repository
		t.tag, t.tagFrom = ref.Tag, "kcl.mod"
		if dep.Tag.Set && dep.Tag.Value != "" {
			t.tag = dep.Tag.Value
		}
	case workspace.SourcePath:
		p := dep.Path.Value
		if !filepath.IsAbs(p) {
			p = filepath.Join(pc.dir, p)
		}
		t.dir = filepath.Clean(p)
		return t
	default:
		return t
	}
	if pc.lock != nil {
		if l := pc.lock.Dependencies[dep.Name]; l != nil {
			t.lock = l
			if t.tag == "" && l.Reg == t.registry && l.Repo == t.repo {
				t.tag, t.tagFrom = l.OCITag, "kcl.mod.lock"
			}
		}
	}
	if t.tag != "" {
		t.dir = st.CacheDir(path.Base(t.repo), t.tag)
	}
	return t
}

func (pc *pkgContext) targetByName(name string) *depTarget {
	for _, t := range pc.targets {
		if t.dep.Name == name {
			return t
		}
	}
	return nil
}

// modDiagnostics: the workspace findings, then what the server knows without the network:
// dependencies not downloaded, the lock file out of date, and (from the registry cache)
// tags the registry does not have or newer tags.
func (s *Server) modDiagnostics(d *document) []protocol.Diagnostic {
	a := modAnalysisOf(d)
	var diags []protocol.Diagnostic
	hasErrors := false
	for _, f := range a.findings {
		diags = append(diags, findingDiagnostic(d, f))
		if f.Severity == workspace.SeverityError {
			hasErrors = true
		}
	}
	pc := s.pkgContext(d.path, a.mf)
	if pc.settings == nil {
		if _, err := s.loadSettings(); err != nil {
			diags = append(diags, newDiagnostic(d.rangeOf(0, 0), protocol.DiagnosticSeverityWarning, "settings",
				"kpm settings cannot be loaded: "+oneLine(err.Error()), nil))
		}
		return diags
	}
	if pc.lockErr != nil {
		diags = append(diags, newDiagnostic(d.rangeOf(0, 0), protocol.DiagnosticSeverityWarning, codeLockInvalid,
			fmt.Sprintf("kcl.mod.lock cannot be read: %v", pc.lockErr), nil))
	}
	for _, t := range pc.targets {
		dep := t.dep
		keyRange := findingRange(d, dep.KeyRange)
		switch {
		case t.source == workspace.SourcePath:
			if _, err := os.Stat(filepath.Join(t.dir, workspace.ModFileName)); err != nil {
				diags = append(diags, newDiagnostic(findingRange(d, dep.Path.Range), protocol.DiagnosticSeverityWarning, codePathMissing,
					fmt.Sprintf("path dependency %s: no kcl.mod in %s", dep.Name, t.dir), nil))
			}
			continue
		case !t.isOCI():
			continue
		}
		if t.tag != "" && !t.downloaded() && !s.knownMissingTag(t) {
			diags = append(diags, newDiagnostic(keyRange, protocol.DiagnosticSeverityInformation, codeNotDownloaded,
				fmt.Sprintf("%s %s has not been downloaded", t.repoKey(), t.tag), nil))
		}
		if !hasErrors {
			if msg := lockMismatch(pc, t); msg != "" {
				diags = append(diags, newDiagnostic(findingRange(d, dep.EntryRange), protocol.DiagnosticSeverityInformation, codeLockOutOfDate,
					msg, nil))
			}
		}
		diags = append(diags, s.tagDiagnostics(d, t)...)
	}
	if !hasErrors {
		if stale := s.staleLockEntries(pc); len(stale) > 0 {
			rng := findingRange(d, a.mf.DependenciesHeader)
			if !a.mf.DependenciesHeader.IsValid() {
				rng = d.rangeOf(0, 0)
			}
			diags = append(diags, newDiagnostic(rng, protocol.DiagnosticSeverityInformation, codeLockOutOfDate,
				fmt.Sprintf("kcl.mod.lock is out of date: nothing requires %s any more", strings.Join(stale, ", ")), nil))
		}
	}
	return diags
}

// staleLockEntries lists the lock entries that nothing requires any more: neither a direct
// dependency nor one reached through the kcl.mod files of the downloaded dependencies. It
// answers only when every dependency on the way is known locally (nil otherwise).
func (s *Server) staleLockEntries(pc *pkgContext) []string {
	if pc.lock == nil || len(pc.lock.Dependencies) == 0 {
		return nil
	}
	reachable := map[string]bool{}
	visited := map[string]bool{}
	var walk func(targets []*depTarget) bool
	walk = func(targets []*depTarget) bool {
		for _, t := range targets {
			reachable[t.dep.Name] = true
			switch {
			case t.source == workspace.SourceGit, t.source == workspace.SourceInvalid, t.dir == "":
				return false // cannot know what it requires
			case visited[t.dir]:
				continue
			}
			visited[t.dir] = true
			if t.isOCI() && !t.downloaded() {
				return false
			}
			mf := s.mods.get(t.dir)
			if mf == nil {
				return false
			}
			sub := &pkgContext{dir: t.dir, settings: pc.settings, lock: pc.lock}
			var subTargets []*depTarget
			for _, dep := range mf.Dependencies {
				st := sub.target(dep)
				st.stats = &s.stats
				subTargets = append(subTargets, st)
			}
			if !walk(subTargets) {
				return false
			}
		}
		return true
	}
	if !walk(pc.targets) {
		return nil
	}
	var stale []string
	for name := range pc.lock.Dependencies {
		if !reachable[name] {
			stale = append(stale, name)
		}
	}
	sort.Strings(stale)
	return stale
}

// lockMismatch explains why the lock file does not match a dependency ("" when it does).
func lockMismatch(pc *pkgContext, t *depTarget) string {
	if pc.lock == nil {
		if pc.lockErr != nil {
			return ""
		}
		return fmt.Sprintf("kcl.mod.lock is missing: %s is not locked", t.dep.Name)
	}
	l := t.lock
	switch {
	case l == nil:
		return fmt.Sprintf("kcl.mod.lock is out of date: %s is not in it", t.dep.Name)
	case l.Reg != t.registry || l.Repo != t.repo:
		return fmt.Sprintf("kcl.mod.lock is out of date: %s comes from %s/%s there", t.dep.Name, l.Reg, l.Repo)
	case t.tag != "" && l.OCITag != t.tag:
		return fmt.Sprintf("kcl.mod.lock is out of date: %s is %s there, %s here", t.dep.Name, l.OCITag, t.tag)
	}
	return ""
}

// tagDiagnostics uses cached registry tags only; a missing entry starts a background lookup.
func (s *Server) tagDiagnostics(d *document, t *depTarget) []protocol.Diagnostic {
	if t.tag == "" {
		return nil
	}
	ix := s.cache.tagInfo(t.repoKey())
	if ix == nil {
		return nil
	}
	val := t.tagValue()
	rng := findingRange(d, val.Range)
	if !val.Set {
		rng = findingRange(d, t.dep.KeyRange)
	}
	if !ix.set[t.tag] {
		msg := fmt.Sprintf("%s has no tag %s", t.repoKey(), t.tag)
		if ix.latest != "" {
			msg += "; the newest is " + ix.latest
		}
		return []protocol.Diagnostic{newDiagnostic(rng, protocol.DiagnosticSeverityWarning, codeUnknownTag, msg, nil)}
	}
	latest := ix.latest
	kind, older := ix.upgrade[t.tag]
	if !older {
		return nil
	}
	return []protocol.Diagnostic{newDiagnostic(rng, protocol.DiagnosticSeverityHint, codeNewerTag,
		fmt.Sprintf("%s %s is available (%s upgrade)", t.dep.Name, latest, kind), nil)}
}

// upgradeKind labels the move from one version to a higher one: major, minor or patch.
func upgradeKind(from, to string) string {
	a, aok := looseSemver(from)
	b, bok := looseSemver(to)
	switch {
	case !aok || !bok:
		return "major"
	case a[0] != b[0]:
		return "major"
	case a[1] != b[1]:
		return "minor"
	}
	return "patch"
}

func looseSemver(v string) ([3]string, bool) {
	v = strings.TrimPrefix(v, "v")
	if i := strings.IndexAny(v, "-+"); i >= 0 {
		v = v[:i]
	}
	parts := strings.Split(v, ".")
	var out [3]string
	if len(parts) == 0 || len(parts) > 3 {
		return out, false
	}
	for i := range out {
		out[i] = "0"
		if i < len(parts) {
			out[i] = parts[i]
		}
	}
	return out, true
}

// lockDiagnostics reports a kcl.mod.lock that cannot be read.
func (s *Server) lockDiagnostics(d *document) []protocol.Diagnostic {
	if _, err := workspace.ParseLockFile(d.path, []byte(d.text)); err != nil {
		return []protocol.Diagnostic{newDiagnostic(d.rangeOf(0, 0), protocol.DiagnosticSeverityError, codeLockInvalid, oneLine(err.Error()), nil)}
	}
	return nil
}
