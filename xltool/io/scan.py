"""Bounding what a reader builds, before python-calamine reads a workbook.

python-calamine turns every worksheet into a *dense* grid from A1 to the farthest cell holding a
value: one number in XFD1048576 asks for 17 billion cells (the process aborts), one in ZZ200000 for
140 million (5 GB). The zip-bomb gate bounds decompressed bytes, not that grid. So before a sheet
is read, a streaming pass finds the cells actually present and the sheet's used range; a sheet whose
range exceeds :data:`MAX_SHEET_CELLS` (or a book past :data:`MAX_BOOK_CELLS`) is not handed to the
reader.

* ``.xlsx``/``.xlsm``: each worksheet part is streamed once (64 KiB chunks). A regular expression
  over the cell references gives an upper bound of the range at C speed; only when that bound is
  over the limit does a precise pass (expat, counting only cells that hold a value, as calamine
  does) decide. The same pass feeds every XML part to expat to prove it well-formed: python-calamine
  is lenient, and a malformed part would otherwise be reported as checked and copied into the
  annotated copy.
* ``.xls``: the ``Workbook`` stream is read from the compound file and its BIFF cell records are
  scanned (row and column of each value record) per sheet; a FILEPASS record means the file is
  password-encrypted.

Everything here raises :class:`~xltool.errors.UnreadableFile` with a Chinese message for a damaged
package; an oversized sheet is *reported* (``Extent.too_large``), not raised, so the other sheets of
the workbook can still be checked.
"""

from __future__ import annotations

import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from xltool.cells import a1
from xltool.errors import UnreadableFile

#: cells (rows × columns of the used range from A1) one worksheet may span. Measured: a recognised
#: table of 2 million cells (142,857 rows × 14, every row flagged) peaks at 823 MB with --no-write;
#: a real budget table has a few thousand rows.
MAX_SHEET_CELLS = 2_000_000
#: cells all worksheets of one workbook may span together (keeps the peak under 1 GiB)
MAX_BOOK_CELLS = 2_200_000

_CHUNK = 1024 * 1024
_MAX_PART = 256 * 1024 * 1024  # one part; the zip gate (safety.Limits) bounds the package already

MSG_MALFORMED = ("文件已损坏：内部的 XML 部件 {part} 不是完整有效的 XML（{detail}），Excel 打开时也会提示修复。"
                 "请让报送单位在 Excel 中打开、确认内容后重新保存，再检查。")
MSG_TOO_LARGE = ("工作表“{sheet}”的数据区域过大（A1:{last}，约 {cells}单元格，超出本工具每张表 {limit}单元格的上限），"
                 "未检查该表。通常是远处（如 {far}）有误输入的内容：请在 Excel 中删除多余的行和列后保存，再检查。")
MSG_BOOK_TOO_LARGE = ("工作表“{sheet}”未检查：整个工作簿的数据区域合计超出本工具的上限（{limit}单元格）。"
                      "请把各表拆分到不同的工作簿后再检查。")


@dataclass
class Extent:
    """The used range of one worksheet: ``rows`` × ``cols`` cells from A1 (0 × 0 when empty)."""

    rows: int = 0
    cols: int = 0
    far: tuple[int, int] | None = None  # a cell (0-based) at the far end, for the message
    formulas: bool = True  # False: the part has no "<f" at all (no formula cell to look for)
    #: True: every cell of the part is written '<c r="…' (no prefix, r first) and ``cols`` bounds every cell
    #: reference, with a value or not (the annotated copy's writer then needs no look for cells in its way)
    plain: bool = False
    part: str | None = None  # the worksheet part measured (None: merged from several, or a stray's)

    @property
    def cells(self) -> int:
        return self.rows * self.cols

    def too_large(self) -> bool:
        return self.cells > MAX_SHEET_CELLS

    def reason(self, sheet: str) -> str:
        far = self.far or (max(self.rows - 1, 0), max(self.cols - 1, 0))
        return MSG_TOO_LARGE.format(sheet=sheet, last=_ref(self.rows - 1, self.cols - 1), cells=_count(self.cells),
                                    limit=_count(MAX_SHEET_CELLS), far=_ref(*far))


