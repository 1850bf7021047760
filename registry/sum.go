package registry

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// skipped reports whether a root-relative, slash-separated path is left
// out of packages and checksums (upstream rule: it contains ".git" or
// ".tar").
func skipped(rel string) bool {
	return strings.Contains(rel, ".git") || strings.Contains(rel, ".tar")
}

// Sum returns the package checksum of dir: base64 (standard encoding) of
// the SHA-256 of the concatenated contents of every regular file under dir,
// in filepath.Walk order, skipping paths containing ".git" or ".tar".
// Include/exclude lists are ignored, as upstream does.
func Sum(dir string) (string, error) {
	dir = realDir(dir)
	h := sha256.New()
	buf := make([]byte, 256<<10)
	err := walkPackage(dir, func(p, rel string, info os.FileInfo) error {
		if !info.Mode().IsRegular() {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.CopyBuffer(h, f, buf)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("checksum of %s: %w", dir, err)
	}
	return base64.StdEncoding.EncodeToString(h.Sum(nil)), nil
}

// realDir resolves a symlinked package root: the root is walked, not skipped.
func realDir(dir string) string {
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		return real
	}
	return dir
}

// walkPackage calls fn, in filepath.Walk order, for every path under dir that packages and
// checksums consider: all but the root itself and the paths left out by skipped (a skipped
// directory is not entered). rel is root-relative and "/"-separated.
func walkPackage(dir string, fn func(p, rel string, info os.FileInfo) error) error {
	return filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil
		}
		if skipped(rel) {
			if info.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		return fn(p, rel, info)
	})
}
