package workspace

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/kpm-dev/kpm/registry"
)

// Default values written into a fresh kpm.json.
const (
	DefaultOciRegistry = "ghcr.io"
	DefaultOciRepo     = "kcl-lang"
)

// Environment variables read by LoadSettings.
const (
	EnvPkgPath   = "KCL_PKG_PATH"
	EnvReg       = "KPM_REG"
	EnvRepo      = "KPM_REPO"
	EnvPlainHTTP = "OCI_REG_PLAIN_HTTP"
	EnvNoSum     = "KPM_NO_SUM"
	// EnvRetryBackoff sets the first delay between retries of a transient registry failure (a Go
	// duration such as "10ms"; default 250ms). Meant for tests, which would otherwise wait
	// seconds for a failure they provoke on purpose.
	EnvRetryBackoff = "KPM_RETRY_BACKOFF"
	// EnvRegistryTimeout bounds how long a registry may stay silent (a Go duration such as "2m";
	// default 30s); it overrides kpm.json's RegistryTimeout.
	EnvRegistryTimeout = registry.EnvTimeout
)

// Settings is kpm's effective configuration: kpm.json (or the legacy config.json) overridden by the
// environment. Precedence: environment > file > defaults.
type Settings struct {
	// PkgPath is the package home ($KCL_PKG_PATH, default $HOME/.kcl/kpm).
	PkgPath string
	// DefaultOciRegistry is the host[:port] used for name[:version] references.
	DefaultOciRegistry string
	// DefaultOciRepo is the repository prefix used for name[:version] references.
	DefaultOciRepo string
	// PlainHTTP forces plain HTTP on (true) or off (false); nil means automatic (plain HTTP for
	// localhost and loopback hosts only).
	PlainHTTP *bool
	// NoSum holds glob patterns (path.Match syntax) of dependency names whose checksum is not checked.
	NoSum []string
	// RetryBackoff is the first delay between retries of a transient registry failure; 0 means
	// the registry package's default.
	RetryBackoff time.Duration
	// RegistryTimeout bounds how long a registry may stay silent, before it answers and between
	// two reads of a body; 0 means registry.DefaultTimeout.
	RegistryTimeout time.Duration
	// ConfigFile is the kpm.json (or legacy config.json) the values were read from.
	ConfigFile string
}

// kpmJSON is the on-disk shape of kpm.json.
type kpmJSON struct {
	DefaultOciRegistry  string `json:"DefaultOciRegistry"`
	DefaultOciRepo      string `json:"DefaultOciRepo"`
	DefaultOciPlainHTTP *bool  `json:"DefaultOciPlainHttp,omitempty"`
	RegistryTimeout     string `json:"RegistryTimeout,omitempty"`
}

// LoadSettings reads the settings from $KCL_PKG_PATH and the environment. It creates
// $KCL_PKG_PATH/.kpm/config/kpm.json with the defaults when neither it nor the legacy
// $KCL_PKG_PATH/.kpm/config.json exists.
func LoadSettings() (*Settings, error) {
	return loadSettings(os.Getenv)
}

func loadSettings(getenv func(string) string) (*Settings, error) {
	home, err := pkgPath(getenv)
	if err != nil {
		return nil, err
	}
	s := &Settings{PkgPath: home}
	cfg, file, err := readKpmJSON(home)
	if err != nil {
		return nil, err
	}
	s.ConfigFile = file
	s.DefaultOciRegistry = cfg.DefaultOciRegistry
	s.DefaultOciRepo = cfg.DefaultOciRepo
	s.PlainHTTP = cfg.DefaultOciPlainHTTP
	if s.DefaultOciRegistry == "" {
		s.DefaultOciRegistry = DefaultOciRegistry
	}
	if s.DefaultOciRepo == "" {
		s.DefaultOciRepo = DefaultOciRepo
	}
	if v := strings.TrimSpace(getenv(EnvReg)); v != "" {
		s.DefaultOciRegistry = v
	}
	if v := strings.TrimSpace(getenv(EnvRepo)); v != "" {
		s.DefaultOciRepo = strings.Trim(v, "/")
	}
	if v := strings.TrimSpace(getenv(EnvPlainHTTP)); v != "" {
		var on bool
		switch strings.ToLower(v) {
		case "on":
			on = true
		case "off":
			on = false
		default:
			return nil, fmt.Errorf("%s=%q: want \"on\" or \"off\"", EnvPlainHTTP, v)
		}
		s.PlainHTTP = &on
	}
	if v := getenv(EnvNoSum); v != "" {
		for _, p := range strings.Split(v, ",") {
			p = strings.TrimSpace(p)
			if p == "" {
				continue
			}
			if _, err := path.Match(p, ""); err != nil {
				return nil, fmt.Errorf("%s: invalid pattern %q: %v", EnvNoSum, p, err)
			}
			s.NoSum = append(s.NoSum, p)
		}
	}
	if cfg.RegistryTimeout != "" {
		d, err := parseTimeout(cfg.RegistryTimeout)
		if err != nil {
			return nil, fmt.Errorf("%s: RegistryTimeout %q: %v", file, cfg.RegistryTimeout, err)
		}
		s.RegistryTimeout = d
	}
	if v := strings.TrimSpace(getenv(EnvRegistryTimeout)); v != "" {
		d, err := parseTimeout(v)
		if err != nil {
			return nil, fmt.Errorf("%s=%q: %v", EnvRegistryTimeout, v, err)
		}
		s.RegistryTimeout = d
	}
	if v := strings.TrimSpace(getenv(EnvRetryBackoff)); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("%s=%q: want a positive duration like 100ms", EnvRetryBackoff, v)
		}
		s.RetryBackoff = d
	}
	return s, nil
}

