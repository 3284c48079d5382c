"""Section 3 of the page through AppTest: the pixel inspector and the two steppers."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from filters import PRESETS, apply_filter, format_value, max_pool
from filters.images import decode_image, to_grayscale
from filters.samples import DEFAULT_SAMPLE, SAMPLE_DIR
from filters.stepping import strongest_pixel
from filters.walkthrough import VIEW_POOL, VIEW_SLIDE
from views import state

HEADER = re.compile(r"Output pixel \(row (\d+), column (\d+)\).* = \*\*(-?[\d.]+)\*\*")
CONV_STEP = re.compile(
    r"\*\*Step (\d+) of (\d+)\*\*.*input rows (-?\d+) to (-?\d+), columns (-?\d+) to (-?\d+) "
    r"gives output pixel "
    r"\(row (\d+), column (\d+)\) = \*\*(-?[\d.]+)\*\*"
)
POOL_STEP = re.compile(
    r"\*\*Step (\d+) of (\d+)\*\*.*pooled cell \(row (\d+), column (\d+)\): `(.*) = (-?[\d.]+)`"
)


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
    return at.dataframe[2].value.astype(str).to_numpy().tolist()


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


def test_a_click_on_the_filtered_image_selects_the_pixel_under_it(app):
    geometry = app.session_state[state.PICK_GEOMETRY]
    shown = 400  # the browser shows the 26 x 26 grid 400 px wide
    cell = shown / 26
    app.session_state[state.PICK] = {
        "x": 9.5 * cell,
        "y": 3.5 * cell,
        "width": shown,
        "height": shown * geometry.height / geometry.width,
        "unix_time": 1,
    }
    app.run()
    row, col, value = inspected(app)
    assert (row, col) == (3, 9)
    assert value == filtered_table(app)[3][9]


def test_same_padding_border_pixel_shows_the_zero_padding(app):
    app.radio(key=state.PADDING).set_value("same").run()
    app.number_input(key=state.INSPECT_ROW).set_value(0).run()
    app.number_input(key=state.INSPECT_COL).set_value(0).run()
    assert inspected(app)[:2] == (0, 0)
    text = " ".join(markdown.value for markdown in app.markdown)
    assert "zero padding" in text


def open_view(app: AppTest, view: str) -> None:
    app.segmented_control(key=state.STEP_VIEW).set_value(view).run()
    assert not app.exception


def conv_step(app: AppTest) -> re.Match:
    return find(app, CONV_STEP)


def test_convolution_stepper_moves_the_window_and_fills_the_right_value(app):
    open_view(app, VIEW_SLIDE)
    result = default_result()
    first = conv_step(app)
    assert first.groups()[:8] == ("1", "676", "0", "2", "0", "2", "0", "0")
    for _ in range(3):
        app.button(key="conv_next").click().run()
    step = conv_step(app)
    assert step[1] == "4"
    assert (int(step[7]), int(step[8])) == (0, 3)
    assert (int(step[3]), int(step[5])) == (0, 3)  # window rows 0-2, columns 3-5
    assert step[9] == format_value(result.mapped()[0, 3])
    app.slider(key="conv_step").set_value(27 * 1 + 1 + 11).run()  # step 39: row 1, column 12
    step = conv_step(app)
    assert (int(step[7]), int(step[8])) == (1, 12)
    assert step[9] == format_value(result.mapped()[1, 12])
    app.button(key="conv_back").click().run()
    assert (int(conv_step(app)[7]), int(conv_step(app)[8])) == (1, 11)


def test_convolution_stepper_start_and_end(app):
    open_view(app, VIEW_SLIDE)
    result = default_result()
    app.button(key="conv_end").click().run()
    step = conv_step(app)
    assert step[1] == step[2] == "676"
    assert step[9] == format_value(result.mapped()[25, 25])
    app.button(key="conv_next").click().run()  # stays on the last step
    assert conv_step(app)[1] == "676"
    app.button(key="conv_start").click().run()
    assert conv_step(app)[1] == "1"


def test_stepper_restarts_when_the_filter_changes(app):
    open_view(app, VIEW_SLIDE)
    app.button(key="conv_end").click().run()
    app.selectbox(key=state.PRESET).set_value("horizontal_edges").run()
    step = conv_step(app)
    assert step[1] == "1"


def test_play_starts_and_pause_stops(app):
    open_view(app, VIEW_SLIDE)
    app.button(key="conv_play").click().run()
    assert not app.exception
    assert app.session_state["conv_playing"] is True
    assert app.button(key="conv_play").label == "Pause"
    app.button(key="conv_play").click().run()
    assert app.session_state["conv_playing"] is False


def test_pooling_stepper_fills_each_cell_with_the_window_maximum(app):
    open_view(app, VIEW_POOL)
    result = default_result()
    pooled = max_pool(result.mapped())
    for expected_step in range(1, 16):
        step = find(app, POOL_STEP)
        index = expected_step - 1
        row, col = divmod(index, 13)
        assert (int(step[1]), int(step[3]), int(step[4])) == (expected_step, row, col)
        window = result.mapped()[2 * row : 2 * row + 2, 2 * col : 2 * col + 2]
        assert step[5] == "max(" + ", ".join(format_value(v) for v in window.ravel()) + ")"
        assert step[6] == format_value(pooled[row, col])
        app.button(key="pool_next").click().run()


def test_lecture_example_pools_16_pixels_into_4(app):
    open_view(app, VIEW_POOL)
    lecture = next(button for button in app.button if button.label.startswith("Lecture example"))
    lecture.click().run()
    text = " ".join(markdown.value for markdown in app.markdown)
    assert "4 x 4 → 2 x 2, so 16 values become 4" in text
    maxima = []
    for _ in range(4):
        maxima.append(find(app, POOL_STEP)[6])
        app.button(key="pool_next").click().run()
    assert maxima == ["192", "144", "255", "168"]


def test_average_pooling_shows_its_arithmetic(app):
    app.radio(key=state.POOL_KIND).set_value("average").run()
    open_view(app, VIEW_POOL)
    lecture = next(button for button in app.button if button.label.startswith("Lecture example"))
    lecture.click().run()
    step = find(app, POOL_STEP)
    assert step[5] == "(0 + 64 + 48 + 192) / 4"
    assert step[6] == "76"


def test_big_images_step_through_a_zoom_region_around_the_selected_pixel(app):
    app.segmented_control(key=state.SAMPLE_GROUP).set_value("Photos").run()
    app.number_input(key=state.INSPECT_ROW).set_value(200).run()
    app.number_input(key=state.INSPECT_COL).set_value(300).run()
    open_view(app, VIEW_SLIDE)
    step = conv_step(app)
    assert step[2] == "256"  # 16 x 16
    assert (int(step[7]), int(step[8])) == (192, 292)
    assert any("16 x 16 zoom region" in caption.value for caption in app.caption)
    open_view(app, VIEW_POOL)
    step = find(app, POOL_STEP)
    assert step[2] == "64"  # 8 x 8 pooled cells
    assert (int(step[3]), int(step[4])) == (96, 146)
    path = SAMPLE_DIR / "photos/ascent.png"
    result = apply_filter(
        to_grayscale(decode_image(path.read_bytes(), path.name).rgb), PRESETS["vertical_edges"].values
    )
    assert step[6] == format_value(max_pool(result.mapped())[96, 146])
