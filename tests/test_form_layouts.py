"""Layout invariance for the forms (issue 9): the national project form and seed 004's weighted form,
drawn in memory under random layouts (hypothesis), read and checked without a file.

Layout changes: position on the sheet, title rows, goal rows, the order of the indicator columns, 三级指标
over one or two merged columns, 一级/二级 merged down / written once / repeated, numbers typed as text
(also full-width digits), rates as 0.9804 / 98.04 under "(%)" / "98.04%", an extra column, notes below,
and for the weighted form the fund block with labels left of or above their values and a one- or
two-row indicator header (自评得分 over 单项指标得分 / 权重占比 / 折算得分).

Properties: a clean form gives no error in any layout; one error injected into a derived cell (总分,
执行率, 执行率得分, a 折算得分, 自评得分, 预算执行进度) gives exactly that cell and nothing else; the results
(total, rate, count) are the same in every layout.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xltool import profiles
from xltool.cells import a1
from xltool.engine import check_sheet
from xltool.io.book import Sheet

NATIONAL = profiles.load("national")
HEBEI = profiles.load("hebei")
_FULL = str.maketrans("0123456789.", "０１２３４５６７８９．")
SETTINGS = settings(max_examples=220, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


class Grid:
    def __init__(self):
        self.cells: dict[tuple[int, int], object] = {}
        self.merged: list[tuple[int, int, int, int]] = []

    def put(self, r, c, v):
        if v is not None and v != "":
            self.cells[(r, c)] = float(v) if isinstance(v, int) and not isinstance(v, bool) else v

    def merge(self, r0, c0, r1, c1, v=None):
        self.put(r0, c0, v)
        if (r0, c0) != (r1, c1):
            self.merged.append((r0, c0, r1, c1))

    def sheet(self, name="表") -> Sheet:
        nr = max(r for r, _ in self.cells) + 1
        nc = max(c for _, c in self.cells) + 1
        rows = [["" for _ in range(nc)] for _ in range(nr)]
        for (r, c), v in self.cells.items():
            rows[r][c] = v
        return Sheet(name, 0, rows, list(self.merged))


@dataclass(frozen=True)
class FormLayout:
    dx: int
    dy: int
    title_rows: int
    goals: int
    order_seed: int
    name_span: int  # 三级指标 over 1 or 2 columns
    levels: str  # merged | once | repeated
    text_share: float
    fullwidth: bool
    rate_style: str  # fraction | percent | text
    extra_column: bool
    notes: bool
    fund_above: bool  # weighted form only
    two_row_header: bool  # weighted form only


layouts = st.builds(
    FormLayout, dx=st.integers(0, 3), dy=st.integers(0, 3), title_rows=st.integers(1, 3), goals=st.integers(0, 3),
    order_seed=st.integers(0, 10_000), name_span=st.integers(1, 2), levels=st.sampled_from(["merged", "once", "repeated"]),
    text_share=st.sampled_from([0.0, 0.0, 0.3, 1.0]), fullwidth=st.booleans(),
    rate_style=st.sampled_from(["fraction", "percent", "text"]), extra_column=st.booleans(), notes=st.booleans(),
    fund_above=st.booleans(), two_row_header=st.booleans(),
)


def _num(v, lay: FormLayout, rng: random.Random, decimals: int | None = None):
    """A number as the layout writes it: a number, or text (full-width digits when asked)."""
    if rng.random() >= lay.text_share:
        return v
    t = f"{v:.{decimals}f}" if decimals is not None else str(v)
    return t.translate(_FULL) if lay.fullwidth else t


def _rate(v, lay: FormLayout):
    """(value, label suffix) for a rate: 0.9804 / 98.04 under (%) / "98.04%"."""
    if lay.rate_style == "percent":
        return round(v * 100, 2), "(%)"
    if lay.rate_style == "text":
        return f"{v * 100:.2f}%", ""
    return round(v, 4), ""


def _heading(g: Grid, lay: FormLayout, titles: tuple[str, ...], width: int, pairs: tuple[tuple[int, str], ...]) -> int:
    """Title rows and one row of heading fields ((column offset, text), …); returns the next free row."""
    r, x = lay.dy, lay.dx
    for i in range(lay.title_rows):
        g.merge(r, x, r, x + width, titles[i])
        r += 1
    for c, t in pairs:
        g.put(r, x + c, t)
    return r + 1


def _goals(g: Grid, lay: FormLayout, r: int, labels: tuple[str, str, str], done: str) -> int:
    """The 年度总体目标 block with ``lay.goals`` goal rows; returns the next free row."""
    x = lay.dx
    g.merge(r, x, r + lay.goals, x, labels[0])
    g.put(r, x + 1, labels[1])
    g.put(r, x + 5, labels[2])
    for i in range(lay.goals):
        g.put(r + 1 + i, x + 1, f"目标{i + 1}：保障运转")
        g.put(r + 1 + i, x + 5, done.format(i + 1))
    return r + lay.goals + 1


def _levels(g: Grid, lay: FormLayout, rows, first: int, cols: dict[str, int]) -> None:
    """一级/二级 cells: merged down their rows, written once, or repeated on every row."""
    prev = (None, None)
    for i, row in enumerate(rows):
        for k, col in enumerate(("level1", "level2")):
            val = row[k]
            if lay.levels != "repeated" and val == prev[k] and (k == 0 or row[0] == prev[0]):
                continue
            span = 1
            if lay.levels == "merged":
                while i + span < len(rows) and rows[i + span][k] == val and (k == 0 or rows[i + span][0] == row[0]):
                    span += 1
            g.merge(first + i, cols[col], first + i + span - 1, cols[col], val)
        prev = (row[0], row[1])


def _order(lay: FormLayout, roles: list[str], start: int, rng: random.Random, fixed_tail: int = 0) -> dict[str, int]:
    """Level columns first, 三级指标 over ``name_span`` columns, then ``roles`` shuffled (the last
    ``fixed_tail`` kept together at the end)."""
    front, back = roles[:len(roles) - fixed_tail], roles[len(roles) - fixed_tail:]
    rng.shuffle(front)
    cols = {"level1": start, "level2": start + 1, "level3": start + 2}
    for i, role in enumerate(front + back):
        cols[role] = start + 2 + lay.name_span + i
    return cols


# ---------------------------------------------------------------- national project form

PF_INDICATORS = [  # 一级, 二级, 三级, 指标值, 完成值, 分值, 得分, 偏差原因
    ("产出指标", "数量指标", "受益学生人次", "≥5000人次", "5260人次", 15, 15, ""),
    ("产出指标", "数量指标", "校舍维修改造面积", "≥3000平方米", "3120平方米", 10, 10, ""),
    ("产出指标", "质量指标", "教育经费使用合规率", "=100%", "100%", 10, 10, ""),
    ("产出指标", "时效指标", "资金按时拨付率", "=100%", "98%", 10, 9.8, "尾款次年支付"),
    ("产出指标", "成本指标", "生均公用经费补助标准", "≤200元", "195元", 5, 5, ""),
    ("效益指标", "社会效益指标", "办学条件改善情况", "明显改善", "达成年度指标", 15, 15, ""),
    ("效益指标", "社会效益指标", "义务教育巩固率", "≥99%", "100%", 15, 15, ""),
    ("满意度指标", "服务对象满意度指标", "学生及家长满意度", "≥90%", "95%", 10, 10, ""),
]
PF_ROLES = ["target", "actual", "points", "score", "reason"]
PF_LABELS = {"target": "年度指标值", "actual": "实际完成值", "points": "分值", "score": "得分", "reason": "偏差原因分析及改进措施"}


def render_project(lay: FormLayout, inject: str | None = None):
    """The national project form; returns (sheet, {name: A1 of a derived cell}). ``inject`` changes one."""
    rng = random.Random(lay.order_seed)
    g = Grid()
    x = lay.dx
    r = _heading(g, lay, ("项目支出绩效自评表", "（2023年度）", "填报日期：2024年1月"), 8,
                 ((0, "项目名称"), (1, "2023年镇级教育经费"), (4, "主管部门"), (5, "某镇人民政府")))
    rate_v, rate_suffix = _rate(1311.752 / 1338, lay)
    exec_score = 9.8
    total = 99.6
    refs = {}
    if inject == "rate":
        rate_v, _ = _rate(0.90, lay)
    if inject == "exec_score":
        exec_score, total = 9.0, 98.8
    if inject == "total":
        total = 97.6
    fr = r
    g.merge(fr, x, fr + 3, x, "项目资金（万元）")
    for c, t in zip(range(2, 8), ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率" + rate_suffix, "得分")):
        g.put(fr, x + c, t)
    funds = [("年度资金总额", 1300, 1338, 1311.752), ("其中：当年财政拨款", 1300, 1338, 1311.752), ("上年结转资金", 0, 0, 0)]
    for i, (lab, a, b, e) in enumerate(funds):
        rr = fr + 1 + i
        g.put(rr, x + 1, lab)
        for c, v in ((2, a), (3, b), (4, e)):
            g.put(rr, x + c, _num(v, lay, rng))
        if i == 0:
            g.put(rr, x + 5, _num(10, lay, rng))
            g.put(rr, x + 6, rate_v if isinstance(rate_v, str) else _num(rate_v, lay, rng))
            g.put(rr, x + 7, _num(exec_score, lay, rng))
            refs["rate"], refs["exec_score"] = a1(rr, x + 6), a1(rr, x + 7)
    r = _goals(g, lay, fr + 4, ("年度总体目标", "预期目标", "实际完成情况"), "已完成")
    cols = _order(lay, PF_ROLES[:], x, rng)
    last = max(cols.values())
    h = r
    g.put(h, cols["level1"], "一级指标")
    g.put(h, cols["level2"], "二级指标")
    g.merge(h, cols["level3"], h, cols["level3"] + lay.name_span - 1, "三级指标")
    for role in PF_ROLES:
        g.put(h, cols[role], PF_LABELS[role])
    if lay.extra_column:
        g.put(h, last + 1, "备注")
    first = h + 1
    t = points_rows(g, lay, rng, PF_INDICATORS, first, cols, "无")
    g.merge(t, x, t, x + 2, "总分")
    g.put(t, cols["points"], _num(100, lay, rng))
    g.put(t, cols["score"], _num(total, lay, rng))
    refs["total"] = a1(t, cols["score"])
    if lay.notes:
        g.put(t + 2, x, "填报人：张三")
        g.put(t + 3, x, "注：得分保留一位小数。")
    return g.sheet("项目支出绩效自评表"), refs


def points_rows(g: Grid, lay: FormLayout, rng: random.Random, indicators, first: int, cols: dict[str, int],
                extra: str) -> int:
    """A points form's indicator rows (一级, 二级, 三级, 指标值, 完成值, 分值, 得分, 偏差原因) from row ``first``;
    ``extra`` fills the extra column. Returns the row below them."""
    last = max(cols.values())
    _levels(g, lay, indicators, first, cols)
    for i, (_, _, name, target, actual, pts, got, why) in enumerate(indicators):
        rr = first + i
        g.merge(rr, cols["level3"], rr, cols["level3"] + lay.name_span - 1, name)
        for role, v in (("target", target), ("actual", actual), ("reason", why)):
            g.put(rr, cols[role], v)
        g.put(rr, cols["points"], _num(pts, lay, rng))
        g.put(rr, cols["score"], _num(got, lay, rng))
        if lay.extra_column:
            g.put(rr, last + 1, extra)
    return first + len(indicators)


def _errors(findings):
    return sorted((f.rule, f.cell) for f in findings if f.severity == "error")


@SETTINGS
@given(layouts)
def test_project_form_clean_in_every_layout(lay):
    sheet, _ = render_project(lay)
    rep, findings = check_sheet(sheet, NATIONAL)
    assert rep.kind == "project-form"
    assert _errors(findings) == []
    res = rep.results
    assert (res["indicator_count"], res["total_score"], res["execution_rate"], res["points_total"]) == (8, 99.6, 0.9804, 100)
    assert res["budget"] == 1338 and res["execution"] == 1311.752


@SETTINGS
@given(layouts, st.sampled_from(["rate", "exec_score", "total"]))
def test_project_form_one_injected_error_at_its_cell(lay, where):
    sheet, refs = render_project(lay, inject=where)
    _, findings = check_sheet(sheet, NATIONAL)
    errs = _errors(findings)
    assert len(errs) == 1 and errs[0][1] == refs[where], (where, errs)


# ---------------------------------------------------------------- seed 004's weighted form (Hebei)

WF_ROWS = [  # 一级, 二级, 三级, 预期指标值, 单位, 实际完成值, 等级, 单项得分, 权重%, 折算得分
    ("产出指标", "数量指标", "困难群众补助人数", "≥300", "人", "320", "优", 95, 20, 19),
    ("产出指标", "质量指标", "补助发放准确率", "100%", "百分号", "100%", "优", 95, 20, 19),
    ("产出指标", "时效指标", "补助发放及时率", "100%", "百分号", "100%", "优", 95, 10, 9.5),
    ("效益指标", "社会效益指标", "改善村级面貌", "明显改善", "文字描述", "明显改善", "优", 95, 30, 28.5),
    ("满意度指标", "服务对象满意度指标", "群众满意度", "≥95%", "百分号", "98%", "优", 95, 10, 9.5),
    ("预算执行率", "预算执行率", "预算执行率", "100%", "百分号", "75.24%", "", 75.24, 10, 7.5),
]
WF_ROLES = ["target", "unit", "actual", "grade", "score", "weight", "weighted"]
WF_LABELS = {"target": "预期指标值", "unit": "单位（文字描述）", "actual": "单项指标实际完成值", "grade": "单项指标完成等级",
             "score": "单项指标得分", "weight": "权重占比(%)", "weighted": "单项指标折算得分"}


def render_weighted(lay: FormLayout, inject: str | None = None):
    rng = random.Random(lay.order_seed)
    g = Grid()
    x = lay.dx
    r = _heading(g, lay, ("2023年度部门整体绩效自评表", "（2023年度）", "单位：万元"), 10,
                 ((0, "一、基本情况"), (1, "实施主管部门"), (3, "姜各庄镇人民政府")))
    refs = {}
    progress = 75.24 if inject != "progress" else 80.0
    fr = r
    g.merge(fr, x, fr + 3, x, "二、预算执行情况")
    if lay.fund_above:
        for c, t in ((1, "资金来源"), (2, "预算数（调整后）"), (4, "到位数"), (6, "执行数"), (8, "预算执行进度(%)")):
            g.put(fr, x + c, t)
        g.put(fr + 1, x + 1, "合计")
        for c, v in ((2, 3746.68), (4, 2819.17), (6, 2819.17), (8, progress)):
            g.put(fr + 1, x + c, _num(v, lay, rng))
        refs["progress"] = a1(fr + 1, x + 8)
        g.put(fr + 2, x + 1, "其中：财政资金")
        for c, v in ((2, 3746.68), (4, 2819.17), (6, 2819.17)):
            g.put(fr + 2, x + c, _num(v, lay, rng))
        g.put(fr + 3, x + 1, "其他")
    else:
        g.put(fr, x + 1, "预算安排情况（调整后）")
        g.put(fr, x + 4, "资金到位情况")
        g.put(fr, x + 6, "资金执行情况")
        g.merge(fr, x + 8, fr, x + 9, "预算执行进度(%)")
        for c, lab, v in ((1, "预算数", 3746.68), (4, "到位数", 2819.17), (6, "执行数", 2819.17)):
            g.put(fr + 1, x + c, lab)
            g.put(fr + 1, x + c + 1, _num(v, lay, rng))
            g.put(fr + 2, x + c, "其中：财政资金")
            g.put(fr + 2, x + c + 1, _num(v, lay, rng))
            g.put(fr + 3, x + c, "其他")
        g.merge(fr + 1, x + 8, fr + 3, x + 9, _num(progress, lay, rng))
        refs["progress"] = a1(fr + 1, x + 8)
    r = _goals(g, lay, fr + 4, ("三、目标完成情况", "年度预期目标", "具体完成情况"), "目标{}完成情况：已完成")
    back = WF_ROLES[4:]  # 自评得分's three columns stay together under their parent
    cols = _order(lay, WF_ROLES[:], x + 1, rng, fixed_tail=3)
    h1 = r
    h2 = r + 1 if lay.two_row_header else r
    g.merge(h1, x, h1 + len(WF_ROWS) + (1 if lay.two_row_header else 0), x, "四、年度绩效指标完成情况")
    for role, lab in (("level1", "一级指标"), ("level2", "二级指标")):
        g.merge(h1, cols[role], h2, cols[role], lab)
    g.merge(h1, cols["level3"], h2, cols["level3"] + lay.name_span - 1, "三级指标")
    for role in WF_ROLES:
        if lay.two_row_header and role in back:
            g.put(h2, cols[role], WF_LABELS[role])
        else:
            g.merge(h1, cols[role], h2, cols[role], WF_LABELS[role])
    if lay.two_row_header:
        g.merge(h1, cols["score"], h1, cols["weighted"], "自评得分")
    first = h2 + 1
    _levels(g, lay, WF_ROWS, first, cols)
    for i, row in enumerate(WF_ROWS):
        rr = first + i
        _, _, name, target, unit, actual, grade, score, weight, weighted = row
        if inject == "weighted" and i == 0:
            weighted = 20
        g.merge(rr, cols["level3"], rr, cols["level3"] + lay.name_span - 1, name)
        for role, v in (("target", target), ("unit", unit), ("actual", actual), ("grade", grade)):
            g.put(rr, cols[role], v)
        for role, v in (("score", score), ("weight", weight), ("weighted", weighted)):
            g.put(rr, cols[role], _num(v, lay, rng))
        if i == 0:
            refs["weighted"] = a1(rr, cols["weighted"])
    tot = sum(row[9] for row in WF_ROWS)
    t = first + len(WF_ROWS)
    g.merge(t, x, t, cols["weighted"] - 1, "自评得分")
    total = round(tot, 2) if inject != "total" else 95
    g.put(t, cols["weighted"], _num(total, lay, rng))
    refs["total"] = a1(t, cols["weighted"])
    if lay.notes:
        g.put(t + 1, x, "填报人：")
        g.put(t + 2, x, "说明：1.预算执行率权重固定为10%。")
    return g.sheet("部门整体绩效自评表"), refs


@SETTINGS
@given(layouts)
def test_weighted_form_clean_in_every_layout(lay):
    sheet, _ = render_weighted(lay)
    for profile in (NATIONAL, HEBEI):
        rep, findings = check_sheet(sheet, profile)
        assert rep.kind == "weighted-form"
        assert _errors(findings) == []
        res = rep.results
        assert (res["indicator_count"], res["total_score"], res["execution_rate"], res["weight_total"]) == (6, 93.0, 0.7524, 100)
        assert (res["budget"], res["arrived"], res["execution"]) == (3746.68, 2819.17, 2819.17)


@SETTINGS
@given(layouts, st.sampled_from(["progress", "weighted", "total"]))
def test_weighted_form_one_injected_error_at_its_cell(lay, where):
    sheet, refs = render_weighted(lay, inject=where)
    _, findings = check_sheet(sheet, HEBEI)
    errs = _errors(findings)
    if where == "weighted":  # 折算得分 20 for 19: the 自评得分 93 is right once it is corrected (a warning)
        assert errs == [("WF004", refs[where])]
        assert {(f.rule, f.cell) for f in findings if f.severity == "warning" and f.rule != "IN001"} <= {("WF009", refs["total"])}
    else:
        assert len(errs) == 1 and errs[0][1] == refs[where], (where, errs)
