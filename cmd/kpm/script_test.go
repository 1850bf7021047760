package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/kpm-dev/kpm/internal/devregistry"
	"github.com/kpm-dev/kpm/internal/hostilereg"
	"github.com/kpm-dev/kpm/registry"
)

// Users of the registry the scripts run against. test/1234 is the project's well-known pair;
// alice's password is distinctive so that any leak of it into kpm's output is caught (see
// secretGuard).
const (
	secretUser     = "alice"
	secretPassword = "s3cr3t-Pa55"
)

// secrets must never appear in anything kpm prints.
var secrets = []string{
	secretPassword,
	base64.StdEncoding.EncodeToString([]byte(secretUser + ":" + secretPassword)),
}

// exitSecretLeaked is the exit code of the in-process kpm when it printed a secret.
const exitSecretLeaked = 99

func TestMain(m *testing.M) {
	testscript.Main(closeRegistryAfter{m}, map[string]func(){
		"kpm": func() { os.Exit(guardedRun()) },
	})
}

// closeRegistryAfter runs the tests, then stops the shared registry.
type closeRegistryAfter struct{ m *testing.M }

func (c closeRegistryAfter) Run() int {
	code := c.m.Run()
	if reg != nil {
		reg.Close()
	}
	return code
}

// guardedRun runs kpm with stdout and stderr scanned for secrets: every kpm run of every script
// fails with exitSecretLeaked if a password reaches its output.
func guardedRun() int {
	stdout := &secretGuard{f: os.Stdout}
	stderr := &secretGuard{f: os.Stderr}
	code := run(os.Args[1:], os.Stdin, stdout, stderr)
	if stdout.leaked || stderr.leaked {
		fmt.Fprintln(os.Stderr, "kpm test harness: a password was printed")
		return exitSecretLeaked
	}
	return code
}

// secretGuard writes through to f and records whether a secret went by.
type secretGuard struct {
	f      *os.File
	tail   []byte
	leaked bool
}

func (g *secretGuard) Fd() uintptr { return g.f.Fd() }

func (g *secretGuard) Write(p []byte) (int, error) {
	buf := append(g.tail, p...)
	for _, s := range secrets {
		if bytes.Contains(buf, []byte(s)) {
			g.leaked = true
		}
	}
	keep := 64
	if len(buf) < keep {
		keep = len(buf)
	}
	g.tail = append([]byte(nil), buf[len(buf)-keep:]...)
	return g.f.Write(p)
}

var (
	regOnce sync.Once
	reg     *devregistry.Registry
	regErr  error
)

// startRegistry starts one registry shared by the Go tests of this binary (the scripts get their
// own, see TestScripts).
func startRegistry() (*devregistry.Registry, error) {
	regOnce.Do(func() {
		reg, regErr = devregistry.Start(devregistry.Options{
			Users: map[string]string{"test": "1234", secretUser: secretPassword},
		})
	})
	return reg, regErr
}

type envKeysKey struct{}

func TestScripts(t *testing.T) {
	// One registry for all the scripts of this run (a fresh one per -count iteration, so pushes
	// of earlier iterations never collide); closed once every script has finished.
	r, err := devregistry.Start(devregistry.Options{
		Users: map[string]string{"test": "1234", secretUser: secretPassword},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	// A registry serving HTTPS with a self-signed certificate, for the TLS scripts ($TLSREG).
	tlsReg, err := devregistry.Start(devregistry.Options{
		TLS:   true,
		Users: map[string]string{"test": "1234", secretUser: secretPassword},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tlsReg.Close() })
	// Hostile registries ($HOSTILE: one misbehaviour per repository; $SILENT: never answers).
	hostile, err := hostilereg.Start(hostilereg.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hostile.Close() })
	silent, err := hostilereg.Start(hostilereg.Options{Silent: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { silent.Close() })
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		UpdateScripts:       os.Getenv("KPM_UPDATE_SCRIPTS") == "1",
		Setup: func(env *testscript.Env) error {
			home := filepath.Join(env.WorkDir, ".home")
			pkg := filepath.Join(env.WorkDir, ".kpm-home")
			docker := filepath.Join(env.WorkDir, ".docker")
			for _, d := range []string{home, pkg, docker} {
				if err := os.MkdirAll(d, 0o755); err != nil {
					return err
				}
			}
			env.Setenv("HOME", home)
			env.Setenv("KCL_PKG_PATH", pkg)
			env.Setenv("DOCKER_CONFIG", docker)
			env.Setenv("KPM_RETRY_BACKOFF", "1ms") // scripts provoke failures: keep retries short
			env.Setenv("REG", r.Host())
			env.Setenv("TLSREG", tlsReg.Host())
			env.Setenv("HOSTILE", hostile.Host())
			env.Setenv("SILENT", silent.Host())
			env.Setenv("SECRET_USER", secretUser)
			env.Setenv("SECRET_PASSWORD", secretPassword)
			var keys []string
			for _, kv := range env.Vars {
				if k, _, ok := strings.Cut(kv, "="); ok {
					keys = append(keys, k)
				}
			}
			env.Values[envKeysKey{}] = keys
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"mode":    cmdMode,
			"ptyexec": cmdPtyexec,
			"githttp": cmdGitHTTP,
			"pushraw": cmdPushRaw,
		},
	})
}

