"""Class rooms (filters/rooms.py): a live question answered by a whole class, in memory and in Redis.

Every test of a room runs against both stores: the memory store (one ``streamlit run app.py``), with
a fake clock, and the Redis store against a real ``redis-server`` started here with the settings
``python -m deploy.serve`` gives it.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import redis

from deploy.serve import REDIS_SERVER, REDIS_SETTINGS, free_port
from filters import rooms
from filters.pipeline import apply_filter
from filters.predict import GuessError, filter_question, read_guess, size_questions, sum_question
from filters.presets import LECTURE_POOLING_GRID, PRESETS
from filters.rooms import (
    CODE_ALPHABET,
    FAILED_LOOKUPS,
    LOOKUP_WINDOW,
    MAX_CHANGES,
    MAX_QUESTION_BYTES,
    ROOM_SECONDS,
    ROOMS_PER_CLIENT,
    UNAVAILABLE,
    AnswerRefused,
    MemoryRoomStore,
    NotThisRoom,
    RedisRoomStore,
    RoomError,
    RoomFull,
    RoomGone,
    RoomNotFound,
    RoomStore,
    StoreUnavailable,
    StudentPass,
    TeacherPass,
    TooManyTries,
    new_code,
    normalise_code,
    shared_store,
    spaced_code,
)
from filters.walkthrough import walk_pixel

ROOT = Path(__file__).resolve().parent.parent
LECTURE_FILTER = np.array([[-1, 0, -2], [0.5, 4.5, 1.5], [1.5, 2, -3]])
LECTURE_SUM = sum_question(
    walk_pixel(apply_filter(LECTURE_POOLING_GRID[:3, :3], LECTURE_FILTER, mapping="signed"), 0, 0)
)
"""The lecture's pixel: the sum is 1009; 1521 and -719 are sign slips."""
BLUR_SUM = sum_question(
    walk_pixel(
        apply_filter(
            LECTURE_POOLING_GRID[:3, :3],
            PRESETS["box_blur"].values,
            weight=PRESETS["box_blur"].weight,
            mapping="signed",
        ),
        0,
        0,
    )
)
"""A sum with a fraction: 123.56 (1112 / 9), answers accepted from -510 to 510."""
FILTERED_WIDTH, POOLED_WIDTH = size_questions((28, 28), "valid")
"""28 -> 26 -> 13: whole answers from 0 to 112."""
TEACHER, STUDENT = "10.0.0.1", "10.0.0.2"
NOT_VALID = "This page's pass for the room is not valid"


# ---- The stores ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory):
    """A real Redis on a free port, as ``python -m deploy.serve`` starts it, stopped afterwards."""
    if not Path(REDIS_SERVER).exists():
        pytest.fail(
            f"{REDIS_SERVER} is missing: the class rooms are tested against a real Redis. "
            "Install Debian's redis-server (apt-get install redis-server), as CI does."
        )
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    command = [
        REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(workdir), *REDIS_SETTINGS,
    ]  # fmt: skip
    log = workdir / "redis.log"
    with log.open("wb") as output:
        server = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_timeout=1)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        f"redis-server did not start on port {port} (exit status {server.poll()}): "
                        f"{log.read_text()[-2000:]}"
                    )
                time.sleep(0.05)
        yield url
    finally:
        client.close()
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


