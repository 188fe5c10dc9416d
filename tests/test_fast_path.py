"""The fast path of a plain check: what it imports, the default profile's data module, the command
line parsed without click."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED000 = ROOT / "samples" / "铜冶镇2023年度部门绩效自评结果公开汇总表.xlsx"
HEAVY = ("click", "openpyxl", "xlsxwriter", "rich", "defusedxml", "pandas")


def _imported_after(args: list[str], cwd: Path) -> tuple[list[str], str]:
    code = (
        "import sys\n"
        "from xltool.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit as exc:\n"
        "    print('exit', exc.code, file=sys.stderr)\n"
        f"heavy = {HEAVY!r}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in heavy}))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8",
                         timeout=120, cwd=cwd)
    assert res.returncode == 0, res.stderr
    return eval(res.stdout.strip().splitlines()[-1]), res.stdout + res.stderr


def test_plain_check_imports_no_heavy_library(tmp_path):
    mods, out = _imported_after(["--no-write", "--format", "json", str(SEED000)], tmp_path)
    assert mods == [], out
    assert '"kind": "summary"' in out and "exit 1" in out


def test_plain_check_with_a_copy_imports_neither_click_nor_openpyxl(tmp_path):
    """Writing the copy (xlsxfast) may parse a few small parts with defusedxml; nothing else heavy."""
    mods, out = _imported_after(["check", "--out", str(tmp_path), str(SEED000)], tmp_path)
    assert set(mods) <= {"defusedxml"}, out
    assert list(tmp_path.glob("*.checked.xlsx")), out


def test_default_profile_module_equals_national_toml():
    from xltool.profiles import _national, gen

    toml = tomllib.loads((ROOT / "xltool" / "profiles" / "national.toml").read_text(encoding="utf-8"))
    assert _national.DATA == toml, "run: python -m xltool.profiles.gen"
    assert (ROOT / "xltool" / "profiles" / "_national.py").read_text(encoding="utf-8") == gen.source()


def test_default_profile_is_the_same_through_both_paths():
    from xltool import profiles

    fast = profiles._build(profiles._read_builtin("national"), "x")
    toml = tomllib.loads((ROOT / "xltool" / "profiles" / "national.toml").read_text(encoding="utf-8"))
    assert fast == profiles._build(toml, "x")


@pytest.mark.parametrize("args, expected", [
    (["a.xlsx"], {"paths": ("a.xlsx",)}),
    (["check", "a.xlsx", "b"], {"paths": ("a.xlsx", "b")}),
    (["--format", "json", "a.xlsx", "--no-write"], {"paths": ("a.xlsx",), "fmt": "json", "no_write": True}),
    (["check", "--format=json", "-j", "2", "--out=o", "a"], {"paths": ("a",), "fmt": "json", "jobs": 2, "out_dir": "o"}),
    (["--profile", "hebei", "--no-overview", "a"], {"paths": ("a",), "profile": "hebei", "overview": False}),
    (["--overview", "a", "--jobs", "0"], {"paths": ("a",), "overview": True}),
    (["-v", "a"], {"paths": ("a",), "verbose": True}),
    (["check", "a", "--verbose"], {"paths": ("a",), "verbose": True}),
])
def test_plain_command_lines_are_parsed_without_click(args, expected):
    from xltool.cli import fast_check_args

    kw = fast_check_args(args)
    base = {"out_dir": None, "fmt": "text", "profile": "national", "no_write": False, "jobs": 0, "overview": None,
            "verbose": False}
    assert kw == {**base, **expected}


@pytest.mark.parametrize("args", [
    [], ["check"], ["-h"], ["check", "-h"], ["a.xlsx", "--help"], ["--version"], ["ui"], ["rules"],
    ["template", "--list"], ["--format", "xml", "a"], ["--format"], ["-j", "-1", "a"], ["-j4", "a"],
    ["--jobs", "x", "a"], ["--verbose=1", "a"], ["-vv", "a"], ["--", "a"], ["-"], ["--no-write=1", "a"], ["--no-write"],
])
def test_unusual_command_lines_go_to_click(args):
    from xltool.cli import fast_check_args

    assert fast_check_args(args) is None


FORM = ROOT / "samples" / "2023年度项目支出绩效自评表（示例）.xlsx"


def test_workers_ship_no_records_unless_the_batch_reconciles(tmp_path, monkeypatch):
    """A summary's records stay in the worker; with a project form in the same batch (two processes)
    the reconciliation still compares them (the records are fetched again)."""
    import pickle
    import shutil

    from builders import summary_row, write_summary
    from xltool import batch, profiles

    rows = [summary_row(1, "2023 年镇级铜冶镇教育经费", 1338, 1311.75, 96, balance=26.25),
            summary_row(2, "2023年镇级防汛工作经费", 50, 45.999477, 97)]
    summary = write_summary(tmp_path / "汇总表.xlsx", rows)
    report, _ = batch._check_task(summary, str(summary), None, False, False, profiles.load())
    assert report.sheets[0].kind == "summary" and report.sheets[0].record is None
    kept, _ = batch._check_task(summary, str(summary), None, True, False, profiles.load())
    assert kept.sheets[0].record is not None
    assert len(pickle.dumps(report)) < len(pickle.dumps(kept)) / 2

    form = shutil.copy(FORM, tmp_path / "教育经费.xlsx")
    jobs = [batch.Job(Path(p), str(p), write=False) for p in (summary, form)]
    reports = batch.run(jobs, profiles.load(), workers=2, keep_records=False)
    s_rec = sorted((x.rule, x.cell) for x in reports[0].findings if x.rule.startswith("REC"))
    assert s_rec == [("REC003", "I5"), ("REC005", "B6")]
    assert [x.rule for x in reports[1].findings if x.rule.startswith("REC")] == ["REC003"]
    alone = batch.run(jobs[:1], profiles.load(), workers=2, keep_records=False)
    assert not any(x.rule.startswith("REC") for x in alone[0].findings)


SHARED = ROOT.parent / "shared"


def _workbooks():
    files = sorted((ROOT / "samples").glob("*.xls*")) + sorted((ROOT / "tests" / "fixtures").rglob("*.xls*"))
    if (SHARED / "realworld").is_dir():
        files += sorted(p for p in (SHARED / "realworld").rglob("*") if p.suffix.lower() in (".xlsx", ".xlsm", ".xls"))
    return files


def test_prescreens_never_change_a_classification():
    """The cheap pre-screens in kinds/__init__ only skip kinds whose detect would refuse the sheet."""
    from xltool import kinds
    from xltool.errors import UnreadableFile
    from xltool.io.book import load_book
    from xltool.io.safety import sniff

    seen = 0
    for path in _workbooks():
        try:
            book = load_book(path, sniff(path))
        except (UnreadableFile, OSError):
            continue
        for sheet in book.sheets:
            assert kinds.classify(sheet) is kinds.classify(sheet, prescreen=False), (path.name, sheet.name)
            seen += 1
    assert seen >= 5  # the samples alone (../shared may be absent)


def test_kinds_name_their_modules_and_rules():
    import importlib

    from xltool import kinds

    for name, path in kinds._KIND_MODULES.items():
        mod = importlib.import_module(path)
        assert mod.NAME == name and mod.RULES_MODULE == kinds.RULES_MODULES[name]
    assert [k.NAME for k in kinds.KINDS] == list(kinds.NAMES)


def _rows_xml(rows: list[tuple[int, str]]) -> bytes:
    cells = "".join(f'<row r="{r}"><c r="{col}{r}"><v>1</v></c></row>' for r, col in rows)
    return f'<worksheet><sheetData>{cells}</sheetData></worksheet>'.encode()


@pytest.mark.parametrize("rows, expected", [
    ([(1, "A"), (2, "K"), (99999, "C")], (99999, 11)),  # 5-digit rows, one-letter columns: no precise pass
    ([(1, "B"), (150000, "D"), (120000, "M")], (150000, 13)),  # rows out of order, a later wider letter
    ([(1, "A"), (999999, "B"), (1000000, "C")], (1000000, 3)),  # six and seven digits
    ([(1, "Z"), (2, "AB"), (100001, "C")], (100001, 28)),
])
def test_scan_bound_is_exact_for_one_letter_columns(rows, expected):
    from xltool.io import scan

    data = _rows_xml(rows)
    for size in (7, 64, len(data)):  # chunk boundaries anywhere
        b = scan._Bound()
        for i in range(0, len(data), size):
            b.feed(data[i:i + size])
        b.feed(b"", final=True)
        ext = b.extent()
        assert (ext.rows, ext.cols) == expected and not b.unplaced and not ext.formulas


def test_scan_notes_formulas_across_chunks():
    from xltool.io import scan

    data = b'<worksheet><sheetData><row r="1"><c r="A1"><f>1+1</f><v>2</v></c></row></sheetData></worksheet>'
    for size in (1, 2, 5, len(data)):
        b = scan._Bound()
        for i in range(0, len(data), size):
            b.feed(data[i:i + size])
        b.feed(b"", final=True)
        assert b.extent().formulas
