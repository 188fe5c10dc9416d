"""Workbook kinds. Each module knows one layout: ``detect(sheet)``, ``read(sheet)`` → record,
``results(record, profile)`` and ``review_columns(record, profile)``. Layout knowledge lives here only.

A kind module defines NAME (used in JSON), TITLE (Chinese), RULES_MODULE, and the functions above.
Order matters: the first kind whose ``detect`` accepts a sheet reads it.
"""

from __future__ import annotations

import importlib

from xltool.kinds.vocabulary import PRESCREENS, Screen

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


def _top_labels(sheet, rows: int) -> str:
    """Every text of the top ``rows`` rows, normalised as ``common.label`` does, each after a NUL: a cell
    label containing W ⇔ W in the result; a label starting with W ⇔ NUL + W in it. Raw row values are
    enough: a merged cell shows its anchor's value, which sits in the same rows or above."""
    from xltool.numbers import normalise_text

    parts = [v for row in sheet.rows[:rows] for v in row if isinstance(v, str) and v]
    return normalise_text("\0" + "\0".join(parts)) if parts else ""


def _passes(sheet, screen: Screen, tops: dict[int, str]) -> bool:
    """``screen`` (vocabulary.PRESCREENS) holds on the sheet; ``tops`` caches the top texts per row count."""
    text = tops.get(screen.rows)
    if text is None:
        text = tops[screen.rows] = _top_labels(sheet, screen.rows)
    return any(w in text for w in screen.words) or any("\0" + w in text for w in screen.starts)


def module(name: str):
    """The kind module called ``name`` (imported on first use), or None."""
    path = _KIND_MODULES.get(name)
    return importlib.import_module(path) if path else None


def classify(sheet, prescreen: bool = True):
    """The kind module that reads ``sheet``, or None. Only the modules of kinds that pass their
    pre-screen (``vocabulary.PRESCREENS``: cheap necessary conditions of their ``detect``) are imported.
    tests/test_fast_path.py checks on every sample, real file and layout that classification is the same
    with and without them."""
    ruled_out: dict = {}
    tops: dict[int, str] = {}
    for name in NAMES:
        screen = PRESCREENS.get(name) if prescreen else None
        if screen is not None:
            if screen not in ruled_out:
                ruled_out[screen] = not _passes(sheet, screen, tops)
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


#: A1 of the first sheet of a copy this tool wrote (``report.plan``): checking such a copy again says what it is
OWN_SHEET_TITLES = ("xltool 核查结果", "xltool 更正副本")


def describe_unknown(sheet) -> str:
    """The Chinese XL001 text for a sheet no kind reads: empty, a 绩效目标申报表, or not recognised."""
    if not any(any(v not in ("", None) for v in row) for row in sheet.rows):
        return f"工作表“{sheet.name}”是空表，未检查。"
    first = sheet.rows[0][0] if sheet.rows and sheet.rows[0] else None
    if first in OWN_SHEET_TITLES:
        return f"工作表“{sheet.name}”是本工具此前生成的{first[7:]}页，不是自评表，未检查。"
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
