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

	// Pack to a temporary file, hashing as we write.
	f, err := os.CreateTemp(opts.TempDir, "kpm-push-*.tgz")
	if err != nil {
		return PushResult{}, fmt.Errorf("push %s: %w", subject, err)
	}
	defer func() {
		f.Close()
		os.Remove(f.Name())
	}()
	h := newAsyncHash(sha256.New())
	defer h.Close()
	cw := &countWriter{}
	bw := bufio.NewWriterSize(io.MultiWriter(f, h, cw), 1<<20)
	sum, err := Pack(pkg.Dir, bw, PackOptions{Include: pkg.Include, Exclude: pkg.Exclude})
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

	if err := pushBlob(ctx, repo, layer, f, opts.Progress, opts.Options); err != nil {
		return PushResult{}, classify(err, subject, ref.Registry)
	}
	empty := ocispec.DescriptorEmptyJSON
	if err := pushBlob(ctx, repo, empty, bytes.NewReader(empty.Data), nil, opts.Options); err != nil {
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

// pushBlob uploads desc's content from r (rewound on every attempt) unless
// the registry already has it.
func pushBlob(ctx context.Context, repo *remote.Repository, desc ocispec.Descriptor, r io.ReadSeeker, progress func(int64, int64), opts Options) error {
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
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			return err
		}
		// NopCloser: net/http closes a request body that is an io.Closer,
		// and the file is read again on a retry. net/http unwraps it to
		// send the file with sendfile(2).
		var body io.Reader = io.NopCloser(r)
		if progress != nil {
			body = &progressReader{r: r, total: desc.Size, fn: progress}
		}
		err := repo.Push(ctx, desc, body)
		if errors.Is(err, errdef.ErrAlreadyExists) {
			return nil
		}
		return err
	})
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
