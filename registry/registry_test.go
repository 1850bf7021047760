package registry

import (
	"archive/tar"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kpm-dev/kpm/internal/devregistry"
	"github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpm-dev/kpm/internal/testpkg"
	"oras.land/oras-go/v2/content"
)

func samplePackage(t *testing.T) Package {
	t.Helper()
	dir := t.TempDir()
	testpkg.WriteTree(t, dir, map[string]string{
		"kcl.mod":      "[package]\nname = \"app\"\nedition = \"v0.11.0\"\nversion = \"0.1.0\"\n",
		"kcl.mod.lock": "",
		"main.k":       "The_first_kcl_program = 'Hello World!'\n",
		"sub/lib.k":    "x = 1\n",
		".git/HEAD":    "ref: refs/heads/main\n",
	})
	return Package{Dir: dir, Name: "app", Version: "0.1.0", Description: "a test package"}
}

func TestPushWritesCompatArtifact(t *testing.T) {
	opts := loggedIn(t)
	pkg := samplePackage(t)
	ref := newRef(t, "")
	before := time.Now().UTC().Truncate(time.Second)
	res, err := Push(ctx(t), ref, pkg, PushOptions{Options: opts})
	require.NoError(t, err)
	assert.Equal(t, "0.1.0", res.Reference.Tag, "tag = version, verbatim")
	wantSum, err := Sum(pkg.Dir)
	require.NoError(t, err)
	assert.Equal(t, wantSum, res.Sum)

	// Read the stored manifest raw, with oras-go directly.
	repo, err := Repository(ref, opts)
	require.NoError(t, err)
	desc, rc, err := repo.FetchReference(ctx(t), "0.1.0")
	require.NoError(t, err)
	raw, err := content.ReadAll(rc, desc)
	rc.Close()
	require.NoError(t, err)
	assert.Equal(t, res.Digest, desc.Digest.String())

	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	assert.Equal(t, float64(2), m["schemaVersion"])
	assert.Equal(t, "application/vnd.oci.image.manifest.v1+json", m["mediaType"])
	assert.Equal(t, "application/vnd.oci.image.layer.v1.tar+gzip", m["artifactType"])
	assert.Equal(t, map[string]any{
		"mediaType": "application/vnd.oci.empty.v1+json",
		"digest":    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
		"size":      float64(2),
	}, m["config"])
	layers := m["layers"].([]any)
	require.Len(t, layers, 1)
	layer := layers[0].(map[string]any)
	assert.Equal(t, "application/vnd.oci.image.layer.v1.tar+gzip", layer["mediaType"])
	assert.Equal(t, map[string]any{"org.opencontainers.image.title": "app_0.1.0.tgz"}, layer["annotations"])
	ann := m["annotations"].(map[string]any)
	assert.Len(t, ann, 5)
	assert.Equal(t, "app", ann["org.kcllang.package.name"])
	assert.Equal(t, "0.1.0", ann["org.kcllang.package.version"])
	assert.Equal(t, "a test package", ann["org.kcllang.package.description"])
	assert.Equal(t, wantSum, ann["org.kcllang.package.sum"])
	created, err := time.Parse(time.RFC3339, ann["org.opencontainers.image.created"].(string))
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(ann["org.opencontainers.image.created"].(string), "Z"), "UTC")
	assert.False(t, created.Before(before))

	// The config blob is "{}" and the layer a tar.gz with root-relative entries.
	cfg, err := content.FetchAll(ctx(t), repo, ocispec.DescriptorEmptyJSON)
	require.NoError(t, err)
	assert.Equal(t, "{}", string(cfg))
	ldesc := ocispec.Descriptor{MediaType: MediaTypeTarGzip, Digest: digest.Digest(layer["digest"].(string)), Size: int64(layer["size"].(float64))}
	blob, err := content.FetchAll(ctx(t), repo, ldesc)
	require.NoError(t, err)
	assert.Equal(t, []string{"kcl.mod", "kcl.mod.lock", "main.k", "sub/", "sub/lib.k"}, testpkg.TarNames(t, blob))

	// Empty description is still present.
	pkg.Version, pkg.Description = "0.2.0", ""
	_, err = Push(ctx(t), ref.WithTag(""), pkg, PushOptions{Options: opts})
	require.NoError(t, err)
	info, err := Info(ctx(t), ref.WithTag("0.2.0"), opts)
	require.NoError(t, err)
	v, ok := info.Annotations[AnnotationDescription]
	assert.True(t, ok)
	assert.Equal(t, "", v)
}

