"""Rules for the project summary table (部门绩效自评结果公开汇总表).

Column-wise: the rules loop over the table's float lists and make a located value only for a cell
they report. A figure that is arithmetically right but follows from another wrong cell (a 合计 equal
to the sum of its column while one item is wrong) is at most a warning naming the root cell.
"""

from __future__ import annotations

import operator
from collections import Counter
from functools import reduce

from xltool import figures
from xltool.cells import Cell
from xltool.findings import WARNING, Issue
from xltool.kinds.common import label, years_in
from xltool.kinds import table as T
from xltool.kinds.table import name_keys
from xltool.kinds.summary import AMOUNT_ROLES, ROLE_CN, SummaryRow, SummaryTable, corrected_budgets, worked_from
from xltool.grades import written_grade
from xltool.precision import amount_ok, fmt, pct, rate_ok, score_ok
from xltool.rules import cascade, rule

KIND = "summary"
rate_of = figures.rate_of


def _has(n) -> bool:
    return n is not None and n.value is not None


def _amt_decimals(ctx, *nums) -> int:
    return max([ctx.profile.tolerance.amount_decimals] + [n.decimals for n in nums if n is not None])


def _exact(v: float, exp: float, eps: float = 5e-7) -> bool:
    """Equal at the tightest precision any written value is held to (fast path)."""
    return abs(v - exp) <= eps + 1e-9 * max(1.0, abs(exp))


def _rounded_ok(v: float, exp: float, min_decimals: int, shift: int = 0) -> bool:
    """Fast accept: ``v`` is ``exp`` rounded at the decimals ``v`` shows (at least ``min_decimals``
    after ``shift``: 2 for a rate held as a fraction and compared as a percentage). False only means
    "look closer" (the located check decides)."""
    for k in range(shift + max(min_decimals, 2), shift + 7):  # tried tight first: never accepts wrongly
        if round(v, k) == v:
            break
    else:
        return False
    d = max(min_decimals, k - shift)
    scale = 10.0 ** shift
    return abs(v - exp) * scale <= 0.5 * 10.0 ** -d + 1e-9 * max(1.0, abs(exp) * scale)


def _fixed_budgets(t: SummaryTable, ctx) -> dict[int, float]:
    """Item index → the 调整后预算数 SUM015 corrects (``kinds.summary.corrected_budgets``). A rate, balance or
    overspend that is right against it follows from the wrong 调整后预算数 (a warning naming that cell), not
    a second error; the 合计 are held to the corrected budgets."""
    return ctx.memo("sum-budget-fixes", lambda: corrected_budgets(t, ctx.profile))


def _follows_budget(t: SummaryTable, i: int, fb: float, n, what: str, shown: str) -> Issue:
    """A warning at ``n``: ``what`` is right against the 调整后预算数 SUM015 asks for on item ``i``."""
    bn = t.cols["budget"].num(i)
    return cascade.consequence(n.cell, what, shown, [bn], {(bn.cell.row, bn.cell.col): fb}, found=n.value)


@rule("SUM001", KIND, "执行率与预算数、执行数不符")
def execution_rate(t: SummaryTable, ctx):
    """执行率 = 执行数 ÷ 预算数（调整后），按表中写出的小数位核对。

    为什么：执行率是评价预算执行的核心指标，手算或复制粘贴常出错。
    例：预算数 1338、执行数 1311.752，执行率应为 98.04%；写 98% 属四舍五入，写 90% 为错误。
    """
    if "rate" not in t.cols:
        return
    zero, tol = ctx.profile.zero_budget_rate, ctx.profile.tolerance
    rates, col = t.values("rate"), t.cols["rate"]
    for i, (b, e, r) in enumerate(zip(t.values("budget"), t.values("execution"), rates)):
        if r is None or b is None or e is None:
            continue
        if b:  # inlined fast accept (hot loop): equal, or equal at the four decimals it shows
            dev = r - e / b
            if -5e-9 <= dev <= 5e-9 or (-5e-5 <= dev <= 5e-5 and round(r, 4) == r):
                continue
        exp = rate_of(b, e, zero)
        if exp is None or _exact(r, exp, 5e-9) or _rounded_ok(r, exp, tol.rate_decimals, 2):
            continue
        n = col.num(i)
        if not rate_ok(n.value, n.decimals, exp, tol):
            fb = _fixed_budgets(t, ctx).get(i)
            fixed = rate_of(fb, e, zero) if fb is not None else None
            if fixed is not None and rate_ok(n.value, n.decimals, fixed, tol):
                yield _follows_budget(t, i, fb, n, "执行率", pct(n.value, 4))
                continue
            yield Issue(n.cell,
                        f"执行率应为 {pct(exp)}（执行数 {fmt(e, 6)} ÷ 预算数 {fmt(b, 6)}），"
                        f"表中为 {pct(n.value, 4)}。", round(exp, 4), n.value, exact=exp)


