"""The 小计 rows of a form's indicator table (产出指标小计 / 效益指标小计 …), checked against the indicators they close.

Shared by the points form (PF020) and the weighted form (WF019); the rows and their members are read by
``kinds.formparts`` (``Indicators.subtotals``), the sums are ``figures.subtotal``. A 小计 that is right once a
wrong indicator is corrected (the correction its own rule asks for) is a consequence: a warning naming that
indicator, not a second error. A total worked out from the stated 小计 is checked by ``via_subtotals``.
"""

from __future__ import annotations

from typing import Callable, Iterator

from xltool import figures
from xltool.findings import Issue
from xltool.precision import fmt, pct, rate_ok, score_ok
from xltool.rules import cascade

#: What a 小计 sums, per column role: the figure's word.
WORDS = {"points": "分值", "score": "得分", "weight": "权重占比", "weighted": "折算得分"}


def _has(n) -> bool:
    return n is not None and n.value is not None


def subtotals(form) -> tuple:
    return getattr(form.indicators, "subtotals", ())


def _ok(stated, exp: float, weight: bool, ctx) -> bool:
    """At the precision the 小计 is written to (a weight as its percentage figure)."""
    tol = ctx.profile.tolerance
    return (rate_ok if weight else score_ok)(stated.value, stated.decimals, exp, tol)


def _shown(v: float, weight: bool) -> str:
    return pct(v, 4) if weight else fmt(v, 4)


def members(form, sub, attr: str, rows=None) -> list:
    """The filled-in figures (``attr``) of the indicators a 小计 closes (``rows``: another set of rows)."""
    by_row = {i.row: i for i in form.indicators}
    nums = [getattr(by_row[r], attr) for r in (sub.members if rows is None else rows) if r in by_row]
    return [n for n in nums if _has(n)]


def check(form, ctx, attrs: tuple[str, ...], fixes: Callable[[str], dict]) -> Iterator[Issue]:
    """Each 小计's ``attrs`` against the sum of its indicators'. ``fixes(attr)``: the corrections the root rules
    ask for in that column (row, col) → value."""
    for sub in subtotals(form):
        for attr in attrs:
            stated = getattr(sub, attr)
            if not _has(stated):
                continue  # a 小计 row may leave a column blank (a typed word is IN002's)
            given = members(form, sub, attr)
            if not given:
                continue
            word = WORDS[attr]
            weight = attr == "weight"
            exp = figures.subtotal(n.value for n in given)
            if _ok(stated, exp, weight, ctx):
                continue
            if any(_ok(stated, alt, weight, ctx) for alt in (  # a 一级 小计 over 二级 ones; a 小计 per 二级指标
                    figures.subtotal(n.value for n in members(form, sub, attr, rows)) for rows in sub.others)
                   if alt is not None):
                continue
            fx = fixes(attr)
            rts = cascade.roots(given, fx)
            if rts and _ok(stated, figures.subtotal(cascade.value(n, fx) for n in given), weight, ctx):
                yield cascade.consequence(stated.cell, f"{sub.title}的{word}", _shown(stated.value, weight), rts, fx,
                                          found=stated.value)
                continue
            terms = " + ".join(_shown(n.value, weight) for n in given)
            gap = stated.value - exp
            yield Issue(stated.cell, f"{sub.title}的{word}应为 {_shown(exp, weight)}（{len(given)} 项指标的{word}之和："
                                     f"{terms}），表中为 {_shown(stated.value, weight)}，"
                                     f"{'多' if gap > 0 else '少'} {_shown(abs(gap), weight)}。",
                        round(exp * 100, 4) if weight else round(exp, 4),
                        round(stated.value * 100, 4) if weight else stated.value, exact=exp * 100 if weight else exp)


def via_subtotals(form, attr: str, rest: list) -> tuple[float, list] | None:
    """(the total worked out from the stated 小计 of ``attr`` and the items no 小计 covers, plus ``rest`` —
    other figures the total adds, such as the execution score —, the 小计 figures used), or None when the
    table has no 小计 stating ``attr``."""
    subs: list = []
    covered: set[int] = set()
    for s in sorted(subtotals(form), key=lambda s: -len(s.members)):  # a 一级 小计 over its 二级 ones: the 一级 one
        if _has(getattr(s, attr)) and not covered & set(s.members):
            subs.append(s)
            covered |= set(s.members)
    if not subs:
        return None
    loose = [getattr(i, attr) for i in form.indicators if i.row not in covered]
    stated = [getattr(s, attr) for s in subs]
    return figures.through_subtotals([n.value for n in stated], [n.value for n in loose if _has(n)] + rest), stated
