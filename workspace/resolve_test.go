package workspace

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpm-dev/kpm/internal/devregistry"
	"github.com/kpm-dev/kpm/registry"
)

// regEnv is a real registry (user test / 1234) and a package home logged in to it.
type regEnv struct {
	reg      *devregistry.Registry
	host     string
	settings *Settings
}

func newRegEnv(t testing.TB) *regEnv {
	t.Helper()
	reg, err := devregistry.Start(devregistry.Options{Addr: "127.0.0.1:0", Users: map[string]string{"test": "1234"}, Dir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { reg.Close() })
	e := &regEnv{reg: reg, host: reg.Host()}
	e.settings = e.newHome(t)
	return e
}

// newHome returns settings for a fresh, logged-in package home.
func (e *regEnv) newHome(t testing.TB) *Settings {
	t.Helper()
	s := &Settings{PkgPath: t.TempDir(), DefaultOciRegistry: e.host, DefaultOciRepo: "test"}
	opts := RegistryOptions(s, false)
	opts.NoDockerFallback = true
	require.NoError(t, registry.Login(context.Background(), e.host, "test", "1234", opts))
	return s
}

// writePkg writes a package directory: kcl.mod with the given [dependencies] body and main.k.
func writePkg(t testing.TB, dir, name, version, deps string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	mod := fmt.Sprintf("[package]\nname = %q\nedition = \"v0.11.0\"\nversion = %q\n\n[dependencies]\n%s", name, version, deps)
	require.NoError(t, os.WriteFile(filepath.Join(dir, ModFileName), []byte(mod), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.k"), []byte(fmt.Sprintf("%s = %q\n", strings.ReplaceAll(name, "-", "_"), version)), 0o644))
}

// publish pushes a package to <host>/test/<name>:<version> and returns its sum.
func (e *regEnv) publish(t testing.TB, name, version, deps string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	writePkg(t, dir, name, version, deps)
	opts := RegistryOptions(e.settings, false)
	res, err := registry.Push(context.Background(), registry.Reference{Registry: e.host, Repository: "test/" + name, Tag: version},
		registry.Package{Dir: dir, Name: name, Version: version}, registry.PushOptions{Options: opts})
	require.NoError(t, err)
	return res.Sum
}

func TestResolveTransitiveConflictWarmOffline(t *testing.T) {
	e := newRegEnv(t)
	ctx := context.Background()
	sumB1 := e.publish(t, "base", "0.1.0", "")
	sumB2 := e.publish(t, "base", "0.2.0", "")
	sumMid := e.publish(t, "mid", "0.1.0", "base = \"0.2.0\"\n")

	root := filepath.Join(t.TempDir(), "app")
	writePkg(t, filepath.Join(root, "..", "local-lib"), "local-lib", "0.3.0", "base = \"0.1.0\"\n")
	writePkg(t, root, "app", "0.0.1", fmt.Sprintf(
		"base = \"0.1.0\"\nmid = { oci = \"oci://%s/test/mid\", tag = \"0.1.0\" }\nlocal-lib = { path = \"../local-lib\" }\n", e.host))

	var msgs []string
	var mu sync.Mutex
	res, err := Resolve(ctx, root, ResolveOptions{Settings: e.settings, WriteLock: true, Progress: func(m string) {
		mu.Lock()
		msgs = append(msgs, m)
		mu.Unlock()
	}})
	require.NoError(t, err)

	assert.Equal(t, []string{"base", "local_lib", "mid"}, res.Names())
	base := res.Deps["base"]
	assert.Equal(t, "0.2.0", base.Version, "the highest requested version wins")
	assert.Equal(t, filepath.Join(e.settings.PkgPath, "base_0.2.0"), base.Dir)
	assert.Equal(t, e.host+"/test/base:0.2.0", base.Reference)
	assert.Equal(t, sumB2, base.Sum)
	assert.True(t, base.Direct)
	assert.ElementsMatch(t, []string{"app", "mid", "local-lib"}, base.RequiredBy)
	assert.FileExists(t, filepath.Join(base.Dir, "main.k"))
	assert.Equal(t, SourceOCI, res.Deps["mid"].Source)
	assert.Equal(t, sumMid, res.Deps["mid"].Sum)
	assert.Equal(t, SourcePath, res.Deps["local_lib"].Source)
	assert.Equal(t, filepath.Clean(filepath.Join(root, "..", "local-lib")), res.Deps["local_lib"].Dir)
	assert.Equal(t, "0.3.0", res.Deps["local_lib"].Version)
	require.Len(t, res.Choices, 1)
	assert.Equal(t, "base", res.Choices[0].Name)
	assert.Equal(t, "0.2.0", res.Choices[0].Chosen)
	assert.Contains(t, res.Messages, "base: 0.1.0 (app), 0.2.0 (mid), 0.1.0 (local-lib) requested; using 0.2.0")
	assert.ElementsMatch(t, []string{e.host + "/test/base:0.1.0", e.host + "/test/base:0.2.0", e.host + "/test/mid:0.1.0"}, res.Downloaded)
	assert.Contains(t, msgs, "downloading "+e.host+"/test/mid:0.1.0")
	_ = sumB1

	wantLock := fmt.Sprintf(`[dependencies]
  [dependencies.base]
    name = "base"
    full_name = "base_0.2.0"
    version = "0.2.0"
    sum = "%s"
    reg = "%s"
    repo = "test/base"
    oci_tag = "0.2.0"
  [dependencies.local-lib]
    name = "local-lib"
    full_name = "local-lib_0.3.0"
    version = "0.3.0"
  [dependencies.mid]
    name = "mid"
    full_name = "mid_0.1.0"
    version = "0.1.0"
    sum = "%s"
    reg = "%s"
    repo = "test/mid"
    oci_tag = "0.1.0"
`, sumB2, e.host, sumMid, e.host)
	lock, err := os.ReadFile(filepath.Join(root, LockFileName))
	require.NoError(t, err)
	assert.Equal(t, wantLock, string(lock))
	assert.True(t, res.LockWritten)

	// Warm: lock + cache complete → zero registry requests, lock untouched.
	e.reg.ResetRequests()
	warm, err := Resolve(ctx, root, ResolveOptions{Settings: e.settings, WriteLock: true})
	require.NoError(t, err)
	assert.Equal(t, int64(0), e.reg.Requests(), "a warm resolution makes no registry request")
	assert.False(t, warm.LockChanged)
	assert.Empty(t, warm.Downloaded)
	assert.Equal(t, res.ExternalPackages(), warm.ExternalPackages())

	// Registry stopped: warm resolution works, with and without Offline.
	require.NoError(t, e.reg.Stop())
	for _, offline := range []bool{false, true} {
		again, err := Resolve(ctx, root, ResolveOptions{Settings: e.settings, Offline: offline})
		require.NoError(t, err)
		assert.Equal(t, "0.2.0", again.Deps["base"].Version)
	}
}

func TestResolveOfflineCold(t *testing.T) {
	e := newRegEnv(t)
	e.publish(t, "base", "0.1.0", "")
	root := filepath.Join(t.TempDir(), "app")
	writePkg(t, root, "app", "0.0.1", "base = \"0.1.0\"\n")
	cold := e.newHome(t)
	before := listDir(t, cold.PkgPath)

	e.reg.ResetRequests()
	_, err := Resolve(context.Background(), root, ResolveOptions{Settings: cold, Offline: true, WriteLock: true})
	require.Error(t, err)
	assert.Equal(t, fmt.Sprintf("dependency base: %s/test/base:0.1.0 is not in the package cache and kpm is offline (registry %s not contacted)", e.host, e.host), err.Error())
	assert.Equal(t, int64(0), e.reg.Requests())
	assert.NoFileExists(t, filepath.Join(root, LockFileName), "nothing written")
	assert.Equal(t, before, listDir(t, cold.PkgPath), "nothing written to the package home")

	// Not offline but the registry is down: the error names the dependency and the registry.
	require.NoError(t, e.reg.Stop())
	_, err = Resolve(context.Background(), root, ResolveOptions{Settings: cold, WriteLock: true})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "dependency base: ")
	assert.Contains(t, err.Error(), e.host)
	assert.NoFileExists(t, filepath.Join(root, LockFileName))
	assert.NoDirExists(t, filepath.Join(cold.PkgPath, "base_0.1.0"))
}

func listDir(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	require.NoError(t, filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, rel)
		return nil
	}))
	return out
}

