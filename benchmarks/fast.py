"""The fast path (issue 12): start-up, the 100,000-row table, a folder of 300, records in batches.

Run:  python benchmarks/fast.py                 (about ten minutes on two busy cores)
      python benchmarks/fast.py --only startup  (or bigread, folder, pickle; repeatable)
      python benchmarks/fast.py --runs 21       (pairs per measurement; default 11, 3 for the big table)

Every measurement is a whole process started fresh (``benchmarks/bench.py``'s launcher: wall time and
peak RSS from ``wait4``), run alternately with its baseline so both see the same machine load; medians
are reported, with the load average before and after (the machine is shared).

* startup: ``xltool check --out OUT s51.xlsx`` (and ``--no-write``) vs
  ``python -c "import openpyxl; openpyxl.load_workbook(p).save(q)"``; target ≤ 1.0×.
* bigread: ``xltool check --out OUT s100k.xlsx`` vs a bare python-calamine read of the same file
  (``CalamineWorkbook.from_path(p).get_sheet_by_index(0).to_python()``), time and peak memory;
  targets ≤ 3× time, ≤ 1.5× memory.
* folder: ``xltool check --out OUT DIR`` (300 summaries, all cores) vs one process looping openpyxl
  load + save over DIR; target ≤ 0.6×.
* pickle: bytes a worker sends back per summary file, without records (what a batch ships now) and with
  them (what it shipped before for every summary and project form).
"""

from __future__ import annotations

import argparse
import os
import pickle
import random
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import OPENPYXL_LOOP, OPENPYXL_ONE, make_summary, measure, xltool_cmd  # noqa: E402

CALAMINE_READ = ("import sys\nfrom python_calamine import CalamineWorkbook\n"
                 "wb = CalamineWorkbook.from_path(sys.argv[1])\n"
                 "for i in range(len(wb.sheet_names)):\n    wb.get_sheet_by_index(i).to_python()\n")


def load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def paired(ours: list[str], theirs: list[str], cwd: Path, runs: int, clean) -> dict:
    clean()
    measure(ours, cwd)
    measure(theirs, cwd)
    ow, op, tw, tp = [], [], [], []
    for i in range(runs):
        order = ((ours, ow, op), (theirs, tw, tp)) if i % 2 == 0 else ((theirs, tw, tp), (ours, ow, op))
        for cmd, walls, peaks in order:
            clean()
            w, p = measure(cmd, cwd)
            walls.append(w)
            peaks.append(p)
    res = {"ours": statistics.median(ow), "theirs": statistics.median(tw),
           "ours_mem": statistics.median(op) / 1024, "theirs_mem": statistics.median(tp) / 1024}
    res["ratio"] = res["ours"] / res["theirs"]
    res["mem_ratio"] = res["ours_mem"] / res["theirs_mem"]
    return res


def show(name: str, r: dict, target: str) -> None:
    print(f"{name:<34}{r['ours']:8.3f}s {r['theirs']:8.3f}s {r['ratio']:6.2f}×  "
          f"{r['ours_mem']:6.0f} / {r['theirs_mem']:5.0f} MiB {r['mem_ratio']:5.2f}×   target {target}   "
          f"load {load()}", flush=True)


def pickled(path: Path) -> tuple[int, int]:
    from xltool import batch, profiles

    prof = profiles.load()
    lean, _ = batch._check_task(path, str(path), None, False, False, prof)
    full, _ = batch._check_task(path, str(path), None, True, False, prof)
    return len(pickle.dumps((lean, False))), len(pickle.dumps((full, False)))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", action="append", choices=["startup", "bigread", "folder", "pickle"])
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--big-runs", type=int, default=3)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args(argv)
    only = set(args.only or ["startup", "bigread", "folder", "pickle"])
    tmp = Path(tempfile.mkdtemp(prefix="xltool-fast-"))
    out, base_out = tmp / "out", tmp / "base_out"

    def clean():
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(base_out, ignore_errors=True)
        base_out.mkdir()

    xl = xltool_cmd()
    print(f"{os.cpu_count()} cores, load average {load()}; inputs in {tmp}")
    print(f"{'':34}{'xltool':>9} {'baseline':>9} {'ratio':>7}  {'peak memory':>20}")
    try:
        if "startup" in only:
            s51 = make_summary(tmp / "s51.xlsx", 51, seed=1)
            base = [sys.executable, "-c", OPENPYXL_ONE, str(s51), str(base_out / "a.xlsx")]
            show("51 rows, check + copy", paired(xl + ["check", "--out", str(out), str(s51)], base, tmp, args.runs,
                                                 clean), "≤ 1.0×")
            show("51 rows, --no-write", paired(xl + ["--no-write", str(s51)], base, tmp, args.runs, clean), "—")
        if "pickle" in only:
            s51 = tmp / "s51.xlsx"
            if not s51.exists():
                make_summary(s51, 51, seed=1)
            lean, full = pickled(s51)
            print(f"pickled per 51-row summary: {lean} bytes now (no records), {full} bytes with records (before)")
        if "bigread" in only:
            s100k = make_summary(tmp / "s100k.xlsx", 100_000, seed=3)
            show("100,000 rows vs calamine read", paired(
                xl + ["check", "--out", str(out), str(s100k)],
                [sys.executable, "-c", CALAMINE_READ, str(s100k)], tmp, args.big_runs, clean), "≤ 3× / ≤ 1.5× mem")
        if "folder" in only:
            folder = tmp / "folder"
            folder.mkdir(exist_ok=True)
            for i in range(300):
                make_summary(folder / f"单位{i:03d}.xlsx", random.Random(i).randint(20, 80), seed=100 + i)
            show("300 files vs openpyxl loop", paired(
                xl + ["check", "--out", str(out), str(folder)],
                [sys.executable, "-c", OPENPYXL_LOOP, str(folder), str(base_out / "c")], tmp, args.big_runs, clean),
                "≤ 0.6×")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
