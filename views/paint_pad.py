"""The cell painter (``components/paint_pad.js``): a target map painted over the image on the second
page, and an image drawn in white ink on black on the first page.

The browser sends one character per cell; this module reads it back and refuses anything else
(a forged or stale value counts as nothing painted).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

import numpy as np
import streamlit as st

from filters.cells import levels_from_text, levels_to_text

_ASSETS = Path(__file__).resolve().parent / "components"
PAINT_PAD = st.components.v2.component(
    "paint_pad",
    css=(_ASSETS / "paint_pad.css").read_text(),
    js="\n".join((_ASSETS / name).read_text() for name in ("dom.js", "paint_pad.js")),
)
TARGET_LEVELS = 2
"""A target cell is painted or not."""
INK_LEVELS = 16
"""Ink from none to full in 16 steps: enough for the soft edge of a pen stroke."""


def painted_levels(key: str, rows: int, cols: int, levels: int) -> np.ndarray:
    """The cells the painter ``key`` sent, as levels 0..levels-1 of shape (rows, cols); zeros if it
    sent nothing yet, or anything that is not one digit per cell."""
    sent = st.session_state.get(key, {}).get("painted")
    cells = levels_from_text(sent.get("cells") if isinstance(sent, dict) else None, rows, cols, levels)
    return np.zeros((rows, cols), dtype=np.uint8) if cells is None else cells


def paint_pad_ui(
    key: str,
    *,
    grid: str,
    mode: str,
    label: str,
    levels: int,
    cells: np.ndarray,
    cell_px: int,
    background_png: bytes | None = None,
    on_change: Callable[[], None] | None = None,
) -> None:
    """Draw the painter ``key`` over ``cells`` (levels, rows x cols). It starts again from ``cells``
    whenever ``grid`` (a name for the grid it paints) changes; ``mode`` is "ink" or "target"."""
    rows, cols = cells.shape
    data = {
        "key": grid,
        "mode": mode,
        "label": label,
        "levels": levels,
        "rows": rows,
        "cols": cols,
        "cell": cell_px,
        "painted": levels_to_text(cells),
    }
    if background_png is not None:
        data["background"] = "data:image/png;base64," + base64.b64encode(background_png).decode()
    PAINT_PAD(key=key, data=data, on_painted_change=on_change)
