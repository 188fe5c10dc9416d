"""Rules for the points-layout self-evaluation forms: 项目支出绩效自评表 and 部门整体支出绩效自评表."""

from __future__ import annotations

from xltool.cells import EMPTY
from xltool.figures import rate_of
from xltool.findings import WARNING, Issue
from xltool.kinds import form as F
from xltool.kinds import formparts as fp
from xltool.kinds.common import label
from xltool.grades import written_grade
from xltool.precision import amount_ok, fmt, pct, rate_ok, score_ok
from xltool.rules import cascade, rule, subtotals

KIND = "project-form|department-form"


def _has(n) -> bool:
    return n is not None and n.value is not None


def _half(ctx, *nums) -> float:
    d = max([ctx.profile.tolerance.score_decimals] + [n.decimals for n in nums if n is not None])
    return 0.5 * 10.0 ** -d + 1e-9


def _amt_half(ctx, *nums) -> float:
    d = max([ctx.profile.tolerance.amount_decimals] + [n.decimals for n in nums if n is not None])
    return 0.5 * 10.0 ** -d + 1e-9


def _fund_name(form) -> str:
    """项目资金 / 部门资金, from the block's label."""
    t = label(form.fund.label.value) if form.fund and form.fund.label.value else ""
    t = t.split("(")[0]
    return t or ("部门资金" if form.kind == F.DEPARTMENT else "项目资金")


def _row_name(row, total=None) -> str:
    """The fund row's label; rows whose label is not recognisable are named by position."""
    if row.recognised and row.label.value:
        return row.label.value
    if total is not None and row is total:
        return f"年度资金总额（第 {row.row + 1} 行，标签无法识别，按位置认定）"
    return f"第 {row.row + 1} 行"


def _fund_rows(form):
    if form.fund is None:
        return []
    return ([form.fund.total] if form.fund.total else []) + list(form.fund.parts)




def _q(ind) -> str:
    return f"“{ind.title}”"


def _score_fixes(form, ctx):
    """Corrections of scores asked for by PF005 (range), PF006 (quantitative) and PF002 (execution score)."""
    return cascade.memo_fixes(ctx, "pf-score-fixes", lambda: score_range(form, ctx), lambda: quantitative(form, ctx),
                              lambda: execution_score(form, ctx))


def _points_root(form, ctx):
    """The one 分值 that makes the 分值 miss 100 and its own 得分 exceed it, when the 分值 that brings the total
    to 100 is exactly that 得分 (full marks over a 分值 typed low): (indicator, that 分值), else None."""
    def compute():
        ind_sum, _, total = F.points_sum(form, ctx.profile)
        half = 0.5 * 10.0 ** -ctx.profile.tolerance.score_decimals
        if abs(total - 100) <= half:
            return None
        over = [i for i in form.indicators if _has(i.points) and _has(i.score)
                and i.score.value > i.points.value + _half(ctx, i.score, i.points)]
        if len(over) != 1:
            return None
        ind = over[0]
        want = ind.points.value - (total - 100)
        return (ind, want) if abs(ind.score.value - want) <= _half(ctx, ind.score) else None  # full marks typed over a low 分值
    return ctx.memo("pf-points-root", compute)


def _fund_fixes(form, ctx):
    """Corrections of the 年度资金总额 amounts asked for by PF003 (the sum of the 其中 rows)."""
    return cascade.memo_fixes(ctx, "pf-fund-fixes", lambda: fund_parts(form, ctx))


# ---------------------------------------------------------------- fund block

@rule("PF001", KIND, "执行率与全年预算数、全年执行数不符")
def execution_rate(form, ctx):
    """执行率 = 全年执行数 ÷ 全年预算数，按表中写出的小数位核对；年度资金总额行的执行率不应空着。

    为什么：执行率决定 10 分的执行率得分，手算、抄错或沿用上年数字都很常见。
    例：全年预算数 1338、全年执行数 1311.752，执行率应为 98.04%；写 98% 属四舍五入，写 90% 为错误。
    """
    if form.empty:
        return
    for row in _fund_rows(form):
        if row.rate is None or not (_has(row.budget) and _has(row.execution)):
            continue
        exp = rate_of(row.budget.value, row.execution.value, ctx.profile.zero_budget_rate)
        if exp is None:
            continue
        how = f"全年执行数 {fmt(row.execution.value, 6)} ÷ 全年预算数 {fmt(row.budget.value, 6)}"
        if row.rate.value is None:
            if row is form.fund.total and row.rate.state == EMPTY:
                yield Issue(row.rate.cell, f"执行率未填写，应为 {pct(exp)}（{how}）。", round(exp, 4), None, exact=exp)
            continue
        if not rate_ok(row.rate.value, row.rate.decimals, exp, ctx.profile.tolerance):
            fx = _fund_fixes(form, ctx) if row is form.fund.total else {}
            fixed = rate_of(cascade.value(row.budget, fx), cascade.value(row.execution, fx), ctx.profile.zero_budget_rate) \
                if cascade.roots([row.budget, row.execution], fx) else None
            if fixed is not None and rate_ok(row.rate.value, row.rate.decimals, fixed, ctx.profile.tolerance):
                yield cascade.consequence(row.rate.cell, "执行率", row.rate.value * 100, cascade.roots([row.budget, row.execution], fx),
                                          fx, found=row.rate.value)
                continue
            yield Issue(row.rate.cell, f"{_row_name(row, form.fund.total)}的执行率应为 {pct(exp)}（{how}），表中为 {pct(row.rate.value, 4)}。",
                        round(exp, 4), row.rate.value, exact=exp)


