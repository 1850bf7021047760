package commands

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/kpm-dev/kpm/workspace"
)

// loadPackage reads dir/kcl.mod for push: it must exist and hold a valid [package] with a name
// and a version. Errors name the file (and line:col for findings).
func loadPackage(dir string) (*workspace.Package, error) {
	file := filepath.Join(dir, workspace.ModFileName)
	src, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no kcl.mod in %s: push must run in a package root", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("push: %w", err) // "open FILE: reason"
	}
	mf, findings := workspace.ParseModFile(file, src)
	if err := workspace.RefuseFindings(findings); err != nil {
		return nil, err
	}
	pkg := mf.Package
	switch {
	case pkg == nil:
		return nil, fmt.Errorf("%s: missing [package] section", file)
	case !pkg.Name.Set:
		return nil, fmt.Errorf("%s: [package] has no name", file)
	case !pkg.Version.Set:
		return nil, fmt.Errorf("%s: [package] has no version (push tags the package with it)", file)
	}
	return pkg, nil
}

// values returns the strings of a list of kcl.mod string values.
func values(list []workspace.StrValue) []string {
	if len(list) == 0 {
		return nil
	}
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = v.Value
	}
	return out
}
