"""Derived figures, computed in one place: execution rate, balance, sums, means, grades.

Kinds (results, recomputed columns), rules, templates and summarize read these functions instead of
computing the figures themselves, so that a figure cannot come out two ways.
"""

from __future__ import annotations

from functools import reduce
from operator import add
from typing import Iterable


def rate_of(budget: float | None, execution: float | None, zero_budget_rate: float = 0.0) -> float | None:
    """执行率 = 执行数 ÷ 预算数, as a fraction; a zero budget with zero spending is ``zero_budget_rate``;
    a zero budget with spending has no rate."""
    if budget is None or execution is None:
        return None
    if budget == 0:
        return zero_budget_rate if execution == 0 else None
    return execution / budget


def balance_of(budget: float | None, execution: float | None) -> float | None:
    """结余数 = 预算数 − 执行数."""
    if budget is None or execution is None:
        return None
    return budget - execution


def adjusted_budget(initial: float | None, adjust: float | None) -> float | None:
    """调整后预算数 = 年初预算数 + 调整数."""
    if initial is None or adjust is None:
        return None
    return initial + adjust


def total(values: Iterable[float | None]) -> tuple[float, int]:
    """Sum of the numbers among ``values`` and how many there were: added one by one, left to right (not
    ``sum()``, which compensates its rounding from Python 3.12 on: the same table would total differently)."""
    nums = [v for v in values if v is not None]
    return reduce(add, nums, 0.0), len(nums)


def subtotal(values: Iterable[float | None]) -> float | None:
    """小计 = the sum of the items it closes (``total``); None when none of them is filled in."""
    s, n = total(values)
    return s if n else None


def through_subtotals(subtotals: Iterable[float | None], rest: Iterable[float | None]) -> float:
    """A total worked out from its 小计 (as stated) and the items no 小计 covers: how an officer adds a table whose
    groups close with 小计 rows."""
    return total(list(subtotals) + list(rest))[0]


def mean(values: Iterable[float | None]) -> float | None:
    s, n = total(values)
    return s / n if n else None


def execution_score(rate: float | None, profile, points: float | None = None) -> float | None:
    """Points for budget execution under the profile's rule (proportional or intervals)."""
    return profile.execution_score(rate, points)


def weighted_score(parts: Iterable[tuple[float | None, float | None]]) -> float | None:
    """Σ score × weight over (score, weight) pairs with both known; None when none is."""
    s, n = 0.0, 0
    for score, weight in parts:
        if score is not None and weight is not None:
            s += score * weight
            n += 1
    return s if n else None


def grade(score: float | None, bands) -> str | None:
    """The grade word of ``score`` in a profile's ``bands`` (``profile.bands(kind)``)."""
    return None if score is None else bands.grade(score)
