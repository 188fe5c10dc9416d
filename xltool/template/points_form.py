"""The national points-layout self-evaluation form (财预〔2020〕10号), shared by the project form and the
department-wide form. Grid A–K as in the real export (shared/realworld, sheet 项目支出绩效自评表):
A:B labels, C:D fund-row labels, E 年初预算数, F 全年预算数, G 全年执行数, H 分值, I:J 执行率, K 得分;
indicator table B 一级, C 二级, D:E 三级, F 年度指标值, G 实际完成值, H 分值, I 得分, J:K 偏差原因.
"""

from __future__ import annotations

from dataclasses import dataclass

from xltool.template.base import (
    EPS, INPUT_AREA, custom_rule, decimal_rule, execution_score_formula, execution_score_value, finish_sheet,
    grade_formula, grade_value, instructions_sheet, isnum, Layout, new_sheet, rate_formula, rate_value, ref, rng,
    xcount, xsum,
)

LAST_COL = 10  # K
DASH = "—"

# (一级, [(二级, rows)]) — the standard indicator frame with room to type
INDICATOR_FRAME = (
    ("产出指标", (("数量指标", 3), ("质量指标", 2), ("时效指标", 2), ("成本指标", 2))),
    ("效益指标", (("经济效益指标", 1), ("社会效益指标", 2), ("生态效益指标", 1), ("可持续影响指标", 1))),
    ("满意度指标", (("服务对象满意度指标", 2),)),
)

WIDTHS = (8, 10, 13, 11, 11, 11, 11, 7, 7, 7, 12)  # one A4 portrait page at about 88 %


@dataclass(frozen=True)
class FormSpec:
    kind: str
    title: str  # 项目支出绩效自评表
    sheet: str
    name_label: str  # 项目名称 / 部门（单位）名称
    fund_label: str  # 项目资金（万元）/ 部门资金（万元）
    fund_parts: tuple[str, ...]  # 其中：当年财政拨款 …
    goal_hint: str


def title_text(spec: FormSpec, unit: str | None) -> str:
    return f"{unit or ''}{spec.title}"


