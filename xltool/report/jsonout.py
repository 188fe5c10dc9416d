"""The JSON report: one document on stdout, a stable shape other programs parse.

Always valid RFC 8259 JSON in UTF-8, whatever reaches it: a number that is not finite (a text such as
"1e400" read as a number) becomes ``null``, text that cannot be encoded (lone surrogates: a file name
in GBK bytes, a damaged string) is repaired, keys are strings.
"""

from __future__ import annotations

import json
import math

from xltool import __version__, status


def totals(reports) -> dict:
    return {
        "files": len(reports),
        "errors": sum(r.errors for r in reports),
        "warnings": sum(r.warnings for r in reports),
        "failed": sum(1 for r in reports if r.status == "failed"),
        "blank": sum(1 for r in reports if status.key_of(r) == status.BLANK),
        "unrecognised": sum(1 for r in reports if status.key_of(r) == status.UNRECOGNISED),
    }


def file_json(report) -> dict:
    """A file's entry: its ``status`` (ok | findings | failed | unrecognised) followed by its ``verdict`` in
    the one status vocabulary (``xltool/status.py``: failed | unrecognised | errors | warnings | blank | ok)
    and the Chinese word the console, the overview and 核查结果 show (通过 / 有错误 / 需留意 / 空表 / 无法读取 /
    未识别). ``error`` holds the reason of a failed or unrecognised file."""
    doc = report.to_json()
    key = status.key_of(report)
    out = {}
    for k, v in doc.items():
        out[k] = v
        if k == "status":
            out["verdict"], out["verdict_word"] = key, status.WORD[key]
    return out


def document(reports, remarks=()) -> dict:
    """The whole document; ``remarks`` are Chinese remarks about the run as a whole (several units in one
    folder, reconciliation skipped, an edited overview kept): a top-level ``remarks`` list when any."""
    doc = {"version": __version__, "files": [file_json(r) for r in reports], "totals": totals(reports)}
    if remarks:
        doc["remarks"] = list(dict.fromkeys(remarks))
    return doc


def dumps(reports, remarks=(), **extra) -> str:
    doc = document(reports, remarks)
    doc.update(extra)
    return dump_document(doc)


def dump_document(doc) -> str:
    """Serialise ``doc`` as strict JSON (no NaN/Infinity, encodable text)."""
    return json.dumps(sanitise(doc), ensure_ascii=False, indent=2, allow_nan=False)


def sanitise(value):
    """A copy of ``value`` that strict JSON can carry."""
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {_text(str(k)) if not isinstance(k, str) else _text(k): sanitise(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [sanitise(v) for v in value]
    try:  # Decimal, numpy scalars, dates …: their float value when finite, else their text
        f = float(value)
        return f if math.isfinite(f) else None
    except (TypeError, ValueError, OverflowError):
        return _text(str(value))


def _text(s: str) -> str:
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        from xltool.engine import display_name

        return display_name(s).encode("utf-8", "replace").decode("utf-8")
