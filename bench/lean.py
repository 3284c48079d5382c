"""A lean page: the server's CPU per action, the app against the floor, in one run.

``python -m bench --only lean``. The floor is ``bench/floor_page.py``: a bare Streamlit page that
shows the same three pictures of the same 28 x 28 sample (or of an upload at the same working
size), served the same way (``streamlit run`` from the project's folder, its config.toml). Each
action is done by a raw-protocol client (tests/e2e/protocol.py) as a browser does it: the
websocket rerun with the widget states, then the GET of every picture it has not fetched yet. The
server's CPU-seconds are read from /proc before and after each repetition; their mean is printed.
"""

from __future__ import annotations

import functools
import statistics
import time
from collections.abc import Callable

import psutil

from bench.memory import photo
from bench.timing import table, verdict
from filters.presets import PRESETS
from tests.e2e.protocol import Session
from tests.e2e.server import CHROMIUM, CHROMIUM_FLAGS, AppServer

REPEATS = 20
PRESET_CYCLE = ["horizontal_edges", "outline", "sharpen", "box_blur", "emboss", "vertical_edges"]
BUDGETS = {  # action -> at most this many times the floor's (the budgets)
    "rerun, nothing changed": 2.0,
    "preset change": 3.0,
    "the inspector's row (one section's control)": 1.5,
    "a visit: open, preset change, 12 MP upload": 2.0,
}


class Visitor:
    """One page of ``server``, fetching each picture once, as a browser does."""

    def __init__(self, server: AppServer, query_string: str = "") -> None:
        self.server, self.fetched = server, set()
        self.cpu = psutil.Process(server.process.pid)
        self.session = Session(server.url, query_string)

    def seconds(self) -> float:
        times = self.cpu.cpu_times()
        return times.user + times.system

    def new_pictures(self) -> None:
        for url in set(self.session.media_urls()) - self.fetched:
            if not url.startswith("data:"):
                self.session.http.get(self.server.url + url, timeout=60).raise_for_status()
            self.fetched.add(url)

    def open(self) -> None:
        self.session.connect()
        self.session.wait()
        pictures = [url for kind, proto in self.session.elements() if kind == "imgs" for url in proto.imgs]
        if self.session.exceptions() or len(pictures) < 3:  # a broken page would be a false floor
            raise RuntimeError(
                f"{self.server.script} shows {len(pictures)} pictures: {self.session.exceptions()}"
            )
        self.new_pictures()

    def act(self, action: Callable[[Session], object]) -> float:
        """Server CPU-seconds that ``action`` (and the pictures it brings) cost."""
        before = self.seconds()
        action(self.session)
        self.new_pictures()
        return self.seconds() - before

    def close(self) -> None:
        self.session.close()


def _open_cost(server: AppServer) -> float:
    visitor = Visitor(server)
    before = visitor.seconds()
    visitor.open()
    spent = visitor.seconds() - before
    visitor.close()
    return spent


def deltas(run: list) -> int:
    """How many elements and blocks a run's messages draw."""
    return sum(message.WhichOneof("type") == "delta" for message in run)


def element_floor(app: AppServer, floor: AppServer) -> tuple[int, float]:
    """The app's elements in a rerun, and the mean server CPU of a rerun of the floor page sending as
    many (its own and lines of text): what any Streamlit page with that many elements costs."""
    visitor = Visitor(app)
    visitor.open()
    count = deltas(visitor.session.run())
    visitor.close()
    visitor = Visitor(floor)
    visitor.open()
    own = deltas(visitor.session.run())
    visitor.close()
    visitor = Visitor(floor, f"elements={count - own}")
    visitor.open()
    for _ in range(2):
        visitor.session.run()
    cost = statistics.fmean(visitor.act(lambda session: session.run()) for _ in range(REPEATS))
    visitor.close()
    return count, cost


