"""Views "Slide the filter" and "Pool step by step": the computation replayed one step at a time.

Each stepper has previous / next, jump to start / end, a scrub slider, and
play / pause with a speed. While playing, only the stepper reruns
(``st.fragment(run_every=...)``); the filtered image it walks comes from the
cached result, so a step never recomputes the convolution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from filters.drawing import (
    NOT_YET_FILL,
    PADDING_FILL,
    PIXEL_SHADING,
    Fill,
    Outline,
    Shading,
    fit_cell_px,
    output_shading,
    render_grid,
    value_labels,
)
from filters.pipeline import FilterResult
from filters.pooling import PoolKind, PoolStep
from filters.presets import LECTURE_POOLING_GRID
from filters.stepping import Region, whole
from filters.walkthrough import (
    channel_of,
    convolution_frame,
    convolution_region,
    pooling_frame,
    pooling_region,
    pooling_steps,
)
from views import state
from views.inspector import arithmetic_markdown
from views.options import Options


@dataclass(frozen=True)
class Stepper:
    """One stepper: its session keys (see ``state.stepper_key``) and how many steps it has.

    The step is kept 1-based ("step 1 of 676"), as the page shows it.
    """

    prefix: str
    count: int

    def key(self, part: str) -> str:
        return state.stepper_key(self.prefix, part)

    def restart_when_changed(self, context: object) -> None:
        """Back to step 1, paused, when the image, filter or region changes."""
        state.reset_when_changed(
            self.key("context"), context, {self.key("step"): 1, self.key("playing"): False}
        )


def _go(stepper: Stepper, number: int) -> None:
    st.session_state[stepper.key("step")] = min(max(number, 1), stepper.count)


def _move(stepper: Stepper, delta: int) -> None:
    _go(stepper, st.session_state[stepper.key("step")] + delta)


def _toggle_play(stepper: Stepper) -> None:
    playing = stepper.key("playing")
    if not st.session_state[playing] and st.session_state[stepper.key("step")] >= stepper.count:
        _go(stepper, 1)  # playing from the end starts again
    st.session_state[playing] = not st.session_state[playing]


_BUTTONS = (
    # label, icon, help, callback, its argument after the stepper
    ("Start", ":material/first_page:", "Jump to the first step", _go, lambda stepper: 1),
    ("Back", ":material/chevron_left:", "Previous step", _move, lambda stepper: -1),
    ("Next", ":material/chevron_right:", "Next step", _move, lambda stepper: 1),
    ("End", ":material/last_page:", "Jump to the last step", _go, lambda stepper: stepper.count),
)


def step_controls(stepper: Stepper) -> int:
    """Draw the controls and return the current step number (1-based)."""
    step_key, playing_key, speed_key = stepper.key("step"), stepper.key("playing"), stepper.key("speed")
    st.session_state[step_key] = min(max(int(st.session_state.get(step_key, 1)), 1), stepper.count)
    playing = bool(st.session_state[playing_key])
    columns = st.columns([1, 1, 1.3, 1, 1, 2.2], vertical_alignment="center")
    for column, (label, icon, help_text, callback, argument) in zip(
        [*columns[:2], *columns[3:5]], _BUTTONS, strict=True
    ):
        column.button(
            label,
            key=f"{stepper.prefix}_{label.lower()}",
            icon=icon,
            help=help_text,
            on_click=callback,
            args=(stepper, argument(stepper)),
            disabled=playing,
            width="stretch",
        )
    columns[2].button(
        "Pause" if playing else "Play",
        key=f"{stepper.prefix}_play",
        icon=":material/pause:" if playing else ":material/play_arrow:",
        on_click=_toggle_play,
        args=(stepper,),
        type="primary",
        width="stretch",
    )
    columns[5].select_slider(
        "Speed",
        state.SPEEDS,
        key=speed_key,
        format_func=lambda steps: f"{steps} steps/s",
        label_visibility="collapsed",
    )
    if stepper.count > 1:
        st.slider(
            "Step",
            min_value=1,
            max_value=stepper.count,
            key=step_key,
            disabled=playing,
            format=f"step %d of {stepper.count}",
            label_visibility="collapsed",
        )
    return int(st.session_state[step_key])


def run_stepper(stepper: Stepper, body, *args) -> None:
    """Run ``body(step_index, *args)`` in a fragment that advances itself while playing.

    Play and pause change the fragment's timer, which needs one rerun of the
    page; after that each tick reruns only the fragment and moves one step.
    """
    playing_key, ticked_key = stepper.key("playing"), stepper.key("ticked")
    st.session_state.setdefault(playing_key, False)
    st.session_state.setdefault(stepper.key("speed"), 2)
    playing = bool(st.session_state[playing_key])
    interval = 1.0 / st.session_state[stepper.key("speed")] if playing else None

    @st.fragment(run_every=interval)
    def stepper_fragment() -> None:
        if st.session_state[playing_key] != playing:
            st.rerun()
        if playing and st.session_state.get(ticked_key):
            if st.session_state[stepper.key("step")] >= stepper.count:
                st.session_state[playing_key] = False
                st.rerun()
            _move(stepper, 1)
        st.session_state[ticked_key] = playing
        body(step_controls(stepper) - 1, *args)

    stepper_fragment()


# ---- Slide the filter -------------------------------------------------------------------------------


def convolution_stepper_ui(result: FilterResult, options: Options, pixel: tuple[int, int]) -> None:
    """The filter slides over the region in reading order; the output fills in cell by cell."""
    region = convolution_region(result, pixel)
    stepper = Stepper(state.CONV_STEPPER, region.count)
    stepper.restart_when_changed(_context(result, options, region))
    if region != whole(result.output_shape):
        st.caption(
            f"A {region.cols} x {region.rows} zoom region of the filtered image around the selected pixel "
            "(outlined above; click the filtered image to move it)."
        )
    run_stepper(stepper, _convolution_step, result, options, region)


def _convolution_step(step: int, result: FilterResult, options: Options, region: Region) -> None:
    frame = convolution_frame(result, region, step, options.label_channel)
    input_picture = render_grid(
        frame.inputs,
        PIXEL_SHADING,
        labels=value_labels(frame.inputs),
        cell_px=fit_cell_px(frame.inputs.shape),
        outlines=(frame.window,),
        fills=(Fill(frame.padded, PADDING_FILL),),
    )
    labels = value_labels(frame.outputs)
    labels[frame.not_yet] = ""
    output_picture = render_grid(
        frame.outputs,
        output_shading(result.mapping),
        labels=labels,
        cell_px=fit_cell_px(frame.outputs.shape),
        outlines=(frame.current,),
        fills=(Fill(frame.not_yet, NOT_YET_FILL),),
    )
    st.markdown(frame.headline)
    left, right = st.columns(2)
    left.image(
        input_picture.png(),
        caption="Input: the 3 x 3 window (amber) slides",
        width="stretch",
        output_format="PNG",
    )
    right.image(
        output_picture.png(), caption="Output: filled in step by step", width="stretch", output_format="PNG"
    )
    st.markdown(arithmetic_markdown(frame.walkthrough))


# ---- Pool step by step -------------------------------------------------------------------------------


def _use_lecture_example(use: bool) -> None:
    st.session_state[state.POOL_SOURCE] = "lecture" if use else "image"


def pooling_stepper_ui(result: FilterResult, options: Options, pixel: tuple[int, int]) -> None:
    """2x2 windows of the filtered image in reading order; the pooled grid fills in with each maximum."""
    lecture = st.session_state[state.POOL_SOURCE] == "lecture"
    if lecture:
        region = whole(LECTURE_POOLING_GRID.shape)
        rows, cols = LECTURE_POOLING_GRID.shape
        part, shading, what = LECTURE_POOLING_GRID, PIXEL_SHADING, "The lecture's pixels"
        st.button("Back to the filtered image", on_click=_use_lecture_example, args=(False,))
    else:
        region = pooling_region(result, pixel)
        rows, cols = result.output_shape
        part = channel_of(result.mapped(region.slices()), options.label_channel)
        shading, what = output_shading(result.mapping), "Filtered values"
        st.button(
            "Lecture example: 16 pixels into 4",
            on_click=_use_lecture_example,
            args=(True,),
            help="Load the lecture's 4 x 4 grid and pool it step by step.",
        )
    st.markdown(
        f"Pooling turns **H x W into H/2 x W/2**: a quarter of the pixels. Here {cols} x {rows} → "
        f"{cols // 2} x {rows // 2}, so {rows * cols:,} values become {(rows // 2) * (cols // 2):,}."
    )
    steps = pooling_steps(part, result.pool_kind)
    if not steps:
        st.info("The filtered image is too small for 2 x 2 pooling.")
        return
    if region.rows != rows or region.cols != cols:
        st.caption(
            f"A {region.cols} x {region.rows} zoom region of the filtered image around the selected pixel "
            "(outlined above; click the filtered image to move it)."
        )
    stepper = Stepper(state.POOL_STEPPER, len(steps))
    context = ("lecture", result.pool_kind) if lecture else _context(result, options, region)
    stepper.restart_when_changed(context)
    run_stepper(stepper, _pooling_step, part, steps, shading, result.pool_kind, region, what)


def _pooling_step(
    step: int,
    part: np.ndarray,
    steps: tuple[PoolStep, ...],
    shading: Shading,
    kind: PoolKind,
    region: Region,
    what: str,
) -> None:
    frame = pooling_frame(part, steps, step, kind)
    cell_px = fit_cell_px(part.shape)  # the pooled grid keeps this cell size: it looks a quarter
    input_picture = render_grid(
        part, shading, labels=value_labels(part), cell_px=cell_px, outlines=frame.outlines
    )
    labels = value_labels(frame.pooled)
    labels[frame.not_yet] = ""
    current = frame.current
    pooled_picture = render_grid(
        frame.pooled,
        shading,
        labels=labels,
        cell_px=cell_px,
        outlines=(Outline(current.out_row, current.out_col),),
        fills=(Fill(frame.not_yet, NOT_YET_FILL),),
    )
    top, left = region.top + current.top, region.left + current.left
    st.markdown(
        f"**Step {step + 1} of {frame.count}**: the 2 x 2 window at rows {top}–{top + 1}, columns "
        f"{left}–{left + 1} → pooled cell (row {region.top // 2 + current.out_row}, column "
        f"{region.left // 2 + current.out_col}): `{frame.arithmetic}`"
    )
    left_column, right_column = st.columns([2, 1])
    left_column.image(
        input_picture.png(),
        caption=f"{what}: the 2 x 2 window (amber)" + (", its maximum (cyan)" if kind == "max" else ""),
        width="stretch",
        output_format="PNG",
    )
    right_column.image(
        pooled_picture.png(), caption="Pooled: filled in step by step", width="stretch", output_format="PNG"
    )


def _context(result: FilterResult, options: Options, region: Region) -> tuple:
    """What a stepper's position belongs to: the image, the filter, the options and the region."""
    return (
        st.session_state[state.SHOWN_IMAGE],
        st.session_state[state.WORKING_SIZE],
        result.kernel.tobytes(),
        result.weight,
        result.padding,
        result.mapping.key,
        result.pool_kind,
        options.colour,
        options.label_channel,
        region,
    )
