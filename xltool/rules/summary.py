"""Rules for the project summary table (部门绩效自评结果公开汇总表)."""

from __future__ import annotations

from collections import Counter

from xltool.findings import WARNING, Issue
from xltool.kinds.common import label, years_in
from xltool.kinds.summary import SummaryRow, SummaryTable, rate_of
from xltool.grades import written_grade
from xltool.precision import amount_ok, fmt, pct, rate_ok, score_ok
from xltool.rules import rule

KIND = "summary"


def _has(n) -> bool:
    return n is not None and n.value is not None


def _amt_decimals(ctx, *nums) -> int:
    return max([ctx.profile.tolerance.amount_decimals] + [n.decimals for n in nums if n is not None])


@rule("SUM001", KIND, "执行率与预算数、执行数不符")
def execution_rate(t: SummaryTable, ctx):
    """执行率 = 执行数 ÷ 预算数（调整后），按表中写出的小数位核对。

    为什么：执行率是评价预算执行的核心指标，手算或复制粘贴常出错。
    例：预算数 1338、执行数 1311.752，执行率应为 98.04%；写 98% 属四舍五入，写 90% 为错误。
    """
    for row in t.rows:  # the 合计 row is checked against the items' sums by SUM009
        if not (_has(row.rate) and _has(row.budget) and _has(row.execution)):
            continue
        exp = rate_of(row.budget.value, row.execution.value, ctx.profile.zero_budget_rate)
        if exp is None:
            continue
        if not rate_ok(row.rate.value, row.rate.decimals, exp, ctx.profile.tolerance):
            yield Issue(row.rate.cell,
                        f"执行率应为 {pct(exp)}（执行数 {fmt(row.execution.value, 6)} ÷ 预算数 {fmt(row.budget.value, 6)}），"
                        f"表中为 {pct(row.rate.value, 4)}。", round(exp, 4), row.rate.value)


@rule("SUM002", KIND, "结余数与预算数、执行数不符")
def balance(t: SummaryTable, ctx):
    """结余数 = 预算数 − 执行数，须精确到金额单位的 0.01（万元或元）。

    为什么：结余数决定应交回财政的资金，填成 0 或算错会掩盖未用完的预算。
    例：预算数 1338、执行数 1311.752，结余数应为 26.25（26.248）；写 0 为错误。
    """
    for row in t.rows:  # the 合计 row is checked against the items' sums by SUM009
        if row.balance is None or not (_has(row.budget) and _has(row.execution)):
            continue
        exp = row.budget.value - row.execution.value
        if row.balance.value is None:
            if row.balance.state == "empty" and abs(exp) >= 0.005:
                d = _amt_decimals(ctx, row.budget, row.execution)
                yield Issue(row.balance.cell,
                            f"结余数未填写，应为 {fmt(exp, d)}（预算数 {fmt(row.budget.value, 6)} − 执行数 {fmt(row.execution.value, 6)}）。",
                            round(exp, d), None)
            continue
        if not amount_ok(row.balance.value, row.balance.decimals, exp, ctx.profile.tolerance):
            d = _amt_decimals(ctx, row.balance)
            yield Issue(row.balance.cell,
                        f"结余数应为 {fmt(exp, d)}（预算数 {fmt(row.budget.value, 6)} − 执行数 {fmt(row.execution.value, 6)}），"
                        f"表中为 {fmt(row.balance.value, 6)}。", round(exp, d), row.balance.value)


@rule("SUM003", KIND, "结余交回财政数超出范围")
def returned(t: SummaryTable, ctx):
    """结余交回财政数应在 0 与结余数之间。

    为什么：交回财政的只能是结余的钱，交回数大于结余数或为负数都说明填错了。
    例：结余数 26.25，结余交回财政数写 30 → 错误，最多为 26.25。
    """
    for row in _all_rows(t):
        if not _has(row.returned) or not (_has(row.budget) and _has(row.execution)):
            continue
        bal = max(row.budget.value - row.execution.value, 0.0)
        v = row.returned.value
        tol = 0.5 * 10 ** -_amt_decimals(ctx, row.returned)
        if v < -tol:
            yield Issue(row.returned.cell, f"结余交回财政数不能为负数，表中为 {fmt(v, 6)}。", 0, v)
        elif v > bal + tol:
            yield Issue(row.returned.cell,
                        f"结余交回财政数 {fmt(v, 6)} 超过结余数 {fmt(bal, 6)}（预算数 {fmt(row.budget.value, 6)} − "
                        f"执行数 {fmt(row.execution.value, 6)}），应在 0 到 {fmt(bal, 6)} 之间。", round(bal, 6), v)


