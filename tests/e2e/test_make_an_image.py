"""An image without a file, in a real browser: drawn on the 28 x 28 or 64 x 64 grid, or snapped with
the webcam (Chromium's fake camera, see CHROMIUM_FLAGS). Both are filtered exactly as an upload of
the same file would be: the inspector shows the core's numbers for the very pixels sent.
"""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from filters.cells import levels_from_text
from filters.images import drawing_png
from tests.e2e.helpers import core_result, expect_inspector_shows, image_block, upload_pixels, wait_for_app

pytestmark = pytest.mark.e2e


def stroke(page, pad, points: list[tuple[float, float]]) -> None:
    """Press, drag through ``points`` (fractions of the grid's width and height) and let go."""
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    at = [(box["x"] + box["width"] * x, box["y"] + box["height"] * y) for x, y in points]
    page.mouse.move(*at[0])
    page.mouse.down()
    for x, y in at[1:]:
        page.mouse.move(x, y, steps=4)
    page.mouse.up()
    wait_for_app(page)


@pytest.mark.parametrize("side", [28, 64])
def test_a_drawing_is_filtered_as_the_core_filters_its_pixels(page, side):
    image_block(page).get_by_text("Draw one", exact=True).click()
    wait_for_app(page)
    if side == 64:
        page.get_by_text("64 x 64", exact=True).click()
        wait_for_app(page)
    pad = page.get_by_role("application", name="Drawing grid")
    stroke(page, pad, [(0.5, 0.15), (0.5, 0.85)])  # a vertical bar: the vertical-edge filter sees it
    stroke(page, pad, [(0.25, 0.5), (0.75, 0.5)])
    expect(page.get_by_text(f"Showing your drawing, {side} x {side} pixels.")).to_be_visible()
    ink = levels_from_text(pad.get_attribute("data-painted"), side, side, 16)
    assert ink is not None and (ink == 15).sum() > side and (ink == 0).sum() > side * side / 2
    pixels = upload_pixels(drawing_png(ink, 16), "your drawing")
    assert pixels.shape == (side, side)
    expect_inspector_shows(page, core_result(pixels))
    page.get_by_role("button", name="Clear").click()
    wait_for_app(page)
    expect_inspector_shows(page, core_result(np.zeros((side, side))))


def test_a_webcam_snapshot_is_filtered_as_the_core_filters_the_photo_sent(page):
    image_block(page).get_by_text("Webcam photo", exact=True).click()
    wait_for_app(page)
    take = page.get_by_role("button", name="Take Photo")
    expect(take).to_be_enabled(timeout=20_000)
    page.wait_for_timeout(1000)  # the fake camera's first frames
    take.click()
    wait_for_app(page)
    expect(page.get_by_text("Showing your webcam photo")).to_be_visible()
    # The widget shows the JPEG it sent as a data: URL; the app must have worked on exactly that file.
    source = page.locator('[data-testid="stCameraInput"] img').get_attribute("src")
    photo = base64.b64decode(source.split(",", 1)[1])
    assert Image.open(io.BytesIO(photo)).size == (640, 480)  # resolution="480p"
    pixels = upload_pixels(photo, "your webcam photo")
    expect(
        page.get_by_text("Showing your webcam photo, working at 512 x 384, downscaled from 640 x 480.")
    ).to_be_visible()
    assert pixels.shape == (384, 512)
    expect_inspector_shows(page, core_result(pixels))
    page.get_by_role("button", name="Clear photo").click()
    wait_for_app(page)
    expect(page.get_by_text("Showing Ankle boot 1")).to_be_visible()


def test_a_drawing_stays_when_its_grid_is_closed_and_when_an_upload_under_it_is_removed(page):
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "under.png", "mimeType": "image/png", "buffer": drawing_png(np.full((9, 9), 7), 16)}]
    )
    wait_for_app(page)
    expect(page.get_by_text("Showing under.png, 9 x 9 pixels.")).to_be_visible()
    image_block(page).get_by_text("Draw one", exact=True).click()
    wait_for_app(page)
    page.get_by_text("64 x 64", exact=True).click()
    wait_for_app(page)
    pad = page.get_by_role("application", name="Drawing grid")
    stroke(page, pad, [(0.3, 0.3), (0.7, 0.7)])
    drawn = pad.get_attribute("data-painted")
    expect(page.get_by_text("Showing your drawing, 64 x 64 pixels.")).to_be_visible()
    image_block(page).get_by_text("Webcam photo", exact=True).click()  # the grid closes
    wait_for_app(page)
    image_block(page).get_by_text("Draw one", exact=True).click()  # and opens again: same size, same ink
    wait_for_app(page)
    expect(pad).to_have_attribute("data-painted", drawn)
    page.get_by_role("button", name="Remove under.png").click()  # remove the upload
    wait_for_app(page)
    expect(page.get_by_text("Showing your drawing, 64 x 64 pixels.")).to_be_visible()
    stroke(page, pad, [(0.7, 0.3), (0.3, 0.7)])  # a second stroke adds to the first
    ink = levels_from_text(pad.get_attribute("data-painted"), 64, 64, 16)
    first = levels_from_text(drawn, 64, 64, 16)
    assert (ink >= first).all() and (ink == 15).sum() > (first == 15).sum() + 40
    expect_inspector_shows(page, core_result(upload_pixels(drawing_png(ink, 16), "your drawing")))
