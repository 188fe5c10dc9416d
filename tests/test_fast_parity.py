"""The fast path and the slow path (the openpyxl writer, ``XLTOOL_OPENPYXL_WRITER=1``) give the same findings
and the same copy — every cell value on every sheet, the fills of the marked cells, the notes, the recomputed
columns and the 核查结果 sheet — on a generated 30,000-row summary table with a spread of errors; and the
bulk row path of the package writer writes the very bytes the row-by-row path writes."""

from __future__ import annotations

import math
import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

import bigsummary
from xltool import profiles
from xltool.engine import check_file
from xltool.report import xlsxfast

M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PR = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    d = tmp_path_factory.mktemp("big")
    src = d / "汇总表30000.xlsx"
    planted = bigsummary.make(src, 30_000)
    return src, planted


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, target part) of ``part``."""
    d, name = posixpath.split(part)
    rels = posixpath.join(d, "_rels", name + ".rels")
    if rels not in zf.namelist():
        return {}
    out = {}
    for el in ET.fromstring(zf.read(rels)).iter(PR + "Relationship"):
        target = el.get("Target")
        part_name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(d, target))
        out[el.get("Id")] = (el.get("Type").rsplit("/", 1)[-1], part_name)
    return out


def _look(path: Path) -> dict:
    """Per sheet name: every cell's value (calamine), the fill colour of each styled cell, the notes."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    out = {name: {"values": wb.get_sheet_by_name(name).to_python(skip_empty_area=False)} for name in wb.sheet_names}
    with zipfile.ZipFile(path) as zf:
        styles = ET.fromstring(zf.read("xl/styles.xml"))
        fills = []
        for f in styles.find(M + "fills"):
            fg = f.find(f"{M}patternFill/{M}fgColor")
            fills.append(fg.get("rgb") if fg is not None else None)
        xf_fill = [fills[int(x.get("fillId", 0))] for x in styles.find(M + "cellXfs")]
        book_rels = _rels(zf, "xl/workbook.xml")
        for sheet in ET.fromstring(zf.read("xl/workbook.xml")).iter(M + "sheet"):
            part = book_rels[sheet.get(R + "id")][1]
            filled = {}  # both writers write '<c r="A1" ... s="N"': a regular expression reads them in seconds
            for ref, s in re.findall(rb'<c r="([A-Z]+[0-9]+)"[^>]*? s="([0-9]+)"', zf.read(part)):
                rgb = xf_fill[int(s)]
                if rgb is not None:
                    filled[ref.decode()] = rgb
            notes = {}
            for kind, target in _rels(zf, part).values():
                if kind == "comments":
                    for c in ET.fromstring(zf.read(target)).iter(M + "comment"):
                        notes[c.get("ref")] = "".join(t.text or "" for t in c.iter(M + "t"))
            out[sheet.get("name")].update(filled=filled, notes=notes)
    return out


def _same_values(a: list[list], b: list[list]) -> bool:
    """Equal cell by cell, a float to 1e-15 relative: openpyxl writes a float with "%.16g"
    (0.402624302131194), the package writer with repr (0.40262430213119405, the exact double) — the same
    number to every digit Excel displays."""
    if len(a) != len(b):
        return False
    for ra, rb in zip(a, b):
        if len(ra) != len(rb):
            return False
        for x, y in zip(ra, rb):
            if x != y and not (type(x) is float and type(y) is float and math.isclose(x, y, rel_tol=1e-15)):
                return False
    return True


def _findings(report) -> dict:
    doc = report.to_json()
    doc.pop("output", None)
    return doc


