"""The rules of the server process (server/): widget values at the door, log lines, closed sessions,
response headers, and the cached work of uploads nobody holds."""

from __future__ import annotations

import asyncio
import gc
import logging
import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.runtime.state.common import WidgetMetadata
from streamlit.runtime.state.session_state import SessionState

from filters.cache import BoundedCache
from filters.recipe import FilterRecipe, ImageRecipe, sample_source, upload_in, upload_source
from server.headers import SecurityHeaders, headers_for
from server.logs import MAX_LINE_CHARS, bound_log_lines, cut
from server.sessions import ClosingTTLCache, sweep_interval
from server.widget_states import refusal
from views import loading
from views.state import offered

# ---- Widget values at the door --------------------------------------------------------------------


def _whole_number_input(session_state: SessionState, widget_id: str) -> None:
    """What st.number_input(min_value=0, step=1) registers: whole numbers, read with int()."""

    def deserialize(value):
        return 0 if value is None else int(value)

    metadata = WidgetMetadata(widget_id, deserialize, lambda value: value, value_type="double_value")
    session_state._new_widget_state.set_widget_metadata(metadata)


ROW = "$$ID-0123456789abcdef-inspect_row"


@pytest.mark.parametrize(
    ("field", "value", "why"),
    [
        ("double_value", math.nan, "unreadable (ValueError"),
        ("double_value", math.inf, "unreadable (OverflowError"),
        ("string_value", "abc", "a string_value for a widget that sends a double_value"),
        ("bool_value", True, "a bool_value for a widget that sends a double_value"),
    ],
)
def test_a_value_its_widget_cannot_read_is_refused(field, value, why):
    session_state = SessionState()
    _whole_number_input(session_state, ROW)
    problem = refusal(session_state, WidgetState(id=ROW, **{field: value}), offered)
    assert problem is not None and problem.startswith(why)


def test_a_select_box_left_empty_before_a_fragments_run_still_takes_a_sample():
    """Streamlit sets a widget's value_type to None once it read an empty value (a select box on its
    placeholder while an upload is shown) and only a run that draws it sets it back: after a run of
    fragments, the box's next choice must still be read, and checked by what the page offers."""
    session_state = SessionState()
    sample = "$$ID-0123456789abcdef-sample_key"
    keys = ["fashion/bag_1.png"]
    metadata = WidgetMetadata(
        sample, lambda value: None if value is None else keys[["Bag 1"].index(value)], str, value_type=None
    )
    session_state._new_widget_state.set_widget_metadata(metadata)
    assert refusal(session_state, WidgetState(id=sample, string_value="Bag 1"), offered) is None
    problem = refusal(session_state, WidgetState(id=sample, string_value="No such sample"), offered)
    assert problem is not None and problem.startswith("unreadable (ValueError")


def test_a_value_its_widget_reads_is_kept_and_a_page_rule_refuses_what_the_page_does_not_offer():
    session_state = SessionState()
    _whole_number_input(session_state, ROW)
    assert refusal(session_state, WidgetState(id=ROW, int_value=3), offered) is None
    assert refusal(session_state, WidgetState(id=ROW, double_value=3.0), offered) is None
    assert refusal(session_state, WidgetState(id=ROW, double_value=-2.0), offered) == "not offered: -2"


def test_a_value_of_a_widget_not_drawn_yet_is_left_to_streamlit():
    assert refusal(SessionState(), WidgetState(id=ROW, double_value=math.nan), offered) is None


def test_the_page_offers_exactly_its_settings():
    assert offered("padding", "same") and not offered("padding", "full") and not offered("padding", 1)
    assert offered("preset", "vertical_edges") and not offered("preset", "x" * 100)
    assert offered("inspect_row", 4) and not offered("inspect_row", 4.5) and not offered("inspect_row", -1)
    assert offered("some_other_widget", object())


# ---- Log lines ------------------------------------------------------------------------------------


def test_every_log_line_is_cut_to_a_prefix_and_its_length(caplog):
    bound_log_lines()
    value = "v" * 100_000
    with caplog.at_level(logging.WARNING):
        try:
            raise KeyError(value)
        except KeyError:
            logging.getLogger("tests.server").exception("Forged %s", value)
    record = caplog.records[-1]
    assert record.getMessage() == cut(f"Forged {value}")
    assert record.getMessage().endswith("[cut: 100,007 characters in all]")
    assert max(len(line) for line in record.exc_text.split("\n")) <= MAX_LINE_CHARS + 40
    assert "KeyError: 'vvvv" in record.exc_text
    assert len(caplog.text) < 3000


def test_a_short_line_is_kept_as_it_is():
    assert cut("Refused the value of widget x") == "Refused the value of widget x"


