"""A checked file's status in one vocabulary, for the console, the overview and the page.

Six words: 通过 (nothing found), 有错误, 需留意 (warnings only), 空表 (a form or table nobody filled in:
a warning, never 通过), 无法读取 (the file could not be opened: damaged, encrypted, not Excel, too large)
and 未识别 (the file was read but holds no self-evaluation table, so nothing in it was checked: never 通过,
and not called damaged, because it is not).

Why 未识别 and not 非自评表: the tool only knows it did not recognise a table. The file may be a
self-evaluation table whose header it did not find, and the reason shown beside the word says both ("本文件
看起来不是预算绩效自评表，未核查……如果它是，请确认表头文字……"). 未识别 is also the word a sheet of that
kind already gets (XL001 未识别的工作表，未核查).

A workbook with nothing filled in anywhere (every sheet empty) is 未识别, never 空表. 空表 says "this is a
self-evaluation form or table (we recognised its header), and nobody has filled it in yet": the officer
knows which table to fill, the reviewer sends it back, and the batch exit code stays 0 (a warning). An empty
workbook has no header, so no table was recognised and nothing was checked: calling it 空表 would claim a
kind the tool never saw, and exit 0 would tell a script the folder was checked when this file was not (a
wrong file attached, or the table saved on a sheet that was not uploaded). So it is 未识别 with exit 2
(``xltool/errors.py``), and its reason says why ("工作簿里没有填写任何内容"), on every surface alike:
the console, the JSON ``verdict``, the overview, the page and summarize all show ``key_of`` and never decide
a status of their own. (A package with no sheet at all is damaged: Excel requires one. It stays 无法读取.)
"""

from __future__ import annotations

FAILED, ERRORS, WARNINGS, BLANK, OK = "failed", "errors", "warnings", "blank", "ok"
UNRECOGNISED = "unrecognised"

WORD = {OK: "通过", ERRORS: "有错误", WARNINGS: "需留意", BLANK: "空表", FAILED: "无法读取", UNRECOGNISED: "未识别"}

# worst first: files that could not be read, files that were read but not checked (a reviewer looks at both
# early: a stray attachment, or a table whose header was not recognised), then errors, warnings, blank
# tables, clean files
RANK = {FAILED: 0, UNRECOGNISED: 1, ERRORS: 2, WARNINGS: 3, BLANK: 4, OK: 5}

# the statuses of files with nothing checked in them (no findings, no annotated copy)
UNCHECKED = frozenset({FAILED, UNRECOGNISED})

# rules that mark a sheet nobody filled in: a blank form, score or management table (XL002), a summary with a
# header and no rows (SUM016)
BLANK_RULES = frozenset({"XL002", "SUM016"})


def is_blank_finding(finding) -> bool:
    return finding.rule in BLANK_RULES


def key_of(report) -> str:
    """The status of a checked file: failed, unrecognised, errors, warnings, blank or ok.

    A file whose only warnings say a sheet is blank (XL002 for a form, a score or a management table;
    SUM016 for a summary) is ``blank``; a blank sheet beside a filled one with its own warnings is
    ``warnings`` (the filled sheet decides). The blank rules are the only way to ``blank``, so the
    console, the overview, the JSON and 核查结果 agree."""
    if report.status == "failed":
        return FAILED
    if report.status == UNRECOGNISED:
        return UNRECOGNISED
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
