"""Second acceptance set: workbooks laid out the way other provincial systems and hand-made Excel/WPS tables
lay out the self-evaluation kinds, written without reading xltool's readers.

Layouts drawn here (each is common in published tables): 部门绩效自评结果公开汇总表 with 序号 1、2… under 一、二
group rows that carry their own amounts, 合计 at the top, 其中 rows under a project, amounts in 元 typed as text
with thousands separators, 执行率 as "98.5%" text, a merged two-row header (资金情况（元） over 年初预算数 |
全年预算数 | 全年执行数), blank rows between groups, a 填表说明 note at the bottom, the header repeated after a page
break, a sheet named "Sheet1" next to an unrelated second sheet; 评分表 with 扣分 columns; 项目支出绩效自评表 with
the fund block as label/value pairs side by side or as the Ministry's grid; Hebei's weighted form; 绩效管理自评表.
Files are written with xlsxwriter; some pass through LibreOffice (.xlsx and .xls, real producer packages) and some
are given the package properties WPS writes.

The figures come from the published reports in ``../shared/seeds`` (embedded below; nothing outside this file is
needed). Nothing here imports xltool. Each workbook has a ground truth in the form of
``tests/acceptance/expected.json``: ``errors`` (any one of ``cells`` must carry an error), ``consequences`` (cells
that may carry a warning because they follow from an injected error); every other cell must carry no error.

    python tests/acceptance2/build.py OUTDIR      # writes OUTDIR/*.xlsx|xls and OUTDIR/expected.json
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter

# ------------------------------------------------------------------------------------------------ data (seeds)

# seed 000 (铜冶镇 2023): 项目名称, 预算数（调整后）, 执行数, 自评得分
SEED000 = [
    ("2023 年镇级铜冶镇公共文化设施免费开放(乡镇文化站)", 1.5, 1.5, 100),
    ("2023 年镇级鹿泉区铜冶镇巡防队经费", 97.381545, 97.381545, 100),
    ("2023 年镇级鹿泉区铜冶镇教育经费", 1338, 1311.752, 96),
    ("2023 年镇级鹿泉区铜冶镇五保、低保、扶贫及困难人员补助", 70, 68.076, 96),
    ("2023 年区级军队退役人员公益岗位及劳务派遣工资、保险", 101.15, 85.8582, 98),
    ("2023 年镇级鹿泉区铜冶镇卫生院经费补助", 317, 317, 100),
    ("2023 年镇级鹿泉区铜冶镇计生事务", 30, 29.9585, 100),
    ("2023 年镇级铜冶镇文旅产业发展战略规划及应用设计服务服务项目", 65, 65, 100),
    ("2023 年镇级鹿泉区铜冶镇空间规划", 20, 20, 100),
    ("2023 年镇级晓阳街道路工程", 456, 456, 100),
    ("2023 年镇级海龙湾周边道路修缮项目", 49.12, 49.113159, 100),
    ("2023 年镇级铜冶镇第一中学用电新建工程", 198, 190.7309, 97),
    ("2023 年镇级鹿泉区铜冶镇铜岭路改造整治提升工程", 264, 264, 100),
    ("2023 年镇级铜冶镇”煤改电“设备补贴", 102, 102, 93),
    ("2023 年镇级铜冶镇君乐宝党建全国示范项目", 36.017173, 36.017173, 100),
    ("2023 年镇级鹿泉区铜冶镇企业补贴", 344, 343.865423, 100),
    ("2023 年镇级学院路综合提升大修工程", 93, 93, 100),
    ("2023 年镇级石铜路与商会东街平交口交通设施安装工程", 43, 43, 100),
    ("2023 年镇级铜冶镇安保服务项目", 62, 61.632, 100),
    ("2023 年镇级铜冶镇专项公用经费", 180, 148.028946, 91),
    ("2023年镇级鹿泉区铜冶镇城乡设施维护费用", 1911.74232, 1871.913014, 98),
    ("2023年区级铜冶镇特发大会项目", 100, 100, 100),
    ("2023年镇级鹿泉区铜冶镇环境卫生保洁费(镇级担负)", 246, 246, 100),
    ("2023年镇级鹿泉区铜冶镇绿化管护项目", 196, 195.9402, 100),
    ("2023年镇级鹿泉区铜冶镇卫生队费用及工资", 142.32, 141.90365, 100),
    ("区级南铜冶村新农村建设", 4600, 4600, 100),
    ("2023年镇级鹿泉区铜冶镇防汛工作经费", 50, 45.999477, 97),
    ("2023年镇级鹿泉区铜冶镇防疫工作经费", 1064, 1009.152608, 95),
    ("2023年镇级鹿泉区铜冶镇防火费用", 50, 37.9317, 90),
    ("2023年镇级鹿泉区铜冶镇信访经费", 100, 84.4365, 95),
    ("2023年镇级铜冶镇纪检办案经费", 20, 19.924896, 100),
    ("2023年镇级铜冶镇石铜路宣传屏项目", 35, 0, 90),
    ("2023 年镇级铜冶镇固定资产购置费", 100, 36.249566, 84),
    ("2023 年镇级鹿泉区铜冶镇村级土地流转", 1278, 1253.05931, 98),
    ("2023 年镇级鹿泉区铜冶镇工程预算决算审计费", 90, 55.9782, 93),
    ("2023 年镇级鹿泉区铜冶镇劳务派遣人员工资及保险", 1600, 1599.990047, 100),
    ("2023 年镇级鹿泉区铜冶镇应急办、工业、环保工作经费等", 70, 57.983, 95),
    ("2023 年镇级鹿泉区铜冶镇文化宣传费", 198.5, 193.65271, 98),
    ("2023 年镇级鹿泉区铜冶镇村级补助", 2189.75, 1526.239261, 95),
    ("2023 年镇级鹿泉区铜冶镇村干部工资", 362, 360.235763, 100),
    ("石财农【2021】88号 2022 年铜冶镇北铜冶、西良厢、西铜冶、南任村一事一议项目", 107.4832, 107.4832, 100),
    ("2023 年镇级铜冶金河桥至青龙山大道改建工程(补助京赞线南延改造工程)", 1250, 1150, 96),
    ("农村生活垃圾清理资金(2023 年区级调剂)", 210.394524, 210.394524, 100),
    ("石家庄鹿泉区永壁北街村 2023 年综合改革示范村建设项目(上级资金)", 300, 0, 90),
    ("10KV962 绿岛二线开关站分支 4#-10#杆迁建工程", 162, 0, 90),
    ("2023 年镇级铜冶镇环卫清洁服务采购项目", 228.98, 221.316, 97),
    ("镇级西美农民工工资(2023 年追加)", 744.63, 744.62039, 100),
    ("2023 年镇级鹿泉区铜冶镇社区费用追加", 12, 0, 90),
    ("2023 年鹿泉区青龙山大道消防救援站项目", 100, 100, 100),
    ("石财农【2022】81 号提前下达 2023 年中央农村综合改革转移支付(铜冶镇 2023 年北铜冶村、西铜冶村一事一议项目)",
     50, 0, 90),
    ("石财农【2023】54 号下达 2023 年市级农村综合改革转移支付(铜冶镇 2023 年北故邑村、桥门沟村、东任村一事一议项目)",
     46.8929, 0, 90),
]

ORG = "铜冶镇人民政府"

# seed 003 (高邑镇 2024): 一级 → 二级 → (三级, 分值, 得分); the scores add up to 94.75 (the report says 95.75)
SEED003 = [
    ("投入指标", [("绩效目标指标管理", [("绩效目标科学性", 7, 7), ("绩效指标科学性", 3, 3)]),
                 ("预算编制", [("预算编制完整性", 2, 2), ("项目预算功能分类等编制合规性", 6, 6),
                               ("预算上报及时性", 2, 2)])]),
    ("过程指标", [("预算执行", [("收入预算完成率", 2, 2), ("预算调整率", 2, 2), ("支出进度", 3, 3),
                               ("资金结余结转率", 2, 2), ("“三公经费”控制率", 2, 2), ("政府采购执行率", 2, 2),
                               ("决算真实性", 2, 2), ("资金使用合规性", 4, 4), ("财务管理规范性", 6, 3.75)]),
                 ("预算管理", [("管理制度健全性", 2, 2), ("预决算信息公开性", 2, 2), ("基础信息完善性", 1, 1),
                               ("资产管理规范性", 2, 2)]),
                 ("绩效评价", [("绩效自评覆盖率", 4, 4), ("评价结果应用率", 4, 4)])]),
    ("产出指标", [("数量指标", [("抓好项目建设，促进经济发展", 2.5, 2.5), ("抓好城市建设，打造最美县城", 2.5, 2.5),
                               ("推进乡村振兴，整治人居环境", 2.5, 2.5), ("抓好环境治理，改善生态环境", 2.5, 2.5)]),
                 ("质量指标", [("招商引资工作", 2.5, 2.5), ("城市建设工作", 2.5, 2.5), ("乡村振兴工作", 2.5, 2.5),
                               ("环保工作", 2.5, 2.5)]),
                 ("时效指标", [("保障时间", 5, 5)])]),
    ("效果指标", [("履职效益", [("部门整体效益", 10, 8), ("社会公众满意度", 5, 4)])]),
]

# seed 001 (东史端镇 2023) 绩效管理自评表: 考核内容, 满分, 得分 (the report says 91 of 92 → 98.91; the items add up to 89)
SEED001 = [("重大政策落实", 12, 11), ("预算编制管理", 12, 12), ("预算执行管理", 24, 23), ("预算绩效管理", 22, 21.5),
           ("资产管理", 5, 4.5), ("预算透明度", 7, 7), ("预算信息化", 10, 10), ("存在问题扣分", None, 0)]

# seed 004 (姜各庄镇 2023) Hebei 部门整体绩效自评表: 一级, 二级, 三级, 指标值, 完成值, 等级, 单项得分, 权重, 折算
SEED004 = [
    ("产出指标", "数量指标", "项目支出钱数(万元)", "2819.17万元", "2819.17", "优", 90, 20, 18),
    ("产出指标", "数量指标", "补贴资金发放及时率", "100%", "100%", "优", 90, 10, 9),
    ("产出指标", "时效指标", "工作按时完成率", "100%", "100%", "优", 90, 10, 9),
    ("产出指标", "成本指标", "人均补助标准", "100%", "按规定标准", "优", 95, 10, 9.5),
    ("效益指标", "经济效益指标", "社会公共服务水平", "服务水平明显提高", "服务水平明显提高", "优", 95, 10, 9.5),
    ("效益指标", "社会效益指标", "改善村级面貌", "明显改善村级面貌", "明显改善村级面貌", "优", 95, 10, 9.5),
    ("效益指标", "生态效益指标", "改善困难群众生活", "困难群众生活水平明显改善", "困难群众生活水平明显改善", "优", 95, 10,
     9.5),
    ("满意度指标", "服务对象满意度指标", "群众满意度", "98%", "98%", "优", 95, 10, 9.5),
]

# ------------------------------------------------------------------------------------------------ grid


def a1(r: int, c: int) -> str:
    s, n = "", c + 1
    while n:
        n, m = divmod(n - 1, 26)
        s = chr(65 + m) + s
    return f"{s}{r + 1}"


@dataclass
class Sheet:
    name: str
    cells: dict = field(default_factory=dict)  # (r, c) -> str | float
    fmts: dict = field(default_factory=dict)  # (r, c) -> number format
    merges: list = field(default_factory=list)  # (r1, c1, r2, c2)
    r: int = 0  # next free row

    def put(self, r, c, v, fmt=None):
        if v is None or v == "":
            return
        self.cells[(r, c)] = v
        if fmt:
            self.fmts[(r, c)] = fmt

    def line(self, values, start=0, fmts=None) -> int:
        r = self.r
        for i, v in enumerate(values):
            self.put(r, start + i, v, (fmts or {}).get(i))
        self.r += 1
        return r

    def merge(self, r1, c1, r2, c2):
        if (r1, c1) != (r2, c2):
            self.merges.append((r1, c1, r2, c2))


@dataclass
class Book:
    name: str  # file stem
    layout: str
    sheets: list
    via: str = "xlsxwriter"  # xlsxwriter | wps | soffice-xlsx | soffice-xls
    errors: list = field(default_factory=list)  # {"sheet", "cells", "what"}
    consequences: list = field(default_factory=list)  # {"sheet", "cell", "what"}

    @property
    def suffix(self) -> str:
        return ".xls" if self.via == "soffice-xls" else ".xlsx"

    def wrong(self, sheet: Sheet, cells, what: str):
        self.errors.append({"sheet": sheet.name, "cells": list(cells), "what": what})

    def follows(self, sheet: Sheet, cells, what: str):
        for c in cells:
            item = {"sheet": sheet.name, "cell": c, "what": what}
            if item not in self.consequences:
                self.consequences.append(item)

    def truth(self) -> dict:
        return {"layout": self.layout, "via": self.via, "errors": self.errors, "consequences": self.consequences}


def write_xlsx(path: Path, sheets: list[Sheet], *, wps: bool = False) -> None:
    wb = xlsxwriter.Workbook(str(path))
    cache = {}

    def fmt(num_format=None, bold=False, wrap=True):
        key = (num_format, bold, wrap)
        if key not in cache:
            spec = {"border": 1, "valign": "vcenter", "text_wrap": wrap, "font_name": "宋体", "font_size": 10}
            if num_format:
                spec["num_format"] = num_format
            if bold:
                spec["bold"] = True
            cache[key] = wb.add_format(spec)
        return cache[key]

    for sh in sheets:
        ws = wb.add_worksheet(sh.name)
        ws.set_column(0, 0, 6)
        ws.set_column(1, 1, 34)
        ws.set_column(2, 12, 13)
        covered = set()
        for r1, c1, r2, c2 in sh.merges:
            v = sh.cells.get((r1, c1), "")
            f = fmt(sh.fmts.get((r1, c1)))
            if isinstance(v, str):
                ws.merge_range(r1, c1, r2, c2, v, f)
            else:
                ws.merge_range(r1, c1, r2, c2, None, f)
                ws.write_number(r1, c1, v, f)
            covered |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
        for (r, c), v in sorted(sh.cells.items()):
            if (r, c) in covered:
                continue
            f = fmt(sh.fmts.get((r, c)))
            if isinstance(v, str):
                ws.write_string(r, c, v, f)
            else:
                ws.write_number(r, c, v, f)
    if wps:
        wb.set_custom_property("KSOProductBuildVer", "2052-12.1.0.16120")
        wb.set_custom_property("ICV", "6A1B3E7F0C1D4F2A9B8C7D6E5F4A3B2C_13")
    wb.close()
    if wps:
        _as_wps(path)


def _as_wps(path: Path) -> None:
    """Give the package the properties WPS 表格 writes (application name, no Excel version)."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "docProps/app.xml":
                text = data.decode("utf-8")
                text = re.sub(r"<Application>[^<]*</Application>", "<Application>WPS 表格</Application>", text)
                text = re.sub(r"<AppVersion>[^<]*</AppVersion>", "", text)
                data = text.encode("utf-8")
            zout.writestr(item, data)
    tmp.replace(path)


