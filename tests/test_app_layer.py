"""The second page, "A whole layer" (AppTest): every number it writes is the core's.

Stride, dilation and padding with the formula filled in, the window stepper's sum, a layer's
shapes, the two-layer pipeline's sizes, the learnt filter, and the way back to the first page.
"""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from filters.layer import ConvSettings, correlate, preset_kernel, window_step
from filters.learn import learn_filter, scaled
from filters.numbers import format_values
from filters.walkthrough import VIEW_SLIDE
from tests.conftest import APP
from tests.pixels import sample_pixels
from views import state
from views.layer_page import LAYER_WORDS, LEARNING_WORDS, strongest_window

FASHION = sample_pixels()  # the first sample (28 x 28), gray, as both pages work on it


def layer_page(**settings) -> AppTest:
    """The app opened, then its second page, with ``settings`` (state key -> value) in force."""
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.switch_page("layer.py").run()
    for key, value in settings.items():
        at.session_state[key] = value
    if settings:
        at.run()
    assert not at.exception
    assert [title.value for title in at.title] == ["A whole layer: stride, many filters, learning"]
    return at


def markdown_with(at: AppTest, text: str) -> str:
    found = [block.value for block in at.markdown if text in block.value]
    assert found, f"no text with {text!r} in {[block.value[:60] for block in at.markdown]}"
    return found[0]


def caption_with(at: AppTest, text: str) -> str:
    found = [block.value for block in at.caption if text in block.value]
    assert found, f"no caption with {text!r} in {[block.value[:60] for block in at.caption]}"
    return found[0]


def run_exported(code: str, function: str, image: np.ndarray) -> np.ndarray:
    """Run an exported script's ``function`` on ``image``, as a learner who copied it would."""
    namespace: dict = {"__name__": "exported"}
    exec(compile(code, "exported.py", "exec"), namespace)
    return np.asarray(namespace[function](image))


@pytest.mark.parametrize(
    ("convention", "first_row_words"),
    [
        ("keras", "Keras / TensorFlow 'same': rows ⌈28 / 2⌉ = 14 outputs, so "
         "max((14 − 1)·2 + 1·2 + 1 − 28, 0) = 1 zero: 0 before, 1 after"),
        ("pytorch", "PyTorch's padding=1: zeros 1 above, 1 below, 1 left, 1 right."),
    ],
)  # fmt: skip
def test_same_at_stride_2_is_keras_unless_pytorch_is_chosen_and_the_numpy_code_agrees(
    convention, first_row_words
):
    at = layer_page(
        **{
            state.LAYER_PADDING: "same",
            state.LAYER_STRIDE: 2,
            state.LAYER_CONVENTION: convention,
            state.LAYER_STEP: 13,
        }
    )
    settings = ConvSettings("same", 2, convention=convention)
    kernel = preset_kernel("vertical_edges")
    sums = correlate(FASHION, kernel, settings)
    assert at.code[0].value == window_step(FASHION, kernel, settings, 13, sums).sum_text
    assert first_row_words in caption_with(at, "'same'" if convention == "keras" else "PyTorch's padding")
    formula = markdown_with(at, "Output size per side")
    pads = "0 + 1" if convention == "keras" else "1 + 1"
    assert f"rows ⌊(28 + {pads} − 1·2 − 1) / 2⌋ + 1 = 14" in formula
    other = correlate(
        FASHION, kernel, ConvSettings("same", 2, convention={"keras": "pytorch"}.get(convention, "keras"))
    )
    assert not np.array_equal(sums, other)  # the edge lands one pixel apart: the choice matters here
    numpy_code, keras_code, pytorch_code = (block.value for block in at.code[1:4])
    np.testing.assert_array_equal(run_exported(numpy_code, "conv", FASHION), sums)
    name = "Keras / TensorFlow 'same' padding" if convention == "keras" else "PyTorch's padding=1"
    assert name in keras_code.replace("\n", " ") and name in numpy_code.replace("\n", " ")
    assert "F.pad" in pytorch_code if convention == "keras" else "padding=1" in pytorch_code


