"""Exports, downloaded in a real browser and checked against the core: a grid as a 300 dpi PNG, the
worksheet as PDF and PNG, the image file with the NumPy + SciPy script that reproduces the page
(run here, its arrays equal to the app's), and the steppers as GIF and WebP animations.
"""

from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from filters.animation import convolution_animation, pooling_animation
from filters.drawing import PIXEL_SHADING, output_shading
from filters.prints import PRINT_CELL_PX, print_grid
from filters.walkthrough import VIEW_INSPECT, convolution_region, marks_for, pooling_region
from tests.e2e.helpers import core_result, sample_pixels, wait_for_app

pytestmark = pytest.mark.e2e
BOOT = sample_pixels()


def download(page, button, folder) -> bytes:
    """Click ``button`` (a download button), save what the browser receives, return its bytes."""
    with page.expect_download() as started:
        button.click()
    path = folder / started.value.suggested_filename
    started.value.save_as(path)
    return path.read_bytes()


def picture(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_each_grid_downloads_as_the_cores_values_at_300_dpi(page, tmp_path):
    result = core_result(BOOT)
    marks = marks_for(VIEW_INSPECT, result, result.strongest)
    expected = {
        "Original as PNG": print_grid(result.image, PIXEL_SHADING, outlines=marks.original),
        "Filtered as PNG": print_grid(
            result.mapped(), output_shading(result.mapping), outlines=marks.filtered
        ),
        "Max pooled 2 x 2 as PNG": print_grid(
            result.pooled, output_shading(result.mapping), outlines=marks.pooled
        ),
    }
    for label, drawn in expected.items():
        image = picture(download(page, page.get_by_role("button", name=label), tmp_path))
        rows, cols = drawn.grid_shape
        assert image.size == (cols * PRINT_CELL_PX, rows * PRINT_CELL_PX), label
        assert round(image.info["dpi"][0]) == 300
        assert np.array_equal(np.asarray(image.convert("RGB")), drawn.image), label


def test_the_worksheet_downloads_as_one_a4_page_in_pdf_and_png(page, tmp_path):
    page.get_by_text("Take it with you").click()
    pdf = download(page, page.get_by_role("button", name="Worksheet (PDF)"), tmp_path)
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") == 1
    png = picture(download(page, page.get_by_role("button", name="Worksheet (PNG)"), tmp_path))
    assert png.size == (1240, 1753)  # A4 at 150 dpi


def test_the_downloaded_script_run_on_the_downloaded_image_gives_the_apps_arrays(page, tmp_path):
    page.get_by_text("Take it with you").click()
    image_file = page.get_by_role("button", name="The image file (ankle_boot_1.png)")
    download(page, image_file, tmp_path)
    script = download(page, page.get_by_role("button", name="Download the script"), tmp_path)
    expect(page.locator("code").filter(has_text="KERNEL[::-1, ::-1]").first).to_be_visible()
    (tmp_path / "run.py").write_bytes(script)
    saver = (
        "import runpy, numpy as np; names = runpy.run_path('run.py'); "
        "np.savez('out.npz', filtered=names['filtered'], pooled=names['pooled'])"
    )
    subprocess.run([sys.executable, "-c", saver], cwd=tmp_path, check=True, capture_output=True)
    arrays, result = np.load(tmp_path / "out.npz"), core_result(BOOT)
    assert np.array_equal(arrays["filtered"], result.mapped())
    assert np.array_equal(arrays["pooled"], result.pooled)


def test_a_grid_of_the_second_page_downloads_as_png(page, tmp_path):
    page.goto(page.url.split("?")[0].rstrip("/") + "/layer")
    wait_for_app(page)
    button = page.get_by_role("button", name="PNG for print").first
    image = picture(download(page, button, tmp_path))
    assert image.size == (28 * PRINT_CELL_PX, 28 * PRINT_CELL_PX)  # the 28 x 28 input, values written


@pytest.mark.parametrize("view", ["Slide the filter", "Pool step by step"])
def test_each_stepper_downloads_as_the_cores_gif_and_webp(page, tmp_path, view):
    page.get_by_text(view, exact=True).click()
    wait_for_app(page)
    result = core_result(BOOT)
    if view == "Slide the filter":
        animation, frames = convolution_animation, 26 * 26
        region = convolution_region(result, result.strongest)
    else:
        animation, frames = pooling_animation, 13 * 13
        region = pooling_region(result, result.strongest)
    for kind in ("gif", "webp"):
        data = download(page, page.get_by_role("button", name=f"Animation ({kind.upper()})"), tmp_path)
        assert len(data) < 5_000_000
        image = Image.open(io.BytesIO(data))
        assert image.format == kind.upper() and image.n_frames == frames
        assert data == animation(result, region, 0, kind).data  # the core's frames, byte for byte
