#!/usr/bin/env bash
# kpm's KCL engine against the reference implementation (kcl-lib, installed by internal/kcloracle)
# on whole processes: the 2,000-instance and 8,000-app service packages and a program importing
# a Kubernetes-shaped package of thousands of schemas. Median wall time and max RSS, ratios
# kpm/reference, same run. BENCH_ROUNDS overrides 5 rounds. Run by `make bench`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
go build -o "$root/bin/kpm" ./cmd/kpm
go build -o "$root/bin/bench-kclref" ./bench/kclref
"$root/bin/bench-kclref" -kpm "$root/bin/kpm" -rounds "${BENCH_ROUNDS:-5}"
