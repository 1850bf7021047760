package main

import (
	"github.com/spf13/cobra"

	"github.com/kpm-dev/kpm/commands"
)

func newPullCmd(a *app) *cobra.Command {
	var tag string
	cmd := &cobra.Command{
		Use:   "pull SOURCE [DIR]",
		Short: "Fetch a package from an OCI registry into DIR/<registry>/<repository>/<tag>",
		Long: `Fetch a package, verify its digests and checksum and unpack it under DIR (default: the
current directory) as <registry>/<repository>/<tag>, the layout upstream kpm writes. Prints
where the package is. SOURCE is NAME[:VERSION] (from DefaultOciRegistry/DefaultOciRepo of the
settings file, or $KPM_REG/$KPM_REPO) or an OCI URL with --tag or ?tag=. Without a version,
the highest semantic-version tag. An existing copy is replaced once the new one is complete.`,
		Example: `  kpm pull helloworld:0.1.4                 ./ghcr.io/kcl-lang/helloworld/0.1.4
  kpm pull helloworld                       the highest semantic-version tag
  kpm pull --tag 0.1.4 oci://HOST/REPO/NAME
  kpm pull 'oci://HOST/REPO/NAME?tag=0.1.4' vendor_dir`,
		Args: argsRange(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.Settings()
			if err != nil {
				return err
			}
			under := "."
			if len(args) == 2 {
				under = args[1]
			}
			res, err := commands.Pull(cmd.Context(), commands.PullOptions{
				Settings:              s,
				InsecureSkipTLSVerify: a.insecure,
				Progress:              a.Progress(),
				Source:                args[0],
				Tag:                   tag,
				Under:                 under,
			})
			if err != nil {
				return err
			}
			a.Println("pulled " + res.Reference)
			a.Println("digest: " + res.Digest)
			a.Println("path: " + displayPath(res.Path))
			return nil
		},
	}
	cmd.Flags().StringVar(&tag, "tag", "", "tag to pull from an OCI URL")
	return cmd
}
