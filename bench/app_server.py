"""App benchmark, server side: the time of a whole script run in one process (AppTest)."""

from __future__ import annotations

import statistics
from pathlib import Path

from streamlit.testing.v1 import AppTest

from bench.photos import encoded
from bench.timing import median_ms, table, verdict
from views import state
from views.loading import PICTURES, PNGS, RESULTS, clear_caches

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "page.py")
PRESET_CYCLE = ["horizontal_edges", "outline", "sharpen", "box_blur", "emboss", "vertical_edges"]


def _page(sample_group: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    if sample_group:
        at.segmented_control(key=state.SAMPLE_GROUP).set_value(sample_group).run()
    return at


def _cycle(at: AppTest, action, repeats: int = 12) -> float:
    """Median time of a rerun after ``action``; the filter and drawing caches start empty each time,
    so every run computes and draws as the first click on a new filter does."""
    counter = iter(range(10**6))

    def one() -> None:
        action(at, next(counter))
        for cache in (RESULTS, PICTURES, PNGS):
            cache.clear()
        at.run()

    return median_ms(one, repeats, warmup=2)


def _preset(at: AppTest, index: int) -> None:
    at.selectbox(key=state.PRESET).set_value(PRESET_CYCLE[index % len(PRESET_CYCLE)])


def _edit_cell(at: AppTest, index: int) -> None:
    key = state.kernel_editor_key_for(at.session_state[state.KERNEL_EDITOR_VERSION])
    at.session_state[key] = {
        "edited_rows": {"0": {"left": str(index % 7 - 3)}},
        "added_rows": [],
        "deleted_rows": [],
    }


def _first_load(cold: bool) -> float:
    def load() -> None:
        if cold:
            clear_caches()
        AppTest.from_file(APP, default_timeout=120).run()

    return median_ms(load, 5)


def _upload_ms(file_format: str, name: str) -> float:
    """Upload to first result of a 12 MP photo never seen before (nothing cached)."""
    times = []
    for seed in range(3):
        data = encoded(file_format, seed=seed + 10)
        clear_caches()
        at = _page()

        def upload(at=at, data=data) -> None:
            at.main.file_uploader[0].upload(
                name, data, "image/jpeg" if file_format == "JPEG" else "image/heic"
            )
            at.run()

        times.append(median_ms(upload, 1, warmup=0))
        assert at.session_state[state.SHOWN_IMAGE][1] == name, "the upload was not shown"
    return statistics.median(times)


def run() -> str:
    """Time the page's interactions and return the Markdown table."""
    fashion, photo = _page(), _page("Photos")
    rows = [
        ["first load, empty caches (28x28 fashion item)", _first_load(cold=True), None],
        ["first load of another visitor (caches warm)", _first_load(cold=False), None],
        ["preset change, 28x28 with values on all three grids", _cycle(fashion, _preset), 250],
        ["kernel-cell edit, 28x28 with values on all three grids", _cycle(fashion, _edit_cell), 250],
        ["preset change, 512x512 photo", _cycle(photo, _preset), 150],
        ["kernel-cell edit, 512x512 photo", _cycle(photo, _edit_cell), 150],
        ["upload of a 12 MP JPEG (3.6 MB) to first result", _upload_ms("JPEG", "phone.jpg"), 1500],
        ["upload of a 12 MP HEIC (2.5 MB) to first result", _upload_ms("HEIF", "phone.heic"), 1500],
    ]
    return table(
        ["interaction (server time, median)", "ms", "budget (ms)", "within"],
        [
            [name, f"{ms:.0f}", budget or "", verdict(ms, budget) if budget else ""]
            for name, ms, budget in rows
        ],
    )
