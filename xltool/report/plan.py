"""The marking plan: every change the annotated copy makes, decided once.

``build(report, book, profile)`` turns a checked file into a :class:`Plan`: which cells are marked and
with which fill, the text of their notes, the recomputed ("复核") columns (header, values, number format,
width, header merge) and, at write time, the cells of the first sheet 核查结果. The two writers —
``xltool.report.xlsxfast`` (package level, streaming) and ``xltool.report.annotate`` (openpyxl) — only
write a plan; neither decides anything of its own, and neither imports the other.

Looks are described by :class:`Style` (a frozen, hashable value): a writer turns each distinct style into
its own format once.

To extend the findings sheet (a summary block, more columns): change :meth:`Plan.findings_sheet` — both
writers follow, the parity test in ``tests/test_xlsxfast.py`` keeps them equal.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from xltool.findings import ERROR, INFO, SEVERITY_CN, WARNING

FILL = {ERROR: "FFC7CE", WARNING: "FFEB9C", INFO: "DDEBF7"}
FIXED = "fixed"  # the mark of a cell the corrected copy (--fix) changed
FIXED_FILL = "E2EFDA"  # light green
REVIEW_HEADER_FILL = "BDD7EE"
REVIEW_FILL = "EAF1FB"
REVIEW_BORDER = "8EA9DB"
REVIEW_WIDTH = 15
SHEET_NAME = "核查结果"
MARKER = "xltool-annotated"
NOTE_AUTHOR = "xltool"
NOTE_WIDTH = 320  # px
NOTE_SEPARATOR = "\n—— xltool ——\n"  # between a cell's own note and ours
NOTE_MAX = 30000

RESULT_LABELS = {
    "unit": "金额单位",
    "unit_note": "金额单位说明",
    "project_count": "项目个数",
    "budget_total": "预算数合计",
    "execution_total": "执行数合计",
    "execution_rate": "总体执行率",
    "overall_score": "整体得分（项目得分平均）",
    "overall_grade": "整体等级",
    "execution_score": "执行率得分",
    "total_score": "总分",
    "grade": "等级",
    "full_score": "满分",
    "converted_score": "换算得分",
    "weight_total": "权重合计",
    "stated_total": "表中所填合计得分",
    # self-evaluation forms (xltool/kinds/form.py, weighted_form.py)
    "project_name": "项目（单位）名称",
    "department": "主管部门",
    "implementing_unit": "实施单位",
    "year": "年度",
    "budget_initial": "年初预算数",
    "budget": "全年预算数（调整后）",
    "arrived": "到位数",
    "execution": "全年执行数",
    "execution_item_score": "预算执行率单项得分（执行率×100）",
    "indicator_count": "绩效指标个数",
    "points_total": "分值合计",
}


@dataclass(frozen=True)
class Style:
    """The look of a cell the copy writes or marks (None: keep / default)."""

    bold: bool = False
    size: int | None = None
    color: str | None = None  # font colour, RRGGBB
    underline: bool = False
    fill: str | None = None  # solid fill, RRGGBB
    border: str | None = None  # thin border on four sides, RRGGBB
    numfmt: str | None = None
    halign: str | None = None
    valign: str | None = None
    wrap: bool = False

    @property
    def has_font(self) -> bool:
        return self.bold or self.size is not None or self.color is not None or self.underline

    @property
    def has_alignment(self) -> bool:
        return self.halign is not None or self.valign is not None or self.wrap


PLAIN = Style()
TITLE = Style(bold=True, size=14)
BOLD = Style(bold=True)
PERCENT = Style(numfmt="0.00%")
TABLE_HEAD = Style(bold=True, color="FFFFFF", fill="305496", halign="center", valign="center")
LINK = Style(color="0563C1", underline=True)
WRAP = Style(valign="top", wrap=True)
REVIEW_HEAD = Style(bold=True, color="1F3864", fill=REVIEW_HEADER_FILL, border=REVIEW_BORDER, halign="center",
                    valign="center", wrap=True)
SEVERITY_STYLE = {sev: Style(fill=rgb) for sev, rgb in FILL.items()}


def review_style(number_format: str | None) -> Style:
    return Style(fill=REVIEW_FILL, border=REVIEW_BORDER, numfmt=number_format)


@dataclass
class Mark:
    """A marked cell: its fill and the text xltool adds to its note."""

    severity: str
    text: str

    @property
    def fill(self) -> str:
        return FIXED_FILL if self.severity == FIXED else FILL[self.severity]

    def note(self, existing: str | None = None) -> str:
        """The cell's note: its own note, if any, then ours."""
        text = self.text
        if existing and existing.strip():
            text = existing.rstrip() + NOTE_SEPARATOR + text
        return text[:NOTE_MAX]


