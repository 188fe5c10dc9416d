"""The package-level writer of the annotated copy (xltool/report/xlsxfast.py) produces what the openpyxl
writer produces — values, fills, notes, links, merges, widths, the findings sheet — and keeps what
openpyxl would drop; anything unusual falls back to the openpyxl writer."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from builders import clean_rows, summary_row, write_summary
from xltool import profiles
from xltool.engine import check_file
from xltool.io.book import load_book
from xltool.report import annotate, plan, xlsxfast

ROOT = Path(__file__).resolve().parents[1]
INPUTS = sorted((ROOT / "samples").glob("*.xlsx")) + sorted((ROOT / "tests" / "fixtures").glob("*.xlsx"))


def _snapshot(path: Path) -> dict:
    wb = openpyxl.load_workbook(path)
    out = {"sheetnames": wb.sheetnames, "active": wb.active.title, "sheets": {}}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                filled = c.fill is not None and c.fill.fill_type is not None
                if c.value is None and c.comment is None and not filled:
                    continue
                link = None
                if c.hyperlink is not None:
                    link = "#" + c.hyperlink.location if c.hyperlink.location else c.hyperlink.target
                cells[c.coordinate] = (c.value, c.fill.fgColor.rgb if filled else None,
                                       c.comment.text if c.comment else None, bool(c.font.b),
                                       c.font.color.rgb if c.font.color is not None else None, c.number_format, link,
                                       c.alignment.wrap_text, c.alignment.horizontal)
        out["sheets"][ws.title] = {
            "cells": cells, "merges": sorted(str(r) for r in ws.merged_cells.ranges), "freeze": ws.freeze_panes,
            "filter": ws.auto_filter.ref, "tab": ws.sheet_view.tabSelected,
            "widths": {k: v.width for k, v in ws.column_dimensions.items() if v.customWidth},
            "print_titles": ws.print_title_rows,
        }
    return out


def _both(src: Path, tmp: Path):
    prof = profiles.load()
    r = check_file(src, prof, write=False)
    assert r.status != "failed", r.error
    book = load_book(src, r.fmt)
    fast, slow = tmp / "fast.xlsx", tmp / "slow.xlsx"
    xlsxfast.write(src, plan.build(r, book, prof), fast)
    annotate.write_with_openpyxl(src, book, plan.build(r, book, prof), slow)
    return r, fast, slow


@pytest.mark.parametrize("src", INPUTS, ids=[p.name for p in INPUTS])
def test_same_copy_as_the_openpyxl_writer(src, tmp_path):
    _, fast, slow = _both(src, tmp_path)
    a, b = _snapshot(fast), _snapshot(slow)
    assert a["sheetnames"] == b["sheetnames"] and a["active"] == b["active"] == "核查结果"
    for name, want in b["sheets"].items():
        got = a["sheets"][name]
        assert got["cells"] == want["cells"], name
        assert got["merges"] == want["merges"], name
        assert got["freeze"] == want["freeze"] and got["filter"] == want["filter"], name
        assert got["tab"] == want["tab"], name
        for col, width in want["widths"].items():
            assert got["widths"].get(col) == width, (name, col)
    assert a["sheets"]["核查结果"]["print_titles"] == b["sheets"]["核查结果"]["print_titles"]
    assert annotate.written_by_us(fast)


def test_every_part_is_well_formed_and_readable(tmp_path):
    from xml.dom import minidom

    from python_calamine import CalamineWorkbook

    _, fast, _ = _both(ROOT / "samples" / "铜冶镇2023年度部门绩效自评结果公开汇总表.xlsx", tmp_path)
    with zipfile.ZipFile(fast) as zf:
        assert zf.testzip() is None
        for n in zf.namelist():
            if n.endswith((".xml", ".rels", ".vml")):
                minidom.parseString(zf.read(n))
    wb = CalamineWorkbook.from_path(str(fast))
    assert wb.sheet_names == ["核查结果", "汇总表"]


def test_original_parts_are_kept(tmp_path):
    """A chart, defined names and print titles survive (openpyxl's round trip drops charts it read)."""
    from openpyxl.chart import BarChart, Reference

    src = write_summary(tmp_path / "chart.xlsx", clean_rows())
    wb = openpyxl.load_workbook(src)
    ws = wb["汇总表"]
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=4, min_row=4, max_row=8), titles_from_data=True)
    ws.add_chart(chart, "M2")
    ws.print_title_rows = "4:4"
    ws["B6"] = "2023年镇级防汛工作经费"
    ws["G6"] = 0  # 结余数 wrong: a finding on this sheet
    wb.save(src)
    r, fast, _ = _both(src, tmp_path)
    assert r.errors
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(fast) as b:
        charts = [n for n in a.namelist() if n.startswith("xl/charts/")]
        assert charts and all(a.read(n) == b.read(n) for n in charts)
    out = openpyxl.load_workbook(fast)
    assert out["汇总表"].print_title_rows.replace("$", "") == "4:4"  # its sheet-local name moved with it
    assert out["汇总表"]["G6"].fill.fgColor.rgb == "00FFC7CE"


