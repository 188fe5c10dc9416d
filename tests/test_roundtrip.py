"""Round trip, as users do it: fill a template's input cells, let a real spreadsheet program
(LibreOffice, headless) recalculate it, then check the result with xltool.

Skipped when LibreOffice is not installed (``.ci/run`` installs libreoffice-calc).
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from lo import recalc, soffice
from xltool import profiles
from xltool import template as templates
from xltool.cli import main
from xltool.engine import check_file
from xltool.template.base import grade_value

pytestmark = pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")

PROFILE = profiles.load()


# ---------------------------------------------------------------- what an officer types

def _opinion(grade: str, rate: float) -> str:
    if rate < 0.6:
        return f"评价结果{grade}，调整优化支出结构，加强预算与实际支出的测算精度。"
    return f"评价结果{grade}，继续推进此项目。"


SUMMARY_PROJECTS = [  # name, budget, execution, returned, score (samples/示例单位…汇总表)
    ("2023年镇级办公经费", 12.50, 12.50, 0.00, 100),
    ("2023年镇级环卫保洁经费", 97.38, 95.20, 2.18, 98),
    ("2023年镇级教育经费", 1338.00, 1311.75, 20.00, 96),
    ("2023年镇级防汛工作经费", 70.00, 68.08, 0.00, 95),
    ("2023年农村改厕补助资金", 100.00, 36.25, 63.75, 84),
    ("2023年村级公益事业奖补", 50.00, 37.93, 12.07, 78),
    ("2023年困难群众临时救助", 35.00, 14.00, 21.00, 66),
    ("2023年村级组织运转经费", 456.00, 456.00, 0.00, 100),
    ("2023年农村人居环境整治", 60.00, 9.00, 0.00, 55),
]


def fill_summary(lay) -> dict:
    col = lay.columns
    data = {lay.cells["authority"]: "示例县示例镇人民政府"}
    bands = PROFILE.bands("summary")
    for row, (name, budget, spent, returned, score) in zip(lay.rows, SUMMARY_PROJECTS):
        data.update({
            f"{col['name']}{row}": name, f"{col['impl']}{row}": "示例镇人民政府",
            f"{col['budget']}{row}": budget, f"{col['execution']}{row}": spent,
            f"{col['returned']}{row}": returned, f"{col['score']}{row}": score,
            f"{col['opinion']}{row}": _opinion(grade_value(score, bands), spent / budget),
        })
    return data


# 二级 → [(三级, 年度指标值, 实际完成值, 分值, 得分, 偏差原因)] (samples/2023年度项目支出绩效自评表（示例）)
PROJECT_INDICATORS = {
    "数量指标": [("受益学生人次", "≥5000人次", "5260人次", 15, 15, ""),
                 ("校舍维修改造面积", "≥3000平方米", "3120平方米", 10, 10, "")],
    "质量指标": [("教育经费使用合规率", "=100%", "100%", 10, 10, "")],
    "时效指标": [("资金按时拨付率", "=100%", "98%", 10, 9.8,
                  "部分维修工程12月下旬完工，尾款于次年1月支付。改进措施：按序时进度拨付资金。")],
    "成本指标": [("生均公用经费补助标准", "≤200元", "195元", 5, 5, "")],
    "社会效益指标": [("办学条件改善情况", "明显改善", "明显改善", 15, 15, ""),
                     ("义务教育巩固率", "≥99%", "100%", 15, 15, "")],
    "服务对象满意度指标": [("学生及家长满意度", "≥90%", "95%", 10, 10, "")],
}

DEPARTMENT_INDICATORS = {
    "数量指标": [("保障在职人员人数", "=56人", "56人", 10, 10, ""),
                 ("重点工作任务完成数", "≥12项", "12项", 10, 10, "")],
    "质量指标": [("重点工作完成合格率", "=100%", "100%", 10, 10, "")],
    "时效指标": [("重点工作按时完成率", "≥95%", "96%", 10, 10, "")],
    "成本指标": [("“三公”经费控制率", "≤100%", "92%", 10, 10, "")],
    "社会效益指标": [("公共服务水平", "明显提升", "明显提升", 15, 15, "")],
    "可持续影响指标": [("机关运转保障长效机制", "建立长效机制", "基本建立", 15, 13.5,
                        "部分管理制度仍在修订完善中。改进措施：上半年完成内控制度修订。")],
    "服务对象满意度指标": [("辖区群众满意度", "≥90%", "93%", 10, 10, "")],
}


def _fill_points_form(lay, name: str, parts: list[tuple[float, float, float]], indicators: dict) -> dict:
    c = lay.cells
    data = {c["year"]: "（2023年度）", c["name"]: name, c["department"]: "示例县人民政府",
            c["implementing_unit"]: "示例镇人民政府", c["goal"]: "完成年度绩效目标。",
            c["goal_done"]: "已完成年度绩效目标。"}
    for k, (initial, budget, spent) in enumerate(parts, 1):
        data.update({c[f"fund_initial_{k}"]: initial, c[f"fund_budget_{k}"]: budget,
                     c[f"fund_execution_{k}"]: spent})
    col = lay.columns
    for level2, items in indicators.items():
        for row, (ind, target, actual, points, score, why) in zip(lay.groups[level2], items):
            data.update({f"{col['name']}{row}": ind, f"{col['target']}{row}": target,
                         f"{col['actual']}{row}": actual, f"{col['points']}{row}": points,
                         f"{col['score']}{row}": score})
            if why:
                data[f"{col['reason']}{row}"] = why
    return data


def fill_project_form(lay) -> dict:
    return _fill_points_form(lay, "2023年镇级铜冶镇教育经费", [(1300, 1338, 1311.752), (0, 0, 0), (0, 0, 0)],
                             PROJECT_INDICATORS)


def fill_department_form(lay) -> dict:
    return _fill_points_form(lay, "示例镇人民政府", [(520.00, 540.50, 540.50), (330.00, 380.00, 364.80)],
                             DEPARTMENT_INDICATORS)


# 二级 → [(三级, 说明, 预期指标值, 单位, 实际完成值, 等级, 单项得分, 权重)] (seed 004)
WEIGHTED_INDICATORS = {
    "数量指标": [("项目支出钱数（万元）", "全年项目支出", "2819.17", "万元", "2819.17", "优", 90, 20),
                 ("补贴资金发放及时率", "补贴按时发放", "100%", "百分号", "100%", "优", 90, 10)],
    "时效指标": [("工作按时完成率", "工作按时完成", "100%", "百分号", "100%", "优", 90, 10)],
    "成本指标": [("人均补助标准", "按规定标准补助", "100%", "按规定标准", "按规定标准", "优", 95, 10)],
    "经济效益指标": [("社会公共服务水平", "", "服务水平明显提高", "", "服务水平明显提高", "优", 95, 10)],
    "社会效益指标": [("改善村级面貌", "", "明显改善村级面貌", "", "明显改善村级面貌", "优", 95, 10)],
    "生态效益指标": [("改善困难群众生活", "", "困难群众生活水平明显改善", "", "困难群众生活水平明显改善", "优", 95, 10)],
    "服务对象满意度指标": [("群众满意度", "", "98%", "百分号", "98%", "优", 95, 10)],
}


def fill_weighted_form(lay) -> dict:
    c = lay.cells
    data = {c["department"]: "姜各庄镇人民政府", c["fund_budget_1"]: 3746.68, c["fund_arrived_1"]: 2819.17,
            c["fund_execution_1"]: 2819.17, c["goal_rate"]: 95}
    col = lay.columns
    for level2, items in WEIGHTED_INDICATORS.items():
        for row, (ind, desc, target, unit, actual, grade, score, weight) in zip(lay.groups[level2], items):
            data.update({f"{col['name']}{row}": ind, f"{col['target']}{row}": target,
                         f"{col['unit']}{row}": unit, f"{col['actual']}{row}": actual,
                         f"{col['grade']}{row}": grade, f"{col['score']}{row}": score,
                         f"{col['weight']}{row}": weight})
            if desc:
                data[f"{col['desc']}{row}"] = desc
    return data


# 二级 → [(三级, 分值, 得分, 评分说明)] (seed 003, with its items adding up to 94.75)
SCORE_ITEMS = {
    "绩效目标指标管理": [("绩效目标科学性", 7, 7, "目标完整"), ("绩效指标科学性", 3, 3, "指标清晰")],
    "预算编制": [("预算编制完整性", 2, 2, ""), ("项目预算功能分类等编制合规性", 6, 6, ""), ("预算上报及时性", 2, 2, "")],
    "预算执行": [("收入预算完成率", 2, 2, ""), ("预算调整率", 3, 2, "预算调整率31%，扣1分"),
                 ("支出进度", 4, 3, "第一季度未达到序时进度，扣1分"), ("资金结余结转率", 2, 2, ""),
                 ("“三公经费”控制率", 2, 2, ""), ("政府采购执行率", 2, 2, ""), ("决算真实性", 2, 2, ""),
                 ("资金使用合规性", 4, 4, ""), ("财务管理规范性", 4, 3.75, "个别手续不完善，扣0.25分")],
    "预算管理": [("管理制度健全性", 2, 2, ""), ("预决算信息公开性", 2, 2, ""), ("基础信息完善性", 1, 1, ""),
                 ("资产管理规范性", 2, 2, "")],
    "绩效评价": [("绩效自评覆盖率", 4, 4, ""), ("评价结果应用率", 4, 4, "")],
    "数量指标": [("抓好项目建设", 2.5, 2.5, ""), ("抓好城市建设", 2.5, 2.5, ""), ("推进乡村振兴", 2.5, 2.5, ""),
                 ("抓好环境治理", 2.5, 2.5, "")],
    "质量指标": [("招商引资工作", 2.5, 2.5, ""), ("城市建设工作", 2.5, 2.5, ""), ("乡村振兴工作", 2.5, 2.5, ""),
                 ("环保工作", 2.5, 2.5, "")],
    "时效指标": [("保障时间", 5, 5, "")],
    "履职效益": [("部门整体效益", 10, 8, "扣2分"), ("社会公众满意度", 5, 4, "扣1分")],
}


def fill_score_table(lay) -> dict:
    col = lay.columns
    data = {}
    for level2, items in SCORE_ITEMS.items():
        for row, (name, points, score, note) in zip(lay.groups[level2], items):
            data.update({f"{col['name']}{row}": name, f"{col['points']}{row}": points,
                         f"{col['score']}{row}": score})
            if note:
                data[f"{col['note']}{row}"] = note
    return data


def management_items() -> list[tuple]:
    """(评价内容, 满分, 得分, 说明) of samples/东史端镇2023年度绩效管理自评表.xlsx (seed 001): seven categories
    adding up to 89 of 92 (the form said 91), then 存在问题扣分 0."""
    from python_calamine import CalamineWorkbook

    path = Path(__file__).resolve().parents[1] / "samples" / "东史端镇2023年度绩效管理自评表.xlsx"
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    return [tuple(r[1:5]) for r in rows if isinstance(r[0], float)]


def fill_management(lay) -> dict:
    col = lay.columns
    data = {lay.cells["unit"]: "保定市徐水区东史端镇人民政府"}
    *items, (_, _, deducted, why) = management_items()
    for row, (name, full, score, note) in zip(lay.rows, items):
        data.update({f"{col['name']}{row}": name, f"{col['full']}{row}": full, f"{col['score']}{row}": score,
                     f"{col['note']}{row}": note})
    data[lay.cells["deduction"]] = deducted
    data[f"{col['note']}{lay.rows[-1]}"] = why
    return data


FILLS = {
    "summary": fill_summary,
    "project-form": fill_project_form,
    "department-form": fill_department_form,
    "weighted-form": fill_weighted_form,
    "score-table": fill_score_table,
    "management-table": fill_management,
}


def typed_over(kind: str, lay) -> tuple[str, float, str]:
    """A derived cell an officer types over: (cell, wrong value, rule expected there)."""
    if kind == "summary":
        return f"{lay.columns['balance']}{lay.rows[2]}", 0.0, "SUM002"  # 结余数 0 instead of 26.25
    if kind == "project-form":
        return lay.cells["fund_score"], 9.0, "PF002"  # 执行率得分 9 instead of 9.8
    if kind == "weighted-form":
        return f"{lay.columns['weighted']}{lay.groups['数量指标'][0]}", 20.0, "WF004"  # 90 × 20% is 18
    if kind == "management-table":
        return lay.cells["converted"], 98.91, "MT004"  # seed 001's figure; 89 ÷ 92 × 100 is 96.74
    raise KeyError(kind)


TYPED_OVER = ("summary", "project-form", "weighted-form", "management-table")


# ---------------------------------------------------------------- the round trip

def _fill(template: Path, data: dict, target: Path, extra: dict | None = None) -> None:
    wb = openpyxl.load_workbook(template)
    ws = wb.worksheets[0]
    for a1, v in {**data, **(extra or {})}.items():
        ws[a1] = v
    wb.save(target)


@pytest.fixture(scope="module")
def trip(tmp_path_factory):
    """Build, fill, recalculate (one LibreOffice run for every file) — shared by the tests below."""
    base = tmp_path_factory.mktemp("roundtrip")
    out: dict = {"layouts": {}, "data": {}, "expected": {}}
    inputs = []
    for kind, fill in FILLS.items():
        tpl = base / f"{kind}.xlsx"
        lay = templates.build(kind, tpl)
        data = fill(lay)
        assert set(data) <= set(lay.inputs), f"{kind}: fills a cell that is not an input: {set(data) - set(lay.inputs)}"
        out["layouts"][kind], out["data"][kind] = lay, data
        # the same inputs written by xltool itself: its cached values are what Excel would show
        out["expected"][kind] = templates.build(kind, base / f"{kind}-python.xlsx", data=data)
        filled = base / f"{kind}-filled.xlsx"
        _fill(tpl, data, filled)
        inputs.append(filled)
        if kind in TYPED_OVER:
            cell, wrong, _ = typed_over(kind, lay)
            bad = base / f"{kind}-typed-over.xlsx"
            _fill(tpl, data, bad, {cell: wrong})
            inputs.append(bad)
    # a workbook whose cached value is stale: proves LibreOffice recalculates rather than keeps caches
    import xlsxwriter

    stale = base / "stale-cache.xlsx"
    wb = xlsxwriter.Workbook(str(stale))
    ws = wb.add_worksheet("S")
    ws.write_number("A1", 1)
    ws.write_number("B1", 2)
    ws.write_formula("C1", "=A1+B1", None, 99)
    wb.close()
    inputs.append(stale)
    results = recalc(inputs, base / "recalculated")
    out["files"] = {p.stem: p for p in results}
    return out


def _values(path: Path, sheet: str) -> dict:
    ws = openpyxl.load_workbook(path, data_only=True)[sheet]
    return {c.coordinate: ("" if c.value is None else c.value) for row in ws.iter_rows() for c in row}


def _errors(report):
    return [(f.rule, f.cell) for f in report.findings if f.severity == "error"]


def test_libreoffice_really_recalculates(trip):
    assert _values(trip["files"]["stale-cache"], "S")["C1"] == 3  # the file said 99


@pytest.mark.parametrize("kind", list(FILLS))
def test_filled_template_checks_clean(trip, kind):
    report = check_file(trip["files"][f"{kind}-filled"], PROFILE, write=False)
    assert report.status == "ok", [(f.rule, f.cell, f.message) for f in report.findings if f.severity != "info"]
    main_sheet = report.sheets[0]
    assert main_sheet.kind == kind
    assert [s.kind for s in report.sheets[1:]] == ["unknown"]  # 填表说明


@pytest.mark.parametrize("kind", list(FILLS))
def test_libreoffice_agrees_with_cached_values(trip, kind):
    """Every derived cell: LibreOffice's recalculated value equals the value xltool caches."""
    lay = trip["expected"][kind]
    got = _values(trip["files"][f"{kind}-filled"], lay.sheet)
    assert lay.values, "no derived cells?"
    for a1, want in lay.values.items():
        have = got.get(a1, "")
        if isinstance(want, float):
            assert isinstance(have, (int, float)) and math.isclose(have, want, rel_tol=1e-9, abs_tol=1e-9), \
                (kind, a1, want, have)
        else:
            assert have == want, (kind, a1, want, have)


