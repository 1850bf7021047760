package workspace

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFileAtomic writes data to path through a temporary file in the same directory and a
// rename, so readers see either the old or the new content, never a partial file.
func WriteFileAtomic(path string, data []byte, perm fs.FileMode) error {
	name, err := writeTemp(path, data, perm)
	if err != nil {
		return err
	}
	defer os.Remove(name) // no-op after a successful rename
	if err := os.Rename(name, path); err != nil {
		return fmt.Errorf("write %s: %w", path, pathErr(err))
	}
	return nil
}

// CreateFileAtomic writes data to path unless path already exists, through a temporary file in
// the same directory, so no reader ever sees a partial file and a file created meanwhile (by
// another process) is kept. It reports whether it created the file.
func CreateFileAtomic(path string, data []byte, perm fs.FileMode) (bool, error) {
	if _, err := os.Lstat(path); err == nil {
		return false, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("%s: %w", path, pathErr(err))
	}
	name, err := writeTemp(path, data, perm)
	if err != nil {
		return false, err
	}
	defer os.Remove(name)
	// A hard link never replaces an existing file.
	err = os.Link(name, path)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrExist):
		return false, nil
	}
	// Some filesystems have no hard links: fall back to a rename.
	if _, serr := os.Lstat(path); serr == nil {
		return false, nil
	}
	if err := os.Rename(name, path); err != nil {
		return false, fmt.Errorf("create %s: %w", path, pathErr(err))
	}
	return true, nil
}

// writeTemp writes data, synced and with mode perm, to a new temporary file next to path and
// returns its name; the caller renames or removes it.
func writeTemp(path string, data []byte, perm fs.FileMode) (string, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, pathErr(err))
	}
	name := tmp.Name()
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(name, perm)
	}
	if err != nil {
		os.Remove(name)
		return "", fmt.Errorf("write %s: %w", path, pathErr(err))
	}
	return name, nil
}

// pathErr drops the *PathError / *LinkError wrapper so a message names the file once.
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
