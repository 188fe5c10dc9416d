"""空表 for every kind (issue 11): a blank form, score table, management table or summary is 空表 — one
warning (XL002 / SUM016), never 通过 — on the console line, in the JSON, on the overview and at the top of
核查结果; a table where a person filled anything is checked as usual. The national system's export of an
unscored form (总分 0/0, nothing else) is 空表 too, with nothing else reported (the lead's decision)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from xltool import profiles, status
from xltool import template as templates
from xltool.cli import main
from xltool.engine import check_file, check_sheet
from xltool.io.book import Sheet
from xltool.report import overview

PROFILE = profiles.load()
REAL = Path(__file__).resolve().parents[1].parent / "shared" / "realworld"


def _invoke(args):
    return CliRunner().invoke(main, args, catch_exceptions=False)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Every template kind, blank, as a reviewer gets them in one folder."""
    d = tmp_path_factory.mktemp("blanks")
    for kind in templates.KINDS:
        templates.build(kind, d / templates.module(kind).FILE_NAME)
    return d


def test_every_blank_template_is_blank_on_the_console(folder):
    res = _invoke(["check", "--no-write", str(folder)])
    assert res.exit_code == 0
    lines = res.stdout.splitlines()
    files = [line for line in lines if line.startswith("【")]
    assert len(files) == len(templates.KINDS) == 6
    assert all(line.startswith("【空表】") for line in files), files
    assert f"空表 {len(templates.KINDS)} 个" in lines[-1]


def test_every_blank_template_is_blank_in_json_overview_and_findings_sheet(folder, tmp_path):
    out = tmp_path / "out"
    res = _invoke(["check", "--format", "json", "--out", str(out), str(folder)])
    assert res.exit_code == 0
    doc = json.loads(res.stdout)
    assert [f["verdict"] for f in doc["files"]] == ["blank"] * 6
    assert {f["verdict_word"] for f in doc["files"]} == {"空表"}
    assert all(f["status"] == "findings" for f in doc["files"])  # a warning, never ok
    assert doc["totals"]["blank"] == 6 and doc["totals"]["errors"] == 0
    for f in doc["files"]:
        shown = [x["rule"] for x in f["findings"] if x["severity"] != "info"]
        assert shown in (["XL002"], ["SUM016"]), (f["path"], shown)
    # the overview: every row 空表, no score or grade for a blank sheet
    ws = openpyxl.load_workbook(out / overview.NAME)[overview.SHEET]
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[0] == "序号")
    table = [r for r in rows[head + 1:] if r[0] is not None]
    assert [r[2] for r in table] == ["空表"] * 6
    assert all(r[6] == "—" and r[7] == "—" for r in table)
    # the annotated copies open with the status
    for f in doc["files"]:
        first = openpyxl.load_workbook(f["output"]).worksheets[0]
        texts = [c for row in first.iter_rows(max_row=6, values_only=True) for c in row if isinstance(c, str)]
        assert any("空表" in t for t in texts), (f["path"], texts)
        assert not any("未发现错误" in t for t in texts)


def _grid(rows):
    width = max(len(r) for r in rows)
    return [[float(v) if isinstance(v, int) else v for v in r] + [""] * (width - len(r)) for r in rows]


MANAGEMENT_HEAD = [["某镇2023年度绩效管理自评表"], ["序号", "评价内容", "满分", "得分", "说明"]]
CATEGORIES = [("重大政策落实", 12), ("预算编制管理", 12), ("预算执行管理", 24), ("预算绩效管理", 22), ("资产管理", 5),
              ("预算透明度", 7), ("预算信息化", 10)]


def _management(scores=None, total=None, converted=None, deduction=""):
    scores = scores or {}
    rows = [[i, name, full, scores.get(name, ""), ""] for i, (name, full) in enumerate(CATEGORIES, start=1)]
    rows.append([8, "存在问题扣分", "", deduction, ""])
    rows.append(["", "合计", 92, "" if total is None else total, ""])
    rows.append(["", "换算得分", 100, "" if converted is None else converted, ""])
    return check_sheet(Sheet("表", 0, _grid(MANAGEMENT_HEAD + rows), []), PROFILE)[1]


SCORE_HEAD = [["某部门整体支出绩效评价指标评分表"], ["一级指标", "二级指标", "三级指标", "分值", "得分", "评分说明"]]


