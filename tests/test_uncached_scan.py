"""Formulas without a cached value (``io/book.py::_scan_uncached``) are found whatever prefix the sheet's
SpreadsheetML elements carry: none as a rule, ``x:`` as the .NET Open XML SDK writes them, the strict namespace's."""

from __future__ import annotations

import re
import zipfile

import pytest

from xltool.io.book import _scan_uncached, _uncached_in

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"

CELLS = (
    '<c r="A1"><f>1+1</f><v>2</v></c>'  # calculated
    '<c r="B1"><f>A1*2</f></c>'  # never calculated
    '<c r="C1" t="str"><f>""</f><v></v></c>'  # a cached empty string
    '<c r="D1"><f>A1</f><v/></c>'  # an empty value: no cache
    '<c r="E1"><f t="shared" ref="E1:E2" si="0">A1</f></c><c r="F1" s="2"/>'
    '<c r="G1" t="inlineStr"><is><r><rPr><family val="2"/></rPr><t>不是公式</t></r></is></c>'  # <family, not <f
    '<c r="H1"><v>5</v></c>'
)
WANT = {"B1", "D1", "E1"}


def _sheet(prefix: str = "", ns: str = MAIN, extra: str = "") -> bytes:
    body = f'<sheetData><row r="1">{CELLS}</row></sheetData>'
    decl = f'xmlns:{prefix}="{ns}"' if prefix else f'xmlns="{ns}"'
    if prefix:  # every element of the sheet in the prefix, as the SDK writes it
        body = re.sub(r"<(/?)([A-Za-z])", rf"<\1{prefix}:\2", body)
    return f'<?xml version="1.0" encoding="UTF-8"?><{prefix + ":" if prefix else ""}worksheet {decl}{extra}>{body}' \
           f'</{prefix + ":" if prefix else ""}worksheet>'.encode()


@pytest.mark.parametrize("prefix, ns", [("", MAIN), ("x", MAIN), ("s", MAIN), ("x", STRICT), ("", STRICT)])
def test_the_same_cells_in_any_prefix(prefix, ns):
    assert _uncached_in(_sheet(prefix, ns)) == WANT


def test_a_prefix_of_another_namespace_is_not_a_cell():
    # y is bound to another namespace: <y:c><y:f> there are not the sheet's cells
    data = _sheet("x").replace(b"<x:c r=\"B1\"><x:f>A1*2</x:f></x:c>",
                               b'<y:c r="B1" xmlns:y="urn:other"><y:f>A1*2</y:f></y:c>')
    assert _uncached_in(data) == WANT - {"B1"}


def test_a_prefixed_package(tmp_path):
    path = tmp_path / "sdk.xlsx"
    rels = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')
        z.writestr("_rels/.rels", f'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   f'package/2006/relationships"><Relationship Id="R1" Type="{rels}/officeDocument" '
                   f'Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0"?><x:workbook xmlns:x="{MAIN}" xmlns:r="{rels}"><x:sheets>'
                   '<x:sheet name="表1" sheetId="1" r:id="R1"/></x:sheets></x:workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                   f'openxmlformats.org/package/2006/relationships"><Relationship Id="R1" Type="{rels}/worksheet" '
                   'Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", _sheet("x"))
    assert _scan_uncached(path, 0) == WANT
