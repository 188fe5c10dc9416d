"""The annotated copy's share of a check: how long the streaming writer takes on large summaries.

Run:  python benchmarks/writer.py [ROWS ...]        (default 30000 100000)

For each size it generates a summary (``bench.make_summary``: about 2 % deliberate errors, so the copy
carries fills and notes beside three recomputed columns), checks it once without writing, then times, in
this process, the writer alone (plan + streaming copy) and the whole ``check_file`` with its copy; medians of
three runs. ``--tree DIR`` runs the xltool found in DIR instead of the installed one (``git archive main``
unpacked somewhere), to compare before and after a change.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import make_summary  # noqa: E402


def write_copy(src: Path, book, report, profile, target: Path) -> None:
    from xltool.report import xlsxfast

    try:
        from xltool.report import plan
    except ImportError:  # a tree from before the marking plan
        xlsxfast.write(src, book, report, profile, target)
        return
    xlsxfast.write(src, plan.build(report, book, profile), target)


def main(argv: list[str]) -> None:
    if argv[:1] == ["--tree"]:
        sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in type(f).__module__.lower()]
        sys.path.insert(0, argv[1])
        argv = argv[2:]
    import xltool
    from xltool import profiles

    print("xltool from", Path(xltool.__file__).parent)
    from xltool.engine import check_file
    from xltool.io.book import load_book

    sizes = [int(a) for a in argv] or [30000, 100000]
    prof = profiles.load()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for rows in sizes:
            src = make_summary(tmp / f"s{rows}.xlsx", rows)
            report = check_file(src, prof, write=False)
            book = load_book(src, report.fmt)
            writer, whole = [], []
            for i in range(3):
                t = time.perf_counter()
                write_copy(src, book, report, prof, tmp / f"w{i}.xlsx")
                writer.append(time.perf_counter() - t)
                t = time.perf_counter()
                check_file(src, prof, output=tmp / f"c{i}.xlsx")
                whole.append(time.perf_counter() - t)
            w, c = statistics.median(writer), statistics.median(whole)
            size = (tmp / "w0.xlsx").stat().st_size / 1e6
            print(f"{rows:>7} rows: writer {w:6.2f} s of a check {c:6.2f} s ({w / c:4.0%}); copy {size:.1f} MB")


if __name__ == "__main__":
    main(sys.argv[1:])