@rule("PF002", KIND, "执行率得分与执行率不符")
def execution_score(form, ctx):
    """执行率得分按地区配置的方法由执行率算出（全国通用：min(执行率, 100%) × 分值），按写出的小数位核对。

    为什么：执行率得分是公式分，不能凭印象打；超过 100% 的执行率也只能得满分。
    例：执行率 98.04%、分值 10，得分应为 9.8（9.804）；写 9.8 正确，写 9 为错误。
    """
    if form.empty:
        return
    exp = F.expected_execution_score(form, ctx.profile)
    stated, _ = F.execution_score_cell(form)
    if exp is None or stated is None:
        return
    rate = F.execution_rate(form, ctx.profile)
    pts = F.execution_points(form, ctx.profile)
    p = ctx.profile
    if p.execution_rule == "interval":
        how = f"按{p.describe_execution()}，执行率 {pct(rate)}，分值 {fmt(pts)}"
    else:
        how = f"min(执行率 {pct(rate)}, 100%) × 分值 {fmt(pts)} = {fmt(exp, 4)}"
    if stated.value is None:
        if stated.state == EMPTY:
            yield Issue(stated.cell, f"执行率得分未填写，应为 {fmt(exp, 2)}（{how}）。", round(exp, 2), None, exact=exp)
        return
    if not score_ok(stated.value, stated.decimals, exp, p.tolerance):
        t = form.fund.total if form.fund else None
        fx = cascade.memo_fixes(ctx, "pf-points-fixes", lambda: points_total(form, ctx))
        if t is not None and cascade.roots([t.points], fx) and rate is not None:
            fixed = p.execution_score(rate, points=fx[(t.points.cell.row, t.points.cell.col)])
            if fixed is not None and score_ok(stated.value, stated.decimals, fixed, p.tolerance):
                yield cascade.consequence(stated.cell, "执行率得分", stated.value, [t.points], fx)
                return
        ffx = _fund_fixes(form, ctx) if t is not None else {}
        wrong = cascade.roots([t.budget, t.execution], ffx) if t is not None else []
        if wrong:  # a 全年预算数 / 全年执行数 PF003 corrects: the score may be right for the corrected rate (as PF001)
            fixed_rate = rate_of(cascade.value(t.budget, ffx), cascade.value(t.execution, ffx), p.zero_budget_rate)
            fixed = F.execution_score_of(fixed_rate, pts, p)
            if fixed is not None and score_ok(stated.value, stated.decimals, fixed, p.tolerance):
                yield cascade.consequence(stated.cell, "执行率得分", stated.value, wrong, ffx)
                return
        yield Issue(stated.cell, f"执行率得分应为 {fmt(exp, 2)}（{how}），表中为 {fmt(stated.value, 4)}。",
                    round(exp, 2), stated.value, exact=exp)


