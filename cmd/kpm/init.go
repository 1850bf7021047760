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
		Use:   "init [NAME]",
		Short: "Create a KCL package (in NAME/, or in the current directory)",
		Long: `Create kcl.mod, an empty kcl.mod.lock and main.k. With NAME, the package goes into the
directory NAME/ (created when missing), as upstream kpm does; without it, into the current
directory, named after it. Existing files are kept, never overwritten. Names must match
` + workspace.PackageNameRule + `.`,
		Example: `  kpm init my_pkg && cd my_pkg     a new package in my_pkg/
  kpm init                          the current directory, named after it
  kpm init web-app --version 1.2.3`,
		Args: argsRange(0, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := commands.InitOptions{Progress: a.Progress(), Version: version}
			if len(args) == 1 {
				opts.Name = args[0]
				opts.Dir = args[0]
				if err := commands.ValidatePackageName(opts.Name); err != nil {
					return usagef("init: %v", err)
				}
			}
			if version != "" {
				if err := commands.ValidateVersion(version); err != nil {
					return usagef("init: --version: %v", err)
				}
			}
			res, err := commands.Init(cmd.Context(), opts)
			if err != nil {
				return err
			}
			if len(res.Files) == 0 {
				a.Println("nothing to do: kcl.mod, kcl.mod.lock and main.k already exist in " + displayPath(res.Path))
				return nil
			}
			a.Println(fmt.Sprintf("initialized package %s %s in %s", res.Name, res.Version, displayPath(res.Path)))
			return nil
		},
	}
	cmd.Flags().StringVar(&version, "version", "", "package version (default "+commands.DefaultVersion+")")
	return cmd
}