def test_summary_figures(trip):
    lay = trip["layouts"]["summary"]
    v = _values(trip["files"]["summary-filled"], lay.sheet)
    col, rows = lay.columns, lay.rows
    assert v[f"{col['rate']}{rows[2]}"] == pytest.approx(1311.75 / 1338)
    assert v[f"{col['balance']}{rows[2]}"] == pytest.approx(26.25)
    assert v[f"{col['grade']}{rows[8]}"] == "较差"
    assert v[f"{col['grade']}{rows[4]}"] == "良好"
    assert v[f"{col['rate']}{rows[20]}"] == "" and v[f"{col['balance']}{rows[20]}"] == ""  # empty rows stay empty
    assert v[lay.cells["total_budget"]] == pytest.approx(2218.88)
    assert v[lay.cells["total_execution"]] == pytest.approx(2040.71)
    assert v[lay.cells["total_balance"]] == pytest.approx(178.17)
    assert v[lay.cells["total_rate"]] == pytest.approx(2040.71 / 2218.88)
    assert v[lay.cells["total_score"]] == pytest.approx(772 / 9)
    assert v[lay.cells["total_grade"]] == "优秀"


def test_project_form_figures(trip):
    lay = trip["layouts"]["project-form"]
    v = _values(trip["files"]["project-form-filled"], lay.sheet)
    c = lay.cells
    assert v[c["fund_budget"]] == pytest.approx(1338) and v[c["fund_execution"]] == pytest.approx(1311.752)
    assert v[c["fund_rate"]] == pytest.approx(1311.752 / 1338)
    assert v[c["fund_score"]] == pytest.approx(1311.752 / 1338 * 10)
    assert v[c["total_points"]] == pytest.approx(100)
    assert v[c["total_score"]] == pytest.approx(89.8 + 1311.752 / 1338 * 10)
    assert v[c["grade"]] == "优"


