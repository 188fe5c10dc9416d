"""The label vocabulary, as data: which header words mean which column role, and which do not.

Each kind names its roles in a tuple of ``Role(name, words, exclude, amount)``; the first role one
of whose ``words`` occurs in a (normalised) label wins, unless one of its ``exclude`` words occurs too.
An ``amount`` role (a figure that is added up or divided) is never taken from a label that names a
year, a date, a time, a status, a code or a telephone number (``AMOUNT_GUARD``): 开始执行年份 is not
an 执行数. Kept as plain Python data so that a check needs no parsing at run time; a new layout adds
words here, not code.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Role:
    name: str
    words: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    amount: bool = False  # summed/divided: never from a year/date/status/code/phone label
    cn: str = ""  # the role's Chinese name, for messages


# Words that can never label an amount column.
AMOUNT_GUARD = ("年份", "日期", "时间", "状态", "编码", "代码", "电话", "号码", "编号", "月份")

# Row words (normalised text of a short key cell).
TOTAL_WORDS = ("合计", "总计")
SUBTOTAL_WORDS = ("小计",)
# A row naming a part of the item above it ("其中：中央资金"): it and the unnumbered rows after it, until the
# parts add up to the item's amount, split that item, they are no items of their own.
PART_WORDS = ("其中",)
NOTE_PREFIXES = ("注", "附表", "附件", "附：", "附:", "说明", "填表说明", "填报说明", "评分说明", "编制说明", "填报人", "审核人", "单位负责人", "填表人", "备注：", "备注:", "联系电话", "制表",
                 "财务负责人", "填报日期", "填表日期")

# 年初预算数 + 调整数 = 调整后预算数. Under a merged parent 预算数 the children are often just 年初 | 调整 |
# 调整后 (or 全年): 年初 and 调整 name the parts; 调整后 / 全年 fall through to the parent's 预算 (the 调整后
# budget). 调整预算数 is the adjusted budget itself (决算 tables: 年初预算数 | 调整预算数 | 决算数), not the
# adjustment. (A 年初结转 column is a 结余/结转 one: that role comes first.)
INITIAL_WORDS = ("年初预算", "年初批复", "年初安排", "年初")
ADJUST_WORDS = ("调整数", "调增", "调减", "预算调整", "追加", "追减", "调整")
ADJUST_NOT = ("调整后", "调整预算", "含调整")

# 部门绩效自评结果公开汇总表 (summary): order matters.
SUMMARY = (
    Role("seq", ("序号",), cn="序号"),
    Role("returned", ("交回",), amount=True, cn="结余交回财政数"),
    Role("balance", ("结余", "结转"), amount=True, cn="结余数"),
    Role("rate", ("执行率", "执行进度", "支出进度"), amount=True, cn="执行率"),
    Role("opinion", ("意见", "应用"), cn="自评结果应用意见"),
    Role("grade", ("等级", "评价结果", "评定结果"), cn="评价等级"),
    Role("score", ("得分", "自评分", "评分", "分数"), amount=True, cn="自评得分"),
    Role("budget_initial", INITIAL_WORDS, amount=True, cn="年初预算数"),
    Role("budget_adjust", ADJUST_WORDS, exclude=ADJUST_NOT, amount=True, cn="调整数"),
    Role("budget", ("预算", "批复数", "安排数"), exclude=("指标名称", "预算单位", "预算科目", "预算项目"),
         amount=True, cn="预算数"),
    Role("execution", ("执行数", "执行金额", "实际支出", "支出数", "支出金额", "执行"), amount=True, cn="执行数"),
    Role("impl", ("实施单位", "责任单位", "单位名称"), cn="项目实施单位"),
    Role("name", ("项目名称", "项目"), exclude=("编号", "编码", "代码", "类型", "负责人", "一级项目", "二级项目", "期限"),
         cn="项目名称"),
)

# Header words of the other kinds: a row with one of them is not a summary header.
SUMMARY_REFUSE = ("分值", "一级指标", "年度总体目标", "权重")

# A 绩效目标申报表: targets without 完成值 / 分值 / 得分 — named for what it is, not checked.
TARGET_FORM_TITLES = ("绩效目标申报表", "绩效目标表", "绩效目标申报")
TARGET_FORM_LABELS = ("年度绩效目标", "总体目标", "指标值", "绩效指标")
SELF_EVAL_LABELS = ("完成值", "分值", "得分", "自评", "实际完成")

# ---------------------------------------------------------------- forms (项目支出 / 部门整体支出绩效自评表)

# The 一级指标 column of the indicator tables (the three forms and the score table): their header starts
# at a row holding it (formparts.find_indicator_header), within FORM_HEADER_ROWS.
LEVEL1_WORDS = ("一级",)
FORM_HEADER_ROWS = 60  # formparts.HEADER_SCAN_ROWS: forms put long goal lists above the indicator table

# The indicator table's columns, in matching order: the first role whose word occurs wins. A role not read
# by name in formparts (指标性质, 得分系数, 是否核心指标 …) is still read, as text, into Indicator.extra.
FORM_INDICATORS = (
    Role("weighted", ("折算",), cn="折算得分"),
    Role("weight", ("权重",), cn="权重占比"),
    Role("grade", ("等级",), cn="完成等级"),
    Role("reason", ("偏差", "原因", "改进措施"), cn="偏差原因分析及改进措施"),
    Role("level1", LEVEL1_WORDS, cn="一级指标"),
    Role("level2", ("二级",), cn="二级指标"),
    Role("level3", ("三级",), cn="三级指标"),
    Role("desc", ("指标说明",), cn="指标说明"),
    # Sichuan: the operator (=, ≥, ≤ / 正向, 反向) in its own column, apart from the target.
    Role("nature", ("指标性质", "指标方向", "计算符号", "运算符号"), cn="指标性质"),
    # Chongqing: 得分 = 分值 × 得分系数; 是否核心指标 marks the core indicators.
    Role("coef", ("得分系数", "评分系数", "完成系数"), cn="得分系数"),
    Role("core", ("是否核心指标", "核心指标"), cn="是否核心指标"),
    Role("actual", ("实际完成", "完成值", "实际值"), cn="实际完成值"),
    Role("target", ("指标值", "目标值"), cn="年度指标值"),
    Role("unit", ("单位", "文字描述"), cn="单位"),
    Role("points", ("分值", "满分"), cn="分值"),
    Role("score", ("得分",), cn="得分"),
)

# What a 指标性质 cell may say, and the operator it puts before the target ("≥" + "90%" → "≥90%").
NATURE_OPERATORS = {"≥": "≥", ">=": "≥", "＞": ">", ">": ">", "=": "=", "＝": "=", "≤": "≤", "<=": "≤", "<": "<",
                    "＜": "<", "大于等于": "≥", "不低于": "≥", "小于等于": "≤", "不高于": "≤", "等于": "=",
                    "正向": "≥", "正向指标": "≥", "反向": "≤", "反向指标": "≤"}

# The fund block of the points form: 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分.
FORM_FUNDS = (
    Role("initial", INITIAL_WORDS, amount=True, cn="年初预算数"),
    Role("adjust", ADJUST_WORDS, exclude=ADJUST_NOT, amount=True, cn="调整数"),
    Role("rate", ("执行率", "执行进度"), cn="执行率"),
    Role("points", ("分值",), cn="分值"),
    Role("score", ("得分",), cn="得分"),
    Role("budget", ("全年预算", "调整后预算", "预算数"), amount=True, cn="全年预算数"),
    Role("execution", ("全年执行", "执行数", "实际支出"), amount=True, cn="全年执行数"),
)

# ---------------------------------------------------------------- score table (部门整体支出绩效评价指标评分表)

# Explanatory columns: a label with one of these words is a note, never a 得分/等级 column.
SCORE_NOTE_WORDS = ("说明", "标准", "依据", "原因", "备注", "解释", "情况", "方法", "要点", "内容", "细则", "办法", "要求")

# The score table's columns. The level columns are ``level0`` … ``level3`` (一级 … 四级指标); a 分值/得分
# column belongs to the nearest level column on its left (the kind decides that, not the words).
SCORE_TABLE = (
    Role("level0", LEVEL1_WORDS, cn="一级指标"),
    Role("level1", ("二级",), cn="二级指标"),
    Role("level2", ("三级",), cn="三级指标"),
    Role("level3", ("四级",), cn="四级指标"),
    Role("seq", ("序号", "编号"), cn="序号"),
    Role("points", ("分值", "满分", "标准分", "配分"), cn="分值"),
    Role("score", ("得分", "自评分", "评分", "评价分"), exclude=SCORE_NOTE_WORDS, cn="得分"),
    Role("grade", ("等级",), exclude=SCORE_NOTE_WORDS, cn="评价等级"),
    # 扣分 = 分值 − 得分 beside them (扣分原因 / 扣分说明 are notes)
    Role("deducted", ("扣分", "扣减分", "失分"), exclude=SCORE_NOTE_WORDS, cn="扣分"),
    Role("note", SCORE_NOTE_WORDS, cn="评分说明"),
)
SCORE_LEVELS = ("level0", "level1", "level2", "level3")
# A single indicator-name column whose levels are written as numbering (一、 / （一） / 1.), and the
# words the 一级 rows of such a table hold (a management table has eight fixed categories instead).
SCORE_NAME_LABELS = ("指标", "评价指标", "指标名称", "考核指标", "绩效指标", "指标内容")
SCORE_TOP_WORDS = ("投入", "过程", "产出", "效果", "效益")

# Header words of the project forms and the summary: a band holding one of them is not a score table.
SCORE_TABLE_REFUSE = ("年度指标值", "实际完成值", "全年预算数", "权重", "指标值", "完成值")

# Row words of the score table.
SCORE_TOTAL_WORDS = ("合计", "总计", "总分", "总得分", "综合得分", "得分合计", "最终得分", "评价得分合计")
SCORE_GRADE_WORDS = ("评价等级", "绩效等级", "评定等级", "自评等级", "等级", "评价结果", "评价结论")
DEDUCTION_WORDS = ("扣分", "扣减", "减分")

# ---------------------------------------------------------------- management table (绩效管理自评表)

MANAGEMENT_HEADER_ROWS = 40  # management.SCAN_ROWS: the header band starts within them
MANAGEMENT_CONVERTED_WORDS = ("换算得分", "换算分", "折算得分", "百分制得分", "换算后得分")
MANAGEMENT_FULL_WORDS = ("满分", "分值", "标准分", "应得分", "基础分", "配分")
MANAGEMENT = (
    Role("converted", MANAGEMENT_CONVERTED_WORDS, cn="换算得分"),
    Role("seq", ("序号", "编号"), cn="序号"),
    Role("full", MANAGEMENT_FULL_WORDS, cn="满分"),
    Role("name", ("评价内容", "考核内容", "评价项目", "考核项目", "考核指标", "评价指标", "指标名称", "考核事项", "评价要素"),
         cn="评价内容"),
    Role("score", ("得分", "自评分", "评分", "评价分"), exclude=SCORE_NOTE_WORDS, cn="得分"),
    Role("grade", ("等级",), exclude=SCORE_NOTE_WORDS, cn="评价等级"),
    Role("note", SCORE_NOTE_WORDS, cn="说明"),
    Role("name", ("项目", "内容", "指标", "类别"), cn="评价内容"),
)
# A header row with indicator levels is the score table's or a form's, not this one's.
MANAGEMENT_REFUSE = ("一级", "二级", "三级")
# Words in a sheet that say "绩效管理自评表"; category names it usually has.
MANAGEMENT_SIGNAL_WORDS = ("绩效管理", "管理绩效", "换算得分", "换算分", "折算得分")
MANAGEMENT_CATEGORY_WORDS = ("重大政策", "预算编制", "预算执行", "预算绩效", "资产管理", "预算透明", "预算信息化", "存在问题",
                             "财务管理", "绩效管理")
MANAGEMENT_TOTAL_WORDS = ("合计", "总计", "总分", "得分合计")

# ---------------------------------------------------------------- pre-screens (kinds/__init__)


@dataclass(frozen=True, slots=True)
class Screen:
    """A necessary condition of a kind's ``detect``, tested before the kind's module is even imported
    (start-up time): within the sheet's top ``rows`` rows, some text contains one of ``words`` or starts
    with one of ``starts``. Made of the words the kind's own header needs, so the two cannot drift apart."""

    rows: int
    words: tuple[str, ...] = ()
    starts: tuple[str, ...] = ()


_INDICATOR_TABLE = Screen(FORM_HEADER_ROWS, words=LEVEL1_WORDS)
# kind NAME → its screen (a kind without one is always tried)
PRESCREENS = {
    "weighted-form": _INDICATOR_TABLE,
    "project-form": _INDICATOR_TABLE,
    "department-form": _INDICATOR_TABLE,
    # a 一级 column, or one indicator-name column whose levels are numbered (score_table._numbered_header)
    "score-table": Screen(FORM_HEADER_ROWS, words=LEVEL1_WORDS, starts=SCORE_NAME_LABELS),
    # a 满分/分值 … column in a header band (up to three rows) starting within its rows
    "management-table": Screen(MANAGEMENT_HEADER_ROWS + 2, words=MANAGEMENT_FULL_WORDS),
}
