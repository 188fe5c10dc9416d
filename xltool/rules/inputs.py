"""Rules that apply to every kind: how numbers were typed."""

from __future__ import annotations

import dataclasses
from typing import Any, Iterator

from xltool.cells import INVALID, NO_CACHE, TEXT_NUM, Num
from xltool.cells import Cell
from xltool.findings import ERROR, INFO, WARNING, Issue
from xltool.precision import fmt, pct
from xltool.rules import rule


def iter_nums(obj: Any, _depth: int = 0) -> Iterator[Num]:
    """Every Num inside a record (dataclasses, tuples, lists, dict values), in field order."""
    if _depth > 6 or obj is None:
        return
    if isinstance(obj, Num):
        yield obj
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            yield from iter_nums(getattr(obj, f.name), _depth + 1)
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            yield from iter_nums(item, _depth + 1)
        for item in getattr(obj, "subtotals", ()):  # a form's indicator rows carry their table's 小计 rows
            yield from iter_nums(item, _depth + 1)
    elif isinstance(obj, dict):
        for item in obj.values():
            yield from iter_nums(item, _depth + 1)


def _unique(record) -> list[Num]:
    """The record's Nums, each cell once."""
    seen = set()
    out = []
    for n in iter_nums(record):
        if n.cell not in seen:
            seen.add(n.cell)
            out.append(n)
    return out


def _nums(record, ctx) -> list[Num]:
    """The cells the input rules look at. A record that knows its non-plain cells (``input_cells()``:
    text numbers, words, formulas without a value — collected while reading) gives only those; other
    records are walked field by field. A blank sheet (``untouched``: XL002) gives none: its one finding
    is that it is blank, nothing else (a system-written 总分 "0" is not a text number to fix)."""
    if getattr(record, "untouched", False):
        return []
    cells = getattr(record, "input_cells", None)
    if cells is not None:
        return cells()
    return ctx.memo("nums", lambda: _unique(record))


@rule("IN001", "*", "数字以文本形式存储", WARNING)
def text_number(record, ctx):
    """数字以文本形式存储：单元格里是文字形式的数字（如 "1,338.00"、全角 "１３３８"、"96分"）。

    为什么：Excel 不会把文本参与求和，合计、公式会悄悄漏算；本工具已按数字解析并照常核算，
    只提醒改成数值格式。一列中连续几格都是文本数字时只提醒一次，写明范围和个数（整列改格式即可），
    中间隔着小计行、空行、分组标题行或重复的表头也算同一段；夹在数值中间的单独一格照常在该格提醒。
    例：预算数写成文本 "1,338.00" → 提示，按 1338 计算；F5:F40 都是文本数字 → 在 F5 提示一次“F5:F40 共 36 个单元格”。
    """
    for run in _runs([n for n in _nums(record, ctx) if n.state == TEXT_NUM], _quiet(record)):
        n = run[0]
        if len(run) == 1:
            yield Issue(n.cell, f"{n.label or '数值'}“{n.raw}”是以文本形式存储的数字，已按 {_shown(n)} 核算；"
                                f"建议改为数值格式，否则 Excel 求和会漏算。", n.value, str(n.raw))
            continue
        labels = {m.label for m in run}
        what = f"{n.label}列" if len(labels) == 1 and n.label else "此列"
        span = f"{n.cell.a1}:{run[-1].cell.a1}"
        yield Issue(n.cell, f"{what} {span} 共 {len(run)} 个单元格是以文本形式存储的数字（如“{n.raw}”），已按数字核算；"
                            f"建议把这些单元格改为数值格式，否则 Excel 求和会漏算。",
                    n.value, str(n.raw))


def _shown(n: Num) -> str:
    return pct(n.value, 4) if "率" in n.label or "进度" in n.label else fmt(n.value, 6)