def measure(server: AppServer, is_app: bool) -> dict[str, float]:
    """Mean server CPU-seconds of each action on ``server`` (a mean: /proc counts in 10 ms ticks)."""
    for _ in range(2):  # warm-up visits: imports, caches of the sample
        _open_cost(server)
    costs: dict[str, list[float]] = {name: [] for name in ("open", "rerun", "preset", "row", "upload")}
    for repeat in range(REPEATS):
        costs["open"].append(_open_cost(server))
        visitor = Visitor(server)
        visitor.open()
        costs["rerun"].append(visitor.act(lambda session: session.run()))
        if is_app:
            preset = PRESETS[PRESET_CYCLE[repeat % len(PRESET_CYCLE)]].name
            costs["preset"].append(
                visitor.act(functools.partial(Session.set_widget, key="preset", value=preset))
            )
            row = functools.partial(Session.set_widget, key="inspect_row", value=repeat % 20 + 1)
            costs["row"].append(visitor.act(row))
        data = photo(4032, 3024, seed=900 + repeat, quality=85)
        upload = functools.partial(
            Session.upload, uploader_key="uploader", name=f"photo{repeat}.jpg", data=data, mime="image/jpeg"
        )
        costs["upload"].append(visitor.act(upload))
        visitor.close()
    return {name: statistics.fmean(values) for name, values in costs.items() if values}


FIRST_PICTURE_JS = """() => [...document.querySelectorAll('[data-testid="stImage"] img')]
    .some((image) => image.complete && image.naturalWidth > 0)"""
BROWSER_VISITS = 7
FIRST_PICTURE_BUDGET = 1.5


def first_picture_s(servers: dict[str, AppServer]) -> dict[str, float]:
    """Median seconds from navigation to the first picture drawn, in a fresh Chromium context each
    time (no cache, no cookies), for each server; the visits alternate between the servers."""
    from playwright.sync_api import sync_playwright  # only this row needs a browser

    times: dict[str, list[float]] = {name: [] for name in servers}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        for visit in range(BROWSER_VISITS + 1):
            for name, server in servers.items():
                context = browser.new_context(viewport={"width": 1366, "height": 768})
                page = context.new_page()
                start = time.perf_counter()
                page.goto(server.url)
                page.wait_for_function(FIRST_PICTURE_JS, timeout=60_000, polling=10)
                if visit:  # the first visit of each warms the server
                    times[name].append(time.perf_counter() - start)
                context.close()
        browser.close()
    return {name: statistics.median(values) for name, values in times.items()}


def run() -> str:
    app, floor = AppServer(), AppServer(script="bench/floor_page.py")
    try:
        floor_costs, app_costs = measure(floor, False), measure(app, True)
        elements, element_floor_s = element_floor(app, floor)
        painted = first_picture_s({"app": app, "floor": floor})
    finally:
        app.stop()
        floor.stop()
    visit = {
        "app": app_costs["open"] + app_costs["preset"] + app_costs["upload"],
        "floor": floor_costs["open"] + floor_costs["rerun"] + floor_costs["upload"],
    }
    rows_of = [
        ("open the page", app_costs["open"], floor_costs["open"], None),
        ("rerun, nothing changed", app_costs["rerun"], floor_costs["rerun"], None),
        ("preset change", app_costs["preset"], floor_costs["rerun"], None),
        ("the inspector's row (one section's control)", app_costs["row"], floor_costs["rerun"], None),
        (
            f"rerun of a bare page with as many elements ({elements}: the floor's and lines of text)",
            element_floor_s,
            floor_costs["rerun"],
            None,
        ),
        ("upload a 12 MP JPEG", app_costs["upload"], floor_costs["upload"], None),
        ("a visit: open, preset change, 12 MP upload", visit["app"], visit["floor"], None),
    ]
    rows = []
    for name, app_s, floor_s, _ in rows_of:
        ratio = app_s / floor_s
        budget = BUDGETS.get(name)
        rows.append(
            [
                name,
                f"{app_s * 1000:.0f} ms",
                f"{floor_s * 1000:.0f} ms",
                f"{ratio:.1f}x",
                f"<= {budget}x" if budget else "",
                verdict(ratio, budget) if budget else "",
            ]
        )
    ratio = painted["app"] / painted["floor"]
    rows.append(
        [
            "a fresh browser's first picture (seconds from navigation, median; 1366 x 768)",
            f"{painted['app']:.2f} s",
            f"{painted['floor']:.2f} s",
            f"{ratio:.1f}x",
            f"<= {FIRST_PICTURE_BUDGET}x",
            verdict(ratio, FIRST_PICTURE_BUDGET),
        ]
    )
    header = [
        "server CPU per action (mean), or time in the browser",
        "app",
        "floor",
        "app / floor",
        "budget",
        "within",
    ]
    note = (
        f"A whole-page rerun of the app costs {app_costs['rerun'] / element_floor_s:.1f}x a bare page that "
        f"sends as many elements. "
        "The floor's rerun stands for every single-click row (its page has no preset or inspector), and its "
        "visit is open + rerun + upload."
    )
    return table(header, rows) + "\n\n" + note
