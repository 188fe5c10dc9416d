"""部门整体支出绩效评价指标评分表 — the scored indicator table (seed 003, DOMAIN.md §1 D). Grid A–H:

    一级指标 | 分值 | 二级指标 | 分值 | 三级指标 | 分值 | 得分 | 评分说明

一级/二级 names and their 分值 are merged down their rows; their 分值 are the sums of the 三级 分值
below them (formulas). A 合计 row and a 评价等级 row close the table.
"""

from __future__ import annotations

from xltool.template.base import (
    EPS, INPUT_AREA, custom_rule, decimal_rule, finish_sheet, grade_formula, grade_value, instructions_sheet,
    isnum, Layout, new_sheet, ref, rng, xcount, xsum,
)

KIND = "score-table"
TITLE = "部门整体支出绩效评价指标评分表"
DESCRIPTION = "部门整体支出绩效评价指标评分表（投入/过程/产出/效果）：自动计算各级分值、合计和评价等级"
FILE_NAME = "部门整体支出绩效评价指标评分表.xlsx"
SHEET = "绩效评价指标评分表"
LAST_COL = 7

# (一级, [(二级, rows, reference 三级 names)]) — the common frame of 部门整体支出绩效评价 (seed 003)
FRAME = (
    ("投入", (
        ("绩效目标指标管理", 2, "绩效目标科学性、绩效指标科学性"),
        ("预算编制", 3, "预算编制完整性、项目预算功能分类等编制合规性、预算上报及时性"),
    )),
    ("过程", (
        ("预算执行", 9, "收入预算完成率、预算调整率、支出进度、资金结余结转率、“三公经费”控制率、"
                        "政府采购执行率、决算真实性、资金使用合规性、财务管理规范性"),
        ("预算管理", 4, "管理制度健全性、预决算信息公开性、基础信息完善性、资产管理规范性"),
        ("绩效评价", 2, "绩效自评覆盖率、评价结果应用率"),
    )),
    ("产出", (
        ("数量指标", 4, "按本部门年度重点工作任务设置"),
        ("质量指标", 4, "按本部门年度重点工作的质量要求设置"),
        ("时效指标", 2, "如保障时间、按时完成率"),
        ("成本指标", 1, "如成本控制情况"),
    )),
    ("效果", (
        ("履职效益", 3, "部门整体效益、社会公众满意度等"),
    )),
)
WIDTHS = (10, 7, 16, 7, 28, 7, 7, 34)  # one A4 portrait page at about 83 %
HEADER_ROW = 1
FIRST_ROW = 2


def title_text(year: int | None, unit: str | None) -> str:
    return f"{unit or ''}{f'{year}年度' if year else ''}{TITLE}"


