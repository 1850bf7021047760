#!/usr/bin/env bash
# kpm's KCL engine against the reference implementation (kcl-lib from PyPI, run through
# scripts/kcl-oracle; internal/kcloracle installs it into a venv on first use and fails with the
# install command when python3, venv or pip is missing):
#  1. every golden case in kcl/testdata/eval must print what the reference prints
#     (or list its divergence in divergence.txt);
#  2. the differential fuzzer runs a fixed seed (any divergence of a category without a
#     regression case fails) and then a time-based seed, printed so it can be replayed; new
#     divergences from the time-based seed are logged, minimized, without failing the suite
#     (replay: go test ./internal/kclfuzz -run TestDifferential -kclfuzz.seed=SEED -kclfuzz.save).
# KCL_FUZZ_PROGRAMS (fixed seed, default 200) and KCL_FUZZ_TIME (time-based seed, default 25s)
# bound the run.
set -euo pipefail
cd "$(dirname "$0")/../.."

command -v python3 >/dev/null || {
	echo "kcl-oracle: python3 not found; install it: apt-get install -y python3 python3-venv python3-pip" >&2
	exit 1
}

echo "kcl-oracle: golden cases against the reference"
go test -count=1 -run 'TestGoldenMatchesReference' ./kcl

programs="${KCL_FUZZ_PROGRAMS:-200}"
echo "kcl-oracle: fuzzing $programs programs from the fixed seed 1"
go test -count=1 -run '^TestDifferential$' ./internal/kclfuzz -kclfuzz.seed=1 -kclfuzz.programs="$programs"

seed="$(date +%s)"
echo "kcl-oracle: fuzzing for ${KCL_FUZZ_TIME:-25s} from the time-based seed $seed"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
go test -count=1 -v -run '^TestDifferential$' ./internal/kclfuzz -kclfuzz.seed="$seed" \
	-kclfuzz.programs=0 -kclfuzz.duration="${KCL_FUZZ_TIME:-25s}" -kclfuzz.lenient >"$log" 2>&1 || status=$?
grep -E 'programs, |NEW DIVERGENCE|^ok|FAIL' "$log" || true
# Lenient means new divergence categories do not fail; anything else that fails the run does.
if [ "$status" != 0 ]; then
	echo "kcl-oracle: the time-based fuzz run failed (seed $seed):" >&2
	tail -40 "$log" >&2
	exit 1
fi
