"""Rules for the management self-assessment (绩效管理自评表)."""

from __future__ import annotations

from xltool.findings import Issue
from xltool.rules import cascade
from xltool import figures
from xltool.kinds.management import ManagementTable, all_rows, converted_of, full_of, full_value, signed, total_of
from xltool.precision import fmt, score_ok
from xltool.rules import rule
from xltool.grades import same_grade
from xltool.rules.score_table import _terms

KIND = "management-table"
_EPS = 1e-9


def _has(n) -> bool:
    return n is not None and n.value is not None


def _name(c) -> str:
    return c.name.value or "（未命名）"


def _fixes(t: ManagementTable, ctx) -> dict[tuple[int, int], float]:
    """The corrections of the category scores other rules report: MT001's (a score above its 满分, or a deduction
    above its cap, brought to the limit; a negative score to 0) and MT007's (a category's 得分 that is not the sum
    of its sub-items' becomes that sum). The 合计, 换算得分 and 等级 that are right once these are made are
    consequences, not errors of their own."""
    def compute():
        out = {}
        tol = ctx.profile.tolerance
        for c in t.categories:  # MT007: the sub-items are what was scored; the category sums them
            scores = [signed(p) for p in c.parts]
            if c.parts and not c.deduction and _has(c.score) and all(v is not None for v in scores):
                exp = round(sum(scores), 6)
                if not score_ok(c.score.value, c.score.decimals, exp, tol):
                    out[(c.score.cell.row, c.score.cell.col)] = exp
        for c in all_rows(t):
            if not (_has(c.full) and _has(c.score)):
                continue
            f, s = c.full.value, c.score.value
            key = (c.score.cell.row, c.score.cell.col)
            if c.deduction:
                if f > _EPS and abs(s) > f + _EPS:
                    out[key] = f if s > 0 else -f
            elif key in out:
                continue  # a category summing its sub-items: MT007's correction stands
            elif s < -_EPS:
                out[key] = 0.0
            elif s > f + _EPS:
                out[key] = f
        return out
    return ctx.memo("mt-fixes", compute)


def _full_root(t: ManagementTable, ctx):
    """The one 满分 typed too low: its 得分 exceeds it, and raised by the gap to the stated 合计满分 it equals
    that 得分 (full marks over a 满分 typed low). (category, that 满分), else None."""
    def compute():
        if not _has(t.total_full):
            return None
        full = full_of(t)
        if full is None:
            return None
        d = t.total_full.value - full
        if abs(d) <= _EPS:
            return None
        over = [c for c in t.categories if not c.deduction and _has(c.full) and _has(c.score)
                and c.score.value > c.full.value + _EPS]
        if len(over) != 1 or abs(over[0].score.value - (over[0].full.value + d)) > _EPS:  # full marks over a low 满分
            return None
        return over[0], over[0].full.value + d
    return ctx.memo("mt-full-root", compute)


def _fixed_total(t: ManagementTable, fx) -> float | None:
    vals = []
    for c in t.categories:
        v = cascade.value(c.score, fx) if _has(c.score) else None
        if v is None:
            v = signed(c)
        elif c.deduction:
            v = -abs(v)
        if v is not None:
            vals.append(v)
    return round(sum(vals), 6) if vals else None


def _via_subtotals(t: ManagementTable):
    """(合计得分 worked out from the stated 小计 of the categories they group and the other categories' scores, the
    小计 得分 used), or None when no 小计 groups categories."""
    cats = {id(c) for c in t.categories}
    subs = [s for s in t.subtotals if _has(s.score) and all(id(m) in cats for m in s.members)]
    if not subs:
        return None
    covered = {id(m) for s in subs for m in s.members}
    rest = [signed(c) for c in t.categories if id(c) not in covered]
    return figures.through_subtotals([s.score.value for s in subs], rest), [s.score for s in subs]


@rule("MT001", KIND, "得分超出满分")
def score_within_full(t: ManagementTable, ctx):
    """每一类的得分应在 0 与该类满分之间；扣分项（如“存在问题扣分”）的扣分不应超过其满分栏写的扣分上限。

    为什么：得分超过满分或为负数，说明填错了行、把满分和得分填反了，或多算了分。
    例：“资产管理”满分 5、得分 5.5 → 错误，得分最多为 5。
    """
    for c in all_rows(t):
        if not (_has(c.full) and _has(c.score)):
            continue
        f, s = c.full.value, c.score.value
        if c.deduction:
            if f > _EPS and abs(s) > f + _EPS:
                yield Issue(c.score.cell, f"“{_name(c)}”扣分 {fmt(abs(s), 4)} 超过了满分栏写的扣分上限 {fmt(f, 4)}。",
                            f"0–{fmt(f, 4)}", s)
            continue
        if s < -_EPS:
            yield Issue(c.score.cell, f"“{_name(c)}”的得分为 {fmt(s, 4)}，不能为负数；应在 0 到满分 {fmt(f, 4)} 之间。",
                        f"0–{fmt(f, 4)}", s)
        elif s > f + _EPS:
            root = _full_root(t, ctx)
            if root is not None and root[0] is c:
                yield cascade.consequence(c.score.cell, "得分", s, [c.full], {(c.full.cell.row, c.full.cell.col): root[1]})
                continue
            yield Issue(c.score.cell, f"“{_name(c)}”的得分 {fmt(s, 4)} 超过了满分 {fmt(f, 4)}；得分应在 0 到 {fmt(f, 4)} 之间。",
                        f"0–{fmt(f, 4)}", s)


