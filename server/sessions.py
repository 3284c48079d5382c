"""A session closed for longer than ``server.disconnectedSessionTTL`` is shut down, even while idle.

Streamlit 1.67 keeps a disconnected session for that long so that a page whose connection
dropped can resume it. It keeps them in a ``cachetools.TTLCache``, which forgets an expired
session without shutting it down, and only when something else touches the cache (a new
visitor leaving). Shutting down is what frees a session's uploaded files and pictures
(``AppSession.shutdown``), so without it every upload of every closed session stayed in memory
for good: about 7-10 MB per visit in issue 21's soak of 200 visits.

``close_expired_sessions`` makes the storage shut down what it forgets, and a task in the
server's event loop expires it every ``SWEEP_S`` seconds; once sessions were shut down, one full
garbage collection frees their state (the page runs without ``runner.postScriptGC``, and an
``AppSession`` holds reference cycles), and with it the cached work of uploads no session holds
(``views.loading``'s leases). Then the freed memory is given back to the system
(``return_freed_memory``): glibc keeps freed memory in its heaps for reuse, which is what keeps
a busy server fast, but a class that has left would otherwise leave the process at its peak
(measured: 391 MB after 40 visits and 3 idle minutes, 264 MB once given back).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import gc
import logging
from collections.abc import Callable

from cachetools import TTLCache
from streamlit import runtime

_LOG = logging.getLogger(__name__)
SWEEP_S = 30.0
"""How often expired sessions are looked for (at most): within TTL + 30 s of leaving, a session is freed."""


class ClosingTTLCache(TTLCache):
    """A TTLCache of Streamlit ``SessionInfo``s that shuts down every session it lets expire."""

    shut_down = 0
    """Sessions shut down since the last ``collect()``."""

    def expire(self, time=None):
        expired = super().expire(time)
        for _, session_info in expired:
            try:
                session_info.session.shutdown()
            except Exception:  # one session's failure must not keep the others in memory
                _LOG.exception("Shutting down an expired session failed")
        self.shut_down += len(expired)
        return expired

    def collect(self) -> int:
        """Expire what is due, then free the shut-down sessions' cycles; returns how many were shut down."""
        self.expire()
        count, self.shut_down = self.shut_down, 0
        if count:
            gc.collect()
        return count


def close_expired_sessions() -> ClosingTTLCache | None:
    """Make the runtime's session storage shut down the sessions it expires; returns that storage's
    cache, or None (logged) where this Streamlit keeps its sessions some other way."""
    try:
        storage = runtime.get_instance()._session_mgr._session_storage
        sessions: TTLCache = storage._cache
    except (AttributeError, RuntimeError):
        _LOG.warning("Closed sessions cannot be shut down early: this Streamlit stores sessions differently")
        return None
    if not isinstance(sessions, ClosingTTLCache):
        closing = ClosingTTLCache(maxsize=sessions.maxsize, ttl=sessions.ttl)
        for session_id, session_info in sessions.items():
            closing[session_id] = session_info
        storage._cache = sessions = closing
    return sessions


def return_freed_memory() -> bool:
    """Give the memory the C heap holds free back to the system (glibc's ``malloc_trim``); False elsewhere."""
    name = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError, TypeError):  # not glibc (musl, macOS): nothing to do
        return False
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    trim(0)
    return True


def sweep_interval(ttl_s: float) -> float:
    """Seconds between sweeps: SWEEP_S, or half the TTL when that is shorter (a test server's 2 s)."""
    return min(SWEEP_S, max(ttl_s / 2, 0.5))


@contextlib.asynccontextmanager
async def sweeping_sessions(_app, release: Callable[[], int] = lambda: 0):
    """st.App lifespan: every ``sweep_interval``, shut down the closed sessions that expired, run
    ``release`` (which drops what no session holds any more and returns how much), and give
    the memory freed back to the system."""
    sessions = close_expired_sessions()
    every_s = sweep_interval(sessions.ttl if sessions is not None else SWEEP_S)

    async def sweep() -> None:
        while True:
            await asyncio.sleep(every_s)
            try:
                shut_down = sessions.collect() if sessions is not None else 0
                if release() or shut_down:
                    return_freed_memory()
            except Exception:
                _LOG.exception("Sweeping closed sessions failed")

    task = asyncio.get_running_loop().create_task(sweep())
    try:
        yield
    finally:
        task.cancel()
