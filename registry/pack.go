package registry

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/gzip"
)

// PackOptions selects what goes into a package archive.
type PackOptions struct {
	// Include, when not empty, keeps only paths matching one of these globs
	// ([package].include of kcl.mod).
	Include []string
	// Exclude drops paths matching one of these globs ([package].exclude).
	Exclude []string
	// Private lists absolute paths that are never packed nor part of the checksum, whatever
	// Include says (the package home, credentials files). Directories named .kpm or .docker and
	// files named .netrc or .git-credentials are always private.
	Private []string
}

// privateNames are path elements never packed: kpm's and Docker's configuration directories
// (credentials) and the usual credential files.
var privateNames = map[string]bool{".kpm": true, ".docker": true, ".netrc": true, ".git-credentials": true}

// private reports whether the path p (root-relative rel) must never leave the machine.
func (o PackOptions) private(p, rel string) bool {
	for _, part := range strings.Split(rel, "/") {
		if privateNames[part] {
			return true
		}
	}
	for _, x := range o.Private {
		if x != "" && (p == x || strings.HasPrefix(p, x+string(filepath.Separator))) {
			return true
		}
	}
	return false
}

// Pack writes the package directory dir to w as a gzip-compressed tar and
// returns the package checksum (see Sum), computed in the same pass.
//
// Every path under dir is packed except those containing ".git" or ".tar";
// Include/Exclude filter further. Entries are root-relative and
// "/"-separated, directories have their own entries, and only regular
// files and directories are allowed (a symlink is an error naming it).
func Pack(dir string, w io.Writer, opts PackOptions) (string, error) {
	return pack(dir, w, opts, nil)
}