func TestResolveLockSumMismatch(t *testing.T) {
	e := newRegEnv(t)
	e.publish(t, "base", "0.1.0", "")
	root := filepath.Join(t.TempDir(), "app")
	writePkg(t, root, "app", "0.0.1", "base = \"0.1.0\"\n")
	ctx := context.Background()
	_, err := Resolve(ctx, root, ResolveOptions{Settings: e.settings, WriteLock: true})
	require.NoError(t, err)
	lockBefore, err := os.ReadFile(filepath.Join(root, LockFileName))
	require.NoError(t, err)

	// Someone edits the cached package: its sum no longer matches the lock.
	cached := filepath.Join(e.settings.PkgPath, "base_0.1.0")
	require.NoError(t, os.WriteFile(filepath.Join(cached, "main.k"), []byte("base = \"tampered\"\n"), 0o644))
	_, err = Resolve(ctx, root, ResolveOptions{Settings: e.settings, WriteLock: true})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "dependency base: checksum mismatch: the cached package "+cached)
	assert.Contains(t, err.Error(), "kcl.mod.lock says")
	assert.Contains(t, err.Error(), "run 'kpm update' to download it again")
	lockAfter, err := os.ReadFile(filepath.Join(root, LockFileName))
	require.NoError(t, err)
	assert.Equal(t, string(lockBefore), string(lockAfter), "the lock is not rewritten on error")

	// A download left behind by a crashed process is cleaned up by the next download.
	stale := filepath.Join(e.settings.PkgPath, ".kpm", "tmp", "base_0.1.0-crashed")
	require.NoError(t, os.MkdirAll(filepath.Join(stale, "pkg"), 0o755))
	old := time.Now().Add(-48 * time.Hour)
	require.NoError(t, os.Chtimes(stale, old, old))

	// KPM_NO_SUM for that name accepts it.
	noSum := *e.settings
	noSum.NoSum = []string{"ba*"}
	res, err := Resolve(ctx, root, ResolveOptions{Settings: &noSum})
	require.NoError(t, err)
	assert.Equal(t, cached, res.Deps["base"].Dir)

	// Update repairs the cache entry: downloaded again, verified, the lock unchanged.
	res, err = Resolve(ctx, root, ResolveOptions{Settings: e.settings, Update: true, WriteLock: true})
	require.NoError(t, err)
	assert.Equal(t, []string{e.host + "/test/base:0.1.0"}, res.Downloaded)
	assert.False(t, res.LockChanged)
	mainK, err := os.ReadFile(filepath.Join(cached, "main.k"))
	require.NoError(t, err)
	assert.Equal(t, "base = \"0.1.0\"\n", string(mainK))
	tmpLeft, err := os.ReadDir(filepath.Join(e.settings.PkgPath, ".kpm", "tmp"))
	require.NoError(t, err)
	assert.Empty(t, tmpLeft, "the stale download and this one's temporary files are gone")

	// A lock pinning a wrong sum for a package not yet cached: the download is refused
	// (nothing left in the cache), unless KPM_NO_SUM matches.
	lock := strings.Replace(string(lockBefore), "sum = \"", "sum = \"AAAA", 1)
	require.NoError(t, os.WriteFile(filepath.Join(root, LockFileName), []byte(lock), 0o644))
	fresh := e.newHome(t)
	_, err = Resolve(ctx, root, ResolveOptions{Settings: fresh})
	require.Error(t, err)
	assert.Contains(t, err.Error(), fmt.Sprintf("dependency base: checksum mismatch: %s/test/base:0.1.0 has sum", e.host))
	assert.NoDirExists(t, filepath.Join(fresh.PkgPath, "base_0.1.0"))
	fresh.NoSum = []string{"base"}
	_, err = Resolve(ctx, root, ResolveOptions{Settings: fresh})
	require.NoError(t, err)
	assert.DirExists(t, filepath.Join(fresh.PkgPath, "base_0.1.0"))
}

