"""The summary table (部门绩效自评结果公开汇总表): reader and every rule, both ways."""

from __future__ import annotations

from pathlib import Path

import pytest

from builders import SUMMARY_HEADER, clean_rows, summary_row, total_row, write_summary
from xltool import profiles
from xltool.engine import check_file

ROOT = Path(__file__).resolve().parents[1]
SEED000 = ROOT / "samples" / "铜冶镇2023年度部门绩效自评结果公开汇总表.xlsx"
CLEAN = ROOT / "samples" / "示例单位2023年度部门绩效自评结果公开汇总表.xlsx"
FIX = ROOT / "tests" / "fixtures"


def run(path, profile="national"):
    return check_file(path, profiles.load(profile), write=False)


def codes(report, rule=None):
    return sorted((f.rule, f.cell) for f in report.findings if rule is None or f.rule == rule)


def test_clean_table_has_no_findings(tmp_path):
    rows = clean_rows()
    r = run(write_summary(tmp_path / "t.xlsx", rows, total=total_row(rows)))
    assert r.status == "ok", [f.message for f in r.findings]
    assert r.sheets[0].kind == "summary"


# --- seed 000 --------------------------------------------------------------------------------

def test_seed_000_flags_every_wrong_balance_and_nothing_right():
    r = run(SEED000)
    bal = [f for f in r.findings if f.rule == "SUM002"]
    assert len(bal) == 34
    assert {f.cell for f in bal} == {f"F{n}" for n in (7, 8, 9, 11, 15, 16, 20, 23, 24, 25, 28, 29, 31, 32, 33, 34, 35,
                                                       36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 48, 49, 50, 51, 52, 54, 55)}
    f7 = next(f for f in bal if f.cell == "F7")
    assert f7.expected == pytest.approx(26.25) and f7.found == 0
    assert "应为 26.25（预算数 1338 － 执行数 1311.752）" in f7.message
    assert r.errors == 34  # nothing else is an error


def test_seed_000_unit_results():
    res = run(SEED000).sheets[0].results
    assert res == {"unit": "万元", "project_count": 51, "budget_total": 21482.86, "execution_total": 19754.32,
                   "execution_rate": 0.9195, "overall_score": 96.9, "overall_grade": "优秀"}


def test_seed_000_warnings_header_year_and_low_execution_opinion():
    r = run(SEED000)
    assert codes(r, "SUM010") == [("SUM010", "E4")]
    assert codes(r, "SUM008") == [("SUM008", "I52")]


def test_shipped_clean_sample():
    assert run(CLEAN).status == "ok"


# --- every rule, both ways -------------------------------------------------------------------

def _one(tmp_path, row, *, header=None):
    return run(write_summary(tmp_path / "t.xlsx", [row], header=header))


def test_rate_rule(tmp_path):
    assert not codes(_one(tmp_path, summary_row(1, "甲", 1338, 1311.752, 96, rate=0.98)), "SUM001")
    assert not codes(_one(tmp_path, summary_row(1, "甲", 1338, 1311.752, 96, rate="98.04%")), "SUM001")
    r = _one(tmp_path, summary_row(1, "甲", 1338, 1311.752, 96, rate=0.90))
    assert codes(r, "SUM001") == [("SUM001", "F5")]


def test_rate_in_percent_column(tmp_path):
    header = SUMMARY_HEADER[:5] + ["执行率（%）"] + SUMMARY_HEADER[6:]
    assert not codes(_one(tmp_path, summary_row(1, "甲", 1338, 1311.752, 96, rate=98.04), header=header), "SUM001")
    assert codes(_one(tmp_path, summary_row(1, "甲", 1338, 1311.752, 96, rate=90), header=header), "SUM001")


def test_balance_rule(tmp_path):
    assert not codes(_one(tmp_path, summary_row(1, "甲", 1338, 1311.752, 96, balance=26.25)), "SUM002")
    r = _one(tmp_path, summary_row(1, "甲", 30, 29.9585, 96, balance=0))
    assert codes(r, "SUM002") == [("SUM002", "G5")]
    assert r.findings[0].expected == pytest.approx(0.04)


def test_empty_balance_with_a_difference_is_an_error_but_not_when_zero(tmp_path):
    assert codes(_one(tmp_path, summary_row(1, "甲", 30, 20, 96, balance="")), "SUM002")
    assert not codes(_one(tmp_path, summary_row(1, "甲", 30, 30, 96, balance="")), "SUM002")


