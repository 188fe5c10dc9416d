"""Rules for the scored indicator table (部门整体支出绩效评价指标评分表)."""

from __future__ import annotations

from xltool.findings import Issue
from xltool.kinds.score_table import (
    Group,
    Item,
    ScoreTable,
    all_groups,
    full_score,
    level_name,
    points_of,
    score_of,
    signed_score,
    total_score,
)
from xltool.grades import same_grade
from xltool.precision import fmt, score_ok
from xltool.rules import rule

KIND = "score-table"
FULL_MARKS = 100.0
_EPS = 1e-9
MAX_TERMS = 12

def _has(n) -> bool:
    return n is not None and n.value is not None


def _terms(values, signs=None) -> str:
    """"11 + 12 + 23 － 0" from values (a deduction is shown as － its absolute value)."""
    out = []
    for i, v in enumerate(values):
        neg = signs[i] if signs else v < 0
        a = fmt(abs(v), 4)
        if i == 0:
            out.append(f"－{a}" if neg else a)
        else:
            out.append(f"－ {a}" if neg else f"+ {a}")
    return " ".join(out)


def _children_desc(t: ScoreTable, g: Group, what: str, values: list[float]) -> str:
    """"其下 9 个三级指标分值之和：2 + 3 + …"."""
    if g.groups and not g.items:
        lvl = level_name(g.level + 1)
    elif g.items and not g.groups:
        lvl = level_name(t.leaf_level)
    else:
        lvl = "指标"
    n = len(g.children)
    base = f"其下 {n} 个{lvl}{what}之和"
    if n <= MAX_TERMS:
        if g.groups and not g.items:
            named = [f"{ch.title} {fmt(v, 4)}" for ch, v in zip(g.groups, values)]
            return base + "：" + " + ".join(named).replace("+ -", "－ ")
        return base + "：" + _terms(values, [isinstance(ch, Item) and ch.deduction for ch in g.children])
    return base


def _group_title(g: Group) -> str:
    return f"{level_name(g.level)}“{g.title}”"


def _top_desc(t: ScoreTable, of) -> str:
    """"投入 20 + 过程 37.75 + …" over the 一级 groups (or the items when there are no groups)."""
    if t.groups:
        vals = [(g.title, of(g)) for g in t.groups]
        if all(v is not None for _, v in vals) and len(vals) <= MAX_TERMS:
            return "按一级指标：" + " + ".join(f"{n} {fmt(v, 4)}" for n, v in vals)
        return ""
    if len(t.items) <= MAX_TERMS:
        vals = [of(i) for i in t.items]
        if all(v is not None for v in vals):
            return _terms(vals, [i.deduction for i in t.items])
    return ""


@rule("ST001", KIND, "得分超出分值")
def score_within_points(t: ScoreTable, ctx):
    """每个指标的得分应在 0 与该指标分值之间。

    为什么：分值是该指标的满分，得分超过分值或为负数，说明填错了行、填反了分值与得分，或多算了分。
    例：“财务管理规范性”分值 4、得分 4.5 → 错误，得分最多为 4。
    """
    for it in t.items:
        if it.deduction or not (_has(it.points) and _has(it.score)):
            continue
        p, s = it.points.value, it.score.value
        if s < -_EPS:
            yield Issue(it.score.cell, f"“{it.name.value}”的得分为 {fmt(s, 4)}，不能为负数；应在 0 到分值 {fmt(p, 4)} 之间。",
                        f"0–{fmt(p, 4)}", s)
        elif s > p + _EPS:
            yield Issue(it.score.cell, f"“{it.name.value}”的得分 {fmt(s, 4)} 超过了分值 {fmt(p, 4)}；得分应在 0 到 {fmt(p, 4)} 之间。",
                        f"0–{fmt(p, 4)}", s)
    tol = ctx.profile.tolerance
    for g in all_groups(t):
        stated_p = g.points.value if _has(g.points) else None
        over = [it for it in _leaves(g) if not it.deduction and _has(it.points) and _has(it.score)
                and it.score.value > it.points.value + _EPS]
        for n in [g.score] + [s.score for s in g.subtotals]:
            if _has(n) and stated_p is not None and n.value > stated_p + _EPS:
                exp = score_of(g)
                if over and exp is not None and score_ok(n.value, n.decimals, exp, tol):
                    # the group's score is the sum of its items: the root cause is the item over its 分值
                    roots = "、".join(f"“{it.name.value}”（{it.score.cell.a1}）" for it in over)
                    yield Issue(n.cell, f"{_group_title(g)}的得分 {fmt(n.value, 4)} 超过了其分值 {fmt(stated_p, 4)}，"
                                        f"这是其下{roots}得分超出分值所致；该项改正后，本项得分应随之改正。",
                                f"0–{fmt(stated_p, 4)}", n.value, severity="warning")
                    continue
                yield Issue(n.cell, f"{_group_title(g)}的得分 {fmt(n.value, 4)} 超过了其分值 {fmt(stated_p, 4)}。",
                            f"0–{fmt(stated_p, 4)}", n.value)