func TestPushRefusesExistingTagUnlessForced(t *testing.T) {
	opts := loggedIn(t)
	pkg := samplePackage(t)
	ref := newRef(t, "")
	first, err := Push(ctx(t), ref, pkg, PushOptions{Options: opts})
	require.NoError(t, err)

	_, err = Push(ctx(t), ref, pkg, PushOptions{Options: opts})
	require.ErrorIs(t, err, ErrTagExists)
	assert.Contains(t, err.Error(), "package version '0.1.0' already exists")

	testpkg.WriteTree(t, pkg.Dir, map[string]string{"main.k": "changed = True\n"})
	forced, err := Push(ctx(t), ref, pkg, PushOptions{Options: opts, Force: true})
	require.NoError(t, err)
	assert.NotEqual(t, first.Digest, forced.Digest)
	info, err := Info(ctx(t), ref.WithTag("0.1.0"), opts)
	require.NoError(t, err)
	assert.Equal(t, forced.Digest, info.Digest)
}

func TestPushPullRoundTrip(t *testing.T) {
	opts := loggedIn(t)
	pkg := samplePackage(t)
	ref := newRef(t, "")
	var calls int
	var lastDone, lastTotal int64
	pushed, err := Push(ctx(t), ref, pkg, PushOptions{Options: opts, Progress: func(d, tot int64) { calls++; lastDone, lastTotal = d, tot }})
	require.NoError(t, err)
	assert.Positive(t, calls)
	assert.Equal(t, lastTotal, lastDone)
	assert.Equal(t, inputSize(pkg.Dir), lastTotal, "progress counts the package's bytes as they are packed and streamed")

	dest := filepath.Join(t.TempDir(), "cache", "app_0.1.0")
	res, err := Pull(ctx(t), ref.WithTag(""), PullOptions{Options: opts, Dest: dest})
	require.NoError(t, err)
	assert.Equal(t, "0.1.0", res.Reference.Tag, "highest semver tag")
	assert.Equal(t, pushed.Digest, res.Digest)
	assert.Equal(t, dest, res.Dir)
	assert.Equal(t, pushed.Sum, res.Sum)
	assert.Equal(t, "a test package", res.Info.Description)
	body, err := os.ReadFile(filepath.Join(dest, "sub", "lib.k"))
	require.NoError(t, err)
	assert.Equal(t, "x = 1\n", string(body))
	assert.NoDirExists(t, filepath.Join(dest, ".git"))
	assertOnlyEntry(t, filepath.Dir(dest), "app_0.1.0")

	_, err = Pull(ctx(t), ref.WithTag("0.1.0"), PullOptions{Options: opts, Dest: dest})
	assert.ErrorIs(t, err, ErrExists)
	assert.ErrorContains(t, err, dest+" already exists")
	_, err = Pull(ctx(t), ref.WithTag("0.1.0"), PullOptions{Options: opts, Dest: dest, Replace: true})
	require.NoError(t, err)
	assertOnlyEntry(t, filepath.Dir(dest), "app_0.1.0")
}

// assertOnlyEntry checks that dir holds exactly the named entry (no
// temporary or partial directory left next to it).
func assertOnlyEntry(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	assert.ElementsMatch(t, names, got)
}

// artifact describes a manifest pushed with oras-go directly.
type entry = testpkg.Entry

type artifact struct {
	layer        []byte
	layerType    string
	title        string
	artifactType string
	configType   string
	annotations  map[string]string
}

