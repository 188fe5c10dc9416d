"""Checking many workbooks: in parallel over the machine's cores, one bad file never stops the batch.

The flow (``run``):

1. every file is checked in a worker process and, when its copy's name is already known, its
   annotated copy is written right away (the workbook is read once);
2. the reports are reconciled across files in this process (``xltool.reconcile``: a summary's rows
   against the project forms of the same run), which appends findings to both sides;
3. the copies of the files that reconciliation gave new findings (and of the few whose copy could
   not be named before their content was known) are written (again) in the workers, so every copy
   holds the cross-file findings too.

Workers are started with ``spawn`` (the only method on Windows, and safe while a progress bar's thread
runs): they import this module, ``xltool.engine`` and what a check needs, nothing of the command line.
Reports travel between processes pickled: ``FileReport``, ``SheetReport``, the kinds' records and
``Finding`` are plain dataclasses (the located values get compact reducers below). A report comes
back without its records unless they are asked for, or needed for a copy written later: the records
of a summary and of project forms are fetched (by reading those files again) only when the batch holds
both sides of the reconciliation. The output keeps the input order whatever
order files finish in.

A worker that dies (the operating system killed it for memory, a crash in a native library) breaks
the whole pool; the files that were in flight are then retried one by one in a fresh process, and a
file that kills its process again is reported as failed with a Chinese reason. If worker processes
cannot be started at all, the files are processed in this process.
"""

from __future__ import annotations

import copyreg
import dataclasses
import functools
import operator
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from xltool.engine import OUTPUT_TAG, FileReport, PathKeys, check_file, output_path_for, write_output

MSG_MISSING = "找不到该文件，请检查路径是否正确。"
MSG_CRASHED = ("处理该文件时程序异常退出（可能文件过大、内存不足或文件已损坏），已跳过该文件。"
               "请单独检查该文件，或在内存更大的电脑上处理。")
MSG_INTERNAL = "处理该文件时发生内部错误（{}），请将文件反馈给工具维护人员。"
MSG_RECONCILE = "跨文件核对时发生内部错误（{}），已跳过跨文件核对；各文件自身的核查结果不受影响。"
MSG_NO_WORKERS = "无法启动并行处理进程，已改为逐个处理（速度较慢，结果不受影响）。"

# Kinds whose records the cross-file reconciliation reads (xltool.reconcile).
RECONCILED_KINDS = ("summary", "project-form")


@dataclass(frozen=True)
class Job:
    """One workbook to process: where it is, how to show it, whether to write its annotated copy."""

    path: Path
    shown: str
    write: bool = True


CHECK, WRITE = "check", "write"  # the phases


class Progress:
    """What ``run`` tells about its progress (all calls happen in the calling process)."""

    def started(self, phase: str, total: int) -> None:
        """A phase begins with ``total`` files."""

    def finished(self, phase: str, index: int, report: FileReport) -> None:
        """Job ``index`` (input order) finished ``phase``; ``report`` as it stands now."""


