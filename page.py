"""Convolution and pooling, pixel by pixel: a Streamlit app for learning what a CNN layer does.

Run with ``streamlit run app.py`` (the launcher, which serves this page). This
file only lays out the page; each section lives in ``views/`` and every number
comes from the core in ``filters/``.
"""

import logging

import streamlit as st
from starlette.formparsers import MultiPartParser

from filters.walkthrough import STEP_VIEWS as STEP_VIEW_NAMES
from filters.walkthrough import VIEW_INSPECT, VIEW_POOL, VIEW_SLIDE, convolution_region, marks_for
from views import state
from views.explorer import convolution_explorer_ui
from views.image_source import UPLOADER_LIMIT_MB, image_source_ui
from views.inspector import inspector_ui
from views.kernel_editor import kernel_editor_ui
from views.options import options_ui
from views.results import compute_result, recipe_for, results_ui
from views.selection import selected_pixel
from views.steppers import convolution_stepper_ui, pooling_stepper_ui

INTRO = (
    "A 3 x 3 **filter** slides over the image: each pixel's 9 neighbours are multiplied by the "
    "filter values in the same positions and summed. Some filters make vertical lines pop out, "
    "others horizontal ones. **Pooling** then keeps the biggest value of every 2 x 2 block: "
    "16 pixels become 4, the image is quartered, and the features survive."
)
STEP_VIEWS = {VIEW_SLIDE: convolution_stepper_ui, VIEW_POOL: pooling_stepper_ui}
BUG_MESSAGE = (
    "Something went wrong on our side; it is a bug in the app, not something you did. It has been "
    "logged. Reload the page to start again, or try another image or setting."
)
_LOG = logging.getLogger(__name__)


def main() -> None:
    st.set_page_config(page_title="Convolution & pooling, pixel by pixel", page_icon="🔎", layout="wide")
    state.init_state()
    st.title("Convolution & pooling, pixel by pixel")
    st.markdown(INTRO)
    _warn_about_settings()
    chosen = image_source_ui()
    options = options_ui(chosen.decoded.is_colour)
    kernel = kernel_editor_ui()
    recipe = recipe_for(chosen, kernel, options, state.max_side())
    result = compute_result(chosen, recipe)
    if result is None:
        return
    pixel = selected_pixel(result)
    view = st.session_state[state.STEP_VIEW]
    results_ui(chosen, recipe, result, options, marks_for(view, result, pixel))
    st.subheader("3. Step by step")
    st.segmented_control("Step-by-step view", STEP_VIEW_NAMES, key=state.STEP_VIEW, required=True)
    if view == VIEW_INSPECT:
        region = convolution_region(result, pixel)
        convolution_explorer_ui(recipe, result, options.label_channel, region, "inspect", pixel)
        inspector_ui(result, options, pixel)
    else:
        STEP_VIEWS[view](recipe, result, options, pixel)


def _warn_about_settings() -> None:
    """Say once when sanitize() reset a setting, and warn when the page runs without its launcher."""
    reset = st.session_state.pop(state.SETTINGS_RESET, None)
    if reset:
        st.warning(
            "Some settings held values this page does not offer and were put back to their defaults.",
            icon=":material/warning:",
        )
    if MultiPartParser.spool_max_size <= UPLOADER_LIMIT_MB * 1024 * 1024:
        st.error(
            "Started without app.py: uploads could reach the disk. Start it with `streamlit run app.py`."
        )


try:
    main()
except Exception:  # our bug: log it with its traceback, tell the visitor in plain words
    _LOG.exception("The page failed")
    st.error(BUG_MESSAGE, icon=":material/error:")
