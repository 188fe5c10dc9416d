"""Rules for the weighted self-evaluation form (河北 部门整体绩效自评表, seed 004)."""

from __future__ import annotations

from xltool.cells import EMPTY
from xltool.figures import rate_of
from xltool.findings import WARNING, Issue
from xltool.kinds import formparts as fp
from xltool.kinds import weighted_form as W
from xltool.kinds.common import label
from xltool.precision import amount_ok, fmt, pct, rate_ok, score_ok
from xltool.rules import cascade, rule, subtotals
from xltool.grades import written_grade

KIND = W.NAME


def _has(n) -> bool:
    return n is not None and n.value is not None


def _half(ctx, *nums) -> float:
    d = max([ctx.profile.tolerance.score_decimals] + [n.decimals for n in nums if n is not None])
    return 0.5 * 10.0 ** -d + 1e-9


def _q(ind) -> str:
    return f"“{ind.title}”"


def _fund_fixes(form, ctx):
    """Corrections of 预算数 / 到位数 / 执行数 asked for by WF003 (the sum of the 其中 rows)."""
    return cascade.memo_fixes(ctx, "wf-fund-fixes", lambda: fund_parts(form, ctx))


def _fixed_rate(form, ctx):
    """(rate once the fund totals are corrected, root cells), or (None, []) when nothing is corrected."""
    f, fx = form.fund, _fund_fixes(form, ctx)
    rts = cascade.roots([f.budget, f.execution], fx) if f is not None else []
    if not rts:
        return None, []
    return rate_of(cascade.value(f.budget, fx), cascade.value(f.execution, fx), ctx.profile.zero_budget_rate), rts


def _w(n) -> str:
    """A weight (fraction) as its percentage figure: 0.1 → "10%"."""
    return pct(n, 2)


def _rate_how(form) -> str:
    f = form.fund
    if f is not None and _has(f.budget) and _has(f.execution):
        return f"执行数 {fmt(f.execution.value, 6)} ÷ 预算数 {fmt(f.budget.value, 6)}"
    return "预算执行率一行的实际完成值"


# ---------------------------------------------------------------- fund block

@rule("WF001", KIND, "预算执行进度与执行数、预算数不符")
def progress(form, ctx):
    """预算执行进度(%) = 执行数 ÷ 预算数（调整后），按表中写出的小数位核对。

    为什么：执行进度决定预算执行率指标的得分（执行率 × 100，权重 10%），算错会直接影响总分。
    例：预算数 3746.68、执行数 2819.17，进度应为 75.24；写 75.24 正确，写 80 为错误。
    """
    f = form.fund
    if f is None or f.progress is None or not (_has(f.budget) and _has(f.execution)):
        return
    rate = W.execution_rate(form, ctx.profile)
    if rate is None:
        return
    if f.progress.value is None:
        if f.progress.state == EMPTY:
            yield Issue(f.progress.cell, f"预算执行进度未填写，应为 {pct(rate)}（{_rate_how(form)}）。", round(rate * 100, 2), None,
                        exact=rate * 100)
        return
    if not rate_ok(f.progress.value, f.progress.decimals, rate, ctx.profile.tolerance):
        fixed, rts = _fixed_rate(form, ctx)
        if fixed is not None and rate_ok(f.progress.value, f.progress.decimals, fixed, ctx.profile.tolerance):
            yield cascade.consequence(f.progress.cell, "预算执行进度", f.progress.value * 100, rts, _fund_fixes(form, ctx),
                                      found=round(f.progress.value * 100, 4))
            return
        yield Issue(f.progress.cell, f"预算执行进度应为 {pct(rate)}（{_rate_how(form)}），表中为 {pct(f.progress.value, 4)}。",
                    round(rate * 100, 2), round(f.progress.value * 100, 4), exact=rate * 100)


