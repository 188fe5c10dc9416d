"""Second acceptance set (tests/acceptance2/build.py): workbooks laid out the way other provincial systems and
hand-made Excel/WPS tables lay out the kinds (合计 first, 一、二 group rows with their sums, 其中 rows, 元 as text,
"98.5%" text, two-row merged headers, a header repeated after a page break, 扣分 columns, label/value fund blocks,
"Sheet1" next to an unrelated sheet, LibreOffice .xlsx/.xls and WPS packages), written by a second outsider
without reading the readers. Scored exactly as the first set: every wrong cell of the ground truth carries an
error at its cell, no other cell carries an error (cells that only follow from a wrong cell may carry a warning).

A case the checker gets wrong today is ``xfail(strict=True)`` with the reason; when a fix lands it passes, the
strict mark turns it red, and the mark must be removed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from modload import load
from xltool.cli import main

TESTS = Path(__file__).resolve().parent
HERE = TESTS / "acceptance2"


acceptance2 = load(HERE / "build.py", "xltool_acceptance2_build")
scoring = load(TESTS / "acceptance" / "score.py", "xltool_acceptance2_score")
score_file = scoring.score_file

HAVE_SOFFICE = bool(shutil.which("soffice") or shutil.which("libreoffice"))

KNOWN: dict[str, str] = {  # what the checker gets wrong today (none left)
}

BOOKS = {b.name: b for b in acceptance2.books()}


def _param(name):
    marks = []
    if name in KNOWN:
        marks.append(pytest.mark.xfail(strict=True, reason=KNOWN[name]))
    if BOOKS[name].via.startswith("soffice") and not HAVE_SOFFICE:
        marks.append(pytest.mark.skip(reason="LibreOffice (soffice) not installed"))
    return pytest.param(name, marks=marks, id=name)


@pytest.fixture(scope="module")
def acceptance2_set(tmp_path_factory):
    out = tmp_path_factory.mktemp("acceptance2")
    truth = acceptance2.build(out, soffice=HAVE_SOFFICE)
    return out, truth


def test_set_shape():
    """About twenty workbooks over every kind; clean ones and ones with 1–2 wrong cells; real producers."""
    kinds = {name[0] for name in BOOKS}
    assert kinds == {"A", "T", "F", "W", "M"}
    assert 18 <= len(BOOKS) <= 24
    clean = [b for b in BOOKS.values() if not b.errors]
    assert 7 <= len(clean) <= 12
    assert all(1 <= len(b.errors) <= 2 for b in BOOKS.values() if b.errors)
    assert sum(b.via != "xlsxwriter" for b in BOOKS.values()) >= len(BOOKS) // 2
    assert set(KNOWN) <= set(BOOKS)


@pytest.mark.parametrize("name", [_param(n) for n in sorted(BOOKS)])
def test_acceptance2_workbook(name, acceptance2_set):
    out, truth = acceptance2_set
    path = next(p for p in out.iterdir() if p.stem == name and p.suffix in (".xlsx", ".xls"))
    res = CliRunner().invoke(main, ["check", "--format", "json", "--no-write", "-j", "1", str(path)],
                             catch_exceptions=False)
    (report,) = json.loads(res.output)["files"]
    assert report["status"] != "failed", report.get("error")
    s = score_file(truth[path.name], report)
    problems = scoring.problems(s)
    assert not problems, "\n".join(problems)
    assert report["verdict"] in (("errors",) if truth[path.name]["errors"] else ("ok", "warnings"))
    assert "unknown" not in s["kinds"][:1], "the table sheet (first) is recognised"


def test_committed_truth_matches_build(acceptance2_set):
    """tests/acceptance2/expected.json (the ground truth, for reading) is what build.py writes."""
    _, truth = acceptance2_set
    committed = json.loads((HERE / "expected.json").read_text(encoding="utf-8"))
    if not HAVE_SOFFICE:
        committed = {k: v for k, v in committed.items() if not v["via"].startswith("soffice")}
    assert truth == committed
