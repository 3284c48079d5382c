"""Start the visualizer: ``streamlit run app.py``.

Streamlit finds the ``app`` defined here and serves the page (``page.py``) through it. This
module is imported once, when the server starts and before it answers any request, so it is
where the rules of the whole server process go (``server/``); the pages and their views change
nothing outside themselves.
"""

import functools

import streamlit as st
from starlette.middleware import Middleware

from server.headers import SecurityHeaders
from server.logs import bound_log_lines
from server.sessions import sweeping_sessions
from server.uploads import keep_uploads_in_memory
from server.widget_states import install as check_widget_states
from views.image_source import UPLOADER_LIMIT_MB
from views.loading import release_unheld
from views.state import SETTINGS_RESET, offered

bound_log_lines()
keep_uploads_in_memory(UPLOADER_LIMIT_MB)
check_widget_states(offered, notice_key=SETTINGS_RESET)
app = st.App(
    "page.py",
    lifespan=functools.partial(sweeping_sessions, release=release_unheld),
    middleware=[Middleware(SecurityHeaders)],
)
