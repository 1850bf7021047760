package commands

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/kpm-dev/kpm/workspace"
)

// VendorDirName is the directory inside a package that holds its vendored dependencies.
const VendorDirName = "vendor"

// vendorDeps copies every resolved registry, OCI and git dependency into pkgDir/vendor/
// <basename of its cache entry> (upstream's layout, e.g. vendor/helloworld_0.1.4) unless it is
// there already, and points res.Deps at the copies. Path dependencies stay where they are.
func vendorDeps(ctx context.Context, pkgDir string, res *workspace.Resolution, p Progress) error {
	vendor := filepath.Join(pkgDir, VendorDirName)
	for _, d := range res.Deps {
		if d.Source == workspace.SourcePath || d.Dir == "" {
			continue
		}
		dest := filepath.Join(vendor, filepath.Base(d.Dir))
		if _, err := os.Stat(dest); err != nil {
			p.Message("vendoring " + d.Name + " into " + filepath.Join(VendorDirName, filepath.Base(d.Dir)))
			if err := copyTree(ctx, d.Dir, dest); err != nil {
				return fmt.Errorf("vendor %s: %w", d.Name, err)
			}
		}
		d.Dir = dest
	}
	return nil
}

// seedCacheFromVendor copies the packages of pkgDir/vendor/ that the package cache lacks into it,
// so that a vendored package resolves without a registry (the resolver still checks every
// checksum against kcl.mod.lock).
func seedCacheFromVendor(ctx context.Context, pkgDir string, s *workspace.Settings) error {
	entries, err := os.ReadDir(filepath.Join(pkgDir, VendorDirName))
	if err != nil {
		return nil // no vendor/ yet
	}
	unlock, err := workspace.LockCache(ctx, s, nil)
	if err != nil {
		return err
	}
	defer unlock()
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		dest := filepath.Join(s.PkgPath, e.Name())
		if _, err := os.Stat(dest); err == nil {
			continue
		}
		if err := copyTree(ctx, filepath.Join(pkgDir, VendorDirName, e.Name()), dest); err != nil {
			return fmt.Errorf("vendor %s: %w", e.Name(), err)
		}
	}
	return nil
}

// copyTree copies the regular files and directories of src into dest (created through a
// temporary sibling, renamed into place when complete).
func copyTree(ctx context.Context, src, dest string) error {
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dest), "."+filepath.Base(dest)+"-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	err = filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(tmp, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type().IsRegular():
			return copyFile(path, target)
		}
		return nil // the cache holds only files and directories
	})
	if err != nil {
		return err
	}
	return os.Rename(tmp, dest)
}

func copyFile(src, dest string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
