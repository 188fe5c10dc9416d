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


# ---------------------------------------------------------------- indicator-table rows of a form (any kind)

@dataclass(frozen=True)
class IndicatorRows:
    """Row features of a form's indicator table, applied to a rendered form by ``with_indicator_rows``:
    a 小计 row under each 一级指标 group (the word in the 三级 cell inside a merged 一级, or in the 一级 cell
    itself), the header copied above a later group (a page break pasted into the sheet), the total row
    moved right under the header, a blank spacer row between groups."""

    subtotals: bool = False
    subtotal_in: str = "level3"  # level3 | level1 | level2
    subtotal_word: str = "小计"
    repeat_header: bool = False
    total_first: bool = False
    spacers: bool = False
    total_word: str = ""  # the total row's label as written ("" keeps the form's own: 总分 / 自评得分)


def indicator_rows() -> st.SearchStrategy[IndicatorRows]:
    return st.builds(
        IndicatorRows, subtotals=st.booleans(), subtotal_in=st.sampled_from(["level3", "level1", "level2"]),
        subtotal_word=st.sampled_from(["小计", "小  计", "产出小计"]), repeat_header=st.booleans(),
        total_first=st.booleans(), spacers=st.booleans(), total_word=st.sampled_from(["", "", "合计", "总  分", "综合得分"]),
    )


_SUM_LABELS = ("分值", "得分", "权重占比(%)", "单项指标折算得分", "权重(%)")
_TOTAL_LABELS = ("总分", "自评得分", "合计", "总计", "综合得分")


def _plain_number(v) -> float | None:
    if isinstance(v, float):
        return v
    if isinstance(v, str) and v.strip():
        t = v.strip().translate(str.maketrans("０１２３４５６７８９．", "0123456789."))
        try:
            return float(t)
        except ValueError:
            return None
    return None


def _anchor_text(sheet: Sheet, r: int, c: int) -> str:
    m = sheet.merge_of(r, c)
    v = sheet.raw(m[0], m[1]) if m is not None else sheet.raw(r, c)
    return v.strip() if isinstance(v, str) else ""


