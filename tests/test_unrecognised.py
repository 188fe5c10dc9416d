"""未识别: a workbook that was read but holds no self-evaluation table (a stray attachment in a folder of
submissions) is told apart from a damaged one (无法读取) everywhere a status is shown: console line and end
summary, JSON (status, verdict, totals), the overview (its row, colour, counts; not on 无法处理的文件), the
page's word, summarize's 生成说明 and the exit code (2: a file could not be checked, see xltool.errors).

The two recognition probes of ../shared/realworld are used when present (skipped otherwise); the other
workbooks are made here.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import badfiles as bf
from builders import clean_rows, write_summary
from test_summarize import write_form
from xltool import profiles, status
from xltool import summarize as sm
from xltool.batch import Job, run
from xltool.cli import main
from xltool.engine import FileReport, check_file
from xltool.errors import EXIT_FAILED
from xltool.report import overview

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SEED000 = "铜冶镇2023年度部门绩效自评结果公开汇总表.xlsx"
REAL = ROOT.parent / "shared" / "realworld"
PROBES = ["ledger_template_blank.xls", "execution_progress_template_blank.xls"]
PROFILE = profiles.load()


def write_roster(path: Path) -> Path:
    """A plain office table that is no budget table: an issue register with quantities and amounts."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "领用登记"
    ws.append(["办公用品领用登记表"])
    ws.append(["序号", "领用日期", "物品名称", "规格", "数量", "单价（元）", "金额（元）", "领用人", "备注"])
    for i, (item, qty, price) in enumerate([("签字笔", 20, 2.5), ("A4纸", 5, 28), ("文件夹", 12, 6.8),
                                            ("订书机", 2, 35), ("墨盒", 3, 168)], start=1):
        ws.append([i, f"2023-03-{i:02d}", item, "—", qty, price, round(qty * price, 2), "张三", ""])
    ws.append(["合计", "", "", "", 42, "", 20 * 2.5 + 5 * 28 + 12 * 6.8 + 2 * 35 + 3 * 168, "", ""])
    wb.save(path)
    return path


def _invoke(args):
    return CliRunner().invoke(main, args, catch_exceptions=False)


@pytest.mark.parametrize("which", ["ours", *PROBES])
def test_a_workbook_without_a_self_evaluation_table_is_unrecognised_everywhere(tmp_path, which):
    if which == "ours":
        src = write_roster(tmp_path / "办公用品领用登记.xlsx")
    else:
        src = REAL / which
        if not src.exists():
            pytest.skip(f"{which} is not available")
    # JSON
    res = _invoke(["check", "--out", str(tmp_path / "j"), "--format", "json", str(src)])
    assert res.exit_code == EXIT_FAILED
    doc = json.loads(res.stdout)
    (f,) = doc["files"]
    assert (f["status"], f["verdict"], f["verdict_word"]) == ("unrecognised", "unrecognised", "未识别")
    assert f["output"] is None and "不是预算绩效自评表" in f["error"] and "表头文字" in f["error"]
    assert doc["totals"]["unrecognised"] == 1 and doc["totals"]["failed"] == 0
    assert not (tmp_path / "j").exists() or not any((tmp_path / "j").rglob("*.xlsx"))  # no copy of it
    # console
    res = _invoke(["check", "--out", str(tmp_path / "t"), str(src)])
    assert res.exit_code == EXIT_FAILED
    first, last = res.output.strip().splitlines()[0], res.output.strip().splitlines()[-1]
    assert first.startswith("【未识别】") and "不是预算绩效自评表" in first and "无法读取" not in first
    assert "未识别 1 个" in last and "无法读取 0 个" in last
    # overview (a folder of one)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / src.name).write_bytes(src.read_bytes())
    res = _invoke(["check", "--out", str(tmp_path / "o"), str(folder)])
    assert res.exit_code == EXIT_FAILED
    wb = openpyxl.load_workbook(tmp_path / "o" / overview.NAME)
    counts, table = _counts_and_table(wb[overview.SHEET])
    (row,) = table
    assert row[2] == "未识别" and row[3] == "—" and row[8] == "（未生成）" and "不是预算绩效自评表" in row[9]
    assert counts["未识别（未找到自评表，未核查）"] == 1 and counts["无法读取"] == 0
    assert _failed_sheet(wb) == []  # not listed as a file that could not be processed


def test_one_of_each_in_a_folder(tmp_path):
    """A folder with a stray attachment, a damaged file, a file with errors and a clean one: the right
    counts on the console, in the JSON and on the overview, worst first, and exit 2."""
    folder = tmp_path / "材料"
    folder.mkdir()
    write_roster(folder / "附件-领用登记.xlsx")
    bf.make_truncated(folder / "截断.xlsx", SAMPLES / SEED000)
    (folder / SEED000).write_bytes((SAMPLES / SEED000).read_bytes())
    write_form(folder / "项目甲.xlsx", "项目甲", 100, 90)
    res = _invoke(["check", "--out", str(tmp_path / "o"), "--format", "json", str(folder)])
    assert res.exit_code == EXIT_FAILED
    doc = json.loads(res.stdout)
    by = {Path(f["path"]).name: f["verdict_word"] for f in doc["files"]}
    assert by["附件-领用登记.xlsx"] == "未识别" and by["截断.xlsx"] == "无法读取"
    assert by[SEED000] == "有错误"
    t = doc["totals"]
    assert (t["files"], t["failed"], t["unrecognised"], t["blank"]) == (4, 1, 1, 0)

    wb = openpyxl.load_workbook(tmp_path / "o" / overview.NAME)
    counts, table = _counts_and_table(wb[overview.SHEET])
    assert counts["无法读取"] == 1 and counts["未识别（未找到自评表，未核查）"] == 1 and counts["有错误"] >= 1
    assert counts["文件数"] == 4
    assert [r[2] for r in table][:3] == ["无法读取", "未识别", "有错误"]  # worst first
    assert [Path(p).name for p in _failed_sheet(wb)] == ["截断.xlsx"]

    res = _invoke(["check", "--out", str(tmp_path / "t"), "--no-overview", str(folder)])
    last = res.output.strip().splitlines()[-1]
    assert "共检查 4 个文件" in last and "无法读取 1 个" in last and "未识别 1 个" in last
    lines = {line.split("】")[0] + "】": line for line in res.output.splitlines() if line.startswith("【")}
    assert "截断.xlsx" in lines["【无法读取】"] and "附件-领用登记.xlsx" in lines["【未识别】"]


