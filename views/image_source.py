"""Sidebar block "Image": pick a bundled sample or upload a photo; returns the image to show.

The last image chosen wins: picking a sample shows it, a new upload that
decodes shows it, and a refused upload leaves the previous image on screen
with a message naming the file.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from filters.images import ACCEPTED_EXTENSIONS, ACCEPTED_FORMATS_TEXT, MAX_UPLOAD_MB, DecodedImage
from filters.samples import list_samples
from views import state
from views.loading import decode_sample, decode_upload
from views.server import UPLOADER_LIMIT_MB
from views.text import plain


@dataclass(frozen=True)
class ChosenImage:
    """The image the results show, as decoded at the working size."""

    title: str
    decoded: DecodedImage


def _show_sample() -> None:
    st.session_state[state.SHOWN_IMAGE] = ("sample", st.session_state[state.SAMPLE_KEY])


def _pick_group() -> None:
    """A new group shows its first sample."""
    first = list_samples()[st.session_state[state.SAMPLE_GROUP]][0]
    st.session_state[state.SAMPLE_KEY] = first.key
    _show_sample()


def _take_upload() -> None:
    """A new upload is shown if it decodes; otherwise the previous image stays."""
    uploaded = st.session_state.get(state.UPLOADER)
    if uploaded is None:
        return
    data = uploaded.getvalue()
    result = decode_upload(data, uploaded.name, _max_side())
    if isinstance(result, str):
        return  # the message is shown by image_source_ui while the file stays in the uploader
    st.session_state[state.LAST_GOOD_UPLOAD] = (uploaded.name, data)
    st.session_state[state.SHOWN_IMAGE] = ("upload", uploaded.name)


def _show_last_upload() -> None:
    name, _ = st.session_state[state.LAST_GOOD_UPLOAD]
    st.session_state[state.SHOWN_IMAGE] = ("upload", name)


def _max_side() -> int | None:
    size = st.session_state[state.WORKING_SIZE]
    return None if size == state.FULL_SIZE else int(size)


def image_source_ui() -> ChosenImage:
    """Draw the image pickers in the sidebar and return the image to work on."""
    samples = list_samples()
    sidebar = st.sidebar
    sidebar.header("Image")
    sidebar.segmented_control(
        "Samples",
        list(samples),
        key=state.SAMPLE_GROUP,
        required=True,
        on_change=_pick_group,
    )
    titles = {sample.key: sample.title for group in samples.values() for sample in group}
    sidebar.selectbox(
        "Sample",
        [sample.key for sample in samples[st.session_state[state.SAMPLE_GROUP]]],
        format_func=titles.__getitem__,
        key=state.SAMPLE_KEY,
        on_change=_show_sample,
        label_visibility="collapsed",
    )
    uploaded = sidebar.file_uploader(
        "Or upload your own image",
        type=list(ACCEPTED_EXTENSIONS),
        key=state.UPLOADER,
        on_change=_take_upload,
        max_upload_size=UPLOADER_LIMIT_MB,
        help=f"{ACCEPTED_FORMATS_TEXT}, up to {MAX_UPLOAD_MB} MB. The image stays in this "
        "browser session's memory: it is never saved or sent anywhere.",
    )
    kind, name = st.session_state[state.SHOWN_IMAGE]
    chosen = _decode_shown(kind, name, titles)
    if uploaded is not None:
        refusal = decode_upload(uploaded.getvalue(), uploaded.name, _max_side())
        if isinstance(refusal, str):
            sidebar.error(plain(f"{refusal} Still showing {chosen.title}."), icon=":material/error:")
    last_upload = st.session_state.get(state.LAST_GOOD_UPLOAD)
    if last_upload is not None and st.session_state[state.SHOWN_IMAGE][0] == "sample":
        sidebar.button(f"Show {plain(last_upload[0])} again", on_click=_show_last_upload)
    sidebar.caption(f"Showing **{plain(chosen.title)}**, {size_text(chosen.decoded)}.")
    for note in chosen.decoded.notes:
        sidebar.caption(note)
    return chosen


def _decode_shown(kind: str, name: str, titles: dict[str, str]) -> ChosenImage:
    if kind == "upload":
        upload_name, data = st.session_state[state.LAST_GOOD_UPLOAD]
        decoded = decode_upload(data, upload_name, _max_side())
        if isinstance(decoded, DecodedImage):
            return ChosenImage(upload_name, decoded)
        # Refused at a new working size (e.g. too many pixels at full size): back to the sample.
        st.sidebar.error(plain(decoded))
        kind, name = "sample", st.session_state[state.SAMPLE_KEY]
        st.session_state[state.SHOWN_IMAGE] = (kind, name)
    return ChosenImage(titles[name], decode_sample(name, _max_side()))


def size_text(decoded: DecodedImage) -> str:
    width, height = decoded.size
    if decoded.downscaled:
        source_width, source_height = decoded.source_size
        return f"working at {width} x {height}, downscaled from {source_width} x {source_height}"
    return f"{width} x {height} pixels"
