"""The page, driven through Streamlit's AppTest: what a user clicks and what the page then shows.

Every number check compares the page's value tables (the same labels the grids
draw) with the core's own computation.
"""

from __future__ import annotations

import io
import json
import re

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from filters import PRESETS, apply_filter, format_values
from filters.describe import results_alts
from filters.images import decode_image, to_grayscale
from filters.recipe import sample_source, upload_source
from filters.samples import DEFAULT_SAMPLE, SAMPLE_DIR
from filters.walkthrough import VIEW_INSPECT, marks_for
from tests.conftest import APP
from views import options, state


def png_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array.astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


NOISE_PNG = png_bytes(np.random.default_rng(0).integers(0, 256, size=(40, 40)))


CLICK_HINT = " · click a pixel to see its sum"


def shown(markdown: str) -> str:
    """The text a Markdown string shows: user text reaches the page with its punctuation escaped."""
    return re.sub(r"\\(.)", r"\1", markdown)


def result_captions(at: AppTest) -> list[str]:
    """Captions of the results row: original and pooled are images, the filtered grid is clickable."""
    images = [caption for image in at.image for caption in image.captions if " · " in caption]
    filtered = [c.value.removesuffix(CLICK_HINT) for c in at.caption if c.value.endswith(CLICK_HINT)]
    return [images[0], *filtered, *images[1:]]


def value_tables(at: AppTest) -> dict[str, list[list[str]]]:
    """The Original / Filtered / Pooled value tables (every dataframe but the filter's editor)."""
    tables = [frame.value for frame in at.dataframe if list(frame.value.index) != ["top", "middle", "bottom"]]
    return {
        name: table.astype(str).to_numpy().tolist()
        for name, table in zip(("original", "filtered", "pooled"), tables, strict=True)
    }


def sample_pixels(key: str = DEFAULT_SAMPLE) -> np.ndarray:
    path = SAMPLE_DIR / key
    return to_grayscale(decode_image(path.read_bytes(), path.name).rgb)


def expected_tables(pixels: np.ndarray, kernel: np.ndarray, weight: float = 1.0, **options) -> dict:
    result = apply_filter(pixels, kernel, weight=weight, **options)
    return {
        "original": format_values(result.image).tolist(),
        "filtered": format_values(result.mapped()).tolist(),
        "pooled": format_values(result.pooled).tolist(),
    }


def edit_cell(at: AppTest, row: int, column: str, text: str) -> None:
    key = state.kernel_editor_key_for(at.session_state[state.KERNEL_EDITOR_VERSION])
    at.session_state[key] = {"edited_rows": {str(row): {column: text}}, "added_rows": [], "deleted_rows": []}
    at.run()


def test_first_load_shows_a_fashion_item_filtered_and_pooled(app):
    assert not app.exception and not app.error
    assert result_captions(app) == [
        "Original · 28 x 28",
        "Filtered (clip to 0..255) · 26 x 26",
        "Max pooled 2 x 2 · 13 x 13",
    ]
    assert "28 x 28 → 26 x 26 → 13 x 13" in app.markdown[1].value
    (clickable,) = [element for element in app.get("bidi_component") if element.key == state.PICK]
    result = apply_filter(sample_pixels(), PRESETS["vertical_edges"].values)
    alts = results_alts(result, result.strongest, marks_for(VIEW_INSPECT, result, result.strongest))
    assert json.loads(clickable.proto.json)["alt"] == alts[1]
    assert [image.proto.imgs[0].alt for image in app.image[:2]] == [
        alts[0],
        alts[2],
    ]


def test_values_on_screen_are_the_values_the_core_computed(app):
    expected = expected_tables(sample_pixels(), PRESETS["vertical_edges"].values)
    assert value_tables(app) == expected
    # Real content: the ankle boot's edges give both 0 and 255 after clipping.
    filtered = np.array(expected["filtered"], dtype=float)
    assert filtered.max() == 255 and filtered.min() == 0


def test_choosing_a_preset_changes_the_output(app):
    before = value_tables(app)["filtered"]
    app.selectbox(key=state.PRESET).set_value("horizontal_edges").run()
    after = value_tables(app)
    assert after["filtered"] != before
    assert after == expected_tables(sample_pixels(), PRESETS["horizontal_edges"].values)


def test_box_blur_uses_its_weight_and_shows_fractions(app):
    app.selectbox(key=state.PRESET).set_value("box_blur").run()
    assert app.text_input(key=state.WEIGHT_TEXT).value == "1/9"
    tables = value_tables(app)
    assert tables == expected_tables(sample_pixels(), PRESETS["box_blur"].values, weight=1 / 9)
    assert any("." in cell for row in tables["filtered"] for cell in row)


