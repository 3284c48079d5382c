"""Predict first: every question's answer is the number the page shows, nothing before the reveal
gives it away, and a guess is read, refused or explained as a learner would need."""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import replace

import numpy as np
import pytest

from filters.kernel import format_weight
from filters.layer import (
    CONVENTIONS,
    DILATIONS,
    LAYER_PADDINGS,
    STRIDES,
    ConvSettings,
    LayerFilter,
    PoolSettings,
    apply_layer,
)
from filters.mapping import MAPPINGS
from filters.numbers import format_value, format_values
from filters.pipeline import FilterResult, apply_filter
from filters.predict import (
    MAX_GUESS_CHARS,
    GuessError,
    Question,
    Score,
    check,
    filter_question,
    filter_question_for,
    layer_size_questions,
    mystery_preset,
    pixel_count_question,
    pool_question,
    read_guess,
    size_questions,
    sum_question,
)
from filters.presets import LECTURE_POOLING_GRID, PRESETS
from filters.recipe import FilterRecipe, ImageRecipe
from filters.walkthrough import pooling_steps, walk_pixel
from tests.pixels import sample_pixels

LECTURE_FILTER = PRESETS["lecture_example"].values
LECTURE_WINDOW = LECTURE_POOLING_GRID[:3, :3]
"""The lecture's worked pixel: 192 under the lecture's filter gives 1009."""
RANDOM_IMAGE = np.random.default_rng(24).integers(0, 256, size=(7, 8))
KERNELS = {
    "vertical_edges": (PRESETS["vertical_edges"].values, 1.0),
    "lecture_example": (LECTURE_FILTER, 1.0),
    "box_blur": (PRESETS["box_blur"].values, 1 / 9),
    "gaussian_blur": (PRESETS["gaussian_blur"].values, 1 / 16),
    "sharpen_times_0.37": (PRESETS["sharpen"].values, 0.37),
    "emboss_times_-2": (PRESETS["emboss"].values, -2.0),
}
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:/\d+)?")


def numbers_in(*texts: str) -> set[str]:
    """The numbers written in ``texts``, as the page writes them ("-1", "0.5", "1/9")."""
    return {found for text in texts for found in NUMBER.findall(text)}


def written(values: np.ndarray) -> set[str]:
    return {format_value(value) for value in np.ravel(values)}


def filtered(image: np.ndarray, name: str, **options) -> FilterResult:
    """``image`` through the filter and weight of ``KERNELS[name]``."""
    kernel, weight = KERNELS[name]
    return apply_filter(image, kernel, weight=weight, **options)


def lecture_result(**options) -> FilterResult:
    return apply_filter(LECTURE_WINDOW, LECTURE_FILTER, **options)


def every_pixel(result: FilterResult):
    for row, col in np.ndindex(result.output_shape):
        yield walk_pixel(result, row, col)


PIXEL_RESULTS = {
    f"{name}-{padding}-{mapping}": filtered(RANDOM_IMAGE, name, padding=padding, mapping=mapping)
    for name in KERNELS
    for padding in ("valid", "same")
    for mapping in MAPPINGS
}
"""Filtered random images: every kernel of ``KERNELS``, both paddings, every mapping."""


# ---- The answers are the page's own numbers ----------------------------------------------------------


def test_the_lectures_pixel_asks_for_1009():
    question = sum_question(walk_pixel(lecture_result(), 0, 0))
    assert question.answer == 1009 and question.answer_text == "1009"
    assert question.working.endswith("= 1009")
    assert check(question, "1009").right and check(question, 1009.004).right


@pytest.mark.parametrize("result", PIXEL_RESULTS.values(), ids=PIXEL_RESULTS.keys())
def test_every_pixels_questions_answer_what_the_grids_show(result):
    sums = format_values(result.raw)
    for walk in every_pixel(result):
        asked = sum_question(walk)
        assert asked.answer == walk.raw_value == result.raw[walk.row, walk.col]
        assert asked.answer_text == sums[walk.row, walk.col]
        assert check(asked, asked.answer_text).right


def test_in_colour_the_question_is_asked_of_the_channel_shown():
    rgb = np.random.default_rng(5).integers(0, 256, size=(5, 6, 3)).astype(np.uint8)
    result = apply_filter(rgb, PRESETS["sharpen"].values, mapping="relu")
    answers = [sum_question(walk_pixel(result, 1, 2, channel)).answer for channel in range(3)]
    assert answers == [result.raw[1, 2, channel] for channel in range(3)]
    assert len(set(answers)) == 3


