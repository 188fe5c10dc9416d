"""No English reaches a user on the command line: help of every command, usage and option errors (click's
own strings included), the hint of a bare ``xltool``, and template kinds typed in Chinese."""

from __future__ import annotations

import ast
import re
import string
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from xltool.cli import COMMANDS, main, zh

ROOT = Path(__file__).resolve().parents[1]
SEED000 = ROOT / "samples" / "铜冶镇2023年度部门绩效自评结果公开汇总表.xlsx"

# Words a user may see that are names, not English sentences: the program, its commands and option
# values, template kinds, profile names, file types, product names.
ALLOWED = {
    "xltool", *COMMANDS, "text", "json", "markdown", "national", "hebei", "hubei", "jiangxi",
    "summary", "project", "form", "department", "weighted", "score", "table", "management",
    "xlsx", "xlsm", "xls", "toml", "checked", "Excel", "WPS", "CPU", "Ctrl", "x", "list",
}


def english_words(text: str) -> list[str]:
    """Latin words left once option names (--out, -h), quoted user input and allowed names are removed."""
    text = re.sub(r"(?<![\w-])--?[a-z][a-z-]*", " ", text)  # options
    text = re.sub(r"'[^'\n]*'", " ", text)  # what the user typed, echoed back in quotes
    words = re.findall(r"[A-Za-z]{2,}", text)
    return [w for w in words if w not in ALLOWED and w.lower() not in ALLOWED]


def run(args):
    res = CliRunner().invoke(main, args, prog_name="xltool", catch_exceptions=False)
    return res.exit_code, res.output


def test_bare_xltool_prints_a_chinese_hint():
    code, out = run([])
    assert code == 0
    assert "xltool ui" in out and "xltool 文件.xlsx" in out and "网页" in out
    assert english_words(out) == []


@pytest.mark.parametrize("args", [["-h"], ["--help"], *[[c, "-h"] for c in COMMANDS]])
def test_help_pages_are_chinese(args):
    code, out = run(args)
    assert code == 0
    assert out.startswith("用法：") and "选项：" in out and "显示本帮助并退出。" in out
    assert english_words(out) == [], out


@pytest.mark.parametrize("args, expected", [
    (["check"], "缺少参数"),
    (["check", "--bogus", "x.xlsx"], "没有这个选项"),
    (["check", "--out", "README.md", "samples"], "是一个文件，这里需要文件夹"),
    (["check", "--format", "xml", "samples"], "不在可选范围内"),
    (["check", "--jobs", "-1", "samples"], "不在允许范围"),
    (["check", "--jobs", "many", "samples"], "不是有效的整数"),
    (["check", "--out"], "后面需要一个值"),
    (["summarize"], "缺少参数"),
    (["summarize", "-o", "samples", "samples"], "是一个文件夹，这里需要文件"),
    (["template", "--year", "1900", "summary"], "不在允许范围"),
    (["template", "a", "b"], "多出了无法识别的参数"),
    (["template", "火星表"], "未知的模板类型"),
    (["rules", "--format", "pdf"], "不在可选范围内"),
    (["profiles", "多余"], "多出了无法识别的参数"),
    (["ui", "--port", "abc"], "不是有效的整数"),
])
def test_usage_errors_are_chinese(args, expected, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out = run(args)
    assert code == 2, out
    assert expected in out, out
    assert "错误：" in out
    assert english_words(out) == [], out


def _click_messages() -> list[str]:
    """Every string click marks for translation (``_("…")`` and both forms of ``ngettext``)."""
    found = []
    for path in Path(click.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
                found += [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    return found


def _fields(fmt: str) -> set[str]:
    names = {f for _, f, _, _ in string.Formatter().parse(fmt) if f}
    return names | set(re.findall(r"%\((\w+)\)s", fmt))


def test_every_click_message_has_a_chinese_translation_with_the_same_placeholders():
    messages = _click_messages()
    assert len(messages) > 50  # the scan found click's strings
    missing = [m for m in messages if m not in zh.CATALOG]
    assert missing == [], f"click strings without a translation in xltool/cli/zh.py: {missing}"
    for msgid, text in zh.CATALOG.items():
        assert _fields(text) <= _fields(msgid), (msgid, text)
        assert not re.search(r"[A-Za-z]{4,}", re.sub(r"\{[^}]*\}|%\(\w+\)s|Windows|Bash|UUID", "", text)), text


def test_wrapping_counts_wide_characters_and_keeps_punctuation_off_line_starts():
    text = "核查副本和核查汇总的输出文件夹（默认：核查副本在原文件旁边，核查汇总在所查文件共同所在的文件夹）。原文件的子文件夹结构会保留。"
    lines = zh.wrap(text, 40)
    assert "".join(lines) == text
    assert all(zh.width(line) <= 42 for line in lines)
    assert not any(line[0] in "，。、；：）" for line in lines)
    assert zh.wrap("abcdefghij [默认值", 12) == ["abcdefghij", "[默认值"]


@pytest.mark.parametrize("word, kind", [
    ("汇总表", "summary"), ("部门绩效自评结果公开汇总表", "summary"), ("summary", "summary"),
    ("项目支出绩效自评表", "project-form"), ("部门整体支出绩效自评表", "department-form"),
    ("权重折算", "weighted-form"), ("部门整体绩效自评表(权重折算)", "weighted-form"),
    ("评分表", "score-table"), ("部门整体支出绩效评价指标评分表.xlsx", "score-table"),
    ("Score-Table", "score-table"), ("绩效管理自评表", "management-table"), ("火星表", None),
])
def test_template_kinds_by_chinese_name(word, kind):
    from xltool.cli.template import resolve_kind

    assert resolve_kind(word) == kind


def test_template_by_chinese_name_writes_the_workbook(tmp_path):
    code, out = run(["template", "汇总表", "-o", str(tmp_path)])
    assert code == 0, out
    assert (tmp_path / "部门绩效自评结果公开汇总表.xlsx").exists()
    code, out = run(["template", "绩效管理自评表", "-o", str(tmp_path)])
    assert code == 0 and english_words(out.replace(str(tmp_path), "")) == [], out
    assert (tmp_path / "绩效管理自评表.xlsx").exists()
    code, out = run(["template", "火星表", "-o", str(tmp_path)])
    assert code == 2 and "未知的模板类型" in out and english_words(out) == []


def test_plain_check_imports_nothing_of_the_page():
    """``xltool check`` stays lean: the web framework and server load only for ``xltool ui``."""
    code = (
        "import sys\n"
        "from xltool.cli import main\n"
        "try:\n"
        f"    main(['check', '--no-write', {str(SEED000)!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('starlette', 'uvicorn', 'multipart', 'python_multipart', 'anyio', 'h11', 'xltool.ui', 'selenium')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().splitlines()[-1] == "[]"
