"""A reusable generator of real-world layouts for one logical table (issue 9, layout invariance).

``render(spec, layout)`` draws the same table — its items, roles and values — as a sheet the readers
accept (``xltool.io.book.Sheet``, in memory) under a ``Layout``: column order, a header split over two
rows under merged parents, totals first / last / both, group titles and 小计 rows, spacer rows, 元 or
万元 with the values scaled, numbers as text (thousands separators, full-width digits, accounting
negatives), rates as 0.9804 / 98.04 / "98.04%", extra columns, title and note rows, and a second
unrelated table below. It returns the sheet and ``Placed``: where every item value landed, so a test
can inject an error into one cell and expect exactly that cell back.

``layouts()`` is the hypothesis strategy of ``Layout``s; ``write_xlsx(sheet, path)`` writes a rendered
sheet to a real workbook (xlsxwriter) for the round trip through calamine. Other kinds add a
``Spec`` of their own (columns with roles, label words, values) and reuse ``render``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from hypothesis import strategies as st

from xltool.io.book import Sheet

ROOT = Path(__file__).resolve().parents[1]
SEED_000 = ROOT / "samples" / "铜冶镇2023年度部门绩效自评结果公开汇总表.xlsx"

_FULL = str.maketrans("0123456789.,-%", "０１２３４５６７８９．，－％")


@dataclass(frozen=True)
class Column:
    role: str
    labels: tuple[str, ...]  # header words to choose from
    kind: str = "text"  # text | amount | rate | score | seq | extra
    optional: bool = True


@dataclass
class Item:
    values: dict[str, object]  # role → value (amounts in 万元, rates as fractions)


@dataclass
class Spec:
    """A logical table: its columns and items. ``derive(item)`` fills the derived roles."""

    title: str
    columns: tuple[Column, ...]
    items: list[Item]
    parent: str = "资金情况"  # merged parent over the amount columns when the header is split


@dataclass(frozen=True)
class Layout:
    order_seed: int
    drop: frozenset = frozenset()  # optional roles left out
    split_header: bool = False
    totals: str = "last"  # none | first | last | both
    groups: int = 0  # 0 none, else number of groups
    group_style: str = "name"  # name: "一、基本支出" in the name cell; seq: 一 in the seq column; merged
    subtotals: bool = False
    spacers: int = 0  # blank rows sprinkled between items
    unit: str = "万元"  # or 元
    unit_in_header: bool = False
    text_numbers: float = 0.0  # share of amount cells written as text
    thousands: bool = False
    fullwidth: bool = False
    rate_style: str = "fraction"  # fraction | percent | text
    extra_columns: int = 0
    title_rows: int = 1
    notes: bool = False
    second_table: bool = False
    adjust: bool = False  # 年初预算数 / 调整数 (with accounting negatives) / 调整后预算数
    accounting: str = "paren"  # how a negative 调整数 is written as text: paren | fullwidth_minus


@dataclass
class Placed:
    """Where the rendered values are: (item index, role) → (row, col), and the table's rows."""

    cells: dict[tuple[int, str], tuple[int, int]] = field(default_factory=dict)
    totals: list[int] = field(default_factory=list)
    header_rows: tuple[int, int] = (0, 0)
    columns: dict[str, int] = field(default_factory=dict)
    scale: float = 1.0  # written value = 万元 value × scale


def layouts(**fixed) -> st.SearchStrategy[Layout]:
    def build(**kw):
        kw.update(fixed)
        return Layout(**kw)

    return st.builds(
        build,
        order_seed=st.integers(0, 10_000),
        drop=st.frozensets(st.sampled_from(["impl", "returned", "grade", "opinion", "rate", "score"]), max_size=3),
        split_header=st.booleans(),
        totals=st.sampled_from(["none", "first", "last", "both"]),
        groups=st.sampled_from([0, 0, 2, 3]),
        group_style=st.sampled_from(["name", "seq", "merged"]),
        subtotals=st.booleans(),
        spacers=st.integers(0, 3),
        unit=st.sampled_from(["万元", "元"]),
        unit_in_header=st.booleans(),
        text_numbers=st.sampled_from([0.0, 0.0, 0.3, 1.0]),
        thousands=st.booleans(),
        fullwidth=st.booleans(),
        rate_style=st.sampled_from(["fraction", "percent", "text"]),
        extra_columns=st.integers(0, 2),
        title_rows=st.integers(0, 3),
        notes=st.booleans(),
        second_table=st.booleans(),
        adjust=st.booleans(),
        accounting=st.sampled_from(["paren", "fullwidth_minus"]),
    )