def _leaves(g: Group):
    yield from g.items
    for ch in g.groups:
        yield from _leaves(ch)


def _group_sums(t: ScoreTable, ctx, value_of, attr: str, word: str, show_diff: bool):
    """Each 一级/二级 group's stated 分值 or 得分 (column or 小计 row) against the sum of its children."""
    tol = ctx.profile.tolerance
    for g in all_groups(t):
        if not g.children:
            continue
        vals = [value_of(ch) for ch in g.children]
        if any(v is None for v in vals):
            continue
        exp = sum(vals)
        cells = [(getattr(g, attr), f"{_group_title(g)}的{word}")] + \
            [(getattr(s, attr), f"{_group_title(g)}的小计{word}") for s in g.subtotals]
        for n, what in cells:
            if not _has(n) or score_ok(n.value, n.decimals, exp, tol):
                continue
            diff = f"，相差 {fmt(n.value - exp, 4)}" if show_diff else ""
            yield Issue(n.cell, f"{what}应为 {fmt(exp, 4)}（{_children_desc(t, g, word, vals)}），表中为 {fmt(n.value, 4)}{diff}。",
                        round(exp, 4), n.value)


@rule("ST002", KIND, "下级指标分值之和与上级分值不符")
def points_add_up(t: ScoreTable, ctx):
    """三级指标的分值之和应等于所属二级指标的分值，二级之和应等于一级（分值列或小计行写出时核对）。

    为什么：分值层层分解，任何一级分值写错或漏写一项，满分就不再是 100 分，得分也失去可比性。
    例：二级指标“预算执行”分值写 24，其下 9 个三级指标分值之和为 25 → 错误，应为 25。
    """
    yield from _group_sums(t, ctx, points_of, "points", "分值", show_diff=False)


@rule("ST003", KIND, "小计得分与下级得分之和不符")
def scores_add_up(t: ScoreTable, ctx):
    """一级、二级指标的得分（得分列或小计行）应等于其下各指标得分之和。

    为什么：小计是汇总时最容易手算出错的地方，小计错了，总分和等级往往跟着错。
    例：一级指标“过程”的小计得分写 38.75，其下三个二级指标得分 22.75 + 7 + 8 = 37.75 → 错误。
    """
    yield from _group_sums(t, ctx, score_of, "score", "得分", show_diff=True)


@rule("ST004", KIND, "合计行的分值与各项之和不符")
def total_points(t: ScoreTable, ctx):
    """合计（总分）行的分值应等于各指标分值之和（合计写 100 而各项之和不是 100 时，由 ST005 提示）。

    为什么：合计分值就是这张表的满分；与各项之和对不上，说明某项分值或合计写错了。
    例：各三级指标分值之和为 100，合计行分值写 95 → 错误。
    """
    if t.total is None:
        return
    full = full_score(t)
    if full is None:
        return
    tol = ctx.profile.tolerance
    for n in [n for tot in (t.total,) + t.other_totals for n in tot.points.values()]:
        if not _has(n) or score_ok(n.value, n.decimals, full, tol):
            continue
        if score_ok(n.value, n.decimals, FULL_MARKS, tol):
            continue  # 100 is the intended full score: ST005 points at the items
        desc = _top_desc(t, points_of)
        yield Issue(n.cell, f"合计分值应为 {fmt(full, 4)}（{len(t.items)} 项{level_name(t.leaf_level)}分值之和"
                            f"{'，' + desc if desc else ''}），表中为 {fmt(n.value, 4)}。", round(full, 4), n.value)


@rule("ST005", KIND, "满分不是 100 分")
def full_marks(t: ScoreTable, ctx):
    """各指标分值之和（满分）应为 100 分。

    为什么：评分表按百分制评价，等级也按百分制分档；分值之和不是 100，总分和等级都不可信。
    例：各三级指标分值之和为 99，合计写 100 → 错误：有指标的分值少写了 1 分。
    """
    full = full_score(t)
    if full is None or score_ok(full, 0, FULL_MARKS, ctx.profile.tolerance):
        return
    where = None
    stated = None
    if t.total is not None and t.total.points:
        n = t.total.points.get(t.leaf_level) or next(iter(t.total.points.values()))
        where, stated = n.cell, n.value
    elif t.groups and _has(t.groups[0].points):
        where = t.groups[0].points.cell
    elif t.items:
        where = t.items[0].points.cell
    desc = _top_desc(t, points_of)
    said = f"；合计行写的是 {fmt(stated, 4)}" if stated is not None else ""
    yield Issue(where, f"各{level_name(t.leaf_level)}分值之和为 {fmt(full, 4)}{'（' + desc + '）' if desc else ''}，"
                       f"满分应为 100 分{said}。请核对各项分值。", FULL_MARKS, round(full, 4))