@rule("PF003", KIND, "“其中”各项之和与年度资金总额不符")
def fund_parts(form, ctx):
    """年度资金总额的年初预算数、全年预算数、全年执行数，应分别等于其下“其中”各行（当年财政拨款、上年结转资金、
    其他资金；部门整体表为基本支出、项目支出）之和。

    为什么：资金来源拆分与总额对不上，说明有一项漏填或抄错，执行率也就失去依据。
    例：总额全年预算数 1338，其中当年财政拨款 1300、上年结转 0、其他资金 0 → 错误，差 38。
    """
    if form.empty or form.fund is None or form.fund.total is None or not form.fund.parts:
        return
    t = form.fund.total
    for attr, cn in (("initial", "年初预算数"), ("budget", "全年预算数"), ("execution", "全年执行数")):
        total = getattr(t, attr)
        parts = [(p, getattr(p, attr)) for p in form.fund.parts]
        given = [(p, n) for p, n in parts if _has(n)]
        if not given or not _has(total):
            continue
        exp = sum(n.value for _, n in given)
        d = max([ctx.profile.tolerance.amount_decimals, total.decimals] + [n.decimals for _, n in given])
        if not amount_ok(total.value, total.decimals, exp, ctx.profile.tolerance):
            fx = cascade.memo_fixes(ctx, "pf-over-fixes", lambda: (i for i in over_100(form, ctx)
                                                                   if i.cell != t.execution.cell))
            rts = cascade.roots([n for _, n in given], fx)
            if rts and amount_ok(total.value, total.decimals, sum(cascade.value(n, fx) for _, n in given),
                                 ctx.profile.tolerance):
                yield cascade.consequence(total.cell, cn, total.value, rts, fx, decimals=6)
                continue
            terms = " + ".join(f"{_row_name(p).removeprefix('其中：').removeprefix('其中:')} {fmt(n.value, 6)}"
                               for p, n in given)
            gap = total.value - exp
            yield Issue(total.cell, f"{_row_name(t, t)}的{cn}应为 {fmt(exp, d)}（各项之和：{terms}），表中为 "
                                    f"{fmt(total.value, 6)}，比各项之和{'多' if gap > 0 else '少'} {fmt(abs(gap), 6)}。",
                        round(exp, d), total.value)


@rule("PF019", KIND, "全年预算数与年初预算数、调整数不符")
def adjusted_budget(form, ctx):
    """资金栏有“调整数”一栏时，全年预算数（调整后）= 年初预算数 + 调整数（调减写负数，如 -20 或 (20.00)）。

    为什么：执行率以调整后的全年预算数为分母，调整数没有加进去，执行率和得分都会算错。
    例：年初预算数 1300、调整数 38，全年预算数应为 1338；写 1300 → 错误。
    """
    if form.empty:
        return
    for row in _fund_rows(form):
        if not (_has(row.initial) and _has(row.adjust) and _has(row.budget)):
            continue
        from xltool.figures import adjusted_budget as adjusted

        exp = adjusted(row.initial.value, row.adjust.value)
        if not amount_ok(row.budget.value, row.budget.decimals, exp, ctx.profile.tolerance):
            d = max(ctx.profile.tolerance.amount_decimals, row.initial.decimals, row.adjust.decimals)
            yield Issue(row.budget.cell, f"{_row_name(row, form.fund.total)}的全年预算数应为 {fmt(exp, d)}（年初预算数 "
                                         f"{fmt(row.initial.value, 6)} + 调整数 {fmt(row.adjust.value, 6)}），表中为 "
                                         f"{fmt(row.budget.value, 6)}。", round(exp, d), row.budget.value)


@rule("PF004", KIND, "执行率超过 100%")
def over_100(form, ctx):
    """全年执行数不应超过全年预算数（执行率不超过 100%）。

    为什么：超出调整后预算的支出不合规，预算管理系统保存时也会拒绝执行率超过 100% 的数据。
    例：全年预算数 1338、全年执行数 1400 → 错误：执行率 104.63%。
    """
    if form.empty:
        return
    for row in _fund_rows(form):
        if _has(row.budget) and _has(row.execution) and row.budget.value >= 0:  # a negative budget: PF003's sum
            over = row.execution.value - row.budget.value
            if over > _amt_half(ctx, row.budget, row.execution):
                rate = rate_of(row.budget.value, row.execution.value, ctx.profile.zero_budget_rate)
                r_txt = f"执行率 {pct(rate)}，" if rate is not None else ""
                yield Issue(row.execution.cell,
                            f"{_row_name(row, form.fund.total)}的全年执行数 {fmt(row.execution.value, 6)} 超过全年预算数 {fmt(row.budget.value, 6)}"
                            f"（{r_txt}超出 {fmt(over, 6)}）；执行率不应超过 100%，请核实是否超预算支出或预算数未按调整后填写。",
                            row.budget.value, row.execution.value)
        elif _has(row.rate) and row.rate.value > 1 + 0.5 * 10.0 ** -(row.rate.decimals + 2):
            yield Issue(row.rate.cell, f"执行率 {pct(row.rate.value, 4)} 超过 100%，请核实。", 1.0, row.rate.value)


# ---------------------------------------------------------------- indicators

