"""The guided lesson on the first page: one click from the first view ("Lesson"), then the lecture's
beats (``filters.lesson``) above the page's own live views, with Back / Next and a clicker's
Page Up / Page Down. The beat shown is kept in the link (``?lesson=3`` opens beat 3).
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from filters.lesson import BEATS, beat
from filters.link import read_link
from filters.predict import pixel_count_question
from filters.recipe import FilterRecipe
from views import state
from views.link import CHOICES, apply_link
from views.predict import guess_ui, held_back, verdict_ui
from views.which_filter import which_filter_ui


def lesson_button(bar: DeltaGenerator) -> None:
    """The way into the lesson, in the page's top bar."""
    if not st.session_state[state.LESSON]:
        bar.button("Lesson", icon=":material/menu_book:", on_click=go_to_beat, args=(1,))


def go_to_beat(number: int) -> None:
    """Show beat ``number``: its settings in force (the page's mode kept), its question unanswered
    or answered as before, its view at its first step; 0 leaves the lesson as it stands."""
    if number:
        projector = st.session_state[state.PROJECTOR]
        apply_link(read_link(beat(number).link, CHOICES))
        st.session_state[state.PROJECTOR] = projector
        st.session_state[state.REVEAL] = True
    st.session_state[state.LESSON] = number


def lesson_ui(recipe: FilterRecipe, image_shape: tuple[int, ...]) -> None:
    """The beat shown: where it is in the lesson, its words, Back / Next, and its question when no
    view below asks it (the count of numbers, which filter made a picture)."""
    number = st.session_state[state.LESSON]
    if not number:
        return
    shown = beat(number)
    with st.container(border=True, key="lesson"):
        st.markdown(f"**Lesson · {number} of {len(BEATS)}: {shown.title}**")
        st.markdown(shown.words)
        if shown.asks == "pixel_count":
            question = pixel_count_question(image_shape)
            if held_back(question):
                guess_ui(question, "lesson", sections=None)
            else:
                verdict_ui(question)
        # A stepper takes Page Up / Page Down itself (a clicker steps it): there Back and Next are clicked.
        keys = shown.asks != "pooled"
        buttons = st.container(horizontal=True)
        buttons.button(
            "Back",
            icon=":material/arrow_back:",
            on_click=go_to_beat,
            args=(number - 1,),
            disabled=number == 1,
            shortcut="PageUp" if keys else None,
        )
        if number < len(BEATS):
            buttons.button(
                "Next",
                icon=":material/arrow_forward:",
                on_click=go_to_beat,
                args=(number + 1,),
                type="primary",
                shortcut="PageDown" if keys else None,
            )
        buttons.button("Leave the lesson", icon=":material/close:", on_click=go_to_beat, args=(0,))
    if shown.asks == "which_filter":
        which_filter_ui(recipe)