@rule("ST006", KIND, "总分与各项得分之和不符")
def total_score_rule(t: ScoreTable, ctx):
    """合计（总分）行的得分应等于各指标得分之和。

    为什么：总分决定评价等级并对外公开，手工加总出错很常见。
    例：高邑镇 2024 年评分表各项得分之和为 94.75，表中合计写 95.75 → 错误。
    """
    if t.total is None:
        return
    exp = total_score(t)
    if exp is None:
        return
    tol = ctx.profile.tolerance
    scored = [i for i in t.items if signed_score(i) is not None]
    desc = _top_desc(t, score_of)
    for n in [n for tot in (t.total,) + t.other_totals for n in tot.scores.values()]:
        if not _has(n) or score_ok(n.value, n.decimals, exp, tol):
            continue
        yield Issue(n.cell, f"合计得分应为 {fmt(exp, 4)}（{len(scored)} 项{level_name(t.leaf_level)}得分之和"
                            f"{'，' + desc if desc else ''}），表中为 {fmt(n.value, 4)}，相差 {fmt(n.value - exp, 4)}。",
                    round(exp, 4), n.value)


@rule("ST007", KIND, "评价等级与总分不符")
def grade_rule(t: ScoreTable, ctx):
    """评价等级应与重算的总分所在分档一致（分档取自地区配置的表单等级；优秀＝优、良好＝良、一般＝中、较差＝差）。

    为什么：等级按总分确定；总分改了而等级没改，或总分本身算错，都会让等级与实际得分矛盾。
    例：各项得分之和 84，表中写“优秀” → 错误：按 优 ≥ 90、良 80–90 应为“良”。
    """
    if t.grade is None or not t.grade.value:
        return
    tot = total_score(t)
    if tot is None:
        return
    bands = ctx.profile.bands("form")
    exp = bands.grade(round(tot, 2))
    if same_grade(t.grade.value, exp):
        return
    extra = ""
    stated = t.total.scores.get(t.leaf_level) if t.total is not None else None
    if _has(stated) and abs(stated.value - tot) > _EPS and same_grade(t.grade.value, bands.grade(stated.value)):
        extra = f"表中等级与表中合计 {fmt(stated.value, 4)} 相符，但合计本身有误；"
    yield Issue(t.grade.cell, f"{extra}按重算的总分 {fmt(tot, 4)}，评价等级应为“{exp}”（{bands.describe()}），"
                              f"表中为“{t.grade.value}”。", exp, t.grade.value)


@rule("ST008", KIND, "指标分值或得分未填写")
def missing(t: ScoreTable, ctx):
    """每个指标都应填写分值和得分（扣分项除外）。

    为什么：空着的分值或得分无法核对，汇总时也会被当作 0 漏算。
    例：三级指标“支出进度”的得分一栏为空 → 错误。
    """
    for it in t.items:
        if it.deduction:
            continue
        for n in (it.points, it.score):
            if n.state == "empty":
                yield Issue(n.cell, f"{level_name(t.leaf_level)}“{it.name.value or '（未命名）'}”的{n.label}未填写。", None, None)


@rule("ST009", KIND, "扣分与分值、得分不符")
def deduction_column(t: ScoreTable, ctx):
    """表中有“扣分”列时，每一行的扣分应等于本行分值减得分（写成负数也可）。

    为什么：扣分列是对得分的复核，扣分与分值、得分对不上，说明其中一个数字改过而另一个没跟着改。
    例：“财务管理规范性”分值 6、得分 3.75，扣分写 2 → 错误，应为 2.25。
    """
    tol = ctx.profile.tolerance
    recomputed = {}  # row of a group / 小计 / 合计 → its 分值 and 得分 recomputed from the items
    for g in all_groups(t):
        for n in [g.score] + [s.score for s in g.subtotals]:
            if _has(n):
                recomputed[n.cell.row] = (points_of(g), score_of(g))
    for tot in ((t.total,) + t.other_totals) if t.total is not None else ():
        for n in tot.scores.values():
            recomputed[n.cell.row] = (full_score(t), total_score(t))

    def fits(d, exp):
        return exp is not None and (score_ok(d.value, d.decimals, exp, tol) or score_ok(-d.value, d.decimals, exp, tol))

    for p, s, d in t.deductions:
        exp = p.value - s.value
        if fits(d, exp):
            continue
        rp, rs = recomputed.get(s.cell.row, (None, None))
        if rp is not None and rs is not None and fits(d, rp - rs):
            continue  # the 扣分 is right: the row's 分值 or 得分 is the wrong one (ST002–ST006 say so)
        yield Issue(d.cell, f"扣分应为 {fmt(exp, 4)}（分值 {fmt(p.value, 4)} － 得分 {fmt(s.value, 4)}），"
                            f"表中为 {fmt(d.value, 4)}。", round(exp, 4), d.value)