class FakeClock:
    """The memory store's clock, moved on by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclasses.dataclass
class Backend:
    """One kind of store: ``make`` gives a store as one app process has it, ``wait`` lets time pass."""

    name: str
    make: Callable[..., RoomStore]
    wait: Callable[[float], None]

    def processes(self, first: RoomStore, count: int) -> list[RoomStore]:
        """The stores of ``count`` app processes sharing ``first``'s rooms: each its own RedisRoomStore
        (its own connections), or the one memory store (a single process serves every page)."""
        if self.name == "redis":
            return [first, *(self.make() for _ in range(count - 1))]
        return [first] * count


@pytest.fixture(params=["memory", "redis"])
def backend(request: pytest.FixtureRequest) -> Backend:
    if request.param == "memory":
        clock = FakeClock()
        return Backend("memory", lambda seconds=ROOM_SECONDS: MemoryRoomStore(seconds, clock), clock.advance)
    url = request.getfixturevalue("redis_url")
    with redis.Redis.from_url(url) as client:
        client.flushdb()
    return Backend("redis", lambda seconds=ROOM_SECONDS: RedisRoomStore(url, seconds), time.sleep)


@pytest.fixture
def store(backend: Backend) -> RoomStore:
    return backend.make()


def join_and_answer(store: RoomStore, code: str, guesses: list[object]) -> list[StudentPass]:
    """Students who each join (from one school address) and send one guess, as their pages do."""
    students = []
    for guess in guesses:
        student = store.join(code, STUDENT)
        store.answer(student, store.student_view(student).round_id, guess)
        students.append(student)
    return students


def counted(store: RoomStore, teacher: TeacherPass) -> dict[float | str, int]:
    return dict(store.teacher_view(teacher).current.counts)


# ---- Codes and passes ---------------------------------------------------------------------------------


def test_codes_are_six_characters_easy_to_read_and_typed_any_way():
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(code) == 6 and set(code) <= set(CODE_ALPHABET) for code in codes)
    assert not set("01ILOU") & set(CODE_ALPHABET)
    assert normalise_code(" k7m q4r ") == normalise_code("K7M-Q4R") == "K7MQ4R"
    assert spaced_code("K7MQ4R") == "K7M Q4R"
    for not_a_code in ("K7MQ4", "K7MQ4RR", "K7MQ40", "K7MQ4!", 123456, None, "K" * 1000):
        assert normalise_code(not_a_code) is None


def test_passes_keep_their_secrets_out_of_logs(store):
    teacher = store.open_room(FILTERED_WIDTH, TEACHER)
    student = store.join(teacher.code, STUDENT)
    assert teacher.key and teacher.key not in repr(teacher) and teacher.code in repr(teacher)
    assert student.token and student.token not in repr(student)


# ---- A lesson's question ------------------------------------------------------------------------------


def test_a_question_asked_answered_revealed_and_asked_again(store):
    teacher = store.open_room(LECTURE_SUM, TEACHER)
    state = store.teacher_view(teacher)
    assert (state.code, state.round, state.is_open, state.joined) == (teacher.code, 1, True, 0)
    assert state.question == LECTURE_SUM and state.current.total == 0 and not state.can_ask_again
    assert 7190 < state.expires_in <= ROOM_SECONDS
    with pytest.raises(RoomError, match="Reveal this round before asking again"):
        store.ask_again(teacher)

    students = join_and_answer(store, teacher.code, ["1009", 1009.0, " 1521 ", "1009", "-719"])
    state = store.teacher_view(teacher)
    assert state.joined == 5
    first = state.current
    assert (first.round, first.total, first.right) == (1, 5, 3)
    assert first.counts == ((-719.0, 1), (1009.0, 3), (1521.0, 1))
    assert [(bar.label, bar.count, bar.holds_answer) for bar in first.bars] == [
        ("-719", 1, False),
        ("1009", 3, True),
        ("1521", 1, False),
    ]
    assert {(m.key, m.answer_text, m.count) for m in first.mixups} == {
        ("sign", "1521", 1),
        ("sign", "-719", 1),
    }
    assert "192 × 4.5 = 864" in next(m.explanation for m in first.mixups if m.answer_text == "-719")

    view = store.student_view(students[2])
    assert (view.round, view.is_open, view.kind, view.my_answer, view.answer_text) == (
        1,
        True,
        "pixel_sum",
        "1521",
        None,
    )
    assert view.prompt == LECTURE_SUM.prompt and view.details == LECTURE_SUM.details
    assert "1009" not in repr(view), "the answer shows before the reveal"
    assert view.message.startswith("Answer now")

    store.reveal(teacher)
    store.reveal(teacher)  # pressed twice: harmless
    state = store.teacher_view(teacher)
    assert not state.is_open and state.can_ask_again and state.current == first
    view = store.student_view(students[2])
    assert (view.is_open, view.answer_text, view.my_answer) == (False, "1009", "1521")
    assert view.message.startswith("Answers are closed")
    with pytest.raises(AnswerRefused, match="Answers are closed for this round"):
        store.answer(students[2], view.round_id, "1009")

    store.ask_again(teacher)
    state = store.teacher_view(teacher)
    assert (state.round, state.is_open, len(state.tallies)) == (2, True, 2)
    assert state.tallies[0] == first and state.current.total == 0
    view = store.student_view(students[2])
    assert (view.round, view.is_open, view.my_answer, view.answer_text) == (2, True, None, None)
    for student, guess in zip(students, ["1009", "1009", "1009", "1009", "1521"], strict=True):
        store.answer(student, view.round_id, guess)
    store.reveal(teacher)
    first_again, second = store.teacher_view(teacher).tallies
    assert first_again == first, "the first round changed when the second was answered"
    assert (second.round, second.total, second.right, second.counts) == (2, 5, 4, ((1009.0, 4), (1521.0, 1)))
    with pytest.raises(RoomError, match="A question has 2 rounds"):
        store.ask_again(teacher)


def test_a_new_question_in_the_same_room_starts_afresh(store):
    teacher = store.open_room(FILTERED_WIDTH, TEACHER)
    [student] = join_and_answer(store, teacher.code, ["26"])
    old_round = store.student_view(student).round_id
    store.ask(teacher, POOLED_WIDTH)
    state = store.teacher_view(teacher)
    assert (state.question, state.round, state.is_open, state.current.total) == (POOLED_WIDTH, 1, True, 0)
    with pytest.raises(AnswerRefused, match="The teacher has moved on"):
        store.answer(student, old_round, "26")
    view = store.student_view(student)  # the same pass, the new question
    assert (view.prompt, view.my_answer) == (POOLED_WIDTH.prompt, None)
    assert store.answer(student, view.round_id, "13") == "13"
    assert counted(store, teacher) == {13.0: 1}


def test_changing_ones_answer_counts_once_and_the_last_answer_counts(store):
    teacher = store.open_room(FILTERED_WIDTH, TEACHER)
    student = store.join(teacher.code, STUDENT)
    round_id = store.student_view(student).round_id
    for guess in ("24", "28", "２６"):  # full-width digits, as some phone keyboards type them
        store.answer(student, round_id, guess)
    assert counted(store, teacher) == {26.0: 1}
    assert store.student_view(student).my_answer == "26"


def test_the_histogram_of_many_whole_answers_holds_every_answer_once(store):
    teacher = store.open_room(FILTERED_WIDTH, TEACHER)
    sent = [*range(0, 112, 3), 26, 26, 26, 112]
    join_and_answer(store, teacher.code, sent)
    bars = store.teacher_view(teacher).current.bars
    assert len(bars) == 12
    assert [(bar.low, bar.high) for bar in bars][:2] == [(0, 9), (10, 19)]
    assert bars[-1].high == 112 and bars[-1].label == "110 to 112"
    for bar, after in itertools.pairwise(bars):
        assert after.low == bar.high + 1
    for bar in bars:
        assert bar.count == sum(bar.low <= value <= bar.high for value in sent), bar
        assert bar.holds_answer == (bar.low <= 26 <= bar.high)
    assert sum(bar.count for bar in bars) == len(sent)


def test_the_histogram_of_many_fractional_answers_counts_the_highest_one(store):
    # From -137.72 to 125.03, low + 12 x width falls short of the highest answer by a rounding crumb:
    # the last range must still hold it.
    teacher = store.open_room(BLUR_SUM, TEACHER)
    sent = [-137.72, *np.round(np.linspace(-130, 120, 20), 2).tolist(), 123.56, 123.56, 125.03]
    join_and_answer(store, teacher.code, sent)
    tally = store.teacher_view(teacher).current
    bars = tally.bars
    assert len(bars) == 12 and (bars[0].low, bars[-1].high) == (-137.72, 125.03)
    for index, bar in enumerate(bars):
        last = index == len(bars) - 1
        inside = [value for value in sent if bar.low <= value < bar.high or (last and value == bar.high)]
        assert bar.count == len(inside), bar
    assert sum(bar.count for bar in bars) == tally.total == len(sent)
    assert [bar.holds_answer for bar in bars] == [bar.low <= 1112 / 9 < bar.high for bar in bars]
    assert tally.right == 2


WHICH_FILTER = filter_question("vertical_edges", seed="tests")


def test_which_filter_made_this_counts_one_bar_per_choice(store):
    teacher = store.open_room(WHICH_FILTER, TEACHER)
    keys = [choice.key for choice in WHICH_FILTER.choices]
    wrong = next(key for key in keys if key != "vertical_edges")
    *_, chose_wrong = join_and_answer(store, teacher.code, ["vertical_edges", "vertical_edges", wrong])
    labels = {choice.key: choice.label for choice in WHICH_FILTER.choices}
    view = store.student_view(chose_wrong)
    assert (view.kind, view.choices, view.my_answer, view.answer_text) == (
        "which_filter",
        WHICH_FILTER.choices,
        labels[wrong],
        None,
    )
    student = store.join(teacher.code, STUDENT)
    for not_a_choice in ("sharpen_everything", "", None, 1):
        with pytest.raises(GuessError) as reading:
            read_guess(WHICH_FILTER, not_a_choice)
        with pytest.raises(AnswerRefused) as refused:
            store.answer(student, store.student_view(student).round_id, not_a_choice)
        assert str(refused.value) == str(reading.value)
    tally = store.teacher_view(teacher).current
    assert [(bar.low, bar.count, bar.holds_answer) for bar in tally.bars] == [
        (key, {"vertical_edges": 2, wrong: 1}.get(key, 0), key == "vertical_edges") for key in keys
    ]
    assert [bar.label for bar in tally.bars] == [choice.label for choice in WHICH_FILTER.choices]
    assert (tally.total, tally.right) == (3, 2)
    assert [(m.key, m.answer_text, m.count) for m in tally.mixups] == [("other_filter", labels[wrong], 1)]


# ---- A class at once ----------------------------------------------------------------------------------


def test_thirty_students_answering_at_once_are_each_counted_once(backend, store):
    teacher = store.open_room(FILTERED_WIDTH, TEACHER)
    processes = backend.processes(store, 3)  # Redis: three app processes, each with its own client
    start = threading.Barrier(30)

    def student(index: int) -> str | None:
        here = processes[index % 3]
        me = here.join(teacher.code, f"10.0.1.{index}")
        round_id = here.student_view(me).round_id
        start.wait(timeout=10)
        for guess in (index, index + 1, 20 + index % 10):  # changes their mind twice: the last counts
            here.answer(me, round_id, guess)
        return here.student_view(me).my_answer

    with ThreadPoolExecutor(max_workers=30) as pool:
        last = list(pool.map(student, range(30)))
    assert last == [str(20 + index % 10) for index in range(30)]
    for process in processes:
        state = process.teacher_view(teacher)
        assert (state.joined, state.current.total, state.current.right) == (30, 30, 3)
        assert dict(state.current.counts) == {float(value): 3 for value in range(20, 30)}


def test_one_pass_flooding_from_many_threads_gets_exactly_its_allowance(backend, store):
    teacher = store.open_room(FILTERED_WIDTH, TEACHER)
    student = store.join(teacher.code, STUDENT)
    round_id = store.student_view(student).round_id
    processes = backend.processes(store, 4)
    start = threading.Barrier(3 * MAX_CHANGES)

    def send(index: int) -> bool:
        start.wait(timeout=10)
        try:
            processes[index % 4].answer(student, round_id, 26)
        except AnswerRefused as refused:
            assert (
                str(refused)
                == f"You have answered {MAX_CHANGES} times in this round: your last answer counts."
            )
            return False
        return True

    with ThreadPoolExecutor(max_workers=3 * MAX_CHANGES) as pool:
        taken = list(pool.map(send, range(3 * MAX_CHANGES)))
    assert sum(taken) == MAX_CHANGES
    assert counted(store, teacher) == {26.0: 1}
    join_and_answer(store, teacher.code, ["24"])  # the room still takes the others' answers
    assert counted(store, teacher) == {24.0: 1, 26.0: 1}


# ---- What a student or a forged client may send -------------------------------------------------------

NOT_ANSWERS = [
    "abc",
    "",
    None,
    "nan",
    float("nan"),
    float("inf"),
    "-inf",
    "1e400",
    10**400,
    "9" * 41,
    "x" * 1_000_000,
    "5000",
    "-1",
    "26.5",
    [26],
    True,
    "26\x00",
]
"""Not a width from 0 to 112: text, nothing, NaN and infinities, huge numbers, huge texts, out of
range, a fraction, a list and a bool a forged client might send, a hidden NUL."""


def test_answers_that_are_not_numbers_are_refused_and_the_room_is_intact(store):
    teacher = store.open_room(FILTERED_WIDTH, TEACHER)
    [student] = join_and_answer(store, teacher.code, ["28"])
    round_id = store.student_view(student).round_id
    for guess in NOT_ANSWERS:
        with pytest.raises(GuessError) as reading:
            read_guess(FILTERED_WIDTH, guess)
        with pytest.raises(AnswerRefused) as refused:
            store.answer(student, round_id, guess)
        assert str(refused.value) == str(reading.value), "the room says what the page would say"
        assert 10 < len(str(refused.value)) < 200
    assert counted(store, teacher) == {28.0: 1}
    assert store.student_view(student).my_answer == "28"
    for _ in range(MAX_CHANGES - 1):  # refusals did not use up the student's answers
        store.answer(student, round_id, "26")
    assert counted(store, teacher) == {26.0: 1}


def test_forged_and_stale_passes_are_refused_and_the_room_is_intact(store):
    teacher = store.open_room(FILTERED_WIDTH, TEACHER)
    other_room = store.open_room(FILTERED_WIDTH, TEACHER)
    [student] = join_and_answer(store, teacher.code, ["26"])
    stranger = store.join(other_room.code, STUDENT)
    round_id = store.student_view(student).round_id
    nonce, signature = student.token.split(".")
    altered = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    forged_tokens = [
        "",
        "nonsense",
        "A" * 12 + "." + "0" * 16,
        f"{nonce}.{altered}",
        f"{nonce}.{'é' * 16}",  # not ASCII: hmac.compare_digest raises on such a str
        f"{nonce}.{signature}0",
        f"{nonce}0.{signature}",
        "x" * 100_000,
        stranger.token,  # a pass of another room
    ]
    for token in forged_tokens:
        forged = StudentPass(teacher.code, token)
        with pytest.raises(AnswerRefused, match=NOT_VALID):
            store.answer(forged, round_id, "13")
        with pytest.raises(AnswerRefused, match=NOT_VALID):
            store.student_view(forged)
    with pytest.raises(AnswerRefused, match=NOT_VALID):  # a real token, carried to another room
        store.answer(StudentPass(other_room.code, student.token), store.student_view(stranger).round_id, "13")
    for bad_round in ("", "0" * 8, "x" * 100_000, None):
        with pytest.raises(AnswerRefused, match="The teacher has moved on"):
            store.answer(student, bad_round, "13")
    assert counted(store, teacher) == {26.0: 1}
    assert counted(store, other_room) == {}

    store.close(teacher)  # a pass kept after its room closed
    with pytest.raises(RoomGone, match="This room has closed"):
        store.answer(student, round_id, "13")
    with pytest.raises(RoomGone, match="This room has closed"):
        store.student_view(student)
    with pytest.raises(RoomNotFound, match="No open room has the code"):
        store.join(teacher.code, STUDENT)
    with pytest.raises(RoomGone, match="press 'Ask the class'"):
        store.teacher_view(teacher)
    with pytest.raises(RoomGone):
        store.reveal(teacher)


def test_guessed_room_codes_are_limited_per_client(store):
    teacher = store.open_room(FILTERED_WIDTH, TEACHER)
    guesser = "203.0.113.9"
    for not_a_code in ("", "HELLO!", "K7MQ4", "x" * 10_000, None, 42):
        with pytest.raises(RoomNotFound, match="A room code has 6 letters and digits"):
            store.join(not_a_code, guesser)
    wrong_codes = [code for code in (new_code() for _ in range(2 * FAILED_LOOKUPS)) if code != teacher.code]
    for code in wrong_codes[:FAILED_LOOKUPS]:
        with pytest.raises(RoomNotFound, match=f"No open room has the code {spaced_code(code)}"):
            store.join(code, guesser)
    with pytest.raises(TooManyTries, match="Too many room codes were tried from here: wait 10 minutes"):
        store.join(teacher.code, guesser)  # even the right code, once the guesses are used up
    student = store.join(teacher.code.lower(), STUDENT)  # another client is not held up
    store.answer(student, store.student_view(student).round_id, "26")
    assert counted(store, teacher) == {26.0: 1} and store.teacher_view(teacher).joined == 1


def test_failed_lookups_are_forgiven_after_the_window():
    clock = FakeClock()
    store = MemoryRoomStore(clock=clock)
    teacher = store.open_room(FILTERED_WIDTH, TEACHER)
    wrong = next(code for code in iter(new_code, None) if code != teacher.code)
    for _ in range(FAILED_LOOKUPS):
        with pytest.raises(RoomNotFound):
            store.join(wrong, STUDENT)
    with pytest.raises(TooManyTries):
        store.join(teacher.code, STUDENT)
    clock.advance(LOOKUP_WINDOW + 1)
    assert store.join(teacher.code, STUDENT).code == teacher.code


def test_a_teacher_pass_that_is_not_this_rooms_runs_nothing(store):
    teacher = store.open_room(FILTERED_WIDTH, TEACHER)
    other = store.open_room(FILTERED_WIDTH, TEACHER)
    join_and_answer(store, teacher.code, ["26", "24"])
    for impostor in (
        TeacherPass(teacher.code, other.key),
        TeacherPass(teacher.code),
        TeacherPass(teacher.code, "é"),
    ):
        with pytest.raises(
            NotThisRoom, match="This page did not open this room, so it cannot show its answers"
        ):
            store.teacher_view(impostor)
        for step in (store.reveal, store.ask_again, store.close, lambda t: store.ask(t, POOLED_WIDTH)):
            with pytest.raises(NotThisRoom, match="This page did not open this room, so it cannot run it"):
                step(impostor)
    state = store.teacher_view(teacher)
    assert (state.question, state.is_open, state.round) == (FILTERED_WIDTH, True, 1)
    assert dict(state.current.counts) == {24.0: 1, 26.0: 1}
    missing = next(code for code in iter(new_code, None) if code not in (teacher.code, other.code))
    with pytest.raises(RoomGone):
        store.teacher_view(TeacherPass(missing, teacher.key))


def test_rooms_opened_are_limited_per_client_and_per_server(store, monkeypatch):
    for _ in range(ROOMS_PER_CLIENT):
        store.open_room(FILTERED_WIDTH, TEACHER)
    with pytest.raises(TooManyTries, match=f"{ROOMS_PER_CLIENT} rooms were opened from this address"):
        store.open_room(FILTERED_WIDTH, TEACHER)
    store.open_room(FILTERED_WIDTH, None)  # a teacher on this computer: Streamlit gives no address
    monkeypatch.setattr(rooms, "MAX_ROOMS", ROOMS_PER_CLIENT + 2)
    last = store.open_room(FILTERED_WIDTH, "10.0.0.7")
    with pytest.raises(RoomFull, match="class rooms are open on this server"):
        store.open_room(FILTERED_WIDTH, "10.0.0.8")
    store.close(last)
    store.open_room(FILTERED_WIDTH, "10.0.0.8")


def test_a_full_room_refuses_more_students_and_keeps_its_count(store, monkeypatch):
    monkeypatch.setattr(rooms, "MAX_STUDENTS", 3)
    teacher = store.open_room(FILTERED_WIDTH, TEACHER)
    students = join_and_answer(store, teacher.code, ["26", "26", "28"])
    for _ in range(3):
        with pytest.raises(RoomFull, match="This room is full: 3 students have joined it"):
            store.join(teacher.code, STUDENT)
    store.answer(students[2], store.student_view(students[2]).round_id, "26")
    state = store.teacher_view(teacher)
    assert state.joined == 3 and dict(state.current.counts) == {26.0: 3}


def test_a_question_too_long_to_store_is_refused():
    store = MemoryRoomStore()
    long = dataclasses.replace(FILTERED_WIDTH, working="x" * MAX_QUESTION_BYTES)
    with pytest.raises(RoomError, match="This question is too long to ask the class"):
        store.open_room(long, TEACHER)
    assert store.nbytes == 0


# ---- Expiry ------------------------------------------------------------------------------------------


def test_a_room_closes_after_its_time_without_activity(backend):
    store = backend.make(seconds=1)
    teacher = store.open_room(FILTERED_WIDTH, TEACHER)
    [student] = join_and_answer(store, teacher.code, ["26"])
    round_id = store.student_view(student).round_id
    backend.wait(1.3)
    with pytest.raises(RoomNotFound):
        store.join(teacher.code, "10.0.0.3")
    with pytest.raises(RoomGone):
        store.teacher_view(teacher)
    with pytest.raises(RoomGone):
        store.student_view(student)
    with pytest.raises(RoomGone):
        store.answer(student, round_id, "26")
    with pytest.raises(RoomGone):
        store.ask_again(teacher)


def test_an_answer_or_a_step_keeps_the_room_open_and_looking_does_not(backend):
    store = backend.make(seconds=60)
    teacher = store.open_room(FILTERED_WIDTH, TEACHER)
    student = store.join(teacher.code, STUDENT)
    backend.wait(0.4)
    looked = store.teacher_view(teacher).expires_in
    assert 59 < looked < 59.7
    store.answer(student, store.student_view(student).round_id, "26")
    assert store.teacher_view(teacher).expires_in > 59.9
    backend.wait(0.4)
    store.reveal(teacher)
    assert store.teacher_view(teacher).expires_in > 59.9


def test_in_memory_a_room_lives_two_hours_after_its_last_answer():
    clock = FakeClock()
    store = MemoryRoomStore(clock=clock)
    teacher = store.open_room(FILTERED_WIDTH, TEACHER)
    student = store.join(teacher.code, STUDENT)
    clock.advance(ROOM_SECONDS - 1)
    store.answer(student, store.student_view(student).round_id, "26")
    clock.advance(ROOM_SECONDS - 1)
    assert counted(store, teacher) == {26.0: 1}
    clock.advance(2)
    with pytest.raises(RoomGone):
        store.teacher_view(teacher)
    assert store.nbytes == 0


def test_every_redis_key_expires(redis_url):
    store = RedisRoomStore(redis_url)
    with redis.Redis.from_url(redis_url, decode_responses=True) as client:
        client.flushdb()
        teacher = store.open_room(FILTERED_WIDTH, TEACHER)
        join_and_answer(store, teacher.code, ["26", "24"])
        with pytest.raises(RoomNotFound):
            store.join("K7MQ4R" if teacher.code != "K7MQ4R" else "K7MQ4S", STUDENT)
        keys = set(client.keys("*"))
        assert {f"rooms:room:{teacher.code}", f"rooms:answers:{teacher.code}", "rooms:live"} < keys
        for key in keys - {"rooms:live"}:
            assert 0 < client.ttl(key) <= max(ROOM_SECONDS, LOOKUP_WINDOW), key
        assert client.zrange("rooms:live", 0, -1) == [teacher.code]


# ---- Redis: shared by processes, kept across restarts, and its absence said in words -------------------

OPENER = """
from filters.predict import size_questions
from filters.rooms import shared_store