def note_height(text: str) -> int:
    """Height in px of the note box showing ``text``."""
    lines = text.count("【")
    return max(90, 40 * max(lines, 1) + 20 * (len(text) // 40))


@dataclass
class Column:
    """A recomputed column beside a table (0-based sheet coordinates)."""

    col: int
    title: str
    header: tuple[int, int]  # first and last header row: merged when they differ
    values: dict[int, Any]  # row → value
    style: Style
    width: float = REVIEW_WIDTH


@dataclass(frozen=True)
class Replacement:
    """A cell of the corrected copy that gets a new content: ``value`` (the recomputed value; the cached value
    when ``formula`` is given), or with ``keep_value`` only its formula (a shared formula's dependant written
    out because its master changed)."""

    value: Any = None
    formula: str | None = None  # without "="
    keep_value: bool = False


@dataclass
class SheetPlan:
    marks: dict[tuple[int, int], Mark] = field(default_factory=dict)
    columns: list[Column] = field(default_factory=list)
    values: dict[tuple[int, int], Replacement] = field(default_factory=dict)  # the corrected copy only
    plain_cols: int | None = None  # the sheet's ``plain_cols`` (io.book.Sheet): every cell plainly left of it
    rowmap: Any = None  # the sheet's ``rowmap`` (io.rowmap.RowMap): where its part's rows start

    def cells(self) -> dict[tuple[int, int], tuple[Any, Style]]:
        """Every cell the plan writes on this sheet: (row, col) → (value, style)."""
        out: dict[tuple[int, int], tuple[Any, Style]] = {}
        for col in self.columns:
            out[(col.header[0], col.col)] = (col.title, REVIEW_HEAD)
            for r, v in col.values.items():
                out[(r, col.col)] = (v, col.style)
        return out

    @property
    def merges(self) -> list[tuple[int, int, int, int]]:
        return [(c.header[0], c.col, c.header[1], c.col) for c in self.columns if c.header[1] > c.header[0]]

    @property
    def widths(self) -> dict[int, float]:
        return {c.col: c.width for c in self.columns}


@dataclass
class FindingsSheet:
    title: str
    cells: dict[tuple[int, int], tuple[Any, Style]]  # 0-based
    links: list[tuple[int, int, str]]  # row, col, "'Sheet'!A1"
    first: int  # 0-based row of the table header
    last: int  # 0-based last row
    ncols: int
    has_findings: bool
    widths: dict[int, float]


@dataclass
class Plan:
    report: Any
    profile: Any
    sheets: dict[str, SheetPlan] = field(default_factory=dict)
    correction: Any = None  # the corrected copy's ``xltool.report.fix.Correction``

    def findings_sheet(self, sheetnames) -> FindingsSheet:
        """The 核查结果 sheet for a workbook holding ``sheetnames`` (read the report's notes as they are now)."""
        return _findings_sheet(self.report, self.profile, list(sheetnames), self.correction)

    @property
    def has_values(self) -> bool:
        return any(sp.values for sp in self.sheets.values())

    @property
    def has_formulas(self) -> bool:
        return any(r.formula for sp in self.sheets.values() for r in sp.values.values())


# ------------------------------------------------------------------ deciding


def build(report, book, profile, columns: bool = True) -> Plan:
    """The plan of the annotated copy of a checked file (``book``: its values, for merged ranges and widths).
    ``columns``: with the recomputed ("复核") columns."""
    plan = Plan(report, profile)
    by_cell = defaultdict(list)
    for f in report.findings:
        if f.sheet is not None and f.row is not None and f.col is not None:
            by_cell[(f.sheet, f.row, f.col)].append(f)
    sheets = {s.name: s for s in book.sheets} if book is not None else {}
    for (name, r, c), fs in by_cell.items():
        worst = min(fs, key=lambda f: {ERROR: 0, WARNING: 1}.get(f.severity, 2)).severity
        if worst not in (ERROR, WARNING):
            continue  # info findings are listed on 核查结果 only
        sheet = sheets.get(name)
        ar, ac = sheet.anchor(r, c) if sheet is not None else (r, c)
        text = "\n".join(f"【{SEVERITY_CN[f.severity]}】{f.message}（规则 {f.rule}）" for f in fs)
        sp = plan.sheets.setdefault(name, SheetPlan())
        old = sp.marks.get((ar, ac))
        sp.marks[(ar, ac)] = Mark(_worse(worst, old.severity) if old else worst,
                                  (old.text + "\n" + text) if old else text)
    for s in report.kinds if columns else ():
        if s.module is None or not hasattr(s.module, "review_columns") or s.name not in sheets:
            continue
        spec = s.module.review_columns(s.record, profile)
        if not spec:
            continue
        (h0, h1), last_col, cols = spec
        start = max(last_col + 1, sheets[s.name].ncols)  # one column after the table
        sp = plan.sheets.setdefault(s.name, SheetPlan())
        for i, col in enumerate(cols):
            values, numfmt = at_form_precision(s.record, profile, col)
            sp.columns.append(Column(start + i, col.title, (h0, h1), values, review_style(numfmt)))
    for name, sp in plan.sheets.items():
        if name in sheets:
            sp.plain_cols = sheets[name].plain_cols
            sp.rowmap = sheets[name].rowmap
    return plan


def build_corrected(correction, book, profile) -> Plan:
    """The plan of the corrected copy (``--fix``): the corrected cells get their new content, a green fill and a
    note saying what they held; what remains is marked as in the annotated copy (no recomputed columns: the
    copy is meant to be handed in)."""
    plan = build(correction.report, book, profile, columns=False)
    plan.correction = correction
    for f in correction.fixes:
        sp = plan.sheets.setdefault(f.sheet, SheetPlan())
        sp.values[(f.row, f.col)] = Replacement(f.value, f.formula)
        old = sp.marks.get((f.row, f.col))
        text = fixed_note(f) + ("\n" + old.text if old else "")
        sp.marks[(f.row, f.col)] = Mark(FIXED, text)
    for name, cells in correction.explicit.items():
        sp = plan.sheets.setdefault(name, SheetPlan())
        for pos, formula in cells.items():
            sp.values.setdefault(pos, Replacement(None, formula, keep_value=True))
    return plan


def shown(v) -> str:
    """A cell's value as a note says it."""
    from xltool.precision import fmt

    if v is None or v == "":
        return "（空）"
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, float)):
        return fmt(float(v), 6)
    return str(v)


