"""Regional profiles: grade bands, the execution-score rule, weights, tolerances, severities.

Profiles are TOML data files shipped beside this module (``national`` is the default). A user's
own file may name ``base = "hebei"`` and override only what differs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xltool.errors import ProfileError
from xltool.precision import Tolerance

SEVERITIES = ("error", "warning", "info", "off")
EXECUTION_RULES = ("proportional", "interval", "weighted")


@dataclass(frozen=True)
class Bands:
    """Grade bands from the top down: ((85, "优秀"), (75, "良好"), …)."""

    bands: tuple[tuple[float, str], ...]

    def grade(self, score: float | None) -> str | None:
        if score is None:
            return None
        for low, word in self.bands:
            if score >= low - 1e-9:
                return word
        return self.bands[-1][1]

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(w for _, w in self.bands)

    def describe(self) -> str:
        parts = []
        for i, (low, word) in enumerate(self.bands):
            if i == 0:
                parts.append(f"{word} ≥ {low:g}")
            elif low > 0:
                parts.append(f"{word} {low:g}–{self.bands[i - 1][0]:g}")
            else:
                parts.append(f"{word} < {self.bands[i - 1][0]:g}")
        return "，".join(parts)


@dataclass(frozen=True)
class Qualitative:
    """A band of qualitative wording (达成 / 部分达成 / 未达成 …) and the share of 分值 it allows."""

    name: str
    low: float  # fraction of 分值
    high: float
    words: tuple[str, ...]


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    grades: dict[str, Bands]
    execution_rule: str
    execution_points: float
    execution_weight: float
    execution_intervals: tuple[tuple[float, float], ...]
    zero_budget_rate: float
    weights: dict[str, float]
    tolerance: Tolerance
    high_actual_ratio: float
    low_execution_rate: float
    continue_words: tuple[str, ...]
    adjust_words: tuple[str, ...]
    severity: dict[str, str] = field(default_factory=dict)
    source: str = ""
    qualitative: tuple[Qualitative, ...] = ()

    def bands(self, level: str) -> Bands:
        return self.grades.get(level) or self.grades["form"]

    def execution_score(self, rate: float | None, points: float | None = None) -> float | None:
        """The execution-rate score under this profile's rule (``points`` from the form if stated)."""
        if rate is None:
            return None
        pts = self.execution_points if points is None else points
        if self.execution_rule == "interval":
            scale = pts / self.execution_points if self.execution_points else 1.0
            for low, got in self.execution_intervals:
                if rate >= low - 1e-12:
                    return got * scale
            return 0.0
        if self.execution_rule == "weighted":
            return min(rate, 1.0) * 100.0
        return min(max(rate, 0.0), 1.0) * pts

    def describe_execution(self) -> str:
        if self.execution_rule == "interval":
            parts = [f"≥{low * 100:g}% 得 {got:g} 分" for low, got in self.execution_intervals]
            return "分档计分：" + "，".join(parts)
        if self.execution_rule == "weighted":
            return f"单项得分 = 执行率 × 100，权重 {self.execution_weight:g}%"
        return f"min(执行率, 100%) × {self.execution_points:g} 分"


DEFAULT = "national"


def _builtin_names() -> list[str]:
    from importlib import resources

    return sorted(p.name[:-5] for p in resources.files(__package__).iterdir() if p.name.endswith(".toml"))


def available() -> list[Profile]:
    return [load(n) for n in _builtin_names()]


def _read_builtin(name: str) -> dict[str, Any]:
    if name == DEFAULT:  # the default, as Python data generated from national.toml (start-up time)
        import copy

        from xltool.profiles._national import DATA

        return copy.deepcopy(DATA)
    import tomllib
    from importlib import resources

    res = resources.files(__package__) / f"{name}.toml"
    return tomllib.loads(res.read_text(encoding="utf-8"))


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(base[k], v) if isinstance(v, dict) and isinstance(base.get(k), dict) else v
    return out


_CACHE: dict[str, Profile] = {}


def load(name_or_path: str | Path | None = None) -> Profile:
    """Load a built-in profile by name, or a TOML file by path. Raises ProfileError (Chinese)."""
    key = str(name_or_path or DEFAULT)
    if key in _CACHE:
        return _CACHE[key]
    if key == DEFAULT or key in _builtin_names():
        data = _read_builtin(key)
        source = f"内置：{key}"
    else:
        path = Path(key)
        if not path.suffix.lower() == ".toml" and not path.exists():
            raise ProfileError(f"未知的地区配置“{key}”。可用：{'、'.join(_builtin_names())}，或给出 .toml 文件路径。")
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ProfileError(f"无法读取配置文件 {path}：{exc.strerror or exc}") from exc
        import tomllib

        try:
            own = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ProfileError(f"配置文件 {path} 格式错误（TOML 语法）：{exc}") from exc
        base = own.pop("base", "national")
        if base not in _builtin_names():
            raise ProfileError(f"配置文件 {path} 的 base = “{base}” 不是内置配置（可用：{'、'.join(_builtin_names())}）。")
        data = _merge(_read_builtin(base), own)
        data.setdefault("name", path.stem)
        source = str(path)
    prof = _build(data, source)
    _CACHE[key] = prof
    return prof