store = shared_store()
teacher = store.open_room(size_questions((28, 28), "valid")[0], "10.0.0.1")
student = store.join(teacher.code, "10.0.0.2")
store.answer(student, store.student_view(student).round_id, "28")
print(type(store).__name__, teacher.code, teacher.key, student.token)
"""


def test_a_room_outlives_the_app_process_that_opened_it(redis_url):
    with redis.Redis.from_url(redis_url) as client:
        client.flushdb()
    environment = {**os.environ, "ROOMS_REDIS_URL": redis_url}
    opened = subprocess.run(
        [sys.executable, "-c", OPENER], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert opened.returncode == 0, opened.stderr
    kind, code, key, token = opened.stdout.split()
    assert kind == "RedisRoomStore"

    store = RedisRoomStore(redis_url)  # as a process started after the first one ended
    teacher, student = TeacherPass(code, key), StudentPass(code, token)
    state = store.teacher_view(teacher)
    assert (state.question, state.joined, dict(state.current.counts)) == (FILTERED_WIDTH, 1, {28.0: 1})
    view = store.student_view(student)
    assert view.my_answer == "28"
    store.answer(student, view.round_id, "26")  # the first process's student changes their answer
    join_and_answer(store, code, ["26"])
    store.reveal(teacher)
    state = store.teacher_view(teacher)
    assert (state.is_open, state.joined, state.current.right, dict(state.current.counts)) == (
        False,
        2,
        2,
        {26.0: 2},
    )


def test_the_process_store_is_redis_when_its_url_is_set(redis_url, monkeypatch):
    monkeypatch.delenv("ROOMS_REDIS_URL", raising=False)
    assert isinstance(shared_store(), MemoryRoomStore) and shared_store() is shared_store()
    monkeypatch.setenv("ROOMS_REDIS_URL", redis_url)
    assert isinstance(shared_store(), RedisRoomStore) and shared_store() is shared_store()
    monkeypatch.setenv("ROOMS_REDIS_URL", "http://example.org/not-redis")
    with pytest.raises(StoreUnavailable) as unavailable:
        shared_store()
    assert str(unavailable.value) == UNAVAILABLE


def test_an_unreachable_redis_is_said_in_words_never_a_traceback(caplog):
    store = RedisRoomStore(f"redis://127.0.0.1:{free_port()}/0", timeout=0.5)
    teacher, student = TeacherPass("K7MQ4R", "key"), StudentPass("K7MQ4R", "A" * 12 + "." + "0" * 16)
    steps = {
        "open_room": lambda: store.open_room(FILTERED_WIDTH, TEACHER),
        "join": lambda: store.join("K7MQ4R", STUDENT),
        "teacher_view": lambda: store.teacher_view(teacher),
        "ask": lambda: store.ask(teacher, POOLED_WIDTH),
        "reveal": lambda: store.reveal(teacher),
        "ask_again": lambda: store.ask_again(teacher),
        "close": lambda: store.close(teacher),
        "student_view": lambda: store.student_view(student),
        "answer": lambda: store.answer(student, "0" * 8, "26"),
    }
    for name, step in steps.items():
        with pytest.raises(StoreUnavailable) as unavailable:
            step()
        assert str(unavailable.value) == UNAVAILABLE, name
        assert unavailable.value.__cause__ is None and unavailable.value.__suppress_context__, name
    assert "The room store (Redis) failed" in caplog.text


# ---- Memory: 100 rooms of 30 answers under 5 MB -----------------------------------------------------


def fill_hundred_rooms(store: RoomStore) -> int:
    """100 rooms asking the biggest question of these tests, each answered by 30 students; returns
    what the 100 questions' texts alone take."""
    for index in range(100):
        teacher = store.open_room(BLUR_SUM, f"10.1.{index}.1")
        round_id = store.teacher_view(teacher).round_id
        for student in range(30):
            store.answer(store.join(teacher.code, STUDENT), round_id, f"{120 + student / 7:.2f}")
        assert store.teacher_view(teacher).current.total == 30
    return 100 * len(BLUR_SUM.to_json())


