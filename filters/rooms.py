"""Class rooms: a live question to the whole class, answered anonymously from phones.

A teacher's page opens a room for a `filters.predict.Question`; students join it with a short
code (or the QR code of its link, `filters.room_link`) and answer. "Reveal" closes the round, and
"Ask again" opens a second round of the same question, so that both rounds can be compared
(peer instruction). A room holds the question, the rounds' answers (numbers, or a filter's key)
under opaque per-session tokens, and nothing else: no name, no upload, no picture.

Two stores keep rooms behind one interface, `RoomStore`:

- `MemoryRoomStore`: in this process, for a single ``streamlit run app.py``;
- `RedisRoomStore`: in Redis, shared by every app process (``python -m deploy.serve``, compose),
  used when ``ROOMS_REDIS_URL`` is set. Each change is one Lua script, so concurrent answers from
  several processes are counted exactly once, and every key has a time to live.

`shared_store()` gives the process's store. Every refusal is a `RoomError` whose ``str()`` is the
message to show; a store that does not answer raises `StoreUnavailable`, never a traceback.

Limits (each constant below says why): codes of 6 characters from 30 (729 million codes),
rooms close 2 hours after their last activity, at most 200 rooms, 500 students per room, 10
answers per student per round (the last one counts), 40 failed code lookups per client in 10
minutes, 20 rooms opened per client in an hour.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import hmac
import logging
import math
import os
import re
import secrets
import sys
import threading
import time
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import redis
from cachetools import LRUCache

from filters.numbers import format_value
from filters.predict import Choice, GuessError, Question, check, read_guess

LOG = logging.getLogger(__name__)

REDIS_URL_VARIABLE = "ROOMS_REDIS_URL"
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Digits and capitals without 0, O, 1, I, L and U (a U read off a projector may be typed V): what
is read off a projector is typed on a phone without a doubt."""
CODE_LENGTH = 6
ROOM_SECONDS = 2 * 60 * 60
"""A room closes 2 hours after its last activity (an answer or a teacher's step): a 90-minute
lecture and its break, while a room forgotten on a projector is gone by the next class."""
MAX_ROOMS = 200
MAX_STUDENTS = 500
"""Joins per room: a lecture hall of 300, with reloads."""
MAX_ROUNDS = 2
MAX_CHANGES = 10
"""Answers per student per round: changing one's mind is allowed, a flood is not."""
FAILED_LOOKUPS, LOOKUP_WINDOW = 40, 10 * 60
"""Wrong codes per client in 10 minutes: a class of 30 behind one school address may each mistype
once, while a guesser gets 240 tries an hour, and a 2.7e-7 chance a try with 200 rooms open."""
ROOMS_PER_CLIENT, OPEN_WINDOW = 20, 60 * 60
MAX_QUESTION_BYTES = 16_384
MAX_MEMORY_BYTES = 16 * 1024 * 1024
"""The memory store refuses new rooms beyond this (its limits keep it far below)."""
HISTOGRAM_BARS = 12
_NONCE = re.compile(r"[A-Za-z0-9_-]{12}")


# ---- Errors: each one's str() is the message to show ------------------------------------------------


class RoomError(Exception):
    """A request the room refuses; ``str()`` says why, in words for the page."""


class RoomNotFound(RoomError):
    """No open room has this code: it never existed, or it closed (the two are told alike)."""


class TooManyTries(RoomError):
    """Too many wrong codes (or new rooms) from one client."""


class RoomGone(RoomError):
    """The room closed while it was in use."""


class AnswerRefused(RoomError):
    """An answer that is not taken: not a number, out of range, a closed round, a flood, a bad pass."""


class RoomFull(RoomError):
    """No more rooms on this server, or no more students in this room."""


class NotThisRoom(RoomError):
    """A teacher's pass that does not open this room."""


class StoreUnavailable(RoomError):
    """The room store does not answer (Redis is down or unreachable)."""


UNAVAILABLE = (
    "The class question is unavailable right now: the room store does not answer. "
    "Try again in a moment; if it lasts, whoever runs the server should check Redis."
)


# ---- Codes and passes ---------------------------------------------------------------------------------


