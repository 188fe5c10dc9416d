"""Reconciliation across the workbooks of one run: summary rows and project forms, matched by name.

Called by the batch flow after every file was checked and before the annotated copies are written,
so each mismatch appears in both workbooks' reports and copies.

Only files of the same unit are compared: a summary's unit is read from its title or file name
("铜冶镇2023年度部门绩效自评结果公开汇总表" → 铜冶镇), a form's from its 主管部门 / 实施单位
("鹿泉区铜冶镇人民政府"); two units are the same when one name contains the other once the
government suffixes are dropped. A file whose unit cannot be read is compared with every file.

Names match when they are equal after normalising (spaces, full/half width, punctuation, a leading
year). Failing that, a name that differs only by administrative places or levels inserted
("2023年镇级铜冶镇教育经费" / "2023年镇级鹿泉区铜冶镇教育经费") matches when its amounts are equal
and it is the only such row.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from pathlib import Path

from xltool.rules import Context, run
from xltool.rules.reconcile import Link, Side, Unmatched, differs

_YEAR_PREFIX = re.compile(r"^(20\d{2})年(度)?")
_YEAR = re.compile(r"20\d{2}年度?")
_PUNCT = re.compile(r"[\s\"'“”‘’《》〈〉「」()（）\[\]【】,，.。、:：;；·—\-_/]")
# what may be inserted into a project name without making it another project: places and levels
_PLACES = re.compile(r"^(?:[\u4e00-\u9fff]{1,8}?(?:省|市|区|县|镇|乡|街道|旗)|[省市区县镇乡]级|本级)+$")
# words a file's title or name goes on with after its unit: "铜冶镇|2023年度部门绩效自评结果公开汇总表"
_KIND_WORDS = re.compile(r"部门绩效|部门整体|项目支出|绩效自评|绩效管理|绩效评价|自评结果|自评表|汇总表|公开")
_GOVERNMENT = re.compile(r"(?:人民政府|街道办事处|办事处|人民政府办公室|管理委员会|管委会|委员会)$")
MIN_LOOSE = 4  # a shorter name is never matched loosely


def normalise_name(name: str) -> str:
    """"2023 年 镇级（铜冶镇）教育经费" and "镇级(铜冶镇)教育经费" match."""
    t = unicodedata.normalize("NFKC", name or "")
    t = re.sub(r"\s+", "", t)
    t = _YEAR_PREFIX.sub("", t)
    return _PUNCT.sub("", t).lower()


def same_but_places(a: str, b: str) -> bool:
    """Normalised names that differ only by places or levels inserted into one of them
    ("镇级铜冶镇教育经费" / "镇级鹿泉区铜冶镇教育经费")."""
    short, long_ = sorted((a, b), key=len)
    if len(short) < MIN_LOOSE or short == long_:
        return False
    ops = difflib.SequenceMatcher(None, short, long_, autojunk=False).get_opcodes()
    inserted = [long_[j1:j2] for tag, _, _, j1, j2 in ops if tag != "equal"]
    if any(tag not in ("equal", "insert") for tag, *_ in ops):
        return False
    return bool(inserted) and all(_PLACES.match(s) for s in inserted)


def unit_key(text: str | None) -> str:
    """A unit's name for comparing: "鹿泉区铜冶镇人民政府" → "鹿泉区铜冶镇"; "" when there is none."""
    t = _PUNCT.sub("", unicodedata.normalize("NFKC", text or ""))
    t = _GOVERNMENT.sub("", t)
    return t if 2 <= len(t) <= 40 else ""


def unit_from_title(text: str | None) -> str:
    """The unit a title or file name starts with: "铜冶镇2023年度部门绩效自评结果公开汇总表" → "铜冶镇"."""
    t = unicodedata.normalize("NFKC", text or "")
    m = _KIND_WORDS.search(t)
    if not m:
        return ""
    return unit_key(_YEAR.sub("", t[: m.start()]))


