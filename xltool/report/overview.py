"""The overview of a batch: ``核查汇总.xlsx``, one row per file with its status, kind, counts, score and
grade and a link to its annotated copy; the totals; and the files that could not be processed.

The second sheet 无法处理的文件 lists exactly the 无法读取 files (damaged, encrypted, not Excel): its name
says so. A 未识别 file (read, but no self-evaluation table in it: a stray attachment) is not on it: it was
processed, it is not broken, and putting it there would tell an officer the file is damaged. It has its own
row, colour and count on the first sheet, worst-first right after the 无法读取 files, with the reason in 说明.

Written with xlsxwriter (fast, and text always stays text: no string is ever turned into a formula,
a number or a link), atomically, with a custom property that marks it as ours so that a later run
over the same folder skips it and may replace it.
"""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

from xltool import __version__, status
from xltool.report.printing import page_setup, row_height
from xltool.report.safe import atomic_write, clean_text, has_marker

NAME = "核查汇总.xlsx"
MARKER = "xltool-overview"
SHEET = "核查汇总"
FAILED_SHEET = "无法处理的文件"
MAX_LINKS = 65000  # Excel allows 65,530 hyperlinks per worksheet

STATUS_CN = status.WORD  # one vocabulary with the console and the page

# (score key, grade key) in the results of a kind, first match wins
# (management tables: 换算得分, the score out of 100, before the raw total)
SCORE_KEYS = (("overall_score", "overall_grade"), ("converted_score", "grade"), ("total_score", "grade"))

HEADERS = ("序号", "文件", "状态", "表格类型", "错误", "提示", "得分", "等级", "核查副本", "说明")
WIDTHS = (6, 32, 10, 20, 7, 7, 8, 8, 26, 58)  # 182: A4 landscape at about 79 % in Excel
FAILED_WIDTHS = (6, 50, 70)

RANK = status.RANK  # worst first: failed, unrecognised, errors, warnings, blank, ok
MAX_RULES = 5  # rules named in 说明
FORMAT_OF = {status.OK: "ok", status.ERRORS: "error", status.WARNINGS: "warning", status.BLANK: "blank",
             status.FAILED: "failed", status.UNRECOGNISED: "unrecognised"}

status_of = status.key_of
blank_sheets = status.blank_sheets


def rank_of(report) -> tuple:
    """Sort key, worst first: status, then the most errors and warnings, then the path."""
    return RANK[status_of(report)], -report.errors, -report.warnings, report.path


def worst_first(reports) -> list:
    return sorted(reports, key=rank_of)


def score_of(report) -> tuple[float | None, str | None]:
    """The unit's or the form's score and grade, from the first checked sheet that states one (a blank
    form's 0 and its grade are not a score)."""
    blank = blank_sheets(report)
    for sheet in report.kinds:
        if sheet.name in blank:
            continue
        res = sheet.results or {}
        for score_key, grade_key in SCORE_KEYS:
            score = res.get(score_key)
            if isinstance(score, (int, float)) and not isinstance(score, bool):
                grade = res.get(grade_key)
                return float(score), grade if isinstance(grade, str) else None
    return None, None


def is_overview(path: Path) -> bool:
    """True for an overview this tool wrote (it carries our custom property)."""
    return has_marker(path, MARKER)


def looks_like_overview(path: Path) -> bool:
    """A file found in a folder that is one of our overviews (named 核查汇总…, marked as ours)."""
    return path.name.startswith(Path(NAME).stem) and path.suffix.lower() == ".xlsx" and is_overview(path)


def choose_path(folder: Path) -> Path:
    """``folder/核查汇总.xlsx``, unless a file of that name exists that is not ours: then a dated name."""
    target = folder / NAME
    if not target.exists() or is_overview(target):
        return target
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return folder / f"{Path(NAME).stem}-{stamp}.xlsx"


def write(target: Path, reports, profile, *, inputs: list[str] | None = None, remarks=()) -> Path:
    """Write the overview of ``reports`` to ``target`` (atomically); returns the path written.

    ``remarks`` are Chinese remarks about the run as a whole (e.g. the folder holds several units' files):
    each shown once, under 说明 at the top. If ``target`` is locked (open in Excel/WPS), a dated name
    beside it is used instead.
    """
    remarks = list(dict.fromkeys(remarks))
    try:
        atomic_write(target, lambda tmp: _write(tmp, target.parent, reports, profile, inputs, remarks))
        return target
    except PermissionError:
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        alt = target.with_name(f"{target.stem}-{stamp}{target.suffix}")
        atomic_write(alt, lambda tmp: _write(tmp, alt.parent, reports, profile, inputs, remarks))
        return alt


