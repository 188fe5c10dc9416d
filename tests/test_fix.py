"""``--fix``: the corrected copy ``X.corrected.xlsx`` (issue #11, point 3).

Checked on the real files (samples, ../shared/realworld, ../shared/excel-corpus/poi), on generated tables whose
derived column holds formulas, and cell type by cell type in the writer."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from xltool import profiles
from xltool.engine import check_file, is_own_output, output_path_for
from xltool.findings import ERROR, WARNING
from xltool.report import fix as F
from xltool.report.catalogue import FIXABLE, fixable

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SHARED = ROOT.parent / "shared"
REALWORLD = SHARED / "realworld"
CORPUS = SHARED / "excel-corpus" / "poi"
HAS_LO = shutil.which("soffice") is not None

SUMMARY = SAMPLES / "铜冶镇2023年度部门绩效自评结果公开汇总表.xlsx"  # seed 000: 34 balances written as 0


def _prof():
    return profiles.load("national")


def _values(path: Path) -> dict[str, list[list]]:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    return {n: wb.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in wb.sheet_names}


def _at(rows, r, c):
    return rows[r][c] if r < len(rows) and c < len(rows[r]) else ""


def _keys(report, severities=(ERROR, WARNING)) -> set:
    return {(f.rule, f.sheet, f.cell) for f in report.findings if f.severity in severities}


def _fix_and_recheck(src: Path, tmp: Path):
    """(report of the original, the corrected copy, report of the corrected copy) — the copy checked again."""
    work = tmp / src.name
    shutil.copy(src, work)
    before = check_file(work, _prof(), fix=True)
    if before.corrected is None:  # also a file that is not a form at all (a ledger template): nothing to correct
        return before, None, None
    corrected = Path(before.corrected)
    after = check_file(corrected, _prof(), write=False)
    return before, corrected, after


def _real_files() -> list[Path]:
    files = sorted(SAMPLES.glob("*.xlsx"))
    if REALWORLD.is_dir():
        files += sorted(REALWORLD.glob("*.xls"))
    return files


# ------------------------------------------------------------------ rules: which findings are fixable


def test_fixable_rules_are_rules_on_derived_figures():
    from xltool.rules import load_all

    rules = load_all()
    assert set(FIXABLE) <= set(rules)
    # inputs a person gave are never fixable: amounts, overspend, points given, missing values, texts, reconciliation
    for code in ("PF003", "WF003", "SUM003", "SUM004", "SUM005", "SUM007", "SUM011", "SUM012", "SUM015", "PF004", "PF005", "PF006",
                 "PF008", "PF011", "PF015", "PF019", "WF002", "WF005", "WF010", "MT001", "ST001", "ST005",
                 "REC001", "REC003", "IN001"):
        assert not fixable(code), code
    for code in ("SUM001", "SUM002", "SUM009", "PF001", "PF002", "PF012", "WF004", "MT003", "MT004", "ST006"):
        assert fixable(code), code


# ------------------------------------------------------------------ real files: check → --fix → check again


@pytest.mark.parametrize("src", _real_files(), ids=lambda p: p.name)
def test_corrected_copy_leaves_nothing_fixable_and_adds_nothing(src, tmp_path):
    before, corrected, after = _fix_and_recheck(src, tmp_path)
    fixable_errors = [f for f in before.findings if f.severity == ERROR and fixable(f.rule)]
    if corrected is None:  # nothing could be corrected: every fixable error waits for an input a person corrects
        assert before.fixed == 0
        return
    assert corrected.name.endswith(".corrected.xlsx")
    assert before.fixed > 0
    # no error --fix could have fixed remains, except those whose inputs are wrong (listed for a person)
    corr = F.decide(before, _book(tmp_path / src.name, before.fmt), _prof(), tmp_path / src.name)
    held = {(f.rule, f.cell) for f in corr.held}
    left = [(f.rule, f.cell) for f in after.findings if f.severity == ERROR and fixable(f.rule)]
    assert set(left) <= held, left
    # errors drop by exactly the corrected count, and nothing new is said (the findings sheet is our own)
    new = {k for k in _keys(after) if k[1] != "核查结果"} - _keys(before)
    assert not new, new
    # a corrected cell was an error, or a follow-on warning naming a root that was corrected with it
    # (seed 001: 换算得分 98.91 = the wrong 合计 91 ÷ 92 becomes 89 ÷ 92)
    fixed_at = {(x.sheet, x.cell) for x in corr.fixes}
    assert len(fixed_at) == before.fixed
    errors_fixed = sum(1 for f in before.findings if f.severity == ERROR and (f.sheet, f.cell) in fixed_at)
    flagged = {(f.sheet, f.cell) for f in before.findings if f.severity in (ERROR, WARNING)}
    assert fixed_at <= flagged, fixed_at - flagged  # nothing unflagged is changed
    assert after.errors == before.errors - errors_fixed, (before.errors, errors_fixed, after.errors)
    assert after.warnings <= before.warnings
    assert len(fixable_errors) >= errors_fixed - len(held)


def _book(path: Path, fmt: str):
    from xltool.io.book import load_book

    return load_book(path, fmt)


def test_seed_summary_gets_its_34_balances(tmp_path):
    before, corrected, after = _fix_and_recheck(SUMMARY, tmp_path)
    assert before.fixed == 34 and after.errors == 0
    orig, copy = _values(SUMMARY), _values(corrected)
    assert list(copy) == ["核查结果", *orig]
    sheet = next(iter(orig))
    # the exact recomputed value (the cell's own number format shows it as the form does)
    assert _at(orig[sheet], 6, 5) == 0 and _at(copy[sheet], 6, 5) == 26.248  # F7: 1338 − 1311.752
    assert _at(copy[sheet], 42, 5) == 663.510739  # F43 (2189.75 − 1526.239261), the largest gap
    assert _at(copy[sheet], 14, 5) == 0.006841  # F15: 49.12 − 49.113159, without float noise
    # the first sheet lists the corrected cells, then what remains; its status line counts both
    first = copy["核查结果"]
    texts = [str(v) for row in first for v in row]
    line = next(t for t in texts if t.startswith("已更正 34 处"))
    assert "仍需人工处理：错误 0 处、提示 2 处" in line
    assert texts.count("已更正") == 34
    assert "仍需人工处理" in texts
    # each corrected cell carries a note saying what it was
    notes = _notes(corrected, sheet)
    assert notes["F7"].startswith("【已更正】原填 0；结余数应为 26.25") and "已改为 26.248（规则 SUM002）" in notes["F7"]


def _notes(path: Path, sheet: str) -> dict[str, str]:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    return {c.coordinate: c.comment.text for row in wb[sheet].iter_rows() for c in row if c.comment is not None}


@pytest.mark.parametrize("src", [p for p in _real_files() if p.suffix == ".xlsx"], ids=lambda p: p.name)
def test_inputs_never_change(src, tmp_path):
    before, corrected, _ = _fix_and_recheck(src, tmp_path)
    if corrected is None:
        return
    fixed = {(f.sheet, f.row, f.col) for f in F.decide(before, _book(tmp_path / src.name, before.fmt), _prof(),
                                                         tmp_path / src.name).fixes}
    assert len(fixed) == before.fixed
    orig, copy = _values(src), _values(corrected)
    for name, rows in orig.items():
        got = copy[name]
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if (name, r, c) not in fixed:
                    assert _at(got, r, c) == v, (name, r, c)
    # the original is untouched
    assert (tmp_path / src.name).read_bytes() == src.read_bytes()


def test_a_row_with_a_wrong_input_keeps_its_derived_figures(tmp_path):
    """An overspend (an input) is never changed, and the rate worked out from it waits for the person."""
    src = REALWORLD / "national_export_numbered.xls"
    if not src.exists():
        pytest.skip("../shared/realworld is not here")
    book = _book(src, "xls")
    report = check_file(src, _prof(), write=False)
    corr = F.decide(report, book, _prof(), src)
    assert not corr.fixes
    held = {f.cell for f in corr.held}
    assert {"I7", "I8", "K7"} <= held  # rates and the rate score of rows whose 执行数 exceeds the budget
    from xltool.report.plan import correction_line

    assert "须先由人工改正" in correction_line(corr)


# ------------------------------------------------------------------ the command line and the names


def test_cli_fix_names_the_corrected_copy(tmp_path):
    from click.testing import CliRunner

    from xltool.cli import main

    work = tmp_path / SUMMARY.name
    shutil.copy(SUMMARY, work)
    res = CliRunner().invoke(main, ["check", "--fix", "--format", "json", str(work)], catch_exceptions=False)
    doc = json.loads(res.output)
    f = doc["files"][0]
    assert f["corrected"].endswith(".corrected.xlsx") and f["fixed"] == 34
    assert Path(f["corrected"]).exists()
    res = CliRunner().invoke(main, ["--fix", str(work)], catch_exceptions=False)
    assert "更正副本：" in res.output and "已更正 34 处" in res.output
    # without --fix: no key, no copy
    res = CliRunner().invoke(main, ["check", "--format", "json", str(work)], catch_exceptions=False)
    assert "corrected" not in json.loads(res.output)["files"][0]


def test_fast_path_accepts_fix():
    from xltool.cli import fast_check_args

    assert fast_check_args(["--fix", "a.xlsx"])["fix"] is True
    assert fast_check_args(["check", "--fix", "a.xlsx"])["fix"] is True
    assert "fix" not in fast_check_args(["a.xlsx"])


def test_folder_fix_goes_through_the_batch(tmp_path):
    from xltool import batch

    for p in (SUMMARY, SAMPLES / "东史端镇2023年度绩效管理自评表.xlsx", SAMPLES / "示例单位2023年度部门整体支出绩效自评表.xlsx"):
        shutil.copy(p, tmp_path / p.name)
    jobs = [batch.Job(p, p.name) for p in sorted(tmp_path.glob("*.xlsx"))]
    reports = batch.run(jobs, _prof(), workers=2, fix=True, keep_records=False)
    got = {Path(r.path).name: r for r in reports}
    assert got[SUMMARY.name].fixed == 34 and got["东史端镇2023年度绩效管理自评表.xlsx"].fixed == 2
    assert got["示例单位2023年度部门整体支出绩效自评表.xlsx"].corrected is None  # clean: nothing to correct
    assert (tmp_path / "东史端镇2023年度绩效管理自评表.corrected.xlsx").exists()
    # a second run over the folder does not check our own copies as submissions
    from xltool.inputs import collect

    assert not any(".corrected" in p.name or ".checked" in p.name for p, _ in collect([str(tmp_path)]))


def test_corrected_copies_are_our_own_output(tmp_path):
    x = tmp_path / "X.corrected.xlsx"
    assert is_own_output(x) and is_own_output(tmp_path / "X.corrected (2).xlsx")
    assert output_path_for(x, "xlsx", None).name == "X.checked.xlsx"
    assert F.corrected_path(tmp_path / "X.checked.xlsx").name == "X.corrected.xlsx"
    assert F.corrected_path(tmp_path / "X.xls.checked.xlsx").name == "X.xls.corrected.xlsx"
    assert F.corrected_path(tmp_path / "X.checked.xlsm").name == "X.corrected.xlsm"


def test_checking_a_corrected_copy_with_fix_again_never_overwrites_it(tmp_path):
    work = tmp_path / "t.xlsx"
    shutil.copy(SAMPLES / "东史端镇2023年度绩效管理自评表.xlsx", work)
    first = check_file(work, _prof(), fix=True)
    corrected = Path(first.corrected)
    data = corrected.read_bytes()
    again = check_file(corrected, _prof(), fix=True)
    assert again.status != "failed" and again.corrected is None  # nothing left to correct
    assert corrected.read_bytes() == data
    assert Path(again.output).name == "t.checked.xlsx"


# ------------------------------------------------------------------ formulas


def _formula_table(path: Path, wrong_row: int | None = 2, total: bool = True) -> Path:
    """A summary table whose 结余数 column holds =D−E formulas, except item ``wrong_row`` (0-based) typed as 0."""
    import xlsxwriter

    items = [("教育经费", 1338, 1311.752), ("防汛工作经费", 50, 45.999477), ("绿化管护项目", 196, 195.9402),
             ("固定资产购置费", 100, 80), ("道路维修", 20, 12.5)]
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("汇总表")
    pct = wb.add_format({"num_format": "0.00%"})
    ws.write_row(0, 0, ["部门绩效自评结果公开汇总表"])
    ws.write_row(1, 0, ["主管部门：某镇人民政府"])
    ws.write_row(2, 0, ["单位：万元"])
    ws.write_row(3, 0, ["序号", "项目名称", "项目实施单位", "预算数（调整后）", "执行数", "执行率", "结余数", "自评得分"])
    first = 4
    for i, (name, b, e) in enumerate(items):
        r = first + i
        ws.write_row(r, 0, [i + 1, name, "某镇人民政府", b, e])
        ws.write_number(r, 5, round(e / b, 4), pct)
        if i == wrong_row:
            ws.write_number(r, 6, 0)
        else:
            ws.write_formula(r, 6, f"=D{r + 1}-E{r + 1}", None, b - e)
        ws.write_number(r, 7, 95)
    last = first + len(items) - 1
    if total:
        stated = sum(b - e for i, (_, b, e) in enumerate(items) if i != wrong_row)
        r = last + 1
        ws.write_row(r, 0, ["", "合计", ""])
        ws.write_formula(r, 3, f"=SUM(D{first + 1}:D{last + 1})", None, sum(b for _, b, _ in items))
        ws.write_formula(r, 4, f"=SUM(E{first + 1}:E{last + 1})", None, sum(e for _, _, e in items))
        ws.write_formula(r, 6, f"=SUM(G{first + 1}:G{last + 1})", None, stated)
    wb.close()
    return path


def _sheet_xml(path: Path, part: str = "xl/worksheets/sheet2.xml") -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read(part).decode("utf-8")


def _formula_of(path: Path, sheet: str, ref: str):
    import openpyxl

    return openpyxl.load_workbook(path)[sheet][ref].value


def test_neighbours_formula_is_written_translated(tmp_path):
    src = _formula_table(tmp_path / "f.xlsx")
    report = check_file(src, _prof(), fix=True)
    assert report.fixed >= 1, report.remarks
    out = Path(report.corrected)
    assert _formula_of(out, "汇总表", "G7") == "=D7-E7"  # the wrong item: its neighbours' formula
    assert _formula_of(out, "汇总表", "G10") == "=SUM(G5:G9)"  # the total keeps its own formula
    vals = _values(out)["汇总表"]
    assert vals[6][6] == pytest.approx(196 - 195.9402, abs=0.005)  # cached: calamine reads the right value
    assert vals[9][6] == pytest.approx(sum(b - e for b, e in ((1338, 1311.752), (50, 45.999477), (196, 195.9402),
                                                             (100, 80), (20, 12.5))), abs=0.005)
    with zipfile.ZipFile(out) as zf:
        assert 'fullCalcOnLoad="1"' in zf.read("xl/workbook.xml").decode()
    assert check_file(out, _prof(), write=False).errors == 0


@pytest.mark.skipif(not HAS_LO, reason="LibreOffice is not installed")
def test_libreoffice_recalculates_the_corrected_formulas(tmp_path):
    from lo import recalc

    src = _shared(_formula_table(tmp_path / "f.xlsx", wrong_row=None), stale="G5")
    report = check_file(src, _prof(), fix=True)
    out = Path(report.corrected)
    plain = check_file(_formula_table(tmp_path / "g.xlsx"), _prof(), fix=True)
    again = recalc([out, Path(plain.corrected)], tmp_path / "lo")
    for path in again:
        assert check_file(path, _prof(), write=False).errors == 0, path.name
        vals = _values(path)["汇总表"]
        assert vals[4][6] == pytest.approx(1338 - 1311.752)
        assert vals[6][6] == pytest.approx(196 - 195.9402)


def _shared(path: Path, stale: str) -> Path:
    """The 结余数 formulas of ``path`` turned into one shared formula (master G5, as Excel writes a filled-down
    column), the master's cached value made stale (0)."""
    data = {}
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            data[info.filename] = zf.read(info)
    part = "xl/worksheets/sheet1.xml"
    xml = data[part].decode()

    def shared(m):
        r = int(m.group(1))
        if r == 5:
            return f'<c r="G5"><f t="shared" ref="G5:G9" si="0">D5-E5</f><v>0</v></c>'
        return f'<c r="G{r}"><f t="shared" si="0"/><v>{m.group(2)}</v></c>'

    xml, n = re.subn(r'<c r="G([5-9])"><f>D\d+-E\d+</f><v>([^<]*)</v></c>', shared, xml)
    assert n == 5 and stale == "G5"
    data[part] = xml.encode()
    out = path.with_name(path.stem + "_shared.xlsx")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, blob in data.items():
            zf.writestr(name, blob)
    return out


