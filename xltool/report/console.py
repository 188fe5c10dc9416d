"""Console lines in Chinese: one per file, then a total."""

from __future__ import annotations

from xltool.report.jsonout import totals


def file_line(r) -> str:
    kinds = "、".join(dict.fromkeys(s.title for s in r.kinds)) or "—"
    if r.status == "failed":
        return f"【无法处理】{r.path}：{r.error}"
    mark = "【有错误】" if r.errors else ("【需留意】" if r.warnings else "【通过】")
    out = f"，核查副本：{r.output}" if r.output else ""
    return f"{mark}{r.path}：{kinds}，错误 {r.errors} 处，提示 {r.warnings} 处{out}"


def total_line(reports) -> str:
    t = totals(reports)
    return (f"共检查 {t['files']} 个文件：错误 {t['errors']} 处，提示 {t['warnings']} 处，"
            f"无法处理 {t['failed']} 个。")
