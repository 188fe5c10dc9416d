"""One table model for every kind: header band, column roles, row roles, located lookups, columns.

Built column-wise for speed (issue 12): the reader works on the sheet's row lists and floats; a
located value (``Num``/``Text``) is made only for a cell that is shown in a message, flagged, or not
a plain number. The header-repeat / total / note / group tests run on short text cells only.

API (see COORD.md):

* ``match(text, roles)`` → the ``Role`` of a header label (vocabulary data in ``kinds/vocabulary``);
* ``find_header(sheet, roles, required, …)`` → ``Header``: a band of one to three header rows with
  merged parents; every column's role, its label as written and the label's cell;
* ``numbering(text)`` → the level of a hierarchical number (一、 0, （一） 1, 1. 2, (1) 3, ① 4) or None;
* ``classify_rows(sheet, header, …)`` → ``Rows``: item / group / subtotal / total / note / blank /
  repeated-header and 其中 (part) rows, anywhere in the table (totals first, last or both);
* ``value_near(sheet, r, c)`` → the value cell of a label: right of it, else below it;
  ``value_slot(sheet, r, c, is_label)`` → where its value belongs even when none is written (forms' fund blocks);
* ``Column`` / ``read_column(...)`` → one role's values over the item rows as floats (None: no
  number), with the few non-plain cells (text numbers, words, formulas without a value) kept aside
  as ``Num`` for the input rules (IN001–IN003).
"""

from __future__ import annotations

import math
import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from xltool.cells import EMPTY, INVALID, NO_CACHE, NUM, TEXT_NUM, Cell, Num, Text
from xltool.kinds import vocabulary as V
from xltool.kinds.common import LABEL_MAX, label  # noqa: F401  (label is part of this module's API)
from xltool.kinds.vocabulary import Role
from xltool.numbers import decimals_of, parse_number

KEY_MAX = 40  # total/note/group tests run on text cells up to this length only


def match(text: str, roles: tuple[Role, ...]) -> Role | None:
    """The first role one of whose words occurs in the label (its exclusions and, for an amount role,
    the year/date/status/code/phone guard, do not)."""
    t = label(text)
    if not t or len(t) > LABEL_MAX:
        return None
    for role in roles:
        if any(w in t for w in role.words):
            if role.exclude and any(x in t for x in role.exclude):
                continue
            if role.amount and any(g in t for g in V.AMOUNT_GUARD):
                continue
            return role
    return None


def _text(v: Any) -> str:
    if v is None or v == "":
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def _is_number(v: Any) -> bool:
    if type(v) is float or type(v) is int:
        return True
    if isinstance(v, str) and v.strip():
        p = parse_number(v)
        return p.value is not None
    return False


# ---------------------------------------------------------------- header band


@dataclass(frozen=True)
class Header:
    sheet: str
    top: int  # first header row, 0-based
    bottom: int  # last header row
    columns: dict[str, int]  # role → column
    labels: dict[str, str]  # role → label as written (parents and leaf joined)
    label_cells: dict[str, Cell]  # role → the cell of the label's leaf
    col_labels: dict[int, str]  # every labelled column → its label
    last_col: int
    col_roles: dict[int, str] = field(default_factory=dict)  # every column with a role → the role (several
    # columns may share one: the score table's 分值 per level)
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)  # role → the columns its label spans
    # (a label merged across columns: its value may sit in any of them)

    def span(self, role: str) -> tuple[int, int]:
        c = self.columns[role]
        return self.spans.get(role, (c, c))

    @property
    def rows(self) -> tuple[int, int]:
        return self.top, self.bottom


def _band(sheet, top: int, depth: int) -> dict[int, list[tuple[int, str]]]:
    """Per column, the distinct texts top → bottom of the band (a merged parent repeats over its
    children through ``sheet.text``; a vertically merged label counts once)."""
    out: dict[int, list[tuple[int, str]]] = {}
    for c in range(sheet.ncols):
        parts: list[tuple[int, str]] = []
        for r in range(top, top + depth):
            t = sheet.text(r, c)
            if t and not (parts and parts[-1][1] == t):
                parts.append((r, t))
        if parts:
            out[c] = parts
    return out