@rule("PF005", KIND, "得分超出 0 至分值的范围")
def score_range(form, ctx):
    """每项指标的得分应在 0 与该项分值之间；分值不能为负数。

    为什么：得分是按完成情况在分值内打的分，超过分值或为负数一定是填错了。
    例：分值 10、得分 12 → 错误。
    """
    for ind in form.indicators:
        if _has(ind.points) and ind.points.value < 0:
            yield Issue(ind.points.cell, f"{_q(ind)}的分值为负数（{fmt(ind.points.value, 4)}），请核实。", None, ind.points.value)
            continue
        if not _has(ind.score):
            continue
        s = ind.score.value
        if s < -_half(ctx, ind.score):
            yield Issue(ind.score.cell, f"{_q(ind)}的得分为负数（{fmt(s, 4)}），得分应在 0 与分值之间。", 0, s)
        elif _has(ind.points) and s > ind.points.value + _half(ctx, ind.score, ind.points):
            root = _points_root(form, ctx)
            if root is not None and root[0] is ind:
                yield cascade.consequence(ind.score.cell, "得分", s, [ind.points],
                                          {(ind.points.cell.row, ind.points.cell.col): root[1]})
                continue
            yield Issue(ind.score.cell, f"{_q(ind)}的得分 {fmt(s, 4)} 超过分值 {fmt(ind.points.value, 4)}，"
                                        f"得分应在 0–{fmt(ind.points.value, 4)} 之间。", ind.points.value, s)


@rule("PF006", KIND, "定量指标得分高于完成值所允许的分数")
def quantitative(form, ctx):
    """定量指标按年度指标值中的符号计分（DOMAIN §2）：正向（≥、>）达到满分、未达到按 完成值 ÷ 指标值 × 分值；
    反向（≤、<）不超过满分、超过后到 2 倍指标值线性降到 0；等于（=）按正向，指标值为 0 时完成值 ≤ 0 才得满分。
    自评得分高于按完成值算出的分数为错误（低于则是评价人的权力，但须说明偏差原因）。

    为什么：“没完成也打满分”是自评最常见的问题，财政复核时会被直接扣回。
    例：指标值 ≥5000人次、完成值 4000人次、分值 15，最多得 12 分；写 15 → 错误。
    """
    for ind in form.scored:
        if not (_has(ind.points) and _has(ind.score)) or ind.score.value > ind.points.value + _half(ctx, ind.score, ind.points):
            continue  # PF005 reports scores above 分值
        allowed = fp.allowed_score(ind.target.value, ind.actual.value, ind.points.value, level2=ind.level2.value)
        if allowed is None:
            continue
        if ind.score.value > allowed.max_score + _half(ctx, ind.score):
            yield Issue(ind.score.cell,
                        f"{_q(ind)}按完成情况最多得 {fmt(allowed.max_score, 2)} 分（指标值 {ind.target.value}、完成值 "
                        f"{ind.actual.value}：{allowed.how}，{allowed.ratio * 100:.2f}% × 分值 {fmt(ind.points.value, 4)} = "
                        f"{fmt(allowed.max_score, 4)}），表中为 {fmt(ind.score.value, 4)}。",
                        round(allowed.max_score, 2), ind.score.value)


@rule("PF007", KIND, "定性指标得分与完成档次不符")
def qualitative(form, ctx):
    """定性指标的实际完成值写明“达成年度指标 / 部分达成年度指标并具有一定效果 / 未达成年度指标且效果较差”
    （或“完成 / 部分完成 / 未完成”）时，得分应在对应档次内：达成 80%–100% 分值，部分达成 60%–80%，未达成 0–60%。
    “基本达成”“基本完成”各地用法不一，按 60%–100% 核对。档次和词语取自地区配置。

    为什么：财政部财预〔2020〕10号规定定性指标按三档打分，写“部分达成”却打满分前后矛盾。
    例：分值 10、实际完成值“部分达成年度指标并具有一定效果”、得分 10 → 错误，应在 6–8 分之间。
    """
    for ind in form.scored:
        if not (_has(ind.points) and _has(ind.score)):
            continue
        if fp.allowed_score(ind.target.value, ind.actual.value, ind.points.value, level2=ind.level2.value) is not None:
            continue
        band = fp.achievement(ind.actual.value, ctx.profile.qualitative)
        if band is None:
            continue
        name, lo, hi = band
        full = ind.points.value
        half = _half(ctx, ind.score)
        if not (lo * full - half <= ind.score.value <= hi * full + half):
            yield Issue(ind.score.cell,
                        f"{_q(ind)}的实际完成值为“{ind.actual.value}”（{name}），得分应在分值的 {lo * 100:g}%–{hi * 100:g}% 之间"
                        f"（{fmt(lo * full, 2)}–{fmt(hi * full, 2)} 分），表中为 {fmt(ind.score.value, 4)}。",
                        f"{fmt(lo * full, 2)}–{fmt(hi * full, 2)}", ind.score.value)


