"""部门绩效自评结果公开汇总表 — one row per project, a 合计 row (DOMAIN.md §1 A, seed 000)."""

from __future__ import annotations

from xltool.template.base import (
    EPS, INPUT_AREA, custom_rule, decimal_rule, finish_sheet, grade_formula, grade_value, instructions_sheet,
    isnum, Layout, new_sheet, rate_formula, rate_value, ref, rng, xcount, xsum,
)

KIND = "summary"
TITLE = "部门绩效自评结果公开汇总表"
DESCRIPTION = "部门绩效自评结果公开汇总表：每个项目一行，自动计算执行率、结余数、评价等级和合计行"
FILE_NAME = "部门绩效自评结果公开汇总表.xlsx"
SHEET = "部门绩效自评结果公开汇总表"

# (role, header label, width, header hint)
COLUMNS = (
    ("seq", "序号", 6, "项目序号，已预先编好。"),
    ("name", "项目名称", 34, "填写项目全称，每个项目一行；不用的行留空即可。"),
    ("impl", "项目实施单位", 18, "填写具体实施该项目的单位。"),
    ("budget", "预算数（调整后）", 14, "填写调整后的全年预算数，单位万元，不能为负数。"),
    ("execution", "执行数", 14, "填写全年实际支出数，单位万元，不能为负数；超过预算数时变红。"),
    ("rate", "执行率", 10, "自动计算：执行数 ÷ 预算数（调整后），无需填写。"),
    ("balance", "结余数", 13, "自动计算：预算数（调整后）－ 执行数，无需填写。"),
    ("returned", "结余交回财政数", 13, "填写结余资金中已交回财政的数额（万元），应在 0 与结余数之间。"),
    ("score", "自评得分", 10, "填写项目自评得分，0–100 分。"),
    ("grade", "评价等级", 10, "自动计算：按自评得分所在分档确定等级，无需填写。"),
    ("opinion", "自评结果应用意见", 34, "填写自评结果应用意见，如“评价结果优秀，继续推进此项目。”；"
                                      "执行率偏低的项目宜写“调整优化支出结构”。"),
)
COL = {role: i for i, (role, *_rest) in enumerate(COLUMNS)}
LAST_COL = len(COLUMNS) - 1
HEADER_ROW = 3  # 0-based: Excel row 4
FIRST_ROW = 4


def title_text(year: int | None, unit: str | None) -> str:
    return f"{unit or ''}{f'{year}年度' if year else ''}{TITLE}"


