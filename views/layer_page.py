"""The second page, "A whole layer": what comes after one filter, on the image the first page shows.

Four sections, each drawing numbers the core computed (``filters.layer``, ``filters.learn``):
stride, dilation and padding with the true convolution beside the CNN's; a layer of up to eight
filters with their pooled maps; two layers in a row; and a filter learnt by gradient descent.
Every result is cached by a small recipe (the image's source and the settings), like the first
page's, so reruns and other sessions reuse it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from filters.code_export import layer_keras_code, layer_numpy_code, layer_pytorch_code
from filters.describe import grid_words
from filters.drawing import PADDING_FILL, Fill, Outline, Shading, render_grid, value_labels, wants_labels
from filters.images import fit_within, to_grayscale
from filters.layer import (
    CONVENTION_NAMES,
    CONVENTIONS,
    DILATIONS,
    LAYER_PADDINGS,
    MAX_FILTERS,
    STRIDES,
    ConvSettings,
    LayerFilter,
    PoolSettings,
    apply_layer,
    conv_output_size,
    correlate,
    keras_refusal,
    padded_input,
    preset_kernel,
    same_padding_rule,
    settings_in_words,
    size_formula,
    two_layer_pipeline,
    window_step,
)
from filters.learn import (
    DEFAULT_LEARNING_RATE,
    LEARNING_RATES,
    MAX_STEPS,
    STARTS,
    Learning,
    LossCurve,
    learn_filter,
    loss_curve,
    paint_grid_shape,
    painted_target,
    scaled,
    target_background_png,
)
from filters.numbers import format_value, format_values
from filters.pooling import LAYER_POOL_KINDS
from filters.predict import layer_size_questions
from filters.presets import PRESETS
from views import state
from views.class_room import class_room_ui
from views.exports import grid_download
from views.image_source import ChosenImage
from views.loading import LAYER_PNGS, LAYER_RESULTS
from views.paint_pad import TARGET_LEVELS, paint_pad_ui, painted_levels
from views.predict import guess_ui, held_back, verdict_line

OWN = "own"
"""The first page's filter in force (its values times its weight), offered beside the presets."""
PAINTED = "painted"
"""The learning target painted by hand (the other targets are presets' results)."""
LAYER_MAX_SIDE = 512
"""The longest side this page works on: eight filters on three channels of a 12 MP photo would
hold gigabytes; 512 px is the first page's default working size."""
MAX_BIAS = 10_000.0
"""Far beyond any sum an 8-bit image gives a preset (Scharr's largest is 255 x 32 = 8160). Streamlit's
number box puts a value outside these bounds (a forged one, NaN too) back inside them."""
STEPPER_SIDE = 13
"""Cells of the padded input drawn around the window in the stepper."""
DEFAULT_LAYER = ("vertical_edges", "horizontal_edges", "outline", "sharpen")
WHY_NO_FLIP = (
    "CNN libraries do not flip: the filter's values are learnt, so a flipped filter would simply be "
    "learnt flipped, and skipping the flip saves work."
)
_PADDING_HELP = (
    "valid: no zeros, the output shrinks. same: zeros around the image so that the output has "
    "ceil(size / stride) pixels a side (stride 1 keeps the size). full: 2 x dilation zeros a side, "
    "every position where the filter touches the image (PyTorch's padding=2d; Keras has no 'full')."
)
_CONVENTION_HELP = (
    "Only 'same' differs. Keras and TensorFlow work its zeros out from the stride: ceil(n / stride) "
    "outputs, and when the zeros they need are odd, the extra one goes at the bottom and the right. "
    "PyTorch's padding=d puts dilation zeros on each side whatever the stride. At stride 1 both are "
    "the same; at stride 2 or 3 every window can sit one pixel apart."
)


def layer_page(chosen: ChosenImage) -> None:
    """The page's four sections under the image picker."""
    st.markdown(
        "One filter is where a CNN starts. A real layer slides with a **stride**, spreads its filter "
        "with a **dilation**, applies **many filters** at once, and **learns** their values."
    )
    source = (chosen.source, state.max_side())
    rgb = _cached(("fit", *source), lambda: fit_within(chosen.decoded.rgb, LAYER_MAX_SIDE))
    pixels = _cached(("gray", *source), lambda: to_grayscale(rgb))
    if rgb.shape != chosen.decoded.rgb.shape:
        st.caption(
            f"This page works on at most {LAYER_MAX_SIDE} px a side (eight filters, three channels): "
            f"the image is reduced to {rgb.shape[1]} x {rgb.shape[0]}."
        )
    if st.session_state[state.PROJECTOR]:
        class_room_ui()  # a question asked to the class from this page
    if not stride_and_dilation_ui(pixels, source):
        st.caption("The layer, the two layers and the learning follow your guess: they show the sizes.")
        return
    layer_of_filters_ui(rgb if chosen.decoded.is_colour else pixels, source)
    pipeline_ui(pixels, source)
    learning_ui(pixels, source)


