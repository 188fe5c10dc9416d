"""Reconciliation across the workbooks of one run: summary rows ↔ project forms, matched by name.

Called by the batch flow after every file was checked and before the annotated copies are written,
so each mismatch appears in both workbooks' reports and copies.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from xltool.rules import Context, run
from xltool.rules.reconcile import Link, Side, Unmatched

_YEAR_PREFIX = re.compile(r"^(20\d{2})年(度)?")
_PUNCT = re.compile(r"[\s\"'“”‘’《》〈〉「」()（）\[\]【】,，.。、:：;；·—\-_/]")


def normalise_name(name: str) -> str:
    """"2023 年 镇级（铜冶镇）教育经费" and "镇级(铜冶镇)教育经费" match."""
    t = unicodedata.normalize("NFKC", name or "")
    t = re.sub(r"\s+", "", t)
    t = _YEAR_PREFIX.sub("", t)
    return _PUNCT.sub("", t).lower()


def _scale(unit: str | None) -> float:
    return 0.0001 if unit == "元" else 1.0


def _sides(report) -> list[Side]:
    out = []
    name = Path(report.path).name
    for sheet in report.sheets:
        if sheet.kind == "summary" and sheet.record is not None:
            t = sheet.record
            for row in t.rows:
                if row.name.value:
                    out.append(Side(name, "summary", row.name, row.budget, row.execution, row.score, _scale(t.unit)))
        elif sheet.kind == "project-form" and sheet.record is not None:
            fields = getattr(sheet.module, "reconcile_fields", None)
            if fields is None:
                continue
            f = fields(sheet.record)
            if f and f.get("name") is not None and f["name"].value:
                out.append(Side(name, "project-form", f["name"], f.get("budget"), f.get("execution"), f.get("score"),
                                _scale(f.get("unit"))))
    return out


def reconcile(reports, profile) -> int:
    """Append REC findings to the reports; returns how many were added."""
    by_report = [(r, _sides(r)) for r in reports if r.status != "failed"]
    summaries = [(r, s) for r, sides in by_report for s in sides if s.kind == "summary"]
    forms = [(r, s) for r, sides in by_report for s in sides if s.kind == "project-form"]
    if not summaries or not forms:
        return 0
    index: dict[str, list] = {}
    for r, s in summaries:
        index.setdefault(normalise_name(s.name.value), []).append((r, s))
    matched_rows = set()
    added = 0
    summary_files = tuple(sorted({s.file for _, s in summaries}))
    for fr, fs in forms:
        hits = index.get(normalise_name(fs.name.value), [])
        if not hits:
            added += _add(fr, run("reconcile", Unmatched(fs, summary_files), Context(profile)))
            continue
        for sr, ss in hits:
            matched_rows.add(id(ss))
            added += _add(fr, run("reconcile", Link(fs, ss), Context(profile)))
            added += _add(sr, run("reconcile", Link(ss, fs), Context(profile)))
    form_files = tuple(sorted({s.file for _, s in forms}))
    for sr, ss in summaries:
        if id(ss) not in matched_rows:
            added += _add(sr, run("reconcile", Unmatched(ss, form_files), Context(profile)))
    return added


def _add(report, findings) -> int:
    if not findings:
        return 0
    report.findings.extend(findings)
    report.status = "findings" if (report.errors or report.warnings) else report.status
    return len(findings)
