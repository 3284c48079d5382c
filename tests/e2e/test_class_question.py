"""A live question to the class, at the protocol level, through ``python -m deploy.serve`` with Redis.

Issue #24's protocol-level test: a projector's page and 30 students, each a raw Streamlit client
(tests/e2e/protocol.py) that speaks the websocket protocol as a browser does, through HAProxy to
two app processes that share one Redis.

- The teacher's page (``?predict=1&projector=1``) presses "Ask the class" beside the pixel's sum
  and reads the room's code off its heading; 30 students open the room's link (/class?room=CODE)
  and answer at once. Every answer is counted once (read in Redis, where the app keeps it), the
  projector's count shows all of them within 2 s of the last one, and after "Reveal" its
  histogram's bars are the answers sent. Forged answers are refused, with a message, and leave the
  room as it was. "Ask again" opens round 2, and both histograms are shown.
- The room outlives the app process that opened it: that process is killed with SIGKILL, and the
  students' pages still read the room and their answers are counted.
- Marked ``xfail(strict=True)``, what does not hold yet (a design gap, named in its marker and in
  the README's known limits): a projector's page whose process restarted no longer runs its room.
  A fix makes its test pass, and the strict marker then fails it until the marker goes.

What the raw client leaves out and these pages need is added by `ClassPage`: the page named by the
link's path, the fragments' timers (the projector's count, a phone's watch of the room) run when
a browser's timer would, and buttons found by their label.
"""

from __future__ import annotations

import html
import os
import re
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import psutil
import pytest
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.exceptions import ConnectionClosed

from filters.numbers import format_value
from filters.predict import Question
from filters.rooms import MAX_CHANGES, AnswerRefused, RedisRoomStore, StudentPass
from tests.e2e.protocol import Session, widget_state
from tests.e2e.test_faults import (
    affinity,
    clean_up,
    launch,
    link_of,
    needs,
    stop,
    wait_for,
    wait_until_serving,
)
from views import state
from views.class_room import CLASS_PAGE_PATH, TEACHER_POLL_S

pytestmark = pytest.mark.e2e

TEACHER_LINK = "predict=1&projector=1"
ADDRESS = "http://192.168.1.20:8501"
"""What the teacher types as the address students open (the page itself was opened on loopback)."""
COUNT_WITHIN_S = 2.0
ANSWER_FORM = "class_answer"  # the students' form (views/class_room.py), whose button is "Send"
ROUND_1 = {"537": 12, "-537": 6, "312": 4, "225": 3, "255": 3, "0": 2}
"""The 30 answers to the first round, as typed: the sum at the lecture's pixel is 537 (checked
against the room's question below); -537 flips the filter, 312 and 225 leave a row out, 255 clips."""
ROUND_2 = {"537": 22, "5.4e2": 2, "-537": 3, "312": 3}
"""Round 2, after the discussion: most have it now ("5.4e2" is read as 540)."""


# ---- A page as a browser holds it -------------------------------------------------------------------

HELD_KINDS = ("checkbox", "text_input")


