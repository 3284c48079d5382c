"""A raw client (tests/e2e/protocol.py) sends what no widget of the page can send.

A browser only ever sends the values its widgets offer; anyone can open the websocket and send
others. The server must stay up, the page must put such values back (saying so once), and nothing
about the server (paths, tracebacks) may reach the client. The values fall in three kinds:

- values of the right type the page does not offer: Streamlit hands them to the script, and
  ``views/state.sanitize()`` puts them back to their defaults with a notice;
- values Streamlit's own widget code already maps to the default or to the last value (an option
  label no select slider or segmented control has, a click that is not a click): nothing to say;
- values of a field type the widget never uses (an int for a select slider, NaN for a whole-number
  input): Streamlit 1.67 itself fails on them; marked xfail (strict) with what happens.

Also: an upload made before the first script run has finished is never written to disk.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
from pathlib import Path

import numpy as np
import psutil
import pytest
from PIL import Image
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from filters.presets import PRESETS
from tests.e2e.protocol import Session
from tests.e2e.server import AppServer

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
NOTICE = "Some settings held values this page does not offer and were put back to their defaults."
BUG_MESSAGE = "Something went wrong on our side"
DEFAULT_IMAGE = ("Showing **Ankle boot 1**, 28 x 28 pixels.", "Original · 28 x 28")
LEAK_MARKERS = ("Traceback", 'File "', "site-packages", str(ROOT.parent))
DATA_URL = re.compile(rb"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+")
STRING_CLICK = {"x": "12", "y": "x", "width": "wide", "height": "", "unix_time": "now"}
WRITE_SLACK = 64 * 1024
"""Bytes the server may write while watched: its own log lines (as in test_reliability.py)."""


# ---- Checks ---------------------------------------------------------------------------------------


def leaks(session: Session) -> list[str]:
    """Markers of server paths or tracebacks in anything the server sent to ``session``.

    Two things are left out: pictures inside data: URLs (random base64 can spell "/work"), and the
    ``main_script_path`` of ``new_session``, where Streamlit itself sends every client the script's
    absolute path (the browser does not show it; the app cannot turn it off).
    """
    found = []
    for frame in session.received:
        message = ForwardMsg.FromString(frame)
        if message.WhichOneof("type") == "new_session":
            message.new_session.ClearField("main_script_path")
            frame = message.SerializeToString()
        text = DATA_URL.sub(b"", frame)
        found += [marker for marker in LEAK_MARKERS if marker.encode() in text]
    return found


def assert_safe(session: Session, server: AppServer) -> None:
    """The server is up, the page shows no error box and no traceback, its pictures load, nothing leaked."""
    assert server.process.poll() is None and server.healthy(), "the server is down"
    assert session.exceptions() == [], f"Streamlit's error box: {session.exceptions()}"
    assert leaks(session) == [], f"server details sent to the client: {leaks(session)}"
    assert session.fetch_media(), "the page shows no picture"


def assert_default_page(session: Session) -> None:
    texts = session.texts()
    assert not [text for text in texts if BUG_MESSAGE in text], "the page shows the app's bug message"
    for expected in DEFAULT_IMAGE:
        assert expected in texts, f"{expected!r} is not on the page"


def forge(server: AppServer, steps: list[tuple[str, object]]) -> Session:
    """A fresh session that loads the page and then sets each (widget key, value) in turn."""
    session = Session(server.url)
    session.connect()
    session.run()
    for key, value in steps:
        session.set_widget(key, value)
    return session


# ---- 1. Values the page does not offer ------------------------------------------------------------

PUT_BACK = {
    "sample path out of the folder": [("sample_key", "../../../../etc/passwd")],
    "sample path to the app": [("sample_key", "fashion/../../app.py")],
    "padding 'full'": [("padding", "full")],
    "mapping 'exec'": [("mapping", "exec")],
    "step view cleared": [("step_view", None)],
    "step view deselected": [("step_view", [])],
}


@pytest.mark.parametrize("steps", PUT_BACK.values(), ids=PUT_BACK.keys())
def test_a_value_the_page_does_not_offer_is_put_back_with_a_notice(app_server, steps):
    with forge(app_server, steps) as session:
        assert_safe(session, app_server)
        assert NOTICE in session.texts()
        assert_default_page(session)
        session.set_widget("layout", "One below the other")  # the notice is said once
        assert NOTICE not in session.texts()
        assert_default_page(session)


FORGED_EDITS = {
    "eight values": {"edit": {"values": [1] * 8, "id": 1}},
    "text values": {"edit": {"values": ["rm -rf /"] * 9, "id": 2}},
    "too large": {"edit": {"values": [1e7] * 9, "id": 3}},
    "not a list": {"edit": {"values": {"a": 1}, "id": 4}},
    "no edit": {"edit": "values"},
    "nested lists": {"edit": {"values": [[1, 2, 3]] * 3, "id": 5}},
}


@pytest.mark.parametrize("state", FORGED_EDITS.values(), ids=FORGED_EDITS.keys())
def test_a_forged_filter_pad_edit_keeps_the_filter_in_force(app_server, state):
    with forge(app_server, [("filter_pad", state)]) as session:
        assert_safe(session, app_server)
        assert_default_page(session)
        pad = next(
            proto
            for kind, proto in session.elements()
            if getattr(proto, "component_name", "") == "convolution_filter_pad"
        )
        assert json.loads(pad.json)["values"] == PRESETS["vertical_edges"].values.ravel().tolist()


ALREADY_MAPPED = {
    "unknown step view": [("step_view", ["unknown"])],
    "working size '0'": [("working_size", ["0"])],
    "working size '0 px'": [("working_size", ["0 px"])],
    "click with strings": [("pick_output", {"click": STRING_CLICK})],
    "click that is a list": [("pick_output", {"click": {"x": [1, 2], "y": None, "width": {}, "height": 0}})],
    "click far off the picture": [("pick_output", {"click": {"x": 1e308, "y": 1, "width": 1, "height": 1}})],
}


@pytest.mark.parametrize("steps", ALREADY_MAPPED.values(), ids=ALREADY_MAPPED.keys())
def test_a_value_streamlit_maps_to_an_offered_one_leaves_the_page_working(app_server, steps):
    with forge(app_server, steps) as session:
        assert_safe(session, app_server)
        assert_default_page(session)
        heading = [text for text in session.texts() if "Output pixel" in text or "Step 1 of" in text]
        assert heading, "the step-by-step section is missing"


# ---- 2. Field types no widget uses: Streamlit 1.67 fails on them ----------------------------------

WRONG_TYPE = {
    "working size as an int": [("working_size", 0)],
    "pixel row NaN": [("inspect_row", float("nan"))],
}


@pytest.mark.parametrize("steps", WRONG_TYPE.values(), ids=WRONG_TYPE.keys())
def test_a_value_of_the_wrong_type_never_leaks_and_leaves_other_sessions_alone(app_server, steps):
    with Session(app_server.url) as other, forge(app_server, steps) as session:
        other.run()
        assert app_server.healthy()
        assert leaks(session) == [], f"server details sent to the client: {leaks(session)}"
        other.set_widget("padding", "same")
        assert_safe(other, app_server)
        assert_default_page(other)


@pytest.mark.xfail(
    strict=True,
    reason="Streamlit 1.67: an int/double/string WidgetState for a select_slider makes "
    "SessionState.get_serialized raise TypeError inside st.select_slider (the page shows the app's "
    "bug message); NaN for an integer st.number_input makes NumberInputSerde.deserialize raise "
    "ValueError before the script runs (Streamlit's error box, on every later run of the session)",
)
@pytest.mark.parametrize("steps", WRONG_TYPE.values(), ids=WRONG_TYPE.keys())
def test_a_value_of_the_wrong_type_is_put_back(app_server, steps):
    with forge(app_server, steps) as session:
        assert_safe(session, app_server)
        assert_default_page(session)


def test_the_page_recovers_after_a_failed_run(app_server):
    # Streamlit drops the state of widgets a failed run did not draw; the page gives it back.
    with forge(app_server, [("working_size", ["0"]), ("working_size", 0)]) as session:
        assert [text for text in session.texts() if BUG_MESSAGE in text], "the run did not fail"
        session.set_widget("layout", "One below the other")
        assert_safe(session, app_server)
        assert_default_page(session)
        assert not [text for text in session.texts() if "weight is empty" in text]


# ---- 3. An upload before the first run has finished stays in memory -------------------------------


def disk_backed(path: str) -> bool:
    """False when ``path`` is on tmpfs or ramfs, where write_bytes counts nothing."""
    path, mount, kind = os.path.realpath(path), "", ""
    for partition in psutil.disk_partitions(all=True):
        point = partition.mountpoint.rstrip("/") + "/"
        if (path + "/").startswith(point) and len(point) > len(mount):
            mount, kind = point, partition.fstype
    return kind not in ("tmpfs", "ramfs")


def written(server: AppServer) -> int:
    """Bytes the server process and its children have sent to storage (/proc/<pid>/io write_bytes)."""
    process = psutil.Process(server.process.pid)
    return sum(member.io_counters().write_bytes for member in [process, *process.children(recursive=True)])


def four_mb_jpeg() -> bytes:
    """A 3000 x 2250 JPEG of gradients and noise, about 4 MB: Starlette would spool it past 1 MB."""
    rng = np.random.default_rng(4)
    rows, cols = np.mgrid[0:2250, 0:3000].astype(np.float32)
    base = np.stack([rows / 8, cols / 10, (rows + cols) / 16], axis=-1)
    pixels = (base + rng.normal(0, 40, base.shape)).clip(0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def test_an_upload_before_the_first_run_finished_is_never_written_to_disk():
    if not disk_backed(tempfile.gettempdir()):
        pytest.skip("the temp dir is in memory: the write counter cannot see a spooled upload")
    data = four_mb_jpeg()
    size = len(data)
    assert 3.5e6 < size < 5.5e6, f"the test file has {size:,} bytes"
    server = AppServer()  # a fresh server: its first run is slow, so the upload lands inside it
    try:
        before = written(server)
        with Session(server.url) as session:
            session.upload("uploader", "early.jpg", data, "image/jpeg")
            after = written(server)
            kinds = [ForwardMsg.FromString(frame).WhichOneof("type") for frame in session.received]
            first_end, urls = kinds.index("script_finished"), kinds.index("file_urls_response")
            assert urls < first_end, "the upload was asked for after the first run had finished"
            assert_safe(session, server)
            assert (
                r"Showing **early\.jpg**, working at 512 x 384, downscaled from 3000 x 2250."
                in session.texts()
            )
        print(f"\nthe server wrote {after - before} bytes while a {size:,}-byte file was uploaded")
        assert after - before <= WRITE_SLACK, f"the server wrote {after - before:,} bytes to storage"
    finally:
        server.stop()


def test_an_upload_is_taken_from_a_client_that_sends_only_the_widgets_it_changed(app_server):
    # The class benchmark's clients (and a page whose last run failed half-way) send no state for
    # the sidebar's widgets: the upload's callback, which runs before the page puts its settings
    # back, must still find the working size.
    photo = io.BytesIO()
    Image.fromarray(np.full((600, 800, 3), 90, dtype=np.uint8)).save(photo, format="JPEG")
    with forge(app_server, [("preset", PRESETS["horizontal_edges"].name)]) as session:
        session.upload("uploader", "minimal.jpg", photo.getvalue(), "image/jpeg")
        assert_safe(session, app_server)
        assert (
            "Showing **minimal\\.jpg**, working at 512 x 384, downscaled from 800 x 600." in session.texts()
        )
