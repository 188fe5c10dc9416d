"""Blank standard workbooks that compute themselves (``xltool template``).

One builder module per kind; each writes its main sheet and a 填表说明 sheet with xlsxwriter and
returns a :class:`~xltool.template.base.Layout` saying where inputs and formulas are.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

from xltool.template.base import Layout, Styles, mark_empty_string_results, new_workbook

# kind → builder module (order: as listed by ``xltool template --list``)
_MODULES = {
    "summary": "xltool.template.summary",
    "project-form": "xltool.template.project_form",
    "department-form": "xltool.template.department_form",
    "weighted-form": "xltool.template.weighted_form",
    "score-table": "xltool.template.score_table",
    "management-table": "xltool.template.management",
}
KINDS = tuple(_MODULES)
DEFAULT_ROWS = 50
MAX_ROWS = 2000

# Folder of the shipped templates (default profile), beside the package in a source checkout.
SHIPPED = Path(__file__).resolve().parents[2] / "templates"


def module(kind: str):
    if kind not in _MODULES:
        raise KeyError(kind)
    return importlib.import_module(_MODULES[kind])


def describe() -> list[tuple[str, str, str]]:
    """(kind, Chinese description, default file name) for every kind."""
    out = []
    for kind in KINDS:
        m = module(kind)
        out.append((kind, m.DESCRIPTION, m.FILE_NAME))
    return out


def default_file_name(kind: str, year: int | None = None, unit: str | None = None) -> str:
    m = module(kind)
    unit = re.sub(r'[\\/:*?"<>|\s]+', "_", (unit or "").strip())
    prefix = f"{unit}{f'{year}年度' if year else ''}"
    return prefix + m.FILE_NAME


def build(kind: str, path: str | Path, profile=None, *, year: int | None = None, unit: str | None = None,
          rows: int = DEFAULT_ROWS, data: dict[str, Any] | None = None) -> Layout:
    """Write the template of ``kind`` to ``path``.

    ``data`` (A1 → value) pre-fills input cells of the main sheet; derived cells then carry the
    values their formulas give. Templates are written blank without it.
    """
    from xltool import profiles

    prof = profile if profile is not None and not isinstance(profile, (str, Path)) else profiles.load(profile)
    m = module(kind)
    path = Path(path)
    unit = (unit or "").strip() or None
    wb = new_workbook(path, title=m.TITLE)
    st = Styles(wb)
    kwargs: dict[str, Any] = {"year": year, "unit": unit, "data": data}
    if kind == "summary":
        kwargs["rows"] = rows
    layout = m.build(wb, st, prof, **kwargs)
    wb.close()
    mark_empty_string_results(path)
    return layout


def write_shipped(folder: str | Path = SHIPPED) -> list[Path]:
    """(Re)write every kind's template for the default profile into ``folder`` (templates/)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for kind in KINDS:
        target = folder / module(kind).FILE_NAME
        build(kind, target)
        out.append(target)
    return out
