package registry

import (
	"fmt"
	"os"
)

// UnpackFile extracts a package archive on disk (a tar, gzip-compressed or not, as `kpm pkg`
// writes) into dir, with Pull's safety rules and limits: only regular files and directories,
// nothing outside dir, bounded size and entry count.
func UnpackFile(file, dir string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := unpack(f, dir, unpackLimits{maxSize: DefaultMaxSize, maxEntries: DefaultMaxEntries}); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return nil
}