def new_code() -> str:
    """A random room code, e.g. ``"K7MQ4R"`` (``secrets``: 30^6 = 729 million codes)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: object) -> str | None:
    """A typed code as stored (``"k7m q4r"`` -> ``"K7MQ4R"``), or None when it cannot be one."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    code = re.sub(r"[\s\-]", "", text).upper()
    if len(code) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in code):
        return None
    return code


def spaced_code(code: str) -> str:
    """The code as the projector writes it: ``"K7M Q4R"``."""
    half = len(code) // 2
    return f"{code[:half]} {code[half:]}"


@dataclass(frozen=True)
class TeacherPass:
    """What the teacher's page keeps in its session to run its room: the code and a secret key."""

    code: str
    key: str = ""

    def __repr__(self) -> str:  # the key stays out of logs
        return f"TeacherPass(code={self.code!r})"


@dataclass(frozen=True)
class StudentPass:
    """What a student's page keeps in its session: the code and an opaque token signed by the room."""

    code: str
    token: str = ""

    def __repr__(self) -> str:
        return f"StudentPass(code={self.code!r})"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _signature(secret: str, code: str, nonce: str) -> str:
    return hmac.new(bytes.fromhex(secret), f"{code}:{nonce}".encode(), hashlib.sha256).hexdigest()[:16]


def _nonce_of(student: StudentPass, secret: str) -> str | None:
    """The token's nonce when the room signed it, else None (a forged or stale token).

    Compared as bytes: `hmac.compare_digest` raises on a str that is not ASCII, which a forged
    token may well be.
    """
    nonce, _, signature = str(student.token).partition(".")
    expected = _signature(secret, student.code, nonce)
    if not _NONCE.fullmatch(nonce) or not hmac.compare_digest(signature.encode(), expected.encode()):
        return None
    return nonce


# ---- What the pages show ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """One bar of a round's histogram: the answers from ``low`` to ``high`` (one value, or a range)."""

    label: str
    count: int
    low: float | str
    high: float | str
    holds_answer: bool


@dataclass(frozen=True)
class Mixup:
    """A mix-up several students made: the answer it gives, what it means, and how many gave it."""

    key: str
    answer_text: str
    explanation: str
    count: int


@dataclass(frozen=True)
class Tally:
    """One round's answers, counted.

    ``counts`` holds each distinct answer (a number, or a choice's key) with how many gave it,
    in order; ``bars`` the same answers as a histogram of at most ``HISTOGRAM_BARS`` bars (one per
    choice, one per value, or equal ranges of values); ``right`` how many gave the true answer;
    ``mixups`` the recognised mix-ups, most frequent first.
    """

    round: int
    total: int
    counts: tuple[tuple[float | str, int], ...]
    bars: tuple[Bar, ...]
    right: int
    mixups: tuple[Mixup, ...]


@dataclass(frozen=True)
class RoomState:
    """The room as the teacher's page shows it (the answer included: the page decides when).

    ``tallies`` holds one `Tally` per round of the current question, round 1 first.
    """

    code: str
    question: Question
    round: int
    is_open: bool
    round_id: str
    tallies: tuple[Tally, ...]
    joined: int
    expires_in: float

    @property
    def current(self) -> Tally:
        """The tally of the round asked last (open, or just revealed)."""
        return self.tallies[-1]

    @property
    def can_ask_again(self) -> bool:
        """Whether "Ask again" may be offered: the round is revealed and it was not the last."""
        return not self.is_open and self.round < MAX_ROUNDS


@dataclass(frozen=True)
class StudentView:
    """The room as a student's page shows it: the question without its answer until the reveal.

    ``round_id`` goes back with an answer, so an answer meant for a round that has closed is refused
    rather than counted in the next. ``answer_text`` is None until the teacher reveals the round.
    """

    code: str
    round: int
    round_id: str
    is_open: bool
    kind: str
    prompt: str
    details: tuple[str, ...]
    choices: tuple[Choice, ...]
    whole: bool
    accepted: tuple[float, float]
    my_answer: str | None
    answer_text: str | None

    @property
    def message(self) -> str:
        """What the phone says about answering now."""
        if self.is_open:
            return "Answer now: you can change your answer until the teacher reveals."
        return "Answers are closed: look at the projector."


@functools.lru_cache(maxsize=64)
def _question(text: str) -> Question:
    """A room's question read back from its JSON, remembered: every page that polls a room (the
    projector, each student's phone) reads the same text again and again."""
    return Question.from_json(text)


