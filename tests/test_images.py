"""Tests for filters.images: every format and mode to 8-bit RGB, and every refusal.

All files are made in memory by the tests; none are read from disk.
"""

from __future__ import annotations

import io
import struct
import warnings
import zlib

import numpy as np
import pillow_heif
import pytest
from PIL import Image, ImageFile

from filters.images import (
    ACCEPTED_FORMATS_TEXT,
    MAX_PIXELS,
    MAX_UPLOAD_MB,
    MAX_WORKING_PIXELS,
    DecodedImage,
    ImageRejected,
    decode_image,
    to_grayscale,
    working_size,
)

pillow_heif.register_heif_opener()

RED = (255, 0, 0)
BLUE = (0, 0, 255)
EXIF_ORIENTATION = 0x0112


def encode(image: Image.Image, file_format: str, **options) -> bytes:
    """The bytes of `image` saved in `file_format`."""
    buffer = io.BytesIO()
    image.save(buffer, file_format, **options)
    return buffer.getvalue()


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    """One PNG chunk with its length and CRC."""
    crc = zlib.crc32(kind + payload)
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def raw_png(width: int, height: int, colour_type: int, bit_depth: int, rows: bytes) -> bytes:
    """A PNG written by hand, for what Pillow cannot save (16-bit RGB, huge headers).

    `rows` is the unfiltered pixel data; a filter byte of 0 is added per row.
    """
    stride = len(rows) // height if height else 0
    filtered = b"".join(b"\x00" + rows[y * stride : (y + 1) * stride] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(filtered))
        + png_chunk(b"IEND", b"")
    )


