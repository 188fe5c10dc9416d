"""The annotated copy of an .xlsx/.xlsm written at the package level, without loading it into openpyxl.

``xltool.report.annotate`` builds the copy by loading the whole workbook into openpyxl and saving it
again; for a large table that load + save is most of the run (and of its memory). The copy only
changes a few things, so this module copies the package part by part and edits just those:

* ``xl/styles.xml``: new fills / fonts / borders / number formats and cell formats (a flagged cell
  keeps its own format with the red or yellow fill);
* each sheet with findings: the flagged cells' style index, the recomputed ("复核") columns right of
  the table, their widths and header merge, and a comments part with its VML drawing;
* a new first sheet 核查结果 (the same content as the openpyxl writer's), ``xl/workbook.xml`` (sheet
  list, active tab, sheet-local defined names shifted by one), the relationships and content types;
* ``docProps/custom.xml``: the property that marks the copy as ours.

Sheets are streamed row by row, so memory stays flat whatever the size. Everything the writer does
not touch — charts, images, data validation, conditional formats, macros, printer settings — is
kept byte for byte, which the openpyxl round trip cannot promise.

Anything unusual (a prefixed or Strict-namespace package, a flagged sheet that already has comments
or form controls, cells without references in a row to edit …) raises ``Unsupported`` and the caller
falls back to the openpyxl writer. ``tests/test_xlsxfast.py`` checks that both writers produce the
same values, fills, comments, links, merges and widths.
"""

from __future__ import annotations

import html
import math
import posixpath
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from xltool import __version__
from xltool.cells import col_letter
from xltool.findings import ERROR, INFO, SEVERITY_CN, WARNING
from xltool.report import annotate as A
from xltool.report.safe import atomic_write, clean_text

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
RT = NS_R + "/"
RT_CUSTOM = RT + "custom-properties"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
CT_CUSTOM = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"

CHUNK = 1 << 20
XML_DECL = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10,
                   "0.00E+00": 11, "@": 49}

# Elements of a worksheet that come after sheetData, in schema order (CT_Worksheet).
_TAIL_ORDER = ("sheetCalcPr", "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState",
               "dataConsolidate", "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting",
               "dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter",
               "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors", "smartTags",
               "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
               "webPublishItems", "tableParts", "extLst")
# Elements of a workbook that come after definedNames.
_WB_AFTER_NAMES = ("calcPr", "oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes",
                   "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst")


class Unsupported(Exception):
    """This workbook needs the full (openpyxl) writer."""


# ------------------------------------------------------------------ small XML helpers

_BAD_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    """Text for an XML text node or attribute (illegal characters dropped, escaped)."""
    value = _BAD_XML.sub("", clean_text(value))
    return html.escape(value, quote=True)


def _attr(tag: bytes, name: bytes) -> bytes | None:
    m = re.search(rb"(?:^|\s)" + name + rb'\s*=\s*"([^"]*)"', tag)
    if m is None:
        m = re.search(rb"(?:^|\s)" + name + rb"\s*=\s*'([^']*)'", tag)
    return m.group(1) if m else None


def _set_attr(tag: bytes, name: bytes, value: bytes) -> bytes:
    """Set an attribute in a start tag such as b'<c r="A1" s="3">'."""
    pat = re.compile(rb"(\s)" + name + rb"""\s*=\s*("[^"]*"|'[^']*')""")
    if pat.search(tag):
        return pat.sub(lambda m: m.group(1) + name + b'="' + value + b'"', tag, count=1)
    end = len(tag) - (2 if tag.endswith(b"/>") else 1)
    return tag[:end] + b" " + name + b'="' + value + b'"' + tag[end:]


def _drop_attr(tag: bytes, name: bytes) -> bytes:
    return re.sub(rb"\s" + name + rb"""\s*=\s*("[^"]*"|'[^']*')""", b"", tag, count=1)


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _ref(r: int, c: int) -> str:
    return f"{col_letter(c)}{r + 1}"


_REF = re.compile(rb"^\$?([A-Z]{1,3})\$?(\d+)$")


def _parse_ref(ref: bytes) -> tuple[int, int] | None:
    m = _REF.match(ref.strip())
    if not m:
        return None
    return int(m.group(2)) - 1, _col_index(m.group(1))


def _find_follower(tail: bytes, element: str, order=_TAIL_ORDER) -> int:
    """Where ``element`` goes in a worksheet tail: before the first element that must follow it."""
    followers = order[order.index(element) + 1:] if element in order else ()
    best = -1
    for name in followers + ("mc:AlternateContent",):
        m = re.search(b"<" + name.encode() + rb"[\s/>]", tail)
        if m and (best < 0 or m.start() < best):
            best = m.start()
    if best < 0:
        best = tail.rfind(b"</")
        if best < 0:
            raise Unsupported("worksheet end not found")
    return best


# ------------------------------------------------------------------ what to change (independent of the format)


@dataclass
class _Mark:
    severity: str
    text: str
    height: int


@dataclass
class _SheetEdit:
    marks: dict[tuple[int, int], _Mark] = field(default_factory=dict)
    cells: dict[tuple[int, int], tuple[object, tuple]] = field(default_factory=dict)  # value, style key
    merges: list[str] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)  # 0-based column → width

    def rows(self) -> set[int]:
        return {r for r, _ in self.marks} | {r for r, _ in self.cells}


