"""Shared machinery of the template builders: styles, a grid writer, Excel-mirroring arithmetic.

Every derived cell is written as a formula *and* its value computed here in Python (the cached
value), so readers that do not recalculate (calamine, pandas, openpyxl ``data_only``) see the
same figure Excel shows. The Python functions below mirror the formulas term for term.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from xltool.report.printing import page_setup, row_height

# Fixed document date: the same inputs give byte-identical files (templates/ is checked for drift).
CREATED = _dt.datetime(2024, 1, 1, 0, 0, 0)

FONT = "宋体"
INPUT_FILL = "#FFF2CC"  # Excel's own light "input" shade
HEADER_FILL = "#F2F2F2"
RED_FILL = "#FFC7CE"
RED_FONT = "#9C0006"
AMBER_FILL = "#FFEB9C"
AMBER_FONT = "#9C5700"

# number formats by value kind
NUMBER_FORMATS = {
    "amount": "#,##0.00####",
    "rate": "0.00%",
    "pct": "0.00",  # a percentage figure under a "(%)" header: 75.24
    "score": "0.00",
    "points": "General",  # 分值 as typed: 10, 2.5
    "weight": "General",
    "num": "General",
}

# derived figures are shown at the form's precision (amounts to the fen of 万元: 26.25, not 26.248);
# inputs keep up to six decimals visible so that what was typed is what is seen
DERIVED_FORMATS = {**NUMBER_FORMATS, "amount": "#,##0.00"}

EPS = "0.000001"  # formula tolerance for comparisons of computed amounts


# ------------------------------------------------------------------ Excel-mirroring arithmetic

def isnum(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def xsum(values: Iterable[Any]) -> float:
    """SUM(): numbers only. fsum gives the correctly rounded sum (LibreOffice sums compensated)."""
    return math.fsum(v for v in values if isnum(v))


def xcount(values: Iterable[Any]) -> int:
    return sum(1 for v in values if isnum(v))


def num_literal(x: float) -> str:
    """A number as a formula literal: 85, 0.8, 7.5."""
    x = float(x)
    return str(int(x)) if x.is_integer() else repr(x)


def ref(r: int, c: int, *, col_abs: bool = False, row_abs: bool = False) -> str:
    return xl_rowcol_to_cell(r, c, row_abs, col_abs)


def rng(r0: int, c0: int, r1: int, c1: int) -> str:
    return f"{ref(r0, c0)}:{ref(r1, c1)}"


def grade_formula(x: str, bands) -> str:
    """IF(x>=90,"优",IF(x>=80,"良",IF(x>=60,"中","差"))) from a profile's bands."""
    parts = list(bands.bands)
    expr = f'"{parts[-1][1]}"'
    for low, word in reversed(parts[:-1]):
        expr = f'IF({x}>={num_literal(low)},"{word}",{expr})'
    return expr


def grade_value(x: Any, bands) -> str:
    """What ``grade_formula`` gives (exact comparisons, as Excel)."""
    for low, word in bands.bands[:-1]:
        if x >= low:
            return word
    return bands.bands[-1][1]


def rate_formula(budget: str, spent: str, zero_budget_rate: float, *, times: str = "") -> str:
    """执行率 = 执行数 ÷ 预算数; blank until both are numbers; budget 0 → the profile's rate."""
    z = num_literal(zero_budget_rate * (100 if times else 1))
    return (f'IF(AND(ISNUMBER({budget}),ISNUMBER({spent})),'
            f'IF({budget}=0,IF({spent}=0,{z},""),{spent}/{budget}{times}),"")')


def rate_value(budget: Any, spent: Any, zero_budget_rate: float, *, times100: bool = False) -> Any:
    from xltool.figures import rate_of

    v = rate_of(budget, spent, zero_budget_rate) if isnum(budget) and isnum(spent) else None
    if v is None:
        return ""
    return v * 100 if times100 else v


