package main

import (
	"github.com/spf13/cobra"

	"github.com/kpm-dev/kpm/commands"
)

func newAddCmd(a *app) *cobra.Command {
	var tag, oci, path, rename string
	cmd := &cobra.Command{
		Use:   "add NAME[:VERSION] | --oci URL [--tag TAG] | --path DIR",
		Short: "Add a dependency to the package in the current directory",
		Long: `Add a dependency to kcl.mod (edited in place: comments and order are kept), download it
into the package cache and pin it in kcl.mod.lock. Without a version, the highest
semantic-version tag is used.

  kpm add helloworld:0.1.4                  from $KPM_REG/$KPM_REPO
  kpm add helloworld                        the highest semantic-version tag
  kpm add --oci oci://HOST/REPO/NAME --tag 0.1.4
  kpm add oci://HOST/REPO/NAME?tag=0.1.4
  kpm add --path ../lib                     a local package
  kpm add helloworld:0.1.4 --rename hello   import it as "hello"`,
		Args: argsRange(0, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			source := oci
			if len(args) == 1 {
				if source != "" || path != "" {
					return usagef("add: give a package, --oci URL or --path DIR, not several")
				}
				source = args[0]
			}
			if source != "" && path != "" {
				return usagef("add: give a package, --oci URL or --path DIR, not several")
			}
			if source == "" && path == "" {
				return usagef("add: want a package (NAME[:VERSION]), --oci URL or --path DIR; usage: %s", cmd.UseLine())
			}
			if tag != "" && path != "" {
				return usagef("add: --tag goes with an oci URL, not with --path")
			}
			s, err := a.Settings()
			if err != nil {
				return err
			}
			p := a.Progress()
			res, err := commands.Add(cmd.Context(), commands.AddOptions{
				Settings:              s,
				InsecureSkipTLSVerify: a.insecure,
				Progress:              p,
				Source:                source,
				Tag:                   tag,
				Path:                  path,
				Rename:                rename,
			})
			if err != nil {
				return err
			}
			for _, m := range res.Messages {
				p.Message(m)
			}
			verb := "added"
			if res.Replaced {
				verb = "updated"
			}
			if res.Version != "" {
				a.Println(verb + " " + res.Name + " " + res.Version + " (" + res.Reference + ")")
			} else {
				a.Println(verb + " " + res.Name + " (" + res.Reference + ")")
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&oci, "oci", "", "OCI URL of the package (oci://HOST/REPO/NAME)")
	cmd.Flags().StringVar(&tag, "tag", "", "tag of an OCI URL (default: the highest semantic version)")
	cmd.Flags().StringVar(&path, "path", "", "local package directory")
	cmd.Flags().StringVar(&rename, "rename", "", "dependency name to use in kcl.mod and imports")
	return cmd
}