def default_jobs() -> int:
    """How many worker processes to use: the CPU cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def run(jobs: list[Job], profile, *, out_dir: Path | None = None, base: Path | None = None,
        workers: int | None = None, progress: Progress | None = None,
        warn: Callable[[str], None] | None = None, reconcile: bool = True,
        keep_records: bool = True, fix: bool = False) -> list[FileReport]:
    """Check (and write) every job; returns one report per job, in the jobs' order.

    Annotated copies go beside their originals, or under ``out_dir`` mirroring each file's folder
    relative to ``base`` (see ``plan_outputs``).
    ``workers``: processes to use (None or 0: all cores; 1: everything in this process).
    ``progress`` (a ``Progress``) hears about each phase and each file finishing it.
    ``warn(text)`` receives Chinese remarks about the run itself (e.g. reconciliation skipped).
    ``reconcile``: run the cross-file reconciliation before the copies are final.
    ``keep_records``: False when the caller needs only results and findings (records are dropped
    in the workers, which saves time and memory).
    ``fix``: also write each file's corrected copy (``X.corrected.xlsx``, ``xltool.report.fix``).
    """
    n = len(jobs)
    if n == 0:
        return []
    workers = default_jobs() if not workers else max(1, workers)
    workers = min(workers, n, 61 if sys.platform == "win32" else n)  # Windows allows 61 worker processes
    progress = progress or Progress()
    note = progress.finished
    warn = warn or (lambda text: None)
    reports: list[FileReport | None] = [None] * n
    todo: list[int] = []
    progress.started(CHECK, n)
    inputs = tuple(str(job.path) for job in jobs)  # never written over, whatever names the copies get
    for i, job in enumerate(jobs):
        if not job.path.exists():
            reports[i] = FileReport(path=job.shown, status="failed", error=MSG_MISSING)
            note(CHECK, i, reports[i])
        else:
            todo.append(i)

    if len(todo) == 1 and n == 1:
        # One file: check and write in one go; it is reconciled only with itself (a summary sheet next to
        # the project forms of the same workbook), and its copy written again if that added findings.
        i = todo[0]
        job = jobs[i]
        folder = out_dir / _relative_folder(job.path, base) if out_dir is not None else None
        report = reports[i] = check_file(job.path, profile, write=job.write, shown=job.shown, out_dir=folder,
                                         avoid=inputs, fix=fix)
        if reconcile and report.checked and _both_sides([report]):
            before = len(report.findings)
            _reconcile([report], profile, warn)
            if len(report.findings) != before and job.write and report.output:
                _apply(report, _write_task(job.path, report, Path(report.output), profile))
        if not keep_records:
            _drop_records(report)
        note(CHECK, i, report)
        return reports  # type: ignore[return-value]

    # Names of the copies, from the extensions (the content may still say otherwise: see _check_task).
    planned = plan_outputs([jobs[i] for i in todo], [None] * len(todo), out_dir, base)
    outputs = {i: (planned[k] if jobs[i].write else None) for k, i in enumerate(todo)}
    global _AVOID, _INPUTS
    _INPUTS, _AVOID = inputs, PathKeys(inputs)  # for the tasks run in this process; workers get it at start-up
    pool = _Pool(profile, workers, warn) if workers > 1 and len(todo) > 1 else None
    try:
        # 1. check, and write the copies whose names are settled
        written: dict[int, bool] = {}

        def checked(k, result):
            i = todo[k]
            reports[i], written[i] = result
            note(CHECK, i, reports[i])

        # records travel back only when asked for (keep_records) or needed for a copy written later
        _map(pool, profile, functools.partial(_check_task, fix=True) if fix else _check_task,
             [(jobs[i].path, jobs[i].shown, outputs[i], False, keep_records) for i in todo],
             checked, lambda k, msg: (_failed(jobs[todo[k]], msg), False))
        # 2. reconcile across files: when the batch holds both sides, fetch the records it reads
        before = {i: len(reports[i].findings) for i in todo}
        if reconcile and _both_sides(reports):
            _fetch_records(pool, profile, jobs, reports, todo)
            _reconcile([r for r in reports if r is not None], profile, warn)
        # 3. (re)write the copies that changed or whose names were not settled
        again = [i for i in todo if jobs[i].write and reports[i].checked
                 and (not written.get(i) or len(reports[i].findings) != before[i])]
        if not keep_records:
            rewrite = set(again)
            for i in todo:
                if i not in rewrite:
                    _drop_records(reports[i])
        targets: dict[int, Path] = {i: Path(reports[i].output) for i in again if written.get(i)}
        unsettled = [i for i in again if not written.get(i)]
        if unsettled:
            taken = [Path(r.output) for r in reports if r is not None and r.output]
            for i, t in zip(unsettled, plan_outputs([jobs[i] for i in unsettled], [reports[i] for i in unsettled],
                                                     out_dir, base, taken=taken)):
                targets[i] = t
        progress.started(WRITE, len(again))
        if again:
            def done(k, outcome):
                i = again[k]
                _apply(reports[i], outcome)
                note(WRITE, i, reports[i])

            _map(pool, profile, _write_task, [(jobs[i].path, reports[i], targets[i]) for i in again],
                 done, lambda k, msg: ("failed", None, msg, [], [], None, 0))
        if not keep_records:
            for r in reports:
                _drop_records(r)
    finally:
        if pool is not None:
            pool.close()
        _INPUTS, _AVOID = (), PathKeys()
    return reports  # type: ignore[return-value]


# ------------------------------------------------------------------ where the annotated copies go


def _relative_folder(path: Path, base: Path | None) -> Path:
    """The file's folder relative to ``base`` (``.`` when it is not below it)."""
    if base is None:
        return Path(".")
    try:
        return path.parent.resolve().relative_to(base.resolve())
    except (ValueError, OSError):
        return Path(".")