def fixed_note(f) -> str:
    """The note of a corrected cell: what it held, why it changed, what it holds now."""
    was = shown(f.was) + (f"（公式 ={f.was_formula}）" if f.was_formula else "")
    now = f"公式 ={f.formula}（结果 {shown(f.value)}）" if f.formula else shown(f.value)
    return f"【已更正】原填 {was}；{f.why.rstrip('。')}。已改为 {now}（规则 {f.rule}）"


def _numfmt(decimals: int, thousands: bool) -> str:
    return ("#,##0" if thousands else "0") + ("." + "0" * decimals if decimals else "")


def _written_decimals(nums) -> int:
    return max((n.decimals for n in nums if n is not None and n.value is not None), default=0)


def at_form_precision(record, profile, col) -> tuple[dict[int, Any], str | None]:
    """A recomputed column's values and number format at the precision the form itself uses (the values stay
    exact: the format rounds what is shown).

    结余数（复核）: the balance column's written decimals, at least the profile's amount decimals (2: 26.25, not
    26.248); 折算得分（复核）: the weighted scores' written decimals, at least the score decimals (7.5 beside a form
    writing 7.5); 等级（复核）: the grade words the form writes (优秀 beside 优秀, 优 beside 优)."""
    values, numfmt = dict(col.values), col.number_format
    tol = profile.tolerance
    if col.title == "结余数（复核）":
        bal = getattr(record, "cols", {}).get("balance")
        dec = bal.max_decimals(tol.amount_decimals) if bal else tol.amount_decimals
        dec = min(dec, 6)
        return values, _numfmt(dec, True)
    if col.title == "折算得分（复核）":
        inds = getattr(record, "indicators", ())
        total = getattr(record, "total", None)
        dec = max(tol.score_decimals, _written_decimals([i.weighted for i in inds]),
                  _written_decimals([total.score] if total is not None else []))
        dec = min(dec, 4)
        return values, _numfmt(dec, False)
    if col.title == "得分（复核）" and hasattr(record, "scored"):
        return {**_why_blank(record), **values}, numfmt
    if col.title == "等级（复核）" and hasattr(record, "text_list"):
        style = _form_grade_style(record.text_list("grade"))
        spelled = {w: style(w) for w in set(values.values())}  # a few words over many rows: each spelled once
        return {r: spelled[v] for r, v in values.items()}, numfmt
    return values, numfmt


