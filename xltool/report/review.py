"""Recomputed ("复核") columns a kind asks the annotator to add beside its table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ReviewColumn:
    title: str  # e.g. "执行率（复核）"
    values: dict[int, Any]  # 0-based sheet row → value
    number_format: str | None = None
