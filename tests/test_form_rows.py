"""The forms' indicator tables with the row features real files have (``layouts.with_indicator_rows``): a 小计
row under each 一级指标 (the word in the 三级, 二级 or 一级 cell; 产出指标 小计 50), the header repeated after a
page break, the 总分 / 自评得分 row right under the header, blank spacer rows — on top of every layout of
``test_form_layouts`` (national project form, seed 004's weighted form). The indicator rows come from the
table model's row roles (``formparts.indicator_rows`` on ``table.classify_rows``).

Properties as in ``test_form_layouts``: clean → no error and the same results in every layout; one injected
error in a derived cell → exactly that cell. And on the real national exports (../shared/realworld, skipped
without it): the same row features added to their 项目支出绩效自评表 give the same findings at the moved cells.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layouts import IndicatorRows, indicator_rows, with_indicator_rows
from test_form_layouts import HEBEI, NATIONAL, _errors, layouts, render_project, render_weighted
from xltool.engine import check_sheet
from xltool.io.book import load_book

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@SETTINGS
@given(layouts, indicator_rows())
def test_project_form_rows_clean(lay, feats):
    sheet, _ = with_indicator_rows(*render_project(lay), feats)
    rep, findings = check_sheet(sheet, NATIONAL)
    assert rep.kind == "project-form"
    assert _errors(findings) == [], [(f.rule, f.cell, f.message) for f in findings if f.severity == "error"]
    res = rep.results
    assert (res["indicator_count"], res["total_score"], res["execution_rate"], res["points_total"]) == (8, 99.6, 0.9804, 100)


@SETTINGS
@given(layouts, indicator_rows(), st.sampled_from(["rate", "exec_score", "total"]))
def test_project_form_rows_one_error(lay, feats, where):
    sheet, refs = with_indicator_rows(*render_project(lay, inject=where), feats)
    errs = _errors(check_sheet(sheet, NATIONAL)[1])
    assert len(errs) == 1 and errs[0][1] == refs[where], (where, errs, refs)


@SETTINGS
@given(layouts, indicator_rows())
def test_weighted_form_rows_clean(lay, feats):
    sheet, _ = with_indicator_rows(*render_weighted(lay), feats)
    for profile in (NATIONAL, HEBEI):
        rep, findings = check_sheet(sheet, profile)
        assert rep.kind == "weighted-form"
        assert _errors(findings) == [], [(f.rule, f.cell, f.message) for f in findings if f.severity == "error"]
        res = rep.results
        assert (res["indicator_count"], res["total_score"], res["execution_rate"], res["weight_total"]) == (6, 93.0, 0.7524, 100)


@SETTINGS
@given(layouts, indicator_rows(), st.sampled_from(["progress", "weighted", "total"]))
def test_weighted_form_rows_one_error(lay, feats, where):
    sheet, refs = with_indicator_rows(*render_weighted(lay, inject=where), feats)
    findings = check_sheet(sheet, HEBEI)[1]
    errs = _errors(findings)
    if where == "weighted":  # as in test_form_layouts: the right 自评得分 follows from the wrong 折算得分 (a warning)
        assert errs == [("WF004", refs[where])]
        assert {(f.rule, f.cell) for f in findings if f.severity == "warning" and f.rule != "IN001"} <= {("WF009", refs["total"])}
    else:
        assert len(errs) == 1 and errs[0][1] == refs[where], (where, errs, refs)


# ---------------------------------------------------------------- the same row features on real exports

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "realworld"
FEATURES = [IndicatorRows(subtotals=True), IndicatorRows(total_first=True), IndicatorRows(repeat_header=True),
            IndicatorRows(subtotals=True, subtotal_in="level1", total_first=True, repeat_header=True, spacers=True,
                          total_word="合计")]


@pytest.mark.parametrize("name", ["national_export_filled.xls", "national_export_numbered.xls"])
def test_real_export_forms_give_the_same_findings_with_the_row_features(name):
    """The national system's 项目支出绩效自评表 (real exports, not drawn by us) with a 小计 per 一级指标, the total
    first, a repeated header: the same findings at the same cells (moved with their rows)."""
    path = REAL / name
    if not path.is_file():
        pytest.skip(f"../shared/realworld/{name} is not available")
    sheet = next(s for s in load_book(path, "xls").sheets if s.name == "项目支出绩效自评表")
    rep, findings = check_sheet(sheet, NATIONAL)
    assert rep.kind == "project-form"
    # IN001 (numbers typed as text) names a run of cells in a column: the run goes on across the added rows
    before = {(f.rule, f.severity, f.cell) for f in findings}
    cells = {f.cell: f.cell for f in findings if f.cell}
    for feats in FEATURES:
        moved_sheet, moved = with_indicator_rows(sheet, cells, feats)
        rep2, findings2 = check_sheet(moved_sheet, NATIONAL)
        assert rep2.results["indicator_count"] == rep.results["indicator_count"], feats
        after = {(f.rule, f.severity, f.cell) for f in findings2}
        assert after == {(r, s, moved[c] if c else c) for r, s, c in before}, feats