LAYER_WORDS = (
    "Bias: a number added to every filter's sum before ReLU, which turns what is below 0 to 0: a "
    "larger bias lets more of each map through. Pooling: each window of a map becomes one pixel, its "
    "largest, mean or smallest value. Window: how many pixels that is (2 x 2 or 3 x 3). Pool stride: "
    "how far the window jumps; with the window's own size, the windows do not overlap."
)
LEARNING_WORDS = (
    "Start from: the nine weights before learning, all 0 or small random values. Learning rate: how "
    "big each step's change of the weights is; too big and the loss blows up. Steps: how many times "
    "the weights are changed."
)


def follow_first_pages_filter() -> None:
    """Section 1 starts with the filter the first page shows (its preset, or "own" once edited), and
    takes it again whenever it changed there since; a filter chosen here holds until then."""
    first = st.session_state[state.PRESET] or OWN
    shown = filter_id(first)
    if st.session_state.get(state.LAYER_FOLLOWS) != shown:
        st.session_state[state.LAYER_FOLLOWS] = shown
        st.session_state[state.LAYER_PRESET] = first
        st.session_state[state.LAYER_STEP] = None  # its strongest window


def filter_options() -> list[str]:
    return [*PRESETS, OWN]


def filter_name(key: str) -> str:
    return "Your filter (from the first page)" if key == OWN else PRESETS[key].name


def filter_kernel(key: str) -> np.ndarray:
    """A preset's filter, or the first page's own values, with the weight folded in."""
    if key == OWN:
        own = np.asarray(st.session_state[state.LAST_VALID_KERNEL], dtype=np.float64)
        return own * float(st.session_state[state.LAST_VALID_WEIGHT])
    return preset_kernel(key)


def filter_id(key: str) -> tuple:
    """What a cached result depends on: a preset's key, or the own filter's nine values."""
    return (key,) if key != OWN else (key, *filter_kernel(key).ravel().tolist())


def init_layer_state() -> None:
    """The page's first values (setdefault: they survive other pages' runs)."""
    first = {
        state.LAYER_PRESET: "vertical_edges",
        state.LAYER_PADDING: "valid",
        state.LAYER_STRIDE: 1,
        state.LAYER_DILATION: 1,
        state.LAYER_CONVENTION: "keras",
        state.LAYER_STEP: None,  # None: the strongest window
        state.LAYER_FILTERS: list(DEFAULT_LAYER),
        state.LAYER_BIAS: 0.0,
        state.LAYER_POOL_KIND: "max",
        state.LAYER_POOL_SIZE: 2,
        state.LAYER_POOL_STRIDE: 2,
        state.PIPELINE_FIRST: "vertical_edges",
        state.PIPELINE_SECOND: "horizontal_edges",
        state.LEARN_TARGET: "vertical_edges",
        state.LEARN_START: "zeros",
        state.LEARN_RATE: DEFAULT_LEARNING_RATE,
        state.LEARN_STEPS: 200,
        state.LEARN_SHOWN: 200,
        state.LEARN_PLAYING: False,
    }
    for key, value in first.items():
        st.session_state.setdefault(key, value)


# ---- Pictures ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Picture:
    """A grid to draw: its cache key, values, shading, and outlined or filled cells."""

    key: tuple
    values: np.ndarray
    shading: Shading
    outlines: tuple[Outline, ...] = ()
    padding_mask: np.ndarray | None = None
    per_row: int = 1
    """How many pictures share the page's width: values are written only where they stay readable."""
    row_columns: int = 0
    """The columns of the widest grid in the same row (0: this one's), so that a row's grids are all
    written or none."""


def signed_shading(values: np.ndarray) -> Shading:
    """0 as mid-grey, the largest magnitude at either end: signed sums keep their sign."""
    largest = float(np.max(np.abs(values))) if values.size else 1.0
    return Shading(-largest or -1.0, largest or 1.0, diverging=True)


