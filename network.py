"""The third page, "A trained network" (served by page.py's navigation at /network).

The course lab's small CNN (8 filters of 3 x 3, ReLU, 2 x 2 max pooling, a dense softmax), trained on
720 Fashion-MNIST items by the app's own code: an item through it, what its filters and pooling keep,
and how it learnt. Its sections are in views/network_page.py, its arithmetic in filters/network.py.
"""

import streamlit as st

from views import state
from views.network_page import init_network_state, network_page
from views.page_setup import page_setup
from views.reconnect import connection_watch_ui
from views.safely import run_safely


def network_main() -> None:
    connection_watch_ui()
    state.init_state()
    init_network_state()
    state.keep_settings(state.first_page_settings())  # the first page's choices outlive this page's runs
    state.keep_settings(state.LAYER_SETTINGS)
    page_setup("A trained network · Convolution & pooling")
    bar = st.container(horizontal=True, vertical_alignment="center")
    bar.title("A trained network: does it tell a boot from a bag?")
    bar.toggle("Projector mode", key=state.PROJECTOR, help="For a class: larger text. The same switch as on "
               "the first page.")  # fmt: skip
    network_page()


run_safely(network_main)