def execution_score_formula(rate: str, profile, *, points: str | None, scale100: bool) -> str:
    """执行率得分 under the profile's rule.

    ``scale100``: a single-indicator score on 0–100 (weighted layout); otherwise points out of the
    form's 分值 cell ``points``.
    """
    if profile.execution_rule == "interval":
        expr = "0"
        for low, got in reversed(profile.execution_intervals):
            expr = f"IF({rate}>={num_literal(low)},{num_literal(got)},{expr})"
        base = num_literal(profile.execution_points or 1)
        scale = f"*100/{base}" if scale100 else f"*{points}/{base}"
        return f'IF(ISNUMBER({rate}),{expr}{scale},"")'
    target = "100" if scale100 else points
    return f'IF(ISNUMBER({rate}),MIN(MAX({rate},0),1)*{target},"")'


def execution_score_value(rate: Any, profile, *, points: Any, scale100: bool) -> Any:
    if not isnum(rate):
        return ""
    if profile.execution_rule == "interval":
        got = 0.0
        for low, g in profile.execution_intervals:
            if rate >= low:
                got = g
                break
        base = profile.execution_points or 1
        return got * 100 / base if scale100 else got * points / base
    target = 100 if scale100 else points
    return min(max(rate, 0), 1) * target


# ------------------------------------------------------------------ what a builder reports back

@dataclass
class Layout:
    """Where things are in a generated sheet (A1 references), for tests and callers."""

    kind: str
    sheet: str
    inputs: dict[str, str] = field(default_factory=dict)  # A1 → value kind
    derived: dict[str, str] = field(default_factory=dict)  # A1 → formula
    cells: dict[str, str] = field(default_factory=dict)  # name → A1 (e.g. "total_score")
    columns: dict[str, str] = field(default_factory=dict)  # role → column letter (tables)
    rows: list[int] = field(default_factory=list)  # 1-based input rows of the table part
    values: dict[str, Any] = field(default_factory=dict)  # A1 → cached value of every derived cell
    groups: dict[str, list[int]] = field(default_factory=dict)  # 二级 name → its 1-based rows (forms)


# ------------------------------------------------------------------ styles

class Styles:
    """Memoised xlsxwriter formats (created in a fixed order: deterministic output)."""

    def __init__(self, wb: xlsxwriter.Workbook):
        self.wb = wb
        self._cache: dict[tuple, Any] = {}

    def get(self, **props):
        base = {"font_name": FONT, "font_size": 11, "valign": "vcenter", "text_wrap": True}
        base.update(props)
        key = tuple(sorted((k, str(v)) for k, v in base.items()))
        if key not in self._cache:
            self._cache[key] = self.wb.add_format(base)
        return self._cache[key]

    def title(self, size=18):
        # unlocked: an officer may put the unit's name and the year into the title of a blank template
        return self.get(bold=True, font_size=size, align="center", text_wrap=False, locked=False)

    def line(self, align="left", **kw):
        return self.get(**{"align": align, "text_wrap": False, **kw})

    def label(self, align="center", bold=False, **kw):
        return self.get(border=1, align=align, bold=bold, **kw)

    def header(self, align="center", **kw):
        return self.get(border=1, align=align, bold=True, bg_color=HEADER_FILL, **kw)

    def input(self, kind: str = "text", align: str | None = None):
        props = {"border": 1, "locked": False, "bg_color": INPUT_FILL}
        if kind in NUMBER_FORMATS:
            props["num_format"] = NUMBER_FORMATS[kind]
            props["align"] = align or "right"
        elif kind == "target":
            props["num_format"] = "@"  # typed "=100%" stays text, never a formula
            props["align"] = align or "center"
        else:
            props["align"] = align or ("center" if kind in ("grade", "label") else "left")
        return self.get(**props)

    def derived(self, kind: str, bold: bool = False, align: str | None = None):
        props = {"border": 1, "bold": bold}
        if kind in DERIVED_FORMATS:
            props["num_format"] = DERIVED_FORMATS[kind]
            props["align"] = align or "right"
        else:
            props["align"] = align or "center"
        return self.get(**props)

    def cf(self, name: str):
        if name not in self._cache:
            fill, font = (RED_FILL, RED_FONT) if name == "red" else (AMBER_FILL, AMBER_FONT)
            self._cache[name] = self.wb.add_format({"bg_color": fill, "font_color": font})
        return self._cache[name]