def _need(data: dict, dotted: str, types: type | tuple, source: str):
    cur: Any = data
    for part in dotted.split("."):
        if not isinstance(cur, dict) or part not in cur:
            raise ProfileError(f"配置 {source} 缺少键 “{dotted}”。")
        cur = cur[part]
    if not isinstance(cur, types) or isinstance(cur, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
        raise ProfileError(f"配置 {source} 的键 “{dotted}” 类型不对（当前值：{cur!r}）。")
    return cur


def _bands(value: Any, key: str, source: str) -> Bands:
    if not isinstance(value, list) or not value:
        raise ProfileError(f"配置 {source} 的键 “{key}” 应为 [[下限, \"等级\"], …] 列表。")
    out = []
    for item in value:
        if (not isinstance(item, list) or len(item) != 2 or not isinstance(item[0], (int, float))
                or isinstance(item[0], bool) or not isinstance(item[1], str)):
            raise ProfileError(f"配置 {source} 的键 “{key}” 中的 {item!r} 应为 [下限, \"等级\"]。")
        out.append((float(item[0]), item[1]))
    lows = [b[0] for b in out]
    if lows != sorted(lows, reverse=True):
        raise ProfileError(f"配置 {source} 的键 “{key}” 应按分数从高到低排列。")
    return Bands(tuple(out))


def _qualitative(raw: Any, source: str) -> tuple[Qualitative, ...]:
    if raw is None:  # a profile that does not list them uses the national wording
        raw = _read_builtin("national").get("qualitative", [])
    if not isinstance(raw, list):
        raise ProfileError(f"配置 {source} 的 “qualitative” 应为 [[qualitative]] 表的列表。")
    out = []
    for item in raw:
        try:
            low, high = float(item["low"]), float(item["high"])
            words = tuple(str(w) for w in item["words"])
            name = str(item.get("name") or words[0])
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ProfileError(f"配置 {source} 的 “qualitative” 每一档应有 low、high（百分比）和 words（词语列表）。") from exc
        if not 0 <= low <= high <= 100 or not words:
            raise ProfileError(f"配置 {source} 的 “qualitative” 档次“{name}”的范围应为 0 ≤ low ≤ high ≤ 100。")
        out.append(Qualitative(name, low / 100.0, high / 100.0, words))
    return tuple(out)


def _build(data: dict, source: str) -> Profile:
    num = (int, float)
    name = _need(data, "name", str, source)
    grades_raw = _need(data, "grades", dict, source)
    grades = {k: _bands(v, f"grades.{k}", source) for k, v in grades_raw.items()}
    for level in ("summary", "form", "indicator"):
        if level not in grades:
            raise ProfileError(f"配置 {source} 缺少键 “grades.{level}”。")
    rule = _need(data, "execution_score.rule", str, source)
    if rule not in EXECUTION_RULES:
        raise ProfileError(f"配置 {source} 的键 “execution_score.rule” 应为 {' / '.join(EXECUTION_RULES)}（当前值：{rule}）。")
    intervals: tuple[tuple[float, float], ...] = ()
    if rule == "interval":
        raw = _need(data, "execution_score.intervals", list, source)
        try:
            intervals = tuple((float(a), float(b)) for a, b in raw)
        except (TypeError, ValueError) as exc:
            raise ProfileError(f"配置 {source} 的键 “execution_score.intervals” 应为 [[执行率下限, 得分], …]。") from exc
    weights = {str(k): float(v) for k, v in _need(data, "weights", dict, source).items()
               if isinstance(v, num) and not isinstance(v, bool)}
    tol = data.get("tolerance", {})
    sev = data.get("severity", {}) or {}
    for code, level in sev.items():
        if level not in SEVERITIES:
            raise ProfileError(f"配置 {source} 的键 “severity.{code}” 应为 {' / '.join(SEVERITIES)}（当前值：{level}）。")
    ops = data.get("opinions", {})
    try:
        tolerance = Tolerance(
            amount_decimals=int(tol.get("amount_decimals", 2)),
            rate_decimals=int(tol.get("rate_decimals", 0)),
            score_decimals=int(tol.get("score_decimals", 1)),
        )
    except (TypeError, ValueError) as exc:
        raise ProfileError(f"配置 {source} 的 “tolerance” 各项应为整数。") from exc
    return Profile(
        name=name,
        title=str(data.get("title", name)),
        grades=grades,
        execution_rule=rule,
        execution_points=float(_need(data, "execution_score.points", num, source)),
        execution_weight=float(data["execution_score"].get("weight", 10)),
        execution_intervals=intervals,
        zero_budget_rate=float(data["execution_score"].get("zero_budget_rate", 0.0)),
        weights=weights,
        tolerance=tolerance,
        high_actual_ratio=float(tol.get("high_actual_ratio", 1.2)),
        low_execution_rate=float(ops.get("low_execution_rate", 0.6)),
        continue_words=tuple(ops.get("continue_words", ("继续推进",))),
        adjust_words=tuple(ops.get("adjust_words", ("调整优化",))),
        severity=dict(sev),
        source=source,
        qualitative=_qualitative(data.get("qualitative"), source),
    )
