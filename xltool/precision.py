"""What counts as rounding and what counts as an error (DOMAIN.md §4).

A stated value is right when it equals the recomputed one at the precision the form uses:

* amounts agree to the second decimal of their unit (0.01 万元 or 0.01 元); a value written with
  more decimals is held to all of them: ``decimals = max(amount_decimals, written decimals)``;
* rates are compared as percentages at the decimals they were written with, at least
  ``rate_decimals`` (0): 98% for 98.04% is rounding, 90% is an error;
* scores are compared at the decimals written, at least ``score_decimals`` (1): 7.5 for 7.524 is
  rounding, 9 for 9.2 is an error.

The stated value agrees when ``|stated − expected| ≤ ½·10⁻ᵈ`` (plus a hair for binary floats).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tolerance:
    amount_decimals: int = 2
    rate_decimals: int = 0  # of the percentage figure
    score_decimals: int = 1
    max_decimals: int = 6


def agrees(stated: float, expected: float, decimals: int) -> bool:
    """True when ``stated`` equals ``expected`` rounded to ``decimals`` places (half a unit)."""
    half = 0.5 * 10.0 ** (-decimals)
    return abs(stated - expected) <= half + 1e-9 * max(1.0, abs(expected))


def amount_ok(stated: float, written_decimals: int, expected: float, tol: Tolerance) -> bool:
    d = min(tol.max_decimals, max(tol.amount_decimals, written_decimals))
    return agrees(stated, expected, d)


def rate_ok(stated: float, written_decimals: int, expected: float, tol: Tolerance) -> bool:
    """Rates as fractions; ``written_decimals`` are those of the percentage figure."""
    d = min(tol.max_decimals, max(tol.rate_decimals, written_decimals))
    return agrees(stated * 100.0, expected * 100.0, d)


def score_ok(stated: float, written_decimals: int, expected: float, tol: Tolerance) -> bool:
    d = min(tol.max_decimals, max(tol.score_decimals, written_decimals))
    return agrees(stated, expected, d)


def fmt(value: float | None, decimals: int = 2) -> str:
    """A number for a message: at most ``decimals`` places, trailing zeros dropped."""
    if value is None:
        return "（空）"
    text = f"{value:,.{decimals}f}" if abs(value) >= 10000 else f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def pct(rate: float | None, decimals: int = 2) -> str:
    if rate is None:
        return "（空）"
    return fmt(rate * 100.0, decimals) + "%"
