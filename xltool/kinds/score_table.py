"""部门整体支出绩效评价指标评分表 — the scored indicator table (DOMAIN.md §1 D, seed 003).

一级 → 二级 → 三级 indicators (any two or more levels), each with 分值 (max points) and 得分. The header
is found by its labels (一级指标 / 二级指标 / 三级指标, 分值 / 满分, 得分) anywhere in the first 40 rows,
columns in any order. Layout variants handled:

* 一级/二级 names merged down their rows, written once with blanks below, or repeated on every row;
* a 分值 (and optionally 得分) column beside a level's name column: that level's stated points, read on
  the group's first row; a 分值/得分 column belongs to the nearest level name column on its left;
* sub-total rows (``小计``, ``投入小计``, ``预算执行合计`` …) instead of, or besides, those columns: a
  bare ``小计`` in level L's name column totals the current group of level L − 1 (in the 一级 column: the
  current 一级); a named one totals the group it names;
* a 合计/总计/总分 row (the stated totals) and a 评价等级 row, a ``评价等级：优秀`` line or a 等级 column;
* items named ``…扣分…`` (a deduction item, 分值 0 or blank): its 得分 is subtracted, whether written
  as −2 or 2;
* the header written again at the top of a printed page (skipped);
* a 扣分 column beside 分值 and 得分 (扣分 = 分值 − 得分 on every row that states them, 扣分原因 is a note);
* one indicator-name column whose levels are numbered in the names or in the 序号 cell beside them
  (一、 | 投入指标, （一） | 预算编制, 1 | 预算编制完整性), with the 合计 first or last.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from xltool.cells import EMPTY, Cell, Num, Text
from xltool.io.book import Sheet
from xltool.kinds import table as T
from xltool.kinds import vocabulary as V
from xltool.kinds.common import is_note, label, num_at, text_at, text_after_label
from xltool.grades import GRADE_GROUPS

NAME = "score-table"
TITLE = "部门整体支出绩效评价指标评分表"
RULES_MODULE = "xltool.rules.score_table"

SCAN_ROWS = 40
LEVEL_CN = ("一", "二", "三", "四")

# Header words and row words are vocabulary data (kinds/vocabulary: SCORE_TABLE …).
REFUSE_WORDS = V.SCORE_TABLE_REFUSE


def level_name(level: int) -> str:
    """0 → 一级指标."""
    return f"{LEVEL_CN[level] if level < len(LEVEL_CN) else level + 1}级指标"


def is_deduction(name: str) -> bool:
    return any(w in label(name) for w in V.DEDUCTION_WORDS)


# ---------------------------------------------------------------- header

def column_role(text: str) -> str | None:
    """"points" / "score" / "grade" / "note" / "seq" for a header label, or None (the vocabulary's
    SCORE_TABLE roles; a level label is no such column)."""
    role = T.match(text, V.SCORE_TABLE)
    return None if role is None or role.name in V.SCORE_LEVELS else role.name


def refused(sheet: Sheet, last_row: int = SCAN_ROWS) -> bool:
    """True when the rows down to ``last_row`` (a header's last row) carry header labels of the project
    forms or of the summary table. Rows below the header are data (notes may mention 权重 freely)."""
    for r in range(min(last_row + 1, sheet.nrows)):
        texts = [label(t) for t in sheet.row_texts(r) if t]
        short = [t for t in texts if len(t) <= 15]
        if any(w in t for t in short for w in REFUSE_WORDS):
            return True
        if (any("项目名称" in t for t in short) and any("预算" in t for t in short)
                and any("执行" in t for t in short)):
            return True
    return False


@dataclass
class _Header:
    row: int  # the row with the level labels
    end: int  # last header row
    levels: list[int]  # name column per level, 0 = 一级
    labels: list[str]
    points: dict[int, int]  # level → 分值 column
    scores: dict[int, int]  # level → 得分 column
    grade_col: int | None
    note_col: int | None
    seq_col: int | None
    last_col: int
    band: T.Header | None = None
    deduct_col: int | None = None  # 扣分 (分值 − 得分)


def _header_of(sheet: Sheet, band: T.Header) -> _Header | None:
    """The kind's reading of a header band: the level columns (一级 → 三级, at least two, from 一级 on),
    and each 分值/得分 column's level (the nearest level column on its left)."""
    roles = band.col_roles
    levels: dict[int, int] = {}
    for c, role in sorted(roles.items()):
        if role in V.SCORE_LEVELS:
            levels.setdefault(V.SCORE_LEVELS.index(role), c)
    order = sorted(levels)
    if len(order) < 2 or order != list(range(len(order))):
        return None
    name_cols = [levels[i] for i in order]
    point_cols = sorted(c for c, k in roles.items() if k == "points")
    score_cols = sorted(c for c, k in roles.items() if k == "score")
    if not point_cols or not score_cols:
        return None
    leaf = len(name_cols) - 1

    def owner(c: int) -> int:
        left = [i for i, nc in enumerate(name_cols) if nc < c]
        return max(left, key=lambda i: name_cols[i]) if left else leaf

    points: dict[int, int] = {}
    scores: dict[int, int] = {}
    for c in point_cols:
        points.setdefault(owner(c), c)
    for c in score_cols:
        scores.setdefault(owner(c), c)
    if leaf not in points and len(point_cols) == 1:
        points = {leaf: point_cols[0]}
    if leaf not in scores and len(score_cols) == 1:
        scores = {leaf: score_cols[0]}
    if leaf not in points or leaf not in scores:
        return None

    def first(role: str) -> int | None:
        return next((c for c, k in sorted(roles.items()) if k == role), None)

    labels = [next((sheet.text(r, c) for r in range(band.bottom, band.top - 1, -1) if sheet.text(r, c)), "")
              for c in name_cols]
    return _Header(band.top, band.bottom, name_cols, labels, points, scores, first("grade"), first("note"),
                   first("seq"), max(roles), band, first("deducted"))


def _find_header(sheet: Sheet) -> _Header | None:
    band = T.find_header(sheet, V.SCORE_TABLE, ("level0", "level1", "points", "score"), scan_rows=SCAN_ROWS)
    return _header_of(sheet, band) if band is not None else None


def _numbered_header(sheet: Sheet) -> _Header | None:
    """A table with one indicator-name column (指标 | 分值 | 得分 | 评分说明) whose levels are written as
    numbering in the names: 一、投入指标 / （一）预算编制 / 1.预算编制完整性. It is a score table when at
    least two 一、 rows below name the score table's 一级 levels (投入, 过程, 产出, 效果/效益)."""
    for r in range(min(SCAN_ROWS, sheet.nrows)):
        texts = [label(t) for t in sheet.row_texts(r)]
        name_c = next((c for c, t in enumerate(texts) if t in V.SCORE_NAME_LABELS), None)
        if name_c is None:
            continue
        roles = {c: column_role(t) for c, t in enumerate(texts) if t and c != name_c}
        pts = [c for c, k in roles.items() if k == "points"]
        scs = [c for c, k in roles.items() if k == "score"]
        if not pts or not scs:
            continue
        seq_c = next((c for c, k in sorted(roles.items()) if k == "seq"), None)
        tops = deeper = 0
        for r2 in range(r + 1, sheet.nrows):
            name = sheet.text(r2, name_c).strip()
            lv = _row_level(sheet, r2, name_c, seq_c)
            if lv == 0 and any(w in name for w in V.SCORE_TOP_WORDS):
                tops += 1
            elif lv is not None and lv > 0:
                deeper += 1
        if tops < 2 or not deeper:
            return None

        def first(role: str) -> int | None:
            return next((c for c, k in sorted(roles.items()) if k == role), None)

        return _Header(r, r, [name_c], [sheet.text(r, name_c)], {0: pts[0]}, {0: scs[0]}, first("grade"),
                       first("note"), seq_c, max([name_c, *roles]), deduct_col=first("deducted"))
    return None


def _row_level(sheet: Sheet, r: int, name_c: int, seq_c: int | None) -> int | None:
    """The numbering level of a row of a one-name-column table: from the name ("一、投入指标"), else from the
    序号 cell beside it (一、 / （一） / a bare 1 → 0 / 1 / 2)."""
    lv = T.numbering(sheet.text(r, name_c).strip())
    if lv is None and seq_c is not None:
        seq = sheet.text(r, seq_c).strip()
        lv = T.numbering(seq)
        if lv is None and re.fullmatch(r"\d{1,2}", seq):
            lv = 2
    return lv


def detect(sheet: Sheet) -> bool:
    if sheet.nrows == 0:
        return False
    h = _find_header(sheet) or _numbered_header(sheet)
    return h is not None and not refused(sheet, h.end + 1)


# ---------------------------------------------------------------- record

@dataclass(frozen=True)
class Item:
    """A leaf indicator (三级, or the deepest level the table has)."""

    row: int
    path: tuple[str, ...]  # names of the groups above it, 一级 first
    name: Text
    points: Num
    score: Num
    note: Text | None
    deduction: bool = False


@dataclass(frozen=True)
class Subtotal:
    row: int
    label: Text
    points: Num | None
    score: Num | None


@dataclass(frozen=True)
class Group:
    level: int  # 0 = 一级
    name: Text
    first_row: int
    last_row: int
    points: Num | None  # from the level's own 分值 column
    score: Num | None  # from the level's own 得分 column
    subtotals: tuple[Subtotal, ...]
    groups: tuple["Group", ...]
    items: tuple[Item, ...]

    @property
    def title(self) -> str:
        return self.name.value or "（未命名）"

    @property
    def children(self) -> tuple:
        return self.groups + self.items


@dataclass(frozen=True)
class TotalRow:
    row: int
    label: Text
    points: dict[int, Num]  # level → stated 分值 total in that level's 分值 column
    scores: dict[int, Num]  # level → stated 得分 total


@dataclass(frozen=True)
class ScoreTable:
    sheet: str
    title: str
    header_rows: tuple[int, int]
    last_col: int
    level_labels: tuple[str, ...]
    leaf_level: int
    points_cols: dict[int, int]
    score_cols: dict[int, int]
    groups: tuple[Group, ...]  # 一级 groups
    items: tuple[Item, ...]  # every leaf, in sheet order
    total: TotalRow | None
    grade: Text | None  # the stated grade
    other_totals: tuple[TotalRow, ...] = ()  # a 合计 also written right under the header (totals first and last)
    deductions: tuple[tuple[Num, Num, Num], ...] = ()  # (分值, 得分, 扣分) of each row that states all three

    BLANK_WHAT = "任何得分"  # XL002's words for what a blank table lacks

    @property
    def untouched(self) -> bool:
        """A blank table (a fresh template, or indicators with their 分值 only): no indicator scored and no
        group, 小计 or 合计 score other than 0 (what a template's formulas show). 分值 do not count: the
        bureau hands the table out with them filled in. Listed as blank (XL002) instead of checked."""
        if any(i.score.state != EMPTY for i in self.items):
            return False
        sums: list = []
        stack = list(self.groups)
        while stack:
            g = stack.pop()
            sums.append(g.score)
            sums.extend(s.score for s in g.subtotals)
            stack.extend(g.groups)
        for t in ((self.total,) if self.total else ()) + self.other_totals:
            sums.extend(t.scores.values())
        return not any(n is not None and n.state != EMPTY and n.value != 0 for n in sums)


@dataclass
class _G:
    level: int
    name: Text
    first_row: int
    last_row: int
    points: Num | None = None
    score: Num | None = None
    subtotals: list = field(default_factory=list)
    groups: list = field(default_factory=list)
    items: list = field(default_factory=list)

    def freeze(self) -> Group:
        return Group(self.level, self.name, self.first_row, self.last_row, self.points, self.score,
                     tuple(self.subtotals), tuple(g.freeze() for g in self.groups), tuple(self.items))


def _key(text: str) -> str:
    """A name for matching: no numbering, no 指标/小计/合计, no punctuation."""
    t = label(text)
    t = re.sub(r"^[(（]?[一二三四五六七八九十\d]+[)）、.．]?", "", t)
    for w in ("小计", "合计", "指标", "得分", "分值", "(", ")", "（", "）", "：", ":"):
        t = t.replace(w, "")
    t = re.sub(r"\d+(\.\d+)?分?", "", t)
    return t


def _is_total_label(text: str) -> bool:
    t = label(text)
    return bool(t) and len(t) <= 14 and any(t.startswith(w) for w in V.SCORE_TOTAL_WORDS)


def is_grade_label(text: str) -> bool:
    """"评价等级", "评价等级：优秀", "评价等级为良好" — not an indicator named "评价结果应用率"."""
    t = label(text)
    if not t or len(t) > 20:
        return False
    for w in V.SCORE_GRADE_WORDS:
        if t.startswith(w):
            rest = t[len(w):].lstrip(":：为是").strip()
            if not rest or rest[0] in "(（" or (len(rest) <= 8 and any(rest.startswith(g) for gs in GRADE_GROUPS for g in gs)):
                return True
    return False


def _grade_in_row(sheet: Sheet, r: int, h: _Header) -> Text | None:
    """The grade written in a 评价等级 row (``评价等级：优秀`` or the next non-empty cell)."""
    for c in range(sheet.ncols):
        t = sheet.text(r, c)
        if not is_grade_label(t):
            continue
        return text_after_label(sheet, r, c)
    return None


def read(sheet: Sheet) -> ScoreTable:
    h = _find_header(sheet)
    if h is None:
        h = _numbered_header(sheet)
        if h is None:
            raise ValueError("not a score table")
        return _read_numbered(sheet, h)
    n = len(h.levels)
    leaf = n - 1
    title = next((t for r in range(h.row) for t in sheet.row_texts(r) if t), "")

    # row roles from the table model: totals (first, last or both), 小计 rows, numbered group title
    # rows with figures, and where the table ends (a note, blank rows, a second table)
    leaf_c = h.levels[leaf]
    rows = T.classify_rows(sheet, h.band, name_col=leaf_c, seq_col=h.seq_col,
                           amount_cols=[h.points[leaf], h.scores[leaf]], level_cols=tuple(h.levels[:leaf]),
                           total_words=V.SCORE_TOTAL_WORDS)
    keyed = set(rows.totals) | set(rows.subtotals)
    titled = {r for r, _ in rows.groups}
    repeated = set(rows.headers)  # the header written again at a printed page's top

    top: list[_G] = []
    current: list[_G | None] = [None] * leaf  # open group per non-leaf level
    items: list[Item] = []
    pending: list[tuple[int, tuple[str, ...], Text, _G | None]] = []  # item rows before their values are read
    total: TotalRow | None = None
    first_total: TotalRow | None = None
    grade: Text | None = None
    for r in range(h.end + 1, rows.end + 1):
        if r in repeated:
            continue
        texts = sheet.row_texts(r)
        if not any(texts):
            continue
        first = next(t for t in texts if t)
        if is_grade_label(first):
            grade = grade or _grade_in_row(sheet, r, h)
            continue
        sub = _subtotal_target(sheet, r, h, current, first) if r in keyed else None
        if sub == "total" and not items and not top and total is None:
            total = _total_row(sheet, r, h)  # totals first, right under the header: read on
            if h.grade_col is not None and sheet.text(r, h.grade_col):
                grade = text_at(sheet, r, h.grade_col)
            continue
        if sub == "total":
            if total is not None and total.row < r:
                first_total = total  # totals first and last: both are checked
            total = _total_row(sheet, r, h)
            if h.grade_col is not None and sheet.text(r, h.grade_col):
                grade = text_at(sheet, r, h.grade_col)
            else:
                grade = grade or _grade_in_row(sheet, r, h)
            # a grade row may follow
            for r2 in range(r + 1, min(r + 6, sheet.nrows)):
                row2 = [t for t in sheet.row_texts(r2) if t]
                if row2 and (is_note(row2[0]) and not is_grade_label(row2[0])):
                    break
                if any(is_grade_label(t) for t in row2):
                    grade = grade or _grade_in_row(sheet, r2, h)
                    break
            break
        if sub is not None:
            g, lab_c = sub
            g.subtotals.append(Subtotal(r, text_at(sheet, r, lab_c), _num_any(sheet, r, h.points, leaf, g.level, "小计分值"),
                                        _num_any(sheet, r, h.scores, leaf, g.level, "小计得分")))
            g.last_row = r
            continue
        # an item row: open / continue the groups
        leaf_anchor = sheet.anchor(r, leaf_c)
        if leaf_anchor[0] < r and sheet.text(r, leaf_c):  # continuation of an item merged over rows
            continue
        names = [sheet.text(r, h.levels[i]) for i in range(leaf)]
        leaf_text = sheet.text(r, leaf_c)
        p_raw, s_raw = sheet.text(r, h.points[leaf]), sheet.text(r, h.scores[leaf])
        if not leaf_text and not p_raw and not s_raw:
            # a row with only group names (a heading, or a group's name on its own row): open groups
            _open_groups(sheet, r, h, names, current, top)
            continue
        if leaf_text and any(sheet.merge_of(r, leaf_c) is not None and sheet.merge_of(r, leaf_c) == sheet.merge_of(r, h.levels[i])
                             for i in range(leaf)):
            # a heading merged across the level columns ("一、投入指标（20分）"): it names the 一级 group
            _open_groups(sheet, r, h, [leaf_text] + [""] * (leaf - 1), current, top)
            continue
        if not leaf_text and not any(names):
            continue  # numbers without any name: an unlabelled sum row, not an indicator
        if not leaf_text:
            deepest = max(i for i in range(leaf) if names[i])
            if r in titled and (deepest not in h.points or h.points[deepest] == h.points[leaf]):
                # a numbered group heading with its figures in the item columns ("一、投入指标 20 20"):
                # the group's stated 分值/得分, checked like a 小计, never an indicator
                _open_groups(sheet, r, h, names[:deepest + 1] + [""] * (leaf - deepest - 1), current, top)
                g = current[deepest]
                g.subtotals.append(Subtotal(r, text_at(sheet, r, h.levels[deepest]),
                                            _num_any(sheet, r, h.points, leaf, g.level, f"{level_name(deepest)}分值"),
                                            _num_any(sheet, r, h.scores, leaf, g.level, f"{level_name(deepest)}得分")))
                continue
        _open_groups(sheet, r, h, names, current, top)
        name_c = leaf_c
        if not leaf_text:
            deepest = max((i for i in range(leaf) if names[i]), default=None)
            if deepest is not None:
                name_c = h.levels[deepest]
        name = text_at(sheet, r, name_c)
        path = tuple(g.name.value for g in current if g is not None)
        holder = next((g for g in reversed(current) if g is not None), None)
        pending.append((r, path, name, holder))
        if holder is not None:
            for g in current:
                if g is not None:
                    g.last_row = r

    items = _items(sheet, h, leaf, pending)
    groups = tuple(g.freeze() for g in top)
    others = (first_total,) if first_total is not None else ()
    pairs = [(i.points, i.score) for i in items if not i.deduction]
    pairs += [(s.points, s.score) for g in _walk(groups) for s in g.subtotals]
    pairs += [(g.points, g.score) for g in _walk(groups) if h.points.get(g.level) == h.points[leaf]]
    pairs += [(t.points.get(leaf), t.scores.get(leaf)) for t in ((total,) if total else ()) + others]

    return ScoreTable(
        sheet=sheet.name, title=title, header_rows=(min(h.row, h.end), h.end), last_col=h.last_col,
        level_labels=tuple(h.labels), leaf_level=leaf, points_cols=dict(h.points), score_cols=dict(h.scores),
        groups=groups, items=tuple(items), total=total, grade=grade, other_totals=others,
        deductions=_deductions(sheet, h, pairs),
    )


def _walk(groups):
    for g in groups:
        yield g
        yield from _walk(g.groups)


def _deductions(sheet: Sheet, h: _Header, pairs) -> tuple:
    """(分值, 得分, 扣分) of each row whose 分值 and 得分 (``pairs``) are numbers and whose 扣分 cell is one."""
    if h.deduct_col is None:
        return ()
    out, seen = [], set()
    for p, s in pairs:
        if p is None or s is None or p.value is None or s.value is None or p.cell.row != s.cell.row:
            continue
        if s.cell.row in seen:
            continue
        seen.add(s.cell.row)
        d = num_at(sheet, s.cell.row, h.deduct_col, "扣分", kind="score")
        if d.value is not None:
            out.append((p, s, d))
    return tuple(out)


def _items(sheet: Sheet, h: _Header, leaf: int, pending: list) -> list[Item]:
    """The items of the pending rows (row, path, name, holder group): their 分值 and 得分 read
    column-wise; each item is added to its holder group."""
    item_rows = [p[0] for p in pending]
    pts = T.read_column(sheet, item_rows, h.points[leaf], "points", "分值", T.SCORE)
    scs = T.read_column(sheet, item_rows, h.scores[leaf], "score", "得分", T.SCORE)
    items: list[Item] = []
    for i, (r, path, name, holder) in enumerate(pending):
        item = Item(row=r, path=path, name=name, points=pts.num(i), score=scs.num(i),
                    note=text_at(sheet, r, h.note_col) if h.note_col is not None else None,
                    deduction=is_deduction(name.value))
        items.append(item)
        if holder is not None:
            holder.items.append(item)
    return items


def _read_numbered(sheet: Sheet, h: _Header) -> ScoreTable:
    """One name column, levels from the numbering: a row followed by a more deeply numbered row is a
    group (its 分值/得分 are the group's stated figures), any other row an item."""
    name_c, pc, sc = h.levels[0], h.points[0], h.scores[0]
    title = next((t for r in range(h.row) for t in sheet.row_texts(r) if t), "")
    body: list[tuple[int, int]] = []  # (row, numbering level; 99 = unnumbered)
    totals: list[int] = []
    grade: Text | None = None
    for r in range(h.end + 1, sheet.nrows):
        first = next((t for t in sheet.row_texts(r) if t), None)
        if first is None or is_grade_label(first):
            grade = grade or (_grade_in_row(sheet, r, h) if first else None)
            continue
        if is_note(first) or T.is_note_text(first):
            break
        name = sheet.text(r, name_c)
        t = label(name)
        if _is_total_label(name) or (t.endswith("合计") and len(t) <= 14):
            totals.append(r)
            if h.grade_col is not None and sheet.text(r, h.grade_col):
                grade = text_at(sheet, r, h.grade_col)
            if body:
                break
            continue
        if totals and body and totals[-1] > body[0][0]:
            break
        if not name.strip():
            continue
        lv = _row_level(sheet, r, name_c, h.seq_col)
        body.append((r, 99 if lv is None else lv))
    for r2 in range(totals[-1] + 1 if totals else sheet.nrows, min((totals[-1] if totals else sheet.nrows) + 6,
                                                                   sheet.nrows)):
        row2 = [t for t in sheet.row_texts(r2) if t]
        if row2 and any(is_grade_label(t) for t in row2):
            grade = grade or _grade_in_row(sheet, r2, h)
            break

    top: list[_G] = []
    stack: list[tuple[int, _G]] = []  # (numbering level, open group)
    pending: list[tuple[int, tuple[str, ...], Text, _G | None]] = []
    for i, (r, lv) in enumerate(body):
        while stack and stack[-1][0] >= lv:
            stack.pop()
        nxt = body[i + 1][1] if i + 1 < len(body) else None
        name = text_at(sheet, r, name_c)
        if nxt is not None and nxt > lv:
            depth = len(stack)
            g = _G(depth, name, r, r, num_at(sheet, r, pc, f"{level_name(depth)}分值", kind="score"),
                   num_at(sheet, r, sc, f"{level_name(depth)}得分", kind="score"))
            (stack[-1][1].groups if stack else top).append(g)
            stack.append((lv, g))
            continue
        holder = stack[-1][1] if stack else None
        pending.append((r, tuple(g.name.value for _, g in stack), name, holder))
        for _, g in stack:
            g.last_row = r
    leaf = max((len(p[1]) for p in pending), default=0)
    h = _Header(h.row, h.end, [name_c] * (leaf + 1), [h.labels[0]] * (leaf + 1), {leaf: pc}, {leaf: sc},
                h.grade_col, h.note_col, h.seq_col, h.last_col, deduct_col=h.deduct_col)
    items = _items(sheet, h, leaf, pending)
    total = _total_row(sheet, totals[-1], h) if totals else None
    first_total = _total_row(sheet, totals[0], h) if len(totals) > 1 else None
    groups = tuple(g.freeze() for g in top)
    others = (first_total,) if first_total is not None else ()
    pairs = [(i.points, i.score) for i in items if not i.deduction] + [(g.points, g.score) for g in _walk(groups)]
    pairs += [(t.points.get(leaf), t.scores.get(leaf)) for t in ((total,) if total else ()) + others]
    return ScoreTable(
        sheet=sheet.name, title=title, header_rows=(h.row, h.end), last_col=h.last_col,
        level_labels=tuple(level_name(i) for i in range(leaf + 1)), leaf_level=leaf,
        points_cols=dict(h.points), score_cols=dict(h.scores), groups=groups,
        items=tuple(items), total=total, grade=grade, other_totals=others,
        deductions=_deductions(sheet, h, pairs),
    )


def _open_groups(sheet: Sheet, r: int, h: _Header, names: list[str], current: list, top: list) -> None:
    changed = False
    for lv, name in enumerate(names):
        cur = current[lv]
        if changed or cur is None or (name and label(name) != label(cur.name.value)):
            if not name and not changed and cur is not None:
                continue
            col = h.levels[lv]
            ar, ac = sheet.anchor(r, col)
            g = _G(lv, Text(Cell(sheet.name, ar, ac), name), r, r)
            if lv in h.points and lv != len(h.levels) - 1:
                pr, pc = sheet.anchor(r, h.points[lv])
                g.points = num_at(sheet, pr, pc, f"{level_name(lv)}分值", kind="score")
            if lv in h.scores and lv != len(h.levels) - 1:
                sr, sc = sheet.anchor(r, h.scores[lv])
                g.score = num_at(sheet, sr, sc, f"{level_name(lv)}得分", kind="score")
            if lv == 0:
                top.append(g)
            elif current[lv - 1] is not None:
                current[lv - 1].groups.append(g)
            else:
                top.append(g)
            current[lv] = g
            for lower in range(lv + 1, len(current)):
                current[lower] = None
            changed = True


def _subtotal_target(sheet: Sheet, r: int, h: _Header, current: list, first: str):
    """"total" for the grand total row, (group, label column) for a sub-total row, else None."""
    leaf = len(h.levels) - 1
    # where the label sits: the left-most cell of the row holding 小计/合计/总分 words
    for c in range(min(sheet.ncols, h.levels[leaf] + 1)):
        if sheet.anchor(r, c)[1] != c:
            continue
        t = label(sheet.text(r, c))
        if not t or len(t) > 20:
            continue
        is_sub = "小计" in t
        is_tot = _is_total_label(t) or (t.endswith("合计") and len(t) <= 14)
        if not (is_sub or is_tot):
            continue
        rest = _key(t)
        if rest:
            for g in reversed([g for g in current if g is not None]):
                k = _key(g.name.value)
                if k and (rest in k or k in rest):
                    return g, c
            if is_tot and _is_total_label(t):
                return "total"
            continue
        # a bare 小计 / 合计: by the column it sits in
        lv = next((i for i, nc in enumerate(h.levels) if nc == c), None)
        if lv is None:
            lv = 0 if c < h.levels[0] else None
        names_left = lv is not None and lv > 0 and all(sheet.text(r, h.levels[i]) for i in range(lv))
        if is_sub:
            if lv is None:
                lv = leaf
            target = 0 if lv == 0 else lv - 1
            g = current[target] if target < len(current) else None
            if g is None:
                g = next((g for g in reversed(current) if g is not None), None)
            return (g, c) if g is not None else None
        if names_left:
            g = current[lv - 1]
            if g is not None:
                return g, c
        return "total"
    return None


def _num_any(sheet: Sheet, r: int, cols: dict[int, int], leaf: int, level: int, what: str) -> Num | None:
    """A sub-total row's value: in the leaf column, else in its group's own column."""
    for lv in (leaf, level):
        if lv in cols:
            n = num_at(sheet, r, cols[lv], what, kind="score")
            if n.state != "empty" or lv == level:
                return n
    return None


def _total_row(sheet: Sheet, r: int, h: _Header) -> TotalRow:
    lab_c = next((c for c in range(sheet.ncols) if _is_total_label(sheet.text(r, c)) or "合计" in sheet.text(r, c)), 0)
    ar, ac = sheet.anchor(r, lab_c)
    points: dict[int, Num] = {}
    scores: dict[int, Num] = {}
    used: set[tuple[int, int]] = set()
    for lv, c in sorted(h.points.items(), key=lambda kv: -kv[0]):
        a = sheet.anchor(r, c)
        if a in used or (a[0], a[1]) == (ar, ac):
            continue
        used.add(a)
        n = num_at(sheet, a[0], a[1], "合计分值", kind="score")
        if n.state != "empty":
            points[lv] = n
    for lv, c in sorted(h.scores.items(), key=lambda kv: -kv[0]):
        a = sheet.anchor(r, c)
        if a in used or (a[0], a[1]) == (ar, ac):
            continue
        used.add(a)
        n = num_at(sheet, a[0], a[1], "合计得分", kind="score")
        if n.state != "empty":
            scores[lv] = n
    return TotalRow(r, Text(Cell(sheet.name, ar, ac), sheet.text(r, lab_c)), points, scores)


# ---------------------------------------------------------------- derived figures

def signed_score(item: Item) -> float | None:
    """An item's contribution to the total: a deduction item counts minus its absolute value."""
    v = item.score.value
    if v is None:
        return None
    return -abs(v) if item.deduction else v


def total_score(table: ScoreTable) -> float | None:
    vals = [signed_score(i) for i in table.items]
    vals = [v for v in vals if v is not None]
    return round(sum(vals), 6) if vals else None


def full_score(table: ScoreTable) -> float | None:
    vals = [i.points.value for i in table.items if not i.deduction and i.points.value is not None]
    if vals:
        return round(sum(vals), 6)
    tops = [g.points.value for g in table.groups if g.points is not None and g.points.value is not None]
    return round(sum(tops), 6) if tops else None


def points_of(node) -> float | None:
    """Recomputed 分值 of an item or group: from the items where every one is known, else as stated."""
    if isinstance(node, Item):
        return 0.0 if node.deduction else node.points.value
    vals = [points_of(ch) for ch in node.children]
    if node.children and all(v is not None for v in vals):
        return round(sum(vals), 6)
    return stated_points(node)


def score_of(node) -> float | None:
    if isinstance(node, Item):
        return signed_score(node)
    vals = [score_of(ch) for ch in node.children]
    if node.children and all(v is not None for v in vals):
        return round(sum(vals), 6)
    return stated_score(node)


def stated_points(g: Group) -> float | None:
    for n in [g.points] + [s.points for s in g.subtotals]:
        if n is not None and n.value is not None:
            return n.value
    return None


def stated_score(g: Group) -> float | None:
    for n in [g.score] + [s.score for s in g.subtotals]:
        if n is not None and n.value is not None:
            return n.value
    return None


def all_groups(table: ScoreTable):
    return list(_walk(table.groups))


def results(table: ScoreTable, profile) -> dict:
    tot = total_score(table)
    stated = None
    if table.total is not None:
        s = table.total.scores.get(table.leaf_level) or next(iter(table.total.scores.values()), None)
        stated = s.value if s is not None else None
    return {
        "total_score": _r(tot),
        "grade": profile.bands("form").grade(round(tot, 2)) if tot is not None else None,
        "stated_total": _r(stated),
        "full_score": _r(full_score(table)),
    }


def _r(v: float | None) -> float | None:
    if v is None:
        return None
    v = round(v, 4)
    return int(v) if float(v).is_integer() else v


def review_columns(table: ScoreTable, profile):
    """分值/得分（复核） beside the table: on sub-total rows, the total row and the grade row."""
    from xltool.report.review import ReviewColumn

    pts: dict[int, object] = {}
    scs: dict[int, object] = {}
    for g in all_groups(table):
        for s in g.subtotals:
            p, v = points_of(g), score_of(g)
            if p is not None:
                pts[s.row] = _r(p)
            if v is not None:
                scs[s.row] = _r(v)
    tot = total_score(table)
    if table.total is not None:
        full = full_score(table)
        if full is not None:
            pts[table.total.row] = _r(full)
        if tot is not None:
            scs[table.total.row] = _r(tot)
    if table.grade is not None and tot is not None:
        scs[table.grade.cell.row] = profile.bands("form").grade(round(tot, 2))
    if not pts and not scs:
        return None
    return table.header_rows, table.last_col, [ReviewColumn("分值（复核）", pts, "0.##"),
                                                ReviewColumn("得分（复核）", scs, "0.##")]
