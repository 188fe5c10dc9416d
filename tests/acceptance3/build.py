"""Third acceptance set: workbooks laid out the way officers really hand them in, written without reading the
readers (no xltool import). Figures and wording come from the published seeds (000: 铜冶镇's projects; 004:
姜各庄镇's unit-wide form).

    python tests/acceptance3/build.py OUTDIR      # writes the workbooks and OUTDIR/expected.json

What it draws that the first two sets did not:
- one 项目支出绩效自评表 per sheet (sheets named after the projects) next to a summary of the same projects;
- two or three project forms stacked on one sheet;
- the national 部门整体支出绩效自评表 with 一级/二级 merged down and a 小计 row per 一级指标, labels beside values;
- Hebei's weighted form with merged levels and 小计 rows, and with officers' formulas (one cached value stale);
- provincial project forms checked with their own profile (湖北: 执行率 worth 20 points; 江西: by interval);
- summaries with officers' formulas, comments, conditional formats, validations, frozen panes, a print area,
  defined names, hidden rows/columns and a protected sheet;
- numbers typed the way people type them ('120万元', '1,338.75 ', ' 98.04 % ', '0.00', '-', '—', '/');
- columns in an unusual order (全年执行数 before 全年预算数, 得分 before 分值), no 序号, a 备注 column with numbers,
  元 in one column and 万元 in another, totals labelled 总计 / 合 计 / 全部项目合计.

Ground truth per file (``expected.json``, the same form as tests/acceptance2): ``errors`` are the wrong cells
(each must carry an error), ``consequences`` the cells that only follow from a wrong cell (a warning is allowed
there, an error is not); every other cell must carry no error. ``profile`` is the profile the file is checked
with; ``keeps`` what the annotated copy must keep of the officer's own workbook.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter

ORG = "铜冶镇人民政府"
UNIT_B = "姜各庄镇人民政府"

# seed 000: (index, name, budget 万元, spent 万元, score)
SEED000 = {
    1: ("2023 年镇级铜冶镇公共文化设施免费开放(乡镇文化站)", 1.5, 1.5, 100),
    3: ("2023 年镇级鹿泉区铜冶镇教育经费", 1338, 1311.752, 96),
    4: ("2023 年镇级鹿泉区铜冶镇五保、低保、扶贫及困难人员补助", 70, 68.076, 96),
    5: ("2023 年区级军队退役人员公益岗位及劳务派遣工资、保险", 101.15, 85.8582, 98),
    6: ("2023 年镇级鹿泉区铜冶镇卫生院经费补助", 317, 317, 100),
    12: ("2023 年镇级铜冶镇第一中学用电新建工程", 198, 190.7309, 97),
    27: ("2023年镇级鹿泉区铜冶镇防汛工作经费", 50, 45.999477, 97),
    28: ("2023年镇级鹿泉区铜冶镇防疫工作经费", 1064, 1009.152608, 95),
    30: ("2023年镇级鹿泉区铜冶镇信访经费", 100, 84.4365, 95),
    32: ("2023年镇级铜冶镇石铜路宣传屏项目", 35, 0, 90),
    34: ("2023 年镇级鹿泉区铜冶镇村级土地流转", 1278, 1253.05931, 98),
    35: ("2023 年镇级鹿泉区铜冶镇工程预算决算审计费", 90, 55.9782, 93),
    37: ("2023 年镇级鹿泉区铜冶镇应急办、工业、环保工作经费等", 70, 57.983, 95),
    38: ("2023 年镇级鹿泉区铜冶镇文化宣传费", 198.5, 193.65271, 98),
}
SHORT = {1: "文化站免费开放", 3: "教育经费", 4: "五保低保补助", 5: "退役人员公益岗位", 6: "卫生院经费补助",
         12: "一中用电工程", 27: "防汛工作经费", 28: "防疫工作经费", 30: "信访经费", 32: "石铜路宣传屏",
         34: "村级土地流转", 35: "预算决算审计费", 37: "应急办工作经费", 38: "文化宣传费"}
ADJUST = "评价结果{g}，调整优化支出结构，加强预算与实际支出的测算精度，确保绩效目标如期保质实现。"
GOON = "评价结果{g}，继续推进此项目。"


def grade_word(score: float) -> str:
    return "优秀" if score >= 85 else "良好" if score >= 75 else "一般" if score >= 60 else "较差"


def form_grade(score: float) -> str:
    return "优" if score >= 90 else "良" if score >= 80 else "中" if score >= 60 else "差"


@dataclass
class Project:
    idx: int
    name: str
    budget: float
    spent: float
    score: float

    @property
    def rate(self) -> float:
        return self.spent / self.budget if self.budget else 0.0

    @property
    def balance(self) -> float:
        return round(self.budget - self.spent, 6)

    @property
    def exec_score(self) -> float:
        return round(min(self.rate, 1.0) * 10, 2)

    @property
    def opinion(self) -> str:
        g = grade_word(self.score)
        return (ADJUST if self.rate < 0.9 and self.idx in (32, 35) else GOON).format(g=g)


def P(i: int) -> Project:
    n, b, s, sc = SEED000[i]
    return Project(i, n, b, s, sc)


def col(c: int) -> str:
    s = ""
    c += 1
    while c:
        c, m = divmod(c - 1, 26)
        s = chr(65 + m) + s
    return s


def a1(r: int, c: int) -> str:
    return f"{col(c)}{r + 1}"


@dataclass
class Cell:
    value: object
    fmt: str | None = None
    formula: str | None = None


@dataclass
class Sheet:
    name: str
    cells: dict = field(default_factory=dict)
    merges: list = field(default_factory=list)
    widths: dict = field(default_factory=dict)
    hooks: list = field(default_factory=list)  # callables (workbook, worksheet) for the extras

    def put(self, r, c, v, fmt=None, formula=None):
        self.cells[(r, c)] = Cell(v, fmt, formula)

    def merge(self, r1, c1, r2, c2, v=None, fmt=None):
        if v is not None:
            self.put(r1, c1, v, fmt)
        self.merges.append((r1, c1, r2, c2))


@dataclass
class Book:
    name: str
    layout: str
    via: str = "xlsxwriter"  # xlsxwriter | soffice-xlsx | soffice-xls
    sheets: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    consequences: list = field(default_factory=list)
    keeps: list = field(default_factory=list)  # what the annotated copy must keep (comments, cf, dv, names, …)
    profile: str = "national"  # the regional profile the file is checked with (xltool check --profile)

    @property
    def suffix(self) -> str:
        return ".xls" if self.via == "soffice-xls" else ".xlsx"

    def wrong(self, sheet: Sheet, cells, what: str):
        self.errors.append({"sheet": sheet.name, "cells": list(cells), "what": what})

    def follows(self, sheet: Sheet, cells, what: str):
        for c in cells:
            self.consequences.append({"sheet": sheet.name, "cell": c, "what": what})

    def truth(self) -> dict:
        return {"layout": self.layout, "via": self.via, "profile": self.profile, "errors": self.errors,
                "consequences": self.consequences, "keeps": self.keeps}


FORMATS = {
    "title": {"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"},
    "head": {"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True,
             "bg_color": "#DDEBF7"},
    "text": {"border": 1, "valign": "vcenter", "text_wrap": True},
    "plain": {},
    "n2": {"border": 1, "num_format": "0.00"},
    "n6": {"border": 1, "num_format": "#,##0.00####"},
    "thou": {"border": 1, "num_format": "#,##0.00"},
    "pct": {"border": 1, "num_format": "0.00%"},
    "pct0": {"border": 1, "num_format": "0%"},
    "n1": {"border": 1, "num_format": "0.0"},
    "int": {"border": 1, "num_format": "0"},
    "gen": {"border": 1},
}


def write_xlsx(path: Path, sheets: list[Sheet]) -> None:
    wb = xlsxwriter.Workbook(str(path))
    fmts = {k: wb.add_format(v) for k, v in FORMATS.items()}
    for sh in sheets:
        ws = wb.add_worksheet(sh.name)
        for c, w in sh.widths.items():
            ws.set_column(c, c, w)
        inside = set()
        for r1, c1, r2, c2 in sh.merges:
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    inside.add((r, c))
            cell = sh.cells.get((r1, c1), Cell(""))
            ws.merge_range(r1, c1, r2, c2, "" if cell.value is None else cell.value,
                           fmts[cell.fmt or "text"])
        for (r, c), cell in sorted(sh.cells.items()):
            if (r, c) in inside:
                continue
            f = fmts[cell.fmt] if cell.fmt else None
            if cell.formula:
                ws.write_formula(r, c, cell.formula, f, cell.value)
            elif cell.value is None:
                if f is not None:
                    ws.write_blank(r, c, None, f)
            elif isinstance(cell.value, str):
                ws.write_string(r, c, cell.value, f)
            else:
                ws.write_number(r, c, cell.value, f)
        for hook in sh.hooks:
            hook(wb, ws)
    wb.close()


# ---------------------------------------------------------------------------------------------------------------
# the national project form (财预〔2020〕10号), nine columns A–I


def indicators(p: Project, *, deficit: float | None = None):
    """(一级, 二级, 三级, 指标值, 完成值, 分值, 得分, 偏差原因) summing to the project's score with its exec score."""
    d = round(90 - (p.score - p.exec_score), 2) if deficit is None else deficit
    assert 0 <= d <= 6, (p.idx, d)
    reason = "部分工作受天气影响进度略有滞后，下一步加强统筹调度" if d else ""
    return [
        ("产出指标", "数量指标", "资金支付项目数", "≥1项", "1项", 20, 20, ""),
        ("产出指标", "质量指标", "资金使用合规率", "=100%", "100%", 15, 15, ""),
        ("产出指标", "时效指标", "资金支付及时率", "≥95%", "100%", 15, 15, ""),
        ("效益指标", "社会效益指标", "公共服务水平", "有效提升",
         "基本达成年度指标" if d else "达成年度指标", 15, round(15 - d, 2), reason),
        ("效益指标", "可持续影响指标", "长效管理机制", "逐步完善", "达成年度指标", 15, 15, ""),
        ("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%", "95%", 10, 10, ""),
    ]