func TestResolveUntaggedOCIUsesNewestThenLock(t *testing.T) {
	e := newRegEnv(t)
	e.publish(t, "base", "0.1.0", "")
	e.publish(t, "base", "0.10.0", "")
	e.publish(t, "base", "0.9.0", "")
	root := filepath.Join(t.TempDir(), "app")
	writePkg(t, root, "app", "0.0.1", fmt.Sprintf("base = { oci = \"oci://%s/test/base\" }\n", e.host))
	ctx := context.Background()
	res, err := Resolve(ctx, root, ResolveOptions{Settings: e.settings, WriteLock: true})
	require.NoError(t, err)
	assert.Equal(t, "0.10.0", res.Deps["base"].Version)

	// The lock pins 0.10.0: a newer tag is not picked up, and nothing is requested.
	e.publish(t, "base", "0.11.0", "")
	e.reg.ResetRequests()
	res, err = Resolve(ctx, root, ResolveOptions{Settings: e.settings})
	require.NoError(t, err)
	assert.Equal(t, "0.10.0", res.Deps["base"].Version)
	assert.Equal(t, int64(0), e.reg.Requests())

	// Update moves to the newest tag.
	res, err = Resolve(ctx, root, ResolveOptions{Settings: e.settings, Update: true, WriteLock: true})
	require.NoError(t, err)
	assert.Equal(t, "0.11.0", res.Deps["base"].Version)
	assert.True(t, res.LockWritten)
	assert.Equal(t, []LockChange{{Name: "base", Old: "0.10.0", New: "0.11.0"}}, res.Changes)
	assert.Equal(t, "base 0.10.0 -> 0.11.0", res.Changes[0].String())
}