// parseTimeout reads a registry timeout: a positive Go duration ("45s", "2m").
func parseTimeout(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, errors.New("want a positive duration like 30s or 2m")
	}
	return d, nil
}

func pkgPath(getenv func(string) string) (string, error) {
	if v := getenv(EnvPkgPath); v != "" {
		abs, err := filepath.Abs(v)
		if err != nil {
			return "", fmt.Errorf("%s=%q: %v", EnvPkgPath, v, err)
		}
		return abs, nil
	}
	home := getenv("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("cannot find the package home: set %s or HOME", EnvPkgPath)
		}
		home = h
	}
	return filepath.Join(home, ".kcl", "kpm"), nil
}

// KpmJSONPath is the path of kpm.json under the package home.
func KpmJSONPath(pkgPath string) string {
	return filepath.Join(pkgPath, ".kpm", "config", "kpm.json")
}

// LegacyConfigPath is the seed's documented config location, read when kpm.json is missing.
func LegacyConfigPath(pkgPath string) string {
	return filepath.Join(pkgPath, ".kpm", "config.json")
}

// CredentialsFile is the Docker-style credentials file ($KCL_PKG_PATH/.kpm/config/config.json).
func (s *Settings) CredentialsFile() string {
	return filepath.Join(s.PkgPath, ".kpm", "config", "config.json")
}

// CacheLockFile is the file lock guarding the package cache.
func (s *Settings) CacheLockFile() string {
	return filepath.Join(s.PkgPath, ".kpm", "config", "package-cache")
}

// CacheDir is the local directory of a cached package: $KCL_PKG_PATH/<name>_<tag>.
func (s *Settings) CacheDir(name, tag string) string {
	return filepath.Join(s.PkgPath, name+"_"+tag)
}

// SkipSum reports whether the checksum of the dependency name is not to be checked (KPM_NO_SUM).
func (s *Settings) SkipSum(name string) bool {
	for _, p := range s.NoSum {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}

// readKpmJSON reads kpm.json, falls back to the legacy file, or creates kpm.json with defaults.
func readKpmJSON(home string) (kpmJSON, string, error) {
	file := KpmJSONPath(home)
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		legacy := LegacyConfigPath(home)
		if ldata, lerr := os.ReadFile(legacy); lerr == nil {
			cfg, perr := parseKpmJSON(legacy, ldata)
			return cfg, legacy, perr
		} else if !errors.Is(lerr, fs.ErrNotExist) {
			return kpmJSON{}, "", fmt.Errorf("read %s: %w", legacy, pathErr(lerr))
		}
		cfg := kpmJSON{DefaultOciRegistry: DefaultOciRegistry, DefaultOciRepo: DefaultOciRepo}
		if err := createDefault(file, cfg); err != nil {
			return kpmJSON{}, "", err
		}
		return cfg, file, nil
	}
	if err != nil {
		return kpmJSON{}, "", fmt.Errorf("read %s: %w", file, pathErr(err))
	}
	cfg, err := parseKpmJSON(file, data)
	return cfg, file, err
}

func parseKpmJSON(file string, data []byte) (kpmJSON, error) {
	var cfg kpmJSON
	if len(bytes.TrimSpace(data)) == 0 {
		return cfg, nil
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			line, col := lineCol(data, syn.Offset)
			return cfg, fmt.Errorf("%s:%d:%d: invalid JSON: %s", file, line, col, syn.Error())
		case errors.As(err, &typ):
			off := typ.Offset
			if i := bytes.Index(data, []byte(`"`+typ.Field+`"`)); i >= 0 {
				off = int64(i) + 1 // point at the key
			}
			line, col := lineCol(data, off)
			return cfg, fmt.Errorf("%s:%d:%d: field %q: want a %s, got a JSON %s", file, line, col, typ.Field, typ.Type, typ.Value)
		default:
			return cfg, fmt.Errorf("%s: invalid JSON: %v", file, err)
		}
	}
	return cfg, nil
}

// lineCol converts a byte offset (as reported by encoding/json, just past the offending byte)
// into a 1-based line and column.
func lineCol(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off > 0 {
		off-- // encoding/json reports the offset after the bad byte
	}
	line, col := 1, 1
	for _, b := range data[:off] {
		if b == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// createDefault writes kpm.json atomically and never replaces a file created concurrently.
func createDefault(file string, cfg kpmJSON) error {
	dir := filepath.Dir(file)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, pathErr(err))
	}
	data, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	data = append(data, '\n')
	_, err = CreateFileAtomic(file, data, 0o644)
	return err
}
