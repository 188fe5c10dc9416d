"""Checking one file: sniff → read values → classify sheets → run rules → annotated copy."""

from __future__ import annotations

import errno
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xltool.errors import Unrecognised, UnreadableFile
from xltool.findings import ERROR, INFO, SEVERITY_ORDER, WARNING, Finding

OUTPUT_TAG = ".checked"

#: the reason of a workbook whose every sheet is empty (未识别 on the console; the page shows it as 空表)
MSG_EMPTY_BOOK = "工作簿里没有填写任何内容（所有工作表都是空的），未核查。"


@dataclass
class SheetReport:
    name: str
    kind: str  # a kind NAME, or "unknown"
    title: str  # Chinese name of the kind
    results: dict[str, Any] = field(default_factory=dict)
    record: Any = None
    more: tuple = ()  # records of forms stacked under ``record`` on the same sheet (results are the first's)

    @property
    def module(self):
        from xltool.kinds import module

        return module(self.kind)

    def to_json(self) -> dict:
        return {"name": self.name, "kind": self.kind, "results": self.results}


@dataclass
class FileReport:
    path: str  # as given
    status: str = "ok"  # ok | findings | failed (not read) | unrecognised (read, no table this tool checks)
    output: str | None = None
    error: str | None = None
    fmt: str | None = None
    sheets: list[SheetReport] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # Chinese remarks for the findings sheet
    remarks: list[str] = field(default_factory=list)  # Chinese remarks about the run (console, JSON)
    fix: bool = False  # a corrected copy was asked for (--fix)
    corrected: str | None = None  # the corrected copy written (--fix)
    fixed: int = 0  # cells it corrected

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == WARNING)

    @property
    def checked(self) -> bool:
        """The file was read and holds a table that was checked (not failed, not unrecognised)."""
        return self.status in ("ok", "findings")

    @property
    def kinds(self) -> list[SheetReport]:
        return [s for s in self.sheets if s.kind != "unknown"]

    def to_json(self) -> dict:
        doc = {
            "path": display_name(self.path),
            "status": self.status,
            "output": display_name(self.output) if self.output is not None else None,
            "error": self.error,
            "sheets": [s.to_json() for s in self.sheets],
            "findings": [f.to_json() for f in self.findings],
        }
        if self.remarks:
            doc["remarks"] = list(self.remarks)
        if self.fix:
            doc["corrected"] = display_name(self.corrected) if self.corrected is not None else None
            doc["fixed"] = self.fixed
        return doc