def _role_of_parts(parts, roles) -> Role | None:
    """A column's role: by its leaf label, else by its parents and leaf joined."""
    role = match(parts[-1][1], roles)
    if role is None and len(parts) > 1:
        role = match("".join(t for _, t in parts), roles)
    return role


def _col_roles(sheet, band, roles) -> dict[int, str]:
    """Every column's role; the right-hand part of a label merged across columns counts once."""
    out: dict[int, str] = {}
    for c, parts in band.items():
        leaf_r = parts[-1][0]
        if sheet.anchor(leaf_r, c)[1] != c:
            continue
        role = _role_of_parts(parts, roles)
        if role is not None:
            out[c] = role.name
    return out


def _roles_of_band(band, roles, prefer) -> dict[str, tuple[int, str, int]]:
    found: dict[str, tuple[int, str, int]] = {}
    for c, parts in band.items():
        leaf_r, leaf = parts[-1]
        whole = "".join(t for _, t in parts)
        role = _role_of_parts(parts, roles)
        if role is None:
            continue
        if role.name in found:
            words = prefer.get(role.name)
            if words and any(w in label(whole) for w in words) and not any(
                    w in label(found[role.name][1]) for w in words):
                found[role.name] = (c, whole, leaf_r)
            continue
        found[role.name] = (c, whole, leaf_r)
    return found


def _may_extend(sheet, r: int) -> bool:
    """Row ``r`` may continue a header band: text only, no numbers, not a total or note."""
    texts = []
    for c in range(sheet.ncols):
        v = sheet.raw(r, c)
        if v == "" or v is None:
            continue
        if _is_number(v):
            return False
        t = label(_text(v))
        if len(t) > LABEL_MAX:
            return False
        texts.append(t)
    if len(texts) <= 2 and texts and texts[0].startswith(V.NOTE_PREFIXES):
        return False  # a note line, not labels
    return bool(texts)


def find_header(sheet, roles: tuple[Role, ...], required: tuple[str, ...], *, scan_rows: int = 30,
                max_depth: int = 3, refuse: tuple[str, ...] = (), prefer: dict[str, tuple[str, ...]] | None = None,
                min_roles: int = 2, start: int = 0) -> Header | None:
    """The first header band in the top ``scan_rows`` rows that has every ``required`` role.

    A band is one to ``max_depth`` rows: the top row must itself hold ``min_roles`` roles or a
    merged parent; lower rows hold text only (children under merged parents, or under blanks).
    Rows holding one of the ``refuse`` words belong to another kind. ``prefer`` picks, among two
    columns of one role, the one whose label has one of the words (e.g. 调整后 for 预算数). ``start``:
    the first row to try (to look on below a band the kind does not accept).
    """
    prefer = prefer or {}
    for r in range(start, min(scan_rows, sheet.nrows)):
        if not _may_extend(sheet, r):
            continue
        texts = [label(t) for t in sheet.row_texts(r)]
        if refuse and any(w in t for t in texts for w in refuse):
            continue
        best = None
        for depth in range(1, max_depth + 1):
            if depth > 1 and (r + depth - 1 >= sheet.nrows or not _may_extend(sheet, r + depth - 1)):
                break
            band = _band(sheet, r, depth)
            found = _roles_of_band(band, roles, prefer)
            if depth == 1 and len(found) < min_roles and not _has_parent(sheet, r):
                break
            if not all(k in found for k in required):
                continue
            if best is None or len(found) > len(best[1]):
                best = (depth, found, band)
        if best is not None:
            depth, found, band = best
            return Header(
                sheet=sheet.name, top=r, bottom=r + depth - 1,
                columns={k: v[0] for k, v in found.items()},
                labels={k: v[1] for k, v in found.items()},
                label_cells={k: Cell(sheet.name, v[2], v[0]) for k, v in found.items()},
                col_labels={c: "".join(t for _, t in parts) for c, parts in band.items()},
                last_col=max(v[0] for v in found.values()),
                col_roles=_col_roles(sheet, band, roles),
                spans={k: _span_of(sheet, v[2], v[0]) for k, v in found.items()},
            )
    return None


def _span_of(sheet, r: int, c: int) -> tuple[int, int]:
    """The columns a label at (r, c) spans: c to the right end of its merged range."""
    m = sheet.merge_of(r, c)
    return (c, m[3]) if m is not None else (c, c)


