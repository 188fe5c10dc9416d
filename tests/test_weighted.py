"""The weighted self-evaluation form (河北 部门整体绩效自评表, seed 004): reader and every WF rule, both ways."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from xltool import profiles
from xltool.engine import check_file

ROOT = Path(__file__).resolve().parents[1]
SEED004 = ROOT / "samples" / "姜各庄镇2023年度部门整体绩效自评表.xlsx"

# (一级, 二级, 三级, 预期指标值, 单位（文字描述）, 实际完成值, 完成等级, 单项得分, 权重(%), 折算得分) — seed 004's rows.
SEED_ROWS = [
    ("产出指标", "数量指标", "项目支出钱数（万元）", 2819.17, "万元", 2819.17, "优", 90, 20, 18),
    (None, None, "补贴资金发放及时率", 1, "百分号", 1, "优", 90, 10, 9),
    (None, "时效指标", "工作按时完成率", 1, "百分号", 1, "优", 90, 10, 9),
    (None, "成本指标", "人均补助标准", 1, "按规定标准", "按规定标准", "优", 95, 10, 9.5),
    ("效益指标", "经济效益指标", "社会公共服务水平", None, "服务水平明显提高", "服务水平明显提高", "优", 95, 10, 9.5),
    (None, "社会效益指标", "改善村级面貌", None, "明显改善村级面貌", "明显改善村级面貌", "优", 95, 10, 9.5),
    (None, "生态效益指标", "改善困难群众生活", None, "困难群众生活水平明显改善", "困难群众生活水平明显改善", "优", 95, 10, 9.5),
    ("满意度指标", "服务对象满意度指标", "群众满意度", 0.98, "百分号", 0.98, "优", 95, 10, 9.5),
    ("预算执行率", "预算执行率", "预算执行率", None, None, 0.7524, None, 75.24, 10, 7.5),
]


def write_weighted(path: Path, rows=None, *, budget=3746.68, arrived=2819.17, execution=2819.17, progress=75.24,
                   parts=((3746.68, 2819.17, 2819.17), (None, None, None)), total="auto", grade=None,
                   goals=3, fund_layout="left") -> Path:
    """A Hebei weighted form laid out like seed 004 (two-row indicator header, label pairs in the fund block).

    ``fund_layout`` "above": a row of labels (预算数 | 到位数 | 执行数 | 预算执行进度(%)) with the values in
    the row below (C4, F4, I4, K4 as in seed 004) and 其中 rows labelled in column B.
    """
    rows = SEED_ROWS if rows is None else rows
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "部门整体绩效自评表"
    ws.merge_cells("A1:L1")
    ws["A1"] = "2023年度部门整体绩效自评表"
    ws["A2"], ws["B2"], ws["D2"], ws["I2"], ws["K2"] = "一、基本情况", "实施主管部门", "姜各庄镇人民政府", "金额单位", "万元"
    for rng in ("B2:C2", "D2:H2", "I2:J2", "K2:L2", "B3:D3", "E3:G3", "H3:J3", "K3:L3"):
        ws.merge_cells(rng)
    ws.merge_cells("A3:A6")
    if fund_layout == "above":
        for rng in ("B3:D3", "E3:G3", "H3:J3", "K3:L3"):
            ws.unmerge_cells(rng)
        ws["A3"], ws["B3"], ws["C3"], ws["F3"], ws["I3"], ws["K3"] = ("二、预算执行情况", "资金来源", "预算数（调整后）",
                                                                    "到位数", "执行数", "预算执行进度(%)")
        ws["B4"], ws["C4"], ws["F4"], ws["I4"], ws["K4"] = "合计", budget, arrived, execution, progress
        for i, (lab, vals) in enumerate(zip(("其中：财政资金", "其他"), parts)):
            ws[f"B{5 + i}"] = lab
            ws[f"C{5 + i}"], ws[f"F{5 + i}"], ws[f"I{5 + i}"] = vals
    else:
        ws["A3"], ws["B3"], ws["E3"], ws["H3"], ws["K3"] = ("二、预算执行情况", "预算安排情况（调整后）", "资金到位情况",
                                                            "资金执行情况", "预算执行进度(%)")
        ws["B4"], ws["C4"], ws["E4"], ws["F4"], ws["H4"], ws["I4"] = "预算数", budget, "到位数", arrived, "执行数", execution
        ws["K4"] = progress
        ws.merge_cells("K4:L6")
        for i, (lab, vals) in enumerate(zip(("其中：财政资金", "其他"), parts)):
            r = 5 + i
            for col, vcol, v in (("B", "C", vals[0]), ("E", "F", vals[1]), ("H", "I", vals[2])):
                ws[f"{col}{r}"] = lab
                ws[f"{vcol}{r}"] = v
    g = 7
    ws[f"A{g}"], ws[f"B{g}"], ws[f"G{g}"], ws[f"K{g}"] = "三、目标完成情况", "年度预期目标", "具体完成情况", "总体完成率(%)"
    for i in range(goals):
        ws[f"B{g + 1 + i}"] = f"目标{i + 1}：保障运转"
        ws[f"G{g + 1 + i}"] = f"目标{i + 1}完成情况：已完成"
    h1 = g + goals + 1
    h2 = h1 + 1
    first = h2 + 1
    ws[f"A{h1}"] = "四、年度绩效指标完成情况"
    for col, lab in zip("BCDEFGHI", ["一级指标", "二级指标", "三级指标", "指标说明", "预期指标值", "单位（文字描述）",
                                     "单项指标实际完成值", "单项指标完成等级"]):
        ws[f"{col}{h1}"] = lab
        ws.merge_cells(f"{col}{h1}:{col}{h2}")
    ws[f"J{h1}"] = "自评得分"
    ws.merge_cells(f"J{h1}:L{h1}")
    ws[f"J{h2}"], ws[f"K{h2}"], ws[f"L{h2}"] = "单项指标得分", "权重占比(%)", "单项指标折算得分"
    for i, row in enumerate(rows):
        r = first + i
        l1, l2, name, target, unit, actual, grd, score, weight, weighted = row
        for col, v in zip("BCDEFGHIJKL", (l1, l2, name, name, target, unit, actual, grd, score, weight, weighted)):
            if v is not None:
                ws[f"{col}{r}"] = v
    t = first + len(rows)
    ws[f"A{t}"] = "自评得分"
    ws.merge_cells(f"A{t}:K{t}")
    if total == "auto":
        total = round(sum(r[9] or 0 for r in rows), 4)
    if total is not None:
        ws[f"L{t}"] = total
    if grade is not None:
        ws[f"A{t + 1}"], ws[f"C{t + 1}"] = "评价等级", grade
    ws[f"A{t + 2}"] = "填报人："
    ws[f"A{t + 3}"] = "说明："
    wb.save(path)
    return path


def rows_with(changes):
    rows = [list(r) for r in SEED_ROWS]
    for (i, j), v in changes.items():
        rows[i][j] = v
    return [tuple(r) for r in rows]


def run(path, profile="national"):
    return check_file(Path(path), profiles.load(profile), write=False)


def found(report, rule=None):
    return sorted((f.rule, f.cell) for f in report.findings
                  if f.rule != "XL001" and (rule is None or f.rule == rule))


def sheet(report):
    return next(s for s in report.sheets if s.kind == "weighted-form")


# Built form: header rows 11–12, indicators in rows 13–21, row 22 自评得分.
FIRST = 13


def test_built_form_is_clean(tmp_path):
    r = run(write_weighted(tmp_path / "w.xlsx"))
    assert r.status == "ok", [(f.rule, f.cell, f.message) for f in r.findings]
    res = sheet(r).results
    assert res["execution_rate"] == pytest.approx(0.7524)
    assert res["total_score"] == pytest.approx(91)
    assert res["grade"] == "优"
    assert res["department"] == "姜各庄镇人民政府" and res["unit"] == "万元" and res["year"] == 2023
    assert (res["budget"], res["execution"], res["stated_total"]) == (3746.68, 2819.17, 91)
    assert res["execution_item_score"] == pytest.approx(75.24)


@pytest.mark.skipif(not SEED004.exists(), reason="sample not built")
@pytest.mark.parametrize("profile", ["national", "hebei"])
def test_seed_004_has_no_findings(profile):
    r = run(SEED004, profile)
    assert r.status == "ok", [(f.rule, f.cell, f.message) for f in r.findings]
    s = sheet(r)
    assert s.results["total_score"] == pytest.approx(91)
    assert s.results["weight_total"] == pytest.approx(100)
    rec = s.record
    assert rec.execution_row.weighted.value == pytest.approx(7.5)  # 75.24 × 10% = 7.524: rounding, not an error


# ---------------------------------------------------------------- fund block

def test_wf001_progress(tmp_path):
    r = run(write_weighted(tmp_path / "a.xlsx", progress=80))
    assert found(r) == [("WF001", "K4")]
    assert "75.24%" in r.findings[0].message
    assert found(run(write_weighted(tmp_path / "b.xlsx", progress=75.2))) == []  # written to one decimal


def test_wf002_execution_above_budget(tmp_path):
    r = run(write_weighted(tmp_path / "a.xlsx", execution=3800, parts=((3746.68, 2819.17, 3800), (None, None, None)),
                           progress=101.42))
    assert ("WF002", "I4") in found(r)


def test_wf003_fund_parts(tmp_path):
    r = run(write_weighted(tmp_path / "a.xlsx", parts=((3700, 2819.17, 2819.17), (None, None, None))))
    assert found(r) == [("WF003", "C4")]
    assert r.findings[0].expected == pytest.approx(3700)
    ok = ((3700, 2819.17, 2819.17), (46.68, None, None))
    assert found(run(write_weighted(tmp_path / "b.xlsx", parts=ok))) == []


@pytest.mark.parametrize("layout", ["left", "above"])
def test_wf018_execution_above_arrived(tmp_path, layout):
    r = run(write_weighted(tmp_path / "a.xlsx", execution=2900, progress=77.4, fund_layout=layout,
                           parts=((3746.68, 2819.17, 2900), (None, None, None))))
    assert found(r, "WF018") == [("WF018", "I4")]  # (the 预算执行率 row still says 75.24: WF007)
    assert next(f for f in r.findings if f.rule == "WF018").severity == "warning"


def test_wf018_quiet_when_execution_within_arrived(tmp_path):
    assert found(run(write_weighted(tmp_path / "a.xlsx", arrived=3000)), "WF018") == []


def test_wf017_fund_missing(tmp_path):
    r = run(write_weighted(tmp_path / "a.xlsx", execution=None, parts=((3746.68, 2819.17, None), (None, None, None))))
    assert ("WF017", "I4") in found(r)


@pytest.mark.parametrize("layout", ["left", "above"])
def test_fund_block_label_left_or_above(tmp_path, layout):
    """The same fund figures and the same findings whether the values are right of or below their labels."""
    clean = run(write_weighted(tmp_path / "a.xlsx", fund_layout=layout))
    assert found(clean) == [], [(f.rule, f.cell, f.message) for f in clean.findings]
    res = sheet(clean).results
    assert (res["budget"], res["arrived"], res["execution"]) == (3746.68, 2819.17, 2819.17)
    assert res["execution_rate"] == pytest.approx(0.7524)
    assert found(run(write_weighted(tmp_path / "b.xlsx", progress=80, fund_layout=layout))) == [("WF001", "K4")]
    bad_parts = ((3700, 2819.17, 2819.17), (None, None, None))
    assert found(run(write_weighted(tmp_path / "c.xlsx", parts=bad_parts, fund_layout=layout))) == [("WF003", "C4")]
    over = run(write_weighted(tmp_path / "d.xlsx", execution=3800, progress=101.42, fund_layout=layout,
                              parts=((3746.68, 2819.17, 3800), (None, None, None))))
    assert ("WF002", "I4") in found(over) and not any(f.rule == "IN002" for f in over.findings)


# ---------------------------------------------------------------- indicator rows

def test_wf004_weighted_score(tmp_path):
    r = run(write_weighted(tmp_path / "a.xlsx", rows_with({(8, 9): 8})))
    assert found(r) == [("WF004", f"L{FIRST + 8}")]
    assert r.findings[0].expected == pytest.approx(7.524)


def test_wf005_weight_total(tmp_path):
    rows = rows_with({(0, 8): 15, (0, 9): 13.5})
    r = run(write_weighted(tmp_path / "a.xlsx", rows))
    assert found(r) == [("WF005", "K12")]
    assert "95%" in r.findings[0].message


def test_wf006_execution_weight(tmp_path):
    rows = rows_with({(8, 8): 5, (8, 9): 3.76, (0, 8): 25, (0, 9): 22.5})
    r = run(write_weighted(tmp_path / "a.xlsx", rows))
    assert found(r, "WF006") == [("WF006", f"K{FIRST + 8}")]


def test_wf007_execution_item_score(tmp_path):
    rows = rows_with({(8, 7): 90, (8, 9): 9})
    r = run(write_weighted(tmp_path / "a.xlsx", rows))
    assert found(r) == [("WF007", f"J{FIRST + 8}")]
    rows = rows_with({(8, 5): 0.8})
    r = run(write_weighted(tmp_path / "b.xlsx", rows))
    assert found(r) == [("WF007", f"H{FIRST + 8}")]


def test_wf008_completion_grade(tmp_path):
    rows = rows_with({(1, 7): 85, (1, 9): 8.5})
    r = run(write_weighted(tmp_path / "a.xlsx", rows))
    assert found(r) == [("WF008", f"I{FIRST + 1}")]
    assert "“良”" in r.findings[0].message
    rows = rows_with({(1, 6): "良", (1, 7): 85, (1, 9): 8.5})
    assert found(run(write_weighted(tmp_path / "b.xlsx", rows))) == []


def test_wf009_total(tmp_path):
    r = run(write_weighted(tmp_path / "a.xlsx", total=93))
    assert found(r) == [("WF009", f"L{FIRST + 9}")]
    assert r.findings[0].expected == pytest.approx(91)
    r = run(write_weighted(tmp_path / "b.xlsx", total=None))
    assert found(r) == [("WF009", f"L{FIRST + 9}")]


def test_wf010_item_range(tmp_path):
    rows = rows_with({(3, 7): 105, (3, 9): 10.5})
    r = run(write_weighted(tmp_path / "a.xlsx", rows))
    assert ("WF010", f"J{FIRST + 3}") in found(r)


def test_wf011_quantitative(tmp_path):
    rows = rows_with({(1, 5): 0.8})  # 100% target, 80% actual, still 优 90
    r = run(write_weighted(tmp_path / "a.xlsx", rows))
    assert found(r) == [("WF011", f"J{FIRST + 1}")]
    assert r.findings[0].expected == pytest.approx(80)
    ok = rows_with({(1, 5): 0.8, (1, 6): "中", (1, 7): 75, (1, 9): 7.5})
    assert found(run(write_weighted(tmp_path / "b.xlsx", ok))) == []


def test_wf012_qualitative(tmp_path):
    rows = rows_with({(4, 5): "未完成"})
    r = run(write_weighted(tmp_path / "a.xlsx", rows))
    assert found(r) == [("WF012", f"J{FIRST + 4}")]
    ok = rows_with({(4, 5): "未完成", (4, 6): "差", (4, 7): 50, (4, 9): 5})
    assert found(run(write_weighted(tmp_path / "b.xlsx", ok))) == []


def test_wf013_level1_weights(tmp_path):
    rows = rows_with({(0, 8): 30, (0, 9): 27, (4, 8): 0, (4, 9): 0})  # 产出 60, 效益 20
    r = run(write_weighted(tmp_path / "a.xlsx", rows))
    assert found(r) == [("WF013", f"B{FIRST}"), ("WF013", f"B{FIRST + 4}")]
    assert all(f.severity == "warning" for f in r.findings if f.rule == "WF013")


def test_wf014_high_actual(tmp_path):
    rows = rows_with({(0, 5): 3500})
    r = run(write_weighted(tmp_path / "a.xlsx", rows))
    assert found(r) == [("WF014", f"H{FIRST}")]


def test_wf015_missing_actual(tmp_path):
    rows = rows_with({(4, 5): None})
    r = run(write_weighted(tmp_path / "a.xlsx", rows))
    assert found(r) == [("WF015", f"H{FIRST + 4}")]


def test_wf016_stated_grade(tmp_path):
    assert found(run(write_weighted(tmp_path / "a.xlsx", grade="优"))) == []
    r = run(write_weighted(tmp_path / "b.xlsx", grade="良"))
    assert found(r) == [("WF016", f"C{FIRST + 10}")]


def test_review_column(tmp_path):
    r = check_file(write_weighted(tmp_path / "a.xlsx"), profiles.load(), out_dir=tmp_path / "out")
    ws = openpyxl.load_workbook(r.output)["部门整体绩效自评表"]
    assert ws["M11"].value == "折算得分（复核）"
    assert ws[f"M{FIRST + 8}"].value == pytest.approx(7.524)


def test_cli_json(tmp_path):
    from xltool.cli import main

    p = write_weighted(tmp_path / "a.xlsx", total=93)
    res = CliRunner().invoke(main, ["check", "--no-write", "--format", "json", str(p)])
    assert res.exit_code == 1, res.output
    data = json.loads(res.output)
    item = data[0] if isinstance(data, list) else data.get("files", [data])[0]
    assert [s["kind"] for s in item["sheets"]] == ["weighted-form"]
    assert [(f["rule"], f["cell"]) for f in item["findings"]] == [("WF009", f"L{FIRST + 9}")]