@rule("WF002", KIND, "执行数超过预算数")
def over_budget(form, ctx):
    """执行数不应超过预算数（调整后），预算执行进度不应超过 100%。

    为什么：超出调整后预算的支出不合规，预算管理系统保存时也会拒绝执行率超过 100% 的数据。
    例：预算数 3746.68、执行数 3800 → 错误：执行进度 101.42%。
    """
    f = form.fund
    if f is None:
        return
    if _has(f.budget) and _has(f.execution):
        d = max(ctx.profile.tolerance.amount_decimals, f.budget.decimals, f.execution.decimals)
        over = f.execution.value - f.budget.value
        if over > 0.5 * 10.0 ** -d + 1e-9:
            r = rate_of(f.budget.value, f.execution.value)
            r_txt = f"执行进度 {pct(r)}，" if r is not None else ""
            yield Issue(f.execution.cell, f"执行数 {fmt(f.execution.value, 6)} 超过预算数 {fmt(f.budget.value, 6)}（{r_txt}超出 "
                                          f"{fmt(over, 6)}）；请核实是否超预算支出或预算数未按调整后填写。",
                        f.budget.value, f.execution.value)
    elif _has(f.progress) and f.progress.value > 1 + 0.5 * 10.0 ** -(f.progress.decimals + 2):
        yield Issue(f.progress.cell, f"预算执行进度 {pct(f.progress.value, 4)} 超过 100%，请核实。", 100, f.progress.value * 100)


@rule("WF018", KIND, "执行数超过到位数", WARNING)
def over_arrived(form, ctx):
    """执行数不应超过到位数：资金没有到位就不能支出。

    为什么：执行数大于到位数，多半是把预算数或下年资金算进了执行数，或到位数漏填了一部分。
    例：到位数 2819.17、执行数 2900 → 提示，请核实。
    """
    f = form.fund
    if f is None or not (_has(f.arrived) and _has(f.execution)):
        return
    d = max(ctx.profile.tolerance.amount_decimals, f.arrived.decimals, f.execution.decimals)
    over = f.execution.value - f.arrived.value
    if over > 0.5 * 10.0 ** -d + 1e-9:
        yield Issue(f.execution.cell, f"执行数 {fmt(f.execution.value, 6)} 超过到位数 {fmt(f.arrived.value, 6)}（超出 "
                                      f"{fmt(over, 6)}）；资金未到位不能支出，请核实执行数和到位数。",
                    f.arrived.value, f.execution.value)


@rule("WF003", KIND, "“其中”各项之和与总数不符")
def fund_parts(form, ctx):
    """预算数、到位数、执行数应分别等于其下“其中：财政资金”“其他”等各行之和。

    为什么：资金来源拆分与总数对不上，说明有一项漏填或抄错。
    例：预算数 3746.68，其中财政资金 3700、其他 0 → 错误，差 46.68。
    """
    f = form.fund
    if f is None or not f.parts:
        return
    for attr, cn in (("budget", "预算数"), ("arrived", "到位数"), ("execution", "执行数")):
        total = getattr(f, attr)
        given = [(p, getattr(p, attr)) for p in f.parts if _has(getattr(p, attr))]
        if not given or not _has(total):
            continue
        exp = sum(n.value for _, n in given)
        if not amount_ok(total.value, total.decimals, exp, ctx.profile.tolerance):
            d = max([ctx.profile.tolerance.amount_decimals, total.decimals] + [n.decimals for _, n in given])
            terms = " + ".join(f"{p.label.value} {fmt(n.value, 6)}" for p, n in given)
            gap = total.value - exp
            yield Issue(total.cell, f"{cn}应为 {fmt(exp, d)}（各项之和：{terms}），表中为 {fmt(total.value, 6)}，"
                                    f"比各项之和{'多' if gap > 0 else '少'} {fmt(abs(gap), 6)}。", round(exp, d), total.value)


