"""Convolution and pooling, pixel by pixel: a Streamlit app for learning what a CNN layer does.

Run with ``streamlit run app.py`` (the launcher, which serves this file). It is the app's
navigation: the first page, ``one_filter.py`` (the lecture's filter and pooling, pixel by pixel),
the second, ``layer.py`` (a whole layer: stride, many filters, learning), at /layer, and the
students' page of a live class question, ``class_room.py``, at /class.
"""

import streamlit as st

from filters.presets import PRESETS
from filters.walkthrough import VIEW_SLIDE
from views import state

# No icons: material icons in the navigation are fetched from fonts.gstatic.com, and emoji are
# empty boxes where the machine has no emoji font (Debian's Chromium without fonts-noto-color-emoji).
ONE_FILTER = st.Page("one_filter.py", title="One filter", default=True)
A_LAYER = st.Page("layer.py", title="A whole layer", url_path="layer")
CLASS_QUESTION = st.Page("class_room.py", title="Class question", url_path="class")


def open_on_first_page(preset: str) -> None:
    """A layer's "Step through it": that filter in the first page's sliding stepper, at its first step."""
    state.keep_settings(state.LAYER_SETTINGS)  # this run draws no widget: keep the second page's
    if preset in PRESETS:  # else the first page's own filter, already in force there
        state.seed_kernel_from_preset(preset)
    st.session_state[state.STEP_VIEW] = VIEW_SLIDE
    st.session_state[state.STEP] = 0
    st.session_state[state.REVEAL] = True
    st.switch_page(ONE_FILTER)


chosen_page = st.navigation([ONE_FILTER, A_LAYER, CLASS_QUESTION], position="top")
preset_to_open = st.session_state.pop(state.OPEN_ON_FIRST_PAGE, None)
if preset_to_open is not None:
    open_on_first_page(preset_to_open)
st.session_state[state.PAGE_PATH] = chosen_page.url_path  # a class room's link is the app's, not this page's
chosen_page.run()
