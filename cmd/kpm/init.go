package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kpm-dev/kpm/commands"
	"github.com/kpm-dev/kpm/workspace"
)

func newInitCmd(a *app) *cobra.Command {
	var version string
	cmd := &cobra.Command{
		Use:   "init [name]",
		Short: "Create a KCL package in the current directory",
		Long: `Create kcl.mod, an empty kcl.mod.lock and main.k in the current directory.
Existing files are kept, never overwritten. The package name defaults to the directory name and
must match ` + workspace.PackageNameRule + `.`,
		Args: argsRange(0, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := commands.InitOptions{Progress: a.Progress(), Version: version}
			if len(args) == 1 {
				opts.Name = args[0]
			}
			res, err := commands.Init(cmd.Context(), opts)
			if err != nil {
				return err
			}
			if len(res.Files) == 0 {
				a.Println("nothing to do: kcl.mod, kcl.mod.lock and main.k already exist in " + res.Path)
				return nil
			}
			a.Println(fmt.Sprintf("initialized package %s %s in %s", res.Name, res.Version, res.Path))
			return nil
		},
	}
	cmd.Flags().StringVar(&version, "version", "", "package version (default "+commands.DefaultVersion+")")
	return cmd
}
