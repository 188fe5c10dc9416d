"""Hostile input, round two (issue 10): bounded grids, misnamed files, strict JSON, users' own copies,
inputs never replaced, Chinese OS messages, malformed XML, interrupted writes."""

from __future__ import annotations

import errno
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import badfiles as bf
from builders import clean_rows, summary_row, write_summary
from xltool import profiles
from xltool.cli import main
from xltool.engine import check_file, is_own_output
from xltool.report import jsonout
from xltool.report.safe import atomic_write, sealed

CJK = re.compile(r"[\u4e00-\u9fff]")
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "excel-corpus" / "poi"
SOFFICE = shutil.which("soffice")


def _digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _strict_json(raw: bytes):
    def refuse(name):
        raise ValueError(f"not RFC 8259: {name}")

    return json.loads(raw.decode("utf-8"), parse_constant=refuse)


def _far_cell(path: Path, ref: str) -> Path:
    """A real summary table plus one number far away (a few KB on disk)."""
    write_summary(path, clean_rows())
    wb = openpyxl.load_workbook(path)
    wb.active[ref] = 5
    wb.save(path)
    return path


def _cli(args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xltool", *args], capture_output=True, timeout=300, **kw)


# ------------------------------------------------------------------ 1. bounded grid

_LIMITED = """
import resource, runpy, sys
limit = 512 * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
sys.argv = ["xltool", *sys.argv[1:]]
runpy.run_module("xltool", run_name="__main__")
"""


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS is Linux")
def test_far_cell_is_refused_in_chinese_under_512_mib(tmp_path):
    far = _far_cell(tmp_path / "远处.xlsx", "XFD1048576")
    wide = _far_cell(tmp_path / "宽.xlsx", "ZZ200000")
    good = write_summary(tmp_path / "good.xlsx", clean_rows())
    assert far.stat().st_size < 20_000
    before = {p: _digest(p) for p in (far, wide, good)}
    # the single-file path (drag and drop) and a batch with worker processes, all under 512 MiB
    for files, jobs in (([far], "1"), ([far, wide, good], "2")):
        res = subprocess.run([sys.executable, "-c", _LIMITED, "check", "--format", "json", "--jobs", jobs,
                              "--out", str(tmp_path / "out"), *map(str, files)],
                             capture_output=True, timeout=300)
        assert res.returncode == 2, res.stderr.decode(errors="replace")[-2000:]
        doc = _strict_json(res.stdout)
        by = {Path(f["path"]).name: f for f in doc["files"]}
        for name, ref in (("远处.xlsx", "XFD1048576"), ("宽.xlsx", "ZZ200000")):
            if name in by:
                assert by[name]["status"] == "failed"
                assert "数据区域过大" in by[name]["error"] and ref in by[name]["error"]
        if "good.xlsx" in by:
            assert by["good.xlsx"]["status"] == "ok" and by["good.xlsx"]["output"]
    assert {p: _digest(p) for p in before} == before


def test_far_cell_on_one_sheet_leaves_the_other_sheets_checked(tmp_path):
    src = write_summary(tmp_path / "a.xlsx", clean_rows())
    wb = openpyxl.load_workbook(src)
    wb.create_sheet("杂项")["XFD1048576"] = 1
    wb.save(src)
    r = check_file(src, profiles.load(), write=False)
    assert r.status == "findings", r.error
    assert [s.kind for s in r.sheets] == ["summary"]
    (skip,) = [f for f in r.findings if f.rule == "XL003"]
    assert skip.sheet == "杂项" and "XFD1048576" in skip.message and "未检查" in skip.message


def test_cells_without_references_are_bounded_too(tmp_path):
    """Cells without r follow the previous one: a row of them is measured by the precise pass."""
    src = write_summary(tmp_path / "a.xlsx", clean_rows())

    def far_row(name, data):
        if name == "xl/worksheets/sheet1.xml":
            cells = "<c><v>1</v></c>" * 3
            return data.replace(b"</sheetData>", f'<row r="1048576">{cells}</row></sheetData>'.encode())
        return data

    bad = bf.rewrite_zip(src, tmp_path / "b.xlsx", transform=far_row)
    r = check_file(bad, profiles.load(), write=False)
    assert r.status == "failed" and "数据区域过大" in r.error and "A1048576" in r.error, r.error


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is needed to write an .xls")
def test_far_cell_in_an_xls_is_refused_before_reading(tmp_path):
    src = _far_cell(tmp_path / "far.xlsx", "IV65536")
    subprocess.run([SOFFICE, "--headless", "--convert-to", "xls", "--outdir", str(tmp_path), str(src)],
                   capture_output=True, timeout=180)
    xls = tmp_path / "far.xls"
    if not xls.exists():
        pytest.skip("LibreOffice did not convert")
    res = subprocess.run([sys.executable, "-c", _LIMITED, "check", "--no-write", "--format", "json", str(xls)],
                         capture_output=True, timeout=300)
    doc = _strict_json(res.stdout)
    assert res.returncode == 2 and "数据区域过大" in doc["files"][0]["error"]


# ------------------------------------------------------------------ 2. misnamed files


def test_xlsx_under_other_names_is_checked(tmp_path):
    good = write_summary(tmp_path / "good.xlsx", clean_rows())
    for name in ("as_xls.xls", "as_xlsm.xlsm"):
        p = tmp_path / name
        shutil.copy(good, p)
        r = check_file(p, profiles.load(), out_dir=tmp_path / "out")
        assert r.status == "ok", (name, r.error)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/excel-corpus is not available")
def test_xls_named_xlsx_and_encrypted_xls_named_xlsx(tmp_path):
    xls = next(p for p in sorted(CORPUS.glob("*.xls")) if check_file(p, profiles.load(), write=False).sheets)
    shutil.copy(xls, tmp_path / "real_xls.xlsx")
    r = check_file(tmp_path / "real_xls.xlsx", profiles.load(), write=False)
    assert "损坏" not in (r.error or ""), r.error
    assert r.sheets, r.error  # read as an .xls: its sheets were looked at
    shutil.copy(CORPUS / "password.xls", tmp_path / "locked.xlsx")
    r = check_file(tmp_path / "locked.xlsx", profiles.load(), write=False)
    assert r.status == "failed" and "密码" in r.error


@pytest.mark.skipif(not (CORPUS / "clusterfuzz-testcase-minimized-POIHSSFFuzzer-5816431116615680.xls").exists(),
                    reason="../shared/excel-corpus is not available")
def test_a_reader_panic_is_a_damaged_file():
    r = check_file(CORPUS / "clusterfuzz-testcase-minimized-POIHSSFFuzzer-5816431116615680.xls", profiles.load(),
                   write=False)
    assert r.status == "failed" and "损坏" in r.error and "内部错误" not in r.error
    res = _cli(["check", "--no-write", str(CORPUS / "clusterfuzz-testcase-minimized-POIHSSFFuzzer-5816431116615680.xls")],
               env={**os.environ, "RUST_BACKTRACE": "1"})
    assert res.returncode == 2 and b"panicked" not in res.stderr and "损坏" in res.stdout.decode()


# ------------------------------------------------------------------ 3. JSON is always JSON

_finite_or_not = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(), st.text(), st.none())
_values = st.recursive(_finite_or_not, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                               st.dictionaries(st.text(max_size=5), inner, max_size=4)),
                       max_leaves=20)


