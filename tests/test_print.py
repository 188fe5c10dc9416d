"""Pages that print: every sheet the overview, ``summarize`` and the templates write, printed to PDF by
LibreOffice (headless, one run for every file) — A4, the right orientation, the official forms on one
portrait page, tables fit to the page width (never split sideways).

Each sheet is printed on its own (a copy of the workbook with the other sheets removed), so a page count
belongs to one sheet. Skipped when LibreOffice is not installed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from builders import summary_row, write_summary
from lo import pdf_pages, soffice, to_pdf
from test_roundtrip import FILLS
from test_summarize import FORMS, write_form
from xltool import profiles
from xltool import summarize as sm
from xltool import template as templates
from xltool.batch import Job, run
from xltool.engine import check_file
from xltool.cli import main
from xltool.report import overview

pytestmark = pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
PROFILE = profiles.load()
ONE_PAGE_FORMS = ("project-form", "department-form", "weighted-form", "score-table", "management-table")
FILLED = ("project-form", "weighted-form", "management-table")
SEED000 = "铜冶镇2023年度部门绩效自评结果公开汇总表.xlsx"
FINDINGS = "核查结果"


def _split(path: Path, folder: Path, only: str | None = None) -> dict[str, Path]:
    """One workbook per sheet (the others removed), so that each PDF is one sheet's print-out."""
    out = {}
    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    for i, name in enumerate(names):
        if only is not None and name != only:
            continue
        wb = openpyxl.load_workbook(path)
        for other in [s for s in wb.sheetnames if s != name]:
            del wb[other]
        target = folder / f"{path.stem}-{i}.xlsx"
        wb.save(target)
        out[name] = target
    return out


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    base = tmp_path_factory.mktemp("print")
    books: dict[str, Path] = {}
    # the overview of a folder with the samples and a file that cannot be read
    folder = base / "folder"
    folder.mkdir()
    for p in sorted(SAMPLES.glob("*.xlsx")):
        shutil.copy(p, folder / p.name)
    (folder / "坏文件.xlsx").write_text("不是表格", encoding="utf-8")
    files = sorted(folder.iterdir())
    reports = run([Job(p, str(p), write=False) for p in files], PROFILE, workers=1)
    books["overview"] = overview.write(folder / overview.NAME, reports, PROFILE)
    # summarize, reconciled with an officer's table that differs in a few cells
    forms = base / "forms"
    forms.mkdir()
    for i, (name, b, e) in enumerate(FORMS, start=1):
        write_form(forms / f"{i:02d}.xlsx", name, b, e)
    write_form(forms / "05.xlsx", "2023年镇级村级补助", 200, 180, exec_score=10, total=95)
    existing = write_summary(base / "原表.xlsx", [
        summary_row(1, "2023年镇级教育经费", 1338, 1311.752, 96),
        summary_row(2, "2023年镇级防汛工作经费", 50, 40, 97),
        summary_row(3, "2023年镇级绿化管护项目", 196, 195.9402, 100),
    ])
    books["summarize"] = base / "汇总表.xlsx"
    res = CliRunner().invoke(main, ["summarize", str(forms), "-o", str(books["summarize"]), "--against",
                                    str(existing)])
    assert books["summarize"].exists(), res.output
    # every template, blank; some filled
    main_sheet = {}
    for kind in templates.KINDS:
        books[kind] = base / f"{kind}.xlsx"
        lay = templates.build(kind, books[kind])
        main_sheet[kind] = main_sheet[f"{kind}-filled"] = lay.sheet
        if kind in FILLED:
            books[f"{kind}-filled"] = base / f"{kind}-filled.xlsx"
            templates.build(kind, books[f"{kind}-filled"], data=FILLS[kind](lay))
    # the annotated and the corrected copy of the seed 000 sample (34 wrong balances): their first sheet
    seed = base / "seed"
    seed.mkdir()
    shutil.copy(SAMPLES / SEED000, seed / SEED000)
    rep = check_file(seed / SEED000, PROFILE, out_dir=seed / "out", fix=True)
    assert rep.output and rep.corrected, rep.error
    firsts = {"annotated": Path(rep.output), "corrected": Path(rep.corrected)}
    split = base / "split"
    split.mkdir()
    sheets = {(key, name): p for key, path in books.items() for name, p in _split(path, split).items()}
    sheets.update({(key, FINDINGS): p for key, path in firsts.items()
                   for p in _split(path, split, FINDINGS).values()})
    pdfs = to_pdf(list(sheets.values()), base / "pdf")
    pages = {key: pdf_pages(pdf) for key, pdf in zip(sheets, pdfs)}
    return {"pages": pages, "main": main_sheet}


def _sheet(printed, book: str, name: str | None = None) -> list[str]:
    return printed["pages"][(book, name or printed["main"][book])]


@pytest.mark.parametrize("kind", ONE_PAGE_FORMS + tuple(f"{k}-filled" for k in FILLED))
def test_official_forms_print_on_one_portrait_page(printed, kind):
    assert _sheet(printed, kind) == ["portrait"]


def test_summary_template_prints_landscape_fit_to_width(printed):
    pages = _sheet(printed, "summary")
    # 50 rows: two pages down, none sideways (fit to width)
    assert set(pages) == {"landscape"} and len(pages) <= 2


@pytest.mark.parametrize("kind", templates.KINDS)
def test_instructions_print_portrait(printed, kind):
    pages = _sheet(printed, kind, "填表说明")
    assert set(pages) == {"portrait"} and len(pages) <= 2


def test_overview_sheets_print(printed):
    assert _sheet(printed, "overview", overview.SHEET) == ["landscape"]
    assert _sheet(printed, "overview", overview.FAILED_SHEET) == ["portrait"]


def test_summarize_sheets_print(printed):
    assert _sheet(printed, "summarize", sm.SHEET) == ["landscape"]
    assert _sheet(printed, "summarize", sm.SOURCES_SHEET) == ["landscape"]
    # a handful of differences on one page, not split sideways into two
    assert _sheet(printed, "summarize", sm.DIFF_SHEET) == ["landscape"]


def test_no_page_break_through_merged_cells(printed, tmp_path):
    """A sheet that prints on more than one page has no merged range spanning rows (a break can only fall
    between whole rows of the table)."""
    for kind in templates.KINDS:
        if len(_sheet(printed, kind)) == 1:
            continue
        path = tmp_path / f"{kind}.xlsx"
        lay = templates.build(kind, path)
        ws = openpyxl.load_workbook(path)[lay.sheet]
        tall = [str(m) for m in ws.merged_cells.ranges if m.max_row > m.min_row]
        assert tall == [], (kind, tall)


@pytest.mark.parametrize("copy", ["annotated", "corrected"])
def test_first_sheet_of_our_copies_prints_landscape_fit_to_width(printed, copy):
    """核查结果 of the annotated copy (status, 先改这几处, 34 findings) and of the corrected copy (34 corrected
    cells): landscape, fit to width (a page split sideways would double the count)."""
    pages = _sheet(printed, copy, FINDINGS)
    assert set(pages) == {"landscape"} and 1 <= len(pages) <= 2, pages