def with_indicator_rows(sheet: Sheet, refs: dict[str, str], feats: IndicatorRows, *,
                        sum_labels: tuple[str, ...] = _SUM_LABELS) -> tuple[Sheet, dict[str, str]]:
    """``sheet`` (a form rendered by one of the form generators) with ``feats`` applied to its indicator
    table; ``refs`` (name → A1) follow their cells. 小计 rows state the sums of the group's 分值 / 得分
    (or 权重 / 折算得分) columns."""
    from xltool.cells import a1, parse_a1

    rows = [list(r) for r in sheet.rows]
    width = max(len(r) for r in rows)
    for r in rows:
        r += [""] * (width - len(r))
    top = next(r for r, row in enumerate(rows) if "一级指标" in row)
    c1 = rows[top].index("一级指标")
    m = sheet.merge_of(top, c1)
    bottom = m[2] if m is not None else top
    c2 = rows[top].index("二级指标")
    c3 = rows[top].index("三级指标")
    labels = {c: (rows[bottom][c] or rows[top][c]) for c in range(width)}
    sum_cols = [c for c in range(width) if labels[c] in sum_labels]
    total = next(r for r in range(bottom + 1, len(rows))
                 if any(isinstance(v, str) and v.strip() in _TOTAL_LABELS for v in rows[r][:c3 + 1]))
    if feats.total_word:
        k = next(c for c, v in enumerate(rows[total]) if isinstance(v, str) and v.strip() in _TOTAL_LABELS)
        rows[total][k] = feats.total_word
    # groups: runs of rows under one 一级 name
    groups: list[list[int]] = []
    prev = None
    for r in range(bottom + 1, total):
        name = _anchor_text(sheet, r, c1) or prev
        if name != prev or not groups:
            groups.append([])
        groups[-1].append(r)
        prev = name
    order: list[object] = list(range(bottom + 1))  # old row numbers, or new rows as ("new", row, merges)
    extend: dict[tuple[int, int, int, int], int] = {}  # merges grown over an inserted row: merge → last old row
    new_merges: list[tuple[int, int, int, int]] = []  # in positions of ``order`` (filled below)
    pending: list[tuple[int, tuple[int, int, int, int]]] = []  # (order index, merge relative to that row)

    def add_new(row: list, merges: tuple[tuple[int, int], ...] = ()) -> None:
        order.append(("new", row))
        for a, b in merges:
            pending.append((len(order) - 1, (0, a, 0, b)))

    if feats.total_first:
        order.append(total)
    for gi, g in enumerate(groups):
        if gi and feats.spacers:
            add_new([""] * width)
        if gi == len(groups) - 1 and gi and feats.repeat_header:
            tall = {c for (s0, ca, s1, cb) in sheet.merged if s0 <= top and s1 > bottom for c in range(ca, cb + 1)}
            for hr in range(top, bottom + 1):
                order.append(("new", ["" if c in tall else v for c, v in enumerate(rows[hr])]))
            for r0, a, r1, b in sheet.merged:
                if top <= r0 and r1 <= bottom:
                    pending.append((len(order) - (bottom + 1 - r0), (0, a, r1 - r0, b)))
        order += g
        if feats.subtotals:
            row = [""] * width
            sums = {c: sum(_plain_number(rows[r][c]) or 0.0 for r in g) for c in sum_cols}
            for c, v in sums.items():
                row[c] = round(v, 4)
            col = {"level3": c3, "level2": c2, "level1": c1}[feats.subtotal_in]
            row[col] = feats.subtotal_word
            m1 = sheet.merge_of(g[0], c1)
            if feats.subtotal_in == "level1" or m1 is None or m1[2] != g[-1]:
                add_new(row, ((col, c3 if col < c3 else col),) if col < c3 else ())
            else:  # inside the group: the merged 一级 (and the 二级 cell if it spans the whole group) grow
                extend[m1] = g[-1]
                m2 = sheet.merge_of(g[0], c2)
                if m2 is not None and m2[2] == g[-1] and feats.subtotal_in != "level2":
                    extend[m2] = g[-1]
                add_new(row, ((col, c3),) if col < c3 else ())
    if not feats.total_first:
        order.append(total)
    order += list(range(total + 1, len(rows)))
    new_of = {old: k for k, old in enumerate(order) if isinstance(old, int)}
    new_of.update({r: r + len(order) - len(rows) for r in range(len(rows), max((m[2] for m in sheet.merged), default=0) + 1)})
    out_rows = [rows[o] if isinstance(o, int) else o[1] for o in order]
    for rng in sheet.merged:
        r0, a, r1, b = rng
        n0, n1 = new_of[r0], new_of[r1]
        if rng in extend:
            n1 += 1
        if r0 == total and feats.total_first:  # a label merged over cells a taller merge now covers
            covered = {c for (s0, ca, s1, cb) in sheet.merged if s0 <= top and s1 > bottom for c in range(ca, cb + 1)}
            while a in covered and a < b:
                out_rows[n0][a + 1] = out_rows[n0][a]
                out_rows[n0][a] = ""
                a += 1
        if n1 < n0:
            continue
        new_merges.append((n0, a, n1, b))
    for k, (d0, a, d1, b) in pending:
        if (d0, a, d1, b) != (0, a, 0, a):
            new_merges.append((k + d0, a, k + d1, b))
    new_refs = {}
    for name, ref in refs.items():
        r, c = parse_a1(ref)
        if r == total and feats.total_first:
            new_refs[name] = a1(new_of[r], c)
        else:
            new_refs[name] = a1(new_of.get(r, r), c)
    return Sheet(sheet.name, sheet.index, out_rows, new_merges), new_refs


# ---------------------------------------------------------------- the management table (seed 001, made clean)

# Seed 001's categories (满分, 得分); the seed states 合计 91 and 98.91, the categories add up to 89 of 92.
MANAGEMENT_CATEGORIES = (
    ("重大政策落实", 12.0, 11.0), ("预算编制管理", 12.0, 12.0), ("预算执行管理", 24.0, 23.0), ("预算绩效管理", 22.0, 21.5),
    ("资产管理", 5.0, 4.5), ("预算透明度", 7.0, 7.0), ("预算信息化", 10.0, 10.0), ("存在问题扣分", 0.0, 0.0),
)
MANAGEMENT_NOTES = ("专项资金管理、“三保”支出保障落实到位", "按时规范编制部门预算", "无预警问题，报表准确", "事前绩效评估按要求开展",
                    "按时报送国有资产月报、年报", "预决算信息完整公开", "规范操作一体化系统", "未发现违反财政法规的问题")
# 预算执行管理 split into two sub-items (the category row states their sums, or is left blank)
MANAGEMENT_PARTS = {2: (("预算执行进度", 12.0, 11.5), ("决算及政府采购管理", 12.0, 11.5))}
_CN = "一二三四五六七八九十"


