"""Score the checker against the acceptance set's ground truth.

    python tests/acceptance/score.py SETDIR [--python PY] [--pythonpath DIR] [--json OUT]

Runs ``python -m xltool check --format json --no-write -j 1`` over SETDIR (built by build.py) and compares the
error findings with ``expected.json``: a wrong cell is *caught* when an error names one of its cells, *warned*
when only a warning does, otherwise *missed*; an error anywhere else is a *false error* (``cascade`` when it is
on a cell that only follows from an injected error, where at most a warning is allowed).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

_CELL = re.compile(r"^([A-Z]+)(\d+)$")


def _rc(cell: str) -> tuple[int, int]:
    m = _CELL.match(cell)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


def cells_of(ref: str | None) -> set[str]:
    """'F7' or 'H8:I8' -> the cells it covers."""
    if not ref:
        return set()
    ref = ref.replace("$", "").split("!")[-1]
    if ":" not in ref:
        return {ref}
    a, b = ref.split(":", 1)
    (r1, c1), (r2, c2) = _rc(a), _rc(b)
    out = set()
    for r in range(min(r1, r2), max(r1, r2) + 1):
        for c in range(min(c1, c2), max(c1, c2) + 1):
            s, n = "", c
            while n:
                n, m = divmod(n - 1, 26)
                s = chr(65 + m) + s
            out.add(f"{s}{r}")
    return out


def score_file(truth: dict, report: dict | None) -> dict:
    """Compare one file's report (a ``files`` entry of the JSON) with its truth entry."""
    findings = [] if report is None else report.get("findings", [])
    errors = [f for f in findings if f.get("severity") == "error"]
    warnings = [f for f in findings if f.get("severity") != "error"]

    def at(f, sheet, cells):
        return f.get("sheet") == sheet and cells_of(f.get("cell")) & set(cells)

    caught, warned, missed = [], [], []
    truth_cells = set()
    for t in truth["errors"]:
        truth_cells |= {(t["sheet"], c) for c in t["cells"]}
        if any(at(f, t["sheet"], t["cells"]) for f in errors):
            caught.append(t)
        elif any(at(f, t["sheet"], t["cells"]) for f in warnings):
            warned.append(t)
        else:
            missed.append(t)
    follows = {(c["sheet"], c["cell"]) for c in truth["consequences"]}
    false, cascade = [], []
    for f in errors:
        here = {(f.get("sheet"), c) for c in cells_of(f.get("cell"))}
        if here & truth_cells:
            continue
        (cascade if here & follows else false).append(f)
    status = "missing" if report is None else report.get("status")
    return {"status": status, "kinds": [s.get("kind") for s in (report or {}).get("sheets", [])],
            "error": (report or {}).get("error"), "caught": caught, "warned": warned, "missed": missed,
            "false": false, "cascade": cascade, "warnings": len(warnings), "truth": len(truth["errors"])}


def problems(scored: dict) -> list[str]:
    """``score_file``'s verdict as the lines a failing test prints: misses, false errors, errors on consequences."""
    out = [f"missed {m['sheet']}!{'/'.join(m['cells'])}: {m['what']}" for m in scored["missed"] + scored["warned"]]
    out += [f"false error {f['sheet']}!{f['cell']} {f['rule']}: {f['message']}" for f in scored["false"]]
    out += [f"error on a consequence {f['sheet']}!{f['cell']} {f['rule']}: {f['message']}" for f in scored["cascade"]]
    return out


def run_checker(setdir: Path, python: str = sys.executable, pythonpath: str | None = None) -> dict:
    files = sorted(p for p in setdir.iterdir() if p.suffix in (".xlsx", ".xls"))
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    out = {}
    for p in files:  # one run per file: no cross-file reconciliation between unrelated workbooks
        res = subprocess.run([python, "-m", "xltool", "check", "--format", "json", "--no-write", "-j", "1", str(p)],
                             capture_output=True, text=True, env=env, timeout=300)
        try:
            doc = json.loads(res.stdout)
        except ValueError:
            out[p.name] = {"status": "failed", "error": (res.stderr or res.stdout)[-500:], "findings": []}
            continue
        for f in doc["files"]:
            out[Path(f["path"]).name] = f
    return out


def score_set(truth: dict, reports: dict) -> dict:
    per = {name: score_file(t, reports.get(name)) for name, t in sorted(truth.items())}
    tot = {"files": len(per), "wrong_cells": sum(s["truth"] for s in per.values()),
           "caught": sum(len(s["caught"]) for s in per.values()),
           "warned": sum(len(s["warned"]) for s in per.values()),
           "missed": sum(len(s["missed"]) for s in per.values()),
           "false_errors": sum(len(s["false"]) for s in per.values()),
           "cascade_errors": sum(len(s["cascade"]) for s in per.values()),
           "clean_files": sum(1 for t in truth.values() if not t["errors"]),
           "clean_files_with_errors": sum(1 for n, s in per.items() if not truth[n]["errors"]
                                          and (s["false"] or s["cascade"] or s["status"] == "failed")),
           "failed": sum(1 for s in per.values() if s["status"] in ("failed", "missing"))}
    return {"totals": tot, "files": per}


def render(result: dict) -> str:
    lines = [f"{'file':44} {'kinds':28} {'truth':>5} {'caught':>6} {'warned':>6} {'missed':>6} {'false':>5} "
             f"{'casc':>4} {'warn':>4}"]
    for name, s in result["files"].items():
        kinds = ",".join(k or "?" for k in s["kinds"]) if s["status"] != "failed" else "FAILED"
        lines.append(f"{name[:44]:44} {kinds[:28]:28} {s['truth']:>5} {len(s['caught']):>6} {len(s['warned']):>6} "
                     f"{len(s['missed']):>6} {len(s['false']):>5} {len(s['cascade']):>4} {s['warnings']:>4}")
    t = result["totals"]
    lines.append("")
    lines.append(f"caught {t['caught']}/{t['wrong_cells']} (only warned {t['warned']}, missed {t['missed']}); "
                 f"false errors {t['false_errors']} (+{t['cascade_errors']} errors on consequence cells); "
                 f"clean files with errors {t['clean_files_with_errors']}/{t['clean_files']}; failed {t['failed']}")
    lines.append("")
    for name, s in result["files"].items():
        for m in s["missed"] + s["warned"]:
            how = "WARNED" if m in s["warned"] else "MISSED"
            lines.append(f"{how} {name} {m['sheet']}!{'/'.join(m['cells'])}: {m['what']}")
        for f in s["false"] + s["cascade"]:
            how = "FALSE" if f in s["false"] else "CASCADE"
            lines.append(f"{how} {name} {f.get('sheet')}!{f.get('cell')} {f.get('rule')}: {f.get('message')}")
        if s["status"] == "failed":
            lines.append(f"FAILED {name}: {s['error']}")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("setdir", type=Path)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--pythonpath")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    truth = json.loads((a.setdir / "expected.json").read_text(encoding="utf-8"))
    result = score_set(truth, run_checker(a.setdir, a.python, a.pythonpath))
    print(render(result))
    if a.json:
        a.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
