"""项目支出绩效自评表 — the national project form (财预〔2020〕10号 attachment, DOMAIN.md §1 B)."""

from __future__ import annotations

from xltool.template import points_form
from xltool.template.base import Layout

KIND = "project-form"
TITLE = "项目支出绩效自评表"
DESCRIPTION = "项目支出绩效自评表（财预〔2020〕10号）：自动计算资金总额、执行率、执行率得分、总分和评价等级"
FILE_NAME = "项目支出绩效自评表.xlsx"

SPEC = points_form.FormSpec(
    kind=KIND,
    title=TITLE,
    sheet=TITLE,
    name_label="项目名称",
    fund_label="项目资金（万元）",
    fund_parts=("其中：当年财政拨款", "上年结转资金", "其他资金"),
    goal_hint="照抄该项目批复的年度绩效目标。",
)


def build(wb, st, profile, *, year=None, unit=None, data=None) -> Layout:
    return points_form.build(SPEC, wb, st, profile, year=year, unit=unit, data=data)