@rule("MT002", KIND, "合计满分与各类满分之和不符")
def total_full(t: ManagementTable, ctx):
    """合计行的满分应等于各类满分之和（扣分项不计入满分）。

    为什么：换算得分以满分为分母，满分合计写错，换算得分就跟着错。
    例：各类满分 12 + 12 + 24 + 22 + 5 + 7 + 10 = 92，合计满分写 100 → 错误，应为 92。
    """
    if not _has(t.total_full):
        return
    fulls = [full_value(c) for c in t.categories if not c.deduction]
    fulls = [v for v in fulls if v is not None]
    if not fulls:
        return
    exp = sum(fulls)
    n = t.total_full
    if score_ok(n.value, n.decimals, exp, ctx.profile.tolerance):
        return
    root = _full_root(t, ctx)
    if root is not None:
        c, want = root
        yield Issue(c.full.cell, f"合计满分 {fmt(n.value, 4)} 与各类满分之和 {fmt(exp, 4)} 不符；“{_name(c)}”的满分 "
                                 f"{fmt(c.full.value, 4)} 低于其得分 {fmt(c.score.value, 4)}，应为 {fmt(want, 4)}。",
                    round(want, 4), c.full.value)
        return
    yield Issue(n.cell, f"合计满分应为 {fmt(exp, 4)}（{len(fulls)} 类满分之和：{_terms(fulls)}），"
                        f"表中为 {fmt(n.value, 4)}。", round(exp, 4), n.value)


@rule("MT003", KIND, "合计得分与各类得分之和不符")
def total_score(t: ManagementTable, ctx):
    """合计行的得分应等于各类得分之和；扣分项（如“存在问题扣分”）写 －2 或 2 都按减 2 分计算，没有扣分写 0。

    为什么：合计得分决定换算得分和等级，手工加总出错很常见。
    例：东史端镇 2023 年八类得分 11 + 12 + 23 + 21.5 + 4.5 + 7 + 10 － 0 = 89，表中合计写 91 → 错误。
    """
    if not _has(t.total_score):
        return
    cats = [c for c in t.categories if signed(c) is not None]
    if not cats:
        return
    exp = total_of(t)
    n = t.total_score
    if score_ok(n.value, n.decimals, exp, ctx.profile.tolerance):
        return
    fx = _fixes(t, ctx)
    fixed = _fixed_total(t, fx) if fx else None
    if fixed is not None and score_ok(n.value, n.decimals, fixed, ctx.profile.tolerance):
        yield cascade.consequence(n.cell, "合计得分", n.value, cascade.roots([c.score for c in t.categories], fx), fx)
        return
    via = _via_subtotals(t)
    if via is not None:  # added up from 小计 that MT008 finds wrong: wrong only because they are
        sfx = cascade.memo_fixes(ctx, "mt-subtotal-fixes", lambda: (i for i in subtotal_sums(t, ctx) if i.severity is None))
        rts = cascade.roots(via[1], sfx)
        if rts and score_ok(n.value, n.decimals, via[0], ctx.profile.tolerance):
            yield cascade.follow_on(n.cell, "合计得分", n.value, exp, rts, sfx, "各小计与其余各类得分之和", 4)
            return
    terms = _terms([abs(signed(c)) if c.deduction else signed(c) for c in cats], [c.deduction for c in cats])
    hint = ""
    deducted = sum(abs(signed(c)) for c in cats if c.deduction)
    if deducted > _EPS and score_ok(n.value, n.decimals, exp + 2 * deducted, ctx.profile.tolerance):
        hint = f"扣分项的 {fmt(deducted, 4)} 分应当减去，表中合计却把它加上了；"
    yield Issue(n.cell, f"合计得分应为 {fmt(exp, 4)}（{len(cats)} 项得分之和：{terms}），表中为 {fmt(n.value, 4)}。"
                        + (f"{hint}" if hint else ""), round(exp, 4), n.value)