@dataclass
class FormCells:
    init: str = ""
    budget: str = ""
    spent: str = ""
    rate: str = ""
    score: str = ""
    total: str = ""
    points: dict = field(default_factory=dict)  # 三级 → 得分 cell
    end: int = 0


def project_form(sh: Sheet, r0: int, p: Project, *, rate_as="pct", exec_score=None, total=None, nothing="—",
                 initial=None, ind=None, unit_org=ORG, swap_points=False, exec_first=False) -> FormCells:
    """The Ministry's form from row r0; returns where its figures are. ``swap_points``: 得分 before 分值;
    ``exec_first``: 全年执行数 before 全年预算数 in the fund block."""
    fc = FormCells()
    for c, w in enumerate((14, 12, 16, 16, 14, 14, 10, 10, 28)):
        sh.widths.setdefault(c, w)
    sh.merge(r0, 0, r0, 8, "项目支出绩效自评表", "title")
    sh.merge(r0 + 1, 0, r0 + 1, 8, "（2023年度）", "plain")
    sh.put(r0 + 2, 0, "项目名称", "text")
    sh.merge(r0 + 2, 1, r0 + 2, 8, p.name, "text")
    sh.put(r0 + 3, 0, "主管部门", "text")
    sh.merge(r0 + 3, 1, r0 + 3, 3, unit_org, "text")
    sh.put(r0 + 3, 4, "实施单位", "text")
    sh.merge(r0 + 3, 5, r0 + 3, 8, unit_org, "text")
    r = r0 + 4
    sh.merge(r, 0, r + 4, 0, "项目资金（万元）", "text")
    sh.merge(r, 1, r, 2, "", "head")
    heads = ["年初预算数", "全年执行数", "全年预算数"] if exec_first else ["年初预算数", "全年预算数", "全年执行数"]
    for i, h in enumerate(heads + ["分值", "执行率", "得分"]):
        sh.put(r, 3 + i, h, "head")
    bcol, scol = (5, 4) if exec_first else (4, 5)
    init = p.budget if initial is None else initial
    rr = r + 1
    sh.merge(rr, 1, rr, 2, "年度资金总额", "text")
    sh.put(rr, 3, init, "n6")
    sh.put(rr, bcol, p.budget, "n6")
    sh.put(rr, scol, p.spent, "n6")
    sh.put(rr, 6, 10, "int")
    if rate_as == "pct":
        sh.put(rr, 7, round(p.rate, 4), "pct")
    elif rate_as == "text":
        sh.put(rr, 7, f"{p.rate * 100:.2f}%", "text")
    elif isinstance(rate_as, tuple):  # ("formula", cached)
        sh.put(rr, 7, rate_as[1], "pct", f"={a1(rr, scol)}/{a1(rr, bcol)}")
    sh.put(rr, 8, p.exec_score if exec_score is None else exec_score, "n2")
    fc.init, fc.budget, fc.spent, fc.rate, fc.score = a1(rr, 3), a1(rr, bcol), a1(rr, scol), a1(rr, 7), a1(rr, 8)
    for k, lab in enumerate(("其中：当年财政拨款", "上年结转资金", "其他资金")):
        rr = r + 2 + k
        sh.merge(rr, 1, rr, 2, lab, "text")
        if k == 0:
            sh.put(rr, 3, init, "n6")
            sh.put(rr, bcol, p.budget, "n6")
            sh.put(rr, scol, p.spent, "n6")
        else:
            for c in (3, 4, 5):
                sh.put(rr, c, nothing, "text")
        for c in (6, 7, 8):
            sh.put(rr, c, "—", "text")
    r = r0 + 9
    sh.merge(r, 0, r + 1, 0, "年度总体目标", "text")
    sh.merge(r, 1, r, 4, "预期目标", "head")
    sh.merge(r, 5, r, 8, "实际完成情况", "head")
    sh.merge(r + 1, 1, r + 1, 4, "按计划完成项目建设和资金支付，保障各项工作正常运转，群众满意度达到90%以上。", "text")
    sh.merge(r + 1, 5, r + 1, 8, "项目按计划实施，资金按规定支付，各项工作正常运转，群众满意度95%。", "text")
    r = r0 + 11
    rows = ind or indicators(p)
    sh.merge(r, 0, r + len(rows), 0, "绩效指标", "text")
    heads = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值"]
    heads += ["得分", "分值"] if swap_points else ["分值", "得分"]
    for i, h in enumerate(heads + ["偏差原因分析及改进措施"]):
        sh.put(r, 1 + i, h, "head")
    pc, gc = (7, 6) if swap_points else (6, 7)
    start = r + 1
    for i, (l1, l2, l3, tgt, act, pts, got, why) in enumerate(rows):
        rr = start + i
        for c, v in ((3, l3), (4, tgt), (5, act), (8, why)):
            sh.put(rr, c, v, "text")
        sh.put(rr, pc, pts, "int")
        sh.put(rr, gc, got, "n2" if got != int(got) else "int")
        fc.points[l3] = a1(rr, gc)
    for level in (0, 1):  # merge 一级 and 二级 down their runs
        i = 0
        while i < len(rows):
            j = i
            while j + 1 < len(rows) and rows[j + 1][level] == rows[i][level] and (
                    level == 0 or rows[j + 1][0] == rows[i][0]):
                j += 1
            if j > i:
                sh.merge(start + i, 1 + level, start + j, 1 + level, rows[i][level], "text")
            else:
                sh.put(start + i, 1 + level, rows[i][level], "text")
            i = j + 1
    rr = start + len(rows)
    sh.merge(rr, 0, rr, 5, "总分", "text")
    stated = round(p.exec_score + sum(x[6] for x in rows), 2) if total is None else total
    sh.put(rr, pc, 100, "int")
    sh.put(rr, gc, stated, "n2")
    sh.put(rr, 8, "", "text")
    fc.total = a1(rr, gc)
    fc.end = rr
    return fc


