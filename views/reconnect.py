"""A page that outlives its server session: after a restart it is drawn again, and a lost upload is named.

Streamlit's page reconnects by itself when the server comes back, but to a new, empty
session that runs nothing until the visitor's next click. ``connection_watch_ui`` mounts a
small browser component that sends one rerun as soon as the page is connected again, so the
new session draws the page from its link (``views.link``) without waiting for a click.

Uploads live only in the server's memory, so a restart loses them. Two signs say so in the
new session: its first run was sent by the watcher (a page that was already open, not a link
just opened) while the link said an upload was shown, or the upload box still names a file
the server does not hold (Streamlit's ``DeletedFile``: the file was uploaded to the old
server, or its upload broke off when the connection dropped). Either way
``lost_upload_notice`` asks for it again.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.runtime.uploaded_file_manager import DeletedFile

from views import state

CONNECTION_WATCH = st.components.v2.component(
    "connection_watch", js=(Path(__file__).resolve().parent / "components" / "connection.js").read_text()
)
LOST_UPLOAD_MESSAGE = (
    "Your image was lost: the server restarted or the upload broke off. Images are kept only in "
    "the server's memory, never saved; please upload it again."
)


def connection_watch_ui() -> bool:
    """Mount the browser component that reruns the page once it is connected again (it draws nothing).

    True in the first run of a session that the component started: a page that was already
    open reconnected to a server that no longer knew it (restarted), so the link rebuilds the
    view. Mounted before anything reads the link, so that its trigger is known in time.
    """
    result = CONNECTION_WATCH(key="connection_watch", on_reconnected_change=lambda: None)
    return result.reconnected is not None and state.LINK_WRITTEN not in st.session_state


def upload_was_lost() -> bool:
    """The upload box names a file this server does not hold (read after the box is drawn)."""
    return isinstance(st.session_state.get(state.UPLOADER), DeletedFile)


def lost_upload_notice() -> None:
    """Ask for the upload again when it was lost (a restart, or an upload cut off mid-way)."""
    if st.session_state.pop(state.UPLOAD_LOST, False) or upload_was_lost():
        st.warning(LOST_UPLOAD_MESSAGE, icon=":material/cloud_off:")
