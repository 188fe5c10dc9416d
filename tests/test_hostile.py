"""Hostile and broken input through the whole tool: each bad file reported clearly in Chinese, the
good one checked, exit code 2, every input byte-identical; property-based tests over random tables."""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import badfiles as bf
from builders import clean_rows, summary_row, write_summary
from xltool import profiles
from xltool.cli import main
from xltool.engine import check_file

CJK = re.compile(r"[\u4e00-\u9fff]")


def _digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_a_batch_of_bad_files_beside_a_good_one(tmp_path):
    good = write_summary(tmp_path / "good.xlsx", clean_rows())
    seed = bf.make_valid_xlsx(tmp_path / "seed_for_damage.xlsx")
    bad = {
        "not_a_spreadsheet.xlsx": bf.make_pdf,
        "damaged.xlsx": lambda p: bf.make_truncated(p, good),
        "encrypted.xlsx": bf.make_encrypted_ooxml,
        "empty.xlsx": bf.make_empty,
        "bomb.xlsx": bf.make_declared_bomb,
        "laughs.xlsx": bf.make_billion_laughs_xlsx,
        "web_page.xls": bf.make_html_as_xls,
        "csv.xlsx": bf.make_csv_as_xlsx,
    }
    paths = [good]
    for name, make in bad.items():
        paths.append(make(tmp_path / name))
    no_table = tmp_path / "no_table.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "会议纪要"
    wb.save(no_table)
    paths.append(no_table)
    seed.unlink()
    before = {p: _digest(p) for p in paths}
    t0 = time.monotonic()
    res = CliRunner().invoke(main, ["check", "--out", str(tmp_path / "out"), "--format", "json", *map(str, paths)],
                             catch_exceptions=False)
    elapsed = time.monotonic() - t0
    assert res.exit_code == 2
    doc = json.loads(res.stdout if hasattr(res, "stdout") else res.output)
    by_name = {Path(f["path"]).name: f for f in doc["files"]}
    assert by_name["good.xlsx"]["status"] == "ok" and by_name["good.xlsx"]["output"]
    expect = {
        "not_a_spreadsheet.xlsx": "PDF", "damaged.xlsx": "损坏", "encrypted.xlsx": "密码", "empty.xlsx": "为空",
        "bomb.xlsx": "压缩炸弹", "laughs.xlsx": "实体声明", "web_page.xls": "网页", "csv.xlsx": "CSV",
    }
    for name, word in expect.items():
        f = by_name[name]
        assert f["status"] == "failed" and f["output"] is None, name
        assert word in f["error"] and CJK.search(f["error"]), (name, f["error"])
    assert "如何" in by_name["encrypted.xlsx"]["error"] or "文件 → 信息" in by_name["encrypted.xlsx"]["error"]
    # read, but no table of ours: 未识别, not 无法读取 (it is not damaged)
    no_table = by_name["no_table.xlsx"]
    assert no_table["status"] == "unrecognised" and no_table["verdict_word"] == "未识别" and no_table["output"] is None
    assert "没有找到可识别的表格" in no_table["error"] and "一级指标" in no_table["error"]  # says what was looked for
    assert doc["totals"]["failed"] == len(expect) and doc["totals"]["unrecognised"] == 1
    for p, h in before.items():
        assert _digest(p) == h, p
    assert elapsed < 60


def test_zip_bomb_refused_in_seconds(tmp_path):
    bomb = bf.make_zip_bomb(tmp_path / "bomb.xlsx")
    t0 = time.monotonic()
    r = check_file(bomb, profiles.load(), out_dir=tmp_path / "out")
    assert time.monotonic() - t0 < 5
    assert r.status == "failed" and "压缩炸弹" in r.error
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_xlsm_is_checked_and_keeps_its_macros(tmp_path):
    src = write_summary(tmp_path / "m.xlsx", [summary_row(1, "甲", 100, 90, 96, balance=0)])
    xlsm = bf.rewrite_zip(src, tmp_path / "m.xlsm", add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0fake-vba"})
    before = _digest(xlsm)
    r = check_file(xlsm, profiles.load(), out_dir=tmp_path / "out")
    assert r.fmt == "xlsm" and r.status == "findings"
    assert r.output.endswith(".checked.xlsm")
    assert any("宏" in n for n in r.notes)
    import zipfile

    assert "xl/vbaProject.bin" in zipfile.ZipFile(r.output).namelist()
    assert _digest(xlsm) == before


# --- property-based: random tables never crash the tool and never touch the input -------------

_cell = st.one_of(
    st.none(), st.integers(-10**9, 10**9), st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12), st.sampled_from(["1,338.00", "９５", "96分", "95.06%", "—", "合计", "=1+1", "@SUM(A1)",
                                           "优秀", "良好", "序号", "项目名称", "预算数", "执行数", "得分", "分值"]),
)