@rule("WF017", KIND, "预算数或执行数未填写")
def fund_missing(form, ctx):
    """预算执行情况中的预算数和执行数应填写。

    为什么：没有预算数和执行数，就无法核算预算执行进度和预算执行率指标的得分。
    例：执行数一栏为空 → 错误。
    """
    f = form.fund
    if f is None:
        return
    for n in (f.budget, f.execution):
        if n is not None and n.state == EMPTY:
            yield Issue(n.cell, f"{n.label}未填写，无法核算预算执行进度和预算执行率得分。", None, None)


# ---------------------------------------------------------------- indicator rows

@rule("WF004", KIND, "折算得分与单项得分×权重不符")
def weighted_score(form, ctx):
    """单项指标折算得分 = 单项指标得分 × 权重占比，按写出的小数位核对（7.5 之于 7.524 属四舍五入）。

    为什么：折算得分是总分的组成部分，乘错或抄错会直接改变总分。
    例：单项得分 75.24、权重 10%，折算得分 7.524；写 7.5 正确，写 8 为错误。
    """
    for ind in form.indicators:
        exp = W.weighted_of(ind)
        if exp is None or ind.weighted is None:
            continue
        if ind.weighted.value is None:
            if ind.weighted.state == EMPTY:
                yield Issue(ind.weighted.cell, f"{_q(ind)}的折算得分未填写，应为 {fmt(exp, 4)}（单项得分 {fmt(ind.score.value, 4)} "
                                               f"× 权重 {_w(ind.weight.value)}）。", round(exp, 4), None, exact=exp)
            continue
        if not score_ok(ind.weighted.value, ind.weighted.decimals, exp, ctx.profile.tolerance):
            tot_w = sum(i.weight.value for i in form.indicators if _has(i.weight))
            root = _weight_root(form, ctx, tot_w - 1.0) if abs(tot_w - 1.0) > 1e-6 else None
            if root is not None and root[0] is ind:
                yield cascade.consequence(ind.weighted.cell, "折算得分", ind.weighted.value, [ind.weight],
                                          {(ind.weight.cell.row, ind.weight.cell.col): round(root[1] * 100, 4)})
                continue
            implied = _score_roots(form, ctx).get(ind.row)
            if implied is not None:
                yield Issue(ind.score.cell, f"{_q(ind)}的单项得分 {fmt(ind.score.value, 4)} 与本行的折算得分 "
                                            f"{fmt(ind.weighted.value, 4)}（权重 {_w(ind.weight.value)}）和完成等级“{ind.grade.value}”"
                                            f"都不符；按折算得分应为 {fmt(implied, 2)}。", implied, ind.score.value)
                continue
            fx = cascade.memo_fixes(ctx, "wf-item-fixes", lambda: execution_item(form, ctx))
            if cascade.roots([ind.score], fx) and score_ok(ind.weighted.value, ind.weighted.decimals,
                                                          cascade.value(ind.score, fx) * ind.weight.value, ctx.profile.tolerance):
                yield cascade.consequence(ind.weighted.cell, "折算得分", ind.weighted.value, [ind.score], fx)
                continue
            yield Issue(ind.weighted.cell, f"{_q(ind)}的折算得分应为 {fmt(exp, 4)}（单项得分 {fmt(ind.score.value, 4)} × 权重 "
                                           f"{_w(ind.weight.value)}），表中为 {fmt(ind.weighted.value, 4)}。",
                        round(exp, 4), ind.weighted.value, exact=exp)


@rule("WF010", KIND, "单项得分超出 0–100")
def item_range(form, ctx):
    """单项指标得分是百分制，应在 0 到 100 之间；权重不能为负数。

    为什么：单项得分超过 100 或为负数一定是填错了（常见于把折算得分与单项得分填反）。
    例：单项得分 105 → 错误。
    """
    for ind in form.indicators:
        if _has(ind.score) and not (-_half(ctx, ind.score) <= ind.score.value <= 100 + _half(ctx, ind.score)):
            yield Issue(ind.score.cell, f"{_q(ind)}的单项得分应在 0–100 之间，表中为 {fmt(ind.score.value, 4)}。", None,
                        ind.score.value)
        if _has(ind.weight) and ind.weight.value < 0:
            yield Issue(ind.weight.cell, f"{_q(ind)}的权重为负数（{_w(ind.weight.value)}），请核实。", None, ind.weight.value)


