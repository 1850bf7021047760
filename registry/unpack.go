package registry

import (
	"archive/tar"
	"bufio"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/gzip"
)

// Default unpack limits.
const (
	DefaultMaxSize    int64 = 1 << 30 // total bytes of regular files
	DefaultMaxEntries       = 100000
)

// unpackLimits bounds what an archive may write, and says whether the
// package checksum is wanted.
type unpackLimits struct {
	maxSize    int64
	maxEntries int
	// sum asks for the checksum to be computed while extracting.
	sum bool
}

// unpackResult describes a finished extraction.
type unpackResult struct {
	// sum is the checksum computed while extracting; valid only when
	// ordered (the archive listed files in filepath.Walk order, once each).
	sum     string
	ordered bool
}

// errorReader remembers the first error returned by the underlying
// (network) reader, so transport failures can be told apart from a
// corrupt archive.
type errorReader struct {
	r   io.Reader
	err error
}

func (e *errorReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF && e.err == nil {
		e.err = err
	}
	return n, err
}

// unpack extracts a tar (gzip-compressed or not, detected by magic bytes)
// from r into dir, which must exist and be empty. It refuses absolute
// paths, "..", links, devices and any non-regular, non-directory entry,
// and bounds the total size and entry count.
//
// With lim.sum, it also computes the package checksum (see Sum) from the
// file contents as they are written, on another goroutine: an archive made
// by Pack lists files in filepath.Walk order, so the concatenation it
// hashes is the one Sum would read back from dir. As soon as an archive
// lists a file out of that order (or twice) the streamed checksum is
// dropped and the result says so (ordered == false): the caller then runs
// Sum over dir.
func unpack(r io.Reader, dir string, lim unpackLimits) (unpackResult, error) {
	br := bufio.NewReaderSize(r, 128<<10)
	var src io.Reader = br
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return unpackResult{}, corrupt(err)
		}
		defer gz.Close()
		src = gz
	}
	var (
		total   int64
		entries int
		last    string
		scratch []byte // for content that is not hashed
	)
	// Every decompressed byte counts against the size limit, not only file contents: padding
	// after the archive's end and data hidden in other entries decompress too. Headers get a
	// fixed allowance per entry.
	budget := &budgetReader{r: src, limit: func() int64 { return lim.maxSize + 1<<20 + int64(entries)*2048 }}
	src = budget
	tr := tar.NewReader(src)
	var sum *blockHash // nil: not (or no longer) computing the checksum
	if lim.sum {
		sum = newBlockHash(sha256.New())
		defer sum.Close()
	}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return unpackResult{}, corrupt(err)
		}
		entries++
		if entries > lim.maxEntries {
			return unpackResult{}, newErr(ErrUnsafeArchive, "unsafe archive: more than %d entries", lim.maxEntries)
		}
		if hdr.Typeflag == tar.TypeXGlobalHeader {
			continue
		}
		rel, err := safeName(hdr.Name)
		if err != nil {
			return unpackResult{}, err
		}
		if rel == "." {
			continue
		}
		target := filepath.Join(dir, filepath.FromSlash(rel))
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return unpackResult{}, newErr(ErrUnsafeArchive, "unsafe archive: entry %q: %s", hdr.Name, pathErr(err))
			}
		case tar.TypeReg: // the reader turns the old TypeRegA into TypeReg or TypeDir
			if hdr.Size < 0 || hdr.Size > lim.maxSize-total {
				return unpackResult{}, newErr(ErrUnsafeArchive, "unsafe archive: entry %q: unpacked size exceeds the limit of %d bytes", hdr.Name, lim.maxSize)
			}
			total += hdr.Size
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return unpackResult{}, newErr(ErrUnsafeArchive, "unsafe archive: entry %q: %s", hdr.Name, pathErr(err))
			}
			hashed := sum != nil && !skipped(rel)
			if hashed && last != "" && walkCompare(last, rel) >= 0 {
				// Out of walk order: the checksum is taken from dir instead.
				sum.Close()
				sum, hashed = nil, false
			}
			if hashed {
				last = rel
				err = writeFile(target, hdr, tr, sum, nil)
			} else {
				if scratch == nil {
					scratch = make([]byte, hashBlockSize)
				}
				err = writeFile(target, hdr, tr, nil, scratch)
			}
			if err != nil {
				return unpackResult{}, err
			}
		case tar.TypeSymlink:
			return unpackResult{}, newErr(ErrUnsafeArchive, "unsafe archive: entry %q is a symbolic link", hdr.Name)
		case tar.TypeLink:
			return unpackResult{}, newErr(ErrUnsafeArchive, "unsafe archive: entry %q is a hard link", hdr.Name)
		case tar.TypeChar, tar.TypeBlock:
			return unpackResult{}, newErr(ErrUnsafeArchive, "unsafe archive: entry %q is a device", hdr.Name)
		case tar.TypeFifo:
			return unpackResult{}, newErr(ErrUnsafeArchive, "unsafe archive: entry %q is a named pipe", hdr.Name)
		default:
			return unpackResult{}, newErr(ErrUnsafeArchive, "unsafe archive: entry %q has unsupported type %q", hdr.Name, string(hdr.Typeflag))
		}
	}
	// Drain what follows the tar end marker so the digest covers the blob.
	if _, err := io.Copy(io.Discard, src); err != nil {
		return unpackResult{}, corrupt(err)
	}
	if budget.r != io.Reader(br) {
		if _, err := io.Copy(io.Discard, br); err != nil {
			return unpackResult{}, corrupt(err)
		}
	}
	if sum == nil {
		return unpackResult{}, nil
	}
	return unpackResult{sum: base64.StdEncoding.EncodeToString(sum.Sum()), ordered: true}, nil
}

