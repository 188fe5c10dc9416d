"""项目支出绩效自评表 — the national project self-evaluation form, points layout (DOMAIN.md §1 B).

Layout (found by labels, never by coordinates): a title and （2023年度）, 项目名称 / 主管部门 / 实施单位,
a fund block

    项目资金（万元） | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分
    年度资金总额     |   …       |    …       |    …       |  10  |  …     |  …
    其中：当年财政拨款 / 上年结转资金 / 其他资金 (部门整体: 基本支出 / 项目支出)

年度总体目标, then the indicator table 一级 | 二级 | 三级 | 年度指标值 | 实际完成值 | 分值 | 得分 |
偏差原因分析及改进措施, closed by a 总分 row.

The unit-wide form 部门整体支出绩效自评表 in the same points layout is read by the same code; its
kind (``department-form``, module ``department_form``) is chosen by the title.
"""

from __future__ import annotations

from dataclasses import dataclass

from xltool.cells import Cell, Num, Text
from xltool.io.book import Sheet
from xltool.kinds import formparts as fp
from xltool.kinds import table as T
from xltool.kinds import vocabulary as V
from xltool.figures import rate_of
from xltool.kinds.common import label
from xltool.numbers import parse_number

NAME = "project-form"
TITLE = "项目支出绩效自评表"
RULES_MODULE = "xltool.rules.form"

PROJECT, DEPARTMENT = "project-form", "department-form"

FUND_ROLE_WORDS = V.FORM_FUNDS
_TOTAL_FUND_WORDS = ("资金总额", "总额", "合计", "总计")
_SUB_FUND_WORDS = ("其中", "财政拨款", "上年结转", "结转", "其他资金", "其他", "基本支出", "项目支出", "财政资金")
_BLOCK_END_WORDS = ("总体目标", "年度目标", "绩效指标", "一级指标")


# ---------------------------------------------------------------- records

@dataclass(frozen=True)
class FundRow:
    row: int
    label: Text
    recognised: bool  # the label was read as 年度资金总额 / 其中 … (False: taken by position)
    initial: Num | None
    budget: Num
    execution: Num
    points: Num | None
    rate: Num | None
    score: Num | None
    adjust: Num | None = None  # 调整数, when the block has the column (年初预算数 + 调整数 = 全年预算数)

    @property
    def name(self) -> str:
        return label(self.label.value) if self.recognised and self.label.value else ""


@dataclass(frozen=True)
class FundBlock:
    header_row: int
    label: Text  # 项目资金（万元）
    columns: dict[str, fp.Column]
    total: FundRow | None  # 年度资金总额 (first row when labels are not recognisable)
    parts: tuple[FundRow, ...]  # 其中 rows
    rate_percent_units: bool

    @property
    def empty(self) -> bool:
        rows = ([self.total] if self.total else []) + list(self.parts)
        return not any(n is not None and n.state != "empty"
                       for r in rows for n in (r.initial, r.budget, r.execution, r.points, r.rate, r.score))


@dataclass(frozen=True)
class PointsForm:
    sheet: str
    kind: str  # project-form | department-form
    title: str
    year: int | None
    project_name: Text | None
    department: Text | None
    implementing_unit: Text | None
    unit: str
    unit_source: str
    fund: FundBlock | None
    header_rows: tuple[int, int]  # first and last row of the indicator header
    columns: dict[str, fp.Column]
    indicators: tuple[fp.Indicator, ...]
    total: fp.TotalRow | None
    stated_grade: Text | None
    last_col: int

    @property
    def scored(self) -> tuple[fp.Indicator, ...]:
        """Indicator rows other than a 预算执行率 row inside the table."""
        return tuple(i for i in self.indicators if not i.is_execution)

    @property
    def empty(self) -> bool:
        """Nothing filled in: no indicator row and no amount in the fund block."""
        return not self.indicators and (self.fund is None or self.fund.empty)

    @property
    def untouched(self) -> bool:
        """A blank form (a fresh template): nothing typed at all, not even a total."""
        rows = ([self.fund.total] if self.fund and self.fund.total else []) + list(self.fund.parts if self.fund else ())
        amounts = [n for r in rows for n in (r.initial, r.budget, r.execution)]
        return fp.untouched(amounts, self.indicators, self.total)