@given(_values)
@settings(max_examples=200, deadline=None)
def test_json_writer_never_emits_a_non_finite_number_or_bad_text(value):
    text = jsonout.dump_document({"v": value})
    text.encode("utf-8")  # no lone surrogates
    back = _strict_json(text.encode("utf-8"))["v"]

    def same(a, b):
        if isinstance(a, float) and not math.isfinite(a):
            return b is None
        if isinstance(a, dict):
            return all(same(v, b[jsonout._text(k)]) for k, v in a.items()) if len(set(map(jsonout._text, a))) == len(a) else True
        if isinstance(a, list):
            return all(same(x, y) for x, y in zip(a, b))
        return True

    assert same(value, back)


_cell_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40)


@given(st.lists(_cell_text, min_size=3, max_size=3))
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_json_report_is_valid_for_any_cell_text(tmp_path, texts):
    name, amount, grade = texts
    rows = clean_rows() + [summary_row(5, name, 100, 90, 80, balance=amount, grade=grade, opinion=name)]
    src = write_summary(tmp_path / "t.xlsx", rows)
    res = CliRunner().invoke(main, ["check", "--no-write", "--format", "json", str(src)])
    doc = _strict_json(res.stdout_bytes)
    assert doc["files"][0]["path"] == str(src)


def test_non_finite_amounts_and_gbk_names_and_no_workbook_give_json(tmp_path):
    rows = clean_rows() + [summary_row(5, "甲", 100, 90, 80, balance="1e400"),
                           summary_row(6, "乙", "1e308", "-1e308", 80, rate=0.9, balance="-1e308")]
    gbk = Path(os.fsdecode(tmp_path.as_posix().encode() + "/汇总表.xlsx".encode("gbk")))
    write_summary(gbk, rows)
    res = _cli(["check", "--no-write", "--format", "json", os.fsdecode(gbk)])
    doc = _strict_json(res.stdout)
    (f,) = doc["files"]
    assert f["path"].endswith("汇总表.xlsx")  # shown decoded as GB18030
    assert f["status"] == "findings", f["error"]  # read and checked (the two rows' amounts are input errors)
    empty = tmp_path / "empty"
    empty.mkdir()
    res = _cli(["check", "--format", "json", str(empty)])
    assert res.returncode == 2
    doc = _strict_json(res.stdout)
    assert doc["files"] == [] and "没有找到" in doc["error"]