# ---- Closed sessions ------------------------------------------------------------------------------


class FakeSession:
    def __init__(self) -> None:
        self.shut_down = 0

    def shutdown(self) -> None:
        self.shut_down += 1


class FakeInfo:
    def __init__(self) -> None:
        self.session = FakeSession()


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_an_expired_session_is_shut_down_when_swept_even_if_nothing_else_happens():
    clock = Clock()
    sessions = ClosingTTLCache(maxsize=10, ttl=120, timer=clock)
    left = FakeInfo()
    sessions["a"] = left
    clock.now = 100
    assert sessions.collect() == 0 and left.session.shut_down == 0
    clock.now = 121
    assert sessions.collect() == 1 and left.session.shut_down == 1
    assert "a" not in sessions and sessions.collect() == 0


def test_a_session_expired_by_another_visitor_leaving_is_shut_down_too():
    clock = Clock()
    sessions = ClosingTTLCache(maxsize=10, ttl=120, timer=clock)
    left = FakeInfo()
    sessions["a"] = left
    clock.now = 500
    sessions["b"] = FakeInfo()  # the TTLCache expires "a" while storing "b"
    assert left.session.shut_down == 1
    assert sessions.collect() == 1  # counted, and its memory collected at the next sweep


def test_sweeps_come_every_30_s_or_sooner_for_a_short_ttl():
    assert sweep_interval(120) == 30 and sweep_interval(2) == 1 and sweep_interval(0) == 0.5


# ---- Response headers -----------------------------------------------------------------------------


def test_pictures_are_never_stored_and_no_page_can_be_framed_elsewhere():
    assert headers_for("/media/abc.png")[b"cache-control"] == b"private, no-store"
    assert b"cache-control" not in headers_for("/")
    for path in ("/", "/media/abc.png", "/_stcore/health"):
        headers = headers_for(path)
        assert headers[b"x-frame-options"] == b"SAMEORIGIN"
        assert headers[b"content-security-policy"] == b"frame-ancestors 'self'"
        assert headers[b"x-content-type-options"] == b"nosniff"


def test_the_middleware_replaces_a_header_of_the_same_name():
    sent = []

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": [(b"Cache-Control", b"public")]})
        await send({"type": "http.response.body", "body": b"png"})

    async def send(message):
        sent.append(message)

    # Its own thread: Playwright's session-wide sync API keeps an event loop running in this one.
    with ThreadPoolExecutor(1) as thread:
        response = SecurityHeaders(app)({"type": "http", "path": "/media/x.png"}, None, send)
        thread.submit(asyncio.run, response).result()
    headers = dict(sent[0]["headers"])
    assert headers[b"cache-control"] == b"private, no-store" and b"Cache-Control" not in headers
    assert sent[1]["body"] == b"png"


# ---- The cached work of uploads ---------------------------------------------------------------------


def _recipe(source: str) -> FilterRecipe:
    return FilterRecipe(ImageRecipe(source, 512, False), (0.0,) * 9, 1.0, "valid", "clip", "max")


def test_a_cache_key_names_the_upload_it_is_made_from():
    upload = upload_source(b"photo")
    assert upload_in(_recipe(upload)) == upload
    assert upload_in((("filtered", _recipe(upload)), True, 0)) == upload
    assert upload_in(("layer", upload, 512, ("vertical_edges",))) == upload
    assert upload_in(_recipe(sample_source("fashion/bag_1.png"))) is None


def test_released_entries_go_and_the_others_stay():
    cache = BoundedCache(max_bytes=10_000, max_entries=10, owner_of=upload_in)
    mine, theirs = upload_source(b"mine"), upload_source(b"theirs")
    for key in (_recipe(mine), ("png", _recipe(mine)), _recipe(theirs), _recipe(sample_source("x"))):
        cache.get_or_compute(key, lambda: np.zeros(10))
    assert cache.release(mine) == 2
    assert len(cache) == 2 and _recipe(theirs) in cache and cache.release(mine) == 0


def test_an_uploads_work_is_dropped_once_no_session_holds_it():
    source = upload_source(b"a photo only these sessions hold")
    loading.release_unheld()
    loading.RESULTS.get_or_compute(_recipe(source), lambda: np.zeros(100))
    first = loading.hold_uploads({}, [source, None, sample_source("fashion/bag_1.png")])
    second = loading.hold_uploads({}, [source])
    assert list(first) == [source]
    assert loading.hold_uploads(first, [source])[source] is first[source]  # kept, not renewed
    del first
    gc.collect()
    assert loading.release_unheld() == 0 and _recipe(source) in loading.RESULTS  # still held
    del second
    gc.collect()
    assert loading.release_unheld() == 1 and _recipe(source) not in loading.RESULTS
