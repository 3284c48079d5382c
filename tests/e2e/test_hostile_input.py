"""In a real browser: input that must not break the page or change the numbers.

Cells and weights that are not usable numbers get a message while the last
valid filter stays in force; the URL's query string is ignored; file names are
shown as typed; and nothing the user does makes the page contact another site.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from filters import PRESETS, KernelError, format_value, parse_kernel, parse_weight
from filters.images import ImageRejected, decode_image
from tests.e2e.helpers import (
    app_session,
    click_radio,
    core_result,
    edit_kernel_cell,
    expect_inspector_shows,
    image_block,
    inspect_pixel,
    inspector_heading,
    sample_pixels,
    screenshot_and_check,
    type_into,
    wait_for_app,
)

KERNEL = PRESETS["vertical_edges"].values  # the first view's filter
FIRST_VIEW = core_result(sample_pixels())

# typed text -> the cell (row, column) it goes into: cells whose filter value is not 0,
# so that taking the bad text as 0 (or as anything) would change the inspected value
BAD_CELLS = {
    "abc": (0, 0),
    "nan": (1, 2),
    "inf": (2, 0),
    "1e308": (0, 2),
    "": (2, 2),
}


def telling_pixel() -> tuple[int, int]:
    """An unclipped output pixel that would change if any cell of ``BAD_CELLS`` lost its value.

    Its raw sum lies strictly inside 0..255 and none of the input pixels under those cells is 0.
    """
    raw = FIRST_VIEW.raw
    for row, col in np.argwhere((raw > 0) & (raw < 255)):
        window = FIRST_VIEW.image[row : row + 3, col : col + 3]
        if all(window[cell] != 0 for cell in BAD_CELLS.values()):
            return int(row), int(col)
    raise AssertionError("no pixel of the first view reacts to every edited cell")


@pytest.fixture
def filter_page(sessions, request):
    """One session on the first view, inspecting a pixel that reacts to every edited cell."""
    yield from sessions.use("filter", request, setup=lambda page: inspect_pixel(page, *telling_pixel()))


def warnings(page):
    return page.locator('[data-testid="stMain"]').get_by_role("alert")


@pytest.mark.parametrize("text", list(BAD_CELLS), ids=lambda text: repr(text))
def test_a_bad_cell_is_refused_and_the_last_valid_filter_stays(filter_page, text, request):
    page = filter_page
    row, col = BAD_CELLS[text]
    cells = np.array([[format_value(value) for value in kernel_row] for kernel_row in KERNEL], dtype=object)
    cells[row, col] = text
    with pytest.raises(KernelError) as problem:
        parse_kernel(cells)
    shown_before = inspector_heading(page).inner_text()

    edit_kernel_cell(page, row, col, text)
    expect(warnings(page)).to_have_text(
        re.compile(re.escape(f"{problem.value} The last valid filter stays in force.") + "$")
    )
    expect(inspector_heading(page)).to_have_text(shown_before)
    expect_inspector_shows(page, FIRST_VIEW)
    screenshot_and_check(page, f"{request.node.name}-refused")

    edit_kernel_cell(page, row, col, format_value(KERNEL[row, col]))  # fixed again
    expect(warnings(page)).to_have_count(0)
    expect_inspector_shows(page, FIRST_VIEW)


def test_a_bad_weight_is_refused_and_the_last_valid_weight_stays(filter_page):
    page = filter_page
    with pytest.raises(KernelError) as problem:
        parse_weight("ten")
    shown_before = inspector_heading(page).inner_text()
    type_into(page, "Weight", "ten")
    expect(warnings(page)).to_have_text(
        re.compile(re.escape(f"{problem.value} The last valid weight stays in force.") + "$")
    )
    expect(inspector_heading(page)).to_have_text(shown_before)
    expect_inspector_shows(page, FIRST_VIEW)
    type_into(page, "Weight", "1")
    expect(warnings(page)).to_have_count(0)


def test_hostile_query_parameters_are_ignored(browser, app_server, request):
    query = "/?preset=../../etc/passwd&x=<script>alert(1)</script>"
    with app_session(browser, app_server.url, query) as page:
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        expect(page.get_by_text("28 x 28 → 26 x 26 → 13 x 13", exact=False)).to_be_visible()
        expect(image_block(page).get_by_text("Showing Ankle boot 1, 28 x 28 pixels.")).to_be_visible()
        expect(page.get_by_role("combobox", name="Preset")).to_have_value(PRESETS["vertical_edges"].name)
        expect(page.get_by_text("passwd")).to_have_count(0)
        expect(
            page.get_by_text("This link held settings this page does not offer ('preset', 'x')")
        ).to_be_visible()
        expect_inspector_shows(page, FIRST_VIEW)
        assert dialogs == []
        assert page.foreign_requests == []
        screenshot_and_check(page, request.node.name)


def png(size: tuple[int, int] = (20, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (90, 140, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(page, name: str, data: bytes) -> None:
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": name, "mimeType": "image/png", "buffer": data}]
    )


def test_uploads_with_html_in_their_names_make_no_request_elsewhere(page):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    name = "<img src=x onerror=alert(1)>.png"  # (Chrome would send quotes in a name as %22)
    upload(page, name, png())
    expect(image_block(page).get_by_text(f"Showing {name}, 20 x 20 pixels.")).to_be_visible()
    wait_for_app(page)
    broken, cut_off = "broken <b>bold</b>.png", png()[:30]
    with pytest.raises(ImageRejected) as refusal:
        decode_image(cut_off, broken)
    upload(page, broken, cut_off)
    # Replacing a file first empties the uploader; the refused file's message names it and the upload
    # it was to replace, which stays on screen. Both names are shown as typed, never run as HTML.
    expect(image_block(page).get_by_role("alert")).to_have_text(
        re.compile(re.escape(f"{refusal.value} Still showing {name}.") + "$")
    )
    wait_for_app(page)
    expect(image_block(page).get_by_text(f"Showing {name}, 20 x 20 pixels.")).to_be_visible()
    click_radio(page, "Fashion")  # a sample: the upload is one click away, its name on the button
    image_block(page).get_by_role("button", name=f"Show {name} again").click()
    wait_for_app(page)
    expect(page.get_by_text("Original · 20 x 20", exact=True)).to_be_visible()
    assert dialogs == []
    assert page.foreign_requests == []


def test_a_file_name_is_shown_as_typed(page):
    upload(page, "*final* cat.png", png())
    wait_for_app(page)
    expect(page.get_by_text("Original · 20 x 20", exact=True)).to_be_visible()
    expect(image_block(page).get_by_text("Showing *final* cat.png, 20 x 20 pixels.")).to_be_visible(
        timeout=3000
    )
    tracker = "![x](https://example.invalid/track.png).png"
    upload(page, tracker, png())
    wait_for_app(page)
    expect(image_block(page).get_by_text(f"Showing {tracker}, 20 x 20 pixels.")).to_be_visible(timeout=3000)
    assert page.foreign_requests == []