def _fmt_guess(path: Path) -> str:
    return "xlsm" if path.suffix.lower() == ".xlsm" else "xlsx"


def plan_outputs(jobs: list[Job], reports: list[FileReport | None], out_dir: Path | None,
                 base: Path | None, taken: list[Path] | None = None) -> list[Path]:
    """The annotated copy of each file, with no two files sharing one.

    Beside the original (``X.checked.xlsx``), or under ``out_dir`` in the same sub-folder as the
    original has under ``base``: ``2023/甲局/X.xlsx`` → ``OUT/甲局/X.checked.xlsx``, so files of the
    same name in different folders keep apart. Twins in one folder (``X.xls`` and ``X.xlsx``) would
    still meet: the one whose extension matches the copy's keeps ``X.checked.xlsx``, the other gets
    its full name, ``X.xls.checked.xlsx`` (then ``X(2).checked.xlsx`` … if need be). ``taken``: paths
    already in use. A report (when known) gives the format read from the content.
    """
    planned: list[tuple[Path, Path]] = []  # folder, plain name
    for job, rep in zip(jobs, reports):
        folder = job.path.parent if out_dir is None else out_dir / _relative_folder(job.path, base)
        fmt = (rep.fmt if rep is not None else None) or _fmt_guess(job.path)
        planned.append((folder, output_path_for(job.path, fmt, folder)))

    def key(p: Path) -> str:
        return os.path.normcase(os.path.abspath(p))

    used: set[str] = {key(p) for p in (taken or [])}
    out: list[Path | None] = [None] * len(planned)
    # first the files whose own extension is the copy's (X.xlsx → X.checked.xlsx), then the others
    order = sorted(range(len(planned)), key=lambda k: jobs[k].path.suffix.lower() != planned[k][1].suffix.lower())
    for k in order:
        folder, plain = planned[k]
        if key(plain) not in used:
            used.add(key(plain))
            out[k] = plain
            continue
        c = folder / f"{jobs[k].path.name}{OUTPUT_TAG}{plain.suffix}"
        m = 1
        while key(c) in used:
            m += 1
            c = folder / f"{jobs[k].path.stem}({m}){OUTPUT_TAG}{plain.suffix}"
        used.add(key(c))
        out[k] = c
    return out  # type: ignore[return-value]


# ------------------------------------------------------------------ the tasks (run in the workers)

_PROFILE = None
_INPUTS: tuple[str, ...] = ()  # the run's inputs: no copy is written over one of them
_AVOID = PathKeys()  # the same, resolved once per process


def _init(profile, inputs: tuple[str, ...] = ()) -> None:
    """Worker start-up. Ctrl-C reaches every process of the console: a worker ignores it and finishes
    the file in hand (its copy is written whole or not at all), the main process stops handing out work."""
    global _PROFILE, _AVOID
    _PROFILE, _AVOID = profile, PathKeys(inputs)
    import signal

    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except (ValueError, OSError, AttributeError):
        pass


def _ping() -> bool:
    return True


