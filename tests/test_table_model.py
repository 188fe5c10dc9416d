"""The table model (kinds/table.py): header bands, row roles, lookups, numbers; over-recognition and 空表."""

from __future__ import annotations

from pathlib import Path

import pytest

from xltool import profiles
from xltool.engine import check_file, check_sheet
from xltool.io.book import Sheet
from xltool.kinds import table as T
from xltool.kinds import vocabulary as V
from xltool.numbers import parse_number

PROFILE = profiles.load("national")
REALWORLD = Path(__file__).resolve().parents[2] / "shared" / "realworld"


def sheet(rows, merged=()):
    width = max(len(r) for r in rows)
    return Sheet("表", 0, [list(r) + [""] * (width - len(r)) for r in rows], list(merged))


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize("raw,value", [
    ("(15.15)", -15.15), ("（1,234.00）", -1234.0), ("－15.15", -15.15), ("−15.15", -15.15),
    ("１,２３４.５", 1234.5), ("98.04%", 0.9804), ("98.04％", 0.9804), ("1,338.00", 1338.0),
])
def test_accounting_and_full_width_numbers(raw, value):
    p = parse_number(raw)
    assert p.value == pytest.approx(value) and p.is_text


@pytest.mark.parametrize("raw", ["1e400", "12,34", "(良好)", "(-5)"])
def test_non_numbers(raw):
    p = parse_number(raw)
    assert p.value is None and not p.empty


def test_non_finite_text_is_an_input_error():
    s = sheet([["序号", "项目名称", "预算数", "执行数", "结余数"], [1, "甲", "1e400", 5, 0]])
    _, findings = check_sheet(s, PROFILE)
    assert [(f.rule, f.cell) for f in findings if f.severity == "error"] == [("IN002", "C2")]


# ---------------------------------------------------------------- header band


def test_three_row_header_with_merged_parents():
    rows = [
        ["序号", "项目名称", "资金情况（万元）", "", "", "", "自评得分"],
        ["", "", "预算数", "", "执行数", "结余数", ""],
        ["", "", "年初预算数", "调整后预算数", "", "", ""],
        [1, "甲", 10, 12, 11, 1, 90],
    ]
    merged = [(0, 0, 2, 0), (0, 1, 2, 1), (0, 2, 0, 5), (1, 2, 1, 3), (1, 4, 2, 4), (1, 5, 2, 5), (0, 6, 2, 6)]
    h = T.find_header(sheet(rows, merged), V.SUMMARY, ("name", "budget", "execution"), prefer={"budget": ("调整后",)})
    assert (h.top, h.bottom) == (0, 2)
    assert h.columns["budget_initial"] == 2 and h.columns["budget"] == 3 and h.columns["execution"] == 4
    assert h.columns["balance"] == 5 and h.columns["score"] == 6
    assert "资金情况" in h.labels["budget"] and h.label_cells["budget"].a1 == "D3"


def test_amount_roles_never_from_year_date_status_code_phone_labels():
    for text in ("开始执行年份", "申报日期", "执行时间", "结项状态", "预算指标编码", "负责人电话"):
        role = T.match(text, V.SUMMARY)
        assert role is None or not role.amount, (text, role)


def test_ledger_export_is_not_a_summary():
    rows = [["项目台账"], ["序号", "项目编号", "项目名称", "支出类型", "项目预算（万元）", "申报部门", "申报日期",
                          "项目负责人", "负责人电话", "开始执行年份", "结项状态"]]
    rep, findings = check_sheet(sheet(rows), PROFILE)
    assert rep.kind == "unknown" and [f.rule for f in findings] == ["XL001"]


# ---------------------------------------------------------------- row roles


@pytest.mark.parametrize("text,level", [
    ("一、基本支出", 0), ("（一）民生保障", 1), ("1.教育", 2), ("1、教育", 2), ("1 民生保障类", 2), ("(1)办公费", 3),
    ("①水费", 4), ("2023年镇级教育经费", None), ("10万元以下项目", None), ("1.5万元补助", None),
])
def test_numbering_levels(text, level):
    assert T.numbering(text) == level


