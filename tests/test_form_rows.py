"""The forms' indicator tables with the row features real files have (``layouts.with_indicator_rows``): a 小计
row under each 一级指标 (the word in the 三级, 二级 or 一级 cell; 产出指标 小计 50), the header repeated after a
page break, the 总分 / 自评得分 row right under the header, blank spacer rows — on top of every layout of
``test_form_layouts`` (national project form, seed 004's weighted form). The indicator rows come from the
table model's row roles (``formparts.indicator_rows`` on ``table.classify_rows``).

Properties as in ``test_form_layouts``: clean → no error and the same results in every layout; one injected
error in a derived cell → exactly that cell.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layouts import indicator_rows, with_indicator_rows
from test_form_layouts import HEBEI, NATIONAL, _errors, layouts, render_project, render_weighted
from xltool.engine import check_sheet

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
