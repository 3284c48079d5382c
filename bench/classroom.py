"""A class at once: N students open the app, change the preset and upload their own 12 MP photo.

``python -m bench --class 30`` (or ``--only class``). Each student is a raw-protocol client
(tests/e2e/protocol.py) that does what a browser does: the health and host-config requests, the
websocket, reruns with its widget states, the upload (URL request and multipart PUT), and the GET
of every picture each run shows. All N start together, on two setups measured in the same run:
one ``streamlit run app.py`` and ``python -m deploy.serve`` (one process per core behind HAProxy).

Printed per setup and class size: the time of each student's visit (open + preset + upload, p50,
p95 and max) against one student alone on the same setup, the server's CPU-seconds per student
(all app processes, from /proc), its resident memory, and the errors: a student who does not see
their own photo, a traceback, a refused request.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import psutil

from bench.memory import photo
from deploy.serve import ClassServer, free_port
from filters.presets import PRESETS
from tests.e2e.protocol import Session
from tests.e2e.server import AppServer

MB = 1024 * 1024
SIZES = (1, 10, 30)
P95_BUDGET = 4.0  # x one student, load-balanced, 30 at once
PHYSICAL_BUDGET = 1.3  # x the physical floor: N x server CPU per student / cores
WAIT_BUDGET_S = 10.0  # no student waits longer
CPU_BUDGET_S = 0.3  # server CPU-seconds per student


@dataclass
class Visit:
    """One student's visit: seconds per action, and what went wrong."""

    open_s: float = 0.0
    preset_s: float = 0.0
    upload_s: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def total_s(self) -> float:
        return self.open_s + self.preset_s + self.upload_s


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _change_preset(session: Session) -> None:
    session.set_widget("preset", PRESETS["horizontal_edges"].name)


def student(url: str, number: int, data: bytes, is_app: bool = True) -> Visit:
    """Open the page, pick another preset (on the floor page, which has none: a rerun), upload
    ``data``; check the page shows this student's photo."""
    visit, name = Visit(), f"student{number}.jpg"
    second = _change_preset if is_app else Session.run
    try:
        with Session(url) as session:
            visit.open_s = _timed(lambda: (session.run(), session.fetch_media()))
            visit.preset_s = _timed(lambda: (second(session), session.fetch_media()))
            visit.upload_s = _timed(
                lambda: (session.upload("uploader", name, data, "image/jpeg"), session.fetch_media())
            )
            shown = [text.replace(chr(92), "") for text in session.texts() if text.startswith("Showing")]
            if not shown or not shown[0].startswith(f"Showing **{name}**"):
                visit.errors.append(f"{name} sees {shown[:1]}")
            visit.errors += session.exceptions()
    except Exception as problem:  # a refused request, a timeout: counted, the class goes on
        visit.errors.append(f"{name}: {type(problem).__name__}: {problem}"[:200])
    return visit


class Processes:
    """The app processes of a setup: their CPU-seconds and resident memory, from /proc."""

    def __init__(self, pids: list[int]) -> None:
        self.processes = [psutil.Process(pid) for pid in pids]

    def members(self) -> list[psutil.Process]:
        return [member for process in self.processes for member in (process, *process.children(True))]

    def cpu_seconds(self) -> float:
        return sum(sum(member.cpu_times()[:2]) for member in self.members())

    def rss_mb(self) -> float:
        return sum(member.memory_info().rss for member in self.members()) / MB


def a_class(url: str, processes: Processes, photos: list[bytes], size: int, is_app: bool) -> dict[str, float]:
    """``size`` students at once; their visits' times, the CPU they cost, memory and errors."""
    before = processes.cpu_seconds()
    with ThreadPoolExecutor(size) as pool:
        visits = list(pool.map(lambda n: student(url, n, photos[n], is_app), range(size)))
    cpu = processes.cpu_seconds() - before
    totals = sorted(visit.total_s for visit in visits)
    return {
        "p50": statistics.median(totals),
        "p95": totals[max(0, round(0.95 * len(totals)) - 1)],
        "max": totals[-1],
        "open_p95": sorted(v.open_s for v in visits)[max(0, round(0.95 * size) - 1)],
        "cpu_per_student": cpu / size,
        "rss": processes.rss_mb(),
        "errors": sum(len(visit.errors) for visit in visits),
        "first_error": next((visit.errors[0] for visit in visits if visit.errors), ""),
    }


def cpu_per_action(url: str, processes: Processes, data: bytes) -> dict[str, float]:
    """One student alone: the server's CPU-seconds for each action of the visit (pictures included)."""
    spent, last = {}, [processes.cpu_seconds()]

    def mark(action: str) -> None:
        time.sleep(0.3)  # let the server finish what the action started (picture requests, cleanup)
        now = processes.cpu_seconds()
        spent[action], last[0] = now - last[0], now

    with Session(url) as session:
        session.run()
        session.fetch_media()
        mark("open")
        session.set_widget("preset", PRESETS["horizontal_edges"].name)
        session.fetch_media()
        mark("preset")
        session.upload("uploader", "alone.jpg", data, "image/jpeg")
        session.fetch_media()
        mark("upload")
    return spent


