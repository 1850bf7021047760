package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// runSettings is what a `kcl run -Y settings.yaml` file holds: the command
// line's flags under kcl_cli_configs and the -D options under kcl_options.
type runSettings struct {
	Files       []string
	Defines     []string // key=value, in file order
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

// loadRunSettings reads a settings file. kcl_options is either a list of
// {key, value} entries (the toolchain's format) or a string of command-line
// arguments such as "-D a=1 -D b=2" (the form the KCL test suites use).
func loadRunSettings(path string) (*runSettings, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("run: settings file: %w", err)
	}
	var f settingsFile
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("run: settings file %s: %v", path, err)
	}
	dir := filepath.Dir(path)
	s := &runSettings{}
	for k, v := range f.CLI {
		switch k {
		case "files", "file":
			switch x := v.(type) {
			case string:
				s.Files = append(s.Files, settingsPath(dir, x))
			case []any:
				for _, e := range x {
					if str, ok := e.(string); ok {
						s.Files = append(s.Files, settingsPath(dir, str))
					}
				}
			}
		case "output":
			if str, ok := v.(string); ok {
				s.Output = settingsPath(dir, str)
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
						s.Externals = append(s.Externals, name+"="+settingsPath(dir, str))
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

func settingsPath(dir, p string) string {
	p = strings.ReplaceAll(p, "${KCL_MOD}", dir)
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
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
