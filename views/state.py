"""Every ``st.session_state`` key the app uses, in one place, with its first value and what it may hold.

Widgets use these keys; callbacks reset dependent state when the image or the
filter changes. ``sanitize()`` runs first on every rerun: a value no widget of
this page can produce (a forged message from a raw client, a stale session) is
put back to its default, so nothing downstream ever sees it. Nothing here holds
data between sessions.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from filters.convolution import PADDINGS
from filters.fashion_mnist import CLASS_NAMES, ITEMS_PER_CLASS
from filters.feature_maps import SCALE_KINDS
from filters.kernel import format_weight
from filters.lesson import BEATS
from filters.mapping import DEFAULT_MAPPING, MAPPINGS
from filters.network import FILTERS, MAP_SIDE, SHIPPED_SETTINGS
from filters.pooling import POOL_KINDS
from filters.presets import DEFAULT_PRESET, PRESETS
from filters.recipe import sample_source
from filters.samples import DEFAULT_GROUP, DEFAULT_SAMPLE, list_samples
from filters.walkthrough import CHANNEL_NAMES, STEP_VIEWS, VIEW_INSPECT

# Image source (sidebar)
SAMPLE_GROUP = "sample_group"
SAMPLE_KEY = "sample_key"
UPLOADER = "uploader"
UPLOAD_DIGEST = "upload_digest"  # (file_id, source) of the file in the uploader, hashed once
UPLOAD_TAKEN = "upload_taken"  # file_id of the upload the uploader's on_change last took (or None)
TAKE_UPLOAD = "take_upload"  # an upload arrived without its on_change: take it at the next run's start
UPLOAD_LOST = "upload_lost"  # a page open before a server restart had shown an upload: say so once
PREVIOUS_SAMPLE = "previous_sample"  # the sample's source shown before an upload, to go back to
LAST_GOOD_UPLOAD = "last_good_upload"  # (file name, source, bytes) of the last upload that decoded
UPLOAD_EMPTIED = "upload_emptied"  # the upload shown was just taken out: a refused next file brings it back
UPLOAD_LEASES = "upload_leases"  # {source: lease} of the uploads held: their cached work is kept meanwhile
IMAGE_MAKER = "image_maker"  # None, or the way of making an image shown: "Draw" or "Webcam"
DRAW_SIZE = "draw_size"  # the drawing grid's side: 28 or 64 cells
DRAW_PAD = "draw_pad"  # the drawing (its "painted" state: one digit 0-f of ink per cell)
DRAWING = "drawing"  # (side, cells) of the last drawing taken: the grid is redrawn from it
CAMERA = "camera"  # st.camera_input's photo
SHOWN_IMAGE = "shown_image"  # (source, title): the recipe source and the name the page shows
WORKING_SIZE = "working_size"
COLOUR = "colour"
LABEL_CHANNEL = "label_channel"

# Filter
PRESET = "preset"  # a preset's key, or None once its values or weight were edited
EDITED_FROM = "edited_from"  # the preset the edits started from, to reset to
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
PIXEL = "pixel"  # (row, col) in force: kept while the Row and Column boxes are not drawn
INSPECT_CONTEXT = "inspect_context"  # (image, output size) the pixel belongs to
PICK = "pick_output"  # the clickable filtered image
EXPLORER = "explorer"  # the in-browser explorer (its "pinned" trigger)
FILTER_PAD = "filter_pad"  # the in-browser filter pad (its "edit" state: values committed)
PICK_GEOMETRY = "pick_geometry"  # how that picture was drawn, to map clicks to pixels
SETTINGS_RESET = "settings_reset"  # names of settings sanitize() put back, to say so once
POOL_SOURCE = "pool_source"  # "image" or "lecture": what the pooling stepper walks
STEP = "step"  # the stepper's step, reported by the explorer when it rests, for the link
PROJECTOR = "projector"  # projector mode: big numbers, the step-by-step view first
PREDICT = "predict_first"  # the step-by-step views ask before they tell (views/predict.py)
GUESSES = "guesses"  # {question key: the guess given}: the questions answered, in this session only
SCORE = "score"  # filters.predict.Score: how many of the questions answered were right
LESSON = "lesson"  # the lesson's beat shown (1 to filters.lesson.BEATS' count), or 0 out of the lesson
WHICH_FILTER_ROUND = "which_filter_round"  # how many "Which filter made this?" pictures came before
PAGE_PATH = "page_path"  # the url path of the page shown ("" for the first, "layer" for the second)
ROOM = "class_room"  # filters.rooms.TeacherPass of the room this projector's page opened, or None
ROOM_PROBLEM = "class_room_problem"  # a room's refusal, said once
ROOM_ADDRESS = "class_room_address"  # the address students open, when the teacher typed one
ROOM_ADDRESS_BOX = "class_room_address_box"  # the box it is typed in (drawn while a room is open)
STUDENT_PASS = "student_pass"  # filters.rooms.StudentPass of the room a student's page joined
STUDENT_SEEN = "student_seen"  # (round id, open) the student's page shows: a change redraws it
TYPED_CODE = "typed_room_code"
CLASS_ANSWER = "class_answer"
ANSWER_PROBLEM = "class_answer_problem"  # why the last answer was refused, said once
POOL_ASKED = "pool_asked"  # the pooling window Pool step by step asks about (predict first)
GUESS_PROBLEM = "guess_problem"  # (question key, message): the last guess that was not an answer
LINK_WRITTEN = "link_written"  # the query parameters this session last wrote
LINKED_PIXEL = "linked_pixel"  # a pixel read from a link, taken once the image's size is known
LINK_IGNORED = "link_ignored"  # names of link parameters ignored, to say so once
LINK_WITHOUT_UPLOAD = "link_without_upload"  # a link made with an upload was opened: say so once
REVEAL = "reveal"  # a button opened a view: the explorer scrolls its explanation into sight once
RESULTS_FRAGMENT = "results"  # the first page's sections that rerun alone (st.fragment keys)
STAGE_FRAGMENT = "stage"
TAKE_AWAY_FRAGMENT = "take_away"
SHARE_FRAGMENT = "share"
PIXEL_SECTIONS = (RESULTS_FRAGMENT, STAGE_FRAGMENT, TAKE_AWAY_FRAGMENT, SHARE_FRAGMENT)
"""The sections that show the pixel looked at, the step-by-step view or its step (the link holds
all three): what a change of any of them reruns."""
PIXEL_MOVED = "pixel_moved"  # a callback moved the pixel: the Row and Column boxes must be sent it
TABLES_OPEN = "values_tables_open"  # the "values as tables" expander is open: only then are they built
TAKE_AWAY_OPEN = "take_away_open"  # the "Take it with you" expander is open: only then is it built

# The second page, "A whole layer" (views/layer_page.py): its own widgets, nothing shared but the image.
LAYER_PRESET = "layer_preset"  # the filter whose padding, stride and dilation are explored
LAYER_PADDING = "layer_padding"
LAYER_STRIDE = "layer_stride"
LAYER_DILATION = "layer_dilation"
LAYER_CONVENTION = "layer_convention"  # whose 'same' padding: "keras" (the course's) or "pytorch"
LAYER_FOLLOWS = "layer_follows"  # the first page's filter section 1 last took (see follow_first_pages_filter)
LAYER_STEP = "layer_step"  # the window's position in the stride-and-dilation stepper
LAYER_FILTERS = "layer_filters"  # the presets of the layer (1 to 8)
LAYER_BIAS = "layer_bias"
LAYER_POOL_KIND = "layer_pool_kind"
LAYER_POOL_SIZE = "layer_pool_size"
LAYER_POOL_STRIDE = "layer_pool_stride"
PIPELINE_FIRST = "pipeline_first"
PIPELINE_SECOND = "pipeline_second"
LEARN_TARGET = "learn_target"
LEARN_START = "learn_start"
LEARN_RATE = "learn_rate"
LEARN_STEPS = "learn_steps"
LEARN_SHOWN = "learn_shown"  # the step of the learning run shown
LEARN_PLAYING = "learn_playing"
TARGET_PAD = "learn_target_pad"  # the target painter (its "painted" state: the cells, "0"/"1")
OPEN_ON_FIRST_PAGE = (
    "open_on_first_page"  # a preset, or a FirstPageFilter, to open in the first page's steppers
)

# The third page, "A trained network" (views/network_page.py).
NETWORK_SOURCE = "network_source"  # one of NETWORK_SOURCES: one of the 900, or the first page's image
NETWORK_SOURCES = ("One of the 900 items", "The first page's image")
NETWORK_INVERTS = ("By its border", "Swap", "Keep")  # NETWORK_INVERT's choices
NETWORK_CLASS = "network_class"  # the class of the item shown (0..9)
NETWORK_ITEM = "network_item"  # its number within the class (1..90)
NETWORK_INVERT = "network_invert"  # whether to swap the dark and light of the first page's image
NETWORK_EPOCH = "network_epoch"  # the epoch scrubber
NETWORK_SCALE = "network_scale"  # "per map" or "per layer" colour scale
NETWORK_MAP = "network_map"  # the feature map whose pixel is explained (1..8)
NETWORK_ROW = "network_row"  # that pixel (1-based, as the boxes show it)
NETWORK_COL = "network_col"
NETWORK_PICK = "network_pick"  # the clickable feature map whose pixel is explained
NETWORK_MAPS_PICK = "network_maps_pick"  # the clickable pictures of the 8 maps (a click picks the map)
NETWORK_FILTER_PICK = "network_filter_pick"  # the clickable picture of the 8 filters
NETWORK_OPEN_FILTER = "network_open_filter"  # the filter "Step through it" opens (0..7)
NETWORK_SAME_FILTER = "network_same_filter"
NETWORK_SAME_FIRST = "network_same_first"  # the two classes compared (0..9)
NETWORK_SAME_SECOND = "network_same_second"
NETWORK_CONFUSION_PICK = "network_confusion_pick"  # the clickable confusion matrix
NETWORK_CONFUSION_CELL = "network_confusion_cell"  # (true, predicted) of the cell whose items are shown
NETWORK_SEED = "network_seed"  # the seed "Train again" starts from
NETWORK_JOB = "network_job"  # filters.training_job.TrainingJob of this session, or None
NETWORK_JOB_PROBLEM = "network_job_problem"  # why "Train again" could not queue a run, said once
NETWORK_RUN = "network_run"  # "shipped", or "yours": the job's run is shown
NETWORK_WEIGHTS = "network_weights"  # the first-layer weights uploader
NETWORK_OWN_LAYER = "network_own_layer"  # filters.keras_weights.FirstLayer in force, or None
NETWORK_OWN_PROBLEM = "network_own_problem"  # why the last weights file was refused
NETWORK_REDRAW = "network_redraw"  # the progress fragment redraws the whole page when the run is done
NETWORK_LINK_READ = "network_link_read"  # the page's link (item, epoch) was taken once
NETWORK_SETTINGS = (
    NETWORK_SOURCE, NETWORK_CLASS, NETWORK_ITEM, NETWORK_INVERT, NETWORK_EPOCH, NETWORK_SCALE, NETWORK_MAP,
    NETWORK_ROW, NETWORK_COL, NETWORK_SAME_FILTER, NETWORK_SAME_FIRST, NETWORK_SAME_SECOND, NETWORK_SEED,
    NETWORK_CONFUSION_CELL, NETWORK_OPEN_FILTER,
)  # fmt: skip
"""The third page's widgets, kept while another page is shown."""
LAYER_SETTINGS = (
    LAYER_PRESET, LAYER_PADDING, LAYER_STRIDE, LAYER_DILATION, LAYER_CONVENTION, LAYER_STEP, LAYER_FILTERS,
    LAYER_BIAS, LAYER_POOL_KIND, LAYER_POOL_SIZE, LAYER_POOL_STRIDE, PIPELINE_FIRST, PIPELINE_SECOND,
    LEARN_TARGET, LEARN_START, LEARN_RATE, LEARN_STEPS,
)  # fmt: skip
"""The second page's widgets, kept while the first page is shown (see ``keep_settings``)."""