class ClassPage(Session):
    """A raw-protocol page of the app, with what a class room's pages need besides.

    ``page``: the page the link's path names ("" for the first page, "class" for the students'),
    sent with the first run as a browser sends it. `poll` runs the page's timed fragment as the
    browser's timer does (``st.fragment(run_every=...)``); `press` presses a button as a browser
    does, in its fragment's run when it belongs to one, a form's values with it.
    """

    def __init__(self, base_url: str, query_string: str = "", page: str = "", timeout: float = 60) -> None:
        super().__init__(base_url, query_string, timeout)
        self.page = page
        self._auto_rerun = False
        self._timers: dict[str, float] = {}

    def _send(self, message: BackMsg) -> None:
        if message.WhichOneof("type") == "rerun_script":
            if not message.rerun_script.page_script_hash:
                message.rerun_script.page_name = self.page
            message.rerun_script.is_auto_rerun = self._auto_rerun
        super()._send(message)

    def _next(self) -> ForwardMsg:
        """As `Session._next`, and the page shown is the one the navigation names, as the browser
        takes it (``new_session`` names the navigation's script, whose next run would show the
        first page)."""
        message = super()._next()
        kind = message.WhichOneof("type")
        if kind == "navigation":
            self.page_script_hash = message.navigation.page_script_hash
        elif kind == "new_session" and not message.metadata.run.fragment_ids:
            self._timers.clear()  # a whole run: the browser's timers are those it starts
        elif kind == "auto_rerun":
            self._timers[message.auto_rerun.fragment_id] = message.auto_rerun.interval
        return message

    def wait(self) -> list[ForwardMsg]:
        """As `Session.wait`, and a value the server set on a toggle or a text box is held and sent
        with every later run, as the browser holds it (the projector's page sets "Projector mode" and
        "Predict first" from its link; a client that left them out would find them off two runs later)."""
        messages = super().wait()
        for kind, proto in self.elements():
            if kind in HELD_KINDS and proto.set_value and (kind == "checkbox" or proto.HasField("value")):
                self.widgets[proto.id] = widget_state(proto.id, proto.value)
        return messages

    def timers(self) -> dict[str, float]:
        """fragment id -> seconds, of the timed fragments the page's last whole run started."""
        return dict(self._timers)

    def poll(self) -> list[ForwardMsg]:
        """What the browser's timer does once: a run of the page's timed fragment (it has one)."""
        (fragment_id,) = self.timers()
        self._auto_rerun = True
        try:
            self._request_run(fragment_id)
        finally:
            self._auto_rerun = False
        return self.wait()

    def buttons(self, label: str) -> list[str]:
        """The ids of the buttons (form buttons too) labelled ``label`` that the last run drew."""
        return [proto.id for kind, proto in self.elements() if kind == "button" and proto.label == label]

    def button(self, label: str) -> str:
        (found,) = self.buttons(label)
        return found

    def press(self, widget_id: str, values: Mapping[str, object] | None = None) -> list[ForwardMsg]:
        """Press a button with ``values`` (widget id -> value: a form's fields) sent along."""
        for held, value in (values or {}).items():
            self.widgets[held] = widget_state(held, value)
        self.widgets[widget_id] = WidgetState(id=widget_id, trigger_value=True)
        self._request_run(self._fragment_of.get(widget_id, ""))
        del self.widgets[widget_id]
        return self.wait()

    def html_bodies(self) -> list[str]:
        return [proto.body for kind, proto in self.elements() if kind == "html"]

    def codes(self) -> list[str]:
        return [proto.code_text for kind, proto in self.elements() if kind == "code"]


# ---- The teacher's page --------------------------------------------------------------------------------

ROOM_HEADING = re.compile(r"### Room \*\*([0-9A-Z]{3}) ([0-9A-Z]{3})\*\*")
COUNT = re.compile(r"## Round (\d+): (\d+) answered(, revealed)?")
BAR = re.compile(r'data-label="([^"]*)" data-count="(\d+)"')
HISTOGRAM = re.compile(r"data-round='(\d+)'")


def open_projector(url: str) -> ClassPage:
    teacher = ClassPage(url, TEACHER_LINK)
    teacher.connect()
    teacher.run()
    assert teacher.exceptions() == []
    return teacher


def ask_the_class(teacher: ClassPage) -> str:
    """Press "Ask the class" beside the pixel's sum (the button after its question); the room's code."""
    asked, button = False, None
    for kind, proto in teacher.elements():
        if kind == "markdown" and proto.body.startswith("**Predict first.** What is the sum at this pixel?"):
            asked = True
        elif asked and kind == "button" and proto.label == "Ask the class":
            button = proto.id
            break
    assert button, "no 'Ask the class' button after the pixel's question"
    teacher.press(button)
    assert teacher.exceptions() == []
    return room_code(teacher)


