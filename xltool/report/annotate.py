"""The annotated copy: the original workbook with wrong cells highlighted and noted, recomputed
columns beside each table, and a first sheet 核查结果 listing every finding with a link to its cell."""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

from xltool import __version__
from xltool.errors import UnreadableFile
from xltool.findings import ERROR, INFO, SEVERITY_CN, WARNING
from xltool.report.safe import atomic_write, has_marker, put

FILL = {ERROR: "FFC7CE", WARNING: "FFEB9C", INFO: "DDEBF7"}
REVIEW_HEADER_FILL = "BDD7EE"
REVIEW_FILL = "EAF1FB"
SHEET_NAME = "核查结果"
MARKER = "xltool-annotated"

RESULT_LABELS = {
    "unit": "金额单位",
    "project_count": "项目个数",
    "budget_total": "预算数合计",
    "execution_total": "执行数合计",
    "execution_rate": "总体执行率",
    "overall_score": "整体得分（项目得分平均）",
    "overall_grade": "整体等级",
    "execution_score": "执行率得分",
    "total_score": "总分",
    "grade": "等级",
    "full_score": "满分",
    "converted_score": "换算得分",
    "weight_total": "权重合计",
    "stated_total": "表中所填合计得分",
    # self-evaluation forms (xltool/kinds/form.py, weighted_form.py)
    "project_name": "项目（单位）名称",
    "department": "主管部门",
    "implementing_unit": "实施单位",
    "year": "年度",
    "budget_initial": "年初预算数",
    "budget": "全年预算数（调整后）",
    "arrived": "到位数",
    "execution": "全年执行数",
    "execution_item_score": "预算执行率单项得分（执行率×100）",
    "indicator_count": "绩效指标个数",
    "points_total": "分值合计",
}


def write_annotated(src: Path, book, report, profile, target: Path) -> None:
    if target.resolve() == src.resolve():
        raise UnreadableFile("输出文件与原文件相同，为保护原文件已停止写入。")
    if target.exists() and not written_by_us(target):
        raise UnreadableFile(f"输出位置已有同名文件“{target.name}”，且不是本工具生成的核查副本；为避免覆盖他人文件，未写入。"
                             "请改用 --out 指定其他输出文件夹，或移走该文件后重试。")
    if report.fmt in ("xlsx", "xlsm") and not os.environ.get("XLTOOL_OPENPYXL_WRITER"):
        from xltool.report import (
            xlsxfast,  # the same copy, edited at the package level: no full load + save
        )

        try:
            xlsxfast.write(src, book, report, profile, target)
            return
        except Exception:  # anything unusual for it: the openpyxl writer below
            pass
    wb = _open_copy(src, book, report)
    _annotate(wb, book, report, profile)
    _findings_sheet(wb, report, profile)
    try:
        wb.custom_doc_props.append(_marker())
    except Exception:
        pass
    atomic_write(target, lambda p: wb.save(str(p)))


def written_by_us(path: Path) -> bool:
    """True when ``path`` is an annotated copy this tool wrote (it carries our custom property)."""
    return has_marker(path, MARKER)


def _marker():
    from openpyxl.packaging.custom import StringProperty

    return StringProperty(name=MARKER, value=__version__)


def _open_copy(src: Path, book, report):
    import openpyxl

    if report.fmt in ("xlsx", "xlsm"):
        try:
            return openpyxl.load_workbook(str(src), keep_vba=(report.fmt == "xlsm"), keep_links=True)
        except Exception as exc:  # openpyxl cannot keep this file's formatting: copy the values
            report.notes.append(f"原文件的格式无法由写入组件完整读取（{type(exc).__name__}），核查副本只保留数值、合并单元格和标注。")
    return _values_copy(book)