# ------------------------------------------------------------------------------------------------ numbers


def yuan_text(v: float) -> str:
    return f"{v:,.2f}"


def pct(rate: float) -> float:
    return rate * 100


def seed_projects(indices) -> list[dict]:
    out = []
    for i in indices:
        name, budget, spent, score = SEED000[i]
        out.append({"name": name, "budget": budget, "spent": spent, "score": score})
    return out


def grade4(score: float) -> str:
    """Seed 000's bands (85 / 75 / 60); the sets avoid scores where they differ from 90 / 80 / 60."""
    return "优秀" if score >= 85 else "良好" if score >= 75 else "一般" if score >= 60 else "较差"


def opinion(score: float, rate: float) -> str:
    head = f"评价结果{grade4(score)}，"
    if rate < 0.9:
        return head + "调整优化支出结构，加强预算与实际支出的测算精度，确保绩效目标如期保质实现。"
    return head + "继续推进此项目。"


# ------------------------------------------------------------------------------------------------ summary tables

LABELS = {
    "seq": "序号", "name": "项目名称", "org": "项目实施单位", "initial": "年初预算数", "budget": "全年预算数",
    "spent": "全年执行数", "rate": "执行率", "balance": "结余数", "returned": "结余交回财政数", "score": "自评得分",
    "grade": "评价等级", "opinion": "自评结果应用意见",
}
AMOUNTS = ("initial", "budget", "spent", "balance", "returned")
DERIVED = ("rate", "balance", "returned", "grade", "opinion")