@rule("PF008", KIND, "扣分未说明偏差原因", WARNING)
def missing_reason(form, ctx):
    """得分低于分值（扣了分）的指标，应在“偏差原因分析及改进措施”中写明原因和改进措施。

    为什么：扣分而无原因，审核人无法判断扣分是否合理，整改也无从谈起。
    例：“资金按时拨付率”分值 10、得分 9.8，偏差原因一栏为空 → 提示。
    """
    for ind in form.indicators:
        if not (_has(ind.points) and _has(ind.score)):
            continue
        if ind.score.value < ind.points.value - _half(ctx, ind.score, ind.points) and ind.reason is not None \
                and not ind.reason.value:
            yield Issue(ind.reason.cell, f"{_q(ind)}得分 {fmt(ind.score.value, 4)} 低于分值 {fmt(ind.points.value, 4)}，"
                                         "但“偏差原因分析及改进措施”未填写；扣分应写明原因和改进措施。", None, None)


@rule("PF009", KIND, "实际完成值远超指标值", WARNING)
def high_actual(form, ctx):
    """正向或等于型定量指标的实际完成值达到指标值的 120%（地区配置 high_actual_ratio）及以上时提示。

    为什么：大幅超额完成通常说明年度指标值设得过低，绩效目标失去约束作用，预算管理系统也会要求复核。
    例：指标值 ≥1000 人次、完成值 1500 人次（150%）→ 提示：请核实指标值是否偏低。
    """
    limit = ctx.profile.high_actual_ratio
    for ind in form.scored:
        r = fp.actual_ratio(ind.target.value, ind.actual.value)
        if r is None:
            continue
        ratio, _, _ = r
        if ratio >= limit - 1e-9:
            yield Issue(ind.actual.cell, f"{_q(ind)}的实际完成值“{ind.actual.value}”是指标值“{ind.target.value}”的 "
                                         f"{ratio * 100:.0f}%（达到 {limit * 100:g}% 及以上），年度指标值可能设置偏低，请核实。",
                        None, ind.actual.value)


@rule("PF010", KIND, "已打分但缺少实际完成值", WARNING)
def missing_actual(form, ctx):
    """已填写得分的指标，应同时填写实际完成值。

    为什么：得分必须以实际完成情况为依据；没有完成值，审核人无法判断得分是否合理。
    例：“成本节约率”得分 0，实际完成值为空 → 提示。
    """
    if "actual" not in form.columns:
        return
    for ind in form.scored:
        if ind.score.state != EMPTY and not ind.actual.value:
            got = fmt(ind.score.value, 4) if _has(ind.score) else str(ind.score.raw)
            yield Issue(ind.actual.cell, f"{_q(ind)}已打分（得分 {got}），但实际完成值未填写；得分须有实际完成情况作依据。",
                        None, None)


@rule("PF016", KIND, "分值或得分未填写")
def missing_points_or_score(form, ctx):
    """每项绩效指标都应填写分值和得分。

    为什么：缺一项就无法核对得分，也无法算出总分。
    例：“受益学生人次”分值 15，得分一栏为空 → 错误。
    """
    for ind in form.scored:
        pe = ind.points is not None and ind.points.state == EMPTY
        se = ind.score.state == EMPTY
        if pe and se:
            yield Issue(ind.points.cell, f"{_q(ind)}的分值和得分都未填写。", None, None)
        elif pe:
            yield Issue(ind.points.cell, f"{_q(ind)}的分值未填写（得分为 {ind.score.raw}）。", None, None)
        elif se and ind.points is not None:
            yield Issue(ind.score.cell, f"{_q(ind)}的得分未填写（分值为 {ind.points.raw}）。", None, None)


# ---------------------------------------------------------------- totals

