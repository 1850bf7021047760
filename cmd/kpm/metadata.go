package main

import (
	"encoding/json"

	"github.com/spf13/cobra"

	"github.com/kpm-dev/kpm/commands"
)

func newMetadataCmd(a *app) *cobra.Command {
	var update, vendor bool
	cmd := &cobra.Command{
		Use:   "metadata",
		Short: "Print the dependencies and their local directories as JSON",
		Long: `Print {"packages":{"<name>":{"name":"<name>","manifest_path":"<dir>"}}} for every
dependency of the package in the current directory (transitive ones included), named as they
are imported ('-' in kcl.mod's key becomes '_'), as upstream prints them.
Without --update it never touches the network and fails when a dependency is not in the
package cache; --update downloads what is missing. --vendor copies the dependencies into
vendor/ in the package and lists those copies.`,
		Example: `  kpm metadata
  kpm metadata --update      download what is missing first
  kpm metadata --vendor      list (and fill) vendor/`,
		Args: argsRange(0, 0),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.Settings()
			if err != nil {
				return err
			}
			res, err := commands.Metadata(cmd.Context(), commands.MetadataOptions{
				Settings:              s,
				InsecureSkipTLSVerify: a.insecure,
				Progress:              a.Progress(),
				Update:                update,
				Vendor:                vendor,
			})
			if err != nil {
				return err
			}
			data, err := json.Marshal(res)
			if err != nil {
				return err
			}
			a.Println(string(data))
			return nil
		},
	}
	cmd.Flags().BoolVar(&update, "update", false, "download missing dependencies")
	cmd.Flags().BoolVar(&vendor, "vendor", false, "copy the dependencies into vendor/ in the package and list those copies")
	return cmd
}