def test_an_empty_workbook_says_it_is_empty(tmp_path):
    """A workbook whose sheets hold nothing is not called "not a self-evaluation workbook": the reason says
    it is empty. Its status is 未识别 on every surface, the page included (xltool/status.py says why)."""
    from xltool.ui.session import status_word

    wb = openpyxl.Workbook()
    wb.create_sheet("Sheet2")
    wb.save(tmp_path / "空.xlsx")
    r = check_file(tmp_path / "空.xlsx", PROFILE, write=False)
    assert r.status == "unrecognised" and "没有填写任何内容" in r.error and "不是预算绩效自评表" not in r.error
    assert status_word(r)[0] == "未识别"


def test_a_truncated_package_stays_unreadable(tmp_path):
    bad = bf.make_truncated(tmp_path / "截断.xlsx", SAMPLES / SEED000)
    r = check_file(bad, PROFILE, write=False)
    assert r.status == "failed" and status.word_of(r) == "无法读取"


def test_refused_sheets_beside_an_unrecognised_one_are_unreadable(tmp_path):
    """Part of the workbook could not be read (a sheet refused as too large) and nothing else is ours: the
    self-evaluation table may be the refused sheet, so the file is 无法读取 with the refusal's reason."""
    wb = openpyxl.Workbook()
    wb.active["A1"] = "会议纪要"
    wb.create_sheet("数据")["XFD1048576"] = 1
    wb.save(tmp_path / "a.xlsx")
    r = check_file(tmp_path / "a.xlsx", PROFILE, write=False)
    assert r.status == "failed" and "XFD1048576" in r.error


def test_a_stray_file_is_not_counted_by_summarize_and_not_called_damaged(tmp_path):
    forms = [write_form(tmp_path / "项目甲.xlsx", "项目甲", 100, 90), write_roster(tmp_path / "附件.xlsx"),
             bf.make_truncated(tmp_path / "截断.xlsx", SAMPLES / SEED000)]
    reports = run([Job(p, p.name, write=False) for p in forms], PROFILE, workers=1, reconcile=False)
    table = sm.build(reports, PROFILE)
    assert len(table.projects) == 1
    outcome = {Path(s.path).name: s.outcome for s in table.sources}
    assert outcome["附件.xlsx"] == "未识别（未找到预算绩效自评表），未计入"
    assert outcome["截断.xlsx"] == "无法读取，未计入"


def test_the_page_word_and_the_rank():
    from xltool.ui.session import status_word

    stray = FileReport(path="附件.xlsx", status="unrecognised", error="没有找到可识别的表格：本文件看起来不是预算绩效自评表")
    assert status_word(stray) == ("未识别", stray.error)
    assert status.key_of(stray) == status.UNRECOGNISED and not stray.checked
    damaged = FileReport(path="坏.xlsx", status="failed", error="文件已损坏")
    errors = FileReport(path="错.xlsx", status="findings")
    errors.findings = [_error()]
    assert [r.path for r in overview.worst_first([errors, stray, damaged])] == ["坏.xlsx", "附件.xlsx", "错.xlsx"]


def test_a_batch_keeps_the_status_through_reconciliation(tmp_path):
    """A batch holding a summary and a project form reconciles them and resets the statuses of the checked
    files; a stray file among them stays 未识别 (it was turned into 通过 once)."""
    summary = write_summary(tmp_path / "汇总.xlsx", clean_rows())
    paths = [summary, write_form(tmp_path / "项目甲.xlsx", "项目甲", 100, 90), write_roster(tmp_path / "附件.xlsx")]
    reports = run([Job(p, p.name, write=False) for p in paths], PROFILE, workers=1)
    assert status.key_of(reports[2]) == status.UNRECOGNISED and reports[2].status == "unrecognised"


def _error():
    from xltool.findings import ERROR, Finding

    return Finding("SUM002", ERROR, "汇总表", "F7", "结余数不对")


def _counts_and_table(ws):
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[0] == "序号")
    counts = {}
    start = next(i for i, r in enumerate(rows) if r[0] == "合计") + 1
    for r in rows[start:head]:
        if r[0] is not None:
            counts[r[0]] = r[2]
    return counts, [r for r in rows[head + 1:] if r[0] is not None]


def _failed_sheet(wb) -> list[str]:
    return [r[1] for r in wb[overview.FAILED_SHEET].iter_rows(min_row=2, values_only=True) if r[1] is not None]
