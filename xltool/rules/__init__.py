"""The rule registry.

A rule is a pure function ``fn(record, ctx) -> Iterable[Issue]`` registered with a stable code, the
kind of record it applies to, a Chinese title and a default severity. Its docstring says what it
checks, why, and gives an example (a line starting with ``例：``). ``xltool rules`` lists them.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from xltool.findings import ERROR, Finding, Issue


@dataclass(frozen=True)
class Rule:
    code: str
    kind: str  # the record kind it applies to ("summary", "project-form", …; several joined by "|"; "*" for every kind)
    title: str
    severity: str
    fn: Callable[[Any, "Context"], Iterable[Issue]]

    @property
    def doc(self) -> str:
        return (self.fn.__doc__ or "").strip()

    @property
    def example(self) -> str:
        for line in self.doc.splitlines():
            line = line.strip()
            if line.startswith("例："):
                return line[2:].strip()
        return ""

    @property
    def summary(self) -> str:
        return self.doc.splitlines()[0].strip() if self.doc else self.title


REGISTRY: dict[str, Rule] = {}


def rule(code: str, kind: str, title: str, severity: str = ERROR):
    """Register a rule function under a stable code."""

    def deco(fn):
        if code in REGISTRY:
            raise ValueError(f"duplicate rule code {code}")
        if not (fn.__doc__ or "").strip():
            raise ValueError(f"rule {code} needs a docstring")
        REGISTRY[code] = Rule(code, kind, title, severity, fn)
        return fn

    return deco


@dataclass
class Context:
    """What rules may read besides the record: the profile and the sheet's results.

    One Context serves one record; ``memo`` lets rules share work derived from that record.
    """

    profile: Any
    results: dict | None = None
    _memo: dict = field(default_factory=dict, repr=False)

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]


# Modules that define rules; imported once, on first use.
_RULE_MODULES = ("xltool.rules.inputs", "xltool.rules.summary", "xltool.rules.reconcile")
_loaded = False


def load_all() -> dict[str, Rule]:
    global _loaded
    if not _loaded:
        for mod in _RULE_MODULES + _extra_modules():
            importlib.import_module(mod)
        _loaded = True
    return REGISTRY


def _extra_modules() -> tuple[str, ...]:
    """Rule modules of the other kinds (each kind module names its rules module)."""
    from xltool.kinds import RULES_MODULES

    return tuple(dict.fromkeys(RULES_MODULES.values()))


def _workbook_kinds() -> tuple[str, ...]:
    from xltool.kinds import NAMES

    return NAMES


_loaded_for: set[str] = set()


def load_for(kind: str) -> None:
    """Import the generic rules and ``kind``'s own (a check imports no other kind's rules)."""
    if _loaded or kind in _loaded_for:
        return
    from xltool.kinds import RULES_MODULES

    importlib.import_module("xltool.rules.inputs")
    if kind in RULES_MODULES:
        importlib.import_module(RULES_MODULES[kind])
    _loaded_for.add(kind)


def run(kind: str, record: Any, ctx: Context) -> list[Finding]:
    """Run every rule for ``kind`` (and the generic ones) over a record."""
    load_for(kind)
    out: list[Finding] = []
    blank = bool(getattr(record, "untouched", False))  # a blank form: only the generic rules (XL002) apply
    for r in REGISTRY.values():
        if blank and r.kind != "*":
            continue
        if kind not in r.kind.split("|") and not (r.kind == "*" and kind in _workbook_kinds()):
            continue
        level = ctx.profile.severity.get(r.code, r.severity)
        if level == "off":
            continue
        for issue in r.fn(record, ctx):
            sev = issue.severity or level
            if issue.severity and r.code in ctx.profile.severity:
                sev = level
            c = issue.cell
            out.append(Finding(
                rule=r.code, severity=sev, sheet=c.sheet if c else None, cell=c.a1 if c else None,
                message=issue.message, expected=issue.expected, found=issue.found,
                row=c.row if c else None, col=c.col if c else None, exact=issue.exact,
            ))
    return out