@dataclass(frozen=True, eq=False)
class FirstPageFilter:
    """A learnt filter to open on the first page (``OPEN_ON_FIRST_PAGE``): its values as they lie over the
    image, the network's weight 1/255, and the item it was shown on, as PNG bytes kept in memory."""

    kernel: list[list[float]]
    name: str
    png: bytes
    pixel: tuple[int, int]
    """The map pixel the network's page explains (row, column from 0): the inspector's pixel."""


VIEWS_DIR = Path(__file__).resolve().parent

LAYOUT_SIDE_BY_SIDE, LAYOUT_STACKED = "Side by side", "One below the other"
FULL_SIZE = "Full size"
WORKING_SIZES: tuple[int | str, ...] = (128, 256, 512, 1024, 2048, FULL_SIZE)
POOL_SOURCES = ("image", "lecture")
DRAW, WEBCAM = "Draw", "Webcam"
IMAGE_MAKERS = (DRAW, WEBCAM)
DRAW_SIDES = (28, 64)
"""A Fashion-MNIST or MNIST item's 28 x 28, or a finer 64 x 64."""


def reset_when_changed(context_key: str, context: object, first_values: dict[str, object]) -> None:
    """When ``context`` differs from the last run's, put ``first_values`` into session state.

    Used for state that belongs to one image: the inspected pixel resets
    when the image or its output size changes.
    """
    if st.session_state.get(context_key) != context:
        st.session_state[context_key] = context
        st.session_state.update(first_values)


