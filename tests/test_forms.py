"""The points-layout self-evaluation forms (项目支出 / 部门整体支出绩效自评表): reader and every PF rule, both ways."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils import get_column_letter

from xltool import profiles
from xltool.kinds import formparts as fp
from xltool.engine import check_file

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
PROJECT_SAMPLE = SAMPLES / "2023年度项目支出绩效自评表（示例）.xlsx"
DEPT_SAMPLE = SAMPLES / "示例单位2023年度部门整体支出绩效自评表.xlsx"
ERRORS = ROOT / "tests" / "fixtures" / "project_form_errors.xlsx"

# (一级, 二级, 三级, 年度指标值, 实际完成值, 分值, 得分, 偏差原因); None in 一级/二级 = same as above.
CLEAN_INDICATORS = [
    ("产出指标", "数量指标", "受益学生人次", "≥5000人次", "5260人次", 15, 15, ""),
    (None, None, "校舍维修改造面积", "≥3000平方米", "3120平方米", 10, 10, ""),
    (None, "质量指标", "教育经费使用合规率", "=100%", "100%", 10, 10, ""),
    (None, "时效指标", "资金按时拨付率", "=100%", "98%", 10, 9.8, "尾款次年支付"),
    (None, "成本指标", "生均公用经费补助标准", "≤200元", "195元", 5, 5, ""),
    ("效益指标", "社会效益指标", "办学条件改善情况", "明显改善", "明显改善", 15, 15, ""),
    (None, None, "义务教育巩固率", "≥99%", "100%", 15, 15, ""),
    ("满意度指标", "服务对象满意度指标", "学生及家长满意度", "≥90%", "95%", 10, 10, ""),
]
CLEAN_FUNDS = [("年度资金总额", 1300, 1338, 1311.752), ("其中：当年财政拨款", 1300, 1338, 1311.752),
               ("上年结转资金", 0, 0, 0), ("其他资金", 0, 0, 0)]


def write_form(path: Path, *, title="项目支出绩效自评表", name_label="项目名称", fund_label="项目资金（万元）",
               funds=None, exec_points=10, exec_rate="auto", exec_score=9.8, indicators=None,
               total_points="auto", total_score="auto", dx=0, dy=0, merge_levels=True, grade=None,
               extra_sheets=(), sheet="项目支出绩效自评表", text_numbers=False) -> Path:
    """A points-layout form like the national export: 11 columns, labels in merged cells.

    ``dx``/``dy`` shift the whole form right/down (labels must be found by text);
    ``merge_levels`` False leaves 一级/二级 blank under the first instead of merging them.
    """
    funds = CLEAN_FUNDS if funds is None else funds
    indicators = CLEAN_INDICATORS if indicators is None else indicators
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for name, rows in extra_sheets:
        other = wb.create_sheet(name)
        for row in rows:
            other.append(row)

    def col(c):  # 1-based column of the unshifted form
        return get_column_letter(c + dx)

    def put(r, c, v):
        cell = ws.cell(r + dy, c + dx, v if not (text_numbers and isinstance(v, (int, float))) else str(float(v)))
        if isinstance(v, str) and v.startswith("="):
            cell.data_type = "s"  # "=100%" is a target written as text, not a formula

    def merge(r0, c0, r1, c1, v=None):
        if v is not None:
            put(r0, c0, v)
        if (r0, c0) != (r1, c1):
            ws.merge_cells(f"{col(c0)}{r0 + dy}:{col(c1)}{r1 + dy}")

    merge(1, 1, 1, 11, title)
    merge(2, 1, 2, 11, "（2023年度）")
    merge(4, 1, 4, 2, name_label)
    merge(4, 3, 4, 11, "2023年镇级铜冶镇教育经费")
    merge(5, 1, 5, 2, "主管部门")
    merge(5, 3, 5, 5, "铜冶镇人民政府")
    put(5, 6, "实施单位")
    merge(5, 7, 5, 11, "铜冶镇人民政府")
    fr = 6
    merge(fr, 1, fr + len(funds), 2, fund_label)
    for c, t in zip((5, 6, 7, 8), ("年初预算数", "全年预算数", "全年执行数", "分值")):
        put(fr, c, t)
    merge(fr, 9, fr, 10, "执行率")
    put(fr, 11, "得分")
    for i, (lab, initial, budget, spent) in enumerate(funds):
        r = fr + 1 + i
        merge(r, 3, r, 4, lab)
        for c, v in ((5, initial), (6, budget), (7, spent)):
            if v is not None:
                put(r, c, v)
        if i == 0:
            if exec_points is not None:
                put(r, 8, exec_points)
            rate = (round(spent / budget, 4) if budget else 0) if exec_rate == "auto" else exec_rate
            if rate is not None and spent is not None:
                merge(r, 9, r, 10, rate)
            if exec_score is not None:
                put(r, 11, exec_score)
        else:
            put(r, 8, "—")
            merge(r, 9, r, 10, "—")
            put(r, 11, "—")
    g = fr + len(funds) + 1
    merge(g, 1, g + 1, 1, "年度总体目标")
    merge(g, 2, g, 6, "预期目标")
    merge(g, 7, g, 11, "实际完成情况")
    merge(g + 1, 2, g + 1, 6, "保障全镇中小学校正常运转")
    merge(g + 1, 7, g + 1, 11, "已完成")
    h = g + 2
    first = h + 1
    end = first + len(indicators) - 1
    merge(h, 1, end, 1, "绩效指标")
    put(h, 2, "一级指标")
    put(h, 3, "二级指标")
    merge(h, 4, h, 5, "三级指标")
    for c, t in zip((6, 7, 8, 9), ("年度指标值", "实际完成值", "分值", "得分")):
        put(h, c, t)
    merge(h, 10, h, 11, "偏差原因分析及改进措施")
    for idx in (0, 1):
        start = None
        for i, row in enumerate(indicators + [("END", "END")]):
            v = row[idx]
            if v is not None:
                if start is not None:
                    s, val = start
                    if merge_levels:
                        merge(first + s, 2 + idx, first + i - 1, 2 + idx, val)
                    else:
                        put(first + s, 2 + idx, val)
                start = (i, v)
    for i, (_, _, name, target, actual, pts, got, why) in enumerate(indicators):
        r = first + i
        merge(r, 4, r, 5, name)
        for c, v in ((6, target), (7, actual), (8, pts), (9, got)):
            if v is not None and v != "":
                put(r, c, v)
        merge(r, 10, r, 11, why or None)
    t = end + 1
    merge(t, 1, t, 7, "总分")
    pts_sum = sum(row[5] or 0 for row in indicators) + (exec_points or 0)
    score_sum = round(sum(row[6] or 0 for row in indicators) + (exec_score or 0), 4)
    tp = pts_sum if total_points == "auto" else total_points
    ts = score_sum if total_score == "auto" else total_score
    if tp is not None:
        put(t, 8, tp)
    if ts is not None:
        put(t, 9, ts)
    if grade is not None:
        put(t + 1, 1, "自评等级")
        put(t + 1, 3, grade)
    wb.save(path)
    return path


def run(path, profile="national"):
    return check_file(Path(path), profiles.load(profile), write=False)


def found(report, rule=None):
    return sorted((f.rule, f.cell) for f in report.findings
                  if f.rule != "XL001" and (rule is None or f.rule == rule))


def form_sheet(report):
    return next(s for s in report.sheets if s.kind in ("project-form", "department-form"))


def with_rows(changes):
    rows = [list(r) for r in CLEAN_INDICATORS]
    for (i, j), v in changes.items():
        rows[i][j] = v
    return [tuple(r) for r in rows]


# ---------------------------------------------------------------- clean forms

def test_built_clean_form_has_no_findings(tmp_path):
    r = run(write_form(tmp_path / "f.xlsx"))
    assert r.status == "ok", [(f.rule, f.cell, f.message) for f in r.findings]
    s = form_sheet(r)
    assert s.kind == "project-form"
    res = s.results
    assert res["execution_rate"] == pytest.approx(0.9804)
    assert res["execution_score"] == pytest.approx(9.8)
    assert res["total_score"] == pytest.approx(99.6)
    assert res["grade"] == "优"
    for key in ("project_name", "department", "implementing_unit", "year", "unit", "budget", "execution",
                "stated_total"):
        assert key in res
    assert res["project_name"] == "2023年镇级铜冶镇教育经费"
    assert res["department"] == "铜冶镇人民政府" and res["implementing_unit"] == "铜冶镇人民政府"
    assert (res["year"], res["unit"], res["budget"], res["execution"], res["stated_total"]) == \
        (2023, "万元", 1338, 1311.752, pytest.approx(99.6))


@pytest.mark.skipif(not PROJECT_SAMPLE.exists(), reason="sample not built")
def test_project_sample_is_clean():
    r = run(PROJECT_SAMPLE)
    assert r.status == "ok", found(r)
    assert form_sheet(r).kind == "project-form"
    assert form_sheet(r).results["total_score"] == pytest.approx(99.6)


@pytest.mark.skipif(not DEPT_SAMPLE.exists(), reason="sample not built")
def test_department_sample_is_clean_and_named_by_title():
    r = run(DEPT_SAMPLE)
    assert r.status == "ok", found(r)
    s = form_sheet(r)
    assert s.kind == "department-form"
    assert s.results["execution_score"] == pytest.approx(9.83)
    assert s.results["total_score"] == pytest.approx(98.33)


@pytest.mark.skipif(not ERRORS.exists(), reason="fixture not built")
def test_error_fixture_flags_exactly_the_wrong_cells():
    r = run(ERRORS)
    assert found(r) == sorted([("PF002", "K7"), ("PF006", "I14"), ("PF005", "I16"), ("PF011", "H22"),
                               ("PF012", "I22"), ("PF008", "J17")])
    assert r.errors == 5 and r.warnings == 1
    i22 = next(f for f in r.findings if f.cell == "I22")
    assert i22.expected == pytest.approx(95.8) and i22.found == pytest.approx(99.6)
    assert "总分应为 95.8" in i22.message
    i14 = next(f for f in r.findings if f.cell == "I14")
    assert i14.expected == pytest.approx(12) and "4000 ÷ 5000" in i14.message


# ---------------------------------------------------------------- layout variants

def test_labels_found_anywhere_and_levels_left_blank(tmp_path):
    p = write_form(tmp_path / "f.xlsx", dx=2, dy=3, merge_levels=False)
    r = run(p)
    assert r.status == "ok", found(r)
    rec = form_sheet(r).record
    assert [i.level1.value for i in rec.indicators] == ["产出指标"] * 5 + ["效益指标"] * 2 + ["满意度指标"]
    assert rec.indicators[1].level2.value == "数量指标"
    # a wrong score is still found at its shifted cell (I16 → K19)
    p = write_form(tmp_path / "g.xlsx", dx=2, dy=3, merge_levels=False, indicators=with_rows({(2, 6): 12}),
                   total_score=None)
    assert ("PF005", "K19") in found(run(p))


def test_numbers_stored_as_text_are_computed_and_warned(tmp_path):
    r = run(write_form(tmp_path / "f.xlsx", text_numbers=True))
    assert {code for code, _ in found(r)} == {"IN001"}
    assert form_sheet(r).results["total_score"] == pytest.approx(99.6)


def test_other_sheets_are_left_alone(tmp_path):
    target_sheet = [["绩效目标申报表"], ["一级指标", "二级指标", "三级指标", "指标值"],
                    ["产出指标", "数量指标", "受益学生人次", "≥5000人次"]]
    monitor = [["执行监控表"], ["一级指标", "二级指标", "三级指标", "年度指标值", "1-7月执行数", "偏差原因分析"],
               ["产出指标", "数量指标", "受益学生人次", "≥5000人次", "2000", ""]]
    p = write_form(tmp_path / "f.xlsx", extra_sheets=[("项目支出绩效目标申报表", target_sheet),
                                                      ("项目支出绩效目标执行监控", monitor)])
    r = run(p)
    kinds = {s.name: s.kind for s in r.sheets}
    assert kinds == {"项目支出绩效自评表": "project-form", "项目支出绩效目标申报表": "unknown",
                     "项目支出绩效目标执行监控": "unknown"}


def test_department_form_by_fund_block_when_title_is_generic(tmp_path):
    funds = [("年度资金总额", 850, 920.5, 905.3), ("其中：基本支出", 520, 540.5, 540.5), ("项目支出", 330, 380, 364.8)]
    p = write_form(tmp_path / "f.xlsx", title="2023年度绩效自评表", fund_label="部门资金（万元）", funds=funds,
                   exec_score=9.83)
    r = run(p)
    assert form_sheet(r).kind == "department-form"
    assert r.status == "ok", found(r)


def test_unrecognisable_fund_labels_are_taken_by_position(tmp_path):
    funds = [("1", 1300, 1338, 1311.752), ("2", 1300, 1300, 1311.752), ("3", 0, 0, 0), ("4", 0, 0, 0)]
    r = run(write_form(tmp_path / "f.xlsx", funds=funds))
    f = [x for x in r.findings if x.rule == "PF003"]
    assert [x.cell for x in f] == ["F7"]
    assert "按位置认定" in f[0].message and "1338" in f[0].message


# ---------------------------------------------------------------- fund block rules

def test_pf001_execution_rate(tmp_path):
    assert found(run(write_form(tmp_path / "a.xlsx", exec_rate=0.98))) == []  # 98% for 98.04%: rounding
    r = run(write_form(tmp_path / "b.xlsx", exec_rate=0.90))
    assert found(r) == [("PF001", "I7")]
    assert "98.04%" in r.findings[0].message


def test_pf002_execution_score(tmp_path):
    assert found(run(write_form(tmp_path / "a.xlsx", exec_score=9.8))) == []
    r = run(write_form(tmp_path / "b.xlsx", exec_score=9, total_score=98.8))
    assert found(r) == [("PF002", "K7")]
    # Jiangxi scores by interval: 98.04% → 7 points
    r = run(write_form(tmp_path / "c.xlsx"), "jiangxi")
    assert found(r) == [("PF002", "K7")]
    assert r.findings[0].expected == pytest.approx(7)


def test_pf003_fund_parts(tmp_path):
    funds = [("年度资金总额", 1300, 1338, 1311.752), ("其中：当年财政拨款", 1200, 1338, 1311.752),
             ("上年结转资金", 0, 0, 0), ("其他资金", 0, 0, 0)]
    r = run(write_form(tmp_path / "a.xlsx", funds=funds))
    assert found(r) == [("PF003", "E7")]
    assert r.findings[0].expected == pytest.approx(1200)


def test_pf004_execution_above_budget(tmp_path):
    funds = [("年度资金总额", 1300, 1338, 1400), ("其中：当年财政拨款", 1300, 1338, 1400), ("上年结转资金", 0, 0, 0),
             ("其他资金", 0, 0, 0)]
    r = run(write_form(tmp_path / "a.xlsx", funds=funds, exec_score=10, total_score=99.8))
    assert ("PF004", "G7") in found(r)
    assert "104.63%" in next(f.message for f in r.findings if f.cell == "G7")


def test_pf015_fund_block_empty(tmp_path):
    funds = [("年度资金总额", None, None, None), ("其中：当年财政拨款", None, None, None)]
    r = run(write_form(tmp_path / "a.xlsx", funds=funds, exec_rate=None, exec_score=None, total_score=89.8))
    assert found(r, "PF015") == [("PF015", "F7")]


# ---------------------------------------------------------------- indicator rules

def test_pf005_score_above_points(tmp_path):
    r = run(write_form(tmp_path / "a.xlsx", indicators=with_rows({(2, 6): 12}), total_score=None))
    assert found(r, "PF005") == [("PF005", "I16")]


def test_pf006_positive_reverse_and_zero_targets(tmp_path):
    # positive, not met: 4000 of 5000 → at most 12 of 15
    r = run(write_form(tmp_path / "a.xlsx", indicators=with_rows({(0, 4): "4000人次"})))
    assert found(r) == [("PF006", "I14")]
    ok = with_rows({(0, 4): "4000人次", (0, 6): 12, (0, 7): "受疫情影响"})
    assert found(run(write_form(tmp_path / "b.xlsx", indicators=ok))) == []
    # reverse: ≤200元, actual 250元 → (400 − 250) ÷ 200 = 75% of 5 = 3.75
    r = run(write_form(tmp_path / "c.xlsx", indicators=with_rows({(4, 4): "250元"})))
    assert found(r) == [("PF006", "I18")]
    assert r.findings[0].expected == pytest.approx(3.75)
    ok = with_rows({(4, 4): "250元", (4, 6): 3.7, (4, 7): "物价上涨"})
    assert found(run(write_form(tmp_path / "d.xlsx", indicators=ok))) == []
    # equal to 0: full only when the actual is ≤ 0
    zero = with_rows({(2, 2): "安全事故数", (2, 3): "=0", (2, 4): "1次"})
    assert found(run(write_form(tmp_path / "e.xlsx", indicators=zero))) == [("PF006", "I16")]


def test_pf007_qualitative_bands(tmp_path):
    bad = with_rows({(5, 4): "部分达成"})
    r = run(write_form(tmp_path / "a.xlsx", indicators=bad))
    assert found(r) == [("PF007", "I19")]
    assert "9–12" in r.findings[0].message
    ok = with_rows({(5, 4): "部分达成", (5, 6): 11, (5, 7): "部分学校未完工"})
    assert found(run(write_form(tmp_path / "b.xlsx", indicators=ok))) == []


@pytest.mark.parametrize("text, band", [
    ("达成年度指标", ("达成", 0.8, 1.0)),
    ("部分达成年度指标并具有一定效果", ("部分达成", 0.6, 0.8)),
    ("未达成年度指标且效果较差", ("未达成", 0.0, 0.6)),
    ("基本达成", ("基本达成", 0.6, 1.0)),
    ("基本完成年度目标", ("基本达成", 0.6, 1.0)),
    ("已完成。", ("达成", 0.8, 1.0)),
    ("未完成", ("未达成", 0.0, 0.6)),
    ("完成率95%", None),
    ("完成20集", None),
    ("达成年度指标的80%", None),
    ("群众满意度明显提升", None),
])
def test_qualitative_wording_bands(text, band):
    got = fp.achievement(text, profiles.load("national").qualitative)
    assert (got if band is None else (got[0], pytest.approx(got[1]), pytest.approx(got[2]))) == band


@pytest.mark.parametrize("actual, score, ok", [
    ("部分达成年度指标并具有一定效果", 14, False), ("部分达成年度指标并具有一定效果", 10, True),
    ("未达成年度指标且效果较差", 10, False), ("未达成年度指标且效果较差", 8, True),
    ("达成年度指标", 11, False), ("达成年度指标", 15, True), ("基本达成", 15, True), ("基本达成", 8, False),
])
def test_pf007_national_wording(tmp_path, actual, score, ok):
    """分值 15: 达成 12–15, 部分达成 9–12, 未达成 0–9, 基本达成 9–15."""
    rows = with_rows({(5, 4): actual, (5, 6): score, (5, 7): "" if score == 15 else "原因"})
    r = run(write_form(tmp_path / "a.xlsx", indicators=rows))
    assert found(r) == ([] if ok else [("PF007", "I19")])


def test_qualitative_bands_are_profile_data(tmp_path):
    own = tmp_path / "p.toml"
    own.write_text('base = "national"\n[[qualitative]]\nname = "基本达成"\nlow = 80\nhigh = 100\n'
                   'words = ["基本达成"]\n', encoding="utf-8")
    prof = profiles.load(str(own))
    assert [b.name for b in prof.qualitative] == ["基本达成"]
    assert fp.achievement("基本达成", prof.qualitative)[1] == pytest.approx(0.8)


def test_pf008_reason_for_lost_points(tmp_path):
    r = run(write_form(tmp_path / "a.xlsx", indicators=with_rows({(3, 7): ""})))
    assert found(r) == [("PF008", "J17")]
    assert r.findings[0].severity == "warning"


def test_pf009_actual_far_above_target(tmp_path):
    r = run(write_form(tmp_path / "a.xlsx", indicators=with_rows({(0, 4): "6500人次"})))
    assert found(r) == [("PF009", "G14")]
    assert "130%" in r.findings[0].message and r.findings[0].severity == "warning"


def test_pf010_missing_actual(tmp_path):
    r = run(write_form(tmp_path / "a.xlsx", indicators=with_rows({(5, 4): ""})))
    assert found(r) == [("PF010", "G19")]


def test_pf016_missing_score(tmp_path):
    r = run(write_form(tmp_path / "a.xlsx", indicators=with_rows({(1, 6): None}), total_score=89.6))
    assert found(r) == [("PF016", "I15")]


# ---------------------------------------------------------------- totals

def test_pf011_points_total(tmp_path):
    r = run(write_form(tmp_path / "a.xlsx", total_points=90))
    assert found(r) == [("PF011", "H22")]
    assert "总分行的分值应为 100" in r.findings[0].message


def test_pf012_total_score(tmp_path):
    r = run(write_form(tmp_path / "a.xlsx", total_score=100))
    assert found(r) == [("PF012", "I22")]
    assert r.findings[0].expected == pytest.approx(99.6)
    assert found(run(write_form(tmp_path / "b.xlsx", total_score=99.6))) == []
    r = run(write_form(tmp_path / "c.xlsx", total_score=None))
    assert found(r) == [("PF012", "I22")] and "总分未填写" in r.findings[0].message


def test_pf013_level1_weights(tmp_path):
    rows = with_rows({(0, 5): 25, (0, 6): 25, (5, 5): 5, (5, 6): 5})  # 产出 60, 效益 20
    r = run(write_form(tmp_path / "a.xlsx", indicators=rows))
    assert found(r) == [("PF013", "B14"), ("PF013", "B19")]
    assert all(f.severity == "warning" for f in r.findings if f.rule == "PF013")


def test_pf014_stated_grade(tmp_path):
    assert found(run(write_form(tmp_path / "a.xlsx", grade="优"))) == []
    r = run(write_form(tmp_path / "b.xlsx", grade="良"))
    assert found(r) == [("PF014", "C23")]


def test_empty_form_said_once(tmp_path):
    """No indicator, an empty fund block and a system-written 总分 0/0: 空表 (XL002), nothing else (issue 11:
    the lead's decision; it was one PF011 error before). A 总分 a person typed makes the form touched: checked."""
    funds = [("年度资金总额", None, None, None)]
    p = write_form(tmp_path / "a.xlsx", funds=funds, exec_points=None, exec_rate=None, exec_score=None, indicators=[],
                   total_points=0, total_score=0)
    r = run(p)
    assert found(r) == [("XL002", "A1")]
    p = write_form(tmp_path / "b.xlsx", funds=funds, exec_points=None, exec_rate=None, exec_score=None, indicators=[],
                   total_points=100, total_score=85)
    r = run(p)
    assert ("PF011", "H11") in found(r) and "XL002" not in {x[0] for x in found(r)}
    assert "尚未填写" in next(f.message for f in r.findings if f.rule == "PF011")


def test_review_column_and_annotated_copy(tmp_path):
    p = write_form(tmp_path / "a.xlsx", indicators=with_rows({(0, 4): "4000人次"}))
    r = check_file(p, profiles.load(), out_dir=tmp_path / "out")
    wb = openpyxl.load_workbook(r.output)
    ws = wb["项目支出绩效自评表"]
    assert ws["L13"].value == "得分（复核）"
    assert ws["L14"].value == pytest.approx(12)
    assert ws["I14"].comment is not None and "PF006" in ws["I14"].comment.text


def test_cli_json(tmp_path):
    from xltool.cli import main

    p = write_form(tmp_path / "a.xlsx", exec_score=9, total_score=98.8)
    res = CliRunner().invoke(main, ["check", "--no-write", "--format", "json", str(p)])
    assert res.exit_code == 1, res.output
    data = json.loads(res.output)
    item = data[0] if isinstance(data, list) else data.get("files", [data])[0]
    sheet = next(s for s in item["sheets"] if s["kind"] == "project-form")
    assert sheet["results"]["total_score"] == pytest.approx(98.8)
    assert [(f["rule"], f["cell"]) for f in item["findings"] if f["rule"] != "XL001"] == [("PF002", "K7")]


def test_2020_template_labels_and_execution_row_in_the_table(tmp_path):
    """财预〔2020〕10号 labels ("全年预算数（A）", "执行率（B/A）", "年度指标值（A）") and a variant that scores the
    execution rate as a row of the indicator table instead of in the fund block."""
    rows = CLEAN_INDICATORS + [("预算执行率", "预算执行率", "预算执行率", "=100%", "98.04%", 10, 9.8, "尾款次年支付")]
    p = write_form(tmp_path / "a.xlsx", indicators=rows, exec_points=None, exec_score=None)
    wb = openpyxl.load_workbook(p)
    ws = wb.active
    relabel = {"全年预算数": "全年预算数（A）", "全年执行数": "全年执行数（B）", "执行率": "执行率（B/A）",
               "年度指标值": "年度指标值（A）", "实际完成值": "实际完成值（B）"}
    for row in ws.iter_rows():
        for c in row:
            if c.value in relabel:
                c.value = relabel[c.value]
    wb.save(p)
    r = run(p)
    assert r.status == "ok", found(r)
    res = form_sheet(r).results
    assert res["total_score"] == pytest.approx(99.6) and res["points_total"] == 100
    # a wrong execution score in that row is checked against the fund block's rate
    rows[-1] = ("预算执行率", "预算执行率", "预算执行率", "=100%", "98.04%", 10, 9, "尾款次年支付")
    r = run(write_form(tmp_path / "b.xlsx", indicators=rows, exec_points=None, exec_score=None))
    assert found(r) == [("PF002", "I22")]
