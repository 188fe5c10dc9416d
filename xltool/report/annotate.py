"""The annotated copy: the original workbook with wrong cells highlighted and noted, recomputed
columns beside each table, and a first sheet 核查结果 listing every finding with a link to its cell.

What the copy changes is decided once (``xltool.report.plan``). An .xlsx/.xlsm is written at the package
level (``xltool.report.xlsxfast``); where that writer cannot keep the original, this module writes the same
plan through openpyxl and says so on 核查结果, or the copy is refused with a reason (a Strict package).
An .xls gets a values copy."""

from __future__ import annotations

import os
from pathlib import Path

from xltool import __version__
from xltool.errors import UnreadableFile
from xltool.report.plan import (
    MARKER,
    NOTE_AUTHOR,
    NOTE_WIDTH,
    Plan,
    Style,
    build,
    note_height,
    safe_title,
)
from xltool.report.safe import atomic_write, has_marker, put

FALLBACK_NOTE = ("核查副本改由备用写入方式（openpyxl）生成，原因：{}。标注、批注和复核列已完整写入，"
                 "但原文件中本工具无法带过来的内容（如控件、部分图形、新版扩展格式）可能未保留，请以原文件为准。")
REFUSED_NOTE = "未生成核查副本：{}。核查结果仍然有效，请按本报告逐项核对原文件。"
DROPPED_NOTE = "备用写入方式未能保留原文件中的部分内容：{}。"


def write_annotated(src: Path, book, report, profile, target: Path) -> bool:
    """Write the annotated copy of ``src`` to ``target``; False when it was refused (``report.notes`` says why)."""
    _may_write(src, target, "核查副本")
    return _write_plan(src, book, build(report, book, profile), target)


def write_corrected(src: Path, book, report, profile, target: Path):
    """Write the corrected copy (``--fix``) of ``src`` to ``target``: the recomputed values of the derived figures
    that were wrong, each noted; what needs a person stays marked. Returns the ``fix.Correction`` (its report
    says what remains), or None when nothing could be corrected (then no copy is written) or the copy was
    refused (``report.notes`` says why)."""
    from xltool.report.fix import decide
    from xltool.report.plan import build_corrected

    _may_write(src, target, "更正副本")
    correction = decide(report, book, profile, src)
    if not correction.fixes:
        return None
    written = _write_plan(src, book, build_corrected(correction, book, profile), target)
    for text in correction.report.remarks:  # a refusal or the fallback writer: said on the console and in JSON too
        if text not in report.remarks:
            report.remarks.append(text)
    return correction if written else None


def _may_write(src: Path, target: Path, what: str) -> None:
    """Refuse to write ``what`` (a copy) over the original or over a file that is not ours."""
    if target.resolve() == src.resolve():
        raise UnreadableFile("输出文件与原文件相同，为保护原文件已停止写入。")
    if target.exists() and not written_by_us(target):
        raise UnreadableFile(f"输出位置已有同名文件“{target.name}”，且不是本工具生成的文件；为避免覆盖他人文件，未写入"
                             f"{what}。请改用 --out 指定其他输出文件夹，或移走该文件后重试。")


def _write_plan(src: Path, book, plan: Plan, target: Path) -> bool:
    report = plan.report
    if report.fmt in ("xlsx", "xlsm") and not os.environ.get("XLTOOL_OPENPYXL_WRITER"):
        from xltool.report import xlsxfast  # the same plan, written at the package level: no full load + save

        try:
            xlsxfast.write(src, plan, target)
            return True
        except xlsxfast.Unsupported as exc:
            if not exc.fallback:
                _say(report, REFUSED_NOTE.format(exc.reason))
                return False
            _say(report, FALLBACK_NOTE.format(exc.reason))
    if plan.correction is not None and plan.has_formulas:  # openpyxl keeps no cached value: the values, so noted
        from xltool.report.plan import build_corrected

        plan = build_corrected(plan.correction.values_only(), book, plan.profile)
    write_with_openpyxl(src, book, plan, target)
    return True


def _say(report, text: str) -> None:
    """A remark about the copy itself: on the 核查结果 sheet (notes) and on the console and in JSON (remarks)."""
    report.notes.append(text)
    if text not in report.remarks:
        report.remarks.append(text)