@pytest.mark.parametrize("kind", ["max", "average"])
@pytest.mark.parametrize("mapping", ["clip", "signed"])
def test_each_pooling_window_asks_for_the_value_the_pooled_grid_shows(kind, mapping):
    result = filtered(sample_pixels(), "box_blur", mapping=mapping, pool_kind=kind)
    pooled = format_values(result.pooled)
    steps = pooling_steps(result.mapped(), kind)
    assert len(steps) == 13 * 13
    for step in steps:
        question = pool_question(step, kind)
        assert question.answer == step.value
        assert question.answer_text == pooled[step.out_row, step.out_col]
        assert check(question, question.answer_text).right


def test_the_lectures_sixteen_pixels_pool_to_its_four():
    maxima = [pool_question(step, "max").answer for step in pooling_steps(LECTURE_POOLING_GRID, "max")]
    averages = [pool_question(step, "average") for step in pooling_steps(LECTURE_POOLING_GRID, "average")]
    assert maxima == [192, 144, 255, 168]
    assert [question.answer_text for question in averages] == ["76", "136", "155.75", "58"]


@pytest.mark.parametrize(
    ("shape", "padding", "widths"),
    [
        ((28, 28), "valid", (26, 13)),
        ((28, 28), "same", (28, 14)),
        ((27, 27), "valid", (25, 12)),
        ((27, 27), "same", (27, 13)),
        ((20, 33), "valid", (31, 15)),
        ((9, 4), "valid", (2, 1)),
        ((5, 3), "valid", (1, 0)),
    ],
)
def test_the_size_story_asks_for_the_shapes_the_pipeline_makes(shape, padding, widths):
    result = apply_filter(np.zeros(shape), PRESETS["vertical_edges"].values, padding=padding)
    width, pooled = size_questions(shape, padding)
    assert (width.answer, pooled.answer) == widths
    assert (width.answer, pooled.answer) == (result.output_shape[1], result.pooled.shape[1])
    assert (width.answer_text, pooled.answer_text) == tuple(str(n) for n in widths)
    assert width.whole and pooled.whole


def test_the_first_pages_story_on_the_ankle_boot_is_28_26_13():
    pixels = sample_pixels()
    assert pixels.shape == (28, 28)
    width, pooled = size_questions(pixels.shape, "valid")
    assert width.working.startswith("28 − 2 = 26")
    assert pooled.working.startswith("⌊(26 − 2) / 2⌋ + 1 = 13")
    assert check(width, "26").right and check(pooled, "13").right


def layer_cases():
    for convention in CONVENTIONS:
        for padding in LAYER_PADDINGS:
            for stride in STRIDES:
                for dilation in DILATIONS:
                    try:
                        yield ConvSettings(padding, stride, dilation, convention=convention)
                    except ValueError:  # Keras refuses 'full' and a stride with a dilation
                        continue


LAYER_CASES = list(layer_cases())


@pytest.mark.parametrize("shape", [(28, 28), (17, 23)])
@pytest.mark.parametrize(
    "pooling", [PoolSettings(), PoolSettings("average", 3, 1), PoolSettings("min", 2, 3)]
)
def test_the_second_pages_sizes_are_the_layers_own(shape, pooling):
    image = np.random.default_rng(3).integers(0, 256, size=shape)
    vertical = LayerFilter.same_on_every_channel("v", PRESETS["vertical_edges"].values, 1)
    assert len(LAYER_CASES) == 37  # 27 for PyTorch, 10 for Keras (no "full", no stride with dilation)
    for conv in LAYER_CASES:
        feature = apply_layer(image, [vertical], conv, pooling).maps[0]
        width, pooled = layer_size_questions(shape, conv, pooling)
        assert width.answer == feature.sums.shape[1], conv
        assert pooled.answer == feature.pooled.shape[1], conv
        assert width.working.endswith(f"= {feature.sums.shape[1]}")
        assert check(width, width.answer_text).right and check(pooled, pooled.answer_text).right


def test_keras_same_at_stride_2_asks_for_ceil_n_over_2():
    width, pooled = layer_size_questions((27, 27), ConvSettings("same", stride=2))
    assert width.answer == 14 and pooled.answer == 7
    assert width.working == "⌊(27 + 1 + 1 − 1·2 − 1) / 2⌋ + 1 = 14"