@rule("SUM002", KIND, "结余数与预算数、执行数不符")
def balance(t: SummaryTable, ctx):
    """结余数 = 预算数 － 执行数，须精确到金额单位的 0.01（万元或元）。

    为什么：结余数决定应交回财政的资金，填成 0 或算错会掩盖未用完的预算。
    例：预算数 1338、执行数 1311.752，结余数应为 26.25（26.248）；写 0 为错误。
    """
    if "balance" not in t.cols:
        return
    col = t.cols["balance"]
    amt_d = ctx.profile.tolerance.amount_decimals
    for i, (b, e, v) in enumerate(zip(t.values("budget"), t.values("execution"), col.values)):
        if b is None or e is None:
            continue
        exp = b - e
        if v is not None:
            dev = v - exp
            if -5e-7 <= dev <= 5e-7 or (-0.005 <= dev <= 0.005 and round(v, 2) == v and amt_d <= 2) \
                    or _rounded_ok(v, exp, amt_d):
                continue
        n = col.num(i)
        if n.value is None:
            if n.state == "empty" and abs(exp) >= 0.005:
                bn, en = t.cols["budget"].num(i), t.cols["execution"].num(i)
                d = _amt_decimals(ctx, bn, en)
                yield Issue(n.cell,
                            f"结余数未填写，应为 {fmt(exp, d)}（预算数 {fmt(b, 6)} － 执行数 {fmt(e, 6)}）。",
                            round(exp, d), None, exact=exp)
            continue
        if not amount_ok(n.value, n.decimals, exp, ctx.profile.tolerance):
            fb = _fixed_budgets(t, ctx).get(i)
            if fb is not None and amount_ok(n.value, n.decimals, fb - e, ctx.profile.tolerance):
                yield _follows_budget(t, i, fb, n, "结余数", fmt(n.value, 6))
                continue
            d = _amt_decimals(ctx, n)
            yield Issue(n.cell,
                        f"结余数应为 {fmt(exp, d)}（预算数 {fmt(b, 6)} － 执行数 {fmt(e, 6)}），"
                        f"表中为 {fmt(n.value, 6)}。", round(exp, d), n.value, exact=exp)


