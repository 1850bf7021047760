package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kpm-dev/kpm/registry"
	"github.com/kpm-dev/kpm/workspace"
)

// regCache holds what the server knows about registries: tags per repository, manifest
// summaries per tag and the catalog of the default repository. Features ask it
// synchronously and never wait: a missing or stale entry starts one background lookup
// (unless offline) and, when the answer arrives, every open document is diagnosed again.
// The cache is kept at $KCL_PKG_PATH/.kpm/lsp-cache.json so a restarted server starts warm.
type regCache struct {
	s *Server

	mu       sync.Mutex
	file     string
	ttl      time.Duration
	offline  bool
	noChecks bool // registryCheckInterval 0: no background lookups (explicit commands still fetch)
	data     cacheData
	inflight map[string]bool
	// retryAt holds back background lookups that failed transiently (in memory only: such
	// failures are never persisted).
	retryAt map[string]time.Time
	dirty   bool
	saveT   *time.Timer
	api     registryAPI
	sem     chan struct{} // bounds concurrent background lookups
	closed  bool
	saving  sync.WaitGroup
}

// registryAPI is the network side of the cache (registry/ behind it).
type registryAPI interface {
	Tags(ctx context.Context, repo string) ([]string, error)
	Manifest(ctx context.Context, repo, tag string) (manifestInfo, error)
	Catalog(ctx context.Context, registry, prefix string) ([]string, error)
}

type cacheData struct {
	Repos    map[string]*repoEntry    `json:"repos"`
	Catalogs map[string]*catalogEntry `json:"catalogs"`
}

type repoEntry struct {
	Tags      []string                 `json:"tags"` // newest first
	Fetched   time.Time                `json:"fetched"`
	Err       string                   `json:"error,omitempty"`
	Manifests map[string]*manifestInfo `json:"manifests,omitempty"`

	// derived from Tags on first use (diagnostics ask for every dependency on every edit)
	index *tagIndex
}

// tagIndex is what diagnostics need from a tag list: membership and the highest version.
type tagIndex struct {
	set    map[string]bool
	latest string
	// upgrade maps each tag below latest to the kind of the move to latest
	// ("major", "minor" or "patch").
	upgrade map[string]string
}

func (e *repoEntry) indexLocked() *tagIndex {
	if e.index == nil {
		ix := &tagIndex{set: make(map[string]bool, len(e.Tags)), latest: workspace.HighestVersion(e.Tags), upgrade: map[string]string{}}
		for _, t := range e.Tags {
			ix.set[t] = true
			if ix.latest != "" && t != ix.latest && workspace.CompareVersions(ix.latest, t) > 0 {
				ix.upgrade[t] = upgradeKind(t, ix.latest)
			}
		}
		e.index = ix
	}
	return e.index
}

// tagInfo returns the tag index of repo (nil when nothing is known), starting a background
// refresh when the entry is missing or stale.
func (c *regCache) tagInfo(repo string) *tagIndex {
	c.mu.Lock()
	e := c.data.Repos[repo]
	stale := e == nil || e.Fetched.IsZero() || time.Since(e.Fetched) > c.ttl
	var ix *tagIndex
	if e != nil && !e.Fetched.IsZero() && (e.Err == "" || len(e.Tags) > 0) {
		ix = e.indexLocked()
	}
	c.mu.Unlock()
	if stale {
		c.refreshTags(repo)
	}
	return ix
}

// manifestRetry is how long a failed manifest lookup is remembered before hover asks again.
const manifestRetry = time.Minute

type catalogEntry struct {
	Names   []string  `json:"names"`
	Fetched time.Time `json:"fetched"`
	Err     string    `json:"error,omitempty"`
}

// manifestInfo summarises a package manifest.
type manifestInfo struct {
	Digest      string    `json:"digest"`
	Name        string    `json:"name,omitempty"`
	Version     string    `json:"version,omitempty"`
	Description string    `json:"description,omitempty"`
	Sum         string    `json:"sum,omitempty"`
	Size        int64     `json:"size"`
	Created     string    `json:"created,omitempty"`
	Fetched     time.Time `json:"fetched"`
	Err         string    `json:"error,omitempty"`
}

func newRegCache(s *Server) *regCache {
	return &regCache{
		s:        s,
		ttl:      time.Hour,
		data:     cacheData{Repos: map[string]*repoEntry{}, Catalogs: map[string]*catalogEntry{}},
		inflight: map[string]bool{},
		retryAt:  map[string]time.Time{},
		api:      newRegistryAPI(),
		sem:      make(chan struct{}, 4),
	}
}

