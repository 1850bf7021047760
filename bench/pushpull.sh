#!/usr/bin/env bash
# Push/pull benchmark (issue 2): the kpm binary vs a plain oras-go program
# (bench/baseline, with the standard library's gzip and with kpm's), 50 MiB
# package, one in-process registry, one run; prints medians, minimums, CPU
# time and the ratios kpm/baseline (target <= 1.10). Run by `make bench`.
# BENCH_ROUNDS (default 9) and BENCH_SIZE_MB (default 50) override the run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Fresh builds of both programs, so the figures are for the code checked out.
go build -o "$work/kpm" ./cmd/kpm
go build -o "$work/baseline" ./bench/baseline
go build -o "$work/pushpull" ./bench/pushpull
"$work/pushpull" -kpm "$work/kpm" -baseline "$work/baseline" \
	-size "${BENCH_SIZE_MB:-50}" -rounds "${BENCH_ROUNDS:-9}"
