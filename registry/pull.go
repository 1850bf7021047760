package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/registry/remote"
)

// Legacy and foreign media types pull accepts besides the kpm ones.
const (
	mediaTypeDockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
	mediaTypeDockerLayerGz  = "application/vnd.docker.image.rootfs.diff.tar.gzip"
	mediaTypeDockerLayer    = "application/vnd.docker.image.rootfs.diff.tar"
)

// PullOptions configures Pull.
type PullOptions struct {
	Options
	// Dest is the directory the package ends up in. It is created by a
	// rename, only once the package is complete and verified.
	Dest string
	// Replace allows replacing an existing Dest; otherwise an existing
	// Dest is an error.
	Replace bool
	// NoSum skips the package checksum verification.
	NoSum bool
	// MaxSize bounds the total unpacked size (0 = DefaultMaxSize).
	MaxSize int64
	// MaxEntries bounds the number of archive entries (0 = DefaultMaxEntries).
	MaxEntries int
	// Progress, when set, is called as the archive is downloaded.
	Progress func(done, total int64)
}

// PullResult describes a pulled package.
type PullResult struct {
	Reference Reference // with the tag pulled
	Digest    string    // manifest digest
	Dir       string    // == opts.Dest
	// Sum is the checksum from the manifest annotation ("" if none).
	Sum string
	// Info carries the manifest metadata.
	Info PackageInfo
}

// Pull fetches the package at ref (the highest semantic-version tag when
// ref.Tag is empty), verifies the manifest and layer digests, unpacks the
// archive safely into a temporary directory next to opts.Dest, checks the
// package checksum against the manifest annotation (unless opts.NoSum or
// there is none), then renames it to opts.Dest. On any error nothing is
// left at or next to opts.Dest.
func Pull(ctx context.Context, ref Reference, opts PullOptions) (PullResult, error) {
	if opts.Dest == "" {
		return PullResult{}, errors.New("pull: no destination directory")
	}
	repo, err := Repository(ref, opts.Options)
	if err != nil {
		return PullResult{}, err
	}
	if ref.Tag == "" {
		tag, err := latest(ctx, repo, ref, opts.Options)
		if err != nil {
			return PullResult{}, err
		}
		ref.Tag = tag
	}
	subject := ref.String()
	dest, err := filepath.Abs(opts.Dest)
	if err != nil {
		return PullResult{}, fmt.Errorf("pull %s: %w", subject, err)
	}
	if _, err := os.Lstat(dest); err == nil && !opts.Replace {
		return PullResult{}, newErr(ErrExists, "%s: %s already exists", subject, dest)
	}

	info, manifest, err := fetchManifest(ctx, repo, ref, opts.Options)
	if err != nil {
		return PullResult{}, err
	}
	layer, err := packageLayer(manifest, subject)
	if err != nil {
		return PullResult{}, err
	}

	parent := filepath.Dir(dest)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return PullResult{}, fmt.Errorf("pull %s: %w", subject, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dest)+".partial-")
	if err != nil {
		return PullResult{}, fmt.Errorf("pull %s: %w", subject, err)
	}
	defer os.RemoveAll(tmp) // no-op after the rename

	wantSum := info.Sum != "" && !opts.NoSum
	lim := unpackLimits{maxSize: opts.MaxSize, maxEntries: opts.MaxEntries, sum: wantSum}
	if lim.maxSize <= 0 {
		lim.maxSize = DefaultMaxSize
	}
	if lim.maxEntries <= 0 {
		lim.maxEntries = DefaultMaxEntries
	}
	var res unpackResult
	for attempt := 0; ; attempt++ {
		res, err = fetchAndUnpack(ctx, repo, layer, tmp, lim, opts.Progress)
		if err == nil {
			break
		}
		if !transient(err, false) || attempt >= opts.retries() || ctx.Err() != nil {
			return PullResult{}, pullErr(err, subject, ref.Registry)
		}
		if err := resetDir(tmp); err != nil {
			return PullResult{}, fmt.Errorf("pull %s: %w", subject, err)
		}
		if serr := sleep(ctx, opts.retryWait(attempt)); serr != nil {
			return PullResult{}, pullErr(err, subject, ref.Registry)
		}
	}

	if wantSum {
		want, got := info.Sum, res.sum
		if !res.ordered {
			if got, err = Sum(tmp); err != nil {
				return PullResult{}, fmt.Errorf("pull %s: %w", subject, err)
			}
		}
		if got != want {
			return PullResult{}, newErr(ErrSumMismatch, "%s: checksum mismatch: manifest has %s, content has %s", subject, want, got)
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return PullResult{}, fmt.Errorf("pull %s: %w", subject, err)
	}
	if err := replaceDir(tmp, dest, opts.Replace); err != nil {
		return PullResult{}, fmt.Errorf("pull %s: %w", subject, err)
	}
	return PullResult{Reference: ref, Digest: info.Digest, Dir: dest, Sum: info.Sum, Info: info}, nil
}

