"""Findings: what a rule found, where, what it should be."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xltool.cells import Cell

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITY_CN = {ERROR: "错误", WARNING: "提示", INFO: "信息"}
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}


@dataclass(frozen=True, slots=True)
class Issue:
    """What a rule function yields: a located problem, before code and severity are attached."""

    cell: Cell | None
    message: str
    expected: Any = None
    found: Any = None
    severity: str | None = None  # overrides the rule's default when set
    exact: float | None = None  # ``expected`` unrounded, where rounding it lost digits (--fix writes it)


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: str
    sheet: str | None
    cell: str | None  # "F7"
    message: str
    expected: Any = None
    found: Any = None
    row: int | None = None  # 0-based position, for annotating
    col: int | None = None
    exact: float | None = None  # ``expected`` unrounded (the value ``--fix`` writes into a number cell)

    def to_json(self) -> dict:
        return {
            "severity": self.severity,
            "rule": self.rule,
            "sheet": self.sheet,
            "cell": self.cell,
            "message": self.message,
            "expected": _jsonable(self.expected),
            "found": _jsonable(self.found),
        }


def _jsonable(v: Any) -> Any:
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        r = round(v, 6)
        return int(r) if r.is_integer() and abs(r) < 1e15 else r
    return str(v)


@dataclass(frozen=True, slots=True)
class SheetNote:
    """A code the engine itself gives (not a rule function): listed in ``xltool rules`` like a rule."""

    code: str
    kind: str
    title: str
    severity: str
    doc: str

    @property
    def example(self) -> str:
        return next((line.strip()[2:].strip() for line in self.doc.splitlines() if line.strip().startswith("例：")), "")


ENGINE_CODES = (
    SheetNote("XL001", "*", "未识别的工作表，未核查", INFO,
              "未识别的工作表：工作簿里不属于任何已知表格类型的工作表（填表说明、空工作表、绩效目标申报表等）不核查，"
              "只列出一条信息，说明它是什么。整个工作簿都没有可识别的自评表时，文件的状态是“未识别”"
              "（文件能打开，不是损坏，但未核查），不是“无法读取”。\n\n"
              "为什么：一个工作簿常夹带说明页或其他表，逐项核查它们只会产生误报；一批材料里混进的其他附件也不应被说成文件损坏。\n"
              "例：模板里的“填表说明”工作表 → 信息：工作表“填表说明”不是可识别的自评表，未检查。"),
    SheetNote("XL003", "*", "工作表未读取", WARNING,
              "工作表未读取：工作表过大（行列数超出读取上限）或内部结构损坏时不读取，列出原因；其余工作表照常核查。\n\n"
              "为什么：一张异常的大表不应拖垮整个文件的核查，但审核人员需要知道它没有被检查。\n"
              "例：某工作表声明有上百万行 → 提示：工作表过大，未读取。"),
)