QUALITATIVE = "定性指标"
_NONE = object()


def _why_blank(record) -> dict[int, str]:
    """Rows of a points form left blank in 得分（复核） because the indicator is qualitative (no figure in its
    target or its actual, and an actual not worded as one of the three bands): "定性指标"."""
    from xltool.kinds import formparts as fp

    out = {}
    for ind in record.scored:
        if ind.points is None or ind.points.value is None:
            continue
        if fp.parse_target(ind.target.value or "").value is None and fp.parse_target(ind.actual.value or "").value is None:
            out[ind.row] = QUALITATIVE
    return out


def _form_grade_style(written: list[str]):
    """A function spelling a grade word as the form spells its grades (优秀 / 优), when the form shows which;
    the form's grade words are looked at once, not once per row."""
    from xltool.grades import GRADE_GROUPS, grade_group
    from xltool.kinds.common import label

    seen = {}
    for w in dict.fromkeys(map(label, dict.fromkeys(written))):  # the first spelling of each grade written wins
        gw = grade_group(w)
        if gw is not None and w in GRADE_GROUPS[gw]:
            seen.setdefault(gw, w)
    short = bool(seen) and all(len(w) == 1 for w in seen.values())
    pairs = bool(seen) and all(len(w) == 2 for w in seen.values())

    done: dict = {}

    def style(word):
        if isinstance(word, str):
            out = done.get(word, _NONE)
            if out is _NONE:
                out = done[word] = spell(word)
            return out
        return word

    def spell(word):
        g = grade_group(word)
        if g is None:
            return word
        if g in seen:
            return seen[g]
        if short:
            return next(w for w in reversed(GRADE_GROUPS[g]) if len(w) == 1)
        if pairs:
            return next((w for w in GRADE_GROUPS[g] if len(w) == 2), word)
        return word

    return style


def _worse(a: str, b: str) -> str:
    order = {ERROR: 0, WARNING: 1, INFO: 2}
    return a if order.get(a, 3) <= order.get(b, 3) else b


def safe_title(name: str, taken) -> str:
    """A sheet name Excel accepts, not in ``taken``."""
    bad = '[]:*?/\\'
    title = "".join("_" if ch in bad else ch for ch in name)[:31] or "Sheet"
    lower = {t.lower() for t in taken}
    base, n = title, 1
    while title.lower() in lower:
        n += 1
        title = f"{base[:28]}({n})"
    return title


def cell_value(v):
    if v is None:
        return ""
    if isinstance(v, float):
        return round(v, 6)
    return v if isinstance(v, (int, str)) else str(v)


