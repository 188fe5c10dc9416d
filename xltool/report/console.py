"""Console lines in Chinese: one per file (with its findings under it when asked), then a total."""

from __future__ import annotations

import os

from xltool import status
from xltool.report.jsonout import totals

SEVERITY_WORD = {"error": "错误", "warning": "提示", "info": "说明"}
MAX_LISTED = 200  # findings listed per file with -v; the rest are in the annotated copy


def file_line(r) -> str:
    from xltool.engine import display_name

    kinds = "、".join(dict.fromkeys(s.title for s in r.kinds)) or "—"
    path = display_name(r.path)
    key = status.key_of(r)
    mark = f"【{status.WORD[key]}】"
    if key in status.UNCHECKED:
        return f"{mark}{path}：{r.error}"
    out = f"，核查副本：{display_name(r.output)}" if r.output else ""
    if getattr(r, "corrected", None):
        out += f"，更正副本：{display_name(r.corrected)}（已更正 {r.fixed} 处）"
    remarks = "".join(f"\n    注意：{t}" for t in getattr(r, "remarks", ()))
    return f"{mark}{path}：{kinds}，错误 {r.errors} 处，提示 {r.warnings} 处{out}{remarks}"


def finding_lines(r, titles: dict[str, str]) -> list[str]:
    """The findings of one file, errors first, each with its rule's Chinese title and its cell."""
    order = {"error": 0, "warning": 1, "info": 2}
    out = []
    ranked = sorted(r.findings, key=lambda f: order.get(f.severity, 3))
    for f in ranked[:MAX_LISTED]:
        where = f"{f.sheet}!{f.cell}" if f.sheet and f.cell else (f"工作表“{f.sheet}”" if f.sheet else "整个文件")
        title = titles.get(f.rule, "")
        rule = f"{f.rule} {title}".rstrip()
        out.append(f"    {SEVERITY_WORD.get(f.severity, f.severity)} {where}［{rule}］{f.message}")
    if len(ranked) > MAX_LISTED:
        out.append(f"    …… 另有 {len(ranked) - MAX_LISTED} 处，详见核查副本。")
    return out


def rule_titles() -> dict[str, str]:
    from xltool.report.overview import rule_titles

    return rule_titles()


def shown_path(path, inputs) -> str:
    """A path the run made (the overview), written as the user wrote the inputs: relative to the current
    folder when every input was given relative (as the files and their copies are shown), else absolute."""
    from xltool.engine import display_name

    text = str(path)
    if os.path.isabs(text) and inputs and not any(os.path.isabs(str(i)) for i in inputs):
        try:
            text = os.path.relpath(text)
        except ValueError:  # another drive (Windows)
            pass
    return display_name(text)


def total_line(reports) -> str:
    t = totals(reports)
    words = {k: 0 for k in status.WORD}
    for r in reports:
        words[status.key_of(r)] += 1
    split = "，".join(f"{status.WORD[k]} {words[k]} 个" for k in (status.ERRORS, status.WARNINGS, status.BLANK, status.OK)
                     if words[k])
    stray = f"，未识别 {t['unrecognised']} 个（未找到预算绩效自评表，未核查）" if t["unrecognised"] else ""
    return (f"共检查 {t['files']} 个文件" + (f"（{split}）" if split else "")
            + f"：错误 {t['errors']} 处，提示 {t['warnings']} 处，无法读取 {t['failed']} 个{stray}。")