def _check_task(path: Path, shown: str, output: Path | None, reconcile: bool, keep_records: bool,
                profile=None, fix: bool = False) -> tuple[FileReport, bool]:
    """Check one file and, if its copy's name fits its content, write the copy; (report, written)."""
    prof = profile if profile is not None else _PROFILE
    wants_copy = output is not None
    fmt = None
    if output is not None:
        from xltool.io.safety import sniff

        try:
            fmt = sniff(path)
        except Exception:  # check_file reports it
            fmt = None
        if fmt is None or output.suffix.lower() != (".xlsm" if fmt == "xlsm" else ".xlsx"):
            output = None  # named after the check, in the main process
    report = check_file(path, prof, write=output is not None, shown=shown, output=output, avoid=_AVOID, fix=fix,
                        fmt=fmt)
    report.fix = fix  # a copy written later (after the reconciliation) is corrected too
    written = output is not None and report.checked and report.output is not None
    needed = (keep_records or (wants_copy and not written)
              or (reconcile and any(s.kind in RECONCILED_KINDS for s in report.sheets)))
    # (``reconcile``: the main process asks again for these records once it knows the batch holds both sides)
    if not needed:
        _drop_records(report)  # nothing will read them again: do not ship them
    return report, written


def _both_sides(reports: list[FileReport | None]) -> bool:
    """The batch holds a summary and a project form: the reconciliation has something to compare."""
    kinds = {s.kind for r in reports if r is not None for s in r.sheets}
    return all(k in kinds for k in RECONCILED_KINDS)


def _fetch_records(pool, profile, jobs: list[Job], reports: list[FileReport | None], todo: list[int]) -> None:
    """Give the reconciled sheets whose records stayed in the workers their records back: those files
    are read again (records are large and only a batch holding both sides needs them)."""
    wanted = [i for i in todo if reports[i] is not None and reports[i].checked
              and any(s.kind in RECONCILED_KINDS and s.record is None for s in reports[i].sheets)]

    def got(k, result):
        fresh = result[0]
        old = reports[wanted[k]]
        if not fresh.checked or len(fresh.sheets) != len(old.sheets):
            return
        for mine, theirs in zip(old.sheets, fresh.sheets):
            if mine.name == theirs.name and mine.kind == theirs.kind and mine.kind in RECONCILED_KINDS:
                mine.record = theirs.record

    _map(pool, profile, _check_task, [(jobs[i].path, jobs[i].shown, None, True, False) for i in wanted],
         got, lambda k, msg: (_failed(jobs[wanted[k]], msg), False))


def _write_task(path: Path, report: FileReport, output: Path, profile=None):
    """Write one annotated copy; returns only what writing changes (the report is not sent back)."""
    before, remarks = len(report.notes), len(report.remarks)
    write_output(path, report, profile if profile is not None else _PROFILE, output=output, avoid=_AVOID)
    return (report.status, report.output, report.error, report.notes[before:], report.remarks[remarks:],
            report.corrected, report.fixed)


def _drop_records(report: FileReport | None) -> None:
    if report is not None:
        for s in report.sheets:
            s.record, s.more = None, ()


def _apply(report: FileReport, outcome) -> None:
    status, output, error, notes, remarks, corrected, fixed = outcome
    report.status, report.output, report.error = status, output, error
    report.corrected, report.fixed = corrected, fixed
    report.notes.extend(notes)
    report.remarks.extend(remarks)


def _failed(job: Job, message: str) -> FileReport:
    return FileReport(path=job.shown, status="failed", error=message)


def _reconcile(reports: list[FileReport], profile, warn) -> None:
    from xltool.reconcile import reconcile

    try:
        reconcile(reports, profile, warn)
    except Exception as exc:  # never lose the batch over the cross-file step
        warn(MSG_RECONCILE.format(f"{type(exc).__name__}: {exc}"))
    for r in reports:  # findings may have been added: keep the status in step (of the files checked)
        if r.checked:
            r.status = "findings" if (r.errors or r.warnings) else "ok"


# ------------------------------------------------------------------ pickling


def _register_reducers() -> None:
    """Pickle the located values as (class, field values): several times faster than the default
    for frozen, slotted dataclasses, and reports hold thousands of them."""
    from xltool.cells import Cell, Num, Text
    from xltool.findings import Finding

    for cls in (Cell, Text, Num, Finding):
        fields = dataclasses.fields(cls)
        if not all(f.init for f in fields):
            continue
        get = operator.attrgetter(*(f.name for f in fields))
        copyreg.pickle(cls, lambda obj, cls=cls, get=get: (cls, get(obj)))


