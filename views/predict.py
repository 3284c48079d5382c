"""Predict first: a question asked before its answer is shown, the learner's guess, then the reveal.

While "Predict first" is on (``state.PREDICT``, kept in the link), the step-by-step views hold back
an answer until the learner has given one (``filters.predict`` makes the questions and checks the
guesses). What was answered lives in the session only: the guesses (``state.GUESSES``, by question
key) and the running score (``state.SCORE``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from filters.describe import HELD_BACK_PIXEL, HELD_BACK_POOLED, HELD_BACK_SIZES
from filters.lesson import beat
from filters.pipeline import FilterResult
from filters.pooling import PoolKind, PoolStep, pooled_shape
from filters.predict import (
    Check,
    GuessError,
    Question,
    Score,
    check,
    pool_question,
    size_questions,
    sum_question,
)
from filters.walkthrough import (
    VIEW_INSPECT,
    VIEW_POOL,
    channel_of,
    first_telling_window,
    pooling_region,
    walk_pixel,
)
from views import state
from views.class_room import answer_input, ask_the_class_button


def predicting(kind: str | None = None) -> bool:
    """Whether the page asks before it tells: every question while "Predict first" is on; in the
    lesson, only the beat's own kind of question (``kind`` None: any question at all)."""
    lesson = st.session_state.get(state.LESSON) or 0
    if lesson:
        return kind is None or beat(lesson).asks == kind
    return bool(st.session_state.get(state.PREDICT))


def result_of(question: Question) -> Check | None:
    """The check of the learner's guess to ``question``, or None while it is unanswered."""
    guess = (st.session_state.get(state.GUESSES) or {}).get(question.key)
    return None if guess is None else check(question, guess)


def _take_guess(question: Question, widget_key: str, sections: tuple[str, ...] | None) -> None:
    """The guess typed (or chosen) for ``question``: kept, and counted once, when it is an answer at all."""
    guess = st.session_state.get(widget_key)
    try:
        result = check(question, guess)
    except GuessError as problem:
        st.session_state[state.GUESS_PROBLEM] = (question.key, str(problem))
        return
    st.session_state.pop(state.GUESS_PROBLEM, None)
    st.session_state[state.GUESSES] = {**(st.session_state.get(state.GUESSES) or {}), question.key: guess}
    st.session_state[state.SCORE] = (st.session_state.get(state.SCORE) or Score()).record(question, result)
    if sections is not None:  # else the page's own run follows, as after any click
        st.rerun([*sections, state.SHARE_FRAGMENT])  # the share fragment in the top bar shows the score


def guess_ui(question: Question, key: str, sections: tuple[str, ...] | None = state.PIXEL_SECTIONS) -> None:
    """The question's prompt and a "Your guess" box (Enter or the button reveals), or its choices.

    ``key`` names the widgets (one set per place on the page); ``sections``: the first page's fragments
    the reveal reruns (by default those that show the pixel: the filtered grid covers it until then),
    or None for the whole page (the second page).
    """
    st.markdown(f"**Predict first.** {question.prompt}")
    widget_key = f"guess_{key}_{question.key}"
    with st.form(f"guess_form_{key}", border=False, enter_to_submit=True):
        row = st.container(horizontal=True, vertical_alignment="bottom")
        answer_input(row, "Your guess", question.choices, widget_key)
        row.form_submit_button(
            "Reveal",
            icon=":material/visibility:",
            on_click=_take_guess,
            args=(question, widget_key, sections),
        )
    if st.session_state.get(state.PROJECTOR):
        ask_the_class_button(question, key)
    problem = st.session_state.get(state.GUESS_PROBLEM)
    if problem is not None and problem[0] == question.key:
        st.warning(problem[1], icon=":material/edit_note:")


def verdict_ui(question: Question) -> None:
    """After the reveal: right or how far off, and what the guess probably mixed up, in our words."""
    result = result_of(question)
    if result is None:
        return
    box = st.success if result.right else st.error
    box(result.headline, icon=":material/check_circle:" if result.right else ":material/cancel:")
    if result.explanation and result.explanation != result.working:
        st.markdown(result.explanation)
    st.caption(f"{result.working} · Your score: {score_text()}")


def verdict_line(question: Question) -> None:
    """The reveal in one line, for a question whose answer the page then shows in full anyway."""
    result = result_of(question)
    if result is not None:
        mark = ":material/check_circle:" if result.right else ":material/cancel:"
        more = "" if result.right or result.explanation == result.working else f" {result.explanation}"
        st.caption(f"{mark} {result.headline}{more}")


def held_back(question: Question) -> bool:
    """Whether ``question``'s answer is still held back: predicting, and not answered yet."""
    return predicting(question.kind) and result_of(question) is None


def score_text() -> str:
    """The running score, kept in this session only: "4 of 5 right"."""
    return (st.session_state.get(state.SCORE) or Score()).text


def pixel_question(result: FilterResult, pixel: tuple[int, int], channel: int) -> Question:
    """Inspect a pixel's question: the sum at ``pixel``."""
    return sum_question(walk_pixel(result, *pixel, channel))


@dataclass(frozen=True)
class PoolWindowAsked:
    """Pool step by step's question: the ``index``-th of ``count`` windows, its step and question."""

    index: int
    count: int
    step: PoolStep
    question: Question


def pool_window_asked(values: np.ndarray, kind: PoolKind) -> PoolWindowAsked | None:
    """The window Pool step by step asks about (None when it asks nothing): the one asked before
    (``state.POOL_ASKED``), else the first that is not flat from the stepper's step on. Kept while
    the stepper plays, so that a step at rest does not swap the stepper for a new question."""
    rows, cols = pooled_shape(values.shape)
    if not predicting("pooled") or rows * cols == 0:
        return None
    start = st.session_state.get(state.POOL_ASKED)
    if start is None or start >= rows * cols:
        start = min(int(st.session_state[state.STEP]), rows * cols - 1)
    index, step = first_telling_window(values, kind, start)
    if st.session_state.get(state.POOL_ASKED) != index:  # the stepper starts at the window asked
        st.session_state[state.POOL_ASKED] = st.session_state[state.STEP] = index
    return PoolWindowAsked(index, rows * cols, step, pool_question(step, kind))


def held_back_in_results(
    view: str, result: FilterResult, pixel: tuple[int, int], channel: int, projector: bool = False
) -> frozenset[str]:
    """What the results row holds back while the learner predicts it: the inspected pixel's value
    (in Inspect a pixel, until its sum is guessed), the pooled values (in Pool step by step, until
    the window asked is guessed) and the sizes (until both are guessed)."""
    if not predicting():
        return frozenset()
    held = set()
    if view == VIEW_INSPECT and held_back(pixel_question(result, pixel, channel)):
        held.add(HELD_BACK_PIXEL)
    if view == VIEW_POOL and st.session_state[state.POOL_SOURCE] == "image":
        region = pooling_region(result, pixel, projector)
        asked = pool_window_asked(channel_of(result.mapped(region.slices()), channel), result.pool_kind)
        if asked is not None and held_back(asked.question):
            held.add(HELD_BACK_POOLED)
    if sizes_held_back(result):
        held.add(HELD_BACK_SIZES)
    return frozenset(held)


def sizes_held_back(result: FilterResult) -> bool:
    """Whether the filtered and pooled sizes are still being guessed (the page then does not say them)."""
    if not predicting("size"):
        return False
    return any(result_of(question) is None for question in size_questions(result.image.shape, result.padding))