// pushRaw pushes a hand-made artifact the way older kpm versions and other
// tools did, with oras-go only.
func pushRaw(t *testing.T, ref Reference, opts Options, a artifact) {
	t.Helper()
	repo, err := Repository(ref, opts)
	require.NoError(t, err)
	ldesc := ocispec.Descriptor{MediaType: a.layerType, Digest: digest.FromBytes(a.layer), Size: int64(len(a.layer))}
	if a.title != "" {
		ldesc.Annotations = map[string]string{ocispec.AnnotationTitle: a.title}
	}
	require.NoError(t, repo.Push(ctx(t), ldesc, bytes.NewReader(a.layer)))
	cfgData := []byte("{}")
	cfgType := a.configType
	if cfgType == "" {
		cfgType = ocispec.MediaTypeEmptyJSON
	}
	cfg := ocispec.Descriptor{MediaType: cfgType, Digest: digest.FromBytes(cfgData), Size: 2}
	if exists, _ := repo.Exists(ctx(t), cfg); !exists {
		require.NoError(t, repo.Push(ctx(t), cfg, bytes.NewReader(cfgData)))
	}
	m := ocispec.Manifest{
		Versioned:    specs.Versioned{SchemaVersion: 2},
		MediaType:    ocispec.MediaTypeImageManifest,
		ArtifactType: a.artifactType,
		Config:       cfg,
		Layers:       []ocispec.Descriptor{ldesc},
		Annotations:  a.annotations,
	}
	mb, err := json.Marshal(m)
	require.NoError(t, err)
	mdesc := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: digest.FromBytes(mb), Size: int64(len(mb))}
	require.NoError(t, repo.PushReference(ctx(t), mdesc, bytes.NewReader(mb), ref.Tag))
}

func sumOf(parts ...string) string {
	h := digest.SHA256.Digester()
	for _, p := range parts {
		h.Hash().Write([]byte(p))
	}
	return base64.StdEncoding.EncodeToString(h.Hash().Sum(nil))
}

func TestPullAcceptsOlderAndForeignLayouts(t *testing.T) {
	opts := loggedIn(t)
	files := []entry{
		{Name: "kcl.mod", Type: tar.TypeReg, Body: "[package]\nname = \"old\"\n"},
		{Name: "main.k", Type: tar.TypeReg, Body: "a = 1\n"},
	}
	goodSum := sumOf(files[0].Body, files[1].Body)
	tests := []struct {
		name string
		a    artifact
	}{
		{"legacy uncompressed .tar layer without artifactType (kpm < 0.12.5)", artifact{
			layer: testpkg.Tar(t, false, files...), layerType: MediaTypeTar, title: "old_0.0.1.tar",
			annotations: map[string]string{AnnotationName: "old", AnnotationVersion: "0.0.1", AnnotationSum: goodSum},
		}},
		{"very old: config media type is the tar layer type", artifact{
			layer: testpkg.Tar(t, false, files...), layerType: MediaTypeTar, title: "old_0.0.1.tar", configType: MediaTypeTar,
		}},
		{"foreign artifact.tgz layer, unknown media type, no annotations", artifact{
			layer: testpkg.Tar(t, true, append([]entry{{Name: "./", Type: tar.TypeDir}}, files...)...), layerType: "application/octet-stream", title: "artifact.tgz",
			artifactType: "application/vnd.example.thing",
		}},
		{"gzip layer labelled as plain tar (detected by magic bytes)", artifact{
			layer: testpkg.Tar(t, true, files...), layerType: MediaTypeTar, title: "x.tar",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref := newRef(t, "0.0.1")
			pushRaw(t, ref, opts, tt.a)
			dest := filepath.Join(t.TempDir(), "old_0.0.1")
			_, err := Pull(ctx(t), ref, PullOptions{Options: opts, Dest: dest})
			require.NoError(t, err)
			got, err := Sum(dest)
			require.NoError(t, err)
			assert.Equal(t, goodSum, got)
		})
	}
}

