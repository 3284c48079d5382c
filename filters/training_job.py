"""Train again, live: one training run in a background thread, its epochs read by the page as they come.

A run takes about 15 s of one core. A class of thirty pressing "Train again" at once shares two
cores, so a process trains one run at a time: the others wait their turn, and the page says so
(``TrainingJob.waiting``). A job is cancelled when its page asks for another or is closed; a
cancelled or waiting job gives its turn up at once.
"""

from __future__ import annotations

import logging
import threading
import time

import numpy as np

from filters.network import Epoch, TrainingSettings, train

_ONE_RUN_AT_A_TIME = threading.Lock()
"""The process's turn to train (a process-wide rule, holding no visitor's data)."""
_LOG = logging.getLogger(__name__)


class TrainingJob:
    """A run of ``train(settings, fixed_filters=...)`` in a daemon thread.

    ``epochs`` grows as the run goes (epoch 0, the start, first); ``done`` once the last epoch is in
    or the run failed (``problem``) or was cancelled.
    """

    def __init__(
        self, settings: TrainingSettings, fixed_filters: tuple[np.ndarray, np.ndarray] | None = None
    ) -> None:
        self.settings = settings
        self.fixed_filters = fixed_filters
        self.epochs: list[Epoch] = []
        self.problem: str | None = None
        self.waiting = True
        self.done = False
        self.seconds = 0.0
        self._cancelled = threading.Event()
        self._thread = threading.Thread(target=self._run, name="train-again", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while not _ONE_RUN_AT_A_TIME.acquire(timeout=0.2):
                if self._cancelled.is_set():
                    return
            try:
                self.waiting = False
                started = time.perf_counter()
                for epoch in train(self.settings, fixed_filters=self.fixed_filters):
                    if self._cancelled.is_set():
                        return
                    self.epochs.append(epoch)
                    self.seconds = time.perf_counter() - started
            finally:
                _ONE_RUN_AT_A_TIME.release()
        except Exception:  # our bug: logged, and the page says the run failed
            _LOG.exception("Training again failed")
            self.problem = "The training run failed; it is a bug in the app, and it has been logged."
        finally:
            self.done = True

    @property
    def total_epochs(self) -> int:
        return self.settings.epochs

    @property
    def finished(self) -> bool:
        """Every epoch is in."""
        return len(self.epochs) == self.settings.epochs + 1

    def cancel(self) -> None:
        """Stop after the epoch under way (at once, if still waiting its turn)."""
        self._cancelled.set()

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the thread to end (tests)."""
        self._thread.join(timeout)
