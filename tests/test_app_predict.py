"""Predict first on the page (AppTest): the answer is held back until a guess, and the reveal says
what the core's check says; the class question's room opens from projector mode.

The browser's view of the same (the answer absent from the DOM and the alt texts) is
``tests/e2e/test_predict_first.py``; the rooms themselves are ``tests/test_rooms.py``.
"""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from filters.layer import ConvSettings
from filters.numbers import format_value
from filters.predict import (
    Score,
    check,
    filter_question_for,
    layer_size_questions,
    mystery_preset,
    size_questions,
    sum_question,
)
from filters.presets import DEFAULT_PRESET, PRESETS
from filters.recipe import FilterRecipe, ImageRecipe, sample_source
from filters.rooms import shared_store
from filters.samples import DEFAULT_SAMPLE
from filters.walkthrough import VIEW_POOL, walk_pixel
from tests.conftest import APP, whole_page
from tests.pixels import sample_pixels
from tests.test_app_steps import default_result
from views import state


@pytest.fixture
def predicting() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["predict"] = "1"
    at.run()
    assert not at.exception and at.session_state[state.PREDICT] is True
    return at


def texts(at: AppTest) -> str:
    """Every text the page's last run wrote: Markdown, captions, alerts, and the pictures' alt texts."""
    parts = [
        element.value
        for kind in ("markdown", "caption", "success", "error", "warning")
        for element in at.get(kind)
    ]
    parts += [image.proto.imgs[0].caption for image in at.image if image.proto.imgs]
    parts += [image.proto.imgs[0].alt for image in at.image if image.proto.imgs]
    parts += [
        json.loads(component.proto.json).get("alt", "")  # the clickable filtered grid
        for component in at.get("bidi_component")
        if component.key == state.PICK
    ]
    return "\n".join(parts)


def guess(at: AppTest, widget_prefix: str, value: str) -> AppTest:
    """Type ``value`` in the guess box whose key starts with ``widget_prefix`` and press Reveal."""
    (box,) = [box for box in at.text_input if str(box.key).startswith(widget_prefix)]
    box.set_value(value)
    (form,) = [
        button for button in at.get("button") if button.proto.form_id == f"guess_form_{widget_prefix[6:-1]}"
    ]
    form.click()
    at.run()
    assert not at.exception
    return whole_page(at)


def test_the_link_keeps_predict_first():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert at.session_state[state.PREDICT] is False and "predict" not in at.query_params
    at.toggle(key=state.PREDICT).set_value(True).run()
    assert at.query_params["predict"] == "1"


def test_the_pixels_sum_is_asked_before_it_is_shown(predicting):
    result = default_result()
    row, col = result.strongest
    walk = walk_pixel(result, row, col)
    question = sum_question(walk)
    before = texts(predicting)
    assert f"Output pixel (row {row}, column {col}) = ?" in before
    assert walk.sum_line not in before and f"= **{walk.final_text}**" not in before
    assert "covered until you guess it" in before  # the filtered grid's alt text
    wrong = format_value(walk.raw_value + 100)
    after = texts(guess(predicting, "guess_pixel_", wrong))
    verdict = check(question, wrong)
    assert not verdict.right and verdict.headline in after
    assert f"= **{walk.final_text}** (pinned)" in after and "covered until you guess it" not in after
    assert predicting.session_state[state.SCORE] == Score(0, 1, frozenset({question.key}))


def test_a_right_sum_counts_once_and_a_refused_guess_is_said(predicting):
    result = default_result()
    walk = walk_pixel(result, *result.strongest)
    page = guess(predicting, "guess_pixel_", "twelve")
    assert any("twelve" in warning.value or "number" in warning.value for warning in page.warning)
    assert state.SCORE not in page.session_state or page.session_state[state.SCORE].answered == 0
    page = guess(page, "guess_pixel_", format_value(walk.raw_value))
    assert f"Right: the sum is {format_value(walk.raw_value)}." in texts(page)
    assert page.session_state[state.SCORE].text == "1 of 1 right"


def test_the_sizes_are_asked_width_by_width(predicting):
    result = default_result()
    first, second = size_questions(result.image.shape, result.padding)
    page_text = texts(predicting)
    assert first.prompt in page_text and "26 x 26" not in page_text and "13 x 13" not in page_text
    page = guess(predicting, "guess_size_", "28")  # the border kept: a known mix-up
    assert check(first, "28").explanation in texts(page) and second.prompt in texts(page)
    page = guess(page, "guess_size_", "13")
    shown = texts(page)
    assert "28 x 28 → 26 x 26 → 13 x 13" in shown and "Filtered (clip to 0..255) · 26 x 26" in shown
    assert page.session_state[state.SCORE].text == "1 of 2 right"


