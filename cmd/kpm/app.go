package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/kpm-dev/kpm/commands"
	"github.com/kpm-dev/kpm/internal/redact"
	"github.com/kpm-dev/kpm/registry"
	"github.com/kpm-dev/kpm/workspace"
)

// version is kpm's version: set with -ldflags "-X main.version=v1.2.3", else the module version
// from the build info (`go install module@v1.2.3`, or the pseudo-version `go build` stamps from
// git), else v0.0.0-devel+<commit> when the build info has the commit, else v0.0.0-devel.
var version = ""

func kpmVersion() string {
	if version != "" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "v0.0.0-devel"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return "v0.0.0-devel+" + s.Value[:12]
		}
	}
	return "v0.0.0-devel"
}

// Exit codes (documented in README.md).
const (
	exitOK          = 0
	exitError       = 1   // the operation failed
	exitUsage       = 2   // bad command line: unknown command or flag, wrong number of arguments
	exitInterrupted = 130 // interrupted by SIGINT/SIGTERM
)

// app is the state shared by every subcommand: standard streams and global flags.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer

	quiet     bool // -q/--quiet: no messages or progress on stderr
	insecure  bool // --insecure-skip-tls-verify
	plainHTTP bool // --plain-http

	settings *workspace.Settings
}

// Settings loads the settings once per process and shows their warnings (unknown keys, two
// settings files that differ) once on stderr.
func (a *app) Settings() (*workspace.Settings, error) {
	if a.settings == nil {
		s, err := workspace.LoadSettings()
		if err != nil {
			return nil, err
		}
		if w := s.CredentialsWarning(); w != "" {
			a.Warn("%s", w)
		}
		if a.plainHTTP {
			on := true
			s.PlainHTTP = &on
		}
		a.settings = s
		if !a.quiet {
			for _, w := range s.Warnings {
				fmt.Fprintln(a.stderr, "kpm: "+w)
			}
		}
	}
	return a.settings, nil
}

// Progress returns the progress display on stderr: nothing with -q, a bar when stderr is a
// terminal, plain lines otherwise.
func (a *app) Progress() commands.Progress {
	if a.quiet {
		return commands.Discard
	}
	return newDisplay(a.stderr, isTerminal(a.stderr))
}

// Println prints a result line on stdout (results are printed even with -q).
func (a *app) Println(args ...any) {
	fmt.Fprint(a.stdout, redact.Text(fmt.Sprintln(args...)))
}

// Warn prints a warning on stderr unless -q.
func (a *app) Warn(format string, args ...any) {
	if !a.quiet {
		fmt.Fprintln(a.stderr, redact.Text("kpm: warning: "+fmt.Sprintf(format, args...)))
	}
}

func isTerminal(w any) bool {
	f, ok := w.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}

// usageError marks a command-line mistake (exit code 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usagef returns a usage error.
func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// argsRange validates the number of positional arguments and reports a usage error.
func argsRange(min, max int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		n := len(args)
		switch {
		case n < min && min == max:
			return usagef("%s: want %d argument(s), got %d; usage: %s", cmd.Name(), min, n, cmd.UseLine())
		case n < min:
			return usagef("%s: want at least %d argument(s), got %d; usage: %s", cmd.Name(), min, n, cmd.UseLine())
		case max >= 0 && n > max:
			return usagef("%s: want at most %d argument(s), got %d; usage: %s", cmd.Name(), max, n, cmd.UseLine())
		}
		return nil
	}
}

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "kpm",
		Short: "kpm is the KCL package manager",
		Long: `kpm creates KCL packages, publishes them to OCI registries and fetches them back.

Results go to stdout; messages and progress go to stderr.`,
		Version:           kpmVersion(),
		SilenceErrors:     true,
		SilenceUsage:      true,
		DisableAutoGenTag: true,
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
		// one typo away, or a prefix: "pul" suggests pull, not also push, pkg and run
		SuggestionsMinimumDistance: 1,
	}
	root.PersistentFlags().BoolVarP(&a.quiet, "quiet", "q", false, "print no messages or progress on stderr")
	root.PersistentFlags().BoolVar(&a.insecure, "insecure-skip-tls-verify", false, "do not verify registry TLS certificates")
	root.PersistentFlags().BoolVar(&a.plainHTTP, "plain-http", false, "talk to registries over plain HTTP (automatic for localhost and loopback addresses)")
	root.SetVersionTemplate("kpm version {{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	for _, sub := range subcommands {
		root.AddCommand(sub(a))
	}
	hideRegistryFlags(root)
	root.SetGlobalNormalizationFunc(normalizeFlag)
	return root
}

