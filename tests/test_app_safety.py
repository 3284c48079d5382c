"""A page shared by many visitors: none sees another's picture; forged values and odd files break nothing."""

from __future__ import annotations

import io
import logging
import tomllib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from starlette.formparsers import MultiPartParser
from streamlit.testing.v1 import AppTest

import app as launcher
from filters.images import decode_image
from filters.pipeline import apply_filter
from filters.presets import PRESETS
from filters.recipe import sample_source, upload_source
from filters.samples import DEFAULT_SAMPLE
from filters.walkthrough import walk_pixel
from tests.collision import ASCENT_KEY, ascent, crafted_png, streamlit_hash
from tests.conftest import APP, whole_page
from views import state
from views.loading import clear_caches

ROOT = Path(__file__).resolve().parent.parent


def png_bytes(array: np.ndarray, mode: str | None = None) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(array, dtype=np.uint8), mode=mode).save(buffer, format="PNG")
    return buffer.getvalue()


def fresh_visitor() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def upload(at: AppTest, name: str, data: bytes) -> None:
    at.main.file_uploader[0].set_value((name, data, "image/png"))
    at.run()
    assert not at.exception


def markdown_texts(at: AppTest) -> str:
    return "\n".join(element.value for element in at.markdown)


def inspect(at: AppTest, row: int, col: int) -> None:
    at.number_input(key=state.INSPECT_ROW).set_value(row)
    at.number_input(key=state.INSPECT_COL).set_value(col)
    whole_page(at.run())
    assert not at.exception


@pytest.fixture(autouse=True)
def empty_caches():
    """Each test starts from a server that has seen nothing (the caches are shared by all sessions)."""
    clear_caches()


# ---- One visitor never sees another's picture -----------------------------------------------------


def test_the_crafted_image_really_collides_under_streamlits_hasher():
    crafted = decode_image(crafted_png(), "crafted.png")
    assert streamlit_hash(crafted) == streamlit_hash(ascent())
    assert np.abs(crafted.rgb.astype(int) - ascent().rgb).mean() > 50  # yet a very different picture
    assert upload_source(crafted_png()) != sample_source(ASCENT_KEY)