# ---------------------------------------------------------------- detection

def _accept(roles: dict[str, fp.Column]) -> bool:
    if "weight" in roles or "weighted" in roles:
        return False
    return all(k in roles for k in ("level1", "points", "score", "actual")) and (
        "level3" in roles or "level2" in roles)


def find_header(sheet: Sheet):
    return fp.find_indicator_header(sheet, _accept)


def form_kind(sheet: Sheet, header_row: int | None = None) -> str:
    """project-form or department-form, by the title (部门整体 …), else by the fund block's words."""
    title = label(fp.form_title(sheet))
    if "部门整体" in title or "整体支出" in title:
        return DEPARTMENT
    if "项目" in title:
        return PROJECT
    upto = header_row if header_row is not None else min(fp.HEADER_SCAN_ROWS, sheet.nrows)
    for r in range(min(upto, sheet.nrows)):
        for t in sheet.row_texts(r):
            lt = label(t)
            if lt.startswith("部门资金") or lt.startswith("单位资金") or "基本支出" in lt:
                return DEPARTMENT
    return PROJECT


def is_points_form(sheet: Sheet) -> bool:
    return find_header(sheet) is not None


def detect(sheet: Sheet) -> bool:
    found = find_header(sheet)
    return found is not None and form_kind(sheet, found[0]) == PROJECT


# ---------------------------------------------------------------- reading

#: the fund block's figures: what a message calls each, and how a value is read (amount unless said)
_FUND_WHAT = {"initial": "年初预算数", "adjust": "调整数", "budget": "全年预算数", "execution": "全年执行数",
              "points": "分值", "rate": "执行率", "score": "得分"}
_FUND_KIND = {"rate": "rate", "points": "score", "score": "score"}


def _find_fund_header(sheet: Sheet, upto: int):
    """The fund block's header row (the table model's find_header, one row, above the indicator table)
    and its columns as spans."""
    band = T.find_header(sheet, FUND_ROLE_WORDS, ("budget", "execution"), scan_rows=upto, max_depth=1)
    if band is None:
        return None
    return band.top, {k: fp.Column(*band.span(k), band.labels[k], band.label_cells[k]) for k in band.columns}


def _fund_label(sheet: Sheet, r: int, amount_col: int, block_label: str) -> Text:
    parts, cell = [], None
    for c in range(min(amount_col, sheet.ncols)):
        ar, ac = sheet.anchor(r, c)
        if ac != c:
            continue
        t = sheet.text(r, c)
        if not t or t == block_label:
            continue
        parts.append(t)
        if cell is None:
            cell = Cell(sheet.name, ar, ac)
    return Text(cell or Cell(sheet.name, r, 0), " ".join(parts))


def _classify_fund_label(text: str) -> str | None:
    t = label(text)
    if not t:
        return None
    if any(w in t for w in _TOTAL_FUND_WORDS) and "其中" not in t:
        return "total"
    if any(w in t for w in _SUB_FUND_WORDS):
        return "part"
    return None


