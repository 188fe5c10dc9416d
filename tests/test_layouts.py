"""Layout invariance (issue 9): the same table under random real-world layouts reads the same.

Seed 000's 51 projects (from samples/, made clean) are drawn by ``tests/layouts.py`` under random
layouts. Properties: a clean table gives no error in any layout; one injected error gives exactly
that cell; results (project count, totals in 万元, rate, mean score) are the same in every layout.
Most layouts are checked in memory; a few are written to .xlsx and read back through calamine.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layouts import Layout, layouts, render, summary_spec, write_xlsx
from xltool import profiles
from xltool.cells import a1
from xltool.engine import check_file, check_sheet

PROFILE = profiles.load("national")
SPEC = summary_spec()
N = len(SPEC.items)
BASE = None


def _check(sheet):
    rep, findings = check_sheet(sheet, PROFILE)
    return rep, findings


def _errors(findings):
    return sorted({f.cell for f in findings if f.severity == "error"})


def _norm(results, scale):
    return (results["project_count"], round(results["budget_total"] / scale, 2), round(results["execution_total"] / scale, 2),
            results["execution_rate"], results["overall_score"])


def _expected():
    sheet, placed = render(SPEC, Layout(order_seed=0, totals="none", title_rows=1))
    rep, findings = _check(sheet)
    assert rep.kind == "summary" and _errors(findings) == []
    return _norm(rep.results, 1.0)


EXPECTED = _expected()
FAST = settings(max_examples=220, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def test_reference_results_are_seed_000s():
    assert EXPECTED[0] == 51
    assert EXPECTED[1:3] == (21482.86, 19754.32)
    assert EXPECTED[3] == pytest.approx(0.9195, abs=1e-4)


@FAST
@given(layouts())
def test_clean_table_reads_the_same_in_every_layout(layout):
    sheet, placed = render(SPEC, layout)
    rep, findings = _check(sheet)
    assert rep.kind == "summary", layout
    assert _errors(findings) == [], ([(f.rule, f.cell, f.message) for f in findings if f.severity == "error"], layout)
    got = _norm(rep.results, placed.scale)
    exp = EXPECTED
    assert got[0] == exp[0] and got[1:3] == pytest.approx(exp[1:3], abs=0.011), (got, layout)
    if "rate" not in layout.drop or True:
        assert got[3] == pytest.approx(exp[3], abs=1e-4)
    if "score" not in layout.drop:
        assert got[4] == exp[4]
    # where the table's own figures were taken from
    rec = rep.record
    assert rec.item_rows == sorted({placed.cells[(k, "name")][0] for k in range(N)})
    assert [t.row for t in rec.totals] == placed.totals


_INJECT = st.sampled_from([("balance", 7.0, "SUM002"), ("rate", 0.05, "SUM001"), ("budget", 30.0, None),
                           ("execution", -3.0, None), ("grade", "较差", "SUM006"), ("score", 120.0, "SUM005")])


@FAST
@given(layouts(), st.integers(0, N - 1), _INJECT)
def test_one_injected_error_gives_exactly_that_cell(layout, idx, injected):
    role, delta, rule = injected
    if role in layout.drop or (role == "grade" and "score" in layout.drop):
        role, delta, rule = "balance", 7.0, "SUM002"
    if role == "score":
        delta = 120.0 - SPEC.items[idx].values["score"]
    if role == "budget" and layout.adjust:  # 调整后 = 年初 + 调整: the root cell is the 调整后 budget, and the
        rule = "SUM015"  # row's rate, balance and overspend that follow from it are warnings naming it
    sheet, placed = render(SPEC, layout, inject=(idx, role, delta))
    rep, findings = _check(sheet)
    errs = _errors(findings)
    cell = a1(*placed.cells[(idx, role)])
    if role in ("budget", "execution") and rule is None:
        # a changed amount makes the row's own derived cells (rate, balance) disagree with it: the
        # amount cell itself cannot be told wrong, but every error must be on that one row
        row = placed.cells[(idx, role)][0]
        assert errs and all(int("".join(ch for ch in e if ch.isdigit())) == row + 1 for e in errs), (errs, layout)
        totals = [f for f in findings if f.severity == "error" and f.row in placed.totals]
        assert totals == [], totals
        return
    assert errs == [cell], ([(f.rule, f.cell, f.message) for f in findings if f.severity == "error"], cell, layout)
    assert {f.rule for f in findings if f.severity == "error"} == {rule}


FOLLOW_RULES = {"SUM001", "SUM002", "SUM003", "SUM004"}  # rate, balance, 交回, overspend
ADJUST = settings(max_examples=40, deadline=None, derandomize=True,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@ADJUST
@given(layouts(adjust=True), st.integers(0, N - 1), st.sampled_from([0.2, -0.2]),
       st.sampled_from(["budget", "budget", "budget_adjust", "budget_initial"]))
def test_adjusted_budget_columns_are_read_in_every_layout(layout, idx, share, root):
    """年初预算数 + 调整数 = 调整后预算数 in any column order, one- or two-row headers (the three under the amount
    block's parent, or under their own merged 预算数 as 年初 | 调整 | 调整后), 元 or 万元: the three columns are
    read as written. One wrong 调整后预算数 is one error at its cell (SUM015); the row's 执行率, 结余数 and
    overspend that follow from it are warnings naming it, never errors. A wrong 年初 or 调整数 (the row's rate and
    balance were worked from the 调整后预算数) is one error in that row, at the 调整后预算数 (nothing tells 年初
    from 调整), which says the 调整数 it would take; and nothing follows from it."""
    sheet, placed = render(SPEC, layout)
    rep, findings = _check(sheet)
    assert rep.kind == "summary" and _errors(findings) == [], layout
    cols = rep.record.columns
    assert {r: cols.get(r) for r in ("budget_initial", "budget_adjust", "budget")} == \
        {r: placed.columns[r] for r in ("budget_initial", "budget_adjust", "budget")}, layout
    delta = round(SPEC.items[idx].values[root] * share, 2) or share
    sheet, placed = render(SPEC, layout, inject=(idx, root, delta))
    rep, findings = _check(sheet)
    cell = a1(*placed.cells[(idx, "budget")])
    assert [(f.rule, f.cell) for f in findings if f.severity == "error"] == [("SUM015", cell)], layout
    row = placed.cells[(idx, "budget")][0]
    follow = [f for f in findings if f.severity == "warning" and f.rule in FOLLOW_RULES | {"SUM009"}]
    if root != "budget":
        assert follow == [], [(f.rule, f.cell, f.message) for f in follow]
        assert "调整数应为" in next(f for f in findings if f.rule == "SUM015").message
        return
    assert all(cell in f.message for f in follow), [(f.rule, f.cell, f.message) for f in follow]
    assert all(f.row == row for f in follow if f.rule != "SUM009")
    if "rate" not in layout.drop and SPEC.items[idx].values["execution"]:  # the stated rate: right against 年初 + 调整
        assert ("SUM001", a1(*placed.cells[(idx, "rate")])) in {(f.rule, f.cell) for f in follow}


@pytest.mark.parametrize("seed", range(6))
def test_written_workbooks_read_the_same_through_calamine(tmp_path, seed):
    import random

    rnd = random.Random(seed)
    layout = Layout(order_seed=seed, split_header=bool(seed % 2), totals=("first", "last", "both")[seed % 3],
                    groups=(0, 2, 3)[seed % 3], group_style=("name", "seq", "merged")[seed % 3], subtotals=seed % 2 == 0,
                    spacers=seed % 3, unit=("万元", "元")[seed % 2], text_numbers=(0.0, 0.3)[seed % 2],
                    thousands=True, fullwidth=seed == 3, rate_style=("fraction", "percent", "text")[seed % 3],
                    extra_columns=seed % 3, title_rows=1 + seed % 2, notes=True, second_table=seed % 2 == 1,
                    adjust=seed in (2, 5), adjust_parent=seed == 5, adjust_words=seed % 4)
    sheet, placed = render(SPEC, layout)
    path = write_xlsx(sheet, tmp_path / f"layout{seed}.xlsx")
    report = check_file(path, PROFILE, write=False)
    assert report.status != "failed", report.error
    assert report.errors == 0, [(f.rule, f.cell, f.message) for f in report.findings if f.severity == "error"]
    got = _norm(report.sheets[0].results, placed.scale)
    assert got[0] == 51 and got[1:3] == pytest.approx(EXPECTED[1:3], abs=0.011)
    idx = rnd.randrange(N)
    sheet, placed = render(SPEC, layout, inject=(idx, "balance", 7.0))
    path = write_xlsx(sheet, tmp_path / f"layout{seed}_err.xlsx")
    report = check_file(path, PROFILE, write=False)
    assert sorted({f.cell for f in report.findings if f.severity == "error"}) == [a1(*placed.cells[(idx, "balance")])]
