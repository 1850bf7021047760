package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	runtimedebug "runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/kpm-dev/kpm/commands"
	"github.com/kpm-dev/kpm/workspace"
)

func newRunCmd(a *app) *cobra.Command {
	var (
		tag         string
		defines     []string
		output      string
		format      string
		selectors   []string
		sortKeys    bool
		disableNone bool
		showHidden  bool
		offline     bool
		settings    []string
		strictRange bool
		debug       bool
		externals   []string
		inputs      []string
		overrides   []string
		vendor      bool
		noSumCheck  bool
	)
	cmd := &cobra.Command{
		Use:   "run [DIR | FILE.k... | OCI_URL | NAME[:VERSION]]",
		Short: "Evaluate a KCL package and print its result as YAML",
		Long: `Resolve the dependencies of a KCL package, evaluate it and print the public top-level
variables as YAML (or JSON) on stdout. Errors go to stderr as file:line:col: Kind: message.
NAME[:VERSION] comes from DefaultOciRegistry/DefaultOciRepo of the settings file
($KCL_PKG_PATH/.kpm/config/kpm.json, else $KCL_PKG_PATH/.kpm/config.json) or $KPM_REG/$KPM_REPO.
A cached --tag is checked against the registry (one request; none with --offline) and fetched
again when the tag was pushed again.`,
		Example: `  kpm run                               the package in the current directory
  kpm run ./app  |  kpm run main.k b.k  a directory or files (kcl.mod is optional)
  kpm run --input main.k --input b.k    entry files, upstream's spelling
  kpm run --tag 0.1.0 oci://HOST/REPO/NAME
  kpm run helloworld:0.1.4              from the default registry (the cache when present)
  kpm run -D env=prod -S app --format json
  kpm run -O app.replicas=3 -O app.debug-   override or delete before evaluation
  kpm run --vendor                      dependencies copied into vendor/ and used from there`,
		Args: argsRange(0, -1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "", "yaml", "json":
			default:
				return usagef("run: --format must be yaml or json, got %q", format)
			}
			var files []string
			if len(settings) == 0 {
				// as the toolchain does, a kcl.yaml in the working directory is a settings file
				if _, err := os.Stat(commands.DefaultSettingsFile); err == nil {
					settings = []string{commands.DefaultSettingsFile}
				}
			}
			if len(settings) > 0 {
				wd, err := os.Getwd()
				if err != nil {
					return err
				}
				st, err := commands.LoadRunSettings(wd, settings)
				if err != nil {
					return err
				}
				files = st.Files
				defines = append(st.Defines, defines...)
				overrides = append(st.Overrides, overrides...)
				externals = append(st.Externals, externals...)
				selectors = append(st.Selectors, selectors...)
				sortKeys = sortKeys || st.SortKeys
				disableNone = disableNone || st.DisableNone
				showHidden = showHidden || st.ShowHidden
				strictRange = strictRange || st.StrictRange
				if output == "" {
					output = st.Output
				}
			}
			defs := map[string]string{}
			for _, d := range defines {
				k, v, ok := strings.Cut(d, "=")
				if !ok || k == "" {
					return usagef("run: -D wants key=value, got %q", d)
				}
				defs[k] = v
			}
			var ext map[string]string
			for _, x := range externals {
				k, v, ok := strings.Cut(x, "=")
				if !ok || k == "" || v == "" {
					return usagef("run: -E wants name=path, got %q", x)
				}
				if ext == nil {
					ext = map[string]string{}
				}
				ext[k] = v
			}
			opts := commands.RunOptions{
				ExternalPackages:      ext,
				InsecureSkipTLSVerify: a.insecure,
				Progress:              a.Progress(),
				Tag:                   tag,
				Args:                  defs,
				Format:                format,
				Selectors:             selectors,
				SortKeys:              sortKeys,
				DisableNone:           disableNone,
				ShowHidden:            showHidden,
				StrictRangeCheck:      strictRange,
				Offline:               offline,
				Overrides:             overrides,
				Vendor:                vendor,
				NoSumCheck:            noSumCheck,
			}
			files = append(files, inputs...)
			if len(args) == 0 && len(files) > 0 {
				args = files
			} else {
				args = append(args, inputs...)
			}
			if len(args) > 0 {
				opts.Source = args[0]
				opts.Files = args[1:]
			}
			if s, err := a.Settings(); err == nil {
				opts.Settings = s
			}
			if os.Getenv("GOGC") == "" {
				// one batch process, whose peak is what a container's memory limit meets: the
				// heap stays within 1.5x the live data, not 2x (a large program peaks a fifth
				// lower for about a sixth more CPU; small ones see no difference; BENCHMARKS.md)
				runtimedebug.SetGCPercent(50)
			}
			// print() output streams to stdout, before the result, as the toolchain prints it
			printed := newStreamWriter(a.stdout)
			opts.Stdout = printed
			res, err := commands.Run(cmd.Context(), opts)
			if ferr := printed.Flush(); err == nil {
				err = ferr
			}
			if err != nil {
				return err
			}
			if output != "" {
				// Atomic: an existing output file is replaced only by a complete one.
				if err := workspace.WriteFileAtomic(output, []byte(res.Output), 0o644); err != nil {
					return err
				}
				return nil
			}
			fmt.Fprint(a.stdout, res.Output)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&tag, "tag", "", "tag of an oci:// source")
	f.StringArrayVarP(&defines, "define", "D", nil, "set an option read by option(): -D key=value (repeatable)")
	f.StringVarP(&output, "output", "o", "", "write the result to FILE instead of stdout")
	f.StringVar(&format, "format", "yaml", "output format: yaml or json")
	f.StringArrayVarP(&selectors, "path", "S", nil, "print only this variable (name or name.key)")
	f.BoolVarP(&sortKeys, "sort-keys", "k", false, "sort dict keys in the output")
	f.BoolVarP(&disableNone, "disable-none", "n", false, "drop None values from the output")
	f.BoolVarP(&showHidden, "show-hidden", "H", false, "also print private (_name) variables and attributes")
	f.StringArrayVarP(&externals, "external", "E", nil, "map an import name to a package directory: -E name=path (repeatable)")
	f.BoolVarP(&strictRange, "strict-range-check", "r", false, "arithmetic results that do not fit in 32 bits are errors")
	f.BoolVarP(&debug, "debug", "d", false, "accepted for compatibility with kcl run; no effect")
	f.StringArrayVarP(&settings, "setting", "Y", nil, "read files, options and flags from a KCL settings YAML file (kcl_cli_configs, kcl_options)")
	f.BoolVar(&offline, "offline", false, "never contact a registry (dependencies must be cached)")
	f.StringArrayVar(&inputs, "input", nil, "an entry file (repeatable; upstream's spelling of the FILE.k arguments)")
	f.StringArrayVarP(&overrides, "overrides", "O", nil, "override before evaluation: -O path=value, or delete: -O path- (repeatable)")
	f.BoolVar(&vendor, "vendor", false, "copy the dependencies into vendor/ in the package and use them from there")
	f.BoolVar(&noSumCheck, "no-sum-check", false, "check no dependency checksum and leave kcl.mod.lock alone")
	return cmd
}

// streamWriter buffers print() output and writes it out within printFlushDelay, so prints appear
// while the program runs without one write per print (10^7 prints).
type streamWriter struct {
	mu    sync.Mutex
	w     *bufio.Writer
	timer *time.Timer
}

const printFlushDelay = 100 * time.Millisecond

func newStreamWriter(w io.Writer) *streamWriter {
	return &streamWriter{w: bufio.NewWriterSize(w, 64<<10)}
}

func (s *streamWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.w.Write(p)
	if s.w.Buffered() > 0 && s.timer == nil {
		s.timer = time.AfterFunc(printFlushDelay, func() { _ = s.Flush() })
	}
	return n, err
}

// Flush writes out what is buffered.
func (s *streamWriter) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
	return s.w.Flush()
}
