"""Server memory, and full-size timing, with photos sent through the raw protocol client.

``python -m bench.memory`` (or ``python -m bench --only memory``). Each scenario starts its own
``streamlit run app.py`` (tests/e2e/server.py) so that one scenario's caches and heap never count
in another's, and talks to it with tests/e2e/protocol.py, which speaks the websocket protocol as
the browser does (no Chromium needed). Memory is the resident set (RSS) of the server process and
its children, sampled every 20 ms while the server works; "added" is over the server's RSS after
one visit to the page (idle, first-visit imports and caches done).
"""

from __future__ import annotations

import io
import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import psutil
from PIL import Image

from bench.timing import table, verdict
from tests.e2e.protocol import Session
from tests.e2e.server import AppServer

MB = 1024 * 1024
SESSIONS = 30
SMALL_PHOTOS = 100
SOAK_VISITS, SOAK_EVERY, SOAK_IDLE_S = 200, 20, 180
SOAK_BUDGET = 1.3  # RSS after the soak and the idle time, at most this times RSS after the first 20 visits
FULL_SIZE = ["Full size"]  # the working-size select slider's label, as the browser sends it


def photo(width: int, height: int, seed: int, noise: float = 10, quality: int = 90) -> bytes:
    """A colour JPEG like a phone photo: smooth waves of colour (different for every seed) plus sensor noise.

    At 4032 x 3024 (12 MP) it is about 4 MB, as a phone's.
    """
    rng = np.random.default_rng(seed)
    x = np.linspace(0, 2 * np.pi, width, dtype=np.float32)[None, :]
    y = np.linspace(0, 2 * np.pi, height, dtype=np.float32)[:, None]
    pixels = np.empty((height, width, 3), np.uint8)
    for channel in range(3):
        fx, fy, phase = rng.uniform(1, 9), rng.uniform(1, 9), rng.uniform(0, 2 * np.pi)
        wave = 128 + 90 * np.sin(fx * x + fy * y + phase)
        pixels[..., channel] = np.clip(
            wave + rng.normal(0, noise, (height, width)).astype(np.float32), 0, 255
        )
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


