"""``xltool check``: check workbooks and folders.

Folders are walked (``.xlsx`` / ``.xlsm`` / ``.xls``; Office lock files ``~$…``, this tool's annotated
copies ``*.checked.*`` and its overviews ``核查汇总*.xlsx`` are skipped). Files are processed in parallel
over the machine's cores (``--jobs``). With more than one file, or a folder, an overview workbook
``核查汇总.xlsx`` is written: into ``--out`` when given, else into the innermost folder that holds every
input (a folder given on the command line counts as itself). ``--overview/--no-overview`` overrides that.

Annotated copies go beside their originals, or under ``--out`` in the same sub-folders as the originals
have below that common folder, so two files of the same name never overwrite each other (twins such as
``X.xls`` and ``X.xlsx`` in one folder: ``X.checked.xlsx`` and ``X.xls.checked.xlsx``).

``--format json`` prints exactly one JSON document on stdout; when an overview was written its path is
in the document's ``overview`` key. A progress bar (rich, on stderr) is shown only for text output with
both stdout and stderr on a terminal. Exit codes (``xltool.errors``): 0 clean, 1 errors found, 2 a file
could not be checked (无法读取, or 未识别: read but no self-evaluation table in it) or the overview could not
be written.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from xltool.errors import EXIT_FAILED, EXIT_FINDINGS, EXIT_OK, XltoolError


def _command():
    """The click command (help, and command lines ``xltool.cli.fast_check_args`` leaves to click)."""
    import click

    from xltool.cli import OPTIONS_METAVAR

    @click.command(name="check", options_metavar=OPTIONS_METAVAR)
    @click.argument("paths", nargs=-1, required=True, metavar="文件或文件夹…")
    @click.option("--out", "out_dir", type=click.Path(file_okay=False), metavar="文件夹",
                  help="核查副本和核查汇总的输出文件夹（默认：核查副本在原文件旁边，核查汇总在所查文件共同所在的文件夹）。"
                       "原文件的子文件夹结构会保留。")
    @click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", metavar="text|json", help="输出格式：text（默认）或 json。")
    @click.option("--profile", default="national", show_default=True, metavar="名称", help="地区配置名称或 .toml 文件路径（见 xltool profiles）。")
    @click.option("--no-write", is_flag=True, help="只核查，不写核查副本（也不写核查汇总，除非指定 --overview）。")
    @click.option("--jobs", "-j", "jobs", type=click.IntRange(min=0), default=0, show_default=False, metavar="进程数",
                  help="同时处理的进程数（默认 0：使用全部 CPU 核心；1：不并行）。")
    @click.option("--overview/--no-overview", "overview", default=None,
                  help="是否写出核查汇总.xlsx（默认：检查多个文件或文件夹时写出，只查一个文件时不写）。")
    @click.option("--verbose", "-v", is_flag=True, help="在每个文件的结果下逐条列出问题（规则名称、单元格、说明）。")
    @click.option("--fix", is_flag=True,
                  help="在核查副本旁另写一份更正副本：算错的派生数字（结余数、执行率、合计、得分、等级等）"
                       "改为重算的正确值并加批注说明原值；预算数、执行数、分值等原始数字不改，需要人工处理的问题仍然标出。")
    def command(paths, out_dir, fmt, profile, no_write, jobs, overview, verbose, fix):
        """核查工作簿或文件夹：重算派生数据，标出错误，写出核查副本和核查汇总。"""
        check(paths, out_dir, fmt, profile, no_write, jobs, overview, verbose, fix)

    return command


_COMMAND = None


def __getattr__(name):
    global _COMMAND
    if name == "command":
        if _COMMAND is None:
            _COMMAND = _command()
        return _COMMAND
    raise AttributeError(name)


def _echo(text, err: bool = False, nl: bool = True) -> None:
    """``click.echo`` for the check path (which does not load click)."""
    stream = sys.stderr if err else sys.stdout
    if stream is None:
        return
    stream.write(text + ("\n" if nl else ""))
    stream.flush()


def check(paths, out_dir=None, fmt="text", profile="national", no_write=False, jobs=0, overview=None,
          verbose=False, fix=False):
    """核查工作簿或文件夹：重算派生数据，标出错误，写出核查副本和核查汇总。"""
    from xltool import profiles
    from xltool.inputs import collect

    try:
        prof = profiles.load(profile)
    except XltoolError as exc:
        _echo(f"错误：{exc.message}", err=True)
        _json_failure(fmt, exc.message)
        sys.exit(EXIT_FAILED)
    out = Path(out_dir) if out_dir else None
    items = [(p, shown) for p, shown in collect(list(paths)) if not _is_our_overview(p)]
    if not items:
        text = "没有找到需要核查的工作簿（.xlsx / .xlsm / .xls / .et）。"
        _echo(text, err=True)
        _json_failure(fmt, text)
        sys.exit(EXIT_FAILED)
    folders = [p for p in paths if Path(p).is_dir()]
    base = common_folder(paths)
    if overview is None:
        overview = not no_write and (len(items) > 1 or bool(folders))

    from xltool import batch

    jobs_list = [batch.Job(p, shown, write=not no_write) for p, shown in items]
    show_bar = fmt == "text" and _is_tty(sys.stdout) and _is_tty(sys.stderr) and len(jobs_list) > 1
    warnings: list[str] = []
    try:
        with _progress(show_bar) as bar:
            reports = batch.run(jobs_list, prof, out_dir=out, base=base, workers=jobs, progress=bar,
                                warn=warnings.append, keep_records=False, fix=fix and not no_write)
    except KeyboardInterrupt:
        text = "已中断：未完成全部文件的核查。"
        _echo(text, err=True)
        _json_failure(fmt, text)
        sys.exit(EXIT_FAILED)

    overview_path = None
    overview_error = None
    target = None
    if overview:
        from xltool.report import overview as ov

        try:
            target = _unedited(ov.choose_path(out if out is not None else base), warnings)
            overview_path = ov.write(target, reports, prof, inputs=list(paths), remarks=warnings)
        except OSError as exc:
            from xltool.engine import os_message

            overview_error = os_message(exc, target, "", label="核查汇总")

    for text in warnings:
        _echo(f"注意：{text}", err=True)
    if overview_error:
        _echo(f"错误：{overview_error}", err=True)
    if fmt == "json":
        from xltool.report import jsonout

        extra = {"overview": str(overview_path)} if overview_path is not None else {}
        _echo_json(jsonout.dumps(reports, remarks=warnings, **extra))
    else:
        from xltool.report import console

        titles = console.rule_titles() if verbose else {}
        for r in reports:
            _echo(console.file_line(r))
            if verbose:
                for line in console.finding_lines(r, titles):
                    _echo(line)
        if overview_path is not None:
            _echo(f"核查汇总：{console.shown_path(overview_path, paths)}")
        _echo(console.total_line(reports))
    code = exit_code(reports)
    if overview_error:
        code = EXIT_FAILED
    sys.exit(code)


def _echo_json(text: str) -> None:
    """One JSON document on stdout, as UTF-8 bytes whatever the console's encoding (RFC 8259)."""
    stream = sys.stdout
    if stream is None:
        return
    stream.flush()
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        stream.write(text + "\n")
        stream.flush()
        return
    buffer.write((text + "\n").encode("utf-8"))
    buffer.flush()


