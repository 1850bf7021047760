package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/kpm-dev/kpm/lsp"
)

func newLspCmd(a *app) *cobra.Command {
	var logFile string
	cmd := &cobra.Command{
		Use:   "lsp",
		Short: "Run the language server (LSP over stdio) for kcl.mod, kpm.json and KCL files",
		Long: `Run kpm's language server on stdin/stdout. Editors start it themselves; see docs/lsp.md.

Nothing but protocol messages is written to stdout; --log FILE writes a debug log (never
containing passwords).`,
		Example: `  kpm lsp                        as an editor starts it
  kpm lsp --log /tmp/kpm-lsp.log`,
		Args: argsRange(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			var logw io.Writer
			if logFile != "" {
				f, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
				if err != nil {
					return fmt.Errorf("lsp: open log file: %w", err)
				}
				defer f.Close()
				logw = f
			}
			if os.Getenv("GOGC") == "" {
				// The server re-parses a whole kcl.mod on every keystroke: trading some memory
				// (about 40 MiB with 500 dependencies) for a third less CPU per edit.
				debug.SetGCPercent(400)
			}
			if os.Getenv("GOMEMLIMIT") == "" {
				debug.SetMemoryLimit(lsp.MemoryLimit)
			}
			return lsp.Serve(cmd.Context(), stdio{a.stdin, a.stdout}, lsp.Options{Log: logw, Version: kpmVersion()})
		},
	}
	cmd.Flags().StringVar(&logFile, "log", "", "write a debug log to `FILE`")
	// Language clients add these on their own: vscode-languageclient appends --stdio for its stdio
	// transport, others pass --clientProcessId=N. stdio is the only transport, and the server ends
	// when its input closes, so both are accepted and ignored.
	var stdioFlag bool
	var clientPID int
	cmd.Flags().BoolVar(&stdioFlag, "stdio", false, "talk LSP over stdin/stdout (the default and only transport)")
	cmd.Flags().IntVar(&clientPID, "clientProcessId", 0, "the editor's process id (accepted for compatibility; unused)")
	_ = cmd.Flags().MarkHidden("stdio")
	_ = cmd.Flags().MarkHidden("clientProcessId")
	return cmd
}

// stdio joins stdin and stdout into the server's stream.
type stdio struct {
	r io.Reader
	w io.Writer
}

func (s stdio) Read(p []byte) (int, error)  { return s.r.Read(p) }
func (s stdio) Write(p []byte) (int, error) { return s.w.Write(p) }
func (s stdio) Close() error {
	if c, ok := s.r.(io.Closer); ok {
		c.Close()
	}
	return nil
}