def _summary(rows, merged=()):
    rep, findings = check_sheet(sheet(rows, merged), PROFILE)
    assert rep.kind == "summary"
    return rep, findings


HEAD = ["序号", "项目名称", "预算数", "执行数", "执行率", "结余数"]


def test_totals_first_groups_and_subtotals_are_not_projects():
    rows = [HEAD,
            ["", "合计", 60, 54, 0.9, 6],
            ["一", "基本支出", "", "", "", ""],
            [1, "甲", 10, 9, 0.9, 1],
            [2, "乙", 20, 18, 0.9, 2],
            ["", "小计", 30, 27, 0.9, 3],
            ["", "二、项目支出", 30, 27, 0.9, 3],
            ["", "1 民生保障类", "", "", "", ""],
            [3, "丙", 30, 27, 0.9, 3],
            ["", "总计", 60, 54, 0.9, 6]]
    rep, findings = _summary(rows)
    assert rep.results["project_count"] == 3
    assert rep.results["budget_total"] == 60 and rep.results["execution_total"] == 54
    assert [f for f in findings if f.severity != "info"] == []
    rec = rep.record
    assert rec.item_rows == [3, 4, 8] and [t.row for t in rec.totals] == [1, 9] and [s.row for s in rec.subtotals] == [5]


def test_wrong_total_at_the_top_is_found():
    rows = [HEAD, ["", "合计", 60, 50, 0.9, 6], [1, "甲", 10, 9, 0.9, 1], [2, "乙", 50, 45, 0.9, 5]]
    _, findings = _summary(rows)
    assert [(f.rule, f.cell) for f in findings if f.severity == "error"] == [("SUM009", "D2")]


def test_wrong_subtotal():
    rows = [HEAD, [1, "甲", 10, 9, 0.9, 1], [2, "乙", 20, 18, 0.9, 2], ["", "小计", 25, 27, 0.9, 3]]
    _, findings = _summary(rows)
    assert [(f.rule, f.cell) for f in findings if f.severity == "error"] == [("SUM014", "C4")]


def test_adjusted_budget_and_total_on_every_amount_column():
    head = ["序号", "项目名称", "年初预算数", "调整数", "调整后预算数", "执行数", "结余数"]
    rows = [head, [1, "甲", 100, "(20.00)", 80, 80, 0], [2, "乙", 50, 10, 70, 60, 0],
            ["", "合计", 140, -10, 150, 140, 0]]
    _, findings = _summary(rows)
    errs = [(f.rule, f.cell) for f in findings if f.severity == "error"]
    # 乙: 50 + 10 = 60, not 70 → the root cell (its 结余 0 was worked from 60); 合计 年初 140 ≠ 150 → an error on
    # its own column
    assert sorted(errs) == [("SUM009", "C4"), ("SUM015", "E3")]
    # 150 is the column's sum and 乙's 结余 0 is 60 − 60: consequences of E3, warnings naming it
    warned = {(f.rule, f.cell) for f in findings if f.severity == "warning" and "E3" in f.message}
    assert warned == {("SUM009", "E4"), ("SUM002", "G3")}
    assert any(f.rule == "IN001" and f.cell == "D2" for f in findings)  # "(20.00)" read as −20


def test_low_execution_is_judged_on_the_corrected_budget():
    """乙's 调整后预算数 10 should be 100 (its 执行率 9% and 结余 91 were worked from 100): SUM015 at E3, the rate
    and balance follow it, and 继续推进 is judged on 9%, not on the 90% the wrong 10 gives."""
    head = ["序号", "项目名称", "年初预算数", "调整数", "调整后预算数", "执行数", "执行率", "结余数", "自评结果应用意见"]
    rows = [head, [1, "甲", 80, 0, 80, 80, 1, 0, "评价结果优秀，继续推进此项目。"],
            [2, "乙", 100, 0, 10, 9, 0.09, 91, "评价结果优秀，继续推进此项目。"]]
    _, findings = _summary(rows)
    assert [(f.rule, f.cell) for f in findings if f.severity == "error"] == [("SUM015", "E3")]
    warned = sorted((f.rule, f.cell) for f in findings if f.severity == "warning")
    assert warned == [("SUM001", "G3"), ("SUM002", "H3"), ("SUM008", "I3")]


