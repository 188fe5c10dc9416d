"""Numbers as officers type them."""

import pytest

from xltool.numbers import parse_number, parse_target


@pytest.mark.parametrize("raw,value,is_text", [
    (1338, 1338.0, False),
    (1311.752, 1311.752, False),
    ("1,338.00", 1338.0, True),
    ("１３３８", 1338.0, True),
    ("95.06%", 0.9506, True),
    ("96分", 96.0, True),
    (" 12.5 万元", 12.5, True),
    ("９５．５", 95.5, True),
])
def test_numbers_typed_as_text_are_parsed(raw, value, is_text):
    p = parse_number(raw)
    assert p.value == pytest.approx(value)
    assert p.is_text is is_text


@pytest.mark.parametrize("raw", ["", None, "-", "—", "/", "无"])
def test_nil_values_are_empty(raw):
    p = parse_number(raw)
    assert p.value is None and p.empty


@pytest.mark.parametrize("raw", ["良好", "见附件", "12-15", True])
def test_words_are_not_numbers(raw):
    p = parse_number(raw)
    assert p.value is None and not p.empty


def test_percent_decimals_are_the_percent_figures():
    assert parse_number("98.04%").decimals == 2
    assert parse_number("98%").decimals == 0


@pytest.mark.parametrize("raw,op,value,percent,unit", [
    ("≥5000平方米", ">=", 5000, False, "平方米"),
    ("≤200元", "<=", 200, False, "元"),
    ("100%", None, 1.0, True, ""),
    ("=100%", "=", 1.0, True, ""),
    (">=90%", ">=", 0.9, True, ""),
    ("明显改善", None, None, False, "明显改善"),
    ("95%以上", ">=", 0.95, True, ""),
    ("＜5%", "<", 0.05, True, ""),
    (20, None, 20.0, False, ""),
])
def test_targets(raw, op, value, percent, unit):
    t = parse_target(raw)
    assert t.op == op
    assert (t.value is None and value is None) or t.value == pytest.approx(value)
    assert t.percent is percent
    assert t.unit == unit