def _read_fund(sheet: Sheet, indicator_header: int) -> FundBlock | None:
    found = _find_fund_header(sheet, indicator_header)
    if found is None:
        return None
    hr, cols = found
    amount_col = min(cols[k].c0 for k in ("initial", "adjust", "budget", "execution") if k in cols)
    block_label = ""
    block_cell = Cell(sheet.name, hr, 0)
    for c in range(amount_col):
        t = sheet.text(hr, c)
        if t:
            block_label, block_cell = t, Cell(sheet.name, *sheet.anchor(hr, c))
            break
    rate_label = cols["rate"].text if "rate" in cols else ""
    rate_percent = "%" in label(rate_label)
    end = indicator_header
    for r in range(hr + 1, indicator_header):
        if any(any(w in label(t) for w in _BLOCK_END_WORDS) for t in sheet.row_texts(r)):
            end = r
            break
    end = min(end, hr + 1 + 10)
    raw_rows = []
    for r in range(hr + 1, end):
        lab = _fund_label(sheet, r, amount_col, block_label)
        nums = {}
        for key, what in _FUND_WHAT.items():
            nums[key] = fp.span_num(sheet, r, cols[key].span, what, kind=_FUND_KIND.get(key, "amount"),
                                    percent_units=rate_percent) if key in cols else None
        raw_rows.append((r, lab, nums))
    # Drop blank rows, but keep one row when the whole block is blank (the form was left empty).
    filled = [x for x in raw_rows if x[1].value or any(n is not None and n.state != "empty" for n in x[2].values())]
    if not filled and raw_rows:
        filled = raw_rows[:1]
    rows = []
    for r, lab, nums in filled:
        cls = _classify_fund_label(lab.value)
        rows.append((cls, FundRow(row=r, label=lab, recognised=cls is not None, initial=nums["initial"],
                                  budget=nums["budget"], execution=nums["execution"], points=nums["points"],
                                  rate=nums["rate"], score=nums["score"], adjust=nums["adjust"])))
    total = next((row for cls, row in rows if cls == "total"), None)
    if total is None and rows:
        total = rows[0][1]  # labels not recognisable: the first row under the header is the total
    parts = tuple(row for _, row in rows if row is not total)
    return FundBlock(header_row=hr, label=Text(block_cell, block_label), columns=cols, total=total, parts=parts,
                     rate_percent_units=rate_percent)


def _fund_role(text: str):
    """The fund role of a label cell (年初预算数（万元）, 执行率 …); None for a value or another label."""
    if not text or parse_number(text).value is not None or len(label(text)) > 16:
        return None
    return T.match(text, FUND_ROLE_WORDS)


def _read_fund_pairs(sheet: Sheet, upto: int) -> FundBlock | None:
    """A fund block written as label | value pairs instead of the Ministry's grid (年初预算数（万元）| 120 |
    全年预算数（万元）| 150 | 全年执行数（万元）| 138, then 执行率 | 92% | 分值 | 10 | 得分 | 9.2): each label's value is
    the cell right of it (or below it), found by the table model's ``value_slot``; a value slot left empty is
    the cell beside the label. Read as the block's one row, 项目资金; None without both 全年预算数 and 全年执行数."""
    found: dict[str, tuple[int, int, str]] = {}
    for r in range(min(upto, sheet.nrows)):
        for c in range(sheet.ncols):
            if sheet.anchor(r, c) != (r, c):
                continue
            text = sheet.text(r, c)
            role = _fund_role(text)
            if role is not None and role.name not in found:
                found[role.name] = (r, c, text)
    if "budget" not in found or "execution" not in found:
        return None
    rate_percent = "rate" in found and "%" in label(found["rate"][2])
    nums: dict[str, Num | None] = {}
    for key, what in _FUND_WHAT.items():
        if key not in found:
            nums[key] = None
            continue
        r, c, _ = found[key]
        (vr, vc), _ = T.value_slot(sheet, r, c, lambda t: _fund_role(t) is not None)
        nums[key] = fp.span_num(sheet, vr, (vc, vc), what, kind=_FUND_KIND.get(key, "amount"),
                                percent_units=rate_percent)
    first = min((found[k][0], found[k][1]) for k in found)
    cols = {k: fp.Column(c, c, text, Cell(sheet.name, r, c)) for k, (r, c, text) in found.items()}
    total = FundRow(row=found["budget"][0], label=Text(Cell(sheet.name, *first), "项目资金"), recognised=True,
                    initial=nums["initial"], budget=nums["budget"], execution=nums["execution"], points=nums["points"],
                    rate=nums["rate"], score=nums["score"], adjust=nums["adjust"])
    return FundBlock(header_row=first[0], label=Text(Cell(sheet.name, *first), ""), columns=cols, total=total, parts=(),
                     rate_percent_units=rate_percent)


