"""A raw Streamlit client: the app's websocket protocol spoken as the browser speaks it, minus the browser.

Used by tests that send values no widget offers (tests/e2e/test_forged_messages.py) and by the
memory benchmark (bench/memory.py); no pytest here. What it does, as Streamlit 1.67's frontend does:

- ``connect()``: GET ``/_stcore/health`` (the response that sets the ``_streamlit_xsrf`` cookie; the
  page itself sets none) and ``/_stcore/host-config``, open ``/_stcore/stream`` with the subprotocols
  ``["streamlit", <xsrf cookie value>]``, then send a ``rerun_script`` at once (query string, no widget
  states, empty page hash: the first load).
- A widget change sends a ``rerun_script`` with ALL the widget states the client holds. A state the
  server overrides (``set_value`` in its delta) or of a widget no longer drawn is dropped, as the
  browser drops it; a button press (``click``) is sent once. (The browser also holds the value of
  every widget it shows from the start; this client holds only those it set, and the server keeps
  the values of the others, so the runs are the same.)
- The ForwardMsg cache: big elements the server marks ``cacheable`` are kept, their hashes sent with
  every rerun, and a ``ref_hash`` the server sends instead of a kept element is resolved from it;
  entries unused for ``max_cached_message_age`` runs are dropped.
- ``upload()``: ``file_urls_request`` -> ``file_urls_response`` -> multipart PUT of the file to the
  upload URL with the ``X-Xsrftoken`` header -> rerun with the uploader's ``file_uploader_state_value``.

Not simulated: fragment timers (``auto_rerun``), reconnection, and components' iframes.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from urllib.parse import urlsplit

import requests
from google.protobuf.message import Message
from requests.adapters import HTTPAdapter
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import UploadedFileInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from urllib3.util.retry import Retry
from websockets.sync.client import connect

XSRF_COOKIE = "_streamlit_xsrf"
FINAL = (
    ForwardMsg.FINISHED_SUCCESSFULLY,
    ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
)
"""Statuses that end a run, of the whole page or of fragments (a run stopped early for a rerun is
followed by another)."""


class ProtocolError(RuntimeError):
    """The server did not answer as Streamlit's frontend expects."""


def widget_state(widget_id: str, value: object) -> WidgetState:
    """A WidgetState holding ``value``, chosen by its Python type; None is a cleared value (no field).

    str -> string_value, bool -> bool_value, int -> int_value, float -> double_value, bytes ->
    bytes_value, a dict -> json_value, a list of str / int / float -> string / int / double array.
    A WidgetState is sent as it is (set its id to ``widget_id``).
    """
    if isinstance(value, WidgetState):
        return value
    state = WidgetState(id=widget_id)
    if value is None:
        pass
    elif isinstance(value, bool):
        state.bool_value = value
    elif isinstance(value, str):
        state.string_value = value
    elif isinstance(value, int):
        state.int_value = value
    elif isinstance(value, float):
        state.double_value = value
    elif isinstance(value, bytes):
        state.bytes_value = value
    elif isinstance(value, Mapping):
        state.json_value = json.dumps(value)
    elif isinstance(value, Sequence) and all(isinstance(item, str) for item in value):
        state.string_array_value.data[:] = value
    elif isinstance(value, Sequence) and all(type(item) is int for item in value):
        state.int_array_value.data[:] = value
    elif isinstance(value, Sequence) and all(isinstance(item, int | float) for item in value):
        state.double_array_value.data[:] = [float(item) for item in value]
    else:
        raise TypeError(f"no WidgetState field holds {value!r}")
    return state


def element_of(message: ForwardMsg) -> tuple[str, Message] | None:
    """(kind, proto) of the element a delta adds, e.g. ("markdown", <Markdown>); None for other messages."""
    if message.WhichOneof("type") != "delta" or message.delta.WhichOneof("type") != "new_element":
        return None
    kind = message.delta.new_element.WhichOneof("type")
    return (kind, getattr(message.delta.new_element, kind)) if kind else None


def _is(kind: str) -> Callable[[ForwardMsg], bool]:
    return lambda message: message.WhichOneof("type") == kind


