package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kpm-dev/kpm/commands"
)

func newUpdateCmd(a *app) *cobra.Command {
	var noSumCheck bool
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Re-resolve the dependencies and update kcl.mod.lock",
		Long: `Resolve every dependency of the package in the current directory again (transitive
ones included), download what is missing and rewrite kcl.mod.lock if it changed. When two
packages ask for different versions of one dependency, the highest is used; each such choice
is printed. --no_sum_check checks no checksum and leaves kcl.mod.lock alone.`,
		Example: `  kpm update
  kpm update --no_sum_check`,
		Args: argsRange(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.Settings()
			if err != nil {
				return err
			}
			res, err := commands.Update(cmd.Context(), commands.UpdateOptions{
				Settings:              s,
				InsecureSkipTLSVerify: a.insecure,
				Progress:              a.Progress(),
				NoSumCheck:            noSumCheck,
			})
			if err != nil {
				return err
			}
			for _, c := range res.Choices {
				a.Println(c.String())
			}
			for _, c := range res.Changes {
				a.Println(c.String())
			}
			switch {
			case noSumCheck:
				a.Println(fmt.Sprintf("kcl.mod.lock left alone (--no_sum_check; %d dependencies)", res.Dependencies))
			case res.Changed:
				a.Println(fmt.Sprintf("updated kcl.mod.lock (%d dependencies)", res.Dependencies))
			default:
				a.Println(fmt.Sprintf("kcl.mod.lock is up to date (%d dependencies)", res.Dependencies))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&noSumCheck, "no-sum-check", false, "check no checksum and leave kcl.mod.lock alone")
	return cmd
}
