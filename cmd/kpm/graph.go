package main

import (
	"github.com/spf13/cobra"

	"github.com/kpm-dev/kpm/commands"
)

func newGraphCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "graph",
		Short: "Print the module dependency graph",
		Long: `Print the dependency graph of the package in the current directory, one edge per line as
"requirer@version requirement@version", breadth-first from the package itself (upstream's
format). Missing dependencies are downloaded and kcl.mod.lock is updated, as for kpm run.`,
		Example: `  kpm graph
  # app@0.1.0 helloworld@0.1.4
  # helloworld@0.1.4 base@0.1.0`,
		Args: argsRange(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.Settings()
			if err != nil {
				return err
			}
			edges, err := commands.Graph(cmd.Context(), commands.GraphOptions{
				Settings:              s,
				InsecureSkipTLSVerify: a.insecure,
				Progress:              a.Progress(),
			})
			if err != nil {
				return err
			}
			for _, e := range edges {
				a.Println(e.From + " " + e.To)
			}
			return nil
		},
	}
}
