"""A view opened with a button scrolls into sight when it starts below what the screen shows.

The explorer does this itself; views drawn with Streamlit's own elements (the edges view)
put this small browser component just above them.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from views import state

REVEAL = st.components.v2.component(
    "reveal_view", js=(Path(__file__).resolve().parent / "components" / "reveal.js").read_text()
)


def reveal_ui(view: str, height_px: int) -> None:
    """Scroll here if the user just opened ``view`` and fewer than ``height_px`` of it would show."""
    reveal = bool(st.session_state.pop(state.REVEAL, False))
    REVEAL(
        key=f"reveal_{view}",
        data={
            "reveal": reveal,
            "key": f"{view}/{st.session_state.get(state.SHOWN_IMAGE)}",
            "height": height_px,
        },
    )
