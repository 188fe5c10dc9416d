"""click's own words in Chinese: "Usage:", "Options:", "Error: Missing argument", "No such option" …

click marks every user-facing string with ``gettext`` (``from gettext import gettext as _`` and
``ngettext`` in each of its modules). The stdlib ``gettext`` picks a catalogue from the process's
locale environment, which a Windows machine does not set; so instead of a ``.mo`` file and a changed
environment, ``install()`` points those module-level names at a lookup in ``CATALOG`` below. A string
missing from the catalogue passes through unchanged (``tests/test_cli.py`` checks that every string
click marks for translation has an entry, so an upgrade of click that adds one fails a test rather than
showing English to a user).
"""

from __future__ import annotations

import re
import sys
import unicodedata

import click
from click.formatting import HelpFormatter

# click msgid → Chinese. Placeholders ({name}, {value!r}, %(prog)s …) are kept as they are.
CATALOG: dict[str, str] = {
    # formatting and help
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "%(prog)s, version %(version)s": "%(prog)s，版本 %(version)s",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "(dynamic)": "（动态）",
    "deprecated": "已停用",
    "Do you want to continue?": "是否继续？",
    "Confirm the action without prompting.": "不询问，直接确认。",
    "Press any key to continue...": "按任意键继续……",
    "d": "天",  # days, in a progress bar's time left
    "Repeat for confirmation": "请再输入一次以确认",
    # errors
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行“{command} {option}”查看帮助。",
    "Aborted!": "已中止。",
    "Missing command.": "缺少命令。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing {param_type}": "缺少{param_type}",
    "No such option {name!r}.": "没有这个选项：{name!r}。",
    "No such command {name!r}.": "没有这个命令：{name!r}。",
    "Did you mean {possibility}?": "您是否想用 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（您是否想用其中之一：{possibilities}？）",
    "Got unexpected extra argument ({args})": "多出了无法识别的参数（{args}）",
    "Got unexpected extra arguments ({args})": "多出了无法识别的参数（{args}）",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "Option {name!r} does not take a value.": "选项 {name!r} 不需要值。",
    "Option {name!r} requires an argument.": "选项 {name!r} 后面需要一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 后面需要 {nargs} 个值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 需要 {nargs} 个值。",
    "Invalid start character for option ({option})": "选项的开头字符无效（{option}）",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值，但只给了 1 个。",
    "Takes {nargs} values but {len} were given.": "需要 {nargs} 个值，但给了 {len} 个。",
    "{len_type} values are required, but {len_value} was given.": "需要 {len_type} 个值，但给了 {len_value} 个。",
    "{len_type} values are required, but {len_value} were given.": "需要 {len_type} 个值，但给了 {len_value} 个。",
    "Value must be an iterable.": "值必须是一组数据。",
    "unknown error": "未知错误",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "Error: The two entered values do not match.": "错误：两次输入的内容不一致。",
    "Error: invalid input": "错误：输入无效",
    "Windows error: {error}": "Windows 错误：{error}",
    "{editor}: Editing failed": "{editor}：编辑失败",
    "{editor}: Editing failed: {e}": "{editor}：编辑失败：{e}",
    # values
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "{value!r} is not {choice}.": "{value!r} 不是 {choice}。",
    "{value!r} is not one of {choices}.": "{value!r} 不在可选范围内（{choices}）。",
    "Choice({choices})": "可选（{choices}）",
    "{value!r} does not match the format {format}.": "{value!r} 不符合格式 {format}。",
    "{value!r} does not match the formats {formats}.": "{value!r} 不符合以下任何格式：{formats}。",
    "{value} is not in the range {range}.": "{value} 不在允许范围 {range} 内。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "{value!r} 不是有效的是/否值。可用：{states}",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的{number_type}。",
    "{value!r} is not a valid UUID.": "{value!r} 不是有效的 UUID。",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是一个文件，这里需要文件夹。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是一个文件夹，这里需要文件。",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 无法读取（没有权限）。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 无法写入（没有权限）。",
    "{name} {filename!r} is not executable.": "{name} {filename!r} 无法执行。",
    # mistakes in a program's own declarations (not expected to reach a user, translated all the same)
    "Unknown color {colour!r}": "未知的颜色 {colour!r}",
    "Unknown standard stream '{name}'": "未知的标准流“{name}”",
    "Name '{name}' defined twice": "名称“{name}”重复定义",
    "Could not determine name for option with declarations {decls!r}": "无法确定选项名称：{decls!r}",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument instead? "
    "Did you mean to pass '--{name}'?": "未定义选项却给了名称（{name}）。",
    "Arguments take exactly one parameter declaration, got {length}: {decls}.": "参数只能有一个声明，实际有 {length} 个：{decls}。",
    "Boolean option {decl!r} cannot use the same flag for true/false.": "是/否选项 {decl!r} 的两个写法不能相同。",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}": "提示：命令 {name!r} 已停用。{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}": "提示：{param_type} {name!r} 已停用。{extra_message}",
    "Shell completion is not supported for Bash versions older than 4.4.": "Bash 4.4 以下版本不支持命令补全。",
    "Couldn't detect Bash version, shell completion is not supported.": "无法确定 Bash 版本，不支持命令补全。",
}

