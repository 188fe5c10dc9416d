"""What a reviewer needs (issue 11): one status vocabulary, 空表 never 通过, findings on the console,
the catalogue's engine codes."""

from __future__ import annotations

import ast
import os
import re
import shutil
from pathlib import Path

import openpyxl
import pytest

from test_cli import SAMPLES, SEED000, invoke
from xltool import profiles, status
from xltool import template as templates
from xltool.engine import check_file
from xltool.report import overview
from xltool.ui import session

PROFILE = profiles.load()


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """A folder as a reviewer gets it: a blank project form, a blank summary, a seed with errors."""
    base = tmp_path_factory.mktemp("mixed")
    templates.build("project-form", base / "空白项目表.xlsx")
    templates.build("summary", base / "空白汇总表.xlsx")
    shutil.copy(SAMPLES / SEED000, base / SEED000)
    return base


def test_one_vocabulary():
    assert list(status.WORD.values()) == ["通过", "有错误", "需留意", "空表", "无法读取", "未识别"]
    assert (session.PASSED, session.ERRORS, session.WARNINGS, session.EMPTY, session.UNREADABLE,
            session.UNRECOGNISED) == ("通过", "有错误", "需留意", "空表", "无法读取", "未识别")
    assert overview.STATUS_CN is status.WORD


def test_blank_form_and_table_are_blank_everywhere(mixed, tmp_path):
    for name in ("空白项目表.xlsx", "空白汇总表.xlsx"):
        report = check_file(mixed / name, PROFILE, write=False)
        assert report.status == "findings" and report.warnings == 1 and not report.errors
        assert status.key_of(report) == status.BLANK
        assert session.status_word(report)[0] == "空表"
    out = tmp_path / "out"
    res = invoke(["check", str(mixed), "--out", str(out)])
    assert res.exit_code == 1  # the seed's errors
    lines = res.output.splitlines()
    assert sum(line.startswith("【空表】") for line in lines) == 2
    assert not any(line.startswith("【通过】") for line in lines)
    assert "空表 2 个" in lines[-1]
    ws = openpyxl.load_workbook(out / overview.NAME)[overview.SHEET]
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[0] == "序号")
    table = [r for r in rows[head + 1:] if r[0] is not None]
    assert [r[2] for r in table] == ["有错误", "空表", "空表"]  # worst first
    assert all("尚未填写" in r[9] or "只有表头" in r[9] for r in table[1:])
    totals = {r[0]: r[2] for r in rows[:head] if r[0] and isinstance(r[2], int)}
    assert totals["空表（尚未填写）"] == 2 and totals["通过（无错误、无提示）"] == 0


def test_a_real_warning_beside_a_blank_sheet_is_still_a_warning():
    from xltool.findings import Finding

    class R:
        status, errors, warnings, kinds = "findings", 0, 2, []
        findings = [Finding("XL002", "warning", "表1", "A1", "空表"), Finding("SUM007", "warning", "表2", "B3", "x")]

    assert status.key_of(R()) == status.WARNINGS
    R.findings = R.findings[:1]
    R.warnings = 1
    assert status.key_of(R()) == status.BLANK
    R.findings, R.warnings = [], 0
    assert status.key_of(R()) == status.OK

    class Sheet:
        results = {"total_score": None, "stated_total": None, "grade": None}

    # the blank rules decide, not the results: a blank management or score table has its XL002 now (issue 11)
    R.kinds = [Sheet()]
    assert status.key_of(R()) == status.OK


def test_verbose_lists_findings_under_each_file(mixed):
    res = invoke(["check", "-v", "--no-write", str(mixed / SEED000), str(mixed / "空白项目表.xlsx")])
    lines = res.output.splitlines()
    seed = next(i for i, line in enumerate(lines) if line.startswith("【有错误】"))
    listed = []
    for line in lines[seed + 1:]:
        if not line.startswith("    "):
            break
        listed.append(line)
    assert len([line for line in listed if line.lstrip().startswith("错误")]) == 34
    assert "错误 汇总表!F7［SUM002 结余数与预算数、执行数不符］结余数应为 26.25" in listed[0]
    assert any("［XL002 空表" in line for line in lines)
    assert lines[-1].startswith("共检查 2 个文件")
    quiet = invoke(["check", "--no-write", str(mixed / SEED000)]).output.splitlines()
    assert len(quiet) == 2  # without -v: one line per file, then the total


