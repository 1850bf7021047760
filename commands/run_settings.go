package commands

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/kpm-dev/kpm/kcl/modules"
)

// RunSettings is what `kcl run -Y settings.yaml` files hold: the command line's flags under
// kcl_cli_configs and the -D options under kcl_options.
type RunSettings struct {
	// Files are the entries: absolute, or starting with `${name:KCL_MOD}` (resolved by Run
	// once the package name is known).
	Files       []string
	Defines     []string // key=value, in file order
	Overrides   []string // -O path=value and path-
	Selectors   []string
	SortKeys    bool
	DisableNone bool
	ShowHidden  bool
	StrictRange bool
	Output      string
	Externals   []string // name=path
}

type settingsFile struct {
	CLI     map[string]any `yaml:"kcl_cli_configs"`
	Options yaml.Node      `yaml:"kcl_options"`
}

// DefaultSettingsFile is read by `run` from the working directory when no settings file is
// named, as the toolchain does.
const DefaultSettingsFile = "kcl.yaml"

// LoadRunSettings reads settings files in order and merges them: lists append, flags that one
// file sets stay set, the last output wins. As the toolchain does, relative paths are read from
// workDir and `${KCL_MOD}` is the package root of workDir (its nearest kcl.mod).
func LoadRunSettings(workDir string, paths []string) (*RunSettings, error) {
	all := &RunSettings{}
	for _, p := range paths {
		if !filepath.IsAbs(p) {
			p = filepath.Join(workDir, p)
		}
		s, err := loadRunSettings(workDir, p)
		if err != nil {
			return nil, err
		}
		all.Files = append(all.Files, s.Files...)
		all.Defines = append(all.Defines, s.Defines...)
		all.Overrides = append(all.Overrides, s.Overrides...)
		all.Selectors = append(all.Selectors, s.Selectors...)
		all.Externals = append(all.Externals, s.Externals...)
		all.SortKeys = all.SortKeys || s.SortKeys
		all.DisableNone = all.DisableNone || s.DisableNone
		all.ShowHidden = all.ShowHidden || s.ShowHidden
		all.StrictRange = all.StrictRange || s.StrictRange
		if s.Output != "" {
			all.Output = s.Output
		}
	}
	return all, nil
}

// loadRunSettings reads a settings file. kcl_options is either a list of
// {key, value} entries (the toolchain's format) or a string of command-line
// arguments such as "-D a=1 -D b=2" (the form the KCL test suites use).
func loadRunSettings(workDir, path string) (*RunSettings, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("run: settings file: %w", err)
	}
	var f settingsFile
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("run: settings file %s: %v", path, err)
	}
	root := modules.FindRoot(workDir)
	if root == "" {
		root = workDir
	}
	settingsPath := func(p string) string {
		p = strings.ReplaceAll(p, "${KCL_MOD}", root)
		if filepath.IsAbs(p) || strings.HasPrefix(p, "${") {
			return p
		}
		return filepath.Join(workDir, p)
	}
	s := &RunSettings{}
	for k, v := range f.CLI {
		switch k {
		case "files", "file":
			switch x := v.(type) {
			case string:
				s.Files = append(s.Files, settingsPath(x))
			case []any:
				for _, e := range x {
					if str, ok := e.(string); ok {
						s.Files = append(s.Files, settingsPath(str))
					}
				}
			}
		case "output":
			if str, ok := v.(string); ok {
				s.Output = settingsPath(str)
			}
		case "path_selector":
			switch x := v.(type) {
			case string:
				s.Selectors = append(s.Selectors, x)
			case []any:
				for _, e := range x {
					s.Selectors = append(s.Selectors, fmt.Sprint(e))
				}
			}
		case "overrides":
			switch x := v.(type) {
			case string:
				s.Overrides = append(s.Overrides, x)
			case []any:
				for _, e := range x {
					s.Overrides = append(s.Overrides, fmt.Sprint(e))
				}
			}
		case "sort_keys":
			s.SortKeys = v == true
		case "disable_none":
			s.DisableNone = v == true
		case "show_hidden":
			s.ShowHidden = v == true
		case "strict_range_check":
			s.StrictRange = v == true
		case "package_maps":
			if m, ok := v.(map[string]any); ok {
				for name, p := range m {
					if str, ok := p.(string); ok {
						s.Externals = append(s.Externals, name+"="+settingsPath(str))
					}
				}
			}
		}
	}
	switch f.Options.Kind {
	case yaml.ScalarNode:
		args := strings.Fields(f.Options.Value)
		for i := 0; i < len(args); i++ {
			a := args[i]
			switch {
			case (a == "-D" || a == "--argument" || a == "--define") && i+1 < len(args):
				i++
				s.Defines = append(s.Defines, args[i])
			case strings.HasPrefix(a, "-D") && len(a) > 2:
				s.Defines = append(s.Defines, a[2:])
			case (a == "-O" || a == "--overrides") && i+1 < len(args):
				i++
				s.Overrides = append(s.Overrides, args[i])
			case (a == "-S" || a == "--path_selector" || a == "--path") && i+1 < len(args):
				i++
				s.Selectors = append(s.Selectors, args[i])
			case a == "--sort_keys" || a == "--sort-keys" || a == "-k":
				s.SortKeys = true
			case a == "--disable_none" || a == "--disable-none" || a == "-n":
				s.DisableNone = true
			case (a == "-E" || a == "--external") && i+1 < len(args):
				i++
				s.Externals = append(s.Externals, args[i])
			case a == "--strict_range_check" || a == "--strict-range-check" || a == "-r":
				s.StrictRange = true
			case a == "--show_hidden" || a == "--show-hidden" || a == "-H":
				s.ShowHidden = true
			}
		}
	case yaml.SequenceNode:
		var list []struct {
			Key   string `yaml:"key"`
			Value any    `yaml:"value"`
		}
		if err := f.Options.Decode(&list); err != nil {
			return nil, fmt.Errorf("run: settings file %s: kcl_options: %v", path, err)
		}
		for _, o := range list {
			if o.Key == "" {
				return nil, fmt.Errorf("run: settings file %s: kcl_options entry without a key", path)
			}
			var v string
			switch x := o.Value.(type) {
			case string:
				v = x
			case nil:
				v = "null"
			default:
				b, err := json.Marshal(jsonable(x))
				if err != nil {
					return nil, fmt.Errorf("run: settings file %s: kcl_options %s: %v", path, o.Key, err)
				}
				v = string(b)
			}
			s.Defines = append(s.Defines, o.Key+"="+v)
		}
	}
	return s, nil
}

// jsonable turns YAML's map[string]any/[]any trees into JSON-encodable values.
func jsonable(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonable(e)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(k)] = jsonable(e)
		}
		return out
	case []any:
		for i, e := range x {
			x[i] = jsonable(e)
		}
		return x
	}
	return v
}