@dataclass
class SummarySpec:
    cols: list
    labels: dict = field(default_factory=dict)
    unit: str = "万元"  # 万元 | 元
    text_amounts: bool = False  # 元 typed as text "13,380,000.00"
    rate_style: str = "text1"  # text1 "98.5%" | text2 "98.04%" | frac 0.9804 (0.00%) | pct 98.04
    parent: tuple | None = None  # (label, [col keys]) merged over two header rows
    totals: str = "top"  # top | bottom | both
    total_label_col: str = "name"
    groups: list | None = None  # [(title, [project dicts])]; None: one flat list
    group_amounts: bool = True  # group rows carry the sums of their projects
    blank_between: bool = False
    repeat_header_every: int = 0  # repeat the header rows after that many body rows (a printed page)
    parts: dict = field(default_factory=dict)  # project name -> [(label, budget, spent)] 其中 rows
    notes: list = field(default_factory=list)
    title: str = "部门绩效自评结果公开汇总表"
    initial_cut: dict = field(default_factory=dict)  # project name -> 年初预算数 when it differs


def summary_sheet(book: Book, name: str, spec: SummarySpec, flat: list[dict] | None = None,
                  errors: list | None = None) -> Sheet:
    """Lay out a summary table; ``errors`` = [(row key, col key, stated value in 万元 / fraction, what)], row key a
    project name, "total" (the first 合计), "total2" (a bottom 合计 when both) or ("group", title)."""
    sh = Sheet(name)
    cols = spec.cols
    ci = {k: i for i, k in enumerate(cols)}
    scale = 10000 if spec.unit == "元" else 1
    errs = {(e[0], e[1]): e for e in (errors or [])}
    ncols = len(cols)
    sh.line([spec.title])
    sh.merge(0, 0, 0, ncols - 1)
    r = sh.line(["主管部门：鹿泉区铜冶镇人民政府"])
    sh.put(r, ncols - 2, f"单位：{spec.unit}")

    def label(k):
        text = spec.labels.get(k, LABELS[k])
        if k == "rate" and spec.rate_style == "pct" and "%" not in text:
            text += "(%)"
        return text

    def header():
        if spec.parent:
            top, bottom = sh.r, sh.r + 1
            plabel, pcols = spec.parent
            for k in cols:
                if k in pcols:
                    sh.put(bottom, ci[k], label(k))
                else:
                    sh.put(top, ci[k], label(k))
                    sh.merge(top, ci[k], bottom, ci[k])
            first = min(ci[k] for k in pcols)
            sh.put(top, first, plabel)
            sh.merge(top, first, top, max(ci[k] for k in pcols))
            sh.r += 2
        else:
            sh.line([label(k) for k in cols])

    header()
    page_rows = 0

    def amount(v):
        v = v * scale
        if spec.unit == "元":
            v = round(v, 2)
            return (yuan_text(v), None) if spec.text_amounts else (v, "#,##0.00")
        return round(v, 6), None

    def rate_cell(rate):
        if spec.rate_style == "text1":
            return f"{pct(rate):.1f}%", None
        if spec.rate_style == "text2":
            return f"{pct(rate):.2f}%", None
        if spec.rate_style == "frac":
            return round(rate, 4), "0.00%"
        return round(pct(rate), 2), "0.00"

    def emit(key, values, kind):
        """Write one body row; values: col key -> raw value (万元 / fraction / str). Returns its row index."""
        nonlocal page_rows
        if spec.repeat_header_every and page_rows >= spec.repeat_header_every:
            header()
            page_rows = 0
        r = sh.r
        sh.r += 1
        page_rows += 1
        for k, v in values.items():
            if (key, k) in errs:
                v = errs[(key, k)][2]
                book.wrong(sh, [a1(r, ci[k])], errs[(key, k)][3])
            if v is None or k not in ci:
                continue
            if k in AMOUNTS and not isinstance(v, str):
                v, f = amount(v)
            elif k == "rate" and not isinstance(v, str):
                v, f = rate_cell(v)
            else:
                f = None
            sh.put(r, ci[k], v, f)
        return r

    def project_values(p, seq):
        budget, spent = p["budget"], p["spent"]
        rate = spent / budget if budget else 0
        bal = budget - spent
        return {"seq": str(seq), "name": p["name"], "org": ORG, "initial": spec.initial_cut.get(p["name"], budget),
                "budget": budget, "spent": spent, "rate": rate, "balance": bal, "returned": max(bal, 0.0),
                "score": p["score"], "grade": grade4(p["score"]), "opinion": opinion(p["score"], rate)}

    def agg_values(projects, text, label_col):
        budget = sum(p["budget"] for p in projects)
        spent = sum(p["spent"] for p in projects)
        initial = sum(spec.initial_cut.get(p["name"], p["budget"]) for p in projects)
        returned = sum(max(p["budget"] - p["spent"], 0.0) for p in projects)
        v = {"initial": initial, "budget": budget, "spent": spent, "rate": spent / budget if budget else 0,
             "balance": budget - spent, "returned": returned}
        v[label_col] = text
        return v

    groups = spec.groups or [(None, flat)]
    everything = [p for _, ps in groups for p in ps]
    rows = {}  # key -> row index
    members = {}  # aggregate key -> project names

    def total(key):
        rows[key] = emit(key, agg_values(everything, "合计", spec.total_label_col), "total")
        members[key] = [p["name"] for p in everything]

    if spec.totals in ("top", "both"):
        total("total")
    numerals = "一二三四五六七八九十"
    seq = 0
    for gi, (title, ps) in enumerate(groups):
        if title is not None:
            if spec.blank_between and gi:
                sh.r += 1
            text = f"{numerals[gi]}、{title}"
            if spec.group_amounts:
                gv = agg_values(ps, text, "name")
                gv["seq"] = numerals[gi]
                gv["name"] = title
                rows[("group", title)] = emit(("group", title), gv, "group")
                members[("group", title)] = [p["name"] for p in ps]
            else:
                r = emit(("group", title), {"seq": text}, "group")
                sh.merge(r, 0, r, ncols - 1)
            seq = 0  # numbering restarts in each group
        for p in ps:
            seq += 1
            rows[p["name"]] = emit(p["name"], project_values(p, seq), "item")
            for part, pb, psp in spec.parts.get(p["name"], []):
                emit(None, {"name": f"其中：{part}" if part == spec.parts[p['name']][0][0] else part,
                            "budget": pb, "spent": psp}, "part")
    if spec.totals in ("bottom", "both"):
        key = "total2" if spec.totals == "both" else "total"
        total(key)
    if spec.notes:
        sh.r += 1
        for n in spec.notes:
            r = sh.line([n])
            sh.merge(r, 0, r, ncols - 1)

    # consequences of each injected error: the derived cells of its row, and the aggregates above it
    for e in errors or []:
        key, col = e[0], e[1]
        what = e[3]
        same = [a1(rows[key], ci[k]) for k in DERIVED if k in ci and k != col]
        book.follows(sh, same, what)
        for agg, names in members.items():
            if agg != key and isinstance(key, str) and key in names:
                book.follows(sh, [a1(rows[agg], ci[k]) for k in (col, *DERIVED) if k in ci], what)
            if isinstance(key, tuple) and agg in ("total", "total2"):  # a wrong group row: totals over groups
                book.follows(sh, [a1(rows[agg], ci[k]) for k in (col, *DERIVED) if k in ci], what)
    return sh


