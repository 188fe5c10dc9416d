"""部门整体支出绩效自评表 — the unit-wide form in the national points layout (DOMAIN.md §1 C).

Same layout and reader as the project form (``xltool.kinds.form``); the title (部门整体支出…) or the
fund block (部门资金, 其中：基本支出 / 项目支出) tells the two apart. The rules (PF###) are shared.
The Hebei weighted layout of the same form is ``xltool.kinds.weighted_form``.
"""

from __future__ import annotations

from xltool.io.book import Sheet
from xltool.kinds import form as _form

NAME = _form.DEPARTMENT
TITLE = "部门整体支出绩效自评表"
RULES_MODULE = "xltool.rules.form"

read = _form.read
results = _form.results
review_columns = _form.review_columns
below = _form.below


def detect(sheet: Sheet) -> bool:
    found = _form.find_header(sheet)
    return found is not None and _form.form_kind(sheet, found[0]) == _form.DEPARTMENT