def keep_settings(keys: Collection[str]) -> None:
    """Keep the values of widgets the page shown now does not draw.

    Streamlit forgets a widget's value at the end of a run that did not draw it; written back as
    plain session state, the value survives until its page draws the widget again (Streamlit's
    documented pattern). Streamlit 1.67's per-widget ``persist_state="session"`` is the newer way;
    it is not used yet because the first page's link and ``sanitize`` are tested with this one.
    """
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def first_page_settings() -> tuple[str, ...]:
    """The first page's widgets, kept while the second page is shown (it draws none of them)."""
    return (*first_values(), WEIGHT_TEXT, INSPECT_ROW, INSPECT_COL)


def kernel_editor_key_for(version: int) -> str:
    """Key of the kernel editor widget of a given version (a new one after every reset)."""
    return f"kernel_editor_{version}"


def kernel_editor_key() -> str:
    """Key of the current kernel editor widget."""
    return kernel_editor_key_for(st.session_state[KERNEL_EDITOR_VERSION])


def mark_filter_edited() -> None:
    """The filter's values or weight were edited: the preset box stops naming the preset."""
    if st.session_state.get(PRESET) is not None:
        st.session_state[EDITED_FROM] = st.session_state[PRESET]
        st.session_state[PRESET] = None


def seed_kernel(values: list[list[float]]) -> None:
    """Put 3x3 values into the editor (a fresh widget showing them) and into force."""
    st.session_state[KERNEL_SEED] = values
    st.session_state[LAST_VALID_KERNEL] = values
    st.session_state[KERNEL_EDITOR_VERSION] = st.session_state.get(KERNEL_EDITOR_VERSION, 0) + 1


