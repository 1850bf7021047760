package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"

	"github.com/kpm-dev/kpm/internal/testpkg"
	"github.com/kpm-dev/kpm/registry"
)

// repoClient opens a repository of the shared test registry with oras-go directly, as a baseline
// client independent of kpm.
func repoClient(t *testing.T, host, repo string) *remote.Repository {
	t.Helper()
	r, err := remote.NewRepository(host + "/" + repo)
	require.NoError(t, err)
	r.PlainHTTP = true
	r.Client = &auth.Client{
		Credential: auth.StaticCredential(host, auth.Credential{Username: "test", Password: "1234"}),
	}
	return r
}

// kpmRun runs kpm in-process with a fresh KCL_PKG_PATH and returns stdout; it fails the test on a
// non-zero exit.
func kpmRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	t.Chdir(dir)
	var stdout, stderr bytes.Buffer
	code := run(args, strings.NewReader(""), &stdout, &stderr)
	require.Equal(t, 0, code, "kpm %v: %s", args, stderr.String())
	return stdout.String()
}

func setupKpmHome(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("KCL_PKG_PATH", home)
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	t.Setenv("KPM_REG", "")
	t.Setenv("KPM_REPO", "")
	t.Setenv("OCI_REG_PLAIN_HTTP", "")
	t.Setenv("KPM_RETRY_BACKOFF", "1ms") // the retry budget stays, its waits shrink
	return home
}

// TestPushedManifest pushes with kpm and checks the stored manifest field by field against the
// compatibility notes (§1).
func TestPushedManifest(t *testing.T) {
	r, err := startRegistry()
	require.NoError(t, err)
	setupKpmHome(t)
	pkg := t.TempDir()
	files := map[string]string{
		"kcl.mod":      "[package]\nname = \"manifest_app\"\nedition = \"v0.11.0\"\nversion = \"1.2.3\"\ndescription = \"checked field by field\"\n",
		"kcl.mod.lock": "",
		"main.k":       "a = 1\n",
		".git/HEAD":    "ref: refs/heads/main\n",
		"old.tar":      "not packed",
	}
	for name, data := range files {
		require.NoError(t, os.MkdirAll(filepath.Join(pkg, filepath.Dir(name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(pkg, name), []byte(data), 0o644))
	}
	kpmRun(t, pkg, "login", "-u", "test", "-p", "1234", r.Host())
	before := time.Now().UTC().Add(-time.Second)
	out := kpmRun(t, pkg, "push", "--force", "oci://"+r.Host()+"/test/manifest_app") // --force: repeatable with -count
	m := regexp.MustCompile(`(?m)^digest: (sha256:[0-9a-f]{64})$`).FindStringSubmatch(out)
	require.NotNil(t, m, out)

	ctx := context.Background()
	repo := repoClient(t, r.Host(), "test/manifest_app")
	desc, rc, err := repo.FetchReference(ctx, "1.2.3") // the tag is the version, verbatim
	require.NoError(t, err)
	mb, err := content.ReadAll(rc, desc)
	rc.Close()
	require.NoError(t, err)
	assert.Equal(t, m[1], desc.Digest.String(), "printed digest is the manifest digest")

	var man ocispec.Manifest
	require.NoError(t, json.Unmarshal(mb, &man))
	assert.Equal(t, 2, man.SchemaVersion)
	assert.Equal(t, "application/vnd.oci.image.manifest.v1+json", man.MediaType)
	assert.Equal(t, "application/vnd.oci.image.layer.v1.tar+gzip", man.ArtifactType)
	assert.Equal(t, "application/vnd.oci.empty.v1+json", man.Config.MediaType)
	assert.Equal(t, "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", man.Config.Digest.String())
	assert.EqualValues(t, 2, man.Config.Size)
	require.Len(t, man.Layers, 1)
	layer := man.Layers[0]
	assert.Equal(t, "application/vnd.oci.image.layer.v1.tar+gzip", layer.MediaType)
	assert.Equal(t, map[string]string{"org.opencontainers.image.title": "manifest_app_1.2.3.tgz"}, layer.Annotations)

	wantSum, err := registry.Sum(pkg)
	require.NoError(t, err)
	ann := man.Annotations
	assert.Equal(t, "manifest_app", ann["org.kcllang.package.name"])
	assert.Equal(t, "1.2.3", ann["org.kcllang.package.version"])
	assert.Equal(t, "checked field by field", ann["org.kcllang.package.description"])
	assert.Equal(t, wantSum, ann["org.kcllang.package.sum"])
	created, err := time.Parse(time.RFC3339, ann["org.opencontainers.image.created"])
	require.NoError(t, err, "created is RFC 3339")
	assert.True(t, strings.HasSuffix(ann["org.opencontainers.image.created"], "Z"), "created is UTC")
	assert.False(t, created.Before(before.Truncate(time.Second)))
	assert.Len(t, ann, 5)

	// The config blob is "{}" and the layer is a gzip tar of the package without .git and .tar paths.
	cb, err := content.FetchAll(ctx, repo, man.Config)
	require.NoError(t, err)
	assert.Equal(t, "{}", string(cb))
	lb, err := content.FetchAll(ctx, repo, layer)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"kcl.mod", "kcl.mod.lock", "main.k"}, testpkg.TarNames(t, lb))
}

