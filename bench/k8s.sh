#!/usr/bin/env bash
# kpm run of a Deployment + Service + ConfigMap program against a generated Kubernetes-shaped
# package, beside the reference implementation (kcl-lib 0.13.2) in the same run. Run by
# `make bench`; BENCH_ROUNDS and BENCH_GROUPS override 9 rounds and k8sgen's 40 groups.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
go build -o "$root/bin/kpm" ./cmd/kpm
go build -o "$root/bin/bench-k8srun" ./bench/k8srun
"$root/bin/bench-k8srun" -kpm "$root/bin/kpm" -rounds "${BENCH_ROUNDS:-9}" -groups "${BENCH_GROUPS:-0}"
