"""Classroom mode in a real browser: a prepared link holds the view through reload, Back and
Forward, and the steppers keep their word (the speed on the label, every click, a clicker's keys).
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from filters.numbers import format_value
from filters.walkthrough import walk_pixel
from tests.e2e.helpers import core_result, sample_pixels, wait_for_app

pytestmark = pytest.mark.e2e

PREPARED = "?image=photos/coins.png&preset=sharpen&padding=same&mapping=abs&view=slide&step=5&projector=1"


def step_number(page: Page) -> int:
    return int(page.locator(".ex-position").inner_text().split()[1])


def test_a_prepared_link_opens_its_view_and_a_reload_keeps_it(page, app_server):
    page.goto(app_server.url + PREPARED)
    wait_for_app(page)
    result = core_result(sample_pixels("photos/coins.png"), "sharpen", padding="same", mapping="abs")
    for attempt in ("opened", "reloaded"):
        expect(page.locator(".ex-root.ex-projector")).to_have_count(1)
        expect(page.get_by_role("radio", name="Slide the filter")).to_be_checked()
        expect(page.get_by_text("Showing Greek coins", exact=False)).to_be_visible()
        # Step 6 of the 6 x 6 projector zoom region around the strongest response.
        position = page.locator(".ex-position")
        expect(position).to_contain_text("Step 6 of 36:")
        row, col = (
            int(n)
            for n in re.search(r"output pixel \(row (\d+), column (\d+)\)", position.inner_text()).groups()
        )
        assert position.inner_text().endswith(f"= {walk_pixel(result, row, col).final_text}")
        assert "step=5" in page.url and "projector=1" in page.url
        if attempt == "opened":
            page.reload()
            wait_for_app(page)


def test_back_and_forward_walk_through_the_settings_changed(page):
    page.get_by_role("radio", name="Photos").click()
    wait_for_app(page)
    expect(page).to_have_url(re.compile(r"image=photos%2Fascent\.png"))
    page.get_by_role("radio", name="Pool step by step").click()
    wait_for_app(page)
    expect(page).to_have_url(re.compile(r"view=pool"))
    page.go_back()
    wait_for_app(page)
    expect(page.get_by_role("radio", name="Inspect a pixel")).to_be_checked(timeout=20_000)
    expect(page.get_by_text("Showing Ascent", exact=False)).to_be_visible()
    page.go_back()
    wait_for_app(page)
    expect(page.get_by_text("Showing Ankle boot 1", exact=False)).to_be_visible(timeout=20_000)
    page.go_forward()
    wait_for_app(page)
    expect(page.get_by_text("Showing Ascent", exact=False)).to_be_visible(timeout=20_000)
    page.go_forward()
    wait_for_app(page)
    expect(page.get_by_role("radio", name="Pool step by step")).to_be_checked(timeout=20_000)
    expect(page.get_by_text("Showing Ascent", exact=False)).to_be_visible()


def test_the_stepper_plays_at_the_speed_on_its_label(page):
    page.get_by_role("radio", name="Slide the filter").click()  # 676 steps of the 26 x 26 output
    wait_for_app(page)
    for speed, seconds in ((1, 3.0), (4, 2.0), (8, 2.0)):
        page.get_by_role("button", name="Start", exact=True).click()
        page.get_by_label("Speed").select_option(str(speed))
        page.get_by_role("button", name="Play", exact=True).click()
        page.wait_for_timeout(300)
        first, started = step_number(page), time.monotonic()
        page.wait_for_timeout(seconds * 1000)
        last, ended = step_number(page), time.monotonic()
        page.get_by_role("button", name="Pause", exact=True).click()
        rate = (last - first) / (ended - started)
        assert abs(rate - speed) <= 0.2 * speed + 1 / seconds, f"{speed} steps/s measured {rate:.2f}"


def test_every_click_on_next_counts(page):
    page.get_by_role("radio", name="Slide the filter").click()
    wait_for_app(page)
    next_button = page.get_by_role("button", name="Next", exact=False)
    for _ in range(10):
        next_button.click()
        page.wait_for_timeout(100)
    expect(page.locator(".ex-position")).to_contain_text("Step 11 of 676:")


def test_a_clickers_keys_step_wherever_the_focus_is(page):
    result = core_result(sample_pixels())
    page.get_by_role("radio", name="Pool step by step").click()  # the focus stays on this button
    wait_for_app(page)
    position = page.locator(".ex-position")
    for key, step in (
        ("PageDown", 2),
        ("PageDown", 3),
        ("ArrowRight", 3),
        ("PageUp", 2),
        ("End", 2),
        ("Home", 2),
    ):
        page.keyboard.press(key)  # arrows, Home and End belong to the focused radio button
        expect(position).to_contain_text(f"Step {step} of 169:")
    page.locator("h1").click()  # nothing in particular has the focus: every stepper key is the stepper's
    for key, step in (("ArrowRight", 3), ("ArrowLeft", 2), ("End", 169), ("Home", 1), ("PageDown", 2)):
        page.keyboard.press(key)
        expect(position).to_contain_text(f"Step {step} of 169:")
    page.keyboard.press(" ")
    expect(page.get_by_role("button", name="Pause", exact=True)).to_be_visible()
    page.keyboard.press(" ")
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_visible()
    assert result.pooled.shape == (13, 13)


def test_arrow_keys_move_the_inspected_pixel_only_in_the_inspectors_grid(page):
    result = core_result(sample_pixels())
    heading = page.locator(".ex-heading")
    before = heading.inner_text()
    page.locator("h1").click()
    for key in ("ArrowRight", "ArrowDown", "PageDown"):
        page.keyboard.press(key)
    page.wait_for_timeout(500)
    expect(heading).to_have_text(before)  # the page's keys leave the pixel alone
    row, col = (int(n) for n in re.search(r"row (\d+), column (\d+)", before).groups())
    grid = page.locator(".ex-grid").nth(1)
    grid.focus()
    grid.press("ArrowRight")
    value = format_value(result.mapped()[row, col + 1])
    expect(heading).to_have_text(f"Output pixel (row {row}, column {col + 1}) = {value} (hovered)")


def test_a_laptops_first_screen_shows_the_images(browser, app_server):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        page = context.new_page()
        page.goto(app_server.url)
        wait_for_app(page)
        original = page.locator('[data-testid="stImage"] img').first
        expect(original).to_be_visible()
        assert original.bounding_box()["y"] < 768 - 40, "no image on a 1366 x 768 first screen"
        # and the tools a teacher needs first are on it too
        for name in ("The lecture's example", "Share this view"):
            assert page.get_by_role("button", name=name).bounding_box()["y"] < 200
    finally:
        context.close()
