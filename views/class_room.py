"""A live question to the class: the projector's room (code, QR code, count, reveal, histograms)
and a student's answer on a phone (the page ``class_room.py``, at /class).

The rooms live in ``filters.rooms`` (Redis when deployed, this process's memory otherwise). The
projector's page keeps its teacher's pass in its session (``state.ROOM``), a student's page its
student's pass (``state.STUDENT_PASS``); nothing else about a room is kept in a session. Both pages
poll the room from a fragment, the projector every second, a phone every two seconds.
"""

from __future__ import annotations

import html
import ipaddress
import os

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from filters.predict import Choice, Question
from filters.room_link import ROOM_PARAMETER, LinkProblem, qr_png, room_link
from filters.rooms import (
    NotThisRoom,
    RoomError,
    RoomGone,
    RoomState,
    StoreUnavailable,
    StudentPass,
    StudentView,
    Tally,
    normalise_code,
    shared_store,
    spaced_code,
)
from views import state

BEHIND_PROXY_VARIABLE = "ROOMS_BEHIND_PROXY"
PASS_PARAMETER = "pass"
"""A student's link keeps their pass (``/class?room=K7MQ4R&pass=...``): only their own phone sees it."""
CLASS_PAGE_PATH = "class"
"""The students' page's address below the app's: ``http://192.168.1.20:8501/class?room=K7MQ4R``."""
TEACHER_POLL_S = 1.0
STUDENT_POLL_S = 2.0
QR_WIDTH_PX = 320


def visitor_address() -> str | None:
    """Who is asking, for a room's limits on wrong codes and new rooms: the address our own proxy
    says it forwards, else the connection's. The header is believed only from the proxy (HAProxy on
    this machine, or any when ``ROOMS_BEHIND_PROXY=1`` says the app is reachable only through one,
    as in the compose file), and only its last address, the one the proxy wrote: a client may send
    the header itself with any address in it."""
    direct = st.context.ip_address if isinstance(st.context.ip_address, str) else None
    try:
        from_proxy = direct is None or ipaddress.ip_address(direct).is_loopback
    except ValueError:
        from_proxy = False
    from_proxy = from_proxy or os.environ.get(BEHIND_PROXY_VARIABLE) == "1"
    lines = [line for line in st.context.headers.get_all("X-Forwarded-For") if isinstance(line, str)]
    forwarded = lines[-1].split(",")[-1].strip() if lines else ""
    return forwarded if from_proxy and forwarded else direct


# ---- The projector -------------------------------------------------------------------------------------


def ask_the_class_button(question: Question, key: str) -> None:
    """In projector mode, beside a question: ask it to the whole class (in the room already open, or
    a new one)."""
    st.button(
        "Ask the class",
        key=f"ask_class_{key}",
        icon=":material/groups:",
        on_click=_ask,
        args=(question,),
        help="Students answer on their phones: a room code and a QR code appear on this page.",
    )


def _ask(question: Question) -> None:
    teacher = st.session_state.get(state.ROOM)
    try:
        if teacher is not None:
            try:
                if shared_store().teacher_view(teacher).question.key != question.key:  # else its answers stay
                    shared_store().ask(teacher, question)
                st.rerun()
            except (RoomGone, NotThisRoom):
                pass  # the old room expired: open a new one
        st.session_state[state.ROOM] = shared_store().open_room(question, visitor_address())
    except RoomError as problem:
        st.session_state[state.ROOM_PROBLEM] = str(problem)
    st.rerun()  # the whole page: the room's panel is drawn above the step-by-step view


def class_room_ui() -> None:
    """The room of this projector's page, when one is open: what students need to join and the
    question (drawn when they change), then the count and after "Reveal" each round's histogram
    (polled every second)."""
    problem = st.session_state.pop(state.ROOM_PROBLEM, None)
    if problem:
        st.error(problem, icon=":material/groups:")
    room = _room_in_force()
    if room is None:
        return
    with st.container(border=True, key="class_room"):
        join, question = st.columns([1, 2], gap="large")
        with join:
            _join_ui(room.code)
        with question:
            st.markdown(f"**The question.** {html.escape(room.question.prompt)}")
            for line in room.question.details:
                st.markdown(f"- {html.escape(line)}")
            _answers_ui()


def _room_in_force() -> RoomState | None:
    """The room this page opened, as it stands; None when there is none (or it has just closed,
    which is said)."""
    teacher = st.session_state.get(state.ROOM)
    if teacher is None:
        return None
    try:
        return shared_store().teacher_view(teacher)
    except StoreUnavailable as problem:  # the room may come back: its pass is kept
        st.warning(str(problem), icon=":material/groups:")
        return None
    except RoomError as problem:
        st.warning(f"{problem} Press “Ask the class” to open a new room.", icon=":material/groups:")
        st.session_state[state.ROOM] = None
        return None


