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
trap 'rm -f "$out"; [ -z "${squatter:-}" ] || kill "$squatter" 2>/dev/null || true' EXIT

# The port already taken by another program: the demo refuses, naming the way out.
python3 -c 'import socket,sys,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
time.sleep(120)' "$port" &
squatter=$!
for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
if DEMO_REGISTRY="localhost:$port" bash "$root/scripts/demo.sh" >"$out" 2>&1; then
	cat "$out" >&2
	echo "demo test: the demo ran against a port another program holds" >&2
	exit 1
fi
grep -q "demo: localhost:$port is already in use by another program; stop it, or choose another port: DEMO_REGISTRY=localhost:5002 make demo" "$out" || { cat "$out" >&2; exit 1; }
kill "$squatter"; wait "$squatter" 2>/dev/null || true; squatter=""
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
