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
	"strconv"
	"strings"
	"time"

	"github.com/kpm-dev/kpm/kcl"
	"github.com/kpm-dev/kpm/registry"
)

// Default values used when no settings file names others.
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
	// EnvEvalMemory is the memory budget of a KCL evaluation, in bytes or with a suffix (512MiB,
	// 4GiB); default kcl.DefaultMaxMemory.
	EnvEvalMemory = kcl.EnvMaxMemory
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
	// EvalMemory is the memory budget of a KCL evaluation in bytes; 0 means kcl.DefaultMaxMemory.
	EvalMemory int64
	// ConfigFile is the settings file the values were read from: kpm.json, else the guide's
	// config.json; "" when neither exists (the defaults apply; no file is ever created).
	ConfigFile string
	// Warnings are notes about the settings files (unknown keys, two files that differ), to be
	// shown once.
	Warnings []string
}

// kpmJSON is the on-disk shape of kpm.json.
type kpmJSON struct {
	DefaultOciRegistry  string `json:"DefaultOciRegistry"`
	DefaultOciRepo      string `json:"DefaultOciRepo"`
	DefaultOciPlainHTTP *bool  `json:"DefaultOciPlainHttp,omitempty"`
	RegistryTimeout     string `json:"RegistryTimeout,omitempty"`
}

// LoadSettings reads the settings from $KCL_PKG_PATH and the environment:
// $KCL_PKG_PATH/.kpm/config/kpm.json when it exists, else $KCL_PKG_PATH/.kpm/config.json (the
// file upstream's guide documents), else the defaults. It never writes a file.
func LoadSettings() (*Settings, error) {
	return loadSettings(os.Getenv)
}

func loadSettings(getenv func(string) string) (*Settings, error) {
	home, err := pkgPath(getenv)
	if err != nil {
		return nil, err
	}
	s := &Settings{PkgPath: home}
	cfg, file, warnings, err := readKpmJSON(home)
	if err != nil {
		return nil, err
	}
	s.ConfigFile = file
	s.Warnings = warnings
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
	if v := strings.TrimSpace(getenv(EnvEvalMemory)); v != "" {
		n, err := parseBytes(v)
		if err != nil {
			return nil, fmt.Errorf("%s=%q: %v", EnvEvalMemory, v, err)
		}
		s.EvalMemory = n
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

// PackageHome is the package home ($KCL_PKG_PATH, default $HOME/.kcl/kpm), without reading or
// creating anything in it.
func PackageHome() (string, error) { return pkgPath(os.Getenv) }

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

// LegacyConfigPath is the settings file upstream's guide documents, read when kpm.json is missing.
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

// readKpmJSON reads kpm.json when it exists, else the guide's config.json; with neither, the
// defaults (nothing is written). Unknown keys and other non-fatal findings come back as warnings;
// a wrong value is an error naming the file, the position and the key.
func readKpmJSON(home string) (kpmJSON, string, []string, error) {
	var warnings []string
	file, data, err := readOptional(KpmJSONPath(home))
	if err != nil {
		return kpmJSON{}, "", nil, err
	}
	legacy, ldata, err := readOptional(LegacyConfigPath(home))
	if err != nil {
		return kpmJSON{}, "", nil, err
	}
	switch {
	case file == "" && legacy == "":
		return kpmJSON{}, "", nil, nil
	case file == "":
		file, data = legacy, ldata
	case legacy != "" && !bytes.Equal(bytes.TrimSpace(data), bytes.TrimSpace(ldata)):
		warnings = append(warnings, fmt.Sprintf("settings: using %s; %s differs and is ignored", file, legacy))
	}
	_, findings := ParseKpmJSON(file, data)
	for _, f := range findings {
		if f.Severity == SeverityError {
			return kpmJSON{}, "", nil, fmt.Errorf("%s", settingsFinding(f))
		}
		warnings = append(warnings, settingsFinding(f))
	}
	cfg, err := parseKpmJSON(file, data)
	return cfg, file, warnings, err
}

// settingsFinding prints a finding of a settings file with its full path: two files share the
// name config.json under the package home (settings and credentials).
func settingsFinding(f Finding) string {
	msg := f.Message
	if f.Severity != SeverityError {
		msg = f.Severity.String() + ": " + msg
	}
	if f.Range.IsValid() {
		return fmt.Sprintf("%s:%d:%d: %s", f.File, f.Range.Start.Line, f.Range.Start.Col, msg)
	}
	return f.File + ": " + msg
}

// readOptional reads file; a missing file gives "" and no error.
func readOptional(file string) (string, []byte, error) {
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, fmt.Errorf("read %s: %w", file, pathErr(err))
	}
	return file, data, nil
}

func parseKpmJSON(file string, data []byte) (kpmJSON, error) {
	var cfg kpmJSON
	if len(bytes.TrimSpace(data)) == 0 {
		return cfg, nil
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return cfg, fmt.Errorf("%s: invalid JSON: %v", file, err)
	}
	return cfg, nil
}

// parseBytes reads a size: a number of bytes, or a number with KiB, MiB or GiB.
func parseBytes(v string) (int64, error) {
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}} {
		if strings.HasSuffix(v, u.suffix) {
			v, mult = strings.TrimSpace(strings.TrimSuffix(v, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, errors.New("want a positive size like 512MiB or 4GiB")
	}
	return n * mult, nil
}

// CredentialsWarning returns a warning when kpm's credentials file can be read by other users
// ("" when it is private or absent): the passwords in it are only base64-encoded.
func (s *Settings) CredentialsWarning() string {
	file := s.CredentialsFile()
	st, err := os.Stat(file)
	if err != nil || st.Mode().Perm()&0o077 == 0 {
		return ""
	}
	return fmt.Sprintf("credentials file %s is readable by other users (mode %#o); run 'chmod 600 %s'", file, st.Mode().Perm(), file)
}
