"""Real exports of the national project library (../shared/realworld, 11 sheets each, .xls).

Each is recognised as a project self-evaluation form on sheet 项目支出绩效自评表, the other ten sheets are
left alone, nothing crashes, and the real inconsistencies are reported in Chinese at the right cells.
Skipped when the folder is absent.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from xltool import profiles
from xltool.engine import check_file

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "realworld"
FORM = "项目支出绩效自评表"
OTHER_SHEETS = ["项目基本信息", "项目支出立项依据", "项目支出实施方案", "项目支出计划", "项目支出明细", "项目支出绩效目标申报表",
                "项目支出绩效目标执行监控", "部门评审报告", "财政评审报告", "监管局审核意见报告"]

pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/realworld is not available")


def run(name):
    path = REAL / name
    if not path.exists():
        pytest.skip(f"{name} is not available")
    return check_file(path, profiles.load(), write=False)


def at(report, rule):
    return sorted(f.cell for f in report.findings if f.rule == rule)


def counts(report):
    return Counter(f.rule for f in report.findings if f.rule != "XL001")


def form_results(report):
    return next(s for s in report.sheets if s.name == FORM).results


@pytest.mark.parametrize("name", ["national_export_blank.xls", "national_export_filled.xls",
                                  "national_export_numbered.xls"])
def test_recognised_and_other_sheets_left_alone(name):
    r = run(name)
    assert r.status != "failed", r.error
    kinds = {s.name: s.kind for s in r.sheets}
    assert kinds[FORM] == "project-form"
    assert {k: v for k, v in kinds.items() if k != FORM} == {s: "unknown" for s in OTHER_SHEETS}
    res = form_results(r)
    assert res["project_name"] == "2019年210青少年校园足球扶持资金"
    assert res["department"] == "教育部" and res["year"] == 2019 and res["unit"] == "万元"
    assert all(f.sheet == FORM for f in r.findings if f.rule != "XL001")


def test_blank_export_says_once_that_the_form_is_empty():
    """No indicator, an empty fund block and the system's 总分 "0"/"0": 空表, one warning and nothing else
    (issue 11, the lead's decision: it was a PF011 error and two IN001 warnings on the system's zeros)."""
    from xltool import status

    r = run("national_export_blank.xls")
    assert counts(r) == Counter({"XL002": 1})
    f = next(f for f in r.findings if f.rule == "XL002")
    assert f.sheet == FORM and f.severity == "warning" and "尚未填写" in f.message
    assert status.key_of(r) == status.BLANK and r.errors == 0
    res = form_results(r)
    assert res["total_score"] == 0 and res["stated_total"] == 0 and res["execution_rate"] is None


def test_filled_export():
    r = run("national_export_filled.xls")
    # 分值/得分 stored as text "0.0" in H11:H13 and I11:I13: one warning per column run (issue 11)
    assert at(r, "IN001") == ["H11", "I11"]
    assert "H11:H13 共 3 个单元格" in next(f.message for f in r.findings if f.cell == "H11" and f.rule == "IN001")
    assert at(r, "PF010") == ["G11", "G12", "G13"]  # 实际完成值 missing
    assert at(r, "PF011") == ["H14"]  # 分值 add up to 0, not 100
    assert at(r, "PF012") == ["I14"]  # 总分 empty
    assert at(r, "PF015") == ["F7"]  # fund block empty
    assert counts(r) == Counter({"IN001": 2, "PF010": 3, "PF011": 1, "PF012": 1, "PF015": 1})
    assert "总分未填写" in next(f.message for f in r.findings if f.rule == "PF012")
    assert "资金未填写" in next(f.message for f in r.findings if f.rule == "PF015")


def test_numbered_export():
    r = run("national_export_numbered.xls")
    # 总分 100/100 while the rows add up to 271 分值 and 277 得分
    pts = next(f for f in r.findings if f.rule == "PF011")
    assert (pts.cell, pts.expected, pts.found) == ("H18", 100, 100)
    assert "271" in pts.message
    tot = next(f for f in r.findings if f.rule == "PF012")
    assert (tot.cell, tot.expected, tot.found) == ("I18", 277, 100)
    # fund rows whose labels are running numbers: taken by position under the fund header
    assert at(r, "PF003") == ["E7", "F7", "G7"]
    assert at(r, "PF002") == ["K7"]
    assert at(r, "PF001") == ["I10", "I7", "I8", "I9"]
    assert at(r, "PF005") == ["I14", "I15", "I16", "I17"]  # 得分 = 分值 + 1 on every row
    # 32 numbers typed as text: the fund block's six columns (rows 7–10) and the indicators' 分值/得分
    # (rows 14–17), one warning per column run (issue 11: it was one per cell)
    assert at(r, "IN001") == ["E7", "F7", "G7", "H14", "H7", "I14", "I7", "K7"]
    assert sum(int(f.message.split("共 ")[1].split(" 个")[0]) for f in r.findings if f.rule == "IN001") == 32
    res = form_results(r)
    assert (res["budget"], res["execution"], res["stated_total"], res["total_score"]) == (3, 4, 100, 277)


def test_cli_json_on_the_three_exports(tmp_path):
    from xltool.cli import main

    paths = [REAL / n for n in ("national_export_blank.xls", "national_export_filled.xls",
                                "national_export_numbered.xls")]
    if not all(p.exists() for p in paths):
        pytest.skip("exports not available")
    res = CliRunner().invoke(main, ["check", "--out", str(tmp_path), "--format", "json", *map(str, paths)])
    assert res.exit_code == 1, res.output
    data = json.loads(res.output)
    files = data if isinstance(data, list) else data["files"]
    assert [f["status"] for f in files] == ["findings"] * 3
    for f in files:
        assert [s["kind"] for s in f["sheets"] if s["kind"] != "unknown"] == ["project-form"]
        assert Path(f["output"]).exists()


@pytest.mark.parametrize("name", ["ledger_template_blank.xls", "execution_progress_template_blank.xls"])
def test_workbooks_that_are_not_self_evaluations_are_said_so_and_never_passed(name):
    """The two recognition probes (a project ledger, an execution-progress table): not 通过, and the reason says
    plainly that the file is not a self-evaluation workbook. Its status is 未识别, not 无法读取: it was read, it is
    not damaged (console, JSON, overview and exit code: tests/test_unrecognised.py)."""
    from xltool import status

    report = run(name)
    assert report.status == "unrecognised" and status.word_of(report) == "未识别"
    assert "不是预算绩效自评表" in report.error