def test_a_crafted_upload_never_shows_in_another_visitors_ascent():
    attacker = fresh_visitor()
    upload(attacker, "ascent.png", crafted_png())
    attacker.segmented_control(key=state.SAMPLE_GROUP).set_value("Photos").run()  # and back: both now cached
    upload(attacker, "ascent.png", crafted_png())

    visitor = fresh_visitor()
    visitor.segmented_control(key=state.SAMPLE_GROUP).set_value("Photos").run()
    assert visitor.session_state[state.SHOWN_IMAGE][0] == sample_source(ASCENT_KEY)
    truth = apply_filter(ascent().rgb[..., 0], PRESETS["vertical_edges"].values)
    crafted = apply_filter(decode_image(crafted_png(), "x").rgb[..., 0], PRESETS["vertical_edges"].values)
    differing = np.argwhere(truth.mapped() != crafted.mapped())
    row, col = (int(v) for v in differing[len(differing) // 2])
    inspect(visitor, row, col)
    shown = markdown_texts(visitor)
    assert walk_pixel(truth, row, col).sum_line in shown
    assert walk_pixel(crafted, row, col).sum_line not in shown


def test_two_uploads_with_the_same_name_are_two_images():
    at = fresh_visitor()
    first = png_bytes(np.random.default_rng(1).integers(0, 256, size=(20, 20)))
    second = png_bytes(np.random.default_rng(2).integers(0, 256, size=(20, 20)))
    upload(at, "photo.png", first)
    inspect(at, 3, 4)
    upload(at, "photo.png", second)
    assert at.session_state[state.SHOWN_IMAGE] == (upload_source(second), "photo.png")
    second_result = apply_filter(
        decode_image(second, "photo.png").rgb[..., 0], PRESETS["vertical_edges"].values
    )
    assert (
        at.session_state[state.INSPECT_ROW],
        at.session_state[state.INSPECT_COL],
    ) == second_result.strongest


# ---- Uploads and samples behave as a user expects -----------------------------------------------------


def test_removing_the_upload_goes_back_to_the_sample_shown_before():
    at = fresh_visitor()
    upload(at, "noise.png", png_bytes(np.random.default_rng(3).integers(0, 256, size=(30, 30))))
    assert at.session_state[state.SAMPLE_KEY] is None  # the box shows its placeholder
    at.main.file_uploader[0].clear().run()
    assert not at.exception
    assert at.session_state[state.SHOWN_IMAGE][0] == sample_source(DEFAULT_SAMPLE)
    assert at.session_state[state.SAMPLE_KEY] == DEFAULT_SAMPLE
    assert [button.label for button in at.main.button if "again" in button.label] == [
        "Show noise\\.png again"
    ]


def test_the_sample_that_was_selected_before_an_upload_can_be_chosen_again():
    at = fresh_visitor()
    upload(at, "noise.png", png_bytes(np.random.default_rng(3).integers(0, 256, size=(30, 30))))
    at.selectbox(key=state.SAMPLE_KEY).set_value(DEFAULT_SAMPLE).run()
    assert not at.exception
    assert at.session_state[state.SHOWN_IMAGE][0] == sample_source(DEFAULT_SAMPLE)
    assert [button.label for button in at.main.button if "again" in button.label] == [
        "Show noise\\.png again"
    ]


def test_a_tiny_image_then_a_refused_file_keeps_the_page_working():
    at = fresh_visitor()
    upload(at, "tiny.png", png_bytes(np.full((3, 3), 100)))
    assert "too small for 2 x 2 pooling" in markdown_texts(at)
    assert "become 0" not in markdown_texts(at)
    upload(at, "bad.png", b"not an image")
    assert at.main.error and "not an image" in at.main.error[0].value
    at.segmented_control(key=state.STEP_VIEW).set_value("Pool step by step").run()
    assert not at.exception


def test_a_long_strip_is_worked_at_three_pixels_high_not_refused():
    at = fresh_visitor()
    strip = np.tile(np.linspace(0, 255, 5000, dtype=np.uint8), (3, 1))
    upload(at, "strip.png", png_bytes(strip))
    assert not at.error
    assert "**512 x 3 → 510 x 1" in markdown_texts(at)


def test_an_unexpected_decoding_error_is_logged_and_called_our_fault(monkeypatch, caplog):
    from filters import images

    decode_opened = images._decode_opened

    def broken_for_uploads(image, name, max_side):
        if name == "photo.png":
            raise RuntimeError("a bug of ours")
        return decode_opened(image, name, max_side)

    monkeypatch.setattr(images, "_decode_opened", broken_for_uploads)
    at = fresh_visitor()
    with caplog.at_level(logging.ERROR):
        upload(at, "photo.png", png_bytes(np.zeros((10, 10))))
    assert "on our side" in at.main.error[0].value
    assert "damaged" not in at.main.error[0].value
    assert "a bug of ours" in caplog.text
    assert at.session_state[state.SHOWN_IMAGE][0] == sample_source(DEFAULT_SAMPLE)  # still working


# ---- Values no widget can produce ---------------------------------------------------------------------


FORGED = [
    (state.SAMPLE_KEY, "../../../../etc/passwd"),
    (state.SAMPLE_KEY, "fashion/../../app.py"),
    (state.SAMPLE_GROUP, "Secrets"),
    (state.STEP_VIEW, None),
    (state.STEP_VIEW, "Delete everything"),
    (state.PADDING, "full"),
    (state.MAPPING, "exec"),
    (state.POOL_KIND, "median"),
    (state.WORKING_SIZE, 0),
    (state.WORKING_SIZE, "100000"),
    (state.LAYOUT, 3),
    (state.LABEL_CHANNEL, "Alpha"),
    (state.PRESET, "nope"),
    (state.COLOUR, "yes"),
    (state.COLOUR, 1),
    (state.INSPECT_ROW, "x"),
    (state.INSPECT_COL, -4),
    (state.POOL_SOURCE, "/etc/passwd"),
]


@pytest.mark.parametrize(("key", "forged"), FORGED)
def test_every_value_no_widget_offers_is_put_back_to_its_default(key, forged):
    # The browser side of this (a raw client sending these values) is tests/e2e/test_forged_messages.py.
    reset = state.settings_to_reset({key: forged})
    assert list(reset) == [key]
    assert state.settings_to_reset({key: reset[key]}) == {}


def test_the_values_the_widgets_offer_are_kept():
    first_visit = fresh_visitor()
    settings = {key: first_visit.session_state[key] for key, _ in FORGED if key in first_visit.session_state}
    assert len(settings) >= 12
    assert state.settings_to_reset(settings) == {}


def test_a_lost_step_view_is_put_back_with_a_notice_once():
    # None in the step view was the "KeyError: None" crash after a tiny image and a refused file.
    at = fresh_visitor()
    key, forged = state.STEP_VIEW, None
    at.session_state[key] = forged
    at.run()
    assert not at.exception
    assert any("put back to their defaults" in warning.value for warning in at.warning)
    assert at.session_state[key] != forged
    at.run()
    assert not at.exception and not at.warning


# ---- Server settings --------------------------------------------------------------------------------


def test_the_launcher_keeps_uploads_in_memory_before_any_request():
    # Importing app.py is what `streamlit run app.py` does before it answers any request.
    assert MultiPartParser.spool_max_size > launcher.UPLOADER_LIMIT_MB * 1024 * 1024
    assert Path(launcher.app.script_path).name == "page.py"


def test_the_page_warns_when_started_without_its_launcher(monkeypatch):
    monkeypatch.setattr(MultiPartParser, "spool_max_size", 1024 * 1024)
    at = fresh_visitor()
    assert any("Started without app.py" in error.value for error in at.error)


def test_visitors_get_no_error_details():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
