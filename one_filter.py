"""The first page, "One filter": the lecture's filter and pooling, pixel by pixel.

Served by ``page.py``'s navigation. This file only lays out the page; each section lives in
``views/`` and every number comes from the core in ``filters/``.
"""

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from filters.link import LECTURE_LINK, read_link
from filters.pipeline import FilterResult
from filters.recipe import FilterRecipe
from filters.walkthrough import STEP_VIEWS as STEP_VIEW_NAMES
from filters.walkthrough import (
    VIEW_EDGES,
    VIEW_INSPECT,
    VIEW_POOL,
    VIEW_SLIDE,
    convolution_region,
    marks_for,
    walk_pixel,
)
from server.uploads import uploads_kept_in_memory
from views import state
from views.class_room import class_room_ui
from views.edges import edges_ui
from views.explorer import convolution_explorer_ui
from views.exports import decoded_later, result_later, take_away_ui
from views.image_source import UPLOADER_LIMIT_MB, ChosenImage, image_source_ui, size_text
from views.inspector import inspector_ui, pixel_question_ui
from views.kernel_editor import kernel_editor_ui
from views.lesson import lesson_button, lesson_ui
from views.link import CHOICES, apply_link, follow_link, link_notice, share_link_ui, update_link
from views.options import Options, options_ui
from views.page_setup import page_setup
from views.predict import held_back, held_back_in_results, pixel_question, predicting, score_text, verdict_ui
from views.reconnect import connection_watch_ui
from views.results import FirstScreen, compute_result, first_screen_places, recipe_for, results_ui
from views.safely import run_safely, safely
from views.selection import selected_pixel
from views.steppers import convolution_stepper_ui, pooling_stepper_ui
from views.text import plain
from views.which_filter import which_filter_ui

INTRO = (
    "A 3 x 3 **filter** multiplies each pixel's 9 neighbours by its values and sums them; "
    "**pooling** keeps the biggest of every 2 x 2 block."
)
STEP_VIEWS = {VIEW_SLIDE: convolution_stepper_ui, VIEW_POOL: pooling_stepper_ui}


def main() -> None:
    reopened = connection_watch_ui()  # first: its trigger says whether a page reconnected
    state.init_state()
    follow_link(reopened)
    projector = page_setup("Convolution & pooling, pixel by pixel")
    share_place = top_bar_ui(projector)
    link_notice()
    _warn_about_settings()
    lesson_place = st.container()
    first_screen = None
    if projector:  # the step-by-step view first; the results and the filter follow it
        image_place = st.container()
        stage, results_section = st.container(), st.container()
        filter_place = pad_place = st.container()
        filter_place.subheader("The filter")
    else:  # the pictures and the filter first, on every screen; the controls follow them
        first_screen = first_screen_places()
        pad_place = first_screen.filter
        results_section = st.container()
        st.subheader("Change the image or the filter")
        image_place, filter_place = st.columns([1.1, 2.2], gap="medium")
        stage = st.container()
    chosen = image_source_ui(image_place)
    options = options_ui(chosen.decoded.is_colour)
    kernel = kernel_editor_ui(filter_place, pad_place)
    recipe = recipe_for(chosen, kernel, options, state.max_side())
    with results_section:
        result = compute_result(chosen, recipe, first_screen)
    if result is None:
        with share_place:
            share_ui(None)
        return
    note = f"{plain(chosen.title)}: {size_text(chosen.decoded)}." if chosen.decoded.downscaled else None
    with lesson_place:
        lesson_ui(recipe, result.image.shape)
    with results_section:
        results_section_ui(chosen.title, note, recipe, options, projector, first_screen)
        take_away_ui(chosen.title, recipe, options.label_channel)
    with stage:
        if projector:
            class_room_ui()
        stage_ui(chosen.title, recipe, options, projector)
        if predicting("which_filter") and not st.session_state[state.LESSON]:  # else in the lesson's beat
            which_filter_ui(recipe)
    with share_place:
        share_ui(recipe)


@st.fragment(key=state.RESULTS_FRAGMENT)
@safely
def results_section_ui(
    title: str,
    note: str | None,
    recipe: FilterRecipe,
    options: Options,
    projector: bool,
    first_screen: FirstScreen | None,
) -> None:
    """The three grids, outlined where the step-by-step view looks: rerun alone when the pixel or
    the view changes (``state.rerun_pixel_sections``). Given small things only (a fragment keeps its
    arguments for the session): the result comes from the caches by its recipe."""
    state.begin_section()
    result = result_later(recipe)()
    pixel = selected_pixel(result)
    view = st.session_state[state.STEP_VIEW]
    marks = marks_for(view, result, pixel, projector)
    held = held_back_in_results(view, result, pixel, options.label_channel, projector)
    results_ui(title, note, recipe, result, options, marks, pixel, first_screen, held)


