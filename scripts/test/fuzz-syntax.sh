#!/usr/bin/env bash
# Fuzzes the KCL scanner and parser (kcl/syntax) for a bounded time per
# target, one target at a time (go test -fuzz accepts a single target).
# FUZZTIME overrides the per-target budget (default 20s).
set -euo pipefail
cd "$(dirname "$0")/../.."

fuzztime="${FUZZTIME:-20s}"
targets=$(go test -list '^Fuzz' ./kcl/syntax | grep '^Fuzz' || true)
if [ -z "$targets" ]; then
	echo "fuzz-syntax: no fuzz targets found in ./kcl/syntax" >&2
	exit 1
fi
for target in $targets; do
	echo "fuzz-syntax: $target for $fuzztime"
	go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" ./kcl/syntax
done