def test_a_shared_formula_master_is_corrected_and_its_dependants_written_out(tmp_path):
    src = _shared(_formula_table(tmp_path / "f.xlsx", wrong_row=None), stale="G5")
    report = check_file(src, _prof(), fix=True)
    assert report.fixed >= 1
    out = Path(report.corrected)
    xml = _sheet_xml(out)
    assert 't="shared"' not in xml
    assert _formula_of(out, "汇总表", "G5") == "=D5-E5"
    assert _formula_of(out, "汇总表", "G8") == "=D8-E8"
    assert _values(out)["汇总表"][4][6] == pytest.approx(1338 - 1311.752, abs=0.005)
    assert check_file(out, _prof(), write=False).errors == 0


def test_a_calc_chain_is_dropped_with_its_relationship_and_content_type(tmp_path):
    src = _formula_table(tmp_path / "f.xlsx")
    data = {}
    with zipfile.ZipFile(src) as zf:
        for info in zf.infolist():
            data[info.filename] = zf.read(info)
    data["xl/calcChain.xml"] = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<calcChain '
                                b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><c r="G5" i="1"/>'
                                b'<c r="G6"/><c r="G8"/></calcChain>')
    data["xl/_rels/workbook.xml.rels"] = data["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdChain" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                             b'relationships/calcChain" Target="calcChain.xml"/></Relationships>')
    data["[Content_Types].xml"] = data["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-officedocument'
                     b'.spreadsheetml.calcChain+xml"/></Types>')
    with zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, blob in data.items():
            zf.writestr(name, blob)
    report = check_file(src, _prof(), fix=True)
    out = Path(report.corrected)
    with zipfile.ZipFile(out) as zf:
        assert "xl/calcChain.xml" not in zf.namelist()
        assert b"calcChain" not in zf.read("xl/_rels/workbook.xml.rels")
        assert b"calcChain" not in zf.read("[Content_Types].xml")
    with zipfile.ZipFile(report.output) as zf:  # the annotated copy changes no value: it keeps its chain
        assert "xl/calcChain.xml" in zf.namelist()


