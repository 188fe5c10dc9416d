"""Folders and batches: parallel checking (spawned workers), input order, one bad file never stops the
batch, cross-file reconciliation before the copies are final, where the copies and the overview
核查汇总.xlsx go, and the overview's content."""

from __future__ import annotations

import json
import os
import pickle
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from builders import clean_rows, summary_row, write_summary
from xltool import batch, profiles
from xltool.batch import Job, plan_outputs, run
from xltool.cli import main
from xltool.engine import FileReport, check_file
from xltool.report import overview

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SEED000 = "铜冶镇2023年度部门绩效自评结果公开汇总表.xlsx"
CLEAN = "示例单位2023年度部门绩效自评结果公开汇总表.xlsx"
FORM = "2023年度项目支出绩效自评表（示例）.xlsx"


def invoke(args):
    return CliRunner().invoke(main, args, catch_exceptions=False)


@pytest.fixture
def folder(tmp_path):
    """Three good workbooks in two sub-folders, a junk file, a lock file and an old copy."""
    d = tmp_path / "2023"
    (d / "甲镇").mkdir(parents=True)
    (d / "乙镇").mkdir()
    shutil.copy(SAMPLES / SEED000, d / "甲镇" / "汇总表.xlsx")
    shutil.copy(SAMPLES / CLEAN, d / "乙镇" / "汇总表.xlsx")  # same name, other folder
    shutil.copy(SAMPLES / FORM, d / "乙镇" / "教育经费.xlsx")
    (d / "乙镇" / "坏文件.xlsx").write_text("这不是表格", encoding="utf-8")
    (d / "甲镇" / "~$汇总表.xlsx").write_bytes(b"lock")
    return d


# ------------------------------------------------------------------ pickling


@pytest.mark.parametrize("name", [SEED000, FORM, "东史端镇2023年度绩效管理自评表.xlsx",
                                  "姜各庄镇2023年度部门整体绩效自评表.xlsx", "高邑镇2024年度部门整体支出绩效评价指标评分表.xlsx"])
def test_reports_and_records_pickle(name):
    r = check_file(SAMPLES / name, profiles.load(), write=False)
    assert r.status != "failed", r.error
    back = pickle.loads(pickle.dumps(r, protocol=pickle.HIGHEST_PROTOCOL))
    assert back.to_json() == r.to_json()
    assert [s.record for s in back.sheets] == [s.record for s in r.sheets]
    assert [s.module for s in back.sheets] == [s.module for s in r.sheets]


def test_failed_report_pickles():
    r = FileReport(path="x.xlsx", status="failed", error="文件已损坏")
    assert pickle.loads(pickle.dumps(r)).to_json() == r.to_json()


# ------------------------------------------------------------------ the runner


def _key(r):
    return (r.path, r.status, r.error, sorted((f.rule, f.sheet, f.cell, f.message) for f in r.findings))


def test_parallel_run_keeps_input_order_and_equals_the_serial_run(folder, tmp_path):
    files = sorted(p for p in folder.rglob("*.xlsx") if not p.name.startswith("~$"))
    files.append(folder / "不存在.xlsx")
    jobs = [Job(p, str(p)) for p in files]
    prof = profiles.load()
    serial = run(jobs, prof, workers=1, out_dir=tmp_path / "o1", base=folder)
    parallel = run(jobs, prof, workers=2, out_dir=tmp_path / "o2", base=folder)
    assert [r.path for r in parallel] == [str(p) for p in files]
    assert [_key(r) for r in parallel] == [_key(r) for r in serial]
    bad = {Path(r.path).name: r for r in parallel if r.status == "failed"}
    assert set(bad) == {"坏文件.xlsx", "不存在.xlsx"}  # one bad file never stops the batch
    assert "找不到该文件" in bad["不存在.xlsx"].error
    assert all(r.output for r in parallel if r.status != "failed")


def test_progress_is_reported_for_every_file(folder):
    seen = []

    class P(batch.Progress):
        def started(self, phase, total):
            seen.append((phase, "start", total))

        def finished(self, phase, index, report):
            seen.append((phase, index))

    files = sorted(p for p in folder.rglob("*.xlsx") if not p.name.startswith("~$"))
    run([Job(p, str(p), write=False) for p in files], profiles.load(), workers=2, progress=P())
    assert seen[0] == ("check", "start", len(files))
    assert sorted(e[1] for e in seen if e[0] == "check" and len(e) == 2) == list(range(len(files)))