@rule("MT004", KIND, "换算得分与合计得分、满分不符")
def converted(t: ManagementTable, ctx):
    """换算得分 = 合计得分 ÷ 满分 × 100，用重算（更正后）的合计得分和满分计算。

    为什么：换算得分是对外公布的百分制成绩，须与改正后的合计一致。若它是按表中写错的合计正确换算出来的，
    错误只记在合计上，换算得分处提示：改正合计后换算得分应改为多少（同一处错误只报一次）。
    例：合计 89、满分 92，换算得分应为 96.74，写 98.91 → 错误；东史端镇 2023 年合计误写 91 并按 91 换算为 98.91 → 合计处错误，换算得分处提示应改为 96.74。
    """
    n = t.converted
    if not _has(n):
        return
    exp = converted_of(t)
    if exp is None or score_ok(n.value, n.decimals, exp, ctx.profile.tolerance):
        return
    root = _full_root(t, ctx)
    if root is not None and total_of(t) is not None and \
            score_ok(n.value, n.decimals, total_of(t) / t.total_full.value * 100.0, ctx.profile.tolerance):
        yield cascade.consequence(n.cell, "换算得分", n.value, [root[0].full], {(root[0].full.cell.row, root[0].full.cell.col): root[1]})
        return
    fx = _fixes(t, ctx)
    fixed = _fixed_total(t, fx) if fx else None
    if fixed is not None and full_of(t) and score_ok(n.value, n.decimals, fixed / full_of(t) * 100.0, ctx.profile.tolerance):
        yield cascade.consequence(n.cell, "换算得分", n.value, cascade.roots([c.score for c in t.categories], fx), fx)
        return
    tot, full = total_of(t), full_of(t)
    d = max(2, n.decimals)
    st, sf = t.total_score, t.total_full
    if _has(st):
        # worked out right from a 合计 that MT003 / MT002 report: wrong only because of them (seed 001: 91 ÷ 92)
        stated_full = _has(sf) and bool(sf.value)
        denom = sf.value if stated_full else full
        fx = cascade.fixes((*total_score(t, ctx), *total_full(t, ctx)))  # errors, and a 合计 added from wrong 小计
        rts = cascade.roots([st, sf if stated_full else None], fx)
        if denom and rts and score_ok(n.value, n.decimals, st.value / denom * 100.0, ctx.profile.tolerance):
            how = f"表中的合计得分 {fmt(st.value, 4)} ÷ {'合计满分' if stated_full else '满分'} {fmt(denom, 4)} × 100 "
            yield cascade.follow_on(n.cell, "换算得分", n.value, exp, rts, fx, how, d)
            return
    yield Issue(n.cell, f"换算得分应为 {fmt(exp, d)}（合计得分 {fmt(tot, 4)} ÷ 满分 {fmt(full, 4)} × 100），"
                        f"表中为 {fmt(n.value, 4)}。", round(exp, d), n.value, exact=exp)


@rule("MT005", KIND, "评价等级与换算得分不符")
def grade(t: ManagementTable, ctx):
    """写出的评价等级应与重算的换算得分所在分档一致（分档取自地区配置的表单等级；优秀＝优、良好＝良）。

    为什么：等级按百分制的换算得分确定，合计或换算得分算错时等级也可能跟着错。
    例：换算得分 78，表中写“良好” → 错误：按 良 80–90、中 60–80 应为“中”。
    """
    if t.grade is None or not t.grade.value:
        return
    conv = converted_of(t)
    if conv is None:
        return
    bands = ctx.profile.bands("form")
    exp = bands.grade(round(conv, 2))
    if same_grade(t.grade.value, exp):
        return
    fx = _fixes(t, ctx)
    fixed, full = (_fixed_total(t, fx), full_of(t)) if fx else (None, None)
    if fixed is not None and full and same_grade(t.grade.value, bands.grade(round(fixed / full * 100.0, 2))):
        yield cascade.consequence(t.grade.cell, "评价等级", t.grade.value,
                                  cascade.roots([c.score for c in t.categories], fx), fx)
        return
    yield Issue(t.grade.cell, f"按重算的换算得分 {fmt(conv, 2)}，评价等级应为“{exp}”（{bands.describe()}），"
                              f"表中为“{t.grade.value}”。", exp, t.grade.value)


@rule("MT006", KIND, "满分或得分未填写")
def missing(t: ManagementTable, ctx):
    """每一类都应填写满分和得分（扣分项没有扣分时可写 0 或留空）。

    为什么：空着的满分或得分无法核对，合计和换算得分也会漏算。
    例：“预算透明度”的得分一栏为空 → 错误。
    """
    for c in all_rows(t):
        if c.deduction or c.parts:
            continue
        for n in (c.full, c.score):
            if n.state == "empty":
                yield Issue(n.cell, f"“{_name(c)}”的{n.label}未填写。", None, None)