@rule("PF011", KIND, "分值合计不为 100")
def points_total(form, ctx):
    """各项绩效指标的分值加上预算执行率的分值（一般为 10）应为 100；总分行的分值应等于这个合计。

    为什么：自评满分为 100 分，分值合计不对，总分和等级就没有可比性。
    例：绩效指标分值合计 85、执行率分值 10 → 合计 95，错误；总分行却写 100。
    """
    ind, ex, total = F.points_sum(form, ctx.profile)
    stated = form.total.points if form.total is not None else None
    where = stated.cell if stated is not None else form.columns["points"].cell
    found = stated.value if _has(stated) else total
    if form.empty:
        shown = f"，总分为 {fmt(stated.value, 2)}" if _has(stated) else ""
        shown += f"/{fmt(form.total.score.value, 2)}" if shown and form.total and _has(form.total.score) else ""
        yield Issue(where, f"本表尚未填写：没有绩效指标，{_fund_name(form)}栏为空{shown}。各项分值合计应为 100，"
                           "请填写绩效指标、资金和得分后再提交。", 100, found)
        return
    half = 0.5 * 10.0 ** -ctx.profile.tolerance.score_decimals
    t = form.fund.total if form.fund else None
    if any(i.is_execution for i in form.indicators) and not (t is not None and _has(t.points)):
        parts = f"{len(form.indicators)} 项指标的分值之和，含预算执行率"
    elif t is not None and _has(t.points):
        parts = f"绩效指标 {fmt(ind, 4)} + 预算执行率 {fmt(ex, 4)}"
    else:
        parts = f"绩效指标 {fmt(ind, 4)}，预算执行率的分值未填写"
    if abs(total - 100) > half:
        root = _points_root(form, ctx)
        if root is not None:
            ri, rwant = root
            yield Issue(ri.points.cell, f"各项分值之和为 {fmt(total, 4)}（{parts}），满分应为 100；{_q(ri)}的分值 "
                                        f"{fmt(ri.points.value, 4)} 低于其得分 {fmt(ri.score.value, 4)}，应为 {fmt(rwant, 4)}。",
                        round(rwant, 4), ri.points.value)
            return
        want = ctx.profile.execution_points
        if t is not None and _has(t.points) and abs(ex - want) > half and abs((ex - want) - (total - 100)) <= half:
            yield Issue(t.points.cell, f"各项分值之和为 {fmt(total, 4)}（{parts}），满分应为 100；预算执行率的分值应为 "
                                       f"{fmt(want, 4)}（{ctx.profile.title}），表中为 {fmt(ex, 4)}。", want, ex)
            return
        extra = ""
        if _has(stated) and abs(stated.value - total) > half:
            extra = f"；总分行写的是 {fmt(stated.value, 4)}"
        yield Issue(where, f"各项分值之和为 {fmt(total, 4)}（{parts}），满分应为 100{extra}。请核对各指标的分值。",
                    100, round(total, 4) if not _has(stated) else stated.value)
    elif _has(stated) and not score_ok(stated.value, stated.decimals, total, ctx.profile.tolerance):
        via = subtotals.via_subtotals(form, "points", [ex])
        if via is not None:  # added up from 小计 分值 that PF020 finds wrong: wrong only because they are
            sfx = cascade.memo_fixes(ctx, "pf-subtotal-fixes",
                                     lambda: (i for i in subtotal_sums(form, ctx) if i.severity is None))
            srts = cascade.roots(via[1], sfx)
            if srts and score_ok(stated.value, stated.decimals, via[0], ctx.profile.tolerance):
                yield cascade.follow_on(stated.cell, "总分行的分值", stated.value, total, srts, sfx,
                                        "各小计的分值" + ("与预算执行率的分值" if ex else "") + "之和", 4)
                return
        yield Issue(stated.cell, f"总分行的分值应为 {fmt(total, 4)}（{parts}），表中为 {fmt(stated.value, 4)}。",
                    round(total, 4), stated.value)


@rule("PF012", KIND, "总分与各项得分之和不符")
def score_total(form, ctx):
    """总分 = 各项绩效指标得分之和 + 执行率得分，按写出的小数位核对；总分不应空着。

    为什么：总分决定等级和结果应用，漏加、重复加或改了分项忘改总分都很常见。
    例：各项得分之和 86.8、执行率得分 9，总分应为 95.8；表中写 99.6 → 错误。
    """
    if form.total is None or form.total.score is None or form.empty:
        return
    ind, ex, total = F.score_sum(form, ctx.profile)
    stated_ex = F.stated_execution_score(form)
    if any(i.is_execution for i in form.indicators):
        parts = f"{len(form.indicators)} 项指标得分之和，含预算执行率"
    elif ex is None:
        parts = f"绩效指标得分之和 {fmt(ind, 4)}，执行率得分无法计算"
    else:
        parts = f"绩效指标得分之和 {fmt(ind, 4)} + 执行率得分 {fmt(ex, 4)}" + ("" if stated_ex is not None else "（按执行率重算）")
    st = form.total.score
    if st.value is None:
        if st.state == EMPTY:
            yield Issue(st.cell, f"总分未填写；按各项得分应为 {fmt(total, 2)}（{parts}）。", round(total, 2), None)
        return
    if not score_ok(st.value, st.decimals, total, ctx.profile.tolerance):
        fx = _score_fixes(form, ctx)
        summed = [i.score for i in form.indicators] + ([stated_ex] if stated_ex is not None and
                                                       not any(i.is_execution for i in form.indicators) else [])
        rts = cascade.roots(summed, fx)
        if rts:
            fixed = total + sum(fx[(n.cell.row, n.cell.col)] - n.value for n in rts if n.value is not None)
            if score_ok(st.value, st.decimals, fixed, ctx.profile.tolerance):
                yield cascade.consequence(st.cell, "总分", st.value, rts, fx)
                return
        via = subtotals.via_subtotals(form, "score", [ex] if ex is not None else [])
        if via is not None:  # added up from 小计 that PF020 finds wrong: wrong only because they are
            sfx = cascade.memo_fixes(ctx, "pf-subtotal-fixes",
                                     lambda: (i for i in subtotal_sums(form, ctx) if i.severity is None))
            srts = cascade.roots(via[1], sfx)
            if srts and score_ok(st.value, st.decimals, via[0], ctx.profile.tolerance):
                yield cascade.follow_on(st.cell, "总分", st.value, total, srts, sfx,
                                        "各小计" + ("与执行率得分" if ex else "") + "之和")
                return
        yield Issue(st.cell, f"总分应为 {fmt(total, 2)}（{parts}），表中为 {fmt(st.value, 4)}，相差 {fmt(st.value - total, 4)}。",
                    round(total, 2), st.value)


