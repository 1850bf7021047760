#!/usr/bin/env bash
# Runs scripts/demo.sh (what `make demo` does) against a free local port, so `make test` proves
# the demo still works. Output is shown only when it fails.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export KPM_BIN="${KPM_BIN:-$root/bin/kpm}"
[ -x "$KPM_BIN" ] || (cd "$root" && go build -o "$KPM_BIN" ./cmd/kpm)

port=""
for p in $(seq 15001 15100); do
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		port=$p
		break
	fi
done
[ -n "$port" ] || { echo "demo test: no free port in 15001-15100" >&2; exit 1; }

out="$(mktemp)"
trap 'rm -f "$out"' EXIT
if DEMO_REGISTRY="localhost:$port" bash "$root/scripts/demo.sh" >"$out" 2>&1; then
	grep -q 'Login succeeded' "$out"
	grep -q '^pushed localhost:'"$port"'/test/my_package:0.0.1$' "$out"
	grep -q '^path: localhost:'"$port"'/test/my_package/0.0.1$' "$out"
	grep -q '^initialized package my_package 0.0.1 in my_package$' "$out"
	grep -q '^pushed localhost:'"$port"'/test/app_archive:0.1.0$' "$out"
	grep -q '^app@0.1.0 greeting@0.1.0$' "$out"
	grep -q '^greetings:$' "$out"
	grep -q '^  text: Hello, kpm!$' "$out"
	grep -q '^replicas: 3$' "$out"
	grep -q '^5$\|^replicas: 5$' "$out"
	grep -q '"replicas": 1' "$out"
	grep -q 'kpm lsp answered initialize; "commands":\[.*"kpm.run"' "$out"
	grep -q 'Logout succeeded' "$out"
	grep -q 'demo finished: every step succeeded' "$out"
	echo "demo: ok (localhost:$port)"
else
	cat "$out" >&2
	echo "demo test: scripts/demo.sh failed" >&2
	exit 1
fi
