"""Shared parts of the self-evaluation forms (项目支出 / 部门整体支出绩效自评表, DOMAIN.md §1 B/C).

Forms are forms, not tables: every label is found by its text, never by a fixed coordinate. A header
label may span several merged columns (三级指标 over D:E), the indicator header may take two rows
(自评得分 above 单项指标得分 / 权重占比 / 折算得分), 一级/二级 cells are merged down or left blank
under the first, and numbers are often typed as text ("0.0").

This module holds what the points form (``form.py``) and the weighted form (``weighted_form.py``)
share: header analysis, the indicator rows, the heading fields (项目名称, 主管部门 …) and the
scoring of one indicator by its target (DOMAIN.md §2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from xltool.cells import Cell, Num, Text
from xltool.io.book import Sheet
from xltool.kinds import vocabulary as V
from xltool.kinds.common import LABEL_MAX, label, num_at, years_in
from xltool.kinds import table as T
from xltool.numbers import Target, parse_target

HEADER_SCAN_ROWS = 60  # forms put long goal lists above the indicator table

# Roles of the indicator table's columns: data in ``vocabulary`` (FORM_INDICATORS).
INDICATOR_ROLE_WORDS = V.FORM_INDICATORS
_READ_BY_NAME = {"level1", "level2", "level3", "target", "actual", "points", "score", "reason", "unit", "grade", "weight",
                 "weighted", "desc"}

EXECUTION_WORDS = ("预算执行率", "资金执行率", "预算执行")
TOTAL_WORDS = ("总分", "合计", "总计", "自评得分", "得分合计", "综合得分")


# ---------------------------------------------------------------- header analysis

@dataclass(frozen=True)
class Column:
    """A header label and the columns it spans (0-based, inclusive)."""

    c0: int
    c1: int
    text: str
    cell: Cell

    @property
    def span(self) -> tuple[int, int]:
        return self.c0, self.c1


def _span_at(sheet: Sheet, r: int, c: int) -> tuple[int, int]:
    rng = sheet.merge_of(r, c)
    if rng is None:
        return c, c
    return rng[1], rng[3]


def find_indicator_header(sheet: Sheet, accept) -> tuple[int, bool, dict[str, Column]] | None:
    """The first header band (one or two rows, within HEADER_SCAN_ROWS; the table model's find_header)
    that starts at a row holding 一级指标 and whose roles satisfy ``accept(roles)``; a two-row band is
    also tried as its top row alone."""
    for r in range(min(HEADER_SCAN_ROWS, sheet.nrows)):
        if not any("一级" in t and len(t) <= LABEL_MAX for t in (label(t) for t in sheet.row_texts(r) if t)):
            continue  # cheap: only such a row may start the band
        for depth in (2, 1):
            band = T.find_header(sheet, INDICATOR_ROLE_WORDS, ("level1",), scan_rows=r + 1, max_depth=depth,
                                 start=r)
            if band is None or band.label_cells["level1"].row != r:
                continue
            roles = _columns_of(sheet, band)
            if accept(roles):
                return r, band.bottom > r, roles
            if band.bottom == r:
                break  # the one-row reading was the only one
    return None


def _columns_of(sheet: Sheet, band: T.Header) -> dict[str, Column]:
    """A header band's roles as label spans (the leaf label as written)."""
    return {k: Column(*band.span(k), sheet.text(cell.row, cell.col), cell) for k, cell in band.label_cells.items()}


# ---------------------------------------------------------------- reading cells

def span_cell(sheet: Sheet, r: int, span: tuple[int, int]) -> tuple[int, int]:
    """The cell of row ``r`` inside ``span`` that holds the value (its own, not merged from above)."""
    c0, c1 = span
    first = None
    for c in range(c0, c1 + 1):
        ar, ac = sheet.anchor(r, c)
        if ar != r:
            continue
        if first is None:
            first = (ar, ac)
        if sheet.raw(ar, ac) not in ("", None):
            return ar, ac
    return first if first is not None else (r, c0)


def span_text(sheet: Sheet, r: int, span: tuple[int, int], *, follow_merges: bool = False) -> Text:
    """Text in ``span`` on row ``r``; with ``follow_merges`` a cell merged down from above counts."""
    if follow_merges:
        for c in range(span[0], span[1] + 1):
            t = sheet.text(r, c)
            if t:
                return Text(Cell(sheet.name, *sheet.anchor(r, c)), t)
        return Text(Cell(sheet.name, r, span[0]), "")
    rr, cc = span_cell(sheet, r, span)
    return Text(Cell(sheet.name, rr, cc), sheet.text(rr, cc) if rr == r else "")


def span_num(sheet: Sheet, r: int, span: tuple[int, int], what: str, *, kind: str = "score",
             percent_units: bool = False) -> Num:
    rr, cc = span_cell(sheet, r, span)
    if rr != r:  # the whole span is merged down from above: nothing of its own here
        return Num(Cell(sheet.name, r, span[0]), "", None, "empty", 0, what)
    return num_at(sheet, rr, cc, what, kind=kind, percent_units=percent_units)


def row_first_text(sheet: Sheet, r: int, upto: int | None = None) -> str:
    end = sheet.ncols if upto is None else min(sheet.ncols, upto + 1)
    for c in range(end):
        t = sheet.text(r, c)
        if t:
            return t
    return ""


# ---------------------------------------------------------------- indicators

@dataclass(frozen=True)
class Indicator:
    """One row of the indicator table (both layouts; the weighted fields are None in the points form)."""

    row: int
    level1: Text
    level2: Text
    name: Text
    target: Text
    actual: Text
    points: Num | None  # 分值 (points layout)
    score: Num  # 得分 (points layout) or 单项指标得分 (weighted layout)
    reason: Text | None = None
    unit: Text | None = None  # 单位（文字描述） column of the weighted layout
    grade: Text | None = None  # 完成等级
    weight: Num | None = None  # 权重占比, as a fraction
    weighted: Num | None = None  # 单项指标折算得分
    is_execution: bool = False  # the 预算执行率 row inside the table
    extra: dict = field(default_factory=dict)  # role → Text of every other column the vocabulary names

    @property
    def title(self) -> str:
        """A short name for messages: 三级 name, else 二级, else 一级."""
        for t in (self.name, self.level2, self.level1):
            if t.value:
                return t.value
        return f"第 {self.row + 1} 行"


def with_operator(target: Text, nature: str) -> Text:
    """The target with the operator of its 指标性质 cell in front ("≥" and "90%" → "≥90%"), unless the
    target already has one or the 指标性质 names none (定性)."""
    op = V.NATURE_OPERATORS.get(label(nature))
    if op is None or not target.value or parse_target(target.value).op is not None:
        return target
    return Text(target.cell, op + target.value)


def level1_key(text: str) -> str | None:
    """The profile's weight key for a 一级指标 label (产出指标 / 效益指标 / 满意度指标 / 预算执行率), or None."""
    t = label(text)
    if t.startswith("产出"):
        return "产出指标"
    if t.startswith("效益") or t.startswith("效果"):
        return "效益指标"
    if t.startswith("满意"):
        return "满意度指标"
    if is_execution_label(t):
        return "预算执行率"
    return None


@dataclass(frozen=True)
class TotalRow:
    row: int
    label: Text
    points: Num | None
    score: Num | None


@dataclass(frozen=True)
class Subtotal:
    """A 小计 row of the indicator table (产出指标小计 …): the sums of the indicators it closes.

    ``members`` are the rows of those indicators: the ones above it, after the previous 小计, under the 一级指标 of
    the indicator right above it (a 小计 right under another one, as a 一级 小计 under 二级 ones, closes that whole
    一级 group). ``others`` are the other sets it may sum as written: every indicator under that 一级指标 (a 一级
    小计 although 二级 小计 come between), the indicators under the 二级指标 right above it (a 小计 per 二级指标 where
    not every 二级 has one). The figures are those its row states in the summed columns: 分值 / 得分 in the points
    layout, 权重占比 / 折算得分 in the weighted one (a 单项指标得分 is a score out of 100: no sum)."""

    row: int
    label: Text
    level1: str  # the 一级指标 of its indicators, as written
    members: tuple[int, ...]
    others: tuple[tuple[int, ...], ...] = ()
    points: Num | None = None
    score: Num | None = None
    weight: Num | None = None
    weighted: Num | None = None

    @property
    def title(self) -> str:
        """A name for messages: its own label when it names the group (产出指标小计), else 一级指标 + 小计."""
        own = label(self.label.value)
        if self.level1 and not any(w in own for w in (label(self.level1), label(self.level1)[:2])):
            return f"{label(self.level1)}小计"
        return own or "小计"


class Indicators(tuple):
    """The indicator rows (a tuple of ``Indicator``, as the forms keep them) and, beside them, the table's 小计
    rows (``subtotals``) and its quiet rows (``quiet_rows``: 小计, spacer, group-title and repeated-header rows
    inside the table — rows an officer sees as part of a column's stretch, never an indicator)."""

    subtotals: tuple[Subtotal, ...]
    quiet_rows: frozenset

    def __new__(cls, rows=(), subtotals=(), quiet_rows=frozenset()):
        self = super().__new__(cls, rows)
        self.subtotals = tuple(subtotals)
        self.quiet_rows = frozenset(quiet_rows)
        return self

    def __reduce__(self):
        return (Indicators, (tuple(self), self.subtotals, self.quiet_rows))


def _filled(n) -> bool:
    return n is not None and n.state != "empty"


def untouched(amounts, indicators, total) -> bool:
    """A blank form (e.g. a fresh template, or a system export before anything was scored): no amount
    typed, no indicator scored, graded or reported, and no total score other than 0. A 总分 of 0 (the
    national system exports 0/0 before anything is scored) is written by the system, not by a person.
    Such a sheet is listed as blank instead of being checked."""
    if any(_filled(n) for n in amounts):
        return False
    for ind in indicators:
        if _filled(ind.score) or _filled(ind.weighted) or ind.actual.value or (ind.grade is not None and ind.grade.value):
            return False
    return not (total is not None and _filled(total.score) and total.score.value != 0)


def is_execution_label(*texts: str) -> bool:
    return any(any(w in label(t) for w in EXECUTION_WORDS) for t in texts if t)


def indicator_rows(sheet: Sheet, first_row: int, roles: dict[str, Column]) -> T.Rows:
    """The indicator table's rows by role, from the table model (``table.classify_rows``): items, 小计
    rows (under a 一级指标 group, the word in any level cell), the total (总分 / 自评得分 / 合计, first or
    last), header rows repeated after a page break, notes and spacers. The name column is 三级指标; the
    一级 / 二级 cells are level cells (a 小计 or 合计 written there counts)."""
    name_role = next(k for k in ("level3", "level2", "level1") if k in roles)
    amount_roles = [k for k in ("points", "score", "weight", "weighted") if k in roles]
    header = T.Header(
        sheet=sheet.name, top=first_row - 1, bottom=first_row - 1, columns={k: c.c0 for k, c in roles.items()},
        labels={k: c.text for k, c in roles.items()}, label_cells={k: c.cell for k, c in roles.items()},
        col_labels={c.c0: c.text for c in roles.values()}, last_col=max(c.c1 for c in roles.values()),
        spans={k: c.span for k, c in roles.items()})
    return T.classify_rows(sheet, header, name_col=roles[name_role].c0, seq_col=None,
                           amount_cols=[roles[k].c0 for k in amount_roles],
                           level_cols=tuple(roles[k].c0 for k in ("level1", "level2") if k in roles and k != name_role),
                           total_words=TOTAL_WORDS)


def read_indicators(sheet: Sheet, first_row: int, roles: dict[str, Column], *, weighted: bool,
                    weight_percent_units: bool = True) -> tuple[tuple[Indicator, ...], TotalRow | None, int]:
    """Read the indicator rows below the header (``first_row`` is the first row under it); returns rows,
    total, last row read. Row roles come from ``indicator_rows``: a total written right under the header
    is the table's total and reading goes on; a total after the indicators ends the table (what follows
    is the form's footer); 小计 rows, repeated headers and group titles are never indicators."""
    rows: list[Indicator] = []
    total: TotalRow | None = None
    carry1 = carry2 = Text(Cell(sheet.name, first_row, 0), "")
    score_what = "单项指标得分" if weighted else "得分"
    last = first_row - 1
    roles_of = indicator_rows(sheet, first_row, roles)
    name_role = next(k for k in ("level3", "level2", "level1") if k in roles)
    totals = roles_of.totals
    # a row the model leaves out for having neither a 三级 name nor figures (or after a spacer, one cell
    # only) is still an indicator when it states a target or an actual: it is checked, not dropped
    known = set(roles_of.items) | set(totals) | set(roles_of.subtotals) | set(roles_of.headers) | \
        set(roles_of.notes) | {g for g, _ in roles_of.groups}
    loose = [r for r in range(first_row, roles_of.end + 1) if r not in known and any(
        span_text(sheet, r, roles[k].span).value for k in ("level3", "target", "actual") if k in roles)]
    items = sorted(roles_of.items + loose) if loose else roles_of.items
    if items and totals:
        before = [r for r in totals if r < items[0]]
        after = [r for r in totals if r > items[0]]
        if after:  # the total after the indicators ends the table
            items = [r for r in items if r < after[0]]
            total_r = after[0]
        else:
            total_r = before[-1]
    else:
        total_r = totals[0] if totals else None
    if total_r is not None:
        texts = sheet.row_texts(total_r)
        label_upto = max((roles[k].c1 for k in ("level3", "level2", "level1") if k in roles), default=0)
        first = row_first_text(sheet, total_r, label_upto) or next((t for t in texts if t), "")
        total = TotalRow(
            row=total_r, label=Text(Cell(sheet.name, *sheet.anchor(total_r, texts.index(first) if first in texts else 0)), first),
            points=span_num(sheet, total_r, roles["points"].span, "总分分值") if "points" in roles else None,
            score=span_num(sheet, total_r, (roles["weighted"] if weighted and "weighted" in roles else roles["score"]).span,
                           "自评得分" if weighted else "总分得分"),
        )
    for r in items:
        if label(sheet.text(r, roles[name_role].c0)).rstrip(":") in GRADE_LABELS:
            continue  # the stated grade's row below a total written first (评价等级 | 优)
        l1 = span_text(sheet, r, roles["level1"].span, follow_merges=True)
        if l1.value:
            if l1.value != carry1.value:
                carry2 = Text(Cell(sheet.name, r, 0), "")
            carry1 = l1
        else:
            l1 = carry1
        l2 = span_text(sheet, r, roles["level2"].span, follow_merges=True) if "level2" in roles else Text(Cell(sheet.name, r, 0), "")
        if l2.value:
            carry2 = l2
        else:
            l2 = carry2
        name = span_text(sheet, r, roles["level3"].span) if "level3" in roles else Text(Cell(sheet.name, r, 0), "")
        target = span_text(sheet, r, roles["target"].span) if "target" in roles else Text(Cell(sheet.name, r, 0), "")
        extra = {role: span_text(sheet, r, col.span) for role, col in roles.items() if role not in _READ_BY_NAME}
        if "nature" in extra:
            target = with_operator(target, extra["nature"].value)
        actual = span_text(sheet, r, roles["actual"].span) if "actual" in roles else Text(Cell(sheet.name, r, 0), "")
        points = span_num(sheet, r, roles["points"].span, "分值") if "points" in roles else None
        score = span_num(sheet, r, roles["score"].span, score_what) if "score" in roles else \
            Num(Cell(sheet.name, r, 0), "", None, "empty", 0, score_what)
        weight = weighted_num = None
        if weighted:
            if "weight" in roles:
                weight = span_num(sheet, r, roles["weight"].span, "权重占比", kind="rate",
                                  percent_units=weight_percent_units)
            if "weighted" in roles:
                weighted_num = span_num(sheet, r, roles["weighted"].span, "折算得分")
        has_numbers = any(n is not None and n.state != "empty" for n in (points, score, weight, weighted_num))
        if not (name.value or target.value or actual.value or has_numbers):
            continue
        rows.append(Indicator(
            row=r, level1=l1, level2=l2, name=name, target=target, actual=actual, points=points, score=score,
            reason=span_text(sheet, r, roles["reason"].span) if "reason" in roles else None,
            unit=span_text(sheet, r, roles["unit"].span) if "unit" in roles else None,
            grade=span_text(sheet, r, roles["grade"].span) if "grade" in roles else None,
            weight=weight, weighted=weighted_num,
            is_execution=is_execution_label(l1.value, l2.value, name.value), extra=extra,
        ))
        last = r
    if total is not None and total.row > last:
        last = total.row
    end = total.row if total is not None and rows and total.row > rows[-1].row else roles_of.end
    subs = _subtotals(sheet, roles_of.subtotals, rows, roles, weighted, weight_percent_units, end)
    taken = {i.row for i in rows}
    quiet = {r for r in range(first_row, end) if r not in taken and r not in roles_of.notes}
    return Indicators(rows, subs, quiet), total, last


def _subtotals(sheet: Sheet, sub_rows: list[int], rows: list[Indicator], roles: dict[str, Column], weighted: bool,
               weight_percent_units: bool, end: int) -> tuple[Subtotal, ...]:
    """The 小计 rows among the indicators (see ``Subtotal``): each with the rows it sums; a 小计 with no
    indicator above it, or after the table's closing total, is none."""
    out: list[Subtotal] = []
    prev = -1
    label_upto = max((roles[k].c1 for k in ("level3", "level2", "level1") if k in roles), default=0)
    for s in sub_rows:
        if s > end:
            break
        above = [i for i in rows if i.row < s]
        if not above:
            continue
        g1 = above[-1].level1.value
        group = tuple(i.row for i in rows if i.level1.value == g1)
        since = [i for i in above if i.row > prev]
        members: list[int] = []
        for i in reversed(since):
            if i.level1.value != g1:
                break
            members.append(i.row)
        g2 = above[-1].level2.value
        level2 = tuple(i.row for i in since if i.level1.value == g1 and i.level2.value == g2)
        prev = s
        c = next((c for c in range(min(label_upto + 1, sheet.ncols)) if sheet.anchor(s, c)[0] == s and sheet.text(s, c)),
                 roles[next(k for k in ("level3", "level2", "level1") if k in roles)].c0)  # its own word, not a merged 一级
        first = sheet.text(*sheet.anchor(s, c))
        nums: dict[str, Num | None] = {}
        for role, what, kind in (("points", "小计分值", "score"), ("score", "小计得分", "score"),
                                 ("weight", "小计权重占比", "rate"), ("weighted", "小计折算得分", "score")):
            if role not in roles or (weighted and role == "score") or (not weighted and role in ("weight", "weighted")):
                continue
            nums[role] = span_num(sheet, s, roles[role].span, what, kind=kind,
                                  percent_units=weight_percent_units if role == "weight" else False)
        members_ = tuple(reversed(members)) or group
        others = tuple(dict.fromkeys(o for o in (group, level2) if o and o != members_))
        out.append(Subtotal(row=s, label=Text(Cell(sheet.name, *sheet.anchor(s, c)), first), level1=g1,
                            members=members_, others=others, **nums))
    return tuple(out)


# ---------------------------------------------------------------- heading fields

NAME_LABELS = ("项目名称", "部门(单位)名称", "部门名称", "单位名称", "预算单位", "部门(单位)")
DEPARTMENT_LABELS = ("主管部门", "实施主管部门", "主管部门及代码", "主管单位")
IMPL_LABELS = ("实施单位", "项目实施单位")
_HEADING_LABELS = NAME_LABELS + DEPARTMENT_LABELS + IMPL_LABELS + ("金额单位", "单位", "项目属性", "项目周期")


def value_right_of(sheet: Sheet, r: int, c: int) -> Text:
    """The value written to the right of the label at (r, c): the next non-empty cell that is not a label."""
    _, c1 = _span_at(sheet, r, c)
    col = c1 + 1
    first_cell = None
    while col < sheet.ncols:
        ar, ac = sheet.anchor(r, col)
        if first_cell is None:
            first_cell = Cell(sheet.name, ar, ac)
        t = sheet.text(r, col)
        nxt = _span_at(sheet, r, col)[1] + 1
        if t:
            lt = label(t).rstrip(":")
            if lt in _HEADING_LABELS:
                break
            return Text(Cell(sheet.name, ar, ac), t)
        col = max(nxt, col + 1)
    return Text(first_cell or Cell(sheet.name, r, c1 + 1), "")


def find_heading(sheet: Sheet, labels: tuple[str, ...], upto: int) -> Text | None:
    """The value beside the first cell (rows < ``upto``) whose label is one of ``labels``."""
    for r in range(min(upto, sheet.nrows)):
        for c in range(sheet.ncols):
            if sheet.anchor(r, c) != (r, c):
                continue
            t = label(sheet.raw(r, c) if isinstance(sheet.raw(r, c), str) else "").rstrip(":")
            if t and t in labels:
                return value_right_of(sheet, r, c)
    return None


def form_title(sheet: Sheet) -> str:
    for r in range(min(5, sheet.nrows)):
        for t in sheet.row_texts(r):
            if t:
                return t
    return ""


def form_year(sheet: Sheet, upto: int) -> int | None:
    for r in range(min(upto, 6, sheet.nrows)):
        for t in sheet.row_texts(r):
            ys = years_in(t)
            if ys:
                return ys[0]
    ys = years_in(sheet.name)
    return ys[0] if ys else None


_UNIT_CELL = re.compile(r"^(?:金额)?单位[:：]?(万元|元)$")
_UNIT_PAREN = re.compile(r"[(（](万元|元)[)）]")


def form_unit(sheet: Sheet, upto: int) -> tuple[str, str]:
    """万元 or 元, from "单位：万元", a 金额单位 | 万元 pair or a label such as 项目资金（万元）."""
    for r in range(min(upto, sheet.nrows)):
        for c in range(sheet.ncols):
            if sheet.anchor(r, c) != (r, c):
                continue
            t = label(sheet.text(r, c))
            if not t:
                continue
            m = _UNIT_CELL.match(t)
            if m:
                return m.group(1), sheet.text(r, c)
            if t.rstrip(":") in ("金额单位", "单位"):
                v = label(value_right_of(sheet, r, c).value)
                if v in ("万元", "元"):
                    return v, f"{sheet.text(r, c)} {v}"
            m = _UNIT_PAREN.search(t)
            if m and len(t) <= LABEL_MAX:
                return m.group(1), sheet.text(r, c)
    return "万元", "未注明，按万元"


GRADE_LABELS = ("等级", "自评等级", "评价等级", "绩效等级", "评价结果", "自评结果", "自评等次", "评价等次")


def find_stated_grade(sheet: Sheet, start: int, end: int) -> Text | None:
    """A grade written near the total (自评等级 / 评价等级 / 等级 | 优)."""
    for r in range(max(0, start), min(end, sheet.nrows)):
        for c in range(sheet.ncols):
            if sheet.anchor(r, c) != (r, c):
                continue
            t = label(sheet.text(r, c)).rstrip(":")
            if t in GRADE_LABELS:
                v = value_right_of(sheet, r, c)
                if v.value:
                    return v
    return None


# ---------------------------------------------------------------- scoring one indicator (DOMAIN §2)

@dataclass(frozen=True)
class Allowed:
    """The highest score the numbers allow, and how it was worked out (for messages)."""

    max_score: float
    ratio: float  # share of the full score
    how: str
    met: bool


def _comparable(target: Target, actual: Target, unit_text: str = "") -> tuple[float, float] | None:
    """Target and actual as comparable numbers, or None when units differ or a side is not a number."""
    if target.value is None or actual.value is None:
        return None
    t_unit = label(target.unit).rstrip("以上以下")
    a_unit = label(actual.unit).rstrip("以上以下")
    if t_unit and a_unit and t_unit != a_unit:
        return None
    if a_unit and not t_unit and not target.percent and len(a_unit) > 4:
        return None  # "2023年完成20集": not a plain number
    if t_unit and len(t_unit) > 8:
        return None
    tv, av = target.value, actual.value
    t_pct = target.percent or label(unit_text) in ("%", "百分号", "百分比", "百分率")
    if t_pct and not target.percent and tv > 1.5:
        tv /= 100.0
    if t_pct and not actual.percent and av > 1.5:
        av /= 100.0
    if actual.percent and not t_pct and tv > 1.5:
        tv /= 100.0
    return tv, av


def allowed_score(target_text: str, actual_text: str, full: float, *, level2: str = "",
                  unit_text: str = "") -> Allowed | None:
    """The highest score a quantitative indicator may get from its target and actual (DOMAIN §2).

    positive (≥ >): met → full, else actual ÷ target × full; reverse (≤ <): ≤ target full, between
    target and 2 × target linear down to 0; equal (=) as positive, target 0 full only when actual ≤ 0.
    A target without an operator counts as "="; a cost indicator (成本指标) without one is ambiguous
    and not scored. Returns None for qualitative indicators or numbers that cannot be compared.
    """
    t = parse_target(target_text)
    a = parse_target(actual_text)
    pair = _comparable(t, a, unit_text)
    if pair is None:
        return None
    tv, av = pair
    op = t.op
    if op is None:
        if "成本" in label(level2):
            return None
        op = "="
    if tv < 0:
        return None
    if op in (">=", ">", "="):
        if tv == 0:
            ok = av <= 0 if op == "=" else av >= 0
            ratio = 1.0 if ok else 0.0
            how = f"指标值为 0，完成值 {_n(av)}，" + ("达到" if ok else "未达到")
        elif av >= tv:
            ratio, ok, how = 1.0, True, f"完成值 {_n(av)} 达到指标值 {_n(tv)}"
        else:
            ratio = max(av, 0.0) / tv
            ok = False
            how = f"未达到，{_n(av)} ÷ {_n(tv)} = {ratio * 100:.2f}%"
    else:  # "<=", "<"
        if av <= tv:
            ratio, ok, how = 1.0, True, f"完成值 {_n(av)} 未超过指标值 {_n(tv)}"
        elif tv == 0 or av >= 2 * tv:
            ratio, ok = 0.0, False
            how = f"反向指标，完成值 {_n(av)} 超过指标值 {_n(tv)}" + ("" if tv == 0 else " 的 2 倍") + "，得 0 分"
        else:
            ratio = (2 * tv - av) / tv
            ok = False
            how = f"反向指标超出，(2 × {_n(tv)} － {_n(av)}) ÷ {_n(tv)} = {ratio * 100:.2f}%"
    return Allowed(max_score=ratio * full, ratio=ratio, how=how, met=ok)


def actual_ratio(target_text: str, actual_text: str, *, unit_text: str = "") -> tuple[float, float, float] | None:
    """(actual ÷ target, target, actual) for positive/equal targets above 0, else None."""
    t = parse_target(target_text)
    if t.op not in (">=", ">", "=", None):
        return None
    pair = _comparable(t, parse_target(actual_text), unit_text)
    if pair is None or pair[0] <= 0:
        return None
    return pair[1] / pair[0], pair[0], pair[1]


def _n(v: float) -> str:
    from xltool.precision import fmt

    return fmt(v, 4)


# What may follow a qualitative word: a target word, then at most a short clause without figures
# ("部分达成年度指标并具有一定效果", "未达成年度指标且效果较差").
_TARGET_WORDS = ("年度指标值", "年度指标", "年度目标", "预期目标", "绩效目标", "目标值", "指标值", "目标", "指标", "预期")
_CLAUSE = re.compile(r"^[,，;；、]?(?:并|且|但|同时|,|，)[^0-9%]{1,14}$")


def achievement(actual_text: str, bands) -> tuple[str, float, float] | None:
    """(band name, lowest share, highest share) of 分值 when 实际完成值 is qualitative wording such as
    "达成年度指标" / "部分达成年度指标并具有一定效果" / "未达成年度指标且效果较差", else None.

    ``bands`` is the profile's ``qualitative`` data (words per band, tried in order).
    """
    t = label(actual_text).rstrip("。.")
    if not t or len(t) > 30:
        return None
    for band in bands:
        for w in band.words:
            if not t.startswith(w):
                continue
            rest = t[len(w):]
            for tw in _TARGET_WORDS:
                if rest.startswith(tw):
                    rest = rest[len(tw):]
                    break
            if rest == "" or _CLAUSE.match(rest):
                return band.name, band.low, band.high
            return None  # "完成率95%", "完成20集": a figure, not a qualitative band
    return None
