"""The JSON report: one document on stdout, a stable shape other programs parse."""

from __future__ import annotations

import json

from xltool import __version__


def totals(reports) -> dict:
    return {
        "files": len(reports),
        "errors": sum(r.errors for r in reports),
        "warnings": sum(r.warnings for r in reports),
        "failed": sum(1 for r in reports if r.status == "failed"),
    }


def document(reports) -> dict:
    return {"version": __version__, "files": [r.to_json() for r in reports], "totals": totals(reports)}


def dumps(reports) -> str:
    return json.dumps(document(reports), ensure_ascii=False, indent=2)