def room_code(page: ClassPage) -> str:
    found = [ROOM_HEADING.fullmatch(text) for text in page.texts()]
    (code,) = [match[1] + match[2] for match in found if match]
    return code


def shown_count(page: ClassPage) -> tuple[int, int, bool] | None:
    """(round, how many answered, revealed) as the projector's heading says, or None."""
    for text in page.texts():
        if match := COUNT.fullmatch(text):
            return int(match[1]), int(match[2]), bool(match[3])
    return None


def histograms(page: ClassPage) -> dict[int, Counter]:
    """Round -> {bar's label: count}, of the histograms the last run drew."""
    shown = {}
    for body in page.html_bodies():
        if round_number := HISTOGRAM.search(body):
            bars = Counter({html.unescape(label): int(count) for label, count in BAR.findall(body)})
            shown[int(round_number[1])] = bars
    return shown


class Projector(threading.Thread):
    """The projector's timer while students answer: the count fragment run every second, as the
    browser does, and when each count was first shown (``time.monotonic()``, the run's end)."""

    def __init__(self, teacher: ClassPage) -> None:
        super().__init__(name="projector", daemon=True)
        self.teacher = teacher
        self.shown: dict[tuple[int, int], float] = {}
        self.polls = 0
        self.problem: BaseException | None = None
        self._halt = threading.Event()

    def run(self) -> None:
        try:
            while not self._halt.is_set():
                started = time.monotonic()
                self.teacher.poll()
                self.polls += 1
                count = shown_count(self.teacher)
                if count is not None:
                    self.shown.setdefault(count[:2], time.monotonic())
                self._halt.wait(max(0.0, started + TEACHER_POLL_S - time.monotonic()))
        except BaseException as problem:
            self.problem = problem

    def first_shown(self, round_number: int, count: int, timeout: float) -> float:
        """When the projector first showed ``count`` answers to round ``round_number``."""

        def seen() -> float | None:
            if self.problem is not None:
                raise self.problem
            return self.shown.get((round_number, count))

        return wait_for(seen, timeout, f"the projector showing round {round_number}: {count} answered")

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=60)
        if self.problem is not None:
            raise self.problem


# ---- The students' pages ------------------------------------------------------------------------------


def open_room(url: str, link: str) -> ClassPage:
    """A phone that opened the room's ``link`` (its path and query, here through the balancer)."""
    parts = urlsplit(link)
    student = ClassPage(url, parts.query, page=parts.path.strip("/"))
    student.connect()
    student.run()
    assert student.exceptions() == []
    return student


def send(student: ClassPage, typed: object) -> list[str]:
    """Type ``typed`` in "Your answer" and press Send (the form the page shows, drawn by its last
    whole run); what the page says then."""
    answer = student.widget_id(state.CLASS_ANSWER)
    student.press(student.widget_id(f"FormSubmitter:{ANSWER_FORM}-Send"), {answer: typed})
    assert student.exceptions() == []
    return student.texts()


def warnings_of(page: ClassPage) -> list[str]:
    return [
        proto.body for kind, proto in page.elements() if kind == "alert" and proto.format == Alert.WARNING
    ]


def expected_bars(*typed: Mapping[str, int]) -> Counter:
    """The histogram a round's answers make: a bar per value, as the page writes it."""
    bars = Counter()
    for answers in typed:
        for text, count in answers.items():
            bars[format_value(float(text))] += count
    return bars


# ---- The room as Redis holds it ----------------------------------------------------------------------


def redis_url(served) -> str:
    """The store's address, as deploy.serve gave it to the app processes."""
    _, pid = served.children()["app1"]
    return psutil.Process(pid).environ()["ROOMS_REDIS_URL"]


