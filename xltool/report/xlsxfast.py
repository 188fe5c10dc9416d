"""The annotated copy of an .xlsx/.xlsm written at the package level, without loading it into openpyxl.

It writes a :class:`xltool.report.plan.Plan` (decided elsewhere) into a copy of the package, part by
part, editing only what the plan needs:

* ``xl/styles.xml``: new fills / fonts / borders / number formats and cell formats (a marked cell keeps
  its own format with the plan's fill); existing indexes never change;
* each sheet of the plan: the marked cells' style index, the recomputed columns, their widths and header
  merge; the notes go into the sheet's comments part and VML drawing — the existing ones when the sheet
  already has notes (their shapes are kept), new ones otherwise;
* a new first sheet 核查结果, ``xl/workbook.xml`` (sheet list, active tab, sheet-local defined names
  shifted by one), the relationships and content types;
* ``docProps/custom.xml``: the property that marks the copy as ours.

Sheets are streamed row by row, so memory stays flat whatever the size; the row patcher is exact for
everything well-formed XML allows (comments, CDATA, processing instructions, ``>`` in attribute values).
Elements are only ever inserted as children of the root of ``workbook.xml`` / a worksheet, in ECMA-376
order (``CT_Workbook`` / ``CT_Worksheet``), never inside an extension list. Everything else — charts,
images, data validation, conditional formats, macros, printer settings, other parts — is copied byte for
byte.

Parts written another way are streamed too, through a :class:`_View`: SpreadsheetML under a prefix
(``<x:worksheet xmlns:x=…>``, .NET's Open XML SDK) and Strict Open XML; what the writer adds takes the part's
own prefix and the package's namespaces and relationship types. A package without a style sheet gets one, a
style sheet without fonts (fills, borders, cell formats) gets them.

What this writer cannot do raises :class:`Unsupported` with a Chinese reason; ``fallback`` says whether the
openpyxl writer may write the plan instead (it then says so on 核查结果) or the copy is refused.
"""

from __future__ import annotations

import bisect
import html
import math
import posixpath
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable
from itertools import repeat
from pathlib import Path

from xltool import __version__
from xltool.cells import col_letter
from xltool.report.plan import (
    MARKER,
    NOTE_AUTHOR,
    NOTE_WIDTH,
    PLAIN,
    REVIEW_HEAD,
    FindingsSheet,
    Mark,
    Plan,
    Replacement,
    SheetPlan,
    Style,
    note_height,
)
from xltool.report.safe import atomic_write

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
RT = NS_R + "/"
RT_CUSTOM = RT + "custom-properties"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
CT_CUSTOM = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
CUSTOM_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"

CHUNK = 1 << 20
XML_DECL = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
LEVEL_SHEET = 1  # zlib level of rewritten sheets, deflated in a thread of their own (zlib releases the GIL)
LEVEL = 6  # every other part written anew

BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10,
                   "0.00E+00": 11, "@": 49}

# ECMA-376 Part 1, CT_Worksheet and CT_Workbook: the order of the root's children.
SHEET_ORDER = ("sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
               "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate",
               "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting", "dataValidations",
               "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks",
               "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing",
               "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems",
               "tableParts", "extLst")
WORKBOOK_ORDER = ("fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews", "sheets",
                  "functionGroups", "externalReferences", "definedNames", "calcPr", "oleSize",
                  "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes", "webPublishing",
                  "fileRecoveryPr", "webPublishObjects", "extLst")

# reasons, in Chinese (they reach the findings sheet and the report)
WHY_STRICT = "原文件采用 Strict（严格）Open XML 格式，本工具无法在不丢失原有内容的情况下写入其核查副本"
WHY_PREFIXED = "原文件的 XML 使用了命名空间前缀（如 x:worksheet），快速写入方式无法逐字保留"
WHY_UNUSUAL = "原文件的结构不常见（{}）"


class Unsupported(Exception):
    """The plan cannot be written by this writer; ``fallback``: the openpyxl writer may write it instead."""

    def __init__(self, reason: str, fallback: bool = True):
        super().__init__(reason)
        self.reason = reason
        self.fallback = fallback


def _unusual(what: str) -> Unsupported:
    return Unsupported(WHY_UNUSUAL.format(what))


# ------------------------------------------------------------------ small XML helpers

_BAD_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # safe.clean_text's characters, in one search


def _text(value: str) -> str:
    """Text for an XML text node or attribute (illegal characters dropped, escaped): ``clean_text`` (control
    characters dropped, 32,767 characters at most), then surrogates and non-characters dropped."""
    value = _BAD_XML.sub("", _CONTROL.sub("", value)[:32767])
    return html.escape(value, quote=True)


# One token of XML: a comment, CDATA, a processing instruction / declaration, or a tag (quotes respected).
_TOKEN = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<![A-Za-z][^>]*>"
                    rb"""|<(/?)([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)((?:[^>"']|"[^"]*"|'[^']*')*)>""", re.S)
_ATTR = re.compile(rb"""([\w.\-:]+)\s*=\s*("([^"]*)"|'([^']*)')""")


def _attrs(tag_body: bytes) -> dict[bytes, bytes]:
    return {m.group(1): (m.group(3) if m.group(3) is not None else m.group(4)) for m in _ATTR.finditer(tag_body)}


def _attr(tag: bytes, name: bytes) -> bytes | None:
    return _attrs(tag).get(name)


def _set_attr(tag: bytes, name: bytes, value: bytes) -> bytes:
    """Set an attribute in a start tag such as b'<c r="A1" s="3">'."""
    for m in _ATTR.finditer(tag):
        if m.group(1) == name:
            return tag[:m.start()] + name + b'="' + value + b'"' + tag[m.end():]
    end = len(tag) - (2 if tag.endswith(b"/>") else 1)
    return tag[:end] + b" " + name + b'="' + value + b'"' + tag[end:]


def _drop_attr(tag: bytes, name: bytes) -> bytes:
    for m in _ATTR.finditer(tag):
        if m.group(1) == name:
            start = m.start()
            while start > 0 and tag[start - 1:start].isspace():
                start -= 1
            return tag[:start] + tag[m.end():]
    return tag


class _Element:
    """A direct child of a root element: its qualified name, start tag and span."""

    __slots__ = ("name", "start", "end", "tag_end", "tag")

    def __init__(self, name: bytes, start: int, tag_end: int, tag: bytes):
        self.name, self.start, self.tag_end, self.tag, self.end = name, start, tag_end, tag, tag_end

    @property
    def local(self) -> str:
        return self.name.decode("ascii", "replace")


def _children(xml: bytes, pos: int, end: int | None = None) -> tuple[list[_Element], int]:
    """Direct children of the element whose content starts at ``pos``, and where its end tag starts.

    With ``end`` given, ``xml[pos:end]`` is the content (no end tag expected)."""
    stop = len(xml) if end is None else end
    depth = 0
    kids: list[_Element] = []
    cur = None
    for m in _TOKEN.finditer(xml, pos, stop):
        name = m.group(2)
        if name is None:
            continue
        if m.group(1):  # end tag
            if depth == 0:
                return kids, m.start()
            depth -= 1
            if depth == 0 and cur is not None:
                cur.end = m.end()
                cur = None
            continue
        empty = m.group(3).endswith(b"/")
        if depth == 0:
            el = _Element(name, m.start(), m.end(), m.group(0))
            kids.append(el)
            if not empty:
                cur = el
        if not empty:
            depth += 1
    if end is None or depth:
        raise _unusual("XML 元素不完整")
    return kids, stop


def _root(xml: bytes) -> tuple[bytes, re.Match]:
    """The root element's qualified name and start-tag match."""
    for m in _TOKEN.finditer(xml):
        if m.group(2) is not None and not m.group(1):
            return m.group(2), m
    raise _unusual("XML 无根元素")


def _namespace_of(tag: bytes) -> tuple[bytes, bytes | None]:
    """(prefix, namespace) of a root start tag."""
    name = re.match(rb"<([\w.\-:]+)", tag).group(1)
    prefix = name.split(b":")[0] if b":" in name else b""
    ns = _attrs(tag).get(b"xmlns:" + prefix if prefix else b"xmlns")
    return prefix, ns


def _check_namespace(xml: bytes, what: str) -> re.Match:
    _, m = _root(xml)
    prefix, ns = _namespace_of(m.group(0))
    if ns == NS_STRICT.encode():
        raise Unsupported(WHY_STRICT, fallback=False)
    if prefix:
        raise Unsupported(WHY_PREFIXED)
    if ns != NS_MAIN.encode():
        raise _unusual(f"{what} 的命名空间")
    return m


# ------------------------------------------------------------------ parts not written the plain way

NS_R_STRICT = "http://purl.oclc.org/ooxml/officeDocument/relationships"
NS_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
# Strict namespace → its Transitional twin, for the namespaces this writer reads or writes
_STRICT_URIS = ((NS_STRICT, NS_MAIN), (NS_R_STRICT, NS_R),
                ("http://purl.oclc.org/ooxml/officeDocument/customProperties", NS_CUSTOM),
                ("http://purl.oclc.org/ooxml/officeDocument/docPropsVTypes", NS_VT))
_UNPREFIXED = re.compile(rb"<(/?)(?=[A-Za-z_][\w.\-]*[\s/>])")  # a start or end tag of an unprefixed element


class _View:
    """How the writer sees a part whose SpreadsheetML is not written the plain way, and back.

    Two spellings are met in real files: a prefix bound to the main namespace (``<x:worksheet xmlns:x=…>``,
    ``<x:c>``: .NET's Open XML SDK and the systems built on it) and Strict Open XML (``http://purl.oclc.org/ooxml/…``
    namespaces). ``inn`` gives the plain form the rest of this module reads and edits — the main namespace's
    elements unprefixed, the prefix declaration turned into the default namespace, Transitional namespaces — and
    ``out`` turns the writer's output back, so the elements it adds take the part's own prefix and namespaces.
    The round trip is exact: ``inn`` refuses what ``out`` could not give back byte for byte (unprefixed elements
    beside prefixed ones, comments or CDATA in a prefixed part, a Strict part that also names Transitional
    namespaces). Both are stateless, so a streamed part may be cut anywhere between tags (see ``_cut``)."""

    def __init__(self, prefix: bytes, strict: bool, decl: bytes):
        self.prefix, self.strict = prefix, strict
        self.decl = decl  # the root's declaration of the prefix, as written (b' xmlns:x="…"')
        self.plain_decl = b' xmlns="' + NS_MAIN.encode() + b'"'
        if prefix:
            self._strip = re.compile(rb"<(/?)" + re.escape(prefix) + rb":(?=[A-Za-z_])")
            self._add = b"<\\1" + prefix + b":"
        self._swap = [(f'"{s}"'.encode(), f'"{t}"'.encode()) for s, t in _STRICT_URIS] + \
            [(f"'{s}'".encode(), f"'{t}'".encode()) for s, t in _STRICT_URIS] if strict else []

    def inn(self, data: bytes) -> bytes:
        for _, t in self._swap:
            if t in data:
                raise Unsupported(WHY_STRICT, fallback=False)
        if self.prefix:
            if _UNPREFIXED.search(data) is not None or b"<!--" in data or b"<![CDATA[" in data \
                    or self.plain_decl in data:
                raise Unsupported(WHY_PREFIXED, fallback=not self.strict)
            data = self._strip.sub(rb"<\1", data)
            if self.decl:
                data = data.replace(self.decl, self.plain_decl)
        for s, t in self._swap:
            data = data.replace(s, t)
        return data

    def out(self, data: bytes) -> bytes:
        if self.prefix:
            data = _UNPREFIXED.sub(self._add, data)
            if self.decl:
                data = data.replace(self.plain_decl, self.decl)
        for s, t in self._swap:
            data = data.replace(t, s)
        return data