def _ref(r: int, c: int) -> str:
    if c >= 16384 * 26 or r >= 10**9:  # beyond any real sheet: do not build an absurd name
        return f"第 {r + 1} 行第 {c + 1} 列"
    return a1(r, c)


def _count(n: int) -> str:
    if n >= 100_000_000:
        return f"{n / 100_000_000:.1f} 亿个"
    if n >= 10_000:
        return f"{n / 10_000:.0f} 万个"
    return f"{n} 个"


MSG_XLS_DAMAGED = ("文件已损坏或不完整（旧版 .xls 的内部结构无法读取：{what}），可能在复制、下载或邮件传输时中断。"
                   "请让报送单位在 Excel 中重新保存，或重新获取该文件后再检查。")
MSG_XLS_WHOLE = "旧版 .xls 格式的工作簿只能整本读取，因此整个文件未检查。"


def book_reason(sheet: str) -> str:
    return MSG_BOOK_TOO_LARGE.format(sheet=sheet, limit=_count(MAX_BOOK_CELLS))


# ------------------------------------------------------------------ xlsx / xlsm


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
        if n > 1 << 40:
            break
    return n


class _Lazy(list):
    """Regular expressions by index, compiled when first asked for (importing this module stays cheap: a small
    workbook needs one or two of them)."""

    def __init__(self, make, n: int):
        super().__init__([None] * n)
        self.make = make

    def __getitem__(self, k):
        rx = super().__getitem__(k)
        if rx is None:
            rx = self.make(k)
            self[k] = rx
        return rx


def _after(k: int) -> bytes:
    """A one-letter column after the k-th letter (1 = A), either case: b"[L-Zl-z]" for k = 11."""
    return b"[%c-Z%c-z]" % (65 + k, 97 + k)


# Cell references, looked at in tiers so that a normal sheet costs a few regex scans (each with a
# literal prefix, so at C speed) and almost no matches: the widest columns (3+ letters, then 2) and
# the longest row numbers (6+ digits) are collected; shorter ones only bound the range (a one-letter
# column is at most Z, a 5-digit row at most 99999). Anything written unlike Excel/WPS/openpyxl
# (another spacing or quoting of r, a prefixed element, a cell without r) sends the part to the
# precise pass.
_REF_COL3 = re.compile(rb' r="([A-Za-z]{3,})[0-9]')
_REF_COL2 = re.compile(rb' r="([A-Za-z]{2})[0-9]')
_REF_ROW6 = re.compile(rb' r="[A-Za-z]+([0-9]{6,})"')
_REF_ROW = re.compile(rb' r="[A-Za-z]+([0-9]+)"')
_ROW_DIGITS = _Lazy(lambda d: re.compile(rb' r="[A-Za-z]+[0-9]{%d}"' % d), 6)
_ANY_REF = re.compile(rb' r="[A-Za-z]')
# a one-letter column reference beyond column k (0-based): the widest one-letter column, found with one
# scan per chunk once the first rows have shown the columns in use (None past Z)
_REF_COL1_BEYOND = _Lazy(lambda k: re.compile(rb' r="%s[0-9]' % _after(k)) if k < 26 else None, 27)
# a reference wider than the one-letter columns seen so far (two letters or more, or a later letter):
# one scan of a chunk that widens nothing
_REF_WIDER = _Lazy(lambda k: re.compile(rb' r="(?:[A-Za-z]{2}|%s[0-9])' % _after(k) if k < 26 else
                                        rb' r="[A-Za-z]{2}'), 27)
# the same, or a one-letter column with a row of six digits or more: a chunk that matches neither needs no other
# column or long-row scan (one pass instead of two)
_REF_WIDER_OR_LONG = _Lazy(lambda k: re.compile(rb' r="(?:[A-Za-z]{2}|%s[0-9]|[A-Za-z][0-9]{6})' % _after(k)
                                                if k < 26 else rb' r="(?:[A-Za-z]{2}|[A-Za-z][0-9]{6})'), 27)
