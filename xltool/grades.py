"""Grade words as officers write them: 优秀 and 优 are the same grade, 一般 / 中等 / 合格 / 中 too."""

from __future__ import annotations

from xltool.kinds.common import label

# Words that mean the same grade, best first.
GRADE_GROUPS = (("优秀", "优"), ("良好", "良"), ("中等", "一般", "合格", "中"), ("较差", "不合格", "差"))
_WORDS = sorted(((w, i) for i, ws in enumerate(GRADE_GROUPS) for w in ws), key=lambda x: -len(x[0]))


def grade_group(text: str | None) -> int | None:
    """Index of the grade a text names (优秀/优 → 0 … 较差/差 → 3); the first grade word written wins."""
    t = label(text or "")
    for pos in range(len(t)):
        for w, i in _WORDS:
            if t.startswith(w, pos):
                return i
    return None


def written_grade(text: str, words: tuple[str, ...]) -> str | None:
    """The band word (one of ``words``, from the profile) that ``text`` names, else the text itself."""
    t = label(text)
    if t in words:
        return t
    g = grade_group(t)
    if g is not None:
        for w in words:
            if grade_group(w) == g:
                return w
    for w in words:
        if w in t:
            return w
    return t or None


def same_grade(written: str, expected: str) -> bool:
    gw, ge = grade_group(written), grade_group(expected)
    if gw is not None and ge is not None:
        return gw == ge
    w = label(written)
    return bool(w) and (w == expected or expected in w)
