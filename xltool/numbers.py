"""Parsing numbers as officers type them, and counting their decimals."""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

# Written where a cell means "nothing" rather than a number.
_NIL = {"-", "—", "－", "–", "/", "／", "无", "—-", "--", "/ ", "不适用", "\\"}
_UNIT_SUFFIX = re.compile(r"(万元|元|分|人次|个|次|%|％|‰)$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
# thousands separators must group by three ("1,234.5"); "12,34" is not a number
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_MINUS = str.maketrans({"\u2212": "-", "\u2012": "-", "\u2013": "-", "\ufe63": "-"})


@dataclass(frozen=True, slots=True)
class Parsed:
    value: float | None  # None: empty or not a number
    is_text: bool  # the number was typed as text
    decimals: int
    percent: bool  # written with a % sign (value already divided by 100)
    empty: bool


def decimals_of(value: float, cap: int = 6) -> int:
    """Decimals a float was written with: 1311.752 → 3, 7.5 → 1, 96.0 → 0 (capped)."""
    if not math.isfinite(value):
        return 0
    text = f"{value:.12g}"
    if "e" in text or "E" in text:
        mant, _, exp = text.partition("e")
        frac = mant.split(".")[1] if "." in mant else ""
        return max(0, min(cap, len(frac.rstrip("0")) - int(exp)))
    if "." not in text:
        return 0
    return min(cap, len(text.split(".")[1].rstrip("0")))


def normalise_text(text: str) -> str:
    """Full-width → half-width, strip spaces and line breaks."""
    # memoised for short texts (labels): the kinds' detectors normalise the same header cells many times
    return _normalise_short(text) if len(text) <= 64 else _normalise(text)


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", text)


_normalise_short = functools.lru_cache(maxsize=1 << 14)(_normalise)


def parse_number(raw) -> Parsed:
    """Parse a cell value as a number.

    Numbers pass through; text like "1,338.00", "１３３８", "95.06%", "96分" is parsed and marked
    ``is_text``; "", "-", "/" and "无" are empty; anything else is ``value None, empty False``.
    """
    if raw is None or raw == "":
        return Parsed(None, False, 0, False, True)
    if isinstance(raw, bool):
        return Parsed(None, False, 0, False, False)
    if isinstance(raw, (int, float)):
        v = float(raw)
        if not math.isfinite(v):
            return Parsed(None, False, 0, False, False)
        return Parsed(v, False, decimals_of(v), False, False)
    if isinstance(raw, (datetime, date, time, timedelta)):
        return Parsed(None, False, 0, False, False)
    text = normalise_text(str(raw))
    if text == "" or text in _NIL:
        return Parsed(None, False, 0, False, True)
    return _parse_text(text)


@functools.lru_cache(maxsize=1 << 12)
def _parse_text(text: str) -> Parsed:
    """Numbers written as text. Accounting negatives "(15.15)" / "(1,234.00)" and a full-width or
    typographic minus ("－15.15", "−15.15") are negative; a non-finite figure ("1e400") is no number."""
    percent = False
    negative = False
    text = text.translate(_MINUS).replace("¥", "").replace("￥", "")
    if len(text) > 2 and text[0] == "(" and text[-1] == ")":
        negative, text = True, text[1:-1]
    m = _UNIT_SUFFIX.search(text)
    while m:
        if m.group(1) in ("%", "％"):
            percent = True
        text = text[: m.start()]
        m = _UNIT_SUFFIX.search(text)
    if negative and text[:1] in "+-":
        return Parsed(None, True, 0, False, False)
    if "," in text:
        if not _GROUPED.match(text):
            return Parsed(None, True, 0, False, False)
        text = text.replace(",", "")
    if not _NUMBER.match(text):
        return Parsed(None, True, 0, False, False)
    v = float(text)
    if not math.isfinite(v):
        return Parsed(None, True, 0, False, False)
    if negative:
        v = -v
    dec = len(text.split(".")[1]) if "." in text and "e" not in text.lower() else 0
    if percent:
        return Parsed(v / 100.0, True, dec, True, False)
    return Parsed(v, True, dec, False, False)

_OPERATORS = (("≥", ">="), ("≤", "<="), (">=", ">="), ("<=", "<="), ("＞", ">"), ("＜", "<"),
              (">", ">"), ("<", "<"), ("=", "="), ("＝", "="), ("不低于", ">="), ("不少于", ">="),
              ("不高于", "<="), ("不超过", "<="), ("大于等于", ">="), ("小于等于", "<="),
              ("大于", ">"), ("小于", "<"), ("低于", "<"), ("高于", ">"), ("达到", ">="))


@dataclass(frozen=True, slots=True)
class Target:
    """A target such as "≥5000平方米": operator, number, whether a percentage, unit text."""

    op: str | None  # ">=", ">", "=", "<=", "<" or None (no operator written)
    value: float | None  # None: qualitative ("明显改善")
    percent: bool
    unit: str


_LEADING_NUMBER = re.compile(r"^([+-]?\d+(?:\.\d+)?)(.*)$")


def parse_target(raw) -> Target:
    """Split an indicator value into operator, number and unit ("≤200元" → ("<=", 200, False, "元"))."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return Target(None, float(raw), False, "")
    text = normalise_text(str(raw or "")).replace(",", "")
    op = None
    for word, sym in _OPERATORS:
        if text.startswith(word):
            op, text = sym, text[len(word):]
            break
    m = _LEADING_NUMBER.match(text)
    if not m:
        return Target(op, None, False, text)
    value = float(m.group(1))
    rest = m.group(2)
    percent = rest.startswith("%") or rest.startswith("％")
    if percent:
        value /= 100.0
        rest = rest[1:]
    if rest.endswith("以上") and op is None:
        op, rest = ">=", rest[:-2]
    elif rest.endswith("以下") and op is None:
        op, rest = "<=", rest[:-2]
    return Target(op, value, percent, rest)
