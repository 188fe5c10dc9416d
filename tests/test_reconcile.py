"""Reconciliation: a summary table and project forms checked in one run are compared project by
project; each mismatch is a finding in both workbooks."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from builders import summary_row, write_summary
from xltool import profiles
from xltool.engine import check_file, write_output
from xltool.reconcile import normalise_name, reconcile

ROOT = Path(__file__).resolve().parents[1]
FORM = ROOT / "samples" / "2023年度项目支出绩效自评表（示例）.xlsx"  # 2023年镇级铜冶镇教育经费: 1338 / 1311.752 / 99.6


@pytest.mark.parametrize("a,b", [
    ("2023年镇级铜冶镇教育经费", "镇级铜冶镇教育经费"),
    ("2023 年 镇级（铜冶镇）教育经费", "2023年镇级(铜冶镇)教育经费"),
    ("２０２３年度镇级教育经费", "镇级教育经费"),
])
def test_names_are_normalised(a, b):
    assert normalise_name(a) == normalise_name(b)


def _run(paths):
    prof = profiles.load()
    reports = [check_file(p, prof, write=False) for p in paths]
    reconcile(reports, prof)
    return reports


def test_mismatches_are_reported_in_both_workbooks(tmp_path):
    rows = [summary_row(1, "2023 年镇级铜冶镇教育经费", 1338, 1311.75, 96, balance=26.25),
            summary_row(2, "2023年镇级防汛工作经费", 50, 45.999477, 97)]
    summary = write_summary(tmp_path / "汇总表.xlsx", rows)
    form = shutil.copy(FORM, tmp_path / "教育经费.xlsx")
    s, f = _run([summary, form])
    s_rec = sorted((x.rule, x.cell) for x in s.findings if x.rule.startswith("REC"))
    f_rec = sorted((x.rule, x.cell) for x in f.findings if x.rule.startswith("REC"))
    assert s_rec == [("REC003", "I5"), ("REC005", "B6")]  # score 96 vs 99.6; 防汛 has no form
    assert [r for r, _ in f_rec] == ["REC003"]
    msg = next(x for x in s.findings if x.rule == "REC003").message
    assert "99.6" in msg and "教育经费.xlsx" in msg
    # 1311.75 (2 decimals) vs 1311.752: equal at the coarser precision, no REC002
    assert not any(x.rule == "REC002" for x in s.findings + f.findings)
    # written copies carry the cross-file findings
    write_output(summary, s, profiles.load(), out_dir=tmp_path / "out")
    ws = openpyxl.load_workbook(s.output)["汇总表"]
    assert "99.6" in ws["I5"].comment.text


def test_amounts_compared_across_units(tmp_path):
    header = ["序号", "项目名称", "预算数（元）", "执行数（元）", "自评得分"]
    summary = write_summary(tmp_path / "s.xlsx", [[1, "2023年镇级铜冶镇教育经费", 13380000, 13100000, 99.6]],
                            header=header, unit_line="金额单位：元")
    form = shutil.copy(FORM, tmp_path / "f.xlsx")
    s, f = _run([summary, form])
    assert sorted(x.rule for x in s.findings if x.rule.startswith("REC")) == ["REC002"]
    assert sorted(x.rule for x in f.findings if x.rule.startswith("REC")) == ["REC002"]


@pytest.mark.skipif(not FORM.exists(), reason="sample not built")
def test_budget_mismatch_rec001(tmp_path):
    """汇总表 1383 against the form's 全年预算数 1338: REC001 in both workbooks, at the two budget cells."""
    rows = [summary_row(1, "2023年镇级铜冶镇教育经费", 1383, 1311.752, 99.6)]
    summary = write_summary(tmp_path / "s.xlsx", rows)
    form = shutil.copy(FORM, tmp_path / "f.xlsx")
    s, f = _run([summary, form])
    assert [(x.rule, x.cell) for x in s.findings if x.rule.startswith("REC")] == [("REC001", "D5")]
    rec = [x for x in f.findings if x.rule.startswith("REC")]
    assert [x.rule for x in rec] == ["REC001"] and rec[0].expected == 1383 and rec[0].found == 1338
    # the same budget: no REC001
    s, f = _run([write_summary(tmp_path / "ok.xlsx", [summary_row(1, "2023年镇级铜冶镇教育经费", 1338, 1311.752, 99.6)]),
                 form])
    assert not any(x.rule.startswith("REC") for x in s.findings + f.findings)


def test_form_without_a_summary_row(tmp_path):
    summary = write_summary(tmp_path / "s.xlsx", [summary_row(1, "别的项目", 10, 10, 90)])
    form = shutil.copy(FORM, tmp_path / "f.xlsx")
    s, f = _run([summary, form])
    assert [x.rule for x in f.findings if x.rule.startswith("REC")] == ["REC004"]
    assert [x.rule for x in s.findings if x.rule.startswith("REC")] == ["REC005"]


def test_nothing_to_reconcile_without_both_kinds(tmp_path):
    form = shutil.copy(FORM, tmp_path / "f.xlsx")
    (f,) = _run([form])
    assert not any(x.rule.startswith("REC") for x in f.findings)
