package main

import (
	"github.com/spf13/cobra"

	"github.com/kpm-dev/kpm/commands"
)

func newFmtCmd(a *app) *cobra.Command {
	var check bool
	cmd := &cobra.Command{
		Use:   "fmt [--check] [FILE|DIR...]",
		Short: "Format KCL files in the canonical layout",
		Long: `Rewrite .k files in KCL's canonical layout (the formatter of kpm lsp): 4-space
indentation, spaces around operators, one config entry per line, comments kept. Directories
are searched recursively (hidden directories and vendor/ are skipped); with no argument, the
current directory. Prints the files it rewrote. A file with a syntax error stops it before
anything is written.

With --check nothing is written: the files that are not formatted are listed and kpm exits
with status 1.`,
		Example: `  kpm fmt                    format every .k file under the current directory
  kpm fmt main.k models      a file and a directory
  kpm fmt --check            list unformatted files (exit status 1 when there are some)`,
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := commands.Format(cmd.Context(), commands.FormatOptions{Paths: args, Check: check})
			for _, f := range res.Changed {
				a.Println(displayPath(f))
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&check, "check", false, "list unformatted files and exit 1 if there are any; write nothing")
	return cmd
}
