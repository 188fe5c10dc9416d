"""Findings: what a rule found, where, what it should be."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xltool.cells import Cell

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITY_CN = {ERROR: "错误", WARNING: "提示", INFO: "信息"}
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}


@dataclass(frozen=True, slots=True)
class Issue:
    """What a rule function yields: a located problem, before code and severity are attached."""

    cell: Cell | None
    message: str
    expected: Any = None
    found: Any = None
    severity: str | None = None  # overrides the rule's default when set


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: str
    sheet: str | None
    cell: str | None  # "F7"
    message: str
    expected: Any = None
    found: Any = None
    row: int | None = None  # 0-based position, for annotating
    col: int | None = None

    def to_json(self) -> dict:
        return {
            "severity": self.severity,
            "rule": self.rule,
            "sheet": self.sheet,
            "cell": self.cell,
            "message": self.message,
            "expected": _jsonable(self.expected),
            "found": _jsonable(self.found),
        }


def _jsonable(v: Any) -> Any:
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        r = round(v, 6)
        return int(r) if r.is_integer() and abs(r) < 1e15 else r
    return str(v)
