#!/usr/bin/env python3
"""The reference KCL implementation (kcl-lib) behind a JSON line protocol.

Each line on stdin is one request; each answer is one line on stdout:

  {"id": 1, "files": ["main.k"] | "dir": ".", "work_dir": "/abs",
   "options": ["k=v"], "selectors": ["a.b"], "settings": ["kcl.yaml"],
   "externals": ["name=/path"], "sort_keys": false, "disable_none": false,
   "show_hidden": false, "strict_range_check": false, "format": "yaml"}
  -> {"id": 1, "ok": true, "output": "a: 1\n", "printed": ""}
  -> {"id": 1, "ok": false, "printed": "", "error": {"kind": "EvaluationError",
      "code": "", "file": "/abs/main.k", "line": 2, "col": 1, "message": "...",
      "related": [{"file", "line", "col", "message"}], "text": "..."}}
  {"id": 2, "version": true} -> {"id": 2, "ok": true, "version": "0.13.2"}

"output" is what `kcl run` prints on stdout after the print() lines: the YAML
result and a newline, or the JSON result indented by four spaces and a newline.
With arguments instead of stdin (oracle.py [kcl run flags] files...) it runs one
program and prints like `kcl run`, for looking at a case by hand.
"""

import argparse
import json
import os
import re
import sys
from importlib import metadata

import kcl_lib.api as api

START_DIR = os.getcwd()
ANSI = re.compile(r"\x1b\[[0-9;]*m")
HEADER = re.compile(r"^(?:error|warning)\[(\w+)\]: (\w+)\s*$")
BARE_HEADER = re.compile(r"^(\w+)\s*$")
LOCATION = re.compile(r"^\s*--> (.*?):(\d+)(?::(\d+))?\s*$")
SOURCE = re.compile(r"^\s*\d+ \|")
GUTTER = re.compile(r"^\s*\|(.*)$")


def parse_errors(text):
    """Splits rendered diagnostics into [{kind, code, file, line, col, message}]."""
    lines = ANSI.sub("", text).split("\n")
    diags = []
    cur = None
    i = 0
    while i < len(lines):
        line = lines[i]
        m = HEADER.match(line)
        if m or (cur is None and BARE_HEADER.match(line) and line.strip()):
            code, kind = (m.group(1), m.group(2)) if m else ("", line.strip())
            cur = {"kind": kind, "code": code, "locations": []}
            diags.append(cur)
            i += 1
            continue
        m = LOCATION.match(line)
        if m and cur is not None:
            loc = {"file": m.group(1), "line": int(m.group(2)),
                   "col": int(m.group(3) or 0), "message": ""}
            cur["locations"].append(loc)
            i += 1
            # the message follows the source line: "  |    ^ message" and may span lines
            while i < len(lines) and not SOURCE.match(lines[i]) and not LOCATION.match(lines[i]):
                i += 1
            if i < len(lines) and SOURCE.match(lines[i]):
                i += 1
                msg = []
                while i < len(lines):
                    g = GUTTER.match(lines[i])
                    if g is not None and not msg:
                        msg.append(g.group(1).strip().lstrip("^").strip())
                    elif g is not None and g.group(1).strip() == "":
                        break
                    elif g is not None or SOURCE.match(lines[i]) or LOCATION.match(lines[i]):
                        break
                    else:
                        msg.append(lines[i])
                    i += 1
                loc["message"] = "\n".join(msg)
            continue
        i += 1
    return diags


def error_of(text):
    plain = ANSI.sub("", text).strip("\n")
    diags = parse_errors(text)
    if not diags:
        return {"kind": "", "code": "", "file": "", "line": 0, "col": 0,
                "message": plain, "related": [], "all": [], "text": plain}
    first = diags[0]
    locs = first["locations"] or [{"file": "", "line": 0, "col": 0, "message": ""}]
    all_diags = [{"kind": d["kind"], "code": d["code"], **(d["locations"][0] if d["locations"] else
                  {"file": "", "line": 0, "col": 0, "message": ""})} for d in diags]
    return {"kind": first["kind"], "code": first["code"], "file": locs[0]["file"],
            "line": locs[0]["line"], "col": locs[0]["col"], "message": locs[0]["message"],
            "related": locs[1:], "all": all_diags, "text": plain}


def indent_json(raw):
    """Re-indents JSON text by four spaces without touching its scalars (as Go's json.Indent)."""
    out = []
    depth = 0
    i = 0
    n = len(raw)
    while i < n:
        c = raw[i]
        if c == '"':
            j = i + 1
            while raw[j] != '"':
                j += 2 if raw[j] == "\\" else 1
            out.append(raw[i:j + 1])
            i = j + 1
            continue
        if c in " \t\r\n":
            i += 1
            continue
        if c in "{[":
            k = i + 1
            while k < n and raw[k] in " \t\r\n":
                k += 1
            if k < n and raw[k] in "}]":
                out.append(c + raw[k])
                i = k + 1
                continue
            depth += 1
            out.append(c + "\n" + "    " * depth)
        elif c in "}]":
            depth -= 1
            out.append("\n" + "    " * depth + c)
        elif c == ",":
            out.append(",\n" + "    " * depth)
        elif c == ":":
            out.append(": ")
        else:
            out.append(c)
        i += 1
    return "".join(out)