def team_sheet() -> Sheet:
    """An unrelated second sheet: the evaluation team (seed 000's 评价工作组人员名单)."""
    sh = Sheet("评价工作组")
    sh.line(["评价工作组人员名单"])
    sh.line(["姓名", "工作单位", "职务", "职称", "签名"])
    for n, duty in (("樊二斌", "党委副书记"), ("柏振刚", "自然资源办主任"), ("冯亮", "农业综合服务中心主任"),
                    ("牛利新", "综合执法队副队长"), ("韩晓坤", "项目办主任"), ("赵子栋", "党政办主任")):
        sh.line([n, ORG, duty])
    return sh


NOTE_YUAN = ("填表说明：1. 本表金额单位为元；2. 执行率=全年执行数÷全年预算数×100%；3. 结余数=全年预算数－全年执行数；"
             "4. 自评得分满分100分。")
SIGN = "填表人：王丽　　　审核人：张建国　　　联系电话：0311-82012345　　　填报日期：2024年4月24日"


def P(name):
    return next(p for p in seed_projects(range(len(SEED000))) if p["name"].startswith(name))


GROUPS_A = [
    ("民生保障类", [P("2023 年镇级鹿泉区铜冶镇教育经费"), P("2023 年镇级鹿泉区铜冶镇五保"), P("2023 年区级军队退役"),
                    P("2023 年镇级鹿泉区铜冶镇卫生院"), P("2023 年镇级鹿泉区铜冶镇计生事务")]),
    ("基础设施类", [P("2023 年镇级晓阳街道路工程"), P("2023 年镇级海龙湾"), P("2023 年镇级铜冶镇第一中学"),
                    P("2023 年镇级鹿泉区铜冶镇铜岭路"), P("2023 年镇级学院路")]),
    ("运转保障类", [P("2023 年镇级铜冶镇安保服务项目"), P("2023 年镇级铜冶镇专项公用经费"),
                    P("2023年镇级鹿泉区铜冶镇信访经费"), P("2023 年镇级铜冶镇固定资产购置费")]),
]


