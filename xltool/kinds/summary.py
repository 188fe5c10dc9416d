"""部门绩效自评结果公开汇总表 — the project summary table (DOMAIN.md §1 A).

Read with the table model (``kinds/table``): a header band of one to three rows anywhere in the first
30 rows, columns in any order, merged parents; items, group titles, 小计 and 合计/总计 rows anywhere
(totals first, last or both); notes and a second table below end it. Column-wise: each role's values
are one list of floats over the item rows; only odd cells become located values.
"""

from __future__ import annotations

import dataclasses

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from itertools import repeat

from xltool import figures
from xltool.cells import Cell, Num, Text
from xltool.io.book import Sheet
from xltool.kinds import table as T
from xltool.kinds import vocabulary as V
from xltool.kinds.common import find_unit, label, years_in
from xltool.precision import amount_ok, rate_ok

NAME = "summary"
TITLE = "部门绩效自评结果公开汇总表"
RULES_MODULE = "xltool.rules.summary"

HEADER_SCAN_ROWS = 30
ROLES = V.SUMMARY
ROLE_CN = {r.name: r.cn for r in ROLES}
REQUIRED = ("name", "budget", "execution")
AMOUNT_ROLES = ("budget_initial", "budget_adjust", "budget", "execution", "balance", "returned")
NUM_ROLES = AMOUNT_ROLES + ("rate", "score")
TEXT_ROLES = ("seq", "name", "impl", "grade", "opinion")
_PREFER = {"budget": ("调整后", "全年")}

rate_of = figures.rate_of  # kept for importers


def role_of(text: str) -> str | None:
    r = T.match(text, ROLES)
    return r.name if r else None


class SummaryRow:
    """One row's located values, made on demand (``row.budget`` → ``Num``; missing role → None)."""

    __slots__ = ("row", "_table", "_i", "_fixed")

    def __init__(self, row: int, table: "SummaryTable | None" = None, i: int = -1, fixed: dict | None = None):
        self.row = row
        self._table = table
        self._i = i
        self._fixed = fixed

    def __getattr__(self, role: str):
        if role.startswith("_") or role not in ROLE_CN:
            raise AttributeError(role)
        if self._fixed is not None:
            if role == "seq" and role not in self._fixed:
                return Text(Cell(self._table.sheet, self.row, 0), "")
            return self._fixed.get(role)
        t = self._table
        if role in NUM_ROLES:
            col = t.cols.get(role)
            return col.num(self._i) if col is not None else None
        c = t.columns.get(role)
        if c is None:
            return Text(Cell(t.sheet, self.row, 0), "") if role == "seq" else None
        return Text(Cell(t.sheet, self.row, c), T.as_text(t.texts[role][self._i]))

    def __getstate__(self):
        return (self.row, self._table, self._i, self._fixed)

    def __setstate__(self, state):
        self.row, self._table, self._i, self._fixed = state


@dataclass
class SummaryTable:
    sheet: str
    header_rows: tuple[int, int]  # first and last header row, 0-based
    columns: dict[str, int]  # role → 0-based column
    labels: dict[str, str]  # role → header text as written
    label_cells: dict[str, Cell]
    unit: str  # "万元" or "元"
    unit_source: str
    rate_percent_units: bool
    item_rows: list[int]  # sheet rows of the projects
    cols: dict[str, T.Column]  # numeric role → its column over the items
    texts: dict[str, list]  # text role → its values over the items as written (``text_list`` for texts)
    totals: tuple[SummaryRow, ...]  # 合计/总计 rows, top to bottom
    subtotals: tuple[SummaryRow, ...]
    groups: tuple[tuple[int, int], ...]  # group-title rows (row, level)
    group_sums: tuple[tuple[int, SummaryRow], ...]  # (level, row) of group titles that state amounts
    year: int | None
    last_col: int
    title: str
    odd: list[Num] = field(default_factory=list)  # non-plain numeric cells (IN001–IN003)
    #: said on 核查结果 and in the JSON results when columns were converted into the table's unit ("" otherwise)
    unit_note: str = ""

    @cached_property
    def rows(self) -> tuple[SummaryRow, ...]:
        return tuple(SummaryRow(r, self, i) for i, r in enumerate(self.item_rows))

    @property
    def total(self) -> SummaryRow | None:
        return self.totals[-1] if self.totals else None

    @property
    def empty(self) -> bool:
        """Header only: no project row with a name or an amount (空表)."""
        return not self.item_rows

    def values(self, role: str) -> list[float | None]:
        col = self.cols.get(role)
        return col.values if col is not None else [None] * len(self.item_rows)

    def text_list(self, role: str) -> list[str]:
        """A text role's values over the items, as text."""
        vals = self.texts.get(role)
        if vals is None:
            return [""] * len(self.item_rows)
        return [v if type(v) is str else T.as_text(v) for v in vals]

    def input_cells(self) -> list[Num]:
        return self.odd

    def __getstate__(self):
        d = dict(self.__dict__)
        d.pop("rows", None)
        return d


