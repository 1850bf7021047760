#!/usr/bin/env bash
# Dependency resolution benchmark: 20 OCI dependencies, cold parallel vs sequential baseline
# (same code, parallelism 1) and warm (lock + cache, registry requests must be 0), without and
# with added registry latency. Run by `make bench`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
go build -o "$root/bin/bench-resolve" ./bench/resolve
"$root/bin/bench-resolve" -deps "${BENCH_DEPS:-20}" -size-kb "${BENCH_DEP_KB:-256}" -rounds "${BENCH_ROUNDS:-5}" -latency "${BENCH_LATENCY:-20ms}"