class Session:
    """One browser session of the app at ``base_url`` (``http://127.0.0.1:<port>``); a context manager."""

    def __init__(self, base_url: str, query_string: str = "", timeout: float = 120) -> None:
        self.base_url = base_url.rstrip("/")
        self.query_string = query_string
        self.timeout = timeout
        self.http = requests.Session()
        self.http.trust_env = False  # no proxy: the traffic stays on 127.0.0.1
        # Like a browser, send a request again when the server closed the kept-alive connection under
        # it (uvicorn closes idle ones after 5 s); a repeated PUT of a file id only replaces the file.
        retry = Retry(total=2, allowed_methods=None, status=0, raise_on_status=False)
        self.http.mount("http://", HTTPAdapter(max_retries=retry))
        self.session_id: str | None = None
        self.page_script_hash = ""  # "" on the first load, then the page the server ran
        self.widgets: dict[str, WidgetState] = {}  # id -> the state sent with every rerun
        self.last_run: list[ForwardMsg] = []  # the messages of the last run (of the page, or of fragments)
        self.last_fragments: tuple[str, ...] = ()  # the fragments the last run ran; () for the whole page
        self._fragment_of: dict[str, str] = {}  # widget id -> the fragment that drew it ("" for none)
        self.received: list[bytes] = []  # every frame the server sent, as sent
        self.runs_finished = 0  # whole-page runs finished so far
        self._ids: dict[str, str] = {}  # user key -> element id, from the deltas
        self._protos: dict[str, Message] = {}  # element id -> the widget's last proto
        self._cache: dict[str, tuple[bytes, int]] = {}  # hash -> (frame, run count when last used)
        self._max_age = 2
        self._exit = contextlib.ExitStack()
        self._socket = None
        self._started: set[str] = set()  # script_run_ids of the runs whose new_session arrived
        self._before_request: set[str] | None = None  # runs started before the pending rerun request
        self._inbox: list[ForwardMsg] = []  # messages read while waiting for another one

    def __enter__(self) -> Session:
        if self._socket is None:
            self.connect()
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    @property
    def xsrf(self) -> str:
        return self.http.cookies.get(XSRF_COOKIE, "")

    # ---- Connecting and running ------------------------------------------------------------------

    def connect(self, first_run: bool = True) -> None:
        """What the page does on load: health (XSRF cookie), host config, websocket, first rerun.

        ``first_run=False``: what a page that was already open does when it reconnects to a server
        that restarted: the websocket only; its next rerun carries the widgets it holds.
        """
        for path in ("/_stcore/health", "/_stcore/host-config"):
            self.http.get(self.base_url + path, timeout=self.timeout).raise_for_status()
        if not self.xsrf:
            raise ProtocolError("/_stcore/health set no _streamlit_xsrf cookie")
        self._socket = self._exit.enter_context(
            connect(
                f"ws://{urlsplit(self.base_url).netloc}/_stcore/stream",
                subprotocols=["streamlit", self.xsrf],
                origin=self.base_url,
                # Every cookie, as a browser sends them: behind a load balancer its affinity cookie
                # takes the websocket to the process that set the XSRF cookie.
                additional_headers={"Cookie": "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)},
                proxy=None,
                max_size=None,
                open_timeout=self.timeout,
            )
        )
        if first_run:
            self._request_run()

    def hold_widgets_of(self, page: Session) -> None:
        """Hold the widgets another session's page drew, as a page open before a restart holds them."""
        self._ids.update(page._ids)
        self._protos.update(page._protos)
        self.widgets.update(page.widgets)

    def close(self) -> None:
        self._exit.close()
        self.http.close()

    def run(self, widget_states: Mapping[str, object] | None = None) -> list[ForwardMsg]:
        """Rerun with every held widget state, ``widget_states`` (id -> value) changed; wait for the run.

        With no changes while a run is pending (right after ``connect()``), only waits for it.
        """
        if widget_states or self._before_request is None:
            for widget_id, value in (widget_states or {}).items():
                self.widgets[widget_id] = widget_state(widget_id, value)
            # As a browser does: a change to widgets of one fragment asks for that fragment's run.
            fragments = {self._fragment_of.get(widget_id, "") for widget_id in widget_states or {}}
            self._request_run(fragments.pop() if len(fragments) == 1 else "")
        return self.wait()

    def set_widget(self, key: str, value: object) -> list[ForwardMsg]:
        """Set the widget with user key ``key`` to ``value`` (anything the proto holds) and rerun."""
        return self.run({self.widget_id(key): value})

    def click(self, key: str) -> list[ForwardMsg]:
        """Press the button with user key ``key``: a trigger, sent with this one rerun."""
        widget_id = self.widget_id(key)
        self.widgets[widget_id] = WidgetState(id=widget_id, trigger_value=True)
        self._request_run()
        del self.widgets[widget_id]
        return self.wait()

    def wait(self) -> list[ForwardMsg]:
        """Wait until the requested run has finished; keep its messages in ``last_run`` and return them."""
        if self._before_request is None:
            return self.last_run
        run_id, messages = None, []
        while True:
            message = self._next()
            kind = message.WhichOneof("type")
            if kind == "new_session" and message.metadata.run.script_run_id not in self._before_request:
                run_id, messages = message.metadata.run.script_run_id, []
            if run_id is None:
                continue  # the end of a run started before the request
            messages.append(message)
            if kind == "script_finished" and message.metadata.run.script_run_id == run_id:
                if message.script_finished in FINAL:
                    break
                run_id = None  # stopped early for a rerun: the next new_session starts the one we want
        self._before_request, self.last_run = None, messages
        self.last_fragments = tuple(messages[0].metadata.run.fragment_ids) if messages else ()
        drawn = set()
        for _, proto in self.elements():
            drawn.add(getattr(proto, "id", ""))
            if getattr(proto, "set_value", False):  # the server set the value: the browser takes it
                self.widgets.pop(proto.id, None)
        if not self.last_fragments:  # a fragment's run leaves the widgets of the rest of the page
            for gone in set(self.widgets) - drawn:
                del self.widgets[gone]
        return messages

    def _request_run(self, fragment_id: str = "") -> None:
        if self._before_request is not None:  # the last request has not started yet: wait until it has
            self._wait_for(_is("new_session"))
        self._before_request = set(self._started)
        request = BackMsg()
        client_state = request.rerun_script
        client_state.fragment_id = fragment_id
        client_state.query_string = self.query_string
        client_state.page_script_hash = self.page_script_hash
        client_state.widget_states.widgets.extend(self.widgets.values())
        client_state.cached_message_hashes.extend(self._cache)
        self._send(request)

    # ---- Reading messages ------------------------------------------------------------------------

    def _send(self, message: BackMsg) -> None:
        if self._socket is None:
            raise ProtocolError("not connected")
        self._socket.send(message.SerializeToString())

    def _next(self) -> ForwardMsg:
        """The next message: one read earlier while waiting for another, else a new one from the socket."""
        if self._inbox:
            return self._inbox.pop(0)
        try:
            frame = self._socket.recv(timeout=self.timeout)
        except TimeoutError:
            raise ProtocolError(f"no message from the server within {self.timeout} s") from None
        self.received.append(frame)
        message = ForwardMsg.FromString(frame)
        kind = message.WhichOneof("type")
        if kind == "ref_hash":  # an element the client said it keeps
            if message.ref_hash not in self._cache:
                raise ProtocolError(f"the server referred to a message never kept: {message.ref_hash}")
            cached = self._cache[message.ref_hash][0]
            self._cache[message.ref_hash] = (cached, self.runs_finished)
            metadata, message = message.metadata, ForwardMsg.FromString(cached)
            message.metadata.CopyFrom(metadata)
        elif message.metadata.cacheable and message.hash:
            self._cache[message.hash] = (frame, self.runs_finished)
        if kind == "new_session":
            self.session_id = message.new_session.initialize.session_id
            self.page_script_hash = message.new_session.page_script_hash
            self._max_age = message.new_session.config.max_cached_message_age or self._max_age
            self._started.add(message.metadata.run.script_run_id)
        elif kind == "script_finished" and message.script_finished in FINAL:
            self.runs_finished += 1
            for key, (_, used) in list(self._cache.items()):
                if self.runs_finished - used > self._max_age:
                    del self._cache[key]
        found = element_of(message)
        widget_id = getattr(found[1], "id", "") if found else ""
        if widget_id.startswith("$$ID-"):  # "$$ID-<hash>-<user key>"
            self._ids[widget_id.split("-", 2)[2]] = widget_id
            self._protos[widget_id] = found[1]
            self._fragment_of[widget_id] = message.delta.fragment_id
        return message

    def _wait_for(self, wanted: Callable[[ForwardMsg], bool], keep: bool = True) -> ForwardMsg:
        """Read until a message is ``wanted``; those passed (and it, if ``keep``) stay for ``wait()``."""
        passed = []
        while not wanted(message := self._next()):
            passed.append(message)
        self._inbox[:0] = [*passed, message] if keep else passed
        return message

    # ---- Uploading -------------------------------------------------------------------------------

    def upload(self, uploader_key: str, name: str, data: bytes, mime: str) -> list[ForwardMsg]:
        """Upload one file as the browser does and wait for the rerun that takes it.

        In a one-file uploader the file replaces the one held, which the browser deletes (DELETE).
        """
        if self.session_id is None and self._before_request is not None:
            self._wait_for(_is("new_session"))  # the browser asks for upload URLs once it knows its session
        uploader_id = self.widget_id(uploader_key)
        request = BackMsg()
        request.file_urls_request.request_id = uuid.uuid4().hex
        request.file_urls_request.file_names.append(name)
        request.file_urls_request.session_id = self.session_id or ""
        self._send(request)
        request_id = request.file_urls_request.request_id
        reply = self._wait_for(
            lambda m: _is("file_urls_response")(m) and m.file_urls_response.response_id == request_id,
            keep=False,
        ).file_urls_response
        if reply.error_msg or len(reply.file_urls) != 1:
            raise ProtocolError(f"file_urls_response: {reply}")
        held = self.widgets.get(uploader_id)
        if held is not None and not self._protos[uploader_id].multiple_files:
            for info in held.file_uploader_state_value.uploaded_file_info:
                self._http("DELETE", info.file_urls.delete_url)
        urls = reply.file_urls[0]
        # The browser's FormData: one field, named after the file.
        self._http("PUT", urls.upload_url, files={name: (name, data, mime)})
        state = WidgetState(id=uploader_id)
        state.file_uploader_state_value.uploaded_file_info.append(
            UploadedFileInfo(file_id=urls.file_id, name=name, size=len(data), file_urls=urls)
        )
        return self.run({uploader_id: state})

    def _http(self, method: str, path: str, **kwargs) -> None:
        """A request to the upload route, with the XSRF header and the Origin a browser sends."""
        headers = {"X-Xsrftoken": self.xsrf, "Origin": self.base_url}
        response = self.http.request(
            method, self.base_url + path, headers=headers, timeout=self.timeout, **kwargs
        )
        if response.status_code != 204:
            raise ProtocolError(f"{method} {path}: {response.status_code} {response.text[:200]}")

    # ---- What the page shows ---------------------------------------------------------------------

    def elements(self) -> Iterator[tuple[str, Message]]:
        """(kind, proto) of every element of the last run, in the order they were sent."""
        return filter(None, map(element_of, self.last_run))

    def widget_id(self, key: str) -> str:
        """The element id of the widget with user key ``key`` (ids are "$$ID-<hash>-<key>")."""
        if key not in self._ids and self._before_request is not None:  # a run is under way: read on
            self._wait_for(lambda m: key in self._ids or _is("script_finished")(m))
        if key not in self._ids:
            raise KeyError(f"no widget with key {key!r} on the page; keys: {sorted(self._ids)}")
        return self._ids[key]

    def texts(self) -> list[str]:
        """Markdown (captions too), headings, alerts, plain text and image captions of the last run."""
        found = []
        for kind, proto in self.elements():
            if kind in ("markdown", "heading", "alert", "text"):
                found.append(proto.body)
            elif kind == "imgs":
                found += [image.caption for image in proto.imgs if image.caption]
        return found

    def exceptions(self) -> list[str]:
        """The exception elements of the last run (Streamlit's error box), as "Type: message"."""
        return [f"{proto.type}: {proto.message}" for kind, proto in self.elements() if kind == "exception"]

    def media_urls(self) -> list[str]:
        """The URL of every picture the last run shows (``st.image``), as the page references them."""
        return [image.url for kind, proto in self.elements() if kind == "imgs" for image in proto.imgs]

    def fetch_media(self) -> dict[str, bytes]:
        """GET every picture of the last run, as a browser does; url -> bytes (raises on an HTTP error)."""
        fetched = {}
        for url in self.media_urls():
            if not url.startswith("data:"):
                response = self.http.get(self.base_url + url, timeout=self.timeout)
                response.raise_for_status()
                fetched[url] = response.content
        return fetched
