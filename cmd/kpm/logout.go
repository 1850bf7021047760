package main

import (
	"github.com/spf13/cobra"

	"github.com/kpm-dev/kpm/commands"
)

func newLogoutCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "logout REGISTRY",
		Short: "Remove the stored credentials of an OCI registry",
		Args:  argsRange(1, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.Settings()
			if err != nil {
				return err
			}
			res, err := commands.Logout(cmd.Context(), commands.LogoutOptions{
				Settings: s,
				Progress: a.Progress(),
				Registry: args[0],
			})
			if err != nil {
				return err
			}
			a.Println(res.Message)
			return nil
		},
	}
}
