"""Widget values the page's widgets cannot send are refused at the door.

A browser only sends what its widgets offer; anyone can open the websocket and send anything
else. Streamlit 1.67 reads (deserializes) every widget value it holds at the start of each rerun,
before any of the app's code or callbacks run, and a value its widget cannot read breaks that run
and every later run of the session until a reload: NaN, infinity or text for a whole-number
``st.number_input`` (``int(nan)``), an int for a ``st.select_slider``, a bool or bytes for a
``st.radio``, an upload named ``.svg`` for an uploader that takes images ("Invalid file
extension"), JSON that does not parse. There is no public hook before that point, so the launcher
wraps ``SessionState.on_script_will_rerun``, the one method every rerun passes through, with
two checks on each widget value before Streamlit keeps it:

1. it arrives in the field its widget sends (``WidgetMetadata.value_type``; a number input's
   whole numbers may come as ``int_value``), and Streamlit's own deserializer reads it;
2. the page offers it (``install``'s ``offered(user_key, value)``: the page's own rules, the
   same ``views.state.sanitize`` applies), so no callback ever sees a value it did not offer.

A value that fails is dropped: the widget keeps its last value (or its default), the session
goes on, one short log line names the widget, and the widget's user key is added to the list in
the page's ``notice_key``, so that the page can say once that a setting was put back and send
the browser the value in force.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates
from streamlit.runtime.state.common import unpack_widget_state_value, user_key_from_element_id
from streamlit.runtime.state.session_state import Serialized, SessionState

from server.logs import cut

_LOG = logging.getLogger(__name__)
_ALSO_ACCEPTED = {"double_value": {"int_value"}}
"""Fields a widget's frontend may send besides its declared one (whole numbers of a number input)."""

Offered = Callable[[str, object], bool]


def refusal(session_state: SessionState, widget: WidgetState, offered: Offered) -> str | None:
    """Why ``widget``'s value cannot be kept, or None when it can (or its widget is not known yet)."""
    metadata = session_state._new_widget_state.widget_metadata.get(widget.id)
    if metadata is None:
        return None  # not drawn in this session yet: Streamlit ignores values of unknown widgets
    field = widget.WhichOneof("value")
    expected = {metadata.value_type, *_ALSO_ACCEPTED.get(metadata.value_type, ())}
    # Streamlit 1.67 rewrites a widget's value_type from the last value it read, None for an empty
    # one (a select box showing its placeholder), and registers it again only in a run that draws
    # it: after a fragment's run the type is unknown, and the deserializer below is the check.
    if field is not None and metadata.value_type is not None and field not in expected:
        return f"a {field} for a widget that sends a {metadata.value_type}"
    try:
        value = metadata.deserializer(unpack_widget_state_value(widget))
    except Exception as problem:  # any failure of Streamlit's own reading: the value is unusable
        return f"unreadable ({type(problem).__name__}: {problem})"
    user_key = user_key_from_element_id(widget.id)
    if user_key is not None and not offered(user_key, value):
        return f"not offered: {value!r}"
    return None


def _usable(session_state: SessionState, widget: WidgetState, offered: Offered, notice_key: str) -> bool:
    problem = refusal(session_state, widget, offered)
    if problem is None:
        return True
    _LOG.warning("Refused the value of widget %s: %s", cut(widget.id, 120), cut(problem, 200))
    refused = session_state._new_session_state.get(notice_key) or []
    session_state._new_session_state[notice_key] = [*refused, user_key_from_element_id(widget.id)]
    return False


def _drop_stored(session_state: SessionState, offered: Offered, notice_key: str) -> None:
    """Drop values kept from earlier messages that cannot be read (their widget was unknown then)."""
    states = session_state._new_widget_state.states
    for widget_id, stored in list(states.items()):
        if isinstance(stored, Serialized) and not _usable(session_state, stored.value, offered, notice_key):
            del states[widget_id]


def install(offered: Offered, notice_key: str) -> None:
    """Check every widget value of every session before Streamlit or a callback reads it.

    ``offered(user_key, value)`` says whether the page offers ``value`` for the widget keyed
    ``user_key``; ``notice_key`` is the session-state key set when a value was refused.
    """
    original = SessionState.on_script_will_rerun
    if getattr(original, "checks_widget_states", False):
        return

    def on_script_will_rerun(self: SessionState, fresh_widget_states: WidgetStates | None, **options):
        _drop_stored(self, offered, notice_key)
        if fresh_widget_states is not None:
            kept = WidgetStates()
            kept.widgets.extend(
                widget for widget in fresh_widget_states.widgets if _usable(self, widget, offered, notice_key)
            )
            fresh_widget_states = kept
        return original(self, fresh_widget_states, **options)

    on_script_will_rerun.checks_widget_states = True  # type: ignore[attr-defined]
    SessionState.on_script_will_rerun = on_script_will_rerun