def _has_parent(sheet, r: int) -> bool:
    """Row ``r`` holds a horizontally merged cell (a parent label over children) beside other labels
    (a title or a 单位 line merged across the table is no parent)."""
    if len({t for t in sheet.row_texts(r) if t}) < 2:
        return False
    return any(r0 == r and c1 > c0 for r0, c0, r1, c1 in sheet.merged)


# ---------------------------------------------------------------- row roles

ITEM, GROUP, SUBTOTAL, TOTAL, NOTE, BLANK, HEADER_AGAIN = "item", "group", "subtotal", "total", "note", "blank", "header"
PART = "part"

_CN_NUM = "一二三四五六七八九十百"
_LEVELS = (
    (0, re.compile(rf"^(?:第[{_CN_NUM}]+[部类项章]|[{_CN_NUM}]+[、.．:：\s])")),
    (1, re.compile(rf"^[(（][{_CN_NUM}]+[)）]")),
    (2, re.compile(r"^\d{1,2}(?:[、．:：]|\.(?!\d)|\s+)(?!年)")),
    (3, re.compile(r"^[(（]\d{1,2}[)）]")),
    (4, re.compile(r"^[①-⑳⑴-⒇]")),
)
_CN_SEQ = re.compile(rf"^[(（]?[{_CN_NUM}]+[)）、.．]?$")


def numbering(text: str) -> int | None:
    """The level of a hierarchical number at the start of ``text``: 一、 → 0, （一） → 1, 1. / 1、 /
    "1 民生保障类" → 2, (1) → 3, ① → 4; None when there is none ("2023年…" is no number)."""
    if not text:
        return None
    t = text.strip()
    for level, rx in _LEVELS:
        if rx.match(t):
            return level
    return None


_SQUEEZE = {0x20: None, 0x3000: None, 0x09: None, 0x0A: None, 0x0D: None, 0xA0: None}
_NUMBER_START = set("0123456789一二三四五六七八九十百第(（①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽")


def _squeeze(t: str) -> str:
    """A key cell without spaces (cheap; "合　计" → "合计")."""
    return t.translate(_SQUEEZE)


def is_total_text(t: str, words: tuple[str, ...] = V.TOTAL_WORDS) -> bool:
    t = _squeeze(t)
    return len(t) <= 12 and any(w in t for w in words) and "小计" not in t


def is_subtotal_text(t: str) -> bool:
    t = _squeeze(t)
    return len(t) <= 16 and "小计" in t


_NOTE_FIRST = frozenset(p[0] for p in V.NOTE_PREFIXES)


def is_note_text(t: str) -> bool:
    return t[:1] in _NOTE_FIRST and _squeeze(t[:12]).startswith(V.NOTE_PREFIXES)


def name_key(t: str) -> str:
    """A name for comparing (duplicates): full-width folded (NFKC), no spaces. Cheap for the common
    case (only full-width brackets)."""
    t = t.replace("（", "(").replace("）", ")")
    if not unicodedata.is_normalized("NFKC", t):
        t = unicodedata.normalize("NFKC", t)
    if " " in t or "\u3000" in t or "\n" in t or "\t" in t:
        t = _squeeze(t)
    return t


def name_keys(texts: list[str]) -> list[str]:
    """``name_key`` of every text, worked on all of them joined (NUL, which no cell holds, between them: it
    composes with nothing, so NFKC of the whole is the NFKC of each)."""
    if not texts or any(type(t) is not str or "\0" in t for t in texts):
        return [name_key(t) if type(t) is str else name_key(str(t)) for t in texts]
    return name_key("\0".join(texts)).split("\0")


@dataclass
class Rows:
    """The rows of a table below its header, by role (sheet rows, 0-based, in order)."""

    items: list[int] = field(default_factory=list)
    groups: list[tuple[int, int]] = field(default_factory=list)  # (row, level)
    subtotals: list[int] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)
    notes: list[int] = field(default_factory=list)
    headers: list[int] = field(default_factory=list)  # repeated header rows
    parts: list[int] = field(default_factory=list)  # 其中 rows: parts of the item above them
    end: int = 0  # last row of the table

    def role_of(self, r: int) -> str:
        if r in set(self.items):
            return ITEM
        if r in {g for g, _ in self.groups}:
            return GROUP
        if r in set(self.subtotals):
            return SUBTOTAL
        if r in set(self.totals):
            return TOTAL
        if r in set(self.notes):
            return NOTE
        if r in set(self.headers):
            return HEADER_AGAIN
        if r in set(self.parts):
            return PART
        return BLANK


