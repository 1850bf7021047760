package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/kpm-dev/kpm/commands"
)

func newLogoutCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "logout REGISTRY",
		Short: "Remove the stored credentials of an OCI registry",
		Long: `Remove the credentials of REGISTRY (host[:port], no scheme) from
$KCL_PKG_PATH/.kpm/config/config.json. Not being logged in is an error.`,
		Example: `  kpm logout localhost:5001
  kpm logout ghcr.io`,
		Args: argsRange(1, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if scheme, rest, ok := strings.Cut(args[0], "://"); ok {
				return usagef("logout: %s: drop the %s:// scheme: kpm logout %s", args[0], scheme, strings.SplitN(rest, "/", 2)[0])
			}
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