// cmdPushRaw publishes a package directory the way a foreign or hostile publisher could, with
// the registry package directly and none of kpm push's checks (path dependencies, for example):
//
//	pushraw DIR NAME VERSION oci://HOST/REPO/NAME
//
// It uses the script's credentials file ($KCL_PKG_PATH/.kpm/config/config.json).
func cmdPushRaw(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 4 {
		ts.Fatalf("usage: pushraw DIR NAME VERSION OCI_URL")
	}
	ref, err := registry.ParseOCI(args[3], args[2])
	ts.Check(err)
	opts := registry.Options{
		CredentialsFile:  filepath.Join(ts.Getenv("KCL_PKG_PATH"), ".kpm", "config", "config.json"),
		NoDockerFallback: true,
	}
	_, err = registry.Push(context.Background(), ref, registry.Package{Dir: ts.MkAbs(args[0]), Name: args[1], Version: args[2]}, registry.PushOptions{Options: opts, Force: true})
	ts.Check(err)
}

// cmdGitHTTP serves the git repositories under a directory over smart HTTP with git's own
// server (git http-backend, through net/http/cgi) and sets $GITHTTP to its base URL:
//
//	githttp $WORK/repos
//	exec kpm add 'http://...'   # $GITHTTP/NAME is the repository $WORK/repos/NAME
func cmdGitHTTP(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: githttp DIR")
	}
	git, err := exec.LookPath("git")
	ts.Check(err)
	h := &cgi.Handler{
		Path: git,
		Args: []string{"http-backend"},
		Env:  []string{"GIT_PROJECT_ROOT=" + ts.MkAbs(args[0]), "GIT_HTTP_EXPORT_ALL=1"},
	}
	srv := httptest.NewServer(h)
	ts.Defer(srv.Close)
	ts.Setenv("GITHTTP", srv.URL)
}

// cmdMode checks a file's permission bits: mode 0600 file
func cmdMode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: mode PERM file")
	}
	want, err := strconv.ParseUint(args[0], 8, 32)
	ts.Check(err)
	fi, err := os.Stat(ts.MkAbs(args[1]))
	ts.Check(err)
	got := fi.Mode().Perm()
	if (uint64(got) == want) == neg {
		ts.Fatalf("%s has mode %#o, want %s%#o", args[1], got, map[bool]string{true: "not ", false: ""}[neg], want)
	}
}

