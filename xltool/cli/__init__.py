"""Command line. One module per command, loaded only when that command runs (start-up time matters).

``xltool FILE…`` (files dropped onto the program) means ``xltool check FILE…``. That plain check (its
few options spelled the ordinary way) is parsed here without click (``fast_check_args``); help, the other
commands and anything unusual (an unknown option, a bad value, a missing file name) go to the click
group, which gives the usual Chinese messages. ``main`` looks like the click group to callers (tests use
``CliRunner().invoke(main, …)``) and builds it only when needed.
Exit codes are defined in ``xltool.errors``: 0 clean, 1 errors found, 2 a file could not be
checked (无法读取 or 未识别) or the command failed.
"""

from __future__ import annotations

import os
import sys

from xltool import __version__

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

# command name → (module, attribute, one-line Chinese help)
COMMANDS = {
    "check": ("xltool.cli.check", "command", "核查工作簿或文件夹，写出带标注的核查副本。"),
    "ui": ("xltool.ui.command", "ui", "打开本机核查网页：把工作簿或文件夹拖进浏览器即可核查。"),
    "template": ("xltool.cli.template", "template", "生成自动计算的空白标准模板。"),
    "summarize": ("xltool.cli.summarize", "summarize", "由一批项目支出绩效自评表生成部门绩效自评结果公开汇总表。"),
    "rules": ("xltool.cli.rules", "rules", "列出全部核查规则。"),
    "profiles": ("xltool.cli.rules", "profiles", "列出内置的地区配置。"),
}

_HELP_WORDS = ("--help", "-h", "--version")
_VALUE_OPTIONS = {"--out": "out_dir", "--format": "fmt", "--profile": "profile", "--jobs": "jobs", "-j": "jobs"}


def fast_check_args(args: list[str]) -> dict | None:
    """The keyword arguments of ``check`` for a plain ``[check] [options] FILE…`` command line, or None
    when click should parse it (help, another command, an unknown or malformed option, no file)."""
    import os

    if args and args[0] == "check":
        args = args[1:]
    elif not args or args[0] in COMMANDS or args[0] in _HELP_WORDS:
        return None
    kw = {"out_dir": None, "fmt": "text", "profile": "national", "no_write": False, "jobs": 0, "overview": None,
          "verbose": False}
    paths: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        i += 1
        if not a.startswith("-"):
            paths.append(a)
            continue
        name, eq, value = a.partition("=")
        if name in _VALUE_OPTIONS and not (eq and name == "-j"):
            if not eq:
                if i >= len(args):
                    return None
                value = args[i]
                i += 1
            key = _VALUE_OPTIONS[name]
            if key == "fmt" and value not in ("text", "json"):
                return None
            if key == "jobs":
                if not value.isascii() or not value.isdigit():
                    return None
                value = int(value)
            if key == "out_dir" and (not value or os.path.isfile(value)):
                return None  # click says why
            kw[key] = value
        elif not eq and a == "--no-write":
            kw["no_write"] = True
        elif not eq and a == "--fix":
            kw["fix"] = True  # (absent unless asked: check's default)
        elif not eq and a in ("-v", "--verbose"):
            kw["verbose"] = True
        elif not eq and a in ("--overview", "--no-overview"):
            kw["overview"] = a == "--overview"
        else:
            return None  # "--", "-", -j4, unknown options: click decides
    if not paths:
        return None
    kw["paths"] = tuple(paths)
    return kw


class _Main:
    """The ``xltool`` entry point. Behaves as the click group (built on first use) except that a plain
    check runs without importing click."""

    name = "main"

    def __call__(self, args=None, prog_name=None, **extra):
        return self.main(args, prog_name, **extra)

    def main(self, args=None, prog_name=None, **extra):
        argv = list(sys.argv[1:] if args is None else args)
        kw = fast_check_args(argv) if not extra or set(extra) <= {"standalone_mode"} else None
        if kw is None:
            if _asks_json(argv) and "standalone_mode" not in extra:
                return _main_json(argv, prog_name, extra)
            return group().main(args=argv, prog_name=prog_name, **extra)
        _tolerant_streams()
        from xltool.cli.check import check

        if args is not None:
            return check(**kw)
        try:  # the program itself, run from the command line
            check(**kw)
            code = 0
        except SystemExit as exc:
            code = exc.code
        except BrokenPipeError:  # the reader of the output went away (xltool … | head): as click does, quietly, 1
            code = 1
        _leave(code)

    def __getattr__(self, name):
        return getattr(group(), name)


main = _Main()


def _leave(code) -> None:
    """End the program as ``sys.exit(code)`` would, without tearing down the heap first: a large book leaves
    millions of objects, and freeing them one by one took a tenth of a second for nothing. Everything the run
    writes is closed already (copies are written atomically, a batch's workers are joined); the standard
    streams are flushed here."""
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # a closed pipe: nothing more can be said
            pass
    os._exit(code)


def _asks_json(argv: list[str]) -> bool:
    """``--format json`` (or ``--format=json``) is on the command line."""
    return "--format=json" in argv or any(a == "--format" and b == "json" for a, b in zip(argv, argv[1:]))


def _main_json(argv: list[str], prog_name, extra: dict):
    """The click group for a command line that asked for JSON: a usage error (an unknown option, a bad
    value, a missing file name) still prints its Chinese message on stderr, and stdout gets one JSON
    document whose ``error`` is that message; exit code 2."""
    import click

    try:
        return group().main(args=argv, prog_name=prog_name, standalone_mode=False, **extra)
    except click.ClickException as exc:
        exc.show()
        from xltool.cli.check import _json_failure

        _json_failure("json", exc.format_message())
        sys.exit(exc.exit_code)
    except click.Abort:
        from xltool.cli.zh import CATALOG

        click.echo(CATALOG["Aborted!"], err=True)
        sys.exit(1)


_GROUP = None


def group():
    """The click group of every command (help, ``ui``, ``template`` …; ``check`` when unusual)."""
    global _GROUP
    if _GROUP is None:
        _GROUP = _build_group()
    return _GROUP


def _build_group():
    import importlib

    import click

    from xltool.cli import zh

    zh.install()

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
            if args and args[0] not in COMMANDS and args[0] not in _HELP_WORDS:
                args = [self.default, *args]
            return super().parse_args(ctx, args)

    @click.group(cls=LazyGroup, name="main", context_settings={"help_option_names": ["-h", "--help"]},
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

    return main


def _tolerant_streams() -> None:
    """A Chinese Windows console or a pipe may use GBK: never crash on a character it lacks."""
    for stream in (sys.stdout, sys.stderr):
        enc = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if enc and enc != "utf8" and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="replace")
            except (ValueError, OSError):
                pass