# ---------------------------------------------------------------- the summary table (seed 000)

SUMMARY_COLUMNS = (
    Column("seq", ("序号",), "seq", optional=False),
    Column("name", ("项目名称",), "text", optional=False),
    Column("impl", ("项目实施单位", "实施单位"), "text"),
    Column("budget", ("预算数（调整后）", "调整后预算数", "全年预算数", "预算数"), "amount", optional=False),
    Column("execution", ("执行数", "全年执行数", "实际支出数"), "amount", optional=False),
    Column("rate", ("执行率", "预算执行率"), "rate"),
    Column("balance", ("结余数", "结余资金"), "amount", optional=False),
    Column("returned", ("结余交回财政数",), "amount"),
    Column("score", ("自评得分", "自评分"), "score"),
    Column("grade", ("评价等级",), "text"),
    Column("opinion", ("自评结果应用意见",), "text"),
)


def _grade(score: float) -> str:
    return "优秀" if score >= 85 else "良好" if score >= 75 else "一般" if score >= 60 else "较差"


@lru_cache(maxsize=1)
def seed_000_projects() -> tuple[tuple, ...]:
    """The 51 projects of seed 000 (samples/): name, unit, budget, execution, score — with their
    derived figures made right (the sample's 34 wrong balances are the real errors; here: clean)."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(SEED_000))
    rows = wb.get_sheet_by_index(0).to_python()
    out = []
    for r in rows[4:]:
        if not isinstance(r[0], float):
            continue
        out.append((r[1], r[2], float(r[3]), float(r[4]), float(r[7])))
    return tuple(out)


def summary_spec() -> Spec:
    items = []
    for k, (name, impl, b, e, s) in enumerate(seed_000_projects()):
        g = _grade(s)
        rate = e / b if b else 0.0
        opinion = f"评价结果{g}，" + ("继续推进此项目。" if rate >= 0.6 else "调整优化支出结构。")
        adjust = round(b * 0.1, 2) * (-1 if k % 3 == 0 else 1)
        items.append(Item({"seq": k + 1, "name": name, "impl": impl, "budget": b, "execution": e,
                           "rate": rate, "balance": b - e, "returned": 0.0, "score": s, "grade": g,
                           "opinion": opinion, "budget_initial": b - adjust, "budget_adjust": adjust}))
    return Spec("2023年度部门绩效自评结果公开汇总表", SUMMARY_COLUMNS, items)


# ---------------------------------------------------------------- rendering


def _decimals(v: float) -> int:
    t = f"{v:.10f}".rstrip("0")
    return len(t.split(".")[1]) if "." in t else 0


def render(spec: Spec, layout: Layout, *, inject: tuple[int, str, float] | None = None):
    """Draw ``spec`` under ``layout``; ``inject`` = (item index, role, delta) makes one value wrong."""
    rnd = random.Random(layout.order_seed)
    scale = 10000.0 if layout.unit == "元" else 1.0
    cols = [c for c in spec.columns if not (c.optional and c.role in layout.drop)]
    if layout.adjust:
        i = next(k for k, c in enumerate(cols) if c.role == "budget")
        cols[i:i] = [Column("budget_initial", ("年初预算数",), "amount"), Column("budget_adjust", ("调整数",), "amount")]
        cols[i + 2] = Column("budget", ("调整后预算数",), "amount", optional=False)
    # column order: shuffle, but keep the amount block together when the header is split
    amounts = [c for c in cols if c.kind in ("amount", "rate")]
    others = [c for c in cols if c.kind not in ("amount", "rate")]
    rnd.shuffle(others)
    if not layout.split_header:
        rnd.shuffle(amounts)
        order = others + amounts
        rnd.shuffle(order)
    else:
        rnd.shuffle(amounts)
        at = rnd.randint(0, len(others))
        order = others[:at] + amounts + others[at:]
    extras = [Column(f"extra{k}", (("备注", "项目编码", "开始执行年份", "联系电话")[(layout.order_seed + k) % 4],), "extra")
              for k in range(layout.extra_columns)]
    for x in extras:
        order.insert(rnd.randint(0, len(order)), x)
    width = len(order)
    col_of = {c.role: k for k, c in enumerate(order)}
    rows: list[list] = []
    merged: list[tuple[int, int, int, int]] = []

    def blank() -> list:
        return [""] * width

    def fmt_num(v: float, kind: str, as_text: bool):
        if kind == "rate":
            if layout.rate_style == "percent":
                v = round(v * 100, 2)
            elif layout.rate_style == "text":
                return _full(f"{v * 100:.2f}%") if layout.fullwidth else f"{v * 100:.2f}%"
            else:
                v = round(v, 4)
        elif kind == "amount":
            v = round(v * scale, 6 if scale == 1 else 2)
        if not as_text:
            return float(v)
        d = _decimals(v)
        if v < 0:
            body = f"{-v:,.{d}f}" if layout.thousands else f"{-v:.{d}f}"
            text = f"({body})" if layout.accounting == "paren" else "－" + body
        else:
            text = f"{v:,.{d}f}" if layout.thousands else f"{v:.{d}f}"
        return _full(text) if layout.fullwidth else text

    # title rows
    for k in range(layout.title_rows):
        row = blank()
        row[0] = ("示例镇" + spec.title, "主管部门：示例镇人民政府", "填报日期：2024年3月")[k]
        rows.append(row)
        merged.append((len(rows) - 1, 0, len(rows) - 1, width - 1))
    unit_word = f"（{layout.unit}）"
    if not layout.unit_in_header:
        row = blank()
        row[0] = f"单位：{layout.unit}"
        rows.append(row)
    # header
    top = len(rows)
    labels = {c.role: rnd.choice(c.labels) for c in order}
    if layout.rate_style == "percent" and "rate" in labels:
        labels["rate"] += "(%)"
    if layout.split_header:
        r0, r1 = blank(), blank()
        first = min(col_of[c.role] for c in amounts if c.role in col_of)
        last = max(col_of[c.role] for c in amounts if c.role in col_of)
        for c in order:
            k = col_of[c.role]
            if first <= k <= last:
                r0[k] = spec.parent + (unit_word if layout.unit_in_header else "")
                r1[k] = labels[c.role]
            else:
                r0[k] = labels[c.role]  # merged down over the second header row
                merged.append((top, k, top + 1, k))
        rows += [r0, r1]
        merged.append((top, first, top, last))
    else:
        row = blank()
        for c in order:
            lab = labels[c.role]
            if layout.unit_in_header and c.kind == "amount":
                lab += unit_word
            row[col_of[c.role]] = lab
        rows.append(row)
    bottom = len(rows) - 1
    placed = Placed(header_rows=(top, bottom), columns={c.role: col_of[c.role] for c in order}, scale=scale)

    n = len(spec.items)
    values = [dict(it.values) for it in spec.items]
    if inject is not None:
        idx, role, delta = inject
        values[idx][role] = values[idx][role] + delta if isinstance(values[idx][role], float) else delta

    def item_row(k: int) -> list:
        row = blank()
        v = values[k]
        for c in order:
            j = col_of[c.role]
            if c.kind == "extra":
                word = labels[c.role]
                row[j] = {"备注": "", "项目编码": f"1301{k:06d}", "开始执行年份": 2023.0, "联系电话": "0311-8800" + f"{k:04d}"}[word]
                continue
            val = v.get(c.role)
            if c.kind in ("amount", "rate", "score"):
                as_text = rnd.random() < layout.text_numbers or (c.role == "budget_adjust" and val < 0)
                row[j] = fmt_num(float(val), c.kind, as_text)
            elif c.kind == "seq":
                row[j] = float(val)
            else:
                row[j] = val
            placed.cells[(k, c.role)] = (len(rows), j)
        return row

    def sum_row(word: str, idx: list[int], *, name_cell: bool = True) -> list:
        row = blank()
        row[col_of["name"] if name_cell else col_of["seq"]] = word
        sums = {r: sum(values[k][r] for k in idx) for r in ("budget", "execution", "balance", "returned",
                                                              "budget_initial", "budget_adjust")}
        for c in order:
            if c.role in sums and c.kind == "amount":
                row[col_of[c.role]] = fmt_num(sums[c.role], "amount", False)
        if "rate" in col_of and sums["budget"]:
            row[col_of["rate"]] = fmt_num(sums["execution"] / sums["budget"], "rate", False)
        if "score" in col_of and word in ("合计", "总计"):
            row[col_of["score"]] = round(sum(values[k]["score"] for k in idx) / len(idx), 2)
        return row

    def totals():
        placed.totals.append(len(rows))
        rows.append(sum_row(rnd.choice(["合计", "总计", "合  计"]), list(range(n)), name_cell=rnd.random() < 0.7))

    if layout.totals in ("first", "both"):
        totals()
    groups = _split(n, layout.groups) if layout.groups else [list(range(n))]
    cn = "一二三四五"
    for gi, idx in enumerate(groups):
        if layout.groups:
            row = blank()
            title = ("基本支出", "项目支出", "民生保障类", "其他支出", "专项支出")[gi]
            if layout.group_style == "seq":
                row[col_of["seq"]] = cn[gi]
                row[col_of["name"]] = title
            elif layout.group_style == "merged":
                row[0] = f"{cn[gi]}、{title}"
                merged.append((len(rows), 0, len(rows), width - 1))
            else:
                row[col_of["name"]] = f"{cn[gi]}、{title}"
            rows.append(row)
        for k in idx:
            if layout.spacers and rnd.random() < layout.spacers / 20:
                rows.append(blank())
            rows.append(item_row(k))
        if layout.groups and layout.subtotals:
            rows.append(sum_row("小计", idx))
    if layout.totals in ("last", "both"):
        totals()
    if layout.notes:
        rows.append(blank())
        row = blank()
        row[0] = "注：本表金额单位为" + layout.unit + "，执行数为截至年底的实际支出。"
        rows.append(row)
        row = blank()
        row[0] = "填报人：张三    审核人：李四"
        rows.append(row)
    if layout.second_table:
        rows += [blank(), blank()]
        row = blank()
        row[0] = "附表：绩效目标完成情况"
        rows.append(row)
        row = blank()
        for k, w in enumerate(("指标名称", "年度指标值", "实际完成值", "偏差原因")[:width]):
            row[k] = w
        rows.append(row)
        for k in range(3):
            row = blank()
            row[0] = f"指标{k + 1}"
            if width > 1:
                row[1] = 100.0
            if width > 2:
                row[2] = 95.0 + k
            rows.append(row)
    return Sheet(name="汇总表", index=0, rows=rows, merged=merged), placed


def _full(text: str) -> str:
    return text.translate(_FULL)


def _split(n: int, k: int) -> list[list[int]]:
    size = -(-n // k)
    return [list(range(i, min(n, i + size))) for i in range(0, n, size)]


def write_xlsx(sheet: Sheet, path: Path) -> Path:
    """The rendered sheet as a real workbook (values, merges)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(sheet.name)
    for r, row in enumerate(sheet.rows):
        for c, v in enumerate(row):
            if v == "":
                continue
            if isinstance(v, float):
                ws.write_number(r, c, v)
            else:
                ws.write_string(r, c, str(v))
    for r0, c0, r1, c1 in sheet.merged:
        if (r0, c0) != (r1, c1):
            ws.merge_range(r0, c0, r1, c1, sheet.rows[r0][c0] if sheet.rows[r0][c0] != "" else None)
    wb.close()
    return path
