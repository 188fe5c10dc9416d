"""Building the 部门绩效自评结果公开汇总表 from a folder of project self-evaluation forms.

One row per project form (a workbook may hold several): 序号, 项目名称, 项目实施单位, 预算数（调整后）,
执行数, 结余数 (a formula with its value), 结余交回财政数 (left for the officer: the forms do not state
it), 自评得分, 自评结果应用意见 (worded from the grade and the execution rate with the profile's words),
a 备注 column that marks the forms where the check found errors, a 合计 row (exact sums; its 自评得分
is the mean of the projects' scores, the unit's overall score) and a note with the overall grade.

The table is written with the header labels the summary reader knows, so ``xltool check`` reads it
back with no error. ``compare`` reconciles it, cell by cell, with a table the officer already has.
Amounts are in the forms' unit when they all agree, else converted to 万元.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xltool import __version__, figures, status
from xltool.cells import col_letter
from xltool.errors import UnreadableFile
from xltool.findings import ERROR, WARNING
from xltool.numbers import decimals_of, normalise_text
from xltool.reconcile import normalise_name
from xltool.report.printing import page_setup, row_height
from xltool.report.safe import atomic_write, clean_text, has_marker

MARKER = "xltool-summary"
SHEET = "汇总表"
SOURCES_SHEET = "生成说明"
DIFF_SHEET = "与原表核对"
PROJECT_KIND = "project-form"
DEPARTMENT_KINDS = ("department-form", "weighted-form")
HEADER = ("序号", "项目名称", "项目实施单位", "预算数（调整后）", "执行数", "结余数", "结余交回财政数", "自评得分",
          "自评结果应用意见", "备注")
WIDTHS = (6, 30, 16, 13, 13, 12, 12, 9, 34, 40)  # 185: A4 landscape at about 78 % in Excel
SOURCES_WIDTHS = (6, 44, 20, 30, 50)
DIFF_HEADER = ("序号", "项目", "核对项", "原表单元格", "原表值", "按自评表汇总", "差额", "说明")
DIFF_WIDTHS = (6, 34, 12, 16, 14, 14, 12, 50)
MAX_DECIMALS = 6
# The full score of a self-evaluation form (分值 add up to 100, PF011). A recomputed total above it is no
# score: such a form is left out of the unit's mean (see ``_valid_score``).
MAX_SCORE = 100.0


@dataclass
class Project:
    source: str  # the form's file, as shown
    sheet: str
    name: str
    unit_name: str
    budget: float | None
    execution: float | None
    score: float | None
    stated_score: float | None
    rate: float | None
    grade: str | None
    opinion: str
    errors: int = 0
    warnings: int = 0
    remark: str = ""
    over_max: float | None = None  # the recomputed total when it is above MAX_SCORE (then ``score`` is None)


@dataclass
class Source:
    """What became of one input file (the 生成说明 sheet)."""

    path: str
    sheet: str
    outcome: str  # Chinese
    detail: str = ""


@dataclass
class Table:
    projects: list[Project]
    sources: list[Source]
    department: str
    year: int | None
    unit: str
    overall_score: float | None
    overall_grade: str | None
    budget_total: float
    execution_total: float
    refused: int = 0  # department-wide forms and other tables left out
    failed: int = 0

    @property
    def title(self) -> str:
        year = f"{self.year}年度" if self.year else ""
        return f"{self.department}{year}部门绩效自评结果公开汇总表" if self.department else f"{year}部门绩效自评结果公开汇总表"

    @property
    def marked(self) -> list[Project]:
        return [p for p in self.projects if p.errors]

    @property
    def over_max(self) -> list[Project]:
        """Projects whose recomputed total is above the full score: shown, not averaged."""
        return [p for p in self.projects if p.over_max is not None]


@dataclass
class Difference:
    project: str
    what: str  # 核对项, e.g. "预算数"
    cell: str | None  # where in the officer's table, e.g. "汇总表!D7"
    existing: Any
    built: Any
    note: str


# ------------------------------------------------------------------ building


def _unit_scale(unit: str | None, target: str) -> float:
    if unit == target or unit is None:
        return 1.0
    if unit == "元" and target == "万元":
        return 0.0001
    if unit == "万元" and target == "元":
        return 10000.0
    return 1.0


def _num(v) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def opinion_text(grade: str | None, rate: float | None, profile) -> str:
    """自评结果应用意见 from the grade and the execution rate, in the profile's words.

    A project whose execution rate is below the profile's ``low_execution_rate`` gets the
    adjustment wording ("调整优化支出结构…") rather than "继续推进此项目".
    """
    head = f"评价结果{grade}，" if grade else ""
    low = rate is not None and rate < profile.low_execution_rate
    if low:
        word = profile.adjust_words[0] if profile.adjust_words else "调整优化"
        template = getattr(profile, "opinion_adjust", None) or "{word}支出结构，加强预算与实际支出的测算精度，确保绩效目标如期保质实现。"
    else:
        word = profile.continue_words[0] if profile.continue_words else "继续推进"
        template = getattr(profile, "opinion_continue", None) or "{word}此项目。"
    return head + template.format(word=word)


def build(reports, profile) -> Table:
    """The summary table of the project forms among ``reports`` (in their order)."""
    rows: list[tuple[Any, Any]] = []  # (report, sheet report)
    sources: list[Source] = []
    refused = failed = 0
    for r in reports:
        key = status.key_of(r)  # the file's one status (xltool/status.py), as every surface shows it
        if key == status.FAILED:
            failed += 1
            sources.append(Source(r.path, "—", f"{status.WORD[key]}，未计入", r.error or ""))
            continue
        if key == status.UNRECOGNISED:  # read, but no self-evaluation table in it (or nothing at all in it)
            refused += 1
            sources.append(Source(r.path, "—", f"{status.WORD[key]}（未找到预算绩效自评表），未计入", r.error or ""))
            continue
        found = False
        blank = status.blank_sheets(r)
        for s in r.sheets:
            if s.kind == PROJECT_KIND and s.name in blank:  # 空表: no figures, its 0 is not a score
                found = True
                refused += 1
                sources.append(Source(r.path, s.name, f"{status.WORD[status.BLANK]}（尚未填写），未计入",
                                      "自评表没有填写资金数、得分和完成值，请退回补填。"))
            elif s.kind == PROJECT_KIND:
                rows.append((r, s))
                found = True
            elif s.kind in DEPARTMENT_KINDS:
                refused += 1
                sources.append(Source(r.path, s.name, "部门整体支出绩效自评表，未计入",
                                      "汇总表按项目逐行汇总，部门整体自评表请单独报送。"))
            elif s.kind != "unknown":
                refused += 1
                sources.append(Source(r.path, s.name, f"{s.title}，未计入", "不是项目支出绩效自评表。"))
        if not found and not any(s.kind != "unknown" for s in r.sheets):
            refused += 1
            sources.append(Source(r.path, "—", "未找到项目支出绩效自评表，未计入", ""))

    units = {s.results.get("unit") or "万元" for _, s in rows}
    unit = units.pop() if len(units) == 1 else "万元"
    bands = profile.bands("summary")
    projects: list[Project] = []
    departments: list[str] = []
    years: list[int] = []
    per_file: dict[int, int] = {}
    for r, _ in rows:
        per_file[id(r)] = per_file.get(id(r), 0) + 1
    for r, s in rows:
        res = s.results
        own = _own_findings(r, s.name, lone=per_file[id(r)] == 1)
        errors = sum(1 for f in own if f.severity == ERROR)
        warnings = sum(1 for f in own if f.severity == WARNING)
        scale = _unit_scale(res.get("unit") or "万元", unit)
        budget, execution = _num(res.get("budget")), _num(res.get("execution"))
        if budget is not None:
            budget = _round(budget * scale, decimals_of(budget) + (4 if scale < 1 else 0))
        if execution is not None:
            execution = _round(execution * scale, decimals_of(execution) + (4 if scale < 1 else 0))
        score, stated = _num(res.get("total_score")), _num(res.get("stated_total"))
        score, over_max = _valid_score(score)
        rate = res.get("execution_rate")
        if not isinstance(rate, (int, float)):
            rate = figures.rate_of(budget, execution) if budget else None
        grade = bands.grade(score) if score is not None else None
        name = (res.get("project_name") or "").strip() or Path(r.path).stem
        unit_name = (res.get("implementing_unit") or res.get("department") or "").strip()
        if res.get("department"):
            departments.append(res["department"].strip())
        if isinstance(res.get("year"), int):
            years.append(res["year"])
        p = Project(source=r.path, sheet=s.name, name=name, unit_name=unit_name, budget=budget, execution=execution,
                    score=score, stated_score=stated, rate=rate, grade=grade,
                    opinion=opinion_text(grade, rate, profile) if score is not None else "",
                    errors=errors, warnings=warnings, over_max=over_max)
        p.remark = _remark(p, own, res)
        projects.append(p)
        sources.append(Source(r.path, s.name, f"已汇总（第 {len(projects)} 项）",
                              "自评表有错误，已在备注中标出" if errors else ""))
    mean = figures.mean(p.score for p in projects)
    department = _most_common(departments)
    year = _most_common(years)
    return Table(
        projects=projects, sources=sources, department=department or "", year=year, unit=unit,
        overall_score=round(mean, 2) if mean is not None else None,
        overall_grade=bands.grade(round(mean, 2)) if mean is not None else None,
        budget_total=_round(sum(p.budget for p in projects if p.budget is not None), _decimals(p.budget for p in projects)),
        execution_total=_round(sum(p.execution for p in projects if p.execution is not None),
                               _decimals(p.execution for p in projects)),
        refused=refused, failed=failed,
    )


def _valid_score(score: float | None) -> tuple[float | None, float | None]:
    """(score to use, total above the maximum). A recomputed total above the form's full score (100) is
    not a score: the form's rows are wrong (a 分值 or 得分 typed wrong, PF011/PF005 on the form). It is
    left out of the unit's mean and the 自评得分 cell stays empty, with the reason in 备注 and in the
    notes. The form's stated 总分 is not used instead: it disagrees with the form's own rows (PF012),
    so it is not verified either, and a reviewer expects the unit's overall score to rest only on forms
    whose scores hold up; the form goes back to its unit for correction."""
    if score is not None and score > MAX_SCORE + 1e-9:
        return None, score
    return score, None


def _own_findings(report, sheet: str, *, lone: bool) -> list:
    """The errors and warnings of one form: those on its sheet (and those not tied to any sheet when it
    is the workbook's only form). Another sheet's findings are not this project's."""
    return [f for f in report.findings if f.severity in (ERROR, WARNING)
            and (f.sheet == sheet or (f.sheet is None and lone))]


def _remark(p: Project, own: list, res: dict) -> str:
    parts = []
    if own:
        counts = "、".join(f"{word} {n} 处" for word, n in (("错误", p.errors), ("提示", p.warnings)) if n)
        text = f"工作表“{p.sheet}”核查发现{counts}"
        first = next((f for f in own if f.severity == ERROR), own[0])
        message = first.message.strip()
        text += f"，如 {first.cell}：{message}" if first.cell else f"，如：{message}"
        parts.append(text)
    if p.over_max is not None:
        stated = f"，所填总分 {_fmt(p.stated_score)} 与各项得分不符" if p.stated_score is not None else ""
        parts.append(f"自评表按各项得分重算总分为 {_fmt(p.over_max)} 分，超过满分 {_fmt(MAX_SCORE)} 分，不是有效得分{stated}；"
                     "本表未填自评得分，也未计入单位整体自评得分，请退回自评表更正")
    elif p.stated_score is not None and p.score is not None and abs(p.stated_score - p.score) > 1e-6:
        parts.append(f"自评表所填总分 {_fmt(p.stated_score)}，按各项得分重算为 {_fmt(p.score)}，本表取重算值")
    if p.budget is None or p.execution is None:
        parts.append("自评表缺少预算数或执行数")
    if p.score is None and p.over_max is None:
        parts.append("自评表缺少总分")
    if not res.get("project_name"):
        parts.append("自评表未填项目名称，暂以文件名代替")
    return "；".join(part.rstrip("。；，") for part in parts) + ("。" if parts else "")


def _most_common(values):
    if not values:
        return None
    counts: dict = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return max(counts, key=lambda v: (counts[v], -values.index(v)))


def _decimals(values) -> int:
    return min(MAX_DECIMALS, max([2] + [decimals_of(v) for v in values if v is not None]))


def _round(v: float, d: int) -> float:
    return round(v, min(MAX_DECIMALS, max(0, d)))


def _fmt(v: float) -> str:
    text = f"{v:.6f}".rstrip("0").rstrip(".")
    return text or "0"


# ------------------------------------------------------------------ writing


def written_by_us(path: Path) -> bool:
    return has_marker(path, MARKER)


def write(table: Table, target: Path, profile, differences: list[Difference] | None = None,
          against: str | None = None) -> Path:
    """Write the summary workbook (atomically); returns the path written.

    Refuses to replace a file this tool did not write. A table of ours that a person has saved since
    (its seal is gone: ``report.safe.sealed``, the rule of the check copies, ``engine.choose_target``) is
    never replaced either: the table goes to ``汇总表 (2).xlsx`` … instead (see ``edited_elsewhere``)."""
    if target.exists() and not written_by_us(target):
        raise UnreadableFile(f"输出文件“{target.name}”已存在，且不是本工具生成的汇总表；为避免覆盖，未写入。"
                             "请换一个文件名（-o），或先移走该文件。")
    path = unedited_target(target)
    atomic_write(path, lambda tmp: _write(tmp, table, profile, differences, against))
    return path


def unedited_target(target: Path) -> Path:
    """``target``, or when it is a table of ours saved since by a person, ``X (2).xlsx``, (3) … — the first
    name that is free or an unedited table of ours."""
    from xltool.report.safe import sealed

    candidate, n = target, 1
    while candidate.exists() and not (written_by_us(candidate) and sealed(candidate)) and n < 1000:
        n += 1  # an edited table of ours, or someone else's file under the next name: leave it
        candidate = target.with_name(f"{target.stem} ({n}){target.suffix}")
    return candidate


def edited_elsewhere(target: Path, written: Path) -> str:
    """The remark when the table went to another name because ``target`` was edited since we wrote it."""
    return (f"汇总表“{target.name}”在本工具生成后又被修改并保存过（可能有人在其中改正或补填了数据），为保留这些修改，"
            f"未覆盖它；本次汇总表另存为“{written.name}”。")


def _write(tmp: Path, t: Table, profile, differences, against) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_numbers": False,
                                        "strings_to_urls": False, "nan_inf_to_errors": True})
    try:
        wb.set_custom_property(MARKER, __version__)
        wb.set_properties({"title": t.title, "comments": "由 xltool summarize 根据项目支出绩效自评表生成"})
        f = _formats(wb)
        _summary_sheet(wb, f, t, profile)
        _sources_sheet(wb, f, t)
        if differences is not None:
            _diff_sheet(wb, f, differences, against)
    finally:
        wb.close()


