"""Every ``st.session_state`` key the app uses, in one place, with its first value.

Widgets use these keys; callbacks reset dependent state when the image or the
filter changes. Nothing here holds data between sessions.
"""

from __future__ import annotations

import streamlit as st

from filters.kernel import format_weight
from filters.mapping import DEFAULT_MAPPING
from filters.presets import DEFAULT_PRESET, PRESETS
from filters.samples import DEFAULT_SAMPLE

# Image source (sidebar)
SAMPLE_GROUP = "sample_group"
SAMPLE_KEY = "sample_key"
UPLOADER = "uploader"
LAST_GOOD_UPLOAD = "last_good_upload"  # (file name, bytes) of the last upload that decoded
SHOWN_IMAGE = "shown_image"  # ("sample", key) or ("upload", name): what the results show
WORKING_SIZE = "working_size"
COLOUR = "colour"
LABEL_CHANNEL = "label_channel"

# Filter
PRESET = "preset"
KERNEL_SEED = "kernel_seed"  # 3x3 values the editor starts from (the preset's, until reset)
KERNEL_EDITOR_VERSION = "kernel_editor_version"  # bumped to give the editor a fresh widget
LAST_VALID_KERNEL = "last_valid_kernel"
WEIGHT_TEXT = "weight_text"
LAST_VALID_WEIGHT = "last_valid_weight"

# Applying
PADDING = "padding"
MAPPING = "mapping"
POOL_KIND = "pool_kind"
LAYOUT = "layout"
WRITE_VALUES = "write_values"

# Step by step (section 3)
STEP_VIEW = "step_view"
INSPECT_ROW = "inspect_row"  # the output pixel explained, and the centre of zoom regions
INSPECT_COL = "inspect_col"
INSPECT_CONTEXT = "inspect_context"  # (image, output size) the pixel belongs to
PICK = "pick_output"  # the clickable filtered image
PICK_GEOMETRY = "pick_geometry"  # how that picture was drawn, to map clicks to pixels
LAST_CLICK = "last_click"  # time stamp of the last click taken, so each click counts once
CONV_STEPPER = "conv"  # prefix of the convolution stepper's keys
POOL_STEPPER = "pool"  # prefix of the pooling stepper's keys
POOL_SOURCE = "pool_source"  # "image" or "lecture": what the pooling stepper walks

VIEW_INSPECT, VIEW_SLIDE, VIEW_POOL = "Inspect a pixel", "Slide the filter", "Pool step by step"
STEP_VIEWS = (VIEW_INSPECT, VIEW_SLIDE, VIEW_POOL)
LAYOUT_SIDE_BY_SIDE, LAYOUT_STACKED = "Side by side", "One below the other"
FULL_SIZE = "Full size"
WORKING_SIZES: tuple[int | str, ...] = (128, 256, 512, 1024, 2048, FULL_SIZE)


def stepper_key(prefix: str, part: str) -> str:
    """Key of one part of a stepper's state.

    Parts: "step" (1-based step number, also the scrub slider), "playing",
    "speed" (steps per second), "ticked" (the last fragment run was a timer
    tick), and "context" (what the position belongs to; see reset_when_changed).
    """
    return f"{prefix}_{part}"


def reset_when_changed(context_key: str, context: object, first_values: dict[str, object]) -> None:
    """When ``context`` differs from the last run's, put ``first_values`` into session state.

    Used for state that belongs to one image or one filter: a stepper's
    position resets when the image, the filter or the region changes.
    """
    if st.session_state.get(context_key) != context:
        st.session_state[context_key] = context
        st.session_state.update(first_values)


def kernel_editor_key_for(version: int) -> str:
    """Key of the kernel editor widget of a given version (a new one after every reset)."""
    return f"kernel_editor_{version}"


def kernel_editor_key() -> str:
    """Key of the current kernel editor widget."""
    return kernel_editor_key_for(st.session_state[KERNEL_EDITOR_VERSION])


def seed_kernel_from_preset(preset_key: str) -> None:
    """Put a preset's values and weight into the editor, discarding edits."""
    preset = PRESETS[preset_key]
    st.session_state[KERNEL_SEED] = preset.values.tolist()
    st.session_state[LAST_VALID_KERNEL] = preset.values.tolist()
    st.session_state[WEIGHT_TEXT] = format_weight(preset.weight)
    st.session_state[LAST_VALID_WEIGHT] = preset.weight
    st.session_state[KERNEL_EDITOR_VERSION] = st.session_state.get(KERNEL_EDITOR_VERSION, 0) + 1


def init_state() -> None:
    """Give every key its first value, once per session."""
    defaults = {
        SAMPLE_GROUP: "Fashion items",
        SAMPLE_KEY: DEFAULT_SAMPLE,
        SHOWN_IMAGE: ("sample", DEFAULT_SAMPLE),
        WORKING_SIZE: 512,
        COLOUR: False,
        LABEL_CHANNEL: "Red",
        PRESET: DEFAULT_PRESET,
        PADDING: "valid",
        MAPPING: DEFAULT_MAPPING,
        POOL_KIND: "max",
        LAYOUT: LAYOUT_SIDE_BY_SIDE,
        WRITE_VALUES: True,
        STEP_VIEW: VIEW_INSPECT,
        POOL_SOURCE: "image",
    }
    for key, value in defaults.items():
        st.session_state.setdefault(key, value)
    if KERNEL_SEED not in st.session_state:
        seed_kernel_from_preset(st.session_state[PRESET])
