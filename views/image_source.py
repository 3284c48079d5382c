"""Block "Image", at the top of the page: pick a bundled sample, upload a photo, draw one or take one
with the webcam; returns the image to show.

It sits in the main column, not the sidebar, so that a phone shows it first.

The last image chosen wins: picking a sample shows it, a new upload that
decodes shows it, and a refused upload leaves the previous image on screen
with a message naming the file. Removing the upload (its x) goes back to the
sample shown before it, with a button to show the upload again. Uploads are
told apart by their content digest, never by their file name. The sample
pickers follow the image on screen (``filters.image_choice``): no group is
highlighted while the visitor's own image is shown.

A drawing (white ink on a black 28 x 28 or 64 x 64 grid, as an MNIST item) becomes a PNG file and a
webcam snapshot is a JPEG file: both are then taken exactly as an upload is, through the same
decoding and limits, kept in this session's memory only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from filters.cells import levels_from_text, levels_to_text
from filters.image_choice import pickers_for
from filters.images import (
    ACCEPTED_EXTENSIONS,
    ACCEPTED_FORMATS_TEXT,
    MAX_UPLOAD_MB,
    DecodedImage,
    drawing_png,
)
from filters.recipe import SAMPLE_PREFIX, sample_source, upload_source
from filters.samples import DEFAULT_SAMPLE, find_sample, list_samples
from views import state
from views.loading import decode_sample, decode_upload, hold_uploads, release_unheld
from views.paint_pad import INK_LEVELS, paint_pad_ui, painted_levels
from views.reconnect import lost_upload_notice, upload_was_lost
from views.text import plain

UPLOADER_LIMIT_MB = 2 * MAX_UPLOAD_MB
"""What the uploader lets through (also server.maxUploadSize in .streamlit/config.toml).

