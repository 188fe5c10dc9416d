"""Layout invariance for the 绩效管理自评表 (seed 001's categories, made clean: 合计 92 / 89, 换算得分 96.74, 优).

``layouts.render_management`` draws the table under random real layouts: position on the sheet, title and
unit rows, a one- or two-row header (满分 / 得分 under a merged parent), column order and header words, 序号
as 1 / 一 / 一、 before the name, numbered sub-items under a category (its row stating their sums or
left blank), 合计 first or last, 换算得分 as a row, a column or a line, a 评价等级 line, numbers typed as
text (also full-width), the deduction category's 0 as text, spacer and note rows, an extra column.

Properties: a clean table gives no error in any layout; one wrong derived cell (合计满分, 合计得分,
换算得分, 评价等级) gives exactly that cell; the results are the same in every layout.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layouts import management_layouts, render_management
from xltool import profiles
from xltool.engine import check_sheet

NATIONAL = profiles.load("national")
SETTINGS = settings(max_examples=250, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
RESULTS = {"total_score": 89, "full_score": 92, "converted_score": 96.74, "grade": "优"}


def _errors(findings):
    return sorted((f.rule, f.cell) for f in findings if f.severity == "error")


@SETTINGS
@given(management_layouts())
def test_clean_management_table_in_every_layout(lay):
    sheet, _ = render_management(lay)
    rep, findings = check_sheet(sheet, NATIONAL)
    assert rep.kind == "management-table", lay
    assert _errors(findings) == [], [(f.rule, f.cell, f.message) for f in findings]
    assert {k: rep.results[k] for k in RESULTS} == RESULTS
    assert rep.results["stated_total"] == 89


WRONG = {"total_full": ("MT002", 90.0), "total": ("MT003", 91.0), "converted": ("MT004", 98.91), "grade": ("MT005", "良")}


@SETTINGS
@given(management_layouts(), st.sampled_from(sorted(WRONG)))
def test_one_wrong_derived_cell_is_found_at_its_cell(lay, what):
    rule, value = WRONG[what]
    if what == "grade" and not lay.grade:
        lay = type(lay)(**{**lay.__dict__, "grade": True})
    sheet, refs = render_management(lay, inject=(what, value))
    _, findings = check_sheet(sheet, NATIONAL)
    assert _errors(findings) == [(rule, refs[what])], ([(f.rule, f.cell, f.message) for f in findings], refs)


@settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(management_layouts())
def test_a_category_wrong_against_its_sub_items_is_one_error(lay):
    lay = type(lay)(**{**lay.__dict__, "parts": "stated" if lay.order_seed % 2 else "subtotal",
                       "seq": "chinese" if lay.order_seed % 3 else "name"})
    sheet, refs = render_management(lay, inject=("part_sum", 22.0))
    _, findings = check_sheet(sheet, NATIONAL)
    assert _errors(findings) == [("MT007", refs["part_sum"])], [(f.rule, f.cell, f.message) for f in findings]


@settings(max_examples=10, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(management_layouts())
def test_a_category_far_below_its_sub_items_is_one_error_whatever_the_grade(lay):
    """The category's 得分 typed far too low (5): recomputed from the stated categories the table would fall a grade,
    but the stated 合计, 换算得分 and 等级 are right once the category is corrected: warnings, one error."""
    lay = type(lay)(**{**lay.__dict__, "parts": "stated", "grade": True,
                       "seq": "chinese" if lay.order_seed % 3 else "name"})
    sheet, refs = render_management(lay, inject=("part_sum", 5.0))
    _, findings = check_sheet(sheet, NATIONAL)
    assert _errors(findings) == [("MT007", refs["part_sum"])], [(f.rule, f.cell, f.message) for f in findings]


@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(management_layouts(), st.sampled_from([None, *sorted(WRONG)]))
def test_written_management_tables_read_the_same_through_calamine(lay, what):
    """A few layouts as real workbooks (xlsxwriter → calamine): same findings as in memory."""
    import tempfile
    from pathlib import Path

    from layouts import write_xlsx
    from xltool.engine import check_file

    if what == "grade" and not lay.grade:
        what = None
    sheet, refs = render_management(lay, inject=None if what is None else (what, WRONG[what][1]))
    with tempfile.TemporaryDirectory() as d:
        report = check_file(write_xlsx(sheet, Path(d) / "t.xlsx"), NATIONAL, write=False)
    assert _errors(report.findings) == ([] if what is None else [(WRONG[what][0], refs[what])])
    assert report.sheets[0].results["converted_score"] == 96.74
