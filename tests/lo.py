"""Recalculate workbooks in LibreOffice (headless), as a user's spreadsheet program would.

LibreOffice keeps the cached values of an .xlsx on load unless told otherwise; a private profile
with ``OOXMLRecalcMode = 0`` ("always recalculate") makes every formula be computed afresh. Each
call uses its own profile directory, so parallel test runs do not collide.

    from lo import soffice, recalc
    out = recalc([path], out_dir)   # → list of recalculated copies (same file names, in out_dir)
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

TIMEOUT = 240  # seconds for one soffice run (first start of a fresh profile is the slow part)

_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
</oor:items>
"""


def soffice() -> str | None:
    """The LibreOffice executable, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def recalc(paths: list[Path], out_dir: Path) -> list[Path]:
    """Open each workbook in LibreOffice, recalculate every formula, save as .xlsx into ``out_dir``."""
    return _convert(paths, out_dir, "xlsx:Calc MS Excel 2007 XML", ".xlsx", recalculate=True)


def to_pdf(paths: list[Path], out_dir: Path) -> list[Path]:
    """Print each workbook to PDF with LibreOffice (one run for all files), as a user's 打印 → PDF would."""
    return _convert(paths, out_dir, "pdf:calc_pdf_Export", ".pdf", recalculate=False)


def _convert(paths: list[Path], out_dir: Path, target: str, suffix: str, *, recalculate: bool) -> list[Path]:
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as prof:
        if recalculate:
            user = Path(prof) / "user"
            user.mkdir(parents=True)
            (user / "registrymodifications.xcu").write_text(_XCU, encoding="utf-8")
        env = dict(os.environ)
        env.setdefault("HOME", prof)
        cmd = [exe, f"-env:UserInstallation={Path(prof).as_uri()}", "--headless", "--norestore", "--nologo",
               "--nodefault", "--nolockcheck", "--calc", "--convert-to", target,
               "--outdir", str(out_dir), *[str(p) for p in paths]]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, env=env,
                              stdin=subprocess.DEVNULL)
    outs = [out_dir / (Path(p).stem + suffix) for p in paths]
    missing = [o for o in outs if not o.exists()]
    if proc.returncode != 0 or missing:
        raise RuntimeError(f"soffice failed ({proc.returncode}): {proc.stdout}\n{proc.stderr}\nmissing: {missing}")
    return outs


_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
_MEDIABOX = re.compile(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]")


def pdf_pages(path: Path) -> list[str]:
    """The pages of a PDF as "portrait" / "landscape" (pdfinfo when installed, else the page objects)."""
    exe = shutil.which("pdfinfo")
    if exe:
        proc = subprocess.run([exe, "-l", "100000", str(path)], capture_output=True, text=True, timeout=60)
        sizes = re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", proc.stdout, re.M)
        if sizes:
            return ["landscape" if float(w) > float(h) else "portrait" for w, h in sizes]
    data = Path(path).read_bytes()
    count = len(_PAGE.findall(data))
    boxes = _MEDIABOX.findall(data)
    if not boxes:
        return ["portrait"] * count
    x0, y0, x1, y1 = (float(v) for v in boxes[-1])
    # LibreOffice writes one MediaBox per page; fall back to the last one for every page
    kinds = ["landscape" if float(b[2]) - float(b[0]) > float(b[3]) - float(b[1]) else "portrait" for b in boxes]
    if len(kinds) == count:
        return kinds
    return ["landscape" if x1 - x0 > y1 - y0 else "portrait"] * count