@dataclass(frozen=True)
class ManagementLayout:
    order_seed: int
    dx: int = 0
    dy: int = 0
    title_rows: int = 1  # 0–2: the title, 填报单位
    unit_row: bool = False  # 单位：分
    two_row_header: bool = False  # 满分 / 得分 under a merged parent, the others merged down
    seq: str = "arabic"  # none | arabic (1, 2 …) | chinese (一 …) | name (一、 in front of the name)
    note_column: bool = True
    extra_column: bool = False
    words: int = 0  # which header words
    totals: str = "last"  # first | last
    converted: str = "row"  # row | column | line
    grade: bool = False  # a 评价等级 | 优 line
    parts: str = "none"  # none | stated | blank | subtotal: 预算执行管理 split into numbered sub-items (its row
    # states their sums, or is a title with a 小计 row below them or without one)
    deduction: str = "zero"  # how the 存在问题扣分 score 0 is written: zero | text | dash-free text "0.00"
    text_share: float = 0.0
    fullwidth: bool = False
    spacers: bool = False
    notes: bool = False


def management_layouts() -> st.SearchStrategy[ManagementLayout]:
    return st.builds(
        ManagementLayout, order_seed=st.integers(0, 10_000), dx=st.integers(0, 3), dy=st.integers(0, 3),
        title_rows=st.integers(0, 2), unit_row=st.booleans(), two_row_header=st.booleans(),
        seq=st.sampled_from(["none", "arabic", "chinese", "name"]), note_column=st.booleans(),
        extra_column=st.booleans(), words=st.integers(0, 3), totals=st.sampled_from(["first", "last"]),
        converted=st.sampled_from(["row", "column", "line"]), grade=st.booleans(),
        parts=st.sampled_from(["none", "none", "stated", "blank", "subtotal"]), deduction=st.sampled_from(["zero", "text", "decimal"]),
        text_share=st.sampled_from([0.0, 0.0, 0.5, 1.0]), fullwidth=st.booleans(), spacers=st.booleans(),
        notes=st.booleans(),
    )


_MT_WORDS = (  # name, full, score, note, parent over 满分 | 得分
    ("评价内容", "满分", "得分", "说明", "评分情况"),
    ("考核内容", "分值", "自评分", "评分说明", "自评情况"),
    ("考核项目", "标准分", "得分", "扣分说明", "考核评分"),
    ("评价项目", "满分", "评分", "备注", "评分情况"),
)