_MEMO = "_summary_header"  # the sheet's header band, found once for detect and read


def _find_header(sheet: Sheet) -> T.Header | None:
    """The summary header band of ``sheet``, found once per sheet: ``detect`` and ``read`` both need it (it
    is kept on the sheet with the rows it was found in, so a sheet whose rows are replaced looks again)."""
    memo = sheet.__dict__.get(_MEMO)
    if memo is not None and memo[0] is sheet.rows and memo[1] == len(sheet.rows):
        return memo[2]
    h = T.find_header(sheet, ROLES, REQUIRED, scan_rows=HEADER_SCAN_ROWS, refuse=V.SUMMARY_REFUSE, prefer=_PREFER)
    sheet.__dict__[_MEMO] = (sheet.rows, len(sheet.rows), h)
    return h


def detect(sheet: Sheet) -> bool:
    h = _find_header(sheet)
    if h is None:
        return False
    # the columns must make sense as a summary: three distinct columns for name, budget, execution
    return len({h.columns[k] for k in REQUIRED}) == 3


def read(sheet: Sheet) -> SummaryTable:
    h = _find_header(sheet)
    if h is None:
        raise ValueError("not a summary table")
    columns = dict(h.columns)
    labels = dict(h.labels)
    above = [" ".join(t for t in sheet.row_texts(r) if t) for r in range(h.top)]
    unit, unit_source = find_unit(above + list(labels.values()))
    if unit is None:
        unit, unit_source = "万元", "未注明，按万元"
    unit, unit_source, scale = _column_units(above, labels, columns, unit, unit_source)
    rate_percent = "%" in label(labels.get("rate", ""))
    title = next((t for t in above if t), "")
    amount_cols = [columns[k] for k in NUM_ROLES if k in columns]
    rows = T.classify_rows(sheet, h, name_col=columns["name"], seq_col=columns.get("seq"), amount_cols=amount_cols)
    items = rows.items
    cols: dict[str, T.Column] = {}
    odd: list[Num] = []
    for role in NUM_ROLES:
        if role not in columns:
            continue
        kind = T.RATE if role == "rate" else T.SCORE if role == "score" else T.AMOUNT
        col = T.read_column(sheet, items, columns[role], role, ROLE_CN[role], kind, rate_percent)
        if role in scale:
            col = _scaled(col, scale[role])
        cols[role] = col
        odd.extend(col.odd.values())
    texts = {role: T.read_texts(sheet, items, columns[role]) for role in TEXT_ROLES if role in columns}

    def fixed(r: int) -> SummaryRow:
        vals: dict = {}
        for role in NUM_ROLES:
            if role in columns:
                kind = T.RATE if role == "rate" else T.SCORE if role == "score" else T.AMOUNT
                c = T.read_column(sheet, [r], columns[role], role, ROLE_CN[role], kind, rate_percent)
                if role in scale:
                    c = _scaled(c, scale[role])
                vals[role] = c.num(0)
                odd.extend(c.odd.values())
        for role in TEXT_ROLES:
            if role in columns:
                vals[role] = T.text_cell(sheet, r, columns[role])
        return SummaryRow(r, None, -1, vals)

    totals = tuple(fixed(r) for r in rows.totals)
    subtotals = tuple(fixed(r) for r in rows.subtotals)
    group_sums = tuple((lv, fixed(r)) for r, lv in rows.groups
                       if any(T._is_number(sheet.raw(r, c)) for c in amount_cols))
    t = SummaryTable(
        sheet=sheet.name, header_rows=h.rows, columns=columns, labels=labels, label_cells=dict(h.label_cells),
        unit=unit, unit_source=unit_source, rate_percent_units=rate_percent, item_rows=items, cols=cols,
        texts=texts, totals=totals, subtotals=subtotals, groups=tuple(rows.groups), group_sums=group_sums, year=None,
        last_col=max(h.last_col, max(columns.values())), title=title, odd=sorted(odd, key=lambda n: (n.cell.row, n.cell.col)),
        unit_note=f"{unit_source}；核查意见和复核列中的金额都以{unit}计" if scale else "",
    )
    for s in totals + subtotals + tuple(g for _, g in group_sums):
        s._table = t
    t.year = _report_year(title, t.text_list("name") if "name" in columns else [])
    return t