def _value_text(question: Question, value: float | str) -> str:
    if question.choices:
        return {choice.key: choice.label for choice in question.choices}.get(str(value), str(value))
    return format_value(float(value))


def _stored(value: float | str) -> str:
    return value if isinstance(value, str) else repr(float(value))


def _loaded(question: Question, text: str) -> float | str:
    return text if question.choices else float(text)


def _bars(question: Question, counts: Counter) -> tuple[Bar, ...]:
    """One bar per choice; one per value when there are few (with the true answer's, at 0 when no
    one gave it); else equal ranges from the lowest answer to the highest (whole-number ranges for
    whole answers, the last range closed).

    Every answer falls in exactly one bar, so the bars add up to the round's total.
    """
    if question.choices:
        return tuple(
            Bar(
                choice.label, counts.get(choice.key, 0), choice.key, choice.key, choice.key == question.answer
            )
            for choice in question.choices
        )
    values = sorted(counts)
    if len(values) <= HISTOGRAM_BARS:
        bars = [Bar(format_value(v), counts[v], v, v, check(question, v).right) for v in values]
        if not any(bar.holds_answer for bar in bars):  # the true answer stands beside them, at 0
            answer = float(question.answer)
            bars.append(Bar(format_value(answer), 0, answer, answer, True))
            bars.sort(key=lambda bar: bar.low)
        return tuple(bars)
    low, high = values[0], values[-1]
    if all(float(value).is_integer() for value in values):
        width = math.ceil((high - low + 1) / HISTOGRAM_BARS)
        starts = [low + index * width for index in range(HISTOGRAM_BARS) if low + index * width <= high]
        ends = [min(start + width - 1, high) for start in starts]
    else:
        width = (high - low) / HISTOGRAM_BARS
        starts = [low + index * width for index in range(HISTOGRAM_BARS)]
        ends = [*starts[1:], high]  # the last range ends at the highest answer, whatever the rounding
    held = [0] * len(starts)
    for value in values:
        held[bisect.bisect_right(starts, value) - 1] += counts[value]
    answer = float(question.answer)
    answer_bar = bisect.bisect_right(starts, answer) - 1
    if not (low <= answer <= high and answer <= ends[answer_bar]):  # outside, or between whole ranges
        answer_bar = None
    return tuple(
        Bar(
            format_value(start) if start == end else f"{format_value(start)} to {format_value(end)}",
            count,
            start,
            end,
            index == answer_bar,
        )
        for index, (start, end, count) in enumerate(zip(starts, ends, held, strict=True))
    )


def _tally(question: Question, round_number: int, values: list[str]) -> Tally:
    counts = Counter(_loaded(question, text) for text in values)
    right, mixups = 0, {}
    for value, count in counts.items():
        result = check(question, value)
        if result.right:
            right += count
        elif result.mixup:
            known = mixups.get((result.mixup, result.guess_text))
            total = count + (known.count if known else 0)
            mixups[(result.mixup, result.guess_text)] = Mixup(
                result.mixup, result.guess_text, result.explanation, total
            )
    return Tally(
        round=round_number,
        total=sum(counts.values()),
        counts=tuple(sorted(counts.items())),
        bars=_bars(question, counts),
        right=right,
        mixups=tuple(sorted(mixups.values(), key=lambda mixup: -mixup.count)),
    )


# ---- The store: one interface, two backends ----------------------------------------------------------