@rule("WF008", KIND, "完成等级与单项得分不符")
def completion_grade(form, ctx):
    """单项指标完成等级应与单项指标得分所在的分档一致（地区配置，河北：优 ≥ 90、良 80–90、中 60–80、差 < 60）。

    为什么：单项得分按完成等级赋分，等级与分数矛盾说明其中一个填错了。
    例：完成等级“优”、单项得分 85 → 错误，应为“良”。
    """
    bands = ctx.profile.bands("indicator")
    for ind in form.indicators:
        if ind.grade is None or not ind.grade.value or not _has(ind.score):
            continue
        exp = bands.grade(ind.score.value)
        written = written_grade(ind.grade.value, bands.words)
        if written != exp and ind.row in _score_roots(form, ctx):
            yield cascade.consequence(ind.grade.cell, "完成等级", f"“{ind.grade.value}”", [ind.score], {(ind.score.cell.row, ind.score.cell.col):
                                                                              _score_roots(form, ctx)[ind.row]})
        elif written != exp:
            yield Issue(ind.grade.cell, f"{_q(ind)}的单项得分 {fmt(ind.score.value, 4)} 对应的完成等级应为“{exp}”"
                                        f"（{bands.describe()}），表中为“{ind.grade.value}”。", exp, ind.grade.value)


def _unit_text(ind) -> str:
    return ind.unit.value if ind.unit is not None else ""


def _target_text(ind) -> str:
    """预期指标值, with the 单位 column's unit when it is a short unit (万元, 人次), not a description."""
    u = label(_unit_text(ind))
    if ind.target.value and u and len(u) <= 4 and u not in ("百分号", "百分比", "百分率", "%"):
        return ind.target.value + u
    return ind.target.value


def _actual_text(ind) -> str:
    u = label(_unit_text(ind))
    a = ind.actual.value
    if a and u and len(u) <= 4 and u not in ("百分号", "百分比", "百分率", "%") and fp.parse_target(a).unit == "":
        return a + u
    return a


@rule("WF011", KIND, "定量指标单项得分高于完成值所允许的分数")
def quantitative(form, ctx):
    """定量指标（预期指标值为数字）按 DOMAIN §2 的方法算出百分制的最高单项得分：正向（≥、>）未达到时为
    完成值 ÷ 指标值 × 100，反向（≤、<）超出后到 2 倍指标值线性降到 0；单项得分不应高于它。

    为什么：没完成指标却评“优”、给 90 分以上，是自评最常见的问题。
    例：预期指标值 100%、实际完成值 80%，单项得分最多 80；写 95 → 错误。
    """
    for ind in form.indicators:
        if ind.is_execution or not _has(ind.score):
            continue
        allowed = fp.allowed_score(_target_text(ind), _actual_text(ind), 100.0, level2=ind.level2.value,
                                   unit_text=_unit_text(ind))
        if allowed is None:
            continue
        if ind.score.value > allowed.max_score + _half(ctx, ind.score):
            yield Issue(ind.score.cell, f"{_q(ind)}按完成情况单项得分最多为 {fmt(allowed.max_score, 2)}（预期指标值 "
                                        f"{_target_text(ind)}、实际完成值 {_actual_text(ind)}：{allowed.how}，"
                                        f"{allowed.ratio * 100:.2f}% × 100），表中为 {fmt(ind.score.value, 4)}。",
                        round(allowed.max_score, 2), ind.score.value)


