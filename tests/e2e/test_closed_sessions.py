"""A closed page's session is shut down once ``server.disconnectedSessionTTL`` has passed, even when
nobody else comes (server/sessions.py): its upload and pictures leave the server's memory.

Streamlit 1.67 on its own forgets such a session without shutting it down, so its uploaded file and
its pictures stayed in memory for good (issue 21's soak: 7-10 MB per visit). A shut-down session's
pictures are no longer served, which is what these tests watch from outside, as a browser would.
"""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
import requests
from PIL import Image

from tests.e2e.protocol import Session
from tests.e2e.server import AppServer

pytestmark = pytest.mark.e2e
TTL_S = 2


@pytest.fixture(scope="module")
def short_lived_server():
    server = AppServer(options=("--server.disconnectedSessionTTL", str(TTL_S)))
    yield server
    server.stop()


def _photo(seed: int) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 256, (60, 80, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def _status(server: AppServer, url: str) -> int:
    return requests.get(server.url + url, timeout=10).status_code


def _wait_for(check, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.25)
    return check()


def test_a_closed_session_is_freed_after_its_ttl_while_the_server_is_idle(short_lived_server):
    session = Session(short_lived_server.url)
    with session:
        session.run()
        session.upload("uploader", "mine.png", _photo(1), "image/png")
        assert r"Showing **mine\.png**, 80 x 60 pixels." in session.texts()
        pictures = session.media_urls()
        assert pictures and all(_status(short_lived_server, url) == 200 for url in pictures)
    # Nobody else visits: only the server's own sweep can shut the session down (TTL + one sweep).
    assert _wait_for(lambda: all(_status(short_lived_server, url) == 404 for url in pictures), 6 * TTL_S), (
        "the closed session's pictures are still served: it was never shut down"
    )


def test_an_open_session_keeps_its_pictures_past_the_ttl(short_lived_server):
    with Session(short_lived_server.url) as session:
        session.run()
        session.upload("uploader", "kept.png", _photo(2), "image/png")
        pictures = session.media_urls()
        time.sleep(3 * TTL_S)
        assert all(_status(short_lived_server, url) == 200 for url in pictures)
        session.set_widget("padding", "same")  # and the page goes on with its upload
        assert r"Showing **kept\.png**, 80 x 60 pixels." in session.texts()