_REF_ROW7 = re.compile(rb' r="[A-Za-z]+[0-9]{7,}"')
# a cell written unlike '<c r="…': no attributes, another separator, a namespace prefix
_UNUSUAL = (re.compile(rb"<c[>/\t\n\r]"), re.compile(rb":c[\s>/]"))
# A cell element without an r attribute: calamine places it after the previous one
_CELL_NO_REF = re.compile(rb"<c(?=[\s>/])(?![^>]*\sr=)")


class _Bound:
    """Upper bound of a sheet's used range from its cell references (every cell, with a value or not)."""

    def __init__(self):
        self.max_col = 0
        self.col_letters = 0  # most letters seen in a column reference
        self.max_row = 0  # exact, among rows of 6+ digits
        self.row_digits = 0  # most digits seen in a row number (below 6)
        self.unplaced = False  # something only the precise pass can place (e.g. a cell without r)
        self.letter1 = 0  # widest one-letter column seen (1 = A … 26 = Z)
        self.formulas = False  # a "<f" somewhere (split at "<", so never across chunks)
        self.plain = True  # every cell so far written '<c r="…'
        self.carry = b""

    def feed(self, chunk: bytes, final: bool = False) -> None:
        data = self.carry + chunk
        if final:
            cut = len(data)
        else:  # keep an unfinished tag for the next chunk
            cut = data.rfind(b"<")
            if cut < 0 or len(data) - cut > 4096:
                cut = len(data)
        body, self.carry = data[:cut], data[cut:]
        if not body or self.unplaced:
            return
        if not self.formulas and b"<f" in body:
            self.formulas = True
        plain = body.count(b'<c r="')
        if _UNUSUAL[1].search(body):
            self.unplaced = True
            return
        if body.count(b"<c") != plain:  # else every "<c" is '<c r="': nothing unusual
            if _UNUSUAL[0].search(body):
                self.unplaced = True
                return
            if body.count(b"<c ") != plain:  # a cell whose first attribute is not r
                self.plain = False
                if _CELL_NO_REF.search(body):
                    self.unplaced = True
                    return
        if self.col_letters == 1 and not _REF_WIDER_OR_LONG[self.letter1].search(body):
            long_rows = []  # nothing wider than the columns already seen, no row of six digits
        else:
            if self.col_letters != 1 or _REF_WIDER[self.letter1].search(body):
                self._columns(body)
            long_rows = _REF_ROW6.findall(body)
        if long_rows:
            # all of six digits (the usual case): the bytewise maximum is the numeric one
            top = int(max(long_rows)) if not _REF_ROW7.search(body) else max(int(r) for r in _longest1(long_rows))
            self.max_row = max(self.max_row, top)
        elif not self.max_row:
            for d in range(5, self.row_digits, -1):
                if _ROW_DIGITS[d].search(body):
                    self.row_digits = d
                    break

    def _columns(self, body: bytes) -> None:
        for letters, rx in ((3, _REF_COL3), (2, _REF_COL2)):
            if letters >= self.col_letters and rx.search(body):
                found = rx.findall(body)
                self.col_letters = max(self.col_letters, letters)
                self.max_col = max(self.max_col, max(_col_number(c) for c in _longest1(found)))
                break
        else:
            if self.col_letters == 0 and _ANY_REF.search(body):
                self.col_letters = 1
            if self.col_letters == 1:
                rx = _REF_COL1_BEYOND[self.letter1]
                while rx is not None:
                    m = rx.search(body)
                    if m is None:
                        break
                    self.letter1 = _col_number(body[m.start() + 4:m.start() + 5])
                    rx = _REF_COL1_BEYOND[self.letter1]

    def extent(self) -> Extent:
        cols = self.max_col if self.col_letters >= 2 else self.letter1 if self.col_letters else 0
        rows = self.max_row or (10 ** self.row_digits - 1)
        return Extent(rows, cols, formulas=self.formulas or self.unplaced, plain=self.plain and not self.unplaced)


