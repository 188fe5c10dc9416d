"""The annotated copy of real packages (../shared/excel-corpus/poi: Apache POI's test files, saved by Excel,
LibreOffice, WPS, Google Sheets, fuzzers …) is sound.

For every package the tool can open, a plan marks cells on every worksheet — an error on the first value, a
warning inside a merged range, an info on the last value, an error on a cell that already carries a note —
adds a recomputed column with a two-row merged header, and the 核查结果 sheet. The copy must then:

* keep every part the plan did not need byte for byte (a sheet outside the plan may differ only by
  tabSelected="0");
* read the same values as the original on every original sheet, with python-calamine and with openpyxl;
* give openxml-audit no error it does not give on the original.

The default run takes a fixed, representative subset (Excel 2007–2016 files, LibreOffice, notes, merged
cells, tables, drawings, x14 conditional formats, data validations, protection, hidden sheets, strict and
prefixed packages). ``XLTOOL_FULL_CORPUS=1`` runs every package; ``python tests/test_corpus_writer.py``
prints the counts over the whole corpus.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import warnings
import zipfile
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "excel-corpus" / "poi"
FULL = bool(os.environ.get("XLTOOL_FULL_CORPUS"))
SUBSET = [
    "57362.xlsx", "ExcelPivotTableSample.xlsx", "DataValidationEvaluations.xlsx", "61495-test.xlsm",
    "bug64512_embed.xlsx", "comments.xlsx", "SimpleWithComments.xlsx", "commentTest.xlsx", "WithMoreVariousData.xlsx", "Tables.xlsx",
    "NewStyleConditionalFormattings.xlsx", "WithDrawing.xlsx", "sample-beta.xlsx", "GroupTest.xlsx",
    "SimpleStrict.xlsx", "58760.xlsx", "style-alternate-content.xlsx", "59746_NoRowNums.xlsx",
    "protected_passtika.xlsx", "ConditionalFormattingSamples.xlsx", "SampleSS.xlsx", "sheetProtection_allLocked.xlsx",
    "45540_classic_Footer.xlsx", "TwoSheetsOneHidden.xlsx", "60255_extra_drawingparts.xlsx", "56574.xlsx", "47889.xlsx",
    "DateFormatTests.xlsx", "InlineStrings.xlsx", "WithTable.xlsx", "ExcelTables.xlsx", "shared_formulas.xlsx",
]
# SpreadsheetML not written the plain way: a prefix bound to the main namespace (.NET's Open XML SDK, HCell,
# Python's ElementTree), Strict Open XML, no style sheet or one without fonts. 65016.xlsx (prefixed too) takes
# minutes to audit: the full-corpus run covers it.
SPELLINGS = [
    "58760.xlsx", "59021.xlsx", "59746_NoRowNums.xlsx", "InlineString.xlsx", "style-alternate-content.xlsx",
    "craftonhills.edu_programreview_report.aspx_goalpriorityreport_0011d159-1eeb-4b63-8833-867b0926e5f3.xlsx",
    "SimpleStrict.xlsx", "57914.xlsx", "sample.strict.xlsx", "SampleSS.strict.xlsx", "47889.xlsx", "56278.xlsx",
]
SUBSET += [n for n in SPELLINGS if n not in SUBSET]


def _packages() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    every = sorted(p for p in CORPUS.iterdir() if p.suffix.lower() in (".xlsx", ".xlsm"))
    if FULL:
        return every
    return [p for p in every if p.name in SUBSET]


# ------------------------------------------------------------------ the plan


def _comment_cells(zf: zipfile.ZipFile) -> dict[str, list[tuple[int, int]]]:
    """Sheet part → cells that carry a note in the original."""
    from xltool.report.xlsxfast import _parse_ref, _rels_path, _relationships, _resolve

    out = {}
    for name in zf.namelist():
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")) or _rels_path(name) not in zf.namelist():
            continue
        for rel in _relationships(zf.read(_rels_path(name))):
            target = _resolve(name, rel.get("Target", ""))
            if rel.get("Type", "").endswith("/comments") and target in zf.namelist():
                refs = re.findall(rb'<(?:\w+:)?comment\b[^>]*?\sref="([A-Z]+\d+)', zf.read(target))
                out[name] = [p for p in (_parse_ref(r) for r in refs) if p is not None]
    return out


def make_plan(path: Path, fmt: str, book):
    from xltool.engine import FileReport
    from xltool.findings import ERROR, INFO, WARNING, Finding
    from xltool.io.xmlparts import sheet_part_names
    from xltool.report import plan as P

    try:
        with zipfile.ZipFile(path) as zf:
            parts = sheet_part_names(zf)
            noted = _comment_cells(zf)
    except Exception:
        parts, noted = [], {}
    findings = []

    def add(sev, sheet, r, c, rule="SUM002"):
        findings.append(Finding(rule, sev, sheet.name, f"{_letters(c)}{r + 1}",
                                f"测试标注：{sev}", 1.5, 0, r, c))

    for sheet in book.sheets:
        values = [(r, c) for r, row in enumerate(sheet.rows[:300]) for c, v in enumerate(row) if v not in ("", None)]
        first = values[0] if values else (0, 0)
        add(ERROR, sheet, *first)
        merged = next(((r1, c1) for r0, c0, r1, c1 in sheet.merged if (r0, c0) != (r1, c1)), None)
        add(WARNING, sheet, *(merged or (first[0] + 1, first[1] + 1)))
        add(INFO, sheet, *(values[-1] if values else (2, 2)), rule="XL002")
        part = parts[sheet.index] if sheet.index < len(parts) else None
        for r, c in noted.get(part, [])[:2]:
            add(ERROR, sheet, r, c)
    report = FileReport(path=path.name, status="findings", fmt=fmt, findings=findings)
    plan = P.build(report, book, _Profile())
    for sheet in book.sheets:
        sp = plan.sheets.setdefault(sheet.name, P.SheetPlan())
        for f in findings:
            if f.sheet == sheet.name and f.severity == INFO:
                sp.marks.setdefault(sheet.anchor(f.row, f.col), P.Mark(INFO, f.message))
        values = {r: r * 1.25 for r in range(2, min(sheet.nrows, 40))}
        sp.columns.append(P.Column(sheet.ncols, "执行率（复核）", (0, 1), values, P.review_style("0.00%")))
    return report, plan


class _Profile:
    name, title = "national", "全国通用"


def _letters(c: int) -> str:
    from xltool.cells import col_letter

    return col_letter(c)


# ------------------------------------------------------------------ the checks


def _calamine(path: Path) -> dict[str, list[list]]:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    return {n: wb.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in wb.sheet_names}


def _openpyxl(path: Path) -> dict[str, dict[str, object]] | None:
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            wb = openpyxl.load_workbook(path, data_only=True)
        except Exception:
            return None
    return {ws.title: {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value not in (None, "")}
            for ws in wb.worksheets}  # openpyxl reads an empty string it then does not write


AUDIT_SECONDS = 60  # openxml-audit takes minutes on a few large packages: those are not audited
_auditor = None


def _audit_errors(path: str) -> list[tuple[str, str]]:
    from openxml_audit import OpenXmlValidator

    result = OpenXmlValidator(max_errors=5000).validate(path)
    return [(e.part_uri, re.sub(r"\d+", "#", e.description)) for e in result.errors
            if getattr(e.severity, "name", "ERROR") == "ERROR"]


def _audit(path: Path) -> Counter | None:
    """openxml-audit's errors (part, description with numbers blurred); None when it takes too long."""
    import multiprocessing

    global _auditor
    if _auditor is None:
        _auditor = multiprocessing.get_context("spawn").Pool(1)
    try:
        return Counter(_auditor.apply_async(_audit_errors, (str(path),)).get(AUDIT_SECONDS))
    except multiprocessing.TimeoutError:
        _auditor.terminate()
        _auditor = None
        return None