def _write(tmp: Path, folder: Path, reports, profile, inputs, remarks=()) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_numbers": False,
                                        "strings_to_urls": False, "nan_inf_to_errors": True})
    try:
        wb.set_custom_property(MARKER, __version__)
        wb.set_properties({"title": "xltool 核查汇总", "comments": "由 xltool 生成"})
        f = _formats(wb)
        ws = wb.add_worksheet(SHEET)
        reports = worst_first(reports)
        failed = [r for r in reports if status_of(r) == status.FAILED]  # not the 未识别 ones: see the docstring
        counts = {k: 0 for k in STATUS_CN}
        for r in reports:
            counts[status_of(r)] += 1
        now = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")

        ws.merge_range(0, 0, 0, len(HEADERS) - 1, "", f["title"])
        ws.write_string(0, 0, "xltool 核查汇总", f["title"])
        meta = [
            ("核查时间", now),
            ("地区配置", f"{profile.title}（{profile.name}）"),
            ("核查范围", "；".join(inputs) if inputs else "—"),
        ] + [("说明", text) for text in remarks]
        row = 1
        for k, v in meta:
            ws.write_string(row, 0, k, f["bold"])
            ws.merge_range(row, 1, row, 3, "", f["plain"])
            ws.write_string(row, 1, clean_text(v), f["plain_wrap"])
            ws.set_row(row, row_height([(clean_text(v), sum(WIDTHS[1:4]))]))
            row += 1
        totals = [
            ("文件数", len(reports), None),
            (STATUS_CN[status.OK] + "（无错误、无提示）", counts[status.OK], f["ok"]),
            (STATUS_CN[status.ERRORS], counts[status.ERRORS], f["error"]),
            (STATUS_CN[status.WARNINGS] + "（仅有提示）", counts[status.WARNINGS], f["warning"]),
            (STATUS_CN[status.BLANK] + "（尚未填写）", counts[status.BLANK], f["blank"]),
            (STATUS_CN[status.FAILED], counts[status.FAILED], f["failed"]),
            (STATUS_CN[status.UNRECOGNISED] + "（未找到自评表，未核查）", counts[status.UNRECOGNISED], f["unrecognised"]),
            ("错误合计（处）", sum(r.errors for r in reports), None),
            ("提示合计（处）", sum(r.warnings for r in reports), None),
        ]
        row += 1
        ws.write_string(row, 0, "合计", f["bold"])
        row += 1
        for label, value, fmt in totals:
            ws.merge_range(row, 0, row, 1, "", f["plain"])
            ws.write_string(row, 0, label, fmt or f["plain"])
            ws.write_number(row, 2, value, f["int"])
            row += 1
        row += 1

        head = row
        for c, h in enumerate(HEADERS):
            ws.write_string(head, c, h, f["head"])
        links = 0
        titles = rule_titles()
        for n, r in enumerate(reports, start=1):
            row += 1
            st = status_of(r)
            score, grade = score_of(r)
            kinds = "、".join(dict.fromkeys(s.title for s in r.kinds)) or "—"
            ws.write_number(row, 0, n, f["int"])
            ws.write_string(row, 1, clean_text(r.path), f["wrap"])
            ws.write_string(row, 2, STATUS_CN[st], f[FORMAT_OF[st]])
            unchecked = st in status.UNCHECKED
            ws.write_string(row, 3, kinds if not unchecked else "—", f["wrap"])
            if unchecked:
                ws.write_string(row, 4, "—", f["center"])
                ws.write_string(row, 5, "—", f["center"])
            else:
                ws.write_number(row, 4, r.errors, f["int"])
                ws.write_number(row, 5, r.warnings, f["int"])
            if score is not None:
                ws.write_number(row, 6, score, f["score"])
            else:
                ws.write_string(row, 6, "—", f["center"])
            ws.write_string(row, 7, grade or "—", f["center"])
            if r.output:
                if links < MAX_LINKS and _link(ws, row, 8, r.output, folder, f["link"]):
                    links += 1
                else:
                    ws.write_string(row, 8, clean_text(r.output), f["wrap"])
            else:
                ws.write_string(row, 8, "—" if not unchecked else "（未生成）", f["center"])
            remark = clean_text(_remark(r, titles))
            ws.write_string(row, 9, remark, f["wrap"])
            ws.set_row(row, row_height([(clean_text(r.path), WIDTHS[1]), (kinds, WIDTHS[3]),
                                        (clean_text(Path(r.output).name) if r.output else "", WIDTHS[8]),
                                        (remark, WIDTHS[9])]))
        if reports:
            ws.autofilter(head, 0, row, len(HEADERS) - 1)
        ws.freeze_panes(head + 1, 2)
        for c, w in enumerate(WIDTHS):
            ws.set_column(c, c, w)
        ws.set_row(head, 30)
        page_setup(ws, landscape=True, repeat=head)
        ws.activate()

        fs = wb.add_worksheet(FAILED_SHEET)
        fs.write_string(0, 0, "序号", f["head"])
        fs.write_string(0, 1, "文件", f["head"])
        fs.write_string(0, 2, "原因", f["head"])
        for n, r in enumerate(failed, start=1):
            path, why = clean_text(r.path), clean_text(r.error or "未知原因")
            fs.write_number(n, 0, n, f["int"])
            fs.write_string(n, 1, path, f["wrap"])
            fs.write_string(n, 2, why, f["wrap"])
            fs.set_row(n, row_height([(path, FAILED_WIDTHS[1]), (why, FAILED_WIDTHS[2])]))
        if not failed:
            fs.write_string(1, 0, "所有文件均已处理。", f["plain"])
        for c, w in enumerate(FAILED_WIDTHS):
            fs.set_column(c, c, w)
        fs.freeze_panes(1, 0)
        page_setup(fs, landscape=False, repeat=0)
    finally:
        wb.close()