def _summary_sheet(wb, f, t: Table, profile) -> None:
    ws = wb.add_worksheet(SHEET)
    last = len(HEADER) - 1
    ws.merge_range(0, 0, 0, last, "", f["title"])
    ws.write_string(0, 0, clean_text(t.title), f["title"])
    ws.merge_range(1, 0, 1, last, "", f["left"])
    ws.write_string(1, 0, clean_text(f"主管部门：{t.department}" if t.department else "主管部门："), f["left"])
    ws.merge_range(2, 0, 2, last, "", f["left"])
    ws.write_string(2, 0, f"单位：{t.unit}", f["left"])
    for c, h in enumerate(HEADER):
        ws.write_string(3, c, h, f["head"])
    ws.set_row(3, 30)
    first = 4
    r = first - 1
    for n, p in enumerate(t.projects, start=1):
        r = first + n - 1
        marked = bool(p.errors)
        ws.write_number(r, 0, n, f["center"])
        ws.write_string(r, 1, clean_text(p.name), f["name_marked"] if marked else f["text"])
        ws.write_string(r, 2, clean_text(p.unit_name), f["text"])
        _amount(ws, f, r, 3, p.budget)
        _amount(ws, f, r, 4, p.execution)
        if p.budget is not None and p.execution is not None:
            d = min(MAX_DECIMALS, max(decimals_of(p.budget), decimals_of(p.execution)))
            ws.write_formula(r, 5, f"={col_letter(3)}{r + 1}-{col_letter(4)}{r + 1}", f["amount"], _round(p.budget - p.execution, d))
        else:
            ws.write_blank(r, 5, None, f["amount"])
        ws.write_blank(r, 6, None, f["amount"])
        if p.score is not None:
            ws.write_number(r, 7, p.score, f["score"])
        else:
            ws.write_blank(r, 7, None, f["score"])
        ws.write_string(r, 8, clean_text(p.opinion), f["text"])
        ws.write_string(r, 9, clean_text(p.remark), f["remark_marked"] if marked else f["text"])
        ws.set_row(r, row_height([(clean_text(p.name), WIDTHS[1]), (clean_text(p.unit_name), WIDTHS[2]),
                                  (clean_text(p.opinion), WIDTHS[8]), (clean_text(p.remark), WIDTHS[9])]))
    total = r + 1
    rng = (first + 1, total)  # 1-based rows of the projects
    ws.write_blank(total, 0, None, f["head"])
    ws.write_string(total, 1, "合计", f["head"])
    ws.write_blank(total, 2, None, f["head"])
    if t.projects:
        bd = _decimals(p.budget for p in t.projects)
        ed = _decimals(p.execution for p in t.projects)
        ws.write_formula(total, 3, f"=SUM(D{rng[0]}:D{rng[1]})", f["amount_total"], t.budget_total)
        ws.write_formula(total, 4, f"=SUM(E{rng[0]}:E{rng[1]})", f["amount_total"], t.execution_total)
        balances = [_round(p.budget - p.execution, min(MAX_DECIMALS, max(decimals_of(p.budget), decimals_of(p.execution))))
                    for p in t.projects if p.budget is not None and p.execution is not None]
        ws.write_formula(total, 5, f"=SUM(F{rng[0]}:F{rng[1]})", f["amount_total"],
                         _round(sum(balances), max(bd, ed)))
        if t.overall_score is not None:
            ws.write_formula(total, 7, f"=ROUND(AVERAGE(H{rng[0]}:H{rng[1]}),2)", f["score_total"], t.overall_score)
        else:
            ws.write_blank(total, 7, None, f["score_total"])
    else:
        for c in (3, 4, 5, 7):
            ws.write_blank(total, c, None, f["amount_total"])
    ws.write_blank(total, 6, None, f["amount_total"])
    ws.write_string(total, 8, f"单位整体评价等级：{t.overall_grade}" if t.overall_grade else "", f["head_left"])
    ws.write_blank(total, 9, None, f["head"])

    notes = []
    if t.overall_score is not None:
        notes.append(f"合计行的自评得分为各项目自评得分的平均值，即单位整体自评得分 {t.overall_score:.2f} 分，"
                     f"评价等级为“{t.overall_grade}”（{profile.bands('summary').describe()}）。")
    else:
        notes.append("没有可汇总的项目得分，未计算单位整体自评得分。")
    if t.over_max:
        names = "、".join(f"“{p.name}”（{_fmt(p.over_max)} 分）" for p in t.over_max[:5]) + ("等" if len(t.over_max) > 5 else "")
        notes.append(f"{names}的自评表按各项得分重算的总分超过满分 {_fmt(MAX_SCORE)} 分，不是有效得分，"
                     f"未填入自评得分，也未计入平均分（单位整体自评得分按其余 {len(t.projects) - len(t.over_max)} 个项目计算）；"
                     "请退回自评表更正。")
    notes.append(f"本表由 xltool 根据 {len(t.projects)} 份项目支出绩效自评表生成；项目名称标为红色的，"
                 "其自评表经核查发现错误，详见备注。")
    notes.append("结余数 = 预算数 － 执行数；结余交回财政数自评表中没有，请据实填写。")
    if t.refused or t.failed:
        notes.append(f"另有 {t.refused + t.failed} 个文件或工作表未计入，见“{SOURCES_SHEET}”工作表。")
    notes = [("注：" if n == 1 else "") + f"{n}. {text}" for n, text in enumerate(notes, start=1)]
    row = total + 2
    for text in notes:
        ws.merge_range(row, 0, row, last, "", f["note"])
        ws.write_string(row, 0, clean_text(text), f["note"])
        ws.set_row(row, row_height([(clean_text(text), sum(WIDTHS))]))
        row += 1
    for c, w in enumerate(WIDTHS):
        ws.set_column(c, c, w)
    ws.freeze_panes(first, 2)
    page_setup(ws, landscape=True, repeat=3)
    ws.activate()


