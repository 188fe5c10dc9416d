"""Cascades: report a wrong cell once, at its cell.

A derived figure (a total, a rate, a weighted score) that is wrong only because a cell it depends on is
wrong — it comes out right once that cell is corrected to the value its own rule asks for — is not a
second error. It is reported at most as a warning that names the root cell, so that the officer corrects
the root and leaves the consequence alone (``consequence``). A figure worked out correctly from a wrong
cell — seed 001's 换算得分 98.91 = 合计 91 ÷ 92, where the 合计 should be 89 — is wrong only because that
cell is: it is a warning too, naming the root and the value it should become once the root is corrected
(``follow_on``). A figure that is wrong even given the cells it is worked out from remains an error.
"""

from __future__ import annotations

from typing import Callable, Iterable

from xltool.findings import WARNING, Issue
from xltool.precision import fmt


def fixes(issues: Iterable[Issue]) -> dict[tuple[int, int], float]:
    """The corrections the root rules ask for: (row, col) → expected value (numeric expectations only)."""
    out: dict[tuple[int, int], float] = {}
    for i in issues:
        if i.cell is not None and isinstance(i.expected, (int, float)) and not isinstance(i.expected, bool):
            out[(i.cell.row, i.cell.col)] = float(i.expected)
    return out


def value(num, fx: dict[tuple[int, int], float]) -> float | None:
    """A number as it will be once its root error is corrected."""
    if num is None:
        return None
    key = (num.cell.row, num.cell.col)
    return fx.get(key, num.value)


def roots(nums, fx: dict[tuple[int, int], float]) -> list:
    """The cells among ``nums`` that a root rule corrects."""
    return [n for n in nums if n is not None and (n.cell.row, n.cell.col) in fx]


def consequence(cell, what: str, stated: float | str, roots_: list, fx, found=None, decimals: int = 4) -> Issue:
    """A warning at ``cell``: ``what`` is right once the root cells are corrected."""
    named = "、".join(f"{r.cell.a1}（应为 {fmt(fx[(r.cell.row, r.cell.col)], 4)}）" for r in roots_)
    shown = stated if isinstance(stated, str) else fmt(stated, decimals)
    return Issue(cell, f"{what} {shown} 与表中其他数字不一致，是因为 {named} 有误；"
                       f"改正 {'、'.join(r.cell.a1 for r in roots_)} 后，{what} {shown} 即正确，无需改动。",
                 None, found if found is not None else stated, severity=WARNING)


def follow_on(cell, what: str, stated: float, expected: float, roots_: list, fx, how: str, decimals: int = 2) -> Issue:
    """A warning at ``cell``: ``what`` was worked out correctly (``how``) from root cells that are wrong, so
    it is wrong only because they are: it changes with them, and once they are corrected it should be
    ``expected``. The error is reported once, at the roots."""
    named = "、".join(f"{r.cell.a1}（表中为 {fmt(r.value, 4)}，应为 {fmt(fx[(r.cell.row, r.cell.col)], 4)}）"
                      for r in roots_)
    return Issue(cell, f"{what} {fmt(stated, 4)} 是按{how}算出的，计算本身无误；但 {named}有误，"
                       f"改正后{what}应为 {fmt(expected, decimals)}，请一并改正。",
                 round(expected, decimals), stated, severity=WARNING)


def memo_fixes(ctx, key: str, *sources: Callable[[], Iterable[Issue]]) -> dict[tuple[int, int], float]:
    """``fixes`` of the root rules' issues, computed once per record. Root rules may read each other's figures in a
    circle (a total's rule asks the 小计 rule, whose roots ask the total's): a rule asked again while its own
    corrections are being worked out sees none, instead of asking forever."""
    if key not in ctx._memo:
        ctx._memo[key] = {}
        ctx._memo[key] = fixes(i for src in sources for i in src())
    return ctx._memo[key]