@rule("SUM004", KIND, "执行数超过预算数")
def overspend(t: SummaryTable, ctx):
    """执行数超过预算数（调整后）：执行率大于 100%。

    为什么：超出调整后预算的支出不合规，预算管理系统保存时也会拒绝执行率超过 100% 的数据。
    例：预算数 100、执行数 105 → 错误：执行率 105%，超出预算 5。
    """
    for row in t.rows:
        if not (_has(row.budget) and _has(row.execution)):
            continue
        over = row.execution.value - row.budget.value
        if over > 0.5 * 10 ** -_amt_decimals(ctx, row.budget, row.execution):
            rate = rate_of(row.budget.value, row.execution.value)
            rate_txt = f"执行率 {pct(rate)}，" if rate is not None else ""
            yield Issue(row.execution.cell,
                        f"执行数 {fmt(row.execution.value, 6)} 超过预算数 {fmt(row.budget.value, 6)}（{rate_txt}超出 "
                        f"{fmt(over, 6)}），请核实是否超预算支出或预算数未按调整后填写。", row.budget.value, row.execution.value)


@rule("SUM005", KIND, "自评得分超出 0–100")
def score_range(t: SummaryTable, ctx):
    """自评得分应在 0 到 100 之间。

    为什么：自评满分为 100 分，超出范围的得分一定是填错了。
    例：自评得分 102 → 错误。
    """
    for row in t.rows:
        if _has(row.score) and not (-1e-9 <= row.score.value <= 100 + 1e-9):
            yield Issue(row.score.cell, f"自评得分应在 0–100 之间，表中为 {fmt(row.score.value, 6)}。", None, row.score.value)


@rule("SUM006", KIND, "评价等级与得分不符")
def grade(t: SummaryTable, ctx):
    """评价等级应与自评得分所在的分档一致（分档取自地区配置）。

    为什么：等级是按分数段确定的，改了分数忘改等级是常见疏漏。
    例：得分 84、等级写“优秀”；按 优秀 ≥ 85、良好 75–85 应为“良好”。
    """
    bands = ctx.profile.bands("summary")
    for row in t.rows:
        if row.grade is None or not row.grade.value or not _has(row.score):
            continue
        exp = bands.grade(row.score.value)
        written = written_grade(row.grade.value, bands.words)
        if written != exp:
            yield Issue(row.grade.cell, f"得分 {fmt(row.score.value, 2)} 对应的等级应为“{exp}”（{bands.describe()}），"
                                        f"表中为“{row.grade.value}”。", exp, row.grade.value)


@rule("SUM007", KIND, "应用意见中的等级与得分不符")
def opinion_grade(t: SummaryTable, ctx):
    """自评结果应用意见中写到的等级（如“评价结果优秀”）应与自评得分的等级一致。

    为什么：意见是对外公开的文字，与分数矛盾会引起质疑。
    例：得分 84 的项目意见写“评价结果优秀，继续推进此项目” → 应为“良好”。
    """
    bands = ctx.profile.bands("summary")
    for row in t.rows:
        if row.opinion is None or not row.opinion.value or not _has(row.score):
            continue
        words = [w for w in bands.words if w in row.opinion.value]
        if not words:
            continue
        exp = bands.grade(row.score.value)
        if exp not in words:
            yield Issue(row.opinion.cell, f"应用意见写的是“{words[0]}”，但得分 {fmt(row.score.value, 2)} 对应“{exp}”"
                                          f"（{bands.describe()}）。", exp, words[0])


@rule("SUM008", KIND, "执行率偏低却写“继续推进”", WARNING)
def opinion_low_execution(t: SummaryTable, ctx):
    """执行率低于配置的阈值（默认 60%）的项目，应用意见不宜写“继续推进此项目”。

    为什么：执行率低说明预算安排与实际需要脱节，通常应“调整优化支出结构”。
    例：预算数 12、执行数 0，意见写“继续推进此项目” → 提示。
    """
    p = ctx.profile
    for row in t.rows:
        if row.opinion is None or not row.opinion.value or not (_has(row.budget) and _has(row.execution)):
            continue
        rate = rate_of(row.budget.value, row.execution.value, p.zero_budget_rate)
        if rate is None or rate >= p.low_execution_rate:
            continue
        text = row.opinion.value
        if any(w in text for w in p.continue_words) and not any(w in text for w in p.adjust_words):
            yield Issue(row.opinion.cell, f"执行率仅 {pct(rate)}（低于 {pct(p.low_execution_rate, 0)}），应用意见却写“继续推进”；"
                                          "建议改为“调整优化支出结构”等意见。", None, text)


