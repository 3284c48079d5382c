"""Section "Filter, then pool": original, filtered and pooled grids side by side with their sizes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from filters.convolution import ImageTooSmall, check_fits
from filters.drawing import (
    PIXEL_SHADING,
    Outline,
    Shading,
    colour_legend,
    output_shading,
    render_grid,
    value_labels,
    wants_labels,
)
from filters.mapping import MAPPINGS
from filters.pipeline import FilterResult
from views.image_source import ChosenImage, size_text
from views.kernel_editor import KernelChoice
from views.loading import filter_image, working_pixels
from views.options import CHANNELS, Options


@dataclass(frozen=True)
class Panel:
    """One grid of the results row: its title, values and shading."""

    title: str
    values: np.ndarray
    shading: Shading

    @property
    def size_text(self) -> str:
        rows, cols = self.values.shape[:2]
        return f"{cols} x {rows}"


@st.cache_data(max_entries=64, show_spinner=False)
def grid_png(
    values: np.ndarray,
    shading: Shading,
    labelled: bool,
    label_channel: int,
    outlines: tuple[Outline, ...] = (),
) -> bytes:
    """The grid drawn as PNG, cached by content: a rerun that changes nothing draws nothing."""
    labels = value_labels(values, label_channel) if labelled else None
    return render_grid(values, shading, labels=labels, outlines=outlines).png()


def compute_result(chosen: ChosenImage, kernel: KernelChoice, options: Options) -> FilterResult | None:
    """Filter the chosen image, or say why it cannot be filtered and return None."""
    pixels = working_pixels(chosen.decoded, options.colour)
    try:
        check_fits(pixels.shape, options.padding)
    except ImageTooSmall as problem:
        st.error(f"{chosen.title}: {problem}", icon=":material/error:")
        return None
    return filter_image(
        pixels, kernel.as_tuple(), kernel.weight, options.padding, options.mapping, options.pool_kind
    )


def results_ui(chosen: ChosenImage, result: FilterResult, options: Options) -> None:
    """Draw the three grids with their sizes, the colour legend and the values as tables."""
    st.subheader("2. Filter, then pool")
    shading = output_shading(result.mapping)
    pool_title = "Max pooled" if result.pool_kind == "max" else "Average pooled"
    panels = [
        Panel("Original", result.image, PIXEL_SHADING),
        Panel(f"Filtered ({MAPPINGS[result.mapping.key].label.lower()})", result.output, shading),
        Panel(f"{pool_title} 2 x 2", result.pooled, shading),
    ]
    st.markdown(_size_story(result))
    if chosen.decoded.downscaled:
        st.caption(f"{chosen.title}: {size_text(chosen.decoded)}.")
    if options.stacked:
        for panel in panels:
            _draw_panel(panel, options, relative_to=result.image.shape[1])
    else:
        widths = [max(panel.values.shape[1], 1) for panel in panels]
        for column, panel in zip(st.columns(widths, gap="small"), panels, strict=True):
            with column:
                _draw_panel(panel, options)
    if result.mapping.diverging:
        st.image(
            colour_legend(shading),
            caption="Signed sums: blue below 0, mid-grey at 0, orange above"
            + (" (each colour channel: 0 is 128)" if result.output.ndim == 3 else ""),
            width=600,
        )
    _value_tables(panels, options)


def _size_story(result: FilterResult) -> str:
    """The sizes and what changed them, e.g. 28 x 28 -> 26 x 26 -> 13 x 13."""
    (rows, cols), (out_rows, out_cols) = result.image.shape[:2], result.output.shape[:2]
    pool_rows, pool_cols = result.pooled.shape[:2]
    border = (
        "the filter needs all 9 neighbours, so the 1-pixel border is lost ('valid' padding)"
        if result.padding == "valid"
        else "zero padding keeps the size ('same' padding)"
    )
    return (
        f"**{cols} x {rows} → {out_cols} x {out_rows} → {pool_cols} x {pool_rows}**: {border}; "
        f"pooling keeps 1 value of every 2 x 2 block, so {out_rows * out_cols:,} pixels become "
        f"{pool_rows * pool_cols:,} (a quarter)."
    )


def _draw_panel(panel: Panel, options: Options, relative_to: int | None = None) -> None:
    rows, cols = panel.values.shape[:2]
    caption = f"{panel.title} · {panel.size_text}"
    if rows == 0 or cols == 0:
        st.info(f"{panel.title}: the filtered image is too small for 2 x 2 pooling.")
        return
    png = grid_png(
        panel.values,
        panel.shading,
        options.write_values and wants_labels(panel.values.shape),
        options.label_channel,
    )
    if relative_to is None:
        st.image(png, caption=caption, width="stretch")
        return
    # Stacked: keep every grid at the scale of the original, so the pooled grid looks a quarter.
    left, _ = st.columns([cols, max(relative_to - cols, 0) + 1e-6])
    left.image(png, caption=caption, width="stretch")


def _value_tables(panels: list[Panel], options: Options) -> None:
    """The same numbers as tables: for copying, for screen readers, and for checking."""
    if not all(wants_labels(panel.values.shape) for panel in panels):
        return
    channel = f" ({CHANNELS[options.label_channel].lower()} channel)" if panels[0].values.ndim == 3 else ""
    with st.expander(f"The values as tables{channel}"):
        for tab, panel in zip(st.tabs([panel.title for panel in panels]), panels, strict=True):
            tab.dataframe(pd.DataFrame(value_labels(panel.values, options.label_channel)), width="content")
