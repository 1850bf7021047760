package workspace

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// LockFile is kcl.mod.lock: every dependency of the package (transitive ones included), keyed by
// the dependency name as written in kcl.mod.
type LockFile struct {
	Dependencies map[string]*LockedDep
}

// LockedDep is one [dependencies.<name>] entry of kcl.mod.lock. Empty fields are not written.
type LockedDep struct {
	Name     string `toml:"name"`
	FullName string `toml:"full_name"` // <name>_<version>
	Version  string `toml:"version"`
	Sum      string `toml:"sum"` // package checksum (compat §1)
	// OCI source.
	Reg    string `toml:"reg"`
	Repo   string `toml:"repo"`
	OCITag string `toml:"oci_tag"`
	// Git source.
	URL    string `toml:"url"`
	Commit string `toml:"commit"`
	GitTag string `toml:"git_tag"`
	Branch string `toml:"branch"`
	// Package is the package inside a git repository holding several (kcl.mod's `package`).
	Package string `toml:"package"`
}

// Reference returns the OCI reference host/repo:tag of an OCI entry ("" for other sources).
func (d *LockedDep) Reference() string {
	if d.Reg == "" || d.Repo == "" {
		return ""
	}
	return d.Reg + "/" + d.Repo + ":" + d.OCITag
}

// ParseLockFile parses kcl.mod.lock. An empty file is an empty lock.
func ParseLockFile(filename string, src []byte) (*LockFile, error) {
	lf := &LockFile{Dependencies: map[string]*LockedDep{}}
	if len(bytes.TrimSpace(src)) == 0 {
		return lf, nil
	}
	var raw struct {
		Dependencies map[string]*LockedDep `toml:"dependencies"`
	}
	if err := toml.Unmarshal(src, &raw); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, col := de.Position()
			return nil, fmt.Errorf("%s:%d:%d: invalid lock file: %s", filename, line, col, de.Error())
		}
		var sm *toml.StrictMissingError
		if errors.As(err, &sm) {
			return nil, fmt.Errorf("%s: invalid lock file: %v", filename, err)
		}
		return nil, fmt.Errorf("%s: invalid lock file: %v", filename, err)
	}
	for k, v := range raw.Dependencies {
		if v == nil {
			v = &LockedDep{}
		}
		lf.Dependencies[k] = v
	}
	return lf, nil
}

// ReadLockFile reads the lock file at path; a missing file is an empty lock.
func ReadLockFile(path string) (*LockFile, error) {
	src, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &LockFile{Dependencies: map[string]*LockedDep{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, pathErr(err))
	}
	return ParseLockFile(path, src)
}

// Bytes renders the lock file exactly as upstream kpm does: entries sorted by key, fields in a
// fixed order, two-space indentation; an empty file when there are no dependencies.
func (l *LockFile) Bytes() []byte {
	if l == nil || len(l.Dependencies) == 0 {
		return []byte{}
	}
	keys := make([]string, 0, len(l.Dependencies))
	for k := range l.Dependencies {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b bytes.Buffer
	b.WriteString("[dependencies]\n")
	for _, k := range keys {
		d := l.Dependencies[k]
		fmt.Fprintf(&b, "  [dependencies.%s]\n", tomlKey(k))
		for _, f := range [][2]string{
			{"name", d.Name}, {"full_name", d.FullName}, {"version", d.Version}, {"sum", d.Sum},
			{"reg", d.Reg}, {"repo", d.Repo}, {"oci_tag", d.OCITag},
			{"url", d.URL}, {"commit", d.Commit}, {"git_tag", d.GitTag}, {"branch", d.Branch},
			{"package", d.Package},
		} {
			if f[1] != "" {
				fmt.Fprintf(&b, "    %s = %s\n", f[0], tomlString(f[1]))
			}
		}
	}
	return b.Bytes()
}

// WriteLockFile writes l to path atomically, only when the content differs from what is on
// disk. It reports whether the file changed.
func WriteLockFile(path string, l *LockFile) (bool, error) {
	data := l.Bytes()
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return false, nil
	}
	if err := WriteFileAtomic(path, data, 0o644); err != nil {
		return false, err
	}
	return true, nil
}

// tomlKey renders a table key: bare when possible, quoted otherwise.
func tomlKey(k string) string {
	if k != "" && strings.Trim(k, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == "" {
		return k
	}
	return tomlString(k)
}

// tomlString renders a TOML basic string.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