def _exact_rows(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """The largest row number among the cell references of a part (a second, regex-only pass)."""
    top = 0
    carry = b""
    from xltool.io.safety import iter_member

    for chunk in iter_member(zf, info, _MAX_PART, chunk_size=1024 * 1024):
        data = carry + chunk
        cut = data.rfind(b"<")
        body, carry = (data[:cut], data[cut:]) if 0 <= cut and len(data) - cut <= 4096 else (data, b"")
        rows = _REF_ROW.findall(body)
        if rows:
            top = max(top, max(int(r) for r in _longest1(rows)))
    rows = _REF_ROW.findall(carry)
    if rows:
        top = max(top, max(int(r) for r in rows))
    return top


def _longest1(nums: list[bytes]):
    n = max(len(t) for t in nums)
    return (t for t in nums if len(t) == n)


class _Precise:
    """The used range of the cells that hold a value (<v> or <is>), located as calamine locates them."""

    def __init__(self):
        self.row = -1
        self.col = -1
        self.cell: tuple[int, int] | None = None
        self.has_value = False
        self.max_row = -1
        self.max_col = -1
        self.far: tuple[int, int] | None = None

    def start(self, name: str, attrs: dict) -> None:
        local = name.rpartition(":")[2]
        if local == "row":
            r = attrs.get("r")
            self.row = int(r) - 1 if r and r.isdigit() else self.row + 1
            self.col = -1
        elif local == "c":
            ref = attrs.get("r")
            m = re.fullmatch(r"([A-Za-z]+)([0-9]+)", ref or "")
            if m:
                self.col = _col_number(m.group(1).encode()) - 1
                self.cell = (int(m.group(2)) - 1, self.col)
            else:
                self.col += 1
                self.cell = (self.row, self.col)
            self.has_value = False
        elif local in ("v", "is") and self.cell is not None:
            self.has_value = True

    def end(self, name: str) -> None:
        if name.rpartition(":")[2] == "c" and self.cell is not None:
            if self.has_value:
                r, c = self.cell
                if r > self.max_row or c > self.max_col:
                    self.far = self.cell
                self.max_row = max(self.max_row, r)
                self.max_col = max(self.max_col, c)
            self.cell = None

    def extent(self) -> Extent:
        return Extent(self.max_row + 1, self.max_col + 1, self.far)


def _new_parser() -> expat.XMLParserType:
    p = expat.ParserCreate()
    p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_):
        raise UnreadableFile(MSG_MALFORMED.format(part="?", detail="含 DTD"))

    p.StartDoctypeDeclHandler = refuse
    p.EntityDeclHandler = refuse
    return p


def _expat_detail(exc: expat.ExpatError) -> str:
    return f"第 {exc.lineno} 行第 {exc.offset + 1} 列：{expat.ErrorString(exc.code)}"


def _stream(zf: zipfile.ZipFile, info: zipfile.ZipInfo, sinks) -> None:
    from xltool.io.safety import iter_member

    for chunk in iter_member(zf, info, _MAX_PART, chunk_size=_CHUNK):
        for sink in sinks:
            sink(chunk)


def _well_formed(zf: zipfile.ZipFile, info: zipfile.ZipInfo, extra=None) -> None:
    """Feed a part to expat; raise UnreadableFile when it is not well-formed XML."""
    parser = _new_parser()
    sinks = [lambda b: parser.Parse(b, False)]
    if extra is not None:
        sinks.append(extra)
    try:
        _stream(zf, info, sinks)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise UnreadableFile(MSG_MALFORMED.format(part=_show(info.filename), detail=_expat_detail(exc))) from None
    except UnreadableFile as exc:
        if "?" in exc.message:
            raise UnreadableFile(exc.message.replace("?", _show(info.filename), 1)) from None
        raise


def _show(name: str) -> str:
    s = "".join(ch if ch.isprintable() else "?" for ch in name)
    return s if len(s) <= 80 else s[:77] + "…"


