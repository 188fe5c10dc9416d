"""The annotated copy's 核查结果 opens with what to fix first and the file's status (issue #11, point 1),
and the recomputed columns read at the form's precision (point 7) — in both writers."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from builders import write_summary
from test_xlsxfast import _both

ROOT = Path(__file__).resolve().parents[1]
SEED0 = ROOT / "samples" / "铜冶镇2023年度部门绩效自评结果公开汇总表.xlsx"


def _top(path: Path) -> list[tuple]:
    ws = openpyxl.load_workbook(path)["核查结果"]
    return [tuple(c.value for c in row) for row in ws.iter_rows(min_row=1, max_row=12, max_col=3)]


def _lines(path: Path, label: str) -> list[str]:
    rows, out, inside = _top(path), [], False
    for a, b, _ in rows:
        if a is not None:
            inside = a == label
        if inside and b is not None:
            out.append(b)
    return out


@pytest.mark.parametrize("writer", ["fast", "slow"])
def test_fix_first_block_ranks_by_amount_errors_first(writer, tmp_path):
    _, fast, slow = _both(SEED0, tmp_path)
    path = fast if writer == "fast" else slow
    rows = _top(path)
    assert rows[2][:2] == ("状态", "有错误")
    lines = _lines(path, "先改这几处")
    assert lines[0] == "【错误】结余数与预算数、执行数不符（SUM002）：34 处，合计少计 1,728.54 万元"
    assert [ln[:4] for ln in lines] == ["【错误】", "【提示】", "【提示】"]
    assert all("合计" not in ln for ln in lines[1:])  # not amount rules: a count only


def test_larger_gap_ranks_first_and_direction_is_said(tmp_path):
    from builders import clean_rows, summary_row

    rows = clean_rows()
    rows[0] = summary_row(1, "2023年镇级教育经费", 1338, 1311.752, 96, balance=30)  # 多计 3.75
    rows[1] = summary_row(2, "2023年镇级防汛工作经费", 50, 45.999477, 97, rate=0.5)  # a rate: counted only
    src = write_summary(tmp_path / "s.xlsx", rows)
    _, fast, slow = _both(src, tmp_path)
    for path in (fast, slow):
        lines = _lines(path, "先改这几处")
        assert "（SUM002）：1 处，合计多计 3.75 万元" in lines[0], lines
        assert lines[1].startswith("【错误】执行率与预算数、执行数不符（SUM001）：1 处") and "合计" not in lines[1]


def test_blank_summary_says_blank_at_the_top(tmp_path):
    src = write_summary(tmp_path / "blank.xlsx", [])
    _, fast, slow = _both(src, tmp_path)
    for path in (fast, slow):
        rows = _top(path)
        assert rows[2][:2] == ("状态", "空表")
        assert any(r[0] == "核查结论" and str(r[1]).startswith("空表") for r in rows)


def test_clean_file_passes_without_a_fix_first_block(tmp_path):
    from builders import clean_rows

    src = write_summary(tmp_path / "ok.xlsx", clean_rows())
    _, fast, slow = _both(src, tmp_path)
    for path in (fast, slow):
        rows = _top(path)
        assert rows[2][:2] == ("状态", "通过")
        assert not any(r[0] == "先改这几处" for r in rows)


def _review(path: Path, sheet: str, title: str) -> list:
    ws = openpyxl.load_workbook(path)[sheet]
    for row in ws.iter_rows():
        for c in row:
            if c.value == title:
                return [(d.value, d.number_format) for d in ws[c.column_letter][c.row:] if d.value is not None]
    raise AssertionError(title)


def test_balances_at_the_amount_decimals_and_grades_in_the_form_words(tmp_path):
    _, fast, slow = _both(SEED0, tmp_path)
    for path in (fast, slow):
        bal = _review(path, "汇总表", "结余数（复核）")
        assert (pytest.approx(26.248), "#,##0.00") in bal  # 1338 - 1311.752 shown as 26.25
        assert {fmt for _, fmt in bal} == {"#,##0.00"}
        grades = {v for v, _ in _review(path, "汇总表", "等级（复核）")}
        assert grades and grades <= {"优秀", "良好", "一般", "较差"}


def test_grades_follow_a_form_writing_short_words(tmp_path):
    from builders import summary_row

    rows = [summary_row(1, "2023年镇级教育经费", 1338, 1311.752, 96, grade="优"),
            summary_row(2, "2023年镇级防汛工作经费", 50, 45.999477, 84, grade="良"),
            summary_row(3, "2023年镇级绿化管护项目", 196, 195.9402, 70, grade="中")]
    src = write_summary(tmp_path / "short.xlsx", rows)
    _, fast, slow = _both(src, tmp_path)
    for path in (fast, slow):
        grades = [v for v, _ in _review(path, "汇总表", "等级（复核）")]
        assert grades == ["优", "良", "中"], grades


def test_weighted_scores_at_the_form_decimals(tmp_path):
    src = ROOT / "samples" / "姜各庄镇2023年度部门整体绩效自评表.xlsx"
    _, fast, slow = _both(src, tmp_path)
    for path in (fast, slow):
        sheet = openpyxl.load_workbook(path).sheetnames[1]
        got = _review(path, sheet, "折算得分（复核）")
        assert got and {fmt for _, fmt in got} == {"0.0"}, got  # the form writes 9.5, 18 (one decimal)


def test_a_qualitative_indicator_says_why_its_recomputed_score_is_blank(tmp_path):
    src = ROOT / "samples" / "2023年度项目支出绩效自评表（示例）.xlsx"
    _, fast, slow = _both(src, tmp_path)
    for path in (fast, slow):
        ws = openpyxl.load_workbook(path).worksheets[1]
        head = next(c for row in ws.iter_rows() for c in row if c.value == "得分（复核）")
        col = ws[head.column_letter]
        assert col[18].value == "定性指标"  # 办学条件改善情况: 明显改善 (no figure to recompute from)
        assert col[16].value == 9.8 and col[17].value == 5  # quantitative rows keep their numbers