@rule("PF020", KIND, "小计与其所属指标之和不符")
def subtotal_sums(form, ctx):
    """指标表中每个一级指标下的小计行（产出指标小计、效益指标小计 …）的分值、得分，应等于它所属各项指标的分值、得分之和，
    按写出的小数位核对。某项指标的得分本身有误、改正后小计即正确时，只在该指标处报错，小计处提示；
    总分（或总分行的分值）按写错的小计相加得出时，只在小计处报错，总分处提示改正后应为多少。

    为什么：小计是手工加总的，漏加、重复加或改了指标忘改小计很常见；总分又常按各小计相加，小计错了总分跟着错。
    例：产出指标下各项得分 15 + 14.75 + 8 = 37.75，产出指标小计写 38.75 → 错误，应为 37.75。
    """
    if form.empty:
        return

    def fixes(attr):
        if attr == "score":
            return _score_fixes(form, ctx)
        root = _points_root(form, ctx)  # PF011's one 分值 typed too low (its other findings read the 小计: PF020's)
        return {(root[0].points.cell.row, root[0].points.cell.col): root[1]} if root is not None else {}

    yield from subtotals.check(form, ctx, ("points", "score"), fixes)


@rule("PF013", KIND, "一级指标分值与默认权重不同", WARNING)
def level1_weights(form, ctx):
    """一级指标的分值合计应与地区配置的默认权重一致（全国通用：产出 50、效益 30、满意度 10、预算执行率 10）；
    调整权重须有理由。只在分值合计为 100 时核对。

    为什么：权重决定各方面在总分中的分量，随意调整会让不同项目的得分无法比较。
    例：产出指标分值合计 60、效益指标 20 → 提示：与默认的 50、30 不同，如有调整请说明理由。
    """
    weights = ctx.profile.weights
    if not weights or form.empty:
        return
    _, ex, total = F.points_sum(form, ctx.profile)
    if abs(total - 100) > 0.5 * 10.0 ** -ctx.profile.tolerance.score_decimals:
        return
    groups: dict[str, list] = {}
    for ind in form.indicators:
        key = fp.level1_key(ind.level1.value)
        if key is None:
            return  # 一级指标 not recognisable: nothing sound to compare
        groups.setdefault(key, []).append(ind)
    sums = {k: sum(i.points.value for i in v if _has(i.points)) for k, v in groups.items()}
    cells = {k: v[0].level1.cell for k, v in groups.items()}
    t = form.fund.total if form.fund else None
    if "预算执行率" not in sums and t is not None and _has(t.points):
        sums["预算执行率"] = t.points.value
        cells["预算执行率"] = t.points.cell
    desc = "、".join(f"{k.replace('指标', '')} {fmt(v, 2)}" for k, v in weights.items())
    for key, want in weights.items():
        if key not in sums:
            continue
        if abs(sums[key] - want) > 1e-6:
            what = "的分值为" if key == "预算执行率" else "的分值合计为"
            yield Issue(cells[key], f"{key}{what} {fmt(sums[key], 4)}，与默认权重 {fmt(want, 2)} 不同（{desc}）；"
                                    "如有调整，请在自评报告中说明理由。", want, sums[key])