def classify_rows(sheet, header: Header, *, name_col: int, seq_col: int | None, amount_cols: list[int],
                  max_blanks: int = 5, level_cols: tuple[int, ...] = (),
                  total_words: tuple[str, ...] = V.TOTAL_WORDS) -> Rows:
    """Give every row below the header its role. Runs on raw row lists; only short text cells are
    tested. The table ends at a note, at ``max_blanks`` blank rows, or at a second table's header
    (after a blank row: a text row holding words in two or more amount columns).

    ``level_cols``: a hierarchical table's upper level name columns (一级 / 二级 left of the item
    names). Their cells are key cells too (a 小计 or 合计 written there), and a row whose item name is
    empty, that states figures, and whose deepest named level is numbered 一、 or （一） is that group's
    title row ("一、投入指标 20 20"), never an item. ``total_words`` are the words of a total row."""
    out = Rows()
    rows = sheet.rows
    merged = sheet.merge_of if sheet.merged else None
    leaf = next((cell for cell in header.label_cells.values() if cell.col == name_col), None)
    header_name = label(sheet.text(leaf.row, leaf.col)) if leaf is not None else label(header.col_labels.get(name_col, ""))
    blanks = 0
    after_blank = False
    prefixed: list[tuple[int, int]] = []  # (row, level) of item candidates whose name is numbered
    no_seq: list[int] = []  # item candidates with an empty seq cell and no amounts
    heads: list[tuple[int, str]] = []  # item candidates with a seq and no amounts: (row, seq)
    n_seq = 0
    part_left: tuple[int, float] | None = None  # in a 其中 block: the column and what the parts still lack
    end = header.bottom
    width = max([name_col] + amount_cols + ([seq_col] if seq_col is not None else []) + list(level_cols))
    merged_rows = set()
    for r0, c0, r1, c1 in sheet.merged:
        if c0 <= name_col <= c1 and r1 - r0 < 100000:
            merged_rows.update(range(r0, r1 + 1))
    keychars = frozenset(w[-1] for w in total_words + V.SUBTOTAL_WORDS)
    extra_keys = tuple(keychars - {"计"})  # e.g. 分 of 总分: such names take the slow path
    special = _NOTE_FIRST | frozenset("(（①②③④⑤⑥⑦⑧⑨⑩第一二三四五六七八九十百 \u3000\t\n") | frozenset(header_name[:1])
    for r in range(header.bottom + 1, len(rows)):
        row = rows[r]
        # fast path: a plain item row (a name that is no key word, no numbering, not merged)
        if len(row) > width and not after_blank:
            name = row[name_col]
            if type(name) is str and name and name[0] not in special and "计" not in name \
                    and not (extra_keys and any(ch in name for ch in extra_keys)) \
                    and (not name[0].isdigit() or name[:3].isdigit()) \
                    and r not in merged_rows:
                seq = row[seq_col] if seq_col is not None else ""
                if type(seq) is not str or (seq.strip() and seq.strip()[0].isdigit() and "计" not in seq):
                    if seq != "" and seq is not None:
                        n_seq += 1
                        if amount_cols and type(row[amount_cols[0]]) is not float and all(
                                row[c] is None or (type(row[c]) is str and not row[c].strip()) for c in amount_cols):
                            heads.append((r, _seq_str(seq)))  # no amounts: perhaps a group's title
                    out.items.append(r)
                    end = r
                    blanks = 0
                    part_left = None
                    continue
        if len(row) <= width:
            row = list(row) + [""] * (width + 1 - len(row))
        filled = len(row) - row.count("") - row.count(None)
        if filled == 0 or (filled <= 3 and all(type(v) is str and not v.strip() for v in row if v != "" and v is not None)):
            blanks += 1
            if blanks >= max_blanks:
                break
            after_blank = True
            continue
        blanks = 0
        name = row[name_col]
        if merged is not None and name == "":
            a = merged(r, name_col)
            if a is not None:
                name = sheet.raw(a[0], a[1])
        seq = row[seq_col] if seq_col is not None else ""
        name_t = name.strip() if type(name) is str else ""
        seq_t = seq.strip() if type(seq) is str else ""
        first_t = ""
        if not name_t and not seq_t:
            first = next((v for v in row if v != "" and v is not None), "")
            first_t = first.strip() if type(first) is str else ""
        levels_t = [v.strip() if type(v) is str else "" for v in (row[c] for c in level_cols)]
        total = sub = False
        for t in (seq_t, name_t, first_t, *levels_t):
            if t and len(t) <= KEY_MAX and any(ch in t for ch in keychars):
                total = total or is_total_text(t, total_words)
                sub = sub or is_subtotal_text(t)
        if total or sub:
            part_left = None
        if total and not sub:
            out.totals.append(r)
            end = r
            after_blank = False
            continue
        if sub:
            out.subtotals.append(r)
            end = r
            after_blank = False
            continue
        texts = (name_t, seq_t, first_t)
        if any(t and is_note_text(t) for t in texts):
            out.notes.append(r)
            break
        if name_t and len(name_t) <= LABEL_MAX and label(name_t[:1]) == header_name[:1] and label(name_t) == header_name:
            out.headers.append(r)
            end = r
            continue
        amounts = [row[c] for c in amount_cols]
        has_amount = False
        for v in amounts:
            if type(v) is float or (v != "" and v is not None and (type(v) is not str or v.strip())):
                has_amount = True
                break
        if after_blank:
            words = [v for v in row if type(v) is str and v.strip() and not _is_number(v)]
            in_amounts = sum(1 for v in amounts if type(v) is str and v.strip() and not _is_number(v))
            if in_amounts >= 2 or (in_amounts and len(words) >= 3 and len(words) == filled):
                break  # a second table's header: words in the amount columns, no figures on the row
            if filled == 1 and not has_amount:
                continue  # a title line between the blank row and whatever follows it ("单位人员情况")
        after_blank = False
        end = r
        if name_t and out.items and _squeeze(name_t[:4]).startswith(V.PART_WORDS):
            part_left = _part_start(rows[out.items[-1]], row, amount_cols)
            out.parts.append(r)
            continue
        if part_left is not None:
            part_left = _part_next(part_left, row, name_t, seq_t)
            if part_left is not None:
                out.parts.append(r)
                continue
        if seq_t and _CN_SEQ.match(seq_t):
            out.groups.append((r, 0 if seq_t[0] not in "(（" else 1))
            continue
        if merged is not None and name_t:
            m = merged(r, name_col)
            if m is not None and m[3] > m[1] and any(m[1] <= c <= m[3] for c in amount_cols):
                out.groups.append((r, 0))
                continue
        if not name_t and has_amount and level_cols:
            deepest = next((t for t in reversed(levels_t) if t), "")
            level = numbering(deepest)
            if level is not None and level <= 1:
                out.groups.append((r, level))
                continue
        if not name_t and not has_amount:
            continue  # a numbered but empty template row, or stray text outside the table's columns
        if seq_col is not None and (seq != "" and seq is not None):
            n_seq += 1
        if seq_col is not None and not has_amount and name_t and _seq_str(seq):
            heads.append((r, _seq_str(seq)))
        level = numbering(name_t) if name_t and name_t[0] in _NUMBER_START and not name_t[:3].isdigit() else None
        if level is not None:
            prefixed.append((r, level))
        elif seq_col is not None and (seq == "" or seq is None) and not has_amount and name_t:
            no_seq.append(r)
        out.items.append(r)
    out.end = end
    _settle_groups(out, prefixed, no_seq, n_seq)
    _seq_heads(out, rows, seq_col, heads)
    return out


