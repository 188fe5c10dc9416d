"""Workbook kinds. Each module knows one layout: ``detect(sheet)``, ``read(sheet)`` → record,
``results(record, profile)`` and ``review_columns(record, profile)``. Layout knowledge lives here only.

A kind module defines NAME (used in JSON), TITLE (Chinese), RULES_MODULE, and the functions above.
Order matters: the first kind whose ``detect`` accepts a sheet reads it.
"""

from __future__ import annotations

import importlib

# kind NAME → module, in detection order
_KIND_MODULES = {
    "weighted-form": "xltool.kinds.weighted_form",
    "project-form": "xltool.kinds.form",
    "department-form": "xltool.kinds.department_form",
    "score-table": "xltool.kinds.score_table",
    "management-table": "xltool.kinds.management",
    "summary": "xltool.kinds.summary",
}
NAMES = tuple(_KIND_MODULES)

#: kind NAME → the module of its rules (each kind module's RULES_MODULE; a test keeps them equal)
RULES_MODULES = {
    "weighted-form": "xltool.rules.weighted",
    "project-form": "xltool.rules.form",
    "department-form": "xltool.rules.form",
    "score-table": "xltool.rules.score_table",
    "management-table": "xltool.rules.management",
    "summary": "xltool.rules.summary",
}

#: rows the indicator-table forms look in for their header (formparts.HEADER_SCAN_ROWS)
_FORM_HEADER_ROWS = 60


def _top_labels(sheet, rows: int) -> str:
    """Every text of the top ``rows`` rows, normalised as ``common.label`` does, each after a NUL: a cell
    label containing W ⇔ W in the result; a label starting with W ⇔ NUL + W in it. Raw row values are
    enough: a merged cell shows its anchor's value, which sits in the same rows or above."""
    from xltool.numbers import normalise_text

    parts = [v for row in sheet.rows[:rows] for v in row if isinstance(v, str) and v]
    return normalise_text("\0" + "\0".join(parts)) if parts else ""


def _has_level1_label(sheet) -> bool:
    """Necessary for the three indicator-table forms (their header, ``formparts.find_indicator_header``,
    is a row within the first 60 holding a label with 一级) and the score table (a label starting with
    一级 within 40 rows)."""
    return "一级" in _top_labels(sheet, _FORM_HEADER_ROWS)


def _has_score_table_label(sheet) -> bool:
    """Necessary for the score table: a label starting with 一级 (its level columns), or a single
    indicator-name column (score_table._numbered_header: a label equal to one of SCORE_NAME_LABELS)."""
    from xltool.kinds.vocabulary import SCORE_NAME_LABELS

    text = _top_labels(sheet, _FORM_HEADER_ROWS)
    return "一级" in text or any("\0" + w in text for w in SCORE_NAME_LABELS)


#: management: rows for its header, and the labels of its 满分 column (management._role "full")
_MANAGEMENT_HEADER_ROWS = 40
_FULL_LABELS = ("满分", "分值", "标准分", "应得分", "基础分", "配分")


def _has_full_label(sheet) -> bool:
    """Necessary for the management table: a 满分/分值 … column label within its header rows."""
    text = _top_labels(sheet, _MANAGEMENT_HEADER_ROWS)
    return any("\0" + w in text for w in _FULL_LABELS)


# Cheap tests that rule a kind out before its module is even imported (start-up time): each is a
# necessary condition of the kind's ``detect``. tests/test_fast_path.py checks on every sample, real
# file and layout that classification is the same with and without them.
_PRESCREENS = {
    "weighted-form": _has_level1_label,
    "project-form": _has_level1_label,
    "department-form": _has_level1_label,
    "score-table": _has_score_table_label,  # a 一级 column, or one 指标 column, within 40 rows
    "management-table": _has_full_label,
}


def module(name: str):
    """The kind module called ``name`` (imported on first use), or None."""
    path = _KIND_MODULES.get(name)
    return importlib.import_module(path) if path else None


def classify(sheet, prescreen: bool = True):
    """The kind module that reads ``sheet``, or None. Only the modules of kinds that pass their
    pre-screen are imported."""
    ruled_out: dict = {}
    for name in NAMES:
        screen = _PRESCREENS.get(name) if prescreen else None
        if screen is not None:
            if screen not in ruled_out:
                ruled_out[screen] = not screen(sheet)
            if ruled_out[screen]:
                continue
        kind = module(name)
        if kind.detect(sheet):
            return kind
    return None


def __getattr__(name):
    """``KINDS`` (every kind module, in detection order) and ``BY_NAME`` import them all."""
    if name == "KINDS":
        return [module(n) for n in NAMES]
    if name == "BY_NAME":
        return {n: module(n) for n in NAMES}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
