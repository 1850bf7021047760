#!/usr/bin/env bash
# Peak memory of `kpm run` against source size, with the reference (kcl-lib 0.13.2, the KCL
# toolchain) on the same files in the same run: N assignments `aI = I` and N config entries
# (`cI = {name = "cI", port = I}`), for N growing 4x. Prints source size, peak RSS (max resident
# set, /usr/bin/time) and time for each, and the ratios peak/source, growth/source (the peak over
# kpm's peak on a one-line program: what grows with the source) and kpm/reference.
# Run by `make bench`; BENCH_MEM_SIZES overrides the sizes (default "50000 200000 800000"); the
# reference, which needs about 4x kpm's memory, runs up to BENCH_MEM_REF_MAX (default 200000).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
[ -x /usr/bin/time ] || { sudo -n apt-get install -y time >/dev/null 2>&1 || apt-get install -y time >/dev/null; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
go build -o "$work/kpm" ./cmd/kpm
# The reference's virtualenv is internal/kcloracle's (same directory, same pinned requirements).
req="$root/scripts/kcl-oracle/requirements.txt"
venv="${KPM_KCL_ORACLE_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/kpm/kcl-oracle-$(sha256sum "$req" | cut -c1-12)}"
if ! "$venv/bin/python" -c 'import kcl_lib.api' 2>/dev/null; then
	python3 -m venv "$venv" >/dev/null
	"$venv/bin/pip" install -q --disable-pip-version-check -r "$req"
fi
cat >"$work/ref.py" <<'PY'
import sys
import kcl_lib.api as api
r = api.API().exec_program(api.ExecProgramArgs(k_filename_list=[sys.argv[1]]))
if r.err_message:
    sys.exit("reference: " + r.err_message[:200])
PY
gen() { # kind n file
	python3 - "$1" "$2" "$3" <<'PY'
import sys
kind, n, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(path, "w") as f:
    for i in range(n):
        if kind == "assign":
            f.write("a%d = %d\n" % (i, i))
        else:
            f.write('c%d = {name = "c%d", port = %d}\n' % (i, i, i))
PY
}
measure() { # cmd... -> "peakKB seconds"
	/usr/bin/time -f "%M %e" -o "$work/t" "$@" >/dev/null 2>"$work/err" || { echo "failed: $*" >&2; cat "$work/err" >&2; exit 1; }
	cat "$work/t"
}
echo 'a = 1' >"$work/one.k"
read -r baseKB _ < <(measure "$work/kpm" run "$work/one.k")
printf "kpm run of a one-line program: %.1f MB\n" "$(awk -v b="$baseKB" 'BEGIN { print b/1024 }')"
printf "%-7s %9s %10s %10s %8s %8s %8s %11s %11s %8s\n" kind N source_MB kpm_MB kpm_s ref_MB ref_s kpm/source growth/src kpm/ref
for kind in assign config; do
	for n in ${BENCH_MEM_SIZES:-50000 200000 800000}; do
		f="$work/$kind-$n.k"
		gen "$kind" "$n" "$f"
		size=$(stat -c %s "$f")
		read -r kpmKB kpmS < <(KPM_EVAL_MEMORY=64GiB measure "$work/kpm" run "$f")
		refKB=0 refS=0
		if [ "$n" -le "${BENCH_MEM_REF_MAX:-200000}" ]; then
			read -r refKB refS < <(measure "$venv/bin/python" "$work/ref.py" "$f")
		fi
		awk -v k="$kind" -v n="$n" -v s="$size" -v km="$kpmKB" -v ks="$kpmS" -v rm="$refKB" -v rs="$refS" -v b="$baseKB" 'BEGIN {
			if (rm > 0) printf "%-7s %9d %10.1f %10.1f %8.2f %8.1f %8.2f %11.1f %11.1f %8.2f\n", k, n, s/1e6, km/1024, ks, rm/1024, rs, km*1024/s, (km-b)*1024/s, km/rm
			else printf "%-7s %9d %10.1f %10.1f %8.2f %8s %8s %11.1f %11.1f %8s\n", k, n, s/1e6, km/1024, ks, "-", "-", km*1024/s, (km-b)*1024/s, "-" }'
		rm -f "$f"
	done
done
