package commands

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// modInfo is the part of kcl.mod that push needs. The full kcl.mod model lives in workspace/;
// this small reader keeps push independent of it.
type modInfo struct {
	Package struct {
		Name        string   `toml:"name"`
		Edition     string   `toml:"edition"`
		Version     string   `toml:"version"`
		Description string   `toml:"description"`
		Include     []string `toml:"include"`
		Exclude     []string `toml:"exclude"`
	} `toml:"package"`
}

// versionRE accepts semantic versions (1.2.3, 1.2.3-rc.1) and the shorter forms real packages use
// (1.28), with an optional v prefix; every accepted version is a valid OCI tag.
var versionRE = regexp.MustCompile(`^v?(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*)){0,2}(-[0-9A-Za-z][0-9A-Za-z.-]*)?$`)

// ValidateVersion checks that v is a package version usable as an OCI tag.
func ValidateVersion(v string) error {
	if !versionRE.MatchString(v) || len(v) > 128 {
		return fmt.Errorf("invalid version %q: want a semantic version like 1.2.3", v)
	}
	return nil
}

// tomlMessage turns a go-toml decode error into a short sentence.
func tomlMessage(de *toml.DecodeError) string {
	msg := strings.TrimPrefix(de.Error(), "toml: ")
	// "cannot decode TOML integer into struct field ... of type string"
	if rest, ok := strings.CutPrefix(msg, "cannot decode TOML "); ok {
		got, _, _ := strings.Cut(rest, " ")
		want := msg[strings.LastIndex(msg, " ")+1:]
		key := strings.Join(de.Key(), ".")
		if key == "" {
			return fmt.Sprintf("wrong type: want %s, got %s", want, got)
		}
		return fmt.Sprintf("%s: want %s, got %s", key, want, got)
	}
	return "invalid TOML: " + msg
}

// parseModInfo decodes kcl.mod; errors name the file and, when known, line:col.
func parseModInfo(file string, data []byte) (*modInfo, error) {
	var m modInfo
	if err := toml.Unmarshal(data, &m); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			return nil, fmt.Errorf("%s:%d:%d: %s", file, row, col, tomlMessage(de))
		}
		var se *toml.StrictMissingError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("%s: %s", file, se.Error())
		}
		return nil, fmt.Errorf("%s: invalid kcl.mod: %v", file, err)
	}
	if m.Package.Name == "" {
		return nil, fmt.Errorf("%s: [package] name is missing", file)
	}
	if err := ValidatePackageName(m.Package.Name); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if m.Package.Version == "" {
		return nil, fmt.Errorf("%s: [package] version is missing", file)
	}
	if err := ValidateVersion(m.Package.Version); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return &m, nil
}