# ------------------------------------------------------------------ the grid writer

class Grid:
    """Writes one sheet: text always as strings, inputs unlocked and shaded, formulas with values."""

    def __init__(self, wb, ws, st: Styles, layout: Layout, data: dict[str, Any] | None = None):
        self.wb, self.ws, self.st, self.layout = wb, ws, st, layout
        self.values: dict[tuple[int, int], Any] = {}
        self.data = {k.upper(): v for k, v in (data or {}).items()}
        # what fit_rows needs: row heights and column widths as set, wrapped text as written
        self.heights: dict[int, float] = {}
        self.widths: dict[int, float] = {}
        self.wrapped: list[tuple[int, int, int, int, str]] = []
        set_row, set_column = ws.set_row, ws.set_column

        def _set_row(r, height=None, *args, **kw):
            if height is not None:
                self.heights[r] = height
            return set_row(r, height, *args, **kw)

        def _set_column(c0, c1, width=None, *args, **kw):
            if width is not None:
                for c in range(c0, c1 + 1):
                    self.widths[c] = width
            return set_column(c0, c1, width, *args, **kw)

        ws.set_row, ws.set_column = _set_row, _set_column

    def fit_rows(self) -> None:
        """Make every row tall enough for the wrapped text written in it (a merged range over several
        rows grows its last row). Excel and LibreOffice do not do it on open for generated files."""
        for r, c, r1, c1, text in self.wrapped:
            width = sum(self.widths.get(k, 8.43) for k in range(c, c1 + 1))
            need = row_height([(text, width)])
            have = sum(self.heights.get(k, 15.0) for k in range(r, r1 + 1))
            if need > have + 0.5:
                self.ws.set_row(r1, round(self.heights.get(r1, 15.0) + need - have, 2))

    # -- reading back what was written (for the Python side of formulas)
    def get(self, r: int, c: int) -> Any:
        return self.values.get((r, c), "")

    def col_values(self, c: int, r0: int, r1: int) -> list[Any]:
        return [self.get(r, c) for r in range(r0, r1 + 1)]

    # -- writing
    def _span(self, r, c, r1, c1, fmt):
        r1 = r if r1 is None else r1
        c1 = c if c1 is None else c1
        if (r1, c1) != (r, c):
            self.ws.merge_range(r, c, r1, c1, "", fmt)

    def text(self, r, c, s: str, fmt, r1=None, c1=None):
        self._span(r, c, r1, c1, fmt)
        if s:
            self.ws.write_string(r, c, s, fmt)
            if getattr(fmt, "text_wrap", 0):
                self.wrapped.append((r, c, r if r1 is None else r1, c if c1 is None else c1, s))
        elif r1 is None and c1 is None:
            self.ws.write_blank(r, c, None, fmt)
        self.values[(r, c)] = s

    def number(self, r, c, x: float, fmt, r1=None, c1=None):
        self._span(r, c, r1, c1, fmt)
        self.ws.write_number(r, c, x, fmt)
        self.values[(r, c)] = x

    def input(self, r, c, kind: str, r1=None, c1=None, value: Any = None, align: str | None = None):
        """An input cell (or merged range). ``value`` pre-fills it; test data (``data``) wins."""
        fmt = self.st.input(kind, align)
        self._span(r, c, r1, c1, fmt)
        a1 = ref(r, c)
        v = self.data.get(a1, value)
        if v is None or v == "":
            if r1 is None and c1 is None:
                self.ws.write_blank(r, c, None, fmt)
            v = ""
        elif isinstance(v, str):
            self.ws.write_string(r, c, v, fmt)
            self.wrapped.append((r, c, r if r1 is None else r1, c if c1 is None else c1, v))
        else:
            self.ws.write_number(r, c, float(v), fmt)
            v = float(v)
        self.values[(r, c)] = v
        self.layout.inputs[a1] = kind
        return a1

    def formula(self, r, c, formula: str, value: Any, kind: str, r1=None, c1=None, bold=False, align=None):
        fmt = self.st.derived(kind, bold=bold, align=align)
        self._span(r, c, r1, c1, fmt)
        if isinstance(value, float) and not math.isfinite(value):
            value = ""
        self.ws.write_formula(r, c, "=" + formula, fmt, value)
        self.values[(r, c)] = value
        a1 = ref(r, c)
        self.layout.derived[a1] = "=" + formula
        self.layout.values[a1] = value
        return a1

    def headers(self, r: int, items, height: float) -> None:
        """A header row: (column, label, hint shown when the cell is selected) per column."""
        for c, label, hint in items:
            self.text(r, c, label, self.st.header())
            self.hint(r, c, label, hint)
        self.ws.set_row(r, height)

    # -- checks while typing
    def validate(self, r0, c0, r1, c1, options: dict):
        opts = {"ignore_blank": True}
        opts.update(options)
        for key, limit in (("input_title", 32), ("error_title", 32), ("input_message", 255), ("error_message", 255)):
            if key in opts and len(opts[key]) > limit:
                raise ValueError(f"{key} too long: {opts[key]}")
        self.ws.data_validation(r0, c0, r1, c1, opts)

    def hint(self, r, c, title: str, message: str):
        """An input message on a header cell (validation of type 'any')."""
        self.validate(r, c, r, c, {"validate": "any", "input_title": title, "input_message": message})

    def flag(self, r0, c0, r1, c1, criteria: str, style: str = "red"):
        self.ws.conditional_format(r0, c0, r1, c1, {"type": "formula", "criteria": "=" + criteria,
                                                    "format": self.st.cf(style)})


