"""Shortcuts taken for speed give exactly what the plain way gives (issue 12)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from xltool.kinds.table import name_key, name_keys

_PIECES = ["（一）项目", "ＡＢＣ１２３", "a\u0301", "\u0301", "e\u0308", "合　计", "x\ty", "ﬁ", " ", "①", "\u3000",
           "é", "\n", "Å", "\u1100\u1161", "ｶﾞ", "\0", "(", "）"]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.lists(st.sampled_from(_PIECES), max_size=4).map("".join), max_size=8))
def test_name_keys_of_all_names_at_once_are_each_names_key(names):
    """duplicate_names folds every name in one pass (NUL between them): the keys are those of each name."""
    assert name_keys(names) == [name_key(n) for n in names]
