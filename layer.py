"""The second page, "A whole layer" (served by page.py's navigation at /layer).

Stride, dilation and padding, a layer of filters, two layers in a row, and a filter learnt by
gradient descent, on the image the first page shows (chosen there). Its sections are in views/layer_page.py.
"""

import streamlit as st

from views import state
from views.image_source import decode_shown, size_text
from views.layer_page import follow_first_pages_filter, init_layer_state, layer_page
from views.page_setup import page_setup
from views.reconnect import connection_watch_ui
from views.safely import run_safely
from views.text import plain


def layer_main() -> None:
    connection_watch_ui()
    state.init_state()
    init_layer_state()
    state.keep_settings(state.first_page_settings())  # the first page's choices outlive this page's runs
    state.keep_settings(state.NETWORK_SETTINGS)
    if st.session_state[state.PRESET] is None:
        state.seed_kernel(st.session_state[state.LAST_VALID_KERNEL])  # the editor shows the edits on return
    follow_first_pages_filter()
    page_setup("A whole layer · Convolution & pooling")
    st.title("A whole layer: stride, many filters, learning")
    layer_page(shown_image_ui())


def shown_image_ui():
    """The image the first page shows (chosen there: one image picker, one place to change it)."""
    chosen = decode_shown()
    bar = st.container(horizontal=True, vertical_alignment="center")
    bar.markdown(f"On **{plain(chosen.title)}**, {size_text(chosen.decoded)}.")
    bar.page_link("one_filter.py", label="Choose another image on the first page", icon=":material/image:")
    bar.toggle(
        "Projector mode",
        key=state.PROJECTOR,
        help="For a class: larger text, and the grids two a row so that their values read from the back "
        "of the room. The same switch as on the first page.",
    )
    return chosen


run_safely(layer_main)