def _added(plan, name) -> set[tuple[int, int]]:
    sp = plan.sheets.get(name)
    return set(sp.cells()) | set(sp.marks) if sp else set()


def check_copy(src: Path, out: Path, plan, streamed: bool) -> list[str]:
    """Problems of the copy ``out`` of ``src`` (empty: sound)."""
    from xltool.report.xlsxfast import _unselect

    probs = []
    orig_cal, copy_cal = _calamine(src), _calamine(out)
    fs_title = plan.findings_sheet(list(orig_cal)).title
    if list(copy_cal) != [fs_title] + list(orig_cal):
        probs.append(f"sheets {list(copy_cal)[:5]}")
    for name, rows in orig_cal.items():
        got = copy_cal.get(name, [])
        skip = _added(plan, name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if (r, c) in skip:
                    continue
                w = got[r][c] if r < len(got) and c < len(got[r]) else ""
                if w != v and not (v == "" and w is None):
                    probs.append(f"calamine {name}!{_letters(c)}{r + 1}: {v!r} → {w!r}")
                    break
    a, b = _openpyxl(src), _openpyxl(out)
    if a is not None:
        if b is None:
            probs.append("openpyxl cannot read the copy")
        else:
            for name, cells in a.items():
                skip = {f"{_letters(c)}{r + 1}" for r, c in _added(plan, name)}
                diff = [k for k, v in cells.items() if k not in skip and b.get(name, {}).get(k) != v]
                if diff:
                    probs.append(f"openpyxl {name}!{diff[0]}: {cells[diff[0]]!r} → {b.get(name, {}).get(diff[0])!r}")
    if streamed:
        with zipfile.ZipFile(src) as za, zipfile.ZipFile(out) as zb:
            new = set(zb.namelist())
            for name in za.namelist():
                if name.endswith("/"):
                    continue
                if name not in new:
                    probs.append(f"part lost: {name}")
                    continue
                x, y = za.read(name), zb.read(name)
                if x == y or _may_change(name, za, plan):
                    continue
                if name.startswith("xl/") and name.endswith(".xml") and _unselect(x) == y:
                    continue
                probs.append(f"part changed: {name}")
    before = _audit(src)
    after = _audit(out) if before is not None else None
    extra = (after - before) if after is not None else Counter()
    if not streamed:  # openpyxl writes <font> children out of the SDK's order (Excel accepts any order)
        extra = Counter({k: n for k, n in extra.items() if not (k[0] == "/xl/styles.xml" and "Unexpected element"
                                                                    in k[1])})
    if before is not None and after is None:
        probs.append("openxml-audit: too slow on the copy")
    if extra:
        probs.append(f"openxml-audit: {sum(extra.values())} new error(s), e.g. {next(iter(extra))}")
    return probs


def _may_change(name: str, za: zipfile.ZipFile, plan) -> bool:
    """Parts the plan edits: package-level parts, the planned sheets, their relationships, notes and drawings."""
    from xltool.io.xmlparts import sheet_part_names
    from xltool.report.xlsxfast import _rels_path, _relationships, _resolve

    if name in ("[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "_rels/.rels",
                "docProps/custom.xml") or name.endswith("styles.xml"):
        return True
    wbnames = re.findall(rb'<(?:\w+:)?sheet\b[^>]*?\sname="([^"]*)"', za.read("xl/workbook.xml"))
    planned = set()
    for n, part in zip(wbnames, sheet_part_names(za)):
        import html

        if part and html.unescape(n.decode()) in plan.sheets:
            planned.add(part)
            rels = _rels_path(part)
            planned.add(rels)
            if rels in za.namelist():
                for rel in _relationships(za.read(rels)):
                    if rel.get("Type", "").endswith(("/comments", "/vmlDrawing")):
                        planned.add(_resolve(part, rel.get("Target", "")))
    return name in planned


# ------------------------------------------------------------------ writing one package


def annotate_one(src: Path, out_dir: Path):
    """(outcome, reason, problems): outcome is unopened / streamed / fallback / refused."""
    from xltool.errors import UnreadableFile
    from xltool.io.book import load_book
    from xltool.io.safety import sniff
    from xltool.report import annotate, xlsxfast

    try:
        fmt = sniff(src)
        book = load_book(src, fmt)
    except UnreadableFile as exc:
        return "unopened", exc.message, []
    report, plan = make_plan(src, fmt, book)
    out = out_dir / (src.stem + ".checked" + src.suffix)
    try:
        xlsxfast.write(src, plan, out)
        outcome, reason = "streamed", ""
    except UnreadableFile as exc:  # a part calamine did not need is damaged: the engine reports the file
        return "refused", exc.message, []
    except xlsxfast.Unsupported as exc:
        if not exc.fallback:
            return "refused", exc.reason, []
        report.notes.append(annotate.FALLBACK_NOTE.format(exc.reason))
        annotate.write_with_openpyxl(src, book, plan, out)
        outcome, reason = "fallback", exc.reason
    return outcome, reason, check_copy(src, out, plan, outcome == "streamed")


@pytest.fixture(scope="module", autouse=True)
def _close_auditor():
    yield
    _stop_auditor()


def _stop_auditor() -> None:
    global _auditor
    if _auditor is not None:
        _auditor.terminate()
        _auditor.join()
        _auditor = None


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/excel-corpus/poi is not here")
@pytest.mark.parametrize("src", _packages(), ids=lambda p: p.name)
def test_copy_of_a_real_package_is_sound(src, tmp_path):
    outcome, reason, probs = annotate_one(src, tmp_path)
    assert not probs, (outcome, reason, probs)
    if src.name in SPELLINGS:  # fell back to openpyxl (prefixes, no fonts, no styles) or refused (Strict) before
        assert outcome == "streamed", reason
    if outcome == "fallback":  # the copy says why, in Chinese, on 核查结果
        from python_calamine import CalamineWorkbook

        rows = CalamineWorkbook.from_path(str(tmp_path / (src.stem + ".checked" + src.suffix))).get_sheet_by_index(0)
        assert any(reason in str(v) for row in rows.to_python() for v in row)


@pytest.mark.skipif(not CORPUS.is_dir() or shutil.which("soffice") is None, reason="needs the corpus and LibreOffice")
def test_libreoffice_opens_copies(tmp_path):
    names = ["57362.xlsx", "comments.xlsx", "WithDrawing.xlsx", "NewStyleConditionalFormattings.xlsx",
             "61495-test.xlsm"]
    copies = []
    for name in names:
        if (CORPUS / name).exists():
            outcome, _, _ = annotate_one(CORPUS / name, tmp_path)
            if outcome in ("streamed", "fallback"):
                copies.append(tmp_path / (Path(name).stem + ".checked" + Path(name).suffix))
    assert copies
    out = tmp_path / "csv"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "csv",
                    "--outdir", str(out), *map(str, copies)], capture_output=True, timeout=300)
    for c in copies:  # the first sheet is 核查结果
        csv = out / (c.stem + ".csv")
        assert csv.exists(), c.name
        assert "xltool" in csv.read_text(encoding="utf-8", errors="replace"), c.name


