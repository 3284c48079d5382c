"""What every page sets first: its title and layout, and the app's style sheet (with projector mode's
on top when it is on). One place for both pages, so that projector mode looks the same on each."""

from __future__ import annotations

import streamlit as st

from views import state

PAGE_CSS = (state.VIEWS_DIR / "page.css").read_text()
PROJECTOR_CSS = (state.VIEWS_DIR / "projector.css").read_text()


def page_setup(title: str) -> bool:
    """Set the page's title, wide layout and styles; return whether projector mode is on (its sidebar
    starts folded)."""
    projector = bool(st.session_state.get(state.PROJECTOR, False))  # the class page has no options
    st.set_page_config(
        page_title=title,
        page_icon="🔎",
        layout="wide",
        initial_sidebar_state="collapsed" if projector else "auto",
    )
    st.html(f"<style>{PAGE_CSS}{PROJECTOR_CSS if projector else ''}</style>")
    return projector
