package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpm-dev/kpm/internal/devregistry"
)

// privateRegistry starts a registry for one test, so injected faults never hit other tests.
func privateRegistry(t *testing.T) *devregistry.Registry {
	t.Helper()
	r, err := devregistry.Start(devregistry.Options{Users: map[string]string{"test": "1234"}})
	require.NoError(t, err)
	t.Cleanup(func() { r.Close() })
	return r
}

// kpmFail runs kpm -q in-process, expects exit code 1 and returns stderr (the error line alone).
func kpmFail(t *testing.T, dir string, args ...string) string {
	t.Helper()
	t.Chdir(dir)
	var stdout, stderr bytes.Buffer
	code := run(append([]string{"-q"}, args...), strings.NewReader(""), &stdout, &stderr)
	require.Equal(t, exitError, code, "kpm %v should fail; stdout: %s", args, stdout.String())
	return stderr.String()
}

func writePackage(t *testing.T, name, version string) string {
	t.Helper()
	dir := t.TempDir()
	mod := "[package]\nname = \"" + name + "\"\nedition = \"v0.11.0\"\nversion = \"" + version + "\"\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "kcl.mod"), []byte(mod), 0o644))
	// Incompressible content so a cut transfer really is partial.
	big := make([]byte, 256<<10)
	for i := range big {
		big[i] = byte((i*7919 + i/13) % 251)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "data.bin"), big, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.k"), []byte("a = 1\n"), 0o644))
	return dir
}

// dirEntries lists a directory (a pull destination, or $KCL_PKG_PATH) except kpm's own .kpm.
func dirEntries(t *testing.T, home string) []string {
	t.Helper()
	entries, err := os.ReadDir(home)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		if e.Name() != ".kpm" {
			names = append(names, e.Name())
		}
	}
	return names
}

func TestRegistryFaults(t *testing.T) {
	r := privateRegistry(t)
	home := setupKpmHome(t)
	kpmRun(t, t.TempDir(), "login", "-u", "test", "-p", "1234", r.Host())
	pkg := writePackage(t, "fault_app", "0.1.0")
	kpmRun(t, pkg, "push", "oci://"+r.Host()+"/test/fault_app")
	url := "oci://" + r.Host() + "/test/fault_app"

	t.Run("transient 5xx is retried", func(t *testing.T) {
		r.ClearFaults()
		r.Inject(devregistry.Fault{Kind: devregistry.KindBlob, Method: http.MethodGet, Status: http.StatusServiceUnavailable, Times: 2})
		work := t.TempDir()
		out := kpmRun(t, work, "pull", "--tag", "0.1.0", url)
		assert.Contains(t, out, "path: "+filepath.Join(r.Host(), "test", "fault_app", "0.1.0"))
		assert.FileExists(t, filepath.Join(work, r.Host(), "test", "fault_app", "0.1.0", "kcl.mod"))
	})

	t.Run("connection reset is retried", func(t *testing.T) {
		r.ClearFaults()
		r.Inject(devregistry.Fault{Kind: devregistry.KindBlob, Method: http.MethodGet, CutAfter: 1000, Times: 1})
		work := t.TempDir()
		out := kpmRun(t, work, "pull", "--tag", "0.1.0", url)
		assert.Contains(t, out, "path: ")
		assert.FileExists(t, filepath.Join(work, r.Host(), "test", "fault_app", "0.1.0", "kcl.mod"))
	})

	t.Run("registry dying mid-transfer leaves nothing", func(t *testing.T) {
		r.ClearFaults()
		r.Inject(devregistry.Fault{Kind: devregistry.KindBlob, Method: http.MethodGet, CutAfter: 1000})
		defer r.ClearFaults()
		work := t.TempDir()
		stderr := kpmFail(t, work, "pull", "--tag", "0.1.0", url)
		assert.Regexp(t, `^kpm: 127.0.0.1:\d+/test/fault_app:0.1.0: .+\n$`, stderr)
		assert.Empty(t, dirEntries(t, work), "no partial package left")
		assert.Empty(t, dirEntries(t, home), "nothing in the cache")
	})

	// A persistent server error: retried with backoff a bounded number of times, then a clear
	// error (one case only: the retry budget makes it slow).
	t.Run("push with the registry failing", func(t *testing.T) {
		r.ClearFaults()
		r.Inject(devregistry.Fault{Kind: devregistry.KindUpload, Status: http.StatusBadGateway})
		defer r.ClearFaults()
		pkg2 := writePackage(t, "fault_app", "0.2.0")
		r.ResetRequests()
		stderr := kpmFail(t, pkg2, "push", url)
		assert.Regexp(t, `^kpm: 127.0.0.1:\d+/test/fault_app:0.2.0: .*502.*\n$`, stderr)
		uploads := r.RequestsByKind()[devregistry.KindUpload]
		t.Logf("upload requests: %d", uploads)
		assert.Greater(t, uploads, int64(1), "retried")
		assert.LessOrEqual(t, uploads, int64(30), "a bounded number of times")
		r.ClearFaults()
		stderr = kpmFail(t, t.TempDir(), "pull", "--tag", "0.2.0", url)
		assert.Contains(t, stderr, "not found", "nothing was tagged")
	})
}

