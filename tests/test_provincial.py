"""Two provincial indicator layouts read by the points form (issue 9): proof that the table model bends.

- Sichuan-style: a 指标性质 column (=, ≥, ≤, 正向, 反向) written apart from the target (指标值 90, 度量单位 %).
- Chongqing-style: 得分系数 (得分 = 分值 × 系数) and 是否核心指标 columns.

Each is one Role in ``xltool/kinds/vocabulary.py`` (FORM_INDICATORS) plus, for Chongqing, two rules in
``xltool/rules/form.py`` (PF017, PF018); the Sichuan operator is put before the target when the row is read.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from xltool import profiles
from xltool.cells import a1
from xltool.engine import check_file


def write(path: Path, header: list[str], rows: list[list], *, title="项目支出绩效自评表") -> dict[tuple[int, str], str]:
    """A project form: heading, fund block, the indicator table with ``header`` and ``rows``, 总分.
    Returns {(row index, header label): A1 ref}."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目支出绩效自评表"
    ws.append([title])
    ws.append(["（2023年度）"])
    ws.append(["项目名称", "2023年镇级教育经费"])
    ws.append(["主管部门", "某镇人民政府", "实施单位", "某镇人民政府"])
    ws.append(["项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"])
    ws.append(["", "年度资金总额", 1338, 1338, 1311.752, 10, 0.9804, 9.8])
    ws.append(["", "其中：当年财政拨款", 1338, 1338, 1311.752])
    ws.append(["年度总体目标", "保障学校运转", "", "", "实际完成情况", "已完成"])
    ws.append(header)
    refs = {}
    hr = ws.max_row  # 1-based row of the header
    for i, row in enumerate(rows):
        ws.append(row)
        for j, h in enumerate(header):
            refs[(i, h)] = a1(hr + i, j)
    pts = sum(r[header.index("分值")] for r in rows) + 10
    got = round(sum(r[header.index("得分")] for r in rows) + 9.8, 4)
    total = [""] * len(header)
    total[0] = "总分"
    total[header.index("分值")] = pts
    total[header.index("得分")] = got
    ws.append(total)
    refs["total"] = a1(ws.max_row - 1, header.index("得分"))
    wb.save(path)
    return refs


def run(path):
    return check_file(path, profiles.load("national"), write=False)


def errors(report):
    return sorted((f.rule, f.cell) for f in report.findings if f.severity == "error")


def warnings(report):
    return sorted((f.rule, f.cell) for f in report.findings if f.severity == "warning" and f.rule != "XL001")


# ---------------------------------------------------------------- Sichuan: 指标性质 apart from the target

SC_HEADER = ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]


def sc_rows(change=None):
    rows = [
        ["产出指标", "数量指标", "受益学生人次", "≥", "5000", "人次", "5260", 20, 20, ""],
        ["", "质量指标", "教育经费使用合规率", "=", "100", "%", "100", 15, 15, ""],
        ["", "成本指标", "生均公用经费补助标准", "≤", "200", "元", "195", 15, 15, ""],
        ["效益指标", "社会效益指标", "义务教育巩固率", "正向", "99", "%", "100", 30, 30, ""],
        ["满意度指标", "服务对象满意度指标", "学生及家长满意度", "≥", "90", "%", "95", 10, 10, ""],
    ]
    for (i, j), v in (change or {}).items():
        rows[i][SC_HEADER.index(j)] = v
    return rows


def _sc(**kw):
    return sc_rows({(int(k.split("_")[0][1:]), k.split("_", 1)[1]): v for k, v in kw.items()})


def test_sichuan_clean_form_is_read_and_clean(tmp_path):
    write(tmp_path / "a.xlsx", SC_HEADER, sc_rows())
    r = run(tmp_path / "a.xlsx")
    assert r.sheets[0].kind == "project-form"
    assert errors(r) == [] and warnings(r) == []
    rec = r.sheets[0].record
    assert [i.target.value for i in rec.indicators] == ["≥5000", "=100", "≤200", "≥99", "≥90"]


def test_sichuan_reverse_indicator_from_its_own_column(tmp_path):
    """≤ 200 元 in 指标性质, 250 元 spent: (400 − 250) ÷ 200 = 75% of 15 = 11.25; 15 is an error."""
    rows = sc_rows({(2, "实际完成值"): "250"})
    refs = write(tmp_path / "a.xlsx", SC_HEADER, rows)
    r = run(tmp_path / "a.xlsx")
    assert errors(r) == [("PF006", refs[(2, "得分")])]
    assert next(f for f in r.findings if f.rule == "PF006").expected == pytest.approx(11.25)
    # the same row without the 指标性质 column is read as "= 200" and met: the column decides
    header = [h for h in SC_HEADER if h != "指标性质"]
    plain = [[v for h, v in zip(SC_HEADER, row) if h != "指标性质"] for row in rows]
    write(tmp_path / "b.xlsx", header, plain)
    assert errors(run(tmp_path / "b.xlsx")) == []