@rule("WF012", KIND, "定性指标单项得分与完成档次不符")
def qualitative(form, ctx):
    """实际完成值写明“达成年度指标 / 部分达成年度指标并具有一定效果 / 未达成年度指标且效果较差”（或“完成 /
    部分完成 / 未完成”）时，单项得分应在对应档次内：达成 80–100，部分达成 60–80，未达成 0–60；“基本达成”按 60–100。

    为什么：写“部分达成”却评 95 分前后矛盾。
    例：实际完成值“未完成”、单项得分 90 → 错误，应在 0–60 之间。
    """
    for ind in form.indicators:
        if ind.is_execution or not _has(ind.score):
            continue
        band = fp.achievement(ind.actual.value, ctx.profile.qualitative)
        if band is None:
            continue
        name, lo, hi = band
        h = _half(ctx, ind.score)
        if not (lo * 100 - h <= ind.score.value <= hi * 100 + h):
            yield Issue(ind.score.cell, f"{_q(ind)}的实际完成值为“{ind.actual.value}”（{name}），单项得分应在 "
                                        f"{lo * 100:g}–{hi * 100:g} 之间，表中为 {fmt(ind.score.value, 4)}。",
                        f"{lo * 100:g}–{hi * 100:g}", ind.score.value)


@rule("WF014", KIND, "实际完成值远超指标值", WARNING)
def high_actual(form, ctx):
    """正向或等于型定量指标的实际完成值达到预期指标值的 120%（地区配置 high_actual_ratio）及以上时提示。

    为什么：大幅超额完成通常说明指标值设得过低，预算管理系统也会要求复核。
    例：预期 1000 人次、完成 1500 人次（150%）→ 提示。
    """
    limit = ctx.profile.high_actual_ratio
    for ind in form.indicators:
        if ind.is_execution:
            continue
        r = fp.actual_ratio(_target_text(ind), _actual_text(ind), unit_text=_unit_text(ind))
        if r is not None and r[0] >= limit - 1e-9:
            yield Issue(ind.actual.cell, f"{_q(ind)}的实际完成值是预期指标值的 {r[0] * 100:.0f}%（达到 {limit * 100:g}% 及以上），"
                                         "预期指标值可能设置偏低，请核实。", None, ind.actual.value)


@rule("WF015", KIND, "已打分但缺少实际完成值", WARNING)
def missing_actual(form, ctx):
    """已填写单项得分的指标，应同时填写单项指标实际完成值。

    为什么：完成等级和得分必须以实际完成情况为依据。
    例：“群众满意度”单项得分 95，实际完成值为空 → 提示。
    """
    if "actual" not in form.columns:
        return
    for ind in form.indicators:
        if ind.score.state != EMPTY and not ind.actual.value and not ind.is_execution:
            yield Issue(ind.actual.cell, f"{_q(ind)}已打分（单项得分 {ind.score.raw}），但实际完成值未填写。", None, None)


# ---------------------------------------------------------------- the 预算执行率 row

@rule("WF006", KIND, "预算执行率权重不是规定值")
def execution_weight(form, ctx):
    """预算执行率指标的权重占比固定为 10%（地区配置 execution_weight）。

    为什么：河北省说明第 4 条规定预算执行率指标权重固定为 10%，改动权重会抬高或压低总分。
    例：预算执行率权重写 5% → 错误，应为 10%。
    """
    ex = form.execution_row
    if ex is None or not _has(ex.weight):
        return
    want = ctx.profile.execution_weight / 100.0
    if abs(ex.weight.value - want) > 1e-6:
        yield Issue(ex.weight.cell, f"预算执行率指标的权重占比应为 {_w(want)}，表中为 {_w(ex.weight.value)}。",
                    ctx.profile.execution_weight, round(ex.weight.value * 100, 4))


