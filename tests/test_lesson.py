"""The guided lesson: its beats are valid links of the first page, it walks them with Back and Next,
each beat asks its one question only, and the link keeps the beat."""

from __future__ import annotations

import typing

import pytest
from streamlit.testing.v1 import AppTest

from filters.lesson import BEATS, beat
from filters.link import read_link
from filters.predict import QuestionKind, check, pixel_count_question
from filters.presets import PRESETS
from tests.conftest import APP
from views import state
from views.link import CHOICES


def test_every_beat_is_a_link_the_page_reads_whole():
    for number, shown in enumerate(BEATS, 1):
        reading = read_link(shown.link, CHOICES)
        assert reading.ignored == (), (number, reading.ignored)
        assert shown.asks in typing.get_args(QuestionKind), shown.asks
        assert (shown.mystery in PRESETS) == (shown.asks == "which_filter")
    with pytest.raises(ValueError, match="beats 1 to 6"):
        beat(7)


def test_the_first_beat_asks_for_784():
    question = pixel_count_question((28, 28))
    assert "784" not in question.prompt + "".join(question.details)
    assert check(question, "784").right and check(question, "56").mixup == "added"


def beat_shown(at: AppTest) -> str:
    (heading,) = [m.value for m in at.markdown if m.value.startswith("**Lesson · ")]
    return heading


def guess_keys(at: AppTest) -> list[str]:
    """The kinds of guess the page asks for now (the widgets' keys: guess_<place>_<question>)."""
    boxes = [*at.text_input, *at.radio]
    return sorted(str(box.key).split("_")[1] for box in boxes if str(box.key).startswith("guess_"))


def test_the_lesson_walks_its_beats_each_asking_its_own_question():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert guess_keys(at) == []  # predict first is off: nothing is asked
    next(button for button in at.button if button.label == "Lesson").click().run()
    expected = {1: ["lesson"], 2: ["pixel"], 3: ["which"], 4: ["which"], 5: ["pool"], 6: ["size"]}
    for number, shown in enumerate(BEATS, 1):
        assert not at.exception
        assert beat_shown(at) == f"**Lesson · {number} of {len(BEATS)}: {shown.title}**"
        assert at.query_params["lesson"] == str(number)
        assert guess_keys(at) == expected[number], number
        if number < len(BEATS):
            next(button for button in at.button if button.label == "Next").click().run()
    next(button for button in at.button if button.label == "Back").click().run()
    assert at.session_state[state.LESSON] == len(BEATS) - 1
    next(button for button in at.button if button.label == "Leave the lesson").click().run()
    assert at.session_state[state.LESSON] == 0 and "lesson" not in at.query_params
    assert not [m for m in at.markdown if m.value.startswith("**Lesson · ")]


def test_a_link_opens_a_beat_with_its_settings():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lesson"] = "5"
    at.run()
    assert not at.exception and beat_shown(at).startswith("**Lesson · 5 of 6")
    assert at.session_state[state.POOL_SOURCE] == "lecture"
    assert at.session_state[state.SHOWN_IMAGE][0].endswith("lecture/lecture.png")
    assert guess_keys(at) == ["pool"]


def test_no_beat_tells_the_answer_it_asks_for():
    told = {1: ["784"], 6: ["26", "13", "169"]}
    for number, shown in enumerate(BEATS, 1):
        text = f"{shown.title} {shown.words}".lower()
        for answer in told.get(number, []):
            assert answer not in text, (number, answer)
        if shown.mystery is not None:  # which filter: neither its name nor its lines' direction
            assert PRESETS[shown.mystery].name.lower() not in text
            assert "vertical" not in text and "horizontal" not in text
