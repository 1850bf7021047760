package main

import (
	"bytes"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpm-dev/kpm/internal/devregistry"
)

// TestInterruptedPull sends SIGINT while a pull is downloading: kpm stops with exit code 130,
// says so in one line, and leaves nothing in the package cache.
func TestInterruptedPull(t *testing.T) {
	var (
		mu      sync.Mutex
		hold    bool
		started = make(chan struct{}, 1)
		release = make(chan struct{})
	)
	r, err := devregistry.Start(devregistry.Options{
		Users: map[string]string{"test": "1234"},
		Middleware: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				mu.Lock()
				h := hold
				mu.Unlock()
				if h && req.Method == http.MethodGet && devregistry.KindOf(req.URL.Path) == devregistry.KindBlob {
					select {
					case started <- struct{}{}:
					default:
					}
					select { // a registry that stalls mid-download
					case <-release:
					case <-req.Context().Done():
					}
					return
				}
				next.ServeHTTP(w, req)
			})
		},
	})
	require.NoError(t, err)
	defer r.Close()
	defer close(release)

	home := setupKpmHome(t)
	kpmRun(t, t.TempDir(), "login", "-u", "test", "-p", "1234", r.Host())
	pkg := writePackage(t, "slow_app", "0.1.0")
	kpmRun(t, pkg, "push", "oci://"+r.Host()+"/test/slow_app")

	mu.Lock()
	hold = true
	mu.Unlock()
	work := t.TempDir()
	t.Chdir(work)
	var stdout, stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"-q", "pull", "--tag", "0.1.0", "oci://" + r.Host() + "/test/slow_app"}, strings.NewReader(""), &stdout, &stderr)
	}()
	select {
	case <-started:
	case code := <-done:
		t.Fatalf("pull ended before the download started: %d %s", code, stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatal("the download never started")
	}
	assert.Equal(t, exitInterrupted, interrupt(t, done))
	assert.Equal(t, "kpm: interrupted\n", stderr.String())
	assert.Empty(t, stdout.String())
	assert.Empty(t, dirEntries(t, home), "nothing left in the cache")
	assert.Empty(t, dirEntries(t, work), "nothing left in the destination")
}

// notifyingWriter collects what is written and signals the first write.
type notifyingWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	first chan struct{}
}

func (w *notifyingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.buf.Len() == 0 {
		close(w.first)
	}
	return w.buf.Write(p)
}

func (w *notifyingWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestInterruptedRun sends SIGINT to a KCL evaluation that would run for ages, once its first
// print() reached stdout (print output streams): kpm stops with exit code 130, naming the place.
func TestInterruptedRun(t *testing.T) {
	setupKpmHome(t)
	dir := t.TempDir()
	t.Chdir(dir)
	require.NoError(t, os.WriteFile("main.k", []byte("print('started')\nf = lambda n { f(n - 1) + f(n - 1) if n > 0 else 1 }\na = f(60)\n"), 0o644))
	stdout := &notifyingWriter{first: make(chan struct{})}
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run([]string{"run", "main.k"}, strings.NewReader(""), stdout, &stderr) }()
	select {
	case <-stdout.first:
	case code := <-done:
		t.Fatalf("run ended before printing: %d %s", code, stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatal("print() output did not reach stdout while the program ran")
	}
	assert.Equal(t, exitInterrupted, interrupt(t, done))
	// where the program was when it stopped
	assert.Regexp(t, `^kpm: \S+main\.k:\d+:\d+: EvaluationError: evaluation cancelled: context canceled\n$`, stderr.String())
	assert.Equal(t, "started\n", stdout.String())
}

// interrupt sends SIGINT to this process and returns the exit code of the kpm run that done
// reports. run's signal.NotifyContext is active while a command runs, so SIGINT cancels it
// instead of killing the test binary.
func interrupt(t *testing.T, done <-chan int) int {
	t.Helper()
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGINT))
	select {
	case code := <-done:
		return code
	case <-time.After(30 * time.Second):
		t.Fatal("kpm did not stop after SIGINT")
		return 0
	}
}