def test_adjusted_budget_the_row_was_worked_from():
    """乙: 50 + 10 = 60, not 70, but its 结余 10 is 70 − 60: the row was worked from 70, so 年初 or 调整 may be the
    wrong cell. One error at E3 that says so (调整数 would be 20), and nothing follows: the 合计 150 is not held
    to 140."""
    head = ["序号", "项目名称", "年初预算数", "调整数", "调整后预算数", "执行数", "结余数"]
    rows = [head, [1, "甲", 100, -20, 80, 80, 0], [2, "乙", 50, 10, 70, 60, 10], ["", "合计", 150, -10, 150, 140, 10]]
    _, findings = _summary(rows)
    assert [(f.rule, f.cell, f.severity) for f in findings] == [("SUM015", "E3", "error")]
    assert "本行的结余数是按调整后预算数 70 算的" in findings[0].message and "调整数应为 20" in findings[0].message


def test_negative_balance_from_an_overspend_is_one_error():
    rows = [HEAD, [1, "甲", 10, 12, 1.2, -2]]
    _, findings = _summary(rows)
    assert [(f.rule, f.cell) for f in findings if f.severity == "error"] == [("SUM004", "D2")]


def test_header_only_summary_is_an_empty_table_never_passed():
    rows = [["部门绩效自评结果公开汇总表"], HEAD, [1, "", "", "", "", ""], [2, "", "", "", "", ""]]
    rep, findings = _summary(rows)
    assert [(f.rule, f.severity) for f in findings] == [("SUM016", "warning")]


def test_every_column_of_a_role_is_named_in_the_band():
    rows = [["一级指标", "分值", "二级指标", "分值", "三级指标", "分值", "得分", "评分说明"]]
    h = T.find_header(sheet(rows), V.SCORE_TABLE, ("level0", "level1", "points", "score"))
    assert h.columns["points"] == 1
    assert [c for c, k in sorted(h.col_roles.items()) if k == "points"] == [1, 3, 5]
    assert h.col_roles[0] == "level0" and h.col_roles[6] == "score" and h.col_roles[7] == "note"


def test_hierarchical_rows_with_level_columns():
    head = ["一级指标", "二级指标", "三级指标", "分值", "得分"]
    rows = [head,
            ["一、投入指标", "", "", 20, 19],  # a numbered group title stating its figures
            ["投入", "预算编制", "科学性", 10, 9],
            ["投入", "预算编制", "合理性", 10, 10],
            ["投入", "小计", "", 20, 19],  # 小计 in a level column, names repeated on every row
            ["过程", "预算执行", "支出进度", 80, 75],
            ["总分", "", "", 100, 94]]
    s = sheet(rows)
    h = T.find_header(s, V.SCORE_TABLE, ("level0", "level1", "points", "score"))
    rows_ = T.classify_rows(s, h, name_col=2, seq_col=None, amount_cols=[3, 4], level_cols=(0, 1),
                            total_words=V.SCORE_TOTAL_WORDS)
    assert rows_.items == [2, 3, 5] and rows_.groups == [(1, 0)]
    assert rows_.subtotals == [4] and rows_.totals == [6]
    plain = T.classify_rows(s, h, name_col=2, seq_col=None, amount_cols=[3, 4])
    assert 6 not in plain.totals  # 总分 is a total only in the words the table gives


def test_a_seq_that_prefixes_the_next_items_seq_is_a_group_title():
    head = ["序号", "项目名称", "预算数", "执行数"]
    rows = [head,
            ["1", "民生保障类", "", ""],  # no amounts, seq "1" above 1.1, 1.2: a group title
            ["1.1", "文化站免费开放", 1.5, 1.5],
            ["1.2", "巡防队经费", 97, 96],
            [2.0, "城乡建设类", "", ""],  # the same with a number in the seq cell
            ["2.1", "卫生院经费补助", 317, 317],
            ["3", "计生事务", "", ""],  # no amounts but the next seq is 4: an item left unfilled
            ["4", "专项公用经费", 180, 148]]
    s = sheet(rows)
    h = T.find_header(s, V.SUMMARY, ("name", "budget", "execution"))
    got = T.classify_rows(s, h, name_col=1, seq_col=0, amount_cols=[2, 3])
    assert got.groups == [(1, 0), (4, 0)]
    assert got.items == [2, 3, 5, 6, 7]