def correction_line(correction) -> str:
    """The corrected copy's status line: how many cells were corrected, how many findings remain."""
    rep = correction.report
    left = f"错误 {rep.errors} 处、提示 {rep.warnings} 处" if (rep.errors or rep.warnings) else "无"
    text = f"已更正 {len(correction.fixes)} 处（绿色）；仍需人工处理：{left}"
    if correction.held:
        cells = "、".join(f.cell for f in correction.held[:8]) + ("等" if len(correction.held) > 8 else "")
        text += (f"。其中 {len(correction.held)} 处计算结果（{cells}）未自动更正：它们所依据的输入数字"
                 "（预算数、执行数、分值等）本身有误，须先由人工改正，再重新核查")
    return text + "。"


def verdict(report) -> str:
    from xltool import status

    e, w = report.errors, report.warnings
    if status.key_of(report) == status.BLANK:
        return "空表：表格尚未填写，未核算。"
    if not e and not w:
        return "未发现错误或提示。"
    return f"发现错误 {e} 处、提示 {w} 处（红色为错误，黄色为提示；点击下表单元格可跳转）。"


# rules whose expected and found figures are amounts (in the table's unit): their gaps add up
AMOUNT_RULES = frozenset({"SUM002", "SUM003", "SUM009", "SUM014", "SUM015", "PF003", "PF019", "WF003",
                          "REC001", "REC002"})
STATUS_STYLE = {"通过": Style(bold=True, fill="C6EFCE"), "有错误": Style(bold=True, fill=FILL[ERROR]),
                "需留意": Style(bold=True, fill=FILL[WARNING]), "空表": Style(bold=True, fill=FILL[WARNING]),
                "无法读取": Style(bold=True, fill=FILL[ERROR])}


def _gap(f) -> float | None:
    e, x = f.expected, f.found
    if isinstance(e, bool) or isinstance(x, bool) or not isinstance(e, (int, float)) or not isinstance(x, (int, float)):
        return None
    return float(e) - float(x)


def fix_first(report) -> list[str]:
    """The "先改这几处" lines: errors and warnings grouped by rule, errors first, the largest amount or count first.

    An amount rule says how much is at stake: the sum of |应为 - 表中值| in the table's unit ("合计少计 1,728.54 万元"
    when every found figure is below the expected one, 多计 when above, 相差 when both)."""
    from xltool.report.catalogue import rule_title

    units = {s.name: (s.results or {}).get("unit") for s in report.sheets}
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for f in report.findings:
        if f.severity in (ERROR, WARNING):
            groups[(f.severity, f.rule)].append(f)
    lines = []
    for (sev, rule), fs in groups.items():
        title = rule_title(rule) or rule
        text = f"【{SEVERITY_CN[sev]}】{title}（{rule}）：{len(fs)} 处"
        at_stake = 0.0
        if rule in AMOUNT_RULES:
            gaps = [g for g in map(_gap, fs) if g is not None]
            at_stake = sum(abs(g) for g in gaps)
            if gaps and at_stake > 0:
                word = "少计" if all(g >= 0 for g in gaps) else "多计" if all(g <= 0 for g in gaps) else "相差"
                unit = next((units.get(f.sheet) for f in fs if isinstance(units.get(f.sheet), str)), None) or ""
                text += f"，合计{word} {at_stake:,.2f}{' ' + unit if unit else ''}"
        lines.append(((0 if sev == ERROR else 1, -at_stake, -len(fs), rule), text))
    return [t for _, t in sorted(lines)]


FINDINGS_HEADERS = ("序号", "级别", "工作表", "单元格", "规则", "规则名称", "问题说明", "表中值", "应为")
FINDINGS_WIDTHS = (10, 14, 18, 10, 9, 24, 70, 16, 16)


FIXES_HEADERS = ("序号", "更正", "工作表", "单元格", "规则", "规则名称", "原来的问题", "原值", "更正为")


