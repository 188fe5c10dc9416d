"""Project forms stacked one under another on one sheet (some systems export several projects this way;
tests/acceptance3 R03–R05): each form is read as if it stood alone (``table.rows_from``) and its positions put
back (``table.shift_rows``), so its findings land on its own cells and nowhere else.

Properties over the layouts of tests/test_form_layouts.py: three forms stacked with 0–3 blank rows between
them give no error when all are clean, and exactly the injected error, at its cell moved down by the rows above
it, when one of them holds one; a form read from below agrees field for field with the same form read alone."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from test_department_layouts import render_department
from test_form_layouts import NATIONAL, SETTINGS as LAYOUT_SETTINGS, _errors, layouts, render_project
from xltool.cells import Cell
from xltool.engine import check_sheet
from xltool.io.book import Sheet
from xltool.kinds import form
from xltool.kinds import table as T


SETTINGS = settings(LAYOUT_SETTINGS, max_examples=60)


def _stack(sheets: list[Sheet], gaps: list[int]) -> tuple[Sheet, list[int]]:
    """One sheet holding ``sheets`` one under another, ``gaps[i]`` blank rows after the i-th; the row each starts at."""
    rows, merged, tops = [], [], []
    width = max(s.ncols for s in sheets)
    for s, gap in zip(sheets, gaps):
        top = len(rows)
        tops.append(top)
        rows += [list(r) + [""] * (width - len(r)) for r in s.rows] + [[""] * width for _ in range(gap)]
        merged += [(r0 + top, c0, r1 + top, c1) for r0, c0, r1, c1 in s.merged]
    return Sheet("项目自评表", 0, rows, merged), tops


def _down(ref: str, rows: int) -> str:
    col = ref.rstrip("0123456789")
    return f"{col}{int(ref[len(col):]) + rows}"


RENDER = {"project-form": render_project, "department-form": render_department}
kinds = st.sampled_from(sorted(RENDER))


@SETTINGS
@given(layouts, kinds, st.lists(st.integers(0, 3), min_size=3, max_size=3))
def test_stacked_clean_forms_give_no_error(lay, kind, gaps):
    sheet, tops = _stack([RENDER[kind](lay)[0] for _ in range(3)], gaps)
    rep, findings = check_sheet(sheet, NATIONAL)
    assert rep.kind == kind and len(rep.more) == 2
    assert _errors(findings) == []


@SETTINGS
@given(layouts, kinds, st.sampled_from(["rate", "exec_score", "total"]), st.integers(0, 2),
       st.lists(st.integers(0, 3), min_size=3, max_size=3))
def test_stacked_forms_one_injected_error_at_its_cell(lay, kind, where, which, gaps):
    parts = [RENDER[kind](lay, inject=where if i == which else None) for i in range(3)]
    sheet, tops = _stack([p[0] for p in parts], gaps)
    _, findings = check_sheet(sheet, NATIONAL)
    errs = _errors(findings)
    assert len(errs) == 1 and errs[0][1] == _down(parts[which][1][where], tops[which]), (where, which, errs)


def _cells(v, out):
    if isinstance(v, Cell):
        out.append((v.row, v.col))
    elif dataclasses.is_dataclass(v) and not isinstance(v, type):
        for f in dataclasses.fields(v):
            _cells(getattr(v, f.name), out)
    elif isinstance(v, (tuple, list)):
        for x in v:
            _cells(x, out)
    elif isinstance(v, dict):
        for x in v.values():
            _cells(x, out)
    return out


@SETTINGS
@given(layouts, st.integers(1, 40))
def test_a_form_read_from_below_is_the_form_moved_down(lay, top):
    alone = render_project(lay)[0]
    sheet, _ = _stack([Sheet("项目自评表", 0, [[""] * alone.ncols for _ in range(top)], []), alone], [0, 0])
    moved = T.shift_rows(form.read(T.rows_from(sheet, top)), top)
    first = dataclasses.replace(form.read(alone), sheet="项目自评表")
    assert [(r - top, c) for r, c in _cells(moved, [])] == [(r, c) for r, c in _cells(first, [])]
    assert moved.header_rows == tuple(r + top for r in first.header_rows)
    assert [i.row - top for i in moved.indicators] == [i.row for i in first.indicators]
    assert (moved.total.row - top, moved.fund.header_row - top) == (first.total.row, first.fund.header_row)


def test_a_form_below_starts_at_its_title_not_at_the_lines_closing_the_form_above(tmp_path):
    """Two of acceptance3's department forms (fund block 其中：财政拨款, so only the title says 部门整体) one under
    the other: the lines after the first one's 总分 (评价等级, 填报人) do not hide the second one's title, and the
    second one's wrong 小计 is found at its own cell when a rule checks 小计 rows."""
    from test_acceptance3 import acceptance3 as A
    from xltool.io.book import load_book

    parts = []
    for k, over in enumerate((None, {"效益指标": 29.5})):
        s = A.Sheet("部门整体自评表")
        A.department_form(s, subtotal_override=over)
        A.write_xlsx(tmp_path / f"d{k}.xlsx", [s])
        parts.append(load_book(tmp_path / f"d{k}.xlsx", "xlsx").sheets[0])
    sheet, tops = _stack(parts, [1, 0])
    rep, findings = check_sheet(sheet, NATIONAL)
    assert rep.kind == "department-form" and len(rep.more) == 1
    (more,) = rep.more
    assert more.title == "部门整体支出绩效自评表" and more.fund.header_row == tops[1] + 3
    assert {c for _, c in _errors(findings)} <= {f"H{tops[1] + 20}"}  # the 小计 (when PF020 exists), nothing else