def test_pooling_asks_the_first_window_that_is_not_flat(predicting):
    page = whole_page(predicting.segmented_control(key=state.STEP_VIEW).set_value(VIEW_POOL).run())
    result = default_result()
    mapped = result.mapped()
    step = page.session_state[state.STEP]
    rows, cols = mapped.shape[0] // 2, mapped.shape[1] // 2
    top, left = 2 * (step // cols), 2 * (step % cols)
    window = mapped[top : top + 2, left : left + 2]
    assert window.max() > window.min() and step < rows * cols
    assert all(
        mapped[2 * (k // cols) : 2 * (k // cols) + 2, 2 * (k % cols) : 2 * (k % cols) + 2].max()
        == mapped[2 * (k // cols) : 2 * (k // cols) + 2, 2 * (k % cols) : 2 * (k % cols) + 2].min()
        for k in range(step)
    )
    assert f"**Window {step + 1}** (rows {top} to {top + 1}, columns {left} to {left + 1})" in texts(page)
    assert not [c for c in page.get("bidi_component") if c.proto.component_name == "convolution_explorer"]
    page = guess(page, "guess_pool_", format_value(window.max()))
    assert f"Right: the max is {format_value(window.max())}." in texts(page)
    assert [c for c in page.get("bidi_component") if c.proto.component_name == "convolution_explorer"]


def which_filter_question(round_number: int):
    """The question the page asks in round ``round_number`` on the default sample, worked out here
    as ``views/which_filter.py`` does: the mystery preset's recipe, then the core's question."""
    source = sample_source(DEFAULT_SAMPLE)
    preset = PRESETS[mystery_preset(round_number, source, DEFAULT_PRESET)]
    recipe = FilterRecipe(
        ImageRecipe(source, 512, False),
        FilterRecipe.kernel_key(preset.values),
        preset.weight,
        "valid",
        "clip",
        "max",
    )
    return filter_question_for(recipe, round_number)


def choose(at: AppTest, key: str) -> AppTest:
    (radio,) = [radio for radio in at.radio if str(radio.key).startswith("guess_which_")]
    radio.set_value(key)
    (button,) = [b for b in at.get("button") if b.proto.form_id == "guess_form_which"]
    button.click()
    at.run()
    assert not at.exception
    return at


def test_which_filter_made_this_reveals_the_hidden_preset(predicting):
    question = which_filter_question(0)
    (radio,) = [radio for radio in predicting.radio if str(radio.key).startswith("guess_which_")]
    assert radio.options == [choice.label for choice in question.choices]
    assert question.answer_text not in texts(predicting).replace(radio.options[0], "")  # only as a choice
    wrong = next(choice.key for choice in question.choices if choice.key != question.answer)
    page = choose(predicting, wrong)
    assert check(question, wrong).headline in [alert.value for alert in page.error]
    (again,) = [button for button in page.button if button.label == "Another picture"]
    again.click().run()
    second = which_filter_question(1)
    page = choose(page, second.answer)
    assert f"Right: {second.answer_text} made this picture." in [alert.value for alert in page.success]


def test_ask_the_class_opens_a_room_with_the_pixels_question(predicting):
    predicting.toggle(key=state.PROJECTOR).set_value(True).run()
    predicting.button(key="ask_class_pixel").click().run()
    assert not predicting.exception
    teacher = predicting.session_state[state.ROOM]
    room = shared_store().teacher_view(teacher)
    result = default_result()
    assert room.question == sum_question(walk_pixel(result, *result.strongest)) and room.is_open
    assert any(f"Room **{teacher.code[:3]} {teacher.code[3:]}**" in m.value for m in predicting.markdown)
    # No address students can reach (AppTest has none): no link until the teacher types one.
    assert not [code for code in predicting.code if "room=" in code.value]
    assert any("type one like" in warning.value for warning in predicting.warning)
    predicting.text_input(key=state.ROOM_ADDRESS_BOX).set_value("http://192.168.1.20:8501").run()
    assert any(
        f"http://192.168.1.20:8501/class?room={teacher.code}" in code.value for code in predicting.code
    )
    # Asking the same question again keeps the room and its answers.
    student = shared_store().join(teacher.code, "10.0.0.9")
    shared_store().answer(student, room.round_id, "12")
    predicting.button(key="ask_class_pixel").click().run()
    assert predicting.session_state[state.ROOM] == teacher
    assert shared_store().teacher_view(teacher).current.total == 1
    # Closed, then a new room: the typed address is still the one its link uses.
    next(button for button in predicting.button if button.label == "Close the room").click().run()
    assert predicting.session_state[state.ROOM] is None
    predicting.button(key="ask_class_pixel").click().run()
    second = predicting.session_state[state.ROOM]
    assert second.code != teacher.code
    assert any(f"http://192.168.1.20:8501/class?room={second.code}" in code.value for code in predicting.code)
    shared_store().close(second)


def test_the_second_page_asks_the_feature_maps_width_before_its_arithmetic(predicting):
    page = predicting.switch_page("layer.py").run()
    assert not page.exception
    pixels = sample_pixels()
    question, _ = layer_size_questions(pixels.shape, ConvSettings())
    assert any(question.prompt in markdown.value for markdown in page.markdown)
    assert not any("Output size per side" in markdown.value for markdown in page.markdown)
    page = guess(page, "guess_layer_size_", "28")  # the input's width: a known slip
    verdict = check(question, "28")
    assert not verdict.right and any(verdict.headline in caption.value for caption in page.caption)
    assert any("so **28 x 28 → 26 x 26**" in markdown.value for markdown in page.markdown)
