package registry

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/errdef"
	"oras.land/oras-go/v2/registry/remote"
)

// Media types and annotations of the kpm package artifact (compat notes §1).
const (
	MediaTypeTarGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
	MediaTypeTar     = "application/vnd.oci.image.layer.v1.tar"
	// ArtifactType is the manifest artifactType kpm writes.
	ArtifactType = MediaTypeTarGzip

	AnnotationName        = "org.kcllang.package.name"
	AnnotationVersion     = "org.kcllang.package.version"
	AnnotationDescription = "org.kcllang.package.description"
	AnnotationSum         = "org.kcllang.package.sum"
	AnnotationCreated     = ocispec.AnnotationCreated
	AnnotationTitle       = ocispec.AnnotationTitle
)

// Package describes the package directory to push. The caller reads
// kcl.mod; this package never does.
type Package struct {
	Dir         string
	Name        string
	Version     string
	Description string
	Include     []string
	Exclude     []string
	// Private lists absolute paths never packed, whatever Include says: the package home and
	// credentials files, when they lie under Dir (a common CI cache layout). See PackOptions.
	Private []string
}

// PushOptions configures Push.
type PushOptions struct {
	Options
	// Force overwrites an existing tag.
	Force bool
	// Progress, when set, is called as the package archive is uploaded.
	Progress func(done, total int64)
	// Created overrides the creation time (zero: now).
	Created time.Time
	// TempDir holds the temporary archive ("" = os.TempDir()).
	TempDir string
}

// PushResult describes a pushed package.
type PushResult struct {
	Reference Reference // with the tag pushed
	Digest    string    // manifest digest, "sha256:..."
	Sum       string    // package checksum (manifest annotation)
	Size      int64     // archive (layer) size in bytes
}

// Push packs pkg.Dir as the kpm OCI artifact and pushes it to ref (its
// tag, or pkg.Version when ref has none). An existing tag is refused with
// ErrTagExists unless opts.Force.
func Push(ctx context.Context, ref Reference, pkg Package, opts PushOptions) (PushResult, error) {
	if ref.Tag == "" {
		ref.Tag = pkg.Version
	}
	if ref.Tag == "" {
		return PushResult{}, newErr(ErrInvalidReference, "push %s: no version to tag", ref.String())
	}
	if err := validate(ref); err != nil {
		return PushResult{}, newErr(ErrInvalidReference, "invalid reference %q: %s", ref.String(), err)
	}
	subject := ref.String()
	repo, err := Repository(ref, opts.Options)
	if err != nil {
		return PushResult{}, err
	}
	if !opts.Force {
		_, err := repo.Resolve(ctx, ref.Tag)
		switch {
		case err == nil:
			return PushResult{}, newErr(ErrTagExists, "%s: package version '%s' already exists", subject, ref.Tag)
		case errors.Is(err, errdef.ErrNotFound):
		default:
			return PushResult{}, classify(err, subject, ref.Registry)
		}
	}

	// Pack to a temporary file, hashing as we write, and stream the same
	// bytes to the registry while packing (one upload session, PATCH with
	// the archive as it is produced). If the stream fails, the archive is
	// uploaded again from the file, with retries.
	f, err := os.CreateTemp(opts.TempDir, "kpm-push-*.tgz")
	if err != nil {
		return PushResult{}, fmt.Errorf("push %s: %w", subject, err)
	}
	defer func() {
		f.Close()
		os.Remove(f.Name())
	}()
	h := newParallelHash(sha256.New())
	defer h.Close()
	cw := &countWriter{}
	stream := startStreamUpload(ctx, repo, ref)
	defer stream.abort()
	var onRead func(int64)
	if opts.Progress != nil {
		total, done := inputSize(pkg.Dir), int64(0)
		onRead = func(n int64) {
			done += n
			if done <= total {
				opts.Progress(done, total)
			}
		}
	}
	bw := bufio.NewWriterSize(h.tee(io.MultiWriter(f, cw, stream)), 1<<20)
	sum, err := pack(pkg.Dir, bw, PackOptions{Include: pkg.Include, Exclude: pkg.Exclude, Private: pkg.Private}, onRead)
	if err != nil {
		return PushResult{}, err
	}
	if err := bw.Flush(); err != nil {
		return PushResult{}, fmt.Errorf("push %s: %w", subject, err)
	}
	layer := ocispec.Descriptor{
		MediaType:   MediaTypeTarGzip,
		Digest:      digest.NewDigestFromBytes(digest.SHA256, h.Sum()),
		Size:        cw.n,
		Annotations: map[string]string{AnnotationTitle: pkg.Name + "_" + ref.Tag + ".tgz"},
	}

	if err := stream.finish(ctx, layer); err != nil {
		openArchive := func() (io.ReadCloser, error) { return os.Open(f.Name()) }
		if err := pushBlob(ctx, repo, layer, openArchive, opts.Progress, opts.Options); err != nil {
			return PushResult{}, classify(err, subject, ref.Registry)
		}
	}
	empty := ocispec.DescriptorEmptyJSON
	openEmpty := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(empty.Data)), nil }
	if err := pushBlob(ctx, repo, empty, openEmpty, nil, opts.Options); err != nil {
		return PushResult{}, classify(err, subject, ref.Registry)
	}

	created := opts.Created
	if created.IsZero() {
		created = time.Now()
	}
	manifest := ocispec.Manifest{
		Versioned:    specs.Versioned{SchemaVersion: 2},
		MediaType:    ocispec.MediaTypeImageManifest,
		ArtifactType: ArtifactType,
		Config:       ocispec.Descriptor{MediaType: empty.MediaType, Digest: empty.Digest, Size: empty.Size},
		Layers:       []ocispec.Descriptor{layer},
		Annotations: map[string]string{
			AnnotationName:        pkg.Name,
			AnnotationVersion:     pkg.Version,
			AnnotationDescription: pkg.Description,
			AnnotationSum:         sum,
			AnnotationCreated:     created.UTC().Format(time.RFC3339),
		},
	}
	mb, err := json.Marshal(manifest)
	if err != nil {
		return PushResult{}, fmt.Errorf("push %s: %w", subject, err)
	}
	mdesc := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: digest.FromBytes(mb), Size: int64(len(mb))}
	err = withRetry(ctx, opts.Options, false, func() error {
		return repo.PushReference(ctx, mdesc, bytes.NewReader(mb), ref.Tag)
	})
	if err != nil {
		return PushResult{}, classify(err, subject, ref.Registry)
	}
	return PushResult{Reference: ref, Digest: mdesc.Digest.String(), Sum: sum, Size: layer.Size}, nil
}