MEASURE_ROOMS_IN_MEMORY = """
import gc, json, tracemalloc
from filters.rooms import MemoryRoomStore
from tests.test_rooms import fill_hundred_rooms
store = MemoryRoomStore()
gc.collect()
tracemalloc.start()
before = tracemalloc.get_traced_memory()[0]
questions = fill_hundred_rooms(store)
gc.collect()
taken = tracemalloc.get_traced_memory()[0] - before
print(json.dumps({"questions": questions, "nbytes": store.nbytes, "taken": taken}))
"""
"""Measured in a fresh interpreter. At the end of a whole CI run (browser tests first), the test process
counted the same rooms at 2.46 MB against 1.18 MB alone, twice in a row: something the earlier tests left
in the process grew during the measurement (not format_value's cache: checked). The rooms' own size is
what this test is about."""


def test_a_hundred_rooms_of_thirty_answers_take_under_5_mb_in_memory():
    measured = subprocess.run(
        [sys.executable, "-c", MEASURE_ROOMS_IN_MEMORY], capture_output=True, text=True, check=True, cwd=ROOT
    )
    sizes = json.loads(measured.stdout)
    assert sizes["questions"] < sizes["nbytes"] < 5 * 1024 * 1024
    assert sizes["taken"] < 5 * 1024 * 1024
    assert sizes["taken"] < 1.5 * sizes["nbytes"], "nbytes misses much of what the rooms take"


def test_a_hundred_rooms_of_thirty_answers_take_under_5_mb_in_redis(redis_url):
    store = RedisRoomStore(redis_url)
    with redis.Redis.from_url(redis_url) as client:
        client.flushdb()
        before = client.info("memory")["used_memory"]
        questions = fill_hundred_rooms(store)
        keys = client.keys("rooms:*")
        by_key = sum(client.memory_usage(key, samples=0) for key in keys)
        grown = client.info("memory")["used_memory"] - before
    assert len(keys) >= 200
    assert questions < by_key < 5 * 1024 * 1024
    assert grown < 5 * 1024 * 1024
    assert Counter(key.split(b":")[1] for key in keys)[b"answers"] == 100