def summary_books() -> list[Book]:
    books = []
    yuan2 = SummarySpec(cols=["seq", "name", "org", "initial", "budget", "spent", "rate", "balance", "score", "grade"],
                        unit="元", text_amounts=True, rate_style="text1", totals="top", total_label_col="seq",
                        parent=("资金情况（元）", ["initial", "budget", "spent"]), groups=GROUPS_A,
                        notes=[NOTE_YUAN, SIGN],
                        initial_cut={P("2023 年镇级鹿泉区铜冶镇教育经费")["name"]: 1200,
                                     P("2023 年镇级晓阳街道路工程")["name"]: 400})

    b = Book("A01_yuan_text_groups_clean", "合计 at the top; 一、二、三 group rows carrying their sums, 序号 1、2… "
             "restarting per group; two-row header 资金情况（元）; amounts in 元 as text '13,380,000.00'; 执行率 "
             "'98.0%' text; 填表说明 and signature rows", [], via="soffice-xlsx")
    b.sheets = [summary_sheet(b, "汇总表", yuan2)]
    books.append(b)

    b = Book("A02_yuan_text_groups_errors", "A01's layout; 执行率 '90.0%' for 98.04% and a 结余数 written 0 for "
             "262,480.00 元 (seed 000's error)", [])
    edu, retired = P("2023 年镇级鹿泉区铜冶镇教育经费")["name"], P("2023 年区级军队退役")["name"]
    b.sheets = [summary_sheet(b, "汇总表", yuan2, errors=[
        (edu, "rate", "90.0%", "执行率 90.0% against 98.04%"),
        (retired, "balance", "0.00", "结余数 0 for 101.15 − 85.8582 = 15.2918 万元 (152,918.00 元)")])]
    books.append(b)

    # seed 000 as a whole, header repeated after each printed page, blank spacer, notes; .xls from LibreOffice
    flat51 = SummarySpec(cols=["seq", "name", "org", "budget", "spent", "balance", "returned", "score", "opinion"],
                         labels={"budget": "预算数（调整后）", "spent": "执行数", "returned": "结余交回财政数"},
                         totals="bottom", repeat_header_every=20,
                         notes=["注：自评得分满分为100分；结余交回财政数不大于结余数。"])
    b = Book("A03_seed000_pages_clean", "seed 000's 51 projects with balances right; header repeated every 20 rows "
             "(a printed page); 合计 at the bottom; a note; sheet 'Sheet1' and an unrelated sheet", [],
             via="soffice-xls")
    b.sheets = [summary_sheet(b, "Sheet1", flat51, flat=seed_projects(range(51))), team_sheet()]
    books.append(b)

    b = Book("A04_seed000_pages_errors", "A03's layout (WPS package); the bottom 合计 执行数 10 above its column "
             "and a project scored 72 whose 应用意见 says 优秀", [], via="wps")
    ps = seed_projects(range(51))
    tot_spent = sum(p["spent"] for p in ps)
    low = ps[36]["name"]
    b.sheets = [summary_sheet(b, "Sheet1", flat51, flat=[dict(p, score=72) if p["name"] == low else p for p in ps],
                              errors=[("total", "spent", round(tot_spent + 10, 6), "合计执行数 10 above the sum"),
                                      (low, "opinion", "评价结果优秀，继续推进此项目。",
                                       "score 72 (一般) said 优秀 in 应用意见")]),
                team_sheet()]
    books.append(b)

    # 其中 rows under projects; rate as a fraction formatted 0.00%; 合计 first and last
    parts = {P("2023 年镇级鹿泉区铜冶镇教育经费")["name"]: [("中央资金", 800, 800), ("县级资金", 538, 511.752)],
             P("2023 年镇级晓阳街道路工程")["name"]: [("上级专项资金", 300, 300), ("镇级配套资金", 156, 156)],
             P("2023 年镇级铜冶镇专项公用经费")["name"]: [("当年财政拨款", 150, 130), ("上年结转资金", 30, 18.028946)]}
    with_parts = SummarySpec(cols=["seq", "name", "budget", "spent", "rate", "balance", "score", "grade"],
                             labels={"budget": "调整后预算数", "spent": "实际执行数", "balance": "结余资金"},
                             rate_style="frac", totals="both", parts=parts, groups=GROUPS_A, group_amounts=True,
                             blank_between=True)
    b = Book("A05_parts_rows_clean", "其中 rows (中央资金 / 县级资金) under three projects; group rows with sums; "
             "blank rows between groups; 合计 first and last; 执行率 as 0.00% numbers", [])
    b.sheets = [summary_sheet(b, "项目支出绩效自评汇总", with_parts)]
    books.append(b)

    b = Book("A06_parts_rows_group_error", "A05's layout through LibreOffice; the 基础设施类 group row's 预算数 "
             "100 above its projects", [], via="soffice-xlsx")
    infra = sum(p["budget"] for p in GROUPS_A[1][1])
    b.sheets = [summary_sheet(b, "项目支出绩效自评汇总", with_parts,
                              errors=[(("group", "基础设施类"), "budget", infra + 100, "group 预算数 100 above its "
                                       "projects")])]
    books.append(b)

    # title groups without amounts (merged across), rate as 98.04 numbers under 执行率(%), returned < balance
    merged_titles = SummarySpec(cols=["seq", "name", "org", "budget", "spent", "rate", "balance", "returned",
                                      "score", "opinion"],
                                labels={"budget": "调整后预算数", "spent": "执行数"},
                                rate_style="pct", totals="top", groups=GROUPS_A, group_amounts=False,
                                notes=["说明：执行率(%)=执行数÷调整后预算数×100。"])
    b = Book("A07_title_groups_returned", "group titles merged across the row (no amounts), 合计 first; 执行率(%) "
             "as numbers; 结余交回财政数 30 over 结余数 26.248", [])
    b.sheets = [summary_sheet(b, "汇总表", merged_titles,
                              errors=[(edu, "returned", 30, "结余交回财政数 30 over 结余数 26.248")])]
    books.append(b)

    over = [dict(p, spent=332.15) if p["name"].startswith("2023 年镇级鹿泉区铜冶镇卫生院") else p
            for p in seed_projects(range(0, 20))]
    yuan_numbers = SummarySpec(cols=["seq", "name", "org", "budget", "spent", "rate", "balance", "returned", "score",
                                     "opinion"],
                               labels={"budget": "全年预算数（元）", "spent": "全年执行数（元）", "rate": "执行率",
                                       "balance": "结余资金（元）", "returned": "结余交回财政数（元）"},
                               unit="元", rate_style="text2", totals="bottom", notes=[NOTE_YUAN])
    b = Book("A09_yuan_numbers_overspend", "amounts in 元 as numbers (#,##0.00), labels with （元）, 执行率 "
             "'104.78%' text; 卫生院 spent 3,321,500.00 of 3,170,000.00 (its negative 结余 follows)", [])
    sh = summary_sheet(b, "Sheet1", yuan_numbers, flat=over)
    r = next(r for (r, c), v in sh.cells.items() if c == 1 and str(v).startswith("2023 年镇级鹿泉区铜冶镇卫生院"))
    b.wrong(sh, [a1(r, 4), a1(r, 5)], "执行数 332.15 over 预算数 317 (执行率 104.78%)")
    b.follows(sh, [a1(r, 6), a1(r, 7), a1(r, 9)], "balance / returned / opinion on the overspent row")
    total_r = max(r for (r, c), v in sh.cells.items() if v == "合计")
    b.follows(sh, [a1(total_r, c) for c in (4, 5, 6, 7)], "totals over the overspent row")
    b.sheets = [sh, team_sheet()]
    books.append(b)

    b = Book("A08_title_groups_clean", "A07's layout as .xls from LibreOffice, all right", [], via="soffice-xls")
    b.sheets = [summary_sheet(b, "汇总表", merged_titles)]
    books.append(b)
    return books


# ------------------------------------------------------------------------------------------------ score tables


def score_items(change=None):
    """Seed 003's items as (一级, 二级, 三级, 分值, 得分) with optional {三级: 得分} changes."""
    out = []
    for l1, l2s in SEED003:
        for l2, items in l2s:
            for l3, pts, got in items:
                out.append((l1, l2, l3, pts, (change or {}).get(l3, got)))
    return out


def grade_of(score):
    return "优秀" if score >= 90 else "良好" if score >= 80 else "中等" if score >= 60 else "差"