def _quiet(record):
    """Which rows a run of text numbers goes on across: rows of the record's table that hold no item (小计, spacer,
    group-title and repeated-header rows), what an officer sees as part of one column's stretch. A record that
    lists its item rows (``item_rows``) makes every other row between two of its cells quiet; others name their
    quiet rows (``quiet_rows``, on the record or on a form's indicator rows). An item's cell (a number, or empty)
    always ends a run."""
    items = getattr(record, "item_rows", None)
    if items is not None:
        items = frozenset(items)
        return lambda r: r not in items
    quiet = getattr(record, "quiet_rows", None)
    if quiet is None:
        quiet = getattr(getattr(record, "indicators", None), "quiet_rows", frozenset())
    return quiet.__contains__


def _runs(nums: list[Num], quiet=lambda r: False) -> list[list[Num]]:
    """Text numbers grouped into runs: cells of one column whose rows follow one another, or have only ``quiet``
    rows between them, in sheet order of each run's first cell. A lone cell is a run of one."""
    by_col: dict[tuple, list[Num]] = {}
    for n in nums:
        by_col.setdefault((n.cell.sheet, n.cell.col), []).append(n)
    runs: list[list[Num]] = []
    for col in by_col.values():
        col.sort(key=lambda m: m.cell.row)
        run = [col[0]]
        for m in col[1:]:
            if all(quiet(r) for r in range(run[-1].cell.row + 1, m.cell.row)):
                run.append(m)
            else:
                runs.append(run)
                run = [m]
        runs.append(run)
    runs.sort(key=lambda r: (r[0].cell.row, r[0].cell.col))
    return runs


@rule("IN002", "*", "应为数字", ERROR)
def not_a_number(record, ctx):
    """应为数字：必须填写数字的单元格里是无法识别为数字的文字。

    为什么：预算数、执行数、得分等都要参与计算，写成文字就无法核算，也无法汇总。自评表、绩效管理自评表的小计行
    只核对写了数字的格，写“——”之类文字的格不报。
    例：自评得分写成 "良好" → 错误，应填写 0–100 的分数。
    """
    for n in _nums(record, ctx):
        if n.state == INVALID and not n.label.startswith("小计"):  # a 小计 row's "——": no sum stated there
            yield Issue(n.cell, f"{n.label or '此处'}应为数字，实际为“{n.raw}”，无法核算。", None, str(n.raw))


@rule("IN003", "*", "公式没有计算结果", WARNING)
def formula_without_value(record, ctx):
    """公式没有计算结果：单元格是公式，但文件里没有保存它的计算结果。

    为什么：由程序生成、未经 Excel/WPS 打开保存的文件，公式结果是空的；此时无法判断对错，
    所以只提醒，不当作错误。
    例：执行率单元格 =E5/D5 没有缓存值 → 提示：请用 Excel 或 WPS 打开并保存后再检查。
    """
    for n in _nums(record, ctx):
        if n.state == NO_CACHE:
            yield Issue(n.cell, f"{n.label or '此单元格'}是公式，但文件中没有保存计算结果，无法核对；"
                                "请用 Excel 或 WPS 打开、保存后再检查。", None, None)


@rule("XL002", "*", "空表：尚未填写，未核算", WARNING)
def blank_form(record, ctx):
    """空白表：自评表或评分表里没有人填写过任何数字（例如刚生成的模板，或系统导出的尚未打分的表）。

    为什么：空白表没有可核算的内容，逐项报“未填写”只会淹没真正的问题；只报这一条提示，文件状态为“空表”，
    不算“通过”（交上来的空表需要退回补填）。
    哪些算空白：自评表没有资金数、指标得分、完成值，总分为空或 0（系统导出的未打分表写着“总分 0/0”，
    那是系统写的，不是人填的）；评分表、绩效管理自评表没有任何得分，合计得分为空或 0。
    填写了任何资金数、得分、完成值，或写了不为 0 的总分的表不算空白，照常核查。
    例：xltool template project-form 生成的空白模板，或只有“总分 0/0”的系统导出表 → 提示：本表尚未填写（空表）。
    """
    if getattr(record, "untouched", False):
        what = getattr(record, "BLANK_WHAT", "资金数、得分和完成值")
        yield Issue(Cell(record.sheet, 0, 0), f"工作表“{record.sheet}”是尚未填写的空白表（没有{what}），未做核算。")
