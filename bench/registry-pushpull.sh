#!/usr/bin/env bash
# Library-level push/pull benchmark: kpm's registry package (registry.Push,
# registry.Pull) vs a plain oras-go program, 50 MB package, same in-process
# registry, one run; prints medians, minimums and the kpm/oras-go ratios
# (target <= 1.10). Extra arguments go to the program (-size MB, -n N).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
go run ./internal/bench/pushpull "$@"