// pushBlob uploads desc's content unless the registry already has it.
// open returns the content from the start; it is called again for every
// attempt. When it returns an *os.File, net/http sends it with
// sendfile(2) and progress is read from the file offset.
func pushBlob(ctx context.Context, repo *remote.Repository, desc ocispec.Descriptor, open func() (io.ReadCloser, error), progress func(int64, int64), opts Options) error {
	ok, err := repo.Exists(ctx, desc)
	if err != nil {
		return err
	}
	if ok {
		if progress != nil {
			progress(desc.Size, desc.Size)
		}
		return nil
	}
	return withRetry(ctx, opts, true, func() error {
		body, err := open()
		if err != nil {
			return err
		}
		// net/http closes the body once sent; this covers requests that
		// failed before. A retry opens the content again.
		defer body.Close()
		if f, ok := body.(*os.File); ok && progress != nil {
			stop := watchOffset(f, desc.Size, progress)
			defer stop()
		} else if progress != nil {
			body = struct {
				io.Reader
				io.Closer
			}{&progressReader{r: body, total: desc.Size, fn: progress}, body}
		}
		err = repo.Push(ctx, desc, body)
		if errors.Is(err, errdef.ErrAlreadyExists) {
			err = nil
		}
		if err == nil && progress != nil {
			progress(desc.Size, desc.Size)
		}
		return err
	})
}

// watchOffset reports f's offset through fn every 100ms until stop is
// called (the upload reads f with sendfile, which moves the offset).
func watchOffset(f *os.File, total int64, fn func(done, total int64)) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		var last int64 = -1
		for {
			select {
			case <-done:
				return
			case <-t.C:
				off, err := f.Seek(0, io.SeekCurrent)
				if err != nil {
					return // closed: the request finished
				}
				if off != last {
					last = off
					fn(off, total)
				}
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// withRetry runs fn again after a transient failure (see transient), a
// bounded number of times with exponential backoff.
func withRetry(ctx context.Context, opts Options, status bool, fn func() error) error {
	for attempt := 0; ; attempt++ {
		err := fn()
		if err == nil || !transient(err, status) || attempt >= opts.retries() || ctx.Err() != nil {
			return err
		}
		if serr := sleep(ctx, opts.retryWait(attempt)); serr != nil {
			return err
		}
	}
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

type progressReader struct {
	r     io.Reader
	done  int64
	total int64
	fn    func(done, total int64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.done += int64(n)
		p.fn(p.done, p.total)
	}
	return n, err
}
