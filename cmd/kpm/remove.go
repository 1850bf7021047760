package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kpm-dev/kpm/commands"
)

func newRemoveCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "remove NAME",
		Short: "Remove a dependency from kcl.mod and kcl.mod.lock",
		Long: `Remove the dependency NAME (its key in kcl.mod) from the package in the current directory:
its entry is deleted from kcl.mod (the rest of the file is kept as it is) and kcl.mod.lock is
rewritten without it and without the transitive dependencies nothing else needs. The package
cache is left alone.`,
		Example: `  kpm remove helloworld`,
		Args:    argsRange(1, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.Settings()
			if err != nil {
				return err
			}
			res, err := commands.Remove(cmd.Context(), commands.RemoveOptions{
				Settings:              s,
				InsecureSkipTLSVerify: a.insecure,
				Progress:              a.Progress(),
				Name:                  args[0],
			})
			if err != nil {
				return err
			}
			a.Println("removed " + res.Name + " from kcl.mod")
			for _, c := range res.Changes {
				a.Println(c.String())
			}
			if res.LockChanged {
				a.Println(fmt.Sprintf("updated kcl.mod.lock (%d dependencies)", res.Dependencies))
			}
			return nil
		},
	}
	return cmd
}
