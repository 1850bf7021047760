package commands

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/kpm-dev/kpm/registry"
	"github.com/kpm-dev/kpm/workspace"
)

// PackageOptions configures Package (`kpm pkg`).
type PackageOptions struct {
	Settings              *workspace.Settings
	InsecureSkipTLSVerify bool
	Progress              Progress
	Dir                   string // package root; "" = current directory
	// Target is the directory the archive is written into (created when missing).
	Target string
	// Vendor copies the dependencies into vendor/ first, so that the archive carries them.
	Vendor bool
}

// PackageResult says what was written.
type PackageResult struct {
	Path string // the archive, <Target>/<name>_<version>.tar
	Sum  string // package checksum
}

// Package writes the package in Dir as an uncompressed tar, <name>_<version>.tar (upstream's
// name and format), with the same file selection as push. The file appears complete or not at all.
func Package(ctx context.Context, opts PackageOptions) (PackageResult, error) {
	p := progressOrDiscard(opts.Progress)
	dir, err := packageDir(opts.Dir)
	if err != nil {
		return PackageResult{}, err
	}
	mod, err := loadPackage(dir)
	if err != nil {
		return PackageResult{}, err
	}
	if opts.Vendor {
		if err := vendorPackage(ctx, dir, opts.Settings, opts.InsecureSkipTLSVerify, p); err != nil {
			return PackageResult{}, err
		}
	}
	if err := os.MkdirAll(opts.Target, 0o755); err != nil {
		return PackageResult{}, fmt.Errorf("pkg: %w", err)
	}
	dest, err := filepath.Abs(filepath.Join(opts.Target, mod.Name.Value+"_"+mod.Version.Value+".tar"))
	if err != nil {
		return PackageResult{}, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+"-*")
	if err != nil {
		return PackageResult{}, fmt.Errorf("pkg: %w", err)
	}
	defer os.Remove(tmp.Name())
	// registry.Pack writes push's gzip-compressed tar; upstream's .tar is the same tar, uncompressed.
	pr, pw := io.Pipe()
	sumc := make(chan string, 1)
	go func() {
		sum, err := registry.Pack(dir, pw, registry.PackOptions{Include: values(mod.Include), Exclude: values(mod.Exclude)})
		sumc <- sum
		pw.CloseWithError(err)
	}()
	gz, err := gzip.NewReader(pr)
	if err == nil {
		_, err = io.Copy(tmp, gz)
	}
	pr.CloseWithError(io.ErrClosedPipe) // stops Pack if the copy failed
	sum := <-sumc
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return PackageResult{}, fmt.Errorf("pkg %s: %w", dir, err)
	}
	if err := os.Rename(tmp.Name(), dest); err != nil {
		return PackageResult{}, fmt.Errorf("pkg: %w", err)
	}
	p.Message("packaged " + mod.Name.Value + " " + mod.Version.Value)
	return PackageResult{Path: dest, Sum: sum}, nil
}

// vendorPackage resolves the package's dependencies (downloading what is missing, writing the
// lock) and copies them into its vendor/ directory.
func vendorPackage(ctx context.Context, dir string, s *workspace.Settings, insecure bool, p Progress) error {
	if err := seedCacheFromVendor(ctx, dir, s); err != nil {
		return err
	}
	res, err := workspace.Resolve(ctx, dir, workspace.ResolveOptions{
		Settings:              s,
		WriteLock:             true,
		InsecureSkipTLSVerify: insecure,
		Progress:              p.Message,
	})
	if err != nil {
		return err
	}
	return vendorDeps(ctx, dir, res, p)
}
