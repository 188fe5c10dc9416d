"""The style sheet the annotated copy adds its formats to (``xlsxfast._Styles``): the same bytes as before it
was made to scale, on every style sheet of the corpus and on generated ones with 20,000 and 60,000 cell formats,
and a style sheet of 60,000 formats is read in well under a second.

``golden/styles_render.json`` holds, for each style sheet, a digest of what ``_Styles`` gives for a fixed run of
what the copy asks of it (the counts, the base font, the formats of marked cells, the formats of the cells it
adds, number formats, and the rendered part). It was written by the ``_Styles`` that parsed every cell format
(before this test was added); regenerate with XLTOOL_UPDATE_GOLDEN=1 only for an intended change of output.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path

import pytest

from xltool.report import plan, xlsxfast

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "excel-corpus" / "poi"
GOLDEN = ROOT / "tests" / "golden" / "styles_render.json"
UPDATE = os.environ.get("XLTOOL_UPDATE_GOLDEN") == "1"
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
COLOURS = ("FFC7CE", "FFEB9C")
CODES = ("0.00%", "0.00", "#,##0.00_ ", "yyyy-mm-dd", "0.0000", '0.00"万元"')


def generated(n_xf: int, n_fonts: int = 400, n_fmts: int = 50) -> bytes:
    """A style sheet as a large real workbook has one: many fonts, fills, borders, number formats and
    ``n_xf`` cell formats, self-closing and with alignment and protection children."""
    fonts = "".join(f'<font><sz val="{9 + i % 10}"/><color theme="1"/><name val="宋体"/><family val="3"/>'
                    f'<charset val="134"/></font>' for i in range(n_fonts))
    fills = '<fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>' + "".join(
        f'<fill><patternFill patternType="solid"><fgColor rgb="FF{i:06X}"/><bgColor indexed="64"/></patternFill>'
        f'</fill>' for i in range(200))
    borders = "".join(f'<border><left style="thin"><color indexed="{i % 64}"/></left><right/><top/><bottom/>'
                      f'<diagonal/></border>' for i in range(300))
    fmts = "".join(f'<numFmt numFmtId="{176 + i}" formatCode="0.{"0" * (i % 6)}_ ;[Red]\\-0.{"0" * (i % 6)}\\ {i}"/>'
                   for i in range(n_fmts))
    n_style = max(1, n_xf // 10)
    sxf = "".join(f'<xf numFmtId="0" fontId="{i % n_fonts}" fillId="0" borderId="0"><alignment vertical="center"/>'
                  f'</xf>' for i in range(n_style))
    xfs = []
    for i in range(n_xf):
        if i % 3 == 0:
            xfs.append(f'<xf numFmtId="{176 + i % n_fmts}" fontId="{i % n_fonts}" fillId="{i % 200}" borderId="{i % 300}"'
                       ' xfId="0" applyNumberFormat="1" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1">'
                       '<alignment horizontal="center" vertical="center" wrapText="1"/></xf>')
        elif i % 3 == 1:
            xfs.append(f'<xf numFmtId="0" fontId="{i % n_fonts}" fillId="0" borderId="{i % 300}" xfId="{i % n_style}"'
                       ' applyFont="1"/>')
        else:
            xfs.append('<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyProtection="1">'
                       '<alignment vertical="center"/><protection locked="0"/></xf>')
    dxfs = '<dxf><font><color rgb="FF9C0006"/></font><fill><patternFill><bgColor rgb="FFFFC7CE"/></patternFill></fill></dxf>'
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{NS}">'
            f'<numFmts count="{n_fmts}">{fmts}</numFmts><fonts count="{n_fonts}">{fonts}</fonts>'
            f'<fills count="202">{fills}</fills><borders count="300">{borders}</borders>'
            f'<cellStyleXfs count="{n_style}">{sxf}</cellStyleXfs><cellXfs count="{n_xf}">{"".join(xfs)}</cellXfs>'
            f'<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles>'
            f'<dxfs count="100">{dxfs * 100}</dxfs><tableStyles count="0" defaultTableStyle="TableStyleMedium2"'
            f' defaultPivotStyle="PivotStyleLight16"/></styleSheet>').encode()


ODD = {  # cell formats written in ways a scan of start tags alone would misread
    "alternate": '<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
                 '<mc:Choice Requires="x14"><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0"/></mc:Choice>'
                 '<mc:Fallback><xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0"/></mc:Fallback>'
                 '</mc:AlternateContent>',
    "extension": '<xf numFmtId="0" fontId="3" fillId="0" borderId="0" xfId="0"><extLst><ext uri="{00000000-0000-0000-'
                 '0000-000000000000}"><xf numFmtId="9"/></ext></extLst></xf>',
    "unclosed": '<xf numFmtId="0" fontId="4" fillId="0" borderId="0" xfId="0">',
}


def odd(kind: str) -> bytes:
    """A small generated style sheet whose sixth cell format is written the ``ODD[kind]`` way."""
    data = generated(30)
    at = data.index(b"<xf ", data.index(b"<cellXfs"))
    for _ in range(5):
        at = data.index(b"<xf ", at + 1)
    gt = data.index(b">", at)
    end = gt + 1 if data[gt - 1:gt] == b"/" else data.index(b"</xf>", at) + 5
    return data[:at] + ODD[kind].encode() + data[end:]


def _styles_of_plan() -> list:
    return [v for _, v in sorted(vars(plan).items()) if isinstance(v, plan.Style)]


def digest(data: bytes) -> str:
    """What ``_Styles`` gives for ``data`` when the copy uses it, as one digest (or the refusal's reason)."""
    try:
        view = xlsxfast._view_of(data, "styles.xml")
        s = xlsxfast._Styles(view.inn(data) if view else data)
    except Exception as exc:  # a refusal: the same one, with the same reason
        return f"{type(exc).__name__}: {getattr(exc, 'message', exc)}"
    h = hashlib.sha256()
    n = s.counts["cellXfs"]
    h.update(repr((sorted(s.counts.items()), s.base_size, s.base_name, s.base_charset, s.max_numfmt,
                   sorted(s.numfmts.items()))).encode())
    got = [s.marked(i, rgb) for i in sorted({0, 1, 2, 5, 6, n // 2, n - 1, n, n + 5}) for rgb in COLOURS]
    got += [s.marked(1, COLOURS[0])]  # asked again: the same format
    got += [s.style(st) for st in _styles_of_plan()]
    got += [s.numfmt(code) for code in CODES]
    h.update(repr(got).encode())
    out = s.render()
    h.update(view.out(out) if view else out)
    return h.hexdigest()


def _corpus_style_sheets() -> dict[str, bytes]:
    """Every style sheet of the corpus that can be unpacked, by package and part."""
    out = {}
    for p in sorted(CORPUS.iterdir()):
        if p.suffix.lower() not in (".xlsx", ".xlsm"):
            continue
        try:
            with zipfile.ZipFile(p) as z:
                for n in z.namelist():
                    if n.lower().endswith("styles.xml"):
                        out[f"poi/{p.name}/{n}"] = z.read(n)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
            continue
    return out


def _update(key: str, value: str) -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8")) if GOLDEN.exists() else {}
    golden[key] = value
    GOLDEN.write_text(json.dumps(dict(sorted(golden.items())), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


MADE = {**{f"generated/{n}": (lambda n=n: generated(n)) for n in (1, 20000, 60000)},
        **{f"odd/{kind}": (lambda kind=kind: odd(kind)) for kind in ODD}}


@pytest.mark.parametrize("key", list(MADE))
def test_generated_style_sheets_give_the_same_bytes(key):
    got = digest(MADE[key]())
    if UPDATE:
        _update(key, got)
    assert got == json.loads(GOLDEN.read_text(encoding="utf-8"))[key]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/excel-corpus is not here")
def test_corpus_style_sheets_give_the_same_bytes():
    sheets = _corpus_style_sheets()
    assert len(sheets) > 300
    got = {key: digest(data) for key, data in sheets.items()}
    if UPDATE:
        for k, v in got.items():
            _update(k, v)
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    differ = sorted(k for k, v in got.items() if golden.get(k) != v)
    assert not differ, differ[:10]


def test_a_style_sheet_of_60000_cell_formats_is_not_parsed_format_by_format():
    """Reading it parsed every cell format (0.8 s of CPU for 60,000); only the counts and where each format starts
    are read now, and a marked cell's own format is parsed when it is needed (timings: benchmarks/, not here)."""
    data = generated(60000)
    styles = xlsxfast._Styles(data)
    assert styles._xfs is None and styles.counts["cellXfs"] == 60000
    parsed = []
    real = styles._XF

    class Spy:
        def match(self, text, pos):
            parsed.append(pos)
            return real.match(text, pos)

    styles._XF = Spy()
    assert styles._xf(59999) == real.findall(styles._xf_body)[-1]
    assert len(parsed) == 1