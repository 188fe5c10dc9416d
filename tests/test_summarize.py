"""``xltool summarize``: the 部门绩效自评结果公开汇总表 built from a folder of project forms.

The forms are written here with openpyxl in the national layout (财预〔2020〕10号, as in
shared/realworld/*.xls sheet 项目支出绩效自评表): title, （2023年度）, 项目名称 / 主管部门 / 实施单位, the
fund block, 年度总体目标, the indicator table and its 总分 row.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from xltool import profiles
from xltool import summarize as sm
from xltool.batch import Job, run
from xltool.cli import main
from xltool.engine import check_file

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"

# (一级, 二级, 三级, 年度指标值, 实际完成值, 分值, 得分, 偏差原因)
INDICATORS = [
    ("产出指标", "数量指标", "受益人次", "≥5000人次", "5260人次", 20, 20, ""),
    ("产出指标", "质量指标", "资金使用合规率", "=100%", "100%", 15, 15, ""),
    ("产出指标", "时效指标", "资金按时拨付率", "=100%", "100%", 15, 15, ""),
    ("效益指标", "社会效益指标", "群众生活改善", "明显改善", "明显改善", 30, 30, ""),
    ("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "95%", 10, 10, ""),
]


def write_form(path: Path, name: str, budget: float, execution: float, *, unit="某镇人民政府",
               authority="某镇人民政府", amount_unit="万元", exec_score="auto", total="auto", year=2023,
               indicators=INDICATORS, title="项目支出绩效自评表", name_label="项目名称", sheet=None,
               append=False) -> Path:
    """A national project self-evaluation form; correct unless told otherwise.

    ``append``: add the form as a new sheet (named ``sheet``) of the workbook at ``path``."""
    rate = execution / budget if budget else 0.0
    if exec_score == "auto":
        exec_score = round(min(rate, 1.0) * 10, 2)
    if total == "auto":
        total = round(exec_score + sum(i[6] for i in indicators), 2)
    if append:
        wb = openpyxl.load_workbook(path)
        ws = wb.create_sheet(sheet or title)
    else:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = sheet or title
    ws["A1"] = title
    ws.merge_cells("A1:K1")
    ws["A2"] = f"（{year}年度）"
    ws.merge_cells("A2:K2")
    ws["A4"], ws["C4"] = name_label, name
    ws.merge_cells("A4:B4")
    ws.merge_cells("C4:K4")
    ws["A5"], ws["C5"], ws["F5"], ws["G5"] = "主管部门", authority, "实施单位", unit
    ws.merge_cells("A5:B5")
    ws.merge_cells("C5:E5")
    ws.merge_cells("G5:K5")
    ws["A6"] = f"项目资金（{amount_unit}）"
    ws.merge_cells("A6:B9")
    for col, text in zip("EFGHIK", ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")):
        ws[f"{col}6"] = text
    ws.merge_cells("I6:J6")
    ws["C7"], ws["E7"], ws["F7"], ws["G7"], ws["H7"], ws["I7"], ws["K7"] = (
        "年度资金总额", budget, budget, execution, 10, round(rate, 4), exec_score)
    ws["C8"], ws["E8"], ws["F8"], ws["G8"] = "其中：当年财政拨款", budget, budget, execution
    ws["C9"], ws["E9"], ws["F9"], ws["G9"] = "其他资金", 0, 0, 0
    for r in (7, 8, 9):
        ws.merge_cells(f"C{r}:D{r}")
        ws.merge_cells(f"I{r}:J{r}")
    for r in (8, 9):
        ws[f"H{r}"] = ws[f"I{r}"] = ws[f"K{r}"] = "—"
    ws["A10"], ws["B10"], ws["G10"] = "年度总体目标", "预期目标", "实际完成情况"
    ws["B11"], ws["G11"] = "完成年度工作任务。", "已完成年度工作任务。"
    ws.merge_cells("A10:A11")
    ws.merge_cells("B10:F10")
    ws.merge_cells("G10:K10")
    ws.merge_cells("B11:F11")
    ws.merge_cells("G11:K11")
    h = 12
    for col, text in zip("ABCDFGHIJ", ("绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值",
                                         "分值", "得分", "偏差原因分析及改进措施")):
        ws[f"{col}{h}"] = text
    ws.merge_cells(f"D{h}:E{h}")
    ws.merge_cells(f"J{h}:K{h}")
    for i, (l1, l2, l3, target, actual, points, got, why) in enumerate(indicators):
        r = h + 1 + i
        ws[f"B{r}"], ws[f"C{r}"], ws[f"D{r}"] = l1, l2, l3
        ws[f"F{r}"], ws[f"G{r}"], ws[f"H{r}"], ws[f"I{r}"] = target, actual, points, got
        if why:
            ws[f"J{r}"] = why
        ws.merge_cells(f"D{r}:E{r}")
        ws.merge_cells(f"J{r}:K{r}")
        for col in "FG":  # targets such as "=100%" are text, not formulas
            ws[f"{col}{r}"].data_type = "s"
    end = h + len(indicators)
    ws.merge_cells(f"A{h}:A{end}")
    t = end + 1
    ws[f"A{t}"], ws[f"H{t}"], ws[f"I{t}"] = "总分", 100, total
    ws.merge_cells(f"A{t}:G{t}")
    wb.save(path)
    return path


FORMS = [  # name, budget, execution
    ("2023年镇级教育经费", 1338, 1311.752),
    ("2023年镇级防汛工作经费", 50, 45.999477),
    ("2023年镇级绿化管护项目", 196, 195.9402),
    ("2023年镇级固定资产购置费", 100, 36.25),  # 36 % executed: the adjustment wording
]


@pytest.fixture
def forms(tmp_path):
    folder = tmp_path / "forms"
    folder.mkdir()
    for i, (name, b, e) in enumerate(FORMS, start=1):
        write_form(folder / f"{i:02d}_{name}.xlsx", name, b, e)
    return folder


def invoke(args):
    return CliRunner().invoke(main, args, catch_exceptions=False)


def test_form_builder_makes_clean_project_forms(forms):
    for p in sorted(forms.iterdir()):
        r = check_file(p, profiles.load(), write=False)
        assert [s.kind for s in r.sheets] == ["project-form"], (p.name, r.error)
        assert r.errors == 0 and r.warnings == 0, [f.message for f in r.findings]


def test_build_from_reports(forms):
    prof = profiles.load()
    reports = run([Job(p, str(p), write=False) for p in sorted(forms.iterdir())], prof, workers=1)
    t = sm.build(reports, prof)
    assert [p.name for p in t.projects] == [n for n, _, _ in FORMS]
    assert t.unit == "万元" and t.year == 2023 and t.department == "某镇人民政府"
    assert t.budget_total == pytest.approx(1684) and t.execution_total == pytest.approx(1589.941629)
    scores = [p.score for p in t.projects]
    assert t.overall_score == round(sum(scores) / len(scores), 2)
    low = t.projects[3]
    assert low.rate == pytest.approx(0.3625)
    assert "调整优化" in low.opinion and "继续推进" not in low.opinion
    assert t.projects[0].opinion == f"评价结果{t.projects[0].grade}，继续推进此项目。"
    assert not t.marked


def test_summarize_output_checks_clean(forms, tmp_path):
    out = tmp_path / "汇总表.xlsx"
    res = invoke(["summarize", str(forms), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "4 个项目" in res.output and "单位整体自评得分" in res.output
    # the table is itself a valid input with no error and no warning
    r = check_file(out, profiles.load(), write=False)
    assert r.status == "ok", [f.message for f in r.findings]
    summary = [s for s in r.sheets if s.kind == "summary"]
    assert len(summary) == 1
    res_ = summary[0].results
    assert res_["project_count"] == 4
    assert res_["budget_total"] == pytest.approx(1684)
    wb = openpyxl.load_workbook(out)
    ws = wb["汇总表"]
    header = [c.value for c in ws[4]]
    assert header[:9] == ["序号", "项目名称", "项目实施单位", "预算数（调整后）", "执行数", "结余数", "结余交回财政数",
                          "自评得分", "自评结果应用意见"]
    assert ws["F5"].value == "=D5-E5"  # a formula …
    values = openpyxl.load_workbook(out, data_only=True)["汇总表"]
    assert values["F5"].value == pytest.approx(26.248)  # … with its value cached
    assert ws["B9"].value == "合计" and ws["D9"].value == "=SUM(D5:D8)"
    assert values["D9"].value == pytest.approx(1684)
    assert values["H9"].value == res_["overall_score"]


def test_forms_with_errors_are_included_and_marked(forms, tmp_path):
    # 执行率得分 10 where 90 % × 10 = 9 is right; 总分 95 where the stated items add to 100
    write_form(forms / "05_bad.xlsx", "2023年镇级村级补助", 200, 180, exec_score=10, total=95)
    out = tmp_path / "汇总表.xlsx"
    res = invoke(["summarize", str(forms), "-o", str(out)])
    assert res.exit_code == 1
    assert "05_bad.xlsx" in res.output and "已汇总并在备注中标出" in res.output
    ws = openpyxl.load_workbook(out)["汇总表"]
    assert ws["B9"].value == "2023年镇级村级补助"
    assert "错误" in ws["J9"].value and ws["B9"].fill.fgColor.rgb.endswith("FFC7CE")
    assert "重算" in ws["J9"].value  # stated 95, the items add to 100
    assert ws["H9"].value == 100
    assert check_file(out, profiles.load(), write=False).errors == 0


def test_department_forms_and_other_files_are_listed_not_summed(forms, tmp_path):
    shutil.copy(SAMPLES / "示例单位2023年度部门整体支出绩效自评表.xlsx", forms / "dept.xlsx")
    shutil.copy(SAMPLES / "示例单位2023年度部门绩效自评结果公开汇总表.xlsx", forms / "old_summary.xlsx")
    (forms / "junk.xlsx").write_text("不是表格", encoding="utf-8")
    out = tmp_path / "汇总表.xlsx"
    res = invoke(["summarize", str(forms), "-o", str(out)])
    assert res.exit_code == 2  # a file could not be read
    assert "部门整体支出绩效自评表，未计入" in res.output and "junk.xlsx" in res.output
    wb = openpyxl.load_workbook(out)
    assert [p for p in ("汇总表", "生成说明") if p in wb.sheetnames] == ["汇总表", "生成说明"]
    outcomes = [row[3] for row in wb["生成说明"].iter_rows(min_row=2, values_only=True)]
    assert sum(1 for o in outcomes if o.startswith("已汇总")) == 4
    assert len(outcomes) == 7


def test_against_an_existing_table_lists_differences_cell_by_cell(forms, tmp_path):
    from builders import summary_row, write_summary

    rows = [
        summary_row(1, "2023年镇级教育经费", 1338, 1311.752, 96),
        summary_row(2, "2023年镇级防汛工作经费", 50, 40, 97),  # 执行数 differs
        summary_row(3, "2023年镇级绿化管护项目", 196, 195.9402, 100),
        summary_row(4, "2023年镇级多出来的项目", 10, 10, 100),  # not among the forms
    ]
    existing = write_summary(tmp_path / "原表.xlsx", rows)
    out = tmp_path / "汇总表.xlsx"
    res = invoke(["summarize", str(forms), "-o", str(out), "--against", str(existing)])
    assert res.exit_code == 1, res.output
    wb = openpyxl.load_workbook(out)
    diffs = [row for row in wb["与原表核对"].iter_rows(min_row=3, values_only=True) if row[0]]
    found = {(d[1], d[2]) for d in diffs}
    assert ("2023年镇级防汛工作经费", "执行数") in found
    assert ("2023年镇级多出来的项目", "项目") in found
    assert ("2023年镇级固定资产购置费", "项目") in found  # a form without a row in the old table
    cell = next(d[3] for d in diffs if d[1] == "2023年镇级防汛工作经费" and d[2] == "执行数")
    assert cell == "汇总表!E6"
    # the output with its reconciliation sheet is still a clean input
    r = check_file(out, profiles.load(), write=False)
    assert r.errors == 0 and r.warnings == 0, [f.message for f in r.findings]
    assert [s.kind for s in r.sheets].count("summary") == 1


def test_amounts_in_yuan_are_converted_when_units_differ(tmp_path):
    folder = tmp_path / "forms"
    folder.mkdir()
    write_form(folder / "a.xlsx", "2023年甲项目", 100, 90)
    write_form(folder / "b.xlsx", "2023年乙项目", 500000, 450000, amount_unit="元")
    prof = profiles.load()
    t = sm.build(run([Job(p, str(p), write=False) for p in sorted(folder.iterdir())], prof, workers=1), prof)
    assert t.unit == "万元"
    assert [p.budget for p in t.projects] == [100, 50]
    assert t.budget_total == 150


def test_output_that_is_not_ours_is_not_overwritten(forms, tmp_path):
    out = tmp_path / "汇总表.xlsx"
    out.write_bytes(b"someone else's work")
    res = invoke(["summarize", str(forms), "-o", str(out)])
    assert res.exit_code == 2 and "不是本工具生成" in res.output
    assert out.read_bytes() == b"someone else's work"
    # our own output is replaced, and is never read back as a form
    out.unlink()
    assert invoke(["summarize", str(forms), "-o", str(out)]).exit_code == 0
    shutil.copy(out, forms / "汇总表.xlsx")
    res = invoke(["summarize", str(forms), "-o", str(out)])
    assert res.exit_code == 0 and "4 个项目" in res.output


def test_no_project_forms_is_a_clear_failure(tmp_path):
    folder = tmp_path / "x"
    folder.mkdir()
    shutil.copy(SAMPLES / "示例单位2023年度部门整体支出绩效自评表.xlsx", folder / "dept.xlsx")
    res = invoke(["summarize", str(folder), "-o", str(tmp_path / "o.xlsx")])
    assert res.exit_code == 2 and "没有找到可汇总的项目支出绩效自评表" in res.output
    assert not (tmp_path / "o.xlsx").exists()


def test_opinion_wording_follows_the_profile():
    prof = profiles.load()
    assert sm.opinion_text("优秀", 0.98, prof) == "评价结果优秀，继续推进此项目。"
    low = sm.opinion_text("良好", 0.3, prof)
    assert low.startswith("评价结果良好，") and prof.adjust_words[0] in low


def test_findings_stay_with_the_sheet_they_belong_to(tmp_path):
    """Two project forms in one workbook, one of them wrong: only that one is marked, and its remark
    names its sheet, with clean punctuation."""
    folder = tmp_path / "forms"
    folder.mkdir()
    book = folder / "两个项目.xlsx"
    write_form(book, "2023年镇级甲项目", 100, 90, sheet="甲项目")
    write_form(book, "2023年镇级乙项目", 200, 180, exec_score=10, total=95, sheet="乙项目", append=True)
    write_form(folder / "丙.xlsx", "2023年镇级丙项目", 50, 50)
    out = tmp_path / "汇总表.xlsx"
    res = invoke(["summarize", str(folder), "-o", str(out)])
    assert res.exit_code == 1, res.output
    assert "乙项目" in res.output and "甲项目”）" not in res.output
    prof = profiles.load()
    t = sm.build(run([Job(p, p.name, write=False) for p in sorted(folder.iterdir())], prof, workers=1), prof)
    by_name = {p.name: p for p in t.projects}
    good, bad = by_name["2023年镇级甲项目"], by_name["2023年镇级乙项目"]
    assert (good.sheet, good.errors, good.warnings) == ("甲项目", 0, 0)
    assert good.remark == ""
    assert bad.sheet == "乙项目" and bad.errors >= 1
    assert bad.remark.startswith(f"工作表“乙项目”核查发现错误 {bad.errors} 处")
    assert "K7" in bad.remark and bad.remark.endswith("。")
    assert [p.name for p in t.marked] == ["2023年镇级乙项目"]
    ws = openpyxl.load_workbook(out)["汇总表"]
    remarks = {ws.cell(r, 2).value: ws.cell(r, 10).value for r in range(5, 8)}
    assert remarks["2023年镇级甲项目"] in (None, "")
    assert "乙项目" in remarks["2023年镇级乙项目"]
    for text in remarks.values():
        assert not any(p in (text or "") for p in ("。。", "。；", "；。", "，。"))


def test_every_sheet_is_set_up_for_a4_with_rows_that_fit(forms, tmp_path):
    from builders import summary_row, write_summary
    from xltool.report.printing import lines_needed

    existing = write_summary(tmp_path / "原表.xlsx", [summary_row(1, "2023年镇级教育经费", 1338, 1300, 96)])
    out = tmp_path / "汇总表.xlsx"
    invoke(["summarize", str(forms), "-o", str(out), "--against", str(existing)])
    wb = openpyxl.load_workbook(out)
    for name, widths, head in ((sm.SHEET, sm.WIDTHS, 4), (sm.SOURCES_SHEET, sm.SOURCES_WIDTHS, 1),
                               (sm.DIFF_SHEET, sm.DIFF_WIDTHS, 2)):
        ws = wb[name]
        assert str(ws.page_setup.paperSize) == "9" and ws.page_setup.orientation == "landscape", name
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0, name
        assert ws.print_title_rows.replace("$", "") == f"{head}:{head}", name
        for row in ws.iter_rows(min_row=head + 1, max_row=ws.max_row):
            for c in row:
                if isinstance(c.value, str) and c.alignment.wrap_text and c.coordinate not in ws.merged_cells:
                    need = lines_needed(c.value, widths[c.column - 1])
                    assert (ws.row_dimensions[c.row].height or 15) >= need * 14.25, (name, c.coordinate, c.value)


# ------------------------------------------------------------------ issue 11: totals over 100, blank forms

OVER = [i[:6] + (i[6] * 2,) + i[7:] for i in INDICATORS]  # every 得分 doubled: 180 + 执行率得分 9 = 189


def test_a_total_over_the_full_score_is_not_averaged(forms, tmp_path):
    """A form whose recomputed total is above 100 cannot be a score: its 自评得分 is left empty, it is not
    averaged, and the table says so (备注, notes, console); the stated 总分 is not used either."""
    write_form(forms / "05_over.xlsx", "2023年镇级村级补助", 200, 180, indicators=OVER, total=100)
    prof = profiles.load()
    t = sm.build(run([Job(p, str(p), write=False) for p in sorted(forms.iterdir())], prof, workers=1), prof)
    over = next(p for p in t.projects if p.name == "2023年镇级村级补助")
    assert over.score is None and over.over_max == pytest.approx(189) and over.opinion == ""
    others = [p.score for p in t.projects if p is not over]
    assert t.overall_score == round(sum(others) / len(others), 2)
    assert "189 分，超过满分 100 分" in over.remark and "所填总分 100 与各项得分不符" in over.remark
    out = tmp_path / "汇总表.xlsx"
    res = invoke(["summarize", str(forms), "-o", str(out)])
    assert res.exit_code == 1  # the form has errors
    assert "【未计入平均分】" in res.output and "05_over.xlsx" in res.output
    ws = openpyxl.load_workbook(out)["汇总表"]
    assert ws["B9"].value == "2023年镇级村级补助" and ws["H9"].value is None
    notes = [ws.cell(r, 1).value for r in range(11, ws.max_row + 1) if ws.cell(r, 1).value]
    assert any("超过满分 100 分" in n and "未计入平均分" in n and "其余 4 个项目" in n for n in notes), notes
    values = openpyxl.load_workbook(out, data_only=True)["汇总表"]
    assert values["H10"].value == t.overall_score  # AVERAGE over the column skips the empty cell: the same mean
    assert check_file(out, prof, write=False).errors == 0


def test_a_total_over_the_full_score_is_said_on_the_comparison_sheet(forms, tmp_path):
    from builders import summary_row, write_summary

    write_form(forms / "05_over.xlsx", "2023年镇级村级补助", 200, 180, indicators=OVER, total=100)
    rows = [summary_row(i, n, b, e, 96) for i, (n, b, e) in enumerate(FORMS, start=1)]
    rows.append(summary_row(5, "2023年镇级村级补助", 200, 180, 100))
    existing = write_summary(tmp_path / "原表.xlsx", rows)
    out = tmp_path / "汇总表.xlsx"
    invoke(["summarize", str(forms), "-o", str(out), "--against", str(existing)])
    diffs = [row for row in openpyxl.load_workbook(out)["与原表核对"].iter_rows(min_row=3, values_only=True) if row[0]]
    (d,) = [d for d in diffs if d[1] == "2023年镇级村级补助"]
    assert d[2] == "自评得分" and d[4] == 100 and d[5] in (None, "")
    assert "超过满分 100 分" in d[7] and "未计入汇总" in d[7]


def test_a_blank_form_is_listed_not_summed(forms, tmp_path):
    from xltool import template as templates

    templates.build("project-form", forms / "05_blank.xlsx")
    prof = profiles.load()
    t = sm.build(run([Job(p, str(p), write=False) for p in sorted(forms.iterdir())], prof, workers=1), prof)
    assert len(t.projects) == 4  # its 0 is not a score, and it is not a project result
    src = next(s for s in t.sources if s.path.endswith("05_blank.xlsx"))
    assert src.outcome.startswith("空表")


REAL = ROOT.parent / "shared" / "realworld"


@pytest.mark.skipif(not (REAL / "national_export_numbered.xls").exists(), reason="../shared/realworld is not available")
def test_real_exports_over_100_and_blank_are_not_averaged():
    prof = profiles.load()
    paths = [REAL / n for n in ("national_export_blank.xls", "national_export_filled.xls", "national_export_numbered.xls")]
    t = sm.build(run([Job(p, str(p), write=False) for p in paths], prof, workers=1), prof)
    assert [p.source.rsplit("/", 1)[-1] for p in t.projects] == ["national_export_filled.xls",
                                                                  "national_export_numbered.xls"]
    numbered = t.projects[1]
    assert numbered.score is None and numbered.over_max == 277
    assert t.overall_score == 0  # only the filled form's 0 (its rows are scored 0.0), not (0 + 0 + 277) / 3


def test_an_edited_table_of_ours_is_never_overwritten(forms, tmp_path):
    """summarize -o: a table of ours a person has saved since (the seal is gone) is kept; the new table
    goes to 汇总表 (2).xlsx with a remark, like the check copies (issue 10's leftover)."""
    from xltool.report.safe import sealed

    out = tmp_path / "汇总表.xlsx"
    assert invoke(["summarize", str(forms), "-o", str(out)]).exit_code == 0
    assert sm.written_by_us(out) and sealed(out)
    wb = openpyxl.load_workbook(out)  # a person fills in 结余交回财政数 and saves
    wb["汇总表"]["G5"] = 26.25
    wb.save(out)
    assert sm.written_by_us(out) and not sealed(out)
    edited = out.read_bytes()
    res = invoke(["summarize", str(forms), "-o", str(out)])
    assert res.exit_code == 0
    second = tmp_path / "汇总表 (2).xlsx"
    assert out.read_bytes() == edited and second.exists() and sealed(second)
    assert "又被修改并保存过" in res.stderr and "汇总表 (2).xlsx" in res.stderr
    assert "已生成汇总表：" in res.stdout and "汇总表 (2).xlsx" in res.stdout
    # run again: the (2) table is ours and unedited, so it is the one replaced
    res = invoke(["summarize", str(forms), "-o", str(out)])
    assert res.exit_code == 0 and not (tmp_path / "汇总表 (3).xlsx").exists()
    assert out.read_bytes() == edited