def test_weighted_form_figures(trip):
    lay = trip["layouts"]["weighted-form"]
    v = _values(trip["files"]["weighted-form-filled"], lay.sheet)
    c = lay.cells
    rate = 2819.17 / 3746.68
    assert v[c["fund_budget"]] == pytest.approx(3746.68)
    assert v[c["fund_progress"]] == pytest.approx(rate * 100)
    assert v[c["exec_rate"]] == pytest.approx(rate)
    assert v[c["exec_score"]] == pytest.approx(rate * 100)
    assert v[c["exec_weighted"]] == pytest.approx(rate * 10)
    assert v[f"{lay.columns['weighted']}{lay.groups['数量指标'][0]}"] == pytest.approx(18)
    assert v[c["total_score"]] == pytest.approx(83.5 + rate * 10)  # seed 004: 91
    assert v[c["grade"]] == "优"


def test_score_table_figures(trip):
    lay = trip["layouts"]["score-table"]
    v = _values(trip["files"]["score-table-filled"], lay.sheet)
    c = lay.cells
    assert v[c["total_points"]] == pytest.approx(100)
    assert v[c["total_points1"]] == pytest.approx(100)
    assert v[c["total_score"]] == pytest.approx(94.75)  # seed 003 stated 95.75: the formula cannot slip
    assert v[c["grade"]] == "优"
    assert v["B3"] == pytest.approx(20) and v["D3"] == pytest.approx(10)  # 投入 20, 绩效目标指标管理 10