@st.fragment(key=state.STAGE_FRAGMENT)
@safely
def stage_ui(title: str, recipe: FilterRecipe, options: Options, projector: bool) -> None:
    """The step-by-step view and its controls, rerun alone when they change (with the sections that
    show the same pixel and view, and the link: ``state.rerun_pixel_sections``)."""
    state.begin_section()
    result = result_later(recipe)()
    pixel = selected_pixel(result)
    view = st.session_state[state.STEP_VIEW]
    if not projector:
        st.subheader("Step by step")
    st.segmented_control(
        "Step-by-step view",
        STEP_VIEW_NAMES,
        key=state.STEP_VIEW,
        required=True,
        on_change=_start_over,
        label_visibility="collapsed" if projector else "visible",
    )
    if view == VIEW_INSPECT:
        inspect_ui(recipe, result, options, pixel, projector)
    elif view == VIEW_EDGES:
        edges_ui(ChosenImage(recipe.image.source, title, decoded_later(recipe)()), options, state.max_side())
    else:
        STEP_VIEWS[view](recipe, result, options, pixel)
    st.session_state.pop(state.REVEAL, None)


def inspect_ui(
    recipe: FilterRecipe, result: FilterResult, options: Options, pixel: tuple[int, int], projector: bool
) -> None:
    """Inspect a pixel: the explorer and, at a desk, the picker and the walkthrough; while predicting,
    the pixel's sum is asked first (the projector shows the question without the picker)."""
    asking = predicting("pixel_sum")  # else no question is made: this view reruns on every pixel moved
    question = pixel_question(result, pixel, options.label_channel) if asking else None
    if question is not None and held_back(question):
        if projector:
            pixel_question_ui(
                result, walk_pixel(result, *pixel, options.label_channel), question, options.label_channel
            )
        else:
            inspector_ui(result, options, pixel, question)
        return
    if question is not None:
        verdict_ui(question)
    region = convolution_region(result, pixel, projector)
    convolution_explorer_ui(recipe, result, options.label_channel, region, "inspect", pixel)
    if not projector:  # the explorer explains the same pixel; the picker is for a desk
        inspector_ui(result, options, pixel)


@st.fragment(key=state.SHARE_FRAGMENT)
@safely
def share_ui(recipe: FilterRecipe | None) -> None:
    """Write the settings in force into the page's link, and offer it: in the top bar, rerun with the
    sections whose settings (pixel, view, step) it holds. ``recipe`` is None when nothing is filtered."""
    state.begin_section()
    update_link(result_later(recipe)().strongest if recipe is not None else None)
    if predicting():
        st.caption(f"Score: {score_text()}")
    share_link_ui()


def _start_over() -> None:
    """Another step-by-step view starts at its first step, in sight (its outlines with it)."""
    st.session_state[state.STEP] = 0
    st.session_state.pop(state.POOL_ASKED, None)
    st.session_state[state.REVEAL] = True
    state.rerun_pixel_sections()


def _open_lecture() -> None:
    """The lecture's first beat, in the mode the page is in (projector or not)."""
    projector = st.session_state[state.PROJECTOR]
    apply_link(read_link(LECTURE_LINK, CHOICES))
    st.session_state[state.PROJECTOR] = projector
    st.session_state[state.REVEAL] = True


def top_bar_ui(projector: bool) -> DeltaGenerator:
    """The title, the lecture's example one click away, projector mode, and the place of the link
    to this view (returned: it is drawn once the run has written the link)."""
    st.title("Convolution & pooling, pixel by pixel")
    bar = st.container(horizontal=True, vertical_alignment="center", gap="medium")
    bar.button(
        "The lecture's example",
        icon=":material/school:",
        on_click=_open_lecture,
    )  # no tooltip: one would stay over the bar after the click, under the pointer
    bar.toggle(
        "Projector mode",
        key=state.PROJECTOR,
        help="For a class: the step-by-step view first, numbers large enough to read from the back "
        "of the room. Kept in the page's link.",
    )
    lesson_button(bar)
    bar.toggle(
        "Predict first",
        key=state.PREDICT,
        help="The step-by-step views ask for your guess (a pixel's sum, a pooled value, the sizes, which "
        "filter) before they show the answer. Kept in the page's link; the score stays in this tab.",
    )
    bar.page_link("layer.py", label="Next: a whole layer", icon=":material/arrow_forward:")
    share_place = bar.container(width="content")
    if not projector:
        st.markdown(INTRO)
    return share_place


def _warn_about_settings() -> None:
    """Say once when sanitize() reset a setting, and warn when the page runs without its launcher."""
    reset = st.session_state.pop(state.SETTINGS_RESET, None)
    if reset:
        st.warning(
            "Some settings held values this page does not offer and were put back to their defaults.",
            icon=":material/warning:",
        )
    if not uploads_kept_in_memory(UPLOADER_LIMIT_MB):
        st.error(
            "Started without app.py: uploads could reach the disk. Start it with `streamlit run app.py`."
        )


state.keep_settings(state.LAYER_SETTINGS)  # the second page's choices outlive this page's runs
state.keep_settings(state.NETWORK_SETTINGS)  # and the third page's
run_safely(main)
