"""Section "Filter, then pool": original, filtered and pooled grids side by side with their sizes.

The filtered grid is clickable: a click selects the pixel that section 3
explains. The grids outline what section 3 is looking at.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from filters.convolution import ImageTooSmall, check_fits
from filters.describe import legend_words, mapping_in_text, results_alts
from filters.drawing import (
    PIXEL_SHADING,
    Geometry,
    Outline,
    Shading,
    colour_legend,
    output_shading,
    render_channels,
    render_grid,
    to_png,
    value_labels,
    wants_labels,
    with_outlines,
)
from filters.pipeline import FilterResult
from filters.recipe import FilterRecipe, ImageRecipe
from filters.walkthrough import CHANNEL_NAMES, Marks, size_story
from views.exports import grid_download, result_later
from views.image_source import ChosenImage, size_text
from views.kernel_editor import KernelChoice
from views.loading import PICTURES, PNGS, filter_result
from views.options import Options
from views.pick_image import pick_image
from views.text import plain


@dataclass(frozen=True)
class Panel:
    """One grid of the results row: what it depends on (``key``), its title, values, shading and outlines."""

    key: tuple[str, ImageRecipe | FilterRecipe]
    title: str
    shape: tuple[int, ...]
    values: Callable[[], np.ndarray]
    shading: Shading
    outlines: tuple[Outline, ...]
    alt: str = ""
    clickable: bool = False
    channel_values: Callable[[], list[Callable[[], np.ndarray]]] | None = None

    def channels(self) -> list[Callable[[], np.ndarray]]:
        """One function per channel returning its values (see ``render_channels``)."""
        if self.channel_values is not None:
            return self.channel_values()
        values = self.values()
        if values.ndim == 2:
            return [lambda: values]
        return [lambda channel=channel: values[..., channel] for channel in range(values.shape[2])]

    @property
    def size_text(self) -> str:
        rows, cols = self.shape[:2]
        return f"{cols} x {rows}"


@dataclass(frozen=True)
class DrawnGrid:
    """A grid drawn as PNG, with where its cells lie."""

    png: bytes
    geometry: Geometry


def draw_grid(panel: Panel, labelled: bool, label_channel: int) -> DrawnGrid:
    """The panel drawn as PNG: the grid once per recipe, its outlines once per place."""
    picture_key = (panel.key, labelled, label_channel)

    def draw():
        if not labelled:  # big grids are reduced one channel at a time
            return render_channels(panel.channels(), panel.shape[:2], panel.shading)
        values = panel.values()
        return render_grid(values, panel.shading, labels=value_labels(values, label_channel))

    picture = PICTURES.get_or_compute(picture_key, draw)
    png = PNGS.get_or_compute(
        (picture_key, panel.outlines), lambda: with_outlines(picture, panel.outlines).png()
    )
    return DrawnGrid(png, picture.geometry)


def recipe_for(
    chosen: ChosenImage, kernel: KernelChoice, options: Options, max_side: int | None
) -> FilterRecipe:
    """Everything the result depends on, as a cache key."""
    return FilterRecipe(
        image=ImageRecipe(chosen.source, max_side, options.colour),
        kernel=FilterRecipe.kernel_key(kernel.values),
        weight=kernel.weight,
        padding=options.padding,
        mapping=options.mapping,
        pool_kind=options.pool_kind,
    )


def compute_result(chosen: ChosenImage, recipe: FilterRecipe) -> FilterResult | None:
    """Filter the chosen image, or say why it cannot be filtered and return None."""
    try:
        check_fits(chosen.decoded.rgb.shape, recipe.padding)
    except ImageTooSmall as problem:
        st.error(plain(f"{chosen.title}: {problem}"), icon=":material/error:")
        return None
    return filter_result(recipe, chosen.decoded)


def results_ui(
    chosen: ChosenImage,
    recipe: FilterRecipe,
    result: FilterResult,
    options: Options,
    marks: Marks,
    pixel: tuple[int, int],
) -> None:
    """Draw the three grids with their sizes, the colour legend and the values as tables."""
    st.subheader("2. Filter, then pool")
    shading = output_shading(result.mapping)
    original_alt, filtered_alt, pooled_alt = results_alts(result, pixel, marks, options.label_channel)
    result_of = result_later(recipe)  # what the print downloads read, when they are made
    pool_title = "Max pooled" if result.pool_kind == "max" else "Average pooled"
    panels = [
        Panel(
            ("original", recipe.image),
            "Original",
            result.image.shape,
            lambda: result_of().image,
            PIXEL_SHADING,
            marks.original,
            alt=original_alt,
        ),
        Panel(
            ("filtered", recipe),
            f"Filtered ({mapping_in_text(result.mapping.key)})",
            result.raw.shape,
            lambda: result_of().mapped(),
            shading,
            marks.filtered,
            alt=filtered_alt,
            clickable=True,
            channel_values=lambda: result_of().mapped_channels(),
        ),
        Panel(
            ("pooled", recipe),
            f"{pool_title} 2 x 2",
            result.pooled.shape,
            lambda: result_of().pooled,
            shading,
            marks.pooled,
            alt=pooled_alt,
        ),
    ]
    st.markdown(size_story(result))
    if chosen.decoded.downscaled:
        st.caption(f"{plain(chosen.title)}: {size_text(chosen.decoded)}.")
    if options.stacked:
        for panel in panels:
            draw_panel(panel, options, chosen.title, relative_to=result.image.shape[1])
    else:
        widths = [max(panel.shape[1], 1) for panel in panels]
        st.html(f"<style>{narrow_screen_widths(widths)}</style>")
        for index, (column, panel) in enumerate(zip(st.columns(widths, gap="small"), panels, strict=True)):
            with column.container(key=f"result_panel_{index}"):
                draw_panel(panel, options, chosen.title)
    if result.mapping.diverging:
        st.image(
            to_png(colour_legend(shading)),
            caption="Signed sums: blue below 0, mid-grey at 0, orange above"
            + (" (each colour channel: 0 is 128)" if result.is_colour else ""),
            width=600,
            output_format="PNG",
            alt=legend_words(result.mapping),
        )
    _value_tables(panels, options)


def narrow_screen_widths(widths: list[int]) -> str:
    """CSS that keeps the grids at one scale on a phone, where the columns stack at full width:
    each panel as wide as its grid relative to the widest, so the pooled grid is visibly a quarter."""
    widest = max(widths)
    rules = " ".join(
        f".st-key-result_panel_{index} {{ width: {100 * width / widest:.1f}% !important; }}"
        for index, width in enumerate(widths)
    )
    return f"@media (max-width: 640px) {{ {rules} }}"


def draw_panel(
    panel: Panel, options: Options, image_title: str, section: str = "results", relative_to: int | None = None
) -> None:
    """Draw one grid with its caption, alt text and print download (``section`` keeps the download's
    key apart from the same grid's in another section)."""
    rows, cols = panel.shape[:2]
    if rows == 0 or cols == 0:
        st.info(f"{panel.title}: the filtered image is too small for 2 x 2 pooling.")
        return
    labelled = options.write_values and wants_labels(panel.shape)
    drawn = draw_grid(panel, labelled, options.label_channel)
    place = st.container()
    if relative_to is not None:
        # Stacked: keep every grid at the scale of the original, so the pooled grid looks a quarter.
        place, _ = st.columns([cols, max(relative_to - cols, 0) + 1e-6])
    caption = f"{panel.title} · {panel.size_text}"
    with place:
        if panel.clickable:
            pick_image(drawn.png, drawn.geometry, panel.alt)
            st.caption(f"{caption} · click a pixel to see its sum")
        else:
            st.image(drawn.png, caption=caption, width="stretch", output_format="PNG", alt=panel.alt)
        grid_download(
            f"{image_title} {panel.title} {panel.size_text}",
            values=panel.values,
            shading=panel.shading,
            key=f"{section}_{panel.title}",
            label=f"{panel.title.split(' (')[0]} as PNG",
            channels=panel.channels,
            shape=panel.shape,
            outlines=panel.outlines,
            label_channel=options.label_channel,
        )


def _value_tables(panels: list[Panel], options: Options) -> None:
    """The same numbers as tables: for copying, for screen readers, and for checking."""
    if not all(wants_labels(panel.shape) for panel in panels):
        return
    channel = (
        f" ({CHANNEL_NAMES[options.label_channel].lower()} channel)" if len(panels[0].shape) == 3 else ""
    )
    with st.expander(f"The values as tables{channel}"):
        for tab, panel in zip(st.tabs([panel.title for panel in panels]), panels, strict=True):
            tab.dataframe(pd.DataFrame(value_labels(panel.values(), options.label_channel)), width="content")