def test_editing_a_kernel_cell_changes_the_output(app):
    before = value_tables(app)["filtered"]
    edit_cell(app, 0, "left", "5")
    assert not app.exception and not app.warning
    kernel = PRESETS["vertical_edges"].values.copy()
    kernel[0, 0] = 5
    after = value_tables(app)
    assert after["filtered"] != before
    assert after == expected_tables(sample_pixels(), kernel)


def test_a_fraction_typed_in_a_cell_is_used(app):
    edit_cell(app, 1, "middle", "1/2")
    kernel = PRESETS["vertical_edges"].values.copy()
    kernel[1, 1] = 0.5
    assert value_tables(app) == expected_tables(sample_pixels(), kernel)


@pytest.mark.parametrize("bad", ["abc", "", "nan", "inf", "1e308"])
def test_a_bad_cell_gets_a_message_and_the_last_valid_filter_stays(app, bad):
    before = value_tables(app)
    edit_cell(app, 2, "right", bad)
    assert not app.exception
    assert len(app.warning) == 1
    assert "bottom row, right column" in shown(app.warning[0].value)
    assert "last valid filter stays in force" in shown(app.warning[0].value)
    assert value_tables(app) == before


def test_weight_and_normalize(app):
    edit_cell(app, 1, "middle", "10")  # the vertical edge filter now sums to 10
    app.text_input(key=state.WEIGHT_TEXT).set_value("0.5").run()
    kernel = PRESETS["vertical_edges"].values.copy()
    kernel[1, 1] = 10
    assert value_tables(app) == expected_tables(sample_pixels(), kernel, weight=0.5)
    normalize = next(button for button in app.button if button.label == "Normalize")
    normalize.click().run()
    assert app.text_input(key=state.WEIGHT_TEXT).value == "0.1"  # the lab's weight for a sum of 10
    assert value_tables(app) == expected_tables(sample_pixels(), kernel, weight=0.1)


def test_normalize_is_disabled_when_the_values_sum_to_zero(app):
    normalize = next(button for button in app.button if button.label == "Normalize")
    assert normalize.disabled


def test_a_bad_weight_gets_a_message_and_the_last_valid_weight_stays(app):
    before = value_tables(app)
    app.text_input(key=state.WEIGHT_TEXT).set_value("ten").run()
    assert not app.exception
    assert "last valid weight stays in force" in shown(app.warning[0].value)
    assert value_tables(app) == before


def test_same_padding_keeps_the_size(app):
    app.radio(key=state.PADDING).set_value("same").run()
    assert result_captions(app)[1].endswith("· 28 x 28")
    assert result_captions(app)[2].endswith("· 14 x 14")
    assert value_tables(app) == expected_tables(
        sample_pixels(), PRESETS["vertical_edges"].values, padding="same"
    )


@pytest.mark.parametrize("mapping", ["relu", "abs", "stretch", "signed"])
def test_every_output_mapping(app, mapping):
    app.selectbox(key=state.MAPPING).set_value(mapping).run()
    assert not app.exception
    assert value_tables(app) == expected_tables(
        sample_pixels(), PRESETS["vertical_edges"].values, mapping=mapping
    )
    legends = [image for image in app.image if any("Signed sums" in c for c in image.captions)]
    assert len(legends) == (1 if mapping == "signed" else 0)


def test_average_pooling(app):
    app.radio(key=state.POOL_KIND).set_value("average").run()
    assert result_captions(app)[2].startswith("Average pooled")
    assert value_tables(app) == expected_tables(
        sample_pixels(), PRESETS["vertical_edges"].values, pool_kind="average"
    )


def test_photos_group_shows_a_photo_at_its_size(app):
    app.segmented_control(key=state.SAMPLE_GROUP).set_value("Photos").run()
    assert not app.exception
    assert app.session_state[state.SHOWN_IMAGE][0] == sample_source("photos/ascent.png")
    assert result_captions(app)[0] == "Original · 512 x 512"
    assert len(app.dataframe) == 1  # too big for value tables: only the editor


def test_colour_mode_filters_each_channel(app):
    app.segmented_control(key=state.SAMPLE_GROUP).set_value("Photos").run()
    app.selectbox(key=state.SAMPLE_KEY).set_value("photos/chelsea.png").run()
    toggle = app.toggle(key=state.COLOUR)
    assert not toggle.disabled
    toggle.set_value(True).run()
    assert not app.exception
    assert result_captions(app)[0] == "Original · 451 x 300"


def test_colour_toggle_is_disabled_for_gray_images(app):
    assert app.toggle(key=state.COLOUR).disabled


def test_working_size_downscales_with_a_note(app):
    app.segmented_control(key=state.SAMPLE_GROUP).set_value("Photos").run()
    app.selectbox(key=state.SAMPLE_KEY).set_value("photos/coffee.png").run()
    app.select_slider(key=state.WORKING_SIZE).set_value(256).run()
    assert result_captions(app)[0] == "Original · 256 x 171"
    notes = " ".join(caption.value for caption in app.main.caption)
    assert "working at 256 x 171, downscaled from 600 x 400" in notes