def _amount_in(row, c: int) -> float | None:
    v = row[c] if c < len(row) else None
    if type(v) is float or type(v) is int:
        return float(v)
    if isinstance(v, str) and v.strip():
        return parse_number(v).value
    return None


def _part_start(parent, row, amount_cols: list[int]) -> tuple[int, float] | None:
    """A 其中 row under ``parent``: the first amount column both state, and what the parts still lack of the
    parent's amount there (None: nothing to follow, the block is this row alone)."""
    for c in amount_cols:
        whole, part = _amount_in(parent, c), _amount_in(row, c)
        if whole is not None and part is not None:
            left = whole - part
            return (c, left) if left > 1e-6 else None
    return None


def _part_next(state: tuple[int, float], row, name_t: str, seq_t: str) -> tuple[int, float] | None:
    """A row after a 其中 row is another part when it has a name, no seq, no numbering and an amount that does
    not take the parts beyond their item; the new state, or None (the block has ended: not a part)."""
    c, left = state
    if not name_t or seq_t or numbering(name_t) is not None:
        return None
    v = _amount_in(row, c)
    if v is None or v > left + 1e-6:
        return None
    rest = left - v
    return (c, rest) if rest > 1e-6 else (c, 0.0)


def _seq_str(v) -> str:
    """A seq cell as text: 1.0 → "1", " 1.1 " → "1.1"."""
    if type(v) is float:
        return str(int(v)) if v.is_integer() else repr(v)
    return v.strip() if type(v) is str else ""