func TestPullRejectsHostileArchives(t *testing.T) {
	opts := loggedIn(t)
	tests := []struct {
		name    string
		entries []entry
		want    string
		kind    error
	}{
		{"path traversal", []entry{{Name: "../evil", Type: tar.TypeReg, Body: "x"}}, `entry "../evil" escapes the package directory`, ErrUnsafeArchive},
		{"nested traversal", []entry{{Name: "a/../../evil", Type: tar.TypeReg, Body: "x"}}, `escapes the package directory`, ErrUnsafeArchive},
		{"absolute path", []entry{{Name: "/tmp/evil", Type: tar.TypeReg, Body: "x"}}, `entry "/tmp/evil" has an absolute path`, ErrUnsafeArchive},
		{"symlink", []entry{{Name: "link", Type: tar.TypeSymlink, Linkname: "/etc/passwd"}}, `entry "link" is a symbolic link`, ErrUnsafeArchive},
		{"symlink then write through it", []entry{{Name: "d", Type: tar.TypeSymlink, Linkname: ".."}, {Name: "d/evil", Type: tar.TypeReg, Body: "x"}}, `is a symbolic link`, ErrUnsafeArchive},
		{"hard link", []entry{{Name: "main.k", Type: tar.TypeReg, Body: "a"}, {Name: "hl", Type: tar.TypeLink, Linkname: "main.k"}}, `entry "hl" is a hard link`, ErrUnsafeArchive},
		{"char device", []entry{{Name: "dev", Type: tar.TypeChar}}, `entry "dev" is a device`, ErrUnsafeArchive},
		{"fifo", []entry{{Name: "pipe", Type: tar.TypeFifo}}, `entry "pipe" is a named pipe`, ErrUnsafeArchive},
		{"size bomb", []entry{{Name: "big", Type: tar.TypeReg, Size: 2 << 20}}, `unpacked size exceeds the limit of 1048576 bytes`, ErrUnsafeArchive},
		{"size bomb over many files", []entry{{Name: "a", Type: tar.TypeReg, Size: 600 << 10}, {Name: "b", Type: tar.TypeReg, Size: 600 << 10}}, `entry "b": unpacked size exceeds`, ErrUnsafeArchive},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref := newRef(t, "0.0.1")
			pushRaw(t, ref, opts, artifact{layer: testpkg.Tar(t, true, tt.entries...), layerType: MediaTypeTarGzip, title: "evil_0.0.1.tgz", artifactType: ArtifactType})
			root := t.TempDir()
			dest := filepath.Join(root, "pkgs", "evil_0.0.1")
			_, err := Pull(ctx(t), ref, PullOptions{Options: opts, Dest: dest, MaxSize: 1 << 20})
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.kind)
			assert.Contains(t, err.Error(), tt.want)
			assert.Contains(t, err.Error(), ref.String(), "the error names the reference")
			assertOnlyEntry(t, filepath.Join(root, "pkgs")) // nothing at or next to the target
			assertOnlyEntry(t, root, "pkgs")                // nothing outside
		})
	}
}

func TestPullVerifiesChecksum(t *testing.T) {
	opts := loggedIn(t)
	layer := testpkg.Tar(t, true, entry{Name: "main.k", Type: tar.TypeReg, Body: "a = 1\n"})
	tests := []struct {
		name    string
		sum     string
		noSum   bool
		wantErr bool
	}{
		{"matching sum", sumOf("a = 1\n"), false, false},
		{"mismatch", sumOf("tampered"), false, true},
		{"mismatch ignored with NoSum", sumOf("tampered"), true, false},
		{"no annotation, no check", "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref := newRef(t, "1.0.0")
			ann := map[string]string{}
			if tt.sum != "" {
				ann[AnnotationSum] = tt.sum
			}
			pushRaw(t, ref, opts, artifact{layer: layer, layerType: MediaTypeTarGzip, title: "p_1.0.0.tgz", annotations: ann})
			root := t.TempDir()
			dest := filepath.Join(root, "p_1.0.0")
			_, err := Pull(ctx(t), ref, PullOptions{Options: opts, Dest: dest, NoSum: tt.noSum})
			if !tt.wantErr {
				require.NoError(t, err)
				assert.FileExists(t, filepath.Join(dest, "main.k"))
				return
			}
			require.ErrorIs(t, err, ErrSumMismatch)
			assert.Contains(t, err.Error(), "checksum mismatch")
			assertOnlyEntry(t, root)
		})
	}
}