def positive_shading(values: np.ndarray) -> Shading:
    """0 black, the largest value white: a ReLU map or a pooled map."""
    return Shading(0.0, float(values.max()) if values.size and values.max() > 0 else 1.0)


def show_picture(picture: Picture, caption: str, place=None) -> None:
    """Draw ``picture`` (values written in the cells when the grid is small) with its caption, its
    alt text and its print download."""

    def draw() -> bytes:
        # Equal columns: the widest grid of the row has the smallest cells; its columns times the
        # pictures in the row decide for the whole row.
        cells_across = max(picture.values.shape[1], picture.row_columns) * picture.per_row
        labels = value_labels(picture.values) if wants_labels(picture.values.shape, cells_across) else None
        fills = () if picture.padding_mask is None else (Fill(picture.padding_mask, PADDING_FILL),)
        return render_grid(
            picture.values, picture.shading, labels=labels, outlines=picture.outlines, fills=fills
        ).png()

    png = LAYER_PNGS.get_or_compute((*picture.key, picture.per_row, picture.row_columns), draw)
    with place or st.container():
        st.image(
            png,
            caption=caption,
            width="stretch",
            output_format="PNG",
            alt=grid_words(caption, picture.values),
        )
        grid_download(
            caption,
            key=hashlib.sha256(repr((picture.key, caption)).encode()).hexdigest()[:16],
            values=lambda: picture.values,
            shading=picture.shading,
            outlines=picture.outlines,
            fills=() if picture.padding_mask is None else (Fill(picture.padding_mask, PADDING_FILL),),
        )


def _cached(key: tuple, compute):
    return LAYER_RESULTS.get_or_compute(key, compute)


# ---- 1. Stride, dilation and padding; true convolution ---------------------------------------------


def stride_and_dilation_ui(pixels: np.ndarray, source: tuple) -> bool:
    """Section 1; returns False while its size question is asked (predict first): nothing below it
    may tell the size before the guess."""
    st.subheader("1. Stride, dilation and padding")
    choose = st.container(horizontal=True, gap="medium", vertical_alignment="bottom")
    choose.selectbox(
        "Filter",
        filter_options(),
        format_func=filter_name,
        key=state.LAYER_PRESET,
        width=300,
        on_change=_strongest_window,
    )
    choose.segmented_control(
        "Padding",
        LAYER_PADDINGS,
        key=state.LAYER_PADDING,
        required=True,
        help=_PADDING_HELP,
        on_change=_strongest_window,
    )
    choose.segmented_control(
        "Stride",
        STRIDES,
        key=state.LAYER_STRIDE,
        required=True,
        help="How far the window jumps.",
        on_change=_strongest_window,
    )
    choose.segmented_control(
        "Dilation",
        DILATIONS,
        key=state.LAYER_DILATION,
        required=True,
        help="How far apart its nine values lie.",
        on_change=_strongest_window,
    )
    choose.segmented_control(
        "'same' padding as in",
        CONVENTIONS,
        format_func=lambda convention: CONVENTION_NAMES[convention],
        key=state.LAYER_CONVENTION,
        required=True,
        help=_CONVENTION_HELP,
        on_change=_strongest_window,
    )
    preset = st.session_state[state.LAYER_PRESET]
    kernel = filter_kernel(preset)
    settings = chosen_settings()
    rows, cols = pixels.shape
    out_rows, out_cols = conv_output_size(rows, settings), conv_output_size(cols, settings)
    if out_rows == 0 or out_cols == 0:
        st.info(
            f"The image is {cols} x {rows} pixels: a window spread to {settings.span + 1} x "
            f"{settings.span + 1} does not fit. Choose a smaller dilation, or 'same' or 'full' padding."
        )
        return True
    width_question, _ = layer_size_questions(pixels.shape, settings)
    if held_back(width_question):  # the sizes, the grids and the windows follow the guess
        guess_ui(width_question, "layer_size", sections=None)
        return False
    verdict_line(width_question)
    st.markdown(
        f"Output size per side = ⌊(n + zeros before + zeros after − dilation·(3 − 1) − 1) / stride⌋ + 1: "
        f"rows {size_formula(rows, settings)}, columns {size_formula(cols, settings)}, "
        f"so **{rows} x {cols} → {out_rows} x {out_cols}**."
    )
    st.caption(f"{settings_in_words(settings)} {padding_words(settings, rows, cols)}")
    key = (*source, *filter_id(preset), settings)
    flipped_settings = settings.turned()
    cnn = _cached(("correlate", *key), lambda: correlate(pixels, kernel, settings))
    true = _cached(("convolve", *key), lambda: correlate(pixels, kernel, flipped_settings))
    differ = int(np.count_nonzero(cnn != true))
    # Projector mode: two grids a row, so that their values are written twice as large as three a row.
    per_row = 2 if st.session_state[state.PROJECTOR] else 3
    left, middle, right = [*st.columns(2), *st.columns(2)][:3] if per_row == 2 else st.columns(3)
    widest = max(cols, out_cols)
    show_picture(
        Picture(("input", *source), pixels, Shading(0, 255), per_row=per_row, row_columns=widest),
        f"Input · {cols} x {rows}",
        left,
    )
    show_picture(
        Picture(("cnn", *key), cnn, signed_shading(cnn), per_row=per_row, row_columns=widest),
        f"What a CNN computes (no flip) · {out_cols} x {out_rows}",
        middle,
    )
    show_picture(
        Picture(("true", *key), true, signed_shading(true), per_row=per_row, row_columns=widest),
        f"True convolution (the filter turned 180°) · {out_cols} x {out_rows}",
        right,
    )
    st.caption(
        f"The two differ at {differ:,} of {cnn.size:,} pixels "
        f"({'the filter is symmetric under the turn' if differ == 0 else 'an asymmetric filter'}). "
        f"{WHY_NO_FLIP} Sums are drawn signed: 0 mid-grey, negative blue, positive orange."
    )
    window_stepper_ui(pixels, kernel, settings, cnn, key)
    with st.expander("This section as code: NumPy, Keras, PyTorch"):
        name = filter_name(preset)
        for tab, code in zip(
            st.tabs(["NumPy", "Keras", "PyTorch"]),
            (layer_numpy_code, layer_keras_code, layer_pytorch_code),
            strict=True,
        ):
            tab.code(code(kernel, settings, name), language="python")
    return True


