"""部门整体绩效自评表, weighted layout — Hebei's form (seed 004, DOMAIN.md §1 C). Grid A–L:

    一、基本情况      | 实施主管部门 | …            | 金额单位 | 万元
    二、预算执行情况  | 预算数 | … | 到位数 | … | 执行数 | … | 预算执行进度(%)
    三、目标完成情况  | 年度预期目标 | 具体完成情况 | 总体完成率(%)
    四、年度绩效指标完成情况 (two header rows)
      一级 | 二级 | 三级 | 指标说明 | 预期指标值 | 单位（文字描述） | 单项指标实际完成值 | 单项指标完成等级 |
      自评得分 → 单项指标得分 | 权重占比(%) | 单项指标折算得分
      … 预算执行率 row (fixed weight, 单项得分 from the execution rate) …
    自评得分 | Σ 折算得分
"""

from __future__ import annotations

from xltool.template.base import (
    EPS, INPUT_AREA, custom_rule, decimal_rule, finish_sheet, grade_formula, grade_value, instructions_sheet,
    isnum, Layout, list_rule, new_sheet, num_literal, rate_formula, rate_value, ref, rng, xcount, xsum,
)

KIND = "weighted-form"
TITLE = "部门整体绩效自评表"
DESCRIPTION = "部门整体绩效自评表（权重折算，河北格式）：自动计算资金合计、预算执行进度、折算得分、自评得分和评价等级"
FILE_NAME = "部门整体绩效自评表（权重折算）.xlsx"
SHEET = "部门整体绩效自评表"

LAST_COL = 11  # L
FRAME = (
    ("产出指标", (("数量指标", 2), ("质量指标", 2), ("时效指标", 1), ("成本指标", 1))),
    ("效益指标", (("经济效益指标", 1), ("社会效益指标", 1), ("生态效益指标", 1), ("可持续影响指标", 1))),
    ("满意度指标", (("服务对象满意度指标", 2),)),
)
GOAL_ROWS = 5
WIDTHS = (8, 9, 10, 12, 10, 9, 10, 10, 9, 9, 8, 10)  # one A4 portrait page at about 84 %


def title_text(year: int | None, unit: str | None) -> str:
    return f"{unit or ''}{f'{year}年度' if year else ''}{TITLE}"


def band_condition(grade: str, score: str, bands) -> str:
    """Excel condition: ``score`` lies in the band of the grade written in ``grade``."""
    parts = []
    prev = None
    for low, word in bands.bands:
        conds = [f'{grade}="{word}"']
        if low > 0 or prev is None:
            conds.append(f"{score}>={num_literal(low)}")
        if prev is not None:
            conds.append(f"{score}<{num_literal(prev)}")
        parts.append(f"AND({','.join(conds)})")
        prev = low
    return f"OR({','.join(parts)})"