def test_returned_rule(tmp_path):
    assert not codes(_one(tmp_path, summary_row(1, "甲", 100, 80, 96, returned=20)), "SUM003")
    assert codes(_one(tmp_path, summary_row(1, "甲", 100, 80, 96, returned=25)), "SUM003") == [("SUM003", "H5")]
    assert codes(_one(tmp_path, summary_row(1, "甲", 100, 80, 96, returned=-1)), "SUM003")


def test_overspend_rule(tmp_path):
    assert not codes(_one(tmp_path, summary_row(1, "甲", 100, 100, 96)), "SUM004")
    r = _one(tmp_path, summary_row(1, "甲", 100, 105, 96))
    assert codes(r, "SUM004") == [("SUM004", "E5")]


def test_score_range_rule(tmp_path):
    assert not codes(_one(tmp_path, summary_row(1, "甲", 100, 100, 100)), "SUM005")
    assert codes(_one(tmp_path, summary_row(1, "甲", 100, 100, 102, grade="优秀")), "SUM005") == [("SUM005", "I5")]


def test_grade_rule(tmp_path):
    assert not codes(_one(tmp_path, summary_row(1, "甲", 100, 100, 84, grade="良好")), "SUM006")
    assert codes(_one(tmp_path, summary_row(1, "甲", 100, 100, 84, grade="优秀")), "SUM006") == [("SUM006", "J5")]
    assert codes(_one(tmp_path, summary_row(1, "甲", 100, 100, 85, grade="良好")), "SUM006")


def test_grade_bands_come_from_the_profile(tmp_path):
    p = tmp_path / "strict.toml"
    p.write_text('[grades]\nsummary = [[90, "优秀"], [80, "良好"], [60, "一般"], [0, "较差"]]\n', encoding="utf-8")
    wb = write_summary(tmp_path / "t.xlsx", [summary_row(1, "甲", 100, 100, 86, grade="优秀")])
    assert not codes(run(wb), "SUM006")
    assert codes(run(wb, str(p)), "SUM006")


def test_opinion_grade_rule(tmp_path):
    ok = summary_row(1, "甲", 100, 100, 84, grade="良好", opinion="评价结果良好，继续推进此项目。")
    assert not codes(_one(tmp_path, ok), "SUM007")
    bad = summary_row(1, "甲", 100, 100, 84, grade="良好", opinion="评价结果优秀，继续推进此项目。")
    assert codes(_one(tmp_path, bad), "SUM007") == [("SUM007", "K5")]


def test_low_execution_opinion_rule(tmp_path):
    ok = summary_row(1, "甲", 100, 30, 90, opinion="评价结果优秀，调整优化支出结构。")
    assert not codes(_one(tmp_path, ok), "SUM008")
    bad = summary_row(1, "甲", 100, 30, 90, opinion="评价结果优秀，继续推进此项目。")
    r = _one(tmp_path, bad)
    assert codes(r, "SUM008") == [("SUM008", "K5")]
    assert r.findings[0].severity == "warning"


def test_totals_rule(tmp_path):
    rows = clean_rows()
    assert not codes(run(write_summary(tmp_path / "a.xlsx", rows, total=total_row(rows))), "SUM009")
    bad = total_row(rows, execution=total_row(rows)[4] + 100)
    r = run(write_summary(tmp_path / "b.xlsx", rows, total=bad))
    assert ("SUM009", "E9") in codes(r, "SUM009")
    bad_rate = total_row(rows, rate=0.5)
    assert codes(run(write_summary(tmp_path / "c.xlsx", rows, total=bad_rate)), "SUM009") == [("SUM009", "F9")]


def test_header_year_rule(tmp_path):
    rows = clean_rows()
    header = SUMMARY_HEADER[:4] + ["执行数（至2022年底）"] + SUMMARY_HEADER[5:]
    r = run(write_summary(tmp_path / "t.xlsx", rows, header=header, title="2023年度部门绩效自评结果公开汇总表"))
    assert codes(r, "SUM010") == [("SUM010", "E4")]
    header_ok = SUMMARY_HEADER[:4] + ["执行数（至2023年底）"] + SUMMARY_HEADER[5:]
    r = run(write_summary(tmp_path / "u.xlsx", rows, header=header_ok, title="2023年度部门绩效自评结果公开汇总表"))
    assert not codes(r, "SUM010")