@rule("SUM003", KIND, "结余交回财政数超出范围")
def returned(t: SummaryTable, ctx):
    """结余交回财政数应在 0 与结余数之间。

    为什么：交回财政的只能是结余的钱，交回数大于结余数或为负数都说明填错了。
    例：结余数 26.25，结余交回财政数写 30 → 错误，最多为 26.25。
    """
    if "returned" not in t.cols:
        return
    col = t.cols["returned"]
    bad = [i for i, (b, e, v) in enumerate(zip(t.values("budget"), t.values("execution"), col.values))
           if v and b is not None and e is not None and not (0 <= v <= b - e)] if any(col.values) else []
    roots = []
    for i in bad:
        n, e = col.num(i), t.values("execution")[i]
        fb = _fixed_budgets(t, ctx).get(i)
        if fb is not None and not list(_returned_issue(ctx, n, fb, e)):
            yield _follows_budget(t, i, fb, n, "结余交回财政数", fmt(n.value, 6))
            continue
        issues = list(_returned_issue(ctx, n, t.values("budget")[i], e))
        if issues:
            roots.append(col.num(i).cell.a1)
        yield from issues
    summed = figures.total(col.values)[0]
    items_balance = figures.total(t.values("budget"))[0] - figures.total(t.values("execution"))[0]
    tol = ctx.profile.tolerance
    for tot in t.totals:
        if not (_has(tot.returned) and _has(tot.budget) and _has(tot.execution)):
            continue
        n = tot.returned
        for issue in _returned_issue(ctx, n, tot.budget.value, tot.execution.value):
            if issue.found is None or issue.found <= 0:
                yield issue
            elif n.value <= items_balance + 0.5 * 10 ** -_amt_decimals(ctx, n):
                yield Issue(n.cell, f"合计结余交回财政数 {fmt(n.value, 6)} 未超过按各项目计算的结余数合计 "
                                    f"{fmt(items_balance, 6)}；超出本行结余数，是因为本行的预算数或执行数合计有误"
                                    "（见该行的合计提示），改正合计后即一致。", None, n.value, WARNING)
            elif roots and amount_ok(n.value, n.decimals, summed, tol):
                shown = "、".join(roots[:5]) + ("等" if len(roots) > 5 else "")
                yield Issue(n.cell, f"合计结余交回财政数 {fmt(n.value, 6)} 等于本列各项之和，超过合计结余数是因为 "
                                    f"{shown} 的结余交回财政数超出了该项目的结余数；改正后请重新核对合计。",
                            None, n.value, WARNING)
            elif amount_ok(n.value, n.decimals, summed, tol) and (over := [
                    t.cols["execution"].num(i).cell.a1 for i, (b, e) in
                    enumerate(zip(t.values("budget"), t.values("execution"))) if b is not None and e is not None
                    and e > b]):
                shown = "、".join(over[:5]) + ("等" if len(over) > 5 else "")
                yield Issue(n.cell, f"合计结余交回财政数 {fmt(n.value, 6)} 等于本列各项之和，各项目都未超出其结余数；"
                                    f"超过合计结余数是因为 {shown} 超预算支出，合计结余数已扣除了超支部分。",
                            None, n.value, WARNING)
            else:
                yield issue


def _returned_issue(ctx, n, b, e):
    bal = max(b - e, 0.0)
    v = n.value
    tol = 0.5 * 10 ** -_amt_decimals(ctx, n)
    if v < -tol:
        yield Issue(n.cell, f"结余交回财政数不能为负数，表中为 {fmt(v, 6)}。", 0, v)
    elif v > bal + tol:
        yield Issue(n.cell, f"结余交回财政数 {fmt(v, 6)} 超过结余数 {fmt(bal, 6)}（预算数 {fmt(b, 6)} － "
                            f"执行数 {fmt(e, 6)}），应在 0 到 {fmt(bal, 6)} 之间。", round(bal, 6), v)


@rule("SUM004", KIND, "执行数超过预算数")
def overspend(t: SummaryTable, ctx):
    """执行数超过预算数（调整后）：执行率大于 100%。

    为什么：超出调整后预算的支出不合规，预算管理系统保存时也会拒绝执行率超过 100% 的数据。
    例：预算数 100、执行数 105 → 错误：执行率 105%，超出预算 5。
    """
    for i, (b, e) in enumerate(zip(t.values("budget"), t.values("execution"))):
        if b is None or e is None or e - b <= 0.005:
            continue
        bn, en = t.cols["budget"].num(i), t.cols["execution"].num(i)
        over = e - b
        if over > 0.5 * 10 ** -_amt_decimals(ctx, bn, en):
            fb = _fixed_budgets(t, ctx).get(i)
            if fb is not None and e - fb <= 0.5 * 10 ** -_amt_decimals(ctx, bn, en):
                yield Issue(en.cell, f"执行数 {fmt(e, 6)} 超过预算数 {fmt(b, 6)}，是因为 {bn.cell.a1} 的调整后预算数有误"
                                     f"（应为 {fmt(fb, 6)}）；改正 {bn.cell.a1} 后执行数未超出预算，执行数无需改动。",
                            None, e, WARNING)
                continue
            rate = rate_of(b, e)
            rate_txt = f"执行率 {pct(rate)}，" if rate is not None else ""
            yield Issue(en.cell, f"执行数 {fmt(e, 6)} 超过预算数 {fmt(b, 6)}（{rate_txt}超出 "
                                 f"{fmt(over, 6)}），请核实是否超预算支出或预算数未按调整后填写。", b, e)