def measure(
    setup: str,
    url: str,
    processes: Processes,
    photos: list[bytes],
    sizes: tuple[int, ...],
    is_app: bool = True,
) -> list[dict]:
    # Warm every process (first-visit imports and caches), as after the first visitors of a lesson:
    # as many visits at once as processes, which the balancer spreads one to each.
    warm = len(processes.processes)
    with ThreadPoolExecutor(warm) as pool:
        list(pool.map(lambda n: student(url, len(photos) - 1 - n, photos[-1 - n], is_app), range(warm)))
    rows = []
    for size in sizes:
        row = {"setup": setup, "size": size, **a_class(url, processes, photos, size, is_app)}
        rows.append(row)
        print(f"  {setup}, {size} at once: p95 {row['p95']:.2f} s, {row['errors']} errors", flush=True)
    return rows


def run(size: int | None = None) -> str:
    sizes = tuple(sorted({1, *(SIZES if size is None else (min(size, 10), size))}))
    count = max(sizes)
    print(f"  generating {count} distinct 12 MP photos...", flush=True)
    photos = [photo(4032, 3024, seed=500 + n) for n in range(count)]
    rows = []
    single = AppServer()
    try:
        processes = Processes([single.process.pid])
        rows += measure("one process", single.url, processes, photos, sizes)
        actions = cpu_per_action(single.url, processes, photos[0])
    finally:
        single.stop()
    cores = os.cpu_count() or 1
    for script, setup, is_app in (
        ("app.py", f"{cores} processes + HAProxy", True),
        ("bench/floor_page.py", f"floor page, {cores} processes + HAProxy", False),
    ):
        balanced = ClassServer(processes=cores, port=free_port(), bind="127.0.0.1", script=script)
        try:
            rows += measure(setup, balanced.url, Processes(balanced.pids()), photos, sizes, is_app)
        finally:
            balanced.stop()
    per_action = ", ".join(f"{action} {seconds:.2f} s" for action, seconds in actions.items())
    return (
        _table(rows, count, cores)
        + f"\n\nServer CPU per action, one student alone (one process): {per_action}."
    )


def _table(rows: list[dict], count: int, cores: int) -> str:
    """The rows, then the app's budgets (load-balanced, ``count`` at once) beside the floor page's."""
    lines = [
        "| setup | students at once | visit p50 | visit p95 | p95 / one student | p95 / physical floor "
        "| slowest | first view p95 | server CPU per student | server RSS | errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    alone = {row["setup"]: row["p95"] for row in rows if row["size"] == 1}
    for row in rows:
        row["alone_ratio"] = row["p95"] / alone[row["setup"]]
        processes = 1 if row["setup"] == "one process" else cores
        # N students need N x CPU-per-student seconds of the processes' cores: nobody can finish sooner.
        row["physical_ratio"] = row["p95"] / (row["size"] * row["cpu_per_student"] / processes)
        errors = f"{row['errors']} ({row['first_error']})" if row["errors"] else "0"
        lines.append(
            f"| {row['setup']} | {row['size']} | {row['p50']:.2f} s | {row['p95']:.2f} s "
            f"| {row['alone_ratio']:.1f}x | {row['physical_ratio']:.2f}x "
            f"| {row['max']:.2f} s | {row['open_p95']:.2f} s | {row['cpu_per_student']:.2f} s "
            f"| {row['rss']:.0f} MB | {errors} |"
        )
    met = {True: "met", False: "NOT met"}
    app, floor = (
        next((row for row in rows if row["size"] == count and row["setup"].startswith(prefix)), None)
        for prefix in (f"{cores} processes", "floor page")
    )
    if app:
        lines += [
            "",
            "A visit: open the page, change the preset (the floor page, which has none: a rerun), upload "
            "an own 12 MP JPEG (about 4 MB, each student's different), each step with the GETs of its "
            f"pictures. Budgets, {count} at once, load-balanced: p95 <= {P95_BUDGET:g}x one student: "
            f"{app['alone_ratio']:.1f}x ({met[app['alone_ratio'] <= P95_BUDGET]}); p95 <= "
            f"{PHYSICAL_BUDGET:g}x the physical floor ({count} x CPU per student / {cores} cores): "
            f"{app['physical_ratio']:.2f}x ({met[app['physical_ratio'] <= PHYSICAL_BUDGET]}); nobody waits "
            f"over {WAIT_BUDGET_S:g} s: slowest {app['max']:.1f} s ({met[app['max'] <= WAIT_BUDGET_S]}); "
            f"server CPU per student <= {CPU_BUDGET_S:g} s: {app['cpu_per_student']:.2f} s "
            f"({met[app['cpu_per_student'] <= CPU_BUDGET_S]}); errors: {app['errors']}.",
        ]
    if app and floor:
        lines.append(
            f"The floor page served the same way, the same {count} at once: p95 {floor['alone_ratio']:.1f}x "
            f"one student, {floor['physical_ratio']:.2f}x its physical floor; the app's CPU per student is "
            f"{app['cpu_per_student'] / floor['cpu_per_student']:.1f}x the floor page's."
        )
    return "\n".join(lines)
