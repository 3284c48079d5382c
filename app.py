"""Convolution and pooling, pixel by pixel: a Streamlit app for learning what a CNN layer does.

Run with ``streamlit run app.py``. This file only lays out the page; each
section lives in ``views/`` and every number comes from the core in ``filters/``.
"""

import streamlit as st

from views import state
from views.image_source import image_source_ui
from views.inspector import inspector_ui
from views.kernel_editor import kernel_editor_ui
from views.options import options_ui
from views.results import compute_result, results_ui
from views.selection import marks_for, selected_pixel
from views.server import configure_server
from views.steppers import convolution_stepper_ui, pooling_stepper_ui

INTRO = (
    "A 3 x 3 **filter** slides over the image: each pixel's 9 neighbours are multiplied by the "
    "filter values in the same positions and summed. Some filters make vertical lines pop out, "
    "others horizontal ones. **Pooling** then keeps the biggest value of every 2 x 2 block: "
    "16 pixels become 4, the image is quartered, and the features survive."
)
STEP_VIEWS = {
    state.VIEW_INSPECT: inspector_ui,
    state.VIEW_SLIDE: convolution_stepper_ui,
    state.VIEW_POOL: pooling_stepper_ui,
}


def main() -> None:
    st.set_page_config(page_title="Convolution & pooling, pixel by pixel", page_icon="🔎", layout="wide")
    configure_server()
    state.init_state()
    st.title("Convolution & pooling, pixel by pixel")
    st.markdown(INTRO)
    chosen = image_source_ui()
    options = options_ui(chosen.decoded.is_colour)
    kernel = kernel_editor_ui()
    result = compute_result(chosen, kernel, options)
    if result is None:
        return
    pixel = selected_pixel(result)
    view = st.session_state[state.STEP_VIEW]
    results_ui(chosen, result, options, marks_for(view, result, pixel))
    st.subheader("3. Step by step")
    st.segmented_control("Step-by-step view", state.STEP_VIEWS, key=state.STEP_VIEW, required=True)
    STEP_VIEWS[view](result, options, pixel)


main()
