package commands

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kpm-dev/kpm/workspace"
)

// DefaultEdition is the edition written into a new kcl.mod.
const DefaultEdition = "v0.11.0"

// DefaultVersion is the version of a new package.
const DefaultVersion = "0.0.1"

// MainK is the content of the main.k written by Init.
const MainK = "The_first_kcl_program = 'Hello World!'\n"

// InitOptions configures Init.
type InitOptions struct {
	Settings *workspace.Settings // unused by Init; kept for symmetry with the other commands
	Progress Progress
	// Dir is the package root; "" means the current directory. It is created when missing.
	Dir string
	// Name is the package name; "" means the base name of Dir.
	Name string
	// Version is the package version; "" means DefaultVersion.
	Version string
}

// InitResult says what Init did.
type InitResult struct {
	Path    string   // absolute package root
	Name    string   // package name
	Version string   // package version
	Files   []string // files created, relative to Path
	Kept    []string // files that already existed and were left untouched
}

// Init creates a package: kcl.mod, an empty kcl.mod.lock and main.k. Existing files are never
// overwritten.
func Init(ctx context.Context, opts InitOptions) (InitResult, error) {
	p := progressOrDiscard(opts.Progress)
	dir := opts.Dir
	if dir == "" {
		dir = "."
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return InitResult{}, fmt.Errorf("init: %w", err)
	}
	name := opts.Name
	if name == "" {
		name = filepath.Base(dir)
		if err := ValidatePackageName(name); err != nil {
			return InitResult{}, fmt.Errorf("init: directory name %q is not a valid package name (must match %s); pass a name: kpm init NAME", name, workspace.PackageNameRule)
		}
	} else if err := ValidatePackageName(name); err != nil {
		return InitResult{}, fmt.Errorf("init: %w", err)
	}
	version := opts.Version
	if version == "" {
		version = DefaultVersion
	}
	if err := ValidateVersion(version); err != nil {
		return InitResult{}, fmt.Errorf("init: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return InitResult{}, fmt.Errorf("init: %w", err) // "mkdir DIR: reason"
	}
	res := InitResult{Path: dir, Name: name, Version: version}
	files := []struct {
		name string
		data string
	}{
		{"kcl.mod", fmt.Sprintf("[package]\nname = %q\nedition = %q\nversion = %q\n", name, DefaultEdition, version)},
		{"kcl.mod.lock", ""},
		{"main.k", MainK},
	}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		path := filepath.Join(dir, f.name)
		created, err := workspace.CreateFileAtomic(path, []byte(f.data), 0o644)
		if err != nil {
			return res, fmt.Errorf("init: %w", err)
		}
		if created {
			res.Files = append(res.Files, f.name)
			p.Message("created " + f.name)
		} else {
			res.Kept = append(res.Kept, f.name)
			p.Message(f.name + " already exists, kept")
		}
	}
	return res, nil
}

// ValidatePackageName checks name against workspace.PackageNameRule.
func ValidatePackageName(name string) error {
	if !workspace.ValidPackageName(name) {
		return fmt.Errorf("invalid package name %q: must match %s", name, workspace.PackageNameRule)
	}
	return nil
}

// ValidateVersion checks that v is a semantic version (the rule kcl.mod's [package].version follows).
func ValidateVersion(v string) error {
	if _, ok := workspace.ParseSemver(v); !ok {
		return fmt.Errorf("invalid version %q: want a semantic version like 1.2.3", v)
	}
	return nil
}