def test_missing_amount_rule(tmp_path):
    r = _one(tmp_path, summary_row(1, "甲", 100, 100, 96)[:4] + [""] + [1, 0, 0, 96, "优秀", ""])
    assert codes(r, "SUM011") == [("SUM011", "E5")]
    assert not codes(_one(tmp_path, summary_row(1, "甲", 100, 100, 96)), "SUM011")


def test_negative_amount_rule(tmp_path):
    assert codes(_one(tmp_path, summary_row(1, "甲", 100, -5, 96, rate="")), "SUM012") == [("SUM012", "E5")]
    assert not codes(_one(tmp_path, summary_row(1, "甲", 100, 5, 96)), "SUM012")


def test_duplicate_name_rule(tmp_path):
    rows = [summary_row(1, "甲项目", 100, 100, 96), summary_row(2, "甲 项目", 50, 50, 96)]
    assert codes(run(write_summary(tmp_path / "t.xlsx", rows)), "SUM013") == [("SUM013", "B6")]
    rows = [summary_row(1, "甲项目", 100, 100, 96), summary_row(2, "乙项目", 50, 50, 96)]
    assert not codes(run(write_summary(tmp_path / "u.xlsx", rows)), "SUM013")


def test_text_numbers_warn_and_words_are_errors():
    r = run(FIX / "summary_text_numbers.xlsx")
    assert codes(r, "IN001") == [("IN001", "D5"), ("IN001", "E6"), ("IN001", "F7"), ("IN001", "H8")]
    assert codes(r, "IN002") == [("IN002", "H9")]
    assert r.errors == 1


# --- layouts --------------------------------------------------------------------------------

def test_two_row_merged_header_in_yuan_with_totals_row():
    r = run(FIX / "summary_two_row_header_yuan.xlsx")
    res = r.sheets[0].results
    assert res["unit"] == "元" and res["project_count"] == 6
    errs = sorted((f.rule, f.cell) for f in r.findings if f.severity == "error")
    assert errs == [("SUM001", "E7"), ("SUM002", "F8"), ("SUM006", "H9"), ("SUM009", "D11")]
    # the 合计 结余 equals its column's sum: a consequence of F8, a warning naming F8 (issue 9, point 8)
    cascade = [f for f in r.findings if f.rule == "SUM009" and f.cell == "F11"]
    assert [f.severity for f in cascade] == ["warning"] and "F8" in cascade[0].message
    assert codes(r, "IN001") == [("IN001", "C5")]
    assert not any(f.cell == "E6" for f in r.findings)  # 98% for 98.04%: rounding


def test_columns_in_any_order_with_spaces_and_line_breaks(tmp_path):
    header = ["自评\n得分", "项目 名称", "全年执行数", "全年 预算数", "结余资金", "序号"]
    rows = [[96, "甲", 80, 100, 20, 1], [90, "乙", 50, 50, 1, 2]]
    r = run(write_summary(tmp_path / "t.xlsx", rows, header=header, blank_rows_before=3))
    assert codes(r) == [("SUM002", "E9")]


def test_header_found_below_a_long_preamble(tmp_path):
    rows = clean_rows()
    r = run(write_summary(tmp_path / "t.xlsx", rows, blank_rows_before=20))
    assert r.status == "ok" and r.sheets[0].results["project_count"] == 4


def test_notes_below_the_table_are_not_projects(tmp_path):
    rows = clean_rows() + [[], ["注：本表金额单位为万元。"], ["填报人：张三"]]
    r = run(write_summary(tmp_path / "t.xlsx", rows))
    assert r.sheets[0].results["project_count"] == 4


def test_unit_from_header_when_no_unit_line(tmp_path):
    header = SUMMARY_HEADER[:3] + ["预算数（元）", "执行数（元）"] + SUMMARY_HEADER[5:]
    r = run(write_summary(tmp_path / "t.xlsx", clean_rows(), header=header, unit_line=None))
    assert r.sheets[0].results["unit"] == "元"


def test_formula_without_cached_value_is_a_warning_not_an_error(tmp_path):
    import openpyxl

    path = write_summary(tmp_path / "t.xlsx", clean_rows())
    wb = openpyxl.load_workbook(path)
    wb.active["G5"] = "=D5-E5"  # openpyxl stores no cached value
    wb.save(path)
    r = run(path)
    assert codes(r, "IN003") == [("IN003", "G5")]
    assert r.errors == 0