class Rss:
    """The server's RSS in bytes (``now()``), and its peak while ``watch()`` runs an action."""

    def __init__(self, server: AppServer) -> None:
        self.process = psutil.Process(server.process.pid)

    def now(self) -> int:
        return sum(member.memory_info().rss for member in [self.process, *self.process.children(True)])

    def watch(self, action: Callable[[], object]) -> int:
        """Run ``action()``; the highest RSS seen meanwhile (and just after)."""
        peak, done = [self.now()], threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak.append(self.now())
                time.sleep(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            action()
        finally:
            done.set()
            sampler.join()
        return max(*peak, self.now())


def _idle(server: AppServer) -> int:
    """RSS after one visit (what the first visitor's imports and caches cost), settled."""
    with Session(server.url) as visit:
        visit.run()
    time.sleep(1)
    return Rss(server).now()


def _showing(session: Session, name: str) -> None:
    """Fail unless the page says it shows the upload ``name`` (the caption escapes the dot)."""
    if not any(
        text.startswith(f"Showing **{name.replace('.', chr(92) + '.')}**") for text in session.texts()
    ):
        kinds = [message.WhichOneof("type") for message in session.last_run]
        raise AssertionError(f"{name} is not shown: {session.texts()[:6]}; last run: {kinds[:12]}")


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


# ---- The scenarios ----------------------------------------------------------------------------------


def thirty_sessions() -> dict[str, float]:
    """(a) SESSIONS sessions connected at once, each uploading a different 12 MP photo at the same time."""
    photos = [photo(4032, 3024, seed=100 + i) for i in range(SESSIONS)]
    server = AppServer()
    try:
        idle = _idle(server)
        rss = Rss(server)
        sessions = [Session(server.url) for _ in range(SESSIONS)]
        with ThreadPoolExecutor(SESSIONS) as pool:
            list(pool.map(lambda s: (s.connect(), s.run()), sessions))
            connected = rss.now()

            def upload_all() -> None:
                names = [f"phone{i}.jpg" for i in range(SESSIONS)]
                list(
                    pool.map(
                        lambda s, n, p: s.upload("uploader", n, p, "image/jpeg"), sessions, names, photos
                    )
                )
                for session, name in zip(sessions, names, strict=True):
                    _showing(session, name)

            try:
                peak = rss.watch(upload_all)
            except AssertionError as error:
                raise AssertionError(f"{error}\nserver output:\n{server.output()[-4000:]}") from None
        time.sleep(1)
        holding = rss.now()
        for session in sessions:
            session.close()
    finally:
        server.stop()
    sizes = [len(p) / MB for p in photos]
    return {
        "idle": idle,
        "connected": connected,
        "peak": peak,
        "holding": holding,
        "min_mb": min(sizes),
        "max_mb": max(sizes),
    }


def full_size(width: int, height: int) -> dict[str, float]:
    """(b), (c) One session, a colour photo at "Full size" with the colour toggle on."""
    data = photo(width, height, seed=7, noise=8 if width * height > 20e6 else 10)
    server = AppServer()
    try:
        idle = _idle(server)
        rss = Rss(server)
        with Session(server.url) as session:
            session.run()
            session.upload("uploader", "photo.jpg", data, "image/jpeg")
            session.set_widget("colour", True)
            times = {}
            peak = rss.watch(
                lambda: times.update(first=_timed(lambda: session.set_widget("working_size", FULL_SIZE)))
            )
            _showing(session, "photo.jpg")
            caption = next(text for text in session.texts() if text.startswith("Showing"))
            shown = caption.split("**, ", 1)[1].rstrip(".")  # "working at W x H, downscaled from ..."
            again = [_timed(session.run) for _ in range(5)]
            peak = max(peak, rss.now())
            errors = [text for text in session.texts() if "wrong" in text] + session.exceptions()
            if errors:
                raise AssertionError(f"the page failed at full size: {errors}")
        time.sleep(1)
        after = rss.now()
    finally:
        server.stop()
    return {
        "idle": idle,
        "peak": peak,
        "after": after,
        "first_ms": times["first"],
        "again_ms": statistics.median(again),
        "file_mb": len(data) / MB,
        "shown": shown,
    }


def hundred_photos() -> dict[str, float]:
    """(d) One session uploading SMALL_PHOTOS different 1.5 MP photos one after another."""
    server = AppServer()
    try:
        rss, after = Rss(server), {}
        with Session(server.url) as session:
            session.run()
            for i in range(1, SMALL_PHOTOS + 1):
                session.upload("uploader", f"small{i}.jpg", photo(1440, 1080, seed=1000 + i), "image/jpeg")
                _showing(session, f"small{i}.jpg")
                if i in (10, SMALL_PHOTOS):
                    time.sleep(1)
                    after[i] = rss.now()
    finally:
        server.stop()
    return after


def soak(visits: int = SOAK_VISITS, idle_s: float = SOAK_IDLE_S) -> dict[str, object]:
    """(e) ``visits`` visitors one after the other, each opening the page, uploading a different 12 MP
    JPEG and leaving; RSS after every SOAK_EVERY visits, then after ``idle_s`` seconds with nobody there
    (past ``server.disconnectedSessionTTL``: the closed sessions must be shut down and freed by then)."""
    server = AppServer()
    try:
        rss, after = Rss(server), {}
        for visit in range(1, visits + 1):
            data = photo(4032, 3024, seed=5000 + visit, quality=85)
            with Session(server.url) as session:
                session.run()
                session.upload("uploader", f"visit{visit}.jpg", data, "image/jpeg")
                _showing(session, f"visit{visit}.jpg")
            if visit % SOAK_EVERY == 0:
                after[visit] = rss.now()
        time.sleep(idle_s)
        idle = rss.now()
    finally:
        server.stop()
    return {"after": after, "idle": idle, "idle_s": idle_s}


def run() -> str:
    """Measure every scenario and return the Markdown table."""
    soaked = soak()
    many = thirty_sessions()
    twelve = full_size(4032, 3024)
    big = full_size(8000, 6000)
    small = hundred_photos()

    def mb(value: float) -> str:
        return f"{value / MB:.0f} MB"

    rows = [
        ["idle server, after one visit", mb(many["idle"]), "", ""],
        [f"{SESSIONS} sessions connected at once, on the first sample", mb(many["connected"]), "", ""],
        [
            f"{SESSIONS} sessions at once, each uploading a different 12 MP JPEG "
            f"({many['min_mb']:.1f}-{many['max_mb']:.1f} MB) at the default working size: peak RSS",
            mb(many["peak"]),
            "< 1500 MB",
            verdict(many["peak"] / MB, 1500),
        ],
        [
            f"the same, {SESSIONS} sessions each holding its photo, settled",
            mb(many["holding"]),
            "< 1500 MB",
            verdict(many["holding"] / MB, 1500),
        ],
    ]
    for label, result in (("12 MP (4032x3024)", twelve), ("48 MP (8000x6000)", big)):
        added = result["peak"] - result["idle"]
        ratio = result["again_ms"] / result["first_ms"] * 100
        what = f"{label} colour JPEG ({result['file_mb']:.1f} MB), Full size, colour on"
        rows += [
            [f"{what}: RSS added over idle (peak)", mb(added), "< 600 MB", verdict(added / MB, 600)],
            [
                f"{what}: first run (recompute), {result['shown']}",
                f"{result['first_ms']:.0f} ms",
                "",
                "",
            ],
            [
                f"{what}: rerun that changes nothing (median of 5), vs the first run",
                f"{result['again_ms']:.0f} ms ({ratio:.1f}%)",
                "< 10%",
                verdict(ratio, 10),
            ],
        ]
    growth = small[SMALL_PHOTOS] - small[10]
    rows.append(
        [
            f"one session uploading {SMALL_PHOTOS} different 1.5 MP photos one after another: RSS after "
            f"{SMALL_PHOTOS} minus after 10 ({mb(small[10])} -> {mb(small[SMALL_PHOTOS])})",
            mb(growth),
            "< 300 MB",
            verdict(growth / MB, 300),
        ]
    )
    first, idle = soaked["after"][SOAK_EVERY], soaked["idle"]
    steps = " -> ".join(f"{value / MB:.0f}" for value in soaked["after"].values())
    rows.append(
        [
            f"soak: {len(soaked['after']) * SOAK_EVERY} visitors one after the other, each uploading a "
            f"different 12 MP JPEG and leaving; RSS after every {SOAK_EVERY} ({steps} MB), then "
            f"{soaked['idle_s'] / 60:.0f} min idle ({mb(idle)}), vs after the first {SOAK_EVERY}",
            f"{idle / first:.2f}x",
            f"<= {SOAK_BUDGET}x",
            verdict(idle / first, SOAK_BUDGET),
        ]
    )
    return table(["what (server RSS: streamlit run app.py)", "measured", "budget", "within"], rows)


if __name__ == "__main__":
    print(run())