// normalizeFlag accepts upstream's and kcl run's spellings: --no_sum_check, --tar_path,
// --sort_keys next to --no-sum-check; --path_selector for --path and --argument for --define.
func normalizeFlag(_ *pflag.FlagSet, name string) pflag.NormalizedName {
	name = strings.ReplaceAll(name, "_", "-")
	switch name {
	case "path-selector":
		name = "path"
	case "argument":
		name = "define"
	}
	return pflag.NormalizedName(name)
}

// offlineCommands never talk to a registry: their help leaves out the registry flags.
var offlineCommands = map[string]bool{"init": true, "import": true, "completion": true, "fmt": true}

// hideRegistryFlags shows the registry flags (--insecure-skip-tls-verify, --plain-http) only in
// the help of commands that talk to registries. They stay global, so that
// `kpm --plain-http pull ...` works as before.
func hideRegistryFlags(root *cobra.Command) {
	help := root.HelpFunc()
	for _, c := range root.Commands() {
		if !offlineCommands[c.Name()] {
			continue
		}
		c.SetHelpFunc(func(c *cobra.Command, args []string) {
			for _, name := range []string{"insecure-skip-tls-verify", "plain-http"} {
				root.PersistentFlags().Lookup(name).Hidden = true
			}
			help(c, args)
		})
	}
}

// upstreamArgs rewrites single-dash long flags (`-git URL`, `-tag=T`), which upstream's CLI
// library accepts, into `--git URL`: an argument is rewritten when its name is the long name of
// a flag of cmd (or a global flag) and not a shorthand. Arguments after `--` are left alone.
func upstreamArgs(root *cobra.Command, args []string) []string {
	cmd, _, err := root.Find(args)
	if err != nil {
		cmd = root
	}
	long := map[string]bool{"help": true} // cobra adds help (and the root's version) flags late
	if cmd == root {
		long["version"] = true
	}
	collect := func(f *pflag.Flag) { long[f.Name] = true }
	cmd.Flags().VisitAll(collect)
	cmd.InheritedFlags().VisitAll(collect)
	out := make([]string, 0, len(args))
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...)
		}
		if len(a) > 2 && a[0] == '-' && a[1] != '-' {
			name, _, _ := strings.Cut(a[1:], "=")
			if long[strings.ReplaceAll(name, "_", "-")] {
				a = "-" + a
			}
		}
		out = append(out, a)
	}
	return out
}

// run executes kpm with args and returns the exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	registry.Version = kpmVersion()
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr}
	root := newRootCmd(a)
	root.SetArgs(upstreamArgs(root, args))
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	printError(stderr, err)
	switch {
	case ctx.Err() != nil:
		return exitInterrupted
	case isUsage(err):
		return exitUsage
	default:
		return exitError
	}
}

func isUsage(err error) bool {
	var ue usageError
	if errors.As(err, &ue) {
		return true
	}
	// cobra's own command-line errors are plain errors.
	msg := err.Error()
	return strings.HasPrefix(msg, "unknown command ") || strings.HasPrefix(msg, "unknown flag") ||
		strings.HasPrefix(msg, "unknown shorthand flag") || strings.HasPrefix(msg, "flag needs an argument") ||
		strings.HasPrefix(msg, "invalid argument ")
}
