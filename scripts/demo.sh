#!/usr/bin/env bash
# kpm demo: a real OCI registry on localhost:5001 (user test, password 1234; DEMO_REGISTRY=host:port
# moves it) and upstream's guide word for word: the configuration file $KCL_PKG_PATH/.kpm/config.json,
# login, `kpm init NAME`, `cd NAME`, push to the default registry, pull by name:version and by
# --tag URL; then dependencies (add, update, metadata, graph), kpm run (local, -O/-S, oci:// --tag,
# name:version), pkg and push --tar_path, import, a language-server handshake, logout.
# Run through `make demo` (which builds bin/kpm first). Every step is echoed; any failure stops
# the demo with a non-zero exit code.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
KPM="${KPM_BIN:-$root/bin/kpm}"
REG_ADDR="${DEMO_REGISTRY:-localhost:5001}"

if [ ! -x "$KPM" ]; then
	echo "demo: $KPM not found; run 'make demo' (or 'make build' first)" >&2
	exit 1
fi

tmp="$(mktemp -d)"
reg_pid=""
cleanup() {
	if [ -n "$reg_pid" ]; then
		kill "$reg_pid" 2>/dev/null || true
		wait "$reg_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'echo "demo: FAILED (line $LINENO, exit code $?)" >&2' ERR

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
step() { printf '\n%s==> %s%s\n' "$bold" "$*" "$plain"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "build the development registry"
go build -o "$root/bin/devregistry" ./internal/devregistry/cmd/devregistry

reg_host="${REG_ADDR%:*}"
reg_port="${REG_ADDR##*:}"
[ "$reg_host" = localhost ] && reg_host=127.0.0.1
answering() { (exec 3<>"/dev/tcp/$reg_host/$reg_port") 2>/dev/null; }
# Something else on the port would receive the demo's pushes (and credentials): refuse.
if answering; then
	echo "demo: $REG_ADDR is already in use by another program; stop it, or choose another port: DEMO_REGISTRY=localhost:5002 make demo" >&2
	exit 1
fi

step "start a registry on $REG_ADDR (user test, password 1234)"
"$root/bin/devregistry" -addr "$REG_ADDR" -user test -password 1234 -dir "$tmp/registry" 2>"$tmp/registry.log" &
reg_pid=$!
for _ in $(seq 1 100); do
	answering && break
	if ! kill -0 "$reg_pid" 2>/dev/null; then
		echo "demo: the registry did not start:" >&2
		cat "$tmp/registry.log" >&2
		exit 1
	fi
	sleep 0.1
done
answering || { echo "demo: registry not answering on $REG_ADDR" >&2; exit 1; }
# The port may have been taken between the check and the start: the answer must be ours.
if ! kill -0 "$reg_pid" 2>/dev/null; then
	echo "demo: the registry did not start on $REG_ADDR:" >&2
	cat "$tmp/registry.log" >&2
	exit 1
fi
echo "registry answering on $REG_ADDR"

export KCL_PKG_PATH="$tmp/kpm-home"
export DOCKER_CONFIG="$tmp/docker"
unset KPM_REG KPM_REPO OCI_REG_PLAIN_HTTP
echo "KCL_PKG_PATH=$KCL_PKG_PATH"

step "the guide's configuration file: \$KCL_PKG_PATH/.kpm/config.json names the default registry"
mkdir -p "$KCL_PKG_PATH/.kpm"
printf '{"DefaultOciRegistry":"%s","DefaultOciRepo":"test"}\n' "$REG_ADDR" >"$KCL_PKG_PATH/.kpm/config.json"
run cat "$KCL_PKG_PATH/.kpm/config.json"

step "log in (the guide's form; kpm warns that -p stays in shell history: prefer --password-stdin)"
run "$KPM" login -u test -p 1234 "$REG_ADDR"

step "create a package: kpm init NAME, then cd NAME"
mkdir -p "$tmp/work"
cd "$tmp/work"
run "$KPM" init my_package
run cd my_package
run cat kcl.mod main.k

step "push it to the default registry of the configuration file"
run "$KPM" push

step "pull it by name:version into the current directory (<registry>/<repo>/<tag>)"
mkdir -p "$tmp/work/pulled"
cd "$tmp/work/pulled"
run "$KPM" pull my_package:0.0.1
run cat "$REG_ADDR/test/my_package/0.0.1/main.k"

step "pull it by --tag and OCI URL into a directory"
run "$KPM" pull --tag 0.0.1 "oci://$REG_ADDR/test/my_package" deps
run ls "deps/$REG_ADDR/test/my_package/0.0.1"

step "publish a library package with a schema"
cd "$tmp/work"
run "$KPM" init greeting --version 0.1.0
cd greeting
cat > main.k <<'KCL'
schema Greeting:
    """A greeting for someone."""
    name: str
    text: str = "Hello, ${name}!"

    check:
        len(name) > 0, "name must not be empty"
KCL
run cat main.k
run "$KPM" push

step "depend on it from a new package"
cd "$tmp/work"
run "$KPM" init app --version 0.1.0
cd app
run "$KPM" add greeting:0.1.0
cat > main.k <<'KCL'
import greeting

_names = ["kcl", "kpm"]
greetings = [greeting.Greeting {name = n} for n in _names]
replicas = option("replicas", type="int", default=1)
KCL
run cat kcl.mod kcl.mod.lock main.k

step "format it: kpm fmt --check lists unformatted files (exit 1), kpm fmt rewrites them"
printf 'extra = {a=1,   b=[1,2]}\n' >> main.k
if run "$KPM" fmt --check; then echo "kpm fmt --check should have failed" >&2; exit 1; fi
run "$KPM" fmt
run "$KPM" fmt --check
run tail -1 main.k

step "run it: YAML on stdout, dependencies from the lock and cache (no registry request)"
run "$KPM" run -D replicas=3
run "$KPM" run -O replicas=5 -S replicas

step "update, metadata, graph"
run "$KPM" update
run "$KPM" metadata
run "$KPM" graph

step "package it into a .tar and publish the archive"
run "$KPM" pkg --target dist
run "$KPM" push --tar_path dist/app_0.1.0.tar "oci://$REG_ADDR/test/app_archive"

step "generate KCL from YAML data"
cat > values.yaml <<'YAML'
service:
  name: web
  ports: [80, 443]
YAML
run "$KPM" import -o values.k values.yaml
run "$KPM" run values.k

step "run packages straight from the registry"
run "$KPM" push
cd "$tmp/work"
run "$KPM" run --tag 0.1.0 "oci://$REG_ADDR/test/app"
run "$KPM" run app:0.1.0 --format json

step "a Kubernetes-shaped package: push a generated k8s (3 000 schemas), add it, run a Deployment"
(cd "$root" && go run ./internal/k8sgen/cmd/k8sgen -o "$tmp/work/k8s" -program "$tmp/work/web/main.k")
cd "$tmp/work/k8s"
run "$KPM" push "oci://$REG_ADDR/test/k8s"
cd "$tmp/work/web"
run "$KPM" init --version 0.1.0
run "$KPM" add k8s:1.31.2
run "$KPM" run

step "hostile programs stop with one line naming the expression (exit 1), not a crash"
mkdir -p "$tmp/work/hostile" && cd "$tmp/work/hostile"
printf 'print("streamed before the error")\na = "a" * 10 ** 10\n' > main.k
if run "$KPM" run main.k; then echo "demo: a 10 GB string should have been refused" >&2; exit 1; fi
printf 'a = 10 ** 10 ** 10\n' > main.k
if run "$KPM" run main.k; then echo "demo: 10 ** 10 ** 10 should have overflowed" >&2; exit 1; fi
cd "$tmp/work"

step "the language server: initialize over stdio and list its workspace commands"
lsp_msg() { printf 'Content-Length: %d\r\n\r\n%s' "${#1}" "$1"; }
{
	lsp_msg '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}}'
	lsp_msg '{"jsonrpc":"2.0","method":"initialized","params":{}}'
	lsp_msg '{"jsonrpc":"2.0","id":2,"method":"shutdown"}'
	lsp_msg '{"jsonrpc":"2.0","method":"exit"}'
} | "$KPM" lsp >"$tmp/lsp.out"
commands=$(grep -o '"commands":\[[^]]*\]' "$tmp/lsp.out")
[ -n "$commands" ] || { echo "demo: kpm lsp gave no executeCommandProvider" >&2; exit 1; }
echo "kpm lsp answered initialize; $commands"
echo "editors: see docs/editors.md (VS Code extension, Neovim plugin)"

step "log out"
run "$KPM" logout "$REG_ADDR"

step "demo finished: every step succeeded"