def stored(rooms: RedisRoomStore, code: str) -> tuple[dict[str, str], dict[str, str]]:
    """The room's fields and its answers ("round:token" -> "changes|value"), as the app keeps them."""
    fields = rooms.client.hgetall(f"{rooms.prefix}room:{code}")
    answers = rooms.client.hgetall(f"{rooms.prefix}answers:{code}")
    return fields, answers


def counted(answers: Mapping[str, str], round_number: int) -> Counter:
    """The values counted in round ``round_number`` (one per student), as the histogram writes them."""
    return Counter(
        format_value(float(entry.split("|", 1)[1]))
        for field, entry in answers.items()
        if field.startswith(f"{round_number}:")
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator:
    """``python -m deploy.serve --processes 2`` with its Redis, for the whole module."""
    needs("haproxy", "haproxy")
    needs("redis-server", "redis-server")
    served = launch(tmp_path_factory.mktemp("class_question"), "--processes", "2")
    try:
        wait_until_serving(served)
        yield served
        stop(served)
    finally:
        clean_up(served)


def typed_answers(answers: Mapping[str, int]) -> list[str]:
    return [text for text, count in answers.items() for _ in range(count)]


# ---- The tests ------------------------------------------------------------------------------------------


def test_thirty_students_answer_once_each_forged_answers_are_refused_and_both_rounds_show(served):
    rooms = RedisRoomStore(redis_url(served))
    teacher = open_projector(served.url)
    students: list[ClassPage] = []
    try:
        code = ask_the_class(teacher)
        assert shown_count(teacher) == (1, 0, False)
        fields, _ = stored(rooms, code)
        question = Question.from_json(fields["question"])
        assert question.kind == "pixel_sum" and float(question.answer) == 537, question
        teacher.set_widget(state.ROOM_ADDRESS_BOX, ADDRESS)  # opened on loopback: the teacher types it
        (link,) = [text for text in teacher.codes() if "room=" in text]  # the other: the view's link
        assert link == f"{ADDRESS}/{CLASS_PAGE_PATH}?room={code}"
        assert f"QR code of the room's link, {link}" in [
            image.alt for kind, proto in teacher.elements() if kind == "imgs" for image in proto.imgs
        ]

        # 30 students open the link (each joins once) and answer at once.
        typed = typed_answers(ROUND_1)
        assert len(typed) == 30
        with ThreadPoolExecutor(len(typed)) as pool:
            students = list(pool.map(lambda _: open_room(served.url, link), typed))
        for student in students:
            assert f"Room {code[:3]} {code[3:]} · round 1 · anonymous: only your answer is sent" in (
                student.texts()
            )
            assert student.buttons("Send")
        assert {affinity(student) for student in students} == {"app1", "app2"}
        assert stored(rooms, code)[0]["joined"] == "30"

        projector = Projector(teacher)
        projector.start()
        start = threading.Barrier(len(typed))

        def answer(pair: tuple[ClassPage, str]) -> tuple[float, list[str]]:
            student, text = pair
            start.wait()
            sent = time.monotonic()
            return sent, send(student, text)

        with ThreadPoolExecutor(len(typed)) as pool:
            sent = list(pool.map(answer, zip(students, typed, strict=True)))
        last = max(when for when, _ in sent)
        for (_, texts), text in zip(sent, typed, strict=True):
            shown = format_value(float(text))
            assert f"Your answer {shown} is in. You can change it until the teacher reveals." in texts
        shown_at = projector.first_shown(1, 30, timeout=30)
        projector.stop()
        print(
            f"30 answers sent within {last - min(when for when, _ in sent):.2f} s; the projector "
            f"showed 30 {shown_at - last:.2f} s after the last was sent ({projector.polls} polls)"
        )
        assert shown_at - last <= COUNT_WITHIN_S
        _, answers = stored(rooms, code)
        assert len(answers) == 30 and all(entry.startswith("1|") for entry in answers.values())
        assert counted(answers, 1) == expected_bars(ROUND_1)

        # Forged answers: refused with a message, and the room stays as it was.
        forger = open_room(served.url, link)
        for forged, message in (
            ("twelve", "The guess is 'twelve', which is not a number"),
            ("1e999", "keep values between"),
            # 10 kB: Streamlit keeps the text box's first 40 characters (its max_chars), which are read
            ("9" * 10_240, "The guess is 1e+40; keep values between"),
            ("537" + "x" * 10_237, "which is not a number"),
            ("1e308", "keep values between"),
            ("", "The guess is empty"),
        ):
            send(forger, forged)
            assert any(message in warning for warning in warnings_of(forger)), (forged[:20], forger.texts())
            assert stored(rooms, code)[1] == answers
        for number in range(1, 51):  # a flood: the first MAX_CHANGES are taken, the last of them counts
            texts = send(forger, str(number))
            refused = any(
                f"You have answered {MAX_CHANGES} times" in warning for warning in warnings_of(forger)
            )
            assert refused == (number > MAX_CHANGES), (number, texts)
            assert f"Your answer {min(number, MAX_CHANGES)} is in." in " ".join(texts)
        _, answers = stored(rooms, code)
        assert len(answers) == 31
        assert counted(answers, 1) == expected_bars(ROUND_1, {str(MAX_CHANGES): 1})
        flooded = [entry for entry in answers.values() if entry == f"{MAX_CHANGES}|{float(MAX_CHANGES)!r}"]
        assert len(flooded) == 1

        # A pass the room did not sign, or a round that is not the open one (no page sends them: a
        # page's round goes with its form, from the server; a forged client could send them straight).
        fields, _ = stored(rooms, code)
        joined = rooms.join(code, "a forged client")
        with pytest.raises(AnswerRefused, match="The teacher has moved on"):
            rooms.answer(joined, "0123abcd", "537")
        with pytest.raises(AnswerRefused, match="pass for the room is not valid"):
            rooms.answer(StudentPass(code, "AAAAAAAAAAAA.0123456789abcdef"), fields["round_id"], "537")
        with pytest.raises(AnswerRefused, match="pass for the room is not valid"):
            rooms.answer(StudentPass(code, "é" * 40), fields["round_id"], "537")

        # A guessed code, and one that cannot be a code: said on the page, nothing joined.
        for guessed, message in (
            ("ZZZZZZ", "No open room has the code ZZZ ZZZ."),
            ("<b>1</b>", "A room code has 6 letters and digits"),
        ):
            guesser = open_room(served.url, f"/{CLASS_PAGE_PATH}?room={guessed}")
            assert any(message in warning for warning in warnings_of(guesser)), guesser.texts()
            assert not guesser.buttons("Send")
            guesser.close()
        assert stored(rooms, code)[1] == answers

        # Reveal: the histogram's bars are the answers counted.
        teacher.poll()
        teacher.press(teacher.button("Reveal"))
        assert shown_count(teacher) == (1, 31, True)
        round_1 = expected_bars(ROUND_1, {str(MAX_CHANGES): 1})
        assert histograms(teacher) == {1: round_1}
        assert "The answer: **537** · " in " ".join(teacher.texts())

        # An answer to the revealed round is refused; the room is unchanged.
        late = students[0]
        texts = send(late, "312")
        assert "Answers are closed: look at the projector." in texts, texts
        assert "The answer: **537**. Yours: **537**." in texts
        assert stored(rooms, code)[1] == answers

        # Ask again: round 2, its answers apart from round 1's.
        teacher.press(teacher.button("Ask again"))
        assert shown_count(teacher) == (2, 0, False)
        assert histograms(teacher) == {1: round_1}  # the first round stays in sight
        stale = students[1]  # its page still shows round 1's form: the answer is refused, said
        texts = send(stale, "537")
        assert any("The teacher has moved on" in warning for warning in warnings_of(stale)), texts
        assert any("· round 2 ·" in text for text in texts), texts  # and its page is drawn again
        fields, answers_now = stored(rooms, code)
        assert fields["round"] == "2" and answers_now == answers
        for student in students:  # each phone's watch of the room (every 2 s) redraws it for round 2
            if student is not stale:
                student.poll()
                assert any("· round 2 ·" in text for text in student.texts()), student.texts()
        projector = Projector(teacher)
        projector.start()
        with ThreadPoolExecutor(len(students)) as pool:
            list(pool.map(lambda pair: send(*pair), zip(students, typed_answers(ROUND_2), strict=True)))
        projector.first_shown(2, 30, timeout=30)
        projector.stop()
        _, answers = stored(rooms, code)
        assert counted(answers, 1) == round_1 and counted(answers, 2) == expected_bars(ROUND_2)
        teacher.press(teacher.button("Reveal"))
        assert shown_count(teacher) == (2, 30, True)
        assert histograms(teacher) == {1: round_1, 2: expected_bars(ROUND_2)}
        assert not teacher.buttons("Ask again")  # two rounds at most

        # Closed by the teacher: gone from Redis, and a phone that answers is told.
        teacher.press(teacher.button("Close the room"))
        assert shown_count(teacher) is None and stored(rooms, code) == ({}, {})
        assert teacher.exceptions() == []
        late.poll()
        assert any("This room has closed" in warning for warning in warnings_of(late)), late.texts()
    finally:
        for page in [teacher, *students]:
            page.close()
        rooms.client.close()


def reconnected(page: ClassPage) -> ClassPage:
    """What a page does once its websocket dropped (its process was killed): connect again through
    the balancer with its cookies, its link and the widgets it holds, and rerun (tests/e2e/test_faults)."""
    with pytest.raises(ConnectionClosed):
        page.run()
    again = ClassPage(page.base_url, link_of(page) or page.query_string, page.page, timeout=60)
    again.http.cookies.update(page.http.cookies)
    again.page_script_hash = page.page_script_hash
    again.connect(first_run=False)
    again.hold_widgets_of(page)
    again.run()
    page.close()
    return again


def test_a_room_outlives_the_app_process_that_opened_it(served):
    rooms = RedisRoomStore(redis_url(served))
    teacher = open_projector(served.url)
    students: list[ClassPage] = []
    try:
        code = ask_the_class(teacher)
        link = f"/{CLASS_PAGE_PATH}?room={code}"
        with ThreadPoolExecutor(8) as pool:
            students = list(pool.map(lambda _: open_room(served.url, link), range(8)))
        victim = affinity(teacher)
        dying = [student for student in students if affinity(student) == victim]
        living = [student for student in students if affinity(student) != victim]
        assert len(dying) >= 2 and len(living) >= 2, [affinity(student) for student in students]
        for student in (dying[0], living[0]):
            send(student, "537")
        before = stored(rooms, code)
        assert len(before[1]) == 2

        port, pid = served.children()[victim]
        os.kill(pid, signal.SIGKILL)
        assert stored(rooms, code) == before

        # The students of the other process never notice: the room, and their answers, are read.
        for student in living:
            student.poll()  # its watch reads the room: unchanged, nothing is drawn again
            assert student.exceptions() == [] and student.texts() == []
            student.run()
            assert any(f"Room {code[:3]} {code[3:]} · round 1" in text for text in student.texts())
        assert "Your answer 537 is in." in " ".join(living[0].texts())
        send(living[1], "-537")
        # Those of the killed process reconnect (to the other) and still find the room from their link.
        moved = [reconnected(student) for student in dying]
        students = [*living, *moved]
        for student in moved:
            assert affinity(student) != victim and student.exceptions() == []
            assert any(f"Room {code[:3]} {code[3:]} · round 1" in text for text in student.texts())
        send(moved[1], "312")
        # The killed process is started again; a student who opens the link now answers too.
        wait_for(lambda: served.children()[victim][1] != pid, 30, f"{victim} started again")
        wait_for(lambda: f"{victim} answers again" in served.log(), 60, f"{victim} answering again")
        newcomer = open_room(served.url, link)
        students.append(newcomer)
        send(newcomer, "255")

        fields, answers = stored(rooms, code)
        for name in ("question", "round", "round_id", "phase", "teacher", "secret"):
            assert fields[name] == before[0][name], name
        assert all(answers.get(field) == entry for field, entry in before[1].items())
        assert counted(answers, 1) == expected_bars({"537": 2, "-537": 1, "312": 1, "255": 1})
        assert served.children()[victim][0] == port
    finally:
        for page in [teacher, *students]:
            page.close()
        rooms.client.close()


# ---- Design gaps: what a session alone holds is lost with its process -----------------------------------


def killed_mid_question(served) -> tuple[ClassPage, ClassPage, str]:
    """A room asked by a teacher whose app process is then killed (SIGKILL), with a student of that
    process who had answered 537; the room's code. Returns once the process answers again."""
    teacher = open_projector(served.url)
    code = ask_the_class(teacher)
    victim = affinity(teacher)
    others = []
    while True:  # the balancer sends each newcomer to the process with fewer connections
        student = open_room(served.url, f"/{CLASS_PAGE_PATH}?room={code}")
        if affinity(student) == victim:
            break
        others.append(student)
        assert len(others) < 10, "no student reached the teacher's process"
    for other in others:
        other.close()
    send(student, "537")
    _, pid = served.children()[victim]
    restarts = served.log().count(f"{victim} answers again")
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: served.log().count(f"{victim} answers again") > restarts, 60, f"{victim} back")
    return teacher, student, code


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="design gap: the teacher's pass (TeacherPass, its key) lives only in the projector page's "
    "session (views/class_room.py, state.ROOM), so a page whose app process restarted has no room",
)
def test_the_projector_still_runs_its_room_after_its_process_restarts(served):
    rooms = RedisRoomStore(redis_url(served))
    teacher, student, code = killed_mid_question(served)
    try:
        teacher = reconnected(teacher)
        assert teacher.exceptions() == []
        assert stored(rooms, code)[0], "the room is still in Redis"
        shown = [text for text in teacher.texts() if ROOM_HEADING.fullmatch(text)]
        assert shown == [f"### Room **{code[:3]} {code[3:]}**"], "the projector shows no room"
        assert shown_count(teacher) == (1, 1, False)
    finally:
        teacher.close()
        student.close()
        rooms.client.close()