def render_management(lay: ManagementLayout, *, inject: tuple[str, float] | None = None):
    """Seed 001's management table, made clean (合计 92 / 89, 换算得分 96.74, 优), under ``lay``.
    ``inject`` = (what, value) with what in total_full | total | converted | grade | part_sum (the
    得分 of the category over sub-items, on its row or its 小计 row): that stated cell is wrong. Returns (sheet, {what: A1 of the cell}) for every derived cell."""
    from xltool.cells import a1

    rnd = random.Random(lay.order_seed)
    words = _MT_WORDS[lay.words]
    cols = (["seq"] if lay.seq in ("arabic", "chinese") else []) + ["name"]
    tail = ["full", "score"]
    rnd.shuffle(tail)  # 满分 | 得分 or 得分 | 满分
    tail += ["note"] if lay.note_column else []
    if lay.converted == "column":
        tail.insert(tail.index("score") + 1, "converted")
    cols += tail
    if lay.extra_column:
        cols.insert(rnd.randint(cols.index("name") + 1, len(cols)), "extra")
    x = lay.dx
    col = {c: x + k for k, c in enumerate(cols)}
    width = x + len(cols)
    labels = {"seq": "序号", "name": words[0], "full": words[1], "score": words[2], "note": words[3],
              "converted": "换算得分", "extra": "责任科室"}
    cells: dict[tuple[int, int], object] = {}
    merged: list[tuple[int, int, int, int]] = []
    refs: dict[str, str] = {}
    wrong = dict([inject]) if inject else {}

    def num(v: float, *, force_text: bool = False):
        if not force_text and rnd.random() >= lay.text_share:
            return float(v)
        t = f"{v:g}" if not force_text else f"{v:.2f}"
        return t.translate(_FULL) if lay.fullwidth else t

    r = lay.dy
    titles = ("东史端镇2023年度绩效管理自评表", "填报单位：保定市徐水区东史端镇人民政府")
    for k in range(lay.title_rows):
        cells[(r, x)] = titles[k]
        merged.append((r, x, r, width - 1))
        r += 1
    if lay.unit_row:
        cells[(r, width - 1)] = "单位：分"
        r += 1
    top = r
    if lay.two_row_header:
        for c in cols:
            if c in ("full", "score"):
                cells[(top + 1, col[c])] = labels[c]
            else:
                cells[(top, col[c])] = labels[c]
                merged.append((top, col[c], top + 1, col[c]))
        a, b = sorted((col["full"], col["score"]))
        cells[(top, a)] = words[4]
        if b - a == 1:
            merged.append((top, a, top, b))
        else:  # 满分 and 得分 not side by side: each keeps its own parent cell
            cells[(top, b)] = words[4]
        r = top + 2
    else:
        for c in cols:
            cells[(r, col[c])] = labels[c]
        r += 1
    full_total = sum(f for _, f, _ in MANAGEMENT_CATEGORIES)
    score_total = sum(s for _, _, s in MANAGEMENT_CATEGORIES)
    conv = round(score_total / full_total * 100, 2)

    def total_row():
        nonlocal r
        label_col = col["name"] if rnd.random() < 0.7 or "seq" not in col else col["seq"]
        cells[(r, label_col)] = rnd.choice(["合计", "合  计", "总分", "得分合计"])
        cells[(r, col["full"])] = num(wrong.get("total_full", full_total))
        cells[(r, col["score"])] = num(wrong.get("total", score_total))
        refs["total_full"], refs["total"] = a1(r, col["full"]), a1(r, col["score"])
        if lay.converted == "column":
            cells[(r, col["converted"])] = num(wrong.get("converted", conv))
            refs["converted"] = a1(r, col["converted"])
        r += 1
        if lay.converted == "row":
            cells[(r, col["name"])] = "换算得分"
            cells[(r, col["full"])] = 100.0
            cells[(r, col["score"])] = num(wrong.get("converted", conv))
            if "note" in col:
                cells[(r, col["note"])] = "换算得分=得分÷满分×100"
            refs["converted"] = a1(r, col["score"])
            r += 1

    # sub-items (1. / 2.) only under numbered categories (一 in the 序号 column, or 一、 before the name)
    parts = lay.parts if lay.seq in ("chinese", "name") else "none"
    if lay.totals == "first":
        total_row()
    for i, (name, full, got) in enumerate(MANAGEMENT_CATEGORIES):
        if lay.spacers and i == 4:
            r += 1
        if "seq" in col:
            cells[(r, col["seq"])] = float(i + 1) if lay.seq == "arabic" else _CN[i]
        cells[(r, col["name"])] = f"{_CN[i]}、{name}" if lay.seq == "name" else name
        zero_deduction = got == 0 and "扣分" in name
        if parts in ("blank", "subtotal") and i in MANAGEMENT_PARTS:
            pass  # the category row is a title over its sub-items
        else:
            cells[(r, col["full"])] = num(full)
            if parts == "stated" and i in MANAGEMENT_PARTS:
                got = wrong.get("part_sum", got)
                refs["part_sum"] = a1(r, col["score"])
            if zero_deduction and lay.deduction != "zero":
                cells[(r, col["score"])] = "0" if lay.deduction == "text" else num(0.0, force_text=True)
            else:
                cells[(r, col["score"])] = num(got)
        if "note" in col:
            cells[(r, col["note"])] = MANAGEMENT_NOTES[i]
        if "extra" in col:
            cells[(r, col["extra"])] = ("预算股", "财政所", "国资办")[i % 3]
        r += 1
        if parts != "none" and i in MANAGEMENT_PARTS:
            for j, (pname, pfull, pgot) in enumerate(MANAGEMENT_PARTS[i]):
                cells[(r, col["name"])] = f"{j + 1}.{pname}"
                cells[(r, col["full"])] = num(pfull)
                cells[(r, col["score"])] = num(pgot)
                r += 1
            if parts == "subtotal":  # the category's sums on a 小计 row under its sub-items
                cells[(r, col["name"])] = "小计"
                cells[(r, col["full"])] = num(full)
                cells[(r, col["score"])] = num(wrong.get("part_sum", got))
                refs["part_sum"] = a1(r, col["score"])
                r += 1
    if lay.totals == "last":
        total_row()
    if lay.converted == "line":
        cells[(r, x)] = f"换算得分：{wrong.get('converted', conv)}分"
        refs["converted"] = a1(r, x)
        r += 1
    if lay.grade:
        cells[(r, x)] = "评价等级"
        cells[(r, x + 1)] = wrong.get("grade", "优")
        refs["grade"] = a1(r, x + 1)
        r += 1
    if lay.notes:
        r += 1
        cells[(r, x)] = "注：换算得分=得分÷满分×100，保留两位小数。"
        cells[(r + 1, x)] = "填报人：张三    审核人：李四"
        r += 2
    rows = [["" for _ in range(width)] for _ in range(max(rr for rr, _ in cells) + 1)]
    for (rr, cc), v in cells.items():
        rows[rr][cc] = v
    return Sheet(name="绩效管理自评表", index=0, rows=rows, merged=merged), refs
