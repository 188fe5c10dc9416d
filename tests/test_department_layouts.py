"""Layout invariance for the 部门整体支出绩效自评表 in the national points layout (DOMAIN.md §1 C; the sample
``samples/示例单位2023年度部门整体支出绩效自评表.xlsx``: 总分 98.33 = 88.5 indicator points + 执行率得分 9.83).

Drawn in memory with the forms' layout machinery (``test_form_layouts``: position, title rows, goal rows,
column order, 三级指标 over one or two columns, 一级/二级 merged down / written once / repeated, numbers as
text and full-width digits, rates as 0.9835 / 98.35 under (%) / "98.35%", an extra column, notes) plus what
this form does: a 绩效指标 label merged down beside the indicator table, an indicator header over one or two
rows (分值 / 得分 under a merged parent), the fund block's 其中：基本支出 / 项目支出 rows, and the indicator
table's rows (``layouts.with_indicator_rows``: 小计 per 一级指标, the header repeated after a page break,
总分 first, spacer rows).

Properties: a clean form gives no error in any layout; one wrong derived cell (执行率, 执行率得分, 总分)
gives exactly that cell; the results are the same in every layout.
"""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layouts import indicator_rows, with_indicator_rows
from test_form_layouts import (NATIONAL, FormLayout, Grid, _errors, _goals, _heading, _num, _order, _rate, layouts,
                               points_rows)
from xltool.cells import a1
from xltool.engine import check_sheet

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)

DF_INDICATORS = [  # the sample's indicators: 一级, 二级, 三级, 年度指标值, 实际完成值, 分值, 得分, 偏差原因
    ("产出指标", "数量指标", "保障在职人员人数", "=56人", "56人", 10, 10, ""),
    ("产出指标", "数量指标", "重点工作任务完成数", "≥12项", "12项", 10, 10, ""),
    ("产出指标", "质量指标", "重点工作完成合格率", "=100%", "100%", 10, 10, ""),
    ("产出指标", "时效指标", "重点工作按时完成率", "≥95%", "96%", 10, 10, ""),
    ("产出指标", "成本指标", "“三公”经费控制率", "≤100%", "92%", 10, 10, ""),
    ("效益指标", "社会效益指标", "公共服务水平", "明显提升", "明显提升", 15, 15, ""),
    ("效益指标", "可持续影响指标", "机关运转保障长效机制", "建立长效机制", "基本建立", 15, 13.5, "部分管理制度仍在修订完善中"),
    ("满意度指标", "服务对象满意度指标", "辖区群众满意度", "≥90%", "93%", 10, 10, ""),
]
DF_ROLES = ["target", "actual", "points", "score", "reason"]
DF_LABELS = {"target": "年度指标值", "actual": "实际完成值", "points": "分值", "score": "得分", "reason": "偏差原因分析及改进措施"}
FUNDS = (("年度资金总额", 850, 920.5, 905.3), ("其中：基本支出", 520, 540.5, 540.5), ("项目支出", 330, 380, 364.8))


