package registry

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kpm-dev/kpm/internal/devregistry"
	"github.com/stretchr/testify/require"
)

// The tests share one real registry (Distribution v3, htpasswd auth).
var testReg *devregistry.Registry

const (
	testUser = "test"
	testPass = "1234"
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kpm-registry-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// Never read the developer's own Docker credentials.
	os.Setenv("DOCKER_CONFIG", filepath.Join(dir, "docker"))
	testReg, err = devregistry.Start(devregistry.Options{Users: map[string]string{testUser: testPass}, Dir: filepath.Join(dir, "reg")})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	testReg.Close()
	os.RemoveAll(dir)
	os.Exit(code)
}

// loggedIn returns options with a fresh credentials file holding the test
// user's credentials, and fast retries.
func loggedIn(t *testing.T) Options {
	t.Helper()
	opts := anonymous(t)
	require.NoError(t, Login(context.Background(), testReg.Host(), testUser, testPass, opts))
	return opts
}

// anonymous returns options with an empty credentials file.
func anonymous(t *testing.T) Options {
	t.Helper()
	return Options{
		CredentialsFile:  filepath.Join(t.TempDir(), "config", "config.json"),
		NoDockerFallback: true,
		RetryBackoff:     time.Millisecond,
	}
}

var repoSeq int

// newRef returns a reference to a fresh repository on the test registry.
func newRef(t *testing.T, tag string) Reference {
	repoSeq++
	return Reference{Registry: testReg.Host(), Repository: fmt.Sprintf("test/pkg%d", repoSeq), Tag: tag}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}