def _score_table(item_score="", total=""):
    rows = [["投入", "预算编制", "预算编制科学性", 10, item_score, ""], ["", "", "绩效目标合理性", 10, "", ""],
            ["过程", "预算执行", "支出进度", 40, "", ""], ["产出", "产出数量", "任务完成率", 40, "", ""],
            ["合计", "", "", 100, total, ""], ["评价等级", "", "", "", "", ""]]
    return check_sheet(Sheet("表", 0, _grid(SCORE_HEAD + rows), []), PROFILE)[1]


def rules(findings):
    return sorted({f.rule for f in findings if f.severity != "info"})


def test_management_table_blank_and_touched():
    assert rules(_management()) == ["XL002"]  # categories and 满分 only
    assert rules(_management(total=0, converted=0, deduction=0)) == ["XL002"]  # a template's zeros
    assert [(f.rule, f.cell) for f in _management() if f.severity != "info"] == [("XL002", "A1")]
    header_only = check_sheet(Sheet("表", 0, _grid(MANAGEMENT_HEAD + [["", "合计", "", "", ""]]), []), PROFILE)[1]
    assert rules(header_only) == ["XL002"]
    # anything a person scored: checked as usual, not blank
    assert "XL002" not in rules(_management(scores={"资产管理": 4}))
    assert "XL002" not in rules(_management(total=89))
    assert "XL002" not in rules(_management(converted=96.74))
    assert "XL002" not in rules(_management(deduction=-2))
    full = {name: full for name, full in CATEGORIES}
    assert rules(_management(scores=full, total=92, converted=100, deduction=0)) == []


def test_score_table_blank_and_touched():
    assert [(f.rule, f.cell) for f in _score_table() if f.severity != "info"] == [("XL002", "A1")]
    assert rules(_score_table(total=0)) == ["XL002"]
    assert "XL002" not in rules(_score_table(item_score=9))
    assert "XL002" not in rules(_score_table(item_score=0))  # a 0 typed on an indicator is a score
    assert "XL002" not in rules(_score_table(total=93))


@pytest.mark.skipif(not (REAL / "national_export_blank.xls").exists(), reason="../shared/realworld is not available")
def test_national_export_blank_is_blank_and_nothing_else(tmp_path):
    path = REAL / "national_export_blank.xls"
    res = _invoke(["check", "--format", "json", "--out", str(tmp_path), str(path)])
    assert res.exit_code == 0
    (f,) = json.loads(res.stdout)["files"]
    assert f["verdict"] == "blank" and f["verdict_word"] == "空表"
    assert [x["rule"] for x in f["findings"] if x["rule"] != "XL001"] == ["XL002"]
    report = check_file(path, PROFILE, write=False)
    assert status.word_of(report) == "空表"


SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _cleared(src: Path, dst: Path, col: str, keep: str | None = None) -> Path:
    """The shipped sample (seed 001's / 003's real table) with its 得分 column emptied, as the bureau hands the
    table out: indicators and 满分/分值 filled in, nothing scored. ``keep``: one cell a person scored."""
    wb = openpyxl.load_workbook(src)
    ws = wb.worksheets[0]
    for r in range(1, ws.max_row + 1):
        cell = ws[f"{col}{r}"]
        if isinstance(cell.value, (int, float)) and cell.coordinate != keep:
            cell.value = None
    wb.save(dst)
    return dst


@pytest.mark.parametrize("sample,col,keep", [
    ("东史端镇2023年度绩效管理自评表.xlsx", "D", "D5"),
    ("高邑镇2024年度部门整体支出绩效评价指标评分表.xlsx", "G", "G3"),
])
def test_real_tables_with_nothing_scored_are_blank(tmp_path, sample, col, keep):
    blank = check_file(_cleared(SAMPLES / sample, tmp_path / "blank.xlsx", col), PROFILE, write=False)
    assert [f.rule for f in blank.findings if f.severity != "info"] == ["XL002"]
    assert status.word_of(blank) == "空表"
    one = check_file(_cleared(SAMPLES / sample, tmp_path / "one.xlsx", col, keep=keep), PROFILE, write=False)
    assert "XL002" not in {f.rule for f in one.findings} and status.word_of(one) != "空表"