def score_merged(book: Book, name, *, stated_total=None, deduct_override=None, items=None, subtotals=None,
                 repeat_header_at=None) -> Sheet:
    """一级 | 二级 | 三级 | 分值 | 得分 | 扣分 | 扣分原因, 一级/二级 merged down; 合计 and 评价等级 rows at the bottom.
    ``subtotals``: {一级: stated 小计 得分 or None} adds a '投入指标小计' row after each 一级 group;
    ``repeat_header_at``: the header is written again before that item (a printed page's top)."""
    sh = Sheet(name)
    items = items or score_items()
    head = ["一级指标", "二级指标", "三级指标", "分值", "得分", "扣分", "扣分原因"]
    sh.line(["2024年度部门整体支出绩效评价指标评分表"])
    sh.merge(0, 0, 0, 6)
    sh.line(["部门名称：高邑县高邑镇人民政府"])
    sh.line(head)
    start = sh.r
    for i, (l1, l2, l3, pts, got) in enumerate(items):
        if repeat_header_at is not None and i == repeat_header_at:
            sh.line(head)
        r = sh.r
        ded = round(pts - got, 2)
        if deduct_override and l3 in deduct_override:
            ded = deduct_override[l3]
            book.wrong(sh, [a1(r, 5)], f"扣分 {ded} for {pts} − {got}")
        reason = "" if pts == got else "部分指标未完全达到预期"
        sh.line([l1, l2, l3, pts, got, ded, reason])
        if subtotals is not None and (i + 1 == len(items) or items[i + 1][0] != l1):
            g = [x for x in items if x[0] == l1]
            gp, gg = sum(x[3] for x in g), sum(x[4] for x in g)
            stated = subtotals.get(l1)
            rs = sh.line([f"{l1}小计", None, None, gp, gg if stated is None else stated,
                          round(gp - (gg if stated is None else stated), 2)])
            sh.merge(rs, 0, rs, 2)
            if stated is not None:
                book.wrong(sh, [a1(rs, 4)], f"{l1}小计 {stated}, should be {gg}")
                book.follows(sh, [a1(rs, 5)], "扣分 of the wrong 小计")
    # merge 一级 / 二级 down their rows
    for col in (0, 1):
        r = start
        while r < sh.r:
            r2 = r
            while r2 + 1 < sh.r and sh.cells.get((r2 + 1, col)) == sh.cells.get((r, col)) and (
                    col == 0 or sh.cells.get((r2 + 1, 0)) == sh.cells.get((r, 0))):
                r2 += 1
            for rr in range(r + 1, r2 + 1):
                del sh.cells[(rr, col)]
            sh.merge(r, col, r2, col)
            r = r2 + 1
    total = sum(i[4] for i in items)
    pts = sum(i[3] for i in items)
    r = sh.line(["合计", None, None, pts, stated_total if stated_total is not None else total, round(pts - total, 2)])
    sh.merge(r, 0, r, 2)
    if stated_total is not None and abs(stated_total - total) > 0.005:
        book.wrong(sh, [a1(r, 4)], f"合计 {stated_total}, should be {total}")
        book.follows(sh, [a1(r, 5), a1(r + 1, 3)], "follows the wrong 合计")
    if deduct_override:
        book.follows(sh, [a1(r, 5)], "the 扣分 total over the wrong 扣分")
    g = sh.line(["评价等级", None, None, grade_of(stated_total if stated_total is not None else total)])
    sh.merge(g, 0, g, 2)
    sh.merge(g, 3, g, 6)
    return sh


def score_grouped(book: Book, name, *, change=None, group_override=None, total_first=True,
                  deduct=True, blank_between=True, note=True) -> Sheet:
    """序号 | 指标名称 | 分值 | 得分 | 扣分 | 评分说明: 一、 rows with their sums, （一） rows with theirs, 1. items."""
    sh = Sheet(name)
    items = score_items(change)
    cols = ["序号", "指标名称", "分值", "得分"] + (["扣分"] if deduct else []) + ["评分说明"]
    sh.line(["高邑镇人民政府2024年度部门整体支出绩效自评评分表"])
    sh.merge(0, 0, 0, len(cols) - 1)
    sh.line(cols)
    total_pts = sum(i[3] for i in items)
    total_got = sum(i[4] for i in items)

    def row(seq, text, pts, got, why=""):
        vals = [seq, text, pts, got] + ([round(pts - got, 2)] if deduct else []) + [why]
        return sh.line(vals)

    if total_first:
        r = row("", "合计", total_pts, total_got)
    numerals = "一二三四"
    sub = "（一）（二）（三）".replace("）", "）|").split("|")
    rows = {}
    for gi, (l1, l2s) in enumerate(SEED003):
        if blank_between and gi:
            sh.r += 1
        g_items = [i for i in items if i[0] == l1]
        gp, gg = sum(i[3] for i in g_items), sum(i[4] for i in g_items)
        if group_override and l1 in group_override:
            gg = group_override[l1]
        rows[l1] = row(f"{numerals[gi]}、", l1, gp, gg)
        if group_override and l1 in group_override:
            book.wrong(sh, [a1(rows[l1], 3)], f"{l1} 得分 {gg}, should be {sum(i[4] for i in g_items)}")
            if deduct:
                book.follows(sh, [a1(rows[l1], 4)], "follows the wrong group score")
        for si, (l2, its) in enumerate(l2s):
            s_items = [i for i in items if i[0] == l1 and i[1] == l2]
            row(sub[si], l2, sum(i[3] for i in s_items), sum(i[4] for i in s_items))
            for k, (_, _, l3, pts, got) in enumerate(s_items):
                r = row(str(k + 1), l3, pts, got, "" if pts == got else "扣分原因：部分工作未达预期")
                if change and l3 in change and got > pts:
                    book.wrong(sh, [a1(r, 3)], f"得分 {got} over 分值 {pts}")
                    if deduct:
                        book.follows(sh, [a1(r, 4)], "deduction follows")
    if not total_first:
        r = row("", "合计", total_pts, total_got)
    if note:
        sh.r += 1
        r = sh.line(["评分说明：各项指标得分不得超过该项分值；扣分=分值－得分；总分≥90分为优秀，80（含）-90分为良好，"
                     "60（含）-80分为中等，60分以下为差。"])
        sh.merge(r, 0, r, len(cols) - 1)
        sh.line(["", "自评等级：" + grade_of(total_got)])
    return sh


