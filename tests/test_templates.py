"""``xltool template``: blank standard workbooks that compute themselves (no spreadsheet program needed)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from test_roundtrip import FILLS
from xltool import profiles
from xltool import template as templates
from xltool.cli import main
from xltool.engine import check_file
from xltool.io.book import load_book
from xltool import status
from xltool.template.base import INPUT_FILL

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "templates"
PROFILE = profiles.load()
KINDS = templates.KINDS

# A blank form or table is listed once as blank (XL002, a warning: 空表, never 通过) instead of being checked;
# the score and management tables too (issue 11: they kept status ok before).
BLANK_FORM_RULES = {"project-form", "department-form", "weighted-form", "score-table", "management-table"}


@pytest.fixture(scope="module")
def blanks(tmp_path_factory):
    base = tmp_path_factory.mktemp("blank")
    out = {}
    for kind in KINDS:
        path = base / templates.module(kind).FILE_NAME
        out[kind] = (path, templates.build(kind, path))
    return out


def _errors(report):
    return [(f.rule, f.cell, f.message) for f in report.findings if f.severity == "error"]


# ---------------------------------------------------------------- checking

@pytest.mark.parametrize("kind", KINDS)
def test_blank_template_checks_clean(blanks, kind):
    path, _ = blanks[kind]
    report = check_file(path, PROFILE, write=False)
    if kind == "summary":  # a summary with a header and no project rows is 空表: one warning, never 通过 (issue 9)
        assert report.status == "findings", report.error
        assert [f.rule for f in report.findings if f.rule != "XL001"] == ["SUM016"]
    else:  # a blank form or table too (issue 11)
        assert kind in BLANK_FORM_RULES
        assert report.status == "findings", report.error
    assert status.key_of(report) == status.BLANK  # every blank template is 空表 (issue 11), whatever its kind
    assert [s.kind for s in report.sheets] == [kind, "unknown"]  # the form, then 填表说明
    assert _errors(report) == []
    if kind in BLANK_FORM_RULES:
        assert [f.rule for f in report.findings if f.rule != "XL001"] == ["XL002"]


@pytest.mark.parametrize("kind", KINDS)
def test_blank_template_is_read_as_its_kind(blanks, kind):
    path, _ = blanks[kind]
    report = check_file(path, PROFILE, write=False)
    assert report.status != "failed", report.error
    assert [s.kind for s in report.sheets] == [kind, "unknown"]
    assert not [f for f in report.findings if f.severity == "warning" and f.rule not in status.BLANK_RULES]  # 空表


@pytest.mark.parametrize("kind", KINDS)
def test_filled_by_xltool_checks_clean(tmp_path, kind):
    """Inputs written with the template: the cached values xltool computes agree with the checker."""
    lay = templates.build(kind, tmp_path / "blank.xlsx")
    data = FILLS[kind](lay)
    path = tmp_path / "filled.xlsx"
    templates.build(kind, path, data=data)
    report = check_file(path, PROFILE, write=False)
    assert report.status == "ok", [(f.rule, f.cell, f.message) for f in report.findings if f.severity != "info"]


# ---------------------------------------------------------------- the workbook itself

@pytest.mark.parametrize("kind", KINDS)
def test_every_formula_has_a_cached_value(blanks, kind):
    path, lay = blanks[kind]
    book = load_book(path, "xlsx")
    assert book.uncached_formulas(0) == set()
    assert lay.derived
    # empty derived cells are cached as empty text, never as 0
    wb = openpyxl.load_workbook(path, data_only=True)
    ws = wb[lay.sheet]
    for a1, value in lay.values.items():
        assert value in ("", None) or isinstance(value, (int, float)), (a1, value)
        if value == "":
            assert ws[a1].value in ("", None), (a1, ws[a1].value)
    cal = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(lay.sheet).to_python(skip_empty_area=False)
    for a1, value in lay.values.items():
        r, c = openpyxl.utils.cell.coordinate_to_tuple(a1)
        assert cal[r - 1][c - 1] == value, (a1, value, cal[r - 1][c - 1])


@pytest.mark.parametrize("kind", KINDS)
def test_inputs_unlocked_and_shaded_formulas_locked_sheet_protected(blanks, kind):
    path, lay = blanks[kind]
    wb = openpyxl.load_workbook(path)
    ws = wb[lay.sheet]
    assert ws.protection.sheet is True
    assert not ws.protection.password  # protected without a password
    for a1 in lay.inputs:
        cell = ws[a1]
        assert cell.protection.locked is False, a1
        assert cell.fill.fgColor.rgb.endswith(INPUT_FILL.lstrip("#").upper()), a1
    for a1, formula in lay.derived.items():
        cell = ws[a1]
        assert cell.data_type == "f" and cell.value == formula, a1
        assert cell.protection.locked is True, a1
    assert wb["填表说明"].protection.sheet is True
    assert wb.sheetnames == [lay.sheet, "填表说明"]


def test_blank_input_before_a_formula_is_not_a_formula_without_value(tmp_path):
    """A styled blank input (a self-closing cell element) just left of a formula is an empty input."""
    path = tmp_path / "s.xlsx"
    templates.build("summary", path, rows=3, data={"B5": "甲", "D5": 100})
    report = check_file(path, PROFILE, write=False)
    assert [(f.rule, f.cell) for f in report.findings if f.severity != "info"] == [("SUM011", "E5")]


def test_text_never_becomes_a_formula(tmp_path):
    path = tmp_path / "t.xlsx"
    lay = templates.build("project-form", path, data={"F14": "=100%", "D14": "=SUM(1,2)", "C4": "+86 项目"})
    ws = openpyxl.load_workbook(path)[lay.sheet]
    assert ws["F14"].data_type == "s" and ws["F14"].value == "=100%"
    assert ws["D14"].data_type == "s" and ws["D14"].value == "=SUM(1,2)"
    assert ws["C4"].value == "+86 项目"
    assert ws["F15"].number_format == "@"  # typed targets stay text in Excel too


def test_cached_values_seen_by_readers_that_do_not_recalculate(tmp_path):
    path = tmp_path / "s.xlsx"
    lay = templates.build("summary", path, rows=5, data={"B5": "甲", "D5": 1338, "E5": 1311.752, "I5": 84})
    ws = openpyxl.load_workbook(path, data_only=True)[lay.sheet]
    assert ws["G5"].value == pytest.approx(26.248)
    assert ws["F5"].value == pytest.approx(1311.752 / 1338)
    assert ws["J5"].value == "良好"
    assert ws["G6"].value in ("", None)  # an empty row's derived cells stay empty
    pd = pytest.importorskip("pandas")
    df = pd.read_excel(path, sheet_name=lay.sheet, header=None, engine="openpyxl")  # reads cached values
    assert df.iloc[4, 6] == pytest.approx(26.248)


def test_validation_conditional_formatting_and_page_setup(blanks):
    # summary
    path, lay = blanks["summary"]
    ws = openpyxl.load_workbook(path)[lay.sheet]
    dvs = ws.data_validations.dataValidation
    by_type = {}
    for dv in dvs:
        by_type.setdefault(dv.type, []).append(dv)
    assert any(str(dv.sqref) == "D5:E54" and dv.operator == "greaterThanOrEqual" for dv in by_type["decimal"])
    assert any(str(dv.sqref) == "I5:I54" and dv.operator in (None, "between")  # "between" is the default
               and (dv.formula1, dv.formula2) == ("0", "100") for dv in by_type["decimal"])
    assert any(str(dv.sqref) == "H5:H54" for dv in by_type["custom"])
    prompts = {str(dv.sqref): dv.prompt for dv in dvs if dv.type is None and dv.prompt}
    assert "D4" in prompts and "万元" in prompts["D4"] and "F4" in prompts  # Chinese hints on the header
    cf = {str(rng.sqref) for rng in ws.conditional_formatting}
    assert "E5:E55" in cf  # 执行数 above 预算数 turns red
    assert ws.freeze_panes == "A5"
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
    assert ws.print_title_rows.replace("$", "") == "4:4"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)  # 1 is the default
    assert ws.page_setup.fitToHeight == 0
    assert ws.merged_cells.ranges and ws.column_dimensions["B"].width > 20
    # weighted form: 完成等级 dropdown as an inline list (a list on another sheet would be lost by openpyxl)
    path, lay = blanks["weighted-form"]
    ws = openpyxl.load_workbook(path)[lay.sheet]
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert lists and lists[0].formula1 == '"优,良,中,差"'
    assert str(lists[0].sqref) == f"I{lay.rows[0]}:I{lay.rows[-1]}"
    cf = {str(rng.sqref) for rng in ws.conditional_formatting}
    assert lay.cells["total_score"] in cf  # weights not adding to 100 turn the total red
    assert ws.print_title_rows.replace("$", "") == f"{lay.rows[0] - 2}:{lay.rows[0] - 1}"
    # project form: 得分 above 分值 turns red, 得分 ≤ 分值 is enforced while typing
    path, lay = blanks["project-form"]
    ws = openpyxl.load_workbook(path)[lay.sheet]
    cf = {str(rng.sqref) for rng in ws.conditional_formatting}
    assert f"I{lay.rows[0]}:I{lay.rows[-1]}" in cf
    custom = [dv for dv in ws.data_validations.dataValidation if dv.type == "custom"]
    assert any(str(dv.sqref) == f"I{lay.rows[0]}:I{lay.rows[-1]}" for dv in custom)


def test_instructions_sheet_explains_in_chinese(blanks):
    for kind in KINDS:
        path, _ = blanks[kind]
        ws = openpyxl.load_workbook(path)["填表说明"]
        text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
        assert "填写区" in text and "自动计算" in text, kind
    path, _ = blanks["summary"]
    text = "\n".join(str(c.value) for row in openpyxl.load_workbook(path)["填表说明"].iter_rows() for c in row if c.value)
    assert PROFILE.bands("summary").describe() in text and "执行数 ÷ 预算数" in text


# ---------------------------------------------------------------- profile-driven formulas

def test_formulas_follow_the_profile(tmp_path):
    lay = templates.build("project-form", tmp_path / "hubei.xlsx", "hubei")
    ws = openpyxl.load_workbook(tmp_path / "hubei.xlsx")[lay.sheet]
    assert ws[lay.cells["fund_points"]].value == 20
    lay = templates.build("project-form", tmp_path / "jx.xlsx", "jiangxi",
                          data={"F8": 100, "G8": 85, "H14": 90, "I14": 90, "D14": "x"})
    f = lay.derived[lay.cells["fund_score"]]
    assert "IF(I7>=1,10,IF(I7>=0.8,7,IF(I7>=0.6,5" in f
    assert lay.values[lay.cells["fund_score"]] == pytest.approx(7)  # 85% → 7 points under Jiangxi's bands
    custom = tmp_path / "mine.toml"
    custom.write_text('base = "national"\n[grades]\nsummary = [[95, "优秀"], [80, "良好"], [0, "较差"]]\n',
                      encoding="utf-8")
    lay = templates.build("summary", tmp_path / "s.xlsx", str(custom), rows=3, data={"I5": 90, "B5": "甲"})
    assert 'IF(I5>=95,"优秀",IF(I5>=80,"良好","较差"))' in lay.derived["J5"]
    assert lay.values["J5"] == "良好"


def test_management_deduction_is_subtracted_however_it_is_signed(tmp_path):
    lay = templates.build("management-table", tmp_path / "blank.xlsx")
    data = FILLS["management-table"](lay)
    for i, deducted in enumerate((-2, 2)):
        path = tmp_path / f"m{i}.xlsx"
        lay = templates.build("management-table", path, data={**data, lay.cells["deduction"]: deducted})
        assert lay.values[lay.cells["total_full"]] == 92  # the deduction row is not part of the full score
        assert lay.values[lay.cells["total_score"]] == 87
        assert lay.values[lay.cells["converted"]] == pytest.approx(94.57)
        report = check_file(path, PROFILE, write=False)
        assert report.status == "ok", [(f.rule, f.cell, f.message) for f in report.findings]
        assert report.sheets[0].results["converted_score"] == pytest.approx(94.57)


def test_rows_option(tmp_path):
    lay = templates.build("summary", tmp_path / "s.xlsx", rows=10)
    assert lay.rows == list(range(5, 15))
    assert lay.cells["total_budget"] == "D15"


def test_same_inputs_same_bytes(tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    templates.build("weighted-form", a, year=2023, unit="示例镇")
    templates.build("weighted-form", b, year=2023, unit="示例镇")
    assert a.read_bytes() == b.read_bytes()


# ---------------------------------------------------------------- shipped templates

def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_shipped_templates_have_not_drifted(tmp_path):
    """templates/ holds exactly what the code generates (regenerate: python -m xltool.template)."""
    fresh = templates.write_shipped(tmp_path)
    shipped = sorted(p.name for p in SHIPPED.glob("*.xlsx"))
    assert shipped == sorted(p.name for p in fresh), "templates/ is out of date: run python -m xltool.template"
    for path in fresh:
        old = SHIPPED / path.name
        if old.read_bytes() != path.read_bytes():
            assert _parts(old) == _parts(path), f"{path.name} drifted: run python -m xltool.template"


# ---------------------------------------------------------------- the command

def test_cli_list():
    res = CliRunner().invoke(main, ["template", "--list"])
    assert res.exit_code == 0
    for kind in KINDS:
        assert kind in res.output
    assert "部门绩效自评结果公开汇总表" in res.output and "权重" in res.output


def test_cli_writes_a_template_with_year_and_unit(tmp_path):
    out = tmp_path / "汇总.xlsx"
    res = CliRunner().invoke(main, ["template", "summary", "-o", str(out), "--year", "2023",
                                    "--unit", "示例镇人民政府", "--rows", "20"])
    assert res.exit_code == 0, res.output
    assert "已生成" in res.output
    ws = openpyxl.load_workbook(out).worksheets[0]
    assert ws["A1"].value == "示例镇人民政府2023年度部门绩效自评结果公开汇总表"
    assert ws["B25"].value == "合计" or ws["A25"].value == "合计"
    res = CliRunner().invoke(main, ["check", str(out), "--no-write", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert "summary" in json.dumps(json.loads(res.output), ensure_ascii=False)


def test_cli_default_name_and_folder(tmp_path):
    res = CliRunner().invoke(main, ["template", "score-table", "-o", str(tmp_path), "--year", "2024"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "2024年度部门整体支出绩效评价指标评分表.xlsx").exists()
    res = CliRunner().invoke(main, ["template", "project-form", "-o", str(tmp_path / "项目表")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "项目表.xlsx").exists()
    res = CliRunner().invoke(main, ["template", "summary", "-o", str(tmp_path), "--unit", "甲/乙镇"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "甲_乙镇部门绩效自评结果公开汇总表.xlsx").exists()  # no folder made of the unit's name


def test_cli_refuses_to_overwrite(tmp_path):
    out = tmp_path / "a.xlsx"
    out.write_bytes(b"officer's work")
    res = CliRunner().invoke(main, ["template", "summary", "-o", str(out)])
    assert res.exit_code == 2
    assert "已存在" in res.output and out.read_bytes() == b"officer's work"
    res = CliRunner().invoke(main, ["template", "summary", "-o", str(out), "--force"])
    assert res.exit_code == 0 and out.read_bytes()[:2] == b"PK"


@pytest.mark.parametrize("args, words", [
    (["template", "nonsense"], "未知的模板类型"),
    (["template"], "请指定模板类型"),
    (["template", "summary", "-o", "x.xls"], ".xlsx"),
    (["template", "summary", "--profile", "mars"], "未知的地区配置"),
])
def test_cli_errors_in_chinese(tmp_path, args, words, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2
    assert words in res.output


def test_cli_rows_only_for_summary(tmp_path):
    res = CliRunner().invoke(main, ["template", "weighted-form", "-o", str(tmp_path / "w.xlsx"), "--rows", "9"])
    assert res.exit_code == 0
    assert "只适用于汇总表" in res.output


def test_derived_figures_shown_at_the_forms_precision(tmp_path):
    """结余数 1338 − 1311.752 shows 26.25 (the value stays exact); a typed 1311.752 shows as typed."""
    path = tmp_path / "s.xlsx"
    lay = templates.build("summary", path, rows=3, data={"B5": "甲", "D5": 1338, "E5": 1311.752, "I5": 84})
    ws = openpyxl.load_workbook(path)[lay.sheet]
    assert ws["G5"].number_format == "#,##0.00" and ws[lay.cells["total_balance"]].number_format == "#,##0.00"
    assert ws["E5"].number_format == "#,##0.00####"
    assert ws["F5"].number_format == "0.00%"
    lay = templates.build("weighted-form", tmp_path / "w.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "w.xlsx")[lay.sheet]
    assert ws[lay.cells["exec_weighted"]].number_format == "0.00"  # 7.52, never 7.524
    assert ws[lay.cells["fund_progress"]].number_format == "0.00"


@pytest.mark.parametrize("kind", KINDS)
def test_rows_tall_enough_for_their_text_and_forms_on_one_portrait_page(tmp_path, kind):
    """Filled with the round trip's data: every wrapped text fits its (merged) cell's height; the official
    forms fit one portrait page, the summary table fits the landscape page width."""
    from openpyxl.utils import get_column_letter

    from xltool.report.printing import lines_needed

    lay = templates.build(kind, tmp_path / "blank.xlsx")
    path = tmp_path / "filled.xlsx"
    lay = templates.build(kind, path, data=FILLS[kind](lay))
    ws = openpyxl.load_workbook(path)[lay.sheet]
    spans = {(m.min_row, m.min_col): m for m in ws.merged_cells.ranges}

    def width(c):
        dim = next((d for d in ws.column_dimensions.values() if d.min and d.min <= c <= d.max), None)
        return dim.width if dim is not None and dim.width else 8.43

    for row in ws.iter_rows():
        for c in row:
            if c.data_type != "s" or not c.value or not c.alignment.wrap_text:
                continue
            m = spans.get((c.row, c.column))
            r0, r1, c0, c1 = (m.min_row, m.max_row, m.min_col, m.max_col) if m else (c.row, c.row, c.column, c.column)
            w = sum(width(k) for k in range(c0, c1 + 1))
            h = sum(ws.row_dimensions[r].height or 15 for r in range(r0, r1 + 1))
            assert h >= lines_needed(c.value, w) * 14.25, (kind, c.coordinate, c.value, get_column_letter(c0))
    ps = ws.page_setup
    assert str(ps.paperSize) == "9" and ws.sheet_properties.pageSetUpPr.fitToPage
    if kind == "summary":
        assert ps.orientation == "landscape" and ps.fitToHeight == 0
    else:
        assert ps.orientation == "portrait" and ps.fitToHeight in (None, 1)  # 1 is the default