def build(wb, st, profile, *, year=None, unit=None, data=None) -> Layout:
    ws, lay, g = new_sheet(wb, st, KIND, SHEET, data, WIDTHS)
    form_bands = profile.bands("form")
    ind_bands = profile.bands("indicator")
    zbr = profile.zero_budget_rate

    g.text(0, 0, title_text(year, unit), st.title(), 0, LAST_COL)
    ws.set_row(0, 34)

    # 一、基本情况
    g.text(1, 0, "一、基本情况", st.label(bold=True))
    g.text(1, 1, "实施主管部门", st.label(), 1, 2)
    lay.cells["department"] = g.input(1, 3, "text", 1, 7, value=unit)
    g.text(1, 8, "金额单位", st.label(), 1, 9)
    g.text(1, 10, "万元", st.label(), 1, LAST_COL)
    ws.set_row(1, 22)

    # 二、预算执行情况
    g.text(2, 0, "二、预算执行情况", st.label(bold=True), 5, 0)
    for c0, c1, label, hint in (
        (1, 3, "预算安排情况（调整后）", "填写调整后的预算数（万元）。"),
        (4, 6, "资金到位情况", "填写实际到位的资金（万元）。"),
        (7, 9, "资金执行情况", "填写实际支出的资金（万元），超过预算数时变红。"),
        (10, LAST_COL, "预算执行进度(%)", "自动计算：执行数 ÷ 预算数 × 100。"),
    ):
        g.text(2, c0, label, st.header(), 2, c1)
        g.hint(2, c0, label.split("(")[0], hint)
    ws.set_row(2, 30)
    blocks = ((1, "预算数", "budget"), (4, "到位数", "arrived"), (7, "执行数", "execution"))
    for c, total_label, name in blocks:
        g.text(3, c, total_label, st.label())
        for k, part in enumerate(("其中：财政资金", "其他")):
            g.text(4 + k, c, part, st.label())
            g.input(4 + k, c + 1, "amount", 4 + k, c + 2)
            lay.cells[f"fund_{name}_{k + 1}"] = ref(4 + k, c + 1)
        col = rng(4, c + 1, 5, c + 1)
        vals = [g.get(4, c + 1), g.get(5, c + 1)]
        lay.cells[f"fund_{name}"] = g.formula(3, c + 1, f'IF(COUNT({col})=0,"",SUM({col}))',
                                              xsum(vals) if xcount(vals) else "", "amount", 3, c + 2)
    b, e = ref(3, 2), ref(3, 8)
    progress = rate_value(g.get(3, 2), g.get(3, 8), zbr, times100=True)
    lay.cells["fund_progress"] = g.formula(3, 10, rate_formula(b, e, zbr, times="*100"), progress, "pct", 5,
                                           LAST_COL, align="center")
    for r in range(3, 6):
        ws.set_row(r, 20)

    # 三、目标完成情况
    gh = 6
    gl = gh + GOAL_ROWS
    g.text(gh, 0, "三、目标完成情况", st.label(bold=True), gl, 0)
    g.text(gh, 1, "年度预期目标", st.header(), gh, 5)
    g.text(gh, 6, "具体完成情况", st.header(), gh, 9)
    g.text(gh, 10, "总体完成率(%)", st.header(), gh, LAST_COL)
    g.hint(gh, 1, "年度预期目标", "每行填写一项年度预期目标，如“目标1：……”。")
    g.hint(gh, 6, "具体完成情况", "对照左边的目标写明完成情况。")
    g.hint(gh, 10, "总体完成率(%)", "填写 0–100 之间的百分数，如 95 表示 95%。")
    for k in range(GOAL_ROWS):
        r = gh + 1 + k
        g.input(r, 1, "text", r, 5)
        g.input(r, 6, "text", r, 9)
        ws.set_row(r, 36)
    lay.cells["goal_rate"] = g.input(gh + 1, 10, "pct", gl, LAST_COL, align="center")
    g.validate(gh + 1, 10, gh + 1, 10, decimal_rule(
        0, 100, title="总体完成率(%)", message="填写 0–100 之间的百分数。", error="总体完成率应为 0–100 之间的数字。"))

    # 四、年度绩效指标完成情况
    h1 = gl + 1
    h2 = h1 + 1
    first = h2 + 1
    n_rows = sum(n for _, parts in FRAME for _, n in parts)
    ex = first + n_rows  # the 预算执行率 row
    g.text(h1, 0, "四、年度绩效指标完成情况", st.label(bold=True), ex, 0)
    for c, label, hint in (
        (1, "一级指标", "产出指标 / 效益指标 / 满意度指标，已预填，可修改。"),
        (2, "二级指标", "已按标准格式预填，可修改。"),
        (3, "三级指标", "填写具体的三级指标名称；不用的行留空。"),
        (4, "指标说明", "简要说明指标含义。"),
        (5, "预期指标值", "填写目标值，如“≥95%”“2819.17”。"),
        (6, "单位（文字描述）", "指标值的单位或文字描述，如“万元”“百分号”。"),
        (7, "单项指标实际完成值", "填写实际完成值。"),
        (8, "单项指标完成等级", "从下拉列表选择：" + "、".join(ind_bands.words) + "。"),
    ):
        g.text(h1, c, label, st.header(), h2, c)
        g.hint(h1, c, label[:32], hint)
    g.text(h1, 9, "自评得分", st.header(), h1, LAST_COL)
    for c, label, hint in (
        (9, "单项指标得分", "按完成等级给分（0–100）：" + ind_bands.describe() + "。"),
        (10, "权重占比(%)", f"各项权重之和应为 100，其中预算执行率固定为 {profile.execution_weight:g}。"),
        (11, "单项指标折算得分", "自动计算：单项指标得分 × 权重占比。"),
    ):
        g.text(h2, c, label, st.header())
        g.hint(h2, c, label, hint)
    ws.set_row(h1, 22)
    ws.set_row(h2, 40)

    r = first
    for level1, parts in FRAME:
        start = r
        for level2, n in parts:
            g.input(r, 2, "label", r + n - 1 if n > 1 else None, 2 if n > 1 else None, value=level2)
            lay.groups[level2] = [r + 1 + k for k in range(n)]
            r += n
        g.input(start, 1, "label", r - 1, 1, value=level1)
    for r in range(first, ex):
        lay.rows.append(r + 1)
        g.input(r, 3, "text")
        g.input(r, 4, "text")
        g.input(r, 5, "target")
        g.input(r, 6, "text", align="center")
        g.input(r, 7, "text", align="center")
        g.input(r, 8, "grade")
        g.input(r, 9, "points", align="center")
        g.input(r, 10, "weight", align="center")
        j, k = ref(r, 9), ref(r, 10)
        jv, kv = g.get(r, 9), g.get(r, 10)
        g.formula(r, 11, f'IF(AND(ISNUMBER({j}),ISNUMBER({k})),{j}*{k}/100,"")',
                  jv * kv / 100 if isnum(jv) and isnum(kv) else "", "score")
        ws.set_row(r, 30)
    lay.columns.update({"level1": "B", "level2": "C", "name": "D", "desc": "E", "target": "F", "unit": "G",
                        "actual": "H", "grade": "I", "score": "J", "weight": "K", "weighted": "L"})

    # the 预算执行率 row: rate from the fund block, score by the profile's rule, fixed weight
    for c in (1, 2, 3):
        g.text(ex, c, "预算执行率", st.label())
    for c in (4, 5, 6):
        g.text(ex, c, "", st.label())
    rate = rate_value(g.get(3, 2), g.get(3, 8), zbr)
    lay.cells["exec_rate"] = g.formula(ex, 7, rate_formula(b, e, zbr), rate, "rate")
    g.text(ex, 8, "", st.label())
    # The weighted layout defines this score itself (seed 004 note 3): 执行率 × 100, capped at 100.
    h = ref(ex, 7)
    item = min(max(rate, 0), 1) * 100 if isnum(rate) else ""
    lay.cells["exec_score"] = g.formula(ex, 9, f'IF(ISNUMBER({h}),MIN(MAX({h},0),1)*100,"")', item, "score",
                                        align="center")
    g.number(ex, 10, profile.execution_weight, st.derived("weight", align="center"))
    lay.cells["exec_weight"] = ref(ex, 10)
    j, k = ref(ex, 9), ref(ex, 10)
    lay.cells["exec_weighted"] = g.formula(
        ex, 11, f'IF(AND(ISNUMBER({j}),ISNUMBER({k})),{j}*{k}/100,"")',
        item * profile.execution_weight / 100 if isnum(item) else "", "score")
    ws.set_row(ex, 24)

    # 自评得分 and grade
    t = ex + 1
    g.text(t, 0, "自评得分", st.label(bold=True), t, 10)
    ls = rng(first, 11, ex, 11)
    lvals = g.col_values(11, first, ex)
    total = xsum(lvals) if xcount(lvals) else ""
    lay.cells["total_score"] = g.formula(t, 11, f'IF(COUNT({ls})=0,"",SUM({ls}))', total, "score", bold=True)
    gr = t + 1
    g.text(gr, 0, "评价等级", st.label(bold=True), gr, 10)
    ts = ref(t, 11)
    lay.cells["grade"] = g.formula(gr, 11, f'IF(ISNUMBER({ts}),{grade_formula(ts, form_bands)},"")',
                                   grade_value(total, form_bands) if isnum(total) else "", "grade", bold=True)
    ws.set_row(t, 24)
    ws.set_row(gr, 24)

    # typing checks
    g.validate(4, 2, 5, 2, _amount_rule())
    g.validate(4, 5, 5, 5, _amount_rule())
    g.validate(4, 8, 5, 8, _amount_rule())
    g.validate(first, 8, ex - 1, 8, list_rule(ind_bands.words, title="单项指标完成等级",
                                              message="从下拉列表选择：" + "、".join(ind_bands.words) + "。"))
    j0, i0 = ref(first, 9), ref(first, 8)
    g.validate(first, 9, ex - 1, 9, custom_rule(
        f'AND(ISNUMBER({j0}),{j0}>=0,{j0}<=100,OR({i0}="",{band_condition(i0, j0, ind_bands)}))',
        title="单项指标得分", message=("0–100 分，须与完成等级相符：" + ind_bands.describe() + "。")[:255],
        error=("单项指标得分应为 0–100 之间的数字，并与所选完成等级相符（" + ind_bands.describe() + "）。")[:255]))
    g.validate(first, 10, ex - 1, 10, decimal_rule(
        0, 100, title="权重占比(%)", message=f"填写 0–100 之间的百分数；各项之和应为 100（含预算执行率 "
                                            f"{profile.execution_weight:g}）。",
        error="权重占比应为 0–100 之间的数字。"))

    # live warnings
    fb, fe = ref(3, 2), ref(3, 8)
    g.flag(3, 8, 3, 8, f"AND(ISNUMBER({fb}),ISNUMBER({fe}),{fe}>{fb}+{EPS})")
    ia, ja = ref(first, 8, col_abs=True), ref(first, 9, col_abs=True)
    g.flag(first, 8, ex - 1, 9, f'AND({ia}<>"",ISNUMBER({ja}),NOT({band_condition(ia, ja, ind_bands)}))')
    ks = rng(first, 10, ex, 10)
    ks_in = rng(first, 10, ex - 1, 10)
    g.flag(t, 11, t, 11, f"AND(COUNT({ks_in})>0,ABS(SUM({ks})-100)>{EPS})")

    # signature and notes (seed 004's notes, with this profile's bands)
    s = gr + 1
    g.text(s, 0, "填报人：", st.line("right"), s, 1)
    g.input(s, 2, "text", s, 4)
    g.text(s, 5, "联系电话：", st.line("right"), s, 6)
    g.input(s, 7, "text", s, 9)
    ws.set_row(s, 22)
    notes = [
        "说明：",
        "1.部门整体自评得分由各单项指标的折算得分合计而成，满分为100分。",
        "2.实际完成值，即填写某项指标实际完成情况；完成等级，即对应评价标准，根据实际完成值选择填写"
        + "、".join(ind_bands.words) + f"{len(ind_bands.words)}个等级。",
        "3.单项指标得分，即根据完成等级赋予每项指标相应得分（" + ind_bands.describe() + "）；"
        "预算执行率指标得分为实际完成值（执行率）×100，最高100分。",
        f"4.权重占比，即单项指标在总分100分中所占的比重，其中预算执行率指标权重占比固定为"
        f"{profile.execution_weight:g}%，各项指标权重占比之和为100%。",
        "5.折算得分，即单项指标得分×权重占比。",
    ]
    for k, note in enumerate(notes):
        r = s + 1 + k
        g.text(r, 0, note, st.line(text_wrap=True), r, LAST_COL)
        ws.set_row(r, 18 if k == 0 else 30)
    last_row = s + len(notes)

    finish_sheet(g, freeze=(1, 0), last_row=last_row, last_col=LAST_COL, repeat=(h1, h2), one_page=True)

    instructions_sheet(wb, st, TITLE + "（权重折算）", [
        ("填写方法", [
            INPUT_AREA,
            ("预算执行情况", "只填写“其中：财政资金”和“其他”两行的预算数、到位数、执行数（万元），"
                             "合计行与预算执行进度自动计算。"),
            ("目标完成情况", "每行写一项年度预期目标及其完成情况；总体完成率填 0–100 的百分数。"),
            ("绩效指标", "一级、二级指标已预填。每个三级指标一行：填写指标说明、预期指标值、单位、实际完成值，"
                         "从下拉列表选择完成等级，再填写单项指标得分和权重占比；不用的行留空。"),
        ]),
        ("自动计算的栏目", [
            ("预算数、到位数、执行数", "= 财政资金 + 其他。"),
            ("预算执行进度(%)", "= 执行数 ÷ 预算数 × 100。"),
            ("预算执行率行", "实际完成值 = 执行数 ÷ 预算数；单项指标得分 = 执行率 × 100（最高 100 分）；"
                             f"权重固定为 {profile.execution_weight:g}%。"),
            ("单项指标折算得分", "= 单项指标得分 × 权重占比 ÷ 100（权重以百分数填写）。"),
            ("自评得分", "= 各行折算得分之和（含预算执行率行），满分 100 分。"),
            ("评价等级", f"按自评得分分档：{form_bands.describe()}。"),
        ]),
        ("自动提示", [
            ("变红的单元格", "执行数大于预算数；完成等级与单项指标得分不相符；各项权重之和不等于 100 时自评得分变红。"),
            ("输入限制", "完成等级只能从下拉列表选择；单项指标得分须在 0–100 之间并与完成等级相符；"
                         "权重占比须在 0–100 之间；金额须为不小于 0 的数字。"),
            ("核查", "填完后可运行 xltool check 文件名 进行核查，工具会重算派生数据并标出问题单元格。"),
        ]),
    ])
    return lay


def _amount_rule() -> dict:
    return decimal_rule(0, title="金额（万元）", message="请填写数字，单位万元，不能为负数。",
                        error="金额应为不小于 0 的数字（单位：万元）。")