def _seq_heads(out: Rows, rows, seq_col: int | None, heads: list[tuple[int, str]]) -> None:
    """A row without amounts whose seq is the prefix of the next item's seq ("1 民生保障类" above
    "1.1 …", "1.2 …") is that group's title, not an item."""
    if not heads:
        return
    items = out.items
    groups = []
    for r, s in heads:
        i = bisect.bisect_right(items, r)
        if i >= len(items):
            continue
        nxt = rows[items[i]]
        ns = _seq_str(nxt[seq_col]) if seq_col < len(nxt) else ""
        if len(ns) > len(s) + 1 and ns.startswith(s) and ns[len(s)] in ".．-－—_":
            groups.append((r, 0))
    if groups:
        drop = {r for r, _ in groups}
        out.items = [r for r in items if r not in drop]
        out.groups = sorted(out.groups + groups)


def _settle_groups(out: Rows, prefixed, no_seq, n_seq) -> None:
    """Numbered names: when unnumbered items exist, every numbered row is a group title; otherwise
    the deepest level is the items' and the shallower ones are groups. A row without a seq number and
    without amounts, in a table whose items are numbered, is a group title."""
    groups: dict[int, int] = {}
    if prefixed:
        unnumbered = len(out.items) - len(prefixed)
        deepest = max(level for _, level in prefixed)
        for r, level in prefixed:
            if unnumbered > len(no_seq) or level < deepest:
                groups[r] = level
    if n_seq and n_seq * 2 >= len(out.items):
        for r in no_seq:
            groups.setdefault(r, 0)
    if groups:
        out.items = [r for r in out.items if r not in groups]
        out.groups = sorted(out.groups + list(groups.items()))


# ---------------------------------------------------------------- label → value


def value_near(sheet, r: int, c: int, *, numeric: bool | None = None, below_rows: int = 1,
               right_cells: int | None = None) -> tuple[int, int] | None:
    """The value cell of the label at (r, c): the next non-empty cell to the right (merged cells
    counted once), else the cell below (within ``below_rows``, under a label merged down). ``numeric`` True/False: only a
    cell that is / is not a number counts. ``right_cells``: look only that many cells to the right (1: a
    form whose value slot is the cell right beside its label, empty or not)."""
    seen = {sheet.anchor(r, c)}
    span_end, bottom = c, r
    m = sheet.merge_of(r, c)
    if m is not None:
        span_end, bottom = m[3], m[2]  # a label merged down: the value is below its last row
    looked = 0
    for c2 in range(span_end + 1, sheet.ncols):
        a = sheet.anchor(r, c2)
        if a in seen:
            continue
        seen.add(a)
        looked += 1
        if right_cells is not None and looked > right_cells:
            break
        v = sheet.raw(*a)
        if v == "" or v is None:
            continue
        if numeric is None or _is_number(v) == numeric:
            return a
        break  # another label: the value is not to the right
    for r2 in range(bottom + 1, min(sheet.nrows, bottom + 1 + below_rows)):
        a = sheet.anchor(r2, c)
        v = sheet.raw(*a)
        if v == "" or v is None:
            continue
        if numeric is None or _is_number(v) == numeric:
            return a
    return None