def display_name(text: str) -> str:
    """A path as a user can read it. A name that is not valid UTF-8 (what unzip makes on Linux of a
    zip from Chinese Windows: GBK bytes, carried by Python as surrogate escapes) is shown decoded as
    GB18030; failing that, its undecodable bytes become U+FFFD."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace")


MAX_NAME_BYTES = 255  # a file name's limit on Linux/macOS (bytes) and Windows (UTF-16 units)


def output_path_for(path: Path, fmt: str, out_dir: Path | None) -> Path:
    """``X.checked.xlsx``; for our own copy checked again ``X.checked.xlsx`` too (never ``X.checked.checked.xlsx``),
    or ``X.checked (2).xlsx`` beside it when that name is the input itself."""
    suffix = ".xlsm" if fmt == "xlsm" else ".xlsx"
    stem = _OWN_OUTPUT.sub("", path.stem) if is_own_output(path) else path.stem
    folder = out_dir if out_dir is not None else path.parent
    target = folder / fit_name(f"{stem}{OUTPUT_TAG}{suffix}", OUTPUT_TAG + suffix)
    if os.path.normcase(os.path.abspath(target)) == os.path.normcase(os.path.abspath(path)):
        target = folder / fit_name(f"{stem}{OUTPUT_TAG} (2){suffix}", f"{OUTPUT_TAG} (2){suffix}")
    return target


def fit_name(name: str, keep: str) -> str:
    """``name`` shortened (before its ending ``keep``, marked with …) to fit a file name's limit."""
    def size(n: str) -> int:
        return max(len(n.encode("utf-8", "surrogateescape")), len(n.encode("utf-16-le", "surrogatepass")) // 2)

    if size(name) <= MAX_NAME_BYTES or not name.endswith(keep):
        return name
    head = name[: len(name) - len(keep)]
    while head and size(head + "…" + keep) > MAX_NAME_BYTES:
        head = head[:-1]
    return head + "…" + keep


CORRECTED_TAG = ".corrected"
_OWN_OUTPUT = re.compile("(?:" + re.escape(OUTPUT_TAG) + "|" + re.escape(CORRECTED_TAG) + r")(?: \([0-9]+\))?$")


def is_own_output(path: Path) -> bool:
    """Files this tool wrote: ``X.checked.xlsx`` / ``X.checked.xlsm`` (and ``X.checked (2).xlsx`` …), and the
    corrected copies ``X.corrected.xlsx`` (--fix): checking one writes ``X.checked.xlsx`` / ``X.corrected (2).xlsx``,
    never ``X.corrected.checked.xlsx``."""
    return bool(_OWN_OUTPUT.search(path.stem))


def check_file(path: Path, profile, *, out_dir: Path | None = None, write: bool = True,
               shown: str | None = None, output: Path | None = None, avoid=(), fix: bool = False,
               fmt: str | None = None) -> FileReport:
    """Check one workbook and (``write``) write its annotated copy.

    Never raises for a bad file: the report says ``failed`` and why (in Chinese); a workbook that was read
    but holds no table this tool checks says ``unrecognised`` and why.
    With ``write=False`` the report can be completed later (cross-file findings such as the
    reconciliation of a summary with its project forms) and written with ``write_output``.
    ``avoid``: paths that must not be written (the run's inputs; a ``PathKeys`` when there are many). ``fix``: also write the corrected copy
    ``X.corrected.xlsx`` beside the annotated one (``xltool.report.fix``). ``fmt``: what ``sniff`` already
    said of this file (a batch sniffs it to name the copy), so it is not sniffed twice.
    """
    report = FileReport(path=shown if shown is not None else str(path), fix=fix and write)
    with _failures(report) as guard:
        book = _check(path, profile, report, fmt, rowmaps=write)
        if write:
            _write(path, book, profile, report, output or output_path_for(path, report.fmt, out_dir), avoid, guard)
    return report


def write_output(path: Path, report: FileReport, profile, *, out_dir: Path | None = None,
                 output: Path | None = None, avoid=()) -> FileReport:
    """Write the annotated copy (and with ``report.fix`` the corrected copy) of an already checked file
    (re-reads its values; cheap)."""
    if not report.checked:
        return report
    with _failures(report) as guard:
        from xltool.io.book import load_book

        book = load_book(path, report.fmt, rowmaps=True)
        _write(path, book, profile, report, output or output_path_for(path, report.fmt, out_dir), avoid, guard)
    return report


def path_key(p) -> str:
    """One spelling per file, to compare paths."""
    try:
        return os.path.normcase(os.path.realpath(p))
    except (OSError, ValueError):
        return os.path.normcase(os.path.abspath(p))


class PathKeys(frozenset):
    """Paths as ``path_key`` spells them, resolved once: a batch's inputs are looked up for every copy it
    writes (resolving 300 inputs for each of 300 copies took longer than checking the files)."""

    def __new__(cls, paths=()):
        return super().__new__(cls, (path_key(p) for p in paths))


class _failures:
    """Turn any failure while processing a file into ``status: failed`` with a Chinese reason (``Unrecognised``:
    ``status: unrecognised``, the file was read but not checked)."""

    def __init__(self, report: FileReport):
        self.report = report
        self.target: Path | None = None  # the copy being written, once known

    def __enter__(self):
        return self

    def __exit__(self, typ, exc, tb):
        if exc is None:
            return False
        if isinstance(exc, KeyboardInterrupt):
            return False
        r = self.report
        r.status, r.output = "failed", None
        if isinstance(exc, Unrecognised):
            r.status, r.error = "unrecognised", exc.message
        elif isinstance(exc, UnreadableFile):
            r.error = exc.message
        elif isinstance(exc, MemoryError):
            r.error = "文件过大，内存不足，无法处理。"
        elif isinstance(exc, OSError):
            r.error = os_message(exc, self.target, r.path)
        else:  # a bug or an unforeseen layout: report it, go on with the next file
            r.error = f"处理该文件时发生内部错误（{type(exc).__name__}: {exc}），请将文件反馈给工具维护人员。"
        return True


def os_message(exc: OSError, target: Path | None, shown: str, label: str = "核查副本") -> str:
    """An operating-system error in Chinese, naming the user's file (never our temporary file).

    ``target``: the file being written (None while reading ``shown``); ``label`` what it is."""
    code = exc.errno
    writing = target is not None
    name = display_name(target.name if writing else Path(shown).name)
    folder = display_name(str(target.parent)) if writing else ""
    what = f"{label}“{name}”" if writing else f"文件“{name}”"
    if isinstance(exc, PermissionError) or code in (errno.EACCES, errno.EPERM):
        if writing and target.exists():
            return (f"无法替换{what}：没有写入权限，或该文件正在 Excel/WPS 中打开。"
                    "请先关闭该文件后重试，或用 --out 指定其他输出文件夹。")
        if writing:
            return f"没有权限在文件夹“{folder}”中写入{what}。请用 --out 指定一个自己有写入权限的输出文件夹。"
        return f"没有权限读取{what}。请检查文件权限，或将文件复制到自己的文件夹后再试。"
    if code == errno.EROFS:
        return (f"无法写入{what}：文件夹“{folder}”所在的磁盘是只读的（如写保护的 U 盘、光盘或只读的网络位置）。"
                "请用 --out 指定其他输出文件夹。")
    if code == errno.ENOTDIR:
        return f"无法写入{what}：路径“{folder}”中有一段是文件而不是文件夹。请检查 --out 指定的输出位置。"
    if code == errno.ENAMETOOLONG:
        return f"无法写入{what}：文件路径过长。请缩短文件夹名称，或用 --out 指定一个较短的输出文件夹。"
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return f"无法写入{what}：磁盘空间已满（或超出配额）。请清理磁盘空间，或用 --out 指定其他磁盘上的文件夹。"
    if code in (errno.ENOENT,):
        return f"找不到{what}所在的位置，文件或文件夹可能在核查过程中被移动或删除。"
    if code == errno.EISDIR:
        return f"无法写入{what}：同名的文件夹已经存在。请用 --out 指定其他输出文件夹。"
    label = errno.errorcode.get(code, str(code)) if code is not None else type(exc).__name__
    verb = "写入" if writing else "读取"
    return (f"{verb}{what}时发生系统错误（错误代码 {label}）。请确认磁盘、U 盘或网络位置可以正常访问，"
            "或将文件复制到本机后再试。")


#: findings above which no annotated copy is written: each note costs the writers about 8 KB
#: (30,000 notes: +250 MB), so a table where every row is wrong would need gigabytes
MAX_ANNOTATED_FINDINGS = 20_000


def _write(path: Path, book, profile, report: FileReport, target: Path, avoid=(), guard=None) -> None:
    from xltool.report.annotate import write_annotated

    if len(report.findings) > MAX_ANNOTATED_FINDINGS:
        text = (f"发现的问题过多（{len(report.findings)} 处，超过 {MAX_ANNOTATED_FINDINGS} 处），为避免占用过多内存，"
                "未生成核查副本；全部问题见本次核查结果（--format json 可导出）。这么多问题通常出自同一原因"
                "（如整列公式或金额单位不对），请先改正后再检查。")
        if text not in report.remarks:
            report.remarks.append(text)
            report.notes.append(text)
        return
    target = choose_target(path, target, avoid, report)
    if guard is not None:
        guard.target = target
    if write_annotated(path, book, report, profile, target):
        report.output = str(target)
    if report.fix:
        _write_corrected(path, book, profile, report, target, avoid, guard)


def _write_corrected(path: Path, book, profile, report: FileReport, annotated: Path, avoid, guard) -> None:
    """The corrected copy ``X.corrected.xlsx`` beside the annotated copy (same rules for its name)."""
    from xltool.report.annotate import write_corrected
    from xltool.report.fix import corrected_path

    target = corrected_path(annotated)
    if path_key(target) == path_key(path):  # a corrected copy checked again: X.corrected (2).xlsx beside it
        target = target.with_name(fit_name(f"{target.stem} (2){target.suffix}", f" (2){target.suffix}"))
    target = choose_target(path, target, avoid, report, label="更正副本")
    if guard is not None:
        guard.target = target
    before = len(report.remarks)
    correction = write_corrected(path, book, report, profile, target)
    if correction is None:
        text = ("这处错误需要人工核实，不能自动更正，未生成更正副本。" if report.errors == 1 else
                f"这 {report.errors} 处错误都需要人工核实，没有可以自动更正的，未生成更正副本。")
        if report.errors and len(report.remarks) == before and text not in report.remarks:
            report.remarks.append(text)
        return
    report.corrected = str(target)
    report.fixed = len(correction.fixes)


def choose_target(src: Path, target: Path, avoid, report: FileReport, label: str = "核查副本") -> Path:
    """Where the copy goes: ``target``, unless it is another input of the run or a copy a person has
    saved since this tool wrote it; then ``X.checked (2).xlsx``, (3) … — the first that is free or an
    untouched copy of ours. A file at ``target`` that was never ours (or the input itself) is left for
    the writer to refuse."""
    from xltool.report.annotate import written_by_us
    from xltool.report.safe import sealed

    avoided = (avoid if isinstance(avoid, PathKeys) else PathKeys(avoid)) - {path_key(src)}
    name, suffix = target.name, target.suffix
    base = name[: len(name) - len(suffix)]
    why = None
    candidate, n = target, 1
    while n < 1000:
        if path_key(candidate) in avoided:
            reason = "input"
        elif candidate.exists() and written_by_us(candidate) and not sealed(candidate):
            reason = "edited"
        elif n > 1 and candidate.exists() and not written_by_us(candidate):
            reason = "foreign"
        else:
            break
        why = why or reason
        n += 1
        candidate = target.with_name(fit_name(f"{base} ({n}){suffix}", f" ({n}){suffix}"))
    if candidate == target:
        return target
    shown, new = display_name(target.name), display_name(candidate.name)
    if why == "input":
        text = f"“{shown}”也是本次核查的文件，未覆盖它；本次{label}另存为“{new}”。"
    else:
        text = (f"“{shown}”在本工具生成后又被修改并保存过（可能有人在其中改正了数据），为保留这些修改，未覆盖它；"
                f"本次{label}另存为“{new}”。")
    report.remarks.append(text)
    report.notes.append(text)
    return candidate


def _check(path: Path, profile, report: FileReport, fmt: str | None = None, rowmaps: bool = False):
    from xltool.io.book import load_book
    from xltool.io.safety import sniff

    fmt = fmt or sniff(path)
    report.fmt = fmt
    book = load_book(path, fmt, rowmaps=rowmaps)
    if not book.sheets:
        if book.skipped:
            raise UnreadableFile(" ".join(reason for _, reason in book.skipped))
        raise UnreadableFile("工作簿中没有任何工作表。")
    findings: list[Finding] = [Finding("XL003", WARNING, name, None, reason) for name, reason in book.skipped]
    for sheet in book.sheets:
        sheet_report, found = check_sheet(sheet, profile)
        report.sheets.append(sheet_report)
        findings.extend(found)
    if not report.kinds:
        if book.skipped:
            # Some sheets were refused (too large, damaged) and none of the others is a table we check: the
            # self-evaluation table may well be one of the refused sheets, so "not a self-evaluation workbook"
            # would be a guess. Part of the file could not be read: 无法读取, with the refusal's reason.
            raise UnreadableFile(" ".join(reason for _, reason in book.skipped))
        from xltool.kinds import KINDS, target_form_sheet

        if all(v in ("", None) for sheet in book.sheets for row in sheet.rows for v in row):
            raise Unrecognised(MSG_EMPTY_BOOK)  # not "not a self-evaluation workbook": there is nothing in it
        target = next((s.name for s in book.sheets if target_form_sheet(s)), None)
        if target is not None:
            raise Unrecognised(f"工作表“{target}”是绩效目标申报表（只有绩效目标和指标值，没有完成值、分值和得分），"
                               "不是绩效自评表，未检查。自评请使用项目支出绩效自评表或部门整体支出绩效自评表。")
        looked = "、".join(k.TITLE for k in KINDS)
        raise Unrecognised(f"没有找到可识别的表格：本文件看起来不是预算绩效自评表，未核查（已查找：{looked}）。"
                           "如果它是，请确认表头文字（如“项目名称”“预算数”“执行数”“一级指标”“分值”“得分”）在前 30 行内。")
    findings.sort(key=lambda f: (_sheet_order(book, f.sheet), SEVERITY_ORDER.get(f.severity, 9),
                                 f.row if f.row is not None else -1, f.col if f.col is not None else -1, f.rule))
    report.findings = findings
    report.status = "findings" if (report.errors or report.warnings) else "ok"
    if fmt == "xls":
        report.notes.append("原文件为旧版 .xls 格式，核查副本另存为 .xlsx：保留了数值、合并单元格、标注和批注，"
                            "但原有的字体、边框、列宽、打印设置等格式无法带过来。")
    if fmt == "xlsm":
        report.notes.append("原文件是含宏的工作簿（.xlsm），核查副本保留宏，仍为 .xlsm；本工具不会运行其中的宏。")
    return book


def check_sheet(sheet, profile) -> tuple[SheetReport, list[Finding]]:
    """Classify one sheet (``xltool.io.book.Sheet``, read from a file or built in memory), read it with
    its kind and run the kind's rules. An unrecognised sheet gets one XL001 info saying what it is."""
    from xltool import kinds
    from xltool.rules import Context, run

    kind = kinds.classify(sheet)
    if kind is None:
        what = kinds.describe_unknown(sheet)
        return SheetReport(sheet.name, "unknown", "未识别"), [Finding("XL001", INFO, sheet.name, None, what)]
    record = kind.read(sheet)
    results = kind.results(record, profile)
    findings = run(kind.NAME, record, Context(profile, results))
    below = getattr(kind, "below", None)  # forms stacked under the first one on the same sheet
    more = tuple(below(sheet, record)) if below is not None else ()
    for rec in more:
        findings += run(kind.NAME, rec, Context(profile, kind.results(rec, profile)))
    return SheetReport(sheet.name, kind.NAME, kind.TITLE, results, record, more), findings


def _sheet_order(book, name) -> int:
    for i, s in enumerate(book.sheets):
        if s.name == name:
            return i
    return -1
