"""Reading a workbook's cell values with python-calamine (.xlsx, .xlsm, .xls)."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from xltool.cells import a1
from xltool.errors import UnreadableFile


TEXT_MEMO_ROWS = 100  # rows whose texts Sheet.text memoises (where the kinds look for headers)


@dataclass
class Sheet:
    """One worksheet's values, 0-based, '' for empty cells, plus its merged ranges."""

    name: str
    index: int
    rows: list[list[Any]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1 inclusive
    book: "Book | None" = None

    @property
    def nrows(self) -> int:
        return len(self.rows)

    @cached_property
    def ncols(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def raw(self, r: int, c: int) -> Any:
        if 0 <= r < len(self.rows):
            row = self.rows[r]
            if 0 <= c < len(row):
                v = row[c]
                return "" if v is None else v
        return ""

    @cached_property
    def _merge_index(self) -> dict[tuple[int, int], tuple[int, int, int, int]]:
        idx: dict[tuple[int, int], tuple[int, int, int, int]] = {}
        for rng in self.merged:
            r0, c0, r1, c1 = rng
            if (r1 - r0 + 1) * (c1 - c0 + 1) > 20000:  # absurd ranges: index the anchor only
                idx[(r0, c0)] = rng
                continue
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    idx[(r, c)] = rng
        return idx

    def merge_of(self, r: int, c: int) -> tuple[int, int, int, int] | None:
        return self._merge_index.get((r, c)) if self.merged else None

    def value(self, r: int, c: int) -> Any:
        """The value shown at (r, c): a merged range shows its top-left cell's value."""
        rng = self.merge_of(r, c)
        if rng is not None:
            return self.raw(rng[0], rng[1])
        return self.raw(r, c)

    def text(self, r: int, c: int) -> str:
        # the top rows are memoised: every kind's detector reads the same header cells
        key = (r, c)
        t = self._texts.get(key) if r < TEXT_MEMO_ROWS else None
        if t is None:
            v = self.value(r, c)
            if v == "" or v is None:
                t = ""
            else:
                if isinstance(v, float) and v.is_integer():
                    v = int(v)
                t = str(v).strip()
            if r < TEXT_MEMO_ROWS:
                self._texts[key] = t
        return t

    @cached_property
    def _texts(self) -> dict[tuple[int, int], str]:
        return {}

    def anchor(self, r: int, c: int) -> tuple[int, int]:
        """Top-left cell of the merge holding (r, c), or (r, c) itself."""
        rng = self.merge_of(r, c)
        return (rng[0], rng[1]) if rng else (r, c)

    def row_texts(self, r: int) -> list[str]:
        return [self.text(r, c) for c in range(self.ncols)]

    def formula_without_value(self, r: int, c: int) -> bool:
        """True when the cell holds a formula whose cached value is missing (xlsx only)."""
        if self.book is None:
            return False
        return a1(r, c) in self.book.uncached_formulas(self.index)


@dataclass
class Book:
    path: Path
    fmt: str  # "xlsx", "xlsm" or "xls"
    sheets: list[Sheet]
    _uncached: dict[int, set[str]] = field(default_factory=dict)

    def uncached_formulas(self, index: int) -> set[str]:
        """Cells of sheet ``index`` with a formula but no cached value (parsed lazily, xlsx only)."""
        if index not in self._uncached:
            self._uncached[index] = _scan_uncached(self.path, index) if self.fmt != "xls" else set()
        return self._uncached[index]


def load_book(path: Path, fmt: str) -> Book:
    """Read every worksheet's values. Raises UnreadableFile with a Chinese reason."""
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several types; all mean the same to a user
        text = str(exc)
        if "password" in text.lower() or "encrypt" in text.lower():
            raise UnreadableFile(
                "文件设有密码保护（已加密），无法读取。请在 Excel 或 WPS 中打开，取消密码后另存，再重新检查。"
            ) from exc
        raise UnreadableFile(f"无法读取该工作簿，文件可能已损坏（{_short(text)}）。请用 Excel 或 WPS 打开后另存为 .xlsx 再检查。") from exc
    book = Book(path=path, fmt=fmt, sheets=[])
    try:
        meta = wb.sheets_metadata
        for i, name in enumerate(wb.sheet_names):
            kind = str(getattr(meta[i], "typ", "")) if i < len(meta) else ""
            if kind and "WorkSheet" not in kind:  # chart sheets, macro sheets
                continue
            sh = wb.get_sheet_by_index(i)
            rows = sh.to_python(skip_empty_area=False)
            try:
                merged = [(a[0], a[1], b[0], b[1]) for a, b in (sh.merged_cell_ranges or [])]
            except Exception:  # older calamine or an unsupported format
                merged = []
            book.sheets.append(Sheet(name=name, index=i, rows=rows, merged=merged, book=book))
    except UnreadableFile:
        raise
    except Exception as exc:
        raise UnreadableFile(f"读取工作表时出错，文件可能已损坏（{_short(str(exc))}）。请用 Excel 或 WPS 打开后另存再检查。") from exc
    finally:
        try:
            wb.close()
        except Exception:
            pass
    return book


def _short(text: str, n: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


# A cell element, either self-closing (a blank styled cell: no body) or with a body.
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')


def _scan_uncached(path: Path, index: int) -> set[str]:
    """Find formula cells without a cached value in sheet ``index`` of an xlsx."""
    from xltool.io.xmlparts import sheet_part_names

    out: set[str] = set()
    try:
        with zipfile.ZipFile(path) as zf:
            parts = sheet_part_names(zf)
            if index >= len(parts) or parts[index] is None:
                return out
            data = zf.read(parts[index])
    except Exception:
        return out
    if b"<f" not in data:
        return out
    for m in _CELL.finditer(data):
        body = m.group(2) or b""
        if b"<f" not in body:
            continue
        v = re.search(rb"<v>(.*?)</v>", body, re.S)
        # A cached empty string is written t="str" with an empty <v>; no <v> (or <v/>) means no cache.
        if v is None or (v.group(1) == b"" and b't="str"' not in m.group(1)):
            ref = _REF.search(m.group(1))
            if ref:
                out.add(ref.group(1).decode())
    return out
