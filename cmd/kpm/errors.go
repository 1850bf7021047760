package main

import (
	"context"
	"errors"
	"strings"

	"github.com/kpm-dev/kpm/registry"
)

// renderError turns an error into the one line printed after "kpm: ". Lower layers return typed
// errors with messages that already name the file, field or reference; here they are flattened
// to one line and completed with a hint where the user can act.
func renderError(err error) string {
	msg := strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", " ")), " ")
	switch {
	case errors.Is(err, context.Canceled):
		return "interrupted"
	case errors.Is(err, registry.ErrUnauthorized) && !strings.Contains(msg, "kpm login") && !strings.HasPrefix(msg, "login "):
		var re *registry.Error
		if errors.As(err, &re) {
			if host := hostOf(msg); host != "" {
				return msg + "; run 'kpm login " + host + "'"
			}
		}
		return msg + "; run 'kpm login REGISTRY'"
	}
	return msg
}

// hostOf extracts the registry host from a message starting with "host/repo...".
func hostOf(msg string) string {
	first, _, _ := strings.Cut(msg, " ")
	host, _, ok := strings.Cut(first, "/")
	if !ok || host == "" || !strings.ContainsAny(host, ".:") {
		return ""
	}
	return host
}