def test_translate_moves_relative_references_only():
    assert F.translate("D7-E7", (6, 6), (19, 6)) == "D20-E20"
    assert F.translate("$D$7-E7*$B$1", (6, 6), (8, 6)) == "$D$7-E9*$B$1"
    assert F.translate("SUM(G5:G9)", (9, 6), (10, 6)) == "SUM(G6:G10)"
    assert F.translate('IF(D7="合计",0,D7-E7)', (6, 6), (7, 6)) == 'IF(D8="合计",0,D8-E8)'
    assert F.translate("'预算 表'!D7-E7", (6, 6), (7, 6)) == "'预算 表'!D8-E8"
    assert F.translate("D2-E2", (6, 6), (0, 6)) is None  # would leave the sheet


# ------------------------------------------------------------------ the writer, cell type by cell type


CELLS = [
    # (what the cell was, its XML)
    ("shared string", b'<c r="F7" s="4" t="s"><v>12</v></c>'),
    ("inline string", b'<c r="F7" s="4" t="inlineStr"><is><t>0</t></is></c>'),
    ("number", b'<c r="F7" s="4"><v>0</v></c>'),
    ("boolean", b'<c r="F7" s="4" t="b"><v>0</v></c>'),
    ("empty", b'<c r="F7" s="4"/>'),
    ("formula", b'<c r="F7" s="4"><f>D7-E7-1</f><v>25.25</v></c>'),
    ("shared master", b'<c r="F7" s="4"><f t="shared" ref="F7:F9" si="3">D7-E7-1</f><v>25.25</v></c>'),
    ("string formula", b'<c r="F7" s="4" t="str"><f>"a"</f><v>a</v></c>'),
    ("error", b'<c r="F7" s="4" t="e"><v>#DIV/0!</v></c>'),
    ("absent", None),
]


