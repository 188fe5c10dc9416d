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


SEAL_PREFIX = b"xltool-seal:"


def _fingerprint(infos) -> str:
    """A digest of a package's parts (names, CRCs, sizes) as its central directory records them."""
    import hashlib

    h = hashlib.sha256()
    for info in infos:
        h.update(info.filename.encode("utf-8", "surrogateescape"))
        h.update(b"\0%d\0%d\n" % (info.CRC, info.file_size))
    return h.hexdigest()[:40]


def seal(path: Path) -> None:
    """Record in the package's ZIP comment a digest of its parts, so a later run can tell the copy it
    wrote from one a person has saved since (Excel, WPS and LibreOffice write no comment, and any change
    of a part changes its CRC). Cheap: only the central directory is rewritten."""
    import zipfile

    with zipfile.ZipFile(path, "a") as zf:
        zf.comment = SEAL_PREFIX + _fingerprint(zf.infolist()).encode()


def sealed(path: Path) -> bool:
    """True when the package at ``path`` is exactly as this tool wrote it (see ``seal``)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            comment = zf.comment
            return comment.startswith(SEAL_PREFIX) and comment[len(SEAL_PREFIX):] == _fingerprint(zf.infolist()).encode()
    except (OSError, zipfile.BadZipFile, ValueError, EOFError):
        return False


_UMASK: int | None = None


def _umask() -> int:
    global _UMASK
    if _UMASK is None:
        try:  # Linux: read it without changing it
            with open("/proc/self/status", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("Umask:"):
                        _UMASK = int(line.split()[1], 8)
                        break
        except (OSError, ValueError):
            pass
        if _UMASK is None:
            _UMASK = os.umask(0o022)
            os.umask(_UMASK)
    return _UMASK


def atomic_write(target: Path, write: Callable[[Path], None]) -> None:
    """Write to a temporary file in the target's folder, then rename it into place.

    The file gets the permissions any new file gets under the user's umask (not mkstemp's 0600), a
    workbook is sealed (``seal``), and the temporary file never outlives a failure or an interrupt.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp_path: Path | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".~xltool-", suffix=target.suffix, dir=str(target.parent))
        tmp_path = Path(tmp)
        os.close(fd)
        write(tmp_path)
        if target.suffix.lower() in (".xlsx", ".xlsm"):
            seal(tmp_path)
        try:
            os.chmod(tmp_path, 0o666 & ~_umask())
        except OSError:  # a file system without Unix permissions (FAT, SMB): keep its default
            pass
        os.replace(tmp_path, target)
        tmp_path = None
    finally:
        if tmp_path is not None:
            try:
                tmp_path.unlink()
            except OSError:
                pass
