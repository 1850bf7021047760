package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/kpm-dev/kpm/commands"
)

func newImportCmd(a *app) *cobra.Command {
	var (
		mode, output string
		force        bool
	)
	cmd := &cobra.Command{
		Use:   "import [-m MODE] [-o FILE] [--force] FILE",
		Short: "Convert JSON, YAML, JSON Schema, Go structs or a Terraform schema to KCL",
		Long: `Write a KCL file from another format (upstream's modes):
  json, yaml        data to a KCL config
  jsonschema        a JSON Schema to KCL schemas
  gostruct          the struct types of a Go file to KCL schemas
  terraformschema   the output of 'terraform providers schema -json' to KCL schemas
  auto              by extension (.json, .yaml/.yml, .go) and, for JSON, content (default)
The output defaults to generated.k; an existing file is kept unless --force.`,
		Example: `  kpm import config.yaml                    generated.k
  kpm import -m jsonschema -o book.k book.schema.json
  kpm import -m gostruct -o types.k types.go --force`,
		Args: argsRange(1, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			known := false
			for _, m := range commands.ImportModes {
				known = known || m == mode
			}
			if !known {
				return usagef("import: unknown mode %q: want one of %s", mode, strings.Join(commands.ImportModes, ", "))
			}
			res, err := commands.Import(cmd.Context(), commands.ImportOptions{
				Progress: a.Progress(),
				Input:    args[0],
				Mode:     mode,
				Output:   output,
				Force:    force,
			})
			if err != nil {
				return err
			}
			a.Println(res.Output)
			return nil
		},
	}
	cmd.Flags().StringVarP(&mode, "mode", "m", "auto", "input format: "+strings.Join(commands.ImportModes, ", "))
	cmd.Flags().StringVarP(&output, "output", "o", "", "KCL file to write (default "+commands.DefaultImportOutput+")")
	cmd.Flags().BoolVarP(&force, "force", "f", false, "replace an existing output file")
	return cmd
}
