"""Section "Filter, then pool": original, filtered and pooled grids side by side with their sizes.

The filtered grid is clickable: a click selects the pixel that section 3
explains. The grids outline what section 3 is looking at.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st
from streamlit_image_coordinates import streamlit_image_coordinates

from filters.convolution import ImageTooSmall, check_fits
from filters.drawing import (
    PIXEL_SHADING,
    Geometry,
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
from views import state
from views.image_source import ChosenImage, size_text
from views.kernel_editor import KernelChoice
from views.loading import filter_image, working_pixels
from views.options import CHANNELS, Options
from views.selection import Marks
from views.text import plain


@dataclass(frozen=True)
class Panel:
    """One grid of the results row: its title, values, shading and outlines."""

    title: str
    values: np.ndarray
    shading: Shading
    outlines: tuple[Outline, ...]
    clickable: bool = False

    @property
    def size_text(self) -> str:
        rows, cols = self.values.shape[:2]
        return f"{cols} x {rows}"


@dataclass(frozen=True)
class DrawnGrid:
    """A grid drawn as PNG, with where its cells lie."""

    png: bytes
    geometry: Geometry


class EncodedPng:
    """Pre-encoded PNG bytes for ``streamlit_image_coordinates``, which calls ``source.save(buffer, ...)``.

    Handing it bytes we already cached saves encoding the picture again on every rerun.
    """

    def __init__(self, data: bytes) -> None:
        self.data = data

    def save(self, buffer, **_options) -> None:
        buffer.write(self.data)


@st.cache_data(max_entries=64, show_spinner=False)
def draw_grid(
    values: np.ndarray,
    shading: Shading,
    labelled: bool,
    label_channel: int,
    outlines: tuple[Outline, ...] = (),
) -> DrawnGrid:
    """The grid drawn as PNG, cached by content: a rerun that changes nothing draws nothing."""
    labels = value_labels(values, label_channel) if labelled else None
    picture = render_grid(values, shading, labels=labels, outlines=outlines)
    return DrawnGrid(picture.png(), picture.geometry)


def compute_result(chosen: ChosenImage, kernel: KernelChoice, options: Options) -> FilterResult | None:
    """Filter the chosen image, or say why it cannot be filtered and return None."""
    pixels = working_pixels(chosen.decoded, options.colour)
    try:
        check_fits(pixels.shape, options.padding)
    except ImageTooSmall as problem:
        st.error(plain(f"{chosen.title}: {problem}"), icon=":material/error:")
        return None
    return filter_image(
        pixels, kernel.as_tuple(), kernel.weight, options.padding, options.mapping, options.pool_kind
    )


def results_ui(chosen: ChosenImage, result: FilterResult, options: Options, marks: Marks) -> None:
    """Draw the three grids with their sizes, the colour legend and the values as tables."""
    st.subheader("2. Filter, then pool")
    shading = output_shading(result.mapping)
    pool_title = "Max pooled" if result.pool_kind == "max" else "Average pooled"
    panels = [
        Panel("Original", result.image, PIXEL_SHADING, marks.original),
        Panel(
            f"Filtered ({MAPPINGS[result.mapping.key].label.lower()})",
            result.output,
            shading,
            marks.filtered,
            clickable=True,
        ),
        Panel(f"{pool_title} 2 x 2", result.pooled, shading, marks.pooled),
    ]
    st.markdown(_size_story(result))
    if chosen.decoded.downscaled:
        st.caption(f"{plain(chosen.title)}: {size_text(chosen.decoded)}.")
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
        f"pooling keeps 1 value of every 2 x 2 block, so {_pixels(out_rows * out_cols)} become "
        f"{_pixels(pool_rows * pool_cols)} (a quarter)."
    )


def _pixels(count: int) -> str:
    return f"{count:,} pixel" if count == 1 else f"{count:,} pixels"


def _draw_panel(panel: Panel, options: Options, relative_to: int | None = None) -> None:
    rows, cols = panel.values.shape[:2]
    if rows == 0 or cols == 0:
        st.info(f"{panel.title}: the filtered image is too small for 2 x 2 pooling.")
        return
    drawn = draw_grid(
        panel.values,
        panel.shading,
        options.write_values and wants_labels(panel.values.shape),
        options.label_channel,
        panel.outlines,
    )
    place = st.container()
    if relative_to is not None:
        # Stacked: keep every grid at the scale of the original, so the pooled grid looks a quarter.
        place, _ = st.columns([cols, max(relative_to - cols, 0) + 1e-6])
    caption = f"{panel.title} · {panel.size_text}"
    if not panel.clickable:
        place.image(drawn.png, caption=caption, width="stretch")
        return
    st.session_state[state.PICK_GEOMETRY] = drawn.geometry
    with place:
        streamlit_image_coordinates(
            EncodedPng(drawn.png),
            key=state.PICK,
            width="stretch",
            cursor="crosshair",
        )
        st.caption(f"{caption} · click a pixel to see its sum")


def _value_tables(panels: list[Panel], options: Options) -> None:
    """The same numbers as tables: for copying, for screen readers, and for checking."""
    if not all(wants_labels(panel.values.shape) for panel in panels):
        return
    channel = f" ({CHANNELS[options.label_channel].lower()} channel)" if panels[0].values.ndim == 3 else ""
    with st.expander(f"The values as tables{channel}"):
        for tab, panel in zip(st.tabs([panel.title for panel in panels]), panels, strict=True):
            tab.dataframe(pd.DataFrame(value_labels(panel.values, options.label_channel)), width="content")