def _column_units(above: list[str], labels: dict, columns: dict, unit: str, source: str):
    """(unit, source, {role: factor}) for a table whose amount columns name different units in their own
    headers (全年预算数（万元） next to 全年执行数（元）): every amount is read in one unit — the 单位 line's
    when there is one, else the unit most of those headers name (元 on a tie: nothing is rounded away) —
    and a column headed in the other unit is converted into it. Tables with one unit are left as they are."""
    own = {role: find_unit([labels[role]])[0] for role in AMOUNT_ROLES if role in columns and role in labels}
    named = [u for u in own.values() if u]
    if len(set(named)) < 2:
        return unit, source, {}
    line = find_unit(above)[0]
    unit = line or max(("万元", "元"), key=lambda u: (named.count(u), u == "元"))
    other = "元" if unit == "万元" else "万元"
    source = f"各列表头分别注明万元和元，{other}列已换算为{unit}"
    factor = 0.0001 if unit == "万元" else 10000.0
    return unit, source, {role: factor for role, u in own.items() if u == other}


def _scaled(col: T.Column, factor: float) -> T.Column:
    """``col`` with its amounts converted by ``factor`` (元 → 万元: 0.0001; 万元 → 元: 10000); the decimals each
    value was written with move by four places with it, so it is held to the same precision as before."""
    shift = 4 if factor < 1 else -4
    raws, values, odd = list(col.raws), list(col.values), {}
    for i, v in enumerate(col.values):
        if i in col.odd or v is None:
            continue
        d = max(0, col.decimals(i) + shift)
        raws[i] = values[i] = round(v * factor, d)
    for i, n in col.odd.items():
        odd[i] = dataclasses.replace(n, value=None if n.value is None else n.value * factor,
                                     decimals=max(0, n.decimals + shift))
    return dataclasses.replace(col, raws=raws, values=values, odd=odd)


def _report_year(title: str, names: list[str]) -> int | None:
    ys = years_in(title)
    if ys:
        return ys[0]
    counts = Counter(y for name in names for y in years_in(name)[:1])
    if counts and names:
        year, n = counts.most_common(1)[0]
        if n * 2 >= len(names):
            return year
    return None


# ---------------------------------------------------------------- derived figures


def corrected_budgets(t: SummaryTable, profile) -> dict[int, float]:
    """Item index → 年初预算数 + 调整数, on the rows whose 调整后预算数 disagrees with it at the form's precision
    (SUM015) while the row's own 执行率 / 结余数 do not say the stated 调整后预算数 is what they were worked from
    (then 年初 or 调整 may be the wrong cell). The rules hold the row's rate, balance and the 合计 to these
    budgets; the recomputed columns use them."""
    if not all(k in t.cols for k in ("budget_initial", "budget_adjust", "budget")):
        return {}
    col, out = t.cols["budget"], {}
    for i, (a, d, v) in enumerate(zip(t.values("budget_initial"), t.values("budget_adjust"), col.values)):
        exp = figures.adjusted_budget(a, d)
        if exp is None or v is None or abs(v - exp) <= 5e-7:
            continue
        n = col.num(i)
        if not amount_ok(n.value, n.decimals, exp, profile.tolerance) and not worked_from(t, profile, i, v, exp):
            out[i] = exp
    return out


