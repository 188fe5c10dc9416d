"""Small, safe look-ups inside an OOXML package (parsed with expat, DTDs refused: no entities)."""

from __future__ import annotations

import posixpath
import zipfile

_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_REL_STRICT = "http://purl.oclc.org/ooxml/officeDocument/relationships"


class DtdRefused(ValueError):
    """The part declares a DTD (entities could expand): never parsed."""


def elements(data: bytes) -> list[tuple[str, dict[str, str]]]:
    """Every element of an XML part as (``{namespace}local`` tag, attributes with the same spelling),
    in document order. Raises ``DtdRefused`` for a part with a DTD, ``xml.parsers.expat.ExpatError``
    for one that is not well formed."""
    from xml.parsers import expat

    out: list[tuple[str, dict[str, str]]] = []
    p = expat.ParserCreate(namespace_separator="}")

    def start(name, attrs):
        out.append((_clark(name), {_clark(k): v for k, v in attrs.items()}))

    def refuse(*_):
        raise DtdRefused("DTD")

    p.StartElementHandler = start
    p.StartDoctypeDeclHandler = refuse
    p.EntityDeclHandler = refuse
    p.Parse(data, True)
    return out


def _clark(name: str) -> str:
    return "{" + name if "}" in name else name


def sheet_part_names(zf: zipfile.ZipFile) -> list[str | None]:
    """Part names of the workbook's sheets in workbook order (None where not found)."""
    wb = elements(zf.read("xl/workbook.xml"))
    rels = elements(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for tag, attrs in rels[1:]:  # the root's children (a .rels part is flat)
        target = attrs.get("Target", "")
        if target.startswith("/"):
            target = target[1:]
        else:
            target = posixpath.normpath(posixpath.join("xl", target))
        targets[attrs.get("Id")] = target
    out: list[str | None] = []
    for tag, attrs in wb:
        if tag.endswith("}sheet"):
            out.append(targets.get(attrs.get(f"{{{_NS_REL}}}id", attrs.get(f"{{{_NS_REL_STRICT}}}id"))))
    return out
