"""The explorer: a browser component (Streamlit Components v2) for every step-by-step view.

It shows a region of the image and of its filtered output (all of a small
image, the zoom region outlined above on a big one) and, with no server round
trip, explains the pixel under the pointer ("Inspect a pixel") or plays the
steppers ("Slide the filter", "Pool step by step") at 1 to 20 steps a second.
The core packs its numbers once per result and region (``filters.explore``);
each rerun adds only the pinned pixel. Clicking a pixel or pressing Enter pins
it: the server-side inspector and the outlines follow.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from filters.drawing import PIXEL_SHADING, output_shading
from filters.explore import Payload, convolution_payload, pooling_payload
from filters.pipeline import FilterResult
from filters.presets import LECTURE_POOLING_GRID
from filters.recipe import FilterRecipe
from filters.stepping import Region, whole
from filters.walkthrough import channel_of
from views import state
from views.loading import EXPLORER_PAYLOADS
from views.predict import sizes_held_back

_ASSETS = Path(__file__).resolve().parent / "components"
EXPLORER = st.components.v2.component(
    "convolution_explorer",
    css=(_ASSETS / "explorer.css").read_text(),
    js="\n".join((_ASSETS / name).read_text() for name in ("dom.js", "format.js", "explorer.js")),
)


def _pin() -> None:
    """A pixel clicked or Entered in the browser becomes the inspected pixel."""
    pinned = st.session_state[state.EXPLORER].get("pinned")
    if isinstance(pinned, list) and len(pinned) == 2 and all(type(value) is int for value in pinned):
        st.session_state[state.INSPECT_ROW], st.session_state[state.INSPECT_COL] = pinned
        state.rerun_pixel_sections(moved=True)


def _rest_at_step() -> None:
    """The stepper rests at a step (reported once it stops moving): kept for the page's link."""
    step = st.session_state[state.EXPLORER].get("step")
    if type(step) is int and 0 <= step <= 100_000:
        st.session_state[state.STEP] = step
        # The link holds the step. The same sections as every change of this view rerun: a run of
        # fragments cut short by the next one is then always drawn again whole by it.
        state.rerun_pixel_sections()


def _show(payload: Payload, view: str, pixel: tuple[int, int], sizes: bool = True) -> None:
    EXPLORER(
        key=state.EXPLORER,
        data=payload.framed(
            view=view,
            pinned=pixel,
            step=int(st.session_state[state.STEP]),
            projector=bool(st.session_state[state.PROJECTOR]),
            reveal=bool(st.session_state.pop(state.REVEAL, False)),
            sizes=sizes,
        ),
        on_pinned_change=_pin,
        on_step_change=_rest_at_step,
    )


def convolution_explorer_ui(
    recipe: FilterRecipe,
    result: FilterResult,
    channel: int,
    region: Region,
    view: str,
    pixel: tuple[int, int],
) -> None:
    """Inspect ``view="inspect"`` or slide ``view="slide"`` over ``region`` of the output."""
    payload = EXPLORER_PAYLOADS.get_or_compute(
        ("convolution", recipe, channel, region), lambda: convolution_payload(result, region, channel)
    )
    _show(payload, view, pixel, sizes=not sizes_held_back(result))


def pooling_explorer_ui(recipe: FilterRecipe, result: FilterResult, channel: int, region: Region) -> None:
    """Pool ``region`` of the filtered image (of one channel) step by step."""

    def build() -> Payload:
        values = channel_of(result.mapped(region.slices()), channel)
        return pooling_payload(
            values, output_shading(result.mapping), result.pool_kind, region, "Filtered values"
        )

    payload = EXPLORER_PAYLOADS.get_or_compute(("pooling", recipe, channel, region), build)
    _show(payload, "pool", (0, 0), sizes=not sizes_held_back(result))


def lecture_pooling_ui(pool_kind: str) -> None:
    """Pool the lecture's 4 x 4 grid step by step: 16 pixels become 4."""
    payload = EXPLORER_PAYLOADS.get_or_compute(
        ("lecture", pool_kind),
        lambda: pooling_payload(
            LECTURE_POOLING_GRID,
            PIXEL_SHADING,
            pool_kind,
            whole(LECTURE_POOLING_GRID.shape),
            "The lecture's pixels",
        ),
    )
    _show(payload, "pool", (0, 0))