func TestPullUnorderedArchiveChecksum(t *testing.T) {
	// Files out of walk order: the streamed sum cannot be used and the
	// directory is hashed again.
	opts := loggedIn(t)
	ref := newRef(t, "1.0.0")
	layer := testpkg.Tar(t, true, entry{Name: "b", Type: tar.TypeReg, Body: "st"}, entry{Name: "a", Type: tar.TypeReg, Body: "te"})
	pushRaw(t, ref, opts, artifact{layer: layer, layerType: MediaTypeTarGzip, annotations: map[string]string{AnnotationSum: sumOf("te", "st")}})
	_, err := Pull(ctx(t), ref, PullOptions{Options: opts, Dest: filepath.Join(t.TempDir(), "x")})
	require.NoError(t, err)
}

func TestRegistryErrors(t *testing.T) {
	good := loggedIn(t)
	pkg := samplePackage(t)
	ref := newRef(t, "")
	_, err := Push(ctx(t), ref, pkg, PushOptions{Options: good})
	require.NoError(t, err)

	tests := []struct {
		name string
		ref  Reference
		opts Options
		kind error
		want string
	}{
		{"no credentials", ref.WithTag("0.1.0"), anonymous(t), ErrUnauthorized, "unauthorized; run 'kpm login " + testReg.Host() + "'"},
		{"unknown repository", Reference{testReg.Host(), "test/nope", "0.1.0"}, good, ErrNotFound, "repository " + testReg.Host() + "/test/nope not found"},
		{"unknown tag", ref.WithTag("9.9.9"), good, ErrNotFound, `tag "9.9.9" not found`},
		{"no semver tag", Reference{testReg.Host(), "test/nope", ""}, good, ErrNotFound, "repository not found"},
		{"refused connection", Reference{"127.0.0.1:1", "test/app", "0.1.0"}, good, ErrUnreachable, "cannot reach registry 127.0.0.1:1: connection refused"},
		{"unknown host", Reference{"no-such-host.invalid", "test/app", "0.1.0"}, good, ErrUnreachable, "cannot reach registry no-such-host.invalid: unknown host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			_, err := Pull(ctx(t), tt.ref, PullOptions{Options: tt.opts, Dest: filepath.Join(root, "out")})
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.kind)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), testPass)
			assert.NotContains(t, err.Error(), "\n")
			assertOnlyEntry(t, root)
		})
	}

	// Every operation asked for credentials that are not stored says how to fix it.
	hint := "unauthorized; run 'kpm login " + testReg.Host() + "'"
	_, err = Push(ctx(t), newRef(t, ""), pkg, PushOptions{Options: anonymous(t)})
	require.ErrorIs(t, err, ErrUnauthorized)
	assert.Contains(t, err.Error(), hint)
	_, err = Tags(ctx(t), ref, anonymous(t))
	require.ErrorIs(t, err, ErrUnauthorized)
	assert.Contains(t, err.Error(), hint)
	_, err = LatestTag(ctx(t), ref, anonymous(t))
	require.ErrorIs(t, err, ErrUnauthorized)
	assert.Contains(t, err.Error(), hint)
	_, err = Info(ctx(t), ref.WithTag("0.1.0"), anonymous(t))
	require.ErrorIs(t, err, ErrUnauthorized)
	assert.Contains(t, err.Error(), hint)
}

