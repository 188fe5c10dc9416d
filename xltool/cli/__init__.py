"""Command line. One module per command, loaded only when that command runs (start-up time matters).

``xltool FILE…`` (files dropped onto the program) means ``xltool check FILE…``.
Exit codes are defined in ``xltool.errors``: 0 clean, 1 errors found, 2 a file or the command failed.
"""

from __future__ import annotations

import importlib

import click

from xltool import __version__
from xltool.cli import zh

zh.install()

# click's "[OPTIONS]" / "COMMAND [ARGS]..." in usage lines
OPTIONS_METAVAR = "[选项]"
SUBCOMMAND_METAVAR = "命令 [参数]…"

HINT = """xltool：预算绩效自评表核查工具

  核查文件或文件夹：  xltool 文件.xlsx 文件夹 …
                      （核查副本“原文件名.checked.xlsx”写在原文件旁边，原文件不会被改动）
  打开核查网页：      xltool ui
                      （在浏览器里拖入工作簿或整个文件夹即可核查，不需要再输入命令）
  生成空白模板：      xltool template --list
  全部命令和说明：    xltool -h
"""

# command name → (module, function, one-line Chinese help)
COMMANDS = {
    "check": ("xltool.cli.check", "check", "核查工作簿或文件夹，写出带标注的核查副本。"),
    "ui": ("xltool.ui.command", "ui", "打开本机核查网页：把工作簿或文件夹拖进浏览器即可核查。"),
    "template": ("xltool.cli.template", "template", "生成自动计算的空白标准模板。"),
    "summarize": ("xltool.cli.summarize", "summarize", "由一批项目支出绩效自评表生成部门绩效自评结果公开汇总表。"),
    "rules": ("xltool.cli.rules", "rules", "列出全部核查规则。"),
    "profiles": ("xltool.cli.rules", "profiles", "列出内置的地区配置。"),
}


class LazyGroup(click.Group):
    """Imports a command's module only when it is used; unknown first words mean ``check``."""

    default = "check"

    def list_commands(self, ctx):
        return list(COMMANDS)

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        module, attr, _ = COMMANDS[name]
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx, formatter):
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("命令"):
            formatter.write_dl(rows)

    def parse_args(self, ctx, args):
        if args and args[0] not in COMMANDS and args[0] not in ("--help", "-h", "--version"):
            args = [self.default, *args]
        return super().parse_args(ctx, args)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]},
             invoke_without_command=True, no_args_is_help=False,
             options_metavar=OPTIONS_METAVAR, subcommand_metavar=SUBCOMMAND_METAVAR)
@click.version_option(__version__, "--version", prog_name="xltool", message="%(prog)s %(version)s")
@click.pass_context
def main(ctx):
    """xltool：预算绩效自评表核查工具。

    运行 xltool 文件或文件夹…（同 xltool check）即可核查并生成带标注的核查副本；
    运行 xltool ui 打开本机核查网页，在浏览器里拖入文件核查。
    """
    _tolerant_streams()
    if ctx.invoked_subcommand is None:
        click.echo(HINT, nl=False)
        ctx.exit(0)


def _tolerant_streams() -> None:
    """A Chinese Windows console or a pipe may use GBK: never crash on a character it lacks."""
    import sys

    for stream in (sys.stdout, sys.stderr):
        enc = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if enc and enc != "utf8" and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="replace")
            except (ValueError, OSError):
                pass