def random_rgb(height: int, width: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def with_red_top_left(size: tuple[int, int]) -> Image.Image:
    """A blue image with a red 10 x 10 square in its top-left corner."""
    image = Image.new("RGB", size, BLUE)
    image.paste(RED, (0, 0, 10, 10))
    return image


def exif_with_orientation(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = orientation
    return exif.tobytes()


def assert_close(actual, expected, tolerance: int) -> None:
    difference = np.abs(np.asarray(actual, dtype=int) - np.asarray(expected, dtype=int))
    assert difference.max() <= tolerance, (actual, expected)


def assert_valid(decoded: DecodedImage) -> None:
    assert decoded.rgb.dtype == np.uint8
    assert decoded.rgb.ndim == 3 and decoded.rgb.shape[2] == 3
    assert decoded.size == (decoded.rgb.shape[1], decoded.rgb.shape[0])


# Formats


def test_gray_png_keeps_exact_values_in_every_channel():
    gray = np.arange(256, dtype=np.uint8).reshape(16, 16)
    decoded = decode_image(encode(Image.fromarray(gray), "PNG"), "gray.png")
    for channel in range(3):
        np.testing.assert_array_equal(decoded.rgb[..., channel], gray)
    assert decoded.is_colour is False
    assert decoded.format == "PNG"
    assert decoded.notes == ()
    np.testing.assert_array_equal(to_grayscale(decoded.rgb), gray)


def test_rgb_png_keeps_exact_pixels():
    rgb = random_rgb(5, 7)
    decoded = decode_image(encode(Image.fromarray(rgb), "PNG"), "colour.png")
    np.testing.assert_array_equal(decoded.rgb, rgb)
    assert decoded.is_colour is True
    assert decoded.source_size == (7, 5)
    assert decoded.size == (7, 5)
    assert decoded.downscaled is False


@pytest.mark.parametrize(
    ("file_format", "options"),
    [("WEBP", {"lossless": True}), ("BMP", {}), ("TIFF", {})],
)
def test_lossless_formats_keep_exact_pixels(file_format, options):
    rgb = random_rgb(6, 9, seed=3)
    decoded = decode_image(encode(Image.fromarray(rgb), file_format, **options), "x")
    np.testing.assert_array_equal(decoded.rgb, rgb)
    assert decoded.format == file_format


def test_jpeg_decodes_to_right_size_and_colour():
    data = encode(Image.new("RGB", (64, 48), (200, 100, 50)), "JPEG", quality=95)
    decoded = decode_image(data, "photo.jpg")
    assert decoded.rgb.shape == (48, 64, 3)
    assert decoded.format == "JPEG"
    assert_close(decoded.rgb, (200, 100, 50), tolerance=3)


def test_heic_decodes_to_right_size_and_colour():
    data = encode(Image.new("RGB", (64, 48), (200, 100, 50)), "HEIF", quality=90)
    decoded = decode_image(data, "photo.heic")
    assert decoded.rgb.shape == (48, 64, 3)
    assert decoded.format == "HEIF"
    assert_close(decoded.rgb, (200, 100, 50), tolerance=8)


def test_animated_gif_uses_first_frame_and_says_so():
    frames = [Image.new("P", (8, 4), index) for index in range(3)]
    palette = [255, 0, 0, 0, 255, 0, 0, 0, 255] + [0] * (256 * 3 - 9)
    for frame in frames:
        frame.putpalette(palette)
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    decoded = decode_image(data, "wave.gif")
    assert decoded.rgb.shape == (4, 8, 3)
    assert (decoded.rgb == RED).all()
    assert decoded.format == "GIF"
    assert any("first of 3 frames" in note for note in decoded.notes)


def test_multi_page_tiff_uses_first_page_and_says_so():
    pages = [Image.new("RGB", (4, 4), colour) for colour in (RED, BLUE)]
    data = encode(pages[0], "TIFF", save_all=True, append_images=pages[1:])
    decoded = decode_image(data, "scan.tiff")
    assert (decoded.rgb == RED).all()
    assert any("first of 2 frames" in note for note in decoded.notes)


def test_palette_png_gives_exact_palette_colours():
    palette = [10, 20, 30, 200, 150, 100, 0, 255, 7]
    image = Image.new("P", (3, 1))
    image.putpalette(palette + [0] * (256 * 3 - len(palette)))
    image.putdata([0, 1, 2])
    decoded = decode_image(encode(image, "PNG"), "palette.png")
    np.testing.assert_array_equal(decoded.rgb[0], [[10, 20, 30], [200, 150, 100], [0, 255, 7]])
    assert decoded.is_colour is True
    assert decoded.notes == ()


def test_palette_png_transparent_index_becomes_white():
    image = Image.new("P", (2, 1))
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * (256 * 3 - 6))
    image.putdata([0, 1])
    decoded = decode_image(encode(image, "PNG", transparency=0), "sticker.png")
    np.testing.assert_array_equal(decoded.rgb[0], [[255, 255, 255], RED])
    assert any("white background" in note for note in decoded.notes)


def test_rgba_png_is_composited_on_white_not_stripped_of_alpha():
    image = Image.new("RGBA", (3, 1))
    image.putdata([(255, 0, 0, 128), (0, 0, 255, 0), (0, 128, 0, 255)])
    decoded = decode_image(encode(image, "PNG"), "logo.png")
    assert_close(decoded.rgb[0, 0], (255, 127, 127), tolerance=1)
    np.testing.assert_array_equal(decoded.rgb[0, 1], (255, 255, 255))
    np.testing.assert_array_equal(decoded.rgb[0, 2], (0, 128, 0))
    assert any("white background" in note for note in decoded.notes)


def test_opaque_rgba_png_has_no_transparency_note():
    rgb = random_rgb(4, 4)
    opaque = Image.fromarray(rgb).convert("RGBA")
    decoded = decode_image(encode(opaque, "PNG"), "opaque.png")
    np.testing.assert_array_equal(decoded.rgb, rgb)
    assert decoded.notes == ()


def test_gray_with_alpha_png_is_composited_on_white_and_stays_gray():
    image = Image.new("LA", (2, 1))
    image.putdata([(0, 128), (40, 255)])
    decoded = decode_image(encode(image, "PNG"), "shadow.png")
    assert_close(decoded.rgb[0, 0], (127, 127, 127), tolerance=1)
    np.testing.assert_array_equal(decoded.rgb[0, 1], (40, 40, 40))
    assert decoded.is_colour is False
    assert any("white background" in note for note in decoded.notes)


def test_cmyk_jpeg_is_converted_to_rgb_with_a_note():
    data = encode(Image.new("CMYK", (30, 20), (0, 255, 255, 0)), "JPEG", quality=95)
    decoded = decode_image(data, "print.jpg")
    assert decoded.rgb.shape == (20, 30, 3)
    assert_close(decoded.rgb, RED, tolerance=3)
    assert "CMYK image converted to RGB." in decoded.notes


def test_16_bit_gray_png_is_scaled_by_257_not_clipped():
    values = np.array([[0, 257 * 100, 65535]], dtype=np.uint16)
    data = encode(Image.fromarray(values), "PNG")
    with Image.open(io.BytesIO(data)) as opened:
        assert opened.mode == "I;16"  # what Pillow 13 gives for a 16-bit gray PNG
        clipped = np.asarray(opened.convert("L"))
    np.testing.assert_array_equal(clipped, [[0, 255, 255]])  # what we must avoid

    decoded = decode_image(data, "scan16.png")
    np.testing.assert_array_equal(decoded.rgb[0, :, 0], [0, 100, 255])
    assert decoded.is_colour is False
    assert "16-bit image scaled to 8 bits (value / 257)." in decoded.notes


def test_16_bit_big_endian_tiff_is_scaled_by_257():
    values = np.array([[0, 257 * 100, 65535]], dtype=">u2")
    data = encode(Image.fromarray(values), "TIFF")
    with Image.open(io.BytesIO(data)) as opened:
        assert opened.mode == "I;16B"
    decoded = decode_image(data, "scan16.tif")
    np.testing.assert_array_equal(decoded.rgb[0, :, 0], [0, 100, 255])


def test_16_bit_rgb_png_keeps_the_high_byte():
    values = np.array([[[0, 257 * 100, 65535], [65535, 0, 257 * 7]]], dtype=">u2")
    data = raw_png(2, 1, colour_type=2, bit_depth=16, rows=values.tobytes())
    decoded = decode_image(data, "hdr16.png")
    np.testing.assert_array_equal(decoded.rgb[0], [[0, 100, 255], [255, 0, 7]])


def test_float_tiff_is_stretched_to_full_range_with_a_note():
    values = np.array([[-1.0, 0.0, 1.0]], dtype=np.float32)
    decoded = decode_image(encode(Image.fromarray(values), "TIFF"), "depth.tif")
    np.testing.assert_array_equal(decoded.rgb[0, :, 0], [0, 128, 255])
    assert decoded.is_colour is False
    assert any("stretched" in note for note in decoded.notes)


def test_float_tiff_with_nan_and_infinity_still_decodes():
    values = np.array([[np.nan, 2.0, np.inf, 4.0]], dtype=np.float32)
    decoded = decode_image(encode(Image.fromarray(values), "TIFF"), "depth.tif")
    np.testing.assert_array_equal(decoded.rgb[0, :, 0], [0, 0, 255, 255])


def test_32_bit_tiff_outside_16_bit_range_is_stretched():
    values = np.array([[-5, 70_000]], dtype=np.int32)
    decoded = decode_image(encode(Image.fromarray(values), "TIFF"), "counts.tif")
    np.testing.assert_array_equal(decoded.rgb[0, :, 0], [0, 255])
    assert any("stretched" in note for note in decoded.notes)


# Orientation


def test_exif_orientation_6_turns_a_wide_jpeg_upright():
    data = encode(with_red_top_left((40, 20)), "JPEG", quality=95, exif=exif_with_orientation(6))
    decoded = decode_image(data, "phone.jpg")
    assert decoded.rgb.shape == (40, 20, 3)  # tall now
    assert decoded.source_size == (20, 40)
    # Rotating 90 degrees clockwise moves the top-left corner to the top-right.
    assert_close(decoded.rgb[2, 17], RED, tolerance=12)
    assert_close(decoded.rgb[2, 2], BLUE, tolerance=12)
    assert "Rotated upright using the photo's EXIF orientation." in decoded.notes


def test_exif_orientation_1_leaves_image_and_notes_alone():
    data = encode(with_red_top_left((40, 20)), "JPEG", quality=95, exif=exif_with_orientation(1))
    decoded = decode_image(data, "upright.jpg")
    assert decoded.rgb.shape == (20, 40, 3)
    assert_close(decoded.rgb[2, 2], RED, tolerance=12)
    assert decoded.notes == ()


def test_heic_orientation_is_applied_once_with_a_note():
    data = encode(with_red_top_left((40, 20)), "HEIF", quality=95, exif=exif_with_orientation(6))
    decoded = decode_image(data, "phone.heic")
    assert decoded.rgb.shape == (40, 20, 3)
    assert decoded.source_size == (20, 40)
    assert_close(decoded.rgb[2, 17], RED, tolerance=40)
    assert "Rotated upright using the photo's EXIF orientation." in decoded.notes


# Working size


def test_large_image_is_downscaled_so_longest_side_is_max_side():
    image = Image.linear_gradient("L").resize((2000, 1000)).convert("RGB")
    decoded = decode_image(encode(image, "PNG", compress_level=1), "wide.png")
    assert decoded.size == (512, 256)
    assert decoded.source_size == (2000, 1000)
    assert decoded.downscaled is True


def test_downscaling_keeps_flat_colours_and_layout():
    image = Image.new("RGB", (1000, 600), RED)
    image.paste(BLUE, (500, 0, 1000, 600))
    decoded = decode_image(encode(image, "PNG", compress_level=1), "halves.png", max_side=100)
    assert decoded.size == (100, 60)
    np.testing.assert_array_equal(decoded.rgb[:, :45], np.broadcast_to(RED, (60, 45, 3)))
    np.testing.assert_array_equal(decoded.rgb[:, 55:], np.broadcast_to(BLUE, (60, 45, 3)))


def test_max_side_none_keeps_full_size():
    decoded = decode_image(encode(Image.new("L", (900, 700)), "PNG"), "big.png", max_side=None)
    assert decoded.size == (900, 700)
    assert decoded.downscaled is False


def test_full_size_is_capped_at_12_megapixels_with_a_note():
    image = Image.linear_gradient("L").resize((8000, 6000)).convert("RGB")  # 48 MP
    decoded = decode_image(encode(image, "JPEG", quality=80), "huge.jpg", max_side=None)
    width, height = decoded.size
    assert width * height <= MAX_WORKING_PIXELS and width * height > 0.99 * MAX_WORKING_PIXELS
    assert abs(width / height - 4 / 3) < 0.01
    assert decoded.source_size == (8000, 6000)
    assert any("limited to 12 megapixels" in note and f"{width} x {height}" in note for note in decoded.notes)


@pytest.mark.parametrize(
    ("size", "max_side", "expected"),
    [
        ((4032, 3024), 512, (512, 384)),
        ((4032, 3024), None, (4000, 3000)),
        ((5000, 3), 512, (512, 3)),  # a strip stays 3 high, so a 3x3 filter still fits
        ((3, 5000), 128, (3, 128)),
        ((5000, 2), 512, (512, 2)),  # never taller than the source
        ((30, 10), 512, (30, 10)),
        ((100_000, 200), None, (77459, 154)),  # 20 MP: scaled by sqrt(12/20)
        ((100_000, 200), 512, (512, 3)),
    ],
)
def test_working_size(size, max_side, expected):
    assert working_size(size, max_side) == expected
    assert expected[0] * expected[1] <= MAX_WORKING_PIXELS


def test_a_long_strip_decodes_at_three_pixels_high():
    decoded = decode_image(encode(Image.new("L", (5000, 3), 90), "PNG"), "strip.png")
    assert decoded.size == (512, 3)


def test_our_own_errors_are_not_called_a_damaged_file(monkeypatch):
    def broken(*_args):
        raise RuntimeError("a bug of ours")

    monkeypatch.setattr("filters.images._to_rgb", broken)
    with pytest.raises(RuntimeError, match="a bug of ours"):
        decode_image(encode(Image.new("RGB", (10, 10)), "PNG"), "fine.png")
    monkeypatch.setattr("filters.images._to_rgb", lambda *_args: (_ for _ in ()).throw(MemoryError()))
    with pytest.raises(MemoryError):
        decode_image(encode(Image.new("RGB", (10, 10)), "PNG"), "fine.png")


def test_small_image_is_never_upscaled():
    decoded = decode_image(encode(Image.new("RGB", (30, 10)), "PNG"), "tiny.png", max_side=512)
    assert decoded.size == (30, 10)
    assert decoded.downscaled is False


def test_12_megapixel_jpeg_is_decoded_to_working_size():
    image = Image.linear_gradient("L").resize((4032, 3024)).convert("RGB")
    decoded = decode_image(encode(image, "JPEG", quality=85), "camera.jpg")
    assert decoded.size == (512, 384)
    assert decoded.source_size == (4032, 3024)


def test_rotated_jpeg_is_drafted_rotated_and_downscaled_to_upright_size():
    image = with_red_top_left((2000, 1000))
    data = encode(image, "JPEG", quality=90, exif=exif_with_orientation(6))
    decoded = decode_image(data, "phone.jpg")
    assert decoded.size == (256, 512)
    assert decoded.source_size == (1000, 2000)
    assert_close(decoded.rgb[0, -1], RED, tolerance=40)


def test_invalid_max_side_is_a_programming_error():
    with pytest.raises(ValueError, match="max_side"):
        decode_image(encode(Image.new("L", (2, 2)), "PNG"), "x.png", max_side=0)


def test_result_pixels_are_read_only():
    decoded = decode_image(encode(Image.new("RGB", (2, 2)), "PNG"), "x.png")
    with pytest.raises(ValueError):
        decoded.rgb[0, 0, 0] = 1


# to_grayscale


def test_to_grayscale_matches_pillow_convert_l():
    rgb = random_rgb(31, 17, seed=7)
    expected = np.asarray(Image.fromarray(rgb).convert("L"), dtype=np.float64)
    gray = to_grayscale(rgb)
    assert gray.dtype == np.float64
    assert gray.shape == (31, 17)
    np.testing.assert_array_equal(gray, expected)


def test_to_grayscale_gives_back_v_for_gray_pixels():
    values = np.arange(256, dtype=np.uint8).reshape(16, 16)
    rgb = np.repeat(values[..., None], 3, axis=2)
    np.testing.assert_array_equal(to_grayscale(rgb), values)


def test_to_grayscale_uses_601_weights():
    rgb = np.array([[RED, (0, 255, 0), BLUE]], dtype=np.uint8)
    np.testing.assert_array_equal(to_grayscale(rgb), [[76, 150, 29]])


def test_to_grayscale_refuses_non_uint8_rgb():
    with pytest.raises(ValueError):
        to_grayscale(np.zeros((2, 2, 3), dtype=np.float64))


# Refusals


def assert_rejected(data: bytes, name: str, *expected_texts: str) -> None:
    """Decoding `data` raises ImageRejected naming the file and saying each text."""
    with pytest.raises(ImageRejected) as caught:
        decode_image(data, name)
    message = str(caught.value)
    assert f'"{name}"' in message
    for text in expected_texts:
        assert text in message


def test_empty_file_is_refused_with_accepted_formats():
    assert_rejected(b"", "empty.png", "empty", ACCEPTED_FORMATS_TEXT)


def test_file_over_upload_limit_is_refused_with_its_size_and_the_limit():
    data = bytes(MAX_UPLOAD_MB * 1_000_000 + 200_000)
    assert_rejected(data, "poster.tif", "25.2 MB", f"limit is {MAX_UPLOAD_MB} MB")


@pytest.mark.parametrize(
    "data",
    [
        b"Hello, this is a text file.\n",
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
        np.random.default_rng(5).bytes(3000),
    ],
    ids=["text", "pdf", "random"],
)
def test_non_image_is_refused_with_accepted_formats(data):
    assert_rejected(data, "notes.pdf", "not an image", ACCEPTED_FORMATS_TEXT)


@pytest.mark.parametrize("file_format", ["JPEG", "PNG"])
def test_truncated_file_is_refused(file_format):
    data = encode(Image.fromarray(random_rgb(60, 80)), file_format)
    assert_rejected(data[: len(data) // 2], "half.img", "damaged or incomplete")


def test_corrupt_png_body_is_refused():
    valid = encode(Image.fromarray(random_rgb(20, 20)), "PNG")
    header = valid[:33]  # signature and IHDR
    garbage = png_chunk(b"IDAT", np.random.default_rng(2).bytes(400))
    assert_rejected(header + garbage + png_chunk(b"IEND", b""), "broken.png", "damaged")


def test_image_over_pixel_limit_is_refused_before_decoding():
    assert MAX_PIXELS < 8000 * 7000
    data = encode(Image.new("1", (8000, 7000)), "PNG")
    assert len(data) < 100_000  # a real decompression bomb: tiny file, huge image
    assert_rejected(data, "bomb.png", "8000 x 7000 pixels (56 megapixels)", "limit is 50 megapixels")


def test_image_over_pillows_own_limit_is_refused():
    data = raw_png(20_000, 20_000, colour_type=0, bit_depth=1, rows=b"")
    assert_rejected(data, "huge.png", "too many pixels", "limit is 50 megapixels")


def test_zero_width_image_is_refused():
    assert_rejected(raw_png(0, 5, colour_type=0, bit_depth=8, rows=b""), "flat.png")


def test_decoding_changes_no_pillow_setting_or_warning_filter():
    max_pixels = Image.MAX_IMAGE_PIXELS
    warning_filters = list(warnings.filters)
    decode_image(encode(Image.new("RGB", (4, 4)), "PNG"), "x.png")
    with pytest.raises(ImageRejected):
        decode_image(encode(Image.new("1", (8000, 7000)), "PNG"), "bomb.png")
    assert max_pixels == Image.MAX_IMAGE_PIXELS
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    assert warnings.filters == warning_filters


def mutations(valid: bytes, rng: np.random.Generator, count: int) -> list[bytes]:
    """Copies of `valid` with a few flipped bytes, or cut at a random point."""
    damaged = []
    for _ in range(count):
        data = bytearray(valid)
        if rng.random() < 0.5:
            data = data[: rng.integers(1, len(data))]
        else:
            for position in rng.integers(0, len(data), rng.integers(1, 8)):
                data[position] ^= int(rng.integers(1, 256))
        damaged.append(bytes(data))
    return damaged


# Pillow warns (UserWarning) about damaged metadata it can still read past.
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_random_and_damaged_bytes_only_ever_raise_image_rejected():
    rng = np.random.default_rng(2024)
    image = Image.fromarray(random_rgb(24, 32, seed=11))
    buffers = [rng.bytes(int(rng.integers(1, 2000))) for _ in range(200)]
    for file_format in ("PNG", "JPEG", "GIF", "WEBP", "TIFF", "BMP", "HEIF"):
        buffers += mutations(encode(image, file_format), rng, 40)
    for data in buffers:
        try:
            decoded = decode_image(data, "fuzz.bin")
        except ImageRejected as rejection:
            assert '"fuzz.bin"' in str(rejection)
        else:
            assert_valid(decoded)
