"""Console lines in Chinese: one per file, then a total."""

from __future__ import annotations

from xltool.report.jsonout import totals


def file_line(r) -> str:
    from xltool.engine import display_name

    kinds = "、".join(dict.fromkeys(s.title for s in r.kinds)) or "—"
    path = display_name(r.path)
    if r.status == "failed":
        return f"【无法处理】{path}：{r.error}"
    mark = "【有错误】" if r.errors else ("【需留意】" if r.warnings else "【通过】")
    out = f"，核查副本：{display_name(r.output)}" if r.output else ""
    remarks = "".join(f"\n    注意：{t}" for t in getattr(r, "remarks", ()))
    return f"{mark}{path}：{kinds}，错误 {r.errors} 处，提示 {r.warnings} 处{out}{remarks}"


def total_line(reports) -> str:
    t = totals(reports)
    return (f"共检查 {t['files']} 个文件：错误 {t['errors']} 处，提示 {t['warnings']} 处，"
            f"无法处理 {t['failed']} 个。")
