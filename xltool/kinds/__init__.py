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