def plan_sheets(book, report, profile, sheetnames) -> dict[str, _SheetEdit]:
    """The cells to colour and note, and the recomputed columns, per sheet (as annotate does)."""
    edits: dict[str, _SheetEdit] = {}
    by_cell = defaultdict(list)
    for f in report.findings:
        if f.sheet is not None and f.row is not None and f.col is not None:
            by_cell[(f.sheet, f.row, f.col)].append(f)
    names = {s.name: s for s in book.sheets}
    for (sheet_name, r, c), fs in by_cell.items():
        if sheet_name not in sheetnames:
            continue
        sheet = names.get(sheet_name)
        ar, ac = sheet.anchor(r, c) if sheet is not None else (r, c)
        worst = min(fs, key=lambda f: {ERROR: 0, WARNING: 1}.get(f.severity, 2)).severity
        if worst == INFO:
            continue
        lines = [f"【{SEVERITY_CN[f.severity]}】{f.message}（规则 {f.rule}）" for f in fs]
        text = "\n".join(lines)
        edit = edits.setdefault(sheet_name, _SheetEdit())
        old = edit.marks.get((ar, ac))
        if old is not None and old.text:
            text = old.text.rstrip() + "\n—— xltool ——\n" + text
        text = text[:30000]
        edit.marks[(ar, ac)] = _Mark(worst, text, max(90, 40 * len(lines) + 20 * (len(text) // 40)))
    for s in report.kinds:
        if s.module is None or not hasattr(s.module, "review_columns") or s.name not in sheetnames:
            continue
        spec = s.module.review_columns(s.record, profile)
        if not spec:
            continue
        (h0, h1), last_col, cols = spec
        sheet = names[s.name]
        edit = edits.setdefault(s.name, _SheetEdit())
        start = max(last_col + 1, sheet.ncols)  # 0-based: one column after the table
        for i, col in enumerate(cols):
            c = start + i
            edit.cells[(h0, c)] = (col.title, ("review_head",))
            if h1 > h0:
                edit.merges.append(f"{_ref(h0, c)}:{_ref(h1, c)}")
            for r, v in col.values.items():
                edit.cells[(r, c)] = (v, ("review", col.number_format))
            edit.widths[c] = 15
    return edits


def plan_findings_sheet(report, profile, sheetnames) -> SimpleNamespace:
    """The 核查结果 sheet, cell by cell, as ``annotate._findings_sheet`` lays it out."""
    cells: dict[tuple[int, int], tuple[object, tuple]] = {}
    links: list[tuple[str, str]] = []

    def put(r, c, v, *style):  # 1-based, as in annotate
        cells[(r - 1, c - 1)] = (v, style or ("plain",))

    put(1, 1, "xltool 核查结果", "title")
    rows = [("文件", report.path), ("地区配置", f"{profile.title}（{profile.name}）"), ("核查结论", A._verdict(report))]
    r = 2
    for k, v in rows:
        put(r, 1, k, "bold")
        put(r, 2, v)
        r += 1
    for s in report.sheets:
        put(r, 1, "工作表", "bold")
        put(r, 2, f"“{s.name}”：{s.title}")
        r += 1
        for key, val in s.results.items():
            put(r, 2, A.RESULT_LABELS.get(key, key))
            if key == "execution_rate" and isinstance(val, (int, float)):
                put(r, 3, val, "pct")
            else:
                put(r, 3, val if val is not None else "—")
            r += 1
    for note in report.notes:
        put(r, 1, "说明", "bold")
        put(r, 2, note)
        r += 1
    r += 1
    for i, h in enumerate(["序号", "级别", "工作表", "单元格", "规则", "问题说明", "表中值", "应为"], start=1):
        put(r, i, h, "head")
    first = r
    for n, f in enumerate(report.findings, start=1):
        r += 1
        put(r, 1, n)
        put(r, 2, SEVERITY_CN.get(f.severity, f.severity), *(("severity", f.severity) if f.severity in A.FILL else ("plain",)))
        put(r, 3, f.sheet or "")
        if f.sheet and f.cell and f.sheet in sheetnames:
            put(r, 4, f.cell, "link")
            quoted = f.sheet.replace("'", "''")
            links.append((_ref(r - 1, 3), f"'{quoted}'!{f.cell}"))
        else:
            put(r, 4, f.cell or "")
        put(r, 5, f.rule)
        put(r, 6, f.message, "wrap")
        put(r, 7, A._cell_value(f.found))
        put(r, 8, A._cell_value(f.expected))
    last = r
    if not report.findings:
        put(r + 1, 1, "未发现问题。")
        last = r + 1
    return SimpleNamespace(cells=cells, links=links, first=first, last=last, has_findings=bool(report.findings),
                           widths=dict(zip(range(8), (10, 14, 18, 10, 9, 70, 16, 16))))


# ------------------------------------------------------------------ styles.xml


def _section(text: str, name: str) -> re.Match | None:
    return re.search(rf"<{name}\b([^>]*?)(?:/>|>(.*?)</{name}>)", text, re.S)


class _Styles:
    """``xl/styles.xml`` with formats appended (existing indexes never change)."""

    _XF = re.compile(r"<xf\b[^>]*?/>|<xf\b[^>]*?>.*?</xf>", re.S)

    def __init__(self, data: bytes):
        try:
            self.text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise Unsupported("styles.xml is not UTF-8") from exc
        if re.search(r"<\w+:styleSheet\b", self.text):
            raise Unsupported("prefixed styles.xml")
        for name in ("fonts", "fills", "borders", "cellXfs"):
            if _section(self.text, name) is None:
                raise Unsupported(f"styles.xml without {name}")
        self.counts = {name: self._count(name) for name in ("fonts", "fills", "borders", "cellXfs")}
        m = _section(self.text, "cellXfs")
        self.xfs = self._XF.findall(m.group(2) or "")
        if len(self.xfs) != self.counts["cellXfs"]:
            self.counts["cellXfs"] = len(self.xfs)
        fonts = _section(self.text, "fonts").group(2) or ""
        font0 = re.search(r"<font\b[^>]*?(?:/>|>(.*?)</font>)", fonts, re.S)
        body = (font0.group(1) or "") if font0 else ""
        sz = re.search(r'<sz\s+val="([^"]+)"', body)
        nm = re.search(r'<name\s+val="([^"]+)"', body)
        cs = re.search(r'<charset\s+val="([^"]+)"', body)
        self.base_size = sz.group(1) if sz else "11"
        self.base_name = nm.group(1) if nm else "Calibri"
        self.base_charset = cs.group(1) if cs else None
        self.numfmts: dict[str, int] = {}
        nf = _section(self.text, "numFmts")
        self.max_numfmt = 163
        if nf is not None:
            for m2 in re.finditer(r'<numFmt\b[^>]*?numFmtId="(\d+)"[^>]*?formatCode="([^"]*)"', nf.group(2) or ""):
                code = html.unescape(m2.group(2))
                self.numfmts.setdefault(code, int(m2.group(1)))
                self.max_numfmt = max(self.max_numfmt, int(m2.group(1)))
            for m2 in re.finditer(r'<numFmt\b[^>]*?formatCode="([^"]*)"[^>]*?numFmtId="(\d+)"', nf.group(2) or ""):
                code = html.unescape(m2.group(1))
                self.numfmts.setdefault(code, int(m2.group(2)))
                self.max_numfmt = max(self.max_numfmt, int(m2.group(2)))
        self.new: dict[str, list[str]] = {"fonts": [], "fills": [], "borders": [], "cellXfs": [], "numFmts": []}
        self.cache: dict[tuple, int] = {}

    def _count(self, name: str) -> int:
        m = _section(self.text, name)
        inner = m.group(2) or ""
        child = {"fonts": "font", "fills": "fill", "borders": "border", "cellXfs": "xf"}[name]
        return len(re.findall(rf"<{child}\b[^>]*?/>|<{child}\b[^>]*?>", inner))

    def _add(self, section: str, xml: str) -> int:
        key = (section, xml)
        if key not in self.cache:
            self.cache[key] = self.counts[section] + len(self.new[section])
            self.new[section].append(xml)
        return self.cache[key]

    def font(self, bold=False, size=None, color=None, underline=False) -> int:
        parts = ["<b/>" if bold else "", '<u val="single"/>' if underline else "",
                 f'<sz val="{size or self.base_size}"/>', f'<color rgb="00{color}"/>' if color else "",
                 f'<name val="{self.base_name}"/>',
                 f'<charset val="{self.base_charset}"/>' if self.base_charset else ""]
        return self._add("fonts", "<font>" + "".join(parts) + "</font>")

    def fill(self, rgb: str) -> int:
        return self._add("fills", f'<fill><patternFill patternType="solid"><fgColor rgb="00{rgb}"/>'
                                  f'<bgColor rgb="00{rgb}"/></patternFill></fill>')

    def border(self, rgb: str) -> int:
        side = f'style="thin"><color rgb="00{rgb}"/>'
        return self._add("borders", f"<border><left {side}</left><right {side}</right><top {side}</top>"
                                    f"<bottom {side}</bottom><diagonal/></border>")

    def numfmt(self, code: str | None) -> int:
        if not code:
            return 0
        if code in BUILTIN_FORMATS:
            return BUILTIN_FORMATS[code]
        if code not in self.numfmts:
            self.max_numfmt += 1
            self.numfmts[code] = self.max_numfmt
            self.new["numFmts"].append(f'<numFmt numFmtId="{self.max_numfmt}" formatCode="{_text(code)}"/>')
        return self.numfmts[code]

    def xf(self, *, numfmt=0, font=0, fill=0, border=0, alignment: str = "") -> int:
        attrs = (f'numFmtId="{numfmt}" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0"'
                 + (' applyNumberFormat="1"' if numfmt else "") + (' applyFont="1"' if font else "")
                 + (' applyFill="1"' if fill else "") + (' applyBorder="1"' if border else ""))
        if alignment:
            return self._add("cellXfs", f'<xf {attrs} applyAlignment="1">{alignment}</xf>')
        return self._add("cellXfs", f"<xf {attrs}/>")

    def marked(self, s: int, severity: str) -> int:
        """The format of cell style ``s`` with the fill of ``severity``."""
        key = ("marked", s, severity)
        if key in self.cache:
            return self.cache[key]
        fill = self.fill(A.FILL[severity])
        base = self.xfs[s] if 0 <= s < len(self.xfs) else '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        m = re.match(r"<xf\b[^>]*?/?>", base)
        start = m.group(0).encode()
        start = _set_attr(start, b"fillId", str(fill).encode())
        start = _set_attr(start, b"applyFill", b"1")
        xml = start.decode() + base[m.end():]
        idx = self.counts["cellXfs"] + len(self.new["cellXfs"])
        self.new["cellXfs"].append(xml)
        self.cache[key] = idx
        return idx

    def style(self, key: tuple) -> int:
        """A cell format for the cells this writer adds (see the openpyxl writer for the looks)."""
        if key in self.cache:
            return self.cache[key]
        kind = key[0]
        if kind == "plain":
            idx = 0
        elif kind == "review_head":
            idx = self.xf(font=self.font(bold=True, color="1F3864"), fill=self.fill(A.REVIEW_HEADER_FILL),
                          border=self.border("8EA9DB"),
                          alignment='<alignment horizontal="center" vertical="center" wrapText="1"/>')
        elif kind == "review":
            idx = self.xf(numfmt=self.numfmt(key[1]), fill=self.fill(A.REVIEW_FILL), border=self.border("8EA9DB"))
        elif kind == "title":
            idx = self.xf(font=self.font(bold=True, size="14"))
        elif kind == "bold":
            idx = self.xf(font=self.font(bold=True))
        elif kind == "pct":
            idx = self.xf(numfmt=self.numfmt("0.00%"))
        elif kind == "head":
            idx = self.xf(font=self.font(bold=True, color="FFFFFF"), fill=self.fill("305496"),
                          alignment='<alignment horizontal="center" vertical="center"/>')
        elif kind == "severity":
            idx = self.xf(fill=self.fill(A.FILL[key[1]]))
        elif kind == "link":
            idx = self.xf(font=self.font(color="0563C1", underline=True))
        elif kind == "wrap":
            idx = self.xf(alignment='<alignment vertical="top" wrapText="1"/>')
        else:  # pragma: no cover - a key this module does not define
            raise Unsupported(f"unknown style {key}")
        self.cache[key] = idx
        return idx

    def render(self) -> bytes:
        text = self.text
        for name, child in (("numFmts", "numFmt"), ("fonts", "font"), ("fills", "fill"), ("borders", "border"),
                            ("cellXfs", "xf")):
            added = self.new[name]
            if not added:
                continue
            m = _section(text, name)
            if m is None:  # numFmts only: goes first in the style sheet
                block = f'<numFmts count="{len(added)}">{"".join(added)}</numFmts>'
                first = re.search(r"<(fonts|fills|borders|cellStyleXfs|cellXfs)\b", text)
                text = text[:first.start()] + block + text[first.start():]
                continue
            inner = m.group(2) or ""
            total = len(re.findall(rf"<{child}\b[^>]*?/>|<{child}\b[^>]*?>", inner)) + len(added)
            attrs = _drop_attr(m.group(1).encode(), b"count").decode()
            block = f'<{name} count="{total}"{attrs}>{inner}{"".join(added)}</{name}>'
            text = text[:m.start()] + block + text[m.end():]
        return text.encode("utf-8")


# ------------------------------------------------------------------ cells


def _cell_xml(r: int, c: int, value, s: int) -> bytes:
    ref = _ref(r, c)
    st = f' s="{s}"' if s else ""
    if value is None:
        return f'<c r="{ref}"{st}/>'.encode()
    if isinstance(value, bool):
        return f'<c r="{ref}"{st} t="b"><v>{int(value)}</v></c>'.encode()
    if isinstance(value, (int, float)) and (not isinstance(value, float) or math.isfinite(value)):
        return f'<c r="{ref}"{st}><v>{value!r}</v></c>'.encode() if isinstance(value, float) else \
            f'<c r="{ref}"{st}><v>{int(value)}</v></c>'.encode()
    text = value if isinstance(value, str) else str(value)
    return f'<c r="{ref}"{st} t="inlineStr"><is><t xml:space="preserve">{_text(text)}</t></is></c>'.encode("utf-8")


_CELL = re.compile(rb"<c\b[^>]*?/>|<c\b[^>]*?>.*?</c>", re.S)
_CELL_REF = re.compile(rb'\sr="([A-Z]{1,3})(\d+)"')


def _edit_row(row_start: bytes, inner: bytes, r: int, marks: dict, cells: dict, styles: _Styles) -> bytes:
    """A row with its flagged cells restyled and the added cells put in column order."""
    row = _drop_attr(row_start, b"spans")
    if row.endswith(b"/>"):
        row = row[:-2].rstrip() + b">"
    if not marks and b"<extLst" not in inner:
        # the usual case: recomputed cells right of every cell of the row, appended as they are
        last = inner.rfind(b"<c ")
        ref = _CELL_REF.search(inner, last, inner.find(b">", last) + 1) if last >= 0 else None
        right = _col_index(ref.group(1)) if ref is not None else -1
        if (last < 0 or ref is not None) and all(c > right for c in cells):
            return row + inner + b"".join(_cell_xml(r, c, cells[c][0], styles.style(cells[c][1]))
                                            for c in sorted(cells)) + b"</row>"
    found: dict[int, bytes] = {}
    for m in _CELL.finditer(inner):
        cell = m.group(0)
        ref = _CELL_REF.search(cell[: cell.find(b">") + 1])
        if ref is None:
            raise Unsupported("cell without a reference")
        found[_col_index(ref.group(1))] = cell
    rest = _CELL.sub(b"", inner).strip()
    for c, (value, key) in cells.items():
        found[c] = _cell_xml(r, c, value, styles.style(key))
    for c, mark in marks.items():
        cell = found.get(c)
        if cell is None:
            found[c] = _cell_xml(r, c, None, styles.marked(0, mark.severity))
            continue
        end = cell.find(b">") + 1
        tag = cell[:end]
        s = _attr(tag, b"s")
        new_s = styles.marked(int(s) if s and s.isdigit() else 0, mark.severity)
        found[c] = _set_attr(tag, b"s", str(new_s).encode()) + cell[end:]
    return row + b"".join(found[c] for c in sorted(found)) + rest + b"</row>"


# ------------------------------------------------------------------ streaming a worksheet


class _Reader:
    """Decompressed bytes of a zip member, in chunks, with a hard size limit."""

    def __init__(self, zf: zipfile.ZipFile, name: str):
        from xltool.io.safety import DEFAULT_LIMITS, iter_member

        self.it = iter(iter_member(zf, name, DEFAULT_LIMITS.max_member, chunk_size=CHUNK))

    def more(self) -> bytes | None:
        return next(self.it, None)


def _head_edits(head: bytes, *, unselect: bool, edit: _SheetEdit | None, ns_r_needed: bool) -> bytes:
    if unselect:
        head = _unselect(head)
    if edit is None:
        return head
    if edit.widths:
        head = _set_widths(head, edit.widths)
    if ns_r_needed:
        m = re.search(rb"<worksheet\b[^>]*?>", head)
        tag = m.group(0)
        if NS_R.encode() not in tag:
            if re.search(rb"\sxmlns:r\s*=", tag):
                raise Unsupported("r prefix bound to another namespace")
            new = tag[:-1] + b' xmlns:r="' + NS_R.encode() + b'">'
            head = head[:m.start()] + new + head[m.end():]
    return head


def _unselect(xml: bytes) -> bytes:
    """Every sheet view of an original sheet says tabSelected="0": only 核查结果 is selected."""
    return re.sub(rb"<sheetView\b[^>]*?/?>", lambda m: _set_attr(m.group(0), b"tabSelected", b"0"), xml)


def _r_prefix(head: bytes) -> bytes:
    m = re.search(rb"<worksheet\b[^>]*?>", head)
    pm = re.search(rb'\sxmlns:(\w+)\s*=\s*"' + re.escape(NS_R.encode()) + b'"', m.group(0)) if m else None
    return pm.group(1) if pm else b"r"


def _set_widths(head: bytes, widths: dict[int, float]) -> bytes:
    cols: list[tuple[int, int, bytes]] = []  # min, max, attributes other than min/max
    m = re.search(rb"<cols\b[^>]*>(.*?)</cols>", head, re.S)
    if m:
        for cm in re.finditer(rb"<col\b([^>]*?)/?>", m.group(1)):
            attrs = cm.group(1)
            lo, hi = _attr(attrs, b"min"), _attr(attrs, b"max")
            if lo is None or hi is None:
                raise Unsupported("col without min/max")
            rest = _drop_attr(_drop_attr(b" " + attrs, b"min"), b"max").strip()
            cols.append((int(lo), int(hi), rest))
    for c0, width in widths.items():
        c = c0 + 1
        pieces = []
        for lo, hi, rest in cols:
            if lo <= c <= hi:
                if lo < c:
                    pieces.append((lo, c - 1, rest))
                if c < hi:
                    pieces.append((c + 1, hi, rest))
            else:
                pieces.append((lo, hi, rest))
        pieces.append((c, c, f'width="{width:g}" customWidth="1"'.encode()))
        cols = pieces
    cols.sort()
    block = b"<cols>" + b"".join(b'<col min="%d" max="%d" %s/>' % (lo, hi, rest) for lo, hi, rest in cols) + b"</cols>"
    if m:
        return head[:m.start()] + block + head[m.end():]
    empty = re.search(rb"<cols\b[^>]*/>", head)
    if empty:
        return head[:empty.start()] + block + head[empty.end():]
    return head + block  # the head ends right before <sheetData>


def _dimension(head: bytes, edit: _SheetEdit) -> bytes:
    m = re.search(rb'<dimension\b[^>]*?\sref="([^"]*)"', head)
    if not m or not (edit.cells or edit.marks):
        return head
    cells = list(edit.cells) + list(edit.marks)
    parts = m.group(1).split(b":")
    ends = [p for p in (_parse_ref(x) for x in parts) if p is not None]
    if not ends:
        return head
    r0, c0 = min(e[0] for e in ends), min(e[1] for e in ends)
    r1, c1 = max(e[0] for e in ends), max(e[1] for e in ends)
    r0, c0 = min([r0] + [r for r, _ in cells]), min([c0] + [c for _, c in cells])
    r1, c1 = max([r1] + [r for r, _ in cells]), max([c1] + [c for _, c in cells])
    ref = f"{_ref(r0, c0)}:{_ref(r1, c1)}".encode()
    return head[:m.start(1)] + ref + head[m.end(1):]


def rewrite_sheet(reader: _Reader, write, *, unselect: bool, edit: _SheetEdit | None, styles: _Styles | None,
                  legacy_rid: str | None) -> None:
    """Stream one worksheet from ``reader`` to ``write`` with the edits applied."""
    buf = b""
    while True:
        i = buf.find(b"<sheetData")
        j = buf.find(b">", i) if i >= 0 else -1
        if j >= 0:
            break
        chunk = reader.more()
        if chunk is None:
            raise Unsupported("worksheet without sheetData")
        buf += chunk
    head, sd_tag, buf = buf[:i], buf[i:j + 1], buf[j + 1:]
    if re.search(rb"<\w+:worksheet\b", head):
        raise Unsupported("prefixed worksheet")
    if edit is not None and edit.marks and (b"<legacyDrawing" in buf or b"<legacyDrawing" in head):
        raise Unsupported("sheet already has a VML drawing")
    if edit is not None:
        head = _dimension(head, edit)
    head = _head_edits(head, unselect=unselect, edit=edit, ns_r_needed=legacy_rid is not None)
    prefix = _r_prefix(head)
    write(head)
    if edit is None:
        write(sd_tag)
        write(buf)
        while (chunk := reader.more()) is not None:
            write(chunk)
        return

    by_row: dict[int, tuple[dict, dict]] = defaultdict(lambda: ({}, {}))
    for (r, c), mark in edit.marks.items():
        by_row[r][0][c] = mark
    for (r, c), v in edit.cells.items():
        by_row[r][1][c] = v
    new_rows = sorted(by_row)  # 0-based rows to write or edit, in order
    k = 0  # next of new_rows not yet written
    out: list[bytes] = []
    size = 0

    def emit(b: bytes) -> None:
        nonlocal size
        out.append(b)
        size += len(b)
        if size > CHUNK:
            write(b"".join(out))
            out.clear()
            size = 0

    def new_row(r: int) -> bytes:
        marks, cells = by_row[r]
        return _edit_row(f'<row r="{r + 1}">'.encode(), b"", r, marks, cells, styles)

    if sd_tag.endswith(b"/>"):
        emit(b"<sheetData>")
        for r in new_rows:
            emit(new_row(r))
        emit(b"</sheetData>")
        tail = buf
    else:
        emit(sd_tag)
        pos = 0
        prev = -1
        while True:
            lt = buf.find(b"<", pos)
            if lt < 0 or lt + 12 > len(buf):
                chunk = reader.more()
                if chunk is None:
                    raise Unsupported("worksheet ends inside sheetData")
                buf = buf[pos:] + chunk
                pos = 0
                continue
            if buf.startswith(b"</sheetData", lt):
                while k < len(new_rows):
                    emit(new_row(new_rows[k]))
                    k += 1
                tail = buf[lt:]
                break
            if not buf.startswith(b"<row", lt):
                raise Unsupported("unexpected element in sheetData")
            gt = buf.find(b">", lt)
            if gt < 0:
                chunk = reader.more()
                if chunk is None:
                    raise Unsupported("truncated row")
                buf = buf[pos:] + chunk
                pos = 0
                continue
            start = buf[lt:gt + 1]
            if start.endswith(b"/>"):
                end = gt + 1
                inner = b""
            else:
                close = buf.find(b"</row>", gt)
                if close < 0:
                    chunk = reader.more()
                    if chunk is None:
                        raise Unsupported("truncated row")
                    buf = buf[pos:] + chunk
                    pos = 0
                    continue
                end = close + 6
                inner = buf[gt + 1:close]
            rnum = _attr(start, b"r")
            r = int(rnum) - 1 if rnum and rnum.isdigit() else prev + 1
            while k < len(new_rows) and new_rows[k] < r:
                emit(new_row(new_rows[k]))
                k += 1
            if k < len(new_rows) and new_rows[k] == r:
                marks, cells = by_row[r]
                emit(buf[pos:lt])
                emit(_edit_row(start, inner, r, marks, cells, styles))
                k += 1
            else:
                emit(buf[pos:end])
            prev = r
            pos = end
    while (chunk := reader.more()) is not None:
        tail += chunk
    tail = _tail_edits(tail, edit, legacy_rid, prefix)
    emit(tail)
    write(b"".join(out))


def _tail_edits(tail: bytes, edit: _SheetEdit, legacy_rid: str | None, prefix: bytes) -> bytes:
    if edit.merges:
        refs = b"".join(b'<mergeCell ref="%s"/>' % m.encode() for m in edit.merges)
        m = re.search(rb"<mergeCells\b([^>]*?)(/?)>", tail)
        if m and m.group(2) == b"":
            close = tail.find(b"</mergeCells>", m.end())
            inner = tail[m.end():close]
            n = len(re.findall(rb"<mergeCell\b", inner)) + len(edit.merges)
            start = _set_attr(m.group(0), b"count", str(n).encode())
            tail = tail[:m.start()] + start + inner + refs + tail[close:]
        elif m:  # <mergeCells/>
            tail = tail[:m.start()] + b'<mergeCells count="%d">' % len(edit.merges) + refs + b"</mergeCells>" + tail[m.end():]
        else:
            at = _find_follower(tail, "mergeCells")
            tail = tail[:at] + b'<mergeCells count="%d">' % len(edit.merges) + refs + b"</mergeCells>" + tail[at:]
    if legacy_rid is not None:
        at = _find_follower(tail, "legacyDrawing")
        tail = tail[:at] + b"<legacyDrawing " + prefix + b':id="' + legacy_rid.encode() + b'"/>' + tail[at:]
    return tail


# ------------------------------------------------------------------ comments


def _comments_xml(marks: dict[tuple[int, int], _Mark]) -> bytes:
    items = []
    for (r, c) in sorted(marks):
        items.append(f'<comment ref="{_ref(r, c)}" authorId="0"><text><t xml:space="preserve">'
                     f"{_text(marks[(r, c)].text)}</t></text></comment>")
    return XML_DECL + (f'<comments xmlns="{NS_MAIN}"><authors><author>xltool</author></authors><commentList>'
                       + "".join(items) + "</commentList></comments>").encode("utf-8")


def _vml_xml(marks: dict[tuple[int, int], _Mark], block: int) -> bytes:
    shapes = []
    for k, (r, c) in enumerate(sorted(marks), start=1):
        m = marks[(r, c)]
        shapes.append(
            f'<v:shape id="_x0000_s{block * 1024 + k}" type="#_x0000_t202" style="position:absolute;'
            f'margin-left:59.25pt;margin-top:1.5pt;width:320px;height:{m.height}px;z-index:{k};visibility:hidden" '
            f'fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" '
            f'obscured="t"/><v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto">'
            f'<div style="text-align:left"></div></v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/>'
            f"<x:SizeWithCells/><x:AutoFill>False</x:AutoFill><x:Row>{r}</x:Row><x:Column>{c}</x:Column>"
            f"</x:ClientData></v:shape>")
    return ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel">'
            f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{block}"/></o:shapelayout>'
            '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
            '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
            + "".join(shapes) + "</xml>").encode("utf-8")


# ------------------------------------------------------------------ the findings sheet


def _findings_xml(plan: SimpleNamespace, styles: _Styles) -> bytes:
    rows: dict[int, list[tuple[int, bytes]]] = defaultdict(list)
    for (r, c), (value, key) in plan.cells.items():
        if isinstance(value, str) and value == "" and key == ("plain",):
            continue  # openpyxl does not write empty strings either
        rows[r].append((c, _cell_xml(r, c, value, styles.style(key))))
    data = []
    for r in sorted(rows):
        data.append(f'<row r="{r + 1}">'.encode() + b"".join(x for _, x in sorted(rows[r])) + b"</row>")
    first = plan.first  # 1-based header row
    cols = "".join(f'<col min="{c + 1}" max="{c + 1}" width="{w:g}" customWidth="1"/>' for c, w in plan.widths.items())
    parts = [
        f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_R}">',
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>',
        f'<dimension ref="A1:H{plan.last}"/>',
        f'<sheetViews><sheetView tabSelected="1" workbookViewId="0"><pane ySplit="{first}" topLeftCell="A{first + 1}" '
        f'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A{first + 1}" '
        f'sqref="A{first + 1}"/></sheetView></sheetViews>',
        '<sheetFormatPr defaultRowHeight="15"/>',
        f"<cols>{cols}</cols>",
    ]
    out = "".join(parts).encode() + b"<sheetData>" + b"".join(data) + b"</sheetData>"
    tail = []
    if plan.has_findings:
        tail.append(f'<autoFilter ref="A{first}:H{plan.last}"/>')
    if plan.links:
        tail.append("<hyperlinks>" + "".join(f'<hyperlink ref="{ref}" location="{_text(loc)}" display="{_text(ref)}"/>'
                                             for ref, loc in plan.links) + "</hyperlinks>")
    tail.append('<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>')
    tail.append('<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>')
    return XML_DECL + out + "".join(tail).encode() + b"</worksheet>"


# ------------------------------------------------------------------ the package


def _read(zf: zipfile.ZipFile, name: str) -> bytes:
    from xltool.io.safety import DEFAULT_LIMITS, read_member

    return read_member(zf, name, DEFAULT_LIMITS.max_member)


def _rels_path(part: str) -> str:
    d, n = posixpath.split(part)
    return posixpath.join(d, "_rels", n + ".rels")


def _resolve(base_part: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def _relationships(data: bytes) -> list[dict[str, str]]:
    from defusedxml import ElementTree as ET

    root = ET.fromstring(data)
    return [{k: v for k, v in el.attrib.items()} for el in root if el.tag.endswith("}Relationship")]


def _add_relationships(data: bytes | None, rels: list[tuple[str, str, str, str | None]]) -> bytes:
    """Append (Id, Type, Target, TargetMode) relationships to a .rels part (or make one)."""
    items = "".join(f'<Relationship Id="{i}" Type="{t}" Target="{_text(g)}"'
                    + (f' TargetMode="{m}"' if m else "") + "/>" for i, t, g, m in rels).encode("utf-8")
    if data is None:
        return XML_DECL + b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' \
            + items + b"</Relationships>"
    at = data.rfind(b"</Relationships>")
    if at < 0:
        if re.search(rb"<Relationships\b[^>]*/>", data):
            return re.sub(rb"<Relationships\b([^>]*)/>", lambda m: b"<Relationships" + m.group(1) + b">" + items
                          + b"</Relationships>", data, count=1)
        raise Unsupported("unusual relationships part")
    return data[:at] + items + data[at:]


def _new_id(existing: set[str], stem: str = "rIdXl") -> str:
    n = 1
    while f"{stem}{n}" in existing:
        n += 1
    existing.add(f"{stem}{n}")
    return f"{stem}{n}"


def _free_name(names_lower: set[str], pattern: str) -> str:
    n = 1
    while pattern.format(n).lower() in names_lower:
        n += 1
    name = pattern.format(n)
    names_lower.add(name.lower())
    return name


def write(src: Path, book, report, profile, target: Path) -> None:
    """Write the annotated copy of ``src`` (an .xlsx/.xlsm) to ``target``, or raise ``Unsupported``."""
    from defusedxml import ElementTree as ET

    with zipfile.ZipFile(src) as zin:
        infos = zin.infolist()
        names = {i.filename for i in infos}
        lower = {n.lower() for n in names}
        if "[Content_Types].xml" not in names:
            raise Unsupported("no content types")
        root_rels = _relationships(_read(zin, "_rels/.rels")) if "_rels/.rels" in names else []
        office = [r for r in root_rels if r.get("Type", "").endswith("/officeDocument")]
        if len(office) != 1 or _resolve("", office[0].get("Target", "")) != "xl/workbook.xml":
            raise Unsupported("workbook part is not xl/workbook.xml")
        wb_xml = _read(zin, "xl/workbook.xml")
        wb_root = ET.fromstring(wb_xml)
        if wb_root.tag != f"{{{NS_MAIN}}}workbook" or re.search(rb"<\w+:workbook\b", wb_xml):
            raise Unsupported("not a transitional, unprefixed workbook")
        wb_rels_name = "xl/_rels/workbook.xml.rels"
        wb_rels = _relationships(_read(zin, wb_rels_name))
        targets = {r["Id"]: _resolve("xl/workbook.xml", r.get("Target", "")) for r in wb_rels}
        worksheet_parts = {targets[r["Id"]] for r in wb_rels if r.get("Type", "").endswith("/worksheet")}
        sheets = []  # name, part
        sheet_ids = []
        for el in wb_root.iter(f"{{{NS_MAIN}}}sheet"):
            part = targets.get(el.get(f"{{{NS_R}}}id"))
            if part is None or part not in names:
                raise Unsupported("sheet part missing")
            sheets.append((el.get("name"), part))
            sheet_ids.append(int(el.get("sheetId") or 0))
        sheetnames = [n for n, _ in sheets]
        styles_part = next((t for r_, t in ((r, targets[r["Id"]]) for r in wb_rels)
                            if r_.get("Type", "").endswith("/styles")), None)
        if styles_part is None or styles_part not in names:
            raise Unsupported("no styles part")
        styles = _Styles(_read(zin, styles_part))

        title = A._safe_title(A.SHEET_NAME, SimpleNamespace(sheetnames=sheetnames))
        edits = plan_sheets(book, report, profile, set(sheetnames))
        findings = plan_findings_sheet(report, profile, set(sheetnames) | {title})

        # new parts: comments and drawings of the flagged sheets, the findings sheet
        new_parts: dict[str, bytes] = {}
        overrides: list[tuple[str, str]] = []
        rel_updates: dict[str, list[tuple[str, str, str, str | None]]] = defaultdict(list)
        legacy: dict[str, str] = {}
        block = 100
        for name, part in sheets:
            edit = edits.get(name)
            if edit is None or not edit.marks:
                continue
            rels_name = _rels_path(part)
            existing = {r["Id"] for r in _relationships(_read(zin, rels_name))} if rels_name in names else set()
            cpart = _free_name(lower, "xl/comments/comment{}.xml")
            vpart = _free_name(lower, "xl/drawings/vmlDrawing{}.vml")
            block += 1
            new_parts[cpart] = _comments_xml(edit.marks)
            new_parts[vpart] = _vml_xml(edit.marks, block)
            overrides.append(("/" + cpart, CT_COMMENTS))
            crid, vrid = _new_id(existing), _new_id(existing)
            rel_updates[rels_name] += [
                (crid, RT + "comments", posixpath.relpath(cpart, posixpath.dirname(part)), None),
                (vrid, RT + "vmlDrawing", posixpath.relpath(vpart, posixpath.dirname(part)), None)]
            legacy[part] = vrid
        fpart = _free_name(lower, "xl/worksheets/sheet{}.xml")
        overrides.append(("/" + fpart, CT_WORKSHEET))
        wb_rid = _new_id({r["Id"] for r in wb_rels})
        rel_updates[wb_rels_name].append((wb_rid, RT + "worksheet", posixpath.relpath(fpart, "xl"), None))
        new_wb = _workbook_xml(wb_xml, title, max(sheet_ids + [0]) + 1, wb_rid, findings)

        # custom property marking the copy as ours
        custom_part = next((_resolve("", r.get("Target", "")) for r in root_rels
                            if r.get("Type") == RT_CUSTOM), None)
        custom_xml = None
        if custom_part is not None and custom_part in names:
            custom_xml = _custom_xml(_read(zin, custom_part))
        else:
            custom_part = "docProps/custom.xml"
            if custom_part.lower() in lower:
                raise Unsupported("an unreferenced docProps/custom.xml")
            new_parts[custom_part] = _custom_xml(None)
            overrides.append(("/" + custom_part, CT_CUSTOM))
            rel_updates["_rels/.rels"].append((_new_id({r["Id"] for r in root_rels}), RT_CUSTOM, custom_part, None))

        ctypes = _read(zin, "[Content_Types].xml")
        add = "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides)
        if legacy and not re.search(rb'<Default\b[^>]*Extension="vml"', ctypes, re.I):
            add = f'<Default Extension="vml" ContentType="{CT_VML}"/>' + add
        at = ctypes.rfind(b"</Types>")
        if at < 0:
            raise Unsupported("unusual content types")
        ctypes = ctypes[:at] + add.encode() + ctypes[at:]

        def build(tmp: Path) -> None:
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zout:
                done = set()
                sheet_parts = dict((p, n) for n, p in sheets)
                for info in infos:
                    name = info.filename
                    if name in done or info.is_dir():
                        continue
                    done.add(name)
                    if name == "[Content_Types].xml":
                        data = ctypes
                    elif name == "xl/workbook.xml":
                        data = new_wb
                    elif name == styles_part:
                        continue  # written last: the sheets add formats while they are written
                    elif name == custom_part and custom_xml is not None:
                        data = custom_xml
                    elif name in rel_updates:
                        data = _add_relationships(_read(zin, name), rel_updates.pop(name))
                    elif name in sheet_parts and name not in worksheet_parts:  # chart / dialog / macro sheets
                        data = _unselect(_read(zin, name))
                    elif name in sheet_parts:
                        edit = edits.get(sheet_parts[name])
                        with zout.open(_info(info), "w") as out:
                            rewrite_sheet(_Reader(zin, name), out.write, unselect=True, edit=edit, styles=styles,
                                          legacy_rid=legacy.get(name))
                        continue
                    else:
                        with zin.open(info) as fin, zout.open(_info(info), "w") as out:
                            while chunk := fin.read(CHUNK):
                                out.write(chunk)
                        continue
                    zout.writestr(_info(info), data)
                for name, rels in rel_updates.items():  # .rels parts that did not exist
                    zout.writestr(name, _add_relationships(None, rels))
                for name, data in new_parts.items():
                    zout.writestr(name, data)
                zout.writestr(fpart, _findings_xml(findings, styles))
                zout.writestr(_info(zin.getinfo(styles_part)), styles.render())

        atomic_write(target, build)


def _info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    out = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    out.compress_type = zipfile.ZIP_DEFLATED
    out.external_attr = info.external_attr
    return out


def _workbook_xml(data: bytes, title: str, sheet_id: int, rid: str, findings) -> bytes:
    m = re.search(rb"<workbook\b[^>]*?>", data)
    root = m.group(0)
    pm = re.search(rb'\sxmlns:(\w+)\s*=\s*"' + re.escape(NS_R.encode()) + b'"', root)
    if pm:
        prefix = pm.group(1)
    else:
        prefix = b"xlr"
        data = data[:m.end() - 1] + b' xmlns:xlr="' + NS_R.encode() + b'"' + data[m.end() - 1:]
    sheet = f'<sheet name="{_text(title)}" sheetId="{sheet_id}" '.encode("utf-8") + prefix + f':id="{rid}"/>'.encode()
    sm = re.search(rb"<sheets\b[^>]*>", data)
    if sm is None or sm.group(0).endswith(b"/>"):
        raise Unsupported("workbook without sheets")
    data = data[:sm.end()] + sheet + data[sm.end():]
    # sheet-local names follow their sheets: one place further
    data = re.sub(rb'(\slocalSheetId\s*=\s*")(\d+)(")', lambda mm: mm.group(1) + str(int(mm.group(2)) + 1).encode()
                  + mm.group(3), data)
    # the copy opens on the findings sheet
    data = re.sub(rb"<workbookView\b[^>]*?/?>", lambda mm: _set_attr(_set_attr(mm.group(0), b"activeTab", b"0"),
                                                                      b"firstSheet", b"0"), data)
    quoted = title.replace("'", "''")
    names = [f'<definedName name="_xlnm.Print_Titles" localSheetId="0">'
             f"{_text(chr(39) + quoted + chr(39))}!${findings.first}:${findings.first}</definedName>"]
    if findings.has_findings:
        names.append(f'<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
                     f"{_text(chr(39) + quoted + chr(39))}!$A${findings.first}:$H${findings.last}</definedName>")
    block = "".join(names).encode("utf-8")
    dm = re.search(rb"<definedNames\b[^>]*?(/?)>", data)
    if dm and dm.group(1) == b"":
        data = data[:dm.end()] + block + data[dm.end():]
    elif dm:
        data = data[:dm.start()] + b"<definedNames>" + block + b"</definedNames>" + data[dm.end():]
    else:
        at = _find_follower(data, "definedNames", ("definedNames",) + _WB_AFTER_NAMES)
        data = data[:at] + b"<definedNames>" + block + b"</definedNames>" + data[at:]
    return data


def _custom_xml(data: bytes | None) -> bytes:
    def prop(pid: int, vt: str) -> str:
        return (f'<property fmtid="{CUSTOM_FMTID}" pid="{pid}" name="{A.MARKER}">'
                f"<{vt}:lpwstr>{_text(__version__)}</{vt}:lpwstr></property>")

    if data is None:
        return XML_DECL + (f'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
                           f'xmlns:vt="{NS_VT}">' + prop(2, "vt") + "</Properties>").encode("utf-8")
    root = re.search(rb"<Properties\b[^>]*?>", data)
    if root is None or root.group(0).endswith(b"/>"):
        raise Unsupported("unusual custom properties")
    pm = re.search(rb'\sxmlns:(\w+)\s*=\s*"' + re.escape(NS_VT.encode()) + b'"', root.group(0))
    vt = pm.group(1).decode() if pm else "vt"
    if pm is None:
        data = data[:root.end() - 1] + f' xmlns:vt="{NS_VT}"'.encode() + data[root.end() - 1:]
    pids = [int(p) for p in re.findall(rb'\spid="(\d+)"', data)]
    at = data.rfind(b"</Properties>")
    return data[:at] + prop(max(pids + [1]) + 1, vt).encode("utf-8") + data[at:]
