"""View "Vertical vs horizontal edges": the lecture's second beat on one screen.

The image beside its vertical-edge and horizontal-edge results, filtered with
the same padding and output mapping as the page, so that the class sees one
filter make vertical lines pop out and the other horizontal ones.
"""

from __future__ import annotations

import streamlit as st

from filters.describe import filtered_words, grid_words
from filters.drawing import PIXEL_SHADING, output_shading
from filters.presets import PRESETS
from views.exports import result_later
from views.image_source import ChosenImage
from views.kernel_editor import KernelChoice
from views.loading import filter_result
from views.options import Options
from views.predict import sizes_held_back
from views.results import Panel, draw_panel, recipe_for
from views.reveal import reveal_ui

EDGE_PRESETS = ("vertical_edges", "horizontal_edges")


def edges_ui(chosen: ChosenImage, options: Options, max_side: int | None) -> None:
    """Draw the image and its two edge results side by side, at the same scale."""
    panels = []
    for key in EDGE_PRESETS:
        preset = PRESETS[key]
        recipe = recipe_for(chosen, KernelChoice(preset.values, preset.weight), options, max_side)
        result, result_of = filter_result(recipe, chosen.decoded), result_later(recipe)
        panels.append(
            Panel(
                ("filtered", recipe),
                preset.name,
                result.raw.shape,
                lambda result_of=result_of: result_of().mapped(),  # a download reads it later
                output_shading(result.mapping),
                (),
                alt=filtered_words(result, preset.name, size=not sizes_held_back(result)),
                channel_values=lambda result_of=result_of: result_of().mapped_channels(),
            )
        )
    original = Panel(
        ("original", recipe.image),
        "Original",
        result.image.shape,
        lambda: result_of().image,
        PIXEL_SHADING,
        (),
        alt=grid_words(f"Original image, {chosen.title}", result.image),
    )
    reveal_ui("edges", height_px=380)
    st.caption(
        "One filter makes vertical lines pop out, the other horizontal ones (Sobel). "
        "Output mapping 'Absolute value' shows edges of both directions."
    )
    # A row that never stacks: on a phone too the three pictures stay side by side, one key apart.
    row = st.container(horizontal=True, gap="small", wrap=False, key="edges_view")
    row_panels = (original, *panels)
    sizes_shown = not sizes_held_back(result)
    cells_across = sum(panel.shape[1] for panel in row_panels)  # side by side, at one scale
    for panel in row_panels:
        with row.container():
            draw_panel(panel, options, chosen.title, cells_across, section="edges", sizes=sizes_shown)