Streamlit's uploader refuses bigger files in the browser with only a red file chip and a
tooltip. Letting files up to twice the app's own limit through means a file just over
the limit reaches the app and gets a message that names it.
"""


@dataclass(frozen=True)
class ChosenImage:
    """The image the results show: its recipe source, its title, and its pixels at the working size."""

    source: str
    title: str
    decoded: DecodedImage


def _show(source: str, title: str = "") -> None:
    """Put an image on screen (its recipe source, and the name a file is shown under).

    Every choice goes through here, so that any of them ends a replacement in progress (see
    ``_take_upload``); the pickers follow the image shown when they are drawn.
    """
    st.session_state[state.SHOWN_IMAGE] = (source, title)
    st.session_state.pop(state.UPLOAD_EMPTIED, None)


def _show_sample() -> None:
    key = st.session_state[state.SAMPLE_KEY]
    if key is not None:
        show_sample(key)


def _pick_group() -> None:
    """A new group shows its first sample."""
    group = list_samples().get(st.session_state[state.SAMPLE_GROUP])
    if group is not None:  # no group is a value too (an upload shown), but not one a click picks
        show_sample(group[0].key)


def _upload_source(uploaded) -> str:
    """The digest of the file in the uploader, computed once per file."""
    known = st.session_state.get(state.UPLOAD_DIGEST)
    if known is None or known[0] != uploaded.file_id:
        known = (uploaded.file_id, upload_source(uploaded.getvalue()))
        st.session_state[state.UPLOAD_DIGEST] = known
    return known[1]


def _take_upload() -> None:
    """A new upload is shown if it decodes; removing the upload goes back to the sample.

    The last good upload stays in this session's memory behind a "Show ... again" button.
    A browser replaces the file in two steps: it empties the uploader (the page goes back to
    the sample), then sends the new file. When that file is refused, the upload it replaced
    comes back: a refused replacement never loses the picture that was on screen.
    """
    uploaded = st.session_state.get(state.UPLOADER)
    st.session_state[state.UPLOAD_TAKEN] = getattr(uploaded, "file_id", None)
    emptied = st.session_state.pop(state.UPLOAD_EMPTIED, False)
    lost = upload_was_lost()
    if uploaded is None or lost:
        removed = st.session_state.get(state.UPLOAD_DIGEST, (None, None))[1]
        shown = st.session_state[state.SHOWN_IMAGE][0]
        # A drawing or a snapshot on screen stays when the upload under it is removed.
        if not shown.startswith(SAMPLE_PREFIX) and (lost or shown == removed):
            _show_previous_sample()
            if not lost:  # perhaps a replacement's first step: remembered until the next choice
                st.session_state[state.UPLOAD_EMPTIED] = True
        return
    if not _take_file(uploaded.name, uploaded.getvalue(), _upload_source(uploaded)) and emptied:
        _show_upload()


def _take_file(name: str, data: bytes, source: str) -> bool:
    """Show a file (uploaded, drawn or snapped) if it decodes, and say whether it did.

    A refusal is shown by image_source_ui.
    """
    if isinstance(decode_upload(data, source, name, state.max_side()), str):
        return False
    st.session_state[state.LAST_GOOD_UPLOAD] = (name, source, data)
    _show_upload()
    return True


def show_file(name: str, data: bytes) -> bool:
    """Show image bytes handed over by another page (a network's item), kept in memory as an upload is."""
    return _take_file(name, data, upload_source(data))


DRAWING_NAME = "your drawing"
SNAPSHOT_NAME = "your webcam photo"
MAKER_LABELS = {state.DRAW: "Draw one", state.WEBCAM: "Webcam photo"}
FILE_NAMES = {DRAWING_NAME: "your-drawing.png", SNAPSHOT_NAME: "your-webcam-photo.jpg"}
"""The names a drawing and a snapshot are saved under (an upload keeps its own)."""


def _take_drawing() -> None:
    """Each finished stroke shows the drawing as it now is (a blank one after Clear)."""
    side = st.session_state.get(state.DRAW_SIZE)
    if side not in state.DRAW_SIDES:  # callbacks run before init_state() puts settings back
        side = state.DRAW_SIDES[0]
    ink = painted_levels(state.DRAW_PAD, side, side, INK_LEVELS)
    st.session_state[state.DRAWING] = (side, levels_to_text(ink))
    data = drawing_png(ink, INK_LEVELS)
    _take_file(DRAWING_NAME, data, upload_source(data))


def _take_snapshot() -> None:
    """A new webcam photo is shown; clearing it goes back to the sample, as removing an upload does."""
    snapshot = st.session_state.get(state.CAMERA)
    if snapshot is None:
        if st.session_state[state.SHOWN_IMAGE][1] == SNAPSHOT_NAME:
            _show_previous_sample()
        return
    data = snapshot.getvalue()
    _take_file(SNAPSHOT_NAME, data, upload_source(data))


def _show_upload() -> None:
    name, source, _ = st.session_state[state.LAST_GOOD_UPLOAD]
    if st.session_state[state.SHOWN_IMAGE][0].startswith(SAMPLE_PREFIX):
        st.session_state[state.PREVIOUS_SAMPLE] = st.session_state[state.SHOWN_IMAGE][0]
    _show(source, name)


def _show_previous_sample() -> None:
    """Show the sample shown before the upload."""
    previous = st.session_state.get(state.PREVIOUS_SAMPLE, sample_source(DEFAULT_SAMPLE))
    show_sample(previous.removeprefix(SAMPLE_PREFIX))


def show_sample(key: str) -> None:
    """Show the bundled sample ``key`` (the default one if unknown); the pickers select it when drawn."""
    sample = find_sample(key) or find_sample(DEFAULT_SAMPLE)
    _show(sample_source(sample.key))


def image_source_ui(place: DeltaGenerator) -> ChosenImage:
    """Draw the image pickers in ``place`` (a column or a row of the page) and return the image to work on."""
    if st.session_state.pop(state.TAKE_UPLOAD, False):
        _take_upload()
    state.keep_settings((state.DRAW_SIZE,))  # the grid's size outlives the runs that do not draw it
    samples = list_samples()
    pickers = pickers_for(st.session_state[state.SHOWN_IMAGE][0], st.session_state.get(state.PREVIOUS_SAMPLE))
    # Written on every run, changed or not, so that the browser is always sent them: it may show a value
    # this session no longer holds (it sends a replacing file before it has drawn the emptied uploader's run).
    st.session_state[state.SAMPLE_GROUP] = pickers.group
    st.session_state[state.SAMPLE_KEY] = pickers.sample
    block = place.container(key="image_source")
    pick = block.container(horizontal=True, vertical_alignment="bottom", gap="small")
    pick.segmented_control(
        "Image",
        list(samples),
        key=state.SAMPLE_GROUP,
        required=True,
        on_change=_pick_group,
    )
    titles = {sample.key: sample.title for sample in samples[pickers.listed]}
    pick.selectbox(
        "Sample",
        list(titles),
        format_func=titles.__getitem__,
        key=state.SAMPLE_KEY,
        on_change=_show_sample,
        placeholder="Choose a sample",
        label_visibility="collapsed",
        width=260,
    )
    uploaded = pick.file_uploader(
        f"Or your own image, up to {MAX_UPLOAD_MB} MB",
        type=list(ACCEPTED_EXTENSIONS),
        key=state.UPLOADER,
        on_change=_take_upload,
        max_upload_size=UPLOADER_LIMIT_MB,
        help=f"{ACCEPTED_FORMATS_TEXT}, up to {MAX_UPLOAD_MB} MB. The image stays in this "
        "browser session's memory: it is never saved or sent anywhere.",
        width=300,
    )
    if uploaded is not None and st.session_state.get(state.UPLOAD_TAKEN) != uploaded.file_id:
        # Its on_change did not run: the first run of a session under a page that was already
        # open (the server restarted) has no callbacks. Take it before the pickers are drawn.
        st.session_state[state.TAKE_UPLOAD] = True
        st.rerun()
    pick.segmented_control(
        "Or make one",
        state.IMAGE_MAKERS,
        key=state.IMAGE_MAKER,
        format_func=MAKER_LABELS.__getitem__,
        label_visibility="collapsed",
        help="Draw an image on a 28 x 28 or 64 x 64 grid, or take a photo with your webcam. "
        "Like an upload, it stays in this browser session's memory: never saved or sent anywhere.",
    )
    with block:
        image_maker_ui()
        lost_upload_notice()
        chosen = decode_shown()
        if uploaded is not None:
            refusal = decode_upload(
                uploaded.getvalue(), _upload_source(uploaded), uploaded.name, state.max_side()
            )
            if isinstance(refusal, str):
                st.error(plain(f"{refusal} Still showing {chosen.title}."), icon=":material/error:")
        last_upload = st.session_state.get(state.LAST_GOOD_UPLOAD)
        if last_upload is not None and chosen.source != last_upload[1]:
            st.button(f"Show {plain(last_upload[0])} again", on_click=_show_upload)
        st.caption(f"Showing **{plain(chosen.title)}**, {size_text(chosen.decoded)}.")
        for note in chosen.decoded.notes:
            st.caption(note)
    return chosen


def image_maker_ui() -> None:
    """The drawing grid or the webcam, when asked for (the webcam asks the browser's permission only then)."""
    maker = st.session_state[state.IMAGE_MAKER]
    if maker == state.DRAW:
        st.segmented_control(
            "Grid",
            state.DRAW_SIDES,
            key=state.DRAW_SIZE,
            required=True,
            format_func=lambda side: f"{side} x {side}",
        )
        side = st.session_state[state.DRAW_SIZE]
        drawn_side, drawn = st.session_state.get(state.DRAWING, (None, ""))
        # The last drawing of this size: the grid is redrawn from it after being closed.
        last = levels_from_text(drawn, side, side, INK_LEVELS) if drawn_side == side else None
        paint_pad_ui(
            state.DRAW_PAD,
            grid=f"draw/{side}",
            mode="ink",
            label="Drawing grid",
            levels=INK_LEVELS,
            cells=np.zeros((side, side), dtype=np.uint8) if last is None else last,
            cell_px=10 if side == 28 else 5,
            on_change=_take_drawing,
        )
        st.caption("White ink on black, like an MNIST digit: each stroke is filtered when you let go.")
    elif maker == state.WEBCAM:
        snapshot = st.camera_input(
            "Take a photo",
            key=state.CAMERA,
            on_change=_take_snapshot,
            resolution="480p",
            help="The photo stays in this browser session's memory: it is never saved or sent anywhere.",
        )
        if snapshot is not None:
            refusal = decode_upload(
                snapshot.getvalue(), upload_source(snapshot.getvalue()), SNAPSHOT_NAME, state.max_side()
            )
            if isinstance(refusal, str):
                st.error(plain(refusal), icon=":material/error:")


def _hold_uploads() -> None:
    """Keep leases on the uploads this session holds (shown, kept for "Show ... again", in the uploader);
    the cached work of uploads nobody holds any more is dropped."""
    sources = (
        st.session_state[state.SHOWN_IMAGE][0],
        (st.session_state.get(state.LAST_GOOD_UPLOAD) or (None, None))[1],
        (st.session_state.get(state.UPLOAD_DIGEST) or (None, None))[1],
    )
    held = st.session_state.get(state.UPLOAD_LEASES, {})
    st.session_state[state.UPLOAD_LEASES] = hold_uploads(held, sources)
    release_unheld()


def decode_shown() -> ChosenImage:
    """Decode the image in ``SHOWN_IMAGE``; an upload refused at a new working size falls back to a sample."""
    _hold_uploads()
    source = st.session_state[state.SHOWN_IMAGE][0]
    last_upload = st.session_state.get(state.LAST_GOOD_UPLOAD)
    if not source.startswith(SAMPLE_PREFIX):
        if last_upload is not None and last_upload[1] == source:
            upload_name, _, data = last_upload
            decoded = decode_upload(data, source, upload_name, state.max_side())
            if isinstance(decoded, DecodedImage):
                return ChosenImage(source, upload_name, decoded)
            st.error(plain(decoded))
        _show_previous_sample()
        source = st.session_state[state.SHOWN_IMAGE][0]
    sample = find_sample(source.removeprefix(SAMPLE_PREFIX)) or find_sample(DEFAULT_SAMPLE)
    return ChosenImage(sample_source(sample.key), sample.title, decode_sample(sample.key, state.max_side()))


def image_file(source: str) -> tuple[str, Callable[[], bytes]]:
    """The file the shown image (its recipe ``source``) was decoded from: its name, and a function
    returning its bytes (read only when asked for: a download of the exact file the exported code reads)."""
    if source.startswith(SAMPLE_PREFIX):
        sample = find_sample(source.removeprefix(SAMPLE_PREFIX))
        return sample.path.name, sample.path.read_bytes
    name, _, data = st.session_state[state.LAST_GOOD_UPLOAD]
    return FILE_NAMES.get(name, name), lambda: data


def size_text(decoded: DecodedImage) -> str:
    width, height = decoded.size
    if decoded.downscaled:
        source_width, source_height = decoded.source_size
        return f"working at {width} x {height}, downscaled from {source_width} x {source_height}"
    return f"{width} x {height} pixels"
