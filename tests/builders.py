"""Small builders for test workbooks (real .xlsx files written with openpyxl)."""

from __future__ import annotations

from pathlib import Path

import openpyxl

SUMMARY_HEADER = ["序号", "项目名称", "项目实施单位", "预算数（调整后）", "执行数", "执行率", "结余数", "结余交回财政数",
                  "自评得分", "评价等级", "自评结果应用意见"]


def summary_row(i, name, budget, execution, score, *, rate="auto", balance="auto", returned=0, grade="auto",
                opinion="auto"):
    """A correct row unless a value is given explicitly."""
    if rate == "auto":
        rate = round(execution / budget, 4) if budget else 0
    if balance == "auto":
        balance = round(budget - execution, 6)
    if grade == "auto":
        grade = "优秀" if score >= 85 else "良好" if score >= 75 else "一般" if score >= 60 else "较差"
    if opinion == "auto":
        opinion = f"评价结果{grade}，继续推进此项目。"
    return [i, name, "某镇人民政府", budget, execution, rate, balance, returned, score, grade, opinion]


def clean_rows():
    return [
        summary_row(1, "2023年镇级教育经费", 1338, 1311.752, 96),
        summary_row(2, "2023年镇级防汛工作经费", 50, 45.999477, 97),
        summary_row(3, "2023年镇级绿化管护项目", 196, 195.9402, 100),
        summary_row(4, "2023年镇级固定资产购置费", 100, 80, 84),
    ]


def write_summary(path: Path, rows, *, header=None, title="部门绩效自评结果公开汇总表", unit_line="单位：万元",
                  total: list | None = None, sheet="汇总表", blank_rows_before=0) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for _ in range(blank_rows_before):
        ws.append([])
    if title:
        ws.append([title])
    ws.append(["主管部门：某镇人民政府"])
    if unit_line:
        ws.append([unit_line])
    ws.append(header or SUMMARY_HEADER)
    for r in rows:
        ws.append(r)
    if total is not None:
        ws.append(total)
    wb.save(path)
    return path


def total_row(rows, **override):
    """A correct 合计 row for rows shaped like ``summary_row``."""
    b = sum(r[3] for r in rows)
    e = sum(r[4] for r in rows)
    row = ["", "合计", "", round(b, 6), round(e, 6), round(e / b, 4), round(b - e, 6), sum(r[7] for r in rows), "", "", ""]
    idx = {"budget": 3, "execution": 4, "rate": 5, "balance": 6, "returned": 7}
    for k, v in override.items():
        row[idx[k]] = v
    return row
