"""The tolerance rules of DOMAIN.md §4, written down as tests."""

import pytest

from xltool.numbers import decimals_of
from xltool.precision import Tolerance, amount_ok, rate_ok, score_ok

TOL = Tolerance()


def test_weighted_score_display_rounding_is_fine():
    # 75.24 × 10% = 7.524 written as 7.5
    assert score_ok(7.5, decimals_of(7.5), 75.24 * 0.10, TOL)


def test_score_nine_for_nine_point_two_is_wrong():
    # 92% × 10 = 9.2 written as 9: scores are held to one decimal at least
    assert not score_ok(9, decimals_of(9.0), 0.92 * 10, TOL)


def test_score_with_two_decimals_is_held_to_them():
    assert score_ok(95.75, 2, 95.75, TOL)
    assert not score_ok(95.75, 2, 94.75, TOL)
    assert not score_ok(9.82, 2, 9.8, TOL)


def test_rate_whole_percent_rounding_is_fine():
    true = 1311.752 / 1338  # 98.04%
    assert rate_ok(0.98, 0, true, TOL)  # "98%"
    assert not rate_ok(0.90, 0, true, TOL)  # "90%"


def test_rate_written_with_decimals_is_held_to_them():
    true = 1311.752 / 1338  # 98.0383%
    assert rate_ok(0.9804, 2, true, TOL)
    assert not rate_ok(0.9810, 2, true, TOL)


def test_balance_zero_for_four_hundred_yuan_is_wrong():
    assert not amount_ok(0, 0, 30 - 29.9585, TOL)  # 0.0415 万元


def test_balance_rounded_to_the_cent_of_its_unit_is_fine():
    exp = 1338 - 1311.752  # 26.248
    assert amount_ok(26.25, 2, exp, TOL)
    assert amount_ok(26.248, 3, exp, TOL)
    assert not amount_ok(26.2, 1, exp, TOL)  # one decimal is not enough for amounts


def test_a_form_that_keeps_more_decimals_is_held_to_them():
    exp = 97.381545 - 97.0
    assert amount_ok(0.381545, 6, exp, TOL)
    assert not amount_ok(0.381555, 6, exp, TOL)


@pytest.mark.parametrize("value,dec", [(1311.752, 3), (7.5, 1), (96.0, 0), (0.9804, 4), (97.381545, 6),
                                       (26.248000000000001, 3), (1e-7, 6)])
def test_decimals_of(value, dec):
    assert decimals_of(value) == dec


def test_float_noise_does_not_make_errors():
    exp = 0.1 + 0.2
    assert amount_ok(0.3, 1, exp, TOL)
    assert score_ok(18.0, 0, 90 * 0.20, TOL)
