#!/usr/bin/env python3
"""Runs kpm and the reference (kcl-lib, through scripts/kcl-oracle/oracle.py) over real packages:
every package of kcl-lang/modules and every example of kcl-lang/konfig, extracted from the local
mirrors, and lists where the two disagree. A developer's tool (the mirrors are not in CI); see
scripts/realpkgs.sh. Dependencies come from the modules checkout itself: each `name = "version"`
of a kcl.mod is the module of that name and version, copied into a package home that kpm reads
offline and given to the reference as an external package.

usage: realpkgs.py extract GIT_DIR DEST   (the files of HEAD; blobs a partial mirror lacks are left out)
       realpkgs.py KPM WORKDIR [FILTER]    (FILTER: a substring of the package paths to run)
"""
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "kcl-oracle"))
import oracle  # noqa: E402
import kcl_lib.api as api  # noqa: E402

DEP = re.compile(r'^\s*([A-Za-z0-9_-]+)\s*=\s*(.+?)\s*$')
KPM_ERROR = re.compile(r'^(.*?):(\d+):(\d+): (\w+): (.*)$')


def read_mod(path):
    """(name, version, {dep: version or path}, profile entries) of a kcl.mod."""
    name = version = ""
    deps, entries, section = {}, [], ""
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.split("#", 1)[0].rstrip()
            if line.strip().startswith("["):
                section = line.strip()
                continue
            m = DEP.match(line)
            if not m:
                continue
            key, val = m.group(1), m.group(2)
            if section == "[package]" and key in ("name", "version"):
                if key == "name":
                    name = val.strip('"')
                else:
                    version = val.strip('"')
            elif section == "[dependencies]":
                pm = re.search(r'path\s*=\s*"([^"]+)"', val)
                vm = re.search(r'(?:version|tag)\s*=\s*"([^"]+)"', val)
                deps[key] = ("path", pm.group(1)) if pm else ("version", vm.group(1) if vm else val.strip('"'))
            elif section == "[profile]" and key == "entries":
                entries = re.findall(r'"([^"]+)"', val)
    return name, version, deps, entries


def index_modules(root):
    """{(name, version): dir} of every kcl.mod under root."""
    idx = {}
    for d, dirs, files in os.walk(root):
        dirs[:] = [x for x in dirs if not x.startswith(".")]
        if "kcl.mod" in files:
            name, version, _, _ = read_mod(os.path.join(d, "kcl.mod"))
            idx.setdefault((name, version), d)
    return idx


def externals(pkg_dir, idx, seen=None):
    """{name: dir} of a package's dependencies, transitively; None when one is not in the index."""
    seen = {} if seen is None else seen
    _, _, deps, _ = read_mod(os.path.join(pkg_dir, "kcl.mod"))
    for name, (kind, val) in deps.items():
        if name in seen:
            continue
        d = os.path.normpath(os.path.join(pkg_dir, val)) if kind == "path" else idx.get((name, val))
        if d is None or not os.path.isfile(os.path.join(d, "kcl.mod")):
            return None
        seen[name] = d
        if externals(d, idx, seen) is None:
            return None
    return seen


def packages(work):
    """Package directories to run: kcl.mod beside .k files."""
    out = []
    for top in ("modules", "konfig/examples"):
        for d, dirs, files in os.walk(os.path.join(work, top)):
            dirs[:] = sorted(x for x in dirs if not x.startswith("."))
            if "kcl.mod" in files and any(f.endswith(".k") for f in files):
                out.append(d)
    return sorted(out)


def reference(pkg, exts, client):
    _, _, _, entries = read_mod(os.path.join(pkg, "kcl.mod"))
    # ${name:KCL_MOD} entries are left to the reference, which resolves them from the externals
    files = [e if e.startswith("${") else os.path.normpath(os.path.join(pkg, e)) for e in entries]
    req = {"work_dir": pkg, "externals": ["%s=%s" % kv for kv in exts.items()]}
    if files:
        req["files"] = files
    else:
        req["dir"] = "."
    r = oracle.run(req, client)
    if r["ok"]:
        return {"ok": True, "output": r["output"]}
    e = r["error"]
    return {"ok": False, "kind": e["kind"], "file": os.path.basename(e["file"] or ""), "line": e["line"],
            "message": e["message"][:300]}