@rule("SUM005", KIND, "自评得分超出 0–100")
def score_range(t: SummaryTable, ctx):
    """自评得分应在 0 到 100 之间。

    为什么：自评满分为 100 分，超出范围的得分一定是填错了。
    例：自评得分 102 → 错误。
    """
    for i, v in enumerate(t.values("score")):
        if v is not None and not (-1e-9 <= v <= 100 + 1e-9):
            n = t.cols["score"].num(i)
            yield Issue(n.cell, f"自评得分应在 0–100 之间，表中为 {fmt(v, 6)}。", None, v)


def _texts_with_scores(t: SummaryTable, role: str, bad_pair):
    """(index, text, score) of the rows whose (text, score) pair ``bad_pair`` rejects; each distinct
    pair is judged once (a table repeats a handful of grade words and scores)."""
    if role not in t.texts or "score" not in t.cols:
        return []
    texts, scores = t.texts[role], t.values("score")
    bad = {pr for pr in set(zip(texts, scores)) if pr[0] and pr[1] is not None and bad_pair(T.as_text(pr[0]), pr[1])}
    if not bad:
        return []
    return [(i, T.as_text(pr[0]), pr[1]) for i, pr in enumerate(zip(texts, scores)) if pr in bad]


@rule("SUM006", KIND, "评价等级与得分不符")
def grade(t: SummaryTable, ctx):
    """评价等级应与自评得分所在的分档一致（分档取自地区配置）。

    为什么：等级是按分数段确定的，改了分数忘改等级是常见疏漏。
    例：得分 84、等级写“优秀”；按 优秀 ≥ 85、良好 75–85 应为“良好”。
    """
    bands = ctx.profile.bands("summary")
    words, bands_text = bands.words, bands.describe()
    for i, text, s in _texts_with_scores(t, "grade", lambda text, s: written_grade(text, words) != bands.grade(s)):
        exp = bands.grade(s)
        yield Issue(Cell(t.sheet, t.item_rows[i], t.columns["grade"]),
                    f"得分 {fmt(s, 2)} 对应的等级应为“{exp}”（{bands_text}），表中为“{text}”。", exp, text)


@rule("SUM007", KIND, "应用意见中的等级与得分不符")
def opinion_grade(t: SummaryTable, ctx):
    """自评结果应用意见中写到的等级（如“评价结果优秀”）应与自评得分的等级一致。

    为什么：意见是对外公开的文字，与分数矛盾会引起质疑。
    例：得分 84 的项目意见写“评价结果优秀，继续推进此项目” → 应为“良好”。
    """
    bands = ctx.profile.bands("summary")
    all_words, bands_text = bands.words, bands.describe()

    def named(text):
        return [w for w in all_words if w in text]

    for i, text, s in _texts_with_scores(t, "opinion", lambda text, s: bool(named(text)) and bands.grade(s) not in named(text)):
        words, exp = named(text), bands.grade(s)
        yield Issue(Cell(t.sheet, t.item_rows[i], t.columns["opinion"]),
                    f"应用意见写的是“{words[0]}”，但得分 {fmt(s, 2)} 对应“{exp}”（{bands_text}）。", exp, words[0])


@rule("SUM008", KIND, "执行率偏低却写“继续推进”", WARNING)
def opinion_low_execution(t: SummaryTable, ctx):
    """执行率低于配置的阈值（默认 60%）的项目，应用意见不宜写“继续推进此项目”。

    为什么：执行率低说明预算安排与实际需要脱节，通常应“调整优化支出结构”。
    例：预算数 12、执行数 0，意见写“继续推进此项目” → 提示。
    """
    p = ctx.profile
    if "opinion" not in t.texts:
        return
    cont, adjust = tuple(p.continue_words), tuple(p.adjust_words)
    says: dict = {}
    low = p.low_execution_rate
    fixed = _fixed_budgets(t, ctx)  # a wrong 调整后预算数 as corrected (SUM015)
    for i, (text, b, e) in enumerate(zip(t.texts["opinion"], t.values("budget"), t.values("execution"))):
        if fixed and i in fixed:
            b = fixed[i]
        if not text or b is None or e is None or (b > 0 and e >= low * b):
            continue
        rate = rate_of(b, e, p.zero_budget_rate)
        if rate is None or rate >= low or type(text) is not str:
            continue
        flag = says.get(text)
        if flag is None:
            flag = says[text] = any(w in text for w in cont) and not any(w in text for w in adjust)
        if flag:
            yield Issue(Cell(t.sheet, t.item_rows[i], t.columns["opinion"]),
                        f"执行率仅 {pct(rate)}（低于 {pct(p.low_execution_rate, 0)}），应用意见却写“继续推进”；"
                        "建议改为“调整优化支出结构”等意见。", None, text)