def test_sichuan_positive_word_and_reason(tmp_path):
    """正向 (≥) 99%, 97% achieved: 97 ÷ 99 × 30 = 29.39 at most; 30 is an error, 29 with a reason is fine."""
    refs = write(tmp_path / "a.xlsx", SC_HEADER, sc_rows({(3, "实际完成值"): "97"}))
    r = run(tmp_path / "a.xlsx")
    assert errors(r) == [("PF006", refs[(3, "得分")])]
    ok = sc_rows({(3, "实际完成值"): "97", (3, "得分"): 29, (3, "偏差原因分析及改进措施"): "部分学生转学"})
    write(tmp_path / "b.xlsx", SC_HEADER, ok)
    assert errors(run(tmp_path / "b.xlsx")) == []


def test_sichuan_operator_in_the_target_wins(tmp_path):
    """A target that already says ≤ keeps it; 定性 adds nothing."""
    rows = sc_rows({(2, "指标性质"): "定性", (2, "指标值"): "≤200"})
    write(tmp_path / "a.xlsx", SC_HEADER, rows)
    r = run(tmp_path / "a.xlsx")
    assert errors(r) == []
    assert r.sheets[0].record.indicators[2].target.value == "≤200"


# ---------------------------------------------------------------- Chongqing: 得分系数, 是否核心指标

CQ_HEADER = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分系数", "得分", "是否核心指标",
             "偏差原因分析及改进措施"]


def cq_rows(change=None):
    rows = [
        ["产出指标", "数量指标", "受益学生人次", "≥5000人次", "5260人次", 20, 1, 20, "是", ""],
        ["", "质量指标", "教育经费使用合规率", "=100%", "100%", 15, 1, 15, "否", ""],
        ["", "时效指标", "资金按时拨付率", "=100%", "90%", 15, 0.9, 13.5, "否", "尾款次年支付"],
        ["效益指标", "社会效益指标", "办学条件改善情况", "明显改善", "部分达成年度指标并具有一定效果", 30, 0.7, 21, "是",
         "部分校舍未完工"],
        ["满意度指标", "服务对象满意度指标", "学生及家长满意度", "≥90%", "95%", 10, "100%", 10, "", ""],
    ]
    for (i, j), v in (change or {}).items():
        rows[i][CQ_HEADER.index(j)] = v
    return rows


def test_chongqing_clean_form(tmp_path):
    write(tmp_path / "a.xlsx", CQ_HEADER, cq_rows())
    r = run(tmp_path / "a.xlsx")
    assert r.sheets[0].kind == "project-form"
    assert errors(r) == [] and warnings(r) == [], r.findings
    rec = r.sheets[0].record
    assert [i.extra["core"].value for i in rec.indicators] == ["是", "否", "否", "是", ""]
    assert r.sheets[0].results["total_score"] == pytest.approx(89.3)


def test_chongqing_score_against_points_times_coefficient(tmp_path):
    refs = write(tmp_path / "a.xlsx", CQ_HEADER, cq_rows({(2, "得分"): 14.5}))
    r = run(tmp_path / "a.xlsx")
    assert (("PF017", refs[(2, "得分")])) in errors(r)
    f = next(f for f in r.findings if f.rule == "PF017")
    assert f.expected == pytest.approx(13.5) and "15 × 得分系数 0.9" in f.message


def test_chongqing_coefficient_out_of_range_or_not_a_number(tmp_path):
    refs = write(tmp_path / "a.xlsx", CQ_HEADER, cq_rows({(1, "得分系数"): 1.2}))
    assert ("PF017", refs[(1, "得分系数")]) in errors(run(tmp_path / "a.xlsx"))
    refs = write(tmp_path / "b.xlsx", CQ_HEADER, cq_rows({(1, "得分系数"): "高"}))
    assert ("PF017", refs[(1, "得分系数")]) in errors(run(tmp_path / "b.xlsx"))


def test_chongqing_core_flag(tmp_path):
    refs = write(tmp_path / "a.xlsx", CQ_HEADER, cq_rows({(0, "是否核心指标"): "重要"}))
    r = run(tmp_path / "a.xlsx")
    assert warnings(r) == [("PF018", refs[(0, "是否核心指标")])] and errors(r) == []


def test_chongqing_qualitative_band_still_checked(tmp_path):
    """部分达成 → 60–80% of 30 = 18–24: coefficient 0.9 and score 27 agree with each other but not with the band."""
    refs = write(tmp_path / "a.xlsx", CQ_HEADER, cq_rows({(3, "得分系数"): 0.9, (3, "得分"): 27}))
    assert errors(run(tmp_path / "a.xlsx")) == [("PF007", refs[(3, "得分")])]
