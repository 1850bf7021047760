package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/kpm-dev/kpm/internal/redact"
	"github.com/kpm-dev/kpm/kcl"
	"github.com/kpm-dev/kpm/registry"
	"github.com/kpm-dev/kpm/workspace"
)

// printError prints err on w as "kpm: <one line>". Several errors of a KCL program are printed
// one per line, then "kpm: N errors". A file refused for several findings (or
// for errors and warnings) has each of them printed first, in file order, one per line as
// "kcl.mod:LINE:COL: message"; the last line then summarizes ("kpm: kcl.mod: 3 errors").
func printError(w io.Writer, err error) {
	w = redactWriter{w}
	var fe *workspace.FindingsError
	if errors.As(err, &fe) && len(fe.Findings) > 0 && len(fe.Findings)+len(fe.Warnings) == 1 {
		// one finding: its file as the user would open it
		f := fe.Findings[0]
		fmt.Fprintln(w, "kpm: "+strings.Replace(renderError(err), oneLine(f.String()), findingLine(f), 1))
		return
	}
	if errors.As(err, &fe) && len(fe.Findings)+len(fe.Warnings) > 1 {
		all := append(append([]workspace.Finding(nil), fe.Findings...), fe.Warnings...)
		sort.SliceStable(all, func(i, j int) bool { return all[i].Range.Start.Offset < all[j].Range.Start.Offset })
		for _, f := range all {
			fmt.Fprintln(w, findingLine(f))
		}
		msg := oneLine(err.Error())
		summary := fmt.Sprintf("%d errors", len(fe.Findings))
		if len(fe.Findings) == 1 {
			summary = "1 error"
		}
		if file := fe.Findings[0].File; file != "" {
			summary = displayPath(file) + ": " + summary
		}
		if first := oneLine(fe.Error()); strings.Contains(msg, first) {
			msg = strings.Replace(msg, first, summary, 1)
		} else {
			msg = summary
		}
		fmt.Fprintln(w, "kpm: "+msg)
		return
	}
	if kes := kcl.ErrorList(err); len(kes) > 1 {
		// every error of a program (syntax errors, or what the static check found), one per
		// line as the toolchain lists them, then the count
		for _, e := range kes {
			fmt.Fprintln(w, oneLine(e.Error()))
		}
		fmt.Fprintf(w, "kpm: %d errors\n", len(kes))
		return
	}
	fmt.Fprintln(w, "kpm: "+renderError(err))
}

// findingLine prints a finding as "FILE:LINE:COL: message" with FILE as the user would open it
// (relative to the working directory, or absolute).
func findingLine(f workspace.Finding) string {
	line := oneLine(f.String())
	if f.File == "" {
		return line
	}
	return displayPath(f.File) + strings.TrimPrefix(line, filepath.Base(f.File))
}

// redactWriter passes every text through redact.Text (credentials, control characters).
type redactWriter struct{ w io.Writer }

func (r redactWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(r.w, redact.Text(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

// renderError turns an error into the one line printed after "kpm: ". Lower layers return typed
// errors with messages that already name the file, field or reference; here they are flattened
// to one line and completed with a hint where the user can act.
func renderError(err error) string {
	msg := oneLine(err.Error())
	if head, tail, ok := strings.Cut(err.Error(), "\n\nDid you mean this?\n"); ok {
		// cobra's suggestion block, as one sentence
		var names []string
		for _, n := range strings.Fields(tail) {
			names = append(names, strconv.Quote(n))
		}
		return oneLine(head) + "; did you mean " + strings.Join(names, " or ") + "? (kpm --help lists the commands)"
	}
	switch {
	case errors.Is(err, context.Canceled):
		return "interrupted"
	case errors.Is(err, registry.ErrTagExists):
		return msg + "; to replace it, push again with --force (or raise the version in kcl.mod)"
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
