"""Issue 12, the folder of many files: the work a batch does per file stays per file (no cost that grows
with the square of the batch), and the shortcuts taken for speed keep the results of the plain path."""

from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner

from builders import clean_rows, summary_row, write_summary
from xltool import batch, engine, profiles
from xltool.cli import main


def _folder(tmp_path: Path, n: int) -> list[Path]:
    paths = []
    (tmp_path / "in").mkdir()
    for i in range(n):
        rows = clean_rows() if i % 2 else [summary_row(1, "甲", 100, 90, 96, balance=5)]  # G5 wrong
        paths.append(write_summary(tmp_path / "in" / f"单位{i:02d}.xlsx", rows))
    return paths


def test_the_runs_inputs_are_resolved_once_not_once_per_copy(tmp_path, monkeypatch):
    # each copy's name is compared with every input of the run; resolving all inputs for every copy
    # made a 300-file folder quadratic (84,000 realpath calls, a third of the workers' time)
    paths = _folder(tmp_path, 24)
    calls = []
    real = os.path.realpath
    monkeypatch.setattr(os.path, "realpath", lambda p, *a, **k: calls.append(p) or real(p, *a, **k))
    reports = batch.run([batch.Job(p, p.name) for p in paths], profiles.load(), out_dir=tmp_path / "out",
                        base=tmp_path / "in", workers=1, keep_records=False)
    assert all(r.output for r in reports)
    assert len(calls) < 10 * len(paths), len(calls)  # a few per file (7 now); resolving every input per copy: 30


def test_path_keys_avoid_the_same_paths_as_plain_paths(tmp_path):
    a = write_summary(tmp_path / "a.xlsx", clean_rows())
    copy = tmp_path / "a.checked.xlsx"
    copy.write_bytes(b"not ours")
    for avoid in ((str(a), str(copy)), engine.PathKeys((str(a), str(tmp_path / "." / "a.checked.xlsx")))):
        report = engine.FileReport(path="a.xlsx")
        got = engine.choose_target(a, copy, avoid, report)
        assert got.name == "a.checked (2).xlsx" and "也是本次核查的文件" in report.remarks[0]
    assert engine.choose_target(a, a, engine.PathKeys([a]), engine.FileReport(path="a")) == a  # not itself


def test_an_input_is_never_replaced_by_a_worker(tmp_path):
    # the same as test_hostile2's --jobs 1 case, through worker processes (they resolve the inputs themselves)
    paths = _folder(tmp_path, 3)
    copy = Path(engine.check_file(paths[0], profiles.load()).output)
    before = copy.read_bytes()
    res = CliRunner().invoke(main, ["check", "--format", "json", "--jobs", "2", *map(str, paths), str(copy)])
    assert copy.read_bytes() == before
    outputs = [f["output"] for f in json.loads(res.stdout_bytes)["files"]]
    assert str(copy) not in outputs
    assert any(o and o.endswith("单位00.checked (2).xlsx") for o in outputs), outputs


def test_each_file_is_sniffed_once(tmp_path, monkeypatch):
    # the batch sniffs a file to name its copy, and hands what it found to the check
    import xltool.io.safety as safety

    paths = _folder(tmp_path, 6)
    (tmp_path / "in" / "坏.xlsx").write_bytes(b"not a workbook")
    paths.append(tmp_path / "in" / "坏.xlsx")
    seen = []
    real = safety.sniff
    monkeypatch.setattr(safety, "sniff", lambda p, *a, **k: seen.append(Path(p).name) or real(p, *a, **k))
    reports = batch.run([batch.Job(p, p.name) for p in paths], profiles.load(), out_dir=tmp_path / "out",
                        base=tmp_path / "in", workers=1, keep_records=False)
    assert [r.status for r in reports] == ["findings", "ok"] * 3 + ["failed"]
    assert "工作簿" in reports[-1].error or "Excel" in reports[-1].error, reports[-1].error
    assert all(seen.count(p.name) == 1 for p in paths[:-1]), seen  # one sniff per good file
    assert seen.count("坏.xlsx") == 2  # failed when naming the copy, then again in the check, which reports it


def test_the_overview_lists_the_rule_titles_once(tmp_path, monkeypatch):
    from xltool.report import overview

    paths = _folder(tmp_path, 6)
    prof = profiles.load()
    reports = [engine.check_file(p, prof, write=False, shown=p.name) for p in paths]
    calls = []
    real = overview.rule_titles
    monkeypatch.setattr(overview, "rule_titles", lambda: calls.append(1) or real())
    target = overview.write(tmp_path / overview.NAME, reports, prof)
    assert len(calls) == 1
    import openpyxl

    ws = openpyxl.load_workbook(target)[overview.SHEET]
    remarks = [c.value for c in ws["J"] if c.value and "SUM" in str(c.value)]
    assert len(remarks) == 3 and all(real()[remarks[0].split()[0]] in r for r in remarks), remarks


def test_the_main_process_waits_on_each_result_once(tmp_path, monkeypatch):
    # waiting for FIRST_COMPLETED in a loop armed every pending future again for each result
    import concurrent.futures._base as base

    paths = _folder(tmp_path, 12)
    armed = []
    real = base._create_and_install_waiters
    monkeypatch.setattr(base, "_create_and_install_waiters", lambda fs, how: armed.append(len(fs)) or real(fs, how))
    reports = batch.run([batch.Job(p, p.name) for p in paths], profiles.load(), out_dir=tmp_path / "out",
                        base=tmp_path / "in", workers=2, keep_records=False)
    assert [r.status for r in reports] == ["findings", "ok"] * 6 and all(r.output for r in reports)
    assert sum(armed) <= len(paths), armed
