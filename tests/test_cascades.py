"""Cascades in forms (issue 9, point 8): one wrong cell gives one error, at its cell; a figure that is
right once the wrong cell is corrected is at most a warning naming that cell.

Every numeric cell of a clean points form, seed 004's weighted form and seed 001's management table
(own copies) is lowered in turn; no change may produce more than one error (a 换算得分 worked out from a
合计 that is wrong is a warning naming that 合计, as in seed 001). (Raised above its 分值, a
score and the total are both wrong in every reading — covered by the cases below.)
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.cell import MergedCell

from test_forms import write_form, run
from test_management import write as write_management
from test_weighted import write_weighted

BUILDERS = {"project-form": write_form, "weighted-form": write_weighted, "management-table": write_management}


def _errors(report):
    return sorted((f.rule, f.cell) for f in report.findings if f.severity == "error")


def _warnings(report):
    return sorted((f.rule, f.cell) for f in report.findings if f.severity == "warning")


def _changed(tmp_path: Path, kind: str, edits: dict[str, object]) -> Path:
    p = tmp_path / f"{kind}.xlsx"
    BUILDERS[kind](p)
    wb = openpyxl.load_workbook(p)
    ws = wb.active
    for ref, v in edits.items():
        ws[ref] = v
    q = tmp_path / f"{kind}-changed.xlsx"
    wb.save(q)
    return q


# A 分值 / 满分 lowered under a partial score (9.8 of 10 → 9; 21.5 of 22 → 21): either the 分值 is wrong, or the
# score and the 分值 total both are — nothing in the sheet tells which, so both errors stay.
AMBIGUOUS = {"project-form": {"H17"}, "management-table": {"C7", "C8"}}


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_one_changed_cell_is_at_most_one_error(tmp_path, kind):
    clean = tmp_path / "clean.xlsx"
    BUILDERS[kind](clean)
    assert _errors(run(clean)) == []
    wb = openpyxl.load_workbook(clean)
    cells = [(c.coordinate, c.value) for row in wb.active.iter_rows() for c in row
             if not isinstance(c, MergedCell) and isinstance(c.value, (int, float)) and not isinstance(c.value, bool)]
    assert len(cells) >= 25
    multi = []
    for ref, v in cells:
        r = run(_changed(tmp_path, kind, {ref: round(v - (1 if abs(v) >= 2 else 0.1), 4)}))
        errs = _errors(r)
        if ref in AMBIGUOUS.get(kind, ()):
            continue
        if len(errs) > 1:
            multi.append((ref, errs))
    assert multi == []


def test_score_above_points_is_not_a_second_error_in_the_total(tmp_path):
    """I14 16 of 15 points: PF005 at I14; the 总分 is right once I14 is 15, so only a warning naming I14."""
    r = run(_changed(tmp_path, "project-form", {"I14": 16}))
    assert _errors(r) == [("PF005", "I14")]
    w = next(f for f in r.findings if f.rule == "PF012")
    assert w.severity == "warning" and w.cell == "I22" and "I14" in w.message


def test_fund_total_wrong_rate_follows_the_parts(tmp_path):
    """全年预算数 F7 1339 against parts 1338: the rate 98.04% fits the parts, so it is only a warning."""
    r = run(_changed(tmp_path, "project-form", {"F7": 1339}))
    assert _errors(r) == [("PF003", "F7")]
    assert _warnings(r) == [("PF001", "I7")]


def test_execution_score_wrong_total_right(tmp_path):
    r = run(_changed(tmp_path, "project-form", {"K7": 10.8}))
    assert _errors(r) == [("PF002", "K7")] and _warnings(r) == [("PF012", "I22")]


def test_points_typed_low_under_full_marks(tmp_path):
    """分值 H14 14 under 得分 15, 分值 total 99: the 分值 is the root (PF011 at H14), PF005 only a warning."""
    r = run(_changed(tmp_path, "project-form", {"H14": 14}))
    assert _errors(r) == [("PF011", "H14")] and _warnings(r) == [("PF005", "I14")]
    assert next(f for f in r.findings if f.rule == "PF011").expected == 15


def test_management_full_typed_low_under_full_marks(tmp_path):
    r = run(_changed(tmp_path, "management-table", {"C5": 11}))
    assert _errors(r) == [("MT002", "C5")] and _warnings(r) == [("MT001", "D5"), ("MT004", "D13")]


def test_weighted_item_score_is_the_root(tmp_path):
    """单项得分 J13 89 while 折算得分 9 (= 90 × 10%) and 完成等级 优 agree on 90: the error is at J13."""
    r = run(_changed(tmp_path, "weighted-form", {"J13": 89}))
    assert _errors(r) == [("WF004", "J13")] and _warnings(r) == [("WF008", "I13")]


def test_total_wrong_by_itself_stays_an_error(tmp_path):
    r = run(_changed(tmp_path, "project-form", {"I22": 98}))
    assert _errors(r) == [("PF012", "I22")]


def test_management_category_above_full(tmp_path):
    """预算编制管理 D5 13 of 12 (12 written before): MT001 at D5; 合计 89 and 换算得分 96.74 are right once D5 is
    back at its 满分 12, so they are warnings naming D5."""
    r = run(_changed(tmp_path, "management-table", {"D5": 13}))
    assert _errors(r) == [("MT001", "D5")]
    assert _warnings(r) == [("MT003", "D12"), ("MT004", "D13")]


def test_seed_001_converted_from_a_wrong_total_follows_it(tmp_path):
    """Seed 001 as published: 合计 91 (the items add up to 89) and 换算得分 98.91 = 91 ÷ 92 × 100. One error, at the
    合计; the 换算得分 is worked out right from it, so it is a warning naming D12 (and the 96.74 it becomes)."""
    r = run(_changed(tmp_path, "management-table", {"D12": 91, "D13": 98.91}))
    assert _errors(r) == [("MT003", "D12")] and _warnings(r) == [("MT004", "D13")]
    w = next(f for f in r.findings if f.rule == "MT004")
    assert "D12" in w.message and w.expected == 96.74


def test_converted_wrong_even_from_the_wrong_total_stays_an_error(tmp_path):
    r = run(_changed(tmp_path, "management-table", {"D12": 91, "D13": 99.5}))
    assert _errors(r) == [("MT003", "D12"), ("MT004", "D13")]


def test_weighted_weight_root_found_at_its_cell(tmp_path):
    """权重 K13 21% with 折算得分 18 (= 90 × 20%): the weight is the root, the 折算得分 only a warning."""
    r = run(_changed(tmp_path, "weighted-form", {"K13": 21}))
    assert _errors(r) == [("WF005", "K13")]
    assert _warnings(r) == [("WF004", "L13")]
    assert next(f for f in r.findings if f.rule == "WF005").expected == 20


def test_weighted_fund_total_wrong_progress_follows_parts(tmp_path):
    r = run(_changed(tmp_path, "weighted-form", {"C4": 3740.68}))
    assert _errors(r) == [("WF003", "C4")]
    assert {w for w, _ in _warnings(r)} == {"WF001", "WF007"}


def test_weighted_item_total_follows_the_right_weighted_scores(tmp_path):
    r = run(_changed(tmp_path, "weighted-form", {"L13": 19}))
    assert _errors(r) == [("WF004", "L13")] and _warnings(r) == [("WF009", "L22")]


def test_execution_score_right_for_the_budget_the_parts_give(tmp_path):
    """全年预算数 F7 1458 against parts 1338: the 执行率 98.04% and the 执行率得分 9.8 are both right for the parts'
    1338, so the one error is PF003 at F7 and both follow it as warnings naming F7 (the third acceptance set's R05,
    a summary with its forms: 1046 typed for 1064)."""
    r = run(_changed(tmp_path, "project-form", {"F7": 1458}))
    assert _errors(r) == [("PF003", "F7")]
    assert _warnings(r) == [("PF001", "I7"), ("PF002", "K7")]
    w = next(f for f in r.findings if f.rule == "PF002")
    assert "F7" in w.message and "1338" in w.message
