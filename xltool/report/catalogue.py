"""The rules catalogue, as console text, Markdown (docs/rules.md) or JSON."""

from __future__ import annotations

import json

from xltool.findings import SEVERITY_CN

KIND_CN = {"*": "所有表格"}

#: Rules whose finding sits on a *derived* figure (a balance, rate, total, 小计, execution score, weighted score, sum or
#: grade) and carries the recomputed value as ``expected``: ``xltool check --fix`` writes that value (or the
#: neighbours' formula) into the corrected copy. Every other rule concerns an input a person gave (a budget, an
#: amount spent, points, a weight, a reason, a text) or a cross-file difference: it stays marked for a person.
#: Not fixable although a sum: a form's 年度资金总额 against its “其中” lines (PF003, WF003) — the total is the budget
#: and spending the rate and score rest on, and a breakdown missing a line is as likely as a wrong total.
#: The value is what the figure is (its Chinese word).
FIXABLE: dict[str, str] = {
    "SUM001": "执行率", "SUM002": "结余数", "SUM006": "评价等级", "SUM009": "合计", "SUM014": "小计",
    "PF001": "执行率", "PF002": "执行率得分", "PF012": "总分", "PF014": "等级", "PF017": "得分", "PF020": "小计",
    "WF001": "预算执行进度", "WF004": "折算得分", "WF007": "预算执行率单项得分",
    "WF008": "完成等级", "WF009": "自评得分", "WF016": "等级", "WF019": "小计",
    "MT002": "合计满分", "MT003": "合计得分", "MT004": "换算得分", "MT005": "评价等级", "MT008": "小计",
    "ST003": "小计得分", "ST004": "合计分值", "ST006": "总分", "ST007": "评价等级",
}


def fixable(code: str) -> bool:
    """True when ``--fix`` may write the recomputed value of rule ``code``'s finding (see ``FIXABLE``)."""
    return code in FIXABLE


def _kind_cn(kind: str) -> str:
    """Chinese name(s) of a rule's kind; several kinds are joined by "|" ("project-form|department-form")."""
    from xltool.kinds import BY_NAME  # every kind module: only the catalogue itself needs them all

    names = []
    for k in kind.split("|"):
        mod = BY_NAME.get(k)
        names.append(mod.TITLE if mod is not None else KIND_CN.get(k, k))
    return "、".join(names)


def rule_title(code: str) -> str:
    """The Chinese title of rule ``code`` ("" for a code no rule module defines)."""
    from xltool.findings import ENGINE_CODES
    from xltool.rules import REGISTRY, load_all

    rule = REGISTRY.get(code)  # a finding's rule is registered already: no other kind's rules are imported
    if rule is None and all(e.code != code for e in ENGINE_CODES):
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
