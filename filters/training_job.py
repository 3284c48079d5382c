"""Train again, live: training runs queued to one background worker, their epochs read by pages as they come.

A run takes about 4 s of one core here (15 s on a slow machine). A class of thirty pressing "Train
again" at once shares two cores, so a process trains one run at a time, first come first served:
the others wait in line, and each page says how many runs are ahead of its own
(``TrainingJob.ahead``). At most ``MAX_WAITING`` runs wait; past that, ``TrainingJob.start`` says to
try again later. A job is cancelled when its page asks for another or when nothing holds it any
more (its session ended: ``weakref.finalize``), so a closed tab never keeps the worker busy.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections import deque

import numpy as np

from filters.network import Epoch, TrainingSettings, train

MAX_WAITING = 40
"""Runs that may wait for the worker at once (a class, and then some)."""
_LOG = logging.getLogger(__name__)


class QueueFull(RuntimeError):
    """Too many runs are waiting already; the message says so in plain words."""


class _Run:
    """What the worker thread holds of a job: its settings, its epochs so far, and its state."""

    def __init__(
        self, settings: TrainingSettings, fixed_filters: tuple[np.ndarray, np.ndarray] | None
    ) -> None:
        self.settings = settings
        self.fixed_filters = fixed_filters
        self.epochs: list[Epoch] = []
        self.problem: str | None = None
        self.started = False
        self.done = False
        self.seconds = 0.0
        self.cancelled = threading.Event()

    def cancel(self) -> None:
        self.cancelled.set()

    def work(self) -> None:
        """Train, keeping each epoch as it comes; stop at the next epoch once cancelled."""
        self.started = True
        began = time.perf_counter()
        try:
            for epoch in train(self.settings, fixed_filters=self.fixed_filters):
                if self.cancelled.is_set():
                    return
                self.epochs.append(epoch)
                self.seconds = time.perf_counter() - began
        except Exception:  # our bug: logged, and the page says the run failed
            _LOG.exception("Training again failed")
            self.problem = "The training run failed; it is a bug in the app, and it has been logged."
        finally:
            self.done = True


class _Worker:
    """One thread that trains the queued runs in turn (a process-wide rule, holding no visitor's data)."""

    def __init__(self) -> None:
        self._waiting: deque[_Run] = deque()
        self._training: _Run | None = None
        self._ready = threading.Condition()
        self._thread: threading.Thread | None = None

    def submit(self, run: _Run) -> None:
        with self._ready:
            self._waiting = deque(waiting for waiting in self._waiting if not waiting.cancelled.is_set())
            if len(self._waiting) >= MAX_WAITING:
                raise QueueFull(
                    f"{MAX_WAITING} training runs are waiting on this server already: please try again in a "
                    "minute."
                )
            self._waiting.append(run)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._serve, name="train-again", daemon=True)
                self._thread.start()
            self._ready.notify()

    def ahead_of(self, run: _Run) -> int:
        """How many live runs are before ``run``: the one training, and those waiting before it (0 once
        it trains itself)."""
        with self._ready:
            if run not in self._waiting:
                return 0
            training = self._training is not None and not self._training.cancelled.is_set()
            before = list(self._waiting)[: self._waiting.index(run)]
            return training + sum(not waiting.cancelled.is_set() for waiting in before)

    def _serve(self) -> None:
        while True:
            with self._ready:
                while not self._waiting:
                    self._ready.wait()
                run = self._training = self._waiting.popleft()
            if run.cancelled.is_set():
                run.done = True
            else:
                run.work()
            with self._ready:
                self._training = None


_WORKER = _Worker()


class TrainingJob:
    """A session's "Train again" run, queued to the worker: ``epochs`` grows as it trains (epoch 0, the
    start, first); ``done`` once the last epoch is in, or it failed (``problem``) or was cancelled.

    Only the session holds this object; when it is dropped, its run is cancelled.
    """

    def __init__(self, run: _Run) -> None:
        self._run = run
        weakref.finalize(self, run.cancel)

    @classmethod
    def start(
        cls, settings: TrainingSettings, fixed_filters: tuple[np.ndarray, np.ndarray] | None = None
    ) -> TrainingJob:
        """Queue a run of ``train(settings, fixed_filters=...)``; ``QueueFull`` if too many wait."""
        run = _Run(settings, fixed_filters)
        _WORKER.submit(run)
        return cls(run)

    settings = property(lambda self: self._run.settings)
    fixed_filters = property(lambda self: self._run.fixed_filters)
    epochs = property(lambda self: self._run.epochs)
    problem = property(lambda self: self._run.problem)
    done = property(lambda self: self._run.done)
    seconds = property(lambda self: self._run.seconds)

    @property
    def waiting(self) -> bool:
        """Not started yet: other runs are ahead of it."""
        return not self._run.started and not self._run.done

    @property
    def ahead(self) -> int:
        """How many runs wait before this one."""
        return _WORKER.ahead_of(self._run)

    @property
    def total_epochs(self) -> int:
        return self._run.settings.epochs

    @property
    def finished(self) -> bool:
        """Every epoch is in."""
        return len(self._run.epochs) == self._run.settings.epochs + 1

    def cancel(self) -> None:
        """Stop after the epoch under way (at once, if still waiting its turn)."""
        self._run.cancel()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the run is done (tests); whether it is."""
        deadline = time.monotonic() + (timeout if timeout is not None else 1e9)
        while not self._run.done and time.monotonic() < deadline:
            time.sleep(0.05)
        return self._run.done
