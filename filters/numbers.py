"""How numbers are written on screen: one formatter for every grid, table and sum.

Whole numbers are written as integers (pixel values: ``192``); other values
with at most two decimals, rounded half up as at school (``85.33``, ``0.5``,
0.125 -> ``0.13``). A value that is not zero never reads as zero: below 0.005
it keeps two significant digits (0.004 -> ``0.004``, 0.000123 -> ``0.00012``).
Within 1e-9 of a whole number a value is that number: float arithmetic leaves
such crumbs (255 / 9 x 9 - 255), and they are not values anybody computed.
Using the same function everywhere is what makes the number in the inspector
the number in the grid.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

import numpy as np

_WHOLE_TOLERANCE = 1e-9
_HUNDREDTHS = Decimal("0.01")


def format_value(value: float) -> str:
    """Write one value: ``192``, ``-330``, ``85.33``, ``0.5`` (never ``-0``)."""
    return _format(float(value))


@lru_cache(maxsize=65_536)
def _format(value: float) -> str:
    """``format_value`` of a float, remembered: pixel values and products repeat across a grid."""
    if not np.isfinite(value):
        return str(value)
    nearest = round(value)
    if abs(value - nearest) <= _WHOLE_TOLERANCE * max(1.0, abs(value)):
        text = str(int(nearest))
    else:
        exact = Decimal(repr(value))
        # Below 0.005, hundredths would read 0: two significant digits instead.
        step = _HUNDREDTHS if abs(value) >= 0.005 else Decimal(1).scaleb(exact.adjusted() - 1)
        rounded = exact.quantize(step, rounding=ROUND_HALF_UP)
        text = f"{rounded:f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def format_values(values: np.ndarray) -> np.ndarray:
    """``format_value`` applied to every element; returns an array of str of the same shape."""
    values = np.asarray(values, dtype=np.float64)
    texts = [format_value(value) for value in values.ravel()]
    return np.array(texts, dtype=object).reshape(values.shape)
