"""部门绩效自评结果公开汇总表 — the project summary table (DOMAIN.md §1 A).

One row per project under a header recognised by its labels anywhere in the first 30 rows; columns
in any order; a header may be split over two rows (a merged parent such as 资金情况（元） above
预算数 / 执行数 / 执行率); a 合计/总计 row is the totals row.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from xltool.cells import Cell, Num, Text
from xltool.io.book import Sheet
from xltool.kinds.common import find_unit, is_note, is_total, label, match_role, num_at, text_at, years_in

NAME = "summary"
TITLE = "部门绩效自评结果公开汇总表"
RULES_MODULE = "xltool.rules.summary"

HEADER_SCAN_ROWS = 30

# (role, words) in matching order: the first role whose word occurs in a label wins.
ROLE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("seq", ("序号", "编号")),
    ("returned", ("交回",)),
    ("balance", ("结余", "结转")),
    ("rate", ("执行率", "执行进度", "支出进度")),
    ("opinion", ("意见", "应用")),
    ("grade", ("等级", "评价结果", "评定结果")),
    ("score", ("得分", "自评分", "评分", "分数")),
    ("budget_initial", ("年初预算",)),
    ("budget", ("预算", "批复数", "安排数")),
    ("execution", ("执行数", "执行金额", "实际支出", "支出数", "执行")),
    ("impl", ("实施单位", "责任单位", "单位名称")),
    ("name", ("项目名称", "项目")),
)
ROLE_CN = {
    "seq": "序号", "name": "项目名称", "impl": "项目实施单位", "budget": "预算数", "budget_initial": "年初预算数",
    "execution": "执行数", "rate": "执行率", "balance": "结余数", "returned": "结余交回财政数",
    "score": "自评得分", "grade": "评价等级", "opinion": "自评结果应用意见",
}
REQUIRED = ("name", "budget", "execution")
# Labels that belong to the project forms, never to this table's header.
_FORM_WORDS = ("分值", "一级指标", "年度总体目标", "权重")


def role_of(text: str) -> str | None:
    return match_role(text, ROLE_WORDS)


@dataclass(frozen=True)
class SummaryRow:
    row: int  # 0-based sheet row
    seq: Text
    name: Text
    impl: Text | None
    budget: Num
    execution: Num
    rate: Num | None
    balance: Num | None
    returned: Num | None
    score: Num | None
    grade: Text | None
    opinion: Text | None


@dataclass(frozen=True)
class SummaryTable:
    sheet: str
    header_rows: tuple[int, int]  # first and last header row, 0-based
    columns: dict[str, int]  # role → 0-based column
    labels: dict[str, str]  # role → header text as written
    label_cells: dict[str, Cell]
    unit: str  # "万元" or "元"
    unit_source: str
    rate_percent_units: bool
    rows: tuple[SummaryRow, ...]
    total: SummaryRow | None
    year: int | None  # the report's year, from the title or the project names
    last_col: int  # rightmost column of the table (0-based)
    title: str


def _header_roles(sheet: Sheet, r: int, two_rows: bool) -> dict[str, tuple[int, str]]:
    found: dict[str, tuple[int, str]] = {}
    for c in range(sheet.ncols):
        top = sheet.text(r, c)
        text = top
        if two_rows:
            below = sheet.text(r + 1, c)
            if below and below != top:
                text = top + below if top else below
        role = role_of(text)
        if role is None:
            continue
        if role in found:
            # Prefer the adjusted/full-year budget column over another budget-like one.
            if role == "budget" and any(w in label(text) for w in ("调整后", "全年")):
                found[role] = (c, text)
            continue
        found[role] = (c, text)
    return found


def _find_header(sheet: Sheet):
    best = None
    for r in range(min(HEADER_SCAN_ROWS, sheet.nrows)):
        texts = [label(t) for t in sheet.row_texts(r)]
        if any(w in t for t in texts for w in _FORM_WORDS):
            continue
        single = _header_roles(sheet, r, False)
        if len(single) < 2:  # a title or a "单位：万元" line, not a header's top row
            continue
        for two in (False, True):
            roles = single if not two else _header_roles(sheet, r, True)
            if not all(k in roles for k in REQUIRED):
                continue
            score = len(roles) + (0 if not two else -0.5)
            if best is None or score > best[0]:
                best = (score, r, two, roles)
        if best is not None and best[1] == r:
            break
    return best


def detect(sheet: Sheet) -> bool:
    return _find_header(sheet) is not None


def _looks_like_header_again(sheet: Sheet, r: int, columns: dict[str, int]) -> bool:
    return role_of(sheet.text(r, columns["name"])) == "name" and role_of(sheet.text(r, columns["budget"])) == "budget"


def read(sheet: Sheet) -> SummaryTable:
    found = _find_header(sheet)
    if found is None:
        raise ValueError("not a summary table")
    _, hr, two, roles = found
    header_end = hr + (1 if two else 0)
    columns = {k: v[0] for k, v in roles.items()}
    labels = {k: v[1] for k, v in roles.items()}
    label_cells = {k: Cell(sheet.name, header_end if two and sheet.text(header_end, v[0]) else hr, v[0])
                   for k, v in roles.items()}
    above = [" ".join(t for t in sheet.row_texts(r) if t) for r in range(hr)]
    unit, unit_source = find_unit(above + [v[1] for v in roles.values()])
    if unit is None:
        unit, unit_source = "万元", "未注明，按万元"
    rate_label = labels.get("rate", "")
    rate_percent = "%" in label(rate_label)
    title = next((t for t in above if t), "")

    rows: list[SummaryRow] = []
    total: SummaryRow | None = None
    blanks = 0
    last_col = max(columns.values())
    for r in range(header_end + 1, sheet.nrows):
        texts = [sheet.text(r, c) for c in range(sheet.ncols)]
        if not any(texts):
            blanks += 1
            if blanks >= 5:
                break
            continue
        blanks = 0
        first = next(t for t in texts if t)
        key_texts = [sheet.text(r, columns[k]) for k in ("seq", "name") if k in columns]
        if any(is_total(t) for t in key_texts) or is_total(first):
            total = _row(sheet, r, columns, rate_percent)
            break
        if is_note(first):
            break
        if _looks_like_header_again(sheet, r, columns):
            continue
        name = sheet.text(r, columns["name"])
        amounts = [sheet.text(r, columns[k]) for k in ("budget", "execution") if k in columns]
        if not name and not any(amounts):
            continue
        rows.append(_row(sheet, r, columns, rate_percent))

    year = _report_year(title, rows)
    return SummaryTable(
        sheet=sheet.name, header_rows=(hr, header_end), columns=columns, labels=labels,
        label_cells=label_cells, unit=unit, unit_source=unit_source, rate_percent_units=rate_percent,
        rows=tuple(rows), total=total, year=year, last_col=last_col, title=title,
    )


def _row(sheet: Sheet, r: int, columns: dict[str, int], rate_percent: bool) -> SummaryRow:
    def num(role: str, kind: str = "amount") -> Num | None:
        if role not in columns:
            return None
        return num_at(sheet, r, columns[role], ROLE_CN[role], kind=kind, percent_units=rate_percent)

    def text(role: str) -> Text | None:
        return text_at(sheet, r, columns[role]) if role in columns else None

    return SummaryRow(
        row=r,
        seq=text("seq") or Text(Cell(sheet.name, r, 0), ""),
        name=text_at(sheet, r, columns["name"]),
        impl=text("impl"),
        budget=num("budget"),
        execution=num("execution"),
        rate=num("rate", "rate"),
        balance=num("balance"),
        returned=num("returned"),
        score=num("score", "score"),
        grade=text("grade"),
        opinion=text("opinion"),
    )


def _report_year(title: str, rows) -> int | None:
    ys = years_in(title)
    if ys:
        return ys[0]
    counts = Counter(y for row in rows for y in years_in(row.name.value)[:1])
    if counts and rows:
        year, n = counts.most_common(1)[0]
        if n * 2 >= len(rows):
            return year
    return None


# ---------------------------------------------------------------- derived figures

def rate_of(budget: float | None, execution: float | None, zero_budget_rate: float = 0.0) -> float | None:
    if budget is None or execution is None:
        return None
    if budget == 0:
        return zero_budget_rate if execution == 0 else None
    return execution / budget


def results(table: SummaryTable, profile) -> dict:
    """The unit's results: counts, totals, overall rate, mean score and its grade."""
    budgets = [r.budget.value for r in table.rows if r.budget.value is not None]
    execs = [r.execution.value for r in table.rows if r.execution.value is not None]
    scores = [r.score.value for r in table.rows if r.score is not None and r.score.value is not None]
    bt, et = sum(budgets), sum(execs)
    mean = sum(scores) / len(scores) if scores else None
    rate = rate_of(bt, et, profile.zero_budget_rate) if table.rows else None
    return {
        "unit": table.unit,
        "project_count": len(table.rows),
        "budget_total": round(bt, 2),
        "execution_total": round(et, 2),
        "execution_rate": round(rate, 4) if rate is not None else None,
        "overall_score": round(mean, 2) if mean is not None else None,
        "overall_grade": profile.bands("summary").grade(round(mean, 2)) if mean is not None else None,
    }


def review_columns(table: SummaryTable, profile):
    """Recomputed columns written to the right of the table in the annotated copy."""
    from xltool.report.review import ReviewColumn

    rate_vals, bal_vals, grade_vals = {}, {}, {}
    bands = profile.bands("summary")
    for row in list(table.rows) + ([table.total] if table.total else []):
        rate = rate_of(row.budget.value, row.execution.value, profile.zero_budget_rate)
        if rate is not None:
            rate_vals[row.row] = rate
        if row.budget.value is not None and row.execution.value is not None:
            bal_vals[row.row] = round(row.budget.value - row.execution.value, 6)
        if row is not table.total and row.score is not None and row.score.value is not None:
            grade_vals[row.row] = bands.grade(row.score.value)
    cols = [
        ReviewColumn("执行率（复核）", rate_vals, "0.00%"),
        ReviewColumn("结余数（复核）", bal_vals, "#,##0.00####"),
    ]
    if grade_vals:
        cols.append(ReviewColumn("等级（复核）", grade_vals, None))
    return table.header_rows, table.last_col, cols
