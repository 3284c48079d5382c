"""Reading a user's 3x3 filter and weight, and refusing what cannot be used.

Cells and the weight are typed as text, so a teacher can write ``1/9`` or
``-0.5`` as well as ``2``. Python's ``fractions.Fraction`` does the parsing.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

KERNEL_SHAPE = (3, 3)
ROW_NAMES = ("top", "middle", "bottom")
COLUMN_NAMES = ("left", "middle", "right")
"""How the editor labels the filter's rows and columns, and how messages name a cell."""
MAX_ABS_VALUE = 1e6
"""Values beyond this are refused: they only make every output saturate."""


class KernelError(ValueError):
    """A filter or weight the user typed that cannot be used; ``str()`` is the message."""


def parse_number(text: object, what: str) -> float:
    """Read one number typed by the user: ``3``, ``-0.5``, ``1/9``, ``2e-3``.

    Parameters
    ----------
    text : object
        The cell's content (a string, a number, or None for an empty cell).
    what : str
        Where the value sits, for the message (e.g. ``"cell in the top row, left column"``).

    Raises
    ------
    KernelError
        If the value is empty, not a number, NaN or infinite, or its size
        exceeds ``MAX_ABS_VALUE``.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        raise KernelError(f"The {what} is empty: type a number such as 0, -1, 0.5 or 1/9.")
    if isinstance(text, bool):
        raise KernelError(f"The {what} must be a number, not {text!r}.")
    if isinstance(text, (int, float, np.integer, np.floating)):
        value = float(text)
    else:
        cleaned = str(text).strip().replace("\u2212", "-")  # accept the typographic minus
        if not cleaned:
            raise KernelError(f"The {what} is empty: type a number such as 0, -1, 0.5 or 1/9.")
        try:
            value = float(Fraction(cleaned))
        except (ValueError, ZeroDivisionError, OverflowError):
            raise KernelError(
                f"The {what} is {str(text).strip()!r}, which is not a number: "
                "type a number such as 0, -1, 0.5 or 1/9."
            ) from None
    if not math.isfinite(value):
        raise KernelError(f"The {what} must be a finite number, not {value}.")
    if abs(value) > MAX_ABS_VALUE:
        raise KernelError(
            f"The {what} is {_readable(value)}; keep values between {_readable(-MAX_ABS_VALUE)} "
            f"and {_readable(MAX_ABS_VALUE)}."
        )
    return value


def _readable(value: float) -> str:
    """1000001 as "1,000,001" (not "1e+06", which reads as the limit itself); huge values in e-notation."""
    if value.is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:.10g}"


def parse_kernel(cells: object) -> np.ndarray:
    """Turn a 3x3 grid of typed cells into a float64 kernel.

    Parameters
    ----------
    cells : array-like, shape (3, 3)
        Rows of cell contents (strings, numbers or None).

    Returns
    -------
    ndarray of float64, shape (3, 3)

    Raises
    ------
    KernelError
        For a grid of the wrong shape or any cell ``parse_number`` refuses;
        the message names the first bad cell.
    """
    grid = np.asarray(cells, dtype=object)
    if grid.shape != KERNEL_SHAPE:
        raise KernelError(f"The filter must be 3 x 3; got a grid of shape {grid.shape}.")
    kernel = np.empty(KERNEL_SHAPE, dtype=np.float64)
    for row in range(3):
        for col in range(3):
            where = f"cell in the {ROW_NAMES[row]} row, {COLUMN_NAMES[col]} column"
            kernel[row, col] = parse_number(grid[row, col], where)
    return kernel


def parse_weight(text: object) -> float:
    """Read the weight; zero is allowed (it makes every output 0, which is worth seeing)."""
    return parse_number(text, "weight")


def normalizing_weight(kernel: np.ndarray) -> float | None:
    """The weight ``1 / sum`` that makes the filter's values add up to 1, or None when the sum is 0.

    Blur filters need it (1/9 for the box blur); edge filters sum to 0 and
    keep a weight of 1.
    """
    total = float(np.sum(kernel))
    if abs(total) < 1e-12:
        return None
    return 1.0 / total


def format_weight(weight: float) -> str:
    """Show a weight briefly: ``0.1`` or ``0.25`` as decimals, ``1/9`` or ``1/16`` as fractions."""
    short = f"{weight:g}"
    if len(short) <= 5 and float(short) == weight:
        return short
    fraction = Fraction(weight).limit_denominator(1000)
    if math.isclose(float(fraction), weight, rel_tol=1e-12, abs_tol=0):
        return f"{fraction.numerator}/{fraction.denominator}"
    return f"{weight:.6g}"
