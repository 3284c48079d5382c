"""Painted grids as text: one digit per cell in reading order, as the browser's cell painter sends them.

"0"/"1" for a painted target, "0" to "f" for 16 levels of ink in a drawing. Anything else a
browser might send (a stale grid of another size, a forged value) is refused here, once.
"""

from __future__ import annotations

import numpy as np

DIGITS = "0123456789abcdef"


def levels_from_text(text: object, rows: int, cols: int, levels: int) -> np.ndarray | None:
    """The (rows, cols) uint8 levels written in ``text``, or None unless it is one digit below
    ``levels`` per cell."""
    if not isinstance(text, str) or len(text) != rows * cols or not set(text) <= set(DIGITS[:levels]):
        return None
    return np.array([DIGITS.index(digit) for digit in text], dtype=np.uint8).reshape(rows, cols)


def levels_to_text(levels: np.ndarray) -> str:
    """The levels as the painter writes them: one digit per cell in reading order."""
    return "".join(DIGITS[level] for level in np.ravel(levels))
