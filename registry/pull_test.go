package registry

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kpm-dev/kpm/internal/devregistry"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpm-dev/kpm/internal/testpkg"
)

// persistConns counts the HTTP client connections alive in the process.
func persistConns() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Count(string(buf[:n]), "net/http.(*persistConn).readLoop(")
		}
		buf = make([]byte, 2*len(buf))
	}
}

// withWatchdog runs fn and fails the test with every goroutine's stack if
// it has not returned within a minute: a hang shows where it is stuck.
func withWatchdog(t *testing.T, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		buf := make([]byte, 4<<20)
		buf = buf[:runtime.Stack(buf, true)]
		t.Fatalf("%s hung:\n%s", what, buf)
	}
}

// TestPushPullStress runs many pushes and pulls at once, half of them
// failing or cancelled at various points (cancelled mid-transfer, archives
// that turn out unsafe or corrupt half-way, checksum mismatches, deadlines,
// connections cut by the registry), and checks that every one returns,
// leaves nothing behind in the destination's directory, and that no
// goroutine or connection of this package is left running.
func TestPushPullStress(t *testing.T) {
	opts := loggedIn(t)
	transport := http.DefaultTransport.(*http.Transport).Clone()
	opts.Transport = transport
	conns := persistConns()

	// A package big enough to span several read-ahead and hash blocks.
	pkg := samplePackage(t)
	random := make([]byte, 3<<20)
	_, _ = rand.NewChaCha8([32]byte{7}).Read(random)
	require.NoError(t, os.WriteFile(filepath.Join(pkg.Dir, "data.bin"), random, 0o644))
	testpkg.WriteTree(t, pkg.Dir, map[string]string{"text.k": strings.Repeat("x = 1\n", 200_000)})
	good := newRef(t, "")
	pushed, err := Push(ctx(t), good, pkg, PushOptions{Options: opts})
	require.NoError(t, err)
	good = pushed.Reference

	rnd := string(random[:2<<20])
	reg := func(name, body string) entry { return entry{Name: name, Type: tar.TypeReg, Body: body} }
	// Unsafe after 2 MB of incompressible data: the read-ahead is still
	// busy when unpacking stops.
	unsafe := newRef(t, "1.0.0")
	pushRaw(t, unsafe, opts, artifact{layer: testpkg.Tar(t, true, reg("a.bin", rnd), entry{Name: "b", Type: tar.TypeSymlink, Linkname: "/etc/passwd"}, reg("c.bin", rnd)), layerType: MediaTypeTarGzip})
	mismatch := newRef(t, "1.0.0")
	pushRaw(t, mismatch, opts, artifact{layer: testpkg.Tar(t, true, reg("a.bin", rnd), reg("b.k", "b = 1\n")), layerType: MediaTypeTarGzip,
		annotations: map[string]string{AnnotationSum: sumOf("something else")}})
	corrupt := newRef(t, "1.0.0")
	layer := testpkg.Tar(t, true, reg("a.bin", rnd), reg("b.bin", rnd))
	layer = append(layer[:len(layer)/2:len(layer)/2], []byte("not the rest of the gzip stream")...)
	pushRaw(t, corrupt, opts, artifact{layer: layer, layerType: MediaTypeTarGzip})
	pushRefs := make([]Reference, 64)
	for i := range pushRefs {
		pushRefs[i] = newRef(t, "")
	}

	type scenario struct {
		name string
		run  func(dest string, i int) error
		want []error // the errors accepted (errors.Is); none: success expected
		// mayComplete: success is accepted too (a cancellation can arrive
		// after the last byte was read).
		mayComplete bool
	}
	cancelAfter := func(n int64) (context.Context, func(done, total int64)) {
		c, cancel := context.WithCancel(ctx(t))
		return c, func(done, _ int64) {
			if done >= n {
				cancel()
			}
		}
	}
	scenarios := []scenario{
		{name: "pull", run: func(dest string, _ int) error {
			res, err := Pull(ctx(t), good, PullOptions{Options: opts, Dest: dest})
			if err != nil {
				return err
			}
			if sum, err := Sum(dest); err != nil || sum != res.Sum {
				return fmt.Errorf("pulled content has sum %s (%v), manifest %s", sum, err, res.Sum)
			}
			return nil
		}},
		{name: "pull cancelled mid-transfer", want: []error{context.Canceled}, mayComplete: true, run: func(dest string, _ int) error {
			c, progress := cancelAfter(64 << 10)
			_, err := Pull(c, good, PullOptions{Options: opts, Dest: dest, Progress: progress})
			return err
		}},
		{name: "pull past its deadline", want: []error{context.DeadlineExceeded, ErrUnreachable}, run: func(dest string, i int) error {
			// 0 to 3 ms: expired before the start or during the first requests.
			c, cancel := context.WithTimeout(ctx(t), time.Duration(i%4)*time.Millisecond)
			defer cancel()
			_, err := Pull(c, good, PullOptions{Options: opts, Dest: dest})
			return err
		}},
		{name: "pull unsafe half-way", want: []error{ErrUnsafeArchive}, run: func(dest string, _ int) error {
			_, err := Pull(ctx(t), unsafe, PullOptions{Options: opts, Dest: dest})
			return err
		}},
		{name: "pull checksum mismatch", want: []error{ErrSumMismatch}, run: func(dest string, _ int) error {
			_, err := Pull(ctx(t), mismatch, PullOptions{Options: opts, Dest: dest})
			return err
		}},
		{name: "pull corrupt gzip", want: []error{ErrInvalidArtifact}, run: func(dest string, _ int) error {
			_, err := Pull(ctx(t), corrupt, PullOptions{Options: opts, Dest: dest})
			return err
		}},
		{name: "push", run: func(_ string, i int) error {
			_, err := Push(ctx(t), pushRefs[i], pkg, PushOptions{Options: opts, Force: true})
			return err
		}},
		{name: "push cancelled while packing", want: []error{context.Canceled}, mayComplete: true, run: func(_ string, i int) error {
			c, progress := cancelAfter(1 << 20)
			_, err := Push(c, pushRefs[i], pkg, PushOptions{Options: opts, Force: true, Progress: progress})
			return err
		}},
	}

	const workers, rounds = 4, 2
	var wg sync.WaitGroup
	errs := make(chan string, workers*rounds*len(scenarios))
	withWatchdog(t, "concurrent pushes and pulls", func() {
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for r := range rounds {
					for k, sc := range scenarios {
						i := (w*rounds+r)*len(scenarios) + k
						root := filepath.Join(t.TempDir(), "root")
						if err := os.Mkdir(root, 0o755); err != nil {
							errs <- err.Error()
							continue
						}
						err := sc.run(filepath.Join(root, "pkg"), i%len(pushRefs))
						switch {
						case sc.want == nil && err != nil:
							errs <- fmt.Sprintf("%s: %v", sc.name, err)
						case sc.want != nil && !isAny(err, sc.want) && (err != nil || !sc.mayComplete):
							errs <- fmt.Sprintf("%s: got %v, want one of %v", sc.name, err, sc.want)
						}
						if entries, _ := os.ReadDir(root); err != nil && len(entries) > 0 {
							errs <- fmt.Sprintf("%s: left %s behind", sc.name, entries[0].Name())
						}
					}
				}
			}()
		}
		wg.Wait()
	})
	close(errs)
	for e := range errs {
		t.Error(e)
	}

	// The registry cutting connections and resetting uploads, one at a time.
	t.Cleanup(testReg.ClearFaults)
	faulty := opts
	faulty.MaxRetries = 1
	withWatchdog(t, "pushes and pulls against a failing registry", func() {
		for i := range 6 {
			testReg.ClearFaults()
			testReg.Inject(devregistry.Fault{Kind: devregistry.KindBlob, Method: http.MethodGet, CutAfter: int64(64<<10) * int64(1+i*5)})
			root := t.TempDir()
			_, err := Pull(ctx(t), good, PullOptions{Options: faulty, Dest: filepath.Join(root, "pkg")})
			assert.ErrorIs(t, err, ErrUnreachable, "cut after %d KB", 64*(1+i*5))
			assertOnlyEntry(t, root)

			testReg.ClearFaults()
			testReg.Inject(devregistry.Fault{Kind: devregistry.KindUpload, Method: http.MethodPatch, Reset: true})
			_, err = Push(ctx(t), pushRefs[i], pkg, PushOptions{Options: faulty, Force: true})
			assert.NoError(t, err, "the streamed upload fails, the monolithic fallback does not")
		}
	})
	testReg.ClearFaults()

	transport.CloseIdleConnections()
	requireNoOwnGoroutines(t)
	deadline := time.Now().Add(20 * time.Second)
	for persistConns() > conns && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	assert.LessOrEqual(t, persistConns(), conns, "every response body was closed")
}

// isAny reports whether err is one of targets (errors.Is), or carries the
// text of a context error a lower layer did not wrap.
func isAny(err error, targets []error) bool {
	if err == nil {
		return false
	}
	for _, target := range targets {
		if errors.Is(err, target) {
			return true
		}
		if (target == context.Canceled || target == context.DeadlineExceeded) && strings.Contains(err.Error(), target.Error()) {
			return true
		}
	}
	return false
}
