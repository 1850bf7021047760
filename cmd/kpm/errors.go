package main

import (
	"strings"
)

// renderError turns an error into the one line printed after "kpm: ". Lower layers return typed
// errors; here they become sentences that name the thing and the fix.
func renderError(err error) string {
	msg := err.Error()
	msg = strings.Join(strings.Fields(strings.ReplaceAll(msg, "\n", " ")), " ")
	return msg
}