def test_a_student_whose_process_restarts_still_has_one_answer(served):
    rooms = RedisRoomStore(redis_url(served))
    teacher, student, code = killed_mid_question(served)
    try:
        student = reconnected(student)
        assert student.exceptions() == []
        assert any(f"Room {code[:3]} {code[3:]} · round 1" in text for text in student.texts())
        send(student, "312")
        _, answers = stored(rooms, code)
        assert counted(answers, 1) == Counter({"312": 1}), answers
    finally:
        teacher.close()
        student.close()
        rooms.client.close()


def test_an_answer_refused_at_the_reveal_is_not_shown_in_the_next_round(served):
    teacher = open_projector(served.url)
    student = None
    try:
        code = ask_the_class(teacher)
        student = open_room(served.url, f"/{CLASS_PAGE_PATH}?room={code}")
        teacher.poll()
        teacher.press(teacher.button("Reveal"))
        texts = send(student, "537")  # pressed as the teacher revealed: its page still had the form
        assert "Answers are closed: look at the projector." in texts
        teacher.press(teacher.button("Ask again"))
        student.poll()  # its watch of the room draws round 2's form
        assert any("· round 2 ·" in text for text in student.texts()), student.texts()
        assert warnings_of(student) == [], "round 2's form says its answers are closed"
    finally:
        teacher.close()
        if student is not None:
            student.close()