@pytest.mark.parametrize("what,xml", CELLS, ids=[c[0] for c in CELLS])
@pytest.mark.parametrize("rep", ["number", "text", "formula"])
def test_replaced_cell_of_every_type(what, xml, rep):
    from defusedxml import ElementTree as ET

    from xltool.report.plan import Replacement
    from xltool.report.xlsxfast import _replaced

    r = {"number": Replacement(26.25), "text": Replacement("优秀"), "formula": Replacement(26.248, "D7-E7")}[rep]
    out = _replaced(xml, "F7", r)
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    el = ET.fromstring(out.replace(b"<c ", b'<c xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ', 1))
    assert el.get("r") == "F7"
    assert el.get("s") == ("4" if xml is not None else None)  # the cell keeps its format
    f = el.find(ns + "f")
    if rep == "formula":
        assert f is not None and f.text == "D7-E7" and not f.attrib
        assert el.get("t") is None and el.find(ns + "v").text == "26.248"
    elif rep == "number":
        assert f is None and el.get("t") is None and el.find(ns + "v").text == "26.25"
    else:
        assert f is None and el.get("t") == "inlineStr" and el.find(f"{ns}is/{ns}t").text == "优秀"


def test_a_shared_dependant_gets_its_formula_written_out():
    from xltool.report.plan import Replacement
    from xltool.report.xlsxfast import _replaced

    out = _replaced(b'<c r="F8" s="2"><f t="shared" si="3"/><v>1.92</v></c>', "F8", Replacement(None, "D8-E8", True))
    assert out == b'<c r="F8" s="2"><f>D8-E8</f><v>1.92</v></c>'