// pack is Pack with a callback told how many bytes of file content have
// been read so far (out of inputSize(dir)).
func pack(dir string, w io.Writer, opts PackOptions, onRead func(n int64)) (string, error) {
	for _, p := range append(append([]string{}, opts.Include...), opts.Exclude...) {
		if _, err := path.Match(strings.ReplaceAll(p, "**", "*"), ""); err != nil {
			return "", fmt.Errorf("pack %s: invalid glob %q", dir, p)
		}
	}
	dir = realDir(dir)
	// A private directory that holds the package itself (a package kept under the package
	// home) must not hide the whole package: only private paths inside the package count.
	private := make([]string, 0, len(opts.Private))
	for _, x := range opts.Private {
		if x == "" {
			continue
		}
		if x = realDir(x); x != dir && !strings.HasPrefix(dir, x+string(filepath.Separator)) {
			private = append(private, x)
		}
	}
	opts.Private = private
	gz, err := gzip.NewWriterLevel(w, gzip.DefaultCompression)
	if err != nil {
		return "", err
	}
	tw := tar.NewWriter(gz)
	// The checksum is computed on another core, on the same buffers.
	sum := newParallelHash(sha256.New())
	defer sum.Close()
	written := map[string]bool{} // directory entries already written
	buf := make([]byte, 256<<10)

	var writeDir func(rel string, info os.FileInfo) error
	writeDir = func(rel string, info os.FileInfo) error {
		if rel == "." || written[rel] {
			return nil
		}
		if parent := path.Dir(rel); parent != "." && !written[parent] {
			pinfo, err := os.Stat(filepath.Join(dir, filepath.FromSlash(parent)))
			if err != nil {
				return err
			}
			if err := writeDir(parent, pinfo); err != nil {
				return err
			}
		}
		if info == nil {
			var err error
			if info, err = os.Stat(filepath.Join(dir, filepath.FromSlash(rel))); err != nil {
				return err
			}
		}
		hdr := &tar.Header{
			Typeflag: tar.TypeDir,
			Name:     rel + "/",
			Mode:     int64(info.Mode().Perm() | 0o700),
			ModTime:  info.ModTime().UTC().Truncate(1e9),
		}
		written[rel] = true
		return tw.WriteHeader(hdr)
	}

	err = walkPackage(dir, func(p, rel string, info os.FileInfo) error {
		if opts.private(p, rel) {
			if info.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		mode := info.Mode()
		switch {
		case mode.IsDir():
			if matchAny(opts.Exclude, rel) {
				return nil // files inside still count for the checksum
			}
			if len(opts.Include) == 0 {
				return writeDir(rel, info)
			}
			return nil // written on demand, when a file inside is included
		case mode.IsRegular():
		default:
			return fmt.Errorf("%s: only regular files and directories can be packed", rel)
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		if onRead != nil {
			defer onRead(info.Size())
		}
		include := !matchAny(opts.Exclude, rel) && (len(opts.Include) == 0 || matchAny(opts.Include, rel))
		if !include {
			// Still part of the checksum, which ignores include/exclude.
			_, err = io.CopyBuffer(sum, struct{ io.Reader }{f}, buf)
			return err
		}
		if parent := path.Dir(rel); parent != "." {
			if err := writeDir(parent, nil); err != nil {
				return err
			}
		}
		hdr := &tar.Header{
			Typeflag: tar.TypeReg,
			Name:     rel,
			Size:     info.Size(),
			Mode:     int64(mode.Perm() | 0o600),
			ModTime:  info.ModTime().UTC().Truncate(1e9),
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		// struct{io.Reader} hides File.WriteTo so buf's size is used.
		n, err := io.CopyBuffer(sum.tee(tw), struct{ io.Reader }{f}, buf)
		if err != nil {
			return err
		}
		if n != info.Size() {
			return fmt.Errorf("%s: changed while packing", rel)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("pack %s: %w", dir, err)
	}
	if err := tw.Close(); err != nil {
		return "", fmt.Errorf("pack %s: %w", dir, err)
	}
	if err := gz.Close(); err != nil {
		return "", fmt.Errorf("pack %s: %w", dir, err)
	}
	return base64.StdEncoding.EncodeToString(sum.Sum()), nil
}

// matchAny reports whether rel (or one of its parent directories) matches
// one of the globs. A glob without "/" matches a single path element at any
// depth ("*.md", "testdata"); a glob with "/" is matched from the root, and
// "**" matches any number of elements.
func matchAny(globs []string, rel string) bool {
	for _, g := range globs {
		if matchGlob(g, rel) {
			return true
		}
	}
	return false
}

func matchGlob(glob, rel string) bool {
	glob = strings.TrimPrefix(strings.TrimSuffix(filepath.ToSlash(glob), "/"), "./")
	if glob == "" {
		return false
	}
	parts := strings.Split(rel, "/")
	if !strings.Contains(glob, "/") {
		for _, p := range parts {
			if ok, _ := path.Match(glob, p); ok {
				return true
			}
		}
		return false
	}
	gparts := strings.Split(strings.TrimPrefix(glob, "/"), "/")
	// rel or any of its parents
	for i := 1; i <= len(parts); i++ {
		if matchParts(gparts, parts[:i]) {
			return true
		}
	}
	return false
}

func matchParts(glob, parts []string) bool {
	if len(glob) == 0 {
		return len(parts) == 0
	}
	if glob[0] == "**" {
		for i := 0; i <= len(parts); i++ {
			if matchParts(glob[1:], parts[i:]) {
				return true
			}
		}
		return false
	}
	if len(parts) == 0 {
		return false
	}
	if ok, _ := path.Match(glob[0], parts[0]); !ok {
		return false
	}
	return matchParts(glob[1:], parts[1:])
}

// inputSize returns the number of bytes pack reads from dir: the sizes of
// every regular file not skipped by the .git/.tar rule (as far as dir can be
// read: pack reports the errors).
func inputSize(dir string) int64 {
	var total int64
	_ = walkPackage(realDir(dir), func(_, _ string, info os.FileInfo) error {
		if info.Mode().IsRegular() {
			total += info.Size()
		}
		return nil
	})
	return total
}
