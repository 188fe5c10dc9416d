"""``--fix``: what the corrected copy ``X.corrected.xlsx`` changes, decided on the values.

Only a finding of a rule in ``catalogue.FIXABLE`` (a derived figure: balance, rate, total, execution score,
weighted score, sum, grade) whose recomputed value is known (``expected``) is corrected; inputs (budgets, amounts
spent, points given) never change. A derived figure in a row whose figures are themselves wrong (an overspend, a
negative amount, points over their maximum: an error of a rule that is not fixable, on a number) is left for a
person: its right value depends on what the person corrects.

The corrections are found by re-checking, in memory: every fixable error gets its recomputed value (in the cell's
own type: a number as a number, a text number as text, a grade in the form's own words), the sheet is checked
again, and a value is kept only when its finding is gone and no finding appeared that the original did not have.
Rounds repeat until nothing fixable is left, so a 合计 that is wrong once its items are corrected becomes the sum
of the corrected items. What the corrected copy then shows is that last check.

For .xlsx/.xlsm the formulas of the sheet are read as well (``formulas``): where the other cells of the same
column and role (the other items, the other totals) hold formulas, the corrected cell gets their formula
translated to its row, with the recomputed value cached; a shared formula whose master changes has its dependants
written out. ``decide`` returns a :class:`Correction`; ``xltool.report.plan.build_corrected`` turns it into the
plan both writers write.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from xltool.cells import a1
from xltool.findings import ERROR, Finding
from xltool.report.catalogue import fixable

MAX_ROUNDS = 8


@dataclass(frozen=True)
class Fix:
    """One corrected cell (0-based; the anchor of a merged range)."""

    sheet: str
    row: int
    col: int
    rule: str
    was: Any  # the value the cell showed ("" when empty)
    value: Any  # what it shows now: the recomputed value (the cached value of a formula)
    why: str  # the finding's message
    formula: str | None = None  # a formula written (without "="), else a plain value
    was_formula: str | None = None  # the formula the cell held

    @property
    def cell(self) -> str:
        return a1(self.row, self.col)


@dataclass
class Correction:
    fixes: list[Fix]
    report: Any  # a FileReport: what remains in the corrected copy
    held: list[Finding] = field(default_factory=list)  # fixable-rule errors left for a person
    explicit: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)  # shared dependants written out

    @property
    def has_formulas(self) -> bool:
        return any(f.formula for f in self.fixes) or any(self.explicit.values())

    def values_only(self) -> "Correction":
        """The same corrections as plain values (for a writer that cannot cache a formula's value)."""
        from dataclasses import replace

        return Correction([replace(f, formula=None) for f in self.fixes], self.report, self.held, {})


def corrected_path(annotated) -> Any:
    """``X.corrected.xlsx`` beside the annotated copy ``X.checked.xlsx`` (its name with the tag swapped)."""
    from xltool.engine import CORRECTED_TAG, OUTPUT_TAG

    name = annotated.name
    at = name.rfind(OUTPUT_TAG)
    new = name[:at] + CORRECTED_TAG + name[at + len(OUTPUT_TAG):] if at >= 0 else annotated.stem + CORRECTED_TAG + annotated.suffix
    return annotated.with_name(new)


def _candidate(f: Finding) -> bool:
    return (f.severity == ERROR and fixable(f.rule) and f.row is not None and f.col is not None
            and f.expected is not None and not isinstance(f.expected, bool))


# ------------------------------------------------------------------ deciding, on the values


def decide(report, book, profile, src=None) -> Correction:
    """The corrections of a checked file (``book``: its values; ``src``: the file, for its formulas)."""
    from xltool.engine import FileReport

    by_sheet: dict[str, list[Finding]] = defaultdict(list)
    for f in report.findings:
        by_sheet[f.sheet].append(f)
    fixes: list[Fix] = []
    held: list[Finding] = []
    explicit: dict[str, dict[tuple[int, int], str]] = {}
    replaced: dict[str, list[Finding]] = {}
    for sheet in book.sheets:
        if not any(_candidate(f) for f in by_sheet.get(sheet.name, ())):
            continue
        sheet_fixes, base, final, sheet_held, record = _fix_sheet(sheet, profile)
        if sheet_fixes and src is not None and book.fmt in ("xlsx", "xlsm"):
            sheet_fixes, explicit[sheet.name] = _with_formulas(src, sheet, sheet_fixes, base, record)
        fixes += sheet_fixes
        held += sheet_held
        # the sheet's own findings are replaced by its re-check; others (reconciliation …) are kept
        own = {_key(f) for f in base}
        at = {(x.row, x.col) for x in sheet_fixes}
        replaced[sheet.name] = [f for f in by_sheet[sheet.name] if _key(f) not in own
                                and (f.row is None or f.col is None or sheet.anchor(f.row, f.col) not in at)] + final
    findings = []
    for f in report.findings:
        if f.sheet in replaced:
            if replaced[f.sheet] is not None:
                findings += replaced[f.sheet]
                replaced[f.sheet] = None
        else:
            findings.append(f)
    after = FileReport(path=report.path, status=report.status, fmt=report.fmt, sheets=report.sheets,
                       findings=_ordered(findings, book), notes=list(report.notes))
    after.status = "findings" if (after.errors or after.warnings) else "ok"
    return Correction(fixes, after, held, {k: v for k, v in explicit.items() if v})


def _ordered(findings: list[Finding], book) -> list[Finding]:
    from xltool.findings import SEVERITY_ORDER

    order = {s.name: i for i, s in enumerate(book.sheets)}
    return sorted(findings, key=lambda f: (order.get(f.sheet, -1), SEVERITY_ORDER.get(f.severity, 9),
                                           f.row if f.row is not None else -1, f.col if f.col is not None else -1,
                                           f.rule))


def _key(f: Finding) -> tuple:
    return (f.rule, f.row, f.col)


def _fix_sheet(sheet, profile):
    """(fixes, original findings, findings after, held, record) of one sheet."""
    from xltool.engine import check_sheet

    rep0, base = check_sheet(sheet, profile)
    base_keys = {_key(f) for f in base}
    # rows whose inputs a person must correct first (an overspend, a negative or missing amount, points over their
    # maximum: an error on a figure, not on a text such as an opinion): their derived figures wait for that
    held_rows = {f.row for f in base if f.severity == ERROR and not fixable(f.rule) and f.row is not None
                 and not isinstance(f.found, str)}
    rows = [list(r) for r in sheet.rows]
    orig: dict[tuple[int, int], Any] = {}
    tries: dict[tuple[int, int], int] = {}
    first: dict[tuple[int, int], Finding] = {}
    dead: set[tuple[int, int]] = set()
    words: dict = {}  # column → how the form spells its grades (worked out once per column)
    current = base
    for _ in range(MAX_ROUNDS):
        todo: dict[tuple[int, int], Finding] = {}
        for f in current:
            if not _candidate(f) or f.row in held_rows:
                continue
            pos = sheet.anchor(f.row, f.col)
            if pos not in dead:
                todo.setdefault(pos, f)
        if not todo:
            break
        for pos, f in todo.items():
            orig.setdefault(pos, _raw(rows, *pos))
            options = _options(f, orig[pos], sheet, pos[1], words)
            k = tries.get(pos, 0)
            if k >= len(options):
                dead.add(pos)
                _put(rows, *pos, orig[pos])
                continue
            tries[pos] = k + 1
            first.setdefault(pos, f)
            _put(rows, *pos, options[k])
        current = _recheck(sheet, rows, profile)
        if _foreign(current, base_keys):
            # something the original did not say: take back this round's values
            for pos in todo:
                dead.add(pos)
                _put(rows, *pos, orig[pos])
            current = _recheck(sheet, rows, profile)
            if _foreign(current, base_keys):  # said because of an earlier round: take back every value
                for pos in orig:
                    dead.add(pos)
                    _put(rows, *pos, orig[pos])
                current = base
                break
    flagged = {sheet.anchor(f.row, f.col) for f in current if _candidate(f)}
    stale = [pos for pos in orig if pos in flagged and _raw(rows, *pos) != orig[pos]]
    for pos in stale:  # still wrong after every try: as it was
        _put(rows, *pos, orig[pos])
        dead.add(pos)
    if stale:
        current = _recheck(sheet, rows, profile)
    fixes = [Fix(sheet.name, r, c, first[(r, c)].rule, orig[(r, c)], _raw(rows, r, c), first[(r, c)].message)
             for (r, c) in sorted(orig) if _raw(rows, r, c) != orig[(r, c)]]
    held = [f for f in current if _candidate(f)]
    return fixes, base, current, held, rep0.record


def _foreign(found: list[Finding], base_keys: set) -> bool:
    """A finding the original did not have, other than a fixable one (which the next round corrects)."""
    return any(_key(f) not in base_keys and not _candidate(f) for f in found)


def _recheck(sheet, rows, profile) -> list[Finding]:
    from xltool.engine import check_sheet
    from xltool.io.book import Sheet

    trial = Sheet(sheet.name, sheet.index, [list(r) for r in rows], list(sheet.merged), sheet.book)
    return check_sheet(trial, profile)[1]


def _raw(rows, r: int, c: int) -> Any:
    if 0 <= r < len(rows) and 0 <= c < len(rows[r]):
        v = rows[r][c]
        return "" if v is None else v
    return ""


def _put(rows, r: int, c: int, value) -> None:
    while len(rows) <= r:
        rows.append([])
    row = rows[r]
    if len(row) <= c:
        row.extend([""] * (c + 1 - len(row)))
    row[c] = value


def _tidy(x: float) -> float:
    """``x`` without the float noise of a difference or product (0.00684099999999 → 0.006841, 98.04000000000001 →
    98.04): ten decimals are more than any form keeps."""
    return float(round(x, 10))


def _num_text(x: float) -> str:
    return f"{x:.10f}".rstrip("0").rstrip(".") or "0"


def _options(f: Finding, raw, sheet, col: int, words: dict | None = None) -> list:
    """The values to try for ``f``'s cell, in the cell's own type, likeliest first (``words``: a cache of each
    column's grade spelling)."""
    e = f.expected
    if isinstance(e, str):
        from xltool.report.plan import _form_grade_style

        words = {} if words is None else words
        if col not in words:  # the column's grade spelling, worked out once
            words[col] = _form_grade_style([t for t in (sheet.text(r, col) for r in range(sheet.nrows)) if t])
        return list(dict.fromkeys([words[col](e), e]))
    if not isinstance(e, (int, float)):
        return []
    e = float(e)
    nums = list(dict.fromkeys(_tidy(x) for x in (e, e * 100, e / 100)))
    if isinstance(raw, str) and raw.strip():  # a number typed as text: text again, at the precision the rule shows
        if raw.strip().endswith(("%", "％")):
            return list(dict.fromkeys(_num_text(_tidy(x * 100)) + "%" for x in nums))
        return list(dict.fromkeys(_num_text(x) for x in nums))
    x = f.exact  # a number cell: the exact recomputed value (its number format shows it as the form does)
    exact = [_tidy(v) for v in (x, x * 100, x / 100)] if isinstance(x, (int, float)) else []
    return list(dict.fromkeys(exact + nums))


# ------------------------------------------------------------------ formulas (.xlsx / .xlsm)


@dataclass
class _Formulas:
    own: dict[tuple[int, int], str]  # cell → its formula, shared ones resolved (columns asked for)
    masters: dict[str, tuple[int, int, str]]  # shared index → (row, col, text) of its master
    dependants: dict[str, list[tuple[int, int]]]  # shared index → the cells that use it (not the master)
    master_at: dict[tuple[int, int], str]  # master cell → shared index


def _with_formulas(src, sheet, fixes: list[Fix], base: list[Finding], record):
    """``fixes`` with formulas where the neighbours use them; and the shared-formula dependants to write out."""
    cols = {f.col for f in fixes}
    fm = formulas(src, sheet.name, cols)
    if fm is None or not (fm.own or fm.masters):
        return fixes, {}
    flagged_first = {sheet.anchor(f.row, f.col) for f in base if _candidate(f)}
    flagged_any = {(f.row, f.col) for f in base if f.row is not None}
    out = []
    explicit: dict[tuple[int, int], str] = {}
    fixed = {(f.row, f.col) for f in fixes}
    for f in fixes:
        pos = (f.row, f.col)
        own = fm.own.get(pos)
        formula = _neighbours_formula(fm, sheet, record, pos, flagged_any)
        if formula is None and own is not None and pos not in flagged_first:
            formula = own  # right before the other corrections: its formula stands, its value was stale
        si = fm.master_at.get(pos)
        if si is not None:
            mr, mc, text = fm.masters[si]
            for dep in fm.dependants.get(si, ()):
                if dep not in fixed:
                    t = translate(text, (mr, mc), dep)
                    if t is None:
                        formula = None
                        break
                    explicit[dep] = t
        out.append(Fix(f.sheet, f.row, f.col, f.rule, f.was, f.value, f.why, formula, own))
    return out, explicit


def _peer_rows(record, r: int) -> list[int]:
    """The other rows of ``r``'s role in its table: the other items, or the other totals / 小计."""
    groups = []
    items = getattr(record, "item_rows", None)
    if items:
        groups.append(list(items))
    indicators = getattr(record, "indicators", None)  # a form keeps its 小计 beside its indicator rows
    for got in (getattr(record, "totals", None), getattr(record, "subtotals", None),
                getattr(indicators, "subtotals", None)):
        rows = [getattr(x, "row", None) for x in (got or ())]
        groups.append([x for x in rows if isinstance(x, int)])
    for g in groups:
        if r in g:
            return [x for x in g if x != r]
    return []


def _neighbours_formula(fm: _Formulas, sheet, record, pos, flagged=frozenset()) -> str | None:
    """The formula the same column's cells of the same role hold, translated to ``pos`` — when most of them
    hold one and most of those translate alike. Only neighbours the check found right count (``flagged``: the
    cells with a finding): a formula that gives a wrong figure is no model."""
    r, c = pos
    peers = [p for p in _peer_rows(record, r) if (p, c) in fm.own or sheet.raw(p, c) != ""]
    with_f = [p for p in peers if (p, c) in fm.own and (p, c) not in flagged]
    if not with_f or 2 * len(with_f) < len(peers):
        return None
    moved = Counter(t for t in (translate(fm.own[(p, c)], (p, c), pos) for p in with_f) if t)
    if not moved:
        return None
    best, n = moved.most_common(1)[0]
    return best if 2 * n >= len(with_f) else None


def translate(formula: str, origin: tuple[int, int], dest: tuple[int, int]) -> str | None:
    """``formula`` (no "=") moved from cell ``origin`` to ``dest``: relative references shift, ``$`` ones stay.
    None when it cannot be moved (a reference would leave the sheet)."""
    from openpyxl.formula.translate import Translator, TranslatorError

    try:
        out = Translator("=" + formula, origin=a1(*origin)).translate_formula(a1(*dest))
    except (TranslatorError, ValueError, IndexError):
        return None
    if "#REF!" in out and "#REF!" not in formula:
        return None
    return out[1:] if out.startswith("=") else out


_CELL = re.compile(r"^([A-Z]{1,3})(\d+)$")


def formulas(src, sheetname: str, cols: set[int]) -> _Formulas | None:
    """The formulas of sheet ``sheetname`` in the package ``src``: those of ``cols`` (shared ones resolved),
    and every shared formula's master and dependants. None when the sheet cannot be found."""
    import zipfile

    from defusedxml.ElementTree import iterparse

    from xltool.cells import parse_a1
    from xltool.io.safety import DEFAULT_LIMITS, read_member

    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    try:
        zf = zipfile.ZipFile(src)
    except (OSError, zipfile.BadZipFile):
        return None
    with zf:
        part = _sheet_part(zf, sheetname)
        if part is None:
            return None
        fm = _Formulas({}, {}, defaultdict(list), {})
        shared_cells: list[tuple[tuple[int, int], str]] = []
        import io

        data = read_member(zf, part, DEFAULT_LIMITS.max_member)
        for _, el in iterparse(io.BytesIO(data), events=("end",)):
            if el.tag != ns + "c":
                if el.tag == ns + "row":
                    el.clear()
                continue
            ref = el.get("r")
            f = el.find(ns + "f")
            if f is None or ref is None:
                continue
            try:
                pos = parse_a1(ref)
            except (ValueError, KeyError):
                continue
            text = f.text or ""
            if f.get("t") == "shared" and f.get("si") is not None:
                si = f.get("si")
                if f.get("ref") is not None and text:
                    fm.masters[si] = (pos[0], pos[1], text)
                    fm.master_at[pos] = si
                    if pos[1] in cols:
                        fm.own[pos] = text
                else:
                    fm.dependants[si].append(pos)
                    if pos[1] in cols:
                        shared_cells.append((pos, si))
            elif f.get("t") in (None, "normal") and text and pos[1] in cols:
                fm.own[pos] = text
        for pos, si in shared_cells:
            m = fm.masters.get(si)
            if m is not None:
                t = translate(m[2], (m[0], m[1]), pos)
                if t is not None:
                    fm.own[pos] = t
        return fm


def _sheet_part(zf, sheetname: str) -> str | None:
    import posixpath

    from defusedxml import ElementTree as ET

    from xltool.io.safety import DEFAULT_LIMITS, read_member

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    try:
        wb = ET.fromstring(read_member(zf, "xl/workbook.xml", DEFAULT_LIMITS.max_member))
        rels = ET.fromstring(read_member(zf, "xl/_rels/workbook.xml.rels", DEFAULT_LIMITS.max_member))
    except (KeyError, ET.ParseError, Exception):
        return None
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    for el in wb.iter(main + "sheet"):
        if el.get("name") == sheetname:
            t = targets.get(el.get(rel_ns + "id"))
            if not t:
                return None
            return t[1:] if t.startswith("/") else posixpath.normpath(posixpath.join("xl", t))
    return None