def exec_args(req, client):
    work_dir = req.get("work_dir") or os.getcwd()
    args = api.ExecProgramArgs(work_dir=work_dir)
    files = list(req.get("files") or [])
    if req.get("dir"):
        # a package directory is its .k files, as `kcl run` in that directory compiles them
        # (the reference given the directory itself resolves sibling packages differently)
        d = os.path.join(work_dir, req["dir"])
        files.extend(sorted(os.path.join(d, f) for f in os.listdir(d)
                            if f.endswith(".k") and not f.endswith("_test.k")))
    flags = {k: bool(req.get(k)) for k in ("sort_keys", "disable_none", "show_hidden", "strict_range_check")}
    selectors = list(req.get("selectors") or [])
    if req.get("settings"):
        # as `kcl run -Y`: the settings' files, options and switches come first, the flags add to them
        settings = [os.path.join(work_dir, f) for f in req["settings"]]
        loaded = client.load_settings_files(api.LoadSettingsFilesArgs(work_dir=work_dir, files=settings))
        cfg = loaded.kcl_cli_configs
        files = list(cfg.files) + files
        for k in flags:
            flags[k] = flags[k] or getattr(cfg, k)
        selectors = list(cfg.path_selector) + selectors
        for kv in loaded.kcl_options:
            args.args.append(api.Argument(name=kv.key, value=kv.value))
    for opt in req.get("options") or []:
        name, _, value = opt.partition("=")
        args.args.append(api.Argument(name=name, value=value))
    for ext in req.get("externals") or []:
        name, _, path = ext.partition("=")
        args.external_pkgs.append(api.ExternalPkg(pkg_name=name, pkg_path=path))
    args.k_filename_list.extend(files)
    args.path_selector.extend(selectors)
    for k, v in flags.items():
        setattr(args, k, v)
    return args


def run(req, client):
    try:
        # without a kcl.mod, the reference resolves absolute imports from the working directory
        os.chdir(req.get("work_dir") or START_DIR)
        args = exec_args(req, client)
        res = client.exec_program(args)
    except Exception as e:  # compile errors are raised, evaluation errors returned
        return {"ok": False, "printed": "", "error": error_of(str(e))}
    if res.err_message:
        return {"ok": False, "printed": res.log_message, "error": error_of(res.err_message)}
    if (req.get("format") or "yaml") == "json":
        output = indent_json(res.json_result) + "\n"
    else:
        output = res.yaml_result + "\n"
    return {"ok": True, "output": output, "printed": res.log_message}


def serve(client):
    # The native library may write to fd 1; keep the protocol on a private copy of it.
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            req = json.loads(line)
        except ValueError as e:
            proto.write(json.dumps({"ok": False, "protocol_error": str(e)}) + "\n")
            proto.flush()
            continue
        if req.get("version"):
            resp = {"ok": True, "version": metadata.version("kcl-lib")}
        else:
            resp = run(req, client)
        resp["id"] = req.get("id")
        proto.write(json.dumps(resp, ensure_ascii=False) + "\n")
        proto.flush()


def once(argv, client):
    p = argparse.ArgumentParser(prog="oracle.py", description="kcl run with the reference implementation")
    p.add_argument("files", nargs="*")
    p.add_argument("-D", dest="options", action="append", default=[])
    p.add_argument("-S", dest="selectors", action="append", default=[])
    p.add_argument("-Y", dest="settings", action="append", default=[])
    p.add_argument("-E", dest="externals", action="append", default=[])
    p.add_argument("-k", "--sort-keys", dest="sort_keys", action="store_true")
    p.add_argument("-n", "--disable-none", dest="disable_none", action="store_true")
    p.add_argument("-H", "--show-hidden", dest="show_hidden", action="store_true")
    p.add_argument("-r", "--strict-range-check", dest="strict_range_check", action="store_true")
    p.add_argument("--format", default="yaml")
    req = vars(p.parse_args(argv))
    resp = run(req, client)
    sys.stdout.write(resp.get("printed", ""))
    if resp["ok"]:
        sys.stdout.write(resp["output"])
        return 0
    sys.stderr.write(resp["error"]["text"] + "\n")
    return 1


def main():
    client = api.API()
    if len(sys.argv) > 1:
        sys.exit(once(sys.argv[1:], client))
    serve(client)


if __name__ == "__main__":
    main()