def _view_of(data: bytes, what: str) -> _View | None:
    """The view of a part from its start (None: the plain way, SpreadsheetML as the default namespace)."""
    _, m = _root(data)
    tag = m.group(0)
    prefix, ns = _namespace_of(tag)
    if not prefix and ns == NS_MAIN.encode():
        return None
    if ns not in (NS_MAIN.encode(), NS_STRICT.encode()):
        raise _unusual(f"{what} 的命名空间")
    decl = b""
    if prefix:
        if prefix in (b"r", b"xlr", b"xml", b"xmlns") or b"xmlns" in _attrs(tag):
            raise Unsupported(WHY_PREFIXED)
        dm = re.search(rb"\sxmlns:" + re.escape(prefix) + rb"""\s*=\s*(?:"[^"]*"|'[^']*')""", tag)
        decl = dm.group(0)
    return _View(prefix, ns == NS_STRICT.encode(), decl)


def _cut(data: bytes) -> int:
    """Where ``data`` may be cut so that no tag is split: before a last "<" whose tag is not closed."""
    lt = data.rfind(b"<")
    return len(data) if lt < 0 or data.find(b">", lt) >= 0 else lt


class _ViewReader:
    """A ``_Reader`` seen through a view."""

    def __init__(self, reader, view: _View):
        self.reader, self.view, self.held = reader, view, b""

    def more(self) -> bytes | None:
        while True:
            chunk = self.reader.more()
            if chunk is None:
                data, self.held = self.held, b""
                return self.view.inn(data) if data else None
            data = self.held + chunk
            cut = _cut(data)
            self.held = data[cut:]
            if cut:
                return self.view.inn(data[:cut])


class _ViewWriter:
    """A ``write`` callable taking the plain form, writing the part's own (``close`` writes what is held)."""

    def __init__(self, write, view: _View):
        self._write, self.view, self.held = write, view, b""

    def write(self, data: bytes) -> None:
        data = self.held + data
        cut = _cut(data)
        self.held = data[cut:]
        if cut:
            self._write(self.view.out(data[:cut]))

    def close(self) -> None:
        if self.held:
            self._write(self.view.out(self.held))
            self.held = b""


def _part_head(zin: zipfile.ZipFile, name: str) -> bytes:
    """The first bytes of a part (enough for its root tag)."""
    with zin.open(name) as f:
        return f.read(1 << 16)


def _ns_prefix(tag: bytes, uri: str) -> bytes | None:
    for k, v in _attrs(tag).items():
        if k.startswith(b"xmlns:") and v == uri.encode():
            return k[6:]
    return None


def _insert_at(kids: list[_Element], close: int, element: str, order: tuple[str, ...]) -> int:
    """Where a new top-level ``element`` goes: before the first child the schema puts after it."""
    after = set(order[order.index(element) + 1:])
    for el in kids:
        if el.local in after:
            return el.start
    return close


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


# ------------------------------------------------------------------ styles.xml


class _Section:
    """A collection of the style sheet, as ``re.Match`` gives it: ``start()``, ``end()``, ``group(1)`` (its start
    tag's attributes) and ``group(2)`` (its content; None when it is written ``<name …/>``)."""

    __slots__ = ("_start", "_end", "_groups")

    def __init__(self, start: int, end: int, attrs: str, inner: str | None):
        self._start, self._end, self._groups = start, end, (None, attrs, inner)

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def group(self, k: int) -> str | None:
        return self._groups[k]


def _section(text: str, name: str) -> _Section | None:
    """The first ``<name …/>`` or ``<name …>…</name>`` of ``text``: what ``<name\b([^>]*?)(?:/>|>(.*?)</name>)``
    finds, found with ``str.find`` (the pattern's lazy scan took 0.13 s over 60,000 cell formats)."""
    opener = re.compile(rf"<{name}\b")
    close = f"</{name}>"
    pos = 0
    while (m := opener.search(text, pos)) is not None:
        gt = text.find(">", m.end())
        if gt < 0:
            return None
        if gt > m.end() and text[gt - 1] == "/":
            return _Section(m.start(), gt + 1, text[m.end():gt - 1], None)
        end = text.find(close, gt + 1)
        if end >= 0:
            return _Section(m.start(), end + len(close), text[m.end():gt], text[gt + 1:end])
        pos = m.start() + 1
    return None


_XF_ATTRS = {b"numFmtId", b"fontId", b"fillId", b"borderId", b"xfId", b"quotePrefix", b"pivotButton",
             b"applyNumberFormat", b"applyFont", b"applyFill", b"applyBorder", b"applyAlignment", b"applyProtection"}


# ECMA-376 Part 1, CT_Stylesheet: the order of the root's children; and the collections the marks need, as a
# style sheet without them gets them (index 0 of each: what Excel assumes when there is none)
STYLES_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
                "tableStyles", "colors", "extLst")
_STYLES_NEEDED = {
    "fonts": b'<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>',
    "fills": b'<fills count="2"><fill><patternFill patternType="none"/></fill>'
             b'<fill><patternFill patternType="gray125"/></fill></fills>',
    "borders": b'<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>',
    "cellStyleXfs": b'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>',
    "cellXfs": b'<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>',
}
_BARE_STYLES = XML_DECL + (f'<styleSheet xmlns="{NS_MAIN}"><cellStyles count="1">'
                           '<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>').encode()


def _complete_styles(data: bytes) -> bytes:
    """A style sheet with the collections the marks need, each missing one inserted in schema order."""
    missing = [n for n in _STYLES_NEEDED if re.search(rb"<" + n.encode() + rb"[\s/>]", data) is None]
    if not missing:
        return data
    _, root = _root(data)
    if root.group(0).endswith(b"/>"):
        tag = root.group(0)[:-2].rstrip() + b">"
        data = data[:root.start()] + tag + b"</" + root.group(2) + b">" + data[root.end():]
        _, root = _root(data)
    for name in missing:
        kids, close = _children(data, root.end())
        at = _insert_at(kids, close, name, STYLES_ORDER)
        data = data[:at] + _STYLES_NEEDED[name] + data[at:]
    return data


def _members(inner: str, child: str) -> int:
    """How many members a collection of the style sheet has: its ``child`` elements, and each
    ``mc:AlternateContent`` (HCell, WPS: one member written two ways)."""
    if "AlternateContent" not in inner:  # the usual case, in one search: each start tag, closed or not
        return sum(1 for _ in re.finditer(rf"<{child}\b[^>]*>", inner))
    data = inner.encode("utf-8")
    kids, _ = _children(data, 0, len(data))
    return sum(1 for k in kids if k.name == child.encode() or k.name.endswith(b":AlternateContent"))


