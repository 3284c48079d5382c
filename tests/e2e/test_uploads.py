"""In a real browser: uploading every kind of image file, and every kind of file the app must refuse.

The files are made here (Pillow, NumPy, pillow_heif) and handed to the
uploader from memory. What the page shows is checked against the core
decoding the very same bytes: ``decode_image``, ``to_grayscale`` and
``apply_filter`` with the first view's filter (vertical edges).
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pillow_heif
import pytest
from PIL import Image
from playwright.sync_api import expect

from filters.convolution import ImageTooSmall, check_fits
from filters.images import ImageRejected, decode_image
from tests.e2e.helpers import (
    choose_preset,
    click_radio,
    core_result,
    expect_inspector_shows,
    image_block,
    sample_pixels,
    upload_pixels,
    wait_for_app,
)

pillow_heif.register_heif_opener()

UPLOADER_LIMIT_MESSAGE = "File must be 50.0MB or smaller."
"""Streamlit's own refusal, shown by the uploader before anything is sent."""


# ---- Files ---------------------------------------------------------------------------------------------


def encode(image: Image.Image, file_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=file_format, **options)
    return buffer.getvalue()


def gradient(rows: int = 24, cols: int = 20) -> np.ndarray:
    """A small colour image with gentle slopes and a little noise: edge sums stay well inside 0..255."""
    y, x = np.mgrid[0:rows, 0:cols]
    noise = np.random.default_rng(7).integers(0, 24, (rows, cols))
    base = np.clip(40 + 6 * x + 3 * y + noise, 0, 255)
    return np.stack([base, 255 - base, base // 2 + 60], axis=-1).astype(np.uint8)


RGB = gradient()
GRAY_16 = (gradient()[..., 0].astype(np.uint16) * 257 + np.arange(20, dtype=np.uint16) * 9).astype(np.uint16)


def as_rgb(file_format: str, **options) -> bytes:
    """The small colour image ``RGB`` saved in ``file_format``."""
    return encode(Image.fromarray(RGB), file_format, **options)


def sideways_jpeg() -> bytes:
    """A photo stored 40 x 30 with EXIF orientation 6 (rotate 90 degrees): upright it is 30 x 40."""
    exif = Image.Exif()
    exif[0x0112] = 6
    return encode(Image.fromarray(gradient(30, 40)), "JPEG", quality=95, exif=exif.tobytes())


def animated_gif() -> bytes:
    frames = [Image.fromarray(RGB), Image.fromarray(255 - RGB), Image.fromarray(RGB // 2)]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)


def half_transparent_png() -> bytes:
    alpha = np.full(RGB.shape[:2], 128, dtype=np.uint8)
    return encode(Image.fromarray(np.dstack([RGB, alpha])), "PNG")


def photo_12_megapixels() -> bytes:
    """A 4032 x 3024 photo-like JPEG (a phone camera's size): slopes, tiles and noise."""
    rows, cols = 3024, 4032
    x = np.arange(cols, dtype=np.uint32)[None, :]
    y = np.arange(rows, dtype=np.uint32)[:, None]
    tile = np.random.default_rng(3).integers(0, 40, (336, 336, 3), dtype=np.uint8)
    noise = np.tile(tile, (rows // 336, cols // 336, 1))
    slopes = np.dstack(
        [
            np.broadcast_to(x * 180 // cols, (rows, cols)),
            np.broadcast_to(y * 180 // rows, (rows, cols)),
            (x // 150 + y // 150) % 2 * 90 + 60,
        ]
    ).astype(np.uint8)
    return encode(Image.fromarray(slopes + noise), "JPEG", quality=90)


@dataclass(frozen=True)
class Upload:
    """A file to upload and what a correct decoder makes of it, as this test expects it."""

    name: str
    mime: str
    make: Callable[[], bytes]
    upright: Callable[[], np.ndarray]
    """The RGB pixels (H, W, 3) the file should give, upright."""
    tolerance: float = 0.0
    """Mean absolute difference allowed from ``upright`` (lossy formats)."""
    note: str | None = None
    """What the app must say about the file."""


def composited_on_white(rgb: np.ndarray, alpha: int) -> np.ndarray:
    return (rgb.astype(np.float64) * alpha + 255 * (255 - alpha)) / 255


ACCEPTED = {
    "png": Upload("gradient.png", "image/png", lambda: as_rgb("PNG"), lambda: RGB),
    "jpeg_exif_orientation_6": Upload(
        "sideways.jpg",
        "image/jpeg",
        sideways_jpeg,
        lambda: np.rot90(gradient(30, 40), k=-1),  # turned a quarter clockwise: 30 wide, 40 high
        tolerance=6,
        note="Rotated upright using the photo's EXIF orientation.",
    ),
    "cmyk_jpeg": Upload(
        "print.jpg",
        "image/jpeg",
        lambda: encode(Image.fromarray(RGB).convert("CMYK"), "JPEG", quality=95),
        lambda: RGB,
        tolerance=4,
        note="CMYK image converted to RGB.",
    ),
    "png_16_bit": Upload(
        "deep.png",
        "image/png",
        lambda: encode(Image.fromarray(GRAY_16), "PNG"),
        lambda: np.repeat(np.rint(GRAY_16 / 257)[..., None], 3, axis=2),
        note="16-bit image scaled to 8 bits (value / 257).",
    ),
    "palette_png": Upload(
        "palette.png",
        "image/png",
        lambda: encode(Image.fromarray(RGB).convert("P", palette=Image.Palette.ADAPTIVE, colors=32), "PNG"),
        lambda: RGB,
        tolerance=4,
    ),
    "animated_gif": Upload(
        "moving.gif", "image/gif", animated_gif, lambda: RGB, note="GIF file: using the first of 3 frames."
    ),
    "rgba_png": Upload(
        "see-through.png",
        "image/png",
        half_transparent_png,
        lambda: composited_on_white(RGB, 128),
        tolerance=1,
        note="Transparent areas were placed on a white background.",
    ),
    "webp": Upload("web.webp", "image/webp", lambda: as_rgb("WEBP", lossless=True), lambda: RGB),
    "bmp": Upload("paint.bmp", "image/bmp", lambda: as_rgb("BMP"), lambda: RGB),
    "tiff": Upload("scan.tiff", "image/tiff", lambda: as_rgb("TIFF"), lambda: RGB),
    "heic": Upload("phone.heic", "image/heic", lambda: as_rgb("HEIF", quality=90), lambda: RGB, tolerance=8),
}


def truncated_jpeg() -> bytes:
    whole = encode(Image.fromarray(gradient(64, 64)), "JPEG", quality=95)
    return whole[: len(whole) // 2]


def decompression_bomb() -> bytes:
    """A tiny PNG that claims 8000 x 7000 pixels: 56 megapixels, over the 50 megapixel limit."""
    return encode(Image.new("1", (8000, 7000)), "PNG", optimize=True)


# id: (file name, MIME type, bytes)
REFUSED = {
    "truncated_jpeg": ("cut-off.jpg", "image/jpeg", truncated_jpeg),
    "empty_file": ("nothing.png", "image/png", lambda: b""),
    "not_an_image": ("notes.png", "image/png", lambda: b"Dear diary, this is not a picture.\n" * 20),
    "decompression_bomb": ("bomb.png", "image/png", decompression_bomb),
}


# ---- Sessions and steps --------------------------------------------------------------------------------


@pytest.fixture
def upload_page(sessions, request):
    """One session that takes upload after upload, as a user trying their files would."""
    yield from sessions.use("uploads", request)


@pytest.fixture
def refusal_page(sessions, request):
    """One session on the first view (Ankle boot 1) that is handed only files it must refuse."""
    yield from sessions.use("refusals", request)


def upload(page, name: str, mime: str, data: bytes) -> None:
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}]
    )


def expect_first_view_still_shown(page) -> None:
    expect(image_block(page).get_by_text("Showing Ankle boot 1, 28 x 28 pixels.")).to_be_visible()
    expect(page.get_by_text("Original · 28 x 28", exact=True)).to_be_visible()


def expect_usable_after(page, preset: str) -> None:
    """Choosing a preset works as usual: the inspector shows the core's value on Ankle boot 1."""
    choose_preset(page, preset)
    expect(page.get_by_text(re.compile(r"^Sum of values: "))).to_be_visible()
    expect_inspector_shows(page, core_result(sample_pixels(), preset))


# ---- Accepted files ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(ACCEPTED))
def test_an_uploaded_image_is_shown_and_filtered_as_the_core_decodes_it(upload_page, kind):
    page = upload_page
    file = ACCEPTED[kind]
    data = file.make()
    decoded = decode_image(data, file.name)
    upright = file.upright()  # the core decodes the file as this test expects
    assert decoded.rgb.shape == upright.shape
    assert np.abs(decoded.rgb.astype(np.float64) - upright).mean() <= file.tolerance
    assert file.note is None or file.note in decoded.notes

    upload(page, file.name, file.mime, data)
    width, height = decoded.size
    expect(image_block(page).get_by_text(f"Showing {file.name}, {width} x {height} pixels.")).to_be_visible()
    wait_for_app(page)
    expect(page.get_by_text(f"Original · {width} x {height}", exact=True)).to_be_visible()
    for note in decoded.notes:
        expect(image_block(page).get_by_text(note, exact=True)).to_be_visible()
    expect(image_block(page).get_by_role("alert")).to_have_count(0)
    expect_inspector_shows(page, core_result(upload_pixels(data, file.name)))
    assert page.foreign_requests == []


def test_a_16_bit_png_is_divided_by_257_in_the_value_table(upload_page):
    page = upload_page
    file = ACCEPTED["png_16_bit"]
    upload(page, file.name, file.mime, file.make())
    expect(image_block(page).get_by_text(f"Showing {file.name}, 20 x 24 pixels.")).to_be_visible()
    wait_for_app(page)
    page.get_by_text("The values as tables").click()
    original_table = page.locator('[data-testid="stExpander"] [data-testid="stDataFrame"]').first
    first_row = np.rint(GRAY_16[0] / 257).astype(int)
    assert not np.array_equal(first_row, GRAY_16[0] >> 8)  # dividing differs from dropping the low byte
    for col in range(8):
        expect(original_table.get_by_test_id(f"glide-cell-{col + 1}-0")).to_have_text(str(first_row[col]))


def test_a_12_megapixel_photo_is_downscaled_to_the_working_size(upload_page, record_property):
    page = upload_page
    data = photo_12_megapixels()
    decoded = decode_image(data, "phone-photo.jpg")
    assert (decoded.source_size, decoded.size) == ((4032, 3024), (512, 384))
    started = time.monotonic()
    upload(page, "phone-photo.jpg", "image/jpeg", data)
    note = "working at 512 x 384, downscaled from 4032 x 3024"
    expect(page.get_by_text(f"phone-photo.jpg: {note}.", exact=True)).to_be_visible(timeout=60_000)
    wait_for_app(page)
    seconds = time.monotonic() - started
    record_property("upload_to_result_seconds", round(seconds, 2))
    print(f"\n12-megapixel JPEG ({len(data) / 1e6:.1f} MB): upload to result in {seconds:.2f} s")
    expect(image_block(page).get_by_text(f"Showing phone-photo.jpg, {note}.")).to_be_visible()
    expect(page.get_by_text("Original · 512 x 384", exact=True)).to_be_visible()
    expect_inspector_shows(page, core_result(upload_pixels(data, "phone-photo.jpg")))
    assert seconds < 30, f"a phone photo took {seconds:.1f} s to show"


# ---- Refused files -------------------------------------------------------------------------------------


AFTER_REFUSAL = ["horizontal_edges", "sharpen", "emboss", "outline"]
"""A different preset chosen after each refusal, to show the app is still usable."""


@pytest.mark.parametrize(("kind", "preset"), list(zip(REFUSED, AFTER_REFUSAL, strict=True)))
def test_a_refused_file_is_named_and_the_previous_image_stays(refusal_page, kind, preset):
    page = refusal_page
    name, mime, make = REFUSED[kind]
    data = make()
    with pytest.raises(ImageRejected) as refusal:
        decode_image(data, name)
    assert f'"{name}"' in str(refusal.value)
    upload(page, name, mime, data)
    expect(image_block(page).get_by_role("alert")).to_have_text(
        re.compile(re.escape(f"{refusal.value} Still showing Ankle boot 1.") + "$")
    )
    wait_for_app(page)
    expect_first_view_still_shown(page)
    expect_usable_after(page, preset)


def upload_huge_file(page, folder, megabytes: int) -> bytes:
    """Hand the uploader a file of ``megabytes`` MB (from disk: faster than through Playwright's pipe)."""
    huge = folder / "huge.png"
    huge.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(megabytes * 1024 * 1024))
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(huge)
    return huge.read_bytes()


def test_a_file_over_the_upload_limit_gets_a_message_naming_it(refusal_page, tmp_path):
    page = refusal_page
    data = upload_huge_file(page, tmp_path, 26)
    with pytest.raises(ImageRejected, match="the limit is 25 MB") as refusal:
        decode_image(data, "huge.png")
    expect(image_block(page).get_by_role("alert")).to_have_text(
        re.compile(re.escape(f"{refusal.value} Still showing Ankle boot 1.") + "$")
    )
    wait_for_app(page)
    expect_first_view_still_shown(page)
    expect_usable_after(page, "gaussian_blur")


def test_an_absurdly_large_file_is_refused_by_the_uploader_itself(page, tmp_path):
    upload_huge_file(page, tmp_path, 51)
    chip = image_block(page).locator('[data-testid="stFileChip"]', has_text="huge.png")
    expect(chip).to_have_attribute("aria-invalid", "true")
    chip.hover()  # Streamlit shows its reason in a tooltip
    expect(page.get_by_role("tooltip")).to_have_text(UPLOADER_LIMIT_MESSAGE)
    wait_for_app(page)
    expect_first_view_still_shown(page)
    expect_usable_after(page, "gaussian_blur")


def test_a_1_by_1_image_asks_for_same_padding_and_works_with_it(page):
    data = encode(Image.new("RGB", (1, 1), (200, 100, 50)), "PNG")
    with pytest.raises(ImageTooSmall) as too_small:
        check_fits((1, 1), "valid")
    upload(page, "dot.png", "image/png", data)
    error = page.locator('[data-testid="stMain"]').get_by_role("alert")
    expect(error).to_have_text(re.compile(re.escape(f"dot.png: {too_small.value}") + "$"))
    expect(error).to_contain_text("needs at least 3 x 3")
    expect(image_block(page).get_by_text("Showing dot.png, 1 x 1 pixels.")).to_be_visible()
    click_radio(page, re.compile(r"^Same:"))
    expect(page.get_by_text("1 x 1 → 1 x 1", exact=False)).to_be_visible()
    expect(page.get_by_text("too small for 2 x 2 pooling", exact=False).first).to_be_visible()
    expect(page.locator('[data-testid="stMain"]').get_by_text("needs at least 3 x 3")).to_have_count(0)
    expect(page.get_by_text("Original · 1 x 1", exact=True)).to_be_visible()
    expect_inspector_shows(page, core_result(upload_pixels(data, "dot.png"), padding="same"))
