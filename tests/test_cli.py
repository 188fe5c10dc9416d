"""End to end through the command line (click's runner): JSON shape, golden reports, the annotated
copy, exit codes, and inputs left byte-identical."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from builders import clean_rows, write_summary
from xltool.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
GOLDEN = ROOT / "tests" / "golden"
SEED000 = "铜冶镇2023年度部门绩效自评结果公开汇总表.xlsx"
UPDATE = os.environ.get("XLTOOL_UPDATE_GOLDEN") == "1"


def invoke(args, cwd=None):
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(main, args, catch_exceptions=False)
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, args, catch_exceptions=False)
    finally:
        os.chdir(old)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.glob("*.xlsx")))
def test_golden_json_reports(sample, tmp_path):
    """The JSON report of each shipped sample is stable (regenerate with XLTOOL_UPDATE_GOLDEN=1)."""
    res = invoke(["check", "--no-write", "--format", "json", f"samples/{sample}"], cwd=ROOT)
    doc = json.loads(res.output)
    golden = GOLDEN / (Path(sample).stem + ".json")
    if UPDATE or not golden.exists():
        golden.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    expected = json.loads(golden.read_text(encoding="utf-8"))
    expected["version"] = doc["version"]
    assert doc == expected


def test_json_shape_and_exit_code_for_seed_000(tmp_path):
    src = tmp_path / SEED000
    shutil.copy(SAMPLES / SEED000, src)
    res = invoke(["check", "--out", str(tmp_path / "out"), "--format", "json", str(src)])
    assert res.exit_code == 1
    doc = json.loads(res.output)  # exactly one JSON document on stdout
    assert set(doc) == {"version", "files", "totals"}
    f = doc["files"][0]
    assert set(f) == {"path", "status", "verdict", "verdict_word", "output", "error", "sheets", "findings"}
    assert f["path"] == str(src) and f["status"] == "findings" and f["error"] is None
    assert f["output"].endswith("铜冶镇2023年度部门绩效自评结果公开汇总表.checked.xlsx")
    assert f["sheets"] == [{"name": "汇总表", "kind": "summary", "results": {
        "unit": "万元", "project_count": 51, "budget_total": 21482.86, "execution_total": 19754.32,
        "execution_rate": 0.9195, "overall_score": 96.9, "overall_grade": "优秀"}}]
    first = f["findings"][0]
    assert set(first) == {"severity", "rule", "sheet", "cell", "message", "expected", "found"}
    assert first == {"severity": "error", "rule": "SUM002", "sheet": "汇总表", "cell": "F7",
                     "message": first["message"], "expected": 26.25, "found": 0}
    assert doc["totals"] == {"files": 1, "errors": 34, "warnings": 2, "failed": 0, "blank": 0, "unrecognised": 0}
    assert (f["verdict"], f["verdict_word"]) == ("errors", "有错误")  # the one status vocabulary (issue 11)


def test_annotated_copy_marks_exactly_the_flagged_cells(tmp_path):
    src = tmp_path / SEED000
    shutil.copy(SAMPLES / SEED000, src)
    res = invoke(["check", "--format", "json", str(src)])
    doc = json.loads(res.output)
    out = Path(doc["files"][0]["output"])
    assert out.parent == tmp_path  # beside the input by default
    flagged = {f["cell"]: f for f in doc["files"][0]["findings"] if f["cell"]}
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "核查结果"
    ws = wb["汇总表"]
    original = openpyxl.load_workbook(src)["汇总表"]
    marked = {}
    for row in ws.iter_rows(min_row=1, max_row=original.max_row, max_col=original.max_column):
        for cell in row:
            if cell.comment is not None or (cell.fill is not None and cell.fill.fgColor.rgb in ("00FFC7CE", "00FFEB9C")):
                marked[cell.coordinate] = cell
    assert set(marked) == set(flagged)
    for ref, cell in marked.items():
        color = "00FFC7CE" if flagged[ref]["severity"] == "error" else "00FFEB9C"
        assert cell.fill.fgColor.rgb == color
        assert flagged[ref]["message"] in cell.comment.text
    assert "应为 26.25（预算数 1338 － 执行数 1311.752）" in ws["F7"].comment.text
    # recomputed columns right of the table, under their own header colour
    assert ws["J4"].value == "执行率（复核）" and ws["K4"].value == "结余数（复核）" and ws["L4"].value == "等级（复核）"
    assert ws["J4"].fill.fgColor.rgb == "00BDD7EE"
    assert ws["K7"].value == pytest.approx(26.248)
    assert ws["L7"].value == "优秀"
    # the original's values, widths and merges are kept
    for row in original.iter_rows():
        for cell in row:
            assert ws[cell.coordinate].value == cell.value
    assert ws.merged_cells.ranges == original.merged_cells.ranges or \
        {str(r) for r in original.merged_cells.ranges} <= {str(r) for r in ws.merged_cells.ranges}
    for col, dim in original.column_dimensions.items():
        assert ws.column_dimensions[col].width == dim.width
    # the findings sheet: one row per finding with a link to its cell
    fs = wb["核查结果"]
    links = [c for c in fs["D"] if c.hyperlink is not None]
    assert len(links) == len(flagged)
    assert links[0].hyperlink.location == "'汇总表'!F7" or links[0].hyperlink.target == "#'汇总表'!F7"


def test_inputs_are_byte_identical_after_a_run(tmp_path):
    files = []
    for name in (SEED000, "示例单位2023年度部门绩效自评结果公开汇总表.xlsx"):
        shutil.copy(SAMPLES / name, tmp_path / name)
        files.append(tmp_path / name)
    before = {p: (digest(p), p.stat().st_mtime_ns) for p in files}
    invoke(["check", *map(str, files)])
    invoke(["check", str(tmp_path)])  # again, over the folder: the copies are skipped, inputs untouched
    for p in files:
        assert (digest(p), p.stat().st_mtime_ns) == before[p]


def test_exit_codes(tmp_path):
    clean = write_summary(tmp_path / "clean.xlsx", clean_rows())
    assert invoke(["check", str(clean)]).exit_code == 0
    bad = shutil.copy(SAMPLES / SEED000, tmp_path / "bad.xlsx")
    assert invoke(["check", str(bad)]).exit_code == 1
    junk = tmp_path / "junk.xlsx"
    junk.write_text("这不是表格", encoding="utf-8")
    res = invoke(["check", str(clean), str(junk)])
    assert res.exit_code == 2
    assert "【无法读取】" in res.output  # one status vocabulary (issue 11)
    assert invoke(["check", str(tmp_path / "missing.xlsx")]).exit_code == 2


def test_dropped_files_without_subcommand(tmp_path):
    clean = write_summary(tmp_path / "clean.xlsx", clean_rows())
    res = invoke([str(clean)])
    assert res.exit_code == 0
    assert "部门绩效自评结果公开汇总表" in res.output and "错误 0 处" in res.output
    assert (tmp_path / "clean.checked.xlsx").exists()


def test_console_lines_are_chinese(tmp_path):
    bad = shutil.copy(SAMPLES / SEED000, tmp_path / "bad.xlsx")
    res = invoke(["check", str(bad)])
    lines = res.output.strip().splitlines()
    assert "错误 34 处" in lines[0] and "核查副本" in lines[0]
    assert lines[-1].startswith("共检查 1 个文件")


def test_rules_and_profiles_commands():
    res = invoke(["rules"])
    assert res.exit_code == 0 and "SUM002" in res.output and "结余数" in res.output
    res = invoke(["profiles"])
    assert "national" in res.output and "jiangxi" in res.output


def test_bad_profile_is_a_clear_failure(tmp_path):
    clean = write_summary(tmp_path / "clean.xlsx", clean_rows())
    res = invoke(["check", "--profile", "atlantis", str(clean)])
    assert res.exit_code == 2


def test_rules_doc_is_generated_from_the_catalogue():
    generated = invoke(["rules", "--format", "markdown"]).output
    doc = ROOT / "docs" / "rules.md"
    if UPDATE:
        doc.write_text(generated, encoding="utf-8")
    assert "SUM002" in generated and "PF012" in generated and "ST006" in generated and "MT004" in generated
    assert doc.read_text(encoding="utf-8") == generated, \
        "docs/rules.md is stale: run `xltool rules --format markdown > docs/rules.md`"


def test_fresh_interpreter_runs_the_console_script(tmp_path):
    """The installed entry point works in a fresh process (nothing imported by the tests before)."""
    import subprocess
    import sys

    clean = write_summary(tmp_path / "clean.xlsx", clean_rows())
    res = subprocess.run([sys.executable, "-m", "xltool", "check", "--no-write", str(clean)],
                         capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert res.returncode == 0, res.stderr
    assert "错误 0 处" in res.stdout
    res = subprocess.run([sys.executable, "-m", "xltool", "--help"], capture_output=True, text=True,
                         encoding="utf-8", timeout=60)
    assert res.returncode == 0 and "template" in res.stdout and "summarize" in res.stdout