# ---- Which filter made this? -------------------------------------------------------------------------


LOOK_ALIKES = [
    {"vertical_edges", "vertical_edges_prewitt", "vertical_edges_scharr"},
    {"horizontal_edges", "horizontal_edges_prewitt", "horizontal_edges_scharr"},
    {"box_blur", "gaussian_blur"},
]


@pytest.mark.parametrize("mapping", list(MAPPINGS))
def test_which_filter_offers_four_presets_that_look_different_the_true_one_among_them(mapping):
    for true_key in PRESETS:
        for seed in ("sample:fashion/ankle_boot_1.png|valid", "upload:ab12|same", "x"):
            question = filter_question(true_key, seed, mapping)
            keys = [choice.key for choice in question.choices]
            assert len(keys) == len(set(keys)) == 4
            assert true_key in keys and question.answer == true_key
            assert question.answer_text == PRESETS[true_key].name
            assert [choice.label for choice in question.choices] == [PRESETS[key].name for key in keys]
            for alike in LOOK_ALIKES:
                assert len(alike & set(keys)) <= 1, keys
            if mapping == "abs":  # an edge filter and its reverse give the same picture
                assert not {"vertical_edges", "vertical_edges_reversed"} <= set(keys)
            assert "lecture_example" not in keys or true_key == "lecture_example"
            assert filter_question(true_key, seed, mapping) == question


def test_which_filter_always_offers_the_other_direction():
    assert "horizontal_edges" in {c.key for c in filter_question("vertical_edges", "a").choices}
    assert "vertical_edges" in {c.key for c in filter_question("horizontal_edges", "a").choices}


def test_the_seed_fixes_the_four_and_their_order_and_other_seeds_vary_them():
    questions = [filter_question("vertical_edges", f"seed {n}") for n in range(20)]
    assert len({question.choices for question in questions}) > 5
    assert len({question.choices[0].key for question in questions}) > 1  # the true one moves too


def test_which_filter_is_asked_for_a_preset_recipe_only():
    image = ImageRecipe("sample:fashion/ankle_boot_1.png", 512, False)
    kernel, weight = KERNELS["box_blur"]
    recipe = FilterRecipe(image, FilterRecipe.kernel_key(kernel), weight, "valid", "clip", "max")
    question = filter_question_for(recipe)
    assert question is not None and question.answer == "box_blur"
    assert filter_question_for(recipe) == question
    assert question == filter_question("box_blur", "sample:fashion/ankle_boot_1.png|valid|0", "clip")
    later = filter_question_for(recipe, 14)
    assert later is not None and later.answer == "box_blur" and later.key != question.key
    assert filter_question_for(replace(recipe, weight=1.0)) is None
    assert filter_question_for(replace(recipe, kernel=FilterRecipe.kernel_key(LECTURE_WINDOW))) is None


def test_each_round_hides_another_preset_all_before_any_comes_again():
    offered = set(PRESETS) - {"lecture_example"}
    for seed in ("sample:fashion/ankle_boot_1.png", "upload:9f86d0"):
        rounds = [mystery_preset(number, seed) for number in range(3 * len(offered))]
        assert set(rounds[: len(offered)]) == offered
        assert rounds == rounds[: len(offered)] * 3
        assert all(before != after for before, after in itertools.pairwise(rounds))
    assert mystery_preset(0, "a") == mystery_preset(0, "a")
    assert len({tuple(mystery_preset(n, f"picture {k}") for n in range(3)) for k in range(10)}) > 1


def test_an_unknown_preset_is_refused():
    with pytest.raises(ValueError, match="Unknown preset"):
        filter_question("no_such_filter", "x")


def test_choosing_a_filter_is_right_or_names_what_the_chosen_one_would_show():
    question = filter_question("vertical_edges", "x")
    right = check(question, "vertical_edges")
    assert (
        right.right and right.headline == "Right: Vertical edges (Sobel, dark to bright) made this picture."
    )
    assert right.off_by is None and right.off_text == ""
    wrong = check(question, "horizontal_edges")
    assert not wrong.right and wrong.mixup == "other_filter"
    assert wrong.guess_text == "Horizontal edges (Sobel, dark to bright)"
    assert wrong.headline.startswith("Not quite: Vertical edges (Sobel, dark to bright) made this picture")
    assert "would light up horizontal lines; here the vertical lines stand out" in wrong.explanation
    for choice in question.choices:
        if choice.key != "vertical_edges":
            assert check(question, choice.key).explanation.startswith(choice.label)


