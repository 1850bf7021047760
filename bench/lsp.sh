#!/usr/bin/env bash
# Language server benchmark (see BENCHMARKS.md, "Language server"): kcl.mod with 500
# dependencies and a warm cache, measured over the protocol on `kpm lsp`'s stdio.
set -euo pipefail
cd "$(dirname "$0")/.."
KPM_BIN="${KPM_BIN:-$PWD/bin/kpm}"
[ -x "$KPM_BIN" ] || go build -o "$KPM_BIN" ./cmd/kpm
go run ./bench/lspbench -kpm "$KPM_BIN" "$@"
# Large .k documents (BENCHMARKS.md, "Memory against source size"): sizes in MB.
go run ./bench/lspbench -kpm "$KPM_BIN" -large "${BENCH_LSP_LARGE:-7,15,48}"