class RoomStore(ABC):
    """Rooms, whichever backend keeps them. Every method raises `RoomError` (with a message) when
    it refuses; the backends implement the atomic steps below the line, the same way each."""

    def __init__(self, seconds: int = ROOM_SECONDS) -> None:
        self.seconds = seconds

    # -- the teacher --

    def open_room(self, question: Question, client: str | None) -> TeacherPass:
        """Open a room asking ``question`` (round 1 open at once); ``client`` is the teacher's address
        (None, as Streamlit gives for a visitor on this computer, counts as one more address)."""
        if self._count(f"open:{_digest(client or '')}", OPEN_WINDOW, hit=True) > ROOMS_PER_CLIENT:
            raise TooManyTries(
                f"{ROOMS_PER_CLIENT} rooms were opened from this address in the last hour, the most "
                "one address may open: ask the next question in the room already open, or try later."
            )
        text = self._question_text(question)
        key = secrets.token_urlsafe(18)
        fields = {
            "teacher": _digest(key),
            "secret": secrets.token_hex(16),
            "question": text,
            "round": "1",
            "phase": "open",
            "round_id": secrets.token_hex(4),
            "joined": "0",
        }
        for _ in range(8):  # a live code is drawn again (1 chance in 3.6 million with 200 rooms open)
            code = new_code()
            outcome = self._create(code, fields)
            if outcome == "ok":
                return TeacherPass(code, key)
            if outcome == "full":
                raise RoomFull(
                    f"{MAX_ROOMS} class rooms are open on this server, the most it keeps: "
                    "close a room, or try again when one has expired."
                )
        raise RoomFull("No free room code was found: try again.")

    def ask(self, teacher: TeacherPass, question: Question) -> None:
        """Ask a new question in the same room: its round 1 opens, the last question's answers go."""
        self._step(teacher, "ask", self._question_text(question))

    def reveal(self, teacher: TeacherPass) -> None:
        """Close the open round (its answers stay, for the histogram); revealing twice is harmless."""
        self._step(teacher, "reveal")

    def ask_again(self, teacher: TeacherPass) -> None:
        """Open the next round of the same question, after a reveal (at most ``MAX_ROUNDS``)."""
        self._step(teacher, "again")

    def close(self, teacher: TeacherPass) -> None:
        """Delete the room and its answers now."""
        self._step(teacher, "close")

    def teacher_view(self, teacher: TeacherPass) -> RoomState:
        """The room as the projector shows it: every round's tally, the answer included."""
        fields, answers, seconds_left = self._read_or_gone(teacher.code, for_teacher=True)
        if not hmac.compare_digest(fields["teacher"], _digest(teacher.key)):
            raise NotThisRoom("This page did not open this room, so it cannot show its answers.")
        question = _question(fields["question"])
        rounds = int(fields["round"])
        per_round: dict[int, list[str]] = {number: [] for number in range(1, rounds + 1)}
        for field, entry in answers.items():
            number = int(field.split(":", 1)[0])
            if number in per_round:
                per_round[number].append(entry.split("|", 1)[1])
        return RoomState(
            code=teacher.code,
            question=question,
            round=rounds,
            is_open=fields["phase"] == "open",
            round_id=fields["round_id"],
            tallies=tuple(_tally(question, number, values) for number, values in per_round.items()),
            joined=int(fields["joined"]),
            expires_in=seconds_left,
        )

    # -- a student --

    def join(self, code_text: object, client: str | None) -> StudentPass:
        """A student's pass for the room with this code (typed in any case, with spaces or dashes).

        ``client`` names where the request comes from: wrong codes from it are counted, and past
        ``FAILED_LOOKUPS`` in ``LOOKUP_WINDOW`` it may look up no code at all. It should be the
        student's own address: every page that gives the same one (a proxy's) shares one allowance.
        """
        code = normalise_code(code_text)
        if code is None:
            raise RoomNotFound(
                f"A room code has {CODE_LENGTH} letters and digits, like {spaced_code('K7MQ4R')}: "
                "check the code on the projector."
            )
        bucket = f"lookup:{_digest(client or '')}"
        if self._count(bucket, LOOKUP_WINDOW, hit=False) >= FAILED_LOOKUPS:
            raise TooManyTries(
                "Too many room codes were tried from here: wait 10 minutes, or scan the QR code "
                "on the projector."
            )
        secret = self._join(code)
        if secret is None:
            self._count(bucket, LOOKUP_WINDOW, hit=True)
            raise RoomNotFound(
                f"No open room has the code {spaced_code(code)}. Check the code on the projector: "
                "a room closes 2 hours after its last answer."
            )
        if secret == "full":
            raise RoomFull(f"This room is full: {MAX_STUDENTS} students have joined it.")
        nonce = secrets.token_urlsafe(9)
        return StudentPass(code, f"{nonce}.{_signature(secret, code, nonce)}")

    def student_view(self, student: StudentPass) -> StudentView:
        """The room as a student's phone shows it: the question, their own answer, and the true
        answer once the round is revealed (never another student's answer)."""
        fields, answers, _ = self._read_or_gone(student.code, for_teacher=False)
        nonce = _nonce_of(student, fields["secret"])
        if nonce is None:
            raise AnswerRefused("This page's pass for the room is not valid: open the room's link again.")
        question = _question(fields["question"])
        mine = answers.get(f"{fields['round']}:{nonce}")
        revealed = fields["phase"] == "revealed"
        return StudentView(
            code=student.code,
            round=int(fields["round"]),
            round_id=fields["round_id"],
            is_open=not revealed,
            kind=question.kind,
            prompt=question.prompt,
            details=question.details,
            choices=question.choices,
            whole=question.whole,
            accepted=question.accepted,
            my_answer=None
            if mine is None
            else _value_text(question, _loaded(question, mine.split("|", 1)[1])),
            answer_text=question.answer_text if revealed else None,
        )

    def answer(self, student: StudentPass, round_id: str, guess: object) -> str:
        """Take a student's answer to round ``round_id`` (the last one counts); returns it as written.

        Raises `AnswerRefused` for anything that is not an answer to the open round.
        """
        question, secret = self._round(student.code, str(round_id))
        nonce = _nonce_of(student, secret)
        if nonce is None:
            raise AnswerRefused("This page's pass for the room is not valid: open the room's link again.")
        try:
            value = read_guess(question, guess)
        except GuessError as error:
            raise AnswerRefused(str(error)) from None
        outcome = self._answer(student.code, str(round_id), nonce, _stored(value))
        if outcome == "gone":
            raise RoomGone("This room has closed. Ask for the new code if there is a new question.")
        if outcome == "moved":
            raise AnswerRefused("The teacher has moved on: answer the question shown now.")
        if outcome == "closed":
            raise AnswerRefused("Answers are closed for this round: look at the projector.")
        if outcome == "flood":
            raise AnswerRefused(
                f"You have answered {MAX_CHANGES} times in this round: your last answer counts."
            )
        return _value_text(question, value)

    # -- shared steps --

    def _question_text(self, question: Question) -> str:
        text = question.to_json()
        if len(text.encode()) > MAX_QUESTION_BYTES:
            raise RoomError("This question is too long to ask the class.")
        return text

    def _step(self, teacher: TeacherPass, action: str, question_text: str = "") -> None:
        outcome = self._transition(
            teacher.code, _digest(teacher.key), action, question_text, secrets.token_hex(4)
        )
        if outcome == "gone":
            raise RoomGone(
                "This room has closed (2 hours without an answer, or closed by hand): "
                "press 'Ask the class' for a new room."
            )
        if outcome == "denied":
            raise NotThisRoom("This page did not open this room, so it cannot run it.")
        if outcome == "not_revealed":
            raise RoomError("Reveal this round before asking again.")
        if outcome == "last_round":
            raise RoomError(f"A question has {MAX_ROUNDS} rounds here: ask a new question instead.")

    def _read_or_gone(self, code: str, for_teacher: bool) -> tuple[dict[str, str], dict[str, str], float]:
        read = self._read(code)
        if read is None:
            if for_teacher:
                raise RoomGone(
                    "This room has closed (2 hours without an answer): press 'Ask the class' again."
                )
            raise RoomGone("This room has closed. Ask for the new code if there is a new question.")
        return read

    def _round(self, code: str, round_id: str) -> tuple[Question, str]:
        """The question and the room's signing secret for round ``round_id``."""
        read = self._read(code)
        if read is None:
            raise RoomGone("This room has closed. Ask for the new code if there is a new question.")
        fields = read[0]
        if fields["round_id"] != round_id:
            raise AnswerRefused("The teacher has moved on: answer the question shown now.")
        return _question(fields["question"]), fields["secret"]

    # -- the atomic steps each backend implements --

    @abstractmethod
    def _create(self, code: str, fields: dict[str, str]) -> str:
        """Create room ``code`` with ``fields`` unless it exists ("taken") or the store is "full"."""

    @abstractmethod
    def _transition(self, code: str, teacher: str, action: str, question: str, round_id: str) -> str:
        """ask / reveal / again / close, if ``teacher`` is the room's: "ok", "gone", "denied", ..."""

    @abstractmethod
    def _join(self, code: str) -> str | None:
        """Count a join: the room's secret, "full", or None when no such room is open."""

    @abstractmethod
    def _answer(self, code: str, round_id: str, nonce: str, value: str) -> str:
        """Set the answer of ``nonce`` in round ``round_id``: "ok", "gone", "moved", "closed", "flood"."""

    @abstractmethod
    def _read(self, code: str) -> tuple[dict[str, str], dict[str, str], float] | None:
        """The room's fields, its answers ("round:nonce" -> "changes|value") and seconds left."""

    @abstractmethod
    def _count(self, bucket: str, window: int, hit: bool) -> int:
        """A fixed-window counter: add one when ``hit``, and return the count in this window."""