// pushRaw stores an artifact the way older kpm (or another tool) did, with oras-go directly.
func pushRaw(t *testing.T, repo *remote.Repository, tag string, man ocispec.Manifest, blobs map[digest.Digest][]byte) {
	t.Helper()
	ctx := context.Background()
	for d, b := range blobs {
		desc := ocispec.Descriptor{MediaType: "application/octet-stream", Digest: d, Size: int64(len(b))}
		require.NoError(t, repo.Push(ctx, desc, bytes.NewReader(b)))
	}
	mb, err := json.Marshal(man)
	require.NoError(t, err)
	mdesc := ocispec.Descriptor{MediaType: man.MediaType, Digest: digest.FromBytes(mb), Size: int64(len(mb))}
	require.NoError(t, repo.PushReference(ctx, mdesc, bytes.NewReader(mb), tag))
}

// TestPullOlderFormats pulls, with kpm, packages stored as older kpm and foreign tools stored them.
func TestPullOlderFormats(t *testing.T) {
	r, err := startRegistry()
	require.NoError(t, err)
	files := map[string]string{
		"kcl.mod": "[package]\nname = \"legacy_app\"\nedition = \"*\"\nversion = \"0.0.9\"\n",
		"main.k":  "legacy = True\n",
	}
	src := t.TempDir()
	for name, data := range files {
		require.NoError(t, os.WriteFile(filepath.Join(src, name), []byte(data), 0o644))
	}
	sum, err := registry.Sum(src)
	require.NoError(t, err)
	empty := ocispec.DescriptorEmptyJSON

	tests := []struct {
		name string
		tag  string
		man  func(layer ocispec.Descriptor) ocispec.Manifest
		gz   bool
	}{
		{
			// kpm before v0.12.5: an uncompressed tar titled <name>_<version>.tar, no artifactType.
			name: "uncompressed tar", tag: "0.0.9", gz: false,
			man: func(layer ocispec.Descriptor) ocispec.Manifest {
				layer.MediaType = "application/vnd.oci.image.layer.v1.tar"
				layer.Annotations = map[string]string{"org.opencontainers.image.title": "legacy_app_0.0.9.tar"}
				return ocispec.Manifest{
					Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ocispec.MediaTypeImageManifest,
					Config: ocispec.Descriptor{MediaType: empty.MediaType, Digest: empty.Digest, Size: empty.Size},
					Layers: []ocispec.Descriptor{layer},
					Annotations: map[string]string{
						"org.kcllang.package.name": "legacy_app", "org.kcllang.package.version": "0.0.9",
						"org.kcllang.package.sum": sum,
					},
				}
			},
		},
		{
			// A foreign artifact: one gzip layer titled artifact.tgz, no kpm annotations.
			name: "foreign artifact", tag: "0.0.8", gz: true,
			man: func(layer ocispec.Descriptor) ocispec.Manifest {
				layer.MediaType = "application/vnd.oci.image.layer.v1.tar+gzip"
				layer.Annotations = map[string]string{"org.opencontainers.image.title": "artifact.tgz"}
				return ocispec.Manifest{
					Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ocispec.MediaTypeImageManifest,
					Config: ocispec.Descriptor{MediaType: empty.MediaType, Digest: empty.Digest, Size: empty.Size},
					Layers: []ocispec.Descriptor{layer},
				}
			},
		},
	}
	repo := repoClient(t, r.Host(), "test/legacy_app")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setupKpmHome(t)
			blob := testpkg.Tar(t, tt.gz, testpkg.File("kcl.mod", files["kcl.mod"]), testpkg.File("main.k", files["main.k"]))
			layer := ocispec.Descriptor{Digest: digest.FromBytes(blob), Size: int64(len(blob))}
			pushRaw(t, repo, tt.tag, tt.man(layer), map[digest.Digest][]byte{layer.Digest: blob, empty.Digest: empty.Data})

			kpmRun(t, t.TempDir(), "login", "-u", "test", "-p", "1234", r.Host())
			work := t.TempDir()
			out := kpmRun(t, work, "pull", "--tag", tt.tag, "oci://"+r.Host()+"/test/legacy_app")
			rel := filepath.Join(r.Host(), "test", "legacy_app", tt.tag)
			assert.Contains(t, out, "path: "+rel)
			dest := filepath.Join(work, rel)
			for name, data := range files {
				got, err := os.ReadFile(filepath.Join(dest, name))
				require.NoError(t, err)
				assert.Equal(t, data, string(got))
			}
		})
	}
}