def test_management_figures(trip):
    lay = trip["layouts"]["management-table"]
    v = _values(trip["files"]["management-table-filled"], lay.sheet)
    c = lay.cells
    assert v[c["total_full"]] == pytest.approx(92)
    assert v[c["total_score"]] == pytest.approx(89)  # seed 001 stated 91
    assert v[c["converted"]] == pytest.approx(96.74)  # ROUND(89 / 92 × 100, 2)
    assert v[c["grade"]] == "优"


@pytest.mark.parametrize("kind", TYPED_OVER)
def test_typed_over_derived_cell_is_caught_at_its_cell(trip, kind):
    lay = trip["layouts"][kind]
    cell, wrong, rule = typed_over(kind, lay)
    report = check_file(trip["files"][f"{kind}-typed-over"], PROFILE, write=False)
    assert _errors(report) == [(rule, cell)], [(f.rule, f.cell, f.message) for f in report.findings]


def test_round_trip_through_the_cli(trip, tmp_path):
    """The user's own commands: check the recalculated summary with --format json."""
    import json

    path = tmp_path / "汇总表.xlsx"
    shutil.copy(trip["files"]["summary-filled"], path)
    res = CliRunner().invoke(main, ["check", str(path), "--no-write", "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    files = data if isinstance(data, list) else data.get("files", [data])
    assert files[0]["status"] == "ok"
    sheet = files[0]["sheets"][0]
    assert sheet["kind"] == "summary" and sheet["results"]["project_count"] == len(SUMMARY_PROJECTS)
