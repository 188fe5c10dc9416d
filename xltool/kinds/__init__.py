"""Workbook kinds. Each module knows one layout: ``detect(sheet)``, ``read(sheet)`` → record,
``results(record, profile)`` and ``review_columns(record, profile)``. Layout knowledge lives here only.

A kind module defines NAME (used in JSON), TITLE (Chinese), RULES_MODULE, and the functions above.
Order matters: the first kind whose ``detect`` accepts a sheet reads it.
"""

from __future__ import annotations

import importlib

_KIND_MODULES = (
    "xltool.kinds.weighted_form",
    "xltool.kinds.form",
    "xltool.kinds.department_form",
    "xltool.kinds.score_table",
    "xltool.kinds.management",
    "xltool.kinds.summary",
)

KINDS = [importlib.import_module(m) for m in _KIND_MODULES]
BY_NAME = {k.NAME: k for k in KINDS}


def classify(sheet):
    """The kind module that reads ``sheet``, or None."""
    for kind in KINDS:
        if kind.detect(sheet):
            return kind
    return None


def describe_unknown(sheet) -> str:
    """The Chinese XL001 text for a sheet no kind reads: empty, a 绩效目标申报表, or not recognised."""
    if not any(any(v not in ("", None) for v in row) for row in sheet.rows):
        return f"工作表“{sheet.name}”是空表，未检查。"
    if target_form_sheet(sheet):
        return (f"工作表“{sheet.name}”是绩效目标申报表（只有绩效目标和指标值，没有完成值、分值和得分），"
                "不是绩效自评表，未检查。")
    return f"工作表“{sheet.name}”不是可识别的绩效自评表格，未检查。"


def target_form_sheet(sheet, rows: int = 40) -> bool:
    """A 绩效目标申报表: its title says so, or it has target labels (年度绩效目标, 指标值) and none of a
    self-evaluation's (完成值, 分值, 得分, 自评)."""
    from xltool.kinds import vocabulary as V
    from xltool.kinds.table import label

    texts = [label(t) for r in range(min(rows, sheet.nrows)) for t in sheet.row_texts(r) if t]
    if any(w in t for t in texts for w in V.SELF_EVAL_LABELS):
        return False
    if any(w in t for t in texts[:5] for w in V.TARGET_FORM_TITLES):
        return True
    return sum(1 for w in V.TARGET_FORM_LABELS if any(w in t for t in texts)) >= 2
