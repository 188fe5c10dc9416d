"""小计 rows checked against what they sum, in any layout, and IN001 runs across them.

- The forms' 小计 per 一级指标 (``layouts.with_indicator_rows``: the word in the 三级, 二级 or 一级 cell, inside a
  merged 一级 or below it, with spacers, a repeated header, the total first) on every layout of
  ``test_form_layouts``: one wrong 小计 is one error at its cell (PF020 / WF019); a 总分 added up from that 小计 is
  a warning naming it; an indicator over its 分值 whose 小计 and 总分 are right once it is corrected is one error
  at the indicator, the 小计 and 总分 warnings.
- The management table grouped by 小计 rows without a parent category (seed 001's categories): clean → no error;
  one wrong 小计 满分 / 得分 → one error at its cell (MT008).
- IN001: the same text numbers give the same runs (same cells, same counts) with or without 小计, spacer and
  repeated-header rows between them; in the summary table, a column typed all as text is one finding whatever
  group titles, 小计 and blank rows it holds. On the real national exports too (skipped without ../shared).
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layouts import (MANAGEMENT_CATEGORIES, IndicatorRows, Layout, indicator_rows, management_layouts, render,
                     render_management, summary_spec, with_indicator_rows)
from test_form_layouts import HEBEI, NATIONAL, layouts, render_project, render_weighted
from xltool.cells import a1, parse_a1
from xltool.engine import check_sheet
from xltool.io.book import Sheet, load_book

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
SUBTOTALS = indicator_rows().map(lambda f: replace(f, subtotals=True))


def _errors(findings):
    return sorted((f.rule, f.cell) for f in findings if f.severity == "error")


def _warnings(findings):
    return {(f.rule, f.cell) for f in findings if f.severity == "warning"}


def _shown(findings):
    return [(f.severity, f.rule, f.cell, f.message) for f in findings if f.severity != "info"]


def _own_text(sheet: Sheet, r: int, c: int) -> str:
    v = sheet.raw(r, c)
    return re.sub(r"\s", "", v) if isinstance(v, str) and sheet.anchor(r, c) == (r, c) else ""


def _subtotal_rows(sheet: Sheet) -> list[int]:
    return [r for r in range(sheet.nrows) if any("小计" in _own_text(sheet, r, c) for c in range(sheet.ncols))]


def _indicator_col(sheet: Sheet, word: str) -> int:
    """The column of ``word`` in the indicator header (the row of 一级指标, or the row below it)."""
    top = next(r for r in range(sheet.nrows) if any(_own_text(sheet, r, c) == "一级指标" for c in range(sheet.ncols)))
    for r in (top, top + 1):
        for c in range(sheet.ncols):
            if _own_text(sheet, r, c) == word:
                return c
    raise AssertionError(word)


def _row_of(sheet: Sheet, text: str) -> int:
    return next(r for r in range(sheet.nrows) if any(_own_text(sheet, r, c) == text for c in range(sheet.ncols)))


def _value(v) -> float:
    if isinstance(v, str):
        v = v.strip().translate(str.maketrans("０１２３４５６７８９．", "0123456789."))
    return float(v)


def _set(sheet: Sheet, cells: dict[tuple[int, int], object]) -> Sheet:
    rows = [list(r) for r in sheet.rows]
    for (r, c), v in cells.items():
        rows[r][c] = v
    return Sheet(sheet.name, sheet.index, rows, list(sheet.merged))


# ---------------------------------------------------------------- the forms' 小计 per 一级指标

@SETTINGS
@given(layouts, SUBTOTALS, st.integers(0, 2), st.sampled_from(["分值", "得分"]))
def test_project_form_one_wrong_subtotal_is_one_error_at_its_cell(lay, feats, k, word):
    sheet, _ = with_indicator_rows(*render_project(lay), feats)
    subs = _subtotal_rows(sheet)
    assert len(subs) == 3  # 产出, 效益, 满意度
    r, c = subs[k], _indicator_col(sheet, word)
    sheet = _set(sheet, {(r, c): _value(sheet.raw(r, c)) + 1})
    rep, findings = check_sheet(sheet, NATIONAL)
    assert _errors(findings) == [("PF020", a1(r, c))], _shown(findings)
    assert rep.results["total_score"] == 99.6


@SETTINGS
@given(layouts, SUBTOTALS, st.integers(0, 2))
def test_project_form_total_added_from_a_wrong_subtotal_is_a_warning(lay, feats, k):
    sheet, refs = with_indicator_rows(*render_project(lay), feats)
    r, c = _subtotal_rows(sheet)[k], _indicator_col(sheet, "得分")
    tr, tc = parse_a1(refs["total"])
    sheet = _set(sheet, {(r, c): _value(sheet.raw(r, c)) + 1, (tr, tc): 100.6})
    findings = check_sheet(sheet, NATIONAL)[1]
    assert _errors(findings) == [("PF020", a1(r, c))], _shown(findings)
    (total,) = [f for f in findings if f.rule == "PF012"]
    assert total.severity == "warning" and total.cell == refs["total"] and a1(r, c) in total.message
    assert "改正后总分应为 99.6" in total.message


@SETTINGS
@given(layouts, SUBTOTALS)
def test_project_form_indicator_over_its_points_is_the_one_error(lay, feats):
    """受益学生人次 (15 of 15) typed 17: PF005 at it; its 小计 and the 总分, worked out with 15, are right once it is
    corrected: warnings."""
    sheet, refs = with_indicator_rows(*render_project(lay), feats)
    r, c = _row_of(sheet, "受益学生人次"), _indicator_col(sheet, "得分")
    sub = next(s for s in _subtotal_rows(sheet) if s > r)
    sheet = _set(sheet, {(r, c): 17.0})
    findings = check_sheet(sheet, NATIONAL)[1]
    assert _errors(findings) == [("PF005", a1(r, c))], _shown(findings)
    assert {("PF020", a1(sub, c)), ("PF012", refs["total"])} <= _warnings(findings)


@SETTINGS
@given(layouts, SUBTOTALS, st.integers(0, 3), st.sampled_from(["权重占比(%)", "单项指标折算得分"]))
def test_weighted_form_one_wrong_subtotal_is_one_error_at_its_cell(lay, feats, k, word):
    sheet, _ = with_indicator_rows(*render_weighted(lay), feats)
    subs = _subtotal_rows(sheet)
    assert len(subs) == 4  # 产出, 效益, 满意度, 预算执行率
    r, c = subs[k], _indicator_col(sheet, word)
    sheet = _set(sheet, {(r, c): _value(sheet.raw(r, c)) + 2})
    for profile in (NATIONAL, HEBEI):
        rep, findings = check_sheet(sheet, profile)
        assert _errors(findings) == [("WF019", a1(r, c))], _shown(findings)
        assert rep.results["total_score"] == 93.0


@SETTINGS
@given(layouts, SUBTOTALS)
def test_weighted_form_total_added_from_a_wrong_subtotal_is_a_warning(lay, feats):
    sheet, refs = with_indicator_rows(*render_weighted(lay), feats)
    r, c = _subtotal_rows(sheet)[0], _indicator_col(sheet, "单项指标折算得分")
    tr, tc = parse_a1(refs["total"])
    sheet = _set(sheet, {(r, c): _value(sheet.raw(r, c)) + 1, (tr, tc): 94.0})
    findings = check_sheet(sheet, HEBEI)[1]
    assert _errors(findings) == [("WF019", a1(r, c))], _shown(findings)
    assert ("WF009", refs["total"]) in _warnings(findings)


# ---------------------------------------------------------------- the management table grouped by 小计 rows

GROUPS = ((0, 2), (3, 6))  # 小计 under 重大政策落实 … 预算执行管理, and under 预算绩效管理 … 预算信息化


def _with_subtotal_rows(sheet: Sheet, refs: dict[str, str], wrong: tuple[int, str, float] | None = None):
    """Seed 001's table with a 小计 row under each of ``GROUPS`` (no parent category above them); ``wrong`` =
    (group, "full" | "score", delta). Returns (sheet, refs, {(group, what): A1 of the 小计 cell})."""
    full_c, score_c = parse_a1(refs["total_full"])[1], parse_a1(refs["total"])[1]
    names = [n for n, _, _ in MANAGEMENT_CATEGORIES]
    cat_rows = [next(r for r in range(sheet.nrows) if any(_own_text(sheet, r, c).endswith(n) for c in range(sheet.ncols)))
                for n in names]
    label_c = min(c for c in range(sheet.ncols) if _own_text(sheet, cat_rows[0], c).endswith(names[0]))
    new_rows: list[list] = []
    shift: dict[int, int] = {}
    cells: dict[tuple[int, str], str] = {}
    for r, row in enumerate(sheet.rows):
        shift[r] = len(new_rows)
        new_rows.append(list(row))
        for g, (i, j) in enumerate(GROUPS):
            if r == cat_rows[j]:
                sub = [""] * len(row)
                sub[label_c] = "小计"
                full = sum(f for _, f, _ in MANAGEMENT_CATEGORIES[i:j + 1])
                score = sum(s for _, _, s in MANAGEMENT_CATEGORIES[i:j + 1])
                if wrong is not None and wrong[0] == g:
                    full, score = (full + wrong[2], score) if wrong[1] == "full" else (full, score + wrong[2])
                sub[full_c], sub[score_c] = full, score
                cells[(g, "full")] = a1(len(new_rows), full_c)
                cells[(g, "score")] = a1(len(new_rows), score_c)
                new_rows.append(sub)
    merged = [(shift[r0], c0, shift[r1], c1) for r0, c0, r1, c1 in sheet.merged]
    moved = {k: a1(shift[parse_a1(v)[0]], parse_a1(v)[1]) for k, v in refs.items()}
    return Sheet(sheet.name, sheet.index, new_rows, merged), moved, cells


MT_LAYOUTS = management_layouts().map(lambda lay: replace(lay, parts="none"))


@SETTINGS
@given(MT_LAYOUTS)
def test_management_subtotals_without_a_parent_clean(lay):
    sheet, _, _ = _with_subtotal_rows(*render_management(lay))
    rep, findings = check_sheet(sheet, NATIONAL)
    assert rep.kind == "management-table"
    assert len(rep.record.subtotals) == 2
    assert _errors(findings) == [], _shown(findings)
    assert (rep.results["total_score"], rep.results["full_score"], rep.results["converted_score"]) == (89, 92, 96.74)


@SETTINGS
@given(MT_LAYOUTS, st.integers(0, 1), st.sampled_from(["full", "score"]), st.sampled_from([-2.0, 1.0, 0.5]))
def test_management_one_wrong_subtotal_is_one_error_at_its_cell(lay, group, what, delta):
    sheet, _, cells = _with_subtotal_rows(*render_management(lay), wrong=(group, what, delta))
    rep, findings = check_sheet(sheet, NATIONAL)
    assert _errors(findings) == [("MT008", cells[(group, what)])], _shown(findings)
    assert rep.results["total_score"] == 89


# ---------------------------------------------------------------- IN001 runs across 小计, spacer and header rows

def _text_runs(findings) -> list[tuple[str, str]]:
    return sorted((f.cell, re.sub(r"[A-Z]+\d+:[A-Z]+\d+ ", "", f.message)) for f in findings if f.rule == "IN001")


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(layouts.filter(lambda lay: lay.text_share > 0), indicator_rows(), st.sampled_from(["project", "weighted"]))
def test_text_number_runs_are_the_same_across_subtotal_and_spacer_rows(lay, feats, which):
    """The same cells typed as text give the same IN001 findings (anchors moved with their rows, counts and wording
    alike) whether or not the table has 小计, spacer and repeated-header rows between them."""
    feats = replace(feats, total_first=False)  # a total moved above the items changes which cells adjoin
    sheet, _ = (render_project if which == "project" else render_weighted)(lay)
    before = check_sheet(sheet, NATIONAL)[1]
    cells = {f.cell: f.cell for f in before if f.rule == "IN001"}
    moved_sheet, moved = with_indicator_rows(sheet, cells, feats)
    after = check_sheet(moved_sheet, NATIONAL)[1]
    assert _text_runs(after) == sorted((moved[c], m) for c, m in _text_runs(before)), (feats, _shown(after))


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(st.integers(0, 10_000), st.sampled_from([2, 3]), st.booleans(), st.integers(0, 3), st.sampled_from(["name", "seq"]))
def test_summary_column_typed_as_text_is_one_finding_across_groups_and_subtotals(seed, groups, subtotals, spacers, style):
    lay = Layout(order_seed=seed, groups=groups, subtotals=subtotals, spacers=spacers, group_style=style,
                 text_numbers=1.0, totals="last")
    sheet, placed = render(summary_spec(), lay)
    findings = check_sheet(sheet, NATIONAL)[1]
    text = [f for f in findings if f.rule == "IN001"]
    cols = [parse_a1(f.cell)[1] for f in text]
    assert len(cols) == len(set(cols)), [(f.cell, f.message) for f in text]
    assert all(f"共 " in f.message for f in text)


REAL = Path(__file__).resolve().parents[1].parent / "shared" / "realworld"


@pytest.mark.parametrize("name", ["national_export_filled.xls", "national_export_numbered.xls"])
def test_real_export_text_runs_are_the_same_with_subtotal_rows(name):
    """The national system's 项目支出绩效自评表 (real exports) with a 小计 per 一级指标, spacers and a repeated header:
    the same IN001 findings at the moved cells, and the 小计 (the sums of the stated figures) no finding."""
    path = REAL / name
    if not path.is_file():
        pytest.skip(f"../shared/realworld/{name} is not available")
    sheet = next(s for s in load_book(path, "xls").sheets if s.name == "项目支出绩效自评表")
    before = check_sheet(sheet, NATIONAL)[1]
    cells = {f.cell: f.cell for f in before if f.cell}
    for feats in (IndicatorRows(subtotals=True), IndicatorRows(subtotals=True, spacers=True, repeat_header=True),
                  IndicatorRows(subtotals=True, subtotal_in="level1", spacers=True)):
        moved_sheet, moved = with_indicator_rows(sheet, cells, feats)
        after = check_sheet(moved_sheet, NATIONAL)[1]
        assert _text_runs(after) == sorted((moved[c], m) for c, m in _text_runs(before)), feats
        assert {(f.rule, f.severity, f.cell) for f in after} == {(f.rule, f.severity, moved[f.cell] if f.cell else None)
                                                                 for f in before}, feats


# ---------------------------------------------------------------- --fix: a 小计 is a sum, the corrected copy fixes it

def test_fix_corrects_a_wrong_subtotal_and_the_total_added_from_it(tmp_path):
    """产出指标小计 得分 one too high and the 总分 added up from the 小计: the corrected copy has the 小计 as the sum of
    its indicators, the 总分 as the sum of the indicators and the execution score, and nothing left to find."""
    from layouts import write_xlsx
    from xltool.engine import check_file
    from test_form_layouts import FormLayout

    lay = FormLayout(dx=1, dy=0, title_rows=1, goals=1, order_seed=7, name_span=1, levels="merged", text_share=0.0,
                     fullwidth=False, rate_style="fraction", extra_column=False, notes=False, fund_above=False,
                     two_row_header=False)
    sheet, refs = with_indicator_rows(*render_project(lay), IndicatorRows(subtotals=True))
    r, c = _subtotal_rows(sheet)[0], _indicator_col(sheet, "得分")
    tr, tc = parse_a1(refs["total"])
    stated = _value(sheet.raw(r, c))
    sheet = _set(sheet, {(r, c): stated + 1, (tr, tc): 100.6})
    path = write_xlsx(sheet, tmp_path / "form.xlsx")
    before = check_file(path, NATIONAL, fix=True)
    assert _errors(before.findings) == [("PF020", a1(r, c))]
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(before.corrected).get_sheet_by_name(sheet.name).to_python(skip_empty_area=False)
    assert (rows[r][c], rows[tr][tc]) == (stated, 99.6)
    after = check_file(Path(before.corrected), NATIONAL, write=False)
    assert [f for f in after.findings if f.rule in ("PF020", "PF012")] == []


@SETTINGS
@given(MT_LAYOUTS, st.integers(0, 1))
def test_management_total_added_from_a_wrong_subtotal_is_a_warning(lay, group):
    """A 小计 得分 one too high and the 合计得分 (and the 换算得分 from it) added up from the 小计: one error, at the
    小计; the 合计 and 换算得分 warnings that say what they become."""
    sheet, refs, cells = _with_subtotal_rows(*render_management(lay), wrong=(group, "score", 1.0))
    tr, tc = parse_a1(refs["total"])
    sheet = _set(sheet, {(tr, tc): 90.0})
    if lay.converted != "line":
        cr, cc = parse_a1(refs["converted"])
        sheet = _set(sheet, {(cr, cc): 97.83})
    findings = check_sheet(sheet, NATIONAL)[1]
    assert _errors(findings) == [("MT008", cells[(group, "score")])], _shown(findings)
    (total,) = [f for f in findings if f.rule == "MT003"]
    assert total.severity == "warning" and cells[(group, "score")] in total.message and "应为 89" in total.message
    if lay.converted != "line":
        (conv,) = [f for f in findings if f.rule == "MT004"]
        assert conv.severity == "warning" and "96.74" in conv.message


@SETTINGS
@given(layouts, SUBTOTALS, st.integers(0, 2))
def test_project_form_total_points_added_from_a_wrong_subtotal_is_a_warning(lay, feats, k):
    sheet, refs = with_indicator_rows(*render_project(lay), feats)
    r, c = _subtotal_rows(sheet)[k], _indicator_col(sheet, "分值")
    tr = parse_a1(refs["total"])[0]
    sheet = _set(sheet, {(r, c): _value(sheet.raw(r, c)) + 1, (tr, c): 101.0})
    findings = check_sheet(sheet, NATIONAL)[1]
    assert _errors(findings) == [("PF020", a1(r, c))], _shown(findings)
    (total,) = [f for f in findings if f.rule == "PF011"]
    assert total.severity == "warning" and total.cell == a1(tr, c) and "应为 100" in total.message