def test_the_page_works_on_the_first_pages_image_and_fills_in_the_size_formula():
    at = layer_page(**{state.LAYER_STRIDE: 2, state.LAYER_DILATION: 2, state.LAYER_PADDING: "full"})
    assert "On **Ankle boot 1**, 28 x 28 pixels." in [block.value for block in at.markdown]
    formula = markdown_with(at, "Output size per side")
    assert "rows ⌊(28 + 4 + 4 − 2·2 − 1) / 2⌋ + 1 = 16" in formula
    assert "**28 x 28 → 16 x 16**" in formula


def test_the_window_steppers_sum_is_the_cores_for_stride_dilation_and_padding():
    settings = ConvSettings("same", 3, 2, convention="pytorch")  # Keras refuses a stride with a dilation
    at = layer_page(
        **{state.LAYER_PADDING: "same", state.LAYER_STRIDE: 3, state.LAYER_DILATION: 2, state.LAYER_STEP: 14}
    )
    kernel = preset_kernel("vertical_edges")
    sums = correlate(FASHION, kernel, settings)
    expected = window_step(FASHION, kernel, settings, 14, sums)
    assert at.code[0].value == expected.sum_text
    refusal = caption_with(at, "Keras refuses a stride above 1 together with a dilation above 1")
    assert "These are PyTorch's numbers (padding=2): zeros 2 above, 2 below, 2 left, 2 right." in refusal
    markdown_with(at, f"Output pixel (row {expected.out_row}, column {expected.out_col}) = ")
    next(button for button in at.button if button.label == "Next").click().run()
    following = window_step(FASHION, kernel, settings, 15, sums)
    assert at.code[0].value == following.sum_text


def test_a_layer_of_eight_filters_with_min_pooling_gives_its_shapes():
    eight = [
        "vertical_edges", "horizontal_edges", "outline", "sharpen",
        "emboss", "box_blur", "identity", "lecture_example",
    ]  # fmt: skip
    at = layer_page(
        **{
            state.LAYER_FILTERS: eight,
            state.LAYER_POOL_KIND: "min",
            state.LAYER_POOL_SIZE: 3,
            state.LAYER_POOL_STRIDE: 1,
        }
    )
    shapes = markdown_with(at, "feature maps")
    assert "**8 feature maps, 26 x 26 x 8**" in shapes
    assert "pooled min 3 x 3, stride 1: **24 x 24 x 8**" in shapes
    assert len([button for button in at.button if button.label == "Step through it"]) == 8


def test_the_two_layer_pipeline_writes_the_lectures_sizes():
    at = layer_page()
    assert "**28x28 -> 26x26 -> 13x13 -> 11x11 -> 5x5**" in markdown_with(at, "28x28 -> ")


def test_the_learnt_filter_shown_is_the_cores_at_its_last_step():
    at = layer_page()
    inputs = scaled(FASHION)
    learning = learn_filter(inputs, correlate(inputs, preset_kernel("vertical_edges")), steps=200)
    markdown_with(at, "Step **200** of 200")
    tables = [frame.value for frame in at.dataframe]
    np.testing.assert_array_equal(tables[-2].to_numpy(), format_values(learning.kernels[-1]))
    np.testing.assert_array_equal(tables[-1].to_numpy(), format_values(learning.exact))


def test_step_through_it_opens_that_filter_in_the_first_pages_stepper():
    at = layer_page()
    at.button(key="open_map_1").click().run()
    assert not at.exception
    assert at.session_state[state.PRESET] == "horizontal_edges"
    assert at.session_state[state.STEP_VIEW] == VIEW_SLIDE
    assert [title.value for title in at.title] == ["Convolution & pooling, pixel by pixel"]


