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
from xltool.io import scan
from xltool.io.safety import MSG_ENCRYPTED


TEXT_MEMO_ROWS = 100  # rows whose texts Sheet.text memoises (where the kinds look for headers)


@dataclass
class Sheet:
    """One worksheet's values, 0-based, '' for empty cells, plus its merged ranges."""

    name: str
    index: int
    rows: list[list[Any]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1 inclusive
    book: "Book | None" = None
    #: columns every cell of the sheet's part lies in, when each is written plainly ('<c r="…'; scan.Extent.plain)
    plain_cols: int | None = None
    part: str | None = None  # its worksheet part in the package (xlsx), when known
    #: where each row of that part starts (io.rowmap; big plain parts, when a copy is to be written)
    rowmap: Any = None

    @property
    def nrows(self) -> int:
        return len(self.rows)

    @cached_property
    def ncols(self) -> int:
        return max(map(len, self.rows), default=0)

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
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (sheet name, Chinese reason): not read

    def uncached_formulas(self, index: int) -> set[str]:
        """Cells of sheet ``index`` with a formula but no cached value (parsed lazily, xlsx only)."""
        if index not in self._uncached:
            self._uncached[index] = _scan_uncached(self.path, index) if self.fmt != "xls" else set()
        return self._uncached[index]


_NATIVE_SUFFIX = {"xlsx": (".xlsx",), "xlsm": (".xlsm",), "xls": (".xls",)}


def load_book(path: Path, fmt: str, rowmaps: bool = False) -> Book:
    """Read every worksheet's values. Raises UnreadableFile with a Chinese reason.

    ``fmt`` is what the sniffer found in the content: the file is opened as that, whatever its
    name says. Each sheet's used range is measured first (``xltool.io.scan``): a sheet too large
    to hold in memory is not read, and listed in ``Book.skipped`` with the reason.
    ``rowmaps``: an annotated copy will be written; the process proving big parts well-formed beside the
    read also maps where their rows start, for the copy's writer (``io.rowmap``).
    """
    from python_calamine import CalamineWorkbook

    proofs: list[scan.Proof] = []
    try:
        extents = _extents(path, fmt, lambda parts: proofs.append(scan.Proof(path, parts, rowmaps).start()))
    except BaseException:
        for p in proofs:
            p.cancel()
        raise
    proof = proofs[0] if proofs else None
    try:
        book = _read(path, fmt, extents, CalamineWorkbook)
    except BaseException:
        if proof is not None:
            proof.wait()  # a malformed part is said as such, whatever calamine made of it
        raise
    if proof is not None:
        maps = proof.wait()
        for sheet in book.sheets:  # a map is used only where the scan saw every cell written plainly
            if sheet.plain_cols is not None and sheet.part in maps:
                sheet.rowmap = maps[sheet.part]
    return book


def _read(path: Path, fmt: str, extents, CalamineWorkbook) -> Book:
    book = Book(path=path, fmt=fmt, sheets=[])
    try:
        with _native_stderr_quiet():
            if path.suffix.lower() in _NATIVE_SUFFIX.get(fmt, ()) and _utf8(str(path)):
                wb = CalamineWorkbook.from_path(str(path))
            else:  # a misnamed file (calamine picks its reader by the name) or a name in GBK bytes: the bytes
                with open(path, "rb") as fh:
                    wb = CalamineWorkbook.from_filelike(fh)
    except OSError:
        raise
    except BaseException as exc:  # calamine raises several types (and panics); all mean the same to a user
        _reraise_fatal(exc)
        text = _reader_detail(exc)
        if "password" in text.lower() or "encrypt" in text.lower():
            raise UnreadableFile(MSG_ENCRYPTED) from None
        raise UnreadableFile(f"无法读取该工作簿，文件可能已损坏（{_short(text)}）。"
                             "请用 Excel 或 WPS 打开后另存为 .xlsx 再检查。") from None
    total = 0
    try:
        meta = wb.sheets_metadata
        for i, name in enumerate(wb.sheet_names):
            kind = str(getattr(meta[i], "typ", "")) if i < len(meta) else ""
            if kind and "WorkSheet" not in kind:  # chart sheets, macro sheets
                continue
            ext = extents(i, name)
            if ext is not None:
                if ext.too_large():
                    book.skipped.append((name, ext.reason(name)))
                    continue
                if total + ext.cells > scan.MAX_BOOK_CELLS:
                    book.skipped.append((name, scan.book_reason(name)))
                    continue
                total += ext.cells
                if not ext.formulas:  # the part has no formula at all: nothing to look for later
                    book._uncached[i] = set()
            with _native_stderr_quiet():
                rows, merged = _sheet_values(wb, i)
            book.sheets.append(Sheet(name=name, index=i, rows=rows, merged=merged, book=book,
                                     plain_cols=ext.cols if ext is not None and ext.plain else None,
                                     part=ext.part if ext is not None else None))
    except (UnreadableFile, OSError):
        raise
    except BaseException as exc:
        _reraise_fatal(exc)
        raise UnreadableFile(f"读取工作表时出错，文件可能已损坏（{_short(_reader_detail(exc))}）。"
                             "请用 Excel 或 WPS 打开后另存再检查。") from None
    finally:
        try:
            wb.close()
        except Exception:
            pass
    return book


def _sheet_values(wb, i: int) -> tuple[list[list[Any]], list[tuple[int, int, int, int]]]:
    sh = wb.get_sheet_by_index(i)
    rows = sh.to_python(skip_empty_area=False)
    try:
        merged = [(a[0], a[1], b[0], b[1]) for a, b in (sh.merged_cell_ranges or [])]
    except Exception:  # older calamine or an unsupported format
        merged = []
    return rows, merged


class _native_stderr_quiet:
    """Silence file descriptor 2 while the native reader runs: a Rust panic prints its English
    message and source location there before it reaches Python as an exception (which we report
    in Chinese). Python's own writes to sys.stderr are flushed first and unaffected afterwards."""

    def __enter__(self):
        import os
        import sys

        self.saved = None
        try:
            sys.stderr.flush()
        except (AttributeError, ValueError, OSError):
            pass
        try:
            self.saved = os.dup(2)
            null = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(null, 2)
            finally:
                os.close(null)
        except OSError:
            if self.saved is not None:
                os.close(self.saved)
            self.saved = None
        return self

    def __exit__(self, *exc):
        import os

        if self.saved is not None:
            try:
                os.dup2(self.saved, 2)
            finally:
                os.close(self.saved)
        return False


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
        return True
    except UnicodeEncodeError:  # surrogate escapes: a name that is not UTF-8 on disk
        return False


def _reraise_fatal(exc: BaseException) -> None:
    """Let interrupts and memory exhaustion through; everything else a reader raises (including a
    Rust panic, pyo3's PanicException, a BaseException) means a file it cannot read."""
    if isinstance(exc, (KeyboardInterrupt, SystemExit, MemoryError, GeneratorExit)):
        raise exc


def _reader_detail(exc: BaseException) -> str:
    """What the reader said, or a Chinese phrase when it panicked (its text is a Rust source location)."""
    if type(exc).__name__ == "PanicException":
        return "读取组件无法解析文件的内部结构"
    return str(exc)


def _extents(path: Path, fmt: str, prove=None):
    """A function (sheet index, name) → its used range (scan.Extent) or None when unknown."""
    if fmt == "xls":
        encrypted, found = scan.scan_xls(path)
        if encrypted:
            raise UnreadableFile(MSG_ENCRYPTED)
        # calamine reads every sheet of an .xls when it opens the file: refuse before, for the whole file
        total = 0
        for name, ext in found:
            total += ext.cells
            if ext.too_large() or total > scan.MAX_BOOK_CELLS:
                reason = ext.reason(name) if ext.too_large() else scan.book_reason(name)
                raise UnreadableFile(reason + scan.MSG_XLS_WHOLE)
        return lambda i, name: None
    from xltool.io.xmlparts import sheet_part_names

    try:
        with zipfile.ZipFile(path) as zf:
            parts = sheet_part_names(zf)
    except UnreadableFile:
        raise
    except OSError:
        raise
    except Exception:
        raise UnreadableFile("文件已损坏：找不到或无法解析工作簿的工作表目录（xl/workbook.xml 及其关系）。"
                             "请让报送单位在 Excel 中重新保存，或重新获取该文件后再检查。") from None
    found = scan.scan_xlsx(path, parts, prove)
    return lambda i, name: found[i] if i < len(found) else None


def _short(text: str, n: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


_REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')
# The SpreadsheetML main namespace, transitional and strict. A sheet's cells, formulas and values are written
# in it: unprefixed as a rule, ``<x:c>``, ``<x:f>``, ``<x:v>`` by the .NET Open XML SDK (x bound to it).
_MAIN_NS = (b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
            b"http://purl.oclc.org/ooxml/spreadsheetml/main")
_XMLNS = re.compile(rb"""xmlns:([A-Za-z_][\w.\-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_WORD = re.compile(rb"\w")


def _main_prefixes(data: bytes) -> tuple[bytes, ...]:
    """The prefixes a sheet's SpreadsheetML elements may carry: none (b"") and each one a declaration binds to
    the main namespace."""
    found = {b""}
    pos = data.find(b"xmlns:")
    while pos >= 0:
        m = _XMLNS.match(data, pos)
        if m and (m.group(2) if m.group(2) is not None else m.group(3)) in _MAIN_NS:
            found.add(m.group(1))
        pos = data.find(b"xmlns:", pos + 6)
    return tuple(sorted(found))


_PATTERNS: dict[tuple[bytes, ...], tuple] = {}


def _cell_patterns(prefixes: tuple[bytes, ...]):
    """For elements in any of ``prefixes``: a cell (either self-closing, a blank styled cell, or with a body,
    closed in its own prefix), a formula, a value, and how a cell's and a formula's start tags begin."""
    if prefixes in _PATTERNS:
        return _PATTERNS[prefixes]
    named = b"|".join(re.escape(p) + b":" for p in prefixes if p)
    pre = b"(?:" + named + b")?" if named else b""
    cell = re.compile(b"<(" + pre + rb")c\b([^>]*?)(?:/>|>(.*?)</\1c>)", re.S)
    formula = re.compile(b"<" + pre + rb"f\b")
    value = re.compile(b"<(" + pre + rb")v>(.*?)</\1v>", re.S)
    cells = tuple(b"<" + (p + b":" if p else b"") + b"c" for p in prefixes)
    formulas = tuple(b"<" + (p + b":" if p else b"") + b"f" for p in prefixes)
    if len(_PATTERNS) < 16:  # a few prefixes are ever seen; an odd package's are not kept
        _PATTERNS[prefixes] = (cell, formula, value, cells, formulas)
    return cell, formula, value, cells, formulas


def _next_formula(data: bytes, start: int, heads: tuple[bytes, ...]) -> int:
    """Where the next formula element opens (``<f``, ``<x:f`` …; not ``<family`` or ``<formula``), or -1."""
    best = -1
    for head in heads:
        pos = data.find(head, start)
        while pos >= 0 and _WORD.match(data, pos + len(head)):
            pos = data.find(head, pos + len(head))
        if pos >= 0 and (best < 0 or pos < best):
            best = pos
    return best


def _scan_uncached(path: Path, index: int) -> set[str]:
    """Find formula cells without a cached value in sheet ``index`` of an xlsx."""
    from xltool.io.xmlparts import sheet_part_names

    try:
        with zipfile.ZipFile(path) as zf:
            parts = sheet_part_names(zf)
            if index >= len(parts) or parts[index] is None:
                return set()
            data = zf.read(parts[index])
    except Exception:
        return set()
    return _uncached_in(data)


def _uncached_in(data: bytes) -> set[str]:
    """The cells of a worksheet part holding a formula without a cached value, in any prefix."""
    out: set[str] = set()
    cell, formula, value, cells, formulas = _cell_patterns(_main_prefixes(data))
    # only the cells around each formula are parsed (a sheet holds far fewer formulas than cells)
    pos = _next_formula(data, 0, formulas)
    while pos >= 0:
        m = cell.match(data, max(max(data.rfind(c, 0, pos) for c in cells), 0))
        if m is None or m.end() <= pos:
            pos = _next_formula(data, pos + 2, formulas)
            continue
        body = m.group(3) or b""
        if formula.search(body):
            v = value.search(body)
            # A cached empty string is written t="str" with an empty <v>; no <v> (or <v/>) means no cache.
            if v is None or (v.group(2) == b"" and b't="str"' not in m.group(2)):
                ref = _REF.search(m.group(2))
                if ref:
                    out.add(ref.group(1).decode())
        pos = _next_formula(data, m.end(), formulas)
    return out
