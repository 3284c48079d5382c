"""Start the visualizer: ``streamlit run app.py``.

Streamlit finds the ``app`` defined here and serves the page (``page.py``)
through it. This module is imported once, when the server starts and before it
answers any request, so it is where settings of the whole server process go;
the page and its views change nothing outside themselves.
"""

import streamlit as st
from starlette.formparsers import MultiPartParser

from views.image_source import UPLOADER_LIMIT_MB

SPOOL_LIMIT_BYTES = (UPLOADER_LIMIT_MB + 1) * 1024 * 1024


def keep_uploads_in_memory() -> None:
    """Never let an upload touch the disk.

    Streamlit's upload route parses the form with Starlette, which holds 1 MB of
    a file in memory and spools the rest to a temporary file. Streamlit refuses
    files over its limit before parsing, so raising the threshold above that
    limit keeps every upload in memory.
    """
    MultiPartParser.spool_max_size = max(MultiPartParser.spool_max_size, SPOOL_LIMIT_BYTES)


keep_uploads_in_memory()
app = st.App("page.py")
