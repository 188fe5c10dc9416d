"""A self-evaluation table inside a package written the .NET Open XML SDK way (every SpreadsheetML element
prefixed, ``<x:worksheet xmlns:x=…>``, ``<x:c>``, ``<x:is>``), as provincial systems built on it export: the
check finds seed 000's 34 wrong balances and the annotated copy is streamed (not the openpyxl fallback), with
every added element in the part's own prefix and every part the plan does not touch kept byte for byte.

The package is a real one from ../shared/excel-corpus/poi (59746_NoRowNums.xlsx, written by the SDK); the
table is the published sample of seed 000 (samples/), written into it as a prefixed worksheet with inline
strings, the way the SDK writes one.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

ROOT = Path(__file__).resolve().parents[1]
HOST = ROOT.parent / "shared" / "excel-corpus" / "poi" / "59746_NoRowNums.xlsx"
SAMPLE = ROOT / "samples" / "铜冶镇2023年度部门绩效自评结果公开汇总表.xlsx"
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

pytestmark = pytest.mark.skipif(not HOST.exists(), reason="../shared/excel-corpus is not here")


def _prefixed_sheet(rows: list[list], formulas: dict[str, str] | None = None) -> bytes:
    """The table as the SDK writes a worksheet: prefix x, inline strings, numbers as written; ``formulas``
    (cell → formula) are written as formulas without a cached value, as a program that does not calculate
    writes them."""
    from xltool.cells import col_letter

    out = []
    for r, row in enumerate(rows, 1):
        cells = []
        for c, v in enumerate(row):
            ref = f"{col_letter(c)}{r}"
            if ref in (formulas or {}):
                cells.append(f'<x:c r="{ref}"><x:f>{escape(formulas[ref])}</x:f></x:c>')
                continue
            if v in ("", None):
                continue
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                cells.append(f'<x:c r="{ref}"><x:v>{v!r}</x:v></x:c>')
            else:
                cells.append(f'<x:c r="{ref}" t="inlineStr"><x:is><x:t>{escape(str(v))}</x:t></x:is></x:c>')
        out.append(f'<x:row r="{r}">{"".join(cells)}</x:row>')
    return (f'<?xml version="1.0" encoding="utf-8"?><x:worksheet xmlns:x="{NS}"><x:sheetData>{"".join(out)}'
            f'</x:sheetData><x:pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
            f'footer="0.3"/></x:worksheet>').encode("utf-8")


def _inject(dst: Path, formulas: dict[str, str] | None = None) -> Path:
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(SAMPLE)).get_sheet_by_index(0).to_python()
    with zipfile.ZipFile(HOST) as z:
        infos = z.infolist()
        parts = {i.filename: z.read(i) for i in infos}
    part = "xl/worksheets/summary.xml"
    parts[part] = _prefixed_sheet(rows, formulas)
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", f'<Override PartName="/{part}" ContentType="{CT}"/></Types>'.encode())
    rels = "xl/_rels/workbook.xml.rels"
    parts[rels] = parts[rels].replace(
        b"</Relationships>", f'<Relationship Type="{RNS}/worksheet" Target="/{part}" Id="Rsummary"/>'
                             "</Relationships>".encode())
    wb = parts["xl/workbook.xml"]
    assert b"</x:sheets>" in wb  # the host is prefixed
    parts["xl/workbook.xml"] = wb.replace(
        b"</x:sheets>", f'<x:sheet name="汇总表" sheetId="9" r:id="Rsummary" xmlns:r="{RNS}"/></x:sheets>'.encode())
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for i in infos:
            z.writestr(i, parts[i.filename])
        z.writestr(part, parts[part])
    return dst


def test_prefixed_package_is_checked_and_its_copy_streamed(tmp_path):
    src = _inject(tmp_path / "provincial.xlsx")
    res = subprocess.run([sys.executable, "-m", "xltool", "check", "--format", "json", "--out", str(tmp_path / "out"),
                          str(src)], capture_output=True, text=True, timeout=120, cwd=ROOT)
    f = json.loads(res.stdout)["files"][0]
    balances = [x for x in f["findings"] if x["severity"] == "error" and x["sheet"] == "汇总表"
                and re.fullmatch(r"F\d+", x["cell"])]
    assert len(balances) == 34, f.get("status")
    assert not any("备用写入方式" in n for n in f.get("notes", []) + f.get("remarks", []))
    out = Path(f["output"])
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(out) as b:
        changed = {n for n in a.namelist() if a.read(n) != b.read(n)}
        # the plan touches the table, the workbook, styles and the package's lists; nothing else changes
        assert changed <= {"xl/worksheets/summary.xml", "xl/workbook.xml", "xl/styles.xml", "[Content_Types].xml",
                           "_rels/.rels", "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet.xml"}, changed
        sheet = b.read("xl/worksheets/summary.xml")
        styles = b.read("xl/styles.xml")
    # every element of the table and of the style sheet is still in the x prefix, ours included
    for data in (sheet, styles):
        assert not re.search(rb"<(?!x:|\?|/x:)", data), re.search(rb"<(?!x:|\?|/x:).{0,30}", data).group(0)
    assert sheet.count(b"<x:legacyDrawing ") == 1 and len(re.findall(rb'<x:c r="F\d+" s="\d+"', sheet)) >= 34
    from defusedxml import ElementTree as ET

    ET.fromstring(sheet)
    ET.fromstring(styles)

    import openpyxl

    ws = openpyxl.load_workbook(out)["汇总表"]
    cells = [ws[x["cell"]] for x in balances]
    assert all(c.fill.fgColor.rgb == "00FFC7CE" and c.comment is not None for c in cells)


def test_a_formula_without_a_cached_value_is_seen_in_a_prefixed_sheet(tmp_path):
    """An ``<x:f>`` without an ``<x:v>`` is a formula whose result was never saved: IN003 (the value cannot be
    checked) in its cell, as in an unprefixed sheet, and not a wrong balance read as an empty cell."""
    from xltool import profiles
    from xltool.engine import check_file
    from xltool.io.book import load_book

    src = _inject(tmp_path / "provincial.xlsx", {"F7": "D7-E7", "F8": "D8-E8"})
    book = load_book(src, "xlsx")
    index = next(i for i, s in enumerate(book.sheets) if s.name == "汇总表")
    assert book.uncached_formulas(index) == {"F7", "F8"}
    report = check_file(src, profiles.load("national"), write=False)
    found = {(f.rule, f.cell) for f in report.findings if f.sheet == "汇总表" and f.cell in ("F7", "F8")}
    assert found == {("IN003", "F7"), ("IN003", "F8")}
    assert all("没有保存计算结果" in f.message for f in report.findings if f.rule == "IN003")
    balances = [f for f in report.findings if f.rule == "SUM002"]
    assert len(balances) == 32  # seed 000's 34 wrong balances, less F7's and F8's (their values are not known)