def test_uploading_a_good_image_shows_it(app):
    rng = np.random.default_rng(5)
    pixels = rng.integers(0, 256, size=(10, 12)).astype(np.uint8)
    data = png_bytes(pixels)
    app.main.file_uploader[0].upload("my photo.png", data, "image/png")
    app.run()
    assert not app.exception and not app.error
    assert app.session_state[state.SHOWN_IMAGE] == (upload_source(data), "my photo.png")
    assert result_captions(app)[0] == "Original · 12 x 10"
    assert value_tables(app) == expected_tables(pixels.astype(float), PRESETS["vertical_edges"].values)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.txt.png", b"hello, this is not an image", "not an image"),
        ("empty.png", b"", "empty"),
        ("broken.png", NOISE_PNG[: len(NOISE_PNG) // 2], "damaged or incomplete"),
        ("huge.png", b"0" * (26 * 1024 * 1024), "the limit is 25 MB"),
    ],
)
def test_a_bad_upload_gets_an_error_and_the_previous_image_stays(app, name, data, message):
    before = value_tables(app)
    app.main.file_uploader[0].upload(name, data, "image/png")
    app.run()
    assert not app.exception
    assert len(app.main.error) == 1
    assert name in shown(app.main.error[0].value)
    assert message in shown(app.main.error[0].value)
    assert app.session_state[state.SHOWN_IMAGE][0] == sample_source(DEFAULT_SAMPLE)
    assert value_tables(app) == before
    # The app keeps working: another preset still filters the previous image.
    app.selectbox(key=state.PRESET).set_value("outline").run()
    assert not app.exception
    assert value_tables(app) == expected_tables(sample_pixels(), PRESETS["outline"].values)


def test_an_image_too_small_for_the_filter_gets_a_message(app):
    app.main.file_uploader[0].upload("dot.png", png_bytes(np.full((1, 1), 200)), "image/png")
    app.run()
    assert not app.exception
    assert any("needs at least 3 x 3" in shown(error.value) for error in app.main.error)
    # The image is shown as it is, its one value written in its cell: never "Showing ..." over nothing.
    (as_it_is,) = [image for image in app.image if "(not filtered)" in image.captions[0]]
    assert as_it_is.captions[0] == "Original · 1 x 1 (not filtered)"
    assert as_it_is.proto.imgs[0].alt == "dot.png as it is: 1 x 1 pixels, not filtered"
    app.radio(key=state.PADDING).set_value("same").run()
    assert not app.exception and not app.main.error
    assert result_captions(app)[:2] == ["Original · 1 x 1", "Filtered (clip to 0..255) · 1 x 1"]
    assert any("too small for 2 x 2 pooling" in info.value for info in app.info)


def test_the_value_tables_are_built_only_while_their_expander_is_open():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert at.session_state[state.TABLES_OPEN] is False
    assert [list(frame.value.index) for frame in at.dataframe] == [["top", "middle", "bottom"]]  # the editor
    at.session_state[state.TABLES_OPEN] = True
    at.run()
    assert not at.exception
    assert value_tables(at) == expected_tables(sample_pixels(), PRESETS["vertical_edges"].values)


def test_the_take_away_panel_is_built_only_while_open():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not [button for button in at.get("download_button") if button.proto.label.startswith("Worksheet")]
    at.session_state[state.TAKE_AWAY_OPEN] = True
    at.run()
    assert not at.exception
    labels = [button.proto.label for button in at.get("download_button")]
    assert "Worksheet (PDF)" in labels and "Download the script" in labels


def test_every_option_says_in_plain_words_what_it_changes(app):
    captions = [caption.value for caption in app.sidebar.caption]
    assert captions == [
        options.PADDING_WORDS["valid"],
        f"{options.MAPPING_WORDS} Below 0 becomes 0, above 255 becomes 255, as in the course lab.",
        options.POOLING_WORDS,
        options.COLOUR_WORDS[False],  # the default sample is gray
        options.WORKING_SIZE_WORDS,
        options.WRITE_VALUES_WORDS,
        options.LAYOUT_WORDS,
    ]
    assert "28 x 28 becomes 26 x 26" in captions[0]
    app.radio(key=state.PADDING).set_value("same").run()
    assert app.sidebar.caption[0].value == options.PADDING_WORDS["same"]
    assert "28 x 28 stays 28 x 28" in app.sidebar.caption[0].value


def test_the_second_page_is_one_visible_link_away(app):
    links = [(link.proto.label, link.proto.page) for link in app.get("page_link")]
    assert links == [("Next: a whole layer", "layer")]  # the page's url path, /layer
