"""Sidebar block "Options": padding, output mapping, pooling, colour, working size, layout."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from filters.convolution import PADDINGS, Padding
from filters.mapping import MAPPINGS, MappingKey
from filters.pooling import POOL_KINDS, PoolKind
from filters.walkthrough import CHANNEL_NAMES
from views import state

CHANNELS = CHANNEL_NAMES

_PADDING_LABELS = {"valid": "Valid: no zeros", "same": "Same: zeros around the edge"}
_POOL_LABELS = {"max": "Max: keep the largest of the 4", "average": "Average of the 4"}

# One line each, in plain words: what the option changes in the pictures.
PADDING_WORDS = {
    "valid": "The filter only sits where all nine of its cells are on the image, so the filtered "
    "picture loses a 1-pixel border: 28 x 28 becomes 26 x 26 (Keras' padding='valid').",
    "same": "Zeros are put around the image first, so the filter also sits on the border pixels and "
    "the filtered picture keeps the image's size: 28 x 28 stays 28 x 28.",
}
PADDING_WORDS_PREDICTING = {
    "valid": "The filter only sits where all nine of its cells are on the image (Keras' padding='valid').",
    "same": "Zeros are put around the image first, so the filter also sits on the border pixels.",
}
"""The same without the sizes, while the learner is asked for them (predict first)."""
MAPPING_WORDS = "A sum can fall below 0 or above 255, which no pixel can show; this decides what is drawn."
POOLING_WORDS = (
    "Each 2 x 2 block of the filtered picture becomes one pixel: the pooled picture is half as wide and high."
)
COLOUR_WORDS = {
    True: "Red, green and blue are each filtered; the results are drawn in colour.",
    False: "The image is made gray first; the filter runs on one number per pixel.",
}
WORKING_SIZE_WORDS = (
    "Big photos are shrunk to this many pixels on their longest side before filtering: smaller is "
    "quicker, larger keeps finer detail."
)
WRITE_VALUES_WORDS = "Each cell shows its number, where the grid is small enough to read them (28 x 28 is)."
LAYOUT_WORDS = "Where the filtered and pooled pictures go: beside the image, or under it."


@dataclass(frozen=True)
class Options:
    """The user's choices of how to apply the filter and show the results."""

    padding: Padding
    mapping: MappingKey
    pool_kind: PoolKind
    colour: bool
    label_channel: int
    write_values: bool
    stacked: bool


def options_ui(image_is_colour: bool) -> Options:
    """Draw the option widgets in the sidebar and return the choices."""
    sidebar = st.sidebar
    sidebar.header("Options")
    sidebar.radio("Padding", PADDINGS, format_func=_PADDING_LABELS.__getitem__, key=state.PADDING)
    words = PADDING_WORDS_PREDICTING if st.session_state.get(state.PREDICT) else PADDING_WORDS
    sidebar.caption(words[st.session_state[state.PADDING]])
    sidebar.selectbox(
        "Output mapping",
        list(MAPPINGS),
        format_func=lambda key: MAPPINGS[key].label,
        key=state.MAPPING,
        help="What happens to the raw sums before they are shown and pooled.",
    )
    sidebar.caption(f"{MAPPING_WORDS} {MAPPINGS[st.session_state[state.MAPPING]].description}")
    sidebar.radio(
        "2 x 2 pooling, stride 2", POOL_KINDS, format_func=_POOL_LABELS.__getitem__, key=state.POOL_KIND
    )
    sidebar.caption(POOLING_WORDS)
    sidebar.toggle(
        "Colour: filter each RGB channel",
        key=state.COLOUR,
        disabled=not image_is_colour,
        help="Off: the image is turned gray first (ITU-R 601 luma, as Pillow's 'L': "
        "0.299 R + 0.587 G + 0.114 B). On: the filter runs on red, green and blue separately "
        "and the result is shown in colour."
        if image_is_colour
        else "This image has no colour: it is filtered as gray values.",
    )
    colour = image_is_colour and bool(st.session_state[state.COLOUR])
    sidebar.caption(COLOUR_WORDS[colour])
    if colour:
        sidebar.segmented_control("Values written for", CHANNELS, key=state.LABEL_CHANNEL, required=True)
    sidebar.select_slider(
        "Working size (longest side)",
        state.WORKING_SIZES,
        format_func=lambda size: size if size == state.FULL_SIZE else f"{size} px",
        key=state.WORKING_SIZE,
        help="Big photos are reduced to this size before filtering, so every click stays fast. "
        "Full size filters every pixel of the original.",
    )
    sidebar.caption(WORKING_SIZE_WORDS)
    sidebar.toggle(
        "Write the values in the cells",
        key=state.WRITE_VALUES,
        help="Where a grid's cells are large enough to read them: up to 32 x 32 pixels, fewer when the "
        "grids beside it are wide too.",
    )
    sidebar.caption(WRITE_VALUES_WORDS)
    sidebar.radio("Layout", (state.LAYOUT_SIDE_BY_SIDE, state.LAYOUT_STACKED), key=state.LAYOUT)
    sidebar.caption(LAYOUT_WORDS)
    return Options(
        padding=st.session_state[state.PADDING],
        mapping=st.session_state[state.MAPPING],
        pool_kind=st.session_state[state.POOL_KIND],
        colour=colour,
        label_channel=CHANNELS.index(st.session_state.get(state.LABEL_CHANNEL, CHANNELS[0])),
        write_values=bool(st.session_state[state.WRITE_VALUES]),
        stacked=st.session_state[state.LAYOUT] == state.LAYOUT_STACKED,
    )