def test_records_are_dropped_when_not_wanted(folder):
    files = sorted(p for p in folder.rglob("*.xlsx") if not p.name.startswith("~$"))
    reports = run([Job(p, str(p), write=False) for p in files], profiles.load(), workers=2, keep_records=False)
    assert all(s.record is None for r in reports for s in r.sheets)
    assert any(s.results for r in reports for s in r.sheets)


def test_cross_file_findings_reach_the_copies(tmp_path):
    """A summary and its project form in one folder: the mismatch is in both copies."""
    d = tmp_path / "in"
    d.mkdir()
    rows = [summary_row(1, "2023年镇级铜冶镇教育经费", 1338, 1311.752, 96),  # the form says 99.6
            summary_row(2, "2023年镇级防汛工作经费", 50, 45.999477, 97)]
    write_summary(d / "汇总表.xlsx", rows)
    shutil.copy(SAMPLES / FORM, d / "教育经费.xlsx")
    prof = profiles.load()
    for workers in (1, 2):
        out = tmp_path / f"out{workers}"
        reports = run([Job(p, str(p)) for p in sorted(d.iterdir())], prof, workers=workers, out_dir=out, base=d)
        by_name = {Path(r.path).name: r for r in reports}
        s, f = by_name["汇总表.xlsx"], by_name["教育经费.xlsx"]
        assert any(x.rule == "REC003" for x in s.findings) and any(x.rule == "REC003" for x in f.findings)
        assert s.status == "findings" and f.status == "findings"
        ws = openpyxl.load_workbook(s.output)["汇总表"]
        assert "99.6" in ws["I5"].comment.text
        fs = openpyxl.load_workbook(f.output)["核查结果"]
        assert any(c.value == "REC003" for c in fs["E"])


def _crash_on(path, shown, output, reconcile, keep_records, profile=None):
    """A task that kills its process for one file (as the OS does when memory runs out)."""
    if Path(path).name == "crash.xlsx":
        os._exit(3)
    return batch._check_task(path, shown, output, reconcile, keep_records, profile)


def test_a_worker_that_dies_fails_only_its_file(tmp_path, monkeypatch):
    files = []
    for i in range(4):
        files.append(write_summary(tmp_path / f"{i}.xlsx", clean_rows()))
    files.insert(2, write_summary(tmp_path / "crash.xlsx", clean_rows()))
    monkeypatch.setattr(batch, "_check_task", _crash_on)
    reports = run([Job(p, str(p), write=False) for p in files], profiles.load(), workers=2)
    assert [Path(r.path).name for r in reports] == [p.name for p in files]
    crashed = [r for r in reports if r.status == "failed"]
    assert [Path(r.path).name for r in crashed] == ["crash.xlsx"]
    assert "异常退出" in crashed[0].error
    assert all(r.status == "ok" for r in reports if r not in crashed)


class _DeadExecutor:
    def submit(self, *a, **k):
        from concurrent.futures.process import BrokenProcessPool

        raise BrokenProcessPool("cannot start")

    def shutdown(self, *a, **k):
        pass


def test_no_worker_can_start_then_everything_runs_here(tmp_path, monkeypatch):
    from concurrent.futures.process import BrokenProcessPool

    files = [write_summary(tmp_path / f"{i}.xlsx", clean_rows()) for i in range(3)]
    monkeypatch.setattr(batch._Pool, "get", lambda self: _DeadExecutor())

    def dead(*a, **k):
        raise BrokenProcessPool("cannot start")

    monkeypatch.setattr(batch, "_alone", dead)
    warnings = []
    reports = run([Job(p, str(p), write=False) for p in files], profiles.load(), workers=2, warn=warnings.append)
    assert [r.status for r in reports] == ["ok"] * 3
    assert warnings and "逐个处理" in warnings[0]


# ------------------------------------------------------------------ naming the copies


