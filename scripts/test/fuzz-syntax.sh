#!/usr/bin/env bash
# Fuzzes the KCL scanner and parser (kcl/syntax) for a bounded time per
# target, one target at a time (go test -fuzz accepts a single target):
# termination, positions and errors on any input. FuzzRoundTrip (printer)
# runs its seeds in every `go test` and is fuzzed on demand:
# FUZZ_TARGETS=FuzzRoundTrip bash scripts/test/fuzz-syntax.sh
# FUZZTIME overrides the per-target budget (default 20s).
set -euo pipefail
cd "$(dirname "$0")/../.."

fuzztime="${FUZZTIME:-20s}"
targets="${FUZZ_TARGETS:-FuzzScan FuzzParse}"
listed=$(go test -list '^Fuzz' ./kcl/syntax)
for target in $targets; do
	grep -qx "$target" <<<"$listed" || {
		echo "fuzz-syntax: no fuzz target $target in ./kcl/syntax" >&2
		exit 1
	}
done
for target in $targets; do
	echo "fuzz-syntax: $target for $fuzztime"
	go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" ./kcl/syntax
done
