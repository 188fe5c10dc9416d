"""Command line: ``xltool check``, ``rules``, ``profiles`` (``xltool FILE…`` means ``check``)."""

from __future__ import annotations

import sys

import click

from xltool import __version__
from xltool.errors import EXIT_FAILED, EXIT_FINDINGS, EXIT_OK, XltoolError


class DefaultGroup(click.Group):
    """A group that runs ``check`` when the first argument is not a sub-command (dropped files)."""

    default = "check"

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = [self.default, *args]
        return super().parse_args(ctx, args)


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xltool", message="%(prog)s %(version)s")
def main():
    """xltool：预算绩效自评表核查工具。

    把工作簿或文件夹拖到 xltool 上（或 xltool 文件…），即可核查并生成带标注的核查副本。
    """


@main.command()
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


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", help="输出格式。")
def rules(fmt):
    """列出全部核查规则（代码、名称、级别、示例）。"""
    from xltool.report.catalogue import render

    click.echo(render(fmt))


@main.command(name="profiles")
def profiles_cmd():
    """列出内置的地区配置。"""
    from xltool import profiles

    for p in profiles.available():
        click.echo(f"{p.name:10} {p.title}")
        click.echo(f"{'':10} 汇总表等级：{p.bands('summary').describe()}")
        click.echo(f"{'':10} 自评表等级：{p.bands('form').describe()}")
        click.echo(f"{'':10} 执行率得分：{p.describe_execution()}")
