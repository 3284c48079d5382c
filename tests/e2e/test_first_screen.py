"""The first screen shows the picture: the image, the filter, the filtered and the pooled grid.

In the default view (not projector mode), on both themes: at 1920 x 1080 and 1366 x 768 all four lie
wholly inside the first screen, unscrolled; on a 390 x 844 phone the image and its filtered result do.
The lecture's example, opened from the first screen, shows its sum in full, with no tooltip left behind.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from filters.drawing import PIXEL_SHADING, outline_box, output_shading, render_grid, value_labels
from filters.walkthrough import VIEW_INSPECT, marks_for, walk_pixel
from tests.e2e.helpers import SCREENSHOTS, core_result, sample_pixels, wait_for_app

SIZES = {"projector": (1920, 1080), "laptop": (1366, 768), "phone": (390, 844)}
THEMES = ("light", "dark")
INSIDE = """element => {
    const box = element.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && box.top >= 0 && box.left >= 0
        && box.bottom <= window.innerHeight + 0.5 && box.right <= window.innerWidth + 0.5;
}"""
PICTURES = {
    "image": ".st-key-result_panel_0 [data-testid='stImage'] img",
    "filter": ".st-key-filter_column .fp-pad",
    "filtered": ".st-key-result_panel_1 .st-key-pick_output img",
    "pooled": ".st-key-result_panel_2 [data-testid='stImage'] img",
}


@pytest.fixture(params=[(size, theme) for size in SIZES for theme in THEMES], ids=lambda p: f"{p[0]}-{p[1]}")
def first_screen(browser, app_server, request):
    size, theme = request.param
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=theme)
    page = context.new_page()
    page.goto(app_server.url)
    wait_for_app(page)
    yield page, size, theme
    assert page.locator('[data-testid="stException"]').count() == 0
    context.close()


def test_the_first_screen_shows_the_pictures(first_screen):
    page, size, theme = first_screen
    wanted = ("image", "filtered") if size == "phone" else tuple(PICTURES)
    for name in wanted:
        picture = page.locator(PICTURES[name])
        expect(picture).to_be_visible()
        if picture.evaluate("element => element.tagName") == "IMG":
            page.wait_for_function(
                "image => image.complete && image.naturalWidth > 0", arg=picture.element_handle()
            )
        assert picture.evaluate(INSIDE), (
            f"the {name} is not wholly on a {size}'s first screen: {picture.bounding_box()}"
        )
    assert page.evaluate("() => window.scrollY") == 0
    page.screenshot(path=str(SCREENSHOTS / f"first_screen_{size}_{theme}.png"))


def test_the_lectures_example_shows_its_sum_in_full(first_screen):
    page, size, theme = first_screen
    if theme == "dark":
        pytest.skip("the layout is the theme's own: one theme is enough here")
    page.get_by_role("button", name="The lecture's example").click()
    wait_for_app(page)
    result = core_result(
        sample_pixels("lecture/lecture.png"), "lecture_example", padding="same", mapping="signed"
    )
    walk = walk_pixel(result, 1, 1)
    total = page.locator(".ex-sum")
    expect(total).to_have_text(f"Sum of the nine products: {walk.sum_line}")
    page.wait_for_timeout(600)  # the explanation is scrolled into sight
    assert total.evaluate(INSIDE), f"the lecture's sum is cut off on a {size}: {total.bounding_box()}"
    expect(page.get_by_role("tooltip")).to_have_count(0)
    page.screenshot(path=str(SCREENSHOTS / f"first_screen_{size}_lecture.png"))


FRAME = """container => {
    const frame = getComputedStyle(container, '::after');
    const box = container.getBoundingClientRect();
    const inShadow = [...container.querySelectorAll('*')].map(e => e.shadowRoot?.querySelector('img'));
    const picture = (container.querySelector('img') || inShadow.find(Boolean)).getBoundingClientRect();
    const left = box.left + parseFloat(frame.left), top = box.top + parseFloat(frame.marginTop);
    return {
        frame: [left, top, left + parseFloat(frame.width), top + parseFloat(frame.height)],
        picture: [picture.left, picture.top, picture.width, picture.height],
        style: frame.borderTopStyle, colour: frame.borderTopColor,
    };
}"""


def test_the_outlines_drawn_over_the_pictures_frame_the_cores_cells(first_screen):
    """Outlines are drawn in the browser over pictures that stay the same: each frame lies on the very
    cells the core outlines (within a pixel), in the style the core gives it."""
    page, _, theme = first_screen
    if theme == "dark":
        pytest.skip("the frames are placed the same on both themes")
    result = core_result(sample_pixels())
    marks = marks_for(VIEW_INSPECT, result, result.strongest)
    grids = {
        "original": (result.image, PIXEL_SHADING, marks.original),
        "filtered": (result.mapped(), output_shading(result.mapping), marks.filtered),
        "pooled": (result.pooled, output_shading(result.mapping), marks.pooled),
    }
    for name, (values, shading, (outline,)) in grids.items():
        geometry = render_grid(values, shading, labels=value_labels(values)).geometry
        box = outline_box(geometry, outline)
        drawn = page.locator(f".st-key-results_outlined_{name}").evaluate(FRAME)
        left, top, width, height = drawn["picture"]
        scale = width / box.width
        expected = [left + box.left * scale, top + box.top * scale]
        expected += [left + box.right * scale, top + box.bottom * scale]
        assert drawn["frame"] == pytest.approx(expected, abs=1.0), name
        assert abs(height - box.height * scale) <= 1.0
        assert drawn["style"] == box.line and drawn["colour"] == "rgb({}, {}, {})".format(*box.colour)
