"""A checked file's status in one vocabulary, for the console, the overview and the page.

Five words: 通过 (nothing found), 有错误, 需留意 (warnings only), 空表 (a form or table nobody filled in:
a warning, never 通过) and 无法读取 (the file could not be processed).
"""

from __future__ import annotations

FAILED, ERRORS, WARNINGS, BLANK, OK = "failed", "errors", "warnings", "blank", "ok"

WORD = {OK: "通过", ERRORS: "有错误", WARNINGS: "需留意", BLANK: "空表", FAILED: "无法读取"}

# worst first: files that could not be read, then errors, warnings, blank tables, clean files
RANK = {FAILED: 0, ERRORS: 1, WARNINGS: 2, BLANK: 3, OK: 4}

# rules that mark a sheet nobody filled in: a blank form (XL002), a summary with a header and no rows (SUM016)
BLANK_RULES = frozenset({"XL002", "SUM016"})


# figures a filled-in sheet states (whichever its kind has); a blank template has none of them
FILLED_FIGURES = ("budget", "execution", "stated_total", "project_count", "total_score")


def unfilled(results: dict) -> bool:
    """A recognised sheet with none of its figures filled in (e.g. a blank template)."""
    figures = [results[k] for k in FILLED_FIGURES if k in results]
    return bool(figures) and all(v is None or v == 0 for v in figures)


def is_blank_finding(finding) -> bool:
    return finding.rule in BLANK_RULES


def key_of(report) -> str:
    """The status of a checked file: failed, errors, warnings, blank or ok.

    A file whose only warnings say a sheet is blank is ``blank``, and so is a file whose every
    recognised sheet states none of its figures; a blank sheet beside a filled one with its own
    warnings is ``warnings`` (the filled sheet decides)."""
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
    if report.kinds and all(unfilled(s.results or {}) for s in report.kinds):
        return BLANK  # a kind without a blank rule (a management or score table nobody filled in)
    return OK


def word_of(report) -> str:
    return WORD[key_of(report)]


def blank_sheets(report) -> set[str]:
    """Sheets the check found blank (nothing filled in): they have no score to show."""
    return {f.sheet for f in report.findings if is_blank_finding(f) and f.sheet}
