package kcloracle

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// installHint is what a machine without a usable Python needs.
const installHint = "install Python 3 with venv and pip (Debian/Ubuntu: apt-get install -y python3 python3-venv python3-pip)"

// scriptDir is scripts/kcl-oracle of this source tree, or $KPM_KCL_ORACLE_DIR.
func scriptDir() (string, error) {
	if d := os.Getenv("KPM_KCL_ORACLE_DIR"); d != "" {
		return d, nil
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("kcl oracle: cannot locate scripts/kcl-oracle; set KPM_KCL_ORACLE_DIR")
	}
	d := filepath.Join(filepath.Dir(file), "..", "..", "scripts", "kcl-oracle")
	if _, err := os.Stat(filepath.Join(d, "oracle.py")); err != nil {
		return "", fmt.Errorf("kcl oracle: %w; set KPM_KCL_ORACLE_DIR to the scripts/kcl-oracle directory", err)
	}
	return filepath.Clean(d), nil
}

// venvDir is where the pinned reference lives: $KPM_KCL_ORACLE_VENV, or a directory of the user
// cache named after the requirements, so a changed pin installs beside the old one.
func venvDir(requirements []byte) (string, error) {
	if d := os.Getenv("KPM_KCL_ORACLE_VENV"); d != "" {
		return d, nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("kcl oracle: no cache directory (set KPM_KCL_ORACLE_VENV): %w", err)
	}
	sum := sha256.Sum256(requirements)
	return filepath.Join(cache, "kpm", "kcl-oracle-"+hex.EncodeToString(sum[:6])), nil
}

func venvPython(venv string) string {
	if runtime.GOOS == "windows" {
		return filepath.Join(venv, "Scripts", "python.exe")
	}
	return filepath.Join(venv, "bin", "python")
}

// Install makes sure the virtualenv with the pinned kcl-lib exists and returns its python.
// It is built in a temporary directory and renamed into place, so an interrupted or concurrent
// install never leaves a half-made venv behind.
func Install(ctx context.Context) (python string, err error) {
	dir, err := scriptDir()
	if err != nil {
		return "", err
	}
	reqFile := filepath.Join(dir, "requirements.txt")
	reqs, err := os.ReadFile(reqFile)
	if err != nil {
		return "", fmt.Errorf("kcl oracle: %w", err)
	}
	venv, err := venvDir(reqs)
	if err != nil {
		return "", err
	}
	python = venvPython(venv)
	if _, err := os.Stat(python); err == nil {
		return python, nil
	}
	sys := os.Getenv("KPM_PYTHON")
	if sys == "" {
		if sys, err = exec.LookPath("python3"); err != nil {
			return "", fmt.Errorf("kcl oracle: python3 not found on PATH; %s", installHint)
		}
	}
	if err := os.MkdirAll(filepath.Dir(venv), 0o755); err != nil {
		return "", fmt.Errorf("kcl oracle: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(venv), filepath.Base(venv)+".tmp-")
	if err != nil {
		return "", fmt.Errorf("kcl oracle: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := runQuiet(ctx, sys, "-m", "venv", tmp); err != nil {
		return "", fmt.Errorf("kcl oracle: %s -m venv failed (%w); %s", sys, err, installHint)
	}
	tmpPython := venvPython(tmp)
	if err := runQuiet(ctx, tmpPython, "-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-q", "-r", reqFile); err != nil {
		return "", fmt.Errorf("kcl oracle: pip install -r %s failed (%w); check that PyPI is reachable and %s", reqFile, err, installHint)
	}
	if err := runQuiet(ctx, tmpPython, "-c", "import kcl_lib.api"); err != nil {
		return "", fmt.Errorf("kcl oracle: kcl-lib installed but does not import: %w", err)
	}
	if err := os.Rename(tmp, venv); err != nil {
		if _, serr := os.Stat(python); serr == nil {
			return python, nil // another process finished first
		}
		return "", fmt.Errorf("kcl oracle: %w", err)
	}
	return python, nil
}

// runQuiet runs a command and, when it fails, returns its error with the end of its output.
func runQuiet(ctx context.Context, name string, args ...string) error {
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		tail := strings.TrimSpace(out.String())
		if len(tail) > 2000 {
			tail = "..." + tail[len(tail)-2000:]
		}
		if tail == "" {
			return err
		}
		return fmt.Errorf("%w: %s", err, tail)
	}
	return nil
}

// Command runs the reference once with `kcl run`'s arguments (files, -D, -S, -E, ...), printing
// what `kcl run` prints: for benchmarks on whole processes and for looking at a case by hand.
func Command(ctx context.Context, args ...string) (*exec.Cmd, error) {
	python, script, err := installed(ctx)
	if err != nil {
		return nil, err
	}
	return exec.CommandContext(ctx, python, append([]string{script}, args...)...), nil
}

// installed installs the reference on first use and returns its python and oracle.py.
func installed(ctx context.Context) (python, script string, err error) {
	if python, err = Install(ctx); err != nil {
		return "", "", err
	}
	dir, err := scriptDir()
	if err != nil {
		return "", "", err
	}
	return python, filepath.Join(dir, "oracle.py"), nil
}
