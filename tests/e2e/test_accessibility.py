"""Readable by everyone, in a real browser: every text legible on the light and the dark theme, every
picture described by its alt text, and a keyboard path through every control.

- Contrast: each visible text of the three pages (steppers, tables, the drawing grid and the second page
  open) is measured against the colour it is drawn on (WCAG 2 contrast ratio: 4.5:1 for text, 3:1
  for large text), with Chromium preferring the light or the dark theme, which Streamlit follows.
- Alt text: Chromium's accessibility tree names each picture with the core's own description.
- Keyboard: Tab walks every control of the first page, each with a name a screen reader reads out.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from filters.describe import legend_words, results_alts
from filters.walkthrough import VIEW_INSPECT, VIEW_SLIDE, marks_for
from tests.e2e.helpers import (
    app_session,
    choose_option,
    core_result,
    sample_pixels,
    screenshot_and_check,
    wait_for_app,
)

pytestmark = pytest.mark.e2e
JS = Path(__file__).resolve().parent / "js"
CONTRAST = (JS / "contrast.js").read_text()
FOCUSED = (JS / "focused.js").read_text()
THEMES = ("light", "dark")


def low_contrast(page) -> list[dict]:
    """The texts on screen below WCAG's contrast ratio, with their ratio."""
    page.mouse.move(1, 1)  # no hover colours
    page.wait_for_timeout(300)
    return [text for text in page.evaluate(CONTRAST) if text["ratio"] < text["needed"]]


def page_luminance(page) -> float:
    """Relative luminance (0 black .. 1 white) of the page's background."""
    return page.evaluate(
        """() => { const [r, g, b] = getComputedStyle(document.querySelector('[data-testid="stApp"]'))
        .backgroundColor.match(/\\d+/g).map(Number); return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255; }"""
    )


def click_text(page, text: str) -> None:
    page.get_by_text(text, exact=True).first.click()
    wait_for_app(page)


@pytest.mark.parametrize("theme", THEMES)
def test_every_text_is_legible_on_both_themes(browser, app_server, theme, request):
    with app_session(browser, app_server.url, color_scheme=theme) as page:
        assert (page_luminance(page) < 0.2) == (theme == "dark")
        views = {
            "inspect a pixel": lambda: None,
            "values as tables": lambda: click_text(page, "The values as tables"),
            "slide the filter": lambda: click_text(page, "Slide the filter"),
            "pool step by step": lambda: click_text(page, "Pool step by step"),
            "drawing grid": lambda: click_text(page, "Draw one"),
            "signed sums and their legend": lambda: choose_option(page, "Output mapping", "Raw signed sums"),
        }
        for view, open_it in views.items():
            open_it()
            assert low_contrast(page) == [], view
        legend = page.get_by_role("img", name="Colour scale: blue for negative sums")
        expect(legend).to_be_visible()
        screenshot_and_check(page, f"{request.node.name}-first-page")
        page.goto(app_server.url + "/layer")
        wait_for_app(page)
        expect(page.get_by_text("4 feature maps")).to_be_visible()
        assert low_contrast(page) == [], "the second page"
        screenshot_and_check(page, f"{request.node.name}-layer")
        page.goto(app_server.url + "/network")
        wait_for_app(page)
        expect(page.get_by_text("Which items it confuses")).to_be_visible()
        assert low_contrast(page) == [], "the third page"
        screenshot_and_check(page, f"{request.node.name}-network")


def test_the_accessibility_tree_describes_every_picture_with_the_cores_numbers(page):
    result = core_result(sample_pixels())
    marks = marks_for(VIEW_INSPECT, result, result.strongest)
    original, filtered, pooled = results_alts(result, result.strongest, marks)
    for alt in (original, filtered, pooled):
        expect(page.get_by_role("img", name=alt, exact=True)).to_be_visible()
    tree = page.locator('[data-testid="stMain"]').aria_snapshot()
    unnamed = [line for line in tree.splitlines() if line.strip() in ("- img", "- img:")]
    assert unnamed == [], "pictures without alt text"
    page.get_by_text("Slide the filter", exact=True).click()
    wait_for_app(page)
    slide = results_alts(result, result.strongest, marks_for(VIEW_SLIDE, result, result.strongest))
    expect(page.get_by_role("img", name=slide[0], exact=True)).to_be_visible()  # nothing outlined
    choose_option(page, "Output mapping", "Raw signed sums")
    signed = core_result(sample_pixels(), mapping="signed")
    expect(page.get_by_role("img", name=legend_words(signed.mapping), exact=True)).to_be_visible()
    page.goto(page.url.split("?")[0].rstrip("/") + "/layer")
    wait_for_app(page)
    tree = page.locator('[data-testid="stMain"]').aria_snapshot()
    assert "img" in tree and [line for line in tree.splitlines() if line.strip() == "- img"] == []
    page.goto(page.url.split("?")[0].rstrip("/").removesuffix("/layer") + "/network")
    wait_for_app(page)
    tree = page.locator('[data-testid="stMain"]').aria_snapshot()
    assert "img" in tree and [line for line in tree.splitlines() if line.strip() in ("- img", "- img:")] == []


def tab_through(page, limit: int = 400) -> list[dict]:
    """Every element the Tab key reaches, in order, once round the page."""
    reached: list[dict] = []
    page.keyboard.press("Tab")
    for _ in range(limit):
        focused = page.evaluate(FOCUSED)
        if focused is None or (reached and focused["id"] == reached[0]["id"]):
            break
        reached.append(focused)
        page.keyboard.press("Tab")
    return reached


STREAMLIT_UNNAMED = ("canvas", "main")
"""Streamlit's own focus stops without a name: the table editor's drawing surface (its cells are
read from the table it keeps for screen readers) and the page's main region."""


def test_the_keyboard_reaches_every_control_and_each_has_a_name(page):
    reached = tab_through(page)
    names = [element["name"] for element in reached]
    unnamed = [
        element for element in reached if not element["name"] and element["tag"] not in STREAMLIT_UNNAMED
    ]
    assert unnamed == []
    expected = [
        "Output mapping",
        "Working size (longest side)",
        "A whole layer",
        "The lecture's example",
        "Projector mode",
        "Share this view",
        "Sample",
        "Upload",
        "Draw one",
        "Preset",
        "Weight",
        *(f"Filter row {row}, column {col}" for row in (1, 2, 3) for col in (1, 2, 3)),
        "Original as PNG",
        "Filtered as PNG",
        "Max pooled 2 x 2 as PNG",
        "The values as tables",
        "Inspect a pixel",
        "Filtered, 26 x 26: arrow keys move, the explanation is read out",
        "Row (0 = top)",
        "Column (0 = left)",
    ]
    missing = [name for name in expected if not any(name in reached_name for reached_name in names)]
    assert missing == [], names


def test_a_drawing_made_with_the_keyboard_is_the_image_filtered(page):
    click_text(page, "Draw one")
    pad = page.get_by_role("application", name="Drawing grid")
    pad.focus()
    for key in ("ArrowUp", "ArrowUp", "ArrowLeft"):
        page.keyboard.press(key)
    page.keyboard.down("Space")
    for _ in range(4):
        page.keyboard.press("ArrowDown")
    page.keyboard.up("Space")
    wait_for_app(page)
    expect(page.get_by_text("Showing your drawing, 28 x 28 pixels.")).to_be_visible()
    painted = pad.get_attribute("data-painted")
    assert painted.count("f") >= 5 and len(painted) == 28 * 28
