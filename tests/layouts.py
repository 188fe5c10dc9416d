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
    group_sums: bool = False  # group title rows state their groups' amounts ("一、基本支出 30 27")
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
    adjust_words: int = 0  # which of ADJUST_LABELS names the three budget columns
    adjust_parent: bool = False  # split header: the three under their own merged parent 预算数 (年初 | 调整 | 调整后)


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
        group_sums=st.booleans(),
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
        adjust_words=st.integers(0, len(ADJUST_LABELS) - 1),
        adjust_parent=st.booleans(),
    )


# 年初预算数 / 调整数 / 调整后预算数 as real headers write them: the full labels (a one-row header, or under the
# amount block's parent), and the short children under their own merged parent 预算数 (``adjust_parent``).
ADJUST_LABELS = (
    (("年初预算数", "调整数", "调整后预算数"), ("年初", "调整", "调整后")),
    (("年初预算", "预算调整数", "全年预算数"), ("年初数", "调整数", "调整后数")),
    (("年初批复数", "追加（减）数", "预算数（调整后）"), ("年初预算", "追加（减）", "全年")),
    (("年初安排数", "调增（减）数", "调整后预算"), ("年初安排", "调整（+/-）", "调整后预算")),
)
ADJUST_PARENTS = ("预算数", "预算安排", "预算")
_BUDGET_TRIO = ("budget_initial", "budget_adjust", "budget")


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
    nested = layout.adjust and layout.adjust_parent and layout.split_header
    if layout.adjust:
        full, short = ADJUST_LABELS[layout.adjust_words]
        words = short if nested else full
        i = next(k for k, c in enumerate(cols) if c.role == "budget")
        cols[i:i] = [Column("budget_initial", (words[0],), "amount"), Column("budget_adjust", (words[1],), "amount")]
        cols[i + 2] = Column("budget", (words[2],), "amount", optional=False)
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
        if nested:  # the three budget columns side by side (in any order) inside the amount block
            trio = [c for c in amounts if c.role in _BUDGET_TRIO]
            amounts = [c for c in amounts if c.role not in _BUDGET_TRIO]
            at = rnd.randint(0, len(amounts))
            amounts[at:at] = trio
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
        under = [c for c in amounts if c.role in col_of and (not nested or c.role in _BUDGET_TRIO)]
        first = min(col_of[c.role] for c in under)
        last = max(col_of[c.role] for c in under)
        parent = ADJUST_PARENTS[layout.order_seed % len(ADJUST_PARENTS)] if nested else spec.parent
        for c in order:
            k = col_of[c.role]
            if first <= k <= last:
                r0[k] = parent + (unit_word if layout.unit_in_header else "")
                r1[k] = labels[c.role]
            else:
                lab = labels[c.role]
                if nested and layout.unit_in_header and c.kind == "amount":
                    lab += unit_word
                r0[k] = lab  # merged down over the second header row
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
                if layout.group_sums:
                    row = sum_row(f"{cn[gi]}、{title}", idx)
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


# ---------------------------------------------------------------- the score table (seed 003)

SEED_003 = ROOT / "samples" / "高邑镇2024年度部门整体支出绩效评价指标评分表.xlsx"


@lru_cache(maxsize=1)
def seed_003_indicators() -> tuple[tuple, ...]:
    """Seed 003's indicators: (一级, 一级分值, 二级, 二级分值, 三级, 分值, 得分, 评分说明), names filled down."""
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(SEED_003)).get_sheet_by_index(0).to_python()
    out, fill = [], ["", 0.0, "", 0.0]
    for r in rows[2:]:
        if r[0] == "合计":
            break
        for k in range(4):
            if r[k] != "":
                fill[k] = r[k]
        out.append((fill[0], float(fill[1]), fill[2], float(fill[3]), r[4], float(r[5]), float(r[6]), r[7]))
    return tuple(out)


@dataclass(frozen=True)
class ScoreLayout:
    order_seed: int
    names: str = "merged"  # merged | once | repeat
    group_points: str = "columns"  # columns (分值 beside each level) | headings (一、投入 rows) | none
    totals: str = "last"  # last | first | both
    note_column: bool = True
    seq_column: bool = False
    score_before_points: bool = False
    title_rows: int = 1
    grade_style: str = "row"  # row | colon | none
    notes: bool = False
    spacers: bool = False
    text_numbers: float = 0.0
    fullwidth: bool = False


def score_layouts() -> st.SearchStrategy[ScoreLayout]:
    return st.builds(
        ScoreLayout,
        order_seed=st.integers(0, 10_000),
        names=st.sampled_from(["merged", "once", "repeat"]),
        group_points=st.sampled_from(["columns", "headings", "none"]),
        totals=st.sampled_from(["last", "first", "both"]),
        note_column=st.booleans(),
        seq_column=st.booleans(),
        score_before_points=st.booleans(),
        title_rows=st.integers(0, 2),
        grade_style=st.sampled_from(["row", "colon", "none"]),
        notes=st.booleans(),
        spacers=st.booleans(),
        text_numbers=st.sampled_from([0.0, 0.0, 0.5]),
        fullwidth=st.booleans(),
    )