def _values_copy(book):
    """A new workbook holding the values and merged ranges read by calamine (for .xls)."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet in book.sheets:
        ws = wb.create_sheet(_safe_title(sheet.name, wb))
        for r, row in enumerate(sheet.rows, start=1):
            for c, v in enumerate(row, start=1):
                if v == "" or v is None:
                    continue
                put(ws.cell(r, c), v if isinstance(v, (int, float, str)) else str(v))
        for r0, c0, r1, c1 in sheet.merged:
            if (r0, c0) != (r1, c1):
                ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
        for c in range(1, min(sheet.ncols, 60) + 1):
            ws.column_dimensions[get_column_letter(c)].width = 14
    return wb


def _safe_title(name: str, wb) -> str:
    bad = '[]:*?/\\'
    title = "".join("_" if ch in bad else ch for ch in name)[:31] or "Sheet"
    base, n = title, 1
    while title in wb.sheetnames:
        n += 1
        title = f"{base[:28]}({n})"
    return title


def _annotate(wb, book, report, profile) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    by_cell = defaultdict(list)
    for f in report.findings:
        if f.sheet is not None and f.row is not None:
            by_cell[(f.sheet, f.row, f.col)].append(f)
    names = {s.name: s for s in book.sheets}
    for (sheet_name, r, c), fs in by_cell.items():
        if sheet_name not in wb.sheetnames:
            continue
        ws = wb[sheet_name]
        sheet = names.get(sheet_name)
        ar, ac = sheet.anchor(r, c) if sheet is not None else (r, c)
        cell = ws.cell(ar + 1, ac + 1)
        worst = min(fs, key=lambda f: {ERROR: 0, WARNING: 1}.get(f.severity, 2)).severity
        if worst == INFO:
            continue
        cell.fill = PatternFill("solid", fgColor=FILL[worst])
        lines = [f"【{SEVERITY_CN[f.severity]}】{f.message}（规则 {f.rule}）" for f in fs]
        text = "\n".join(lines)
        if cell.comment is not None and cell.comment.text:
            text = cell.comment.text.rstrip() + "\n—— xltool ——\n" + text
        comment = Comment(text[:30000], "xltool")
        comment.width = 320
        comment.height = max(90, 40 * len(lines) + 20 * (len(text) // 40))
        cell.comment = comment
    for s in report.kinds:
        if s.module is None or not hasattr(s.module, "review_columns") or s.name not in wb.sheetnames:
            continue
        spec = s.module.review_columns(s.record, profile)
        if not spec:
            continue
        _review_columns(wb[s.name], names[s.name], *spec)


def _review_columns(ws, sheet, header_rows, last_col, cols) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="8EA9DB")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    start = max(last_col + 1, sheet.ncols) + 1  # 1-based, one column after the table
    h0, h1 = header_rows
    for i, col in enumerate(cols):
        c = start + i
        head = ws.cell(h0 + 1, c)
        put(head, col.title)
        head.font = Font(bold=True, color="1F3864")
        head.fill = PatternFill("solid", fgColor=REVIEW_HEADER_FILL)
        head.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        head.border = border
        if h1 > h0:
            ws.merge_cells(start_row=h0 + 1, start_column=c, end_row=h1 + 1, end_column=c)
        for r, v in col.values.items():
            cell = ws.cell(r + 1, c)
            put(cell, v, col.number_format)
            cell.fill = PatternFill("solid", fgColor=REVIEW_FILL)
            cell.border = border
        ws.column_dimensions[get_column_letter(c)].width = 15


def _findings_sheet(wb, report, profile) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    ws = wb.create_sheet(_safe_title(SHEET_NAME, wb), 0)
    for other in wb.worksheets[1:]:
        try:
            other.sheet_view.tabSelected = False
        except Exception:
            pass
    wb.active = 0
    ws.sheet_view.tabSelected = True
    bold = Font(bold=True)
    put(ws.cell(1, 1), "xltool 核查结果")
    ws.cell(1, 1).font = Font(bold=True, size=14)
    rows = [
        ("文件", report.path),
        ("地区配置", f"{profile.title}（{profile.name}）"),
        ("核查结论", _verdict(report)),
    ]
    r = 2
    for k, v in rows:
        put(ws.cell(r, 1), k)
        ws.cell(r, 1).font = bold
        put(ws.cell(r, 2), v)
        r += 1
    for s in report.sheets:
        put(ws.cell(r, 1), "工作表")
        ws.cell(r, 1).font = bold
        put(ws.cell(r, 2), f"“{s.name}”：{s.title}")
        r += 1
        for key, val in s.results.items():
            put(ws.cell(r, 2), RESULT_LABELS.get(key, key))
            if key == "execution_rate" and isinstance(val, (int, float)):
                put(ws.cell(r, 3), val, "0.00%")
            else:
                put(ws.cell(r, 3), val if val is not None else "—")
            r += 1
    for note in report.notes:
        put(ws.cell(r, 1), "说明")
        ws.cell(r, 1).font = bold
        put(ws.cell(r, 2), note)
        r += 1
    r += 1
    headers = ["序号", "级别", "工作表", "单元格", "规则", "问题说明", "表中值", "应为"]
    for i, h in enumerate(headers, start=1):
        cell = ws.cell(r, i)
        put(cell, h)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="305496")
        cell.alignment = Alignment(horizontal="center", vertical="center")
    first = r
    ws.freeze_panes = ws.cell(r + 1, 1)
    for n, f in enumerate(report.findings, start=1):
        r += 1
        put(ws.cell(r, 1), n)
        sev = ws.cell(r, 2)
        put(sev, SEVERITY_CN.get(f.severity, f.severity))
        if f.severity in FILL:
            sev.fill = PatternFill("solid", fgColor=FILL[f.severity])
        put(ws.cell(r, 3), f.sheet or "")
        link = ws.cell(r, 4)
        if f.sheet and f.cell and f.sheet in wb.sheetnames:
            put(link, f.cell)
            quoted = f.sheet.replace("'", "''")
            link.hyperlink = f"#'{quoted}'!{f.cell}"
            link.font = Font(color="0563C1", underline="single")
        else:
            put(link, f.cell or "")
        put(ws.cell(r, 5), f.rule)
        msg = ws.cell(r, 6)
        put(msg, f.message)
        msg.alignment = Alignment(wrap_text=True, vertical="top")
        put(ws.cell(r, 7), _cell_value(f.found))
        put(ws.cell(r, 8), _cell_value(f.expected))
    if report.findings:
        ws.auto_filter.ref = f"A{first}:H{r}"
    else:
        put(ws.cell(r + 1, 1), "未发现问题。")
    for col, width in zip("ABCDEFGH", (10, 14, 18, 10, 9, 70, 16, 16)):
        ws.column_dimensions[col].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{first}:{first}"


def _cell_value(v):
    if v is None:
        return ""
    if isinstance(v, float):
        return round(v, 6)
    return v if isinstance(v, (int, str)) else str(v)


def _verdict(report) -> str:
    e, w = report.errors, report.warnings
    if not e and not w:
        return "未发现错误或提示。"
    return f"发现错误 {e} 处、提示 {w} 处（红色为错误，黄色为提示；点击下表单元格可跳转）。"
