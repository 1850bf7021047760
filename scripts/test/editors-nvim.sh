#!/usr/bin/env bash
# editors-nvim.sh: headless Neovim tests of editors/nvim against the real `kpm lsp` ($KPM_BIN)
# and a real registry (internal/devregistry, user test / 1234) on 127.0.0.1 with a random port.
# Installs neovim with apt-get when it is missing (Debian's is 0.7.2). The Lua test prints one
# PASS/FAIL line per test and exits non-zero when any failed; so does this script.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
reg_pid=
cleanup() {
  if [ -n "$reg_pid" ]; then kill "$reg_pid" 2>/dev/null; wait "$reg_pid" 2>/dev/null; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

if [ -z "${KPM_BIN:-}" ]; then
  echo "KPM_BIN not set: building kpm into $tmp"
  (cd "$root" && go build -o "$tmp/kpm" ./cmd/kpm) || { echo "FAIL: cannot build kpm"; exit 1; }
  KPM_BIN="$tmp/kpm"
fi
export KPM_BIN

if ! command -v nvim >/dev/null; then
  echo "nvim missing: installing neovim with apt-get"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq neovim </dev/null
  else
    sudo -n apt-get update -qq && sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq neovim </dev/null
  fi
  command -v nvim >/dev/null || { echo "FAIL: cannot install neovim"; exit 1; }
fi
nvim --version | head -1

echo "== starting the dev registry"
(cd "$root" && go build -o "$tmp/devregistry" ./internal/devregistry/cmd/devregistry) ||
  { echo "FAIL: cannot build internal/devregistry/cmd/devregistry"; exit 1; }
mkdir -p "$tmp/registry"
"$tmp/devregistry" -addr 127.0.0.1:0 -user test -password 1234 -dir "$tmp/registry" 2>"$tmp/registry.log" &
reg_pid=$!
reg=
for _ in $(seq 1 200); do
  reg=$(sed -n 's/^listening on \([^ ]*\).*/\1/p' "$tmp/registry.log" | head -1)
  [ -n "$reg" ] && break
  if ! kill -0 "$reg_pid" 2>/dev/null; then break; fi
  sleep 0.1
done
if [ -z "$reg" ]; then
  echo "FAIL: the dev registry did not start:"; cat "$tmp/registry.log"; exit 1
fi
echo "registry at $reg"

# A fresh package home whose kpm.json names the test registry (repo "test"), as in the seed flow.
export HOME="$tmp/home" KCL_PKG_PATH="$tmp/home/kpm"
mkdir -p "$KCL_PKG_PATH/.kpm/config" "$HOME"
printf '{"DefaultOciRegistry":"%s","DefaultOciRepo":"test"}\n' "$reg" >"$KCL_PKG_PATH/.kpm/config/kpm.json"
export XDG_CONFIG_HOME="$tmp/xdg/config" XDG_CACHE_HOME="$tmp/xdg/cache" XDG_STATE_HOME="$tmp/xdg/state" XDG_DATA_HOME="$tmp/xdg/data"
unset KPM_REG KPM_REPO
export KPM_TEST_REG="$reg" KPM_TEST_WORK="$tmp/work"
mkdir -p "$KPM_TEST_WORK"

echo "== nvim --headless tests"
cd "$tmp/work"
timeout 600 nvim --headless --clean -u NONE -i NONE -n \
  --cmd "set rtp^=$root/editors/nvim" \
  -c "luafile $root/editors/nvim/tests/run.lua" </dev/null 2>"$tmp/nvim.stderr"
rc=$?
if [ "$rc" != 0 ]; then
  if [ -s "$tmp/nvim.stderr" ]; then
    echo "-- nvim stderr:"; tail -20 "$tmp/nvim.stderr"
  fi
  echo "editors-nvim: FAIL (exit $rc)"
  exit 1
fi
echo "editors-nvim: PASS"
