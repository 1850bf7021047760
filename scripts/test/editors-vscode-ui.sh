#!/usr/bin/env bash
# editors-vscode-ui.sh: the VS Code extension in a real VS Code (code-server), driven through its
# workbench by headless Chromium, against the real `kpm lsp` ($KPM_BIN) and a real local registry.
#   1. installs what is missing: Debian's chromium, ripgrep and the headers code-server's native
#      modules build against; code-server and playwright-core (pinned) from npm into a cache
#      directory outside the repository ($KPM_TEST_CACHE, default ~/.cache/kpm-test), once
#   2. builds the .vsix (editors/vscode/package.sh) and the dev registry (user test, password 1234)
#   3. starts the registry and code-server on free 127.0.0.1 ports, with the extension installed
#      and kpm.server.path=$KPM_BIN, in a fresh user-data dir, HOME, KCL_PKG_PATH and DOCKER_CONFIG
#   4. runs editors/vscode/test/ui/*.test.js (node --test): each step clicks and types as a user
#      does and saves a screenshot to $KPM_UI_ARTIFACTS (default: a temp dir, printed at the end)
# Exits non-zero when anything fails. Run by `make test` with KPM_BIN=/abs/path/bin/kpm.
# Never downloads a browser: Playwright drives /usr/bin/chromium.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
ext="$root/editors/vscode"
code_server_version=4.100.3
playwright_version=1.65.2
cache="${KPM_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kpm-test}/code-server-$code_server_version-pw-$playwright_version"
tmp=$(mktemp -d)
artifacts="${KPM_UI_ARTIFACTS:-$(mktemp -d -t kpm-vscode-ui.XXXXXX)}"
mkdir -p "$artifacts"

pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

# --- 1. tools --------------------------------------------------------------------------------
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }
missing=()
for pkg in chromium ripgrep libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "== apt-get install ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
fi
for tool in node npm /usr/bin/chromium /usr/bin/rg; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool missing"; exit 1; }
done

if [ ! -e "$cache/.installed" ]; then
  echo "== npm install code-server@$code_server_version playwright-core@$playwright_version into $cache"
  # @vscode/ripgrep's install step downloads ripgrep from GitHub unless its cache (in the OS temp
  # dir) already holds the tarball: give it Debian's rg.
  rg_cache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
  mkdir -p "$rg_cache" "$tmp/rg"
  cp /usr/bin/rg "$tmp/rg/rg"
  tar -C "$tmp/rg" -czf "$rg_cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" rg
  rm -rf "$cache"
  mkdir -p "$cache"
  (cd "$cache" && echo '{"private":true}' >package.json &&
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm_config_yes=true npm_config_unsafe_perm=true \
      npm install --no-audit --no-fund --loglevel=error \
      "code-server@$code_server_version" "playwright-core@$playwright_version")
  touch "$cache/.installed"
fi
code_server="$cache/node_modules/.bin/code-server"
[ -x "$code_server" ] || { echo "FAIL: $code_server missing (remove $cache to reinstall)"; exit 1; }
[ "${1:-}" = --install-only ] && exit 0

# --- 2. the extension, kpm and the registry -----------------------------------------------------
if [ -z "${KPM_BIN:-}" ]; then
  echo "== KPM_BIN not set: building kpm"
  (cd "$root" && go build -o "$tmp/kpm" ./cmd/kpm)
  KPM_BIN="$tmp/kpm"
fi
echo "== packaging the extension"
(cd "$ext" && bash package.sh) >"$tmp/package.log" 2>&1 || { cat "$tmp/package.log"; echo "FAIL: package.sh"; exit 1; }
vsix="$ext/dist/kpm-$(node -p "require('$ext/package.json').version").vsix"
(cd "$root" && go build -o "$tmp/devregistry" ./internal/devregistry/cmd/devregistry)

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
wait_port() { # wait_port PORT PID LOG
  local _
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { cat "$3"; return 1; }
    sleep 0.1
  done
  cat "$3"
  return 1
}

reg_port=$(free_port)
"$tmp/devregistry" -addr "127.0.0.1:$reg_port" -user test -password 1234 -dir "$tmp/registry" 2>"$tmp/registry.log" &
pids+=($!)
wait_port "$reg_port" "${pids[-1]}" "$tmp/registry.log" || { echo "FAIL: the registry did not start"; exit 1; }

# --- 3. code-server -------------------------------------------------------------------------------
home="$tmp/home"
ws="$tmp/workspace"
mkdir -p "$home" "$ws" "$tmp/user-data/User" "$tmp/extensions" "$tmp/kpm-home/.kpm/config"
export KCL_PKG_PATH="$tmp/kpm-home" DOCKER_CONFIG="$tmp/docker"
unset KPM_REG KPM_REPO OCI_REG_PLAIN_HTTP
printf '{"DefaultOciRegistry":"127.0.0.1:%s","DefaultOciRepo":"test"}\n' "$reg_port" >"$KCL_PKG_PATH/.kpm/config/kpm.json"
cat >"$tmp/user-data/User/settings.json" <<JSON
{
  "kpm.server.path": "$KPM_BIN",
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "security.workspace.trust.enabled": false,
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "telemetry.telemetryLevel": "off",
  "files.simpleDialog.enable": true,
  "window.dialogStyle": "custom",
  "editor.quickSuggestions": {"other": false, "comments": false, "strings": false},
  "editor.hover.enabled": false
}
JSON
cs_args=(--auth none --disable-telemetry --disable-update-check --disable-workspace-trust
  --user-data-dir "$tmp/user-data" --extensions-dir "$tmp/extensions")
HOME="$home" "$code_server" "${cs_args[@]}" --install-extension "$vsix" >"$tmp/install-ext.log" 2>&1 ||
  { cat "$tmp/install-ext.log"; echo "FAIL: cannot install $vsix"; exit 1; }
cs_port=$(free_port)
HOME="$home" "$code_server" "${cs_args[@]}" --bind-addr "127.0.0.1:$cs_port" "$ws" >"$tmp/code-server.log" 2>&1 &
pids+=($!)
wait_port "$cs_port" "${pids[-1]}" "$tmp/code-server.log" || { echo "FAIL: code-server did not start"; exit 1; }

# --- 4. the UI tests ------------------------------------------------------------------------------
echo "== UI tests (code-server $code_server_version on 127.0.0.1:$cs_port, registry 127.0.0.1:$reg_port)"
status=0
KPM_UI_URL="http://127.0.0.1:$cs_port/?folder=$ws" KPM_UI_WORKSPACE="$ws" KPM_UI_REGISTRY="127.0.0.1:$reg_port" \
  KPM_UI_ARTIFACTS="$artifacts" KPM_BIN="$KPM_BIN" \
  NODE_PATH="$cache/node_modules" \
  node --test --test-concurrency=1 --test-reporter=spec "$ext"/test/ui/ || status=$?
if [ "$status" != 0 ]; then
  echo "--- code-server log"; tail -n 40 "$tmp/code-server.log"
  find "$tmp/user-data/logs" -name '*KCL Package*' -o -name 'exthost.log' | while read -r f; do echo "--- $f"; tail -n 60 "$f"; done
fi
echo "screenshots: $artifacts"
[ "$status" = 0 ] && echo "editors-vscode-ui: PASS" || echo "editors-vscode-ui: FAIL"
exit "$status"