// Read-ahead of the layer stream: 4 blocks of 512 KB.
const (
	readAheadSize  = 512 << 10
	readAheadCount = 4
)

// fetchAndUnpack downloads the layer once and streams it into dir. Three
// goroutines share the work: one reads the network and checks the layer
// digest (readAhead), this one decompresses and writes the files, and one
// computes the package checksum (see unpack).
func fetchAndUnpack(ctx context.Context, repo *remote.Repository, layer ocispec.Descriptor, dir string, lim unpackLimits, progress func(int64, int64)) (unpackResult, error) {
	// Cancelling the request is how the read-ahead interrupts a read.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rc, err := repo.Blobs().Fetch(ctx, layer)
	if err != nil {
		return unpackResult{}, err
	}
	defer rc.Close()
	net := &errorReader{r: rc}
	var r io.Reader = net
	if progress != nil {
		r = &progressReader{r: r, total: layer.Size, fn: progress}
	}
	vr := content.NewVerifyReader(r, layer)
	ra := newReadAhead(vr, cancel, readAheadSize, readAheadCount)
	defer ra.stop()
	res, err := unpack(ra, dir, lim)
	var (
		ce   *corruptError
		verr error
	)
	if err == nil || errors.As(err, &ce) {
		// Read to the end of the blob (through ra, the only reader of vr)
		// and check the digest: after a corrupt archive, this tells a
		// transfer error or a bad blob from a bad package. Once ra has
		// returned the end, its goroutine is done with vr.
		_, _ = io.Copy(io.Discard, ra)
		verr = vr.Verify()
	}
	// An error net saw after stop interrupted the transfer comes from stop.
	if !ra.stop() && net.err != nil {
		return unpackResult{}, net.err // the transfer failed: maybe retry
	}
	if verr != nil {
		return unpackResult{}, newErr(ErrDigestMismatch, "digest mismatch: layer %s", layer.Digest)
	}
	return res, err
}

func pullErr(err error, subject, host string) error {
	var re *Error
	if errors.As(err, &re) {
		return &Error{Kind: re.Kind, Msg: subject + ": " + strings.TrimPrefix(re.Msg, subject+": ")}
	}
	var ce *corruptError
	if errors.As(err, &ce) {
		return newErr(ErrInvalidArtifact, "%s: %s", subject, ce.Error())
	}
	return classify(err, subject, host)
}

// resetDir empties dir.
func resetDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// replaceDir renames tmp to dest; with replace, an existing dest is moved
// aside first and removed once tmp is in place.
func replaceDir(tmp, dest string, replace bool) error {
	err := os.Rename(tmp, dest)
	if err == nil || !replace {
		return err
	}
	if _, serr := os.Lstat(dest); serr != nil {
		return err
	}
	old := tmp + ".old"
	if err := os.Rename(dest, old); err != nil {
		return err
	}
	if err := os.Rename(tmp, dest); err != nil {
		_ = os.Rename(old, dest)
		return err
	}
	return os.RemoveAll(old)
}

// MaxManifestSize bounds a manifest (4 MiB, the limit the OCI distribution specification
// suggests registries enforce); a larger one is refused before its body is read.
const MaxManifestSize = 4 << 20