func TestResolveErrors(t *testing.T) {
	e := newRegEnv(t)
	ctx := context.Background()
	tests := []struct {
		name string
		deps string
		want string
	}{
		{"missing tag", "base = \"9.9.9\"\n", "dependency base: "},
		{"missing path", "lib = { path = \"../nope\" }\n", "dependency lib: path "},
		{"git", "g = { git = \"file:///nonexistent/g.git\", tag = \"v1\" }\n", "dependency g: file:///nonexistent/g.git: git clone: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "app")
			writePkg(t, root, "app", "0.0.1", tt.deps)
			_, err := Resolve(ctx, root, ResolveOptions{Settings: e.settings, WriteLock: true})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NoFileExists(t, filepath.Join(root, LockFileName))
		})
	}
	// An invalid kcl.mod is refused with its position.
	root := filepath.Join(t.TempDir(), "app")
	writePkg(t, root, "app", "1.x", "")
	_, err := Resolve(ctx, root, ResolveOptions{Settings: e.settings})
	require.Error(t, err)
	assert.Equal(t, `kcl.mod:4:11: invalid version "1.x": want a semantic version like 1.2.3`, err.Error())
	// No kcl.mod at all.
	_, err = Resolve(ctx, t.TempDir(), ResolveOptions{Settings: e.settings})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no kcl.mod in")
}

// gitRepo makes a local git repository holding a package, with tag v0.1.0 on the first commit
// and branch main one commit later; it returns its file:// URL and the first commit.
func gitRepo(t *testing.T) (string, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "gitpkg")
	writePkg(t, dir, "gitpkg", "0.1.0", "")
	git := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@e", "-c", "commit.gpgsign=false"}, args...)...)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
		return strings.TrimSpace(string(out))
	}
	git("init", "--quiet", "--initial-branch=main")
	git("add", ".")
	git("commit", "--quiet", "-m", "v0.1.0")
	git("tag", "v0.1.0")
	first := git("rev-parse", "HEAD")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.k"), []byte("gitpkg = \"main\"\n"), 0o644))
	git("commit", "--quiet", "-am", "next")
	return "file://" + dir, first
}

