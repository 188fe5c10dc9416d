"""Acceptance: workbooks laid out as real files are (tests/acceptance/build.py, written without xltool's own
writer or test generator, a third passed through LibreOffice) are checked exactly: every wrong cell of the
ground truth carries an error at its cell, and no other cell carries an error (cells that only follow from a
wrong cell may carry a warning).

A case the checker gets wrong today is marked ``xfail(strict=True)`` with the reason: when a fix lands it
passes, the strict mark turns it red, and the mark must be removed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from modload import load
from xltool.cli import main

HERE = Path(__file__).resolve().parent / "acceptance"


acceptance = load(HERE / "build.py", "xltool_acceptance_build")
scoring = load(HERE / "score.py", "xltool_acceptance_score")
score_file = scoring.score_file

HAVE_SOFFICE = bool(shutil.which("soffice") or shutil.which("libreoffice"))

KNOWN = {  # what main gets wrong today (issue #9), measured with tests/acceptance/score.py
}

BOOKS = {b.name: b for b in acceptance.books()}


def _param(name):
    book = BOOKS[name]
    marks = []
    if name in KNOWN:
        marks.append(pytest.mark.xfail(strict=True, reason=KNOWN[name]))
    if book.via != "xlsxwriter" and not HAVE_SOFFICE:
        marks.append(pytest.mark.skip(reason="LibreOffice (soffice) not installed"))
    return pytest.param(name, marks=marks, id=name)


@pytest.fixture(scope="module")
def acceptance_set(tmp_path_factory):
    out = tmp_path_factory.mktemp("acceptance")
    truth = acceptance.build(out, soffice=HAVE_SOFFICE)
    return out, truth


def test_set_shape():
    """About ten clean workbooks, the rest with 1–3 wrong cells; a third through LibreOffice."""
    clean = [b for b in BOOKS.values() if not b.truth]
    assert 10 <= len(clean) <= 15
    assert all(1 <= len(b.truth) <= 3 for b in BOOKS.values() if b.truth)
    assert sum(b.via != "xlsxwriter" for b in BOOKS.values()) >= len(BOOKS) // 3 - 1
    assert set(KNOWN) <= set(BOOKS)


@pytest.mark.parametrize("name", [_param(n) for n in sorted(BOOKS)])
def test_acceptance_workbook(name, acceptance_set):
    out, truth = acceptance_set
    path = next(p for p in out.iterdir() if p.stem == name and p.suffix in (".xlsx", ".xls"))
    res = CliRunner().invoke(main, ["check", "--format", "json", "--no-write", "-j", "1", str(path)],
                             catch_exceptions=False)
    doc = json.loads(res.output)
    (report,) = doc["files"]
    s = score_file(truth[path.name], report)
    assert report["status"] != "failed", report.get("error")
    problems = scoring.problems(s)
    assert not problems, "\n".join(problems)


def test_committed_truth_matches_build(acceptance_set):
    """tests/acceptance/expected.json (the ground truth, for reading) is what build.py writes."""
    _, truth = acceptance_set
    committed = json.loads((HERE / "expected.json").read_text(encoding="utf-8"))
    if not HAVE_SOFFICE:
        committed = {k: v for k, v in committed.items() if v["via"] == "xlsxwriter"}
    assert truth == committed


def test_scorer_sorts_findings():
    """The scorer itself: caught at a cell of a merged range, warned, missed, false and consequence errors."""
    truth = {"errors": [{"sheet": "S", "cells": ["C13", "D13"], "what": "merged"},
                        {"sheet": "S", "cells": ["F8"], "what": "warned only"},
                        {"sheet": "S", "cells": ["F9"], "what": "missed"}],
             "consequences": [{"sheet": "S", "cell": "F5", "what": "total"}]}
    report = {"status": "findings", "sheets": [{"kind": "summary"}], "findings": [
        {"severity": "error", "sheet": "S", "cell": "C13:D13", "rule": "R"},
        {"severity": "warning", "sheet": "S", "cell": "F8", "rule": "R"},
        {"severity": "error", "sheet": "Other", "cell": "F9", "rule": "R"},
        {"severity": "error", "sheet": "S", "cell": "F5", "rule": "R"},
        {"severity": "warning", "sheet": "S", "cell": "G5", "rule": "R"}]}
    s = score_file(truth, report)
    assert [t["what"] for t in s["caught"]] == ["merged"]
    assert [t["what"] for t in s["warned"]] == ["warned only"]
    assert [t["what"] for t in s["missed"]] == ["missed"]
    assert [(f["sheet"], f["cell"]) for f in s["false"]] == [("Other", "F9")]
    assert [f["cell"] for f in s["cascade"]] == ["F5"]
    assert s["warnings"] == 2