_register_reducers()


# ------------------------------------------------------------------ running tasks


class _Pool:
    """A spawn-based process pool that is rebuilt when a worker dies."""

    def __init__(self, profile, workers: int, warn: Callable[[str], None]):
        self.profile = profile
        self.workers = workers
        self.warn = warn
        self.executor = None
        self.usable = True

    def get(self):
        if self.executor is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self.executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                                initializer=_init, initargs=(self.profile, _INPUTS))
        return self.executor

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None

    def reset(self) -> None:
        self.close()

    def works(self) -> bool:
        """Can a worker process start at all here? (Asked once, after a pool broke at once.)"""
        from concurrent.futures.process import BrokenProcessPool

        if self.usable:
            try:
                self.usable = bool(_alone(_ping, (), self.profile, lambda msg: False, raw=True))
            except BrokenProcessPool:
                self.usable = False
            if not self.usable:
                self.warn(MSG_NO_WORKERS)
        return self.usable


def _map(pool: _Pool | None, profile, fn, args: list[tuple], done: Callable[[int, object], None],
         failed: Callable[[int, str], object]) -> list:
    """Run ``fn(*args[k])`` for every k (in ``pool`` or here); ``done(k, result)`` as each finishes.

    A task that raises (it should not: the engine reports bad files itself) or whose process dies
    gets ``failed(k, Chinese reason)`` as its result.
    """
    results: list = [None] * len(args)

    def here(ks) -> None:
        for k in ks:
            try:
                results[k] = fn(*args[k], profile)
            except Exception as exc:  # the engine reports bad files itself; this is a bug
                results[k] = failed(k, MSG_INTERNAL.format(f"{type(exc).__name__}: {exc}"))
            done(k, results[k])

    if pool is None or not pool.usable:
        here(range(len(args)))
        return results

    from concurrent.futures import as_completed
    from concurrent.futures.process import BrokenProcessPool

    remaining = list(range(len(args)))
    while remaining:
        executor = pool.get()
        futures = {}
        try:
            for k in remaining:
                futures[executor.submit(fn, *args[k])] = k
        except BrokenProcessPool:
            pass
        broken = False
        finished: set[int] = set()
        try:
            # as_completed waits on every future once; wait(FIRST_COMPLETED) in a loop re-armed all the
            # pending ones for each result (quadratic: 44,000 lock operations for 300 files)
            for fut in as_completed(futures):
                k = futures[fut]
                try:
                    results[k] = fut.result()
                except BrokenProcessPool:
                    broken = True
                    continue
                except Exception as exc:  # e.g. a result that could not be pickled
                    results[k] = failed(k, MSG_INTERNAL.format(f"{type(exc).__name__}: {exc}"))
                finished.add(k)
                done(k, results[k])
        except KeyboardInterrupt:
            pool.reset()
            raise
        remaining = [k for k in remaining if k not in finished]
        if not broken and not remaining:
            break
        pool.reset()
        if not finished and not pool.works():  # no worker can start: do the rest here
            here(remaining)
            break
        # A worker died. The files in flight were the lowest-numbered unfinished ones (tasks are
        # handed out in order, at most 2 × workers + 1 at a time): retry each of those alone.
        suspects = remaining[: 2 * pool.workers + 1]
        for k in suspects:
            results[k] = _alone(fn, args[k], pool.profile, lambda msg, k=k: failed(k, msg))
            done(k, results[k])
        remaining = remaining[len(suspects):]
    return results


def _alone(fn, a: tuple, profile, failed, raw: bool = False):
    """Run one task in its own fresh process; ``failed(reason)`` when that process dies too."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_init, initargs=(profile, _INPUTS)) as ex:
        try:
            return ex.submit(fn, *a).result()
        except BrokenProcessPool:
            if raw:
                raise
            return failed(MSG_CRASHED)
        except Exception as exc:
            return failed(MSG_INTERNAL.format(f"{type(exc).__name__}: {exc}"))