def test_a_flagged_empty_cell_is_created(tmp_path):
    rows = clean_rows()
    rows[1][4] = None  # 执行数 missing: SUM011 on an empty cell
    src = write_summary(tmp_path / "gap.xlsx", rows)
    r, fast, slow = _both(src, tmp_path)
    assert any(f.rule == "SUM011" and f.cell == "E6" for f in r.findings)
    ws = openpyxl.load_workbook(fast)["汇总表"]
    assert ws["E6"].fill.fgColor.rgb == "00FFC7CE" and "未填写" in ws["E6"].comment.text


def test_sheet_with_comments_keeps_them(tmp_path):
    """A flagged sheet that already has notes: ours join them in its own comments part and VML drawing
    (this used to fall back to openpyxl, which rewrote every part and dropped the notes' shapes)."""
    from openpyxl.comments import Comment

    src = write_summary(tmp_path / "noted.xlsx", [summary_row(1, "甲", 100, 90, 96, balance=0)])
    wb = openpyxl.load_workbook(src)
    wb["汇总表"]["G5"].comment = Comment("科长：请核实", "科长")
    wb["汇总表"]["B5"].comment = Comment("项目名称已核对", "科长")
    wb.save(src)
    r, fast, slow = _both(src, tmp_path)
    a, b = _snapshot(fast), _snapshot(slow)
    assert a["sheets"]["汇总表"]["cells"] == b["sheets"]["汇总表"]["cells"]
    ws = openpyxl.load_workbook(fast)["汇总表"]
    text = ws["G5"].comment.text
    assert text.startswith("科长：请核实") and "—— xltool ——" in text and "结余数" in text
    assert ws["B5"].comment.text == "项目名称已核对"
    with zipfile.ZipFile(src) as zs, zipfile.ZipFile(fast) as zf:
        vml = [n for n in zf.namelist() if n.endswith(".vml")]
        assert len(vml) == 1 and vml[0] in zs.namelist()  # the drawing was extended, not replaced
        old_shapes = zs.read(vml[0]).count(b"<v:shape ")
        assert zf.read(vml[0]).count(b"<v:shape ") == old_shapes  # G5 already had its shape
        sheet = next(n for n in zf.namelist() if n.startswith("xl/worksheets/sheet") and b"legacyDrawing" in zf.read(n))
        assert zf.read(sheet).count(b"<legacyDrawing") == 1


