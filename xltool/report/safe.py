"""Writing untrusted text and files safely."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

_ILLEGAL = {i for i in range(32) if i not in (9, 10, 13)}


def clean_text(value: str) -> str:
    """Drop control characters that are illegal in XML (they would corrupt the workbook)."""
    if any(ord(ch) in _ILLEGAL for ch in value):
        value = "".join(ch for ch in value if ord(ch) not in _ILLEGAL)
    return value[:32767]


def put(cell, value, number_format: str | None = None) -> None:
    """Set an openpyxl cell: text is always text, never a formula ("=HYPERLINK(…)", "+cmd|…")."""
    if isinstance(value, str):
        cell.value = clean_text(value)
        cell.data_type = "s"
    else:
        cell.value = value
    if number_format:
        cell.number_format = number_format


def has_marker(path: Path, marker: str) -> bool:
    """True when the workbook at ``path`` carries the custom document property ``marker`` (our outputs do)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("docProps/custom.xml")
            if info.file_size > 1_000_000:
                return False
            return marker.encode() in zf.read(info)
    except (KeyError, OSError, zipfile.BadZipFile, ValueError):
        return False


def atomic_write(target: Path, write: Callable[[Path], None]) -> None:
    """Write to a temporary file in the target's folder, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".~xltool-", suffix=target.suffix, dir=str(target.parent))
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        write(tmp_path)
        os.replace(tmp_path, target)
    except BaseException:
        try:
            tmp_path.unlink()
        except OSError:
            pass
        raise