# ------------------------------------------------------------------ 4./5. users' copies and inputs


def test_a_copy_saved_by_a_person_is_never_overwritten(tmp_path):
    src = write_summary(tmp_path / "汇总.xlsx", [summary_row(1, "甲", 100, 90, 96, balance=0)])
    first = check_file(src, profiles.load())
    copy = Path(first.output)
    assert copy.name == "汇总.checked.xlsx" and sealed(copy)
    again = check_file(src, profiles.load())  # untouched: replaced in place
    assert again.output == str(copy) and not again.remarks
    wb = openpyxl.load_workbook(copy)  # an officer corrects a value and saves (the marker survives)
    wb["汇总表"]["G5"] = 10
    wb.save(copy)
    assert not sealed(copy)
    edited = _digest(copy)
    res = CliRunner().invoke(main, ["check", str(src)])
    assert _digest(copy) == edited
    second = tmp_path / "汇总.checked (2).xlsx"
    assert second.exists() and sealed(second)
    assert "汇总.checked (2).xlsx" in res.output and "修改" in res.output
    assert is_own_output(second)  # a later folder run does not check it as an input
    third = check_file(src, profiles.load())  # the (2) copy is ours and untouched: reused
    assert third.output == str(second)


def test_an_input_of_the_run_is_never_replaced(tmp_path):
    a = write_summary(tmp_path / "a.xlsx", [summary_row(1, "甲", 100, 90, 96, balance=0)])
    copy = Path(check_file(a, profiles.load()).output)
    before = _digest(copy)
    res = CliRunner().invoke(main, ["check", "--format", "json", "--jobs", "1", str(a), str(copy)])
    assert _digest(copy) == before
    doc = _strict_json(res.stdout_bytes)
    outputs = [f["output"] for f in doc["files"]]
    assert str(copy) not in outputs
    assert any(o and o.endswith("a.checked (2).xlsx") for o in outputs)


