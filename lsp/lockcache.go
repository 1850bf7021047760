package lsp

import (
	"sync"

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