def _join_ui(code: str) -> None:
    st.markdown(f"### Room **{spaced_code(code)}**")
    address = st.session_state.get(state.ROOM_ADDRESS) or None
    try:
        page_path = st.session_state.get(state.PAGE_PATH, "")
        link = room_link(st.context.url or "", code, address, path=CLASS_PAGE_PATH, page_path=page_path)
    except LinkProblem as problem:
        st.warning(str(problem), icon=":material/link_off:")
        link = None
    if link is not None:
        st.image(qr_png(link), width=QR_WIDTH_PX, alt=f"QR code of the room's link, {link}")
        st.code(link, language=None, wrap_lines=True)
    st.text_input(
        "Address students open",
        value=st.session_state.get(state.ROOM_ADDRESS, ""),
        key=state.ROOM_ADDRESS_BOX,
        on_change=_keep_address,
        placeholder="e.g. http://192.168.1.20:8501",
        help="Leave empty to use this page's address. Type the one students' phones can reach when this "
        "page was opened on this computer itself (localhost).",
    )


def _keep_address() -> None:
    """The typed address outlives the box (drawn only while a room is open): the next room uses it."""
    st.session_state[state.ROOM_ADDRESS] = st.session_state[state.ROOM_ADDRESS_BOX]


@st.fragment(run_every=TEACHER_POLL_S)
def _answers_ui() -> None:
    """How many answered, the teacher's buttons, and after the reveal each round's histogram."""
    room = _room_in_force()
    if room is None:
        return
    st.markdown(
        f"## Round {room.round}: {room.current.total} answered" + ("" if room.is_open else ", revealed")
    )
    buttons = st.container(horizontal=True)
    if room.is_open:
        buttons.button(
            "Reveal",
            key="room_reveal",
            icon=":material/visibility:",
            on_click=_step,
            args=("reveal",),
            type="primary",
        )
    elif room.can_ask_again:
        buttons.button(
            "Ask again", key="room_ask_again", icon=":material/replay:", on_click=_step, args=("ask_again",)
        )
    buttons.button(
        "Close the room", key="room_close", icon=":material/close:", on_click=_step, args=("close",)
    )
    question = room.question
    if not room.is_open:
        st.markdown(f"The answer: **{html.escape(question.answer_text)}** · {html.escape(question.working)}")
        for column, tally in zip(st.columns(len(room.tallies)), room.tallies, strict=True):
            with column:
                st.html(histogram_html(tally))
                for mixup in tally.mixups[:2]:
                    st.caption(f"{mixup.count} answered {mixup.answer_text}: {mixup.explanation}")
    elif room.round > 1:  # the first round's answers stay in sight while the second is answered
        st.html(histogram_html(room.tallies[0]))


def _step(action: str) -> None:
    teacher = st.session_state.get(state.ROOM)
    if teacher is None:
        return
    try:
        getattr(shared_store(), action)(teacher)
    except RoomError as problem:
        st.session_state[state.ROOM_PROBLEM] = str(problem)
    if action == "close":
        st.session_state[state.ROOM] = None
        st.rerun()  # the whole page: the room's panel goes


def histogram_html(tally: Tally) -> str:
    """One round's answers as bars: each answer (or range) with its count, the true one marked."""
    most = max((bar.count for bar in tally.bars), default=0) or 1
    rows = "".join(
        f'<div class="bar{" right" if bar.holds_answer else ""}" data-label="{html.escape(bar.label)}" '
        f'data-count="{bar.count}"><span class="label">{html.escape(bar.label)}'
        f"{' ✓' if bar.holds_answer else ''}</span>"
        f'<span class="fill" style="width: {80 * bar.count / most:.1f}%"></span>'
        f'<span class="count">{bar.count}</span></div>'
        for bar in tally.bars
    )
    right = f"{tally.right} of {tally.total} right" if tally.total else "no answers"
    return (
        f"<style>{HISTOGRAM_CSS}</style><div class='histogram' data-round='{tally.round}'>"
        f"<p><b>Round {tally.round}</b>: {right}</p>{rows}</div>"
    )


HISTOGRAM_CSS = (  # read from the back of a room: large labels and counts
    ".histogram { font-size: 1.5rem; }"
    ".histogram .bar { display: flex; align-items: center; gap: .6rem; margin: .3rem 0; }"
    ".histogram .label { flex: 0 0 8em; text-align: right; font-variant-numeric: tabular-nums; }"
    ".histogram .fill { height: 1.6em; background: #7f7f7f; min-width: 2px; }"
    ".histogram .right .fill { background: #1b7f3b; }"
    ".histogram .right .label { font-weight: 700; }"
)


