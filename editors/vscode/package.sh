#!/usr/bin/env bash
# package.sh: builds the VS Code extension into dist/kpm-<version>.vsix, non-interactively.
#   npm ci (from package-lock.json, when node_modules is missing) -> tsc type-check ->
#   esbuild bundle (out/extension.js) -> vsce package --no-dependencies.
# With KPM_BUNDLE_BIN=/path/to/kpm the binary is copied to bin/kpm inside the extension (a
# platform-specific .vsix: pass VSCE_TARGET, e.g. linux-x64); without it the extension uses
# kpm.server.path or kpm on PATH.
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run -s typecheck
npm run -s bundle

target_args=()
copied=
if [ -n "${KPM_BUNDLE_BIN:-}" ]; then
  mkdir -p bin
  cp "$KPM_BUNDLE_BIN" bin/kpm
  chmod 755 bin/kpm
  copied=bin/kpm
  trap 'rm -f "$copied"; rmdir bin 2>/dev/null || true' EXIT
  if [ -n "${VSCE_TARGET:-}" ]; then target_args=(--target "$VSCE_TARGET"); fi
elif [ -e bin/kpm ]; then
  echo "note: bundling the existing $(pwd)/bin/kpm"
fi

version=$(node -p 'require("./package.json").version')
mkdir -p dist
out="dist/kpm-${version}${VSCE_TARGET:+-$VSCE_TARGET}.vsix"
# --skip-license: the project has not chosen a license file for the extension yet.
npx --no-install vsce package --no-dependencies --skip-license "${target_args[@]}" --out "$out" </dev/null
echo "built $(pwd)/$out"