def test_text_numbers_stay_text_and_grades_use_the_forms_words():
    from xltool.findings import Finding
    from xltool.io.book import Sheet

    sheet = Sheet("s", 0, [["等级"], ["优秀"], ["良好"], [""]])
    f = Finding("SUM006", ERROR, "s", "A4", "", "优", "良好", 3, 0)
    assert F._options(f, "良好", sheet, 0)[0] == "优秀"
    g = Finding("SUM002", ERROR, "s", "A4", "", 26.25, 0, 3, 0)
    assert F._options(g, "0", sheet, 0)[0] == "26.25"
    assert F._options(g, "0%", sheet, 0)[0] == "2625%"
    assert F._options(g, 0.0, sheet, 0)[0] == 26.25
    h = Finding("SUM002", ERROR, "s", "A4", "", 26.25, 0, 3, 0, exact=1338 - 1311.752)
    assert F._options(h, 0.0, sheet, 0)[0] == 26.248  # a number cell: exact, without float noise
    assert F._options(h, "0", sheet, 0)[0] == "26.25"  # typed as text: as the rule shows it


def test_the_fallback_writer_writes_values_where_it_cannot_cache_a_formula(tmp_path, monkeypatch):
    monkeypatch.setenv("XLTOOL_OPENPYXL_WRITER", "1")
    src = _formula_table(tmp_path / "f.xlsx")
    report = check_file(src, _prof(), fix=True)
    out = Path(report.corrected)
    assert _formula_of(out, "汇总表", "G7") == pytest.approx(196 - 195.9402)
    assert "公式" not in _notes(out, "汇总表")["G7"]
    assert check_file(out, _prof(), write=False).errors == 0


