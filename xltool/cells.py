"""Located values: every value read from a workbook keeps the cell it came from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


def col_letter(col: int) -> str:
    """0-based column index → Excel letters (0 → A, 26 → AA)."""
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def a1(row: int, col: int) -> str:
    """0-based (row, col) → "B7"."""
    return f"{col_letter(col)}{row + 1}"


def parse_a1(ref: str) -> tuple[int, int]:
    """"B7" → (6, 1), 0-based."""
    letters = "".join(ch for ch in ref if ch.isalpha()).upper()
    digits = "".join(ch for ch in ref if ch.isdigit())
    col = 0
    for ch in letters:
        col = col * 26 + (ord(ch) - 64)
    return int(digits) - 1, col - 1


@dataclass(frozen=True, slots=True)
class Cell:
    """A cell position: sheet name and 0-based row/column."""

    sheet: str
    row: int
    col: int

    @property
    def a1(self) -> str:
        return a1(self.row, self.col)

    def __str__(self) -> str:  # pragma: no cover - debugging aid
        return f"{self.sheet}!{self.a1}"


@dataclass(frozen=True, slots=True)
class Text:
    """A text value with its cell ('' when the cell is empty)."""

    cell: Cell
    value: str

    def __bool__(self) -> bool:
        return bool(self.value)


# States of a numeric cell.
NUM = "number"  # a real number cell
TEXT_NUM = "text"  # a number typed as text ("1,338.00", "96分") — parsed, warned about
EMPTY = "empty"
INVALID = "invalid"  # text that cannot be a number
NO_CACHE = "nocache"  # a formula whose cached value is missing


@dataclass(frozen=True, slots=True)
class Num:
    """A numeric value with its cell and how it was written.

    ``value`` is in the unit of the column (万元, 元, points); rates are fractions (0.9804).
    ``decimals`` counts the decimals the value was written with (of the percent figure for rates),
    which sets the precision it is held to (see ``xltool.precision``).
    """

    cell: Cell
    raw: Any
    value: float | None
    state: str
    decimals: int = 0
    label: str = ""  # what the value is ("预算数"), for messages

    @property
    def ok(self) -> bool:
        return self.value is not None

    def __bool__(self) -> bool:  # a Num is "truthy" when it holds a number
        return self.value is not None