def test_fast_and_slow_paths_agree_on_a_30000_row_table(big, tmp_path, monkeypatch):
    src, planted = big
    prof = profiles.load()
    monkeypatch.delenv("XLTOOL_OPENPYXL_WRITER", raising=False)
    fast = check_file(src, prof, output=tmp_path / "fast.xlsx")
    monkeypatch.setenv("XLTOOL_OPENPYXL_WRITER", "1")
    slow = check_file(src, prof, output=tmp_path / "slow.xlsx")
    assert fast.output and slow.output and not fast.remarks and not slow.remarks

    assert _findings(fast) == _findings(slow)
    # the planted errors are found where they were planted (the spread is real, not an empty plan)
    flagged = {f.cell: f for f in fast.findings}
    for kind in ("balance", "rate", "grade", "total"):
        assert planted[kind] and all(flagged[c].severity == "error" for c in planted[kind]), kind
    assert all(flagged[c].severity == "warning" for c in planted["text"])

    a, b = _look(tmp_path / "fast.xlsx"), _look(tmp_path / "slow.xlsx")
    assert list(a) == list(b) and list(a)[0] == "核查结果"
    for name in b:
        assert _same_values(a[name]["values"], b[name]["values"]), name
        assert a[name]["notes"] == b[name]["notes"], name
    sheet = a["汇总表"]
    # the recomputed columns are there, on every item row
    header = sheet["values"][3]
    assert {"执行率（复核）", "结余数（复核）", "等级（复核）"} <= set(header)
    recomputed = [c for c, h in enumerate(header) if str(h).endswith("（复核）")]
    assert all(all(row[c] != "" for c in recomputed) for row in sheet["values"][4:4 + 30_000])
    # every marked cell carries its note and the same fill in both copies
    marked = {f.cell for f in fast.findings if f.sheet == "汇总表"}
    assert marked and marked <= set(sheet["notes"])
    for ref in marked:
        assert sheet["filled"].get(ref) == b["汇总表"]["filled"].get(ref) is not None, ref
    assert len(a["核查结果"]["values"]) > len(fast.findings)


# ------------------------------------------------------------------ the bulk row path = the rows one by one


def _edit_sheet(src: Path, dst: Path, edit) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, edit(data) if info.filename == "xl/worksheets/sheet1.xml" else data)
    return dst


def _nth_row(data: bytes, r: int) -> tuple[int, int]:
    at = data.find(b'<row r="%d"' % r)
    return at, data.find(b"</row>", at) + 6


def _self_closing(data: bytes) -> bytes:
    at, end = _nth_row(data, 300)
    return data[:end] + b'<row r="301" ht="20" customHeight="1"/>' + data[_nth_row(data, 301)[1]:]


def _no_r(data: bytes) -> bytes:
    at, _ = _nth_row(data, 400)
    return data[:at] + b"<row" + data[at + len(b'<row r="400"'):]


def _far_cell(data: bytes) -> bytes:
    at, end = _nth_row(data, 500)
    # an empty styled cell: no value, so the table (and the added columns) end left of it
    return data[:end - 6] + b'<c r="Z500" s="3"/>' + data[end - 6:]


VARIANTS = {
    "as written": lambda d: d,
    "no spans": lambda d: __import__("re").sub(rb' spans="[^"]*"', b"", d),
    "line breaks between rows": lambda d: d.replace(b"</row><row", b"</row>\n  <row"),
    "a comment between rows": lambda d: d.replace(b'</row><row r="215"', b'</row><!-- x --><row r="215"', 1),
    "a self-closing row": _self_closing,
    "a row without r": _no_r,
    "a cell right of the added columns": _far_cell,
    "an attribute before r": lambda d: d.replace(b'<row r="600"', b'<row ht="15" r="600"', 1),
}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    d = tmp_path_factory.mktemp("small")
    src = d / "汇总表.xlsx"
    bigsummary.make(src, 1_000, seed=3, errors=0.05)
    return src


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_bulk_rows_write_what_the_rows_one_by_one_write(small, variant, tmp_path, monkeypatch):
    src = _edit_sheet(small, tmp_path / "in.xlsx", VARIANTS[variant])
    prof = profiles.load()
    monkeypatch.setattr(xlsxfast, "CHUNK", 16 * 1024)  # rows cut across chunks, many bulk regions
    calls = []
    real = xlsxfast._bulk_rows
    monkeypatch.setattr(xlsxfast, "_bulk_rows", lambda *a: calls.append(real(*a)) or calls[-1])
    bulk = check_file(src, prof, output=tmp_path / "bulk.xlsx")
    monkeypatch.setattr(xlsxfast, "BULK", False)
    one = check_file(src, prof, output=tmp_path / "one.xlsx")
    assert bulk.output and one.output and not bulk.remarks and len(bulk.findings) > 20
    with zipfile.ZipFile(tmp_path / "bulk.xlsx") as za, zipfile.ZipFile(tmp_path / "one.xlsx") as zb:
        assert za.namelist() == zb.namelist()
        for name in za.namelist():
            assert za.read(name) == zb.read(name), name
    taken = [c for c in calls if c is not None]
    if variant == "line breaks between rows":  # rows not back to back: every region goes row by row
        assert calls and not taken
    else:
        assert len(taken) >= 5, "the bulk path was not used"
    if variant not in ("as written", "no spans"):
        assert None in calls  # the odd region went row by row