def test_macro_workbook_keeps_its_macros(tmp_path):
    src = write_summary(tmp_path / "a.xlsx", [summary_row(1, "甲", 100, 90, 96, balance=0)])
    xlsm = tmp_path / "宏.xlsm"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(xlsm, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml")
                data = data.replace(b"</Types>", b'<Default Extension="bin" ContentType="application/'
                                                 b'vnd.ms-office.vbaProject"/></Types>')
            zout.writestr(info, data)
        zout.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 not really a project")
    r = check_file(xlsm, profiles.load(), out_dir=tmp_path / "out")
    assert r.fmt == "xlsm" and r.output.endswith(".checked.xlsm")
    with zipfile.ZipFile(r.output) as zf:
        assert zf.read("xl/vbaProject.bin") == b"\xd0\xcf\x11\xe0 not really a project"
        assert b"macroEnabled" in zf.read("[Content_Types].xml")


def test_text_with_xml_specials(tmp_path):
    name = '甲<乙>&"丙" \'丁\' ]]>'
    rows = [summary_row(1, name, 100, 90, 96, balance=0), summary_row(2, name, 50, 50, 96)]  # SUM013 quotes it
    src = write_summary(tmp_path / "x.xlsx", rows)
    r, fast, slow = _both(src, tmp_path)
    a, b = _snapshot(fast), _snapshot(slow)
    assert a["sheets"]["核查结果"]["cells"] == b["sheets"]["核查结果"]["cells"]
    assert a["sheets"]["汇总表"]["cells"] == b["sheets"]["汇总表"]["cells"]
    assert any(name in (v[0] or "") for v in a["sheets"]["核查结果"]["cells"].values() if isinstance(v[0], str))


def test_control_characters_in_messages_are_dropped():
    assert xlsxfast._text("a\x07b\ud800c<") == "abc&lt;"


# ------------------------------------------------------------------ real-package shapes, made small


MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _rewrite_parts(src: Path, dst: Path, edit) -> Path:
    """A copy of ``src`` with ``edit(name, data) -> data`` applied to every part."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, edit(info.filename, zin.read(info)))
    return dst


def _top_level(xml: bytes) -> list[str]:
    from xml.etree import ElementTree as ET

    return [el.tag.split("}")[-1] if el.tag.startswith("{" + xlsxfast.NS_MAIN) else "(ext)"
            for el in ET.fromstring(xml)]


def _in_order(kids: list[str], order) -> bool:
    idx = [order.index(k) for k in kids if k != "(ext)"]
    return idx == sorted(idx) and len([k for k in kids if k == "legacyDrawing"]) <= 1


def _flagged(tmp_path, name="a.xlsx", rows=None):
    rows = rows or [summary_row(1, "甲", 100, 90, 96, balance=0), summary_row(2, "乙", 50, 50, 96)]
    return write_summary(tmp_path / name, rows)


def test_workbook_elements_stay_in_schema_order_after_alternate_content(tmp_path):
    """Excel 2013+ writes mc:AlternateContent after workbookPr; definedNames must still follow sheets."""
    alt = (f'<mc:AlternateContent xmlns:mc="{MC}"><mc:Choice Requires="x15"><x15ac:absPath url="C:\\a\\" '
           f'xmlns:x15ac="http://schemas.microsoft.com/office/spreadsheetml/2010/11/ac"/></mc:Choice>'
           f"</mc:AlternateContent>").encode()

    def edit(name, data):
        if name == "xl/workbook.xml":
            data = data.replace(b"<definedNames/>", b"").replace(b"<workbookPr/>", b"<workbookPr/>" + alt)
        return data

    src = _rewrite_parts(_flagged(tmp_path), tmp_path / "alt.xlsx", edit)
    r, fast, _ = _both(src, tmp_path)
    with zipfile.ZipFile(fast) as zf:
        kids = _top_level(zf.read("xl/workbook.xml"))
    assert _in_order(kids, xlsxfast.WORKBOOK_ORDER), kids
    assert kids.index("definedNames") > kids.index("sheets")


def test_legacy_drawing_is_top_level_never_inside_a_nested_extension_list(tmp_path):
    data_bar = (b'<conditionalFormatting sqref="D5:D6"><cfRule type="dataBar" priority="1"><dataBar><cfvo type="min"/>'
                b'<cfvo type="max"/><color rgb="FF638EC6"/></dataBar><extLst><ext uri="{B025F937-C7B1-47D3-B67F-'
                b'A62EFF666E3E}" xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:id>'
                b'{00000000-0000-0000-0000-000000000001}</x14:id></ext></extLst></cfRule></conditionalFormatting>')

    def edit(name, data):
        if name == "xl/worksheets/sheet1.xml":
            data = data.replace(b"<pageMargins", data_bar + b"<pageMargins")
        return data

    src = _rewrite_parts(_flagged(tmp_path), tmp_path / "bar.xlsx", edit)
    _both(src, tmp_path)
    with zipfile.ZipFile(tmp_path / "fast.xlsx") as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    kids = _top_level(sheet)
    assert "legacyDrawing" in kids and _in_order(kids, xlsxfast.SHEET_ORDER), kids
    assert b"<x14:id>{00000000-0000-0000-0000-000000000001}</x14:id></ext></extLst></cfRule>" in sheet


def test_large_sheet_with_notes_gets_one_legacy_drawing(tmp_path):
    """Over 1 MiB (the old guard looked at the first chunk only) and already noted."""
    from openpyxl.comments import Comment

    src = _flagged(tmp_path)
    wb = openpyxl.load_workbook(src)
    ws = wb["汇总表"]
    ws["B5"].comment = Comment("已核对", "科长")
    for r in range(20, 20 + 30000):
        ws.cell(r, 20, f"填充文字{r}")
    wb.save(src)
    with zipfile.ZipFile(src) as zf:
        assert zf.getinfo("xl/worksheets/sheet1.xml").file_size > xlsxfast.CHUNK
    _, fast, _ = _both(src, tmp_path)
    with zipfile.ZipFile(fast) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
        rels = zf.read("xl/worksheets/_rels/sheet1.xml.rels")
    assert sheet.count(b"<legacyDrawing") == 1
    assert rels.count(b"/comments\"") == 1 and rels.count(b"/vmlDrawing\"") == 1
    ws = openpyxl.load_workbook(fast)["汇总表"]
    assert ws["B5"].comment.text == "已核对" and "结余数" in ws["G5"].comment.text


def test_vml_shape_ids_are_unique_across_sheets_past_1024_notes(tmp_path):
    import re as _re

    src = _flagged(tmp_path)
    wb = openpyxl.load_workbook(src)
    wb.copy_worksheet(wb["汇总表"]).title = "副本"
    wb.save(src)
    prof = profiles.load()
    r = check_file(src, prof, write=False)
    book = load_book(src, r.fmt)
    p = plan.build(r, book, prof)
    for name, n in (("汇总表", 1500), ("副本", 30)):
        sp = p.sheets.setdefault(name, plan.SheetPlan())
        for i in range(n):
            sp.marks[(10 + i, 12)] = plan.Mark("warning", f"第 {i} 条")
    out = tmp_path / "many.xlsx"
    xlsxfast.write(src, p, out)
    ids, blocks = [], []
    with zipfile.ZipFile(out) as zf:
        for n in zf.namelist():
            if n.endswith(".vml"):
                vml = zf.read(n)
                mine = [int(x) for x in _re.findall(rb'id="_x0000_s(\d+)"', vml)]
                own = [int(x) for x in _re.search(rb'data="([^"]*)"', vml).group(1).split(b",")]
                assert {i // 1024 for i in mine} <= set(own)
                ids += mine
                blocks += own
    notes = sum(len(sp.marks) for sp in p.sheets.values())
    assert notes > 1530 and len(ids) == notes == len(set(ids)) and len(blocks) == len(set(blocks)) == 3
    ws = openpyxl.load_workbook(out)["汇总表"]
    assert ws.cell(1510, 13).comment.text == "第 1499 条"


def test_rows_holding_cdata_and_angle_brackets_in_attributes(tmp_path):
    """Legal XML a byte search would misread: CDATA holding "</row>", ">" inside an attribute value."""
    from xml.dom import minidom

    from python_calamine import CalamineWorkbook

    def edit(name, data):
        if name == "xl/worksheets/sheet1.xml":
            data = data.replace(b'<row r="5"', b'<row xmlns:q="urn:q" q:note="a>b" r="5"', 1)
            extra = b'<c r="Z5" t="inlineStr"><is><t><![CDATA[x</row><row r="6"><c r="A6">]]></t></is></c></row>'
            at = data.find(b"</row>", data.find(b'<row xmlns:q="urn:q"'))
            data = data[:at] + extra + data[at + len(b"</row>"):]
        return data

    src = _rewrite_parts(_flagged(tmp_path), tmp_path / "cdata.xlsx", edit)
    r, fast, _ = _both(src, tmp_path)
    assert any(f.cell == "G5" for f in r.findings)
    with zipfile.ZipFile(fast) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    minidom.parseString(sheet)
    assert sheet.count(b'r="Z5"') == 1 and sheet.count(b'<c r="G5"') == 1
    got = CalamineWorkbook.from_path(str(fast)).get_sheet_by_name("汇总表").to_python(skip_empty_area=False)
    assert got[4][25] == "x</row><row r=\"6\"><c r=\"A6\">"
    assert openpyxl.load_workbook(fast)["汇总表"]["G5"].fill.fgColor.rgb == "00FFC7CE"


def _corpus_report(name: str):
    """A report with one error on the first sheet of a corpus package (no table of ours in these files)."""
    from xltool.engine import FileReport
    from xltool.findings import Finding

    src = ROOT.parent / "shared" / "excel-corpus" / "poi" / name
    if not src.exists():
        pytest.skip("../shared/excel-corpus is not here")
    book = load_book(src, "xlsx")
    sheet = book.sheets[0]
    report = FileReport(path=name, status="findings", fmt="xlsx",
                        findings=[Finding("SUM002", "error", sheet.name, "A1", "测试", 1, 0, 0, 0)])
    return src, book, report


def test_strict_package_is_streamed_in_its_own_namespaces(tmp_path):
    """Strict Open XML was refused (no copy at all); it is streamed now, and what the writer adds is Strict too."""
    src, book, report = _corpus_report("SimpleStrict.xlsx")
    out = tmp_path / "out.xlsx"
    assert annotate.write_annotated(src, book, report, profiles.load(), out) is True
    assert not any("备用写入方式" in n or "未生成" in n for n in report.notes)
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(out) as b:
        new = [n for n in b.namelist() if n not in a.namelist() or a.read(n) != b.read(n)]
        for n in new:  # every part written or edited names no Transitional namespace or relationship type
            data = b.read(n)
            assert b"schemas.openxmlformats.org/spreadsheetml" not in data, n
            assert b"schemas.openxmlformats.org/officeDocument" not in data, n
        assert b"http://purl.oclc.org/ooxml/officeDocument/relationships/comments" in \
            b.read("xl/worksheets/_rels/sheet1.xml.rels")
        assert b"purl.oclc.org/ooxml/officeDocument/customProperties" in b.read("docProps/custom.xml")
        assert b.read("xl/theme/theme1.xml") == a.read("xl/theme/theme1.xml")
    from python_calamine import CalamineWorkbook

    assert CalamineWorkbook.from_path(str(out)).sheet_names[0] == "核查结果"


def test_prefixed_package_is_streamed_with_its_prefix(tmp_path):
    """<s:workbook xmlns:s=…>: the sheet the writer adds to the workbook is <s:sheet>, and the copy is streamed."""
    src, book, report = _corpus_report("58760.xlsx")
    out = tmp_path / "out.xlsx"
    assert annotate.write_annotated(src, book, report, profiles.load(), out) is True
    assert not any("备用写入方式" in n for n in report.notes)
    with zipfile.ZipFile(out) as zf:
        wb = zf.read("xl/workbook.xml")
        rels = zf.read("xl/_rels/workbook.xml.rels")  # ElementTree's ns0:Relationships
    assert '<s:sheet name="核查结果"'.encode() in wb and b"<s:definedNames><s:definedName" in wb
    assert b"<sheet " not in wb and b"<definedName " not in wb
    assert b"<ns0:Relationship Id=\"rIdXl1\"" in rels and b"<Relationship " not in rels
    assert openpyxl.load_workbook(out)[book.sheets[0].name]["A1"].fill.fgColor.rgb == "00FFC7CE"


@pytest.mark.parametrize("name, part, before", [
    ("58760.xlsx", "xl/workbook.xml", b"<s:sheets>"),  # read whole
    ("59746_NoRowNums.xlsx", "xl/worksheets/sheet.xml", b"</x:sheetData>"),  # streamed: found while written
])
def test_prefixed_part_it_cannot_give_back_falls_back_and_says_why(tmp_path, name, part, before):
    """A prefixed part holding a comment (its text could hold "<x:c"): not streamed, the fallback says why."""
    import warnings

    from python_calamine import CalamineWorkbook

    src, book, report = _corpus_report(name)
    src = _rewrite_parts(src, tmp_path / "commented.xlsx", lambda n, data: data.replace(
        before, b"<!-- <x:c/> -->" + before) if n == part else data)
    out = tmp_path / "out.xlsx"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert annotate.write_annotated(src, book, report, profiles.load(), out) is True
    assert not caught  # openpyxl's English warnings never reach the user
    assert any("备用写入方式" in n and "命名空间前缀" in n for n in report.notes)
    first = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert any("备用写入方式" in str(v) for row in first for v in row)
    assert openpyxl.load_workbook(out)[book.sheets[0].name]["A1"].fill.fgColor.rgb == "00FFC7CE"

@pytest.mark.parametrize("part", [
    b'<?xml version="1.0"?><x:worksheet xmlns:x="http://purl.oclc.org/ooxml/spreadsheetml/main" '
    b'xmlns:r="http://purl.oclc.org/ooxml/officeDocument/relationships"><x:sheetData><x:row r="1">'
    b'<x:c r="A1"><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>',  # Strict and prefixed
    b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData/>'
    b'<x:extLst><x:ext uri="{1}"><x14:foo xmlns:x14="urn:x14"/></x:ext></x:extLst></x:worksheet>',
])
def test_view_round_trip_is_exact_and_plain_inside(part):
    view = xlsxfast._view_of(part, "工作表")
    plain = view.inn(part)
    assert b"<x:" not in plain and b"purl.oclc.org" not in plain and b"<worksheet xmlns=" in plain
    assert (b"<x14:foo" in plain) == (b"<x14:foo" in part)  # other namespaces keep their prefixes
    assert view.out(plain) == part
    cut = xlsxfast._cut(part[:70])  # streamed in pieces, cut between tags: the same
    assert b"".join(view.out(view.inn(p)) for p in (part[:cut], part[cut:])) == part
    added = b'<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells></worksheet>'  # what the writer adds
    assert view.out(plain.replace(b"</worksheet>", added)).count(b"<x:mergeCell ") == 1


def test_view_refuses_what_it_could_not_give_back():
    mixed = (b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             b'xmlns="urn:other"><x:sheetData/></x:worksheet>')
    with pytest.raises(xlsxfast.Unsupported):
        xlsxfast._view_of(mixed, "工作表")  # a default namespace beside the prefix
    view = xlsxfast._view_of(mixed.replace(b' xmlns="urn:other"', b""), "工作表")
    with pytest.raises(xlsxfast.Unsupported, match="前缀"):
        view.inn(b"<x:row><c/></x:row>")  # an unprefixed element
    strict = xlsxfast._view_of(b'<worksheet xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"/>', "工作表")
    with pytest.raises(xlsxfast.Unsupported) as exc:
        strict.inn(b'<worksheet xmlns:q="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>')
    assert not exc.value.fallback  # openpyxl cannot write Strict either


def _stored(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A part's bytes as stored in the package (compressed), read past its local header."""
    import struct

    zf.fp.seek(info.header_offset)
    head = zf.fp.read(30)
    n, m = struct.unpack("<HH", head[26:30])
    zf.fp.seek(info.header_offset + 30 + n + m)
    return zf.fp.read(info.compress_size)


def test_untouched_parts_are_copied_as_stored_not_compressed_again(tmp_path):
    """Parts the plan does not touch keep their compressed bytes, method and CRC (a stored image stays stored);
    the copy is a valid package that reads back the same."""
    src = write_summary(tmp_path / "s.xlsx", clean_rows())
    image = bytes(range(256)) * 64
    import badfiles as bf

    pkg = bf.rewrite_zip(src, tmp_path / "m.xlsx", add={"xl/media/extra.bin": image})
    with zipfile.ZipFile(pkg) as a, zipfile.ZipFile(tmp_path / "mixed.xlsx", "w") as b:  # one part stored
        for info in a.infolist():
            b.writestr(info, a.read(info), zipfile.ZIP_STORED if info.filename.endswith(".bin") else
                       zipfile.ZIP_DEFLATED)
    r, fast, _ = _both(tmp_path / "mixed.xlsx", tmp_path)
    with zipfile.ZipFile(tmp_path / "mixed.xlsx") as a, zipfile.ZipFile(fast) as b:
        assert b.testzip() is None
        for name in ("xl/media/extra.bin", "xl/theme/theme1.xml", "docProps/core.xml"):
            ia, ib = a.getinfo(name), b.getinfo(name)
            assert (ib.compress_type, ib.CRC, ib.file_size) == (ia.compress_type, ia.CRC, ia.file_size)
            assert _stored(b, ib) == _stored(a, ia)
        assert b.read("xl/media/extra.bin") == image


def test_a_damaged_untouched_part_still_fails_the_copy(tmp_path):
    """A part whose bytes do not match its CRC is refused as before (reading it raised), not carried over."""
    import badfiles as bf

    src = write_summary(tmp_path / "s.xlsx", clean_rows())
    pkg = bf.rewrite_zip(src, tmp_path / "m.xlsx", add={"xl/media/extra.bin": b"x" * 5000},
                         compression=zipfile.ZIP_STORED)
    data = bytearray(pkg.read_bytes())
    at = data.find(b"x" * 5000)
    data[at + 100] = ord("y")  # the stored bytes change, the CRC in both headers does not
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(bytes(data))
    prof = profiles.load()
    r = check_file(bad, prof, write=False)
    book = load_book(bad, r.fmt)
    with pytest.raises(zipfile.BadZipFile):
        xlsxfast.write(bad, plan.build(r, book, prof), tmp_path / "out.xlsx")
    assert not (tmp_path / "out.xlsx").exists()