# ---- Nothing before the reveal gives the answer away -------------------------------------------------


def assert_shows_only(question: Question, inputs: set[str]) -> bool:
    """The prompt and details write no number but ``inputs``; returns whether the answer is one of
    them (then its appearing is no leak: the learner sees it among the question's inputs)."""
    shown = numbers_in(question.prompt, *question.details)
    assert shown <= inputs, (shown - inputs, question.prompt, question.details)
    if question.answer_text not in inputs:
        assert question.answer_text not in shown
        return False
    return True


def pixel_inputs(walk) -> set[str]:
    explanation = walk.explanation
    return written(explanation.window) | written(explanation.kernel) | {format_weight(explanation.weight)}


def test_pixel_questions_show_only_the_window_the_filter_and_the_weight():
    asked = 0
    for result in PIXEL_RESULTS.values():
        for walk in every_pixel(result):
            asked += not assert_shows_only(sum_question(walk), pixel_inputs(walk))
    assert asked > 1000  # the check ran on answers that are not among the inputs


@pytest.mark.parametrize("kind", ["max", "average"])
def test_pooling_questions_show_only_the_window_and_max_pooling_shows_its_answer_in_it(kind):
    result = filtered(RANDOM_IMAGE, "box_blur", mapping="signed", pool_kind=kind)
    steps = pooling_steps(result.mapped(), kind)
    assert len(steps) == 6
    for step in steps:
        question = pool_question(step, kind)
        among_inputs = assert_shows_only(question, written(step.window) | {"2"})
        assert among_inputs == (kind == "max")  # the documented case: max pooling picks one of four


def test_size_questions_show_only_the_image_and_the_settings():
    hidden = 0
    for cols in range(5, 40):
        for padding in ("valid", "same"):
            for question in size_questions((cols + 3, cols), padding):
                hidden += not assert_shows_only(question, {str(cols), str(cols + 3), "3", "2"})
        for conv in LAYER_CASES:
            for pooling in (PoolSettings(), PoolSettings("average", 3, 1)):
                inputs = {str(cols), str(cols + 3), "3", *(str(n) for n in (conv.stride, conv.dilation))}
                inputs |= {str(pooling.size), str(pooling.stride)}
                for question in layer_size_questions((cols + 3, cols), conv, pooling):
                    hidden += not assert_shows_only(question, inputs)
    assert hidden > 4000


def test_which_filter_names_no_filter_in_its_prompt():
    for true_key in PRESETS:
        question = filter_question(true_key, "x")
        before = " ".join((question.prompt, *question.details))
        assert PRESETS[true_key].name not in before and true_key not in before


def test_what_a_student_sees_before_the_reveal_does_not_depend_on_the_answer():
    # The accepted range goes to students' phones: the same filter on two windows gives the same.
    result = filtered(RANDOM_IMAGE, "box_blur")
    walks = list(every_pixel(result))
    assert len({sum_question(walk).answer for walk in walks}) > 20
    assert {sum_question(walk).accepted for walk in walks} == {(-2295.0, 2295.0)}


# ---- Checking a guess ------------------------------------------------------------------------------


def test_a_guess_within_half_a_hundredth_is_right():
    result = filtered(RANDOM_IMAGE, "box_blur")
    walk = next(walk for walk in every_pixel(result) if not walk.raw_value.is_integer())
    question = sum_question(walk)
    answer = walk.raw_value
    for near in (answer, answer + 0.0049, answer - 0.0049, question.answer_text):
        assert check(question, near).right
        assert check(question, near).headline == f"Right: the sum is {question.answer_text}."
    for far in (answer + 0.006, answer - 0.006):
        assert not check(question, far).right


def test_a_wrong_guess_says_how_far_off_and_which_way():
    question = sum_question(walk_pixel(lecture_result(), 0, 0))
    high, low = check(question, 1100), check(question, "1000")
    assert not high.right and high.off_by == 91 and high.off_text == "91 too high"
    assert high.headline == "Not quite: the sum is 1009; your 1100 is 91 too high."
    assert low.off_by == -9 and low.headline == "Not quite: the sum is 1009; your 1000 is 9 too low."
    assert high.working == question.working == low.working