def _recomputed(t: SummaryTable, role: str, idx: list[int] | None = None,
                fixed_budgets: dict[int, float] | None = None) -> tuple[float, float, int, list[int]]:
    """Over the items ``idx`` (all when None): the sum of the column as written, the column's right
    sum (结余: Σ(预算 － 执行) and 调整后预算数, with the 调整后预算数 SUM015 corrects: ``fixed_budgets``; 结余交回:
    a value over its project's 结余数 counted as that 结余数),
    how many values were summed, and the items whose own value differs from its recomputed one (the root causes)."""
    vals = t.values(role)
    idx = range(len(vals)) if idx is None else idx
    derived = None
    if role == "balance":
        b, e = t.values("budget"), t.values("execution")
        if fixed_budgets:
            b = list(b)
            for i, v in fixed_budgets.items():
                b[i] = v
        derived = lambda i: figures.balance_of(b[i], e[i])  # noqa: E731
    elif role == "budget" and "budget_initial" in t.cols and "budget_adjust" in t.cols:
        a, adj, fb = t.values("budget_initial"), t.values("budget_adjust"), fixed_budgets or {}
        derived = lambda i: fb[i] if i in fb else vals[i] if vals[i] is not None else \
            figures.adjusted_budget(a[i], adj[i])  # noqa: E731
    elif role == "returned" and "budget" in t.cols and "execution" in t.cols:
        b, e = t.values("budget"), t.values("execution")

        def derived(i):  # a 结余交回财政数 over its project's 结余数 (SUM003) counts as that 结余数
            v = vals[i]
            if v is None or b[i] is None or e[i] is None:
                return None
            return min(v, max(b[i] - e[i], 0.0))
    if derived is None:
        got = [vals[i] for i in idx if vals[i] is not None] if not isinstance(idx, range) else \
            [v for v in vals if v is not None]
        return sum(got), sum(got), len(got), []
    if role == "balance" and isinstance(idx, range):
        right_vals = [x - y if x is not None and y is not None else v for x, y, v in zip(b, e, vals)]
        got = [v for v in vals if v is not None]
        wrong = [i for i, (v, r, x, y) in enumerate(zip(vals, right_vals, b, e))
                 if x is not None and y is not None and (v is None or abs(v - r) > 0.005)]
        return sum(got), sum(r for r in right_vals if r is not None), len(got), wrong
    if role == "returned" and isinstance(idx, range):  # the loop below, a column at once (100,000 rows)
        # min(v, max(x - y, 0.0)) spelled out: min and max called 100,000 times were a third of this rule
        right_vals = [v if v is None or x is None or y is None else
                      (v if not ((m := (x - y if x - y > 0.0 else 0.0)) < v) else m)
                      for x, y, v in zip(b, e, vals)]
        got = [v for v in vals if v is not None]
        wrong = [i for i, (v, r) in enumerate(zip(vals, right_vals)) if v is not None and abs(v - r) > 0.005]
        add = lambda xs: reduce(operator.add, xs, 0.0)  # noqa: E731  added in order, as the loop (not sum())
        return add(got), add(r for r in right_vals if r is not None), len(got), wrong
    stated, right, count, wrong = 0.0, 0.0, 0, []
    for i in idx:
        v = vals[i]
        if v is not None:
            stated += v
            count += 1
        d = derived(i) if derived is not None else None
        r = d if d is not None else v
        if r is not None:
            right += r
        if d is not None and (v is None or abs(v - d) > 0.005):
            wrong.append(i)
    return stated, right, count, wrong


