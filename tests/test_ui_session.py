"""The page's work without a browser: safe upload names, bounds, status words, copies, zip, clean-up."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest

from xltool import profiles
from xltool.ui import session
from xltool.ui.session import Refused, Workspace, safe_relative

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SEED000 = "铜冶镇2023年度部门绩效自评结果公开汇总表.xlsx"


def chunks(path: Path, size: int = 4096):
    data = path.read_bytes()
    for i in range(0, len(data), size):
        yield data[i:i + size]


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    monkeypatch.setattr(session.tempfile, "tempdir", str(tmp_path))
    ws = Workspace(profiles.load("national"))
    yield ws
    ws.close()


@pytest.mark.parametrize("given, safe", [
    ("材料/乡镇/a.xlsx", "材料/乡镇/a.xlsx"),
    ("../../etc/passwd.xlsx", "etc/passwd.xlsx"),
    ("/abs/a.xlsx", "abs/a.xlsx"),
    ("C:\\Users\\x\\a.xlsx", "C_/Users/x/a.xlsx"),
    ("a/./b/../c.xlsx", "a/b/c.xlsx"),
    ("bad<name>?.xlsx", "bad_name__.xlsx"),
    ("材料/CON.xlsx", "材料/_CON.xlsx"),
    ("/".join(f"第{i}层" for i in range(12)) + "/a.xlsx", "/".join(f"第{i}层" for i in range(5, 12)) + "/a.xlsx"),
])
def test_upload_names_stay_inside_the_batch(given, safe):
    assert safe_relative(given).as_posix() == safe


def test_empty_name_is_refused():
    with pytest.raises(Refused):
        safe_relative("../..")


def test_non_workbooks_and_oversize_files_are_refused_in_chinese(workspace, monkeypatch):
    b = workspace.new_batch()
    with pytest.raises(Refused) as exc:
        b.receive("说明.docx", [b"x"])
    assert exc.value.status == 415 and "不是 Excel 工作簿" in exc.value.message
    monkeypatch.setattr(session, "MAX_FILE_BYTES", 1000)
    with pytest.raises(Refused) as exc:
        b.receive("大.xlsx", chunks(SAMPLES / SEED000))
    assert exc.value.status == 413 and "MB" in exc.value.message
    assert not (b.uploads / "大.xlsx").exists()  # the partial upload is removed
    assert b.entries == []


def test_a_batch_is_checked_with_status_words_copies_overview_and_zip(workspace, tmp_path):
    import xlsxwriter

    empty = tmp_path / "空白.xlsx"
    wb = xlsxwriter.Workbook(str(empty))
    wb.add_worksheet()
    wb.close()
    damaged = tmp_path / "坏.xlsx"
    damaged.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    b = workspace.new_batch()
    b.receive(f"材料/{SEED000}", chunks(SAMPLES / SEED000))
    b.receive(f"材料/{SEED000}", chunks(SAMPLES / SEED000))  # the same name twice: kept apart
    b.receive("材料/空白.xlsx", chunks(empty))
    b.receive("坏.xlsx", chunks(damaged))
    assert [e.shown for e in b.entries][:2] == [f"材料/{SEED000}", f"材料/{SEED000[:-5]}（2）.xlsx"]
    b.start()
    b.thread.join(120)
    st = b.status()
    assert st["state"] == "done"
    words = [f["word"] for f in st["files"]]
    assert words == ["有错误", "有错误", "未识别", "无法读取"]  # an empty workbook is 未识别, not 空表 (xltool/status.py)
    assert st["files"][0]["errors"] == 34 and st["files"][0]["copy"]
    assert "损坏" in st["files"][3]["reason"] or "无法读取" in st["files"][3]["reason"]
    findings = b.entry(0).findings()["findings"]
    assert sum(1 for f in findings if f["level"] == "错误") == 34
    assert b.copy_of(0).name == SEED000.replace(".xlsx", ".checked.xlsx")
    with pytest.raises(Refused):
        b.copy_of(3)
    with pytest.raises(Refused):
        b.receive("晚到.xlsx", [b"x"])  # the batch is closed once checking starts
    names = set(zipfile.ZipFile(b.zip()).namelist())
    assert names == {"核查汇总.xlsx", f"材料/{SEED000[:-5]}.checked.xlsx", f"材料/{SEED000[:-5]}（2）.checked.xlsx"}
    # the originals the browser sent are left as they were
    assert (b.uploads / "材料" / SEED000).read_bytes() == (SAMPLES / SEED000).read_bytes()


@pytest.mark.parametrize("template", sorted(p.name for p in (ROOT / "templates").glob("*.xlsx")))
def test_a_blank_template_is_an_empty_table_not_a_pass(template):
    from xltool.engine import check_file

    report = check_file(ROOT / "templates" / template, profiles.load("national"), write=False)
    assert session.status_word(report)[0] == "空表"


@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.glob("*.xlsx")))
def test_filled_samples_are_not_empty_tables(sample):
    from xltool.engine import check_file

    report = check_file(SAMPLES / sample, profiles.load("national"), write=False)
    assert session.status_word(report)[0] in ("通过", "有错误", "需留意")


def test_templates_and_clean_up(tmp_path, monkeypatch):
    monkeypatch.setattr(session.tempfile, "tempdir", str(tmp_path))
    stale = tmp_path / (session.TEMP_PREFIX + "old")
    stale.mkdir()
    import os

    os.utime(stale, (0, 0))
    ws = Workspace(profiles.load("national"))
    assert not stale.exists()  # left by a page server that was killed long ago
    assert ws.template("summary").name == "部门绩效自评结果公开汇总表.xlsx"
    with pytest.raises(Refused):
        ws.template("../../x")
    assert [t["kind"] for t in session.templates_list()][0] == "summary"
    root = ws.root
    ws.close()
    assert not root.exists()
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_the_page_loads_nothing_from_the_network():
    from importlib import resources

    page = resources.files("xltool.ui").joinpath("page.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and "url(" not in page