@pytest.mark.skipif(not (CORPUS / "comments.xlsx").exists(), reason="../shared/excel-corpus/poi is not here")
def test_a_corrected_cell_keeps_its_own_note_and_ours_follows(tmp_path):
    import openpyxl

    from xltool.engine import FileReport
    from xltool.io.book import load_book
    from xltool.report import xlsxfast
    from xltool.report.plan import NOTE_SEPARATOR, build_corrected

    src = CORPUS / "comments.xlsx"
    ws = openpyxl.load_workbook(src).worksheets[0]
    noted = next(c for row in ws.iter_rows() for c in row if c.comment is not None)
    book = load_book(src, "xlsx")
    sheet = book.sheets[0]
    fx = F.Fix(sheet.name, noted.row - 1, noted.column - 1, "SUM002", sheet.raw(noted.row - 1, noted.column - 1),
               12.5, "结余数应为 12.5。")
    report = FileReport(path=src.name, status="findings", fmt="xlsx")
    out = tmp_path / "c.corrected.xlsx"
    xlsxfast.write(src, build_corrected(F.Correction([fx], report), book, _prof()), out)
    text = openpyxl.load_workbook(out).worksheets[1][noted.coordinate].comment.text
    assert text.startswith(noted.comment.text.rstrip()) and NOTE_SEPARATOR + "【已更正】" in text
    assert _values(out)[sheet.name][noted.row - 1][noted.column - 1] == 12.5


def test_merged_cell_is_corrected_at_its_anchor(tmp_path):
    """A 合计得分 merged across two columns: the value goes into the anchor."""
    import openpyxl

    src = SAMPLES / "东史端镇2023年度绩效管理自评表.xlsx"
    wb = openpyxl.load_workbook(src)
    ws = wb.active
    ws.merge_cells("D12:E12")
    work = tmp_path / "m.xlsx"
    wb.save(work)
    report = check_file(work, _prof(), fix=True)
    assert report.fixed == 2
    vals = _values(Path(report.corrected))[ws.title]
    assert vals[11][3] == 89 and vals[12][3] == pytest.approx(89 / 92 * 100)


# ------------------------------------------------------------------ real packages: sound copies


@pytest.fixture(scope="module", autouse=True)
def _close_auditor():
    yield
    import sys

    corpus = sys.modules.get("test_corpus_writer")  # its openxml-audit worker, started by check_copy
    if corpus is not None:
        corpus._stop_auditor()


CORPUS_FILES = ["57362.xlsx", "comments.xlsx", "shared_formulas.xlsx", "InlineStrings.xlsx", "WithTable.xlsx",
                "61495-test.xlsm"]


