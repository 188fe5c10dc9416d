"""Where a folder run spends its time: the main process and each worker, per task (issue 12).

Run:  python benchmarks/batchprofile.py [--files 300] [--jobs 2] [--profile] [--folder DIR]

Checks a folder (generated like ``fast.py``'s 300 small summaries, or ``--folder``) with ``batch.run`` as
``xltool check --out`` does, and prints a timeline: when the first and last results reached the main
process, each worker's task count, the CPU and wall time inside its tasks and its CPU outside them
(interpreter start, imports, pickling), and the overview's time. ``--profile`` also writes one cProfile
file per worker (and one for the main process) and prints the costliest functions over the workers.
"""

from __future__ import annotations

import argparse
import cProfile
import glob
import os
import pstats
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from xltool import batch  # noqa: E402

_CHECK = batch._check_task  # the real task; the main process replaces batch's name with ``task`` below
_PROFILER = None


def task(*args):
    """``batch._check_task``, timed (and profiled) in the worker; one log line per task."""
    global _PROFILER
    logdir = os.environ["XLTOOL_BATCHPROFILE"]
    if _PROFILER is None and os.environ.get("XLTOOL_BATCHPROFILE_CPROFILE"):
        _PROFILER = cProfile.Profile()
    wall, cpu = time.time(), time.process_time()
    if _PROFILER is not None:
        _PROFILER.enable()
    try:
        return _CHECK(*args)
    finally:
        if _PROFILER is not None:
            _PROFILER.disable()
            _PROFILER.dump_stats(os.path.join(logdir, f"worker-{os.getpid()}.prof"))  # workers exit without atexit
        with open(os.path.join(logdir, f"worker-{os.getpid()}.log"), "a") as f:
            f.write(f"{wall:.4f} {time.time():.4f} {time.process_time() - cpu:.4f} {time.process_time():.4f}\n")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=300)
    ap.add_argument("--jobs", type=int, default=0)
    ap.add_argument("--folder", type=Path)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="xltool-batchprofile-"))
    logdir = tmp / "logs"
    logdir.mkdir()
    os.environ["XLTOOL_BATCHPROFILE"] = str(logdir)
    if args.profile:
        os.environ["XLTOOL_BATCHPROFILE_CPROFILE"] = "1"
    try:
        folder = args.folder
        if folder is None:
            from bench import make_summary

            folder = tmp / "folder"
            folder.mkdir()
            for i in range(args.files):
                make_summary(folder / f"单位{i:03d}.xlsx", random.Random(i).randint(20, 80), seed=100 + i)
        from xltool import profiles
        from xltool.inputs import collect
        from xltool.report import overview

        prof = profiles.load()
        jobs = [batch.Job(p, shown) for p, shown in collect([str(folder)])]
        arrived: list[float] = []

        class Seen(batch.Progress):
            def finished(self, phase, index, report):
                arrived.append(time.time())

        batch._check_task = task
        main_prof = cProfile.Profile() if args.profile else None
        t0, c0 = time.time(), time.process_time()
        if main_prof:
            main_prof.enable()
        reports = batch.run(jobs, prof, out_dir=tmp / "out", base=folder, workers=args.jobs, progress=Seen(),
                            keep_records=False)
        t1 = time.time()
        overview.write(overview.choose_path(tmp / "out"), reports, prof, inputs=[str(folder)])
        t2, c2 = time.time(), time.process_time()
        if main_prof:
            main_prof.disable()
            main_prof.dump_stats(str(logdir / "main.prof"))
        print(f"{len(jobs)} files, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(f"main: first result {arrived[0] - t0:.3f} s, last {arrived[-1] - t0:.3f} s, run {t1 - t0:.3f} s, "
              f"overview {t2 - t1:.3f} s, CPU {c2 - c0:.3f} s")
        for log in sorted(logdir.glob("worker-*.log")):
            rows = [tuple(map(float, line.split())) for line in log.read_text().splitlines()]
            inside = sum(r[2] for r in rows)
            print(f"{log.stem}: {len(rows)} tasks, first starts {rows[0][0] - t0:.3f} s, last ends {rows[-1][1] - t0:.3f} s,"
                  f" CPU in tasks {inside:.3f} s ({inside / len(rows) * 1000:.1f} ms each, first {rows[0][2] * 1000:.0f} ms),"
                  f" wall in tasks {sum(r[1] - r[0] for r in rows):.3f} s, CPU outside {rows[-1][3] - inside:.3f} s")
        if args.profile:
            stats = pstats.Stats(*glob.glob(str(logdir / "worker-*.prof")))
            stats.sort_stats("cumulative").print_stats(30)
            print(f"profiles kept in {logdir}")
            return 0
    finally:
        batch._check_task = _CHECK
        if not args.profile:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