def build(spec: FormSpec, wb, st, profile, *, year=None, unit=None, data=None) -> Layout:
    ws, lay, g = new_sheet(wb, st, spec.kind, spec.sheet, data, WIDTHS)
    bands = profile.bands("form")
    zbr = profile.zero_budget_rate

    # heading
    g.text(0, 0, title_text(spec, unit), st.title(), 0, LAST_COL)
    ws.set_row(0, 34)
    if year:
        g.text(1, 0, f"（{year}年度）", st.line("center"), 1, LAST_COL)
    else:  # the year is typed by the officer
        g.input(1, 0, "text", 1, LAST_COL, value="（    年度）", align="center")
    lay.cells["year"] = ref(1, 0)
    g.text(2, 0, "", st.line(), 2, LAST_COL)
    g.text(3, 0, spec.name_label, st.label(), 3, 1)
    lay.cells["name"] = g.input(3, 2, "text", 3, LAST_COL,
                                value=unit if spec.kind == "department-form" and unit else None)
    g.text(4, 0, "主管部门", st.label(), 4, 1)
    lay.cells["department"] = g.input(4, 2, "text", 4, 4)
    g.text(4, 5, "实施单位", st.label())
    lay.cells["implementing_unit"] = g.input(4, 6, "text", 4, LAST_COL, value=unit)
    ws.set_row(3, 22)
    ws.set_row(4, 22)

    # fund block
    fr = 5
    n_parts = len(spec.fund_parts)
    total_r = fr + 1
    last_part = total_r + n_parts
    g.text(fr, 0, spec.fund_label, st.label(bold=True), last_part, 1)
    g.text(fr, 2, "", st.header(), fr, 3)
    for c, label, hint in (
        (4, "年初预算数", "年初预算批复数（万元）。"),
        (5, "全年预算数", "调整后的全年预算数（万元）。"),
        (6, "全年执行数", "全年实际支出数（万元），超过全年预算数时变红。"),
        (7, "分值", f"执行率指标的分值，按地区配置为 {profile.execution_points:g} 分，已锁定。"),
    ):
        g.text(fr, c, label, st.header())
        g.hint(fr, c, label, hint)
    g.text(fr, 8, "执行率", st.header(), fr, 9)
    g.hint(fr, 8, "执行率", "自动计算：全年执行数 ÷ 全年预算数。")
    g.text(fr, 10, "得分", st.header())
    g.hint(fr, 10, "得分", f"自动计算：{profile.describe_execution()}。"[:255])
    ws.set_row(fr, 22)

    g.text(total_r, 2, "年度资金总额", st.label(align="left"), total_r, 3)
    for k, label in enumerate(spec.fund_parts):
        r = total_r + 1 + k
        g.text(r, 2, label, st.label(align="left"), r, 3)
        for c in (4, 5, 6):
            g.input(r, c, "amount")
        g.text(r, 7, DASH, st.label())
        g.text(r, 8, DASH, st.label(), r, 9)
        g.text(r, 10, DASH, st.label())
    for c, name in ((4, "initial"), (5, "budget"), (6, "execution")):
        col = rng(total_r + 1, c, last_part, c)
        vals = g.col_values(c, total_r + 1, last_part)
        lay.cells[f"fund_{name}"] = g.formula(total_r, c, f'IF(COUNT({col})=0,"",SUM({col}))',
                                              xsum(vals) if xcount(vals) else "", "amount")
        for k in range(n_parts):
            lay.cells[f"fund_{name}_{k + 1}"] = ref(total_r + 1 + k, c)
    g.number(total_r, 7, profile.execution_points, st.derived("points", align="center"))
    lay.cells["fund_points"] = ref(total_r, 7)
    b, e = ref(total_r, 5), ref(total_r, 6)
    rate = rate_value(g.get(total_r, 5), g.get(total_r, 6), zbr)
    lay.cells["fund_rate"] = g.formula(total_r, 8, rate_formula(b, e, zbr), rate, "rate", total_r, 9)
    lay.cells["fund_score"] = g.formula(
        total_r, 10, execution_score_formula(ref(total_r, 8), profile, points=ref(total_r, 7), scale100=False),
        execution_score_value(rate, profile, points=profile.execution_points, scale100=False), "score")
    for r in range(total_r, last_part + 1):
        ws.set_row(r, 20)

    # 年度总体目标
    gr = last_part + 1
    g.text(gr, 0, "年度总体目标", st.label(bold=True), gr + 1, 0)
    g.text(gr, 1, "预期目标", st.header(), gr, 5)
    g.text(gr, 6, "实际完成情况", st.header(), gr, LAST_COL)
    g.hint(gr, 1, "预期目标", spec.goal_hint)
    g.hint(gr, 6, "实际完成情况", "对照预期目标，写明全年实际完成情况。")
    lay.cells["goal"] = g.input(gr + 1, 1, "text", gr + 1, 5)
    lay.cells["goal_done"] = g.input(gr + 1, 6, "text", gr + 1, LAST_COL)
    ws.set_row(gr + 1, 80)

    # indicator table
    hr = gr + 2
    first = hr + 1
    n_rows = sum(n for _, parts in INDICATOR_FRAME for _, n in parts)
    last = first + n_rows - 1
    g.text(hr, 0, "绩效指标", st.label(bold=True), last, 0)
    for c, c1, label, hint in (
        (1, 1, "一级指标", "产出指标 / 效益指标 / 满意度指标，已按标准格式预填，可修改。"),
        (2, 2, "二级指标", "如数量指标、质量指标、时效指标、成本指标等，已预填，可修改。"),
        (3, 4, "三级指标", "填写具体的三级指标名称；不用的行留空。"),
        (5, 5, "年度指标值", "填写目标值并带比较符号和单位，如“≥5000人次”“=100%”“≤200元”。"),
        (6, 6, "实际完成值", "填写实际完成的数值（带单位），如“5260人次”“98%”；定性指标写达成情况。"),
        (7, 7, "分值", "该指标的分值（0–100）。执行率分值与各指标分值合计应为 100，否则总分行的分值变红。"),
        (8, 8, "得分", "该指标的得分，不能超过分值；得分低于分值时须填写偏差原因。"),
        (9, 10, "偏差原因分析及改进措施", "得分低于分值的指标必须说明偏差原因和改进措施（未填写时该格变黄）。"),
    ):
        g.text(hr, c, label, st.header(), hr, c1)
        g.hint(hr, c, label, hint)
    ws.set_row(hr, 30)
    r = first
    for level1, parts in INDICATOR_FRAME:
        r1_start = r
        for level2, n in parts:
            g.input(r, 2, "label", r + n - 1 if n > 1 else None, 2 if n > 1 else None, value=level2)
            lay.groups[level2] = [r + 1 + k for k in range(n)]
            r += n
        g.input(r1_start, 1, "label", r - 1, 1, value=level1)
    for r in range(first, last + 1):
        lay.rows.append(r + 1)
        g.input(r, 3, "text", r, 4)
        g.input(r, 5, "target")
        g.input(r, 6, "text", align="center")
        g.input(r, 7, "points", align="center")
        g.input(r, 8, "points", align="center")
        g.input(r, 9, "text", r, 10)
        ws.set_row(r, 30)
    lay.columns.update({"level1": "B", "level2": "C", "name": "D", "target": "F", "actual": "G",
                        "points": "H", "score": "I", "reason": "J"})

    # 总分 and grade
    t = last + 1
    g.text(t, 0, "总分", st.label(bold=True), t, 6)
    pts = rng(first, 7, last, 7)
    scs = rng(first, 8, last, 8)
    pvals, svals = g.col_values(7, first, last), g.col_values(8, first, last)
    total_points = profile.execution_points + xsum(pvals) if xcount(pvals) else ""
    lay.cells["total_points"] = g.formula(t, 7, f'IF(COUNT({pts})=0,"",{ref(total_r, 7)}+SUM({pts}))',
                                          total_points, "score", bold=True, align="center")
    exec_score = g.get(total_r, 10)
    parts_ = [exec_score] + svals
    total_score = xsum(parts_) if xcount(parts_) else ""
    k = ref(total_r, 10)
    lay.cells["total_score"] = g.formula(t, 8, f'IF(COUNT({k},{scs})=0,"",SUM({k},{scs}))', total_score,
                                         "score", bold=True, align="center")
    g.text(t, 9, "", st.label(), t, 10)
    ws.set_row(t, 24)
    gr2 = t + 1
    g.text(gr2, 0, "评价等级", st.label(bold=True), gr2, 6)
    ts = ref(t, 8)
    lay.cells["grade"] = g.formula(gr2, 7, f'IF(ISNUMBER({ts}),{grade_formula(ts, bands)},"")',
                                   grade_value(total_score, bands) if isnum(total_score) else "", "grade",
                                   gr2, LAST_COL, bold=True)
    ws.set_row(gr2, 24)

    # typing checks
    g.validate(total_r + 1, 4, last_part, 6, decimal_rule(
        0, title="金额（万元）", message="请填写数字，单位万元，不能为负数。",
        error="金额应为不小于 0 的数字（单位：万元）。"))
    g.validate(first, 7, last, 7, decimal_rule(
        0, 100, title="分值", message="请填写 0–100 之间的分值。", error="分值应为 0–100 之间的数字。"))
    s0, p0 = ref(first, 8), ref(first, 7)
    g.validate(first, 8, last, 8, custom_rule(
        f"AND(ISNUMBER({s0}),{s0}>=0,{s0}<=100,OR(NOT(ISNUMBER({p0})),{s0}<={p0}))",
        title="得分", message="请填写 0–100 之间的得分，不能超过本行分值。",
        error="得分应为 0–100 之间的数字，且不能超过本行的分值。"))

    # live warnings
    fb, fe = ref(total_r, 5, col_abs=True), ref(total_r, 6, col_abs=True)
    g.flag(total_r, 6, last_part, 6, f"AND(ISNUMBER({fb}),ISNUMBER({fe}),{fe}>{fb}+{EPS})")
    sp, ss = ref(first, 7, col_abs=True), ref(first, 8, col_abs=True)
    g.flag(first, 8, last, 8, f"AND(ISNUMBER({sp}),ISNUMBER({ss}),{ss}>{sp})")
    rs = ref(first, 9, col_abs=True)
    g.flag(first, 9, last, 10, f'AND(ISNUMBER({sp}),ISNUMBER({ss}),{ss}<{sp},{rs}="")', "amber")
    tp = ref(t, 7)
    g.flag(t, 7, t, 7, f"AND(ISNUMBER({tp}),ABS({tp}-100)>{EPS})")

    # signature line
    s = gr2 + 1
    g.text(s, 0, "填表人：", st.line("right"), s, 1)
    g.input(s, 2, "text", s, 3)
    g.text(s, 4, "联系电话：", st.line("right"))
    g.input(s, 5, "text", s, 6)
    g.text(s, 7, "填报日期：", st.line("right"), s, 8)
    g.input(s, 9, "text", s, 10)
    ws.set_row(s, 22)

    # the title and the year stay in view
    finish_sheet(g, freeze=(2, 0), last_row=s, last_col=LAST_COL, repeat=(hr, hr), one_page=True)

    fund_parts = "、".join(p.replace("其中：", "") for p in spec.fund_parts)
    instructions_sheet(wb, st, spec.title, [
        ("填写方法", [
            INPUT_AREA,
            ("年度与名称", f"第 2 行填写评价年度，如“（2023年度）”；再填写{spec.name_label}、主管部门和实施单位。"),
            ("资金情况", f"只填写{fund_parts}各行的年初预算数、全年预算数、全年执行数（万元）；"
                         "“年度资金总额”一行由公式合计。"),
            ("年度总体目标", "“预期目标”照抄批复的年度绩效目标，“实际完成情况”逐项对照写明完成结果。"),
            ("绩效指标", "一级、二级指标已按标准格式预填，可按实际修改。每个三级指标占一行，填写三级指标、"
                         "年度指标值、实际完成值、分值、得分；不用的行留空。得分低于分值的，"
                         "须在“偏差原因分析及改进措施”中说明。"),
        ]),
        ("自动计算的栏目", [
            ("年度资金总额", f"= {fund_parts}之和（年初预算数、全年预算数、全年执行数分别合计）。"),
            ("执行率", "= 全年执行数 ÷ 全年预算数。全年预算数为 0 且执行数为 0 时按 "
                       f"{profile.zero_budget_rate:.0%} 计。"),
            ("执行率得分", f"{profile.describe_execution()}；分值 {profile.execution_points:g} 分"
                           f"（地区配置“{profile.title}”）。"),
            ("总分·分值", f"= 执行率分值 {profile.execution_points:g} + 各三级指标分值之和，应为 100。"),
            ("总分·得分", "= 执行率得分 + 各三级指标得分之和。"),
            ("评价等级", f"按总分得分分档：{bands.describe()}。"),
        ]),
        ("评分参考（财预〔2020〕10号）", [
            ("定量指标", "正向指标（≥、>）：达到指标值得满分，未达到按 实际完成值 ÷ 指标值 × 分值；"
                         "反向指标（≤、<，如成本、投诉率）：不超过指标值得满分，超过时按超出比例扣分，"
                         "达到 2 倍指标值得 0 分；“=”按正向指标处理。"),
            ("定性指标", "达成年度指标得分值的 80%–100%，部分达成 60%–80%，未达成 0%–60%。"),
            ("偏高提示", "实际完成值超过指标值 20% 以上的，说明指标值设定偏低，应在偏差原因中说明。"),
        ]),
        ("自动提示", [
            ("变红的单元格", "全年执行数大于全年预算数；得分大于分值；总分行分值不等于 100。"),
            ("变黄的单元格", "得分低于分值但未填写偏差原因。"),
            ("输入限制", "金额须为不小于 0 的数字；分值、得分须在 0–100 之间，得分不能超过分值。"),
            ("核查", "填完后可运行 xltool check 文件名 进行核查，工具会重算派生数据并标出问题单元格。"),
        ]),
    ])
    return lay
