"""Acceptance set for reading real layouts (issue #9), built independently of the checker.

Every workbook is laid out the way officers and provincial systems lay them out (totals first / last / both,
group and 小计 rows, two-row merged headers, 元 and 万元, numbers typed as text with separators or full-width
digits, accounting negatives, rates as 0.9804 / 98.04 / "98.04%", 调整数, label-above fund blocks, merged
换算得分, qualitative wording, extra columns, notes and a second table below). The figures come from the
published reports in ``../shared/seeds`` (embedded here, so nothing outside this file is needed).

Nothing here imports xltool: the workbooks are written with xlsxwriter, and about a third are passed through
LibreOffice so they are real producer packages. Each workbook has a ground truth: the exact wrong cells
(``truth``: any one of ``cells`` must carry an error) and the cells that may carry a warning because an
injected error upstream makes them look wrong (``consequences``). Everything else must carry no error.

    python tests/acceptance/build.py OUTDIR      # writes OUTDIR/*.xlsx|xls and OUTDIR/expected.json
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter

# --------------------------------------------------------------------------------------------- grid


def a1(r: int, c: int) -> str:
    s = ""
    c += 1
    while c:
        c, m = divmod(c - 1, 26)
        s = chr(65 + m) + s
    return f"{s}{r + 1}"


@dataclass
class Grid:
    name: str
    cells: dict = field(default_factory=dict)  # (r, c) -> value (str is written as text)
    fmts: dict = field(default_factory=dict)  # (r, c) -> number format
    merges: list = field(default_factory=list)  # (r1, c1, r2, c2)
    row: int = 0

    def put(self, r, c, v, fmt=None):
        if v is None:
            return
        self.cells[(r, c)] = v
        if fmt:
            self.fmts[(r, c)] = fmt

    def line(self, values, fmts=None, start=0):
        r = self.row
        for i, v in enumerate(values):
            self.put(r, start + i, v, (fmts or {}).get(i))
        self.row += 1
        return r

    def merge(self, r1, c1, r2, c2, v=None):
        self.merges.append((r1, c1, r2, c2))
        if v is not None:
            self.cells[(r1, c1)] = v


def write_xlsx(path: Path, grids: list[Grid]) -> None:
    wb = xlsxwriter.Workbook(str(path))
    cache = {}

    def fmt(num=None, bold=False):
        key = (num, bold)
        if key not in cache:
            props = {"text_wrap": True, "valign": "vcenter", "border": 1}
            if num:
                props["num_format"] = num
            if bold:
                props["bold"] = True
            cache[key] = wb.add_format(props)
        return cache[key]

    for g in grids:
        ws = wb.add_worksheet(g.name)
        ws.set_column(0, 20, 14)
        merged = set()
        for r1, c1, r2, c2 in g.merges:
            v = g.cells.get((r1, c1), "")
            f = fmt(g.fmts.get((r1, c1)))
            if isinstance(v, str):
                ws.merge_range(r1, c1, r2, c2, v, f)
            else:
                ws.merge_range(r1, c1, r2, c2, "", f)
                ws.write_number(r1, c1, v, f)
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    merged.add((r, c))
        for (r, c), v in sorted(g.cells.items()):
            if (r, c) in merged:
                continue
            f = fmt(g.fmts.get((r, c)))
            if isinstance(v, str):
                ws.write_string(r, c, v, f)
            else:
                ws.write_number(r, c, v, f)
    wb.close()


# ----------------------------------------------------------------------------------- number styles

FULL = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")


def plain(v: float, nd: int = 6) -> str:
    t = f"{v:.{nd}f}".rstrip("0").rstrip(".")
    return "0" if t in ("-0", "") else t


def styled(v: float, style: str, nd: int = 6):
    """A value as typed: number, or text in one of the real ways officers type numbers."""
    if style == "number":
        return round(v, nd)
    if v < 0 and style in ("accounting", "accounting_thousands"):
        inner = styled(-v, "thousands" if style == "accounting_thousands" else "text", nd)
        return f"({inner})"
    if style in ("text", "accounting"):
        return plain(v, nd)
    if style in ("thousands", "accounting_thousands"):
        return f"{v:,.2f}"
    if style == "fullwidth":
        return plain(v, nd).translate(FULL)
    raise ValueError(style)


def rate_value(rate: float, style: str):
    if style == "fraction":
        return round(rate, 4)
    if style == "percent":  # 98.04 under a 执行率(%) header
        return round(rate * 100, 2)
    if style == "percent_text":
        return f"{rate * 100:.2f}%"
    if style == "whole_percent":  # 0.98 shown as 98 %: rounding, not an error
        return round(rate, 2)
    raise ValueError(style)


RATE_FMT = {"fraction": "0.00%", "whole_percent": "0%", "percent": "0.00", "percent_text": None}


def as_number(v) -> float:
    """The value of a cell this file wrote (numbers, or text such as '(26.25)' or '1,338.00')."""
    if isinstance(v, (int, float)):
        return float(v)
    t = str(v).translate(str.maketrans("０１２３４５６７８９．，－", "0123456789.,-")).replace(",", "").strip()
    if t.startswith("(") and t.endswith(")"):
        return -float(t[1:-1])
    return float(t.rstrip("%")) / 100 if t.endswith("%") else float(t) if t else 0.0


def summary_grade(score: float) -> str:
    # the scores used below avoid 75–80 and 85–90, so national (90/80/60) and seed 000 (85/75/60) bands agree
    return "优秀" if score >= 90 else "良好" if score >= 80 else "一般" if score >= 60 else "较差"


# -------------------------------------------------------------------------------------- seed data

# seed 000 (铜冶镇 2023): project name, 预算数（调整后）, 执行数, 自评得分 — 万元
SEED000 = [
    ("2023年镇级铜冶镇公共文化设施免费开放(乡镇文化站)", 1.5, 1.5, 100),
    ("2023年镇级鹿泉区铜冶镇巡防队经费", 97.381545, 97.381545, 100),
    ("2023年镇级鹿泉区铜冶镇教育经费", 1338, 1311.752, 96),
    ("2023年镇级鹿泉区铜冶镇五保、低保、扶贫及困难人员补助", 70, 68.076, 96),
    ("2023年区级军队退役人员公益岗位及劳务派遣工资、保险", 101.15, 85.8582, 98),
    ("2023年镇级鹿泉区铜冶镇卫生院经费补助", 317, 317, 100),
    ("2023年镇级鹿泉区铜冶镇计生事务", 30, 29.9585, 100),
    ("2023年镇级铜冶镇第一中学用电新建工程", 198, 190.7309, 97),
    ("2023年镇级铜冶镇专项公用经费", 180, 148.028946, 91),
    ("2023年镇级鹿泉区铜冶镇防汛工作经费", 50, 45.999477, 97),
    ("2023年镇级鹿泉区铜冶镇城乡设施维护费用", 1911.74232, 1871.913014, 98),
    ("2023年镇级铜冶镇固定资产购置费", 100, 36.249566, 84),
    ("2023年镇级鹿泉区铜冶镇村级土地流转", 1278, 1253.05931, 98),
    ("2023年镇级鹿泉区铜冶镇工程预算决算审计费", 90, 55.9782, 93),
    ("2023年镇级鹿泉区铜冶镇村干部工资", 362, 360.235763, 100),
    ("2023年镇级铜冶镇环卫清洁服务采购项目", 228.98, 221.316, 97),
]
UNIT = "铜冶镇人民政府"
KEEP = "评价结果{g}，继续推进此项目。"
ADJUST = "评价结果{g}，调整优化支出结构，加强预算与实际支出的测算精度，确保绩效目标如期保质实现。"


def projects(idx, round2=False, initial_cut=None):
    """Rows of seed 000 by index; round2 rounds amounts to 0.01 万元 first (as many offices do)."""
    out = []
    for i in idx:
        name, b, e, s = SEED000[i]
        if round2:
            b, e = round(b, 2), round(e, 2)
        adj = round(b * 0.1, 2) if initial_cut and i % 2 == 0 else 0.0
        out.append({"name": name, "budget": b, "exec": e, "score": s, "adjust": adj,
                    "initial": round(b - adj, 6)})
    return out


@dataclass
class Book:
    name: str  # file stem
    layout: str  # what the layout exercises
    grids: list
    truth: list = field(default_factory=list)  # {"sheet", "cells": [..], "what"}
    consequences: list = field(default_factory=list)  # {"sheet", "cell", "what"}
    via: str = "xlsxwriter"  # or "soffice-xlsx" / "soffice-xls"


# ------------------------------------------------------------------------------------- summary


SUMMARY_LABELS = {
    "seq": "序号", "name": "项目名称", "unit": "项目实施单位", "initial": "年初预算数", "adjust": "调整数",
    "budget": "预算数（调整后）", "exec": "执行数", "rate": "执行率", "balance": "结余数",
    "returned": "结余交回财政数", "score": "自评得分", "grade": "评价等级", "opinion": "自评结果应用意见",
    "note": "备注", "contact": "联系人", "year": "开始执行年份",
}
AMOUNTS = ("initial", "adjust", "budget", "exec", "balance", "returned")


def summary(name, rows, *, cols, sheet="汇总表", unit="万元", labels=None, header2=False, totals="last",
            groups=None, group_style="numbered", subtotals=False, num="number", rate="fraction",
            title=True, notes=False, second_table=False, inject=None, via="xlsxwriter", layout=""):
    """A 汇总表. ``inject`` maps (row_key, role) -> written value; row_key is ("item", i), ("total", "first"|
    "last") or ("sub", g). Totals are the sums of the written item values, so an injected item error is the
    only wrong cell (its column's totals become consequences)."""
    labels = {**SUMMARY_LABELS, **(labels or {})}
    inject = dict(inject or {})
    scale = 10000 if unit == "元" else 1
    nd = 2 if unit == "元" else 6
    g = Grid(sheet)
    ncol = len(cols)
    if title:
        g.merge(g.row, 0, g.row, ncol - 1, "部门绩效自评结果公开汇总表")
        g.row += 1
        g.line(["主管部门：鹿泉区铜冶镇人民政府"])
        g.line([f"单位：{unit}" if unit == "万元" else f"金额单位：{unit}"])
    # derived values per item (true values, then what is written)
    items = []
    for i, p in enumerate(rows):
        b, e = p["budget"] * scale, p["exec"] * scale
        v = {"seq": i + 1, "name": p["name"], "unit": UNIT, "budget": b, "exec": e,
             "initial": p["initial"] * scale, "adjust": p["adjust"] * scale, "rate": e / b if b else 0.0,
             "balance": b - e, "score": p["score"]}
        v["returned"] = max(v["balance"], 0.0) if i % 3 else 0.0
        v["grade"] = summary_grade(p["score"])
        v["opinion"] = (KEEP if v["rate"] >= 0.9 else ADJUST).format(g=v["grade"])
        v["note"] = "" if i % 4 else "按进度拨付"
        v["contact"] = "张明" if i % 2 else "李华"
        v["year"] = 2023 if i % 5 else 2021
        items.append(v)
    written = []
    for i, v in enumerate(items):
        w = dict(v)
        for role in cols:
            if (("item", i), role) in inject:
                w[role] = inject[(("item", i), role)]
        written.append(w)

    def total_of(ws, role):
        if role == "rate":
            b = sum(w["budget"] for w in ws)
            return sum(w["exec"] for w in ws) / b if b else 0.0
        return sum(as_number(w[role]) for w in ws)

    amount_cols = [c for c in cols if c in AMOUNTS or c == "rate"]

    def cell_value(role, val):
        if role in AMOUNTS:
            if isinstance(val, str):
                return val, None
            st = num if not (val < 0 and num == "number") else "accounting"
            if st in ("thousands",) and unit != "元":
                st = "text"
            return styled(val, st, nd), ("#,##0.00" if unit == "元" and st == "number" else None)
        if role == "rate":
            if isinstance(val, str):
                return val, None
            return rate_value(val, rate), RATE_FMT[rate]
        return val, None

    # header
    top = g.row
    if header2:
        parent_cols = [i for i, c in enumerate(cols) if c in ("budget", "exec", "rate", "balance", "returned",
                                                              "initial", "adjust")]
        for i, c in enumerate(cols):
            if i not in parent_cols:
                g.merge(top, i, top + 1, i, labels[c])
        lo, hi = min(parent_cols), max(parent_cols)
        g.merge(top, lo, top, hi, f"资金情况（{unit}）")
        for i in parent_cols:
            lab = labels[cols[i]]
            g.put(top + 1, i, lab)
        g.row += 2
    else:
        g.line([labels[c] for c in cols])
    cellmap = {}

    def emit_row(key, values, label=None):
        r = g.row
        for i, role in enumerate(cols):
            if role not in values:
                continue
            if (key, role) in inject:  # written exactly as given
                val = inject[(key, role)]
                out, f = val, (RATE_FMT[rate] if role == "rate" and not isinstance(val, str) else None)
            else:
                val = values[role]
                if val is None or val == "":
                    continue
                out, f = cell_value(role, val)
            g.put(r, i, out, f)
            cellmap[(key, role)] = a1(r, i)
        if label:
            g.put(r, 0, label)
        g.row += 1
        return r

    def total_values(ws):
        return {c: total_of(ws, c) for c in amount_cols}

    if totals in ("first", "both"):
        emit_row(("total", "first"), total_values(written), "合计")
    if groups:
        for gi, (gtitle, members) in enumerate(groups):
            r = g.row
            if group_style == "merged":
                g.merge(r, 0, r, ncol - 1, gtitle)
            elif group_style == "seq":  # "1 | 民生保障类" in the seq and name columns
                num_, _, text = gtitle.partition(" ")
                g.put(r, cols.index("seq"), num_)
                g.put(r, cols.index("name"), text)
            else:  # "一、基本支出" in the name column
                g.put(r, cols.index("name"), gtitle)
            g.row += 1
            for k, i in enumerate(members):
                if group_style == "seq":  # items numbered under their group: 1.1, 1.2, …
                    written[i] = {**written[i], "seq": f"{gi + 1}.{k + 1}"}
                emit_row(("item", i), written[i])
            if subtotals:
                emit_row(("sub", gi), total_values([written[i] for i in members]), "小计")
    else:
        for i in range(len(written)):
            emit_row(("item", i), written[i])
    if totals in ("last", "both"):
        emit_row(("total", "last"), total_values(written), "合计")
    if notes:
        g.row += 1
        g.line(["注：1.执行率=执行数÷预算数（调整后）；2.结余数=预算数（调整后）−执行数。"])
        g.line(["填表人：王芳        审核人：赵强        填报日期：2024年3月20日"])
    if second_table:
        g.row += 1
        g.line(["附：单位人员情况"])
        g.line(["类别", "编制数", "实有人数", "年末人数"])
        g.line(["行政编制", 37, 35, 35])
        g.line(["事业编制", 16, 16, 15])
        g.line(["合计", 53, 51, 50])
    return g, cellmap, items, written


def summary_book(name, rows, layout, errors=(), via="xlsxwriter", **kw):
    """errors: (row_key, role, written value, what). Item errors make their column's totals consequences."""
    inject = {(k, role): val for k, role, val, _ in errors}
    g, cells, items, written = summary(name, rows, inject=inject, **kw)
    truth, cons = [], []
    row_follows = {"budget": ("rate", "balance", "exec", "returned"), "balance": ("returned",),
                   "exec": ("rate", "balance", "returned")}
    for k, role, val, what in errors:
        truth.append({"sheet": g.name, "cells": [cells[(k, role)]], "what": what})
        for other in row_follows.get(role, ()):
            if (k, other) in cells:
                cons.append({"sheet": g.name, "cell": cells[(k, other)], "what": f"{other} follows {what}"})
        if k[0] == "item":
            column_follows = {role, *row_follows.get(role, ())} - {"exec"}
            for key, r in cells:
                if key[0] in ("total", "sub") and r in column_follows:
                    cons.append({"sheet": g.name, "cell": cells[(key, r)], "what": f"{r} total over {what}"})
    return Book(name, layout, [g], truth, cons, via)


COLS_SEED = ["seq", "name", "unit", "budget", "exec", "balance", "returned", "score", "opinion"]
COLS_RATE = ["seq", "name", "unit", "budget", "exec", "rate", "balance", "returned", "score", "grade", "opinion"]
COLS_ADJ = ["seq", "name", "initial", "adjust", "budget", "exec", "rate", "balance", "score"]


def summary_books() -> list[Book]:
    b = []
    ten = projects(range(10))
    b.append(summary_book("S01_totals_first_clean", ten, "合计 right under the header; seed 000 columns",
                          cols=COLS_SEED, totals="first"))
    b.append(summary_book(
        "S02_totals_first_balance0", ten, "合计 first; 结余数 written 0 for 1338 − 1311.752 (seed 000's error)",
        errors=[(("item", 2), "balance", 0.0, "结余数 0, should be 26.248"),
                (("item", 6), "balance", 0.0, "结余数 0, should be 0.0415")],
        cols=COLS_SEED, totals="first"))
    b.append(summary_book(
        "S03_totals_both_exec_total", projects(range(12), round2=True),
        "合计 at top and bottom, rate column; bottom 合计 执行数 not the column sum",
        errors=[(("total", "last"), "exec", round(sum(p["exec"] for p in projects(range(12), True)) + 10, 2),
                 "合计执行数 10 above the sum")],
        cols=COLS_RATE, totals="both"))
    groups = [("一、基本支出", [0, 1, 2, 3, 4]), ("二、项目支出", [5, 6, 7, 8, 9, 10])]
    b.append(summary_book("S04_groups_subtotals_clean", projects(range(11)),
                          "group rows 一、基本支出 / 二、项目支出 with 小计 rows, 合计 last",
                          cols=COLS_RATE, groups=groups, subtotals=True, via="soffice-xlsx"))
    groups2 = [("1 民生保障类", [0, 1, 2, 3]), ("2 城乡建设类", [4, 5, 6, 7]), ("3 运转保障类", [8, 9])]
    r2 = projects(range(10))
    b.append(summary_book(
        "S05_seq_groups_rate_subtotal", r2,
        "group rows '1 民生保障类' in the 序号 column, 小计 rows, 合计 first; a rate and a 小计 wrong",
        errors=[(("item", 2), "rate", 0.9, "执行率 90% against 98.04%"),
                (("sub", 1), "budget", round(sum(p["budget"] for p in r2[4:8]) + 100, 6), "小计预算数 100 too high")],
        cols=COLS_RATE, groups=groups2, group_style="seq", subtotals=True, totals="first"))
    b.append(summary_book(
        "S06_two_row_header_yuan_clean", projects(range(9), round2=True),
        "header over two rows under merged 资金情况（元）; amounts in 元 typed as text '13,380,000.00'",
        cols=COLS_RATE, unit="元", header2=True, num="thousands", via="soffice-xlsx"))
    b.append(summary_book(
        "S07_adjust_column_yuan", projects(range(8), round2=True, initial_cut=True),
        "年初预算数 + 调整数 = 调整后预算数, 元, two-row header; one 调整后预算数 wrong",
        errors=[(("item", 3), "budget", 650000.0, "调整后预算数 650000 ≠ 年初 700000 + 调整 0")],
        cols=COLS_ADJ, unit="元", header2=True, labels={"budget": "调整后预算数"}))
    over = projects(range(8), round2=True)
    over[5] = {**over[5], "exec": 332.15}  # 317 budgeted, 332.15 spent: overspend, 结余 (15.15)
    bk = summary_book(
        "S08_accounting_negatives", over,
        "text amounts with accounting negatives '(15.15)'; an overspent row (root: 执行率 over 100%) and a "
        "结余 sign error",
        errors=[(("item", 2), "balance", "(26.25)", "结余数 written negative, should be +26.25")],
        cols=COLS_RATE, num="accounting", via="soffice-xls")
    g = bk.grids[0]
    # the overspend: its 执行率 (or 执行数) is the root; its negative 结余 follows from it
    ov_row = next(r for (r, c), v in g.cells.items() if v == "332.15")
    hdr = COLS_RATE
    bk.truth.append({"sheet": g.name, "cells": [a1(ov_row, hdr.index("rate")), a1(ov_row, hdr.index("exec"))],
                     "what": "执行数 332.15 over 预算数 317 (执行率 104.78%)"})
    bk.consequences.append({"sheet": g.name, "cell": a1(ov_row, hdr.index("balance")),
                            "what": "结余 (15.15) follows from the overspend"})
    for col in ("exec", "rate", "balance", "returned"):
        for (r, c), v in g.cells.items():
            if c == hdr.index(col) and r != ov_row and g.cells.get((r, hdr.index("name"))) == "合计":
                bk.consequences.append({"sheet": g.name, "cell": a1(r, c), "what": "合计 over the overspend"})
    b.append(bk)
    b.append(summary_book(
        "S09_fullwidth_percent_text_clean", projects(range(10), round2=True),
        "amounts typed in full-width digits '１３３８．７５', rates as text '98.04%', notes below",
        cols=COLS_RATE, num="fullwidth", rate="percent_text", notes=True))
    r10 = projects(range(12), round2=True)
    b.append(summary_book(
        "S10_rate_percent_numbers", r10,
        "执行率(%) as 98.04 numbers; one rate 90 for 98.04; second unrelated table below",
        errors=[(("item", 2), "rate", 90.0, "执行率 90 against 98.04")],
        cols=COLS_RATE, rate="percent", labels={"rate": "执行率(%)"}, second_table=True))
    r11 = projects(range(10))
    cols11 = ["seq", "name", "year", "budget", "exec", "rate", "balance", "returned", "score", "contact", "note"]
    b.append(summary_book(
        "S11_extra_columns_balance_total", r11,
        "extra columns 开始执行年份/联系人/备注, notes and a second table below; 合计结余数 not the sum",
        errors=[(("total", "last"), "balance", round(sum(p["budget"] - p["exec"] for p in r11) - 5, 6),
                 "合计结余数 5 below the sum")],
        cols=cols11, notes=True, second_table=True, via="soffice-xlsx"))
    r12 = projects(range(10), round2=True)
    r12[6] = {**r12[6], "score": 70}
    r12[9] = {**r12[9], "score": 55}
    b.append(summary_book(
        "S12_grade_words", r12,
        "评价等级 column with 优秀/良好/一般/较差; a 70-point project graded 优秀",
        errors=[(("item", 6), "grade", "优秀", "score 70 graded 优秀 (一般)")],
        cols=COLS_RATE, totals="last"))
    groups13 = [("一、基本支出", [0, 1, 2]), ("二、项目支出", [3, 4, 5, 6, 7])]
    b.append(summary_book(
        "S13_merged_group_titles", projects(range(8), round2=True),
        "group titles merged across the whole row, 小计 rows, 合计 at top and bottom; 结余交回 over 结余",
        errors=[(("item", 4), "returned", 20.0, "结余交回财政数 20 over 结余数 15.29")],
        cols=COLS_RATE, groups=groups13, group_style="merged", subtotals=True, totals="both"))
    return b


# --------------------------------------------------------------------------- national project form

EDU = {"name": "2023年镇级铜冶镇教育经费", "initial": 1300.0, "budget": 1338.0, "exec": 1311.752}
EDU_INDICATORS = [  # 一级, 二级, 三级, 年度指标值, 实际完成值, 分值, 得分, 偏差原因
    ("产出指标", "数量指标", "受益学生人次", "≥5000人次", "5260人次", 15, 15, ""),
    ("产出指标", "数量指标", "校舍维修改造面积", "≥3000平方米", "3120平方米", 10, 10, ""),
    ("产出指标", "质量指标", "教育经费使用合规率", "=100%", "100%", 10, 10, ""),
    ("产出指标", "时效指标", "资金按时拨付率", "=100%", "98%", 10, 9.8, "部分工程12月下旬完工，尾款次年支付。"),
    ("产出指标", "成本指标", "生均公用经费补助标准", "≤200元", "195元", 5, 5, ""),
    ("效益指标", "社会效益指标", "办学条件改善情况", "明显改善", "明显改善", 15, 15, ""),
    ("效益指标", "可持续影响指标", "义务教育巩固率", "≥99%", "100%", 15, 15, ""),
    ("满意度指标", "服务对象满意度指标", "学生及家长满意度", "≥90%", "95%", 10, 10, ""),
]


def project_form(sheet, funds, indicators, *, dept=False, rate="fraction", exec_score=None, total=None,
                 label_above=True, title_extra=False, unit="万元", merge_levels=True, rate_merged=True):
    """The 财预〔2020〕10号 form. Fund block: a row of labels with the values below (as the form prints)."""
    g = Grid(sheet)
    what = "部门整体支出绩效自评表" if dept else "项目支出绩效自评表"
    g.merge(0, 0, 0, 9, what)
    g.row = 1
    g.merge(1, 0, 1, 9, "（2023年度）")
    g.row = 2
    if title_extra:
        g.line(["填报单位：铜冶镇人民政府", None, None, None, None, None, None, f"单位：{unit}"])
    r = g.line(["部门（单位）名称" if dept else "项目名称", None, funds["name"]])
    g.line(["主管部门", None, "鹿泉区人民政府", None, None, "实施单位", UNIT])
    b, e, ini = funds["budget"], funds["exec"], funds["initial"]
    rt = e / b
    es = exec_score if exec_score is not None else round(min(rt, 1) * 10, 2)
    r = g.row
    nsub = len(funds["subs"]) if dept else 3
    g.merge(r, 0, r + 1 + nsub, 0, f"{'部门' if dept else '项目'}资金（{unit}）")
    g.put(r, 2, "")
    g.put(r, 3, "年初预算数")
    g.put(r, 4, "全年预算数")
    g.put(r, 5, "全年执行数")
    g.put(r, 6, "分值")
    if rate_merged:
        g.merge(r, 7, r, 8, "执行率")
    else:
        g.put(r, 7, "执行率")
    g.put(r, 9, "得分")
    rv = rate_value(rt, rate)
    g.put(r + 1, 1, "年度资金总额")
    money = "#,##0.00" if unit == "元" else None
    g.put(r + 1, 3, ini, money)
    g.put(r + 1, 4, b, money)
    g.put(r + 1, 5, e, money)
    g.put(r + 1, 6, 10)
    if rate_merged:
        g.merge(r + 1, 7, r + 1, 8, rv)
        g.fmts[(r + 1, 7)] = RATE_FMT[rate]
    else:
        g.put(r + 1, 7, rv, RATE_FMT[rate])
    g.put(r + 1, 9, es)
    cells = {"budget": a1(r + 1, 4), "exec": a1(r + 1, 5), "rate": a1(r + 1, 7), "exec_score": a1(r + 1, 9)}
    subs = (("其中：基本支出", funds.get("basic", ini), funds.get("basic", b), funds.get("basic", e)),
            ("项目支出", 0, 0, 0)) if dept else (("其中：当年财政拨款", ini, b, e), ("上年结转资金", 0, 0, 0),
                                                   ("其他资金", 0, 0, 0))
    if dept:
        subs = tuple(funds["subs"])
    for k, (lab, x, y, z) in enumerate(subs):
        g.put(r + 2 + k, 1, lab)
        g.put(r + 2 + k, 3, x, money)
        g.put(r + 2 + k, 4, y, money)
        g.put(r + 2 + k, 5, z, money)
    g.row = r + 2 + len(subs)
    g.line(["年度总体目标", "预期目标", None, None, None, None, "实际完成情况"])
    g.line([None, "保障全镇中小学校正常运转，改善办学条件。", None, None, None, None,
            "全年执行资金，办学条件明显改善。"])
    r = g.line(["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                "偏差原因分析及改进措施"])
    start = g.row
    for ind in indicators:
        l1, l2, l3, tgt, act, pts, sc, why = ind
        rr = g.line([None, None if merge_levels else l1, None if merge_levels else l2, l3, tgt, act, pts, sc,
                     why or None])
        cells[("score", l3)] = a1(rr, 7)
        cells[("points", l3)] = a1(rr, 6)
    if merge_levels:  # 一级/二级 merged down their rows, as the form prints
        for col, key in ((1, 0), (2, 1)):
            i = 0
            while i < len(indicators):
                j = i
                while j + 1 < len(indicators) and indicators[j + 1][key] == indicators[i][key] and (
                        key == 0 or indicators[j + 1][0] == indicators[i][0]):
                    j += 1
                if j > i:
                    g.merge(start + i, col, start + j, col, indicators[i][key])
                else:
                    g.put(start + i, col, indicators[i][key])
                i = j + 1
    tot = total if total is not None else round(es + sum(x[6] for x in indicators), 2)
    rr = g.line(["总分", None, None, None, None, None, 100, tot])
    cells["total"] = a1(rr, 7)
    return g, cells


def form_books() -> list[Book]:
    b = []
    g, c = project_form("项目支出绩效自评表", EDU, EDU_INDICATORS, title_extra=True)
    b.append(Book("P01_project_form_clean", "national form, labels over values in the fund block, merged 一级/二级",
                  [g], via="soffice-xlsx"))
    low = {**EDU, "exec": 1230.96}  # 92 % → 执行率得分 9.2
    g, c = project_form("项目支出绩效自评表", low, EDU_INDICATORS, exec_score=9, total=9 + 89.8,
                        rate="percent_text")
    b.append(Book("P02_project_form_exec_score", "rate as text '92.00%'; 执行率得分 9 for 9.2",
                  [g], [{"sheet": g.name, "cells": [c["exec_score"]], "what": "执行率得分 9, should be 9.2"}],
                  [{"sheet": g.name, "cell": c["total"], "what": "总分 follows 9"}]))
    qual = list(EDU_INDICATORS)
    qual[5] = ("效益指标", "社会效益指标", "办学条件改善情况", "明显改善", "部分达成年度指标并具有一定效果", 15, 10.5,
               "个别学校改造延期。")  # 70 % of 15: inside 60–80 %
    qual[6] = ("效益指标", "可持续影响指标", "长效管护机制", "建立长效机制", "未达成年度指标且效果较差", 15, 6,
               "管护制度尚未出台。")  # 40 %: inside 0–60 %
    qual[7] = ("满意度指标", "服务对象满意度指标", "家长评价", "较好", "达成年度指标", 10, 9, "")  # 90 %
    tot = round(9.8 + sum(x[6] for x in qual), 2)
    g, c = project_form("项目支出绩效自评表", EDU, qual, total=tot)
    b.append(Book("P03_qualitative_wording_clean", "national qualitative wording, each score inside its band",
                  [g]))
    bad = list(qual)
    bad[7] = ("满意度指标", "服务对象满意度指标", "家长评价", "较好", "达成年度指标", 10, 5, "")  # 50 % < 80 %
    bad[5] = ("效益指标", "社会效益指标", "办学条件改善情况", "明显改善", "部分达成年度指标并具有一定效果", 15, 15,
              "")  # 100 % > 80 %
    tot = round(9.8 + sum(x[6] for x in bad), 2)
    g, c = project_form("项目支出绩效自评表", EDU, bad, total=tot, rate="percent", merge_levels=False)
    b.append(Book("P04_qualitative_out_of_band",
                  "达成年度指标 given 50 %, 部分达成… given 100 %; 一级/二级 repeated, 执行率 98.04 as a number",
                  [g], [{"sheet": g.name, "cells": [c[("score", "家长评价")]], "what": "达成年度指标 at 5 of 10"},
                        {"sheet": g.name, "cells": [c[("score", "办学条件改善情况")]],
                         "what": "部分达成 at 15 of 15"}], via="soffice-xls"))
    over = list(EDU_INDICATORS)
    over[0] = ("产出指标", "数量指标", "受益学生人次", "≥5000人次", "4500人次", 15, 15, "")  # 4500/5000 × 15 = 13.5
    over[2] = ("产出指标", "质量指标", "教育经费使用合规率", "=100%", "100%", 10, 11, "")  # over 分值
    tot = round(9.8 + sum(x[6] for x in over), 2)
    g, c = project_form("项目支出绩效自评表", EDU, over, total=tot)
    b.append(Book("P05_positive_unmet_and_over_points", "positive target not met given full marks; 得分 11 of 10",
                  [g], [{"sheet": g.name, "cells": [c[("score", "受益学生人次")]], "what": "4500 of ≥5000: 13.5"},
                        {"sheet": g.name, "cells": [c[("score", "教育经费使用合规率")]], "what": "11 over 分值 10"}],
                  [{"sheet": g.name, "cell": c["total"], "what": "总分 includes the over-scored cells"}]))
    rev = list(EDU_INDICATORS)
    rev[4] = ("产出指标", "成本指标", "生均公用经费补助标准", "≤200元", "210元", 5, 4.75, "物价上涨。")  # 5×(1−10/200)
    tot = round(9.8 + sum(x[6] for x in rev), 2)
    g, c = project_form("项目支出绩效自评表", EDU, rev, total=tot, unit="万元", rate_merged=False)
    b.append(Book("P06_reverse_indicator_clean", "reverse indicator ≤200元 at 210元 scored 4.75; 执行率 unmerged",
                  [g], via="soffice-xls"))
    tot_bad = round(9.8 + sum(x[6] for x in EDU_INDICATORS) + 2, 2)
    g, c = project_form("项目支出绩效自评表", EDU, EDU_INDICATORS, total=tot_bad)
    b.append(Book("P07_total_not_sum", "总分 2 above the sum", [g],
                  [{"sheet": g.name, "cells": [c["total"]], "what": "总分 101.6, should be 99.6"}]))
    yuan = {k: (v * 10000 if isinstance(v, float) else v) for k, v in EDU.items()}
    g, c = project_form("项目支出绩效自评表", yuan, EDU_INDICATORS, unit="元", title_extra=True)
    b.append(Book("P08_project_form_yuan_clean", "fund block in 元 (项目资金（元）, 13,380,000)", [g]))
    dept = {"name": "示例镇人民政府", "initial": 850.0, "budget": 920.5, "exec": 905.3,
            "subs": [("其中：基本支出", 520.0, 540.5, 540.5), ("项目支出", 330.0, 380.0, 364.8)]}
    dind = [
        ("产出指标", "数量指标", "保障在职人员人数", "=56人", "56人", 10, 10, ""),
        ("产出指标", "数量指标", "重点工作任务完成数", "≥12项", "12项", 10, 10, ""),
        ("产出指标", "质量指标", "重点工作完成合格率", "=100%", "100%", 10, 10, ""),
        ("产出指标", "时效指标", "重点工作按时完成率", "≥95%", "96%", 10, 10, ""),
        ("产出指标", "成本指标", "“三公”经费控制率", "≤100%", "92%", 10, 10, ""),
        ("效益指标", "社会效益指标", "公共服务水平", "明显提升", "达成年度指标", 15, 15, ""),
        ("效益指标", "可持续影响指标", "机关运转保障长效机制", "建立长效机制", "基本建立", 15, 13.5,
         "部分管理制度仍在修订完善中。"),
        ("满意度指标", "服务对象满意度指标", "辖区群众满意度", "≥90%", "93%", 10, 10, ""),
    ]
    g, c = project_form("部门整体支出绩效自评表", dept, dind, dept=True)
    b.append(Book("D01_department_form_clean", "department-wide national form with 基本支出/项目支出 rows",
                  [g], via="soffice-xlsx"))
    return b


# ---------------------------------------------------------------------------- Hebei weighted form

# seed 004 (姜各庄镇): 一级, 二级, 三级, 预期值, 单位, 实际值, 等级, 单项得分, 权重, 折算得分
HEBEI = [
    ("产出指标", "数量指标", "项目支出钱数（万元）", 2819.17, "万元", 2819.17, "优", 90, 20, 18),
    ("产出指标", "数量指标", "补贴资金发放及时率", 1.0, "百分号", 1.0, "优", 90, 10, 9),
    ("产出指标", "时效指标", "工作按时完成率", 1.0, "百分号", 1.0, "优", 90, 10, 9),
    ("产出指标", "成本指标", "人均补助标准", 1.0, "按规定标准", "按规定标准", "优", 95, 10, 9.5),
    ("效益指标", "经济效益指标", "社会公共服务水平", None, "服务水平明显提高", "服务水平明显提高", "优", 95, 10, 9.5),
    ("效益指标", "社会效益指标", "改善村级面貌", None, "明显改善村级面貌", "明显改善村级面貌", "优", 95, 10, 9.5),
    ("效益指标", "生态效益指标", "改善困难群众生活", None, "困难群众生活水平明显改善", "困难群众生活水平明显改善", "优",
     95, 10, 9.5),
    ("满意度指标", "服务对象满意度指标", "群众满意度", 0.98, "百分号", 0.98, "优", 95, 10, 9.5),
]


def weighted_form(sheet, *, label_above=False, progress=75.24, rows=None, rate_score=75.24, rate_weighted=7.5,
                  total=91, notes=True, actual_rate=0.7524):
    g = Grid(sheet)
    g.merge(0, 0, 0, 11, "2023年度部门整体绩效自评表")
    g.row = 1
    g.line(["一、基本情况", "实施主管部门", None, "姜各庄镇人民政府", None, None, None, None, "金额单位", None, "万元"])
    cells = {}
    if label_above:  # a row of labels, values in the row below
        g.line(["二、预算执行情况", "预算数", None, "到位数", None, "执行数", None, "预算执行进度(%)"])
        r = g.line([None, 3746.68, None, 2819.17, None, 2819.17, None, progress])
        cells["progress"] = a1(r, 7)
        g.line([None, "其中：财政资金", None, "其中：财政资金", None, "其中：财政资金"])
        g.line([None, 3746.68, None, 2819.17, None, 2819.17])
    else:
        g.line(["二、预算执行情况", "预算安排情况（调整后）", None, None, "资金到位情况", None, None, "资金执行情况", None,
                None, "预算执行进度(%)"])
        r = g.line([None, "预算数", 3746.68, None, "到位数", 2819.17, None, "执行数", 2819.17, None, progress])
        cells["progress"] = a1(r, 10)
        g.line([None, "其中：财政资金", 3746.68, None, "其中：财政资金", 2819.17, None, "其中：财政资金", 2819.17])
        g.line([None, "其他", None, None, "其他", None, None, "其他"])
    g.line(["三、目标完成情况", "年度预期目标", None, None, None, None, "具体完成情况", None, None, None, "总体完成率(%)"])
    g.line([None, "目标1：达到社会长治久安，社会和谐稳定。", None, None, None, None, "目标1完成情况：信访案件化解率达100%。",
            None, None, None, 95])
    r = g.row
    g.merge(r, 0, r + 1, 0, "四、年度绩效指标完成情况")
    for c, lab in enumerate(["一级指标", "二级指标", "三级指标", "指标说明", "预期指标值", "单位（文字描述）",
                             "单项指标实际完成值", "单项指标完成等级"], start=1):
        g.merge(r, c, r + 1, c, lab)
    g.merge(r, 9, r, 11, "自评得分")
    g.put(r + 1, 9, "单项指标得分")
    g.put(r + 1, 10, "权重占比(%)")
    g.put(r + 1, 11, "单项指标折算得分")
    g.row = r + 2
    for ind in rows or HEBEI:
        l1, l2, l3, tgt, unit, act, grade, s, w, ws = ind
        rr = g.line([None, l1, l2, l3, l3, tgt, unit, act, grade, s, w, ws],
                    {5: "0%" if tgt in (1.0, 0.98) else None,
                     7: "0%" if isinstance(act, float) and act <= 1 else None})
        cells[("grade", l3)] = a1(rr, 8)
        cells[("score", l3)] = a1(rr, 9)
        cells[("weighted", l3)] = a1(rr, 11)
    rr = g.line([None, "预算执行率", "预算执行率", "预算执行率", "预算执行率", None, None, actual_rate, None, rate_score,
                 10, rate_weighted], {7: "0.00%"})
    cells["rate_score"] = a1(rr, 9)
    cells["rate_weighted"] = a1(rr, 11)
    rr = g.line(["自评得分", None, None, None, None, None, None, None, None, None, None, total])
    cells["total"] = a1(rr, 11)
    g.line(["填报人：", None, "樊琪", None, None, "联系电话：", None, "4800291"])
    if notes:
        g.line(["说明："])
        g.line(["1.预算项目自评得分由各单项指标的折算得分合计而成，满分为100分。"])
        g.line(["4.权重占比，即单项指标在总分100分中所占的比重，其中预算执行率指标权重占比固定为10%。"])
        g.line(["5.折算得分，即单项指标得分*权重占比。"])
    return g, cells


def weighted_books() -> list[Book]:
    b = []
    g, c = weighted_form("部门整体绩效自评表")
    b.append(Book("W01_hebei_seed004_clean", "seed 004 layout, labels left of values; 7.5 for 7.524",
                  [g], via="soffice-xls"))
    g, c = weighted_form("部门整体绩效自评表", label_above=True, progress=85.0)
    b.append(Book("W02_label_above_progress", "fund block with labels above values; 预算执行进度 85 for 75.24",
                  [g], [{"sheet": g.name, "cells": [c["progress"]], "what": "预算执行进度 85, should be 75.24"}],
                  [{"sheet": g.name, "cell": c["rate_score"], "what": "单项得分 from the right rate"}]))
    rows = list(HEBEI)
    rows[4] = rows[4][:9] + (9.0,)  # 95 × 10 % = 9.5
    rows[5] = rows[5][:6] + ("优", 75, 10, 7.5)  # 75 is 中, not 优
    tot = round(sum(x[9] for x in rows) + 7.5, 2)
    g, c = weighted_form("部门整体绩效自评表", rows=rows, total=tot)
    b.append(Book("W03_weighted_and_grade", "折算得分 9 for 95 × 10 %; grade 优 for 75 points",
                  [g], [{"sheet": g.name, "cells": [c[("weighted", "社会公共服务水平")]], "what": "折算 9, should be 9.5"},
                        {"sheet": g.name, "cells": [c[("grade", "改善村级面貌")]], "what": "75 graded 优 (中)"}],
                  [{"sheet": g.name, "cell": c["total"], "what": "自评得分 follows the wrong 折算"}]))
    g, c = weighted_form("部门整体绩效自评表", total=92)
    b.append(Book("W04_total_not_sum", "自评得分 92 for 91", [g],
                  [{"sheet": g.name, "cells": [c["total"]], "what": "自评得分 92, should be 91"}]))
    rows = list(HEBEI)
    rows[1] = rows[1][:5] + (0.95, "良", 85, 10, 8.5)
    rows[2] = rows[2][:5] + (0.9, "中", 70, 10, 7)
    tot = round(sum(x[9] for x in rows) + 7.5, 2)
    g, c = weighted_form("部门整体绩效自评表", rows=rows, total=tot, label_above=True, notes=False)
    b.append(Book("W05_grades_label_above_clean", "label-above fund block, 良 85 and 中 70 graded right",
                  [g], via="soffice-xlsx"))
    return b


# --------------------------------------------------------------------------------- score table

# seed 003 (高邑镇 2024): 一级 (分值), 二级 (分值), 三级, 分值, 得分, 说明
SEED003 = [
    ("投入", 20, [("绩效目标指标管理", 10, [("绩效目标科学性", 7, 7), ("绩效指标科学性", 3, 3)]),
                ("预算编制", 10, [("预算编制完整性", 2, 2), ("项目预算功能分类等编制合规性", 6, 6), ("预算上报及时性", 2, 2)])]),
    ("过程", 40, [("预算执行", 25, [("收入预算完成率", 2, 2), ("预算调整率", 3, 2), ("支出进度", 4, 3),
                               ("资金结余结转率", 2, 2), ("“三公经费”控制率", 2, 2), ("政府采购执行率", 2, 2),
                               ("决算真实性", 2, 2), ("资金使用合规性", 4, 4), ("财务管理规范性", 4, 3.75)]),
                ("预算管理", 7, [("管理制度健全性", 2, 2), ("预决算信息公开性", 2, 2), ("基础信息完善性", 1, 1),
                             ("资产管理规范性", 2, 2)]),
                ("绩效评价", 8, [("绩效自评覆盖率", 4, 4), ("评价结果应用率", 4, 4)])]),
    ("产出", 25, [("数量指标", 10, [("抓好项目建设", 2.5, 2.5), ("抓好城市建设", 2.5, 2.5), ("推进乡村振兴", 2.5, 2.5),
                                ("抓好环境治理", 2.5, 2.5)]),
                ("质量指标", 10, [("招商引资工作", 2.5, 2.5), ("城市建设工作", 2.5, 2.5), ("乡村振兴工作", 2.5, 2.5),
                              ("环保工作", 2.5, 2.5)]),
                ("时效指标", 5, [("保障时间", 5, 5)])]),
    ("效果", 15, [("履职效益", 15, [("部门整体效益", 10, 8), ("社会公众满意度", 5, 4)])]),
]
CN = "一二三四五六七八九十"


def score_data(change=None):
    data = []
    for l1, p1, subs in SEED003:
        s2 = []
        for l2, p2, items in subs:
            s2.append((l2, p2, [(n, p, (change or {}).get(n, s)) for n, p, s in items]))
        data.append((l1, p1, s2))
    return data


def sum_items(data):
    return round(sum(s for _, _, subs in data for _, _, items in subs for _, _, s in items), 2)


def score_table_seed(sheet, data, *, total=None, grade="优秀", totals="last"):
    """seed 003's layout: 一级 | 分值 | 二级 | 分值 | 三级 | 分值 | 得分 | 评分说明, levels merged down."""
    g = Grid(sheet)
    g.merge(0, 0, 0, 7, "高邑县高邑镇人民政府2024年度部门整体支出绩效评价指标评分表")
    g.row = 1
    g.line(["一级指标", "分值", "二级指标", "分值", "三级指标", "分值", "得分", "评分说明"])
    cells = {}
    tot = total if total is not None else sum_items(data)
    if totals == "first":
        r = g.line(["合计", 100, None, 100, None, 100, tot])
        cells["total"] = a1(r, 6)
    for l1, p1, subs in data:
        r1 = g.row
        for l2, p2, items in subs:
            r2 = g.row
            for n, p, s in items:
                r = g.line([None, None, None, None, n, p, s, "按评分标准" if s == p else f"扣{round(p - s, 2)}分"])
                cells[n] = a1(r, 6)
            g.merge(r2, 2, g.row - 1, 2, l2) if g.row - 1 > r2 else g.put(r2, 2, l2)
            g.merge(r2, 3, g.row - 1, 3, p2) if g.row - 1 > r2 else g.put(r2, 3, p2)
        g.merge(r1, 0, g.row - 1, 0, l1)
        g.merge(r1, 1, g.row - 1, 1, p1)
    if totals == "last":
        r = g.line(["合计", 100, None, 100, None, 100, tot])
        cells["total"] = a1(r, 6)
    r = g.line(["评价等级", grade])
    cells["grade"] = a1(r, 1)
    return g, cells


def score_table_groups(sheet, data, *, total=None, grade="优秀", sub_override=None):
    """Group-row layout: 指标 | 分值 | 得分 | 评分说明, with '一、投入指标 20 20' and '（一）… 10 10' rows."""
    g = Grid(sheet)
    g.merge(0, 0, 0, 3, "2024年度部门整体支出绩效评价指标评分表")
    g.row = 1
    g.line(["评价单位：高邑县高邑镇人民政府", None, None, "单位：分"])
    g.line(["指标", "分值", "得分", "评分说明"])
    cells = {}
    tot = total if total is not None else sum_items(data)
    for i, (l1, p1, subs) in enumerate(data):
        s1 = round(sum(s for _, _, items in subs for _, _, s in items), 2)
        s1 = (sub_override or {}).get(l1, s1)
        r = g.line([f"{CN[i]}、{l1}指标", p1, s1])
        cells[("group", l1)] = a1(r, 2)
        for j, (l2, p2, items) in enumerate(subs):
            s2 = round(sum(s for _, _, s in items), 2)
            r = g.line([f"（{CN[j]}）{l2}", p2, s2])
            cells[("group", l2)] = a1(r, 2)
            for k, (n, p, s) in enumerate(items):
                r = g.line([f"{k + 1}.{n}", p, s, "" if s == p else f"扣{round(p - s, 2)}分"])
                cells[n] = a1(r, 2)
    r = g.line(["合计", 100, tot])
    cells["total"] = a1(r, 2)
    r = g.line(["评价等级", grade])
    cells["grade"] = a1(r, 1)
    g.line(["注：得分保留两位小数。"])
    return g, cells


def score_books() -> list[Book]:
    b = []
    d = score_data()
    g, c = score_table_seed("指标评分表", d)
    b.append(Book("T01_score_seed003_clean", "seed 003 layout with its total corrected to 94.75", [g]))
    g, c = score_table_groups("指标评分表", d)
    b.append(Book("T02_score_group_rows_clean", "group rows '一、投入指标 20 20' and '（一）预算执行 25 22.75'",
                  [g], via="soffice-xlsx"))
    d3 = score_data({"绩效指标科学性": 3.5})
    g, c = score_table_groups("指标评分表", d3)
    b.append(Book("T03_score_over_points", "group rows; 3.5 points given on a 3-point indicator (sums follow)",
                  [g], [{"sheet": g.name, "cells": [c["绩效指标科学性"]], "what": "得分 3.5 over 分值 3"}],
                  [{"sheet": g.name, "cell": c[k], "what": "sums include 3.5"}
                   for k in (("group", "投入"), ("group", "绩效目标指标管理"), "total")]))
    g, c = score_table_seed("指标评分表", d, total=95.75, totals="first")
    b.append(Book("T04_score_total_first_seed_error", "合计 first (seed 003's 95.75 against 94.75)", [g],
                  [{"sheet": g.name, "cells": [c["total"]], "what": "合计 95.75, should be 94.75"}]))
    g, c = score_table_groups("指标评分表", d, grade="良好", sub_override={"过程": 38.75})
    b.append(Book("T05_score_grade_and_group_sum", "group rows; 过程 38.75 for 37.75; 94.75 graded 良好",
                  [g], [{"sheet": g.name, "cells": [c[("group", "过程")]], "what": "过程 38.75, should be 37.75"},
                        {"sheet": g.name, "cells": [c["grade"]], "what": "94.75 graded 良好 (优秀)"}],
                  via="soffice-xls"))
    return b


# ----------------------------------------------------------------------------------- management

# seed 001 (东史端镇): category, 满分, 得分
SEED001 = [("重大政策落实", 12, 11), ("预算编制管理", 12, 12), ("预算执行管理", 24, 23), ("预算绩效管理", 22, 21.5),
           ("资产管理", 5, 4.5), ("预算透明度", 7, 7), ("预算信息化", 10, 10), ("存在问题扣分", 0, 0)]


def management(sheet, items, *, total=None, converted=None, merged_result=False, unit_line=True):
    g = Grid(sheet)
    g.merge(0, 0, 0, 4, "东史端镇2023年度绩效管理自评表")
    g.row = 1
    if unit_line:
        g.line(["填报单位：保定市徐水区东史端镇人民政府", None, None, "单位：分"])
    g.line(["序号", "评价内容", "满分", "得分", "说明"])
    cells = {}
    for i, (n, p, s) in enumerate(items):
        r = g.line([i + 1, n, p, s, "按要求完成" if s == p else f"扣{round(p - s, 2)}分"])
        cells[n] = a1(r, 3)
    full = sum(p for _, p, _ in items)
    tot = total if total is not None else round(sum(s for _, _, s in items), 2)
    r = g.line([None, "合计", full, tot])
    cells["total"] = a1(r, 3)
    conv = converted if converted is not None else round(tot / full * 100, 2)
    r = g.row
    g.put(r, 1, "换算得分")
    if merged_result:  # one value spread over the 满分 and 得分 columns
        g.merge(r, 2, r, 3, conv)
        cells["converted"] = a1(r, 2)
        cells["converted_all"] = [a1(r, 2), a1(r, 3)]
    else:
        g.put(r, 2, 100)
        g.put(r, 3, conv)
        cells["converted"] = a1(r, 3)
    g.put(r, 4, "换算得分=得分÷满分×100")
    g.row += 1
    return g, cells


def management_books() -> list[Book]:
    b = []
    g, c = management("绩效管理自评表", SEED001)
    b.append(Book("M01_management_clean", "seed 001 layout with 合计 89 and 换算得分 96.74", [g]))
    g, c = management("绩效管理自评表", SEED001, converted=98.91, merged_result=True)
    b.append(Book("M02_merged_converted", "换算得分 merged across 满分 and 得分: 98.91 for 89 ÷ 92", [g],
                  [{"sheet": g.name, "cells": c["converted_all"], "what": "换算得分 98.91, should be 96.74"}],
                  via="soffice-xlsx"))
    g, c = management("绩效管理自评表", SEED001, total=91, converted=98.91)
    b.append(Book("M03_seed001_total", "seed 001 as published: 合计 91 (sum 89); 98.91 follows from 91", [g],
                  [{"sheet": g.name, "cells": [c["total"]], "what": "合计 91, should be 89"}],
                  [{"sheet": g.name, "cell": c["converted"], "what": "98.91 = 91 ÷ 92: follows the wrong 合计"}]))
    items = list(SEED001)
    items[4] = ("资产管理", 5, 5.5)
    g, c = management("绩效管理自评表", items, merged_result=True, unit_line=False)
    b.append(Book("M04_item_over_full", "资产管理 5.5 of 5 (合计 and 换算 follow it); merged 换算得分", [g],
                  [{"sheet": g.name, "cells": [c["资产管理"]], "what": "得分 5.5 over 满分 5"}],
                  [{"sheet": g.name, "cell": c[k], "what": "follows 5.5"} for k in ("total", "converted")]))
    return b


# ---------------------------------------------------------------------------------------- build


def books() -> list[Book]:
    return summary_books() + form_books() + weighted_books() + score_books() + management_books()


def convert(pairs: list[tuple[Path, Path, str]]) -> None:
    """Pass workbooks through LibreOffice (one soffice run per target format)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise RuntimeError("soffice not found")
    for fmt in ("xlsx", "xls"):
        todo = [(s, d) for s, d, f in pairs if f == fmt]
        if not todo:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            profile = Path(tmp) / "profile"
            outdir = Path(tmp) / "out"
            target = "xlsx:Calc MS Excel 2007 XML" if fmt == "xlsx" else "xls:MS Excel 97"
            subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                            target, "--outdir", str(outdir)] + [str(s) for s, _ in todo],
                           check=True, capture_output=True, timeout=300)
            for s, d in todo:
                shutil.move(str(outdir / (s.stem + "." + fmt)), d)


def build(outdir: Path, *, soffice: bool = True) -> dict:
    """Write the set into ``outdir``; returns the ground truth (also written to expected.json)."""
    outdir.mkdir(parents=True, exist_ok=True)
    truth = {}
    pending = []
    with tempfile.TemporaryDirectory() as tmp:
        for bk in books():
            if bk.via == "xlsxwriter":
                path = outdir / f"{bk.name}.xlsx"
                write_xlsx(path, bk.grids)
            else:
                if not soffice:
                    continue
                fmt = bk.via.split("-")[1]
                src = Path(tmp) / f"{bk.name}.xlsx"
                write_xlsx(src, bk.grids)
                path = outdir / f"{bk.name}.{fmt}"
                pending.append((src, path, fmt))
            truth[path.name] = {"layout": bk.layout, "via": bk.via, "errors": bk.truth,
                                "consequences": bk.consequences}
        if pending:
            convert(pending)
    (outdir / "expected.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n",
                                          encoding="utf-8")
    return truth


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "acceptance-set")
    t = build(out, soffice="--no-soffice" not in sys.argv)
    print(f"{len(t)} workbooks in {out}, {sum(len(v['errors']) for v in t.values())} wrong cells, "
          f"{sum(1 for v in t.values() if not v['errors'])} clean")
