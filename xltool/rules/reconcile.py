"""Rules that compare one workbook with another checked in the same run: a summary table's row
against the project's own self-evaluation form (matched by project name)."""

from __future__ import annotations

from dataclasses import dataclass

from xltool.cells import Num, Text
from xltool.findings import INFO, WARNING, Issue
from xltool.precision import agrees, fmt
from xltool.rules import rule

KIND = "reconcile"
MAX_NAMED = 5  # names listed in one finding
FIELD_CN = {"budget": "预算数", "execution": "执行数", "score": "自评得分"}


@dataclass(frozen=True)
class Side:
    """A project's figures as one workbook states them (amounts in 万元 after unit conversion)."""

    file: str
    kind: str  # "summary" or "project-form"
    name: Text
    budget: Num | None
    execution: Num | None
    score: Num | None
    scale: float = 1.0  # multiply the Nums by this to get 万元
    units: tuple[str, ...] = ()  # the unit(s) the workbook belongs to (主管部门 / 单位), when known


@dataclass(frozen=True)
class Link:
    here: Side
    there: Side


@dataclass(frozen=True)
class Unmatched:
    here: Side
    looked_in: tuple[str, ...]
    others: tuple[Side, ...] = ()  # more rows of the same sheet without a match (said in one finding)


def _values(link: Link, attr: str, floor: int):
    """(here in 万元, there in 万元, decimals to compare at), or None when a side does not state it.

    Compared in 万元 at the coarser of the two written precisions, never coarser than ``floor``
    decimals of each side's own unit."""
    a, b = getattr(link.here, attr), getattr(link.there, attr)
    if a is None or b is None or a.value is None or b.value is None:
        return None
    scaled = attr != "score"
    sa = link.here.scale if scaled else 1.0
    sb = link.there.scale if scaled else 1.0
    extra_a = 4 if sa != 1.0 else 0  # 元 → 万元 moves the decimal point four places
    extra_b = 4 if sb != 1.0 else 0
    d = max(min(floor + extra_a, floor + extra_b), min(a.decimals + extra_a, b.decimals + extra_b))
    return a.value * sa, b.value * sb, d


def differs(link: Link, attr: str, floor: int) -> bool:
    v = _values(link, attr, floor)
    return v is not None and not agrees(*v)


def _compare(link: Link, attr: str, floor: int):
    if not isinstance(link, Link):  # REC rules share the kind "reconcile": Unmatched items come here too
        return
    v = _values(link, attr, floor)
    if v is None or agrees(*v):
        return
    va, vb, _ = v
    a, b = getattr(link.here, attr), getattr(link.there, attr)
    where = "汇总表" if link.there.kind == "summary" else "项目自评表"
    unit = " 万元" if attr != "score" else ""
    yield Issue(a.cell, f"与{where}《{link.there.file}》不一致：本表{FIELD_CN[attr]} {fmt(va, 6)}{unit}，"
                        f"{where}（{b.cell.sheet}!{b.cell.a1}）为 {fmt(vb, 6)}{unit}。请核对以哪一个为准。",
                round(vb, 6), round(va, 6))


@rule("REC001", KIND, "与对应表格的预算数不一致")
def budget(link: Link, ctx):
    """同一项目在汇总表中的预算数应与该项目自评表的全年预算数一致（同一次核查的文件之间比对）。

    为什么：汇总表是从各项目自评表抄来的，抄错、改了一边忘改另一边都很常见。
    项目按名称匹配（忽略空格、全角半角、年份前缀）；名称只差行政区划或级次（如“镇级铜冶镇教育经费”与
    “镇级鹿泉区铜冶镇教育经费”）且金额相同的，也认作同一项目。只核对同一单位（主管部门/单位名称）的文件。
    金额单位不同时先换算成万元。
    例：汇总表预算数 1338，项目自评表全年预算数 1383 → 两个文件各报一处错误。
    """
    yield from _compare(link, "budget", ctx.profile.tolerance.amount_decimals)


@rule("REC002", KIND, "与对应表格的执行数不一致")
def execution(link: Link, ctx):
    """同一项目在汇总表中的执行数应与该项目自评表的全年执行数一致。

    为什么：执行数决定执行率和结余，两处不一致说明至少一处抄错。
    例：汇总表执行数 1311.752，项目自评表全年执行数 1311.75 → 不一致（按两处中较粗的精度比较仍不同才报）。
    """
    yield from _compare(link, "execution", ctx.profile.tolerance.amount_decimals)


@rule("REC003", KIND, "与对应表格的自评得分不一致")
def score(link: Link, ctx):
    """汇总表中的自评得分应与该项目自评表的总分一致。

    为什么：公开的汇总得分必须能在项目自评表中找到依据。
    例：汇总表得分 96，项目自评表总分 95.5 → 不一致。
    """
    yield from _compare(link, "score", ctx.profile.tolerance.score_decimals)


@rule("REC004", KIND, "项目自评表在汇总表中找不到", WARNING)
def form_without_row(item: Unmatched, ctx):
    """同一次核查中有汇总表时，每份项目自评表都应在汇总表中有对应的一行。

    为什么：漏报的项目不会出现在公开的汇总表里。
    例：《教育经费自评表》的项目名称在汇总表中找不到 → 提示。
    """
    if isinstance(item, Unmatched) and item.here.kind == "project-form":
        yield Issue(item.here.name.cell, f"项目“{item.here.name.value}”在汇总表（{'、'.join(item.looked_in)}）中找不到对应的行。")


@rule("REC005", KIND, "汇总表中的项目没有对应的自评表", INFO)
def row_without_form(item: Unmatched, ctx):
    """同一次核查中有同一单位的项目自评表时，列出汇总表里找不到自评表的项目（每张汇总表一条）。

    为什么：帮助审核人员确认是否所有项目都提交了自评表（只作信息列出，不逐行重复）。
    例：汇总表有 60 个项目，本次只核查了其中 1 个项目的自评表 → 信息：另外 59 个项目没有对应的自评表。
    """
    if isinstance(item, Unmatched) and item.here.kind == "summary":
        rows = (item.here, *item.others)
        looked = "、".join(item.looked_in[:MAX_NAMED]) + ("等" if len(item.looked_in) > MAX_NAMED else "")
        if len(rows) == 1:
            yield Issue(item.here.name.cell, f"汇总表中的项目“{item.here.name.value}”在本次核查的项目自评表（{looked}）"
                                             "中找不到对应的表。")
            return
        names = "、".join(f"“{s.name.value}”" for s in rows[:MAX_NAMED]) + ("等" if len(rows) > MAX_NAMED else "")
        yield Issue(item.here.name.cell, f"汇总表中有 {len(rows)} 个项目在本次核查的项目自评表（{looked}）中找不到对应的表："
                                         f"{names}。")
