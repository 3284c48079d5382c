"""The page's link holds its view: every setting in the query string, restored on opening it.

``follow_link`` runs first: when the session starts (a link opened, a page
reloaded) or the browser goes Back or Forward, it puts the link's settings into
session state, and says once which parameters it ignored. ``update_link`` runs
last and writes the settings in force into the query string (Streamlit adds
a browser history entry when it changes). The codec is ``filters.link``.

Why not Streamlit's ``bind="query-params"``: it binds one widget to one
parameter, but here settings depend on each other (a preset seeds the filter's
values, a sample picks its group, the pixel and the step live outside widgets)
and a link is checked as a whole, with a notice for what was ignored. One codec
for all of them keeps the link in one place and lets the tests drive it directly.
"""

from __future__ import annotations

from urllib.parse import urlencode

import numpy as np
import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from filters.convolution import PADDINGS
from filters.lesson import BEATS, beat
from filters.link import (
    UPLOAD_MARK,
    LinkReading,
    exact_number_text,
    ignored_notice,
    read_link,
    write_link,
)
from filters.mapping import MAPPINGS
from filters.pooling import POOL_KINDS
from filters.presets import DEFAULT_PRESET, PRESETS
from filters.recipe import SAMPLE_PREFIX
from filters.samples import DEFAULT_SAMPLE
from filters.walkthrough import CHANNEL_NAMES, VIEW_EDGES, VIEW_INSPECT, VIEW_POOL, VIEW_SLIDE
from views import state
from views.image_source import show_sample

_ON_OFF = {"1": True, "0": False}
CHOICES: dict[str, dict[str, object]] = {
    "padding": {padding: padding for padding in PADDINGS},
    "mapping": {mapping: mapping for mapping in MAPPINGS},
    "pool": {kind: kind for kind in POOL_KINDS},
    "size": {("full" if size == state.FULL_SIZE else str(size)): size for size in state.WORKING_SIZES},
    "colour": _ON_OFF,
    "channel": {name.lower(): name for name in CHANNEL_NAMES},
    "layout": {"side": state.LAYOUT_SIDE_BY_SIDE, "stacked": state.LAYOUT_STACKED},
    "values": _ON_OFF,
    "view": {"inspect": VIEW_INSPECT, "slide": VIEW_SLIDE, "pool": VIEW_POOL, "edges": VIEW_EDGES},
    "pooling": {source: source for source in state.POOL_SOURCES},
    "projector": _ON_OFF,
    "predict": _ON_OFF,
    "lesson": {str(number): number for number in range(1, len(BEATS) + 1)},
}
"""Link parameter -> {text in the link: value} for the settings that are one of a few choices."""

_SETTING_KEYS = {
    "padding": state.PADDING,
    "mapping": state.MAPPING,
    "pool": state.POOL_KIND,
    "size": state.WORKING_SIZE,
    "colour": state.COLOUR,
    "channel": state.LABEL_CHANNEL,
    "layout": state.LAYOUT,
    "values": state.WRITE_VALUES,
    "view": state.STEP_VIEW,
    "pooling": state.POOL_SOURCE,
    "projector": state.PROJECTOR,
    "predict": state.PREDICT,
    "lesson": state.LESSON,
    "step": state.STEP,
}
"""Link parameter -> the session state key it sets directly."""


def _defaults() -> dict[str, object]:
    first = state.first_values()
    defaults = {name: first[key] for name, key in _SETTING_KEYS.items()}
    defaults.update(image=DEFAULT_SAMPLE, preset=DEFAULT_PRESET, weight=PRESETS[DEFAULT_PRESET].weight)
    return defaults


def _is_history_navigation() -> bool:
    """This run was started by the browser's Back or Forward (the URL then speaks, not the widgets)."""
    context = get_script_run_ctx()
    return bool(context is not None and getattr(context, "is_history_navigation", False))


def follow_link(page_was_open: bool = False) -> None:
    """Take the settings of the page's link when the session starts or the browser goes Back / Forward.

    The link counts as taken as soon as it is read: a first run cut short by the visitor's
    first click (an upload, a sample) must not have that click undone by the run that follows.
    ``page_was_open``: this session started under a page that was already open (the server
    restarted); the link then rebuilds its view, and a lost upload is said to be lost.
    """
    query = st.query_params.to_dict()
    starting = state.LINK_WRITTEN not in st.session_state
    if not (starting or _is_history_navigation()) or query == st.session_state.get(state.LINK_WRITTEN):
        return
    st.session_state[state.LINK_WRITTEN] = query
    if query or not starting:
        apply_link(read_link(query, CHOICES), page_was_open)