def render_department(lay: FormLayout, inject: str | None = None):
    """The sample's department form under ``lay``; returns (sheet, {name: A1 of a derived cell}).
    ``lay.two_row_header`` splits the indicator header (分值 / 得分 under 评分情况)."""
    rng = random.Random(lay.order_seed)
    g = Grid()
    x = lay.dx
    r = _heading(g, lay, ("部门整体支出绩效自评表", "（2023年度）", "填报日期：2024年1月"), 10,
                 ((0, "部门（单位）名称"), (2, "示例镇人民政府"), (5, "主管部门"), (6, "示例县人民政府")))
    rate_v, rate_suffix = _rate(905.3 / 920.5, lay)
    exec_score, total = 9.83, 98.33
    if inject == "rate":
        rate_v, _ = _rate(0.95, lay)
    elif inject == "exec_score":
        exec_score, total = 9.5, 98.0
    elif inject == "total":
        total = 99.33
    refs = {}
    fr = r
    g.merge(fr, x, fr + len(FUNDS), x + 1, "部门资金（万元）")  # as the sample: label | 年初 … 执行率 (merged) | 得分
    at = {"initial": 4, "budget": 5, "execution": 6, "points": 7, "rate": 8, "score": 10}
    for key, t in (("initial", "年初预算数"), ("budget", "全年预算数"), ("execution", "全年执行数"), ("points", "分值"),
                   ("score", "得分")):
        g.put(fr, x + at[key], t)
    g.merge(fr, x + 8, fr, x + 9, "执行率" + rate_suffix)
    for i, (lab, a, b, e) in enumerate(FUNDS):
        rr = fr + 1 + i
        g.merge(rr, x + 2, rr, x + 3, lab)
        for key, v in (("initial", a), ("budget", b), ("execution", e)):
            g.put(rr, x + at[key], _num(v, lay, rng))
        if i == 0:
            g.put(rr, x + 7, _num(10, lay, rng))
            g.merge(rr, x + 8, rr, x + 9, rate_v if isinstance(rate_v, str) else _num(rate_v, lay, rng))
            g.put(rr, x + 10, _num(exec_score, lay, rng))
            refs["rate"], refs["exec_score"] = a1(rr, x + 8), a1(rr, x + 10)
        else:
            for c in (7, 8, 10):
                g.put(rr, x + c, "—")
    r = _goals(g, lay, fr + len(FUNDS) + 1, ("年度总体目标", "预期目标", "实际完成情况"), "已完成")
    two = lay.two_row_header
    cols = _order(lay, DF_ROLES[:], x + 1, rng)
    h1, h2 = r, r + (1 if two else 0)
    first = h2 + 1
    g.merge(h1, x, first + len(DF_INDICATORS) - 1, x, "绩效指标")
    for role, lab in (("level1", "一级指标"), ("level2", "二级指标")):
        g.merge(h1, cols[role], h2, cols[role], lab)
    g.merge(h1, cols["level3"], h2, cols["level3"] + lay.name_span - 1, "三级指标")
    for role in DF_ROLES:
        if two and role in ("points", "score"):
            g.put(h2, cols[role], DF_LABELS[role])
        else:
            g.merge(h1, cols[role], h2, cols[role], DF_LABELS[role])
    if two:
        a, b = sorted((cols["points"], cols["score"]))
        if b - a == 1:
            g.merge(h1, a, h1, b, "评分情况")
        else:  # 分值 and 得分 apart: each under its own parent cell
            g.put(h1, a, "评分情况")
            g.put(h1, b, "评分情况")
    last = max(cols.values())
    if lay.extra_column:
        g.merge(h1, last + 1, h2, last + 1, "备注")
    t = points_rows(g, lay, rng, DF_INDICATORS, first, cols, "—")
    g.merge(t, x, t, cols["level3"] + lay.name_span - 1, "总分")
    g.put(t, cols["points"], _num(100, lay, rng))
    g.put(t, cols["score"], _num(total, lay, rng))
    refs["total"] = a1(t, cols["score"])
    if lay.notes:
        g.put(t + 2, x, "填表人：张三")
        g.put(t + 3, x, "注：得分保留两位小数。")
    return g.sheet("部门整体支出绩效自评表"), refs


@SETTINGS
@given(layouts, indicator_rows())
def test_department_form_clean_in_every_layout(lay, feats):
    sheet, refs = with_indicator_rows(*render_department(lay), feats)
    rep, findings = check_sheet(sheet, NATIONAL)
    assert rep.kind == "department-form"
    assert _errors(findings) == [], [(f.rule, f.cell, f.message) for f in findings if f.severity == "error"]
    res = rep.results
    assert (res["indicator_count"], res["total_score"], res["execution_rate"], res["points_total"]) == (8, 98.33, 0.9835, 100)
    assert (res["budget"], res["execution"], res["execution_score"], res["grade"]) == (920.5, 905.3, 9.83, "优")


@SETTINGS
@given(layouts, indicator_rows(), st.sampled_from(["rate", "exec_score", "total"]))
def test_department_form_one_injected_error_at_its_cell(lay, feats, where):
    sheet, refs = with_indicator_rows(*render_department(lay, inject=where), feats)
    _, findings = check_sheet(sheet, NATIONAL)
    errs = _errors(findings)
    assert len(errs) == 1 and errs[0][1] == refs[where], (where, errs, refs)


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(layouts, indicator_rows(), st.sampled_from([None, "rate", "exec_score", "total"]))
def test_written_department_forms_read_the_same_through_calamine(lay, feats, where):
    """A few layouts as real workbooks (xlsxwriter → calamine): same findings as in memory."""
    import tempfile
    from pathlib import Path

    from layouts import write_xlsx
    from xltool.engine import check_file

    sheet, refs = with_indicator_rows(*render_department(lay, inject=where), feats)
    with tempfile.TemporaryDirectory() as d:
        report = check_file(write_xlsx(sheet, Path(d) / "t.xlsx"), NATIONAL, write=False)
    errs = _errors(report.findings)
    assert errs == ([] if where is None else [errs[0]]) and (where is None or errs[0][1] == refs[where]), (where, errs)
    assert report.sheets[0].kind == "department-form"