func TestResolveGit(t *testing.T) {
	url, first := gitRepo(t)
	s := &Settings{PkgPath: t.TempDir(), DefaultOciRegistry: "127.0.0.1:1", DefaultOciRepo: "test"}
	ctx := context.Background()
	tests := []struct {
		ref, field, mainK string
	}{
		{"tag = \"v0.1.0\"", "git_tag = \"v0.1.0\"", "gitpkg = \"0.1.0\"\n"},
		{"branch = \"main\"", "branch = \"main\"", "gitpkg = \"main\"\n"},
		{"commit = \"" + first + "\"", "commit = \"" + first + "\"", "gitpkg = \"0.1.0\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "app")
			writePkg(t, root, "app", "0.0.1", fmt.Sprintf("gitpkg = { git = %q, %s }\n", url, tt.ref))
			res, err := Resolve(ctx, root, ResolveOptions{Settings: s, WriteLock: true})
			require.NoError(t, err)
			d := res.Deps["gitpkg"]
			require.NotNil(t, d)
			assert.Equal(t, SourceGit, d.Source)
			mainK, err := os.ReadFile(filepath.Join(d.Dir, "main.k"))
			require.NoError(t, err)
			assert.Equal(t, tt.mainK, string(mainK))
			assert.NoDirExists(t, filepath.Join(d.Dir, ".git"))
			lock, err := os.ReadFile(filepath.Join(root, LockFileName))
			require.NoError(t, err)
			assert.Contains(t, string(lock), "    url = \""+url+"\"\n")
			assert.Contains(t, string(lock), "    "+tt.field+"\n")
			assert.Contains(t, string(lock), "    sum = \""+d.Sum+"\"\n")
			// Warm and offline: from the cache.
			again, err := Resolve(ctx, root, ResolveOptions{Settings: s, Offline: true})
			require.NoError(t, err)
			assert.Equal(t, d.Dir, again.Deps["gitpkg"].Dir)
			assert.Empty(t, again.Downloaded)
		})
	}
	// Offline with a cold cache: a clear error naming the repository.
	root := filepath.Join(t.TempDir(), "app")
	writePkg(t, root, "app", "0.0.1", fmt.Sprintf("gitpkg = { git = %q, tag = \"v0.1.0\" }\n", url))
	_, err := Resolve(ctx, root, ResolveOptions{Settings: &Settings{PkgPath: t.TempDir()}, Offline: true})
	require.Error(t, err)
	assert.Equal(t, "dependency gitpkg: "+url+" (tag v0.1.0) is not in the package cache and kpm is offline (not cloned)", err.Error())
}

// TestResolveConcurrent runs several resolvers at once on one cold cache: goroutines of this
// process and separate processes (this test binary re-executed).
func TestResolveConcurrent(t *testing.T) {
	e := newRegEnv(t)
	var deps strings.Builder
	for i := 0; i < 6; i++ {
		name := fmt.Sprintf("pkg%d", i)
		e.publish(t, name, "1.0.0", "")
		fmt.Fprintf(&deps, "%s = \"1.0.0\"\n", name)
	}
	root := filepath.Join(t.TempDir(), "app")
	writePkg(t, root, "app", "0.0.1", deps.String())

	const procs, goroutines = 3, 4
	var cmds []*exec.Cmd
	for i := 0; i < procs; i++ {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(),
			"KPM_TEST_CHILD_ROOT="+root, "KPM_TEST_CHILD_HOME="+e.settings.PkgPath, "KPM_TEST_CHILD_REG="+e.host)
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		require.NoError(t, cmd.Start())
		cmds = append(cmds, cmd)
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("child output:\n%s", out.String())
			}
		})
	}
	var wg sync.WaitGroup
	errs := make([]error, goroutines)
	for i := 0; i < goroutines; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = Resolve(context.Background(), root, ResolveOptions{Settings: e.settings, WriteLock: true})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	for _, cmd := range cmds {
		require.NoError(t, cmd.Wait())
	}
	// The cache is complete and intact, no temporary directories are left.
	for i := 0; i < 6; i++ {
		dir := filepath.Join(e.settings.PkgPath, fmt.Sprintf("pkg%d_1.0.0", i))
		sum, err := PackageSum(dir)
		require.NoError(t, err)
		lf, err := ReadLockFile(filepath.Join(root, LockFileName))
		require.NoError(t, err)
		assert.Equal(t, lf.Dependencies[fmt.Sprintf("pkg%d", i)].Sum, sum)
	}
	tmp, err := os.ReadDir(filepath.Join(e.settings.PkgPath, ".kpm", "tmp"))
	require.NoError(t, err)
	assert.Empty(t, tmp)
	res, err := Resolve(context.Background(), root, ResolveOptions{Settings: e.settings, Offline: true})
	require.NoError(t, err)
	assert.Len(t, res.Deps, 6)
}

