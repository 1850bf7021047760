package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/kpm-dev/kpm/kcl/syntax"
	"github.com/kpm-dev/kpm/workspace"
)

// maxSourceSize bounds the KCL files fmt reads.
const maxSourceSize = 16 << 20

// FormatOptions configures Format (`kpm fmt`).
type FormatOptions struct {
	// Paths are .k files and directories (searched recursively, without hidden directories
	// and vendor/); none means the current directory.
	Paths []string
	// Check lists the files that are not formatted instead of rewriting them.
	Check bool
}

// FormatResult says which files were (or, with Check, would be) rewritten.
type FormatResult struct {
	Changed []string // in the order found
	Files   int      // files looked at
}

// ErrNotFormatted is returned (wrapped) by a Check that found unformatted files.
var ErrNotFormatted = errors.New("not formatted")

// Format rewrites KCL files in the canonical layout (kcl/syntax.Format, the formatter of the
// language server). Every file is formatted in memory first: a syntax error in any of them
// stops it with nothing written. It stops when ctx is cancelled.
func Format(ctx context.Context, opts FormatOptions) (FormatResult, error) {
	paths := opts.Paths
	if len(paths) == 0 {
		paths = []string{"."}
	}
	files, err := kclFiles(ctx, paths)
	if err != nil {
		return FormatResult{}, err
	}
	type change struct {
		path string
		text []byte
		mode fs.FileMode
	}
	var changes []change
	res := FormatResult{Files: len(files)}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return FormatResult{}, err
		}
		src, mode, err := readSource(f)
		if err != nil {
			return FormatResult{}, err
		}
		out, err := syntax.Format(src, f)
		if err != nil {
			return FormatResult{}, fmt.Errorf("%s; fix the syntax error first", err)
		}
		if string(out) != string(src) {
			changes = append(changes, change{f, out, mode})
			res.Changed = append(res.Changed, f)
		}
	}
	if opts.Check {
		if len(res.Changed) > 0 {
			n := "1 file is"
			if len(res.Changed) > 1 {
				n = fmt.Sprintf("%d files are", len(res.Changed))
			}
			return res, fmt.Errorf("%s %w; run 'kpm fmt' to format", n, ErrNotFormatted)
		}
		return res, nil
	}
	for _, c := range changes {
		if err := workspace.WriteFileAtomic(c.path, c.text, c.mode); err != nil {
			return res, err
		}
	}
	return res, nil
}

// kclFiles lists the .k files named by paths: files as given, directories searched.
func kclFiles(ctx context.Context, paths []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("fmt %s: no such file or directory", p)
		}
		if !fi.IsDir() {
			if !strings.HasSuffix(p, ".k") {
				return nil, fmt.Errorf("fmt %s: not a KCL file (.k)", p)
			}
			add(p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if d.IsDir() {
				if path != p && (strings.HasPrefix(d.Name(), ".") || d.Name() == "vendor") {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.HasSuffix(path, ".k") && d.Type().IsRegular() {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(found)
		for _, f := range found {
			add(f)
		}
	}
	return out, nil
}

// readSource reads a KCL file, bounded.
func readSource(path string) ([]byte, fs.FileMode, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	src, err := io.ReadAll(io.LimitReader(f, maxSourceSize+1))
	if err != nil {
		return nil, 0, err
	}
	if len(src) > maxSourceSize {
		return nil, 0, fmt.Errorf("%s: larger than %d MiB, not a KCL source file kpm formats", path, maxSourceSize>>20)
	}
	return src, fi.Mode().Perm(), nil
}