@rule("PF014", KIND, "等级与总分不符")
def grade(form, ctx):
    """表中写明的自评等级应与总分所在的分档一致（分档取自地区配置，全国通用：优 ≥ 90、良 80–90、中 60–80、差 < 60）。

    为什么：等级按分数段确定，改了分数忘改等级是常见疏漏。
    例：总分 88、等级写“优” → 错误，应为“良”。
    """
    if form.stated_grade is None or not form.stated_grade.value:
        return
    bands = ctx.profile.bands("form")
    _, _, total = F.score_sum(form, ctx.profile)
    st = form.total.score if form.total else None
    score = st.value if _has(st) else total
    exp = bands.grade(score)
    written = written_grade(form.stated_grade.value, bands.words)
    if written != exp:
        yield Issue(form.stated_grade.cell, f"总分 {fmt(score, 2)} 对应的等级应为“{exp}”（{bands.describe()}），"
                                            f"表中为“{form.stated_grade.value}”。", exp, form.stated_grade.value)


@rule("PF015", KIND, "资金栏未填写")
def fund_missing(form, ctx):
    """年度资金总额行的全年预算数和全年执行数应填写。

    为什么：没有预算数和执行数，就无法核算执行率和执行率得分（满分 10 分）。
    例：项目资金一栏全部空白 → 错误。
    """
    if form.empty or form.fund is None:
        return
    t = form.fund.total
    name = _fund_name(form)
    if t is None:
        yield Issue(form.fund.label.cell, f"{name}栏没有年度资金总额行，无法核算执行率和执行率得分。", None, None)
        return
    missing = [n for n in (t.budget, t.execution) if n.state == EMPTY]
    if len(missing) == 2 and (t.initial is None or t.initial.state == EMPTY):
        yield Issue(t.budget.cell, f"{name}未填写（年初预算数、全年预算数、全年执行数均为空），无法核算执行率和执行率得分。",
                    None, None)
    elif missing:
        what = "、".join(n.label for n in missing)
        yield Issue(missing[0].cell, f"{_row_name(t, t)}的{what}未填写，无法核算执行率和执行率得分。", None, None)


# ---------------------------------------------------------------- provincial columns (重庆: 得分系数, 是否核心指标)

def _coefficient(text: str):
    """得分系数 as a fraction and its decimals ("0.8", "80%", "80" → 0.8), or None when it is not a number."""
    from xltool.numbers import parse_number

    p = parse_number(text)
    if p.value is None:
        return None
    if p.percent or p.value > 1.5:
        return (p.value if p.percent else p.value / 100.0), p.decimals
    return p.value, p.decimals


@rule("PF017", KIND, "得分与分值×得分系数不符")
def coefficient_score(form, ctx):
    """表中有“得分系数”一栏时（重庆等地），每项指标的得分 = 分值 × 得分系数，系数应在 0 与 1 之间。

    为什么：按系数计分的表，得分是公式分；系数和得分对不上，说明其中一个抄错或改了一个忘了另一个。
    例：分值 15、得分系数 0.8，得分应为 12；写 13 → 错误。
    """
    for ind in form.scored:
        cell = ind.extra.get("coef")
        if cell is None or not cell.value:
            continue
        got = _coefficient(cell.value)
        if got is None:
            yield Issue(cell.cell, f"{_q(ind)}的得分系数“{cell.value}”不是数字。", None, cell.value)
            continue
        coef, _ = got
        if not -1e-9 <= coef <= 1 + 1e-9:
            yield Issue(cell.cell, f"{_q(ind)}的得分系数 {fmt(coef, 4)} 应在 0 与 1 之间。", None, coef)
            continue
        if not (_has(ind.points) and _has(ind.score)):
            continue
        exp = ind.points.value * coef
        if not score_ok(ind.score.value, ind.score.decimals, exp, ctx.profile.tolerance):
            yield Issue(ind.score.cell, f"{_q(ind)}的得分应为 {fmt(exp, 4)}（分值 {fmt(ind.points.value, 4)} × 得分系数 "
                                        f"{fmt(coef, 4)}），表中为 {fmt(ind.score.value, 4)}。", round(exp, 4), ind.score.value)


_YES, _NO = ("是", "√", "✓", "Y", "YES", "核心", "核心指标"), ("否", "×", "N", "NO", "非核心", "")


@rule("PF018", KIND, "是否核心指标填写不规范", WARNING)
def core_flag(form, ctx):
    """“是否核心指标”一栏应写“是”或“否”（留空按“否”）。

    为什么：核心指标决定复核重点和扣分力度，写成其他文字时无法确定是否属于核心指标。
    例：是否核心指标写“重要” → 提示：应写“是”或“否”。
    """
    for ind in form.indicators:
        cell = ind.extra.get("core")
        if cell is None:
            continue
        if label(cell.value).upper() not in _YES + _NO:
            yield Issue(cell.cell, f"{_q(ind)}的“是否核心指标”写的是“{cell.value}”，应写“是”或“否”。", "是/否", cell.value)
