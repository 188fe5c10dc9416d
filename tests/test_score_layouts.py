"""Layout invariance for the score table (seed 003, made clean: 总分 94.75, 优): issue 9."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layouts import ScoreLayout, render_score, score_layouts, seed_003_indicators, write_xlsx
from xltool import profiles
from xltool.cells import a1
from xltool.engine import check_file, check_sheet

PROFILE = profiles.load("national")
N = len(seed_003_indicators())
FAST = settings(max_examples=210, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _errors(findings):
    return sorted({(f.rule, f.cell) for f in findings if f.severity == "error"})


@FAST
@given(score_layouts())
def test_clean_score_table_reads_the_same_in_every_layout(layout):
    sheet, placed, _ = render_score(layout)
    rep, findings = check_sheet(sheet, PROFILE)
    assert rep.kind == "score-table", layout
    assert _errors(findings) == [], ([(f.rule, f.cell, f.message) for f in findings if f.severity == "error"], layout)
    assert rep.results["total_score"] == 94.75 and rep.results["full_score"] == 100
    assert rep.results["stated_total"] == 94.75
    assert len(rep.record.items) == N, ([i.name.value for i in rep.record.items][:5], layout)
    if layout.grade_style != "none":
        assert rep.record.grade is not None and "优" in rep.record.grade.value


@FAST
@given(score_layouts(), st.integers(0, N - 1), st.booleans())
def test_one_injected_error_gives_exactly_that_cell(layout, k, on_total):
    if on_total:  # the seed's real error: 总分 95.75 for 94.75
        sheet, placed, _ = render_score(layout, inject=(-1, "total", 95.75))
        where, rule = placed[(-1, "total")], "ST006"
    else:  # an item scored above its 分值
        points = seed_003_indicators()[k][5]
        sheet, placed, _ = render_score(layout, inject=(k, "score", points + 1))
        where, rule = placed[(k, "score")], "ST001"
    rep, findings = check_sheet(sheet, PROFILE)
    assert _errors(findings) == [(rule, a1(*where))], ([(f.rule, f.cell, f.message) for f in findings
                                                       if f.severity == "error"], layout)


def test_written_score_tables_read_the_same_through_calamine(tmp_path):
    for seed in range(4):
        layout = ScoreLayout(order_seed=seed, names=("merged", "once", "repeat", "merged")[seed],
                             group_points=("columns", "headings", "none", "headings")[seed],
                             totals=("last", "first", "both", "last")[seed], text_numbers=(0.0, 0.5)[seed % 2],
                             grade_style=("row", "colon", "none", "row")[seed], notes=seed % 2 == 0)
        sheet, placed, _ = render_score(layout)
        report = check_file(write_xlsx(sheet, tmp_path / f"s{seed}.xlsx"), PROFILE, write=False)
        assert report.errors == 0, [(f.rule, f.cell, f.message) for f in report.findings]
        assert report.sheets[0].results["total_score"] == 94.75


def test_both_totals_are_checked():
    layout = ScoreLayout(order_seed=3, totals="both")
    sheet, placed, _ = render_score(layout)
    first = next(r for r, row in enumerate(sheet.rows) if any(str(v).replace(" ", "") in ("合计", "总计") for v in row))
    score_col = placed[(-1, "total")][1]
    sheet.rows[first][score_col] = 95.75  # the top 合计 wrong, the bottom one right
    rep, findings = check_sheet(sheet, PROFILE)
    assert _errors(findings) == [("ST006", a1(first, score_col))]