def chosen_settings() -> ConvSettings:
    """The section's settings. Those Keras has no layer for ('full', a stride with a dilation) are
    PyTorch's, whichever 'same' is chosen: the page never shows numbers Keras cannot compute as its."""
    padding, stride, dilation = (
        st.session_state[key] for key in (state.LAYER_PADDING, state.LAYER_STRIDE, state.LAYER_DILATION)
    )
    convention = st.session_state[state.LAYER_CONVENTION]
    if keras_refusal(padding, stride, dilation):
        convention = "pytorch"
    return ConvSettings(padding, stride, dilation, convention=convention)


def padding_words(settings: ConvSettings, rows: int, cols: int) -> str:
    """Which padding is in force, whose it is, and its zeros on each side, in a sentence."""
    pads = settings.pads((rows, cols))
    sides = f"{pads.top} above, {pads.bottom} below, {pads.left} left, {pads.right} right"
    refusal = keras_refusal(settings.padding, settings.stride, settings.dilation)
    if refusal:
        return f"{refusal} These are PyTorch's numbers (padding={settings.pytorch_padding}): zeros {sides}."
    if settings.padding == "valid":
        return "No zeros ('valid', the same in Keras and PyTorch)."
    if settings.convention == "pytorch":
        return f"PyTorch's padding={settings.pytorch_padding}: zeros {sides}."
    return (
        f"Keras / TensorFlow 'same': rows {same_padding_rule(rows, settings)}; columns "
        f"{same_padding_rule(cols, settings)}. Zeros {sides}."
    )


