"""Drawing benchmark: a grid with every value written in it, our way against the obvious Matplotlib way."""

from __future__ import annotations

import io

import matplotlib
import numpy as np

from bench.timing import median_ms, table
from filters.drawing import render_grid
from filters.numbers import format_values

matplotlib.use("Agg")
from matplotlib import pyplot as plt  # after choosing the non-interactive backend

SIZES = (28, 26, 13)


def _matplotlib_png(values: np.ndarray, labels: np.ndarray) -> bytes:
    """The obvious way: imshow plus one ax.text per cell, saved as PNG."""
    figure, axes = plt.subplots(figsize=(8, 8), dpi=100)
    axes.imshow(values, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    for (row, col), text in np.ndenumerate(labels):
        colour = "black" if values[row, col] > 127 else "white"
        axes.text(col, row, text, ha="center", va="center", fontsize=6, color=colour)
    axes.set_axis_off()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


def run() -> str:
    """Time both ways for the three grid sizes of the first view; return the Markdown table."""
    rows = []
    for size in SIZES:
        values = np.random.default_rng(size).integers(0, 256, size=(size, size)).astype(np.float64)
        labels = format_values(values)
        ours = median_ms(lambda values=values, labels=labels: render_grid(values, labels=labels).png(), 15)
        theirs = median_ms(lambda values=values, labels=labels: _matplotlib_png(values, labels), 3)
        rows.append([f"{size}x{size}", f"{ours:.1f}", f"{theirs:.0f}", f"{theirs / ours:.0f}x"])
    return table(
        [
            "grid with every value written",
            "filters.drawing, PNG (ms)",
            "Matplotlib imshow + ax.text per cell, PNG (ms)",
            "speed-up",
        ],
        rows,
    )