def _findings_sheet(report, profile, sheetnames: list[str], correction=None) -> FindingsSheet:
    from functools import lru_cache

    from xltool.report.catalogue import rule_title

    rule_title = lru_cache(maxsize=None)(rule_title)  # thousands of findings, a few rules  # noqa: F811
    title = safe_title(SHEET_NAME, sheetnames)
    cells: dict[tuple[int, int], tuple[Any, Style]] = {}
    links: list[tuple[int, int, str]] = []

    def put(r, c, v, style=PLAIN):
        cells[(r, c)] = (v, style)

    from xltool import status

    put(0, 0, "xltool 更正副本" if correction is not None else "xltool 核查结果", TITLE)
    word = status.word_of(report)
    put(1, 0, "文件", BOLD)
    put(1, 1, report.path)
    put(2, 0, "状态", BOLD)
    put(2, 1, word, STATUS_STYLE.get(word, BOLD))
    r = 3
    if correction is not None:
        put(r, 0, "更正", BOLD)
        put(r, 1, correction_line(correction), Style(bold=True, fill=FIXED_FILL))
        r += 1
    for k, v in ( ("地区配置", f"{profile.title}（{profile.name}）"), ("核查结论", verdict(report))):
        put(r, 0, k, BOLD)
        put(r, 1, v)
        r += 1
    todo = fix_first(report)
    if todo:
        put(r, 0, "先改这几处", BOLD)
        for line in todo:
            put(r, 1, line)
            r += 1
    for s in report.sheets:
        put(r, 0, "工作表", BOLD)
        put(r, 1, f"“{s.name}”：{s.title}")
        r += 1
        for key, val in s.results.items():
            put(r, 1, RESULT_LABELS.get(key, key))
            if key == "execution_rate" and isinstance(val, (int, float)):
                put(r, 2, val, PERCENT)
            else:
                put(r, 2, val if val is not None else "—")
            r += 1
    for note in report.notes:
        put(r, 0, "说明", BOLD)
        put(r, 1, note)
        r += 1
    present = set(sheetnames)
    if correction is not None:
        r += 1
        put(r, 0, f"已更正的单元格（{len(correction.fixes)} 处，绿色）", BOLD)
        r += 1
        for i, h in enumerate(FIXES_HEADERS):
            put(r, i, h, TABLE_HEAD)
        fixed = Style(fill=FIXED_FILL)
        for n, f in enumerate(correction.fixes, start=1):
            r += 1
            put(r, 0, n)
            put(r, 1, "已更正", fixed)
            put(r, 2, f.sheet)
            if f.sheet in present:
                put(r, 3, f.cell, LINK)
                links.append((r, 3, "'" + f.sheet.replace("'", "''") + "'!" + f.cell))
            else:
                put(r, 3, f.cell)
            put(r, 4, f.rule)
            put(r, 5, rule_title(f.rule))
            put(r, 6, f.why, WRAP)
            put(r, 7, cell_value(f.was) if f.was != "" else "（空）")
            put(r, 8, ("=" + f.formula) if f.formula else cell_value(f.value))
        r += 2
        put(r, 0, "仍需人工处理", BOLD)
        r += 1
    for i, h in enumerate(FINDINGS_HEADERS):
        put(r, i, h, TABLE_HEAD)
    first = r
    for n, f in enumerate(report.findings, start=1):
        r += 1
        put(r, 0, n)
        put(r, 1, SEVERITY_CN.get(f.severity, f.severity), SEVERITY_STYLE.get(f.severity, PLAIN))
        put(r, 2, f.sheet or "")
        if f.sheet and f.cell and f.sheet in present:
            put(r, 3, f.cell, LINK)
            links.append((r, 3, "'" + f.sheet.replace("'", "''") + "'!" + f.cell))
        else:
            put(r, 3, f.cell or "")
        put(r, 4, f.rule)
        put(r, 5, rule_title(f.rule))
        put(r, 6, f.message, WRAP)
        put(r, 7, cell_value(f.found))
        put(r, 8, cell_value(f.expected))
    last = r
    if not report.findings:
        put(r + 1, 0, "未发现问题。")
        last = r + 1
    return FindingsSheet(title, cells, links, first, last, len(FINDINGS_HEADERS), bool(report.findings),
                         dict(enumerate(FINDINGS_WIDTHS)))
