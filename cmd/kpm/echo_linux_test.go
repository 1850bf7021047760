package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// echoOn reports whether the terminal echoes input.
func echoOn(tty *os.File) bool {
	t, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	return err != nil || t.Lflag&unix.ECHO != 0
}
