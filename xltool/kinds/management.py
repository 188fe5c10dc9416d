"""绩效管理自评表 — the management self-assessment (DOMAIN.md §1 E, seed 001).

One row per category (重大政策落实, 预算编制管理, … 存在问题扣分) with 满分 and 得分, a 合计 row and a
换算得分 row (换算得分 = 得分 ÷ 满分 × 100). The header is found by its labels (评价内容 / 考核内容 / 项目…,
满分 / 分值, 得分) anywhere in the first 40 rows, columns in any order; 换算得分 may also be a column (read on
the 合计 row) or a line such as ``换算得分：98.91分``.

Categories numbered 一、/（一） with sub-items numbered 1./（1） below them: the sub-items are read as the
category's parts (their sums are checked against the category; the totals use the categories). A category
row may be a title with blank figures over its sub-items, its sums then on a 小计 row below them (read as the
category's 满分 / 得分) or nowhere (the parts' sums count); a 小计 row is never a category. Row roles (合计
first or last, 小计, notes, the table's end) come from the table model.

Deduction category (a name with 扣分 / 扣减 / 减分, e.g. 存在问题扣分): its 得分 is a deduction. It is
written 0 when nothing was deducted, and a deduction of 2 may be written −2 or 2: both mean "minus 2"
(the absolute value is subtracted). Its 满分 cell, if filled, is read as the cap on the deduction and is
not part of the full score.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from xltool.cells import EMPTY, Cell, Num, Text
from xltool.io.book import Sheet
from xltool.kinds import table as T
from xltool.kinds import vocabulary as V
from xltool.kinds.common import is_note, label, num_at, text_at, text_after_label
from xltool.kinds.score_table import is_grade_label, is_deduction, refused

NAME = "management-table"
TITLE = "绩效管理自评表"
RULES_MODULE = "xltool.rules.management"

SCAN_ROWS = 40
# Header and row words are vocabulary data (kinds/vocabulary: MANAGEMENT …).
_CONVERTED_WORDS = V.MANAGEMENT_CONVERTED_WORDS
_TOTAL_WORDS = V.MANAGEMENT_TOTAL_WORDS
_CONVERTED_LINE = re.compile(r"(?:换算|折算)(?:后)?得分[为是：:]*\s*([0-9]+(?:\.[0-9]+)?)")


@dataclass
class _Header:
    row: int
    cols: dict[str, int]
    last_col: int
    band: T.Header


def _find_header(sheet: Sheet) -> _Header | None:
    band = T.find_header(sheet, V.MANAGEMENT, ("name", "full", "score"), scan_rows=SCAN_ROWS,
                         refuse=V.MANAGEMENT_REFUSE)
    if band is None:
        return None
    return _Header(band.bottom, dict(band.columns), band.last_col, band)


def detect(sheet: Sheet) -> bool:
    if sheet.nrows == 0:
        return False
    h = _find_header(sheet)
    if h is None or refused(sheet, h.row + 1):
        return False
    texts = [label(t) for r in range(min(SCAN_ROWS + 20, sheet.nrows)) for t in sheet.row_texts(r) if t]
    if any(w in t for t in texts for w in V.MANAGEMENT_SIGNAL_WORDS):
        return True
    names = [label(sheet.text(r, h.cols["name"])) for r in range(h.row + 1, min(h.row + 30, sheet.nrows))]
    return sum(1 for n in names if any(w in n for w in V.MANAGEMENT_CATEGORY_WORDS)) >= 3


# ---------------------------------------------------------------- record

@dataclass(frozen=True)
class Category:
    row: int
    seq: Text | None
    name: Text
    full: Num  # 满分
    score: Num  # 得分
    note: Text | None
    deduction: bool = False
    parts: tuple["Category", ...] = ()  # sub-items ("1. 专项资金管理") under a category ("（一）重大政策落实")


@dataclass(frozen=True)
class Subtotal:
    """A 小计 row that is not a titled category's own figures: it sums the categories above it since the previous
    小计 (a table that groups its categories without a parent row), or the sub-items of a category that states
    its own figures on its row. ``members`` are those rows (categories or sub-items) as read."""

    row: int
    label: Text
    full: Num
    score: Num
    members: tuple[Category, ...]


@dataclass(frozen=True)
class ManagementTable:
    sheet: str
    title: str
    header_row: int
    last_col: int
    cols: dict[str, int]
    categories: tuple[Category, ...]
    total_row: int | None
    total_full: Num | None  # 合计 满分 as stated
    total_score: Num | None  # 合计 得分 as stated
    converted_row: int | None
    converted: Num | None  # 换算得分 as stated
    grade: Text | None
    subtotals: tuple[Subtotal, ...] = ()
    quiet_rows: frozenset = frozenset()  # 小计, spacer and title rows inside the table: never a category's figures

    BLANK_WHAT = "任何得分"  # XL002's words for what a blank table lacks

    @property
    def untouched(self) -> bool:
        """A blank table (a fresh template, a header with the categories and their 满分 only): no category
        scored and no 合计 or 换算得分 other than 0 (what a template's formulas show). 满分 do not count:
        the bureau hands the table out with them filled in. 0 in a deduction category (存在问题扣分) is its
        default, "nothing deducted", and does not count either. Listed as blank (XL002) instead of checked."""
        for c in self.categories:
            for row in (c,) + c.parts:
                if row.score.state != EMPTY and not (row.deduction and row.score.value == 0):
                    return False
        return not any(n is not None and n.state != EMPTY and n.value != 0
                       for n in (self.total_score, self.converted))


def _first_text(sheet: Sheet, r: int) -> tuple[int, str]:
    for c in range(sheet.ncols):
        t = sheet.text(r, c)
        if t:
            return c, t
    return -1, ""


def _starts(text: str, words) -> bool:
    t = label(text)
    t = re.sub(r"^[(（]?[一二三四五六七八九十\d]+[)）、.．]?", "", t)
    return bool(t) and len(t) <= 16 and any(t.startswith(w) for w in words)


def read(sheet: Sheet) -> ManagementTable:
    h = _find_header(sheet)
    if h is None:
        raise ValueError("not a management table")
    cols = h.cols
    title = next((t for r in range(h.row) for t in sheet.row_texts(r) if t), "")
    # row roles from the table model: the 合计 row(s), and where the table ends (a note, blank rows,
    # a second table); the 换算得分 row / line and the grade line are this kind's own
    rows = T.classify_rows(sheet, h.band, name_col=cols["name"], seq_col=cols.get("seq"),
                           amount_cols=[cols["full"], cols["score"]], total_words=_TOTAL_WORDS)
    totals = set(rows.totals)
    subtotals = set(rows.subtotals)
    cat_rows: list[int] = []
    total_row = converted_row = None
    total_full = total_score = converted = None
    grade: Text | None = None
    loose: set[int] = set()
    sub_rows: list[int] = []
    for r in range(h.row + 1, rows.end + 1):
        texts = sheet.row_texts(r)
        if not any(texts):
            continue
        c0, first = _first_text(sheet, r)
        name = sheet.text(r, cols["name"])
        key = name or first
        if _starts(key, _CONVERTED_WORDS) or _starts(first, _CONVERTED_WORDS):
            converted_row = r
            converted = _converted_in_row(sheet, r, cols, c0) or converted
            continue
        if r in totals:
            total_row = r
            total_full = num_at(sheet, r, cols["full"], "合计满分", kind="score")
            total_score = num_at(sheet, r, cols["score"], "合计得分", kind="score")
            if "converted" in cols:
                n = num_at(sheet, r, cols["converted"], "换算得分", kind="score")
                if n.state != "empty":
                    converted, converted_row = n, r
            if "grade" in cols and sheet.text(r, cols["grade"]):
                grade = text_at(sheet, r, cols["grade"])
            continue
        if r in subtotals:  # a 小计 row under a category's sub-items: the category's sums, never a category
            sub_rows.append(r)
            continue
        if is_grade_label(first):
            grade = text_after_label(sheet, r, c0) or grade
            continue
        m = _CONVERTED_LINE.search(label(first))
        if m and total_row is not None:
            converted_row = r
            converted = _converted_from_text(sheet, r, c0, m)
            continue
        if is_note(first) or not name:
            continue
        full_raw, score_raw = sheet.text(r, cols["full"]), sheet.text(r, cols["score"])
        if total_row is not None and not full_raw and not score_raw:
            if cat_rows and total_row > cat_rows[-1]:
                continue  # text below the table
            loose.add(r)  # under a 合计 written first: a category's title over its sub-items, or text below
        if total_row is not None and cat_rows and total_row > cat_rows[-1]:
            break  # a second list after the 合计 (a 合计 right under the header is read on)
        cat_rows.append(r)
    # the categories' 满分 and 得分, read column-wise
    fulls = T.read_column(sheet, cat_rows, cols["full"], "full", "满分", T.SCORE)
    scores = T.read_column(sheet, cat_rows, cols["score"], "score", "得分", T.SCORE)
    cats = [Category(
        row=r,
        seq=text_at(sheet, r, cols["seq"]) if "seq" in cols else None,
        name=text_at(sheet, r, cols["name"]),
        full=fulls.num(i),
        score=scores.num(i),
        note=text_at(sheet, r, cols["note"]) if "note" in cols else None,
        deduction=is_deduction(sheet.text(r, cols["name"])),
    ) for i, r in enumerate(cat_rows)]
    cats = _nest(cats)
    cats = [c for c in cats if c.row not in loose or c.parts]  # a valueless row without sub-items is no category
    cats, subs = _with_subtotals(sheet, cats, sub_rows, cols)
    stated = {x.row for c in cats for x in (c, *c.parts) if x.full.cell.row == x.row or x.score.cell.row == x.row}
    last = max([total_row or 0, *stated, *sub_rows], default=h.row)
    return ManagementTable(
        sheet=sheet.name, title=title, header_row=h.row, last_col=h.last_col, cols=dict(cols),
        categories=tuple(cats), total_row=total_row, total_full=total_full, total_score=total_score,
        converted_row=converted_row, converted=converted, grade=grade, subtotals=tuple(subs),
        quiet_rows=frozenset(r for r in range(h.row + 1, last) if r not in stated and r != total_row),
    )


def _outline(c: Category) -> int | None:
    """0 for a numbered category ("一、" / "（一）"), 1 for a numbered sub-item ("1." / "（1）"), else None
    (the table model's numbering levels, in the 序号 cell or at the start of the name)."""
    seq = label(c.seq.value) if c.seq is not None else ""
    if seq:
        level = T.numbering(seq if not seq[-1:].isalnum() else seq + "、")
        if level is not None:
            return 0 if level <= 1 else 1
    level = T.numbering(label(c.name.value))
    if level is None or level > 3:
        return None
    return 0 if level <= 1 else 1


def _nest(rows: list[Category]) -> list[Category]:
    """Sub-items under their category, when the table numbers categories 一、二 … and items 1、2 …"""
    levels = [_outline(c) for c in rows]
    if not rows or levels[0] != 0 or 1 not in levels:
        return rows
    out: list[Category] = []
    parts: list[Category] = []
    for c, lv in zip(rows, levels):
        if lv == 1 and out:
            parts.append(c)
            continue
        if parts:
            out[-1] = _with_parts(out[-1], parts)
            parts = []
        out.append(c)
    if parts:
        out[-1] = _with_parts(out[-1], parts)
    return out


def _with_subtotals(sheet: Sheet, cats: list[Category], sub_rows: list[int],
                    cols: dict[str, int]) -> tuple[list[Category], list[Subtotal]]:
    """A 小计 row right under a category's sub-items states that category's 满分 and 得分 when its own row
    (a title over the sub-items) leaves them blank: they are read there (and checked against the parts, MT007).
    Any other 小计 is a ``Subtotal`` of its own: under a category that states its figures, of that category's
    sub-items; else of the categories above it since the previous 小计 (checked by MT008)."""
    from dataclasses import replace

    out = list(cats)
    subs: list[Subtotal] = []
    prev = -1
    for s in sub_rows:
        k = next((i for i in range(len(out) - 1, -1, -1) if out[i].row < s), None)
        if k is None or (out[k].parts and out[k].parts[-1].row > s):
            continue  # above every category, or among a category's sub-items: nothing it plainly sums
        c = out[k]
        full = num_at(sheet, s, cols["full"], "小计满分", kind="score")
        score = num_at(sheet, s, cols["score"], "小计得分", kind="score")
        if c.parts:
            if c.full.state == EMPTY and c.score.state == EMPTY:
                out[k] = replace(c, full=replace(full, label="满分"), score=replace(score, label="得分"))
            else:
                subs.append(Subtotal(s, text_at(sheet, s, cols["name"]), full, score, c.parts))
        else:
            members = tuple(x for x in out[:k + 1] if x.row > prev)
            if members:
                subs.append(Subtotal(s, text_at(sheet, s, cols["name"]), full, score, members))
        prev = s
    return out, subs


def _with_parts(c: Category, parts: list[Category]) -> Category:
    from dataclasses import replace

    return replace(c, parts=tuple(parts))


def _converted_in_row(sheet: Sheet, r: int, cols: dict[str, int], label_col: int) -> Num | None:
    """The 换算得分 value: in the 得分 column (or a cell merged across 满分 and 得分, read at its
    top-left cell), else the first number right of the label."""
    ar, ac = sheet.anchor(r, cols["score"])
    if ar == r:
        n = num_at(sheet, ar, ac, "换算得分", kind="score")
        if n.state != "empty":
            return n
    t = label(sheet.text(r, label_col))
    m = _CONVERTED_LINE.search(t)
    if m:
        return _converted_from_text(sheet, r, label_col, m)
    for c in range(label_col + 1, sheet.ncols):
        if c == cols.get("full") or sheet.anchor(r, c)[1] != c:
            continue
        n = num_at(sheet, r, c, "换算得分", kind="score")
        if n.value is not None:
            return n
    return None


def _converted_from_text(sheet: Sheet, r: int, c: int, m) -> Num:
    """A value written inside a text line ("换算得分98.91分"): kept as a number, not a text number."""
    raw = m.group(1)
    dec = len(raw.split(".")[1]) if "." in raw else 0
    return Num(Cell(sheet.name, r, c), float(raw), float(raw), "number", dec, "换算得分")


# ---------------------------------------------------------------- derived figures

def signed(cat: Category) -> float | None:
    """A category's contribution to the total: its 得分 (a deduction counts minus its absolute value);
    a category left blank over its sub-items counts their sum."""
    v = cat.score.value
    if v is None:
        if cat.parts:
            vals = [signed(p) for p in cat.parts]
            vals = [x for x in vals if x is not None]
            return round(sum(vals), 6) if vals else None
        return None
    return -abs(v) if cat.deduction else v


def full_value(cat: Category) -> float | None:
    if cat.full.value is None and cat.parts:
        vals = [p.full.value for p in cat.parts if not p.deduction and p.full.value is not None]
        return round(sum(vals), 6) if vals else None
    return cat.full.value


def all_rows(t: "ManagementTable"):
    for c in t.categories:
        yield c
        yield from c.parts


def total_of(t: ManagementTable) -> float | None:
    vals = [signed(c) for c in t.categories]
    vals = [v for v in vals if v is not None]
    return round(sum(vals), 6) if vals else None


def full_of(t: ManagementTable) -> float | None:
    vals = [full_value(c) for c in t.categories if not c.deduction]
    vals = [v for v in vals if v is not None]
    return round(sum(vals), 6) if vals else None


def converted_of(t: ManagementTable) -> float | None:
    tot, full = total_of(t), full_of(t)
    if tot is None or not full:
        return None
    return tot / full * 100.0


def _r(v: float | None, d: int = 4):
    if v is None:
        return None
    v = round(v, d)
    return int(v) if float(v).is_integer() else v


def results(t: ManagementTable, profile) -> dict:
    conv = converted_of(t)
    return {
        "total_score": _r(total_of(t)),
        "full_score": _r(full_of(t)),
        "converted_score": _r(conv, 2),
        "grade": profile.bands("form").grade(round(conv, 2)) if conv is not None else None,
        "stated_total": _r(t.total_score.value) if t.total_score is not None else None,
    }


def review_columns(t: ManagementTable, profile):
    from xltool.report.review import ReviewColumn

    full_vals: dict[int, object] = {}
    score_vals: dict[int, object] = {}
    tot, full, conv = total_of(t), full_of(t), converted_of(t)
    if t.total_row is not None:
        if full is not None:
            full_vals[t.total_row] = _r(full)
        if tot is not None:
            score_vals[t.total_row] = _r(tot)
    if conv is not None:
        if t.converted_row is not None and t.converted_row != t.total_row:
            score_vals[t.converted_row] = _r(conv, 2)
        if t.grade is not None and t.grade.cell.row not in score_vals:
            score_vals[t.grade.cell.row] = profile.bands("form").grade(round(conv, 2))
    if not full_vals and not score_vals:
        return None
    return (t.header_row, t.header_row), t.last_col, [ReviewColumn("满分（复核）", full_vals, "0.##"),
                                                      ReviewColumn("得分（复核）", score_vals, "0.##")]
