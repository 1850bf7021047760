package main

import (
	"github.com/spf13/cobra"

	"github.com/kpm-dev/kpm/commands"
)

func newPullCmd(a *app) *cobra.Command {
	var tag string
	cmd := &cobra.Command{
		Use:   "pull NAME[:VERSION] | --tag TAG OCI_URL",
		Short: "Fetch a package from an OCI registry into the package cache",
		Long: `Fetch a package, verify its digests and checksum and unpack it into
$KCL_PKG_PATH/<name>_<tag>. Prints where the package is.

  kpm pull helloworld:0.1.4                     from $KPM_REG/$KPM_REPO
  kpm pull helloworld                           the highest semantic-version tag
  kpm pull --tag 0.1.4 oci://HOST/REPO/NAME
  kpm pull 'oci://HOST/REPO/NAME?tag=0.1.4'`,
		Args: argsRange(1, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.Settings()
			if err != nil {
				return err
			}
			res, err := commands.Pull(cmd.Context(), commands.PullOptions{
				Settings:              s,
				InsecureSkipTLSVerify: a.insecure,
				Progress:              a.Progress(),
				Source:                args[0],
				Tag:                   tag,
			})
			if err != nil {
				return err
			}
			a.Println("pulled " + res.Reference)
			a.Println("digest: " + res.Digest)
			a.Println("path: " + res.Path)
			return nil
		},
	}
	cmd.Flags().StringVar(&tag, "tag", "", "tag to pull from an oci:// URL")
	return cmd
}
