package main

import (
	"github.com/spf13/cobra"

	"github.com/kpm-dev/kpm/commands"
)

func newPushCmd(a *app) *cobra.Command {
	var (
		force, vendor bool
		tarPath       string
	)
	cmd := &cobra.Command{
		Use:   "push [OCI_URL]",
		Short: "Publish the package in the current directory to an OCI registry",
		Long: `Pack the package in the current directory (it must hold kcl.mod) and push it, tagged with
its version, to OCI_URL (oci://HOST/REPO/NAME) or to oci://<DefaultOciRegistry>/<DefaultOciRepo>/<name>
(from $KCL_PKG_PATH/.kpm/config/kpm.json, else $KCL_PKG_PATH/.kpm/config.json; $KPM_REG and
$KPM_REPO win). An existing tag is refused unless --force. Prints the reference pushed and the
manifest digest.`,
		Example: `  kpm push                                  to the default registry and repository
  kpm push oci://localhost:5001/test/my_pkg
  kpm push --force oci://localhost:5001/test/my_pkg   replace the tag
  kpm push --tar_path my_pkg_0.0.1.tar oci://HOST/REPO/my_pkg   an archive from kpm pkg
  kpm push --vendor                         with the dependencies in vendor/`,
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
				TarPath:               tarPath,
				Vendor:                vendor,
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
	cmd.Flags().StringVar(&tarPath, "tar-path", "", "push this package archive (a .tar from kpm pkg) instead of the current directory")
	cmd.Flags().BoolVar(&vendor, "vendor", false, "copy the dependencies into vendor/ first, so that the package carries them")
	return cmd
}
