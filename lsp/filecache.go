package lsp

// Small caches of local files read on every kcl.mod edit: the parsed lock file (by content),
// whether dependency directories exist (3 s), and the parsed kcl.mod of dependencies.

import (
	"os"
	"sync"
	"time"

	"github.com/kpm-dev/kpm/workspace"
)

// lockCache keeps the last parsed kcl.mod.lock per path, keyed by its content: kcl.mod
// diagnostics read the lock on every edit, and it rarely changes.
type lockCache struct {
	mu      sync.Mutex
	entries map[string]lockEntry
}

type lockEntry struct {
	src  string
	lock *workspace.LockFile
	err  error
}

func (c *lockCache) parse(path string, src []byte) (*workspace.LockFile, error) {
	c.mu.Lock()
	if e, ok := c.entries[path]; ok && e.src == string(src) {
		c.mu.Unlock()
		return e.lock, e.err
	}
	c.mu.Unlock()
	lock, err := workspace.ParseLockFile(workspace.LockFileName, src)
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[string]lockEntry{}
	}
	c.entries[path] = lockEntry{src: string(src), lock: lock, err: err}
	c.mu.Unlock()
	return lock, err
}

// statCache remembers for a few seconds whether a directory exists: kcl.mod diagnostics
// check every dependency's cache directory on every edit. Watched-file events and commands
// that download clear it.
type statCache struct {
	mu      sync.Mutex
	entries map[string]statEntry
}

type statEntry struct {
	isDir bool
	at    time.Time
}

const statTTL = 3 * time.Second

func (c *statCache) isDir(path string) bool {
	now := time.Now()
	c.mu.Lock()
	if e, ok := c.entries[path]; ok && now.Sub(e.at) < statTTL {
		c.mu.Unlock()
		return e.isDir
	}
	c.mu.Unlock()
	fi, err := os.Stat(path)
	ok := err == nil && fi.IsDir()
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[string]statEntry{}
	}
	c.entries[path] = statEntry{isDir: ok, at: now}
	c.mu.Unlock()
	return ok
}

func (c *statCache) clear() {
	c.mu.Lock()
	c.entries = nil
	c.mu.Unlock()
}

// depModCache keeps the parsed kcl.mod of packages in the package cache, which never change
// (a cache entry is name_version); path dependencies are re-read when their file changes.
type depModCache struct {
	mu      sync.Mutex
	entries map[string]depModEntry
}

type depModEntry struct {
	mf      *workspace.ModFile
	modTime time.Time
	size    int64
	checked time.Time
}

func (c *depModCache) get(dir string) *workspace.ModFile {
	path := dir + string(os.PathSeparator) + workspace.ModFileName
	now := time.Now()
	c.mu.Lock()
	if e, ok := c.entries[path]; ok && now.Sub(e.checked) < statTTL {
		c.mu.Unlock()
		return e.mf
	}
	c.mu.Unlock()
	fi, err := os.Stat(path)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	if e, ok := c.entries[path]; ok && e.modTime.Equal(fi.ModTime()) && e.size == fi.Size() {
		e.checked = now
		c.entries[path] = e
		c.mu.Unlock()
		return e.mf
	}
	c.mu.Unlock()
	src, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	mf, _ := workspace.ParseModFile(path, src)
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[string]depModEntry{}
	}
	c.entries[path] = depModEntry{mf: mf, modTime: fi.ModTime(), size: fi.Size(), checked: now}
	c.mu.Unlock()
	return mf
}

// expire makes every entry be checked against the disk again (file events, commands).
func (c *depModCache) expire() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.entries {
		e.checked = time.Time{}
		c.entries[k] = e
	}
}
