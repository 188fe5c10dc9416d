"""Third acceptance set (tests/acceptance3/build.py): workbooks laid out the way officers hand them in — one
project form per sheet next to a summary of the same projects (reconciled), forms stacked on one sheet, the
national department-wide form with 小计 rows, Hebei's weighted form with merged levels and officers' formulas
(one cached value stale), 湖北/江西 project forms checked with their profile, numbers typed as text ('120万元', ' 98.04 % ', '0.00', '-', '—', '/'), 元 and 万元 in
different columns, columns in unusual orders, and summaries carrying comments, conditional formats, validations,
names, frozen panes, print areas, hidden rows/columns and sheet protection. Written by a third outsider without
reading the readers; scored exactly as the first two sets: every wrong cell of the ground truth carries an error
at its cell, no other cell carries an error (cells that only follow from a wrong cell may carry a warning).

A case the checker gets wrong today is ``xfail(strict=True)`` with the reason; when a fix lands it passes, the
strict mark turns it red, and the mark must be removed."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from modload import load
from xltool.cli import main

TESTS = Path(__file__).resolve().parent
HERE = TESTS / "acceptance3"


acceptance3 = load(HERE / "build.py", "xltool_acceptance3_build")
scoring = load(TESTS / "acceptance" / "score.py", "xltool_acceptance3_score")
score_file = scoring.score_file

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

KNOWN: dict[str, str] = {}  # what the checker gets wrong today (a strict xfail each): nothing

BOOKS = {b.name: b for b in acceptance3.books()}


def _param(name):
    marks = []
    if name in KNOWN:
        marks.append(pytest.mark.xfail(strict=True, reason=KNOWN[name]))
    if BOOKS[name].via.startswith("soffice") and not SOFFICE:
        marks.append(pytest.mark.skip(reason="LibreOffice (soffice) not installed"))
    return pytest.param(name, marks=marks, id=name)


@pytest.fixture(scope="module")
def acceptance3_set(tmp_path_factory):
    out = tmp_path_factory.mktemp("acceptance3")
    truth = acceptance3.build(out, soffice=bool(SOFFICE))
    return out, truth


def _path(out: Path, name: str) -> Path:
    return next(p for p in out.iterdir() if p.stem == name and p.suffix in (".xlsx", ".xls"))


def test_set_shape():
    """About twenty workbooks over the forms and summaries; clean ones and ones with 1–2 wrong cells."""
    assert {name[0] for name in BOOKS} == {"R", "F", "D", "W", "S"}
    assert 18 <= len(BOOKS) <= 24
    clean = [b for b in BOOKS.values() if not b.errors]
    assert 7 <= len(clean) <= 12
    assert sum(b.via != "xlsxwriter" for b in BOOKS.values()) >= len(BOOKS) // 3
    assert set(KNOWN) <= set(BOOKS)


@pytest.mark.parametrize("name", [_param(n) for n in sorted(BOOKS)])
def test_acceptance3_workbook(name, acceptance3_set):
    out, truth = acceptance3_set
    path = _path(out, name)
    res = CliRunner().invoke(main, ["check", "--format", "json", "--no-write", "-j", "1", "--profile",
                                    truth[path.name]["profile"], str(path)], catch_exceptions=False)
    (report,) = json.loads(res.output)["files"]
    assert report["status"] != "failed", report.get("error")
    s = score_file(truth[path.name], report)
    problems = scoring.problems(s)
    assert not problems, "\n".join(problems)
    assert report["verdict"] in (("errors",) if truth[path.name]["errors"] else ("ok", "warnings"))
    assert "unknown" not in s["kinds"], "every sheet is recognised"


def test_committed_truth_matches_build(acceptance3_set):
    """tests/acceptance3/expected.json (the ground truth, for reading) is what build.py writes."""
    _, truth = acceptance3_set
    committed = json.loads((HERE / "expected.json").read_text(encoding="utf-8"))
    if not SOFFICE:
        committed = {k: v for k, v in committed.items() if not v["via"].startswith("soffice")}
    assert truth == committed


def _features(path: Path) -> dict:
    wb = openpyxl.load_workbook(path)
    ws = wb["汇总表"]
    return {"comments": {c.coordinate: c.comment.text for row in ws.iter_rows() for c in row if c.comment},
            "cf": sorted(str(r.sqref) for r in ws.conditional_formatting),
            "dv": sorted(str(d.sqref) for d in ws.data_validations.dataValidation),
            "names": sorted(wb.defined_names), "freeze": ws.freeze_panes,
            "print_area": ws.print_area, "protected": ws.protection.sheet,
            "hidden_cols": sorted(k for k, d in ws.column_dimensions.items() if d.hidden),
            "hidden_rows": sorted(k for k, d in ws.row_dimensions.items() if d.hidden)}


@pytest.mark.parametrize("name", [n for n in sorted(BOOKS) if BOOKS[n].keeps])
def test_copy_keeps_the_officers_extras(name, acceptance3_set, tmp_path):
    """The annotated copy keeps comments, conditional formats, validations, names, panes, print area, hidden
    rows/columns and protection; LibreOffice opens it; parts the check does not touch are byte-identical."""
    out, truth = acceptance3_set
    src = _path(out, name)
    res = CliRunner().invoke(main, ["check", "--format", "json", "--out", str(tmp_path), "-j", "1", str(src)],
                             catch_exceptions=False)
    (report,) = json.loads(res.output)["files"]
    copy = Path(report["output"])
    before, after = _features(src), _features(copy)
    for key, value in before.items():
        if key == "comments":  # the officer's notes stay, word for word (ours are added beside them)
            assert all(after["comments"].get(k, "").startswith(v) for k, v in value.items()), after["comments"]
        else:
            assert after[key] == value, key
    keeps = set(truth[src.name]["keeps"])
    assert before["comments"] and before["cf"] and before["dv"] and "项目预算" in before["names"]
    assert before["freeze"] and before["print_area"]
    assert ("protection" not in keeps) or before["protected"]
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(copy) as b:
        for part in a.namelist():
            if part.startswith(("xl/theme/", "docProps/app")) or part.endswith(".bin"):
                assert a.read(part) == b.read(part), part
    if SOFFICE:
        conv = tmp_path / "lo"
        subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'prof'}", "--headless",
                        "--convert-to", "csv", "--outdir", str(conv), str(copy)], check=True, capture_output=True,
                       timeout=240)
        assert any(conv.iterdir())


def test_one_workbook_reconciled_with_itself_marks_its_copy(acceptance3_set, tmp_path):
    """A single workbook holding the summary and the project forms is reconciled with itself, and its copy
    (written before the reconciliation) is written again with both sides of each mismatch marked."""
    out, truth = acceptance3_set
    src = _path(out, "R02_forms_per_sheet_mismatch")
    res = CliRunner().invoke(main, ["check", "--format", "json", "--out", str(tmp_path), "-j", "1", str(src)],
                             catch_exceptions=False)
    (report,) = json.loads(res.output)["files"]
    rec = {(f["sheet"], f["cell"]) for f in report["findings"] if f["rule"].startswith("REC")}
    assert rec == {(t["sheet"], c) for t in truth[src.name]["errors"] for c in t["cells"]}
    wb = openpyxl.load_workbook(report["output"])
    for sheet, cell in rec:
        assert "（规则 REC00" in wb[sheet][cell].comment.text, (sheet, cell)


def test_a_table_of_mixed_units_says_which_unit_its_findings_use(acceptance3_set):
    """元 and 万元 columns are read in one unit; the findings' amounts are in that unit, and 核查结果 / the JSON
    results say so (an officer reading "预算数 13,380,000" beside a cell showing 1338 万元 knows why)."""
    out, _ = acceptance3_set
    for name, unit in (("S07_mixed_units_balance", "元"), ("S01_typed_numbers_clean", None)):
        path = _path(out, name)
        res = CliRunner().invoke(main, ["check", "--format", "json", "--no-write", "-j", "1", str(path)],
                                 catch_exceptions=False)
        (report,) = json.loads(res.output)["files"]
        results = next(s["results"] for s in report["sheets"] if s.get("results"))
        if unit is None:
            assert "unit_note" not in results
        else:
            assert results["unit"] == unit and f"金额都以{unit}计" in results["unit_note"]
