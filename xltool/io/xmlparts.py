"""Small, safe look-ups inside an OOXML package (parsed with defusedxml)."""

from __future__ import annotations

import posixpath
import zipfile

_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def sheet_part_names(zf: zipfile.ZipFile) -> list[str | None]:
    """Part names of the workbook's sheets in workbook order (None where not found)."""
    from defusedxml import ElementTree as ET

    wb = ET.fromstring(zf.read("xl/workbook.xml"))
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        if target.startswith("/"):
            target = target[1:]
        else:
            target = posixpath.normpath(posixpath.join("xl", target))
        targets[rel.get("Id")] = target
    out: list[str | None] = []
    for el in wb.iter():
        if el.tag.endswith("}sheet"):
            out.append(targets.get(el.get(f"{{{_NS_REL}}}id")))
    return out