def render_score(layout: ScoreLayout, *, inject: tuple[int, str, float] | None = None):
    """Seed 003's score table (clean: 总分 94.75, 优) under ``layout``; ``inject`` = (indicator index,
    "score" | "points", new value) or (-1, "total", new total score)."""
    rnd = random.Random(layout.order_seed)
    data = [list(x) for x in seed_003_indicators()]
    if inject is not None and inject[0] >= 0:
        k, what, v = inject
        data[k][6 if what == "score" else 5] = v
    total_score = round(sum(x[6] for x in data), 2)  # the stated total adds up what is written
    cols: list[str] = (["seq"] if layout.seq_column else []) + ["l1"]
    if layout.group_points == "columns":
        cols += ["p1"]
    cols += ["l2"] + (["p2"] if layout.group_points == "columns" else []) + ["l3"]
    tail = ["s", "p"] if layout.score_before_points else ["p", "s"]
    if layout.note_column:
        tail.insert(rnd.randint(len(tail) - 0, len(tail)), "note")
    cols += tail
    col = {c: k for k, c in enumerate(cols)}
    width = len(cols)
    labels = {"seq": "序号", "l1": "一级指标", "p1": "分值", "l2": "二级指标", "p2": "分值", "l3": "三级指标",
              "p": rnd.choice(["分值", "满分"]), "s": rnd.choice(["得分", "评价得分"]), "note": "评分说明"}
    rows: list[list] = []
    merged: list[tuple[int, int, int, int]] = []
    placed: dict[tuple[int, str], tuple[int, int]] = {}

    def blank():
        return [""] * width

    def num(v: float):
        if rnd.random() < layout.text_numbers:
            t = f"{v:g}"
            return t.translate(_FULL) if layout.fullwidth else t
        return float(v)

    for k in range(layout.title_rows):
        row = blank()
        row[0] = ("高邑县高邑镇人民政府2024年度部门整体支出绩效评价指标评分表", "单位：分")[k]
        rows.append(row)
        merged.append((len(rows) - 1, 0, len(rows) - 1, width - 1))
    header = blank()
    for c in cols:
        header[col[c]] = labels[c]
    rows.append(header)
    top = len(rows) - 1
    total_at: list[int] = []

    def total_row(wrong: bool = True):
        row = blank()
        row[col["l1"]] = rnd.choice(["合计", "总计", "合  计"])
        row[col["p"]] = num(100.0)
        row[col["s"]] = num(inject[2] if wrong and inject is not None and inject[1] == "total" else total_score)
        if layout.group_points == "columns":
            row[col["p1"]] = num(100.0)
            row[col["p2"]] = num(100.0)
        total_at.append(len(rows))
        rows.append(row)

    if layout.totals in ("first", "both"):
        total_row(wrong=layout.totals == "first")  # an injected wrong total goes to the last one
    l1_names = list(dict.fromkeys(x[0] for x in data))
    cn = "一二三四五"
    seq = 0
    for gi, g1 in enumerate(l1_names):
        members = [k for k, x in enumerate(data) if x[0] == g1]
        if layout.spacers and gi:
            rows.append(blank())
        if layout.group_points == "headings":
            row = blank()
            row[col["l1"]] = f"{cn[gi]}、{g1}指标"
            row[col["p"]] = num(sum(data[k][5] for k in members))
            row[col["s"]] = num(sum(data[k][6] for k in members))
            rows.append(row)
        start1 = len(rows)
        prev2 = None
        start2 = len(rows)
        for k in members:
            x = data[k]
            row = blank()
            first1 = len(rows) == start1
            new2 = x[2] != prev2
            if new2 and prev2 is not None and layout.names == "merged":
                _merge_down(merged, start2, len(rows) - 1, [col["l2"]] + ([col["p2"]] if "p2" in col else []))
            if new2:
                start2 = len(rows)
            if layout.names == "repeat" or first1 or (layout.names != "repeat" and False):
                row[col["l1"]] = x[0] if layout.group_points != "headings" else (x[0] if layout.names == "repeat" else "")
                if "p1" in col:
                    row[col["p1"]] = num(x[1]) if first1 or layout.names == "repeat" else ""
            if layout.group_points == "headings" and layout.names != "repeat":
                row[col["l1"]] = ""
            if layout.names == "repeat" or new2:
                row[col["l2"]] = x[2]
                if "p2" in col:
                    row[col["p2"]] = num(x[3])
            if layout.names == "repeat" and "p1" in col and not first1:
                row[col["p1"]] = ""  # a group's points are written once even when names repeat
            if layout.names == "repeat" and "p2" in col and not new2:
                row[col["p2"]] = ""
            row[col["l3"]] = x[4]
            row[col["p"]] = num(x[5])
            row[col["s"]] = num(x[6])
            if "note" in col:
                row[col["note"]] = x[7]
            if "seq" in col:
                seq += 1
                row[col["seq"]] = float(seq)
            placed[(k, "score")] = (len(rows), col["s"])
            placed[(k, "points")] = (len(rows), col["p"])
            rows.append(row)
            prev2 = x[2]
        if layout.names == "merged":
            _merge_down(merged, start2, len(rows) - 1, [col["l2"]] + ([col["p2"]] if "p2" in col else []))
            if layout.group_points != "headings":
                _merge_down(merged, start1, len(rows) - 1, [col["l1"]] + ([col["p1"]] if "p1" in col else []))
    if layout.totals in ("last", "both"):
        total_row()
    if layout.grade_style == "row":
        row = blank()
        row[0] = "评价等级"
        row[1] = "优秀"
        rows.append(row)
    elif layout.grade_style == "colon":
        row = blank()
        row[0] = "评价等级：优秀"
        rows.append(row)
    if layout.notes:
        row = blank()
        row[0] = "注：得分保留两位小数。"
        rows.append(row)
    placed[(-1, "total")] = (total_at[-1], col["s"])
    return Sheet(name="指标评分表", index=0, rows=rows, merged=merged), placed, top


def _merge_down(merged, r0: int, r1: int, cols: list[int]) -> None:
    if r1 > r0:
        for c in cols:
            merged.append((r0, c, r1, c))