def _json_failure(fmt: str, message: str) -> None:
    """With --format json, the document is there even when no file could be checked."""
    if fmt == "json":
        from xltool.report import jsonout

        doc = jsonout.document([])
        doc["error"] = message
        _echo_json(jsonout.dump_document(doc))


def _unedited(target: Path, warnings: list[str]) -> Path:
    """The overview's path, unless an overview of ours there has been edited and saved since: then
    ``核查汇总 (2).xlsx`` … so the edits are kept."""
    from xltool.report import overview as ov
    from xltool.report.safe import sealed

    candidate, n = target, 1
    while candidate.exists() and ov.is_overview(candidate) and not sealed(candidate) and n < 1000:
        n += 1
        candidate = target.with_name(f"{target.stem} ({n}){target.suffix}")
    if candidate != target:
        warnings.append(f"核查汇总“{target.name}”在本工具生成后又被修改并保存过，为保留这些修改，未覆盖它；"
                        f"本次核查汇总另存为“{candidate.name}”。")
    return candidate


def exit_code(reports) -> int:
    """2 when a file could not be checked (无法读取 or 未识别: see ``xltool.errors``), else 1 when an error
    was found, else 0."""
    if any(not r.checked for r in reports):
        return EXIT_FAILED
    if any(r.errors for r in reports):
        return EXIT_FINDINGS
    return EXIT_OK


def common_folder(paths) -> Path:
    """The innermost folder holding every input (a folder given counts as itself)."""
    roots = []
    for p in paths:
        q = Path(p)
        roots.append(os.path.abspath(q if q.is_dir() else q.parent))
    try:
        return Path(os.path.commonpath(roots)) if roots else Path.cwd()
    except ValueError:  # different drives (Windows): the first input's folder
        return Path(roots[0])


def _is_our_overview(path) -> bool:
    from xltool.report.overview import looks_like_overview

    return looks_like_overview(path)


def _is_tty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class _progress:
    """A rich progress bar on stderr (only when asked: a terminal, text output, several files)."""

    def __init__(self, show: bool):
        self.show = show
        self.bar = None
        self.tasks: dict[str, int] = {}

    def __enter__(self):
        if not self.show:
            return None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("剩余"), TimeRemainingColumn(), console=Console(stderr=True),
                            transient=True)
        self.bar.start()
        return self

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False

    # batch.Progress
    def started(self, phase: str, total: int) -> None:
        label = {"check": "核查", "write": "写出核查副本"}.get(phase, phase)
        self.tasks[phase] = self.bar.add_task(label, total=total)

    def finished(self, phase: str, index: int, report) -> None:
        task = self.tasks.get(phase)
        if task is not None:
            self.bar.advance(task)