def window_stepper_ui(pixels, kernel, settings: ConvSettings, sums: np.ndarray, key: tuple) -> None:
    """Step the window: it jumps by the stride, and its nine cells lie ``dilation`` apart."""
    count = sums.size
    chosen = st.session_state[state.LAYER_STEP]
    step = strongest_window(sums) if chosen is None else min(int(chosen), count - 1)
    st.session_state[state.LAYER_STEP] = step
    buttons = st.container(horizontal=True, vertical_alignment="center")
    buttons.button("Previous", icon=":material/arrow_back:", on_click=_move_window, args=(-1, count))
    buttons.button("Next", icon=":material/arrow_forward:", on_click=_move_window, args=(1, count))
    buttons.markdown(f"Window {step + 1} of {count}")
    window = window_step(pixels, kernel, settings, step, sums)
    padded = padded_input(pixels, settings)
    centre_row = (window.cells[0][0] + window.cells[-1][0]) // 2
    centre_col = (window.cells[0][1] + window.cells[-1][1]) // 2
    top = int(np.clip(centre_row - STEPPER_SIDE // 2, 0, max(padded.shape[0] - STEPPER_SIDE, 0)))
    left = int(np.clip(centre_col - STEPPER_SIDE // 2, 0, max(padded.shape[1] - STEPPER_SIDE, 0)))
    region = padded[top : top + STEPPER_SIDE, left : left + STEPPER_SIDE]
    inside = np.zeros(padded.shape, dtype=bool)
    pads = settings.pads(pixels.shape)
    inside[pads.top : pads.top + pixels.shape[0], pads.left : pads.left + pixels.shape[1]] = True
    outlines = tuple(Outline(r - top, c - left) for r, c in window.cells)
    picture, explanation = st.columns([1, 1.4], vertical_alignment="center")
    show_picture(
        Picture(
            ("window", *key, step),
            region,
            Shading(0, 255),
            outlines,
            ~inside[top : top + STEPPER_SIDE, left : left + STEPPER_SIDE],
        ),
        f"The padded input around the window (rows {top}-{top + region.shape[0] - 1}, columns "
        f"{left}-{left + region.shape[1] - 1}; padding in blue-grey)",
        picture,
    )
    with explanation:
        st.markdown(
            f"**Output pixel (row {window.out_row}, column {window.out_col}) = {format_value(window.total)}**"
        )
        st.markdown(
            f"Its window starts at padded row {window.cells[0][0]}, column {window.cells[0][1]}: "
            f"{window.out_row} x stride {settings.stride}, {window.out_col} x stride {settings.stride}. "
            f"Its nine cells lie {settings.dilation} apart. The padded input has {pads.top} zeros above, "
            f"{pads.bottom} below, {pads.left} left and {pads.right} right of the image."
        )
        st.code(window.sum_text, language=None, wrap_lines=True)


def strongest_window(sums: np.ndarray) -> int:
    """Where the stepper starts: the window with the largest sum in magnitude (the first on ties)."""
    return int(np.argmax(np.abs(sums)))


def _strongest_window() -> None:
    st.session_state[state.LAYER_STEP] = None  # new settings: start at their strongest window


def _move_window(delta: int, count: int) -> None:
    st.session_state[state.LAYER_STEP] = (int(st.session_state[state.LAYER_STEP]) + delta) % count


# ---- 2. A layer of filters --------------------------------------------------------------------------


def layer_of_filters_ui(pixels: np.ndarray, source: tuple) -> None:
    """A layer on ``pixels``: gray (H, W), or colour (H, W, 3) with one slice per channel."""
    st.subheader("2. A layer: many filters at once")
    colour = pixels.ndim == 3
    choose = st.container(horizontal=True, gap="medium", vertical_alignment="bottom")
    choose.multiselect(
        f"Filters (1 to {MAX_FILTERS})",
        filter_options(),
        format_func=filter_name,
        key=state.LAYER_FILTERS,
        max_selections=MAX_FILTERS,
        width=520,
    )
    choose.number_input(
        "Bias",
        key=state.LAYER_BIAS,
        min_value=-MAX_BIAS,
        max_value=MAX_BIAS,
        step=10.0,
        width=120,
        help="Added to every filter's sum.",
    )
    choose.segmented_control("Pooling", LAYER_POOL_KINDS, key=state.LAYER_POOL_KIND, required=True)
    choose.segmented_control("Window", (2, 3), key=state.LAYER_POOL_SIZE, required=True, format_func=_square)
    choose.segmented_control("Pool stride", STRIDES, key=state.LAYER_POOL_STRIDE, required=True)
    st.caption(LAYER_WORDS)
    names = list(st.session_state[state.LAYER_FILTERS])
    if not names:
        st.info("Choose at least one filter for the layer.")
        return
    bias = float(st.session_state[state.LAYER_BIAS])
    pooling = PoolSettings(
        st.session_state[state.LAYER_POOL_KIND],
        st.session_state[state.LAYER_POOL_SIZE],
        st.session_state[state.LAYER_POOL_STRIDE],
    )
    channels = 3 if colour else 1
    filters = [
        LayerFilter.same_on_every_channel(filter_name(n), filter_kernel(n), channels, bias) for n in names
    ]
    key = ("layer", *source, colour, tuple(filter_id(n) for n in names), bias, pooling)
    try:
        layer = _cached(key, lambda: apply_layer(pixels, filters, ConvSettings(), pooling))
    except ValueError as problem:
        st.info(str(problem))
        return
    st.markdown(
        f"Input {_shape_text(pixels.shape)} → **{len(names)} feature maps, {layer.shape_text}** "
        f"(ReLU after each sum) → pooled {pooling.kind} {_square(pooling.size)}, stride {pooling.stride}: "
        f"**{layer.pooled_shape_text}**."
    )
    if colour:
        st.caption(
            "A colour image has three channels, so each filter is 3 x 3 x 3: one 3 x 3 slice per "
            "channel (here the same preset on each), the three sums added, plus the bias, as Conv2D does."
        )
        _channels_of_first_filter(layer, key)
    for first in range(0, len(layer.maps), 4):
        columns = st.columns(4)
        for index, (column, feature) in enumerate(zip(columns, layer.maps[first : first + 4], strict=False)):
            number = first + index
            show_picture(
                Picture(
                    (*key, "map", number), feature.activated, positive_shading(feature.activated), per_row=4
                ),
                f"{number + 1}. {feature.name} · {_shape_text(feature.activated.shape)}",
                column,
            )
            if feature.pooled.size:
                show_picture(
                    Picture(
                        (*key, "pooled", number), feature.pooled, positive_shading(feature.pooled), per_row=4
                    ),
                    f"pooled · {_shape_text(feature.pooled.shape)}",
                    column,
                )
            column.button(
                "Step through it",
                key=f"open_map_{number}",
                on_click=_open_on_first_page,
                args=(names[number],),
                help="Open this filter on the first page: inspector and steppers.",
            )


def _channels_of_first_filter(layer, key: tuple) -> None:
    feature = layer.maps[0]
    columns = st.columns(4)
    for channel, (column, name) in enumerate(zip(columns, ("Red", "Green", "Blue"), strict=False)):
        part = feature.channel_sums[channel]
        show_picture(
            Picture((*key, "channel", channel), part, signed_shading(part), per_row=4),
            f"{name} channel's sum · {_shape_text(part.shape)}",
            column,
        )
    show_picture(
        Picture((*key, "total"), feature.sums, signed_shading(feature.sums), per_row=4),
        f"= red + green + blue + bias ({format_value(feature.bias)})",
        columns[3],
    )


def _open_on_first_page(preset: str) -> None:
    st.session_state[state.OPEN_ON_FIRST_PAGE] = preset


def _square(size: int) -> str:
    return f"{size} x {size}"


def _shape_text(shape: tuple[int, ...]) -> str:
    text = f"{shape[0]} x {shape[1]}"
    return f"{text} x {shape[2]}" if len(shape) == 3 else text


# ---- 3. Two layers -----------------------------------------------------------------------------------


def pipeline_ui(pixels: np.ndarray, source: tuple) -> None:
    st.subheader("3. Two layers: conv → ReLU → pool → conv → ReLU → pool")
    choose = st.container(horizontal=True, gap="medium")
    for key, label in ((state.PIPELINE_FIRST, "First filter"), (state.PIPELINE_SECOND, "Second filter")):
        choose.selectbox(label, filter_options(), format_func=filter_name, key=key, width=300)
    first, second = st.session_state[state.PIPELINE_FIRST], st.session_state[state.PIPELINE_SECOND]
    key = ("pipeline", *source, filter_id(first), filter_id(second))
    try:
        pipeline = _cached(
            key, lambda: two_layer_pipeline(pixels, filter_kernel(first), filter_kernel(second))
        )
    except ValueError as problem:
        st.info(str(problem))
        return
    st.markdown(f"**{pipeline.sizes_text}**: 'valid' padding loses a border, each 2 x 2 pooling halves.")
    for column, (index, stage) in zip(
        st.columns(len(pipeline.stages)), enumerate(pipeline.stages), strict=True
    ):
        shading = Shading(0, 255) if index == 0 else positive_shading(stage.values)
        show_picture(
            Picture((*key, index), stage.values, shading, per_row=len(pipeline.stages)),
            f"{stage.name} · {stage.size_text}",
            column,
        )
    if all(wants_labels(stage.values.shape) for stage in pipeline.stages[1:]):
        with st.expander("The values of the last stages as tables"):
            for tab, stage in zip(
                st.tabs([s.name for s in pipeline.stages[1:]]), pipeline.stages[1:], strict=True
            ):
                tab.dataframe(pd.DataFrame(value_labels(stage.values)), width="content")


# ---- 4. Learning a filter ------------------------------------------------------------------------


def learning_ui(pixels: np.ndarray, source: tuple) -> None:
    st.subheader("4. Where filters come from: learn one")
    st.markdown(
        "Pick a target (what a filter makes of this image, or a map you paint), start from zeros or "
        "random values, and watch gradient descent adjust the nine weights until the filter's output "
        "matches the target."
    )
    choose = st.container(horizontal=True, gap="medium", vertical_alignment="bottom")
    choose.selectbox(
        "Target",
        [PAINTED, *filter_options()],
        format_func=lambda k: "Painted by hand" if k == PAINTED else f"The result of {filter_name(k)}",
        key=state.LEARN_TARGET,
        width=340,
    )
    choose.segmented_control("Start from", STARTS, key=state.LEARN_START, required=True)
    choose.select_slider("Learning rate", LEARNING_RATES, key=state.LEARN_RATE, width=260)
    choose.number_input("Steps", min_value=1, max_value=MAX_STEPS, step=50, key=state.LEARN_STEPS, width=140)
    st.caption(LEARNING_WORDS)
    target_key = st.session_state[state.LEARN_TARGET]
    start, rate, steps = (
        st.session_state[state.LEARN_START],
        float(st.session_state[state.LEARN_RATE]),
        int(st.session_state[state.LEARN_STEPS]),
    )
    inputs = scaled(pixels)
    if target_key == PAINTED:
        target, target_id = _painted_target_ui(pixels, source)
        if target is None:
            return
    else:
        target, target_id = correlate(inputs, filter_kernel(target_key)), filter_id(target_key)
    key = ("learn", *source, target_id, start, rate, steps)
    learning = _cached(
        key, lambda: learn_filter(inputs, target, steps=steps, learning_rate=rate, start=start)
    )
    _learning_stepper(learning, key)


def _painted_target_ui(pixels: np.ndarray, source: tuple) -> tuple[np.ndarray | None, str]:
    """The painter, and the target it gives (None until something is painted) with its digest."""
    target_shape = (pixels.shape[0] - 2, pixels.shape[1] - 2)
    rows, cols = paint_grid_shape(target_shape)
    painted = painted_levels(state.TARGET_PAD, rows, cols, TARGET_LEVELS).astype(bool)
    background = _cached(("paint background", *source), lambda: target_background_png(pixels, (rows, cols)))
    paint_pad_ui(
        state.TARGET_PAD,
        grid=f"{source}/{rows}x{cols}",
        mode="target",
        label="Target to paint",
        levels=TARGET_LEVELS,
        cells=painted.astype(np.uint8),
        cell_px=max(4, min(24, 480 // max(rows, cols))),
        background_png=background,
    )
    if not painted.any():
        st.info(
            "Paint where the filter's output should be bright (press and drag on the image), for "
            "example along the edges you want it to find; the learning starts when you let go.",
            icon=":material/brush:",
        )
        return None, ""
    st.caption(
        f"Target: the {rows} x {cols} painting"
        + (
            f", stretched to the {target_shape[1]} x {target_shape[0]} map"
            if (rows, cols) != target_shape
            else ""
        )
        + ": 1 where painted, 0 elsewhere."
    )
    return painted_target(painted, target_shape), hashlib.sha256(painted.tobytes()).hexdigest()


PLAY_EVERY_S = 0.4
"""While playing, the shown step advances this often (a fiftieth of the run each time)."""


def _learning_stepper(learning: Learning, key: tuple) -> None:
    """Play / Pause and jumps (whole-page reruns), then the step shown (a fragment: playing reruns it)."""
    if int(st.session_state[state.LEARN_SHOWN]) > learning.steps:
        st.session_state[state.LEARN_SHOWN] = learning.steps
    playing = bool(st.session_state[state.LEARN_PLAYING])
    controls = st.container(horizontal=True, vertical_alignment="center")
    controls.button(
        "Pause" if playing else "Play",
        icon=":material/pause:" if playing else ":material/play_arrow:",
        on_click=_toggle_learning,
        args=(learning.steps,),
    )
    controls.button("Step 0", on_click=_show_learning_step, args=(0,))
    controls.button("Last step", on_click=_show_learning_step, args=(learning.steps,))
    if learning.diverged:
        st.warning(
            f"The loss blew up after {learning.steps} steps: each step overshoots. "
            "Choose a smaller learning rate.",
            icon=":material/trending_up:",
        )
    (_playing if playing else _still)(learning, key)


@st.fragment(run_every=PLAY_EVERY_S)
def _playing(learning: Learning, key: tuple) -> None:
    shown = int(st.session_state[state.LEARN_SHOWN])
    if shown >= learning.steps:
        st.session_state[state.LEARN_PLAYING] = False
        st.rerun()  # the whole page: the button turns back into Play
    st.session_state[state.LEARN_SHOWN] = shown = min(shown + max(1, learning.steps // 50), learning.steps)
    _learning_frame(learning, key, shown)


@st.fragment
def _still(learning: Learning, key: tuple) -> None:
    _learning_frame(learning, key, int(st.session_state[state.LEARN_SHOWN]))


def _learning_frame(learning: Learning, key: tuple, shown: int) -> None:
    """The step shown: its counter and loss, the curve with the step marked, the filter at that step
    beside the exact answer. Quick to run (the curve is drawn once per run, the mark is CSS), so while
    it plays every part shows the same step and none is left greyed as stale."""
    curve = LAYER_PNGS.get_or_compute((*key, "loss"), lambda: loss_curve(learning))
    st.markdown(
        f"Step **{shown}** of {learning.steps} · loss **{learning.losses[shown]:.6g}** · the weights at "
        f"most **{format_value(learning.weight_gap(shown))}** from the exact answer's"
    )
    figure, kernels = st.columns([1.4, 1], vertical_alignment="top")
    with figure, st.container(key=LOSS_CURVE):
        st.image(
            curve.png,
            caption="The loss after every step (log scale); the dot is the step shown",
            width="stretch",
            output_format="PNG",
            alt=f"Loss curve on a log scale over {learning.steps} steps, from {learning.losses[0]:.6g} at "
            f"step 0 to {learning.losses[-1]:.6g} at step {learning.steps}; the dot marks step {shown}, "
            f"loss {learning.losses[shown]:.6g}.",
        )
        st.html(f"<style>{step_mark_css(LOSS_CURVE, curve, shown)}</style>")
    with kernels:
        st.markdown(f"**The filter at step {shown}**")
        st.dataframe(_kernel_table(learning.kernels[shown]), hide_index=True, width="content")
        st.markdown(f"**The exact answer** (least squares), loss {learning.exact_loss:.3g}")
        st.dataframe(_kernel_table(learning.exact), hide_index=True, width="content")
        st.caption(learning.why_weights_differ(shown))


LOSS_CURVE = "learning_loss_curve"
STEP_MARK_PX = 11


def step_mark_css(container_key: str, curve: LossCurve, step: int) -> str:
    """CSS that marks ``step``'s point on the curve at the top of the container: placed in fractions
    of the picture's width (a margin in % follows the container's width), at any size it is shown."""
    x, y = curve.points[step]
    return (
        f".st-key-{container_key} {{ position: relative; }} "
        f".st-key-{container_key}::after {{ content: ''; position: absolute; z-index: 2; top: 0; "
        f"pointer-events: none; width: {STEP_MARK_PX}px; height: {STEP_MARK_PX}px; border-radius: 50%; "
        f"background: #000; transform: translate(-50%, -50%); left: {100 * x / curve.width:.3f}%; "
        f"margin-top: {100 * y / curve.width:.3f}%; }}"
    )


def _toggle_learning(steps: int) -> None:
    playing = not st.session_state[state.LEARN_PLAYING]
    if playing and st.session_state[state.LEARN_SHOWN] >= steps:
        st.session_state[state.LEARN_SHOWN] = 0
    st.session_state[state.LEARN_PLAYING] = playing


def _show_learning_step(step: int) -> None:
    st.session_state[state.LEARN_SHOWN] = step
    st.session_state[state.LEARN_PLAYING] = False


def _kernel_table(kernel: np.ndarray) -> pd.DataFrame:
    """Nine weights as the app writes numbers (at most two decimals, never -0)."""
    return pd.DataFrame(format_values(kernel), columns=["left", "middle", "right"])