# ---------------------------------------------------------------------------------------------------------------
# summaries


SUMMARY_HEAD = {
    "seq": "序号", "name": "项目名称", "org": "项目实施单位", "budget": "预算数（调整后）", "spent": "执行数",
    "balance": "结余数", "returned": "结余交回财政数", "rate": "执行率", "score": "自评得分", "grade": "评价等级",
    "opinion": "自评结果应用意见", "remark": "备注",
}


def summary(sh: Sheet, projects: list[Project], *, cols, heads=None, r0=0, total_label="合计", title=True,
            unit_line="单位：万元", fill_line=True, amount=None, rate_cell=None, returned=None, remark=None,
            override=None, formulas=False) -> dict:
    """A summary sheet; returns {(key, idx or 'total'): cell}. ``amount(key, v)`` → (value, fmt) for amounts;
    ``override[(key, idx)]`` puts a typed value instead of the right one."""
    heads = {**SUMMARY_HEAD, **(heads or {})}
    override = override or {}
    where = {}
    r = r0
    width = len(cols)
    if title:
        sh.merge(r, 0, r, width - 1, "铜冶镇人民政府2023年度部门绩效自评结果公开汇总表", "title")
        r += 1
    if fill_line:
        sh.merge(r, 0, r, width - 2, f"主管部门：{ORG}", "plain")
        if unit_line:
            sh.put(r, width - 1, unit_line, "plain")
        r += 1
    elif unit_line:
        sh.put(r, width - 1, unit_line, "plain")
        r += 1
    for c, k in enumerate(cols):
        sh.put(r, c, heads[k], "head")
        sh.widths.setdefault(c, 36 if k in ("name", "opinion") else 12)
    r += 1
    first = r
    amt = amount or (lambda k, v: (v, "n6"))
    for n, p in enumerate(projects):
        vals = {"seq": (n + 1, "int"), "name": (p.name, "text"), "org": (ORG, "text"),
                "budget": amt("budget", p.budget), "spent": amt("spent", p.spent),
                "balance": amt("balance", p.balance),
                "returned": returned(p) if returned else amt("returned", p.balance),
                "rate": rate_cell(p) if rate_cell else (round(p.rate, 4), "pct"),
                "score": (p.score, "int"), "grade": (grade_word(p.score), "text"), "opinion": (p.opinion, "text"),
                "remark": remark(p) if remark else ("", "text")}
        for c, k in enumerate(cols):
            v, f = override.get((k, p.idx), vals[k])
            form = None
            if formulas and k == "balance":
                form = f"={a1(r, cols.index('budget'))}-{a1(r, cols.index('spent'))}"
            if formulas and k == "rate":
                form = f"=IF({a1(r, cols.index('budget'))}=0,0,{a1(r, cols.index('spent'))}/{a1(r, cols.index('budget'))})"
            sh.put(r, c, v, f, form)
            where[(k, p.idx)] = a1(r, c)
        r += 1
    last = r - 1
    label_col = cols.index("name")
    for c, k in enumerate(cols):
        if c < label_col:
            sh.put(r, c, "", "text")
    sh.put(r, label_col, total_label, "text")
    tb = sum(p.budget for p in projects)
    ts = sum(p.spent for p in projects)
    totals = {"budget": tb, "spent": ts, "balance": sum(p.balance for p in projects),
              "returned": sum(p.balance for p in projects)}
    for c, k in enumerate(cols):
        if k in totals:
            v, f = override.get((k, "total"), amt(k, round(totals[k], 6)))
            if returned and k == "returned":
                v, f = override.get((k, "total"), ("-", "text"))
            form = f"=SUM({a1(first, c)}:{a1(last, c)})" if formulas else None
            sh.put(r, c, v, f, form)
            where[(k, "total")] = a1(r, c)
        elif k == "rate":
            v, f = override.get((k, "total"), rate_cell(Project(0, "", tb, ts, 0)) if rate_cell
                                else (round(ts / tb, 4), "pct"))
            sh.put(r, c, v, f)
            where[(k, "total")] = a1(r, c)
        elif c > label_col:
            sh.put(r, c, "", "text")
    where["first"], where["last"], where["total_row"] = first, last, r
    return where


def yuan(v: float) -> float:
    return round(v * 10000, 2)


# ---------------------------------------------------------------------------------------------------------------
# the books

R_SET = [1, 3, 4, 5, 6, 12, 27, 28, 30, 32, 34, 35]


def book_r01() -> Book:
    b = Book("R01_forms_per_sheet_clean", "汇总表 first (no 序号, 全年执行数 before 全年预算数), then one 项目支出绩效"
             "自评表 per sheet named after the project (12 sheets); every figure agrees across sheets",
             via="soffice-xlsx")
    ps = [P(i) for i in R_SET]
    s = Sheet("汇总表")
    summary(s, ps, cols=["name", "org", "spent", "budget", "balance", "returned", "rate", "score", "opinion"],
            heads={"spent": "全年执行数", "budget": "全年预算数"})
    b.sheets.append(s)
    for k, p in enumerate(ps):
        f = Sheet(SHORT[p.idx])
        project_form(f, 0, p, nothing=("", "-", "—", "/")[k % 4])
        b.sheets.append(f)
    return b


