//go:build !linux

package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// echoOn reports whether the terminal echoes input.
func echoOn(tty *os.File) bool {
	t, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TIOCGETA)
	return err != nil || t.Lflag&unix.ECHO != 0
}
