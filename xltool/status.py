"""A checked file's status in one vocabulary, for the console, the overview and the page.

Five words: 通过 (nothing found), 有错误, 需留意 (warnings only), 空表 (a form or table nobody filled in:
a warning, never 通过) and 无法读取 (the file could not be processed).
"""

from __future__ import annotations

FAILED, ERRORS, WARNINGS, BLANK, OK = "failed", "errors", "warnings", "blank", "ok"

WORD = {OK: "通过", ERRORS: "有错误", WARNINGS: "需留意", BLANK: "空表", FAILED: "无法读取"}

# worst first: files that could not be read, then errors, warnings, blank tables, clean files
RANK = {FAILED: 0, ERRORS: 1, WARNINGS: 2, BLANK: 3, OK: 4}

# rules that mark a sheet nobody filled in: a blank form, score or management table (XL002), a summary with a
# header and no rows (SUM016)
BLANK_RULES = frozenset({"XL002", "SUM016"})


def is_blank_finding(finding) -> bool:
    return finding.rule in BLANK_RULES


def key_of(report) -> str:
    """The status of a checked file: failed, errors, warnings, blank or ok.

    A file whose only warnings say a sheet is blank (XL002 for a form, a score or a management table;
    SUM016 for a summary) is ``blank``; a blank sheet beside a filled one with its own warnings is
    ``warnings`` (the filled sheet decides). The blank rules are the only way to ``blank``, so the
    console, the overview, the JSON and 核查结果 agree."""
    if report.status == "failed":
        return FAILED
    if report.errors:
        return ERRORS
    blank = [f for f in report.findings if is_blank_finding(f)]
    other = [f for f in report.findings if f.severity == "warning" and not is_blank_finding(f)]
    if other:
        return WARNINGS
    if blank:
        return BLANK
    if report.warnings:
        return WARNINGS
    return OK


def word_of(report) -> str:
    return WORD[key_of(report)]


def blank_sheets(report) -> set[str]:
    """Sheets the check found blank (nothing filled in): they have no score to show."""
    return {f.sheet for f in report.findings if is_blank_finding(f) and f.sheet}