func TestTagsAndInfo(t *testing.T) {
	opts := loggedIn(t)
	pkg := samplePackage(t)
	ref := newRef(t, "")
	for _, v := range []string{"0.1.0", "0.10.0", "0.2.0"} {
		pkg.Version = v
		_, err := Push(ctx(t), ref, pkg, PushOptions{Options: opts})
		require.NoError(t, err)
	}
	_, err := Push(ctx(t), ref.WithTag("latest"), pkg, PushOptions{Options: opts})
	require.NoError(t, err)

	tags, err := Tags(ctx(t), ref, opts)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"0.1.0", "0.10.0", "0.2.0", "latest"}, tags)
	latest, err := LatestTag(ctx(t), ref, opts)
	require.NoError(t, err)
	assert.Equal(t, "0.10.0", latest)

	info, err := Info(ctx(t), ref, opts)
	require.NoError(t, err)
	assert.Equal(t, "0.10.0", info.Reference.Tag)
	assert.Equal(t, "app", info.Name)
	assert.Equal(t, "0.10.0", info.Version)
	assert.NotEmpty(t, info.Sum)
	assert.True(t, strings.HasPrefix(info.Digest, "sha256:"))
	assert.Positive(t, info.Size)
	assert.Equal(t, MediaTypeTarGzip, info.LayerMediaType)
	_, err = time.Parse(time.RFC3339, info.Created)
	assert.NoError(t, err)
}

func TestTransientFailuresAreRetried(t *testing.T) {
	opts := loggedIn(t)
	pkg := samplePackage(t)
	ref := newRef(t, "")
	t.Cleanup(testReg.ClearFaults)

	// A few 503s on every kind of request: push and pull still succeed.
	testReg.FailNext(3, http.StatusServiceUnavailable)
	_, err := Push(ctx(t), ref, pkg, PushOptions{Options: opts})
	require.NoError(t, err)
	testReg.Inject(devregistry.Fault{Kind: devregistry.KindUpload, Method: http.MethodPut, Status: http.StatusBadGateway, Times: 2})
	pkg.Version = "0.2.0"
	_, err = Push(ctx(t), ref, pkg, PushOptions{Options: opts})
	require.NoError(t, err, "a failed upload PUT is replayed from the archive file")

	testReg.Inject(devregistry.Fault{Kind: devregistry.KindBlob, Method: http.MethodGet, Status: http.StatusInternalServerError, Times: 2})
	_, err = Pull(ctx(t), ref.WithTag("0.1.0"), PullOptions{Options: opts, Dest: filepath.Join(t.TempDir(), "a")})
	require.NoError(t, err)

	// A connection reset, and a download cut in the middle: retried.
	testReg.Inject(devregistry.Fault{Kind: devregistry.KindManifest, Method: http.MethodGet, Reset: true, Times: 1})
	testReg.Inject(devregistry.Fault{Kind: devregistry.KindBlob, Method: http.MethodGet, CutAfter: 10, Times: 1})
	_, err = Pull(ctx(t), ref.WithTag("0.1.0"), PullOptions{Options: opts, Dest: filepath.Join(t.TempDir(), "b")})
	require.NoError(t, err)
	testReg.ClearFaults()

	// Persistent 5xx: bounded number of attempts, then a clear error.
	testReg.Inject(devregistry.Fault{Kind: devregistry.KindManifest, Status: http.StatusServiceUnavailable})
	testReg.ResetRequests()
	opts.MaxRetries = 2
	root := t.TempDir()
	_, err = Pull(ctx(t), ref.WithTag("0.1.0"), PullOptions{Options: opts, Dest: filepath.Join(root, "c")})
	require.ErrorIs(t, err, ErrServer)
	assert.Contains(t, err.Error(), "answered 503 Service Unavailable")
	manifestRequests := testReg.RequestsByKind()[devregistry.KindManifest]
	assert.Equal(t, int64(3), manifestRequests, "one request and MaxRetries retries")
	assertOnlyEntry(t, root)
}

