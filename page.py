"""Convolution and pooling, pixel by pixel: a Streamlit app for learning what a CNN layer does.

Run with ``streamlit run app.py`` (the launcher, which serves this file). It is the app's
navigation: the first page, ``one_filter.py`` (the lecture's filter and pooling, pixel by pixel),
the second, ``layer.py`` (a whole layer: stride, many filters, learning), at /layer, the third,
``network.py`` (a trained network on Fashion-MNIST), at /network, and the students' page of a live
class question, ``class_room.py``, at /class.
"""

import streamlit as st

from filters.kernel import format_weight
from filters.network import INPUT_SCALE
from filters.presets import PRESETS
from filters.walkthrough import VIEW_INSPECT, VIEW_SLIDE
from views import state
from views.image_source import show_file

# No icons: material icons in the navigation are fetched from fonts.gstatic.com, and emoji are
# empty boxes where the machine has no emoji font (Debian's Chromium without fonts-noto-color-emoji).
ONE_FILTER = st.Page("one_filter.py", title="One filter", default=True)
A_LAYER = st.Page("layer.py", title="A whole layer", url_path="layer")
A_NETWORK = st.Page("network.py", title="A trained network", url_path="network")
CLASS_QUESTION = st.Page("class_room.py", title="Class question", url_path="class")


def open_on_first_page(chosen: str | state.FirstPageFilter) -> None:
    """A layer's or the network's "Step through it": that filter on the first page.

    A layer's preset opens in the sliding stepper at its first step. A learnt filter opens as the network
    uses it: weight 1/255, no padding, max pooling, the raw sums (before the bias and ReLU), on the item it
    was shown on, in the inspector at the pixel the network's page explains.
    """
    state.keep_settings(state.LAYER_SETTINGS)  # this run draws no widget: keep the other pages'
    state.keep_settings(state.NETWORK_SETTINGS)
    if isinstance(chosen, state.FirstPageFilter):
        show_file(chosen.name, chosen.png)
        st.session_state[state.PRESET] = None
        st.session_state[state.WEIGHT_TEXT] = format_weight(INPUT_SCALE)
        st.session_state[state.LAST_VALID_WEIGHT] = INPUT_SCALE
        st.session_state[state.PADDING] = "valid"
        st.session_state[state.POOL_KIND] = "max"
        st.session_state[state.MAPPING] = "signed"
        state.seed_kernel(chosen.kernel)
        st.session_state[state.STEP_VIEW] = VIEW_INSPECT
        st.session_state[state.LINKED_PIXEL] = chosen.pixel  # taken once the item's size is known
    else:
        if chosen in PRESETS:  # else the first page's own filter, already in force there
            state.seed_kernel_from_preset(chosen)
        st.session_state[state.STEP_VIEW] = VIEW_SLIDE
        st.session_state[state.STEP] = 0
    st.session_state[state.REVEAL] = True
    st.switch_page(ONE_FILTER)


chosen_page = st.navigation([ONE_FILTER, A_LAYER, A_NETWORK, CLASS_QUESTION], position="top")
preset_to_open = st.session_state.pop(state.OPEN_ON_FIRST_PAGE, None)
if preset_to_open is not None:
    open_on_first_page(preset_to_open)
st.session_state[state.PAGE_PATH] = chosen_page.url_path  # a class room's link is the app's, not this page's
chosen_page.run()