def seed_kernel_from_preset(preset_key: str) -> None:
    """Put a preset's values and weight into the editor and name it in the preset box, discarding edits."""
    preset = PRESETS[preset_key]
    st.session_state[PRESET] = preset_key
    st.session_state[WEIGHT_TEXT] = format_weight(preset.weight)
    st.session_state[LAST_VALID_WEIGHT] = preset.weight
    seed_kernel(preset.values.tolist())


def first_values() -> dict[str, object]:
    return {
        SAMPLE_GROUP: DEFAULT_GROUP,
        SAMPLE_KEY: DEFAULT_SAMPLE,
        SHOWN_IMAGE: (sample_source(DEFAULT_SAMPLE), ""),
        WORKING_SIZE: 512,
        COLOUR: False,
        LABEL_CHANNEL: CHANNEL_NAMES[0],
        PRESET: DEFAULT_PRESET,
        PADDING: "valid",
        MAPPING: DEFAULT_MAPPING,
        POOL_KIND: "max",
        LAYOUT: LAYOUT_SIDE_BY_SIDE,
        WRITE_VALUES: True,
        STEP_VIEW: VIEW_INSPECT,
        IMAGE_MAKER: None,
        DRAW_SIZE: DRAW_SIDES[0],
        POOL_SOURCE: "image",
        STEP: 0,
        PROJECTOR: False,
        PREDICT: False,
        LESSON: 0,
    }