def build(wb, st, profile, *, year=None, unit=None, rows=50, data=None) -> Layout:
    ws, lay, g = new_sheet(wb, st, KIND, SHEET, data)
    bands = profile.bands("summary")
    zbr = profile.zero_budget_rate

    g.text(0, 0, title_text(year, unit), st.title(), 0, LAST_COL)
    ws.set_row(0, 34)
    g.text(1, 0, "主管部门：", st.line("right"), 1, 1)
    g.input(1, 2, "text", 1, 5, value=unit or "")
    lay.cells["authority"] = ref(1, 2)
    g.text(2, 0, "单位：万元", st.line("right"), 2, LAST_COL)

    for role, label, width, hint in COLUMNS:
        c = COL[role]
        g.text(HEADER_ROW, c, label, st.header())
        g.hint(HEADER_ROW, c, label, hint)
        ws.set_column(c, c, width)
        lay.columns[role] = ref(0, c)[:-1]
    ws.set_row(HEADER_ROW, 32)

    last = FIRST_ROW + rows - 1
    for i in range(rows):
        r = FIRST_ROW + i
        lay.rows.append(r + 1)
        g.number(r, COL["seq"], i + 1, st.label())
        g.input(r, COL["name"], "text")
        g.input(r, COL["impl"], "text")
        g.input(r, COL["budget"], "amount")
        g.input(r, COL["execution"], "amount")
        b, e = ref(r, COL["budget"]), ref(r, COL["execution"])
        g.formula(r, COL["rate"], rate_formula(b, e, zbr),
                  rate_value(g.get(r, COL["budget"]), g.get(r, COL["execution"]), zbr), "rate")
        bv, ev = g.get(r, COL["budget"]), g.get(r, COL["execution"])
        g.formula(r, COL["balance"], f'IF(AND(ISNUMBER({b}),ISNUMBER({e})),{b}-{e},"")',
                  bv - ev if isnum(bv) and isnum(ev) else "", "amount")
        g.input(r, COL["returned"], "amount")
        g.input(r, COL["score"], "points", align="center")
        s = ref(r, COL["score"])
        sv = g.get(r, COL["score"])
        g.formula(r, COL["grade"], f'IF(ISNUMBER({s}),{grade_formula(s, bands)},"")',
                  grade_value(sv, bands) if isnum(sv) else "", "grade")
        g.input(r, COL["opinion"], "text")
        ws.set_row(r, 30)

    # 合计: sums, the overall rate, the mean score (the unit's overall score) and its grade
    t = last + 1
    g.text(t, 0, "合计", st.label(bold=True), t, COL["impl"])
    lay.cells["total_row"] = str(t + 1)
    for role in ("budget", "execution", "returned"):
        c = COL[role]
        vals = g.col_values(c, FIRST_ROW, last)
        col = rng(FIRST_ROW, c, last, c)
        a1 = g.formula(t, c, f'IF(COUNT({col})=0,"",SUM({col}))', xsum(vals) if xcount(vals) else "",
                       "amount", bold=True)
        lay.cells[f"total_{role}"] = a1
    b, e = ref(t, COL["budget"]), ref(t, COL["execution"])
    # the total 结余数 from the totals (not the sum of the rows' 结余数: one typed-over row stays one finding)
    bv, ev = g.get(t, COL["budget"]), g.get(t, COL["execution"])
    lay.cells["total_balance"] = g.formula(t, COL["balance"], f'IF(AND(ISNUMBER({b}),ISNUMBER({e})),{b}-{e},"")',
                                           bv - ev if isnum(bv) and isnum(ev) else "", "amount", bold=True)
    lay.cells["total_rate"] = g.formula(
        t, COL["rate"], rate_formula(b, e, zbr),
        rate_value(g.get(t, COL["budget"]), g.get(t, COL["execution"]), zbr), "rate", bold=True)
    col = rng(FIRST_ROW, COL["score"], last, COL["score"])
    scores = g.col_values(COL["score"], FIRST_ROW, last)
    mean = xsum(scores) / xcount(scores) if xcount(scores) else ""
    lay.cells["total_score"] = g.formula(t, COL["score"], f'IF(COUNT({col})=0,"",AVERAGE({col}))', mean,
                                         "score", bold=True, align="center")
    s = ref(t, COL["score"])
    lay.cells["total_grade"] = g.formula(t, COL["grade"], f'IF(ISNUMBER({s}),{grade_formula(s, bands)},"")',
                                         grade_value(mean, bands) if mean != "" else "", "grade", bold=True)
    g.text(t, COL["opinion"], "", st.label())
    ws.set_row(t, 24)

    # typing checks
    g.validate(FIRST_ROW, COL["budget"], last, COL["execution"], decimal_rule(
        0, title="金额（万元）", message="请填写数字，单位万元，不能为负数。",
        error="金额应为不小于 0 的数字（单位：万元）。"))
    rt, bl = ref(FIRST_ROW, COL["returned"]), ref(FIRST_ROW, COL["balance"])
    g.validate(FIRST_ROW, COL["returned"], last, COL["returned"], custom_rule(
        f"AND(ISNUMBER({rt}),{rt}>=0,OR(NOT(ISNUMBER({bl})),{rt}<={bl}+{EPS}))",
        title="结余交回财政数（万元）", message="应在 0 与本行结余数之间。",
        error="结余交回财政数应为数字，且在 0 与结余数（预算数 － 执行数）之间。"))
    g.validate(FIRST_ROW, COL["score"], last, COL["score"], decimal_rule(
        0, 100, title="自评得分", message="请填写 0–100 之间的分数。", error="自评得分应为 0–100 之间的数字。"))

    # live warnings
    d, e = ref(FIRST_ROW, COL["budget"], col_abs=True), ref(FIRST_ROW, COL["execution"], col_abs=True)
    g.flag(FIRST_ROW, COL["execution"], t, COL["execution"], f"AND(ISNUMBER({d}),ISNUMBER({e}),{e}>{d})")
    rt, bl = ref(FIRST_ROW, COL["returned"], col_abs=True), ref(FIRST_ROW, COL["balance"], col_abs=True)
    g.flag(FIRST_ROW, COL["returned"], t, COL["returned"],
           f"AND(ISNUMBER({rt}),ISNUMBER({bl}),{rt}>{bl}+{EPS})")

    n = t + 1
    g.text(n, 0, "注：浅黄色单元格为填写区；执行率、结余数、评价等级和合计行由公式自动计算，请勿改写。"
                 "执行数超过预算数、交回数超过结余数时单元格变红。", st.line(), n, LAST_COL)
    g.text(n + 1, 0, "填表人：", st.line("right"), n + 1, 1)
    g.input(n + 1, 2, "text")
    g.text(n + 1, 3, "联系电话：", st.line("right"))
    g.input(n + 1, 4, "text", n + 1, 5)
    g.text(n + 1, 6, "填报日期：", st.line("right"))
    g.input(n + 1, 7, "text", n + 1, 8)

    finish_sheet(g, freeze=(FIRST_ROW, 0), last_row=n + 1, last_col=LAST_COL, repeat=(HEADER_ROW, HEADER_ROW), landscape=True)

    instructions_sheet(wb, st, TITLE, [
        ("填写方法", [
            INPUT_AREA,
            ("项目行", f"本表预留 {rows} 行。每个项目填一行，不用的行留空，公式列会自动保持空白；"
                       "行数不够时，可用 xltool template summary --rows 行数 重新生成。"),
            ("金额单位", "金额一律以万元为单位填写数字，不要带“万元”等文字，不要以文本形式粘贴数字。"),
        ]),
        ("各栏填写内容", [
            *[(label, hint) for _, label, _, hint in COLUMNS if _ not in ("rate", "balance", "grade")],
        ]),
        ("自动计算的栏目", [
            ("执行率", "= 执行数 ÷ 预算数（调整后）。预算数为 0 且执行数为 0 时按 "
                       f"{profile.zero_budget_rate:.0%} 计；预算数、执行数未填齐时留空。"),
            ("结余数", "= 预算数（调整后）－ 执行数。"),
            ("评价等级", f"按自评得分分档（地区配置“{profile.title}”）：{bands.describe()}。"),
            ("合计行", "预算数、执行数、结余交回财政数为各项目之和；结余数 = 预算数合计 － 执行数合计；"
                       "执行率 = 执行数合计 ÷ 预算数合计；"
                       "自评得分为各项目得分的平均值（单位整体得分），评价等级按该平均分确定。"),
        ]),
        ("自动提示", [
            ("变红的单元格", "执行数大于预算数（超预算支出），或结余交回财政数大于结余数时，单元格变红，请核实。"),
            ("输入限制", "金额须为不小于 0 的数字，自评得分须在 0–100 之间，交回数不能超过结余数；"
                         "输入不符合时 Excel 会拒绝并提示原因。"),
            ("核查", "填完后可运行 xltool check 文件名 进行核查，工具会重算派生数据并标出问题单元格。"),
        ]),
    ])
    return lay
