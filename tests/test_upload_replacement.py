"""Replacing an upload (AppTest): a refused replacement keeps the last good upload on screen, and the
sample pickers follow the image shown (no group highlighted while an upload is shown).

A browser replaces the uploader's file in two steps: it empties the uploader, then sends the new
file (the browser test ``tests/e2e/test_refused_replacement.py`` watches it do so). The tests here
take the same two steps: ``clear()``, then ``set_value``.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from filters import PRESETS
from filters.image_choice import Pickers, pickers_for
from filters.images import ImageRejected, decode_image
from filters.recipe import sample_source, upload_source
from filters.samples import DEFAULT_GROUP, DEFAULT_SAMPLE, list_samples
from tests.pixels import upload_pixels
from tests.test_app import expected_tables, shown, value_tables
from views import state


def encode(image: Image.Image, file_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=file_format, **options)
    return buffer.getvalue()


PIXELS = np.random.default_rng(11).integers(0, 256, (24, 20, 3), dtype=np.uint8)
CMYK_JPEG = encode(Image.fromarray(PIXELS).convert("CMYK"), "JPEG", quality=95)
"""A valid image the core converts (with a note): the last good upload of the repro."""
NOT_AN_IMAGE = b"Dear diary, this is not a picture.\n" * 20
"""A text file renamed .png: refused."""


def refusal_of(data: bytes, name: str) -> str:
    with pytest.raises(ImageRejected) as refusal:
        decode_image(data, name)
    return str(refusal.value)


def choose_file(at: AppTest, name: str, data: bytes, mime: str) -> None:
    """Pick a file in the uploader, as a browser does: a file already there is first taken out."""
    uploader = at.main.file_uploader[0]
    if uploader.value is not None:
        uploader.clear().run()
        assert not at.exception
    at.main.file_uploader[0].set_value((name, data, mime)).run()
    assert not at.exception


def showing_caption(at: AppTest) -> str:
    (caption,) = [c.value for c in at.main.caption if c.value.startswith("Showing ")]
    return shown(caption)


def again_buttons(at: AppTest) -> list[str]:
    return [shown(button.label) for button in at.main.button if button.label.endswith(" again")]


def group_control(at: AppTest):
    return at.segmented_control(key=state.SAMPLE_GROUP)


def expect_the_cmyk_upload_shown(at: AppTest) -> None:
    """The CMYK upload is on screen: its name, size and note, and the value tables of its core decoding."""
    assert at.session_state[state.SHOWN_IMAGE] == (upload_source(CMYK_JPEG), "print.jpg")
    assert showing_caption(at) == "Showing **print.jpg**, 20 x 24 pixels."
    assert "CMYK image converted to RGB." in [c.value for c in at.main.caption]
    pixels = upload_pixels(CMYK_JPEG, "print.jpg")
    assert value_tables(at) == expected_tables(pixels, PRESETS["vertical_edges"].values)
    assert again_buttons(at) == []


def test_a_refused_replacement_keeps_the_last_good_upload_and_names_it(app):
    choose_file(app, "print.jpg", CMYK_JPEG, "image/jpeg")
    expect_the_cmyk_upload_shown(app)

    choose_file(app, "notes.png", NOT_AN_IMAGE, "image/png")
    (error,) = app.main.error
    assert shown(error.value) == f"{refusal_of(NOT_AN_IMAGE, 'notes.png')} Still showing print.jpg."
    expect_the_cmyk_upload_shown(app)
    assert group_control(app).value is None

    # The page goes on with the kept upload: another preset filters it.
    app.selectbox(key=state.PRESET).set_value("outline").run()
    assert not app.exception
    assert value_tables(app) == expected_tables(
        upload_pixels(CMYK_JPEG, "print.jpg"), PRESETS["outline"].values
    )


def test_a_good_replacement_is_shown_and_a_refused_one_after_it_keeps_it(app):
    choose_file(app, "print.jpg", CMYK_JPEG, "image/jpeg")
    second = encode(Image.fromarray(255 - PIXELS[:12]), "PNG")
    choose_file(app, "second.png", second, "image/png")
    assert app.session_state[state.SHOWN_IMAGE] == (upload_source(second), "second.png")
    choose_file(app, "notes.png", NOT_AN_IMAGE, "image/png")
    assert shown(app.main.error[0].value).endswith(" Still showing second.png.")
    assert showing_caption(app) == "Showing **second.png**, 20 x 12 pixels."
    assert value_tables(app) == expected_tables(
        upload_pixels(second, "second.png"), PRESETS["vertical_edges"].values
    )


def test_a_sample_chosen_after_removing_the_upload_stays_when_a_file_is_refused(app):
    """Only the emptying that makes room for the refused file is undone, not the visitor's own choice."""
    choose_file(app, "print.jpg", CMYK_JPEG, "image/jpeg")
    app.main.file_uploader[0].clear().run()
    app.segmented_control(key=state.SAMPLE_GROUP).set_value("Photos").run()
    first_photo = list_samples()["Photos"][0]
    choose_file(app, "notes.png", NOT_AN_IMAGE, "image/png")
    assert shown(app.main.error[0].value).endswith(f" Still showing {first_photo.title}.")
    assert app.session_state[state.SHOWN_IMAGE] == (sample_source(first_photo.key), "")
    assert group_control(app).value == "Photos"
    assert again_buttons(app) == ["Show print.jpg again"]


