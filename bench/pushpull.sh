#!/usr/bin/env bash
# Push/pull benchmark: kpm vs a plain oras-go baseline, 50 MiB package, same local registry,
# one run; prints medians and the ratio kpm/baseline. Run by `make bench` (after make build).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
KPM="${KPM_BIN:-$root/bin/kpm}"
[ -x "$KPM" ] || go build -o "$KPM" ./cmd/kpm
go build -o "$root/bin/baseline" ./bench/baseline
go build -o "$root/bin/bench-pushpull" ./bench/pushpull
"$root/bin/bench-pushpull" -kpm "$KPM" -baseline "$root/bin/baseline" -size "${BENCH_SIZE_MB:-50}" -rounds "${BENCH_ROUNDS:-9}"