def _sum_issue(t: SummaryTable, ctx, n, role: str, idx: list[int] | None, what: str):
    """A 合计/小计 cell against its items: right → nothing; equal to its column's written sum while
    some item is wrong → a warning naming those items; otherwise an error."""
    tol = ctx.profile.tolerance
    stated_sum, right, count, wrong = _recomputed(t, role, idx, _fixed_budgets(t, ctx))
    if amount_ok(n.value, n.decimals, right, tol):
        return
    d = _amt_decimals(ctx, n)
    if wrong and amount_ok(n.value, n.decimals, stated_sum, tol):
        yield Issue(n.cell, f"{what}{n.label}与本列各项之和一致；{_rows_text(t, wrong, role)} 的{n.label}改正后，"
                            f"{what}应为 {fmt(right, d)}。", round(right, d), n.value, WARNING, exact=right)
        return
    items = len(t.item_rows) if idx is None else len(idx)
    how = f"{count} 个项目之和" if not wrong else f"{items} 个项目按各自应有数之和"
    yield Issue(n.cell, f"{what}{n.label}应为 {fmt(right, d)}（{how}），表中为 {fmt(n.value, 6)}，"
                        f"相差 {fmt(n.value - right, 6)}。", round(right, d), n.value, exact=right)


def _rows_text(t: SummaryTable, idx: list[int], role: str) -> str:
    cells = [Cell(t.sheet, t.item_rows[i], t.columns[role]).a1 for i in idx[:5]]
    more = f" 等 {len(idx)} 处" if len(idx) > 5 else ""
    return "、".join(cells) + more


@rule("SUM009", KIND, "合计行与各项之和不符")
def totals(t: SummaryTable, ctx):
    """合计/总计行（无论在表头下方、表尾，还是两处都有）的每一列金额应等于该列各项目之和（不含分组行和小计行），
    合计行的执行率 = 执行数合计 ÷ 预算数合计。

    为什么：合计是对外公开的总数，漏加、重复加或手改过的合计很常见。结余数按各项目预算数 － 执行数核对：
    合计等于本列各项之和、只因某个项目的结余数算错而不对时，错误记在那个项目上，合计处只提示，并写明是哪一格。
    例：三个项目执行数 100、200、300，合计写 500 → 错误，应为 600。
    """
    tol = ctx.profile.tolerance
    for tot in t.totals:
        for role in AMOUNT_ROLES:
            n = getattr(tot, role)
            if role in t.cols and _has(n):
                yield from _sum_issue(t, ctx, n, role, None, "合计")
        if _has(tot.rate) and "budget" in t.cols and "execution" in t.cols:
            yield from _total_rate(t, ctx, tot)
        if _has(tot.score):
            scores = [s for s in t.values("score") if s is not None]
            if scores:
                mean = sum(scores) / len(scores)
                if not (score_ok(tot.score.value, tot.score.decimals, mean, tol)
                        or score_ok(tot.score.value, tot.score.decimals, sum(scores), tol)):
                    yield Issue(tot.score.cell, f"合计行的得分应为各项目得分的平均值 {fmt(mean, 2)}，表中为 {fmt(tot.score.value, 6)}。",
                                round(mean, 2), tot.score.value, exact=mean)