def test_no_sample_group_is_highlighted_while_an_upload_is_shown(app):
    assert group_control(app).value == DEFAULT_GROUP
    choose_file(app, "print.jpg", CMYK_JPEG, "image/jpeg")
    assert group_control(app).value is None
    assert app.selectbox(key=state.SAMPLE_KEY).value is None  # "Choose a sample"
    assert state.SETTINGS_RESET not in app.session_state  # no group is a value the page offers

    # Picking a group again shows its first sample, and highlights it.
    group_control(app).set_value("Photos").run()
    assert not app.exception
    first_photo = list_samples()["Photos"][0]
    assert app.session_state[state.SHOWN_IMAGE] == (sample_source(first_photo.key), "")
    assert showing_caption(app).startswith(f"Showing **{first_photo.title}**, ")
    assert group_control(app).value == "Photos"
    assert app.selectbox(key=state.SAMPLE_KEY).value == first_photo.key


def test_picking_a_sample_in_the_box_while_an_upload_is_shown_highlights_its_group(app):
    choose_file(app, "print.jpg", CMYK_JPEG, "image/jpeg")
    fashion = list_samples()[DEFAULT_GROUP]
    assert app.selectbox(key=state.SAMPLE_KEY).options == [sample.title for sample in fashion]
    app.selectbox(key=state.SAMPLE_KEY).set_value(fashion[1].key).run()
    assert not app.exception
    assert app.session_state[state.SHOWN_IMAGE] == (sample_source(fashion[1].key), "")
    assert group_control(app).value == DEFAULT_GROUP


def test_removing_the_upload_highlights_the_group_of_the_sample_shown_again(app):
    choose_file(app, "print.jpg", CMYK_JPEG, "image/jpeg")
    app.main.file_uploader[0].clear().run()
    assert not app.exception
    assert app.session_state[state.SHOWN_IMAGE] == (sample_source(DEFAULT_SAMPLE), "")
    assert group_control(app).value == DEFAULT_GROUP
    assert app.selectbox(key=state.SAMPLE_KEY).value == DEFAULT_SAMPLE
    assert again_buttons(app) == ["Show print.jpg again"]


def test_the_pickers_follow_the_image_shown():
    """The core's rule: a sample highlights its group; the visitor's own image highlights none, and the
    box then offers the group of the sample shown before it."""
    coins = "photos/coins.png"
    upload = upload_source(CMYK_JPEG)
    assert pickers_for(sample_source(coins), None) == Pickers("Photos", coins, "Photos")
    assert pickers_for(upload, sample_source(coins)) == Pickers(None, None, "Photos")
    assert pickers_for(upload, None) == Pickers(None, None, DEFAULT_GROUP)
    assert pickers_for(upload, sample_source("fashion/../../app.py")) == Pickers(None, None, DEFAULT_GROUP)