# ---- In this process ------------------------------------------------------------------------------------


@dataclass
class _Room:
    """A room as the memory store keeps it: the same fields and answers a Redis room holds."""

    fields: dict[str, str]
    answers: dict[str, str]
    expires: float

    @property
    def nbytes(self) -> int:
        """The room's size in this process: its two dicts and every key and value in them."""
        texts = [*self.fields.items(), *self.answers.items()]
        return (
            sys.getsizeof(self.fields)
            + sys.getsizeof(self.answers)
            + sum(sys.getsizeof(key) + sys.getsizeof(value) for key, value in texts)
        )


class MemoryRoomStore(RoomStore):
    """Rooms in this process's memory, for one ``streamlit run app.py``: thread-safe (one lock
    around each step), bounded (``MAX_ROOMS``, ``MAX_MEMORY_BYTES``) and expiring."""

    MAX_COUNTERS = 10_000

    def __init__(self, seconds: int = ROOM_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(seconds)
        self._clock = clock
        self._lock = threading.Lock()
        self._rooms: dict[str, _Room] = {}
        self._counters: dict[str, tuple[float, int]] = {}

    @property
    def nbytes(self) -> int:
        """What the rooms take in this process, in bytes (``sys.getsizeof`` of their dicts and texts)."""
        with self._lock:
            return sum(room.nbytes for room in self._rooms.values())

    def _live(self, code: str) -> _Room | None:
        room = self._rooms.get(code)
        if room is not None and room.expires <= self._clock():
            del self._rooms[code]
            return None
        return room

    def _sweep(self) -> None:
        now = self._clock()
        for code in [code for code, room in self._rooms.items() if room.expires <= now]:
            del self._rooms[code]

    def _create(self, code: str, fields: dict[str, str]) -> str:
        with self._lock:
            self._sweep()
            if code in self._rooms:
                return "taken"
            if (
                len(self._rooms) >= MAX_ROOMS
                or sum(r.nbytes for r in self._rooms.values()) > MAX_MEMORY_BYTES
            ):
                return "full"
            self._rooms[code] = _Room(dict(fields), {}, self._clock() + self.seconds)
            return "ok"

    def _transition(self, code: str, teacher: str, action: str, question: str, round_id: str) -> str:
        with self._lock:
            room = self._live(code)
            if room is None:
                return "gone"
            fields = room.fields
            if not hmac.compare_digest(fields["teacher"], teacher):
                return "denied"
            if action == "close":
                del self._rooms[code]
                return "ok"
            if action == "ask":
                room.answers.clear()
                fields.update(question=question, round="1", phase="open", round_id=round_id)
            elif action == "again":
                if fields["phase"] == "open":
                    return "ok" if int(fields["round"]) > 1 else "not_revealed"
                if int(fields["round"]) >= MAX_ROUNDS:
                    return "last_round"
                fields.update(round=str(int(fields["round"]) + 1), phase="open", round_id=round_id)
            elif action == "reveal":
                fields["phase"] = "revealed"
            room.expires = self._clock() + self.seconds
            return "ok"

    def _join(self, code: str) -> str | None:
        with self._lock:
            room = self._live(code)
            if room is None:
                return None
            joined = int(room.fields["joined"])
            if joined >= MAX_STUDENTS:
                return "full"
            room.fields["joined"] = str(joined + 1)
            return room.fields["secret"]

    def _answer(self, code: str, round_id: str, nonce: str, value: str) -> str:
        with self._lock:
            room = self._live(code)
            if room is None:
                return "gone"
            fields = room.fields
            if fields["round_id"] != round_id:
                return "moved"
            if fields["phase"] != "open":
                return "closed"
            field = f"{fields['round']}:{nonce}"
            changes = int(room.answers.get(field, "0|").split("|", 1)[0])
            if changes >= MAX_CHANGES:
                return "flood"
            room.answers[field] = f"{changes + 1}|{value}"
            room.expires = self._clock() + self.seconds
            return "ok"

    def _read(self, code: str) -> tuple[dict[str, str], dict[str, str], float] | None:
        with self._lock:
            room = self._live(code)
            if room is None:
                return None
            return dict(room.fields), dict(room.answers), room.expires - self._clock()

    def _count(self, bucket: str, window: int, hit: bool) -> int:
        with self._lock:
            now = self._clock()
            ends, count = self._counters.get(bucket, (now + window, 0))
            if ends <= now:
                ends, count = now + window, 0
            if not hit:
                return count
            if bucket not in self._counters and len(self._counters) >= self.MAX_COUNTERS:
                self._counters = {key: entry for key, entry in self._counters.items() if entry[0] > now}
                while len(self._counters) >= self.MAX_COUNTERS:  # the oldest go first
                    del self._counters[next(iter(self._counters))]
            self._counters[bucket] = (ends, count + 1)
            return count + 1


# ---- In Redis --------------------------------------------------------------------------------------------

_CREATE = """
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 1 then return 'taken' end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then return 'full' end
redis.call('HSET', KEYS[1], unpack(ARGV, 5))
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[1] + ARGV[2], ARGV[4])
return 'ok'
"""

_TRANSITION = """
local room = redis.call('HMGET', KEYS[1], 'teacher', 'phase', 'round')
if not room[1] then return 'gone' end
if room[1] ~= ARGV[2] then return 'denied' end
local action, round = ARGV[1], tonumber(room[3])
if action == 'close' then
  redis.call('DEL', KEYS[1], KEYS[2])
  redis.call('ZREM', KEYS[3], ARGV[5])
  return 'ok'
elseif action == 'ask' then
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'question', ARGV[8], 'round', 1, 'phase', 'open', 'round_id', ARGV[7])
elseif action == 'again' then
  if room[2] == 'open' then
    if round > 1 then return 'ok' end
    return 'not_revealed'
  end
  if round >= tonumber(ARGV[6]) then return 'last_round' end
  redis.call('HSET', KEYS[1], 'round', round + 1, 'phase', 'open', 'round_id', ARGV[7])
elseif action == 'reveal' then
  redis.call('HSET', KEYS[1], 'phase', 'revealed')
end
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
redis.call('ZADD', KEYS[3], ARGV[3] + ARGV[4], ARGV[5])
return 'ok'
"""

_JOIN = """
local secret = redis.call('HGET', KEYS[1], 'secret')
if not secret then return false end
if tonumber(redis.call('HGET', KEYS[1], 'joined')) >= tonumber(ARGV[1]) then return 'full' end
redis.call('HINCRBY', KEYS[1], 'joined', 1)
return secret
"""

_ANSWER = """
local room = redis.call('HMGET', KEYS[1], 'phase', 'round_id', 'round')
if not room[1] then return 'gone' end
if room[2] ~= ARGV[1] then return 'moved' end
if room[1] ~= 'open' then return 'closed' end
local field = room[3] .. ':' .. ARGV[2]
local old = redis.call('HGET', KEYS[2], field)
local changes = 0
if old then changes = tonumber(string.match(old, '^(%d+)|')) end
if changes >= tonumber(ARGV[4]) then return 'flood' end
redis.call('HSET', KEYS[2], field, (changes + 1) .. '|' .. ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('EXPIRE', KEYS[2], ARGV[5])
redis.call('ZADD', KEYS[3], ARGV[6] + ARGV[5], ARGV[7])
return 'ok'
"""

_COUNT = """
if ARGV[2] == '0' then return tonumber(redis.call('GET', KEYS[1]) or '0') end
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""


class RedisRoomStore(RoomStore):
    """Rooms in Redis, shared by every app process and kept when one restarts.

    Keys (all with a time to live): ``{prefix}room:{code}`` a hash of the room's fields,
    ``{prefix}answers:{code}`` a hash "round:nonce" -> "changes|value" (a round of 30 answers is a
    small listpack), ``{prefix}live`` a sorted set of open rooms by expiry (to count them), and
    ``{prefix}count:...`` the limits' counters. Every change is one Lua script, which Redis runs
    alone: two processes answering at once cannot both read the same old answer.
    """

    def __init__(
        self, url: str, seconds: int = ROOM_SECONDS, prefix: str = "rooms:", timeout: float = 2.0
    ) -> None:
        super().__init__(seconds)
        try:
            self.client = redis.Redis.from_url(
                url, decode_responses=True, socket_timeout=timeout, socket_connect_timeout=timeout
            )
        except ValueError as error:
            LOG.error("ROOMS_REDIS_URL is not a Redis URL: %s", error)
            raise StoreUnavailable(UNAVAILABLE) from None
        self.prefix = prefix
        self._scripts = {
            name: self.client.register_script(source)
            for name, source in (
                ("create", _CREATE),
                ("transition", _TRANSITION),
                ("join", _JOIN),
                ("answer", _ANSWER),
                ("count", _COUNT),
            )
        }
        self._rounds: LRUCache = LRUCache(maxsize=1024)
        self._rounds_lock = threading.Lock()

    def _keys(self, code: str) -> list[str]:
        return [f"{self.prefix}room:{code}", f"{self.prefix}answers:{code}", f"{self.prefix}live"]

    @contextmanager
    def _talking(self) -> Iterator[None]:
        """Turn Redis failing (down, unreachable, out of memory) into the message pages show."""
        try:
            yield
        except redis.RedisError as error:
            LOG.error("The room store (Redis) failed: %r", error)
            raise StoreUnavailable(UNAVAILABLE) from None

    def _run(self, name: str, keys: list[str], args: list[object]) -> object:
        with self._talking():
            return self._scripts[name](keys=keys, args=args)

    def _create(self, code: str, fields: dict[str, str]) -> str:
        pairs = [item for field in fields.items() for item in field]
        room, _, live = self._keys(code)
        return self._run("create", [room, live], [time.time(), self.seconds, MAX_ROOMS, code, *pairs])

    def _transition(self, code: str, teacher: str, action: str, question: str, round_id: str) -> str:
        args = [action, teacher, time.time(), self.seconds, code, MAX_ROUNDS, round_id, question]
        return self._run("transition", self._keys(code), args)

    def _join(self, code: str) -> str | None:
        return self._run("join", self._keys(code)[:1], [MAX_STUDENTS])

    def _answer(self, code: str, round_id: str, nonce: str, value: str) -> str:
        args = [round_id, nonce, value, MAX_CHANGES, self.seconds, time.time(), code]
        return self._run("answer", self._keys(code), args)

    def _read(self, code: str) -> tuple[dict[str, str], dict[str, str], float] | None:
        room, answers, _ = self._keys(code)
        with self._talking():
            pipe = self.client.pipeline(transaction=True)
            pipe.hgetall(room).hgetall(answers).pttl(room)
            fields, entries, left = pipe.execute()
        if not fields:
            return None
        return fields, entries, max(left, 0) / 1000

    def _round(self, code: str, round_id: str) -> tuple[Question, str]:
        """As `RoomStore._round`, remembered per round: an answer then costs one script call."""
        with self._rounds_lock:
            known = self._rounds.get((code, round_id))
        if known is None:
            known = super()._round(code, round_id)
            with self._rounds_lock:
                self._rounds[(code, round_id)] = known
        return known

    def _count(self, bucket: str, window: int, hit: bool) -> int:
        return int(self._run("count", [f"{self.prefix}count:{bucket}"], [window, "1" if hit else "0"]))


# ---- The process's store -------------------------------------------------------------------------------


@functools.cache
def _store_for(url: str | None) -> RoomStore:
    return RedisRoomStore(url) if url else MemoryRoomStore()


def shared_store() -> RoomStore:
    """This process's room store: Redis at ``ROOMS_REDIS_URL`` when it is set, else one in memory.

    Module-level on purpose: a room is shared by the teacher's session and every student's, and it
    must not go when a page clears its caches. It holds nothing but what a room holds.

    Raises
    ------
    StoreUnavailable
        When ``ROOMS_REDIS_URL`` is not a Redis URL.
    """
    return _store_for(os.environ.get(REDIS_URL_VARIABLE) or None)
