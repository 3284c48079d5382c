"""Exports: the files the page's download buttons make, timed against the issue's budgets.

``python -m bench --only exports``. Each export is made a few times and the best run counts
(the machine's other work only ever slows a run down). An export is one entry of ``exports()``:
a name, a function that makes the file, and its budgets.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.timing import table, verdict
from filters.animation import convolution_animation
from filters.handout import handout
from filters.images import decode_image
from filters.pipeline import FilterResult, apply_filter
from filters.presets import PRESETS
from filters.recipe import working_pixels
from filters.samples import DEFAULT_SAMPLE, find_sample
from filters.stepping import whole
from tests.e2e.helpers import wait_for_app
from tests.e2e.server import CHROMIUM, CHROMIUM_FLAGS, AppServer

RUNS = 3
PHOTO = "photos/camera.png"


@dataclass(frozen=True)
class Export:
    """One file to time: what it is, how it is made, and how long and large it may be."""

    name: str
    make: Callable[[], bytes]
    seconds_budget: float
    megabytes_budget: float


def first_image() -> FilterResult:
    """The page's first image (a 28 x 28 ankle boot) with vertical edges: 676 steps to slide through."""
    sample = find_sample(DEFAULT_SAMPLE)
    pixels = working_pixels(decode_image(sample.path.read_bytes(), sample.path.name), colour=False)
    return apply_filter(pixels, PRESETS["vertical_edges"].values)


def photo_512() -> FilterResult:
    """A 512 x 512 photo (the cameraman) with vertical edges: the worksheet's largest usual grids."""
    sample = find_sample(PHOTO)
    pixels = working_pixels(decode_image(sample.path.read_bytes(), sample.path.name), colour=False)
    return apply_filter(pixels, PRESETS["vertical_edges"].values)


def exports() -> list[Export]:
    boot, photo = first_image(), photo_512()
    region = whole(boot.output_shape)
    worksheets = [
        Export(
            f"Worksheet of a 512 x 512 photo, {fmt.upper()}",
            lambda fmt=fmt: handout(photo, "Cameraman", photo.strongest, fmt=fmt).data,
            seconds_budget=2,
            megabytes_budget=5,
        )
        for fmt in ("pdf", "png")
    ]
    return worksheets + [
        Export(
            f"Slide the filter, 28 x 28 ({region.count} frames), {fmt.upper()}",
            lambda fmt=fmt: convolution_animation(boot, region, fmt=fmt).data,
            seconds_budget=5,
            megabytes_budget=5,
        )
        for fmt in ("gif", "webp")
    ]


def best_of(make: Callable[[], bytes], runs: int = RUNS) -> tuple[float, bytes]:
    """The shortest time of ``runs`` runs in seconds, and the file made."""
    best, data = float("inf"), b""
    for _ in range(runs):
        start = time.perf_counter()
        data = make()
        best = min(best, time.perf_counter() - start)
    return best, data


def _click_to_file_s(page, button, folder: Path) -> tuple[float, int]:
    """Seconds from the click on a download button to the whole file saved by Chromium, and its size."""
    start = time.perf_counter()
    with page.expect_download(timeout=60_000) as started:
        button.click()
    path = folder / started.value.suggested_filename
    started.value.save_as(path)
    return time.perf_counter() - start, path.stat().st_size


def browser_rows() -> list[list[str]]:
    """The same exports as a user meets them: the app started as the README says, each file
    downloaded in Chromium (server-side making, transfer and saving included)."""
    if not Path(CHROMIUM).exists():
        return [[f"(browser part skipped: {CHROMIUM} not found)", "", "", ""]]
    from playwright.sync_api import sync_playwright

    server, rows = AppServer(), []
    try:
        with sync_playwright() as playwright, tempfile.TemporaryDirectory() as folder:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
            page = browser.new_context(viewport={"width": 1600, "height": 2400}).new_page()
            page.goto(server.url)
            wait_for_app(page)
            clicks = []
            page.get_by_text("Take it with you").click()
            for kind in ("PDF", "PNG"):
                clicks.append((f"Worksheet of the 28 x 28 boot, {kind}", f"Worksheet ({kind})", 2))
            clicks.append(("Filtered grid as a 300 dpi PNG", "Filtered as PNG", 2))
            for name, label, budget in clicks:
                seconds, size = _click_to_file_s(page, page.get_by_role("button", name=label), Path(folder))
                rows.append(_row(f"in Chromium: {name}", seconds, size, budget, 5))
            page.get_by_text("Slide the filter", exact=True).click()
            wait_for_app(page)
            for kind in ("GIF", "WEBP"):
                button = page.get_by_role("button", name=f"Animation ({kind})")
                seconds, size = _click_to_file_s(page, button, Path(folder))
                rows.append(_row(f"in Chromium: Slide the filter, 676 frames, {kind}", seconds, size, 5, 5))
            browser.close()
    finally:
        server.stop()
    return rows


def _row(name: str, seconds: float, size: int, seconds_budget: float, megabytes_budget: float) -> list[str]:
    megabytes = size / 1e6
    within = verdict(seconds, seconds_budget) == verdict(megabytes, megabytes_budget) == "yes"
    return [
        name,
        f"{seconds:.1f} s of {seconds_budget:g} s",
        f"{megabytes:.2f} MB of {megabytes_budget:g} MB",
        "yes" if within else "NO",
    ]


def run() -> str:
    rows = []
    for export in exports():
        seconds, data = best_of(export.make)
        rows.append(_row(export.name, seconds, len(data), export.seconds_budget, export.megabytes_budget))
    rows += browser_rows()
    headers = ["Export", f"time (core: best of {RUNS}; browser: one click)", "size", "within"]
    return table(headers, rows)