# ---- A student's phone ----------------------------------------------------------------------------------


def student_ui() -> None:
    """Join a room (its code from the link, or typed), then answer its question."""
    st.title("Class question")
    student = st.session_state.get(state.STUDENT_PASS)
    linked = st.query_params.get(ROOM_PARAMETER)
    if student is None or (linked and linked.upper() != student.code):
        student = _pass_in_link(linked) or _join_from(linked)
    if student is None:
        return
    try:
        view = shared_store().student_view(student)
    except StoreUnavailable as problem:  # the room may come back: the pass is kept, the watch goes on
        st.warning(str(problem), icon=":material/groups:")
        _watch_room(student)
        return
    except RoomError as problem:
        st.warning(str(problem), icon=":material/groups:")
        st.session_state[state.STUDENT_PASS] = None
        return
    st.session_state[state.STUDENT_SEEN] = (view.round_id, view.is_open)
    problem = st.session_state.pop(state.ANSWER_PROBLEM, None)  # said once, in whichever round follows
    if problem:
        st.warning(problem, icon=":material/edit_note:")
    st.caption(f"Room {spaced_code(view.code)} · round {view.round} · anonymous: only your answer is sent")
    st.markdown(f"**{html.escape(view.prompt)}**")
    for line in view.details:
        st.markdown(f"- {html.escape(line)}")
    if view.is_open:
        _answer_form(view)
    else:
        _revealed(view)
    _watch_room(student)


def _pass_in_link(linked: str | None) -> StudentPass | None:
    """The pass this phone's link kept (``&pass=``), when the room signed it: a page that reconnects
    to another app process (its session lost) answers as the same student, not as a second one."""
    token = st.query_params.get(PASS_PARAMETER)
    code = normalise_code(linked)
    if not token or code is None:
        return None
    student = StudentPass(code, token)
    try:
        shared_store().student_view(student)
    except RoomError:
        return None  # a forged, stale or closed room's pass: join again
    st.session_state[state.STUDENT_PASS] = student
    return student


def _join_from(linked: str | None) -> StudentPass | None:
    """A pass for the linked room, or the code box to type one (None until joined)."""
    problem = None
    code = linked
    if not code:
        with st.form("join_room", border=False):
            st.text_input("Room code (on the projector)", key=state.TYPED_CODE, max_chars=12)
            st.form_submit_button("Join")
        code = st.session_state.get(state.TYPED_CODE)
    if code:
        try:
            student = shared_store().join(code, visitor_address())
        except RoomError as error:
            problem = str(error)
        else:
            st.session_state[state.STUDENT_PASS] = student
            st.query_params[ROOM_PARAMETER] = student.code
            st.query_params[PASS_PARAMETER] = student.token
            return student
    if problem:
        st.warning(problem, icon=":material/groups:")
    return None


def _answer_form(view: StudentView) -> None:
    with st.form("class_answer", border=False, enter_to_submit=True):
        answer_input(st.container(), "Your answer", view.choices, state.CLASS_ANSWER)
        st.form_submit_button("Send", icon=":material/send:", on_click=_send, args=(view.round_id,))
    if view.my_answer is not None:
        st.success(
            f"Your answer {html.escape(view.my_answer)} is in. You can change it until the teacher reveals."
        )


def _send(round_id: str) -> None:
    student = st.session_state.get(state.STUDENT_PASS)
    if student is None:
        return
    try:
        shared_store().answer(student, round_id, st.session_state.get(state.CLASS_ANSWER))
    except RoomError as problem:
        st.session_state[state.ANSWER_PROBLEM] = str(problem)


def answer_input(place: DeltaGenerator, label: str, choices: tuple[Choice, ...], key: str) -> None:
    """The box an answer is typed in, or the choices to pick one from (no answer chosen at first)."""
    if choices:
        place.radio(
            label,
            [choice.key for choice in choices],
            format_func={choice.key: choice.label for choice in choices}.get,
            index=None,
            key=key,
        )
    else:
        place.text_input(label, key=key, placeholder="a number", max_chars=40, width=220)


def _revealed(view: StudentView) -> None:
    st.info(view.message, icon=":material/co_present:")
    if view.answer_text is not None:
        mine = "" if view.my_answer is None else f" Yours: **{html.escape(view.my_answer)}**."
        st.markdown(f"The answer: **{html.escape(view.answer_text)}**.{mine}")


@st.fragment(run_every=STUDENT_POLL_S)
def _watch_room(student: StudentPass) -> None:
    """Every two seconds: when the teacher revealed or asked again, the page is drawn again."""
    try:
        view = shared_store().student_view(student)
    except RoomError:
        st.rerun()
    if (view.round_id, view.is_open) != st.session_state.get(state.STUDENT_SEEN):
        st.rerun()