def test_the_first_pages_settings_survive_a_visit_to_the_second():
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.sidebar.radio(key=state.PADDING).set_value("same").run()
    at.switch_page("layer.py").run()
    at.session_state[state.LAYER_STRIDE] = 3
    at.run()
    at.switch_page("one_filter.py").run()
    assert not at.exception
    assert at.sidebar.radio(key=state.PADDING).value == "same"
    assert at.session_state[state.LAYER_STRIDE] == 3


def test_the_first_pages_own_filter_can_be_used_on_the_second():
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.selectbox(key=state.PRESET).set_value("lecture_example").run()
    at.switch_page("layer.py").run()
    at.session_state[state.LAYER_PRESET] = "own"
    at.session_state[state.LAYER_STEP] = 40
    at.run()
    assert not at.exception
    kernel = preset_kernel("lecture_example")
    sums = correlate(FASHION, kernel, ConvSettings())
    assert at.code[0].value == window_step(FASHION, kernel, ConvSettings(), 40, sums).sum_text
    assert at.selectbox(key=state.LAYER_PRESET).value == "own"


def test_the_second_page_starts_with_the_first_pages_filter_and_follows_its_changes():
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    next(button for button in at.button if button.label == "The lecture's example").click().run()
    assert at.session_state[state.PRESET] == "lecture_example"
    at.switch_page("layer.py").run()
    assert not at.exception
    assert at.selectbox(key=state.LAYER_PRESET).value == "lecture_example"
    kernel, lecture = preset_kernel("lecture_example"), sample_pixels("lecture/lecture.png")
    sums = correlate(lecture, kernel, ConvSettings())
    step = window_step(lecture, kernel, ConvSettings(), strongest_window(sums), sums)
    assert at.code[0].value == step.sum_text
    at.selectbox(key=state.LAYER_PRESET).set_value("sharpen").run()
    at.switch_page("one_filter.py").run()
    at.switch_page("layer.py").run()
    assert at.selectbox(key=state.LAYER_PRESET).value == "sharpen"  # unchanged there: the choice holds
    at.switch_page("one_filter.py").run()
    at.selectbox(key=state.PRESET).set_value("outline").run()
    at.switch_page("layer.py").run()
    assert at.selectbox(key=state.LAYER_PRESET).value == "outline"


def test_projector_mode_carries_over_both_ways_and_draws_the_grids_two_a_row():
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.toggle(key=state.PROJECTOR).set_value(True).run()
    at.switch_page("layer.py").run()
    assert not at.exception
    assert at.toggle(key=state.PROJECTOR).value is True
    projector_css = (state.VIEWS_DIR / "projector.css").read_text()
    assert any(projector_css in block.value for block in at.get("html"))
    grids = [(column.weight, [image.captions[0] for image in column.image]) for column in at.columns[:4]]
    assert [weight for weight, _ in grids] == [0.5] * 4  # two a row, where three share it otherwise
    assert [captions[0].split(" · ")[0] for _, captions in grids[:3]] == [
        "Input",
        "What a CNN computes (no flip)",
        "True convolution (the filter turned 180°)",
    ]
    at.toggle(key=state.PROJECTOR).set_value(False).run()
    at.switch_page("one_filter.py").run()
    assert at.toggle(key=state.PROJECTOR).value is False


def test_a_forged_bias_is_put_back_within_bounds_and_the_layer_still_drawn():
    for forged in (float("nan"), 1e300):
        at = layer_page(**{state.LAYER_BIAS: forged})
        assert -10_000 <= at.session_state[state.LAYER_BIAS] <= 10_000
        assert "**4 feature maps, 26 x 26 x 4**" in markdown_with(at, "feature maps")


def test_the_layers_and_the_learnings_options_say_in_plain_words_what_they_change():
    at = layer_page()
    captions = [caption.value for caption in at.caption]
    assert LAYER_WORDS in captions and LEARNING_WORDS in captions
    assert "Stride 1: the window moves one pixel at a time." in caption_with(at, "Stride 1")
