"""A raw client (tests/e2e/protocol.py) sends what no widget of the page can send.

A browser only ever sends the values its widgets offer; anyone can open the websocket and send
others. The server must stay up, the page must put such values back (saying so once), and nothing
about the server (paths, tracebacks) may reach the client. The values fall in three kinds:

- values of the right type the page does not offer: Streamlit hands them to the script, and
  ``views/state.sanitize()`` puts them back to their defaults with a notice;
- values Streamlit's own widget code already maps to the default or to the last value (an option
  label no select slider or segmented control has, a click that is not a click): nothing to say;
- values Streamlit itself cannot read (a field type the widget never uses, NaN for a whole-number
  input, an upload of a kind the uploader refuses): the launcher refuses them before Streamlit
  reads them (``server/widget_states.py``), with the same notice.

Also: an upload made before the first script run has finished is never written to disk.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
import tomllib
from pathlib import Path

import numpy as np
import psutil
import pytest
from PIL import Image
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.exceptions import ConnectionClosedError

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
    """A fresh session that loads the page and then sets each (widget key, value) in turn.

    A value may be a WidgetState (for fields ``widget_state`` does not pick): it is sent with the
    widget's id.
    """
    session = Session(server.url)
    session.connect()
    session.run()
    for key, value in steps:
        if isinstance(value, WidgetState):
            value = WidgetState(
                id=session.widget_id(key),
                **{value.WhichOneof("value"): getattr(value, value.WhichOneof("value"))},
            )
        session.set_widget(key, value)
    if session.last_fragments:  # a browser keeps the rest of the page: see it whole, as it does
        session.run()
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
    "pixel row below the first": [("inspect_row", -3)],
    "click far off the picture": [("pick_output", {"click": {"x": 1e308, "y": 1, "width": 1, "height": 1}})],
}


@pytest.mark.parametrize("steps", ALREADY_MAPPED.values(), ids=ALREADY_MAPPED.keys())
def test_a_value_streamlit_maps_to_an_offered_one_leaves_the_page_working(app_server, steps):
    with forge(app_server, steps) as session:
        assert_safe(session, app_server)
        assert_default_page(session)
        heading = [text for text in session.texts() if "Output pixel" in text or "Step 1 of" in text]
        assert heading, "the step-by-step section is missing"


# ---- 2. Values Streamlit itself cannot read: refused at the door (server/widget_states.py) ---------
# Streamlit 1.67 reads every widget value before the page runs; these made it fail on that run and
# on every later run of the session (or raised inside a widget or a callback). The launcher drops
# them before Streamlit keeps them: the page says once that a setting was put back, and goes on.

UNREADABLE = {
    "working size as an int": [("working_size", 0)],
    "pixel row NaN": [("inspect_row", float("nan"))],
    "pixel row as text": [("inspect_row", "abc")],
    "pixel row +inf": [("inspect_row", float("inf"))],
    "pixel column +inf": [("inspect_col", float("inf"))],
    "preset that does not exist": [("preset", "no such preset")],
    "padding as an int": [("padding", 1)],
    "padding as a bool": [("padding", True)],
    "layout as bytes": [("layout", b"\x00\x01")],
}


@pytest.mark.parametrize("steps", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_a_value_streamlit_cannot_read_is_refused_and_the_session_goes_on(app_server, steps):
    with Session(app_server.url) as other, forge(app_server, steps) as session:
        other.run()
        assert_safe(session, app_server)
        assert NOTICE in session.texts()
        assert_default_page(session)
        session.set_widget("padding", "same")  # the next change works as usual
        assert_safe(session, app_server)
        assert NOTICE not in session.texts()
        assert "**28 x 28 → 28 x 28 → 14 x 14**" in " ".join(session.texts())
        other.set_widget("padding", "same")
        assert_safe(other, app_server)


def test_a_component_state_that_is_not_json_is_refused(app_server):
    # A component's state cannot be given a value by the page, so a forger sending it again gets
    # the notice again; the page keeps working and keeps the filter in force.
    with forge(app_server, [("filter_pad", WidgetState(id="", json_value="{not json"))]) as session:
        assert_safe(session, app_server)
        assert NOTICE in session.texts()
        session.set_widget("padding", "same")
        assert_safe(session, app_server)
        assert "**28 x 28 → 28 x 28 → 14 x 14**" in " ".join(session.texts())


@pytest.mark.parametrize("name", ["drawing.svg", "archive.zip", "script.html"])
def test_an_upload_of_a_kind_the_uploader_refuses_is_dropped(app_server, name):
    # A browser's uploader filters extensions; a forged client does not.
    with forge(app_server, []) as session:
        session.upload("uploader", name, b"<svg onload='alert(1)'></svg>", "image/svg+xml")
        assert_safe(session, app_server)
        assert NOTICE in session.texts()
        assert_default_page(session)
        session.upload("uploader", "fine.png", _png(), "image/png")  # a real image still works after it
        assert_safe(session, app_server)
        assert r"Showing **fine\.png**, 12 x 10 pixels." in session.texts()


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.arange(120, dtype=np.uint8).reshape(10, 12)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_page_recovers_when_a_forged_value_comes_in_the_first_message(app_server):
    # Widget ids are the same in every session: a forger can send values before the page ever ran.
    with Session(app_server.url) as first:
        first.run()
        ids = {key: first.widget_id(key) for key in ("inspect_row", "working_size", "padding")}
    session = Session(app_server.url)
    session.widgets.update(
        {
            ids["inspect_row"]: WidgetState(id=ids["inspect_row"], double_value=float("nan")),
            ids["working_size"]: WidgetState(id=ids["working_size"], int_value=7),
            ids["padding"]: WidgetState(id=ids["padding"], bool_value=True),
        }
    )
    with session:
        session.run()
        assert_safe(session, app_server)
        assert_default_page(session)
        session.set_widget("layout", "One below the other")
        assert_safe(session, app_server)
        assert_default_page(session)


# ---- 3. Log lines and message sizes stay bounded ---------------------------------------------------


def test_a_huge_forged_value_is_logged_as_a_short_prefix_and_its_length(app_server):
    value = "preset-" + "x" * 900_000  # under the 1 MB a client may send (server.maxWidgetStateSize)
    before = len(app_server.output())
    with forge(app_server, [("preset", value)]) as session:
        assert_safe(session, app_server)
        assert NOTICE in session.texts()
    log = app_server.output()[before:]
    assert "preset-xxx" in log, "the refused value is not named in the log"
    longest = max(len(line) for line in log.splitlines())
    assert longest <= 1000, f"a log line of {longest:,} characters"
    assert len(log) < 20_000, f"one forged message wrote {len(log):,} characters of log"


def test_a_message_over_the_limit_closes_only_the_sender(app_server):
    with Session(app_server.url) as other, forge(app_server, []) as session:
        other.run()
        with pytest.raises(ConnectionClosedError):
            session.set_widget("preset", "x" * 2_000_000)
        other.set_widget("padding", "same")
        assert_safe(other, app_server)


def test_the_largest_message_the_page_sends_is_far_under_the_limit(app_server):
    # server.maxMessageSize (.streamlit/config.toml) is what the page needs: its biggest messages are
    # the explorer's numbers of a 32 x 32 region and the values tables; pictures travel by HTTP.
    limit = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]["maxMessageSize"]
    with forge(app_server, [("sample_group", "Photos"), ("step_view", "Slide the filter")]) as session:
        session.set_widget("colour", True)
        session.set_widget("working_size", ["Full size"])
        session.set_widget("step_view", "Pool step by step")
        assert_safe(session, app_server)
        largest = max(len(frame) for frame in session.received)
    print(f"\nlargest message: {largest:,} bytes of a {limit} MB limit")
    assert largest < limit * 1e6 / 4


# ---- 4. An upload before the first run has finished stays in memory -------------------------------


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
