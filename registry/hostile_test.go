package registry

import (
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpm-dev/kpm/internal/hostilereg"
)

// The hostile registry cases (SECURITY.md records their figures).

func startHostile(t *testing.T, opts hostilereg.Options) *hostilereg.Server {
	t.Helper()
	srv, err := hostilereg.Start(opts)
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	return srv
}

// fast returns options whose silence bound is short, so stalls fail quickly in tests.
func fast(t *testing.T) Options {
	opts := anonymous(t)
	opts.Timeout = 300 * time.Millisecond
	return opts
}

func TestHostileManifestTooLarge(t *testing.T) {
	srv := startHostile(t, hostilereg.Options{})
	ref := Reference{Registry: srv.Host(), Repository: hostilereg.RepoHugeManifest, Tag: "0.1.0"}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Info(ctx(t), ref, anonymous(t))
	runtime.ReadMemStats(&after)
	require.ErrorIs(t, err, ErrInvalidArtifact)
	assert.Equal(t, ref.String()+": the registry declares a manifest of 3221225472 bytes, more than the limit of 4194304 (4 MiB)", err.Error())
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(64<<20), "the manifest body was not read into memory")

	_, err = Pull(ctx(t), ref, PullOptions{Options: anonymous(t), Dest: filepath.Join(t.TempDir(), "p")})
	require.ErrorIs(t, err, ErrInvalidArtifact)
}

func TestHostileTagLists(t *testing.T) {
	srv := startHostile(t, hostilereg.Options{})
	for _, tc := range []struct{ repo, want string }{
		{hostilereg.RepoTagLoop, "next-page link leads back to a page already read"},
		{hostilereg.RepoTagFlood, "answered more than 100000 tags"},
		{hostilereg.RepoTagPages, "answered more than 1000 pages of tags"},
	} {
		t.Run(tc.repo, func(t *testing.T) {
			ref := Reference{Registry: srv.Host(), Repository: tc.repo}
			start := time.Now()
			_, err := Tags(ctx(t), ref, anonymous(t))
			require.Error(t, err)
			assert.Contains(t, err.Error(), srv.Host()+"/"+tc.repo+": ")
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "\n")
			t.Logf("%s: failed after %s, %d requests", tc.repo, time.Since(start), srv.Requests())

			_, err = LatestTag(ctx(t), ref, anonymous(t))
			assert.ErrorContains(t, err, tc.want, "pull and add without a version list tags too")
		})
	}
}

func TestHostileSilentRegistry(t *testing.T) {
	srv := startHostile(t, hostilereg.Options{Silent: true})
	ref := Reference{Registry: srv.Host(), Repository: "app", Tag: "0.1.0"}
	for name, op := range map[string]func(Options) error{
		"login": func(o Options) error { return Login(ctx(t), srv.Host(), "u", "password", o) },
		"tags":  func(o Options) error { _, err := Tags(ctx(t), ref, o); return err },
		"pull": func(o Options) error {
			_, err := Pull(ctx(t), ref, PullOptions{Options: o, Dest: filepath.Join(t.TempDir(), "p")})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			err := op(fast(t))
			elapsed := time.Since(start)
			require.ErrorIs(t, err, ErrUnreachable)
			assert.Contains(t, err.Error(), "registry "+srv.Host()+" stopped answering (no answer within 300ms); to wait longer set KPM_REGISTRY_TIMEOUT or \"RegistryTimeout\" in kpm.json")
			assert.Less(t, elapsed, 3*time.Second, "one silence, not one per retry")
		})
	}
	assert.Equal(t, DefaultTimeout, Options{}.timeout())
}

func TestHostileStalledBody(t *testing.T) {
	srv := startHostile(t, hostilereg.Options{})
	ref := Reference{Registry: srv.Host(), Repository: hostilereg.RepoStallBody, Tag: "0.1.0"}
	start := time.Now()
	_, err := Info(ctx(t), ref, fast(t))
	require.ErrorIs(t, err, ErrUnreachable)
	assert.Contains(t, err.Error(), ref.String()+": registry "+srv.Host()+" stopped answering (no data for 300ms)")
	assert.Less(t, time.Since(start), 3*time.Second)
}

func TestHostileSlowButMovingBodyIsFine(t *testing.T) {
	// Ten pieces 100ms apart: about 1s per body, three times the 300ms silence bound.
	srv := startHostile(t, hostilereg.Options{Delay: 100 * time.Millisecond})
	ref := Reference{Registry: srv.Host(), Repository: hostilereg.RepoSlow, Tag: "0.1.0"}
	res, err := Pull(ctx(t), ref, PullOptions{Options: fast(t), Dest: filepath.Join(t.TempDir(), "p")})
	require.NoError(t, err)
	assert.FileExists(t, filepath.Join(res.Dir, "main.k"))
}

func TestHostileHiddenDecompressedBytes(t *testing.T) {
	srv := startHostile(t, hostilereg.Options{BombSize: 64 << 20})
	for _, repo := range []string{hostilereg.RepoTarTrailer, hostilereg.RepoDirData} {
		t.Run(repo, func(t *testing.T) {
			ref := Reference{Registry: srv.Host(), Repository: repo, Tag: "0.1.0"}
			dest := filepath.Join(t.TempDir(), "p")
			_, err := Pull(ctx(t), ref, PullOptions{Options: anonymous(t), Dest: dest, MaxSize: 1 << 20})
			require.ErrorIs(t, err, ErrUnsafeArchive)
			assert.Contains(t, err.Error(), ref.String()+": unsafe archive: more than ")
			assert.NoDirExists(t, dest)
		})
	}
}

func TestHostileControlCharactersInTags(t *testing.T) {
	srv := startHostile(t, hostilereg.Options{})
	ref := Reference{Registry: srv.Host(), Repository: hostilereg.RepoControl}
	tags, err := Tags(ctx(t), ref, anonymous(t))
	require.NoError(t, err)
	assert.Equal(t, []string{"0.1.0"}, tags, "tags that are not valid OCI tags are dropped")
	latest, err := LatestTag(ctx(t), ref, anonymous(t))
	require.NoError(t, err)
	assert.Equal(t, "0.1.0", latest)
	for _, tag := range tags {
		assert.False(t, strings.ContainsAny(tag, "\x1b\x07"))
	}
}