def decimal_rule(low: float | None = 0, high: float | None = None, *, title: str, message: str,
                 error: str) -> dict:
    if high is None:
        crit = {"criteria": ">=", "value": low}
    else:
        crit = {"criteria": "between", "minimum": low, "maximum": high}
    return {"validate": "decimal", **crit, "input_title": title, "input_message": message,
            "error_title": "输入有误", "error_message": error}


def custom_rule(formula: str, *, title: str, message: str, error: str) -> dict:
    return {"validate": "custom", "value": "=" + formula, "input_title": title, "input_message": message,
            "error_title": "输入有误", "error_message": error}


def list_rule(words: Iterable[str], *, title: str, message: str) -> dict:
    return {"validate": "list", "source": list(words), "input_title": title, "input_message": message,
            "error_title": "输入有误", "error_message": "请从下拉列表中选择：" + "、".join(words) + "。"}


# ------------------------------------------------------------------ sheet set-up

def new_workbook(path: Path, *, title: str) -> xlsxwriter.Workbook:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                         "strings_to_urls": False})
    wb.set_properties({"title": title, "author": "xltool", "comments": "由 xltool template 生成",
                       "created": CREATED})
    return wb


def protect(ws) -> None:
    """Sheet protection without a password: formulas stay put, inputs stay editable."""
    ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True,
                    "format_columns": True, "format_rows": True})


def print_setup(ws, *, last_row: int, last_col: int, repeat: tuple[int, int] | None, landscape: bool = False,
                one_page: bool = False) -> None:
    """A4; an official form prints on ONE portrait page (``one_page``), a table fits the page width."""
    page_setup(ws, landscape=landscape, repeat=repeat, one_page=one_page)
    ws.print_area(0, 0, last_row, last_col)