def write_with_openpyxl(src: Path, book, plan: Plan, target: Path) -> None:
    """The copy through an openpyxl load + save (also the .xls path: a values copy)."""
    import warnings

    report = plan.report
    with warnings.catch_warnings(record=True) as caught:  # openpyxl's English warnings: said in Chinese below
        warnings.simplefilter("always")
        wb = _open_copy(src, book, report)
    dropped = _dropped(caught)
    if dropped:
        _say(report, DROPPED_NOTE.format("、".join(dropped)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _annotate(wb, plan)
        _findings_sheet(wb, plan)
        if MARKER not in wb.custom_doc_props.names:  # a copy of ours checked again carries it already
            wb.custom_doc_props.append(_marker())
        atomic_write(target, lambda p: wb.save(str(p)))


def _dropped(caught) -> list[str]:
    """What openpyxl said it dropped while loading, in Chinese."""
    what = []
    for w in caught:
        text = str(w.message)
        if "Conditional Formatting extension" in text:
            what.append("新版条件格式扩展")
        elif "Data Validation extension" in text:
            what.append("数据验证扩展")
        elif "extension is not supported" in text:
            what.append("部分扩展内容")
        elif "Slicer" in text or "slicer" in text:
            what.append("切片器")
        elif "Unknown" in text or "not supported" in text:
            what.append("部分原有格式或对象")
    return list(dict.fromkeys(what))


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
        ws = wb.create_sheet(safe_title(sheet.name, wb.sheetnames))
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


def _styler():
    """Style → openpyxl (font, fill, border, alignment, number format), each built once."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    cache: dict[Style, tuple] = {}

    def apply(cell, style: Style) -> None:
        parts = cache.get(style)
        if parts is None:
            side = Side(style="thin", color=style.border) if style.border else None
            parts = cache[style] = (
                Font(bold=style.bold or None, size=style.size, color=style.color,
                     underline="single" if style.underline else None) if style.has_font else None,
                PatternFill("solid", fgColor=style.fill) if style.fill else None,
                Border(left=side, right=side, top=side, bottom=side) if side else None,
                Alignment(horizontal=style.halign, vertical=style.valign, wrap_text=style.wrap or None)
                if style.has_alignment else None)
        font, fill, border, alignment = parts
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        if border is not None:
            cell.border = border
        if alignment is not None:
            cell.alignment = alignment
        if style.numfmt:
            cell.number_format = style.numfmt

    return apply


def _annotate(wb, plan: Plan) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill
    from openpyxl.utils import get_column_letter

    style = _styler()
    for name, sp in plan.sheets.items():
        if name not in wb.sheetnames:
            continue
        ws = wb[name]
        for (r, c), rep in sp.values.items():
            cell = ws.cell(r + 1, c + 1)
            if rep.keep_value:
                continue  # openpyxl keeps the formula text of shared formulas itself
            # openpyxl cannot cache a formula's value, and a formula without one reads as empty: the value
            put(cell, rep.value)
        for (r, c), mark in sp.marks.items():
            cell = ws.cell(r + 1, c + 1)
            cell.fill = PatternFill("solid", fgColor=mark.fill)
            text = mark.note(cell.comment.text if cell.comment is not None else None)
            comment = Comment(text, NOTE_AUTHOR)
            comment.width = NOTE_WIDTH
            comment.height = note_height(text)
            cell.comment = comment
        for (r, c), (value, st) in sp.cells().items():
            cell = ws.cell(r + 1, c + 1)
            put(cell, value)
            style(cell, st)
        for r0, c0, r1, c1 in sp.merges:
            ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
        for c, width in sp.widths.items():
            ws.column_dimensions[get_column_letter(c + 1)].width = width


def _findings_sheet(wb, plan: Plan) -> None:
    from openpyxl.utils import get_column_letter

    fs = plan.findings_sheet(wb.sheetnames)
    ws = wb.create_sheet(fs.title, 0)
    for other in wb.worksheets[1:]:
        other.sheet_view.tabSelected = False
    wb.active = 0
    ws.sheet_view.tabSelected = True
    style = _styler()
    for (r, c), (value, st) in fs.cells.items():
        cell = ws.cell(r + 1, c + 1)
        put(cell, value)
        style(cell, st)
    for r, c, location in fs.links:
        ws.cell(r + 1, c + 1).hyperlink = "#" + location
    ws.freeze_panes = ws.cell(fs.first + 2, 1)
    last_col = get_column_letter(fs.ncols)
    if fs.has_findings:
        ws.auto_filter.ref = f"A{fs.first + 1}:{last_col}{fs.last + 1}"
    for c, width in fs.widths.items():
        ws.column_dimensions[get_column_letter(c + 1)].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{fs.first + 1}:{fs.first + 1}"