// TestMain doubles as the child process of TestResolveConcurrent: with KPM_TEST_CHILD_ROOT set,
// the test binary resolves that package and exits (status 1 on failure).
func TestMain(m *testing.M) {
	root := os.Getenv("KPM_TEST_CHILD_ROOT")
	if root == "" {
		os.Exit(m.Run())
	}
	s := &Settings{PkgPath: os.Getenv("KPM_TEST_CHILD_HOME"), DefaultOciRegistry: os.Getenv("KPM_TEST_CHILD_REG"), DefaultOciRepo: "test"}
	res, err := Resolve(context.Background(), root, ResolveOptions{Settings: s, WriteLock: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child resolve:", err)
		os.Exit(1)
	}
	if len(res.Deps) != 6 {
		fmt.Fprintln(os.Stderr, "child resolve: want 6 dependencies, got", len(res.Deps))
		os.Exit(1)
	}
	os.Exit(0)
}

// TestResolveColdDownloadsParallelBounded proves cold downloads overlap, and never more than
// Parallelism of them at once: the registry holds every layer download for a moment and records
// how many are in flight.
func TestResolveColdDownloadsParallelBounded(t *testing.T) {
	var (
		mu             sync.Mutex
		inFlight, peak int
	)
	reg, err := devregistry.Start(devregistry.Options{
		Users: map[string]string{"test": "1234"},
		Dir:   t.TempDir(),
		Middleware: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				if req.Method != http.MethodGet || devregistry.KindOf(req.URL.Path) != devregistry.KindBlob {
					next.ServeHTTP(w, req)
					return
				}
				mu.Lock()
				inFlight++
				if inFlight > peak {
					peak = inFlight
				}
				mu.Unlock()
				// Long enough that parallel downloads overlap even when a loaded machine
				// staggers the workers' other requests.
				time.Sleep(200 * time.Millisecond)
				next.ServeHTTP(w, req)
				mu.Lock()
				inFlight--
				mu.Unlock()
			})
		},
	})
	require.NoError(t, err)
	t.Cleanup(func() { reg.Close() })
	e := &regEnv{reg: reg, host: reg.Host()}
	e.settings = e.newHome(t)
	var deps strings.Builder
	for i := range 8 {
		e.publish(t, fmt.Sprintf("par%d", i), "1.0.0", "")
		fmt.Fprintf(&deps, "par%d = \"1.0.0\"\n", i)
	}
	root := filepath.Join(t.TempDir(), "app")
	writePkg(t, root, "app", "0.0.1", deps.String())

	tests := []struct {
		parallelism int
		wantMin     int
		wantMax     int
	}{
		{1, 1, 1},
		{3, 2, 3},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("parallelism %d", tt.parallelism), func(t *testing.T) {
			mu.Lock()
			peak = 0
			mu.Unlock()
			res, err := Resolve(context.Background(), root, ResolveOptions{Settings: e.newHome(t), Parallelism: tt.parallelism})
			require.NoError(t, err)
			assert.Len(t, res.Downloaded, 8)
			mu.Lock()
			defer mu.Unlock()
			assert.GreaterOrEqual(t, peak, tt.wantMin, "downloads overlap")
			assert.LessOrEqual(t, peak, tt.wantMax, "never more than Parallelism at once")
		})
	}
}

