"""Outputs are safe: text is never written as a formula, files are written atomically, an existing
file that is not ours is never overwritten, the input is never an output."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl

from builders import summary_row, write_summary
from xltool import profiles
from xltool.engine import check_file, output_path_for
from xltool.report.annotate import written_by_us

HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"点我\")", "@SUM(1+1)*cmd|' /C calc'!A0", "+cmd|' /C calc'!A0",
           "-2+3", "=1+1"]


def _sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return "".join(zf.read(n).decode("utf-8") for n in zf.namelist() if n.startswith("xl/worksheets/sheet"))


def test_hostile_text_is_written_as_text_in_the_annotated_copy(tmp_path):
    rows = [summary_row(i + 1, name, 100, 100, 96, balance=5, opinion=name) for i, name in enumerate(HOSTILE)]
    src = write_summary(tmp_path / "h.xlsx", rows)
    # openpyxl would store "=..." as formulas: make the input hold them as text, as Excel does for '-prefixed text
    wb = openpyxl.load_workbook(src)
    for row in wb.active.iter_rows(min_row=5):
        for c in row:
            if isinstance(c.value, str):
                c.data_type = "s"
    wb.save(src)
    r = check_file(src, profiles.load(), out_dir=tmp_path / "out")
    assert r.output, r.error
    xml = _sheet_xml(Path(r.output))
    assert "<f>" not in xml and "<f " not in xml  # the input held no formula, the copy holds none
    out = openpyxl.load_workbook(r.output)
    for ws in out.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value in HOSTILE:
                    assert c.data_type == "s", (ws.title, c.coordinate)
    # the findings sheet quotes messages containing the names: text too
    fs = out["核查结果"]
    assert all(c.data_type != "f" for row in fs.iter_rows() for c in row)


def test_existing_file_that_is_not_ours_is_not_overwritten(tmp_path):
    src = write_summary(tmp_path / "a.xlsx", [summary_row(1, "甲", 100, 90, 96, balance=0)])
    target = output_path_for(src, "xlsx", None)
    target.write_bytes(b"someone else's work")
    r = check_file(src, profiles.load())
    assert r.status == "failed" and "不是本工具生成" in r.error
    assert target.read_bytes() == b"someone else's work"


def test_our_own_output_is_replaced(tmp_path):
    src = write_summary(tmp_path / "a.xlsx", [summary_row(1, "甲", 100, 90, 96, balance=0)])
    first = check_file(src, profiles.load())
    assert written_by_us(Path(first.output))
    second = check_file(src, profiles.load())
    assert second.status == "findings" and second.output == first.output


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    src = write_summary(tmp_path / "a.xlsx", [summary_row(1, "甲", 100, 90, 96, balance=0)])
    check_file(src, profiles.load())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.checked.xlsx", "a.xlsx"]


def test_input_path_is_never_the_output(tmp_path):
    src = write_summary(tmp_path / "a.checked.xlsx", [summary_row(1, "甲", 100, 90, 96, balance=0)])
    before = src.read_bytes()
    r = check_file(src, profiles.load(), output=src)
    assert r.status == "failed"
    assert src.read_bytes() == before


def test_annotated_copy_opens_on_the_findings_sheet_only(tmp_path):
    src = write_summary(tmp_path / "a.xlsx", [summary_row(1, "甲", 100, 90, 96, balance=0)])
    out = openpyxl.load_workbook(check_file(src, profiles.load()).output)
    assert out.active.title == "核查结果"
    assert [ws.sheet_view.tabSelected for ws in out.worksheets] == [True] + [False] * (len(out.worksheets) - 1)


def test_checking_our_own_copy_says_what_its_findings_sheet_is(tmp_path):
    """A copy of ours checked again: its first sheet is named as our findings page, not as an unknown table."""
    src = write_summary(tmp_path / "s.xlsx", [summary_row(1, "甲", 100, 100, 96, balance=0)])
    first = check_file(src, profiles.load(), out_dir=tmp_path / "out")
    assert first.output, first.error
    again = check_file(Path(first.output), profiles.load(), write=False)
    (xl001,) = [f for f in again.findings if f.rule == "XL001" and f.sheet == "核查结果"]
    assert "本工具此前生成的核查结果页" in xl001.message