// TestHostileArtifacts pulls artifacts that must be refused: nothing is written outside the target
// and nothing is left in the cache.
func TestHostileArtifacts(t *testing.T) {
	r := privateRegistry(t)
	empty := ocispec.DescriptorEmptyJSON
	repo := repoClient(t, r.Host(), "test/hostile")

	entry := func(name string, typ byte, body, link string) func(*tar.Writer) {
		return func(tw *tar.Writer) {
			h := &tar.Header{Name: name, Mode: 0o644, Typeflag: typ, Linkname: link, Size: int64(len(body))}
			require.NoError(t, tw.WriteHeader(h))
			if body != "" {
				_, err := tw.Write([]byte(body))
				require.NoError(t, err)
			}
		}
	}
	mod := entry("kcl.mod", tar.TypeReg, "[package]\nname = \"hostile\"\nversion = \"1.0.0\"\n", "")
	// A size bomb: an entry claiming 4 GiB (more than the 1 GiB unpack limit) in a tiny blob;
	// the header alone is written, what follows is zeros, as far as the archive goes.
	bomb := func(tw *tar.Writer) {
		h := &tar.Header{Name: "zeros.bin", Mode: 0o644, Typeflag: tar.TypeReg, Size: 4 << 30}
		require.NoError(t, tw.WriteHeader(h))
		_, err := tw.Write(make([]byte, 64<<10))
		require.NoError(t, err)
	}
	tests := []struct {
		name    string
		tag     string
		entries []func(*tar.Writer)
		sum     string // manifest sum annotation ("" = none)
		wantErr string
	}{
		{"path traversal", "1.0.1", []func(*tar.Writer){mod, entry("../escape.k", tar.TypeReg, "x = 1\n", "")}, "", "unsafe archive"},
		{"absolute path", "1.0.2", []func(*tar.Writer){mod, entry("/tmp/abs.k", tar.TypeReg, "x = 1\n", "")}, "", "unsafe archive"},
		{"symlink", "1.0.3", []func(*tar.Writer){mod, entry("link", tar.TypeSymlink, "", "/etc/passwd")}, "", "unsafe archive"},
		{"hard link", "1.0.4", []func(*tar.Writer){mod, entry("hard", tar.TypeLink, "", "kcl.mod")}, "", "unsafe archive"},
		{"device", "1.0.5", []func(*tar.Writer){mod, entry("dev", tar.TypeChar, "", "")}, "", "unsafe archive"},
		{"size bomb", "1.0.7", []func(*tar.Writer){mod, bomb}, "", "unpacked size exceeds the limit of 1073741824 bytes"},
		{"checksum mismatch", "1.0.6", []func(*tar.Writer){mod}, "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=", "checksum mismatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := setupKpmHome(t)
			var buf bytes.Buffer
			gz := gzip.NewWriter(&buf)
			tw := tar.NewWriter(gz)
			for _, e := range tt.entries {
				e(tw)
			}
			if err := tw.Close(); tt.name != "size bomb" { // the bomb's entry is cut short on purpose
				require.NoError(t, err)
			}
			require.NoError(t, gz.Close())
			blob := buf.Bytes()
			layer := ocispec.Descriptor{
				MediaType: "application/vnd.oci.image.layer.v1.tar+gzip", Digest: digest.FromBytes(blob), Size: int64(len(blob)),
				Annotations: map[string]string{"org.opencontainers.image.title": "hostile_" + tt.tag + ".tgz"},
			}
			ann := map[string]string{"org.kcllang.package.name": "hostile", "org.kcllang.package.version": tt.tag}
			if tt.sum != "" {
				ann["org.kcllang.package.sum"] = tt.sum
			}
			pushRaw(t, repo, tt.tag, ocispec.Manifest{
				Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ocispec.MediaTypeImageManifest,
				ArtifactType: "application/vnd.oci.image.layer.v1.tar+gzip",
				Config:       ocispec.Descriptor{MediaType: empty.MediaType, Digest: empty.Digest, Size: empty.Size},
				Layers:       []ocispec.Descriptor{layer}, Annotations: ann,
			}, map[digest.Digest][]byte{layer.Digest: blob, empty.Digest: empty.Data})

			kpmRun(t, t.TempDir(), "login", "-u", "test", "-p", "1234", r.Host())
			work := t.TempDir()
			stderr := kpmFail(t, work, "pull", "--tag", tt.tag, "oci://"+r.Host()+"/test/hostile")
			assert.Regexp(t, `^kpm: 127.0.0.1:\d+/test/hostile:`+tt.tag+`: .+\n$`, stderr)
			assert.Contains(t, stderr, tt.wantErr)
			assert.Empty(t, dirEntries(t, work), "nothing left in the destination")
			assert.Empty(t, dirEntries(t, home), "nothing left in the cache")
			assert.NoFileExists(t, filepath.Join(home, "escape.k"))
			assert.NoFileExists(t, filepath.Join(filepath.Dir(home), "escape.k"))
			assert.NoFileExists(t, "/tmp/abs.k")
		})
	}
}