def test_parts_under_a_project_are_not_projects():
    """其中 rows split the project above them (其中：中央资金 and the unnumbered rows after it, until they add up
    to the project's amount): no projects of their own, with or without a 序号 column."""
    rows = [HEAD,
            ["", "合计", 1530, 1502.752, 0.9822, 27.248],
            [1, "教育经费", 1338, 1311.752, 0.9804, 26.248],
            ["", "其中：中央资金", 800, 800, 1, 0],
            ["", "县级资金", 538, 511.752, 0.9512, 26.248],
            [2, "空间规划", 20, 20, 1, 0],
            ["", "其中：上级专项", 20, 20, 1, 0],
            [3, "防火费用", 172, 171, 0.9942, 1]]
    rep, findings = _summary(rows)
    assert rep.record.item_rows == [2, 5, 7]
    assert [f for f in findings if f.severity == "error"] == []
    no_seq = [r[1:] for r in rows]
    no_seq[7][0] = "防火费用"  # an unnumbered project after parts that already add up: a project again
    s = sheet(no_seq)
    h = T.find_header(s, V.SUMMARY, ("name", "budget", "execution"))
    got = T.classify_rows(s, h, name_col=0, seq_col=None, amount_cols=[1, 2])
    assert got.parts == [3, 4, 6] and got.items == [2, 5, 7]


def test_a_numbered_single_column_score_table_is_not_a_management_table():
    from xltool.kinds import classify

    rows = [["指标", "分值", "得分", "评分说明"],
            ["一、投入指标", 20, 20, ""], ["（一）预算编制", 20, 20, ""], ["1.完整性", 20, 20, ""],
            ["二、产出指标", 80, 78, ""], ["1.数量指标", 40, 38, ""], ["2.质量指标", 40, 41, ""],
            ["合计", 100, 99, ""]]
    s = sheet(rows)
    assert classify(s).NAME == classify(s, prescreen=False).NAME == "score-table"
    _, findings = check_sheet(s, PROFILE)
    errors = sorted((f.cell, f.rule) for f in findings if f.severity == "error")
    assert errors == [("C5", "ST003"), ("C7", "ST001")]  # 二、's 78 ≠ 38 + 41; 41 over its 分值 40


def test_prescreens_are_the_kinds_own_header_words_and_rows():
    """kinds/__init__ rules a kind out before importing it (vocabulary.PRESCREENS); its words and rows are the
    ones the kinds' headers need, so a pre-screen stays a necessary condition of the kind's detect."""
    from xltool.kinds import formparts, management, score_table

    assert formparts.HEADER_SCAN_ROWS == V.FORM_HEADER_ROWS
    assert management.SCAN_ROWS == V.MANAGEMENT_HEADER_ROWS
    assert score_table.SCAN_ROWS + 2 <= V.FORM_HEADER_ROWS  # a header band of up to three rows
    roles = {(kind, r.name): r.words for kind, roles in (("form", V.FORM_INDICATORS), ("score", V.SCORE_TABLE),
                                                          ("management", V.MANAGEMENT)) for r in roles}
    assert roles[("form", "level1")] == roles[("score", "level0")] == V.LEVEL1_WORDS
    assert roles[("management", "full")] == V.MANAGEMENT_FULL_WORDS
    for kind in ("weighted-form", "project-form", "department-form", "score-table"):
        assert V.PRESCREENS[kind].words == V.LEVEL1_WORDS
    assert V.PRESCREENS["score-table"].starts == V.SCORE_NAME_LABELS
    assert V.PRESCREENS["management-table"].words == V.MANAGEMENT_FULL_WORDS
    assert V.PRESCREENS["management-table"].rows >= V.MANAGEMENT_HEADER_ROWS + 2