@rule("WF007", KIND, "预算执行率单项得分与执行率不符")
def execution_item(form, ctx):
    """预算执行率指标的单项得分 = 执行率 × 100（执行率 = 执行数 ÷ 预算数），其实际完成值应等于执行率。

    为什么：河北省说明第 3 条规定预算执行率指标得分为实际完成值 × 100，不按完成等级打分。
    例：预算数 3746.68、执行数 2819.17，执行率 75.24%，单项得分应为 75.24；写 90 → 错误。
    """
    ex = form.execution_row
    if ex is None:
        return
    rate = W.execution_rate(form, ctx.profile)
    if rate is None:
        return
    from_fund = form.fund is not None and _has(form.fund.budget) and _has(form.fund.execution)
    exp = W.execution_item_score(rate, ctx.profile)
    fixed, rts = _fixed_rate(form, ctx) if from_fund else (None, [])
    fixed_exp = W.execution_item_score(fixed, ctx.profile) if fixed is not None else None
    if (_has(ex.score) and fixed_exp is not None and not score_ok(ex.score.value, ex.score.decimals, exp, ctx.profile.tolerance)
            and score_ok(ex.score.value, ex.score.decimals, fixed_exp, ctx.profile.tolerance)):
        yield cascade.consequence(ex.score.cell, "预算执行率的单项得分", ex.score.value, rts, _fund_fixes(form, ctx))
    elif _has(ex.score) and not score_ok(ex.score.value, ex.score.decimals, exp, ctx.profile.tolerance):
        yield Issue(ex.score.cell, f"预算执行率的单项得分应为 {fmt(exp, 2)}（执行率 {pct(rate)} × 100，{_rate_how(form)}），"
                                   f"表中为 {fmt(ex.score.value, 4)}。", round(exp, 2), ex.score.value, exact=exp)
    elif ex.score.state == EMPTY:
        yield Issue(ex.score.cell, f"预算执行率的单项得分未填写，应为 {fmt(exp, 2)}（执行率 {pct(rate)} × 100）。",
                    round(exp, 2), None, exact=exp)
    if from_fund and ex.actual.value:
        from xltool.numbers import parse_number

        p = parse_number(ex.actual.value if not isinstance(ex.actual.value, (int, float)) else str(ex.actual.value))
        if p.value is not None:
            stated = p.value if (p.percent or p.value <= 2) else p.value / 100.0
            dec = p.decimals if p.percent or p.value > 2 else max(0, p.decimals - 2)
            if not rate_ok(stated, dec, rate, ctx.profile.tolerance) and fixed is not None and \
                    rate_ok(stated, dec, fixed, ctx.profile.tolerance):
                yield cascade.consequence(ex.actual.cell, "预算执行率的实际完成值", stated * 100, rts, _fund_fixes(form, ctx))
            elif not rate_ok(stated, dec, rate, ctx.profile.tolerance):
                yield Issue(ex.actual.cell, f"预算执行率的实际完成值应为 {pct(rate)}（{_rate_how(form)}），表中为 {pct(stated, 4)}。",
                            round(rate * 100, 2), round(stated * 100, 4))


# ---------------------------------------------------------------- totals

@rule("WF005", KIND, "权重合计不为 100%")
def weight_total(form, ctx):
    """各项指标的权重占比之和应为 100%。

    为什么：自评得分是各项折算得分之和，满分 100 分的前提是权重合计为 100%。
    例：权重合计 95% → 错误。
    """
    ws = [i.weight for i in form.indicators if _has(i.weight)]
    if not ws:
        return
    tot = sum(n.value for n in ws)
    if abs(tot - 1.0) > 1e-6:
        root = _weight_root(form, ctx, tot - 1.0)
        if root is not None:
            ind, want = root
            ex_fix = cascade.fixes(execution_weight(form, ctx)) if ind.is_execution else {}
            if (ind.weight.cell.row, ind.weight.cell.col) in ex_fix:  # WF006 already reports this weight
                yield cascade.consequence(ind.weight.cell, "权重合计", round(tot * 100, 4), [ind.weight],
                                          {k: v for k, v in ex_fix.items()})
                return
            yield Issue(ind.weight.cell, f"各项指标的权重占比之和为 {_w(tot)}（{len(ws)} 项），应为 100%；{_q(ind)}的权重 "
                                         f"{_w(ind.weight.value)} 与其折算得分 {fmt(ind.weighted.value, 4)}（单项得分 "
                                         f"{fmt(ind.score.value, 4)}）不符，按折算得分应为 {_w(want)}。",
                        round(want * 100, 4), round(ind.weight.value * 100, 4))
            return
        col = form.columns.get("weight")
        yield Issue(col.cell if col else ws[-1].cell,
                    f"各项指标的权重占比之和为 {_w(tot)}（{len(ws)} 项），应为 100%。", 100, round(tot * 100, 4))


