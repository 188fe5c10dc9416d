"""IN001 (a number typed as text) once per run (issue 11): a column, or a contiguous run in a column, of text
numbers gives one warning at its first cell naming the range and the count; a lone text number among real
numbers stays one warning at its cell. The values are still used in the calculation."""

from __future__ import annotations

from types import SimpleNamespace

from xltool import profiles
from xltool.engine import check_sheet
from xltool.io.book import Sheet
from xltool.report.plan import fix_first

PROFILE = profiles.load()
HEAD = [["部门绩效自评结果公开汇总表"], ["单位：万元"],
        ["序号", "项目名称", "预算数", "执行数", "结余数", "自评得分"]]


def _check(rows):
    width = max(len(r) for r in HEAD + rows)
    grid = [r + [""] * (width - len(r)) for r in HEAD + rows]
    sheet, findings = check_sheet(Sheet("汇总表", 0, grid, []), PROFILE)
    return sheet.results, findings


def test_a_table_typed_as_text_gives_one_warning_per_column():
    rows = [[float(i), f"项目{i}", f"{100 * i:.2f}", f"{90 * i:.2f}", f"{10 * i:.2f}", "95"] for i in range(1, 37)]
    results, findings = _check(rows)
    text = [f for f in findings if f.rule == "IN001"]
    assert [f.cell for f in text] == ["C4", "D4", "E4", "F4"]
    assert all(f.severity == "warning" for f in text)
    first = text[0]
    assert "预算数列 C4:C39 共 36 个单元格是以文本形式存储的数字" in first.message and "“100.00”" in first.message
    assert (first.expected, first.found) == (100, "100.00")
    assert not [f for f in findings if f.severity == "error"]  # the text values were read and add up
    assert results["budget_total"] == sum(100 * i for i in range(1, 37))
    # 先改这几处: one group line for the four runs
    report = SimpleNamespace(sheets=[], findings=findings)
    lines = [line for line in fix_first(report) if "IN001" in line]
    assert lines == ["【提示】数字以文本形式存储（IN001）：4 处"]


def test_a_lone_text_number_stays_at_its_cell():
    rows = [[1.0, "甲", 100.0, 90.0, 10.0, 95.0], [2.0, "乙", "200", 180.0, 20.0, 95.0], [3.0, "丙", 300.0, 270.0, 30.0, 95.0]]
    _, findings = _check(rows)
    (f,) = [f for f in findings if f.rule == "IN001"]
    assert f.cell == "C5" and "预算数“200”是以文本形式存储的数字，已按 200 核算" in f.message