def _choices() -> dict[str, Collection[object]]:
    """What each key may hold: exactly what the page's widgets offer."""
    samples = list_samples()
    return {
        # None while an upload is shown: no group is highlighted, the box shows its placeholder.
        SAMPLE_GROUP: (*samples, None),
        SAMPLE_KEY: (*(sample.key for group in samples.values() for sample in group), None),
        WORKING_SIZE: WORKING_SIZES,
        COLOUR: (True, False),
        LABEL_CHANNEL: CHANNEL_NAMES,
        PRESET: (*PRESETS, None),
        PADDING: PADDINGS,
        MAPPING: tuple(MAPPINGS),
        POOL_KIND: POOL_KINDS,
        LAYOUT: (LAYOUT_SIDE_BY_SIDE, LAYOUT_STACKED),
        WRITE_VALUES: (True, False),
        STEP_VIEW: STEP_VIEWS,
        IMAGE_MAKER: (*IMAGE_MAKERS, None),
        DRAW_SIZE: DRAW_SIDES,
        POOL_SOURCE: POOL_SOURCES,
        PROJECTOR: (True, False),
        PREDICT: (True, False),
        LESSON: tuple(range(len(BEATS) + 1)),
        TABLES_OPEN: (False, True),
        TAKE_AWAY_OPEN: (False, True),
        **_network_choices(),
    }


def _network_choices() -> dict[str, Collection[object]]:
    """What the third page's widgets offer (a forged value is put back, as on the other pages)."""
    classes, filters = range(len(CLASS_NAMES)), range(1, FILTERS + 1)
    return {
        NETWORK_SOURCE: NETWORK_SOURCES,
        NETWORK_INVERT: NETWORK_INVERTS,
        NETWORK_CLASS: classes,
        NETWORK_ITEM: range(1, ITEMS_PER_CLASS + 1),
        NETWORK_EPOCH: range(SHIPPED_SETTINGS.epochs + 1),
        NETWORK_SCALE: SCALE_KINDS,
        NETWORK_MAP: filters,
        NETWORK_ROW: range(1, MAP_SIDE + 1),
        NETWORK_COL: range(1, MAP_SIDE + 1),
        NETWORK_SAME_FILTER: filters,
        NETWORK_SAME_FIRST: classes,
        NETWORK_SAME_SECOND: classes,
        NETWORK_OPEN_FILTER: range(FILTERS),
        NETWORK_SEED: range(10_000),
        NETWORK_CONFUSION_CELL: [(true, guessed) for true in classes for guessed in classes],
    }


_WHOLE_NUMBER_KEYS = (INSPECT_ROW, INSPECT_COL, STEP)


def _offered(value: object, allowed: Collection[object]) -> bool:
    """``value`` is one of ``allowed``, of the same type (a forged 1 is not True)."""
    return any(type(value) is type(choice) and value == choice for choice in allowed)


def offered(key: str, value: object) -> bool:
    """Whether the page offers ``value`` for the setting ``key`` (keys it does not restrict: any value).

    The rule ``sanitize`` applies; the launcher also applies it to every widget value before
    Streamlit or a callback reads it (``server.widget_states``).
    """
    return key not in settings_to_reset({key: value})


def settings_to_reset(values: Mapping[str, object]) -> dict[str, object]:
    """Key -> default value for every setting in ``values`` that holds what the page does not offer."""
    defaults, reset = first_values(), {}
    for key, allowed in _choices().items():
        if key in values and not _offered(values[key], allowed):
            reset[key] = defaults.get(key, next(iter(allowed)))
    for key in _WHOLE_NUMBER_KEYS:
        value = values.get(key)
        if value is not None and (type(value) is not int or value < 0):
            reset[key] = 0
    return reset


