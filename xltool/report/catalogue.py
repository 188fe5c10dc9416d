"""The rules catalogue, as console text, Markdown (docs/rules.md) or JSON."""

from __future__ import annotations

import json

from xltool.findings import SEVERITY_CN
from xltool.kinds import BY_NAME

KIND_CN = {"*": "所有表格"}


def _kind_cn(kind: str) -> str:
    """Chinese name(s) of a rule's kind; several kinds are joined by "|" ("project-form|department-form")."""
    names = []
    for k in kind.split("|"):
        mod = BY_NAME.get(k)
        names.append(mod.TITLE if mod is not None else KIND_CN.get(k, k))
    return "、".join(names)


def rule_title(code: str) -> str:
    """The Chinese title of rule ``code`` ("" for a code no rule module defines)."""
    from xltool.rules import load_all

    rule = load_all().get(code)
    return rule.title if rule is not None else ""


def rows():
    from xltool.findings import ENGINE_CODES
    from xltool.rules import load_all

    return sorted([*load_all().values(), *ENGINE_CODES], key=lambda r: r.code)


def render(fmt: str = "text") -> str:
    rs = rows()
    if fmt == "json":
        return json.dumps([{"code": r.code, "kind": r.kind, "title": r.title, "severity": r.severity,
                            "example": r.example, "doc": r.doc} for r in rs], ensure_ascii=False, indent=2)
    if fmt == "markdown":
        out = ["# 核查规则一览（xltool rules）", "",
               "本文件由 `xltool rules --format markdown` 生成，请勿手工修改；测试会核对两者一致。", "",
               "| 代码 | 适用表格 | 名称 | 默认级别 | 示例 |", "| --- | --- | --- | --- | --- |"]
        for r in rs:
            out.append(f"| {r.code} | {_kind_cn(r.kind)} | {r.title} | {SEVERITY_CN.get(r.severity, r.severity)} | "
                       f"{r.example.replace('|', '｜')} |")
        out.append("")
        for r in rs:
            out += [f"## {r.code} {r.title}", "", r.doc, ""]
        return "\n".join(out).rstrip() + "\n"
    lines = []
    for r in rs:
        lines.append(f"{r.code}  [{SEVERITY_CN.get(r.severity, r.severity)}]  {_kind_cn(r.kind)}：{r.title}")
        if r.example:
            lines.append(f"        例：{r.example}")
    return "\n".join(lines)
