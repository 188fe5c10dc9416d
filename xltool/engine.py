"""Checking one file: sniff → read values → classify sheets → run rules → annotated copy."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xltool.errors import UnreadableFile
from xltool.findings import ERROR, INFO, SEVERITY_ORDER, WARNING, Finding

OUTPUT_TAG = ".checked"


@dataclass
class SheetReport:
    name: str
    kind: str  # a kind NAME, or "unknown"
    title: str  # Chinese name of the kind
    results: dict[str, Any] = field(default_factory=dict)
    record: Any = None

    @property
    def module(self):
        from xltool.kinds import BY_NAME

        return BY_NAME.get(self.kind)

    def to_json(self) -> dict:
        return {"name": self.name, "kind": self.kind, "results": self.results}


@dataclass
class FileReport:
    path: str  # as given
    status: str = "ok"  # ok | findings | failed
    output: str | None = None
    error: str | None = None
    fmt: str | None = None
    sheets: list[SheetReport] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # Chinese remarks for the findings sheet

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == WARNING)

    @property
    def kinds(self) -> list[SheetReport]:
        return [s for s in self.sheets if s.kind != "unknown"]

    def to_json(self) -> dict:
        return {
            "path": self.path,
            "status": self.status,
            "output": self.output,
            "error": self.error,
            "sheets": [s.to_json() for s in self.sheets],
            "findings": [f.to_json() for f in self.findings],
        }


def output_path_for(path: Path, fmt: str, out_dir: Path | None) -> Path:
    suffix = ".xlsm" if fmt == "xlsm" else ".xlsx"
    stem = path.stem
    folder = out_dir if out_dir is not None else path.parent
    return folder / f"{stem}{OUTPUT_TAG}{suffix}"


def is_own_output(path: Path) -> bool:
    """Files this tool wrote: ``X.checked.xlsx`` / ``X.checked.xlsm``."""
    return path.stem.endswith(OUTPUT_TAG)


def check_file(path: Path, profile, *, out_dir: Path | None = None, write: bool = True,
               shown: str | None = None, output: Path | None = None) -> FileReport:
    """Check one workbook and (``write``) write its annotated copy.

    Never raises for a bad file: the report says ``failed`` and why (in Chinese).
    With ``write=False`` the report can be completed later (cross-file findings such as the
    reconciliation of a summary with its project forms) and written with ``write_output``.
    """
    report = FileReport(path=shown if shown is not None else str(path))
    with _failures(report):
        book = _check(path, profile, report)
        if write:
            _write(path, book, profile, report, output or output_path_for(path, report.fmt, out_dir))
    return report


def write_output(path: Path, report: FileReport, profile, *, out_dir: Path | None = None,
                 output: Path | None = None) -> FileReport:
    """Write the annotated copy of an already checked file (re-reads its values; cheap)."""
    if report.status == "failed":
        return report
    with _failures(report):
        from xltool.io.book import load_book

        book = load_book(path, report.fmt)
        _write(path, book, profile, report, output or output_path_for(path, report.fmt, out_dir))
    return report


class _failures:
    """Turn any failure while processing a file into ``status: failed`` with a Chinese reason."""

    def __init__(self, report: FileReport):
        self.report = report

    def __enter__(self):
        return self

    def __exit__(self, typ, exc, tb):
        if exc is None:
            return False
        if isinstance(exc, KeyboardInterrupt):
            return False
        r = self.report
        r.status, r.output = "failed", None
        if isinstance(exc, UnreadableFile):
            r.error = exc.message
        elif isinstance(exc, MemoryError):
            r.error = "文件过大，内存不足，无法处理。"
        elif isinstance(exc, PermissionError):
            r.error = f"没有权限读取或写入文件（{exc.filename or ''}）。如文件正在 Excel/WPS 中打开，请先关闭后再试。"
        elif isinstance(exc, OSError):
            r.error = f"读写文件时出错：{exc.strerror or exc}。"
        else:  # a bug or an unforeseen layout: report it, go on with the next file
            r.error = f"处理该文件时发生内部错误（{type(exc).__name__}: {exc}），请将文件反馈给工具维护人员。"
        return True


def _write(path: Path, book, profile, report: FileReport, target: Path) -> None:
    from xltool.report.annotate import write_annotated

    if write_annotated(path, book, report, profile, target):
        report.output = str(target)


def _check(path: Path, profile, report: FileReport):
    from xltool import kinds
    from xltool.io.book import load_book
    from xltool.io.safety import sniff
    from xltool.rules import Context, run

    fmt = sniff(path)
    report.fmt = fmt
    book = load_book(path, fmt)
    if not book.sheets:
        raise UnreadableFile("工作簿中没有任何工作表。")
    findings: list[Finding] = []
    for sheet in book.sheets:
        kind = kinds.classify(sheet)
        if kind is None:
            empty = not any(any(v not in ("", None) for v in row) for row in sheet.rows)
            report.sheets.append(SheetReport(sheet.name, "unknown", "未识别"))
            findings.append(Finding("XL001", INFO, sheet.name, None,
                                    f"工作表“{sheet.name}”{'是空表' if empty else '不是可识别的绩效自评表格'}，未检查。"))
            continue
        record = kind.read(sheet)
        results = kind.results(record, profile)
        report.sheets.append(SheetReport(sheet.name, kind.NAME, kind.TITLE, results, record))
        findings.extend(run(kind.NAME, record, Context(profile, results)))
    if not report.kinds:
        from xltool.kinds import KINDS

        looked = "、".join(k.TITLE for k in KINDS)
        raise UnreadableFile(f"没有找到可识别的表格（已查找：{looked}）。请确认表头文字（如“项目名称”“预算数”“执行数”"
                             "“一级指标”“分值”“得分”）在前 30 行内。")
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


def _sheet_order(book, name) -> int:
    for i, s in enumerate(book.sheets):
        if s.name == name:
            return i
    return -1