@pytest.mark.skipif(not CORPUS.is_dir() or shutil.which("soffice") is None, reason="needs the corpus and LibreOffice")
def test_libreoffice_shows_the_marks_in_copies_of_other_spellings(tmp_path):
    """Prefixed, Strict and style-less packages: LibreOffice opens the streamed copy, and every marked cell has
    the mark's fill and its note there (read back from LibreOffice's own save)."""
    import openpyxl
    from lo import recalc

    from xltool.io.book import load_book
    from xltool.io.safety import sniff
    from xltool.report import xlsxfast

    copies, plans = [], []
    for name in SPELLINGS:
        src = CORPUS / name
        if not src.exists():
            continue
        _, plan = make_plan(src, "xlsx", load_book(src, sniff(src)))
        copies.append(tmp_path / "in" / name)
        copies[-1].parent.mkdir(exist_ok=True)
        xlsxfast.write(src, plan, copies[-1])
        plans.append(plan)
    assert copies
    checked = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl on a note in a merged cell
        for plan, saved in zip(plans, recalc(copies, tmp_path / "lo")):
            wb = openpyxl.load_workbook(saved)
            assert wb.sheetnames[0] == "核查结果", saved.name
            for sheet, sp in plan.sheets.items():
                ws = wb[sheet]
                merged = {(r - 1, c - 1) for rng in ws.merged_cells.ranges for r, c in rng.cells
                          if (r, c) != (rng.min_row, rng.min_col)}
                for (r, c), mark in sp.marks.items():
                    if (r, c) in merged:  # inside a merged range (openpyxl reads neither fill nor note there)
                        continue
                    cell = ws.cell(r + 1, c + 1)
                    assert cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb[-6:] == mark.fill, \
                        (saved.name, sheet, cell.coordinate)
                    assert cell.comment is not None and mark.text in cell.comment.text, \
                        (saved.name, sheet, cell.coordinate)
                    checked += 1
    assert checked >= 2 * len(copies)


