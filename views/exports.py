"""Downloads: any grid as a PNG for print, the steppers as animations, a handout, and the code.

Every file is made only when its button is pressed (Streamlit's deferred download: ``data`` is a
function), so the page's runs never pay for exports nobody asked for, and pressing a button
does not rerun the page (``on_click="ignore"``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import streamlit as st

from filters.animation import MIME_TYPES as ANIMATION_TYPES
from filters.animation import convolution_animation, pooling_animation
from filters.code_export import keras_code, numpy_code, pytorch_code
from filters.drawing import Fill, Outline, Shading, wants_labels
from filters.handout import MIME_TYPES, handout
from filters.images import DecodedImage
from filters.pipeline import FilterResult
from filters.prints import file_stem, print_channels, print_grid, print_png
from filters.recipe import SAMPLE_PREFIX, FilterRecipe
from filters.stepping import Region
from filters.walkthrough import VIEW_SLIDE
from views import state
from views.image_source import image_file
from views.loading import decode_sample, decode_upload, filter_result
from views.safely import safely
from views.text import plain


def decoded_later(recipe: FilterRecipe) -> Callable[[], DecodedImage]:
    """The image of ``recipe`` at its working size, fetched from the caches when called (see
    ``result_later``): what a section that reruns alone works on, without keeping the pixels itself."""
    source, max_side = recipe.image.source, recipe.image.max_side
    if source.startswith(SAMPLE_PREFIX):
        key = source.removeprefix(SAMPLE_PREFIX)
        return lambda: decode_sample(key, max_side)
    name, _, data = st.session_state[state.LAST_GOOD_UPLOAD]
    return lambda: decode_upload(data, source, name, max_side)


def result_later(recipe: FilterRecipe) -> Callable[[], FilterResult]:
    """The result of ``recipe``, fetched from the caches when a download is made.

    A download button keeps its function until the session's next run: holding the result itself
    would keep a "Full size" photo's sums (hundreds of MB) alive in an idle session after the
    byte-bounded cache let them go. This holds only the recipe, and for an upload the bytes the
    session keeps anyway.
    """
    decoded = decoded_later(recipe)
    return lambda: filter_result(recipe, decoded())


def grid_download(
    title: str,
    values: Callable[[], np.ndarray],
    shading: Shading,
    *,
    outlines: tuple[Outline, ...] = (),
    fills: tuple[Fill, ...] = (),
    label_channel: int = 0,
    key: str | None = None,
    label: str = "PNG for print",
    channels: Callable[[], Sequence[Callable[[], np.ndarray]]] | None = None,
    shape: tuple[int, ...] | None = None,
) -> None:
    """A small "PNG" button under a grid: the grid at 300 dpi with its values written, as on screen.

    ``key`` tells apart grids of the same title (by default the file name is the key). A grid too
    big for its values (a photo), given its ``channels`` and ``shape``, is drawn one colour channel
    at a time, so that the download never holds a whole "Full size" image's values at once.
    """
    name = file_stem(title) + ".png"

    def make() -> bytes:
        if channels is not None and shape is not None and not wants_labels(shape):
            return print_png(print_channels(channels(), shape[:2], shading, outlines=outlines))
        return print_png(
            print_grid(values(), shading, label_channel=label_channel, outlines=outlines, fills=fills)
        )

    st.download_button(
        label,
        make,
        file_name=name,
        mime="image/png",
        key=f"download_{key or name}",
        on_click="ignore",
        type="tertiary",
        icon=":material/download:",
        help=f"{plain(title)}: a PNG at 300 dpi for slides and worksheets, values written in the cells "
        "where the grid is small enough to read them.",
    )


@st.fragment(key=state.TAKE_AWAY_FRAGMENT)
@safely
def take_away_ui(title: str, recipe: FilterRecipe, channel: int) -> None:
    """A worksheet of this view (PDF or PNG) of the image ``title``, the image file, and the code that
    reproduces it.

    Its expander reruns alone when opened or closed, and its content is built only while it is open.
    It is given small things only (a fragment keeps its arguments for the session): the result is
    fetched from the caches by its recipe.
    """
    take_away = st.expander(
        "Take it with you: a worksheet and the code",
        icon=":material/download:",
        key=state.TAKE_AWAY_OPEN,
        on_change="rerun",
    )
    if not take_away.open:
        return
    pixel = tuple(st.session_state[state.PIXEL])  # the pixel in force (this reruns when it changes)
    with take_away:
        result_of = result_later(recipe)
        stem = file_stem(title)
        file_name, file_bytes = image_file(recipe.image.source)
        row = st.container(horizontal=True, vertical_alignment="center")
        for kind in ("pdf", "png"):
            row.download_button(
                f"Worksheet ({kind.upper()})",
                lambda kind=kind: handout(result_of(), title, pixel, channel, kind).data,
                file_name=f"{stem}_worksheet.{kind}",
                mime=MIME_TYPES[kind],
                key=f"handout_{kind}",
                on_click="ignore",
                icon=":material/description:",
                help="One A4 page: the image, the filter, the filtered and pooled grids with their sizes, "
                f"the pinned pixel (row {pixel[0]}, column {pixel[1]}) worked out, a pixel to do by hand.",
            )
        row.download_button(
            f"The image file ({plain(file_name)})",
            file_bytes,
            file_name=file_name,
            key="image_file",
            on_click="ignore",
            icon=":material/image:",
            help="The file the page decoded: the NumPy code below reads it.",
        )
        code = numpy_code(recipe, file_name)
        numpy_tab, torch_tab, keras_tab = st.tabs(["NumPy + SciPy", "PyTorch", "Keras"])
        numpy_tab.caption(
            f"Reproduces this page's numbers exactly: put it next to {plain(file_name)} and run it "
            "(it defines image, filtered and pooled)."
        )
        numpy_tab.code(code, language="python")
        numpy_tab.download_button(
            "Download the script",
            code,
            file_name=f"{stem}_filter.py",
            mime="text/x-python",
            key="numpy_script",
            on_click="ignore",
            icon=":material/code:",
        )
        torch_tab.caption("The same layer in PyTorch (float32: equal up to rounding).")
        torch_tab.code(pytorch_code(recipe), language="python")
        keras_tab.caption("The same layer in Keras (float32: equal up to rounding).")
        keras_tab.code(keras_code(recipe), language="python")


def animation_downloads_ui(view: str, recipe: FilterRecipe, region: Region, channel: int) -> None:
    """GIF and WebP of the stepper ``view`` over ``region``: one frame per step, each with its sum."""
    result_of = result_later(recipe)
    animate = convolution_animation if view == VIEW_SLIDE else pooling_animation
    steps = region.count if view == VIEW_SLIDE else (region.rows // 2) * (region.cols // 2)
    row = st.container(horizontal=True, vertical_alignment="center")
    for kind in ANIMATION_TYPES:
        row.download_button(
            f"Animation ({kind.upper()})",
            lambda kind=kind: animate(result_of(), region, channel, kind).data,
            file_name=f"{file_stem(view)}.{kind}",
            mime=ANIMATION_TYPES[kind],
            key=f"animation_{kind}",
            on_click="ignore",
            icon=":material/animated_images:",
            help=f"Every step of this stepper, {steps:,} frames (a few seconds to make), for slides and "
            "worksheets: each frame shows the window, the grid filling in and the step's sum.",
        )
