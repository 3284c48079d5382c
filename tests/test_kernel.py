"""Reading typed filters and weights; refusing what cannot be used."""

import math

import numpy as np
import pytest

from filters import KernelError, format_weight, normalizing_weight, parse_kernel, parse_weight
from filters.kernel import parse_number


def test_parses_integers_decimals_fractions_and_exponents():
    cells = [["-1", "0", "1"], ["1/9", " 0.5 ", "2e-1"], [3, 4.5, "\u22122"]]
    kernel = parse_kernel(cells)
    assert kernel.dtype == np.float64
    assert kernel.tolist() == [[-1, 0, 1], [1 / 9, 0.5, 0.2], [3, 4.5, -2]]


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (None, "middle row, right column is empty"),
        ("", "middle row, right column is empty"),
        ("   ", "middle row, right column is empty"),
        (float("nan"), "middle row, right column is empty"),
        ("abc", "'abc', which is not a number"),
        ("1/0", "not a number"),
        ("nan", "not a number"),
        ("inf", "not a number"),
        (float("inf"), "finite"),
        ("1e308", "keep values between"),
        (1e7, "keep values between"),
        ("-2000000", "keep values between"),
        (True, "must be a number"),
    ],
)
def test_refuses_bad_cells_naming_the_cell(cell, message):
    cells = [["0"] * 3, ["0", "0", cell], ["0"] * 3]
    with pytest.raises(KernelError, match=message):
        parse_kernel(cells)


def test_refuses_wrong_shapes():
    with pytest.raises(KernelError, match="3 x 3"):
        parse_kernel([["1", "2"], ["3", "4"]])


def test_limits_are_inclusive():
    assert parse_number("1000000", "cell") == 1e6
    assert parse_number(-1e6, "cell") == -1e6


def test_weight_parsing():
    assert parse_weight("1/9") == pytest.approx(1 / 9)
    assert parse_weight("0") == 0
    with pytest.raises(KernelError, match="weight"):
        parse_weight("ten")


def test_normalizing_weight_is_one_over_the_sum_unless_it_is_zero():
    assert normalizing_weight(np.ones((3, 3))) == pytest.approx(1 / 9)
    assert normalizing_weight(np.full((3, 3), 10 / 9)) == pytest.approx(0.1)  # the lab's 0.1
    assert normalizing_weight(np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])) is None


def test_format_weight_prefers_short_decimals_then_fractions():
    assert format_weight(1.0) == "1"
    assert format_weight(0.1) == "0.1"
    assert format_weight(0.25) == "0.25"
    assert format_weight(1 / 9) == "1/9"
    assert format_weight(1 / 16) == "1/16"
    assert format_weight(-1 / 3) == "-1/3"
    assert format_weight(math.pi) == "3.14159"
    for weight in (1.0, 0.1, 1 / 9, 1 / 16, -1 / 3, 2.5):
        assert parse_weight(format_weight(weight)) == pytest.approx(weight, rel=1e-12)


def test_a_value_just_over_the_limit_is_named_as_typed_not_rounded_to_the_limit():
    with pytest.raises(KernelError) as refusal:
        parse_number("1000001", "cell")
    assert str(refusal.value) == "The cell is 1,000,001; keep values between -1,000,000 and 1,000,000."
    with pytest.raises(KernelError, match=r"is 1000000\.5;"):
        parse_number("1000000.5", "cell")
