"""部门整体支出绩效自评表 — the unit-wide form in the national points layout (DOMAIN.md §1 C)."""

from __future__ import annotations

from xltool.template import points_form
from xltool.template.base import Layout

KIND = "department-form"
TITLE = "部门整体支出绩效自评表"
DESCRIPTION = "部门整体支出绩效自评表（百分制）：自动计算资金总额、执行率、执行率得分、总分和评价等级"
FILE_NAME = "部门整体支出绩效自评表.xlsx"

SPEC = points_form.FormSpec(
    kind=KIND,
    title=TITLE,
    sheet=TITLE,
    name_label="部门（单位）名称",
    fund_label="部门资金（万元）",
    fund_parts=("其中：基本支出", "项目支出"),
    goal_hint="照抄本部门（单位）批复的年度整体绩效目标。",
)


def build(wb, st, profile, *, year=None, unit=None, data=None) -> Layout:
    return points_form.build(SPEC, wb, st, profile, year=year, unit=unit, data=data)
