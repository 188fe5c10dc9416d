"""``xltool check``: check workbooks and folders."""

from __future__ import annotations

import sys

import click

from xltool.errors import EXIT_FAILED, EXIT_FINDINGS, EXIT_OK, XltoolError


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="核查副本的输出文件夹（默认：原文件旁边）。")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="输出格式：text（默认）或 json。")
@click.option("--profile", default="national", show_default=True, help="地区配置名称或 .toml 文件路径（见 xltool profiles）。")
@click.option("--no-write", is_flag=True, help="只核查，不写核查副本。")
def check(paths, out_dir, fmt, profile, no_write):
    """核查工作簿：重算派生数据，标出错误，写出核查副本。"""
    from pathlib import Path

    from xltool import profiles
    from xltool.engine import check_file
    from xltool.inputs import collect
    from xltool.report import console, jsonout

    try:
        prof = profiles.load(profile)
    except XltoolError as exc:
        click.echo(f"错误：{exc.message}", err=True)
        sys.exit(EXIT_FAILED)
    out = Path(out_dir) if out_dir else None
    items = collect(list(paths))
    if not items:
        click.echo("没有找到需要核查的工作簿（.xlsx / .xlsm / .xls）。", err=True)
        sys.exit(EXIT_FAILED)
    reports = []
    for path, shown in items:
        if not path.exists():
            from xltool.engine import FileReport

            reports.append(FileReport(path=shown, status="failed", error="找不到该文件，请检查路径是否正确。"))
        else:
            reports.append(check_file(path, prof, out_dir=out, write=not no_write, shown=shown))
        if fmt == "text":
            click.echo(console.file_line(reports[-1]))
    if fmt == "json":
        click.echo(jsonout.dumps(reports))
    else:
        click.echo(console.total_line(reports))
    sys.exit(exit_code(reports))


def exit_code(reports) -> int:
    if any(r.status == "failed" for r in reports):
        return EXIT_FAILED
    if any(r.errors for r in reports):
        return EXIT_FINDINGS
    return EXIT_OK