// TestResolveUpdateNoticesRepushedTag: a tag pushed again with other content is kept by a normal
// resolution (lock and cache agree, no request) and downloaded again by Update.
func TestResolveUpdateNoticesRepushedTag(t *testing.T) {
	e := newRegEnv(t)
	ctx := context.Background()
	sum1 := e.publish(t, "base", "0.1.0", "")
	root := filepath.Join(t.TempDir(), "app")
	writePkg(t, root, "app", "0.0.1", "base = \"0.1.0\"\n")
	_, err := Resolve(ctx, root, ResolveOptions{Settings: e.settings, WriteLock: true})
	require.NoError(t, err)

	// Push base 0.1.0 again with other content.
	dir := filepath.Join(t.TempDir(), "base")
	writePkg(t, dir, "base", "0.1.0", "")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.k"), []byte("base = \"again\"\n"), 0o644))
	pushed, err := registry.Push(ctx, registry.Reference{Registry: e.host, Repository: "test/base", Tag: "0.1.0"},
		registry.Package{Dir: dir, Name: "base", Version: "0.1.0"}, registry.PushOptions{Options: RegistryOptions(e.settings, false), Force: true})
	require.NoError(t, err)
	require.NotEqual(t, sum1, pushed.Sum)

	e.reg.ResetRequests()
	res, err := Resolve(ctx, root, ResolveOptions{Settings: e.settings, WriteLock: true})
	require.NoError(t, err)
	assert.Equal(t, sum1, res.Deps["base"].Sum, "a normal resolution trusts the lock and the cache")
	assert.Equal(t, int64(0), e.reg.Requests())

	// kpm update: the lock pins the old sum, so the new content is an error...
	lockBefore, err := os.ReadFile(filepath.Join(root, LockFileName))
	require.NoError(t, err)
	_, err = Resolve(ctx, root, ResolveOptions{Settings: e.settings, Update: true, WriteLock: true})
	require.Error(t, err)
	assert.Equal(t, fmt.Sprintf("dependency base: checksum mismatch: %s/test/base:0.1.0 changed in the registry (sum %s) but kcl.mod.lock says %s; if the new content is expected, record its sum with 'KPM_NO_SUM=base kpm update'", e.host, pushed.Sum, sum1), err.Error())
	lockAfter, err := os.ReadFile(filepath.Join(root, LockFileName))
	require.NoError(t, err)
	assert.Equal(t, string(lockBefore), string(lockAfter))

	// ...unless the user accepts it (KPM_NO_SUM).
	accept := *e.settings
	accept.NoSum = []string{"base"}
	var msgs []string
	var mu sync.Mutex
	res, err = Resolve(ctx, root, ResolveOptions{Settings: &accept, Update: true, WriteLock: true, Progress: func(m string) {
		mu.Lock()
		msgs = append(msgs, m)
		mu.Unlock()
	}})
	require.NoError(t, err)
	assert.Equal(t, pushed.Sum, res.Deps["base"].Sum)
	assert.Equal(t, []string{e.host + "/test/base:0.1.0"}, res.Downloaded)
	assert.True(t, res.LockWritten)
	assert.Contains(t, msgs, fmt.Sprintf("base: %s/test/base:0.1.0 changed in the registry (sum %s, cached %s); downloading it again", e.host, pushed.Sum, sum1))
	mainK, err := os.ReadFile(filepath.Join(e.settings.PkgPath, "base_0.1.0", "main.k"))
	require.NoError(t, err)
	assert.Equal(t, "base = \"again\"\n", string(mainK))

	// Once more: nothing changes, one manifest request and no download.
	e.reg.ResetRequests()
	res, err = Resolve(ctx, root, ResolveOptions{Settings: e.settings, Update: true, WriteLock: true})
	require.NoError(t, err)
	assert.Empty(t, res.Downloaded)
	assert.False(t, res.LockChanged)
	assert.Zero(t, e.reg.RequestsByKind()[devregistry.KindBlob])
}