func TestRegistryDyingMidTransferLeavesNothing(t *testing.T) {
	opts := loggedIn(t)
	pkg := samplePackage(t)
	// Make the package big enough to be cut in the middle.
	big := make([]byte, 1<<20)
	_, _ = rand.NewChaCha8([32]byte{1}).Read(big)

	require.NoError(t, os.WriteFile(filepath.Join(pkg.Dir, "data.bin"), big, 0o644))
	ref := newRef(t, "")
	_, err := Push(ctx(t), ref, pkg, PushOptions{Options: opts})
	require.NoError(t, err)
	t.Cleanup(testReg.ClearFaults)

	testReg.Inject(devregistry.Fault{Kind: devregistry.KindBlob, Method: http.MethodGet, CutAfter: 64 << 10})
	opts.MaxRetries = 1
	root := t.TempDir()
	_, err = Pull(ctx(t), ref.WithTag("0.1.0"), PullOptions{Options: opts, Dest: filepath.Join(root, "app_0.1.0")})
	require.ErrorIs(t, err, ErrUnreachable)
	assert.Contains(t, err.Error(), "connection to registry "+testReg.Host()+" lost")
	assertOnlyEntry(t, root)

	// Upload dying: push fails cleanly, and the tag does not exist.
	testReg.ClearFaults()
	testReg.Inject(devregistry.Fault{Kind: devregistry.KindUpload, Method: http.MethodPut, Reset: true})
	pkg.Version = "0.2.0"
	testpkg.WriteTree(t, pkg.Dir, map[string]string{"new.k": "b = 2\n"}) // a new layer blob to upload
	_, err = Push(ctx(t), ref, pkg, PushOptions{Options: opts})
	require.ErrorIs(t, err, ErrUnreachable)
	testReg.ClearFaults()
	tags, err := Tags(ctx(t), ref, opts)
	require.NoError(t, err)
	assert.Equal(t, []string{"0.1.0"}, tags)
}

func TestLoginLogout(t *testing.T) {
	host := testReg.Host()
	tests := []struct {
		name       string
		user, pass string
		kind       error
		want       string
	}{
		{"wrong password", testUser, "wrong-password", ErrUnauthorized, "login " + host + ": unauthorized: wrong username or password"},
		{"unknown user", "nobody", testPass, ErrUnauthorized, "login " + host + ": unauthorized"},
		{"empty password", testUser, "", ErrUnauthorized, "password is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := anonymous(t)
			err := Login(ctx(t), host, tt.user, tt.pass, opts)
			require.ErrorIs(t, err, tt.kind)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "wrong-password")
			assert.NoFileExists(t, opts.CredentialsFile, "nothing stored")
		})
	}

	t.Run("unreachable registry", func(t *testing.T) {
		opts := anonymous(t)
		err := Login(ctx(t), "127.0.0.1:1", testUser, testPass, opts)
		require.ErrorIs(t, err, ErrUnreachable)
		assert.NoFileExists(t, opts.CredentialsFile)
	})

	t.Run("login, file 0600, logout", func(t *testing.T) {
		opts := anonymous(t)
		require.NoError(t, Login(ctx(t), host, testUser, testPass, opts))
		st, err := os.Stat(opts.CredentialsFile)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
		raw, err := os.ReadFile(opts.CredentialsFile)
		require.NoError(t, err)
		var cfg struct {
			Auths map[string]struct{ Auth string } `json:"auths"`
		}
		require.NoError(t, json.Unmarshal(raw, &cfg))
		assert.Equal(t, base64.StdEncoding.EncodeToString([]byte(testUser+":"+testPass)), cfg.Auths[host].Auth)
		assert.True(t, LoggedIn(ctx(t), host, opts))

		require.NoError(t, Logout(ctx(t), host, opts))
		assert.False(t, LoggedIn(ctx(t), host, opts))
		err = Logout(ctx(t), host, opts)
		require.ErrorIs(t, err, ErrNotLoggedIn)
		assert.Contains(t, err.Error(), "logout "+host+": not logged in")
	})
}