def test_same_names_in_different_folders_are_mirrored_under_out(folder, tmp_path):
    out = tmp_path / "out"
    res = invoke(["check", "--out", str(out), str(folder)])
    assert res.exit_code == 2  # the junk file
    assert (out / "甲镇" / "汇总表.checked.xlsx").exists()
    assert (out / "乙镇" / "汇总表.checked.xlsx").exists()
    assert (out / "乙镇" / "教育经费.checked.xlsx").exists()
    a = openpyxl.load_workbook(out / "甲镇" / "汇总表.checked.xlsx")["核查结果"]["B2"].value
    b = openpyxl.load_workbook(out / "乙镇" / "汇总表.checked.xlsx")["核查结果"]["B2"].value
    assert "甲镇" in a and "乙镇" in b


def test_twins_in_one_folder_get_distinct_copies(tmp_path):
    d = tmp_path
    jobs = [Job(d / "表.xls", "表.xls"), Job(d / "表.xlsx", "表.xlsx"), Job(d / "表.xlsm", "表.xlsm")]
    reps = [FileReport(path=j.shown, fmt=f) for j, f in zip(jobs, ("xls", "xlsx", "xlsm"))]
    outs = plan_outputs(jobs, reps, None, None)
    assert outs[1] == d / "表.checked.xlsx"  # the .xlsx keeps the plain name
    assert outs[0] == d / "表.xls.checked.xlsx"
    assert outs[2] == d / "表.checked.xlsm"
    assert len(set(outs)) == 3
    # and already used names are avoided
    again = plan_outputs(jobs[:1], reps[:1], None, None, taken=[d / "表.checked.xlsx", d / "表.xls.checked.xlsx"])
    assert again == [d / "表(2).checked.xlsx"]


def test_content_decides_the_copy_extension(tmp_path):
    """A macro workbook saved as .xlsx gets an .xlsm copy (named after its content was read)."""
    import zipfile

    src = write_summary(tmp_path / "a.xlsx", clean_rows())
    fake = tmp_path / "宏.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(fake, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml")
            zout.writestr(info, data)
    other = write_summary(tmp_path / "b.xlsx", clean_rows())
    reports = run([Job(fake, str(fake)), Job(other, str(other))], profiles.load(), workers=1)
    assert reports[0].fmt == "xlsm", reports[0].error
    assert reports[0].output.endswith("宏.checked.xlsm")
    assert reports[1].output.endswith("b.checked.xlsx")


# ------------------------------------------------------------------ the command and the overview


def test_folder_run_writes_the_overview(folder):
    res = invoke(["check", str(folder)])
    assert res.exit_code == 2
    target = folder / "核查汇总.xlsx"
    assert target.exists() and overview.is_overview(target)
    assert f"核查汇总：{target}" in res.output
    lines = res.output.strip().splitlines()
    assert lines[-1].startswith("共检查 4 个文件")
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames == ["核查汇总", "无法处理的文件"]
    ws = wb["核查汇总"]
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[0] == "序号")
    assert rows[head] == overview.HEADERS
    table = [r for r in rows[head + 1:] if r[0] is not None]
    assert len(table) == 4
    by_file = {Path(r[1]).parent.name + "/" + Path(r[1]).name: r for r in table}
    seed = by_file["甲镇/汇总表.xlsx"]
    assert seed[2] == "有错误" and seed[3] == "部门绩效自评结果公开汇总表" and seed[4] == 34
    assert seed[6] == pytest.approx(96.9) and seed[7] == "优秀"
    assert by_file["乙镇/汇总表.xlsx"][2] == "通过"
    assert by_file["乙镇/教育经费.xlsx"][6] == pytest.approx(99.6) and by_file["乙镇/教育经费.xlsx"][7] == "优"
    junk = by_file["乙镇/坏文件.xlsx"]
    assert junk[2] == "无法读取" and junk[9]  # one status vocabulary (issue 11)
    # a link per copy, relative to the overview's folder
    links = {c.coordinate: c.hyperlink.target for r in ws.iter_rows() for c in r if c.hyperlink is not None}
    assert len(links) == 3
    assert all(not os.path.isabs(t) for t in links.values())
    assert any(t.replace("\\", "/") == "甲镇/汇总表.checked.xlsx" for t in links.values())
    # totals
    totals = {r[0]: r[2] for r in rows[:head] if r[0] and isinstance(r[2], int)}
    assert totals["文件数"] == 4 and totals["无法读取"] == 1 and totals["有错误"] == 1
    failed = list(wb["无法处理的文件"].iter_rows(min_row=2, values_only=True))
    assert len(failed) == 1 and failed[0][1].endswith("坏文件.xlsx") and failed[0][2]
    # text stays text: nothing in the overview is a formula
    assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)