def _precise_extent(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Extent:
    parser = _new_parser()
    scan = _Precise()
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    try:
        _stream(zf, info, [lambda b: parser.Parse(b, False)])
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise UnreadableFile(MSG_MALFORMED.format(part=_show(info.filename), detail=_expat_detail(exc))) from None
    return scan.extent()


#: XML parts checked for well-formedness (VML drawings are not XML for Office: Excel writes <br> unclosed)
_XML_SUFFIXES = (".xml", ".rels")


#: a worksheet part at least this large (decompressed) is proven well-formed by :class:`Proof` beside calamine's
#: read, in a second process (the other core), not in the scan that must precede the read
DEFER_BYTES = 4 * 1024 * 1024

_ZIP_DAMAGED = ("文件已损坏或不完整（ZIP 内部数据无法读取：{}）。"
                "请让报送单位在 Excel 中重新保存，或重新获取该文件后再检查。")
#: the proving process's exit code for "a part is not well-formed" (its stdout holds the Chinese reason)
_CHILD_UNREADABLE = 3
_CHILD = ("import sys\nsys.path.insert(0, sys.argv[1])\nfrom xltool.io.scan import _prove_main\n"
          "sys.exit(_prove_main(sys.argv[2:]))\n")


class Proof:
    """The well-formedness proof of large worksheet parts, run beside calamine's read.

    ``scan_xlsx`` measures such a part's range (that must precede the read) but leaves the expat pass to this.
    It runs in a second Python process, started before the measuring pass: expat holds the GIL for all its work
    and the read needs it to build its rows, so a thread took turns with the read (100,000 rows: the read
    1.2 → 1.6 s); a process proves on the other core. Where no process can be started, a thread proves instead, and if the
    process ends in any other way than "proven" or "not well-formed" (killed, out of memory), the parts are
    proven again in this process: nothing read is ever used unproven.

    With ``maps``, the process also maps where each part's rows start, from the bytes it inflates anyway, for
    the annotated copy's writer (``io.rowmap``).

    ``wait()`` must be called before anything read from the book is used: it raises the UnreadableFile a
    malformed part gets, exactly as the scan would have; ``cancel()`` when the read is abandoned."""

    def __init__(self, path: Path, parts: list[str], maps: bool = False):
        self.path, self.parts, self.maps = path, parts, maps
        self.error: BaseException | None = None
        self.proc = None
        self.thread = None

    def start(self) -> Proof:
        import subprocess
        import sys

        try:
            if getattr(sys, "frozen", False) or not sys.executable:
                raise OSError("no interpreter to start")
            here = str(Path(__file__).resolve().parents[2])
            self.proc = subprocess.Popen(
                [sys.executable, "-I", "-c", _CHILD, here, "map" if self.maps else "prove", str(self.path),
                 *self.parts],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))
        except (OSError, ValueError):
            import threading

            self.proc = None
            self.thread = threading.Thread(target=self._run, name="xltool-proof", daemon=True)
            self.thread.start()
        return self

    def _run(self) -> None:
        try:
            _prove(self.path, self.parts)
        except BaseException as exc:  # raised again by wait()
            self.error = exc

    def cancel(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.communicate()
        elif self.thread is not None:
            self.thread.join()

    def wait(self) -> dict:
        """Raises what a malformed part gets; else the row maps the process made (``maps``; part → RowMap),
        none when it proved in a thread or in this process."""
        if self.proc is not None:
            out, _ = self.proc.communicate()
            if self.proc.returncode == 0:
                if self.maps and out:
                    from xltool.io.rowmap import load

                    return load(out)
                return {}
            if self.proc.returncode == _CHILD_UNREADABLE and out:
                raise UnreadableFile(out.decode("utf-8", "replace"))
            self._run()  # the process did not finish its work: prove here
        elif self.thread is not None:
            self.thread.join()
        else:
            self._run()
        exc = self.error
        if exc is None:
            return {}
        if isinstance(exc, UnreadableFile):
            raise exc
        if isinstance(exc, (zipfile.BadZipFile, OSError, ValueError, EOFError)):
            raise UnreadableFile(_ZIP_DAMAGED.format(type(exc).__name__)) from None
        raise exc


def _prove(path: Path, parts: list[str], maps: list | None = None) -> None:
    """Prove ``parts`` well-formed; with ``maps``, also map where their rows start (``io.rowmap``) from the
    same inflated bytes and append each map made."""
    with zipfile.ZipFile(path) as zf:
        for name in parts:
            info = zf.getinfo(name)
            if maps is None:
                _well_formed(zf, info)
                continue
            from xltool.io.rowmap import Mapper

            mapper = Mapper(info)
            _well_formed(zf, info, mapper.feed)
            found = mapper.result()
            if found is not None:
                maps.append(found)


def _prove_main(argv: list[str]) -> int:
    """The proving process: ``prove|map PATH PART…`` → 0 proven (with ``map``, the row maps on stdout);
    3 and the Chinese reason on stdout when not."""
    import sys

    maps: list | None = [] if argv[0] == "map" else None
    try:
        _prove(Path(argv[1]), argv[2:], maps)
    except UnreadableFile as exc:
        message = exc.message
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        message = _ZIP_DAMAGED.format(type(exc).__name__)
    else:
        if maps:
            from xltool.io.rowmap import dump

            dump(maps, sys.stdout.buffer)
            sys.stdout.flush()
        return 0
    sys.stdout.buffer.write(message.encode("utf-8"))
    sys.stdout.flush()
    return _CHILD_UNREADABLE


def _bound_only(zf: zipfile.ZipFile, info: zipfile.ZipInfo, feed) -> None:
    _stream(zf, info, [feed])


def scan_xlsx(path: Path, sheet_parts: list[str | None], prove=None) -> list[Extent | None]:
    """Prove every XML part of the package well-formed and measure each worksheet's used range.

    ``sheet_parts``: the worksheet part names in workbook order (None where unknown); returns one
    Extent per entry (None where the part is missing). ``prove``: when given, it is called once, before
    anything is measured, with the worksheet parts of :data:`DEFER_BYTES` or more; those are only measured here
    and the caller proves them well-formed (:class:`Proof`) before using what it read.
    """
    wanted = {p.lower(): i for i, p in enumerate(sheet_parts) if p}  # OPC part names ignore case
    out: list[Extent | None] = [None] * len(sheet_parts)
    strays: list[Extent] = []
    try:
        with zipfile.ZipFile(path) as zf:
            deferred = set()
            if prove is not None:
                deferred = {i.filename for i in zf.infolist() if i.filename.lower() in wanted and not i.is_dir()
                            and i.file_size >= DEFER_BYTES}
                if deferred:
                    prove(sorted(deferred))
            for info in zf.infolist():
                name = info.filename
                if info.is_dir() or info.file_size == 0:
                    continue
                if name.lower() in wanted:
                    bound = _Bound()
                    if name in deferred:
                        _bound_only(zf, info, bound.feed)
                    else:
                        _well_formed(zf, info, bound.feed)
                    bound.feed(b"", final=True)
                    ext = bound.extent()
                    if ext.cells > MAX_SHEET_CELLS and not bound.unplaced and not bound.max_row:
                        ext = Extent(_exact_rows(zf, info), ext.cols, formulas=ext.formulas,
                                     plain=ext.plain)  # only 5-digit rows: find the last
                    if ext.cells > MAX_SHEET_CELLS or bound.unplaced:
                        ext = _precise_extent(zf, info)
                    i = wanted[name.lower()]
                    ext.part = name
                    out[i] = ext if out[i] is None else Extent(max(out[i].rows, ext.rows), max(out[i].cols, ext.cols),
                                                                formulas=out[i].formulas or ext.formulas)
                elif "sheet" in name.lower() and name.lower().endswith(".xml"):
                    # not a part we resolved, but a reader might take it for one: measure it too
                    bound = _Bound()
                    _well_formed(zf, info, bound.feed)
                    bound.feed(b"", final=True)
                    stray = bound.extent()
                    if stray.cells > MAX_SHEET_CELLS or bound.unplaced:
                        stray = _precise_extent(zf, info)
                    strays.append(stray)
                elif name.lower().endswith(_XML_SUFFIXES):
                    _well_formed(zf, info)
            # a sheet whose part we could not resolve gets the largest of those: never unbounded
            worst = max(strays, key=lambda e: e.cells, default=Extent())
            out = [e if e is not None else worst for e in out]
    except UnreadableFile:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise UnreadableFile(f"文件已损坏或不完整（ZIP 内部数据无法读取：{type(exc).__name__}）。"
                             "请让报送单位在 Excel 中重新保存，或重新获取该文件后再检查。") from None
    return out


# ------------------------------------------------------------------ xls (BIFF in a compound file)

_ENDOFCHAIN = 0xFFFFFFFE
_MAXREGSECT = 0xFFFFFFFA

#: BIFF records that put a value in a cell: (row, col) are their first two 16-bit fields
_VALUE_RECORDS = {
    0x0203, 0x027E, 0x00FD, 0x0204, 0x0205, 0x0006, 0x00D6,  # NUMBER RK LABELSST LABEL BOOLERR FORMULA RSTRING
    0x0002, 0x0003, 0x0004, 0x0005, 0x0206, 0x0406,  # BIFF2-4: INTEGER NUMBER LABEL BOOLERR FORMULA FORMULA
}
_MULRK = 0x00BD
_XLS_MAX_COLS = 256  # BIFF5/BIFF8 (Excel 97-2003): columns A..IV
_BOF = {0x0809, 0x0409, 0x0209, 0x0009}
_EOF = 0x000A
_BOUNDSHEET = 0x0085
_FILEPASS = 0x002F


class _Cfb:
    """Just enough of [MS-CFB] to read one stream, every step bounded by the file's size."""

    def __init__(self, data: bytes):
        if len(data) < 512:
            raise ValueError("short")
        self.data = data
        shift = struct.unpack_from("<H", data, 30)[0]
        if shift not in (9, 12):
            raise ValueError("sector size")
        self.ss = 1 << shift
        self.n = max(0, (len(data) - self.ss) // self.ss + (1 if (len(data) - self.ss) % self.ss else 0))
        (self.first_dir,) = struct.unpack_from("<L", data, 48)
        (self.cutoff, self.first_minifat, _, self.first_difat, n_difat) = struct.unpack_from("<5L", data, 56)
        fat_ids = list(struct.unpack_from("<109L", data, 76))
        sid, seen = self.first_difat, set()
        per = self.ss // 4
        while sid < _MAXREGSECT and sid not in seen and len(seen) <= self.n:
            seen.add(sid)
            ids = struct.unpack_from(f"<{per}L", self._sector(sid))
            fat_ids.extend(ids[:-1])
            sid = ids[-1]
        fat = bytearray()
        for fid in fat_ids:
            if fid >= _MAXREGSECT or fid >= self.n:
                continue
            fat += self._sector(fid)
            if len(fat) // 4 > self.n + per:
                break
        self.fat = fat

    def _sector(self, sid: int) -> bytes:
        if sid >= self.n:
            raise ValueError("sector out of range")
        off = (sid + 1) * self.ss
        return self.data[off:off + self.ss].ljust(self.ss, b"\0")

    def _next(self, sid: int, table: bytes) -> int:
        if sid * 4 + 4 > len(table):
            raise ValueError("chain out of range")
        return struct.unpack_from("<L", table, sid * 4)[0]

    def chain(self, start: int, limit: int) -> bytes:
        out, sid, seen = bytearray(), start, set()
        while sid < _MAXREGSECT and len(out) < limit:
            if sid in seen:
                raise ValueError("cycle")
            seen.add(sid)
            out += self._sector(sid)
            sid = self._next(sid, self.fat)
        return bytes(out[:limit])

    def entries(self) -> list[tuple[str, int, int, int]]:
        """(name, type, start, size) of every directory entry."""
        d = self.chain(self.first_dir, min(len(self.data), 4 * 1024 * 1024))
        out = []
        for off in range(0, len(d) - 127, 128):
            raw = d[off:off + 128]
            nlen = min(struct.unpack_from("<H", raw, 64)[0], 64)
            name = raw[:max(0, nlen - 2)].decode("utf-16-le", "replace")
            start, size = struct.unpack_from("<LL", raw, 116)
            out.append((name, raw[66], start, size))
        return out

    def stream(self, name_options: tuple[str, ...]) -> bytes | None:
        entries = self.entries()
        if not entries:
            return None
        for name, typ, start, size in entries:
            if typ == 2 and name.lower() in name_options:
                size = min(size, len(self.data))
                if size >= self.cutoff:
                    return self.chain(start, size)
                root = entries[0]
                mini = self.chain(root[2], min(root[3], len(self.data)))
                minifat = self.chain(self.first_minifat, len(self.data)) if self.first_minifat < _MAXREGSECT else b""
                out, sid, seen = bytearray(), start, set()
                while sid < _MAXREGSECT and len(out) < size:
                    if sid in seen or (sid + 1) * 64 > len(mini):
                        raise ValueError("mini chain")
                    seen.add(sid)
                    out += mini[sid * 64:(sid + 1) * 64]
                    sid = self._next(sid, minifat)
                return bytes(out[:size])
        return None


def scan_xls(path: Path) -> tuple[bool, list[tuple[str, Extent]]]:
    """(encrypted, [(sheet name, used range)] in BOUNDSHEET order) of a BIFF workbook.

    The globals substream gives the sheets (BOUNDSHEET) and FILEPASS; each sheet is then scanned
    from the offset its BOUNDSHEET gives, as a reader seeks there, up to its EOF (a nested chart
    substream's cells count too: an over-estimate is safe). A compound file whose workbook stream
    cannot be followed is a damaged file (UnreadableFile).
    """
    try:
        data = path.read_bytes()
        stream = _Cfb(data).stream(("workbook", "book"))
    except (ValueError, struct.error, OverflowError) as exc:
        # unmeasured, a reader could build any grid: refuse (on ~400 real .xls this never happens
        # to a file python-calamine can read)
        raise UnreadableFile(MSG_XLS_DAMAGED.format(what="复合文档的扇区链无法跟随")) from None
    if not stream:
        raise UnreadableFile(MSG_XLS_DAMAGED.format(what="找不到工作簿数据流"))
    sheets: list[tuple[int, str]] = []
    for typ, body, _ in _records(stream, 0):
        if typ == _FILEPASS:
            return True, []
        if typ == _BOUNDSHEET and len(body) >= 8:
            at, _vis, kind, cch = struct.unpack_from("<LBBB", body, 0)
            if kind == 0:  # worksheets (not charts, macro sheets)
                sheets.append((at, _biff_name(body[7:], cch)))
        elif typ == _EOF:
            break
    out = [(name, _sheet_extent(stream, at)) for at, name in sheets]
    for name, ext in out:
        if ext.cols > _XLS_MAX_COLS:  # a column the format cannot hold: what fuzzers and damage make
            raise UnreadableFile(MSG_XLS_DAMAGED.format(
                what=f"工作表“{name}”中有单元格位于第 {ext.cols} 列，超出 .xls 格式最多 256 列的范围"))
    return False, out


def _records(stream: bytes, pos: int):
    """(type, body, position) of the BIFF records from ``pos``."""
    n = len(stream)
    while pos + 4 <= n:
        typ, length = struct.unpack_from("<HH", stream, pos)
        yield typ, stream[pos + 4:pos + 4 + length], pos
        pos += 4 + length


def _sheet_extent(stream: bytes, at: int) -> Extent:
    ext = Extent()
    depth = 0
    for typ, body, _ in _records(stream, at):
        if typ in _BOF:
            depth += 1
        elif typ == _EOF:
            depth -= 1
            if depth <= 0:
                break
        elif len(body) >= 4 and (typ in _VALUE_RECORDS or typ == _MULRK):
            row, col = struct.unpack_from("<HH", body, 0)
            if typ == _MULRK and len(body) >= 6:
                col = max(col, struct.unpack_from("<H", body, len(body) - 2)[0])
            if row + 1 > ext.rows or col + 1 > ext.cols:
                ext.far = (row, col)
            ext.rows = max(ext.rows, row + 1)
            ext.cols = max(ext.cols, col + 1)
    return ext


def _biff_name(raw: bytes, cch: int) -> str:
    if not raw:
        return ""
    flags, text = raw[0], raw[1:]
    if flags & 1:
        return text[:cch * 2].decode("utf-16-le", "replace")
    return text[:cch].decode("latin-1")
