"""Reading a user's 3x3 filter and weight, and refusing what cannot be used.

Cells and the weight are typed as text, so a teacher can write ``1/9`` or
``-0.5`` as well as ``2``. A decimal comma as many students type it (``1,5``)
reads as 1.5; a comma that could mean thousands (``1,000``) or stands among
others (``1,5,2``) is refused with a message asking for a dot, and so are
underscores (``1_000``, which Python would read as 1000). ``-0`` reads as 0.
``decimal.Decimal`` reads decimals exactly (``1e309`` is too large, not "not a
number"; ``1e99999999`` takes no time, where ``Fraction`` took minutes), and
``fractions.Fraction`` reads ``a/b``.
"""

from __future__ import annotations

import math
import re
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal, InvalidOperation
from fractions import Fraction

import numpy as np

KERNEL_SHAPE = (3, 3)
ROW_NAMES = ("top", "middle", "bottom")
COLUMN_NAMES = ("left", "middle", "right")
"""How the editor labels the filter's rows and columns, and how messages name a cell."""
MAX_ABS_VALUE = 1e6
"""Values beyond this are refused: they only make every output saturate."""
_DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+")
"""``1,5``, ``-0,25``, ``,5``: one comma between digits, read as a decimal point..."""
_THOUSANDS = re.compile(r"[+-]?[1-9]\d{0,2},\d{3}")
"""...unless it could as well separate thousands (``1,000``, ``12,345``)."""
_TEN_DIGITS = Context(prec=10, Emax=MAX_EMAX, Emin=MIN_EMIN)
"""How a refused value too long to name in full is rounded for its message (``1e+309``)."""


class KernelError(ValueError):
    """A filter or weight the user typed that cannot be used; ``str()`` is the message."""


def parse_number(text: object, what: str) -> float:
    """Read one number typed by the user: ``3``, ``-0.5``, ``1/9``, ``2e-3``, ``1,5``.

    Parameters
    ----------
    text : object
        The cell's content (a string, a number, or None for an empty cell).
    what : str
        Where the value sits, for the message (e.g. ``"cell in the top row, left column"``).

    Returns
    -------
    float
        The value; a zero is always +0.0, so that every view writes it "0".

    Raises
    ------
    KernelError
        If the value is empty, not a number, NaN or infinite, written with underscores
        or an ambiguous comma, or its size exceeds ``MAX_ABS_VALUE`` (``1e309`` too).
    """
    number = _exact(text, what)
    if not -MAX_ABS_VALUE <= number <= MAX_ABS_VALUE:
        limit = Decimal(MAX_ABS_VALUE)
        raise KernelError(
            f"The {what} is {_readable(number)}; keep values between {_readable(-limit)} "
            f"and {_readable(limit)}."
        )
    return float(number) + 0.0  # -0.0 + 0.0 is +0.0


def _exact(text: object, what: str) -> Decimal | Fraction:
    """The exact number typed (checked against the limits before any rounding to a float)."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        raise KernelError(f"The {what} is empty: type a number such as 0, -1, 0.5 or 1/9.")
    if isinstance(text, bool):
        raise KernelError(f"The {what} must be a number, not {text!r}.")
    if isinstance(text, (int, np.integer)):
        return Decimal(int(text))
    if isinstance(text, (float, np.floating)):
        if not math.isfinite(text):
            raise KernelError(f"The {what} must be a finite number, not {float(text)}.")
        return Decimal(float(text))
    typed = str(text).strip()
    cleaned = typed.replace("\u2212", "-")  # accept the typographic minus
    if not cleaned:
        raise KernelError(f"The {what} is empty: type a number such as 0, -1, 0.5 or 1/9.")
    if "_" in cleaned:
        raise KernelError(f"The {what} is {typed!r}: write numbers without underscores (1000, not 1_000).")
    if "," in cleaned:
        if not _DECIMAL_COMMA.fullmatch(cleaned) or _THOUSANDS.fullmatch(cleaned):
            raise KernelError(
                f"The {what} is {typed!r}: use a dot for decimals (1.5) "
                "and no separator for thousands (1000)."
            )
        cleaned = cleaned.replace(",", ".")
    not_a_number = KernelError(
        f"The {what} is {typed!r}, which is not a number: type a number such as 0, -1, 0.5 or 1/9."
    )
    try:
        number = Fraction(cleaned) if "/" in cleaned else Decimal(cleaned)
    except (ValueError, ZeroDivisionError, InvalidOperation):
        raise not_a_number from None
    if isinstance(number, Decimal) and not number.is_finite():  # "nan", "inf"
        raise not_a_number
    return number


def tidy_number_text(text: object) -> object:
    """How the editor shows a typed value once read: a zero as ``0`` (``-0`` too), a decimal comma
    as a dot (``1,5`` -> ``1.5``), so that the table, the weight box and the pad agree; any other
    text, refused text included, stays as typed."""
    if not isinstance(text, str):
        return text
    try:
        value = parse_number(text, "value")
    except KernelError:
        return text
    return "0" if value == 0 else text.replace(",", ".")


def _readable(number: Decimal | Fraction) -> str:
    """1000001 as "1,000,001" (not "1e+06", which reads as the limit itself); huge values in e-notation."""
    if isinstance(number, Fraction):
        number = Decimal(number.numerator) / number.denominator
    if number.copy_abs() < 10**15 and number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.normalize(_TEN_DIGITS):g}"


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
            kernel[row, col] = parse_number(grid[row, col], _cell_name(row, col))
    return kernel


def with_typed_value(kernel: np.ndarray, index: int, text: object) -> np.ndarray:
    """``kernel`` with cell ``index`` (0 to 8, row by row, as the filter pad numbers them) set to the
    value typed as ``text``, read exactly as a cell typed into the table.

    Raises
    ------
    KernelError
        For text ``parse_number`` refuses; the message names the cell.
    """
    row, col = divmod(index, 3)
    changed = np.array(kernel, dtype=np.float64)
    changed[row, col] = parse_number(text, _cell_name(row, col))
    return changed


def _cell_name(row: int, col: int) -> str:
    return f"cell in the {ROW_NAMES[row]} row, {COLUMN_NAMES[col]} column"


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