LECTURE_PRODUCTS = LECTURE_WINDOW * LECTURE_FILTER


@pytest.mark.parametrize(
    ("guess", "mixup", "named"),
    [
        (1009 + 2 * 256, "sign", "128 × -2 = -256 (top row, right column), counted as 256"),
        (1009 + 2 * 504, "sign", "168 × -3 = -504 (bottom row, right column), counted as 504"),
        (1009 - 864, "centre_left_out", "192 × 4.5 = 864"),
        (1009 + 864, "centre_twice", "192 × 4.5 = 864"),
        (1009 - 452, "one_left_out", "226 × 2 = 452 (bottom row, middle column)"),
        (float(np.abs(LECTURE_PRODUCTS).sum()), "signs_ignored", "negative values subtract"),
        (
            float((LECTURE_WINDOW * LECTURE_FILTER[::-1, ::-1]).sum()),
            "filter_turned",
            "turned by 180 degrees",
        ),
        (float(LECTURE_WINDOW.sum()), "not_multiplied", "without multiplying"),
        (864, "centre_only", "192 × 4.5 = 864"),
        (192, "pixel_itself", "the pixel's own value"),
        (255, "final_value", "clip 1009 to 0..255 = 255"),
    ],
)
def test_each_mixup_of_the_lectures_sum_is_told_with_its_product(guess, mixup, named):
    told = check(sum_question(walk_pixel(lecture_result(), 0, 0)), guess)
    assert not told.right and told.mixup == mixup
    assert named in told.explanation


def test_a_forgotten_weight_is_told_not_refused():
    # The box blur's nine products add up to 9 times the answer: far outside the sums it can give.
    result = filtered(LECTURE_WINDOW, "box_blur")
    question = sum_question(walk_pixel(result, 0, 0))
    total = float(LECTURE_WINDOW.sum())
    assert total == 1112 and question.answer_text == "123.56" and question.possible == (0, 255)
    told = check(question, total)
    assert told.mixup == "weight_forgotten" and "1112 × 1/9 = 123.56" in told.explanation
    halved = sum_question(walk_pixel(lecture_result(weight=0.5), 0, 0))
    assert halved.answer == 504.5 and check(halved, 1009).mixup == "weight_forgotten"


def test_a_fraction_rounded_is_close_but_not_right():
    question = sum_question(walk_pixel(filtered(LECTURE_WINDOW, "box_blur"), 0, 0))
    for guess in ("124", "123.6", "123"):
        assert check(question, guess).mixup == "rounded"
        assert "123.56" in check(question, guess).explanation
    assert check(question, "123.56").right


def test_a_guess_no_window_could_give_says_so():
    sums = sum_question(walk_pixel(lecture_result(), 0, 0))
    assert sums.possible == (-1530, 2550)
    told = check(sums, 3000)
    assert told.mixup == "impossible"
    assert (
        told.explanation
        == "No sum can be that: with this filter, pixels from 0 to 255 give sums between -1530 and 2550."
    )
    pooled = pool_question(pooling_steps(LECTURE_POOLING_GRID, "max")[0], "max")
    assert check(pooled, 200).mixup == "impossible" and "between 0 and 192" in check(pooled, 200).explanation


def test_a_guess_matching_no_mixup_gets_the_hint():
    question = sum_question(walk_pixel(lecture_result(), 0, 0))
    told = check(question, 1234)
    assert told.mixup == "" and told.explanation == question.hint


@pytest.mark.parametrize(
    ("kind", "guess", "mixup"),
    [
        ("max", 76, "averaged"),
        ("max", 0, "smallest"),
        ("max", 304, "added"),
        ("max", 64, "not_largest"),
        ("average", 304, "not_divided"),
        ("average", 192, "largest"),
        ("average", 152, "divided_by_2"),
        ("average", 60, "one_left_out"),
    ],
)
def test_pooling_mixups_are_told(kind, guess, mixup):
    question = pool_question(pooling_steps(LECTURE_POOLING_GRID, kind)[0], kind)  # 0, 64, 48, 192
    assert check(question, guess).mixup == mixup


