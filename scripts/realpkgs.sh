#!/usr/bin/env bash
# kpm against the reference (kcl-lib) over real packages: every package of kcl-lang/modules and
# every example of kcl-lang/konfig. A developer's check, not part of `make test`: the packages come
# from local mirrors brought by the tool library's `fetch` (github:kcl-lang/modules,
# github:kcl-lang/konfig) into /work/.mirror, or KPM_MIRRORS; nothing of them is committed.
# The reference's results are cached in the work directory ($KPM_REALPKGS_DIR, default
# ${XDG_CACHE_HOME:-~/.cache}/kpm/realpkgs), so later runs only run kpm.
# usage: scripts/realpkgs.sh [FILTER]   (a substring of the package paths, e.g. modules/k8s)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mirrors="${KPM_MIRRORS:-/work/.mirror}"
work="${KPM_REALPKGS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kpm/realpkgs}"
req="$root/scripts/kcl-oracle/requirements.txt"
venv="${KPM_KCL_ORACLE_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/kpm/kcl-oracle-$(sha256sum "$req" | cut -c1-12)}"
"$venv/bin/python" -c 'import kcl_lib.api' 2>/dev/null || {
	echo "realpkgs: the reference is not installed; run: go test ./kcl -run TestGoldenMatchesReference" >&2
	exit 1
}
mkdir -p "$work"
for repo in modules konfig; do
	git_dir="$mirrors/kcl-lang+$repo/repo"
	[ -d "$git_dir" ] || { echo "realpkgs: no mirror of kcl-lang/$repo at $git_dir (fetch github:kcl-lang/$repo)" >&2; exit 1; }
	head=$(git --git-dir="$git_dir" rev-parse HEAD)
	if [ "$(cat "$work/$repo.commit" 2>/dev/null)" != "$head" ]; then
		rm -rf "${work:?}/$repo" "$work/home" "$work/reference.json"
		"$venv/bin/python" "$root/scripts/realpkgs/realpkgs.py" extract "$git_dir" "$work/$repo"
		echo "$head" >"$work/$repo.commit"
	fi
done
go build -o "$work/kpm" "$root/cmd/kpm"
"$venv/bin/python" "$root/scripts/realpkgs/realpkgs.py" "$work/kpm" "$work" "${1:-}"