def score_books() -> list[Book]:
    books = []
    b = Book("T01_merged_levels_deduct_clean", "一级/二级 merged down, 扣分 and 扣分原因 columns, 合计 and 评价等级 "
             "rows at the bottom; seed 003's total corrected to 94.75", [], via="soffice-xlsx")
    b.sheets = [score_merged(b, "评分表")]
    books.append(b)

    b = Book("T02_merged_levels_seed_total", "T01's layout with seed 003's total as published: 95.75 for 94.75", [])
    b.sheets = [score_merged(b, "评分表", stated_total=95.75)]
    books.append(b)

    b = Book("T03_merged_levels_deduct_wrong", "T01's layout (WPS package); 扣分 2 for 6 − 3.75 = 2.25", [],
             via="wps")
    b.sheets = [score_merged(b, "评分表", deduct_override={"财务管理规范性": 2})]
    books.append(b)

    b = Book("T06_subtotals_page_header_clean", "一级/二级 merged, '投入指标小计' rows merged across the level "
             "columns, the header repeated before the 19th item (a printed page), 扣分 column", [], via="soffice-xls")
    b.sheets = [score_merged(b, "评分表", subtotals={}, repeat_header_at=18)]
    books.append(b)

    b = Book("T07_subtotal_wrong", "T06's layout (WPS package); 过程指标小计 38.75 for 37.75", [], via="wps")
    b.sheets = [score_merged(b, "评分表", subtotals={"过程指标": 38.75}, repeat_header_at=18)]
    books.append(b)

    b = Book("T04_grouped_total_first_clean", "序号 一、/（一）/1 rows with their sums, 合计 first, 扣分 column, "
             "blank rows between 一级 groups, a 评分说明 note; sheet 'Sheet1' and an unrelated sheet", [],
             via="soffice-xls")
    b.sheets = [score_grouped(b, "Sheet1"), team_sheet()]
    books.append(b)

    b = Book("T05_grouped_over_points", "T04's layout; 资产管理规范性 2.5 of 2 (group, 合计 follow it) and the "
             "效果指标 group row 13 for 12", [])
    sh = score_grouped(b, "Sheet1", change={"资产管理规范性": 2.5}, group_override={"效果指标": 13})
    # the changed item makes its 二级 / 一级 / 合计 rows and their 扣分 follow
    for (r, c), v in list(sh.cells.items()):
        if c == 1 and v in ("合计", "过程指标", "预算管理"):
            b.follows(sh, [a1(r, 3), a1(r, 4)], "sums over the 2.5 of 2")
    b.sheets = [sh]
    books.append(b)
    return books


# ------------------------------------------------------------------------------------------------ project forms

