"""Shortcuts taken for speed give exactly what the plain way gives (issue 12)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from xltool.kinds.table import name_key, name_keys

_PIECES = ["（一）项目", "ＡＢＣ１２３", "a\u0301", "\u0301", "e\u0308", "合　计", "x\ty", "ﬁ", " ", "①", "\u3000",
           "é", "\n", "Å", "\u1100\u1161", "ｶﾞ", "\0", "(", "）"]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.lists(st.sampled_from(_PIECES), max_size=4).map("".join), max_size=8))
def test_name_keys_of_all_names_at_once_are_each_names_key(names):
    """duplicate_names folds every name in one pass (NUL between them): the keys are those of each name."""
    assert name_keys(names) == [name_key(n) for n in names]


def _copy_bytes(path, plain: bool, out):
    """The annotated copy's sheet part, written with the scan's "every cell plainly placed" knowledge or without."""
    import zipfile

    from xltool import profiles
    from xltool.engine import check_file
    from xltool.io.book import load_book
    from xltool.report import xlsxfast
    from xltool.report.plan import build

    prof = profiles.load()
    report = check_file(path, prof, write=False)
    book = load_book(path, "xlsx")
    plan = build(report, book, prof)
    for sp in plan.sheets.values():
        if not plain:
            sp.plain_cols = None
    xlsxfast.write(path, plan, out)
    with zipfile.ZipFile(out) as z:
        return {n: z.read(n) for n in z.namelist()}, [sp.plain_cols for sp in plan.sheets.values()]


def test_the_scans_plain_cells_spare_the_writers_look_and_change_nothing(tmp_path):
    """A table written by xlsxwriter (every cell '<c r="…') is known plain from the scan before the read; the copy
    written with that knowledge is the copy written without it, byte for byte."""
    import badfiles as bf
    from builders import clean_rows, summary_row, write_summary

    rows = clean_rows()
    rows[2] = summary_row(3, "项目C", 100, 80, 90, balance=0)  # a wrong balance: a marked row
    src = write_summary(tmp_path / "s.xlsx", rows)
    with_plain, known = _copy_bytes(src, True, tmp_path / "a.xlsx")
    without, _ = _copy_bytes(src, False, tmp_path / "b.xlsx")
    assert any(k is not None for k in known)
    assert with_plain == without

    # a cell written another way ('<c  r=', two spaces): not plain, the writer looks chunk by chunk as before
    import zipfile

    data = zipfile.ZipFile(src).read("xl/worksheets/sheet1.xml")
    odd = data.replace(b'<c r="B5"', b'<c  r="B5"', 1)
    assert odd != data
    bad = bf.rewrite_zip(src, tmp_path / "odd.xlsx", replace={"xl/worksheets/sheet1.xml": odd})
    _, known = _copy_bytes(bad, True, tmp_path / "c.xlsx")
    assert all(k is None for k in known)


def test_a_reader_gone_from_the_pipe_gives_no_traceback(tmp_path):
    """``xltool … | head -1``: the program ends quietly (1, as click does) when its output can no longer be
    written, and it still ends without tearing down its heap."""
    import subprocess
    import sys
    from pathlib import Path

    from builders import clean_rows, write_summary

    src = write_summary(tmp_path / "s.xlsx", clean_rows())
    code = ("import sys\n"
            "class Gone:\n"
            "    encoding = 'utf-8'\n"
            "    def write(self, s): raise BrokenPipeError(32, 'Broken pipe')\n"
            "    def flush(self): raise BrokenPipeError(32, 'Broken pipe')\n"
            "    def isatty(self): return False\n"
            "sys.stdout = Gone()\n"
            "sys.argv = ['xltool', '--no-write', sys.argv[1]]\n"
            "from xltool.cli import main\n"
            "main()\n")
    res = subprocess.run([sys.executable, "-c", code, str(src)], capture_output=True, text=True, timeout=120,
                         cwd=str(Path(__file__).resolve().parents[1]))
    assert "Traceback" not in res.stderr, res.stderr
    assert res.returncode == 1


_AMOUNT = st.one_of(st.none(), st.floats(-50, 200, allow_nan=False).map(lambda x: round(x, 3)), st.just(0.0))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.tuples(_AMOUNT, _AMOUNT, _AMOUNT), min_size=1, max_size=25))
def test_returned_column_at_once_is_the_item_loop(items):
    """SUM009's 结余交回 total over the whole column is computed a column at once; over a list of items it goes
    item by item. Both give the same sums, count and wrong items (a value over its 结余数 counts as that)."""
    from xltool.rules.summary import _recomputed

    class Table:
        cols = {"budget": 0, "execution": 1, "returned": 2}

        def values(self, role):
            return [it[self.cols[role]] for it in items]

    t = Table()
    assert _recomputed(t, "returned", None) == _recomputed(t, "returned", list(range(len(items))))