def build(wb, st, profile, *, year=None, unit=None, data=None) -> Layout:
    ws, lay, g = new_sheet(wb, st, KIND, SHEET, data, WIDTHS)
    bands = profile.bands("form")

    g.text(0, 0, title_text(year, unit), st.title(16), 0, LAST_COL)
    ws.set_row(0, 34)
    g.headers(HEADER_ROW, (
        (0, "一级指标", "投入、过程、产出、效果，已预填，可修改。"),
        (1, "分值", "自动计算：本一级指标下各三级指标分值之和。"),
        (2, "二级指标", "已按常用指标体系预填，可修改。"),
        (3, "分值", "自动计算：本二级指标下各三级指标分值之和。"),
        (4, "三级指标", "填写三级指标名称（参考名称见“填表说明”）；不用的行留空。"),
        (5, "分值", "该三级指标的分值（0–100）。全部分值合计应为 100。"),
        (6, "得分", "该三级指标的得分，不能超过分值。"),
        (7, "评分说明", "写明扣分理由或评分依据。"),
    ), 24)

    n_rows = sum(n for _, parts in FRAME for _, n, _ in parts)
    last = FIRST_ROW + n_rows - 1
    # inputs first (formulas below read them)
    for r in range(FIRST_ROW, last + 1):
        lay.rows.append(r + 1)
        g.input(r, 4, "text")
        g.input(r, 5, "points", align="center")
        g.input(r, 6, "points", align="center")
        g.input(r, 7, "text")
        ws.set_row(r, 22)
    lay.columns.update({"level1": "A", "points1": "B", "level2": "C", "points2": "D", "name": "E",
                        "points": "F", "score": "G", "note": "H"})

    def group_sum(r0: int, r1: int):
        col = rng(r0, 5, r1, 5)
        vals = g.col_values(5, r0, r1)
        return f'IF(COUNT({col})=0,"",SUM({col}))', (xsum(vals) if xcount(vals) else "")

    r = FIRST_ROW
    for level1, parts in FRAME:
        start = r
        for level2, n, _ in parts:
            end = r + n - 1
            g.input(r, 2, "label", end if n > 1 else None, 2 if n > 1 else None, value=level2)
            lay.groups[level2] = [r + 1 + k for k in range(n)]
            f, v = group_sum(r, end)
            g.formula(r, 3, f, v, "points", end if n > 1 else None, 3 if n > 1 else None, align="center")
            r += n
        end = r - 1
        g.input(start, 0, "label", end, 0, value=level1)
        f, v = group_sum(start, end)
        g.formula(start, 1, f, v, "points", end, 1, align="center")

    # 合计 and 评价等级
    t = last + 1
    g.text(t, 0, "合计", st.label(bold=True))
    for c, name in ((1, "points1"), (3, "points2"), (5, "points"), (6, "score")):
        col = rng(FIRST_ROW, c, last, c)
        vals = g.col_values(c, FIRST_ROW, last)
        lay.cells[f"total_{name}"] = g.formula(t, c, f'IF(COUNT({col})=0,"",SUM({col}))',
                                               xsum(vals) if xcount(vals) else "", "points", bold=True,
                                               align="center")
    for c in (2, 4, 7):
        g.text(t, c, "", st.label())
    gr = t + 1
    g.text(gr, 0, "评价等级", st.label(bold=True))
    ts = ref(t, 6)
    total = g.get(t, 6)
    lay.cells["grade"] = g.formula(gr, 1, f'IF(ISNUMBER({ts}),{grade_formula(ts, bands)},"")',
                                   grade_value(total, bands) if isnum(total) else "", "grade", gr, LAST_COL,
                                   bold=True)
    ws.set_row(t, 24)
    ws.set_row(gr, 24)

    # typing checks and live warnings
    g.validate(FIRST_ROW, 5, last, 5, decimal_rule(
        0, 100, title="分值", message="请填写 0–100 之间的分值。", error="分值应为 0–100 之间的数字。"))
    s0, p0 = ref(FIRST_ROW, 6), ref(FIRST_ROW, 5)
    g.validate(FIRST_ROW, 6, last, 6, custom_rule(
        f"AND(ISNUMBER({s0}),{s0}>=0,{s0}<=100,OR(NOT(ISNUMBER({p0})),{s0}<={p0}))",
        title="得分", message="请填写得分，不能超过本行分值。", error="得分应为 0–100 之间的数字，且不能超过本行的分值。"))
    sp, ss = ref(FIRST_ROW, 5, col_abs=True), ref(FIRST_ROW, 6, col_abs=True)
    g.flag(FIRST_ROW, 6, last, 6, f"AND(ISNUMBER({sp}),ISNUMBER({ss}),{ss}>{sp})")
    tp = ref(t, 5)
    g.flag(t, 5, t, 5, f"AND(ISNUMBER({tp}),ABS({tp}-100)>{EPS})")

    n = gr + 1
    g.text(n, 0, "注：浅黄色单元格为填写区；各级分值、合计和评价等级由公式自动计算。得分超过分值、"
                 "分值合计不等于100时单元格变红。", st.line(), n, LAST_COL)
    g.text(n + 1, 0, "评价人：", st.line("right"))
    g.input(n + 1, 1, "text", n + 1, 2)
    g.text(n + 1, 3, "日期：", st.line("right"))
    g.input(n + 1, 4, "text")

    finish_sheet(g, freeze=(FIRST_ROW, 0), last_row=n + 1, last_col=LAST_COL, repeat=(HEADER_ROW, HEADER_ROW), one_page=True)

    reference = [(f"{l1}／{l2}", names) for l1, parts in FRAME for l2, _, names in parts]
    instructions_sheet(wb, st, TITLE, [
        ("填写方法", [
            INPUT_AREA,
            ("指标", "一级、二级指标已按常用体系预填，可修改。每个三级指标一行，填写三级指标名称、分值、得分和"
                     "评分说明；不用的行留空。"),
        ]),
        ("自动计算的栏目", [
            ("一级、二级分值", "= 其下各三级指标分值之和。"),
            ("合计", "各分值列为全部分值之和（应为 100）；得分为各三级指标得分之和。"),
            ("评价等级", f"按合计得分分档：{bands.describe()}。"),
        ]),
        ("三级指标参考名称", reference),
        ("自动提示", [
            ("变红的单元格", "得分大于分值；分值合计不等于 100。"),
            ("输入限制", "分值须在 0–100 之间；得分不能超过本行分值。"),
            ("核查", "填完后可运行 xltool check 文件名 进行核查，工具会重算合计并标出问题单元格。"),
        ]),
    ])
    return lay