// configure applies settings: the cache file under the package home (loaded when it
// changes), the TTL and the offline switch.
func (c *regCache) configure(st Settings) {
	home := st.PkgPath
	if home == "" {
		if ws, err := workspace.LoadSettings(); err == nil {
			home = ws.PkgPath
		}
	}
	file := ""
	if home != "" {
		file = filepath.Join(home, ".kpm", "lsp-cache.json")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st.RegistryCheckInterval > 0 {
		c.ttl = st.ttl()
	}
	c.noChecks = st.RegistryCheckInterval == 0
	c.offline = st.Offline
	if file != c.file {
		c.file = file
		c.data = cacheData{Repos: map[string]*repoEntry{}, Catalogs: map[string]*catalogEntry{}}
		if b, err := os.ReadFile(file); err == nil {
			var d cacheData
			if json.Unmarshal(b, &d) == nil {
				if d.Repos != nil {
					c.data.Repos = d.Repos
				}
				if d.Catalogs != nil {
					c.data.Catalogs = d.Catalogs
				}
			}
		}
	}
}

// tags returns the cached tags of repo (newest first) and whether anything is known. A
// missing or stale entry starts a background refresh.
func (c *regCache) tags(repo string) ([]string, bool) {
	c.mu.Lock()
	e := c.data.Repos[repo]
	stale := e == nil || e.Fetched.IsZero() || time.Since(e.Fetched) > c.ttl
	var tags []string
	known := e != nil && !e.Fetched.IsZero() && (e.Err == "" || len(e.Tags) > 0)
	if known {
		tags = e.Tags
	}
	c.mu.Unlock()
	if stale {
		c.refreshTags(repo)
	}
	return tags, known
}

// peekTags returns the cached tags of repo without starting a lookup.
func (c *regCache) peekTags(repo string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.data.Repos[repo]; e != nil {
		return e.Tags
	}
	return nil
}

// peekIndex returns the tag index of repo without starting a lookup (nil when unknown).
func (c *regCache) peekIndex(repo string) *tagIndex {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.data.Repos[repo]; e != nil && len(e.Tags) > 0 {
		return e.indexLocked()
	}
	return nil
}

// knownNames returns the package names under registry/prefix that the cache has tags for
// (the catalog's fallback when a registry does not list its repositories).
func (c *regCache) knownNames(registry, prefix string) []string {
	want := registry + "/" + strings.Trim(prefix, "/")
	if strings.Trim(prefix, "/") != "" {
		want += "/"
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var names []string
	for key, e := range c.data.Repos {
		if rest, ok := strings.CutPrefix(key, want); ok && rest != "" && !strings.Contains(rest, "/") && len(e.Tags) > 0 {
			names = append(names, rest)
		}
	}
	sort.Strings(names)
	return names
}

// manifest returns the cached manifest summary of repo:tag, starting a lookup when missing.
func (c *regCache) manifest(repo, tag string) (*manifestInfo, bool) {
	c.mu.Lock()
	var m *manifestInfo
	if e := c.data.Repos[repo]; e != nil && e.Manifests != nil {
		m = e.Manifests[tag]
	}
	c.mu.Unlock()
	if m == nil || (m.Err != "" && time.Since(m.Fetched) > manifestRetry) {
		key := "manifest " + repo + ":" + tag
		c.background(key, func(ctx context.Context) {
			info, err := c.api.Manifest(ctx, repo, tag)
			info.Fetched = time.Now()
			if err != nil {
				if !c.keepFailure(ctx, key, err) {
					return
				}
				info = manifestInfo{Err: err.Error(), Fetched: time.Now()}
			}
			c.mu.Lock()
			e := c.data.Repos[repo]
			if e == nil {
				e = &repoEntry{}
				c.data.Repos[repo] = e
			}
			if e.Manifests == nil {
				e.Manifests = map[string]*manifestInfo{}
			}
			e.Manifests[tag] = &info
			c.mu.Unlock()
		})
		if m == nil {
			return nil, false
		}
	}
	if m.Err != "" {
		return m, false
	}
	return m, true
}

// catalog returns the cached package names under registry/prefix.
func (c *regCache) catalog(registry, prefix string) ([]string, bool) {
	key := registry + "/" + prefix
	c.mu.Lock()
	e := c.data.Catalogs[key]
	stale := e == nil || time.Since(e.Fetched) > c.ttl
	var names []string
	if e != nil {
		names = e.Names
	}
	c.mu.Unlock()
	if stale {
		c.background("catalog "+key, func(ctx context.Context) {
			names, err := c.api.Catalog(ctx, registry, prefix)
			ne := &catalogEntry{Names: names, Fetched: time.Now()}
			if err != nil {
				if !c.keepFailure(ctx, "catalog "+key, err) {
					return
				}
				ne.Err = err.Error()
			}
			c.mu.Lock()
			if err == nil || c.data.Catalogs[key] == nil {
				c.data.Catalogs[key] = ne
			} else {
				c.data.Catalogs[key].Fetched = ne.Fetched
			}
			c.mu.Unlock()
		})
	}
	return names, e != nil
}

func (c *regCache) refreshTags(repo string) {
	c.background("tags "+repo, func(ctx context.Context) {
		_, _ = c.fetchTags(ctx, repo)
	})
}

// fetchTags asks the registry now (explicit commands) and stores the answer.
func (c *regCache) fetchTags(ctx context.Context, repo string) ([]string, error) {
	tags, err := c.api.Tags(ctx, repo)
	if err != nil && !c.keepFailure(ctx, "tags "+repo, err) {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.data.Repos[repo]
	if e == nil {
		e = &repoEntry{}
		c.data.Repos[repo] = e
	}
	e.Fetched = time.Now()
	if err != nil {
		e.Err = err.Error()
		c.dirty = true
		return nil, err
	}
	e.Err = ""
	e.Tags = sortTagsNewestFirst(tags)
	e.index = nil
	// A failed manifest lookup (a tag not pushed yet, a registry that was down) is asked
	// again now that the registry answered.
	for tag, m := range e.Manifests {
		if m.Err != "" {
			delete(e.Manifests, tag)
		}
	}
	c.dirty = true
	c.scheduleSaveLocked()
	return e.Tags, nil
}

// keepFailure tells whether a failed lookup is an answer worth remembering (and saving): the
// registry said the repository or tag does not exist, or refused the credentials. A
// cancellation (the editor quit, the request was cancelled) or a transient failure (timeout,
// unreachable, server error) is not: nothing is stored, and after a transient failure the
// background lookup of key waits a minute before it is tried again.
func (c *regCache) keepFailure(ctx context.Context, key string, err error) bool {
	if errors.Is(err, registry.ErrNotFound) || errors.Is(err, registry.ErrUnauthorized) || errors.Is(err, registry.ErrInvalidReference) {
		return true
	}
	if ctx.Err() == nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		c.mu.Lock()
		c.retryAt[key] = time.Now().Add(manifestRetry)
		c.mu.Unlock()
	}
	return false
}

// background runs one lookup per key at a time, not at all when offline, and republishes
// diagnostics when it ends.
func (c *regCache) background(key string, f func(ctx context.Context)) {
	c.mu.Lock()
	if c.offline || c.noChecks || c.inflight[key] || c.s.ctx == nil || time.Now().Before(c.retryAt[key]) {
		c.mu.Unlock()
		return
	}
	c.inflight[key] = true
	c.mu.Unlock()
	c.s.goBackground(func() {
		select {
		case c.sem <- struct{}{}:
		case <-c.s.ctx.Done():
			return
		}
		defer func() { <-c.sem }()
		ctx, cancel := context.WithTimeout(c.s.ctx, 30*time.Second)
		defer cancel()
		start := time.Now()
		f(ctx)
		c.s.log.Printf("registry lookup %s took %s", key, time.Since(start))
		c.mu.Lock()
		delete(c.inflight, key)
		c.dirty = true
		c.scheduleSaveLocked()
		c.mu.Unlock()
		if c.s.ctx.Err() == nil {
			for _, d := range c.s.docs.all() {
				if d.kind == kindMod || d.kind == kindKCL {
					c.s.diags.schedule(d.uri)
				}
			}
		}
	})
}

func (c *regCache) scheduleSaveLocked() {
	if c.saveT != nil || c.closed {
		return
	}
	c.saveT = time.AfterFunc(time.Second, func() {
		c.mu.Lock()
		c.saveT = nil
		if c.closed {
			c.mu.Unlock()
			return
		}
		c.saving.Add(1)
		c.mu.Unlock()
		defer c.saving.Done()
		c.save()
	})
}

// close stops the delayed save and writes the cache one last time (the session ends).
func (c *regCache) close() {
	c.mu.Lock()
	c.closed = true
	if c.saveT != nil {
		c.saveT.Stop()
		c.saveT = nil
	}
	c.mu.Unlock()
	c.saving.Wait()
	c.save()
}

// save writes the cache file atomically when something changed.
func (c *regCache) save() {
	c.mu.Lock()
	if !c.dirty || c.file == "" {
		c.mu.Unlock()
		return
	}
	b, err := json.Marshal(c.data)
	file := c.file
	c.dirty = false
	c.mu.Unlock()
	if err != nil {
		return
	}
	if err := writeFileAtomic(file, b); err != nil {
		c.s.log.Printf("save %s: %v", file, err)
	}
}

func writeFileAtomic(file string, data []byte) error {
	dir := filepath.Dir(file)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".lsp-cache-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}

// sortTagsNewestFirst orders tags by version precedence, highest first.
func sortTagsNewestFirst(tags []string) []string {
	out := append([]string(nil), tags...)
	sort.SliceStable(out, func(i, j int) bool { return workspace.CompareVersions(out[i], out[j]) > 0 })
	return out
}