def sanitize() -> None:
    """Put back to its default every setting that holds a value the page does not offer.

    The names of the settings reset, and of the widgets whose values the launcher refused
    (``server.widget_states``), are kept in ``SETTINGS_RESET`` for the page to mention. A refused
    widget's value in force is written again, so that the browser is sent it and stops sending
    the refused one.
    """
    noted = list(st.session_state.get(SETTINGS_RESET) or ())
    for key in noted:
        # Only the page's settings: uploaders and buttons cannot be given a value.
        if (key in _choices() or key in _WHOLE_NUMBER_KEYS) and key in st.session_state:
            st.session_state[key] = st.session_state[key]
    reset = settings_to_reset({key: st.session_state[key] for key in st.session_state})
    if reset:
        st.session_state.update(reset)
    if reset or noted:
        st.session_state[SETTINGS_RESET] = [*noted, *reset]


def init_state() -> None:
    """Give every key its first value, then sanitize what the browser sent.

    Runs on every rerun: Streamlit drops the state of widgets a run did not draw (a run that
    failed half-way, say), so a missing key gets its value back here, not only once per session.
    """
    for key, value in first_values().items():
        st.session_state.setdefault(key, value)
    sanitize()
    if KERNEL_SEED not in st.session_state:
        seed_kernel_from_preset(st.session_state[PRESET] or DEFAULT_PRESET)
    st.session_state.setdefault(WEIGHT_TEXT, format_weight(st.session_state[LAST_VALID_WEIGHT]))
    # The inspected pixel's boxes are drawn only in the inspector view: their state is dropped
    # in the other views and comes back from PIXEL, the copy that outlives them.
    row, col = st.session_state.get(PIXEL, (0, 0))
    st.session_state.setdefault(INSPECT_ROW, row)
    st.session_state.setdefault(INSPECT_COL, col)


def max_side() -> int | None:
    """The working size in force: the longest side in pixels, or None for "Full size"."""
    size = st.session_state.get(WORKING_SIZE)
    if not _offered(size, WORKING_SIZES):
        # Callbacks run before init_state(): the key may be missing (a client that sent no state
        # for the slider, a run that failed half-way) or hold what sanitize() has yet to put back.
        size = first_values()[WORKING_SIZE]
    return None if size == FULL_SIZE else int(size)


def rerun_pixel_sections(moved: bool = False) -> None:
    """From a callback that changed the pixel, the view or the step: rerun only the sections that show
    them (the grids' outlines and alt texts, the step-by-step view, the worksheet, the link), not the
    whole page. Every such callback reruns this same set: when a run of fragments is cut short by the
    next interaction (a stepper at rest while the view is changed), the next run draws them all again.
    A value the page refused (a forged message) reruns the whole page, which says so.

    ``moved``: the callback moved the pixel itself (a click, an arrow): the Row and Column boxes are
    then sent their new values (``send_moved_pixel``), which a fragment's run does not do by itself.
    """
    if moved:
        st.session_state[PIXEL_MOVED] = True
    if st.session_state.get(SETTINGS_RESET):
        st.rerun()
    st.rerun(list(PIXEL_SECTIONS))


def send_moved_pixel() -> None:
    """Before the Row and Column boxes are drawn: after a callback moved the pixel, write their state
    again, so that the browser is sent the new values. Streamlit 1.67 sends a value a callback wrote
    only in a run of the whole page, not in the fragments' run that the callback asked for."""
    if st.session_state.pop(PIXEL_MOVED, False):
        for key in (INSPECT_ROW, INSPECT_COL):
            st.session_state[key] = st.session_state[key]


def begin_section() -> None:
    """At the start of a section that reruns alone (a fragment), in a run of fragments only: give the
    settings their values back (such a run is a run too: the widgets it does not draw lose their
    state), and when a value was refused or put back (a forged message) run the whole page instead,
    which says so. A run of the whole page has done both already, at its start."""
    context = get_script_run_ctx()
    if context is not None and not context.fragment_ids_this_run:
        return
    init_state()
    if st.session_state.get(SETTINGS_RESET):
        st.rerun()