def read(sheet: Sheet) -> PointsForm:
    found = find_header(sheet)
    if found is None:
        raise ValueError("not a points-layout self-evaluation form")
    hr, two, cols = found
    first = hr + (2 if two else 1)
    indicators, total, last = fp.read_indicators(sheet, first, cols, weighted=False)
    fund = _read_fund(sheet, hr) or _read_fund_pairs(sheet, hr)
    upto = fund.header_row if fund is not None else hr
    unit, unit_source = fp.form_unit(sheet, hr)
    name = fp.find_heading(sheet, fp.NAME_LABELS, upto)
    grade = fp.find_stated_grade(sheet, (total.row if total else last), (total.row if total else last) + 4)
    return PointsForm(
        sheet=sheet.name, kind=form_kind(sheet, hr), title=fp.form_title(sheet), year=fp.form_year(sheet, hr),
        project_name=name, department=fp.find_heading(sheet, fp.DEPARTMENT_LABELS, upto),
        implementing_unit=fp.find_heading(sheet, fp.IMPL_LABELS, upto), unit=unit, unit_source=unit_source,
        fund=fund, header_rows=(hr, hr + (1 if two else 0)), columns=cols, indicators=indicators, total=total,
        stated_grade=grade, last_col=max(c.c1 for c in cols.values()),
    )


def below(sheet: Sheet, form: PointsForm) -> list[PointsForm]:
    """Forms of the same kind stacked under ``form`` on the same sheet (some systems export several
    projects' forms one under another), each read as if it stood alone from the row after the previous
    one's 总分 (or last indicator) row, its positions then put back where they are on the sheet."""
    out: list[PointsForm] = []
    current = form
    while True:
        rows = [i.row for i in current.indicators] + ([current.total.row] if current.total else [])
        top = max(rows, default=-1) + 1
        if top == 0 or top >= sheet.nrows:
            return out
        view = T.rows_from(sheet, top)
        found = find_header(view)
        if found is None:
            return out
        title = _title_row(view, found[0])  # it starts at its title: the rows before it close the form above
        if title:
            top += title
            view = T.rows_from(sheet, top)
            found = find_header(view)
        if found is None or form_kind(view, found[0]) != form.kind:
            return out
        current = T.shift_rows(read(view), top)
        out.append(current)


def _title_row(sheet: Sheet, header_row: int) -> int:
    """The last row above ``header_row`` holding a form's title (…绩效自评表), or 0."""
    for r in range(header_row - 1, 0, -1):
        if any("自评表" in lt and len(lt) <= 40 for lt in (label(t) for t in sheet.row_texts(r) if t)):
            return r
    return 0


# ---------------------------------------------------------------- derived figures

def _v(n: Num | None) -> float | None:
    return n.value if n is not None and n.value is not None else None


def execution_rate(form: PointsForm, profile) -> float | None:
    t = form.fund.total if form.fund else None
    if t is None:
        return None
    return rate_of(_v(t.budget), _v(t.execution), profile.zero_budget_rate)


def execution_points(form: PointsForm, profile) -> float:
    """The execution rate's 分值: as stated in the fund block, else the profile's."""
    t = form.fund.total if form.fund else None
    if t is not None and _v(t.points) is not None:
        return t.points.value
    exec_rows = [i for i in form.indicators if i.is_execution and _v(i.points) is not None]
    if exec_rows:
        return exec_rows[0].points.value
    return profile.execution_points


def expected_execution_score(form: PointsForm, profile) -> float | None:
    return execution_score_of(execution_rate(form, profile), execution_points(form, profile), profile)


def execution_score_of(rate: float | None, pts: float, profile) -> float | None:
    """The execution score a points form gives ``rate`` on ``pts`` 分值 under ``profile``."""
    if rate is None:
        return None
    if profile.execution_rule == "weighted":  # a points form under a weighted profile: proportional
        return min(max(rate, 0.0), 1.0) * pts
    return profile.execution_score(rate, points=pts)