# ------------------------------------------------------------------ 6. names and OS messages


def test_long_names_are_shortened_under_255_bytes(tmp_path):
    name = "二〇二三年度" * 13 + "汇总表.xlsx"  # 248 bytes: the copy's name would be 256
    src = write_summary(tmp_path / name, clean_rows())
    r = check_file(src, profiles.load())
    assert r.output, r.error
    out = Path(r.output)
    assert out.exists() and len(out.name.encode()) <= 255 and out.name.endswith("….checked.xlsx")


@pytest.mark.parametrize("code, word", [(errno.EROFS, "只读"), (errno.ENOSPC, "磁盘空间"), (errno.EACCES, "权限"),
                                        (errno.ENAMETOOLONG, "路径过长")])
def test_os_errors_are_chinese_and_name_the_users_file(tmp_path, monkeypatch, code, word):
    src = write_summary(tmp_path / "甲.xlsx", clean_rows())

    def fail(a, b):
        raise (PermissionError if code == errno.EACCES else OSError)(code, os.strerror(code), str(a))

    monkeypatch.setattr(os, "replace", fail)
    r = check_file(src, profiles.load())
    assert r.status == "failed" and word in r.error and "甲.checked.xlsx" in r.error, r.error
    assert ".~xltool" not in r.error and os.strerror(code) not in r.error
    assert sorted(p.name for p in tmp_path.iterdir()) == ["甲.xlsx"]  # no temporary file left


def test_an_output_folder_under_a_file_is_explained(tmp_path):
    src = write_summary(tmp_path / "甲.xlsx", clean_rows())
    (tmp_path / "file").write_text("x")
    r = check_file(src, profiles.load(), out_dir=tmp_path / "file" / "out")
    assert r.status == "failed" and CJK.search(r.error) and "Not a directory" not in r.error, r.error


# ------------------------------------------------------------------ 7. malformed XML

_MUTATIONS = {
    "unclosed": lambda x: x.replace(b"</sheetData>", b"", 1),
    "mismatched": lambda x: x.replace(b"</row>", b"</rows>", 1),
    "bad entity": lambda x: x.replace(b"<v>", b"<v>&bogus;", 1),
    "duplicate attribute": lambda x: x.replace(b'<c r="', b'<c t="n" t="n" r="', 1),
    "cut inside": lambda x: x[: len(x) * 2 // 3],
    "stray text after root": lambda x: x + b"<extra/>",
    "bad character": lambda x: x.replace(b"<v>", b"<v>\x01", 1),
}


@pytest.mark.parametrize("mutation", sorted(_MUTATIONS))
def test_xml_aware_mutations_are_damaged_files(tmp_path, mutation):
    good = write_summary(tmp_path / "good.xlsx", clean_rows())
    bad = bf.rewrite_zip(good, tmp_path / "bad.xlsx",
                         transform=lambda n, d: _MUTATIONS[mutation](d) if n == "xl/worksheets/sheet1.xml" else d)
    before = _digest(bad)
    r = check_file(bad, profiles.load(), out_dir=tmp_path / "out")
    assert r.status == "failed" and "损坏" in r.error and "sheet1.xml" in r.error, r.error
    assert "内部错误" not in r.error and r.output is None
    assert _digest(bad) == before


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/styles.xml", "[Content_Types].xml",
                                  "xl/_rels/workbook.xml.rels"])