def _total_rate(t: SummaryTable, ctx, tot: SummaryRow):
    """A 合计 row's 执行率 against Σ执行数 ÷ Σ预算数 of the items. Right once the items' wrong 调整后预算数
    are corrected, or equal to its own row's 执行数 ÷ 预算数 while those are wrong: a warning naming the cause."""
    tol, zero = ctx.profile.tolerance, ctx.profile.zero_budget_rate
    bt, et = figures.total(t.values("budget"))[0], figures.total(t.values("execution"))[0]
    exp = rate_of(bt, et, zero)
    n = tot.rate
    if exp is None:
        return
    fbs = _fixed_budgets(t, ctx)
    fixed = None
    if fbs:
        b_vals = t.values("budget")
        fixed = rate_of(bt + sum(v - b_vals[i] for i, v in fbs.items()), et, zero)
        bns = [t.cols["budget"].num(i) for i in sorted(fbs)]
    if rate_ok(n.value, n.decimals, exp, tol):
        if fixed is not None and not rate_ok(n.value, n.decimals, fixed, tol):
            yield Issue(n.cell, f"合计执行率与各项目执行数之和 ÷ 预算数之和一致；{_rows_text(t, sorted(fbs), 'budget')} 的"
                                f"调整后预算数改正后，合计执行率应为 {pct(fixed)}。", round(fixed, 4), n.value, WARNING)
        return
    if fixed is not None and rate_ok(n.value, n.decimals, fixed, tol):
        yield cascade.consequence(n.cell, "合计执行率", pct(n.value, 4), bns,
                                  {(b.cell.row, b.cell.col): fbs[i] for i, b in zip(sorted(fbs), bns)}, found=n.value)
        return
    own = rate_of(tot.budget.value, tot.execution.value, zero) if _has(tot.budget) and _has(tot.execution) else None
    if own is not None and rate_ok(n.value, n.decimals, own, tol):
        roots = [x.cell.a1 for x, s in ((tot.budget, bt), (tot.execution, et)) if not amount_ok(x.value, x.decimals, s, tol)]
        yield Issue(n.cell, f"合计执行率与本行的执行数 ÷ 预算数一致；{'、'.join(roots)} 改正后，应为 {pct(exp)}。",
                    round(exp, 4), n.value, WARNING)
        return
    yield Issue(n.cell, f"合计执行率应为 {pct(exp)}（执行数合计 {fmt(et, 6)} ÷ 预算数合计 {fmt(bt, 6)}），"
                        f"表中为 {pct(n.value, 4)}。", round(exp, 4), n.value, exact=exp)


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
    names = t.texts.get("name", [])
    for role in ("budget", "execution"):
        col = t.cols[role]
        for i in ([i for i, v in enumerate(col.values) if v is None] if None in col.values else []):
            if True:
                n = col.num(i)
                if n.state == "empty":
                    name = T.as_text(names[i]) if names else ""
                    yield Issue(n.cell, f"项目“{name or '（无名称）'}”的{n.label}未填写。", None, None)


@rule("SUM012", KIND, "金额为负数")
def negative(t: SummaryTable, ctx):
    """预算数、执行数、结余数不应为负数（执行数超过预算数时的负结余，由“执行数超过预算数”一并指出）。

    为什么：负数通常是把减数和被减数写反了，或者录入了冲销数。
    例：执行数 －12 → 错误。
    """
    b_vals, e_vals = t.values("budget"), t.values("execution")
    for role in ("budget", "execution", "balance"):
        col = t.cols.get(role)
        if col is None or min((v for v in col.values if v is not None), default=0.0) >= -0.005:
            continue
        for i, v in enumerate(col.values):
            if v is None or v >= -0.005:
                continue
            if role == "balance" and b_vals[i] is not None and e_vals[i] is not None:
                continue  # follows from the amounts: SUM004 / SUM002 report the root cause
            n = col.num(i)
            if n.value < -0.5 * 10 ** -_amt_decimals(ctx, n):
                yield Issue(n.cell, f"{n.label}为负数（{fmt(n.value, 6)}），请核实。", None, n.value)


@rule("SUM013", KIND, "项目名称重复", WARNING)
def duplicate_names(t: SummaryTable, ctx):
    """同一张汇总表中项目名称不应重复。

    为什么：重复的行会让预算、执行合计被重复计算。
    例：“2023年镇级防汛工作经费”出现两次 → 提示第二次出现的位置。
    """
    names = t.text_list("name")
    keys = name_keys(names)
    if len(set(keys)) == len(keys):
        return
    first: dict[str, int] = {}
    for i, (name, key) in enumerate(zip(names, keys)):
        if not key:
            continue
        if key in first:
            yield Issue(Cell(t.sheet, t.item_rows[i], t.columns["name"]),
                        f"项目名称与第 {t.item_rows[first[key]] + 1} 行重复：“{name}”。", None, name)
        else:
            first[key] = i


