package main

import (
	"os"
	"path/filepath"
	"strings"
)

// displayPath returns p as the user would type it: relative to the working directory when it is
// inside it ("app/kcl.mod"), else absolute.
func displayPath(p string) string {
	if p == "" || !filepath.IsAbs(p) {
		return p
	}
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	rel, err := filepath.Rel(wd, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return p
	}
	return rel
}
