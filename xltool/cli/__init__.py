"""Command line. One module per command, loaded only when that command runs (start-up time matters).

``xltool FILE…`` (files dropped onto the program) means ``xltool check FILE…``.
Exit codes are defined in ``xltool.errors``: 0 clean, 1 errors found, 2 a file or the command failed.
"""

from __future__ import annotations

import importlib

import click

from xltool import __version__

# command name → (module, function, one-line Chinese help)
COMMANDS = {
    "check": ("xltool.cli.check", "check", "核查工作簿或文件夹，写出带标注的核查副本。"),
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


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xltool", message="%(prog)s %(version)s")
def main():
    """xltool：预算绩效自评表核查工具。

    把工作簿或文件夹拖到 xltool 上（或运行 xltool 文件…），即可核查并生成带标注的核查副本。
    """
    _tolerant_streams()


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