def apply_link(reading: LinkReading, page_was_open: bool = False) -> None:
    """Put a link's settings into session state; what it leaves out goes back to its default."""
    if set(reading.values) == {"lesson"}:  # "?lesson=3" alone: the beat's own settings
        lesson = reading.values["lesson"]
        reading = LinkReading(
            {**read_link(beat(lesson).link, CHOICES).values, "lesson": lesson}, reading.ignored
        )
    values = {**_defaults(), **reading.values}
    for name, key in _SETTING_KEYS.items():
        st.session_state[key] = values[name]
    if values["image"] != UPLOAD_MARK:
        show_sample(str(values["image"]))
    elif st.session_state[state.SHOWN_IMAGE][0].startswith(SAMPLE_PREFIX):  # not in this session: say so
        st.session_state[state.UPLOAD_LOST if page_was_open else state.LINK_WITHOUT_UPLOAD] = True
    state.seed_kernel_from_preset(values["preset"] or DEFAULT_PRESET)
    if "kernel" in reading.values or "weight" in reading.values:  # values of its own
        state.mark_filter_edited()
        if "kernel" in reading.values:
            state.seed_kernel(np.reshape(values["kernel"], (3, 3)).tolist())
        st.session_state[state.LAST_VALID_WEIGHT] = values["weight"]
        st.session_state[state.WEIGHT_TEXT] = exact_number_text(values["weight"])
    if "pixel" in values:
        st.session_state[state.LINKED_PIXEL] = values["pixel"]
    st.session_state[state.LINK_IGNORED] = reading.ignored


def link_values(first_pixel: tuple[int, int] | None) -> dict[str, object]:
    """The settings in force, as link parameters (``first_pixel``: where the image puts the pixel)."""
    values: dict[str, object] = {name: st.session_state[key] for name, key in _SETTING_KEYS.items()}
    shown = st.session_state[state.SHOWN_IMAGE][0]
    values["image"] = shown.removeprefix(SAMPLE_PREFIX) if shown.startswith(SAMPLE_PREFIX) else UPLOAD_MARK
    preset = st.session_state[state.PRESET]
    values["preset"] = preset
    if preset is None:
        values["preset"] = st.session_state.get(state.EDITED_FROM)
        values["kernel"] = tuple(float(v) for v in np.ravel(st.session_state[state.LAST_VALID_KERNEL]))
        values["weight"] = float(st.session_state[state.LAST_VALID_WEIGHT])
    pixel = tuple(st.session_state.get(state.PIXEL, (0, 0)))
    if pixel != first_pixel:
        values["pixel"] = pixel
    return values


def update_link(first_pixel: tuple[int, int] | None) -> None:
    """Write the settings in force into the page's query string (only when they changed)."""
    values = link_values(first_pixel)
    defaults = _defaults()
    if values.get("kernel") is not None:
        defaults.pop("weight")  # with values of its own, the weight is always written
    query = write_link(values, CHOICES, defaults)
    if query != st.query_params.to_dict():
        st.query_params.from_dict(query)
    st.session_state[state.LINK_WRITTEN] = query


def link_notice() -> None:
    """Say once which parameters of the link were ignored, and that a link never holds an upload."""
    ignored = st.session_state.pop(state.LINK_IGNORED, ())
    if ignored:
        st.info(ignored_notice(tuple(ignored)), icon=":material/link_off:")
    if st.session_state.pop(state.LINK_WITHOUT_UPLOAD, False):
        st.info(
            "This link was made while an uploaded image was shown. Links never hold uploads, so it "
            "opens the same settings on a sample; upload the image again to see it.",
            icon=":material/link_off:",
        )


def share_link_ui() -> None:
    """A popover with the link to this view (drawn once the link is written)."""
    with st.popover("Share this view", icon=":material/link:"):
        query = st.session_state.get(state.LINK_WRITTEN) or {}
        base = st.context.url.split("?")[0] if st.context.url else ""
        st.code(f"{base}?{urlencode(query)}" if query else base, language=None, wrap_lines=True)
        st.caption(
            "Copy this link (the icon at its right) to open the same view: image, filter, options, "
            "step view, pixel and step. Uploaded images are never put in a link: the link opens "
            "the same settings on a bundled sample."
        )