def kpm(kpm_bin, home, pkg):
    env = dict(os.environ, KCL_PKG_PATH=home)
    p = subprocess.run([kpm_bin, "run", "-q", "--offline", "--no-sum-check", "."], cwd=pkg, env=env,
                       capture_output=True, text=True, timeout=600)
    if p.returncode == 0:
        return {"ok": True, "output": p.stdout}
    for line in p.stderr.splitlines():
        m = KPM_ERROR.match(line)
        if m:
            return {"ok": False, "kind": m.group(4), "file": os.path.basename(m.group(1)), "line": int(m.group(2)),
                    "message": m.group(5)[:300]}
    return {"ok": False, "kind": "?", "file": "", "line": 0, "message": p.stderr.strip()[:300]}


def verdict(k, r):
    if k["ok"] and r["ok"]:
        if k["output"] == r["output"]:
            return "same output", ""
        kl, rl = k["output"].splitlines(), r["output"].splitlines()
        i = next((i for i in range(min(len(kl), len(rl))) if kl[i] != rl[i]), min(len(kl), len(rl)))
        return "DIFFERENT OUTPUT", "line %d: kpm %r, reference %r" % (i + 1, kl[i] if i < len(kl) else "<end>",
                                                                     rl[i] if i < len(rl) else "<end>")
    if not k["ok"] and not r["ok"]:
        same = (k["kind"], k["file"], k["line"]) == (r["kind"], r["file"], r["line"])
        return ("same error" if same else "DIFFERENT ERROR"), "kpm %s:%s %s: %s | reference %s:%s %s: %s" % (
            k["file"], k["line"], k["kind"], k["message"][:120], r["file"], r["line"], r["kind"], r["message"][:120])
    if k["ok"]:
        return "KPM RUNS, REFERENCE FAILS", "reference %s:%s %s: %s" % (r["file"], r["line"], r["kind"], r["message"][:200])
    return "KPM FAILS, REFERENCE RUNS", "kpm %s:%s %s: %s" % (k["file"], k["line"], k["kind"], k["message"][:200])


def extract(git_dir, dest):
    tree = subprocess.run(["git", "--git-dir", git_dir, "ls-tree", "-r", "-z", "HEAD"], capture_output=True,
                          check=True).stdout
    cat = subprocess.Popen(["git", "--git-dir", git_dir, "cat-file", "--batch"], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE)
    for entry in filter(None, tree.split(b"\0")):
        meta, path = entry.split(b"\t", 1)
        mode, kind, sha = meta.split()
        if kind != b"blob" or mode == b"120000":
            continue
        cat.stdin.write(sha + b"\n")
        cat.stdin.flush()
        header = cat.stdout.readline()
        if header.endswith(b" missing\n"):
            continue
        data = cat.stdout.read(int(header.split()[2]))
        cat.stdout.read(1)
        full = os.path.join(dest, path.decode())
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(data)
    cat.stdin.close()
    cat.wait()


def main():
    if sys.argv[1] == "extract":
        extract(sys.argv[2], sys.argv[3])
        return
    kpm_bin, work = sys.argv[1], sys.argv[2]
    only = sys.argv[3] if len(sys.argv) > 3 else ""
    idx = index_modules(os.path.join(work, "modules"))
    home = os.path.join(work, "home")
    cache_path = os.path.join(work, "reference.json")
    cache = json.load(open(cache_path)) if os.path.exists(cache_path) else {}
    client = api.API()
    pkgs = [p for p in packages(work) if only in os.path.relpath(p, work)]
    todo = []
    skipped = 0
    for pkg in pkgs:
        exts = externals(pkg, idx)
        if exts is None:
            skipped += 1
            continue
        for name, d in exts.items():
            _, version, _, _ = read_mod(os.path.join(d, "kcl.mod"))
            dest = os.path.join(home, "%s_%s" % (name, version))
            if not os.path.isdir(dest) and not d.startswith(os.path.join(work, "konfig")):
                shutil.copytree(d, dest)
        todo.append((pkg, exts))
    for pkg, exts in todo:
        rel = os.path.relpath(pkg, work)
        if rel not in cache:
            cache[rel] = reference(pkg, exts, client)
            json.dump(cache, open(cache_path, "w"))
    counts = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
        results = list(ex.map(lambda t: (t[0], kpm(kpm_bin, home, t[0])), todo))
    for pkg, k in results:
        rel = os.path.relpath(pkg, work)
        v, detail = verdict(k, cache[rel])
        counts[v] = counts.get(v, 0) + 1
        if v.isupper():
            print("%s: %s\n    %s" % (rel, v, detail))
    print("packages: %d run, %d skipped (a dependency not in the checkout)" % (len(todo), skipped))
    for v, n in sorted(counts.items()):
        print("  %-26s %d" % (v, n))


if __name__ == "__main__":
    main()