def _score_roots(form, ctx) -> dict[int, float]:
    """Rows whose 单项得分 is the wrong cell: its 折算得分 ÷ 权重 gives another score, and that score (not the
    written one) has the written 完成等级. row → that score."""
    def compute():
        bands = ctx.profile.bands("indicator")
        out = {}
        for ind in form.indicators:
            if ind.is_execution or not (_has(ind.score) and _has(ind.weight) and _has(ind.weighted)) or ind.weight.value <= 0:
                continue
            if ind.grade is None or not ind.grade.value:
                continue
            if score_ok(ind.weighted.value, ind.weighted.decimals, ind.score.value * ind.weight.value, ctx.profile.tolerance):
                continue
            implied = round(ind.weighted.value / ind.weight.value, 4)
            written = written_grade(ind.grade.value, bands.words)
            if written == bands.grade(implied) and written != bands.grade(ind.score.value):
                out[ind.row] = implied
        return out
    return ctx.memo("wf-score-roots", compute)


def _weight_root(form, ctx, excess: float):
    """The one weight that makes the weights miss 100% and its own 折算得分 disagree, when the 折算得分
    fits the weight that would bring the total to 100%: (indicator, that weight), else None."""
    def compute():
        found = []
        for ind in form.indicators:
            if not (_has(ind.weight) and _has(ind.score) and _has(ind.weighted)):
                continue
            tol = ctx.profile.tolerance
            if score_ok(ind.weighted.value, ind.weighted.decimals, ind.score.value * ind.weight.value, tol):
                continue
            want = ind.weight.value - excess
            if want >= 0 and score_ok(ind.weighted.value, ind.weighted.decimals, ind.score.value * want, tol):
                found.append((ind, want))
        return found[0] if len(found) == 1 else None
    return ctx.memo("wf-weight-root", compute)


@rule("WF009", KIND, "自评得分与折算得分之和不符")
def total(form, ctx):
    """自评得分 = 各项单项指标折算得分之和，按写出的小数位核对；自评得分不应空着。

    为什么：总分决定等级和结果应用，漏加、重复加或改了分项忘改总分都很常见。
    例：折算得分之和 91，自评得分写 93 → 错误。
    """
    if form.total is None or form.total.score is None or not form.indicators:
        return
    exp = W.total_of(form)
    st = form.total.score
    if st.value is None:
        if st.state == EMPTY:
            yield Issue(st.cell, f"自评得分未填写；各项折算得分之和为 {fmt(exp, 2)}。", round(exp, 2), None)
        return
    if not score_ok(st.value, st.decimals, exp, ctx.profile.tolerance):
        fx = cascade.memo_fixes(ctx, "wf-weighted-fixes", lambda: weighted_score(form, ctx))
        rts = cascade.roots([i.weighted for i in form.indicators], fx)
        if rts and score_ok(st.value, st.decimals, exp + sum(fx[(n.cell.row, n.cell.col)] - n.value for n in rts
                                                             if n.value is not None), ctx.profile.tolerance):
            yield cascade.consequence(st.cell, "自评得分", st.value, rts, fx)
            return
        via = subtotals.via_subtotals(form, "weighted", [])
        if via is not None:  # added up from 小计 that WF019 finds wrong: wrong only because they are
            sfx = cascade.memo_fixes(ctx, "wf-subtotal-fixes",
                                     lambda: (i for i in subtotal_sums(form, ctx) if i.severity is None))
            srts = cascade.roots(via[1], sfx)
            if srts and score_ok(st.value, st.decimals, via[0], ctx.profile.tolerance):
                yield cascade.follow_on(st.cell, "自评得分", st.value, exp, srts, sfx, "各小计的折算得分之和")
                return
        yield Issue(st.cell, f"自评得分应为 {fmt(exp, 2)}（{len(form.indicators)} 项折算得分之和），表中为 {fmt(st.value, 4)}，"
                             f"相差 {fmt(st.value - exp, 4)}。", round(exp, 2), st.value)