def main() -> None:  # pragma: no cover - the full-corpus count, by hand
    import tempfile
    import time

    every = sorted(p for p in CORPUS.iterdir() if p.suffix.lower() in (".xlsx", ".xlsm"))
    counts, reasons, failures = Counter(), Counter(), []
    t0 = time.time()
    for src in every:
        t1 = time.time()
        with tempfile.TemporaryDirectory() as tmp:
            try:
                outcome, reason, probs = annotate_one(src, Path(tmp))
            except Exception as exc:
                outcome, reason, probs = "crash", f"{type(exc).__name__}: {exc}"[:200], ["crash"]
        counts[outcome] += 1
        print(f"{time.time() - t1:6.1f} s {outcome:9} {src.name} {reason[:60]} {probs[:2]}", flush=True)
        if outcome in ("fallback", "refused", "unopened", "crash"):
            reasons[(outcome, reason[:90])] += 1
        if probs:
            failures.append((src.name, outcome, probs[:3]))
    print(f"{len(every)} packages in {time.time() - t0:.0f} s:", dict(counts))
    for (o, r), n in reasons.most_common():
        print(f"  {o:9} {n:3}  {r}")
    _stop_auditor()
    print(f"{len(failures)} conformance failures")
    for f in failures:
        print("  ", f)


if __name__ == "__main__":  # pragma: no cover
    sys.path.insert(0, str(ROOT))
    main()
