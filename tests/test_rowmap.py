"""The row map (``io.rowmap``): where each row of a big worksheet part starts, made by the proving process while
calamine reads, so the annotated copy's writer slices its rows instead of cutting them (issue 12). A map is only a
shortcut: the copy written with it is the copy written without it, byte for byte, and any part it does not fit
(rows written another way, another package, other bytes) gets no map or is not given one."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bigsummary
from xltool import profiles
from xltool.io import rowmap
from xltool.io.book import load_book
from xltool.report import xlsxfast

PART = "xl/worksheets/sheet1.xml"


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("rowmap") / "汇总表.xlsx"
    bigsummary.make(src, 12_000, seed=5)  # a sheet part over 4 MiB: proven beside the read, so mapped there
    assert zipfile.ZipFile(src).getinfo(PART).file_size >= 4 * 1024 * 1024
    return src


def _sheet_xml(rows: list[tuple[int, list[str]]], between: bytes = b"") -> bytes:
    body = between.join(b'<row r="%d" spans="1:3">' % (r + 1)
                        + b"".join(b'<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>' % (b"ABC"[c:c + 1], r + 1,
                                                                                          v.encode())
                                   for c, v in enumerate(cells)) + b"</row>" for r, cells in rows)
    return (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1"/>'
            b"<sheetData>" + body + b"</sheetData><pageMargins/></worksheet>")


def _fed(data: bytes, cuts: list[int]) -> rowmap.RowMap | None:
    info = zipfile.ZipInfo(PART)
    info.CRC, info.file_size = 7, len(data)
    mapper = rowmap.Mapper(info)
    prev = 0
    for c in sorted(set(cuts)) + [len(data)]:
        if c > prev:
            mapper.feed(data[prev:c])
            prev = c
    return mapper.result()


_ROWS = st.lists(st.tuples(st.integers(1, 3), st.lists(st.sampled_from(["项目", "1338", "x&amp;y", ""]), min_size=1,
                                                        max_size=3)), min_size=1, max_size=30)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(_ROWS, st.lists(st.integers(0, 4000), max_size=12))
def test_the_map_is_the_same_however_the_inflated_bytes_arrive(steps, cuts):
    """Rows back to back (gaps in the numbering allowed): every offset is a row's "<row", every row's number and
    start tag are right, and chunk boundaries anywhere (inside a tag, inside "</row>") change nothing."""
    r, rows = -1, []
    for step, cells in steps:
        r += step
        rows.append((r, cells))
    data = _sheet_xml(rows)
    whole = _fed(data, [])
    assert whole is not None and _fed(data, cuts) == whole
    assert list(whole.num) == [r for r, _ in rows]
    for at, n, taglen in zip(whole.at, whole.num, whole.taglen):
        assert data[at:at + taglen] == b'<row r="%d" spans="1:3">' % (n + 1)
    assert data[whole.stop - 6:whole.stop] == b"</row>" and data[whole.stop:].startswith(b"</sheetData>")
    # any run of whole rows is cut as the writer's own cutting cuts it
    for i0 in range(0, len(rows), 7):
        for i1 in (i0 + 1, min(len(rows), i0 + 5), len(rows)):
            a = whole.at[i0]
            b = whole.at[i1] if i1 < len(rows) else whole.stop
            region = data[a:b]
            got = whole.cut(region, a, rows[i0][0] - 1)

            class Patch:
                odd_cell = None
            assert got == xlsxfast._bulk_rows(region, Patch, rows[i0][0] - 1)


@pytest.mark.parametrize("between, rows", [
    (b"<!-- a note -->", [(0, ["a"]), (1, ["b"])]),  # a comment between rows
    (b"\n", [(0, ["a"]), (1, ["b"])]),  # whitespace between rows
    (b"", [(1, ["a"]), (0, ["b"])]),  # rows out of order
    (b"", [(0, ["a"]), (0, ["b"])]),  # a row number twice
])
def test_rows_not_written_the_plain_way_get_no_map(between, rows):
    assert _fed(_sheet_xml(rows, between), []) is None


def test_rows_without_r_an_empty_sheet_and_an_extlst_get_no_map():
    plain = _sheet_xml([(0, ["a"]), (1, ["b"])])
    assert _fed(plain, []) is not None
    assert _fed(plain.replace(b'<row r="2"', b"<row"), []) is None
    assert _fed(plain.replace(b'<row r="1" spans="1:3">', b'<row spans="1:3" r="1">'), []) is None
    assert _fed(plain.split(b"<sheetData>")[0] + b"<sheetData/></worksheet>", []) is None
    assert _fed(plain.replace(b"</c></row>", b"</c><extLst/></row>", 1), []) is None
    assert _fed(plain[:-40], []) is None  # cut short: no </sheetData>


def test_a_cut_that_does_not_fall_on_the_maps_rows_is_refused():
    data = _sheet_xml([(0, ["a"]), (1, ["b"]), (2, ["c"])])
    m = _fed(data, [])
    a, b = m.at[0], m.at[2]
    assert m.cut(data[a:b], a, -1) is not None
    assert m.cut(data[a + 1:b], a + 1, -1) is None  # not at a row's start
    assert m.cut(data[a:b - 1], a, -1) is None  # not at a row's end
    assert m.cut(data[a:b], a, 0) is None  # the writer has already passed row 1


def test_the_wire_between_the_processes_round_trips_and_refuses_garbage():
    data = _sheet_xml([(0, ["a"]), (4, ["b"]), (5, ["c"])])
    m = _fed(data, [])
    import io

    buf = io.BytesIO()
    rowmap.dump([m, m], buf)
    assert rowmap.load(buf.getvalue()) == {PART: m}
    assert rowmap.load(buf.getvalue()[:-3]) == {}
    assert rowmap.load(b"not json\n") == {}
    assert rowmap.load(b'{"part": "x"}\n') == {}


def test_a_big_sheet_is_mapped_during_the_read_only_when_a_copy_is_wanted(big):
    book = load_book(big, "xlsx", rowmaps=True)
    m = book.sheets[0].rowmap
    assert m is not None and m.part == PART
    assert len(m.at) == book.sheets[0].nrows  # xlsxwriter writes every row, from row 1
    with zipfile.ZipFile(big) as zf:
        assert m.matches(zf.getinfo(PART))
        assert m == rowmap.build(zf, PART)  # the proving process's map is the one made here
    assert load_book(big, "xlsx").sheets[0].rowmap is None


def _copy(src: Path, out: Path, mapped: bool) -> dict[str, bytes]:
    from xltool.engine import check_file
    from xltool.report.plan import build

    prof = profiles.load()
    report = check_file(src, prof, write=False)
    book = load_book(src, "xlsx", rowmaps=mapped)
    plan = build(report, book, prof)
    assert any(sp.rowmap is not None for sp in plan.sheets.values()) == mapped
    xlsxfast.write(src, plan, out)
    with zipfile.ZipFile(out) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_the_copy_written_with_the_map_is_the_copy_written_without(big, tmp_path):
    assert _copy(big, tmp_path / "a.xlsx", True) == _copy(big, tmp_path / "b.xlsx", False)


def test_a_map_of_other_bytes_is_not_used(big, tmp_path, monkeypatch):
    """The writer reads the part again: a map whose CRC is not the part's (the file was saved again meanwhile) is
    not given to the row patcher, and the copy is still right."""
    from xltool.engine import check_file
    from xltool.report.plan import build

    prof = profiles.load()
    report = check_file(big, prof, write=False)
    book = load_book(big, "xlsx", rowmaps=True)
    plan = build(report, book, prof)
    for sp in plan.sheets.values():
        if sp.rowmap is not None:
            sp.rowmap.crc ^= 1
    used = []
    real = xlsxfast.rewrite_sheet

    def spy(*a, **k):
        used.append(k.get("rowmap"))
        return real(*a, **k)

    monkeypatch.setattr(xlsxfast, "rewrite_sheet", spy)
    xlsxfast.write(big, plan, tmp_path / "c.xlsx")
    assert used and all(m is None for m in used)
    assert zipfile.ZipFile(tmp_path / "c.xlsx").read(PART) == _copy(big, tmp_path / "d.xlsx", False)[PART]
