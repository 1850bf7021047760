package main

import (
	"github.com/spf13/cobra"

	"github.com/kpm-dev/kpm/commands"
)

func newPkgCmd(a *app) *cobra.Command {
	var (
		target string
		vendor bool
	)
	cmd := &cobra.Command{
		Use:   "pkg --target DIR",
		Short: "Package the package in the current directory into DIR/<name>_<version>.tar",
		Long: `Write the package in the current directory as an uncompressed tar, <name>_<version>.tar,
into DIR (created when missing), as upstream kpm does. The file selection is push's: everything
except paths containing .git or .tar, filtered by [package].include and exclude. kpm push
--tar_path publishes such an archive. Prints the archive's path.`,
		Example: `  kpm pkg --target dist                     dist/my_pkg_0.0.1.tar
  kpm pkg --target dist --vendor            with the dependencies in vendor/`,
		Args: argsRange(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if target == "" {
				return usagef("pkg: --target DIR is required (the directory the .tar is written into)")
			}
			s, err := a.Settings()
			if err != nil {
				return err
			}
			res, err := commands.Package(cmd.Context(), commands.PackageOptions{
				Settings:              s,
				InsecureSkipTLSVerify: a.insecure,
				Progress:              a.Progress(),
				Target:                target,
				Vendor:                vendor,
			})
			if err != nil {
				return err
			}
			a.Println(displayPath(res.Path))
			return nil
		},
	}
	cmd.Flags().StringVar(&target, "target", "", "directory the archive is written into")
	cmd.Flags().BoolVar(&vendor, "vendor", false, "copy the dependencies into vendor/ first, so that the archive carries them")
	return cmd
}
