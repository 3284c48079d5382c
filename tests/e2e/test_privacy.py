"""Two browser sessions never see each other's pictures, even with an image crafted to collide.

The attack this guards against: ``st.cache_data`` hashed big arrays from sampled values, so
a picture equal to the Ascent sample at the sampled positions took Ascent's cache entry, and
the next visitor who chose Ascent was shown it. Each test starts its own server, so the
caches hold nothing but what the test puts there, in the order the attack needs.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from filters.drawing import PIXEL_SHADING, render_grid, value_labels
from filters.images import decode_image
from filters.pipeline import apply_filter
from filters.presets import PRESETS
from tests.collision import ascent, crafted_png
from tests.e2e.helpers import (
    app_session,
    image_block,
    inspect_pixel,
    sample_pixels,
    screenshot_and_check,
    sum_of_products,
    wait_for_app,
)
from tests.e2e.server import AppServer

pytestmark = pytest.mark.e2e

VERTICAL = PRESETS["vertical_edges"].values


@pytest.fixture
def fresh_server():
    server = AppServer()
    yield server
    server.stop()


def truth_and_crafted_pixel():
    """The two results, and a pixel where the crafted picture's value differs from Ascent's."""
    from filters.walkthrough import walk_pixel

    truth = apply_filter(ascent().rgb[..., 0], VERTICAL)
    crafted = apply_filter(decode_image(crafted_png(), "ascent.png").rgb[..., 0], VERTICAL)
    differing = np.argwhere(truth.mapped() != crafted.mapped())
    row, col = (int(v) for v in differing[len(differing) // 3])
    return walk_pixel(truth, row, col), walk_pixel(crafted, row, col)


def upload_crafted(page) -> None:
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "ascent.png", "mimeType": "image/png", "buffer": crafted_png()}]
    )
    expect(image_block(page).get_by_text("Showing ascent.png, 512 x 512 pixels.")).to_be_visible()
    wait_for_app(page)


def choose_ascent(page) -> None:
    image_block(page).get_by_role("radio", name="Photos").click()
    expect(
        image_block(page).get_by_text("Showing Ascent: the lab's staircase, 512 x 512 pixels.")
    ).to_be_visible()


@pytest.mark.parametrize("attacker_first", [True, False], ids=["attacker first", "visitor first"])
def test_a_crafted_collision_never_crosses_sessions(browser, fresh_server, attacker_first):
    truth, crafted = truth_and_crafted_pixel()
    with (
        app_session(browser, fresh_server.url) as attacker,
        app_session(browser, fresh_server.url) as visitor,
    ):
        order = [(attacker, upload_crafted), (visitor, choose_ascent)]
        for page, action in order if attacker_first else order[::-1]:
            action(page)
        for page, expected, other in ((visitor, truth, crafted), (attacker, crafted, truth)):
            inspect_pixel(page, expected.row, expected.col)
            expect(sum_of_products(page)).to_have_text(expected.sum_line)
            assert expected.sum_line != other.sum_line
        screenshot_and_check(visitor, f"privacy_visitor_{'attacker_first' if attacker_first else 'first'}")


def shown_picture(page, caption: str) -> np.ndarray:
    """The pixels of the picture with this caption, fetched as the browser did."""
    image = page.locator('[data-testid="stImage"]').filter(has_text=caption).locator("img")
    response = page.request.get(image.get_attribute("src"))
    return np.asarray(Image.open(io.BytesIO(response.body())).convert("RGB"))


def expected_original(pixels: np.ndarray) -> np.ndarray:
    """The original grid as the core draws it (its outline is drawn over it by the page's CSS)."""
    result = apply_filter(pixels, VERTICAL)
    return render_grid(result.image, PIXEL_SHADING, labels=value_labels(result.image)).image


def test_each_image_gets_its_own_pictures_in_every_session(browser, fresh_server):
    noise = np.random.default_rng(11).integers(0, 256, size=(3, 5)).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(noise).save(buffer, format="PNG")
    boot = sample_pixels()
    with (
        app_session(browser, fresh_server.url) as first,
        app_session(browser, fresh_server.url) as second,
    ):
        assert np.array_equal(shown_picture(first, "Original ·"), expected_original(boot))
        first.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            files=[{"name": "noise.png", "mimeType": "image/png", "buffer": buffer.getvalue()}]
        )
        expect(image_block(first).get_by_text("Showing noise.png, 5 x 3 pixels.")).to_be_visible()
        wait_for_app(first)
        assert np.array_equal(shown_picture(first, "Original ·"), expected_original(noise))
        second.reload()
        wait_for_app(second)
        assert np.array_equal(shown_picture(second, "Original ·"), expected_original(boot))