def new_sheet(wb, st: Styles, kind: str, sheet: str, data: dict[str, Any] | None, widths=()):
    """The main sheet of a template: (worksheet, its Layout, its Grid), columns set to ``widths``."""
    ws = wb.add_worksheet(sheet)
    lay = Layout(kind, sheet)
    g = Grid(wb, ws, st, lay, data)
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    return ws, lay, g


def finish_sheet(g: Grid, *, freeze: tuple[int, int], last_row: int, last_col: int,
                 repeat: tuple[int, int] | None, landscape: bool = False, one_page: bool = False) -> None:
    """Rows fitted to their text, panes frozen, sheet protected, page set up; the sheet opens first."""
    g.ws.freeze_panes(*freeze)
    g.fit_rows()
    protect(g.ws)
    print_setup(g.ws, last_row=last_row, last_col=last_col, repeat=repeat, landscape=landscape, one_page=one_page)
    g.ws.activate()


# the first line of every 填表说明
INPUT_AREA = ("填写区", "浅黄色底纹的单元格为填写区（标题也可直接修改），其余单元格（表头、公式）已锁定，防止误改。"
                        "工作表保护未设密码：确需改动格式时，可在“审阅 → 撤销工作表保护”中取消。")


def fit_row(ws, r: int, cells, *, minimum: float = 15.0) -> None:
    """Row ``r`` tall enough for its wrapped text: ``cells`` are (text, width in characters) pairs."""
    ws.set_row(r, row_height(cells, minimum=minimum))


def instructions_sheet(wb, st: Styles, title: str, sections: list[tuple[str, list[tuple[str, str]]]]) -> None:
    """The 填表说明 sheet: what to type where and how each derived figure is computed."""
    ws = wb.add_worksheet("填表说明")
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 96)
    ws.merge_range(0, 0, 0, 1, "", st.title(16))
    ws.write_string(0, 0, f"{title} · 填表说明", st.title(16))
    ws.set_row(0, 30)
    r = 1
    head = st.header(align="left")
    item = st.label(align="left", bold=True)
    body = st.label(align="left")
    for heading, items in sections:
        r += 1
        ws.merge_range(r, 0, r, 1, "", head)
        ws.write_string(r, 0, heading, head)
        ws.set_row(r, 22)
        for name, text in items:
            r += 1
            ws.write_string(r, 0, name, item)
            ws.write_string(r, 1, text, body)
            fit_row(ws, r, [(name, 24), (text, 96)], minimum=20)
    protect(ws)
    print_setup(ws, last_row=r, last_col=1, repeat=None)


# ------------------------------------------------------------------ after xlsxwriter

_EMPTY_STR_CACHE = re.compile(rb'<c r="([A-Z]+[0-9]+)"((?: s="[0-9]+")?)><f>([^<]*)</f><v></v></c>')


def mark_empty_string_results(path: Path) -> None:
    """Give formulas whose cached result is "" the type ``t="str"``.

    xlsxwriter writes a cached empty string as an untyped empty ``<v>`` (it means "recalculate
    me" to some readers); xltool and other readers then see a formula *without* a cached value.
    A typed empty string is what Excel itself writes for ``=IF(A1="","",…)``.
    """
    with zipfile.ZipFile(path) as zf:
        items = [(info, zf.read(info.filename)) for info in zf.infolist()]
    changed = False
    out = []
    for info, data in items:
        if info.filename.startswith("xl/worksheets/sheet") and info.filename.endswith(".xml"):
            new = _EMPTY_STR_CACHE.sub(rb'<c r="\1"\2 t="str"><f>\3</f><v></v></c>', data)
            changed |= new != data
            data = new
        out.append((info, data))
    if not changed:
        return
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as zf:
        for info, data in out:
            zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    tmp.replace(path)
