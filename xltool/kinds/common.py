"""Reading helpers shared by the kinds: labels, located numbers, units, years."""

from __future__ import annotations

import re

from xltool.cells import EMPTY, INVALID, NO_CACHE, NUM, TEXT_NUM, Cell, Num, Text
from xltool.io.book import Sheet
from xltool.numbers import normalise_text, parse_number

LABEL_MAX = 30  # a header label is short; longer text is a sentence, not a label


def text_after_label(sheet: Sheet, r: int, c: int) -> Text | None:
    """The word written with a label at (r, c): after a colon in the same cell ("评价等级：优秀"), or
    the next non-empty, non-numeric cell to the right (merged cells counted once)."""
    parts = re.split(r"[：:]", sheet.text(r, c), maxsplit=1)
    if len(parts) == 2 and parts[1].strip():
        return None if parse_number(parts[1]).empty else Text(Cell(sheet.name, r, c), parts[1].strip())
    seen = {sheet.anchor(r, c)}
    for c2 in range(c + 1, sheet.ncols):
        a = sheet.anchor(r, c2)
        if a in seen:
            continue
        seen.add(a)
        t2 = sheet.text(r, c2)
        if t2 and parse_number(sheet.raw(*a)).value is None and not parse_number(t2).empty:
            return Text(Cell(sheet.name, a[0], a[1]), t2)
    return None


def label(text: str) -> str:
    """Normalise a header label: half-width, no spaces/line breaks, ASCII parentheses."""
    return normalise_text(text).replace("（", "(").replace("）", ")")


def text_at(sheet: Sheet, r: int, c: int) -> Text:
    return Text(Cell(sheet.name, r, c), sheet.text(r, c))


def num_at(sheet: Sheet, r: int, c: int, what: str, *, kind: str = "amount", percent_units: bool = False) -> Num:
    """Read a numeric cell. ``kind`` "rate" returns a fraction; decimals are then the percent's.

    For rates, a plain number is a percentage when the column says so (``percent_units``) or when it
    is above 2 (98.04 rather than 0.9804).
    """
    cell = Cell(sheet.name, r, c)
    raw = sheet.raw(r, c)
    p = parse_number(raw)
    if p.empty:
        state = NO_CACHE if sheet.formula_without_value(r, c) else EMPTY
        return Num(cell, raw, None, state, 0, what)
    if p.value is None:
        return Num(cell, raw, None, INVALID, 0, what)
    state = TEXT_NUM if p.is_text else NUM
    value, dec = p.value, p.decimals
    if kind == "rate":
        if p.percent:
            pass
        elif percent_units or abs(value) > 2:
            value /= 100.0
        else:
            dec = max(0, dec - 2)
    elif p.percent and kind != "rate":
        # "95.06%" in a non-rate cell: keep the percentage figure's decimals, value as fraction
        pass
    return Num(cell, raw, value, state, dec, what)


_UNIT_LINE = re.compile(r"(?:金额)?单位[:：]?\s*(万元|元)")
_UNIT_PAREN = re.compile(r"[(（]\s*(万元|元)\s*[)）]")


def find_unit(texts: list[str]) -> tuple[str | None, str]:
    """Find 万元/元 in lines like "单位：万元" or labels like "资金情况（元）"; returns (unit, source)."""
    for t in texts:
        n = normalise_text(t)
        m = _UNIT_LINE.search(n)
        if m:
            return m.group(1), t
    for t in texts:
        n = normalise_text(t)
        m = _UNIT_PAREN.search(n)
        if m:
            return m.group(1), t
    return None, ""


_YEAR = re.compile(r"(20\d{2})\s*年")


def years_in(text: str) -> list[int]:
    return [int(y) for y in _YEAR.findall(text or "")]


_NOTE_PREFIX = ("注", "说明", "填报人", "审核人", "单位负责人", "填表人", "备注：", "备注:", "联系电话", "制表")


def is_note(text: str) -> bool:
    t = label(text)
    return any(t.startswith(p) for p in _NOTE_PREFIX)
