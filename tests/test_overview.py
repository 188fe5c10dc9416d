"""The overview 核查汇总.xlsx as a reviewer reads it: worst files first, the rules found named in Chinese,
rows tall enough for their text, sheets set up for A4."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from builders import clean_rows, summary_row, write_summary
from xltool import profiles
from xltool import template as templates
from xltool.batch import Job, run
from xltool.cli import main
from xltool.report import overview
from xltool.report.printing import lines_needed, row_height, text_width

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
PROFILE = profiles.load()


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    d = tmp_path_factory.mktemp("folder")
    write_summary(d / "a_clean.xlsx", clean_rows())
    rows = clean_rows()
    rows[3] = summary_row(4, "2023年镇级固定资产购置费", 100, 30, 84)  # 30 % executed, "继续推进": a warning
    write_summary(d / "b_warning.xlsx", rows)
    templates.build("project-form", d / "c_blank.xlsx")
    shutil.copy(SAMPLES / "铜冶镇2023年度部门绩效自评结果公开汇总表.xlsx", d / "d_seed.xlsx")  # 34 errors
    shutil.copy(SAMPLES / "东史端镇2023年度绩效管理自评表.xlsx", d / "e_management.xlsx")  # 2 errors
    (d / "f_junk.xlsx").write_text("不是表格", encoding="utf-8")
    files = sorted(d.iterdir())
    reports = run([Job(p, p.name, write=False) for p in files], PROFILE, workers=1, reconcile=False)
    target = overview.write(d / overview.NAME, reports, PROFILE)
    return reports, target


def _table(ws):
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[0] == "序号")
    return head, [r for r in rows[head + 1:] if r[0] is not None]


def test_worst_first(written):
    reports, target = written
    by_name = {r.path: r for r in reports}
    assert by_name["b_warning.xlsx"].errors == 0 and by_name["b_warning.xlsx"].warnings >= 1
    assert by_name["c_blank.xlsx"].errors == 0
    ws = openpyxl.load_workbook(target)[overview.SHEET]
    _, table = _table(ws)
    order = [r[1] for r in table]
    # failed, errors (most first), warnings, blank, clean
    assert order == ["f_junk.xlsx", "d_seed.xlsx", "e_management.xlsx", "b_warning.xlsx", "c_blank.xlsx",
                     "a_clean.xlsx"]
    assert [r[0] for r in table] == list(range(1, 7))  # numbered in the order shown


def test_rules_named_in_chinese_with_their_count(written):
    _, target = written
    ws = openpyxl.load_workbook(target)[overview.SHEET]
    _, table = _table(ws)
    remark = {r[1]: r[9] for r in table}
    seed = remark["d_seed.xlsx"]
    titles = overview.rule_titles()
    assert seed.startswith(f"SUM002 {titles['SUM002']}（错误 34 处）"), seed
    assert "首处 " in seed and "F7" in seed
    assert f"MT003 {titles['MT003']}（错误 1 处）" in remark["e_management.xlsx"]
    assert "提示 1 处" in remark["b_warning.xlsx"]
    assert remark["a_clean.xlsx"] in (None, "")
    assert "空白表" in remark["c_blank.xlsx"]
    assert "。。" not in "".join(v or "" for v in remark.values())


def test_a_blank_form_shows_no_score(written):
    _, target = written
    _, table = _table(openpyxl.load_workbook(target)[overview.SHEET])
    row = next(r for r in table if r[1] == "c_blank.xlsx")
    assert (row[6], row[7]) == ("—", "—")  # not 0 and 差


def test_rows_fit_their_text_and_pages_are_set_up(written):
    _, target = written
    wb = openpyxl.load_workbook(target)
    ws = wb[overview.SHEET]
    head, _ = _table(ws)
    width = overview.WIDTHS[9]
    for r in range(head + 2, ws.max_row + 1):
        text = ws.cell(r, 10).value
        if text:
            need = lines_needed(text, width)
            assert ws.row_dimensions[r].height >= need * 14.25, (r, text)
    for sheet, landscape in ((ws, True), (wb[overview.FAILED_SHEET], False)):
        ps = sheet.page_setup
        assert str(ps.paperSize) == "9"
        assert ps.orientation == ("landscape" if landscape else "portrait")
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and ps.fitToHeight == 0
        assert sheet.print_title_rows
    assert ws.print_title_rows.replace("$", "") == f"{head + 1}:{head + 1}"
    failed = wb[overview.FAILED_SHEET]
    assert failed["B2"].value == "f_junk.xlsx" and failed.row_dimensions[2].height >= 15


def test_row_height_estimate():
    assert text_width("结余数ab") == 8
    assert lines_needed("", 10) == 1
    assert lines_needed("一二三四五", 20) == 1
    assert lines_needed("一" * 40, 20) == 5  # 20 characters of width hold 8 CJK characters
    assert lines_needed("甲\n乙\n丙", 20) == 3
    assert row_height([("短", 10)]) == 18  # one line and a little air
    tall = row_height([("很长的说明文字" * 20, 30), ("短", 10)])
    assert tall > 100 and tall == row_height([("很长的说明文字" * 20, 30)])
    assert row_height([("字" * 10000, 10)]) == 409  # Excel's limit


def test_second_sheet_lists_only_the_files_that_could_not_be_read(written):
    """Issue 11 point 6: 无法处理的文件 holds exactly the files whose status is 无法读取 (damaged, not a
    workbook), with the reason; blank, warned and wrong files are on the first sheet only, and so are 未识别
    files (read, no self-evaluation table: tests/test_unrecognised.py). The name says what it holds, so it stays."""
    reports, target = written
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames == [overview.SHEET, overview.FAILED_SHEET] and overview.FAILED_SHEET == "无法处理的文件"
    rows = [r for r in wb[overview.FAILED_SHEET].iter_rows(min_row=2, values_only=True) if r[0] is not None]
    failed = sorted(r.path for r in reports if r.status == "failed")
    assert failed == ["f_junk.xlsx"]
    assert [r[1] for r in rows] == failed
    assert all(r[2] for r in rows)  # the reason, in Chinese
    _, table = _table(wb[overview.SHEET])
    assert {r[1]: r[2] for r in table}["f_junk.xlsx"] == "无法读取"


def test_several_units_said_once_on_console_json_and_overview(tmp_path):
    """Issue 11 point 3: a folder holding files of several units is reconciled only within each unit, and
    says so once: on the console, in the JSON (top-level remarks) and on the overview."""
    d = tmp_path / "in"
    d.mkdir()
    for name in ("铜冶镇2023年度部门绩效自评结果公开汇总表.xlsx", "示例单位2023年度部门绩效自评结果公开汇总表.xlsx",
                 "2023年度项目支出绩效自评表（示例）.xlsx"):
        shutil.copy(SAMPLES / name, d / name)
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["check", "--format", "json", "--out", str(out), str(d)], catch_exceptions=False)
    doc = json.loads(res.stdout)
    said = [t for t in doc.get("remarks", []) if "个单位" in t]
    assert len(said) == 1 and "2 个单位" in said[0] and "铜冶镇" in said[0], doc.get("remarks")
    assert not any("个单位" in t for f in doc["files"] for t in f.get("remarks", []))  # run-level, not per file
    assert res.stderr.count("个单位") == 1
    ws = openpyxl.load_workbook(out / overview.NAME)[overview.SHEET]
    cells = [v for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str) and "个单位" in v]
    assert cells == [said[0]]
    head, _ = _table(ws)
    label_row = next(r for r in ws.iter_rows(max_row=head, values_only=True) if r[1] == said[0])
    assert label_row[0] == "说明"
