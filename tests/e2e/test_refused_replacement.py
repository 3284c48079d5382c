"""In a real browser: a refused file that replaces an upload keeps the upload on screen.

Chromium replaces the uploader's file in two steps (it empties the uploader, then sends the new
file), which AppTest does not do by itself: this is the issue's exact repro. A CMYK JPEG (a valid
image the core converts) is uploaded, then a text file renamed .png. The page must name the refused
file, say it still shows the CMYK photo, and show exactly the core's decoding of it; no sample group
is highlighted meanwhile, and another visitor never sees the upload.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from filters.drawing import PIXEL_SHADING, render_grid, value_labels
from filters.images import ImageRejected, decode_image
from tests.e2e.helpers import (
    app_session,
    click_radio,
    core_result,
    expect_inspector_shows,
    image_block,
    upload_pixels,
    wait_for_app,
)
from tests.test_upload_replacement import CMYK_JPEG, NOT_AN_IMAGE


def upload(page, name: str, mime: str, data: bytes) -> None:
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}]
    )


def highlighted_groups(page):
    """The sample groups highlighted in the "Image" segmented control."""
    return page.get_by_role("radiogroup", name="Image").get_by_role("radio", checked=True)


def original_picture(page) -> np.ndarray:
    """The pixels of the "Original" picture, fetched as the browser did."""
    image = page.locator('[data-testid="stImage"]').filter(has_text="Original ·").locator("img")
    response = page.request.get(image.get_attribute("src"))
    return np.asarray(Image.open(io.BytesIO(response.body())).convert("RGB"))


def expect_the_cmyk_photo_shown(page) -> None:
    """print.jpg is on screen: caption, note, the core's drawing of its pixels, the inspector's sums."""
    block = image_block(page)
    expect(block.get_by_text("Showing print.jpg, 20 x 24 pixels.", exact=True)).to_be_visible()
    expect(block.get_by_text("CMYK image converted to RGB.", exact=True)).to_be_visible()
    expect(block.get_by_role("button", name=re.compile("again$"))).to_have_count(0)
    expect(page.get_by_text("Original · 20 x 24", exact=True)).to_be_visible()
    pixels = upload_pixels(CMYK_JPEG, "print.jpg")
    drawn = render_grid(pixels, PIXEL_SHADING, labels=value_labels(pixels)).image
    assert np.array_equal(original_picture(page), drawn)
    expect_inspector_shows(page, core_result(pixels))


def upload_the_cmyk_photo_then_a_text_file(page) -> None:
    """The issue's repro; the refusal must name the text file and the upload still shown."""
    assert "CMYK image converted to RGB." in decode_image(CMYK_JPEG, "print.jpg").notes
    with pytest.raises(ImageRejected) as refusal:
        decode_image(NOT_AN_IMAGE, "notes.png")
    upload(page, "print.jpg", "image/jpeg", CMYK_JPEG)
    expect(image_block(page).get_by_text("Showing print.jpg, 20 x 24 pixels.")).to_be_visible()
    wait_for_app(page)
    upload(page, "notes.png", "image/png", NOT_AN_IMAGE)
    expect(image_block(page).get_by_role("alert")).to_be_visible()
    wait_for_app(page)
    expect(image_block(page).get_by_role("alert")).to_have_text(
        re.compile(re.escape(f"{refusal.value} Still showing print.jpg.") + "$")
    )


def test_a_refused_replacement_keeps_the_cmyk_upload_and_says_so(page, browser, app_server):
    upload_the_cmyk_photo_then_a_text_file(page)
    expect_the_cmyk_photo_shown(page)
    assert page.foreign_requests == []
    with app_session(browser, app_server.url) as other:  # another visitor: the sample, no trace of the upload
        expect(image_block(other).get_by_text("Showing Ankle boot 1, 28 x 28 pixels.")).to_be_visible()
        expect(other.get_by_text("print.jpg")).to_have_count(0)


def test_no_sample_group_is_highlighted_while_an_upload_is_shown(page):
    expect(highlighted_groups(page)).to_have_text(["Fashion"])
    upload(page, "print.jpg", "image/jpeg", CMYK_JPEG)
    expect(image_block(page).get_by_text("Showing print.jpg, 20 x 24 pixels.")).to_be_visible()
    wait_for_app(page)
    expect(highlighted_groups(page)).to_have_count(0)
    expect(page.get_by_role("combobox", name="Sample", exact=True)).to_have_value("")
    upload(page, "notes.png", "image/png", NOT_AN_IMAGE)  # the uploader emptied for a moment, then refused
    expect(image_block(page).get_by_role("alert")).to_be_visible()
    wait_for_app(page)
    expect(highlighted_groups(page)).to_have_count(0)

    click_radio(page, "Fashion")  # picking a sample again shows the sample
    expect(image_block(page).get_by_text("Showing Ankle boot 1, 28 x 28 pixels.", exact=True)).to_be_visible()
    expect(highlighted_groups(page)).to_have_text(["Fashion"])
    expect(page.get_by_role("combobox", name="Sample", exact=True)).to_have_value("Ankle boot 1")
    expect(image_block(page).get_by_role("button", name="Show print.jpg again")).to_be_visible()