def _amount(ws, f, r: int, c: int, v: float | None) -> None:
    if v is None:
        ws.write_blank(r, c, None, f["amount"])
    else:
        ws.write_number(r, c, v, f["amount"])


def _sources_sheet(wb, f, t: Table) -> None:
    ws = wb.add_worksheet(SOURCES_SHEET)
    for c, h in enumerate(("序号", "文件", "工作表", "处理", "说明")):
        ws.write_string(0, c, h, f["head"])
    for n, s in enumerate(t.sources, start=1):
        texts = [clean_text(v) for v in (s.path, s.sheet, s.outcome, s.detail)]
        ws.write_number(n, 0, n, f["center"])
        for c, text in enumerate(texts, start=1):
            ws.write_string(n, c, text, f["text"])
        ws.set_row(n, row_height(list(zip(texts, SOURCES_WIDTHS[1:]))))
    for c, w in enumerate(SOURCES_WIDTHS):
        ws.set_column(c, c, w)
    ws.freeze_panes(1, 0)
    page_setup(ws, landscape=True, repeat=0)


def _diff_sheet(wb, f, diffs: list[Difference], against: str | None) -> None:
    ws = wb.add_worksheet(DIFF_SHEET)
    last = len(DIFF_HEADER) - 1
    heading = clean_text(f"与原表“{against or ''}”逐格核对：共 {len(diffs)} 处不同。")
    ws.merge_range(0, 0, 0, last, "", f["note"])
    ws.write_string(0, 0, heading, f["note"])
    ws.set_row(0, row_height([(heading, sum(DIFF_WIDTHS))]))
    for c, h in enumerate(DIFF_HEADER):
        ws.write_string(1, c, h, f["head"])
    for n, d in enumerate(diffs, start=1):
        r = n + 1
        texts = {1: clean_text(d.project), 2: d.what, 3: d.cell or "—", 7: clean_text(d.note)}
        ws.write_number(r, 0, n, f["center"])
        for c in (1, 2, 3):
            ws.write_string(r, c, texts[c], f["text"])
        for c, v in ((4, d.existing), (5, d.built)):
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                ws.write_number(r, c, v, f["plain_num"])
            else:
                texts[c] = clean_text("" if v is None else str(v))
                ws.write_string(r, c, texts[c], f["text"])
        if isinstance(d.existing, (int, float)) and isinstance(d.built, (int, float)) \
                and not isinstance(d.existing, bool) and not isinstance(d.built, bool):
            ws.write_number(r, 6, round(d.existing - d.built, MAX_DECIMALS), f["plain_num"])
        else:
            ws.write_string(r, 6, "", f["text"])
        ws.write_string(r, 7, texts[7], f["text"])
        ws.set_row(r, row_height([(text, DIFF_WIDTHS[c]) for c, text in texts.items()]))
    if not diffs:
        ws.write_string(2, 0, "两表一致，未发现不同。", f["left"])
    for c, w in enumerate(DIFF_WIDTHS):
        ws.set_column(c, c, w)
    ws.freeze_panes(2, 0)
    page_setup(ws, landscape=True, repeat=1)


