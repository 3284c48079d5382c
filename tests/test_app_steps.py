"""Section 3 of the page through AppTest: the pixel inspector, and what the explorer receives to step."""

from __future__ import annotations

import re

import numpy as np
from streamlit.testing.v1 import AppTest

from filters import PRESETS, apply_filter, format_value, max_pool
from filters.explore import unpack
from filters.images import decode_image, to_grayscale
from filters.samples import DEFAULT_SAMPLE, SAMPLE_DIR
from filters.stepping import strongest_pixel
from filters.walkthrough import VIEW_POOL, VIEW_SLIDE
from tests.conftest import whole_page
from tests.test_app import value_tables
from views import state

HEADER = re.compile(r"Output pixel \(row (\d+), column (\d+)\).* = \*\*(-?[\d.]+)\*\*")


def default_result(**options):
    path = SAMPLE_DIR / DEFAULT_SAMPLE
    pixels = to_grayscale(decode_image(path.read_bytes(), path.name).rgb)
    return apply_filter(pixels, PRESETS["vertical_edges"].values, **options)


def find(at: AppTest, pattern: re.Pattern) -> re.Match:
    for markdown in at.markdown:
        match = pattern.search(markdown.value)
        if match:
            return match
    raise AssertionError(f"no markdown matches {pattern.pattern}")


def inspected(at: AppTest) -> tuple[int, int, str]:
    match = find(at, HEADER)
    return int(match[1]), int(match[2]), match[3]


def filtered_table(at: AppTest) -> list[list[str]]:
    return value_tables(at)["filtered"]


def test_inspector_starts_at_the_strongest_response_and_shows_the_grids_value(app):
    result = default_result()
    row, col, value = inspected(app)
    assert (row, col) == strongest_pixel(result.mapped())
    assert value == format_value(result.mapped()[row, col]) == filtered_table(app)[row][col]


def test_inspector_writes_the_sum_term_by_term(app):
    result = default_result()
    app.number_input(key=state.INSPECT_ROW).set_value(7).run()
    app.number_input(key=state.INSPECT_COL).set_value(15).run()
    row, col, value = inspected(app)
    assert (row, col) == (7, 15)
    window = result.image[7:10, 15:18]
    kernel = PRESETS["vertical_edges"].values
    terms = " + ".join(
        f"{format_value(v)} × {format_value(k)}" for v, k in zip(window.ravel(), kernel.ravel(), strict=True)
    )
    total = float((window * kernel).sum())
    text = " ".join(markdown.value for markdown in app.markdown)
    assert f"{terms} = {format_value(total)}" in text
    assert f"clip {format_value(total)} to 0..255 = {value}" in text
    assert value == format_value(result.mapped()[7, 15]) == filtered_table(app)[7][15]


def test_arrow_buttons_move_the_pixel_by_one(app):
    app.number_input(key=state.INSPECT_ROW).set_value(5).run()
    app.number_input(key=state.INSPECT_COL).set_value(5).run()
    app.button(key="move_right").click().run()
    app.button(key="move_down").click().run()
    assert inspected(app)[:2] == (6, 6)
    app.button(key="move_left").click().run()
    app.button(key="move_up").click().run()
    app.button(key="move_up").click().run()
    assert inspected(app)[:2] == (4, 5)


def test_arrows_stop_at_the_border(app):
    app.number_input(key=state.INSPECT_ROW).set_value(0).run()
    app.number_input(key=state.INSPECT_COL).set_value(25).run()
    app.button(key="move_up").click().run()
    app.button(key="move_right").click().run()
    assert not app.exception
    assert inspected(app)[:2] == (0, 25)


def test_same_padding_border_pixel_shows_the_zero_padding(app):
    app.radio(key=state.PADDING).set_value("same").run()
    app.number_input(key=state.INSPECT_ROW).set_value(0).run()
    app.number_input(key=state.INSPECT_COL).set_value(0).run()
    assert inspected(app)[:2] == (0, 0)
    text = " ".join(markdown.value for markdown in app.markdown)
    assert "zero padding" in text


