// Command kpm is the KCL package manager.
//
// This file holds the entry point and the list of subcommands. Every subcommand lives in its own
// file as a constructor func(*app) *cobra.Command; to add one, append it to subcommands below.
package main

import (
	"os"

	"github.com/spf13/cobra"
)

// subcommands lists every kpm subcommand (`kpm --help` sorts them by name).
// Add one line per command.
var subcommands = []func(*app) *cobra.Command{
	newInitCmd,
	newLoginCmd,
	newLogoutCmd,
	newPushCmd,
	newPullCmd,
	newAddCmd,
	newRemoveCmd,
	newUpdateCmd,
	newMetadataCmd,
	newRunCmd,
	newPkgCmd,
	newGraphCmd,
	newImportCmd,
	newFmtCmd,
	newCompletionCmd,
	newLspCmd,
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