@rule("SUM014", KIND, "小计行或分组行与所属项目之和不符")
def subtotals(t: SummaryTable, ctx):
    """小计行的每一列金额应等于它上方、上一个小计或分组标题以下各项目之和；写有金额的分组标题行
    （如“二、项目支出 30 27”）应等于它下方、到下一个同级或上级分组为止各项目之和。小计和分组行不计入合计。

    为什么：分组小计是合计的组成部分，加错了会让读者对不上账；它们也不是项目，不能被当成项目重复计算。
    例：“一、基本支出”下两个项目预算数 10、20，小计写 25 → 错误，应为 30。
    """
    ends = sorted([r.row for r in t.totals])
    for level, grp in t.group_sums:
        stop = min([r for r, lv in t.groups if r > grp.row and lv <= level] + [e for e in ends if e > grp.row]
                   + [10 ** 9])
        yield from _part_sums(t, ctx, grp, [i for i, r in enumerate(t.item_rows) if grp.row < r < stop], "分组")
    bounds = sorted([s.row for s in t.subtotals] + [g for g, _ in t.groups] + [t.header_rows[1]])
    for sub in t.subtotals:
        start = max(b for b in bounds if b < sub.row)
        yield from _part_sums(t, ctx, sub, [i for i, r in enumerate(t.item_rows) if start < r < sub.row], "小计")


def _part_sums(t: SummaryTable, ctx, row, idx: list[int], what: str):
    """Each amount a group or 小计 row states against the sum of its items ``idx`` (none: nothing to check)."""
    if not idx:
        return
    for role in AMOUNT_ROLES:
        n = getattr(row, role)
        if role in t.cols and _has(n):
            yield from _sum_issue(t, ctx, n, role, idx, what)


@rule("SUM015", KIND, "调整后预算数与年初预算数、调整数不符")
def adjusted_budget(t: SummaryTable, ctx):
    """调整后预算数 = 年初预算数 + 调整数（表中有这三列时核对）。

    为什么：年中追加或调减预算后，调整后预算数是执行率的分母；算错了执行率也跟着错。本行的执行率、结余数按
    年初预算数 + 调整数算是对的时，错误只记在调整后预算数上，它们只作提示（改正调整后预算数即可）；若它们是按
    表中的调整后预算数算的，也可能是年初预算数或调整数填错了，说明中写出调整数应为多少。
    例：年初预算数 100、调整数 －20，调整后预算数应为 80；写 120 → 错误。
    """
    if not all(k in t.cols for k in ("budget_initial", "budget_adjust", "budget")):
        return
    col = t.cols["budget"]
    for i, (a, d, v) in enumerate(zip(t.values("budget_initial"), t.values("budget_adjust"), col.values)):
        exp = figures.adjusted_budget(a, d)
        if exp is None or v is None or _exact(v, exp):
            continue
        n = col.num(i)
        if not amount_ok(n.value, n.decimals, exp, ctx.profile.tolerance):
            dd = _amt_decimals(ctx, n)
            agree = worked_from(t, ctx.profile, i, v, exp)
            hint = (f"本行的{'、'.join(agree)}是按调整后预算数 {fmt(v, 6)} 算的：若调整后预算数无误，应改正年初预算数或"
                    f"调整数（调整数应为 {fmt(v - a, dd)}）。") if agree else ""
            yield Issue(n.cell, f"调整后预算数应为 {fmt(exp, dd)}（年初预算数 {fmt(a, 6)} + 调整数 {fmt(d, 6)}），"
                                f"表中为 {fmt(v, 6)}。" + hint, round(exp, dd), v)


@rule("SUM016", KIND, "空表：只有表头，没有项目", WARNING)
def empty_table(t: SummaryTable, ctx):
    """汇总表只有表头（或只有空行、合计行），没有任何项目行。

    为什么：没有项目就没有可核对的内容；这样的表不能算“通过”，请确认是否漏填或导出不完整。
    例：从系统导出的空白汇总表模板 → 提示：本表没有项目。
    """
    if t.empty:
        yield Issue(t.label_cells.get("name") or Cell(t.sheet, t.header_rows[0], 0),
                    f"工作表“{t.sheet}”只有表头，没有项目行（空表），未做核算；请确认是否漏填或导出不完整。")