// fetchManifest fetches and verifies the manifest of ref and returns its
// metadata.
func fetchManifest(ctx context.Context, repo *remote.Repository, ref Reference, opts Options) (PackageInfo, ocispec.Manifest, error) {
	subject := ref.String()
	var (
		desc ocispec.Descriptor
		body []byte
	)
	err := withRetry(ctx, opts, false, func() error {
		d, rc, err := repo.FetchReference(ctx, ref.Tag)
		if err != nil {
			return err
		}
		defer rc.Close()
		if d.Size < 0 || d.Size > MaxManifestSize {
			return newErr(ErrInvalidArtifact, "%s: the registry declares a manifest of %d bytes, more than the limit of %d (4 MiB)", subject, d.Size, MaxManifestSize)
		}
		b, err := content.ReadAll(io.LimitReader(rc, MaxManifestSize+1), d)
		if err != nil {
			if errors.Is(err, content.ErrMismatchedDigest) || errors.Is(err, content.ErrTrailingData) {
				return newErr(ErrDigestMismatch, "%s: digest mismatch: manifest %s", subject, d.Digest)
			}
			return err
		}
		desc, body = d, b
		return nil
	})
	if err != nil {
		return PackageInfo{}, ocispec.Manifest{}, notFound(ctx, repo, ref, classify(err, subject, ref.Registry))
	}
	var m ocispec.Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		return PackageInfo{}, m, newErr(ErrInvalidArtifact, "%s: manifest is not valid JSON", subject)
	}
	mt := m.MediaType
	if mt == "" {
		mt = desc.MediaType
	}
	switch mt {
	case ocispec.MediaTypeImageManifest, mediaTypeDockerManifest, "":
	case ocispec.MediaTypeImageIndex, "application/vnd.docker.distribution.manifest.list.v2+json":
		return PackageInfo{}, m, newErr(ErrInvalidArtifact, "%s: is an image index, not a package", subject)
	default:
		return PackageInfo{}, m, newErr(ErrInvalidArtifact, "%s: unsupported manifest media type %q", subject, mt)
	}
	info := PackageInfo{
		Reference:    ref,
		Digest:       desc.Digest.String(),
		ArtifactType: m.ArtifactType,
		Annotations:  m.Annotations,
		Name:         m.Annotations[AnnotationName],
		Version:      m.Annotations[AnnotationVersion],
		Description:  m.Annotations[AnnotationDescription],
		Sum:          m.Annotations[AnnotationSum],
		Created:      m.Annotations[AnnotationCreated],
	}
	if l, err := packageLayer(m, subject); err == nil {
		info.Size = l.Size
		info.LayerMediaType = l.MediaType
	}
	return info, m, nil
}

var errFirstPageRead = errors.New("first page read")

// notFound refines a not-found error: repository or tag.
func notFound(ctx context.Context, repo *remote.Repository, ref Reference, err error) error {
	if !errors.Is(err, ErrNotFound) {
		return err
	}
	// One page tells whether the repository exists; the callback stops the listing there.
	terr := repo.Tags(ctx, "", func([]string) error { return errFirstPageRead })
	if terr != nil && errors.Is(classify(terr, "", ""), ErrNotFound) {
		return newErr(ErrNotFound, "%s: repository %s/%s not found", ref.String(), ref.Registry, ref.Repository)
	}
	return newErr(ErrNotFound, "%s: tag %q not found in %s/%s", ref.String(), ref.Tag, ref.Registry, ref.Repository)
}

// packageLayer picks the single tar layer of a package manifest: by media
// type (tar+gzip, tar, Docker layer types) or by title suffix (.tar, .tgz,
// .tar.gz).
func packageLayer(m ocispec.Manifest, subject string) (ocispec.Descriptor, error) {
	var found []ocispec.Descriptor
	for _, l := range m.Layers {
		switch l.MediaType {
		case MediaTypeTarGzip, MediaTypeTar, mediaTypeDockerLayerGz, mediaTypeDockerLayer:
			found = append(found, l)
			continue
		}
		title := strings.ToLower(l.Annotations[AnnotationTitle])
		if strings.HasSuffix(title, ".tar") || strings.HasSuffix(title, ".tgz") || strings.HasSuffix(title, ".tar.gz") {
			found = append(found, l)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return ocispec.Descriptor{}, newErr(ErrInvalidArtifact, "%s: no tar layer in the manifest: not a KCL package", subject)
	default:
		return ocispec.Descriptor{}, newErr(ErrInvalidArtifact, "%s: %d tar layers in the manifest: not a KCL package", subject, len(found))
	}
}
