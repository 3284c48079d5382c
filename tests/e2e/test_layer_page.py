"""The second page, "A whole layer", in a real browser: what it writes is what the core computed.

At the projector's, a laptop's and a phone's size: the window stepper with stride and dilation,
the learning run played to its end, and "Step through it" back to the first page's stepper.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from playwright.sync_api import expect

from filters.layer import ConvSettings, correlate, preset_kernel, window_step
from filters.learn import learn_filter, painted_target, scaled
from filters.numbers import format_values
from tests.e2e.helpers import app_session, sample_pixels, screenshot_and_check, wait_for_app
from views.layer_page import strongest_window

pytestmark = pytest.mark.e2e
SIZES = {"projector": (1920, 1080), "laptop": (1366, 768), "phone": (390, 844)}


def choose(page, key: str, option: str) -> None:
    """Click ``option`` of the segmented control with state key ``key``."""
    page.locator(f".st-key-{key}").get_by_text(option, exact=True).click()
    wait_for_app(page)


@pytest.mark.parametrize("size", list(SIZES))
def test_the_window_stepper_writes_the_cores_sum_with_stride_and_dilation(browser, app_server, size, request):
    width, height = SIZES[size]
    with app_session(browser, app_server.url, "/layer") as page:
        page.set_viewport_size({"width": width, "height": height})
        expect(
            page.get_by_role("heading", name="A whole layer: stride, many filters, learning")
        ).to_be_visible()
        choose(page, "layer_stride", "3")
        choose(page, "layer_dilation", "2")
        choose(page, "layer_padding", "same")
        settings = ConvSettings("same", 3, 2, convention="pytorch")  # Keras has no such layer
        pixels, kernel = sample_pixels(), preset_kernel("vertical_edges")
        sums = correlate(pixels, kernel, settings)
        first = strongest_window(sums)  # new settings start at their strongest window
        expect(page.get_by_text(f"Window {first + 1} of 100")).to_be_visible()
        for _ in range(5):
            page.get_by_role("button", name="Next").first.click()
            wait_for_app(page)
        step = window_step(pixels, kernel, settings, (first + 5) % 100, sums)
        expect(page.get_by_text(f"Window {(first + 5) % 100 + 1} of 100")).to_be_visible()
        expect(page.locator("code").filter(has_text=" × ").first).to_have_text(step.sum_text)
        formula = page.get_by_text("Output size per side")
        expect(formula).to_contain_text("rows ⌊(28 + 2 + 2 − 2·2 − 1) / 3⌋ + 1 = 10")
        formula.scroll_into_view_if_needed()
        screenshot_and_check(page, f"{request.node.name}")
        assert page.foreign_requests == []  # no icon or font fetched from elsewhere


PLAYING_STEPS_JS = """() => {
  const texts = [...document.querySelectorAll('p')].map((p) => p.innerText);
  const counter = texts.find((text) => /^Step \\d+ of \\d+/.test(text)).match(/^Step (\\d+)/)[1];
  const panel = texts.find((text) => /^The filter at step \\d+/.test(text)).match(/step (\\d+)/)[1];
  return counter === panel ? counter : null;  // a string: step "0" is truthy
}"""
"""The step shown, once the counter and the filter's heading name the same one, read at one moment.

A run's elements reach the browser one message at a time, so for a few milliseconds of each step the
counter may already name the next step while the filter's heading does not: no eye sees that. What
must never happen is the two staying apart, which the wait below would catch (it fails after 1 s).
"""


def test_playing_the_learning_run_ends_on_the_cores_filter(browser, app_server, request):
    with app_session(browser, app_server.url, "/layer") as page:
        page.get_by_role("button", name="Step 0", exact=True).click()
        wait_for_app(page)
        expect(page.get_by_text(re.compile(r"^Step 0 of 200"))).to_be_visible()
        page.get_by_role("button", name="Play").click()
        seen = set()
        for _ in range(12):  # while it plays, the counter and the filter shown move together
            seen.add(int(page.wait_for_function(PLAYING_STEPS_JS, timeout=1_000).json_value()))
            page.wait_for_timeout(150)
        assert len(seen) >= 3, seen
        expect(page.get_by_text(re.compile(r"^Step 200 of 200"))).to_be_visible(timeout=60_000)
        expect(page.get_by_role("button", name="Play")).to_be_visible(timeout=10_000)  # stopped at the end
        inputs = scaled(sample_pixels())
        learning = learn_filter(inputs, correlate(inputs, preset_kernel("vertical_edges")))
        table = page.locator('[data-testid="stDataFrame"]').nth(-2)
        expect(table.locator('[role="gridcell"]')).to_have_text(
            format_values(learning.kernels[-1]).ravel().tolist()
        )
        screenshot_and_check(page, request.node.name)
        assert page.foreign_requests == []


def test_step_through_it_opens_the_filter_in_the_first_pages_stepper(browser, app_server, request):
    with app_session(browser, app_server.url, "/layer") as page:
        choose(page, "layer_stride", "2")
        expect(page.get_by_text(re.compile(r"^Window \d+ of 169$"))).to_be_visible()
        page.get_by_role("button", name="Step through it").nth(1).click()
        wait_for_app(page)
        expect(page).to_have_url(re.compile(r"/\?.*view=slide"))
        expect(page.get_by_role("heading", name="Convolution & pooling, pixel by pixel")).to_be_visible()
        expect(page.get_by_text(re.compile(r"^Step 1 of 676"))).to_be_visible()
        # The way back keeps the second page's settings (stride 2: 13 x 13 windows).
        page.get_by_role("link", name="A whole layer", exact=True).click()
        wait_for_app(page)
        expect(page.get_by_text(re.compile(r"^Window \d+ of 169$"))).to_be_visible()
        screenshot_and_check(page, request.node.name)
        assert page.foreign_requests == []  # the pages' icons too


def test_a_painted_target_is_learnt_and_the_filter_shown_is_the_cores(browser, app_server, request):
    with app_session(browser, app_server.url, "/layer") as page:
        page.locator(".st-key-learn_target input").click()
        page.keyboard.type("Painted by hand")
        page.keyboard.press("Enter")
        wait_for_app(page)
        expect(page.get_by_text("Paint where the filter's output should be bright")).to_be_visible()
        canvas = page.locator("canvas.pp-canvas")
        canvas.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        x = box["x"] + box["width"] * 0.6  # a vertical stroke down the boot's right part
        page.mouse.move(x, box["y"] + 5)
        page.mouse.down()
        for step in range(1, 31):
            page.mouse.move(x, box["y"] + 5 + step * (box["height"] - 10) / 30)
        page.mouse.up()
        wait_for_app(page)
        expect(page.get_by_text(re.compile(r"^Step 200 of 200"))).to_be_visible()
        cells = canvas.get_attribute("data-painted")
        assert len(cells) == 26 * 26 and cells.count("1") >= 20
        painted = np.array([cell == "1" for cell in cells]).reshape(26, 26)
        inputs = scaled(sample_pixels())
        learning = learn_filter(inputs, painted_target(painted, (26, 26)))
        table = page.locator('[data-testid="stDataFrame"]').nth(-2)
        expect(table.locator('[role="gridcell"]')).to_have_text(
            format_values(learning.kernels[-1]).ravel().tolist()
        )
        expect(page.get_by_text(f"{cells.count('1')} of 676 cells painted")).to_be_visible()
        screenshot_and_check(page, request.node.name)
        assert page.foreign_requests == []