// budgetReader fails once more than limit() bytes were read from r.
type budgetReader struct {
	r     io.Reader
	n     int64
	limit func() int64
}

func (b *budgetReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.n += int64(n)
	if max := b.limit(); b.n > max {
		return n, newErr(ErrUnsafeArchive, "unsafe archive: more than %d bytes once decompressed (data past the archive's end or inside entries that are not files)", max)
	}
	return n, err
}

// writeFile writes the next hdr.Size bytes of r to target, in large
// writes. With sum, the data are read straight into sum's blocks and
// hashed after being written; otherwise scratch is the buffer.
func writeFile(target string, hdr *tar.Header, r io.Reader, sum *blockHash, scratch []byte) error {
	mode := os.FileMode(0o644)
	if hdr.Mode&0o111 != 0 {
		mode = 0o755
	}
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return newErr(ErrUnsafeArchive, "unsafe archive: entry %q: %s", hdr.Name, pathErr(err))
	}
	for left := hdr.Size; left > 0; {
		b := scratch
		if sum != nil {
			b = sum.next()
		}
		if int64(len(b)) > left {
			b = b[:left]
		}
		n, rerr := io.ReadFull(r, b)
		if n > 0 {
			if _, werr := f.Write(b[:n]); werr != nil {
				f.Close()
				return fmt.Errorf("write %s: %w", hdr.Name, unwrapPath(werr))
			}
			if sum != nil {
				sum.commit(n)
			}
			left -= int64(n)
		}
		if rerr != nil {
			f.Close()
			if rerr == io.EOF {
				rerr = io.ErrUnexpectedEOF
			}
			return corrupt(rerr)
		}
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", hdr.Name, unwrapPath(err))
	}
	return nil
}

// corruptError marks an archive read failure; the caller decides whether
// it was the network (retry), a digest mismatch or a corrupt archive.
type corruptError struct{ err error }

func (c *corruptError) Error() string { return "corrupt package archive: " + c.err.Error() }
func (c *corruptError) Unwrap() error { return c.err }

func corrupt(err error) error {
	var ce *corruptError
	var re *Error // a limit, already explained
	if errors.As(err, &ce) || errors.As(err, &re) {
		return err
	}
	return &corruptError{err}
}

// unwrapPath drops the *os.PathError around err (its path is a temporary
// one the user does not know).
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func pathErr(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// safeName validates a tar entry name and returns it cleaned,
// root-relative and "/"-separated ("." for the root itself).
func safeName(name string) (string, error) {
	if name == "" {
		return "", newErr(ErrUnsafeArchive, "unsafe archive: entry with an empty name")
	}
	if strings.ContainsRune(name, 0) {
		return "", newErr(ErrUnsafeArchive, "unsafe archive: entry %q has a NUL byte in its name", name)
	}
	n := strings.ReplaceAll(name, `\`, "/")
	if path.IsAbs(n) || filepath.IsAbs(name) || filepath.VolumeName(name) != "" || (len(n) > 1 && n[1] == ':') {
		return "", newErr(ErrUnsafeArchive, "unsafe archive: entry %q has an absolute path", name)
	}
	for _, part := range strings.Split(n, "/") {
		if part == ".." {
			return "", newErr(ErrUnsafeArchive, "unsafe archive: entry %q escapes the package directory", name)
		}
	}
	return path.Clean(n), nil
}

// walkCompare orders slash paths the way filepath.Walk visits them:
// element by element, lexically.
func walkCompare(a, b string) int {
	ap, bp := strings.Split(a, "/"), strings.Split(b, "/")
	for i := 0; i < len(ap) && i < len(bp); i++ {
		if ap[i] != bp[i] {
			if ap[i] < bp[i] {
				return -1
			}
			return 1
		}
	}
	return len(ap) - len(bp)
}