func TestCredentialsReloadedAfter401(t *testing.T) {
	// A long-lived client whose stored credential changes (ECR-style
	// expiry): the next 401 challenge reads the file again.
	opts := anonymous(t)
	require.NoError(t, os.MkdirAll(filepath.Dir(opts.CredentialsFile), 0o700))
	write := func(pass string) {
		auth := base64.StdEncoding.EncodeToString([]byte(testUser + ":" + pass))
		require.NoError(t, os.WriteFile(opts.CredentialsFile, []byte(`{"auths":{"`+testReg.Host()+`":{"auth":"`+auth+`"}}}`), 0o600))
	}
	ref := newRef(t, "")
	_, err := Push(ctx(t), ref, samplePackage(t), PushOptions{Options: loggedIn(t)})
	require.NoError(t, err)

	write("expired")
	repo, err := Repository(ref, opts)
	require.NoError(t, err)
	_, err = repo.Resolve(ctx(t), "0.1.0")
	require.Error(t, err)
	write(testPass)
	_, err = repo.Resolve(ctx(t), "0.1.0")
	require.NoError(t, err, "same client, fresh credentials")
}

func TestDockerConfigFallback(t *testing.T) {
	dockerDir := os.Getenv("DOCKER_CONFIG")
	require.NoError(t, os.MkdirAll(dockerDir, 0o700))
	auth := base64.StdEncoding.EncodeToString([]byte(testUser + ":" + testPass))
	require.NoError(t, os.WriteFile(filepath.Join(dockerDir, "config.json"), []byte(`{"auths":{"`+testReg.Host()+`":{"auth":"`+auth+`"}}}`), 0o600))
	t.Cleanup(func() { os.Remove(filepath.Join(dockerDir, "config.json")) })

	opts := anonymous(t)
	opts.NoDockerFallback = false
	_, err := Tags(ctx(t), newRef(t, ""), opts)
	require.ErrorIs(t, err, ErrNotFound, "authenticated with Docker's credentials: the repository is just missing")
	opts.NoDockerFallback = true
	_, err = Tags(ctx(t), newRef(t, ""), opts)
	require.ErrorIs(t, err, ErrUnauthorized)
}

func TestPushStreamsAndFallsBack(t *testing.T) {
	opts := loggedIn(t)
	t.Cleanup(testReg.ClearFaults)
	tests := []struct {
		name        string
		fault       *devregistry.Fault
		wantUploads int64 // requests under /blobs/uploads/
		wantBlobs   int64 // blob HEADs
	}{
		// layer: POST, PATCH (streamed while packing), PUT; config: HEAD, POST, PUT.
		{"streamed while packing", nil, 5, 1},
		// The stream fails (POST, PATCH): the archive file is uploaded again
		// (HEAD, POST, PUT).
		{"stream refused, monolithic fallback", &devregistry.Fault{Kind: devregistry.KindUpload, Method: http.MethodPatch, Status: http.StatusInternalServerError, Times: 1}, 6, 2},
		{"stream cut, monolithic fallback", &devregistry.Fault{Kind: devregistry.KindUpload, Method: http.MethodPatch, Reset: true, Times: 1}, 6, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkg := samplePackage(t)
			ref := newRef(t, "")
			if tt.fault != nil {
				testReg.Inject(*tt.fault)
			}
			testReg.ResetRequests()
			res, err := Push(ctx(t), ref, pkg, PushOptions{Options: opts})
			require.NoError(t, err)
			kinds := testReg.RequestsByKind()
			assert.Equal(t, tt.wantUploads, kinds[devregistry.KindUpload])
			assert.Equal(t, tt.wantBlobs, kinds[devregistry.KindBlob])
			dest := filepath.Join(t.TempDir(), "app")
			pulled, err := Pull(ctx(t), ref, PullOptions{Options: opts, Dest: dest})
			require.NoError(t, err)
			assert.Equal(t, res.Digest, pulled.Digest)
		})
	}
}