def test_engine_codes_in_the_catalogue():
    text = invoke(["rules"]).output
    for code in ("XL001", "XL002", "XL003"):
        assert f"\n{code}  [" in "\n" + text
    assert overview.rule_titles()["XL001"] == "未识别的工作表，未核查"


# ------------------------------------------------------------------ messages a GBK console can show

CJK = re.compile(r"[\u4e00-\u9fff]")
PACKAGE = Path(__file__).resolve().parents[1] / "xltool"


def _message_texts(path: Path):
    """The Chinese text of a module: string constants with Chinese in them (messages, rule docs) and every
    literal part of an f-string that has Chinese in it (" − " between two numbers is part of a message).
    In kinds/ only f-strings: its plain constants are labels to recognise (①…⑳), not messages."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    in_fstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = [v for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
            if any(CJK.search(v.value) for v in parts):
                for v in parts:
                    in_fstrings.add(id(v))
                    yield node.lineno, v.value
    if path.parent.name == "kinds":
        return
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in in_fstrings
                and CJK.search(node.value)):
            yield node.lineno, node.value


def test_every_message_encodes_to_gbk():
    """A Chinese Windows console (and output redirected there) is GBK: U+2212 and the like become "?"."""
    files = [*PACKAGE.glob("rules/*.py"), *PACKAGE.glob("report/*.py"), *PACKAGE.glob("kinds/*.py"),
             PACKAGE / "summarize.py", PACKAGE / "status.py", PACKAGE / "reconcile.py", *PACKAGE.glob("cli/*.py")]
    bad = []
    for path in files:
        for line, text in _message_texts(path):
            try:
                text.encode("gbk")
            except UnicodeEncodeError as exc:
                bad.append(f"{path.relative_to(PACKAGE)}:{line}: {text[exc.start:exc.end]!r}")
    assert not bad, bad
    from xltool.rules import load_all

    for r in load_all().values():
        (r.title + r.doc).encode("gbk")
    assert "\u2212" not in invoke(["rules", "--format", "markdown"]).output


def test_console_output_of_a_real_file_is_gbk(mixed):
    out = invoke(["check", "-v", "--no-write", str(mixed / SEED000)]).output
    out.encode("gbk")
    assert "（预算数 1338 － 执行数 1311.752）" in out


# ------------------------------------------------------------------ small things (issue 11, point 8)

def test_pf003_message_says_it_once_and_in_words(tmp_path):
    from test_forms import write_form

    funds = [("年度资金总额", 1300, 50, 1311.752), ("其中：当年财政拨款", 1300, 1338, 1311.752),
             ("上年结转资金", 0, 0, 0), ("其他资金", 0, 0, 0)]
    r = check_file(write_form(tmp_path / "f.xlsx", funds=funds), PROFILE, write=False)
    msg = next(f.message for f in r.findings if f.rule == "PF003")
    assert msg == ("年度资金总额的全年预算数应为 1338（各项之和：当年财政拨款 1338 + 上年结转资金 0 + 其他资金 0），"
                   "表中为 50，比各项之和少 1288。")


def test_et_files_are_found_in_folders(tmp_path):
    shutil.copy(SAMPLES / SEED000, tmp_path / "铜冶镇汇总表.et")
    res = invoke(["check", "--no-write", str(tmp_path)])
    assert "【有错误】" in res.output and "铜冶镇汇总表.et" in res.output


def test_paths_on_the_console_are_written_alike(tmp_path):
    sub = tmp_path / "乡镇"
    sub.mkdir()
    shutil.copy(SAMPLES / SEED000, sub / "a.xlsx")
    shutil.copy(SAMPLES / SEED000, sub / "b.xlsx")
    rel = invoke(["check", "乡镇"], cwd=tmp_path).output
    assert str(tmp_path) not in rel
    assert "核查副本：乡镇/a.checked.xlsx".replace("/", os.sep) in rel
    assert "核查汇总：" + os.path.join("乡镇", "核查汇总.xlsx") in rel
    absolute = invoke(["check", str(sub)]).output
    assert "核查汇总：" + str(sub / "核查汇总.xlsx") in absolute


def test_checking_our_copy_again_does_not_stack_tags(tmp_path):
    src = shutil.copy(SAMPLES / SEED000, tmp_path / "汇总表.xlsx")
    invoke(["check", str(src)])
    copy = tmp_path / "汇总表.checked.xlsx"
    before = copy.read_bytes()
    res = invoke(["check", str(copy)])
    assert "核查副本：" + str(tmp_path / "汇总表.checked (2).xlsx") in res.output
    assert copy.read_bytes() == before  # the input is never written
    assert not list(tmp_path.glob("*.checked.checked*"))
    # a copy under --out is named after the original again
    out = tmp_path / "out"
    invoke(["check", str(copy), "--out", str(out)])
    assert [p.name for p in out.glob("*.xlsx")] == ["汇总表.checked.xlsx"]


def test_every_blank_template_is_blank_in_the_overview(tmp_path):
    for kind in templates.KINDS:
        templates.build(kind, tmp_path / templates.module(kind).FILE_NAME)
    res = invoke(["check", str(tmp_path)])
    assert res.exit_code == 0
    assert sum(line.startswith("【空表】") for line in res.output.splitlines()) == len(templates.KINDS)
    ws = openpyxl.load_workbook(tmp_path / overview.NAME)[overview.SHEET]
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[0] == "序号")
    table = [r for r in rows[head + 1:] if r[0] is not None]
    assert [r[2] for r in table] == ["空表"] * len(templates.KINDS)
    assert all(r[6] == "—" and len(r[9]) > 5 for r in table)  # no score for a blank form; 说明 says why


def test_an_empty_workbook_has_one_status_on_every_surface(tmp_path):
    """A workbook with nothing filled in anywhere is 未识别 (no table recognised, nothing checked: exit 2),
    never 空表 (a recognised table nobody filled in): ``xltool/status.py`` says why. The console, the
    JSON, the overview, the page and summarize show that one status, none decides its own."""
    import json
    import subprocess
    import sys

    import xlsxwriter

    from xltool import summarize as sm
    from xltool.errors import EXIT_FAILED
    folder = tmp_path / "材料"
    folder.mkdir()
    empty = folder / "空白.xlsx"
    wb = xlsxwriter.Workbook(str(empty))
    wb.add_worksheet("Sheet1")
    wb.add_worksheet("Sheet2")
    wb.close()
    report = check_file(empty, PROFILE, write=False)
    key = status.key_of(report)
    assert key == status.UNRECOGNISED and "没有填写任何内容" in report.error
    word = status.WORD[key]
    # console (click path and the program itself, whose exit code a script sees)
    res = invoke(["check", "--out", str(tmp_path / "out"), str(folder)])
    assert res.exit_code == EXIT_FAILED
    assert [line for line in res.output.splitlines() if line.startswith("【")] == [f"【{word}】{empty}：{report.error}"]
    assert "未识别 1 个" in res.output.splitlines()[-1] and "空表" not in res.output
    run = subprocess.run([sys.executable, "-m", "xltool", "--no-write", str(empty)], capture_output=True,
                         text=True, encoding="utf-8", cwd=tmp_path)
    assert run.returncode == EXIT_FAILED and run.stdout.startswith(f"【{word}】")
    # JSON
    res = invoke(["check", "--no-write", "--format", "json", str(empty)])
    f = json.loads(res.output)["files"][0]
    assert (f["status"], f["verdict"], f["verdict_word"]) == ("unrecognised", key, word)
    assert res.exit_code == EXIT_FAILED
    # overview
    ws = openpyxl.load_workbook(tmp_path / "out" / overview.NAME)[overview.SHEET]
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[0] == "序号")
    assert [r[2] for r in rows[head + 1:] if r[0] is not None] == [word]
    totals = {r[0]: r[2] for r in rows[:head] if r[0] and isinstance(r[2], int)}
    assert totals["空表（尚未填写）"] == 0 and totals[f"{word}（未找到自评表，未核查）"] == 1
    # the page: its word and its reason
    assert session.status_word(report) == (word, report.error)
    # summarize: the file is listed as not counted, under the same word
    src = sm.build([report], PROFILE).sources
    assert [s.outcome.split("（")[0] for s in src] == [word]