def book_r02() -> Book:
    b = Book("R02_forms_per_sheet_mismatch", "R01's layout; the summary copies 防疫工作经费's 执行数 as 1000.152608 "
             "(the form says 1009.152608; the summary row's 结余/执行率 follow its typo) and 信访经费's score as 98 (the form's 总分 is 95)")
    ps = [P(i) for i in R_SET]
    typo = {28: Project(28, P(28).name, 1064, 1000.152608, 95), 30: Project(30, P(30).name, 100, 84.4365, 98)}
    s = Sheet("汇总表")
    where = summary(s, [typo.get(p.idx, p) for p in ps],
                    cols=["name", "org", "spent", "budget", "balance", "returned", "rate", "score", "opinion"],
                    heads={"spent": "全年执行数", "budget": "全年预算数"})
    b.sheets.append(s)
    forms = {}
    for p in ps:
        f = Sheet(SHORT[p.idx])
        forms[p.idx] = (f, project_form(f, 0, p))
        b.sheets.append(f)
    what = "汇总表 执行数 1000.152608 (its row computed from it), 自评表 1009.152608"
    b.wrong(s, [where[("spent", 28)]], what)
    b.wrong(forms[28][0], [forms[28][1].spent], what)
    what = "汇总表 自评得分 98, 自评表总分 95"
    b.wrong(s, [where[("score", 30)]], what)
    b.wrong(forms[30][0], [forms[30][1].total], what)
    return b


def book_r03() -> Book:
    b = Book("R03_stacked_forms_clean", "three project forms stacked on one sheet, two blank rows between them; "
             "执行率 as '98.04%' text in one, 0.00% numbers in the others", via="soffice-xls")
    s = Sheet("项目自评表")
    r = 0
    for k, i in enumerate((3, 27, 34)):
        fc = project_form(s, r, P(i), rate_as="text" if k == 1 else "pct")
        r = fc.end + 3
    b.sheets.append(s)
    return b


def book_r04() -> Book:
    b = Book("R04_stacked_forms_exec_score", "three forms stacked on one sheet (no gap rows); the second's "
             "执行率得分 9 for 91.99% × 10 = 9.20 (its 总分 97 is right)")
    s = Sheet("Sheet1")
    r = 0
    cells = []
    for k, i in enumerate((4, 27, 30)):
        fc = project_form(s, r, P(i), exec_score=9 if k == 1 else None,
                          total=P(i).score if k == 1 else None)
        cells.append(fc)
        r = fc.end + 1
    b.sheets.append(s)
    b.wrong(s, [cells[1].score], "执行率得分 9, 应为 9.20")
    b.follows(s, [cells[1].total], "执行率得分 9, 应为 9.20")
    return b


def book_r05() -> Book:
    b = Book("R05_summary_and_stacked_forms", "汇总表 of four projects, then one sheet 项目自评表 holding their four "
             "forms stacked (one blank row between); the third form's 全年预算数 is 1046 where the summary (and "
             "its own 年初预算数 and 其中 row) say 1064", via="soffice-xlsx")
    ps = [P(i) for i in (3, 27, 28, 34)]
    s = Sheet("汇总表")
    w = summary(s, ps, cols=["seq", "name", "org", "budget", "spent", "balance", "returned", "rate", "score",
                             "opinion"])
    b.sheets.append(s)
    f = Sheet("项目自评表")
    r, cells = 0, {}
    for p in ps:
        if p.idx == 28:  # typed 1046 for 1064 in the total row only: rate and score still from 1064
            fc = project_form(f, r, p)
            row = int(fc.budget[1:]) - 1
            f.put(row, 4, 1046, "n6")
        else:
            fc = project_form(f, r, p)
        cells[p.idx] = fc
        r = fc.end + 2
    b.sheets.append(f)
    fc = cells[28]
    b.wrong(f, [fc.budget], "全年预算数 1046 for 1064 (summary, 年初预算数 and 其中 row say 1064)")
    b.follows(f, [fc.rate, fc.score, fc.total, fc.init], "全年预算数 1046 for 1064")
    b.wrong(s, [w[("budget", 28)]], "the summary's side of the mismatch: 1064 against the form's 1046")
    return b


def book_f01() -> Book:
    b = Book("F01_form_swapped_columns_clean", "one form: fund block 全年执行数 before 全年预算数, 年初预算数 below "
             "全年预算数 (an adjustment), indicators 得分 before 分值, 其中 rows '/'", via="soffice-xlsx")
    s = Sheet("教育经费")
    project_form(s, 0, P(3), swap_points=True, exec_first=True, initial=1300, nothing="/")
    b.sheets.append(s)
    return b


def book_f02() -> Book:
    b = Book("F02_form_swapped_over_allowed", "F01's layout; 资金支付项目数 ≥3项 with 2项 done scored 20 of 20 "
             "(at most 13.33)")
    p = P(5)
    ind = indicators(p)
    ind[0] = ("产出指标", "数量指标", "资金支付项目数", "≥3项", "2项", 20, 20, "")
    s = Sheet("退役人员公益岗位")
    fc = project_form(s, 0, p, swap_points=True, exec_first=True, ind=ind, nothing="/")
    b.sheets.append(s)
    b.wrong(s, [fc.points["资金支付项目数"]], "2 of ≥3 → at most 13.33 of 20")
    b.follows(s, [fc.total], "2 of ≥3 → at most 13.33 of 20")
    return b


def book_f03() -> Book:
    b = Book("F03_form_formulas_stale_rate", "one form with officers' formulas: 执行率 =F6/E6, 得分 =MIN(H6,1)*10, "
             "总分 =I6+SUM(...); cached values stale (执行数 47.5 → 45.999477 typed, not recalculated): 95.00% and 9.5 "
             "for 92.00% and 9.20")
    p = P(27)  # 50 / 45.999477 → 92.00%; cached from before: 47.5 → 95.00%, 9.5, 97.3
    s = Sheet("防汛工作经费")
    fc = project_form(s, 0, p, rate_as=("formula", 0.95), exec_score=9.5, total=97.3)
    r = int(fc.score[1:]) - 1
    s.put(r, 8, 9.5, "n2", f"=ROUND(MIN({fc.rate},1)*10,2)")
    tr = fc.end
    s.put(tr, 7, 97.3, "n2", f"=I{r + 1}+SUM(H13:H{tr})")
    b.sheets.append(s)
    what = "执行率 95.00% and 执行率得分 9.5 (stale cache) for 45.999477/50 = 92.00% → 9.20"
    b.wrong(s, [fc.rate, fc.score], what)
    b.follows(s, [fc.total], what)
    return b


def provincial_form(p: Project, exec_points: int, exec_score: float, ind=None):
    """A project form whose 执行率 is worth ``exec_points`` (the fund block's 分值) scored ``exec_score``."""
    s = Sheet(SHORT[p.idx])
    rows = ind or indicators(p, deficit=0)
    total = round(exec_score + sum(x[6] for x in rows), 2)
    fc = project_form(s, 0, p, exec_score=exec_score, total=total, ind=rows)
    s.put(int(fc.score[1:]) - 1, 6, exec_points, "int")
    return s, fc


