"""A large 部门绩效自评结果公开汇总表 as an officer's workbook looks, written with xlsxwriter (not with our
writers) by the benchmarks' generator, with a spread of errors and the cells where they were planted."""

from __future__ import annotations

import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def make(path: Path, rows: int, seed: int = 7, errors: float = 0.02) -> dict[str, list[str]]:
    """Write the table: wrong balances, wrong rates, stale grades, numbers typed as text on about ``errors``
    of the rows, and a wrong 合计; return the planted cells by kind ({"balance": [A1, …], …, "total": [A1]})."""
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    from bench import ROW_ERRORS, make_summary

    planted: dict[str, list[str]] = {}
    make_summary(path, rows, seed=seed, errors=errors, kinds=ROW_ERRORS, wrong_total=True, planted=planted)
    return planted
