"""The filter pad's text in Chromium: long values fit their cells, on a laptop and on a phone; a
value typed in the table as ``-0`` or ``1,5`` reads the same in the table and on the pad; a value
typed on the pad is read by the core as a table cell is (``1,5``, ``1/9``; ``1_000`` refused).

The core allows values up to 1,000,000 in size and writes them with at most two decimals, so the
longest text a pad cell shows has ten characters: ``-999999.99``. Such a value is written smaller;
short values keep the pad's full size.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from filters.kernel import KernelError, parse_number
from filters.numbers import format_value
from filters.presets import PRESETS
from tests.e2e.helpers import SCREENSHOTS, app_session, kernel_editor, screenshot_and_check, wait_for_app
from tests.e2e.test_forged_messages import assert_default_page, assert_safe, forge

pytestmark = pytest.mark.e2e
SIZES = {"laptop": (1366, 768), "phone": (390, 844)}
TYPED = {0: "999999", 4: "-1000000", 8: "-999999.99"}  # pad cell index -> value typed into it
FULL_SIZE_PX = 1.35 * 16  # .fp-value's font size (1.35rem) for a short value
SMALLEST_PX = 10  # a long value may be written smaller, never below this

MEASURE = """pad => [...pad.querySelectorAll('.fp-cell')].map(cell => {
  const value = cell.querySelector('.fp-value');
  const outer = cell.getBoundingClientRect(), inner = value.getBoundingClientRect();
  const border = parseFloat(getComputedStyle(cell).borderLeftWidth);
  return {
    text: value.textContent,
    fontPx: parseFloat(getComputedStyle(value).fontSize),
    inside: inner.left >= outer.left + border - 0.5 && inner.right <= outer.right - border + 0.5,
    cellScroll: cell.scrollWidth, cellClient: cell.clientWidth,
    valueScroll: value.scrollWidth, valueClient: value.clientWidth,
  };
})"""


def pad_cell(page: Page, index: int):
    return page.locator(".fp-cell").nth(index)


def warnings(page: Page):
    return page.locator('[data-testid="stMain"]').get_by_role("alert")


def type_on_pad(page: Page, index: int, text: str) -> None:
    """Focus pad cell ``index``, press Enter, type ``text`` and Enter: one committed edit."""
    pad_cell(page, index).focus()
    pad_cell(page, index).press("Enter")
    page.locator(".fp-input").fill(text)
    page.locator(".fp-input").press("Enter")
    wait_for_app(page)


@pytest.mark.parametrize("size", SIZES, ids=str)
def test_the_longest_values_fit_their_pad_cells(browser, app_server, size, request):
    width, height = SIZES[size]
    with app_session(browser, app_server.url, viewport={"width": width, "height": height}) as page:
        for index, text in TYPED.items():
            type_on_pad(page, index, text)
            expect(pad_cell(page, index)).to_have_attribute("aria-valuetext", format_value(float(text)))
        pad = page.locator(".fp-pad")
        pad.scroll_into_view_if_needed()
        cells = pad.evaluate(MEASURE)
        pad.screenshot(path=str(SCREENSHOTS / f"{request.node.name}-pad.png"))
        screenshot_and_check(page, request.node.name)

    texts = [cell["text"] for cell in cells]
    assert texts == ["999999", "0", "1", "-2", "-1000000", "2", "-1", "0", "-999999.99"]
    for cell in cells:
        assert cell["inside"], cell
        assert cell["cellScroll"] <= cell["cellClient"], cell
        assert cell["valueScroll"] <= cell["valueClient"], cell
        assert cell["fontPx"] >= SMALLEST_PX, cell
    short = [cell for index, cell in enumerate(cells) if index not in TYPED]
    assert all(cell["fontPx"] == pytest.approx(FULL_SIZE_PX) for cell in short), short


def type_in_table(page: Page, row: int, col: int, text: str) -> None:
    """Double-click filter cell (row, col) of the table's canvas, type ``text`` and Enter (as
    ``helpers.edit_kernel_cell`` does, without expecting the cell to keep the text as typed)."""
    box = kernel_editor(page).locator("canvas").first.bounding_box()
    x = box["x"] + box["width"] * (0.18 + (col + 0.5) * 0.82 / 3)
    y = box["y"] + box["height"] * (row + 1.5) / 4
    page.mouse.click(x, y)
    wait_for_app(page)
    page.mouse.dblclick(x, y)
    page.locator(".gdg-input").fill(text)
    page.locator(".gdg-input").press("Enter")
    wait_for_app(page)


def test_minus_zero_and_a_decimal_comma_read_the_same_in_the_table_and_on_the_pad(page):
    type_in_table(page, 0, 0, "-0")
    type_in_table(page, 1, 1, "1,5")
    table = kernel_editor(page)
    expect(table.get_by_test_id("glide-cell-1-0")).to_have_text("0")
    expect(table.get_by_test_id("glide-cell-2-1")).to_have_text("1.5")
    expect(pad_cell(page, 0)).to_have_attribute("aria-valuetext", "0")
    expect(pad_cell(page, 4)).to_have_attribute("aria-valuetext", "1.5")
    expect(warnings(page)).to_have_count(0)


def test_a_value_typed_on_the_pad_is_read_as_a_table_cell_is(page):
    table = kernel_editor(page)
    type_on_pad(page, 4, "1,5")
    expect(pad_cell(page, 4)).to_have_attribute("aria-valuetext", "1.5")
    expect(table.get_by_test_id("glide-cell-2-1")).to_have_text("1.5")
    type_on_pad(page, 1, "1/9")
    expect(pad_cell(page, 1)).to_have_attribute("aria-valuetext", "0.11")
    expect(table.get_by_test_id("glide-cell-2-0")).to_have_text("1/9")  # exact, as typed
    expect(warnings(page)).to_have_count(0)

    with pytest.raises(KernelError) as problem:
        parse_number("1_000", "cell in the top row, left column")
    type_on_pad(page, 0, "1_000")
    message = f"{problem.value} The last valid filter stays in force."
    expect(warnings(page)).to_have_text(re.compile(re.escape(message) + "$"))  # after the icon's name
    expect(pad_cell(page, 0)).to_have_attribute("aria-valuetext", "-1")
    expect(table.get_by_test_id("glide-cell-1-0")).to_have_text("-1")
    type_on_pad(page, 0, "0x10")  # JavaScript's Number() read this as 16; the core does not
    expect(warnings(page)).to_contain_text("'0x10', which is not a number")
    expect(pad_cell(page, 0)).to_have_attribute("aria-valuetext", "-1")


FORGED_TYPING = {
    "cell 9": {"typed": {"index": 9, "text": "5"}},
    "index as text": {"typed": {"index": "0", "text": "5"}},
    "index as a bool": {"typed": {"index": True, "text": "5"}},
    "a number, not text": {"typed": {"index": 0, "text": 5}},
    "not a dict": {"typed": "5"},
}


@pytest.mark.parametrize("state", FORGED_TYPING.values(), ids=FORGED_TYPING.keys())
def test_a_forged_typed_value_keeps_the_filter_in_force(app_server, state):
    with forge(app_server, [("filter_pad", state)]) as session:
        assert_safe(session, app_server)
        assert_default_page(session)
        pad = next(
            proto
            for _, proto in session.elements()
            if getattr(proto, "component_name", "") == "convolution_filter_pad"
        )
        assert json.loads(pad.json)["values"] == PRESETS["vertical_edges"].values.ravel().tolist()