def worked_from(t: SummaryTable, profile, i: int, stated: float, fixed: float) -> list[str]:
    """The Chinese names of item ``i``'s 执行率 / 结余数 when they agree with the budget ``stated`` and none of
    them agrees with ``fixed`` (年初 + 调整): they were worked from the stated 调整后预算数."""
    e, tol = t.values("execution")[i], profile.tolerance
    if e is None:
        return []
    out = []
    for role in ("rate", "balance"):
        if role not in t.cols or t.values(role)[i] is None:
            continue
        n = t.cols[role].num(i)
        if role == "rate":
            on_stated, on_fixed = figures.rate_of(stated, e, profile.zero_budget_rate), \
                figures.rate_of(fixed, e, profile.zero_budget_rate)
            ok = rate_ok
        else:
            on_stated, on_fixed, ok = stated - e, fixed - e, amount_ok
        if on_fixed is not None and ok(n.value, n.decimals, on_fixed, tol):
            return []
        if on_stated is not None and ok(n.value, n.decimals, on_stated, tol):
            out.append(ROLE_CN[role])
    return out


def results(table: SummaryTable, profile) -> dict:
    """The unit's results: counts, totals, overall rate, mean score and its grade."""
    bt, _ = figures.total(table.values("budget"))
    et, _ = figures.total(table.values("execution"))
    mean = figures.mean(table.values("score"))
    rate = figures.rate_of(bt, et, profile.zero_budget_rate) if table.item_rows else None
    return {
        "unit": table.unit,
        **({"unit_note": table.unit_note} if table.unit_note else {}),
        "project_count": len(table.item_rows),
        "budget_total": round(bt, 2),
        "execution_total": round(et, 2),
        "execution_rate": round(rate, 4) if rate is not None else None,
        "overall_score": round(mean, 2) if mean is not None else None,
        "overall_grade": figures.grade(round(mean, 2), profile.bands("summary")) if mean is not None else None,
    }


_NO_GRADE = object()


def review_columns(table: SummaryTable, profile):
    """Recomputed columns written to the right of the table in the annotated copy."""
    from xltool.report.review import ReviewColumn

    rate_vals, bal_vals, grade_vals = {}, {}, {}
    bands = profile.bands("summary")
    zero = profile.zero_budget_rate
    budgets = table.values("budget")
    fixed = corrected_budgets(table, profile)  # a wrong 调整后预算数 (SUM015) as it will be corrected
    if fixed:
        budgets = [fixed.get(i, b) for i, b in enumerate(budgets)]
    execs = table.values("execution")
    rows = table.item_rows
    rate_vals = {r: x for r, x in zip(rows, map(figures.rate_of, budgets, execs, repeat(zero))) if x is not None}
    bal_vals = {r: round(x, 6) for r, x in zip(rows, map(figures.balance_of, budgets, execs)) if x is not None}
    grade_of: dict[float, str | None] = {}  # scores repeat (whole points): each graded once
    for r, s in zip(rows, table.values("score")):
        if s is not None:
            g = grade_of.get(s, _NO_GRADE)
            if g is _NO_GRADE:
                g = grade_of[s] = bands.grade(s)
            grade_vals[r] = g
    stated_sum, fixed_sum = figures.total(table.values("budget"))[0], figures.total(budgets)[0]
    for tot in table.totals:
        b, e = tot.budget.value, tot.execution.value
        if b is not None and abs(b - stated_sum) < 0.005:  # the 合计 of the items as written: as they will be
            b += fixed_sum - stated_sum
        rate = figures.rate_of(b, e, zero)
        if rate is not None:
            rate_vals[tot.row] = rate
        if b is not None and e is not None:
            bal_vals[tot.row] = round(b - e, 6)
    cols = [
        ReviewColumn("执行率（复核）", rate_vals, "0.00%"),
        ReviewColumn("结余数（复核）", bal_vals, "#,##0.00####"),
    ]
    if grade_vals:
        cols.append(ReviewColumn("等级（复核）", grade_vals, None))
    return table.header_rows, table.last_col, cols