@rule("WF019", KIND, "小计与其所属指标之和不符")
def subtotal_sums(form, ctx):
    """指标表中每个一级指标下的小计行的权重占比、折算得分，应等于它所属各项指标的权重占比、折算得分之和，按写出的小数位核对。
    某项指标的折算得分本身有误、改正后小计即正确时，只在该指标处报错，小计处提示；
    自评得分按写错的小计相加得出时，只在小计处报错，自评得分处提示改正后应为多少。

    为什么：小计是手工加总的，漏加或改了指标忘改小计很常见；自评得分又常按各小计相加。
    例：产出指标下折算得分 18 + 13.5 + 9 = 40.5，产出指标小计写 41.5 → 错误，应为 40.5。
    """
    def fixes(attr):
        if attr == "weighted":
            return cascade.memo_fixes(ctx, "wf-weighted-fixes", lambda: weighted_score(form, ctx))
        return ctx.memo("wf-weight-fixes", lambda: {k: v / 100.0 for k, v in cascade.fixes(  # stated as percentages
            (*weight_total(form, ctx), *execution_weight(form, ctx))).items()})

    yield from subtotals.check(form, ctx, ("weight", "weighted"), fixes)


@rule("WF013", KIND, "一级指标权重与默认不同", WARNING)
def level1_weights(form, ctx):
    """一级指标的权重合计应与地区配置的默认权重一致（产出 50%、效益 30%、满意度 10%、预算执行率 10%）；
    调整须有理由。只在权重合计为 100% 时核对。

    为什么：权重决定各方面在总分中的分量，随意调整会让不同单位的得分无法比较。
    例：产出指标权重合计 60%、效益指标 20% → 提示。
    """
    weights = ctx.profile.weights
    ws = [i for i in form.indicators if _has(i.weight)]
    if not weights or not ws or abs(sum(i.weight.value for i in ws) - 1.0) > 1e-6:
        return
    groups: dict[str, list] = {}
    for ind in ws:
        key = fp.level1_key(ind.level1.value)
        if key is None:
            return
        groups.setdefault(key, []).append(ind)
    desc = "、".join(f"{k.replace('指标', '')} {fmt(v, 2)}%" for k, v in weights.items())
    for key, want in weights.items():
        if key not in groups or key == "预算执行率":  # its weight is fixed by WF006 (execution_weight)
            continue
        got = sum(i.weight.value for i in groups[key]) * 100
        if abs(got - want) > 1e-6:
            yield Issue(groups[key][0].level1.cell, f"{key}的权重合计为 {fmt(got, 2)}%，与默认权重 {fmt(want, 2)}% 不同（{desc}）；"
                                                    "如有调整，请在自评报告中说明理由。", want, round(got, 4))


@rule("WF016", KIND, "等级与自评得分不符")
def grade(form, ctx):
    """表中写明的自评等级应与自评得分所在的分档一致（地区配置）。

    为什么：等级按分数段确定，改了分数忘改等级是常见疏漏。
    例：自评得分 88、等级写“优” → 错误，应为“良”。
    """
    if form.stated_grade is None or not form.stated_grade.value:
        return
    bands = ctx.profile.bands("form")
    st = form.total.score if form.total else None
    score = st.value if _has(st) else W.total_of(form)
    exp = bands.grade(score)
    if written_grade(form.stated_grade.value, bands.words) != exp:
        yield Issue(form.stated_grade.cell, f"自评得分 {fmt(score, 2)} 对应的等级应为“{exp}”（{bands.describe()}），"
                                            f"表中为“{form.stated_grade.value}”。", exp, form.stated_grade.value)