def test_size_mixups_are_told():
    width, pooled = size_questions((28, 28), "valid")
    assert check(width, 28).mixup == "border_kept"
    assert check(width, 25).mixup == "filter_width"
    assert check(pooled, 26).mixup == "not_pooled"
    assert check(pooled, 14).mixup == "pooled_input"
    same, _ = size_questions((28, 28), "same")
    assert check(same, 26).mixup == "border_lost"
    strided, _ = layer_size_questions((28, 28), ConvSettings(stride=2))
    assert strided.answer == 13 and check(strided, 26).mixup == "stride_ignored"
    dilated, _ = layer_size_questions((28, 28), ConvSettings(dilation=2))
    assert dilated.answer == 24 and check(dilated, 26).mixup == "dilation_ignored"
    padded, _ = layer_size_questions((28, 28), ConvSettings("full", convention="pytorch"))
    assert padded.answer == 30 and check(padded, 26).mixup == "padding_ignored"


def all_kinds_of_question() -> list[Question]:
    questions = []
    for result in list(PIXEL_RESULTS.values())[::3]:
        for walk in list(every_pixel(result))[::5]:
            questions.append(sum_question(walk))
    questions += [pixel_count_question((28, 28)), pixel_count_question((3, 40))]
    for kind in ("max", "average"):
        questions += [pool_question(step, kind) for step in pooling_steps(RANDOM_IMAGE - 100, kind)]
    questions += [*size_questions((28, 28), "valid"), *size_questions((27, 31), "same")]
    for conv in LAYER_CASES:
        questions += layer_size_questions((28, 28), conv, PoolSettings("max", 3, 2))
    questions += [filter_question(key, "x", "abs") for key in PRESETS]
    return questions


ALL_KINDS = all_kinds_of_question()


def test_every_listed_mistake_is_a_guess_that_gets_its_own_explanation():
    told = 0
    for question in ALL_KINDS:
        low, high = question.accepted
        for mistake in question.mistakes:
            result = check(question, mistake.value)
            assert not result.right
            assert (result.mixup, result.explanation) == (mistake.key, mistake.explanation)
            assert question.choices or low <= mistake.value <= high
            told += 1
    assert {question.kind for question in ALL_KINDS} == {
        "pixel_count",
        "pixel_sum",
        "pooled",
        "size",
        "which_filter",
    }
    assert told > 5000


# ---- Reading a guess ------------------------------------------------------------------------------------


SUM = sum_question(walk_pixel(lecture_result(), 0, 0))
WIDTH = size_questions((28, 28), "valid")[0]
WHICH = filter_question("vertical_edges", "x")


@pytest.mark.parametrize(
    ("question", "guess", "message"),
    [
        (SUM, "", "The guess is empty: type a number"),
        (SUM, "   ", "The guess is empty: type a number"),
        (SUM, None, "The guess is empty: type a number"),
        (SUM, "twelve", "The guess is 'twelve', which is not a number"),
        (SUM, "nan", "The guess is 'nan', which is not a number"),
        (SUM, "inf", "The guess is 'inf', which is not a number"),
        (SUM, float("nan"), "The guess must be a finite number, not nan."),
        (SUM, float("inf"), "The guess must be a finite number, not inf."),
        (SUM, np.float32("-inf"), "The guess must be a finite number, not -inf."),
        (SUM, "1e309", "The guess is 1e+309; keep values between -1,000,000 and 1,000,000."),
        (SUM, "1" * 1000, "The guess is 1,000 characters long: type one number."),
        (SUM, "1,000", "use a dot for decimals (1.5) and no separator for thousands (1000)"),
        (SUM, "1_000", "write numbers without underscores"),
        (SUM, True, "The guess must be a number, not True."),
        (SUM, [1009], "The guess must be one number, such as 12, -0.5 or 1/4."),
        (SUM, {"guess": 1009}, "The guess must be one number"),
        (SUM, "-6000", "Answers to this question lie between -5100 and 5100; -6000 does not."),
        (WIDTH, "26.5", "The width of the filtered image is a whole number; 26.5 is not."),
        (WIDTH, "53/2", "The width of the filtered image is a whole number; 26.5 is not."),
        (WIDTH, "-1", "Answers to this question lie between 0 and 112; -1 does not."),
        (WIDTH, 500, "Answers to this question lie between 0 and 112; 500 does not."),
        (WHICH, "sharpen_not_offered", "Choose one of the 4 filters shown."),
        (WHICH, "Vertical edges (Sobel, dark to bright)", "Choose one of the 4 filters shown."),
        (WHICH, 3, "Choose one of the 4 filters shown."),
        (WHICH, None, "Choose one of the 4 filters shown."),
    ],
)
def test_what_is_not_an_answer_is_refused_with_a_clear_message(question, guess, message):
    with pytest.raises(GuessError) as refused:
        read_guess(question, guess)
    assert message in str(refused.value)
    with pytest.raises(GuessError):
        check(question, guess)