def test_second_run_skips_the_overview_and_the_copies(folder):
    invoke(["check", str(folder)])
    before = (folder / "核查汇总.xlsx").stat().st_ino
    res = invoke(["check", "--format", "json", str(folder)])
    doc = json.loads(res.output)
    names = [Path(f["path"]).name for f in doc["files"]]
    assert "核查汇总.xlsx" not in names and not any(".checked." in n for n in names)
    assert len(names) == 4
    assert doc["overview"] == str(folder / "核查汇总.xlsx")
    assert (folder / "核查汇总.xlsx").stat().st_ino != before  # replaced (atomically): it is ours


def test_overview_not_ours_is_not_overwritten(folder):
    (folder / "核查汇总.xlsx").write_bytes(b"an officer's own file")
    res = invoke(["check", str(folder)])
    assert (folder / "核查汇总.xlsx").read_bytes() == b"an officer's own file"
    written = [p for p in folder.glob("核查汇总-*.xlsx")]
    assert len(written) == 1 and overview.is_overview(written[0])
    assert str(written[0]) in res.output


def test_single_file_writes_no_overview_unless_asked(tmp_path):
    src = shutil.copy(SAMPLES / CLEAN, tmp_path / "a.xlsx")
    res = invoke(["check", "--format", "json", str(src)])
    assert res.exit_code == 0
    assert set(json.loads(res.output)) == {"version", "files", "totals"}
    assert not (tmp_path / "核查汇总.xlsx").exists()
    res = invoke(["check", "--overview", str(src)])
    assert (tmp_path / "核查汇总.xlsx").exists()
    out = tmp_path / "out"
    b = shutil.copy(SAMPLES / SEED000, tmp_path / "b.xlsx")
    res = invoke(["check", "--no-overview", "--out", str(out), str(src), str(b)])
    assert res.exit_code == 1
    assert not (out / "核查汇总.xlsx").exists() and (out / "b.checked.xlsx").exists()


def test_overview_goes_into_out_when_given(folder, tmp_path):
    out = tmp_path / "结果"
    invoke(["check", "--out", str(out), "-j", "1", str(folder / "甲镇"), str(folder / "乙镇" / "汇总表.xlsx")])
    assert (out / "核查汇总.xlsx").exists()
    assert not (folder / "核查汇总.xlsx").exists()


def test_no_write_writes_nothing(folder):
    before = sorted(p.name for p in folder.rglob("*"))
    res = invoke(["check", "--no-write", str(folder)])
    assert res.exit_code == 2
    assert sorted(p.name for p in folder.rglob("*")) == before


def test_json_is_one_document_and_exit_codes_hold(folder):
    res = invoke(["check", "--format", "json", "--jobs", "2", str(folder)])
    doc = json.loads(res.output)  # nothing else on stdout: no progress bar, no lines
    assert res.exit_code == 2
    assert doc["totals"]["files"] == 4 and doc["totals"]["failed"] == 1
    (folder / "乙镇" / "坏文件.xlsx").unlink()
    res = invoke(["check", "--format", "json", str(folder)])
    assert res.exit_code == 1  # errors found, nothing failed
    (folder / "甲镇" / "汇总表.xlsx").unlink()
    (folder / "乙镇" / "教育经费.xlsx").unlink()
    res = invoke(["check", "--format", "json", str(folder)])
    assert res.exit_code == 0


def test_common_folder():
    from xltool.cli.check import common_folder

    here = Path(__file__).resolve().parent
    assert common_folder([str(here / "test_batch.py")]) == here
    assert common_folder([str(here), str(here.parent / "xltool" / "batch.py")]) == here.parent