# click's names of number types, shown in messages ("{value!r} is not a valid {number_type}.") and as
# metavars; every option of ours names its own metavar, so these show only in error messages.
_TYPE_NAMES = {"IntParamType": "整数", "FloatParamType": "数字", "IntRange": "整数", "FloatRange": "数字",
               "StringParamType": "文字", "BoolParamType": "是/否"}

# click modules that bind ``_`` / ``ngettext`` from gettext at import
_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui", "utils",
            "_termui_impl", "shell_completion")


def gettext(message: str) -> str:
    return CATALOG.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


def install() -> None:
    """Make click speak Chinese in this process (idempotent)."""
    import click.types as types

    for name in _MODULES:
        mod = sys.modules.get(f"click.{name}")
        if mod is None:
            continue
        if hasattr(mod, "_"):
            mod._ = gettext
        if hasattr(mod, "ngettext"):
            mod.ngettext = ngettext
    click.Context.formatter_class = ZhHelpFormatter
    for cls_name, cn in _TYPE_NAMES.items():
        cls = getattr(types, cls_name, None)
        if cls is not None:
            cls.name = cn


# --- help pages: Chinese text has no spaces to wrap at and its characters are two columns wide ---

_NO_LINE_START = set("，。、；：？！）》」』”’%…]")
_NO_LINE_END = set("[（(“‘《「『")
_TOKEN = re.compile(r"\s+|[\x21-\x7e]+|.", re.S)


def width(text: str) -> int:
    """Columns a string takes in a terminal (wide and full-width characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _join_lines(paragraph: str) -> str:
    """One paragraph of a docstring on one line: no space is put between two lines ending/starting in Chinese."""
    out = ""
    for line in (x.strip() for x in paragraph.splitlines()):
        if not line:
            continue
        if out and not (width(out[-1]) == 2 or width(line[0]) == 2):
            out += " "
        out += line
    return out


def wrap(text: str, limit: int) -> list[str]:
    """Lines of at most ``limit`` columns (a closing punctuation mark never starts a line)."""
    limit = max(limit, 10)
    lines: list[str] = []
    line = ""
    for tok in _TOKEN.findall(text):
        if tok.isspace():
            if line:
                line += " "
            continue
        if line and width(line.rstrip()) + width(tok) > limit and tok[0] not in _NO_LINE_START:
            carry = ""
            while line and line[-1] in _NO_LINE_END:
                carry, line = line[-1] + carry, line[:-1]
            if line.strip():
                lines.append(line.rstrip())
            line = carry
        line += tok
    if line.strip():
        lines.append(line.rstrip())
    return lines


class ZhHelpFormatter(HelpFormatter):
    """click's help formatter, measuring and wrapping by display columns, with a full-width colon."""

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
        out = []
        for p in paragraphs:
            out.append("\n".join(indent + line for line in wrap(_join_lines(p), self.width - self.current_indent)))
        self.write("\n\n".join(out))
        self.write("\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        first_col = min(max((width(a) for a, _ in rows), default=0), col_max) + col_spacing
        text_width = max(self.width - first_col - self.current_indent, 20)
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - width(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = wrap(_join_lines(second), text_width) or [""]
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(" " * (first_col + self.current_indent) + line + "\n")