INDICATORS = [  # 一级, 二级, 三级, 指标值, 完成值, 分值, 得分, 偏差原因
    ("产出指标", "数量指标", "培训人次", "≥500人次", "520人次", 15, 15, ""),
    ("产出指标", "数量指标", "改造道路长度", "≥3公里", "3.2公里", 10, 10, ""),
    ("产出指标", "质量指标", "工程验收合格率", "=100%", "100%", 10, 10, ""),
    ("产出指标", "时效指标", "按期完成率", "≥95%", "96%", 10, 10, ""),
    ("产出指标", "成本指标", "单位培训成本", "≤200元", "190元", 5, 5, ""),
    ("效益指标", "社会效益指标", "群众出行条件", "明显改善", "达成年度指标", 15, 14, "部分路段绿化未完成，下年度完善"),
    ("效益指标", "可持续影响指标", "设施使用年限", "≥10年", "10年", 15, 15, ""),
    ("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "95%", 10, 10, ""),
]


def project_form(book: Book, name, *, block="grid", budget=150.0, spent=138.0, rate_text=None, exec_score=None,
                 total=None) -> Sheet:
    """The national 项目支出绩效自评表; block 'grid' (the Ministry's rows) or 'pairs' (label | value side by side)."""
    sh = Sheet(name)
    sh.line(["项目支出绩效自评表"])
    sh.merge(0, 0, 0, 8)
    sh.line(["（2023年度）"])
    sh.merge(1, 0, 1, 8)
    r = sh.line(["项目名称", "2023年镇级铜冶镇道路提升及技能培训项目"])
    sh.merge(r, 1, r, 8)
    sh.line(["主管部门", "鹿泉区铜冶镇人民政府", None, None, "实施单位", ORG])
    rate = spent / budget
    score = min(rate, 1) * 10
    shown_rate = rate_text if rate_text is not None else f"{pct(rate):.2f}%"
    shown_score = exec_score if exec_score is not None else round(score, 2)
    if block == "grid":
        top = sh.line(["项目资金（万元）", None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"])
        r = sh.line([None, "年度资金总额", 120, budget, spent, 10, shown_rate, shown_score])
        rate_cell, score_cell = a1(r, 6), a1(r, 7)
        sh.line([None, "其中：当年财政拨款", 120, budget, spent, "—", "—", "—"])
        sh.line([None, "上年结转资金", 0, 0, 0, "—", "—", "—"])
        last = sh.line([None, "其他资金", 0, 0, 0, "—", "—", "—"])
        sh.merge(top, 0, last, 0)
    else:
        r = sh.line(["年初预算数（万元）", 120, "全年预算数（万元）", budget, "全年执行数（万元）", spent])
        r2 = sh.line(["执行率", shown_rate, "分值", 10, "得分", shown_score])
        rate_cell, score_cell = a1(r2, 1), a1(r2, 5)
    if rate_text is not None:
        book.wrong(sh, [rate_cell], f"执行率 {rate_text} against {pct(rate):.2f}%")
        book.follows(sh, [score_cell], "score next to the wrong rate")
    if exec_score is not None:
        book.wrong(sh, [score_cell], f"执行率得分 {exec_score}, should be {round(score, 2)}")
    r = sh.line(["年度总体目标", None, "预期目标", None, None, "实际完成情况"])
    sh.merge(r, 2, r, 4)
    sh.merge(r, 5, r, 8)
    r2 = sh.line([None, None, "完成道路提升改造3公里，开展技能培训500人次，改善群众出行条件。", None, None,
                  "完成道路提升改造3.2公里，开展技能培训520人次，群众出行条件明显改善。"])
    sh.merge(r, 0, r2, 1)
    sh.merge(r2, 2, r2, 4)
    sh.merge(r2, 5, r2, 8)
    sh.line(["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"])
    got_sum = 0
    for ind in INDICATORS:
        sh.line(list(ind))
        got_sum += ind[6]
    true_total = round(got_sum + min(rate, 1) * 10, 2)
    r = sh.line(["总分", None, None, None, None, 100, total if total is not None else true_total])
    sh.merge(r, 0, r, 4)
    if total is not None:
        book.wrong(sh, [a1(r, 6)], f"总分 {total}, should be {true_total}")
    if exec_score is not None or rate_text is not None:
        book.follows(sh, [a1(r, 6)], "总分 over the execution score")
    sh.r += 1
    sh.line(["填表说明：执行率=全年执行数÷全年预算数×100%；执行率得分=执行率×10分（执行率超过100%的按100%计）。"])
    return sh


def form_books() -> list[Book]:
    books = []
    b = Book("F01_form_grid_clean", "national project form, the Ministry's fund grid, 2023", [], via="soffice-xlsx")
    b.sheets = [project_form(b, "项目支出绩效自评表")]
    books.append(b)
    b = Book("F02_form_pairs_rate", "fund block as label | value pairs side by side; 执行率 '95.00%' for 92.00%", [])
    b.sheets = [project_form(b, "自评表", block="pairs", rate_text="95.00%")]
    books.append(b)
    b = Book("F03_form_grid_total", "Ministry's grid (WPS package), 总分 99.2 for 98.2", [], via="wps")
    b.sheets = [project_form(b, "Sheet1", total=99.2)]
    books.append(b)
    return books


# ------------------------------------------------------------------------------------------------ Hebei weighted


def weighted_form(book: Book, name, *, change=None, total=None) -> Sheet:
    sh = Sheet(name)
    sh.line(["2023年度部门整体绩效自评表"])
    sh.merge(0, 0, 0, 9)
    sh.line(["实施主管部门", "姜各庄镇人民政府", None, None, None, None, "金额单位", "万元"])
    sh.line(["预算数", "到位数", "执行数", "预算执行进度(%)"])
    sh.line([3746.68, 2819.17, 2819.17, 75.24])
    sh.line(["一级指标", "二级指标", "三级指标", "预期指标值", "实际完成值", "完成等级", "单项指标得分",
             "权重占比(%)", "单项指标折算得分"])
    got = 0
    for row in SEED004:
        l1, l2, l3, target, actual, grade, single, weight, folded = row
        if change and l3 in change:
            r = sh.line([l1, l2, l3, target, actual, grade, single, weight, change[l3]])
            book.wrong(sh, [a1(r, 8)], f"折算 {change[l3]}, should be {folded}")
        else:
            sh.line([l1, l2, l3, target, actual, grade, single, weight, folded])
        got += folded
    sh.line(["预算执行率", "预算执行率", "预算执行率", None, "75.24%", None, 75.24, 10, 7.5])
    got += 7.5
    r = sh.line(["自评得分", None, None, None, None, None, None, 100, total if total is not None else got])
    sh.merge(r, 0, r, 6)
    if change:
        book.follows(sh, [a1(r, 8)], "total over the wrong 折算")
    if total is not None:
        book.wrong(sh, [a1(r, 8)], f"自评得分 {total}, should be {got}")
    sh.line(["填报人：樊琪", None, None, "联系电话：4800291"])
    sh.line(["说明：1. 预算项目自评得分由各单项指标的折算得分合计而成，满分为100分。"])
    sh.line(["3. 单项指标得分，即根据完成等级赋予每项指标相应得分，其中优、良、中、差对应的分值区间一般为90分以上、"
             "80-90分、60-80分、60分以下；预算执行率指标得分=实际完成值×100。"])
    sh.line(["4. 权重占比，即单项指标在总分100分中所占的比重，其中预算执行率指标权重占比固定为10%。"])
    sh.line(["5. 折算得分，即单项指标得分×权重占比。"])
    return sh


def weighted_books() -> list[Book]:
    b1 = Book("W01_hebei_label_above_clean", "seed 004's form with the fund block labels above values and the 说明 "
              "notes; 7.5 for 7.524", [], via="soffice-xls")
    b1.sheets = [weighted_form(b1, "部门整体绩效自评表")]
    b2 = Book("W02_hebei_folded_wrong", "seed 004's form; 群众满意度 折算 8.5 for 95 × 10% (total 91 follows)", [])
    b2.sheets = [weighted_form(b2, "部门整体绩效自评表", change={"群众满意度": 8.5})]
    return [b1, b2]


# ------------------------------------------------------------------------------------------------ management


def management(book: Book, name, *, stated=None, converted=None) -> Sheet:
    sh = Sheet(name)
    sh.line(["2023年度区直部门（乡镇）绩效管理自评表"])
    sh.merge(0, 0, 0, 4)
    sh.line(["单位名称：保定市徐水区东史端镇人民政府"])
    sh.line(["序号", "考核内容", "满分", "得分", "备注"])
    for i, (what, full, got) in enumerate(SEED001, 1):
        sh.line([str(i), what, full, got, "" if full is None or got == full else "详见自评报告"])
    full = sum(x[1] or 0 for x in SEED001)
    got = sum(x[2] for x in SEED001)
    r = sh.line(["", "合计", full, stated if stated is not None else got])
    conv_true = round(got / full * 100, 2)
    shown_total = stated if stated is not None else got
    conv = converted if converted is not None else round(shown_total / full * 100, 2)
    c = sh.line(["", "换算得分（得分÷满分×100）", None, conv])
    if stated is not None:
        book.wrong(sh, [a1(r, 3)], f"合计 {stated}, should be {got}")
        book.follows(sh, [a1(c, 3)], f"换算 {conv} follows 合计 {stated} (should be {conv_true})")
    sh.r += 1
    sh.line(["注：换算得分=自评得分÷满分×100，保留两位小数。"])
    return sh


def management_books() -> list[Book]:
    b1 = Book("M01_management_clean", "seed 001's eight categories, 合计 89 of 92, 换算得分 96.74", [],
              via="soffice-xlsx")
    b1.sheets = [management(b1, "绩效管理自评表")]
    b2 = Book("M02_management_seed_total", "seed 001 as published: 合计 91 (items add up to 89), 换算 98.91", [])
    b2.sheets = [management(b2, "绩效管理自评表", stated=91)]
    return [b1, b2]


# ------------------------------------------------------------------------------------------------ build


def books() -> list[Book]:
    return summary_books() + score_books() + form_books() + weighted_books() + management_books()


def convert(jobs: list[tuple[Path, Path, str]]) -> None:
    """Pass workbooks through LibreOffice: (source, destination, 'xlsx' | 'xls')."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    filters = {"xlsx": "xlsx:Calc MS Excel 2007 XML", "xls": "xls:MS Excel 97"}
    with tempfile.TemporaryDirectory(prefix="acc2-lo-") as tmp:
        tmp = Path(tmp)
        for target in ("xlsx", "xls"):
            todo = [(s, d) for s, d, t in jobs if t == target]
            if not todo:
                continue
            out = tmp / target
            out.mkdir()
            subprocess.run([exe, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to",
                            filters[target], "--outdir", str(out), *[str(s) for s, _ in todo]],
                           check=True, capture_output=True, timeout=300)
            for s, d in todo:
                produced = out / (s.stem + "." + target)
                shutil.move(str(produced), d)


def build(outdir: Path, *, soffice: bool = True) -> dict:
    """Write every workbook (skipping the LibreOffice ones without soffice) and return the ground truth."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    truth, jobs = {}, []
    with tempfile.TemporaryDirectory(prefix="acc2-src-") as src:
        for book in books():
            if book.via.startswith("soffice") and not soffice:
                continue
            dest = outdir / (book.name + book.suffix)
            if book.via.startswith("soffice"):
                tmp = Path(src) / (book.name + ".xlsx")
                write_xlsx(tmp, book.sheets)
                jobs.append((tmp, dest, book.suffix[1:]))
            else:
                write_xlsx(dest, book.sheets, wps=book.via == "wps")
            truth[dest.name] = book.truth()
        if jobs:
            convert(jobs)
    (outdir / "expected.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return truth


if __name__ == "__main__":
    print(f"{len(build(Path(sys.argv[1])))} workbooks written to {sys.argv[1]}")