def _corpus_plan(path: Path, fmt: str, book):
    """A corrected-copy plan on a real package: a fix on a numeric cell, a text cell and a formula cell of each
    sheet (values as the rules would give them)."""
    from xltool.engine import FileReport
    from xltool.report.plan import build_corrected

    fixes = []
    for sheet in book.sheets:
        fm = F.formulas(path, sheet.name, set(range(64))) if fmt != "xls" else None
        nums = [(r, c) for r, row in enumerate(sheet.rows[:200]) for c, v in enumerate(row)
                if isinstance(v, (int, float)) and not isinstance(v, bool) and sheet.anchor(r, c) == (r, c)]
        texts = [(r, c) for r, row in enumerate(sheet.rows[:200]) for c, v in enumerate(row)
                 if isinstance(v, str) and v and sheet.anchor(r, c) == (r, c)]
        cells = nums[:1] + texts[:1] + [p for p in (fm.own if fm else {}) if p not in nums[:1]][:1]
        for r, c in cells:
            own = fm.own.get((r, c)) if fm else None
            fixes.append(F.Fix(sheet.name, r, c, "SUM002", sheet.raw(r, c), 12.5, "测试更正。", None, own))
        if fm and fm.master_at:  # a shared master: corrected with a value, its dependants written out
            pos, si = next(iter(fm.master_at.items()))
            mr, mc, text = fm.masters[si]
            fixes.append(F.Fix(sheet.name, mr, mc, "SUM002", sheet.raw(mr, mc), 7.0, "测试更正。", text, text))
    report = FileReport(path=path.name, status="findings", fmt=fmt)
    corr = F.Correction(fixes, report, [], {})
    for sheet in book.sheets:
        fm = F.formulas(path, sheet.name, set()) if fmt != "xls" else None
        for f in fixes:
            si = fm.master_at.get((f.row, f.col)) if fm and f.sheet == sheet.name else None
            if si is not None:
                mr, mc, text = fm.masters[si]
                corr.explicit.setdefault(sheet.name, {}).update(
                    {d: F.translate(text, (mr, mc), d) for d in fm.dependants[si]})
    return report, build_corrected(corr, book, _prof())


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/excel-corpus/poi is not here")
@pytest.mark.parametrize("name", CORPUS_FILES)
def test_corrected_copy_of_a_real_package_is_sound(name, tmp_path):
    from test_corpus_writer import check_copy

    from xltool.io.book import load_book
    from xltool.io.safety import sniff
    from xltool.report import xlsxfast

    src = CORPUS / name
    if not src.exists():
        pytest.skip(f"{name} is not in the corpus")
    fmt = sniff(src)
    book = load_book(src, fmt)
    report, plan = _corpus_plan(src, fmt, book)
    assert plan.has_values
    out = tmp_path / (src.stem + ".corrected" + src.suffix)
    xlsxfast.write(src, plan, out)
    probs = [p for p in check_copy(src, out, plan, True) if p != "part lost: xl/calcChain.xml"]
    assert not probs, probs
    # every replaced value reads back as planned
    vals = _values(out)
    for name_, sp in plan.sheets.items():
        for (r, c), rep in sp.values.items():
            if not rep.keep_value:
                assert _at(vals[name_], r, c) == rep.value, (name_, r, c)


@pytest.mark.skipif(not CORPUS.is_dir() or not HAS_LO, reason="needs the corpus and LibreOffice")
def test_libreoffice_opens_corrected_copies(tmp_path):
    from xltool.io.book import load_book
    from xltool.io.safety import sniff
    from xltool.report import xlsxfast

    copies = []
    for name in ("shared_formulas.xlsx", "comments.xlsx"):
        src = CORPUS / name
        if src.exists():
            book = load_book(src, sniff(src))
            _, plan = _corpus_plan(src, sniff(src), book)
            out = tmp_path / (src.stem + ".corrected.xlsx")
            xlsxfast.write(src, plan, out)
            copies.append(out)
    copies.append(Path(check_file(shutil.copy(SUMMARY, tmp_path / "s.xlsx") and tmp_path / "s.xlsx", _prof(),
                                  fix=True).corrected))
    out = tmp_path / "csv"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "csv",
                    "--outdir", str(out), *map(str, copies)], capture_output=True, timeout=300)
    for c in copies:
        csv = out / (c.stem + ".csv")
        assert csv.exists(), c.name
        assert "xltool" in csv.read_text(encoding="utf-8", errors="replace"), c.name


# ------------------------------------------------------------------ .xls


@pytest.mark.skipif(not HAS_LO, reason="LibreOffice is not installed")
def test_xls_input_gets_a_corrected_xlsx(tmp_path):
    work = tmp_path / "s.xlsx"
    shutil.copy(SUMMARY, work)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "xls",
                    "--outdir", str(tmp_path / "xls"), str(work)], capture_output=True, timeout=300)
    xls = tmp_path / "xls" / "s.xls"
    assert xls.exists()
    report = check_file(xls, _prof(), fix=True)
    assert report.fixed == 34
    out = Path(report.corrected)
    assert out.name == "s.corrected.xlsx"
    after = check_file(out, _prof(), write=False)
    assert after.errors == report.errors - 34


# ------------------------------------------------------------------ order: a 合计 after its items, grades