def book_f04() -> Book:
    b = Book("F04_hubei_exec_20_clean", "湖北 (--profile hubei): 执行率 worth 20 points (分值 20 in the fund block), "
             "19.61 for 98.04%; indicators worth 80 (数量指标 10)", via="soffice-xlsx")
    b.profile = "hubei"
    p = P(3)
    ind = indicators(p, deficit=0)
    ind[0] = ("产出指标", "数量指标", "资金支付项目数", "≥1项", "1项", 10, 10, "")
    b.sheets.append(provincial_form(p, 20, round(min(p.rate, 1) * 20, 2), ind)[0])
    return b


def book_f05() -> Book:
    b = Book("F05_jiangxi_interval_clean", "江西 (--profile jiangxi): 执行率得分 by interval, 5 for 62.20% "
             "(60–<80% → 5)", via="soffice-xls")
    b.profile = "jiangxi"
    b.sheets.append(provincial_form(P(35), 10, 5)[0])
    return b


def book_f06() -> Book:
    b = Book("F06_jiangxi_interval_wrong", "江西 (--profile jiangxi): 执行率得分 10 for 92.00% (80–<100% → 7); "
             "总分 100 follows")
    b.profile = "jiangxi"
    s, fc = provincial_form(P(27), 10, 10)
    b.sheets.append(s)
    b.wrong(s, [fc.score], "执行率得分 10 for 92.00% (interval: 7)")
    b.follows(s, [fc.total], "执行率得分 10 for 92.00% (interval: 7)")
    return b


# the national department-wide form with 小计 rows ------------------------------------------------------------

DEPT = [  # 一级, 二级, 三级, 指标值, 完成值, 分值, 得分, 偏差原因
    ("产出指标", "数量指标", "信访案件化解率", "=100%", "100%", 10, 10, ""),
    ("产出指标", "数量指标", "困难群众补助人数", "≥1200人", "1236人", 10, 10, ""),
    ("产出指标", "质量指标", "改后农厕验收合格率", "≥95%", "100%", 10, 10, ""),
    ("产出指标", "时效指标", "补贴资金发放及时率", "=100%", "100%", 10, 10, ""),
    ("产出指标", "成本指标", "人均补助标准", "按规定标准", "达成年度指标", 10, 10, ""),
    ("效益指标", "社会效益指标", "社会公共服务水平", "明显提高", "基本达成年度指标", 10, 9,
     "个别村服务点设施老化，下一步加大投入"),
    ("效益指标", "社会效益指标", "村级面貌", "明显改善", "达成年度指标", 10, 10, ""),
    ("效益指标", "生态效益指标", "农村人居环境", "持续改善", "达成年度指标", 10, 9.5, "冬季保洁频次不足，已整改"),
    ("满意度指标", "服务对象满意度指标", "群众满意度", "≥95%", "98%", 10, 10, ""),
]


