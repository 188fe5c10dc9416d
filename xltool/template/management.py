"""绩效管理自评表 — the management self-assessment (DOMAIN.md §1 E, seed 001). Grid A–E as in
samples/东史端镇2023年度绩效管理自评表.xlsx:

    序号 | 评价内容 | 满分 | 得分 | 说明
    1 … 7 the categories, 8 存在问题扣分 (a deduction: its 得分 is subtracted, written 2 or －2)
    合计 | Σ 满分 (without the deduction) | Σ 得分 － |扣分|
    换算得分 | 100 | 合计得分 ÷ 合计满分 × 100, at two decimals
    评价等级 | the grade of 换算得分
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from xltool.template.base import (
    INPUT_AREA, custom_rule, decimal_rule, finish_sheet, grade_formula, grade_value, instructions_sheet, isnum,
    Layout, new_sheet, ref, rng, xcount, xsum,
)

KIND = "management-table"
TITLE = "绩效管理自评表"
DESCRIPTION = "绩效管理自评表（八类管理事项）：自动计算合计满分、合计得分（扣分项相减）、换算得分和评价等级"
FILE_NAME = "绩效管理自评表.xlsx"
SHEET = "绩效管理自评表"

LAST_COL = 4  # E
CATEGORIES = ("重大政策落实", "预算编制管理", "预算执行管理", "预算绩效管理", "资产管理", "预算透明度", "预算信息化")
DEDUCTION = "存在问题扣分"
WIDTHS = (6, 20, 9, 9, 56)
HEADER_ROW = 2
FIRST_ROW = 3


def title_text(year: int | None, unit: str | None) -> str:
    return f"{unit or ''}{f'{year}年度' if year else ''}{TITLE}"


def excel_round(x: float, digits: int) -> float:
    """ROUND() as Excel computes it: half away from zero, on the shortest decimal that gives ``x``."""
    return float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def build(wb, st, profile, *, year=None, unit=None, data=None) -> Layout:
    ws, lay, g = new_sheet(wb, st, KIND, SHEET, data, WIDTHS)
    bands = profile.bands("form")

    g.text(0, 0, title_text(year, unit), st.title(16), 0, LAST_COL)
    ws.set_row(0, 34)
    g.text(1, 0, "填报单位：", st.line("left"), 1, 1)
    lay.cells["unit"] = g.input(1, 2, "text", 1, LAST_COL, value=unit)
    ws.set_row(1, 22)
    g.headers(HEADER_ROW, (
        (0, "序号", "已编好，可修改。"),
        (1, "评价内容", "按考核办法填写，常见为：" + "、".join(CATEGORIES) + "；最后一行为扣分项。"),
        (2, "满分", "该类事项的满分（按考核办法填写）。扣分项的满分栏可不填；填了即为扣分上限，不计入合计满分。"),
        (3, "得分", "该类事项的得分，在 0 与满分之间。扣分项写扣减的分数（写 2 或 －2 都按减 2 分计算），没有扣分写 0。"),
        (4, "说明", "写明得分依据和扣分原因。"),
    ), 24)

    names = CATEGORIES + (DEDUCTION,)
    last = FIRST_ROW + len(names) - 1
    ded = last  # the deduction row
    for i, name in enumerate(names):
        r = FIRST_ROW + i
        lay.rows.append(r + 1)
        g.input(r, 0, "num", value=i + 1, align="center")
        if r == ded:  # fixed: the total subtracts this row
            g.text(r, 1, name, st.label(align="left"))
        else:  # typed by the officer (an empty row is not checked): the usual names are in the hint
            g.input(r, 1, "text")
        g.input(r, 2, "points", align="center")
        g.input(r, 3, "points", align="center")
        g.input(r, 4, "text")
        ws.set_row(r, 30)
    lay.columns.update({"seq": "A", "name": "B", "full": "C", "score": "D", "note": "E"})
    lay.cells["deduction"] = ref(ded, 3)

    # 合计: 满分 without the deduction row; 得分 minus the deduction however it is signed
    t = last + 1
    g.text(t, 0, "", st.label())
    g.text(t, 1, "合计", st.label(bold=True))
    fulls = rng(FIRST_ROW, 2, ded - 1, 2)
    fvals = g.col_values(2, FIRST_ROW, ded - 1)
    total_full = xsum(fvals) if xcount(fvals) else ""
    lay.cells["total_full"] = g.formula(t, 2, f'IF(COUNT({fulls})=0,"",SUM({fulls}))', total_full, "points",
                                        bold=True, align="center")
    scores = rng(FIRST_ROW, 3, ded - 1, 3)
    all_scores = rng(FIRST_ROW, 3, ded, 3)
    svals = g.col_values(3, FIRST_ROW, ded)
    d = g.get(ded, 3)
    total = xsum(svals[:-1]) - abs(d if isnum(d) else 0) if xcount(svals) else ""
    lay.cells["total_score"] = g.formula(
        t, 3, f'IF(COUNT({all_scores})=0,"",SUM({scores})-ABS(SUM({ref(ded, 3)})))', total, "points", bold=True,
        align="center")
    g.text(t, 4, "", st.label())
    ws.set_row(t, 24)

    # 换算得分 = 合计得分 ÷ 合计满分 × 100, at the two decimals the form publishes
    cr = t + 1
    g.text(cr, 0, "", st.label())
    g.text(cr, 1, "换算得分", st.label(bold=True))
    g.number(cr, 2, 100, st.derived("points", align="center"))
    tf, ts = ref(t, 2), ref(t, 3)
    conv = excel_round(total / total_full * 100, 2) if isnum(total) and isnum(total_full) and total_full else ""
    lay.cells["converted"] = g.formula(
        cr, 3, f'IF(AND(ISNUMBER({ts}),ISNUMBER({tf})),IF({tf}=0,"",ROUND({ts}/{tf}*100,2)),"")', conv, "score",
        bold=True, align="center")
    g.text(cr, 4, "换算得分 = 合计得分 ÷ 合计满分 × 100", st.label(align="left"))
    ws.set_row(cr, 24)

    gr = cr + 1
    g.text(gr, 0, "", st.label())
    g.text(gr, 1, "评价等级", st.label(bold=True))
    cs = ref(cr, 3)
    lay.cells["grade"] = g.formula(gr, 2, f'IF(ISNUMBER({cs}),{grade_formula(cs, bands)},"")',
                                   grade_value(conv, bands) if isnum(conv) else "", "grade", gr, LAST_COL, bold=True)
    ws.set_row(gr, 24)

    # typing checks and live warnings
    g.validate(FIRST_ROW, 2, ded, 2, decimal_rule(
        0, 100, title="满分", message="请填写 0–100 之间的满分。", error="满分应为 0–100 之间的数字。"))
    s0, f0 = ref(FIRST_ROW, 3), ref(FIRST_ROW, 2)
    g.validate(FIRST_ROW, 3, ded - 1, 3, custom_rule(
        f"AND(ISNUMBER({s0}),{s0}>=0,OR(NOT(ISNUMBER({f0})),{s0}<={f0}))",
        title="得分", message="请填写得分，在 0 与本行满分之间。", error="得分应为不小于 0 的数字，且不能超过本行的满分。"))
    g.validate(ded, 3, ded, 3, decimal_rule(
        -100, 100, title="扣分", message="填写扣减的分数，写 2 或 －2 都按减 2 分计算；没有扣分写 0。",
        error="扣分应为 －100 到 100 之间的数字。"))
    sf, ss = ref(FIRST_ROW, 2, col_abs=True), ref(FIRST_ROW, 3, col_abs=True)
    g.flag(FIRST_ROW, 3, ded - 1, 3, f"AND(ISNUMBER({sf}),ISNUMBER({ss}),{ss}>{sf})")

    n = gr + 1
    g.text(n, 0, "注：浅黄色单元格为填写区；合计、换算得分和评价等级由公式自动计算。扣分项的得分从合计中减去，"
                 "不计入合计满分；得分超过满分时单元格变红。", st.line(text_wrap=True), n, LAST_COL)
    g.text(n + 1, 0, "填报人：", st.line("right"), n + 1, 1)
    g.input(n + 1, 2, "text", n + 1, 3)
    g.text(n + 1, 4, "联系电话：　　　　　　　　填报日期：", st.line())
    ws.set_row(n + 1, 22)

    finish_sheet(g, freeze=(FIRST_ROW, 0), last_row=n + 1, last_col=LAST_COL, repeat=(HEADER_ROW, HEADER_ROW), one_page=True)

    instructions_sheet(wb, st, TITLE, [
        ("填写方法", [
            INPUT_AREA,
            ("评价内容", "按本地考核办法逐行填写管理事项名称，常见为：" + "、".join(CATEGORIES)
                         + f"；不用的行留空。最后一行“{DEDUCTION}”为扣分项，已固定。"),
            ("满分、得分", "按考核办法填写每类事项的满分和得分，得分在 0 与满分之间；“说明”写明得分依据和扣分原因。"),
            ("扣分项", f"“{DEDUCTION}”一行的得分写扣减的分数：写 2 或 －2 都按减 2 分计算，没有扣分写 0；"
                       "其满分栏可不填，填了即为扣分上限，不计入合计满分。"),
        ]),
        ("自动计算的栏目", [
            ("合计满分", "= 各类事项满分之和（扣分项不计入）。"),
            ("合计得分", "= 各类事项得分之和 － 扣分项的扣分。"),
            ("换算得分", "= 合计得分 ÷ 合计满分 × 100，保留两位小数（如 89 ÷ 92 × 100 = 96.74）。"),
            ("评价等级", f"按换算得分分档：{bands.describe()}。"),
        ]),
        ("自动提示", [
            ("变红的单元格", "得分大于满分。"),
            ("输入限制", "满分须在 0–100 之间；得分不能为负数，也不能超过本行满分。"),
            ("核查", "填完后可运行 xltool check 文件名 进行核查，工具会重算合计和换算得分并标出问题单元格。"),
        ]),
    ])
    return lay