@rule("MT007", KIND, "类别的满分、得分与其分项之和不符")
def parts_add_up(t: ManagementTable, ctx):
    """类别下列有分项（如“（一）重大政策落实”下的“1. 专项资金管理”）时，类别的满分、得分应等于各分项之和。

    为什么：分项逐条打分、类别再汇总，手工汇总时漏加、重复加很常见，类别错了合计也跟着错。
    例：“（一）重大政策落实”下分项得分 4 + 3.5 + 3 = 10.5，类别得分写 11 → 错误。
    """
    tol = ctx.profile.tolerance
    for c in t.categories:
        if not c.parts:
            continue
        fulls = [p.full.value for p in c.parts if not p.deduction]
        if _has(c.full) and fulls and all(v is not None for v in fulls):
            exp = sum(fulls)
            if not score_ok(c.full.value, c.full.decimals, exp, tol):
                yield Issue(c.full.cell, f"“{_name(c)}”的满分应为 {fmt(exp, 4)}（{len(fulls)} 个分项满分之和：{_terms(fulls)}），"
                                         f"表中为 {fmt(c.full.value, 4)}。", round(exp, 4), c.full.value)
        scores = [signed(p) for p in c.parts]
        if _has(c.score) and not c.deduction and all(v is not None for v in scores):
            exp = sum(scores)
            if not score_ok(c.score.value, c.score.decimals, exp, tol):
                terms = _terms([abs(v) if p.deduction else v for p, v in zip(c.parts, scores)], [p.deduction for p in c.parts])
                yield Issue(c.score.cell, f"“{_name(c)}”的得分应为 {fmt(exp, 4)}（{len(scores)} 个分项得分之和：{terms}），"
                                          f"表中为 {fmt(c.score.value, 4)}。", round(exp, 4), c.score.value)


@rule("MT008", KIND, "小计与其上各项之和不符")
def subtotal_sums(t: ManagementTable, ctx):
    """小计行（不是某一类别自身的满分、得分时）的满分、得分应等于它所合计的各项之和：类别下列有分项、类别行自己写了
    满分和得分时，是这些分项；表中没有上级类别、只用小计分段时，是上一个小计（或表头）以下的各类别。扣分项的得分按减去计算，
    满分不计入。某一类的得分本身有误（超出满分等）、改正后小计即正确时，只在该类处报错，小计处提示；
    合计得分按写错的小计相加得出时，只在小计处报错，合计和换算得分处提示改正后应为多少。

    为什么：小计是手工加总的，漏加、重复加或改了一项忘改小计很常见。
    例：“预算编制管理”12 分、“预算执行管理”24 分下面的小计满分写 34 → 错误，应为 36。
    """
    tol = ctx.profile.tolerance
    for sub in t.subtotals:
        first, last = _name(sub.members[0]), _name(sub.members[-1])
        what = f"“{first}”{f'至“{last}”' if len(sub.members) > 1 else ''}的小计"
        fulls = [full_value(c) for c in sub.members if not c.deduction]
        if _has(sub.full) and fulls and all(v is not None for v in fulls):
            exp = figures.subtotal(fulls)
            if not score_ok(sub.full.value, sub.full.decimals, exp, tol):
                yield Issue(sub.full.cell, f"{what}满分应为 {fmt(exp, 4)}（{len(fulls)} 项满分之和：{_terms(fulls)}），"
                                           f"表中为 {fmt(sub.full.value, 4)}。", round(exp, 4), sub.full.value, exact=exp)
        scores = [signed(c) for c in sub.members]
        if not (_has(sub.score) and scores and all(v is not None for v in scores)):
            continue
        exp = figures.subtotal(scores)
        if score_ok(sub.score.value, sub.score.decimals, exp, tol):
            continue
        fx = _fixes(t, ctx)
        nums = [c.score for c in sub.members if _has(c.score)]
        rts = cascade.roots(nums, fx)
        if rts:
            fixed = figures.subtotal([(-abs(cascade.value(c.score, fx)) if c.deduction else cascade.value(c.score, fx))
                                      if _has(c.score) else signed(c) for c in sub.members])
            if fixed is not None and score_ok(sub.score.value, sub.score.decimals, fixed, tol):
                yield cascade.consequence(sub.score.cell, f"{what}得分", sub.score.value, rts, fx)
                continue
        terms = _terms([abs(v) if c.deduction else v for c, v in zip(sub.members, scores)], [c.deduction for c in sub.members])
        yield Issue(sub.score.cell, f"{what}得分应为 {fmt(exp, 4)}（{len(scores)} 项得分之和：{terms}），"
                                    f"表中为 {fmt(sub.score.value, 4)}。", round(exp, 4), sub.score.value, exact=exp)