// TestCorruptedTransfer serves a package layer whose bytes were altered on the way: pull fails
// with a digest mismatch and leaves nothing in the cache.
func TestCorruptedTransfer(t *testing.T) {
	var corrupt atomic.Bool
	r, err := devregistry.Start(devregistry.Options{
		Users: map[string]string{"test": "1234"},
		Middleware: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				if corrupt.Load() && req.Method == http.MethodGet && devregistry.KindOf(req.URL.Path) == devregistry.KindBlob {
					next.ServeHTTP(&flipWriter{ResponseWriter: w, at: 5000}, req)
					return
				}
				next.ServeHTTP(w, req)
			})
		},
	})
	require.NoError(t, err)
	defer r.Close()
	home := setupKpmHome(t)
	kpmRun(t, t.TempDir(), "login", "-u", "test", "-p", "1234", r.Host())
	pkg := writePackage(t, "corrupt_app", "0.1.0")
	kpmRun(t, pkg, "push", "oci://"+r.Host()+"/test/corrupt_app")

	corrupt.Store(true)
	work := t.TempDir()
	stderr := kpmFail(t, work, "pull", "--tag", "0.1.0", "oci://"+r.Host()+"/test/corrupt_app")
	assert.Regexp(t, `^kpm: 127.0.0.1:\d+/test/corrupt_app:0.1.0: .*digest mismatch.*\n$`, stderr)
	assert.Empty(t, dirEntries(t, work), "nothing left in the destination")
	assert.Empty(t, dirEntries(t, home), "nothing left in the cache")
}

// flipWriter inverts one byte of the response body at offset at.
type flipWriter struct {
	http.ResponseWriter
	at, off int64
}

func (f *flipWriter) Write(p []byte) (int, error) {
	if f.off <= f.at && f.at < f.off+int64(len(p)) {
		q := append([]byte(nil), p...)
		q[f.at-f.off] ^= 0xff
		p = q
	}
	f.off += int64(len(p))
	return f.ResponseWriter.Write(p)
}