def open_view(app: AppTest, view: str) -> None:
    whole_page(app.segmented_control(key=state.STEP_VIEW).set_value(view).run())
    assert not app.exception


def explorer(app: AppTest) -> tuple[dict, dict]:
    """What the page sent the in-browser explorer: its header and arrays, as the browser reads them."""
    (component,) = [
        element
        for element in app.get("bidi_component")
        if element.proto.component_name == "convolution_explorer"
    ]
    return unpack(component.proto.bytes)


def test_the_slide_view_sends_the_whole_small_image_once_for_the_browser_to_play(app):
    open_view(app, VIEW_SLIDE)
    result = default_result()
    header, arrays = explorer(app)
    assert header["view"] == "slide" and header["kind"] == "convolution"
    assert header["region"] == {"top": 0, "left": 0, "rows": 26, "cols": 26}
    assert np.array_equal(arrays["inputs"], result.image) and not arrays["padded"].any()
    assert np.array_equal(arrays["sums"], result.raw) and np.array_equal(arrays["mapped"], result.mapped())
    assert header["kernel"] == PRESETS["vertical_edges"].values.ravel().tolist()
    assert header["mapping"] == "clip {raw} to 0..255 = {value}" and header["weightText"] == "1"


def test_a_new_filter_sends_new_numbers_under_a_new_key(app):
    open_view(app, VIEW_SLIDE)
    first = explorer(app)[0]["key"]
    app.selectbox(key=state.PRESET).set_value("horizontal_edges").run()
    header, arrays = explorer(app)
    assert header["key"] != first
    assert np.array_equal(arrays["mapped"], default_result().mapped()) is False


def test_the_pool_view_sends_every_window_and_its_maximum(app):
    open_view(app, VIEW_POOL)
    result = default_result()
    header, arrays = explorer(app)
    assert header["view"] == "pool" and header["poolKind"] == "max" and header["title"] == "Filtered values"
    assert np.array_equal(arrays["values"], result.mapped())
    assert np.array_equal(arrays["pooled"], max_pool(result.mapped()))


def test_lecture_example_pools_16_pixels_into_4(app):
    open_view(app, VIEW_POOL)
    lecture = next(button for button in app.button if button.label.startswith("Lecture example"))
    lecture.click().run()
    text = " ".join(markdown.value for markdown in app.markdown)
    assert "4 x 4 → 2 x 2, so 16 values become 4" in text
    header, arrays = explorer(app)
    assert header["title"] == "The lecture's pixels" and arrays["pooled"].ravel().tolist() == [
        192,
        144,
        255,
        168,
    ]


def test_average_pooling_sends_the_averages(app):
    app.radio(key=state.POOL_KIND).set_value("average").run()
    open_view(app, VIEW_POOL)
    lecture = next(button for button in app.button if button.label.startswith("Lecture example"))
    lecture.click().run()
    header, arrays = explorer(app)
    assert header["poolKind"] == "average" and arrays["pooled"][0, 0] == 76


def test_big_images_step_through_a_zoom_region_around_the_selected_pixel(app):
    app.segmented_control(key=state.SAMPLE_GROUP).set_value("Photos").run()
    app.number_input(key=state.INSPECT_ROW).set_value(200).run()
    app.number_input(key=state.INSPECT_COL).set_value(300).run()
    open_view(app, VIEW_SLIDE)
    assert explorer(app)[0]["region"] == {"top": 192, "left": 292, "rows": 16, "cols": 16}
    assert any("16 x 16 zoom region" in caption.value for caption in app.caption)
    open_view(app, VIEW_POOL)
    header, arrays = explorer(app)
    assert header["region"] == {"top": 192, "left": 292, "rows": 16, "cols": 16}
    path = SAMPLE_DIR / "photos/ascent.png"
    result = apply_filter(
        to_grayscale(decode_image(path.read_bytes(), path.name).rgb), PRESETS["vertical_edges"].values
    )
    assert np.array_equal(arrays["pooled"], max_pool(result.mapped())[96:104, 146:154])
