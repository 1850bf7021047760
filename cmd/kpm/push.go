package main

import (
	"github.com/spf13/cobra"

	"github.com/kpm-dev/kpm/commands"
)

func newPushCmd(a *app) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "push [oci_url] [--force]",
		Short: "Publish the package in the current directory to an OCI registry",
		Long: `Pack the package in the current directory (it must hold kcl.mod) and push it, tagged with
its version, to oci_url (oci://HOST/REPO/NAME) or to oci://$KPM_REG/$KPM_REPO/<name>.
An existing tag is refused unless --force. Prints the reference pushed and the manifest digest.`,
		Args: argsRange(0, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.Settings()
			if err != nil {
				return err
			}
			opts := commands.PushOptions{
				Settings:              s,
				InsecureSkipTLSVerify: a.insecure,
				Progress:              a.Progress(),
				Force:                 force,
			}
			if len(args) == 1 {
				opts.Source = args[0]
			}
			res, err := commands.Push(cmd.Context(), opts)
			if err != nil {
				return err
			}
			a.Println("pushed " + res.Reference)
			a.Println("digest: " + res.Digest)
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "replace an existing tag")
	return cmd
}