def test_a_choice_not_offered_is_refused():
    offered = {choice.key for choice in WHICH.choices}
    missing = next(key for key in PRESETS if key not in offered)
    with pytest.raises(GuessError, match="Choose one of the 4 filters shown"):
        read_guess(WHICH, missing)
    assert read_guess(WHICH, " vertical_edges ") == "vertical_edges"


@pytest.mark.parametrize(
    ("guess", "value"),
    [
        ("1009", 1009),
        (" 1009 ", 1009),
        ("1,5", 1.5),
        ("-0,25", -0.25),
        ("1/4", 0.25),
        ("−3", -3),
        ("2e3", 2000),
        ("-0", 0),
        (12, 12),
        (np.float64(2.5), 2.5),
        ("1" * MAX_GUESS_CHARS, None),
    ],
)
def test_numbers_are_read_as_the_filter_editor_reads_them(guess, value):
    if value is None:  # as long as allowed, but far outside the sums: refused for its size, not its length
        with pytest.raises(GuessError, match="keep values between"):
            read_guess(SUM, guess)
    else:
        assert read_guess(SUM, guess) == value


def test_a_whole_number_written_as_a_decimal_is_a_whole_number():
    assert read_guess(WIDTH, "26.0") == 26 and check(WIDTH, "26,0").right


# ---- Storing a question, naming it, keeping the score ----------------------------------------------


def test_every_kind_of_question_survives_json():
    for question in [*ALL_KINDS[::7], WHICH]:
        text = question.to_json()
        assert "Infinity" not in text and "NaN" not in text
        back = Question.from_json(text)
        assert back == question and back.key == question.key
        assert check(back, question.answer_text if not question.choices else question.answer).right


def test_a_choice_questions_unbounded_range_is_written_as_null():
    assert json.loads(WHICH.to_json())["accepted"] == [None, None]
    assert Question.from_json(WHICH.to_json()).accepted == WHICH.accepted


def test_the_key_does_not_depend_on_the_answer():
    other = replace(SUM, answer=1234.0, answer_text="1234", working="", hint="", mistakes=())
    assert other.key == SUM.key
    assert replace(WHICH, answer="sharpen", answer_text="Sharpen").key == WHICH.key
    assert replace(SUM, prompt=SUM.prompt + "?").key != SUM.key
    assert replace(SUM, details=SUM.details[:1]).key != SUM.key


def test_two_windows_that_read_the_same_are_two_questions():
    zeros = apply_filter(np.zeros((6, 6)), PRESETS["vertical_edges"].values)
    pixels = [sum_question(walk) for walk in every_pixel(zeros)]
    assert len({question.prompt for question in pixels}) == 1 and len({q.details for q in pixels}) == 1
    assert len({question.key for question in pixels}) == 16
    windows = [pool_question(step, "max") for step in pooling_steps(np.zeros((4, 6)), "max")]
    assert len({question.key for question in windows}) == 6
    assert filter_question("sharpen", "picture 1").key != filter_question("sharpen", "picture 2").key


def test_an_uploads_source_is_not_stored_with_its_question():
    source = "upload:" + "9f86d0" * 10
    question = filter_question("sharpen", f"{source}|valid")
    assert "9f86d0" not in question.to_json()


def test_the_score_counts_each_questions_first_answer():
    score = Score()
    assert score.text == "No answers yet"
    questions = [*size_questions((28, 28), "valid"), SUM, WHICH, *size_questions((28, 28), "same")[:1]]
    guesses = ["26", "13", "1009", "horizontal_edges", "28"]
    for question, guess in zip(questions, guesses, strict=True):
        score = score.record(question, check(question, guess))
    assert (score.right, score.answered, score.text) == (4, 5, "4 of 5 right")
    again = score.record(WHICH, check(WHICH, "vertical_edges"))
    assert again == score and again.text == "4 of 5 right"


def test_the_mystery_is_never_the_filter_the_page_names():
    for seed in ("a", "b", "fashion/bag_1.png"):
        assert all(mystery_preset(n, seed, "vertical_edges") != "vertical_edges" for n in range(40))