def test_malformed_other_parts_never_crash(tmp_path, part):
    good = write_summary(tmp_path / "good.xlsx", clean_rows())
    bad = bf.rewrite_zip(good, tmp_path / "bad.xlsx",
                         transform=lambda n, d: d[: len(d) // 2] if n == part else d)
    r = check_file(bad, profiles.load(), out_dir=tmp_path / "out")
    assert r.status == "failed" and CJK.search(r.error) and "内部错误" not in r.error, r.error


# ------------------------------------------------------------------ 8. interrupted writes and permissions


def test_an_interrupted_write_leaves_no_file(tmp_path):
    def interrupted(tmp: Path):
        tmp.write_bytes(b"")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(tmp_path / "x.xlsx", interrupted)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.name != "posix", reason="Unix permissions")
def test_outputs_get_the_umask_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        from xltool.report import safe

        monkey = safe._UMASK
        safe._UMASK = None
        src = write_summary(tmp_path / "a.xlsx", clean_rows())
        out = Path(check_file(src, profiles.load()).output)
        assert out.stat().st_mode & 0o777 == 0o644
        safe._UMASK = monkey
    finally:
        os.umask(old)


# ------------------------------------------------------------------ the corpus never crashes the tool


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/excel-corpus is not available")
def test_never_crash_over_the_corpus():
    """0 internal errors, no hang, inputs unmodified, exit 2. A fixed sample by default (CI);
    XLTOOL_FULL_CORPUS=1 runs all ~770 files."""
    files = sorted(p for p in CORPUS.iterdir() if p.is_file())
    if not os.environ.get("XLTOOL_FULL_CORPUS"):
        files = list(dict.fromkeys(files[::12] + [p for p in files if "clusterfuzz" in p.name.lower()][:10]))
    before = {p: os.stat(p).st_mtime_ns for p in files}
    res = _cli(["check", "--no-write", "--jobs", "2", "--format", "json", *map(str, files)])
    assert res.returncode == 2
    doc = _strict_json(res.stdout)
    assert len(doc["files"]) == len(files)
    internal = [(f["path"], f["error"]) for f in doc["files"] if "内部错误" in (f["error"] or "")]
    assert internal == []
    for f in doc["files"]:
        assert f["status"] != "failed" or CJK.search(f["error"]), f
    assert {p: os.stat(p).st_mtime_ns for p in files} == before


@pytest.mark.skipif(os.name != "posix", reason="signals to a process group")
def test_ctrl_c_on_a_batch_leaves_no_temporary_or_empty_file(tmp_path):
    import signal
    import time

    folder = tmp_path / "in"
    folder.mkdir()
    first = write_summary(folder / "f00.xlsx", clean_rows())
    for i in range(1, 24):
        shutil.copy(first, folder / f"f{i:02d}.xlsx")
    proc = subprocess.Popen([sys.executable, "-m", "xltool", "check", "--jobs", "2", str(folder)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(folder.glob("*.checked.xlsx")):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does: every process of the console
    out, err = proc.communicate(timeout=120)
    names = [p.name for p in folder.iterdir()]
    assert not [n for n in names if n.startswith(".~xltool")], names
    assert not [p.name for p in folder.iterdir() if p.stat().st_size == 0]
    assert proc.returncode in (0, 2), err.decode(errors="replace")[-1500:]
    if proc.returncode == 2:
        assert "已中断" in err.decode()
    for p in folder.glob("*.checked.xlsx"):  # every copy written is whole
        assert zipfile.ZipFile(p).testzip() is None


def test_an_edited_overview_is_kept(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write_summary(folder / "a.xlsx", clean_rows())
    write_summary(folder / "b.xlsx", clean_rows())
    CliRunner().invoke(main, ["check", str(folder)])
    overview = folder / "核查汇总.xlsx"
    assert sealed(overview)
    wb = openpyxl.load_workbook(overview)
    wb.active["A1"] = "审核人已阅"
    wb.save(overview)
    edited = _digest(overview)
    res = CliRunner().invoke(main, ["check", str(folder)])
    assert res.exit_code == 0, res.output
    assert _digest(overview) == edited
    assert sealed(folder / "核查汇总 (2).xlsx") and "核查汇总 (2).xlsx" in res.output


@pytest.mark.parametrize("target", [b"worksheets/SHEET1.xml", b"worksheets/elsewhere.xml"])
def test_the_bound_holds_whatever_the_part_is_called(tmp_path, target):
    """calamine finds parts case-insensitively; a part we cannot resolve is bounded all the same."""
    far = _far_cell(tmp_path / "far.xlsx", "ZZ200000")
    odd = bf.rewrite_zip(far, tmp_path / "odd.xlsx", transform=lambda n, d: d.replace(
        b"worksheets/sheet1.xml", target) if n == "xl/_rels/workbook.xml.rels" else d)
    r = check_file(odd, profiles.load(), write=False)
    assert r.status == "failed" and ("数据区域过大" in r.error or "损坏" in r.error), r.error


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/excel-corpus is not available")
def test_the_scan_never_underestimates_what_calamine_builds():
    """On real packages (a sample; XLTOOL_FULL_CORPUS=1: all) the measured range holds calamine's grid."""
    from python_calamine import CalamineWorkbook

    from xltool.io import scan
    from xltool.io.xmlparts import sheet_part_names

    files = sorted(p for p in CORPUS.iterdir() if p.suffix.lower() in (".xls", ".xlsx", ".xlsm"))
    if not os.environ.get("XLTOOL_FULL_CORPUS"):
        files = files[::8]
    compared, under = 0, []
    for p in files:
        if p.stat().st_size > 5_000_000:
            continue
        try:
            if p.suffix.lower() == ".xls":
                encrypted, found = scan.scan_xls(p)
                if any(e.too_large() for _, e in found):
                    continue  # calamine would read every sheet of it at once: the point of the bound
                by_name = dict(found)
            else:
                extents = scan.scan_xlsx(p, sheet_part_names(zipfile.ZipFile(p)))
            wb = CalamineWorkbook.from_path(str(p))
        except BaseException as exc:  # damaged or refused: not what this test is about
            if isinstance(exc, KeyboardInterrupt):
                raise
            continue
        for i, name in enumerate(wb.sheet_names):
            ext = by_name.get(name) if p.suffix.lower() == ".xls" else (extents[i] if i < len(extents) else None)
            if ext is None or ext.too_large():
                continue
            try:
                end = wb.get_sheet_by_index(i).end
            except BaseException as exc:
                if isinstance(exc, KeyboardInterrupt):
                    raise
                continue
            compared += 1
            if end and (end[0] + 1 > ext.rows or end[1] + 1 > ext.cols):
                under.append((p.name, name, end, (ext.rows, ext.cols)))
    assert compared > 50 and under == []


def test_a_reader_panic_on_any_file_is_a_damaged_file(tmp_path, monkeypatch):
    """pyo3 raises a Rust panic as PanicException, a BaseException: it still means a damaged file."""
    import python_calamine

    class PanicException(BaseException):
        pass

    class Panicking:
        @staticmethod
        def from_path(_):
            raise PanicException("range end index 64 out of range for slice of length 1")

        from_filelike = from_path

    src = write_summary(tmp_path / "a.xlsx", clean_rows())
    monkeypatch.setattr(python_calamine, "CalamineWorkbook", Panicking)
    r = check_file(src, profiles.load(), write=False)
    assert r.status == "failed" and "损坏" in r.error and "内部错误" not in r.error and "range end" not in r.error


def test_too_many_findings_give_no_copy_but_every_finding(tmp_path, monkeypatch):
    """Each note costs the writer about 8 KB: past the cap the findings are reported, no copy is made."""
    from xltool import engine

    rows = [summary_row(i, f"项目{i}", 100, 90, 80, balance=5) for i in range(1, 9)]  # 8 wrong balances
    src = write_summary(tmp_path / "a.xlsx", rows)
    monkeypatch.setattr(engine, "MAX_ANNOTATED_FINDINGS", 5)
    res = CliRunner().invoke(main, ["check", "--format", "json", str(src)])
    (f,) = _strict_json(res.stdout_bytes)["files"]
    assert res.exit_code == 1 and f["status"] == "findings" and f["output"] is None
    assert len(f["findings"]) > 5 and "问题过多" in f["remarks"][0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx"]