def _remark(report, titles: dict[str, str] | None = None) -> str:
    """What is wrong: the rules found (code, Chinese title, how many), worst first, then the first finding.
    ``titles``: ``rule_titles()``, when the caller has it already (it walks every rule)."""
    if status_of(report) in status.UNCHECKED:
        return report.error or ""
    shown = [f for f in report.findings if f.severity in ("error", "warning")]
    if status_of(report) == status.BLANK:
        said = [f.message.rstrip("。") for f in report.findings if status.is_blank_finding(f)]
        return "；".join(said) + "。" if said else "表格尚未填写（没有金额、得分等数据），没有可核查的内容。"
    if not shown:
        return ""
    counts: dict[tuple[str, str], int] = {}
    for f in shown:
        counts[(f.rule, f.severity)] = counts.get((f.rule, f.severity), 0) + 1
    order = sorted(counts, key=lambda k: (k[1] != "error", -counts[k], k[0]))
    titles = titles if titles is not None else rule_titles()
    parts = [f"{code} {titles.get(code, '')}".rstrip() + f"（{'错误' if sev == 'error' else '提示'} {counts[(code, sev)]} 处）"
             for code, sev in order[:MAX_RULES]]
    if len(order) > MAX_RULES:
        parts.append(f"另有 {len(order) - MAX_RULES} 类")
    first = next((f for f in shown if f.severity == "error"), shown[0])
    where = f"{first.sheet}!{first.cell}：" if first.sheet and first.cell else ""
    more = len(shown) - 1
    return ("；".join(parts) + "。\n" + f"首处 {where}{first.message}"
            + (f"（另有 {more} 处，详见核查副本）" if more > 0 else ""))


def rule_titles() -> dict[str, str]:
    """Rule code → Chinese title, for every registered rule."""
    from xltool.findings import ENGINE_CODES
    from xltool.rules import load_all

    return {**{n.code: n.title for n in ENGINE_CODES}, **{code: r.title for code, r in load_all().items()}}


def _link(ws, row: int, col: int, output: str, folder: Path, fmt) -> bool:
    """A link to the annotated copy, relative to the overview's folder (so the folder can move)."""
    try:
        rel = os.path.relpath(os.path.abspath(output), os.path.abspath(folder))
    except ValueError:  # another drive (Windows)
        rel = os.path.abspath(output)
    if "#" in rel or len(rel) > 2000:
        return False
    text = clean_text(Path(output).name)
    return ws.write_url(row, col, "external:" + rel, fmt, string=text, tip="打开核查副本") == 0


def _formats(wb) -> dict:
    base = {"font_name": "宋体", "font_size": 11, "valign": "vcenter"}
    border = {"border": 1, "border_color": "#A6A6A6"}

    def fmt(**kw):
        return wb.add_format({**base, **kw})

    return {
        "title": fmt(bold=True, font_size=16),
        "bold": fmt(bold=True),
        "plain": fmt(),
        "plain_wrap": fmt(text_wrap=True),
        "head": fmt(bold=True, font_color="#FFFFFF", bg_color="#305496", align="center", text_wrap=True, **border),
        "int": fmt(num_format="0", align="center", **border),
        "score": fmt(num_format="0.00", align="center", **border),
        "center": fmt(align="center", **border),
        "wrap": fmt(text_wrap=True, **border),
        "link": fmt(font_color="#0563C1", underline=1, text_wrap=True, **border),
        "ok": fmt(bg_color="#C6EFCE", align="center", **border),
        "error": fmt(bg_color="#FFC7CE", align="center", **border),
        "warning": fmt(bg_color="#FFEB9C", align="center", **border),
        "blank": fmt(bg_color="#ECEFF3", align="center", **border),
        "failed": fmt(bg_color="#D9D9D9", align="center", **border),
        "unrecognised": fmt(bg_color="#DDEBF7", align="center", **border),
    }
