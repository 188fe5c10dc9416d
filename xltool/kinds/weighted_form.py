"""部门整体绩效自评表, weighted layout — Hebei's form (seed 004, DOMAIN.md §1 C).

Found by labels, never by coordinates:

    二、预算执行情况 | 预算数 | 3746.68 | 到位数 | 2819.17 | 执行数 | 2819.17 | 预算执行进度(%) 75.24
                     | 其中：财政资金 | …  | 其中：财政资金 | … | 其中：财政资金 | …
                     | 其他 | …
    四、年度绩效指标完成情况 (two header rows):
    一级 | 二级 | 三级 | 指标说明 | 预期指标值 | 单位（文字描述） | 单项指标实际完成值 | 单项指标完成等级 |
    自评得分 → 单项指标得分 | 权重占比(%) | 单项指标折算得分
    … 预算执行率 row (weight 10%, 单项得分 = 执行率 × 100) …
    自评得分 | total

单项指标折算得分 = 单项指标得分 × 权重占比; 自评得分 = Σ 折算得分; 完成等级 优/良/中/差 by 单项得分.
"""

from __future__ import annotations

from dataclasses import dataclass

from xltool.cells import Cell, Num, Text
from xltool.io.book import Sheet
from xltool.kinds import formparts as fp
from xltool.kinds import table as T
from xltool.figures import rate_of
from xltool.kinds.common import label, num_at
from xltool.numbers import parse_number

NAME = "weighted-form"
TITLE = "部门整体绩效自评表（权重折算）"
RULES_MODULE = "xltool.rules.weighted"

_SUB_WORDS = ("其中", "其他", "财政资金", "财政拨款", "上年结转", "自有资金")


@dataclass(frozen=True)
class FundPart:
    row: int
    label: Text
    budget: Num | None
    arrived: Num | None
    execution: Num | None


@dataclass(frozen=True)
class WeightedFund:
    budget: Num | None  # 预算数（调整后）
    arrived: Num | None  # 到位数
    execution: Num | None  # 执行数
    progress: Num | None  # 预算执行进度(%), as a fraction
    parts: tuple[FundPart, ...]  # 其中：财政资金 / 其他

    @property
    def empty(self) -> bool:
        return not any(n is not None and n.state != "empty" for n in (self.budget, self.arrived, self.execution))


@dataclass(frozen=True)
class WeightedForm:
    sheet: str
    title: str
    year: int | None
    project_name: Text | None
    department: Text | None
    implementing_unit: Text | None
    unit: str
    unit_source: str
    fund: WeightedFund | None
    header_rows: tuple[int, int]
    columns: dict[str, fp.Column]
    indicators: tuple[fp.Indicator, ...]
    total: fp.TotalRow | None
    stated_grade: Text | None
    last_col: int

    @property
    def execution_row(self) -> fp.Indicator | None:
        return next((i for i in self.indicators if i.is_execution), None)

    @property
    def untouched(self) -> bool:
        """A blank form (a fresh template): nothing typed at all, not even a total."""
        f = self.fund
        amounts = [f.budget, f.arrived, f.execution] + [n for p in f.parts for n in (p.budget, p.arrived, p.execution)] \
            if f else []
        return fp.untouched(amounts, self.indicators, self.total)


# ---------------------------------------------------------------- detection

def _accept(roles: dict[str, fp.Column]) -> bool:
    return "level1" in roles and "weight" in roles and ("weighted" in roles or "score" in roles)


def find_header(sheet: Sheet):
    return fp.find_indicator_header(sheet, _accept)


def detect(sheet: Sheet) -> bool:
    return find_header(sheet) is not None


# ---------------------------------------------------------------- reading

def _fund_label_kind(text: str) -> str | None:
    t = label(text).rstrip(":")
    if not t or len(t) > 20:
        return None
    if t.startswith("预算数") or t in ("全年预算数", "调整后预算数", "预算安排数"):
        return "budget"
    if t.startswith("到位数") or t.startswith("资金到位数"):
        return "arrived"
    if t.startswith("执行数") or t in ("全年执行数", "实际支出数", "资金执行数"):
        return "execution"
    if "执行进度" in t or "执行率" in t:
        return "progress"
    return None


def _right_cell(sheet: Sheet, r: int, c: int) -> tuple[int, int]:
    rng = sheet.merge_of(r, c)
    c1 = rng[3] if rng else c
    return sheet.anchor(r, c1 + 1)