@rule("SUM009", KIND, "合计行与各项之和不符")
def totals(t: SummaryTable, ctx):
    """合计/总计行的金额应等于该列各项目之和，合计行的执行率 = 执行数合计 ÷ 预算数合计。

    为什么：合计是对外公开的总数，漏加、重复加或手改过的合计很常见。合计行的结余数按各项目
    预算数合计 − 执行数合计核对（即各项目应有结余之和），所以项目行的结余算错时，合计也会一并指出。
    例：三个项目执行数 100、200、300，合计写 500 → 错误，应为 600。
    """
    if t.total is None:
        return
    tot = t.total
    for attr in ("budget", "execution", "balance", "returned"):
        cell = getattr(tot, attr)
        if not _has(cell):
            continue
        if attr == "balance":
            pairs = [(r.budget.value, r.execution.value) for r in t.rows if _has(r.budget) and _has(r.execution)]
            exp = sum(b - e for b, e in pairs)
            how = f"{len(pairs)} 个项目的预算数合计 − 执行数合计"
        else:
            vals = [getattr(r, attr).value for r in t.rows if _has(getattr(r, attr))]
            exp = sum(vals)
            how = f"{len(vals)} 个项目之和"
        if not amount_ok(cell.value, cell.decimals, exp, ctx.profile.tolerance):
            d = _amt_decimals(ctx, cell)
            yield Issue(cell.cell, f"合计{cell.label}应为 {fmt(exp, d)}（{how}），表中为 {fmt(cell.value, 6)}，"
                                   f"相差 {fmt(cell.value - exp, 6)}。", round(exp, d), cell.value)
    if _has(tot.rate):
        bt = sum(r.budget.value for r in t.rows if _has(r.budget))
        et = sum(r.execution.value for r in t.rows if _has(r.execution))
        exp = rate_of(bt, et, ctx.profile.zero_budget_rate)
        if exp is not None and not rate_ok(tot.rate.value, tot.rate.decimals, exp, ctx.profile.tolerance):
            yield Issue(tot.rate.cell, f"合计执行率应为 {pct(exp)}（执行数合计 {fmt(et, 6)} ÷ 预算数合计 {fmt(bt, 6)}），"
                                       f"表中为 {pct(tot.rate.value, 4)}。", round(exp, 4), tot.rate.value)
    if _has(tot.score):
        scores = [r.score.value for r in t.rows if _has(r.score)]
        if scores:
            mean = sum(scores) / len(scores)
            if not (score_ok(tot.score.value, tot.score.decimals, mean, ctx.profile.tolerance)
                    or score_ok(tot.score.value, tot.score.decimals, sum(scores), ctx.profile.tolerance)):
                yield Issue(tot.score.cell, f"合计行的得分应为各项目得分的平均值 {fmt(mean, 2)}，表中为 {fmt(tot.score.value, 6)}。",
                            round(mean, 2), tot.score.value)


@rule("SUM010", KIND, "表头年份与报告年度不一致", WARNING)
def header_year(t: SummaryTable, ctx):
    """表头中写的年份（如“执行数（至2022年底）”）应与报告年度一致。

    为什么：沿用上一年的表格时，表头年份常常忘记改，读者会误以为数据是上一年的。
    例：2023 年度的汇总表，表头写“执行数（至2022年底）” → 提示。
    """
    if t.year is None:
        return
    for role, text in t.labels.items():
        ys = [y for y in years_in(text) if y != t.year]
        if ys:
            yield Issue(t.label_cells[role], f"表头“{''.join(text.split())}”写的是 {ys[0]} 年，而本表是 {t.year} 年度，"
                                             f"请确认是否沿用了旧表头。", f"{t.year}年", f"{ys[0]}年")


@rule("SUM011", KIND, "缺少预算数或执行数")
def missing_amounts(t: SummaryTable, ctx):
    """每个项目都应填写预算数和执行数。

    为什么：缺少任何一项都无法计算执行率和结余，也无法汇总。
    例：某项目执行数一栏为空 → 错误。
    """
    for row in t.rows:
        for n in (row.budget, row.execution):
            if n.state == "empty":
                yield Issue(n.cell, f"项目“{row.name.value or '（无名称）'}”的{n.label}未填写。", None, None)


@rule("SUM012", KIND, "金额为负数")
def negative(t: SummaryTable, ctx):
    """预算数、执行数、结余数不应为负数。

    为什么：负数通常是把减数和被减数写反了，或者录入了冲销数。
    例：执行数 −12 → 错误。
    """
    for row in t.rows:
        for n in (row.budget, row.execution, row.balance):
            if _has(n) and n.value < -0.5 * 10 ** -_amt_decimals(ctx, n):
                yield Issue(n.cell, f"{n.label}为负数（{fmt(n.value, 6)}），请核实。", None, n.value)


@rule("SUM013", KIND, "项目名称重复", WARNING)
def duplicate_names(t: SummaryTable, ctx):
    """同一张汇总表中项目名称不应重复。

    为什么：重复的行会让预算、执行合计被重复计算。
    例：“2023年镇级防汛工作经费”出现两次 → 提示第二次出现的位置。
    """
    seen: Counter = Counter()
    first: dict[str, SummaryRow] = {}
    for row in t.rows:
        key = label(row.name.value)
        if not key:
            continue
        seen[key] += 1
        if seen[key] == 1:
            first[key] = row
        else:
            yield Issue(row.name.cell, f"项目名称与第 {first[key].row + 1} 行重复：“{row.name.value}”。", None, row.name.value)


def _all_rows(t: SummaryTable):
    return list(t.rows) + ([t.total] if t.total is not None else [])
