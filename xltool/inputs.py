"""Turning the paths a user gave into the workbooks to check."""

from __future__ import annotations

import os
from pathlib import Path

EXTENSIONS = (".xlsx", ".xlsm", ".xls")
FOLDER_EXTENSIONS = (*EXTENSIONS, ".et")  # WPS 表格 saves .et (an xls or xlsx inside): read when named, so found in folders too


def is_candidate(path: Path) -> bool:
    """A workbook to check: right extension, not an Office lock file, not one of our outputs."""
    from xltool.engine import is_own_output

    name = path.name
    return (path.suffix.lower() in FOLDER_EXTENSIONS and not name.startswith("~$") and not name.startswith(".~xltool-")
            and not is_own_output(path))


def collect(paths: list[str]) -> list[tuple[Path, str]]:
    """Expand folders (recursively, sorted); keep files as given. Returns (path, shown) pairs.

    A file named explicitly is always returned (even with an odd extension: sniffing decides); files
    inside folders are filtered by ``is_candidate``. Duplicates are dropped.
    """
    out: list[tuple[Path, str]] = []
    seen: set[str] = set()

    def add(p: Path, shown: str) -> None:
        key = os.path.normcase(str(p.resolve())) if p.exists() else str(p)
        if key not in seen:
            seen.add(key)
            out.append((p, shown))

    for given in paths:
        p = Path(given)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in sorted(files):
                    fp = Path(root) / f
                    if is_candidate(fp):
                        add(fp, str(fp))
        else:
            add(p, given)
    return out
