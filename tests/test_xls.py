"""Legacy .xls: checked exactly like its .xlsx twin; the annotated copy is an .xlsx that says the
original formatting could not be carried over. Twins are made with LibreOffice (skipped without it)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from xltool import profiles
from xltool.engine import check_file

ROOT = Path(__file__).resolve().parents[1]
SOFFICE = shutil.which("soffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")

TWINS = ["铜冶镇2023年度部门绩效自评结果公开汇总表.xlsx", "示例单位2023年度部门绩效自评结果公开汇总表.xlsx",
         "2023年度项目支出绩效自评表（示例）.xlsx", "姜各庄镇2023年度部门整体绩效自评表.xlsx",
         "高邑镇2024年度部门整体支出绩效评价指标评分表.xlsx", "东史端镇2023年度绩效管理自评表.xlsx"]


@pytest.fixture(scope="module")
def xls_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("xls")
    profile = tmp_path_factory.mktemp("lo-profile")
    src = [str(ROOT / "samples" / n) for n in TWINS if (ROOT / "samples" / n).exists()]
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                    "xls:MS Excel 97", "--outdir", str(out), *src], check=True, capture_output=True, timeout=240)
    return out


def _key(report):
    return sorted((f.rule, f.severity, f.sheet, f.cell, f.expected, f.found) for f in report.findings)


@pytest.mark.parametrize("name", TWINS)
def test_xls_twin_checks_like_the_xlsx(xls_dir, name):
    xlsx = ROOT / "samples" / name
    xls = xls_dir / (Path(name).stem + ".xls")
    assert xls.exists()
    prof = profiles.load()
    a = check_file(xlsx, prof, write=False)
    b = check_file(xls, prof, write=False)
    assert b.fmt == "xls"
    assert [(s.name, s.kind) for s in b.sheets] == [(s.name, s.kind) for s in a.sheets]
    assert [s.results for s in b.sheets] == [s.results for s in a.sheets]
    assert _key(b) == _key(a)


def test_xls_annotated_copy_is_xlsx_with_notes(xls_dir, tmp_path):
    xls = xls_dir / (Path(TWINS[0]).stem + ".xls")
    before = xls.read_bytes()
    r = check_file(xls, profiles.load(), out_dir=tmp_path)
    assert r.output.endswith(".checked.xlsx")
    assert xls.read_bytes() == before
    wb = openpyxl.load_workbook(r.output)
    ws = wb["汇总表"]
    assert ws["F7"].fill.fgColor.rgb == "00FFC7CE" and "26.25" in ws["F7"].comment.text
    assert ws["B7"].value == openpyxl.load_workbook(ROOT / "samples" / TWINS[0])["汇总表"]["B7"].value
    notes = [c.value for c in wb["核查结果"]["B"] if isinstance(c.value, str)]
    assert any("格式无法带过来" in n for n in notes)