def _is_label(text: str) -> bool:
    """A fund-block label (预算数 / 到位数 / 其中：财政资金 …), never a value."""
    t = label(text)
    return bool(t) and (_fund_label_kind(t) is not None or any(t.startswith(w) for w in _SUB_WORDS)) \
        and parse_number(text).value is None


def _value_cell(sheet: Sheet, r: int, c: int) -> tuple[tuple[int, int], bool]:
    """Where the value of the fund label at (r, c) is written, and whether it is below the label: label left of
    its value (seed 004: 预算数 | 3746.68) or a row of labels with the values in the row below (预算数 | 到位数 |
    执行数 above 3746.68 | 2819.17 | 2819.17) — the table model's ``value_slot``."""
    return T.value_slot(sheet, r, c, _is_label)


def _read_fund(sheet: Sheet, upto: int) -> WeightedFund | None:
    found: dict[str, tuple[int, int]] = {}
    for r in range(min(upto, sheet.nrows)):
        for c in range(sheet.ncols):
            if sheet.anchor(r, c) != (r, c):
                continue
            k = _fund_label_kind(sheet.text(r, c))
            if k is not None and k not in found:
                found[k] = (r, c)
    if not any(k in found for k in ("budget", "execution")):
        return None
    what = {"budget": "预算数", "arrived": "到位数", "execution": "执行数"}
    nums: dict[str, Num | None] = {}
    above = False
    for k in ("budget", "arrived", "execution"):
        if k not in found:
            nums[k] = None
            continue
        (rr, cc), below = _value_cell(sheet, *found[k])
        above = above or below
        nums[k] = num_at(sheet, rr, cc, what[k])
    progress = None
    if "progress" in found:
        r, c = found["progress"]
        pct_units = "%" in label(sheet.text(r, c))
        (rr, cc), _ = _value_cell(sheet, r, c)
        progress = num_at(sheet, rr, cc, "预算执行进度", kind="rate", percent_units=pct_units)
    parts = _parts_above(sheet, found, nums, upto, what) if above else _parts_left(sheet, found, upto, what)
    return WeightedFund(nums["budget"], nums["arrived"], nums["execution"], progress, tuple(parts))


def _is_part(text: str) -> bool:
    t = label(text)
    return bool(t) and any(t.startswith(w) or w in t for w in _SUB_WORDS)


def _parts_left(sheet: Sheet, found, upto: int, what) -> list[FundPart]:
    """其中 rows under label-left pairs: 其中：财政资金 | 3746.68 under 预算数 | 3746.68."""
    parts: list[FundPart] = []
    if "budget" not in found:
        return parts
    r0, _ = found["budget"]
    for r in range(r0 + 1, min(r0 + 6, upto, sheet.nrows)):
        row_parts: dict[str, Num | None] = {}
        lab = None
        for k in ("budget", "arrived", "execution"):
            if k not in found:
                row_parts[k] = None
                continue
            lc = found[k][1]
            t = sheet.text(r, lc) if sheet.anchor(r, lc) == (r, lc) else ""
            if t and _is_part(t):
                lab = lab or Text(Cell(sheet.name, r, lc), t)
                rr, cc = _right_cell(sheet, r, lc)
                row_parts[k] = num_at(sheet, rr, cc, f"{what[k]}（{t}）")
            else:
                row_parts[k] = None
        if lab is None:
            break
        parts.append(FundPart(r, lab, row_parts["budget"], row_parts["arrived"], row_parts["execution"]))
    return parts


def _parts_above(sheet: Sheet, found, nums, upto: int, what) -> list[FundPart]:
    """其中 rows under a row of values: a row label (其中：财政资金 / 其他) left of the amount columns."""
    parts: list[FundPart] = []
    cols = {k: found[k][1] for k in ("budget", "arrived", "execution") if k in found}
    first = min(cols.values())
    value_row = max(n.cell.row for n in nums.values() if n is not None)
    for r in range(value_row + 1, min(value_row + 6, upto, sheet.nrows)):
        lab = None
        for c in range(first):
            if sheet.anchor(r, c) == (r, c) and sheet.text(r, c):
                lab = Text(Cell(sheet.name, r, c), sheet.text(r, c))
        if lab is None or not _is_part(lab.value):
            break
        row_parts = {k: (num_at(sheet, r, c, f"{what[k]}（{lab.value}）") if sheet.anchor(r, c) == (r, c) else None)
                     for k, c in cols.items()}
        parts.append(FundPart(r, lab, row_parts.get("budget"), row_parts.get("arrived"), row_parts.get("execution")))
    return parts


