package main

import (
	"github.com/spf13/cobra"

	"github.com/kpm-dev/kpm/commands"
)

func newAddCmd(a *app) *cobra.Command {
	var tag, oci, path, rename, git, commit, branch, pkg string
	var noSumCheck bool
	cmd := &cobra.Command{
		Use:   "add NAME[:VERSION] | OCI_URL | GIT_URL | DIR",
		Short: "Add a dependency to the package in the current directory",
		Long: `Add a dependency to kcl.mod (edited in place: comments and order are kept), download it
into the package cache and pin it in kcl.mod.lock. Without a version, the highest
semantic-version tag is used. NAME[:VERSION] comes from DefaultOciRegistry/DefaultOciRepo of
the settings file ($KCL_PKG_PATH/.kpm/config/kpm.json, else $KCL_PKG_PATH/.kpm/config.json) or
$KPM_REG/$KPM_REPO, and is written in the short form name = "version", as is an OCI URL in
the default registry and repository. An existing directory is a path dependency; an
http(s)://, git:// or ssh:// URL is a git repository (?tag=, ?commit= or ?branch=).`,
		Example: `  kpm add helloworld:0.1.4                  from the default registry
  kpm add helloworld                        the highest semantic-version tag
  kpm add oci://HOST/REPO/NAME --tag 0.1.4
  kpm add 'oci://HOST/REPO/NAME?tag=0.1.4'
  kpm add 'https://github.com/kcl-lang/konfig?tag=v0.10.0'
  kpm add -git https://github.com/kcl-lang/modules -commit ee03122 -package k8s
  kpm add ../lib                            a local package (also: --path ../lib)
  kpm add helloworld:0.1.4 --rename hello   import it as "hello"`,
		Args: argsRange(0, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			source := oci
			if len(args) == 1 {
				if source != "" {
					return usagef("add: give a package, --oci URL, --git URL or --path DIR, not several")
				}
				source = args[0]
			}
			given := countSet(source, path, git)
			switch {
			case (commit != "" || branch != "") && git == "" && len(args) == 0:
				return usagef("add: --commit and --branch go with --git")
			case given > 1:
				return usagef("add: give a package, --oci URL, --git URL or --path DIR, not several")
			case given == 0:
				return usagef("add: want a package (NAME[:VERSION]), --oci URL, --git URL or --path DIR; usage: %s", cmd.UseLine())
			case git != "" && countSet(tag, commit, branch) != 1:
				return usagef("add --git %s: give exactly one of --tag, --commit or --branch", git)
			case tag != "" && path != "":
				return usagef("add: --tag goes with an oci or git URL, not with --path")
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
				Git:                   git,
				Commit:                commit,
				Branch:                branch,
				Rename:                rename,
				Package:               pkg,
				NoSumCheck:            noSumCheck,
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
	cmd.Flags().StringVar(&tag, "tag", "", "tag of an OCI URL (default: the highest semantic version) or of a git repository")
	cmd.Flags().StringVar(&git, "git", "", "git repository URL (with --tag, --commit or --branch)")
	cmd.Flags().StringVar(&commit, "commit", "", "commit of a git repository")
	cmd.Flags().StringVar(&branch, "branch", "", "branch of a git repository")
	cmd.Flags().StringVar(&path, "path", "", "local package directory")
	cmd.Flags().StringVar(&rename, "rename", "", "dependency name to use in kcl.mod, kcl.mod.lock and imports")
	cmd.Flags().StringVar(&pkg, "package", "", "the package to use from a git repository holding several")
	cmd.Flags().BoolVar(&noSumCheck, "no-sum-check", false, "check no checksum and leave kcl.mod.lock alone")
	return cmd
}

// countSet counts the non-empty values.
func countSet(values ...string) int {
	n := 0
	for _, v := range values {
		if v != "" {
			n++
		}
	}
	return n
}