@pytest.mark.parametrize("full_label", ["满分", "考核分值", "本项满分"])
def test_management_table_with_any_full_label_passes_its_prescreen(full_label):
    """The 满分 column's label only has to contain one of its words (考核分值): the pre-screen must not
    rule out what the kind's detect accepts (it once wanted the label to start with the word)."""
    from xltool.kinds import classify

    rows = [["某镇2023年度绩效管理自评表"], ["序号", "评价内容", full_label, "得分"],
            [1, "重大政策落实", 12, 11], [2, "预算编制管理", 12, 12], [3, "预算执行管理", 24, 23],
            [4, "预算绩效管理", 22, 21.5], [5, "资产管理", 5, 4.5], ["", "合计", 75, 72]]
    s = sheet(rows)
    assert classify(s, prescreen=False).NAME == "management-table"
    assert classify(s).NAME == "management-table"


# ---------------------------------------------------------------- lookups


def test_value_near_right_or_below():
    s = sheet([["预算数", "到位数", "执行数"], [100, 90, 80], ["执行率", "", 0.8]])
    assert T.value_near(s, 0, 0, numeric=True) == (1, 0)
    assert T.value_near(s, 2, 0, numeric=True) == (2, 2)
    assert T.value_near(s, 2, 0, numeric=True, right_cells=1) is None  # the slot beside 执行率 is empty


def test_value_near_below_a_label_merged_down():
    s = sheet([["预算数", "到位数"], ["", ""], [100, 90]], merged=[(0, 0, 1, 0), (0, 1, 1, 1)])
    assert T.value_near(s, 0, 0, numeric=True) == (2, 0)


# ---------------------------------------------------------------- classification


def test_target_declaration_form_is_named(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["项目支出绩效目标申报表"], ["项目名称", "某项目"], ["年度绩效目标", "完成某事"],
                ["一级指标", "二级指标", "三级指标", "指标值"], ["产出指标", "数量指标", "培训人次", "≥100人次"]):
        ws.append(row)
    wb.save(tmp_path / "t.xlsx")
    report = check_file(tmp_path / "t.xlsx", PROFILE, write=False)
    # read, but not a self-evaluation table: 未识别, not 无法读取 (the file is not damaged)
    assert report.status == "unrecognised" and "绩效目标申报表" in report.error


@pytest.mark.skipif(not REALWORLD.is_dir(), reason="needs ../shared/realworld")
@pytest.mark.parametrize("name", ["ledger_template_blank.xls", "execution_progress_template_blank.xls"])
def test_realworld_probes_are_not_passed(name):
    report = check_file(REALWORLD / name, PROFILE, write=False)
    assert report.status != "ok"
    assert not any(s.kind == "summary" for s in report.sheets)


def test_summary_header_is_found_once_per_sheet(monkeypatch):
    """detect and read share one header search per sheet (it was about 15% of a small file's check); a sheet
    whose rows are replaced is searched again."""
    from xltool.kinds import summary

    calls = []
    real = T.find_header
    monkeypatch.setattr(T, "find_header", lambda *a, **k: calls.append(1) or real(*a, **k))
    s = sheet([HEAD, [1, "甲", 10, 9, 0.9, 1], [2, "乙", 20, 18, 0.9, 2]])
    assert summary.detect(s)
    assert summary.read(s).item_rows == [1, 2]
    assert len(calls) == 1
    s.rows = [["说明"], *s.rows]
    assert summary.read(s).item_rows == [2, 3]
    assert len(calls) == 2


def test_score_table_header_repeated_at_a_page_top_is_no_indicator():
    head = ["一级指标", "二级指标", "三级指标", "分值", "得分", "扣分"]
    rows = [head,
            ["投入", "预算编制", "预算编制科学性", 10, 9, 1], ["投入", "预算编制", "绩效目标合理性", 10, 10, 0],
            ["过程", "预算执行", "支出进度", 30, 28, 2],
            head,  # a printed page's top
            ["过程", "预算执行", "资金使用合规性", 10, 10, 0], ["过程小计", "", "", 40, 38, 2],
            ["产出", "产出数量", "任务完成率", 40, 36, 4], ["合计", "", "", 100, 93, 7]]
    rep, findings = check_sheet(sheet(rows), PROFILE)
    assert rep.kind == "score-table"
    assert [i.row for i in rep.record.items] == [1, 2, 3, 5, 7]
    assert [f for f in findings if f.severity == "error"] == []