def read(sheet: Sheet) -> WeightedForm:
    found = find_header(sheet)
    if found is None:
        raise ValueError("not a weighted self-evaluation form")
    hr, two, cols = found
    weight_pct = "%" in label(cols["weight"].text)
    indicators, total, last = fp.read_indicators(sheet, hr + (2 if two else 1), cols, weighted=True,
                                                 weight_percent_units=weight_pct)
    fund = _read_fund(sheet, hr)
    end = total.row if total else last
    return WeightedForm(
        sheet=sheet.name, title=fp.form_title(sheet), year=fp.form_year(sheet, hr),
        project_name=fp.find_heading(sheet, fp.NAME_LABELS, hr),
        department=fp.find_heading(sheet, fp.DEPARTMENT_LABELS, hr),
        implementing_unit=fp.find_heading(sheet, fp.IMPL_LABELS, hr),
        unit=fp.form_unit(sheet, hr)[0], unit_source=fp.form_unit(sheet, hr)[1], fund=fund,
        header_rows=(hr, hr + (1 if two else 0)), columns=cols, indicators=indicators, total=total,
        stated_grade=fp.find_stated_grade(sheet, end, end + 4), last_col=max(c.c1 for c in cols.values()),
    )


# ---------------------------------------------------------------- derived figures

def _v(n: Num | None) -> float | None:
    return n.value if n is not None and n.value is not None else None


def execution_rate(form: WeightedForm, profile) -> float | None:
    """执行数 ÷ 预算数 from the fund block; without one, the 预算执行率 row's 实际完成值."""
    f = form.fund
    if f is not None and _v(f.budget) is not None and _v(f.execution) is not None:
        return rate_of(f.budget.value, f.execution.value, profile.zero_budget_rate)
    ex = form.execution_row
    if ex is not None:
        from xltool.numbers import parse_number

        p = parse_number(ex.actual.value)
        if p.value is not None:
            return p.value if (p.percent or p.value <= 2) else p.value / 100.0
    return None


def execution_item_score(rate: float | None, profile) -> float | None:
    """单项得分 of the 预算执行率 row: rate × 100 (capped at 100)."""
    if rate is None:
        return None
    if profile.execution_rule == "weighted":
        return profile.execution_score(rate)
    return min(max(rate, 0.0), 1.0) * 100.0


def weighted_of(ind: fp.Indicator) -> float | None:
    """The recomputed 折算得分 = 单项得分 × 权重."""
    if _v(ind.score) is None or _v(ind.weight) is None:
        return None
    return ind.score.value * ind.weight.value


def total_of(form: WeightedForm) -> float:
    """Σ 折算得分 as stated (recomputed where a row leaves it empty)."""
    tot = 0.0
    for ind in form.indicators:
        v = _v(ind.weighted)
        if v is None:
            v = weighted_of(ind)
        tot += v or 0.0
    return tot


def results(form: WeightedForm, profile) -> dict:
    f = form.fund
    rate = execution_rate(form, profile)
    item = execution_item_score(rate, profile)
    ex = form.execution_row
    weight = _v(ex.weight) if ex is not None and _v(ex.weight) is not None else profile.execution_weight / 100.0
    total = total_of(form)
    return {
        "project_name": form.project_name.value if form.project_name else None,
        "department": form.department.value if form.department else None,
        "implementing_unit": form.implementing_unit.value if form.implementing_unit else None,
        "year": form.year,
        "unit": form.unit,
        "budget": _v(f.budget) if f else None,
        "arrived": _v(f.arrived) if f else None,
        "execution": _v(f.execution) if f else None,
        "execution_rate": round(rate, 4) if rate is not None else None,
        "execution_item_score": round(item, 2) if item is not None else None,
        "execution_score": round(item * weight, 2) if item is not None else None,
        "indicator_count": len(form.indicators),
        "weight_total": round(sum(_v(i.weight) or 0.0 for i in form.indicators) * 100, 2),
        "stated_total": _v(form.total.score) if form.total else None,
        "total_score": round(total, 2),
        "grade": profile.bands("form").grade(round(total, 2)),
    }


def review_columns(form: WeightedForm, profile):
    """折算得分（复核）: 单项得分 × 权重 for every row, and their sum on the 自评得分 row."""
    from xltool.report.review import ReviewColumn

    vals: dict[int, float] = {}
    for ind in form.indicators:
        w = weighted_of(ind)
        if w is not None:
            vals[ind.row] = round(w, 4)
    if form.total is not None and vals:
        vals[form.total.row] = round(sum(vals.values()), 4)
    if not vals:
        return None
    return form.header_rows, form.last_col, [ReviewColumn("折算得分（复核）", vals, "0.00##")]
