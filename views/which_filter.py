"""Predict first's "Which filter made this?": the image filtered by a preset the page does not name,
four presets to choose from, then the reveal (``filters.predict.filter_question_for``).

On samples and uploads alike: the picture is the image shown, filtered with the options in force.
Each "Another picture" hides another preset (``filters.predict.mystery_preset``, by round).
"""

from __future__ import annotations

import dataclasses

import streamlit as st

from filters.drawing import output_shading
from filters.lesson import beat
from filters.predict import filter_question_for, mystery_preset
from filters.presets import PRESETS
from filters.recipe import FilterRecipe
from views import state
from views.exports import decoded_later
from views.loading import filter_result
from views.predict import guess_ui, held_back, verdict_ui
from views.results import Panel, draw_grid
from views.safely import safely

WHICH_FILTER_FRAGMENT = "which_filter"
PICTURE_WIDTH_PX = 360


@st.fragment(key=WHICH_FILTER_FRAGMENT)
@safely
def which_filter_ui(recipe: FilterRecipe) -> None:
    """The mystery picture of this round, its four choices, and after the answer the reveal."""
    state.begin_section()
    st.subheader("Which filter made this?")
    game = st.session_state.get(state.WHICH_FILTER_ROUND, 0)
    lesson = st.session_state.get(state.LESSON) or 0
    mystery = beat(lesson).mystery if lesson else None  # the lesson's beat names its own
    shown = st.session_state.get(state.PRESET)  # the page's own filter, named in its preset box
    preset = PRESETS[mystery or mystery_preset(game, recipe.image.source, shown)]
    hidden = dataclasses.replace(
        recipe, kernel=FilterRecipe.kernel_key(preset.values), weight=preset.weight, pool_kind="max"
    )
    question = filter_question_for(hidden, game)
    result = filter_result(hidden, decoded_later(hidden)())
    panel = Panel(
        ("filtered", hidden),
        "Which filter?",
        result.raw.shape,
        result.mapped,
        output_shading(result.mapping),
        (),
    )
    drawn = draw_grid(panel, labelled=False, label_channel=0)
    picture, answer = st.columns([1, 1.6], gap="medium")
    picture.image(
        drawn.png,
        width=PICTURE_WIDTH_PX,
        output_format="PNG",
        caption="This image, filtered by a filter the page does not name",
        alt="The image shown above, filtered by one of the four filters offered beside it.",
    )
    with answer:
        if held_back(question):
            guess_ui(question, "which", sections=(WHICH_FILTER_FRAGMENT,))
            return
        verdict_ui(question)
        if not lesson:
            st.button("Another picture", icon=":material/refresh:", on_click=_next_round, args=(game + 1,))


def _next_round(game: int) -> None:
    st.session_state[state.WHICH_FILTER_ROUND] = game
    st.rerun([WHICH_FILTER_FRAGMENT])