// cmdPtyexec runs a command with stdin and stderr on a pseudo-terminal and answers prompts:
//
//	ptyexec 'Username: =alice' 'Password: =secret' -- kpm login $REG
//
// Each PROMPT=REPLY waits (up to 30s) until PROMPT appears on the terminal, then types REPLY and
// a newline. The command's stdout becomes the script's stdout; the terminal output becomes its
// stderr, so `stderr` checks see the prompts and anything echoed.
func cmdPtyexec(ts *testscript.TestScript, neg bool, args []string) {
	sep := -1
	for i, a := range args {
		if a == "--" {
			sep = i
			break
		}
	}
	if sep < 0 || sep == len(args)-1 {
		ts.Fatalf("usage: ptyexec [PROMPT=REPLY...] -- command [args...]")
	}
	type answer struct{ prompt, reply string }
	var answers []answer
	for _, a := range args[:sep] {
		p, r, ok := strings.Cut(a, "=")
		if !ok {
			ts.Fatalf("ptyexec: %q: want PROMPT=REPLY", a)
		}
		answers = append(answers, answer{p, r})
	}
	name, err := exec.LookPath(args[sep+1])
	if err != nil {
		// LookPath uses the test process's PATH; kpm lives in the script's PATH.
		for _, dir := range filepath.SplitList(ts.Getenv("PATH")) {
			if p := filepath.Join(dir, args[sep+1]); fileExists(p) {
				name = p
				break
			}
		}
	}
	if name == "" {
		ts.Fatalf("ptyexec: %s not found", args[sep+1])
	}
	cmd := exec.Command(name, args[sep+2:]...)
	cmd.Args[0] = args[sep+1]
	cmd.Dir = ts.MkAbs(".")
	for _, k := range ts.Value(envKeysKey{}).([]string) {
		cmd.Env = append(cmd.Env, k+"="+ts.Getenv(k))
	}
	for _, k := range []string{"KPM_REG", "KPM_REPO", "OCI_REG_PLAIN_HTTP", "KPM_NO_SUM", "KPM_RETRY_BACKOFF"} {
		if v := ts.Getenv(k); v != "" {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	ptmx, tty, err := pty.Open()
	ts.Check(err)
	defer ptmx.Close()
	var stdout bytes.Buffer
	cmd.Stdin, cmd.Stderr, cmd.Stdout = tty, tty, &stdout
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	ts.Check(cmd.Start())
	// The parent keeps its tty descriptor until every answer is typed, to read the terminal's
	// echo flag; closing it afterwards lets the reader see the end of the output.
	ttyOpen := true
	closeTTY := func() {
		if ttyOpen {
			tty.Close()
			ttyOpen = false
		}
	}
	defer closeTTY()

	var (
		mu     sync.Mutex
		term   bytes.Buffer
		readCh = make(chan struct{}, 1)
		done   = make(chan struct{})
	)
	go func() {
		defer close(done)
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			if n > 0 {
				mu.Lock()
				term.Write(buf[:n])
				mu.Unlock()
				select {
				case readCh <- struct{}{}:
				default:
				}
			}
			if err != nil {
				return
			}
		}
	}()
	deadline := time.Now().Add(30 * time.Second)
	seen := 0
	for _, a := range answers {
		for {
			mu.Lock()
			i := strings.Index(term.String()[seen:], a.prompt)
			mu.Unlock()
			if i >= 0 {
				seen += i + len(a.prompt)
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				ts.Fatalf("ptyexec: prompt %q never appeared; terminal: %q", a.prompt, term.String())
			}
			select {
			case <-readCh:
			case <-done:
				mu.Lock()
				out := term.String()
				mu.Unlock()
				if !strings.Contains(out[seen:], a.prompt) {
					ts.Fatalf("ptyexec: command ended before prompt %q; terminal: %q", a.prompt, out)
				}
			case <-time.After(100 * time.Millisecond):
			}
		}
		if strings.Contains(a.prompt, "Password") {
			// Type only once the program has turned echo off, as a person would after
			// reading the prompt; typing earlier would be echoed by the terminal.
			for echoOn(tty) {
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					ts.Fatalf("ptyexec: echo never turned off after prompt %q", a.prompt)
				}
				time.Sleep(5 * time.Millisecond)
			}
		}
		_, err := io.WriteString(ptmx, a.reply+"\n")
		ts.Check(err)
	}
	closeTTY()
	waitErr := make(chan error, 1)
	go func() { waitErr <- cmd.Wait() }()
	select {
	case err = <-waitErr:
	case <-time.After(time.Until(deadline)):
		cmd.Process.Kill()
		err = <-waitErr
		ts.Logf("ptyexec: killed after 30s")
	}
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
	mu.Lock()
	termOut := term.String()
	mu.Unlock()
	fmt.Fprint(ts.Stdout(), stdout.String())
	fmt.Fprint(ts.Stderr(), termOut)
	if err != nil && !neg {
		ts.Fatalf("ptyexec: %v", err)
	}
	if err == nil && neg {
		ts.Fatalf("ptyexec: unexpected success")
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