class _Styles:
    """``xl/styles.xml`` with formats appended (existing indexes never change); collections the marks need
    are added when the style sheet has none."""

    _XF = re.compile(r"<xf\b[^>]*?/>|<xf\b[^>]*?>.*?</xf>", re.S)
    _XF_START = re.compile(r"<xf\b")
    _XF_EMPTY = re.compile(r"<xf\b[^>]*/>")

    def __init__(self, data: bytes):
        _check_namespace(data, "styles.xml")
        data = _complete_styles(data)
        try:
            self.text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise _unusual("styles.xml 不是 UTF-8 编码") from exc
        if "<!--" in self.text or "<![CDATA[" in self.text:
            raise _unusual("styles.xml 含注释")
        self.counts = {name: self._count(name) for name in ("fonts", "fills", "borders")}
        m = _section(self.text, "cellXfs")
        body = m.group(2) or ""
        # The cell formats are not parsed: a marked cell needs the one of its style only (_xf), and the count.
        self._xf_body, self._xfs = body, None
        self._xf_starts = [x.start() for x in self._XF_START.finditer(body)]
        if "AlternateContent" in body:  # each member's <xf>: of an mc:AlternateContent, the one of its Fallback
            inner = body.encode("utf-8")
            self._xfs = []
            for k in _children(inner, 0, len(inner))[0]:
                if k.name == b"xf" or k.name.endswith(b":AlternateContent"):
                    xfs = self._XF.findall(inner[k.start:k.end].decode("utf-8"))
                    if not xfs:
                        raise _unusual("styles.xml 的单元格格式不完整")
                    self._xfs.append(xfs[-1])
        elif "<extLst" in body or len(self._xf_starts) != body.count("</xf>") + len(self._XF_EMPTY.findall(body)):
            # an <xf> inside another's extension, or one not closed: each is where the pattern finds it
            self._xfs = self._XF.findall(body)
        self.counts["cellXfs"] = len(self._xfs) if self._xfs is not None else len(self._xf_starts)
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
            for tag in re.findall(r"<numFmt\b[^>]*>", nf.group(2) or ""):
                a = _attrs(tag.encode("utf-8"))
                fid, code = a.get(b"numFmtId"), a.get(b"formatCode")
                if fid is None or code is None or not fid.isdigit():
                    continue
                self.numfmts.setdefault(html.unescape(code.decode("utf-8")), int(fid))
                self.max_numfmt = max(self.max_numfmt, int(fid))
        self.new: dict[str, list[str]] = {"fonts": [], "fills": [], "borders": [], "cellXfs": [], "numFmts": []}
        self.cache: dict = {}
        self.by_id: dict[int, tuple[Style, int]] = {}  # style(): id of a Style → (the Style, its index)

    def _xf(self, s: int) -> str | None:
        """Cell format ``s`` of the style sheet as written (None when there is none)."""
        if not 0 <= s < self.counts["cellXfs"]:
            return None
        if self._xfs is not None:
            return self._xfs[s]
        return self._XF.match(self._xf_body, self._xf_starts[s]).group(0)

    def _count(self, name: str) -> int:
        m = _section(self.text, name)
        inner = m.group(2) or ""
        child = {"fonts": "font", "fills": "fill", "borders": "border", "cellXfs": "xf"}[name]
        return _members(inner, child)

    def _add(self, section: str, xml: str) -> int:
        key = (section, xml)
        if key not in self.cache:
            self.cache[key] = self.counts[section] + len(self.new[section])
            self.new[section].append(xml)
        return self.cache[key]

    def font(self, st: Style) -> int:
        parts = ["<b/>" if st.bold else "", '<u val="single"/>' if st.underline else "",
                 f'<sz val="{st.size or self.base_size}"/>', f'<color rgb="00{st.color}"/>' if st.color else "",
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

    def marked(self, s: int, rgb: str) -> int:
        """The format of cell style ``s`` with a solid ``rgb`` fill."""
        key = ("marked", s, rgb)
        if key in self.cache:
            return self.cache[key]
        fill = self.fill(rgb)
        base = self._xf(s) or '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        m = re.match(r"<xf\b[^>]*?/?>", base)
        start = m.group(0).encode()
        for name in [k for k in _attrs(start) if k not in _XF_ATTRS]:  # not in CT_Xf: not copied
            start = _drop_attr(start, name)
        start = _set_attr(start, b"fillId", str(fill).encode())
        start = _set_attr(start, b"applyFill", b"1")
        idx = self.counts["cellXfs"] + len(self.new["cellXfs"])
        self.new["cellXfs"].append(start.decode() + base[m.end():])
        self.cache[key] = idx
        return idx

    def style(self, st: Style) -> int:
        """The cell format of a cell this writer adds (looked up by the object first: a Style's hash and equality
        go over all its fields, and 核查结果 asks for one per cell)."""
        hit = self.by_id.get(id(st))
        if hit is not None and hit[0] is st:
            return hit[1]
        idx = self._style(st)
        self.by_id[id(st)] = (st, idx)  # the Style is held, so its id is not reused
        return idx

    def _style(self, st: Style) -> int:
        if st == PLAIN:
            return 0
        idx = self.cache.get(st)
        if idx is None:
            numfmt = self.numfmt(st.numfmt)
            font = self.font(st) if st.has_font else 0
            fill = self.fill(st.fill) if st.fill else 0
            border = self.border(st.border) if st.border else 0
            attrs = (f'numFmtId="{numfmt}" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0"'
                     + (' applyNumberFormat="1"' if numfmt else "") + (' applyFont="1"' if font else "")
                     + (' applyFill="1"' if fill else "") + (' applyBorder="1"' if border else ""))
            if st.has_alignment:
                al = "".join((f' horizontal="{st.halign}"' if st.halign else "",
                              f' vertical="{st.valign}"' if st.valign else "", ' wrapText="1"' if st.wrap else ""))
                idx = self._add("cellXfs", f'<xf {attrs} applyAlignment="1"><alignment{al}/></xf>')
            else:
                idx = self._add("cellXfs", f"<xf {attrs}/>")
            self.cache[st] = idx
        return idx

    def render(self) -> bytes:
        """The style sheet with the added members, each collection's count made right; the text is put
        together once (each collection rebuilt the whole text before: 0.1 s for 60,000 cell formats)."""
        text = self.text
        pieces: list[tuple[int, int, list[str]]] = []  # (start, end, what goes there), in the text as read
        for name, child in (("numFmts", "numFmt"), ("fonts", "font"), ("fills", "fill"), ("borders", "border"),
                            ("cellXfs", "xf")):
            added = self.new[name]
            if not added:
                continue
            m = _section(text, name)
            if m is None:  # numFmts only: goes first in the style sheet
                first = re.search(r"<(fonts|fills|borders|cellStyleXfs|cellXfs)\b", text)
                pieces.append((first.start(), first.start(), [f'<numFmts count="{len(added)}">', *added, "</numFmts>"]))
                continue
            inner = m.group(2) or ""
            total = _members(inner, child) + len(added)
            attrs = _drop_attr(m.group(1).encode(), b"count").decode()
            pieces.append((m.start(), m.end(), [f'<{name} count="{total}"{attrs}>', inner, *added, f"</{name}>"]))
        out: list[str] = []
        at = 0
        for start, end, what in sorted(pieces, key=lambda p: (p[0], p[1])):
            out.append(text[at:start])
            out.extend(what)
            at = end
        out.append(text[at:])
        return "".join(out).encode("utf-8")


# ------------------------------------------------------------------ cells


def _cell_xml(ref: str, value, s: int) -> bytes:
    st = f' s="{s}"' if s else ""
    if value is None:
        return f'<c r="{ref}"{st}/>'.encode()
    if isinstance(value, bool):
        return f'<c r="{ref}"{st} t="b"><v>{int(value)}</v></c>'.encode()
    if isinstance(value, int):
        return f'<c r="{ref}"{st}><v>{value}</v></c>'.encode()
    if isinstance(value, float) and math.isfinite(value):
        return f'<c r="{ref}"{st}><v>{value!r}</v></c>'.encode()
    text = value if isinstance(value, str) else str(value)
    return f'<c r="{ref}"{st} t="inlineStr"><is><t xml:space="preserve">{_text(text)}</t></is></c>'.encode("utf-8")


_CELL_REF = re.compile(rb"""\sr\s*=\s*["']([A-Z]{1,3})(\d+)["']""")
_ROW_NUM = re.compile(rb"""\sr\s*=\s*["'](\d+)["']""")
_SPANS = re.compile(rb"""\sspans\s*=\s*(?:"[^"]*"|'[^']*')""")


_NONE = object()


class _SheetPatch:
    """The plan of one sheet, ready for the row patcher: per column the pieces of its cells pre-rendered; a
    row's added cells are rendered when the row is written (no per-row lists held for the whole sheet)."""

    def __init__(self, sp: SheetPlan, styles: _Styles):
        self.marks: dict[int, dict[int, Mark]] = defaultdict(dict)
        for (r, c), mark in sp.marks.items():
            self.marks[r][c] = mark
        self.values: dict[int, dict[int, Replacement]] = defaultdict(dict)  # the corrected copy's new contents
        for (r, c), rep in sp.values.items():
            self.values[r][c] = rep
        # per column, left to right: (col, header row, header <c> xml, "<c r=\"X", attributes, style, values, texts)
        self.cols: list[tuple[int, int, bytes, bytes, bytes, int, dict, dict[str, bytes]]] = []
        rows = set(self.marks) | set(self.values)
        self.edited = frozenset(rows)  # rows whose own cells change (marks, corrected values): through edit_row
        for col in sorted(sp.columns, key=lambda k: k.col):
            letter = col_letter(col.col)
            head = styles.style(REVIEW_HEAD)
            hr = col.header[0]
            s = styles.style(col.style)
            start = b'<c r="' + letter.encode()
            attrs = b'" s="%d"' % s if s else b'"'
            # grades and the like repeat: each text escaped once
            self.cols.append((col.col, hr, _cell_xml(f"{letter}{hr + 1}", col.title, head), start, attrs, s,
                              col.values, {}))
            rows.add(hr)
            rows.update(col.values)
        self.rows = sorted(rows)
        self.planned = frozenset(rows)
        self.styles = styles
        self.shown: dict[int, dict[str, str]] = {}  # per column: texts rendered before (str, for added_rows)
        # the bulk path: a cell left of every added column is any reference matching none of this; none to look
        # for when the scan before the read saw every cell written '<c r="…' left of the first added column
        first = min(c[0] for c in self.cols) if self.cols else None
        self.odd_cell = None if sp.plain_cols is not None and first is not None and sp.plain_cols <= first else \
            _cells_from(first)

    def added(self, r: int) -> list[tuple[int, bytes]]:
        """The cells the plan adds on row ``r``: [(col, <c> xml)], in column order."""
        out = []
        for col in self.cols:
            xml = self._one(r, *col)
            if xml is not None:
                out.append((col[0], xml))
        return out

    def added_rows(self, rs: list[int]) -> list[bytes]:
        """``added(r)``'s cells joined, for each row of ``rs``: column by column over the rows, then row by row in
        one join. A column of finite floats (the usual recomputed figure) or of texts (grades) is rendered in
        one pass; anything else cell by cell as ``added`` renders it."""
        columns = []
        numbers = None  # the rows' numbers as text, made once for all columns
        for col in self.cols:
            c, hr, head, start, attrs, s, values, texts = col
            st, at = start.decode(), attrs.decode()
            shown = self.shown.setdefault(c, {})
            vals = list(map(values.get, rs, repeat(_NONE)))
            kinds = set(map(type, vals))
            cells = None
            if hr not in rs and len(kinds) == 1:
                if numbers is None:
                    numbers = list(map(str, map((1).__add__, rs)))
                if kinds == {float} and math.isfinite(sum(vals)):
                    cells = [f"{st}{n}{at}><v>{x}</v></c>" for n, x in zip(numbers, map(repr, vals))]
                elif kinds == {str}:
                    for w in set(vals).difference(shown):
                        texts[w] = f'<is><t xml:space="preserve">{_text(w)}</t></is></c>'.encode("utf-8")
                        shown[w] = texts[w].decode("utf-8")
                    cells = [f'{st}{n}{at} t="inlineStr">{x}' for n, x in zip(numbers, map(shown.__getitem__, vals))]
            if cells is None:
                cells = [f"{st}{r + 1}{at}><v>{v!r}</v></c>" if type(v) is float and v - v == 0 and r != hr else
                         f'{st}{r + 1}{at} t="inlineStr">{shown[v]}' if type(v) is str and v in shown and r != hr else
                         None
                         for r, v in zip(rs, vals)]
                for i, cell in enumerate(cells):
                    if cell is None:
                        x = self._one(rs[i], *col)
                        cells[i] = "" if x is None else x.decode("utf-8")
                        v = values.get(rs[i])
                        if type(v) is str and v in texts:
                            shown[v] = texts[v].decode("utf-8")
            columns.append(cells)
        if not columns:
            return [b""] * len(rs)
        return ["".join(row).encode("utf-8") for row in zip(*columns)]

    def _one(self, r, c, hr, head, start, attrs, s, values, texts) -> bytes | None:
        if r == hr:
            return head
        v = values.get(r, _NONE)
        if v is _NONE:
            return None
        if type(v) is float and math.isfinite(v):
            return b"%s%d%s><v>%s</v></c>" % (start, r + 1, attrs, repr(v).encode())
        if type(v) is str:
            t = texts.get(v)
            if t is None:
                t = texts[v] = f'<is><t xml:space="preserve">{_text(v)}</t></is></c>'.encode("utf-8")
            return b'%s%d%s t="inlineStr">%s' % (start, r + 1, attrs, t)
        return _cell_xml(f"{col_letter(c)}{r + 1}", v, s)

    def new_row(self, r: int) -> bytes:
        return self.edit_row(f'<row r="{r + 1}">'.encode(), b"", r)

    def mark_plain_row(self, start: bytes, inner: bytes, r: int) -> bytes | None:
        """A row of the bulk path (every cell written '<c r="…', left of the added columns) whose only change is
        marks: each marked cell restyled where it stands, the added cells appended; without "</row>". None when
        the row needs ``edit_row`` (a corrected value, a marked cell that is absent or out of order)."""
        if r in self.values:
            return None
        marks = self.marks[r]
        out = []
        at = 0
        for c in sorted(marks):
            i = inner.find(b'<c r="%s"' % _ref(r, c).encode(), at)
            m = _TOKEN.match(inner, i) if i >= 0 else None
            if m is None:
                return None
            tag = m.group(0)
            s = _attrs(tag).get(b"s")
            out += (inner[at:i], _set_attr(tag, b"s", b"%d" % self.styles.marked(int(s) if s and s.isdigit() else 0,
                                                                                marks[c].fill)))
            at = m.end()
        out.append(inner[at:])
        out += [x for _, x in self.added(r)]
        return (_SPANS.sub(b"", start, 1) if b"spans" in start else start) + b"".join(out)

    def edit_row(self, row_start: bytes, inner: bytes, r: int) -> bytes:
        """A row with its marked cells restyled and the added cells put in column order."""
        row = _SPANS.sub(b"", row_start, 1) if b"spans" in row_start else row_start  # the old hint may be too narrow
        if row.endswith(b"/>"):
            row = row[:-2].rstrip() + b">"
        marks = self.marks.get(r)
        values = self.values.get(r)
        added = self.added(r)
        exotic = b"<!" in inner or b"<?" in inner
        if not marks and not values and not exotic:
            # the usual case: recomputed cells right of every cell of the row, appended as they are
            last = _last_cell_start(inner)
            right = -1
            if last >= 0:
                m = _CELL_REF.search(inner, last, inner.find(b">", last) + 1)
                right = _col_index(m.group(1)) if m is not None else None
            if right is not None and (not added or added[0][0] > right) and b"<extLst" not in inner:
                return b"".join([row, inner, *[x for _, x in added], b"</row>"])
        # the exact path: the row's children, one by one
        kids, _ = _children(inner, 0, len(inner))
        found: dict[int, bytes] = {}
        rest: list[bytes] = []
        prev = -1
        for el in kids:
            if el.name != b"c":
                rest.append(inner[el.start:el.end])
                continue
            ref = _attrs(el.tag).get(b"r")
            pos = _parse_ref(ref) if ref is not None else None
            c = pos[1] if pos is not None else prev + 1
            if pos is not None and pos[0] != r:
                raise _unusual("单元格地址与所在行不符")
            found[c] = inner[el.start:el.end]
            prev = c
        for c, xml in added:
            found[c] = xml
        for c, rep in (values or {}).items():
            found[c] = _replaced(found.get(c), _ref(r, c), rep)
        for c, mark in (marks or {}).items():
            cell = found.get(c)
            if cell is None:
                found[c] = _cell_xml(_ref(r, c), None, self.styles.marked(0, mark.fill))
                continue
            m = _TOKEN.match(cell)
            tag = m.group(0)
            s = _attrs(tag).get(b"s")
            new_s = self.styles.marked(int(s) if s and s.isdigit() else 0, mark.fill)
            tag = _set_attr(tag, b"s", str(new_s).encode())
            if _attrs(tag).get(b"r") is None:
                tag = _set_attr(tag, b"r", _ref(r, c).encode())
            found[c] = tag + cell[m.end():]
        return row + b"".join(found[c] for c in sorted(found)) + b"".join(rest) + b"</row>"


_F_ELEMENT = re.compile(rb"<f\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*?(?:/>|>.*?</f>)", re.S)


def _replaced(cell: bytes | None, ref: str, rep: Replacement) -> bytes:
    """A cell of the corrected copy: ``cell`` (its XML, None when absent) with the new content of ``rep``.

    The cell keeps its position and format (``s``); its type follows the new value. Whatever it held — a shared
    or inline string, a number, a boolean, a formula (the master of a shared one too) — goes."""
    if rep.keep_value:  # a shared formula's dependant, written out: only its <f> changes
        if cell is None or _F_ELEMENT.search(cell) is None:
            raise _unusual("共享公式的从属单元格缺失")
        return _F_ELEMENT.sub(lambda m: b"<f>" + _text(rep.formula).encode("utf-8") + b"</f>", cell, count=1)
    s = None
    if cell is not None:
        s = _attrs(_TOKEN.match(cell).group(0)).get(b"s")
    st = b' s="' + s + b'"' if s else b""
    f = b"<f>" + _text(rep.formula).encode("utf-8") + b"</f>" if rep.formula else b""
    v = rep.value
    head = b'<c r="' + ref.encode() + b'"' + st
    if isinstance(v, bool):
        return head + b' t="b">' + f + b"<v>%d</v></c>" % int(v)
    if isinstance(v, (int, float)) and math.isfinite(v):
        x = float(v)
        num = b"%d" % int(x) if x.is_integer() and abs(x) < 1e15 else repr(x).encode()
        return head + b">" + f + b"<v>" + num + b"</v></c>"
    if v is None or v == "":
        return head + (b">" + f + b"</c>" if f else b"/>")
    text = _text(v if isinstance(v, str) else str(v)).encode("utf-8")
    if f:
        return head + b' t="str">' + f + b"<v>" + text + b"</v></c>"
    return head + b' t="inlineStr"><is><t xml:space="preserve">' + text + b"</t></is></c>"


def _cells_from(col: int | None) -> re.Pattern:
    """A cell not written '<c r="X1"' with column X plainly left of column ``col`` (0-based; None: any
    column): a column at or right of it, a lower-case or odd reference, a cell without r or with another
    attribute first, another separator, a namespace prefix."""
    name = col_letter(col) if col is not None else "XFE"
    below = [b"[A-Z]{1,%d}" % (len(name) - 1)] if len(name) > 1 else []
    for i, ch in enumerate(name):
        if ch != "A":
            below.append(b"%s[A-%s][A-Z]{%d}" % (name[:i].encode(), chr(ord(ch) - 1).encode(), len(name) - i - 1))
    plain = rb' r="(?:%s)[0-9]' % b"|".join(below) if below else rb"(?!)"
    return re.compile(rb"<c(?=[\s>/])(?!%s)" % plain)


_PREFIXED_CELL = re.compile(rb":c[\s>/]")


def _last_cell_start(inner: bytes) -> int:
    at = len(inner)
    while True:
        at = inner.rfind(b"<c", 0, at)
        if at < 0 or inner[at + 2:at + 3] in (b" ", b"\t", b"\r", b"\n", b"/", b">"):
            return at


# ------------------------------------------------------------------ streaming a worksheet


class _Reader:
    """Decompressed bytes of a zip member, in chunks, with a hard size limit."""

    def __init__(self, zf: zipfile.ZipFile, name: str):
        from xltool.io.safety import DEFAULT_LIMITS, iter_member

        self.it = iter(iter_member(zf, name, DEFAULT_LIMITS.max_member, chunk_size=CHUNK))

    def more(self) -> bytes | None:
        return next(self.it, None)


def _unselect(xml: bytes) -> bytes:
    """Every sheet view of an original sheet says tabSelected="0": only 核查结果 is selected (a chart sheet
    is not seen through a view: its prefix, if any, is matched here)."""
    return re.sub(rb"<(?:[\w.\-]+:)?sheetView\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>",
                  lambda m: _set_attr(m.group(0), b"tabSelected", b"0"), xml)


def _set_widths(head: bytes, kids: list[_Element], close: int, widths: dict[int, float]) -> bytes:
    cols: list[tuple[int, int, bytes]] = []  # min, max, attributes other than min/max
    el = next((k for k in kids if k.name == b"cols"), None)
    if el is not None:
        inner = head[el.tag_end:el.end] if not el.tag.endswith(b"/>") else b""
        for cm in re.finditer(rb"<col\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*?)/?>", inner):
            attrs = cm.group(1)
            a = _attrs(attrs)
            lo, hi = a.get(b"min"), a.get(b"max")
            if lo is None or hi is None or not lo.isdigit() or not hi.isdigit():
                raise _unusual("列宽定义缺少范围")
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
    if el is not None:
        return head[:el.start] + block + head[el.end:]
    at = _insert_at(kids, close, "cols", SHEET_ORDER)
    return head[:at] + block + head[at:]


def _dimension(head: bytes, kids: list[_Element], cells) -> bytes:
    el = next((k for k in kids if k.name == b"dimension"), None)
    if el is None or not cells:
        return head
    ref = _attrs(el.tag).get(b"ref")
    if ref is None:
        return head
    ends = [p for p in (_parse_ref(x) for x in ref.split(b":")) if p is not None]
    if not ends:
        return head
    r0 = min([e[0] for e in ends] + [r for r, _ in cells])
    c0 = min([e[1] for e in ends] + [c for _, c in cells])
    r1 = max([e[0] for e in ends] + [r for r, _ in cells])
    c1 = max([e[1] for e in ends] + [c for _, c in cells])
    tag = _set_attr(el.tag, b"ref", f"{_ref(r0, c0)}:{_ref(r1, c1)}".encode())
    return head[:el.start] + tag + head[el.tag_end:]


def _extent(sp: SheetPlan) -> list[tuple[int, int]]:
    """Corners of what the plan writes on a sheet."""
    out = list(sp.marks)
    for col in sp.columns:
        rows = [col.header[0], col.header[1]] + list(col.values)
        out += [(min(rows), col.col), (max(rows), col.col)]
    return out


def _head_edits(head: bytes, sp: SheetPlan | None, need_r: bool) -> tuple[bytes, bytes]:
    """The part of a worksheet before <sheetData>, edited; and the prefix bound to the relationships namespace."""
    root = _check_namespace(head + b"</worksheet>", "工作表")
    head = _unselect(head)
    prefix = _ns_prefix(root.group(0), NS_R)
    if sp is None:
        return head, prefix or b"r"
    kids, close = _children(head, root.end(), len(head))
    head = _dimension(head, kids, _extent(sp))
    if sp.widths:
        kids, close = _children(head, root.end(), len(head))
        head = _set_widths(head, kids, close, sp.widths)
    if need_r and prefix is None:
        tag = root.group(0)
        prefix = b"r"
        if b"xmlns:r" in _attrs(tag):
            prefix = b"xlr"
        head = head[:root.end() - 1] + b' xmlns:' + prefix + b'="' + NS_R.encode() + b'"' + head[root.end() - 1:]
    return head, prefix or b"r"


_ROW_START = re.compile(rb"""<row\b(?:[^>"']|"[^"]*"|'[^']*')*>""")
BULK = True  # whole runs of plain rows at once (tests turn it off to compare with the rows one by one)
_ROW_START_R = re.compile(rb"""(<row r="([0-9]+)"(?:[^>"']|"[^"]*"|'[^']*')*>)""")


def _bulk_rows(region: bytes, patch: _SheetPatch, prev: int):
    """``region`` (whole rows, from "<row" to "</row>") cut into its rows, when every row is written the
    plain way (Excel's, WPS's, openpyxl's): rows back to back, each start tag beginning with r="N", rows in
    increasing order after ``prev``, every cell '<c r="…', left of the columns the plan adds; no comments,
    processing instructions, CDATA or extLst. Else None (the rows go one by one)."""
    n = region.count(b"</row>")
    if (region.count(b"<row") != n or region.count(b"</row><row") != n - 1
            or (b"!" in region and b"<!" in region) or (b"?" in region and b"<?" in region)
            or b"extLst" in region or b"</sheetData" in region
            or (patch.odd_cell is not None and (patch.odd_cell.search(region) is not None
                                                or _PREFIXED_CELL.search(region) is not None))):
        return None
    found = _ROW_START_R.findall(region)
    if len(found) != n:
        return None
    starts = [x[0] for x in found]
    rows = [int(x[1]) - 1 for x in found]
    if rows[0] <= prev or any(a >= b for a, b in zip(rows, rows[1:])):
        return None
    return starts, region.split(b"</row>"), rows


def rewrite_sheet(reader: _Reader, write, *, sp: SheetPlan | None, patch: _SheetPatch | None,
                  legacy_rid: str | None, legacy_exists: bool, rowmap=None) -> None:
    """Stream one worksheet from ``reader`` to ``write`` with the plan applied. ``rowmap``: where the part's
    rows start (``io.rowmap.RowMap``, made during the read and checked to be of these very bytes): runs of
    rows are then sliced, not cut."""
    buf = b""
    while True:
        i = buf.find(b"<sheetData")
        j = buf.find(b">", i) if i >= 0 else -1
        if j >= 0:
            break
        chunk = reader.more()
        if chunk is None:
            _check_namespace(buf, "工作表")  # a prefixed sheet says so
            raise _unusual("工作表缺少 sheetData")
        buf += chunk
    head, sd_tag, buf = buf[:i], buf[i:j + 1], buf[j + 1:]
    base = j + 1  # offset of buf[0] in the part
    head, prefix = _head_edits(head, sp, legacy_rid is not None and not legacy_exists)
    write(head)
    if patch is None:
        write(sd_tag)
        write(buf)
        while (chunk := reader.more()) is not None:
            write(chunk)
        return

    rows = patch.rows
    k = 0  # next of rows not yet written
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

    def more() -> bool:
        nonlocal buf, pos, one_by_one, base
        chunk = reader.more()
        if chunk is None:
            return False
        buf = buf[pos:] + chunk
        one_by_one -= pos
        base += pos
        pos = 0
        return True

    def bulk(lt: int, end: int) -> bool:
        """Whole rows buf[lt:end] at once: rows the plan does not touch are copied as they are, rows that
        only gain added cells get them before </row>, rows with marks go through the plain-row marker (or
        edit_row). The run is written as one join over its rows (no per-row call)."""
        nonlocal k, prev
        cut = None
        if rowmap is not None:
            cut = rowmap.cut(buf[lt:end], base + lt, prev)
        if cut is None:
            cut = _bulk_rows(buf[lt:end], patch, prev)
        if cut is None:
            return False
        starts, pieces, nums = cut  # pieces: each row without its "</row>", and b"" after the last
        if lt > pos:
            emit(buf[pos:lt])
        nrows = len(rows)
        while k < nrows and rows[k] < nums[0]:  # rows of the plan missing from the sheet, before this run
            emit(patch.new_row(rows[k]))
            k += 1
        top = bisect.bisect_right(rows, nums[-1], k)
        planned = patch.planned
        here = [i for i, r in enumerate(nums) if r in planned]
        if len(here) != top - k:  # a row of the plan missing inside the run: row by row, in order
            return _bulk_with_gaps(starts, pieces, nums)
        edited = patch.edited
        plain = [i for i in here if nums[i] not in edited] if edited else here
        if plain:
            added = patch.added_rows([nums[i] for i in plain])
            if b"spans" in buf[lt:end]:  # the old hint may be too narrow: dropped from the rows that widen
                olds = [starts[i] for i in plain]
                news = _SPANS.sub(b"", b"\0".join(olds)).split(b"\0")  # one pass (no "\0" in XML)
                for i, old, new, a in zip(plain, olds, news, added):
                    pieces[i] = new + pieces[i][len(old):] + a
            else:
                for i, a in zip(plain, added):
                    pieces[i] += a
        if len(plain) != len(here):
            for i in here:
                r = nums[i]
                if r in edited:
                    start = starts[i]
                    inner = pieces[i][len(start):]
                    row = patch.mark_plain_row(start, inner, r)
                    if row is None:
                        row = patch.edit_row(start, inner, r)[:-6]  # without its "</row>"
                    pieces[i] = row
        emit(b"</row>".join(pieces))
        k = top
        prev = nums[-1]
        return True

    def _bulk_with_gaps(starts, pieces, nums) -> bool:
        nonlocal k, prev
        edited = patch.edited
        plain = [r for r in nums if r in patch.planned and r not in edited]  # rows that only gain added cells
        added = iter(patch.added_rows(plain))
        end = len(rows)
        nxt = rows[k] if k < end else -1  # the next row of the plan not yet written (-1: none)
        for i, r in enumerate(nums):
            if r < nxt or nxt < 0:
                emit(pieces[i] + b"</row>")
                continue
            while k < end and rows[k] < r:  # rows of the plan missing from the sheet
                emit(patch.new_row(rows[k]))
                k += 1
            if k == end or rows[k] != r:
                emit(pieces[i] + b"</row>")
            else:
                start = starts[i]
                if r in edited:
                    emit(patch.edit_row(start, pieces[i][len(start):], r))
                elif b"spans" in start:
                    emit(b"".join([_SPANS.sub(b"", start, 1), pieces[i][len(start):], next(added), b"</row>"]))
                else:
                    emit(b"".join([pieces[i], next(added), b"</row>"]))
                k += 1
            nxt = rows[k] if k < end else -1
        prev = nums[-1]
        return True

    pos = 0
    one_by_one = -1  # rows starting before this offset of buf go one by one (the bulk path declined them)
    if sd_tag.endswith(b"/>"):
        emit(b"<sheetData>")
        for r in rows:
            emit(patch.new_row(r))
        emit(b"</sheetData>")
        tail = buf[pos:]
    else:
        emit(sd_tag)
        prev = -1
        while True:
            lt = buf.find(b"<", pos)
            if lt < 0 or lt + 12 > len(buf):
                if not more():
                    raise _unusual("工作表在 sheetData 中结束")
                continue
            if buf.startswith(b"</sheetData", lt):
                gt = buf.find(b">", lt)
                if gt < 0:
                    if not more():
                        raise _unusual("工作表不完整")
                    continue
                while k < len(rows):
                    emit(patch.new_row(rows[k]))
                    k += 1
                emit(buf[pos:gt + 1])
                tail = buf[gt + 1:]
                break
            if buf.startswith(b"<!--", lt) or buf.startswith(b"<?", lt):  # between rows: kept as it is
                stop = buf.find(b"-->" if buf[lt + 1] == 33 else b"?>", lt + 2)
                if stop < 0:
                    if not more():
                        raise _unusual("注释不完整")
                    continue
                pos = stop + (3 if buf[lt + 1] == 33 else 2)
                emit(buf[lt:pos])
                continue
            if not buf.startswith(b"<row", lt):
                raise _unusual("sheetData 中有非行元素")
            if BULK and lt >= one_by_one:
                last = buf.rfind(b"</row>")
                if last > lt:
                    if bulk(lt, last + 6):
                        pos = last + 6
                        continue
                    one_by_one = last + 6
            sm = _ROW_START.match(buf, lt)
            if sm is None:
                if not more():
                    raise _unusual("行不完整")
                continue
            start, gt = sm.group(0), sm.end()
            if start.endswith(b"/>"):
                end, inner = gt, b""
            else:
                close = buf.find(b"</row>", gt)
                if close >= 0 and (buf.find(b"<!", gt, close) >= 0 or buf.find(b"<?", gt, close) >= 0):
                    close = _row_close(buf, gt)  # CDATA / comments may hold "</row>": the exact end
                if close < 0:
                    if not more():
                        raise _unusual("行不完整")
                    continue
                end = close + 6
                inner = buf[gt:close]
            rm = _ROW_NUM.search(start)
            r = int(rm.group(1)) - 1 if rm else prev + 1
            while k < len(rows) and rows[k] < r:
                emit(patch.new_row(rows[k]))
                k += 1
            if lt > pos:
                emit(buf[pos:lt])
            if k < len(rows) and rows[k] == r:
                emit(patch.edit_row(start, inner, r))
                k += 1
            else:
                emit(buf[lt:end])
            prev = r
            pos = end
    while (chunk := reader.more()) is not None:
        tail += chunk
    emit(_tail_edits(tail, sp, legacy_rid, legacy_exists, prefix))
    write(b"".join(out))


def _row_close(buf: bytes, pos: int) -> int:
    """Start of the end tag of the row whose content starts at ``pos`` (-1: not in ``buf`` yet)."""
    depth = 0
    for m in _TOKEN.finditer(buf, pos):
        if m.group(2) is None:
            continue
        if m.group(1):
            if depth == 0:
                return m.start() if m.group(2) == b"row" else -2
            depth -= 1
        elif not m.group(3).endswith(b"/"):
            depth += 1
    return -1


def _tail_edits(tail: bytes, sp: SheetPlan, legacy_rid: str | None, legacy_exists: bool, prefix: bytes) -> bytes:
    """``tail`` follows </sheetData>: add merges and the legacyDrawing as top-level elements, in order."""
    start = 0
    kids, close = _children(tail, start)
    merges = sp.merges
    if merges:
        refs = b"".join(b'<mergeCell ref="%s:%s"/>' % (_ref(r0, c0).encode(), _ref(r1, c1).encode())
                        for r0, c0, r1, c1 in merges)
        el = next((k for k in kids if k.name == b"mergeCells"), None)
        if el is not None and not el.tag.endswith(b"/>"):
            inner = tail[el.tag_end:el.end - len(b"</mergeCells>")]
            n = len(re.findall(rb"<mergeCell\b", inner)) + len(merges)
            new = _set_attr(el.tag, b"count", str(n).encode()) + inner + refs + b"</mergeCells>"
        else:
            new = b'<mergeCells count="%d">' % len(merges) + refs + b"</mergeCells>"
        if el is not None:
            tail = tail[:el.start] + new + tail[el.end:]
        else:
            at = _insert_at(kids, close, "mergeCells", SHEET_ORDER)
            tail = tail[:at] + new + tail[at:]
        kids, close = _children(tail, start)
    has_legacy = any(k.name == b"legacyDrawing" for k in kids)
    if legacy_rid is not None and has_legacy != legacy_exists:  # (notes untouched: the sheet's own drawing stays)
        raise _unusual("批注绘图与关系不一致")
    if legacy_rid is not None and not legacy_exists:
        at = _insert_at(kids, close, "legacyDrawing", SHEET_ORDER)
        tail = tail[:at] + b"<legacyDrawing " + prefix + b':id="' + legacy_rid.encode() + b'"/>' + tail[at:]
    return tail


_SHEETDATA_END = re.compile(rb"</sheetData\s*>|<sheetData\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*/>")


def _legacy_rid(zin: zipfile.ZipFile, part: str, view: _View | None = None) -> bytes | None:
    """The r:id of a worksheet's <legacyDrawing> (read from the part's end), or None."""
    tail = b""
    seen = False
    reader = _ViewReader(_Reader(zin, part), view) if view else _Reader(zin, part)
    while (chunk := reader.more()) is not None:
        tail += chunk
        last = None
        for last in _SHEETDATA_END.finditer(tail):
            pass
        if last is not None:
            tail, seen = tail[last.end():], True
        elif not seen:
            tail = tail[-64:]
    if not seen:
        raise _unusual("工作表缺少 sheetData")
    kids, _ = _children(tail, 0)
    el = next((k for k in kids if k.name == b"legacyDrawing"), None)
    if el is None:
        return None
    for k, v in _attrs(el.tag).items():
        if k.endswith(b":id"):
            return v
    raise _unusual("批注绘图缺少关系编号")


# ------------------------------------------------------------------ notes: comments part and VML drawing


def _comment_xml(ref: str, author: int, text: str) -> str:
    return (f'<comment ref="{ref}" authorId="{author}"><text><t xml:space="preserve">{_text(text)}</t></text>'
            f"</comment>")


def _comments_new(notes: dict[tuple[int, int], str]) -> bytes:
    items = [_comment_xml(_ref(r, c), 0, notes[(r, c)]).encode("utf-8") for (r, c) in sorted(notes)]
    return b"".join([XML_DECL, (f'<comments xmlns="{NS_MAIN}"><authors><author>{NOTE_AUTHOR}</author></authors>'
                                "<commentList>").encode("utf-8"), *items, b"</commentList></comments>"])


def _comments_merge(data: bytes, marks: dict[tuple[int, int], Mark]) -> tuple[bytes, dict[tuple[int, int], str]]:
    """Our notes added to an existing comments part: a cell's own note is kept and ours follows it.

    Returns the part and the full note text of each marked cell."""
    from defusedxml import ElementTree as ET

    root = _check_namespace(data, "批注")
    kids, _ = _children(data, root.end())
    authors = next((k for k in kids if k.name == b"authors"), None)
    clist = next((k for k in kids if k.name == b"commentList"), None)
    if authors is None or clist is None or authors.tag.endswith(b"/>"):
        raise _unusual("批注部件缺少作者或批注列表")
    try:
        tree = ET.fromstring(data)
    except Exception as exc:
        raise _unusual("批注部件无法解析") from exc
    ns = "{" + NS_MAIN + "}"
    names = [(a.text or "") for a in tree.iter(ns + "author")]
    texts: dict[tuple[int, int], str] = {}
    for com in tree.iter(ns + "comment"):
        pos = _parse_ref((com.get("ref") or "").split(":")[0].encode())
        if pos is not None:
            text = com.find(ns + "text")
            texts[pos] = "".join(t.text or "" for t in text.iter(ns + "t") if t not in _phonetic(text, ns)) \
                if text is not None else ""
    edits: list[tuple[int, int, bytes]] = []  # start, end, replacement (in data)
    if NOTE_AUTHOR in names:
        author = names.index(NOTE_AUTHOR)
    else:
        author = len(names)
        at = authors.end - len(b"</authors>")
        edits.append((at, at, f"<author>{NOTE_AUTHOR}</author>".encode()))
    notes: dict[tuple[int, int], str] = {}
    new = []
    existing = set()
    if not clist.tag.endswith(b"/>"):
        ckids, _ = _children(data, clist.tag_end, clist.end - len(b"</commentList>"))
        for ck in ckids:
            pos = _parse_ref((_attrs(ck.tag).get(b"ref") or b"").split(b":")[0])
            if pos is None or pos not in marks or ck.tag.endswith(b"/>"):
                continue
            existing.add(pos)
            notes[pos] = marks[pos].note(texts.get(pos))
            ours = notes[pos][len(texts.get(pos, "").rstrip()):] if texts.get(pos) else notes[pos]
            tkids, _ = _children(data, ck.tag_end, ck.end - len(b"</comment>"))
            tx = next((t for t in tkids if t.name == b"text"), None)
            if tx is None or tx.tag.endswith(b"/>"):
                raise _unusual("批注缺少文字")
            runs, _ = _children(data, tx.tag_end, tx.end - len(b"</text>"))
            if any(r.name == b"r" for r in runs):
                last = max(r.end for r in runs if r.name == b"r")
                edits.append((last, last, f'<r><t xml:space="preserve">{_text(ours)}</t></r>'.encode("utf-8")))
            else:
                edits.append((tx.start, tx.end, f'<text><t xml:space="preserve">{_text(notes[pos])}</t></text>'
                              .encode("utf-8")))
    for pos in sorted(marks):
        if pos not in existing:
            notes[pos] = marks[pos].note()
            new.append(_comment_xml(_ref(*pos), author, notes[pos]))
    block = "".join(new).encode("utf-8")
    if clist.tag.endswith(b"/>"):
        edits.append((clist.start, clist.end, b"<commentList>" + block + b"</commentList>"))
    else:
        at = clist.end - len(b"</commentList>")
        edits.append((at, at, block))
    for s, e, rep in sorted(edits, key=lambda x: x[0], reverse=True):
        data = data[:s] + rep + data[e:]
    return data, notes


def _phonetic(text, ns) -> set:
    """<t> elements of phonetic runs (rPh), which are not part of the note's text."""
    return {t for rph in text.iter(ns + "rPh") for t in rph.iter(ns + "t")}


_IDMAP = re.compile(rb"""<(?:[\w.\-]+:)?idmap\b[^>]*?\sdata\s*=\s*["']([^"']*)["']""")
_VML_NS = ('xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
           'xmlns:x="urn:schemas-microsoft-com:office:excel"')


def _vml_blocks(data: bytes) -> set[int]:
    used = set()
    for m in _IDMAP.finditer(data):
        used |= {int(x) for x in re.findall(rb"\d+", m.group(1))}
    for m in re.finditer(rb"_x0000_s(\d+)", data):
        used.add(int(m.group(1)) // 1024)
    return used


def _vml_shapes(notes: dict[tuple[int, int], str], blocks: list[int], ns: str = "") -> str:
    """Note shapes (``ns``: namespace declarations for each, where the drawing binds other prefixes)."""
    return "".join(_vml_shape_list(notes, blocks, ns))


def _vml_shape_list(notes: dict[tuple[int, int], str], blocks: list[int], ns: str = ""):
    for k, (r, c) in enumerate(sorted(notes)):
        sid = blocks[k // 1023] * 1024 + k % 1023 + 1
        yield (
            f'<v:shape{ns} id="_x0000_s{sid}" type="#_x0000_t202" style="position:absolute;'
            f'margin-left:59.25pt;margin-top:1.5pt;width:{NOTE_WIDTH}px;height:{note_height(notes[(r, c)])}px;'
            f'z-index:{k + 1};visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/>'
            f'<v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>'
            f'<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>'
            f'<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:AutoFill>False</x:AutoFill>'
            f"<x:Row>{r}</x:Row><x:Column>{c}</x:Column></x:ClientData></v:shape>")


_SHAPETYPE = ('<v:shapetype{} id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
              '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>')


def _vml_new(notes: dict[tuple[int, int], str], blocks: list[int]) -> bytes:
    return ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel">'
            f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{",".join(map(str, blocks))}"/></o:shapelayout>'
            + _SHAPETYPE.format("")).encode("utf-8") + b"".join(
        [x.encode("utf-8") for x in _vml_shape_list(notes, blocks)] + [b"</xml>"])


_NOTE_SHAPE = re.compile(rb"<(?:[\w.\-]+:)?Row>\s*(\d+)\s*</(?:[\w.\-]+:)?Row>\s*"
                         rb"<(?:[\w.\-]+:)?Column>\s*(\d+)\s*</(?:[\w.\-]+:)?Column>")


def _vml_merge(data: bytes, notes: dict[tuple[int, int], str], blocks: list[int]) -> bytes:
    """Shapes for the notes that have none yet, added to an existing VML drawing (its shapes kept)."""
    first = re.search(rb"<xml\b[^>]*>", data)
    if first is None:
        raise _unusual("批注绘图不完整")
    ns = ""  # our prefixes v/o/x bound on the root already, or on each element we add
    for uri, p in ((b"urn:schemas-microsoft-com:vml", b"v"), (b"urn:schemas-microsoft-com:office:office", b"o"),
                   (b"urn:schemas-microsoft-com:office:excel", b"x")):
        if not re.search(rb"xmlns:" + p + rb"""\s*=\s*["']""" + re.escape(uri) + rb"""["']""", first.group(0)):
            ns = " " + _VML_NS
    have = {(int(m.group(1)), int(m.group(2))) for m in _NOTE_SHAPE.finditer(data)}
    todo = {pos: t for pos, t in notes.items() if pos not in have}
    if not todo:
        return data
    at = data.rfind(b"</xml>")
    if at < 0:
        raise _unusual("批注绘图不完整")
    add = ("" if b'id="_x0000_t202"' in data else _SHAPETYPE.format(ns)) + _vml_shapes(todo, blocks, ns)
    data = data[:at] + add.encode("utf-8") + data[at:]
    m = _IDMAP.search(data)
    extra = ",".join(map(str, blocks[:(len(todo) - 1) // 1023 + 1])).encode()
    if m is not None:
        data = data[:m.end(1)] + (b"," if m.group(1).strip() else b"") + extra + data[m.end(1):]
    else:
        data = (data[:first.end()] + f'<o:shapelayout{ns} v:ext="edit"><o:idmap v:ext="edit" data="'.encode()
                + extra + b'"/></o:shapelayout>' + data[first.end():])
    return data


# ------------------------------------------------------------------ the findings sheet


def _findings_xml(fs: FindingsSheet, styles: _Styles):
    """The 核查结果 worksheet, in chunks of about ``CHUNK`` bytes: rows are rendered as they are written, so a
    long list of findings is never held as cells, rows and the joined part at once."""
    cells = fs.cells
    rows: dict[int, list[int]] = defaultdict(list)  # row → columns written
    for (r, c), (value, st) in cells.items():
        if isinstance(value, str) and value == "" and st == PLAIN:
            continue  # openpyxl does not write empty strings either
        styles.style(st)  # formats registered in the order of the cells, as before rows are rendered
        rows[r].append(c)
    head = fs.first + 1  # 1-based header row
    last_col = col_letter(fs.ncols - 1)
    cols = "".join(f'<col min="{c + 1}" max="{c + 1}" width="{w:g}" customWidth="1"/>' for c, w in fs.widths.items())
    parts = [
        f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_R}">',
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>',
        f'<dimension ref="A1:{last_col}{fs.last + 1}"/>',
        f'<sheetViews><sheetView tabSelected="1" workbookViewId="0"><pane ySplit="{head}" topLeftCell="A{head + 1}" '
        f'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A{head + 1}" '
        f'sqref="A{head + 1}"/></sheetView></sheetViews>',
        '<sheetFormatPr defaultRowHeight="15"/>',
        f"<cols>{cols}</cols>",
    ]
    yield XML_DECL + "".join(parts).encode() + b"<sheetData>"
    out: list[bytes] = []
    size = 0
    for r in sorted(rows):
        row = []
        for c in sorted(rows[r]):
            value, st = cells[(r, c)]
            row.append(_cell_xml(_ref(r, c), value, styles.style(st)))
        data = b'<row r="%d">' % (r + 1) + b"".join(row) + b"</row>"
        out.append(data)
        size += len(data)
        if size > CHUNK:
            yield b"".join(out)
            out.clear()
            size = 0
    out.append(b"</sheetData>")
    yield b"".join(out)
    tail = []
    if fs.has_findings:
        tail.append(f'<autoFilter ref="A{head}:{last_col}{fs.last + 1}"/>')
    if fs.links:
        tail.append("<hyperlinks>" + "".join(f'<hyperlink ref="{_ref(r, c)}" location="{_text(loc)}" '
                                             f'display="{_text(_ref(r, c))}"/>' for r, c, loc in fs.links)
                    + "</hyperlinks>")
    tail.append('<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>')
    tail.append('<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>')
    yield "".join(tail).encode() + b"</worksheet>"


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

    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise _unusual("关系部件无法解析") from exc
    return [dict(el.attrib) for el in root if el.tag.endswith("}Relationship")]


def _add_relationships(data: bytes | None, rels: list[tuple[str, str, str, str | None]]) -> bytes:
    """Append (Id, Type, Target, TargetMode) relationships to a .rels part (or make one)."""
    items = "".join(f'<Relationship Id="{i}" Type="{t}" Target="{_text(g)}"'
                    + (f' TargetMode="{m}"' if m else "") + "/>" for i, t, g, m in rels).encode("utf-8")
    if data is None:
        return XML_DECL + b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' \
            + items + b"</Relationships>"
    name, root = _root(data)
    items = _as_root(name, items)
    if root.group(0).endswith(b"/>"):
        return data[:root.start()] + root.group(0)[:-2].rstrip() + b">" + items + b"</" + name + b">" \
            + data[root.end():]
    _, close = _children(data, root.end())
    return data[:close] + items + data[close:]


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


def _rel_target(part: str, target_part: str) -> str:
    return posixpath.relpath(target_part, posixpath.dirname(part))


def write(src: Path, plan: Plan, target: Path) -> None:
    """Write ``plan`` into a copy of ``src`` (an .xlsx/.xlsm) at ``target``, or raise ``Unsupported``."""
    from defusedxml import ElementTree as ET

    with zipfile.ZipFile(src) as zin:
        infos = zin.infolist()
        names = {i.filename for i in infos}
        lower = {n.lower() for n in names}
        if "[Content_Types].xml" not in names:
            raise _unusual("缺少内容类型部件")
        root_rels = _relationships(_read(zin, "_rels/.rels")) if "_rels/.rels" in names else []
        office = [r for r in root_rels if r.get("Type", "").endswith("/officeDocument")]
        if len(office) != 1 or _resolve("", office[0].get("Target", "")) != "xl/workbook.xml":
            if any("purl.oclc.org" in r.get("Type", "") for r in root_rels):
                raise Unsupported(WHY_STRICT, fallback=False)
            raise _unusual("工作簿部件不在 xl/workbook.xml")
        # Strict Open XML: the relationships, namespaces and parts this writer adds are Strict too
        strict = office[0].get("Type", "").startswith(NS_R_STRICT + "/")
        rt = NS_R_STRICT + "/" if strict else RT
        rt_custom = rt + ("customProperties" if strict else "custom-properties")
        pkg_view = _View(b"", True, b"") if strict else None  # the parts this writer makes
        wb_xml = _read(zin, "xl/workbook.xml")
        wb_view = _view_of(wb_xml, "工作簿")
        if wb_view is not None:
            wb_xml = wb_view.inn(wb_xml)
        if (wb_view is not None and wb_view.strict) != strict:
            raise _unusual("工作簿与包的 Strict 格式不一致")
        wb_start = _check_namespace(wb_xml, "工作簿")
        try:
            wb_root = ET.fromstring(wb_xml)
        except ET.ParseError as exc:
            raise _unusual("工作簿部件无法解析") from exc
        wb_rels_name = "xl/_rels/workbook.xml.rels"
        if wb_rels_name not in names:
            raise _unusual("缺少工作簿关系部件")
        wb_rels = _relationships(_read(zin, wb_rels_name))
        targets = {r.get("Id"): _resolve("xl/workbook.xml", r.get("Target", "")) for r in wb_rels
                   if r.get("TargetMode") != "External"}
        worksheet_parts = {targets.get(r.get("Id")) for r in wb_rels if r.get("Type", "").endswith("/worksheet")}
        sheets = []  # name, part
        sheet_ids = []
        for el in wb_root.iter(f"{{{NS_MAIN}}}sheet"):
            part = targets.get(el.get(f"{{{NS_R}}}id"))
            if part is None or part not in names:
                raise _unusual("工作表部件缺失")
            sheets.append((el.get("name") or "", part))
            sid = el.get("sheetId") or "0"
            sheet_ids.append(int(sid) if sid.isdigit() else 0)
        sheetnames = [n for n, _ in sheets]
        overrides: list[tuple[str, str]] = []
        rel_updates: dict[str, list[tuple[str, str, str, str | None]]] = defaultdict(list)
        styles_part = next((targets.get(r.get("Id")) for r in wb_rels if r.get("Type", "").endswith("/styles")), None)
        styles_view = None
        if styles_part is None:  # a package without formats: it gets a style sheet of its own
            styles_part = "xl/styles.xml" if "xl/styles.xml" not in lower else _free_name(lower, "xl/styles{}.xml")
            lower.add(styles_part)
            styles = _Styles(_BARE_STYLES)
            overrides.append(("/" + styles_part, CT_STYLES))
            rel_updates[wb_rels_name].append((_new_id({r.get("Id") for r in wb_rels}), rt + "styles",
                                              posixpath.relpath(styles_part, "xl"), None))
            styles_new = True
        elif styles_part not in names:
            raise _unusual("样式部件缺失")
        else:
            data = _read(zin, styles_part)
            styles_view = _view_of(data, "styles.xml")
            styles = _Styles(styles_view.inn(data) if styles_view else data)
            styles_new = False

        fs = plan.findings_sheet(sheetnames)
        vml_used = set()
        for n in names:
            if n.lower().endswith(".vml"):
                vml_used |= _vml_blocks(_read(zin, n))
        next_block = max(vml_used | {0}) + 1

        def blocks(count: int) -> list[int]:
            nonlocal next_block
            out = list(range(next_block, next_block + max(1, (count - 1) // 1023 + 1)))
            next_block = out[-1] + 1
            return out

        new_parts: dict[str, bytes | Callable[[], bytes]] = {}  # notes parts: made when written, one at a time
        replaced: dict[str, bytes] = {}
        legacy: dict[str, tuple[str, bool]] = {}  # sheet part → (VML relationship id, already referenced)
        patches: dict[str, tuple[SheetPlan, _SheetPatch]] = {}
        views: dict[str, _View] = {}  # worksheet part → its view, when it is not written the plain way
        for _, part in sheets:
            if part in worksheet_parts and part not in views:
                view = _view_of(_part_head(zin, part), "工作表")
                if view is not None:
                    if view.strict != strict:
                        raise _unusual("工作表与包的 Strict 格式不一致")
                    views[part] = view
        for name, part in sheets:
            sp = plan.sheets.get(name)
            if sp is None or part not in worksheet_parts:
                continue
            patches[part] = (sp, _SheetPatch(sp, styles))
            if not sp.marks:
                continue
            rels_name = _rels_path(part)
            rels = _relationships(_read(zin, rels_name)) if rels_name in names else []
            ids = {r.get("Id") for r in rels}
            by_id = {r.get("Id"): r for r in rels}
            comments = [r for r in rels if r.get("Type", "").endswith("/comments")]
            if len(comments) > 1:
                raise _unusual("一张工作表有多个批注部件")
            rid = _legacy_rid(zin, part, views.get(part)) if any(r.get("Type", "").endswith("/vmlDrawing") for r in rels) else None
            if rid is not None:
                rel = by_id.get(rid.decode("utf-8", "replace"))
                if rel is None or not rel.get("Type", "").endswith("/vmlDrawing") or rel.get("TargetMode") == "External":
                    raise _unusual("批注绘图关系缺失")
                vpart = _resolve(part, rel.get("Target", ""))
                if vpart not in names:
                    raise _unusual("批注绘图部件缺失")
            if comments:
                cpart = _resolve(part, comments[0].get("Target", ""))
                if cpart not in names or comments[0].get("TargetMode") == "External":
                    raise _unusual("批注部件缺失")
                data = _read(zin, cpart)
                cview = _view_of(data, "批注")
                merged, notes = _comments_merge(cview.inn(data) if cview else data, sp.marks)
                replaced[cpart] = cview.out(merged) if cview else merged
            else:
                notes = {pos: m.note() for pos, m in sp.marks.items()}
                cpart = _free_name(lower, "xl/comments/comment{}.xml")
                new_parts[cpart] = (lambda notes=notes: _comments_new(notes)) if pkg_view is None else \
                    (lambda notes=notes: pkg_view.out(_comments_new(notes)))
                overrides.append(("/" + cpart, CT_COMMENTS))
                rel_updates[rels_name].append((_new_id(ids), rt + "comments", _rel_target(part, cpart), None))
            if rid is not None:
                replaced[vpart] = _vml_merge(replaced.get(vpart) or _read(zin, vpart), notes, blocks(len(notes)))
                legacy[part] = (rid.decode(), True)
            else:
                vpart = _free_name(lower, "xl/drawings/vmlDrawing{}.vml")
                new_parts[vpart] = lambda notes=notes, ids=blocks(len(notes)): _vml_new(notes, ids)
                vrid = _new_id(ids)
                rel_updates[rels_name].append((vrid, rt + "vmlDrawing", _rel_target(part, vpart), None))
                legacy[part] = (vrid, False)
        fpart = _free_name(lower, "xl/worksheets/sheet{}.xml")
        overrides.append(("/" + fpart, CT_WORKSHEET))
        wb_rid = _new_id({r.get("Id") for r in wb_rels})
        rel_updates[wb_rels_name].append((wb_rid, rt + "worksheet", posixpath.relpath(fpart, "xl"), None))
        # the corrected copy: a calcChain would point at cells whose formulas changed (Excel "repairs" that):
        # dropped, Excel rebuilds it; with formulas about, Excel recalculates on load
        chain = [r for r in wb_rels if r.get("Type", "").endswith("/calcChain")] if plan.has_values else []
        dropped = {_resolve("xl/workbook.xml", r.get("Target", "")) for r in chain}
        new_wb = _workbook_xml(wb_xml, wb_start, fs, max(sheet_ids + [0]) + 1, wb_rid,
                               full_calc=plan.has_formulas or bool(chain))
        if wb_view is not None:
            new_wb = wb_view.out(new_wb)
        if chain:
            replaced[wb_rels_name] = _add_relationships(
                _drop_relationships(_read(zin, wb_rels_name), {r.get("Id") for r in chain}),
                rel_updates.pop(wb_rels_name))

        # custom property marking the copy as ours
        custom_part = next((_resolve("", r.get("Target", "")) for r in root_rels if r.get("Type") == rt_custom), None)
        custom_xml = None
        if custom_part is not None and custom_part in names:
            custom_xml = _read(zin, custom_part)
            custom_xml = pkg_view.out(_custom_xml(pkg_view.inn(custom_xml))) if pkg_view else _custom_xml(custom_xml)
        else:
            custom_part = "docProps/custom.xml"
            if custom_part.lower() in lower:
                raise _unusual("存在未被引用的 docProps/custom.xml")
            new_parts[custom_part] = pkg_view.out(_custom_xml(None)) if pkg_view else _custom_xml(None)
            overrides.append(("/" + custom_part, CT_CUSTOM))
            rel_updates["_rels/.rels"].append((_new_id({r.get("Id") for r in root_rels}), rt_custom, custom_part,
                                               None))

        ctypes = _read(zin, "[Content_Types].xml")
        for part in dropped:
            ctypes = re.sub(rb"""<(?:[\w.\-]+:)?Override\b[^>]*PartName\s*=\s*["']/""" + re.escape(part.encode()) + rb"""["'][^>]*/>""",
                            b"", ctypes, flags=re.I)
        add = "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides)
        if any(p.lower().endswith(".vml") for p in new_parts) and not re.search(
                rb"""<(?:[\w.\-]+:)?Default\b[^>]*Extension\s*=\s*["']vml["']""", ctypes, re.I):
            add = f'<Default Extension="vml" ContentType="{CT_VML}"/>' + add
        ctypes = _add_children(ctypes, add.encode())

        def build(tmp: Path) -> None:
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
                done = set()
                sheet_parts = {p: n for n, p in sheets}
                for info in infos:
                    name = info.filename
                    if name in done or info.is_dir() or name in dropped:
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
                    elif name in replaced:
                        data = replaced[name]
                    elif name in rel_updates:
                        data = _add_relationships(_read(zin, name), rel_updates.pop(name))
                    elif name in sheet_parts and name not in worksheet_parts:  # chart / dialog / macro sheets
                        data = _unselect(_read(zin, name))
                    elif name in sheet_parts and name in views:  # prefixed or Strict: through its view
                        sp, patch = patches.get(name, (None, None))
                        rid, exists = legacy.get(name, (None, False))
                        with zout.open(_info(info, LEVEL), "w") as out:
                            sink = _ViewWriter(out.write, views[name])
                            rewrite_sheet(_ViewReader(_Reader(zin, name), views[name]), sink.write, sp=sp,
                                          patch=patch, legacy_rid=rid, legacy_exists=exists)
                            sink.close()
                        continue
                    elif name in sheet_parts:
                        sp, patch = patches.get(name, (None, None))
                        rid, exists = legacy.get(name, (None, False))
                        with zout.open(_info(info, LEVEL_SHEET if patch else LEVEL), "w") as out:
                            if patch is None or info.file_size < 4 * CHUNK:  # a small sheet: no thread to start
                                rewrite_sheet(_Reader(zin, name), out.write, sp=sp, patch=patch, legacy_rid=rid,
                                              legacy_exists=exists)
                            else:
                                rowmap = sp.rowmap if sp.rowmap is not None and sp.rowmap.matches(info) \
                                    and patch.odd_cell is None else None
                                with _Deflater(out.write) as deflate:
                                    rewrite_sheet(_Reader(zin, name), deflate.write, sp=sp, patch=patch,
                                                  legacy_rid=rid, legacy_exists=exists, rowmap=rowmap)
                        continue
                    else:
                        if not _copy_raw(zin, zout, info):
                            with zin.open(info) as fin, zout.open(_info(info, LEVEL), "w") as out:
                                while chunk := fin.read(CHUNK):
                                    out.write(chunk)
                        continue
                    zout.writestr(_info(info, LEVEL), data)
                for name, rels in rel_updates.items():  # .rels parts that did not exist
                    zout.writestr(_new_info(name), _add_relationships(None, rels))
                for name, data in new_parts.items():
                    zout.writestr(_new_info(name), data() if callable(data) else data)
                with zout.open(_new_info(fpart), "w") as out:
                    sink = _ViewWriter(out.write, pkg_view) if pkg_view else out
                    for chunk in _findings_xml(fs, styles):
                        sink.write(chunk)
                    if pkg_view:
                        sink.close()
                data = styles.render()
                view = styles_view or pkg_view
                zout.writestr(_new_info(styles_part) if styles_new else _info(zin.getinfo(styles_part), LEVEL),
                              view.out(data) if view else data)

        atomic_write(target, build)


class _Deflater:
    """Hands the bytes of a rewritten sheet to a thread that deflates them while the next rows are patched."""

    def __init__(self, write):
        import queue
        import threading

        self.queue: queue.Queue = queue.Queue(maxsize=4)
        self.error: BaseException | None = None
        self._write = write
        self.thread = threading.Thread(target=self._run, name="xltool-deflate", daemon=True)

    def _run(self) -> None:
        while (chunk := self.queue.get()) is not None:
            if self.error is None:
                try:
                    self._write(chunk)
                except BaseException as exc:  # raised again in the writing thread
                    self.error = exc

    def write(self, chunk: bytes) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(chunk)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, typ, exc, tb):
        self.queue.put(None)
        self.thread.join()
        if exc is None and self.error is not None:
            raise self.error
        return False


_LOCAL_HEADER = 30  # bytes of a zip local file header before its name and extra field


def _copy_raw(zin: zipfile.ZipFile, zout: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Copy a part the plan does not touch as it is stored (its compressed bytes), not inflated and deflated
    again: the same bytes, in a tenth of the time. Its CRC is checked on the way, as reading it would, so a damaged
    part still fails the copy (zipfile.BadZipFile). False (nothing written) where a raw copy does not apply:
    an encrypted or ZIP64 entry, another compression method, or a zipfile without the internals used here."""
    import struct
    import zlib

    if (info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
            or max(info.file_size, info.compress_size, info.header_offset) >= zipfile.ZIP64_LIMIT
            or not all(hasattr(zout, a) for a in ("_lock", "_writecheck", "start_dir", "_seekable", "NameToInfo"))
            or getattr(zout, "_writing", False)):
        return False
    src = zin.fp
    with zin._lock:
        src.seek(info.header_offset)
        head = src.read(_LOCAL_HEADER)
        if len(head) != _LOCAL_HEADER or head[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile("bad local file header")
        name_len, extra_len = struct.unpack("<HH", head[26:30])
        start = info.header_offset + _LOCAL_HEADER + name_len + extra_len
    out = _info(info, LEVEL)
    out.compress_type = info.compress_type
    out.CRC, out.compress_size, out.file_size = info.CRC, info.compress_size, info.file_size
    inflate = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    crc = size = 0
    with zout._lock:
        if zout._seekable:
            zout.fp.seek(zout.start_dir)
        out.header_offset = zout.fp.tell()
        zout._writecheck(out)
        zout._didModify = True
        zout.fp.write(out.FileHeader(False))
        left, pos = info.compress_size, start
        while left:
            with zin._lock:
                src.seek(pos)
                raw = src.read(min(CHUNK, left))
            if not raw:
                raise zipfile.BadZipFile("truncated part")
            pos += len(raw)
            left -= len(raw)
            zout.fp.write(raw)
            if inflate is None:
                crc, size = zlib.crc32(raw, crc), size + len(raw)
                continue
            while raw:  # inflated a bounded piece at a time, only to check the CRC
                piece = inflate.decompress(raw, CHUNK)
                crc, size = zlib.crc32(piece, crc), size + len(piece)
                if size > info.file_size:
                    raise zipfile.BadZipFile("part larger than declared")
                raw = inflate.unconsumed_tail
        if inflate is not None:
            while piece := inflate.decompress(b"", CHUNK) if not inflate.eof else b"":
                crc, size = zlib.crc32(piece, crc), size + len(piece)
        if crc != info.CRC or size != info.file_size or (inflate is not None and not inflate.eof):
            raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.filename!r}")
        zout.filelist.append(out)
        zout.NameToInfo[out.filename] = out
        zout.start_dir = zout.fp.tell()
    return True


def _info(info: zipfile.ZipInfo, level: int) -> zipfile.ZipInfo:
    out = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    out.compress_type = zipfile.ZIP_DEFLATED
    out.external_attr = info.external_attr
    # ZipFile(compresslevel=…) is not applied to a ZipInfo made by hand: the level goes on each part
    if hasattr(out, "compress_level"):  # Python 3.13+
        out.compress_level = level
    else:
        out._compresslevel = level
    return out


def _new_info(name: str) -> zipfile.ZipInfo:
    import time

    return _info(zipfile.ZipInfo(name, date_time=time.localtime(time.time())[:6]), LEVEL)


def _add_children(data: bytes, xml: bytes) -> bytes:
    """``xml`` appended as the last children of the root element of ``data`` (with the root's prefix)."""
    name, root = _root(data)
    if root.group(0).endswith(b"/>"):
        raise _unusual("XML 根元素为空")
    _, close = _children(data, root.end())
    return data[:close] + _as_root(name, xml) + data[close:]


def _as_root(root_name: bytes, xml: bytes) -> bytes:
    """Elements ``xml`` written unprefixed, given the prefix of the root ``root_name`` (``ns0:Relationships``:
    Python's ElementTree writes packages so)."""
    if b":" not in root_name:
        return xml
    return _UNPREFIXED.sub(b"<\\1" + root_name.split(b":")[0] + b":", xml)


def _drop_relationships(data: bytes, ids: set) -> bytes:
    """A .rels part without the relationships ``ids``."""
    def keep(m: re.Match) -> bytes:
        return b"" if (_attr(m.group(0), b"Id") or b"").decode("utf-8", "replace") in ids else m.group(0)

    return re.sub(rb"<(?:[\w.\-]+:)?Relationship\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*?"
                  rb"(?:/>|>.*?</(?:[\w.\-]+:)?Relationship>)", keep, data,
                  flags=re.S)


def _workbook_xml(data: bytes, root: re.Match, fs: FindingsSheet, sheet_id: int, rid: str,
                  full_calc: bool = False) -> bytes:
    prefix = _ns_prefix(root.group(0), NS_R)
    if prefix is None:
        prefix = b"xlr" if b"xmlns:r" in _attrs(root.group(0)) else b"r"
        data = data[:root.end() - 1] + b" xmlns:" + prefix + b'="' + NS_R.encode() + b'"' + data[root.end() - 1:]
        _, root = _root(data)
    kids, close = _children(data, root.end())
    edits: list[tuple[int, int, bytes]] = []
    by = {}
    for el in kids:
        by.setdefault(el.local, el)
    sheets = by.get("sheets")
    if sheets is None or sheets.tag.endswith(b"/>"):
        raise _unusual("工作簿没有工作表")
    sheet = f'<sheet name="{_text(fs.title)}" sheetId="{sheet_id}" '.encode("utf-8") + prefix + f':id="{rid}"/>'.encode()
    edits.append((sheets.tag_end, sheets.tag_end, sheet))
    views = by.get("bookViews")
    if views is not None and not views.tag.endswith(b"/>"):
        block = data[views.start:views.end]
        block = re.sub(rb"<workbookView\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>",
                       lambda m: _set_attr(_set_attr(m.group(0), b"activeTab", b"0"), b"firstSheet", b"0"), block)
        edits.append((views.start, views.end, block))
    if full_calc:  # before the defined names' edit: inserted at the same place, they come first
        calc = by.get("calcPr")
        if calc is not None:
            edits.append((calc.start, calc.tag_end, _set_attr(calc.tag, b"fullCalcOnLoad", b"1")))
        else:
            at = _insert_at(kids, close, "calcPr", WORKBOOK_ORDER)
            edits.append((at, at, b'<calcPr fullCalcOnLoad="1"/>'))
    quoted = "'" + fs.title.replace("'", "''") + "'"
    last_col = col_letter(fs.ncols - 1)
    names = [f'<definedName name="_xlnm.Print_Titles" localSheetId="0">'
             f"{_text(quoted)}!${fs.first + 1}:${fs.first + 1}</definedName>"]
    if fs.has_findings:
        names.append(f'<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
                     f"{_text(quoted)}!$A${fs.first + 1}:${last_col}${fs.last + 1}</definedName>")
    block = "".join(names).encode("utf-8")
    dn = by.get("definedNames")
    if dn is not None and not dn.tag.endswith(b"/>"):
        inner = data[dn.tag_end:dn.end - len(b"</definedNames>")]
        # sheet-local names follow their sheets: one place further
        inner = re.sub(rb"""(<definedName\b[^>]*?\slocalSheetId\s*=\s*["'])(\d+)(["'])""",
                       lambda m: m.group(1) + str(int(m.group(2)) + 1).encode() + m.group(3), inner)
        edits.append((dn.tag_end, dn.end - len(b"</definedNames>"), block + inner))
    elif dn is not None:
        edits.append((dn.start, dn.end, b"<definedNames>" + block + b"</definedNames>"))
    else:
        at = _insert_at(kids, close, "definedNames", WORKBOOK_ORDER)
        edits.append((at, at, b"<definedNames>" + block + b"</definedNames>"))
    for s, e, rep in sorted(edits, key=lambda x: x[0], reverse=True):
        data = data[:s] + rep + data[e:]
    return data


def _custom_xml(data: bytes | None) -> bytes:
    def prop(pid: int, vt: str) -> str:
        return (f'<property fmtid="{CUSTOM_FMTID}" pid="{pid}" name="{MARKER}">'
                f"<{vt}:lpwstr>{_text(__version__)}</{vt}:lpwstr></property>")

    if data is None:
        return XML_DECL + (f'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
                           f'xmlns:vt="{NS_VT}">' + prop(2, "vt") + "</Properties>").encode("utf-8")
    _, root = _root(data)
    if root.group(0).endswith(b"/>") or b":" in _root(data)[0]:
        raise _unusual("自定义属性部件")
    pm = _ns_prefix(root.group(0), NS_VT)
    vt = pm.decode() if pm else "vt"
    if pm is None:
        if b"xmlns:vt" in _attrs(root.group(0)):
            raise _unusual("自定义属性部件的命名空间前缀")
        data = data[:root.end() - 1] + f' xmlns:vt="{NS_VT}"'.encode() + data[root.end() - 1:]
        _, root = _root(data)
    pids = [int(p) for p in re.findall(rb'\spid="(\d+)"', data)]
    _, close = _children(data, root.end())
    return data[:close] + prop(max(pids + [1]) + 1, vt).encode("utf-8") + data[close:]