// TestResolvePathCycle: path dependencies that lead back to a package on the way are reported
// with the cycle, before anything is resolved.
func TestResolvePathCycle(t *testing.T) {
	s := &Settings{PkgPath: t.TempDir()}
	base := t.TempDir()
	writePkg(t, filepath.Join(base, "app"), "app", "0.0.1", "lib = { path = \"../lib\" }\n")
	writePkg(t, filepath.Join(base, "lib"), "lib", "0.1.0", "util = { path = \"../util\" }\nshared = { path = \"../shared\" }\n")
	writePkg(t, filepath.Join(base, "shared"), "shared", "0.1.0", "")
	writePkg(t, filepath.Join(base, "util"), "util", "0.1.0", "shared = { path = \"../shared\" }\nlib = { path = \"../lib/\" }\n")
	done := make(chan error, 1)
	go func() {
		_, err := Resolve(context.Background(), filepath.Join(base, "app"), ResolveOptions{Settings: s, WriteLock: true})
		done <- err
	}()
	select {
	case err := <-done:
		require.Error(t, err)
		assert.Equal(t, filepath.Join(base, "util", ModFileName)+": path dependencies form a cycle: lib -> util -> lib", err.Error())
	case <-time.After(20 * time.Second):
		t.Fatal("resolution of a cycle did not end")
	}
	assert.NoFileExists(t, filepath.Join(base, "app", LockFileName))

	// A diamond (shared twice) is not a cycle.
	writePkg(t, filepath.Join(base, "util"), "util", "0.1.0", "shared = { path = \"../shared\" }\n")
	_, err := Resolve(context.Background(), filepath.Join(base, "app"), ResolveOptions{Settings: s})
	require.NoError(t, err)
}

// TestResolveUpdateRefusesAWrongPinnedSum: kcl.mod.lock pins a sum the package does not have
// (the cache is warm and right): kpm update says so instead of rewriting the pin, unless the
// user accepts it.
func TestResolveUpdateRefusesAWrongPinnedSum(t *testing.T) {
	e := newRegEnv(t)
	ctx := context.Background()
	sum := e.publish(t, "pinned", "0.1.0", "")
	root := filepath.Join(t.TempDir(), "app")
	writePkg(t, root, "app", "0.0.1", "pinned = \"0.1.0\"\n")
	_, err := Resolve(ctx, root, ResolveOptions{Settings: e.settings, WriteLock: true})
	require.NoError(t, err)
	lockPath := filepath.Join(root, LockFileName)
	lock, err := os.ReadFile(lockPath)
	require.NoError(t, err)
	wrong := strings.Replace(string(lock), sum, "AAAA"+sum[4:], 1)
	require.NotEqual(t, string(lock), wrong)
	require.NoError(t, os.WriteFile(lockPath, []byte(wrong), 0o644))

	_, err = Resolve(ctx, root, ResolveOptions{Settings: e.settings, Update: true, WriteLock: true})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "dependency pinned: checksum mismatch: "+e.host+"/test/pinned:0.1.0 has sum "+sum+" but kcl.mod.lock says AAAA")
	assert.Contains(t, err.Error(), "if the new content is expected, record its sum with 'KPM_NO_SUM=pinned kpm update'")
	after, err := os.ReadFile(lockPath)
	require.NoError(t, err)
	assert.Equal(t, wrong, string(after), "the pin is not replaced silently")

	accept := *e.settings
	accept.NoSum = []string{"*"}
	res, err := Resolve(ctx, root, ResolveOptions{Settings: &accept, Update: true, WriteLock: true})
	require.NoError(t, err)
	assert.True(t, res.LockWritten)
	after, err = os.ReadFile(lockPath)
	require.NoError(t, err)
	assert.Equal(t, string(lock), string(after), "accepted: the actual sum is recorded")
}