def _formats(wb) -> dict:
    base = {"font_name": "宋体", "font_size": 11, "valign": "vcenter"}
    box = {"border": 1}

    def fmt(**kw):
        return wb.add_format({**base, **kw})

    return {
        "title": fmt(bold=True, font_size=16, align="center"),
        "left": fmt(align="left"),
        "note": fmt(align="left", text_wrap=True),
        "head": fmt(bold=True, align="center", text_wrap=True, **box),
        "head_left": fmt(bold=True, align="left", text_wrap=True, **box),
        "center": fmt(align="center", **box),
        "text": fmt(text_wrap=True, **box),
        "name_marked": fmt(text_wrap=True, bg_color="#FFC7CE", **box),
        "remark_marked": fmt(text_wrap=True, font_color="#9C0006", **box),
        "amount": fmt(num_format="#,##0.00####", align="right", **box),
        "amount_total": fmt(num_format="#,##0.00####", align="right", bold=True, **box),
        "score": fmt(num_format="0.##", align="center", **box),
        "score_total": fmt(num_format="0.00", align="center", bold=True, **box),
        "plain_num": fmt(num_format="0.######", **box),
    }


# ------------------------------------------------------------------ reconciling with an existing table


def compare(table: Table, existing_report, profile) -> list[Difference]:
    """Differences, cell by cell, between the built table and the summary in ``existing_report``."""
    from xltool.precision import amount_ok, score_ok

    sheet = next((s for s in existing_report.sheets if s.kind == "summary" and s.record is not None), None)
    if sheet is None:
        raise UnreadableFile("原表中没有找到部门绩效自评结果公开汇总表，无法核对。")
    old = sheet.record
    scale = _unit_scale(table.unit, old.unit)  # built value × scale = the old table's unit
    tol = profile.tolerance
    out: list[Difference] = []
    by_name: dict[str, list[Project]] = {}
    for p in table.projects:
        by_name.setdefault(normalise_name(p.name), []).append(p)
    seen: set[int] = set()

    def where(cell) -> str:
        return f"{old.sheet}!{cell.a1}"

    for row in old.rows:
        key = normalise_name(row.name.value)
        hits = [p for p in by_name.get(key, []) if id(p) not in seen]
        if not hits:
            out.append(Difference(row.name.value or "（无名称）", "项目", where(row.name.cell), row.name.value, None,
                                  "原表有此项目，文件夹中没有对应的项目支出绩效自评表。"))
            continue
        p = hits[0]
        seen.add(id(p))
        name = p.name
        pairs = [("预算数", row.budget, p.budget), ("执行数", row.execution, p.execution)]
        if row.balance is not None and p.budget is not None and p.execution is not None:
            pairs.append(("结余数", row.balance, p.budget - p.execution))
        for what, num, built in pairs:
            if built is None or num is None:
                continue
            b = built * scale
            if num.value is None:
                out.append(Difference(name, what, where(num.cell), None, _round(b, MAX_DECIMALS), "原表未填写。"))
            elif not amount_ok(num.value, num.decimals, b, tol):
                out.append(Difference(name, what, where(num.cell), num.value, _round(b, MAX_DECIMALS),
                                      f"原表与自评表不一致（单位：{old.unit}）。"))
        if row.score is not None and p.over_max is not None:
            out.append(Difference(name, "自评得分", where(row.score.cell), row.score.value, None,
                                  f"自评表按各项得分重算总分为 {_fmt(p.over_max)} 分，超过满分 {_fmt(MAX_SCORE)} 分，"
                                  "不是有效得分，未计入汇总；请核实原表此项得分的来源。"))
        elif row.score is not None and p.score is not None:
            if row.score.value is None:
                out.append(Difference(name, "自评得分", where(row.score.cell), None, p.score, "原表未填写。"))
            elif not score_ok(row.score.value, row.score.decimals, p.score, tol):
                out.append(Difference(name, "自评得分", where(row.score.cell), row.score.value, p.score,
                                      "原表与自评表（重算总分）不一致。"))
        if row.impl is not None and p.unit_name and normalise_text(row.impl.value) != normalise_text(p.unit_name):
            out.append(Difference(name, "实施单位", where(row.impl.cell), row.impl.value, p.unit_name, "名称不同。"))
        if row.grade is not None and row.grade.value and p.grade and p.grade not in row.grade.value:
            out.append(Difference(name, "评价等级", where(row.grade.cell), row.grade.value, p.grade,
                                  "按自评表得分，等级应不同。"))
        if row.opinion is not None and row.opinion.value and p.opinion:
            words = [w for w in profile.bands("summary").words if w in row.opinion.value]
            old_adjust = any(w in row.opinion.value for w in profile.adjust_words)
            new_adjust = any(w in p.opinion for w in profile.adjust_words)
            if (words and p.grade not in words) or old_adjust != new_adjust:
                out.append(Difference(name, "应用意见", where(row.opinion.cell), row.opinion.value, p.opinion,
                                      "等级或处理意见（继续推进 / 调整优化）不同。"))
    for p in table.projects:
        if id(p) not in seen:
            out.append(Difference(p.name, "项目", None, None, p.name,
                                  f"文件夹中有此项目的自评表（{Path(p.source).name}），原表没有这一行。"))
    if old.total is not None:
        tot = old.total
        for what, num, built in (("合计预算数", tot.budget, table.budget_total),
                                 ("合计执行数", tot.execution, table.execution_total)):
            if num is None or num.value is None:
                continue
            b = built * scale
            if not amount_ok(num.value, num.decimals, b, tol):
                out.append(Difference("合计", what, where(num.cell), num.value, _round(b, MAX_DECIMALS),
                                      f"原表合计与自评表汇总不一致（单位：{old.unit}）。"))
    return out
