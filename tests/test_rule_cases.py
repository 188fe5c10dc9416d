"""Rule cases as data (tests/rule_cases/CODE.toml): one generic test runs them all.

A case is a small grid and the cells where its rule must fire ([] for a passing case). Grids are
checked in memory (``engine.check_sheet``); a case with ``formulas`` is written with openpyxl (no
cached values) and read from the file, as a user's workbook would be.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from xltool import profiles
from xltool.cells import parse_a1
from xltool.engine import check_file, check_sheet
from xltool.io.book import Sheet
from xltool.rules import load_all

CASES = Path(__file__).resolve().parent / "rule_cases"

# Rules whose cases are still to be added here (score table) or live elsewhere (reconciliation needs two
# files). Shrinks to empty; the test fails once a listed rule has both cases.
PENDING = {
    "REC001", "REC002", "REC003", "REC004", "REC005",  # need two files: covered in tests/test_reconcile.py
}


def _load():
    out = []
    for path in sorted(CASES.glob("*.toml")):
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        for case in doc.get("case", []):
            out.append((doc["rule"], case))
    return out


ALL = _load()


def _grid(rows):
    width = max(len(r) for r in rows)
    return [[float(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in r] + [""] * (width - len(r))
            for r in rows]


def _findings(case, tmp_path):
    profile = profiles.load(case.get("profile", "national"))
    rows = _grid(case["rows"])
    merged = [tuple(m) for m in case.get("merged", [])]
    formulas = case.get("formulas")
    if not formulas:
        return check_sheet(Sheet("表", 0, rows, merged), profile)[1]
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表"
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row, start=1):
            if v != "":
                ws.cell(r, c, v)
    for ref, f in formulas.items():
        ws[ref] = f
    for r0, c0, r1, c1 in merged:
        ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
    path = tmp_path / "case.xlsx"
    wb.save(path)
    return check_file(path, profile, write=False).findings


@pytest.mark.parametrize("rule,case", ALL, ids=[f"{r}-{c['name']}" for r, c in ALL])
def test_rule_case(rule, case, tmp_path):
    found = sorted((f.cell for f in _findings(case, tmp_path) if f.rule == rule), key=parse_a1)
    assert found == sorted(case["expect"], key=parse_a1), case["name"]


def test_every_rule_has_a_passing_and_a_failing_case():
    passing = {r for r, c in ALL if not c["expect"]}
    failing = {r for r, c in ALL if c["expect"]}
    missing = sorted(code for code in load_all() if code not in PENDING and not (code in passing and code in failing))
    assert missing == [], f"rules without a passing and a failing case: {missing}"
    done = sorted(code for code in PENDING if code in passing and code in failing)
    assert done == [], f"remove from PENDING, their cases exist: {done}"
    unknown = sorted({r for r, _ in ALL} - set(load_all()))
    assert unknown == [], f"case files for unknown rules: {unknown}"