@st.composite
def random_tables(draw):
    header = draw(st.permutations(["序号", "项目名称", "项目实施单位", "预算数", "执行数", "执行率", "结余数",
                                   "结余交回财政数", "自评得分", "评价等级", "自评结果应用意见"]))
    keep = draw(st.integers(2, len(header)))
    header = list(header[:keep])
    rows = draw(st.lists(st.lists(_cell, min_size=keep, max_size=keep), max_size=8))
    merges = draw(st.lists(st.tuples(st.integers(1, 12), st.integers(1, 8), st.integers(0, 3), st.integers(0, 3)),
                           max_size=3))
    pre = draw(st.integers(0, 3))
    return header, rows, merges, pre


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(random_tables())
def test_random_tables_never_crash(tmp_path, table):
    header, rows, merges, pre = table
    path = tmp_path / "random.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    for _ in range(pre):
        ws.append(["说明文字"])
    ws.append(header)
    for row in rows:
        ws.append([v for v in row])
        for c in ws[ws.max_row]:
            if isinstance(c.value, str):
                c.data_type = "s"
    for r, c, dr, dc in merges:
        try:
            ws.merge_cells(start_row=r, start_column=c, end_row=r + dr, end_column=c + dc)
        except Exception:
            pass
    wb.save(path)
    before = _digest(path)
    out = tmp_path / "out"
    r = check_file(path, profiles.load(), out_dir=out)
    assert r.status in ("ok", "findings", "failed", "unrecognised")
    if not r.checked:
        assert "内部错误" not in r.error, r.error
        assert CJK.search(r.error)
    assert _digest(path) == before


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=2048), st.sampled_from([".xlsx", ".xls", ".xlsm"]))
def test_random_bytes_fail_cleanly(tmp_path, data, ext):
    path = tmp_path / f"junk{ext}"
    path.write_bytes(data)
    r = check_file(path, profiles.load(), out_dir=tmp_path / "out")
    assert r.status == "failed" and CJK.search(r.error) and "内部错误" not in r.error
    assert path.read_bytes() == data


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.floats(0.05, 0.999))
def test_truncated_workbooks_fail_cleanly(tmp_path, keep):
    good = write_summary(tmp_path / "g.xlsx", clean_rows())
    data = good.read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: int(len(data) * keep)])
    r = check_file(path, profiles.load(), out_dir=tmp_path / "out")
    assert r.status == "failed" and "内部错误" not in r.error


# --- XML-aware mutations of a valid package: well-formed but unexpected structure ---------------

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _mutate_xml(data: bytes, ops, ref_rows: int) -> bytes:
    import xml.etree.ElementTree as ET

    ET.register_namespace("", _NS[1:-1])
    root = ET.fromstring(data)
    elems = [e for e in root.iter() if e is not root]
    parents = {c: p for p in root.iter() for c in p}
    for op, k, value in ops:
        if not elems:
            break
        e = elems[k % len(elems)]
        parent = parents.get(e)
        if op == "delete" and parent is not None:
            parent.remove(e)
            elems = [x for x in elems if x is not e]
        elif op == "duplicate" and parent is not None:
            parent.insert(list(parent).index(e), ET.fromstring(ET.tostring(e)))
        elif op == "ref" and e.tag == _NS + "c":
            e.set("r", f"{value[:2]}{1 + len(value) * ref_rows}" if value[:2].isalpha() and value[:2].isascii() else "A1")
        elif op == "drop-ref":
            e.attrib.pop("r", None)
        elif op == "type" and e.tag == _NS + "c":
            e.set("t", ["s", "b", "e", "str", "inlineStr", "n", "d", "x"][len(value) % 8])
        elif op == "text":
            e.text = value
        elif op == "attr":
            e.set(value[:8] if value[:8].isascii() and value[:1].isalpha() and value[:8].isidentifier() else "x", value)
    return ET.tostring(root, xml_declaration=True, encoding="UTF-8")


_ops = st.lists(st.tuples(st.sampled_from(["delete", "duplicate", "ref", "drop-ref", "type", "text", "attr"]),
                          st.integers(0, 500), st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=8)),
                min_size=1, max_size=6)


@settings(max_examples=int(os.environ.get("XLTOOL_FUZZ_EXAMPLES", 60)), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_ops, st.sampled_from(["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml", "xl/styles.xml"]),
       st.sampled_from([1, 1000, 100000]))
def test_xml_aware_mutations_never_crash(tmp_path, ops, part, ref_rows):
    import zipfile
    from xml.parsers import expat

    good = write_summary(tmp_path / "g.xlsx", clean_rows())
    path = bf.rewrite_zip(good, tmp_path / "m.xlsx",
                          transform=lambda n, d: _mutate_xml(d, ops, ref_rows) if n == part else d)
    before = _digest(path)
    out = tmp_path / "out"
    r = check_file(path, profiles.load(), out_dir=out)
    assert r.status in ("ok", "findings", "failed", "unrecognised")
    if not r.checked:
        assert "内部错误" not in r.error and CJK.search(r.error), r.error
    assert _digest(path) == before
    if r.output:  # the copy carries no malformed part
        with zipfile.ZipFile(r.output) as zf:
            for name in zf.namelist():
                if name.endswith((".xml", ".rels")):
                    expat.ParserCreate().Parse(zf.read(name), True)