def value_slot(sheet, r: int, c: int, is_label) -> tuple[tuple[int, int], bool]:
    """Where the value of the label at (r, c) is written, and whether it is below the label: the number
    ``value_near`` finds in the cell beside it (right, else below); without one, the slot it belongs in — the
    cell right of the label, or the cell below it when another label (``is_label(text)``) stands to the right —
    so that an empty or wrong value is reported there. A label is never read as a value."""
    near = value_near(sheet, r, c, numeric=True, right_cells=1)
    if near is not None:
        return near, near[0] > r
    rng = sheet.merge_of(r, c)
    right = sheet.anchor(r, (rng[3] if rng else c) + 1)
    right_raw = sheet.raw(*right) if right[1] < sheet.ncols else ""
    if isinstance(right_raw, str) and right_raw and is_label(right_raw):
        return sheet.anchor((rng[2] if rng else r) + 1, c), True
    return right, False


# ---------------------------------------------------------------- columns


AMOUNT, RATE, SCORE = "amount", "rate", "score"
_INF = float("inf")


@dataclass
class Column:
    """One role's values over the item rows. ``values[i]`` is a float or None (empty / no number);
    ``odd`` maps an index to the ``Num`` of a cell that is not a plain number (text number, word,
    empty formula), for the input rules and messages."""

    sheet: str
    role: str
    col: int
    what: str  # Chinese name for messages
    kind: str  # amount | rate | score
    percent_units: bool
    rows: list[int]  # sheet rows (shared with the table)
    values: list[float | None]
    raws: list[Any]
    odd: dict[int, Num]

    def num(self, i: int) -> Num:
        """The located value at index ``i`` (made on demand)."""
        n = self.odd.get(i)
        if n is not None:
            return n
        v = self.values[i]
        cell = Cell(self.sheet, self.rows[i], self.col)
        if v is None:
            return Num(cell, self.raws[i], None, EMPTY, 0, self.what)
        return Num(cell, self.raws[i], v, NUM, self.decimals(i), self.what)

    def max_decimals(self, floor: int = 0) -> int:
        """``max(floor, decimals(i) for every i)``, formatting only the values not already written within the
        running maximum (a value equal to itself rounded to ``d`` places is written with at most ``d``)."""
        dec = floor
        for i in range(len(self.raws)):
            raw = self.raws[i]
            if (type(raw) is float or type(raw) is int) and i not in self.odd and self.kind != RATE \
                    and round(raw, dec) == raw:
                continue
            dec = max(dec, self.decimals(i))
        return dec

    def decimals(self, i: int) -> int:
        """Decimals the value at ``i`` was written with (of the percentage, for a rate)."""
        n = self.odd.get(i)
        if n is not None:
            return n.decimals
        raw = self.raws[i]
        if type(raw) is not float and type(raw) is not int:
            return 0
        dec = decimals_of(float(raw))
        if self.kind == RATE and not (self.percent_units or abs(raw) > 2):
            dec = max(0, dec - 2)
        return dec


def read_column(sheet, rows: list[int], col: int, role: str, what: str, kind: str = AMOUNT,
                percent_units: bool = False) -> Column:
    """Read one column over ``rows``: floats pass straight through; anything else is parsed once and
    kept as a located ``Num`` in ``odd``."""
    data = sheet.rows
    try:
        raws = [data[r][col] for r in rows]
    except IndexError:
        raws = [data[r][col] if col < len(data[r]) else "" for r in rows]
    if kind == RATE:
        values: list[float | None] = [
            (v / 100.0 if percent_units or v > 2 or v < -2 else v) if type(v) is float else None for v in raws]
    else:
        values = [v if type(v) is float else None for v in raws]
    odd: dict[int, Num] = {}
    if None in values:
        todo = [i for i, v in enumerate(values) if v is None]
    else:
        todo = []
    if not math.isfinite(sum(v for v in values if v is not None) if todo else sum(values)):
        todo = sorted(set(todo) | {i for i, v in enumerate(values) if v is not None and not math.isfinite(v)})
    for i in todo:
        v = raws[i]
        if v == "" or v is None:
            if sheet.book is not None and sheet.formula_without_value(rows[i], col):
                odd[i] = Num(Cell(sheet.name, rows[i], col), "", None, NO_CACHE, 0, what)
            continue
        if type(v) is int:
            v = float(v)
            values[i] = v / 100.0 if kind == RATE and (percent_units or abs(v) > 2) else v
            continue
        n = _odd_num(sheet, rows[i], col, v, what, kind, percent_units)
        if n.state != EMPTY:
            odd[i] = n
        values[i] = n.value
    return Column(sheet.name, role, col, what, kind, percent_units, rows, values, raws, odd)