def stated_execution_score(form: PointsForm) -> Num | None:
    t = form.fund.total if form.fund else None
    if t is not None and t.score is not None and t.score.value is not None:
        return t.score
    return None


def execution_score_cell(form: PointsForm) -> tuple[Num | None, str]:
    """Where the execution score is stated: the fund block's 得分, else a 预算执行率 row in the table."""
    t = form.fund.total if form.fund else None
    if t is not None and t.score is not None and t.score.state != "empty":
        return t.score, "fund"
    row = next((i for i in form.indicators if i.is_execution), None)
    if row is not None:
        return row.score, "table"
    return (t.score if t is not None else None), "fund"


def points_sum(form: PointsForm, profile) -> tuple[float, float, float]:
    """(indicator 分值 sum, execution 分值, total)."""
    ind = sum(_v(i.points) or 0.0 for i in form.indicators)
    t = form.fund.total if form.fund else None
    exec_pts = _v(t.points) if t is not None else None
    if exec_pts is None:
        exec_pts = 0.0
    return ind, exec_pts, ind + exec_pts


def score_sum(form: PointsForm, profile) -> tuple[float, float | None, float]:
    """(indicator 得分 sum, execution 得分 used, total). The execution score is the stated one, or the
    recomputed one when the form leaves it empty; a 预算执行率 row inside the table is already in the sum."""
    ind = sum(_v(i.score) or 0.0 for i in form.indicators)
    if any(i.is_execution for i in form.indicators):
        return ind, 0.0, ind
    st = stated_execution_score(form)
    ex = st.value if st is not None else expected_execution_score(form, profile)
    return ind, ex, ind + (ex or 0.0)


def results(form: PointsForm, profile) -> dict:
    t = form.fund.total if form.fund else None
    rate = execution_rate(form, profile)
    exp_exec = expected_execution_score(form, profile)
    _, _, total = score_sum(form, profile)
    stated = _v(form.total.score) if form.total else None
    _, _, pts_total = points_sum(form, profile)
    return {
        "project_name": form.project_name.value if form.project_name else None,
        "department": form.department.value if form.department else None,
        "implementing_unit": form.implementing_unit.value if form.implementing_unit else None,
        "year": form.year,
        "unit": form.unit,
        "budget_initial": _v(t.initial) if t is not None else None,
        "budget": _v(t.budget) if t is not None else None,
        "execution": _v(t.execution) if t is not None else None,
        "execution_rate": round(rate, 4) if rate is not None else None,
        "execution_score": round(exp_exec, 2) if exp_exec is not None else None,
        "indicator_count": len(form.indicators),
        "points_total": round(pts_total, 2),
        "stated_total": stated,
        "total_score": round(total, 2),
        "grade": profile.bands("form").grade(round(total, 2)),
    }


def review_columns(form: PointsForm, profile):
    """得分（复核）: the highest score the numbers allow for each indicator, and the recomputed total."""
    from xltool.report.review import ReviewColumn

    vals: dict[int, float] = {}
    for ind in form.scored:
        full = _v(ind.points)
        if full is None:
            continue
        allowed = fp.allowed_score(ind.target.value, ind.actual.value, full, level2=ind.level2.value)
        if allowed is not None:
            vals[ind.row] = round(allowed.max_score, 2)
            continue
        band = fp.achievement(ind.actual.value, profile.qualitative)
        if band is not None:
            vals[ind.row] = round(band[2] * full, 2)
    if form.total is not None:
        vals[form.total.row] = round(score_sum(form, profile)[2], 2)
    if not vals:
        return None
    return form.header_rows, form.last_col, [ReviewColumn("得分（复核）", vals, "0.##")]


def reconcile_fields(form: PointsForm) -> dict:
    """What a summary table row is compared with (``xltool.reconcile``): name, amounts, stated total."""
    t = form.fund.total if form.fund else None
    return {
        "name": form.project_name,
        "budget": t.budget if t is not None else None,
        "execution": t.execution if t is not None else None,
        "score": form.total.score if form.total is not None else None,
        "unit": form.unit,
    }