def test_a_total_becomes_the_sum_of_the_corrected_items_and_grades_use_the_forms_words(tmp_path):
    from builders import clean_rows, summary_row, total_row, write_summary

    rows = clean_rows()
    rows[0] = summary_row(1, "2023年镇级教育经费", 1338, 1311.752, 96, balance=0)  # wrong balance
    rows[3] = summary_row(4, "2023年镇级固定资产购置费", 100, 80, 84, balance=0, grade="优秀")  # and grade (良好)
    stated = sum(r[6] for r in rows)  # the 合计 agrees with the column as written: a cascade warning at first
    src = write_summary(tmp_path / "s.xlsx", rows, total=total_row(rows, balance=stated))
    before = check_file(src, _prof(), fix=True)
    assert {(f.rule, f.cell, f.severity) for f in before.findings} >= {("SUM002", "G5", ERROR), ("SUM002", "G8", ERROR),
                                                                        ("SUM009", "G9", WARNING), ("SUM006", "J8", ERROR)}
    out = Path(before.corrected)
    vals = _values(out)["汇总表"]
    assert vals[4][6] == 26.248 and vals[7][6] == 20
    assert vals[8][6] == pytest.approx(sum(b - e for _, _, _, b, e, *_ in rows), abs=1e-9)  # G9, the 合计
    assert vals[7][9] == "良好"  # the form writes 优秀/良好, not 优/良
    after = check_file(out, _prof(), write=False)
    # the opinion "评价结果优秀…" is a text a person rewrites: it stays, and does not hold back the row's figures
    assert [(f.rule, f.cell) for f in after.findings if f.severity in (ERROR, WARNING)] == [("SUM007", "K8")]
    assert before.fixed == 4


# ------------------------------------------------------------------ the acceptance set's layouts (built without xltool)


def test_acceptance_layouts_corrected_without_new_findings(tmp_path):
    """Every workbook of tests/acceptance (totals first / last, 小计, rates as 0.9804 / 98.04 / "98.04%", numbers as
    text, label-above fund blocks, grade words …): --fix, then checking the corrected copy says nothing new and
    leaves no error --fix could have fixed, except where a figure it depends on is wrong (S07: 调整后预算数)."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("xltool_acceptance_build", ROOT / "tests" / "acceptance" / "build.py")
    build = sys.modules.get(spec.name)
    if build is None:
        build = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = build
        spec.loader.exec_module(build)
    build.build(tmp_path, soffice=False)
    corrected = {}
    for path in sorted(tmp_path.glob("*.xls*")):
        before = check_file(path, _prof(), fix=True)
        assert before.status != "failed", path.name
        fixable_errors = [f for f in before.findings if f.severity == ERROR and fixable(f.rule)]
        if before.corrected is None:
            corr = F.decide(before, _book(path, before.fmt), _prof(), path)
            assert {(f.rule, f.cell) for f in fixable_errors} <= {(f.rule, f.cell) for f in corr.held}, path.name
            continue
        after = check_file(Path(before.corrected), _prof(), write=False)
        new = {k for k in _keys(after) if k[1] != "核查结果"} - _keys(before)
        assert not new, (path.name, new)
        assert not [f for f in after.findings if f.severity == ERROR and fixable(f.rule)], path.name
        corrected[path.stem] = before.fixed
    assert corrected.get("S10_rate_percent_numbers") == 1 and corrected.get("S12_grade_words") == 1
    assert corrected.get("S02_totals_first_balance0") == 3  # two balances, then the 合计 above them
    assert len(corrected) >= 12


def test_a_neighbours_formula_that_gives_wrong_figures_is_no_model(tmp_path):
    """结余 formulas that compute something else (=D−E−1, cached as such: every row flagged) are not copied."""
    src = _formula_table(tmp_path / "f.xlsx", total=False)
    data = {}
    with zipfile.ZipFile(src) as zf:
        for info in zf.infolist():
            data[info.filename] = zf.read(info)
    xml = data["xl/worksheets/sheet1.xml"].decode()
    xml = re.sub(r"<f>(D\d+-E\d+)</f><v>([^<]*)</v>", lambda m: f"<f>{m.group(1)}-1</f><v>{float(m.group(2)) - 1!r}</v>",
                 xml)
    data["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, blob in data.items():
            zf.writestr(name, blob)
    report = check_file(src, _prof(), fix=True)
    out = Path(report.corrected)
    assert _formula_of(out, "汇总表", "G7") == pytest.approx(196 - 195.9402)  # a value, not =D7-E7-1
    # the flagged formula cells themselves get a value too (their own formula is what is wrong)
    assert _formula_of(out, "汇总表", "G5") == pytest.approx(1338 - 1311.752)
    assert check_file(out, _prof(), write=False).errors == 0