def same_unit(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Units (each side: its known names) are the same, or one side's is unknown."""
    if not a or not b:
        return True
    return any(x in y or y in x for x in a for y in b)


def _scale(unit: str | None) -> float:
    return 0.0001 if unit == "元" else 1.0


def _sides(report) -> list[Side]:
    out = []
    name = Path(report.path).name
    for sheet in report.sheets:
        if sheet.kind == "summary" and sheet.record is not None:
            t = sheet.record
            unit = unit_from_title(t.title) or unit_from_title(Path(report.path).stem)
            for row in t.rows:
                if row.name.value:
                    out.append(Side(name, "summary", row.name, row.budget, row.execution, row.score, _scale(t.unit),
                                    (unit,) if unit else ()))
        elif sheet.kind == "project-form" and sheet.record is not None:
            fields = getattr(sheet.module, "reconcile_fields", None)
            if fields is None:
                continue
            for rec in (sheet.record, *getattr(sheet, "more", ())):  # and the forms stacked under it
                f = fields(rec)
                if not (f and f.get("name") is not None and f["name"].value):
                    continue
                units = tuple(dict.fromkeys(k for k in (unit_key(_text(getattr(rec, "department", None))),
                                                        unit_key(_text(getattr(rec, "implementing_unit", None))))
                                            if k))
                out.append(Side(name, "project-form", f["name"], f.get("budget"), f.get("execution"),
                                f.get("score"), _scale(f.get("unit")), units))
    return out


def _text(t) -> str:
    return getattr(t, "value", None) or ""


def reconcile(reports, profile, warn=None) -> int:
    """Append REC findings to the reports; returns how many were added. ``warn(text)`` hears once that
    the run holds the files of several units."""
    by_report = [(r, _sides(r)) for r in reports if r.checked]
    summaries = [(r, s) for r, sides in by_report for s in sides if s.kind == "summary"]
    forms = [(r, s) for r, sides in by_report for s in sides if s.kind == "project-form"]
    if not summaries or not forms:
        return 0
    ctx = Context(profile)
    units = sorted({s.units[0] for _, s in summaries if s.units})
    if len(units) > 1 and warn is not None:
        warn(f"本次核查的汇总表属于 {len(units)} 个单位（{'、'.join(units[:8])}{'等' if len(units) > 8 else ''}），"
             "只在同一单位的汇总表与项目自评表之间核对。")
    index: dict[str, list] = {}
    for r, s in summaries:
        index.setdefault(normalise_name(s.name.value), []).append((r, s))
    floor = profile.tolerance.amount_decimals
    matched_rows = set()
    compared_forms: dict[int, list[str]] = {}  # summary side → the files of the forms it was compared with
    added = 0
    for fr, fs in forms:
        mine = [(r, s) for r, s in summaries if same_unit(fs.units, s.units)]
        if not mine:
            continue  # another unit's project: nothing of its own unit to compare with
        for _, s in mine:
            compared_forms.setdefault(id(s), []).append(fs.file)
        key = normalise_name(fs.name.value)
        hits = [(r, s) for r, s in index.get(key, []) if same_unit(fs.units, s.units)]
        if not hits:
            loose = [(r, s) for r, s in mine if same_but_places(key, normalise_name(s.name.value))
                     and _amounts_agree(fs, s, floor)]
            hits = loose if len(loose) == 1 else []
        if not hits:
            files = tuple(sorted({s.file for _, s in mine}))
            added += _add(fr, run("reconcile", Unmatched(fs, files), ctx))
            continue
        for sr, ss in hits:
            matched_rows.add(id(ss))
            added += _add(fr, run("reconcile", Link(fs, ss), ctx))
            added += _add(sr, run("reconcile", Link(ss, fs), ctx))
    # summary rows without a form: one finding per summary sheet, at its first such row
    missing: dict[tuple[int, str], list] = {}
    for sr, ss in summaries:
        if id(ss) not in matched_rows and id(ss) in compared_forms:
            missing.setdefault((id(sr), ss.name.cell.sheet), []).append((sr, ss))
    for rows in missing.values():
        sr, first = rows[0]
        files = tuple(sorted({f for _, s in rows for f in compared_forms[id(s)]}))
        added += _add(sr, run("reconcile", Unmatched(first, files, tuple(s for _, s in rows[1:])), ctx))
    return added


def _amounts_agree(a: Side, b: Side, floor: int) -> bool:
    """The budget and execution both sides state are equal (at least one of them stated on both)."""
    link = Link(a, b)
    stated = [attr for attr in ("budget", "execution")
              if getattr(a, attr) is not None and getattr(b, attr) is not None
              and getattr(a, attr).value is not None and getattr(b, attr).value is not None]
    return bool(stated) and not any(differs(link, attr, floor) for attr in stated)


def _add(report, findings) -> int:
    if not findings:
        return 0
    report.findings.extend(findings)
    report.status = "findings" if (report.errors or report.warnings) else report.status
    return len(findings)