def department_form(sh: Sheet, *, rows=DEPT, subtotal_override=None, total=None, rate=None):
    """部门整体支出绩效自评表 (national shape), 一级/二级 merged down, a 小计 row after each 一级."""
    budget, spent = 3746.68, 2819.17
    rt = spent / budget
    es = round(rt * 10, 2)
    where = {}
    for c, w in enumerate((12, 12, 16, 18, 14, 14, 10, 10, 26)):
        sh.widths[c] = w
    sh.merge(0, 0, 0, 8, "部门整体支出绩效自评表", "title")
    sh.merge(1, 0, 1, 8, "（2023年度）", "plain")
    sh.put(2, 0, "部门（单位）名称", "text")
    sh.merge(2, 1, 2, 4, UNIT_B, "text")
    sh.put(2, 5, "填报日期", "text")
    sh.merge(2, 6, 2, 8, "2024年4月15日", "text")
    sh.merge(3, 0, 6, 0, "年度部门预算资金（万元）", "text")
    sh.merge(3, 1, 3, 2, "", "head")
    for i, h in enumerate(("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")):
        sh.put(3, 3 + i, h, "head")
    sh.merge(4, 1, 4, 2, "年度资金总额", "text")
    for c, v in ((3, budget), (4, budget), (5, spent)):
        sh.put(4, c, v, "n2")
    sh.put(4, 6, 10, "int")
    sh.put(4, 7, rate if rate is not None else round(rt, 4), "pct")
    sh.put(4, 8, es, "n2")
    where["rate"], where["score"] = "H5", "I5"
    sh.merge(5, 1, 5, 2, "其中：财政拨款", "text")
    for c, v in ((3, budget), (4, budget), (5, spent)):
        sh.put(5, c, v, "n2")
    sh.merge(6, 1, 6, 2, "其他资金", "text")
    for c in (3, 4, 5):
        sh.put(6, c, "0.00", "text")
    sh.merge(7, 0, 8, 0, "年度总体目标", "text")
    sh.merge(7, 1, 7, 4, "预期目标", "head")
    sh.merge(7, 5, 7, 8, "实际完成情况", "head")
    sh.merge(8, 1, 8, 4, "达到社会长治久安，社会和谐稳定；解决困难群众的生活困难。", "text")
    sh.merge(8, 5, 8, 8, "信访案件化解率达100%，补贴发放及时率100%，群众满意度达95%以上。", "text")
    r = 9
    for i, h in enumerate(("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                           "偏差原因分析及改进措施")):
        sh.put(r, 1 + i, h, "head")
    sh.put(r, 0, "年度绩效指标", "text")
    r += 1
    top = r
    groups = _by_level1(rows)
    for l1, items in groups:
        g0 = r
        for l2run in _runs([x[1] for x in items]):
            i0, i1 = l2run
            if i1 > i0:
                sh.merge(r + i0, 2, r + i1, 2, items[i0][1], "text")
            else:
                sh.put(r + i0, 2, items[i0][1], "text")
        for i, (_, _, l3, tgt, act, pts, got, why) in enumerate(items):
            for c, v in ((3, l3), (4, tgt), (5, act), (8, why)):
                sh.put(r + i, c, v, "text")
            sh.put(r + i, 6, pts, "int")
            sh.put(r + i, 7, got, "n1" if got != int(got) else "int")
            where[l3] = a1(r + i, 7)
        r += len(items)
        sh.merge(r, 2, r, 5, "小计", "text")
        sp = sum(x[5] for x in items)
        sg = sum(x[6] for x in items)
        if subtotal_override and l1 in subtotal_override:
            sg = subtotal_override[l1]
        sh.put(r, 6, sp, "int")
        sh.put(r, 7, sg, "n1" if sg != int(sg) else "int")
        sh.put(r, 8, "", "text")
        where["小计" + l1] = a1(r, 7)
        sh.merge(g0, 1, r, 1, l1, "text")
        r += 1
    sh.merge(top - 1, 0, r - 1, 0, "年度绩效指标", "text")
    sh.merge(r, 0, r, 5, "总分", "text")
    sh.put(r, 6, 100, "int")
    stated = round(es + sum(x[6] for x in rows), 2) if total is None else total
    sh.put(r, 7, stated, "n2")
    where["total"] = a1(r, 7)
    sh.put(r + 1, 0, "评价等级", "text")
    sh.put(r + 1, 1, form_grade(stated), "text")
    where["grade"] = a1(r + 1, 1)
    sh.merge(r + 3, 0, r + 3, 8, "填报人：樊琪　　联系电话：4800291", "plain")
    return where


def _by_level1(rows):
    """[(一级, its rows)] in order."""
    groups = []
    for row in rows:
        if not groups or groups[-1][0] != row[0]:
            groups.append((row[0], []))
        groups[-1][1].append(row)
    return groups


def _runs(values):
    out, i = [], 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[i]:
            j += 1
        out.append((i, j))
        i = j + 1
    return out


def book_d01() -> Book:
    b = Book("D01_department_subtotals_clean", "national 部门整体支出绩效自评表: labels beside values, 一级/二级 merged "
             "down, a 小计 row per 一级指标 (merged across 二级–指标值), '0.00' typed for 其他资金, 评价等级 row",
             via="soffice-xlsx")
    s = Sheet("部门整体自评表")
    department_form(s)
    b.sheets.append(s)
    return b


def book_d02() -> Book:
    b = Book("D02_department_over_allowed", "D01's layout; 困难群众补助人数 ≥1200人 with 1150人 done scored 10 of 10 "
             "(at most 9.58)")
    rows = list(DEPT)
    rows[1] = ("产出指标", "数量指标", "困难群众补助人数", "≥1200人", "1150人", 10, 10, "")
    s = Sheet("部门整体自评表")
    w = department_form(s, rows=rows)
    b.sheets.append(s)
    b.wrong(s, [w["困难群众补助人数"]], "1150 of ≥1200 → at most 9.58")
    b.follows(s, [w["小计产出指标"], w["total"]], "1150 of ≥1200 → at most 9.58")
    return b


def book_d03() -> Book:
    b = Book("D03_department_subtotal_wrong", "D01's layout (LibreOffice .xls); 效益指标 小计 得分 29.5 for "
             "9 + 10 + 9.5 = 28.5 (the 总分 96.02 is right)", via="soffice-xls")
    s = Sheet("部门整体自评表")
    w = department_form(s, subtotal_override={"效益指标": 29.5})
    b.sheets.append(s)
    b.wrong(s, [w["小计效益指标"]], "小计 29.5 for 28.5")
    return b


# Hebei's weighted form ---------------------------------------------------------------------------------------

HEBEI = [  # 一级, 二级, 三级, 预期, 完成值, 等级, 单项得分, 权重
    ("产出指标", "数量指标", "项目支出钱数（万元）", "2819.17", "2819.17", "优", 90, 20),
    ("产出指标", "数量指标", "补贴资金发放及时率", "100%", "100%", "优", 90, 10),
    ("产出指标", "时效指标", "工作按时完成率", "100%", "100%", "优", 90, 10),
    ("产出指标", "成本指标", "人均补助标准", "按规定标准", "按规定标准", "优", 95, 10),
    ("效益指标", "经济效益指标", "社会公共服务水平", "服务水平明显提高", "服务水平明显提高", "优", 95, 10),
    ("效益指标", "社会效益指标", "改善村级面貌", "明显改善村级面貌", "明显改善村级面貌", "优", 95, 10),
    ("效益指标", "生态效益指标", "改善困难群众生活", "困难群众生活水平明显改善", "困难群众生活水平明显改善", "优", 95, 10),
    ("满意度指标", "服务对象满意度指标", "群众满意度", "98%", "98%", "优", 95, 10),
]


def weighted_form(sh: Sheet, *, rows=HEBEI, formulas=False, stale=None, grade_override=None):
    """Hebei's 部门整体支出绩效自评表 (seed 004) with merged levels and a 小计 per 一级 (weights and 折算得分)."""
    where = {}
    budget, spent = 3746.68, 2819.17
    for c, w in enumerate((10, 12, 18, 14, 14, 8, 10, 10, 10)):
        sh.widths[c] = w
    sh.merge(0, 0, 0, 8, "2023年度部门整体绩效自评表", "title")
    sh.put(1, 0, "实施主管部门", "text")
    sh.merge(1, 1, 1, 4, UNIT_B, "text")
    sh.put(1, 5, "金额单位", "text")
    sh.merge(1, 6, 1, 8, "万元", "text")
    sh.put(2, 0, "预算执行情况", "head")
    for c, h in ((1, "预算数"), (3, "到位数"), (5, "执行数"), (7, "预算执行进度(%)")):
        sh.merge(2, c, 2, c + 1 if c < 7 else 8, h, "head")
    sh.put(3, 0, "合计", "text")
    for c, v in ((1, budget), (3, spent), (5, spent)):
        sh.merge(3, c, 3, c + 1, v, "n2")
    sh.merge(3, 7, 3, 8, round(spent / budget * 100, 2), "n2")
    sh.put(4, 0, "其中：财政资金", "text")
    for c, v in ((1, budget), (3, spent), (5, spent)):
        sh.merge(4, c, 4, c + 1, v, "n2")
    sh.put(5, 0, "其他", "text")
    for c in (1, 3, 5):
        sh.merge(5, c, 5, c + 1, "-", "text")
    r = 6
    for i, h in enumerate(("一级指标", "二级指标", "三级指标", "预期指标值", "实际完成值", "完成等级",
                           "单项指标得分", "权重占比(%)", "单项指标折算得分")):
        sh.put(r, i, h, "head")
    r += 1
    groups = _by_level1(rows)
    folded_cells = []
    for l1, items in groups:
        g0 = r
        for i0, i1 in _runs([x[1] for x in items]):
            if i1 > i0:
                sh.merge(r + i0, 1, r + i1, 1, items[i0][1], "text")
            else:
                sh.put(r + i0, 1, items[i0][1], "text")
        for i, (_, _, l3, tgt, act, grade, got, wt) in enumerate(items):
            rr = r + i
            for c, v in ((2, l3), (3, tgt), (4, act)):
                sh.put(rr, c, v, "text")
            sh.put(rr, 5, (grade_override or {}).get(l3, grade), "text")
            sh.put(rr, 6, got, "int")
            sh.put(rr, 7, wt, "int")
            folded = round(got * wt / 100, 2)
            cached = (stale or {}).get(l3, folded)
            sh.put(rr, 8, cached, "n1", f"=G{rr + 1}*H{rr + 1}/100" if formulas else None)
            where[l3] = a1(rr, 8)
            where["等级" + l3] = a1(rr, 5)
            folded_cells.append(a1(rr, 8))
        r += len(items)
        sh.merge(r, 1, r, 6, "小计", "text")
        wsum = sum(x[7] for x in items)
        fsum = sum((stale or {}).get(x[2], round(x[6] * x[7] / 100, 2)) for x in items)
        sh.put(r, 7, wsum, "int", f"=SUM(H{g0 + 1}:H{r})" if formulas else None)
        sh.put(r, 8, fsum, "n1", f"=SUM(I{g0 + 1}:I{r})" if formulas else None)
        where["小计" + l1] = a1(r, 8)
        sh.merge(g0, 0, r, 0, l1, "text")
        r += 1
    rate_score = round(spent / budget * 100, 2)
    sh.put(r, 0, "预算执行率", "text")
    sh.put(r, 1, "预算执行率", "text")
    sh.put(r, 2, "预算执行率", "text")
    sh.put(r, 3, "", "text")
    sh.put(r, 4, "75.24%", "text")
    sh.put(r, 5, "", "text")
    sh.put(r, 6, rate_score, "n2")
    sh.put(r, 7, 10, "int")
    sh.put(r, 8, 7.5, "n1")
    rate_row = r
    r += 1
    total = sum((stale or {}).get(x[2], round(x[6] * x[7] / 100, 2)) for x in rows) + 7.5
    sh.merge(r, 0, r, 7, "自评得分", "text")
    subs = ",".join(where["小计" + g] for g, _ in groups)
    sh.put(r, 8, round(total, 2), "n1", f"=SUM({subs},I{rate_row + 1})" if formulas else None)
    where["total"] = a1(r, 8)
    sh.merge(r + 1, 0, r + 1, 8, "填报人：樊琪　　联系电话：4800291", "plain")
    sh.merge(r + 2, 0, r + 2, 8, "说明：1.预算项目自评得分由各单项指标的折算得分合计而成，满分为100分。"
             "2.折算得分，即单项指标得分*权重占比。3.预算执行率指标权重占比固定为10%。", "plain")
    return where


def book_w01() -> Book:
    b = Book("W01_hebei_merged_subtotals_clean", "seed 004's weighted form: 一级/二级 merged down, a 小计 row per "
             "一级 (权重 and 折算得分), 预算执行率 7.5 for 7.524, 其他 '-'", via="soffice-xlsx")
    s = Sheet("整体绩效自评表")
    weighted_form(s)
    b.sheets.append(s)
    return b


def book_w02() -> Book:
    b = Book("W02_hebei_formulas_stale", "W01's layout with officers' formulas (=G*H/100, =SUM per 小计, total "
             "=SUM of 小计); 改善村级面貌's 折算得分 cached 8.5 for 95 × 10% = 9.5 (the 小计 and total cached with it)")
    s = Sheet("整体绩效自评表")
    w = weighted_form(s, formulas=True, stale={"改善村级面貌": 8.5})
    b.sheets.append(s)
    b.wrong(s, [w["改善村级面貌"]], "折算得分 8.5 for 9.5")
    b.follows(s, [w["小计效益指标"], w["total"]], "折算得分 8.5 for 9.5")
    return b


def book_w03() -> Book:
    b = Book("W03_hebei_grade_wrong", "W01's layout as .xls from LibreOffice; 工作按时完成率 完成等级 '良' for "
             "单项得分 90", via="soffice-xls")
    s = Sheet("整体绩效自评表")
    w = weighted_form(s, grade_override={"工作按时完成率": "良"})
    b.sheets.append(s)
    b.wrong(s, [w["等级工作按时完成率"]], "完成等级 良 for 90 (优 ≥ 90)")
    return b


# summaries as people type them -------------------------------------------------------------------------------

S_SET = [3, 4, 5, 6, 12, 27, 28, 30, 32, 35, 37, 38]


def typed_amount(k, v):
    if k == "budget" and float(v).is_integer() and v < 500:
        return f"{int(v)}万元", "text"
    if v == 0:
        return "0.00", "text"
    return f"{v:,.2f} " if k != "spent" else f"{v:,.6f}".rstrip("0").rstrip("."), "text"


def typed_rate(p):
    return f" {p.rate * 100:.2f} % ", "text"


def typed_returned(p):
    return ("-", "—", "/", "")[p.idx % 4], "text"


def book_s01() -> Book:
    b = Book("S01_typed_numbers_clean", "no title; '填报单位：铜冶镇人民政府 单位：万元' lines; amounts typed as text "
             "('120万元', '1,338.00 ', '0.00'), 执行率 ' 98.04 % ', 结余交回 '-' / '—' / '/' / blank, total '合 计', "
             "备注 with numbers (文号)", via="soffice-xlsx")
    ps = [P(i) for i in S_SET]
    s = Sheet("Sheet1")
    s.put(0, 0, "填报单位：铜冶镇人民政府", "plain")
    summary(s, ps, r0=1, title=False, fill_line=False,
            cols=["seq", "name", "budget", "spent", "balance", "rate", "returned", "score", "opinion", "remark"],
            total_label="合 计", amount=typed_amount, rate_cell=typed_rate, returned=typed_returned,
            remark=lambda p: (2023000 + p.idx, "int"))
    b.sheets.append(s)
    return b


def book_s02() -> Book:
    b = Book("S02_typed_numbers_errors", "S01's layout; 教育经费 结余数 '0.00' for 26.25 (seed 000's error) and "
             "防疫工作经费 执行率 ' 90.00 % ' for 94.85%")
    ps = [P(i) for i in S_SET]
    s = Sheet("Sheet1")
    s.put(0, 0, "填报单位：铜冶镇人民政府", "plain")
    w = summary(s, ps, r0=1, title=False, fill_line=False,
                cols=["seq", "name", "budget", "spent", "balance", "rate", "returned", "score", "opinion", "remark"],
                total_label="合 计", amount=typed_amount, rate_cell=typed_rate, returned=typed_returned,
                remark=lambda p: (2023000 + p.idx, "int"),
                override={("balance", 3): ("0.00", "text"), ("rate", 28): (" 90.00 % ", "text")})
    b.sheets.append(s)
    b.wrong(s, [w[("balance", 3)]], "结余数 0.00 for 1338 − 1311.752 = 26.248")
    b.follows(s, [w[("balance", "total")], w[("returned", 3)], w[("returned", "total")]],
              "结余数 0.00 for 26.248")
    b.wrong(s, [w[("rate", 28)]], "执行率 90.00% for 94.85%")
    return b


def mixed_amount(k, v):
    """执行数 and 结余数 in 元 (#,##0.00), the budget in 万元."""
    return (yuan(v), "thou") if k in ("spent", "balance") else (v, "n6")


def book_s03() -> Book:
    b = Book("S03_mixed_units_clean", "全年预算数（万元） numbers next to 全年执行数（元） and 结余数（元） numbers "
             "(unit only in the headers, no 单位 line); 全年执行数 before 全年预算数; total '全部项目合计'; 执行率 "
             "0.9804 shown 0.00%")
    ps = [P(i) for i in S_SET]
    s = Sheet("汇总表")
    summary(s, ps, unit_line=None, cols=["seq", "name", "spent", "budget", "balance", "rate", "score", "grade"],
            heads={"spent": "全年执行数（元）", "budget": "全年预算数（万元）", "balance": "结余数（元）"},
            total_label="全部项目合计", amount=mixed_amount)
    b.sheets.append(s)
    return b


def book_s07() -> Book:
    b = Book("S07_mixed_units_balance", "S03's layout (万元 and 元 columns, unit only in the headers); 教育经费 "
             "结余数（元） 262,400.00 for 13,380,000 − 13,117,520 = 262,480.00 (80 元 off, under 0.01 万元)",
             via="soffice-xlsx")
    ps = [P(i) for i in S_SET]
    s = Sheet("汇总表")
    w = summary(s, ps, unit_line=None, cols=["seq", "name", "spent", "budget", "balance", "rate", "score", "grade"],
                heads={"spent": "全年执行数（元）", "budget": "全年预算数（万元）", "balance": "结余数（元）"},
                total_label="全部项目合计", amount=mixed_amount, override={("balance", 3): (262400.0, "thou")})
    b.sheets.append(s)
    b.wrong(s, [w[("balance", 3)]], "结余数 262,400.00 元 for 262,480.00 元")
    b.follows(s, [w[("balance", "total")]], "结余数 262,400.00 元 for 262,480.00 元")
    return b


def _extras(where, cols, comment_cell, hidden_col=None, hidden_row=None, protect=False):
    first, last, tot = where["first"], where["last"], where["total_row"]

    def hook(wb, ws):
        ws.write_comment(comment_cell, "经办人：王丽 2024-04-20 已与财政所核对", {"author": "王丽"})
        ws.freeze_panes(first, 2)
        rc = cols.index("rate")
        ws.conditional_format(first, rc, last, rc, {"type": "cell", "criteria": "<", "value": 0.9,
                                                     "format": wb.add_format({"font_color": "#9C0006"})})
        sc = cols.index("score")
        ws.data_validation(first, sc, last, sc, {"validate": "decimal", "criteria": "between",
                                                  "minimum": 0, "maximum": 100,
                                                  "error_message": "得分应在0-100之间"})
        ws.print_area(0, 0, tot, len(cols) - 1)
        ws.repeat_rows(first - 1)
        wb.define_name("项目预算", f"='{ws.name}'!${col(cols.index('budget'))}${first + 1}:"
                                   f"${col(cols.index('budget'))}${last + 1}")
        if hidden_col is not None:
            ws.set_column(hidden_col, hidden_col, 12, None, {"hidden": True})
        if hidden_row is not None:
            ws.set_row(hidden_row, None, None, {"hidden": True})
        if protect:
            ws.protect("", {"format_columns": True})
    return hook


KEEPS = ["comment", "conditional_format", "data_validation", "defined_name", "freeze", "print_area"]


def book_s04() -> Book:
    cols = ["seq", "name", "org", "budget", "spent", "balance", "returned", "rate", "score", "grade", "opinion",
            "remark"]
    b = Book("S04_formulas_extras_clean", "officers' formulas (结余 =D-E, 执行率 =IF(D=0,0,E/D), 合计 =SUM) with cached "
             "values; a comment, conditional format, data validation, frozen panes, print area and titles, a defined "
             "name, a hidden 备注 column, a protected sheet; total '总计'")
    b.keeps = KEEPS + ["protection", "hidden_column"]
    ps = [P(i) for i in S_SET]
    s = Sheet("汇总表")
    w = summary(s, ps, cols=cols, total_label="总计", formulas=True, remark=lambda p: ("", "text"))
    s.hooks.append(_extras(w, cols, "B4", hidden_col=cols.index("remark"), protect=True))
    b.sheets.append(s)
    return b


def book_s05() -> Book:
    cols = ["seq", "name", "org", "budget", "spent", "balance", "returned", "rate", "score", "grade", "opinion"]
    b = Book("S05_formulas_stale_total", "S04's formulas and extras (a hidden project row, no protection); the "
             "合计 执行数 =SUM(...) cached 5247.1 from before 防疫工作经费's 执行数 was corrected (true sum "
             "5238.71); an officer's comment on that total")
    b.keeps = KEEPS + ["hidden_row"]
    ps = [P(i) for i in S_SET]
    s = Sheet("汇总表")
    true = round(sum(p.spent for p in ps), 6)
    w = summary(s, ps, cols=cols, formulas=True, override={("spent", "total"): (round(true + 8.39, 6), "n6")})
    s.hooks.append(_extras(w, cols, "A3", hidden_row=w["first"] + 4))
    b.sheets.append(s)
    b.wrong(s, [w[("spent", "total")]], f"合计 执行数 cached {true + 8.39:.2f} for {true:.2f}")
    b.follows(s, [w[("rate", "total")], w[("balance", "total")], w[("returned", "total")]], "stale 合计 执行数")
    return b


def book_s06() -> Book:
    b = Book("S06_formulas_clean_lo", "S05's layout, all right, saved by LibreOffice as .xls (formulas "
             "recalculated there)", via="soffice-xls")
    cols = ["seq", "name", "org", "budget", "spent", "balance", "returned", "rate", "score", "grade", "opinion"]
    ps = [P(i) for i in S_SET]
    s = Sheet("汇总表")
    w = summary(s, ps, cols=cols, formulas=True)
    s.hooks.append(_extras(w, cols, "A3"))
    b.sheets.append(s)
    return b


def books() -> list[Book]:
    return [book_r01(), book_r02(), book_r03(), book_r04(), book_r05(), book_f01(), book_f02(), book_f03(), book_f04(), book_f05(), book_f06(), book_d01(),
            book_d02(), book_d03(), book_w01(), book_w02(), book_w03(), book_s01(), book_s02(), book_s03(),
            book_s04(), book_s05(), book_s06(), book_s07()]


def convert(jobs: list[tuple[Path, Path, str]]) -> None:
    """LibreOffice headless conversions, one run per target format, own profile."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    by = {}
    for src, dst, fmt in jobs:
        by.setdefault(fmt, []).append((src, dst))
    for fmt, items in by.items():
        with tempfile.TemporaryDirectory() as prof, tempfile.TemporaryDirectory() as out:
            filt = "xls:MS Excel 97" if fmt == "xls" else "xlsx:Calc MS Excel 2007 XML"
            subprocess.run([exe, f"-env:UserInstallation=file://{prof}", "--headless", "--convert-to", filt,
                            "--outdir", out] + [str(s) for s, _ in items], check=True, capture_output=True,
                           timeout=300)
            for src, dst in items:
                shutil.move(str(Path(out) / (src.stem + "." + fmt)), dst)


def build(outdir: Path, *, soffice: bool = True) -> dict:
    outdir.mkdir(parents=True, exist_ok=True)
    truth = {}
    jobs = []
    with tempfile.TemporaryDirectory() as tmp:
        for b in books():
            if b.via.startswith("soffice") and not soffice:
                continue
            dst = outdir / (b.name + b.suffix)
            if b.via == "xlsxwriter":
                write_xlsx(dst, b.sheets)
            else:
                src = Path(tmp) / (b.name + ".xlsx")
                write_xlsx(src, b.sheets)
                jobs.append((src, dst, "xls" if b.via == "soffice-xls" else "xlsx"))
            truth[dst.name] = b.truth()
        if jobs:
            convert(jobs)
    (outdir / "expected.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return truth


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "acceptance3_out")
    t = build(out, soffice=bool(shutil.which("soffice")))
    print(f"{len(t)} workbooks in {out}", file=sys.stderr)
    os._exit(0)