def _odd_num(sheet, r: int, c: int, raw: Any, what: str, kind: str, percent_units: bool) -> Num:
    cell = Cell(sheet.name, r, c)
    p = parse_number(raw)
    if p.empty:
        return Num(cell, raw, None, EMPTY, 0, what)
    if p.value is None:
        return Num(cell, raw, None, INVALID, 0, what)
    value, dec = p.value, p.decimals
    if kind == RATE and not p.percent:
        if percent_units or abs(value) > 2:
            value /= 100.0
        else:
            dec = max(0, dec - 2)
    return Num(cell, raw, value, TEXT_NUM if p.is_text else NUM, dec, what)


def read_texts(sheet, rows: list[int], col: int) -> list[str]:
    """Values of a text column over ``rows`` as written (a number stays a number: ``as_text``)."""
    data = sheet.rows
    try:
        raw = [data[r][col] for r in rows]
    except IndexError:
        raw = [data[r][col] if col < len(data[r]) else "" for r in rows]
    return raw


def as_text(v: Any) -> str:
    """A text column's value as text ("" for empty; 1.0 → "1")."""
    return v if type(v) is str else _text(v)


def text_cell(sheet, r: int, c: int) -> Text:
    return Text(Cell(sheet.name, r, c), sheet.text(r, c))


def rows_from(sheet, top: int):
    """The sheet from row ``top`` down as a sheet of its own (row ``top`` becomes row 0): a form stacked
    under another on one sheet is read as if it stood alone. Merged ranges that start above ``top`` are
    left out; positions in what is read from it are ``top`` rows too high up (``shift_rows`` moves them back).
    The view has no book, so formulas without a cached value are not looked up in it."""
    from dataclasses import replace

    merged = [(r0 - top, c0, r1 - top, c1) for r0, c0, r1, c1 in sheet.merged if r0 >= top]
    return replace(sheet, rows=sheet.rows[top:], merged=merged, book=None)


#: fields (of a record's dataclasses, or attributes of a tuple subclass) that hold sheet rows: an int, or
#: tuples / sets of them (a 小计's member rows, a table's quiet rows). A new field holding rows belongs here.
_ROW_FIELDS = frozenset({"row", "header_row", "header_rows", "members", "others", "quiet_rows"})


def shift_rows(record, top: int):
    """``record`` (read from ``rows_from(sheet, top)``) with every position moved down ``top`` rows, to
    where it is on the sheet: each ``Cell``, and the rows held by the fields named in ``_ROW_FIELDS`` of the
    dataclasses (and tuple subclasses) it is made of. What holds no position is kept, not copied."""
    import dataclasses

    def rows(x):
        if type(x) is int:
            return x + top
        if isinstance(x, (tuple, list, frozenset, set)):
            return type(x)(rows(y) for y in x)
        return x

    def walk(v):
        if isinstance(v, Cell):
            return Cell(v.sheet, v.row + top, v.col)
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            changes = {}
            for f in dataclasses.fields(v):
                if not f.init:
                    continue
                x = getattr(v, f.name)
                y = rows(x) if f.name in _ROW_FIELDS else walk(x)
                if y is not x:
                    changes[f.name] = y
            return dataclasses.replace(v, **changes) if changes else v
        if type(v) in (tuple, list):
            items = [walk(x) for x in v]
            return v if all(a is b for a, b in zip(items, v)) else type(v)(items)
        if isinstance(v, tuple) and hasattr(v, "__dict__"):  # a tuple with attributes beside its items
            new = tuple.__new__(type(v), [walk(x) for x in v])
            for k, x in vars(v).items():
                setattr(new, k, rows(x) if k in _ROW_FIELDS else walk(x))
            return new
        if type(v) is dict:
            items = {k: walk(x) for k, x in v.items()}
            return v if all(items[k] is x for k, x in v.items()) else items
        return v

    return walk(record) if top else record
